// The guides' code blocks are complete programs and run as shown:
// scripts/guide-examples.mjs runs every ```js and ```ts block of
// docs/guide/*.md and docs/data-parallel.md and compares what it prints with the output the guide
// shows; run here so that the README's test command and CI run it.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const script = resolve(import.meta.dirname, '../../scripts/guide-examples.mjs');
const guides = resolve(import.meta.dirname, '../guide');

describe('the guides’ examples', () => {
  it('every code block runs as shown, starting with getting-started’s first program', { timeout: 180_000 }, () => {
    const pages = [...readdirSync(guides).filter((f) => f.endsWith('.md')).map((f) => resolve(guides, f)), resolve(guides, '../data-parallel.md')];
    const blocks = pages.reduce((n, p) => n + [...readFileSync(p, 'utf8').matchAll(/```(js|ts)\n/g)].length, 0);
    const out = execFileSync('node', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(out).toMatch(/^ok {3}getting-started\.md:\d+$/m);
    expect(out.match(/^ok {3}/gm)?.length, out).toBe(blocks);
    expect(blocks).toBeGreaterThanOrEqual(10);
  });
});
