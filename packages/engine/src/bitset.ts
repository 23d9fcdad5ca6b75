/*
 * Sets of ids as bitmaps: id `i` is in the set when bit `i & 31` of word
 * `i >>> 5` is set — 1 bit per id, one word read per test, and a whole
 * word tells 32 ids at once for loops that scan. The loss store's seen
 * bitmap, SCAN's candidate sets and static subsets use this layout.
 */

/**
 * An empty set of ids below `n`: ⌈n / 32⌉ zeroed words. O(n / 32).
 *
 * @example
 * ```ts
 * const bits = bitsetOf(100); // Uint32Array of 4 words
 * ```
 */
export function bitsetOf(n: number): Uint32Array {
  return new Uint32Array(Math.ceil(n / 32));
}

/**
 * 1 if `id` is in the set, else 0 (a number, so that branch-free loops can
 * multiply or mask with it). O(1); `id` is not checked.
 *
 * @example
 * ```ts
 * bitsetHas(Uint32Array.of(0b100), 2); // 1
 * ```
 */
export function bitsetHas(bits: Uint32Array, id: number): number {
  return (bits[id >>> 5]! >>> (id & 31)) & 1;
}

/** Put `id` in the set. O(1); `id` is not checked. */
export function bitsetAdd(bits: Uint32Array, id: number): void {
  bits[id >>> 5]! |= 1 << (id & 31);
}
