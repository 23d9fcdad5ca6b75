/**
 * What the apps share: the Fashion-MNIST files and their strict loader, data
 * splits and label noise, plot rendering (Vega-Lite to SVG and PNG),
 * summary statistics, and the command line and run records every app has.
 * Private to this repository; not published.
 */
export { DatasetError, FASHION_MNIST_CLASSES, decodeIdx, fashionMnistDir, loadDataset, loadSplit } from './idx.js';
export type { Dataset, IdxTensor, ImageSplit, LoadOptions } from './idx.js';
export { carveValidation, subset, symmetricLabelNoise } from './splits.js';
export type { NoisyLabels } from './splits.js';
export { plotFontFiles, renderPng, renderSvg, svgToPng } from './render.js';
export type { PngOptions } from './render.js';
export { meanStd } from './stats.js';
export { COMMON_OPTIONS, parseBackend, parseList, parsePositive, parseSeeds, pickProfile } from './cli-args.js';
export type { BackendName } from './cli-args.js';
export { commandLine, gitCommit, logSetting, machineDescription, readNotes, reportTables, runIfMain, writeReport } from './cli-run.js';
export type { BackendChoice } from './cli-run.js';
export { readRunRecords, writeFileAtomic } from './run-record.js';
export type { EpochRecordBase, RunConfigBase, RunContext, RunRecordBase } from './run-record.js';
export { watchPlans } from './pruners.js';
export { budgetEpochCount, fullForBudget } from './budget.js';
export { accuracyAtVisits, checkPairing, compareWithCurve, meanCi95, perSeedValues, tQuantile975, visitsForAccuracy, withCi } from './evidence-stats.js';
export { formatCi, formatPct, formatPp, verdict } from './evidence-format.js';
export type { ArmRun, CurvePoint, EqualComputeComparison, MeanCi, PerSeed, VisitsNeeded } from './evidence-stats.js';
export {
  BENCH_SETTINGS,
  CONFORMANCE_SETTINGS,
  EVIDENCE_SETTINGS,
  LEVEL_TARGETS,
  STRATEGY_TABLE,
  STYLE_TARGETS,
  evidenceSettings,
  levelSettings,
  makePruner,
  strategyOptions,
  styleSettings,
} from './strategies.js';
export type { PrunedStrategy, PruningLevel, RunShape, StrategyEntry, StrategyName, StrategySettings } from './strategies.js';
