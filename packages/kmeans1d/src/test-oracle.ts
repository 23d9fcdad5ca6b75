/**
 * Independent oracles for the tests (not exported by the package): an
 * O(k n³) dynamic program over the sorted raw values with each segment's SSE
 * computed directly by two passes, and naive cluster statistics.
 */

/** Sum of squared deviations from the mean: the corrected two-pass formula (Chan, Golub & LeVeque, 1983). */
export function segmentSse(sorted: readonly number[], from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += sorted[i]!;
  const mean = sum / (to - from);
  let sse = 0;
  let deviation = 0;
  for (let i = from; i < to; i++) {
    sse += (sorted[i]! - mean) ** 2;
    deviation += sorted[i]! - mean;
  }
  return sse - (deviation * deviation) / (to - from);
}

/** The least SSE over all partitions of the sorted values into min(k, n) contiguous, non-empty runs. */
export function bruteForceSse(values: ArrayLike<number>, k: number): number {
  const sorted = Array.from(values).sort((a, b) => a - b);
  const n = sorted.length;
  const clusters = Math.min(k, n);
  // best[c][e]: least SSE of the first e values in c + 1 runs.
  let best = new Array<number>(n + 1).fill(Infinity);
  for (let e = 1; e <= n; e++) best[e] = segmentSse(sorted, 0, e);
  for (let c = 1; c < clusters; c++) {
    const next = new Array<number>(n + 1).fill(Infinity);
    for (let e = c + 1; e <= n; e++) {
      for (let t = c; t < e; t++) {
        const v = best[t]! + segmentSse(sorted, t, e);
        if (v < next[e]!) next[e] = v;
      }
    }
    best = next;
  }
  return best[n]!;
}

/** Number of distinct values. */
export function distinctCount(values: ArrayLike<number>): number {
  return new Set(Array.from(values, (v) => v + 0)).size;
}

/** Whether a and b agree within a relative tolerance (and a tiny absolute one, for zero). */
export function close(a: number, b: number, relative = 1e-9, absolute = 1e-12): boolean {
  return Math.abs(a - b) <= relative * Math.max(Math.abs(a), Math.abs(b)) + absolute;
}
