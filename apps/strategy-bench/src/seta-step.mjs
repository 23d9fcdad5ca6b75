/**
 * SeTa's pruning step (downsample, cluster, window) timed side by side with
 * two optimal 1-D k-means implementations on the same input: @seta/kmeans1d
 * (through the real pipeline stage) and simple-statistics' ckmeans (through
 * the same stage with a custom window computed from ckmeans' clusters).
 */
import { Random, createPruner, downsampleStage } from '@seta/core';
import { LossStore } from '@seta/loss-store';
import { clusterWindowStage } from '@seta/seta';
import { ckmeans } from 'simple-statistics';
import { windowRange } from '@seta/window';

export function setaStepComparison(size, { groups = 5, windowScale = 0.9, keep = 0.9 } = {}) {
  const store = new LossStore(size, { trackEpochs: false, trackCounts: false });
  const rng = new Random(3);
  const ids = new Uint32Array(size);
  for (let i = 0; i < size; i++) ids[i] = i;
  const losses = Float32Array.from(ids, () => -Math.log(1 - rng.nextFloat()) * (0.5 + rng.nextFloat()));
  store.record(ids, losses);

  // Ours: the real stages, at step t = 1.
  const ctx = { epoch: 1, epochs: 20, size, rng: new Random(11), store };
  const ours = clusterWindowStage({ groups, windowScale });
  ours.select({ ids: null, weights: null, phase: 'prune' }, ctx); // t = 0 (all groups, no clustering)
  const down = downsampleStage({ keep });
  const t0 = performance.now();
  const sel = down.select({ ids: null, weights: null, phase: 'full' }, ctx);
  const oursOut = ours.select(sel, ctx);
  const oursMs = performance.now() - t0;

  // Alternative: the same downsample (same generator state), then ckmeans on the sampled scores.
  const ctx2 = { ...ctx, rng: new Random(11) };
  const t1 = performance.now();
  const sel2 = down.select({ ids: null, weights: null, phase: 'full' }, ctx2);
  const values = Array.from(sel2.ids, (id) => store.scores[id]);
  const clusters = ckmeans(values, groups);
  const { start, end } = windowRange(1, groups, windowScale);
  const lo = start > 0 ? clusters[start - 1].at(-1) : -Infinity;
  const hi = end < groups ? clusters[end - 1].at(-1) : Infinity;
  const kept = sel2.ids.filter((id) => store.scores[id] > lo && store.scores[id] <= hi);
  const ckmeansMs = performance.now() - t1;

  const samePlan = kept.length === oursOut.ids.length && kept.every((id, i) => id === oursOut.ids[i]);
  return { size, groups, windowScale, keep, oursMs, ckmeansMs, ratio: ckmeansMs / oursMs, samePlan, kept: kept.length };
}
