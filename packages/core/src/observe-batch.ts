import { checkArrayLike, describeValue } from '@seta/engine';
import type { ObservedBatch } from './stage.js';

/** A batch after validation: what the store records and stages observe, and what the epoch summary counts. */
export interface ValidatedBatch extends ObservedBatch {
  /** The plain sum of the kept losses (a + b with two directions). */
  readonly sum: number;
  /** Losses skipped as non-finite (with `nonFinite: 'skip'`). */
  readonly skipped: number;
}

/**
 * Validate one `observe` call: ids integers in [0, size), losses (and
 * lossesB) numbers of the same length, finite unless `nonFinite` is
 * `'skip'` — then those entries are left out and counted. Every message
 * names `fn`, the position, the id and the value. Typed arrays without a
 * problem are handed on without copying. O(batch).
 */
export function validateBatch(
  fn: string,
  ids: ArrayLike<number>,
  losses: ArrayLike<number>,
  lossesB: ArrayLike<number> | undefined,
  size: number,
  nonFinite: 'error' | 'skip',
): ValidatedBatch {
  checkArrayLike(fn, 'ids', ids);
  checkArrayLike(fn, 'losses', losses);
  const n = ids.length;
  if (losses.length !== n) {
    throw new RangeError(`${fn}: ids and losses must have the same length, got ${n} ids and ${losses.length} losses`);
  }
  if (lossesB !== undefined) {
    checkArrayLike(fn, 'lossesB', lossesB);
    if (lossesB.length !== n) {
      throw new RangeError(`${fn}: ids and lossesB must have the same length, got ${n} ids and ${lossesB.length} losses`);
    }
  }
  let bad = 0;
  let batchSum = 0; // a plain sum within the batch; batch sums are added with compensation
  // Typed arrays, the usual case, first take a lean pass: Uint32Array ids
  // are integers ≥ 0 and float32 losses are numbers, so only the largest
  // id and finiteness need checking. Only if that pass finds a problem
  // does the general one below run, to name it (or skip what is bad).
  const typed = ids instanceof Uint32Array && losses instanceof Float32Array && (lossesB === undefined || lossesB instanceof Float32Array);
  const fast = typed ? typedBatchSum(ids, losses, lossesB ?? null, size) : null;
  if (fast !== null) batchSum = fast;
  for (let i = 0; fast === null && i < n; i++) {
    const id = ids[i]!;
    if (!(id >= 0 && id < size && Number.isInteger(id))) {
      throw new RangeError(`${fn}: ids[${i}] must be an integer id in [0, ${size - 1}], got ${describeValue(id)}`);
    }
    const a = losses[i]!;
    const b = lossesB === undefined ? 0 : lossesB[i]!;
    const total = Math.fround(a + b);
    // total - total is 0 exactly when a + b is finite in float32 (NaN otherwise).
    if (typeof a !== 'number' || typeof b !== 'number' || total - total !== 0 || a - a !== 0 || b - b !== 0) {
      if (typeof a !== 'number' || typeof b !== 'number') {
        const which = typeof a !== 'number' ? 'losses' : 'lossesB';
        throw new TypeError(`${fn}: ${which}[${i}] (id ${id}) must be a number, got ${describeValue(typeof a !== 'number' ? a : b)}`);
      }
      if (nonFinite === 'skip') {
        bad++;
        continue;
      }
      if (!Number.isFinite(a)) throw new RangeError(`${fn}: losses[${i}] (id ${id}) must be finite, got ${describeValue(a)}`);
      if (!Number.isFinite(b)) throw new RangeError(`${fn}: lossesB[${i}] (id ${id}) must be finite, got ${describeValue(b)}`);
      // Finite as doubles, but the score (a float32) overflows.
      throw new RangeError(
        lossesB === undefined
          ? `${fn}: losses[${i}] (id ${id}) must be finite as a float32 (|loss| ≤ 3.4028234663852886e38), got ${describeValue(a)}`
          : `${fn}: losses + lossesB[${i}] (id ${id}) must be finite as a float32, got ${describeValue(a)} + ${describeValue(b)}`,
      );
    }
    batchSum += lossesB === undefined ? a : a + b;
  }
  const m = n - bad;
  // Hand the batch on as typed arrays without copying when it already is one and nothing was skipped.
  let cleanIds: Uint32Array;
  let cleanA: Float32Array;
  let cleanB: Float32Array | null = null;
  if (bad === 0 && typed) {
    cleanIds = ids;
    cleanA = losses;
    cleanB = lossesB ?? null;
  } else {
    cleanIds = new Uint32Array(m);
    cleanA = new Float32Array(m);
    if (lossesB !== undefined) cleanB = new Float32Array(m);
    for (let i = 0, j = 0; i < n; i++) {
      const a = losses[i]!;
      const b = lossesB === undefined ? 0 : lossesB[i]!;
      const total = Math.fround(a + b);
      if (bad > 0 && (total - total !== 0 || a - a !== 0 || b - b !== 0)) continue;
      cleanIds[j] = ids[i]!;
      cleanA[j] = a;
      if (cleanB !== null) cleanB[j] = b;
      j++;
    }
  }
  return { ids: cleanIds, losses: cleanA, lossesB: cleanB, sum: batchSum, skipped: bad };
}

/**
 * The plain sum of a batch's losses (a + b per sample with two directions),
 * in the order and arithmetic of the general validation loop of
 * `observe`, or null when an id is not below `size` or a loss (or a + b in
 * float32) is not finite — then that loop runs to name the problem or skip.
 */
function typedBatchSum(ids: Uint32Array, a: Float32Array, b: Float32Array | null, size: number): number | null {
  const n = ids.length;
  let largest = 0;
  let finite = 1;
  let sum = 0;
  if (b === null) {
    for (let i = 0; i < n; i++) {
      const id = ids[i]!;
      largest = id > largest ? id : largest;
      const x = a[i]!;
      finite &= ((x - x === 0) as unknown as number) | 0;
      sum += x;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const id = ids[i]!;
      largest = id > largest ? id : largest;
      const x = a[i]!;
      const y = b[i]!;
      // a + b is finite in float32 only when a and b are both finite.
      const total = Math.fround(x + y);
      finite &= ((total - total === 0) as unknown as number) | 0;
      sum += x + y;
    }
  }
  return n > 0 && (largest >= size || finite === 0) ? null : sum;
}
