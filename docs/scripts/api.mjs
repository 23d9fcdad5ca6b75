#!/usr/bin/env node
// Generates the API reference (Markdown, into api/, not committed) from the
// packages' TSDoc comments with TypeDoc, for the VitePress site to render.
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Application } from 'typedoc';

const docs = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(docs);
rmSync(join(docs, 'api'), { recursive: true, force: true });
const app = await Application.bootstrapWithPlugins({}, [new (await import('typedoc')).TSConfigReader(), new (await import('typedoc')).TypeDocReader()]);
const project = await app.convert();
if (!project) {
  console.error('api: TypeDoc could not convert the packages (see the errors above)');
  process.exit(1);
}
await app.generateOutputs(project);
if (app.logger.hasErrors() || app.logger.hasWarnings()) {
  console.error(`api: TypeDoc reported ${app.logger.errorCount} error(s) and ${app.logger.warningCount} warning(s); fix the TSDoc comments above`);
  process.exit(1);
}

/**
 * The first sentence of an index table's description: the tables list every
 * export of a module, and a whole paragraph per row buries the list. A first
 * sentence that is still long is cut at its colon, where the TSDoc summaries
 * turn from what a thing is to how it works. The export's own page keeps the
 * whole comment.
 */
function oneLine(text) {
  const sentence = text.match(/^(.+?[.!?])(?=\s+[A-Z`(*-]|\s*$)/)?.[1] ?? text;
  const colon = sentence.indexOf(': ');
  return sentence.length > 160 && colon > 0 && colon < 160 ? sentence.slice(0, colon) + '.' : sentence;
}
const walk = (dir) => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : [join(dir, f)]));
for (const file of walk(join(docs, 'api')).filter((f) => f.endsWith('.md'))) {
  const text = readFileSync(file, 'utf8');
  // An index row: `| [name](page.md) | description |`.
  const shortened = text.replace(/^(\| \[[^\]]+\]\([^)]+\) \| )(.+)( \|)$/gm, (_m, head, description, tail) => head + oneLine(description) + tail);
  if (shortened !== text) writeFileSync(file, shortened);
}
console.log(`api: reference for ${project.children?.length ?? 0} modules written to ${join(docs, 'api')}`);
