import { describe, expect, it } from 'vitest';
import { cosineSchedule, linearSchedule } from './schedule.js';
import type { TrainingProgress } from './schedule.js';

const at = (epoch: number, dataEpochs = epoch): TrainingProgress => ({
  epoch,
  samplesSeen: 0,
  dataEpochs,
  step: 0,
  totalEpochs: 10,
});

describe('cosineSchedule', () => {
  it('warms up linearly, then follows a half cosine from peak to final', () => {
    const lr = cosineSchedule({ peak: 0.1, epochs: 10, warmupEpochs: 1, final: 0.001 });
    expect(lr(at(0))).toBe(0);
    expect(lr(at(0.5))).toBeCloseTo(0.05, 12);
    expect(lr(at(1))).toBeCloseTo(0.1, 12);
    expect(lr(at(5.5))).toBeCloseTo(0.001 + 0.099 / 2, 12);
    expect(lr(at(10))).toBeCloseTo(0.001, 12);
    expect(lr(at(12))).toBeCloseTo(0.001, 12); // constant past the end
  });

  it('reads the epoch fraction by default and samples seen / N with clock "samples"', () => {
    // A pruned run: 3 epochs done but only 1.5 epochs' worth of samples seen.
    const byEpoch = cosineSchedule({ peak: 1, epochs: 6 });
    const bySamples = cosineSchedule({ peak: 1, epochs: 6, clock: 'samples' });
    expect(byEpoch(at(3, 1.5))).toBeCloseTo(0.5, 12);
    expect(bySamples(at(3, 1.5))).toBeCloseTo((1 + Math.cos(Math.PI / 4)) / 2, 12);
  });

  it('gives the same rate at the same epoch fraction whatever the steps per epoch', () => {
    const lr = cosineSchedule({ peak: 1, epochs: 4, warmupEpochs: 0.5 });
    // Epoch 2 at 30 % through its plan, with a plan of 1000 or of 300 samples: same position.
    expect(lr(at(2 + 300 / 1000))).toBe(lr(at(2 + 90 / 300)));
  });

  it('validates its options, naming them', () => {
    expect(() => cosineSchedule({ peak: -1, epochs: 3 })).toThrow('cosineSchedule(): peak must be in [0, Infinity), got -1');
    expect(() => cosineSchedule({ peak: 1, epochs: 0 })).toThrow('cosineSchedule(): epochs must be in (0, Infinity), got 0');
    expect(() => cosineSchedule({ peak: 1, epochs: 3, warmupEpochs: 4 })).toThrow(
      'cosineSchedule(): warmupEpochs must be in [0, 3], got 4',
    );
    expect(() => cosineSchedule({ peak: 1, epochs: 3, clock: 'steps' as 'epoch' })).toThrow(/clock must be one of/);
    expect(() => cosineSchedule({ peak: 1, epochs: 3, warmup: 1 } as never)).toThrow(
      'cosineSchedule(): unknown option "warmup"',
    );
    expect(() => linearSchedule({ peak: 1, epochs: 3, warmupEpoch: 1 } as never)).toThrow(
      'linearSchedule(): unknown option "warmupEpoch" (did you mean "warmupEpochs"?)',
    );
    expect(() => cosineSchedule({ peak: 1, epochs: 3, final: null } as never)).toThrow('cosineSchedule(): final must not be null');
  });
});

describe('linearSchedule', () => {
  it('decays linearly from peak to final after warm-up', () => {
    const lr = linearSchedule({ peak: 1, epochs: 4 });
    expect(lr(at(0))).toBe(1);
    expect(lr(at(1))).toBeCloseTo(0.75, 12);
    expect(lr(at(4))).toBe(0);
    const warm = linearSchedule({ peak: 2, epochs: 4, warmupEpochs: 2, warmupStart: 1 });
    expect(warm(at(1))).toBeCloseTo(1.5, 12);
    expect(warm(at(3))).toBeCloseTo(1, 12);
  });
});
