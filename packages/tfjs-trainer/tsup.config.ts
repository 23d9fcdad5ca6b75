import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/register-kernels.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  // tfjs-core's gradient functions exist only in its ES module files, which
  // Node cannot load from that CommonJS package: bundle them (and what they
  // import from tfjs-core's own files); keep the package entry points external.
  noExternal: [/^@tensorflow\/tfjs-core\/dist\//],
});
