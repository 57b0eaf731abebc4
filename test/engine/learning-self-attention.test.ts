/**
 * Learning in the self-attention chapter, with fixed seeds and small explicit budgets (wasm,
 * deterministic): what its contract claims, measured on the learner's kind of run.
 * - reverse with learned positions reaches ≥ 95% validation exact match, attending along the
 *   anti-diagonal (≥ 90% of rows);
 * - without positions it stays below 30% (every position with the same token asks the same question);
 * - copy finds its own token with or without positions.
 * And `llm-tutor train self-attention --task reverse --variant no-positions` prints the chapter's
 * metrics and its failing anti-diagonal check.
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

const chapter = trainableChapter('self-attention')!;
const budget = { trainSize: 2000, validationSize: 300, testSize: 50, epochs: 4 };
let runsDir: string;

async function finalOf(
  task: string,
  variant: string,
): Promise<{ metrics: EvaluationRecord; checks: SelfCheckResult[] }> {
  let metrics: EvaluationRecord | null = null;
  let checks: SelfCheckResult[] = [];
  await train(
    { chapter, runsDir, backend: 'wasm', packageVersion: 'test', task, variant, seed: 3, overrides: budget },
    {
      epoch: (m, attention) => {
        metrics = m;
        checks = attention?.checks ?? [];
      },
    },
  );
  assert.ok(metrics);
  return { metrics, checks };
}

const check = (checks: SelfCheckResult[], id: string) => checks.find((c) => c.id === id)!;

describe('self-attention learns what its contract says (wasm, seed 3, 2000 examples, 4 epochs)', () => {
  before(async () => {
    await useBackend('wasm');
    runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-learning-sa-'));
  });
  after(() => fs.rmSync(runsDir, { recursive: true, force: true }));

  it('reverse with positions: ≥ 95% exact match and the anti-diagonal in ≥ 90% of rows; without positions: < 30%', async () => {
    const scaled = await finalOf('reverse', 'scaled');
    assert.ok(scaled.metrics.values.val_exact_match >= 0.95, `exact ${scaled.metrics.values.val_exact_match}`);
    const antiDiagonal = check(scaled.checks, 'anti-diagonal');
    assert.ok(antiDiagonal.pass && antiDiagonal.value >= 0.9, `anti-diagonal ${antiDiagonal.value}`);
    const blind = await finalOf('reverse', 'no-positions');
    assert.ok(blind.metrics.values.val_exact_match < 0.3, `no-positions exact ${blind.metrics.values.val_exact_match}`);
    assert.equal(check(blind.checks, 'anti-diagonal').pass, false, 'the failing check is reported, not hidden');
  });

  it('copy finds its own token, with and without positions', async () => {
    for (const variant of ['scaled', 'no-positions']) {
      const copy = await finalOf('copy', variant);
      assert.ok(copy.metrics.values.val_exact_match >= 0.95, `${variant} exact ${copy.metrics.values.val_exact_match}`);
      assert.ok(check(copy.checks, 'diagonal').pass, `${variant} diagonal ${check(copy.checks, 'diagonal').value}`);
    }
  });

  it('the CLI trains reverse without positions and prints the metrics and the failing check', () => {
    const bin = path.resolve(__dirname, '..', '..', 'bin', 'llm-tutor.js');
    const args = [
      'train',
      'self-attention',
      '--task',
      'reverse',
      '--variant',
      'no-positions',
      '--epochs',
      '2',
      '--train-size',
      '500',
      '--validation-size',
      '100',
      '--test-size',
      '20',
      '--backend',
      'wasm',
      '--output-dir',
      runsDir,
    ];
    const result = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(result.status, 0, result.stderr);
    assert.match(
      result.stdout,
      /^epoch=002 train_loss=\S+ val_loss=\S+ val_exact=\S+ val_position_acc=\S+ entropy=\S+ /m,
    );
    assert.match(
      result.stdout,
      /^checks: rows-sum-to-one=pass\(\S+\) masked-zero=pass\(0≤0\) anti-diagonal=FAIL\(\S+≥0\.900\)$/m,
    );
  });
});
