import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Random } from '@seta/core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CLIP_INITIAL_LOGIT_SCALE,
  CLIP_MAX_LOGIT_SCALE,
  clampLogitScaleInPlace,
  clipLoss,
  cosineMomentum,
  createLogitScale,
  mocoV3Loss,
  momentumUpdate,
  softmaxCrossEntropy,
} from './losses.js';
import { registerGradients } from '@seta/tfjs-wasm-training';
import { randomValues } from './test-utils.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  registerGradients();
});

const values = (t: tf.Tensor): number[] => Array.from(t.dataSync());

/** Reference log-softmax cross-entropy of one row in float64. */
function ce(row: number[], target: number[]): number {
  const m = Math.max(...row);
  const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
  return -row.reduce((s, v, j) => s + target[j]! * (v - lse), 0);
}

describe('softmaxCrossEntropy', () => {
  it('returns one unreduced loss per sample, matching a hand computation', () => {
    const logits = [
      [2, 1, 0.1],
      [0.5, 2.5, -1],
    ];
    const loss = softmaxCrossEntropy(tf.tensor1d([0, 1], 'int32'), tf.tensor2d(logits));
    expect(loss.shape).toEqual([2]);
    const expected = [ce(logits[0]!, [1, 0, 0]), ce(logits[1]!, [0, 1, 0])];
    values(loss).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
    // ln 2 for two equal logits
    expect(values(softmaxCrossEntropy(tf.tensor1d([0], 'int32'), tf.tensor2d([[0, 0]])))[0]).toBeCloseTo(Math.LN2, 6);
  });

  it('applies label smoothing as (1 − ε) y + ε / C, with one-hot or id labels alike', () => {
    const logits = [[3, -1, 0.5, 2]];
    const eps = 0.1;
    const target = [0, 0, 1, 0].map((y) => (1 - eps) * y + eps / 4);
    const byId = values(softmaxCrossEntropy(tf.tensor1d([2], 'int32'), tf.tensor2d(logits), { labelSmoothing: eps }))[0]!;
    const byOneHot = values(softmaxCrossEntropy(tf.tensor2d([[0, 0, 1, 0]]), tf.tensor2d(logits), { labelSmoothing: eps }))[0]!;
    expect(byId).toBeCloseTo(ce(logits[0]!, target), 5);
    expect(byOneHot).toBeCloseTo(byId, 6);
  });

  it('handles an empty batch, one class, and all-equal logits (ln C)', () => {
    expect(softmaxCrossEntropy(tf.tensor1d([], 'int32'), tf.zeros([0, 4])).shape).toEqual([0]);
    expect(Math.abs(values(softmaxCrossEntropy(tf.tensor1d([0], 'int32'), tf.tensor2d([[5]])))[0]!)).toBe(0);
    const equal = values(softmaxCrossEntropy(tf.tensor1d([3, 0], 'int32'), tf.fill([2, 7], 2.5)));
    equal.forEach((v) => expect(v).toBeCloseTo(Math.log(7), 6));
  });

  it('does not change its inputs', () => {
    const labels = tf.tensor1d([1], 'int32');
    const logits = tf.tensor2d([[0.3, -0.2]]);
    softmaxCrossEntropy(labels, logits, { labelSmoothing: 0.2 });
    expect(values(labels)).toEqual([1]);
    expect(values(logits)).toEqual([Math.fround(0.3), Math.fround(-0.2)]);
  });

  it('is stable for huge logits', () => {
    const loss = values(softmaxCrossEntropy(tf.tensor1d([1], 'int32'), tf.tensor2d([[1e4, 0]])));
    expect(loss[0]).toBeCloseTo(1e4, 0);
    expect(Number.isFinite(loss[0])).toBe(true);
  });

  it('rejects mismatched shapes and bad smoothing, naming the argument', () => {
    const logits = tf.zeros([2, 3]);
    expect(() => softmaxCrossEntropy(tf.tensor1d([0, 1, 2], 'int32'), logits)).toThrow(/labels must have 2 class ids/);
    expect(() => softmaxCrossEntropy(tf.zeros([2, 4]), logits)).toThrow(/labels must have shape \[2, 3\]/);
    expect(() => softmaxCrossEntropy(tf.tensor1d([0, 1], 'int32'), logits, { labelSmoothing: 1 })).toThrow(
      'softmaxCrossEntropy(): labelSmoothing must be in [0, 1), got 1',
    );
    expect(() => softmaxCrossEntropy(tf.tensor1d([0, 1], 'int32'), tf.zeros([2]))).toThrow(/logits must have rank 2/);
  });

  it('rejects unknown and null options, suggesting the option meant', () => {
    const labels = tf.tensor1d([0, 1], 'int32');
    const logits = tf.zeros([2, 3]);
    expect(() => softmaxCrossEntropy(labels, logits, { label_smoothing: 0.1 } as never)).toThrow(
      'softmaxCrossEntropy(): unknown option "label_smoothing" (did you mean "labelSmoothing"?)',
    );
    expect(() => softmaxCrossEntropy(labels, logits, { labelSmoothing: null } as never)).toThrow(
      'softmaxCrossEntropy(): labelSmoothing must not be null',
    );
    const e = tf.zeros([2, 4]);
    const s = tf.scalar(1);
    expect(() => clipLoss(e, e, s, { normalise: false } as never)).toThrow(
      'clipLoss(): unknown option "normalise" (did you mean "normalize"?)',
    );
    expect(() => mocoV3Loss(e, e, e, e, { temprature: 0.1 } as never)).toThrow(
      'mocoV3Loss(): unknown option "temprature" (did you mean "temperature"?)',
    );
    tf.dispose([labels, logits, e, s]);
  });
});

/** Float64 reference of CLIP's two directions. */
function clipReference(img: number[][], txt: number[][], s: number): [number[], number[]] {
  const norm = (v: number[]) => {
    const n = Math.sqrt(v.reduce((a, b) => a + b * b, 0));
    return v.map((x) => x / n);
  };
  const I = img.map(norm);
  const T = txt.map(norm);
  const scale = Math.exp(Math.min(Math.max(s, 0), Math.log(100)));
  const L = I.map((a) => T.map((b) => scale * a.reduce((acc, x, k) => acc + x * b[k]!, 0)));
  const n = img.length;
  const oneHot = (i: number) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0));
  const i2t = L.map((row, i) => ce(row, oneHot(i)));
  const t2i = L.map((_, j) => ce(L.map((row) => row[j]!), oneHot(j)));
  return [i2t, t2i];
}

describe('clipLoss', () => {
  const img = [
    [1, 0.2, -0.3],
    [0.1, 1, 0.4],
    [-0.5, 0.3, 1],
  ];
  const txt = [
    [0.9, 0.1, 0],
    [0.3, 0.8, 0.2],
    [0.2, -0.1, 1.1],
  ];

  it('returns both directions, one loss per pair, matching a float64 reference', () => {
    const s = createLogitScale(0.5);
    const { imageToText, textToImage } = clipLoss(tf.tensor2d(img), tf.tensor2d(txt), s);
    expect(imageToText.shape).toEqual([3]);
    expect(textToImage.shape).toEqual([3]);
    const [i2t, t2i] = clipReference(img, txt, 0.5);
    values(imageToText).forEach((v, i) => expect(v).toBeCloseTo(i2t[i]!, 4));
    values(textToImage).forEach((v, i) => expect(v).toBeCloseTo(t2i[i]!, 4));
    // The two directions differ on this input (the test would not see a swap otherwise).
    expect(Math.max(...i2t.map((v, i) => Math.abs(v - t2i[i]!)))).toBeGreaterThan(1e-2);
    s.dispose();
  });

  it('starts the learnable scale at ln(1 / 0.07), a temperature of 0.07', () => {
    const s = createLogitScale();
    expect(Math.exp(s.dataSync()[0]!)).toBeCloseTo(1 / 0.07, 4);
    expect(s.trainable).toBe(true);
    const [i2t] = clipReference(img, txt, CLIP_INITIAL_LOGIT_SCALE);
    values(clipLoss(tf.tensor2d(img), tf.tensor2d(txt), s).imageToText).forEach((v, i) => expect(v).toBeCloseTo(i2t[i]!, 4));
    s.dispose();
  });

  it('swapping the modalities swaps the directions', () => {
    const a = clipLoss(tf.tensor2d(img), tf.tensor2d(txt), 2);
    const b = clipLoss(tf.tensor2d(txt), tf.tensor2d(img), 2);
    values(a.imageToText).forEach((v, i) => expect(values(b.textToImage)[i]).toBeCloseTo(v, 5));
    values(a.textToImage).forEach((v, i) => expect(values(b.imageToText)[i]).toBeCloseTo(v, 5));
  });

  it('clamps the logit scale to [0, ln 100] in the forward pass, like CLIP', () => {
    const high = clipLoss(tf.tensor2d(img), tf.tensor2d(txt), 10);
    const atMax = clipLoss(tf.tensor2d(img), tf.tensor2d(txt), CLIP_MAX_LOGIT_SCALE);
    expect(values(high.imageToText)).toEqual(values(atMax.imageToText));
    const low = clipLoss(tf.tensor2d(img), tf.tensor2d(txt), -3);
    const atZero = clipLoss(tf.tensor2d(img), tf.tensor2d(txt), 0);
    expect(values(low.imageToText)).toEqual(values(atZero.imageToText));
    const s = tf.variable(tf.scalar(7));
    clampLogitScaleInPlace(s);
    expect(s.dataSync()[0]).toBeCloseTo(CLIP_MAX_LOGIT_SCALE, 6);
    s.dispose();
  });

  it('lets gradients flow to both encoders and to the learnable temperature', () => {
    const rng = new Random(1);
    const wi = tf.variable(tf.tensor2d(randomValues(rng, 12), [4, 3]));
    const wt = tf.variable(tf.tensor2d(randomValues(rng, 15), [5, 3]));
    const s = createLogitScale();
    const xi = tf.tensor2d(randomValues(rng, 4 * 4), [4, 4]);
    const xt = tf.tensor2d(randomValues(rng, 4 * 5), [4, 5]);
    const { grads } = tf.variableGrads(() => {
      const { imageToText, textToImage } = clipLoss(tf.matMul(xi, wi), tf.matMul(xt, wt), s);
      return tf.mean(tf.add(imageToText, textToImage)) as tf.Scalar;
    }, [wi, wt, s]);
    for (const v of [wi, wt, s]) {
      const g = values(grads[v.name]!);
      expect(g.every(Number.isFinite)).toBe(true);
      expect(g.some((x) => x !== 0)).toBe(true);
    }
    tf.dispose([wi, wt, s, xi, xt, ...Object.values(grads)]);
  });

  it('rejects mismatched embeddings and a non-scalar scale', () => {
    expect(() => clipLoss(tf.zeros([3, 2]), tf.zeros([4, 2]), 1)).toThrow(/textEmbeddings must have the shape of imageEmbeddings/);
    expect(() => clipLoss(tf.zeros([3, 2]), tf.zeros([3, 2]), tf.zeros([2]))).toThrow(/logitScale must be a scalar/);
  });
});

describe('mocoV3Loss', () => {
  it('computes 2τ · CE(q̂ k̂ᵀ / τ, i) per sample in both directions, matching a reference', () => {
    const rng = new Random(2);
    const [q1, q2, k1, k2] = [0, 1, 2, 3].map(() => Array.from({ length: 3 }, () => Array.from(randomValues(rng, 4))));
    const tau = 0.2;
    const norm = (v: number[]) => {
      const n = Math.sqrt(v.reduce((a, b) => a + b * b, 0));
      return v.map((x) => x / n);
    };
    const ref = (q: number[][], k: number[][]) => {
      const Q = q.map(norm);
      const K = k.map(norm);
      return Q.map((a, i) =>
        2 * tau * ce(K.map((b) => a.reduce((acc, x, j) => acc + x * b[j]!, 0) / tau), K.map((_, j) => (i === j ? 1 : 0))),
      );
    };
    const t = (m: number[][]) => tf.tensor2d(m);
    const { view1ToView2, view2ToView1 } = mocoV3Loss(t(q1!), t(q2!), t(k1!), t(k2!), { temperature: tau });
    expect(view1ToView2.shape).toEqual([3]);
    values(view1ToView2).forEach((v, i) => expect(v).toBeCloseTo(ref(q1!, k2!)[i]!, 4));
    values(view2ToView1).forEach((v, i) => expect(v).toBeCloseTo(ref(q2!, k1!)[i]!, 4));
    // Swapping the views swaps the directions.
    const swapped = mocoV3Loss(t(q2!), t(q1!), t(k2!), t(k1!), { temperature: tau });
    expect(values(swapped.view1ToView2)).toEqual(values(view2ToView1));
    // Without the 2τ factor.
    const plain = mocoV3Loss(t(q1!), t(q2!), t(k1!), t(k2!), { temperature: tau, scaleByTemperature: false });
    values(plain.view1ToView2).forEach((v, i) => expect(v * 2 * tau).toBeCloseTo(values(view1ToView2)[i]!, 5));
  });

  it('sends gradient to the query encoder and predictor, none to a non-trainable momentum encoder', () => {
    const rng = new Random(3);
    const encoder = tf.variable(tf.tensor2d(randomValues(rng, 12), [4, 3]));
    const predictor = tf.variable(tf.tensor2d(randomValues(rng, 9), [3, 3]));
    const momentum = tf.variable(encoder.clone(), false);
    const v1 = tf.tensor2d(randomValues(rng, 20), [5, 4]);
    const v2 = tf.tensor2d(randomValues(rng, 20), [5, 4]);
    const { grads } = tf.variableGrads(() => {
      const q1 = tf.matMul(tf.matMul(v1, encoder), predictor);
      const q2 = tf.matMul(tf.matMul(v2, encoder), predictor);
      const k1 = tf.matMul(v1, momentum);
      const k2 = tf.matMul(v2, momentum);
      const { view1ToView2, view2ToView1 } = mocoV3Loss(q1, q2, k1, k2);
      return tf.add(tf.mean(view1ToView2), tf.mean(view2ToView1)) as tf.Scalar;
    });
    expect(Object.keys(grads).sort()).toEqual([encoder.name, predictor.name].sort());
    for (const g of Object.values(grads)) expect(values(g).some((x) => x !== 0)).toBe(true);
    tf.dispose([encoder, predictor, momentum, v1, v2, ...Object.values(grads)]);
  });

  it('rejects a non-positive temperature and mismatched shapes', () => {
    const z = tf.zeros([2, 3]);
    expect(() => mocoV3Loss(z, z, z, z, { temperature: 0 })).toThrow('mocoV3Loss(): temperature must be in (0, Infinity), got 0');
    expect(() => mocoV3Loss(z, z, z, tf.zeros([3, 3]))).toThrow(/k2 must have the shape of q1/);
  });
});

describe('momentumUpdate', () => {
  it('sets k ← m·k + (1 − m)·q in place, for variables and layer-style variables', () => {
    const k = tf.variable(tf.tensor1d([1, 2]), false);
    const q = tf.variable(tf.tensor1d([3, 6]));
    momentumUpdate([k], [q], 0.75);
    expect(values(k)).toEqual([1.5, 3]);
    let stored: tf.Tensor = tf.keep(tf.tensor1d([0, 0]));
    const layerVar = {
      read: () => stored,
      write: (t: tf.Tensor) => {
        stored.dispose();
        stored = tf.keep(t.clone());
      },
    };
    momentumUpdate({ weights: [layerVar] }, { weights: [q] }, 0.5);
    expect(values(stored)).toEqual([1.5, 3]);
    expect(values(q)).toEqual([3, 6]); // the query is not touched
    tf.dispose([k, q, stored]);
  });

  it('rejects different variable counts or shapes and m outside [0, 1]', () => {
    const a = tf.variable(tf.zeros([2]));
    const b = tf.variable(tf.zeros([3]));
    expect(() => momentumUpdate([a], [a, b], 0.9)).toThrow(/key must have as many variables as query \(2\), got 1/);
    expect(() => momentumUpdate([a], [b], 0.9)).toThrow(/key variable 0 must have the shape of query variable 0/);
    expect(() => momentumUpdate([a], [a], 1.5)).toThrow('momentumUpdate(): momentum must be in [0, 1], got 1.5');
    tf.dispose([a, b]);
  });
});

describe('cosineMomentum', () => {
  it('rises from the base to 1 along a half cosine', () => {
    expect(cosineMomentum(0.99, 0)).toBeCloseTo(0.99, 12);
    expect(cosineMomentum(0.99, 0.5)).toBeCloseTo(0.995, 12);
    expect(cosineMomentum(0.99, 1)).toBe(1);
  });
});
