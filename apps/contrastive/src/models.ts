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

/** Apply MLPs one after the other. */
export function chain(...parts: Mlp[]): (x: tf.Tensor2D) => tf.Tensor2D {
  return (x) => parts.reduce((h, p) => p.apply(h), x);
}

/** Dispose every variable of the MLPs. */
export function disposeAll(...parts: Mlp[]): void {
  for (const p of parts) p.variables.forEach((v) => v.dispose());
}
