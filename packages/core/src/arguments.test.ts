import { describe, expect, it } from 'vitest';
import { batchPlan, countBatches } from './batch.js';
import { crc32 } from './crc32.js';
import { ScratchPool, suggestKey } from '@seta/engine';
import { PlanArrays } from './plan-arrays.js';
import { shardPlan } from './shard.js';
import { StateReader, StateWriter } from './state.js';
import { CompensatedSum, compensatedSum } from './sum.js';

/*
 * Every export of @seta/core checks its arguments at the boundary: a bad one
 * is our RangeError (bad value) or TypeError (wrong kind) naming the
 * function, the argument and the value — never a runtime error from deep
 * inside, a hang or a silently different result.
 */

describe('plans, sums, checksums and buffers refuse bad arguments', () => {
  const plan = { epoch: 0, phase: 'full' as const, size: 4, indices: Uint32Array.of(3, 1, 0, 2), weights: null };

  it('batchPlan and countBatches: a plan, known options of the right kind', () => {
    expect(() => batchPlan(null as never, 2).next()).toThrow(
      new TypeError('batchPlan(): plan must be an object with indices and weights, got null'),
    );
    expect(() => countBatches(3, 2, { droplast: true } as never)).toThrow(
      new TypeError('countBatches(): unknown option "droplast" (did you mean "dropLast"?); known options: dropLast'),
    );
    expect(() => countBatches(3, 2, { dropLast: 'yes' } as never)).toThrow(new TypeError('countBatches(): dropLast must be a boolean, got "yes"'));
    expect(() => batchPlan(plan, 2, { dropLast: null } as never).next()).toThrow(TypeError);
  });

  it('shardPlan: a plan of typed arrays, known options', () => {
    expect(() => shardPlan(null as never, 0, 1)).toThrow(new TypeError('shardPlan(): plan must be an object with indices and weights, got null'));
    expect(() => shardPlan({ ...plan, indices: [1, 2] } as never, 0, 1)).toThrow(
      new TypeError('shardPlan(): plan.indices must be a Uint32Array, got an array of length 2'),
    );
    expect(() => shardPlan({ ...plan, weights: new Float32Array(3) }, 0, 1)).toThrow(
      new TypeError('shardPlan(): plan.weights must be null or a Float32Array of length 4, got a Float32Array of length 3'),
    );
    expect(() => shardPlan(plan, 0, 2, { mod: 'pad' } as never)).toThrow(/shardPlan\(\): unknown option "mod" \(did you mean "mode"\?\)/);
  });

  it('CompensatedSum and compensatedSum: numbers only (a string would concatenate)', () => {
    expect(() => new CompensatedSum().add('1' as never)).toThrow(new TypeError('CompensatedSum.add(): x must be a number, got "1"'));
    expect(() => compensatedSum(null as never)).toThrow(new TypeError('compensatedSum(): values must be an array or typed array, got null'));
    expect(() => compensatedSum([1, '2'] as never)).toThrow(new TypeError('compensatedSum(): values[1] must be a number, got "2"'));
    expect(compensatedSum([1e16, 1, -1e16])).toBe(1);
  });

  it('crc32: bytes a Uint8Array (a string gave a wrong checksum), crc a 32-bit unsigned integer', () => {
    expect(() => crc32('abc' as never)).toThrow(new TypeError('crc32(): bytes must be a Uint8Array, got "abc"'));
    expect(() => crc32(Uint8Array.of(1), -1)).toThrow(new RangeError('crc32(): crc must be an integer in [0, 4294967295], got -1'));
    expect(() => crc32(Uint8Array.of(1), 1.5)).toThrow(RangeError);
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it('ScratchPool and PlanArrays: slot names and lengths', () => {
    const pool = new ScratchPool();
    expect(() => pool.uint32('a', -1)).toThrow(new RangeError('ScratchPool.uint32(): length must be an integer in [0, 4294967295], got -1'));
    expect(() => pool.float32('a', 1.5)).toThrow(RangeError);
    expect(() => pool.uint32(3 as never, 1)).toThrow(new TypeError('ScratchPool.uint32(): slot must be a string, got 3'));
    const arrays = new PlanArrays();
    expect(() => arrays.uint32(-1)).toThrow(new RangeError('PlanArrays.uint32(): length must be an integer in [0, 4294967295], got -1'));
    expect(() => arrays.float32(Number.NaN)).toThrow(RangeError);
  });

  it('StateWriter: a kind and version, JSON-serialisable values, sections of the named type', () => {
    expect(() => new StateWriter(3 as never, 1)).toThrow(new TypeError('StateWriter(): kind must be a non-empty string, got 3'));
    expect(() => new StateWriter('k', -1)).toThrow(new RangeError('StateWriter(): version must be an integer in [0, 4294967295], got -1'));
    const w = new StateWriter('k', 1);
    expect(() => w.json('a', undefined)).toThrow(new TypeError('StateWriter.json(): section "a" must hold a JSON-serialisable value, got undefined'));
    expect(() => w.json('b', 1n)).toThrow(TypeError);
    expect(() => w.float32('c', new Float64Array(1) as never)).toThrow(new TypeError('StateWriter.float32(): section "c" must be a Float32Array, got a Float64Array of length 1'));
    expect(() => w.bytes('d', [1] as never)).toThrow(new TypeError('StateWriter.bytes(): section "d" must be a Uint8Array, got an array of length 1'));
    expect(() => w.uint32('', new Uint32Array(1))).toThrow(new TypeError('StateWriter.uint32(): name must be a non-empty string, got ""'));
  });

  it('StateReader.open: a Uint8Array, naming what it got', () => {
    expect(() => StateReader.open('SETA' as never, 'k', 1, 'f()')).toThrow(new TypeError('f(): state must be a Uint8Array, got "SETA"'));
  });

  it('suggestKey: a string key and an array of known keys', () => {
    expect(() => suggestKey(3 as never, ['a'])).toThrow(new TypeError('suggestKey(): key must be a string, got 3'));
    expect(() => suggestKey('a', 'a' as never)).toThrow(new TypeError('suggestKey(): known must be an array of strings, got "a"'));
  });
});
