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
  });

  it('compares SeTa steps that produce the same plan', () => {
    const c = setaStepComparison(3000);
    expect(c.samePlan).toBe(true);
    expect(c.kept).toBeGreaterThan(0);
  });
});
