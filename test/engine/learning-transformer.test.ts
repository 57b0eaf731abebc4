/**
 * Learning in the transformer chapter, with a fixed seed and small explicit budgets (wasm,
 * deterministic): what its contract claims, measured on the learner's kind of run.
 * - the default model (pre-LN, causal mask) reaches ≥ 95% validation exact match on dates, and its
 *   causal checks pass on the trained model (perturbation exactly 0, no leaked mass);
 * - without the causal mask the decoder reads the token it must predict: in half the steps its
 *   training loss falls below the masked model's final one, while its greedy exact match stays
 *   near 0 and much of its decoder self-attention lands on future positions.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { HyperValue } from '../../src/shared/course/chapter';
import type { EvaluationRecord, SelfCheckResult } from '../../src/shared/run/records';
import { trainableChapter } from '../../src/engine/chapters/registry';
import { train } from '../../src/engine/train/trainer';
import { useBackend } from './helpers';

const chapter = trainableChapter('transformer')!;
/** The default model and schedule on fewer examples and epochs: 400 steps of 64. */
const MASKED = { trainSize: 6400, validationSize: 300, testSize: 20, epochs: 4 };
/** The same model and data without the causal mask, half the steps (200). */
const OPEN = { ...MASKED, epochs: 2 };
let runsDir: string;

async function finalOf(
  variant: string,
  overrides: Record<string, HyperValue>,
): Promise<{ metrics: EvaluationRecord; checks: SelfCheckResult[] }> {
  let metrics: EvaluationRecord | null = null;
  let checks: SelfCheckResult[] = [];
  await train(
    { chapter, runsDir, backend: 'wasm', packageVersion: 'test', task: 'dates', variant, seed: 1, overrides },
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

describe('the transformer learns what its contract says (wasm, seed 1, dates)', () => {
  let masked: { metrics: EvaluationRecord; checks: SelfCheckResult[] };
  before(async () => {
    await useBackend('wasm');
    runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-learning-transformer-'));
  });
  after(() => fs.rmSync(runsDir, { recursive: true, force: true }));

  it('with the causal mask: ≥ 95% validation exact match; the causal checks pass on the trained model', async (t) => {
    masked = await finalOf('default', MASKED);
    t.diagnostic(`masked: ${JSON.stringify({ train_loss: masked.metrics.train_loss, ...masked.metrics.values })}`);
    assert.ok(masked.metrics.values.val_exact_match >= 0.95, `exact ${masked.metrics.values.val_exact_match}`);
    assert.equal(check(masked.checks, 'causal-perturbation').value, 0);
    assert.equal(check(masked.checks, 'leaked-mass').value, 0);
    assert.ok(check(masked.checks, 'masked-zero').pass);
  });

  it('without it: a lower training loss in half the steps, yet a far lower greedy exact match', async (t) => {
    assert.ok(masked, 'runs after the masked model');
    const open = await finalOf('no-causal-mask', OPEN);
    t.diagnostic(`no-causal-mask: ${JSON.stringify({ train_loss: open.metrics.train_loss, ...open.metrics.values })}`);
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
