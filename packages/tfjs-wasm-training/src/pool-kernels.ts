/*
 * The input gradient of 2-D max pooling as typed-array loops (NHWC), for the
 * wasm backend's MaxPoolGrad (layout-kernels.ts), whose own kernel drops
 * gradient on many shapes.
 */
import type { ConvGeometry } from './conv-kernels.js';

/**
 * Input gradient of 2-D max pooling (NHWC): each output's `dy` goes to the
 * first maximum of its window in row-major order (the rule of TensorFlow.js's
 * cpu backend; padding never wins). `out` is overwritten. Any windows,
 * overlapping or not.
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
 * {@link maxPoolBackpropImpl} for windows that do not overlap (stride at least
 * the dilated window, as in the usual 2×2 pooling with stride 2): every input
 * value belongs to at most one window, so its gradient is written, not
 * accumulated, and each window's running maximum stays in locals, one
 * channel at a time (the window's few rows of `C` values stay in cache
 * across channels). Same rule and result as the general loop.
 */
function maxPoolBackpropDisjoint(dy: Float32Array, x: Float32Array, g: ConvGeometry, out: Float32Array): Float32Array {
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = g;
  const { filterHeight: FH, filterWidth: FW, strideHeight: SH, strideWidth: SW, dilationHeight: DH, dilationWidth: DW } = g;
  const { top, left } = g.padInfo;
  out.fill(0);
  for (let b = 0; b < B; b++) {
    for (let oy = 0; oy < OH; oy++) {
      const y0 = oy * SH - top;
      // The window's rows inside the image.
      const fy0 = y0 < 0 ? Math.ceil(-y0 / DH) : 0;
      const fy1 = Math.min(FH, Math.ceil((H - y0) / DH));
      for (let ox = 0; ox < OW; ox++) {
        const x0 = ox * SW - left;
        const fx0 = x0 < 0 ? Math.ceil(-x0 / DW) : 0;
        const fx1 = Math.min(FW, Math.ceil((W - x0) / DW));
        const yo = ((b * OH + oy) * OW + ox) * C;
        for (let c = 0; c < C; c++) {
          let best = -Infinity;
          let at = -1;
          // Taps in row-major order and a strict `>`: the first maximum wins, as on cpu.
          for (let fy = fy0; fy < fy1; fy++) {
            const row = ((b * H + y0 + fy * DH) * W + x0) * C + c;
            for (let fx = fx0; fx < fx1; fx++) {
              const i = row + fx * DW * C;
              const v = x[i]!;
              if (v > best) {
                best = v;
                at = i;
              }
            }
          }
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
  const disjoint =
    g.strideHeight >= (g.filterHeight - 1) * g.dilationHeight + 1 && g.strideWidth >= (g.filterWidth - 1) * g.dilationWidth + 1;
  return disjoint ? maxPoolBackpropDisjoint(dy, x, g, out) : maxPoolBackpropOverlapping(dy, x, g, out);
}

/** The general loop, exported for tests that check the disjoint-window path against it. */
export { maxPoolBackpropOverlapping };
