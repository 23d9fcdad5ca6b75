import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  col2imAdd,
  depthwiseConv2dBackpropFilterImpl,
  depthwiseConv2dBackpropInputImpl,
  dyToRows,
  im2colTransposed,
  tileImpl,
  transposeLastTwoImpl,
  unsortedSegmentSumImpl,
} from './conv-kernels.js';
import type { ConvGeometry } from './conv-kernels.js';
import { maxPoolBackpropImpl, maxPoolBackpropOverlapping } from './pool-kernels.js';

/** A random convolution geometry with TensorFlow's output size for explicit padding. */
const geometry = (depthwise: boolean) =>
  fc
    .record({
      batchSize: fc.integer({ min: 1, max: 2 }),
      inHeight: fc.integer({ min: 1, max: 6 }),
      inWidth: fc.integer({ min: 1, max: 6 }),
      inChannels: fc.integer({ min: 1, max: 3 }),
      multiplier: fc.integer({ min: 1, max: 3 }),
      filterHeight: fc.integer({ min: 1, max: 3 }),
      filterWidth: fc.integer({ min: 1, max: 3 }),
      strideHeight: fc.integer({ min: 1, max: 3 }),
      strideWidth: fc.integer({ min: 1, max: 3 }),
      dilationHeight: fc.integer({ min: 1, max: 2 }),
      dilationWidth: fc.integer({ min: 1, max: 2 }),
      top: fc.integer({ min: 0, max: 2 }),
      left: fc.integer({ min: 0, max: 2 }),
      bottom: fc.integer({ min: 0, max: 2 }),
      right: fc.integer({ min: 0, max: 2 }),
      channelsFirst: fc.boolean(),
      seed: fc.integer({ min: 1, max: 1 << 30 }),
    })
    .map((r) => {
      const effH = (r.filterHeight - 1) * r.dilationHeight + 1;
      const effW = (r.filterWidth - 1) * r.dilationWidth + 1;
      const outHeight = Math.floor((r.inHeight + r.top + r.bottom - effH) / r.strideHeight) + 1;
      const outWidth = Math.floor((r.inWidth + r.left + r.right - effW) / r.strideWidth) + 1;
      const g: ConvGeometry = {
        batchSize: r.batchSize,
        inHeight: r.inHeight,
        inWidth: r.inWidth,
        inChannels: r.inChannels,
        outHeight,
        outWidth,
        outChannels: depthwise ? r.inChannels * r.multiplier : r.multiplier + 1,
        strideHeight: r.strideHeight,
        strideWidth: r.strideWidth,
        dilationHeight: r.dilationHeight,
        dilationWidth: r.dilationWidth,
        filterHeight: r.filterHeight,
        filterWidth: r.filterWidth,
        padInfo: { top: r.top, left: r.left },
        dataFormat: depthwise || !r.channelsFirst ? 'channelsLast' : 'channelsFirst',
      };
      return { g, seed: r.seed };
    })
    .filter(({ g }) => g.outHeight >= 1 && g.outWidth >= 1);

function values(seed: number, n: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

/** The forward convolution, by definition (the oracle): y[b, oy, ox, co] = Σ x · W. */
function convForward(x: Float32Array, w: Float32Array, g: ConvGeometry, depthwise: boolean): Float32Array {
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, outChannels: CO } = g;
  const M = CO / C;
  const last = g.dataFormat === 'channelsLast';
  const xAt = (b: number, y: number, xx: number, c: number) =>
    last ? x[((b * H + y) * W + xx) * C + c]! : x[((b * C + c) * H + y) * W + xx]!;
  const out = new Float32Array(B * OH * OW * CO);
  for (let b = 0; b < B; b++)
    for (let oy = 0; oy < OH; oy++)
      for (let ox = 0; ox < OW; ox++)
        for (let co = 0; co < CO; co++) {
          let s = 0;
          for (let fy = 0; fy < g.filterHeight; fy++) {
            const iy = oy * g.strideHeight + fy * g.dilationHeight - g.padInfo.top;
            if (iy < 0 || iy >= H) continue;
            for (let fx = 0; fx < g.filterWidth; fx++) {
              const ix = ox * g.strideWidth + fx * g.dilationWidth - g.padInfo.left;
              if (ix < 0 || ix >= W) continue;
              if (depthwise) {
                const c = Math.floor(co / M);
                s += xAt(b, iy, ix, c) * w[(fy * g.filterWidth + fx) * CO + co]!;
              } else {
                for (let c = 0; c < C; c++) s += xAt(b, iy, ix, c) * w[((fy * g.filterWidth + fx) * C + c) * CO + co]!;
              }
            }
          }
          const o = last ? ((b * OH + oy) * OW + ox) * CO + co : ((b * CO + co) * OH + oy) * OW + ox;
          out[o] = s;
        }
  return out;
}

const close = (a: number, b: number, scale: number) => Math.abs(a - b) <= 1e-4 * Math.max(1, scale);

describe('im2colTransposed and dyToRows', () => {
  it('give the filter gradient as a plain product: <conv(x, W), dy> = <W, colsᵀ × rows>', () => {
    fc.assert(
      fc.property(geometry(false), ({ g, seed }) => {
        const K = g.filterHeight * g.filterWidth * g.inChannels;
        const P = g.batchSize * g.outHeight * g.outWidth;
        const x = values(seed, g.batchSize * g.inHeight * g.inWidth * g.inChannels);
        const dy = values(seed + 1, P * g.outChannels);
        const w = values(seed + 2, K * g.outChannels);
        const cols = im2colTransposed(x, g, 0, g.batchSize, new Float32Array(K * P).fill(NaN));
        const rows = dyToRows(dy, g, 0, g.batchSize, new Float32Array(P * g.outChannels));
        const dW = new Float64Array(K * g.outChannels);
        for (let k = 0; k < K; k++)
          for (let p = 0; p < P; p++)
            for (let co = 0; co < g.outChannels; co++) dW[k * g.outChannels + co]! += cols[k * P + p]! * rows[p * g.outChannels + co]!;
        const lhs = dot(convForward(x, w, g, false), dy);
        const rhs = dot(w, dW);
        return close(lhs, rhs, Math.abs(lhs));
      }),
      { numRuns: 150 },
    );
  });

  it('writes only the requested batches, so chunks add up to the whole', () => {
    fc.assert(
      fc.property(geometry(false), ({ g, seed }) => {
        const K = g.filterHeight * g.filterWidth * g.inChannels;
        const plane = g.outHeight * g.outWidth;
        const x = values(seed, g.batchSize * g.inHeight * g.inWidth * g.inChannels);
        const whole = im2colTransposed(x, g, 0, g.batchSize, new Float32Array(K * plane * g.batchSize));
        for (let b = 0; b < g.batchSize; b++) {
          const part = im2colTransposed(x, g, b, 1, new Float32Array(K * plane));
          for (let k = 0; k < K; k++)
            for (let q = 0; q < plane; q++) {
              if (part[k * plane + q] !== whole[k * plane * g.batchSize + b * plane + q]) return false;
            }
        }
        return true;
      }),
      { numRuns: 60 },
    );
  });
});

describe('col2imAdd', () => {
  it('is the adjoint of im2colTransposed, so dy × Wᵀ through it is the input gradient', () => {
    fc.assert(
      fc.property(geometry(false), ({ g, seed }) => {
        const K = g.filterHeight * g.filterWidth * g.inChannels;
        const P = g.batchSize * g.outHeight * g.outWidth;
        const x = values(seed, g.batchSize * g.inHeight * g.inWidth * g.inChannels);
        const dy = values(seed + 1, P * g.outChannels);
        const w = values(seed + 2, K * g.outChannels);
        // cols[p, k] = Σ_co dy[p, co] · W[k, co]
        const rows = dyToRows(dy, g, 0, g.batchSize, new Float32Array(P * g.outChannels));
        const cols = new Float32Array(P * K);
        for (let p = 0; p < P; p++)
          for (let k = 0; k < K; k++) {
            let s = 0;
            for (let co = 0; co < g.outChannels; co++) s += rows[p * g.outChannels + co]! * w[k * g.outChannels + co]!;
            cols[p * K + k] = s;
          }
        const dx = col2imAdd(cols, g, 0, g.batchSize, new Float32Array(x.length));
        const lhs = dot(convForward(x, w, g, false), dy);
        return close(lhs, dot(x, dx), Math.abs(lhs));
      }),
      { numRuns: 150 },
    );
  });
});

describe('transposeLastTwoImpl', () => {
  it('swaps the last two axes of every matrix in the batch', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 7 }), (batch, rows, cols) => {
        const x = Float32Array.from({ length: batch * rows * cols }, (_, i) => i);
        const out = transposeLastTwoImpl(x, batch, rows, cols, new Float32Array(x.length).fill(-1));
        for (let b = 0; b < batch; b++)
          for (let i = 0; i < rows; i++)
            for (let j = 0; j < cols; j++) if (out[b * rows * cols + j * rows + i] !== x[b * rows * cols + i * cols + j]) return false;
        return true;
      }),
    );
  });
});

describe('tileImpl', () => {
  it('repeats x whole when only leading axes of size 1 are tiled (the broadcastTo case)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 }),
        fc.array(fc.integer({ min: 1, max: 5 }), { maxLength: 3 }),
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 3, maxLength: 3 }),
        (ones, rest, leadingReps) => {
          const shape = [...new Array<number>(ones).fill(1), ...rest];
          const reps = shape.map((_, i) => (i < ones ? leadingReps[i]! : 1));
          const size = shape.reduce((a, b) => a * b, 1);
          const x = Float32Array.from({ length: size }, (_, i) => i + 0.5);
          const total = size * reps.reduce((a, b) => a * b, 1);
          const out = tileImpl(x, shape, reps, new Float32Array(total).fill(NaN));
          return out.every((v, i) => v === x[i % size]);
        },
      ),
      { numRuns: 300 },
    );
  });
  it('equals tiling by definition: out[i] = x[i mod shape] on every axis', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 })), { maxLength: 4 }),
        (axes) => {
          const shape = axes.map(([d]) => d);
          const reps = axes.map(([, r]) => r);
          const size = shape.reduce((a, b) => a * b, 1);
          const x = Int32Array.from({ length: size }, (_, i) => i * 3 + 1);
          const outShape = shape.map((d, i) => d * reps[i]!);
          const out = tileImpl(x, shape, reps, new Int32Array(outShape.reduce((a, b) => a * b, 1)).fill(-1));
          for (let o = 0; o < out.length; o++) {
            let rest = o;
            let src = 0;
            let stride = 1;
            for (let i = shape.length - 1; i >= 0; i--) {
              const coord = rest % outShape[i]!;
              rest = Math.floor(rest / outShape[i]!);
              src += (coord % shape[i]!) * stride;
              stride *= shape[i]!;
            }
            if (out[o] !== x[src]) return false;
          }
          return true;
        },
      ),
    );
  });
});

describe('depthwiseConv2dBackpropFilterImpl and depthwiseConv2dBackpropInputImpl', () => {
  it('are the adjoints of the depthwise convolution in the filter and in the input', () => {
    fc.assert(
      fc.property(geometry(true), ({ g, seed }) => {
        const x = values(seed, g.batchSize * g.inHeight * g.inWidth * g.inChannels);
        const w = values(seed + 1, g.filterHeight * g.filterWidth * g.outChannels);
        const dy = values(seed + 2, g.batchSize * g.outHeight * g.outWidth * g.outChannels);
        const lhs = dot(convForward(x, w, g, true), dy);
        const dW = depthwiseConv2dBackpropFilterImpl(x, dy, g, new Float32Array(w.length));
        const dx = depthwiseConv2dBackpropInputImpl(dy, w, g, new Float32Array(x.length).fill(NaN));
        return close(lhs, dot(w, dW), Math.abs(lhs)) && close(lhs, dot(x, dx), Math.abs(lhs));
      }),
      { numRuns: 150 },
    );
  });
});

describe('maxPoolBackpropImpl', () => {
  it('sends each output gradient to the first maximum of its window, whole', () => {
    fc.assert(
      fc.property(geometry(true), fc.boolean(), ({ g, seed }, ties) => {
        const n = g.batchSize * g.inHeight * g.inWidth * g.inChannels;
        // With ties: small integers, so windows often hold equal maxima.
        const x = ties ? values(seed, n).map((v) => Math.round(v * 2)) : values(seed, n);
        const pool = { ...g, outChannels: g.inChannels };
        const dy = values(seed + 1, g.batchSize * g.outHeight * g.outWidth * g.inChannels).map((v) => v + 2); // > 0
        const dx = maxPoolBackpropImpl(dy, x, pool, new Float32Array(n).fill(NaN));
        // Expected by definition.
        const expected = new Float64Array(n);
        const C = g.inChannels;
        for (let b = 0; b < g.batchSize; b++)
          for (let oy = 0; oy < g.outHeight; oy++)
            for (let ox = 0; ox < g.outWidth; ox++)
              for (let c = 0; c < C; c++) {
                let best = -Infinity;
                let at = -1;
                for (let fy = 0; fy < g.filterHeight; fy++)
                  for (let fx = 0; fx < g.filterWidth; fx++) {
                    const iy = oy * g.strideHeight + fy * g.dilationHeight - g.padInfo.top;
                    const ix = ox * g.strideWidth + fx * g.dilationWidth - g.padInfo.left;
                    if (iy < 0 || iy >= g.inHeight || ix < 0 || ix >= g.inWidth) continue;
                    const i = ((b * g.inHeight + iy) * g.inWidth + ix) * C + c;
                    if (x[i]! > best) {
                      best = x[i]!;
                      at = i;
                    }
                  }
                if (at >= 0) expected[at]! += dy[((b * g.outHeight + oy) * g.outWidth + ox) * C + c]!;
              }
        return Array.from(dx).every((v, i) => close(v, expected[i]!, 1));
      }),
      { numRuns: 150 },
    );
  });
});

describe('maxPoolBackpropImpl with 2×2 windows and stride 2', () => {
  it('agrees bit for bit with the general loop (ties, NaN, odd sizes)', () => {
    fc.assert(
      fc.property(
        fc.record({
          batchSize: fc.integer({ min: 1, max: 3 }),
          inHeight: fc.integer({ min: 2, max: 9 }),
          inWidth: fc.integer({ min: 2, max: 9 }),
          inChannels: fc.integer({ min: 1, max: 6 }),
          seed: fc.integer({ min: 1, max: 1 << 30 }),
        }),
        ({ batchSize, inHeight, inWidth, inChannels, seed }) => {
          const pool: ConvGeometry = {
            batchSize, inHeight, inWidth, inChannels,
            outChannels: inChannels,
            outHeight: Math.floor(inHeight / 2),
            outWidth: Math.floor(inWidth / 2),
            strideHeight: 2, strideWidth: 2, filterHeight: 2, filterWidth: 2, dilationHeight: 1, dilationWidth: 1,
            padInfo: { top: 0, left: 0 },
            dataFormat: 'channelsLast',
          };
          const n = batchSize * inHeight * inWidth * inChannels;
          const x = values(seed, n).map((v, i) => (i % 7 === 3 ? NaN : Math.round(v * 2)));
          const dy = values(seed + 1, batchSize * pool.outHeight * pool.outWidth * inChannels);
          const fast = maxPoolBackpropImpl(dy, x, pool, new Float32Array(n).fill(NaN));
          const general = maxPoolBackpropOverlapping(dy, x, pool, new Float32Array(n).fill(NaN));
          return fast.every((v, i) => Object.is(v, general[i]));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('unsortedSegmentSumImpl', () => {
  it('sums rows by segment, drops out-of-range ids, and overwrites its output', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.integer({ min: -2, max: 7 }), { maxLength: 20 }),
        (numSegments, inner, ids) => {
          const x = Int32Array.from({ length: ids.length * inner }, (_, i) => (i * 7) % 11 - 5);
          const out = unsortedSegmentSumImpl(x, Int32Array.from(ids), numSegments, inner, new Int32Array(numSegments * inner).fill(99));
          const expected = new Int32Array(numSegments * inner);
          ids.forEach((s, i) => {
            if (s >= 0 && s < numSegments) for (let j = 0; j < inner; j++) expected[s * inner + j]! += x[i * inner + j]!;
          });
          expect(Array.from(out)).toEqual(Array.from(expected));
        },
      ),
    );
  });

  it('returns zeros for no rows', () => {
    expect(Array.from(unsortedSegmentSumImpl(new Float32Array(0), new Int32Array(0), 2, 3, new Float32Array(6).fill(1)))).toEqual([
      0, 0, 0, 0, 0, 0,
    ]);
  });
});
