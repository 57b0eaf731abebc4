/** In VS Code a language model's default corpus follows the display language (the CLI's is English). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as v from 'valibot';
import { defaultCorpus } from '../../src/extension/trainingPlan';
import { HostToEngineSchema } from '../../src/shared/protocol/engine';

describe('defaultCorpus', () => {
  it('is the Chinese poems in Chinese, English otherwise, and a train/trainVariants request carries it', () => {
    assert.equal(defaultCorpus('zh-cn'), 'zh');
    assert.equal(defaultCorpus('en'), 'en');
    const common = { requestId: 'r', chapter: 'mini-gpt', runsDir: '/runs', backend: 'auto', overrides: {} };
    for (const request of [
      { type: 'train', ...common, corpus: defaultCorpus('zh-cn') },
      { type: 'trainVariants', ...common, variants: ['small', 'baby'], corpus: defaultCorpus('en') },
    ]) {
      const parsed = v.safeParse(HostToEngineSchema, request);
      assert.ok(parsed.success, request.type);
    }
  });
});
