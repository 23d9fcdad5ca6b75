import { describe, expect, it } from 'vitest';
import { meanStd, plotFontFiles, renderPng, renderSvg, svgToPng } from './index.js';

const SPEC = {
  data: { values: [{ x: 1, y: 2, s: 'seta' }, { x: 2, y: 3, s: 'scan' }] },
  mark: 'point',
  encoding: {
    x: { field: 'x', type: 'quantitative', title: 'Visited (%)' },
    y: { field: 'y', type: 'quantitative' },
    color: { field: 's', type: 'nominal' },
  },
} as const;
const PNG_SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];
const pngWidth = (png: Uint8Array) => new DataView(png.buffer, png.byteOffset).getUint32(16);

describe('renderSvg / renderPng / svgToPng', () => {
  it('renders an SVG with the spec’s titles and legend entries', async () => {
    const svg = await renderSvg(SPEC as never);
    expect(svg).toMatch(/^<svg[^]*<\/svg>\s*$/);
    for (const text of ['Visited (%)', 'seta', 'scan']) expect(svg).toContain(text);
  });

  it('rasterises to PNG, scaled by `scale`', async () => {
    const one = await renderPng(SPEC as never, { scale: 1 });
    const two = await renderPng(SPEC as never, { scale: 2 });
    expect(Array.from(two.subarray(0, 8))).toEqual(PNG_SIGNATURE);
    expect(Math.abs(pngWidth(two) - 2 * pngWidth(one))).toBeLessThanOrEqual(1);
  });

  it('draws text with the packaged font only', async () => {
    expect(plotFontFiles().map((f) => f.replace(/.*[\\/]/, ''))).toEqual(['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf']);
    const text = (s: string) =>
      `<svg xmlns="http://www.w3.org/2000/svg" width="80" height="30"><text x="5" y="20" font-size="16">${s}</text></svg>`;
    expect(Buffer.from(await svgToPng(text('seta'))).equals(Buffer.from(await svgToPng(text('scan'))))).toBe(false);
  });

  it('rejects bad input naming the function', async () => {
    await expect(renderSvg(null as never)).rejects.toThrow(/^renderSvg\(\): spec must be/);
    await expect(svgToPng(3 as never)).rejects.toThrow('svgToPng(): svg must be a string, got 3');
    await expect(renderPng(SPEC as never, { scale: 0 })).rejects.toThrow(RangeError);
  });
});

describe('meanStd', () => {
  it('gives the mean and the n − 1 standard deviation', () => {
    const { mean, std } = meanStd([0.8, 0.9]);
    expect(mean).toBeCloseTo(0.85, 12);
    expect(std).toBeCloseTo(Math.SQRT1_2 * 0.1, 12);
    expect(meanStd([3, 3, 3])).toEqual({ mean: 3, std: 0 });
    expect(meanStd([5])).toEqual({ mean: 5, std: 0 });
    expect(meanStd([]).mean).toBeNaN();
  });
});
