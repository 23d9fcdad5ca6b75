import type { Random } from '../random.js';
import { checkInteger, checkRandom, describeValue } from '../validate.js';
import { fisherYates } from './fisher-yates.js';
import type { Shufflable } from './fisher-yates.js';
import { bucketBits, SCATTER_THRESHOLD, scatterRange, scatterShuffle } from './scatter.js';
import type { Typed } from './scatter.js';

const isTyped = (a: unknown): boolean => ArrayBuffer.isView(a) && !(a instanceof DataView);

function checkShufflable(fn: string, name: string, a: unknown, plain: boolean): void {
  if (!(isTyped(a) || (plain && Array.isArray(a)))) {
    throw new TypeError(`${fn}: ${name} must be ${plain ? 'a typed array or an array of numbers' : 'a typed array'}, got ${describeValue(a)}`);
  }
}

/**
 * Shuffle `array` in place with a uniformly random permutation. O(n) time.
 *
 * Up to 65,536 elements: Fisher–Yates (Durstenfeld's in-place form), O(1)
 * memory. Longer typed arrays: the scatter shuffle of Rao and Sandelius
 * (1961) — every element goes to an independent, uniformly random bucket (one
 * sequential pass writing to as many streams as buckets), then each bucket,
 * small enough to stay in cache, is shuffled by Fisher–Yates. The result is
 * again a uniformly random permutation, but without a cache miss per element:
 * several times faster on tens of millions of ids. Each 32-bit draw gives
 * three bucket labels (disjoint bit fields) or two Fisher–Yates swaps (the
 * batched form of Lemire's method, exact rejection), so every step stays
 * exactly uniform. It uses O(n) temporary memory (a copy; the labels are
 * drawn twice from the same generator position instead of stored).
 *
 * If `companion` is given it receives the same permutation — e.g. a plan's
 * weights alongside its indices. It must have the same length.
 *
 * @param array - the values to shuffle; mutated.
 * @param rng - the generator to draw from.
 * @param companion - optional second array permuted identically; mutated.
 * @returns `array` itself.
 * @throws TypeError if `array` or `companion` is not an array or typed
 *   array, or `rng` is not a `Random`; RangeError if `companion` has a
 *   different length.
 * @example
 * ```ts
 * const ids = Uint32Array.of(0, 1, 2, 3);
 * shuffleInPlace(ids, new Random(1)) === ids; // true; ids now in random order
 * ```
 */
export function shuffleInPlace<T extends Shufflable>(array: T, rng: Random, companion?: Shufflable): T {
  const fn = 'shuffleInPlace()';
  checkShufflable(fn, 'array', array, true);
  checkRandom(fn, 'rng', rng);
  if (companion !== undefined) checkShufflable(fn, 'companion', companion, true);
  const n = array.length;
  if (companion !== undefined && companion.length !== n) {
    throw new RangeError(`shuffleInPlace(): companion must have the array's length ${n}, got length ${companion.length}`);
  }
  if (n > SCATTER_THRESHOLD && !Array.isArray(array) && (companion === undefined || !Array.isArray(companion))) {
    const { out, companionOut } = scatterShuffle(array as Typed, rng, companion as Typed | undefined, bucketBits(n));
    (array as Typed).set(out as never);
    if (companion !== undefined) (companion as Typed).set(companionOut as never);
  } else fisherYates(array, rng, companion, 0, n);
  return array;
}

/**
 * A uniformly shuffled copy of `array` (and of `companion`, permuted the
 * same way), leaving the inputs untouched. Same permutation algorithm and
 * cost as {@link shuffleInPlace}, but for long arrays the copy is written
 * straight into its shuffled buckets, so producing a shuffled array costs no
 * more than shuffling one in place. O(n).
 *
 * @param array - the values.
 * @param rng - the generator to draw from.
 * @param companion - optional second array of the same length.
 * @returns the shuffled copies.
 * @throws TypeError if `array` or `companion` is not a typed array, or `rng`
 *   is not a `Random`; RangeError if `companion` has a different length.
 * @example
 * ```ts
 * const { out } = shuffledCopy(Uint32Array.of(1, 2, 3), new Random(0)); // e.g. Uint32Array [ 3, 1, 2 ]
 * ```
 */
export function shuffledCopy<T extends Typed, C extends Typed = Float32Array>(
  array: T,
  rng: Random,
  companion?: C,
): { out: T; companionOut: C | undefined } {
  const fn = 'shuffledCopy()';
  checkShufflable(fn, 'array', array, false);
  checkRandom(fn, 'rng', rng);
  if (companion !== undefined) checkShufflable(fn, 'companion', companion, false);
  const n = array.length;
  if (companion !== undefined && companion.length !== n) {
    throw new RangeError(`shuffledCopy(): companion must have the array's length ${n}, got length ${companion.length}`);
  }
  if (n > SCATTER_THRESHOLD) {
    const r = scatterShuffle(array, rng, companion, bucketBits(n));
    return { out: r.out as T, companionOut: r.companionOut as C | undefined };
  }
  const out = array.slice() as T;
  const companionOut = companion === undefined ? undefined : (companion.slice() as C);
  fisherYates(out, rng, companionOut, 0, n);
  return { out, companionOut };
}

/**
 * {@link shuffledCopy}'s permutation (the same draws, the same result), for
 * inputs that may be overwritten: where the algorithm allows, the result is
 * written back into `ids` and `companion` and they are returned, else new
 * arrays are: for a caller whose arrays are temporaries it can give away,
 * it saves allocating the result. O(n).
 *
 * @param ids - the ids; may be overwritten.
 * @param rng - the generator to draw from.
 * @param companion - optional weights of the same length; may be overwritten.
 * @returns the shuffled ids and companion (`ids` and `companion` themselves where possible).
 * @throws RangeError if `companion` has a different length.
 */
export function shuffledOwned(ids: Uint32Array, rng: Random, companion?: Float32Array): { out: Uint32Array; companionOut: Float32Array | undefined } {
  const n = ids.length;
  if (companion !== undefined && companion.length !== n) {
    throw new RangeError(`shuffledOwned(): companion must have the array's length ${n}, got length ${companion.length}`);
  }
  if (n > SCATTER_THRESHOLD) {
    const r = scatterShuffle(ids, rng, companion, bucketBits(n), true);
    return { out: r.out as Uint32Array, companionOut: r.companionOut as Float32Array | undefined };
  }
  fisherYates(ids, rng, companion, 0, n);
  return { out: ids, companionOut: companion };
}

/**
 * A uniformly random permutation of `0 … n-1`, as a new Uint32Array: the
 * same algorithm as {@link shuffledCopy} of `[0, 1, …, n-1]`, but the ids are
 * written straight into their shuffled buckets, without building the
 * identity first. O(n).
 *
 * @param n - the number of ids, an integer in [0, 2^32 − 1].
 * @param rng - the generator to draw from.
 * @returns the permutation.
 * @throws TypeError if `n` is not a number or `rng` not a `Random`;
 *   RangeError if `n` is not an integer in range.
 * @example
 * ```ts
 * shuffledRange(4, new Random(0)); // e.g. Uint32Array [ 2, 0, 3, 1 ]
 * ```
 */
export function shuffledRange(n: number, rng: Random): Uint32Array {
  checkInteger('shuffledRange()', 'n', n, 0, 0xffff_ffff); // ids must fit a Uint32Array
  checkRandom('shuffledRange()', 'rng', rng);
  if (n > SCATTER_THRESHOLD) return scatterRange(n, rng);
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  fisherYates(out, rng, undefined, 0, n);
  return out;
}
