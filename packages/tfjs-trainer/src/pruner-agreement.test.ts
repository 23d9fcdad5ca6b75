import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { full } from '@seta/baselines';
import { describe, expect, it } from 'vitest';
import { arrayDataSource } from './array-data-source.js';
import { checkPrunerAgrees, refuseStreaming } from './pruner-agreement.js';
import { N, ceLoss, mlp } from './test-trainer.js';
import { TestPruner } from './test-utils.js';
import { Trainer } from './trainer.js';

describe('checkPrunerAgrees', () => {
  it('passes a pruner built for the run', () => {
    expect(() => checkPrunerAgrees('f()', full({ size: 10, epochs: 3 }), 10, 3)).not.toThrow();
  });

  it('refuses another size or epoch count, naming both values', () => {
    expect(() => checkPrunerAgrees('f()', full({ size: 10, epochs: 3 }), 12, 3)).toThrow(
      new RangeError('f(): the pruner was built for size 10, but the training data has 12 samples'),
    );
    expect(() => checkPrunerAgrees('f()', full({ size: 10, epochs: 2 }), 10, 3)).toThrow(
      new RangeError('f(): the pruner was built for epochs 2, but the training runs 3'),
    );
    expect(() => checkPrunerAgrees('f()', full({ size: 10, epochs: 4 }), 10, 3)).toThrow(/built for epochs 4, but the training runs 3/);
  });

  it('checks epochs only when the pruner says (the Pruner contract does not require it)', () => {
    expect(() => checkPrunerAgrees('f()', new TestPruner(10), 10, 3)).not.toThrow();
  });
});

describe('refuseStreaming', () => {
  it('refuses anything with iterator() and lets a data source through', () => {
    expect(() => refuseStreaming('f()', 'data', { size: 2, iterator: () => null })).toThrow(/data is a streaming dataset .*random access/);
    expect(() => refuseStreaming('f()', 'data', { size: 2, batch: () => null })).not.toThrow();
  });
});

describe('Trainer and its pruner', () => {
  const data = arrayDataSource({ values: new Float32Array(N * 6), shape: [N, 6] }, { values: new Int32Array(N), shape: [N] });
  const base = () => {
    const { model, variables } = mlp(1);
    return { model, variables, optimizer: tf.train.sgd(0.1), data, loss: ceLoss, batchSize: 16, progress: false as const };
  };

  it('refuses at construction a pruner built for fewer or more epochs, naming both', () => {
    expect(() => new Trainer({ ...base(), pruner: full({ size: N, epochs: 2 }), epochs: 3 })).toThrow(
      /Trainer\(\): the pruner was built for epochs 2, but the training runs 3/,
    );
    expect(() => new Trainer({ ...base(), pruner: full({ size: N, epochs: 5 }), epochs: 3 })).toThrow(/built for epochs 5, but the training runs 3/);
  });

  it('refuses a streaming dataset as data, saying why, instead of a size mismatch', () => {
    const stream = { size: 4, iterator: async () => null, batch: () => stream };
    expect(() => new Trainer({ ...base(), data: stream as never, pruner: full({ size: N, epochs: 3 }), epochs: 3 })).toThrow(
      /Trainer\(\): data is a streaming dataset \(tf\.data\.Dataset\).*random access/,
    );
  });
});
