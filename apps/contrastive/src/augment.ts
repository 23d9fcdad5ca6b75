/**
 * The MoCo-style views: random augmentations of 8-bit grayscale images into
 * float pixels in [0, 1], drawing every random choice from a seeded
 * generator (the trainer's checkpointed one), so a resumed run sees the same
 * views as the uninterrupted one.
 */
import type { Random } from '@seta/core';

/** Augmentation strengths. */
export interface AugmentOptions {
  /** Largest shift in pixels, each axis (a random crop of the zero-padded image); default 3. */
  readonly maxShift?: number;
  /** Probability of a horizontal flip; default 0.5. */
  readonly flip?: number;
  /** Standard deviation of additive Gaussian noise on the [0, 1] scale; default 0.1. */
  readonly noise?: number;
  /** Probability of erasing a random rectangle (2–20 % of the image); default 0.5. */
  readonly erase?: number;
}

/** A standard normal draw (Box–Muller, one of the pair). */
function gaussian(rng: Random): number {
  const u = 1 - rng.nextFloat(); // (0, 1]
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.nextFloat());
}

/**
 * Write a random view of image `src[from … from + rows·cols)` into
 * `out[to …]`: shift (zero fill), flip, noise, erase, clamped to [0, 1].
 * O(rows · cols).
 */
export function augmentInto(
  src: Uint8Array,
  from: number,
  out: Float32Array,
  to: number,
  rows: number,
  cols: number,
  rng: Random,
  options: AugmentOptions = {},
): void {
  const maxShift = options.maxShift ?? 3;
  const dy = rng.nextInt(2 * maxShift + 1) - maxShift;
  const dx = rng.nextInt(2 * maxShift + 1) - maxShift;
  const flip = rng.nextFloat() < (options.flip ?? 0.5);
  const sigma = options.noise ?? 0.1;
  for (let y = 0; y < rows; y++) {
    const sy = y - dy;
    for (let x = 0; x < cols; x++) {
      const sx = (flip ? cols - 1 - x : x) - dx;
      let v = sy >= 0 && sy < rows && sx >= 0 && sx < cols ? src[from + sy * cols + sx]! / 255 : 0;
      if (sigma > 0) v += sigma * gaussian(rng);
      out[to + y * cols + x] = v < 0 ? 0 : v > 1 ? 1 : v;
    }
  }
  if (rng.nextFloat() < (options.erase ?? 0.5)) {
    const area = (0.02 + 0.18 * rng.nextFloat()) * rows * cols;
    const aspect = Math.exp((rng.nextFloat() - 0.5) * Math.log(9)); // 1/3 … 3, log-uniform
    const h = Math.max(1, Math.min(rows, Math.round(Math.sqrt(area * aspect))));
    const w = Math.max(1, Math.min(cols, Math.round(Math.sqrt(area / aspect))));
    const y0 = rng.nextInt(rows - h + 1);
    const x0 = rng.nextInt(cols - w + 1);
    for (let y = y0; y < y0 + h; y++) out.fill(0, to + y * cols + x0, to + y * cols + x0 + w);
  }
}
