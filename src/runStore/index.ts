/**
 * The run folder store (DESIGN.md "A run on disk"): names, writer and reader.
 * Pure Node `fs`. The VS Code extension should import `./reader` and `./paths` directly when it
 * only reads; everything here is free of TensorFlow, vscode and the DOM anyway.
 */
export {
  ATTENTION_DIR,
  CONFIG_FILE,
  LOG_FILE,
  METRICS_FILE,
  MODEL_DIR,
  SAMPLES_DIR,
  SHAPES_FILE,
  STATUS_FILE,
  attentionDirPath,
  attentionPath,
  configPath,
  epochFileName,
  isInside,
  logPath,
  metricsPath,
  modelDirPath,
  parseEpochFileName,
  runIdFor,
  samplesDirPath,
  samplesPath,
  shapesPath,
  statusPath,
  timeFromRunId,
} from './paths';
export {
  RunStoreError,
  RunWriter,
  checkWritableDir,
  createRunFolder,
  describeFsError,
  writeJsonAtomic,
} from './writer';
export {
  DamagedRunError,
  RUN_STATES,
  listRuns,
  readAttention,
  readConfig,
  readMetrics,
  readRun,
  readStatus,
  resolveRunArgument,
} from './reader';
