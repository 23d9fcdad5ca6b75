/**
 * The plots: Vega-Lite specs from run records (means over seeds), rendered
 * to SVG and PNG by @seta-apps/shared.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { meanStd, renderSvg, svgToPng } from '@seta-apps/shared';
import type { TopLevelSpec } from 'vega-lite';
import type { RunRecord, Style } from './record.js';
import { STRATEGIES, STYLES } from './strategies.js';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';
/** The classification app's colours for the same strategies. */
const COLOURS: Record<string, string> = {
  full: '#79706e',
  dynamicRandom: '#f28e2b',
  infobatch: '#59a14f',
  seta: '#e15759',
  scan: '#b07aa1',
};

function colour(records: readonly RunRecord[]) {
  const domain = STRATEGIES.filter((s) => records.some((r) => r.config.strategy === s));
  return { field: 'strategy', type: 'nominal' as const, title: 'Strategy', scale: { domain, range: domain.map((s) => COLOURS[s]!) } };
}

/** Per (strategy, epoch): means over seeds of the per-epoch values. */
export function epochRows(records: readonly RunRecord[], style: Style) {
  const groups = new Map<string, { strategy: string; epoch: number; metric: number[]; loss: number[]; pruned: number[]; mis: number[]; dup: number[] }>();
  for (const r of records.filter((x) => x.config.style === style)) {
    for (const e of r.epochs) {
      const key = `${r.config.strategy}/${e.epoch}`;
      const g = groups.get(key) ?? { strategy: r.config.strategy, epoch: e.epoch, metric: [], loss: [], pruned: [], mis: [], dup: [] };
      g.metric.push(e.metric);
      g.loss.push(e.trainLoss);
      g.pruned.push(e.prunedRatio);
      if (e.pruned > 0) {
        g.mis.push(e.prunedMismatched / e.pruned);
        g.dup.push(e.prunedDuplicate / e.pruned);
      }
      groups.set(key, g);
    }
  }
  return [...groups.values()].map((g) => ({
    strategy: g.strategy,
    epoch: g.epoch,
    seeds: g.metric.length,
    metric: meanStd(g.metric).mean * 100,
    loss: meanStd(g.loss).mean,
    pruned: meanStd(g.pruned).mean * 100,
    mismatchedPrecision: g.mis.length === 0 ? null : meanStd(g.mis).mean * 100,
    duplicatePrecision: g.dup.length === 0 ? null : meanStd(g.dup).mean * 100,
  }));
}

const METRIC_TITLE: Record<Style, string> = { clip: 'Prompt-classification accuracy (%), eval subset', moco: 'k-NN accuracy (%), eval subset' };

/** Per-epoch metric, training loss and pruned share, one line per strategy. */
export function epochsSpec(records: readonly RunRecord[], style: Style): TopLevelSpec {
  const values = epochRows(records, style);
  if (values.length === 0) throw new RangeError(`epochsSpec(): no ${style} record`);
  const panels = [
    { field: 'metric', title: METRIC_TITLE[style] },
    { field: 'loss', title: 'Training loss' },
    { field: 'pruned', title: 'Pruned this epoch (%)' },
  ];
  return {
    $schema: SCHEMA,
    title: `${style === 'clip' ? 'CLIP' : 'MoCo'}-style pre-training, per epoch (mean over seeds)`,
    data: { values },
    hconcat: panels.map((p) => ({
      width: 260,
      height: 200,
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'epoch', type: 'quantitative', title: 'Epoch' },
        y: { field: p.field, type: 'quantitative', title: p.title, scale: { zero: false } },
        color: colour(records.filter((r) => r.config.style === style)),
      },
    })),
    resolve: { scale: { color: 'shared' } },
  } as TopLevelSpec;
}

/** Share of each epoch's pruned samples that are ill-matched / duplicates, with the random base rate. */
export function prunedSpec(records: readonly RunRecord[], style: Style): TopLevelSpec {
  const ofStyle = records.filter((r) => r.config.style === style);
  const values = epochRows(records, style).filter((v) => v.mismatchedPrecision !== null);
  if (ofStyle.length === 0) throw new RangeError(`prunedSpec(): no ${style} record`);
  const c = ofStyle[0]!.corruption;
  const panels = [
    { field: 'mismatchedPrecision', title: 'Ill-matched among pruned (%)', base: (c.mismatched / c.size) * 100 },
    { field: 'duplicatePrecision', title: 'Duplicates among pruned (%)', base: (c.duplicate / c.size) * 100 },
  ];
  return {
    $schema: SCHEMA,
    title: `${style === 'clip' ? 'CLIP' : 'MoCo'}-style: what the pruned samples were (dashed: share in the data)`,
    hconcat: panels.map((p) => ({
      width: 300,
      height: 220,
      layer: [
        {
          data: { values },
          mark: { type: 'line', point: true },
          encoding: {
            x: { field: 'epoch', type: 'quantitative', title: 'Epoch' },
            y: { field: p.field, type: 'quantitative', title: p.title, scale: { domain: [0, 100] } },
            color: colour(ofStyle),
          },
        },
        { data: { values: [{ base: p.base }] }, mark: { type: 'rule', strokeDash: [4, 4], color: '#333' }, encoding: { y: { field: 'base', type: 'quantitative' } } },
      ],
    })),
    resolve: { scale: { color: 'shared' } },
  } as TopLevelSpec;
}

/** Write `<style>-epochs` and `<style>-pruned` (SVG and PNG) for each style present. */
export async function writePlots(records: readonly RunRecord[], outDir: string, scale = 2): Promise<string[]> {
  const plots: { name: string; spec: TopLevelSpec }[] = [];
  for (const style of STYLES) {
    const ofStyle = records.filter((r) => r.config.style === style);
    if (ofStyle.length === 0) continue;
    plots.push({ name: `${style}-epochs`, spec: epochsSpec(records, style) });
    if (ofStyle.some((r) => r.epochs.some((e) => e.pruned > 0))) plots.push({ name: `${style}-pruned`, spec: prunedSpec(records, style) });
  }
  await mkdir(outDir, { recursive: true });
  const paths: string[] = [];
  for (const { name, spec } of plots) {
    const svg = await renderSvg(spec);
    await writeFile(join(outDir, `${name}.svg`), svg);
    await writeFile(join(outDir, `${name}.png`), await svgToPng(svg, { scale }));
    paths.push(join(outDir, `${name}.svg`), join(outDir, `${name}.png`));
  }
  return paths;
}
