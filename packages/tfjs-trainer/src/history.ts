import type { Phase } from '@seta/core';
import type { Logs } from './fit-callbacks.js';

/**
 * What {@link fit} returns, shaped like tfjs-layers' `History`:
 * `history.history.loss[i]` is the loss of epoch `history.epoch[i]`.
 *
 * Besides `loss`, the compiled metrics (`acc`, …) and their `val_` versions,
 * `history.history` holds per epoch:
 * - `visited`: the samples the pruner's plan visited (|plan|);
 * - `savedRatio`: the share of sample visits saved so far,
 *   Σ pruned / (N · epochs finished) (the pruner's `savedRatioSoFar`).
 */
export interface FitHistory {
  /** The epochs trained, in order (from `initialEpoch`). */
  readonly epoch: number[];
  readonly history: { [key: string]: number[] };
  /** The pruner's phase of each epoch (`'full'`, `'prune'`, `'anneal'`, …). */
  readonly phases: Phase[];
  /** The epochs at which early-stopping callbacks were consulted (see `earlyStoppingPhases`). */
  readonly earlyStoppingEpochs: number[];
  /** The run's settings, as tfjs-layers' `History.params`. */
  readonly params: { readonly [key: string]: unknown };
}

/** A {@link FitHistory} being filled, one epoch at a time. */
export class HistoryRecorder implements FitHistory {
  readonly epoch: number[] = [];
  readonly history: { [key: string]: number[] } = {};
  readonly phases: Phase[] = [];
  readonly earlyStoppingEpochs: number[] = [];

  constructor(readonly params: { readonly [key: string]: unknown }) {}

  /** Record epoch `epoch`'s logs; a key missing at an epoch is NaN there. */
  add(epoch: number, phase: Phase, logs: Logs, consultedEarlyStopping: boolean): void {
    const n = this.epoch.length;
    this.epoch.push(epoch);
    this.phases.push(phase);
    if (consultedEarlyStopping) this.earlyStoppingEpochs.push(epoch);
    for (const [key, value] of Object.entries(logs)) {
      (this.history[key] ??= new Array<number>(n).fill(Number.NaN)).push(value);
    }
    for (const values of Object.values(this.history)) if (values.length === n) values.push(Number.NaN);
  }

  /** A plain-object snapshot (what {@link fit} returns). */
  toJSON(): FitHistory {
    return { epoch: this.epoch, history: this.history, phases: this.phases, earlyStoppingEpochs: this.earlyStoppingEpochs, params: this.params };
  }
}
