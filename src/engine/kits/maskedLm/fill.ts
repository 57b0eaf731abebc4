/**
 * Fill-in with a masked language model: a learner's sentence with `[MASK]` markers becomes
 * `[CLS] … [SEP]` (one segment), one forward pass gives a softmax over the whole vocabulary at every
 * position, and each masked position reports its most probable tokens and its attention in every
 * layer and head (bidirectional: the words on both sides of the mask). Used by `predict`, the
 * worker's `fill` request and `llm-tutor fill`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { FillResult } from '../../../shared/protocol/engine';
import { packMap } from '../../../shared/run/attention';
import type { AttentionMap } from '../../../shared/run/records';
import type { ChapterModel, FullMap } from '../../chapters/contract';
import { MASK_ID } from '../../corpus';
import { tidy } from '../../nn/tidy';
import type { Vocab } from '../../tasks/vocab';
import { disposeBatch } from '../../train/batches';
import { forwardMaps, readAttention } from '../../train/probeMaps';
import { makeMlmBatch } from './batch';
import { encodeLearnerText, learnerTokens, MASK_TOKEN } from './learner';
import { NOT_SELECTED, REPLACED_BY_MASK } from './masking';
import { singleInput } from './pairs';

/** A fill-in question the model cannot answer as typed; the message is one line for the learner. */
export class FillError extends Error {}

export const DEFAULT_FILL_TOP = 5;

export interface ReadFill {
  /** What the model read, as vocabulary tokens (`[CLS]` … `[SEP]`). */
  tokens: string[];
  /** The same positions as typed. */
  typedTokens: string[];
  unknownTokens: string[];
  /** Positions of the `[MASK]`s in `tokens`. */
  maskPositions: number[];
  /** Per mask, the softmax over the whole vocabulary `[vocab]`. */
  probabilities: Float32Array[];
  /** Every map of the forward pass (all rows), at full precision. */
  maps: FullMap[];
}

/** Runs the model on a learner's `[MASK]` sentence; FillError when the text cannot be asked. */
export function readFill(model: ChapterModel, vocab: Vocab, maxLength: number, text: string): ReadFill {
  const typed = learnerTokens(text);
  if (typed.length === 0) throw new FillError('the text is empty');
  const { ids, unknownTokens } = encodeLearnerText(typed, vocab);
  if (!ids.includes(MASK_ID)) {
    throw new FillError(`the text has no ${MASK_TOKEN}: put ${MASK_TOKEN} where a word should be guessed`);
  }
  if (ids.length + 2 > maxLength) {
    throw new FillError(
      `the model has ${maxLength} positions: at most ${maxLength - 2} words besides [CLS] and [SEP], the text has ${ids.length}`,
    );
  }
  const input = singleInput(ids, maxLength);
  const typedTokens = ['[CLS]', ...typed, '[SEP]'];
  // The typed [MASK]s are the positions to predict.
  const selection = input.ids.map((id) => (id === MASK_ID ? REPLACED_BY_MASK : NOT_SELECTED));
  const batch = makeMlmBatch([
    { input: input.ids, original: input.ids, selection, segments: input.segments, isNext: true },
  ]);
  try {
    const output = tidy(() => {
      const result = model.forward(batch, { training: false, seed: 0 });
      const [, predictions, size] = result.logits.shape;
      return {
        probabilities: tf.reshape(tf.softmax(result.logits), [predictions, size]) as tf.Tensor2D, // [masks, vocab]
        attention: result.attention,
      };
    });
    const all = output.probabilities.dataSync() as Float32Array;
    const size = vocab.size;
    const maskPositions = input.ids.flatMap((id, position) => (id === MASK_ID ? [position] : []));
    const read = readAttention(output.attention);
    tf.dispose([output.probabilities, ...output.attention.flatMap((a) => [a.weights, ...(a.keep ? [a.keep] : [])])]);
    return {
      tokens: input.ids.map((id) => vocab.token(id)),
      typedTokens,
      unknownTokens,
      maskPositions,
      probabilities: maskPositions.map((_, slot) => all.slice(slot * size, (slot + 1) * size)),
      maps: forwardMaps(read, 0, { source: typedTokens }),
    };
  } finally {
    disposeBatch(batch);
  }
}

/** The `top` largest entries of `probabilities`, largest first (ties: lower id first). */
export function topTokens(probabilities: Float32Array, top: number): number[] {
  const ids = Array.from(probabilities.keys());
  ids.sort((a, b) => probabilities[b] - probabilities[a] || a - b);
  return ids.slice(0, Math.max(0, Math.min(top, ids.length)));
}

/** One row of a map: the masked position's attention over every token. */
function maskRow(map: FullMap, row: number): AttentionMap {
  const columns = map.columnTokens.length;
  return packMap({
    kind: map.kind,
    stack: map.stack,
    layer: map.layer,
    head: map.head,
    mode: 'forward',
    rowTokens: [map.rowTokens[row]],
    columnTokens: map.columnTokens,
    weights: map.weights.subarray(row * columns, (row + 1) * columns),
    mask: map.keep ? map.keep.subarray(row * columns, (row + 1) * columns) : null,
  });
}

/** The answer to a fill request: the top predictions and the attention of every `[MASK]`. */
export function fillMasks(
  model: ChapterModel,
  vocab: Vocab,
  maxLength: number,
  text: string,
  top = DEFAULT_FILL_TOP,
): FillResult {
  const read = readFill(model, vocab, maxLength, text);
  return {
    tokens: read.tokens,
    typedTokens: read.typedTokens,
    unknownTokens: read.unknownTokens,
    masks: read.maskPositions.map((position, i) => {
      const probabilities = read.probabilities[i];
      const predictions = topTokens(probabilities, top).map((id) => ({
        token: vocab.token(id),
        probability: probabilities[id],
      }));
      const shown = predictions.reduce((sum, p) => sum + p.probability, 0);
      return {
        position,
        predictions,
        otherProbability: Math.max(0, 1 - shown),
        attention: read.maps.map((map) => maskRow(map, position)),
      };
    }),
  };
}
