import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kmeans1d, kmeans1dSorted } from './kmeans-1d.js';
import { Kmeans1dWorkspace } from './workspace.js';

describe('Kmeans1dWorkspace', () => {
  it('gives the same results as fresh memory, call after call, whatever the previous call left behind', () => {
    const workspace = new Kmeans1dWorkspace();
    fc.assert(
      fc.property(
        fc.array(fc.float({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }), { minLength: 1, maxLength: 400 }),
        fc.integer({ min: 1, max: 7 }),
        fc.constantFrom('optimal' as const, 'lloyd' as const),
        fc.boolean(),
        (list, k, method, asFloat64) => {
          const values = asFloat64 ? Float64Array.from(list, (v) => v + 1e-9 * v) : Float32Array.from(list);
          expect(kmeans1d(values, k, { method, workspace })).toEqual(kmeans1d(values, k, { method }));
          const sorted = Float64Array.from(values).sort();
          expect(kmeans1dSorted(sorted, k, { method, workspace })).toEqual(kmeans1dSorted(sorted, k, { method }));
        },
      ),
      { numRuns: 300 },
    );
    expect(workspace.bytes).toBeGreaterThan(0);
  });

  it('gives the same results on inputs long enough for the bucketed sort, growing and shrinking', () => {
    const workspace = new Kmeans1dWorkspace();
    for (const n of [100_000, 70_000, 130_000]) {
      const values = new Float32Array(n);
      for (let i = 0; i < n; i++) values[i] = Math.sin(i * 12.9898) * 43758.5453 - Math.floor(Math.sin(i * 12.9898) * 43758.5453) + (i % 3);
      expect(kmeans1d(values, 5, { workspace })).toEqual(kmeans1d(values, 5));
    }
  });

  it('keeps results valid after later calls, and its memory until clear()', () => {
    const workspace = new Kmeans1dWorkspace();
    const a = kmeans1d(Float32Array.of(1, 2, 10, 11, 20, 21), 3, { workspace });
    const copy = structuredClone(a);
    kmeans1d(Float32Array.of(5, 5, 6, 100, 101, 102, 103), 2, { workspace });
    expect(a).toEqual(copy);
    const held = workspace.bytes;
    kmeans1d(Float32Array.of(3, 1, 2), 2, { workspace }); // smaller: reuses, allocates nothing
    expect(workspace.bytes).toBe(held);
    workspace.clear();
    expect(workspace.bytes).toBe(0);
  });

  it('keeps the memory of the sort kernel, and never grows it: a bigger sort takes a new one, the old buffer stays attached', () => {
    // (Growing would detach the old ArrayBuffer, after which V8 checks every typed-array access for detachment.)
    const workspace = new Kmeans1dWorkspace();
    const values = (n: number) => Float32Array.from({ length: n }, (_, i) => ((i * 2654435761) % 1000) / 7);
    kmeans1d(values(70_000), 3, { workspace });
    const first = workspace.sortKernel!.memory.buffer;
    kmeans1d(values(66_000), 3, { workspace }); // smaller: the same memory
    expect(workspace.sortKernel!.memory.buffer).toBe(first);
    kmeans1d(values(300_000), 3, { workspace });
    expect(workspace.sortKernel!.memory.buffer).not.toBe(first);
    expect(first.byteLength).toBeGreaterThan(8 * 70_000);
    expect(workspace.bytes).toBeGreaterThanOrEqual(workspace.sortKernel!.memory.buffer.byteLength);
    workspace.clear();
    expect(workspace.sortKernel).toBeNull();
  });

  it('allocates once for growing inputs after reserve(n), with the same results', () => {
    const workspace = new Kmeans1dWorkspace().reserve(200_000);
    const values = (n: number) => Float32Array.from({ length: n }, (_, i) => ((i * 2654435761) % 100_003) / 7);
    const fresh = kmeans1d(values(100_000), 4);
    expect(kmeans1d(values(100_000), 4, { workspace })).toEqual(fresh);
    const held = workspace.bytes;
    expect(held).toBeGreaterThan(8 * 200_000); // sized for the reservation (~9 bytes a value), not for 100,000
    for (const n of [120_000, 150_000, 199_999, 200_000]) {
      expect(kmeans1d(values(n), 4, { workspace })).toEqual(kmeans1d(values(n), 4));
      expect(workspace.bytes).toBe(held);
    }
    expect(workspace.reserve(10)).toBe(workspace); // a smaller reservation changes nothing
    // A reservation beyond what the engine allocates only loses its effect.
    const huge = new Kmeans1dWorkspace().reserve(2 ** 40);
    for (const n of [1000, 70_000]) expect(kmeans1d(values(n), 3, { workspace: huge })).toEqual(kmeans1d(values(n), 3));
    expect(() => workspace.reserve(-1)).toThrow(/Kmeans1dWorkspace.reserve\(\): n must be an integer ≥ 0, got -1/);
    expect(() => workspace.reserve(1.5)).toThrow(RangeError);
  });

  it('rejects anything else as options.workspace', () => {
    expect(() => kmeans1d([1, 2], 1, { workspace: {} as Kmeans1dWorkspace })).toThrow(
      /kmeans1d\(\): options.workspace must be a Kmeans1dWorkspace, got/,
    );
  });
});
