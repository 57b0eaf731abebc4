/**
 * What the transformer chapter measures on the learner's own model, to show the causal mask by
 * breaking it: the attention mass on future positions ("leaked mass"), whether changing future
 * target tokens changes earlier logits (causal perturbation), and the positional encoding the
 * model adds against its closed form.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Batch, ChapterModel } from '../contract';
import { makeSeq2SeqBatch, chunks, type EncodedExample } from '../../kits/seq2seq/batch';
import { createRandom } from '../../random';
import { SPECIAL_TOKENS } from '../../tasks/vocab';
import { disposeBatch } from '../../train/batches';

export interface LeakedMass {
  /** Mean over decoder layers, heads and real target positions t of Σ_{k > t} weight[t, k]. */
  mean: number;
  /** The largest Σ_{k > t} weight[t, k] of any row. */
  max: number;
  /** The mean per decoder layer. */
  perLayer: number[];
  /** Rows measured (real target positions × heads × layers). */
  rows: number;
}

/** `[1, 1, len, len]`: 1 where the key comes after the query (k > t), the cells the causal mask forbids. */
export function futureMask(length: number): tf.Tensor4D {
  const future = new Float32Array(length * length);
  for (let query = 0; query < length; query++) future.fill(1, query * length + query + 1, (query + 1) * length);
  return tf.tensor4d(future, [1, 1, length, length]); // [1, 1, queries, keys]
}

/**
 * The attention probability every decoder self-attention row puts on later positions, over the
 * real (non-padding) target positions of `items`, teacher-forced, in chunks of `batchSize`.
 * 0 exactly under the hard causal mask.
 */
export function leakedMass(model: ChapterModel, items: EncodedExample[], batchSize = 256): LeakedMass {
  let layerSums: number[] = [];
  let max = 0;
  let positions = 0;
  let heads = 0;
  for (const chunk of chunks(items, batchSize)) {
    const batch = makeSeq2SeqBatch(chunk);
    try {
      const summary = tf.tidy(() => {
        const maps = model
          .forward(batch, { training: false, seed: 0 })
          .attention.filter((map) => map.kind === 'causal-self');
        const [examples, mapHeads, length] = maps[0].weights.shape;
        heads = mapHeads;
        const future = futureMask(length); // [1, 1, len, len]
        const real = tf.reshape(batch.lossMask, [examples, 1, length]); // [batch, 1, len]
        const perLayer = maps.map((map) => {
          const leak = tf.mul(tf.sum(tf.mul(map.weights, future), 3), real); // [batch, heads, len]
          return tf.stack([tf.sum(leak), tf.max(leak)]); // [2]
        });
        return tf.concat([tf.reshape(tf.stack(perLayer), [-1]), tf.reshape(tf.sum(batch.lossMask), [1])]); // [2·layers + 1]
      });
      const values = summary.dataSync();
      summary.dispose();
      const layers = (values.length - 1) / 2;
      if (layerSums.length === 0) layerSums = new Array<number>(layers).fill(0);
      for (let layer = 0; layer < layers; layer++) {
        layerSums[layer] += values[2 * layer];
        max = Math.max(max, values[2 * layer + 1]);
      }
      positions += values[values.length - 1];
    } finally {
      disposeBatch(batch);
    }
  }
  const rowsPerLayer = positions * heads;
  const perLayer = layerSums.map((sum) => sum / Math.max(rowsPerLayer, 1));
  return {
    mean: perLayer.reduce((a, b) => a + b, 0) / Math.max(perLayer.length, 1),
    max,
    perLayer,
    rows: rowsPerLayer * layerSums.length,
  };
}

export interface Perturbation {
  /** The largest |Δ logit| at positions ≤ t when the decoder inputs after t are replaced. */
  maxDifference: number;
  /** Cut points t tried (each example × each t). */
  cuts: number;
}

/**
 * Causal perturbation on the learner's model: for every example and every cut t = 0 … len − 2,
 * the decoder inputs after position t are replaced by random tokens (never special ones); the
 * logits at positions 0 … t must not change. All cuts run as one batch, compared with the
 * unchanged batch of the same layout.
 */
export function causalPerturbation(
  model: ChapterModel,
  items: EncodedExample[],
  targetVocabSize: number,
  seed = 1,
): Perturbation {
  const base = makeSeq2SeqBatch(items);
  const length = base.targets.shape[1];
  const cutsPerExample = Math.max(length - 1, 1);
  const repeated = items.flatMap((item) => Array.from({ length: cutsPerExample }, () => item));
  const original = makeSeq2SeqBatch(repeated); // same padded lengths as `base`
  disposeBatch(base);
  const ids = original.inputs.decoder_input_ids.dataSync() as Int32Array; // [examples · cuts, len]
  const changed = Int32Array.from(ids);
  const compared = new Float32Array(repeated.length * length); // 1 at positions ≤ t
  const random = createRandom(seed);
  const first = SPECIAL_TOKENS.length; // ordinary tokens only
  repeated.forEach((_, row) => {
    const cut = row % cutsPerExample;
    for (let position = 0; position < length; position++) {
      if (position > cut) changed[row * length + position] = first + random.int(targetVocabSize - first);
      else compared[row * length + position] = 1;
    }
  });
  const perturbed: Batch = {
    ...original,
    inputs: { ...original.inputs, decoder_input_ids: tf.tensor2d(changed, [repeated.length, length], 'int32') },
  };
  try {
    const difference = tf.tidy(() => {
      const a = model.forward(original, { training: false, seed: 0 }).logits; // [n, len, vocab]
      const b = model.forward(perturbed, { training: false, seed: 0 }).logits; // [n, len, vocab]
      const mask = tf.tensor3d(compared, [repeated.length, length, 1]); // [n, len, 1]
      return tf.max(tf.mul(tf.abs(tf.sub(a, b)), mask));
    });
    const maxDifference = difference.dataSync()[0];
    difference.dispose();
    return { maxDifference, cuts: repeated.length };
  } finally {
    perturbed.inputs.decoder_input_ids.dispose();
    disposeBatch(original);
  }
}

/** PE[pos, 2i] = sin(pos / 10000^(2i/d)), PE[pos, 2i+1] = cos(pos / 10000^(2i/d)), in float64. */
export function closedFormPositionEncoding(position: number, feature: number, modelSize: number): number {
  const i = Math.floor(feature / 2);
  const angle = position / Math.pow(10000, (2 * i) / modelSize);
  return feature % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
}

/** The largest |PE_model − closed form| over the positions and features the model added in a forward pass of `items`. */
export function positionEncodingError(
  model: ChapterModel,
  items: EncodedExample[],
): { error: number; positions: number } {
  const batch = makeSeq2SeqBatch(items);
  try {
    const table = tf.tidy(() => tf.clone(model.forward(batch, { training: false, seed: 0 }).named.position_encoding));
    const [positions, width] = table.shape;
    const values = table.dataSync();
    table.dispose();
    let error = 0;
    for (let position = 0; position < positions; position++) {
      for (let feature = 0; feature < width; feature++) {
        const expected = closedFormPositionEncoding(position, feature, width);
        error = Math.max(error, Math.abs(values[position * width + feature] - expected));
      }
    }
    return { error, positions };
  } finally {
    disposeBatch(batch);
  }
}
