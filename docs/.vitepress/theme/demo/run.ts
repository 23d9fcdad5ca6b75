// One live training run of the demo: a small MLP on the spirals, trained with
// TensorFlow.js, whose samples are chosen each epoch by a SeTa pruner.
import * as tf from '@tensorflow/tfjs-core';
import { batchPlan } from '@seta/core';
import type { EpochPlan, EpochSummary } from '@seta/core';
import { assign, kmeans1d } from '@seta/kmeans1d';
import { seta } from '@seta/seta';
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

export class DemoRun {
  readonly options: DemoOptions;
  readonly train: Points;
  readonly test: Points;
  readonly pruner;
  private readonly vars: tf.Variable[];
  private readonly optimizer: tf.Optimizer;
  private readonly xTrain: tf.Tensor2D;
  private readonly yTrain: tf.Tensor2D;
  private readonly xTest: tf.Tensor2D;
  private readonly scores: Float32Array;
  private steps = 0;
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
    this.xTrain = tf.tensor2d(this.train.xy, [o.size, 2]);
    this.yTrain = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(this.train.labels, 'int32'), CLASSES), 'float32')) as tf.Tensor2D;
    this.xTest = tf.tensor2d(this.test.xy, [this.test.size, 2]);
    this.scores = new Float32Array(o.size).fill(Number.NaN);
  }

  /** Class scores (logits) for points `[n, 2]`. */
  logits(x: tf.Tensor2D): tf.Tensor2D {
    const [w1, b1, w2, b2, w3, b3] = this.vars as [tf.Variable, tf.Variable, tf.Variable, tf.Variable, tf.Variable, tf.Variable];
    return tf.tidy(() => {
      const h1 = tf.tanh(tf.add(tf.matMul(x, w1), b1));
      const h2 = tf.tanh(tf.add(tf.matMul(h1, w2), b2));
      return tf.add(tf.matMul(h2, w3), b3) as tf.Tensor2D;
    });
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

    const plan = this.pruner.plan(epoch);
    const window = plan.phase === 'prune' ? windowRange(step, o.groups, o.windowScale) : null;
    const visitedMask = new Uint8Array(o.size);
    for (const id of plan.indices) visitedMask[id] = 1;

    let lossSum = 0;
    for (const { indices } of batchPlan(plan, o.batchSize)) {
      const ids = tf.tensor1d(Int32Array.from(indices), 'int32');
      let perSample: tf.Tensor1D | null = null;
      const x = tf.gather(this.xTrain, ids) as tf.Tensor2D;
      const y = tf.gather(this.yTrain, ids) as tf.Tensor2D;
      this.optimizer.minimize(() => {
        const losses = tf.losses.softmaxCrossEntropy(y, this.logits(x), undefined, undefined, tf.Reduction.NONE) as tf.Tensor1D;
        perSample = tf.keep(losses);
        return tf.mean(losses) as tf.Scalar;
      }, false, this.vars);
      const values = (perSample as unknown as tf.Tensor1D).dataSync() as Float32Array;
      tf.dispose([ids, x, y, perSample as unknown as tf.Tensor]);
      this.pruner.observe(indices, values);
      for (let i = 0; i < indices.length; i++) {
        this.scores[indices[i]!] = values[i]!;
        lossSum += values[i]!;
      }
      this.steps++;
    }
    const summary = this.pruner.endEpoch();

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
      trainLoss: lossSum / plan.indices.length,
      testAccuracy: correct / this.test.size,
      ms: performance.now() - t0,
    };
    this.history.push(view);
    return view;
  }

  dispose(): void {
    tf.dispose([this.xTrain, this.yTrain, this.xTest, ...this.vars]);
    this.optimizer.dispose();
  }
}
