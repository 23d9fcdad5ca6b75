#!/usr/bin/env node
/**
 * Browser test of the built documentation site: serves .vitepress/dist,
 * opens it in headless Chromium (Debian's, through playwright-core — no
 * browser download), checks that the main pages render without errors, that
 * the charts and plots are drawn, and that the live demo trains: its epoch
 * counter advances, pruning saves a share of the visits, and accuracy rises
 * above chance. Saves a screenshot of every page checked.
 *
 * Usage (after the docs build): node tests/site.mjs
 * Environment: CHROMIUM_PATH (default: /usr/bin/chromium), SCREENSHOTS_DIR
 * (default: docs/tests/screenshots).
 */
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const docs = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(docs, '.vitepress/dist');
const shots = resolve(process.env.SCREENSHOTS_DIR ?? join(docs, 'tests/screenshots'));
const executablePath = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

if (!existsSync(join(dist, 'index.html'))) fail(`no built site in ${dist}: run \`npx pnpm@10.34.9 docs:build\` first`);
if (!executablePath || !existsSync(executablePath)) {
  fail('no Chromium found (looked for CHROMIUM_PATH, /usr/bin/chromium, /usr/bin/chromium-browser); on Debian: apt-get install chromium');
}
mkdirSync(shots, { recursive: true });

function fail(message) {
  console.error(`docs:test: ${message}`);
  process.exit(1);
}

// A static server for the built site (VitePress's .html pages, assets by extension).
const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.png': 'image/png', '.svg': 'image/svg+xml', '.woff2': 'font/woff2', '.wasm': 'application/wasm', '.txt': 'text/plain' };
const server = createServer((req, res) => {
  const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  const base = normalize(join(dist, path));
  const file = [base, `${base}.html`, join(base, 'index.html')].find((f) => f.startsWith(dist) && existsSync(f) && statSync(f).isFile());
  if (!file) {
    res.writeHead(404, { 'content-type': 'text/html' }).end(readFileSync(join(dist, '404.html')));
    return;
  }
  res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const origin = `http://127.0.0.1:${server.address().port}`;

const browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
const failures = [];
const check = (ok, message) => {
  if (!ok) failures.push(message);
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${message}`);
};

/** Opens a page, records its errors, checks its title heading; returns the page. */
async function open(path, heading) {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
  page.on('response', (r) => { if (r.status() >= 400) errors.push(`HTTP ${r.status()}: ${r.url()}`); });
  const response = await page.goto(origin + path, { waitUntil: 'networkidle' });
  check(response?.status() === 200, `${path}: HTTP ${response?.status()}`);
  const h1 = (await page.locator('h1').first().textContent({ timeout: 10_000 }).catch(() => null))?.trim() ?? '';
  check(heading.test(h1), `${path}: heading "${h1}" matches ${heading}`);
  page.errors = errors;
  return page;
}

async function finish(page, name) {
  const file = join(shots, `${name}.png`);
  await page.screenshot({ path: file, fullPage: name !== 'demo-end' });
  check(page.errors.length === 0, `${name}: no page errors${page.errors.length ? `: ${page.errors.join('; ')}` : ''}`);
  await page.close();
}

try {
  // Home, guide, a method page, the API reference.
  for (const [path, heading, name] of [
    ['/', /^seta/, 'home'],
    ['/guide/getting-started.html', /^Getting started/, 'getting-started'],
    ['/methods/seta.html', /^SeTa/, 'method-seta'],
    ['/data-parallel.html', /^Data-parallel training/, 'data-parallel'],
    ['/api/', /API|Modules|seta/, 'api-index'],
    ['/api/@seta/seta/functions/seta.html', /seta\(\)/, 'api-seta'],
  ]) {
    const page = await open(path, heading);
    const navLinks = await page.locator('.VPNavBar a').count();
    check(navLinks >= 5, `${path}: navigation bar has ${navLinks} links`);
    await finish(page, name);
  }

  // Performance: the charts have a point per measured (strategy, N).
  {
    const bench = JSON.parse(readFileSync(join(docs, 'results/strategy-bench.json'), 'utf8'));
    const page = await open('/performance.html', /^Performance/);
    for (const chart of ['plan', 'observe']) {
      const points = await page.locator(`[data-chart="${chart}"] circle`).count();
      check(points === bench.results.length, `/performance.html: ${chart} chart has ${points} points, one per result (${bench.results.length})`);
    }
    const tables = await page.locator('.vp-doc table').count();
    check(tables >= 3, `/performance.html: ${tables} tables pasted from the packages' benchmarks`);
    await finish(page, 'performance');
  }

  // Results: every committed plot is shown and loaded; the contrastive section is there.
  {
    const page = await open('/results/', /^Results/);
    const images = page.locator('.plots img');
    const count = await images.count();
    for (let i = 0; i < count; i++) await images.nth(i).scrollIntoViewIfNeeded();
    await page.waitForLoadState('networkidle');
    // An SVG without intrinsic size can report naturalWidth 0; a failed load is caught by the request checks.
    const loaded = await images.evaluateAll((els) => els.filter((e) => e.complete && (e.naturalWidth > 0 || /\.svg$/.test(e.currentSrc))).length);
    check(count >= 2 && loaded === count, `/results/: ${loaded} of ${count} plots loaded`);
    const reports = await page.locator('.result a[href$="report.html"]').count();
    check(reports >= 1, `/results/: ${reports} report links`);
    const contrastive = await page.locator('#contrastive-pretraining').count();
    check(contrastive === 1, '/results/: has the contrastive section');
    const contrastiveResult = await page.locator('.result[data-result="contrastive"] img').count();
    check(contrastiveResult >= 4, `/results/: the committed contrastive report with its plots (${contrastiveResult} plots)`);
    await finish(page, 'results');
    const contrastiveReport = await open('/results/contrastive/report.html', /Contrastive pre-training/);
    await finish(contrastiveReport, 'report-contrastive');
    const report = await open('/results/classification-mlp/report.html', /Fashion-MNIST/);
    await finish(report, 'report-classification-mlp');
  }

  // The demo trains live.
  {
    const page = await open('/demo.html', /^Live demo/);
    const demo = page.locator('[data-testid="seta-demo"]');
    const read = async () => ({
      state: await demo.getAttribute('data-state'),
      epoch: Number(await demo.getAttribute('data-epoch')),
      saved: Number(await demo.getAttribute('data-saved')),
    });
    const t0 = Date.now();
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="seta-demo"]')?.getAttribute('data-epoch')) >= 2 || document.querySelector('[data-testid="seta-demo"]')?.getAttribute('data-state') === 'error', null, { timeout: 60_000 }).catch(() => {});
    const first = await read();
    check(first.state !== 'error', `demo: running (state ${first.state}${first.state === 'error' ? `: ${await page.locator('[data-testid="demo-status"]').textContent()}` : ''})`);
    check(first.epoch >= 2, `demo: reached epoch ${first.epoch} within ${((Date.now() - t0) / 1000).toFixed(1)} s of loading`);
    await page.screenshot({ path: join(shots, 'demo-progress.png'), fullPage: true });
    await page.waitForTimeout(3000);
    const later = await read();
    check(later.epoch > first.epoch || later.state === 'done', `demo: makes progress (epoch ${first.epoch} → ${later.epoch} in 3 s, state ${later.state})`);
    check(later.saved > 0 && later.saved < 1, `demo: saved ratio so far ${later.saved} is in (0, 1)`);
    // The drawings are not blank.
    for (const id of ['demo-points', 'demo-groups', 'demo-history']) {
      const inked = await page.locator(`[data-testid="${id}"]`).evaluate((c) => {
        const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
        let n = 0;
        for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 0 && (data[i] < 240 || data[i + 1] < 240 || data[i + 2] < 240)) n++;
        return n / (c.width * c.height);
      });
      check(inked > 0.01, `demo: ${id} canvas is drawn (${(inked * 100).toFixed(1)} % of pixels inked)`);
    }
    // Let it finish: SeTa prunes, the window moves, accuracy beats chance (1/3) clearly.
    await page.waitForFunction(() => ['done', 'error'].includes(document.querySelector('[data-testid="seta-demo"]')?.getAttribute('data-state')), null, { timeout: 180_000 }).catch(() => {});
    const end = await read();
    check(end.state === 'done', `demo: finished all epochs (state ${end.state}, epoch ${end.epoch}) after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    check(end.saved > 0.1, `demo: the run saved ${(end.saved * 100).toFixed(1)} % of sample visits`);
    const accuracyText = await page.locator('[data-testid="demo-accuracy"]').textContent({ timeout: 2000 }).catch(() => null);
    const accuracy = parseFloat(accuracyText ?? 'NaN') / 100;
    check(accuracy > 0.6, `demo: final test accuracy ${(accuracy * 100).toFixed(1)} % beats chance (33 %) clearly`);
    await page.locator('[data-testid="seta-demo"]').scrollIntoViewIfNeeded();
    await finish(page, 'demo-end');
  }
} finally {
  await browser.close();
  server.close();
}

console.log(`\nscreenshots: ${shots}`);
if (failures.length > 0) fail(`${failures.length} check(s) failed:\n  ${failures.join('\n  ')}`);
console.log('docs:test: all checks passed');
