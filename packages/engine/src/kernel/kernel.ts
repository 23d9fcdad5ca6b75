/*
 * The engine's WebAssembly kernel: one small hand-assembled module with the
 * shuffle's per-bucket Fisher–Yates (pairs.ts), sequential sampling
 * (sequential.ts) and the xoshiro128** generator they draw from (fill.ts).
 * It computes exactly what the JavaScript paths compute — the same draws,
 * consumed in the same order (the module runs the generator on a copy of the
 * Random's state, copied back afterwards), the same products, the same
 * rejections — so results are identical whichever runs (tested). Where
 * WebAssembly is unavailable, refused, or switched off (setWasmKernels),
 * the JavaScript paths run. Why a hand-assembled module rather than a
 * compiled one: docs/decisions/0005-hand-assembled-webassembly.md.
 */
import type { Random } from '../random.js';
import { assembleModule } from '../wasm/assembler.js';
import { instantiateWasm, lazyModule } from '../wasm/compile.js';
import type { WasmMemory } from '../wasm/compile.js';
import { wasmKernelsEnabled } from '../wasm/switch.js';
import { fillFunction } from './fill.js';
import { DATA_OFFSET, DRAWS_WORDS, STARTS_OFFSET, STATE_OFFSET } from './layout.js';
import { pairsFunction } from './pairs.js';
import { sequentialFunction } from './sequential.js';

/** Buckets per call of `run` (see wasmShuffleInPlace). */
const RUN_GROUP = 32;
/** Arrays beyond this many elements stay in JavaScript (the module's memory is 32-bit). */
const MAX_ELEMENTS = 2 ** 28;

interface Kernel {
  run: (starts: number, buckets: number, data: number, len: number, pos: number) => number;
  sample: (n: number, k: number, data: number, wide: number) => number;
  memory: WasmMemory;
  /** The generator's state words in the memory. */
  state: Int32Array;
}

// Function order fixes the indices in layout.ts (RUN, SAMPLE, FILL).
const compiled = lazyModule(() => assembleModule([pairsFunction(), sequentialFunction(), fillFunction()]));
/** The current instance, with its memory. */
let kernel: Kernel | null = null;

/**
 * An instance whose memory holds at least `bytes`: the current one, or a new
 * one with 1/8 headroom (the old one is dropped; memories are never grown).
 */
function instance(bytes: number): Kernel | null {
  if (kernel !== null && kernel.memory.buffer.byteLength >= bytes) return kernel;
  const c = compiled();
  const made = c === null ? null : instantiateWasm(c, bytes + (bytes >>> 3));
  if (made === null) return null;
  kernel = {
    run: made.exports['run'] as Kernel['run'],
    sample: made.exports['sample'] as Kernel['sample'],
    memory: made.memory,
    state: new Int32Array(made.memory.buffer, STATE_OFFSET, 4),
  };
  return kernel;
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
 * A view of `n` elements of the kernel's memory to fill with the data to
 * shuffle (e.g. straight from a scatter, saving a copy), or null when the
 * kernels are off or cannot run, or `n` is too large. Valid until the next
 * call.
 *
 * @internal
 */
export function wasmData(n: number): Uint32Array | null {
  if (n > MAX_ELEMENTS || !wasmKernelsEnabled()) return null;
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
  if (!wasmKernelsEnabled() || k === null || data.buffer !== k.memory.buffer || data.byteOffset !== DATA_OFFSET) return false;
  if (buckets > 1024 || len > DRAWS_WORDS || starts[buckets]! > data.length) return false;
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
 * `selectionSample` does in place (same draws, same rejections, same
 * choice). Returns false, having drawn nothing, if it cannot run.
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
 * (length k): the ids are laid out in the kernel's memory and kept in
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

/** @internal For tests: the module's bytes validate here. */
export function kernelAvailable(): boolean {
  return compiled() !== null;
}
