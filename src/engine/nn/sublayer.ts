/**
 * Residual connections around a Transformer sub-layer (self-attention, cross-attention or the
 * feed-forward network), in the two placements of layer norm:
 *
 * - post-LN (the original Transformer):  LN(x + dropout(sublayer(x)))
 * - pre-LN (GPT-2 and most models since): x + dropout(sublayer(LN(x)))
 *
 * Pre-LN leaves the residual path x → x + … → … untouched by normalisation, so gradients reach
 * early layers undiminished and training needs less learning-rate warm-up; a pre-LN stack then
 * needs one final layer norm after its last layer (the caller's).
 */
import * as tf from '@tensorflow/tfjs-core';
import { dropout, type DropoutOptions } from './dropout';
import { layerNorm, type LayerNormWeights } from './layerNorm';

export type LayerNormPlacement = 'pre' | 'post';

export interface SublayerOptions {
  placement: LayerNormPlacement;
  /** Dropout on the sub-layer's output before it is added; omitted = none. */
  dropout?: DropoutOptions;
}

/** `x + dropout(sublayerOutput)`, both `[batch, len, d_model]` → `[batch, len, d_model]`. */
export function residual<T extends tf.Tensor>(x: T, sublayerOutput: T, dropoutOptions?: DropoutOptions): T {
  return tf.tidy(() => {
    const dropped = dropoutOptions ? dropout(sublayerOutput, dropoutOptions) : sublayerOutput; // [batch, len, d_model]
    return tf.add(x, dropped) as T; // [batch, len, d_model]
  });
}

/**
 * A sub-layer with its residual connection and layer norm. `x [batch, len, d_model]` →
 * `[batch, len, d_model]`. `sublayer` maps `[batch, len, d_model]` to the same shape; it may return
 * a tensor, or an object with an `output` tensor and more (e.g. selfAttention's weights): then the
 * result is that object with `output` replaced by the connection's output.
 */
export function sublayerConnection(
  x: tf.Tensor3D,
  norm: LayerNormWeights,
  sublayer: (input: tf.Tensor3D) => tf.Tensor3D,
  options: SublayerOptions,
): tf.Tensor3D;
export function sublayerConnection<R extends { output: tf.Tensor3D }>(
  x: tf.Tensor3D,
  norm: LayerNormWeights,
  sublayer: (input: tf.Tensor3D) => R,
  options: SublayerOptions,
): R;
export function sublayerConnection<R extends { output: tf.Tensor3D }>(
  x: tf.Tensor3D,
  norm: LayerNormWeights,
  sublayer: (input: tf.Tensor3D) => tf.Tensor3D | R,
  options: SublayerOptions,
): tf.Tensor3D | R {
  return tf.tidy(() => {
    const pre = options.placement === 'pre';
    const result = sublayer(pre ? layerNorm(x, norm) : x);
    const inner = result instanceof tf.Tensor ? result : result.output; // [batch, len, d_model]
    const summed = residual(x, inner, options.dropout); // [batch, len, d_model]
    const output = pre ? summed : layerNorm(summed, norm); // [batch, len, d_model]
    return result instanceof tf.Tensor ? output : { ...result, output };
  });
}
