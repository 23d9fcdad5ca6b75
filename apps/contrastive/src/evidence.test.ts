import { describe, expect, it } from 'vitest';
import { EVIDENCE_ARMS, LAST_CYCLE_EPOCHS, evidenceConfigs, evidenceSummary, lastCycleMean, summariseStyle } from './evidence.js';
import type { EpochRecord, RunConfig, RunRecord } from './record.js';

const SETUP = {
  styles: ['clip', 'moco'] as const,
  seeds: [0, 1],
  epochs: 10,
  batchSize: 64,
  learningRate: { clip: 1e-3, moco: 3e-3 },
  trainSize: 100,
  testSize: 50,
  evalSize: 20,
  mismatch: 0.2,
  duplicates: 0.2,
  copies: 4,
  budgets: [1, 0.7, 0.4],
  arms: EVIDENCE_ARMS,
};

describe('evidenceConfigs', () => {
  const configs = evidenceConfigs({ ...SETUP, styles: [...SETUP.styles] });

  it('gives each style and seed its full-data budgets, then every arm, all evaluated over the last cycle with held-out pairs', () => {
    expect(configs).toHaveLength(2 * 2 * (3 + EVIDENCE_ARMS.length));
    const ofSeed = configs.filter((c) => c.style === 'moco' && c.seed === 1);
    expect(ofSeed.map((c) => [c.strategy, c.budgetEpochs, c.epochs])).toEqual([
      ['full', 10, 10],
      ['full', 7, 7],
      ['full', 4, 4],
      ...EVIDENCE_ARMS.map((a) => [a, undefined, 10]),
    ]);
    for (const c of configs) {
      expect(c.evaluateLast).toBe(LAST_CYCLE_EPOCHS);
      expect(c.holdOutPairs).toBe(true);
    }
    expect(configs.filter((c) => c.rawPixelReferences === true).map((c) => `${c.style}${c.seed}b${c.budgetEpochs}`)).toEqual(['moco0b10', 'moco1b10']);
    expect(configs.find((c) => c.style === 'clip' && c.strategy === 'scan')!.strategyOptions).toEqual({ targetSavedRatio: 0.3 });
    expect(configs.find((c) => c.style === 'moco' && c.strategy === 'scan')!.strategyOptions).toEqual({ targetSavedRatio: 0.35 });
  });

  it('rounds fractional budgets to whole visits and spans their ceiling in epochs', () => {
    const c = evidenceConfigs({ ...SETUP, styles: ['clip'], seeds: [0], epochs: 8, budgets: [0.85] });
    expect(c[0]).toMatchObject({ strategy: 'full', budgetEpochs: 6.8, epochs: 7 });
  });
});

/** A synthetic run: `visits` per epoch, `value` of every metric at each of the last four epochs (the last one is `final`). */
function record(config: Partial<RunConfig>, visited: number[], values: number[], digest: string, extra: Partial<RunRecord> = {}): RunRecord {
  const metrics = ['knn', 'linearProbe', 'promptClassification', 'zeroShotUnseenPairs', 'imageToTextR5', 'textToImageR5'];
  const evaluation = (v: number) => Object.fromEntries(metrics.map((m) => [m, v]));
  const epochs = visited.map((v, i) => {
    const fromEnd = visited.length - 1 - i;
    return {
      epoch: i,
      visited: v,
      prunedMismatched: 0,
      prunedDuplicate: 0,
      ...(fromEnd < values.length ? { evaluation: evaluation(values[values.length - 1 - fromEnd]!) } : {}),
    } as unknown as EpochRecord;
  });
  return {
    config: { style: 'clip', trainSize: 100, mismatch: 0.2, duplicates: 0.2, strategyOptions: {}, ...config } as RunConfig,
    epochs,
    final: evaluation(values.at(-1)!),
    trainCpuMs: visited.reduce((s, v) => s + v, 0),
    pruneQuality: { mismatchedPrecision: 0.4, mismatchedRecall: 0.5, duplicatePrecision: 0.3, duplicateRecall: 0.2 },
    wholeRun: { weightedVisitsRatio: 0.7, mismatchedWeightSkipped: 0.4, duplicateWeightSkipped: 0.3, mismatchedVisitsSkipped: 0.45, duplicateVisitsSkipped: 0.35 },
    initDigest: digest,
    ...extra,
  } as unknown as RunRecord;
}

const full = (seed: number, epochs: number, end: number, cycle: number[], extra: Partial<RunRecord> = {}) =>
  record({ seed, strategy: 'full', budgetEpochs: epochs, epochs }, Array(epochs).fill(100), [...cycle.slice(0, 3), end], `d${seed}`, extra);

/** Two seeds; full data at 4, 7 and 10 epochs; SCAN at 7 epochs' visits over 10 epochs. */
function study(style: 'clip' | 'moco'): RunRecord[] {
  const out: RunRecord[] = [];
  for (const seed of [0, 1]) {
    const bump = seed * 0.01;
    const refs = style === 'moco' ? { references: { rawPixelKnn: 0.8, rawPixelLinearProbe: 0.82 }, initial: { knn: 0.75, linearProbe: 0.78 - bump } } : {};
    out.push(full(seed, 4, 0.6 + bump, [0.5, 0.5, 0.5]), full(seed, 7, 0.7 + bump, [0.6, 0.6, 0.6]), full(seed, 10, 0.8 + bump, [0.7, 0.7, 0.7], refs));
    // 700 visits in 10 epochs; end value beats the curve's 0.7 by 0.02 (seed 0) and 0.04 (seed 1).
    out.push(record({ seed, style, strategy: 'scan', epochs: 10 }, [100, 100, 100, 70, 70, 70, 40, 40, 40, 70], [0.6, 0.7, 0.6, 0.72 + 3 * bump], `d${seed}`));
  }
  return out.map((r) => ({ ...r, config: { ...r.config, style } }) as RunRecord);
}

describe('summariseStyle', () => {
  it('compares each arm with its own seed’s curve at equal visits, at the end and over the last cycle', () => {
    const s = summariseStyle(study('clip'), 'clip', 10);
    expect(s.seeds).toEqual([0, 1]);
    expect(s.fullCurve.map((p) => p.visitsRatio)).toEqual([0.4, 0.7, 1]);
    expect((s.fullCurve[2]!.promptClassification as { mean: number }).mean).toBeCloseTo(0.805, 12);
    const scan = s.arms[0]!;
    expect(scan.strategy).toBe('scan');
    expect(scan.visitsRatio.mean).toBeCloseTo(0.7, 12);
    const d = scan.deltaVsEqualCompute.promptClassification!;
    expect(d.perSeed['0']).toBeCloseTo(0.02, 12);
    expect(d.perSeed['1']).toBeCloseTo(0.72 + 0.03 - 0.71, 12);
    expect(d.mean).toBeCloseTo(0.03, 12);
    expect(d.ci95![0]).toBeLessThan(0.03);
    expect(d.ci95![1]).toBeGreaterThan(0.03);
    // Last-cycle means: SCAN (0.6 + 0.7 + 0.6 + end) / 4 against full data's (3 · 0.6 + end) / 4 at 7 epochs.
    expect(scan.lastCycleMean.promptClassification!.perSeed['0']).toBeCloseTo((0.6 + 0.7 + 0.6 + 0.72) / 4, 12);
    expect(scan.deltaVsEqualComputeLastCycle.promptClassification!.perSeed['0']).toBeCloseTo((0.6 + 0.7 + 0.6 + 0.72) / 4 - (1.8 + 0.7) / 4, 12);
    // Full data needs 7 + 3 · 0.02 / 0.1 epochs for 0.72: 1 − 7 / 7.6 saved.
    expect(scan.visitsSavedAtEqualQuality.promptClassification!.perSeed['0']).toBeCloseTo(1 - 0.7 / 0.76, 12);
    expect(scan.wholeRun.mismatchedWeightSkipped.mean).toBe(0.4);
    expect(scan.perPruningEpoch.mismatchedRecall.mean).toBe(0.5);
    expect(scan.cpuPerVisitVsFull!.mean).toBeCloseTo(1, 12);
    expect(s.references).toBeUndefined();
  });

  it('gives MoCo-style k-NN and linear probe per budget as { mean, perSeed }, and the raw-pixel references', () => {
    const s = summariseStyle(study('moco'), 'moco', 10);
    expect(s.metrics).toEqual(['knn', 'linearProbe']);
    expect(s.fullCurve[0]!.knn).toEqual({ mean: expect.closeTo(0.605, 12), perSeed: { '0': 0.6, '1': 0.61 } });
    expect(s.fullCurve[0]!.linearProbe).toEqual({ mean: expect.closeTo(0.605, 12), perSeed: { '0': 0.6, '1': 0.61 } });
    expect(s.references).toEqual({ rawPixelKnn: { mean: 0.8, perSeed: { '0': 0.8, '1': 0.8 } }, rawPixelLinearProbe: { mean: 0.82, perSeed: { '0': 0.82, '1': 0.82 } } });
    expect(s.untrainedEncoder!.linearProbe).toEqual({ mean: expect.closeTo(0.775, 12), perSeed: { '0': 0.78, '1': 0.77 } });
  });

  it('gives what pre-training adds over raw pixels and over the untrained encoder, paired by seed', () => {
    const g = summariseStyle(study('moco'), 'moco', 10).preTrainingGain!;
    // Full data at the horizon ends at 0.80 / 0.81 (seeds 0 / 1) on both metrics.
    expect(g.knnVsRawPixels.perSeed).toEqual({ '0': expect.closeTo(0, 12), '1': expect.closeTo(0.01, 12) });
    expect(g.linearProbeVsRawPixels.mean).toBeCloseTo(-0.015, 12);
    expect(g.knnVsUntrained.perSeed).toEqual({ '0': expect.closeTo(0.05, 12), '1': expect.closeTo(0.06, 12) });
    expect(g.linearProbeVsUntrained.perSeed).toEqual({ '0': expect.closeTo(0.02, 12), '1': expect.closeTo(0.04, 12) });
    expect(g.linearProbeVsUntrained.ci95).not.toBeNull();
    expect(summariseStyle(study('clip'), 'clip', 10).preTrainingGain).toBeUndefined();
  });

  it('refuses unpaired runs and incomplete curves', () => {
    const runs = study('clip');
    const unpaired = runs.map((r, i) => (i === 3 ? ({ ...r, initDigest: 'other' } as RunRecord) : r));
    expect(() => summariseStyle(unpaired, 'clip', 10)).toThrow("summariseStyle(): seed 0's runs started from different weights");
    expect(() => summariseStyle(runs.filter((_, i) => i !== 1), 'clip', 10)).toThrow('summariseStyle(): clip seed 0 has 2 of the 3 full-data budgets');
  });
});

describe('lastCycleMean', () => {
  it('averages the last four epochs’ evaluations and refuses a run without them', () => {
    const r = full(0, 6, 0.9, [0.1, 0.2, 0.3]);
    expect(lastCycleMean(r, 'promptClassification')).toBeCloseTo(0.375, 12);
    const short = record({ seed: 0, strategy: 'full', epochs: 6 }, Array(6).fill(100), [0.9], 'd0');
    expect(() => lastCycleMean(short, 'promptClassification')).toThrow(/needs full evaluations at its last 4 epochs/);
  });
});

describe('evidenceSummary', () => {
  it('has the issue’s shape: command, commit, seeds, styles.clip and styles.moco', () => {
    const s = evidenceSummary([...study('clip'), ...study('moco').map((r) => ({ ...r, initDigest: `m${r.config.seed}` }) as RunRecord)], {
      command: 'node dist/cli.js --profile evidence',
      commit: 'abc',
      horizon: 10,
    });
    expect(Object.keys(s)).toEqual(['command', 'commit', 'seeds', 'styles']);
    expect(Object.keys(s.styles).sort()).toEqual(['clip', 'moco']);
    expect(s.styles.moco!.arms[0]!.deltaVsEqualCompute.knn!.ci95).not.toBeNull();
  });
});
