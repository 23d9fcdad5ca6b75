import { describe, expect, it } from 'vitest';
import type { EvidenceRow } from '../results/evidence.data';
import { listOf, summariseSavings } from '../.vitepress/theme/savings';

const row = (method: string, mean: number, ci95: [number, number] | null, reading: string): EvidenceRow => ({
  method,
  strategy: method.toLowerCase(),
  options: [],
  visits: 0.7,
  saved: { mean, ci95 },
  censored: [],
  delta: { mean: 0, ci95: null },
  reading,
  deltaReading: 'no difference',
});

describe('the home page savings sentence', () => {
  it('names each method once: its best better arm, largest saving first, else no difference or worse', () => {
    const s = summariseSavings([
      row('Random', -0.08, [-0.2, 0.05], 'no difference'),
      row('SeTa', 0.15, [0.05, 0.24], 'better'),
      row('SeTa', -0.04, [-0.1, 0.02], 'no difference'),
      row('InfoBatch', 0.19, [0.05, 0.34], 'better'),
      row('InfoBatch', 0.215, [0.15, 0.28], 'better'),
      // A better arm with a smaller mean than a no-difference one: the claim is the better arm's.
      row('SCAN', 0.3, [-0.1, 0.7], 'no difference'),
      row('SCAN', 0.1, [0.01, 0.2], 'better'),
      row('Worse', -0.2, [-0.3, -0.1], 'worse'),
    ]);
    expect(s.better.map((b) => [b.method, b.saved.mean])).toEqual([
      ['InfoBatch', 0.215],
      ['SeTa', 0.15],
      ['SCAN', 0.1],
    ]);
    expect(s.none).toEqual(['Random']);
    expect(s.worse).toEqual(['Worse']);
  });

  it('claims nothing when no arm is better', () => {
    expect(summariseSavings([row('A', 0.1, null, 'one seed: no interval')])).toEqual({ better: [], none: ['A'], worse: [] });
    expect(summariseSavings([])).toEqual({ better: [], none: [], worse: [] });
  });

  it('joins names the way the sentence reads', () => {
    expect(listOf([])).toBe('');
    expect(listOf(['a'])).toBe('a');
    expect(listOf(['a', 'b'])).toBe('a and b');
    expect(listOf(['a', 'b', 'c'])).toBe('a, b and c');
  });
});
