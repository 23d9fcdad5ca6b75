// The SeTa pruner
export { seta } from './seta.js';
export type { SetaOptions } from './seta.js';

// Its clustering-and-window step, as a stage for custom pipelines
export { clusterWindowStage } from './cluster-window-stage.js';
export type { ClusterWindowOptions } from './cluster-window-stage.js';

// What a run is expected to save, and the pruneRatio for a target saving
export { expectedSavedRatio, optionsForSavedRatio } from './saved-ratio.js';
export type { SetaLossAssumptions } from './saved-ratio.js';
