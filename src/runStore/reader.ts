/**
 * Reading run folders (DESIGN.md "A run on disk"), for the CLI, the engine (`--resume`) and the
 * VS Code extension. Pure Node `fs`: no TensorFlow, no vscode, no DOM.
 *
 * Everything read is validated: a missing, unparsable or ill-typed `config.json` / `status.json`,
 * a torn line in the middle of `metrics.jsonl`, … make a DamagedRunError whose `reason` is one
 * line naming the file and the problem. Problems that leave the run readable (a torn last metrics
 * line, a missing `shapes.json`, an unparsable newest attention file) become `warnings`.
 *
 * JSON has no NaN: the writer's `JSON.stringify` turns a NaN loss into `null`, and this reader
 * turns a `null` metric value or attention weight back into NaN.
 */
import * as fs from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import * as path from 'node:path';
import {
  BACKEND_NAMES,
  CHAPTER_IDS,
  type AttentionSnapshot,
  type EpochMetrics,
  type MetricsRecord,
  type RunConfig,
  type RunListEntry,
  type RunSnapshot,
  type RunState,
  type RunStatus,
  type SamplesSnapshot,
  type ShapeEntry,
  type StepMetrics,
} from '../protocol/run';
import {
  ATTENTION_DIR,
  CONFIG_FILE,
  METRICS_FILE,
  SAMPLES_DIR,
  SHAPES_FILE,
  STATUS_FILE,
  epochFileName,
  parseEpochFileName,
  timeFromRunId,
} from './paths';
import { RunStoreError, describeFsError } from './writer';

/** The run folder `dir` cannot be read as a run; `reason` says why, in one line. */
export class DamagedRunError extends Error {
  override readonly name = 'DamagedRunError';
  constructor(
    readonly dir: string,
    readonly reason: string,
  ) {
    super(`${dir}: ${reason}`);
  }
}

export const RUN_STATES: readonly RunState[] = ['running', 'completed', 'stopped', 'failed'];

// ---------------------------------------------------------------------------------------------
// Validation: small composable checks returning the first problem found, or null.

interface Issue {
  /** Where in the value, e.g. `probes[0].weights[2]`; '' for the value itself. */
  at: string;
  problem: string;
}
type Validator = (value: unknown) => Issue | null;

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return `a ${typeof value}`;
}

function issue(problem: string): Issue {
  return { at: '', problem };
}

function nested(prefix: string, found: Issue | null): Issue | null {
  if (!found) return null;
  if (found.at === '') return { at: prefix, problem: found.problem };
  return { at: found.at.startsWith('[') ? `${prefix}${found.at}` : `${prefix}.${found.at}`, problem: found.problem };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const aString: Validator = (value) =>
  typeof value === 'string' ? null : issue(`must be a string (got ${typeName(value)})`);
const aBoolean: Validator = (value) =>
  typeof value === 'boolean' ? null : issue(`must be true or false (got ${typeName(value)})`);
const aNumber: Validator = (value) =>
  typeof value === 'number' ? null : issue(`must be a number (got ${typeName(value)})`);
/** A measured value: `null` stands for NaN (JSON cannot hold NaN). */
const aMeasure: Validator = (value) =>
  typeof value === 'number' || value === null ? null : issue(`must be a number (got ${typeName(value)})`);
const aCount: Validator = (value) =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
    ? null
    : issue(`must be a whole number ≥ 0 (got ${typeName(value)})`);

function oneOf(values: readonly string[], what?: string): Validator {
  return (value) =>
    typeof value === 'string' && values.includes(value)
      ? null
      : issue(`${what ? `is not ${what}` : `must be one of ${values.join(', ')}`} (got ${typeName(value)})`);
}

function arrayOf(item: Validator): Validator {
  return (value) => {
    if (!Array.isArray(value)) return issue(`must be an array (got ${typeName(value)})`);
    for (let index = 0; index < value.length; index++) {
      const found = nested(`[${index}]`, item(value[index]));
      if (found) return found;
    }
    return null;
  };
}

function objectWith(required: Record<string, Validator>, optional: Record<string, Validator> = {}): Validator {
  return (value) => {
    if (!isRecord(value)) return issue(`must be an object (got ${typeName(value)})`);
    for (const [name, check] of Object.entries(required)) {
      if (!(name in value)) return { at: name, problem: 'is missing' };
      const found = nested(name, check(value[name]));
      if (found) return found;
    }
    for (const [name, check] of Object.entries(optional)) {
      if (value[name] === undefined) continue;
      const found = nested(name, check(value[name]));
      if (found) return found;
    }
    return null;
  };
}

const strings = arrayOf(aString);
const bilingual = objectWith({ en: aString, 'zh-cn': aString });

const runConfigValidator = objectWith(
  {
    runId: aString,
    chapter: oneOf(CHAPTER_IDS, 'a known chapter'),
    task: aString,
    epochs: aCount,
    batchSize: aNumber,
    learningRate: aNumber,
    hiddenSize: aNumber,
    embeddingSize: aNumber,
    attentionSize: aNumber,
    clipNorm: aNumber,
    seed: aNumber,
    trainSize: aNumber,
    validationSize: aNumber,
    testSize: aNumber,
    backend: oneOf(BACKEND_NAMES),
    packageVersion: aString,
    createdAt: aString,
    sourceVocab: strings,
    targetVocab: strings,
    tokenLevel: oneOf(['char', 'word']),
  },
  { resumedFrom: aString },
);

const runStatusValidator = objectWith(
  { state: oneOf(RUN_STATES), startedAt: aString, epochsCompleted: aCount },
  { endedAt: aString, error: aString },
);

const lengthBucketValidator = objectWith({
  minLength: aNumber,
  maxLength: aNumber,
  count: aNumber,
  exactMatch: aMeasure,
  tokenAccuracy: aMeasure,
});

const epochMetricsValidator = objectWith({
  kind: aString,
  epoch: aCount,
  step: aCount,
  train_loss: aMeasure,
  val_loss: aMeasure,
  val_token_accuracy: aMeasure,
  val_exact_match: aMeasure,
  seconds: aMeasure,
  samples_per_second: aMeasure,
  buckets: arrayOf(lengthBucketValidator),
});

const stepMetricsValidator = objectWith({
  kind: aString,
  epoch: aCount,
  step: aCount,
  train_loss: aMeasure,
  seconds: aMeasure,
  samples_per_second: aMeasure,
});

const shapesValidator = arrayOf(
  objectWith({ name: aString, shape: arrayOf(aNumber), dims: strings, meaning: bilingual }),
);

const attentionMapValidator = objectWith({
  layer: aNumber,
  head: aNumber,
  label: aString,
  rowTokens: strings,
  columnTokens: strings,
  weights: arrayOf(arrayOf(aMeasure)),
});

const attentionSnapshotValidator = objectWith({
  epoch: aCount,
  probes: arrayOf(
    objectWith({
      source: strings,
      target: strings,
      predicted: strings,
      teacherForced: arrayOf(attentionMapValidator),
      greedy: arrayOf(attentionMapValidator),
    }),
  ),
});

const samplesSnapshotValidator = objectWith({
  epoch: aCount,
  samples: arrayOf(
    objectWith({
      source: aString,
      target: aString,
      predicted: aString,
      sourceTokens: strings,
      targetTokens: strings,
      predictedTokens: strings,
      correct: aBoolean,
    }),
  ),
});

function describeIssue(file: string, found: Issue): string {
  return found.at === '' ? `${file} ${found.problem}` : `${file}: "${found.at}" ${found.problem}`;
}

/** Replaces `null` (how JSON stores NaN) by NaN in the listed numeric fields of `target`. */
function nullsToNaN(target: Record<string, unknown>, fields: readonly string[]): void {
  for (const field of fields) if (target[field] === null) target[field] = Number.NaN;
}

// ---------------------------------------------------------------------------------------------
// Files.

function oneLine(text: string, limit = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > limit ? `${flat.slice(0, limit)}…` : flat;
}

function errorCode(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

type TextRead = { kind: 'missing' } | { kind: 'unreadable'; problem: string } | { kind: 'ok'; text: string };
type JsonRead = { kind: 'missing' } | { kind: 'bad'; problem: string } | { kind: 'ok'; value: unknown };

async function readText(file: string): Promise<TextRead> {
  try {
    return { kind: 'ok', text: stripBom(await readFile(file, 'utf8')) };
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT') return { kind: 'missing' };
    if (code === 'EISDIR') return { kind: 'unreadable', problem: 'is a folder, not a file' };
    return { kind: 'unreadable', problem: `cannot be read (${describeFsError(error)})` };
  }
}

/** `problem` reads after the file name: `is missing`, `is not valid JSON (…)`, `is empty`. */
async function readJson(file: string): Promise<JsonRead> {
  const read = await readText(file);
  if (read.kind !== 'ok') return read.kind === 'missing' ? read : { kind: 'bad', problem: read.problem };
  if (read.text.trim() === '') return { kind: 'bad', problem: 'is empty' };
  try {
    return { kind: 'ok', value: JSON.parse(read.text) };
  } catch (error) {
    return {
      kind: 'bad',
      problem: `is not valid JSON (${oneLine(error instanceof Error ? error.message : String(error))})`,
    };
  }
}

/** Reads and validates one JSON file; returns the problem (after the file name) or the value. */
async function readValidated<T>(
  file: string,
  label: string,
  validator: Validator,
): Promise<{ ok: true; value: T } | { ok: false; missing: boolean; reason: string }> {
  const read = await readJson(file);
  if (read.kind === 'missing') return { ok: false, missing: true, reason: `${label} is missing` };
  if (read.kind === 'bad') return { ok: false, missing: false, reason: `${label} ${read.problem}` };
  const found = validator(read.value);
  if (found) return { ok: false, missing: false, reason: describeIssue(label, found) };
  return { ok: true, value: read.value as T };
}

async function assertFolder(dir: string): Promise<void> {
  try {
    const stats = await stat(dir);
    if (!stats.isDirectory()) throw new DamagedRunError(dir, 'not a folder');
  } catch (error) {
    if (error instanceof DamagedRunError) throw error;
    if (errorCode(error) === 'ENOENT') throw new DamagedRunError(dir, 'folder does not exist');
    throw new DamagedRunError(dir, `cannot be read (${describeFsError(error)})`);
  }
}

async function readConfigAndStatus(dir: string): Promise<{ config: RunConfig; status: RunStatus }> {
  await assertFolder(dir);
  const [config, status] = await Promise.all([
    readValidated<RunConfig>(path.join(dir, CONFIG_FILE), CONFIG_FILE, runConfigValidator),
    readValidated<RunStatus>(path.join(dir, STATUS_FILE), STATUS_FILE, runStatusValidator),
  ]);
  if (!config.ok && !status.ok && config.missing && status.missing) {
    throw new DamagedRunError(dir, `not a run folder: no ${CONFIG_FILE} or ${STATUS_FILE}`);
  }
  if (!config.ok) throw new DamagedRunError(dir, config.reason);
  if (!status.ok) throw new DamagedRunError(dir, status.reason);
  return { config: config.value, status: status.value };
}

/** `config.json`, validated. DamagedRunError when missing or invalid. */
export async function readConfig(dir: string): Promise<RunConfig> {
  const read = await readValidated<RunConfig>(path.join(dir, CONFIG_FILE), CONFIG_FILE, runConfigValidator);
  if (!read.ok) throw new DamagedRunError(dir, read.reason);
  return read.value;
}

/** `status.json`, validated. DamagedRunError when missing or invalid. */
export async function readStatus(dir: string): Promise<RunStatus> {
  const read = await readValidated<RunStatus>(path.join(dir, STATUS_FILE), STATUS_FILE, runStatusValidator);
  if (!read.ok) throw new DamagedRunError(dir, read.reason);
  return read.value;
}

// ---------------------------------------------------------------------------------------------
// metrics.jsonl

const EPOCH_MEASURES = [
  'train_loss',
  'val_loss',
  'val_token_accuracy',
  'val_exact_match',
  'seconds',
  'samples_per_second',
];
const STEP_MEASURES = ['train_loss', 'seconds', 'samples_per_second'];
const BUCKET_MEASURES = ['exactMatch', 'tokenAccuracy'];

/**
 * Parses the text of `metrics.jsonl`. A torn (unparsable) last line is dropped with a warning;
 * an unparsable or ill-typed line anywhere else is a DamagedRunError. Records of an unknown `kind`
 * are skipped with a warning (a newer engine may write more kinds).
 */
function parseMetrics(dir: string, text: string): { records: MetricsRecord[]; warnings: string[] } {
  const lines = text.split('\n');
  let last = lines.length - 1;
  while (last >= 0 && lines[last].trim() === '') last--;
  const records: MetricsRecord[] = [];
  const warnings: string[] = [];
  const unknownKinds = new Set<string>();
  for (let index = 0; index <= last; index++) {
    const line = lines[index].trim();
    if (line === '') continue;
    const where = `${METRICS_FILE} line ${index + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      const message = oneLine(error instanceof Error ? error.message : String(error));
      if (index === last) {
        warnings.push(`${METRICS_FILE}: dropped a torn last line (line ${index + 1}: ${message})`);
        break;
      }
      throw new DamagedRunError(dir, `${where} is not valid JSON (${message})`);
    }
    if (!isRecord(value)) throw new DamagedRunError(dir, `${where} must be an object (got ${typeName(value)})`);
    const kind = value.kind;
    const validator = kind === 'epoch' ? epochMetricsValidator : kind === 'step' ? stepMetricsValidator : null;
    if (!validator) {
      const name = typeof kind === 'string' ? kind : typeName(kind);
      if (!unknownKinds.has(name)) warnings.push(`${METRICS_FILE}: skipped records of unknown kind ${name}`);
      unknownKinds.add(name);
      continue;
    }
    const found = validator(value);
    if (found) throw new DamagedRunError(dir, describeIssue(where, found));
    if (kind === 'epoch') {
      nullsToNaN(value, EPOCH_MEASURES);
      for (const bucket of value.buckets as Record<string, unknown>[]) nullsToNaN(bucket, BUCKET_MEASURES);
      records.push(value as unknown as EpochMetrics);
    } else {
      nullsToNaN(value, STEP_MEASURES);
      records.push(value as unknown as StepMetrics);
    }
  }
  return { records, warnings };
}

async function readMetricsFile(
  dir: string,
): Promise<{ missing: boolean; records: MetricsRecord[]; warnings: string[] }> {
  const read = await readText(path.join(dir, METRICS_FILE));
  if (read.kind === 'missing') return { missing: true, records: [], warnings: [] };
  if (read.kind === 'unreadable') throw new DamagedRunError(dir, `${METRICS_FILE} ${read.problem}`);
  return { missing: false, ...parseMetrics(dir, read.text) };
}

/**
 * The records of `metrics.jsonl`, oldest first. A missing file gives no records (a run writes it
 * when its first epoch or step report is due). A torn last line is dropped and reported in
 * `warnings`; damage elsewhere is a DamagedRunError.
 */
export async function readMetrics(dir: string): Promise<{ records: MetricsRecord[]; warnings: string[] }> {
  const { records, warnings } = await readMetricsFile(dir);
  return { records, warnings };
}

/** Metrics of a run whose status is known: a missing file is damage once an epoch is completed. */
async function readMetricsForStatus(
  dir: string,
  status: RunStatus,
): Promise<{ records: MetricsRecord[]; warnings: string[] }> {
  const metrics = await readMetricsFile(dir);
  if (metrics.missing && status.epochsCompleted > 0) {
    throw new DamagedRunError(
      dir,
      `${METRICS_FILE} is missing but ${STATUS_FILE} says ${status.epochsCompleted} epoch(s) completed`,
    );
  }
  return { records: metrics.records, warnings: metrics.warnings };
}

// ---------------------------------------------------------------------------------------------
// attention/ and samples/

/** Epochs of the `epoch-NNN.json` files in `<dir>/<folder>`, ascending; [] when there is no folder. */
async function listEpochFiles(dir: string, folder: string, warnings: string[]): Promise<number[]> {
  let names: string[];
  try {
    names = await readdir(path.join(dir, folder));
  } catch (error) {
    const code = errorCode(error);
    if (code !== 'ENOENT' && code !== 'ENOTDIR') warnings.push(`${folder}/ cannot be read (${describeFsError(error)})`);
    return [];
  }
  const epochs = new Set<number>();
  for (const name of names) {
    const epoch = parseEpochFileName(name);
    if (epoch !== null) epochs.add(epoch);
  }
  return [...epochs].sort((a, b) => a - b);
}

type EpochRead<T> = { ok: true; value: T } | { ok: false; missing: boolean; reason: string };

async function readAttentionFile(dir: string, epoch: number): Promise<EpochRead<AttentionSnapshot>> {
  const label = `${ATTENTION_DIR}/${epochFileName(epoch)}`;
  const read = await readValidated<AttentionSnapshot>(
    path.join(dir, ATTENTION_DIR, epochFileName(epoch)),
    label,
    attentionSnapshotValidator,
  );
  if (!read.ok) return read;
  if (read.value.epoch !== epoch) {
    return { ok: false, missing: false, reason: `${label}: "epoch" is ${read.value.epoch}, expected ${epoch}` };
  }
  for (const probe of read.value.probes) {
    for (const map of [...probe.teacherForced, ...probe.greedy]) {
      for (const row of map.weights) {
        for (let column = 0; column < row.length; column++) if (row[column] === null) row[column] = Number.NaN;
      }
    }
  }
  return read;
}

async function readSamplesFile(dir: string, epoch: number): Promise<EpochRead<SamplesSnapshot>> {
  const label = `${SAMPLES_DIR}/${epochFileName(epoch)}`;
  const read = await readValidated<SamplesSnapshot>(
    path.join(dir, SAMPLES_DIR, epochFileName(epoch)),
    label,
    samplesSnapshotValidator,
  );
  if (!read.ok) return read;
  if (read.value.epoch !== epoch) {
    return { ok: false, missing: false, reason: `${label}: "epoch" is ${read.value.epoch}, expected ${epoch}` };
  }
  return read;
}

/** The attention snapshot of `epoch` (`attention/epoch-NNN.json`). DamagedRunError when missing or invalid. */
export async function readAttention(dir: string, epoch: number): Promise<AttentionSnapshot> {
  if (!Number.isSafeInteger(epoch) || epoch < 0) {
    throw new DamagedRunError(dir, `no attention for epoch ${epoch}: epochs are whole numbers ≥ 0`);
  }
  const read = await readAttentionFile(dir, epoch);
  if (!read.ok) throw new DamagedRunError(dir, read.reason);
  return read.value;
}

/**
 * The newest readable snapshot among `epochs` (ascending). Unreadable newer ones are reported in
 * `warnings` and their epochs returned in `bad`.
 */
async function newestReadable<T>(
  epochs: number[],
  read: (epoch: number) => Promise<EpochRead<T>>,
  warnings: string[],
): Promise<{ value: T | null; bad: Set<number> }> {
  const bad = new Set<number>();
  for (let index = epochs.length - 1; index >= 0; index--) {
    const result = await read(epochs[index]);
    if (result.ok) return { value: result.value, bad };
    bad.add(epochs[index]);
    warnings.push(`${result.reason}; skipped`);
  }
  return { value: null, bad };
}

// ---------------------------------------------------------------------------------------------
// Whole runs.

/**
 * Everything the panel needs to draw the run in `dir`. DamagedRunError (reason in one line) when
 * the folder is not a readable run. A `running` status is returned as is, even if the process that
 * wrote it is gone (that cannot be detected reliably).
 * `runId` is the folder's name (what opens it again); `attentionEpochs` leaves out snapshots that
 * were found unreadable.
 */
export async function readRun(dir: string): Promise<RunSnapshot> {
  const runDir = path.resolve(dir);
  const { config, status } = await readConfigAndStatus(runDir);
  const warnings: string[] = [];
  const metrics = await readMetricsForStatus(runDir, status);
  warnings.push(...metrics.warnings);

  const [shapes, attentionFiles, samplesFiles] = await Promise.all([
    readValidated<ShapeEntry[]>(path.join(runDir, SHAPES_FILE), SHAPES_FILE, shapesValidator),
    listEpochFiles(runDir, ATTENTION_DIR, warnings),
    listEpochFiles(runDir, SAMPLES_DIR, warnings),
  ]);
  if (!shapes.ok)
    warnings.push(shapes.missing ? `${shapes.reason}: no tensor shapes to show` : `${shapes.reason}; ignored`);

  const attention = await newestReadable(attentionFiles, (epoch) => readAttentionFile(runDir, epoch), warnings);
  const samples = await newestReadable(samplesFiles, (epoch) => readSamplesFile(runDir, epoch), warnings);

  return {
    runId: path.basename(runDir),
    dir: runDir,
    config,
    status,
    metrics: metrics.records,
    shapes: shapes.ok ? shapes.value : [],
    attentionEpochs: attentionFiles.filter((epoch) => !attention.bad.has(epoch)),
    attention: attention.value,
    samples: samples.value,
    warnings,
  };
}

/** Best validation exact match over the epoch records (NaN ignored), or null when there is none. */
function bestValExact(records: MetricsRecord[]): number | null {
  let best: number | null = null;
  for (const record of records) {
    if (record.kind !== 'epoch' || !Number.isFinite(record.val_exact_match)) continue;
    if (best === null || record.val_exact_match > best) best = record.val_exact_match;
  }
  return best;
}

async function listEntry(dir: string, runId: string): Promise<RunListEntry> {
  try {
    const { config, status } = await readConfigAndStatus(dir);
    const { records } = await readMetricsForStatus(dir, status);
    return {
      ok: true,
      runId,
      dir,
      chapter: config.chapter,
      task: config.task,
      state: status.state,
      epochsCompleted: status.epochsCompleted,
      epochs: config.epochs,
      bestValExact: bestValExact(records),
      startedAt: status.startedAt,
    };
  } catch (error) {
    const reason =
      error instanceof DamagedRunError ? error.reason : oneLine(error instanceof Error ? error.message : String(error));
    return { ok: false, runId, dir, reason };
  }
}

async function mapLimited<T, R>(items: T[], limit: number, map: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await map(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

function sortTime(entry: RunListEntry): number {
  if (entry.ok) {
    const started = Date.parse(entry.startedAt);
    if (!Number.isNaN(started)) return started;
  }
  return timeFromRunId(entry.runId) ?? Number.NEGATIVE_INFINITY;
}

/**
 * Every sub-folder of `runsDir` as a list entry, newest first (by `startedAt`, else by the time in
 * the folder name, else by name). A damaged or foreign folder is `{ ok: false, reason }` and never
 * stops the others from being listed; plain files (and symlinks) are ignored; a missing `runsDir`
 * gives []. Reads only config.json, status.json and metrics.jsonl of each run.
 * RunStoreError when `runsDir` exists but cannot be read as a folder.
 */
export async function listRuns(runsDir: string): Promise<RunListEntry[]> {
  const root = path.resolve(runsDir);
  let entries: fs.Dirent[];
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return [];
    throw new RunStoreError(`cannot read ${root}: ${describeFsError(error)}`, root, errorCode(error));
  }
  const names = entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  const list = await mapLimited(names, 16, (name) => listEntry(path.join(root, name), name));
  const times = new Map(list.map((entry) => [entry, sortTime(entry)]));
  return list.sort((a, b) => {
    const difference = (times.get(b) ?? 0) - (times.get(a) ?? 0);
    if (difference !== 0 && !Number.isNaN(difference)) return difference;
    return a.runId < b.runId ? 1 : a.runId > b.runId ? -1 : 0;
  });
}

function isFolder(candidate: string): boolean {
  try {
    return fs.statSync(candidate).isDirectory();
  } catch {
    return false;
  }
}

function isFile(candidate: string): boolean {
  try {
    return fs.statSync(candidate).isFile();
  } catch {
    return false;
  }
}

/**
 * For the CLI: the run folder that `arg` names — `arg` itself when it is a folder holding a
 * config.json, else `<runsDir>/<arg>`. Returns an absolute path. RunStoreError `not a run: <arg>`
 * when neither is.
 */
export function resolveRunArgument(arg: string, runsDir: string): string {
  if (arg.trim() !== '') {
    const candidates = [path.resolve(arg), path.resolve(runsDir, arg)];
    for (const candidate of candidates) {
      if (isFolder(candidate) && isFile(path.join(candidate, CONFIG_FILE))) return candidate;
    }
  }
  throw new RunStoreError(`not a run: ${arg}`);
}
