/**
 * The run folder store (docs/architecture.md "A run on disk"): names, writer, reader, checkpoints.
 * Node only (`fs`, `crypto`); free of TensorFlow, vscode and the DOM, so the engine, the CLI and
 * the VS Code extension all use it.
 */
export * from './paths';
export { MAX_RUN_FILE_BYTES, RunStoreError, DamagedRunError, describeFsError, oneLine, writeJsonAtomic } from './files';
export { RunWriter, StagedRunFolder, checkWritableDir, createRunFolder } from './writer';
export { readCheckpoint, sha256, type Checkpoint, type CheckpointFiles } from './checkpoint';
export {
  readAttention,
  readConfig,
  readConfigAndStatus,
  readMetrics,
  readMetricsForStatus,
  readSamples,
  readStatus,
} from './reader';
export { RunListCache, checkedCheckpoint, listRuns, readRun, resolveRunArgument } from './run';
export {
  COMPARISONS_DIR,
  checkSaveComparison,
  comparisonPath,
  comparisonsDirPath,
  listComparisons,
  loadComparedRuns,
  readSavedComparison,
  resolveComparisonArgument,
  runDirOf,
  runsDirOfComparison,
  saveComparison,
  type LoadedRun,
  type SavedComparisonEntry,
} from './comparison';
