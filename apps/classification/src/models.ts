import * as tfl from '@tensorflow/tfjs-layers';
import type { ModelName } from './record.js';

/** A 784-256-10 multilayer perceptron (ReLU), returning logits. */
export function mlp(): tfl.LayersModel {
  return tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [784], units: 256, activation: 'relu', kernelInitializer: 'heNormal' }),
      tfl.layers.dense({ units: 10 }),
    ],
  });
}

/**
 * A small CNN: two 3×3 convolution blocks (16 and 32 channels, batch norm,
 * ReLU, 2×2 max pooling), dropout, a 64-unit dense layer, logits.
 */
export function cnn(): tfl.LayersModel {
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [28, 28, 1], filters: 16, kernelSize: 3, padding: 'same', useBias: false }),
      tfl.layers.batchNormalization(),
      tfl.layers.activation({ activation: 'relu' }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same', useBias: false }),
      tfl.layers.batchNormalization(),
      tfl.layers.activation({ activation: 'relu' }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dropout({ rate: 0.25 }),
      tfl.layers.dense({ units: 64, activation: 'relu' }),
      tfl.layers.dense({ units: 10 }),
    ],
  });
}

export const models: Record<ModelName, { build: () => tfl.LayersModel; inputShape: number[] }> = {
  mlp: { build: mlp, inputShape: [784] },
  cnn: { build: cnn, inputShape: [28, 28, 1] },
};
