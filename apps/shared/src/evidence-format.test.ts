import { describe, expect, it } from 'vitest';
import { formatCi, formatPct, formatPp, verdict } from './evidence-format.js';

describe('formatPct / formatPp / formatCi', () => {
  it('write shares as percent and differences as signed points, "—" for what is not a number', () => {
    expect(formatPct(0.1234)).toBe('12.3 %');
    expect(formatPct(0.1234, true)).toBe('+12.3 %');
    expect(formatPct(-0.05, true)).toBe('-5.0 %');
    expect(formatPct(Number.NaN)).toBe('—');
    expect(formatPp(0.0123)).toBe('+1.23');
    expect(formatPp(-0.0123)).toBe('-1.23');
    expect(formatPp(0.0123, false)).toBe('1.23');
    expect(formatPp(Number.POSITIVE_INFINITY)).toBe('—');
    expect(formatCi([-0.01, 0.02])).toBe('[-1.00, +2.00]');
    expect(formatCi([0.1, 0.2], (x) => formatPct(x))).toBe('[10.0 %, 20.0 %]');
    expect(formatCi(null)).toBe('—');
  });
});

describe('verdict', () => {
  it('reads an interval holding 0 as no difference, otherwise by its side', () => {
    expect(verdict([-0.01, 0.02])).toBe('no difference');
    expect(verdict([0, 0.02])).toBe('no difference');
    expect(verdict([0.001, 0.02])).toBe('better');
    expect(verdict([-0.02, -0.001])).toBe('worse');
    expect(verdict(null)).toBe('one seed: no interval');
  });
});
