import { StateError, StateReader, StateWriter, bitsetHas, checkInteger, checkNumber, checkOneOf, checkOptionKeys, checkOptions, describeValue, float32Buffer, shuffleInPlace, uint32Buffer } from '@seta/core';
import type { Selection, Stage, StageContext, StageRestoreContext } from '@seta/core';
import { Kmeans1dWorkspace, kmeans1d } from '@seta/kmeans1d';
import { windowRange } from '@seta/window';
import type { GroupRange, WindowOrder, WindowVariant } from '@seta/window';

/** Options of {@link clusterWindowStage}. */
export interface ClusterWindowOptions {
  /** k: number of loss groups, an integer ≥ 1. */
  readonly groups: number;
  /** ws: fraction of the groups the window holds, in (0, 1] (ignored with a custom `window`). */
  readonly windowScale?: number;
  /** Direction of the walk (default `'easy-to-hard'`). */
  readonly order?: WindowOrder;
  /** `'cyclic'` (default) wraps around; `'continuous'` stays at the far end. */
  readonly variant?: WindowVariant;
  /**
   * A custom window instead of SeTa's: given the step `t` (0 at the first
   * prune epoch) and `k`, the groups to keep, by ascending centroid
   * (0 = easiest), `end` exclusive. E.g. `(t, k) => ({ start: 0, end: k - 1 })`
   * always drops the hardest group.
   */
  readonly window?: (step: number, groups: number) => GroupRange;
}

const KIND = 'stage:clusterWindow';

/**
 * SeTa's loss clustering and sliding window (docs/methods/seta.md, steps 2–4):
 * the seen members of the selection are partitioned by score into `k` groups
 * with the globally optimal 1-D k-means, ordered by centroid, and only the
 * groups inside this step's window are kept. Unseen members cannot be placed
 * on the curriculum and are always kept. If the seen members have fewer than
 * `k` distinct scores (e.g. early on), they are split in random order into
 * `k` near-equal consecutive chunks instead (sizes differ by at most one), as
 * the reference does. Step `t` counts the epochs this stage has planned; at
 * `t = 0` SeTa's window keeps every group.
 *
 * Weights of the selection, if any, are carried along. O(n log n) for n
 * selected ids (the sort inside k-means), O(n) memory.
 *
 * @param options - see {@link ClusterWindowOptions}.
 * @returns the stage (it needs a score store).
 * @throws TypeError for missing options, an unknown or `null` option, or a
 *   value of the wrong kind; RangeError for a value out of range.
 * @example
 * ```ts
 * // SeTa's clustering, but always dropping the hardest of 5 groups
 * clusterWindowStage({ groups: 5, window: (t, k) => ({ start: 0, end: k - 1 }) });
 * ```
 */
export function clusterWindowStage(options: ClusterWindowOptions): Stage {
  const fn = 'clusterWindowStage()';
  checkOptions(fn, options);
  if (options === undefined) throw new TypeError(`${fn}: options { groups } are required`);
  checkOptionKeys(fn, options, ['groups', 'windowScale', 'order', 'variant', 'window']);
  const groups = checkInteger(fn, 'groups', options.groups, 1);
  const custom = options.window;
  if (custom !== undefined && typeof custom !== 'function') {
    throw new TypeError(`${fn}: window must be a function (step, groups) => { start, end }, got ${describeValue(custom)}`);
  }
  const windowScale = checkNumber(fn, 'windowScale', options.windowScale ?? 0.5, 0, 1, { openMin: true });
  const order = checkOneOf(fn, 'order', options.order ?? 'easy-to-hard', ['easy-to-hard', 'hard-to-easy'] as const);
  const variant = checkOneOf(fn, 'variant', options.variant ?? 'cyclic', ['cyclic', 'continuous'] as const);
  let steps = 0;
  // k-means memory kept from one epoch to the next (~9 bytes per clustered sample).
  const workspace = new Kmeans1dWorkspace();

  const rangeAt = (step: number): GroupRange => {
    if (custom === undefined) return windowRange(step, groups, windowScale, { order, variant });
    const r = custom(step, groups);
    if (
      r === null ||
      typeof r !== 'object' ||
      !Number.isInteger(r.start) ||
      !Number.isInteger(r.end) ||
      r.start < 0 ||
      r.end > groups ||
      r.start > r.end
    ) {
      throw new RangeError(
        `clusterWindowStage: window(${step}, ${groups}) must return { start, end } with 0 ≤ start ≤ end ≤ ${groups}, got ${JSON.stringify(r)}`,
      );
    }
    return r;
  };

  return {
    name: 'clusterWindow',
    needsScores: true,
    select(selection: Selection, ctx: StageContext): Selection {
      const step = steps++;
      const { start, end } = rangeAt(step);
      if (start === 0 && end === groups) return { ...selection, phase: 'prune' };
      const store = ctx.store!;
      const scores = store.scores;
      const seen = store.seen;
      const src = selection.ids;
      const n = src === null ? ctx.size : src.length;
      const isSeen = (id: number) => bitsetHas(seen, id);

      // Scores of the seen members, in selection order.
      // memberScores[p]: the score of the p-th member, NaN if unseen (the window test below keeps NaN);
      // seenScores: the seen members' scores, for k-means — the same array once every sample is seen.
      const memberScores = float32Buffer(ctx, 'memberScores', n);
      let seenScores = memberScores;
      let m = n;
      if (store.seenCount === ctx.size) gatherAll(src, scores, memberScores);
      else {
        seenScores = float32Buffer(ctx, 'seenScores', n);
        m = gatherSeen(src, scores, seen, memberScores, seenScores);
      }

      const inWeights = selection.weights;

      // keepSeen(j, score): whether the j-th seen member (in selection order) is in the window.
      let keepSeen: (j: number, score: number) => boolean;
      // Sized once for every sample: the seen set grows over the first epochs, and would otherwise reallocate at each step up.
      workspace.reserve(ctx.size);
      const clusters = m === 0 ? null : kmeans1d(seenScores.subarray(0, m), groups, { workspace });
      if (clusters !== null && clusters.centroids.length === groups) {
        const lo = start > 0 ? clusters.bounds[start - 1]! : Number.NEGATIVE_INFINITY;
        const hi = end < groups ? clusters.bounds[end - 1]! : Number.POSITIVE_INFINITY;
        if (inWeights === null) {
          // The common case, in one loop: a seen member stays when its score is in (lo, hi] — exactly
          // the members of groups start … end-1 (bounds[g] is group g's largest score) — and an unseen
          // one always. So the count is known first, and the ids go straight into an array of the
          // plan's length (the plan's own when this is the last stage).
          let count = n - m;
          for (let g = start; g < end; g++) count += clusters.sizes[g]!;
          const ids = uint32Buffer(ctx, 'ids', count, { plan: true });
          const out = keepInWindow(src, memberScores, lo, hi, ids);
          if (out !== count) {
            throw new Error(`clusterWindowStage: internal error, the window kept ${out} members where its groups hold ${count}`);
          }
          return { ids, weights: null, phase: 'prune' };
        }
        keepSeen = (_j, s) => s > lo && s <= hi;
      } else {
        // Fewer distinct scores than groups: k near-equal chunks of the seen members in random order.
        const rank = new Uint32Array(m);
        for (let j = 0; j < m; j++) rank[j] = j;
        shuffleInPlace(rank, ctx.rng); // rank[j]: position of seen member j in the random order
        const q = Math.floor(m / groups);
        const r = m % groups; // the first r chunks hold q + 1
        const chunkOf = (pos: number) => (pos < r * (q + 1) ? Math.floor(pos / (q + 1)) : r + Math.floor((pos - r * (q + 1)) / Math.max(q, 1)));
        keepSeen = (j) => {
          const g = chunkOf(rank[j]!);
          return g >= start && g < end;
        };
      }

      const ids = uint32Buffer(ctx, 'ids', n);
      const weights = inWeights === null ? null : float32Buffer(ctx, 'weights', n);
      let out = 0;
      for (let p = 0, j = 0; p < n; p++) {
        const id = src === null ? p : src[p]!;
        let keep = true;
        if (isSeen(id)) {
          keep = keepSeen(j, seenScores[j]!);
          j++;
        }
        if (keep) {
          if (weights !== null) weights[out] = inWeights![p]!;
          ids[out++] = id;
        }
      }
      return { ids: ids.subarray(0, out), weights: weights === null ? null : weights.subarray(0, out), phase: 'prune' };
    },
    saveState(): Uint8Array {
      return new StateWriter(KIND, 1).json('steps', steps).finish();
    },
    loadState(state: Uint8Array, ctx?: StageRestoreContext): void {
      const lfn = 'clusterWindowStage.loadState()';
      const s = StateReader.open(state, KIND, 1, lfn).json<unknown>('steps');
      // A step is taken per epoch planned, so never more than the epochs finished.
      const most = ctx?.nextEpoch ?? Number.MAX_SAFE_INTEGER;
      if (typeof s !== 'number' || !Number.isInteger(s) || s < 0 || s > most) {
        throw new StateError(`${lfn}: state is inconsistent (steps must be an integer in [0, ${most}], got ${describeValue(s)})`);
      }
      steps = s;
    },
  };
}

/*
 * The stage's passes over the selection, as separate small functions (V8
 * optimizes each whole; see kmeans1d's sort.ts). The window tests are
 * branch-free: which group a score falls in is unpredictable.
 */

/** memberScores[p] = the score of the p-th selected id (every id is seen). */
function gatherAll(src: Uint32Array | null, scores: Float32Array, memberScores: Float32Array): void {
  if (src === null) {
    memberScores.set(scores.subarray(0, memberScores.length));
    return;
  }
  const n = src.length;
  for (let p = 0; p < n; p++) memberScores[p] = scores[src[p]!]!;
}

/** memberScores[p] = the score of the p-th selected id or NaN if unseen; seenScores ← the seen ones' scores, in order. Returns their count. */
function gatherSeen(
  src: Uint32Array | null,
  scores: Float32Array,
  seen: Uint32Array,
  memberScores: Float32Array,
  seenScores: Float32Array,
): number {
  const n = memberScores.length;
  let m = 0;
  for (let p = 0; p < n; p++) {
    const id = src === null ? p : src[p]!;
    const v = scores[id]!;
    const isSeen = bitsetHas(seen, id);
    memberScores[p] = isSeen ? v : Number.NaN;
    seenScores[m] = v;
    m += isSeen;
  }
  return m;
}

/**
 * The selected ids whose member score is in (lo, hi] or NaN (unseen), in
 * order, into `ids`, which holds exactly as many as are kept (or more); returns
 * how many were written — the pass stops once `ids` is full, so a miscount
 * shows as a short return rather than writes past the end. Branch-free:
 * every member is written and the position advances past the kept ones.
 * The test is written as "neither ≤ lo nor > hi", which a NaN passes.
 */
function keepInWindow(src: Uint32Array | null, memberScores: Float32Array, lo: number, hi: number, ids: Uint32Array): number {
  const n = memberScores.length;
  const room = ids.length;
  let out = 0;
  let p = 0;
  if (src === null) {
    for (; p < n && out < room; p++) {
      const v = memberScores[p]!;
      ids[out] = p;
      out += (1 ^ +(v <= lo)) & (1 ^ +(v > hi));
    }
    return out;
  }
  // Two members per step: fewer loop tests for V8's code.
  for (; p + 1 < n && out + 1 < room; p += 2) {
    const v = memberScores[p]!;
    const u = memberScores[p + 1]!;
    ids[out] = src[p]!;
    out += (1 ^ +(v <= lo)) & (1 ^ +(v > hi));
    ids[out] = src[p + 1]!;
    out += (1 ^ +(u <= lo)) & (1 ^ +(u > hi));
  }
  for (; p < n && out < room; p++) {
    const v = memberScores[p]!;
    ids[out] = src[p]!;
    out += (1 ^ +(v <= lo)) & (1 ^ +(v > hi));
  }
  return out;
}
