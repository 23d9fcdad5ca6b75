import { resolve } from 'node:path';
import type { Plugin } from 'esbuild';
import { packageBuild } from '../../tsup.preset';

/**
 * The browser build, `dist/browser.js` (the `browser` condition of the
 * package's exports, and `@seta/tfjs-trainer/browser`, also as
 * `dist/browser.cjs`): the same export list
 * (src/index.ts), with src/platform.ts — checkpoint files, the directory
 * lock, the terminal progress bar — replaced by src/platform-browser.ts, so
 * that no Node built-in is imported. Run after tsup.config.ts (`build`
 * script): it adds to dist/ without cleaning it. See
 * docs/decisions/0006-tfjs-trainer-in-the-browser.md.
 */
const browserPlatform: Plugin = {
  name: 'browser-platform',
  setup(build) {
    build.onResolve({ filter: /^\.\/platform\.js$/ }, (args) => ({ path: resolve(args.resolveDir, 'platform-browser.ts') }));
  },
};

export default packageBuild({
  entry: { browser: 'src/index.ts' },
  // ESM for bundlers; CommonJS for `require('@seta/tfjs-trainer/browser')` (webpack configurations that want it).
  format: ['esm', 'cjs'],
  platform: 'browser',
  // The Node build's declarations (dist/index.d.ts) describe this one too: the export list is the same.
  dts: false,
  clean: false,
  esbuildPlugins: [browserPlatform],
});
