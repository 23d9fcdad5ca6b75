// One live training run of the demo: a small MLP on the spirals, trained by
// @seta/tfjs-trainer's Trainer (its browser build) with a SeTa pruner that
// chooses each epoch's samples. The demo only watches: it wraps the pruner to
// see each plan and the per-sample losses, and stops the trainer after every
// epoch to draw.
import * as tf from '@tensorflow/tfjs-core';
import type { EpochPlan, EpochSummary, Pruner } from '@seta/core';
import { assign, kmeans1d } from '@seta/kmeans1d';
import { seta } from '@seta/seta';
import { Trainer, arrayDataSource, softmaxCrossEntropy } from '@seta/tfjs-trainer';
import type { EpochReport } from '@seta/tfjs-trainer';
import { windowRange } from '@seta/window';
import { CLASSES, spirals, type Points } from './data';

export interface DemoOptions {
  readonly size: number;
  readonly epochs: number;
  readonly pruneRatio: number;
  readonly groups: number;
  readonly windowScale: number;
  readonly batchSize: number;
  readonly hidden: number;
  readonly learningRate: number;
  readonly seed: number;
}

export const DEFAULTS: DemoOptions = {
  size: 1200,
  epochs: 40,
  pruneRatio: 0.1,
  groups: 5,
  windowScale: 0.6,
  batchSize: 64,
  hidden: 32,
  learningRate: 0.02,
  seed: 1,
};

/** What one epoch looked like, for drawing. */
export interface EpochView {
  readonly epoch: number;
  readonly phase: EpochPlan['phase'];
  /** The plan's ids. */
  readonly visitedIds: Uint32Array;
  /** Per sample: 1 if visited this epoch. */
  readonly visitedMask: Uint8Array;
  /** Per sample: its score (latest loss) when the epoch was planned; NaN if unseen. */
  readonly scores: Float32Array;
  /** Per sample: its loss group when the epoch was planned (0 = easiest), or -1 if unseen or no grouping. */
  readonly group: Int8Array;
  /** The k-means bounds between groups, ascending (empty before anything is seen). */
  readonly bounds: Float64Array;
  /** The window's groups this epoch, `end` exclusive; null in annealing epochs. */
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
 * `pruner`, passing everything through, with `onPlan` told each plan and
 * `onObserve` each batch's ids and per-sample losses.
 */
function watched(pruner: Pruner, onPlan: (plan: EpochPlan) => void, onObserve: (ids: ArrayLike<number>, losses: ArrayLike<number>) => void): Pruner {
  const w: Pruner = {
    name: pruner.name,
    size: pruner.size,
    plan(epoch) {
      const plan = pruner.plan(epoch);
      onPlan(plan);
      return plan;
    },
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

export class DemoRun {
  readonly options: DemoOptions;
  readonly train: Points;
  readonly test: Points;
  readonly pruner;
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
    this.train = spirals(o.size, o.seed, 0.04);
    this.test = spirals(600, o.seed + 1000, 0);
    this.pruner = seta({ size: o.size, epochs: o.epochs, pruneRatio: o.pruneRatio, groups: o.groups, windowScale: o.windowScale, seed: o.seed });
    let s = o.seed * 2654435761 >>> 0;
    const rng = () => ((s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32);
    this.vars = [...dense(2, o.hidden, rng), ...dense(o.hidden, o.hidden, rng), ...dense(o.hidden, CLASSES, rng)];
    this.optimizer = tf.train.adam(o.learningRate);
    this.xTest = tf.tensor2d(this.test.xy, [this.test.size, 2]);
    this.scores = new Float32Array(o.size).fill(Number.NaN);
    const scores = this.scores;
    const pruner = watched(
      this.pruner,
      (plan) => (this.lastPlan = plan),
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

  /** Class scores (logits) for points `[n, 2]`. */
  logits(x: tf.Tensor2D): tf.Tensor2D {
    const [w1, b1, w2, b2, w3, b3] = this.vars as [tf.Variable, tf.Variable, tf.Variable, tf.Variable, tf.Variable, tf.Variable];
    const h1 = tf.tanh(tf.add(tf.matMul(x, w1), b1));
    const h2 = tf.tanh(tf.add(tf.matMul(h1, w2), b2));
    return tf.add(tf.matMul(h2, w3), b3) as tf.Tensor2D;
  }

  /** Predicted class of every cell of a `cells × cells` grid over [-1, 1]². */
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

  /** Trains one epoch on the pruner's plan and returns what happened. */
  async runEpoch(): Promise<EpochView> {
    if (this.done) throw new Error(`DemoRun.runEpoch(): all ${this.options.epochs} epochs are done`);
    const o = this.options;
    const t0 = performance.now();
    const epoch = this.epoch;

    // The loss groups and the window as SeTa sees them when it plans this epoch.
    const step = this.history.filter((h) => h.phase === 'prune').length;
    const scores = this.scores.slice();
    const seenIds: number[] = [];
    scores.forEach((v, i) => { if (!Number.isNaN(v)) seenIds.push(i); });
    const group = new Int8Array(o.size).fill(-1);
    let bounds: Float64Array = new Float64Array(0);
    if (seenIds.length >= o.groups) {
      const seenScores = Float32Array.from(seenIds, (i) => scores[i]!);
      const clusters = kmeans1d(seenScores, o.groups);
      if (clusters.centroids.length === o.groups) {
        bounds = clusters.bounds;
        const g = assign(seenScores, clusters);
        seenIds.forEach((id, j) => (group[id] = g[j]!));
      }
    }

    // One epoch of the trainer: it plans, trains on the plan's batches, feeds
    // the per-sample losses to the pruner and closes the epoch.
    await this.trainer.fit();
    const plan = this.lastPlan;
    const report = this.lastReport;
    if (plan === null || report === null || report.epoch !== epoch) throw new Error(`DemoRun.runEpoch(): the trainer did not train epoch ${epoch}`);
    const summary = report.summary;
    const window = plan.phase === 'prune' ? windowRange(step, o.groups, o.windowScale) : null;
    const visitedMask = new Uint8Array(o.size);
    for (const id of plan.indices) visitedMask[id] = 1;

    const predicted = tf.tidy(() => tf.argMax(this.logits(this.xTest), 1).dataSync() as Int32Array);
    let correct = 0;
    for (let i = 0; i < this.test.size; i++) if (predicted[i] === this.test.labels[i]) correct++;

    this.epoch++;
    const view: EpochView = {
      epoch,
      phase: plan.phase,
      visitedIds: plan.indices,
      visitedMask,
      scores,
      group,
      bounds,
      window,
      step,
      summary,
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
