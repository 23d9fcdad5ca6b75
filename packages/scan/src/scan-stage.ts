import { StateError, StateReader, StateWriter, bitsetAdd, bitsetHas, checkNumber, checkOneOf, checkOptionKeys, checkOptions, checkInteger, clearBitIds, describeValue, float32Buffer, sampleSorted, uint32Buffer } from '@seta/core';
import type { EpochEnd, ObservedBatch, Selection, Stage, StageContext, StageRestoreContext } from '@seta/core';
import { cyclePhase } from '@seta/cosine-mutation';
import { extremeMasks } from './batch-extremes.js';
import type { ExtremeRule } from './batch-extremes.js';
import { lowestBit, popcount } from './bitmask.js';
import { combineMasks } from './combine-directions.js';
import { Scratch } from './scratch.js';

/** Which candidates a mutation epoch prunes from. */
export type ScanMode = 'both' | 'redundant' | 'ill';

/** Options of {@link scanStage}. */
export interface ScanStageOptions {
  /** ρ_ill: share of each batch taken as ill-matched (highest loss), in [0, 1]. */
  readonly illRatio: number;
  /** ρ_red: share of each batch taken as redundant (lowest loss), in [0, 1]; `illRatio + redundantRatio ≤ 1`. */
  readonly redundantRatio: number;
  /** T: mutation epochs per cycle, an integer ≥ 1 (default 3). */
  readonly mutationEpochs?: number;
  /** τ: warm-up ends when the epoch's relative loss improvement falls below this, ≥ 0 (default 0.3). */
  readonly warmupThreshold?: number;
  /** `'both'` (default), `'redundant'` or `'ill'`. */
  readonly mode?: ScanMode;
  /** Absolute threshold replacing `illRatio`: ill = { loss > maxLoss }. */
  readonly maxLoss?: number;
  /** Absolute threshold replacing `redundantRatio`: red = { loss < minLoss }; at most `maxLoss` when both are given. */
  readonly minLoss?: number;
}

/** ε of the warm-up test. */
const EPSILON = 1e-8;
const KIND = 'stage:scan';
/** Candidate ids queued before they are marked in the bitmaps. */
const PENDING = 1 << 14;


/**
 * Throws unless `minLoss ≤ maxLoss` when both are given: above it, a sample
 * between them would be redundant (loss < minLoss) and ill-matched
 * (loss > maxLoss) at once.
 *
 * @internal
 */
export function checkLossThresholds(fn: string, minLoss: number | undefined, maxLoss: number | undefined): void {
  if (typeof minLoss === 'number' && typeof maxLoss === 'number' && minLoss > maxLoss) {
    throw new RangeError(`${fn}: minLoss must not exceed maxLoss, got minLoss ${minLoss} and maxLoss ${maxLoss}`);
  }
}

/**
 * SCAN's schedule and candidate collection (docs/methods/scan.md) as one stage:
 * warm-up on full data until the relative improvement of the epoch's mean
 * loss falls below τ; then cycles of `T + 1` epochs from `p0`: a preparation
 * epoch on full data that collects, batch by batch, the redundant
 * (lowest-loss) and ill-matched (highest-loss) candidates in both loss
 * directions, then `T` mutation epochs that each prune a random
 * `floor(ρ_j · |cand|)` of the candidates, `ρ_j` growing along a half cosine
 * (0.25, 0.75, 1 for T = 3).
 *
 * Memory: two candidate bitmaps, 0.25 bytes per sample. `observe` costs
 * O(b) per batch in preparation epochs (see batch-extremes.ts) and nothing otherwise;
 * mutation epochs are O(N).
 *
 * @param options - see {@link ScanStageOptions}.
 * @returns the stage.
 * @throws TypeError for missing options, an unknown or `null` option, or a
 *   value of the wrong kind; RangeError for a value out of range, ratios
 *   summing above 1, or a `minLoss` above `maxLoss`.
 */
export function scanStage(options: ScanStageOptions): Stage {
  const fn = 'scanStage()';
  checkOptions(fn, options);
  if (options === undefined) throw new TypeError(`${fn}: options { illRatio, redundantRatio } are required`);
  checkOptionKeys(fn, options, ['illRatio', 'redundantRatio', 'mutationEpochs', 'warmupThreshold', 'mode', 'maxLoss', 'minLoss']);
  const illRatio = checkNumber(fn, 'illRatio', options.illRatio, 0, 1);
  const redundantRatio = checkNumber(fn, 'redundantRatio', options.redundantRatio, 0, 1);
  if (illRatio + redundantRatio > 1) {
    throw new RangeError(`${fn}: illRatio + redundantRatio must be at most 1, got ${illRatio} + ${redundantRatio}`);
  }
  const mutationEpochs = checkInteger(fn, 'mutationEpochs', options.mutationEpochs ?? 3, 1);
  const warmupThreshold = checkNumber(fn, 'warmupThreshold', options.warmupThreshold ?? 0.3, 0, Number.MAX_VALUE);
  const mode = checkOneOf(fn, 'mode', options.mode ?? 'both', ['both', 'redundant', 'ill'] as const);
  const maxLoss = options.maxLoss === undefined ? null : checkNumber(fn, 'maxLoss', options.maxLoss, -Number.MAX_VALUE, Number.MAX_VALUE);
  const minLoss = options.minLoss === undefined ? null : checkNumber(fn, 'minLoss', options.minLoss, -Number.MAX_VALUE, Number.MAX_VALUE);
  checkLossThresholds(fn, options.minLoss, options.maxLoss);

  // State, all of it saved.
  let previousLoss: number | null = null; // L_prev of the warm-up
  let cycleStart: number | null = null; // p0
  let red: Uint32Array | null = null; // candidate bitmaps of the latest preparation epoch
  let ill: Uint32Array | null = null;
  let collecting = false; // the open epoch is a preparation epoch
  const scratch = new Scratch(); // reusable batch buffers (not state)
  let rule: ExtremeRule | null = null; // the per-batch cut rule, for batches of ruleBatch samples
  let ruleBatch = 0;

  // Candidate ids not yet marked in the bitmaps: ill ones from the top of
  // `pending` down, red ones from the bottom up.
  const pending = new Uint32Array(PENDING);
  let pendingRed = 0;
  let pendingIll = PENDING;
  // (The loops below keep the closure's variables in locals: V8 may reload
  // a captured `let` on every access.)
  const flush = () => {
    const queued = pending;
    const r = red;
    const m = ill;
    if (r !== null) {
      for (let i = 0, n = pendingRed; i < n; i++) {
        const id = queued[i]!;
        bitsetAdd(r, id);
      }
    }
    if (m !== null) {
      for (let i = pendingIll; i < PENDING; i++) {
        const id = queued[i]!;
        bitsetAdd(m, id);
      }
    }
    pendingRed = 0;
    pendingIll = PENDING;
  };
  /** Queue the ids at the set positions of `mask` for the red (0) or ill (1) bitmap, flushing whenever the queue is full. */
  const queue = (mask: Int32Array, words: number, ids: Uint32Array, which: number) => {
    const queued = pending;
    let lo = pendingRed;
    let hi = pendingIll;
    for (let w = 0; w < words; w++) {
      for (let x = mask[w]!; x !== 0; x &= x - 1) {
        if (lo === hi) {
          pendingRed = lo;
          pendingIll = hi;
          flush();
          lo = 0;
          hi = PENDING;
        }
        const id = ids[32 * w + lowestBit(x)]!;
        if (which === 0) queued[lo++] = id;
        else queued[--hi] = id;
      }
    }
    pendingRed = lo;
    pendingIll = hi;
  };

  const bitmaps = (size: number) => {
    const words = Math.ceil(size / 32);
    if (red === null || red.length !== words) red = new Uint32Array(words);
    if (ill === null || ill.length !== words) ill = new Uint32Array(words);
  };

  return {
    name: 'scan',
    select(selection: Selection, ctx: StageContext): Selection {
      flush();
      collecting = false;
      if (cycleStart === null || ctx.epoch < cycleStart) return { ...selection, phase: 'warmup' };
      const { phase, ratio } = cyclePhase(ctx.epoch, cycleStart, mutationEpochs);
      bitmaps(ctx.size);
      if (phase === 'prepare') {
        red!.fill(0); // discard the previous cycle's candidates
        ill!.fill(0);
        collecting = true;
        return { ...selection, phase: 'warmup' };
      }
      // Mutation: prune a random floor(ρ_j · |cand|) of the candidates.
      const size = ctx.size;
      const words = red!.length;
      const cand = uint32Buffer(ctx, 'cand', words);
      let count = 0;
      for (let w = 0; w < words; w++) {
        const x = mode === 'both' ? red![w]! | ill![w]! : mode === 'redundant' ? red![w]! : ill![w]!;
        cand[w] = x;
        count += popcount(x);
      }
      const pruneCount = Math.floor(ratio * count);
      if (pruneCount === 0) return { ...selection, phase: 'prune' };
      // Ranks (in id order) of the pruned candidates: a uniformly random subset, ascending.
      const ranks = sampleSorted(count, pruneCount, ctx.rng, uint32Buffer(ctx, 'ranks', pruneCount));
      const pruned = uint32Buffer(ctx, 'pruned', words);
      for (let w = 0, r = 0, q = 0; w < words; w++) {
        let x = cand[w]!;
        const c = popcount(x);
        if (q === pruneCount || ranks[q]! >= r + c) {
          pruned[w] = 0; // no chosen rank among this word's candidates
          r += c;
          continue;
        }
        let mark = 0;
        while (x !== 0) {
          const low = x & -x;
          if (q < pruneCount && ranks[q] === r) {
            mark |= low;
            q++;
          }
          r++;
          x ^= low;
        }
        pruned[w] = mark;
      }
      const src = selection.ids;
      if (src === null) {
        // Every id but the pruned: exactly N − pruneCount, written straight into the plan's array when this is the last stage.
        const kept = size - pruneCount;
        const ids = uint32Buffer(ctx, 'ids', kept, { plan: true });
        clearBitIds(pruned, size, ids);
        return { ids, weights: null, phase: 'prune' };
      }
      const n = src.length;
      const ids = uint32Buffer(ctx, 'ids', n);
      const inWeights = selection.weights;
      const weights = inWeights === null ? null : float32Buffer(ctx, 'weights', n);
      let out = 0;
      for (let p = 0; p < n; p++) {
        const id = src[p]!;
        if (bitsetHas(pruned, id)) continue;
        if (weights !== null) weights[out] = inWeights![p]!;
        ids[out++] = id;
      }
      return { ids: ids.subarray(0, out), weights: weights === null ? null : weights.subarray(0, out), phase: 'prune' };
    },

    observe(batch: ObservedBatch, ctx: StageContext): void {
      if (!collecting) return;
      const b = batch.ids.length;
      if (b === 0) return;
      if (rule === null || ruleBatch !== b) {
        rule = {
          illCount: maxLoss === null ? Math.floor(b * illRatio) : null,
          maxLoss,
          redCount: minLoss === null ? Math.floor(b * redundantRatio) : null,
          minLoss,
        };
        ruleBatch = b;
      }
      extremeMasks(batch.losses, rule, scratch, 0);
      const second = batch.lossesB === null ? 0 : 1;
      if (second === 1) extremeMasks(batch.lossesB!, rule, scratch, 1);
      const words = (b + 31) >>> 5;
      const masks = scratch.masks;
      const ids = batch.ids;
      // Candidate ids are queued and marked in bulk (flush): the bitmaps are
      // 0.25 bytes per sample, so each mark is a likely cache miss, and a
      // tight loop of them overlaps the misses far better than one here and
      // there between batches.
      const illSet = combineMasks(masks[1]!, masks[2 * second + 1]!, words, ctx.rng, scratch);
      queue(illSet, words, ids, 1);
      const redSet = combineMasks(masks[0]!, masks[2 * second]!, words, ctx.rng, scratch);
      queue(redSet, words, ids, 0);
    },

    endEpoch(end: EpochEnd): void {
      flush();
      collecting = false;
      if (cycleStart !== null || end.meanLoss === null) return;
      const current = end.meanLoss;
      if (previousLoss === null) {
        previousLoss = current; // the first warm-up epoch never ends warm-up
        return;
      }
      if ((previousLoss - current) / (previousLoss + EPSILON) < warmupThreshold) cycleStart = end.epoch + 1;
      else previousLoss = current;
    },

    saveState(): Uint8Array {
      flush();
      const w = new StateWriter(KIND, 1).json('schedule', { previousLoss, cycleStart });
      if (red !== null && ill !== null) w.uint32('red', red).uint32('ill', ill);
      return w.finish();
    },

    loadState(state: Uint8Array, ctx?: StageRestoreContext): void {
      const lfn = 'scanStage.loadState()';
      const inconsistent = (what: string): never => {
        throw new StateError(`${lfn}: state is inconsistent (${what})`);
      };
      const r = StateReader.open(state, KIND, 1, lfn);
      const s = r.json<Record<string, unknown> | null>('schedule');
      if (s === null || typeof s !== 'object' || Array.isArray(s)) inconsistent(`schedule must be an object, got ${describeValue(s)}`);
      const { previousLoss: loss, cycleStart: start } = s!;
      if (loss !== null && !(typeof loss === 'number' && Number.isFinite(loss))) {
        inconsistent(`previousLoss must be null or a finite number, got ${describeValue(loss)}`);
      }
      // endEpoch sets cycleStart to the next epoch at the latest.
      const latest = ctx?.nextEpoch ?? Number.MAX_SAFE_INTEGER;
      if (start !== null && !(typeof start === 'number' && Number.isInteger(start) && start >= 0 && start <= latest)) {
        inconsistent(`cycleStart must be null or an integer in [0, ${latest}], got ${describeValue(start)}`);
      }
      if (start !== null && loss === null) inconsistent('a cycle has started, so previousLoss must be a number');
      const savedRed = r.has('red') ? r.uint32('red') : null;
      const savedIll = r.has('ill') ? r.uint32('ill') : null;
      if ((savedRed === null) !== (savedIll === null)) inconsistent('red and ill must be both present or both absent');
      if (savedRed !== null && savedIll !== null) {
        // Bitmaps are made by the first plan of a cycle, at epoch cycleStart or later.
        if (start === null) inconsistent('candidate bitmaps exist before any cycle has started');
        if (ctx !== undefined) {
          const words = Math.ceil(ctx.size / 32);
          const tail = ctx.size % 32;
          for (const [name, bits] of [['red', savedRed], ['ill', savedIll]] as const) {
            if (bits.length !== words) inconsistent(`${name} must hold ${words} words (${ctx.size} samples), got ${bits.length}`);
            if (tail !== 0 && bits[words - 1]! >>> tail !== 0) inconsistent(`${name} has bits set past the last sample`);
          }
        }
      }
      previousLoss = loss as number | null;
      cycleStart = start as number | null;
      red = savedRed;
      ill = savedIll;
      pendingRed = 0; // queued marks belonged to the state replaced
      pendingIll = PENDING;
      collecting = false;
    },
  };
}

