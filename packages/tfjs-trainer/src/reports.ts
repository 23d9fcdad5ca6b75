import type { EpochSummary, Phase } from '@seta/core';

/** Reported after every batch. */
export interface BatchReport {
  readonly epoch: number;
  readonly phase: Phase;
  /** This epoch's pruned ratio, 1 − |plan| / N. */
  readonly prunedRatio: number;
  /** 0-based batch number in the epoch. */
  readonly batch: number;
  readonly batches: number;
  /** Samples in this batch. */
  readonly size: number;
  /** The batch's training loss, `mean_i(w_i · loss_i)` (both directions combined). */
  readonly loss: number;
  /** The unweighted mean per-sample loss (both directions combined). */
  readonly meanLoss: number;
  readonly learningRate: number;
  /** Samples of this epoch visited so far. */
  readonly visited: number;
  /** Samples per second over this epoch so far. */
  readonly samplesPerSecond: number;
  /** Wall time since the epoch started, ms. */
  readonly elapsedMs: number;
}

/** Where an epoch's wall time went, ms. */
export interface EpochTimings {
  /** `pruner.plan` and batching. */
  readonly planMs: number;
  /** `data.batch`: gathering the samples. */
  readonly gatherMs: number;
  /** Forward, backward and optimizer update. */
  readonly stepMs: number;
  /** Reading the per-sample losses back and disposing the batch. */
  readonly readbackMs: number;
  /** `pruner.observe` and `pruner.endEpoch`. */
  readonly observeMs: number;
  /** Writing the checkpoint. */
  readonly checkpointMs: number;
  /** planMs + gatherMs + readbackMs + observeMs: the loop's own cost, without checkpointing. */
  readonly loopMs: number;
}

/** Reported after every epoch. */
export interface EpochReport {
  readonly epoch: number;
  readonly phase: Phase;
  /** |plan|. */
  readonly visited: number;
  readonly prunedRatio: number;
  readonly savedRatioSoFar: number;
  /** Mean training loss of the epoch: batch losses weighted by batch size. */
  readonly loss: number;
  /** The pruner's summary (its `meanLoss` is over the observed per-sample losses). */
  readonly summary: EpochSummary;
  readonly batches: number;
  readonly learningRate: number;
  readonly samplesPerSecond: number;
  readonly wallTimeMs: number;
  readonly timings: EpochTimings;
}

/** What {@link Trainer.fit} returns. */
export interface TrainResult {
  /** Reports of the epochs this call ran. */
  readonly epochs: EpochReport[];
  /** The epoch training resumed at, or null if it started fresh. */
  readonly resumedFrom: number | null;
  /** True if {@link Trainer.stop} ended the run early. */
  readonly stopped: boolean;
}

/** The parts of an epoch that {@link EpochTimings} accounts for. */
export type EpochPart = 'plan' | 'gather' | 'step' | 'readback' | 'observe' | 'checkpoint';

/**
 * Wall time of an epoch, split into its parts: `time(part, body)` adds the
 * time `body` takes to `part`. A part may be timed many times (once a batch).
 */
export class EpochTimer {
  private readonly start = performance.now();
  private readonly ms: Record<EpochPart, number> = { plan: 0, gather: 0, step: 0, readback: 0, observe: 0, checkpoint: 0 };

  /** Run `body` and add its wall time to `part`, also when it throws. */
  time<T>(part: EpochPart, body: () => T): T {
    const t = performance.now();
    try {
      return body();
    } finally {
      this.ms[part] += performance.now() - t;
    }
  }

  /** The same as {@link time} for an asynchronous `body`. */
  async timeAsync<T>(part: EpochPart, body: () => Promise<T>): Promise<T> {
    const t = performance.now();
    try {
      return await body();
    } finally {
      this.ms[part] += performance.now() - t;
    }
  }

  /** Wall time since the epoch started, ms. */
  elapsed(): number {
    return performance.now() - this.start;
  }

  timings(): EpochTimings {
    const { plan, gather, step, readback, observe, checkpoint } = this.ms;
    return {
      planMs: plan,
      gatherMs: gather,
      stepMs: step,
      readbackMs: readback,
      observeMs: observe,
      checkpointMs: checkpoint,
      loopMs: plan + gather + readback + observe,
    };
  }
}
