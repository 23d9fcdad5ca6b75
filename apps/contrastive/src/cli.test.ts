import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main, readRecords } from './cli.js';

const out = mkdtempSync(join(tmpdir(), 'contrastive-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const args = [
  '--profile', 'tiny', '--no-progress', '--out', out,
  '--strategies', 'full,scan,seta', '--epochs', '6', '--train-size', '256', '--test-size', '120', '--eval-size', '60', '--batch-size', '64',
];

describe('the CLI, end to end on a tiny subset', () => {
  it('trains both styles with each strategy and writes records, report and plots', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      expect(await main(args)).toBe(0);
    } finally {
      log.mockRestore();
    }
    const records = readRecords(out);
    expect(records.map((r) => `${r.config.style}-${r.config.strategy}`).sort()).toEqual(
      ['clip-full', 'clip-scan', 'clip-seta', 'moco-full', 'moco-scan', 'moco-seta'],
    );
    for (const r of records) {
      expect(r.epochs).toHaveLength(6);
      expect(r.corruption).toEqual({ size: 256, mismatched: 51, duplicate: 51 });
      for (const e of r.epochs) {
        expect(e.pruned).toBe(256 - e.visited);
        expect(e.prunedMismatched + e.prunedDuplicate).toBeLessThanOrEqual(e.pruned);
        expect(e.metric).toBeGreaterThanOrEqual(0);
        expect(e.metric).toBeLessThanOrEqual(1);
      }
      const keys =
        r.config.style === 'clip'
          ? ['imageToTextR1', 'imageToTextR5', 'promptClassification', 'seenPairs', 'textToImageR1', 'textToImageR5', 'zeroShotUnseenPairs']
          : ['knn', 'linearProbe'];
      expect(r.config.holdOutPairs).toBe(true);
      expect(r.wholeRun!.horizonEpochs).toBe(6);
      expect(Object.keys(r.final).sort()).toEqual(keys);
      for (const v of Object.values(r.final)) expect(v).toBeGreaterThanOrEqual(0);
      if (r.config.strategy === 'full') expect(r.savedRatio).toBe(0);
      else expect(r.savedRatio).toBeGreaterThan(0);
    }
    // Recall@5 is at least recall@1.
    for (const r of records.filter((x) => x.config.style === 'clip')) expect(r.final.imageToTextR5!).toBeGreaterThanOrEqual(r.final.imageToTextR1!);
    const report = readFileSync(join(out, 'report.md'), 'utf8');
    expect(report).toContain('## CLIP-style');
    expect(report).toContain('## MoCo-style');
    expect(report).toMatch(/\| scan \| targetSavedRatio 0\.3 \| 1 \|/);
    expect(report).toContain('ill-matched precision');
    expect(report).toContain('ill-matched skipped over the run (weighted)');
    expect(report).toContain('prompt classification (classes seen in training)');
    expect(report).toMatch(/\| \*untrained\* \| – \| 1 \| \d/);
    for (const r of records) expect(Object.keys(r.initial).sort()).toEqual(Object.keys(r.final).sort());
    expect(readdirSync(join(out, 'plots')).sort()).toEqual(
      ['clip-epochs', 'clip-pruned', 'moco-epochs', 'moco-pruned'].flatMap((n) => [`${n}.png`, `${n}.svg`]),
    );
    expect(existsSync(join(out, 'checkpoints'))).toBe(false);
  });

  it('skips finished runs on a second call and refuses records made with other settings', async () => {
    const lines: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((s: string) => void lines.push(String(s)));
    try {
      expect(await main(args)).toBe(0);
      expect(lines.filter((l) => l.includes('already done, skipped'))).toHaveLength(6);
      await expect(main([...args, '--mismatch', '0.1'])).rejects.toThrow(/was made with other settings/);
    } finally {
      log.mockRestore();
    }
  });

  it('the evidence profile: paired runs, summary.json in the issue\'s shape beside the report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'contrastive-evidence-'));
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      const evidenceArgs = ['--profile', 'evidence-quick', '--no-progress', '--out', dir, '--strategies', 'dynamicRandom,scan', '--epochs', '8', '--train-size', '200', '--test-size', '100', '--eval-size', '50', '--batch-size', '50', '--bank-size', '300'];
      expect(await main(evidenceArgs)).toBe(0);
      const records = readRecords(dir);
      // Per style: four budgets and two arms.
      expect(records).toHaveLength(2 * (4 + 2));
      for (const style of ['clip', 'moco']) expect(new Set(records.filter((r) => r.config.style === style).map((r) => r.initDigest)).size).toBe(1);
      const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
      expect(Object.keys(summary)).toEqual(['command', 'commit', 'seeds', 'styles']);
      expect(summary.seeds).toEqual([0]);
      expect(summary.styles.clip.fullCurve).toHaveLength(4);
      expect(summary.styles.moco.fullCurve[0].knn.perSeed).toHaveProperty('0');
      expect(summary.styles.moco.fullCurve[0].linearProbe.perSeed).toHaveProperty('0');
      expect(Object.keys(summary.styles.moco.references).sort()).toEqual(['rawPixelKnn', 'rawPixelLinearProbe']);
      expect(Object.keys(summary.styles.moco.untrainedEncoder).sort()).toEqual(['knn', 'linearProbe']);
      expect(Object.keys(summary.styles.moco.preTrainingGain).sort()).toEqual(['knnVsRawPixels', 'knnVsUntrained', 'linearProbeVsRawPixels', 'linearProbeVsUntrained']);
      // The evidence profile's MoCo-style setting reaches every record.
      for (const r of records.filter((x) => x.config.style === 'moco')) expect(r.config).toMatchObject({ encoder: 'cnn', augment: 'crop', bankSize: 300 });
      for (const r of records.filter((x) => x.config.style === 'clip')) expect(r.config).not.toHaveProperty('encoder');
      expect(summary.styles.clip.arms.map((a: { strategy: string }) => a.strategy)).toEqual(['dynamicRandom', 'scan']);
      expect(summary.styles.clip.arms[1].deltaVsEqualCompute.promptClassification).toHaveProperty('ci95', null);
      const report = readFileSync(join(dir, 'report.md'), 'utf8');
      expect(report).toContain('### Full data at equal compute');
      expect(report).toContain('*raw pixels, no pre-training*');
      expect(report).toContain('*the encoder untrained (initial weights)*');
      expect(report).toContain('What pre-training adds');
      expect(report).toContain('zero-shot: unseen class–tone pairs (30-way)');
      expect(report).toContain('| method | visits made | metric | Δ vs full data at equal visits (pp, 95 % CI) | Δ over the last cycle (pp, 95 % CI) |');
      expect(report).toContain('### Secondary: visits saved at equal quality');
      // --report-only rewrites the same report from summary.json, training and summarising nothing.
      rmSync(join(dir, 'runs'), { recursive: true });
      writeFileSync(join(dir, 'report.md'), report.replace('| method | visits made |', '| old layout |'));
      expect(await main(['--report-only', '--out', dir])).toBe(0);
      expect(readFileSync(join(dir, 'report.md'), 'utf8')).toBe(report);
      rmSync(join(dir, 'summary.json'));
      await expect(main(['--report-only', '--out', dir])).rejects.toThrow(`--report-only: ${join(dir, 'summary.json')} does not exist`);
    } finally {
      log.mockRestore();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects bad arguments naming them', async () => {
    await expect(main(['--profile', 'huge'])).rejects.toThrow('--profile: unknown profile "huge"; expected one of tiny, quick, full, evidence, evidence-quick');
    await expect(main(['--styles', 'simclr'])).rejects.toThrow('--styles: unknown value "simclr"; expected one of clip, moco');
    await expect(main(['--mismatch', '1.5'])).rejects.toThrow('--mismatch: expected a share in [0, 0.9], got "1.5"');
    await expect(main(['--mismatch', '0.5', '--duplicates', '0.5'])).rejects.toThrow('--mismatch + --duplicates must be at most 0.9');
    await expect(main(['--epochs', '0'])).rejects.toThrow('--epochs: expected a positive integer, got "0"');
    await expect(main(['--seeds', '1,,2'])).rejects.toThrow('--seeds: expected non-negative integers');
    await expect(main(['--bank-size', '0'])).rejects.toThrow('--bank-size: expected a positive integer, got "0"');
    await expect(main(['--encoder', 'resnet'])).rejects.toThrow('--encoder: expected one of mlp, cnn, got "resnet"');
    await expect(main(['--augment', 'heavy'])).rejects.toThrow('--augment: expected one of mild, strong, crop, got "heavy"');
    await expect(main(['--eval-split', 'train'])).rejects.toThrow('--eval-split: expected one of test, validation, got "train"');
  });
});
