#!/usr/bin/env node
/**
 * Checks every internal link of the built site (.vitepress/dist): each
 * `href` and `src` in every HTML page must name a file of the build, and a
 * `#fragment` on a page must name an element id of that page. VitePress
 * already fails the build on dead links between Markdown pages; this also
 * covers links written in Vue components and HTML, assets, and fragments.
 *
 * Usage: node scripts/check-links.mjs [dist-dir]
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, posix, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '../.vitepress/dist'));
if (!existsSync(join(dist, 'index.html'))) {
  console.error(`check-links: no built site at ${dist} (run the docs build first)`);
  process.exit(1);
}

const walk = (dir) => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : [join(dir, f)]));
const pages = walk(dist).filter((f) => f.endsWith('.html'));
const idsCache = new Map();
const idsOf = (file) => {
  if (!idsCache.has(file)) {
    const html = readFileSync(file, 'utf8');
    idsCache.set(file, new Set([...html.matchAll(/\sid="([^"]+)"/g)].map((m) => decodeHtml(m[1]))));
  }
  return idsCache.get(file);
};
const decodeHtml = (s) => s.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');

/** The built file a site path refers to, or null. */
function target(path) {
  const candidates = path.endsWith('/') ? [`${path}index.html`] : [path, `${path}.html`, `${path}/index.html`];
  for (const c of candidates) {
    const f = join(dist, decodeURIComponent(c));
    if (existsSync(f) && statSync(f).isFile()) return f;
  }
  return null;
}

let links = 0;
const broken = [];
for (const page of pages) {
  const html = readFileSync(page, 'utf8')
    .replace(/<script\b[^>]*>[\s\S]*?<\/script>/g, '') // inline scripts hold data, not links
    .replace(/<pre\b[^>]*>[\s\S]*?<\/pre>/g, ''); // nor does code
  const pagePath = `/${relative(dist, page).split('\\').join('/')}`;
  for (const m of html.matchAll(/\s(?:href|src)="([^"]*)"/g)) {
    const raw = decodeHtml(m[1]);
    if (raw === '' || /^([a-z][a-z0-9+.-]*:|\/\/)/i.test(raw)) continue; // external: http:, mailto:, data:, …
    links++;
    const [beforeHash, fragment] = raw.split('#', 2);
    const pathOnly = beforeHash.split('?')[0];
    const path = pathOnly === '' ? pagePath : pathOnly.startsWith('/') ? pathOnly : posix.join(posix.dirname(pagePath), pathOnly);
    const file = target(path);
    if (file === null) {
      broken.push(`${pagePath}: ${raw} (no file for ${path})`);
      continue;
    }
    if (fragment && file.endsWith('.html') && !idsOf(file).has(decodeURIComponent(fragment))) {
      broken.push(`${pagePath}: ${raw} (no element with id "${decodeURIComponent(fragment)}" in ${relative(dist, file)})`);
    }
  }
}
if (broken.length > 0) {
  console.error(`check-links: ${broken.length} broken internal link(s) of ${links} in ${pages.length} pages:`);
  for (const b of broken.slice(0, 50)) console.error(`  ${b}`);
  if (broken.length > 50) console.error(`  … and ${broken.length - 50} more`);
  process.exit(1);
}
console.log(`check-links: ${links} internal links in ${pages.length} pages, all resolve`);
