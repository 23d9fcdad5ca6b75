// The README's evidence table is generated from the committed summary
// (scripts/readme-figures.mjs): it fails here, under the README's test
// command, when the two drift apart.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error a plain ES module script without type declarations
import { evidenceTable, withTable } from '../../scripts/readme-figures.mjs';

const root = resolve(import.meta.dirname, '../..');
const readme = readFileSync(resolve(root, 'README.md'), 'utf8');
const summary = JSON.parse(readFileSync(resolve(root, 'docs/results/classification-evidence/summary.json'), 'utf8'));

describe('the README’s evidence table', () => {
  it('is what the committed summary gives', () => {
    expect(withTable(readme, evidenceTable(summary))).toBe(readme);
  });

  it('would be caught if one figure were retyped', () => {
    const retyped = readme.replace('**+21.5 %**', '**+22.5 %**');
    expect(retyped).not.toBe(readme);
    expect(withTable(retyped, evidenceTable(summary))).not.toBe(retyped);
  });

  it('reads each interval as the reports do: above zero in bold, across zero "no difference", below "worse"', () => {
    const table = evidenceTable(summary) as string;
    for (const arm of summary.arms) {
      const [lo, hi] = arm.visitsSavedAtEqualAccuracy.ci95;
      const line = table.split('\n').find((l: string) => l.includes(`${Math.round(arm.visitsRatio.mean * 100)} %`) && l.includes(String(arm.options.pruneRatio)))!;
      expect(line, JSON.stringify(arm.options)).toBeDefined();
      if (lo > 0) expect(line).toMatch(/\*\*\+/);
      else if (hi < 0) expect(line).toMatch(/\(worse\)/);
      else expect(line).toMatch(/no difference/);
    }
  });
});
