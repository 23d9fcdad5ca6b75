#!/usr/bin/env node
// Generates the API reference (Markdown, into api/, not committed) from the
// packages' TSDoc comments with TypeDoc, for the VitePress site to render.
import { rmSync } from 'node:fs';
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
console.log(`api: reference for ${project.children?.length ?? 0} modules written to ${join(docs, 'api')}`);
