/**
 * The bert-mlm model's blocks: gradients against central finite differences (cpu); the embedding
 * lookup by gather + scatter-add equals the one-hot matmul, values and gradients, on cpu and wasm;
 * the shape of every named tensor for two batch sizes and two lengths (mlm and nsp); attention
 * rows sum to 1 and padding keys get exactly 0; gradient groups; no tensor growth between
 * evaluations of a real (tiny) training run.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import {
  bertEmbeddings,
  createBertEmbeddings,
  createEncoderLayer,
  createMlmHead,
  createNspHead,
  encoderLayer,
  gatherPositions,
  mlmHead,
  nspHead,
  nspLoss,
  type BertSizes,
} from '../../src/engine/chapters/bert-mlm/model';
import { trainableChapter } from '../../src/engine/chapters/registry';
import type { RunData } from '../../src/engine/chapters/contract';
import { CLS_ID, MASK_ID, SEP_ID } from '../../src/engine/corpus';
import { makeMlmBatch, type MlmExample } from '../../src/engine/kits/maskedLm/batch';
import { isMaskedLmData, logUnigramPriors } from '../../src/engine/kits/maskedLm/data';
import { NOT_SELECTED, REPLACED_BY_MASK, type Selection } from '../../src/engine/kits/maskedLm/masking';
import { embed, embedLookup } from '../../src/engine/nn/embedding';
import { paddingKeepMask } from '../../src/engine/nn/masks';
import { Parameters } from '../../src/engine/nn/parameters';
import { createRandom } from '../../src/engine/random';
import { Vocab } from '../../src/engine/tasks/vocab';
import { disposeBatch } from '../../src/engine/train/batches';
import { describeShapes } from '../../src/engine/train/shapes';
import { train } from '../../src/engine/train/trainer';
import { defaultsOf } from '../../src/shared/course/hyperparameters';
import { useBackend } from './helpers';
import { assertNoLeak, checkGradients as checkGradientsLeavingValue, seeded } from './nn-helpers';

/** nn-helpers' check, inside a tidy: the loss value it computes is not left behind. */
function checkGradients(loss: () => tf.Scalar, variables: tf.Variable[], coordinates?: number): void {
  tf.tidy(() => checkGradientsLeavingValue(loss, variables, coordinates));
}

const chapter = trainableChapter('bert-mlm')!;
const sizes: BertSizes = {
  positions: 'learned',
  vocabSize: 13,
  maxLength: 16,
  modelSize: 8,
  layers: 2,
  heads: 2,
  feedForwardSize: 12,
};

/** Gives every weight seeded non-zero values (biases and gains too), so a wrong term shows in the gradient. */
function randomise(parameters: Parameters, seed: number): void {
  tf.tidy(() => parameters.list().forEach((v, i) => v.assign(tf.tensor(seeded(v.size, seed * 100 + i, 0.5), v.shape))));
}

function ids(rows: number[][]): tf.Tensor2D {
  return tf.tensor2d(rows, [rows.length, rows[0].length], 'int32');
}

describe('bert-mlm blocks: gradients against central differences (cpu)', () => {
  before(() => useBackend('cpu'));

  it('embedding lookup (gather, scatter-add gradient) = one-hot matmul, and its gradient is right', () => {
    assertNoLeak(() => {
      const parameters = new Parameters(createRandom(1));
      const table = parameters.normal('table', 7, 3, 1);
      const tokens = ids([
        [1, 4, 4, 0],
        [6, 1, 2, 4],
      ]);
      const weights = tf.tensor3d(seeded(24, 5), [2, 4, 3]);
      const loss = (lookup: typeof embed) => () =>
        tf.sum(tf.mul(lookup(tokens, table as tf.Tensor2D), weights)) as tf.Scalar;
      tf.tidy(() => {
        assert.deepEqual(
          embedLookup(tokens, table as tf.Tensor2D).arraySync(),
          embed(tokens, table as tf.Tensor2D).arraySync(),
        );
        const a = tf.variableGrads(loss(embedLookup), [table]);
        const b = tf.variableGrads(loss(embed), [table]);
        const [ga, gb] = [a.grads[table.name].dataSync(), b.grads[table.name].dataSync()];
        ga.forEach((g, i) => assert.ok(Math.abs(g - gb[i]) < 1e-5, `d table[${i}]: ${g} vs ${gb[i]}`));
      });
      checkGradients(loss(embedLookup), [table], 8);
      tf.dispose([tokens, weights]);
      parameters.dispose();
    });
  });

  for (const positions of ['learned', 'sinusoidal'] as const) {
    it(`token + segment + ${positions} position embeddings with layer norm`, () => {
      assertNoLeak(() => {
        const parameters = new Parameters(createRandom(2));
        const weights = createBertEmbeddings(parameters, { ...sizes, positions });
        randomise(parameters, 2);
        assert.equal(weights.positions === null, positions === 'sinusoidal', 'a fixed table is not a weight');
        const tokens = ids([
          [CLS_ID, 8, 9, SEP_ID, 10, SEP_ID],
          [CLS_ID, 11, SEP_ID, 12, SEP_ID, 0],
        ]);
        const segments = ids([
          [0, 0, 0, 0, 1, 1],
          [0, 0, 0, 1, 1, 0],
        ]);
        const probe = tf.tensor3d(seeded(2 * 6 * 8, 3), [2, 6, 8]);
        checkGradients(
          () => tf.sum(tf.mul(bertEmbeddings(tokens, segments, weights).output, probe)) as tf.Scalar,
          parameters.list(),
        );
        tf.dispose([tokens, segments, probe]);
        parameters.dispose();
      });
    });
  }

  it('one post-LN encoder layer (multi-head self-attention with a padding mask, GELU feed-forward)', () => {
    assertNoLeak(() => {
      const parameters = new Parameters(createRandom(3));
      const layer = createEncoderLayer(parameters, 0, sizes);
      randomise(parameters, 3);
      const x = tf.tensor3d(seeded(2 * 5 * 8, 4), [2, 5, 8]);
      const tokens = ids([
        [4, 8, 9, 5, 5],
        [4, 8, 5, 0, 0],
      ]);
      const keep = paddingKeepMask(tokens);
      const probe = tf.tensor3d(seeded(2 * 5 * 8, 5), [2, 5, 8]);
      checkGradients(() => tf.sum(tf.mul(encoderLayer(x, keep, layer).output, probe)) as tf.Scalar, parameters.list());
      tf.dispose([x, tokens, keep, probe]);
      parameters.dispose();
    });
  });

  it('the MLM head at the gathered positions, output tied to the token embeddings', () => {
    assertNoLeak(() => {
      const parameters = new Parameters(createRandom(4));
      const embeddings = createBertEmbeddings(parameters, sizes);
      const head = createMlmHead(parameters, sizes);
      randomise(parameters, 4);
      const hidden = parameters.uniform('hidden', 2 * 5, 8, 1);
      const positions = ids([
        [1, 3, 0],
        [2, 0, 0],
      ]);
      const targets = ids([
        [8, 9, 0],
        [10, 0, 0],
      ]);
      const weight = tf.tensor2d(
        [
          [1, 1, 0],
          [1, 0, 0],
        ],
        [2, 3],
      );
      const loss = () =>
        tf.tidy(() => {
          const gathered = gatherPositions(tf.reshape(hidden, [2, 5, 8]) as tf.Tensor3D, positions);
          const { logits } = mlmHead(gathered, head, embeddings.tokens as tf.Tensor2D);
          const truth = tf.cast(tf.oneHot(targets, sizes.vocabSize), 'float32');
          const tokenLoss = tf.neg(tf.sum(tf.mul(truth, tf.logSoftmax(logits)), 2)); // [batch, predictions]
          return tf.div(tf.sum(tf.mul(tokenLoss, weight)), tf.sum(weight)) as tf.Scalar;
        });
      // The tied table gets gradient from the output layer; positions, segments and norm do not enter here.
      checkGradients(loss, [
        embeddings.tokens,
        head.transformKernel,
        head.transformBias,
        head.norm.gain,
        head.outputBias,
        hidden,
      ]);
      tf.dispose([positions, targets, weight]);
      parameters.dispose();
    });
  });

  it('the NSP head on [CLS] and its loss', () => {
    assertNoLeak(() => {
      const parameters = new Parameters(createRandom(5));
      const head = createNspHead(parameters, sizes);
      randomise(parameters, 5);
      const hidden = parameters.uniform('hidden', 3 * 4, 8, 1);
      const isNext = tf.tensor1d([1, 0, 1], 'int32');
      checkGradients(
        () => nspLoss(nspHead(tf.reshape(hidden, [3, 4, 8]) as tf.Tensor3D, head).logits, isNext),
        parameters.list(),
      );
      tf.dispose(isNext);
      parameters.dispose();
    });
  });
});

describe('embedding lookup on wasm', () => {
  before(() => useBackend('wasm'));

  it('gather + scatter-add gives the one-hot matmul’s values and gradients (duplicate ids summed)', () => {
    assertNoLeak(() => {
      const initial = tf.tensor2d(seeded(9 * 4, 7), [9, 4]);
      const table = tf.variable(initial);
      initial.dispose();
      const tokens = ids([
        [3, 3, 8, 0],
        [3, 1, 1, 5],
      ]);
      const probe = tf.tensor3d(seeded(2 * 4 * 4, 8), [2, 4, 4]);
      tf.tidy(() => {
        const values = [embedLookup, embed].map((f) => f(tokens, table).dataSync());
        values[0].forEach((x, i) => assert.ok(Math.abs(x - values[1][i]) < 1e-6));
        const grads = [embedLookup, embed].map((f) =>
          tf
            .variableGrads(() => tf.sum(tf.mul(f(tokens, table), probe)) as tf.Scalar, [table])
            .grads[table.name].dataSync(),
        );
        grads[0].forEach((g, i) => assert.ok(Math.abs(g - grads[1][i]) < 1e-5, `d table[${i}]`));
      });
      tf.dispose([table, tokens, probe]);
    });
  });
});

/** `batch` examples, the first `length` long and the others shorter (padding), a few positions masked. */
function examples(batch: number, length: number): MlmExample[] {
  const random = createRandom(batch * 100 + length);
  return Array.from({ length: batch }, (_, n) => {
    const size = n === 0 ? length : 4 + random.int(length - 3);
    const cut = 1 + random.int(size - 3); // the first [SEP]
    const input = Array.from({ length: size }, (_, i) =>
      i === 0 ? CLS_ID : i === cut || i === size - 1 ? SEP_ID : 7 + random.int(10),
    );
    const selection = input.map((id, i): Selection =>
      id !== CLS_ID && id !== SEP_ID && (i + n) % 3 === 0 ? REPLACED_BY_MASK : NOT_SELECTED,
    );
    return {
      input: input.map((id, i) => (selection[i] === REPLACED_BY_MASK ? MASK_ID : id)),
      original: input,
      selection,
      segments: input.map((_, i) => (i <= cut ? 0 : 1)),
      isNext: n % 2 === 0,
    };
  });
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`bert-mlm shapes (${backend})`, () => {
    before(() => useBackend(backend));
    const vocab = new Vocab(['[CLS]', '[SEP]', '[MASK]', ...'abcdefghij'.split('')]);
    const data = { sourceVocab: vocab, targetVocab: vocab } as unknown as RunData;
    const hyper = {
      ...defaultsOf(chapter.info, 'masked-words'),
      dModel: 8,
      heads: 2,
      layers: 2,
      dFf: 12,
      maxLength: 16,
    };

    for (const nsp of [false, true])
      for (const batch of [3, 7])
        for (const length of [6, 13]) {
          it(`${nsp ? 'nsp' : 'mlm'}: batch ${batch}, len ${length}`, () => {
            const before = tf.memory().numTensors;
            const parameters = new Parameters(createRandom(1));
            // The nsp cases also use the fixed sinusoidal positions.
            const model = chapter.createModel(
              parameters,
              { ...hyper, nsp, positions: nsp ? 'sinusoidal' : 'learned' },
              data,
            );
            const items = examples(batch, length);
            const predictions = Math.max(...items.map((e) => e.selection.filter((s) => s !== NOT_SELECTED).length));
            const tensors = makeMlmBatch(items);
            tf.tidy(() => {
              const output = model.forward(tensors, { training: true, seed: 3 });
              const entries = describeShapes(chapter.info, output.named, parameters);
              for (const entry of entries) {
                assert.equal(entry.dims.length, entry.shape.length, `${entry.name}: one name per axis`);
                assert.ok(entry.meaning.en && entry.meaning['zh-cn'], `${entry.name}: both languages`);
                assert.ok(entry.source, `${entry.name} knows the line that creates it`);
              }
              const V = vocab.size;
              const expected: Record<string, number[]> = {
                source_ids: [batch, length],
                segment_ids: [batch, length],
                token_embeddings: [batch, length, 8],
                segment_embeddings: [batch, length, 8],
                embedding_output: [batch, length, 8],
                'encoder/layer0/attention_weights': [batch, 2, length, length],
                'encoder/layer0/output': [batch, length, 8],
                'encoder/layer1/attention_weights': [batch, 2, length, length],
                'encoder/layer1/output': [batch, length, 8],
                mlm_positions: [batch, predictions],
                mlm_hidden: [batch, predictions, 8],
                mlm_transformed: [batch, predictions, 8],
                logits: [batch, predictions, V],
                target_ids: [batch, predictions],
                loss_mask: [batch, predictions],
                ...(nsp ? { cls_pooled: [batch, 8], nsp_logits: [batch, 2], is_next: [batch] } : {}),
              };
              const activations = Object.fromEntries(
                entries.filter((e) => e.kind === 'activation').map((e) => [e.name, e.shape]),
              );
              assert.deepEqual(activations, expected);
              assert.equal(output.auxiliaryLoss !== undefined, nsp, 'the NSP loss is the auxiliary loss');
              assert.equal(output.attention.length, 2);
              for (const attention of output.attention) {
                const weights = attention.weights.arraySync() as number[][][][];
                weights.forEach((heads, n) =>
                  heads.forEach((rows) =>
                    rows.forEach((row, q) => {
                      if (q >= items[n].input.length) return; // a padding query: its row is never read
                      assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5, 'a row sums to 1');
                      row.forEach((w, k) => {
                        if (k >= items[n].input.length) assert.equal(w, 0, 'padding keys get exactly 0');
                      });
                    }),
                  ),
                );
              }
            });
            disposeBatch(tensors);
            parameters.dispose();
            assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
          });
        }
  });
}

describe('bert-mlm gradient groups', () => {
  it('one group per encoder layer, the embeddings and each head', () => {
    const groupOf = chapter.gradientGroups!;
    assert.equal(groupOf('encoder/layer0/attention/qkv_kernel'), 'layer0');
    assert.equal(groupOf('encoder/layer11/feed_forward/output_bias'), 'layer11');
    assert.equal(groupOf('embeddings/positions/position_embeddings'), 'embeddings');
    assert.equal(groupOf('mlm/output_bias'), 'mlm_head');
    assert.equal(groupOf('nsp/pooler_kernel'), 'nsp_head');
  });
});

describe('bert-mlm output bias at the start', () => {
  it('is the add-one-smoothed log-frequency of each training token (hand-computed)', () => {
    // Vocabulary of 9, sentences [7 8 7] and [7]: counts + 1 are 1 (ids 0..6), 4 (id 7), 2 (id 8); total 9 + 4 = 13.
    const priors = logUnigramPriors(
      [
        { ids: [7, 8, 7], document: 0 },
        { ids: [7], document: 0 },
      ],
      9,
    );
    const expected = [...Array<number>(7).fill(Math.log(1 / 13)), Math.log(4 / 13), Math.log(2 / 13)];
    assert.equal(priors.length, 9);
    priors.forEach((value, id) => assert.ok(Math.abs(value - expected[id]) < 1e-6, `id ${id}: ${value}`));
  });

  it('a model on prepared data starts from them; a model for saved weights starts from zeros', () => {
    const hyperparameters = { ...defaultsOf(chapter.info, 'masked-words'), vocabSize: 300, maxLength: 16 };
    const data = chapter.prepare({ task: 'masked-words', hyperparameters, seed: 1, corpus: 'zh' });
    assert.ok(isMaskedLmData(data));
    const parameters = new Parameters(createRandom(1));
    chapter.createModel(parameters, hyperparameters, data);
    const bias = Array.from(parameters.get('mlm/output_bias').dataSync());
    const expected = logUnigramPriors(data.trainSentences, data.sourceVocab.size);
    assert.equal(bias.length, data.sourceVocab.size);
    bias.forEach((value, id) => assert.ok(Math.abs(value - expected[id]) < 1e-5, `id ${id}: ${value}`));
    const share = bias.reduce((sum, value) => sum + Math.exp(value), 0);
    assert.ok(Math.abs(share - 1) < 1e-3, `the priors are a distribution: ${share}`);
    parameters.dispose();

    const saved = chapter.prepare({
      task: 'masked-words',
      hyperparameters,
      seed: 1,
      saved: {
        sourceVocab: [...data.sourceVocab.tokens],
        targetVocab: [...data.sourceVocab.tokens],
        tokenLevel: 'word',
      },
    });
    const fresh = new Parameters(createRandom(1));
    chapter.createModel(fresh, hyperparameters, saved);
    assert.ok(Array.from(fresh.get('mlm/output_bias').dataSync()).every((value) => value === 0));
    fresh.dispose();
  });
});

describe('bert-mlm training (wasm)', () => {
  let runsDir: string;
  before(async () => {
    await useBackend('wasm');
    runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-bert-mlm-'));
  });
  after(() => fs.rmSync(runsDir, { recursive: true, force: true }));

  it('tf.memory().numTensors is equal after evaluations 2 and 3 (nsp: both heads)', async () => {
    const counts: number[] = [];
    await train(
      {
        chapter,
        runsDir,
        backend: 'wasm',
        packageVersion: 'test',
        variant: 'nsp',
        corpus: 'zh',
        overrides: {
          epochs: 3,
          evalSteps: 2,
          batchSize: 4,
          dModel: 16,
          heads: 2,
          dFf: 16,
          maxLength: 16,
          validationSize: 8,
          vocabSize: 300,
        },
      },
      { epoch: () => counts.push(tf.memory().numTensors) },
    );
    assert.equal(counts.length, 3);
    assert.equal(counts[2], counts[1]);
  });
});
