#!/usr/bin/env node
/**
 * Size limits of the built site's JavaScript, checked after the build: a page
 * should not make a reader download megabytes. Every chunk is held to Vite's
 * 500 kB default except the local search index, which holds the text of
 * every page (the API reference's most of all) and is fetched only when the
 * search box first opens; it has its own, larger limit, so that its growth is
 * noticed too.
 *
 * Usage (after the docs build): node scripts/check-bundle.mjs
 * Environment: SITE_DIST, another built site to check.
 */
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const KB = 1000;
const CHUNK_LIMIT = 500 * KB;
const SEARCH_INDEX_LIMIT = 1500 * KB;

const dist = resolve(process.env.SITE_DIST ?? join(dirname(fileURLToPath(import.meta.url)), '../.vitepress/dist'));

function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (entry.name.endsWith('.js')) yield path;
  }
}

const over = [];
let largest = { name: '', size: 0 };
let searchIndex = 0;
for (const path of files(join(dist, 'assets'))) {
  const name = relative(dist, path);
  const size = statSync(path).size;
  const limit = /localSearchIndex/.test(name) ? SEARCH_INDEX_LIMIT : CHUNK_LIMIT;
  if (size > limit) over.push(`${name}: ${(size / KB).toFixed(0)} kB (limit ${limit / KB} kB)`);
  if (limit === CHUNK_LIMIT && size > largest.size) largest = { name, size };
  else if (limit === SEARCH_INDEX_LIMIT) searchIndex += size;
}
if (over.length > 0) {
  console.error(`check-bundle: ${over.length} chunk(s) over their limit:\n  ${over.join('\n  ')}`);
  process.exit(1);
}
console.log(
  `check-bundle: every chunk within its limit (the search index: ${(searchIndex / KB).toFixed(0)} kB; largest besides it: ${largest.name}, ${(largest.size / KB).toFixed(0)} kB)`,
);
