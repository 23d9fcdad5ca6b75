import { packageBuild } from '../../tsup.preset';

// `@seta/core/testing` is a subpath of its own so that pruner code never loads
// the test tools.
export default packageBuild({ entry: ['src/index.ts', 'src/testing.ts'] });
