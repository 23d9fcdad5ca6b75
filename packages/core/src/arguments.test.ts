import { describe, expect, it } from 'vitest';
import { batchPlan, countBatches } from './batch.js';
import { crc32 } from './crc32.js';
import { Random } from './random.js';
import { clearBitIds, compactSample, sampleFrom, sampleIndices, sampleSorted } from './sample.js';
import { PlanArrays, ScratchPool } from './scratch.js';
import { shardPlan } from './shard.js';
import { setWasmKernels, shuffledCopy, shuffledRange, shuffleInPlace, wasmKernelsEnabled } from './shuffle.js';
import { StateReader, StateWriter } from './state.js';
import { CompensatedSum, compensatedSum } from './sum.js';
import { compileWasm } from './wasm.js';
import { suggestKey } from './validate.js';

/*
 * Every export of @seta/core checks its arguments at the boundary: a bad one
 * is our RangeError (bad value) or TypeError (wrong kind) naming the
 * function, the argument and the value — never a runtime error from deep
 * inside, a hang or a silently different result.
 */

const rng = () => new Random(0);

describe('randomness and sampling refuse bad arguments', () => {
  it('shuffledRange: n a non-negative integer, rng a Random', () => {
    expect(() => shuffledRange(1.5, rng())).toThrow(new RangeError('shuffledRange(): n must be an integer in [0, 4294967295], got 1.5'));
    expect(() => shuffledRange(-1, rng())).toThrow(new RangeError('shuffledRange(): n must be an integer in [0, 4294967295], got -1'));
    expect(() => shuffledRange(2 ** 32, rng())).toThrow(RangeError);
    expect(() => shuffledRange('3' as never, rng())).toThrow(new TypeError('shuffledRange(): n must be a number, got "3"'));
    expect(() => shuffledRange(3, null as never)).toThrow(new TypeError('shuffledRange(): rng must be a Random, got null'));
    expect(Array.from(shuffledRange(3, rng())).sort()).toEqual([0, 1, 2]);
  });

  it('shuffleInPlace and shuffledCopy: arrays of numbers, a Random', () => {
    expect(() => shuffleInPlace(null as never, rng())).toThrow(
      new TypeError('shuffleInPlace(): array must be a typed array or an array of numbers, got null'),
    );
    expect(() => shuffleInPlace(Uint32Array.of(1, 2), {} as never)).toThrow(new TypeError('shuffleInPlace(): rng must be a Random, got an object'));
    expect(() => shuffleInPlace(Uint32Array.of(1, 2), rng(), 'ab' as never)).toThrow(
      new TypeError('shuffleInPlace(): companion must be a typed array or an array of numbers, got "ab"'),
    );
    expect(() => shuffledCopy([1, 2] as never, rng())).toThrow(new TypeError('shuffledCopy(): array must be a typed array, got an array of length 2'));
    expect(() => shuffledCopy(Uint32Array.of(1), undefined as never)).toThrow(new TypeError('shuffledCopy(): rng must be a Random, got undefined'));
    expect(() => shuffledCopy(Uint32Array.of(1), rng(), [1] as never)).toThrow(
      new TypeError('shuffledCopy(): companion must be a typed array, got an array of length 1'),
    );
  });

  it('the samplers: a Random, and every other argument as documented', () => {
    expect(() => sampleIndices(10, 3, null as never)).toThrow(new TypeError('sampleIndices(): rng must be a Random, got null'));
    expect(() => sampleSorted(10, 3, 7 as never)).toThrow(new TypeError('sampleSorted(): rng must be a Random, got 7'));
    expect(() => sampleFrom([1, 2], 1, undefined as never)).toThrow(new TypeError('sampleFrom(): rng must be a Random, got undefined'));
    expect(() => compactSample(new Uint32Array(4), 0, 4, 2, {} as never)).toThrow(new TypeError('compactSample(): rng must be a Random, got an object'));
    expect(() => sampleSorted(10, 2, rng(), [0, 0] as never)).toThrow(TypeError);
  });

  it('clearBitIds: a Uint32Array bitmap, n within it, a Uint32Array out', () => {
    const out = new Uint32Array(2);
    expect(() => clearBitIds(null as never, 3, out)).toThrow(new TypeError('clearBitIds(): bits must be a Uint32Array, got null'));
    expect(() => clearBitIds(new Uint32Array(1), 33, out)).toThrow(new RangeError('clearBitIds(): n must be an integer in [0, 32], got 33'));
    expect(() => clearBitIds(new Uint32Array(1), 1.5, out)).toThrow(RangeError);
    expect(() => clearBitIds(new Uint32Array(1), 3, [0, 0] as never)).toThrow(
      new TypeError('clearBitIds(): out must be a Uint32Array, got an array of length 2'),
    );
    expect(clearBitIds(Uint32Array.of(0b10), 3, out)).toBe(2);
    expect(Array.from(out)).toEqual([0, 2]);
  });

  it('Random: fillUint32 a Uint32Array, setState an array of four words', () => {
    expect(() => rng().fillUint32([] as never)).toThrow(new TypeError('Random.fillUint32(): out must be a Uint32Array, got an array of length 0'));
    expect(() => rng().setState(null as never)).toThrow(new TypeError('Random.setState(): state must be an array of 4 words, got null'));
    expect(() => rng().setState([1, 2, 3])).toThrow(RangeError);
  });

  it('setWasmKernels: a boolean', () => {
    const before = wasmKernelsEnabled();
    expect(() => setWasmKernels('no' as never)).toThrow(new TypeError('setWasmKernels(): on must be a boolean, got "no"'));
    expect(wasmKernelsEnabled()).toBe(before);
  });

  it('compileWasm: a Uint8Array', () => {
    expect(() => compileWasm(null as never)).toThrow(new TypeError('compileWasm(): bytes must be a Uint8Array, got null'));
    expect(compileWasm(Uint8Array.of(1, 2, 3))).toBeNull(); // not a module: the JavaScript paths run
  });
});

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
      new TypeError('shardPlan(): plan.weights must be null or a Float32Array of length 4, got a Float32Array'),
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
    expect(() => w.float32('c', new Float64Array(1) as never)).toThrow(new TypeError('StateWriter.float32(): section "c" must be a Float32Array, got a Float64Array'));
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
