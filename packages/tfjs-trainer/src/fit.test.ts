import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { full } from '@seta/baselines';
import { seta } from '@seta/seta';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arrayDataSource } from './array-data-source.js';
import { fit, fitDataSource } from './fit.js';
import { C, D, N, dataset } from './test-trainer.js';
import { TestPruner } from './test-utils.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A 6-16-3 softmax MLP with an L2 penalty, its initial weights fixed by `seed`: two calls give two identical models. */
function buildModel(seed: number, lr = 0.02): tfl.LayersModel {
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({
        inputShape: [D],
        units: 16,
        activation: 'relu',
        kernelInitializer: tfl.initializers.glorotUniform({ seed }),
        kernelRegularizer: tfl.regularizers.l2({ l2: 1e-3 }),
      }),
      tfl.layers.dense({ units: C, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }) }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(lr), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

function tensors(seed: number): { xs: tf.Tensor2D; ys: tf.Tensor2D } {
  const { x, y } = dataset(seed);
  return tf.tidy(() => ({ xs: tf.tensor2d(x, [N, D]), ys: tf.cast(tf.oneHot(tf.tensor1d(y, 'int32'), C), 'float32') as tf.Tensor2D }));
}

const train = tensors(1);
const val = tensors(7);
afterAll(() => tf.dispose([train.xs, train.ys, val.xs, val.ys]));

/** tfjs EarlyStopping's rule on `val_loss` (mode min, minDelta d, patience p): the epoch it stops after, or the last. */
function earlyStopEpoch(valLoss: number[], minDelta: number, patience: number): number {
  let best = Infinity;
  let wait = 0;
  for (let e = 0; e < valLoss.length; e++) {
    if (valLoss[e]! - minDelta < best) {
      best = valLoss[e]!;
      wait = 0;
    } else if (++wait >= patience) {
      return e;
    }
  }
  return valLoss.length - 1;
}

describe('fit', () => {
  it("matches model.fit's loss, metrics and val_loss with the full pruner, and stops where tf.callbacks.earlyStopping stops it", async () => {
    // model.fit with shuffle: false visits samples 0…N-1 in order; full()
    // visits a fresh seeded permutation each epoch. To compare like with
    // like, the reference trains epoch e with one model.fit call
    // (initialEpoch e, shuffle: false) on the data permuted by the plan a
    // twin full() pruner (same seed, so the same plans) gives for epoch e:
    // both then see the same batches in the same order, from the same
    // initial weights, with one Adam optimizer each carried across epochs.
    const epochs = 10;
    const batchSize = 20;
    const [minDelta, patience] = [0.01, 1];
    const ours = buildModel(11);
    const reference = buildModel(11);
    const twin = full({ size: N, epochs });
    const ref: { loss: number[]; acc: number[]; val_loss: number[]; val_acc: number[] } = { loss: [], acc: [], val_loss: [], val_acc: [] };
    for (let e = 0; e < epochs; e++) {
      const plan = twin.plan(e);
      const idx = tf.tensor1d(new Int32Array(plan.indices), 'int32');
      const [xp, yp] = [tf.gather(train.xs, idx), tf.gather(train.ys, idx)];
      const h = await reference.fit(xp, yp, { epochs: e + 1, initialEpoch: e, batchSize, shuffle: false, validationData: [val.xs, val.ys], verbose: 0 });
      for (const k of ['loss', 'acc', 'val_loss', 'val_acc'] as const) ref[k].push(h.history[k]![0] as number);
      tf.dispose([idx, xp, yp]);
      twin.observe(plan.indices, new Float32Array(plan.indices.length));
      twin.endEpoch();
    }
    const stop = earlyStopEpoch(ref.val_loss, minDelta, patience);
    expect(stop).toBeGreaterThan(0); // the callback must act within the run for this test to test it
    expect(stop).toBeLessThan(epochs - 1);

    const history = await fit(ours, train.xs, train.ys, {
      pruner: full,
      epochs,
      batchSize,
      validationData: [val.xs, val.ys],
      callbacks: [tfl.callbacks.earlyStopping({ monitor: 'val_loss', minDelta, patience })],
    });
    expect(history.epoch).toEqual(Array.from({ length: stop + 1 }, (_, e) => e));
    for (const k of ['loss', 'acc', 'val_loss', 'val_acc'] as const) {
      const got = history.history[k]!;
      expect(got).toHaveLength(stop + 1);
      got.forEach((v, e) => expect(Math.abs(v - ref[k][e]!)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(ref[k][e]!))));
    }
    expect(history.history.visited).toEqual(new Array(stop + 1).fill(N));
    expect(history.history.savedRatio).toEqual(new Array(stop + 1).fill(0));
    expect(history.phases.every((p) => p === 'full')).toBe(true);
    tf.dispose([...ours.weights.map((w) => w.read()), ...reference.weights.map((w) => w.read())]);
  });

  it('trains with no tensor left behind and the model reusable by model.fit afterwards', async () => {
    const model = buildModel(3);
    // The first run creates Adam's slots; a second run must add nothing.
    await fit(model, train.xs, train.ys, { pruner: full, epochs: 2, batchSize: 32, validationSplit: 0.25 });
    const afterFirst = tf.memory().numTensors;
    await fit(model, train.xs, train.ys, { pruner: full, epochs: 2, batchSize: 32, validationSplit: 0.25 });
    expect(tf.memory().numTensors).toBe(afterFirst);
    const h = await model.fit(train.xs, train.ys, { epochs: 1, batchSize: 32, verbose: 0 });
    expect(Number.isFinite(h.history.loss![0] as number)).toBe(true);
  });

  it('multiplies the per-sample loss by the plan weights (InfoBatch up-weighting)', async () => {
    const batchSize = 16;
    // TestPruner keeping half the samples gives every kept sample weight 2.
    const pruner = new TestPruner(N, 0.5, 4);
    const probe = buildModel(5);
    const firstBatch: number[] = [];
    await fit(buildModel(5), train.xs, train.ys, {
      pruner,
      epochs: 1,
      batchSize,
      callbacks: { onBatchEnd: (batch, logs) => void (batch === 0 && firstBatch.push(logs!.loss!)) },
    });
    const ids = tf.tensor1d(new Int32Array(pruner.plans[0]!.indices.subarray(0, batchSize)), 'int32');
    const [xb, yb] = [tf.gather(train.xs, ids), tf.gather(train.ys, ids)];
    // evaluate() gives mean(loss_i) of the same initial weights, without the L2 penalty; fit minimises mean(2 · loss_i) + penalty.
    const unweighted = (await (probe.evaluate(xb, yb) as tf.Scalar[])[0]!.data())[0]!;
    const penalty = (await tf.addN(probe.calculateLosses()).data())[0]!;
    expect(penalty).toBeGreaterThan(0);
    expect(firstBatch[0]).toBeCloseTo(2 * unweighted + penalty, 5);
    tf.dispose([ids, xb, yb]);
  });

  it('calls callbacks in model.fit order: train, epoch and batch begin/end, with batch logs', async () => {
    const calls: string[] = [];
    await fit(buildModel(1), train.xs, train.ys, {
      pruner: full,
      epochs: 2,
      batchSize: 48,
      yieldEvery: 'never',
      callbacks: {
        onTrainBegin: () => void calls.push('trainBegin'),
        onEpochBegin: (e) => void calls.push(`epochBegin ${e}`),
        onBatchBegin: (b, logs) => void calls.push(`batchBegin ${b} ${logs!.size}`),
        onBatchEnd: (b, logs) => void calls.push(`batchEnd ${b} ${Object.keys(logs!).join(',')}`),
        onEpochEnd: (e, logs) => void calls.push(`epochEnd ${e} ${Object.keys(logs!).join(',')}`),
        onTrainEnd: () => void calls.push('trainEnd'),
      },
    });
    const epoch = (e: number) => [
      `epochBegin ${e}`,
      'batchBegin 0 48',
      'batchEnd 0 batch,size,loss,acc',
      'batchBegin 1 48',
      'batchEnd 1 batch,size,loss,acc',
      `epochEnd ${e} loss,acc,visited,savedRatio`,
    ];
    expect(calls).toEqual(['trainBegin', ...epoch(0), ...epoch(1), 'trainEnd']);
  });

  it('calls onYield at most once per yieldEvery milliseconds (0: after every batch)', async () => {
    let yields = 0;
    await fit(buildModel(1), train.xs, train.ys, { pruner: full, epochs: 1, batchSize: 8, yieldEvery: 0, callbacks: { onYield: () => void yields++ } });
    expect(yields).toBe(N / 8);
  });
});

describe('fit refusals', () => {
  const model = buildModel(2);

  it('refuses unknown arguments by name, suggesting the one meant', async () => {
    await expect(fit(model, train.xs, train.ys, { pruner: full, epoch: 3 } as never)).rejects.toThrow(/fit\(\): unknown option "epoch" \(did you mean "epochs"\?\)/);
    await expect(fit(model, train.xs, train.ys, { pruner: full, batch_size: 3 } as never)).rejects.toThrow(/unknown option "batch_size" \(did you mean "batchSize"\?\)/);
    await expect(fit(model, train.xs, train.ys, { pruner: full, callbacks: [{ onEpochEnds: () => {} }] } as never)).rejects.toThrow(
      /callbacks\[0\]: unknown option "onEpochEnds" \(did you mean "onEpochEnd"\?\)/,
    );
    const data = arrayDataSource({ values: new Float32Array(N * D), shape: [N, D] }, { values: new Float32Array(N * C), shape: [N, C] });
    await expect(fitDataSource(model, data, { pruner: full, sed: 1 } as never)).rejects.toThrow(/fitDataSource\(\): unknown option "sed" \(did you mean "seed"\?\)/);
    await expect(fit(model, train.xs, train.ys, { pruner: full, earlyStoppingPhases: ['anneals'] } as never)).rejects.toThrow(/earlyStoppingPhases\[0\] must be one of/);
  });

  it('refuses model.fit arguments that pruning cannot honour, saying why', async () => {
    await expect(fit(model, train.xs, train.ys, { pruner: full, shuffle: false })).rejects.toThrow(/shuffle false cannot be honoured: the pruner orders/);
    await expect(fit(model, train.xs, train.ys, { pruner: full, sampleWeight: train.ys } as never)).rejects.toThrow(/sampleWeight cannot be honoured/);
    await expect(fit(model, train.xs, train.ys, { pruner: full, classWeight: { 0: 2 } } as never)).rejects.toThrow(/classWeight cannot be honoured/);
    await expect(fit(model, train.xs, train.ys, { pruner: full, stepsPerEpoch: 3 } as never)).rejects.toThrow(/stepsPerEpoch cannot be honoured/);
    await expect(fit(model, train.xs, train.ys, { pruner: full, validationData: [val.xs, val.ys, val.ys] } as never)).rejects.toThrow(/sample weights are not supported/);
    const data = arrayDataSource({ values: new Float32Array(N * D), shape: [N, D] });
    await expect(fitDataSource(model, data, { pruner: full, validationSplit: 0.1 } as never)).rejects.toThrow(/validationSplit needs tensors/);
  });

  it("refuses a pruner whose size or epochs differ from the run's, naming both, before training", async () => {
    const before = model.getWeights().map((w) => w.dataSync().slice());
    await expect(fit(model, train.xs, train.ys, { pruner: full({ size: N, epochs: 2 }), epochs: 3 })).rejects.toThrow(
      /fit\(\): the pruner was built for epochs 2, but the training runs 3/,
    );
    await expect(fit(model, train.xs, train.ys, { pruner: full({ size: N, epochs: 3 }), epochs: 3, validationSplit: 0.25 })).rejects.toThrow(
      /the pruner was built for size 96, but the training data has 72 samples/,
    );
    await expect(fit(model, train.xs, train.ys, { pruner: full({ size: N, epochs: 3 }), epochs: 3, initialEpoch: 1 })).rejects.toThrow(
      /expects epoch 0 next, but the training starts at epoch 1 \(restore its state with loadState\(\) to resume\)/,
    );
    expect(model.getWeights().map((w) => w.dataSync().slice())).toEqual(before);
  });

  it('builds the pruner from a factory with the training size after validationSplit and the epochs', async () => {
    const seen: { size: number; epochs: number }[] = [];
    const h = await fit(buildModel(2), train.xs, train.ys, {
      pruner: (run) => {
        seen.push({ ...run });
        return full(run);
      },
      epochs: 2,
      validationSplit: 0.25,
    });
    expect(seen).toEqual([{ size: 72, epochs: 2 }]);
    expect(h.history.val_loss).toHaveLength(2);
    expect(h.history.visited).toEqual([72, 72]);
  });

  it('refuses a streaming tf.data.Dataset, saying why pruning needs random access', async () => {
    const stream = { size: 4, iterator: async () => ({ next: async () => ({ done: true, value: null }) }), batch: () => stream };
    await expect(fitDataSource(model, stream as never, { pruner: full })).rejects.toThrow(/streaming dataset \(tf\.data\.Dataset\).*random access/);
    await expect(fit(model, stream as never, train.ys, { pruner: full })).rejects.toThrow(/x is a streaming dataset.*random access/);
  });

  it('refuses a compiled loss that reduces over the batch at the first batch, before any update, and takes perSampleLoss instead', async () => {
    const reducing = buildModel(2);
    reducing.compile({ optimizer: tf.train.sgd(0.1), loss: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.mean(tf.square(tf.sub(yTrue, yPred))) });
    const before = reducing.getWeights().map((w) => w.dataSync().slice());
    const tensorsBefore = tf.memory().numTensors;
    await expect(fit(reducing, train.xs, train.ys, { pruner: full })).rejects.toThrow(
      /returned shape \[\] for a batch of 32: it must give one value per sample.*pass args\.perSampleLoss/,
    );
    expect(reducing.getWeights().map((w) => w.dataSync().slice())).toEqual(before);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    const h = await fit(reducing, train.xs, train.ys, {
      pruner: full,
      perSampleLoss: (yTrue, yPred) => tf.mean(tf.square(tf.sub(yTrue, yPred)), -1),
    });
    expect(h.history.loss![0]).toBeGreaterThan(0);
  });

  it('makes tf.losses.* of tfjs-core per-sample (Reduction.NONE) when they are the compiled loss', async () => {
    const a = buildModel(9);
    const b = buildModel(9);
    a.compile({ optimizer: tf.train.sgd(0.1), loss: tf.losses.meanSquaredError });
    b.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
    const ha = await fit(a, train.xs, train.ys, { pruner: full, epochs: 2 });
    const hb = await fit(b, train.xs, train.ys, { pruner: full, epochs: 2 });
    expect(ha.history.loss![1]).toBeCloseTo(hb.history.loss![1]!, 6);
  });
});

describe('fit with an oscillating pruner (SeTa) and early stopping', () => {
  it('consults early stopping only at full-data and annealing epochs by default; every epoch when asked', async () => {
    const epochs = 16;
    // minDelta 1e9: no epoch after the first consulted one counts as an
    // improvement, so with patience 1 the run stops at the second epoch it
    // consults the callback.
    const stopper = () => tfl.callbacks.earlyStopping({ monitor: 'val_loss', minDelta: 1e9, patience: 1 });
    const pruner = (run: { size: number; epochs: number }) => seta(run);
    let epochEnds = 0;
    const deferred = await fit(buildModel(4), train.xs, train.ys, {
      pruner,
      epochs,
      batchSize: 32,
      validationData: [val.xs, val.ys],
      callbacks: [stopper(), { onEpochEnd: () => void epochEnds++ }],
    });
    const anneal = deferred.phases.flatMap((p, e) => (p === 'anneal' || p === 'full' ? [e] : []));
    expect(deferred.phases.slice(0, anneal[0])).not.toContain('anneal');
    expect(anneal).toEqual([14, 15]); // SeTa anneals from floor(0.875 · 16) = 14
    expect(deferred.earlyStoppingEpochs).toEqual([14, 15]);
    expect(deferred.epoch).toHaveLength(epochs); // stopped at 15, the second epoch consulted: the last
    expect(epochEnds).toBe(deferred.epoch.length); // other callbacks see every epoch
    // The visited share swings on the pruned epochs (why decisions are deferred).
    expect(new Set(deferred.history.visited).size).toBeGreaterThan(1);

    const every = await fit(buildModel(4), train.xs, train.ys, {
      pruner,
      epochs,
      batchSize: 32,
      validationData: [val.xs, val.ys],
      callbacks: [stopper()],
      earlyStoppingPhases: ['full', 'warmup', 'prune', 'anneal'],
    });
    expect(every.epoch).toEqual([0, 1]);
    expect(every.earlyStoppingEpochs).toEqual([0, 1]);
  });
});
