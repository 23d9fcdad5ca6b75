import { describe, expect, it } from 'vitest';
import { tagDecoder, WEIGHT_TAG } from './tagged-weights.js';

describe('tagDecoder', () => {
  it('clears the tags and writes 1 for untagged ids and the second value for tagged ones, in place', () => {
    const up = Math.fround(1 / 0.3);
    for (const n of [0, 1, 3, 4, 9, 1000]) {
      const plain = Uint32Array.from({ length: n }, (_, i) => (i * 2654435761) >>> 1); // below 2^31
      const tagged = plain.map((id, i) => (i % 3 === 0 ? (id | WEIGHT_TAG) >>> 0 : id));
      const weights = new Float32Array(n);
      tagDecoder(up)(tagged, weights);
      expect(tagged).toEqual(plain);
      expect(Array.from(weights)).toEqual(Array.from({ length: n }, (_, i) => (i % 3 === 0 ? up : 1)));
    }
  });

  it('keeps the exact bit pattern of the second value (-0 is not 0)', () => {
    const weights = new Float32Array(2);
    tagDecoder(-0)(Uint32Array.of(WEIGHT_TAG | 5, 6), weights);
    expect(Object.is(weights[0], -0)).toBe(true);
    expect(weights[1]).toBe(1);
  });
});
