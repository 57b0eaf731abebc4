/**
 * The native `tensorflow` backend (@tensorflow/tfjs-node, built by scripts/setup-native-backend.sh
 * into a prefix that LLM_TUTOR_TFJS_NODE names): it loads into the engine's one tfjs-core with no
 * duplicate registrations (from source and from the bundle), its forward passes agree with wasm
 * and cpu, every trainable chapter trains on it without leaking tensors, and calibration can time
 * it against wasm. Without that install every test here is skipped with the reason (never passed).
 * Gradients on `tensorflow` are checked in gradients.test.ts.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import { chooseBackend } from '../../src/engine/backend';
import {
  additiveAttention,
  createAdditiveAttention,
  dotProductAttention,
  projectKeys,
} from '../../src/engine/nn/attention';
import { embed } from '../../src/engine/nn/embedding';
import { createGru, runGru, stateAtLastToken } from '../../src/engine/nn/gru';
import { linear } from '../../src/engine/nn/linear';
import { maskedCrossEntropy } from '../../src/engine/nn/loss';
import { causalMask, maskedSoftmax } from '../../src/engine/nn/masks';
import { Parameters } from '../../src/engine/nn/parameters';
import { createRandom } from '../../src/engine/random';
import { disposeBatch } from '../../src/engine/train/batches';
import { greedyDecode } from '../../src/engine/train/decode';
import { tidy } from '../../src/engine/nn/tidy';
import { trainingStepWorkload } from '../../src/engine/train/stepWorkload';
import { train } from '../../src/engine/train/trainer';
import type { BackendName } from '../../src/shared/ids';
import { nativeSkipReason, smallRun, trainableChapters, useBackend } from './helpers';

const root = path.resolve(__dirname, '..', '..');
const skip = nativeSkipReason() ?? false;
const BACKENDS: BackendName[] = ['tensorflow', 'wasm', 'cpu'];
/** What a second tfjs-core, or tfjs-node's own `@tensorflow/tfjs`, prints when it registers again. */
const DUPLICATE_REGISTRATION = /already (been )?(registered|set)|Platform \w+ has already/i;

function maxDifference(a: number[], b: number[]): number {
  assert.equal(a.length, b.length);
  return a.reduce((worst, x, i) => Math.max(worst, Math.abs(x - b[i])), 0);
}

/** Runs `compute` on every backend and checks each named output against tensorflow's to 1e-4. */
async function agree(compute: () => Record<string, tf.Tensor>): Promise<void> {
  const results = new Map<BackendName, Record<string, number[]>>();
  for (const backend of BACKENDS) {
    await useBackend(backend);
    const before = tf.memory().numTensors;
    const outputs = compute();
    results.set(
      backend,
      Object.fromEntries(Object.entries(outputs).map(([name, t]) => [name, Array.from(t.dataSync())])),
    );
    tf.dispose(Object.values(outputs));
    assert.equal(tf.memory().numTensors, before, `${backend}: no tensor left behind`);
  }
  const reference = results.get('tensorflow')!;
  for (const [name, values] of Object.entries(reference)) {
    assert.ok(
      values.some((x) => Math.abs(x) > 1e-3),
      `${name} is not all zero`,
    );
    for (const backend of ['wasm', 'cpu'] as const) {
      const difference = maxDifference(results.get(backend)![name], values);
      assert.ok(difference < 1e-4, `${name}: ${backend} differs from tensorflow by ${difference}`);
    }
  }
}

describe('native backend: one TensorFlow.js', () => {
  it(
    'loads from source into the engine’s tfjs-core: no second copy, no duplicate-registration warnings',
    { skip },
    () => {
      const script = `
      const { selectBackend } = require(${JSON.stringify(path.join(root, 'src/engine/backend.ts'))});
      const tf = require('@tensorflow/tfjs-core');
      selectBackend('tensorflow').then(() => {
        const sum = tf.add(tf.tensor1d([1, 2]), tf.tensor1d([3, 4])).dataSync();
        // Every tfjs or tfjs-core module loaded anywhere must be this engine's instance.
        const copies = Object.keys(require.cache)
          .filter((f) => /@tensorflow[\\\\/]tfjs(-core)?[\\\\/]dist[\\\\/][^\\\\/]+$/.test(f))
          .filter((f) => /(tf-core|tf)\\.node\\.js$|[\\\\/]index\\.js$/.test(f))
          .map((f) => ({ file: f, same: require.cache[f].exports.engine === tf.engine }));
        console.log(JSON.stringify({ backend: tf.getBackend(), sum: Array.from(sum), copies }));
      });
    `;
      const result = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], {
        cwd: root,
        encoding: 'utf8',
        timeout: 120_000,
      });
      assert.equal(result.status, 0, result.stderr);
      const report = JSON.parse(result.stdout.trim().split('\n').pop()!) as {
        backend: string;
        sum: number[];
        copies: { file: string; same: boolean }[];
      };
      assert.equal(report.backend, 'tensorflow');
      assert.deepEqual(report.sum, [4, 6]);
      assert.ok(
        report.copies.every((c) => c.same),
        `a second TensorFlow.js was loaded: ${JSON.stringify(report.copies)}`,
      );
      assert.doesNotMatch(result.stderr, DUPLICATE_REGISTRATION);
    },
  );

  it('the bundled CLI trains attention-seq2seq on tensorflow with no duplicate-registration warnings', { skip }, () => {
    assert.ok(fs.existsSync(path.join(root, 'dist', 'engine.js')), 'dist/engine.js must be built (npm run build)');
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-native-cli-'));
    try {
      const result = spawnSync(
        process.execPath,
        [
          path.join(root, 'bin', 'llm-tutor.js'),
          'train',
          'attention-seq2seq',
          '--epochs',
          '1',
          '--backend',
          'tensorflow',
          '--train-size',
          '128',
          '--validation-size',
          '32',
          '--test-size',
          '16',
          '--output-dir',
          work,
          '--quiet',
        ],
        { cwd: work, encoding: 'utf8', timeout: 300_000 },
      );
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stdout, /^backend=tensorflow$/m);
      assert.match(result.stdout, /^status=completed /m);
      assert.doesNotMatch(result.stderr, DUPLICATE_REGISTRATION);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
});

describe('native backend: forward passes agree with wasm and cpu to 1e-4', () => {
  for (const chapter of trainableChapters()) {
    it(`${chapter.info.id}: teacher-forced logits and attention, greedy tokens`, { skip }, async () => {
      const greedyTokens = new Map<BackendName, number[]>();
      const { hyper, data } = smallRun(chapter);
      await agree(() => {
        const parameters = new Parameters(createRandom(5));
        const model = chapter.createModel(parameters, hyper, data);
        const batch = data.firstBatch(4);
        const outputs = tidy(() => {
          const output = model.forward(batch, { training: false, seed: 0 });
          const result: Record<string, tf.Tensor> = { logits: output.logits };
          output.attention.forEach((attention, i) => (result[`attention${i}`] = attention.weights));
          if (model.decoder) {
            const greedy = greedyDecode(model.decoder, batch.inputs, 4, 6, 1, true);
            result.greedyTokens = greedy.tokens;
            greedy.attention.forEach((attention, i) => (result[`greedyAttention${i}`] = attention.weights));
          }
          return result;
        });
        if (outputs.greedyTokens)
          greedyTokens.set(tf.getBackend() as BackendName, Array.from(outputs.greedyTokens.dataSync()));
        disposeBatch(batch);
        parameters.dispose();
        return outputs;
      });
      assert.deepEqual(greedyTokens.get('wasm'), greedyTokens.get('tensorflow'));
      assert.deepEqual(greedyTokens.get('cpu'), greedyTokens.get('tensorflow'));
    });
  }

  it(
    'nn blocks: embedding, linear, GRU, additive and dot-product attention, causal softmax, loss',
    { skip },
    async () => {
      await agree(() => {
        const parameters = new Parameters(createRandom(21));
        const gru = createGru(parameters, 'gru', 3, 4);
        const attention = createAdditiveAttention(parameters, 'attention', 4, 4, 3);
        const table = parameters.normal('table', 10, 3, 1);
        const outputs = tf.tidy(() => {
          const ids = tf.tensor2d(
            [
              [1, 4, 2, 9, 0],
              [3, 3, 7, 0, 0],
            ],
            [2, 5],
            'int32',
          );
          const mask = tf.tensor2d([
            [1, 1, 1, 1, 0],
            [1, 1, 1, 0, 0],
          ]);
          const embedded = embed(ids, table as tf.Tensor2D); // [2, 5, 3]
          const projected = linear(embedded, gru.inputKernel as tf.Tensor2D, gru.bias as tf.Tensor1D);
          const states = runGru(embedded, tf.zeros([2, 4]) as tf.Tensor2D, gru);
          const final = stateAtLastToken(states, mask);
          const queries = tf.slice(states, [0, 0, 0], [2, 3, 4]) as tf.Tensor3D;
          const additive = additiveAttention(queries, projectKeys(states, attention), states, mask, attention);
          const dot = dotProductAttention(states, states, states, { keep: causalMask(5) });
          const causal = maskedSoftmax(tf.randomNormal([2, 5, 5], 0, 1, 'float32', 3), causalMask(5));
          const logits = tf.randomNormal([2, 5, 6], 0, 1, 'float32', 4) as tf.Tensor3D;
          const loss = maskedCrossEntropy(logits, tf.tensor2d([1, 2, 3, 4, 5, 0, 1, 2, 3, 4], [2, 5], 'int32'), mask);
          return {
            embedded,
            projected,
            states,
            final,
            additiveWeights: additive.weights,
            additiveContext: additive.context,
            dotWeights: dot.weights,
            dotContext: dot.context,
            causal,
            loss,
          };
        });
        parameters.dispose();
        return outputs;
      });
    },
  );
});

describe('native backend: training', () => {
  let runsDir: string;
  before(() => {
    runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-native-train-'));
  });
  after(() => fs.rmSync(runsDir, { recursive: true, force: true }));

  for (const chapter of trainableChapters()) {
    it(
      `${chapter.info.id}: a tiny run completes, loss falls, tensor count equal after epochs 2 and 3`,
      { skip },
      async () => {
        await useBackend('tensorflow');
        const counts: number[] = [];
        const losses: number[] = [];
        const result = await train(
          {
            chapter,
            runsDir,
            backend: 'tensorflow',
            packageVersion: 'test',
            seed: 7,
            overrides: smallRun(chapter).hyper,
          },
          {
            epoch: (metrics) => {
              counts.push(tf.memory().numTensors);
              losses.push(metrics.train_loss);
            },
          },
        );
        assert.equal(result.status.state, 'completed');
        assert.equal(tf.getBackend(), 'tensorflow');
        assert.equal(counts[2], counts[1], `tensors after epoch 2: ${counts[1]}, after epoch 3: ${counts[2]}`);
        assert.ok(losses[2] < losses[0], `train loss falls: ${losses}`);
      },
    );
  }
});

describe('native backend: calibration', () => {
  it('auto with a workload times tensorflow and wasm and says which it took and why', { skip }, async () => {
    const chapter = trainableChapters()[0];
    const { hyper, data } = smallRun(chapter);
    const workload = trainingStepWorkload(chapter, hyper, data);
    const before = tf.memory().numTensors;
    const lines: string[] = [];
    const chosen = await chooseBackend('auto', workload.step, { budgetMs: 400, log: (line) => lines.push(line) });
    workload.dispose();
    assert.equal(tf.memory().numTensors, before, 'the workload left nothing behind');
    assert.ok(chosen.backend === 'tensorflow' || chosen.backend === 'wasm');
    assert.equal(tf.getBackend(), chosen.backend);
    assert.ok(chosen.msPerStep.tensorflow! > 0 && chosen.msPerStep.wasm! > 0, JSON.stringify(chosen.msPerStep));
    assert.match(chosen.reason, /^auto: (tensorflow|wasm) \([\d.]+ ms\/step vs (wasm|tensorflow) [\d.]+ ms\/step\)$/);
    assert.equal(lines.length, 2);
  });
});
