import type { Random } from './random.js';

type Shufflable = Uint32Array | Int32Array | Float32Array | Float64Array | Uint8Array | Uint16Array | number[];

/**
 * Shuffle `array` in place with a uniformly random permutation
 * (Fisher–Yates, Durstenfeld's in-place form). O(n) time, O(1) memory.
 *
 * If `companion` is given it receives the same permutation — e.g. a plan's
 * weights alongside its indices. It must have the same length.
 *
 * @param array - the values to shuffle; mutated.
 * @param rng - the generator to draw from.
 * @param companion - optional second array permuted identically; mutated.
 * @returns `array` itself.
 * @throws RangeError if `companion` has a different length.
 * @example
 * ```ts
 * const ids = Uint32Array.of(0, 1, 2, 3);
 * shuffleInPlace(ids, new Random(1)) === ids; // true; ids now in random order
 * ```
 */
export function shuffleInPlace<T extends Shufflable>(array: T, rng: Random, companion?: Shufflable): T {
  const n = array.length;
  if (companion !== undefined) {
    if (companion.length !== n) {
      throw new RangeError(
        `shuffleInPlace(): companion must have the array's length ${n}, got length ${companion.length}`,
      );
    }
    for (let i = n - 1; i > 0; i--) {
      const j = rng.nextIntUnchecked(i + 1);
      const t = array[i]!;
      array[i] = array[j]!;
      array[j] = t;
      const u = companion[i]!;
      companion[i] = companion[j]!;
      companion[j] = u;
    }
    return array;
  }
  for (let i = n - 1; i > 0; i--) {
    const j = rng.nextIntUnchecked(i + 1);
    const t = array[i]!;
    array[i] = array[j]!;
    array[j] = t;
  }
  return array;
}
