// Build-time data for the strategy benchmark's tables and charts: the
// committed run (docs/results/strategy-bench.json) reduced to what a reader
// compares — plan time, observe cost and memory per strategy and size.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineLoader } from 'vitepress';

export interface BenchCell {
  /** The first pruning plan of the run (ms). */
  firstMs: number;
  /** Median of the later pruning plans (ms), or the first plan's time where the run took no later ones. */
  laterMs: number;
  /** Memory the first pruning plan touched for the first time (MB, minor page faults). */
  firstFreshMb: number | null;
  /** `observe()` per sample (ns), later epochs of the same phase where measured. */
  observeNs: number;
  /** `saveState()` size. */
  stateBytes: number;
  stateBytesPerSample: number;
}

export interface BenchStrategy {
  name: string;
  label: string;
  /** Cells by N, in the order of `sizes`. */
  cells: (BenchCell | null)[];
  /** A figure of the reference implementation, where one is quoted. */
  reference: { size: number; seconds: number; what: string } | null;
}

export interface BenchData {
  date: string;
  cpu: string;
  node: string;
  command: string;
  laterPlans: number;
  sizes: number[];
  strategies: BenchStrategy[];
  /** SeTa's pruning step alone, ours against the same stage built on simple-statistics' ckmeans. */
  setaStep: { size: number; oursMs: number; ckmeansMs: number; samePlan: boolean } | null;
}

declare const data: BenchData;
export { data };

const here = dirname(fileURLToPath(import.meta.url));

const LABEL: Record<string, string> = { infobatch: 'InfoBatch', seta: 'SeTa', scan: 'SCAN', dynamicRandom: 'dynamic random' };

// The reference implementations are Python research code that this project
// cannot run side by side (no access to PyPI from its machines), so these
// are the figures quoted for them when the performance targets were set, not
// measurements of ours; the page says so wherever it shows them.
const REFERENCE: Record<string, { size: number; seconds: number; what: string }> = {
  seta: { size: 1_280_000, seconds: 25.7, what: 'per pruning step' },
  infobatch: { size: 10_000_000, seconds: 2.7, what: 'per plan' },
};

interface Row {
  strategy: string;
  size: number;
  planMs: number;
  planMsLaterMedian?: number | null;
  planFreshMbByEpoch?: number[];
  observeNsPerSample: number;
  observeNsLater?: number | null;
  stateBytes: number;
  stateBytesPerSample: number;
}

export default defineLoader({
  watch: ['./strategy-bench.json'],
  load(): BenchData {
    const bench = JSON.parse(readFileSync(join(here, 'strategy-bench.json'), 'utf8'));
    const rows: Row[] = bench.results;
    const sizes = [...new Set(rows.map((r) => r.size))].sort((a, b) => a - b);
    const names = [...new Set(rows.map((r) => r.strategy))];
    const s = bench.setaStepComparison;
    return {
      date: bench.date,
      cpu: bench.cpu,
      node: bench.node,
      command: bench.command,
      laterPlans: bench.laterPrunePlans,
      sizes,
      strategies: names.map((name) => ({
        name,
        label: LABEL[name] ?? name,
        reference: REFERENCE[name] ?? null,
        cells: sizes.map((size) => {
          const r = rows.find((x) => x.strategy === name && x.size === size);
          if (!r) return null;
          return {
            firstMs: r.planMs,
            laterMs: r.planMsLaterMedian ?? r.planMs,
            firstFreshMb: r.planFreshMbByEpoch?.at(-1) ?? null,
            observeNs: r.observeNsLater ?? r.observeNsPerSample,
            stateBytes: r.stateBytes,
            stateBytesPerSample: r.stateBytesPerSample,
          };
        }),
      })),
      setaStep: s ? { size: s.size, oursMs: s.oursMs, ckmeansMs: s.ckmeansMs, samePlan: !!s.samePlan } : null,
    };
  },
});
