import type * as tf from '@tensorflow/tfjs-core';
import { describeValue } from '@seta/core';
import type { LearningRateSchedule, TrainingProgress } from './schedule.js';

/*
 * tfjs-core's optimizers read their rate from a `learningRate` field, except
 * SGD (and Momentum, its subclass), which also caches it as a tensor and must
 * be told through `setLearningRate()`: use the method where there is one.
 */

/** Set the rate the optimizer's next update uses. */
export function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  const o = optimizer as unknown as { setLearningRate?: (lr: number) => void; learningRate?: number };
  if (typeof o.setLearningRate === 'function') o.setLearningRate(lr);
  else o.learningRate = lr;
}

/** The optimizer's current rate, NaN if it does not expose one. */
export function getLearningRate(optimizer: tf.Optimizer): number {
  const lr = (optimizer as unknown as { learningRate?: unknown }).learningRate;
  return typeof lr === 'number' ? lr : Number.NaN;
}

/**
 * The rate `schedule` gives at `progress`, checked: schedules are user code,
 * and a NaN rate would silently ruin every weight at the next update.
 *
 * @throws RangeError if the schedule returns anything but a finite number ≥ 0.
 */
export function scheduledRate(schedule: LearningRateSchedule, progress: TrainingProgress): number {
  const lr = schedule(progress);
  if (typeof lr !== 'number' || !Number.isFinite(lr) || lr < 0) {
    throw new RangeError(`Trainer.fit(): the learningRate schedule must return a finite number ≥ 0, got ${describeValue(lr)}`);
  }
  return lr;
}
