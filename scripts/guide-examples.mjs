#!/usr/bin/env node
/**
 * Runs every ```js and ```ts code block of the documentation guides
 * (docs/guide/*.md and docs/data-parallel.md) as a program, in docs/ (where the workspace's packages
 * resolve as they do for a user who installed them; TypeScript is
 * transpiled first, without type checking), and compares what it prints
 * with the `// ` lines that end the block (its shown output). Every block is
 * a complete program by this convention; a block that ends without such
 * lines prints what depends on the machine (a backend's name, timings) and
 * only has to run without an error.
 *
 * Run by docs/tests/guide-examples.test.ts, so the README's test command
 * (and CI) runs it; needs the packages built.
 *
 * Usage: node scripts/guide-examples.mjs [guide.md …]
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';

const root = resolve(import.meta.dirname, '..');
const docs = join(root, 'docs');
const guides = join(docs, 'guide');
const only = process.argv.slice(2);
let failures = 0;
let ran = 0;
// The guide pages: docs/guide/*.md, and the data-parallel page of the guide's sidebar.
const pages = [...readdirSync(guides).filter((f) => f.endsWith('.md')).sort().map((f) => join(guides, f)), join(docs, 'data-parallel.md')];
for (const path of pages) {
  const name = path.slice(path.lastIndexOf('/') + 1);
  if (only.length > 0 && !only.includes(name)) continue;
  const text = readFileSync(path, 'utf8');
  let n = 0;
  for (const m of text.matchAll(/```(js|ts)\n([\s\S]*?)```/g)) {
    n++;
    const source = m[2];
    const code =
      m[1] === 'ts'
        ? ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText
        : source;
    const line = text.slice(0, m.index).split('\n').length;
    // The output is the run of `// ` lines that ends the block (comments above code are comments).
    const lines = source.trimEnd().split('\n');
    let first = lines.length;
    while (first > 0 && /^\/\/( |$)/.test(lines[first - 1])) first--;
    const expected = lines.slice(first).map((l) => l.replace(/^\/\/ ?/, ''));
    const file = join(docs, `.guide-example-${process.pid}-${n}.mjs`);
    writeFileSync(file, code);
    let printed;
    try {
      printed = execFileSync('node', [file], { cwd: docs, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trimEnd().split('\n');
    } catch (error) {
      failures++;
      console.error(`FAIL ${name}:${line}: exited with ${error.status}\n${error.stderr}`);
      continue;
    } finally {
      rmSync(file, { force: true });
    }
    ran++;
    if (expected.length === 0 || JSON.stringify(printed) === JSON.stringify(expected)) {
      console.log(`ok   ${name}:${line}`);
    } else {
      failures++;
      console.error(`FAIL ${name}:${line}: printed\n${printed.join('\n')}\nbut the guide shows\n${expected.join('\n')}`);
    }
  }
}
if (ran === 0 && failures === 0) {
  console.error('no ```js or ```ts block found in docs/guide');
  process.exit(1);
}
if (failures > 0) {
  console.error(`${failures} guide example(s) failed`);
  process.exit(1);
}
