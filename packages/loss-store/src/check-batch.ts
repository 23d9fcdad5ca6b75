import { describeValue } from '@seta/core';

/**
 * Throw the error for the first bad position of a batch, if any: an id that
 * is not an integer in `[0, size)`, a loss that is not a number or (with
 * `finite`) not finite as a float32. Messages name `fn`, the position, the id
 * and the value. O(n).
 */
export function checkBatch(fn: string, ids: ArrayLike<number>, losses: ArrayLike<number>, size: number, finite: boolean): void {
  const bad = firstInvalid(ids, losses, size, finite);
  if (bad >= 0) throw batchError(fn, ids, losses, bad, size);
}

/** The first position {@link checkBatch} refuses, or -1; the lean loop that every batch runs. */
function firstInvalid(ids: ArrayLike<number>, losses: ArrayLike<number>, size: number, finite: boolean): number {
  const n = ids.length;
  for (let i = 0; i < n; i++) {
    const id: unknown = ids[i];
    const loss: unknown = losses[i];
    if (typeof id !== 'number' || id >>> 0 !== id || id >= size || typeof loss !== 'number') return i;
    if (finite) {
      const s = Math.fround(loss);
      if (s - s !== 0) return i;
    }
  }
  return -1;
}

/** The error for position `i`, which {@link firstInvalid} found bad. */
function batchError(fn: string, ids: ArrayLike<number>, losses: ArrayLike<number>, i: number, size: number): Error {
  const id: unknown = ids[i];
  if (typeof id !== 'number') {
    return new TypeError(`${fn}: ids[${i}] must be an integer in [0, ${size - 1}], got ${describeValue(id)}`);
  }
  if (id >>> 0 !== id || id >= size) {
    return new RangeError(`${fn}: ids[${i}] must be an integer in [0, ${size - 1}], got ${describeValue(id)}`);
  }
  const loss: unknown = losses[i];
  if (typeof loss !== 'number') {
    return new TypeError(`${fn}: losses[${i}] (id ${id}) must be a number, got ${describeValue(loss)}`);
  }
  if (!Number.isFinite(loss)) return new RangeError(`${fn}: losses[${i}] (id ${id}) must be finite, got ${loss}`);
  return new RangeError(
    `${fn}: losses[${i}] (id ${id}) must be finite as a float32 (|loss| ≤ 3.4028234663852886e38), got ${loss}`,
  );
}
