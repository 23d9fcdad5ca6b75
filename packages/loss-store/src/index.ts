// Per-sample score storage
export { LossStore } from './loss-store.js';
export { LossStoreReads } from './store-reads.js';
export type { LossStoreOptions, ResolvedLossStoreOptions } from './options.js';
