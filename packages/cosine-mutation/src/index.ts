// The cosine ratio of SCAN's eq. 3
export { cosineRatio, meanCycleRatio } from './cosine-ratio.js';

// Cycles of preparation and mutation epochs
export { cyclePhase } from './cycle-phase.js';
export type { CyclePhase } from './cycle-phase.js';
