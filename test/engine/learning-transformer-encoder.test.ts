/**
 * Learning in the transformer-encoder chapter, with fixed seeds and small explicit budgets (wasm,
 * deterministic): what its contract claims, measured on the learner's kind of run.
 * - reverse of lengths 3–8 (the chapter's defaults, 4000 examples × 6 epochs = 750 steps, seed 3):
 *   with sinusoidal positions ≥ 0.9 validation exact match, and one layer (the second) looks at
 *   n − 1 − i in ≥ 90% of rows; without positions < 0.05 exact match and < 0.4 per position;
 * - the layer-norm comparison with its preset (4 layers, learning rate 0.01 constant after
 *   warm-up, 378 steps, seed 1): post-LN without warm-up stays near chance (validation loss ≥ 1.9,
 *   per-position accuracy < 0.3), post-LN with warm-up and pre-LN learn (loss ≤ 1.3, ≥ 0.45);
 *   at the first step record (step 10) the last layer's gradient norm over the first is more than
 *   ten times larger post-LN than pre-LN.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Hyperparameters } from '../../src/shared/course/chapter';
import { resolveComparison } from '../../src/shared/course/hyperparameters';
import type { EvaluationRecord, SelfCheckResult, StepRecord } from '../../src/shared/run/records';
import { trainableChapter } from '../../src/engine/chapters/registry';
import { train } from '../../src/engine/train/trainer';
import { useBackend } from './helpers';

const chapter = trainableChapter('transformer-encoder')!;
let runsDir: string;

interface Outcome {
  metrics: EvaluationRecord;
  checks: SelfCheckResult[];
  steps: StepRecord[];
}

async function run(variant: string, seed: number, overrides: Hyperparameters): Promise<Outcome> {
  let metrics: EvaluationRecord | null = null;
  let checks: SelfCheckResult[] = [];
  const steps: StepRecord[] = [];
  await train(
    {
      chapter,
      runsDir,
      backend: 'wasm',
      packageVersion: 'test',
      task: 'reverse',
      variant,
      seed,
      overrides,
      stepMetricsEvery: 10,
    },
    {
      epoch: (m, attention) => {
        metrics = m;
        checks = attention?.checks ?? [];
      },
      stepMetrics: (m) => steps.push(m),
    },
  );
  assert.ok(metrics);
  return { metrics, checks, steps };
}

const summary = (outcome: Outcome) =>
  `val_loss ${outcome.metrics.values.val_loss.toFixed(3)} exact ${outcome.metrics.values.val_exact_match.toFixed(3)} per-position ${outcome.metrics.values.val_token_accuracy.toFixed(3)}`;

describe('transformer-encoder learns what its contract says (wasm)', () => {
  before(async () => {
    await useBackend('wasm');
    runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-learning-tenc-'));
  });
  after(() => fs.rmSync(runsDir, { recursive: true, force: true }));

  it('reverse of lengths 3–8: sinusoidal positions learn it, no positions cannot (seed 3)', async () => {
    const budget = { trainSize: 4000, validationSize: 200, testSize: 50, epochs: 6 };
    const sinusoidal = await run('pre-ln', 3, { ...budget, positions: 'sinusoidal' });
    console.log(`# sinusoidal: ${summary(sinusoidal)}`);
    assert.ok(sinusoidal.metrics.values.val_exact_match >= 0.9, summary(sinusoidal));
    const alignment = sinusoidal.checks.find((c) => c.id === 'alignment')!;
    assert.ok(alignment.pass && alignment.value >= 0.9, `alignment ${alignment.value}`);
    assert.match(alignment.detail?.en ?? '', /^layer 2;/, 'the second layer fetches the mirrored token');
    const closedForm = sinusoidal.checks.find((c) => c.id === 'position-closed-form')!;
    assert.ok(closedForm.pass, `closed form ${closedForm.value}`);

    const none = await run('pre-ln', 3, { ...budget, positions: 'none' });
    console.log(`# none: ${summary(none)}`);
    assert.ok(none.metrics.values.val_exact_match < 0.05, summary(none));
    assert.ok(none.metrics.values.val_token_accuracy < 0.4, summary(none));
    assert.equal(
      none.checks.some((c) => c.id === 'position-closed-form'),
      false,
    );
  });

  it('the comparison preset: post-LN without warm-up stays near chance; with warm-up, and pre-LN, it learns (seed 1)', async () => {
    const outcomes: Record<string, Outcome> = {};
    for (const variant of chapter.info.comparison!.variants) {
      const resolved = resolveComparison(chapter.info, variant);
      assert.ok(resolved.ok);
      outcomes[variant] = await run(variant, 1, resolved.value);
      console.log(`# ${variant}: ${summary(outcomes[variant])}`);
    }
    const post = outcomes['post-ln'].metrics.values;
    assert.ok(post.val_loss >= 1.9 && post.val_token_accuracy < 0.3, summary(outcomes['post-ln']));
    for (const variant of ['post-ln-warmup', 'pre-ln']) {
      const values = outcomes[variant].metrics.values;
      assert.ok(
        values.val_loss <= 1.3 && values.val_token_accuracy >= 0.45,
        `${variant}: ${summary(outcomes[variant])}`,
      );
    }
    const ratio = (outcome: Outcome) => {
      const norms = outcome.steps[0].gradient_norms!;
      return norms.layer4 / norms.layer1;
    };
    console.log(
      `# step 10, layer4/layer1 gradient norm: post-ln ${ratio(outcomes['post-ln']).toFixed(3)}, pre-ln ${ratio(outcomes['pre-ln']).toFixed(3)}`,
    );
    assert.ok(ratio(outcomes['post-ln']) > 10 * ratio(outcomes['pre-ln']));
  });
});
