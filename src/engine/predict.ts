/**
 * Loads a saved run's model and decodes what a learner types with it (CLI `predict`, the panel's
 * "Try it"). The run's config and its checkpoint are verified before anything is built.
 */
import type { Prediction, RunConfig } from '../shared/run/records';
import { DamagedRunError, checkedCheckpoint, readConfig, readStatus } from '../runStore';
import { trainableChapter } from './chapters/registry';
import type { ChapterModel, RunData } from './chapters/contract';
import { restoreWeights, savedShapes } from './checkpoint/weights';
import { Parameters } from './nn/parameters';
import { createRandom } from './random';

export interface LoadedRun {
  runDir: string;
  config: RunConfig;
  model: ChapterModel;
  data: RunData;
  dispose(): void;
}

/** A run cannot be used for prediction; the message is one line. */
export class PredictError extends Error {}

function sameTokens(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((token, i) => token === b[i]);
}

export async function loadRun(runDir: string): Promise<LoadedRun> {
  let config: RunConfig;
  try {
    config = await readConfig(runDir);
    const checkpoint = await checkedCheckpoint(runDir, config, await readStatus(runDir));
    if (!checkpoint)
      throw new PredictError('the run has no saved weights yet: they are saved at the end of every epoch');
    const chapter = trainableChapter(config.chapter);
    if (!chapter) throw new PredictError(`chapter ${config.chapter} cannot be loaded by this version`);
    // What the saved weights hold, read from their manifest before anything is built.
    let shapes: Map<string, number[]>;
    try {
      shapes = savedShapes(checkpoint);
    } catch (error) {
      throw new PredictError(
        `the saved weights cannot be read: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    // The data is regenerated to get the vocabularies and the tokenizer; it must match the saved ones.
    const data = chapter.prepare({
      task: config.task,
      hyperparameters: config.hyperparameters,
      seed: config.seed,
      corpus: config.data.corpus?.source,
      saved: config.data,
    });
    if (
      !sameTokens(data.sourceVocab.tokens, config.data.sourceVocab) ||
      !sameTokens(data.targetVocab.tokens, config.data.targetVocab)
    ) {
      throw new PredictError('the saved vocabulary differs from the one this version generates for the task');
    }
    // Each weight is checked against the saved shapes before it is allocated: a config that
    // implies another (or a much bigger) model is refused at its first differing weight.
    const parameters = new Parameters(createRandom(config.seed), shapes);
    try {
      const model = chapter.createModel(parameters, config.hyperparameters, data);
      restoreWeights(checkpoint, parameters);
      return { runDir, config, model, data, dispose: () => parameters.dispose() };
    } catch (error) {
      parameters.dispose();
      throw new PredictError(
        `the saved weights do not fit the model: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  } catch (error) {
    if (error instanceof DamagedRunError) throw new PredictError(`the run is damaged: ${error.reason}`);
    throw error;
  }
}

/** Decodes `text`; returns the tokens, the attention of every generated token, and the typed tokens read as unknown. */
export function predictText(run: LoadedRun, text: string): Prediction {
  return run.data.predict(run.model, text);
}
