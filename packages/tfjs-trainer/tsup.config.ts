import { defineConfig } from 'tsup';

export default defineConfig({
  // `@seta/tfjs-trainer/register-kernels` is src/wasm-training.ts: the wasm
  // training kernels' functions, re-exported from @seta/tfjs-wasm-training.
  entry: { index: 'src/index.ts', 'register-kernels': 'src/wasm-training.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
});
