import { CHUNK, INV_28, INV_32, TWO_28, TWO_32, draws } from '../draws.js';
import type { Random } from '../random.js';

/** Populations up to this size are sampled sequentially with draws on 28 bits; larger ones with draws on 32. */
export const SELECTION_MAX = 0x200_0000;
/** Above SELECTION_MAX, sequential sampling from this fraction of the population drawn (see {@link sequential}). */
const LARGE_SEQUENTIAL = 1 / 8;

/**
 * Whether drawing `c` of `n` (c = the smaller of the sample and its
 * complement) goes sequential rather than through Floyd's bitmap method:
 * above 40 % drawn; and for populations beyond 2^25, whose bitmap (4 MB and
 * more) no longer stays in cache, so that every Floyd draw is a cache miss,
 * already from 1/8.
 */
export function sequential(n: number, c: number): boolean {
  return c * 5 > n * 2 || (n > SELECTION_MAX && c > n * LARGE_SEQUENTIAL);
}

/**
 * Sequential sampling (Fan, Muller and Rezucha, 1962; Knuth's Algorithm S):
 * with `need` ids still to take from the `m` not yet considered, id `i` is
 * taken when a uniform integer of [0, m) is below `need`, which makes every
 * k-subset equally likely. One draw per id considered, no bitmap and no
 * random access. It is used when more than 40 % of the population is drawn
 * (or left out), or, beyond 2^25 ids, more than 1/8 (see {@link sequential};
 * the draws are then on all 32 bits): there one draw per id costs less than
 * Floyd's draws into a bitmap that no longer stays in cache (the switch
 * points and their measurements: docs/benchmarks.md, "Sampling"). Ranges of
 * 2^16 or more run in the WebAssembly kernel (kernel/sequential.ts). Draws are
 * exact: Lemire's method on the top 28 bits (28 + 25 = 53 bits stay exact in
 * doubles), rejecting with probability below m / 2^28 ≤ 1/8; or, with
 * `wide` (populations beyond 2^25), on whole 32-bit draws, x · m (up to
 * 2^64) formed exactly from two partial products and a draw rejected when
 * its low 32 bits fall below (2^32 − m) mod m — as the WebAssembly kernel
 * does with 64-bit integers. Writes the k chosen ids of 0 … n-1 — or, given
 * `src`, the values `src[srcStart + id]` — ascending to `out[outStart …]`.
 * Exported for tests.
 *
 * @internal
 */
export function selectionSample(
  n: number,
  k: number,
  rng: Random,
  out: Uint32Array,
  outStart: number,
  src: Uint32Array | null,
  srcStart: number,
  wide: boolean,
): void {
  const buf = draws;
  const range = wide ? TWO_32 : TWO_28; // 2^w for draws on w bits
  let taken = 0;
  let i = 0;
  while (taken < k && k - taken < n - i) {
    rng.fillUint32(buf);
    for (let pos = 0; pos < CHUNK && taken < k && k - taken < n - i; ) {
      const m = n - i;
      let t: number; // ⌊x · m / 2^w⌋
      let lo: number; // x · m mod 2^w
      if (wide) {
        // x · m (up to 2^64) = a · 2^16 + b, with a = x · ⌊m / 2^16⌋ and b = x · (m mod 2^16), both below 2^48.
        const x = buf[pos++]!;
        const mHigh = Math.floor(m / 65536);
        const a = x * mHigh;
        const b = x * (m - mHigh * 65536);
        const aHigh = Math.floor(a / 65536);
        const rest = (a - aHigh * 65536) * 65536 + b; // below 2^49
        const restHigh = Math.floor(rest * INV_32);
        lo = rest - restHigh * TWO_32;
        t = aHigh + restHigh;
      } else {
        const p = (buf[pos++]! >>> 4) * m;
        t = Math.floor(p * INV_28);
        lo = p - t * TWO_28;
      }
      if (lo < m && lo < (range - m) % m) continue; // rejected: the next draw decides id i
      out[outStart + taken] = src === null ? i : src[srcStart + i]!; // kept only if taken advances (taken < k here)
      taken += +(t < k - taken);
      i++;
    }
  }
  // Every id left is needed (or none is).
  for (; taken < k; i++) out[outStart + taken++] = src === null ? i : src[srcStart + i]!;
}
