/**
 * The matmul shapes of a chapter's training step (language models, GRU encoder–decoders) and their rate on the current backend,
 * and a profiled training step of any chapter (its kernel time and its matrix products by shape),
 * for `npm run bench` (scripts/bench.ts). Not a test.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Hyperparameters, HyperValue } from '../src/shared/course/chapter';
import type { Chapter, RunData } from '../src/engine/chapters/contract';
import { trainingStepWorkload } from '../src/engine/train/stepWorkload';

type ProfileInfo = Awaited<ReturnType<typeof tf.profile>>;

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

/** The matrix products of one shape in a profiled training step. */
export interface StepMatmul {
  /** `[a]×[b] → [out]` as the kernel saw them (a transposed operand shows in the shapes). */
  shape: string;
  calls: number;
  /** Kernel milliseconds per step, all calls together. */
  ms: number;
  /** The rate those calls ran at inside the step. */
  gflops: number;
}

/** Where one training step's kernel time goes: every kernel, and the matrix products by shape. */
export interface StepProfile {
  kernels: number;
  kernelMs: number;
  matmulMs: number;
  matmuls: StepMatmul[];
  /** Kernel time by kernel name, largest first. */
  byKernel: { name: string; calls: number; ms: number }[];
}

const MATMUL_KERNELS = new Set(['BatchMatMul', '_FusedMatMul']);
const PROFILED_STEPS = 5;

/** Multiply-adds × 2 of a product with these operand and output shapes (the inner size is the operand axis not in the output). */
function matmulFlops(a: number[], out: number[]): number {
  const [m, n] = out.slice(-2);
  const [p, q] = a.slice(-2);
  const inner = p === m ? q : p;
  const batch = out.slice(0, -2).reduce((x, y) => x * y, 1);
  return 2 * batch * m * n * inner;
}

/**
 * The median of five training steps of `chapter` at `hyper` on `data` under `tf.profile`, after two warm-up steps:
 * every kernel's time, and the matrix products grouped by shape with the rate each shape ran at in
 * the step (the model's own calls, whatever the chapter). Kernel times of a synchronous backend
 * (wasm, cpu).
 */
export async function profileStep(
  chapter: Chapter,
  hyper: Hyperparameters,
  data: RunData,
  seed: number,
): Promise<StepProfile> {
  const workload = trainingStepWorkload(chapter, hyper, data, seed);
  try {
    workload.step();
    workload.step();
    // The step of median kernel time among a few: one profiled step can catch a pause of the machine.
    const profiled: ProfileInfo[] = [];
    for (let i = 0; i < PROFILED_STEPS; i++) profiled.push(await tf.profile(() => workload.step()));
    const total = (info: ProfileInfo) => info.kernels.reduce((sum, k) => sum + (Number(k.kernelTimeMs) || 0), 0);
    const { kernels } = profiled.sort((x, y) => total(x) - total(y))[PROFILED_STEPS >> 1];
    const byShape = new Map<string, StepMatmul & { flops: number }>();
    const byName = new Map<string, { name: string; calls: number; ms: number }>();
    let kernelMs = 0;
    for (const kernel of kernels) {
      const ms = Number(kernel.kernelTimeMs) || 0;
      kernelMs += ms;
      const named = byName.get(kernel.name) ?? { name: kernel.name, calls: 0, ms: 0 };
      named.calls++;
      named.ms += ms;
      byName.set(kernel.name, named);
      if (!MATMUL_KERNELS.has(kernel.name)) continue;
      const [a, b] = kernel.inputShapes as number[][];
      const out = kernel.outputShapes[0] as number[];
      const shape = `[${a.join(',')}]×[${b.join(',')}] → [${out.join(',')}]`;
      const entry = byShape.get(shape) ?? { shape, calls: 0, ms: 0, gflops: 0, flops: 0 };
      entry.calls++;
      entry.ms += ms;
      entry.flops += matmulFlops(a, out);
      byShape.set(shape, entry);
    }
    const matmuls = [...byShape.values()]
      .map(({ flops, ...entry }) => ({ ...entry, gflops: entry.ms > 0 ? flops / (entry.ms / 1000) / 1e9 : 0 }))
      .sort((x, y) => y.ms - x.ms);
    return {
      kernels: kernels.length,
      kernelMs,
      matmulMs: matmuls.reduce((sum, m) => sum + m.ms, 0),
      matmuls,
      byKernel: [...byName.values()].sort((x, y) => y.ms - x.ms),
    };
  } finally {
    workload.dispose();
  }
}
