/**
 * Shapes of every named tensor for two batch sizes and two source lengths, in both chapters;
 * greedy decoding shapes; attention rows of a real forward pass sum to 1 and ignore padding.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { describeShapes } from '../../src/engine/chapters/glossary';
import { attentionSeq2SeqChapter } from '../../src/engine/chapters/attention-seq2seq/chapter';
import { seq2seqChapter } from '../../src/engine/chapters/seq2seq/chapter';
import type { TrainableChapter } from '../../src/engine/chapters/types';
import { Parameters } from '../../src/engine/nn/parameters';
import { createRandom } from '../../src/engine/random';
import { Vocab } from '../../src/engine/tasks/vocab';
import { disposeBatch, encodeExamples, makeBatch } from '../../src/engine/train/batches';
import { useBackend } from './helpers';

const sourceVocab = new Vocab('abcdefghij'.split(''));
const targetVocab = new Vocab('0123456789-'.split(''));
const sizes = {
  sourceVocabSize: sourceVocab.size,
  targetVocabSize: targetVocab.size,
  embeddingSize: 6,
  hiddenSize: 8,
  attentionSize: 5,
};

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
  const { hiddenSize: H, embeddingSize: E, attentionSize: A, targetVocabSize: V } = sizes;
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
  for (const chapter of [seq2seqChapter, attentionSeq2SeqChapter] as TrainableChapter[]) {
    describe(`${chapter.info.id} shapes (${backend})`, () => {
      before(() => useBackend(backend));

      for (const batch of [3, 7]) {
        for (const sourceLen of [4, 11]) {
          it(`batch ${batch}, source_len ${sourceLen}`, () => {
            const before = tf.memory().numTensors;
            const parameters = new Parameters(createRandom(1));
            const model = chapter.createModel(parameters, sizes);
            const items = encodeExamples(examples(batch, sourceLen, 5), sourceVocab, targetVocab);
            const tensors = makeBatch(items);
            const targetLen = 6; // 5 target tokens + <eos>
            let entries: ReturnType<typeof describeShapes> = [];
            let rows: number[][][] | null = null;
            tf.tidy(() => {
              const output = model.teacherForced(tensors);
              entries = describeShapes(output.named, parameters);
              rows = output.attentionWeights ? (output.attentionWeights.arraySync() as number[][][]) : null;
            });
            const expected = expectedShapes(batch, sourceLen, targetLen);
            const activations = entries.filter((e) => !e.name.includes('/'));
            assert.ok(activations.length >= 8);
            for (const entry of entries) {
              assert.equal(entry.dims.length, entry.shape.length, `${entry.name}: one dimension name per axis`);
              assert.ok(entry.meaning.en && entry.meaning['zh-cn'], `${entry.name} has a meaning in both languages`);
            }
            for (const entry of activations) assert.deepEqual(entry.shape, expected[entry.name], entry.name);
            const names = activations.map((e) => e.name);
            if (chapter === attentionSeq2SeqChapter) {
              assert.ok(names.includes('attention_weights') && names.includes('context'));
              assert.deepEqual(entries.find((e) => e.name === 'attention_weights')!.dims, [
                'batch',
                'target_len',
                'source_len',
              ]);
              // Rows sum to 1 and padded source positions get exactly 0.
              rows!.forEach((matrix, n) =>
                matrix.forEach((row) => {
                  assert.ok(Math.abs(row.reduce((a, c) => a + c, 0) - 1) < 1e-5);
                  row.forEach((w, s) => {
                    if (s >= items[n].sourceIds.length) assert.equal(w, 0);
                  });
                }),
              );
            } else {
              assert.ok(!names.includes('attention_weights'), 'seq2seq has no attention');
            }
            const greedy = model.greedy(tensors.sourceIds, tensors.sourceMask, 4);
            assert.deepEqual(greedy.tokens.shape, [batch, 4]);
            if (greedy.attentionWeights) assert.deepEqual(greedy.attentionWeights.shape, [batch, 4, sourceLen]);
            else assert.equal(chapter, seq2seqChapter);
            tf.dispose([greedy.tokens, ...(greedy.attentionWeights ? [greedy.attentionWeights] : [])]);
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
  it('the same model and batch give the same loss and logits on both backends', async () => {
    const results: number[][] = [];
    for (const backend of ['cpu', 'wasm'] as const) {
      await useBackend(backend);
      const parameters = new Parameters(createRandom(5));
      const model = attentionSeq2SeqChapter.createModel(parameters, sizes);
      const tensors = makeBatch(encodeExamples(examples(4, 7, 5), sourceVocab, targetVocab));
      const logits = tf.tidy(() => model.teacherForced(tensors).logits);
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
