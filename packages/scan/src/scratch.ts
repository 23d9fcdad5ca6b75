import { wasmKernelsEnabled } from '@seta/core';
import { BOUNDS, Classifier } from './wasm-classify.js';

/** Reusable buffers, grown as needed, so that observing a batch allocates nothing. */
export class Scratch {
  /** Capacity in positions (a multiple of 32). */
  size = 0;
  /** The red and ill masks of each direction d: masks[2·d] and masks[2·d + 1]. */
  masks: Int32Array[] = [];
  /** Where {@link bracketedCuts} has the JavaScript pass put its bounds, masks and their counts (see {@link classifyLosses}). */
  bounds = new Float32Array(2 * BOUNDS);
  stepMasks: Int32Array[] = [];
  stepCounts = new Int32Array(2 * BOUNDS);
  /** The working copy of a batch's losses, and the losses inside each bracket. */
  values = new Float32Array(0);
  midLow = new Float32Array(0);
  midHigh = new Float32Array(0);
  /** The combined set, and the positions the fill draws from. */
  out = new Int32Array(0);
  rest = new Uint32Array(0);
  /**
   * Per direction d, at 4·d: the half-widths of the low and the high
   * bracket (0: none yet), and their centres, moving averages of the
   * batches' low and high cuts — guesses that decide only how fast a batch
   * goes, never its result.
   */
  guess = new Float64Array(8);
  /** Batches (per direction) whose cuts came from the brackets, and from the general path: for tests. */
  bracketed = 0;
  general = 0;
  /** The cuts of the current batch: take v < low and the first tiesLow of v === low; v > high and the v === high after the first skipHigh. */
  low = 0;
  tiesLow = 0;
  high = 0;
  skipHigh = 0;

  /** The WebAssembly classification pass for batches up to `size`, when it can run (see {@link classifier}). */
  private kernel: Classifier | null = null;
  /** The capacity a kernel was last asked for (0: not yet), so that a failure is not retried for every batch. */
  private kernelTried = 0;

  /** The WebAssembly classification pass for this scratch's size, or null: kernels turned off, or unavailable. */
  classifier(): Classifier | null {
    if (!wasmKernelsEnabled()) return null;
    if (this.kernelTried !== this.size) {
      this.kernelTried = this.size;
      this.kernel = Classifier.create(this.size);
    }
    return this.kernel;
  }

  ensure(b: number): void {
    if (this.size >= b) return;
    const size = (Math.max(b, 2 * this.size, 256) + 31) & ~31;
    const words = size >>> 5;
    this.size = size;
    this.masks = [0, 1, 2, 3].map(() => new Int32Array(words));
    this.stepMasks = Array.from({ length: 2 * BOUNDS }, () => new Int32Array(words));
    this.values = new Float32Array(size);
    this.midLow = new Float32Array(size);
    this.midHigh = new Float32Array(size);
    this.out = new Int32Array(words);
    this.rest = new Uint32Array(size);
  }
}
