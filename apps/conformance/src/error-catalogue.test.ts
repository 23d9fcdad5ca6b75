/**
 * The error catalogue (docs/guide/errors.md) shows real messages: each
 * example on the page is produced here by the bad input it describes, and
 * every error class the pure packages export has its section. If a message
 * changes, this test names the example that went stale.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { dynamicRandom, staticRandom } from '@seta/baselines';
import * as core from '@seta/core';
import { crc32, shuffledRange, StateReader, StateWriter } from '@seta/core';
import { infobatch } from '@seta/infobatch';
import { LossStore } from '@seta/loss-store';
import { scan } from '@seta/scan';
import { seta } from '@seta/seta';
import { describe, expect, it } from 'vitest';

const page = readFileSync(resolve(import.meta.dirname, '../../../docs/guide/errors.md'), 'utf8');

function thrown(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    const error = e as Error;
    return `${error.name}: ${error.message}`;
  }
  throw new Error('expected an error');
}

/** A finished epoch of InfoBatch on 8 samples, saved. */
function savedInfobatch(): Uint8Array {
  const p = infobatch({ size: 8, epochs: 4 });
  const plan = p.plan(0);
  p.observe(plan.indices, new Float32Array(plan.indices.length).fill(1));
  p.endEpoch();
  return p.saveState();
}

/** The same state with its JSON `progress` section edited, re-encoded with a valid checksum. */
function forged(bytes: Uint8Array, edit: (progress: Record<string, unknown>) => void): Uint8Array {
  // The pipeline's own state layout: kind 'pruner', version 1.
  const r = StateReader.open(bytes, 'pruner', 1, 'forge');
  const progress = r.json<Record<string, unknown>>('progress');
  edit(progress);
  const w = new StateWriter('pruner', 1).json('fingerprint', r.json('fingerprint')).json('progress', progress).uint32('rng', r.uint32('rng', 4));
  for (const name of ['store', 'stage.0', 'stage.1', 'stage.2']) if (r.has(name)) w.bytes(name, r.rawBytes(name));
  return w.finish();
}

const examples: Record<string, () => unknown> = {
  'unknown option': () => infobatch({ size: 10, epochs: 2, prune_ratio: 0.9 } as never),
  'null option': () => infobatch({ size: 10, epochs: 2, pruneRatio: null } as never),
  'missing options': () => (staticRandom as (o?: unknown) => unknown)(),
  'bad value': () => seta({ size: 10, epochs: 2, windowScale: 1.5 }),
  'target with the parameter it sets': () => seta({ size: 10, epochs: 30, pruneRatio: 0.1, targetSavedRatio: 0.3 }),
  'target out of reach': () => infobatch({ size: 10, epochs: 30, targetSavedRatio: 0.5 }),
  'size too large': () => infobatch({ size: 2 ** 32 - 1, epochs: 2 }),
  'scan thresholds': () => scan({ size: 10, epochs: 2, minLoss: 5, maxLoss: 1 }),
  'nonFinite of pruner and store': () =>
    core.createPruner({ name: 'mine', size: 4, epochs: 2, store: new LossStore(4, { nonFinite: 'skip' }), nonFinite: 'error', stages: [] }),
  'helper argument': () => (shuffledRange as (n: number) => unknown)(1.5),
  'helper kind': () => crc32('abc' as never),
  'observe id': () => {
    const p = dynamicRandom({ size: 4, epochs: 2, pruneRatio: 0.5 });
    p.plan(0);
    p.observe([7], [0.5]);
  },
  'observe loss': () => {
    const p = infobatch({ size: 4, epochs: 2 });
    p.plan(0);
    p.observe([0, 1], [0.5, Number.NaN]);
  },
  'call order': () => infobatch({ size: 4, epochs: 2 }).plan(1),
  'state of other options': () => infobatch({ size: 8, epochs: 4, pruneRatio: 0.3 }).loadState(savedInfobatch()),
  'corrupted state': () => {
    const bytes = savedInfobatch();
    bytes[bytes.length - 1]! ^= 0xff;
    infobatch({ size: 8, epochs: 4 }).loadState(bytes);
  },
  'forged state': () => infobatch({ size: 8, epochs: 4 }).loadState(forged(savedInfobatch(), (p) => (p.next = -1))),
};

describe('the error catalogue (docs/guide/errors.md)', () => {
  for (const [name, f] of Object.entries(examples)) {
    it(`shows the message of: ${name}`, () => {
      const message = thrown(f);
      expect(page, `docs/guide/errors.md should show, verbatim:\n${message}`).toContain(message);
    });
  }

  it('has a section for every error class @seta/core exports', () => {
    const classes = Object.entries(core)
      .filter(([, v]) => typeof v === 'function' && (v === Error || (v as { prototype?: unknown }).prototype instanceof Error))
      .map(([k]) => k);
    expect(classes.sort()).toEqual(['CallOrderError', 'SetaError', 'StateError']);
    for (const c of [...classes, 'CheckpointLockError', 'RangeError', 'TypeError']) expect(page).toContain(`## \`${c}\``);
  });
});
