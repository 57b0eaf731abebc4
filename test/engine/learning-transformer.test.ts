/**
 * Learning in the transformer chapter, with a fixed seed and small explicit budgets (wasm,
 * deterministic): what its contract claims, measured on the learner's kind of run.
 * - the default model (pre-LN, causal mask) reaches ≥ 95% validation exact match on dates, and its
 *   causal checks pass on the trained model (perturbation exactly 0, no leaked mass);
 * - without the causal mask the decoder reads the token it must predict: its training loss ends
 *   below the masked model's, its greedy exact match far below, and most of its decoder
 *   self-attention lands on future positions.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { EvaluationRecord, SelfCheckResult } from '../../src/shared/run/records';
import { trainableChapter } from '../../src/engine/chapters/registry';
import { train } from '../../src/engine/train/trainer';
import { useBackend } from './helpers';

const chapter = trainableChapter('transformer')!;
const budget = { trainSize: 6400, validationSize: 300, testSize: 20, epochs: 4 };
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
  assert.ok(metrics);
  return { metrics, checks };
}

const check = (checks: SelfCheckResult[], id: string) => checks.find((c) => c.id === id)!;

describe('the transformer learns what its contract says (wasm, seed 1, 6400 dates, 4 epochs)', () => {
  before(async () => {
    await useBackend('wasm');
    runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-learning-transformer-'));
  });
  after(() => fs.rmSync(runsDir, { recursive: true, force: true }));

  it('with the causal mask ≥ 95% exact match; without it a lower training loss and a far lower exact match', async () => {
    const masked = await finalOf('default');
    assert.ok(masked.metrics.values.val_exact_match >= 0.95, `exact ${masked.metrics.values.val_exact_match}`);
    assert.equal(check(masked.checks, 'causal-perturbation').value, 0);
    assert.equal(check(masked.checks, 'leaked-mass').value, 0);
    assert.ok(check(masked.checks, 'masked-zero').pass);

    const open = await finalOf('no-causal-mask');
    assert.ok(
      open.metrics.train_loss < masked.metrics.train_loss,
      `training loss: no-causal-mask ${open.metrics.train_loss} vs masked ${masked.metrics.train_loss}`,
    );
    assert.ok(
      open.metrics.values.val_exact_match < 0.1,
      `greedy exact match without the mask: ${open.metrics.values.val_exact_match}`,
    );
    assert.ok(open.metrics.values.leaked_mass > 0.3, `leaked mass ${open.metrics.values.leaked_mass}`);
    assert.equal(check(open.checks, 'causal-perturbation').pass, false);
    assert.equal(check(open.checks, 'leaked-mass').pass, false);
  });
});
