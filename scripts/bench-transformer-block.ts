/**
 * Forward + backward time of one pre-LN Transformer block at nanoGPT's "baby" size (batch 12,
 * length 64, d_model 128, 4 heads, FFN 512, causal), for the shipped formulation of
 * src/engine/nn and the alternatives it was chosen against. Not a test: it asserts nothing.
 *
 *   node --import tsx scripts/bench-transformer-block.ts [--backend wasm|cpu] [--repeats 7] [--profile]
 *
 * Variants run interleaved (one step of each per round) so a busy machine slows them alike; the
 * weights get new values before every step, as after an optimiser update (XNNPACK re-packs them).
 */
import { parseArgs } from 'util';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../src/engine/backend';
import { createFeedForward, feedForward } from '../src/engine/nn/feedForward';
import { createLayerNorm } from '../src/engine/nn/layerNorm';
import { linear } from '../src/engine/nn/linear';
import { matMul } from '../src/engine/nn/matmul';
import { causalKeepMask, causalMask, maskedSoftmax } from '../src/engine/nn/masks';
import {
  createSelfAttention,
  mergeHeads,
  selfAttention,
  splitHeads,
  type SelfAttentionWeights,
} from '../src/engine/nn/multiHeadAttention';
import { Parameters } from '../src/engine/nn/parameters';
import { sublayerConnection } from '../src/engine/nn/sublayer';
import { createRandom } from '../src/engine/random';
import type { BackendName } from '../src/shared/ids';

const { values: args } = parseArgs({
  options: { backend: { type: 'string' }, repeats: { type: 'string' }, profile: { type: 'boolean' } },
});
const BATCH = 12;
const LENGTH = 64;
const MODEL = 128;
const HEADS = 4;
const HIDDEN = 512;
const HEAD = MODEL / HEADS;

type Attention = (x: tf.Tensor3D, weights: SelfAttentionWeights, keep: tf.Tensor) => tf.Tensor3D;

/** A dense layer on tf.matMul, whose built-in gradient multiplies by transposed operands. */
function builtinLinear(x: tf.Tensor3D, kernel: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor3D {
  const [batch, length, width] = x.shape;
  const flat = tf.reshape(x, [batch * length, width]) as tf.Tensor2D; // [batch·len, in]
  return tf.reshape(tf.add(tf.matMul(flat, kernel), bias), [batch, length, kernel.shape[1]]) as tf.Tensor3D; // [batch, len, out]
}

/**
 * Self-attention written out, for the alternatives: how Q/K/V are cut apart, how Q·Kᵀ is computed,
 * whether the dense layers use the matmul.ts wrapper.
 */
function variantAttention(options: {
  splitColumnsFirst?: boolean;
  scores?: 'transpose' | 'transposeFlag' | 'perHead2d' | 'loopOverHeads';
  builtinDense?: boolean;
}): Attention {
  return (x, weights, keep) => {
    const dense = options.builtinDense
      ? builtinLinear
      : (a: tf.Tensor3D, k: tf.Tensor2D, b: tf.Tensor1D) => linear(a, k, b) as tf.Tensor3D;
    const projected = dense(x, weights.qkvKernel as tf.Tensor2D, weights.qkvBias as tf.Tensor1D); // [batch, len, 3·d_model]
    let parts: tf.Tensor[];
    if (options.splitColumnsFirst) {
      parts = tf.split(projected, 3, 2).map((p) => splitHeads(p as tf.Tensor3D, HEADS)); // 3 × [batch, heads, len, d_head]
    } else {
      const heads = tf.reshape(splitHeads(projected, 3 * HEADS), [BATCH, 3 * HEADS, LENGTH * HEAD]); // [batch, 3·heads, len·d_head]
      parts = tf.split(heads, 3, 1); // 3 × [batch, heads, len·d_head]
    }
    const [q, k, v] = parts.map((p) => tf.reshape(p, [BATCH * HEADS, LENGTH, HEAD]) as tf.Tensor3D); // [batch·heads, len, d_head]
    let weightsFolded: tf.Tensor3D;
    let context: tf.Tensor3D;
    const softmax = (scores: tf.Tensor) =>
      tf.reshape(maskedSoftmax(tf.reshape(tf.div(scores, Math.sqrt(HEAD)), [BATCH, HEADS, LENGTH, LENGTH]), keep), [
        BATCH * HEADS,
        LENGTH,
        LENGTH,
      ]) as tf.Tensor3D; // [batch·heads, queries, keys]
    if (options.scores === 'perHead2d') {
      const [qs, ks, vs] = [q, k, v].map((t) => tf.unstack(t) as tf.Tensor2D[]); // 48 × [len, d_head]
      const scores = tf.stack(qs.map((qi, i) => matMul(qi, tf.transpose(ks[i])))); // [batch·heads, queries, keys]
      weightsFolded = softmax(scores);
      const ws = tf.unstack(weightsFolded) as tf.Tensor2D[];
      context = tf.stack(ws.map((wi, i) => matMul(wi, vs[i]))) as tf.Tensor3D; // [batch·heads, queries, d_head]
    } else if (options.scores === 'loopOverHeads') {
      // One batched matmul per head over [batch, len, d_head], heads stacked back afterwards.
      const perHead = (t: tf.Tensor) => tf.unstack(tf.reshape(t, [BATCH, HEADS, LENGTH, -1]), 1) as tf.Tensor3D[]; // heads × [batch, len, ·]
      const [qs, ks, vs] = [q, k, v].map(perHead);
      const scores = tf.stack(
        qs.map((qh, h) => matMul(qh, tf.transpose(ks[h], [0, 2, 1]))),
        1,
      ); // [batch, heads, queries, keys]
      weightsFolded = softmax(scores);
      const ws = perHead(weightsFolded);
      context = tf.stack(
        ws.map((wh, h) => matMul(wh, vs[h])),
        1,
      ) as tf.Tensor3D; // [batch, heads, queries, d_head]
    } else {
      const scores =
        options.scores === 'transposeFlag' ? tf.matMul(q, k, false, true) : matMul(q, tf.transpose(k, [0, 2, 1])); // [batch·heads, queries, keys]
      weightsFolded = softmax(scores);
      context = options.scores === 'transposeFlag' ? tf.matMul(weightsFolded, v) : matMul(weightsFolded, v); // [batch·heads, queries, d_head]
    }
    const merged = mergeHeads(tf.reshape(context, [BATCH, HEADS, LENGTH, HEAD]) as tf.Tensor4D); // [batch, len, d_model]
    return dense(merged, weights.outputKernel as tf.Tensor2D, weights.outputBias as tf.Tensor1D);
  };
}

interface Variant {
  name: string;
  attention: Attention;
  /** Builds the causal mask inside every step instead of once. */
  mask?: 'rebuiltJs' | 'rebuiltBandPart';
  dropout?: number;
}

const shipped: Attention = (x, weights, keep) => selfAttention(x, weights, { keep }).output;
const variants: Variant[] = [
  { name: 'shipped: heads folded into batch, fused QKV, transpose + plain matmul, constant mask', attention: shipped },
  { name: 'causal mask rebuilt every step (JS array)', attention: shipped, mask: 'rebuiltJs' },
  { name: 'causal mask rebuilt every step (bandPart)', attention: shipped, mask: 'rebuiltBandPart' },
  {
    name: 'Q·Kᵀ and weights·V with tf.matMul (transposeB flag, built-in grads)',
    attention: variantAttention({ scores: 'transposeFlag' }),
  },
  { name: 'per (example, head) 2-D matmuls (unstack/stack)', attention: variantAttention({ scores: 'perHead2d' }) },
  { name: 'loop over heads: one batched matmul per head', attention: variantAttention({ scores: 'loopOverHeads' }) },
  {
    name: 'Q/K/V cut apart by columns first, then 3 head transposes',
    attention: variantAttention({ splitColumnsFirst: true }),
  },
  {
    name: 'attention projections on tf.matMul (transposed-operand grads)',
    attention: variantAttention({ builtinDense: true }),
  },
  { name: 'shipped + dropout 0.2 (residual paths)', attention: shipped, dropout: 0.2 },
];

async function main(): Promise<void> {
  const backend = (args.backend ?? 'wasm') as BackendName;
  await selectBackend(backend);
  const repeats = Number(args.repeats ?? 7);
  const parameters = new Parameters(createRandom(1));
  const norm1 = createLayerNorm(parameters, 'layer1/norm1', MODEL);
  const attention = createSelfAttention(parameters, 'layer1/self_attention', { modelSize: MODEL, heads: HEADS });
  const norm2 = createLayerNorm(parameters, 'layer1/norm2', MODEL);
  const ffn = createFeedForward(parameters, 'layer1/feed_forward', MODEL, HIDDEN);
  const x = tf.variable(tf.randomNormal([BATCH, LENGTH, MODEL], 0, 1, 'float32', 2)) as tf.Variable<tf.Rank.R3>;
  const readout = tf.randomNormal([BATCH, LENGTH, MODEL], 0, 1, 'float32', 3);
  const constantMask = causalKeepMask(LENGTH);
  const trainable = [...parameters.list(), x];

  const block = (variant: Variant, step: number) => {
    const keep =
      variant.mask === 'rebuiltJs'
        ? causalKeepMask(LENGTH)
        : variant.mask === 'rebuiltBandPart'
          ? tf.reshape(causalMask(LENGTH), [1, 1, LENGTH, LENGTH])
          : constantMask;
    const drop = (site: number) =>
      variant.dropout ? { rate: variant.dropout, training: true, seed: step * 10 + site } : undefined;
    const afterAttention = sublayerConnection(x, norm1, (y) => variant.attention(y, attention, keep), {
      placement: 'pre',
      dropout: drop(1),
    });
    const out = sublayerConnection(afterAttention, norm2, (y) => feedForward(y, ffn), {
      placement: 'pre',
      dropout: drop(2),
    });
    return tf.sum(tf.mul(out, readout)) as tf.Scalar;
  };
  const trainStep = (variant: Variant, step: number) =>
    tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => block(variant, step), trainable);
      value.dataSync();
      Object.values(grads)[0].dataSync();
    });
  const newWeights = () => tf.tidy(() => parameters.list().forEach((v) => v.assign(tf.mul(v, 1))));

  const forward: number[] = [];
  const times = variants.map(() => [] as number[]);
  for (let round = -2; round < repeats; round++) {
    // A different variant goes first every round: the first step after a pause tends to be slower.
    for (let j = 0; j < variants.length; j++) {
      const i = (j + round + 2) % variants.length;
      const variant = variants[i];
      newWeights();
      const start = performance.now();
      trainStep(variant, round);
      if (round >= 0) times[i].push(performance.now() - start);
    }
    newWeights();
    const start = performance.now();
    tf.tidy(() => block(variants[0], round).dataSync());
    if (round >= 0) forward.push(performance.now() - start);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`${backend}, ${repeats} steps each, ms (median, min):`);
  console.log(
    `  ${'shipped, forward only'.padEnd(86)} ${median(forward).toFixed(1).padStart(7)} ${Math.min(...forward)
      .toFixed(1)
      .padStart(7)}`,
  );
  variants.forEach((variant, i) =>
    console.log(
      `  ${variant.name.padEnd(86)} ${median(times[i]).toFixed(1).padStart(7)} ${Math.min(...times[i])
        .toFixed(1)
        .padStart(7)}`,
    ),
  );

  if (args.profile) {
    const info = await tf.profile(() => trainStep(variants[0], 99));
    const byKernel = new Map<string, { ms: number; calls: number }>();
    for (const kernel of info.kernels) {
      const entry = byKernel.get(kernel.name) ?? { ms: 0, calls: 0 };
      entry.ms += kernel.kernelTimeMs as number;
      entry.calls += 1;
      byKernel.set(kernel.name, entry);
    }
    const total = [...byKernel.values()].reduce((sum, e) => sum + e.ms, 0);
    console.log(`kernel times of one shipped step (${info.kernels.length} kernels, ${total.toFixed(1)} ms):`);
    [...byKernel.entries()]
      .sort((a, b) => b[1].ms - a[1].ms)
      .slice(0, 14)
      .forEach(([name, e]) => console.log(`  ${name.padEnd(20)} ${e.ms.toFixed(1).padStart(7)} ms  ${e.calls} calls`));
    const matmuls = info.kernels.filter((k) => k.name === 'BatchMatMul');
    console.log('  BatchMatMul calls:');
    for (const k of matmuls)
      console.log(`    ${JSON.stringify(k.inputShapes)} ${(k.kernelTimeMs as number).toFixed(2)} ms`);
  }
  tf.dispose([x, readout, constantMask]);
  parameters.dispose();
}

void main();
