import { Random } from '@seta/core';
import { describe, expect, it } from 'vitest';
import { AUGMENT_PRESETS, augmentInto } from './augment.js';

const rows = 8;
const cols = 8;
const image = Uint8Array.from({ length: rows * cols }, (_, i) => (i * 37) % 256);
const none = { maxShift: 0, flip: 0, noise: 0, erase: 0 };

function view(options: Parameters<typeof augmentInto>[7], seed = 1): Float32Array {
  const out = new Float32Array(rows * cols + 4).fill(-1);
  augmentInto(image, 0, out, 2, rows, cols, new Random(seed), options);
  expect([out[0], out[1], out.at(-2), out.at(-1)]).toEqual([-1, -1, -1, -1]); // writes only its slot
  return out.subarray(2, 2 + rows * cols);
}

describe('augmentInto', () => {
  it('with everything off, scales to [0, 1]', () => {
    expect(Array.from(view(none))).toEqual(Array.from(image, (v) => Math.fround(v / 255)));
  });

  it('flips horizontally', () => {
    const v = view({ ...none, flip: 1 });
    for (let y = 0; y < rows; y++) for (let x = 0; x < cols; x++) expect(v[y * cols + x]).toBe(Math.fround(image[y * cols + cols - 1 - x]! / 255));
  });

  it('shifts with zero fill by at most maxShift', () => {
    const seen = new Set<string>();
    for (let seed = 0; seed < 60; seed++) {
      const v = view({ ...none, maxShift: 2 }, seed);
      let found = false;
      for (let dy = -2; dy <= 2; dy++) {
        for (let dx = -2; dx <= 2; dx++) {
          let same = true;
          for (let y = 0; y < rows && same; y++) {
            for (let x = 0; x < cols && same; x++) {
              const sy = y - dy;
              const sx = x - dx;
              const want = sy >= 0 && sy < rows && sx >= 0 && sx < cols ? Math.fround(image[sy * cols + sx]! / 255) : 0;
              same = v[y * cols + x] === want;
            }
          }
          if (same) {
            found = true;
            seen.add(`${dy},${dx}`);
          }
        }
      }
      expect(found).toBe(true);
    }
    expect(seen.size).toBeGreaterThan(10);
  });

  it('erases a rectangle to zero', () => {
    const bright = new Uint8Array(rows * cols).fill(200);
    const out = new Float32Array(rows * cols);
    augmentInto(bright, 0, out, 0, rows, cols, new Random(3), { ...none, erase: 1 });
    const zeros = out.filter((v) => v === 0).length;
    expect(zeros).toBeGreaterThanOrEqual(1);
    expect(zeros).toBeLessThanOrEqual(Math.ceil(0.2 * rows * cols) + cols);
  });

  it('adds noise, clamps to [0, 1], and is deterministic for a seed', () => {
    const a = view({ noise: 0.3 }, 9);
    const b = view({ noise: 0.3 }, 9);
    expect(a).toEqual(b);
    expect(a.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(view({ noise: 0.3 }, 10)).not.toEqual(a);
  });

  it('random resized crops keep a flat image flat (no dark border) and zoom into a gradient', () => {
    const flat = new Uint8Array(rows * cols).fill(200);
    for (let seed = 0; seed < 20; seed++) {
      const out = new Float32Array(rows * cols);
      augmentInto(flat, 0, out, 0, rows, cols, new Random(seed), { crop: [0.35, 1], flip: 0.5, noise: 0, erase: 0 });
      for (const v of out) expect(v).toBeCloseTo(200 / 255, 6);
    }
    // A left-to-right ramp 0 … 255: a crop of a quarter of the area spans about half the columns, so its range narrows.
    const ramp = Uint8Array.from({ length: rows * cols }, (_, i) => Math.round(((i % cols) / (cols - 1)) * 255));
    const out = new Float32Array(rows * cols);
    augmentInto(ramp, 0, out, 0, rows, cols, new Random(4), { crop: [0.25, 0.25], flip: 0, noise: 0, erase: 0 });
    const row = Array.from(out.subarray(0, cols));
    expect(Math.max(...row) - Math.min(...row)).toBeLessThan(0.75);
    expect(Math.max(...row) - Math.min(...row)).toBeGreaterThan(0.3);
    for (let x = 1; x < cols; x++) expect(row[x]!).toBeGreaterThanOrEqual(row[x - 1]!); // not flipped: still rising
  });

  it('refuses a crop range outside (0, 1] by name', () => {
    const out = new Float32Array(rows * cols);
    expect(() => augmentInto(image, 0, out, 0, rows, cols, new Random(1), { crop: [0, 1] })).toThrow('augmentInto(): options.crop must be [min, max]');
    expect(() => augmentInto(image, 0, out, 0, rows, cols, new Random(1), { crop: [0.5, 1.2] })).toThrow('got [0.5, 1.2]');
  });

  it('every preset yields views in [0, 1]', () => {
    for (const preset of Object.values(AUGMENT_PRESETS)) expect(view(preset, 5).every((v) => v >= 0 && v <= 1)).toBe(true);
  });
});
