/**
 * Gradients of every Transformer building block against central finite differences, on the cpu
 * backend: each block's weights and its input (made a variable, so the gradient that flows to the
 * layer below is checked too).
 */
import { describe, it, before } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { dropout } from '../../src/engine/nn/dropout';
import { createFeedForward, feedForward } from '../../src/engine/nn/feedForward';
import { createLayerNorm, layerNorm } from '../../src/engine/nn/layerNorm';
import { causalKeepMask, combineKeepMasks, paddingKeepMask } from '../../src/engine/nn/masks';
import {
  createCrossAttention,
  createSelfAttention,
  crossAttention,
  selfAttention,
} from '../../src/engine/nn/multiHeadAttention';
import { Parameters } from '../../src/engine/nn/parameters';
import { addPositions, createLearnedPositions } from '../../src/engine/nn/positions';
import { sublayerConnection } from '../../src/engine/nn/sublayer';
import { createRandom } from '../../src/engine/random';
import { useBackend } from './helpers';
import { checkGradients, seeded } from './nn-helpers';

/** A trainable input `[batch, len, width]` with seeded values. */
function inputVariable(shape: [number, number, number], seed: number): tf.Variable<tf.Rank.R3> {
  return tf.variable(tf.tensor3d(seeded(shape[0] * shape[1] * shape[2], seed, 1.5), shape));
}

/** Nudges every weight away from its initial value (biases start at 0, gains at 1). */
function perturb(parameters: Parameters, seed: number): void {
  tf.tidy(() =>
    parameters.list().forEach((v, i) => v.assign(tf.add(v, tf.tensor(seeded(v.size, seed + i, 0.3), v.shape)))),
  );
}

/** loss = Σ output ⊙ R with a fixed random R: every output element gets its own gradient. */
function readout(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(
    seeded(
      shape.reduce((a, b) => a * b, 1),
      seed,
    ),
    shape,
  );
}

describe('Transformer block gradients vs finite differences (cpu)', () => {
  before(() => useBackend('cpu'));

  it('layer norm (gain, bias, input)', () => {
    const parameters = new Parameters(createRandom(31));
    const norm = createLayerNorm(parameters, 'norm', 5);
    perturb(parameters, 1);
    const x = inputVariable([2, 3, 5], 2);
    const r = readout([2, 3, 5], 3);
    checkGradients(() => tf.tidy(() => tf.sum(tf.mul(layerNorm(x, norm), r))), [...parameters.list(), x], 6);
    tf.dispose([x, r]);
    parameters.dispose();
  });

  it('feed-forward, ReLU and GELU', () => {
    for (const activation of ['relu', 'gelu'] as const) {
      const parameters = new Parameters(createRandom(32));
      const ffn = createFeedForward(parameters, 'ffn', 4, 6);
      perturb(parameters, 4);
      const x = inputVariable([2, 3, 4], 5);
      const r = readout([2, 3, 4], 6);
      checkGradients(
        () => tf.tidy(() => tf.sum(tf.mul(feedForward(x, ffn, { activation }), r))),
        [...parameters.list(), x],
        6,
      );
      tf.dispose([x, r]);
      parameters.dispose();
    }
  });

  it('learned positions added to embeddings', () => {
    const parameters = new Parameters(createRandom(33));
    const table = createLearnedPositions(parameters, 'decoder', 6, 4);
    const x = inputVariable([2, 4, 4], 7);
    const r = readout([2, 4, 4], 8);
    checkGradients(
      () => tf.tidy(() => tf.sum(tf.square(tf.mul(addPositions(x, table as tf.Tensor2D), r)))),
      [table, x],
      6,
    );
    tf.dispose([x, r]);
    parameters.dispose();
  });

  it('multi-head self-attention with padding + causal masks (output and weights)', () => {
    const parameters = new Parameters(createRandom(34));
    const attention = createSelfAttention(parameters, 'self_attention', { modelSize: 6, heads: 3 });
    perturb(parameters, 9);
    const ids = tf.tensor2d(
      [
        [4, 5, 6, 7],
        [8, 9, 0, 0],
      ],
      [2, 4],
      'int32',
    );
    const keep = tf.tidy(() => combineKeepMasks(paddingKeepMask(ids), causalKeepMask(4)));
    const x = inputVariable([2, 4, 6], 10);
    const r = readout([2, 4, 6], 11);
    const loss = () =>
      tf.tidy(() => {
        const { output, weights } = selfAttention(x, attention, { keep });
        return tf.add(tf.sum(tf.mul(output, r)), tf.sum(tf.square(weights))) as tf.Scalar;
      });
    checkGradients(loss, [...parameters.list(), x], 8);
    tf.dispose([ids, keep, x, r]);
    parameters.dispose();
  });

  it('multi-head cross-attention (decoder queries, encoder memory of another width and length)', () => {
    const parameters = new Parameters(createRandom(35));
    const attention = createCrossAttention(parameters, 'cross_attention', { modelSize: 4, heads: 2, memorySize: 3 });
    perturb(parameters, 12);
    const keep = tf.tidy(() =>
      paddingKeepMask(
        tf.tensor2d(
          [
            [1, 2, 3, 4, 5],
            [6, 7, 8, 0, 0],
          ],
          [2, 5],
          'int32',
        ),
      ),
    );
    const x = inputVariable([2, 3, 4], 13);
    const memory = inputVariable([2, 5, 3], 14);
    const r = readout([2, 3, 4], 15);
    const loss = () =>
      tf.tidy(() => {
        const { output, weights } = crossAttention(x, memory, attention, { keep });
        return tf.add(tf.sum(tf.mul(output, r)), tf.sum(tf.square(weights))) as tf.Scalar;
      });
    checkGradients(loss, [...parameters.list(), x, memory], 8);
    tf.dispose([keep, x, memory, r]);
    parameters.dispose();
  });

  it('pre-LN and post-LN sub-layers around attention and the FFN, with dropout', () => {
    for (const placement of ['pre', 'post'] as const) {
      const parameters = new Parameters(createRandom(36));
      const norm1 = createLayerNorm(parameters, 'layer1/norm1', 4);
      const attention = createSelfAttention(parameters, 'layer1/self_attention', { modelSize: 4, heads: 2 });
      const norm2 = createLayerNorm(parameters, 'layer1/norm2', 4);
      const ffn = createFeedForward(parameters, 'layer1/feed_forward', 4, 8);
      perturb(parameters, 16);
      const keep = causalKeepMask(3);
      const x = inputVariable([2, 3, 4], 17);
      const r = readout([2, 3, 4], 18);
      const loss = () =>
        tf.tidy(() => {
          const drop = (seed: number) => ({ rate: 0.2, training: true, seed });
          const afterAttention = sublayerConnection(x, norm1, (y) => selfAttention(y, attention, { keep }), {
            placement,
            dropout: drop(1),
          }).output;
          const afterFfn = sublayerConnection(afterAttention, norm2, (y) => feedForward(y, ffn), {
            placement,
            dropout: drop(2),
          });
          return tf.sum(tf.mul(dropout(afterFfn, drop(3)), r)) as tf.Scalar;
        });
      checkGradients(loss, [...parameters.list(), x], 4);
      tf.dispose([keep, x, r]);
      parameters.dispose();
    }
  });
});
