import { checkInteger } from '@seta/engine';

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
    checkInteger('PlanArrays.uint32()', 'length', length, 0, 0xffff_ffff);
    const a = new Uint32Array(length);
    this.issued.add(a);
    return a;
  }

  /** A new zero-filled Float32Array of `length` elements (an integer in [0, 2^32 − 1], else RangeError). */
  float32(length: number): Float32Array {
    checkInteger('PlanArrays.float32()', 'length', length, 0, 0xffff_ffff);
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
