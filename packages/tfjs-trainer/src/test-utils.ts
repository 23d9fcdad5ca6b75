/* Helpers shared by this package's tests (not part of the build). */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Random, StateReader, StateWriter, CallOrderError, shuffleInPlace, sampleIndices } from '@seta/core';
import type { EpochPlan, EpochSummary, Phase, Pruner } from '@seta/core';

/** `n` values uniform in [-1, 1) from a seeded generator. */
export function randomValues(rng: Random, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.nextFloat() * 2 - 1;
  return out;
}

/**
 * A tiny Pruner for tests, independent of the strategy packages: with
 * `keep = 1` the full data every epoch; otherwise a fresh random subset of
 * `floor(keep · N)` ids, weighted `1 / keep`, every epoch. Follows the call
 * order of the contract and saves its generator and counters.
 */
export class TestPruner implements Pruner {
  readonly name = 'test-pruner';
  private readonly rng: Random;
  private next = 0;
  private open: EpochPlan | null = null;
  private pruned = 0;
  private lossSum = 0;
  private lossCount = 0;
  /** Every observe() call: [ids, losses, lossesB] copies. */
  readonly observed: [Uint32Array, Float32Array, Float32Array | null][] = [];
  readonly plans: EpochPlan[] = [];

  constructor(
    readonly size: number,
    private readonly keep = 1,
    seed = 0,
  ) {
    this.rng = new Random(seed);
  }

  plan(epoch: number): EpochPlan {
    if (epoch !== this.next || this.open !== null) {
      throw new CallOrderError(`TestPruner.plan(): expected epoch ${this.next}, got ${epoch}`);
    }
    const k = Math.floor(this.keep * this.size);
    const phase: Phase = this.keep === 1 ? 'full' : 'prune';
    const indices =
      this.keep === 1
        ? shuffleInPlace(Uint32Array.from({ length: this.size }, (_, i) => i), this.rng)
        : Uint32Array.from(sampleIndices(this.size, k, this.rng));
    const weights = this.keep === 1 ? null : new Float32Array(k).fill(1 / this.keep);
    this.open = { epoch, phase, size: this.size, indices, weights };
    this.plans.push(this.open);
    return this.open;
  }

  observe(ids: ArrayLike<number>, losses: ArrayLike<number>, lossesB?: ArrayLike<number>): void {
    if (this.open === null) throw new CallOrderError('TestPruner.observe(): no open epoch');
    if (ids.length !== losses.length) throw new RangeError('TestPruner.observe(): ids and losses differ in length');
    for (let i = 0; i < losses.length; i++) {
      const l = losses[i]! + (lossesB ? lossesB[i]! : 0);
      if (!Number.isFinite(l)) throw new RangeError(`TestPruner.observe(): losses[${i}] is not finite, got ${l}`);
      this.lossSum += l;
      this.lossCount++;
    }
    this.observed.push([
      Uint32Array.from(ids),
      Float32Array.from(losses),
      lossesB === undefined ? null : Float32Array.from(lossesB),
    ]);
  }

  endEpoch(): EpochSummary {
    const plan = this.open;
    if (plan === null) throw new CallOrderError('TestPruner.endEpoch(): no open epoch');
    this.open = null;
    this.next++;
    this.pruned += this.size - plan.indices.length;
    const summary: EpochSummary = {
      epoch: plan.epoch,
      phase: plan.phase,
      visited: plan.indices.length,
      prunedRatio: 1 - plan.indices.length / this.size,
      savedRatioSoFar: this.pruned / (this.size * this.next),
      meanLoss: this.lossCount === 0 ? null : this.lossSum / this.lossCount,
    };
    this.lossSum = 0;
    this.lossCount = 0;
    return summary;
  }

  saveState(): Uint8Array {
    return new StateWriter('test-pruner', 1)
      .json('counters', { next: this.next, pruned: this.pruned, size: this.size, keep: this.keep })
      .uint32('rng', this.rng.getState())
      .finish();
  }

  loadState(state: Uint8Array): void {
    const r = StateReader.open(state, 'test-pruner', 1, 'TestPruner.loadState()');
    const c = r.json<{ next: number; pruned: number; size: number; keep: number }>('counters');
    if (c.size !== this.size || c.keep !== this.keep) throw new RangeError('TestPruner.loadState(): other options');
    this.next = c.next;
    this.pruned = c.pruned;
    this.rng.setState(r.uint32('rng', 4));
    this.open = null;
  }
}

/** The pid of a process that was running and has been killed with SIGKILL (so it could not clean up). */
export async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  await exited;
  return child.pid!;
}

/** Temporary directories of one test file: `make()` one, `removeAll()` in afterAll. */
export function tempDirs(prefix = 'seta-trainer-'): { make(): Promise<string>; removeAll(): Promise<void> } {
  let dirs: string[] = [];
  return {
    async make() {
      const d = await mkdtemp(join(tmpdir(), prefix));
      dirs.push(d);
      return d;
    },
    async removeAll() {
      await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
      dirs = [];
    },
  };
}
