import type { Options } from 'tsup';

/**
 * The build every publishable package shares (STYLE.md, Packaging): ESM and
 * CommonJS side by side, each with its own declarations, source maps, and a
 * clean `dist` so a renamed entry leaves nothing stale behind to be packed.
 *
 * A package's `tsup.config.ts` passes only what differs from this, such as
 * extra entries or what to bundle. tsup reads the config at build time, so
 * this file never reaches a published tarball and no package depends on it at
 * run time.
 *
 * @param overrides - tsup options that replace the shared ones key by key.
 * @returns the config for `export default` in a package's `tsup.config.ts`.
 */
export function packageBuild(overrides: Options = {}): Options {
  return {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    // Node 20, the oldest supported runtime, runs ES2022 as it is.
    target: 'es2022',
    ...overrides,
  };
}
