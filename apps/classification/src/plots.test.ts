import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  accuracyVsPrunedSpec,
  epochCurvesSpec,
  plotFontFiles,
  renderPng,
  renderSvg,
  svgToPng,
  writePlots,
} from './plots.js';
import type { AccuracyPoint, EpochPoint } from './plots.js';
import type { Level, RunRecord, StrategyName } from './record.js';

/** A 3-epoch run: loss 1/epoch + seed/100, accuracy rising 5 points an epoch to `acc`, saved so far growing to `saved`. */
function fakeRun(strategy: StrategyName, level: Level, seed: number, acc: number, saved: number, time: number): RunRecord {
  return {
    version: 1,
    config: {
      model: 'mlp',
      strategy,
      level,
      strategyOptions: {},
      seed,
      epochs: 3,
      batchSize: 64,
      learningRate: 0.01,
      trainSize: 1000,
      testSize: 500,
      labelNoise: 0,
    },
    backend: 'cpu',
    epochs: [1, 2, 3].map((epoch) => ({
      epoch,
      phase: 'prune',
      trainLoss: 1 / epoch + seed / 100,
      testAccuracy: acc - (3 - epoch) * 0.05,
      visited: 1000 - Math.round(saved * 1000),
      prunedRatio: saved,
      savedRatioSoFar: saved * (epoch / 3),
      wallTimeMs: time / 3,
    })),
    finalAccuracy: acc,
    savedRatio: saved,
    trainTimeMs: time,
    totalTimeMs: time + 100,
    startedAt: '2025-01-01T00:00:00.000Z',
  };
}

/** full + staticRandom + seta at L1 and L2, seeds 1 and 2 (the same numbers as report.test.ts). */
const RECORDS: RunRecord[] = [
  fakeRun('seta', 'L2', 1, 0.84, 0.48, 600),
  fakeRun('staticRandom', 'L1', 1, 0.83, 0.3, 700),
  fakeRun('full', 'none', 1, 0.86, 0, 1000),
  fakeRun('seta', 'L1', 2, 0.87, 0.32, 840),
  fakeRun('staticRandom', 'L2', 1, 0.8, 0.5, 550),
  fakeRun('full', 'none', 2, 0.84, 0, 1200),
  fakeRun('seta', 'L1', 1, 0.85, 0.28, 800),
  fakeRun('staticRandom', 'L1', 2, 0.85, 0.3, 760),
  fakeRun('staticRandom', 'L2', 2, 0.82, 0.5, 550),
  fakeRun('seta', 'L2', 2, 0.84, 0.52, 640),
];

const PNG_SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];
/** Width and height from a PNG's IHDR chunk. */
function pngSize(png: Uint8Array): { width: number; height: number } {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

// Loose views of the specs, for reading fields in assertions.
type Loose = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('accuracyVsPrunedSpec', () => {
  const spec = accuracyVsPrunedSpec(RECORDS, 'mlp') as Loose;

  it('holds one row per strategy × level: mean pruned % and accuracy % with ± std ends', () => {
    const rows = spec.data.values as AccuracyPoint[];
    expect(rows.map((r) => `${r.strategy}/${r.level}`)).toEqual([
      'full/none',
      'staticRandom/L1',
      'staticRandom/L2',
      'seta/L1',
      'seta/L2',
    ]);
    const seta = rows[3]!;
    expect(seta.seeds).toBe(2);
    expect(seta.pruned).toBeCloseTo(30, 12);
    expect(seta.prunedStd).toBeCloseTo(4 / Math.SQRT2, 12);
    expect(seta.accuracy).toBeCloseTo(86, 12);
    expect(seta.accuracyStd).toBeCloseTo(Math.SQRT2, 12);
    expect(seta.accuracyLow).toBeCloseTo(86 - Math.SQRT2, 12);
    expect(seta.accuracyHigh).toBeCloseTo(86 + Math.SQRT2, 12);
    expect(rows[0]).toMatchObject({ strategy: 'full', pruned: 0 });
    expect(rows[0]!.accuracy).toBeCloseTo(85, 12);
  });

  it('draws x = realised pruned %, y = accuracy, colour = strategy, with error bars, lines, points and a full rule', () => {
    expect(spec.$schema).toMatch(/vega-lite\/v5/);
    const marks = spec.layer.map((l: Loose) => l.mark.type);
    expect(marks).toEqual(['rule', 'errorbar', 'line', 'point', 'text']);
    const [rule, errorbar, line, point] = spec.layer as Loose[];
    expect(rule!.transform).toEqual([{ filter: "datum.strategy === 'full'" }]);
    expect(rule!.encoding.y.field).toBe('accuracy');
    expect(rule!.encoding.x).toBeUndefined(); // spans the whole width
    expect(errorbar!.encoding.y.field).toBe('accuracyLow');
    expect(errorbar!.encoding.y2.field).toBe('accuracyHigh');
    for (const layer of [line!, point!]) {
      expect(layer.encoding.x).toMatchObject({ field: 'pruned', type: 'quantitative' });
      expect(layer.encoding.y).toMatchObject({ field: 'accuracy', type: 'quantitative' });
      expect(layer.encoding.color.field).toBe('strategy');
    }
    expect(line!.encoding.order.field).toBe('pruned');
    expect(point!.encoding.color.scale.domain).toEqual(['full', 'staticRandom', 'seta']);
  });

  it('gives each strategy the same colour whichever others are present', () => {
    const without = accuracyVsPrunedSpec(RECORDS.filter((r) => r.config.strategy !== 'staticRandom'), 'mlp') as Loose;
    const colourOf = (s: Loose, name: string) => {
      const scale = s.layer[3].encoding.color.scale;
      return scale.range[scale.domain.indexOf(name)];
    };
    expect(colourOf(without, 'seta')).toBe(colourOf(spec, 'seta'));
  });

  it('rejects a model without records', () => {
    expect(() => accuracyVsPrunedSpec(RECORDS, 'cnn')).toThrow(
      new RangeError('accuracyVsPrunedSpec(): no record of model "cnn" (the records have "mlp")'),
    );
    expect(() => accuracyVsPrunedSpec(RECORDS, 3 as never)).toThrow(TypeError);
  });
});

describe('epochCurvesSpec', () => {
  const spec = epochCurvesSpec(RECORDS, 'mlp', 'L1') as Loose;

  it('has three stacked panels: train loss, test accuracy, saved so far, against the epoch', () => {
    expect(spec.vconcat).toHaveLength(3);
    expect(spec.vconcat.map((p: Loose) => p.encoding.y.field)).toEqual(['trainLoss', 'testAccuracy', 'savedSoFar']);
    for (const panel of spec.vconcat as Loose[]) {
      expect(panel.encoding.x).toMatchObject({ field: 'epoch', type: 'quantitative' });
      expect(panel.encoding.color.field).toBe('strategy');
      expect(panel.mark.type).toBe('line');
    }
  });

  it('averages each strategy’s epochs over seeds, at that level, with full as reference', () => {
    const rows = spec.data.values as EpochPoint[];
    expect(rows.map((r) => `${r.strategy}/${r.epoch}`)).toEqual([
      'full/1', 'full/2', 'full/3',
      'staticRandom/1', 'staticRandom/2', 'staticRandom/3',
      'seta/1', 'seta/2', 'seta/3',
    ]);
    const seta1 = rows[6]!;
    expect(seta1.seeds).toBe(2);
    expect(seta1.trainLoss).toBeCloseTo(1 + 0.015, 12); // seeds 1 and 2: 1.01, 1.02
    expect(seta1.testAccuracy).toBeCloseTo(86 - 10, 12); // (0.85 + 0.87) / 2 − 2 · 0.05
    expect(seta1.savedSoFar).toBeCloseTo(10, 12); // 30 % · 1/3
    expect(rows[5]!.savedSoFar).toBeCloseTo(30, 12);
  });

  it('plots the full run alone at level none', () => {
    const rows = (epochCurvesSpec(RECORDS, 'mlp', 'none') as Loose).data.values as EpochPoint[];
    expect(new Set(rows.map((r) => r.strategy))).toEqual(new Set(['full']));
  });

  it('rejects a level that is not one, or that the model has no run at', () => {
    expect(() => epochCurvesSpec(RECORDS, 'mlp', 'L4' as never)).toThrow(RangeError);
    expect(() => epochCurvesSpec(RECORDS, 'mlp', 'L3')).toThrow(
      new RangeError('epochCurvesSpec(): no mlp record at level "L3" (there are "none", "L1", "L2")'),
    );
  });
});

describe('renderSvg', () => {
  it('renders an SVG document naming every strategy and the axis titles', async () => {
    const svg = await renderSvg(accuracyVsPrunedSpec(RECORDS, 'mlp'));
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    for (const text of ['full', 'staticRandom', 'seta', 'Final test accuracy (%)', 'Realised pruned']) expect(svg).toContain(text);
  });

  it('renders the three epoch panels', async () => {
    const svg = await renderSvg(epochCurvesSpec(RECORDS, 'mlp', 'L2'));
    for (const text of ['Train loss', 'Test accuracy (%)', 'Saved so far', 'Epoch', 'seta']) expect(svg).toContain(text);
  });

  it('rejects what is not a spec', async () => {
    await expect(renderSvg(null as never)).rejects.toThrow(TypeError);
  });
});

describe('renderPng', () => {
  it('returns PNG bytes of plausible size, scaled by `scale`', async () => {
    const spec = accuracyVsPrunedSpec(RECORDS, 'mlp');
    const one = await renderPng(spec, { scale: 1 });
    const two = await renderPng(spec, { scale: 2 });
    expect(Array.from(two.subarray(0, 8))).toEqual(PNG_SIGNATURE);
    expect(two.length).toBeGreaterThan(10_000);
    expect(two.length).toBeLessThan(2_000_000);
    const a = pngSize(one);
    const b = pngSize(two);
    expect(a.width).toBeGreaterThan(500);
    expect(Math.abs(b.width - 2 * a.width)).toBeLessThanOrEqual(1);
    expect(Math.abs(b.height - 2 * a.height)).toBeLessThanOrEqual(1);
  });

  it('rejects a bad scale', async () => {
    await expect(renderPng(accuracyVsPrunedSpec(RECORDS, 'mlp'), { scale: 0 })).rejects.toThrow(RangeError);
  });
});

describe('svgToPng', () => {
  const text = (s: string) =>
    `<svg xmlns="http://www.w3.org/2000/svg" width="80" height="30"><text x="5" y="20" font-family="sans-serif" font-size="16">${s}</text></svg>`;

  it('draws text with the packaged DejaVu Sans (different words, different pixels)', async () => {
    expect(plotFontFiles().map((f) => f.replace(/.*[\\/]/, ''))).toEqual(['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf']);
    const blank = await svgToPng('<svg xmlns="http://www.w3.org/2000/svg" width="80" height="30"/>');
    const seta = await svgToPng(text('seta'));
    const scan = await svgToPng(text('scan'));
    expect(Buffer.from(seta).equals(Buffer.from(scan))).toBe(false);
    expect(Buffer.from(seta).equals(Buffer.from(blank))).toBe(false);
  });

  it('rejects what is not SVG markup', async () => {
    await expect(svgToPng(3 as never)).rejects.toThrow(new TypeError('svgToPng(): svg must be a string, got 3'));
    await expect(svgToPng('not svg')).rejects.toThrow();
  });
});

describe('writePlots', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('writes the accuracy plot and one epoch plot per level, each as SVG and PNG, into a new folder', async () => {
    const base = mkdtempSync(join(tmpdir(), 'plots-'));
    dirs.push(base);
    const out = join(base, 'nested', 'plots');
    const paths = await writePlots(RECORDS, out, { model: 'mlp', levels: ['L1', 'L2'], scale: 1 });
    expect(paths).toEqual(
      ['mlp-accuracy-vs-pruned', 'mlp-epoch-curves-L1', 'mlp-epoch-curves-L2'].flatMap((n) => [
        join(out, `${n}.svg`),
        join(out, `${n}.png`),
      ]),
    );
    for (const p of paths) {
      const bytes = readFileSync(p);
      if (p.endsWith('.png')) expect(Array.from(bytes.subarray(0, 8))).toEqual(PNG_SIGNATURE);
      else expect(bytes.toString('utf8')).toMatch(/^<svg[^]*seta[^]*<\/svg>\s*$/);
    }
  });

  it('defaults to every level the model has, full excepted', async () => {
    const base = mkdtempSync(join(tmpdir(), 'plots-'));
    dirs.push(base);
    const paths = await writePlots(RECORDS, base, { model: 'mlp', scale: 0.5 });
    expect(paths.map((p) => p.replace(/.*[\\/]/, ''))).toEqual([
      'mlp-accuracy-vs-pruned.svg',
      'mlp-accuracy-vs-pruned.png',
      'mlp-epoch-curves-L1.svg',
      'mlp-epoch-curves-L1.png',
      'mlp-epoch-curves-L2.svg',
      'mlp-epoch-curves-L2.png',
    ]);
  });

  it('checks everything before writing anything', async () => {
    const base = mkdtempSync(join(tmpdir(), 'plots-'));
    dirs.push(base);
    const out = join(base, 'never');
    await expect(writePlots(RECORDS, out, { model: 'mlp', levels: ['L1', 'L3'] })).rejects.toThrow(RangeError);
    expect(() => readFileSync(join(out, 'mlp-accuracy-vs-pruned.svg'))).toThrow();
  });
});
