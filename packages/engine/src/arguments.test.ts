import { describe, expect, it } from 'vitest';
import { Random } from './random.js';
import { clearBitIds } from './sample/bitmap.js';
import { compactSample, sampleFrom, sampleIndices, sampleSorted } from './sample/sample.js';
import { shuffledCopy, shuffledRange, shuffleInPlace } from './shuffle/shuffle.js';
import { compileWasm } from './wasm/compile.js';
import { setWasmKernels, wasmKernelsEnabled } from './wasm/switch.js';

/*
 * Every export checks its arguments at the boundary: a bad one is a
 * RangeError (bad value) or TypeError (wrong kind) naming the function, the
 * argument and the value — never a runtime error from deep inside, a hang or
 * a silently different result.
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
