import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Random } from '@seta/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { embed, knnAccuracy, linearProbeAccuracy, nearestClassAccuracy, recallAtK } from './evaluate.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function normalisedRows(n: number, dim: number, rng: Random): Float32Array {
  const x = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let d = 0; d < dim; d++) {
      const v = rng.nextFloat() - 0.5;
      x[i * dim + d] = v;
      norm += v * v;
    }
    for (let d = 0; d < dim; d++) x[i * dim + d]! /= Math.sqrt(norm);
  }
  return x;
}

/** Points around one centre per class. */
function clusters(n: number, dim: number, classes: number, spread: number, rng: Random) {
  const centres = normalisedRows(classes, dim, rng);
  const x = new Float32Array(n * dim);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % classes;
    let norm = 0;
    for (let d = 0; d < dim; d++) {
      const v = centres[labels[i]! * dim + d]! + spread * (rng.nextFloat() - 0.5);
      x[i * dim + d] = v;
      norm += v * v;
    }
    for (let d = 0; d < dim; d++) x[i * dim + d]! /= Math.sqrt(norm);
  }
  return { x, labels, centres };
}

describe('recallAtK', () => {
  it('is 1 when every row matches itself and drops as expected when matches are swapped', () => {
    const dim = 16;
    const a = normalisedRows(50, dim, new Random(1));
    expect(recallAtK(a, a, 50, dim, [1, 5], 7)).toEqual([1, 1]);
    // b: the rows of a reversed → row i's match is a far random row: recall@1 is near 0.
    const b = new Float32Array(a.length);
    for (let i = 0; i < 50; i++) b.set(a.subarray((49 - i) * dim, (50 - i) * dim), i * dim);
    const [r1, r50] = recallAtK(a, b, 50, dim, [1, 50]);
    expect(r1).toBeLessThan(0.1);
    expect(r50).toBe(1);
  });
});

describe('nearestClassAccuracy and knnAccuracy', () => {
  it('classify well-separated clusters perfectly and random labels at chance', () => {
    const rng = new Random(2);
    const dim = 24;
    const train = clusters(400, dim, 10, 0.2, rng);
    const test = clusters(200, dim, 10, 0.2, rng);
    // same centres? clusters() draws new centres per call: use train's centres for the class test.
    expect(nearestClassAccuracy(train.x, 400, train.centres, 10, dim, train.labels)).toBe(1);
    expect(knnAccuracy(train.x, train.labels, 400, train.x, train.labels, 400, dim, { k: 5 })).toBe(1);
    const shuffled = Uint8Array.from(train.labels, (_, i) => (i * 7919) % 10);
    expect(knnAccuracy(train.x, shuffled, 400, test.x, test.labels, 200, dim)).toBeLessThan(0.3);
  });
});

describe('linearProbeAccuracy', () => {
  it('separates linearly separable classes and fails on noise', () => {
    const before = tf.memory().numTensors;
    const rng = new Random(3);
    const dim = 8;
    const all = clusters(600, dim, 3, 0.3, rng);
    const acc = linearProbeAccuracy(all.x.subarray(0, 400 * dim), all.labels, 400, all.x.subarray(400 * dim), all.labels.subarray(400), 200, dim, {
      classes: 3,
      epochs: 20,
    });
    expect(acc).toBeGreaterThan(0.95);
    // tfjs-core 4.22's Adam keeps a tensor after dispose() (one per optimizer, measured); nothing that grows with the data may remain.
    const leaked = tf.memory().numTensors - before;
    expect(leaked).toBeLessThanOrEqual(2);
    const noise = normalisedRows(600, dim, rng);
    const chance = linearProbeAccuracy(noise.subarray(0, 400 * dim), all.labels, 400, noise.subarray(400 * dim), all.labels.subarray(400), 200, dim, {
      classes: 3,
      epochs: 20,
    });
    expect(chance).toBeLessThan(0.5);
    expect(tf.memory().numTensors - before).toBeLessThanOrEqual(2 * leaked);
  });
});

describe('embed', () => {
  it('applies the function in batches and normalises rows', () => {
    const before = tf.memory().numTensors;
    const x = Float32Array.from({ length: 10 * 3 }, (_, i) => i + 1);
    const { values, dim } = embed((t) => tf.mul(t, 2) as tf.Tensor2D, x, 10, 3, { batch: 4 });
    expect(dim).toBe(3);
    for (let i = 0; i < 10; i++) {
      const row = values.subarray(i * 3, i * 3 + 3);
      expect(Math.hypot(...row)).toBeCloseTo(1, 5);
      expect(row[1]! / row[0]!).toBeCloseTo(x[i * 3 + 1]! / x[i * 3]!, 5);
    }
    const raw = embed((t) => tf.mul(t, 2) as tf.Tensor2D, x, 10, 3, { normalize: false, batch: 3 });
    expect(Array.from(raw.values)).toEqual(Array.from(x, (v) => 2 * v));
    expect(tf.memory().numTensors).toBe(before);
  });
});
