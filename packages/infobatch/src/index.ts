// The InfoBatch pruner
export { infobatch } from './infobatch.js';
export type { InfoBatchOptions } from './infobatch.js';

// Its pruning step, as a stage for custom pipelines
export { belowMeanStage, infobatchKeep } from './below-mean-stage.js';
export type { BelowMeanOptions } from './below-mean-stage.js';
