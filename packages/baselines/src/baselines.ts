import { annealStage, createPruner, downsampleStage, staticSubsetStage } from '@seta/core';
import type { PipelinePruner, Stage } from '@seta/core';
import { resolveBaseline } from './options.js';
import { resolvePruneRatio } from './saved-ratio.js';
import type { BaselineOptions, RandomBaselineOptions, ResolvedBaseline } from './options.js';

function build(name: string, o: ResolvedBaseline, extra: Stage[], fingerprint: object): PipelinePruner {
  const stages = o.delta < 1 ? [annealStage({ delta: o.delta }), ...extra] : extra;
  return createPruner({
    name,
    size: o.size,
    epochs: o.epochs,
    seed: o.seed,
    nonFinite: o.nonFinite,
    stages,
    fingerprint: { ...fingerprint, delta: o.delta },
  });
}

/**
 * Full data: every id, every epoch, in a fresh random order (docs/methods/baselines.md).
 * The reference every comparison is made against. `plan` is O(N).
 *
 * @param options - `size`, `epochs`, `seed`.
 * @returns the pruner.
 * @throws TypeError for missing options, an unknown option (naming the one it
 *   most likely meant), a `null` one, or a value of the wrong kind;
 *   RangeError for a value out of range, e.g. a `size` above `MAX_SIZE`.
 * @example
 * ```ts
 * const pruner = full({ size: 1000, epochs: 5 });
 * pruner.plan(0).indices.length; // 1000
 * ```
 */
export function full(options: BaselineOptions): PipelinePruner {
  return build('full', resolveBaseline('full()', options), [], {});
}

/**
 * Static random: one uniformly random subset of `floor((1 − r) · N)` ids,
 * drawn once at epoch 0 and visited (in a fresh order) every epoch
 * (docs/methods/baselines.md). Static pruning's classic baseline. `plan` is O(N).
 *
 * @param options - `size`, `epochs`, `pruneRatio` r in [0, 1) or
 *   `targetSavedRatio` (see `optionsForSavedRatio`), `seed`, `delta`.
 * @returns the pruner.
 * @throws TypeError for missing options (`pruneRatio` is required), an
 *   unknown or `null` option, or a value of the wrong kind; RangeError for a
 *   value out of range, e.g. a `size` above `MAX_SIZE`.
 * @example
 * ```ts
 * const pruner = staticRandom({ size: 1000, epochs: 5, pruneRatio: 0.3 });
 * pruner.plan(0).indices.length; // 700, the same 700 ids every epoch
 * ```
 */
export function staticRandom(options: RandomBaselineOptions): PipelinePruner {
  const o = resolveBaseline('staticRandom()', options, ['pruneRatio'], ['targetSavedRatio']);
  const r = resolvePruneRatio('staticRandom()', options, o);
  return build('staticRandom', o, [staticSubsetStage({ keep: 1 - r })], { pruneRatio: r });
}

/**
 * Dynamic random: a fresh uniformly random subset of `floor((1 − r) · N)`
 * ids every epoch (docs/methods/baselines.md) — what any dynamic method must beat at
 * the same ratio. `plan` is O(N).
 *
 * @param options - `size`, `epochs`, `pruneRatio` r in [0, 1) or
 *   `targetSavedRatio` (see `optionsForSavedRatio`), `seed`, `delta`.
 * @returns the pruner.
 * @throws TypeError for missing options (`pruneRatio` is required), an
 *   unknown or `null` option, or a value of the wrong kind; RangeError for a
 *   value out of range, e.g. a `size` above `MAX_SIZE`.
 * @example
 * ```ts
 * const pruner = dynamicRandom({ size: 1000, epochs: 5, pruneRatio: 0.3 });
 * pruner.plan(0).indices.length; // 700, a different 700 each epoch
 * ```
 */
export function dynamicRandom(options: RandomBaselineOptions): PipelinePruner {
  const o = resolveBaseline('dynamicRandom()', options, ['pruneRatio'], ['targetSavedRatio']);
  const r = resolvePruneRatio('dynamicRandom()', options, o);
  return build('dynamicRandom', o, [downsampleStage({ keep: 1 - r })], { pruneRatio: r });
}
