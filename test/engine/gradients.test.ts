/**
 * Gradients of the GRU and of additive attention against central finite differences, on the cpu
 * backend and on the native `tensorflow` one (float32: step 1e-2, tolerance scaled to the
 * gradient's size). The native run is skipped, with the reason, unless LLM_TUTOR_TFJS_NODE names
 * an install (scripts/setup-native-backend.sh).
 */
import { describe, it, before } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { additiveAttention, createAdditiveAttention, projectKeys } from '../../src/engine/nn/attention';
import { createGru, runGru, stateAtLastToken } from '../../src/engine/nn/gru';
import { Parameters } from '../../src/engine/nn/parameters';
import { createRandom } from '../../src/engine/random';
import { checkGradients, nativeSkipReason, useBackend } from './helpers';

for (const backend of ['cpu', 'tensorflow'] as const) {
  // Each test carries the skip (not only the suite), so the summary counts them as skipped.
  const skip = backend === 'tensorflow' ? (nativeSkipReason() ?? false) : false;
  describe(`gradients vs finite differences (${backend})`, () => {
    before(() => (skip ? undefined : useBackend(backend)));

    it('GRU over a padded sequence, final state at the last real token', { skip }, () => {
      const parameters = new Parameters(createRandom(11));
      const gru = createGru(parameters, 'gru', 3, 4);
      const inputs = tf.randomNormal([2, 5, 3], 0, 1, 'float32', 1) as tf.Tensor3D; // [batch, len, input]
      const mask = tf.tensor2d([
        [1, 1, 1, 1, 1],
        [1, 1, 1, 0, 0],
      ]); // second example is padded
      const readout = tf.randomNormal([2, 5, 4], 0, 1, 'float32', 2); // fixed random projection of the outputs
      const finalReadout = tf.randomNormal([2, 4], 0, 1, 'float32', 4);
      const loss = () =>
        tf.tidy(() => {
          const outputs = runGru(inputs, tf.zeros([2, 4]) as tf.Tensor2D, gru);
          const finalState = stateAtLastToken(outputs, mask);
          return tf.add(tf.sum(tf.mul(outputs, readout)), tf.sum(tf.mul(finalState, finalReadout))) as tf.Scalar;
        });
      checkGradients(loss, parameters.list(), 6);
      tf.dispose([inputs, mask, readout, finalReadout]);
      parameters.dispose();
    });

    it('additive attention (scores, masked softmax and context)', { skip }, () => {
      const parameters = new Parameters(createRandom(12));
      const attention = createAdditiveAttention(parameters, 'attention', 4, 4, 3);
      // Non-zero bias so its gradient is exercised away from the initial zeros.
      attention.bias.assign(tf.tensor1d([0.1, -0.2, 0.3]));
      const queries = tf.randomNormal([2, 3, 4], 0, 1, 'float32', 5) as tf.Tensor3D; // [batch, target_len, hidden]
      const keys = tf.randomNormal([2, 4, 4], 0, 1, 'float32', 6) as tf.Tensor3D; // [batch, source_len, hidden]
      const mask = tf.tensor2d([
        [1, 1, 1, 1],
        [1, 1, 0, 0],
      ]);
      const readout = tf.randomNormal([2, 3, 4], 0, 1, 'float32', 8);
      const loss = () =>
        tf.tidy(() => {
          const { weights, context } = additiveAttention(queries, projectKeys(keys, attention), keys, mask, attention);
          return tf.add(tf.sum(tf.mul(context, readout)), tf.sum(tf.square(weights))) as tf.Scalar;
        });
      checkGradients(loss, parameters.list(), 6);
      tf.dispose([queries, keys, mask, readout]);
      parameters.dispose();
    });

    it('the final state of a padded example equals the final state of the same example unpadded', { skip }, () => {
      const parameters = new Parameters(createRandom(13));
      const gru = createGru(parameters, 'gru', 3, 4);
      const full = tf.randomNormal([1, 6, 3], 0, 1, 'float32', 9) as tf.Tensor3D;
      const [padded, alone] = tf.tidy(() => {
        const realPart = tf.slice(full, [0, 0, 0], [1, 4, 3]) as tf.Tensor3D; // 4 real tokens
        const withPadding = stateAtLastToken(
          runGru(full, tf.zeros([1, 4]) as tf.Tensor2D, gru),
          tf.tensor2d([[1, 1, 1, 1, 0, 0]]),
        );
        const unpadded = runGru(realPart, tf.zeros([1, 4]) as tf.Tensor2D, gru); // [1, 4, hidden]
        return [withPadding, tf.reshape(tf.slice(unpadded, [0, 3, 0], [1, 1, 4]), [1, 4])]; // its last state
      });
      const a = padded.dataSync();
      const b = alone.dataSync();
      for (let i = 0; i < 4; i++) if (Math.abs(a[i] - b[i]) > 1e-6) throw new Error(`state[${i}]: ${a[i]} vs ${b[i]}`);
      tf.dispose([padded, alone, full]);
      parameters.dispose();
    });
  });
}
