import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { STRATEGY_TABLE, strategyOptions as resolveOptions } from '@seta-apps/shared';
import { describe, expect, it } from 'vitest';
import { EVIDENCE_ARMS, EVIDENCE_BUDGETS, evidenceConfigs } from './evidence.js';
import type { RunConfig } from './record.js';
import { LEVELS, STRATEGIES, strategyOptions } from './strategies.js';

const evidenceRuns = fileURLToPath(new URL('../../../docs/results/classification-evidence/runs/', import.meta.url));

/** The configurations of the committed evidence study's run records. */
function committedConfigs(): RunConfig[] {
  return readdirSync(evidenceRuns)
    .filter((f) => f.endsWith('.json'))
    .map((f) => (JSON.parse(readFileSync(`${evidenceRuns}/${f}`, 'utf8')) as { config: RunConfig }).config);
}

const key = (c: RunConfig) => JSON.stringify([c.strategy, c.level, c.seed, c.labelNoise, c.budgetEpochs ?? null]);

describe('the evidence profile', () => {
  it('builds every run of the committed study (docs/results/classification-evidence) with the parameters it ran with', () => {
    const committed = committedConfigs();
    expect(committed.length).toBe(104);
    // The evidence profile's settings (cli.ts PROFILES.evidence, EVIDENCE_NOISE, the default validation size).
    const configs = evidenceConfigs({
      model: 'mlp',
      epochs: 30,
      batchSize: 256,
      learningRate: 1e-3,
      trainSize: 55_000,
      validationSize: 5000,
      testSize: 10_000,
      budgets: EVIDENCE_BUDGETS,
      arms: EVIDENCE_ARMS,
      seeds: [0, 1, 2, 3, 4],
      noiseSeeds: [0, 1, 2],
      labelNoise: 0.2,
    });
    const byKey = new Map(configs.map((c) => [key(c), c]));
    expect(byKey.size).toBe(committed.length);
    for (const c of committed) {
      const now = byKey.get(key(c));
      expect(now, key(c)).toBeDefined();
      expect(now!.strategyOptions, key(c)).toEqual(c.strategyOptions);
      expect(now!.epochs, key(c)).toBe(c.epochs);
    }
    // Every pruned arm is there with its parameters: the level table of the time, not targets.
    const arms = Object.fromEntries(committed.filter((c) => c.strategy !== 'full').map((c) => [`${c.strategy} ${c.level}`, c.strategyOptions]));
    expect(arms).toEqual({
      'dynamicRandom L1': { pruneRatio: 0.3 },
      'dynamicRandom L2': { pruneRatio: 0.5 },
      'infobatch L1': { pruneRatio: 0.5 },
      'infobatch L2': { pruneRatio: 0.8 },
      'seta L1': { pruneRatio: 0.1, groups: 5, windowScale: 0.9 },
      'seta L2': { pruneRatio: 0.3, groups: 5, windowScale: 0.6 },
      'scan L1': { pruneRatio: 0.3 },
    });
  });
});

describe('strategyOptions', () => {
  it('asks each strategy for its level’s saved-ratio target, which the full profile’s runs can build', () => {
    const run = { size: 60_000, epochs: 12, seed: 0 };
    for (const strategy of STRATEGIES) {
      for (const level of LEVELS) {
        const settings = strategyOptions(strategy, level);
        if (strategy === 'full') expect(settings).toEqual({});
        else expect(settings.targetSavedRatio).toBe({ L1: 0.3, L2: 0.5, L3: 0.7 }[level]);
        expect(() => STRATEGY_TABLE[strategy].build(resolveOptions(strategy, settings, run) as never)).not.toThrow();
      }
    }
    expect(() => strategyOptions('seta', 'none')).toThrow('strategyOptions(): seta needs a level (L1, L2 or L3)');
  });
});
