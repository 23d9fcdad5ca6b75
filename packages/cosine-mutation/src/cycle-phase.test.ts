import { describe, expect, it } from 'vitest';
import { cyclePhase } from './cycle-phase.js';

describe('cyclePhase', () => {
  it('alternates one preparation epoch and T mutation epochs from the cycle start', () => {
    const phases = [5, 6, 7, 8, 9, 10].map((e) => cyclePhase(e, 5, 3));
    expect(phases.map((p) => p.phase)).toEqual(['prepare', 'mutate', 'mutate', 'mutate', 'prepare', 'mutate']);
    expect(phases.map((p) => p.position)).toEqual([0, 1, 2, 3, 0, 1]);
    expect(phases.map((p) => p.cycle)).toEqual([0, 0, 0, 0, 1, 1]);
    expect(phases[0]!.ratio).toBe(0);
    expect(phases[1]!.ratio).toBeCloseTo(0.25, 15);
    expect(phases[2]!.ratio).toBeCloseTo(0.75, 15);
    expect(phases[3]!.ratio).toBe(1);
  });

  it('handles T = 1 (prepare, mutate everything, prepare, …)', () => {
    expect([0, 1, 2, 3].map((e) => cyclePhase(e, 0, 1).ratio)).toEqual([0, 1, 0, 1]);
  });

  it('rejects an epoch before the cycle start', () => {
    expect(() => cyclePhase(4, 5, 3)).toThrow('cyclePhase(): epoch must be an integer ≥ 5, got 4');
    expect(() => cyclePhase(4, -1, 3)).toThrow(/cycleStart must be an integer ≥ 0/);
  });
});
