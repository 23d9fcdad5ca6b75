import { describe, expect, it } from 'vitest';
import type { ImageSplit } from './idx.js';
import { carveValidation, subset, symmetricLabelNoise } from './splits.js';

const split: ImageSplit = {
  count: 100,
  rows: 1,
  cols: 2,
  images: Uint8Array.from({ length: 200 }, (_, i) => Math.floor(i / 2)),
  labels: Uint8Array.from({ length: 100 }, (_, i) => i % 10),
};

describe('carveValidation', () => {
  it('splits into disjoint parts that together are the training set, deterministically', () => {
    const a = carveValidation(split, 20, 1);
    expect([a.train.count, a.validation.count]).toEqual([80, 20]);
    const ids = [...a.train.images.filter((_, i) => i % 2 === 0), ...a.validation.images.filter((_, i) => i % 2 === 0)];
    expect(ids.sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(carveValidation(split, 20, 1).validation.images).toEqual(a.validation.images);
    expect(carveValidation(split, 20, 2).validation.images).not.toEqual(a.validation.images);
    expect(() => carveValidation(split, 100, 1)).toThrow(/size must be an integer in \[0, 99\], got 100/);
  });

  it('keeps images and labels together', () => {
    const s = subset(split, [7, 3]);
    expect([...s.images]).toEqual([7, 7, 3, 3]);
    expect([...s.labels]).toEqual([7, 3]);
  });
});

describe('symmetricLabelNoise', () => {
  it('flips about rate of the labels, always to another class, and records which', () => {
    const labels = Uint8Array.from({ length: 20_000 }, (_, i) => i % 10);
    const noisy = symmetricLabelNoise(labels, 0.3, 7);
    expect(Math.abs(noisy.flippedCount / 20_000 - 0.3)).toBeLessThan(0.02);
    let count = 0;
    for (let i = 0; i < labels.length; i++) {
      if (noisy.flipped[i]) {
        count++;
        expect(noisy.labels[i]).not.toBe(labels[i]);
      } else expect(noisy.labels[i]).toBe(labels[i]);
    }
    expect(count).toBe(noisy.flippedCount);
    expect(labels[0]).toBe(0); // input untouched
    // flipped labels are spread over the other nine classes
    const to = new Array<number>(10).fill(0);
    for (let i = 0; i < labels.length; i++) if (noisy.flipped[i] && labels[i] === 0) to[noisy.labels[i]!]!++;
    expect(to[0]).toBe(0);
    for (let c = 1; c < 10; c++) expect(to[c]).toBeGreaterThan(40);
  });

  it('is deterministic for a seed, and the identity at rate 0', () => {
    const labels = Uint8Array.from({ length: 500 }, (_, i) => i % 10);
    expect(symmetricLabelNoise(labels, 0.2, 3).labels).toEqual(symmetricLabelNoise(labels, 0.2, 3).labels);
    expect(symmetricLabelNoise(labels, 0, 3).flippedCount).toBe(0);
    expect(() => symmetricLabelNoise(labels, 1.5, 3)).toThrow(/rate must be in \[0, 1\], got 1.5/);
  });
});
