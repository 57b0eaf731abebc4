/**
 * Exports what a side-by-side reference needs to train exactly the run `npm run bench` trains —
 * the default attention-seq2seq on dates — in another framework: the encoded train and validation
 * examples, every epoch's batches (indices into the training set, in order), the initial weights
 * by name, and the hyperparameters. scripts/reference/attention_seq2seq.py reads it (PyTorch).
 *
 *   node --import tsx scripts/reference/export-attention-seq2seq.ts OUT.json [--epochs 10] [--seed 42]
 */
import * as fs from 'fs';
import { parseArgs } from 'util';
import { defaultsOf } from '../../src/shared/course/hyperparameters';
import { selectBackend } from '../../src/engine/backend';
import { trainableChapter } from '../../src/engine/chapters/registry';
import type { Seq2SeqData } from '../../src/engine/kits/seq2seq/data';
import { Parameters } from '../../src/engine/nn/parameters';
import { createRandom } from '../../src/engine/random';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { epochs: { type: 'string' }, seed: { type: 'string' } },
  });
  const out = positionals[0];
  if (!out) throw new Error('usage: export-attention-seq2seq.ts OUT.json');
  await selectBackend('cpu');
  const chapter = trainableChapter('attention-seq2seq')!;
  const seed = Number(values.seed ?? 42);
  const hyper = defaultsOf(chapter.info, 'dates');
  const epochs = Number(values.epochs ?? hyper.epochs);
  const data = chapter.prepare({ task: 'dates', hyperparameters: hyper, seed }) as Seq2SeqData;
  const index = new Map(data.train.map((item, i) => [item, i]));
  const batches = Array.from({ length: epochs }, (_, e) =>
    data.epochBatches(e + 1, Number(hyper.batchSize)).map((items) => items.map((item) => index.get(item as never)!)),
  );
  const parameters = new Parameters(createRandom(seed));
  chapter.createModel(parameters, hyper, data);
  const weights = Object.fromEntries(
    parameters
      .entries()
      .map(([name, variable]) => [name, { shape: variable.shape, values: Array.from(variable.dataSync()) }]),
  );
  parameters.dispose();
  const encode = (items: typeof data.train) =>
    items.map((item) => ({ source: item.sourceIds, decoderInput: item.decoderInputIds, target: item.targetIds }));
  fs.writeFileSync(
    out,
    JSON.stringify({
      hyperparameters: hyper,
      seed,
      epochs,
      sourceVocabSize: data.sourceVocab.size,
      targetVocabSize: data.targetVocab.size,
      train: encode(data.train),
      validation: encode(data.validation),
      batches,
      weights,
    }),
  );
  console.log(
    `wrote ${out}: ${data.train.length} training and ${data.validation.length} validation examples, ${epochs} epochs of batches`,
  );
}

void main();
