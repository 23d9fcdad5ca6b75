import { Random } from '@seta/core';
import { describe, expect, it } from 'vitest';
import { CLASS_SYNONYMS, Vocabulary, attributeCuts, caption, classPrompts, imageAttributes, measureImage, words } from './captions.js';

const vocab = new Vocabulary();

describe('captions', () => {
  it('only ever produce words of the vocabulary', () => {
    const rng = new Random(1);
    for (let i = 0; i < 2000; i++) {
      const text = caption(i % 10, { tone: i % 3, size: (i >> 2) % 3, texture: (i >> 4) % 3 }, rng);
      expect(vocab.encode(text)).not.toContain(0);
    }
    for (let c = 0; c < 10; c++) for (const p of classPrompts(c)) expect(vocab.encode(p)).not.toContain(0);
    expect(vocab.encode('a photo of a spaceship')).toEqual([...vocab.encode('a photo of a'), 0]);
  });

  it('name the class with one of its synonyms and are deterministic for a seed', () => {
    const a = Array.from({ length: 50 }, (_, i) => caption(i % 10, { tone: 0, size: 1, texture: 2 }, new Random(i)));
    const b = Array.from({ length: 50 }, (_, i) => caption(i % 10, { tone: 0, size: 1, texture: 2 }, new Random(i)));
    expect(a).toEqual(b);
    a.forEach((text, i) => expect(CLASS_SYNONYMS[i % 10]!.some((s) => text.includes(s))).toBe(true));
    expect(() => caption(10, { tone: 0, size: 0, texture: 0 }, new Random(0))).toThrow(/caption\(\): label must be a class in 0 … 9, got 10/);
    expect(() => classPrompts(-1)).toThrow(RangeError);
  });

  it('class prompts cover every template and synonym', () => {
    expect(classPrompts(9)).toHaveLength(4 * CLASS_SYNONYMS[9]!.length);
    expect(classPrompts(9)).toContain('a photo of a ankle boot');
  });

  it('tokenise to lower-case words keeping inner hyphens', () => {
    expect(words('A Button-up SHIRT, on  black!')).toEqual(['a', 'button-up', 'shirt', 'on', 'black']);
  });

  it('bag of words: each row sums to 1, counts repeated words', () => {
    const out = new Float32Array(vocab.size * 2).fill(7);
    vocab.bagOfWords('a bag', out, vocab.size);
    expect(out.subarray(0, vocab.size).every((v) => v === 7)).toBe(true);
    const row = out.subarray(vocab.size);
    expect(row.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 6);
    vocab.bagOfWords('a bag a', out, 0);
    expect(out[vocab.encode('a')[0]!]).toBeCloseTo(2 / 3, 6);
  });
});

describe('image attributes', () => {
  const pixels = 16;
  it('measure tone, size and texture of the object pixels', () => {
    const img = new Uint8Array(pixels);
    img.set([100, 200, 100, 200]);
    const m = measureImage(img, 0, pixels);
    expect(m.tone).toBe(150);
    expect(m.size).toBe(4 / 16);
    expect(m.texture).toBe(50);
    expect(measureImage(new Uint8Array(pixels), 0, pixels)).toEqual({ tone: 0, size: 0, texture: 0 });
  });

  it('tertile cuts split the images into thirds', () => {
    const count = 300;
    const images = new Uint8Array(count * pixels);
    for (let i = 0; i < count; i++) images.fill(21 + (i % 200), i * pixels, i * pixels + 1 + (i % 16));
    const cuts = attributeCuts(images, count, pixels);
    const buckets = [0, 0, 0];
    for (let i = 0; i < count; i++) buckets[imageAttributes(images, i * pixels, pixels, cuts).tone]!++;
    for (const b of buckets) expect(Math.abs(b - count / 3)).toBeLessThanOrEqual(count / 10);
    expect(() => attributeCuts(images, 2, pixels)).toThrow(RangeError);
  });
});
