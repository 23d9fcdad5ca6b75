// Build-time data for the results page: every folder under docs/results/ with
// its report's title, whether the report exists, and its files.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineLoader } from 'vitepress';
import { plotCaption } from '../.vitepress/plot-captions';

export interface ResultFolder {
  /** Folder name under docs/results/. */
  name: string;
  /** The report's first heading, or null without a report.md. */
  title: string | null;
  /** Files in the folder (recursively, relative to it), for folders without a report. */
  files: string[];
  /** Plots in plots/ (PNG, or SVG without a PNG twin), relative to the folder, each with its caption. */
  plots: { file: string; caption: string }[];
}

declare const data: ResultFolder[];
export { data };

const here = dirname(fileURLToPath(import.meta.url));

function walk(dir: string, prefix = ''): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p, `${prefix}${f}/`) : [`${prefix}${f}`];
  });
}

export default defineLoader({
  watch: ['./*/report.md', './*/plots/*.png', './*/plots/*.svg'],
  load(): ResultFolder[] {
    return readdirSync(here)
      .filter((f) => statSync(join(here, f)).isDirectory())
      .sort()
      .map((name) => {
        const report = join(here, name, 'report.md');
        const title = existsSync(report) ? (readFileSync(report, 'utf8').match(/^#\s+(.+)$/m)?.[1]?.trim() ?? name) : null;
        const plotsDir = join(here, name, 'plots');
        const files = existsSync(plotsDir) ? readdirSync(plotsDir) : [];
        // PNG where there is one; an SVG only when it has no PNG twin.
        const plots = files
          .filter((f) => f.endsWith('.png') || (f.endsWith('.svg') && !files.includes(f.replace(/\.svg$/, '.png'))))
          .sort()
          .map((f) => ({ file: `plots/${f}`, caption: plotCaption(f) }));
        return { name, title, files: title === null ? walk(join(here, name)).sort() : [], plots };
      });
  },
});
