import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { extractCode, extractSection, linkSpecSections, preprocessPage, rebaseLinks, repositoryUrl, titleDocLinks } from '../.vitepress/markdown-sources';

const docs = resolve(__dirname, '..');

describe('rebaseLinks', () => {
  it('keeps links to pages and images inside the site relative to the page', () => {
    const page = join(docs, 'guide/x.md');
    expect(rebaseLinks('[dp](../data-parallel.md#rules) ![p](../results/classification-mlp/plots/mlp-accuracy-vs-pruned.png)', page, page)).toBe(
      '[dp](../data-parallel.md#rules) ![p](../results/classification-mlp/plots/mlp-accuracy-vs-pruned.png)',
    );
  });

  it('rebases links of pasted text to the page that pastes it', () => {
    const from = join(docs, 'results/classification-mlp/report.md');
    expect(rebaseLinks('[b](../../benchmarks.md)', from, join(docs, 'guide/x.md'))).toBe('[b](../benchmarks.md)');
  });

  it('turns links outside the site into repository links: blob for files, tree for folders, raw for images', () => {
    const page = join(docs, 'benchmarks.md');
    expect(rebaseLinks('[k](../packages/kmeans1d/README.md) [a](../apps/classification) [j](results/strategy-bench.json)', page, page)).toBe(
      `[k](${repositoryUrl}/blob/main/packages/kmeans1d/README.md) [a](${repositoryUrl}/tree/main/apps/classification) [j](${repositoryUrl}/blob/main/docs/results/strategy-bench.json)`,
    );
  });

  it('leaves absolute URLs, anchors and code blocks alone', () => {
    const page = join(docs, 'x.md');
    const src = '[w](https://example.org/a.md) [h](#here)\n```md\n[c](../nowhere.md)\n```\n';
    expect(rebaseLinks(src, page, page)).toBe(src);
  });

  it('fails on a link to a file that does not exist outside the site', () => {
    const page = join(docs, 'x.md');
    expect(() => rebaseLinks('[gone](../packages/no-such-package/README.md)', page, page)).toThrow(/does not exist/);
  });
});

describe('extractSection', () => {
  const dir = mkdtempSync(join(tmpdir(), 'seta-docs-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'README.md');
  writeFileSync(file, '# T\n\n## A\n\nalpha\n\n```sh\n# not a heading\n```\n\n### A.1\n\nsub\n\n## B\n\nbeta\n');

  it('returns the text under a heading up to the next heading of the same level, skipping code', () => {
    expect(extractSection(file, 'A')).toBe('alpha\n\n```sh\n# not a heading\n```\n\n### A.1\n\nsub');
    expect(extractSection(file, 'B')).toBe('beta');
  });

  it('fails, naming the heading, when it is missing', () => {
    expect(() => extractSection(file, 'C')).toThrow(/no heading "C"/);
  });
});

describe('preprocessPage', () => {
  it('pastes a package README section with its links rebased', () => {
    const page = join(docs, 'performance.md');
    const out = preprocessPage('<!--@section: ../packages/kmeans1d/README.md#Benchmark-->', page);
    expect(out).toContain('npx pnpm@10.34.9 --filter @seta/kmeans1d bench');
    expect(out).not.toContain('@section');
  });

  it('appends the plots a result report does not show', () => {
    const reportDir = join(docs, 'results/classification-mlp');
    const out = preprocessPage('# R\n', join(reportDir, 'report.md'));
    expect(out).toMatch(/## Plots/);
    expect(out).toContain('](./plots/mlp-accuracy-vs-pruned.png)');
  });
});

describe('linkSpecSections', () => {
  it('links prose citations of the specification to the method pages, not code or existing links', () => {
    expect(linkSpecSections('as ALGORITHMS.md §3 specifies; (ALGORITHMS.md §6)')).toBe(
      'as [ALGORITHMS.md §3](/methods/seta) specifies; ([ALGORITHMS.md §6](/data-parallel))',
    );
    const untouched = 'see `ALGORITHMS.md §2` and [ALGORITHMS.md §2](/x) and §9: ALGORITHMS.md §9\n```\nALGORITHMS.md §4\n```';
    expect(linkSpecSections(untouched)).toBe(untouched);
  });

  it("links plain-text paths of the documentation's pages, as the TSDoc cites them, and nothing else", () => {
    expect(linkSpecSections('as docs/methods/seta.md states it (docs/data-parallel.md; docs/methods/index.md).')).toBe(
      'as [docs/methods/seta.md](/methods/seta) states it ([docs/data-parallel.md](/data-parallel); [docs/methods/index.md](/methods/)).',
    );
    const untouched = [
      'see `docs/methods/seta.md` and [docs/methods/seta.md](/x) and [SeTa](../../docs/methods/seta.md)',
      'a page that does not exist: docs/methods/nothing.md, a file beside one: docs/methods/seta.mdx, my-docs/methods/seta.md',
      '```\ndocs/methods/scan.md\n```',
    ].join('\n');
    expect(linkSpecSections(untouched)).toBe(untouched);
  });
});

describe('extractCode', () => {
  const dir = mkdtempSync(join(tmpdir(), 'extract-code-'));
  const file = join(dir, 'guide.md');
  writeFileSync(file, '# G\n\n## First\n\nText.\n\n```ts\nconst a = 1;\n```\n\n```ts\nconst b = 2;\n```\n\n## Second\n\nNo code here.\n');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('returns the first fenced block of the section, fences included', () => {
    expect(extractCode(file, 'First').trimEnd()).toBe('```ts\nconst a = 1;\n```');
  });

  it('names the heading and the file when the section has no code block', () => {
    expect(() => extractCode(file, 'Second')).toThrow(/@code: no code block under "Second" in .*guide\.md/);
  });

  it('is what the home page pastes: the getting-started guide\'s three-call program', () => {
    const block = extractCode(join(docs, 'guide/getting-started.md'), 'The three calls');
    expect(block).toMatch(/^```ts\n/);
    expect(block).toContain('pruner.plan(epoch)');
  });
});

describe('titleDocLinks', () => {
  it('turns a doc link whose text is a file path into "the <title> page"', () => {
    expect(titleDocLinks('See [docs/methods/seta.md](/methods/seta).')).toMatch(/^See the \[.*SeTa.* page\]\(\/methods\/seta\)\.$/);
  });

  it('leaves links with real text, and code blocks, alone', () => {
    expect(titleDocLinks('See [the SeTa method](/methods/seta).')).toBe('See [the SeTa method](/methods/seta).');
    const fenced = '```md\n[docs/methods/seta.md](/methods/seta)\n```';
    expect(titleDocLinks(fenced)).toBe(fenced);
  });
});
