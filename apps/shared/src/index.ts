/**
 * What the apps share: the Fashion-MNIST files and their strict loader, data
 * splits and label noise, plot rendering (Vega-Lite to SVG and PNG) and
 * summary statistics. Private to this repository; not published.
 */
export { DatasetError, FASHION_MNIST_CLASSES, decodeIdx, fashionMnistDir, loadDataset, loadSplit } from './idx.js';
export type { Dataset, IdxTensor, ImageSplit, LoadOptions } from './idx.js';
export { carveValidation, subset, symmetricLabelNoise } from './splits.js';
export type { NoisyLabels } from './splits.js';
export { plotFontFiles, renderPng, renderSvg, svgToPng } from './render.js';
export type { PngOptions } from './render.js';
export { meanStd } from './stats.js';
export { parseList, parsePositive, parseSeeds, readRunRecords } from './cli-args.js';
export { makePruner, watchPlans } from './pruners.js';
export type { StrategyName } from './pruners.js';
