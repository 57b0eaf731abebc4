/**
 * `npm run bench`: for every backend that loads and every benchmark case (a chapter, a task,
 * explicit settings and the threshold the chapter is judged by), the ms per training step,
 * samples per second and wall seconds until the threshold (checked at every evaluation), plus
 * the backend's float32 matmul rate; for a language model also tokens per second; for language
 * models and GRU encoder–decoders the rate of every matmul shape its training step uses (as the
 * model calls them). Not a test: it asserts nothing. Figures go in the README
 * with the machine they came from.
 *
 * The case `modern-attention-generation` times generation with and without the KV cache instead
 * (ms per token at 64, 256 and 512 tokens).
 *
 * Options: --backends wasm,cpu   --cases attention-seq2seq,self-attention   --out FILE (JSON)
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'util';
import * as tf from '@tensorflow/tfjs-core';
import type { Hyperparameters, HyperValue } from '../src/shared/course/chapter';
import { isChapterId, type BackendName, type ChapterId } from '../src/shared/ids';
import { selectBackend } from '../src/engine/backend';
import type { Chapter } from '../src/engine/chapters/contract';
import { trainableChapter } from '../src/engine/chapters/registry';
import { train } from '../src/engine/train/trainer';
import { disposeBatch } from '../src/engine/train/batches';
import { timeGeneration } from '../src/engine/chapters/modern-attention/figures';
import { createModernModel, type ModernConfig } from '../src/engine/chapters/modern-attention/model';
import { Parameters } from '../src/engine/nn/parameters';
import { ROPE_BASE } from '../src/engine/nn/rope';
import { createRandom } from '../src/engine/random';
import {
  gruSeq2SeqMatmuls,
  languageModelMatmuls,
  profileStep,
  shapeGflops,
  type MatmulShape,
  type StepProfile,
} from './benchShapes';

interface BenchCase {
  name: string;
  chapter: ChapterId;
  task: string;
  variant?: string;
  overrides: Record<string, HyperValue>;
  /** The declared metric and the value the case waits for. */
  metric: string;
  threshold: number;
}

/** The chapters' default runs (the figures learners see), with the evaluation budget as the only change. */
const CASES: BenchCase[] = [
  {
    name: 'attention-seq2seq',
    chapter: 'attention-seq2seq',
    task: 'dates',
    overrides: { epochs: 8 },
    metric: 'val_exact_match',
    threshold: 0.95,
  },
  // Same task and seed as attention-seq2seq; its default epochs, since the cosine schedule spans the whole run.
  {
    name: 'transformer',
    chapter: 'transformer',
    task: 'dates',
    overrides: {},
    metric: 'val_exact_match',
    threshold: 0.95,
  },
  {
    name: 'self-attention',
    chapter: 'self-attention',
    task: 'reverse',
    overrides: {},
    metric: 'val_exact_match',
    threshold: 0.95,
  },
  {
    name: 'multi-head-attention',
    chapter: 'multi-head-attention',
    task: 'difference',
    overrides: { epochs: 15 },
    metric: 'val_exact_match',
    threshold: 0.95,
  },
  {
    name: 'transformer-encoder',
    chapter: 'transformer-encoder',
    task: 'reverse',
    overrides: {},
    metric: 'val_exact_match',
    threshold: 0.9,
  },
  // The layer-norm comparison with its preset (the chapter's comparison.overrides), one case per variant.
  ...['post-ln', 'post-ln-warmup', 'pre-ln'].map((variant): BenchCase => ({
    name: `transformer-encoder-${variant}`,
    chapter: 'transformer-encoder',
    task: 'reverse',
    variant,
    overrides: { ...trainableChapter('transformer-encoder')?.info.comparison?.overrides },
    metric: 'val_exact_match',
    threshold: 0.9,
  })),
  {
    name: 'luong-attention-dot',
    chapter: 'luong-attention',
    task: 'dates',
    variant: 'dot',
    overrides: { epochs: 8 },
    metric: 'val_exact_match',
    threshold: 0.95,
  },
  {
    name: 'luong-attention-general',
    chapter: 'luong-attention',
    task: 'dates',
    variant: 'general',
    overrides: { epochs: 8 },
    metric: 'val_exact_match',
    threshold: 0.95,
  },
  {
    name: 'luong-attention-concat',
    chapter: 'luong-attention',
    task: 'dates',
    variant: 'concat',
    overrides: { epochs: 8 },
    metric: 'val_exact_match',
    threshold: 0.95,
  },
  {
    // The default model on the English corpus for a fixed budget of 5 evaluations × 100 steps; the
    // threshold is never reached, so the last evaluation is the masked accuracy after the budget
    // (compare val_baseline_accuracy in the run's metrics: always the most frequent word).
    name: 'bert-mlm',
    chapter: 'bert-mlm',
    task: 'masked-words',
    overrides: { epochs: 5, evalSteps: 100 },
    metric: 'val_masked_accuracy',
    threshold: 1,
  },
  // nanoGPT's CPU "baby" (4 layers, 4 heads, 128 wide, context 64, batch 12: 768 tokens a step, so
  // tokens/s = samples/s × 64) on the built-in English corpus, until validation loss is 0.5 nat
  // below the corpus's bigram baseline (docs/performance-mini-gpt.md).
  {
    name: 'mini-gpt-baby',
    chapter: 'mini-gpt',
    task: 'next-char',
    variant: 'baby',
    overrides: {},
    metric: 'nats_below_bigram',
    threshold: 0.5,
  },
  // The chapter's default (2 layers, 4 heads, 64 wide, context 32, batch 32: 1024 tokens a step).
  {
    name: 'mini-gpt-small',
    chapter: 'mini-gpt',
    task: 'next-char',
    overrides: {},
    metric: 'nats_below_bigram',
    threshold: 0.5,
  },
  // modern-attention's comparison: the default model (2 layers, 4 query heads, 64 wide, RoPE,
  // context 32, batch 32) with 4, 2 and 1 key/value heads: training ms per step of each.
  ...['mha', 'gqa', 'mqa'].map((variant): BenchCase => ({
    name: `modern-attention-${variant}`,
    chapter: 'modern-attention',
    task: 'next-char',
    variant,
    overrides: {},
    metric: 'nats_below_bigram',
    threshold: 0.5,
  })),
];

/**
 * Generation with and without the KV cache (modern-attention's default shapes, GQA + RoPE, with a
 * context of 512): ms per generated token at 64, 256 and 512 tokens, each way. Not a training case.
 */
const GENERATION_CASE = 'modern-attention-generation';
const GENERATION_LENGTHS = [64, 256, 512];

interface GenerationResult {
  backend: BackendName;
  length: number;
  cachedMs: number;
  uncachedMs: number;
}

function benchGeneration(backend: BackendName): GenerationResult[] {
  const config: ModernConfig = {
    vocabSize: 96,
    context: Math.max(...GENERATION_LENGTHS),
    layers: 2,
    heads: 4,
    kvHeads: 2,
    modelSize: 64,
    dropout: 0,
    positions: 'rope',
    ropeBase: ROPE_BASE,
  };
  const parameters = new Parameters(createRandom(1));
  const model = createModernModel(parameters, config);
  timeGeneration(model, 16); // warm-up
  const results = GENERATION_LENGTHS.map((length) => {
    const { cached, uncached } = timeGeneration(model, length);
    console.log(
      `${GENERATION_CASE} (${backend}): ${length} tokens, ${cached.toFixed(1)} ms/token with the cache, ${uncached.toFixed(1)} without`,
    );
    return { backend, length, cachedMs: cached, uncachedMs: uncached };
  });
  parameters.dispose();
  return results;
}

const { values } = parseArgs({
  options: { backends: { type: 'string' }, cases: { type: 'string' }, out: { type: 'string' } },
});
const backends = (values.backends ?? 'tensorflow,wasm,cpu').split(',') as BackendName[];
const selected = values.cases ? values.cases.split(',') : [...CASES.map((c) => c.name), GENERATION_CASE];

function matmulGflops(size: number, repeats: number): number {
  const a = tf.randomNormal([size, size], 0, 1, 'float32', 1);
  const b = tf.randomNormal([size, size], 0, 1, 'float32', 2);
  tf.matMul(a, b).dispose(); // warm-up
  const start = performance.now();
  for (let i = 0; i < repeats; i++) {
    const c = tf.matMul(a, b);
    c.dataSync();
    c.dispose();
  }
  const seconds = (performance.now() - start) / 1000;
  tf.dispose([a, b]);
  return (2 * size ** 3 * repeats) / seconds / 1e9;
}

interface CaseResult {
  case: string;
  backend: BackendName;
  msPerStep: number;
  samplesPerSecond: number;
  /** Language models: samples (windows) per second × context. */
  tokensPerSecond: number | null;
  /** Language models and GRU encoder–decoders: the rate of every matmul shape of a training step. */
  matmuls: { what: string; shape: string; gflops: number }[];
  secondsToThreshold: number | null;
  evaluationsToThreshold: number | null;
  evaluations: { epoch: number; seconds: number; value: number; samplesPerSecond: number }[];
  /** One profiled training step at the case's settings: kernel time, and the matrix products by shape. */
  step: StepProfile | null;
}

/** What a GRU encoder–decoder's matmul shapes are computed from, once its run has started. */
interface GruRun {
  hyper: Hyperparameters;
  seed: number;
  data: { sourceVocab: string[]; targetVocab: string[] };
}

async function runCase(benchCase: BenchCase, backend: BackendName, runsDir: string): Promise<CaseResult> {
  const chapter = trainableChapter(benchCase.chapter);
  if (!chapter) throw new Error(`${benchCase.chapter} is not trainable`);
  const evaluations: CaseResult['evaluations'] = [];
  let reached: { epoch: number; seconds: number } | null = null;
  let batchSize = 0;
  let context: number | null = null;
  let matmulShapes: MatmulShape[] = [];
  let gru: GruRun | null = null;
  let started: { hyper: Hyperparameters; seed: number } | null = null;
  await train(
    {
      chapter,
      runsDir,
      backend,
      packageVersion: 'bench',
      task: benchCase.task,
      variant: benchCase.variant,
      overrides: benchCase.overrides,
      shouldStop: () => reached !== null,
    },
    {
      runStarted: (run) => {
        const hyper = run.config.hyperparameters;
        started = { hyper, seed: run.config.seed };
        batchSize = Number(hyper.batchSize);
        if (run.config.data.corpus && typeof hyper.context === 'number') {
          context = hyper.context;
          matmulShapes = languageModelMatmuls(hyper, run.config.data.targetVocab.length);
        }
        if (typeof hyper.hiddenSize === 'number') gru = { hyper, seed: run.config.seed, data: run.config.data };
      },
      epoch: (m) => {
        const value = m.values[benchCase.metric];
        evaluations.push({ epoch: m.epoch, seconds: m.seconds, value, samplesPerSecond: m.samples_per_second });
        console.log(
          `${benchCase.name} (${backend}): evaluation ${m.epoch} ${benchCase.metric}=${value.toFixed(4)} at ${m.seconds.toFixed(1)} s (${m.samples_per_second.toFixed(0)} samples/s)`,
        );
        if (value >= benchCase.threshold && !reached) reached = { epoch: m.epoch, seconds: m.seconds };
      },
    },
  );
  const samplesPerSecond = evaluations.reduce((s, e) => s + e.samplesPerSecond, 0) / Math.max(evaluations.length, 1);
  const hit = reached as { epoch: number; seconds: number } | null;
  const gruRun = gru as GruRun | null;
  if (gruRun) {
    // GRU encoder–decoders: the lengths of the epoch's batch of median source length (batches are
    // grouped by length, so most are far shorter than the task's longest source).
    const data = chapter.prepare({ task: benchCase.task, hyperparameters: gruRun.hyper, seed: gruRun.seed });
    const lengths = data.epochBatches(1, batchSize).map((items) => {
      const batch = data.batch(items);
      const sizes: [number, number] = [batch.inputs.source_ids!.shape[1]!, batch.targets.shape[1]!];
      disposeBatch(batch);
      return sizes;
    });
    const [sourceLen, targetLen] = lengths.sort((a, b) => a[0] - b[0])[Math.floor(lengths.length / 2)];
    const additive = benchCase.chapter === 'attention-seq2seq';
    const { sourceVocab, targetVocab } = gruRun.data;
    matmulShapes = gruSeq2SeqMatmuls(
      gruRun.hyper,
      sourceVocab.length,
      targetVocab.length,
      sourceLen,
      targetLen,
      additive,
    );
  }
  const step = await profiledStep(
    benchCase,
    chapter,
    started as { hyper: Hyperparameters; seed: number } | null,
    backend,
  );
  const windowLength = context as number | null;
  const matmuls = matmulShapes.map((shape) => {
    const gflops = shapeGflops(shape, backend === 'cpu' ? 3 : 10);
    const text = `[${shape.a.join(',')}]×[${shape.b.join(',')}]${shape.transposeB ? 'ᵀ' : ''}`;
    console.log(`${benchCase.name} (${backend}): ${shape.what} ${text} ${gflops.toFixed(2)} GFLOP/s`);
    return { what: shape.what, shape: text, gflops };
  });
  return {
    case: benchCase.name,
    backend,
    msPerStep: (batchSize / samplesPerSecond) * 1000,
    samplesPerSecond,
    tokensPerSecond: windowLength === null ? null : samplesPerSecond * windowLength,
    matmuls,
    secondsToThreshold: hit?.seconds ?? null,
    evaluationsToThreshold: hit?.epoch ?? null,
    evaluations,
    step,
  };
}

/** One training step at the case's settings under tf.profile, printed: its kernel time and its matrix products by shape. */
async function profiledStep(
  benchCase: BenchCase,
  chapter: Chapter,
  started: { hyper: Hyperparameters; seed: number } | null,
  backend: BackendName,
): Promise<StepProfile | null> {
  if (!started) return null;
  const data = chapter.prepare({ task: benchCase.task, hyperparameters: started.hyper, seed: started.seed });
  const step = await profileStep(chapter, started.hyper, data, started.seed);
  const share = (100 * step.matmulMs) / Math.max(step.kernelMs, 1e-9);
  console.log(
    `${benchCase.name} (${backend}): profiled step: ${step.kernels} kernels, ${step.kernelMs.toFixed(1)} ms in kernels, ` +
      `${step.matmulMs.toFixed(1)} ms (${share.toFixed(0)}%) in ${step.matmuls.reduce((n, m) => n + m.calls, 0)} matrix products`,
  );
  const top = step.byKernel.slice(0, 6).map((k) => `${k.name} ×${k.calls} ${k.ms.toFixed(1)} ms`);
  console.log(`${benchCase.name} (${backend}):   kernels by time: ${top.join(', ')}`);
  for (const matmul of step.matmuls.slice(0, 8))
    console.log(
      `${benchCase.name} (${backend}):   ${matmul.shape} ×${matmul.calls} ${matmul.ms.toFixed(2)} ms ${matmul.gflops.toFixed(2)} GFLOP/s`,
    );
  return step;
}

async function main(): Promise<void> {
  const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-bench-'));
  const matmul: Record<string, number> = {};
  const results: CaseResult[] = [];
  const generation: GenerationResult[] = [];
  for (const backend of backends) {
    try {
      await selectBackend(backend);
    } catch (error) {
      console.log(`${backend}: not available (${error instanceof Error ? error.message : error})`);
      continue;
    }
    matmul[backend] = matmulGflops(512, backend === 'cpu' ? 3 : 20);
    console.log(`${backend}: matmul 512×512 float32 ${matmul[backend].toFixed(2)} GFLOP/s`);
    for (const benchCase of CASES.filter((c) => selected.includes(c.name) && isChapterId(c.chapter))) {
      results.push(await runCase(benchCase, backend, runsDir));
    }
    if (selected.includes(GENERATION_CASE)) generation.push(...benchGeneration(backend));
  }
  fs.rmSync(runsDir, { recursive: true, force: true });
  const machine = `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load average ${os.loadavg()[0].toFixed(2)}`;
  console.log(`\nmachine: ${machine}`);
  console.log(
    '| case | backend | matmul 512² GFLOP/s | ms / step | samples / s | tokens / s | seconds to threshold | evaluations |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of results) {
    const benchCase = CASES.find((c) => c.name === r.case)!;
    const to =
      r.secondsToThreshold === null
        ? `not reached (${benchCase.metric} ≥ ${benchCase.threshold})`
        : r.secondsToThreshold.toFixed(1);
    console.log(
      `| ${r.case} | ${r.backend} | ${matmul[r.backend].toFixed(2)} | ${r.msPerStep.toFixed(0)} | ${r.samplesPerSecond.toFixed(0)} | ${r.tokensPerSecond?.toFixed(0) ?? '-'} | ${to} | ${r.evaluationsToThreshold ?? '-'} |`,
    );
  }
  if (generation.length > 0) {
    console.log(
      '\n| generation | backend | tokens | ms / token with KV cache | ms / token without | tokens / s with | tokens / s without |',
    );
    console.log('| --- | --- | --- | --- | --- | --- | --- |');
    for (const g of generation) {
      console.log(
        `| ${GENERATION_CASE} | ${g.backend} | ${g.length} | ${g.cachedMs.toFixed(1)} | ${g.uncachedMs.toFixed(1)} | ${(1000 / g.cachedMs).toFixed(0)} | ${(1000 / g.uncachedMs).toFixed(0)} |`,
      );
    }
  }
  if (values.out)
    fs.writeFileSync(values.out, JSON.stringify({ machine, matmul, results, generation }, null, 2) + '\n');
}

void main();
