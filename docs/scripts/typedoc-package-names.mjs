// TypeDoc plugin: name each entry point's module after its npm package
// (`@seta/core`, `@seta/core/testing`) instead of its path (`core/src`), and
// give it a one-line summary — the package's `description`, or for a subpath
// entry point the first paragraph of its file's opening comment — so that
// the reference's index says what each module is for, not only its name.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Comment, Converter, ReflectionKind } from 'typedoc';

/** The package.json above `file`: its name (plus the subpath for non-index entry points) and a summary. */
function packageInfo(file) {
  let dir = dirname(file);
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const stem = basename(file).replace(/\.[cm]?tsx?$/, '');
  if (stem === 'index') return { name: pkg.name, summary: pkg.description ?? null };
  const opening = readFileSync(file, 'utf8').match(/^\s*\/\*\*([\s\S]*?)\*\//)?.[1];
  const paragraph = opening
    ?.split('\n')
    .map((l) => l.replace(/^\s*\* ?/, ''))
    .join('\n')
    .trim()
    .split(/\n\s*\n/)[0]
    ?.replace(/\s+/g, ' ');
  return { name: `${pkg.name}/${stem}`, summary: paragraph ?? null };
}

/** @param {import('typedoc').Application} app */
export function load(app) {
  const summaries = new Map();
  app.converter.on(Converter.EVENT_CREATE_DECLARATION, (context, reflection) => {
    if (!reflection.kindOf(ReflectionKind.Module)) return;
    const symbol = context.getSymbolFromReflection(reflection);
    const file = symbol?.declarations?.[0]?.getSourceFile().fileName;
    const info = file ? packageInfo(file) : null;
    if (!info) return;
    reflection.name = info.name;
    if (info.summary) summaries.set(reflection, info.summary);
  });
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, () => {
    for (const [reflection, summary] of summaries) {
      if (!reflection.comment) reflection.comment = new Comment([{ kind: 'text', text: summary }]);
    }
  });
}
