/**
 * A language model's text as ids: the corpus (built-in `en` — the default — or `zh`, or a file
 * or folder path), its character vocabulary, and the contiguous train / validation split
 * (src/engine/corpus). Every problem with the corpus is a TrainError of one line, thrown before
 * anything is written (the CLI's exit 2). A run prepared to use a saved model (`saved`) takes the
 * saved vocabulary and never reads the corpus: it may have moved or changed since.
 */
import * as path from 'node:path';
import type { RunData as SavedRunData } from '../../../shared/run/records';
import { BUILTIN_CORPORA, CorpusError, buildCharVocab, encodeChars, loadCorpus, splitText } from '../../corpus';
import { TrainError } from '../../train/runConfig';
import { Vocab } from '../../tasks/vocab';

/** The corpus when none is given (the CLI's and the extension's default). */
export const DEFAULT_CORPUS = 'en';

/** What config.json keeps about the corpus (RunData.corpus). */
export interface CorpusRecord {
  name: string;
  bytes: number;
  sha256: string;
  /** `en`, `zh`, or the absolute path of the file or folder: what a resumed run reads again. */
  source: string;
}

export interface LanguageText {
  vocab: Vocab;
  record: CorpusRecord;
  /** Ids of the training split (the first ~90% of the text). */
  train: Int32Array;
  /** Ids of the validation split (the last ~10%, from a line start). */
  validation: Int32Array;
  /** The validation split as text (its start is the probes' text). */
  validationText: string;
}

/** The saved run's vocabulary, for predict and sample: no corpus is read. */
export function savedVocabulary(saved: SavedRunData): Vocab {
  try {
    return Vocab.fromJSON(saved.sourceVocab);
  } catch (error) {
    throw new TrainError(`the saved vocabulary is damaged: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function sourceOf(spec: string): string {
  return (BUILTIN_CORPORA as readonly string[]).includes(spec) ? spec : path.resolve(spec);
}

/**
 * Loads `spec` (default `en`), builds the character vocabulary (the `maxChars` most frequent
 * characters of the whole text, in code-point order after the specials; the rest read as `<unk>`)
 * and splits the ids contiguously. `minTrain`: the shortest training split that makes one window.
 */
export function loadLanguageText(spec: string | undefined, maxChars: number, minTrain: number): LanguageText {
  const given = spec ?? DEFAULT_CORPUS;
  let corpus;
  try {
    corpus = loadCorpus(given);
  } catch (error) {
    if (error instanceof CorpusError) throw new TrainError(error.message);
    throw error;
  }
  const vocab = buildCharVocab(corpus.text, maxChars);
  const split = splitText(corpus.text);
  const train = Int32Array.from(encodeChars(split.train, vocab));
  const validation = Int32Array.from(encodeChars(split.validation, vocab));
  if (train.length < minTrain) {
    throw new TrainError(
      `corpus is too short: the training part of ${corpus.name} has ${train.length} characters, a window needs ${minTrain} (use a longer text or a smaller --context)`,
    );
  }
  if (validation.length < 2) throw new TrainError(`corpus is too short: ${corpus.name} leaves no validation text`);
  return {
    vocab,
    record: { name: corpus.name, bytes: corpus.bytes, sha256: corpus.sha256, source: sourceOf(given) },
    train,
    validation,
    validationText: split.validation,
  };
}
