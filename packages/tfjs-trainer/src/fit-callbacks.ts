import * as tf from '@tensorflow/tfjs-core';
import { checkOptionKeys, describeValue } from '@seta/core';

/** Numbers keyed by name, as tfjs-layers passes them to callbacks (`loss`, `acc`, `val_loss`, …). */
export type Logs = { [key: string]: number };

/**
 * A tfjs-layers callback object: `tf.callbacks.earlyStopping(…)`, a
 * `tf.CustomCallback`, or any object with some of these methods. `fit`
 * calls `setParams` and `setModel` (with the model being trained) first.
 */
export interface FitCallback {
  setParams?(params: Record<string, unknown>): void;
  setModel?(model: unknown): void;
  onTrainBegin?(logs?: Logs): void | Promise<void>;
  onTrainEnd?(logs?: Logs): void | Promise<void>;
  onEpochBegin?(epoch: number, logs?: Logs): void | Promise<void>;
  onEpochEnd?(epoch: number, logs?: Logs): void | Promise<void>;
  onBatchBegin?(batch: number, logs?: Logs): void | Promise<void>;
  onBatchEnd?(batch: number, logs?: Logs): void | Promise<void>;
}

/** A plain object of callback functions, as `model.fit` accepts (tfjs-layers' `CustomCallbackArgs`). */
export interface FitCallbackConfig {
  onTrainBegin?: (logs?: Logs) => void | Promise<void>;
  onTrainEnd?: (logs?: Logs) => void | Promise<void>;
  onEpochBegin?: (epoch: number, logs?: Logs) => void | Promise<void>;
  onEpochEnd?: (epoch: number, logs?: Logs) => void | Promise<void>;
  onBatchBegin?: (batch: number, logs?: Logs) => void | Promise<void>;
  onBatchEnd?: (batch: number, logs?: Logs) => void | Promise<void>;
  /** Called when `fit` yields to the event loop (see `yieldEvery`). */
  onYield?: (epoch: number, batch: number, logs: Logs) => void | Promise<void>;
}

/** How often `fit` yields to the event loop: as `model.fit`'s `yieldEvery` (`'auto'`: every 125 ms). */
export type YieldEvery = 'auto' | 'batch' | 'epoch' | 'never' | number;

const CONFIG_KEYS = ['onTrainBegin', 'onTrainEnd', 'onEpochBegin', 'onEpochEnd', 'onBatchBegin', 'onBatchEnd', 'onYield'] as const;
const DEFAULT_YIELD_EVERY_MS = 125;

/** A tfjs `EarlyStopping` (or anything shaped like one): it decides from `onEpochEnd` whether training stops. */
export function isEarlyStopping(cb: object): boolean {
  const c = cb as { patience?: unknown; monitor?: unknown; monitorFunc?: unknown };
  return cb.constructor?.name === 'EarlyStopping' || (typeof c.patience === 'number' && typeof c.monitor === 'string' && typeof c.monitorFunc === 'function');
}

/**
 * The callbacks of one {@link fit} call, called in order and awaited, the
 * way tfjs-layers' `CallbackList` does. Plain config objects have their
 * keys checked (a misspelled `onEpochEnds` is refused) and get the
 * `yieldEvery` behaviour of `model.fit`; early-stopping callbacks are kept
 * apart so that `fit` can skip them on pruned epochs.
 */
export class FitCallbacks {
  private readonly all: { cb: FitCallback; config: FitCallbackConfig | null; earlyStopping: boolean }[] = [];
  private readonly yieldMs: number | null;
  private lastYield = 0;
  private epoch = 0;

  /**
   * @throws TypeError naming `callbacks[i]` for something that is not an
   *   object, an unknown key of a config object, a key that is not a
   *   function, or `onYield` with `yieldEvery: 'never'`.
   */
  constructor(
    fn: string,
    callbacks: unknown,
    private readonly yieldEvery: YieldEvery,
  ) {
    if (yieldEvery !== 'auto' && yieldEvery !== 'batch' && yieldEvery !== 'epoch' && yieldEvery !== 'never') {
      if (typeof yieldEvery !== 'number' || !(yieldEvery >= 0) || !Number.isFinite(yieldEvery)) {
        throw new TypeError(`${fn}: yieldEvery must be 'auto', 'batch', 'epoch', 'never' or milliseconds ≥ 0, got ${describeValue(yieldEvery)}`);
      }
    }
    this.yieldMs = yieldEvery === 'auto' ? DEFAULT_YIELD_EVERY_MS : typeof yieldEvery === 'number' ? yieldEvery : null;
    const list = callbacks === undefined ? [] : Array.isArray(callbacks) ? callbacks : [callbacks];
    list.forEach((cb: unknown, i) => {
      const name = Array.isArray(callbacks) ? `callbacks[${i}]` : 'callbacks';
      if (cb === null || typeof cb !== 'object') throw new TypeError(`${fn}: ${name} must be a callback object or a config of callback functions, got ${describeValue(cb)}`);
      const plain = Object.getPrototypeOf(cb) === Object.prototype;
      if (plain) {
        checkOptionKeys(`${fn}: ${name}`, cb, CONFIG_KEYS);
        for (const key of CONFIG_KEYS) {
          const f = (cb as Record<string, unknown>)[key];
          if (f !== undefined && typeof f !== 'function') throw new TypeError(`${fn}: ${name}.${key} must be a function, got ${describeValue(f)}`);
        }
        if (yieldEvery === 'never' && (cb as FitCallbackConfig).onYield !== undefined) {
          throw new TypeError(`${fn}: ${name}.onYield is never called with yieldEvery 'never': change yieldEvery or remove onYield`);
        }
      }
      this.all.push({ cb: cb as FitCallback, config: plain ? (cb as FitCallbackConfig) : null, earlyStopping: !plain && isEarlyStopping(cb) });
    });
  }

  /** True if any callback is an early-stopping one. */
  get hasEarlyStopping(): boolean {
    return this.all.some((c) => c.earlyStopping);
  }

  setup(params: Record<string, unknown>, model: unknown): void {
    for (const { cb } of this.all) {
      cb.setParams?.(params);
      cb.setModel?.(model);
    }
  }

  async trainBegin(): Promise<void> {
    this.lastYield = performance.now();
    for (const { cb } of this.all) await cb.onTrainBegin?.({});
  }

  async trainEnd(logs: Logs): Promise<void> {
    for (const { cb } of this.all) await cb.onTrainEnd?.({ ...logs });
  }

  async epochBegin(epoch: number): Promise<void> {
    this.epoch = epoch;
    for (const { cb } of this.all) await cb.onEpochBegin?.(epoch, {});
  }

  /** `onEpochEnd` of every callback, or of every one but the early-stopping ones when `earlyStopping` is false. */
  async epochEnd(epoch: number, logs: Logs, earlyStopping: boolean): Promise<void> {
    for (const { cb, earlyStopping: es } of this.all) {
      if (es && !earlyStopping) continue;
      await cb.onEpochEnd?.(epoch, { ...logs });
    }
    if (this.yieldEvery === 'epoch') await tf.nextFrame();
  }

  async batchBegin(batch: number, size: number): Promise<void> {
    for (const { cb } of this.all) await cb.onBatchBegin?.(batch, { batch, size });
  }

  async batchEnd(batch: number, logs: Logs): Promise<void> {
    for (const { cb } of this.all) await cb.onBatchEnd?.(batch, { ...logs });
    if (this.yieldEvery === 'batch') {
      await tf.nextFrame();
    } else if (this.yieldMs !== null && performance.now() - this.lastYield >= this.yieldMs) {
      for (const { config } of this.all) await config?.onYield?.(this.epoch, batch, { ...logs });
      await tf.nextFrame();
      this.lastYield = performance.now();
    }
  }
}
