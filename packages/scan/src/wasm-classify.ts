/*
 * The classification pass of SCAN's batch extremes (classify-losses.ts, used
 * by bracketed-cuts.ts) as a small hand-assembled WebAssembly function with 128-bit
 * SIMD: four losses per compare, and a compare's four lanes become four bits
 * of a mask in one instruction (i32x4.bitmask). V8 compiles the same loop in
 * JavaScript to one compare, branch-free select and shift per loss and
 * bound. The masks it writes are the ones the JavaScript loop writes for the
 * same (float32) bounds, bit for bit (tested); where WebAssembly or its SIMD
 * is unavailable, or the kernels are turned off with setWasmKernels(false),
 * the JavaScript loop runs.
 */
import { assembleModule, I32, lazyModule, op, uleb, V128, wasmKernelsEnabled } from '@seta/engine';
import type { WasmApi } from '@seta/engine';

/** Equal steps each bracket is split into. */
export const STEPS = 4;
/** Bounds per cut: the bracket's two ends and the points between its steps. */
export const BOUNDS = STEPS + 1;

/**
 * `classify(words, out, stride)`: for the losses at address 0 (32 · words
 * float32, padded with NaN) and the 2·BOUNDS float32 bounds at `out − 64`
 * (t_0 … t_S of the low cut, then u_0 … u_S of the high cut), 2·BOUNDS masks
 * of `words` words each, at `out + i·stride`: bit j of word w of mask i is
 * set when loss 32·w + j is below t_i (i < BOUNDS), or above u_(i − BOUNDS)
 * (i ≥ BOUNDS). NaN bounds and NaN losses match nothing. The masks' bit
 * counts go to the 2·BOUNDS words at `out + 2·BOUNDS·stride`.
 */
function moduleBytes(): Uint8Array {
  const { get, set, i32, store } = op;
  const simd = (code: number) => [0xfd, ...uleb(code)];
  const [i32Add, i32Mul, i32Or, i32Shl, i32Sub, i32GeU, i32Popcnt] = [0x6a, 0x6c, 0x72, 0x74, 0x6b, 0x4f, 0x69];
  const [load, lt, gt, bitmask] = [0x00, 0x43, 0x44, 0xa4];
  const M = 2 * BOUNDS;
  // Locals: params 0-2; v128: the M bounds, then v; i32: p, end, q, then M masks and M counts.
  const [WORDS, OUT, STRIDE] = [0, 1, 2];
  const bound = (i: number) => 3 + i;
  const V = 3 + M;
  const [P, END, Q] = [4 + M, 5 + M, 6 + M];
  const mask = (i: number) => 7 + M + i;
  const count = (i: number) => 7 + 2 * M + i;
  const word: number[] = [];
  for (let i = 0; i < M; i++) word.push(...i32(0), ...set(mask(i)));
  for (let k = 0; k < 8; k++) {
    word.push(...get(P), ...simd(load), 4, ...uleb(16 * k), ...set(V));
    for (let i = 0; i < M; i++) {
      word.push(...get(mask(i)), ...get(V), ...get(bound(i)), ...simd(i < BOUNDS ? lt : gt), ...simd(bitmask));
      if (k > 0) word.push(...i32(4 * k), i32Shl);
      word.push(i32Or, ...set(mask(i)));
    }
  }
  for (let i = 0; i < M; i++) {
    word.push(...get(Q), ...(i > 0 ? [...get(STRIDE), ...i32(i), i32Mul, i32Add] : []), ...get(mask(i)), ...store(0));
    word.push(...get(count(i)), ...get(mask(i)), i32Popcnt, i32Add, ...set(count(i)));
  }
  word.push(...get(P), ...i32(128), i32Add, ...set(P), ...get(Q), ...i32(4), i32Add, ...set(Q));
  const body = [
    // the bounds, each splat to four lanes
    ...Array.from({ length: M }, (_, i) => [...get(OUT), ...i32(64), i32Sub, ...simd(0x09), 2, ...uleb(4 * i), ...set(bound(i))]).flat(), // v128.load32_splat
    ...get(WORDS), ...i32(7), i32Shl, ...set(END),
    ...get(OUT), ...set(Q),
    0x02, 0x40, // block
    0x03, 0x40, // loop
    ...get(P), ...get(END), i32GeU, 0x0d, 1, // br_if out of the block
    ...word,
    0x0c, 0, // br to the loop
    0x0b, // end loop
    0x0b, // end block
    // the counts, after the last mask
    ...get(OUT), ...get(STRIDE), ...i32(M), i32Mul, i32Add, ...set(Q),
    ...Array.from({ length: M }, (_, i) => [...get(Q), ...get(count(i)), ...store(4 * i)]).flat(),
  ];
  return assembleModule([
    { name: 'classify', params: [I32, I32, I32], results: [], locals: [[M + 1, V128], [3 + 2 * M, I32]], body },
  ]);
}

/** The compiled module (null: WebAssembly or its SIMD unavailable or refused; undefined: not tried yet). */
const compile = lazyModule(moduleBytes);

/**
 * One instance with its own memory, for batches of up to `capacity` losses
 * (a multiple of 32). Its memory is never grown (growing would detach the
 * old buffer, which slows every typed-array access in the process; see
 * @seta/engine's instantiateWasm): a larger batch gets a new Classifier.
 */
export class Classifier {
  /** Where the batch's losses go (`capacity` long; pad a partial last word with NaN). */
  readonly losses: Float32Array;
  /** The bounds: t_0 … t_S of the low cut, then u_0 … u_S of the high cut. */
  readonly bounds: Float32Array;
  /** The 2·BOUNDS masks (`capacity / 32` words each) and their bit counts. */
  readonly masks: Int32Array[];
  readonly counts: Int32Array;
  private readonly run: (words: number, out: number, stride: number) => void;
  private readonly out: number;
  private readonly stride: number;

  private constructor(api: WasmApi, module: object, readonly capacity: number) {
    const words = capacity >>> 5;
    const m = 2 * BOUNDS;
    this.out = 4 * capacity + 64;
    this.stride = 4 * words;
    const bytes = this.out + (m + 1) * this.stride + 4 * m;
    const memory = new api.Memory({ initial: Math.ceil(bytes / 65536) });
    const inst = new api.Instance(module, { env: { memory } });
    this.run = inst.exports['classify'] as Classifier['run'];
    const buffer = memory.buffer;
    this.losses = new Float32Array(buffer, 0, capacity);
    this.bounds = new Float32Array(buffer, this.out - 64, m);
    this.masks = Array.from({ length: m }, (_, i) => new Int32Array(buffer, this.out + i * this.stride, words));
    this.counts = new Int32Array(buffer, this.out + m * this.stride, m);
  }

  /** A classifier for batches of up to `capacity` losses, or null when the kernels are off or cannot run. */
  static create(capacity: number): Classifier | null {
    if (!wasmKernelsEnabled()) return null;
    const c = compile();
    if (c === null) return null;
    try {
      return new Classifier(c.api, c.module, capacity);
    } catch {
      return null; // no memory for an instance: JavaScript does the work
    }
  }

  /** Classify `losses` (at most `capacity`) against {@link bounds} into {@link masks} and {@link counts}. */
  classify(losses: Float32Array): void {
    const b = losses.length;
    const words = (b + 31) >>> 5;
    this.losses.set(losses);
    if ((b & 31) !== 0) this.losses.fill(Number.NaN, b, 32 * words);
    this.run(words, this.out, this.stride);
  }
}

/** @internal For tests: whether this runtime can run the kernel at all. */
export function classifierAvailable(): boolean {
  return compile() !== null;
}
