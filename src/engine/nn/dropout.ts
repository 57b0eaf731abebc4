/**
 * Inverted dropout (Srivastava et al. 2014): while training, each element is zeroed with
 * probability `rate` and the survivors are scaled by 1/(1 − rate), so the expected value of every
 * element is unchanged and evaluation needs no rescaling: there dropout is the identity.
 *
 * The mask is drawn in plain JS from the project's seeded generator, so a given seed gives the same
 * mask on every backend, and a resumed run repeats the masks of an uninterrupted one. The trainer
 * passes a different seed for every step and every dropout site (`dropoutSeed` mixes them).
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRandom } from '../random';

export interface DropoutOptions {
  /** Probability of zeroing an element, 0 ≤ rate < 1. */
  rate: number;
  /** False during evaluation and decoding: then dropout is the identity. */
  training: boolean;
  /** Integer seed of this mask; vary it per step and per site. */
  seed: number;
}

/** One well-mixed 32-bit seed from several integers (e.g. run seed, step, site): a different mask for each combination. */
export function dropoutSeed(...parts: number[]): number {
  let hash = 0x811c9dc5;
  for (const part of parts) {
    hash = Math.imul(hash ^ (part >>> 0), 0x01000193) >>> 0;
    hash = Math.imul(hash ^ (hash >>> 15), 0x2c1b3c6d) >>> 0;
    hash = (hash ^ (hash >>> 12)) >>> 0;
  }
  return hash;
}

/** The scaled keep mask `[...shape]`: 0 with probability `rate`, else 1/(1 − rate). */
export function dropoutMask(shape: number[], rate: number, seed: number): tf.Tensor {
  const random = createRandom(seed);
  const kept = 1 / (1 - rate);
  const mask = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < mask.length; i++) mask[i] = random.next() < rate ? 0 : kept;
  return tf.tensor(mask, shape); // [...shape]
}

/**
 * `x [...]` → `[...]`. Returns `x` itself when not training or when the rate is 0 (no op, no copy).
 */
export function dropout<T extends tf.Tensor>(x: T, options: DropoutOptions): T {
  const { rate, training, seed } = options;
  if (!(rate >= 0 && rate < 1)) throw new RangeError(`dropout rate must be in [0, 1), got ${rate}`);
  if (!training || rate === 0) return x;
  // The mask is a constant: the gradient flows through the kept elements, scaled the same way.
  return tf.tidy(() => tf.mul(x, dropoutMask(x.shape, rate, seed)) as T); // [...]
}
