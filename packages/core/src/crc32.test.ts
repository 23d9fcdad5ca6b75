import { describe, expect, it } from 'vitest';
import { crc32 } from './crc32.js';

/** Bit-by-bit CRC-32, the textbook definition, as an oracle. */
function crc32Slow(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

describe('crc32', () => {
  it('matches the standard check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  it('agrees with a bitwise oracle on every length up to 40 and continues across chunks', () => {
    const bytes = Uint8Array.from({ length: 40 }, (_, i) => (i * 37 + 11) & 0xff);
    for (let n = 0; n <= 40; n++) expect(crc32(bytes.subarray(0, n))).toBe(crc32Slow(bytes.subarray(0, n)));
    expect(crc32(bytes.subarray(13), crc32(bytes.subarray(0, 13)))).toBe(crc32(bytes));
  });
});
