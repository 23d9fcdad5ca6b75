import * as tf from '@tensorflow/tfjs-core';
import { checkNumber, checkOptionKeys, checkOptions, describeValue } from '@seta/core';

/*
 * Per-sample losses: every function returns one value per sample (or per
 * pair), unreduced (`reduction: 'none'`), as the pruners need them
 * (docs/methods/index.md). Reduce with the plan's weights yourself, or let the
 * trainer do it: batch loss = mean_i(w_i · loss_i).
 */

function checkRank(fn: string, name: string, t: unknown, rank: number): tf.Tensor {
  if (!(t instanceof tf.Tensor)) throw new TypeError(`${fn}: ${name} must be a tf.Tensor, got ${describeValue(t)}`);
  if (t.rank !== rank) {
    throw new RangeError(`${fn}: ${name} must have rank ${rank}, got shape [${t.shape.join(', ')}]`);
  }
  return t;
}

/** Options of {@link softmaxCrossEntropy}. */
export interface SoftmaxCrossEntropyOptions {
  /**
   * ε in [0, 1): the target becomes `(1 − ε) · y + ε / C` (Szegedy et al.,
   * "Rethinking the Inception Architecture", 2016). Default 0.
   */
  readonly labelSmoothing?: number;
}

/**
 * Softmax cross-entropy per sample, with label smoothing:
 * `loss_i = −Σ_c y'_ic · log softmax(logits_i)_c`, `y' = (1 − ε) y + ε / C`.
 * Computed through `logSoftmax` (stable for large logits). O(B · C).
 *
 * @param labels - `[B, C]` one-hot or probability targets, or `[B]` int32 class ids.
 * @param logits - `[B, C]` unnormalised scores.
 * @param options - `labelSmoothing` ε (default 0).
 * @returns `[B]` losses, one per sample.
 * @throws TypeError / RangeError on mismatched shapes or ε outside [0, 1).
 * @example
 * ```ts
 * softmaxCrossEntropy(tf.tensor1d([0], 'int32'), tf.tensor2d([[0, 0]])).dataSync();
 * // Float32Array [0.6931472]   (ln 2)
 * ```
 */
export function softmaxCrossEntropy(
  labels: tf.Tensor,
  logits: tf.Tensor,
  options: SoftmaxCrossEntropyOptions = {},
): tf.Tensor1D {
  const fn = 'softmaxCrossEntropy()';
  checkOptions(fn, options);
  checkOptionKeys(fn, options, ['labelSmoothing']);
  checkRank(fn, 'logits', logits, 2);
  const [batch, classes] = logits.shape as [number, number];
  const smoothing = checkNumber(fn, 'labelSmoothing', options.labelSmoothing ?? 0, 0, 1, { openMax: true });
  if (!(labels instanceof tf.Tensor)) throw new TypeError(`${fn}: labels must be a tf.Tensor, got ${describeValue(labels)}`);
  if (labels.rank === 1) {
    if (labels.shape[0] !== batch) {
      throw new RangeError(`${fn}: labels must have ${batch} class ids (one per logits row), got ${labels.shape[0]}`);
    }
  } else if (labels.rank !== 2 || labels.shape[0] !== batch || labels.shape[1] !== classes) {
    throw new RangeError(
      `${fn}: labels must have shape [${batch}, ${classes}] or [${batch}], got [${labels.shape.join(', ')}]`,
    );
  }
  return tf.tidy(() => {
    let target: tf.Tensor =
      labels.rank === 2
        ? tf.cast(labels, 'float32')
        : classes === 1 // tf.oneHot needs a depth ≥ 2
          ? tf.ones([batch, 1])
          : tf.oneHot(tf.cast(labels, 'int32'), classes);
    if (smoothing > 0) target = tf.add(tf.mul(target, 1 - smoothing), smoothing / classes);
    return tf.neg(tf.sum(tf.mul(target, tf.logSoftmax(logits)), 1)) as tf.Tensor1D;
  });
}

/**
 * `loss_i = logsumexp_j(logits_ij) − logits_ii`: the cross-entropy of row i
 * against the label i (the positives on the diagonal). O(B²).
 */
function diagonalCrossEntropy(logits: tf.Tensor2D): tf.Tensor1D {
  const n = logits.shape[0];
  const eye = tf.eye(n);
  return tf.sub(tf.logSumExp(logits, 1), tf.sum(tf.mul(logits, eye), 1)) as tf.Tensor1D;
}

function l2Normalize(x: tf.Tensor2D): tf.Tensor2D {
  // x / max(‖x‖, 1e-12), as torch.nn.functional.normalize.
  return tf.div(x, tf.maximum(tf.norm(x, 'euclidean', 1, true), 1e-12)) as tf.Tensor2D;
}

/** CLIP's initial logit scale: ln(1 / 0.07), a temperature of 0.07 (Radford et al. 2021). */
export const CLIP_INITIAL_LOGIT_SCALE = Math.log(1 / 0.07);
/** CLIP's upper clamp of the logit scale: ln 100, so logits are scaled by at most 100. */
export const CLIP_MAX_LOGIT_SCALE = Math.log(100);

/**
 * A learnable CLIP logit scale: a trainable scalar variable holding
 * `ln(1/τ)`, initially `ln(1 / 0.07)`. O(1).
 *
 * @param initial - the initial value (default {@link CLIP_INITIAL_LOGIT_SCALE}).
 * @example
 * ```ts
 * const logitScale = createLogitScale(); // exp(logitScale) ≈ 14.29
 * ```
 */
export function createLogitScale(initial: number = CLIP_INITIAL_LOGIT_SCALE, name?: string): tf.Variable<tf.Rank.R0> {
  checkNumber('createLogitScale()', 'initial', initial, -Infinity, Infinity, { openMin: true, openMax: true });
  return tf.variable(tf.scalar(initial), true, name);
}

/**
 * Clamp a logit-scale variable in place to `[0, ln 100]`, as CLIP's training
 * code does after every optimizer step. O(1).
 *
 * @returns the same variable.
 * @example
 * ```ts
 * clampLogitScaleInPlace(logitScale); // call after each step (Trainer's afterStep)
 * ```
 */
export function clampLogitScaleInPlace(logitScale: tf.Variable, max: number = CLIP_MAX_LOGIT_SCALE): tf.Variable {
  tf.tidy(() => logitScale.assign(tf.clipByValue(logitScale, 0, max)));
  return logitScale;
}

/** Options of {@link clipLoss}. */
export interface ClipLossOptions {
  /** L2-normalise both embeddings first (default true, as CLIP). */
  readonly normalize?: boolean;
  /** Upper clamp of the logit scale in the forward pass (default ln 100, as CLIP). */
  readonly maxLogitScale?: number;
}

/** The two directions of a symmetric contrastive loss, one value per pair each. */
export interface ClipLosses {
  /** `[B]`: pair i's loss classifying text i among the batch's texts, given image i. */
  readonly imageToText: tf.Tensor1D;
  /** `[B]`: pair i's loss classifying image i among the batch's images, given text i. */
  readonly textToImage: tf.Tensor1D;
}

/**
 * CLIP's symmetric InfoNCE loss per pair (Radford et al., "Learning
 * Transferable Visual Models From Natural Language Supervision", 2021), with
 * the learnable temperature: `L = exp(min(max(s, 0), ln 100)) · Î Tᵀ` for
 * the normalised embeddings `Î`, `T̂` and the logit-scale variable `s`;
 * `imageToText_i = CE(L_i·, i)`, `textToImage_i = CE(L_·i, i)`. CLIP's batch
 * loss is the mean of both directions' means. Swapping images and texts swaps
 * the directions. O(B² · D).
 *
 * @param imageEmbeddings - `[B, D]`.
 * @param textEmbeddings - `[B, D]`; row i is image i's caption.
 * @param logitScale - the scalar `s` = ln(1/τ) (see {@link createLogitScale}); trainable.
 * @param options - `normalize` (default true), `maxLogitScale` (default ln 100).
 * @returns both directions, `[B]` each.
 * @throws TypeError / RangeError on mismatched shapes.
 * @example
 * ```ts
 * const { imageToText, textToImage } = clipLoss(img, txt, logitScale);
 * ```
 */
export function clipLoss(
  imageEmbeddings: tf.Tensor,
  textEmbeddings: tf.Tensor,
  logitScale: tf.Tensor | number,
  options: ClipLossOptions = {},
): ClipLosses {
  const fn = 'clipLoss()';
  checkOptions(fn, options);
  checkOptionKeys(fn, options, ['normalize', 'maxLogitScale']);
  checkRank(fn, 'imageEmbeddings', imageEmbeddings, 2);
  checkRank(fn, 'textEmbeddings', textEmbeddings, 2);
  if (imageEmbeddings.shape[0] !== textEmbeddings.shape[0] || imageEmbeddings.shape[1] !== textEmbeddings.shape[1]) {
    throw new RangeError(
      `${fn}: textEmbeddings must have the shape of imageEmbeddings [${imageEmbeddings.shape.join(', ')}], got [${textEmbeddings.shape.join(', ')}]`,
    );
  }
  if (typeof logitScale !== 'number' && !(logitScale instanceof tf.Tensor && logitScale.size === 1)) {
    throw new TypeError(`${fn}: logitScale must be a scalar tensor or a number, got ${describeValue(logitScale)}`);
  }
  const normalize = options.normalize ?? true;
  if (typeof normalize !== 'boolean') throw new TypeError(`${fn}: normalize must be a boolean, got ${describeValue(normalize)}`);
  const max = checkNumber(fn, 'maxLogitScale', options.maxLogitScale ?? CLIP_MAX_LOGIT_SCALE, 0, Infinity, {
    openMax: true,
  });
  return tf.tidy(() => {
    const img = normalize ? l2Normalize(imageEmbeddings as tf.Tensor2D) : (imageEmbeddings as tf.Tensor2D);
    const txt = normalize ? l2Normalize(textEmbeddings as tf.Tensor2D) : (textEmbeddings as tf.Tensor2D);
    const s = typeof logitScale === 'number' ? tf.scalar(logitScale) : tf.reshape(logitScale, []);
    const scale = tf.exp(tf.clipByValue(s, 0, max));
    const logitsPerImage = tf.mul(tf.matMul(img, txt, false, true), scale) as tf.Tensor2D;
    const imageToText = diagonalCrossEntropy(logitsPerImage);
    const textToImage = diagonalCrossEntropy(tf.transpose(logitsPerImage) as tf.Tensor2D);
    return { imageToText, textToImage };
  });
}

/** Options of {@link mocoV3Loss}. */
export interface MocoV3LossOptions {
  /** τ (default 0.2, MoCo v3's ViT setting; its ResNet setting is 1.0). */
  readonly temperature?: number;
  /**
   * Multiply by 2τ as MoCo v3's reference code does, which keeps the
   * gradient's scale independent of τ (default true).
   */
  readonly scaleByTemperature?: boolean;
}

/** The two directions of MoCo v3's loss, one value per sample each. */
export interface MocoV3Losses {
  /** `[B]`: ctr(q1, k2), view 1's query against view 2's keys. */
  readonly view1ToView2: tf.Tensor1D;
  /** `[B]`: ctr(q2, k1), view 2's query against view 1's keys. */
  readonly view2ToView1: tf.Tensor1D;
}

/**
 * MoCo v3's symmetric contrastive loss per sample (Chen, Xie & He, "An
 * Empirical Study of Training Self-Supervised Vision Transformers", 2021):
 * `ctr(q, k)_i = 2τ · CE(q̂ k̂ᵀ / τ, i)` with L2-normalised queries (from the
 * query encoder and its predictor) and keys (from the momentum encoder), the
 * other samples of the batch as negatives. The reference's batch loss is
 * `mean(view1ToView2) + mean(view2ToView1)`. Keys carry no gradient when
 * they come from a momentum encoder whose variables are not trainable (see
 * {@link momentumUpdate}). O(B² · D).
 *
 * @param q1 - `[B, D]` predictor output for view 1.
 * @param q2 - `[B, D]` predictor output for view 2.
 * @param k1 - `[B, D]` momentum-encoder output for view 1.
 * @param k2 - `[B, D]` momentum-encoder output for view 2.
 * @param options - `temperature` τ (default 0.2), `scaleByTemperature` (default true).
 * @returns both directions, `[B]` each.
 * @throws TypeError / RangeError on mismatched shapes or τ ≤ 0.
 * @example
 * ```ts
 * const { view1ToView2, view2ToView1 } = mocoV3Loss(q1, q2, k1, k2, { temperature: 0.2 });
 * ```
 */
export function mocoV3Loss(
  q1: tf.Tensor,
  q2: tf.Tensor,
  k1: tf.Tensor,
  k2: tf.Tensor,
  options: MocoV3LossOptions = {},
): MocoV3Losses {
  const fn = 'mocoV3Loss()';
  checkOptions(fn, options);
  checkOptionKeys(fn, options, ['temperature', 'scaleByTemperature']);
  const named: [string, tf.Tensor][] = [
    ['q1', q1],
    ['q2', q2],
    ['k1', k1],
    ['k2', k2],
  ];
  for (const [name, t] of named) {
    checkRank(fn, name, t, 2);
    if (t.shape[0] !== q1.shape[0] || t.shape[1] !== q1.shape[1]) {
      throw new RangeError(`${fn}: ${name} must have the shape of q1 [${q1.shape.join(', ')}], got [${t.shape.join(', ')}]`);
    }
  }
  const tau = checkNumber(fn, 'temperature', options.temperature ?? 0.2, 0, Infinity, { openMin: true, openMax: true });
  const byTemperature = options.scaleByTemperature ?? true;
  if (typeof byTemperature !== 'boolean') {
    throw new TypeError(`${fn}: scaleByTemperature must be a boolean, got ${describeValue(byTemperature)}`);
  }
  const scale = byTemperature ? 2 * tau : 1;
  const ctr = (q: tf.Tensor, k: tf.Tensor): tf.Tensor1D => {
    const logits = tf.div(tf.matMul(l2Normalize(q as tf.Tensor2D), l2Normalize(k as tf.Tensor2D), false, true), tau);
    return tf.mul(diagonalCrossEntropy(logits as tf.Tensor2D), scale) as tf.Tensor1D;
  };
  return tf.tidy(() => ({ view1ToView2: ctr(q1, k2), view2ToView1: ctr(q2, k1) }));
}

/** A variable as tfjs-core (`tf.Variable`) or tfjs-layers (`LayerVariable`: `read()` / `write()`) has it. */
export type VariableLike = tf.Variable | { read(): tf.Tensor; write(value: tf.Tensor): unknown };

function variablesOf(fn: string, name: string, v: readonly VariableLike[] | { readonly weights: readonly VariableLike[] }): readonly VariableLike[] {
  if (Array.isArray(v)) return v;
  const weights = (v as { weights?: unknown }).weights;
  if (Array.isArray(weights)) return weights as VariableLike[];
  throw new TypeError(`${fn}: ${name} must be an array of variables or a model with weights, got ${describeValue(v)}`);
}

function readVariable(v: VariableLike): tf.Tensor {
  return v instanceof tf.Tensor ? v : v.read();
}

/**
 * The momentum (exponential moving average) update of a key encoder from its
 * query encoder, in place: `k ← m · k + (1 − m) · q` for each pair of
 * variables (MoCo, He et al. 2020; MoCo v3 uses m = 0.99 with a cosine
 * increase to 1, see {@link cosineMomentum}). Call it after every optimizer
 * step. O(number of parameters).
 *
 * @param key - the momentum encoder's variables (or a tfjs-layers model), in the query's order.
 * @param query - the query encoder's variables (or model); same shapes.
 * @param momentum - m in [0, 1].
 * @throws TypeError / RangeError on different counts or shapes, or m outside [0, 1].
 * @example
 * ```ts
 * momentumUpdate(keyEncoder, queryEncoder, 0.99);
 * ```
 */
export function momentumUpdate(
  key: readonly VariableLike[] | { readonly weights: readonly VariableLike[] },
  query: readonly VariableLike[] | { readonly weights: readonly VariableLike[] },
  momentum: number,
): void {
  const fn = 'momentumUpdate()';
  const m = checkNumber(fn, 'momentum', momentum, 0, 1);
  const keys = variablesOf(fn, 'key', key);
  const queries = variablesOf(fn, 'query', query);
  if (keys.length !== queries.length) {
    throw new RangeError(`${fn}: key must have as many variables as query (${queries.length}), got ${keys.length}`);
  }
  tf.tidy(() => {
    keys.forEach((k, i) => {
      const kt = readVariable(k);
      const qt = readVariable(queries[i]!);
      if (!tf.util.arraysEqual(kt.shape, qt.shape)) {
        throw new RangeError(
          `${fn}: key variable ${i} must have the shape of query variable ${i} [${qt.shape.join(', ')}], got [${kt.shape.join(', ')}]`,
        );
      }
      const next = tf.add(tf.mul(kt, m), tf.mul(qt, 1 - m));
      if (k instanceof tf.Variable) k.assign(next);
      else (k as { write(value: tf.Tensor): unknown }).write(next);
    });
  });
}

/**
 * MoCo v3's momentum schedule: `1 − (1 − m₀) · (cos(π · progress) + 1) / 2`,
 * rising from `m₀` at progress 0 to 1 at progress 1. O(1).
 *
 * @param base - m₀ in [0, 1] (MoCo v3: 0.99).
 * @param progress - fraction of training done, in [0, 1].
 * @example
 * ```ts
 * cosineMomentum(0.99, 0);   // 0.99
 * cosineMomentum(0.99, 0.5); // 0.995
 * cosineMomentum(0.99, 1);   // 1
 * ```
 */
export function cosineMomentum(base: number, progress: number): number {
  checkNumber('cosineMomentum()', 'base', base, 0, 1);
  checkNumber('cosineMomentum()', 'progress', progress, 0, 1);
  return 1 - ((1 - base) * (Math.cos(Math.PI * progress) + 1)) / 2;
}
