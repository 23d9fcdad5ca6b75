/*
 * The input gradient of 2-D max pooling as typed-array loops (NHWC), for the
 * wasm backend's MaxPoolGrad (layout-kernels.ts), whose own kernel drops
 * gradient on many shapes.
 */
import type { ConvGeometry } from './conv-kernels.js';

/**
 * Input gradient of 2-D max pooling (NHWC): each output's `dy` goes to the
 * first maximum of its window in row-major order (the rule of TensorFlow.js's
 * cpu backend; padding never wins). `out` is overwritten. Any window,
 * stride, padding and dilation.
 * O(B · OH · OW · C · filterH · filterW) time, O(C) scratch memory.
 *
 * The channel loop is innermost: each window's taps are visited once, each as
 * one contiguous run of `C` values shared by all channels, keeping a running
 * maximum per channel — instead of walking the window once per channel with
 * stride `C`, which touches every input value `C` times out of order.
 */
function maxPoolBackpropOverlapping(
  dy: Float32Array,
  x: Float32Array,
  g: ConvGeometry,
  out: Float32Array,
): Float32Array {
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = g;
  const { filterHeight: FH, filterWidth: FW, strideHeight: SH, strideWidth: SW, dilationHeight: DH, dilationWidth: DW } = g;
  const { top, left } = g.padInfo;
  const best = new Float32Array(C);
  const at = new Int32Array(C);
  out.fill(0);
  for (let b = 0; b < B; b++) {
    for (let oy = 0; oy < OH; oy++) {
      const y0 = oy * SH - top;
      for (let ox = 0; ox < OW; ox++) {
        const x0 = ox * SW - left;
        for (let c = 0; c < C; c++) {
          best[c] = -Infinity;
          at[c] = -1;
        }
        // Taps in row-major order and a strict `>`: the first maximum wins, as on cpu.
        for (let fy = 0; fy < FH; fy++) {
          const iy = y0 + fy * DH;
          if (iy < 0 || iy >= H) continue;
          for (let fx = 0; fx < FW; fx++) {
            const ix = x0 + fx * DW;
            if (ix < 0 || ix >= W) continue;
            const base = ((b * H + iy) * W + ix) * C;
            for (let c = 0; c < C; c++) {
              const v = x[base + c]!;
              if (v > best[c]!) {
                best[c] = v;
                at[c] = base + c;
              }
            }
          }
        }
        const yo = ((b * OH + oy) * OW + ox) * C;
        for (let c = 0; c < C; c++) {
          const i = at[c]!;
          if (i >= 0) out[i]! += dy[yo + c]!;
        }
      }
    }
  }
  return out;
}

/**
 * {@link maxPoolBackpropImpl} for the usual pooling: 2×2 windows, stride 2,
 * no padding, no dilation. Windows do not overlap, so every input value is
 * written exactly once (its gradient or 0) and `out` needs no clearing unless
 * a last row or column is left out; each window's four values are compared
 * in locals. Same rule and result as the general loop, in fewer memory
 * passes (the README's profile gives the figures).
 */
function maxPool2x2Backprop(dy: Float32Array, x: Float32Array, g: ConvGeometry, out: Float32Array): Float32Array {
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = g;
  if (H !== 2 * OH || W !== 2 * OW) out.fill(0);
  const rowStride = W * C;
  let yo = 0;
  for (let b = 0; b < B; b++) {
    for (let oy = 0; oy < OH; oy++) {
      let r0 = (b * H + 2 * oy) * rowStride;
      for (let ox = 0; ox < OW; ox++, r0 += 2 * C, yo += C) {
        const r1 = r0 + rowStride;
        for (let c = 0; c < C; c++) {
          const i0 = r0 + c;
          const i1 = i0 + C;
          const i2 = r1 + c;
          const i3 = i2 + C;
          const v0 = x[i0]!;
          const v1 = x[i1]!;
          const v2 = x[i2]!;
          const v3 = x[i3]!;
          out[i0] = 0;
          out[i1] = 0;
          out[i2] = 0;
          out[i3] = 0;
          // Row-major order and a strict `>`: the first maximum wins, as on cpu; NaN never does.
          let best = v0 === v0 ? v0 : -Infinity;
          let at = v0 === v0 ? i0 : -1;
          if (v1 > best) {
            best = v1;
            at = i1;
          }
          if (v2 > best) {
            best = v2;
            at = i2;
          }
          if (v3 > best) at = i3;
          if (at >= 0) out[at] = dy[yo + c]!;
        }
      }
    }
  }
  return out;
}

/**
 * Input gradient of 2-D max pooling (NHWC): each output's `dy` goes to the
 * first maximum of its window in row-major order (the rule of TensorFlow.js's
 * cpu backend; padding never wins; a window of NaNs passes nothing). `out` is
 * overwritten. O(B · OH · OW · C · filterH · filterW) time.
 */
export function maxPoolBackpropImpl(dy: Float32Array, x: Float32Array, g: ConvGeometry, out: Float32Array): Float32Array {
  const usual =
    g.filterHeight === 2 && g.filterWidth === 2 && g.strideHeight === 2 && g.strideWidth === 2 &&
    g.dilationHeight === 1 && g.dilationWidth === 1 && g.padInfo.top === 0 && g.padInfo.left === 0 &&
    2 * g.outHeight <= g.inHeight && 2 * g.outWidth <= g.inWidth;
  return usual ? maxPool2x2Backprop(dy, x, g, out) : maxPoolBackpropOverlapping(dy, x, g, out);
}

/** The general loop, exported for tests that check the 2×2 path against it. */
export { maxPoolBackpropOverlapping };
