/**
 * Shapes of every named tensor for two batch sizes and two source lengths, in both seq2seq
 * chapters; greedy decoding shapes; attention rows of a real forward pass sum to 1 and padding
 * gets exactly 0; cpu and wasm agree; a typed special token stays ordinary text.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import type { Hyperparameters } from '../../src/shared/course/chapter';
import type { Chapter, RunData } from '../../src/engine/chapters/contract';
import { trainableChapter } from '../../src/engine/chapters/registry';
import { encodeExamples, makeSeq2SeqBatch } from '../../src/engine/kits/seq2seq/batch';
import { Parameters } from '../../src/engine/nn/parameters';
import { createRandom } from '../../src/engine/random';
import { Vocab } from '../../src/engine/tasks/vocab';
import { disposeBatch } from '../../src/engine/train/batches';
import { greedyDecode } from '../../src/engine/train/decode';
import { describeShapes } from '../../src/engine/train/shapes';
import { useBackend } from './helpers';

const sourceVocab = new Vocab('abcdefghij'.split(''));
const targetVocab = new Vocab('0123456789-'.split(''));
const hyper: Hyperparameters = { embeddingSize: 6, hiddenSize: 8, attentionSize: 5 };
/** The models read only the vocabularies from the run's data. */
const data = { sourceVocab, targetVocab } as unknown as RunData;
const seq2seq = trainableChapter('seq2seq')!;
const attentionSeq2Seq = trainableChapter('attention-seq2seq')!;

function examples(batch: number, sourceLen: number, targetLen: number) {
  const random = createRandom(batch * 100 + sourceLen);
  return Array.from({ length: batch }, (_, i) => ({
    // The first example is the longest; the others are shorter, so the batch has padding.
    source: Array.from({ length: i === 0 ? sourceLen : 1 + random.int(sourceLen) }, () =>
      random.pick('abcdefghij'.split('')),
    ),
    target: Array.from({ length: targetLen }, () => random.pick('0123456789-'.split(''))),
  }));
}

function expectedShapes(batch: number, sourceLen: number, targetLen: number): Record<string, number[]> {
  const H = 8;
  const E = 6;
  const A = 5;
  const V = targetVocab.size;
  return {
    source_ids: [batch, sourceLen],
    source_mask: [batch, sourceLen],
    source_embeddings: [batch, sourceLen, E],
    encoder_outputs: [batch, sourceLen, H],
    encoder_final_state: [batch, H],
    decoder_input_ids: [batch, targetLen],
    decoder_embeddings: [batch, targetLen, E],
    decoder_outputs: [batch, targetLen, H],
    attention_keys: [batch, sourceLen, A],
    attention_scores: [batch, targetLen, sourceLen],
    attention_weights: [batch, targetLen, sourceLen],
    context: [batch, targetLen, H],
    decoder_output_and_context: [batch, targetLen, 2 * H],
    logits: [batch, targetLen, V],
    target_ids: [batch, targetLen],
  };
}

for (const backend of ['cpu', 'wasm'] as const) {
  for (const chapter of [seq2seq, attentionSeq2Seq] as Chapter[]) {
    describe(`${chapter.info.id} shapes (${backend})`, () => {
      before(() => useBackend(backend));

      for (const batch of [3, 7]) {
        for (const sourceLen of [4, 11]) {
          it(`batch ${batch}, source_len ${sourceLen}`, () => {
            const before = tf.memory().numTensors;
            const parameters = new Parameters(createRandom(1));
            const model = chapter.createModel(parameters, hyper, data);
            const items = encodeExamples(examples(batch, sourceLen, 5), sourceVocab, targetVocab);
            const tensors = makeSeq2SeqBatch(items);
            const targetLen = 6; // 5 target tokens + <eos>
            let entries: ReturnType<typeof describeShapes> = [];
            let rows: number[][][][] = [];
            let keep: number[][][][] = [];
            tf.tidy(() => {
              const output = model.forward(tensors, { training: false, seed: 0 });
              entries = describeShapes(chapter.info, output.named, parameters);
              rows = output.attention.map((a) => a.weights.arraySync() as number[][][][])[0] ?? [];
              const mask = output.attention[0]?.keep;
              keep = mask ? (tf.mul(tf.onesLike(output.attention[0].weights), mask).arraySync() as number[][][][]) : [];
            });
            const expected = expectedShapes(batch, sourceLen, targetLen);
            const activations = entries.filter((e) => e.kind === 'activation');
            assert.ok(activations.length >= 8);
            for (const entry of entries) {
              assert.equal(entry.dims.length, entry.shape.length, `${entry.name}: one dimension name per axis`);
              assert.ok(entry.meaning.en && entry.meaning['zh-cn'], `${entry.name} has a meaning in both languages`);
              assert.ok(entry.source, `${entry.name} knows the line that creates it`);
            }
            for (const entry of activations) assert.deepEqual(entry.shape, expected[entry.name], entry.name);
            const names = activations.map((e) => e.name);
            if (chapter === attentionSeq2Seq) {
              assert.ok(names.includes('attention_weights') && names.includes('context'));
              assert.deepEqual(entries.find((e) => e.name === 'attention_weights')!.dims, [
                'batch',
                'target_len',
                'source_len',
              ]);
              // [batch, heads = 1, target_len, source_len]: rows sum to 1, padded keys get exactly 0 and are masked.
              rows.forEach((heads, n) =>
                heads[0].forEach((row, q) => {
                  assert.ok(Math.abs(row.reduce((a, c) => a + c, 0) - 1) < 1e-5);
                  row.forEach((w, s) => {
                    const padding = s >= items[n].sourceIds.length;
                    if (padding) assert.equal(w, 0);
                    assert.equal(keep[n][0][q][s], padding ? 0 : 1);
                  });
                }),
              );
            } else {
              assert.ok(!names.includes('attention_weights'), 'seq2seq has no attention');
            }
            const greedy = greedyDecode(model.decoder!, tensors.inputs, batch, 4, 1, true);
            assert.deepEqual(greedy.tokens.shape, [batch, 4]);
            if (chapter === attentionSeq2Seq)
              assert.deepEqual(greedy.attention[0].weights.shape, [batch, 1, 4, sourceLen]);
            else assert.equal(greedy.attention.length, 0);
            tf.dispose([greedy.tokens, ...greedy.attention.map((a) => a.weights)]);
            disposeBatch(tensors);
            parameters.dispose();
            assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
          });
        }
      }
    });
  }
}

describe('cpu and wasm agree', () => {
  it('the same model and batch give the same logits on both backends', async () => {
    const results: number[][] = [];
    for (const backend of ['cpu', 'wasm'] as const) {
      await useBackend(backend);
      const parameters = new Parameters(createRandom(5));
      const model = attentionSeq2Seq.createModel(parameters, hyper, data);
      const tensors = makeSeq2SeqBatch(encodeExamples(examples(4, 7, 5), sourceVocab, targetVocab));
      const logits = tf.tidy(() => model.forward(tensors, { training: false, seed: 0 }).logits);
      results.push(Array.from(logits.dataSync()));
      logits.dispose();
      disposeBatch(tensors);
      parameters.dispose();
    }
    const [cpu, wasm] = results;
    assert.ok(
      cpu.some((x) => Math.abs(x) > 1e-3),
      'logits are not all zero',
    );
    cpu.forEach((x, i) => assert.ok(Math.abs(x - wasm[i]) < 1e-4, `logit ${i}: cpu ${x} vs wasm ${wasm[i]}`));
  });
});
