import { describe, expect, it } from 'vitest';
import { CompensatedSum, compensatedSum } from './sum.js';

describe('compensatedSum', () => {
  it('recovers what naive summation loses', () => {
    expect(compensatedSum([1e16, 1, -1e16])).toBe(1);
    expect(compensatedSum([1, 1e100, 1, -1e100])).toBe(2);
    const values = new Float64Array(1_000_000).fill(0.1);
    expect(compensatedSum(values)).toBe(100_000);
    let naive = 0;
    for (const v of values) naive += v;
    expect(naive).not.toBe(100_000);
  });

  it('is 0 for empty input and the value for one value', () => {
    expect(compensatedSum([])).toBe(0);
    expect(compensatedSum(Float32Array.of(2.5))).toBe(2.5);
  });
});

describe('CompensatedSum', () => {
  it('accumulates like compensatedSum and resets', () => {
    const s = new CompensatedSum();
    for (const x of [1e16, 1, -1e16, 0.5]) s.add(x);
    expect(s.value).toBe(1.5);
    s.reset();
    expect(s.value).toBe(0);
  });
});
