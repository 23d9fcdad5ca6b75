/* Helpers shared by this package's tests (not part of the build). */
import * as tf from '@tensorflow/tfjs-core';
import type { Random } from '@seta/core';

/** Normwise relative error: max |a − b| / max |b| (b the reference), 0 when both are zero. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Infinity;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i]! - expected[i]!);
    if (!(d <= diff)) diff = d; // NaN-propagating max
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  if (Number.isNaN(diff)) return NaN;
  return scale === 0 ? diff : diff / scale;
}

/** `n` values uniform in [-1, 1) from a seeded generator. */
export function randomValues(rng: Random, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.nextFloat() * 2 - 1;
  return out;
}

/** Run `f` with `backend` active and return a copy of its result's values. */
export async function valuesOn(backend: string, f: () => tf.Tensor): Promise<Float32Array> {
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} failed to initialise`);
  const r = tf.tidy(f);
  const v = Float32Array.from(await r.data());
  r.dispose();
  return v;
}
