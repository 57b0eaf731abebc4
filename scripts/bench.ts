/**
 * `npm run bench`: for every backend that loads, the float32 matmul throughput; then, for every
 * trainable chapter at its defaults on its default task: ms per training step (median of timed
 * steps on a batch of median source length, the backends in turn; each against wasm), what `auto`'s calibration
 * picks and why, and a training run — ms per step, samples per second, wall seconds until 95%
 * validation exact match (checked at the end of each epoch). Not a test: it asserts nothing.
 * The native `tensorflow` backend is included when LLM_TUTOR_TFJS_NODE names an install of it
 * (scripts/setup-native-backend.sh).
 * Options: --backends tensorflow,wasm,cpu   --chapters seq2seq,attention-seq2seq   --max-epochs N
 * (default 8)   --steps N (timed steps per backend, default 10)   --no-train (step timings only)
 * --out FILE (JSON results)
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'util';
import * as tf from '@tensorflow/tfjs-core';
import { chooseBackend, selectBackend } from '../src/engine/backend';
import { trainableChapter } from '../src/engine/chapters/trainable';
import type { TrainableChapter } from '../src/engine/chapters/types';
import { NATIVE_PREFIX_ENV } from '../src/engine/native';
import { DEFAULT_TASK_SIZES, generateTask } from '../src/engine/tasks';
import { encodeExamples } from '../src/engine/train/batches';
import { trainingStepWorkload } from '../src/engine/train/stepWorkload';
import { train } from '../src/engine/train/trainer';
import { CHAPTER_IDS, type BackendName, type EpochMetrics } from '../src/protocol/run';

const { values } = parseArgs({
  options: {
    backends: { type: 'string' },
    chapters: { type: 'string' },
    'max-epochs': { type: 'string' },
    steps: { type: 'string' },
    'no-train': { type: 'boolean' },
    out: { type: 'string' },
  },
});
const defaultBackends = process.env[NATIVE_PREFIX_ENV] ? 'tensorflow,wasm,cpu' : 'wasm,cpu';
const requested = (values.backends ?? defaultBackends).split(',') as BackendName[];
const maxEpochs = Number(values['max-epochs'] ?? 8);
const timedSteps = Number(values.steps ?? 10);
const chapters: TrainableChapter[] = (values.chapters ? values.chapters.split(',') : [...CHAPTER_IDS])
  .map((id) => trainableChapter(id as (typeof CHAPTER_IDS)[number]))
  .filter((c): c is TrainableChapter => c !== null);

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

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

interface StepResult {
  chapter: string;
  backend: BackendName;
  batchSize: number;
  msPerStep: number;
  steps: number[];
}

interface TrainResult {
  chapter: string;
  backend: BackendName;
  msPerStep: number;
  samplesPerSecond: number;
  secondsTo95: number | null;
  epochsTo95: number | null;
  epochs: { epoch: number; seconds: number; valExact: number; samplesPerSecond: number }[];
}

/** The chapter's default task and sizes, encoded; and a step workload on it. */
function chapterWorkload(chapter: TrainableChapter) {
  const d = chapter.defaults;
  const task = generateTask(d.task as 'dates' | 'phrases', { seed: 42, ...DEFAULT_TASK_SIZES[d.task as 'dates'] });
  const examples = encodeExamples(task.train, task.sourceVocab, task.targetVocab);
  return trainingStepWorkload(
    chapter,
    {
      sourceVocabSize: task.sourceVocab.size,
      targetVocabSize: task.targetVocab.size,
      embeddingSize: d.embeddingSize,
      hiddenSize: d.hiddenSize,
      attentionSize: d.attentionSize,
    },
    examples,
    { batchSize: d.batchSize, learningRate: d.learningRate, clipNorm: d.clipNorm },
  );
}

/** Warm-up on each backend, then rounds of one timed step on each in turn (load changes hit all alike). */
async function timeSteps(chapter: TrainableChapter, backends: BackendName[]): Promise<StepResult[]> {
  const workload = chapterWorkload(chapter);
  const times = new Map<BackendName, number[]>(backends.map((b) => [b, []]));
  for (const backend of backends) {
    await selectBackend(backend);
    workload.step();
  }
  for (let round = 0; round < timedSteps; round++) {
    for (const backend of backends) {
      if (backend === 'cpu' && round >= 3) continue; // seconds per step: three will do
      await selectBackend(backend);
      const start = performance.now();
      workload.step();
      times.get(backend)!.push(performance.now() - start);
    }
  }
  workload.dispose();
  return backends.map((backend) => {
    const steps = times.get(backend)!;
    const result = {
      chapter: chapter.info.id,
      backend,
      batchSize: chapter.defaults.batchSize,
      msPerStep: median(steps),
      steps,
    };
    console.log(
      `${chapter.info.id} ${backend}: ${result.msPerStep.toFixed(1)} ms/step (${steps.map((s) => s.toFixed(0)).join(' ')})`,
    );
    return result;
  });
}

async function autoChoice(chapter: TrainableChapter): Promise<string> {
  const workload = chapterWorkload(chapter);
  try {
    return (await chooseBackend('auto', workload.step)).reason;
  } finally {
    workload.dispose();
  }
}

async function trainRun(chapter: TrainableChapter, backend: BackendName, runsDir: string): Promise<TrainResult> {
  await selectBackend(backend);
  const epochs: TrainResult['epochs'] = [];
  let reached: EpochMetrics | null = null;
  await train(
    {
      chapter,
      runsDir,
      backend,
      packageVersion: 'bench',
      overrides: { epochs: maxEpochs },
      shouldStop: () => reached !== null,
    },
    {
      epoch: (m) => {
        epochs.push({
          epoch: m.epoch,
          seconds: m.seconds,
          valExact: m.val_exact_match,
          samplesPerSecond: m.samples_per_second,
        });
        console.log(
          `${chapter.info.id} ${backend}: epoch ${m.epoch} val_exact=${m.val_exact_match.toFixed(4)} at ${m.seconds.toFixed(1)} s (${m.samples_per_second.toFixed(0)} samples/s)`,
        );
        if (m.val_exact_match >= 0.95 && !reached) reached = m;
      },
    },
  );
  const samplesPerSecond = epochs.reduce((s, e) => s + e.samplesPerSecond, 0) / epochs.length;
  const hit = reached as EpochMetrics | null;
  return {
    chapter: chapter.info.id,
    backend,
    msPerStep: (chapter.defaults.batchSize / samplesPerSecond) * 1000,
    samplesPerSecond,
    secondsTo95: hit ? hit.seconds : null,
    epochsTo95: hit ? hit.epoch : null,
    epochs,
  };
}

async function main(): Promise<void> {
  const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-bench-'));
  const start = performance.now();
  generateTask('dates', { seed: 42, trainSize: 10000, validationSize: 1000, testSize: 1000 });
  const generationMs = performance.now() - start;

  const backends: BackendName[] = [];
  const matmul: Partial<Record<BackendName, number>> = {};
  for (const backend of requested) {
    try {
      await selectBackend(backend);
    } catch (error) {
      console.log(`${backend}: not available (${error instanceof Error ? error.message : error})`);
      continue;
    }
    backends.push(backend);
    matmul[backend] = matmulGflops(512, backend === 'cpu' ? 3 : 20);
    console.log(`${backend}: matmul 512×512 float32 ${matmul[backend]!.toFixed(2)} GFLOP/s`);
  }

  const steps: StepResult[] = [];
  const auto: { chapter: string; reason: string }[] = [];
  const runs: TrainResult[] = [];
  for (const chapter of chapters) {
    steps.push(...(await timeSteps(chapter, backends)));
    if (backends.includes('wasm') && backends.includes('tensorflow')) {
      const reason = await autoChoice(chapter);
      auto.push({ chapter: chapter.info.id, reason });
      console.log(`${chapter.info.id} ${reason}`);
    }
    if (!values['no-train']) for (const backend of backends) runs.push(await trainRun(chapter, backend, runsDir));
  }
  fs.rmSync(runsDir, { recursive: true, force: true });

  const machine = `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load average ${os.loadavg()[0].toFixed(2)}`;
  console.log(`\nmachine: ${machine}`);
  console.log(`dates task generation (12000 examples): ${generationMs.toFixed(0)} ms`);
  console.log('\n| backend | matmul 512² GFLOP/s |\n| --- | --- |');
  for (const backend of backends) console.log(`| ${backend} | ${matmul[backend]!.toFixed(2)} |`);

  console.log('\n| chapter | backend | ms / step (median, batch of median length) | speed vs wasm |');
  console.log('| --- | --- | --- | --- |');
  for (const s of steps) {
    const wasm = steps.find((w) => w.chapter === s.chapter && w.backend === 'wasm');
    const ratio = wasm ? `${(wasm.msPerStep / s.msPerStep).toFixed(2)}×` : '-';
    console.log(`| ${s.chapter} | ${s.backend} | ${s.msPerStep.toFixed(1)} | ${ratio} |`);
  }
  for (const a of auto) console.log(`\n${a.chapter}: ${a.reason}`);

  if (runs.length > 0) {
    console.log(
      '\n| chapter | backend | ms / step | samples / s | seconds to 95% val exact | epochs |\n| --- | --- | --- | --- | --- | --- |',
    );
    for (const r of runs) {
      console.log(
        `| ${r.chapter} | ${r.backend} | ${r.msPerStep.toFixed(0)} | ${r.samplesPerSecond.toFixed(0)} | ${r.secondsTo95 === null ? `not reached in ${maxEpochs} epochs` : r.secondsTo95.toFixed(1)} | ${r.epochsTo95 ?? '-'} |`,
      );
    }
  }
  if (values.out) {
    const json = { machine, generationMs, matmulGflops512: matmul, steps, auto, runs };
    fs.writeFileSync(values.out, JSON.stringify(json, null, 2) + '\n');
  }
}

void main();
