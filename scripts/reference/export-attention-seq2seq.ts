/**
 * Exports, from the engine's own code, everything a PyTorch re-implementation needs to train exactly
 * the run `llm-tutor train attention-seq2seq` trains by default (task dates, seed 42, the chapter's
 * default hyperparameters): the encoded train and validation examples, every epoch's batches (indices
 * into the training set, in the trainer's order), the initial weights by name as the trainer creates
 * them, the special ids and how evaluation decodes. It also records, on the wasm backend the CLI
 * trains on, the loss and gradient norm of the first batch at the initial weights and the loss of the
 * same batch after one clipped Adam step, so the other implementation can check its forward and
 * backward pass against ours. scripts/reference/attention_seq2seq.py reads the file (issue 13).
 *
 *   node --import tsx scripts/reference/export-attention-seq2seq.ts OUT.json [epochs]
 *
 * `epochs` defaults to the chapter's (10). Not part of the extension, the CLI or the tests.
 */
import * as fs from 'fs';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/engine/backend';
import { trainableChapter } from '../../src/engine/chapters/registry';
import type { ChapterModel } from '../../src/engine/chapters/contract';
import { decodingSteps } from '../../src/engine/kits/seq2seq/evaluate';
import type { EncodedExample } from '../../src/engine/kits/seq2seq/batch';
import type { Seq2SeqData } from '../../src/engine/kits/seq2seq/data';
import { clipByGlobalNorm, maskedCrossEntropy } from '../../src/engine/nn/loss';
import { Parameters } from '../../src/engine/nn/parameters';
import { createRandom } from '../../src/engine/random';
import { BOS_ID, EOS_ID, PAD_ID, UNK_ID } from '../../src/engine/tasks/vocab';
import { disposeBatch } from '../../src/engine/train/batches';
import { planNewRun } from '../../src/engine/train/runConfig';

/** evaluate.ts's chunk size (evaluateSeq2Seq's default): validation is decoded 256 examples at a time. */
const EVALUATION_BATCH = 256;

/** Loss of one batch and, unless `lossOnly`, the global L2 norm of its gradients (before clipping). */
function batchLoss(model: ChapterModel, parameters: Parameters, items: unknown[], data: Seq2SeqData) {
  const batch = data.batch(items);
  try {
    return tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => {
        const { logits } = model.forward(batch, { training: true, seed: 0 });
        return maskedCrossEntropy(logits, batch.targets, batch.lossMask);
      }, parameters.list());
      const norm = tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g)))));
      Object.values(grads).forEach((g) => tf.keep(g));
      return { loss: value.dataSync()[0], gradientNorm: norm.dataSync()[0], grads };
    });
  } finally {
    disposeBatch(batch);
  }
}

async function main(): Promise<void> {
  const out = process.argv[2];
  if (!out) throw new Error('usage: export-attention-seq2seq.ts OUT.json [epochs]');
  await selectBackend('wasm');
  const chapter = trainableChapter('attention-seq2seq')!;
  const plan = planNewRun(chapter, {}); // what `llm-tutor train attention-seq2seq` resolves with no options
  const hyper = plan.hyperparameters;
  const epochs = Number(process.argv[3] ?? hyper.epochs);
  if (!Number.isSafeInteger(epochs) || epochs < 1) throw new Error(`epochs must be a whole number ≥ 1`);
  const batchSize = Number(hyper.batchSize);
  const data = chapter.prepare({ task: plan.task, hyperparameters: hyper, seed: plan.seed }) as Seq2SeqData;
  const index = new Map(data.train.map((item, i) => [item, i]));
  // trainEpoch (train/epoch.ts) takes data.epochBatches(epoch, batchSize) for epochs 1, 2, …
  const batches = Array.from({ length: epochs }, (_, e) =>
    data.epochBatches(e + 1, batchSize).map((items) => items.map((item) => index.get(item as EncodedExample)!)),
  );

  // As trainer.ts: a fresh generator of the run's seed, then the chapter's model.
  const parameters = new Parameters(createRandom(plan.seed));
  const model = chapter.createModel(parameters, hyper, data);
  const weights = Object.fromEntries(
    parameters
      .entries()
      .map(([name, variable]) => [name, { shape: variable.shape, values: Array.from(variable.dataSync()) }]),
  );

  // The first training step, for the fidelity check: loss and gradient norm at the initial weights,
  // then one step of the chapter's optimiser on clipped gradients, then that batch's loss again.
  const firstItems = data.epochBatches(1, batchSize)[0];
  const before = batchLoss(model, parameters, firstItems, data);
  const optimizer = chapter.createOptimizer(hyper, { parameters, stepsPerEpoch: batches[0].length });
  tf.tidy(() => optimizer.applyGradients(clipByGlobalNorm(before.grads, Number(hyper.clipNorm)), 1));
  tf.dispose(before.grads);
  const after = batchLoss(model, parameters, firstItems, data);
  tf.dispose(after.grads);
  optimizer.dispose();
  parameters.dispose();

  const encode = (items: EncodedExample[]) =>
    items.map((item) => ({ source: item.sourceIds, decoderInput: item.decoderInputIds, target: item.targetIds }));
  fs.writeFileSync(
    out,
    JSON.stringify({
      chapter: chapter.info.id,
      task: plan.task,
      seed: plan.seed,
      hyperparameters: hyper,
      epochs,
      vocab: {
        sourceSize: data.sourceVocab.size,
        targetSize: data.targetVocab.size,
        source: data.sourceVocab.tokens,
        target: data.targetVocab.tokens,
        pad: PAD_ID,
        bos: BOS_ID,
        eos: EOS_ID,
        unk: UNK_ID,
      },
      // kits/seq2seq/evaluate.ts: chunks of 256 in order of source length, greedy decoding from <bos> for
      // as many steps as the longest validation target (+ <eos>), read up to the first <eos>; exact
      // match = <eos> produced and every token before it equal to the target.
      evaluation: {
        batchSize: EVALUATION_BATCH,
        decodeSteps: decodingSteps(data.validation),
        startId: BOS_ID,
        stopId: EOS_ID,
        order: 'source length, then index',
      },
      train: encode(data.train),
      validation: encode(data.validation),
      batches,
      weights,
      reference: {
        backend: tf.getBackend(),
        firstBatchLoss: before.loss,
        firstBatchGradientNorm: before.gradientNorm,
        firstBatchLossAfterOneStep: after.loss,
      },
    }),
  );
  console.log(
    `wrote ${out}: ${data.train.length} train and ${data.validation.length} validation examples, ${epochs} epoch(s) of ` +
      `${batches[0].length} batches; first batch loss ${before.loss} (gradient norm ${before.gradientNorm}), ` +
      `after one step ${after.loss}`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
