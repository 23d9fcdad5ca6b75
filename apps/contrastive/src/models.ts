/**
 * The encoders, as functions of variables this app owns (so the momentum
 * encoder is a plain copy and every weight is initialised from our seeded
 * generator: runs are reproducible from the seed, unlike tfjs-layers'
 * initialisers).
 */
import { Random } from '@seta/core';
import * as tf from '@tensorflow/tfjs-core';

/** A multi-layer perceptron: dense layers with ReLU between them (none after the last). */
export interface Mlp {
  readonly variables: tf.Variable[];
  readonly sizes: readonly number[];
  readonly finalRelu: boolean;
  apply(x: tf.Tensor2D): tf.Tensor2D;
}

/**
 * An MLP of layer sizes `sizes` (input first), He-uniform weights and zero
 * biases drawn from `rng`; `finalRelu` adds a ReLU after the last layer too
 * (a backbone whose features feed another MLP).
 */
export function mlp(
  sizes: readonly number[],
  rng: Random,
  name: string,
  options: { readonly trainable?: boolean; readonly finalRelu?: boolean } = {},
): Mlp {
  const trainable = options.trainable ?? true;
  const finalRelu = options.finalRelu ?? false;
  if (sizes.length < 2 || sizes.some((s) => !Number.isInteger(s) || s < 1)) {
    throw new RangeError(`mlp(): sizes must be at least two positive integers, got [${sizes.join(', ')}]`);
  }
  const variables: tf.Variable[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const fanIn = sizes[l]!;
    const fanOut = sizes[l + 1]!;
    const limit = Math.sqrt(6 / fanIn);
    const w = new Float32Array(fanIn * fanOut);
    for (let i = 0; i < w.length; i++) w[i] = (2 * rng.nextFloat() - 1) * limit;
    variables.push(tf.variable(tf.tensor2d(w, [fanIn, fanOut]), trainable, `${name}/w${l}`));
    variables.push(tf.variable(tf.zeros([fanOut]), trainable, `${name}/b${l}`));
  }
  return {
    variables,
    sizes,
    finalRelu,
    apply(x) {
      let h: tf.Tensor2D = x;
      for (let l = 0; l < variables.length; l += 2) {
        h = tf.add(tf.matMul(h, variables[l] as tf.Tensor2D), variables[l + 1]!) as tf.Tensor2D;
        if (finalRelu || l + 2 < variables.length) h = tf.relu(h);
      }
      return h;
    },
  };
}

/** A non-trainable copy of `source` (same sizes, same values): a momentum encoder. */
export function momentumCopy(source: Mlp, name: string): Mlp {
  const copy = mlp(source.sizes, new Random(0), name, { trainable: false, finalRelu: source.finalRelu });
  copy.variables.forEach((v, i) => v.assign(source.variables[i]!));
  return copy;
}

/** Anything that maps a batch of rows to a batch of rows with variables of its own. */
export interface Encoder {
  readonly variables: tf.Variable[];
  apply(x: tf.Tensor2D): tf.Tensor2D;
}

/** Output width of {@link convNet}: 32 channels on a 7 × 7 grid. */
export const CONV_FEATURES = 7 * 7 * 32;

/**
 * A small convolutional backbone for 28 × 28 grayscale rows (784 values):
 * two blocks of 3 × 3 convolution ('same', He-uniform weights, zero bias) +
 * ReLU + 2 × 2 max-pool, with 16 and 32 channels, flattened to
 * {@link CONV_FEATURES} values. These flattened maps are the features the
 * k-NN and the linear probe read: the dense layers above them belong to the
 * projector, whose output is shaped for the contrastive task rather than
 * for classes (as in SimCLR, where the projection head is discarded).
 */
export function convNet(rng: Random, name: string, options: { readonly trainable?: boolean } = {}): Encoder {
  const trainable = options.trainable ?? true;
  const heUniform = (shape: number[], fanIn: number, label: string) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const limit = Math.sqrt(6 / fanIn);
    const w = new Float32Array(n);
    for (let i = 0; i < n; i++) w[i] = (2 * rng.nextFloat() - 1) * limit;
    return tf.variable(tf.tensor(w, shape), trainable, `${name}/${label}`);
  };
  const k1 = heUniform([3, 3, 1, 16], 9, 'k1');
  const b1 = tf.variable(tf.zeros([16]), trainable, `${name}/b1`);
  const k2 = heUniform([3, 3, 16, 32], 9 * 16, 'k2');
  const b2 = tf.variable(tf.zeros([32]), trainable, `${name}/b2`);
  return {
    variables: [k1, b1, k2, b2],
    apply(x) {
      const block = (h: tf.Tensor4D, k: tf.Variable, b: tf.Variable) =>
        tf.maxPool(tf.relu(tf.add(tf.conv2d(h, k as tf.Tensor4D, 1, 'same'), b)) as tf.Tensor4D, 2, 2, 'valid');
      const h = block(block(tf.reshape(x, [-1, 28, 28, 1]), k1, b1), k2, b2);
      return tf.reshape(h, [-1, CONV_FEATURES]);
    },
  };
}

/** A non-trainable copy of a {@link convNet} (same values): its momentum encoder. */
export function momentumConvCopy(source: Encoder, name: string): Encoder {
  const copy = convNet(new Random(0), name, { trainable: false });
  copy.variables.forEach((v, i) => v.assign(source.variables[i]!));
  return copy;
}

/** Apply encoders one after the other. */
export function chain(...parts: Encoder[]): (x: tf.Tensor2D) => tf.Tensor2D {
  return (x) => parts.reduce((h, p) => p.apply(h), x);
}

/** Dispose every variable of the encoders. */
export function disposeAll(...parts: Encoder[]): void {
  for (const p of parts) p.variables.forEach((v) => v.dispose());
}
