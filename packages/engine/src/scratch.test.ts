import { describe, expect, it } from 'vitest';
import { ScratchPool } from './scratch.js';

describe('ScratchPool', () => {
  it('returns arrays of exactly the requested length, reusing a slot while it is large enough', () => {
    const pool = new ScratchPool();
    const a = pool.uint32('ids', 5000);
    expect(a.length).toBe(5000);
    a[0] = 42;
    const b = pool.uint32('ids', 4000);
    expect(b.length).toBe(4000);
    expect(b.buffer).toBe(a.buffer);
    expect(b[0]).toBe(42); // stale contents: callers overwrite
    const c = pool.uint32('ids', 5300); // within the 1/16 headroom
    expect(c.buffer).toBe(a.buffer);
    const d = pool.uint32('ids', 10_000);
    expect(d.length).toBe(10_000);
    expect(d.buffer).not.toBe(a.buffer);
  });

  it('keeps slots and element types apart, and frees them on clear', () => {
    const pool = new ScratchPool();
    const ids = pool.uint32('a', 100);
    const other = pool.uint32('b', 100);
    const weights = pool.float32('a', 100);
    expect(new Set([ids.buffer, other.buffer, weights.buffer]).size).toBe(3);
    expect(pool.bytes).toBe(1200);
    pool.clear();
    expect(pool.bytes).toBe(0);
    expect(pool.uint32('a', 100).buffer).not.toBe(ids.buffer);
  });
});
