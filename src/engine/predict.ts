/**
 * Loads a saved run's model and decodes new sentences with it (CLI `predict`, the panel's "Try it").
 */
import * as tf from '@tensorflow/tfjs-core';
import type { AttentionMap, Prediction, RunConfig } from '../protocol/run';
import { trainableChapter } from './chapters/trainable';
import type { Seq2SeqModel } from './chapters/types';
import { Parameters } from './nn/parameters';
import { createRandom } from './random';
import { readConfig } from '../runStore/reader';
import { loadWeights, MODEL_WEIGHTS } from './checkpoint/weights';
import { tokenize } from './tasks';
import { EOS_ID, SPECIAL_TOKENS, Vocab } from './tasks/vocab';
import { encodeExamples } from './train/batches';
import { greedyDecode } from './train/decode';
import * as path from 'path';

export interface LoadedRun {
  runDir: string;
  config: RunConfig;
  model: Seq2SeqModel;
  sourceVocab: Vocab;
  targetVocab: Vocab;
  dispose(): void;
}

/** Longest answer `predict` will generate before giving up on `<eos>`. */
const MAX_PREDICTED_TOKENS = 40;

export async function loadRun(runDir: string): Promise<LoadedRun> {
  const config = await readConfig(runDir);
  const chapter = trainableChapter(config.chapter);
  if (!chapter) throw new Error(`chapter ${config.chapter} cannot be loaded by this version`);
  const sourceVocab = Vocab.fromJSON(config.sourceVocab);
  const targetVocab = Vocab.fromJSON(config.targetVocab);
  const parameters = new Parameters(createRandom(config.seed));
  const model = chapter.createModel(parameters, {
    sourceVocabSize: sourceVocab.size,
    targetVocabSize: targetVocab.size,
    embeddingSize: config.embeddingSize,
    hiddenSize: config.hiddenSize,
    attentionSize: config.attentionSize,
  });
  try {
    const weights = loadWeights(path.join(runDir, 'model'), MODEL_WEIGHTS);
    try {
      parameters.assign(weights);
    } finally {
      tf.dispose([...weights.values()]);
    }
  } catch (error) {
    parameters.dispose();
    throw new Error(`the run has no usable model weights: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { runDir, config, model, sourceVocab, targetVocab, dispose: () => parameters.dispose() };
}

/** Greedy-decodes `text`; returns the tokens and one attention row per generated token. */
export function predictText(run: LoadedRun, text: string): Prediction & { unknownTokens: string[] } {
  const source = tokenize(text, run.config.tokenLevel);
  if (source.length === 0) throw new Error('the text is empty');
  const unknownTokens = [
    ...new Set(source.filter((token) => run.sourceVocab.id(token) === SPECIAL_TOKENS.indexOf('<unk>'))),
  ];
  const [item] = encodeExamples([{ source, target: [] }], run.sourceVocab, run.targetVocab);
  const [decoded] = greedyDecode(run.model, [item], run.targetVocab, MAX_PREDICTED_TOKENS);
  const predicted = decoded.ended ? [...decoded.tokens, SPECIAL_TOKENS[EOS_ID]] : decoded.tokens;
  const attention: AttentionMap[] = decoded.attentionRows
    ? [
        {
          layer: 0,
          head: 0,
          label: 'cross-attention (additive)',
          rowTokens: predicted,
          columnTokens: source,
          weights: decoded.attentionRows,
        },
      ]
    : [];
  return { source, predicted, attention, unknownTokens };
}
