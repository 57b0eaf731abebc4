/**
 * `npm run bench`: for every backend that loads, the float32 matmul throughput and the default
 * attention-seq2seq on dates — ms per training step, samples per second, and wall seconds until
 * 95% validation exact match (checked at the end of each epoch). Not a test: it asserts nothing.
 * Options: --backends wasm,cpu   --max-epochs N (default 8)   --out FILE (JSON results)
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'util';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../src/engine/backend';
import { attentionSeq2SeqChapter } from '../src/engine/chapters/attention-seq2seq/chapter';
import { generateTask } from '../src/engine/tasks';
import { train } from '../src/engine/train/trainer';
import type { BackendName, EpochMetrics } from '../src/protocol/run';

const { values } = parseArgs({
  options: { backends: { type: 'string' }, 'max-epochs': { type: 'string' }, out: { type: 'string' } },
});
const backends = (values.backends ?? 'tensorflow,wasm,cpu').split(',') as BackendName[];
const maxEpochs = Number(values['max-epochs'] ?? 8);

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

interface BackendResult {
  backend: BackendName;
  matmulGflops512: number;
  msPerStep: number;
  samplesPerSecond: number;
  secondsTo95: number | null;
  epochsTo95: number | null;
  epochs: { epoch: number; seconds: number; valExact: number; samplesPerSecond: number }[];
}

async function benchBackend(backend: BackendName, runsDir: string): Promise<BackendResult | null> {
  try {
    await selectBackend(backend);
  } catch (error) {
    console.log(`${backend}: not available (${error instanceof Error ? error.message : error})`);
    return null;
  }
  const gflops = matmulGflops(512, backend === 'cpu' ? 3 : 20);
  console.log(`${backend}: matmul 512×512 float32 ${gflops.toFixed(2)} GFLOP/s`);
  const epochs: BackendResult['epochs'] = [];
  let reached: EpochMetrics | null = null;
  await train(
    {
      chapter: attentionSeq2SeqChapter,
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
          `${backend}: epoch ${m.epoch} val_exact=${m.val_exact_match.toFixed(4)} at ${m.seconds.toFixed(1)} s (${m.samples_per_second.toFixed(0)} samples/s)`,
        );
        if (m.val_exact_match >= 0.95 && !reached) reached = m;
      },
    },
  );
  const samplesPerSecond = epochs.reduce((s, e) => s + e.samplesPerSecond, 0) / epochs.length;
  const batchSize = attentionSeq2SeqChapter.defaults.batchSize;
  const hit = reached as EpochMetrics | null;
  return {
    backend,
    matmulGflops512: gflops,
    msPerStep: (batchSize / samplesPerSecond) * 1000,
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
  const results: BackendResult[] = [];
  for (const backend of backends) {
    const result = await benchBackend(backend, runsDir);
    if (result) results.push(result);
  }
  fs.rmSync(runsDir, { recursive: true, force: true });
  const machine = `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load average ${os.loadavg()[0].toFixed(2)}`;
  console.log(`\nmachine: ${machine}`);
  console.log(`dates task generation (12000 examples): ${generationMs.toFixed(0)} ms`);
  console.log(
    '| backend | matmul 512² GFLOP/s | ms / step (batch 64) | samples / s | seconds to 95% val exact | epochs |',
  );
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const r of results) {
    console.log(
      `| ${r.backend} | ${r.matmulGflops512.toFixed(2)} | ${r.msPerStep.toFixed(0)} | ${r.samplesPerSecond.toFixed(0)} | ${r.secondsTo95 === null ? `not reached in ${maxEpochs} epochs` : r.secondsTo95.toFixed(1)} | ${r.epochsTo95 ?? '-'} |`,
    );
  }
  if (values.out) fs.writeFileSync(values.out, JSON.stringify({ machine, generationMs, results }, null, 2) + '\n');
}

void main();
