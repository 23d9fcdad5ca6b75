/**
 * Training pairs with injected corruptions whose ground truth is kept:
 *
 * - **ill-matched** pairs (`mismatch`): CLIP-style, the caption is that of a
 *   random pair of another class; MoCo-style, the second view is drawn from
 *   that other pair's image instead of the sample's own.
 * - **near-duplicates** (`duplicates`): the pair is replaced by a slightly
 *   perturbed copy (pixel noise, a one-pixel shift) of one of a few source
 *   pairs, with a freshly generated caption of the same image — so each
 *   source appears `copies + 1` times, as repeated images do in web data.
 *
 * Corrupted sets are disjoint; sources are never corrupted themselves.
 * Ill-matched pairs take a clean pair's caption, so the held-out class–tone
 * pairs stay absent from every caption.
 */
import type { ImageSplit } from '@seta-apps/shared';
import { Random, checkInteger, checkNumber, describeValue, shuffleInPlace } from '@seta/core';
import type { AttributeCuts } from './captions.js';
import { attributeCuts, caption, imageAttributes } from './captions.js';

/** Options of {@link buildPairs}. */
export interface PairOptions {
  /** Share of ill-matched pairs, in [0, 0.9]. */
  readonly mismatch: number;
  /** Share of near-duplicate pairs, in [0, 0.9]; `mismatch + duplicates ≤ 0.9`. */
  readonly duplicates: number;
  /** Copies made of each source image (default 4). */
  readonly copies?: number;
  readonly seed: number;
  /** Attribute cuts for the captions (default: computed on `split`). */
  readonly cuts?: AttributeCuts;
  /**
   * Caption held-out class–tone pairs without their tone (default true), so
   * that no caption names them together: the compositional zero-shot
   * evaluation's premise (captions.ts, `HELD_OUT_TONE`).
   */
  readonly holdOutPairs?: boolean;
}

/** The pairs, with what was done to each. */
export interface PairSet {
  readonly count: number;
  /** `count × pixels` 8-bit images (duplicates already replaced). */
  readonly images: Uint8Array;
  readonly pixels: number;
  /** The class of each image. */
  readonly labels: Uint8Array;
  /** Caption of each pair (describes `captionLabels[i]`). */
  readonly captions: readonly string[];
  readonly captionLabels: Uint8Array;
  /** Where the pair's second view comes from: `i` itself, or another pair when ill-matched. */
  readonly partner: Int32Array;
  /** 1 where the pair is ill-matched. */
  readonly mismatched: Uint8Array;
  /** 1 where the pair is a near-duplicate copy. */
  readonly duplicate: Uint8Array;
  /** The source pair of each copy, −1 elsewhere. */
  readonly sourceOf: Int32Array;
  readonly mismatchedCount: number;
  readonly duplicateCount: number;
  readonly cuts: AttributeCuts;
}

/** A clean caption per image of a split (for evaluation sets). */
export function captionSplit(split: ImageSplit, cuts: AttributeCuts, seed: number): string[] {
  const pixels = split.rows * split.cols;
  const rng = new Random(seed);
  return Array.from({ length: split.count }, (_, i) =>
    caption(split.labels[i]!, imageAttributes(split.images, i * pixels, pixels, cuts), rng),
  );
}

/**
 * Build the training pairs of `split` with the corruptions of `options`,
 * deterministic for the seed. O(count · pixels).
 *
 * @throws RangeError naming the option for shares out of range or too few images.
 */
export function buildPairs(split: ImageSplit, options: PairOptions): PairSet {
  const fn = 'buildPairs()';
  if (options === null || typeof options !== 'object') throw new TypeError(`${fn}: options must be an object, got ${describeValue(options)}`);
  const mismatch = checkNumber(fn, 'options.mismatch', options.mismatch, 0, 0.9);
  const duplicates = checkNumber(fn, 'options.duplicates', options.duplicates, 0, 0.9);
  if (mismatch + duplicates > 0.9) {
    throw new RangeError(`${fn}: options.mismatch + options.duplicates must be at most 0.9, got ${mismatch} + ${duplicates}`);
  }
  const copies = checkInteger(fn, 'options.copies', options.copies ?? 4, 1, 1000);
  const seed = checkInteger(fn, 'options.seed', options.seed, 0, 2 ** 32 - 1);
  const n = split.count;
  if (n < 10) throw new RangeError(`${fn}: need at least 10 images, got ${n}`);
  const pixels = split.rows * split.cols;
  const cuts = options.cuts ?? attributeCuts(split.images, n, pixels);
  const holdOut = options.holdOutPairs ?? true;
  const rng = new Random(seed);

  const duplicateCount = Math.round(duplicates * n);
  const mismatchedCount = Math.round(mismatch * n);
  const sourceCount = Math.ceil(duplicateCount / copies);
  // A random order of the pairs: copies first, then ill-matched, then sources; the rest stay clean.
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  shuffleInPlace(order, rng);

  const images = split.images.slice(0, n * pixels);
  const labels = split.labels.slice(0, n);
  const partner = new Int32Array(n);
  for (let i = 0; i < n; i++) partner[i] = i;
  const mismatched = new Uint8Array(n);
  const duplicate = new Uint8Array(n);
  const sourceOf = new Int32Array(n).fill(-1);

  const sources = order.subarray(duplicateCount + mismatchedCount, duplicateCount + mismatchedCount + sourceCount);
  for (let c = 0; c < duplicateCount; c++) {
    const id = order[c]!;
    const src = sources[c % sourceCount]!;
    nearCopy(split.images, src * pixels, images, id * pixels, split.rows, split.cols, rng);
    labels[id] = split.labels[src]!;
    duplicate[id] = 1;
    sourceOf[id] = src;
  }
  const captionLabels = labels.slice();
  const captions: string[] = new Array<string>(n);
  for (let i = 0; i < n; i++) captions[i] = caption(labels[i]!, imageAttributes(images, i * pixels, pixels, cuts), rng, { holdOut });

  // Ill-matched: take the caption (and, for two views, the image) of a random clean pair of another class.
  const clean = order.subarray(duplicateCount + mismatchedCount);
  for (let c = 0; c < mismatchedCount; c++) {
    const id = order[duplicateCount + c]!;
    let other = clean[rng.nextInt(clean.length)]!;
    for (let tries = 0; labels[other] === labels[id] && tries < 1000; tries++) other = clean[rng.nextInt(clean.length)]!;
    if (labels[other] === labels[id]) throw new RangeError(`${fn}: the split has a single class; cannot make ill-matched pairs`);
    captions[id] = captions[other]!;
    captionLabels[id] = labels[other]!;
    partner[id] = other;
    mismatched[id] = 1;
  }
  return {
    count: n,
    images,
    pixels,
    labels,
    captions,
    captionLabels,
    partner,
    mismatched,
    duplicate,
    sourceOf,
    mismatchedCount,
    duplicateCount,
    cuts,
  };
}

/** A near-duplicate of an image: shifted by at most one pixel each way, with ±8 levels of uniform noise. */
function nearCopy(src: Uint8Array, from: number, dst: Uint8Array, to: number, rows: number, cols: number, rng: Random): void {
  const dy = rng.nextInt(3) - 1;
  const dx = rng.nextInt(3) - 1;
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < cols; x++) {
      const sy = y - dy;
      const sx = x - dx;
      const v = sy >= 0 && sy < rows && sx >= 0 && sx < cols ? src[from + sy * cols + sx]! : 0;
      const noisy = v + rng.nextInt(17) - 8;
      dst[to + y * cols + x] = noisy < 0 ? 0 : noisy > 255 ? 255 : noisy;
    }
  }
}
