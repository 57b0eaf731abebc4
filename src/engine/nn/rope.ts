/**
 * Rotary position embedding (RoPE, Su et al. 2021), as Llama and Qwen use it. Instead of adding a
 * position vector to the token embedding, the query and the key of every head are rotated by an
 * angle that grows with their position:
 *
 *   θ_i = base^(−2i / d_head)                     i = 0 .. d_head/2 − 1, one frequency per pair
 *   pair i of a vector at position m is (x_i, x_{i + d_head/2}), turned by the angle m·θ_i:
 *     x'_i            = x_i · cos(m θ_i) − x_{i+d/2} · sin(m θ_i)
 *     x'_{i + d/2}    = x_{i+d/2} · cos(m θ_i) + x_i · sin(m θ_i)
 *
 * Pairs are (i, i + d_head/2), the "rotate half" layout of GPT-NeoX, Llama's Hugging Face port and
 * Qwen (Meta's original Llama code pairs neighbours (2i, 2i+1); the two are the same rotation of a
 * permuted basis). A rotation keeps lengths, and turning q by m·θ and k by n·θ changes their dot
 * product only through m − n: `q_m · k_n` depends on the distance, not on where both sit. That
 * is what makes RoPE a relative position method, and why nothing is added to the embeddings.
 *
 * The tables are computed in float64 in plain JS (a learner's hand calculation matches them) and
 * uploaded per use as constants `[len, d_head]`: a few µs, and nothing to dispose between runs.
 */
import * as tf from '@tensorflow/tfjs-core';

/** The usual base (Llama 2; Llama 3 uses 500000 for its long contexts). */
export const ROPE_BASE = 10000;

/** θ_i = base^(−2i / d_head) for i = 0 .. d_head/2 − 1. */
export function ropeFrequencies(headSize: number, base = ROPE_BASE): Float64Array {
  if (headSize % 2 !== 0) throw new Error(`RoPE rotates pairs: d_head ${headSize} must be even`);
  return Float64Array.from({ length: headSize / 2 }, (_, i) => Math.pow(base, (-2 * i) / headSize));
}

/** The angles m·θ_i `[positions, d_head/2]`, row-major, positions start .. start + count − 1. */
export function ropeAngles(start: number, count: number, headSize: number, base = ROPE_BASE): Float64Array {
  const frequencies = ropeFrequencies(headSize, base);
  const half = headSize / 2;
  const angles = new Float64Array(count * half);
  for (let p = 0; p < count; p++) for (let i = 0; i < half; i++) angles[p * half + i] = (start + p) * frequencies[i];
  return angles;
}

/** cos and sin of the angles of positions start .. start + count − 1, as float32 `[count, d_head]` tensors. */
export interface RotaryTables {
  cos: tf.Tensor2D; // [len, d_head]: cos(m θ_i) at columns i and i + d_head/2
  sin: tf.Tensor2D; // [len, d_head]: sin(m θ_i) at columns i and i + d_head/2
}

export function rotaryTables(start: number, count: number, headSize: number, base = ROPE_BASE): RotaryTables {
  const angles = ropeAngles(start, count, headSize, base);
  const half = headSize / 2;
  const cos = new Float32Array(count * headSize);
  const sin = new Float32Array(count * headSize);
  for (let p = 0; p < count; p++) {
    for (let i = 0; i < half; i++) {
      const angle = angles[p * half + i];
      cos[p * headSize + i] = cos[p * headSize + i + half] = Math.cos(angle);
      sin[p * headSize + i] = sin[p * headSize + i + half] = Math.sin(angle);
    }
  }
  return {
    cos: tf.tensor2d(cos, [count, headSize]), // [len, d_head]
    sin: tf.tensor2d(sin, [count, headSize]), // [len, d_head]
  };
}

/** `x [..., d_head]` → `[−x_{d/2..d−1}, x_{0..d/2−1}]`: each pair's partner, the first one negated. */
export function rotateHalf<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => {
    const axis = x.rank - 1;
    const [first, second] = tf.split(x, 2, axis); // [..., d_head/2] each
    return tf.concat([tf.neg(second), first], axis) as T; // [..., d_head]
  });
}

/**
 * Rotates `x [rows, len, d_head]` (queries or keys, heads folded into rows) by its positions:
 * `x · cos + rotateHalf(x) · sin`, with `tables` of that many positions (`[len, d_head]`,
 * broadcast over the rows). Differentiable; the tables are constants.
 */
export function applyRope(x: tf.Tensor3D, tables: RotaryTables): tf.Tensor3D {
  return tf.tidy(() => {
    const turned = tf.mul(rotateHalf(x), tables.sin); // [rows, len, d_head]
    return tf.add(tf.mul(x, tables.cos), turned) as tf.Tensor3D; // [rows, len, d_head]
  });
}
