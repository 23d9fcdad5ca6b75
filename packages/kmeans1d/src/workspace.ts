/**
 * Reusable memory for repeated {@link kmeans1d} calls on large inputs.
 */
import { checkInteger } from '@seta/engine';

/**
 * Buffers that {@link kmeans1d} and {@link kmeans1dSorted} reuse from one
 * call to the next when given `{ workspace }`: the radix sort's two key
 * arrays (which then hold the distinct values and the ends of their runs)
 * and the checkpoints of the prefix sums — about 9 bytes per value for
 * float32 input. A caller that clusters millions of values every epoch
 * (SeTa's pruning step does) then stops paying for fresh memory on each call:
 * first touching new memory costs a page fault per page, which at millions
 * of values is a visible share of a pruning plan (apps/strategy-bench/src/
 * page-cost.mjs measures it per machine; figures in docs/benchmarks.md).
 *
 * Results never alias the workspace (centroids, sizes and bounds are always
 * new arrays), so a result stays valid after the next call. The buffers stay
 * allocated, at the largest size asked for (plus 1/16 headroom, or the size
 * given to {@link Kmeans1dWorkspace.reserve}), until
 * {@link Kmeans1dWorkspace.clear}. One workspace must not be used by two
 * calls at once (calls are synchronous, so this only matters across worker
 * threads, which cannot share one anyway).
 *
 * @example
 * ```ts
 * const workspace = new Kmeans1dWorkspace();
 * for (const losses of epochs) kmeans1d(losses, 5, { workspace });
 * ```
 */
export class Kmeans1dWorkspace {
  private readonly u32 = new Map<string, Uint32Array>();
  private readonly f32 = new Map<string, Float32Array>();
  private readonly f64 = new Map<string, Float64Array>();
  /** @internal The WebAssembly sort kernel (its memory), once a sort has used one. */
  sortKernel: { readonly memory: { readonly buffer: ArrayBuffer } } | null = null;
  /** @internal The number of values to size new buffers for, at least (see {@link Kmeans1dWorkspace.reserve}). */
  reserved = 0;

  /**
   * Size buffers allocated from now on for calls of up to `n` values, so
   * that a caller whose inputs grow from call to call — SeTa's seen samples
   * grow over the first epochs — allocates once instead of at each step up.
   * Buffers are still allocated only when a call needs them, and memory
   * that no call has touched yet costs address space, not physical memory,
   * so reserving more than is used costs little.
   *
   * @param n - the most values a call will cluster, a non-negative integer.
   * @returns this workspace.
   * @throws RangeError for a negative or non-integer `n`.
   * @example
   * ```ts
   * const workspace = new Kmeans1dWorkspace().reserve(datasetSize);
   * ```
   */
  reserve(n: number): this {
    this.reserved = Math.max(this.reserved, checkInteger('Kmeans1dWorkspace.reserve()', 'n', n, 0));
    return this;
  }

  /** @internal A Uint32Array of `length` elements, stale contents; allocated with room for `room`. */
  uint32(slot: string, length: number, room = length): Uint32Array {
    return take(this.u32, slot, length, room, (n) => new Uint32Array(n));
  }

  /** @internal A Float32Array of `length` elements, stale contents; allocated with room for `room`. */
  float32(slot: string, length: number, room = length): Float32Array {
    return take(this.f32, slot, length, room, (n) => new Float32Array(n));
  }

  /** @internal A Float64Array of `length` elements, stale contents; allocated with room for `room`. */
  float64(slot: string, length: number, room = length): Float64Array {
    return take(this.f64, slot, length, room, (n) => new Float64Array(n));
  }

  /** Bytes currently held. */
  get bytes(): number {
    let total = 0;
    for (const map of [this.u32, this.f32, this.f64] as Map<string, ArrayBufferView>[]) for (const a of map.values()) total += a.byteLength;
    return total + (this.sortKernel?.memory.buffer.byteLength ?? 0);
  }

  /** Release every buffer (they are allocated again when next needed). */
  clear(): void {
    // (A reservation stays: it only sizes buffers when they are next allocated.)
    this.u32.clear();
    this.f32.clear();
    this.f64.clear();
    this.sortKernel = null;
  }
}

function take<T extends Uint32Array | Float32Array | Float64Array>(
  map: Map<string, T>,
  slot: string,
  length: number,
  room: number,
  make: (n: number) => T,
): T {
  let a = map.get(slot);
  if (a === undefined || a.length < length) {
    const size = length < 1024 ? length : length + (length >>> 4);
    try {
      a = make(Math.max(room, size));
    } catch {
      a = make(size); // the reservation was more than this engine will allocate: size for this call only
    }
    map.set(slot, a);
  }
  return (a.length === length ? a : a.subarray(0, length)) as T;
}
