// The baseline pruners
export { dynamicRandom, full, staticRandom } from './baselines.js';
export type { BaselineOptions, RandomBaselineOptions } from './options.js';
