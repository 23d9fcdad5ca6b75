import type { PipelinePruner } from '@seta/core';
import { CONFORMANCE_SETTINGS, makePruner } from '@seta-apps/shared/strategies';
import type { StrategyName } from '@seta-apps/shared/strategies';

/** Every strategy, built for a dataset of `size` samples over `epochs` epochs, with the shared table's conformance settings. */
export const strategies: Record<string, (size: number, epochs: number, seed: number) => PipelinePruner> = Object.fromEntries(
  (Object.keys(CONFORMANCE_SETTINGS) as StrategyName[]).map((name) => [
    name,
    (size: number, epochs: number, seed: number) => makePruner(name, CONFORMANCE_SETTINGS[name], { size, epochs, seed }),
  ]),
);
