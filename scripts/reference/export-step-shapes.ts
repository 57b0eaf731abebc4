/**
 * Writes what scripts/reference/transformer_steps.py needs to build a PyTorch step equivalent to
 * ours, for each Transformer-family chapter (issue 13: ms per training step against PyTorch): the
 * default run's task, variant and hyperparameters, the vocabulary sizes, and the one real batch
 * our step benchmark trains on (the middle batch of epoch 1, as `trainingStepWorkload` in
 * src/engine/train/stepWorkload.ts picks it), every tensor with its shape and values. Using that
 * very batch gives the PyTorch step the same sequence lengths, padding and loss positions. Also
 * our model's initial weights by name, and the loss and gradient norm they give on that batch
 * without dropout: transformer_steps.py --check loads the weights into its model and compares.
 *
 * Run from the repository root:
 *   node --import tsx scripts/reference/export-step-shapes.ts SHAPES.json
 */
import { writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/engine/backend';
import { trainableChapter } from '../../src/engine/chapters/registry';
import { maskedCrossEntropy } from '../../src/engine/nn/loss';
import { Parameters } from '../../src/engine/nn/parameters';
import { createRandom } from '../../src/engine/random';
import { disposeBatch } from '../../src/engine/train/batches';
import { planNewRun } from '../../src/engine/train/runConfig';
import type { ChapterId } from '../../src/shared/ids';

const CHAPTERS: ChapterId[] = ['transformer', 'mini-gpt', 'bert-mlm', 'modern-attention'];
/** The seed of our step benchmark (/work/scratch/prof/steps.ts and trainingStepWorkload). */
const SEED = 42;

interface ExportedTensor {
  shape: number[];
  dtype: string;
  values: number[];
}

async function exportTensor(tensor: tf.Tensor): Promise<ExportedTensor> {
  return { shape: tensor.shape, dtype: tensor.dtype, values: Array.from(await tensor.data()) };
}

async function exportChapter(id: ChapterId) {
  const chapter = trainableChapter(id);
  if (!chapter) throw new Error(`${id} is not trainable in this build`);
  const plan = planNewRun(chapter, {});
  const hyper = plan.hyperparameters;
  const data = chapter.prepare({ task: plan.task, hyperparameters: hyper, seed: SEED });
  const batches = data.epochBatches(1, Number(hyper.batchSize));
  const items = batches[Math.floor(batches.length / 2)] ?? batches[0];
  const batch = data.batch(items);
  // Our model at its initial weights (seed 42): every parameter by name and value, and the loss and
  // the global gradient norm (before clipping) it gives on this batch without dropout, so the
  // PyTorch model can be checked to compute the same function with the same weights.
  const parameters = new Parameters(createRandom(SEED));
  const model = chapter.createModel(parameters, hyper, data);
  const { value, grads } = tf.variableGrads(() => {
    const output = model.forward(batch, { training: false, seed: 1 });
    const loss = maskedCrossEntropy(output.logits, batch.targets, batch.lossMask);
    return output.auxiliaryLoss ? (tf.add(loss, output.auxiliaryLoss) as tf.Scalar) : loss;
  }, parameters.list());
  const norm = tf.tidy(() => tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g))))));
  const check = { loss: (await value.data())[0], gradientNorm: (await norm.data())[0] };
  tf.dispose([value, norm, ...Object.values(grads)]);
  const weights: Record<string, ExportedTensor> = {};
  for (const [name, variable] of parameters.entries()) weights[name] = await exportTensor(variable);
  const parameterCount = parameters.count();
  parameters.dispose();
  const inputs: Record<string, ExportedTensor> = {};
  for (const [name, tensor] of Object.entries(batch.inputs)) inputs[name] = await exportTensor(tensor);
  const exported = {
    chapter: id,
    task: plan.task,
    variant: plan.variant,
    hyperparameters: hyper,
    sourceVocab: data.sourceVocab.size,
    targetVocab: data.targetVocab.size,
    stepsPerEpoch: batches.length,
    parameterCount,
    weights,
    check,
    batch: {
      inputs,
      targets: await exportTensor(batch.targets),
      lossMask: await exportTensor(batch.lossMask),
    },
  };
  disposeBatch(batch);
  return exported;
}

async function main(): Promise<void> {
  const out = process.argv[2];
  if (!out) throw new Error('usage: node --import tsx scripts/reference/export-step-shapes.ts SHAPES.json');
  await selectBackend('cpu');
  const chapters = [];
  for (const id of CHAPTERS) {
    const exported = await exportChapter(id);
    const shapes = Object.entries(exported.batch.inputs).map(([name, t]) => `${name} [${t.shape.join(', ')}]`);
    console.log(`${id}: ${shapes.join(', ')}; vocab ${exported.sourceVocab}/${exported.targetVocab}`);
    chapters.push(exported);
  }
  writeFileSync(out, JSON.stringify({ seed: SEED, chapters }) + '\n');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
