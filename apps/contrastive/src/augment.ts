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
  /**
   * A random resized crop instead of the shift: a rectangle covering a
   * share of the image drawn uniformly from `[min, max]`, aspect ratio
   * log-uniform in 3/4 … 4/3, resampled bilinearly to the full size (the
   * augmentation SimCLR found to matter most). Absent: shift only.
   */
  readonly crop?: readonly [number, number];
}

/** The {@link AugmentOptions} presets a run configuration names. */
export const AUGMENT_PRESETS = {
  /** One-pixel shifts, flips, mild noise, occasional erasing: what an MLP encoder still learns from at this scale. */
  mild: { maxShift: 1, flip: 0.5, noise: 0.05, erase: 0.25 },
  /** ±3 px shifts, flips, noise 0.1, erasing half the time. */
  strong: { maxShift: 3, flip: 0.5, noise: 0.1, erase: 0.5 },
  /** Random resized crops of 35–100 % of the image, flips, noise 0.05, erasing a quarter of the time. */
  crop: { crop: [0.35, 1], flip: 0.5, noise: 0.05, erase: 0.25 },
} as const satisfies Record<string, AugmentOptions>;

export type AugmentPreset = keyof typeof AUGMENT_PRESETS;

/**
 * Bilinear sample of an 8-bit image at (y, x) in pixel coordinates, on the
 * [0, 1] scale. Coordinates are clamped to the pixel centres, so a crop
 * touching the border repeats the edge pixels instead of fading to black.
 */
function bilinear(src: Uint8Array, from: number, rows: number, cols: number, yIn: number, xIn: number): number {
  const y = Math.min(rows - 1, Math.max(0, yIn));
  const x = Math.min(cols - 1, Math.max(0, xIn));
  const y0 = Math.min(rows - 2, Math.floor(y));
  const x0 = Math.min(cols - 2, Math.floor(x));
  const fy = y - y0;
  const fx = x - x0;
  const at = (r: number, c: number) => src[from + r * cols + c]!;
  const top = at(y0, x0) * (1 - fx) + at(y0, x0 + 1) * fx;
  const bottom = at(y0 + 1, x0) * (1 - fx) + at(y0 + 1, x0 + 1) * fx;
  return (top * (1 - fy) + bottom * fy) / 255;
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
  const crop = options.crop;
  if (crop !== undefined && !(crop[0] > 0 && crop[0] <= crop[1] && crop[1] <= 1)) {
    throw new RangeError(`augmentInto(): options.crop must be [min, max] with 0 < min ≤ max ≤ 1, got [${crop.join(', ')}]`);
  }
  const maxShift = crop === undefined ? (options.maxShift ?? 3) : 0;
  const dy = rng.nextInt(2 * maxShift + 1) - maxShift;
  const dx = rng.nextInt(2 * maxShift + 1) - maxShift;
  const flip = rng.nextFloat() < (options.flip ?? 0.5);
  const sigma = options.noise ?? 0.1;
  if (crop !== undefined) {
    const area = (crop[0] + (crop[1] - crop[0]) * rng.nextFloat()) * rows * cols;
    const aspect = Math.exp((rng.nextFloat() - 0.5) * Math.log(16 / 9)); // 3/4 … 4/3, log-uniform
    const h = Math.min(rows, Math.sqrt(area * aspect));
    const w = Math.min(cols, Math.sqrt(area / aspect));
    const top = rng.nextFloat() * (rows - h);
    const left = rng.nextFloat() * (cols - w);
    // Pixel centres of the output map onto the crop's pixel centres.
    const sy = h / rows;
    const sx = w / cols;
    for (let y = 0; y < rows; y++) {
      const py = top + (y + 0.5) * sy - 0.5;
      for (let x = 0; x < cols; x++) {
        const px = left + ((flip ? cols - 1 - x : x) + 0.5) * sx - 0.5;
        let v = bilinear(src, from, rows, cols, py, px);
        if (sigma > 0) v += sigma * gaussian(rng);
        out[to + y * cols + x] = v < 0 ? 0 : v > 1 ? 1 : v;
      }
    }
  }
  for (let y = 0; crop === undefined && y < rows; y++) {
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
