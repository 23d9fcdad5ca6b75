#!/usr/bin/env node
/**
 * Packs every publishable package with pnpm (so `workspace:*` becomes a real
 * version), installs each one alone with npm into an empty folder — together
 * with the tarballs of the @seta packages it depends on, since they are not
 * published — and checks that:
 *   - it loads through `import` and through `require`, with type declarations;
 *   - the first ```js example of its README runs and prints exactly the output
 *     the README shows in `// ` comment lines.
 *
 * Usage: node scripts/pack-check.mjs [package-dir-name …]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const pnpmVersion = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager.replace(/^pnpm@/, '');
const run = (cmd, args, cwd) =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false' } });

const only = process.argv.slice(2);
const dirs = readdirSync(join(root, 'packages')).filter((d) => existsSync(join(root, 'packages', d, 'package.json')));
const manifests = new Map(
  dirs.map((d) => [JSON.parse(readFileSync(join(root, 'packages', d, 'package.json'), 'utf8')).name, d]),
);

const work = mkdtempSync(join(tmpdir(), 'seta-pack-'));
const tarballs = new Map();
for (const [name, dir] of manifests) {
  const out = run('npx', ['--yes', `pnpm@${pnpmVersion}`, 'pack', '--pack-destination', work], join(root, 'packages', dir));
  const file = out.trim().split('\n').pop().trim();
  tarballs.set(name, resolve(join(root, 'packages', dir), file));
}

/** The package and every @seta package it depends on, transitively. */
function closure(name, seen = new Set()) {
  if (seen.has(name)) return seen;
  seen.add(name);
  const pkg = JSON.parse(readFileSync(join(root, 'packages', manifests.get(name), 'package.json'), 'utf8'));
  for (const dep of Object.keys(pkg.dependencies ?? {})) if (manifests.has(dep)) closure(dep, seen);
  return seen;
}

/** The first ```js block of a README and the output its `// ` comment lines promise. */
function readmeExample(readme) {
  const m = readme.match(/```js\n([\s\S]*?)```/);
  if (!m) return null;
  const code = m[1];
  const expected = code
    .split('\n')
    .filter((l) => /^\/\/( |$)/.test(l))
    .map((l) => l.replace(/^\/\/ ?/, ''));
  return { code, expected };
}

let failures = 0;
for (const [name, dir] of manifests) {
  if (only.length > 0 && !only.includes(dir)) continue;
  const pkg = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8'));
  if (pkg.private) continue;
  const app = join(work, `install-${dir}`);
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'pack-check', private: true, type: 'module' }));
  try {
    run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...[...closure(name)].map((n) => tarballs.get(n))], app);
    const installed = join(app, 'node_modules', ...name.split('/'));
    for (const f of ['README.md', 'LICENSE', 'package.json']) {
      if (!existsSync(join(installed, f))) throw new Error(`the tarball lacks ${f}`);
    }
    for (const cond of Object.values(pkg.exports['.'])) {
      for (const f of Object.values(cond)) if (!existsSync(join(installed, f))) throw new Error(`exports names ${f}, which the tarball lacks`);
    }
    const esmKeys = run('node', ['--input-type=module', '-e', `import * as m from '${name}'; console.log(Object.keys(m).sort().join(','))`], app).trim();
    const cjsKeys = run('node', ['-e', `console.log(Object.keys(require('${name}')).sort().join(','))`], app).trim();
    if (esmKeys === '' || esmKeys !== cjsKeys) throw new Error(`import and require disagree: [${esmKeys}] vs [${cjsKeys}]`);
    const example = readmeExample(readFileSync(join(installed, 'README.md'), 'utf8'));
    if (example === null) throw new Error('README has no ```js example');
    writeFileSync(join(app, 'example.mjs'), example.code);
    const printed = run('node', ['example.mjs'], app).trimEnd().split('\n');
    if (JSON.stringify(printed) !== JSON.stringify(example.expected)) {
      throw new Error(`README example printed:\n${printed.join('\n')}\nbut the README shows:\n${example.expected.join('\n')}`);
    }
    console.log(`ok   ${name}: installs alone, import/require (${esmKeys.split(',').length} exports), README example output matches`);
  } catch (error) {
    failures++;
    console.error(`FAIL ${name}: ${error.stderr ?? ''}${error.message}`);
  }
}
rmSync(work, { recursive: true, force: true });
for (const t of tarballs.values()) rmSync(t, { force: true });
if (failures > 0) {
  console.error(`${failures} package(s) failed the pack check`);
  process.exit(1);
}
