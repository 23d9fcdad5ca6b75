import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main, readRecords, runId } from './cli.js';

const out = mkdtempSync(join(tmpdir(), 'cls-cli-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('the classification CLI, end to end on a tiny subset', () => {
  it('runs every requested configuration, writes records, a report and plots, and skips finished runs when rerun', async () => {
    const args = ['--profile', 'tiny', '--backend', 'cpu', '--strategies', 'full,infobatch,seta,scan', '--epochs', '2', '--train-size', '300', '--test-size', '100', '--out', out, '--no-progress'];
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      expect(await main(args)).toBe(0);
      const all = readRecords(out);
      const records = all.filter((r) => r.config.budgetEpochs === undefined);
      expect(records.map((r) => runId(r.config)).sort()).toEqual(['mlp-full-none-seed0', 'mlp-infobatch-L2-seed0', 'mlp-scan-L2-seed0', 'mlp-seta-L2-seed0']);
      // and full data at each pruned run's visits
      expect(all.filter((r) => r.config.budgetEpochs !== undefined).length).toBeGreaterThanOrEqual(1);
      for (const r of records) {
        expect(r.epochs.length).toBe(2);
        expect(r.config.trainSize).toBe(300);
        expect(r.finalAccuracy).toBeGreaterThan(0.1);
      }
      const report = readFileSync(join(out, 'report.md'), 'utf8');
      expect(report).toContain('| seta | L2 | 1 |');
      for (const f of ['mlp-accuracy-vs-pruned.svg', 'mlp-accuracy-vs-pruned.png', 'mlp-epoch-curves-L2.svg', 'mlp-epoch-curves-L2.png']) {
        expect(existsSync(join(out, 'plots', f))).toBe(true);
      }
      expect(existsSync(join(out, 'checkpoints'))).toBe(false);
      // a second run finds every record on disk and trains nothing; its report carries the notes
      log.mockClear();
      const notes = join(out, 'notes.md');
      writeFileSync(notes, 'SeTa held up best in this tiny run.\n');
      expect(await main([...args, '--notes', notes])).toBe(0);
      expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain('SeTa held up best in this tiny run.');
      const lines = log.mock.calls.map((c) => String(c[0]));
      expect(lines).toContain('4 of 4 runs already recorded; 0 to run');
    } finally {
      log.mockRestore();
    }
  });

  it('sets each pruned run beside full data trained for the same visits from the same weights', async () => {
    const dir = join(out, 'equal');
    const args = ['--profile', 'tiny', '--backend', 'cpu', '--strategies', 'full,dynamicRandom', '--epochs', '2', '--train-size', '200', '--test-size', '100', '--out', dir, '--no-progress'];
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      expect(await main(args)).toBe(0);
    } finally {
      log.mockRestore();
    }
    const records = readRecords(dir);
    // dynamic random at L2 keeps 100 of 200 per epoch: 200 visits = 1 epoch of full data
    const matched = records.find((r) => r.config.budgetEpochs === 1)!;
    const pruned = records.find((r) => r.config.strategy === 'dynamicRandom')!;
    expect(matched.epochs.map((e) => e.visited)).toEqual([200]);
    expect(matched.initDigest).toBe(pruned.initDigest);
    const report = readFileSync(join(dir, 'report.md'), 'utf8');
    expect(report).toContain('## Against full data of equal compute');
    expect(report).toMatch(/\| Dynamic random L2 \| 0 \| 200 \| [0-9.]+ % \| 200 \| [0-9.]+ % \| [-+][0-9.]+ \| yes \|/);
  });

  it('runs the evidence study in worker processes: paired seeds, a summary recomputable from the runs, resumable records', async () => {
    const dir = join(out, 'evidence');
    const args = [
      '--profile', 'evidence', '--backend', 'cpu', '--strategies', 'dynamicRandom,infobatch', '--levels', 'L1',
      '--epochs', '2', '--batch-size', '50', '--lr', '0.002', '--train-size', '200', '--validation-size', '100', '--test-size', '100',
      '--seeds', '0,1', '--noise-seeds', '0', '--jobs', '2', '--out', dir,
    ];
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      expect(await main(args)).toBe(0);
      const records = readRecords(dir);
      expect(records.length).toBe(3 * (6 + 2));
      for (const seed of [0, 1]) {
        const digests = new Set(records.filter((r) => r.config.seed === seed && r.config.labelNoise === 0).map((r) => r.initDigest));
        expect(digests.size).toBe(1);
      }
      expect(records.find((r) => r.config.seed === 0)!.initDigest).not.toBe(records.find((r) => r.config.seed === 1)!.initDigest);
      const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
      expect(summary.seeds).toEqual([0, 1]);
      expect(summary.fullCurve.map((p: { visitsRatio: number }) => p.visitsRatio)).toEqual([0.25, 0.4, 0.55, 0.7, 0.85, 1]);
      expect(summary.arms.map((a: { strategy: string; level: string }) => `${a.strategy} ${a.level}`)).toEqual(['dynamicRandom L1', 'infobatch L1']);
      const arm = summary.arms[0];
      for (const key of ['visitsRatio', 'testAccuracy', 'deltaVsEqualCompute', 'visitsSavedAtEqualAccuracy']) expect(arm[key].mean).toEqual(expect.any(Number));
      expect(arm.deltaVsEqualCompute.ci95).toHaveLength(2);
      expect(summary.labelNoiseSetting.seeds).toEqual([0]);
      expect(summary.commit).toMatch(/^([0-9a-f]{40}|unknown)/);
      // recomputable: the summary is a function of the runs alone
      const { evidenceSummary } = await import('./evidence.js');
      expect(JSON.parse(JSON.stringify(evidenceSummary(records, { command: summary.command, commit: summary.commit, horizon: 2 })))).toEqual(summary);
      expect(readFileSync(join(dir, 'report.md'), 'utf8')).toContain('visits saved at equal accuracy');
      expect(existsSync(join(dir, 'plots', 'accuracy-vs-visits.svg'))).toBe(true);

      // a truncated record is reported with its path and run again, not fatal
      const victim = join(dir, 'runs', `${runId(records[0]!.config)}.json`);
      writeFileSync(victim, '{"version": 1, "conf');
      log.mockClear();
      expect(await main(args)).toBe(0);
      const lines = log.mock.calls.map((c) => String(c[0]));
      expect(lines.some((l) => l.startsWith(`unreadable record, running it again: ${victim}: not valid JSON`))).toBe(true);
      expect(lines).toContain('23 of 24 runs already recorded; 1 to run in 2 processes');
      expect(JSON.parse(readFileSync(victim, 'utf8')).finalAccuracy).toBeCloseTo(records[0]!.finalAccuracy, 12);
    } finally {
      log.mockRestore();
      error.mockRestore();
    }
  });

  it('rejects bad options with a message naming the option and the value', async () => {
    await expect(main(['--profile', 'huge'])).rejects.toThrow('--profile: unknown profile "huge"; expected one of tiny, quick, full, evidence');
    await expect(main(['--jobs', '0'])).rejects.toThrow('--jobs: expected a positive integer, got "0"');
    await expect(main(['--strategies', 'full,magic'])).rejects.toThrow(/--strategies: unknown value "magic"/);
    await expect(main(['--epochs', '0'])).rejects.toThrow('--epochs: expected a positive integer, got "0"');
    await expect(main(['--label-noise', '1.5'])).rejects.toThrow(/--label-noise: expected a rate in \[0, 1\)/);
    await expect(main(['--data-dir', '/nonexistent-dir'])).rejects.toThrow(/missing train-images-idx3-ubyte.gz/);
  });
});
