import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Random, StateError } from '@seta/core';
import type { EpochPlan } from '@seta/core';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { arrayDataSource } from './array-data-source.js';
import { encodeCheckpoint } from './checkpoint-format.js';
import { CHECKPOINT_FILE, readCheckpoint, writeCheckpoint } from './checkpoint.js';
import { CHECKPOINT_LOCK_FILE, CheckpointLockError } from './checkpoint-lock.js';
import { clipLoss, cosineMomentum, mocoV3Loss, momentumUpdate, softmaxCrossEntropy } from './losses.js';
import { cosineSchedule } from './schedule.js';
import { TestPruner, deadPid, randomValues } from './test-utils.js';
import { Trainer } from './trainer.js';
import type { DataSource } from './data-source.js';
import type { BatchReport, EpochReport } from './reports.js';
import type { TrainerOptions } from './trainer-options.js';

let dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'seta-trainer-'));
  dirs.push(d);
  return d;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  dirs = [];
});

const N = 96;
const D = 6;
const C = 3;

/** A learnable synthetic task: the class is the argmax of three fixed projections. */
function dataset(seed = 1): { x: Float32Array; y: Int32Array } {
  const rng = new Random(seed);
  const x = randomValues(rng, N * D);
  const proj = randomValues(rng, D * C);
  const y = new Int32Array(N);
  for (let i = 0; i < N; i++) {
    let best = -Infinity;
    for (let c = 0; c < C; c++) {
      let s = 0;
      for (let d = 0; d < D; d++) s += x[i * D + d]! * proj[d * C + c]!;
      if (s > best) {
        best = s;
        y[i] = c;
      }
    }
  }
  return { x, y };
}

/** A 6-16-3 MLP as a function of variables, initialised from a seed. */
function mlp(seed: number) {
  const rng = new Random(seed);
  // In a tidy: the initial values are copied into the variables and freed.
  const [w1, b1, w2, b2] = tf.tidy(() => [
    tf.variable(tf.tensor2d(randomValues(rng, D * 16), [D, 16])),
    tf.variable(tf.zeros([16])),
    tf.variable(tf.tensor2d(randomValues(rng, 16 * C), [16, C])),
    tf.variable(tf.zeros([C])),
  ]) as [tf.Variable, tf.Variable, tf.Variable, tf.Variable];
  const variables = [w1, b1, w2, b2];
  const model = (xs: tf.Tensor | tf.Tensor[] | { [k: string]: tf.Tensor }) =>
    tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(xs as tf.Tensor2D, w1), b1)), w2), b2);
  return { model, variables, dispose: () => tf.dispose(variables) };
}

const ceLoss: TrainerOptions['loss'] = (out, ys) => softmaxCrossEntropy(ys as tf.Tensor, out as tf.Tensor);

/** Data with seeded augmentation: Gaussian-ish noise drawn from the loop's generator. */
function augmentedData(): DataSource {
  const { x, y } = dataset();
  return arrayDataSource({ values: x, shape: [N, D] }, { values: y, shape: [N] }, {
    augment: (values, _shape, { rng }) => {
      for (let i = 0; i < values.length; i++) values[i]! += (rng.nextFloat() - 0.5) * 0.1;
    },
  });
}

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

  it('validates its options, naming them', () => {
    const { model, variables, dispose } = mlp(9);
    const base = {
      model,
      variables,
      optimizer: tf.train.sgd(0.1),
      pruner: new TestPruner(N),
      data: augmentedData(),
      loss: ceLoss,
      epochs: 1,
      batchSize: 8,
    };
    expect(() => new Trainer({ ...base, pruner: new TestPruner(N + 1) })).toThrow(
      'Trainer(): data.size must equal pruner.size (97), got 96',
    );
    expect(() => new Trainer({ ...base, variables: undefined })).toThrow(
      'Trainer(): variables must list the variables of a function model, got undefined',
    );
    expect(() => new Trainer({ ...base, batchSize: 0 })).toThrow('Trainer(): batchSize must be an integer ≥ 1, got 0');
    expect(() => new Trainer({ ...base, epochs: 1.5 })).toThrow('Trainer(): epochs must be an integer ≥ 1, got 1.5');
    expect(() => new Trainer({ ...base, learningRate: -1 })).toThrow(/learningRate must be a finite number ≥ 0/);
    expect(() => new Trainer({ ...base, optimizer: {} as tf.Optimizer })).toThrow(/optimizer must be a tf.Optimizer/);
    expect(() => new Trainer({ ...base, extraVariables: [variables[0]!] })).toThrow(/must not repeat a variable/);
    dispose();
  });

  it('rejects unknown and null options, naming the key and suggesting the option meant', () => {
    const { model, variables, dispose } = mlp(9);
    const base = { model, variables, optimizer: tf.train.sgd(0.1), pruner: new TestPruner(N), data: augmentedData(), loss: ceLoss, epochs: 1, batchSize: 8 };
    expect(() => new Trainer({ ...base, batchsize: 8 } as never)).toThrow(
      'Trainer(): unknown option "batchsize" (did you mean "batchSize"?)',
    );
    expect(() => new Trainer({ ...base, checkpoint_dir: 'x' } as never)).toThrow(
      'Trainer(): unknown option "checkpoint_dir" (did you mean "checkpointDir"?)',
    );
    expect(() => new Trainer({ ...base, epoch: 3 } as never)).toThrow(/unknown option "epoch" \(did you mean "epochs"\?\)/);
    expect(() => new Trainer({ ...base, seed: null } as never)).toThrow('Trainer(): seed must not be null (omit it to use the default)');
    expect(() => new Trainer({ ...base, checkpointDir: null } as never)).toThrow('Trainer(): checkpointDir must not be null');
    dispose();
  });

  it('rejects options of the wrong kind with its own message, never a runtime TypeError', () => {
    const { model, variables, dispose } = mlp(9);
    const base = { model, variables, optimizer: tf.train.sgd(0.1), pruner: new TestPruner(N), data: augmentedData(), loss: ceLoss, epochs: 1, batchSize: 8 };
    const cases: [Record<string, unknown>, string][] = [
      [{ afterStep: 3 }, 'Trainer(): afterStep must be a function, got 3'],
      [{ onBatchEnd: 'log' }, 'Trainer(): onBatchEnd must be a function, got "log"'],
      [{ onEpochEnd: {} }, 'Trainer(): onEpochEnd must be a function, got'],
      [{ variables: 5 }, 'Trainer(): variables must be an array of tf.Variable, got 5'],
      [{ extraVariables: variables[0] }, 'Trainer(): extraVariables must be an array of tf.Variable, got'],
      [{ progress: 'yes' }, 'Trainer(): progress must be true, false or "auto", got "yes"'],
      [{ resume: 'no' }, 'Trainer(): resume must be a boolean, got "no"'],
      [{ dropLast: 1 }, 'Trainer(): dropLast must be a boolean, got 1'],
      [{ checkpointDir: '' }, 'Trainer(): checkpointDir must be a non-empty string, got ""'],
      [{ directions: 'both' }, 'Trainer(): directions must be one of'],
    ];
    for (const [patch, message] of cases) {
      let error: unknown;
      try {
        new Trainer({ ...base, ...patch } as never);
      } catch (e) {
        error = e;
      }
      expect(String(error), JSON.stringify(patch)).toContain(message);
    }
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

describe('Trainer checkpoints', () => {
  /** One run's options over a fresh model, optimizer and pruner; `init` picks initial weights. */
  function setup(init: number, dir: string, extra: Partial<TrainerOptions> = {}) {
    const net = mlp(init);
    const pruner = new TestPruner(N, 0.6, 11);
    const observed = pruner.observed;
    const options: TrainerOptions = {
      model: net.model,
      variables: net.variables,
      optimizer: tf.train.adam(0.02),
      pruner,
      data: augmentedData(),
      loss: ceLoss,
      epochs: 5,
      batchSize: 16,
      learningRate: cosineSchedule({ peak: 0.02, epochs: 5, warmupEpochs: 1 }),
      seed: 12,
      checkpointDir: dir,
      progress: false,
      ...extra,
    };
    return { net, pruner, observed, options };
  }

  const snapshot = (vars: readonly tf.Variable[]) => vars.map((v) => Array.from(v.dataSync()));
  const planOf = (p: EpochPlan) => ({ indices: Array.from(p.indices), weights: p.weights && Array.from(p.weights) });

  it('resumes a run killed mid-epoch with the same plans, losses and (on cpu) bit-identical weights', async () => {
    // Run A: uninterrupted.
    const a = setup(20, await tempDir());
    await new Trainer(a.options).fit();
    const weightsA = snapshot(a.net.variables);

    // Run B: killed during epoch 3 (after the checkpoint of epoch 2), mid-batch.
    const dirB = await tempDir();
    const b = setup(20, dirB, {
      onBatchEnd: (r) => {
        if (r.epoch === 3 && r.batch === 1) throw new Error('killed');
      },
    });
    await expect(new Trainer(b.options).fit()).rejects.toThrow('killed');
    expect((await readCheckpoint(dirB))!.meta.epoch).toBe(3);
    b.net.dispose();
    // What a process killed with SIGKILL inside its next checkpoint write leaves
    // behind besides the previous checkpoint: its lock and a partial temporary file.
    const dead = await deadPid();
    await writeFile(
      join(dirB, CHECKPOINT_LOCK_FILE),
      JSON.stringify({ pid: dead, host: hostname(), since: new Date().toISOString(), token: 'killed' }),
    );
    const partial = encodeCheckpoint((await readCheckpoint(dirB))!).subarray(0, 200);
    await writeFile(join(dirB, `.${CHECKPOINT_FILE}.${dead}.x1.tmp`), partial);

    // A fresh model (other initial weights), optimizer and pruner resume from the checkpoint.
    const c = setup(99, dirB);
    const result = await new Trainer(c.options).fit();
    expect(await readdir(dirB)).toEqual([CHECKPOINT_FILE]);
    expect(result.resumedFrom).toBe(3);
    expect(result.epochs.map((r) => r.epoch)).toEqual([3, 4]);
    expect(c.pruner.plans.map(planOf)).toEqual(a.pruner.plans.slice(3).map(planOf));
    const batchesBefore = a.observed.length - c.observed.length;
    c.observed.forEach(([ids, losses], i) => {
      expect(Array.from(ids)).toEqual(Array.from(a.observed[batchesBefore + i]![0]));
      expect(Array.from(losses)).toEqual(Array.from(a.observed[batchesBefore + i]![1]));
    });
    expect(snapshot(c.net.variables)).toEqual(weightsA);
    a.net.dispose();
    c.net.dispose();
  });

  it('checkpoints and resumes a tfjs-layers model exactly, batch-norm statistics included', async () => {
    const build = (seed: number) => {
      const model = tfl.sequential({
        layers: [
          tfl.layers.dense({ inputShape: [D], units: 12, activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed }) }),
          tfl.layers.batchNormalization(),
          tfl.layers.dense({ units: C, kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }) }),
        ],
      });
      const pruner = new TestPruner(N, 0.75, 13);
      const options: TrainerOptions = {
        model,
        optimizer: tf.train.adam(0.01),
        pruner,
        data: augmentedData(),
        loss: ceLoss,
        epochs: 4,
        batchSize: 24,
        progress: false,
      };
      return { model, pruner, options };
    };
    const a = build(1);
    await new Trainer({ ...a.options, checkpointDir: await tempDir() }).fit();
    const dir = await tempDir();
    const b = build(1);
    await new Trainer({ ...b.options, checkpointDir: dir, epochs: 4, onEpochEnd: (r) => { if (r.epoch === 1) throw new Error('killed'); } })
      .fit()
      .catch(() => undefined);
    const saved = (await readCheckpoint(dir))!;
    // kernel, bias, gamma, beta, moving mean, moving variance, kernel, bias
    expect(saved.variables).toHaveLength(8);
    expect(saved.meta.epoch).toBe(2);
    const c = build(50);
    const result = await new Trainer({ ...c.options, checkpointDir: dir }).fit();
    expect(result.resumedFrom).toBe(2);
    const weights = (m: tfl.LayersModel) => m.weights.map((w) => Array.from(w.read().dataSync()));
    expect(weights(c.model)).toEqual(weights(a.model));
    a.model.dispose();
    b.model.dispose();
    c.model.dispose();
  });

  it('writes atomically: stale temporary files are ignored and cleaned, the file is whole or absent', async () => {
    const dir = await tempDir();
    // A crash in the middle of an earlier write left a partial temporary file.
    await writeFile(join(dir, `.${CHECKPOINT_FILE}.123.abc.tmp`), new Uint8Array([1, 2, 3]));
    expect(await readCheckpoint(dir)).toBeNull();
    const s = setup(30, dir, { epochs: 2 });
    await new Trainer(s.options).fit();
    expect(await readdir(dir)).toEqual([CHECKPOINT_FILE]);
    const saved = (await readCheckpoint(dir))!;
    expect(saved.meta).toMatchObject({ epoch: 2, epochs: 2, batchSize: 16, prunerName: 'test-pruner', size: N, optimizer: 'Adam' });
    expect(saved.variables.map((v) => v.shape)).toEqual([[D, 16], [16], [16, C], [C]]);
    // Adam's moments and iteration count, and its β powers (outside getWeights()).
    expect(saved.optimizerWeights.map((w) => w.name)[0]).toBe('iter');
    expect(saved.optimizerWeights).toHaveLength(1 + 2 * 4);
    expect(saved.optimizerFields.map((f) => f.name).sort()).toEqual(['accBeta1', 'accBeta2']);
    s.net.dispose();
  });

  it('refuses a corrupted checkpoint or one of another run, naming the mismatch', async () => {
    const dir = await tempDir();
    const s = setup(31, dir, { epochs: 1 });
    await new Trainer(s.options).fit();
    s.net.dispose();
    const other = setup(32, dir, { epochs: 1 });
    const wide = tf.variable(tf.zeros([D, 17]));
    const bad = new Trainer({ ...other.options, variables: [wide, ...other.net.variables.slice(1)] });
    await expect(bad.fit()).rejects.toThrow(/variable 0 .* has shape \[6, 17\] float32, the checkpoint's has \[6, 16\] float32/);
    const sgd = new Trainer({ ...setup(33, dir, { epochs: 1 }).options, optimizer: tf.train.sgd(0.1) });
    await expect(sgd.fit()).rejects.toThrow(`Trainer.fit(): checkpoint in ${dir} was written with optimizer Adam, this trainer has SGD`);
    // Flip one byte: the checksum catches it.
    const { readFile } = await import('node:fs/promises');
    const bytes = await readFile(join(dir, CHECKPOINT_FILE));
    bytes[100] = bytes[100]! ^ 0xff;
    await writeFile(join(dir, CHECKPOINT_FILE), bytes);
    await expect(readCheckpoint(dir)).rejects.toThrow(`readCheckpoint(): ${join(dir, CHECKPOINT_FILE)}: state is corrupted (checksum mismatch)`);
    tf.dispose([wide]);
    other.net.dispose();
  });

  it('refuses to resume a checkpoint written with other settings, naming the setting and both values', async () => {
    const dir = await tempDir();
    const s = setup(40, dir, { epochs: 5 });
    const first: Trainer = new Trainer({ ...s.options, onEpochEnd: () => first.stop() });
    await first.fit();
    s.net.dispose();
    const cases: [Partial<TrainerOptions>, string][] = [
      [{ batchSize: 32 }, `Trainer.fit(): checkpoint in ${dir} was written with batchSize 16, this trainer has 32`],
      [{ epochs: 6 }, `Trainer.fit(): checkpoint in ${dir} was written with epochs 5, this trainer has 6`],
      [{ seed: 13 }, `Trainer.fit(): checkpoint in ${dir} was written with seed 12, this trainer has 13`],
      [{ dropLast: true }, `Trainer.fit(): checkpoint in ${dir} was written with dropLast false, this trainer has true`],
      [{ directions: 'sum' }, `Trainer.fit(): checkpoint in ${dir} was written with directions "mean", this trainer has "sum"`],
      [{ learningRate: 0.5 }, `Trainer.fit(): checkpoint in ${dir} was written with learningRate a schedule, this trainer has 0.5`],
      [
        { optimizer: tf.train.adam(0.02, 0.5) },
        `Trainer.fit(): checkpoint in ${dir} was written with optimizer beta1 0.9, this trainer has 0.5`,
      ],
      [{ optimizer: tf.train.sgd(0.02) }, `Trainer.fit(): checkpoint in ${dir} was written with optimizer Adam, this trainer has SGD`],
      [
        { pruner: new TestPruner(N, 0.5, 11) },
        `Trainer.fit(): checkpoint in ${dir} holds a pruner state this pruner refuses: TestPruner.loadState(): other options`,
      ],
    ];
    for (const [patch, message] of cases) {
      const other = setup(41, dir, patch);
      const before = tf.memory().numTensors;
      const error = await new Trainer(other.options).fit().catch((e: unknown) => e);
      expect(error, message).toBeInstanceOf(StateError);
      expect((error as Error).message).toBe(message);
      expect(tf.memory().numTensors).toBe(before);
      // Refused before anything changed: the trainer's weights are its own.
      expect(snapshot(other.net.variables)).toEqual(snapshot(mlp(41).variables));
      other.net.dispose();
    }
    // The pruner's size and the dataset's: one message names both.
    const small = setup(42, dir);
    const { x, y } = dataset();
    const fewer = new Trainer({
      ...small.options,
      pruner: new TestPruner(N - 6, 0.6, 11),
      data: arrayDataSource({ values: x.subarray(0, (N - 6) * D), shape: [N - 6, D] }, { values: y.subarray(0, N - 6), shape: [N - 6] }),
    });
    await expect(fewer.fit()).rejects.toThrow(
      `Trainer.fit(): checkpoint in ${dir} was written with size 96 (pruner "test-pruner"), this trainer has 90 (pruner "test-pruner")`,
    );
    small.net.dispose();
    // The same settings resume.
    const same = setup(43, dir);
    expect((await new Trainer(same.options).fit()).resumedFrom).toBe(1);
    same.net.dispose();
  });

  it('refuses a forged checkpoint whose counters run past the run', async () => {
    const dir = await tempDir();
    const s = setup(44, dir, { epochs: 3 });
    const first: Trainer = new Trainer({ ...s.options, onEpochEnd: () => first.stop() });
    await first.fit();
    const saved = (await readCheckpoint(dir))!;
    // meta.epoch beyond meta.epochs: caught when the file is decoded.
    await writeCheckpoint(dir, { ...saved, meta: { ...saved.meta, epoch: 100 } });
    const again = setup(44, dir, { epochs: 3 });
    await expect(new Trainer(again.options).fit()).rejects.toThrow(
      /checkpoint field meta\.epoch must be an integer in \[0, 3\] \(at most meta\.epochs\), got 100/,
    );
    // Both forged consistently: the run's epoch count differs from this trainer's.
    await writeCheckpoint(dir, { ...saved, meta: { ...saved.meta, epoch: 100, epochs: 100, samplesSeen: 0, step: 0 } });
    await expect(new Trainer(again.options).fit()).rejects.toThrow(
      `Trainer.fit(): checkpoint in ${dir} was written with epochs 100, this trainer has 3`,
    );
    s.net.dispose();
    again.net.dispose();
  });

  it('locks checkpointDir: a second trainer is refused by name, and the lock goes on normal end, error and stop()', async () => {
    const dir = await tempDir();
    const lockFile = join(dir, CHECKPOINT_LOCK_FILE);
    let reached!: () => void;
    const inside = new Promise<void>((r) => (reached = r));
    let letGo!: () => void;
    const gate = new Promise<void>((r) => (letGo = r));
    const a = setup(45, dir, { epochs: 2, onEpochEnd: async () => { reached(); await gate; } });
    const running = new Trainer(a.options).fit();
    await inside;
    expect(existsSync(lockFile)).toBe(true);
    const b = setup(46, dir, { epochs: 2 });
    const error = await new Trainer(b.options).fit().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointLockError);
    expect((error as Error).message).toContain(`Trainer.fit(): checkpoint directory ${dir} is in use by process ${process.pid} on ${hostname()} since `);
    // The refused trainer neither read nor wrote the checkpoint.
    expect(snapshot(b.net.variables)).toEqual(snapshot(mlp(46).variables));
    letGo();
    await running;
    expect(existsSync(lockFile)).toBe(false);
    // Released on error.
    const c = setup(47, await tempDir(), { onBatchEnd: () => { throw new Error('crash'); } });
    await expect(new Trainer(c.options).fit()).rejects.toThrow('crash');
    expect(existsSync(join(c.options.checkpointDir!, CHECKPOINT_LOCK_FILE))).toBe(false);
    // Released on stop().
    const d = setup(48, await tempDir());
    const stopping: Trainer = new Trainer({ ...d.options, onEpochEnd: () => stopping.stop() });
    expect((await stopping.fit()).stopped).toBe(true);
    expect(existsSync(join(d.options.checkpointDir!, CHECKPOINT_LOCK_FILE))).toBe(false);
    for (const x of [a, b, c, d]) x.net.dispose();
  });

  it('restoreCheckpoint() twice leaves the tensor count as once (no orphaned optimizer moments)', async () => {
    const dir = await tempDir();
    const s = setup(49, dir, { epochs: 1 });
    await new Trainer(s.options).fit();
    s.net.dispose();
    const base = tf.memory().numTensors;
    const c = setup(50, dir, { epochs: 1 });
    const trainer = new Trainer(c.options);
    expect(await trainer.restoreCheckpoint()).toBe(1);
    const once = tf.memory().numTensors;
    expect(await trainer.restoreCheckpoint()).toBe(1);
    expect(tf.memory().numTensors).toBe(once);
    // 4 variables, Adam's β powers and 2 × 4 moments.
    expect(once - base).toBe(4 + 2 + 8);
    c.options.optimizer.dispose();
    c.net.dispose();
    // tfjs-core 4.22 on cpu: Adam's dispose() frees all it made here.
    expect(tf.memory().numTensors).toBe(base);
  });

  it('stop() ends the run after the current epoch and its checkpoint', async () => {
    const dir = await tempDir();
    const s = setup(34, dir);
    const trainer = new Trainer({
      ...s.options,
      checkpointEvery: 10,
      onEpochEnd: (r) => {
        if (r.epoch === 1) trainer.stop();
      },
    });
    const result = await trainer.fit();
    expect(result.stopped).toBe(true);
    expect(result.epochs).toHaveLength(2);
    expect((await readCheckpoint(dir))!.meta.epoch).toBe(2);
    s.net.dispose();
  });
});

describe('arrayDataSource', () => {
  it('gathers the rows of the given ids into fresh tensors', () => {
    const data = arrayDataSource({ values: Float32Array.of(0, 1, 10, 11, 20, 21), shape: [3, 2] }, { values: Int32Array.of(5, 6, 7), shape: [3] });
    const b = data.batch(Uint32Array.of(2, 0), { epoch: 0, rng: new Random(1) }) as { xs: tf.Tensor; ys: tf.Tensor };
    expect(data.size).toBe(3);
    expect((b.xs as tf.Tensor).shape).toEqual([2, 2]);
    expect(Array.from((b.xs as tf.Tensor).dataSync())).toEqual([20, 21, 0, 1]);
    expect((b.ys as tf.Tensor).dtype).toBe('int32');
    expect(Array.from((b.ys as tf.Tensor).dataSync())).toEqual([7, 5]);
    tf.dispose(b as unknown as tf.TensorContainer);
    expect(() => data.batch(Uint32Array.of(3), { epoch: 0, rng: new Random(1) })).toThrow(
      'arrayDataSource.batch(): ids[0] must be an integer in [0, 2], got 3',
    );
    expect(() => data.batch([1.5] as never, { epoch: 0, rng: new Random(1) })).toThrow(
      'arrayDataSource.batch(): ids[0] must be an integer in [0, 2], got 1.5',
    );
  });

  it('rejects arrays that do not match their shapes', () => {
    expect(() => arrayDataSource({ values: new Float32Array(5), shape: [3, 2] })).toThrow(
      'arrayDataSource(): xs.values must hold 6 values for shape [3, 2], got 5',
    );
    expect(() =>
      arrayDataSource({ values: new Float32Array(6), shape: [3, 2] }, { values: new Int32Array(2), shape: [2] }),
    ).toThrow('arrayDataSource(): ys must have 3 samples like xs, got 2');
  });

  it('says per sample when the samples have another shape than given', () => {
    // 4 images of 3×3 given as 2×2.
    expect(() => arrayDataSource({ values: new Float32Array(4 * 9), shape: [4, 2, 2] })).toThrow(
      'arrayDataSource(): xs.values must hold 16 values for shape [4, 2, 2], got 36 (4 samples of 4 values each, [2, 2]; the values make 4 of 9)',
    );
  });

  it('rejects unknown and null options', () => {
    const xs = { values: new Float32Array(4), shape: [2, 2] };
    expect(() => arrayDataSource(xs, undefined, { augmnet: () => undefined } as never)).toThrow(
      'arrayDataSource(): unknown option "augmnet" (did you mean "augment"?)',
    );
    expect(() => arrayDataSource(xs, undefined, { augment: null } as never)).toThrow('arrayDataSource(): augment must not be null');
  });
});
