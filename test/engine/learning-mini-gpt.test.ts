/**
 * Learning in the mini-gpt chapter, with a fixed seed and small explicit settings (wasm,
 * deterministic): what its contract claims, measured on the learner's kind of run. On the built-in
 * English corpus, a one-block model (2 heads, 32 wide, context 32) trained for 400 steps gets a
 * validation loss below the corpus's bigram baseline on the same characters, starting above it;
 * its self-checks pass (rows sum to 1, future weights exactly 0, the KV cache changes nothing,
 * better than the bigram baseline); every evaluation records a sample of generated text.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { EvaluationRecord, SamplesSnapshot, SelfCheckResult } from '../../src/shared/run/records';
import { trainableChapter } from '../../src/engine/chapters/registry';
import { train } from '../../src/engine/train/trainer';
import { useBackend } from './helpers';

const chapter = trainableChapter('mini-gpt')!;
const SETTINGS = {
  layers: 1,
  heads: 2,
  dModel: 32,
  context: 32,
  batchSize: 32,
  learningRate: 0.01,
  warmupSteps: 20,
  stepsPerEvaluation: 100,
  epochs: 4,
  validationTokens: 4096,
};
let runsDir: string;

describe('mini-gpt learns more than bigrams (wasm, seed 3, en, 1 block × 32, 400 steps)', () => {
  before(async () => {
    await useBackend('wasm');
    runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-learning-gpt-'));
  });
  after(() => fs.rmSync(runsDir, { recursive: true, force: true }));

  it('ends below the bigram baseline’s validation loss, having started above it; its checks pass', async () => {
    const evaluations: EvaluationRecord[] = [];
    const samples: SamplesSnapshot[] = [];
    let checks: SelfCheckResult[] = [];
    const started = Date.now();
    const result = await train(
      { chapter, runsDir, backend: 'wasm', packageVersion: 'test', seed: 3, overrides: SETTINGS },
      {
        epoch: (metrics, attention, sample) => {
          evaluations.push(metrics);
          samples.push(sample);
          checks = attention?.checks ?? [];
        },
      },
    );
    assert.equal(result.status.state, 'completed');
    assert.equal(evaluations.length, 4);
    const first = evaluations[0].values;
    const last = evaluations[3].values;
    const report = evaluations
      .map((e) => `step ${e.step}: val ${e.values.val_loss.toFixed(4)} bigram ${e.values.bigram_loss.toFixed(4)}`)
      .join('; ');
    console.log(`learning-mini-gpt: ${report}; ${((Date.now() - started) / 1000).toFixed(0)} s`);
    assert.ok(first.val_loss > first.bigram_loss, `starts above the bigram baseline: ${report}`);
    assert.ok(last.val_loss < last.bigram_loss, `ends below it: ${report}`);
    assert.ok(last.nats_below_bigram > 0.05, `by a margin: ${report}`);
    // The baseline is the corpus's, the same at every evaluation (about 2.46 nats for en).
    assert.ok(evaluations.every((e) => e.values.bigram_loss === first.bigram_loss));
    assert.ok(Math.abs(first.bigram_loss - 2.46) < 0.05, `bigram ${first.bigram_loss}`);
    assert.ok(Math.abs(last.val_bpc - last.val_loss / Math.LN2) < 1e-9);
    assert.ok(Math.abs(last.val_perplexity - Math.exp(last.val_loss)) < 1e-9);
    for (const id of ['rows-sum-to-one', 'masked-zero', 'kv-cache', 'beats-bigram']) {
      const check = checks.find((c) => c.id === id);
      assert.ok(check?.pass, `${id}: ${JSON.stringify(check)}`);
    }
    for (const snapshot of samples) {
      assert.equal(snapshot.samples.length, 2);
      assert.ok(snapshot.samples.every((s) => s.correct === null && [...s.predicted].length === 120));
    }
  });
});
