/**
 * The modern-attention chapter's new building blocks: RoPE (nn/rope.ts) against hand-computed
 * rotations, lengths kept, `q_m · k_n` unchanged when both positions shift, a row at an offset
 * equal to that row of a whole window, gradients against central differences; tiled attention with
 * an online softmax (nn/tiledAttention.ts) equal to ordinary attention within 1e-5 for several
 * tile sizes, with and without the causal mask, lengths not a multiple of the tile, never holding
 * more than one tile of scores.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { applyRope, ropeAngles, ropeFrequencies, rotaryTables } from '../../src/engine/nn/rope';
import {
  fullAttention,
  scoreMemory,
  tiledAttention,
  type TiledAttentionStats,
} from '../../src/engine/nn/tiledAttention';
import { assertAllClose, useBackend, values } from './helpers';
import { assertNoLeak, checkGradients, seeded } from './nn-helpers';

function rotate(vector: number[], position: number): number[] {
  return tf.tidy(() => {
    const tables = rotaryTables(position, 1, vector.length);
    return values(applyRope(tf.tensor3d(vector, [1, 1, vector.length]), tables));
  });
}

const dot = (a: number[], b: number[]) => a.reduce((sum, x, i) => sum + x * b[i], 0);

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`RoPE (${backend})`, () => {
    before(() => useBackend(backend));

    it('frequencies and angles: θ_i = 10000^(−2i/d), angle m·θ_i', () => {
      assertAllClose(Array.from(ropeFrequencies(4)), [1, 0.01], 1e-15, 'θ for d_head 4');
      assertAllClose(Array.from(ropeAngles(3, 2, 4)), [3, 0.03, 4, 0.04], 1e-15, 'angles of positions 3 and 4');
    });

    it('rotates each pair (i, i + d/2) by m·θ_i: hand-computed values at position 2', () => {
      // x = [1, 2, 3, 4], d_head 4: pairs (x0, x2) = (1, 3) turn by 2·1 = 2 rad, (x1, x3) = (2, 4) by 2·0.01 = 0.02 rad.
      // cos 2 = −0.41614684, sin 2 = 0.90929743; cos 0.02 = 0.99980001, sin 0.02 = 0.01999867.
      // x0' = 1·cos 2 − 3·sin 2 = −3.14403912     x2' = 3·cos 2 + 1·sin 2 = −0.33914308
      // x1' = 2·cos 0.02 − 4·sin 0.02 = 1.91960535  x3' = 4·cos 0.02 + 2·sin 0.02 = 4.03919736
      assertAllClose(rotate([1, 2, 3, 4], 2), [-3.14403912, 1.91960535, -0.33914308, 4.03919736], 2e-6);
      assertAllClose(rotate([1, 2, 3, 4], 0), [1, 2, 3, 4], 0, 'position 0 is no rotation');
    });

    it('keeps every vector’s length', () => {
      tf.tidy(() => {
        const x = tf.tensor3d(seeded(3 * 10 * 8, 1), [3, 10, 8]);
        const rotated = applyRope(x, rotaryTables(0, 10, 8));
        assertAllClose(values(tf.norm(rotated, 'euclidean', 2)), values(tf.norm(x, 'euclidean', 2)), 1e-5, 'norms');
      });
    });

    it('q_m · k_n depends only on m − n: unchanged when both positions shift', () => {
      const q = seeded(8, 2);
      const k = seeded(8, 3);
      for (const [m, n] of [
        [5, 2],
        [2, 5],
        [7, 7],
        [0, 11],
      ]) {
        const reference = dot(rotate(q, m), rotate(k, n));
        for (const shift of [1, 3, 20, 50]) {
          const shifted = dot(rotate(q, m + shift), rotate(k, n + shift));
          assert.ok(Math.abs(shifted - reference) < 1e-5, `m ${m}, n ${n}, shift ${shift}: ${shifted} vs ${reference}`);
        }
      }
      const near = dot(rotate(q, 3), rotate(k, 2));
      const far = dot(rotate(q, 9), rotate(k, 2));
      assert.ok(Math.abs(near - far) > 1e-3, 'a different distance does change the product');
    });

    it('one position at an offset equals that row of a whole window (the KV cache’s offset)', () => {
      tf.tidy(() => {
        const x = tf.tensor3d(seeded(2 * 9 * 6, 4), [2, 9, 6]);
        const whole = applyRope(x, rotaryTables(0, 9, 6)).arraySync();
        for (const position of [0, 4, 8]) {
          const row = tf.slice(x, [0, position, 0], [2, 1, 6]) as tf.Tensor3D;
          const alone = applyRope(row, rotaryTables(position, 1, 6)).arraySync();
          for (let r = 0; r < 2; r++) assertAllClose(alone[r][0], whole[r][position], 1e-6, `row ${r} at ${position}`);
        }
      });
    });

    it('leaves no tensor behind', () => {
      assertNoLeak(() => {
        const x = tf.tensor3d(seeded(24, 5), [1, 4, 6]);
        const tables = rotaryTables(0, 4, 6);
        applyRope(x, tables).dispose();
        tf.dispose([x, tables.cos, tables.sin]);
      });
    });
  });

  describe(`tiled attention with an online softmax (${backend})`, () => {
    before(() => useBackend(backend));

    for (const causal of [false, true]) {
      it(`equals ordinary attention within 1e-5 (${causal ? 'causal' : 'no mask'}; tiles 1, 3, 4, 16; lengths 7, 10, 16)`, () => {
        for (const length of [7, 10, 16]) {
          tf.tidy(() => {
            const q = tf.tensor3d(seeded(3 * length * 8, length, 2), [3, length, 8]);
            const k = tf.tensor3d(seeded(3 * length * 8, length + 1, 2), [3, length, 8]);
            const v = tf.tensor3d(seeded(3 * length * 5, length + 2), [3, length, 5]);
            const reference = values(fullAttention(q, k, v, causal));
            for (const tile of [1, 3, 4, 16]) {
              for (const [queryTile, keyTile] of [
                [tile, tile],
                [tile, Math.max(1, tile - 1)],
              ]) {
                const stats: TiledAttentionStats = { tiles: 0, largestTile: 0 };
                const tiled = values(tiledAttention(q, k, v, { queryTile, keyTile, causal }, stats));
                const worst = Math.max(...tiled.map((x, i) => Math.abs(x - reference[i])));
                assert.ok(worst <= 1e-5, `length ${length}, tiles ${queryTile}×${keyTile}: ${worst}`);
                assert.ok(stats.largestTile <= queryTile * keyTile, 'never more than one tile of scores');
                if (queryTile < length) assert.ok(stats.largestTile < length * length, 'less than the whole matrix');
              }
            }
          });
        }
      });
    }

    it('skips the key tiles a causal mask hides', () => {
      tf.tidy(() => {
        const x = tf.tensor3d(seeded(16 * 4, 6), [1, 16, 4]);
        const open: TiledAttentionStats = { tiles: 0, largestTile: 0 };
        const masked: TiledAttentionStats = { tiles: 0, largestTile: 0 };
        tiledAttention(x, x, x, { queryTile: 4, keyTile: 4, causal: false }, open);
        tiledAttention(x, x, x, { queryTile: 4, keyTile: 4, causal: true }, masked);
        assert.equal(open.tiles, 16);
        assert.equal(masked.tiles, 10, '1 + 2 + 3 + 4 tiles on or below the diagonal');
      });
    });

    it('memory of the scores: the full matrix grows as len², one tile stays', () => {
      assert.deepEqual(scoreMemory(1024, 64), { full: 4 * 1024 * 1024, tile: 4 * 64 * 64 });
      assert.deepEqual(scoreMemory(16, 64), { full: 1024, tile: 1024 });
    });

    it('leaves no tensor behind', () => {
      assertNoLeak(() => {
        const x = tf.tensor3d(seeded(2 * 9 * 4, 7), [2, 9, 4]);
        tiledAttention(x, x, x, { queryTile: 4, keyTile: 2, causal: true }).dispose();
        x.dispose();
      });
    });
  });
}

describe('RoPE gradients (cpu, central finite differences)', () => {
  before(() => useBackend('cpu'));

  it('d loss / d x of a rotated input', () => {
    const x = tf.variable(tf.tensor3d(seeded(2 * 5 * 6, 8), [2, 5, 6]));
    const weights = tf.tensor3d(seeded(2 * 5 * 6, 9), [2, 5, 6]);
    const tables = rotaryTables(3, 5, 6);
    checkGradients(() => tf.sum(tf.mul(tf.square(applyRope(x, tables)), weights)), [x], 8);
    tf.dispose([x, weights, tables.cos, tables.sin]);
  });
});
