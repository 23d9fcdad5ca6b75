import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Random } from '@seta/core';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { arrayDataSource } from './array-data-source.js';
import type { DataSource } from './data-source.js';
import { clipLoss, cosineMomentum, mocoV3Loss, momentumUpdate, softmaxCrossEntropy } from './losses.js';
import type { BatchReport, EpochReport } from './reports.js';
import { cosineSchedule } from './schedule.js';
import { D, N, augmentedData, ceLoss, dataset, mlp } from './test-trainer.js';
import { TestPruner, randomValues } from './test-utils.js';
import type { TrainerOptions } from './trainer-options.js';
import { Trainer } from './trainer.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('Trainer', () => {
  it('plans, gathers, trains and reports every sample of every epoch, and the loss falls', async () => {
    const { model, variables, dispose } = mlp(2);
    const pruner = new TestPruner(N, 1, 3);
    const epochs: EpochReport[] = [];
    const trainer = new Trainer({
      model,
      variables,
      optimizer: tf.train.adam(0.05),
      pruner,
      data: augmentedData(),
      loss: ceLoss,
      epochs: 12,
      batchSize: 20,
      progress: false,
      onEpochEnd: (r) => {
        epochs.push(r);
      },
    });
    const result = await trainer.fit();
    expect(result.resumedFrom).toBeNull();
    expect(result.epochs).toHaveLength(12);
    expect(trainer.epoch).toBe(12);
    // Each epoch: ceil(96 / 20) = 5 observe calls covering the plan, in plan order.
    for (let e = 0; e < 12; e++) {
      const calls = pruner.observed.slice(e * 5, (e + 1) * 5);
      const ids = calls.flatMap(([i]) => Array.from(i));
      expect(ids).toEqual(Array.from(pruner.plans[e]!.indices));
      expect(calls.map(([i]) => i.length)).toEqual([20, 20, 20, 20, 16]);
      calls.forEach(([i, l, b]) => {
        expect(l.length).toBe(i.length);
        expect(b).toBeNull();
      });
    }
    expect(epochs[11]!.loss).toBeLessThan(epochs[0]!.loss * 0.5);
    expect(epochs[0]!.visited).toBe(N);
    expect(epochs[0]!.batches).toBe(5);
    dispose();
  });

  it('reports per-sample losses of the forward pass and trains on mean(w · loss) with the plan weights', async () => {
    const { model, variables, dispose } = mlp(3);
    const { x, y } = dataset();
    const data = arrayDataSource({ values: x, shape: [N, D] }, { values: y, shape: [N] });
    const pruner = new TestPruner(N, 0.5, 4); // half the data, weights 2
    // The expected losses of the first batch, from the initial weights.
    const firstPlan = new TestPruner(N, 0.5, 4).plan(0);
    const firstIds = firstPlan.indices.subarray(0, 16);
    const expected = tf.tidy(() => {
      const b = data.batch(firstIds, { epoch: 0, rng: new Random(0) }) as { xs: tf.Tensor; ys: tf.Tensor };
      return Array.from(softmaxCrossEntropy(b.ys, model(b.xs) as tf.Tensor).dataSync());
    });
    const batches: BatchReport[] = [];
    await new Trainer({
      model,
      variables,
      optimizer: tf.train.sgd(0.1),
      pruner,
      data,
      loss: ceLoss,
      epochs: 2,
      batchSize: 16,
      progress: false,
      onBatchEnd: (r) => {
        batches.push(r);
      },
    }).fit();
    expect(Array.from(pruner.observed[0]![0])).toEqual(Array.from(firstIds));
    Array.from(pruner.observed[0]![1]).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
    // Weight 2 on every sample: the training loss is twice the mean per-sample loss.
    for (const r of batches) expect(r.loss).toBeCloseTo(2 * r.meanLoss, 5);
    expect(batches).toHaveLength(2 * 3);
    expect(batches[5]).toMatchObject({ epoch: 1, phase: 'prune', prunedRatio: 0.5, batch: 2, batches: 3, size: 16, visited: 48 });
    dispose();
  });

  it('sets the learning rate before every step from the epoch fraction, whatever the plan length', async () => {
    const { model, variables, dispose } = mlp(4);
    const pruner = new TestPruner(N, 0.5, 5); // 48 samples per epoch: 3 batches of 16
    const seen: number[] = [];
    const optimizer = tf.train.sgd(1);
    await new Trainer({
      model,
      variables,
      optimizer,
      pruner,
      data: augmentedData(),
      loss: ceLoss,
      epochs: 2,
      batchSize: 16,
      learningRate: (p) => p.epoch / 100,
      progress: false,
      onBatchEnd: (r) => {
        seen.push(r.learningRate);
      },
    }).fit();
    const expected = [0, 1 / 3, 2 / 3, 1, 4 / 3, 5 / 3].map((e) => e / 100);
    seen.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 12));
    expect((optimizer as unknown as { learningRate: number }).learningRate).toBeCloseTo(expected[5]!, 12);
    dispose();
  });

  it('keeps the number of tensors constant across epochs (no leaks)', async () => {
    const { model, variables, dispose } = mlp(5);
    const counts: number[] = [];
    await new Trainer({
      model,
      variables,
      optimizer: tf.train.adam(0.01),
      pruner: new TestPruner(N, 0.7, 6),
      data: augmentedData(),
      loss: ceLoss,
      epochs: 5,
      batchSize: 25,
      learningRate: cosineSchedule({ peak: 0.01, epochs: 5, warmupEpochs: 1 }),
      progress: false,
      onEpochEnd: () => {
        counts.push(tf.memory().numTensors);
      },
    }).fit();
    // Adam creates its moments during the first step; from then on nothing accumulates.
    expect(new Set(counts.slice(1)).size).toBe(1);
    expect(counts[0]).toBe(counts[1]);
    dispose();
  });

  it('trains a two-direction (CLIP) loss, reporting both directions to the pruner', async () => {
    const rng = new Random(7);
    const n = 32;
    const images = randomValues(rng, n * 5);
    const texts = randomValues(rng, n * 4);
    const wi = tf.variable(tf.tensor2d(randomValues(rng, 5 * 3), [5, 3]));
    const wt = tf.variable(tf.tensor2d(randomValues(rng, 4 * 3), [4, 3]));
    const logitScale = tf.variable(tf.scalar(Math.log(1 / 0.07)));
    const data: DataSource = {
      size: n,
      batch: (ids) => {
        const take = (src: Float32Array, d: number) => {
          const out = new Float32Array(ids.length * d);
          ids.forEach((id, i) => out.set(src.subarray(id * d, (id + 1) * d), i * d));
          return tf.tensor2d(out, [ids.length, d]);
        };
        return { xs: [take(images, 5), take(texts, 4)] };
      },
    };
    const pruner = new TestPruner(n);
    const batches: BatchReport[] = [];
    const result = await new Trainer({
      model: (xs) => {
        const [img, txt] = xs as tf.Tensor[];
        return [tf.matMul(img as tf.Tensor2D, wi), tf.matMul(txt as tf.Tensor2D, wt)];
      },
      variables: [wi, wt],
      extraVariables: [logitScale],
      optimizer: tf.train.adam(0.02),
      pruner,
      data,
      loss: (out) => {
        const [img, txt] = out as tf.Tensor[];
        const { imageToText, textToImage } = clipLoss(img!, txt!, logitScale);
        return [imageToText, textToImage];
      },
      epochs: 15,
      batchSize: 16,
      progress: false,
      onBatchEnd: (r) => {
        batches.push(r);
      },
    }).fit();
    for (const [ids, a, b] of pruner.observed) {
      expect(b).not.toBeNull();
      expect(a.length).toBe(ids.length);
      expect(b!.length).toBe(ids.length);
      expect(Array.from(a)).not.toEqual(Array.from(b!));
    }
    // 'mean' combination: the training loss is the mean of (a + b) / 2.
    const [, a0, b0] = pruner.observed[0]!;
    const mean = Array.from(a0).reduce((s, v, i) => s + (v + b0![i]!) / 2, 0) / a0.length;
    expect(batches[0]!.loss).toBeCloseTo(mean, 5);
    expect(result.epochs[14]!.loss).toBeLessThan(result.epochs[0]!.loss);
    tf.dispose([wi, wt, logitScale]);
  });

  it('trains MoCo v3: two augmented views from the loop generator, summed directions, momentum encoder after each step', async () => {
    const rng = new Random(21);
    const n = 24;
    const base = randomValues(rng, n * 6);
    const encoder = tf.variable(tf.tensor2d(randomValues(rng, 6 * 4), [6, 4]));
    const predictor = tf.variable(tf.tensor2d(randomValues(rng, 4 * 4), [4, 4]));
    const keyEncoder = tf.variable(encoder.clone(), false);
    const data: DataSource = {
      size: n,
      batch: (ids, { rng: loopRng }) => {
        const view = () => {
          const out = new Float32Array(ids.length * 6);
          ids.forEach((id, i) => {
            for (let d = 0; d < 6; d++) out[i * 6 + d] = base[id * 6 + d]! + (loopRng.nextFloat() - 0.5) * 0.2;
          });
          return tf.tensor2d(out, [ids.length, 6]);
        };
        return { xs: [view(), view()] };
      },
    };
    const pruner = new TestPruner(n);
    const before = Array.from(keyEncoder.dataSync());
    const momenta: number[] = [];
    const batches: BatchReport[] = [];
    await new Trainer({
      model: (xs) => {
        const [v1, v2] = xs as tf.Tensor2D[];
        const q = (v: tf.Tensor2D) => tf.matMul(tf.matMul(v, encoder), predictor);
        return [q(v1!), q(v2!), tf.matMul(v1!, keyEncoder), tf.matMul(v2!, keyEncoder)];
      },
      variables: [encoder, predictor],
      extraVariables: [keyEncoder],
      optimizer: tf.train.adam(0.01),
      pruner,
      data,
      loss: (out) => {
        const [q1, q2, k1, k2] = out as tf.Tensor[];
        const { view1ToView2, view2ToView1 } = mocoV3Loss(q1!, q2!, k1!, k2!, { temperature: 0.2 });
        return [view1ToView2, view2ToView1];
      },
      directions: 'sum',
      afterStep: (p) => {
        const m = cosineMomentum(0.9, Math.min(1, p.epoch / 4));
        momenta.push(m);
        momentumUpdate([keyEncoder], [encoder], m);
      },
      epochs: 4,
      batchSize: 8,
      progress: false,
      onBatchEnd: (r) => {
        batches.push(r);
      },
    }).fit();
    // 'sum': the training loss is the mean of a + b.
    const [, a0, b0] = pruner.observed[0]!;
    expect(batches[0]!.loss).toBeCloseTo(Array.from(a0).reduce((s, v, i) => s + v + b0![i]!, 0) / a0.length, 5);
    expect(momenta).toHaveLength(12);
    expect(momenta[0]).toBeGreaterThanOrEqual(0.9);
    expect(momenta[11]).toBeGreaterThan(momenta[0]!);
    // The key encoder moved (towards the query encoder) but is not it.
    const after = Array.from(keyEncoder.dataSync());
    expect(after).not.toEqual(before);
    expect(after).not.toEqual(Array.from(encoder.dataSync()));
    tf.dispose([encoder, predictor, keyEncoder]);
  });

  it('rejects a loss that does not return one value per sample', async () => {
    const { model, variables, dispose } = mlp(8);
    const trainer = new Trainer({
      model,
      variables,
      optimizer: tf.train.sgd(0.1),
      pruner: new TestPruner(N),
      data: augmentedData(),
      loss: (out, ys) => tf.reshape(tf.mean(softmaxCrossEntropy(ys as tf.Tensor, out as tf.Tensor)), [1]) as tf.Tensor1D,
      epochs: 1,
      batchSize: 32,
      progress: false,
    });
    await expect(trainer.fit()).rejects.toThrow('Trainer: loss must return one value per sample, a tensor of shape [32], got shape [1]');
    dispose();
  });

  it('rejects what a data source returns if it is not a batch of tensors, naming it', async () => {
    const { model, variables, dispose } = mlp(9);
    for (const [batch, message] of [
      [undefined, 'Trainer.fit(): data.batch() must return { xs, ys? } with xs a tensor, an array or an object of tensors, got undefined'],
      [{ ys: tf.zeros([8]) }, 'Trainer.fit(): data.batch() must return { xs, ys? } with xs a tensor'],
      [{ xs: [1, 2] }, 'Trainer.fit(): data.batch() must return { xs, ys? } with xs a tensor'],
    ] as const) {
      const optimizer = tf.train.sgd(0.1);
      const before = tf.memory().numTensors;
      const trainer = new Trainer({
        model, variables, optimizer, pruner: new TestPruner(N), loss: ceLoss, epochs: 1, batchSize: 8, progress: false,
        data: { size: N, batch: () => batch as never },
      });
      await expect(trainer.fit()).rejects.toThrow(message);
      // The trainer disposes the tensors of a batch it refuses, as of any other.
      const own = batch !== undefined && 'ys' in batch ? 1 : 0;
      expect(tf.memory().numTensors).toBe(before - own);
      optimizer.dispose();
    }
    dispose();
  });

  it('leaves tf.memory().numTensors where it found it whatever fails inside a step', async () => {
    const { model, variables, dispose } = mlp(8);
    const at = (ids: Uint32Array, epoch: number) => epoch === 1 && ids.length > 0 && failNow.count++ === 2;
    const failNow = { count: 0 };
    const boom = () => {
      throw new Error('boom');
    };
    const cases: [string, Partial<TrainerOptions>, string | RegExp][] = [
      ['the loss throws', { loss: (out, ys, b) => (at(b.ids, b.epoch) ? boom() : ceLoss(out, ys, b)) }, 'boom'],
      [
        'the loss returns the wrong shape',
        { loss: (out, ys, b) => (at(b.ids, b.epoch) ? (tf.reshape(tf.mean(ceLoss(out, ys, b) as tf.Tensor), [1]) as tf.Tensor1D) : ceLoss(out, ys, b)) },
        'loss must return one value per sample',
      ],
      ['the loss returns a number', { loss: (out, ys, b) => (at(b.ids, b.epoch) ? (3 as never) : ceLoss(out, ys, b)) }, 'got 3'],
      [
        'the second loss has the wrong shape',
        { loss: (out, ys, b) => (at(b.ids, b.epoch) ? [ceLoss(out, ys, b) as tf.Tensor1D, tf.zeros([2]) as tf.Tensor1D] : ceLoss(out, ys, b)) },
        'second loss must return one value per sample',
      ],
    ];
    for (const [what, patch, message] of cases) {
      failNow.count = 0;
      const optimizer = tf.train.sgd(0.1);
      const before = tf.memory().numTensors;
      const trainer = new Trainer({
        model, variables, optimizer, pruner: new TestPruner(N, 0.7, 1), data: augmentedData(), loss: ceLoss,
        epochs: 2, batchSize: 16, progress: false, ...patch,
      });
      await expect(trainer.fit(), what).rejects.toThrow(message);
      expect(tf.memory().numTensors, what).toBe(before);
      optimizer.dispose();
    }
    // Failures outside the loss: the model, the data source, the pruner, the callbacks, the schedule.
    let calls = 0;
    const third = () => ++calls === 3;
    const others: [string, Partial<TrainerOptions>][] = [
      ['the model throws', { model: (xs, c) => (third() ? boom() : model(xs)), variables }],
      ['the data source throws', { data: { size: N, batch: (ids, c) => (third() ? boom() : augmentedData().batch(ids, c)) } }],
      ['onBatchEnd throws', { onBatchEnd: () => void (third() && boom()) }],
      ['afterStep throws', { afterStep: () => void (third() && boom()) }],
      ['onEpochEnd throws', { onEpochEnd: () => boom() }],
      ['the schedule throws', { learningRate: () => (third() ? boom() : 0.1) }],
    ];
    for (const [what, patch] of others) {
      calls = 0;
      const optimizer = tf.train.sgd(0.1);
      const before = tf.memory().numTensors;
      const trainer = new Trainer({
        model, variables, optimizer, pruner: new TestPruner(N), data: augmentedData(), loss: ceLoss,
        epochs: 2, batchSize: 16, progress: false, ...patch,
      });
      await expect(trainer.fit(), what).rejects.toThrow('boom');
      expect(tf.memory().numTensors, what).toBe(before);
      optimizer.dispose();
    }
    // And the pruner: observe() refusing a NaN loss.
    const optimizer = tf.train.sgd(0.1);
    const before = tf.memory().numTensors;
    await expect(
      new Trainer({
        model, variables, optimizer, pruner: new TestPruner(N), data: augmentedData(),
        loss: (out, ys, b) => tf.mul(ceLoss(out, ys, b) as tf.Tensor, Number.NaN) as tf.Tensor1D,
        epochs: 1, batchSize: 16, progress: false,
      }).fit(),
    ).rejects.toThrow(/not finite/);
    expect(tf.memory().numTensors).toBe(before);
    optimizer.dispose();
    dispose();
  });

  it('draws a progress bar on stderr only when asked or on a terminal', async () => {
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const { model, variables, dispose } = mlp(10);
      const base = {
        model,
        variables,
        optimizer: tf.train.sgd(0.1),
        data: augmentedData(),
        loss: ceLoss,
        epochs: 1,
        batchSize: 32,
      };
      // stderr is not a terminal here: 'auto' stays quiet.
      expect(process.stderr.isTTY).toBeFalsy();
      await new Trainer({ ...base, pruner: new TestPruner(N) }).fit();
      expect(write).not.toHaveBeenCalled();
      await new Trainer({ ...base, pruner: new TestPruner(N), progress: true }).fit();
      const text = write.mock.calls.map((c) => String(c[0])).join('');
      expect(text).toContain('epoch 1/1');
      expect(text).toContain('96/96');
      dispose();
    } finally {
      write.mockRestore();
    }
  });
});
