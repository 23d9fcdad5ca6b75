import type { ImageSplit } from '@seta-apps/shared';
import { describe, expect, it } from 'vitest';
import { buildPairs, captionSplit } from './pairs.js';
import { CLASS_SYNONYMS, HELD_OUT_TONE, TONE_WORDS, attributeCuts, imageAttributes, words } from './captions.js';

/** A split of distinct random-looking 6×6 images, 10 classes. */
function split(count: number, seed = 3): ImageSplit {
  const rows = 6;
  const cols = 6;
  const images = new Uint8Array(count * rows * cols);
  let x = seed;
  for (let i = 0; i < images.length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    images[i] = x >>> 24;
  }
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
  return { count, rows, cols, images, labels };
}

const sum = (a: Uint8Array) => a.reduce((s, v) => s + v, 0);
const namesClass = (text: string, c: number) => CLASS_SYNONYMS[c]!.some((s) => text.includes(s));

describe('buildPairs', () => {
  const data = split(1000);
  const pairs = buildPairs(data, { mismatch: 0.2, duplicates: 0.15, copies: 3, seed: 5 });

  it('corrupts exactly the requested shares, disjointly, with the ground truth kept', () => {
    expect(pairs.mismatchedCount).toBe(200);
    expect(pairs.duplicateCount).toBe(150);
    expect(sum(pairs.mismatched)).toBe(200);
    expect(sum(pairs.duplicate)).toBe(150);
    for (let i = 0; i < pairs.count; i++) expect(pairs.mismatched[i]! + pairs.duplicate[i]!).toBeLessThanOrEqual(1);
  });

  it('ill-matched pairs carry the caption (and partner image) of a clean pair of another class', () => {
    for (let i = 0; i < pairs.count; i++) {
      const p = pairs.partner[i]!;
      if (pairs.mismatched[i]) {
        expect(p).not.toBe(i);
        expect(pairs.labels[p]).not.toBe(pairs.labels[i]);
        expect(pairs.mismatched[p]! + pairs.duplicate[p]!).toBe(0);
        expect(pairs.captions[i]).toBe(pairs.captions[p]);
        expect(pairs.captionLabels[i]).toBe(pairs.labels[p]);
        expect(namesClass(pairs.captions[i]!, pairs.labels[p]!)).toBe(true);
      } else {
        expect(p).toBe(i);
        expect(pairs.captionLabels[i]).toBe(pairs.labels[i]);
        expect(namesClass(pairs.captions[i]!, pairs.labels[i]!)).toBe(true);
      }
    }
  });

  it('duplicates are near copies of clean sources, `copies` per source, with the source class', () => {
    const perSource = new Map<number, number>();
    const px = pairs.pixels;
    for (let i = 0; i < pairs.count; i++) {
      const src = pairs.sourceOf[i]!;
      if (!pairs.duplicate[i]) {
        expect(src).toBe(-1);
        continue;
      }
      expect(pairs.mismatched[src]! + pairs.duplicate[src]!).toBe(0);
      expect(pairs.labels[i]).toBe(data.labels[src]);
      perSource.set(src, (perSource.get(src) ?? 0) + 1);
      // Some shift by at most one pixel (zero fill) of the source, within ±8 levels everywhere.
      let within = false;
      for (let dy = -1; dy <= 1 && !within; dy++) {
        for (let dx = -1; dx <= 1 && !within; dx++) {
          let worst = 0;
          for (let y = 0; y < 6; y++) {
            for (let x = 0; x < 6; x++) {
              const sy = y - dy;
              const sx = x - dx;
              const v = sy >= 0 && sy < 6 && sx >= 0 && sx < 6 ? data.images[src * px + sy * 6 + sx]! : 0;
              worst = Math.max(worst, Math.abs(pairs.images[i * px + y * 6 + x]! - v));
            }
          }
          within = worst <= 8;
        }
      }
      expect(within).toBe(true);
      expect(pairs.images.subarray(i * px, (i + 1) * px)).not.toEqual(data.images.subarray(src * px, (src + 1) * px));
    }
    expect(perSource.size).toBe(50);
    expect([...perSource.values()].every((n) => n === 3)).toBe(true);
  });

  it('leaves clean pairs’ images untouched and is deterministic for a seed', () => {
    const px = pairs.pixels;
    for (let i = 0; i < pairs.count; i++) {
      if (!pairs.duplicate[i]) expect(pairs.images.subarray(i * px, (i + 1) * px)).toEqual(data.images.subarray(i * px, (i + 1) * px));
    }
    const again = buildPairs(data, { mismatch: 0.2, duplicates: 0.15, copies: 3, seed: 5 });
    expect(again.captions).toEqual(pairs.captions);
    expect(again.mismatched).toEqual(pairs.mismatched);
    const other = buildPairs(data, { mismatch: 0.2, duplicates: 0.15, copies: 3, seed: 6 });
    expect(other.mismatched).not.toEqual(pairs.mismatched);
  });

  it('with no corruption, every pair is clean', () => {
    const clean = buildPairs(data, { mismatch: 0, duplicates: 0, seed: 1 });
    expect(sum(clean.mismatched) + sum(clean.duplicate)).toBe(0);
    expect(clean.images).toEqual(data.images);
  });

  it('rejects bad options naming them', () => {
    expect(() => buildPairs(data, { mismatch: 0.5, duplicates: 0.5, seed: 0 })).toThrow(
      'buildPairs(): options.mismatch + options.duplicates must be at most 0.9, got 0.5 + 0.5',
    );
    expect(() => buildPairs(data, { mismatch: -0.1, duplicates: 0, seed: 0 })).toThrow(/options\.mismatch must be in \[0, 0\.9\]/);
    expect(() => buildPairs(data, { mismatch: 0.1, duplicates: 0.1, copies: 0, seed: 0 })).toThrow(/options\.copies/);
    expect(() => buildPairs(split(5), { mismatch: 0, duplicates: 0, seed: 0 })).toThrow(/at least 10 images/);
    const oneClass = { ...split(20), labels: new Uint8Array(20) };
    expect(() => buildPairs(oneClass, { mismatch: 0.2, duplicates: 0, seed: 0 })).toThrow(/single class/);
  });

  it('captionSplit describes each test image with its own class', () => {
    const test = split(40, 9);
    const captions = captionSplit(test, attributeCuts(test.images, test.count, 36), 1);
    captions.forEach((c, i) => expect(namesClass(c, test.labels[i]!)).toBe(true));
  });
});

/** The classes a caption names (whole-word synonym matches) and the tone words it contains, read from its text alone. */
function named(text: string): { classes: Set<number>; tones: Set<number> } {
  const padded = ` ${words(text).join(' ')} `;
  const classes = new Set<number>();
  CLASS_SYNONYMS.forEach((syns, c) => {
    if (syns.some((s) => padded.includes(` ${words(s).join(' ')} `))) classes.add(c);
  });
  const tones = new Set<number>();
  TONE_WORDS.forEach((w, t) => {
    if (padded.includes(` ${w} `)) tones.add(t);
  });
  return { classes, tones };
}

describe('held-out class–tone pairs (the compositional zero-shot premise)', () => {
  it('no training caption names a held-out class together with its held-out tone', () => {
    // Several seeds and corruption mixes: ill-matched captions and duplicates' fresh captions included.
    for (const [seed, mismatch, duplicates] of [[1, 0.2, 0.2], [2, 0.4, 0], [3, 0, 0.5]] as const) {
      const pairs = buildPairs(split(3000, seed), { mismatch, duplicates, seed });
      let withTone = 0;
      for (const text of pairs.captions) {
        const { classes, tones } = named(text);
        expect(classes.size).toBe(1);
        for (const c of classes) for (const t of tones) expect(HELD_OUT_TONE[c]).not.toBe(t);
        if (tones.size > 0) withTone++;
      }
      // Captions still name tones (every seen pair keeps its tone templates).
      expect(withTone).toBeGreaterThan(pairs.count / 3);
    }
  });

  it('keeps the images of held-out pairs in training, captioned by class without tone', () => {
    const data = split(3000, 4);
    const pairs = buildPairs(data, { mismatch: 0, duplicates: 0, seed: 4 });
    const pixels = data.rows * data.cols;
    let heldOut = 0;
    for (let i = 0; i < pairs.count; i++) {
      const a = imageAttributes(pairs.images, i * pixels, pixels, pairs.cuts);
      if (HELD_OUT_TONE[pairs.labels[i]!] !== a.tone) continue;
      heldOut++;
      const { classes, tones } = named(pairs.captions[i]!);
      expect([...classes]).toEqual([pairs.labels[i]]);
      expect(tones.size).toBe(0);
    }
    expect(heldOut).toBeGreaterThan(500);
  });

  it('without holdOutPairs, held-out pairs are captioned with their tone again (the test above can fail)', () => {
    const pairs = buildPairs(split(3000, 1), { mismatch: 0.2, duplicates: 0.2, seed: 1, holdOutPairs: false });
    const violations = pairs.captions.filter((text) => {
      const { classes, tones } = named(text);
      return [...classes].some((c) => tones.has(HELD_OUT_TONE[c]!));
    });
    expect(violations.length).toBeGreaterThan(100);
  });
});
