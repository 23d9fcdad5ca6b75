// The guides' complete programs (their ```js blocks) run and print what the
// guides show: scripts/guide-examples.mjs, run here so that the README's
// test command and CI run it.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const script = resolve(import.meta.dirname, '../../scripts/guide-examples.mjs');

describe('the guides’ examples', () => {
  it('run as shown, starting with getting-started’s first program', () => {
    const out = execFileSync('node', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(out).toMatch(/^ok {3}getting-started\.md:\d+$/m);
  });
});
