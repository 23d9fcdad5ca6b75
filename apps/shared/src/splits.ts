import { Random, sampleIndices } from '@seta/core';
import type { ImageSplit } from './idx.js';

/** Take the examples at `ids` (in that order) from a split. */
export function subset(split: ImageSplit, ids: ArrayLike<number>): ImageSplit {
  const pixels = split.rows * split.cols;
  const images = new Uint8Array(ids.length * pixels);
  const labels = new Uint8Array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    images.set(split.images.subarray(id * pixels, (id + 1) * pixels), i * pixels);
    labels[i] = split.labels[id]!;
  }
  return { count: ids.length, rows: split.rows, cols: split.cols, images, labels };
}

/**
 * Carve a validation set of `size` examples out of a training split, chosen
 * uniformly at random with `seed`; both parts keep the original order.
 */
export function carveValidation(train: ImageSplit, size: number, seed: number): { train: ImageSplit; validation: ImageSplit } {
  if (!Number.isInteger(size) || size < 0 || size >= train.count) {
    throw new RangeError(`carveValidation(): size must be an integer in [0, ${train.count - 1}], got ${size}`);
  }
  const chosen = new Uint8Array(train.count);
  for (const id of sampleIndices(train.count, size, new Random(seed))) chosen[id] = 1;
  const rest: number[] = [];
  const held: number[] = [];
  for (let i = 0; i < train.count; i++) (chosen[i] ? held : rest).push(i);
  return { train: subset(train, rest), validation: subset(train, held) };
}

/** Labels after symmetric label noise, with the ground truth of what was flipped. */
export interface NoisyLabels {
  readonly labels: Uint8Array;
  /** `flipped[i] = 1` where the label was replaced. */
  readonly flipped: Uint8Array;
  readonly flippedCount: number;
}

/**
 * Symmetric label noise: each label, independently with probability `rate`,
 * is replaced by one of the other `classes − 1` classes chosen uniformly, so
 * a flipped label is always wrong. Deterministic for a seed. The input is not
 * modified.
 */
export function symmetricLabelNoise(labels: Uint8Array, rate: number, seed: number, classes = 10): NoisyLabels {
  if (!(rate >= 0 && rate <= 1)) throw new RangeError(`symmetricLabelNoise(): rate must be in [0, 1], got ${rate}`);
  const rng = new Random(seed);
  const out = labels.slice();
  const flipped = new Uint8Array(labels.length);
  let count = 0;
  for (let i = 0; i < labels.length; i++) {
    if (rng.nextFloat() < rate) {
      const shift = 1 + rng.nextInt(classes - 1); // never the true class
      out[i] = (labels[i]! + shift) % classes;
      flipped[i] = 1;
      count++;
    }
  }
  return { labels: out, flipped, flippedCount: count };
}
