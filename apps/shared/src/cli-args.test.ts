import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makePruner, parseBackend, parseList, parsePositive, parseSeeds, pickProfile, readRunRecords, watchPlans } from './index.js';

describe('option parsing', () => {
  it('parseList checks every item and names the option', () => {
    expect(parseList(undefined, ['a', 'b'], 'x')).toBeUndefined();
    expect(parseList(' a, b ,a', ['a', 'b'], 'x')).toEqual(['a', 'b', 'a']);
    expect(() => parseList('a,c', ['a', 'b'], 'x')).toThrow('--x: unknown value "c"; expected one of a, b');
    expect(() => parseList(' , ', ['a', 'b'], 'x')).toThrow('--x: expected at least one of a, b');
  });

  it('parsePositive takes positive integers (or numbers) only', () => {
    expect(parsePositive(undefined, 'n')).toBeUndefined();
    expect(parsePositive('12', 'n')).toBe(12);
    expect(parsePositive('0.5', 'lr', false)).toBe(0.5);
    for (const bad of ['0', '-1', '1.5', 'x', '', ' ', 'Infinity']) expect(() => parsePositive(bad, 'n')).toThrow(`--n: expected a positive integer, got "${bad}"`);
  });

  it('parseSeeds takes non-negative integers and rejects empty items', () => {
    expect(parseSeeds(undefined)).toBeUndefined();
    expect(parseSeeds('0,1,2')).toEqual([0, 1, 2]);
    for (const bad of ['1,,2', '-1', '1.5', 'a']) expect(() => parseSeeds(bad)).toThrow(/^--seeds: expected non-negative integers/);
  });
});

describe('readRunRecords', () => {
  it('reads runs/*.json in name order and nothing else', () => {
    const dir = mkdtempSync(join(tmpdir(), 'records-'));
    try {
      expect(readRunRecords(dir)).toEqual([]);
      mkdirSync(join(dir, 'runs'));
      writeFileSync(join(dir, 'runs', 'b.json'), '{"id":2}');
      writeFileSync(join(dir, 'runs', 'a.json'), '{"id":1}');
      writeFileSync(join(dir, 'runs', 'notes.txt'), 'x');
      expect(readRunRecords<{ id: number }>(dir)).toEqual([{ id: 1 }, { id: 2 }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('makePruner and watchPlans', () => {
  it('builds each strategy by name and refuses unknown names', () => {
    for (const name of ['full', 'staticRandom', 'dynamicRandom', 'infobatch', 'seta', 'scan'] as const) {
      const options = name === 'staticRandom' || name === 'dynamicRandom' ? { pruneRatio: 0.5 } : {};
      expect(makePruner(name, options, { size: 100, epochs: 4, seed: 1 }).size).toBe(100);
    }
    expect(() => makePruner('random' as never, {}, { size: 10, epochs: 1, seed: 0 })).toThrow('makePruner(): unknown strategy "random"');
  });

  it('watchPlans sees every plan and changes nothing', () => {
    const make = () => makePruner('dynamicRandom', { pruneRatio: 0.3 }, { size: 50, epochs: 3, seed: 7 });
    const plain = make();
    const seen: number[][] = [];
    const watched = watchPlans(make(), (plan) => void seen.push(Array.from(plan.indices)));
    for (let epoch = 0; epoch < 3; epoch++) {
      const a = plain.plan(epoch);
      const b = watched.plan(epoch);
      expect(Array.from(b.indices)).toEqual(Array.from(a.indices));
      expect(seen[epoch]).toEqual(Array.from(a.indices));
      for (const p of [plain, watched]) {
        p.observe(a.indices, new Float32Array(a.indices.length).fill(1));
        p.endEpoch();
      }
    }
    expect(Array.from(watched.saveState())).toEqual(Array.from(plain.saveState()));
    expect(watched.name).toBe(plain.name);
  });
});

describe('pickProfile and parseBackend', () => {
  it('pickProfile returns the named profile and names the known ones otherwise', () => {
    const profiles = { tiny: { epochs: 2 }, quick: { epochs: 10 } };
    expect(pickProfile(profiles, 'quick')).toEqual({ epochs: 10 });
    expect(() => pickProfile(profiles, 'huge')).toThrow('--profile: unknown profile "huge"; expected one of tiny, quick');
  });

  it('parseBackend keeps the order given and refuses unknown backends by name', () => {
    expect(parseBackend(undefined)).toBeUndefined();
    expect(parseBackend('wasm,cpu')).toEqual(['wasm', 'cpu']);
    expect(() => parseBackend('webgl')).toThrow('--backend: unknown value "webgl"; expected one of tensorflow, wasm, cpu');
  });
});
