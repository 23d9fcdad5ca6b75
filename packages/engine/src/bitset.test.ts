import { describe, expect, it } from 'vitest';
import { bitsetAdd, bitsetHas, bitsetOf } from './bitset.js';

describe('bitsetOf, bitsetAdd, bitsetHas', () => {
  it('hold exactly the ids added, across word boundaries', () => {
    const bits = bitsetOf(100);
    expect(bits.length).toBe(4);
    const ids = [0, 31, 32, 63, 64, 99];
    for (const id of ids) bitsetAdd(bits, id);
    for (let id = 0; id < 100; id++) expect(bitsetHas(bits, id)).toBe(ids.includes(id) ? 1 : 0);
  });

  it('makes an empty set of no ids', () => {
    expect(bitsetOf(0).length).toBe(0);
  });
});
