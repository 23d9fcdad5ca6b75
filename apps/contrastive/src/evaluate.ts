/**
 * Evaluation of the learnt representations: classification from text prompts and
 * image↔text recall@k (CLIP-style); k-nearest-neighbour and linear-probe
 * accuracy on frozen features (MoCo-style).
 */
import { Random, shuffleInPlace } from '@seta/core';
import { registerGradients } from '@seta/tfjs-trainer';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Rows of `x` (`count × inDim`) through `f`, in batches, L2-normalised when
 * `normalize`: a `count × outDim` matrix.
 */
export function embed(
  f: (x: tf.Tensor2D) => tf.Tensor2D,
  x: Float32Array,
  count: number,
  inDim: number,
  options: { normalize?: boolean; batch?: number } = {},
): { values: Float32Array; dim: number } {
  const batch = options.batch ?? 1000;
  let out: Float32Array | undefined;
  let dim = 0;
  for (let s = 0; s < count; s += batch) {
    const e = Math.min(count, s + batch);
    const y = tf.tidy(() => {
      const h = f(tf.tensor2d(x.subarray(s * inDim, e * inDim), [e - s, inDim]));
      return options.normalize === false ? h : l2Normalize(h);
    });
    const values = y.dataSync() as Float32Array;
    dim = y.shape[1]!;
    y.dispose();
    out ??= new Float32Array(count * dim);
    out.set(values, s * dim);
  }
  return { values: out ?? new Float32Array(0), dim };
}

/** Rows divided by their Euclidean norm (at least 1e-12), in tf. */
function l2Normalize(h: tf.Tensor2D): tf.Tensor2D {
  return tf.div(h, tf.maximum(tf.norm(h, 'euclidean', 1, true), 1e-12));
}

/**
 * The rows of an {@link embed} result L2-normalised, as `embed(…, { normalize: true })`
 * would have returned them (the same tf operations on the same values, row by row).
 */
export function normalizeRows(rows: { values: Float32Array; dim: number }, batch = 1000): { values: Float32Array; dim: number } {
  const { values, dim } = rows;
  const count = dim === 0 ? 0 : values.length / dim;
  return embed((h) => l2Normalize(h), values, count, dim, { normalize: false, batch });
}

/** Similarities `a · bᵀ` for rows s … e of `a`, as a flat `(e − s) × nb` array (tf matMul). */
function similarities(a: Float32Array, s: number, e: number, b: Float32Array, nb: number, dim: number): Float32Array {
  const t = tf.tidy(() => tf.matMul(tf.tensor2d(a.subarray(s * dim, e * dim), [e - s, dim]), tf.tensor2d(b, [nb, dim]), false, true));
  const v = t.dataSync() as Float32Array;
  t.dispose();
  return v;
}

/**
 * Recall@k of matching row i of `a` to row i of `b` (both `n × dim`,
 * normalised): the share of rows whose match has fewer than k other rows of
 * `b` strictly more similar. (Identical captions tie and count as found.)
 *
 * @returns recall for each k in `ks`.
 */
export function recallAtK(a: Float32Array, b: Float32Array, n: number, dim: number, ks: readonly number[], chunk = 500): number[] {
  const hits = ks.map(() => 0);
  for (let s = 0; s < n; s += chunk) {
    const e = Math.min(n, s + chunk);
    const sims = similarities(a, s, e, b, n, dim);
    for (let i = s; i < e; i++) {
      const row = (i - s) * n;
      const own = sims[row + i]!;
      let better = 0;
      for (let j = 0; j < n; j++) if (sims[row + j]! > own) better++;
      ks.forEach((k, q) => {
        if (better < k) hits[q]!++;
      });
    }
  }
  return hits.map((h) => h / n);
}

/** Index of the largest of `values[offset … offset + length)` (the first on ties). */
function argmax(values: ArrayLike<number>, offset: number, length: number): number {
  let best = 0;
  for (let c = 1; c < length; c++) if (values[offset + c]! > values[offset + best]!) best = c;
  return best;
}

/** Accuracy of assigning each row of `x` (normalised) to its most similar row of `classes` (normalised, one per class). */
export function nearestClassAccuracy(x: Float32Array, n: number, classes: Float32Array, classCount: number, dim: number, labels: ArrayLike<number>): number {
  let correct = 0;
  for (let s = 0; s < n; s += 2000) {
    const e = Math.min(n, s + 2000);
    const sims = similarities(x, s, e, classes, classCount, dim);
    for (let i = s; i < e; i++) if (argmax(sims, (i - s) * classCount, classCount) === labels[i]) correct++;
  }
  return correct / n;
}

/**
 * Weighted k-NN accuracy (Wu et al. 2018, as in the MoCo/DINO evaluations):
 * each test row votes with its k most similar training rows, weight
 * `exp(sim / τ)`. Features must be normalised.
 */
export function knnAccuracy(
  train: Float32Array,
  trainLabels: ArrayLike<number>,
  nTrain: number,
  test: Float32Array,
  testLabels: ArrayLike<number>,
  nTest: number,
  dim: number,
  options: { k?: number; temperature?: number; classes?: number } = {},
): number {
  const k = Math.min(options.k ?? 20, nTrain);
  const tau = options.temperature ?? 0.07;
  const classes = options.classes ?? 10;
  const topSim = new Float64Array(k);
  const topId = new Int32Array(k);
  const votes = new Float64Array(classes);
  let correct = 0;
  for (let s = 0; s < nTest; s += 500) {
    const e = Math.min(nTest, s + 500);
    const sims = similarities(test, s, e, train, nTrain, dim);
    for (let i = s; i < e; i++) {
      const row = (i - s) * nTrain;
      let filled = 0;
      for (let j = 0; j < nTrain; j++) {
        const v = sims[row + j]!;
        if (filled === k && v <= topSim[k - 1]!) continue;
        let p = filled < k ? filled++ : k - 1;
        while (p > 0 && topSim[p - 1]! < v) {
          topSim[p] = topSim[p - 1]!;
          topId[p] = topId[p - 1]!;
          p--;
        }
        topSim[p] = v;
        topId[p] = j;
      }
      votes.fill(0);
      for (let q = 0; q < filled; q++) votes[trainLabels[topId[q]!]!]! += Math.exp(topSim[q]! / tau);
      if (argmax(votes, 0, classes) === testLabels[i]) correct++;
    }
  }
  return correct / nTest;
}

/**
 * Linear-probe accuracy: a softmax regression on frozen features
 * (standardised with the training features' mean and deviation), trained
 * with Adam on mini-batches for `epochs` epochs, evaluated on the test rows.
 */
export function linearProbeAccuracy(
  train: Float32Array,
  trainLabels: ArrayLike<number>,
  nTrain: number,
  test: Float32Array,
  testLabels: ArrayLike<number>,
  nTest: number,
  dim: number,
  options: { epochs?: number; learningRate?: number; batch?: number; classes?: number; seed?: number } = {},
): number {
  registerGradients(); // bare tfjs-core in Node registers none
  const epochs = options.epochs ?? 30;
  const batch = options.batch ?? 256;
  const classes = options.classes ?? 10;
  const rng = new Random(options.seed ?? 0);
  const mean = new Float64Array(dim);
  const sd = new Float64Array(dim);
  for (let i = 0; i < nTrain; i++) for (let d = 0; d < dim; d++) mean[d]! += train[i * dim + d]! / nTrain;
  for (let i = 0; i < nTrain; i++) for (let d = 0; d < dim; d++) sd[d]! += (train[i * dim + d]! - mean[d]!) ** 2 / nTrain;
  const standardise = (x: Float32Array, n: number) => {
    const out = new Float32Array(n * dim);
    for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) out[i * dim + d] = (x[i * dim + d]! - mean[d]!) / Math.sqrt(sd[d]! + 1e-8);
    return out;
  };
  const xs = standardise(train, nTrain);
  const ys = Int32Array.from({ length: nTrain }, (_, i) => trainLabels[i]!);
  const w = tf.variable(tf.zeros([dim, classes]));
  const b = tf.variable(tf.zeros([classes]));
  const optimizer = tf.train.adam(options.learningRate ?? 0.01);
  const order = Uint32Array.from({ length: nTrain }, (_, i) => i);
  const bx = new Float32Array(batch * dim);
  const by = new Int32Array(batch);
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      shuffleInPlace(order, rng);
      for (let s = 0; s < nTrain; s += batch) {
        const m = Math.min(batch, nTrain - s);
        for (let i = 0; i < m; i++) {
          const id = order[s + i]!;
          bx.set(xs.subarray(id * dim, (id + 1) * dim), i * dim);
          by[i] = ys[id]!;
        }
        tf.tidy(() => {
          const x = tf.tensor2d(bx.subarray(0, m * dim), [m, dim]);
          const y = tf.oneHot(tf.tensor1d(by.subarray(0, m), 'int32'), classes);
          optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, tf.add(tf.matMul(x, w), b)) as tf.Scalar, false, [w, b]);
        });
      }
    }
    const predicted = tf.tidy(() => tf.argMax(tf.add(tf.matMul(tf.tensor2d(standardise(test, nTest), [nTest, dim]), w), b), 1));
    const p = predicted.dataSync();
    predicted.dispose();
    let correct = 0;
    for (let i = 0; i < nTest; i++) if (p[i] === testLabels[i]) correct++;
    return correct / nTest;
  } finally {
    w.dispose();
    b.dispose();
    optimizer.dispose();
  }
}
