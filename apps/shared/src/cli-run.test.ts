import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { commandLine, reportTables, writeFileAtomic, writeReport } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'shared-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const report = '# Title\n\nSome prose.\n\n## Results\n\n| a | b |\n| - | - |\n| 1 | 2 |\n\nMore prose.\n';

describe('reportTables', () => {
  it('keeps the table rows and section heads, in order, and drops the rest', () => {
    expect(reportTables(report)).toEqual(['## Results', '| a | b |', '| - | - |', '| 1 | 2 |']);
    expect(reportTables('')).toEqual([]);
  });
});

describe('writeReport', () => {
  it('writes report.md, prints its tables, then the report and plot paths', async () => {
    const lines: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((s: string) => void lines.push(String(s)));
    try {
      await writeReport(dir, report, async () => [join(dir, 'a.svg')], performance.now());
    } finally {
      log.mockRestore();
    }
    expect(readFileSync(join(dir, 'report.md'), 'utf8')).toBe(report);
    expect(lines.slice(0, 4)).toEqual(['\n## Results\n| a | b |\n| - | - |\n| 1 | 2 |', `\nreport: ${join(dir, 'report.md')}`, `plot: ${join(dir, 'a.svg')}`, 'done in 0 s']);
  });
});

describe('writeFileAtomic', () => {
  it('replaces the file whole and leaves no temporary file behind', () => {
    const file = join(dir, 'run.json');
    writeFileAtomic(file, 'old');
    writeFileAtomic(file, 'new');
    expect(readFileSync(file, 'utf8')).toBe('new');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('commandLine', () => {
  it('quotes the command that reproduces a run', () => {
    expect(commandLine('contrastive', ['--profile', 'full'])).toBe('node apps/contrastive/dist/cli.js --profile full');
    expect(commandLine('classification', [])).toBe('node apps/classification/dist/cli.js');
  });
});
