/**
 * Learning in the luong-attention chapter, with a fixed seed and a small explicit budget (wasm,
 * deterministic): each score function (dot, general, concat) reaches at least 90% validation
 * exact match on dates, with the generic self-checks passing, as the chapter's contract says.
 * And `llm-tutor train luong-attention --variant general` runs from the built bundle
 * (`node scripts/build.mjs` first).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { EvaluationRecord, SelfCheckResult } from '../../src/shared/run/records';
import { trainableChapter } from '../../src/engine/chapters/registry';
import { train } from '../../src/engine/train/trainer';
import { useBackend } from './helpers';

const chapter = trainableChapter('luong-attention')!;
/** 6 epochs of 4000 dates in batches of 32: about a minute per score function on wasm. */
const budget = { trainSize: 4000, validationSize: 400, testSize: 50, epochs: 6, batchSize: 32, learningRate: 0.01 };
let runsDir: string;

async function finalOf(variant: string): Promise<{ metrics: EvaluationRecord; checks: SelfCheckResult[] }> {
  let metrics: EvaluationRecord | null = null;
  let checks: SelfCheckResult[] = [];
  await train(
    { chapter, runsDir, backend: 'wasm', packageVersion: 'test', task: 'dates', variant, seed: 1, overrides: budget },
    {
      epoch: (m, attention) => {
        metrics = m;
        checks = attention?.checks ?? [];
      },
    },
  );
  assert.ok(metrics, `${variant} finished an epoch`);
  return { metrics, checks };
}

describe('luong-attention learns dates with every score function (wasm, seed 1, 4000 examples, 6 epochs)', () => {
  before(async () => {
    await useBackend('wasm');
    runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-learning-luong-'));
  });
  after(() => fs.rmSync(runsDir, { recursive: true, force: true }));

  for (const variant of ['dot', 'general', 'concat']) {
    it(`${variant}: ≥ 90% validation exact match; rows sum to 1 and padding gets exactly 0`, async (t) => {
      const { metrics, checks } = await finalOf(variant);
      t.diagnostic(
        `${variant}: val_exact_match ${metrics.values.val_exact_match} after ${metrics.epoch} epochs, ${metrics.seconds.toFixed(1)} s`,
      );
      assert.equal(metrics.epoch, budget.epochs);
      assert.ok(metrics.values.val_exact_match >= 0.9, `${variant} val exact ${metrics.values.val_exact_match}`);
      assert.deepEqual(
        checks.map((check) => [check.id, check.pass]),
        [
          ['rows-sum-to-one', true],
          ['masked-zero', true],
        ],
      );
    });
  }

  it('the CLI trains the general score from the built bundle', () => {
    const bin = path.resolve(__dirname, '..', '..', 'bin', 'llm-tutor.js');
    const args = [
      'train',
      'luong-attention',
      '--variant',
      'general',
      '--epochs',
      '1',
      '--train-size',
      '500',
      '--validation-size',
      '50',
      '--test-size',
      '20',
      '--backend',
      'wasm',
      '--output-dir',
      runsDir,
    ];
    const result = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^run=\S+ chapter=luong-attention task=dates variant=general /m);
    assert.match(result.stdout, / score=general /);
    assert.match(result.stdout, /^epoch=001 train_loss=\S+ val_loss=\S+ val_token_acc=\S+ val_exact=\S+ /m);
    assert.match(result.stdout, /^checks: rows-sum-to-one=pass\(\S+\) masked-zero=pass\(0≤0\)$/m);
    assert.match(result.stdout, /^attention_shape=\(batch, target_len, source_len\)=\(\d+, \d+, \d+\) /m);
    assert.match(result.stdout, /^status=completed /m);
  });
});
