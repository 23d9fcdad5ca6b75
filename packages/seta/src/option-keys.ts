/**
 * The options seta() accepts: its own check and those of the saved-ratio
 * functions, which take the same options, refuse exactly the same keys.
 */
export const OPTION_KEYS = ['size', 'epochs', 'pruneRatio', 'groups', 'windowScale', 'delta', 'order', 'variant', 'seed', 'nonFinite', 'targetSavedRatio'] as const;
