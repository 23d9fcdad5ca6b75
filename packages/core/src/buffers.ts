import type { StageContext } from './stage.js';

/*
 * Where a stage's arrays come from. A stage's selection may become the plan
 * itself when the stage is the last (`ctx.output`: arrays the pipeline hands
 * out without copying); otherwise, and for temporaries, the stage's own
 * pool (`ctx.scratch`: reused next epoch, so a big selection pays for fresh
 * memory once); outside a pipeline, a new array.
 */

/**
 * A Uint32Array of `length` for a stage: with `{ plan: true }` (an array the
 * stage returns in its selection) the plan's own array when the stage is the
 * last of its pipeline, else the stage's pooled `slot`, else a new one.
 * Contents are stale unless new: overwrite before reading. O(1), or
 * O(length) for a new array.
 *
 * @param ctx - the stage's context.
 * @param slot - the temporary's name, unique within the stage.
 * @param length - the number of elements.
 * @param options - `plan`: whether the array may become the plan.
 * @returns the array.
 * @example
 * ```ts
 * const ids = uint32Buffer(ctx, 'ids', count, { plan: true });
 * ```
 */
export function uint32Buffer(ctx: StageContext, slot: string, length: number, options?: { plan?: boolean }): Uint32Array {
  return (options?.plan === true ? ctx.output?.uint32(length) : undefined) ?? ctx.scratch?.uint32(slot, length) ?? new Uint32Array(length);
}

/** As {@link uint32Buffer}, for a Float32Array (e.g. weights). */
export function float32Buffer(ctx: StageContext, slot: string, length: number, options?: { plan?: boolean }): Float32Array {
  return (options?.plan === true ? ctx.output?.float32(length) : undefined) ?? ctx.scratch?.float32(slot, length) ?? new Float32Array(length);
}
