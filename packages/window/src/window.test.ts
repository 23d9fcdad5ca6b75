import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { windowRange, windowSize } from './window.js';

/** The window of ALGORITHMS.md §3 step 3, written out directly over an explicit list of group numbers. */
function oracle(step: number, k: number, ws: number, order: string, variant: string): number[] {
  const groups = Array.from({ length: k }, (_, i) => i);
  if (order === 'hard-to-easy') groups.reverse();
  if (step === 0) return groups.sort((a, b) => a - b);
  // Python's round(): ties to even on the exact double value
  const x = k * ws;
  const f = Math.floor(x);
  const r = x - f === 0.5 ? (f % 2 === 0 ? f : f + 1) : Math.round(x);
  const w = Math.max(1, r);
  const slide = k - w;
  const start = variant === 'cyclic' ? step % (slide + 1) : Math.min(step, slide);
  return groups.slice(start, start + w).sort((a, b) => a - b);
}

const expand = ({ start, end }: { start: number; end: number }) => Array.from({ length: end - start }, (_, i) => start + i);

describe('windowSize', () => {
  it('pins the spec values: k = 5, ws = 0.9 gives 4 (round half to even)', () => {
    expect(windowSize(5, 0.9)).toBe(4);
    expect(windowSize(5, 0.6)).toBe(3);
    expect(windowSize(10, 0.5)).toBe(5);
    expect(windowSize(3, 0.5)).toBe(2); // 1.5 → 2
    expect(windowSize(5, 0.5)).toBe(2); // 2.5 → 2
    expect(windowSize(1, 1)).toBe(1);
  });

  it('is at least 1 and at most the number of groups', () => {
    expect(windowSize(5, 0.01)).toBe(1);
    expect(windowSize(2, 0.25)).toBe(1); // 0.5 → 0 → clamped to 1
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.double({ min: 1e-9, max: 1, noNaN: true }), (k, ws) => {
        const w = windowSize(k, ws);
        expect(w).toBeGreaterThanOrEqual(1);
        expect(w).toBeLessThanOrEqual(k);
      }),
    );
  });

  it('rejects bad arguments with messages naming them', () => {
    expect(() => windowSize(0, 0.5)).toThrow('windowSize(): groups must be an integer ≥ 1, got 0');
    expect(() => windowSize(5, 1.5)).toThrow('windowSize(): windowScale must be in (0, 1], got 1.5');
    expect(() => windowSize(5, 0)).toThrow('windowSize(): windowScale must be in (0, 1], got 0');
  });
});

describe('windowRange', () => {
  it('walks k = 5, ws = 0.9 easy to hard: all, then [1, 5), [0, 4), [1, 5), …', () => {
    expect([0, 1, 2, 3, 4].map((t) => windowRange(t, 5, 0.9))).toEqual([
      { start: 0, end: 5 },
      { start: 1, end: 5 },
      { start: 0, end: 4 },
      { start: 1, end: 5 },
      { start: 0, end: 4 },
    ]);
  });

  it('walks k = 5, ws = 0.6 (the ImageNet recipe) through three positions', () => {
    expect([1, 2, 3, 4].map((t) => windowRange(t, 5, 0.6).start)).toEqual([1, 2, 0, 1]);
    expect(windowRange(2, 5, 0.6)).toEqual({ start: 2, end: 5 });
  });

  it('hard-to-easy mirrors the walk onto the hardest groups first', () => {
    expect([1, 2, 3].map((t) => windowRange(t, 5, 0.6, { order: 'hard-to-easy' }))).toEqual([
      { start: 1, end: 4 },
      { start: 0, end: 3 },
      { start: 2, end: 5 },
    ]);
  });

  it('continuous stops at the far end instead of wrapping', () => {
    expect([1, 2, 3, 10].map((t) => windowRange(t, 5, 0.6, { variant: 'continuous' }).start)).toEqual([1, 2, 2, 2]);
    expect(windowRange(7, 5, 0.6, { variant: 'continuous', order: 'hard-to-easy' })).toEqual({ start: 0, end: 3 });
  });

  it('agrees with a direct transcription of the rule for every order and variant', () => {
    fc.assert(
      fc.property(
        fc.nat(50),
        fc.integer({ min: 1, max: 12 }),
        fc.double({ min: 0.01, max: 1, noNaN: true }),
        fc.constantFrom('easy-to-hard', 'hard-to-easy'),
        fc.constantFrom('cyclic', 'continuous'),
        (t, k, ws, order, variant) => {
          const r = windowRange(t, k, ws, { order: order as 'easy-to-hard', variant: variant as 'cyclic' });
          expect(expand(r)).toEqual(oracle(t, k, ws, order, variant));
        },
      ),
    );
  });

  it('rejects bad arguments with messages naming them', () => {
    expect(() => windowRange(-1, 5, 0.9)).toThrow('windowRange(): step must be an integer ≥ 0, got -1');
    expect(() => windowRange(1, 5, 0.9, { order: 'random' as 'easy-to-hard' })).toThrow(
      'windowRange(): options.order must be one of "easy-to-hard", "hard-to-easy", got "random"',
    );
    expect(() => windowRange(1, 5, 0.9, { variant: 'wrap' as 'cyclic' })).toThrow(/options.variant/);
  });
});

describe('windowRange options', () => {
  it('refuses unknown and null options, suggesting the one meant', () => {
    expect(() => windowRange(1, 5, 0.9, { oder: 'hard-to-easy' } as never)).toThrow(
      new TypeError('windowRange(): unknown option "oder" (did you mean "order"?); known options: order, variant'),
    );
    expect(() => windowRange(1, 5, 0.9, { variant: null } as never)).toThrow(
      new TypeError('windowRange(): variant must not be null (omit it to use the default)'),
    );
  });
});
