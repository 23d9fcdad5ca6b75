import { describe, expect, it } from 'vitest';
import { keepRatio } from './keep-ratio.js';

describe('keepRatio', () => {
  it('is 1 − pruneRatio clamped to [0.1, 1], as the reference code computes it', () => {
    expect(keepRatio(0)).toBe(1);
    expect(keepRatio(0.3)).toBe(1 - 0.3);
    expect(keepRatio(0.9)).toBe(0.1); // 1 − 0.9 is 0.09999999999999998 in doubles: the clamp gives 0.1
    expect(keepRatio(0.95)).toBe(0.1);
    expect(keepRatio(1)).toBe(0.1);
  });
});
