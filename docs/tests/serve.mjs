#!/usr/bin/env node
/**
 * A static server for the built site (.vitepress/dist) on 127.0.0.1 only:
 * `vitepress preview` listens on every interface and has no option to bind
 * one, which would publish the site to the whole network. The browser test
 * imports `serveSite`; run directly, it serves until interrupted.
 *
 * Usage (after the docs build): node tests/serve.mjs [port]   (default 4173)
 * Environment: SITE_DIST, another built site to serve (a copy, say, while a
 * new build overwrites .vitepress/dist).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built site: SITE_DIST, or the docs build's output. */
export const dist = resolve(process.env.SITE_DIST ?? join(dirname(fileURLToPath(import.meta.url)), '../.vitepress/dist'));

const types = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain',
};

/**
 * Serves `root` on 127.0.0.1: VitePress's `.html` pages with or without the
 * extension, assets by extension, its 404 page for anything else.
 *
 * @returns the server and its origin, `http://127.0.0.1:<port>`.
 */
export async function serveSite(root = dist, port = 0) {
  if (!existsSync(join(root, 'index.html'))) throw new Error(`no built site in ${root}: run \`npx pnpm@10.34.9 docs:build\` first`);
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const base = normalize(join(root, path));
    const file = [base, `${base}.html`, join(base, 'index.html')].find((f) => f.startsWith(root) && existsSync(f) && statSync(f).isFile());
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/html' }).end(readFileSync(join(root, '404.html')));
      return;
    }
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolveListen);
  });
  return { server, origin: `http://127.0.0.1:${server.address().port}` };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const port = Number(process.argv[2] ?? 4173);
  try {
    const { origin } = await serveSite(dist, port);
    console.log(`serving ${dist} at ${origin}/ (127.0.0.1 only; Ctrl-C stops)`);
  } catch (e) {
    console.error(`serve: ${e instanceof Error ? e.message : e}`);
    process.exit(1);
  }
}
