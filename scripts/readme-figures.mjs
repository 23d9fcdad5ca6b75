#!/usr/bin/env node
/**
 * The README's evidence table, generated from the committed summary
 * (docs/results/classification-evidence/summary.json), so the README and the
 * site quote one source: the table lives between
 * `<!-- figures:evidence -->` and `<!-- /figures:evidence -->`.
 *
 *   node scripts/readme-figures.mjs            # check: exit 1 if the README differs from the summary
 *   node scripts/readme-figures.mjs --update   # rewrite the table after the summary changed
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const readmeFile = join(root, 'README.md');
const summaryFile = join(root, 'docs/results/classification-evidence/summary.json');
const START = '<!-- figures:evidence -->';
const END = '<!-- /figures:evidence -->';
const MINUS = '\u2212';

const NAMES = { dynamicRandom: 'dynamic random', infobatch: 'InfoBatch', seta: 'SeTa', scan: 'SCAN (single-loss form)' };
// Options every arm of a strategy shares (SeTa's `groups`) say nothing about the difference between rows.
const SHOWN = ['pruneRatio', 'windowScale'];

const signed = (x) => `${x < 0 ? MINUS : '+'}${Math.abs(x * 100).toFixed(1)}`;

/** One arm's row: bold where the interval is above zero, named "no difference" where it holds zero. */
function row(arm) {
  const options = Object.entries(arm.options ?? {})
    .filter(([k]) => SHOWN.includes(k))
    .map(([k, v]) => `\`${k}\` ${v}`)
    .join(', ');
  const { mean, ci95 } = arm.visitsSavedAtEqualAccuracy;
  const figure = `${signed(mean)} % [${signed(ci95[0])}, ${signed(ci95[1])}]`;
  const reading = ci95[0] > 0 ? `**${signed(mean)} %** [${signed(ci95[0])}, ${signed(ci95[1])}]` : ci95[1] < 0 ? `${figure} (worse)` : `no difference (${figure})`;
  return `| ${NAMES[arm.strategy] ?? arm.strategy}${options ? `, ${options}` : ''} | ${Math.round(arm.visitsRatio.mean * 100)} % | ${reading} |`;
}

/** The table, best saving first. */
export function evidenceTable(summary) {
  const arms = [...summary.arms].sort((a, b) => b.visitsSavedAtEqualAccuracy.mean - a.visitsSavedAtEqualAccuracy.mean);
  return ['| method (clean labels) | visits made | visits saved at equal accuracy (95 % CI) |', '| --- | ---: | ---: |', ...arms.map(row)].join('\n');
}

/** `readme` with the marked region replaced by `table`; throws if the markers are missing. */
export function withTable(readme, table) {
  const from = readme.indexOf(START);
  const to = readme.indexOf(END);
  if (from < 0 || to < from) throw new Error(`readme-figures: README.md needs ${START} … ${END} around the evidence table`);
  return `${readme.slice(0, from + START.length)}\n${table}\n${readme.slice(to)}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const readme = readFileSync(readmeFile, 'utf8');
  const wanted = withTable(readme, evidenceTable(JSON.parse(readFileSync(summaryFile, 'utf8'))));
  if (process.argv.includes('--update')) {
    writeFileSync(readmeFile, wanted);
    console.log('readme-figures: README.md evidence table rewritten from the summary');
  } else if (wanted !== readme) {
    console.error('readme-figures: README.md evidence table differs from docs/results/classification-evidence/summary.json; run node scripts/readme-figures.mjs --update');
    process.exit(1);
  } else {
    console.log('readme-figures: README.md evidence table matches the summary');
  }
}
