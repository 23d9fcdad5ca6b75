// The InfoBatch pruner
export { infobatch } from './infobatch.js';
export type { InfoBatchOptions } from './infobatch.js';

// Its pruning step, as a stage for custom pipelines
export { belowMeanStage, infobatchKeep } from './below-mean-stage.js';
export type { BelowMeanOptions } from './below-mean-stage.js';

// What a run is expected to save, and the pruneRatio for a target saving
export { EXPONENTIAL_BELOW_MEAN_SHARE, expectedSavedRatio, optionsForSavedRatio } from './saved-ratio.js';
export type { InfoBatchLossAssumptions } from './saved-ratio.js';
