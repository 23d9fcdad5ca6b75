import { packageBuild } from '../../tsup.preset';

export default packageBuild({
  // One entry: nothing runs on import (registration happens only when
  // registerWasmTrainingKernels() / registerGradients() are called), so the
  // package is `"sideEffects": false` and needs no separate registration entry.
  //
  // tfjs-core's gradient functions exist only in its ES module files, which
  // Node cannot load from that CommonJS package: bundle them (and what they
  // import from tfjs-core's own files); keep the package entry points external.
  noExternal: [/^@tensorflow\/tfjs-core\/dist\//],
});
