// TypeDoc plugin: name each entry point's module after its npm package
// (`@seta/core`, `@seta/core/testing`) instead of its path (`core/src`).
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Converter, ReflectionKind } from 'typedoc';

/** The package.json name above `file`, plus the subpath for non-index entry points. */
function packageName(file) {
  let dir = dirname(file);
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
  const name = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name;
  const stem = basename(file).replace(/\.[cm]?tsx?$/, '');
  return stem === 'index' ? name : `${name}/${stem}`;
}

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_CREATE_DECLARATION, (context, reflection) => {
    if (!reflection.kindOf(ReflectionKind.Module)) return;
    const symbol = context.getSymbolFromReflection(reflection);
    const file = symbol?.declarations?.[0]?.getSourceFile().fileName;
    const name = file ? packageName(file) : null;
    if (name) reflection.name = name;
  });
}
