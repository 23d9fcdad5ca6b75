import { runPruner } from '@seta/core/testing';
import { describe, expect, it } from 'vitest';
import { LEVEL_TARGETS, STRATEGY_TABLE, evidenceSettings, levelSettings, makePruner, strategyOptions, styleSettings } from './strategies.js';
import type { PrunedStrategy, PruningLevel } from './strategies.js';

const PRUNED: PrunedStrategy[] = ['staticRandom', 'dynamicRandom', 'infobatch', 'seta', 'scan'];
const LEVELS: PruningLevel[] = ['L1', 'L2', 'L3'];
const RUN = { size: 60_000, epochs: 12, seed: 0 };

describe('levelSettings and styleSettings', () => {
  it('ask every strategy for the same saved-ratio target, with SeTa’s window beside it', () => {
    for (const strategy of PRUNED) {
      for (const level of LEVELS) expect(levelSettings(strategy, level).targetSavedRatio).toBe(LEVEL_TARGETS[level]);
      expect(styleSettings(strategy, 'clip').targetSavedRatio).toBe(0.3);
      expect(styleSettings(strategy, 'moco').targetSavedRatio).toBe(0.35);
    }
    expect(levelSettings('seta', 'L2')).toEqual({ targetSavedRatio: 0.5, groups: 5, windowScale: 0.6 });
    expect(() => levelSettings('seta', 'L4' as never)).toThrow('levelSettings(): level must be L1, L2 or L3, got "L4"');
  });

  it('resolve, for each strategy and level, to options its factory accepts whose expected saving is the target — or the strategy’s maximum when out of reach', () => {
    for (const strategy of PRUNED) {
      const entry = STRATEGY_TABLE[strategy];
      for (const level of LEVELS) {
        const options = strategyOptions(strategy, levelSettings(strategy, level), RUN);
        const target = LEVEL_TARGETS[level];
        expect(() => entry.build(options as never)).not.toThrow();
        if (options.targetSavedRatio === undefined) {
          // out of reach: the maximum, which saves less than the target
          expect(options).toMatchObject(entry.maximum!);
          expect(entry.expectedSavedRatio(options as never)).toBeLessThan(target);
        } else {
          expect(entry.expectedSavedRatio(options as never)).toBeGreaterThanOrEqual(target - 1e-9);
          expect(entry.expectedSavedRatio(options as never)).toBeLessThan(target + 0.001);
        }
      }
    }
    // InfoBatch over 12 epochs can save at most 0.9 · (1 − 1/e) · 9 / 12 ≈ 0.43 by its estimate: L2 and L3 run at its maximum.
    expect(strategyOptions('infobatch', levelSettings('infobatch', 'L1'), RUN)).toEqual({ ...RUN, targetSavedRatio: 0.3 });
    expect(strategyOptions('infobatch', levelSettings('infobatch', 'L3'), RUN)).toEqual({ ...RUN, pruneRatio: 1 });
    expect(strategyOptions('scan', levelSettings('scan', 'L3'), RUN)).toEqual({ ...RUN, pruneRatio: 0.5 });
  });

  it('builds the same pruner from a target as from the parameters it resolves to', () => {
    const run = { size: 2000, epochs: 8, seed: 3 };
    const a = runPruner(makePruner('seta', levelSettings('seta', 'L1'), run)).summaries;
    const b = runPruner(STRATEGY_TABLE.seta.build({ ...run, groups: 5, windowScale: 0.9, targetSavedRatio: 0.3 } as never)).summaries;
    expect(a).toEqual(b);
  });
});

describe('evidenceSettings', () => {
  it('are the pinned parameters of the committed study, not targets', () => {
    expect(evidenceSettings('infobatch', 'L2')).toEqual({ pruneRatio: 0.8 });
    expect(evidenceSettings('seta', 'L1')).toEqual({ pruneRatio: 0.1, groups: 5, windowScale: 0.9 });
    expect(() => evidenceSettings('scan', 'L2')).toThrow('evidenceSettings(): the evidence study has no scan L2 arm');
  });
});
