import cliProgress from 'cli-progress';
import type { EpochListener, EpochStart } from './callbacks.js';
import type { BatchReport } from './reports.js';

/**
 * A progress bar on stderr, one per epoch: samples visited, the share
 * pruned, the last batch's loss and the speed. Node-only (it writes to
 * `process.stderr`), which is why it is a listener of its own that the
 * trainer adds rather than part of the loop.
 *
 * @param mode - `'auto'` shows it only when stderr is a terminal; `true`
 *   also on a log file (a line at the start and the end of each epoch).
 */
export function progressBar(mode: boolean | 'auto'): EpochListener | null {
  if (mode === false) return null;
  let bar: cliProgress.SingleBar | null = null;
  return {
    epochBegin(start: EpochStart): void {
      const show = mode === 'auto' ? process.stderr.isTTY === true : mode;
      if (!show) return;
      bar = new cliProgress.SingleBar(
        {
          format: `epoch ${start.epoch + 1}/${start.epochs} |{bar}| {value}/{total} (${(100 * start.prunedRatio).toFixed(1)} % pruned) | loss {loss} | {speed} samples/s | {duration_formatted}`,
          stream: process.stderr,
          hideCursor: true,
          clearOnComplete: false,
          noTTYOutput: mode === true,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(start.visits, 0, { loss: '-', speed: '-' });
    },
    batchEnd(report: BatchReport): void {
      bar?.update(report.visited, { loss: report.loss.toFixed(4), speed: report.samplesPerSecond.toFixed(0) });
    },
    epochClose(): void {
      bar?.stop();
      bar = null;
    },
  };
}
