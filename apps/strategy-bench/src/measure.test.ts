import { infobatch } from '@seta/infobatch';
import { scan } from '@seta/scan';
import { describe, expect, it } from 'vitest';
import { measure } from './measure.mjs';
import { probeFirstTouch } from './page-cost.mjs';
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

  it("times observe in the later epochs, and takes the median of those of the first timed epoch's phase", () => {
    const r = measure(() => scan({ size: 4000, epochs: 12, pruneRatio: 0.3, warmupThreshold: 1 }), {
      size: 4000,
      pruneEpoch: 3,
      twoDirections: true,
      observeEpochs: [2],
      laterPrunePlans: 3,
    });
    // SCAN: warm-up 0-1, preparation 2 and 6, mutation 3-5 and 7: later plans at 4, 5, 7; epochs 4, 5, 6 observed.
    expect(r.laterEpochs).toEqual([4, 5, 7]);
    expect(r.laterObserve.map((o) => o.epoch)).toEqual([4, 5, 6]);
    expect(r.laterObserve.every((o) => o.nsPerSample !== null && o.nsPerSample > 0)).toBe(true);
    expect(r.observeNsLater).toBe(r.laterObserve[2]!.nsPerSample);
    // Later epochs are observed only up to the last timed plan; without one of that phase there is no figure.
    const i = measure(() => infobatch({ size: 5000, epochs: 8 }), { size: 5000, pruneEpoch: 1, laterPrunePlans: 2 });
    expect(i.laterObserve.map((o) => o.epoch)).toEqual([2]);
    const none = measure(() => scan({ size: 4000, epochs: 12, pruneRatio: 0.3, warmupThreshold: 1 }), {
      size: 4000,
      pruneEpoch: 3,
      twoDirections: true,
      observeEpochs: [2],
      laterPrunePlans: 1,
    });
    expect(none.laterObserve).toEqual([]);
    expect(none.observeNsLater).toBeNull();
  });

  it('compares SeTa steps that produce the same plan', () => {
    const c = setaStepComparison(3000);
    expect(c.samePlan).toBe(true);
    expect(c.kept).toBeGreaterThan(0);
  });

  it('probes what first touching memory costs, and rejects a size that is not a whole number of MB', () => {
    const p = probeFirstTouch(8);
    expect(p.mb).toBe(8);
    expect(p.msPerMb).toBeGreaterThan(0);
    // A new 8 MB block is fresh memory: its touches fault in most of it (the allocator may hand back a little recycled memory).
    expect(p.faultedMb).toBeGreaterThan(4);
    expect(() => probeFirstTouch(0)).toThrow('probeFirstTouch: mb must be a positive integer, got 0');
    expect(() => probeFirstTouch(1.5)).toThrow(/got 1.5/);
  });
});
