#!/usr/bin/env node
/**
 * Browser test of the built documentation site. It serves .vitepress/dist on
 * 127.0.0.1 and drives headless Chromium (Debian's, through playwright-core
 * — no browser download) to check that:
 *
 * - every page of the sidebar (read from the built site) and of the nav bar
 *   loads without errors at desktop width (1280), phone width (390, device
 *   pixel ratio 3) and in dark mode, without sideways scrolling on the phone;
 *   the API reference's generated pages at desktop width;
 * - the home page's first screen, at desktop and phone width, shows whole
 *   what the library does, what it saves (the committed summary's figures)
 *   and how to install it; the evidence chart's text is readable at both
 *   widths; the home and results pages' first screens look like their
 *   baselines;
 * - the charts and plots of the evidence pages are drawn;
 * - the local search finds each method by name;
 * - the live demo trains the pruned and the full-data run to the end, at
 *   desktop and phone width: the points are drawn in their class colours,
 *   the canvases are at device-pixel size, the status line keeps its height,
 *   pruning saves visits, the pruned run's final accuracy is within
 *   `MARGIN` of the full run's, and the strategy selector switches the run;
 * - the finished demo looks like its committed baselines at both widths
 *   (tests/baselines/, compared with a tolerance, see compare-shots.mjs);
 * - and that these checks notice a broken demo: it runs the demo again with
 *   faults injected — points not drawn, the pruned run training on a sliver
 *   of each plan — and fails if the checks that should catch them pass.
 *
 * Usage (after the docs build): node tests/site.mjs [--update-baselines] [--only=...]
 *   --update-baselines  write tests/baselines/*.png from this run instead of
 *                       comparing; review them and commit them with the change
 *                       that moved the layout.
 *   --only=pages,content,demo,faults  run only these parts (all by default).
 * Environment: CHROMIUM_PATH (default: /usr/bin/chromium), SITE_DIST (the
 * built site, default .vitepress/dist), SCREENSHOTS_DIR
 * (default: docs/tests/screenshots; a shot of every page checked and the
 * diffs of failed comparisons).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { compareShot } from './compare-shots.mjs';
import { dist, serveSite } from './serve.mjs';

const docs = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const shots = resolve(process.env.SCREENSHOTS_DIR ?? join(docs, 'tests/screenshots'));
const baselines = join(docs, 'tests/baselines');
const executablePath = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const SECTIONS = ['pages', 'content', 'demo', 'faults'];
const args = process.argv.slice(2);
const updateBaselines = args.includes('--update-baselines');
const onlyArg = args.find((a) => a.startsWith('--only='));
const only = onlyArg ? onlyArg.slice('--only='.length).split(',') : SECTIONS;
const unknown = [...args.filter((a) => a !== '--update-baselines' && a !== onlyArg), ...only.filter((o) => !SECTIONS.includes(o))];
if (unknown.length > 0) fail(`unknown argument ${unknown.join(' ')}; the options are --update-baselines and --only=${SECTIONS.join(',')}`);

/** How far (absolute) the pruned run's final test accuracy may fall below the full run's. */
const MARGIN = 0.05;
/** Below this final accuracy the full run itself has not learnt the task. */
const FULL_FLOOR = 0.9;

if (!existsSync(join(dist, 'index.html'))) fail(`no built site in ${dist}: run \`npx pnpm@10.34.9 docs:build\` first`);
if (!executablePath || !existsSync(executablePath)) {
  fail('no Chromium found (looked for CHROMIUM_PATH, /usr/bin/chromium, /usr/bin/chromium-browser); on Debian: apt-get install chromium');
}
mkdirSync(shots, { recursive: true });

function fail(message) {
  console.error(`docs:test: ${message}`);
  process.exit(1);
}

const MODES = {
  desktop: { viewport: { width: 1280, height: 900 }, colorScheme: 'light' },
  phone: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true, colorScheme: 'light' },
  dark: { viewport: { width: 1280, height: 900 }, colorScheme: 'dark' },
};

/** A list of checks: prints each, keeps the failed ones. */
function recorder(prefix = '') {
  const failed = [];
  const check = (ok, message, id = message) => {
    if (!ok) failed.push({ id, message });
    console.log(`${prefix}${ok ? 'ok  ' : 'FAIL'} ${message}`);
    return ok;
  };
  return { check, failed };
}
const main = recorder();
const { check } = main;
const t0 = Date.now();
const since = (t) => `${((Date.now() - t) / 1000).toFixed(1)} s`;

const { server, origin } = await serveSite();
const browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });

/** Records a page's uncaught errors, console errors and failed requests into `page.errors` (reset per navigation by the caller). */
function watchErrors(page) {
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(`uncaught: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') page.errors.push(`console: ${m.text()}`); });
  // An aborted request is one the browser gave up when the test moved on (a prefetch); a missing file is a 404 below.
  page.on('requestfailed', (r) => { if (r.failure()?.errorText !== 'net::ERR_ABORTED') page.errors.push(`request failed: ${r.url()} (${r.failure()?.errorText})`); });
  page.on('response', (r) => { if (r.status() >= 400) page.errors.push(`HTTP ${r.status()}: ${r.url()}`); });
  return page;
}

/**
 * Goes to `path` and waits until VitePress has hydrated the page (Vue marks
 * the app's root); `waitUntil: 'domcontentloaded'` for a page that goes on
 * loading (the demo, whose TensorFlow.js loads after hydration).
 */
async function visit(page, path, waitUntil = 'load') {
  page.errors.length = 0;
  const response = await page.goto(origin + path, { waitUntil });
  await page.waitForFunction(() => document.querySelector('#app')?.__vue_app__ !== undefined).catch(() => {});
  return response;
}

async function newPage(mode, init) {
  const context = await browser.newContext(MODES[mode]);
  // Generous: on a machine busy with other work a page load can take tens of seconds; a page
  // that never loads still fails.
  context.setDefaultTimeout(300_000);
  context.setDefaultNavigationTimeout(300_000);
  if (init) await context.addInitScript(init);
  return watchErrors(await context.newPage());
}

/** The pages of the built site's sidebar and nav bar, from its site data. */
async function sitePages() {
  const page = await newPage('desktop');
  await visit(page, '/');
  const { sidebar, nav } = await page.evaluate(() => window.__VP_SITE_DATA__.themeConfig);
  await page.context().close();
  const pages = new Map([['/', { api: false }]]);
  const add = (items, api) => {
    for (const item of items ?? []) {
      if (item.link && !/^https?:/.test(item.link)) {
        const link = item.link.replace(/\.md$/, '');
        const path = link.endsWith('/') || link.endsWith('.html') ? link : `${link}.html`;
        // The API reference's group link is its index; the pages under it are generated.
        if (!pages.has(path)) pages.set(path, { api: api && path !== '/api/' });
      }
      add(item.items, api || item.link === '/api/');
    }
  };
  add(Array.isArray(sidebar) ? sidebar : Object.values(sidebar).flat(), false);
  add(nav, false);
  return pages;
}

/** What is wrong with the page now showing at `path` in `mode`, besides its recorded errors. */
async function inspect(page, mode, path) {
  const problems = [];
  const h1 = ((await page.locator('h1').first().textContent({ timeout: 30_000 }).catch(() => null)) ?? '').trim();
  if (!h1) problems.push('no h1 heading');
  if (mode === 'phone') {
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    if (overflow > 1) problems.push(`scrolls sideways by ${overflow} px`);
  }
  if (mode === 'dark') {
    const dark = await page.evaluate(() => {
      const [r, g, b] = getComputedStyle(document.body).backgroundColor.match(/\d+/g).map(Number);
      return document.documentElement.classList.contains('dark') && r + g + b < 150;
    });
    if (!dark) problems.push('not in dark mode (html.dark with a dark background)');
  }
  return problems;
}

/**
 * Checks `paths` in `mode`, each loaded afresh — which is where VitePress
 * hydrates the server-rendered page, and a mismatch logs an error — or,
 * with `navigate`, reached by a click on a link in the page already open,
 * the way a reader moves through the sidebar (the router loads the page's
 * chunk and renders it), which costs a fraction of a load.
 */
async function sweep(mode, paths, { navigate = false, label = mode } = {}) {
  const t = Date.now();
  const page = await newPage(mode);
  let passed = 0;
  if (navigate) await visit(page, '/');
  for (const path of paths) {
    const problems = [];
    if (navigate) {
      page.errors.length = 0;
      // VitePress's router, as a click on a sidebar link uses it: go() resolves once the page's
      // chunk is loaded and the route set; two frames later the page is rendered.
      const at = await page.evaluate(async (href) => {
        const provides = document.querySelector('#app')?.__vue_app__?._context.provides ?? {};
        const router = Object.getOwnPropertySymbols(provides).map((k) => provides[k]).find((v) => v && typeof v.go === 'function' && v.route);
        if (!router) return 'no VitePress router found in the app';
        await router.go(href);
        await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
        return location.pathname;
      }, path).catch((e) => `navigation failed: ${e.message}`);
      if (at !== path) problems.push(`navigation did not arrive (${at})`);
    } else {
      const response = await visit(page, path).catch((e) => ({ status: () => `not loaded: ${e.message}` }));
      if (response?.status() !== 200) problems.push(`HTTP ${response?.status()}`);
    }
    problems.push(...(await inspect(page, mode, path)), ...page.errors);
    if (problems.length === 0) passed++;
    else check(false, `${label} ${path}: ${problems.join('; ')}`);
  }
  check(passed === paths.length, `${label}: ${passed} of ${paths.length} pages ${navigate ? 'reached through links' : 'loaded'} without errors (${since(t)})`, `sweep-${label}`);
  await page.context().close();
}

/** Compares a screenshot with its baseline (or writes the baseline); `scale` is baseline pixels per CSS pixel. */
async function compare(name, png, cssWidth, scale, { check: c, fault } = main, tolerance = undefined) {
  const r = await compareShot(comparePage, png, {
    width: Math.round(cssWidth * scale),
    baselinePath: join(baselines, `${name}.png`),
    diffPath: join(shots, `${name}${fault ? '-fault' : ''}.diff.png`),
    // A deliberately broken page is compared, never written as the baseline.
    update: updateBaselines && !fault,
    tolerance,
  });
  c(r.ok, `screenshot ${name}: ${r.message}`, `screenshot-${name}`);
}

/**
 * The share of scaled pixels a static page's first screen may differ by.
 * Tighter than the demo's: these pages have no animation and render
 * identically from run to run (0.00 % on this machine), while a first screen
 * is mostly white, so a block pushed out of it changes only a few per cent
 * of the pixels (2.1 % in the home-page fault below).
 */
const STATIC_TOLERANCE = 0.005;

/**
 * The best saving of each strategy whose interval is above zero, as the home
 * page should quote it: "21.5 %" — read from the committed summary here, not
 * through the site's own code, so a slip in that code shows.
 */
function expectedSavings() {
  const summary = JSON.parse(readFileSync(join(docs, 'results/classification-evidence/summary.json'), 'utf8'));
  const best = new Map();
  for (const arm of summary.arms) {
    const { mean, ci95 } = arm.visitsSavedAtEqualAccuracy;
    if (ci95 && ci95[0] > 0 && mean > (best.get(arm.strategy) ?? -Infinity)) best.set(arm.strategy, mean);
  }
  return [...best.values()].map((m) => `${(m * 100).toFixed(1)} %`);
}

/**
 * What a visitor sees before scrolling, in `mode`: on the home page what the
 * library does, what it saves (with the committed figures) and how to
 * install it, each whole; the evidence chart's labels at a readable size
 * (the SVG scales with its box); and the home and results pages' first
 * screens against their baselines.
 */
async function firstScreens(mode, rec = main, fault = undefined) {
  const { check } = rec;
  const page = await newPage(mode);
  const height = MODES[mode].viewport.height;
  await visit(page, '/');
  if (fault) await page.addStyleTag({ content: fault });
  await page.evaluate(() => document.fonts.ready);
  for (const [what, selector] of [['what it does', '.VPHero .tagline'], ['what it saves', '[data-testid="home-savings"]'], ['how to install', '[data-testid="home-install"] pre']]) {
    const box = await page.locator(selector).boundingBox();
    check(box !== null && box.y >= 0 && box.y + box.height <= height,
      `home ${mode}: ${what} is whole on the first screen (${box ? `${Math.round(box.y)}–${Math.round(box.y + box.height)} px` : 'not shown'} of ${height})`, `first-screen-${what}`);
  }
  const hidden = await page.locator('[data-testid="home-install"] pre').evaluate((e) => e.scrollWidth - e.clientWidth);
  check(hidden <= 1, `home ${mode}: the install commands show whole, without sideways scrolling (${hidden} px hidden)`);
  const said = ((await page.locator('[data-testid="home-savings"]').textContent()) ?? '').replace(/\u00a0/g, ' ');
  const wanted = expectedSavings();
  check(wanted.length > 0 ? wanted.every((f) => said.includes(f)) : /no method beat/.test(said),
    `home ${mode}: the savings quoted are the committed summary's (${wanted.join(', ') || 'none better'}): "${said.replace(/\s+/g, ' ').trim()}"`);
  await chartText(page, mode, '/', '.VPHero .evidence-chart', rec);
  await compare(`home-${mode}`, await page.screenshot(), MODES[mode].viewport.width, mode === 'phone' ? 1 / 3 : 0.25, { check, fault }, STATIC_TOLERANCE);
  check(page.errors.length === 0, `home ${mode}: no page errors${page.errors.length ? `: ${page.errors.join('; ')}` : ''}`);
  if (fault) return page.context().close();

  await visit(page, '/results/');
  await page.evaluate(() => document.fonts.ready);
  await compare(`results-${mode}`, await page.screenshot(), MODES[mode].viewport.width, mode === 'phone' ? 1 / 3 : 0.25, main, STATIC_TOLERANCE);
  await chartText(page, mode, '/results/', '.vp-doc .evidence-chart');
  await page.context().close();
}

/** The evidence chart's shown labels are drawn at `MIN_CHART_TEXT` CSS px or more. */
const MIN_CHART_TEXT = 10;
async function chartText(page, mode, path, selector, { check } = main) {
  const sizes = await page.locator(selector).first().evaluate((figure) => {
    const svg = [...figure.querySelectorAll('svg')].find((s) => s.getBoundingClientRect().width > 0);
    if (!svg) return [];
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    return [...svg.querySelectorAll('text')].map((t) => parseFloat(getComputedStyle(t).fontSize) * scale);
  });
  const smallest = Math.min(...sizes);
  check(sizes.length > 0 && smallest >= MIN_CHART_TEXT,
    `${path} ${mode}: the evidence chart's text is at least ${MIN_CHART_TEXT} px (smallest ${sizes.length ? smallest.toFixed(1) : 'none shown'})`);
}

const DEMO = '[data-testid="seta-demo"]';
const demoState = (page) => page.locator(DEMO).evaluate((e) => ({ ...e.dataset }));

/**
 * Runs the demo in `mode` to the end and checks it, into `rec`. `fault`
 * (`'mis-prune'` or `'no-points'`) breaks it on purpose; `drawingOnly` stops
 * after the first epochs with the canvas checks. Returns the page, still
 * open, for the callers that go on with it.
 */
async function demoRun(mode, rec, { fault, drawingOnly = false } = {}) {
  const { check: c } = rec;
  const init = fault === 'mis-prune'
    ? () => { window.__SETA_DEMO_FAULT__ = 'mis-prune'; }
    : fault === 'no-points'
      ? () => { CanvasRenderingContext2D.prototype.arc = function () {}; }
      : undefined;
  const page = await newPage(mode, init);
  const t = Date.now();
  await visit(page, '/demo.html', 'domcontentloaded');
  c(/^Live demo/.test((await page.locator('h1').first().textContent())?.trim() ?? ''), `demo ${mode}: the page's heading`);
  await page.waitForFunction((sel) => Number(document.querySelector(sel)?.dataset.epoch) >= 3 || document.querySelector(sel)?.dataset.state === 'error', DEMO, { timeout: 180_000 }).catch(() => {});
  const first = await demoState(page);
  c(first.state === 'running' || first.state === 'done', `demo ${mode}: training (state ${first.state}${first.state === 'error' ? `: ${await page.locator('[data-testid="demo-error"]').textContent()}` : ''})`);
  c(Number(first.epoch) >= 3, `demo ${mode}: epoch ${first.epoch} within ${since(t)} of loading`);
  if (drawingOnly) {
    await canvasChecks(page, mode, rec);
    return page;
  }
  const statusRunning = await page.locator('[data-testid="demo-status"]').boundingBox();
  await page.waitForFunction((sel) => ['done', 'error'].includes(document.querySelector(sel)?.dataset.state), DEMO, { timeout: 420_000 }).catch(() => {});
  const end = await demoState(page);
  c(end.state === 'done' && end.epoch === '60', `demo ${mode}: finished all 60 epochs (state ${end.state}, epoch ${end.epoch}) in ${since(t)}`);
  const statusDone = await page.locator('[data-testid="demo-status"]').boundingBox();
  c(statusRunning !== null && statusDone !== null && statusRunning.height === statusDone.height,
    `demo ${mode}: the status keeps its height when the run ends (${statusRunning?.height} → ${statusDone?.height} px)`);
  const saved = Number(end.saved);
  c(saved > 0.2 && saved < 0.9, `demo ${mode}: the pruned run saved ${(saved * 100).toFixed(1)} % of sample visits`, 'saved');
  const accuracy = Number(end.accuracy);
  const full = Number(end.fullAccuracy);
  c(full >= FULL_FLOOR, `demo ${mode}: the full-data run reached ${(full * 100).toFixed(1)} % test accuracy (at least ${FULL_FLOOR * 100} %)`, 'full-learns');
  c(accuracy >= full - MARGIN,
    `demo ${mode}: the pruned run's ${(accuracy * 100).toFixed(1)} % is within ${MARGIN * 100} points of full data's ${(full * 100).toFixed(1)} %`, 'accuracy-margin');
  await canvasChecks(page, mode, rec);
  await page.locator(DEMO).scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(shots, `demo-${mode}${fault ? `-fault-${fault}` : ''}.png`) });
  c(page.errors.length === 0, `demo ${mode}: no page errors${page.errors.length ? `: ${page.errors.join('; ')}` : ''}`, 'errors');
  return page;
}

/** The demo's canvases: drawn in their data colours, at the device's pixel size. */
async function canvasChecks(page, mode, { check: c }) {
  // Colours from docs/.vitepress/theme/demo/draw.ts: the three classes, SeTa's groups, the two accuracy lines.
  const CLASSES = [[0xe4, 0x57, 0x2e], [0x1b, 0x99, 0x8b], [0x3f, 0x63, 0xc8]];
  const expected = {
    'demo-points': { colours: CLASSES, what: 'points of every class' },
    'demo-points-full': { colours: CLASSES, what: 'points of every class' },
    'demo-history': { colours: [[0x26, 0x46, 0x53], [0x8d, 0x99, 0xae]], what: 'both accuracy lines' },
    'demo-groups': { colours: [[0x2a, 0x9d, 0x8f], [0xe7, 0x6f, 0x51]], what: 'the easiest and the hardest loss group' },
  };
  for (const [id, { colours, what }] of Object.entries(expected)) {
    const r = await page.locator(`[data-testid="${id}"]`).evaluate((canvas, colours) => {
      const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      const counts = colours.map(() => 0);
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3] < 200) continue;
        colours.forEach(([r, g, b], k) => {
          if (Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b) < 40) counts[k]++;
        });
      }
      const ratio = devicePixelRatio;
      return { counts, width: canvas.width, height: canvas.height, cssWidth: canvas.clientWidth, cssHeight: canvas.clientHeight, ratio };
    }, colours);
    // Each colour on at least 60 CSS px² (a dozen points, a few short line segments).
    const min = 60 * r.ratio * r.ratio;
    c(r.counts.every((n) => n >= min), `demo ${mode}: ${id} shows ${what} (pixels per colour: ${r.counts.join(', ')}; at least ${Math.round(min)})`, `drawn-${id}`);
    const exact = Math.abs(r.width - Math.round(r.cssWidth * r.ratio)) <= 1 && Math.abs(r.height - Math.round(r.cssHeight * r.ratio)) <= 1;
    c(exact, `demo ${mode}: ${id} is drawn at device-pixel size (${r.width}×${r.height} for ${r.cssWidth}×${r.cssHeight} CSS px at ×${r.ratio})`, `pixels-${id}`);
  }
}

/**
 * Runs one part of the test (unless --only leaves its group out); an
 * exception (a timeout, a crashed page) fails it and lets the rest run.
 */
async function section(group, name, fn) {
  if (!only.includes(group)) return;
  try {
    await fn();
  } catch (e) {
    check(false, `${name}: stopped by ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}`);
  }
}

let comparePage;
try {
  comparePage = await newPage('desktop');
  await comparePage.goto(`${origin}/404.html`);

  // Every page of the sidebar and the nav bar, in each mode.
  await section('pages', 'sidebar pages', async () => {
    const pages = await sitePages();
    const site = [...pages].filter(([, p]) => !p.api).map(([path]) => path);
    const api = [...pages].filter(([, p]) => p.api).map(([path]) => path);
    check(site.length >= 15 && api.length >= 20, `the built site's sidebar and nav list ${site.length} pages and ${api.length} API reference pages`);
    // Each site page loaded afresh at both widths and reached through links in dark mode; the
    // API reference's generated pages, by links at desktop width.
    await Promise.all([
      sweep('desktop', site),
      sweep('phone', site),
      sweep('dark', site, { navigate: true }),
      sweep('desktop', api, { navigate: true, label: 'desktop API reference' }),
    ]);
  });

  // Page-specific content, and screenshots of every page checked.
  await section('content', 'page content and search', async () => {
    const page = await newPage('desktop');
    for (const [path, name] of [['/', 'home'], ['/guide/getting-started.html', 'getting-started'], ['/methods/seta.html', 'method-seta'], ['/api/@seta/seta/functions/seta.html', 'api-seta']]) {
      await visit(page, path);
      const navLinks = await page.locator('.VPNavBar a').count();
      check(navLinks >= 5, `${path}: navigation bar has ${navLinks} links`);
      await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
    }

    // The first screen of the home page and of the results page, at both widths.
    for (const mode of ['desktop', 'phone']) await firstScreens(mode);

    // Performance: the charts have a point per measured (strategy, N).
    const bench = JSON.parse(readFileSync(join(docs, 'results/strategy-bench.json'), 'utf8'));
    await visit(page, '/performance.html');
    for (const chart of ['plan', 'observe']) {
      const points = await page.locator(`[data-chart="${chart}"] circle`).count();
      check(points === bench.results.length, `/performance.html: ${chart} chart has ${points} points, one per result (${bench.results.length})`);
    }
    const tables = await page.locator('.vp-doc table').count();
    check(tables >= 3, `/performance.html: ${tables} tables pasted from the packages' benchmarks`);
    await page.screenshot({ path: join(shots, 'performance.png'), fullPage: true });

    // Results: every committed plot is shown and loaded; the contrastive section is there.
    await visit(page, '/results/');
    const images = page.locator('.plots img');
    const count = await images.count();
    for (let i = 0; i < count; i++) await images.nth(i).scrollIntoViewIfNeeded();
    await page.waitForLoadState('networkidle');
    // An SVG without intrinsic size can report naturalWidth 0; a failed load is caught by the request checks.
    const loaded = await images.evaluateAll((els) => els.filter((e) => e.complete && (e.naturalWidth > 0 || /\.svg$/.test(e.currentSrc))).length);
    check(count >= 2 && loaded === count, `/results/: ${loaded} of ${count} plots loaded`);
    const reports = await page.locator('.result a[href$="report.html"]').count();
    check(reports >= 1, `/results/: ${reports} report links`);
    check((await page.locator('#contrastive-pretraining').count()) === 1, '/results/: has the contrastive section');
    const contrastiveResult = await page.locator('.result[data-result="contrastive"] img').count();
    check(contrastiveResult >= 4, `/results/: the committed contrastive report with its plots (${contrastiveResult} plots)`);
    check(page.errors.length === 0, `/results/: no page errors${page.errors.length ? `: ${page.errors.join('; ')}` : ''}`);
    await page.screenshot({ path: join(shots, 'results.png'), fullPage: true });

    // Search: VitePress's local search finds each method's page by its name.
    await visit(page, '/');
    for (const [term, target] of [['InfoBatch', '/methods/infobatch'], ['SeTa', '/methods/seta'], ['SCAN', '/methods/scan']]) {
      await page.locator('#local-search button, .VPNavBarSearch button').first().click();
      const input = page.locator('#localsearch-input');
      await input.fill(term);
      await page.waitForFunction((t) => [...document.querySelectorAll('.VPLocalSearchBox .results a.result')].some((a) => a.getAttribute('href')?.includes(t)), target, { timeout: 60_000 }).catch(() => {});
      const hrefs = await page.locator('.VPLocalSearchBox .results a.result').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
      check(hrefs.some((h) => h?.includes(target)), `search "${term}": ${hrefs.length} results, among them ${target}`);
      await page.keyboard.press('Escape');
      await page.locator('.VPLocalSearchBox').waitFor({ state: 'detached', timeout: 30_000 }).catch(() => {});
    }
    check(page.errors.length === 0, `search: no page errors${page.errors.length ? `: ${page.errors.join('; ')}` : ''}`);

    await page.context().close();
  });

  // The live demo, at each width in turn: two at once would compete for the CPU.
  for (const mode of ['desktop', 'phone']) await section('demo', `demo ${mode}`, async () => {
    const page = await demoRun(mode, main);
    const demo = page.locator(DEMO);
    await page.evaluate(() => document.fonts.ready);
    // The nav bars stay on top as the page scrolls to the demo; hidden, they cannot cover it.
    const png = await demo.screenshot({ style: '.VPNav, .VPLocalNav { visibility: hidden !important; }' });
    await compare(`demo-${mode}`, png, (await demo.boundingBox()).width, mode === 'phone' ? 1 / 3 : 0.25);
    if (mode === 'phone') {
      // Turned sideways: the canvases follow their new size.
      await page.setViewportSize({ width: 844, height: 390 });
      await page.waitForTimeout(500);
      await canvasChecks(page, 'phone turned sideways', main);
    } else {
      // The selectors switch the run: InfoBatch, mild, restarted from epoch 0 and pruning.
      await page.locator('[data-testid="demo-strategy"]').selectOption('infobatch');
      await page.locator('[data-testid="demo-level"]').selectOption('mild');
      await page.waitForFunction((sel) => {
        const d = document.querySelector(sel)?.dataset;
        return d?.strategy === 'infobatch' && d.level === 'mild' && ((Number(d.epoch) >= 3 && Number(d.epoch) < 60) || d.state === 'error');
      }, DEMO, { timeout: 180_000 }).catch(() => {});
      const s = await demoState(page);
      const code = await page.locator('.seta-demo .setting').textContent();
      check(s.state === 'running' && Number(s.epoch) >= 3 && /infobatch\(\{ pruneRatio: 0\.5 \}\)/.test(code ?? ''), `demo: the selectors restart the run as InfoBatch, mild (${code}; state ${s.state}, epoch ${s.epoch})`);
      check(Number(s.saved) > 0, `demo: InfoBatch prunes (saved ${(Number(s.saved) * 100).toFixed(1)} % so far)`);
      check(page.errors.length === 0, `demo: no page errors after switching${page.errors.length ? `: ${page.errors.join('; ')}` : ''}`);
    }
    await page.context().close();
  });

  // The test of the test: a broken demo must fail the checks meant to catch it.
  const faults = [
    { fault: 'mis-prune', expect: ['accuracy-margin'], what: 'the pruned run training on 2 % of each plan' },
    { fault: 'no-points', expect: ['drawn-demo-points', 'drawn-demo-points-full'], what: 'no point drawn (the canvas arc() does nothing)' },
  ];
  // And a broken home page: the hero's figures pushed below the first screen by a taller pitch.
  await section('faults', 'fault home', async () => {
    const rec = recorder('  [fault home] ');
    await firstScreens('desktop', rec, '.VPHero .tagline { padding-bottom: 400px; }');
    const expect = ['first-screen-what it saves', 'first-screen-how to install', 'screenshot-home-desktop'];
    const caught = expect.filter((id) => rec.failed.some((f) => f.id === id));
    check(caught.length === expect.length,
      `a broken home page fails the checks: with its figures and install line pushed below the first screen, ${caught.length} of ${expect.length} expected checks failed (${expect.join(', ')})`);
  });
  await Promise.all(faults.map(({ fault, expect, what }) => section('faults', `fault ${fault}`, async () => {
    const rec = recorder(`  [fault ${fault}] `);
    const page = await demoRun('desktop', rec, { fault, drawingOnly: fault === 'no-points' });
    await page.context().close();
    const caught = expect.filter((id) => rec.failed.some((f) => f.id === id));
    check(caught.length === expect.length,
      `a broken demo fails the checks: with ${what}, ${caught.length} of ${expect.length} expected checks failed (${expect.join(', ')})`);
  })));
} finally {
  await browser.close();
  server.close();
}

console.log(`\nparts run: ${only.join(', ')}; screenshots: ${shots}; ${since(t0)} in all`);
if (updateBaselines) console.log(`baselines written to ${baselines}: review them, then commit them`);
if (main.failed.length > 0) fail(`${main.failed.length} check(s) failed:\n  ${main.failed.map((f) => f.message).join('\n  ')}`);
console.log('docs:test: all checks passed');
