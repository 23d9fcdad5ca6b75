'use strict';
/*
 * A training process for src/kill-resume.test.ts, run with plain `node`. It
 * trains a 6-16-3 MLP on seeded synthetic data with this package's built code
 * (dist/index.cjs: no TypeScript runner in the child), checkpointing to a
 * directory, and SIGKILLs itself where it is told to.
 *
 * CommonJS on purpose: the kill points inside a checkpoint write replace
 * functions of `fs/promises` before the trainer is loaded, and the built
 * trainer calls them through that module object at call time
 * (`(0, import_promises.rename)(temp, target)`), so the replacements see the
 * checkpoint writer's own calls (the ES module build's imports would not see
 * them without `module.syncBuiltinESMExports()`).
 *
 * argv[2], JSON:
 *   dir        the checkpoint directory
 *   out        where to write the final variables' float32 bytes (optional)
 *   batchSize  default 16 (another value must be refused on resume)
 *   kill       { at: 'batch', epoch, batch }: from onBatchEnd of that batch
 *              { at: 'rename', write }: the write-th checkpoint write of this
 *                process (1-based), its temporary file complete and flushed,
 *                before the rename that would replace the checkpoint
 *              { at: 'write', write }: the write-th checkpoint write, with
 *                half of its temporary file written and flushed
 *   hold       a path: after epoch 0, create `${hold}.ready`, then wait until
 *              `${hold}` exists
 * Success: exit 0, stdout one JSON line { resumedFrom, epochs: [{ epoch, loss }] }.
 * Failure: exit 1, stderr `${error.name}: ${error.message}`.
 */
const fsp = require('node:fs/promises');
const { basename } = require('node:path');

const config = JSON.parse(process.argv[2]);
const kill = config.kill ?? null;

function die() {
  process.kill(process.pid, 'SIGKILL');
  // Not reached: POSIX delivers an unblocked signal sent to oneself before kill() returns.
  throw new Error('SIGKILL did not end the process');
}

/** Whether `path` is a checkpoint's temporary file (`.checkpoint.seta.<pid>.<time>.tmp`). */
const isCheckpointTemp = (path) => /^\.checkpoint\.seta\..*\.tmp$/.test(basename(String(path)));

if (kill !== null && (kill.at === 'rename' || kill.at === 'write')) {
  let writes = 0;
  if (kill.at === 'rename') {
    const rename = fsp.rename;
    fsp.rename = async (from, to) => {
      if (isCheckpointTemp(from) && ++writes === kill.write) die();
      return rename(from, to);
    };
  } else {
    const open = fsp.open;
    fsp.open = async (path, flags, mode) => {
      const handle = await open(path, flags, mode);
      if (isCheckpointTemp(path) && flags === 'w' && ++writes === kill.write) {
        handle.writeFile = async (bytes) => {
          await handle.write(bytes, 0, Math.floor(bytes.length / 2));
          await handle.sync();
          die();
        };
      }
      return handle;
    };
  }
}

const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');
const { Random, createPruner, downsampleStage, annealStage } = require('@seta/core');
const { Trainer, arrayDataSource, cosineSchedule, softmaxCrossEntropy } = require('../dist/index.cjs');

const N = 96;
const D = 6;
const H = 16;
const C = 3;
const EPOCHS = 5;

function randomValues(rng, n) {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.nextFloat() * 2 - 1;
  return out;
}

/** The class of a sample is the argmax of three fixed random projections. */
function dataset() {
  const rng = new Random(1);
  const x = randomValues(rng, N * D);
  const proj = randomValues(rng, D * C);
  const y = new Int32Array(N);
  for (let i = 0; i < N; i++) {
    let best = -Infinity;
    for (let c = 0; c < C; c++) {
      let s = 0;
      for (let d = 0; d < D; d++) s += x[i * D + d] * proj[d * C + c];
      if (s > best) {
        best = s;
        y[i] = c;
      }
    }
  }
  return { x, y };
}

async function main() {
  if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend failed to initialise');
  const rng = new Random(20);
  const variables = tf.tidy(() => [
    tf.variable(tf.tensor2d(randomValues(rng, D * H), [D, H])),
    tf.variable(tf.zeros([H])),
    tf.variable(tf.tensor2d(randomValues(rng, H * C), [H, C])),
    tf.variable(tf.zeros([C])),
  ]);
  const [w1, b1, w2, b2] = variables;
  const model = (xs) => tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(xs, w1), b1)), w2), b2);
  const { x, y } = dataset();
  // Augmentation noise from the loop's generator: a resume must restore it too.
  const data = arrayDataSource({ values: x, shape: [N, D] }, { values: y, shape: [N] }, {
    augment: (values, _shape, { rng: loopRng }) => {
      for (let i = 0; i < values.length; i++) values[i] += (loopRng.nextFloat() - 0.5) * 0.1;
    },
  });
  // A random 60 % each epoch, then all samples in the last epoch: pruner state to restore.
  const pruner = createPruner({
    name: 'kill-test',
    size: N,
    epochs: EPOCHS,
    seed: 11,
    stages: [annealStage({ delta: 0.8 }), downsampleStage({ keep: 0.6 })],
  });

  const holdUntil = async (path) => {
    await fsp.writeFile(`${path}.ready`, String(process.pid));
    for (;;) {
      try {
        await fsp.access(path);
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  };

  const trainer = new Trainer({
    model,
    variables,
    optimizer: tf.train.adam(0.02),
    pruner,
    data,
    loss: (out, ys) => softmaxCrossEntropy(ys, out),
    epochs: EPOCHS,
    batchSize: config.batchSize ?? 16,
    learningRate: cosineSchedule({ peak: 0.02, epochs: EPOCHS, warmupEpochs: 1 }),
    seed: 12,
    checkpointDir: config.dir,
    progress: false,
    onBatchEnd: (r) => {
      if (kill !== null && kill.at === 'batch' && r.epoch === kill.epoch && r.batch === kill.batch) die();
    },
    onEpochEnd: async (r) => {
      if (config.hold !== undefined && r.epoch === 0) await holdUntil(config.hold);
    },
  });
  const result = await trainer.fit();
  if (config.out !== undefined) {
    const values = await Promise.all(variables.map((v) => v.data()));
    const parts = values.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength));
    await fsp.writeFile(config.out, Buffer.concat(parts));
  }
  process.stdout.write(
    `${JSON.stringify({ resumedFrom: result.resumedFrom, epochs: result.epochs.map((r) => ({ epoch: r.epoch, loss: r.loss })) })}\n`,
  );
}

main().catch((error) => {
  process.stderr.write(`${error.name}: ${error.message}\n`);
  process.exitCode = 1;
});
