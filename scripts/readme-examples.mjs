#!/usr/bin/env node
/**
 * Runs the first ```js example of every package README inside the workspace
 * (the package resolves itself by name) and compares what it prints with the
 * `// ` output lines the README shows. With --update, rewrites those lines
 * from the actual output instead — for after a deliberate change of
 * behaviour; review the diff.
 *
 * Usage: node scripts/readme-examples.mjs [--update] [package-dir …]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const update = args.includes('--update');
const only = args.filter((a) => !a.startsWith('--'));
let failures = 0;
for (const dir of readdirSync(join(root, 'packages'))) {
  if (only.length > 0 && !only.includes(dir)) continue;
  const readmePath = join(root, 'packages', dir, 'README.md');
  if (!existsSync(readmePath)) continue;
  const readme = readFileSync(readmePath, 'utf8');
  const m = readme.match(/```js\n([\s\S]*?)```/);
  if (!m) continue;
  const code = m[1];
  const lines = code.split('\n');
  const expected = lines.filter((l) => /^\/\/( |$)/.test(l)).map((l) => l.replace(/^\/\/ ?/, ''));
  const file = join(root, 'packages', dir, `.readme-example-${process.pid}.mjs`);
  writeFileSync(file, code);
  let printed;
  try {
    printed = execFileSync('node', [file], { cwd: join(root, 'packages', dir), encoding: 'utf8' }).trimEnd().split('\n');
  } finally {
    rmSync(file, { force: true });
  }
  if (JSON.stringify(printed) === JSON.stringify(expected)) {
    console.log(`ok   ${dir}`);
    continue;
  }
  if (!update) {
    failures++;
    console.error(`FAIL ${dir}: printed\n${printed.join('\n')}\nbut the README shows\n${expected.join('\n')}`);
    continue;
  }
  // Replace the output comments: each run of `// ` lines after a statement gets that statement's share
  // of the output; simplest faithful rule: drop all output lines and put the whole output where the
  // first output block was, unless the counts match (then replace line for line, keeping positions).
  let newCode;
  if (printed.length === expected.length) {
    let k = 0;
    newCode = lines.map((l) => (/^\/\/( |$)/.test(l) ? `// ${printed[k++]}`.trimEnd() : l)).join('\n');
  } else {
    const firstOut = lines.findIndex((l) => /^\/\/( |$)/.test(l));
    const kept = lines.filter((l) => !/^\/\/( |$)/.test(l));
    const at = firstOut < 0 ? kept.length - 1 : lines.slice(0, firstOut).filter((l) => !/^\/\/( |$)/.test(l)).length;
    kept.splice(at, 0, ...printed.map((p) => `// ${p}`.trimEnd()));
    newCode = kept.join('\n');
  }
  writeFileSync(readmePath, readme.replace(code, newCode));
  console.log(`updated ${dir}`);
}
if (failures > 0) process.exit(1);
