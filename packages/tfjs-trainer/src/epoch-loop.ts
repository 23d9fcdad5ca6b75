import * as tf from '@tensorflow/tfjs-core';
import { batchPlan, countBatches } from '@seta/core';
import type { EpochSummary, Pruner, Random } from '@seta/core';
import type { EpochListener } from './callbacks.js';
import { gatherBatch } from './data-source.js';
import type { DataSource } from './data-source.js';
import { getLearningRate, scheduledRate, setLearningRate } from './learning-rate.js';
import { EpochTimer } from './reports.js';
import type { BatchReport } from './reports.js';
import type { LearningRateSchedule, TrainingProgress } from './schedule.js';
import { readStep, trainStep } from './train-step.js';
import type { StepSetup, StepTensors } from './train-step.js';

/**
 * Where the run is, in the units a checkpoint saves and a resume restores.
 * The loop advances it; the trainer owns it.
 */
export interface LoopCounters {
  /** The next epoch to train (epochs finished so far). */
  epoch: number;
  /** Samples visited over all epochs. */
  samplesSeen: number;
  /** Optimizer steps taken over all epochs. */
  steps: number;
}

/** Everything an epoch needs that stays the same from epoch to epoch. */
export interface EpochSetup extends StepSetup {
  readonly pruner: Pruner;
  readonly data: DataSource;
  /** The run's epoch count E. */
  readonly epochs: number;
  readonly batchSize: number;
  readonly dropLast: boolean;
  /** Applied before every step; null keeps the optimizer's own rate. */
  readonly schedule: LearningRateSchedule | null;
  /** The loop's generator, handed to the data source. */
  readonly rng: Random;
  /** Runs after every step, before the listeners. */
  readonly afterStep?: ((progress: TrainingProgress) => void) | undefined;
  readonly listeners: readonly EpochListener[];
}

/** What an epoch did, for its report. */
export interface EpochOutcome {
  readonly epoch: number;
  readonly summary: EpochSummary;
  readonly batches: number;
  /** Samples visited, |plan| unless `dropLast` skipped a short batch. */
  readonly visited: number;
  /** Mean training loss: batch losses weighted by batch size; NaN without a batch. */
  readonly loss: number;
  /** The rate of the last step. */
  readonly learningRate: number;
  /** Running: the caller adds the checkpoint's time to it. */
  readonly timer: EpochTimer;
}

/** The clocks a learning-rate schedule reads, `visited` samples into an epoch of `planLength`. */
export function trainingProgress(counters: LoopCounters, setup: EpochSetup, planLength: number, visited: number): TrainingProgress {
  return {
    epoch: counters.epoch + (planLength === 0 ? 0 : visited / planLength),
    samplesSeen: counters.samplesSeen,
    dataEpochs: counters.samplesSeen / setup.pruner.size,
    step: counters.steps,
    totalEpochs: setup.epochs,
  };
}

/**
 * One epoch: the pruner's plan, cut into batches; for each batch the rate
 * from the schedule, the samples from the data source, a train step, the
 * losses read back and observed by the pruner, then the listeners; at the
 * end `pruner.endEpoch()`. Advances `counters` as it goes. O(|plan|) besides
 * the steps themselves.
 *
 * Every tensor of a batch is disposed before the next batch starts, whether
 * the batch succeeded or not, so the tensor count stays constant across
 * epochs.
 */
export async function runEpoch(setup: EpochSetup, counters: LoopCounters): Promise<EpochOutcome> {
  const { pruner, optimizer, data, listeners } = setup;
  const epoch = counters.epoch;
  const timer = new EpochTimer();
  const { plan, batches } = timer.time('plan', () => {
    const p = pruner.plan(epoch);
    return { plan: p, batches: countBatches(p.indices.length, setup.batchSize, { dropLast: setup.dropLast }) };
  });
  const planLength = plan.indices.length;
  const prunedRatio = 1 - planLength / pruner.size;

  let lossSum = 0;
  let visited = 0;
  let lr = getLearningRate(optimizer);
  for (const l of listeners) l.epochBegin?.({ epoch, epochs: setup.epochs, visits: planLength, prunedRatio, batches });
  try {
    for (const b of batchPlan(plan, setup.batchSize, { dropLast: setup.dropLast })) {
      const ids = b.indices;
      const n = ids.length;
      for (const l of listeners) await l.batchBegin?.(b.batch, n);
      if (setup.schedule !== null) {
        const next = scheduledRate(setup.schedule, trainingProgress(counters, setup, planLength, visited));
        if (next !== lr) {
          setLearningRate(optimizer, next);
          lr = next;
        }
      }
      const batch = await timer.timeAsync('gather', () => gatherBatch(data, ids, { epoch, rng: setup.rng }));
      let step: StepTensors | null = null;
      try {
        step = timer.time('step', () => trainStep(setup, batch, ids, b.weights, epoch));
        const values = await timer.timeAsync('readback', () => readStep(step!));
        timer.time('observe', () => pruner.observe(ids, values.lossesA, values.lossesB));

        visited += n;
        counters.samplesSeen += n;
        counters.steps += 1;
        lossSum += values.loss * n;
        setup.afterStep?.(trainingProgress(counters, setup, planLength, visited));
        const elapsedMs = timer.elapsed();
        const report: BatchReport = {
          epoch,
          phase: plan.phase,
          prunedRatio,
          batch: b.batch,
          batches,
          size: n,
          loss: values.loss,
          meanLoss: values.meanLoss,
          learningRate: lr,
          visited,
          samplesPerSecond: (visited / elapsedMs) * 1000,
          elapsedMs,
        };
        for (const l of listeners) await l.batchEnd?.(report);
      } finally {
        timer.time('readback', () => {
          step?.dispose();
          tf.dispose(batch as unknown as tf.TensorContainer);
        });
      }
    }
  } finally {
    for (const l of listeners) l.epochClose?.();
  }

  const summary = timer.time('observe', () => pruner.endEpoch());
  counters.epoch = epoch + 1;
  return { epoch, summary, batches, visited, loss: visited === 0 ? Number.NaN : lossSum / visited, learningRate: lr, timer };
}
