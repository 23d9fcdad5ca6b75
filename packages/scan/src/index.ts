// The SCAN pruner
export { scan } from './scan.js';
export type { ScanOptions } from './scan.js';

// Its schedule and candidate collection, as a stage for custom pipelines
export { scanStage } from './scan-stage.js';
export type { ScanMode, ScanStageOptions } from './scan-stage.js';

// What a run saves, and the pruneRatio for a target saving
export { expectedSavedRatio, optionsForSavedRatio } from './saved-ratio.js';
export type { ScanRunAssumptions } from './saved-ratio.js';
