/*
 * The shuffle's per-bucket Fisher–Yates (two swaps per 32-bit draw, see
 * shuffle.ts) as a small hand-assembled WebAssembly function. It computes
 * exactly what the JavaScript kernel computes — the same draws, consumed in
 * the same order (the module runs the same xoshiro128** generator on a copy
 * of the Random's state, copied back afterwards), the same products, the
 * same rejections — so
 * plans are identical whichever runs (tested). With WebAssembly's 64-bit
 * integer multiply and plain loads and stores, whole shuffles of 7.5 M ids
 * run 1.4–1.5 times faster here than with V8's code for the same loop
 * (apps/strategy-bench/src/kernels.mjs). Where WebAssembly is unavailable (or refused,
 * e.g. by a page's content security policy) the JavaScript kernel runs.
 */
import type { Random } from './random.js';
import { compileWasm } from './wasm.js';
import type { CompiledWasm, WasmApi } from './wasm.js';

/** Bytes 0 … 16 KiB: the draw buffer (4,096 words); then the bucket starts; the generator's state; then the data. */
const DRAWS_BYTES = 4096 * 4;
const STARTS_OFFSET = DRAWS_BYTES;
/** Room for 2^10 + 1 bucket starts. */
const STARTS_BYTES = 4100 + 12;
/** The generator's four state words while a kernel runs. */
const STATE_OFFSET = STARTS_OFFSET + STARTS_BYTES;
const DATA_OFFSET = STATE_OFFSET + 16;
/** Buckets per call of `run` (see wasmShuffleInPlace). */
const RUN_GROUP = 32;
/** Arrays beyond this many elements stay in JavaScript (the module's memory is 32-bit). */
const MAX_ELEMENTS = 2 ** 28;

/** Unsigned and signed LEB128. */
function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return out;
}
function sleb(n: bigint): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = Number(n & 0x7fn);
    n >>= 7n;
    const done = (n === 0n && (byte & 0x40) === 0) || (n === -1n && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}
const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];
const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
const name = (s: string) => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];

/**
 * `run(starts, buckets, data, len, pos) → pos`: for each bucket b, the
 * Fisher–Yates of data[starts[b] … starts[b + 1]) exactly as `pairsU32` in
 * shuffle.ts does it, drawing from the buffer at address 0 (`len` words,
 * refilled by `fill(len)` — the module's own xoshiro128** — when `pos` reaches `len`).
 */
function moduleBytes(): Uint8Array {
  const I32 = 0x7f;
  const I64 = 0x7e;
  // Opcodes.
  const block = [0x02, 0x40];
  const loop = [0x03, 0x40];
  const if_ = [0x04, 0x40];
  const end = 0x0b;
  const br = (l: number) => [0x0c, l];
  const brIf = (l: number) => [0x0d, l];
  const call = (f: number) => [0x10, f];
  const get = (l: number) => [0x20, l];
  const set = (l: number) => [0x21, l];
  const load = [0x28, 2, 0];
  const store = [0x36, 2, 0];
  const i32 = (v: number) => [0x41, ...sleb(BigInt(v))];
  const i64 = (v: bigint) => [0x42, ...sleb(v)];
  const [i32Eq, i32GeU, i32LeU, i32Add, i32Sub, i32Shl, i32ShrU] = [0x46, 0x4f, 0x4d, 0x6a, 0x6b, 0x74, 0x76];
  const [i64GeU, i64GtU, i64Sub, i64Mul, i64RemU, i64And, i64ShrU] = [0x5a, 0x56, 0x7d, 0x7e, 0x82, 0x83, 0x88];
  const [wrap, extendU, select] = [0xa7, 0xad, 0x1b];
  /** Function indices: run, sample, fill. */
  const FILL = 2;
  // Parameters: 0 starts, 1 buckets, 2 data, 3 len, 4 pos. Locals (i32): 5 b, 6 s, 7 i, 8 h1, 9 h2, 10 t, 11 addr;
  // (i64): 12 m, 13 m2, 14 bound, 15 p, 16 l2, 17 rest.
  const [STARTS, BUCKETS, DATA, LEN, POS, B, S, I, H1, H2, T, ADDR, M, M2, BOUND, P, L2, REST] =
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17];
  /** Next draw (u32 as i64) on the stack; refills first when the buffer is used up. */
  const nextDraw = [
    ...get(POS), ...get(LEN), i32Eq, ...if_, ...get(LEN), ...call(FILL), ...i32(0), ...set(POS), end,
    ...get(POS), ...i32(2), i32Shl, ...load, extendU,
    ...get(POS), ...i32(1), i32Add, ...set(POS),
  ];
  /** Swap data[x] and data[j], x and j given as code that pushes them; uses T and ADDR. */
  const swapWith = (x: number[], j: number[]) => [
    // t = data[x]
    ...get(DATA), ...x, ...i32(2), i32Shl, i32Add, ...load, ...set(T),
    // data[x] = data[j]
    ...get(DATA), ...x, ...i32(2), i32Shl, i32Add,
    ...get(DATA), ...j, ...i32(2), i32Shl, i32Add, ...set(ADDR), ...get(ADDR), ...load,
    ...store,
    // data[j] = t
    ...get(ADDR), ...get(T), ...store,
  ];
  const body = [
    ...i32(0), ...set(B),
    ...block, ...loop, // buckets
    ...get(B), ...get(BUCKETS), i32GeU, ...brIf(1),
    ...get(STARTS), ...get(B), ...i32(2), i32Shl, i32Add, ...load, ...set(S),
    ...get(STARTS), ...get(B), ...i32(2), i32Shl, i32Add, 0x28, 2, 4, ...i32(1), i32Sub, ...set(I), // i = starts[b + 1] − 1
    ...block, ...loop, // pairs: while i > s + 1
    ...get(I), ...get(S), ...i32(1), i32Add, i32LeU, ...brIf(1),
    ...get(I), ...get(S), i32Sub, ...i32(1), i32Add, extendU, ...set(M), // m = i − s + 1
    ...get(M), ...i64(1n), i64Sub, ...set(M2),
    ...get(M), ...get(M2), i64Mul, ...set(BOUND),
    ...block, ...loop, // draw until accepted
    ...nextDraw, ...get(M), i64Mul, ...set(P), // p1 = x · m
    ...get(P), ...i64(32n), i64ShrU, wrap, ...set(H1),
    ...get(P), ...i64(0xffffffffn), i64And, ...get(M2), i64Mul, ...set(P), // p2 = l1 · (m − 1)
    ...get(P), ...i64(32n), i64ShrU, wrap, ...set(H2),
    ...get(P), ...i64(0xffffffffn), i64And, ...set(L2),
    ...get(L2), ...get(BOUND), i64GeU, ...brIf(1), // l2 ≥ bound: accepted
    // threshold: bound > 2^31 ? 2^32 − bound : (2^32 − bound) mod bound
    ...i64(0x100000000n), ...get(BOUND), i64Sub, ...set(REST),
    ...get(L2),
    ...get(REST), ...get(REST), ...get(BOUND), i64RemU, ...get(BOUND), ...i64(0x80000000n), i64GtU, select,
    i64GeU, ...brIf(1),
    ...br(0),
    end, end,
    ...swapWith(get(I), [...get(S), ...get(H1), i32Add]),
    ...swapWith([...get(I), ...i32(1), i32Sub], [...get(S), ...get(H2), i32Add]),
    ...get(I), ...i32(2), i32Sub, ...set(I),
    ...br(0),
    end, end,
    // The last swap, bound 2: the top bit of a draw.
    ...get(I), ...get(S), ...i32(1), i32Add, i32Eq, ...if_,
    ...nextDraw, wrap, ...i32(31), i32ShrU, ...set(H1),
    ...swapWith(get(I), [...get(S), ...get(H1), i32Add]),
    end,
    ...get(B), ...i32(1), i32Add, ...set(B),
    ...br(0),
    end, end,
    ...get(POS),
  ];
  const locals = vec([[7, I32], [6, I64]].map(([count, type]) => [count!, type!]));
  const code = [...locals, ...body, end];

  // sample(n, k, data, wide) → taken: sequential sampling, as `selectionSample`
  // in sample.ts does it in place (its draws, Lemire on 28 bits of each, or
  // on all 32 when `wide` is 1, rejections), keeping data[0 … k) = the chosen
  // values of data[0 … n) in order. Parameters: 0 n, 1 k, 2 data, 3 wide.
  // Locals (i32): 4 taken, 5 i, 6 pos, 7 draw shift; (i64): 8 m, 9 p, 10 lo,
  // 11 2^w, 12 w.
  const [N, K, SDATA, WIDE, TAKEN, SI, SPOS, XS, SM, SP, LO, TWO, SH] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  const selectValue = 0x1b;
  const [i64LtU, i64Extend] = [0x54, extendU];
  const copyValue = [
    // data[taken] = data[i]
    ...get(SDATA), ...get(TAKEN), ...i32(2), i32Shl, i32Add,
    ...get(SDATA), ...get(SI), ...i32(2), i32Shl, i32Add, ...load,
    ...store,
  ];
  const sampleBody = [
    // Draw width: 28 bits (x >>> 4) for populations up to 2^25, else all 32.
    ...i32(0), ...i32(4), ...get(WIDE), selectValue, ...set(XS),
    ...i64(0x100000000n), ...i64(0x10000000n), ...get(WIDE), selectValue, ...set(TWO),
    ...i64(32n), ...i64(28n), ...get(WIDE), selectValue, ...set(SH),
    ...i32(4096), ...set(SPOS),
    ...block, ...loop,
    // while taken < k && k − taken < n − i
    ...get(TAKEN), ...get(K), i32GeU, ...brIf(1),
    ...get(K), ...get(TAKEN), i32Sub, ...get(N), ...get(SI), i32Sub, i32GeU, ...brIf(1),
    ...get(SPOS), ...i32(4096), i32Eq, ...if_, ...i32(4096), ...call(FILL), ...i32(0), ...set(SPOS), end,
    ...get(N), ...get(SI), i32Sub, i64Extend, ...set(SM), // m = n − i
    ...get(SPOS), ...i32(2), i32Shl, ...load, ...get(XS), i32ShrU, i64Extend, ...get(SM), i64Mul, ...set(SP), // p = (x >>> xs) · m
    ...get(SPOS), ...i32(1), i32Add, ...set(SPOS),
    ...get(SP), ...get(TWO), ...i64(1n), i64Sub, i64And, ...set(LO),
    // rejected (lo < m and lo < (2^w − m) mod m): the next draw decides the same i
    ...get(LO), ...get(SM), i64LtU, ...if_, // (rare) only then the costly modulo
    ...get(LO), ...get(TWO), ...get(SM), i64Sub, ...get(SM), i64RemU, i64LtU,
    ...brIf(1), // inside the if, label 1 is the loop: draw again
    end,
    ...copyValue,
    // taken += t < k − taken, with t = p >> w
    ...get(TAKEN),
    ...get(SP), ...get(SH), i64ShrU, ...get(K), ...get(TAKEN), i32Sub, i64Extend, i64LtU,
    i32Add, ...set(TAKEN),
    ...get(SI), ...i32(1), i32Add, ...set(SI),
    ...br(0),
    end, end,
    // Every value left is needed (or none is).
    ...block, ...loop,
    ...get(TAKEN), ...get(K), i32GeU, ...brIf(1),
    ...copyValue,
    ...get(TAKEN), ...i32(1), i32Add, ...set(TAKEN),
    ...get(SI), ...i32(1), i32Add, ...set(SI),
    ...br(0),
    end, end,
    ...get(TAKEN),
  ];
  const sampleCode = [...vec([[4, I32], [5, I64]]), ...sampleBody, end];
  // fill(len): draws 0 … len-1 of xoshiro128** into the buffer at address 0,
  // exactly as Random.fillUint32 computes them, from and back to the state
  // words at STATE_OFFSET. Parameter: 0 len. Locals (i32): 1-4 s0-s3, 5 addr, 6 end, 7 t.
  const [FLEN, S0, S1, S2, S3, FADDR, FEND, FT] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [i32Mul, i32Xor, i32Rotl] = [0x6c, 0x73, 0x77];
  const stateLoad = (w: number) => [...i32(0), 0x28, 2, ...uleb(STATE_OFFSET + 4 * w)];
  const stateStore = (w: number, local: number) => [...i32(0), ...get(local), 0x36, 2, ...uleb(STATE_OFFSET + 4 * w)];
  const fillBody = [
    ...stateLoad(0), ...set(S0), ...stateLoad(1), ...set(S1), ...stateLoad(2), ...set(S2), ...stateLoad(3), ...set(S3),
    ...get(FLEN), ...i32(2), i32Shl, ...set(FEND),
    ...block, ...loop,
    ...get(FADDR), ...get(FEND), i32GeU, ...brIf(1),
    // buffer[addr] = rotl(s1 · 5, 7) · 9
    ...get(FADDR), ...get(S1), ...i32(5), i32Mul, ...i32(7), i32Rotl, ...i32(9), i32Mul, ...store,
    ...get(S1), ...i32(9), i32Shl, ...set(FT),
    ...get(S2), ...get(S0), i32Xor, ...set(S2),
    ...get(S3), ...get(S1), i32Xor, ...set(S3),
    ...get(S1), ...get(S2), i32Xor, ...set(S1),
    ...get(S0), ...get(S3), i32Xor, ...set(S0),
    ...get(S2), ...get(FT), i32Xor, ...set(S2),
    ...get(S3), ...i32(11), i32Rotl, ...set(S3),
    ...get(FADDR), ...i32(4), i32Add, ...set(FADDR),
    ...br(0),
    end, end,
    ...stateStore(0, S0), ...stateStore(1, S1), ...stateStore(2, S2), ...stateStore(3, S3),
  ];
  const fillCode = [...vec([[7, I32]]), ...fillBody, end];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, 1, I32, 0], [0x60, 5, I32, I32, I32, I32, I32, 1, I32], [0x60, 4, I32, I32, I32, I32, 1, I32]])),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, 1]])),
    ...section(3, vec([[1], [2], [0]])),
    ...section(7, vec([[...name('run'), 0x00, 0], [...name('sample'), 0x00, 1], [...name('fill'), 0x00, FILL]])),
    ...section(10, vec([[...uleb(code.length), ...code], [...uleb(sampleCode.length), ...sampleCode], [...uleb(fillCode.length), ...fillCode]])),
  ];
  return Uint8Array.from(bytes);
}

type WasmMemory = InstanceType<WasmApi['Memory']>;

interface Kernel {
  run: (starts: number, buckets: number, data: number, len: number, pos: number) => number;
  sample: (n: number, k: number, data: number, wide: number) => number;
  fill: (len: number) => void;
  memory: WasmMemory;
  /** The generator's state words in the memory. */
  state: Int32Array;
}

/** The compiled module (null: WebAssembly unavailable or refused; undefined: not tried yet). */
let compiled: CompiledWasm | null | undefined;
/** The current instance, with its memory. */
let kernel: Kernel | null = null;

function compile(): CompiledWasm | null {
  if (compiled === undefined) compiled = compileWasm(moduleBytes());
  return compiled;
}

/**
 * An instance whose memory holds at least `bytes`. Memory is never grown:
 * growing detaches the old ArrayBuffer, and V8 then stops trusting that no
 * typed array is ever detached, which slows every typed-array access in the
 * process (a plain typed-array sum runs twice as slow after one:
 * apps/strategy-bench/src/kernels.mjs). A larger
 * request instantiates the module again with a new memory (the old one is
 * dropped), with 1/8 headroom.
 */
function instance(bytes: number): Kernel | null {
  if (kernel !== null && kernel.memory.buffer.byteLength >= bytes) return kernel;
  const c = compile();
  if (c === null) return null;
  try {
    const memory = new c.api.Memory({ initial: Math.ceil((bytes + (bytes >>> 3)) / 65536) });
    const inst = new c.api.Instance(c.module, { env: { memory } });
    kernel = {
      run: inst.exports['run'] as Kernel['run'],
      sample: inst.exports['sample'] as Kernel['sample'],
      fill: inst.exports['fill'] as Kernel['fill'],
      memory,
      state: new Int32Array(memory.buffer, STATE_OFFSET, 4),
    };
    return kernel;
  } catch {
    return null; // out of memory for a new instance: JavaScript does the work
  }
}

/**
 * Run `f` — a kernel call that draws from the module's copy of the
 * generator — with `rng`'s state copied in before and back out after, so
 * that `rng` ends exactly where the same draws in JavaScript would leave it.
 */
function withGenerator<T>(k: Kernel, rng: Random, f: () => T): T {
  const words = rng.stateWords();
  k.state.set(words);
  try {
    return f();
  } finally {
    words.set(k.state);
  }
}

/**
 * A view of `n` elements of the module's memory to fill with the data to
 * shuffle (e.g. straight from a scatter, saving a copy), or null when
 * WebAssembly is unavailable or `n` too large. Valid until the next call.
 *
 * @internal
 */
export function wasmData(n: number): Uint32Array | null {
  if (n > MAX_ELEMENTS) return null;
  const k = instance(DATA_OFFSET + 4 * n);
  return k === null ? null : new Uint32Array(k.memory.buffer, DATA_OFFSET, n);
}

/**
 * Fisher–Yates of every bucket [starts[b], starts[b + 1]) of `data` — a view
 * from {@link wasmData} — in place (each bucket at most 2^16 long), drawing
 * `len` words at a time from `rng` exactly as the JavaScript kernel does.
 * Returns false, having drawn nothing, if it cannot run.
 *
 * @internal
 */
export function wasmShuffleInPlace(data: Uint32Array, starts: Uint32Array, rng: Random, len: number): boolean {
  const k = kernel;
  const buckets = starts.length - 1;
  if (k === null || data.buffer !== k.memory.buffer || data.byteOffset !== DATA_OFFSET) return false;
  if (buckets > 1024 || len > 4096 || starts[buckets]! > data.length) return false;
  new Uint32Array(k.memory.buffer, STARTS_OFFSET, buckets + 1).set(starts);
  // Buckets go in groups, one call each: V8 moves a WebAssembly function from
  // its baseline code to optimized code between calls, not during one, so a
  // process's first shuffle would otherwise run whole on the baseline code.
  withGenerator(k, rng, () => {
    for (let b = 0, pos = len; b < buckets; b += RUN_GROUP) pos = k.run(STARTS_OFFSET + 4 * b, Math.min(RUN_GROUP, buckets - b), DATA_OFFSET, len, pos);
  });
  return true;
}

/**
 * Keep a uniformly random `k` of `array[start … end)` in order at
 * `array[start …]` by sequential sampling in WebAssembly — exactly what
 * `selectionSample` in sample.ts does in place (same draws, same
 * rejections, same choice). Returns false, having drawn nothing, if it
 * cannot run.
 *
 * @internal
 */
export function wasmCompactSample(array: Uint32Array, start: number, end: number, k: number, rng: Random, wide: boolean): boolean {
  const n = end - start;
  const data = wasmData(n);
  const kernel_ = kernel;
  if (data === null || kernel_ === null) return false;
  data.set(array.subarray(start, end));
  withGenerator(kernel_, rng, () => kernel_.sample(n, k, DATA_OFFSET, wide ? 1 : 0));
  array.set(data.subarray(0, k), start);
  return true;
}

/**
 * `k` of `0 … n-1` by the same sequential sampling, ascending, into `out`
 * (length k): the ids are laid out in the module's memory and kept in
 * place. Returns false, having drawn nothing, if it cannot run.
 *
 * @internal
 */
export function wasmSampleRange(n: number, k: number, rng: Random, out: Uint32Array, wide: boolean): boolean {
  const data = wasmData(n);
  const kernel_ = kernel;
  if (data === null || kernel_ === null) return false;
  for (let i = 0; i < n; i++) data[i] = i;
  withGenerator(kernel_, rng, () => kernel_.sample(n, k, DATA_OFFSET, wide ? 1 : 0));
  out.set(data.subarray(0, k));
  return true;
}

let sampleEnabled = true;

/** @internal Whether compactSample may use the kernel (see {@link setWasmSample}). */
export function wasmSampleEnabled(): boolean {
  return sampleEnabled;
}

/** @internal For tests: turn the sampling kernel off or on; returns the previous setting. */
export function setWasmSample(on: boolean): boolean {
  const previous = sampleEnabled;
  sampleEnabled = on;
  return previous;
}

/** @internal For tests: the module's bytes validate. */
export function wasmPairsAvailable(): boolean {
  return compile() !== null;
}
