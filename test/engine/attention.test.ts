/**
 * Attention numerics against hand-computed values, including the course's worked examples.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import {
  additiveAttention,
  dotProductAttention,
  projectKeys,
  type AdditiveAttentionWeights,
} from '../../src/engine/nn/attention';
import { causalMask, maskedSoftmax, paddingMask } from '../../src/engine/nn/masks';
import { assertAllClose, assertClose, useBackend, values } from './helpers';

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`attention numerics (${backend})`, () => {
    before(() => useBackend(backend));

    // The course notes print 1.4, 1.8, 2.2 for this example; by hand the rows give
    // 0.6·1 + 0.2·2 + 0.2·3 = 1.6, then 2.0 and 2.4. Like the book's 0.756 below, the lab shows
    // the computed value, and this test proves the printed one wrong.
    it('worked example 我 爱 你: weights @ values [1, 2, 3] = 1.6, 2.0, 2.4 (the notes print 1.4, 1.8, 2.2)', () => {
      const weights = [
        [0.6, 0.2, 0.2],
        [0.2, 0.6, 0.2],
        [0.2, 0.2, 0.6],
      ];
      // softmax(log w) = w, so the weights go through the same softmax the models use.
      const result = tf.tidy(() => {
        const w = maskedSoftmax(tf.log(tf.tensor3d([weights]))) as tf.Tensor3D; // [1, 3, 3]
        return [w, tf.matMul(w, tf.tensor3d([[[1], [2], [3]]]))]; // [1, 3, 1]
      });
      assertAllClose(values(result[0]), weights.flat(), 1e-6, 'weights');
      const context = values(result[1]);
      assertAllClose(context, [1.6, 2.0, 2.4], 1e-5, 'context');
      assert.ok(Math.abs(context[0] - 1.4) > 0.1, 'the printed 1.4 is not what these weights give');
      tf.dispose(result);
    });

    it('worked example: query·key scores 0.36 and 2.4; softmax gives the second key 0.7194 (not the book’s 0.756)', () => {
      const k1 = [-0.2, 0.4, 1.2, 0.8];
      const k2 = [0.2, 0.4, -0.6, 0.6];
      const { scores, weights, context } = dotProductAttention(
        tf.tensor3d([[[0.6, 1.2, -1.2, 1.8]]]),
        tf.tensor3d([[k1, k2, k1, k1]]),
        tf.tensor3d([[[1], [2], [3], [4]]]),
        { scale: false },
      );
      assertAllClose(values(scores), [0.36, 2.4, 0.36, 0.36], 1e-5, 'scores');
      const w = values(weights);
      assertClose(w[1], 0.7194, 1e-4, 'weight of the second key');
      assert.ok(Math.abs(w[1] - 0.756) > 0.03, 'the printed 0.756 is not what these scores give');
      assertClose(
        w.reduce((a, b) => a + b, 0),
        1,
        1e-6,
        'row sum',
      );
      const expectedContext = w[0] * 1 + w[1] * 2 + w[2] * 3 + w[3] * 4;
      assertClose(values(context)[0], expectedContext, 1e-5, 'context');
      tf.dispose([scores, weights, context]);
    });

    it('scaled dot-product divides scores by √d_k', () => {
      const { scores } = dotProductAttention(
        tf.tensor3d([[[0.6, 1.2, -1.2, 1.8]]]),
        tf.tensor3d([[[0.2, 0.4, -0.6, 0.6]]]),
        tf.tensor3d([[[1]]]),
      );
      assertClose(values(scores)[0], 2.4 / 2, 1e-6, 'scaled score');
      scores.dispose();
    });

    it('additive attention equals vᵀ tanh(W_q q + W_k k + b) computed by hand, rows sum to 1, padding gets exactly 0', () => {
      // query size 2, key size 2, attention size 3; 2 examples × 2 queries × 3 keys; example 1 has one padded key.
      const Wq = [
        [0.5, -0.3, 0.8],
        [0.1, 0.9, -0.4],
      ];
      const Wk = [
        [-0.6, 0.2, 0.3],
        [0.7, -0.5, 0.1],
      ];
      const b = [0.05, -0.1, 0.2];
      const v = [1.2, -0.7, 0.4];
      const queries = [
        [
          [0.3, -1.0],
          [1.5, 0.2],
        ],
        [
          [-0.4, 0.8],
          [0.0, 0.5],
        ],
      ];
      const keys = [
        [
          [1.0, 0.5],
          [-0.5, 0.3],
          [0.2, -1.2],
        ],
        [
          [0.9, 0.1],
          [0.4, 0.4],
          [9, 9],
        ],
      ];
      const mask = [
        [1, 1, 1],
        [1, 1, 0],
      ];
      const weights: AdditiveAttentionWeights = {
        queryKernel: tf.variable(tf.tensor2d(Wq)),
        keyKernel: tf.variable(tf.tensor2d(Wk)),
        bias: tf.variable(tf.tensor1d(b)),
        scoreVector: tf.variable(tf.tensor2d(v.map((x) => [x]))),
      };
      const keysTensor = tf.tensor3d(keys);
      const projected = projectKeys(keysTensor, weights);
      const result = additiveAttention(tf.tensor3d(queries), projected, keysTensor, tf.tensor2d(mask), weights);
      const gotScores = result.scores.arraySync() as number[][][];
      const gotWeights = result.weights.arraySync() as number[][][];
      const gotContext = result.context.arraySync() as number[][][];
      for (let n = 0; n < 2; n++) {
        for (let q = 0; q < 2; q++) {
          const expectedScores = keys[n].map((key) =>
            v.reduce(
              (sum, vj, j) =>
                sum +
                vj *
                  Math.tanh(
                    queries[n][q][0] * Wq[0][j] +
                      queries[n][q][1] * Wq[1][j] +
                      key[0] * Wk[0][j] +
                      key[1] * Wk[1][j] +
                      b[j],
                  ),
              0,
            ),
          );
          assertAllClose(gotScores[n][q], expectedScores, 1e-5, `scores[${n}][${q}]`);
          const exps = expectedScores.map((s, k) => (mask[n][k] ? Math.exp(s) : 0));
          const total = exps.reduce((a, c) => a + c, 0);
          assertAllClose(
            gotWeights[n][q],
            exps.map((e) => e / total),
            1e-5,
            `weights[${n}][${q}]`,
          );
          assertClose(
            gotWeights[n][q].reduce((a, c) => a + c, 0),
            1,
            1e-5,
            'row sum',
          );
          const expectedContext = [0, 1].map((d) =>
            keys[n].reduce((sum, key, k) => sum + (exps[k] / total) * key[d], 0),
          );
          assertAllClose(gotContext[n][q], expectedContext, 1e-5, `context[${n}][${q}]`);
        }
      }
      assert.equal(gotWeights[1][0][2], 0, 'a padded key gets exactly 0');
      assert.equal(gotWeights[1][1][2], 0, 'a padded key gets exactly 0');
      tf.dispose([result.scores, result.weights, result.context, projected, keysTensor, ...Object.values(weights)]);
    });

    it('causal mask: lower triangle, future positions get exactly 0, rows sum to 1', () => {
      const out = tf.tidy(() => {
        const scores = tf.randomNormal([2, 5, 5], 0, 3, 'float32', 7);
        return maskedSoftmax(scores, causalMask(5));
      });
      const rows = out.arraySync() as number[][][];
      for (const matrix of rows) {
        matrix.forEach((row, i) => {
          assertClose(
            row.reduce((a, c) => a + c, 0),
            1,
            1e-5,
            `row ${i} sum`,
          );
          row.forEach((w, j) => {
            if (j > i) assert.equal(w, 0, `position ${i} must not see ${j}`);
            else assert.ok(w > 0);
          });
        });
      }
      out.dispose();
    });

    it('padding mask marks <pad> (id 0) as 0', () => {
      const mask = paddingMask(
        tf.tensor2d(
          [
            [5, 6, 0, 0],
            [7, 0, 0, 0],
          ],
          [2, 4],
          'int32',
        ),
      );
      assert.deepEqual(mask.arraySync(), [
        [1, 1, 0, 0],
        [1, 0, 0, 0],
      ]);
      mask.dispose();
    });
  });
}
