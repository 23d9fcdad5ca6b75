import { checkInstance, checkInteger } from '@seta/engine';

let tables: Int32Array | null = null;

function crcTables(): Int32Array {
  if (tables !== null) return tables;
  const t = new Int32Array(8 * 256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[i] = c;
  }
  for (let s = 1; s < 8; s++) {
    for (let i = 0; i < 256; i++) {
      const prev = t[(s - 1) * 256 + i]!;
      t[s * 256 + i] = (prev >>> 8) ^ t[prev & 0xff]!;
    }
  }
  tables = t;
  return t;
}

/**
 * CRC-32 (IEEE 802.3, the checksum of zlib and PNG) of `bytes`, computed
 * slicing-by-8 (Kounavis & Berry, 2005). O(n) time, 8 KiB of tables.
 *
 * @param bytes - the data.
 * @param crc - a previous result, to continue a checksum over several chunks.
 * @returns the checksum as an unsigned 32-bit integer.
 * @throws TypeError if `bytes` is not a Uint8Array (a string would be read
 *   as something else); RangeError if `crc` is not a 32-bit unsigned integer.
 * @example
 * ```ts
 * crc32(new TextEncoder().encode('123456789')); // 0xcbf43926
 * ```
 */
export function crc32(bytes: Uint8Array, crc = 0): number {
  checkInstance('crc32()', 'bytes', bytes, Uint8Array);
  checkInteger('crc32()', 'crc', crc, 0, 0xffff_ffff);
  const t = crcTables();
  let c = ~crc;
  const n = bytes.length;
  let i = 0;
  const end8 = n - (n % 8);
  for (; i < end8; i += 8) {
    const a = c ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24));
    c =
      t[1792 + (a & 0xff)]! ^
      t[1536 + ((a >>> 8) & 0xff)]! ^
      t[1280 + ((a >>> 16) & 0xff)]! ^
      t[1024 + (a >>> 24)]! ^
      t[768 + bytes[i + 4]!]! ^
      t[512 + bytes[i + 5]!]! ^
      t[256 + bytes[i + 6]!]! ^
      t[bytes[i + 7]!]!;
  }
  for (; i < n; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
