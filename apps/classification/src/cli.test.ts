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
      const records = readRecords(out);
      expect(records.map((r) => runId(r.config)).sort()).toEqual(['mlp-full-none-seed0', 'mlp-infobatch-L2-seed0', 'mlp-scan-L2-seed0', 'mlp-seta-L2-seed0']);
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
      expect(lines.filter((l) => l.includes('already done, skipped')).length).toBe(4);
    } finally {
      log.mockRestore();
    }
  });

  it('rejects bad options with a message naming the option and the value', async () => {
    await expect(main(['--profile', 'huge'])).rejects.toThrow('--profile: unknown profile "huge"; expected one of tiny, quick, full');
    await expect(main(['--strategies', 'full,magic'])).rejects.toThrow(/--strategies: unknown value "magic"/);
    await expect(main(['--epochs', '0'])).rejects.toThrow('--epochs: expected a positive integer, got "0"');
    await expect(main(['--label-noise', '1.5'])).rejects.toThrow(/--label-noise: expected a rate in \[0, 1\)/);
    await expect(main(['--data-dir', '/nonexistent-dir'])).rejects.toThrow(/missing train-images-idx3-ubyte.gz/);
  });
});
