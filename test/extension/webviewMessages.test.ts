/** Every message from the webview is untrusted: validateWebviewMessage + the panel's own checks. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LIMITS, validateWebviewMessage } from '../../src/protocol/webview';
import { checkPanelRequest } from '../../src/extension/panelRequests';

const reject = (raw: unknown, why: RegExp): void => {
  const result = validateWebviewMessage(raw);
  assert.equal(result.ok, false, `should reject ${JSON.stringify(raw)?.slice(0, 80)}`);
  if (!result.ok) assert.match(result.error, why);
};

describe('validateWebviewMessage', () => {
  it('accepts every well-formed message', () => {
    const good: unknown[] = [
      { type: 'ready' },
      { type: 'stop' },
      { type: 'requestAttention', epoch: 1 },
      { type: 'requestAttention', epoch: 80 },
      { type: 'predict', text: 'March 5, 2021' },
      { type: 'predict', text: 'x'.repeat(LIMITS.maxTextLength) },
      { type: 'train', overrides: {} },
      {
        type: 'train',
        overrides: { task: 'dates', epochs: 2, batchSize: 64, learningRate: 0.01, hiddenSize: 128, seed: 7 },
      },
      {
        type: 'train',
        overrides: {
          epochs: LIMITS.maxEpochs,
          batchSize: LIMITS.maxBatchSize,
          learningRate: LIMITS.maxLearningRate,
          seed: 0,
        },
      },
      { type: 'train', overrides: { learningRate: LIMITS.minLearningRate } },
    ];
    for (const message of good) {
      const result = validateWebviewMessage(message);
      assert.equal(result.ok, true, `should accept ${JSON.stringify(message)}: ${result.ok ? '' : result.error}`);
    }
  });

  it('trims the text it accepts', () => {
    const result = validateWebviewMessage({ type: 'predict', text: '  2021-03-05 \n' });
    assert.deepEqual(result, { ok: true, message: { type: 'predict', text: '2021-03-05' } });
  });

  it('rejects non-objects', () => {
    for (const raw of [null, undefined, 42, 'ready', true, ['ready'], [{ type: 'ready' }]])
      reject(raw, /not an object/);
  });

  it('rejects unknown or missing types', () => {
    reject({}, /unknown message type/);
    reject({ type: 'exec', command: 'rm -rf /' }, /unknown message type/);
    reject({ type: 'READY' }, /unknown message type/);
    reject({ type: 42 }, /unknown message type/);
    reject({ type: ['ready'] }, /unknown message type/);
    reject({ type: '__proto__' }, /unknown message type/);
  });

  it('rejects extra fields', () => {
    reject({ type: 'ready', runDir: '/etc' }, /unexpected field/);
    reject({ type: 'stop', runId: 'x' }, /unexpected field/);
    reject({ type: 'requestAttention', epoch: 1, path: '../x' }, /unexpected field/);
    reject({ type: 'predict', text: 'a', runDir: '/tmp' }, /unexpected field/);
    reject({ type: 'train', overrides: {}, chapter: 'seq2seq' }, /unexpected field/);
    reject({ type: 'train', overrides: { epochs: 1, resume: '/etc' } }, /unknown override/);
    reject({ type: 'train', overrides: { runsDir: '/' } }, /unknown override/);
  });

  it('rejects wrong field types', () => {
    reject({ type: 'requestAttention' }, /epoch/);
    reject({ type: 'requestAttention', epoch: '3' }, /epoch/);
    reject({ type: 'requestAttention', epoch: 1.5 }, /epoch/);
    reject({ type: 'requestAttention', epoch: null }, /epoch/);
    reject({ type: 'predict' }, /text must be a string/);
    reject({ type: 'predict', text: 42 }, /text must be a string/);
    reject({ type: 'predict', text: ['a'] }, /text must be a string/);
    reject({ type: 'train' }, /overrides must be an object/);
    reject({ type: 'train', overrides: null }, /overrides must be an object/);
    reject({ type: 'train', overrides: [] }, /overrides must be an object/);
    reject({ type: 'train', overrides: { epochs: '10' } }, /epochs/);
    reject({ type: 'train', overrides: { learningRate: '0.01' } }, /learningRate/);
    reject({ type: 'train', overrides: { task: 'Dates; rm' } }, /task/);
    reject({ type: 'train', overrides: { task: 3 } }, /task/);
    reject({ type: 'train', overrides: { seed: -1 } }, /seed/);
    reject({ type: 'train', overrides: { seed: 2.5 } }, /seed/);
  });

  it('rejects out-of-range epochs, batch sizes, hidden sizes and learning rates', () => {
    reject({ type: 'requestAttention', epoch: 0 }, /epoch/);
    reject({ type: 'requestAttention', epoch: -3 }, /epoch/);
    reject({ type: 'requestAttention', epoch: Number.MAX_SAFE_INTEGER }, /epoch/);
    reject({ type: 'train', overrides: { epochs: 0 } }, /epochs/);
    reject({ type: 'train', overrides: { epochs: LIMITS.maxEpochs + 1 } }, /epochs/);
    reject({ type: 'train', overrides: { epochs: Infinity } }, /epochs/);
    reject({ type: 'train', overrides: { batchSize: 0 } }, /batchSize/);
    reject({ type: 'train', overrides: { batchSize: LIMITS.maxBatchSize + 1 } }, /batchSize/);
    reject({ type: 'train', overrides: { batchSize: 1e9 } }, /batchSize/);
    reject({ type: 'train', overrides: { hiddenSize: LIMITS.maxHiddenSize + 1 } }, /hiddenSize/);
    reject({ type: 'train', overrides: { learningRate: 0 } }, /learningRate/);
    reject({ type: 'train', overrides: { learningRate: -0.1 } }, /learningRate/);
    reject({ type: 'train', overrides: { learningRate: 10 } }, /learningRate/);
    reject({ type: 'train', overrides: { learningRate: NaN } }, /learningRate/);
    reject({ type: 'train', overrides: { learningRate: Infinity } }, /learningRate/);
    reject({ type: 'train', overrides: { seed: LIMITS.maxSeed + 1 } }, /seed/);
  });

  it('rejects huge and empty text', () => {
    reject({ type: 'predict', text: 'x'.repeat(LIMITS.maxTextLength + 1) }, /longer than/);
    reject({ type: 'predict', text: '字'.repeat(1_000_000) }, /longer than/);
    reject({ type: 'predict', text: '' }, /empty/);
    reject({ type: 'predict', text: '   \n\t ' }, /empty/);
  });
});

describe('checkPanelRequest', () => {
  const run = { attentionEpochs: [1, 2, 5], hasRun: true };

  it('lets through what validates and fits the run', () => {
    for (const raw of [
      { type: 'ready' },
      { type: 'requestAttention', epoch: 5 },
      { type: 'predict', text: 'hi' },
      { type: 'train', overrides: {} },
      { type: 'stop' },
    ]) {
      assert.equal(checkPanelRequest(raw, run).ok, true, JSON.stringify(raw));
    }
  });

  it('refuses attention epochs the run does not have', () => {
    for (const epoch of [3, 4, 6, 1000]) {
      const result = checkPanelRequest({ type: 'requestAttention', epoch }, run);
      assert.equal(result.ok, false);
      if (!result.ok) assert.match(result.error, /no attention snapshot/);
    }
  });

  it('refuses run requests on a panel without a run (damaged or contract only)', () => {
    const none = { attentionEpochs: [], hasRun: false };
    assert.equal(checkPanelRequest({ type: 'requestAttention', epoch: 1 }, none).ok, false);
    assert.equal(checkPanelRequest({ type: 'predict', text: 'x' }, none).ok, false);
    assert.equal(checkPanelRequest({ type: 'ready' }, none).ok, true);
  });

  it('passes on the protocol validator’s refusals', () => {
    const result = checkPanelRequest({ type: 'predict', text: 'x'.repeat(10_000) }, run);
    assert.equal(result.ok, false);
    assert.equal(checkPanelRequest('ready', run).ok, false);
    assert.equal(checkPanelRequest({ type: 'train', overrides: { epochs: 1e6 } }, run).ok, false);
  });
});
