import { packageBuild } from '../../tsup.preset';

export default packageBuild({
  // `@seta/tfjs-trainer/register-kernels` is src/wasm-training.ts: the wasm
  // training kernels' functions, re-exported from @seta/tfjs-wasm-training.
  entry: { index: 'src/index.ts', 'register-kernels': 'src/wasm-training.ts' },
});
