/** In VS Code a language model's default corpus follows the display language (the CLI's is English). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as path from 'node:path';
import * as v from 'valibot';
import { corpusFor, defaultCorpus } from '../../src/extension/trainingPlan';
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

  it('llmTutor.corpus: empty follows the language, en/zh as they are, a path resolved against the workspace', () => {
    assert.equal(corpusFor('', 'zh-cn', '/work/space'), 'zh');
    assert.equal(corpusFor('   ', 'en', '/work/space'), 'en');
    assert.equal(corpusFor(undefined, 'en', undefined), 'en');
    assert.equal(corpusFor(42, 'zh-cn', undefined), 'zh');
    assert.equal(corpusFor('zh', 'en', '/work/space'), 'zh');
    assert.equal(corpusFor('en', 'zh-cn', '/work/space'), 'en');
    assert.equal(corpusFor('.', 'en', '/work/space'), path.resolve('/work/space'));
    assert.equal(corpusFor('texts/poems.txt', 'en', '/work/space'), path.resolve('/work/space/texts/poems.txt'));
    assert.equal(corpusFor('/data/novel.txt', 'en', '/work/space'), path.resolve('/data/novel.txt'));
  });
});
