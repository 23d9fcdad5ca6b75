import { bit } from './bitmask.js';

/**
 * Partially sort a[lo … hi] so that a[k] holds the value it would have if
 * sorted, everything before it ≤ and everything after it ≥ (quickselect,
 * median-of-three pivot). The partition is Lomuto's in its branch-free form
 * — every element is swapped, the boundary advances by the comparison's
 * 0 or 1 — because on random losses the branches of Hoare's partition
 * mispredict about every other comparison. O(hi − lo) expected.
 */
export function selectInPlace(a: Float32Array, lo: number, hi: number, k: number): void {
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    const x = a[lo]!;
    const y = a[mid]!;
    const z = a[hi]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    const at = z === pivot ? hi : y === pivot ? mid : lo;
    a[at] = a[hi]!;
    a[hi] = pivot;
    let store = lo;
    for (let i = lo; i < hi; i++) {
      const v = a[i]!;
      a[i] = a[store]!;
      a[store] = v;
      store += bit(v < pivot);
    }
    a[hi] = a[store]!;
    a[store] = pivot;
    if (k === store) return;
    if (k < store) hi = store - 1;
    else lo = store + 1;
  }
}
