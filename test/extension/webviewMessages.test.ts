/**
 * Every message from the webview is untrusted: `WebviewToHostSchema`, then the panel's own checks
 * (checkPanelRequest): attention epochs the run has, "Try it" on a run, and `train` requests with a
 * task and variant of the panel's chapter and overrides its specs accept. Reasons are one line and
 * never echo the input.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkPanelRequest, type PanelRequestContext } from '../../src/extension/panelRequests';
import { chapterInfo } from '../../src/shared/course/catalogue';
import { upcomingChapter } from '../../src/shared/course/upcoming';
import { MAX_FILL_TEXT, MAX_TRY_TEXT } from '../../src/shared/protocol/webview';

const run: PanelRequestContext = {
  attentionEpochs: [1, 2, 5],
  hasRun: true,
  chapter: chapterInfo('attention-seq2seq'),
};
const noRun: PanelRequestContext = { attentionEpochs: [], hasRun: false, chapter: chapterInfo('attention-seq2seq') };

/** The reason `raw` is refused; fails when it is accepted or the reason is not one short line. */
function refusal(raw: unknown, context: PanelRequestContext = run): string {
  const result = checkPanelRequest(raw, context);
  assert.equal(result.ok, false, `should refuse ${JSON.stringify(raw)?.slice(0, 80)}`);
  const reason = result.ok ? '' : result.reason;
  assert.ok(!/[\n\r]/.test(reason), `one line: ${JSON.stringify(reason)}`);
  assert.ok(reason.length <= 260, `short: ${reason.length}`);
  return reason;
}

describe('checkPanelRequest: the protocol', () => {
  it('accepts every well-formed message', () => {
    const good: unknown[] = [
      { type: 'ready' },
      { type: 'stop' },
      { type: 'requestAttention', epoch: 1 },
      { type: 'requestAttention', epoch: 5 },
      { type: 'predict', text: 'March 5, 2021' },
      { type: 'predict', text: 'x'.repeat(MAX_TRY_TEXT) },
      { type: 'train', overrides: {} },
      { type: 'train', task: 'phrases', variant: 'default', overrides: {} },
      { type: 'train', overrides: { epochs: 2, batchSize: 64, learningRate: 0.01, hiddenSize: 128 } },
      { type: 'train', overrides: { epochs: 1000, batchSize: 1024, learningRate: 1, trainSize: 100000 } },
      { type: 'train', overrides: { learningRate: 1e-6, validationSize: 3 } },
    ];
    for (const message of good) {
      const result = checkPanelRequest(message, run);
      assert.equal(result.ok, true, `should accept ${JSON.stringify(message)}: ${result.ok ? '' : result.reason}`);
    }
  });

  it('trims the text of Try it and refuses an empty one', () => {
    assert.deepEqual(checkPanelRequest({ type: 'predict', text: '  2021-03-05 \n' }, run), {
      ok: true,
      value: { type: 'predict', text: '2021-03-05' },
    });
    assert.match(refusal({ type: 'predict', text: '' }), /empty/);
    assert.match(refusal({ type: 'predict', text: '   \n\t ' }), /empty/);
  });

  it('refuses non-objects, unknown types and extra fields', () => {
    for (const raw of [null, undefined, 42, 'ready', true, ['ready'], [{ type: 'ready' }]]) refusal(raw);
    for (const raw of [
      {},
      { type: 'exec', command: 'rm -rf /' },
      { type: 'READY' },
      { type: 42 },
      { type: '__proto__' },
    ])
      refusal(raw);
    refusal({ type: 'ready', runDir: '/etc' });
    refusal({ type: 'stop', runId: 'x' });
    refusal({ type: 'requestAttention', epoch: 1, path: '../x' });
    refusal({ type: 'predict', text: 'a', runDir: '/tmp' });
    refusal({ type: 'train', overrides: {}, chapter: 'seq2seq' });
    refusal({ type: 'train', overrides: {}, backend: 'tensorflow' });
  });

  it('refuses wrong field types', () => {
    for (const raw of [
      { type: 'requestAttention' },
      { type: 'requestAttention', epoch: '3' },
      { type: 'requestAttention', epoch: 1.5 },
      { type: 'requestAttention', epoch: -3 },
      { type: 'predict' },
      { type: 'predict', text: 42 },
      { type: 'train' },
      { type: 'train', overrides: null },
      { type: 'train', overrides: [] },
      { type: 'train', overrides: { epochs: null } },
      { type: 'train', overrides: { epochs: [1] } },
      { type: 'train', task: 3, overrides: {} },
    ])
      refusal(raw);
  });

  it('refuses huge text without echoing it', () => {
    const reason = refusal({ type: 'predict', text: '字'.repeat(1_000_000) });
    assert.ok(!reason.includes('字'));
    refusal({ type: 'predict', text: 'x'.repeat(MAX_TRY_TEXT + 1) });
  });

  it('never echoes a hostile value, even in a field name', () => {
    const hostile = `evil\n${'x'.repeat(10_000)}`;
    for (const raw of [
      { type: hostile },
      { type: 'train', task: hostile, overrides: {} },
      { type: 'train', variant: hostile, overrides: {} },
      { type: 'train', overrides: { [hostile]: 1 } },
      { type: 'train', overrides: { epochs: hostile } },
    ]) {
      const reason = refusal(raw);
      assert.ok(!reason.includes('xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'), reason);
    }
  });
});

describe('checkPanelRequest: the panel’s run', () => {
  it('refuses attention epochs the run does not have, without echoing the epoch', () => {
    for (const epoch of [0, 3, 4, 6, 1000]) {
      const reason = refusal({ type: 'requestAttention', epoch });
      assert.match(reason, /no attention snapshot/);
    }
  });

  it('refuses run requests on a panel without a run (damaged or a chapter preview)', () => {
    assert.match(refusal({ type: 'requestAttention', epoch: 1 }, noRun), /shows no run/);
    assert.match(refusal({ type: 'predict', text: 'x' }, noRun), /shows no run/);
    assert.equal(checkPanelRequest({ type: 'ready' }, noRun).ok, true);
    assert.equal(checkPanelRequest({ type: 'train', overrides: {} }, noRun).ok, true, 'a preview can start a run');
  });
});

describe('checkPanelRequest: fill (masked language models)', () => {
  const bert: PanelRequestContext = { attentionEpochs: [1], hasRun: true, chapter: chapterInfo('bert-mlm') };

  it('accepts a text with [MASK] (any case) on a bert-mlm run, trimmed, with an optional top', () => {
    assert.deepEqual(checkPanelRequest({ type: 'fill', text: '  the [MASK] of the country ' }, bert), {
      ok: true,
      value: { type: 'fill', text: 'the [MASK] of the country' },
    });
    assert.equal(checkPanelRequest({ type: 'fill', text: 'the [mask] .', top: 10 }, bert).ok, true);
    assert.equal(checkPanelRequest({ type: 'fill', text: `[MASK] ${'x'.repeat(MAX_FILL_TEXT - 7)}` }, bert).ok, true);
  });

  it('refuses, in one line: no run, another chapter, no [MASK], an empty text', () => {
    assert.match(
      refusal({ type: 'fill', text: 'the [MASK]' }, { ...bert, hasRun: false }),
      /^fill: this panel shows no run$/,
    );
    assert.match(refusal({ type: 'fill', text: 'the [MASK]' }, run), /^fill: only a masked language model/);
    assert.match(refusal({ type: 'fill', text: 'the [MASK]' }, { ...bert, chapter: null }), /^fill: only/);
    assert.match(refusal({ type: 'fill', text: 'the country' }, bert), /^fill: "text" has no \[MASK\]$/);
    assert.match(refusal({ type: 'fill', text: 'the [MAS K] [CLS]' }, bert), /has no \[MASK\]/);
    assert.match(refusal({ type: 'fill', text: '  ' }, bert), /^fill: "text" is empty$/);
  });

  it('refuses what the webview should never send, without echoing it', () => {
    for (const raw of [
      { type: 'fill' },
      { type: 'fill', text: 42 },
      { type: 'fill', text: '[MASK]', top: 0 },
      { type: 'fill', text: '[MASK]', top: 51 },
      { type: 'fill', text: '[MASK]', top: 2.5 },
      { type: 'fill', text: '[MASK]', runDir: '/etc' },
      { type: 'fill', text: '[MASK]', requestId: 'x' },
      { type: 'filled', text: '[MASK]' },
    ])
      refusal(raw, bert);
    const reason = refusal({ type: 'fill', text: `[MASK]${'字'.repeat(MAX_FILL_TEXT)}` }, bert);
    assert.ok(!reason.includes('字'), reason);
  });
});

describe('checkPanelRequest: train', () => {
  it('fills in the chapter’s default task and variant', () => {
    assert.deepEqual(checkPanelRequest({ type: 'train', overrides: { epochs: 3 } }, run), {
      ok: true,
      value: { type: 'train', task: 'dates', variant: 'default', overrides: { epochs: 3 } },
    });
  });

  it('refuses an out-of-range override in one line naming the key and the range', () => {
    const reason = refusal({ type: 'train', overrides: { epochs: 5000 } });
    assert.match(reason, /^train: epochs 5000 is outside 1\.\.1000$/);
    assert.match(refusal({ type: 'train', overrides: { learningRate: 0 } }), /learningRate .* outside/);
    assert.match(refusal({ type: 'train', overrides: { learningRate: 10 } }), /learningRate/);
    assert.match(refusal({ type: 'train', overrides: { batchSize: 2.5 } }), /batchSize must be a whole number/);
    assert.match(refusal({ type: 'train', overrides: { hiddenSize: '64' } }), /hiddenSize must be a number/);
    assert.match(refusal({ type: 'train', overrides: { validationSize: 2 } }), /validationSize/);
  });

  it('refuses keys the chapter does not declare, and resume or output paths', () => {
    for (const key of ['seed', 'resume', 'runsDir', 'backend', 'heads', 'toString']) {
      const reason = refusal({ type: 'train', overrides: { [key]: 1 } });
      assert.match(reason, /not a hyperparameter of attention-seq2seq/, key);
    }
    // valibot's record drops prototype keys: they never reach the overrides.
    for (const key of ['__proto__', 'constructor', 'prototype']) {
      const result = checkPanelRequest({ type: 'train', overrides: JSON.parse(`{"${key}": 1}`) as unknown }, run);
      if (result.ok && result.value.type === 'train') assert.deepEqual(Object.keys(result.value.overrides), [], key);
    }
    assert.match(
      refusal({ type: 'train', overrides: { attentionSize: 8 } }, { ...run, chapter: chapterInfo('seq2seq') }),
      /not a hyperparameter of seq2seq/,
    );
  });

  it('refuses a task or variant the chapter does not have, listing those it has', () => {
    assert.match(
      refusal({ type: 'train', task: 'copy', overrides: {} }),
      /^train: unknown task for attention-seq2seq; choose one of: dates, phrases$/,
    );
    assert.match(
      refusal({ type: 'train', variant: 'pre-ln', overrides: {} }),
      /^train: unknown variant for attention-seq2seq; choose one of: default$/,
    );
  });

  it('refuses training for a chapter that cannot be trained, or a panel without a chapter', () => {
    assert.match(
      // A fixture: upcoming.ts's listing of a chapter without a folder (trainable: false).
      refusal({ type: 'train', overrides: {} }, { ...noRun, chapter: upcomingChapter('luong-attention') }),
      /cannot be trained/,
    );
    assert.match(refusal({ type: 'train', overrides: {} }, { ...noRun, chapter: null }), /cannot be trained/);
  });

  it('refuses more than 64 overrides', () => {
    const many = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 1]));
    assert.match(refusal({ type: 'train', overrides: many }), /overrides has too many fields/);
  });
});
