/**
 * Learning in the modern-attention chapter, with a fixed seed and small explicit settings (wasm,
 * deterministic): what its contract claims. On the built-in English corpus, the default variant
 * (GQA: 4 query heads sharing 2 key/value heads, RoPE) with one block 32 wide, context 32, trained
 * for 300 steps, ends with a validation loss below the corpus's bigram baseline, having started
 * above it; every self-check passes (rows sum to 1, future weights exactly 0, the KV cache changes
 * nothing, RoPE is relative on the model's own queries and keys, tiled attention equals ordinary
 * attention, better than the bigram baseline); the run's figures are the four the chapter declares,
 * the KV-cache one measured from the model's shapes.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { EvaluationRecord, Figure, SelfCheckResult } from '../../src/shared/run/records';
import { trainableChapter } from '../../src/engine/chapters/registry';
import { train } from '../../src/engine/train/trainer';
import { useBackend } from './helpers';

const chapter = trainableChapter('modern-attention')!;
const SETTINGS = {
  layers: 1,
  heads: 4,
  kvHeads: 2,
  dModel: 32,
  context: 32,
  batchSize: 32,
  learningRate: 0.01,
  warmupSteps: 20,
  stepsPerEvaluation: 100,
  epochs: 3,
  validationTokens: 4096,
};
let runsDir: string;

describe('modern-attention (GQA + RoPE) learns more than bigrams (wasm, seed 3, en, 1 block × 32, 300 steps)', () => {
  before(async () => {
    await useBackend('wasm');
    runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-learning-modern-'));
  });
  after(() => fs.rmSync(runsDir, { recursive: true, force: true }));

  it('ends below the bigram baseline’s validation loss, having started above it; every self-check passes', async () => {
    const evaluations: EvaluationRecord[] = [];
    let checks: SelfCheckResult[] = [];
    let figures: Figure[] = [];
    const started = Date.now();
    const result = await train(
      { chapter, runsDir, backend: 'wasm', packageVersion: 'test', seed: 3, overrides: SETTINGS },
      {
        runStarted: (run) => {
          figures = run.figures;
        },
        epoch: (metrics, attention) => {
          evaluations.push(metrics);
          checks = attention?.checks ?? [];
        },
      },
    );
    assert.equal(result.status.state, 'completed');
    assert.equal(evaluations.length, 3);
    const first = evaluations[0].values;
    const last = evaluations[2].values;
    const report = evaluations
      .map((e) => `step ${e.step}: val ${e.values.val_loss.toFixed(4)} bigram ${e.values.bigram_loss.toFixed(4)}`)
      .join('; ');
    console.log(`learning-modern-attention: ${report}; ${((Date.now() - started) / 1000).toFixed(0)} s`);
    console.log(`checks: ${checks.map((c) => `${c.id}=${c.value.toExponential(2)}`).join(' ')}`);
    assert.ok(first.val_loss > first.bigram_loss, `starts above the bigram baseline: ${report}`);
    assert.ok(last.val_loss < last.bigram_loss, `ends below it: ${report}`);
    for (const id of [
      'rows-sum-to-one',
      'masked-zero',
      'kv-cache',
      'rope-relative',
      'tiled-equals-full',
      'beats-bigram',
    ]) {
      const check = checks.find((c) => c.id === id);
      assert.ok(check?.pass, `${id}: ${JSON.stringify(check)}`);
    }
    assert.deepEqual(
      figures.map((f) => f.id),
      ['rope-angles', 'kv-cache-bytes', 'score-memory', 'generation-speed'],
    );
    const cache = figures[1];
    assert.ok(cache.type === 'lines');
    // 4 query heads: 4 (MHA), 2 (GQA) and 1 (MQA) key/value heads; 2 · 1 layer · kv · d_head 8 · 4 bytes per token.
    const perToken = cache.series.map((s) => s.points[0][1] / s.points[0][0]);
    assert.deepEqual(
      perToken.map((kb) => Math.round(kb * 1024)),
      [256, 128, 64],
    );
  });
});
