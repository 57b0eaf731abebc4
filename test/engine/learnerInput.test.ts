/**
 * What a learner types never becomes a control token: a typed `<pad>`, `<bos>`, `<eos>` or
 * `<unk>` (word-level tasks) is read as an unknown word, exactly like any word the vocabulary does
 * not know, in `llm-tutor predict` (with its warning) and in the panel's "Try it" (the worker).
 * And the encoder's final state is taken at each example's last real token for any mask.
 * Resume reports every snapshot it could not copy.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { encodeLearnerTokens } from '../../src/engine/kits/learnerText';
import { stateAtLastToken } from '../../src/engine/nn/gru';
import { loadRun, predictText } from '../../src/engine/predict';
import { Vocab, UNK_ID, SPECIAL_TOKENS } from '../../src/engine/tasks/vocab';
import { EngineWorker } from '../../src/engine/worker';
import { readRun } from '../../src/runStore';
import type { EngineToHost } from '../../src/shared/protocol/engine';
import { unpackMap } from '../../src/shared/run/attention';
import { useBackend } from './helpers';
import { cli } from './hardening';

let work: string;
let runsDir: string;
const runs: Record<string, string> = {};

async function trainTiny(chapter: string, task: string, epochs = 1): Promise<string> {
  const result = await cli([
    'train',
    chapter,
    '--task',
    task,
    '--epochs',
    String(epochs),
    '--train-size',
    '64',
    '--validation-size',
    '16',
    '--test-size',
    '8',
    '--hidden-size',
    '8',
    '--backend',
    'wasm',
    '--output-dir',
    runsDir,
    '--quiet',
  ]);
  assert.equal(result.code, 0, result.stderr);
  return /^run_dir=(.+)$/m.exec(result.stdout)![1];
}

before(async () => {
  await useBackend('wasm');
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-input-'));
  runsDir = path.join(work, 'runs');
  runs.phrasesAttention = await trainTiny('attention-seq2seq', 'phrases');
  runs.phrasesSeq2seq = await trainTiny('seq2seq', 'phrases');
});
after(() => fs.rmSync(work, { recursive: true, force: true }));

describe('special tokens typed by a learner', () => {
  it('encodeLearnerTokens reads every typed special token as <unk> and reports it', () => {
    const vocab = new Vocab(['i', 'like', 'tea']);
    const { ids, unknownTokens } = encodeLearnerTokens(
      ['<bos>', 'i', '<pad>', 'like', '<eos>', 'tea', '<unk>', '<pad>'],
      vocab,
    );
    assert.deepEqual(ids, [UNK_ID, vocab.id('i'), UNK_ID, vocab.id('like'), UNK_ID, vocab.id('tea'), UNK_ID, UNK_ID]);
    assert.deepEqual(unknownTokens, ['<bos>', '<pad>', '<eos>', '<unk>']);
    // The vocabulary itself maps them to the control ids: only encodeLearnerTokens keeps them out.
    assert.deepEqual(
      SPECIAL_TOKENS.map((token) => vocab.id(token)),
      [0, 1, 2, 3],
    );
  });

  for (const key of ['phrasesAttention', 'phrasesSeq2seq']) {
    it(`${key}: a typed control token predicts exactly as an unknown word does`, async () => {
      const run = await loadRun(runs[key]);
      try {
        for (const special of SPECIAL_TOKENS) {
          const typed = predictText(run, `the small ${special} bird ${special.toUpperCase()} that sings`);
          const unknown = predictText(run, 'the small qqqq bird zzzz that sings');
          assert.deepEqual(typed.unknownTokens, [special], special);
          assert.deepEqual(typed.source, ['the', 'small', special, 'bird', special, 'that', 'sings'], 'shown as typed');
          assert.deepEqual(typed.predicted, unknown.predicted, `${special}: same prediction as an unknown word`);
          assert.equal(typed.maps.length, unknown.maps.length);
          typed.maps.forEach((map, i) => {
            // Every source position is attended: none was taken for padding.
            const weights = unpackMap(map)!;
            const other = unpackMap(unknown.maps[i])!;
            assert.deepEqual(Array.from(weights.weights), Array.from(other.weights), `${special}: same attention`);
            assert.equal(map.mask, null, `${special}: nothing masked`);
          });
        }
      } finally {
        run.dispose();
      }
    });
  }

  it('llm-tutor predict shows what was typed and warns that the control tokens were read as unknown', async () => {
    const result = await cli(['predict', runs.phrasesAttention, 'the <PAD> bird <eos> sings <bos>']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^src='the <pad> bird <eos> sings <bos>' pred='/m);
    assert.match(result.stdout, /^warning: not in the training vocabulary \(read as <unk>\): <pad> <eos> <bos>$/m);
  });

  it('Try it (the engine worker) reads them as unknown too', async () => {
    const messages: EngineToHost[] = [];
    const worker = new EngineWorker((message) => messages.push(message));
    await worker.handle({ type: 'predict', requestId: 'p', runDir: runs.phrasesSeq2seq, text: '<unk> the bird <pad>' });
    const prediction = messages.find((message) => message.type === 'prediction');
    assert.ok(prediction?.type === 'prediction', JSON.stringify(messages));
    assert.deepEqual(prediction.prediction.unknownTokens, ['<unk>', '<pad>']);
    worker.forget(runs.phrasesSeq2seq);
  });
});

describe('stateAtLastToken', () => {
  it('takes each example’s state at its last real token, for any mask (gaps, full, a single token)', () => {
    const [batch, length, hidden] = [4, 6, 3];
    const values = Array.from({ length: batch * length * hidden }, (_, i) => i + 1);
    const outputs = tf.tensor3d(values, [batch, length, hidden]);
    const mask = tf.tensor2d(
      [
        [1, 0, 1, 1, 0, 0], // a gap: the last real token is position 3
        [1, 1, 1, 1, 1, 1], // full
        [0, 0, 0, 0, 1, 0], // one token, not at the start
        [1, 0, 0, 0, 0, 1], // gaps up to the last position
      ],
      [batch, length],
    );
    const expectedPositions = [3, 5, 4, 5];
    const state = stateAtLastToken(outputs, mask);
    const picked = state.arraySync();
    const all = outputs.arraySync();
    expectedPositions.forEach((position, example) =>
      assert.deepEqual(picked[example], all[example][position], `example ${example}`),
    );
    tf.dispose([outputs, mask, state]);
  });
});

describe('resume reports what it could not copy', () => {
  it('an unreadable attention snapshot and a missing samples snapshot are named in the log; the new run says they are missing', async () => {
    const source = await trainTiny('attention-seq2seq', 'dates', 2);
    fs.writeFileSync(path.join(source, 'attention', 'epoch-001.json'), '{"epoch": 1, "probes": [');
    fs.rmSync(path.join(source, 'samples', 'epoch-002.json'));
    fs.rmSync(path.join(source, 'attention', 'epoch-002.json'));
    const result = await cli([
      'train',
      'attention-seq2seq',
      '--resume',
      source,
      '--epochs',
      '3',
      '--backend',
      'wasm',
      '--output-dir',
      runsDir,
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^resume: not copied: attention\/epoch-001\.json is not valid JSON \(.+\)$/m);
    assert.match(result.stdout, /^resume: not copied: attention\/epoch-002\.json is missing$/m);
    assert.match(result.stdout, /^resume: not copied: samples\/epoch-002\.json is missing$/m);
    const resumedDir = /^run_dir=(.+)$/m.exec(result.stdout)![1];
    const log = fs.readFileSync(path.join(resumedDir, 'log.txt'), 'utf8');
    assert.match(log, /^resume: not copied: samples\/epoch-002\.json is missing$/m, 'the log keeps it');
    const resumed = await readRun(resumedDir);
    assert.deepEqual(resumed.attentionEpochs, [3]);
    assert.ok(resumed.warnings.includes('samples/epoch-002.json is missing'), resumed.warnings.join(' | '));
    assert.ok(
      resumed.warnings.includes('attention/epoch-001.json is missing (and 1 more)'),
      resumed.warnings.join(' | '),
    );
  });
});
