/**
 * Learning in the multi-head-attention chapter, with a fixed seed and explicit settings (wasm,
 * deterministic): what its contract claims, measured on the learner's kind of run (the default
 * model, d_model 32, 4000 training examples of length 8), with 6 epochs instead of 10.
 * - difference, four heads: ≥ 99% per-position accuracy; the heads' maps differ more than at
 *   initialisation (mean Jensen–Shannon divergence above its baseline); ≥ 90% of the heads'
 *   weight is on the two neighbours;
 * - difference, one head of the same width (same number of weights, same data and seed): below
 *   30% per-position accuracy, though it too reads the two neighbours;
 * - sum, one head: ≥ 95% (the order of the two neighbours does not matter there).
 * And `llm-tutor train multi-head-attention --epochs 1` from the built bundle prints the chapter's
 * metrics and checks.
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

const chapter = trainableChapter('multi-head-attention')!;
const budget = { trainSize: 4000, validationSize: 300, testSize: 50, epochs: 6 };
let runsDir: string;

async function finalOf(
  task: string,
  variant: string,
): Promise<{ metrics: EvaluationRecord; checks: SelfCheckResult[]; seconds: number }> {
  let metrics: EvaluationRecord | null = null;
  let checks: SelfCheckResult[] = [];
  const start = Date.now();
  await train(
    { chapter, runsDir, backend: 'wasm', packageVersion: 'test', task, variant, seed: 1, overrides: budget },
    {
      epoch: (m, attention) => {
        metrics = m;
        checks = attention?.checks ?? [];
      },
    },
  );
  assert.ok(metrics);
  return { metrics, checks, seconds: (Date.now() - start) / 1000 };
}

const check = (checks: SelfCheckResult[], id: string) => checks.find((c) => c.id === id)!;

describe('multi-head attention learns what its contract says (wasm, seed 1, 4000 examples, 6 epochs)', () => {
  before(async () => {
    await useBackend('wasm');
    runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-learning-mha-'));
  });
  after(() => fs.rmSync(runsDir, { recursive: true, force: true }));

  it('difference: four heads learn it, their maps differ more than at initialisation; one head does not', async (t) => {
    const four = await finalOf('difference', 'heads-4');
    const { val_token_accuracy: accuracy, val_exact_match: exact, head_divergence: divergence } = four.metrics.values;
    const differ = check(four.checks, 'heads-differ');
    const neighbours = check(four.checks, 'neighbours');
    t.diagnostic(
      `heads-4: position accuracy ${accuracy}, exact ${exact}, JS ${differ.value} (initial ${differ.baseline}), neighbours ${neighbours.value} — ${neighbours.detail?.en}, ${four.seconds} s`,
    );
    assert.ok(accuracy >= 0.99, `heads-4 position accuracy ${accuracy}`);
    assert.ok(differ.baseline !== undefined && differ.value > differ.baseline && differ.pass, `JS ${differ.value}`);
    assert.equal(divergence, differ.value, 'the metric is the check’s measure, on the same rows');
    assert.ok(differ.value >= 2 * differ.baseline, 'well above its initial value');
    assert.ok(neighbours.pass && neighbours.value >= 0.9, `neighbours ${neighbours.value}`);

    const one = await finalOf('difference', 'heads-1');
    const single = one.metrics.values;
    const oneNeighbours = check(one.checks, 'neighbours');
    t.diagnostic(
      `heads-1: position accuracy ${single.val_token_accuracy}, exact ${single.val_exact_match}, neighbours ${oneNeighbours.value}, ${one.seconds} s`,
    );
    assert.ok(single.val_token_accuracy < 0.3, `heads-1 position accuracy ${single.val_token_accuracy}`);
    assert.ok(single.val_exact_match < 0.05, `heads-1 exact ${single.val_exact_match}`);
    assert.ok(oneNeighbours.value >= 0.9, 'the single head reads the two neighbours too');
    const oneDiffer = check(one.checks, 'heads-differ');
    assert.equal(oneDiffer.value, 0);
    assert.equal(oneDiffer.pass, false, 'one head has no other head to differ from: reported, not hidden');
  });

  it('sum: one head is enough when the order of the neighbours does not matter', async (t) => {
    const sum = await finalOf('sum', 'heads-1');
    t.diagnostic(`sum heads-1: position accuracy ${sum.metrics.values.val_token_accuracy}, ${sum.seconds} s`);
    assert.ok(sum.metrics.values.val_token_accuracy >= 0.95, `sum heads-1 ${sum.metrics.values.val_token_accuracy}`);
  });

  it('the CLI trains one epoch from the built bundle and prints the metrics and the checks', () => {
    const bin = path.resolve(__dirname, '..', '..', 'bin', 'llm-tutor.js');
    const args = [
      'train',
      'multi-head-attention',
      '--epochs',
      '1',
      '--train-size',
      '300',
      '--validation-size',
      '50',
      '--test-size',
      '10',
      '--backend',
      'wasm',
      '--output-dir',
      runsDir,
    ];
    const result = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /chapter=multi-head-attention task=difference variant=heads-4 /);
    assert.match(result.stdout, /dModel=32 heads=4 positions=learned /);
    assert.match(
      result.stdout,
      /^epoch=001 train_loss=\S+ val_loss=\S+ val_exact=\S+ val_position_acc=\S+ head_js=\S+ /m,
    );
    assert.match(
      result.stdout,
      /^checks: rows-sum-to-one=pass\(\S+\) masked-zero=pass\(0≤0\) heads-differ=(pass|FAIL)\(\S+\) neighbours=(pass|FAIL)\(\S+≥0\.900\)$/m,
    );
    assert.match(result.stdout, /^attention_shape=\(batch, heads, queries, keys\)=\(\d+, 4, 8, 8\)$/m);
  });
});
