import { dynamicRandom, full, staticRandom } from '@seta/baselines';
import type { PipelinePruner } from '@seta/core';
import { infobatch } from '@seta/infobatch';
import { scan } from '@seta/scan';
import { seta } from '@seta/seta';

/** Every strategy, built for a dataset of `size` samples over `epochs` epochs. */
export const strategies: Record<string, (size: number, epochs: number, seed: number) => PipelinePruner> = {
  full: (size, epochs, seed) => full({ size, epochs, seed }),
  staticRandom: (size, epochs, seed) => staticRandom({ size, epochs, seed, pruneRatio: 0.3 }),
  dynamicRandom: (size, epochs, seed) => dynamicRandom({ size, epochs, seed, pruneRatio: 0.3 }),
  infobatch: (size, epochs, seed) => infobatch({ size, epochs, seed, pruneRatio: 0.5 }),
  seta: (size, epochs, seed) => seta({ size, epochs, seed, pruneRatio: 0.1, groups: 5, windowScale: 0.6 }),
  scan: (size, epochs, seed) => scan({ size, epochs, seed, pruneRatio: 0.3, mutationEpochs: 2, warmupThreshold: 0.9 }),
};
