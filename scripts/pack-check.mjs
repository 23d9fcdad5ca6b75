#!/usr/bin/env node
/**
 * Checks each publishable package's manifest (name, license, type, engines,
 * files, exports with types first, repository directory), packs it with pnpm
 * (so `workspace:*` becomes a real version), installs each one alone with npm
 * into an empty folder — together
 * with the tarballs of the @seta packages it depends on, since they are not
 * published — and checks that:
 *   - it loads through `import` and through `require`;
 *   - TypeScript (node16 resolution, strict) finds its type declarations
 *     through both the `import` and the `require` condition;
 *   - the first ```js example of its README runs and prints exactly the output
 *     the README shows in `// ` comment lines (optional peer dependencies the
 *     example imports, such as a TensorFlow.js backend, are installed first,
 *     at the version the package is developed against, and so are the
 *     tarballs of other @seta packages it imports, e.g. a strategy beside
 *     the trainer);
 *   - every file its `exports` names (every subpath and condition) is in the
 *     tarball.
 *
 * Usage: node scripts/pack-check.mjs [package-dir-name …]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const pnpmVersion = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager.replace(/^pnpm@/, '');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
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

/** The package names a README example imports. */
function exampleImports(example) {
  if (example === null) return [];
  const specifiers = [...example.code.matchAll(/(?:from\s+|import\s+)['"]([^'"]+)['"]/g)].map((m) => m[1]);
  return [...new Set(specifiers.map((s) => s.split('/').slice(0, s.startsWith('@') ? 2 : 1).join('/')))];
}

/**
 * The optional peer dependencies that a README example imports (npm installs
 * required peers itself), as `name@version`: the devDependency version the
 * package is tested with, else the peer range.
 */
function examplePeers(pkg, example) {
  return exampleImports(example)
    .filter((n) => pkg.peerDependencies?.[n] !== undefined && pkg.peerDependenciesMeta?.[n]?.optional === true)
    .map((n) => `${n}@${pkg.devDependencies?.[n] ?? pkg.peerDependencies[n]}`);
}

/** What a publishable manifest must say (STYLE.md, Packaging); returns the problems found. */
function manifestProblems(pkg, dir) {
  const problems = [];
  const expect = (ok, what) => { if (!ok) problems.push(what); };
  expect(/^@seta\/[a-z0-9-]+$/.test(pkg.name ?? ''), `name ${JSON.stringify(pkg.name)} is not @seta/<name>`);
  expect(typeof pkg.version === 'string' && /^\d+\.\d+\.\d+/.test(pkg.version), `version ${JSON.stringify(pkg.version)} is not semver`);
  expect(typeof pkg.description === 'string' && pkg.description.length > 20, 'description is missing or too short');
  expect(pkg.license === 'MIT', `license is ${JSON.stringify(pkg.license)}, not MIT`);
  expect(pkg.type === 'module', 'type is not "module"');
  expect(pkg.sideEffects === false || Array.isArray(pkg.sideEffects), 'sideEffects is neither false nor a list of files');
  expect(/^>=\s*20/.test(pkg.engines?.node ?? ''), `engines.node is ${JSON.stringify(pkg.engines?.node)}, not >=20`);
  expect(pkg.repository?.directory === `packages/${dir}`, `repository.directory is ${JSON.stringify(pkg.repository?.directory)}, not packages/${dir}`);
  expect(JSON.stringify([...(pkg.files ?? [])].sort()) === JSON.stringify(['LICENSE', 'README.md', 'dist']), `files is ${JSON.stringify(pkg.files)}, not dist, README.md and LICENSE`);
  expect(pkg.exports?.['./package.json'] === './package.json', 'exports lacks "./package.json"');
  for (const [sub, conditions] of Object.entries(pkg.exports ?? {})) {
    if (sub === './package.json') continue;
    for (const cond of ['import', 'require']) {
      const c = conditions?.[cond];
      expect(c && Object.keys(c)[0] === 'types' && typeof c.default === 'string', `exports["${sub}"].${cond} must list "types" first, then "default"`);
    }
    expect(conditions?.require?.types?.endsWith('.d.cts'), `exports["${sub}"].require.types must be a .d.cts file`);
  }
  for (const dep of Object.keys(pkg.dependencies ?? {})) {
    expect(!String(pkg.dependencies[dep]).startsWith('file:'), `dependency ${dep} is a file: link`);
  }
  return problems;
}

let failures = 0;
for (const [name, dir] of manifests) {
  if (only.length > 0 && !only.includes(dir)) continue;
  const pkg = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8'));
  if (pkg.private) continue;
  const problems = manifestProblems(pkg, dir);
  if (problems.length > 0) {
    failures++;
    console.error(`FAIL ${name}: package.json is not ready to publish:\n  ${problems.join('\n  ')}`);
    continue;
  }
  const app = join(work, `install-${dir}`);
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'pack-check', private: true, type: 'module' }));
  try {
    const sourceExample = readmeExample(readFileSync(join(root, 'packages', dir, 'README.md'), 'utf8'));
    const peers = examplePeers(pkg, sourceExample);
    // Other @seta packages the example uses (e.g. a strategy beside the trainer), as a user would install them.
    const packages = new Set(closure(name));
    for (const other of exampleImports(sourceExample)) if (manifests.has(other)) closure(other, packages);
    run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...[...packages].map((n) => tarballs.get(n)), ...peers], app);
    const installed = join(app, 'node_modules', ...name.split('/'));
    for (const f of ['README.md', 'LICENSE', 'package.json']) {
      if (!existsSync(join(installed, f))) throw new Error(`the tarball lacks ${f}`);
    }
    for (const [sub, conditions] of Object.entries(pkg.exports)) {
      if (sub === './package.json') continue;
      for (const cond of Object.values(conditions)) {
        for (const f of typeof cond === 'string' ? [cond] : Object.values(cond)) {
          if (!existsSync(join(installed, f))) throw new Error(`exports["${sub}"] names ${f}, which the tarball lacks`);
        }
      }
    }
    // TypeScript finds the declarations through each condition of `exports`:
    // `import` (.d.ts, as ESM) and `require` (.d.cts), with strict settings.
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { module: 'node16', moduleResolution: 'node16', strict: true, noEmit: true, skipLibCheck: true, types: [] },
      files: ['types-esm.mts', 'types-cjs.cts'],
    }));
    writeFileSync(join(app, 'types-esm.mts'), `import * as m from '${name}';\nexport const keys: string[] = Object.keys(m);\n`);
    writeFileSync(join(app, 'types-cjs.cts'), `import m = require('${name}');\nexport const keys: string[] = Object.keys(m);\n`);
    try {
      run('node', [tsc, '-p', 'tsconfig.json'], app);
    } catch (error) {
      throw new Error(`TypeScript cannot use its declarations:\n${error.stdout ?? ''}${error.stderr ?? ''}`);
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
