import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { batchPlan } from '@seta/core';
import { full } from '@seta/baselines';
import { beforeAll, describe, expect, it } from 'vitest';
import { batchIds, gatherSamples } from './batch-ids.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('batchIds', () => {
  it('views a Uint32Array, a plan or a batch as an Int32Array without copying', () => {
    const u = new Uint32Array([5, 0, 7, 2_147_483_646]);
    const i = batchIds(u);
    expect(i).toBeInstanceOf(Int32Array);
    expect(Array.from(i)).toEqual([5, 0, 7, 2_147_483_646]);
    expect(i.buffer).toBe(u.buffer);
    const plan = full({ size: 10, epochs: 1 }).plan(0);
    expect(Array.from(batchIds(plan))).toEqual(Array.from(plan.indices));
    const [second] = [...batchPlan(plan, 4)].slice(1);
    const ids = batchIds(second!);
    expect(Array.from(ids)).toEqual(Array.from(plan.indices.subarray(4, 8)));
    expect(ids.byteOffset).toBe(second!.indices.byteOffset);
  });

  it('gives ids that tf.gather and tf.tensor1d accept, where the Uint32Array is refused', () => {
    const u = new Uint32Array([2, 0]);
    expect(() => tf.tensor1d(u as never, 'int32')).toThrow();
    const t = tf.tensor1d(batchIds(u), 'int32');
    expect(Array.from(t.dataSync())).toEqual([2, 0]);
    t.dispose();
  });

  it('refuses anything else, naming it', () => {
    expect(() => batchIds([1, 2] as never)).toThrow(/batchIds\(\): ids must be a Uint32Array or have indices.*an array of length 2/);
  });
});

describe('gatherSamples', () => {
  it('gathers the rows of the ids, in their order', () => {
    const x = tf.tensor2d([[0, 0], [1, 1], [2, 2]]);
    const g = gatherSamples(x, new Uint32Array([2, 0]));
    expect(g.arraySync()).toEqual([[2, 2], [0, 0]]);
    tf.dispose([x, g]);
  });
});
