/**
 * Learning in the bert-mlm chapter, with a fixed seed and explicit small settings (wasm,
 * deterministic): what its contract claims, measured on the learner's kind of run.
 * - On the English corpus, after 200 steps of a 2-layer, 4-head, 64-wide model, the masked-token
 *   accuracy on validation words shown as [MASK] beats always predicting the most frequent training
 *   word ('the') on the same positions, by a clear margin.
 * - The selection histogram recorded at each evaluation, measured on the batches trained on: about
 *   15% of the tokens selected, 80/10/10 among them.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { EvaluationRecord } from '../../src/shared/run/records';
import { trainableChapter } from '../../src/engine/chapters/registry';
import { train } from '../../src/engine/train/trainer';
import { useBackend } from './helpers';

const chapter = trainableChapter('bert-mlm')!;
const settings = {
  epochs: 2,
  evalSteps: 100,
  batchSize: 16,
  dModel: 64,
  layers: 2,
  heads: 4,
  dFf: 128,
  maxLength: 64,
  dropout: 0,
  learningRate: 0.002,
  warmupSteps: 30,
  vocabSize: 3000,
  validationSize: 128,
};
let runsDir: string;

describe('bert-mlm learns what its contract says (wasm, seed 1, English, 200 steps)', () => {
  before(async () => {
    await useBackend('wasm');
    runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-learning-bert-'));
  });
  after(() => fs.rmSync(runsDir, { recursive: true, force: true }));

  it('masked-token accuracy beats always predicting the most frequent word; the histogram is 15% and 80/10/10', async (t) => {
    const started = Date.now();
    const evaluations: EvaluationRecord[] = [];
    await train(
      { chapter, runsDir, backend: 'wasm', packageVersion: 'test', seed: 1, corpus: 'en', overrides: settings },
      { epoch: (metrics) => evaluations.push(metrics) },
    );
    assert.equal(evaluations.length, 2);
    const last = evaluations[1].values;
    t.diagnostic(
      `masked accuracy ${last.val_masked_accuracy.toFixed(4)}, baseline ${last.val_baseline_accuracy.toFixed(4)}, ` +
        `val loss ${last.val_loss.toFixed(3)}, ${((Date.now() - started) / 1000).toFixed(0)} s`,
    );
    assert.ok(last.val_baseline_accuracy > 0.05, `the baseline is a real one: ${last.val_baseline_accuracy}`);
    assert.ok(
      last.val_masked_accuracy >= last.val_baseline_accuracy + 0.03,
      `masked accuracy ${last.val_masked_accuracy} vs baseline ${last.val_baseline_accuracy}`,
    );
    for (const { values } of evaluations) {
      const selected = values.mlm_selected / values.mlm_tokens;
      assert.ok(values.mlm_tokens > 50_000, `${values.mlm_tokens} tokens in 100 batches of 16`);
      assert.ok(Math.abs(selected - 0.15) <= 0.01, `selected ${selected}`);
      const shares = [values.mlm_masked, values.mlm_randomised, values.mlm_kept].map((n) => n / values.mlm_selected);
      [0.8, 0.1, 0.1].forEach((expected, i) => assert.ok(Math.abs(shares[i] - expected) <= 0.02, `share ${shares[i]}`));
    }
  });
});
