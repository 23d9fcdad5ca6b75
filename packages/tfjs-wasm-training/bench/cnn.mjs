/**
 * The classification app's small CNN (apps/classification/src/models.ts
 * `cnn(seed)`), layer for layer, for the benchmarks: two 3×3 convolution
 * blocks with batch norm, ReLU and 2×2 max pooling, dropout, a 64-unit dense
 * layer, logits. Takes tfjs-layers as an argument so each benchmark uses the
 * copy it loaded.
 */
export function cnn(tfl, seed) {
  const init = (layer) => tfl.initializers.glorotUniform({ seed: seed * 100 + layer });
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
