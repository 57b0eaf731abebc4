/**
 * A chapter's comparison may carry a preset (`comparison.overrides`): every compared run takes it,
 * after the variant's own overrides and before the learner's. The catalogue's schema accepts it,
 * `resolveComparison` applies it, and `chapterInfoProblems` refuses a preset with an unknown key,
 * a value out of range, or a key one of the compared variants sets.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as v from 'valibot';
import { ChapterInfoSchema, type ChapterInfo } from '../../src/shared/course/chapter';
import {
  chapterInfoProblems,
  resolveComparison,
  resolveHyperparameters,
} from '../../src/shared/course/hyperparameters';
import { info as selfAttention } from '../../src/engine/chapters/self-attention/info';

/** The self-attention chapter's info with another comparison. */
function withComparison(comparison: ChapterInfo['comparison']): ChapterInfo {
  return { ...structuredClone(selfAttention), comparison };
}

describe('comparison presets (comparison.overrides)', () => {
  const preset = withComparison({
    task: 'reverse',
    variants: ['scaled', 'unscaled'],
    overrides: { dModel: 128, learningRate: 0.003 },
  });

  it('are optional in the schema, and must be a record of plain values', () => {
    assert.ok(v.safeParse(ChapterInfoSchema, selfAttention).success, 'a comparison without a preset');
    assert.ok(v.safeParse(ChapterInfoSchema, preset).success, 'a comparison with a preset');
    const nested = { ...preset, comparison: { ...preset.comparison, overrides: { dModel: { value: 1 } } } };
    assert.equal(v.safeParse(ChapterInfoSchema, nested).success, false, 'a nested value is refused');
  });

  it('apply after the variant’s overrides and before the learner’s', () => {
    const resolved = resolveComparison(preset, 'unscaled');
    assert.ok(resolved.ok);
    const plain = resolveHyperparameters(preset, 'reverse', 'unscaled', {});
    assert.ok(plain.ok);
    assert.equal(resolved.value.scaled, false, 'the variant’s own override stays');
    assert.deepEqual(resolved.value, { ...plain.value, dModel: 128, learningRate: 0.003 });
    const learner = resolveComparison(preset, 'scaled', { learningRate: 0.01, epochs: 3 });
    assert.ok(learner.ok);
    assert.equal(learner.value.learningRate, 0.01, 'the learner has the last word');
    assert.equal(learner.value.dModel, 128);
    assert.equal(learner.value.epochs, 3);
  });

  it('resolve only for a compared variant of a chapter that has a comparison, with values in range', () => {
    assert.deepEqual(resolveComparison(preset, 'no-positions'), {
      ok: false,
      reason: "variant 'no-positions' is not in self-attention's comparison; choose one of: scaled, unscaled",
    });
    assert.deepEqual(resolveComparison(withComparison(null), 'scaled'), {
      ok: false,
      reason: 'self-attention has no comparison',
    });
    assert.deepEqual(resolveComparison(preset, 'scaled', { dModel: 1000 }), {
      ok: false,
      reason: 'dModel 1000 is outside 2..256',
    });
    const withoutPreset = resolveComparison(withComparison({ task: 'copy', variants: ['scaled'] }), 'scaled');
    assert.ok(withoutPreset.ok);
    assert.deepEqual(
      withoutPreset.value,
      (resolveHyperparameters(preset, 'copy', 'scaled', {}) as { value: object }).value,
    );
  });

  it('are checked by chapterInfoProblems: known keys, values in range, no key a compared variant sets', () => {
    assert.deepEqual(chapterInfoProblems(preset), []);
    const bad = withComparison({
      task: 'reverse',
      variants: ['scaled', 'unscaled'],
      overrides: { depth: 3, dModel: 1000, scaled: true },
    });
    assert.deepEqual(chapterInfoProblems(bad), [
      'comparison overrides: unknown key depth',
      'comparison overrides: dModel 1000 is outside 2..256',
      'comparison overrides: scaled is set by the compared variant unscaled',
    ]);
  });
});
