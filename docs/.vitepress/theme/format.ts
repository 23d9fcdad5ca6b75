// How the site's generated tables write figures, so that every table reads
// alike (and like the evidence reports, apps/shared/src/evidence-format.ts).

const MINUS = '\u2212';
// Between a figure and its unit, so that "83.0 %" never breaks across lines.
const NBSP = '\u00a0';

/** A share as percent with one decimal: 0.215 → "21.5 %", signed → "+21.5 %"; "—" if not finite. */
export function pct(x: number, signed = false): string {
  if (!Number.isFinite(x)) return '—';
  const s = (Math.abs(x) * 100).toFixed(1);
  return `${x < 0 && s !== '0.0' ? MINUS : signed ? '+' : ''}${s}${NBSP}%`;
}

/** A signed number without unit: 0.153 → "+15.3" (shares ×100 as the interval of a percentage). */
export function signed(x: number, scale = 100, digits = 1): string {
  if (!Number.isFinite(x)) return '—';
  const s = (Math.abs(x) * scale).toFixed(digits);
  return `${x < 0 && Number(s) !== 0 ? MINUS : '+'}${s}`;
}

/** A 95 % interval of a share in percent: [0.153, 0.278] → "[+15.3, +27.8]". */
export function ci(c: [number, number] | null, scale = 100, digits = 1): string {
  return c === null ? '' : `[${signed(c[0], scale, digits)}, ${signed(c[1], scale, digits)}]`;
}

/** A time in ms: 4151 → "4,151 ms", 13.6 → "14 ms", 0.9 → "0.9 ms". */
export function ms(x: number): string {
  if (!Number.isFinite(x)) return '—';
  return x >= 10 ? `${Math.round(x).toLocaleString('en')}${NBSP}ms` : `${x.toFixed(1)}${NBSP}ms`;
}

/** A memory size in MB (10^6 bytes): "4.1 MB", "413 MB", "1,861 MB"; bytes below 0.1 MB: "640 B". */
export function mb(bytes: number): string {
  if (!Number.isFinite(bytes)) return '—';
  if (bytes < 1e5) return `${Math.round(bytes).toLocaleString('en')}${NBSP}B`;
  const m = bytes / 1e6;
  return m >= 10 ? `${Math.round(m).toLocaleString('en')}${NBSP}MB` : `${m.toFixed(1)}${NBSP}MB`;
}

/** A sample count: 1e6 → "10⁶", 1.28e6 → "1.28 × 10⁶" — how the pages name dataset sizes. */
export function size(n: number): string {
  const e = Math.floor(Math.log10(n));
  const m = n / 10 ** e;
  const sup = String(e).replace(/\d/g, (d) => '⁰¹²³⁴⁵⁶⁷⁸⁹'[Number(d)]!);
  return m === 1 ? `10${sup}` : `${+m.toFixed(2)} × 10${sup}`;
}
