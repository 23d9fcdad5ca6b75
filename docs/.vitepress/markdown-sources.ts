/**
 * Markdown pre-processing for the site, run before VitePress renders a page:
 *
 * - `<!--@section: ../packages/kmeans1d/README.md#Benchmark-->` pastes the
 *   section under that heading (up to the next heading of the same or a
 *   higher level) of another Markdown file, so the site shows the packages'
 *   own benchmark tables instead of copies that drift. A missing file or
 *   heading fails the build.
 * - Relative links and images are resolved against the file they were
 *   written in. Targets inside the site stay relative (VitePress checks them
 *   for dead links); targets outside it (package READMEs, source files, raw
 *   JSON results) become links to the repository on GitHub.
 * - `<!--@code: ./guide/getting-started.md#The three calls-->` pastes the
 *   first fenced code block of that section, so a page can show a program
 *   that scripts/guide-examples.mjs runs where it is written.
 * - A result report (`results/<name>/report.md`) gets its committed plots
 *   appended, with their captions, unless it already shows them.
 * - Citations of the specification by section (`ALGORITHMS.md §3`), and
 *   plain-text paths of the documentation's pages (`docs/methods/seta.md`,
 *   as the TSDoc the API reference is generated from cites them, so that
 *   they also mean something in an editor's hover), link to those pages,
 *   named by the pages' titles: a reader of the site has no use for a path.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { plotCaption } from './plot-captions';

const docsDir = resolve(dirname(new URL(import.meta.url).pathname), '..');
const repoDir = resolve(docsDir, '..');

/** `https://github.com/<owner>/<repo>`, from the packages' `repository` field. */
export const repositoryUrl: string = (() => {
  const pkg = JSON.parse(readFileSync(join(repoDir, 'packages/core/package.json'), 'utf8'));
  const url: string = pkg.repository?.url ?? '';
  const m = url.match(/github\.com[/:]([^/]+\/[^/.]+)/);
  if (!m) throw new Error(`docs: cannot read a GitHub repository from packages/core/package.json (repository.url = ${JSON.stringify(url)})`);
  return `https://github.com/${m[1]}`;
})();

/** Files under docs/ that VitePress does not turn into pages. */
export const excludedSources = ['README.md', 'results/*/notes.md', 'tests/**', 'scripts/**', '**/node_modules/**'];

const isExcluded = (rel: string) =>
  rel === 'README.md' || /^results\/[^/]+\/notes\.md$/.test(rel) || /^(tests|scripts|node_modules)\//.test(rel);

const IMAGE = /\.(png|svg|jpe?g|gif|webp)$/i;

/** Splits Markdown into fenced-code and prose chunks so that code is never rewritten. */
function mapProse(src: string, fn: (prose: string) => string): string {
  const out: string[] = [];
  let prose: string[] = [];
  let fence: string | null = null;
  for (const line of src.split('\n')) {
    const m = line.match(/^\s*(`{3,}|~{3,})/);
    if (fence === null && m) {
      if (prose.length > 0) out.push(fn(prose.join('\n')));
      prose = [];
      fence = m[1]!;
      out.push(line);
    } else if (fence !== null) {
      out.push(line);
      if (line.trim().startsWith(fence) && line.trim().replace(/[`~]/g, '') === '') fence = null;
    } else {
      prose.push(line);
    }
  }
  if (prose.length > 0) out.push(fn(prose.join('\n')));
  // Rejoin: every chunk boundary was a newline.
  return out.join('\n');
}

/**
 * Rewrites the relative link and image targets of `text`, written in
 * `fromFile`, for a page at `pageFile`.
 */
export function rebaseLinks(text: string, fromFile: string, pageFile: string): string {
  return mapProse(text, (prose) =>
    prose.replace(/(!?)\[([^\]]*)\]\(([^)\s]+)((?:\s+"[^"]*")?)\)/g, (whole, bang: string, label: string, target: string, title: string) => {
      if (/^([a-z][a-z0-9+.-]*:|#|\/)/i.test(target)) return whole; // absolute URL, anchor, or site-absolute
      const [pathPart, hash = ''] = target.split(/(?=#)/);
      const abs = resolve(dirname(fromFile), decodeURIComponent(pathPart!));
      const rel = relative(docsDir, abs);
      const insideSite = !rel.startsWith('..') && !rel.startsWith(sep) && !isExcluded(rel.split(sep).join('/'));
      const isPage = /\.md$/.test(abs) || (existsSync(abs) && statSync(abs).isDirectory() && existsSync(join(abs, 'index.md')));
      if (insideSite && (isPage || IMAGE.test(abs))) {
        let r = relative(dirname(pageFile), abs).split(sep).join('/');
        if (!r.startsWith('.')) r = `./${r}`;
        return `${bang}[${label}](${r}${hash}${title})`;
      }
      const repoRel = relative(repoDir, abs).split(sep).join('/');
      if (repoRel.startsWith('..')) throw new Error(`docs: ${fromFile} links outside the repository: ${target}`);
      if (!existsSync(abs)) throw new Error(`docs: ${relative(repoDir, fromFile)} links to ${target}, which does not exist (${repoRel})`);
      const kind = statSync(abs).isDirectory() ? 'tree' : bang ? 'raw' : 'blob';
      return `${bang}[${label}](${repositoryUrl}/${kind}/main/${repoRel}${hash}${title})`;
    }),
  );
}

/** The section of `file` under the heading whose text is `heading`. */
export function extractSection(file: string, heading: string): string {
  if (!existsSync(file)) throw new Error(`docs: @section names ${file}, which does not exist`);
  const lines = readFileSync(file, 'utf8').split('\n');
  let fence = false;
  let start = -1;
  let level = 0;
  let end = lines.length;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^\s*(```|~~~)/.test(line)) fence = !fence;
    if (fence) continue;
    const m = line.match(/^(#{1,6})\s+(.*?)\s*$/);
    if (!m) continue;
    if (start < 0) {
      if (m[2] === heading) {
        start = i + 1;
        level = m[1]!.length;
      }
    } else if (m[1]!.length <= level) {
      end = i;
      break;
    }
  }
  if (start < 0) throw new Error(`docs: @section: no heading "${heading}" in ${relative(repoDir, file)}`);
  return lines.slice(start, end).join('\n').trim();
}

/**
 * The pages that state what each section of the project's specification
 * (ALGORITHMS.md, cited by section in older comments and notes) says.
 */
const SPEC_SECTIONS: Record<string, string> = {
  '1': '/methods/',
  '2': '/methods/infobatch',
  '3': '/methods/seta',
  '4': '/methods/scan',
  '5': '/methods/baselines',
  '6': '/data-parallel',
  '7': '/results/',
};

/**
 * Links each prose citation `ALGORITHMS.md §N` to the page stating that
 * section's rules, and each plain-text path `docs/methods/<page>.md` or
 * `docs/<page>.md` of an existing page to that page. Inline code, code
 * blocks, link texts and link targets are left alone.
 */
export function linkSpecSections(src: string): string {
  return mapProse(src, (prose) =>
    prose
      .split(/(`[^`\n]*`)/) // odd entries are inline code: left alone
      .map((part, i) =>
        i % 2 === 1
          ? part
          : part
              .replace(/(?<![[/])ALGORITHMS\.md §(\d)/g, (whole, n: string) => {
                const page = SPEC_SECTIONS[n];
                return page ? `[ALGORITHMS.md §${n}](${page})` : whole;
              })
              .replace(/(?<![[/\w.-])docs\/((?:methods\/)?[\w-]+)\.md(?![\w/])/g, (whole, page: string) =>
                existsSync(join(docsDir, `${page}.md`)) ? `[${whole}](/${page.replace(/(^|\/)index$/, '$1')})` : whole,
              ),
      )
      .join(''),
  );
}

/** The title of the site page at `path` (`/methods/seta`, `/methods/`): its first heading, or null. */
function pageTitle(path: string): string | null {
  const file = join(docsDir, path.endsWith('/') ? `${path}index.md` : `${path}.md`);
  if (!existsSync(file)) return null;
  const title = readFileSync(file, 'utf8').match(/^#\s+(.+?)\s*$/m)?.[1];
  return title ? title.replace(/^The /, '') : null;
}

/**
 * Names the links {@link linkSpecSections} writes: `[docs/methods/seta.md](/methods/seta)`
 * becomes `the [SeTa page](/methods/seta)`, and so does a section citation
 * of the specification, which is not on the site.
 */
export function titleDocLinks(src: string): string {
  return mapProse(src, (prose) =>
    prose.replace(/\[(?:docs\/(?:methods\/)?[\w-]+\.md|ALGORITHMS\.md §\d)\]\((\/[\w/-]*)\)/g, (whole, target: string) => {
      const title = pageTitle(target);
      return title ? `the [${title} page](${target})` : whole;
    }),
  );
}

/** The first fenced code block (with its fence lines) in the section of `file` under `heading`. */
export function extractCode(file: string, heading: string): string {
  const block = extractSection(file, heading).match(/^(`{3,}|~{3,})[^\n]*\n[\s\S]*?\n\1\s*$/m);
  if (!block) throw new Error(`docs: @code: no code block under "${heading}" in ${relative(repoDir, file)}`);
  return block[0];
}

/** The whole pre-processing of one page's source. */
export function preprocessPage(src: string, pageFile: string): string {
  let out = src.replace(/<!--\s*@section:\s*([^#\s]+)#(.*?)\s*-->/g, (_m, path: string, heading: string) => {
    const file = resolve(dirname(pageFile), path);
    return rebaseLinks(extractSection(file, heading.trim()), file, pageFile);
  });
  out = out.replace(/<!--\s*@code:\s*([^#\s]+)#(.*?)\s*-->/g, (_m, path: string, heading: string) =>
    extractCode(resolve(dirname(pageFile), path), heading.trim()),
  );
  out = rebaseLinks(out, pageFile, pageFile);
  out = titleDocLinks(linkSpecSections(out));
  const rel = relative(docsDir, pageFile).split(sep).join('/');
  const report = rel.match(/^results\/([^/]+)\/report\.md$/);
  if (report) {
    const plotsDir = join(dirname(pageFile), 'plots');
    const files = existsSync(plotsDir) ? readdirSync(plotsDir) : [];
    const twin = (f: string) => (f.endsWith('.png') ? f.replace(/\.png$/, '.svg') : f.replace(/\.svg$/, '.png'));
    // PNG where there is one, an SVG without a PNG twin otherwise; skip what the report already shows.
    const plots = files.filter((f) => f.endsWith('.png') || (f.endsWith('.svg') && !files.includes(twin(f)))).sort();
    const missing = plots.filter((f) => !out.includes(`plots/${f}`) && !out.includes(`plots/${twin(f)}`));
    if (missing.length > 0) {
      out += `\n\n## Plots\n\nThe committed plots of this run, from \`plots/\`.\n\n`;
      out += missing.map((f) => `![${plotCaption(f)}](./plots/${f})\n\n*${plotCaption(f)}*`).join('\n\n') + '\n';
    }
  }
  return out;
}
