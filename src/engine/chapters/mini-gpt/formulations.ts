/**
 * Other ways to write the training forward pass, kept to measure the chapter's own against
 * (docs/performance-mini-gpt.md). Each gives the same values and gradients as the default; only
 * the operations differ. Not used by the chapter. Run the comparison with
 *
 *   node --import tsx -e "require('./src/engine/chapters/mini-gpt/formulations').compareFormulations()"
 *
 * (options as JSON in the environment variable MINI_GPT_BENCH, e.g. {"backend":"wasm","rounds":4}).
 */
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../backend';
import { embed } from '../../nn/embedding';
import { gelu, type FeedForwardWeights } from '../../nn/feedForward';
import { linear } from '../../nn/linear';
import { clipByGlobalNorm, maskedCrossEntropy } from '../../nn/loss';
import { causalKeepMask, maskedSoftmax } from '../../nn/masks';
import { matMul } from '../../nn/matmul';
import { selfAttention } from '../../nn/multiHeadAttention';
import { Parameters } from '../../nn/parameters';
import { warmupCosineSchedule } from '../../nn/schedule';
import { createRandom } from '../../random';
import { adamwOptimizer } from '../../train/optimizers';
import type { Batch } from '../contract';
import type { WindowAttention } from './attention';
import { createMiniGpt, DEFAULT_FORMULATION, type Formulation, type MiniGptConfig } from './model';
import { batchedMatMul, batchedMatMulT } from './ops';

/**
 * A 2-D product whose weight gradient aᵀ·dy is computed as (dyᵀ·a)ᵀ when that packs the narrower
 * operand into XNNPACK (which packs its right operand on every call). Measured: no gain.
 */
const packNarrower = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [a, b, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [savedA, savedB] = saved as [tf.Tensor2D, tf.Tensor2D];
      const dA = tf.matMul(dy as tf.Tensor2D, tf.transpose(savedB));
      const dB =
        savedB.shape[1] > savedA.shape[1]
          ? tf.transpose(tf.matMul(tf.transpose(dy as tf.Tensor2D), savedA))
          : tf.matMul(tf.transpose(savedA), dy as tf.Tensor2D);
      return [dA, dB];
    },
  };
}) as (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;

function linearLayer(x: tf.Tensor, kernel: tf.Tensor2D, bias?: tf.Tensor1D): tf.Tensor {
  return tf.tidy(() => {
    const product = packNarrower(tf.reshape(x, [-1, x.shape[x.rank - 1]]) as tf.Tensor2D, kernel);
    return tf.reshape(bias ? tf.add(product, bias) : product, [...x.shape.slice(0, -1), kernel.shape[1]]);
  });
}

type Attention = Formulation['attention'];

/** `[batch, len, h·d_head]` → `[batch·h, len, d_head]`. */
function foldHeads(x: tf.Tensor3D, heads: number): tf.Tensor3D {
  const [batch, length, width] = x.shape;
  const split = tf.transpose(tf.reshape(x, [batch, length, heads, width / heads]), [0, 2, 1, 3]);
  return tf.reshape(split, [batch * heads, length, width / heads]) as tf.Tensor3D;
}

/** `[batch·h, len, d_head]` → `[batch, len, h·d_head]`. */
function unfoldHeads(x: tf.Tensor3D, batch: number): tf.Tensor3D {
  const [folded, length, headSize] = x.shape;
  const heads = folded / batch;
  const merged = tf.transpose(tf.reshape(x, [batch, heads, length, headSize]), [0, 2, 1, 3]);
  return tf.reshape(merged, [batch, length, heads * headSize]) as tf.Tensor3D;
}

function result(
  output: tf.Tensor3D,
  weights: tf.Tensor,
  q: tf.Tensor3D,
  k: tf.Tensor3D,
  v: tf.Tensor3D,
  batch: number,
): WindowAttention {
  const [folded, length, headSize] = q.shape;
  return {
    output,
    weights: tf.reshape(weights, [batch, folded / batch, length, length]) as tf.Tensor4D,
    queries: tf.reshape(q, [batch, folded / batch, length, headSize]) as tf.Tensor4D,
    keys: k,
    values: v,
  };
}

/** The project's shared block (nn/multiHeadAttention.selfAttention) with nn/masks' causal keep mask. */
const sharedBlock: Attention = (x, w) =>
  tf.tidy(() => {
    const [batch, length] = x.shape;
    const out = selfAttention(x, w, { keep: causalKeepMask(length) });
    const fold = (t: tf.Tensor4D) => tf.reshape(t, [batch * w.heads, length, w.headSize]) as tf.Tensor3D;
    return {
      output: out.output,
      weights: out.weights,
      queries: out.query,
      keys: fold(out.key),
      values: fold(out.value),
    };
  });

/**
 * The first version: Q, K, V cut apart by columns and transposed one by one, Kᵀ made by a
 * transpose that moves the last axis, nn/matmul's products (explicit transposes in the gradient).
 */
const explicitTransposes: Attention = (x, w, band) =>
  tf.tidy(() => {
    const [batch, length] = x.shape;
    const { heads, headSize } = w;
    const qkv = linear(x, w.qkvKernel as tf.Tensor2D, w.qkvBias as tf.Tensor1D) as tf.Tensor3D;
    const [q, k, v] = tf.split(qkv, 3, 2) as tf.Tensor3D[];
    const queries = foldHeads(tf.mul(q, 1 / Math.sqrt(headSize)) as tf.Tensor3D, heads);
    const keysT = tf.reshape(tf.transpose(tf.reshape(k, [batch, length, heads, headSize]), [0, 2, 3, 1]), [
      batch * heads,
      headSize,
      length,
    ]) as tf.Tensor3D;
    const values = foldHeads(v, heads);
    const scores = matMul(queries, keysT);
    const weights = tf.softmax(
      tf.reshape(tf.add(tf.reshape(scores, [batch * heads, length * length]), band), scores.shape),
    );
    const context = unfoldHeads(matMul(weights as tf.Tensor3D, values), batch);
    const output = linear(context, w.outputKernel as tf.Tensor2D, w.outputBias as tf.Tensor1D) as tf.Tensor3D;
    return result(output, weights, queries, foldHeads(k, heads), values, batch);
  });

/** As the default, with Q, K and V projected by three matmuls (the fused kernel cut into three). */
const separateQkv: Attention = (x, w, band) =>
  tf.tidy(() => {
    const [batch, length] = x.shape;
    const { heads, headSize } = w;
    const [kq, kk, kv] = tf.split(w.qkvKernel, 3, 1) as tf.Tensor2D[];
    const [bq, bk, bv] = tf.split(w.qkvBias, 3, 0) as tf.Tensor1D[];
    const q = foldHeads(linear(x, kq, bq) as tf.Tensor3D, heads);
    const k = foldHeads(linear(x, kk, bk) as tf.Tensor3D, heads);
    const v = foldHeads(linear(x, kv, bv) as tf.Tensor3D, heads);
    const queries = tf.mul(q, 1 / Math.sqrt(headSize)) as tf.Tensor3D;
    const scores = batchedMatMulT(queries, k);
    const weights = tf.softmax(
      tf.reshape(tf.add(tf.reshape(scores, [batch * heads, length * length]), band), scores.shape),
    );
    const context = unfoldHeads(batchedMatMul(weights as tf.Tensor3D, v), batch);
    const output = linear(context, w.outputKernel as tf.Tensor2D, w.outputBias as tf.Tensor1D) as tf.Tensor3D;
    return result(output, weights, queries, k, v, batch);
  });

/** As the default, with the causal mask made by tf.linalg.bandPart at every pass and nn/masks' maskedSoftmax over 4-D. */
const bandPartMask: Attention = (x, w) =>
  tf.tidy(() => {
    const [batch, length] = x.shape;
    const { heads, headSize } = w;
    const qkv = linear(x, w.qkvKernel as tf.Tensor2D, w.qkvBias as tf.Tensor1D);
    const headsFirst = tf.transpose(tf.reshape(qkv, [batch, length, 3 * heads, headSize]), [0, 2, 1, 3]);
    const [q, k, v] = tf
      .split(headsFirst, 3, 1)
      .map((p) => tf.reshape(p, [batch * heads, length, headSize]) as tf.Tensor3D);
    const queries = tf.mul(q, 1 / Math.sqrt(headSize)) as tf.Tensor3D;
    const scores = tf.reshape(batchedMatMulT(queries, k), [batch, heads, length, length]);
    const keep = tf.reshape(tf.linalg.bandPart(tf.ones([length, length]), -1, 0), [1, 1, length, length]);
    const weights = maskedSoftmax(scores, keep);
    const context = unfoldHeads(
      batchedMatMul(tf.reshape(weights, [batch * heads, length, length]) as tf.Tensor3D, v),
      batch,
    );
    const output = linear(context, w.outputKernel as tf.Tensor2D, w.outputBias as tf.Tensor1D) as tf.Tensor3D;
    return result(output, weights, queries, k, v, batch);
  });

/** One attention matmul per head (a loop over heads) instead of all heads folded into one. */
const perHead: Attention = (x, w, band) =>
  tf.tidy(() => {
    const [batch, length] = x.shape;
    const { heads, headSize } = w;
    const qkv = linear(x, w.qkvKernel as tf.Tensor2D, w.qkvBias as tf.Tensor1D) as tf.Tensor3D;
    const parts = tf.split(qkv, 3 * heads, 2) as tf.Tensor3D[]; // [batch, len, d_head] each
    const all: tf.Tensor3D[] = [];
    const contexts: tf.Tensor3D[] = [];
    for (let h = 0; h < heads; h++) {
      const q = tf.mul(parts[h], 1 / Math.sqrt(headSize)) as tf.Tensor3D;
      const scores = batchedMatMulT(q, parts[heads + h]); // [batch, len, len]
      const weights = tf.softmax(tf.reshape(tf.add(tf.reshape(scores, [batch, length * length]), band), scores.shape));
      all.push(weights as tf.Tensor3D);
      contexts.push(batchedMatMul(weights as tf.Tensor3D, parts[2 * heads + h]));
    }
    const output = linear(
      tf.concat(contexts, 2),
      w.outputKernel as tf.Tensor2D,
      w.outputBias as tf.Tensor1D,
    ) as tf.Tensor3D;
    const weights = tf.stack(all, 1); // [batch, heads, len, len]
    const fold = (from: number) =>
      tf.reshape(tf.stack(parts.slice(from, from + heads), 1), [batch * heads, length, headSize]) as tf.Tensor3D;
    return result(output, weights, fold(0), fold(heads), fold(2 * heads), batch);
  });

/**
 * Heads in the matmul width: per example, Q `[len, h·d_head]` times a block-diagonal Kᵀ
 * `[h·d_head, h·len]` gives every head's scores in one `[len, h·len]` product (h times the work,
 * zeros off the diagonal blocks), and the weights times a block-diagonal V give the merged heads.
 */
const headsInWidth: Attention = (x, w, band) =>
  tf.tidy(() => {
    const [batch, length] = x.shape;
    const { heads, headSize } = w;
    const qkv = linear(x, w.qkvKernel as tf.Tensor2D, w.qkvBias as tf.Tensor1D) as tf.Tensor3D;
    const [q, k, v] = tf.split(qkv, 3, 2) as tf.Tensor3D[];
    const eye = tf.reshape(tf.eye(heads), [1, heads, 1, heads, 1]); // block-diagonal selector
    const kByHead = tf.reshape(k, [batch, length, heads, headSize]);
    const kT = tf.transpose(kByHead, [0, 2, 3, 1]); // [batch, h, d_head, len]
    const blockK = tf.reshape(tf.mul(tf.expandDims(kT, 3), eye), [batch, heads * headSize, heads * length]);
    const queries = tf.mul(q, 1 / Math.sqrt(headSize)) as tf.Tensor3D;
    const scores = matMul(queries, blockK); // [batch, len, h·len]
    const byHead = tf.transpose(tf.reshape(scores, [batch, length, heads, length]), [0, 2, 1, 3]); // [batch, h, len, len]
    const weights = tf.softmax(
      tf.reshape(tf.add(tf.reshape(byHead, [batch * heads, length * length]), band), [batch * heads, length, length]),
    );
    const back = tf.reshape(tf.transpose(tf.reshape(weights, [batch, heads, length, length]), [0, 2, 1, 3]), [
      batch,
      length,
      heads * length,
    ]);
    const vByHead = tf.transpose(tf.reshape(v, [batch, length, heads, headSize]), [0, 2, 1, 3]); // [batch, h, len, d_head]
    const blockV = tf.reshape(tf.mul(tf.expandDims(vByHead, 3), tf.reshape(tf.eye(heads), [1, heads, 1, heads, 1])), [
      batch,
      heads * length,
      heads * headSize,
    ]);
    const context = matMul(back, blockV); // [batch, len, h·d_head]: heads already merged
    const output = linear(context, w.outputKernel as tf.Tensor2D, w.outputBias as tf.Tensor1D) as tf.Tensor3D;
    return result(output, weights, foldHeads(queries, heads), foldHeads(k, heads), foldHeads(v, heads), batch);
  });

/** The FFN and the output layer with packNarrower's weight gradients. */
const narrowerPacking: Partial<Formulation> = {
  feedForward: (x: tf.Tensor3D, w: FeedForwardWeights) =>
    tf.tidy(() => {
      const hidden = linearLayer(x, w.hiddenKernel as tf.Tensor2D, w.hiddenBias as tf.Tensor1D);
      return linearLayer(gelu(hidden), w.outputKernel as tf.Tensor2D, w.outputBias as tf.Tensor1D) as tf.Tensor3D;
    }),
  product: packNarrower,
};

export const FORMULATIONS: Record<string, Partial<Formulation>> = {
  default: {},
  'shared nn block (4-D keep mask)': { attention: sharedBlock },
  'explicit transposes, Kᵀ by transpose': { attention: explicitTransposes },
  'separate Q, K, V matmuls': { attention: separateQkv },
  'mask by bandPart + maskedSoftmax': { attention: bandPartMask },
  'one matmul per head': { attention: perHead },
  'heads in the matmul width': { attention: headsInWidth },
  'weight gradients as (dyᵀ·x)ᵀ': narrowerPacking,
  'one-hot embedding': { embed: (table, ids) => embed(ids as tf.Tensor2D, table) },
};

export interface FormulationTiming {
  name: string;
  /** The loss of the first step: the same for every formulation (same weights, same batch). */
  firstLoss: number;
  /** Median process CPU milliseconds per training step (≈ wall time on an idle core). */
  cpuMs: number;
  wallMs: number;
}

/**
 * Times a training step (forward, gradients, clipping, AdamW) of each formulation on the same
 * model and batch, round-robin so machine load hits all alike; medians of `rounds` × 2 steps.
 */
export async function compareFormulations(
  options: {
    backend?: 'wasm' | 'cpu';
    rounds?: number;
    config?: Partial<MiniGptConfig>;
    batchSize?: number;
  } = JSON.parse(process.env.MINI_GPT_BENCH ?? '{}'),
): Promise<FormulationTiming[]> {
  await selectBackend(options.backend ?? 'wasm');
  const config: MiniGptConfig = {
    vocabSize: 81,
    context: 64,
    layers: 4,
    heads: 4,
    modelSize: 128,
    dropout: 0,
    tieWeights: true,
    ...options.config,
  };
  const batchSize = options.batchSize ?? 12;
  const random = createRandom(2);
  const ids = Int32Array.from({ length: batchSize * (config.context + 1) }, () => 4 + random.int(config.vocabSize - 4));
  const inputs = tf.tensor2d(
    Int32Array.from({ length: batchSize * config.context }, (_, i) => ids[i + Math.floor(i / config.context)]),
    [batchSize, config.context],
    'int32',
  );
  const batch: Batch = {
    inputs: { token_ids: inputs },
    targets: tf.clone(inputs) as tf.Tensor2D,
    lossMask: tf.ones([batchSize, config.context]) as tf.Tensor2D,
  };
  const setups = Object.entries(FORMULATIONS).map(([name, change]) => {
    const parameters = new Parameters(createRandom(1));
    const model = createMiniGpt(parameters, config, { ...DEFAULT_FORMULATION, ...change });
    const optimizer = adamwOptimizer(parameters, warmupCosineSchedule(1e-3, 100, 2000, 1e-4), {
      beta2: 0.99,
      weightDecay: 0.1,
    });
    return { name, parameters, model, optimizer, cpu: [] as number[], wall: [] as number[], step: 0, firstLoss: NaN };
  });
  const stepOf = (setup: (typeof setups)[number]) =>
    tf.tidy(() => {
      setup.step++;
      const { value, grads } = tf.variableGrads(() => {
        const output = setup.model.forward(batch, { training: true, seed: setup.step });
        return maskedCrossEntropy(output.logits, batch.targets, batch.lossMask);
      }, setup.parameters.list());
      setup.optimizer.applyGradients(clipByGlobalNorm(grads, 1), setup.step);
      const loss = value.dataSync()[0];
      if (setup.step === 1) setup.firstLoss = loss;
    });
  for (const setup of setups) stepOf(setup); // warm-up: kernels, XNNPACK operators
  for (let round = 0; round < (options.rounds ?? 3); round++) {
    for (const setup of setups) {
      for (let i = 0; i < 2; i++) {
        const cpu = process.cpuUsage();
        const wall = performance.now();
        stepOf(setup);
        setup.wall.push(performance.now() - wall);
        const used = process.cpuUsage(cpu);
        setup.cpu.push((used.user + used.system) / 1000);
      }
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const timings = setups.map((setup) => ({
    name: setup.name,
    firstLoss: setup.firstLoss,
    cpuMs: median(setup.cpu),
    wallMs: median(setup.wall),
  }));
  for (const setup of setups) {
    setup.optimizer.dispose();
    setup.parameters.dispose();
  }
  tf.dispose([inputs, batch.targets, batch.lossMask]);
  for (const timing of timings) {
    console.log(
      `${timing.name.padEnd(40)} cpu ${timing.cpuMs.toFixed(0).padStart(6)} ms/step   wall ${timing.wallMs.toFixed(0).padStart(6)} ms   first loss ${timing.firstLoss.toFixed(6)}`,
    );
  }
  return timings;
}

/**
 * Generation cost per token: the KV-cache decoder against a full forward pass over the window for
 * every token (no cache), greedy, from a one-character prompt, on a model of `config`. CPU ms per
 * token over tokens 1..`tokens` (they must fit in the context). Run with
 *
 *   node --import tsx -e "require('./src/engine/chapters/mini-gpt/formulations').compareGeneration()"
 */
export async function compareGeneration(
  options: { backend?: 'wasm' | 'cpu'; tokens?: number; config?: Partial<MiniGptConfig> } = JSON.parse(
    process.env.MINI_GPT_BENCH ?? '{}',
  ),
): Promise<{ cachedMs: number; uncachedMs: number }> {
  await selectBackend(options.backend ?? 'wasm');
  const config: MiniGptConfig = {
    vocabSize: 81,
    context: 64,
    layers: 4,
    heads: 4,
    modelSize: 128,
    dropout: 0,
    tieWeights: true,
    ...options.config,
  };
  const tokens = Math.min(options.tokens ?? 63, config.context - 1);
  const parameters = new Parameters(createRandom(1));
  const model = createMiniGpt(parameters, config);
  const cpuMs = (body: () => void) => {
    const start = process.cpuUsage();
    body();
    const used = process.cpuUsage(start);
    return (used.user + used.system) / 1000;
  };
  const cached = () => {
    let state = tf.tidy(() => model.decoder.start({ token_ids: tf.zeros([1, 0], 'int32') }));
    let previous = 4;
    for (let t = 0; t < tokens; t++) {
      const input = tf.tensor1d([previous], 'int32');
      const output = model.decoder.step(state, input, t);
      tf.dispose([input, ...Object.values(state)]);
      state = output.state;
      previous = tf.tidy(() => tf.argMax(output.logits, 1).dataSync()[0]);
      tf.dispose([output.logits, ...output.attention.map((a) => a.weights)]);
    }
    tf.dispose(Object.values(state));
  };
  const uncached = () => {
    const ids = [4];
    for (let t = 0; t < tokens; t++) {
      const next = tf.tidy(() => {
        const input = tf.tensor2d([ids], [1, ids.length], 'int32');
        const { logits } = model.forward(
          { inputs: { token_ids: input }, targets: input, lossMask: tf.ones([1, ids.length]) as tf.Tensor2D },
          { training: false, seed: 0 },
        );
        return tf.argMax(tf.slice(logits, [0, ids.length - 1, 0], [1, 1, -1]), 2).dataSync()[0];
      });
      ids.push(next);
    }
  };
  cached();
  uncached(); // warm-up
  const cachedMs = Math.min(cpuMs(cached), cpuMs(cached)) / tokens;
  const uncachedMs = Math.min(cpuMs(uncached), cpuMs(uncached)) / tokens;
  parameters.dispose();
  console.log(
    `${tokens} tokens: KV cache ${cachedMs.toFixed(1)} ms/token, full forward ${uncachedMs.toFixed(1)} ms/token (cpu)`,
  );
  return { cachedMs, uncachedMs };
}
