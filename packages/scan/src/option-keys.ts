/**
 * The options scan() accepts: its own check and those of the saved-ratio
 * functions, which take the same options, refuse exactly the same keys.
 */
export const OPTION_KEYS = [
  'size', 'epochs', 'pruneRatio', 'illRatio', 'redundantRatio', 'mutationEpochs', 'warmupThreshold', 'mode', 'maxLoss', 'minLoss', 'seed', 'nonFinite', 'targetSavedRatio',
] as const;
