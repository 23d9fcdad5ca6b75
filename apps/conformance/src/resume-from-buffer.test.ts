import { runPruner, syntheticLossPairs } from '@seta/core/testing';
import type { EpochPlan } from '@seta/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { strategies } from './strategies.js';

/**
 * A saved state as a program reads it back: Node's `readFileSync` returns a
 * `Buffer`, often a view at a non-zero offset into a larger, shared
 * `ArrayBuffer` whose other bytes are not the state's.
 */
const forms: Record<string, (state: Uint8Array) => Uint8Array> = {
  // A Buffer at least 7 bytes into a buffer with foreign bytes on either side.
  offset: (state) => Buffer.concat([Buffer.alloc(7, 0xab), Buffer.from(state), Buffer.alloc(5, 0xcd)]).subarray(7, 7 + state.length),
  // Buffer.from copies small inputs into Node's shared 8 KiB pool, at whatever offset is free.
  pooled: (state) => Buffer.from(state),
  // A plain copy (what saveState returns), for comparison.
  copy: (state) => new Uint8Array(state),
};

const bytesOf = (plan: EpochPlan): number[] => [
  ...new Uint8Array(plan.indices.buffer, plan.indices.byteOffset, plan.indices.byteLength),
  ...(plan.weights === null ? [] : new Uint8Array(plan.weights.buffer, plan.weights.byteOffset, plan.weights.byteLength)),
];

describe('every strategy restores from a state read back as a Buffer', () => {
  for (const [name, make] of Object.entries(strategies)) {
    it(`${name}: a state as a Buffer at any offset, pooled or copied, continues with the uninterrupted run's plans byte for byte`, () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 10, max: 400 }),
          fc.integer({ min: 2, max: 8 }),
          fc.nat(1000),
          fc.nat(),
          fc.constantFrom(...Object.keys(forms)),
          (size, epochs, seed, at, form) => {
            const stopAfter = 1 + (at % (epochs - 1)); // mid-run: at least one epoch done and one to go
            const options = { losses: syntheticLossPairs, batchSize: 16 };
            const reference = runPruner(make(size, epochs, seed), options);
            const first = make(size, epochs, seed);
            runPruner(first, { ...options, epochs: stopAfter });
            const bytes = forms[form]!(first.saveState());
            const resumed = make(size, epochs, seed);
            resumed.loadState(bytes);
            const rest = runPruner(resumed, options);
            expect(rest.plans.map(bytesOf)).toEqual(reference.plans.slice(stopAfter).map(bytesOf));
            expect(rest.plans.map((p) => p.phase)).toEqual(reference.plans.slice(stopAfter).map((p) => p.phase));
          },
        ),
        { numRuns: 30 },
      );
    });
  }

  it('the test forms really are views at non-zero offsets into larger buffers', () => {
    const state = strategies.full!(10, 2, 0).saveState();
    const offset = forms.offset!(state);
    expect(offset.byteOffset).toBeGreaterThanOrEqual(7);
    expect(offset.buffer.byteLength).toBeGreaterThanOrEqual(offset.byteOffset + state.length + 5);
    const pooled = forms.pooled!(state);
    expect(pooled.buffer.byteLength).toBeGreaterThan(state.length);
  });
});
