import { describe, expect, it } from 'vitest';
import { assembleModule, I32, op, sleb, uleb } from './assembler.js';
import { compileWasm, instantiateWasm } from './compile.js';

describe('uleb', () => {
  it('encodes unsigned LEB128 (the specification example and the byte boundaries)', () => {
    expect(uleb(0)).toEqual([0]);
    expect(uleb(127)).toEqual([0x7f]);
    expect(uleb(128)).toEqual([0x80, 0x01]);
    expect(uleb(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(uleb(2 ** 32)).toEqual([0x80, 0x80, 0x80, 0x80, 0x10]);
  });
});

describe('sleb', () => {
  it('encodes signed LEB128 of numbers and bigints alike', () => {
    expect(sleb(0)).toEqual([0]);
    expect(sleb(63)).toEqual([0x3f]);
    expect(sleb(64)).toEqual([0xc0, 0x00]); // the sign bit of the last byte must be clear for a positive value
    expect(sleb(-1)).toEqual([0x7f]);
    expect(sleb(-123456)).toEqual([0xc0, 0xbb, 0x78]);
    expect(sleb(0x1_0000_0000n)).toEqual(sleb(2 ** 32));
    expect(sleb(-(2n ** 63n))).toEqual([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f]);
  });
});

describe('assembleModule', () => {
  it('assembles exported functions that call each other and use the imported memory', () => {
    const { get, i32, call, load, store } = op;
    const bytes = assembleModule([
      // add(a, b) = a + b
      { name: 'add', params: [I32, I32], results: [I32], body: [...get(0), ...get(1), 0x6a] },
      // twiceStored(a): memory[8] = add(a, a); returns memory[8]
      { name: 'twiceStored', params: [I32], results: [I32], body: [...i32(0), ...get(0), ...get(0), ...call(0), ...store(8), ...i32(0), ...load(8)] },
    ]);
    const compiled = compileWasm(bytes);
    expect(compiled).not.toBeNull();
    const made = instantiateWasm(compiled!, 1000)!;
    const add = made.exports['add'] as (a: number, b: number) => number;
    const twice = made.exports['twiceStored'] as (a: number) => number;
    expect(add(2, 40)).toBe(42);
    expect(twice(-21)).toBe(-42);
    expect(new Int32Array(made.memory.buffer, 8, 1)[0]).toBe(-42);
  });
});
