// 1-D k-means: exact (dynamic programming with SMAWK) and Lloyd
export { kmeans1d, kmeans1dSorted } from './kmeans-1d.js';
export type { Kmeans1dMethod, Kmeans1dOptions, Kmeans1dResult } from './kmeans-1d.js';
export { Kmeans1dWorkspace } from './workspace.js';

// Labelling values by a result's bounds
export { assign } from './assign.js';
