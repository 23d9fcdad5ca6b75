import { checkInteger, checkOptionKeys, checkOptions, describeValue, Random, ScratchPool, shuffledCopy, shuffledOwned, shuffledRange } from '@seta/engine';
import { CallOrderError, StateError } from './errors.js';
import { validateBatch } from './observe-batch.js';
import { canonicalJson, checkStore, OPTION_KEYS, resolveNonFinite } from './pipeline-options.js';
import type { PipelineOptions, PipelinePruner } from './pipeline-options.js';
import { PlanArrays } from './plan-arrays.js';
import { checkProgress } from './progress.js';
import { checkSize } from './size.js';
import type { EpochEnd, ScoreStore, Selection, Stage, StageContext, StageRestoreContext } from './stage.js';
import { StateReader, StateWriter } from './state.js';
import { CompensatedSum } from './sum.js';
import type { EpochPlan, EpochSummary, Phase } from './types.js';

const STATE_KIND = 'pruner';
const STATE_VERSION = 1;
const FN = (name: string, method: string) => `${name}.${method}()`;

/**
 * Compose stages into a {@link Pruner}. The pipeline owns everything the
 * stages share: the call order (plan → observe* → endEpoch, epochs in
 * order), validation of observed losses, the score store, the generator, the
 * epoch summaries, saving and restoring state, and the final shuffle.
 *
 * At `plan(e)` the selection starts as all `N` ids and passes through the
 * stages in order; the result is shuffled (with its weights) into the plan.
 * An empty result becomes one uniformly random id, so a training loop always
 * has a batch.
 *
 * With two loss directions (`observe(ids, lossesA, lossesB)`) a sample's score
 * is `lossA + lossB`, as are the epoch's mean loss and SCAN's warm-up signal.
 *
 * Cost: `plan` is O(N) plus the stages'; `observe` is O(batch).
 *
 * @param options - see {@link PipelineOptions}.
 * @returns the pruner.
 * @throws TypeError for missing options, an unknown option (naming the one
 *   it most likely meant), a `null` one (`store` and `fingerprint` may be
 *   null), a stage that needs scores without a store, or a value of the
 *   wrong kind; RangeError for a bad value, e.g. a `size` above
 *   {@link MAX_SIZE}.
 * @example
 * ```ts
 * const pruner = createPruner({
 *   name: 'halfRandom', size: 1000, epochs: 10, seed: 1,
 *   stages: [downsampleStage({ keep: 0.5 })],
 * });
 * pruner.plan(0).indices.length; // 500
 * ```
 */
export function createPruner(options: PipelineOptions): PipelinePruner {
  return new PipelinePrunerImpl(options);
}

class PipelinePrunerImpl implements PipelinePruner {
  readonly name: string;
  readonly size: number;
  readonly epochs: number;
  private readonly stages: readonly Stage[];
  private readonly observers: readonly Stage[];
  private readonly store: ScoreStore | null;
  private readonly nonFinite: 'error' | 'skip';
  private readonly seed: number;
  private readonly fingerprint: string;
  private rng: Random;
  /** One pool per stage, so that no two stages share a temporary. */
  private readonly pools: ScratchPool[];

  private next = 0;
  private current: { epoch: number; phase: Phase; visited: number } | null = null;
  private lossSum = new CompensatedSum();
  private lossCount = 0;
  private skipped = 0;
  private prunedTotal = 0;
  private finished: EpochSummary[] = [];

  constructor(options: PipelineOptions) {
    checkOptions('createPruner()', options);
    if (options === undefined) throw new TypeError('createPruner(): options { name, size, epochs, stages } are required');
    checkOptionKeys('createPruner()', options, OPTION_KEYS, ['store', 'fingerprint']);
    if (typeof options.name !== 'string' || options.name === '') {
      throw new TypeError(`createPruner(): name must be a non-empty string, got ${describeValue(options.name)}`);
    }
    this.name = options.name;
    const fn = `${this.name}()`;
    this.size = checkSize(fn, 'size', options.size);
    this.epochs = checkInteger(fn, 'epochs', options.epochs, 1);
    this.seed = checkInteger(fn, 'seed', options.seed ?? 0, 0);
    if (!Array.isArray(options.stages)) {
      throw new TypeError(`${fn}: stages must be an array of stages, got ${describeValue(options.stages)}`);
    }
    options.stages.forEach((s, i) => {
      if (s === null || typeof s !== 'object' || typeof s.select !== 'function') {
        throw new TypeError(`${fn}: stages[${i}] must be a stage (an object with a select() method), got ${describeValue(s)}`);
      }
    });
    this.stages = [...options.stages];
    this.observers = this.stages.filter((stage) => typeof stage.observe === 'function');
    this.store = options.store ?? null;
    if (this.store !== null) checkStore(fn, this.store);
    const needing = this.stages.find((s) => s.needsScores);
    if (needing !== undefined && this.store === null) {
      throw new TypeError(`${fn}: stage "${needing.name}" needs scores, so a store is required`);
    }
    if (this.store !== null && this.store.size !== this.size) {
      throw new RangeError(`${fn}: store.size must equal size ${this.size}, got ${describeValue(this.store.size)}`);
    }
    this.nonFinite = resolveNonFinite(fn, options.nonFinite, this.store);
    this.fingerprint = canonicalJson({
      name: this.name,
      size: this.size,
      epochs: this.epochs,
      seed: this.seed,
      nonFinite: this.nonFinite,
      stages: this.stages.map((s) => s.name),
      options: options.fingerprint ?? null,
    });
    this.rng = new Random(this.seed);
    this.pools = this.stages.map(() => new ScratchPool());
  }

  get nextEpoch(): number {
    return this.next;
  }

  get savedRatio(): number {
    return this.finished.length === 0 ? 0 : this.prunedTotal / (this.size * this.finished.length);
  }

  get history(): readonly EpochSummary[] {
    return this.finished;
  }

  private context(epoch: number): StageContext {
    return { epoch, epochs: this.epochs, size: this.size, rng: this.rng, store: this.store };
  }

  plan(epoch: number): EpochPlan {
    const fn = FN(this.name, 'plan');
    if (typeof epoch !== 'number' || !Number.isInteger(epoch)) {
      throw new TypeError(`${fn}: epoch must be an integer, got ${describeValue(epoch)}`);
    }
    if (this.current !== null) {
      throw new CallOrderError(
        `${fn}: epoch ${this.current.epoch} is still open; call endEpoch() before planning epoch ${epoch}`,
      );
    }
    if (this.next >= this.epochs) {
      throw new CallOrderError(`${fn}: all ${this.epochs} epochs are finished; got a plan request for epoch ${epoch}`);
    }
    if (epoch !== this.next) {
      throw new CallOrderError(`${fn}: expected epoch ${this.next} (epochs come in order 0, 1, 2, …), got ${epoch}`);
    }
    const base = this.context(epoch);
    let selection: Selection = { ids: null, weights: null, phase: 'full' };
    const output = new PlanArrays();
    const last = this.stages.length - 1;
    for (let i = 0; i <= last; i++) {
      const ctx: StageContext = i === last ? { ...base, scratch: this.pools[i]!, output } : { ...base, scratch: this.pools[i]! };
      selection = this.stages[i]!.select(selection, ctx);
      if (selection.final) break;
      if (selection.decodeWeights !== undefined && i < last) {
        throw new TypeError(`${fn}: stage "${this.stages[i]!.name}" returned encoded weights (decodeWeights), which only the selection that becomes the plan may carry`);
      }
    }
    let ids = selection.ids;
    let weights = selection.weights;
    const decodeWeights = selection.decodeWeights;
    if (weights !== null && ids !== null && weights.length !== ids.length) {
      throw new RangeError(`${fn}: a stage returned ${weights.length} weights for ${ids.length} ids`);
    }
    if (decodeWeights !== undefined && weights !== null) {
      throw new TypeError(`${fn}: a stage returned both weights and encoded weights (decodeWeights); give one`);
    }
    if (ids === null) {
      // Every id: a random permutation of 0 … N-1, written directly.
      ids = shuffledRange(this.size, this.rng);
      weights = null;
    } else if (ids.length === 0) {
      ids = Uint32Array.of(this.rng.nextIntUnchecked(this.size));
      weights = null;
    } else {
      // The stages' arrays are the pipeline's own temporaries (pooled and reused next
      // epoch): the plan is a fresh shuffled copy that the caller owns — unless the
      // last stage built the selection (its ids, its weights or both) in arrays from
      // `output`, which are the plan's already and are shuffled in place where the
      // algorithm allows (the same permutation either way).
      const ownIds = output.owns(ids);
      const ownWeights = output.owns(weights) && weights!.buffer !== ids.buffer;
      const shuffled =
        ownIds && (weights === null || ownWeights)
          ? shuffledOwned(ids, this.rng, weights ?? undefined)
          : shuffledCopy(ids, this.rng, weights ?? undefined);
      ids = shuffled.out;
      weights = shuffled.companionOut ?? null;
      if (decodeWeights !== undefined) {
        weights = new Float32Array(ids.length);
        decodeWeights(ids, weights);
      }
    }
    this.current = { epoch, phase: selection.phase, visited: ids.length };
    this.lossSum.reset();
    this.lossCount = 0;
    this.skipped = 0;
    return { epoch, phase: selection.phase, size: this.size, indices: ids, weights };
  }

  observe(ids: ArrayLike<number>, losses: ArrayLike<number>, lossesB?: ArrayLike<number>): void {
    const fn = FN(this.name, 'observe');
    if (this.current === null) {
      throw new CallOrderError(
        `${fn}: no epoch is open; call plan(${this.next}) before observing its batches`,
      );
    }
    const batch = validateBatch(fn, ids, losses, lossesB, this.size, this.nonFinite);
    const m = batch.ids.length;
    this.lossSum.add(batch.sum);
    this.lossCount += m;
    this.skipped += batch.skipped;
    const epoch = this.current.epoch;
    const store = this.store;
    if (store !== null && m > 0) {
      let score = batch.losses;
      const b = batch.lossesB;
      if (b !== null) {
        score = new Float32Array(m);
        for (let j = 0; j < m; j++) score[j] = batch.losses[j]! + b[j]!;
      }
      if (store.recordUnchecked !== undefined) store.recordUnchecked(batch.ids, score, epoch);
      else store.record(batch.ids, score, epoch);
    }
    if (this.observers.length > 0) {
      const ctx = this.context(epoch);
      for (const stage of this.observers) stage.observe!(batch, ctx);
    }
  }

  endEpoch(): EpochSummary {
    const fn = FN(this.name, 'endEpoch');
    const cur = this.current;
    if (cur === null) {
      throw new CallOrderError(
        this.next === 0
          ? `${fn}: no epoch is open; call plan(0) first`
          : `${fn}: epoch ${this.next - 1} is already closed; call plan(${this.next}) to open the next`,
      );
    }
    const meanLoss = this.lossCount === 0 ? null : this.lossSum.value / this.lossCount;
    const pruned = this.size - cur.visited;
    this.prunedTotal += pruned;
    const summary: EpochSummary = {
      epoch: cur.epoch,
      phase: cur.phase,
      visited: cur.visited,
      prunedRatio: pruned / this.size,
      savedRatioSoFar: this.prunedTotal / (this.size * (this.finished.length + 1)),
      meanLoss,
      skippedNonFinite: this.skipped,
    };
    const ctx = this.context(cur.epoch);
    const end: EpochEnd = { epoch: cur.epoch, phase: cur.phase, visited: cur.visited, meanLoss };
    for (const stage of this.stages) stage.endEpoch?.(end, ctx);
    this.finished.push(summary);
    this.current = null;
    this.next++;
    return summary;
  }

  saveState(): Uint8Array {
    const fn = FN(this.name, 'saveState');
    if (this.current !== null) {
      throw new CallOrderError(`${fn}: epoch ${this.current.epoch} is open; save between epochs, after endEpoch()`);
    }
    const w = new StateWriter(STATE_KIND, STATE_VERSION)
      .json('fingerprint', this.fingerprint)
      .json('progress', { next: this.next, prunedTotal: this.prunedTotal, history: this.finished })
      .uint32('rng', this.rng.getState());
    if (this.store !== null) w.bytes('store', this.store.saveState());
    this.stages.forEach((stage, i) => {
      const s = stage.saveState?.();
      if (s !== undefined) w.bytes(`stage.${i}`, s);
    });
    return w.finish();
  }

  loadState(state: Uint8Array): void {
    const fn = FN(this.name, 'loadState');
    if (this.current !== null) {
      throw new CallOrderError(`${fn}: epoch ${this.current.epoch} is open; restore before planning`);
    }
    const r = StateReader.open(state, STATE_KIND, STATE_VERSION, fn);
    const saved = r.json<string>('fingerprint');
    if (saved !== this.fingerprint) {
      throw new StateError(
        `${fn}: the state was saved by a pruner with other options; expected ${this.fingerprint}, got ${saved}`,
      );
    }
    const inconsistent = (what: string, cause?: unknown): never => {
      throw new StateError(`${fn}: state is inconsistent (${what})`, cause === undefined ? undefined : { cause });
    };
    const progress = checkProgress(r.json('progress'), this.size, this.epochs, this.nonFinite, inconsistent);
    const rng = new Random(0);
    try {
      rng.setState(r.uint32('rng', 4));
    } catch (error) {
      if (error instanceof StateError) throw error;
      inconsistent((error as Error).message, error);
    }
    const restore: StageRestoreContext = { size: this.size, epochs: this.epochs, nextEpoch: progress.next };
    const current: StageRestoreContext = { size: this.size, epochs: this.epochs, nextEpoch: this.next };
    // Stage states are small: back them up, restore them, then the store, whose own
    // loadState validates everything before changing anything. A failure anywhere
    // leaves this pruner as it was.
    const storeBytes = this.store !== null ? r.rawBytes('store') : null;
    const stageBytes = this.stages.map((stage, i) => (stage.loadState ? r.rawBytes(`stage.${i}`) : null));
    const stageBackups = this.stages.map((stage) => (stage.loadState ? (stage.saveState?.() ?? null) : null));
    try {
      this.stages.forEach((stage, i) => {
        const b = stageBytes[i];
        if (b !== null && b !== undefined) stage.loadState!(b, restore);
      });
      if (this.store !== null && storeBytes !== null) this.store.loadState(storeBytes);
    } catch (error) {
      this.stages.forEach((stage, i) => {
        const b = stageBackups[i];
        if (b !== null && b !== undefined) stage.loadState!(b, current);
      });
      throw error instanceof StateError ? error : new StateError(`${fn}: ${(error as Error).message}`, { cause: error });
    }
    this.rng = rng;
    this.next = progress.next;
    this.prunedTotal = progress.prunedTotal;
    this.finished = progress.history;
  }
}

