import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVIDENCE_TITLE } from './cli.js';
import type { EvidenceSummary } from './evidence.js';
import { evidenceReport, visitsSavedCaveat } from './evidence-report.js';

/** The committed study: its summary, the report made from it, and the notes appended to it. */
const results = resolve(import.meta.dirname, '../../../docs/results/contrastive-evidence');
const summary = JSON.parse(readFileSync(join(results, 'summary.json'), 'utf8')) as EvidenceSummary;
const committed = readFileSync(join(results, 'report.md'), 'utf8');
const notes = readFileSync(join(results, 'notes.md'), 'utf8');
const machine = /^Machine: (.*)\.$/m.exec(committed)![1]!;
const report = evidenceReport(summary, { title: EVIDENCE_TITLE, machine, notes });

/** The lines of the section that starts at `head`, up to the next heading. */
function section(text: string, head: string, from = 0): string[] {
  const lines = text.split('\n');
  const start = lines.indexOf(head, from);
  expect(start, head).toBeGreaterThanOrEqual(0);
  const end = lines.findIndex((l, i) => i > start && l.startsWith('#'));
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

describe('evidenceReport', () => {
  it('leads each style’s table with Δ vs full data at equal visits and its interval, without the visits saved', () => {
    for (const title of ['## CLIP-style (image–caption pairs, symmetric InfoNCE)', '## MoCo-style (two augmented views, MoCo v3 loss)']) {
      const table = section(report, title).filter((l) => l.startsWith('|'));
      const columns = table[0]!.split('|').map((c) => c.trim()).filter((c) => c !== '');
      expect(columns.slice(0, 5)).toEqual(['method', 'visits made', 'metric', 'Δ vs full data at equal visits (pp, 95 % CI)', 'Δ over the last cycle (pp, 95 % CI)']);
      expect(table.join('\n')).not.toContain('visits saved');
      expect(table.join('\n')).not.toContain('¹');
    }
    // SCAN's CLIP-style prompt classification: the Δ, its interval and what the interval says come first.
    expect(report).toContain('| SCAN | 70.5 % | prompt classification (classes seen in training) | +0.77 [+0.31, +1.24] (better) | +0.84 [+0.48, +1.19] (better) | 82.1 % | 82.2 % |');
  });

  it('gives the visits saved at equal quality only in a secondary table after the full-data curve, with the caveat and its bounds', () => {
    const lines = report.split('\n');
    const clipCurve = lines.indexOf('### Full data at equal compute');
    const clipSaved = lines.indexOf('### Secondary: visits saved at equal quality');
    expect(clipSaved).toBeGreaterThan(clipCurve);
    const clip = section(report, '### Secondary: visits saved at equal quality');
    expect(clip[1]).toBe(visitsSavedCaveat(13, 16));
    expect(clip[1]).toContain('13 of these 16 figures rest on a bound');
    expect(clip).toContain('| SCAN | prompt classification (classes seen in training) | +29.5 % [+29.4 %, +29.6 %] ¹ |');
    expect(clip).toContain('¹ SCAN, prompt classification (classes seen in training), seed 0: beat every budget (lower bound).');
    expect(clip.filter((l) => l.startsWith('¹ '))).toHaveLength(21);
    const moco = section(report, '### Secondary: visits saved at equal quality', clipSaved + 1);
    expect(moco[1]).toBe(visitsSavedCaveat(3, 4));
    expect(moco).toContain('| SCAN | k-NN | -5.6 % [-63.4 %, +52.3 %] |');
  });

  it('changes only the presentation: every figure of the committed summary is still in the report', () => {
    for (const s of Object.values(summary.styles)) {
      for (const a of s!.arms) {
        for (const m of s!.metrics) {
          const d = a.deltaVsEqualCompute[m]!;
          expect(report).toContain(`${d.mean >= 0 ? '+' : ''}${(d.mean * 100).toFixed(2)} [`);
        }
      }
    }
  });

  it('is what the committed report.md holds (rewrite it with `--report-only` when the summary, the notes or the layout change)', () => {
    expect(committed).toBe(report);
  });
});
