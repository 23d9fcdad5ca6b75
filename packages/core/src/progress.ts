import { describeValue } from '@seta/engine';
import type { EpochSummary, Phase } from './types.js';

const PHASES = ['full', 'warmup', 'prune', 'anneal'] as const;

export interface Progress {
  readonly next: number;
  readonly prunedTotal: number;
  readonly history: EpochSummary[];
}

/**
 * The saved progress of a pruner of `size` and `epochs`, checked field by
 * field: a forged or damaged state with a valid checksum (say `next: -1`,
 * `history: null`) must not be restored, since it would fail later and
 * elsewhere, or plan an epoch that does not exist. Ratios must be exactly
 * what `endEpoch` computes from the visited counts. O(epochs finished).
 */
export function checkProgress(
  raw: unknown,
  size: number,
  epochs: number,
  nonFinite: 'error' | 'skip',
  inconsistent: (what: string) => never,
): Progress {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) inconsistent(`progress must be an object, got ${describeValue(raw)}`);
  const g = raw as Record<string, unknown>;
  const next = g.next;
  if (typeof next !== 'number' || !Number.isInteger(next) || next < 0 || next > epochs) {
    inconsistent(`progress.next must be an integer in [0, ${epochs}], got ${describeValue(next)}`);
  }
  const n = next as number;
  const history = g.history;
  if (!Array.isArray(history) || history.length !== n) {
    inconsistent(`progress.history must be an array of ${n} epoch summaries, got ${describeValue(history)}`);
  }
  const entries = history as unknown[];
  let pruned = 0;
  const out: EpochSummary[] = [];
  for (let e = 0; e < n; e++) {
    const h = entries[e] as Record<string, unknown> | null;
    const at = `progress.history[${e}]`;
    if (h === null || typeof h !== 'object' || Array.isArray(h)) inconsistent(`${at} must be an epoch summary, got ${describeValue(h)}`);
    const { epoch, phase, visited, prunedRatio, savedRatioSoFar, meanLoss, skippedNonFinite } = h!;
    if (epoch !== e) inconsistent(`${at}.epoch must be ${e}, got ${describeValue(epoch)}`);
    if (typeof phase !== 'string' || !(PHASES as readonly string[]).includes(phase)) {
      inconsistent(`${at}.phase must be one of ${PHASES.map((p) => JSON.stringify(p)).join(', ')}, got ${describeValue(phase)}`);
    }
    if (typeof visited !== 'number' || !Number.isInteger(visited) || visited < 1 || visited > size) {
      inconsistent(`${at}.visited must be an integer in [1, ${size}], got ${describeValue(visited)}`);
    }
    // The same arithmetic as endEpoch, so equal exactly (JSON keeps doubles exact).
    const p = size - (visited as number);
    pruned += p;
    if (prunedRatio !== p / size) inconsistent(`${at}.prunedRatio must be ${p / size} (1 − visited / size), got ${describeValue(prunedRatio)}`);
    const saved = pruned / (size * (e + 1));
    if (savedRatioSoFar !== saved) inconsistent(`${at}.savedRatioSoFar must be ${saved}, got ${describeValue(savedRatioSoFar)}`);
    if (meanLoss !== null && !(typeof meanLoss === 'number' && Number.isFinite(meanLoss))) {
      inconsistent(`${at}.meanLoss must be null or a finite number, got ${describeValue(meanLoss)}`);
    }
    if (nonFinite === 'error' ? skippedNonFinite !== 0 : !(Number.isSafeInteger(skippedNonFinite) && (skippedNonFinite as number) >= 0)) {
      inconsistent(
        nonFinite === 'error'
          ? `${at}.skippedNonFinite must be 0 without nonFinite: 'skip', got ${describeValue(skippedNonFinite)}`
          : `${at}.skippedNonFinite must be an integer ≥ 0, got ${describeValue(skippedNonFinite)}`,
      );
    }
    out.push({
      epoch: e,
      phase: phase as Phase,
      visited: visited as number,
      prunedRatio: prunedRatio as number,
      savedRatioSoFar: savedRatioSoFar as number,
      meanLoss: meanLoss as number | null,
      skippedNonFinite: skippedNonFinite as number,
    });
  }
  if (g.prunedTotal !== pruned) {
    inconsistent(`progress.prunedTotal must be ${pruned} (the pruned samples of the history), got ${describeValue(g.prunedTotal)}`);
  }
  return { next: n, prunedTotal: pruned, history: out };
}

