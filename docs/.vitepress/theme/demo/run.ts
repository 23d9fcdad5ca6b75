// One live training run of the demo: a small MLP on the spirals, trained by
// @seta/tfjs-trainer's Trainer (its browser build) with a pruner that chooses
// each epoch's samples. The page runs two of them side by side — the chosen
// strategy and full data — from the same initial weights, data and batch
// order seed, so that the difference between them is the pruning alone. The
// demo only watches: it wraps the pruner to see each plan and the per-sample
// losses, and stops the trainer after every epoch to draw.
import * as tf from '@tensorflow/tfjs-core';
import type { EpochPlan, EpochSummary, Pruner } from '@seta/core';
import { dynamicRandom, full } from '@seta/baselines';
import { infobatch } from '@seta/infobatch';
import { assign, kmeans1d } from '@seta/kmeans1d';
import { scan } from '@seta/scan';
import { seta } from '@seta/seta';
import { Trainer, arrayDataSource, softmaxCrossEntropy } from '@seta/tfjs-trainer';
import type { EpochReport } from '@seta/tfjs-trainer';
import { windowRange } from '@seta/window';
import { CLASSES, spirals, type Points } from './data';

export type StrategyName = 'seta' | 'infobatch' | 'scan' | 'random';
export type Level = 'mild' | 'strong';

interface PrunerArgs {
  readonly size: number;
  readonly epochs: number;
  readonly seed: number;
}

/** A strategy at one level: the options shown on the page and the pruner they make. */
export interface Setting {
  /** The options as a user would write them, for the page. */
  readonly code: string;
  readonly make: (args: PrunerArgs) => Pruner;
  /** SeTa's group count and window share, which the drawing of its groups needs. */
  readonly seta?: { readonly groups: number; readonly windowScale: number };
}

/**
 * The strategies the page offers, each at the two settings the
 * classification study measured (README, "Does it save training?"), so what
 * the demo shows can be read against the study.
 */
export const STRATEGIES: Record<StrategyName, { readonly label: string; readonly levels: Record<Level, Setting> }> = {
  seta: {
    label: 'SeTa',
    levels: {
      mild: { code: 'seta({ pruneRatio: 0.1, groups: 5, windowScale: 0.9 })', seta: { groups: 5, windowScale: 0.9 }, make: (a) => seta({ ...a, pruneRatio: 0.1, groups: 5, windowScale: 0.9 }) },
      strong: { code: 'seta({ pruneRatio: 0.3, groups: 5, windowScale: 0.6 })', seta: { groups: 5, windowScale: 0.6 }, make: (a) => seta({ ...a, pruneRatio: 0.3, groups: 5, windowScale: 0.6 }) },
    },
  },
  infobatch: {
    label: 'InfoBatch',
    levels: {
      mild: { code: 'infobatch({ pruneRatio: 0.5 })', make: (a) => infobatch({ ...a, pruneRatio: 0.5 }) },
      strong: { code: 'infobatch({ pruneRatio: 0.8 })', make: (a) => infobatch({ ...a, pruneRatio: 0.8 }) },
    },
  },
  scan: {
    label: 'SCAN',
    levels: {
      mild: { code: 'scan({ pruneRatio: 0.3 })', make: (a) => scan({ ...a, pruneRatio: 0.3 }) },
      strong: { code: 'scan({ pruneRatio: 0.5 })', make: (a) => scan({ ...a, pruneRatio: 0.5 }) },
    },
  },
  random: {
    label: 'dynamic random',
    levels: {
      mild: { code: 'dynamicRandom({ pruneRatio: 0.3 })', make: (a) => dynamicRandom({ ...a, pruneRatio: 0.3 }) },
      strong: { code: 'dynamicRandom({ pruneRatio: 0.5 })', make: (a) => dynamicRandom({ ...a, pruneRatio: 0.5 }) },
    },
  },
};

/** The reference run: every sample, every epoch. */
const FULL: Setting = { code: 'full()', make: (a) => full(a) };

export interface DemoOptions {
  /** Which pruner trains this run; `'full'` is the full-data reference. */
  readonly strategy: StrategyName | 'full';
  readonly level: Level;
  readonly size: number;
  readonly epochs: number;
  /** Share of the training labels flipped to another class. */
  readonly noise: number;
  readonly batchSize: number;
  readonly hidden: number;
  readonly learningRate: number;
  /** Seeds the data, the initial weights and the batch order: equal seeds, equal starts. */
  readonly seed: number;
  /**
   * Test-only: a deliberately broken run, so that docs:test can show its
   * checks notice one. `'mis-prune'` trains on only the first 2 % of each
   * plan. Never set by the site.
   */
  readonly fault?: 'mis-prune';
}

export const DEFAULTS: DemoOptions = {
  strategy: 'seta',
  level: 'strong',
  size: 1200,
  epochs: 60,
  noise: 0.08,
  batchSize: 50,
  hidden: 24,
  learningRate: 0.01,
  seed: 1,
};

/** What one epoch looked like, for drawing. */
export interface EpochView {
  readonly epoch: number;
  readonly phase: EpochPlan['phase'];
  /** Per sample: 1 if visited this epoch. */
  readonly visitedMask: Uint8Array;
  /** Visited samples whose label was flipped. */
  readonly visitedFlipped: number;
  /** Per sample: its score (latest loss) when the epoch was planned; NaN if unseen. */
  readonly scores: Float32Array;
  /**
   * Per sample: its loss group when the epoch was planned (0 = easiest), or
   * -1 if unseen; all 0 for strategies without groups.
   */
  readonly group: Int8Array;
  /** The k-means bounds between the groups, ascending (empty without groups). */
  readonly bounds: Float64Array;
  /** SeTa's window this epoch, its groups `start` to `end` exclusive; null otherwise. */
  readonly window: { start: number; end: number } | null;
  /** SeTa's window step t (counting prune-phase epochs from 0). */
  readonly step: number;
  readonly summary: EpochSummary;
  readonly trainLoss: number;
  readonly testAccuracy: number;
  readonly ms: number;
}

function dense(inputs: number, outputs: number, rng: () => number): [tf.Variable, tf.Variable] {
  const scale = Math.sqrt(2 / inputs);
  const w = tf.variable(tf.tensor2d(Float32Array.from({ length: inputs * outputs }, () => (rng() * 2 - 1) * scale * 1.7), [inputs, outputs]));
  const b = tf.variable(tf.zeros([outputs]));
  return [w, b];
}

/**
 * `pruner`, passing everything through, with `onPlan` told each plan (and
 * able to replace it, for the test-only fault) and `onObserve` each batch's
 * ids and per-sample losses.
 */
function watched(pruner: Pruner, onPlan: (plan: EpochPlan) => EpochPlan, onObserve: (ids: ArrayLike<number>, losses: ArrayLike<number>) => void): Pruner {
  const w: Pruner = {
    name: pruner.name,
    size: pruner.size,
    plan: (epoch) => onPlan(pruner.plan(epoch)),
    observe(ids, losses, lossesB) {
      pruner.observe(ids, losses, lossesB);
      onObserve(ids, losses);
    },
    endEpoch: () => pruner.endEpoch(),
    saveState: () => pruner.saveState(),
    loadState: (state) => pruner.loadState(state),
  };
  // What the trainer checks the pruner against the run with, when the pruner has it.
  for (const key of ['epochs', 'nextEpoch'] as const) {
    if (key in pruner) Object.defineProperty(w, key, { get: () => (pruner as unknown as Record<string, unknown>)[key], enumerable: true });
  }
  return w;
}

/** The first 2 % of a plan: pruning gone wrong, for the test-only fault. */
function misPrune(plan: EpochPlan): EpochPlan {
  const n = Math.max(1, Math.ceil(plan.indices.length * 0.02));
  return { ...plan, indices: plan.indices.slice(0, n), weights: plan.weights ? plan.weights.slice(0, n) : null };
}

export class DemoRun {
  readonly options: DemoOptions;
  readonly setting: Setting;
  readonly train: Points;
  readonly test: Points;
  readonly pruner: Pruner;
  private readonly vars: tf.Variable[];
  private readonly optimizer: tf.Optimizer;
  private readonly trainer: Trainer;
  private readonly xTest: tf.Tensor2D;
  /** Per sample: its latest loss, NaN until first visited. */
  private readonly scores: Float32Array;
  private lastPlan: EpochPlan | null = null;
  private lastReport: EpochReport | null = null;
  epoch = 0;
  readonly history: EpochView[] = [];

  constructor(options: Partial<DemoOptions> = {}) {
    this.options = { ...DEFAULTS, ...options };
    const o = this.options;
    this.setting = o.strategy === 'full' ? FULL : STRATEGIES[o.strategy].levels[o.level];
    this.train = spirals(o.size, o.seed, o.noise);
    this.test = spirals(600, o.seed + 1000, 0);
    this.pruner = this.setting.make({ size: o.size, epochs: o.epochs, seed: o.seed });
    let s = o.seed * 2654435761 >>> 0;
    const rng = () => ((s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32);
    this.vars = [...dense(2, o.hidden, rng), ...dense(o.hidden, o.hidden, rng), ...dense(o.hidden, CLASSES, rng)];
    this.optimizer = tf.train.adam(o.learningRate);
    this.xTest = tf.tensor2d(this.test.xy, [this.test.size, 2]);
    this.scores = new Float32Array(o.size).fill(Number.NaN);
    const scores = this.scores;
    const pruner = watched(
      this.pruner,
      (plan) => (this.lastPlan = o.fault === 'mis-prune' ? misPrune(plan) : plan),
      (ids, losses) => {
        for (let i = 0; i < ids.length; i++) scores[ids[i]!] = losses[i]!;
      },
    );
    this.trainer = new Trainer({
      model: (x) => this.logits(x as tf.Tensor2D),
      variables: this.vars,
      optimizer: this.optimizer,
      pruner,
      data: arrayDataSource({ values: this.train.xy, shape: [o.size, 2] }, { values: this.train.labels, shape: [o.size] }),
      loss: (logits, labels) => softmaxCrossEntropy(labels as tf.Tensor, logits as tf.Tensor),
      epochs: o.epochs,
      batchSize: o.batchSize,
      seed: o.seed,
      // One epoch per fit(): the page draws between epochs, and fit() again continues.
      onEpochEnd: (report) => {
        this.lastReport = report;
        this.trainer.stop();
      },
    });
  }

  /** A copy of the model's weights, in order. */
  weights(): Float32Array[] {
    return this.vars.map((v) => v.dataSync() as Float32Array).map((a) => a.slice());
  }

  /** Class scores (logits) for points `[n, 2]`. */
  logits(x: tf.Tensor2D): tf.Tensor2D {
    const [w1, b1, w2, b2, w3, b3] = this.vars as [tf.Variable, tf.Variable, tf.Variable, tf.Variable, tf.Variable, tf.Variable];
    const h1 = tf.tanh(tf.add(tf.matMul(x, w1), b1));
    const h2 = tf.tanh(tf.add(tf.matMul(h1, w2), b2));
    return tf.add(tf.matMul(h2, w3), b3) as tf.Tensor2D;
  }

  /** Predicted class of every cell of a `cells × cells` grid over [-1.1, 1.1]². */
  predictGrid(cells: number): Int32Array {
    return tf.tidy(() => {
      const xy = new Float32Array(cells * cells * 2);
      for (let j = 0; j < cells; j++)
        for (let i = 0; i < cells; i++) {
          xy[2 * (j * cells + i)] = -1.1 + (2.2 * (i + 0.5)) / cells;
          xy[2 * (j * cells + i) + 1] = 1.1 - (2.2 * (j + 0.5)) / cells;
        }
      return tf.argMax(this.logits(tf.tensor2d(xy, [cells * cells, 2])), 1).dataSync() as Int32Array;
    });
  }

  get done(): boolean {
    return this.epoch >= this.options.epochs;
  }

  /** The loss groups as SeTa sees them when it plans the next epoch (all 0 for other strategies). */
  private groups(scores: Float32Array): { group: Int8Array; bounds: Float64Array } {
    const group = new Int8Array(this.options.size).fill(-1);
    const seenIds: number[] = [];
    scores.forEach((v, i) => { if (!Number.isNaN(v)) seenIds.push(i); });
    const k = this.setting.seta?.groups;
    if (k === undefined) {
      for (const id of seenIds) group[id] = 0;
      return { group, bounds: new Float64Array(0) };
    }
    if (seenIds.length < k) return { group, bounds: new Float64Array(0) };
    const seenScores = Float32Array.from(seenIds, (i) => scores[i]!);
    const clusters = kmeans1d(seenScores, k);
    if (clusters.centroids.length !== k) return { group, bounds: new Float64Array(0) };
    const g = assign(seenScores, clusters);
    seenIds.forEach((id, j) => (group[id] = g[j]!));
    return { group, bounds: clusters.bounds };
  }

  /** Trains one epoch on the pruner's plan and returns what happened. */
  async runEpoch(): Promise<EpochView> {
    if (this.done) throw new Error(`DemoRun.runEpoch(): all ${this.options.epochs} epochs are done`);
    const t0 = performance.now();
    const epoch = this.epoch;
    const step = this.history.filter((h) => h.phase === 'prune').length;
    const scores = this.scores.slice();
    const { group, bounds } = this.groups(scores);

    // One epoch of the trainer: it plans, trains on the plan's batches, feeds
    // the per-sample losses to the pruner and closes the epoch.
    await this.trainer.fit();
    const plan = this.lastPlan;
    const report = this.lastReport;
    if (plan === null || report === null || report.epoch !== epoch) throw new Error(`DemoRun.runEpoch(): the trainer did not train epoch ${epoch}`);
    const ws = this.setting.seta;
    const window = ws && plan.phase === 'prune' ? windowRange(step, ws.groups, ws.windowScale) : null;
    const visitedMask = new Uint8Array(this.options.size);
    let visitedFlipped = 0;
    for (const id of plan.indices) {
      visitedMask[id] = 1;
      visitedFlipped += this.train.noisy[id]!;
    }

    const predicted = tf.tidy(() => tf.argMax(this.logits(this.xTest), 1).dataSync() as Int32Array);
    let correct = 0;
    for (let i = 0; i < this.test.size; i++) if (predicted[i] === this.test.labels[i]) correct++;

    this.epoch++;
    const view: EpochView = {
      epoch,
      phase: plan.phase,
      visitedMask,
      visitedFlipped,
      scores,
      group,
      bounds,
      window,
      step,
      summary: report.summary,
      trainLoss: report.loss,
      testAccuracy: correct / this.test.size,
      ms: performance.now() - t0,
    };
    this.history.push(view);
    return view;
  }

  dispose(): void {
    this.trainer.stop();
    tf.dispose([this.xTest, ...this.vars]);
    this.optimizer.dispose();
  }
}
