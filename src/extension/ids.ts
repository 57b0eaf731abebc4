/** Identifiers shared by the manifest (package.json) and the code. Plain data: no vscode import. */

export const COMMANDS = {
  trainChapter: 'llmTutor.trainChapter',
  trainAttentionSeq2Seq: 'llmTutor.trainAttentionSeq2Seq',
  trainSeq2Seq: 'llmTutor.trainSeq2Seq',
  openChapter: 'llmTutor.openChapter',
  openRun: 'llmTutor.openRun',
  stopTraining: 'llmTutor.stopTraining',
  compareRuns: 'llmTutor.compareRuns',
  /** "Compare" in the Runs view's context menu: the selected runs. */
  compareSelectedRuns: 'llmTutor.compareSelectedRuns',
  trainVariants: 'llmTutor.trainVariants',
  openComparison: 'llmTutor.openComparison',
  /** The walkthrough's button: train a chapter with small settings (src/shared/course/walkthrough.ts). */
  trainChapterQuick: 'llmTutor.trainChapterQuick',
  /** Export… a view of the active panel (the panel's export buttons do the same). */
  exportView: 'llmTutor.exportView',
  /** Choose Corpus…: the language models' text, written to `llmTutor.corpus` (corpusChoice.ts). */
  chooseCorpus: 'llmTutor.chooseCorpus',
} as const;

export const VIEWS = {
  container: 'llmTutor',
  chapters: 'llmTutor.chapters',
  runs: 'llmTutor.runs',
} as const;

/** The lab panel's webview type (also its serializer's). */
export const LAB_VIEW_TYPE = 'llmTutor.lab';

/** The comparison panel's webview type (also its serializer's). */
export const COMPARE_VIEW_TYPE = 'llmTutor.compare';

/** Configuration section: `llmTutor.*` settings. */
export const CONFIG_SECTION = 'llmTutor';

/** Context key set while this window's engine trains a run (enables Stop Training). */
export const TRAINING_CONTEXT_KEY = 'llmTutor.training';

/** Name of the output channel that carries the same lines the CLI prints. */
export const OUTPUT_CHANNEL_NAME = 'LLM Tutor';
