import { checkNumber, checkOneOf, checkOptionKeys, checkOptions } from '@seta/core';

/**
 * Where a training run is, as a learning-rate schedule sees it. Pruning
 * changes the number of steps per epoch, so schedules are defined on these
 * real-valued clocks, never on a step count fixed at the start.
 */
export interface TrainingProgress {
  /**
   * Epochs done as a real number: `e + (samples of epoch e's plan visited) /
   * |plan_e|`. Reaches `epochs` at the end of the run whatever was pruned.
   */
  readonly epoch: number;
  /** Samples visited so far, over all epochs. */
  readonly samplesSeen: number;
  /** `samplesSeen / N`: epochs' worth of data seen (less than `epoch` when pruning). */
  readonly dataEpochs: number;
  /** Optimizer steps taken so far. */
  readonly step: number;
  /** The run's epoch count E. */
  readonly totalEpochs: number;
}

/** A learning rate as a function of where training is. */
export type LearningRateSchedule = (progress: TrainingProgress) => number;

/** Which clock a schedule reads: the epoch fraction (default) or the data seen. */
export type ScheduleClock = 'epoch' | 'samples';

/** Options of {@link cosineSchedule} and {@link linearSchedule}. */
export interface ScheduleOptions {
  /** The learning rate at the end of warm-up. */
  readonly peak: number;
  /** Length of the whole schedule, in epochs (real). */
  readonly epochs: number;
  /** Linear warm-up from `warmupStart` to `peak` over this many epochs (default 0). */
  readonly warmupEpochs?: number;
  /** The rate warm-up starts from (default 0). */
  readonly warmupStart?: number;
  /** The rate at the end (default 0). */
  readonly final?: number;
  /**
   * `'epoch'` (default): {@link TrainingProgress.epoch}, so the schedule ends
   * with the run even when epochs are pruned. `'samples'`:
   * {@link TrainingProgress.dataEpochs}, samples seen / N.
   */
  readonly clock?: ScheduleClock;
}

function parse(fn: string, options: ScheduleOptions) {
  checkOptions(fn, options);
  checkOptionKeys(fn, options, ['peak', 'epochs', 'warmupEpochs', 'warmupStart', 'final', 'clock']);
  const peak = checkNumber(fn, 'peak', options.peak, 0, Infinity, { openMax: true });
  const epochs = checkNumber(fn, 'epochs', options.epochs, 0, Infinity, { openMin: true, openMax: true });
  const warmup = checkNumber(fn, 'warmupEpochs', options.warmupEpochs ?? 0, 0, epochs);
  const warmupStart = checkNumber(fn, 'warmupStart', options.warmupStart ?? 0, 0, Infinity, { openMax: true });
  const final = checkNumber(fn, 'final', options.final ?? 0, 0, Infinity, { openMax: true });
  const clock = checkOneOf(fn, 'clock', options.clock ?? 'epoch', ['epoch', 'samples'] as const);
  return { peak, epochs, warmup, warmupStart, final, clock };
}

function shape(options: ScheduleOptions, fn: string, decay: (t: number) => number): LearningRateSchedule {
  const { peak, epochs, warmup, warmupStart, final, clock } = parse(fn, options);
  return (p) => {
    const t = clock === 'epoch' ? p.epoch : p.dataEpochs;
    if (t < warmup) return warmupStart + ((peak - warmupStart) * t) / warmup;
    const span = epochs - warmup;
    const u = span === 0 ? 1 : Math.min(1, Math.max(0, (t - warmup) / span));
    return final + (peak - final) * decay(u);
  };
}

/**
 * Linear warm-up to `peak`, then cosine decay to `final` at `epochs`
 * (Loshchilov & Hutter, SGDR, 2017; warm-up as Goyal et al. 2017). Constant
 * at `final` past the end. O(1) per call.
 *
 * @throws RangeError / TypeError for bad options, naming the option.
 * @example
 * ```ts
 * const lr = cosineSchedule({ peak: 0.1, epochs: 10, warmupEpochs: 1 });
 * lr({ epoch: 0.5, samplesSeen: 0, dataEpochs: 0, step: 0, totalEpochs: 10 }); // 0.05
 * lr({ epoch: 5.5, samplesSeen: 0, dataEpochs: 0, step: 0, totalEpochs: 10 }); // 0.05
 * ```
 */
export function cosineSchedule(options: ScheduleOptions): LearningRateSchedule {
  return shape(options, 'cosineSchedule()', (u) => (1 + Math.cos(Math.PI * u)) / 2);
}

/**
 * Linear warm-up to `peak`, then linear decay to `final` at `epochs`. O(1) per call.
 *
 * @throws RangeError / TypeError for bad options, naming the option.
 * @example
 * ```ts
 * const lr = linearSchedule({ peak: 1, epochs: 4 });
 * lr({ epoch: 1, samplesSeen: 0, dataEpochs: 0, step: 0, totalEpochs: 4 }); // 0.75
 * ```
 */
export function linearSchedule(options: ScheduleOptions): LearningRateSchedule {
  return shape(options, 'linearSchedule()', (u) => 1 - u);
}
