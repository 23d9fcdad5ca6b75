import { bitsetAdd, bitsetHas, bitsetOf, checkNumber, checkOptionKeys, checkOptions, describeValue, Random, sampleSorted } from '@seta/engine';
import { float32Buffer, uint32Buffer } from './buffers.js';
import type { Selection, Stage, StageContext, StageRestoreContext } from './stage.js';
import { StateReader, StateWriter } from './state.js';
import { StateError } from './errors.js';

/** Options of {@link annealStage}. */
export interface AnnealOptions {
  /** δ: annealing starts at epoch `floor(δ · E)`; in [0, 1] (1 = never). */
  readonly delta: number;
  /**
   * Fraction of the data an annealing epoch visits, in (0, 1]: 1 (default)
   * visits every sample (InfoBatch), less visits a fresh uniformly random
   * subset of `floor(keep · N)` ids (SeTa's partial annealing, eq. 8).
   */
  readonly keep?: number;
}

/**
 * Annealing: from epoch `floor(δ · E)` on, the plan is decided here and later
 * stages are skipped — all `N` ids with weights 1, or with `keep < 1` a fresh
 * random `floor(keep · N)` of them (docs/methods/infobatch.md and
 * docs/methods/seta.md). Earlier epochs pass through untouched. O(N) in
 * annealing epochs, O(1) otherwise.
 *
 * @param options - `delta` and `keep`.
 * @returns the stage.
 * @throws RangeError for a `delta` outside [0, 1] or a `keep` outside (0, 1];
 *   TypeError for missing options, an unknown or `null` option, or a non-number.
 * @example
 * ```ts
 * // InfoBatch's anneal: full data in the last 12.5 % of epochs
 * const stages = [annealStage({ delta: 0.875 }), belowMeanStage({ pruneRatio: 0.5 })];
 * ```
 */
export function annealStage(options: AnnealOptions): Stage {
  const fn = 'annealStage()';
  checkOptions(fn, options);
  if (options === undefined) throw new TypeError(`${fn}: options { delta } are required`);
  checkOptionKeys(fn, options, ['delta', 'keep']);
  const delta = checkNumber(fn, 'delta', options.delta, 0, 1);
  const keep = checkNumber(fn, 'keep', options.keep ?? 1, 0, 1, { openMin: true });
  return {
    name: 'anneal',
    select(selection: Selection, ctx: StageContext): Selection {
      if (ctx.epoch < Math.floor(delta * ctx.epochs)) return selection;
      const count = Math.floor(keep * ctx.size);
      const ids = keep === 1 ? null : sampleSorted(ctx.size, count, ctx.rng, uint32Buffer(ctx, 'ids', count, { plan: true }));
      return { ids, weights: null, phase: 'anneal', final: true };
    },
  };
}

/** Options of {@link downsampleStage} and {@link staticSubsetStage}. */
export interface KeepOptions {
  /** Fraction of the selection to keep, in [0, 1]: `floor(keep · n)` of `n` ids survive. */
  readonly keep: number;
}

/** Keep `count` uniformly random entries of a selection (ids and weights together), in their order. */
function keepRandom(selection: Selection, count: number, ctx: StageContext): { ids: Uint32Array; weights: Float32Array | null } {
  const out = uint32Buffer(ctx, 'ids', count, { plan: true });
  if (selection.ids === null) return { ids: sampleSorted(ctx.size, count, ctx.rng, out), weights: null };
  // Positions are ascending, so ids[i] = src[positions[i]] may overwrite positions in place.
  const ids = sampleSorted(selection.ids.length, count, ctx.rng, out);
  const weights = selection.weights === null ? null : float32Buffer(ctx, 'weights', count, { plan: true });
  for (let i = 0; i < count; i++) {
    const p = ids[i]!;
    if (weights !== null) weights[i] = selection.weights![p]!;
    ids[i] = selection.ids[p]!;
  }
  return { ids, weights };
}

/**
 * Random downsampling: keep a fresh uniformly random `floor(keep · n)` of the
 * `n` selected ids every epoch — the dynamic random baseline, and SeTa's
 * first step (§3 step 1). The kept ids stay in selection order (the plan is
 * shuffled at the end). O(n) with one sequential pass ({@link sampleSorted}).
 *
 * @param options - `keep`, in [0, 1].
 * @returns the stage.
 * @throws RangeError for a `keep` outside [0, 1]; TypeError for missing
 *   options, an unknown or `null` option, or a non-number.
 * @example
 * ```ts
 * createPruner({ name: 'dynamicRandom', size: 100, epochs: 3, stages: [downsampleStage({ keep: 0.7 })] })
 *   .plan(0).indices.length; // 70
 * ```
 */
export function downsampleStage(options: KeepOptions): Stage {
  const fn = 'downsampleStage()';
  checkOptions(fn, options);
  if (options === undefined) throw new TypeError(`${fn}: options { keep } are required`);
  checkOptionKeys(fn, options, ['keep']);
  const keep = checkNumber(fn, 'keep', options.keep, 0, 1);
  return {
    name: 'downsample',
    select(selection: Selection, ctx: StageContext): Selection {
      const n = selection.ids === null ? ctx.size : selection.ids.length;
      const count = Math.floor(keep * n);
      if (count === n) return selection;
      const { ids, weights } = keepRandom(selection, count, ctx);
      return { ids, weights, phase: 'prune' };
    },
  };
}

/**
 * A static random subset: `floor(keep · N)` ids drawn once, at the first
 * epoch this stage plans, and used every epoch after (the static random
 * baseline). Its state is the generator position the subset was drawn from,
 * so a saved state stays 16 bytes whatever `N`. O(N) per epoch.
 *
 * Placed after other stages, it keeps the members of the subset that are
 * still selected.
 *
 * @param options - `keep`, in [0, 1].
 * @returns the stage.
 * @throws RangeError for a `keep` outside [0, 1]; TypeError for missing
 *   options, an unknown or `null` option, or a non-number.
 */
export function staticSubsetStage(options: KeepOptions): Stage {
  const fn = 'staticSubsetStage()';
  checkOptions(fn, options);
  if (options === undefined) throw new TypeError(`${fn}: options { keep } are required`);
  checkOptionKeys(fn, options, ['keep']);
  const keep = checkNumber(fn, 'keep', options.keep, 0, 1);
  let drawnFrom: Uint32Array | null = null; // generator state the subset was drawn with
  let members: Uint32Array | null = null; // bitmap over ids, rebuilt lazily after a restore
  let subset: Uint32Array | null = null;

  const materialise = (size: number): void => {
    if (subset !== null || drawnFrom === null) return;
    const rng = new Random(0);
    rng.setState(drawnFrom);
    subset = sampleSorted(size, Math.floor(keep * size), rng);
    members = null;
  };

  return {
    name: 'staticSubset',
    select(selection: Selection, ctx: StageContext): Selection {
      if (drawnFrom === null) {
        drawnFrom = ctx.rng.getState();
        subset = sampleSorted(ctx.size, Math.floor(keep * ctx.size), ctx.rng);
      }
      materialise(ctx.size);
      const chosen = subset!;
      if (chosen.length === ctx.size) return selection;
      if (selection.ids === null) return { ids: chosen.slice(), weights: null, phase: 'prune' };
      if (members === null) {
        members = bitsetOf(ctx.size);
        for (const id of chosen) bitsetAdd(members, id);
      }
      const m = members;
      const src = selection.ids;
      const ids = new Uint32Array(src.length);
      const weights = selection.weights === null ? null : new Float32Array(src.length);
      let n = 0;
      for (let i = 0; i < src.length; i++) {
        const id = src[i]!;
        if (bitsetHas(m, id)) {
          if (weights !== null) weights[n] = selection.weights![i]!;
          ids[n++] = id;
        }
      }
      return { ids: ids.slice(0, n), weights: weights === null ? null : weights.slice(0, n), phase: 'prune' };
    },
    saveState(): Uint8Array {
      const w = new StateWriter('stage:staticSubset', 1).json('keep', keep);
      if (drawnFrom !== null) w.uint32('drawnFrom', drawnFrom);
      return w.finish();
    },
    loadState(state: Uint8Array, ctx?: StageRestoreContext): void {
      const lfn = 'staticSubsetStage.loadState()';
      const r = StateReader.open(state, 'stage:staticSubset', 1, lfn);
      const savedKeep = r.json<number>('keep');
      if (savedKeep !== keep) {
        throw new StateError(`${lfn}: state has keep ${describeValue(savedKeep)}, this stage has ${keep}`);
      }
      const drawn = r.has('drawnFrom') ? r.uint32('drawnFrom', 4) : null;
      if (drawn !== null) {
        try {
          new Random(0).setState(drawn); // the check materialise's setState would fail later
        } catch (cause) {
          throw new StateError(`${lfn}: state is inconsistent (drawnFrom ${(cause as Error).message.replace(/^.*?: state /, '')})`, { cause });
        }
        // The subset is drawn by the first plan, and states are saved between epochs.
        if (ctx !== undefined && ctx.nextEpoch === 0) throw new StateError(`${lfn}: state is inconsistent (a subset is drawn, but no epoch is finished)`);
      }
      drawnFrom = drawn;
      subset = null;
      members = null;
    },
  };
}
