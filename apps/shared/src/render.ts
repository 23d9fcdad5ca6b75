/**
 * Rendering Vega-Lite specs to SVG with Vega in Node (no canvas needed) and
 * to PNG with resvg, with a font shipped in an npm package (DejaVu Sans from
 * `dejavu-fonts-ttf`) so that every machine draws the same text, whatever
 * fonts it has installed.
 */
import { createRequire } from 'node:module';
import { Resvg } from '@resvg/resvg-js';
import { checkNumber, checkOptions, describeValue } from '@seta/core';
import { View, parse } from 'vega';
import { compile } from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';

/**
 * Render a Vega-Lite spec to an SVG document with Vega's headless SVG
 * renderer (no canvas, no network: data must be inline). Text widths are
 * Vega's estimates, as it has no canvas to measure with.
 *
 * @param spec - a Vega-Lite 5 spec.
 * @returns the SVG markup.
 * @throws TypeError if `spec` is not an object; whatever Vega-Lite throws for an invalid spec.
 * @example
 * await renderSvg({ data: { values: [{ x: 1 }] }, mark: 'point', encoding: { x: { field: 'x', type: 'quantitative' } } });
 * // '<svg xmlns="http://www.w3.org/2000/svg" … width="…" height="…" …>…</svg>'
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) {
    throw new TypeError(`renderSvg(): spec must be a Vega-Lite spec object, got ${describeValue(spec)}`);
  }
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Options of {@link renderPng} and {@link svgToPng}. */
export interface PngOptions {
  /** Pixels per SVG unit, in (0, 10]; 2 by default (a crisp image on high-density screens). */
  readonly scale?: number;
}

let fontFilesCache: string[] | undefined;

/**
 * The font files resvg draws text with: DejaVu Sans regular and bold, from
 * the `dejavu-fonts-ttf` package (TrueType; resvg does not read WOFF2).
 * Resolved on first use.
 */
export function plotFontFiles(): readonly string[] {
  if (fontFilesCache === undefined) {
    const require = createRequire(import.meta.url);
    fontFilesCache = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((f) => require.resolve(`dejavu-fonts-ttf/ttf/${f}`));
  }
  return fontFilesCache;
}

/**
 * Rasterise an SVG document to PNG with resvg, drawing text with the fonts of
 * {@link plotFontFiles} only (system fonts are not loaded, so the image is
 * the same on every machine); every family (Vega's default is sans-serif)
 * falls back to DejaVu Sans. O(pixels) time and memory.
 *
 * @param svg - SVG markup.
 * @param options - `scale`, pixels per SVG unit (default 2).
 * @returns the PNG file's bytes.
 * @throws TypeError if `svg` is not a string; RangeError for a bad `scale`; resvg's error for invalid SVG.
 * @example
 * (await svgToPng('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>')).subarray(0, 4);
 * // Uint8Array [137, 80, 78, 71]
 */
export async function svgToPng(svg: string, options: PngOptions = {}): Promise<Uint8Array> {
  const fn = 'svgToPng()';
  if (typeof svg !== 'string') throw new TypeError(`${fn}: svg must be a string, got ${describeValue(svg)}`);
  checkOptions(fn, options);
  const scale = options.scale === undefined ? 2 : checkNumber(fn, 'options.scale', options.scale, 0, 10, { openMin: true });
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: {
      fontFiles: [...plotFontFiles()],
      loadSystemFonts: false,
      defaultFontFamily: 'DejaVu Sans',
      sansSerifFamily: 'DejaVu Sans',
      serifFamily: 'DejaVu Sans',
      monospaceFamily: 'DejaVu Sans',
    },
    logLevel: 'off',
  });
  const png = resvg.render().asPng();
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}

/**
 * Render a Vega-Lite spec to PNG: {@link renderSvg}, then {@link svgToPng}.
 *
 * @param spec - a Vega-Lite 5 spec.
 * @param options - `scale`, pixels per SVG unit (default 2).
 * @returns the PNG file's bytes.
 * @throws as {@link renderSvg} and {@link svgToPng}.
 * @example
 * (await renderPng(spec, { scale: 2 })).subarray(0, 4);
 * // Uint8Array [137, 80, 78, 71]
 */
export async function renderPng(spec: TopLevelSpec, options: PngOptions = {}): Promise<Uint8Array> {
  checkOptions('renderPng()', options);
  return svgToPng(await renderSvg(spec), options);
}
