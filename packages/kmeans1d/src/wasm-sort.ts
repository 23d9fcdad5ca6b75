/*
 * The float32 radix sort's passes (radix-float32.ts) as small hand-assembled
 * WebAssembly functions: the key pass (validation, order-preserving keys,
 * their range and low-bit histogram) and the scatters (up to 1,024-way). They do
 * exactly what the JavaScript loops do — same keys, same stable scatters —
 * so the sorted output is identical (tested with the kernel on and off).
 * WebAssembly's plain loads and stores make the optimal k-means of millions
 * of losses, which is mostly this sort, faster (docs/benchmarks.md,
 * `node apps/strategy-bench/src/kernels.mjs`). Assembled, compiled and
 * switched on and off (setWasmKernels) by @seta/engine like every seta
 * kernel.
 *
 * Memory layout: the key range (8 bytes), the low-bit histogram and the
 * passes' histograms, then two regions of n words (the input is copied into
 * the second, keys go to the first, and the passes alternate). The memory
 * is never grown (growing detaches an ArrayBuffer, which slows every
 * typed-array access in the process afterwards): a larger sort takes a new
 * one.
 */
import type { Kmeans1dWorkspace } from './workspace.js';
import { assembleModule, I32, instantiateWasm, lazyModule, op, wasmKernelsEnabled } from '@seta/engine';
import type { WasmMemory } from '@seta/engine';

/** Byte offsets: key range, low-bit histogram (1,024 words), 4 pass histograms (1,024 words each), data. */
const RANGE = 0;
const LOW = 64;
const HIST = LOW + 4096;
const DATA = HIST + 4 * 4096;
/** Sorts beyond this many values stay in JavaScript (two regions of n words must fit a 32-bit memory). */
const MAX_VALUES = 2 ** 28;
/** Shorter inputs stay in JavaScript: copying in costs more than the kernel saves. */
export const SORT_KERNEL_MIN = 1 << 16;

/**
 * - `keys(src, dst, n) → bad`: dst[i] = the key of the float bits src[i]
 *   (−0 as 0), the least and greatest key at RANGE (updated), the histogram of the
 *   keys' low 10 bits at LOW (added to); returns the index of the first
 *   NaN or ±Infinity, or −1.
 * - `scatterCount(src, dst, n, m0, s1, m1, s2, m2, s3, m3)`: the first
 *   pass — scatter by key & m0 with offsets at HIST, and count digits
 *   (key >>> s1) & m1, (key >>> s2) & m2 and (key >>> s3) & m3 into the
 *   second, third and fourth histograms (a zero mask counts nothing useful).
 * - `scatter(src, dst, n, hist, shift, mask, toBits)`: one stable pass by the
 *   digit (key >>> shift) & mask, offsets at `hist`; writes float bits
 *   instead of keys when `toBits` is 1 (the last pass).
 */
function moduleBytes(): Uint8Array {
  const { block, loop, end, br, brIf, get, set, tee, load, store, i32 } = op;
  const ret = 0x0f;
  const [eq, ltS, ltU, gtU, geU] = [0x46, 0x48, 0x49, 0x4b, 0x4f];
  const [add, and, or, xor, shl, shrU, select] = [0x6a, 0x71, 0x72, 0x73, 0x74, 0x76, 0x1b];
  const ifThen = (body: number[]) => [0x04, 0x40, ...body, end];
  /** [address] += 1, the address pushed by `at` (uses local `tmp`). */
  const increment = (at: number[], tmp: number) => [...at, ...tee(tmp), ...get(tmp), ...load(), ...i32(1), add, ...store()];
  /** `get(local) << 2`. */
  const words = (local: number) => [...get(local), ...i32(2), shl];

  // keys: params 0 src, 1 dst, 2 n; locals 3 i, 4 b, 5 k, 6 min, 7 max, 8 tmp.
  const keys = [
    // min and max continue from RANGE (the caller starts them at 2^32 − 1 and 0), so the keys can come in chunks
    ...i32(0), ...load(RANGE), ...set(6),
    ...i32(0), ...load(RANGE + 4), ...set(7),
    ...block, ...loop,
    ...get(3), ...get(2), geU, ...brIf(1),
    ...get(0), ...words(3), add, ...load(), ...set(4),
    // NaN or ±Infinity: report where
    ...get(4), ...i32(0x7f800000), and, ...i32(0x7f800000), eq, ...ifThen([...get(3), ret]),
    // −0 → 0
    ...i32(0), ...get(4), ...get(4), ...i32(0x80000000), eq, select, ...set(4),
    // k = b < 0 ? ~b : b | 2^31
    ...get(4), ...i32(-1), xor, ...get(4), ...i32(0x80000000), or, ...get(4), ...i32(0), ltS, select, ...set(5),
    ...get(1), ...words(3), add, ...get(5), ...store(),
    ...increment([...get(5), ...i32(1023), and, ...i32(2), shl, ...i32(LOW), add], 8),
    ...get(5), ...get(6), ...get(5), ...get(6), ltU, select, ...set(6),
    ...get(5), ...get(7), ...get(5), ...get(7), gtU, select, ...set(7),
    ...get(3), ...i32(1), add, ...set(3),
    ...br(0),
    end, end,
    ...i32(0), ...get(6), ...store(RANGE),
    ...i32(0), ...get(7), ...store(RANGE + 4),
    ...i32(-1),
  ];

  // scatterCount: params 0 src, 1 dst, 2 n, 3 m0, 4 s1, 5 m1, 6 s2, 7 m2, 8 s3, 9 m3; locals 10 end, 11 key, 12 at, 13 pos.
  const scatterCount = [
    ...get(0), ...words(2), add, ...set(10),
    ...block, ...loop,
    ...get(0), ...get(10), geU, ...brIf(1),
    ...get(0), ...load(), ...set(11),
    ...get(11), ...get(3), and, ...i32(2), shl, ...i32(HIST), add, ...tee(12), ...load(), ...set(13),
    ...get(12), ...get(13), ...i32(1), add, ...store(),
    ...get(1), ...words(13), add, ...get(11), ...store(),
    ...increment([...get(11), ...get(4), shrU, ...get(5), and, ...i32(2), shl, ...i32(HIST + 4096), add], 12),
    ...increment([...get(11), ...get(6), shrU, ...get(7), and, ...i32(2), shl, ...i32(HIST + 8192), add], 12),
    ...increment([...get(11), ...get(8), shrU, ...get(9), and, ...i32(2), shl, ...i32(HIST + 12288), add], 12),
    ...get(0), ...i32(4), add, ...set(0),
    ...br(0),
    end, end,
  ];

  // scatter: params 0 src, 1 dst, 2 n, 3 hist, 4 shift, 5 mask, 6 toBits; locals 7 end, 8 key, 9 at, 10 pos.
  const scatter = [
    ...get(0), ...words(2), add, ...set(7),
    ...block, ...loop,
    ...get(0), ...get(7), geU, ...brIf(1),
    ...get(0), ...load(), ...set(8),
    ...get(8), ...get(4), shrU, ...get(5), and, ...i32(2), shl, ...get(3), add, ...tee(9), ...load(), ...set(10),
    ...get(9), ...get(10), ...i32(1), add, ...store(),
    ...get(1), ...words(10), add,
    // toBits ? the float bits (key < 0, i.e. top bit set ? key & 0x7fffffff : ~key) : the key
    ...get(8), ...i32(0x7fffffff), and, ...get(8), ...i32(-1), xor, ...get(8), ...i32(0), ltS, select,
    ...get(8),
    ...get(6), select,
    ...store(),
    ...get(0), ...i32(4), add, ...set(0),
    ...br(0),
    end, end,
  ];
  return assembleModule([
    { name: 'keys', params: [I32, I32, I32], results: [I32], locals: [[6, I32]], body: keys },
    { name: 'scatterCount', params: Array<number>(10).fill(I32), results: [], locals: [[4, I32]], body: scatterCount },
    { name: 'scatter', params: Array<number>(7).fill(I32), results: [], locals: [[4, I32]], body: scatter },
  ]);
}

/** An instance of the sort module with its memory. */
export interface SortKernel {
  readonly memory: WasmMemory;
  readonly keys: (src: number, dst: number, n: number) => number;
  readonly scatterCount: (
    src: number, dst: number, n: number, m0: number, s1: number, m1: number, s2: number, m2: number, s3: number, m3: number,
  ) => void;
  readonly scatter: (src: number, dst: number, n: number, hist: number, shift: number, mask: number, toBits: number) => void;
}

const compiled = lazyModule(moduleBytes);

/**
 * A kernel whose memory holds a sort of `n` values, or null (too short or
 * too long for it, WebAssembly unavailable, or out of memory: the caller
 * sorts in JavaScript). With a workspace the kernel is kept there (with
 * 1/16 headroom) and reused by later calls; without one it is the caller's
 * for this call only.
 */
export function sortKernel(n: number, workspace: Kmeans1dWorkspace | undefined): SortKernel | null {
  if (!wasmKernelsEnabled() || n < SORT_KERNEL_MIN || n > MAX_VALUES) return null;
  const bytes = DATA + 8 * n;
  const held = workspace?.sortKernel as SortKernel | null | undefined;
  if (held != null && held.memory.buffer.byteLength >= bytes) return held;
  const c = compiled();
  // A workspace's kernel is sized for its reservation, if larger, and 1/16 more.
  const room = workspace === undefined ? bytes : Math.max(bytes + (bytes >>> 4), DATA + 8 * Math.min(workspace.reserved, MAX_VALUES));
  const made = c === null ? null : instantiateWasm(c, room);
  if (made === null) return null;
  const x = made.exports;
  const kernel: SortKernel = {
    memory: made.memory,
    keys: x['keys'] as SortKernel['keys'],
    scatterCount: x['scatterCount'] as SortKernel['scatterCount'],
    scatter: x['scatter'] as SortKernel['scatter'],
  };
  if (workspace !== undefined) workspace.sortKernel = kernel;
  return kernel;
}

/** @internal Where things are in a kernel's memory. */
export const SORT_LAYOUT = { RANGE, LOW, HIST, DATA } as const;
