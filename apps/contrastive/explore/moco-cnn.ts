/**
 * EXPLORATION, not part of the app: can MoCo-style pre-training of a small
 * CNN encoder beat raw-pixel k-NN and a raw-pixel linear probe on
 * Fashion-MNIST by ≥ 3 points within a few minutes here (issue 24, item 1)?
 * Clean data, no pruning; the same bank/test protocol as the app.
 *
 *   npx esbuild apps/contrastive/explore/moco-cnn.ts --bundle --platform=node --format=esm \
 *     --packages=external --outfile=apps/contrastive/dist/moco-cnn.mjs && \
 *   node apps/contrastive/dist/moco-cnn.mjs EPOCHS TRAIN AUG [LR]
 *
 * (into dist/, which is not committed, so that the workspace packages resolve).
 *
 * AUG: "mild" (the app's MOCO_AUGMENT) or "strong" (±3 px, noise 0.1, erase 0.5).
 * A 6th argument "conv" evaluates the flattened conv features (1,568) instead of the dense 128.
 * Writes one JSON line of results to stdout at the end.
 */
import { Random } from '@seta/core';
import { cosineMomentum, mocoV3Loss, momentumUpdate, selectBackend } from '@seta/tfjs-trainer';
import { fashionMnistDir, loadDataset } from '@seta-apps/shared';
import * as tf from '@tensorflow/tfjs-core';
import { augmentInto } from '../src/augment.js';
import { embed, knnAccuracy, linearProbeAccuracy } from '../src/evaluate.js';
import { MOCO_AUGMENT, toFloat } from '../src/experiment.js';
import { chain, mlp, momentumCopy } from '../src/models.js';

const [epochs = 3, trainSize = 10_000] = process.argv.slice(2, 4).map(Number);
const aug = process.argv[4] === 'strong' ? { maxShift: 3, flip: 0.5, noise: 0.1, erase: 0.5 } : MOCO_AUGMENT;
const lr = Number(process.argv[5] ?? 3e-3);
const convFeatures = process.argv[6] === 'conv';
const TEST = 2000;

await selectBackend({ prefer: ['wasm'] });
const dataset = loadDataset(fashionMnistDir());
const rng = new Random(7);

/** A conv backbone: two 3×3 conv + ReLU + 2×2 max-pool blocks (16, 32 channels), dense 128 + ReLU. */
function convBackbone(name: string, trainable = true) {
  const he = (shape: number[], fanIn: number) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const limit = Math.sqrt(6 / fanIn);
    return tf.variable(tf.tensor(Float32Array.from({ length: n }, () => (2 * rng.nextFloat() - 1) * limit), shape), trainable, `${name}/${shape.join('x')}`);
  };
  const k1 = he([3, 3, 1, 16], 9);
  const k2 = he([3, 3, 16, 32], 144);
  const w = he([7 * 7 * 32, 128], 7 * 7 * 32);
  const b = tf.variable(tf.zeros([128]), trainable, `${name}/b`);
  const variables = [k1, k2, w, b];
  const conv = (x: tf.Tensor2D): tf.Tensor2D => {
    let h: tf.Tensor4D = tf.reshape(x, [-1, 28, 28, 1]);
    h = tf.maxPool(tf.relu(tf.conv2d(h, k1 as tf.Tensor4D, 1, 'same')), 2, 2, 'valid');
    h = tf.maxPool(tf.relu(tf.conv2d(h, k2 as tf.Tensor4D, 1, 'same')), 2, 2, 'valid');
    return tf.reshape(h, [-1, 7 * 7 * 32]);
  };
  const apply = (x: tf.Tensor2D): tf.Tensor2D => tf.relu(tf.add(tf.matMul(conv(x), w as tf.Tensor2D), b)) as tf.Tensor2D;
  return { variables, apply, conv };
}

const backbone = convBackbone('q');
const keyBackbone = convBackbone('k', false);
keyBackbone.variables.forEach((v, i) => v.assign(backbone.variables[i]!));
const projector = mlp([128, 128, 64], rng, 'projector');
const predictor = mlp([64, 128, 64], rng, 'predictor');
const keyProjector = momentumCopy(projector, 'key-projector');
const query = chain({ apply: backbone.apply } as never, projector, predictor);
const key = chain({ apply: keyBackbone.apply } as never, keyProjector);
const queryVars = [...backbone.variables, ...projector.variables];
const keyVars = [...keyBackbone.variables, ...keyProjector.variables];
const trainables = [...backbone.variables, ...projector.variables, ...predictor.variables];

const pixels = 784;
const train = dataset.train;
const bankN = Math.min(10_000, train.count);
const bankX = toFloat(train.images.subarray(0, bankN * pixels));
const bankY = train.labels.subarray(0, bankN);
const testX = toFloat(dataset.test.images.subarray(0, TEST * pixels));
const testY = dataset.test.labels.subarray(0, TEST);

const evaluate = () => {
  const f = (x: Float32Array, n: number, normalize: boolean) => embed(convFeatures ? backbone.conv : backbone.apply, x, n, pixels, { normalize, batch: 500 });
  const b = f(bankX, bankN, true);
  const t = f(testX, TEST, true);
  const rb = f(bankX, bankN, false);
  const rt = f(testX, TEST, false);
  return {
    knn: knnAccuracy(b.values, bankY, bankN, t.values, testY, TEST, b.dim),
    linearProbe: linearProbeAccuracy(rb.values, bankY, bankN, rt.values, testY, TEST, rb.dim, { seed: 0 }),
  };
};

const t0 = performance.now();
const identity = (t: tf.Tensor2D) => t;
const rawB = embed(identity, bankX, bankN, pixels);
const rawT = embed(identity, testX, TEST, pixels);
const references = {
  rawPixelKnn: knnAccuracy(rawB.values, bankY, bankN, rawT.values, testY, TEST, pixels),
  rawPixelLinearProbe: linearProbeAccuracy(bankX, bankY, bankN, testX, testY, TEST, pixels, { seed: 0 }),
};
const untrained = evaluate();
console.error(`references ${JSON.stringify(references)}, untrained CNN ${JSON.stringify(untrained)} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);

const optimizer = tf.train.adam(lr);
const batch = 256;
const n = Math.min(trainSize, train.count);
const steps = Math.floor(n / batch);
const order = Uint32Array.from({ length: n }, (_, i) => i);
const trainStart = performance.now();
for (let epoch = 0; epoch < epochs; epoch++) {
  for (let i = n - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  let lossSum = 0;
  for (let s = 0; s < steps; s++) {
    const v1 = new Float32Array(batch * pixels);
    const v2 = new Float32Array(batch * pixels);
    for (let i = 0; i < batch; i++) {
      const id = order[s * batch + i]!;
      augmentInto(train.images, id * pixels, v1, i * pixels, 28, 28, rng, aug);
      augmentInto(train.images, id * pixels, v2, i * pixels, 28, 28, rng, aug);
    }
    const progress = (epoch + s / steps) / epochs;
    optimizer.learningRate = (lr * (1 + Math.cos(Math.PI * progress))) / 2;
    const loss = optimizer.minimize(
      () =>
        tf.tidy(() => {
          const x1 = tf.tensor2d(v1, [batch, pixels]);
          const x2 = tf.tensor2d(v2, [batch, pixels]);
          const { view1ToView2, view2ToView1 } = mocoV3Loss(query(x1), query(x2), key(x1), key(x2), { temperature: 0.2 });
          return tf.mean(tf.add(view1ToView2, view2ToView1)) as tf.Scalar;
        }),
      true,
      trainables,
    );
    lossSum += loss!.dataSync()[0]!;
    loss!.dispose();
    tf.tidy(() => momentumUpdate(keyVars, queryVars, cosineMomentum(0.99, progress)));
  }
  console.error(`epoch ${epoch}: loss ${(lossSum / steps).toFixed(4)}, ${((performance.now() - trainStart) / 1000).toFixed(0)} s`);
}
const trained = evaluate();
console.log(JSON.stringify({ epochs, trainSize: n, aug: process.argv[4] ?? 'mild', lr, features: convFeatures ? 'conv' : 'dense', references, untrained, trained, trainSeconds: (performance.now() - trainStart) / 1000 }));
