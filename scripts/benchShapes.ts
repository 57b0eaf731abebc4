/**
 * The matmul shapes of a language model's training step and their rate on the current backend,
 * for `npm run bench` (scripts/bench.ts). Not a test.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { HyperValue } from '../src/shared/course/chapter';

/** One matmul of a model's training step: `a·b` (or `a·bᵀ` when `transposeB`), shapes as the model uses them. */
export interface MatmulShape {
  what: string;
  a: number[];
  b: number[];
  transposeB?: boolean;
}

/**
 * The forward matmuls of a mini-gpt training step (per block, and the output layer), for `tokens`
 * = batch × context rows: the fused QKV projection, the heads folded into the batch of the two
 * attention products (Q·Kᵀ with the transpose flag, as ops.ts does), the output projection, the
 * FFN (4 × d_model) and the tied output layer.
 */
export function languageModelMatmuls(hyper: Record<string, HyperValue>, vocab: number): MatmulShape[] {
  const batch = Number(hyper.batchSize);
  const context = Number(hyper.context);
  const d = Number(hyper.dModel);
  const heads = Number(hyper.heads);
  const tokens = batch * context;
  const dHead = d / heads;
  // Grouped key/value heads (modern-attention's kvHeads; mini-gpt has none: one per query head): the
  // queries of a group are stacked against their shared key/value head, as the model multiplies them.
  const kvHeads = hyper.kvHeads === undefined ? heads : Number(hyper.kvHeads);
  const group = heads / kvHeads;
  const folded = batch * kvHeads;
  return [
    { what: 'QKV projection', a: [tokens, d], b: [d, (heads + 2 * kvHeads) * dHead] },
    { what: 'scores Q·Kᵀ', a: [folded, group * context, dHead], b: [folded, context, dHead], transposeB: true },
    { what: 'weights·V', a: [folded, group * context, context], b: [folded, context, dHead] },
    { what: 'output projection', a: [tokens, d], b: [d, d] },
    { what: 'FFN up', a: [tokens, d], b: [d, 4 * d] },
    { what: 'FFN down', a: [tokens, 4 * d], b: [4 * d, d] },
    { what: 'logits', a: [tokens, d], b: [d, vocab] },
  ];
}

/** GFLOP/s of one matmul shape on the current backend (median of `repeats` timed calls after a warm-up). */
export function shapeGflops(shape: MatmulShape, repeats: number): number {
  const a = tf.randomNormal(shape.a, 0, 1, 'float32', 1);
  const b = tf.randomNormal(shape.b, 0, 1, 'float32', 2);
  const call = () => {
    const c = tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D, false, shape.transposeB === true);
    c.dataSync();
    c.dispose();
  };
  call(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    call();
    times.push(performance.now() - start);
  }
  tf.dispose([a, b]);
  times.sort((x, y) => x - y);
  const ms = times[Math.floor(times.length / 2)];
  const [m, k] = shape.a.slice(-2);
  const n = shape.transposeB ? shape.b[shape.b.length - 2] : shape.b[shape.b.length - 1];
  const batch = shape.a.length === 3 ? shape.a[0] : 1;
  return (2 * batch * m * k * n) / (ms / 1000) / 1e9;
}
