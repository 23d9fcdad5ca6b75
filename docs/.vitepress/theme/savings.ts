// The home page's one-sentence answer to "how much does it save?", built from
// the same evidence rows as the chart beside it, so the sentence cannot
// quote a figure the committed summary does not hold.
import type { EvidenceRow, Figure } from '../../results/evidence.data';

export interface Savings {
  /** Methods with an arm whose saving's interval is above zero: that arm (the largest mean saving), largest first. */
  better: { method: string; saved: Figure }[];
  /** Methods none of whose arms is better than full data (in the rows' order). */
  none: string[];
  /** Methods with an arm worse than full data and none better. */
  worse: string[];
}

/**
 * Reduces the evidence rows to one claim per method: the method's best arm
 * where some arm is better than full data of equal compute, otherwise
 * whether it made no difference or was worse. A method is named once
 * whatever its number of arms, so the sentence stays one line per claim.
 */
export function summariseSavings(rows: readonly EvidenceRow[]): Savings {
  const methods = [...new Set(rows.map((r) => r.method))];
  const better: Savings['better'] = [];
  const none: string[] = [];
  const worse: string[] = [];
  for (const method of methods) {
    const arms = rows.filter((r) => r.method === method);
    const best = arms.filter((r) => r.reading === 'better').sort((a, b) => b.saved.mean - a.saved.mean)[0];
    if (best) better.push({ method, saved: best.saved });
    else if (arms.some((r) => r.reading === 'worse')) worse.push(method);
    else none.push(method);
  }
  better.sort((a, b) => b.saved.mean - a.saved.mean);
  return { better, none, worse };
}

/** "A", "A and B", "A, B and C". */
export function listOf(names: readonly string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}
