/**
 * How the evidence reports write their figures: shares as percent, paired
 * differences as signed percentage points, 95 % intervals, and the reading
 * of an interval. Shared by every app's evidence report so they read alike.
 */

/** A share as percent with one decimal, signed if asked: 0.1234 → "12.3 %" / "+12.3 %"; "—" if not finite. */
export function formatPct(x: number, signed = false): string {
  if (!Number.isFinite(x)) return '—';
  return `${signed && x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %`;
}

/** A difference of shares in percentage points with two decimals, signed by default: 0.0123 → "+1.23"; "—" if not finite. */
export function formatPp(x: number, signed = true): string {
  if (!Number.isFinite(x)) return '—';
  return `${signed && x >= 0 ? '+' : ''}${(x * 100).toFixed(2)}`;
}

/** An interval as "[lo, hi]" with `f` (default {@link formatPp}); "—" for none. */
export function formatCi(c: readonly [number, number] | null, f: (x: number) => string = formatPp): string {
  return c === null ? '—' : `[${f(c[0])}, ${f(c[1])}]`;
}

/** What a 95 % interval of a paired difference supports: "no difference" when it holds 0, otherwise the side it is on. */
export function verdict(c: readonly [number, number] | null): string {
  if (c === null) return 'one seed: no interval';
  if (c[0] <= 0 && c[1] >= 0) return 'no difference';
  return c[0] > 0 ? 'better' : 'worse';
}
