/** Helpers shared by the Transformer building-block tests (nn-*.test.ts). */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { createRandom } from '../../src/engine/random';

/**
 * Checks d loss / d variable at a few coordinates of every variable against central differences
 * (float32 on cpu: step 1e-2, tolerance scaled to the gradient's size), as gradients.test.ts does.
 */
export function checkGradients(loss: () => tf.Scalar, variables: tf.Variable[], coordinatesPerVariable = 4): void {
  const { grads } = tf.variableGrads(loss, variables);
  const epsilon = 1e-2;
  const random = createRandom(3);
  try {
    for (const variable of variables) {
      const analytic = grads[variable.name].dataSync();
      const original = variable.dataSync().slice();
      for (let c = 0; c < coordinatesPerVariable; c++) {
        const index = random.int(original.length);
        const evaluate = (delta: number) => {
          const changed = original.slice();
          changed[index] += delta;
          tf.tidy(() => variable.assign(tf.tensor(changed, variable.shape)));
          return tf.tidy(() => loss().dataSync()[0]);
        };
        const numeric = (evaluate(epsilon) - evaluate(-epsilon)) / (2 * epsilon);
        tf.tidy(() => variable.assign(tf.tensor(original, variable.shape)));
        const tolerance = 2e-3 + 2e-2 * Math.abs(numeric);
        if (!(Math.abs(analytic[index] - numeric) <= tolerance)) {
          throw new Error(`${variable.name}[${index}]: analytic ${analytic[index]} vs numeric ${numeric}`);
        }
      }
    }
  } finally {
    tf.dispose(Object.values(grads));
  }
}

/** Runs `body` and asserts it leaves no tensor behind (everything it creates it disposes). */
export function assertNoLeak(body: () => void): void {
  const before = tf.memory().numTensors;
  body();
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
}

/** Deterministic values in [−scale, scale) from a seed, as a plain JS array. */
export function seeded(count: number, seed: number, scale = 1): number[] {
  const random = createRandom(seed);
  return Array.from({ length: count }, () => (random.next() * 2 - 1) * scale);
}

/** Row-major 2-D reshape of a flat array. */
export function rows(flat: ArrayLike<number>, columns: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < flat.length; i += columns) out.push(Array.from(flat).slice(i, i + columns));
  return out;
}
