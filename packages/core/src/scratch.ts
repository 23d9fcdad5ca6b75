import { checkInteger, describeValue } from './validate.js';

/** Checks a pool request: a string slot and a length a typed array can have. */
function checkRequest(fn: string, slot: unknown, length: unknown): void {
  if (slot !== null && typeof slot !== 'string') throw new TypeError(`${fn}: slot must be a string, got ${describeValue(slot)}`);
  checkInteger(fn, 'length', length, 0, 0xffff_ffff);
}

/**
 * Reusable typed arrays for a stage's temporaries, kept from one `plan()` to
 * the next so that a big selection does not pay for fresh memory (on the
 * reference machine, first touch of a new 40 MB array costs ~20 ms of page
 * faults) every epoch.
 *
 * The pipeline gives every stage its own pool (`StageContext.scratch`), so
 * two stages — even two of the same kind — never share an array. A slot's
 * array is only valid until the same slot is asked for again: a stage may
 * return it in its `Selection` (the pipeline copies the final selection into
 * the fresh arrays of the plan it hands out, so no plan ever aliases a
 * pooled array), but must not keep it, or a plan, across epochs. Contents are
 * whatever the previous use left: overwrite before reading.
 *
 * Memory: the pooled arrays stay allocated for the pruner's lifetime, at the
 * largest size each slot was asked for (plus 1/16 headroom).
 *
 * @example
 * ```ts
 * const order = ctx.scratch?.uint32('order', n) ?? new Uint32Array(n);
 * ```
 */
export class ScratchPool {
  private readonly u32 = new Map<string, Uint32Array>();
  private readonly f32 = new Map<string, Float32Array>();

  /**
   * A Uint32Array of exactly `length` elements, reused from the last request for `slot` when it is large enough.
   *
   * @param slot - the name of the temporary, unique within the stage.
   * @param length - the number of elements.
   * @returns an array of stale contents (a view of the pooled one).
   * @throws TypeError for a slot that is not a string; RangeError for a length that is not an integer in [0, 2^32 − 1].
   */
  uint32(slot: string, length: number): Uint32Array {
    checkRequest('ScratchPool.uint32()', slot, length);
    let a = this.u32.get(slot);
    if (a === undefined || a.length < length) {
      a = new Uint32Array(grow(length));
      this.u32.set(slot, a);
    }
    return a.length === length ? a : a.subarray(0, length);
  }

  /** As {@link ScratchPool.uint32}, for a Float32Array. */
  float32(slot: string, length: number): Float32Array {
    checkRequest('ScratchPool.float32()', slot, length);
    let a = this.f32.get(slot);
    if (a === undefined || a.length < length) {
      a = new Float32Array(grow(length));
      this.f32.set(slot, a);
    }
    return a.length === length ? a : a.subarray(0, length);
  }

  /** Drop every pooled array (they are allocated again when next asked for). */
  clear(): void {
    this.u32.clear();
    this.f32.clear();
  }

  /** Bytes currently held. */
  get bytes(): number {
    let total = 0;
    for (const a of this.u32.values()) total += a.byteLength;
    for (const a of this.f32.values()) total += a.byteLength;
    return total;
  }
}

/** Capacity for a request of `length`: 1/16 headroom, so that sizes that wander a little between epochs reuse the array. */
function grow(length: number): number {
  return length < 1024 ? length : length + (length >>> 4);
}

/**
 * New arrays for the selection the last stage of a pipeline returns, which
 * the pipeline can then hand to the caller as the plan itself: when the
 * final selection's `ids` or its `weights` (or both) are arrays from here
 * (whole, not subarrays), the pipeline shuffles into them instead of into
 * fresh arrays, where the shuffle allows it: always for ids without
 * weights, and for ids and weights when the weights take at most two values
 * (InfoBatch's); for weights of more values, and ids alongside them, only
 * in a short selection (up to 65,536) whose ids and weights are both from
 * here.
 * That saves the stage a temporary as large as its selection, which a
 * pooled one would keep for the pruner's lifetime, and the plan an
 * allocation. The pipeline gives one to the last stage only (`ctx.output`), at
 * every `plan()`: earlier stages' selections are not the plan, and fresh
 * arrays for them would cost fresh memory every epoch where pooled ones
 * cost it once.
 *
 * The contract is the scratch pool's: a stage must not keep these arrays
 * (they become the caller's plan). Contents start at zero.
 *
 * @example
 * ```ts
 * const ids = ctx.output?.uint32(count) ?? ctx.scratch?.uint32('ids', count) ?? new Uint32Array(count);
 * ```
 */
export class PlanArrays {
  private readonly issued = new WeakSet<ArrayBufferView>();

  /** A new zero-filled Uint32Array of `length` elements (an integer in [0, 2^32 − 1], else RangeError). */
  uint32(length: number): Uint32Array {
    checkRequest('PlanArrays.uint32()', null, length);
    const a = new Uint32Array(length);
    this.issued.add(a);
    return a;
  }

  /** A new zero-filled Float32Array of `length` elements (an integer in [0, 2^32 − 1], else RangeError). */
  float32(length: number): Float32Array {
    checkRequest('PlanArrays.float32()', null, length);
    const a = new Float32Array(length);
    this.issued.add(a);
    return a;
  }

  /**
   * Whether `array` is one of the arrays this allocator made (the very
   * object, not a view of it).
   *
   * @internal
   */
  owns(array: ArrayBufferView | null): boolean {
    return array !== null && this.issued.has(array);
  }
}
