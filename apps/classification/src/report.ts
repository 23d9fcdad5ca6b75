/**
 * From run records to the comparison: one summary row per (model, strategy,
 * level), and the Markdown report built from those rows. Pure functions, no
 * I/O: the CLI writes the files.
 */
import { meanStd } from '@seta-apps/shared';
import { checkNumber, checkOptions, describeValue } from '@seta/core';
import type { Level, ModelName, RunRecord, StrategyName } from './record.js';

export { meanStd };

/** Canonical orders: how rows, tables and legends are sorted. */
export const MODEL_ORDER: readonly ModelName[] = ['mlp', 'cnn'];
export const STRATEGY_ORDER: readonly StrategyName[] = ['full', 'staticRandom', 'dynamicRandom', 'infobatch', 'seta', 'scan'];
export const LEVEL_ORDER: readonly Level[] = ['none', 'L1', 'L2', 'L3'];

/** Visits to mislabelled vs correctly labelled samples, averaged over seeds. */
export interface NoiseSummary {
  /** Mean over seeds of the mean visits per noisy (flipped) sample. */
  readonly visitsPerNoisy: number;
  /** Mean over seeds of the mean visits per clean sample. */
  readonly visitsPerClean: number;
  /** visitsPerNoisy / visitsPerClean (`null` when no clean sample was visited). */
  readonly ratio: number | null;
}

/**
 * One row of the comparison: the seeds of one strategy at one level of one
 * model, pooled. Ratios and accuracies are fractions in [0, 1]; the report
 * turns them into percentages.
 */
export interface SummaryRow {
  readonly model: ModelName;
  readonly strategy: StrategyName;
  readonly level: Level;
  /** Number of seeds (records) pooled. */
  readonly seeds: number;
  /** Mean final test accuracy over seeds. */
  readonly accuracyMean: number;
  /** Sample standard deviation (n − 1) of the final test accuracy; 0 with one seed. */
  readonly accuracyStd: number;
  /** accuracyMean − the full baseline's accuracyMean (same model); `null` without a full run. */
  readonly accuracyDelta: number | null;
  /** Mean realised saved ratio (`savedRatio`, Σ pruned / (N · E)). */
  readonly prunedMean: number;
  /** Sample standard deviation of the realised saved ratio; 0 with one seed. */
  readonly prunedStd: number;
  /** Mean training wall time (evaluation excluded), ms. */
  readonly trainTimeMeanMs: number;
  /** 1 − trainTimeMeanMs / the full baseline's trainTimeMeanMs; `null` without a full run (or a zero baseline time). */
  readonly wallClockSaved: number | null;
  /** Over the records that carry `noise`; `null` when none does. */
  readonly noise: NoiseSummary | null;
}

/** Options of {@link markdownReport}. */
export interface ReportOptions {
  /** The document's title (first-level heading). */
  readonly title: string;
  /** The exact command that produced the records, shown verbatim in a code block. */
  readonly command: string;
  /** A line describing the machine (CPU, cores, Node version), written by the caller, which knows it. */
  readonly machine?: string;
  /** Markdown appended verbatim under a "Notes" heading. */
  readonly notes?: string;
}

/** Sorts by a canonical order; unknown values after the known ones, alphabetically. */
function rank(order: readonly string[], value: string): number {
  const i = order.indexOf(value);
  return i === -1 ? order.length : i;
}

function compareBy(order: readonly string[], a: string, b: string): number {
  return rank(order, a) - rank(order, b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** The settings that must agree across one model's runs for the comparison to mean anything. */
const SHARED_SETTINGS = ['epochs', 'batchSize', 'learningRate', 'trainSize', 'testSize', 'labelNoise'] as const;

function checkRecords(fn: string, records: unknown): asserts records is readonly RunRecord[] {
  if (!Array.isArray(records)) throw new TypeError(`${fn}: records must be an array, got ${describeValue(records)}`);
  records.forEach((r: unknown, i) => {
    const name = `records[${i}]`;
    if (r === null || typeof r !== 'object') throw new TypeError(`${fn}: ${name} must be a run record, got ${describeValue(r)}`);
    const rec = r as Partial<RunRecord>;
    if (rec.version !== 1) throw new RangeError(`${fn}: ${name}.version must be 1, got ${describeValue(rec.version)}`);
    const config = rec.config as Partial<RunRecord['config']> | undefined;
    if (config === null || typeof config !== 'object') {
      throw new TypeError(`${fn}: ${name}.config must be an object, got ${describeValue(config)}`);
    }
    for (const key of ['model', 'strategy', 'level'] as const) {
      if (typeof config[key] !== 'string') {
        throw new TypeError(`${fn}: ${name}.config.${key} must be a string, got ${describeValue(config[key])}`);
      }
    }
    checkNumber(fn, `${name}.finalAccuracy`, rec.finalAccuracy, 0, 1);
    checkNumber(fn, `${name}.savedRatio`, rec.savedRatio, 0, 1);
    checkNumber(fn, `${name}.trainTimeMs`, rec.trainTimeMs, 0, Number.MAX_VALUE);
  });
}

/** Throws when one model's runs were made with different settings, or one group repeats a seed. */
function checkComparable(fn: string, records: readonly RunRecord[]): void {
  const byModel = new Map<string, RunRecord[]>();
  for (const r of records) {
    const list = byModel.get(r.config.model) ?? [];
    list.push(r);
    byModel.set(r.config.model, list);
  }
  for (const [model, list] of byModel) {
    for (const key of SHARED_SETTINGS) {
      const values = [...new Set(list.map((r) => r.config[key]))];
      if (values.length > 1) {
        throw new RangeError(
          `${fn}: the ${model} runs differ in ${key} (${values.map(describeValue).join(', ')}); ` +
            'compare runs of one setup at a time',
        );
      }
    }
  }
  const seen = new Set<string>();
  for (const r of records) {
    const key = `${r.config.model}/${r.config.strategy}/${r.config.level}/${r.config.seed}`;
    if (seen.has(key)) throw new RangeError(`${fn}: two records of ${key.replace(/\/([^/]*)$/, ' with seed $1')}; keep one run per seed`);
    seen.add(key);
  }
}

/**
 * Pool the records into one row per (model, strategy, level): seeds, final
 * test accuracy mean ± sample std, Δ accuracy vs the same model's full run,
 * realised pruned ratio mean ± std, wall-clock saved vs full, and the visits
 * to noisy vs clean samples when the records carry them. Rows are ordered by
 * model, then strategy (full first), then level. The argument is not mutated.
 * O(n log n) time, O(n) memory for n records.
 *
 * @param records - run records of one experiment setup (the same epochs, batch size, learning rate, sizes and label noise per model).
 * @returns the rows; `[]` for no records.
 * @throws TypeError if `records` is not an array of records.
 * @throws RangeError for a record of another version, an accuracy or saved ratio outside [0, 1], a negative time, runs of one model made with different settings, or a repeated seed.
 * @example
 * summarise(records)[0];
 * // { model: 'mlp', strategy: 'full', level: 'none', seeds: 2, accuracyMean: 0.85,
 * //   accuracyStd: 0.0707…, accuracyDelta: 0, prunedMean: 0, prunedStd: 0,
 * //   trainTimeMeanMs: 1000, wallClockSaved: 0, noise: null }
 */
export function summarise(records: readonly RunRecord[]): SummaryRow[] {
  const fn = 'summarise()';
  checkRecords(fn, records);
  checkComparable(fn, records);

  const groups = new Map<string, RunRecord[]>();
  for (const r of records) {
    const key = JSON.stringify([r.config.model, r.config.strategy, r.config.level]);
    const list = groups.get(key) ?? [];
    list.push(r);
    groups.set(key, list);
  }

  const baselines = new Map<string, { accuracy: number; trainTimeMs: number }>();
  for (const r of records) {
    if (r.config.strategy !== 'full' || baselines.has(r.config.model)) continue;
    const full = records.filter((s) => s.config.model === r.config.model && s.config.strategy === 'full');
    baselines.set(r.config.model, {
      accuracy: meanStd(full.map((s) => s.finalAccuracy)).mean,
      trainTimeMs: meanStd(full.map((s) => s.trainTimeMs)).mean,
    });
  }

  const rows: SummaryRow[] = [];
  for (const list of groups.values()) {
    const { model, strategy, level } = list[0]!.config;
    const accuracy = meanStd(list.map((r) => r.finalAccuracy));
    const pruned = meanStd(list.map((r) => r.savedRatio));
    const trainTimeMeanMs = meanStd(list.map((r) => r.trainTimeMs)).mean;
    const baseline = baselines.get(model);
    const noisy = list.flatMap((r) => (r.noise === undefined ? [] : [r.noise]));
    let noise: NoiseSummary | null = null;
    if (noisy.length > 0) {
      const visitsPerNoisy = meanStd(noisy.map((n) => n.visitsPerNoisy)).mean;
      const visitsPerClean = meanStd(noisy.map((n) => n.visitsPerClean)).mean;
      noise = { visitsPerNoisy, visitsPerClean, ratio: visitsPerClean > 0 ? visitsPerNoisy / visitsPerClean : null };
    }
    rows.push({
      model,
      strategy,
      level,
      seeds: list.length,
      accuracyMean: accuracy.mean,
      accuracyStd: accuracy.std,
      accuracyDelta: baseline === undefined ? null : accuracy.mean - baseline.accuracy,
      prunedMean: pruned.mean,
      prunedStd: pruned.std,
      trainTimeMeanMs,
      wallClockSaved:
        baseline === undefined || !(baseline.trainTimeMs > 0) ? null : 1 - trainTimeMeanMs / baseline.trainTimeMs,
      noise,
    });
  }
  return rows.sort(
    (a, b) =>
      compareBy(MODEL_ORDER, a.model, b.model) ||
      compareBy(STRATEGY_ORDER, a.strategy, b.strategy) ||
      compareBy(LEVEL_ORDER, a.level, b.level),
  );
}

// ---------------------------------------------------------------------------
// Formatting

const DASH = '—';

/** `digits` decimals, never "-0.00". */
function fixed(value: number, digits: number): string {
  const s = value.toFixed(digits);
  return /^-0\.?0*$/.test(s) ? s.slice(1) : s;
}

/** A fraction as a percentage: 0.8931 → "89.31". */
function percent(fraction: number, digits: number): string {
  return fixed(fraction * 100, digits);
}

/** A signed difference in percentage points: 0.0025 → "+0.25", −0.004 → "-0.40", 0 → "0.00". */
function signedPoints(fraction: number, digits: number): string {
  const s = percent(fraction, digits);
  return /^[0.]+$/.test(s) || s.startsWith('-') ? s : `+${s}`;
}

/** Escapes what would break a Markdown table cell. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** A fence longer than any run of backticks in `text`. */
function fence(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((m) => m.length));
  return '`'.repeat(Math.max(3, longest + 1));
}

function distinct<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

function modelTable(rows: readonly SummaryRow[]): string[] {
  const withNoise = rows.some((r) => r.noise !== null);
  const header = ['Strategy', 'Level', 'Seeds', 'Test accuracy (%)', 'Δ vs full (pp)', 'Pruned, realised (%)', 'Wall-clock saved (%)'];
  const align = [':--', ':--', '--:', '--:', '--:', '--:', '--:'];
  if (withNoise) {
    header.push('Visits / noisy sample', 'Visits / clean sample', 'Noisy ÷ clean');
    align.push('--:', '--:', '--:');
  }
  const lines = [`| ${header.join(' | ')} |`, `| ${align.join(' | ')} |`];
  for (const r of rows) {
    const cells = [
      cell(r.strategy),
      cell(r.level),
      String(r.seeds),
      `${percent(r.accuracyMean, 2)} ± ${percent(r.accuracyStd, 2)}`,
      r.accuracyDelta === null ? DASH : signedPoints(r.accuracyDelta, 2),
      `${percent(r.prunedMean, 1)} ± ${percent(r.prunedStd, 1)}`,
      r.wallClockSaved === null ? DASH : percent(r.wallClockSaved, 1),
    ];
    if (withNoise) {
      cells.push(
        r.noise === null ? DASH : fixed(r.noise.visitsPerNoisy, 2),
        r.noise === null ? DASH : fixed(r.noise.visitsPerClean, 2),
        r.noise === null || r.noise.ratio === null ? DASH : fixed(r.noise.ratio, 2),
      );
    }
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines;
}

const HOW_TO_READ =
  'Each row pools the seeds of one strategy at one pruning level; “±” is the sample standard deviation ' +
  'over seeds (0 with a single seed). The levels are nominal: L1, L2 and L3 aim at saving about 30 %, 50 % ' +
  'and 70 % of sample visits. *Pruned, realised* is what the runs actually skipped, Σ pruned / (N · E), ' +
  'which can differ from the nominal ratio (annealing epochs train on everything; some strategies prune ' +
  'only part of the data). *Δ vs full* is the mean final test accuracy minus that of the full-data run of ' +
  'the same model, in percentage points: negative is a loss. *Wall-clock saved* is 1 − mean training time ' +
  '/ full’s mean training time; it counts training only (evaluation excluded) and includes each ' +
  'strategy’s own overhead (scoring, sorting, sampling), so it is usually below the realised pruned ratio, ' +
  'and it depends on the machine and backend. “—” means there is no full run to compare with.';

const HOW_TO_READ_NOISE =
  'With label noise, *visits / noisy sample* and *visits / clean sample* are the mean number of times a ' +
  'mislabelled (flipped) or a correctly labelled training sample was trained on over the run; a ratio ' +
  'below 1 means the strategy skipped mislabelled samples more often than clean ones.';

/**
 * The comparison as a Markdown document: the title, the exact command, the
 * setup (backends, machine, epochs, sizes, label noise, seeds), one table per
 * model (rows of {@link summarise}, full first, then by strategy and level), a
 * "how to read this" paragraph, and the notes verbatim. Accuracies are shown
 * as percentages with 2 decimals ("89.31 ± 0.12"), pruned and saved ratios
 * with 1, Δ in signed percentage points. Pure: nothing is read or written.
 * O(n log n) time for n records.
 *
 * @param records - run records of one experiment setup.
 * @param options - `title`, `command`, and optionally `machine` and `notes`.
 * @returns the document, ending with a newline.
 * @throws TypeError if `options.title` or `options.command` is not a string, or as {@link summarise}.
 * @throws RangeError if `options.title` is empty, or as {@link summarise}.
 * @example
 * markdownReport(records, { title: 'Fashion-MNIST pruning', command: 'pnpm start --seeds 3' });
 * // '# Fashion-MNIST pruning\n\nProduced by:\n\n```sh\npnpm start --seeds 3\n```\n…'
 */
export function markdownReport(records: readonly RunRecord[], options: ReportOptions): string {
  const fn = 'markdownReport()';
  checkOptions(fn, options);
  if (options === undefined) throw new TypeError(`${fn}: options must be an object, got undefined`);
  const { title, command, machine, notes } = options;
  for (const [name, value, optional] of [
    ['title', title, false],
    ['command', command, false],
    ['machine', machine, true],
    ['notes', notes, true],
  ] as const) {
    if (!(optional && value === undefined) && typeof value !== 'string') {
      throw new TypeError(`${fn}: options.${name} must be a string, got ${describeValue(value)}`);
    }
  }
  if (title.trim() === '') throw new RangeError(`${fn}: options.title must not be empty, got ${describeValue(title)}`);
  const rows = summarise(records);

  const out: string[] = [`# ${title.trim()}`, '', 'Produced by:', '', `${fence(command)}sh`, command, fence(command), ''];

  out.push('## Setup', '');
  if (records.length === 0) {
    out.push('No runs.', '');
  } else {
    const configs = records.map((r) => r.config);
    const list = (values: readonly (string | number)[]) => distinct(values).join(', ');
    const backends = distinct(records.map((r) => r.backend)).sort();
    out.push(`- Backend${backends.length > 1 ? 's' : ''}: ${backends.map((b) => `\`${b}\``).join(', ')}`);
    if (machine !== undefined) out.push(`- Machine: ${machine}`);
    const models = distinct(configs.map((c) => c.model)).sort((a, b) => compareBy(MODEL_ORDER, a, b));
    out.push(`- Runs: ${records.length} (models ${models.join(', ')}; seeds ${list([...configs.map((c) => c.seed)].sort((a, b) => a - b))})`);
    out.push(`- Epochs: ${list(configs.map((c) => c.epochs))}; batch size ${list(configs.map((c) => c.batchSize))}; learning rate ${list(configs.map((c) => c.learningRate))}`);
    out.push(
      `- Examples: ${list(configs.map((c) => c.trainSize.toLocaleString('en-US')))} training, ` +
        `${list(configs.map((c) => c.testSize.toLocaleString('en-US')))} test; ` +
        `label noise ${list(configs.map((c) => `${fixed(c.labelNoise * 100, 1)} %`))}`,
    );
    const started = records.map((r) => r.startedAt).filter((s) => typeof s === 'string').sort();
    if (started.length > 0) {
      out.push(`- Started: ${started[0]}${started.length > 1 && started.at(-1) !== started[0] ? ` to ${started.at(-1)}` : ''}`);
    }
    out.push('');
  }

  const models = distinct(rows.map((r) => r.model));
  for (const model of models) {
    const modelRows = rows.filter((r) => r.model === model);
    out.push(`## ${model}`, '', ...modelTable(modelRows), '');
    if (!modelRows.some((r) => r.strategy === 'full')) {
      out.push(`No \`full\` run for ${model}: Δ vs full and wall-clock saved are shown as “—”.`, '');
    }
  }

  out.push('## How to read this', '', HOW_TO_READ, '');
  if (rows.some((r) => r.noise !== null)) out.push(HOW_TO_READ_NOISE, '');
  if (notes !== undefined && notes !== '') out.push('## Notes', '', notes, '');
  return `${out.join('\n').replace(/\n+$/, '')}\n`;
}
