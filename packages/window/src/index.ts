// Rounding as SeTa's reference code rounds
export { roundHalfEven } from './round-half-even.js';

// The sliding window
export { windowRange, windowSize } from './window.js';
export type { GroupRange, WindowOptions, WindowOrder, WindowVariant } from './window.js';
