import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { N, augmentedData, ceLoss, mlp } from './test-trainer.js';
import { TestPruner } from './test-utils.js';
import { Trainer } from './trainer.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('Trainer options', () => {
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
      [{ progress: 'yes' }, 'Trainer(): progress must be true, false, "auto" or a ProgressReporter, got "yes"'],
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

});
