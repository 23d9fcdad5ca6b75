// The demo's data: three interleaved spirals in the plane, a little label
// noise, generated from a seed with @seta/core's generator (no downloads).
import { Random } from '@seta/core';

export interface Points {
  /** x0, y0, x1, y1, … in [-1, 1]. */
  readonly xy: Float32Array;
  /** Class of each point, 0 … classes − 1. */
  readonly labels: Int32Array;
  /** Whether the point's label was flipped (label noise). */
  readonly noisy: Uint8Array;
  readonly size: number;
}

export const CLASSES = 3;
/**
 * How far each arm winds from the centre to the rim (radians) and how much
 * its points scatter: wound this far, the network needs tens of epochs to
 * separate the arms, so a pruned and a full run can differ on the way.
 */
const TURNS = 8;
const JITTER = 0.16;

/** Normal deviate by Box–Muller from the seeded generator. */
function gaussian(rng: Random): number {
  const u = 1 - rng.nextFloat();
  const v = rng.nextFloat();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * `size` points on three spiral arms, one per class, with Gaussian jitter;
 * a share `noise` of the labels is replaced by another class.
 */
export function spirals(size: number, seed: number, noise = 0): Points {
  const rng = new Random(seed);
  const xy = new Float32Array(2 * size);
  const labels = new Int32Array(size);
  const noisy = new Uint8Array(size);
  for (let i = 0; i < size; i++) {
    const c = i % CLASSES;
    const r = 0.08 + 0.9 * rng.nextFloat();
    const angle = (c * 2 * Math.PI) / CLASSES + r * TURNS + gaussian(rng) * JITTER;
    xy[2 * i] = r * Math.cos(angle);
    xy[2 * i + 1] = r * Math.sin(angle);
    labels[i] = c;
    if (rng.nextFloat() < noise) {
      labels[i] = (c + 1 + rng.nextInt(CLASSES - 1)) % CLASSES;
      noisy[i] = 1;
    }
  }
  return { xy, labels, noisy, size };
}
