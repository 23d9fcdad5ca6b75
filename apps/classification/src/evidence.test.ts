import { describe, expect, it } from 'vitest';
import { EVIDENCE_ARMS, EVIDENCE_BUDGETS, evidenceConfigs, evidenceSummary, summariseSetting } from './evidence.js';
import type { RunConfig, RunRecord } from './record.js';

const N = 100;
const H = 4;

/** A record with `visits` spread over H epochs (or its budget's epochs) and a final accuracy. */
function record(over: Partial<RunConfig>, visits: number, accuracy: number, digest: string, cpuMs = visits): RunRecord {
  const config: RunConfig = {
    model: 'mlp',
    strategy: 'full',
    level: 'none',
    strategyOptions: {},
    seed: 0,
    epochs: H,
    batchSize: 10,
    learningRate: 1e-3,
    trainSize: N,
    testSize: 10,
    labelNoise: 0,
    ...over,
  };
  const per = visits / config.epochs;
  return {
    version: 1,
    config,
    backend: 'cpu',
    epochs: Array.from({ length: config.epochs }, (_, e) => ({
      epoch: e,
      phase: 'prune',
      trainLoss: 1,
      testAccuracy: accuracy,
      validationAccuracy: accuracy,
      visited: per,
      weightedVisits: per,
      prunedRatio: 0,
      savedRatioSoFar: 0,
      wallTimeMs: 1,
      cpuMs: cpuMs / config.epochs,
    })),
    finalAccuracy: accuracy,
    savedRatio: 0,
    trainTimeMs: 1,
    cpuTimeMs: cpuMs,
    totalTimeMs: 1,
    initDigest: digest,
    startedAt: '',
  };
}

/** Seed s's curve: budgets 1, 2, 4 epochs with accuracies 0.80, 0.86, 0.90 (+ 0.01·s). */
function curve(seed: number): RunRecord[] {
  return [
    [1, 0.8],
    [2, 0.86],
    [4, 0.9],
  ].map(([b, a]) => record({ seed, budgetEpochs: b, epochs: b }, b! * N, a! + 0.01 * seed, `d${seed}`));
}

describe('summariseSetting', () => {
  it('compares each arm with its own seed’s curve at its visits (hand-computed)', () => {
    const records = [
      ...curve(0),
      ...curve(1),
      // seed 0: 50 % of the horizon's visits (2 epochs' worth) at 0.88 → +2 pp over 0.86; full data needs 3 epochs → saves 1/3
      record({ seed: 0, strategy: 'infobatch', level: 'L1' }, 2 * N, 0.88, 'd0', 2 * N * 1.1),
      // seed 1: 75 % (3 epochs' worth) at 0.88 → curve at 3 epochs is 0.89 → −1 pp; full data needs 2.5 epochs → −20 %
      record({ seed: 1, strategy: 'infobatch', level: 'L1' }, 3 * N, 0.88, 'd1', 3 * N),
    ];
    const s = summariseSetting(records, 0, H);
    expect(s.seeds).toEqual([0, 1]);
    expect(s.fullCurve.map((p) => p.visitsRatio)).toEqual([0.25, 0.5, 1]);
    expect(s.fullCurve[2]!.testAccuracy.mean).toBeCloseTo(0.905, 12);
    const [arm] = s.arms;
    expect(arm!.visitsRatio.perSeed).toEqual({ 0: 0.5, 1: 0.75 });
    expect(arm!.deltaVsEqualCompute.perSeed['0']).toBeCloseTo(0.02, 12);
    expect(arm!.deltaVsEqualCompute.perSeed['1']).toBeCloseTo(-0.01, 12);
    expect(arm!.deltaVsEqualCompute.mean).toBeCloseTo(0.005, 12);
    expect(arm!.visitsSavedAtEqualAccuracy.perSeed['0']).toBeCloseTo(1 / 3, 12);
    expect(arm!.visitsSavedAtEqualAccuracy.perSeed['1']).toBeCloseTo(-0.2, 12);
    // CPU per visit against the seed's full-horizon run: 1.1× and 1×
    expect(arm!.cpuPerVisitVsFull!.perSeed).toEqual({ 0: expect.closeTo(1.1, 12), 1: expect.closeTo(1, 12) });
  });

  it('refuses unpaired runs: another start within a seed, or one start for two seeds', () => {
    const within = [...curve(0), record({ seed: 0, strategy: 'seta', level: 'L1' }, N, 0.8, 'other')];
    expect(() => summariseSetting(within, 0, H)).toThrow("seed 0's runs started from different weights");
    const across = [...curve(0), ...curve(1).map((r) => ({ ...r, initDigest: 'd0' }))];
    expect(() => summariseSetting(across, 0, H)).toThrow('two seeds started from the same weights');
  });

  it('refuses a seed with part of the curve', () => {
    expect(() => summariseSetting([...curve(0), ...curve(1).slice(1)], 0, H)).toThrow('seed 1 has 2 of the 3 full-data budgets');
  });
});

describe('evidenceConfigs', () => {
  it('lists, seed by seed, every budget and arm of both settings, the same initial weights per seed', () => {
    const configs = evidenceConfigs({
      model: 'mlp',
      epochs: 30,
      batchSize: 256,
      learningRate: 1e-3,
      trainSize: 55_000,
      validationSize: 5_000,
      testSize: 10_000,
      budgets: EVIDENCE_BUDGETS,
      arms: EVIDENCE_ARMS,
      seeds: [0, 1],
      noiseSeeds: [0],
      labelNoise: 0.2,
    });
    expect(configs.length).toBe(3 * (6 + 7));
    expect(configs.slice(0, 6).map((c) => [c.budgetEpochs, c.epochs])).toEqual([
      [30, 30],
      [25.5, 26],
      [21, 21],
      [16.5, 17],
      [12, 12],
      [7.5, 8],
    ]);
    expect(configs.slice(6, 13).every((c) => c.epochs === 30 && c.seed === 0 && c.budgetEpochs === undefined)).toBe(true);
    expect(configs.filter((c) => c.labelNoise === 0.2).map((c) => c.seed)).toEqual(new Array(13).fill(0));
  });
});

describe('evidenceSummary', () => {
  it('puts the clean setting at the top level and label noise beside it', () => {
    const noisy = curve(0).map((r) => ({ ...r, config: { ...r.config, labelNoise: 0.2 } }));
    const s = evidenceSummary([...curve(0), ...noisy], { command: 'x', commit: 'abc', horizon: H });
    expect(s.command).toBe('x');
    expect(s.fullCurve.length).toBe(3);
    expect(s.labelNoiseSetting!.labelNoise).toBe(0.2);
  });
});
