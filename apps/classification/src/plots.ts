/**
 * The plots: Vega-Lite specs built from run records, rendered to SVG by Vega
 * in Node (no canvas needed) and to PNG by resvg, with a font shipped in an
 * npm package (DejaVu Sans from `dejavu-fonts-ttf`) so that every machine
 * draws the same text, whatever fonts it has installed.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkNumber, checkOneOf, checkOptions, describeValue } from '@seta/core';
import { renderSvg, svgToPng } from '@seta-apps/shared';
import type { TopLevelSpec } from 'vega-lite';
import type { Level, ModelName, RunRecord, StrategyName } from './record.js';
import { LEVEL_ORDER, STRATEGY_ORDER, meanStd, summarise } from './report.js';

export { plotFontFiles, renderPng, renderSvg, svgToPng } from '@seta-apps/shared';
export type { PngOptions } from '@seta-apps/shared';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';

/** One colour per strategy, the same in every plot (Tableau 10; full in grey). */
const STRATEGY_COLOURS: Readonly<Record<StrategyName, string>> = {
  full: '#79706e',
  staticRandom: '#4e79a7',
  dynamicRandom: '#f28e2b',
  infobatch: '#59a14f',
  seta: '#e15759',
  scan: '#b07aa1',
};
const EXTRA_COLOURS = ['#edc948', '#76b7b2', '#ff9da7', '#9c755f', '#bab0ac'];

/** The colour encoding for the strategies present, in canonical order, with fixed colours. */
function strategyColour(strategies: readonly string[]) {
  const domain = [...new Set(strategies)].sort(
    (a, b) => (rankOf(STRATEGY_ORDER, a) - rankOf(STRATEGY_ORDER, b)) || (a < b ? -1 : a > b ? 1 : 0),
  );
  let extra = 0;
  const range = domain.map(
    (s) => STRATEGY_COLOURS[s as StrategyName] ?? EXTRA_COLOURS[extra++ % EXTRA_COLOURS.length]!,
  );
  return { field: 'strategy', type: 'nominal' as const, title: 'Strategy', scale: { domain, range } };
}

function rankOf(order: readonly string[], value: string): number {
  const i = order.indexOf(value);
  return i === -1 ? order.length : i;
}

function checkModel(fn: string, records: readonly RunRecord[], model: unknown): ModelName {
  if (!Array.isArray(records)) throw new TypeError(`${fn}: records must be an array, got ${describeValue(records)}`);
  if (typeof model !== 'string') throw new TypeError(`${fn}: model must be a string, got ${describeValue(model)}`);
  const models = [...new Set(records.map((r) => r.config.model))];
  if (!models.includes(model as ModelName)) {
    throw new RangeError(
      `${fn}: no record of model ${describeValue(model)} (the records have ${models.length === 0 ? 'none' : models.map(describeValue).join(', ')})`,
    );
  }
  return model as ModelName;
}

/** A row of the accuracy-vs-pruned plot: one strategy at one level, mean over seeds, in percent. */
export interface AccuracyPoint {
  readonly strategy: StrategyName;
  readonly level: Level;
  readonly seeds: number;
  /** Mean realised pruned ratio, %. */
  readonly pruned: number;
  readonly prunedStd: number;
  /** Mean final test accuracy, %. */
  readonly accuracy: number;
  readonly accuracyStd: number;
  /** accuracy ∓ accuracyStd: the error bar's ends. */
  readonly accuracyLow: number;
  readonly accuracyHigh: number;
}

/**
 * Vega-Lite spec of final test accuracy against realised pruned %, for one
 * model: one coloured line with points per strategy through its levels
 * (mean over seeds, ± sample-std error bars, each point labelled with its
 * level), and the full-data run as a point at its realised ratio (0 %) plus a
 * dashed horizontal rule at its accuracy. O(n log n) time for n records.
 *
 * @param records - run records (see {@link summarise}).
 * @param model - the model to plot.
 * @returns a Vega-Lite 5 spec with its data inline (`data.values` are {@link AccuracyPoint}s).
 * @throws TypeError if `records` is not an array or `model` not a string.
 * @throws RangeError if no record is of `model`, or as {@link summarise}.
 * @example
 * accuracyVsPrunedSpec(records, 'mlp').data;
 * // { values: [{ strategy: 'full', level: 'none', seeds: 2, pruned: 0, accuracy: 85, … }, …] }
 */
export function accuracyVsPrunedSpec(records: readonly RunRecord[], model: ModelName): TopLevelSpec {
  const fn = 'accuracyVsPrunedSpec()';
  checkModel(fn, records, model);
  const values: AccuracyPoint[] = summarise(records.filter((r) => r.config.model === model)).map((r) => ({
    strategy: r.strategy,
    level: r.level,
    seeds: r.seeds,
    pruned: r.prunedMean * 100,
    prunedStd: r.prunedStd * 100,
    accuracy: r.accuracyMean * 100,
    accuracyStd: r.accuracyStd * 100,
    accuracyLow: (r.accuracyMean - r.accuracyStd) * 100,
    accuracyHigh: (r.accuracyMean + r.accuracyStd) * 100,
  }));
  const colour = strategyColour(values.map((v) => v.strategy));
  const x = { field: 'pruned', type: 'quantitative' as const, title: 'Realised pruned (% of sample visits saved)' };
  const y = {
    field: 'accuracy',
    type: 'quantitative' as const,
    title: 'Final test accuracy (%)',
    scale: { zero: false },
  };
  const tooltip = [
    { field: 'strategy', type: 'nominal' as const },
    { field: 'level', type: 'nominal' as const },
    { field: 'seeds', type: 'quantitative' as const },
    { field: 'pruned', type: 'quantitative' as const, format: '.1f', title: 'pruned %' },
    { field: 'accuracy', type: 'quantitative' as const, format: '.2f', title: 'accuracy %' },
    { field: 'accuracyStd', type: 'quantitative' as const, format: '.2f', title: '± std' },
  ];
  return {
    $schema: SCHEMA,
    title: { text: `${model}: final test accuracy vs realised pruning`, subtitle: 'mean over seeds, bars ± sample std' },
    width: 520,
    height: 320,
    data: { values: values as unknown as Record<string, unknown>[] },
    layer: [
      {
        transform: [{ filter: "datum.strategy === 'full'" }],
        mark: { type: 'rule', strokeDash: [5, 4], opacity: 0.7 },
        encoding: { y, color: colour },
      },
      {
        mark: { type: 'errorbar', ticks: true },
        encoding: {
          x,
          y: { field: 'accuracyLow', type: 'quantitative', title: 'Final test accuracy (%)', scale: { zero: false } },
          y2: { field: 'accuracyHigh' },
          color: colour,
        },
      },
      {
        transform: [{ filter: "datum.strategy !== 'full'" }],
        mark: { type: 'line' },
        encoding: { x, y, color: colour, order: { field: 'pruned', type: 'quantitative' } },
      },
      {
        mark: { type: 'point', filled: true, size: 60 },
        encoding: { x, y, color: colour, tooltip },
      },
      {
        transform: [{ filter: "datum.strategy !== 'full'" }],
        mark: { type: 'text', dx: 7, dy: -7, align: 'left', fontSize: 9 },
        encoding: { x, y, text: { field: 'level' }, color: colour },
      },
    ],
  };
}

/** A row of the epoch-curves plot: one strategy at one epoch, mean over seeds. */
export interface EpochPoint {
  readonly strategy: StrategyName;
  readonly epoch: number;
  /** Seeds that reached this epoch. */
  readonly seeds: number;
  /** Mean per-sample training loss. */
  readonly trainLoss: number;
  /** Test accuracy after the epoch, %. */
  readonly testAccuracy: number;
  /** Realised saved ratio of the run so far, %. */
  readonly savedSoFar: number;
}

const EPOCH_PANELS = [
  { field: 'trainLoss', title: 'Train loss (mean per sample)' },
  { field: 'testAccuracy', title: 'Test accuracy (%)' },
  { field: 'savedSoFar', title: 'Saved so far (% of visits)' },
] as const;

/**
 * Vega-Lite spec of the per-epoch curves of one model at one pruning level:
 * three vertically concatenated panels (train loss, test accuracy, realised
 * saved ratio so far), one coloured line per strategy (mean over seeds), with
 * the full-data run drawn in every level's plot as the reference.
 * O(n · E) time for n records of E epochs.
 *
 * @param records - run records.
 * @param model - the model to plot.
 * @param level - the pruning level ('none' plots the full run alone).
 * @returns a Vega-Lite 5 spec with its data inline (`data.values` are {@link EpochPoint}s) and `vconcat` of three panels.
 * @throws TypeError if `records` is not an array, `model` or `level` not a string.
 * @throws RangeError if no record is of `model`, `level` is not a level, or no record of `model` is at `level`.
 * @example
 * epochCurvesSpec(records, 'mlp', 'L1').vconcat.map((p) => p.encoding.y.field);
 * // ['trainLoss', 'testAccuracy', 'savedSoFar']
 */
export function epochCurvesSpec(records: readonly RunRecord[], model: ModelName, level: Level): TopLevelSpec {
  const fn = 'epochCurvesSpec()';
  checkModel(fn, records, model);
  checkOneOf(fn, 'level', level, LEVEL_ORDER);
  const ofModel = records.filter((r) => r.config.model === model);
  if (!ofModel.some((r) => r.config.level === level)) {
    const levels = [...new Set(ofModel.map((r) => r.config.level))].sort((a, b) => rankOf(LEVEL_ORDER, a) - rankOf(LEVEL_ORDER, b));
    throw new RangeError(`${fn}: no ${model} record at level ${describeValue(level)} (there are ${levels.map(describeValue).join(', ')})`);
  }
  const chosen = ofModel.filter((r) => r.config.level === level || r.config.strategy === 'full');

  const byKey = new Map<string, { strategy: StrategyName; epoch: number; loss: number[]; acc: number[]; saved: number[] }>();
  for (const r of chosen) {
    for (const e of r.epochs) {
      const key = JSON.stringify([r.config.strategy, e.epoch]);
      let acc = byKey.get(key);
      if (acc === undefined) {
        acc = { strategy: r.config.strategy, epoch: e.epoch, loss: [], acc: [], saved: [] };
        byKey.set(key, acc);
      }
      acc.loss.push(e.trainLoss);
      acc.acc.push(e.testAccuracy);
      acc.saved.push(e.savedRatioSoFar);
    }
  }
  const values: EpochPoint[] = [...byKey.values()]
    .map((g) => ({
      strategy: g.strategy,
      epoch: g.epoch,
      seeds: g.loss.length,
      trainLoss: meanStd(g.loss).mean,
      testAccuracy: meanStd(g.acc).mean * 100,
      savedSoFar: meanStd(g.saved).mean * 100,
    }))
    .sort((a, b) => rankOf(STRATEGY_ORDER, a.strategy) - rankOf(STRATEGY_ORDER, b.strategy) || a.epoch - b.epoch);

  const colour = strategyColour(values.map((v) => v.strategy));
  return {
    $schema: SCHEMA,
    title: { text: `${model}, ${level === 'none' ? 'full data' : `level ${level}`}: per-epoch curves`, subtitle: 'mean over seeds' },
    data: { values: values as unknown as Record<string, unknown>[] },
    spacing: 12,
    vconcat: EPOCH_PANELS.map((panel, i) => ({
      width: 520,
      height: 140,
      mark: { type: 'line' as const, point: true },
      encoding: {
        x: {
          field: 'epoch',
          type: 'quantitative' as const,
          title: i === EPOCH_PANELS.length - 1 ? 'Epoch' : null,
          axis: { tickMinStep: 1, format: 'd' },
        },
        y: { field: panel.field, type: 'quantitative' as const, title: panel.title, scale: { zero: false } },
        color: colour,
        tooltip: [
          { field: 'strategy', type: 'nominal' as const },
          { field: 'epoch', type: 'quantitative' as const },
          { field: 'seeds', type: 'quantitative' as const },
          { field: panel.field, type: 'quantitative' as const, format: '.3f' },
        ],
      },
    })),
    resolve: { scale: { color: 'shared' } },
  };
}

/** Options of {@link writePlots}. */
export interface WritePlotsOptions {
  /** The model to plot. */
  readonly model: ModelName;
  /** The levels to draw epoch curves for; by default every level the model's records have, 'none' excepted unless it is the only one. */
  readonly levels?: readonly Level[];
  /** PNG pixels per SVG unit (default 2). */
  readonly scale?: number;
}

/**
 * Write the plots of one model into `outDir` (created if missing), each as
 * .svg and .png: `<model>-accuracy-vs-pruned` and one
 * `<model>-epoch-curves-<level>` per level. All specs are built (and so
 * checked) before anything is written.
 *
 * @param records - run records.
 * @param outDir - the folder to write into.
 * @param options - `model`, optionally `levels` and `scale`.
 * @returns the paths written, SVG before PNG, the accuracy plot first.
 * @throws TypeError / RangeError as {@link accuracyVsPrunedSpec} and {@link epochCurvesSpec}, for a non-string `outDir`, or a `levels` that is not an array; file-system errors as they come.
 * @example
 * await writePlots(records, 'out', { model: 'mlp', levels: ['L1'] });
 * // ['out/mlp-accuracy-vs-pruned.svg', 'out/mlp-accuracy-vs-pruned.png',
 * //  'out/mlp-epoch-curves-L1.svg', 'out/mlp-epoch-curves-L1.png']
 */
export async function writePlots(records: readonly RunRecord[], outDir: string, options: WritePlotsOptions): Promise<string[]> {
  const fn = 'writePlots()';
  if (typeof outDir !== 'string' || outDir === '') {
    throw new TypeError(`${fn}: outDir must be a non-empty string, got ${describeValue(outDir)}`);
  }
  checkOptions(fn, options);
  if (options === undefined) throw new TypeError(`${fn}: options must be an object, got undefined`);
  const { model, scale } = options;
  checkModel(fn, records, model);
  if (options.levels !== undefined && !Array.isArray(options.levels)) {
    throw new TypeError(`${fn}: options.levels must be an array, got ${describeValue(options.levels)}`);
  }
  const present = [...new Set(records.filter((r) => r.config.model === model).map((r) => r.config.level))].sort(
    (a, b) => rankOf(LEVEL_ORDER, a) - rankOf(LEVEL_ORDER, b),
  );
  const levels =
    options.levels ?? (present.some((l) => l !== 'none') ? present.filter((l) => l !== 'none') : present);

  const plots: { name: string; spec: TopLevelSpec }[] = [
    { name: `${model}-accuracy-vs-pruned`, spec: accuracyVsPrunedSpec(records, model) },
    ...levels.map((level) => ({ name: `${model}-epoch-curves-${level}`, spec: epochCurvesSpec(records, model, level) })),
  ];
  await mkdir(outDir, { recursive: true });
  const paths: string[] = [];
  for (const { name, spec } of plots) {
    const svg = await renderSvg(spec);
    const svgPath = join(outDir, `${name}.svg`);
    const pngPath = join(outDir, `${name}.png`);
    await writeFile(svgPath, svg);
    await writeFile(pngPath, await svgToPng(svg, scale === undefined ? {} : { scale }));
    paths.push(svgPath, pngPath);
  }
  return paths;
}
