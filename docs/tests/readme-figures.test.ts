// The README's evidence and performance figures are generated from committed
// JSON (scripts/readme-figures.mjs): this fails, under the README's test
// command, when the README and the JSON drift apart, and checks the
// performance derivation on inputs small enough to work out by hand.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error a plain ES module script without type declarations
import { evidenceTable, median, medianRange, performanceFigures, performanceRegion, readSources, regions, targetSentence, withRegion, withTable } from '../../scripts/readme-figures.mjs';

const root = resolve(import.meta.dirname, '../..');
const readme = readFileSync(resolve(root, 'README.md'), 'utf8');
const summary = JSON.parse(readFileSync(resolve(root, 'docs/results/classification-evidence/summary.json'), 'utf8'));

describe('the README’s evidence table', () => {
  it('is what the committed summary gives', () => {
    expect(withTable(readme, evidenceTable(summary))).toBe(readme);
  });

  it('would be caught if one figure were retyped', () => {
    const retyped = readme.replace('**+21.5 %**', '**+22.5 %**');
    expect(retyped).not.toBe(readme);
    expect(withTable(retyped, evidenceTable(summary))).not.toBe(retyped);
  });

  it('reads each interval as the reports do: above zero in bold, across zero "no difference", below "worse"', () => {
    const table = evidenceTable(summary) as string;
    for (const arm of summary.arms) {
      const [lo, hi] = arm.visitsSavedAtEqualAccuracy.ci95;
      const line = table.split('\n').find((l: string) => l.includes(`${Math.round(arm.visitsRatio.mean * 100)} %`) && l.includes(String(arm.options.pruneRatio)))!;
      expect(line, JSON.stringify(arm.options)).toBeDefined();
      if (lo > 0) expect(line).toMatch(/\*\*\+/);
      else if (hi < 0) expect(line).toMatch(/\(worse\)/);
      else expect(line).toMatch(/no difference/);
    }
  });
});


const sources = readSources();

describe('the README’s performance region', () => {
  it('is what the committed fresh-process runs and full run give', () => {
    expect(withRegion(readme, 'performance', regions(sources).performance)).toBe(readme);
  });

  it('would be caught if one figure were retyped', () => {
    const retyped = readme.replace('| 215 ms (195–352) |', '| 205 ms (195–352) |');
    expect(retyped).not.toBe(readme);
    expect(withRegion(retyped, 'performance', regions(sources).performance)).not.toBe(retyped);
  });

  it('pools the three batches: 20 runs, 60 later plans per strategy', () => {
    const fig = performanceFigures(sources.fresh, sources.bench);
    expect(fig.runs).toBe(20);
    for (const s of fig.strategies) {
      expect(s.plans.epoch0).toHaveLength(20);
      expect(s.plans.first).toHaveLength(20);
      expect(s.plans.later).toHaveLength(60);
    }
  });
});

/** A fresh-process batch and a full run small enough to check by hand: two runs, SCAN and SeTa as InfoBatch's copies. */
function handMade(infobatchLater: number[][]) {
  const result = (strategy: string, later: number[]) => ({ strategy, planMs: 240, planMsLater: later });
  const fresh = {
    command: 'node apps/strategy-bench/src/fresh.mjs --size 10000000 --runs 2',
    date: '2026-01-02T03:04:05.000Z',
    cpu: 'Test CPU × 2',
    node: 'v20.0.0',
    firstTouchMsPerMbRange: [0.2, 0.5],
    benchRuns: infobatchLater.map((later, i) => ({
      loadAverageAtStart: [0.5, 1.5][i],
      results: [result('infobatch', later), result('seta', [500, 510, 520]), result('scan', [100, 110, 120])],
    })),
    firstPlans: ['infobatch', 'seta', 'scan'].flatMap((strategy) => [0, 1].map((run) => ({ run, strategy, epoch0PlanMs: 100 + run }))),
  };
  const full = (strategy: string, size: number, observeNsLater: number | null, stateBytesPerSample: number) => ({ strategy, size, observeNsPerSample: 40, observeNsLater, stateBytesPerSample });
  const bench = {
    date: '2026-01-02T00:00:00.000Z',
    results: ['infobatch', 'seta', 'scan'].flatMap((s) => [full(s, 1e6, 6.4, 4.126), full(s, 1e7, 21, 4.1251), full(s, 1e8, null, 4.125)]),
  };
  return performanceFigures([fresh], bench);
}

describe('the performance derivation, on a hand-made input', () => {
  it('takes the median and range of known numbers', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(medianRange([195.46, 215.1, 351.84, 208])).toBe('212 ms (195–352)');
    expect(medianRange([1000.4, 1191.6])).toBe('1,096 ms (1,000–1,192)');
  });

  it('writes each row from the pooled plans, observe() over the sizes (later epochs where measured) and state at 10^7', () => {
    const region = performanceRegion(handMade([[200, 210, 220], [230, 240, 250]])) as string;
    expect(region).toContain('| InfoBatch | 101 ms (100–101) | 240 ms | 225 ms (200–250) | 6–40 ns | 4.125 B |');
    expect(region).toContain('median (range) of 2 new processes in 1 batch of `fresh.mjs` (2026-01-02; Test CPU × 2, Node.js v20.0.0)');
  });

  it('says the targets are met when no plan goes over', () => {
    const sentence = targetSentence(handMade([[200, 210, 220], [230, 240, 250]]));
    expect(sentence).toBe(
      "The project's targets at N = 10^7 — SeTa ≤ 1 s, InfoBatch and SCAN ≤ 0.3 s per `plan()`, `observe()` ≤ 50 ns and ≤ 16 bytes of state per sample — are met in every run above.",
    );
  });

  it('names the plans over target, with their count, range and the runs’ load', () => {
    const sentence = targetSentence(handMade([[200, 210, 220], [230, 315, 250]]));
    expect(sentence).toContain("are met, except that 1 of InfoBatch's 6 later pruning plans took 315 ms (in runs started at load average 1.5; all 2 runs: 0.5–1.5).");
    expect(sentence).not.toContain("SeTa's");
  });
});
