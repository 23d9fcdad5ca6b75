import { checkInteger, checkNumber, checkOneOf, checkOptionKeys, checkOptions, checkStrategyOptions, describeValue } from '@seta/core';
import { cosineRatio } from '@seta/cosine-mutation';
import type { ScanOptions } from './scan.js';
import type { ScanMode } from './scan-stage.js';
import { OPTION_KEYS } from './option-keys.js';

/** What {@link expectedSavedRatio} assumes about the run. */
export interface ScanRunAssumptions {
  /**
   * Epochs of warm-up on full data before the first cycle, an integer ≥ 2
   * (default 2, the fewest: epoch 0 never ends warm-up, so the earliest
   * cycle starts at epoch 2). Warm-up ends when the epoch's mean loss improves
   * by less than `warmupThreshold` (relative) — the losses decide when.
   */
  readonly warmupEpochs?: number;
  /**
   * The batch size of the preparation epochs, an integer ≥ 1. With it, the
   * candidates are counted as the pruner counts them, `floor(b · ρ)` per
   * batch and side (the last batch holding the remainder); without it, as
   * the share `ρ` of the data.
   */
  readonly batchSize?: number;
}


/** The options a target replaces or depends on the value of. */
const SET_BY_TARGET = ['pruneRatio', 'illRatio', 'redundantRatio', 'maxLoss', 'minLoss'] as const;

interface Run {
  readonly size: number;
  readonly epochs: number;
  readonly mutationEpochs: number;
  readonly mode: ScanMode;
  readonly warmupEpochs: number;
  readonly batchSize: number | null;
}

function checkRun(fn: string, options: ScanOptions, assumptions: ScanRunAssumptions | undefined): Run {
  const { size, epochs } = checkStrategyOptions(fn, options, OPTION_KEYS);
  const mutationEpochs = checkInteger(fn, 'mutationEpochs', options.mutationEpochs ?? 3, 1);
  checkNumber(fn, 'warmupThreshold', options.warmupThreshold ?? 0.3, 0, Number.MAX_VALUE);
  const mode = checkOneOf(fn, 'mode', options.mode ?? 'both', ['both', 'redundant', 'ill'] as const);
  checkOptions(fn, assumptions);
  checkOptionKeys(fn, assumptions ?? {}, ['warmupEpochs', 'batchSize']);
  const warmupEpochs = checkInteger(fn, 'warmupEpochs', assumptions?.warmupEpochs ?? 2, 2);
  const batchSize = assumptions?.batchSize === undefined ? null : checkInteger(fn, 'batchSize', assumptions.batchSize, 1);
  return { size, epochs, mutationEpochs, mode, warmupEpochs, batchSize };
}

/** Candidates one preparation epoch collects, from batches of `b` (or in proportion, `b` = null). */
function candidates(run: Run, illRatio: number, redundantRatio: number): number {
  const perBatch = (b: number): number => {
    // As the stage counts them: floor(b · ρ) per side (disjoint: ρ_ill + ρ_red ≤ 1).
    const ill = run.batchSize === null ? b * illRatio : Math.floor(b * illRatio);
    const red = run.batchSize === null ? b * redundantRatio : Math.floor(b * redundantRatio);
    return run.mode === 'both' ? ill + red : run.mode === 'ill' ? ill : red;
  };
  if (run.batchSize === null) return perBatch(run.size);
  const full = Math.floor(run.size / run.batchSize);
  const rest = run.size - full * run.batchSize;
  return full * perBatch(run.batchSize) + (rest > 0 ? perBatch(rest) : 0);
}

/** The saved ratio of a run whose preparation epochs collect `count` candidates. */
function savedRatio(run: Run, count: number): number {
  const length = run.mutationEpochs + 1;
  let pruned = 0;
  for (let e = run.warmupEpochs; e < run.epochs; e++) {
    const position = (e - run.warmupEpochs) % length;
    if (position === 0) continue; // preparation: full data
    const ratio = cosineRatio(position, run.mutationEpochs);
    const n = run.batchSize === null ? ratio * count : Math.floor(ratio * count);
    pruned += Math.min(n, run.size - 1); // a plan is never empty
  }
  return pruned / (run.size * run.epochs);
}

function checkNoThreshold(fn: string, options: ScanOptions, mode: ScanMode): void {
  if (options.maxLoss !== undefined && mode !== 'redundant') {
    throw new RangeError(`${fn}: with maxLoss ${describeValue(options.maxLoss)} the ill-matched candidates depend on the losses; there is no estimate`);
  }
  if (options.minLoss !== undefined && mode !== 'ill') {
    throw new RangeError(`${fn}: with minLoss ${describeValue(options.minLoss)} the redundant candidates depend on the losses; there is no estimate`);
  }
}

/**
 * SCAN's `pruneRatio` for a target saved ratio: the smallest multiple of
 * 0.0001 in (0, 0.5] whose expected saving reaches the target (the saving
 * grows with `pruneRatio`, so a bisection over that grid).
 *
 * @internal
 */
export function pruneRatioForTarget(fn: string, options: ScanOptions, assumptions?: ScanRunAssumptions): number {
  const target = options.targetSavedRatio;
  for (const key of SET_BY_TARGET) {
    if (options[key] !== undefined) {
      throw new TypeError(
        `${fn}: give targetSavedRatio or ${key}, not both (the target sets pruneRatio, which illRatio and redundantRatio default to), got targetSavedRatio ${describeValue(target)} and ${key} ${describeValue(options[key])}`,
      );
    }
  }
  const run = checkRun(fn, options, assumptions);
  const t = checkNumber(fn, 'targetSavedRatio', target, 0, 1, { openMin: true });
  const at = (tenThousandths: number) => savedRatio(run, candidates(run, tenThousandths / 10_000, tenThousandths / 10_000));
  const last = 5000; // pruneRatio 0.5
  const most = at(last);
  if (most < t) {
    const cycles = run.epochs > run.warmupEpochs ? `cycles of ${run.mutationEpochs + 1} epochs from epoch ${run.warmupEpochs} of ${run.epochs}` : `no cycle: warm-up assumed to last ${run.warmupEpochs} of ${run.epochs} epochs`;
    throw new RangeError(
      `${fn}: targetSavedRatio must be at most ${Math.floor(most * 10_000) / 10_000} (pruneRatio at most 0.5 with mode ${describeValue(run.mode)}, ${cycles}), got ${describeValue(t)}`,
    );
  }
  let lo = 0; // at(0) = 0 < t
  let hi = last;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (at(mid) >= t) hi = mid;
    else lo = mid;
  }
  return hi / 10_000;
}

/**
 * The share of sample visits SCAN saves over a run against full data. Given
 * when warm-up ends, it is exact for one loss direction: warm-up and
 * preparation epochs are full, and mutation epoch `j` of a cycle prunes
 * `floor(ρ_j · |cand|)` of the candidates of the cycle's preparation epoch,
 * `ρ_j = ½ (1 + cos(π (T − j) / T))`. When warm-up ends depends on the
 * losses; the default assumes the earliest, after epoch 1. `|cand|` is
 * counted per batch as the pruner counts it when `batchSize` is given, in
 * proportion otherwise (a batch of `b` holds `b · ρ` instead of `floor(b · ρ)`
 * per side, so the estimate is then a little high).
 *
 * With two loss directions each side keeps the intersection of the two
 * directions' sets when they share at least 90 % — between 90 % and 100 %
 * of `floor(b · ρ)` — and `floor(b · ρ)` otherwise; the estimate assumes
 * `floor(b · ρ)`, so a run can save up to 10 % less. Absolute thresholds
 * (`maxLoss`, `minLoss`) make the candidates depend on the losses: refused.
 * O(E).
 *
 * @param options - {@link scan}'s options (a `targetSavedRatio` is resolved
 *   first, see {@link optionsForSavedRatio}).
 * @param assumptions - `warmupEpochs` (default 2) and `batchSize`.
 * @returns the expected saved ratio, in [0, 1).
 * @throws TypeError / RangeError for options {@link scan} refuses, a
 *   threshold the mode uses, or a bad assumption.
 * @example
 * ```ts
 * expectedSavedRatio({ size: 50_000, epochs: 30, pruneRatio: 0.3 }); // 0.28: 7 cycles of 4 from epoch 2, each 0.6 · (0.25 + 0.75 + 1) of N
 * expectedSavedRatio({ size: 50_000, epochs: 30, pruneRatio: 0.3 }, { batchSize: 256 }); // ≈ 0.2770, floor(256 · 0.3) = 76 per side
 * ```
 */
export function expectedSavedRatio(options: ScanOptions, assumptions?: ScanRunAssumptions): number {
  const fn = 'expectedSavedRatio()';
  const run = checkRun(fn, options, assumptions);
  const pruneRatio =
    options.targetSavedRatio === undefined
      ? checkNumber(fn, 'pruneRatio', options.pruneRatio ?? 0.3, 0, 0.5, { openMin: true })
      : pruneRatioForTarget(fn, options, assumptions);
  const illRatio = checkNumber(fn, 'illRatio', options.illRatio ?? pruneRatio, 0, 1);
  const redundantRatio = checkNumber(fn, 'redundantRatio', options.redundantRatio ?? pruneRatio, 0, 1);
  if (illRatio + redundantRatio > 1) throw new RangeError(`${fn}: illRatio + redundantRatio must be at most 1, got ${illRatio} + ${redundantRatio}`);
  checkNoThreshold(fn, options, run.mode);
  return savedRatio(run, candidates(run, illRatio, redundantRatio));
}

/**
 * SCAN's options with `targetSavedRatio` replaced by the `pruneRatio` the
 * rule chooses; options without a target come back as they are.
 *
 * The rule: `mutationEpochs`, `warmupThreshold` and `mode` stay as given,
 * `illRatio` and `redundantRatio` follow `pruneRatio` (so giving them, or a
 * threshold, with a target is refused), and `pruneRatio` is the smallest
 * multiple of 0.0001 in (0, 0.5] whose {@link expectedSavedRatio} — under
 * the same assumptions — reaches the target. Roughly `ρ = target · E / (m ·
 * Σ ρ_j)` with `m` = 2 for `mode: 'both'` (1 otherwise) and the sum over the
 * run's mutation epochs. If warm-up lasts longer than assumed, the run saves
 * less. O(E log 5000).
 *
 * @param options - {@link scan}'s options with `targetSavedRatio` in (0, 1].
 * @param assumptions - `warmupEpochs` (default 2) and `batchSize`.
 * @returns the options to build the pruner with.
 * @throws TypeError when `targetSavedRatio` comes with `pruneRatio`,
 *   `illRatio`, `redundantRatio`, `maxLoss` or `minLoss`, or a value is of
 *   the wrong kind; RangeError for a target out of reach.
 * @example
 * ```ts
 * optionsForSavedRatio({ size: 12_000, epochs: 14, targetSavedRatio: 0.3 });
 * // { size: 12_000, epochs: 14, pruneRatio: 0.35 }: 3 cycles from epoch 2, 0.7 · 6 / 14 = 0.3
 * ```
 */
export function optionsForSavedRatio(options: ScanOptions, assumptions?: ScanRunAssumptions): ScanOptions {
  const fn = 'optionsForSavedRatio()';
  if (options?.targetSavedRatio === undefined) {
    checkRun(fn, options, assumptions);
    return options;
  }
  const pruneRatio = pruneRatioForTarget(fn, options, assumptions);
  const { targetSavedRatio: _target, ...rest } = options;
  return { ...rest, pruneRatio };
}
