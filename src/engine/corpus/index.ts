/**
 * Text corpora for the text chapters (mini-gpt, bert-mlm): loading (built-in or the learner's
 * own files), character and word tokens, a contiguous train / validation split and a bigram
 * baseline. No vscode, DOM or TensorFlow.
 */
export {
  BUILTIN_CORPORA,
  CorpusError,
  FOLDER_MAX_DEPTH,
  FOLDER_SEPARATOR,
  FOLDER_TEXT_EXTENSIONS,
  MAX_CONTROL_SHARE,
  MAX_CORPUS_BYTES,
  findCorporaDir,
  loadCorpus,
  type BuiltinCorpus,
  type Corpus,
  type CorpusSource,
  type CorpusSpec,
  type LoadCorpusOptions,
} from './load';
export {
  CLS_ID,
  MASK_ID,
  MLM_SPECIAL_TOKENS,
  SEP_ID,
  buildCharVocab,
  buildWordVocab,
  compareCodePoints,
  countTokens,
  decodeChars,
  encodeChars,
  encodeWords,
  tokenizeWords,
} from './tokenize';
export { DEFAULT_VALIDATION_FRACTION, splitContiguous, splitText, type Split } from './split';
export {
  BIGRAM_ALPHAS,
  BIGRAM_LAMBDAS,
  DEFAULT_ALPHA,
  DEFAULT_LAMBDA,
  HELD_OUT_FRACTION,
  bigramBaseline,
  type BigramBaseline,
  type BigramOptions,
} from './baseline';
