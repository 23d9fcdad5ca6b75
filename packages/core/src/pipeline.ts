import { CallOrderError, StateError } from './errors.js';
import { Random } from './random.js';
import { PlanArrays, ScratchPool } from './scratch.js';
import { shuffledCopy, shuffledCopyTwoWeights, shuffledOwned, shuffledRange } from './shuffle.js';
import { StateReader, StateWriter } from './state.js';
import { CompensatedSum } from './sum.js';
import type { EpochPlan, EpochSummary, Phase, Pruner } from './types.js';
import { checkArrayLike, checkInteger, checkOneOf, checkOptionKeys, checkOptions, checkSize, describeValue } from './validate.js';

/**
 * What a pipeline needs of a per-sample score store; `LossStore` from
 * `@seta/loss-store` is one.
 */
export interface ScoreStore {
  readonly size: number;
  /** Score of each sample; NaN (or anything) where unseen — check `seen`. */
  readonly scores: Float32Array;
  /** Seen bitmap: sample `i` is seen when bit `i & 31` of word `i >>> 5` is set. */
  readonly seen: Uint32Array;
  readonly seenCount: number;
  /** Mean score over seen samples, or null if none. */
  mean(): number | null;
  /** Record losses (the store validates them). */
  record(ids: ArrayLike<number>, losses: ArrayLike<number>, epoch?: number): number;
  /** Optional fast path for input the pipeline has already validated: integer ids in range, finite losses. */
  recordUnchecked?(ids: ArrayLike<number>, losses: ArrayLike<number>, epoch: number): number;
  saveState(): Uint8Array;
  loadState(bytes: Uint8Array): unknown;
}

/**
 * The samples a plan is being built from, passed from stage to stage. Stages
 * return a new selection; they may reuse and mutate the arrays they receive
 * (the pipeline owns them) but must not keep references across epochs. A
 * stage may return arrays from its `ctx.scratch` pool (reused next epoch):
 * the pipeline copies the final selection into the plan, so plans never
 * alias them. The last stage may instead build its selection in arrays from
 * `ctx.output`, which the pipeline shuffles in place and hands out as the
 * plan.
 */
export interface Selection {
  /** Ids still in the plan, in any order; `null` means all of `0 … size-1`. */
  readonly ids: Uint32Array | null;
  /** `weights[i]` belongs to `ids[i]`; `null` means all 1. Must be null when `ids` is null. */
  readonly weights: Float32Array | null;
  /** The phase the epoch is in so far. */
  readonly phase: Phase;
  /** A stage that decides the plan alone (e.g. annealing) sets this: later stages are skipped. */
  readonly final?: boolean;
}

/** What every stage may read while building a plan or observing a batch. */
export interface StageContext {
  /** The epoch being planned or trained. */
  readonly epoch: number;
  /** E, the number of epochs of the run. */
  readonly epochs: number;
  /** N, the dataset size. */
  readonly size: number;
  /** The pruner's generator: the only source of randomness, so that runs replay exactly. */
  readonly rng: Random;
  /** The score store, if the pruner has one. */
  readonly store: ScoreStore | null;
  /**
   * Reusable arrays for the stage's temporaries, its own (set in `select`;
   * see {@link ScratchPool} for the lifetime rules). Absent when a stage is
   * called outside a pipeline.
   */
  readonly scratch?: ScratchPool;
  /**
   * New arrays for the selection this stage returns that the pipeline may
   * hand out as the plan without copying them (see {@link PlanArrays}).
   * Given to the last stage only, and absent outside a pipeline.
   */
  readonly output?: PlanArrays;
}

/** One batch as stages observe it: validated, non-finite entries removed (with `nonFinite: 'skip'`). */
export interface ObservedBatch {
  readonly ids: Uint32Array;
  /** First (or only) loss direction. */
  readonly losses: Float32Array;
  /** Second direction (image→text vs text→image, view 1→2 vs 2→1), or null for single-loss tasks. */
  readonly lossesB: Float32Array | null;
}

/** What a stage's `loadState` learns of the pruner it is restored into, to check the state against. */
export interface StageRestoreContext {
  /** N, the dataset size. */
  readonly size: number;
  /** E, the number of epochs of the run. */
  readonly epochs: number;
  /** The epoch the restored pruner plans next (the number of epochs finished). */
  readonly nextEpoch: number;
}

/** What stages learn when an epoch ends. */
export interface EpochEnd {
  readonly epoch: number;
  readonly phase: Phase;
  readonly visited: number;
  /** Mean per-sample loss of the epoch (directions summed), or null if nothing was observed. */
  readonly meanLoss: number | null;
}

/**
 * One step of a pruning pipeline. Only `select` is required.
 */
export interface Stage {
  /** Short name, used in state and error messages. */
  readonly name: string;
  /** Whether the stage reads scores (the pipeline then requires a store). */
  readonly needsScores?: boolean;
  /** Narrow (or reweight) the selection for `ctx.epoch`. */
  select(selection: Selection, ctx: StageContext): Selection;
  /** See a batch's losses (after the store has recorded them). */
  observe?(batch: ObservedBatch, ctx: StageContext): void;
  /** Learn how the epoch ended. */
  endEpoch?(end: EpochEnd, ctx: StageContext): void;
  /** The stage's own state, for exact resumption. */
  saveState?(): Uint8Array;
  /**
   * Restore a state from `saveState`. Throw `StateError` for a state that
   * does not fit `ctx` (e.g. a bitmap of another size, a step count beyond
   * the epochs finished); the pipeline passes `ctx` always.
   */
  loadState?(state: Uint8Array, ctx?: StageRestoreContext): void;
}

/** Options of {@link createPruner}. */
export interface PipelineOptions {
  /** Pruner name, reported in `Pruner.name` and checked on `loadState`. */
  readonly name: string;
  /** N, the dataset size: an integer in [1, {@link MAX_SIZE}] (2^31 − 1). */
  readonly size: number;
  /** E, the number of epochs: an integer ≥ 1. */
  readonly epochs: number;
  /** The stages, applied in order at every `plan()`. */
  readonly stages: readonly Stage[];
  /** Where scores live; required if any stage `needsScores`. */
  readonly store?: ScoreStore | null;
  /** Seed of the pruner's generator (default 0). */
  readonly seed?: number;
  /** `'error'` (default): a NaN or infinite loss is an error; `'skip'`: that sample keeps its previous score and the skip is counted. */
  readonly nonFinite?: 'error' | 'skip';
  /**
   * The options that define this pruner (JSON-serialisable). They are saved
   * with the state, and `loadState` rejects a state saved with other options.
   */
  readonly fingerprint?: unknown;
}

/** A pruner built by {@link createPruner}: the `Pruner` contract plus run-level reporting. */
export interface PipelinePruner extends Pruner {
  /** E, the number of epochs of the run. */
  readonly epochs: number;
  /** The next epoch `plan()` expects (equals the number of finished epochs between epochs). */
  readonly nextEpoch: number;
  /** The realised saved ratio of the finished epochs, `Σ_e (N − |plan_e|) / (N · epochs finished)` (0 before any). */
  readonly savedRatio: number;
  /** Summaries of every finished epoch, oldest first. */
  readonly history: readonly EpochSummary[];
}

const OPTION_KEYS = ['name', 'size', 'epochs', 'stages', 'store', 'seed', 'nonFinite', 'fingerprint'] as const;
const PHASES = ['full', 'warmup', 'prune', 'anneal'] as const;

const STATE_KIND = 'pruner';
const STATE_VERSION = 1;
const FN = (name: string, method: string) => `${name}.${method}()`;

/** JSON with object keys sorted, so that equal options always encode equally. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v as object).sort()) out[k] = (v as Record<string, unknown>)[k];
      return out;
    }
    return typeof v === 'function' ? `[function ${(v as { name?: string }).name ?? ''}]` : v;
  });
}

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
  /**
   * Observed scores not yet in the store (large stores only, see
   * {@link PipelinePrunerImpl.recordScores}); always empty between epochs.
   */
  private pending: PendingScores | null = null;

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
    this.nonFinite = checkOneOf(fn, 'nonFinite', options.nonFinite ?? 'error', ['error', 'skip'] as const);
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
    if (this.store !== null && this.observers.length === 0 && this.store.size >= PENDING_MIN_SIZE) {
      this.pending = new PendingScores(this.store.size);
    }
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
    this.flushScores();
    const base = this.context(epoch);
    let selection: Selection = { ids: null, weights: null, phase: 'full' };
    const output = new PlanArrays();
    const last = this.stages.length - 1;
    for (let i = 0; i <= last; i++) {
      const ctx: StageContext = i === last ? { ...base, scratch: this.pools[i]!, output } : { ...base, scratch: this.pools[i]! };
      selection = this.stages[i]!.select(selection, ctx);
      if (selection.final) break;
    }
    let ids = selection.ids;
    let weights = selection.weights;
    if (weights !== null && ids !== null && weights.length !== ids.length) {
      throw new RangeError(`${fn}: a stage returned ${weights.length} weights for ${ids.length} ids`);
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
      // Two-valued weights (InfoBatch's) travel as a tag bit of the ids: the same permutation, cheaper.
      const ownIds = output.owns(ids);
      const ownWeights = output.owns(weights) && weights!.buffer !== ids.buffer;
      const shuffled =
        (weights !== null && this.size <= 0x8000_0000
          ? shuffledCopyTwoWeights(ids, weights, this.rng, ownIds, ownWeights)
          : null) ??
        (ownIds && (weights === null || ownWeights)
          ? shuffledOwned(ids, this.rng, weights ?? undefined)
          : shuffledCopy(ids, this.rng, weights ?? undefined));
      ids = shuffled.out;
      weights = shuffled.companionOut ?? null;
    }
    this.current = { epoch, phase: selection.phase, visited: ids.length };
    this.lossSum.reset();
    this.lossCount = 0;
    this.skipped = 0;
    return { epoch, phase: selection.phase, size: this.size, indices: ids, weights };
  }

  /** Move any pending scores into the store (before anything reads it). */
  private flushScores(): void {
    if (this.pending !== null && this.store !== null) this.pending.flush(this.store, this.current?.epoch ?? 0);
  }

  observe(ids: ArrayLike<number>, losses: ArrayLike<number>, lossesB?: ArrayLike<number>): void {
    const fn = FN(this.name, 'observe');
    if (this.current === null) {
      throw new CallOrderError(
        `${fn}: no epoch is open; call plan(${this.next}) before observing its batches`,
      );
    }
    checkArrayLike(fn, 'ids', ids);
    checkArrayLike(fn, 'losses', losses);
    const n = ids.length;
    if (losses.length !== n) {
      throw new RangeError(`${fn}: ids and losses must have the same length, got ${n} ids and ${losses.length} losses`);
    }
    if (lossesB !== undefined) {
      checkArrayLike(fn, 'lossesB', lossesB);
      if (lossesB.length !== n) {
        throw new RangeError(`${fn}: ids and lossesB must have the same length, got ${n} ids and ${lossesB.length} losses`);
      }
    }
    const size = this.size;
    let bad = 0;
    let batchSum = 0; // a plain sum within the batch; batch sums are added with compensation
    // Typed arrays, the usual case, first take a lean pass: Uint32Array ids
    // are integers ≥ 0 and float32 losses are numbers, so only the largest
    // id and finiteness need checking. Only if that pass finds a problem
    // does the general one below run, to name it (or skip what is bad).
    const typed = ids instanceof Uint32Array && losses instanceof Float32Array && (lossesB === undefined || lossesB instanceof Float32Array);
    const fast = typed ? typedBatchSum(ids, losses, lossesB ?? null, size) : null;
    if (fast !== null) batchSum = fast;
    for (let i = 0; fast === null && i < n; i++) {
      const id = ids[i]!;
      if (!(id >= 0 && id < size && Number.isInteger(id))) {
        throw new RangeError(`${fn}: ids[${i}] must be an integer id in [0, ${size - 1}], got ${describeValue(id)}`);
      }
      const a = losses[i]!;
      const b = lossesB === undefined ? 0 : lossesB[i]!;
      const total = Math.fround(a + b);
      // total - total is 0 exactly when a + b is finite in float32 (NaN otherwise).
      if (typeof a !== 'number' || typeof b !== 'number' || total - total !== 0 || a - a !== 0 || b - b !== 0) {
        if (typeof a !== 'number' || typeof b !== 'number') {
          const which = typeof a !== 'number' ? 'losses' : 'lossesB';
          throw new TypeError(`${fn}: ${which}[${i}] (id ${id}) must be a number, got ${describeValue(typeof a !== 'number' ? a : b)}`);
        }
        if (this.nonFinite === 'skip') {
          bad++;
          continue;
        }
        if (!Number.isFinite(a)) throw new RangeError(`${fn}: losses[${i}] (id ${id}) must be finite, got ${describeValue(a)}`);
        if (!Number.isFinite(b)) throw new RangeError(`${fn}: lossesB[${i}] (id ${id}) must be finite, got ${describeValue(b)}`);
        // Finite as doubles, but the score (a float32) overflows.
        throw new RangeError(
          lossesB === undefined
            ? `${fn}: losses[${i}] (id ${id}) must be finite as a float32 (|loss| ≤ 3.4028234663852886e38), got ${describeValue(a)}`
            : `${fn}: losses + lossesB[${i}] (id ${id}) must be finite as a float32, got ${describeValue(a)} + ${describeValue(b)}`,
        );
      }
      batchSum += lossesB === undefined ? a : a + b;
    }
    const m = n - bad;
    this.lossSum.add(batchSum);
    this.lossCount += m;
    this.skipped += bad;
    // Hand the batch on as typed arrays without copying when it already is one and nothing was skipped.
    let cleanIds: Uint32Array;
    let cleanA: Float32Array;
    let cleanB: Float32Array | null = null;
    if (bad === 0 && typed) {
      cleanIds = ids;
      cleanA = losses;
      cleanB = lossesB ?? null;
    } else {
      cleanIds = new Uint32Array(m);
      cleanA = new Float32Array(m);
      if (lossesB !== undefined) cleanB = new Float32Array(m);
      for (let i = 0, j = 0; i < n; i++) {
        const a = losses[i]!;
        const b = lossesB === undefined ? 0 : lossesB[i]!;
        const total = Math.fround(a + b);
        if (bad > 0 && (total - total !== 0 || a - a !== 0 || b - b !== 0)) continue;
        cleanIds[j] = ids[i]!;
        cleanA[j] = a;
        if (cleanB !== null) cleanB[j] = b;
        j++;
      }
    }
    const epoch = this.current.epoch;
    const store = this.store;
    if (store !== null && m > 0) {
      let score = cleanA;
      if (cleanB !== null) {
        score = new Float32Array(m);
        for (let j = 0; j < m; j++) score[j] = cleanA[j]! + cleanB[j]!;
      }
      if (this.pending !== null) this.pending.add(cleanIds, score, store, epoch);
      else if (store.recordUnchecked !== undefined) store.recordUnchecked(cleanIds, score, epoch);
      else store.record(cleanIds, score, epoch);
    }
    if (this.observers.length > 0) {
      const ctx = this.context(epoch);
      const batch: ObservedBatch = { ids: cleanIds, losses: cleanA, lossesB: cleanB };
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
    this.flushScores();
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

/** Throws a TypeError unless `store` has what a pipeline uses of a {@link ScoreStore}. */
function checkStore(fn: string, store: unknown): void {
  const s = store as Record<string, unknown>;
  if (
    typeof s !== 'object' ||
    typeof s.size !== 'number' ||
    !(s.scores instanceof Float32Array) ||
    !(s.seen instanceof Uint32Array) ||
    typeof s.mean !== 'function' ||
    typeof s.record !== 'function' ||
    typeof s.saveState !== 'function' ||
    typeof s.loadState !== 'function'
  ) {
    throw new TypeError(
      `${fn}: store must be a score store (size, scores, seen, mean(), record(), saveState(), loadState()), got ${describeValue(store)}`,
    );
  }
}

interface Progress {
  readonly next: number;
  readonly prunedTotal: number;
  readonly history: EpochSummary[];
}

/**
 * The saved progress of a pruner of `size` and `epochs`, checked field by
 * field: a forged or damaged state with a valid checksum (say `next: -1`,
 * `history: null`) must not be restored, since it would fail later and
 * elsewhere, or plan an epoch that does not exist. Ratios must be exactly
 * what `endEpoch` computes from the visited counts. O(epochs finished).
 */
function checkProgress(
  raw: unknown,
  size: number,
  epochs: number,
  nonFinite: 'error' | 'skip',
  inconsistent: (what: string) => never,
): Progress {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) inconsistent(`progress must be an object, got ${describeValue(raw)}`);
  const g = raw as Record<string, unknown>;
  const next = g.next;
  if (typeof next !== 'number' || !Number.isInteger(next) || next < 0 || next > epochs) {
    inconsistent(`progress.next must be an integer in [0, ${epochs}], got ${describeValue(next)}`);
  }
  const n = next as number;
  const history = g.history;
  if (!Array.isArray(history) || history.length !== n) {
    inconsistent(`progress.history must be an array of ${n} epoch summaries, got ${describeValue(history)}`);
  }
  const entries = history as unknown[];
  let pruned = 0;
  const out: EpochSummary[] = [];
  for (let e = 0; e < n; e++) {
    const h = entries[e] as Record<string, unknown> | null;
    const at = `progress.history[${e}]`;
    if (h === null || typeof h !== 'object' || Array.isArray(h)) inconsistent(`${at} must be an epoch summary, got ${describeValue(h)}`);
    const { epoch, phase, visited, prunedRatio, savedRatioSoFar, meanLoss, skippedNonFinite } = h!;
    if (epoch !== e) inconsistent(`${at}.epoch must be ${e}, got ${describeValue(epoch)}`);
    if (typeof phase !== 'string' || !(PHASES as readonly string[]).includes(phase)) {
      inconsistent(`${at}.phase must be one of ${PHASES.map((p) => JSON.stringify(p)).join(', ')}, got ${describeValue(phase)}`);
    }
    if (typeof visited !== 'number' || !Number.isInteger(visited) || visited < 1 || visited > size) {
      inconsistent(`${at}.visited must be an integer in [1, ${size}], got ${describeValue(visited)}`);
    }
    // The same arithmetic as endEpoch, so equal exactly (JSON keeps doubles exact).
    const p = size - (visited as number);
    pruned += p;
    if (prunedRatio !== p / size) inconsistent(`${at}.prunedRatio must be ${p / size} (1 − visited / size), got ${describeValue(prunedRatio)}`);
    const saved = pruned / (size * (e + 1));
    if (savedRatioSoFar !== saved) inconsistent(`${at}.savedRatioSoFar must be ${saved}, got ${describeValue(savedRatioSoFar)}`);
    if (meanLoss !== null && !(typeof meanLoss === 'number' && Number.isFinite(meanLoss))) {
      inconsistent(`${at}.meanLoss must be null or a finite number, got ${describeValue(meanLoss)}`);
    }
    if (nonFinite === 'error' ? skippedNonFinite !== 0 : !(Number.isSafeInteger(skippedNonFinite) && (skippedNonFinite as number) >= 0)) {
      inconsistent(
        nonFinite === 'error'
          ? `${at}.skippedNonFinite must be 0 without nonFinite: 'skip', got ${describeValue(skippedNonFinite)}`
          : `${at}.skippedNonFinite must be an integer ≥ 0, got ${describeValue(skippedNonFinite)}`,
      );
    }
    out.push({
      epoch: e,
      phase: phase as Phase,
      visited: visited as number,
      prunedRatio: prunedRatio as number,
      savedRatioSoFar: savedRatioSoFar as number,
      meanLoss: meanLoss as number | null,
      skippedNonFinite: skippedNonFinite as number,
    });
  }
  if (g.prunedTotal !== pruned) {
    inconsistent(`progress.prunedTotal must be ${pruned} (the pruned samples of the history), got ${describeValue(g.prunedTotal)}`);
  }
  return { next: n, prunedTotal: pruned, history: out };
}

/** Stores of at least this many samples (16 MiB of float32 scores, twice the reference machine's L3) record through {@link PendingScores}. */
const PENDING_MIN_SIZE = 1 << 22;
/** Observations gathered before they are written: 8 bytes each, 8 MiB in all (and as much again to sort them). */
const PENDING_CAPACITY = 1 << 20;
/** Id ranges the observations are grouped by before they are written. */
const PENDING_RANGE_BITS = 8;

/**
 * Observed scores of a large store, gathered and written in batches grouped
 * by id range. A training loop observes ids in random order (plans are
 * shuffled), so each score written straight into a store of 10^8 samples
 * (400 MB) lands on a different page: a TLB miss and a page walk per sample.
 * Grouped into 256 id ranges (a counting sort, stable), the same writes touch
 * one range of ~1.5 MB at a time. Observations of one id keep their order,
 * so the store ends exactly as if every batch had been recorded as it came
 * (latest wins, or its moving average). The pipeline writes everything
 * before any stage or the state reads the store: when this buffer is full,
 * at `endEpoch` and at `plan`.
 */
class PendingScores {
  private readonly ids = new Uint32Array(PENDING_CAPACITY);
  private readonly scores = new Float32Array(PENDING_CAPACITY);
  private readonly sortedIds = new Uint32Array(PENDING_CAPACITY);
  private readonly sortedScores = new Float32Array(PENDING_CAPACITY);
  private readonly starts = new Uint32Array(1 << PENDING_RANGE_BITS);
  private readonly shift: number;
  private count = 0;

  constructor(size: number) {
    this.shift = Math.max(0, 32 - Math.clz32(size - 1) - PENDING_RANGE_BITS);
  }

  add(ids: Uint32Array, scores: Float32Array, store: ScoreStore, epoch: number): void {
    const n = ids.length;
    if (n > PENDING_CAPACITY) {
      this.flush(store, epoch);
      this.write(store, ids, scores, epoch);
      return;
    }
    if (this.count + n > PENDING_CAPACITY) this.flush(store, epoch);
    this.ids.set(ids, this.count);
    this.scores.set(scores, this.count);
    this.count += n;
  }

  flush(store: ScoreStore, epoch: number): void {
    const n = this.count;
    if (n === 0) return;
    this.count = 0;
    const ids = this.ids;
    const scores = this.scores;
    const starts = this.starts;
    const shift = this.shift;
    starts.fill(0);
    for (let i = 0; i < n; i++) starts[ids[i]! >>> shift]!++;
    let sum = 0;
    for (let r = 0; r < starts.length; r++) {
      const c = starts[r]!;
      starts[r] = sum;
      sum += c;
    }
    const sortedIds = this.sortedIds;
    const sortedScores = this.sortedScores;
    for (let i = 0; i < n; i++) {
      const id = ids[i]!;
      const p = starts[id >>> shift]!++;
      sortedIds[p] = id;
      sortedScores[p] = scores[i]!;
    }
    this.write(store, sortedIds.subarray(0, n), sortedScores.subarray(0, n), epoch);
  }

  private write(store: ScoreStore, ids: Uint32Array, scores: Float32Array, epoch: number): void {
    if (store.recordUnchecked !== undefined) store.recordUnchecked(ids, scores, epoch);
    else store.record(ids, scores, epoch);
  }
}

/**
 * The plain sum of a batch's losses (a + b per sample with two directions),
 * in the order and arithmetic of the general validation loop of
 * `observe`, or null when an id is not below `size` or a loss (or a + b in
 * float32) is not finite — then that loop runs to name the problem or skip.
 */
function typedBatchSum(ids: Uint32Array, a: Float32Array, b: Float32Array | null, size: number): number | null {
  const n = ids.length;
  let largest = 0;
  let finite = 1;
  let sum = 0;
  if (b === null) {
    for (let i = 0; i < n; i++) {
      const id = ids[i]!;
      largest = id > largest ? id : largest;
      const x = a[i]!;
      finite &= ((x - x === 0) as unknown as number) | 0;
      sum += x;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const id = ids[i]!;
      largest = id > largest ? id : largest;
      const x = a[i]!;
      const y = b[i]!;
      // a + b is finite in float32 only when a and b are both finite.
      const total = Math.fround(x + y);
      finite &= ((total - total === 0) as unknown as number) | 0;
      sum += x + y;
    }
  }
  return n > 0 && (largest >= size || finite === 0) ? null : sum;
}
