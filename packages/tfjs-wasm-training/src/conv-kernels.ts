/*
 * Typed-array kernels behind the wasm training fast path, kept apart from the
 * tensor plumbing (register-kernels.ts) as tfjs keeps `simpleAbsImpl` apart
 * from its kernel configs. Each reads and writes plain typed arrays (on the
 * wasm backend: views on its heap), so any backend could reuse them.
 *
 * Layout conventions follow TensorFlow: filters are [filterH, filterW, inC,
 * outC] (depthwise: [filterH, filterW, inC, multiplier]); images are NHWC
 * (`channelsLast`) or NCHW. All sums are plain float32-accumulated-in-float64
 * dot products (JavaScript numbers), written back as float32.
 */

/** The geometry of a 2-D convolution, as `backend_util.computeConv2DInfo` reports it. */
export interface ConvGeometry {
  readonly batchSize: number;
  readonly inHeight: number;
  readonly inWidth: number;
  readonly inChannels: number;
  readonly outHeight: number;
  readonly outWidth: number;
  readonly outChannels: number;
  readonly strideHeight: number;
  readonly strideWidth: number;
  readonly dilationHeight: number;
  readonly dilationWidth: number;
  readonly filterHeight: number;
  readonly filterWidth: number;
  readonly padInfo: { readonly top: number; readonly left: number };
  readonly dataFormat: 'channelsFirst' | 'channelsLast';
}

/**
 * Writes the transposed im2col matrix of `x` for batches `batchStart …
 * batchStart + batchCount - 1`: `out[k, p]` with `k = (fy · filterW + fx) ·
 * inC + c` and `p = (b · outH + oy) · outW + ox` holds the input pixel that
 * filter tap `(fy, fx, c)` sees at output position `(b, oy, ox)`, or 0 in the
 * padding. Then `out × dy` (as [P, outC]) is the filter gradient, a plain
 * matrix product with no transposed operand. O(K · P) time, no extra memory.
 */
export function im2colTransposed(
  x: Float32Array,
  g: ConvGeometry,
  batchStart: number,
  batchCount: number,
  out: Float32Array,
): Float32Array {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = g;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = g;
  const top = g.padInfo.top;
  const left = g.padInfo.left;
  const last = g.dataFormat === 'channelsLast';
  // Element strides of x for (b, y, x, c).
  const sB = H * W * C;
  const sY = last ? W * C : W;
  const sX = last ? C : 1;
  const sC = last ? 1 : H * W;
  const P = batchCount * OH * OW;
  let row = 0;
  for (let fy = 0; fy < g.filterHeight; fy++) {
    for (let fx = 0; fx < g.filterWidth; fx++) {
      // Output columns whose input column is inside the image: iw = ox·sw + fx·dw − left ∈ [0, W).
      const offX = fx * dw - left;
      const oxMin = Math.max(0, Math.ceil(-offX / sw));
      const oxMax = Math.min(OW, Math.ceil((W - offX) / sw)); // exclusive
      for (let c = 0; c < C; c++, row++) {
        let p = row * P;
        for (let b = batchStart; b < batchStart + batchCount; b++) {
          const base = b * sB + c * sC;
          for (let oy = 0; oy < OH; oy++) {
            const iy = oy * sh + fy * dh - top;
            if (iy < 0 || iy >= H || oxMin >= oxMax) {
              out.fill(0, p, p + OW);
              p += OW;
              continue;
            }
            const rowBase = base + iy * sY;
            let ox = 0;
            for (; ox < oxMin; ox++) out[p++] = 0;
            let src = rowBase + (oxMin * sw + offX) * sX;
            const step = sw * sX;
            for (; ox < oxMax; ox++, src += step) out[p++] = x[src]!;
            for (; ox < OW; ox++) out[p++] = 0;
          }
        }
      }
    }
  }
  return out;
}

/**
 * Writes `dy` for batches `batchStart …` as rows `[P, outC]` (the layout
 * NHWC already has; NCHW is transposed per image). O(P · outC).
 */
export function dyToRows(
  dy: Float32Array,
  g: ConvGeometry,
  batchStart: number,
  batchCount: number,
  out: Float32Array,
): Float32Array {
  const { outHeight: OH, outWidth: OW, outChannels: CO } = g;
  const plane = OH * OW;
  if (g.dataFormat === 'channelsLast') {
    out.set(dy.subarray(batchStart * plane * CO, (batchStart + batchCount) * plane * CO));
    return out;
  }
  for (let b = 0; b < batchCount; b++) {
    const src = (batchStart + b) * CO * plane;
    const dst = b * plane * CO;
    for (let co = 0; co < CO; co++) {
      for (let q = 0; q < plane; q++) out[dst + q * CO + co] = dy[src + co * plane + q]!;
    }
  }
  return out;
}

/**
 * Filter gradient of a depthwise convolution (NHWC), dilations supported:
 * `dW[fy, fx, c, m] = Σ_{b, oy, ox} x[b, oy·sh + fy·dh − top, ox·sw + fx·dw − left, c] · dy[b, oy, ox, c·M + m]`.
 * O(B · OH · OW · filterH · filterW · outC) time.
 */
export function depthwiseConv2dBackpropFilterImpl(
  x: Float32Array,
  dy: Float32Array,
  g: ConvGeometry,
  out: Float32Array,
): Float32Array {
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, outChannels: CO } = g;
  const M = CO / C;
  const acc = new Float64Array(CO);
  for (let fy = 0; fy < g.filterHeight; fy++) {
    for (let fx = 0; fx < g.filterWidth; fx++) {
      acc.fill(0);
      for (let b = 0; b < B; b++) {
        for (let oy = 0; oy < OH; oy++) {
          const iy = oy * g.strideHeight + fy * g.dilationHeight - g.padInfo.top;
          if (iy < 0 || iy >= H) continue;
          for (let ox = 0; ox < OW; ox++) {
            const ix = ox * g.strideWidth + fx * g.dilationWidth - g.padInfo.left;
            if (ix < 0 || ix >= W) continue;
            const xo = ((b * H + iy) * W + ix) * C;
            const yo = ((b * OH + oy) * OW + ox) * CO;
            for (let c = 0; c < C; c++) {
              const xv = x[xo + c]!;
              for (let m = 0; m < M; m++) acc[c * M + m]! += xv * dy[yo + c * M + m]!;
            }
          }
        }
      }
      const o = (fy * g.filterWidth + fx) * CO; // [fy, fx, c, m] flattened: (c·M + m) inside
      for (let k = 0; k < CO; k++) out[o + k] = acc[k]!;
    }
  }
  return out;
}

/**
 * Input gradient of a depthwise convolution (NHWC), dilations supported:
 * `dx[b, iy, ix, c] = Σ dy[b, oy, ox, c·M + m] · W[fy, fx, c, m]` over the taps
 * that read `(iy, ix)`. O(B · OH · OW · filterH · filterW · outC) time.
 */
export function depthwiseConv2dBackpropInputImpl(
  dy: Float32Array,
  filter: Float32Array,
  g: ConvGeometry,
  out: Float32Array,
): Float32Array {
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, outChannels: CO } = g;
  const M = CO / C;
  const acc = new Float64Array(B * H * W * C);
  for (let b = 0; b < B; b++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let fy = 0; fy < g.filterHeight; fy++) {
        const iy = oy * g.strideHeight + fy * g.dilationHeight - g.padInfo.top;
        if (iy < 0 || iy >= H) continue;
        for (let ox = 0; ox < OW; ox++) {
          const yo = ((b * OH + oy) * OW + ox) * CO;
          for (let fx = 0; fx < g.filterWidth; fx++) {
            const ix = ox * g.strideWidth + fx * g.dilationWidth - g.padInfo.left;
            if (ix < 0 || ix >= W) continue;
            const xo = ((b * H + iy) * W + ix) * C;
            const fo = (fy * g.filterWidth + fx) * CO;
            for (let c = 0; c < C; c++) {
              let s = 0;
              for (let m = 0; m < M; m++) s += dy[yo + c * M + m]! * filter[fo + c * M + m]!;
              acc[xo + c]! += s;
            }
          }
        }
      }
    }
  }
  for (let i = 0; i < acc.length; i++) out[i] = acc[i]!;
  return out;
}

/**
 * `out[s, j] = Σ_{i : ids[i] = s} x[i, j]` for rows `x[i]` of `inner` values;
 * rows whose id is outside `0 … numSegments-1` are dropped (as TensorFlow
 * does). `out` must hold `numSegments · inner` zeros or be overwritten here.
 * O(n · inner).
 */
export function unsortedSegmentSumImpl(
  x: Float32Array | Int32Array,
  segmentIds: Int32Array,
  numSegments: number,
  inner: number,
  out: Float32Array | Int32Array,
): Float32Array | Int32Array {
  out.fill(0);
  for (let i = 0; i < segmentIds.length; i++) {
    const s = segmentIds[i]!;
    if (s < 0 || s >= numSegments) continue;
    const src = i * inner;
    const dst = s * inner;
    for (let j = 0; j < inner; j++) out[dst + j]! += x[src + j]!;
  }
  return out;
}

/**
 * The adjoint of {@link im2colTransposed}, accumulating: for batches
 * `batchStart …`, adds `cols[p, k]` (rows `p = (b · outH + oy) · outW + ox`,
 * columns `k = (fy · filterW + fx) · inC + c`) to the input pixel that filter
 * tap `(fy, fx, c)` sees at output position `p`; taps in the padding are
 * dropped. With `cols = dy × Wᵀ` this is the input gradient of a convolution.
 * O(P · K) time.
 */
export function col2imAdd(
  cols: Float32Array,
  g: ConvGeometry,
  batchStart: number,
  batchCount: number,
  dx: Float32Array,
): Float32Array {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = g;
  const last = g.dataFormat === 'channelsLast';
  const sB = H * W * C;
  const sY = last ? W * C : W;
  const sX = last ? C : 1;
  const sC = last ? 1 : H * W;
  const K = g.filterHeight * g.filterWidth * C;
  let p = 0;
  for (let b = batchStart; b < batchStart + batchCount; b++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++, p++) {
        const row = p * K;
        let k = 0;
        for (let fy = 0; fy < g.filterHeight; fy++) {
          const iy = oy * g.strideHeight + fy * g.dilationHeight - g.padInfo.top;
          if (iy < 0 || iy >= H) {
            k += g.filterWidth * C;
            continue;
          }
          for (let fx = 0; fx < g.filterWidth; fx++) {
            const ix = ox * g.strideWidth + fx * g.dilationWidth - g.padInfo.left;
            if (ix < 0 || ix >= W) {
              k += C;
              continue;
            }
            const base = b * sB + iy * sY + ix * sX;
            for (let c = 0; c < C; c++, k++) dx[base + c * sC]! += cols[row + k]!;
          }
        }
      }
    }
  }
  return dx;
}

/**
 * `out = tile(x, reps)` for a row-major `x` of `shape`, a row of the last
 * axis at a time (long rows with `set`). O(size of out).
 */
export function tileImpl<T extends Float32Array | Int32Array | Uint8Array>(
  x: T,
  shape: readonly number[],
  reps: readonly number[],
  out: T,
): T {
  const r = shape.length;
  if (r === 0) {
    out[0] = x[0]!;
    return out;
  }
  // x as a whole, repeated: leading axes of size 1 tiled, the rest not (e.g.
  // `broadcastTo` of per-channel values to a batch). Copies of doubling length,
  // at memory speed, instead of one short row at a time.
  let k = 0;
  while (k < r && shape[k] === 1) k++;
  if (reps.every((n, i) => i < k || n === 1)) {
    const total = out.length;
    if (total === 0) return out;
    out.set(x, 0);
    for (let filled = x.length; filled < total; filled *= 2) out.copyWithin(filled, 0, Math.min(filled, total - filled));
    return out;
  }
  const L = shape[r - 1]!;
  const repL = reps[r - 1]!;
  const outShape = shape.map((d, i) => d * reps[i]!);
  // Source strides of the leading axes.
  const strides = new Array<number>(r).fill(1);
  for (let i = r - 2; i >= 0; i--) strides[i] = strides[i + 1]! * shape[i + 1]!;
  const rows = outShape.slice(0, -1).reduce((a, b) => a * b, 1);
  const idx = new Array<number>(Math.max(0, r - 1)).fill(0);
  let dst = 0;
  for (let row = 0; row < rows; row++) {
    let src = 0;
    for (let i = 0; i < r - 1; i++) src += (idx[i]! % shape[i]!) * strides[i]!;
    if (L >= 64) {
      const line = x.subarray(src, src + L);
      for (let k = 0; k < repL; k++, dst += L) out.set(line, dst);
    } else {
      // Short rows: a plain loop beats creating a subarray per row.
      for (let k = 0; k < repL; k++) for (let j = 0; j < L; j++) out[dst++] = x[src + j]!;
    }
    // Next output row index (odometer over the leading output axes).
    for (let i = r - 2; i >= 0; i--) {
      if (++idx[i]! < outShape[i]!) break;
      idx[i] = 0;
    }
  }
  return out;
}

/**
 * `out[b, j, i] = x[b, i, j]` for `batch` matrices of `rows × cols`: the
 * transpose of the last two axes, writing sequentially (measured twice as
 * fast as the wasm Transpose kernel on a 256 × 784 matrix). O(size).
 */
export function transposeLastTwoImpl(
  x: Float32Array,
  batch: number,
  rows: number,
  cols: number,
  out: Float32Array,
): Float32Array {
  const size = rows * cols;
  for (let b = 0; b < batch; b++) {
    const base = b * size;
    let o = base;
    for (let j = 0; j < cols; j++) {
      let i = base + j;
      for (let r = 0; r < rows; r++, i += cols) out[o++] = x[i]!;
    }
  }
  return out;
}
