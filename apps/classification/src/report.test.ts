import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Level, RunRecord, StrategyName } from './record.js';
import { markdownReport, meanStd, summarise } from './report.js';

interface Fake {
  strategy: StrategyName;
  level: Level;
  seed: number;
  acc: number;
  saved: number;
  time: number;
  model?: 'mlp' | 'cnn';
  labelNoise?: number;
  noise?: { visitsPerNoisy: number; visitsPerClean: number };
  backend?: string;
}

/** A run record of 3 epochs whose totals are the given ones. */
function fakeRun(f: Fake): RunRecord {
  const epochs = [1, 2, 3].map((epoch) => ({
    epoch,
    phase: epoch === 3 ? 'anneal' : 'prune',
    trainLoss: 1 / epoch + f.seed / 100,
    testAccuracy: f.acc - (3 - epoch) * 0.05,
    visited: 1000 - Math.round(f.saved * 1000),
    prunedRatio: f.saved,
    savedRatioSoFar: f.saved * (epoch / 3),
    wallTimeMs: f.time / 3,
  }));
  return {
    version: 1,
    config: {
      model: f.model ?? 'mlp',
      strategy: f.strategy,
      level: f.level,
      strategyOptions: {},
      seed: f.seed,
      epochs: 3,
      batchSize: 64,
      learningRate: 0.01,
      trainSize: 1000,
      testSize: 500,
      labelNoise: f.labelNoise ?? 0,
    },
    backend: f.backend ?? 'cpu',
    epochs,
    finalAccuracy: f.acc,
    savedRatio: f.saved,
    trainTimeMs: f.time,
    totalTimeMs: f.time + 100,
    ...(f.noise === undefined ? {} : { noise: { flipped: 200, ...f.noise } }),
    startedAt: `2025-01-0${f.seed}T00:00:00.000Z`,
  };
}

/** full + staticRandom + seta, levels L1 and L2, seeds 1 and 2, 3 epochs; given in a scrambled order. */
const RECORDS: RunRecord[] = [
  fakeRun({ strategy: 'seta', level: 'L2', seed: 1, acc: 0.84, saved: 0.48, time: 600 }),
  fakeRun({ strategy: 'staticRandom', level: 'L1', seed: 1, acc: 0.83, saved: 0.3, time: 700 }),
  fakeRun({ strategy: 'full', level: 'none', seed: 1, acc: 0.86, saved: 0, time: 1000 }),
  fakeRun({ strategy: 'seta', level: 'L1', seed: 2, acc: 0.87, saved: 0.32, time: 840 }),
  fakeRun({ strategy: 'staticRandom', level: 'L2', seed: 1, acc: 0.8, saved: 0.5, time: 550 }),
  fakeRun({ strategy: 'full', level: 'none', seed: 2, acc: 0.84, saved: 0, time: 1200 }),
  fakeRun({ strategy: 'seta', level: 'L1', seed: 1, acc: 0.85, saved: 0.28, time: 800 }),
  fakeRun({ strategy: 'staticRandom', level: 'L1', seed: 2, acc: 0.85, saved: 0.3, time: 760 }),
  fakeRun({ strategy: 'staticRandom', level: 'L2', seed: 2, acc: 0.82, saved: 0.5, time: 550 }),
  fakeRun({ strategy: 'seta', level: 'L2', seed: 2, acc: 0.84, saved: 0.52, time: 640 }),
];

const SQRT2_100 = Math.SQRT2 / 100; // sample std of two values 0.02 apart

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

describe('meanStd', () => {
  it('is NaN for no value, std 0 for one value', () => {
    expect(meanStd([])).toEqual({ mean: NaN, std: NaN });
    expect(meanStd([0.7])).toEqual({ mean: 0.7, std: 0 });
  });

  it('gives the exact value and std 0 for all-equal values (where a naive sum does not)', () => {
    expect([0.1, 0.1, 0.1].reduce((a, b) => a + b) / 3).not.toBe(0.1);
    expect(meanStd([0.1, 0.1, 0.1])).toEqual({ mean: 0.1, std: 0 });
  });

  it('uses the n − 1 denominator', () => {
    const { mean, std } = meanStd([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(mean).toBe(5);
    expect(std).toBeCloseTo(Math.sqrt(32 / 7), 14);
  });

  it('stays accurate on values with a large common offset', () => {
    const { mean, std } = meanStd([1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16]);
    expect(mean).toBe(1e9 + 10);
    expect(std).toBeCloseTo(Math.sqrt(90 / 3), 9);
  });

  it('does not mutate its argument', () => {
    const values = Object.freeze([3, 1, 2]);
    meanStd(values);
    expect(values).toEqual([3, 1, 2]);
  });

  it('agrees with the two-pass textbook formula', () => {
    // Values spread evenly over [-1000, 1000] and arbitrary doubles of that range (which fc.double draws mostly tiny).
    const value = fc.oneof(fc.integer({ min: -1_000_000, max: 1_000_000 }).map((v) => v / 1000), fc.double({ min: -1e3, max: 1e3, noNaN: true }));
    fc.assert(
      fc.property(fc.array(value, { minLength: 2, maxLength: 40 }), (xs) => {
        const m = xs.reduce((a, b) => a + b, 0) / xs.length;
        const s = Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
        const got = meanStd(xs);
        expect(got.mean).toBeCloseTo(m, 8);
        expect(got.std).toBeCloseTo(s, 8);
      }),
    );
  });
});

describe('summarise', () => {
  it('returns no row for no record', () => {
    expect(summarise([])).toEqual([]);
  });

  it('orders rows by model, then strategy with full first, then level', () => {
    expect(summarise(RECORDS).map((r) => `${r.strategy}/${r.level}`)).toEqual([
      'full/none',
      'staticRandom/L1',
      'staticRandom/L2',
      'seta/L1',
      'seta/L2',
    ]);
  });

  it('computes seeds, mean ± sample std, Δ vs full, realised pruned and wall-clock saved', () => {
    const rows = summarise(RECORDS);
    const expected = [
      // strategy, level, accMean, accStd, Δ, prunedMean, prunedStd, timeMean, wallClockSaved
      ['full', 'none', 0.85, SQRT2_100, 0, 0, 0, 1100, 0],
      ['staticRandom', 'L1', 0.84, SQRT2_100, -0.01, 0.3, 0, 730, 1 - 730 / 1100],
      ['staticRandom', 'L2', 0.81, SQRT2_100, -0.04, 0.5, 0, 550, 0.5],
      ['seta', 'L1', 0.86, SQRT2_100, 0.01, 0.3, 0.04 / Math.SQRT2, 820, 1 - 820 / 1100],
      ['seta', 'L2', 0.84, 0, -0.01, 0.5, 0.04 / Math.SQRT2, 620, 1 - 620 / 1100],
    ] as const;
    expected.forEach(([strategy, level, accMean, accStd, delta, pruned, prunedStd, time, saved], i) => {
      const row = rows[i]!;
      expect(row).toMatchObject({ model: 'mlp', strategy, level, seeds: 2, noise: null });
      expect(row.accuracyMean).toBeCloseTo(accMean, 14);
      expect(row.accuracyStd).toBeCloseTo(accStd, 14);
      expect(row.accuracyDelta).toBeCloseTo(delta, 14);
      expect(row.prunedMean).toBeCloseTo(pruned, 14);
      expect(row.prunedStd).toBeCloseTo(prunedStd, 14);
      expect(row.trainTimeMeanMs).toBeCloseTo(time, 10);
      expect(row.wallClockSaved).toBeCloseTo(saved, 14);
    });
    expect(rows[4]!.accuracyStd).toBe(0); // equal accuracies: exactly 0
  });

  it('gives std 0 for a single seed', () => {
    const [row] = summarise([RECORDS[0]!]);
    expect(row).toMatchObject({ seeds: 1, accuracyMean: 0.84, accuracyStd: 0, prunedMean: 0.48, prunedStd: 0 });
  });

  it('gives null Δ and wall-clock saved without a full run', () => {
    const rows = summarise(RECORDS.filter((r) => r.config.strategy !== 'full'));
    expect(rows).toHaveLength(4);
    for (const row of rows) {
      expect(row.accuracyDelta).toBeNull();
      expect(row.wallClockSaved).toBeNull();
    }
  });

  it('compares each model with its own full run', () => {
    const cnn = [
      fakeRun({ model: 'cnn', strategy: 'full', level: 'none', seed: 1, acc: 0.9, saved: 0, time: 4000 }),
      fakeRun({ model: 'cnn', strategy: 'seta', level: 'L1', seed: 1, acc: 0.91, saved: 0.3, time: 3000 }),
    ];
    const rows = summarise([...cnn, ...RECORDS]);
    expect(rows.map((r) => r.model)).toEqual(['mlp', 'mlp', 'mlp', 'mlp', 'mlp', 'cnn', 'cnn']);
    expect(rows[6]!.accuracyDelta).toBeCloseTo(0.01, 14);
    expect(rows[6]!.wallClockSaved).toBeCloseTo(0.25, 14);
  });

  it('averages the visits to noisy and clean samples, and their ratio', () => {
    const noisy = [
      fakeRun({ strategy: 'full', level: 'none', seed: 1, acc: 0.8, saved: 0, time: 100, labelNoise: 0.2, noise: { visitsPerNoisy: 3, visitsPerClean: 3 } }),
      fakeRun({ strategy: 'seta', level: 'L1', seed: 1, acc: 0.8, saved: 0.3, time: 70, labelNoise: 0.2, noise: { visitsPerNoisy: 1, visitsPerClean: 2.5 } }),
      fakeRun({ strategy: 'seta', level: 'L1', seed: 2, acc: 0.8, saved: 0.3, time: 70, labelNoise: 0.2, noise: { visitsPerNoisy: 2, visitsPerClean: 2.5 } }),
    ];
    const [full, seta] = summarise(noisy);
    expect(full!.noise).toEqual({ visitsPerNoisy: 3, visitsPerClean: 3, ratio: 1 });
    expect(seta!.noise).toEqual({ visitsPerNoisy: 1.5, visitsPerClean: 2.5, ratio: 0.6 });
  });

  it('does not mutate its argument (frozen records)', () => {
    const frozen = deepFreeze(RECORDS.map((r) => structuredClone(r)));
    expect(summarise(frozen)).toHaveLength(5);
    expect(frozen.map((r) => r.config.strategy)).toEqual(RECORDS.map((r) => r.config.strategy));
  });

  it('pools every record exactly once, with means inside their group’s range (property)', () => {
    const strategies: StrategyName[] = ['full', 'staticRandom', 'seta'];
    const levels: Level[] = ['L1', 'L2'];
    const arb = fc.uniqueArray(
      fc.record({
        s: fc.integer({ min: 0, max: 2 }),
        l: fc.integer({ min: 0, max: 1 }),
        seed: fc.integer({ min: 1, max: 5 }),
        // Whole thousandths: fc.double over [0, 1] would draw nearly all values tiny.
        acc: fc.integer({ min: 0, max: 1000 }).map((v) => v / 1000),
        saved: fc.integer({ min: 0, max: 1000 }).map((v) => v / 1000),
        time: fc.double({ min: 1, max: 1e6, noNaN: true }),
      }),
      { selector: (r) => `${r.s}/${r.l}/${r.seed}`, maxLength: 30 },
    );
    fc.assert(
      fc.property(arb, (specs) => {
        const records = specs.map((x) =>
          fakeRun({ strategy: strategies[x.s]!, level: x.s === 0 ? 'none' : levels[x.l]!, seed: x.seed, acc: x.acc, saved: x.saved, time: x.time }),
        );
        // full has one level: drop duplicates of (full, seed) made by the two level draws
        const seen = new Set<string>();
        const unique = records.filter((r) => {
          const key = `${r.config.strategy}/${r.config.level}/${r.config.seed}`;
          return seen.has(key) ? false : (seen.add(key), true);
        });
        const rows = summarise(unique);
        expect(rows.reduce((n, r) => n + r.seeds, 0)).toBe(unique.length);
        for (const row of rows) {
          const group = unique.filter((r) => r.config.strategy === row.strategy && r.config.level === row.level);
          const accs = group.map((r) => r.finalAccuracy);
          expect(row.accuracyMean).toBeGreaterThanOrEqual(Math.min(...accs) - 1e-12);
          expect(row.accuracyMean).toBeLessThanOrEqual(Math.max(...accs) + 1e-12);
          expect(row.accuracyStd).toBeGreaterThanOrEqual(0);
          expect(row.accuracyDelta === null).toBe(!unique.some((r) => r.config.strategy === 'full'));
        }
      }),
      { numRuns: 100 },
    );
  });

  it('rejects what is not a list of valid records, naming the argument and value', () => {
    expect(() => summarise('runs' as never)).toThrow(new TypeError('summarise(): records must be an array, got "runs"'));
    expect(() => summarise([null as never])).toThrow(TypeError);
    expect(() => summarise([{ ...RECORDS[0]!, version: 2 as never }])).toThrow(
      new RangeError('summarise(): records[0].version must be 1, got 2'),
    );
    expect(() => summarise([RECORDS[0]!, { ...RECORDS[1]!, savedRatio: 1.5 }])).toThrow(/records\[1\]\.savedRatio.*1\.5/);
    expect(() => summarise([{ ...RECORDS[0]!, finalAccuracy: NaN }])).toThrow(RangeError);
    expect(() => summarise([{ ...RECORDS[0]!, trainTimeMs: -1 }])).toThrow(RangeError);
  });

  it('refuses to compare runs of one model made with different settings', () => {
    const other = { ...RECORDS[1]!, config: { ...RECORDS[1]!.config, epochs: 20 } };
    expect(() => summarise([RECORDS[0]!, other])).toThrow(
      new RangeError('summarise(): the mlp runs differ in epochs (3, 20); compare runs of one setup at a time'),
    );
  });

  it('refuses a repeated seed in one group', () => {
    expect(() => summarise([RECORDS[0]!, RECORDS[0]!])).toThrow(
      new RangeError('summarise(): two records of mlp/seta/L2 with seed 1; keep one run per seed'),
    );
  });
});

describe('markdownReport', () => {
  const options = { title: 'Fashion-MNIST pruning', command: 'npx pnpm@10.34.9 --filter @seta-apps/classification start --seeds 2' };

  it('starts with the title and the exact command, then the setup with the backends', () => {
    const md = markdownReport(RECORDS, { ...options, machine: 'test box, 2 cores' });
    expect(md.startsWith(`# Fashion-MNIST pruning\n\nProduced by:\n\n\`\`\`sh\n${options.command}\n\`\`\`\n`)).toBe(true);
    expect(md).toContain('- Backend: `cpu`');
    expect(md).toContain('- Machine: test box, 2 cores');
    expect(md).toContain('- Runs: 10 (models mlp; seeds 1, 2)');
    expect(md).toContain('- Epochs: 3; batch size 64; learning rate 0.01');
    expect(md).toContain('- Examples: 1,000 training, 500 test; label noise 0.0 %');
    expect(md.endsWith('\n')).toBe(true);
  });

  it('lists every distinct backend', () => {
    const md = markdownReport([...RECORDS.slice(1), { ...RECORDS[0]!, backend: 'wasm' }], options);
    expect(md).toContain('- Backends: `cpu`, `wasm`');
  });

  it('has one table per model with rows in order and formatted values', () => {
    const md = markdownReport(RECORDS, options);
    const table = md.slice(md.indexOf('## mlp'), md.indexOf('## How to read this'));
    const lines = table.split('\n').filter((l) => l.startsWith('|'));
    expect(lines[0]).toBe('| Strategy | Level | Seeds | Test accuracy (%) | Δ vs full (pp) | Pruned, realised (%) | Wall-clock saved (%) |');
    expect(lines.slice(2)).toEqual([
      '| full | none | 2 | 85.00 ± 1.41 | 0.00 | 0.0 ± 0.0 | 0.0 |',
      '| staticRandom | L1 | 2 | 84.00 ± 1.41 | -1.00 | 30.0 ± 0.0 | 33.6 |',
      '| staticRandom | L2 | 2 | 81.00 ± 1.41 | -4.00 | 50.0 ± 0.0 | 50.0 |',
      '| seta | L1 | 2 | 86.00 ± 1.41 | +1.00 | 30.0 ± 2.8 | 25.5 |',
      '| seta | L2 | 2 | 84.00 ± 0.00 | -1.00 | 50.0 ± 2.8 | 43.6 |',
    ]);
  });

  it('orders model tables canonically (mlp before cnn)', () => {
    const cnn = fakeRun({ model: 'cnn', strategy: 'full', level: 'none', seed: 1, acc: 0.9, saved: 0, time: 4000 });
    const md = markdownReport([cnn, ...RECORDS], options);
    expect(md.indexOf('## mlp')).toBeGreaterThan(0);
    expect(md.indexOf('## cnn')).toBeGreaterThan(md.indexOf('## mlp'));
  });

  it('shows — for Δ and wall-clock saved, and says why, when the full run is missing', () => {
    const md = markdownReport(RECORDS.filter((r) => r.config.strategy !== 'full'), options);
    expect(md).toContain('| seta | L1 | 2 | 86.00 ± 1.41 | — | 30.0 ± 2.8 | — |');
    expect(md).toContain('No `full` run for mlp');
    expect(md).not.toContain('| full |');
  });

  it('adds the noise columns and their explanation when records carry noise', () => {
    const noisy = [
      fakeRun({ strategy: 'full', level: 'none', seed: 1, acc: 0.8, saved: 0, time: 100, labelNoise: 0.2, noise: { visitsPerNoisy: 3, visitsPerClean: 3 } }),
      fakeRun({ strategy: 'seta', level: 'L1', seed: 1, acc: 0.79, saved: 0.3, time: 70, labelNoise: 0.2, noise: { visitsPerNoisy: 1.5, visitsPerClean: 2.5 } }),
    ];
    const md = markdownReport(noisy, options);
    expect(md).toContain('| Visits / noisy sample | Visits / clean sample | Noisy ÷ clean |');
    expect(md).toContain('| seta | L1 | 1 | 79.00 ± 0.00 | -1.00 | 30.0 ± 0.0 | 30.0 | 1.50 | 2.50 | 0.60 |');
    expect(md).toContain('label noise 20.0 %');
    expect(md).toContain('mislabelled');
    expect(markdownReport(RECORDS, options)).not.toContain('Visits / noisy');
  });

  it('explains how to read it: realised vs nominal, Δ vs full, wall-clock overhead', () => {
    const md = markdownReport(RECORDS, options);
    const how = md.slice(md.indexOf('## How to read this'));
    expect(how).toMatch(/nominal/);
    expect(how).toMatch(/realised/);
    expect(how).toMatch(/Δ vs full/);
    expect(how).toMatch(/overhead/);
  });

  it('appends the notes verbatim, at the end, only when given', () => {
    const notes = 'Ran on a *quiet* machine.\n\n| a | b |\n| - | - |';
    const md = markdownReport(RECORDS, { ...options, notes });
    expect(md.endsWith(`## Notes\n\n${notes}\n`)).toBe(true);
    expect(markdownReport(RECORDS, options)).not.toContain('## Notes');
  });

  it('fences a command that itself contains backticks', () => {
    const md = markdownReport(RECORDS, { ...options, command: 'echo ```x```' });
    expect(md).toContain('````sh\necho ```x```\n````');
  });

  it('says so when there is no run', () => {
    const md = markdownReport([], options);
    expect(md).toContain('No runs.');
    expect(md).not.toContain('| Strategy');
  });

  it('checks its options', () => {
    expect(() => markdownReport(RECORDS, undefined as never)).toThrow(TypeError);
    expect(() => markdownReport(RECORDS, { title: 'x', command: 3 as never })).toThrow(
      new TypeError('markdownReport(): options.command must be a string, got 3'),
    );
    expect(() => markdownReport(RECORDS, { title: ' ', command: 'x' })).toThrow(RangeError);
  });
});
