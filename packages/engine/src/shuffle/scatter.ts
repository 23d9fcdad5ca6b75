import { CHUNK, draws, drawView } from '../draws.js';
import { wasmData, wasmShuffleInPlace } from '../kernel/kernel.js';
import type { Random } from '../random.js';
import { fisherYatesFrom, PAIR_LIMIT } from './fisher-yates.js';
import type { Shufflable } from './fisher-yates.js';

/*
 * The scatter shuffle of Rao and Sandelius (1961), for long arrays: every
 * element goes to an independent, uniformly random bucket (one sequential
 * pass writing to as many streams as buckets), then each bucket, small
 * enough to stay in cache, is shuffled by Fisher–Yates. The result is again
 * a uniformly random permutation, without a cache miss per element. Each
 * 32-bit draw gives three bucket labels (disjoint bit fields), so every
 * label is exactly uniform; the labels are drawn twice from the same
 * generator position (once to count, once to scatter) instead of stored.
 */

export type Typed = Exclude<Shufflable, number[]>;

/** Arrays up to this length are shuffled by plain Fisher–Yates (they fit in cache). */
export const SCATTER_THRESHOLD = 1 << 16;
/** Target elements per bucket (64 KiB of ids): shuffled within L1/L2 cache. */
const BUCKET_TARGET = 1 << 14;
/** At most 2^9 buckets: more write streams than that thrash the TLB during the scatter. */
const MAX_BUCKET_BITS = 9;
/** Arrays at least this long have their buckets shuffled by the WebAssembly kernel: for shorter ones copying in and out costs more. */
const WASM_MIN = 1 << 16;
/** Bucket labels per 32-bit draw: label i is bit field i mod 3 (from the top, `bits` wide) of draw ⌊i / 3⌋. */
const LABELS_PER_DRAW = 3;

/** log2 of the number of buckets for `n` elements. */
export function bucketBits(n: number): number {
  return Math.min(MAX_BUCKET_BITS, Math.max(1, Math.ceil(Math.log2(n / BUCKET_TARGET))));
}

/** An inner loop over `whole` draws of `buf`, whose labels belong to elements i, i + 1, …; the shifts and mask extract them. */
type ChunkLoop = (buf: Uint32Array, whole: number, i: number, s0: number, s1: number, s2: number, mask: number) => void;

/**
 * Draw the labels of `n` elements from `rng`, 4,096 draws at a time: each
 * chunk goes to `chunk` (three labels per draw), and the last draw's one or
 * two labels to `place(label, element)`. The inner loops are separate
 * functions, called once per chunk, so that V8 compiles each whole after a
 * few calls instead of replacing one long-running loop on the stack.
 */
function forEachLabel(n: number, rng: Random, bits: number, chunk: ChunkLoop, place: (label: number, i: number) => void): void {
  const mask = (1 << bits) - 1;
  const s0 = 32 - bits;
  const s1 = 32 - 2 * bits;
  const s2 = 32 - 3 * bits;
  const words = Math.ceil(n / LABELS_PER_DRAW);
  const full = Math.floor(n / LABELS_PER_DRAW); // draws whose three labels are all used
  for (let w0 = 0; w0 < words; w0 += CHUNK) {
    const len = Math.min(CHUNK, words - w0);
    rng.fillUint32(drawView(len));
    const whole = Math.min(len, full - w0);
    chunk(draws, whole, w0 * LABELS_PER_DRAW, s0, s1, s2, mask);
    const i = (w0 + whole) * LABELS_PER_DRAW;
    if (whole < len) {
      const x = draws[whole]!;
      place(x >>> s0, i);
      if (i + 1 < n) place((x >>> s1) & mask, i + 1);
    }
  }
}

/** Where every bucket starts (length 2^bits + 1) for `n` labels drawn from `rng`, which is advanced past them. */
function countLabels(n: number, rng: Random, bits: number): Uint32Array {
  const buckets = 1 << bits;
  const starts = new Uint32Array(buckets + 1);
  forEachLabel(n, rng, bits, (buf, whole, _i, s0, s1, s2, mask) => countChunk(buf, whole, starts, s0, s1, s2, mask), (label) => starts[label + 1]!++);
  for (let b = 0; b < buckets; b++) starts[b + 1]! += starts[b]!;
  return starts;
}

function countChunk(buf: Uint32Array, whole: number, starts: Uint32Array, s0: number, s1: number, s2: number, mask: number): void {
  for (let k = 0; k < whole; k++) {
    const x = buf[k]!;
    starts[(x >>> s0) + 1]!++;
    starts[((x >>> s1) & mask) + 1]!++;
    starts[((x >>> s2) & mask) + 1]!++;
  }
}

function plainChunk(a: Typed, out: Typed, next: Uint32Array, buf: Uint32Array, whole: number, i: number, s0: number, s1: number, s2: number, mask: number): void {
  for (let k = 0; k < whole; k++, i += 3) {
    const x = buf[k]!;
    out[next[x >>> s0]!++] = a[i]!;
    out[next[(x >>> s1) & mask]!++] = a[i + 1]!;
    out[next[(x >>> s2) & mask]!++] = a[i + 2]!;
  }
}

function rangeChunk(out: Uint32Array, next: Uint32Array, buf: Uint32Array, whole: number, i: number, s0: number, s1: number, s2: number, mask: number): void {
  for (let k = 0; k < whole; k++, i += 3) {
    const x = buf[k]!;
    out[next[x >>> s0]!++] = i;
    out[next[(x >>> s1) & mask]!++] = i + 1;
    out[next[(x >>> s2) & mask]!++] = i + 2;
  }
}

function withChunk(a: Typed, c: Typed, out: Typed, cOut: Typed, next: Uint32Array, buf: Uint32Array, whole: number, i: number, s0: number, s1: number, s2: number, mask: number): void {
  for (let k = 0; k < whole; k++, i += 3) {
    const x = buf[k]!;
    let p = next[x >>> s0]!++;
    out[p] = a[i]!;
    cOut[p] = c[i]!;
    p = next[(x >>> s1) & mask]!++;
    out[p] = a[i + 1]!;
    cOut[p] = c[i + 1]!;
    p = next[(x >>> s2) & mask]!++;
    out[p] = a[i + 2]!;
    cOut[p] = c[i + 2]!;
  }
}

/**
 * The scatter shuffle into new arrays (or, with `reuse`, back into `a`),
 * with 2^bits buckets: labels counted, elements scattered by label (a
 * stable scatter, bucket by bucket), each bucket shuffled. With `reuse`,
 * plain Uint32Array ids are scattered into a staging buffer (see
 * `stagingForReuse`), shuffled there and copied back into `a`, which the
 * scatter has read whole. Exported for tests, which use few buckets on
 * small arrays.
 *
 * @internal
 */
export function scatterShuffle(a: Typed, rng: Random, c: Typed | undefined, bits: number, reuse = false): { out: Typed; companionOut: Typed | undefined } {
  const n = a.length;
  const companionOut = c === undefined ? undefined : new (c.constructor as new (n: number) => Typed)(n);
  const replay = rng.clone(); // the labels' generator position, to draw them again
  const starts = countLabels(n, rng, bits);
  const next = starts.slice(0, 1 << bits);
  // Ids going back into `a` always pass through a staging buffer (they cannot be scattered in place).
  const staged = c === undefined && a instanceof Uint32Array ? (reuse ? stagingForReuse(n) : stagingFor(n, starts)) : null;
  const out = staged ?? new (a.constructor as new (n: number) => Typed)(n);
  if (companionOut === undefined) {
    forEachLabel(n, replay, bits, (buf, whole, i, s0, s1, s2, mask) => plainChunk(a, out, next, buf, whole, i, s0, s1, s2, mask), (label, i) => {
      out[next[label]!++] = a[i]!;
    });
  } else {
    const cc = c!;
    forEachLabel(n, replay, bits, (buf, whole, i, s0, s1, s2, mask) => withChunk(a, cc, out, companionOut, next, buf, whole, i, s0, s1, s2, mask), (label, i) => {
      const p = next[label]!++;
      out[p] = a[i]!;
      companionOut[p] = cc[i]!;
    });
  }
  shuffleBuckets(out, companionOut, starts, rng);
  if (staged === null) return { out, companionOut };
  // Shuffled in a staging buffer: copied out, with reuse into `a` (read whole by the scatter).
  if (reuse) {
    a.set(staged as never);
    return { out: a, companionOut };
  }
  return { out: out.slice(), companionOut };
}

/** A uniformly random permutation of `0 … n-1` by the scatter shuffle, the ids written straight into their buckets. */
export function scatterRange(n: number, rng: Random): Uint32Array {
  const bits = bucketBits(n);
  const replay = rng.clone();
  const starts = countLabels(n, rng, bits);
  const next = starts.slice(0, 1 << bits);
  const staged = stagingFor(n, starts);
  const out = staged ?? new Uint32Array(n);
  forEachLabel(n, replay, bits, (buf, whole, i, s0, s1, s2, mask) => rangeChunk(out, next, buf, whole, i, s0, s1, s2, mask), (label, i) => {
    out[next[label]!++] = i;
  });
  shuffleBuckets(out, undefined, starts, rng);
  return staged === null ? out : out.slice();
}

/**
 * Where to scatter `n` plain ids whose buckets `starts` delimits: straight
 * into the WebAssembly kernel's memory when it will shuffle them (saving a
 * copy in; the caller copies the result out), else null.
 */
function stagingFor(n: number, starts: Uint32Array): Uint32Array | null {
  if (n < WASM_MIN || largestBucket(starts) > PAIR_LIMIT) return null;
  return wasmData(n);
}

/**
 * Where to scatter `n` plain ids that are to be copied back into the
 * caller's array: the WebAssembly kernel's memory when it loaded — whether
 * or not the kernel can shuffle these buckets (those over 2^16 ids are
 * shuffled there in JavaScript) — else a buffer of this module's, kept for
 * the next such shuffle. Either holds ~4 bytes per id of the largest array
 * staged so far: what a stage's own pooled copy of its selection would
 * hold, which the reuse replaces.
 */
function stagingForReuse(n: number): Uint32Array {
  const kernelMemory = wasmData(n);
  if (kernelMemory !== null) return kernelMemory;
  if (reuseStaging === null || reuseStaging.length < n) reuseStaging = new Uint32Array(n);
  return reuseStaging.length === n ? reuseStaging : reuseStaging.subarray(0, n);
}
let reuseStaging: Uint32Array | null = null;

function largestBucket(starts: Uint32Array): number {
  let largest = 0;
  for (let b = 0; b + 1 < starts.length; b++) largest = Math.max(largest, starts[b + 1]! - starts[b]!);
  return largest;
}

/**
 * Fisher–Yates over every bucket [starts[b], starts[b + 1]) of `out` (and
 * `companionOut`): plain ids in the kernel's memory (scattered there by
 * {@link stagingFor}) by the WebAssembly kernel, else in JavaScript, one
 * call per bucket, all drawing from one stream (the same draws either way).
 */
function shuffleBuckets(out: Typed, companionOut: Typed | undefined, starts: Uint32Array, rng: Random): void {
  // Draws come `len` at a time (fewer for the short arrays of tests, so as not to waste them).
  const len = Math.min(CHUNK, Math.max(out.length, 1));
  if (companionOut === undefined && out instanceof Uint32Array && out.length >= WASM_MIN && largestBucket(starts) <= PAIR_LIMIT && wasmShuffleInPlace(out, starts, rng, len)) return;
  for (let b = 0, pos = len; b + 1 < starts.length; b++) pos = fisherYatesFrom(out, rng, companionOut, starts[b]!, starts[b + 1]!, pos, len);
}
