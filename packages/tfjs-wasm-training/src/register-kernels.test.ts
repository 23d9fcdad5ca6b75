import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import { Random } from '@seta/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  WASM_TRAINING_KERNELS,
  registerGradients,
  registerWasmTrainingKernels,
  unregisterWasmTrainingKernels,
  wasmTrainingKernelsRegistered,
} from './register-kernels.js';
import { randomValues, relativeError, valuesOn } from './test-utils.js';

// Every comparison below: normwise relative error max|wasm − cpu| / max|cpu| ≤ 1e-4.
const TOLERANCE = 1e-4;

type Pad = 'same' | 'valid' | number;

beforeAll(async () => {
  registerGradients();
  expect(await tf.setBackend('wasm')).toBe(true);
});

afterAll(() => {
  unregisterWasmTrainingKernels();
});

describe('registerGradients', () => {
  it('registers every gradient TensorFlow.js defines, and never twice', () => {
    // Registered in beforeAll: a second call adds nothing.
    expect(registerGradients()).toEqual([]);
    for (const k of ['BatchMatMul', 'Conv2D', 'MaxPool', 'AvgPool', 'FusedBatchNorm', 'Softmax', 'GatherV2']) {
      expect(tf.getGradient(k), k).toBeDefined();
    }
  });
});

describe('registerWasmTrainingKernels', () => {
  it('replaces the wasm kernels it lists and restores the originals on unregister', () => {
    const stockMatMul = tf.getKernel('BatchMatMul', 'wasm');
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
    expect(registerWasmTrainingKernels()).toEqual(WASM_TRAINING_KERNELS);
    expect(wasmTrainingKernelsRegistered()).toBe(true);
    for (const k of WASM_TRAINING_KERNELS) expect(tf.getKernel(k, 'wasm'), k).toBeDefined();
    expect(tf.getKernel('BatchMatMul', 'wasm')).not.toBe(stockMatMul);
    // Idempotent.
    expect(registerWasmTrainingKernels()).toEqual(WASM_TRAINING_KERNELS);
    unregisterWasmTrainingKernels();
    expect(wasmTrainingKernelsRegistered()).toBe(false);
    expect(tf.getKernel('BatchMatMul', 'wasm')).toBe(stockMatMul);
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
    unregisterWasmTrainingKernels(); // harmless when not registered
    registerWasmTrainingKernels();
  });
});

/** Run kernel `name` on cpu (reference) and wasm (with the training kernels) and compare. */
async function compareKernel(
  name: string,
  inputs: Record<string, { values: Float32Array | Int32Array; shape: number[]; dtype?: 'float32' | 'int32' }>,
  attrs: Record<string, unknown>,
): Promise<{ error: number; wasm: Float32Array; cpu: Float32Array }> {
  const run = (): tf.Tensor => {
    const ts: Record<string, tf.Tensor> = {};
    for (const [k, v] of Object.entries(inputs)) ts[k] = tf.tensor(v.values, v.shape, v.dtype ?? 'float32');
    return tf.engine().runKernel(name, ts, attrs as tf.NamedAttrMap) as tf.Tensor;
  };
  const cpu = await valuesOn('cpu', run);
  const wasm = await valuesOn('wasm', run);
  return { error: relativeError(wasm, cpu), wasm, cpu };
}

function convCase(rng: Random, { dilation = false, channelsFirst = false } = {}) {
  const batch = 1 + rng.nextInt(3);
  const inH = 3 + rng.nextInt(7);
  const inW = 3 + rng.nextInt(7);
  const inC = 1 + rng.nextInt(4);
  const outC = 1 + rng.nextInt(5);
  const fh = 1 + rng.nextInt(Math.min(4, inH));
  const fw = 1 + rng.nextInt(Math.min(4, inW));
  const stride = dilation ? 1 : 1 + rng.nextInt(3);
  const dil = dilation ? 2 + rng.nextInt(2) : 1;
  const pads: Pad[] = ['same', 'valid', rng.nextInt(3)];
  let pad = pads[rng.nextInt(3)]!;
  // 'valid' needs the dilated filter to fit.
  // The dilated filter must fit the (padded) image.
  const margin = pad === 'valid' ? 0 : typeof pad === 'number' ? 2 * pad : Infinity;
  if ((fh - 1) * dil + 1 > inH + margin || (fw - 1) * dil + 1 > inW + margin) pad = 'same';
  const xShape: [number, number, number, number] = channelsFirst ? [batch, inC, inH, inW] : [batch, inH, inW, inC];
  const filterShape: [number, number, number, number] = [fh, fw, inC, outC];
  const info = tf.backend_util.computeConv2DInfo(
    xShape,
    filterShape,
    stride,
    dil,
    pad,
    undefined,
    false,
    channelsFirst ? 'channelsFirst' : 'channelsLast',
  );
  return { xShape, filterShape, stride, dil, pad, outShape: info.outShape };
}

describe('BatchMatMul and _FusedMatMul on wasm', () => {
  it('match the cpu backend with transposeA / transposeB on random shapes, with batch broadcasting', async () => {
    const rng = new Random(1);
    for (let c = 0; c < 24; c++) {
      const m = 1 + rng.nextInt(40);
      const k = 1 + rng.nextInt(40);
      const n = 1 + rng.nextInt(40);
      const tA = rng.nextInt(2) === 1;
      const tB = rng.nextInt(2) === 1;
      const batchA = [[], [3], [1], [2, 3]][rng.nextInt(4)]!;
      const batchB = batchA.length === 0 ? [] : batchA.map((d) => (rng.nextInt(2) === 0 ? 1 : d));
      const aShape = [...batchA, ...(tA ? [k, m] : [m, k])];
      const bShape = [...batchB, ...(tB ? [n, k] : [k, n])];
      const a = randomValues(rng, aShape.reduce((x, y) => x * y, 1));
      const b = randomValues(rng, bShape.reduce((x, y) => x * y, 1));
      const { error } = await compareKernel(
        'BatchMatMul',
        { a: { values: a, shape: aShape }, b: { values: b, shape: bShape } },
        { transposeA: tA, transposeB: tB },
      );
      expect(error, `case ${c}: ${aShape} x ${bShape} tA=${tA} tB=${tB}`).toBeLessThanOrEqual(TOLERANCE);
    }
  });

  it('match the cpu backend on batched products, with and without transposes and bias', async () => {
    const rng = new Random(17);
    const cases: [number[], number[]][] = [
      [[4], [4]],
      [[2, 3], [1, 3]],
      [[1], [5]],
      [[2, 3], [1, 1]],
    ];
    for (const [batchA, batchB] of cases) {
      for (const [tA, tB] of [
        [false, false],
        [true, false],
        [false, true],
      ] as const) {
        const [m, k, n] = [1 + rng.nextInt(20), 1 + rng.nextInt(20), 1 + rng.nextInt(20)];
        const aShape = [...batchA, ...(tA ? [k, m] : [m, k])];
        const bShape = [...batchB, ...(tB ? [n, k] : [k, n])];
        const a = { values: randomValues(rng, aShape.reduce((x, y) => x * y, 1)), shape: aShape };
        const b = { values: randomValues(rng, bShape.reduce((x, y) => x * y, 1)), shape: bShape };
        const plain = await compareKernel('BatchMatMul', { a, b }, { transposeA: tA, transposeB: tB });
        expect(plain.error, `BatchMatMul ${aShape} x ${bShape}`).toBeLessThanOrEqual(TOLERANCE);
        const fused = await compareKernel(
          '_FusedMatMul',
          { a, b, bias: { values: randomValues(rng, n), shape: [n] } },
          { transposeA: tA, transposeB: tB, activation: 'relu' },
        );
        expect(fused.error, `_FusedMatMul ${aShape} x ${bShape}`).toBeLessThanOrEqual(TOLERANCE);
      }
    }
  });

  it('_FusedMatMul keeps bias and activation when it untransposes', async () => {
    const rng = new Random(2);
    for (const activation of ['linear', 'relu', 'elu', 'relu6', 'sigmoid']) {
      for (const [tA, tB] of [
        [true, false],
        [false, true],
        [true, true],
      ] as const) {
        const [m, k, n] = [1 + rng.nextInt(30), 1 + rng.nextInt(30), 1 + rng.nextInt(30)];
        const aShape = [1, ...(tA ? [k, m] : [m, k])];
        const bShape = [1, ...(tB ? [n, k] : [k, n])];
        const { error } = await compareKernel(
          '_FusedMatMul',
          {
            a: { values: randomValues(rng, m * k), shape: aShape },
            b: { values: randomValues(rng, k * n), shape: bShape },
            bias: { values: randomValues(rng, n), shape: [n] },
          },
          { transposeA: tA, transposeB: tB, activation },
        );
        expect(error, `${activation} tA=${tA} tB=${tB}`).toBeLessThanOrEqual(TOLERANCE);
      }
    }
  });
});

describe('Conv2DBackpropFilter on wasm', () => {
  it('matches the cpu backend on random shapes, strides, paddings, NHWC and NCHW', async () => {
    const rng = new Random(3);
    for (let c = 0; c < 40; c++) {
      const channelsFirst = c % 4 === 3;
      const { xShape, filterShape, stride, pad, outShape } = convCase(rng, { channelsFirst });
      const x = randomValues(rng, xShape.reduce((a, b) => a * b, 1));
      const dy = randomValues(rng, outShape.reduce((a, b) => a * b, 1));
      const { error } = await compareKernel(
        'Conv2DBackpropFilter',
        { x: { values: x, shape: xShape }, dy: { values: dy, shape: outShape } },
        { strides: stride, pad, dataFormat: channelsFirst ? 'NCHW' : 'NHWC', filterShape },
      );
      expect(error, `case ${c}: x ${xShape} filter ${filterShape} stride ${stride} pad ${pad}`).toBeLessThanOrEqual(
        TOLERANCE,
      );
    }
  });

  it('matches a brute-force oracle (one-hot filters through cpu conv2d) with dilations', async () => {
    const rng = new Random(4);
    for (let c = 0; c < 8; c++) {
      const { xShape, filterShape, dil, pad, outShape } = convCase(rng, { dilation: true });
      const x = randomValues(rng, xShape.reduce((a, b) => a * b, 1));
      const dy = randomValues(rng, outShape.reduce((a, b) => a * b, 1));
      const attrs = { strides: 1, pad, dataFormat: 'NHWC', filterShape, dilations: dil };
      const wasm = await valuesOn('wasm', () =>
        tf.engine().runKernel(
          'Conv2DBackpropFilter',
          { x: tf.tensor(x, xShape), dy: tf.tensor(dy, outShape) },
          attrs as unknown as tf.NamedAttrMap,
        ) as tf.Tensor,
      );
      // dW[k] = <dy, conv2d(x, e_k)> since the convolution is linear in the filter.
      await tf.setBackend('cpu');
      const size = filterShape.reduce((a, b) => a * b, 1);
      const oracle = new Float32Array(size);
      tf.tidy(() => {
        const xt = tf.tensor4d(x, xShape);
        const dyt = tf.tensor4d(dy, outShape);
        for (let k = 0; k < size; k++) {
          const e = tf.reshape(tf.oneHot(tf.tensor1d([k], 'int32'), size, 1, 0, 'float32'), filterShape) as tf.Tensor4D;
          oracle[k] = tf.sum(tf.mul(dyt, tf.conv2d(xt, e, 1, pad, 'NHWC', dil))).dataSync()[0]!;
        }
      });
      expect(relativeError(wasm, oracle), `case ${c}: x ${xShape} filter ${filterShape} dilation ${dil}`).toBeLessThanOrEqual(
        TOLERANCE,
      );
    }
  });

  it('gives the same result when the im2col matrix is split over the batch', async () => {
    // 5 images of 9×9×3 with a 3×3 filter: K·OH·OW = 27·81 per image; a batch
    // of 2^24 elements per chunk would not split, so compare chunked against
    // one-image calls summed instead.
    const rng = new Random(5);
    const xShape: [number, number, number, number] = [5, 9, 9, 3];
    const outShape = [5, 9, 9, 4];
    const x = randomValues(rng, 5 * 81 * 3);
    const dy = randomValues(rng, 5 * 81 * 4);
    const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 3, 4] };
    const whole = await valuesOn('wasm', () =>
      tf.engine().runKernel('Conv2DBackpropFilter', { x: tf.tensor(x, xShape), dy: tf.tensor(dy, outShape) }, attrs) as tf.Tensor,
    );
    const summed = new Float32Array(whole.length);
    for (let b = 0; b < 5; b++) {
      const part = await valuesOn('wasm', () =>
        tf.engine().runKernel(
          'Conv2DBackpropFilter',
          {
            x: tf.tensor(x.subarray(b * 243, (b + 1) * 243), [1, 9, 9, 3]),
            dy: tf.tensor(dy.subarray(b * 324, (b + 1) * 324), [1, 9, 9, 4]),
          },
          attrs,
        ) as tf.Tensor,
      );
      part.forEach((v, i) => (summed[i]! += v));
    }
    expect(relativeError(whole, summed)).toBeLessThanOrEqual(TOLERANCE);
  });
});

describe('Conv2DBackpropInput on wasm', () => {
  it('matches the cpu backend on random shapes, strides, paddings, NHWC and NCHW', async () => {
    const rng = new Random(14);
    for (let c = 0; c < 30; c++) {
      const channelsFirst = c % 4 === 3;
      const { xShape, filterShape, stride, pad, outShape } = convCase(rng, { channelsFirst });
      const w = randomValues(rng, filterShape.reduce((a, b) => a * b, 1));
      const dy = randomValues(rng, outShape.reduce((a, b) => a * b, 1));
      const { error } = await compareKernel(
        'Conv2DBackpropInput',
        { dy: { values: dy, shape: outShape }, filter: { values: w, shape: filterShape } },
        { strides: stride, pad, dataFormat: channelsFirst ? 'NCHW' : 'NHWC', inputShape: xShape },
      );
      expect(error, `case ${c}: x ${xShape} filter ${filterShape} stride ${stride} pad ${pad}`).toBeLessThanOrEqual(TOLERANCE);
    }
  });

  it('matches the cpu backend with stride 1 (the forward-convolution path) on any filter and padding', async () => {
    const rng = new Random(16);
    for (let c = 0; c < 40; c++) {
      let { xShape, filterShape, stride, pad, outShape } = convCase(rng);
      if (stride !== 1) {
        stride = 1;
        outShape = tf.backend_util.computeConv2DInfo(xShape, filterShape, 1, 1, pad).outShape;
      }
      const w = randomValues(rng, filterShape.reduce((a, b) => a * b, 1));
      const dy = randomValues(rng, outShape.reduce((a, b) => a * b, 1));
      const { error } = await compareKernel(
        'Conv2DBackpropInput',
        { dy: { values: dy, shape: outShape }, filter: { values: w, shape: filterShape } },
        { strides: 1, pad, dataFormat: 'NHWC', inputShape: xShape },
      );
      expect(error, `case ${c}: x ${xShape} filter ${filterShape} pad ${pad}`).toBeLessThanOrEqual(TOLERANCE);
    }
  });

  it('matches a brute-force oracle (one-hot inputs through cpu conv2d) with dilations', async () => {
    const rng = new Random(15);
    for (let c = 0; c < 4; c++) {
      const { xShape, filterShape, dil, pad, outShape } = convCase(rng, { dilation: true });
      const w = randomValues(rng, filterShape.reduce((a, b) => a * b, 1));
      const dy = randomValues(rng, outShape.reduce((a, b) => a * b, 1));
      const wasm = await valuesOn('wasm', () =>
        tf.engine().runKernel(
          'Conv2DBackpropInput',
          { dy: tf.tensor(dy, outShape), filter: tf.tensor(w, filterShape) },
          { strides: 1, pad, dataFormat: 'NHWC', inputShape: xShape, dilations: dil } as unknown as tf.NamedAttrMap,
        ) as tf.Tensor,
      );
      await tf.setBackend('cpu');
      const size = xShape.reduce((a, b) => a * b, 1);
      const oracle = new Float32Array(size);
      tf.tidy(() => {
        const wt = tf.tensor4d(w, filterShape);
        const dyt = tf.tensor4d(dy, outShape);
        for (let k = 0; k < size; k++) {
          const e = tf.reshape(tf.oneHot(tf.tensor1d([k], 'int32'), size, 1, 0, 'float32'), xShape) as tf.Tensor4D;
          oracle[k] = tf.sum(tf.mul(dyt, tf.conv2d(e, wt, 1, pad, 'NHWC', dil))).dataSync()[0]!;
        }
      });
      expect(relativeError(wasm, oracle), `case ${c}`).toBeLessThanOrEqual(TOLERANCE);
    }
  });
});

describe('Tile on wasm', () => {
  it('matches the cpu backend for float32, int32 and bool on random shapes and repetitions', async () => {
    const rng = new Random(16);
    for (let c = 0; c < 20; c++) {
      const rank = rng.nextInt(5);
      const shape = Array.from({ length: rank }, () => 1 + rng.nextInt(4));
      const reps = Array.from({ length: rank }, () => 1 + rng.nextInt(3));
      const size = shape.reduce((a, b) => a * b, 1);
      const dtype = (['float32', 'int32', 'bool'] as const)[c % 3]!;
      const x = Int32Array.from({ length: size }, () => rng.nextInt(dtype === 'bool' ? 2 : 100));
      const run = () => tf.tile(dtype === 'float32' ? tf.tensor(Float32Array.from(x), shape) : tf.tensor(x, shape, dtype), reps);
      const cpu = await valuesOn('cpu', run);
      const wasm = await valuesOn('wasm', run);
      expect(Array.from(wasm), `${dtype} ${shape} × ${reps}`).toEqual(Array.from(cpu));
    }
  });
});

function depthwiseCase(rng: Random, dilation: boolean) {
  const batch = 1 + rng.nextInt(2);
  const inH = 3 + rng.nextInt(5);
  const inW = 3 + rng.nextInt(5);
  const inC = 1 + rng.nextInt(3);
  const mult = 1 + rng.nextInt(2);
  const fh = 1 + rng.nextInt(3);
  const fw = 1 + rng.nextInt(3);
  const stride = dilation ? 1 : 1 + rng.nextInt(2);
  const dil = dilation ? 2 : 1;
  let pad: Pad = (['same', 'valid', rng.nextInt(2)] as Pad[])[rng.nextInt(3)]!;
  // The dilated filter must fit the (padded) image.
  const margin = pad === 'valid' ? 0 : typeof pad === 'number' ? 2 * pad : Infinity;
  if ((fh - 1) * dil + 1 > inH + margin || (fw - 1) * dil + 1 > inW + margin) pad = 'same';
  const xShape: [number, number, number, number] = [batch, inH, inW, inC];
  const filterShape: [number, number, number, number] = [fh, fw, inC, mult];
  const info = tf.backend_util.computeConv2DInfo(xShape, filterShape, stride, dil, pad, undefined, true);
  return { xShape, filterShape, stride, dil, pad, outShape: info.outShape };
}

describe('DepthwiseConv2dNativeBackpropFilter and …Input on wasm', () => {
  it('match the cpu backend on random shapes, strides and paddings', async () => {
    const rng = new Random(6);
    for (let c = 0; c < 20; c++) {
      const { xShape, filterShape, stride, pad, outShape } = depthwiseCase(rng, false);
      const x = randomValues(rng, xShape.reduce((a, b) => a * b, 1));
      const w = randomValues(rng, filterShape.reduce((a, b) => a * b, 1));
      const dy = randomValues(rng, outShape.reduce((a, b) => a * b, 1));
      const common = { strides: stride, pad, dilations: 1 };
      const f = await compareKernel(
        'DepthwiseConv2dNativeBackpropFilter',
        { x: { values: x, shape: xShape }, dy: { values: dy, shape: outShape } },
        { ...common, filterShape },
      );
      expect(f.error, `filter, case ${c}`).toBeLessThanOrEqual(TOLERANCE);
      const i = await compareKernel(
        'DepthwiseConv2dNativeBackpropInput',
        { dy: { values: dy, shape: outShape }, filter: { values: w, shape: filterShape } },
        { ...common, inputShape: xShape },
      );
      expect(i.error, `input, case ${c}`).toBeLessThanOrEqual(TOLERANCE);
    }
  });

  it('match brute-force oracles (one-hot filters / inputs through cpu depthwiseConv2d) with dilations', async () => {
    const rng = new Random(7);
    for (let c = 0; c < 4; c++) {
      const { xShape, filterShape, dil, pad, outShape } = depthwiseCase(rng, true);
      const x = randomValues(rng, xShape.reduce((a, b) => a * b, 1));
      const w = randomValues(rng, filterShape.reduce((a, b) => a * b, 1));
      const dy = randomValues(rng, outShape.reduce((a, b) => a * b, 1));
      const common = { strides: 1, pad, dilations: dil };
      const wasmFilter = await valuesOn('wasm', () =>
        tf.engine().runKernel(
          'DepthwiseConv2dNativeBackpropFilter',
          { x: tf.tensor(x, xShape), dy: tf.tensor(dy, outShape) },
          { ...common, filterShape } as unknown as tf.NamedAttrMap,
        ) as tf.Tensor,
      );
      const wasmInput = await valuesOn('wasm', () =>
        tf.engine().runKernel(
          'DepthwiseConv2dNativeBackpropInput',
          { dy: tf.tensor(dy, outShape), filter: tf.tensor(w, filterShape) },
          { ...common, inputShape: xShape } as unknown as tf.NamedAttrMap,
        ) as tf.Tensor,
      );
      await tf.setBackend('cpu');
      const fSize = w.length;
      const xSize = x.length;
      const oracleFilter = new Float32Array(fSize);
      const oracleInput = new Float32Array(xSize);
      tf.tidy(() => {
        const xt = tf.tensor4d(x, xShape);
        const wt = tf.tensor4d(w, filterShape);
        const dyt = tf.tensor4d(dy, outShape);
        const conv = (a: tf.Tensor4D, f: tf.Tensor4D) => tf.depthwiseConv2d(a, f, 1, pad, 'NHWC', dil);
        for (let k = 0; k < fSize; k++) {
          const e = tf.reshape(tf.oneHot(tf.tensor1d([k], 'int32'), fSize, 1, 0, 'float32'), filterShape) as tf.Tensor4D;
          oracleFilter[k] = tf.sum(tf.mul(dyt, conv(xt, e))).dataSync()[0]!;
        }
        for (let k = 0; k < xSize; k++) {
          const e = tf.reshape(tf.oneHot(tf.tensor1d([k], 'int32'), xSize, 1, 0, 'float32'), xShape) as tf.Tensor4D;
          oracleInput[k] = tf.sum(tf.mul(dyt, conv(e, wt))).dataSync()[0]!;
        }
      });
      expect(relativeError(wasmFilter, oracleFilter), `filter, case ${c}`).toBeLessThanOrEqual(TOLERANCE);
      expect(relativeError(wasmInput, oracleInput), `input, case ${c}`).toBeLessThanOrEqual(TOLERANCE);
    }
  });
});

describe('UnsortedSegmentSum on wasm', () => {
  it('matches the cpu backend for float32 and int32, dropping out-of-range ids', async () => {
    const rng = new Random(8);
    for (let c = 0; c < 10; c++) {
      const n = 1 + rng.nextInt(20);
      const inner = [[], [3], [2, 4]][rng.nextInt(3)]!;
      const numSegments = 1 + rng.nextInt(6);
      const ids = Int32Array.from({ length: n }, () => rng.nextInt(numSegments + 2) - 1);
      const size = n * inner.reduce((a, b) => a * b, 1);
      const int = c % 2 === 1;
      const x = int ? Int32Array.from({ length: size }, () => rng.nextInt(100) - 50) : randomValues(rng, size);
      const { error, wasm, cpu } = await compareKernel(
        'UnsortedSegmentSum',
        { x: { values: x, shape: [n, ...inner], dtype: int ? 'int32' : 'float32' }, segmentIds: { values: ids, shape: [n], dtype: 'int32' } },
        { numSegments },
      );
      expect(error, `case ${c}`).toBeLessThanOrEqual(TOLERANCE);
      if (int) expect(Array.from(wasm)).toEqual(Array.from(cpu));
    }
  });
});

describe('Conv2D, DepthwiseConv2dNative and their fused forms on wasm with numeric padding or non-square filters', () => {
  it("match the cpu backend with 'same' padding and filters of size 1 along one axis (wrong on stock wasm)", async () => {
    const rng = new Random(13);
    for (const [fh, fw] of [
      [3, 1],
      [1, 3],
      [2, 1],
      [1, 2],
      [3, 2],
    ]) {
      for (const stride of [1, 2, 3]) {
        const xShape = [2, 4 + rng.nextInt(3), 4 + rng.nextInt(4), 2];
        const x = { values: randomValues(rng, xShape.reduce((a, b) => a * b, 1)), shape: xShape };
        const filter = { values: randomValues(rng, fh! * fw! * 6), shape: [fh!, fw!, 2, 3] };
        const conv = await compareKernel('Conv2D', { x, filter }, { strides: stride, pad: 'same', dataFormat: 'NHWC', dilations: 1 });
        expect(conv.error, `Conv2D ${xShape} ${fh}x${fw} stride ${stride}`).toBeLessThanOrEqual(TOLERANCE);
        const dwFilter = { values: filter.values.subarray(0, fh! * fw! * 4), shape: [fh!, fw!, 2, 2] };
        const dw = await compareKernel('DepthwiseConv2dNative', { x, filter: dwFilter }, { strides: stride, pad: 'same', dilations: 1 });
        expect(dw.error, `DepthwiseConv2dNative ${xShape} ${fh}x${fw} stride ${stride}`).toBeLessThanOrEqual(TOLERANCE);
      }
    }
  });

  it('match the cpu backend, including shapes where the stock kernel writes out of bounds', async () => {
    const rng = new Random(12);
    const cases: [number[], number[], number, number][] = [
      [[3, 4, 8, 4], [4, 2, 4, 5], 3, 0], // corrupts the heap with the stock wasm Conv2D
      [[1, 4, 8, 1], [4, 2, 1, 5], 1, 0],
      [[2, 6, 6, 3], [3, 3, 3, 2], 1, 1],
      [[1, 7, 5, 2], [3, 2, 2, 3], 2, 2],
    ];
    for (const [xShape, filterShape, stride, pad] of cases) {
      const x = { values: randomValues(rng, xShape.reduce((a, b) => a * b, 1)), shape: xShape };
      const filter = { values: randomValues(rng, filterShape.reduce((a, b) => a * b, 1)), shape: filterShape };
      const conv = await compareKernel('Conv2D', { x, filter }, { strides: stride, pad, dataFormat: 'NHWC', dilations: 1 });
      expect(conv.error, `Conv2D ${xShape} ${filterShape} pad ${pad}`).toBeLessThanOrEqual(TOLERANCE);
      const outC = filterShape[3]!;
      const bias = { values: randomValues(rng, outC), shape: [outC] };
      const fused = await compareKernel(
        'FusedConv2D',
        { x, filter, bias },
        { strides: stride, pad, dataFormat: 'NHWC', dilations: 1, activation: 'relu' },
      );
      expect(fused.error, `FusedConv2D ${xShape} ${filterShape} pad ${pad}`).toBeLessThanOrEqual(TOLERANCE);
      const dwFilter = { values: filter.values.subarray(0, filterShape[0]! * filterShape[1]! * xShape[3]! * 2), shape: [filterShape[0]!, filterShape[1]!, xShape[3]!, 2] };
      const dw = await compareKernel(
        'DepthwiseConv2dNative',
        { x, filter: dwFilter },
        { strides: stride, pad, dataFormat: 'NHWC', dilations: 1 },
      );
      expect(dw.error, `DepthwiseConv2dNative ${xShape} pad ${pad}`).toBeLessThanOrEqual(TOLERANCE);
    }
  });
});

describe('MaxPoolGrad on wasm', () => {
  it('replaces the stock kernel, which loses gradient (2×2 window, stride 2, on a 4×4 image)', async () => {
    const x = Float32Array.from({ length: 16 }, (_, i) => Math.sin(i * 1.7) * 10);
    const grad = () =>
      tf.grad((a: tf.Tensor) => {
        const p = tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid');
        return tf.sum(tf.mul(p, tf.reshape(tf.range(1, 5), p.shape)));
      })(tf.tensor4d(x, [1, 4, 4, 1]));
    const cpu = await valuesOn('cpu', grad);
    expect(Array.from(cpu)).toEqual([0, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 4]);
    unregisterWasmTrainingKernels();
    const stock = await valuesOn('wasm', grad);
    registerWasmTrainingKernels();
    expect(Array.from(stock)).not.toEqual(Array.from(cpu)); // the defect this kernel fixes
    expect(Array.from(await valuesOn('wasm', grad))).toEqual(Array.from(cpu));
  });
  it('matches the cpu backend with many channels, overlapping windows and ties (the channel-innermost loop)', async () => {
    const rng = new Random(21);
    const cases: { xShape: [number, number, number, number]; filterSize: [number, number]; strides: [number, number]; pad: 'same' | 'valid' }[] = [
      { xShape: [3, 28, 28, 16], filterSize: [2, 2], strides: [2, 2], pad: 'valid' }, // the app's CNN, first block
      { xShape: [2, 14, 14, 32], filterSize: [2, 2], strides: [2, 2], pad: 'valid' }, // and second
      { xShape: [2, 9, 7, 13], filterSize: [3, 3], strides: [1, 2], pad: 'same' },
      { xShape: [1, 8, 11, 24], filterSize: [3, 2], strides: [2, 1], pad: 'valid' },
      { xShape: [2, 5, 5, 7], filterSize: [4, 4], strides: [3, 3], pad: 'same' },
    ];
    for (const [k, { xShape, filterSize, strides, pad }] of cases.entries()) {
      const n = xShape.reduce((a, b) => a * b, 1);
      // Odd cases: small integers, so windows often hold equal maxima and the first one must win.
      const x = k % 2 ? randomValues(rng, n).map((v) => Math.round(v * 2)) : randomValues(rng, n);
      const info = tf.backend_util.computePool2DInfo(xShape, filterSize, strides, 1, pad);
      const dy = randomValues(rng, info.outShape.reduce((a, b) => a * b, 1));
      const output = await valuesOn('cpu', () => tf.maxPool(tf.tensor4d(x, xShape), filterSize, strides, pad));
      const { error } = await compareKernel(
        'MaxPoolGrad',
        { dy: { values: dy, shape: info.outShape }, input: { values: x, shape: xShape }, output: { values: output, shape: info.outShape } },
        { filterSize, strides, pad },
      );
      expect(error, `MaxPoolGrad x ${xShape} filter ${filterSize} stride ${strides} ${pad}`).toBeLessThanOrEqual(TOLERANCE);
    }
  });
});

describe('the other kernels a small CNN trains with on wasm', () => {
  it('MaxPoolGrad, AvgPoolGrad, Conv2DBackpropInput and the forward Conv2D, MaxPool, AvgPool match the cpu backend', async () => {
    const rng = new Random(9);
    for (let c = 0; c < 16; c++) {
      const { xShape, filterShape, stride, pad, outShape } = convCase(rng);
      const x = randomValues(rng, xShape.reduce((a, b) => a * b, 1));
      const w = randomValues(rng, filterShape.reduce((a, b) => a * b, 1));
      const dy = randomValues(rng, outShape.reduce((a, b) => a * b, 1));
      const input = await compareKernel(
        'Conv2DBackpropInput',
        { dy: { values: dy, shape: outShape }, filter: { values: w, shape: filterShape } },
        { strides: stride, pad, dataFormat: 'NHWC', inputShape: xShape },
      );
      expect(input.error, `Conv2DBackpropInput case ${c}`).toBeLessThanOrEqual(TOLERANCE);
      const conv = await compareKernel(
        'Conv2D',
        { x: { values: x, shape: xShape }, filter: { values: w, shape: filterShape } },
        { strides: stride, pad, dataFormat: 'NHWC', dilations: 1 },
      );
      expect(conv.error, `Conv2D case ${c}: x ${xShape} filter ${filterShape} stride ${stride} pad ${pad}`).toBeLessThanOrEqual(TOLERANCE);
      if (typeof pad === 'number') continue; // pooling takes 'same' / 'valid'
      const pool = { filterSize: [filterShape[0], filterShape[1]], strides: stride, pad };
      const poolInfo = tf.backend_util.computePool2DInfo(xShape, pool.filterSize as [number, number], stride, 1, pad);
      const pdy = randomValues(rng, poolInfo.outShape.reduce((a, b) => a * b, 1));
      for (const forward of ['MaxPool', 'AvgPool']) {
        const f = await compareKernel(forward, { x: { values: x, shape: xShape } }, pool);
        expect(f.error, `${forward} case ${c}`).toBeLessThanOrEqual(TOLERANCE);
      }
      const output = await valuesOn('cpu', () => tf.maxPool(tf.tensor4d(x, xShape), pool.filterSize as [number, number], stride, pad));
      const maxGrad = await compareKernel(
        'MaxPoolGrad',
        {
          dy: { values: pdy, shape: poolInfo.outShape },
          input: { values: x, shape: xShape },
          output: { values: output, shape: poolInfo.outShape },
        },
        pool,
      );
      expect(maxGrad.error, `MaxPoolGrad case ${c}`).toBeLessThanOrEqual(TOLERANCE);
      const avgGrad = await compareKernel(
        'AvgPoolGrad',
        { dy: { values: pdy, shape: poolInfo.outShape }, input: { values: x, shape: xShape } },
        pool,
      );
      expect(avgGrad.error, `AvgPoolGrad case ${c}`).toBeLessThanOrEqual(TOLERANCE);
    }
  });
});

describe('a small CNN on wasm', () => {
  /** conv(stride 2) → batch norm → relu → max pool → conv → avg pool → dense; returns the loss. */
  function cnn(vars: Record<string, tf.Variable>, x: tf.Tensor4D, y: tf.Tensor2D): tf.Scalar {
    let h: tf.Tensor4D = tf.conv2d(x, vars['k1'] as tf.Tensor4D, 2, 'same');
    const { mean, variance } = tf.moments(h, [0, 1, 2]);
    h = tf.batchNorm(h, mean, variance, vars['beta'] as tf.Tensor1D, vars['gamma'] as tf.Tensor1D, 1e-3) as tf.Tensor4D;
    h = tf.relu(h);
    h = tf.maxPool(h, 2, 2, 'same');
    h = tf.relu(tf.conv2d(h, vars['k2'] as tf.Tensor4D, 1, 'valid'));
    h = tf.avgPool(h, 2, 1, 'valid');
    const flat = tf.reshape(h, [h.shape[0], -1]) as tf.Tensor2D;
    const logits = tf.add(tf.matMul(flat, vars['w'] as tf.Tensor2D), vars['b']!);
    return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
  }

  it('computes the same gradients as the cpu backend', async () => {
    const rng = new Random(10);
    const shapes: Record<string, number[]> = { k1: [3, 3, 2, 6], gamma: [6], beta: [6], k2: [3, 3, 6, 8], w: [8, 5], b: [5] };
    const init = Object.fromEntries(Object.entries(shapes).map(([k, s]) => [k, randomValues(rng, s.reduce((a, b) => a * b, 1))]));
    const x = randomValues(rng, 4 * 16 * 16 * 2);
    const labels = Int32Array.from({ length: 4 }, () => rng.nextInt(5));
    const grads = async (backend: string): Promise<Record<string, Float32Array>> => {
      await tf.setBackend(backend);
      const vars = Object.fromEntries(Object.entries(shapes).map(([k, s]) => [k, tf.variable(tf.tensor(init[k]!, s))]));
      const xt = tf.tensor4d(x, [4, 16, 16, 2]);
      const yt = tf.oneHot(tf.tensor1d(labels, 'int32'), 5) as tf.Tensor2D;
      const { value, grads: g } = tf.variableGrads(() => cnn(vars, xt, yt), Object.values(vars));
      const out: Record<string, Float32Array> = {};
      for (const [k, v] of Object.entries(vars)) out[k] = Float32Array.from(g[v.name]!.dataSync());
      tf.dispose([value, xt, yt, ...Object.values(g), ...Object.values(vars)]);
      return out;
    };
    const cpu = await grads('cpu');
    const wasm = await grads('wasm');
    for (const k of Object.keys(shapes)) {
      expect(relativeError(wasm[k]!, cpu[k]!), k).toBeLessThanOrEqual(TOLERANCE);
    }
  });

  it('cannot train on stock wasm (no Conv2DBackpropFilter) and trains with the training kernels', async () => {
    await tf.setBackend('wasm');
    const rng = new Random(11);
    const k1 = tf.variable(tf.tensor4d(randomValues(rng, 3 * 3 * 1 * 4), [3, 3, 1, 4]));
    const w = tf.variable(tf.mul(tf.tensor2d(randomValues(rng, 4 * 4 * 4 * 3), [64, 3]), 0.1) as tf.Tensor2D);
    const x = tf.tensor4d(randomValues(rng, 8 * 8 * 8), [8, 8, 8, 1]);
    const y = tf.oneHot(tf.tensor1d(Int32Array.from({ length: 8 }, (_, i) => i % 3), 'int32'), 3) as tf.Tensor2D;
    const loss = () => {
      const h = tf.maxPool(tf.relu(tf.conv2d(x, k1, 1, 'same')), 2, 2, 'same');
      const logits = tf.matMul(tf.reshape(h, [8, 64]) as tf.Tensor2D, w);
      return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
    };
    const opt = tf.train.adam(0.05);
    unregisterWasmTrainingKernels();
    expect(() => opt.minimize(loss)).toThrow(/Conv2DBackpropFilter/);
    registerWasmTrainingKernels();
    const first = loss().dataSync()[0]!;
    for (let i = 0; i < 30; i++) opt.minimize(loss);
    const last = loss().dataSync()[0]!;
    expect(last).toBeLessThan(first * 0.5);
    tf.dispose([k1, w, x, y]);
    opt.dispose();
  });
});

describe('a tfjs-layers CNN on wasm', () => {
  it('trains with model.fit (conv, batch norm, max pool, dropout, dense), without leaking tensors', async () => {
    await tf.setBackend('wasm');
    const rng = new Random(30);
    const n = 48;
    const labels = Int32Array.from({ length: n }, (_, i) => i % 3);
    // Class c lights up row band c of an 8×8 image, plus noise.
    const images = new Float32Array(n * 64);
    for (let i = 0; i < n; i++)
      for (let p = 0; p < 64; p++) images[i * 64 + p] = (Math.floor(p / 8 / 3) === labels[i]! ? 1 : 0) + (rng.nextFloat() - 0.5) * 0.3;
    const model = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }),
        tfl.layers.batchNormalization(),
        tfl.layers.maxPooling2d({ poolSize: 2 }),
        tfl.layers.flatten(),
        tfl.layers.dropout({ rate: 0.1 }),
        tfl.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(0.03), loss: 'categoricalCrossentropy' });
    const xs = tf.tensor4d(images, [n, 8, 8, 1]);
    const ys = tf.oneHot(tf.tensor1d(labels, 'int32'), 3);
    const counts: number[] = [];
    const history = await model.fit(xs, ys, {
      epochs: 8,
      batchSize: 12,
      shuffle: false,
      verbose: 0,
      callbacks: { onEpochEnd: async () => void counts.push(tf.memory().numTensors) },
    });
    const loss = history.history['loss'] as number[];
    expect(tf.getBackend()).toBe('wasm');
    expect(loss[7]!).toBeLessThan(loss[0]! * 0.7);
    expect(new Set(counts.slice(1)).size).toBe(1);
    tf.dispose([xs, ys]);
    model.dispose();
  });
});
