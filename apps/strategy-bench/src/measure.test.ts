import { infobatch } from '@seta/infobatch';
import { describe, expect, it } from 'vitest';
import { measure } from './measure.mjs';
import { setaStepComparison } from './seta-step.mjs';

describe('strategy benchmark', () => {
  it('measures plan, observe and state on a small run', () => {
    const r = measure(() => infobatch({ size: 5000, epochs: 4 }), { size: 5000, pruneEpoch: 1 });
    expect(r.planMs).toBeGreaterThan(0);
    expect(r.observeNsPerSample).toBeGreaterThan(0);
    expect(r.observedSamples).toBe(5000);
    expect(r.visited).toBeLessThan(5000);
    expect(r.stateBytesPerSample).toBeGreaterThan(4);
    expect(r.planMsLater).toEqual([]);
    expect(r.planMsLaterMedian).toBeNull();
  });

  it('times later pruning plans, skipping epochs that are not pruning ones', () => {
    const r = measure(() => infobatch({ size: 5000, epochs: 8, delta: 0.75 }), { size: 5000, pruneEpoch: 1, laterPrunePlans: 3 });
    expect(r.laterEpochs).toEqual([2, 3, 4]);
    expect(r.planMsLater).toHaveLength(3);
    expect(r.planMsLaterMedian).toBe([...r.planMsLater].sort((a, b) => a - b)[1]);
    // InfoBatch anneals from epoch floor(0.75 · 8) = 6: asking for more stops at the run's end with what there was.
    const all = measure(() => infobatch({ size: 5000, epochs: 8, delta: 0.75 }), { size: 5000, pruneEpoch: 1, laterPrunePlans: 10 });
    expect(all.laterEpochs).toEqual([2, 3, 4, 5]);
  });

  it('compares SeTa steps that produce the same plan', () => {
    const c = setaStepComparison(3000);
    expect(c.samePlan).toBe(true);
    expect(c.kept).toBeGreaterThan(0);
  });
});
