import { createHash } from 'node:crypto';
import * as tfl from '@tensorflow/tfjs-layers';
import type { ModelName } from './record.js';

/*
 * Every weight initialiser is seeded, so the arms of one seed (full data at
 * every budget, every strategy) start from the same weights and differences
 * between them carry no initialisation noise. Each layer gets its own seed
 * (`seed · 100 + layer`): the same seed in two layers would correlate them.
 */

/** A 784-256-10 multilayer perceptron (ReLU), returning logits; initial weights fixed by `seed`. */
export function mlp(seed: number): tfl.LayersModel {
  return tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [784], units: 256, activation: 'relu', kernelInitializer: tfl.initializers.heNormal({ seed: seed * 100 + 1 }) }),
      tfl.layers.dense({ units: 10, kernelInitializer: tfl.initializers.glorotUniform({ seed: seed * 100 + 2 }) }),
    ],
  });
}

/**
 * A small CNN: two 3×3 convolution blocks (16 and 32 channels, batch norm,
 * ReLU, 2×2 max pooling), dropout, a 64-unit dense layer, logits; initial
 * weights fixed by `seed` (dropout's masks are not: a seeded dropout layer
 * would draw the same mask at every step).
 */
export function cnn(seed: number): tfl.LayersModel {
  const init = (layer: number) => tfl.initializers.glorotUniform({ seed: seed * 100 + layer });
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [28, 28, 1], filters: 16, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: init(1) }),
      tfl.layers.batchNormalization(),
      tfl.layers.activation({ activation: 'relu' }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: init(2) }),
      tfl.layers.batchNormalization(),
      tfl.layers.activation({ activation: 'relu' }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dropout({ rate: 0.25 }),
      tfl.layers.dense({ units: 64, activation: 'relu', kernelInitializer: init(3) }),
      tfl.layers.dense({ units: 10, kernelInitializer: init(4) }),
    ],
  });
}

export const models: Record<ModelName, { build: (seed: number) => tfl.LayersModel; inputShape: number[] }> = {
  mlp: { build: mlp, inputShape: [784] },
  cnn: { build: cnn, inputShape: [28, 28, 1] },
};

/**
 * SHA-256 (hex) of a model's weights in order — each weight's shape and its
 * float32 bytes — so two run records can show they started from the same
 * initial weights. Layer names are left out: they carry a per-process counter.
 */
export function weightsDigest(model: tfl.LayersModel): string {
  const hash = createHash('sha256');
  for (const w of model.weights) {
    const t = w.read();
    hash.update(JSON.stringify(t.shape));
    const values = t.dataSync() as Float32Array;
    hash.update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  }
  return hash.digest('hex');
}
