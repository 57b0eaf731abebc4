/**
 * The matmul shapes of a chapter's training step (language models, GRU encoder–decoders) and their rate on the current backend,
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

/**
 * The matmuls of a GRU encoder–decoder's training step (seq2seq, attention-seq2seq, luong-attention)
 * as nn/gru.ts, nn/attention.ts and nn/matmul.ts call them, for a batch of `sourceLen` source and
 * `targetLen` target positions: the one-hot embedding, the input projection of every time step at
 * once, the recurrent product of one time step (run once per position, forward and twice backward:
 * dy·Uᵀ and hᵀ·dy, both untransposed after an explicit transpose) and the output layer; with
 * additive attention (attention-seq2seq) also its key projection and weights·values (a 3-D
 * batched product).
 */
export function gruSeq2SeqMatmuls(
  hyper: Record<string, HyperValue>,
  sourceVocab: number,
  targetVocab: number,
  sourceLen: number,
  targetLen: number,
  additiveAttention: boolean,
): MatmulShape[] {
  const batch = Number(hyper.batchSize);
  const hidden = Number(hyper.hiddenSize);
  const embedding = Number(hyper.embeddingSize);
  const shapes: MatmulShape[] = [
    { what: 'embedding (one-hot)', a: [batch * sourceLen, sourceVocab], b: [sourceVocab, embedding] },
    { what: 'GRU input projection', a: [batch * sourceLen, embedding], b: [embedding, 3 * hidden] },
    { what: 'GRU recurrent step', a: [batch, hidden], b: [hidden, 3 * hidden] },
    { what: 'GRU recurrent step, dy·Uᵀ', a: [batch, 3 * hidden], b: [3 * hidden, hidden] },
    { what: 'GRU recurrent step, hᵀ·dy', a: [hidden, batch], b: [batch, 3 * hidden] },
  ];
  if (additiveAttention) {
    shapes.push(
      { what: 'attention key projection', a: [batch * sourceLen, hidden], b: [hidden, Number(hyper.attentionSize)] },
      { what: 'attention weights·values', a: [batch, targetLen, sourceLen], b: [batch, sourceLen, hidden] },
    );
  }
  shapes.push({ what: 'output layer', a: [batch * targetLen, 2 * hidden], b: [2 * hidden, targetVocab] });
  return shapes;
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
