// The baseline pruners
export { dynamicRandom, full, staticRandom } from './baselines.js';
export type { BaselineOptions, RandomBaselineOptions } from './options.js';

// What a run saves, and the pruneRatio that saves a target share
export { expectedSavedRatio, optionsForSavedRatio } from './saved-ratio.js';
