/**
 * The arithmetic of the equal-compute comparison: a full-data curve of
 * accuracy against sample visits (one per seed), read forwards (what full
 * data reaches with the visits a pruned run made) and backwards (how many
 * visits full data needs to reach the accuracy a pruned run reached), and
 * Student-t confidence intervals over seeds. Pure functions, no I/O.
 */

/** One full-data run of the curve: its visits (as a ratio of the horizon's) and its final accuracy. */
export interface CurvePoint {
  readonly visits: number;
  readonly accuracy: number;
}

/** Two-sided 95 % quantiles of Student's t, t_{0.975, df}, for df = 1 … 30 (standard tables). */
const T975 = [
  12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.306, 2.2622, 2.2281, 2.201, 2.1788, 2.1604, 2.1448, 2.1314,
  2.1199, 2.1098, 2.1009, 2.093, 2.086, 2.0796, 2.0739, 2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423,
];

/**
 * t_{0.975, df}: the table up to 30 degrees of freedom, beyond it the
 * Cornish–Fisher expansion around the normal quantile 1.959964 (error below
 * 1e-4 there). O(1).
 */
export function tQuantile975(df: number): number {
  if (!Number.isInteger(df) || df < 1) throw new RangeError(`tQuantile975(): df must be an integer ≥ 1, got ${df}`);
  if (df <= T975.length) return T975[df - 1]!;
  const z = 1.959964;
  return z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df ** 2);
}

/** Mean and 95 % confidence interval of the mean. */
export interface MeanCi {
  readonly mean: number;
  /** `[mean − t·s/√n, mean + t·s/√n]`; `null` for fewer than two values. */
  readonly ci95: readonly [number, number] | null;
  readonly n: number;
}

/**
 * The mean of `values` with its Student-t 95 % confidence interval (sample
 * standard deviation, n − 1). Values are paired differences or per-seed
 * figures, so the interval is over seeds. O(n).
 */
export function meanCi95(values: readonly number[]): MeanCi {
  const n = values.length;
  if (n === 0) throw new RangeError('meanCi95(): values must not be empty');
  for (const v of values) if (!Number.isFinite(v)) throw new RangeError(`meanCi95(): values must be finite, got ${v}`);
  const mean = values.reduce((s, v) => s + v, 0) / n;
  if (n < 2) return { mean, ci95: null, n };
  const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1);
  const half = (tQuantile975(n - 1) * Math.sqrt(variance)) / Math.sqrt(n);
  return { mean, ci95: [mean - half, mean + half], n };
}

function sortedCurve(fn: string, curve: readonly CurvePoint[]): CurvePoint[] {
  if (curve.length < 2) throw new RangeError(`${fn}: the curve needs at least two points, got ${curve.length}`);
  const sorted = [...curve].sort((a, b) => a.visits - b.visits);
  for (let i = 0; i < sorted.length; i++) {
    const p = sorted[i]!;
    if (!(Number.isFinite(p.visits) && p.visits > 0 && Number.isFinite(p.accuracy))) {
      throw new RangeError(`${fn}: curve points must have finite positive visits and finite accuracy, got ${JSON.stringify(p)}`);
    }
    if (i > 0 && p.visits === sorted[i - 1]!.visits) throw new RangeError(`${fn}: two curve points at visits ${p.visits}`);
  }
  return sorted;
}

/**
 * Full data's accuracy at `visits`, by linear interpolation between the
 * curve's neighbouring budgets; `null` outside the curve's range (no
 * extrapolation: the curve says nothing there). O(points).
 */
export function accuracyAtVisits(curve: readonly CurvePoint[], visits: number): number | null {
  const c = sortedCurve('accuracyAtVisits()', curve);
  if (!(visits >= c[0]!.visits && visits <= c.at(-1)!.visits)) return null;
  for (let i = 1; i < c.length; i++) {
    const a = c[i - 1]!;
    const b = c[i]!;
    if (visits <= b.visits) return a.accuracy + ((b.accuracy - a.accuracy) * (visits - a.visits)) / (b.visits - a.visits);
  }
  return c.at(-1)!.accuracy;
}

/** The visits full data needs to reach an accuracy, and whether the curve only bounds it. */
export interface VisitsNeeded {
  /** The visits (or the bound, when censored). */
  readonly visits: number;
  /**
   * `'above'`: the curve never reaches the accuracy, so full data needs more
   * than its largest budget (`visits` is that budget: a lower bound);
   * `'below'`: even the smallest budget exceeds it (`visits` is an upper
   * bound); `null`: read off the curve.
   */
  readonly censored: 'above' | 'below' | null;
}

/**
 * The fewest visits at which the piecewise-linear full-data curve reaches
 * `accuracy`: the first crossing from the smallest budget up, so a noisy
 * dip in the curve does not make full data look slower than it was.
 * O(points).
 */
export function visitsForAccuracy(curve: readonly CurvePoint[], accuracy: number): VisitsNeeded {
  const c = sortedCurve('visitsForAccuracy()', curve);
  if (!Number.isFinite(accuracy)) throw new RangeError(`visitsForAccuracy(): accuracy must be finite, got ${accuracy}`);
  if (c[0]!.accuracy >= accuracy) return { visits: c[0]!.visits, censored: c[0]!.accuracy === accuracy ? null : 'below' };
  for (let i = 1; i < c.length; i++) {
    const a = c[i - 1]!;
    const b = c[i]!;
    if (b.accuracy >= accuracy) {
      return { visits: a.visits + ((b.visits - a.visits) * (accuracy - a.accuracy)) / (b.accuracy - a.accuracy), censored: null };
    }
  }
  return { visits: c.at(-1)!.visits, censored: 'above' };
}

/** A pruned run as the comparison sees it. */
export interface ArmRun {
  readonly seed: number;
  /** Its sample visits as a ratio of the horizon's full-data visits. */
  readonly visits: number;
  readonly accuracy: number;
}

/** One arm's comparison with full data of equal compute, per seed and pooled. */
export interface EqualComputeComparison {
  /** Accuracy − full data's accuracy at the same visits, per seed (seed order of `runs`). */
  readonly deltaPerSeed: readonly (number | null)[];
  /** Over the seeds whose visits lie on the curve; `null` if none does. */
  readonly delta: MeanCi | null;
  /** 1 − visits / (visits full data needs for the same accuracy), per seed; a bound where censored. */
  readonly visitsSavedPerSeed: readonly number[];
  readonly censoredPerSeed: readonly ('above' | 'below' | null)[];
  readonly visitsSaved: MeanCi;
}

/**
 * Pair each run with its own seed's full-data curve: the accuracy
 * difference at equal visits, and the visits saved at equal accuracy. A
 * censored seed contributes its bound (for 'above', a lower bound on the
 * saving), which the caller must report as such.
 *
 * @throws RangeError if a run's seed has no curve.
 */
export function compareWithCurve(runs: readonly ArmRun[], curves: ReadonlyMap<number, readonly CurvePoint[]>): EqualComputeComparison {
  if (runs.length === 0) throw new RangeError('compareWithCurve(): runs must not be empty');
  const deltaPerSeed: (number | null)[] = [];
  const visitsSavedPerSeed: number[] = [];
  const censoredPerSeed: ('above' | 'below' | null)[] = [];
  for (const run of runs) {
    const curve = curves.get(run.seed);
    if (curve === undefined) throw new RangeError(`compareWithCurve(): no full-data curve for seed ${run.seed}`);
    const reference = accuracyAtVisits(curve, run.visits);
    deltaPerSeed.push(reference === null ? null : run.accuracy - reference);
    const needed = visitsForAccuracy(curve, run.accuracy);
    visitsSavedPerSeed.push(1 - run.visits / needed.visits);
    censoredPerSeed.push(needed.censored);
  }
  const deltas = deltaPerSeed.filter((d): d is number => d !== null);
  return {
    deltaPerSeed,
    delta: deltas.length === 0 ? null : meanCi95(deltas),
    visitsSavedPerSeed,
    censoredPerSeed,
    visitsSaved: meanCi95(visitsSavedPerSeed),
  };
}

/** Per-seed values (keyed by the seed as a string) with their mean. */
export interface PerSeed {
  readonly mean: number;
  readonly perSeed: Record<string, number>;
}

/**
 * `f` of each item, keyed by its seed, with the mean of the values. O(n).
 *
 * @example
 * perSeedValues([{ seed: 0, x: 0.8 }, { seed: 1, x: 0.9 }], (r) => r.seed, (r) => r.x);
 * // { mean: 0.85, perSeed: { '0': 0.8, '1': 0.9 } }
 */
export function perSeedValues<T>(items: readonly T[], seedOf: (item: T) => number, f: (item: T) => number): PerSeed {
  const values = Object.fromEntries(items.map((r) => [String(seedOf(r)), f(r)]));
  const list = Object.values(values);
  return { mean: list.reduce((s, v) => s + v, 0) / list.length, perSeed: values };
}

/** A {@link MeanCi} as JSON writes it: a mutable interval pair or `null`. */
export function withCi(m: MeanCi): { mean: number; ci95: [number, number] | null } {
  return { mean: m.mean, ci95: m.ci95 === null ? null : [m.ci95[0], m.ci95[1]] };
}

/**
 * The pairing every equal-compute comparison rests on: all runs of one seed
 * started from the same initial weights, and no two seeds from the same.
 *
 * @throws RangeError naming `fn` if a run has no digest, a seed's runs
 *   disagree, or two seeds share a digest.
 */
export function checkPairing(fn: string, runs: readonly { seed: number; initDigest: string | undefined }[]): void {
  const digests = new Map<number, string>();
  for (const r of runs) {
    if (r.initDigest === undefined) throw new RangeError(`${fn}: a record of seed ${r.seed} has no initDigest`);
    const known = digests.get(r.seed);
    if (known !== undefined && known !== r.initDigest) throw new RangeError(`${fn}: seed ${r.seed}'s runs started from different weights`);
    digests.set(r.seed, r.initDigest);
  }
  if (new Set(digests.values()).size !== digests.size) throw new RangeError(`${fn}: two seeds started from the same weights`);
}
