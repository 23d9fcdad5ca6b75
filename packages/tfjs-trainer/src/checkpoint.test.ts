import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StateError, StateWriter } from '@seta/core';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeCheckpoint, encodeCheckpoint } from './checkpoint-format.js';
import type { CheckpointData, CheckpointMeta } from './checkpoint-format.js';
import { CHECKPOINT_FILE, readCheckpoint, writeCheckpoint } from './checkpoint.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'seta-checkpoint-'));
  dirs.push(d);
  return d;
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const meta: CheckpointMeta = {
  epoch: 2,
  samplesSeen: 150,
  step: 10,
  epochs: 5,
  batchSize: 16,
  prunerName: 'test-pruner',
  size: 96,
  optimizer: 'Adam',
  backend: 'cpu',
  savedAt: '2026-01-01T00:00:00.000Z',
};

function sample(overrides: Partial<CheckpointMeta> = {}): CheckpointData {
  return {
    meta: { ...meta, ...overrides },
    rng: Uint32Array.of(1, 2, 3, 4),
    pruner: Uint8Array.of(9, 8, 7),
    variables: [
      { name: 'w', shape: [2, 3], dtype: 'float32', values: Float32Array.of(0.1, -2.5, 3e-8, 4, 5.5, -6) },
      { name: 'n', shape: [3], dtype: 'int32', values: Int32Array.of(-1, 0, 2_000_000_000) },
    ],
    optimizerWeights: [{ name: 'iter', shape: [], dtype: 'float32', values: Float32Array.of(10) }],
    optimizerFields: [],
  };
}

type Index = Record<string, { name: unknown; shape: unknown; dtype: unknown }[]>;

/**
 * Encode `data` as encodeCheckpoint does, but with its tensor index edited:
 * what a buggy or forged writer could produce, checksum intact.
 */
function withIndex(data: CheckpointData, edit: (index: Index) => void): Uint8Array {
  const w = new StateWriter('tfjs-trainer-checkpoint', 1);
  w.json('meta', data.meta);
  w.uint32('rng', data.rng);
  w.bytes('pruner', data.pruner);
  const index: Index = {};
  for (const [key, prefix] of [['variables', 'var'], ['optimizerWeights', 'opt'], ['optimizerFields', 'field']] as const) {
    data[key].forEach((t, i) => {
      if (t.dtype === 'int32') w.int32(`${prefix}/${i}`, t.values as Int32Array);
      else w.float32(`${prefix}/${i}`, t.values as Float32Array);
    });
    index[key] = data[key].map((t) => ({ name: t.name, shape: [...t.shape], dtype: t.dtype }));
  }
  edit(index);
  w.json('index', index);
  return w.finish();
}

describe('decodeCheckpoint', () => {
  it('round-trips every field exactly', () => {
    const data = sample();
    const back = decodeCheckpoint(encodeCheckpoint(data));
    expect(back.meta).toEqual(data.meta);
    expect(Array.from(back.rng)).toEqual([1, 2, 3, 4]);
    expect(Array.from(back.pruner)).toEqual([9, 8, 7]);
    expect(back.variables.map((v) => [v.name, v.shape, v.dtype, Array.from(v.values)])).toEqual(
      data.variables.map((v) => [v.name, v.shape, v.dtype, Array.from(v.values)]),
    );
  });

  it('decodes a Node Buffer read from disk, and a view at a non-zero byteOffset, to the exact weights', async () => {
    const dir = tempDir();
    const data = sample();
    await writeCheckpoint(dir, data);
    const file = readFileSync(join(dir, CHECKPOINT_FILE));
    // Small Buffers come from Node's shared pool at a non-zero offset.
    const decoded = decodeCheckpoint(file);
    expect(Array.from(decoded.variables[0]!.values)).toEqual(Array.from(data.variables[0]!.values));
    expect(Array.from(decoded.variables[1]!.values)).toEqual([-1, 0, 2_000_000_000]);
    expect(Array.from(decoded.rng)).toEqual([1, 2, 3, 4]);
    expect(Array.from(decoded.pruner)).toEqual([9, 8, 7]);

    const bytes = encodeCheckpoint(data);
    for (const offset of [1, 3, 8, 13]) {
      const host = new Uint8Array(bytes.length + offset + 5).fill(0xee);
      host.set(bytes, offset);
      const view = Buffer.from(host.buffer, offset, bytes.length);
      const got = decodeCheckpoint(view);
      expect(Array.from(got.variables[0]!.values)).toEqual(Array.from(data.variables[0]!.values));
      expect(Array.from(got.variables[1]!.values)).toEqual([-1, 0, 2_000_000_000]);
      expect(Array.from(got.pruner)).toEqual([9, 8, 7]);
      // The decoded arrays are copies: changing the source does not change them.
      host.fill(0);
      expect(Array.from(got.pruner)).toEqual([9, 8, 7]);
    }
  });

  it('bound-checks every meta field, naming it and the value', () => {
    const bad: [Partial<CheckpointMeta> | Record<string, unknown>, string][] = [
      [{ epoch: -1 }, 'meta.epoch must be an integer in [0, 5] (at most meta.epochs), got -1'],
      [{ epoch: 100 }, 'meta.epoch must be an integer in [0, 5] (at most meta.epochs), got 100'],
      [{ epoch: 1.5 }, 'meta.epoch must be an integer in [0, 5] (at most meta.epochs), got 1.5'],
      [{ epochs: 0 }, 'meta.epochs must be an integer ≥ 1, got 0'],
      [{ batchSize: '16' }, 'meta.batchSize must be an integer ≥ 1, got "16"'],
      [{ size: Number.NaN }, 'meta.size must be an integer ≥ 1, got null'],
      [{ samplesSeen: 2 * 96 + 1 }, 'meta.samplesSeen must be an integer in [0, 192] (at most meta.epoch · meta.size), got 193'],
      [{ step: 151 }, 'meta.step must be an integer in [0, 150] (at most meta.samplesSeen), got 151'],
      [{ prunerName: 3 }, 'meta.prunerName must be a string, got 3'],
      [{ optimizer: undefined }, 'meta.optimizer must be a string, got undefined'],
    ];
    for (const [patch, message] of bad) {
      const bytes = encodeCheckpoint(sample(patch as Partial<CheckpointMeta>));
      expect(() => decodeCheckpoint(bytes), message).toThrow(StateError);
      expect(() => decodeCheckpoint(bytes)).toThrow(`decodeCheckpoint(): checkpoint field ${message}`);
    }
  });

  it('bound-checks the tensor index: names, shapes, dtypes', () => {
    const data = sample();
    const cases: [(index: Record<string, { name: unknown; shape: unknown; dtype: unknown }[]>) => void, string | RegExp][] = [
      [(i) => void (i.variables![0]!.shape = [2, -3]), 'variables[0].shape must be a list of integers ≥ 0, got [2,-3]'],
      [(i) => void (i.variables![0]!.shape = 'x'), 'variables[0].shape must be a list of integers ≥ 0, got "x"'],
      [(i) => void (i.variables![1]!.dtype = 'float64'), 'variables[1].dtype must be "float32" or "int32", got "float64"'],
      [(i) => void (i.variables![0]!.name = null), 'variables[0].name must be a string, got null'],
      [(i) => void (i.variables![0]!.shape = [2, 4]), /section "var\/0" holds 6 values, expected 8/],
      [(i) => void (i.optimizerWeights = 7 as never), 'optimizerWeights must be a list, got 7'],
    ];
    for (const [edit, message] of cases) {
      const bytes = withIndex(data, edit);
      expect(() => decodeCheckpoint(bytes)).toThrow(StateError);
      expect(() => decodeCheckpoint(bytes)).toThrow(message);
    }
  });
});

describe('readCheckpoint', () => {
  it('returns null for a directory without a checkpoint', async () => {
    expect(await readCheckpoint(tempDir())).toBeNull();
  });

  it('names the file when it cannot be read or is not a checkpoint', async () => {
    const dir = tempDir();
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, CHECKPOINT_FILE));
    await expect(readCheckpoint(dir)).rejects.toThrow(`readCheckpoint(): cannot read ${join(dir, CHECKPOINT_FILE)}`);
    const other = tempDir();
    writeFileSync(join(other, CHECKPOINT_FILE), Uint8Array.of(1, 2, 3));
    await expect(readCheckpoint(other)).rejects.toThrow(`readCheckpoint(): ${join(other, CHECKPOINT_FILE)}: not a seta state`);
  });
});
