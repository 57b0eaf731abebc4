/**
 * Reading the files of a run folder (docs/architecture.md "A run on disk"), for the CLI, the
 * engine (`--resume`, predict) and the VS Code extension. Node only: no TensorFlow, no vscode.
 *
 * Everything read is validated with the shared schemas: a missing, unparsable, ill-typed or
 * out-of-range record makes a DamagedRunError whose `reason` is one line naming the file and the
 * problem. Format-1 runs are upgraded in memory (format1.ts). Reading never writes.
 */
import { readdir } from 'node:fs/promises';
import * as path from 'node:path';
import * as v from 'valibot';
import { chapterInfo } from '../shared/course/catalogue';
import { checkHyperparameters, variantOf } from '../shared/course/hyperparameters';
import { isPlainObject } from '../shared/schema';
import { describeIssues } from '../shared/schema';
import {
  AttentionSnapshotSchema,
  MetricsRecordSchema,
  RUN_FORMAT_VERSION,
  RunConfigFileSchema,
  RunFiguresSchema,
  RunStatusSchema,
  SamplesSnapshotSchema,
  ShapeEntrySchema,
  type AttentionSnapshot,
  type Figure,
  type MetricsRecord,
  type RunConfig,
  type RunStatus,
  type SamplesSnapshot,
  type ShapeEntry,
} from '../shared/run/records';
import { DamagedRunError, describeFsError, errorCode, findSymlink, oneLine, readRunJson, readRunText } from './files';
import {
  Format1AttentionSchema,
  Format1ConfigSchema,
  Format1EpochSchema,
  Format1ShapesSchema,
  upgradeAttention,
  upgradeConfig,
  upgradeEpoch,
  upgradeShapes,
} from './format1';
import {
  ATTENTION_DIR,
  CONFIG_FILE,
  FIGURES_FILE,
  METRICS_FILE,
  SAMPLES_DIR,
  SHAPES_FILE,
  STATUS_FILE,
  epochFileName,
  parseEpochFileName,
} from './paths';

export { DamagedRunError };

/** Validates a parsed JSON value; the reason names the file. */
function check<TSchema extends v.GenericSchema>(
  dir: string,
  file: string,
  schema: TSchema,
  value: unknown,
): v.InferOutput<TSchema> {
  const result = v.safeParse(schema, value);
  if (!result.success) throw new DamagedRunError(dir, `${file}: ${describeIssues(result.issues)}`);
  return result.output;
}

async function readJsonOrDamage(dir: string, file: string): Promise<unknown> {
  const read = await readRunJson(dir, file);
  if (read.kind === 'missing') throw new DamagedRunError(dir, `${file} is missing`);
  if (read.kind === 'bad') throw new DamagedRunError(dir, `${file} ${read.problem}`);
  return read.value;
}

function configFromValue(dir: string, value: unknown): RunConfig {
  if (!isPlainObject(value)) throw new DamagedRunError(dir, `${CONFIG_FILE} must be a JSON object`);
  const version = value.formatVersion;
  let config: RunConfig;
  if (version === undefined) {
    const old = check(dir, CONFIG_FILE, Format1ConfigSchema, value);
    const info = chapterInfo(old.chapter);
    config = upgradeConfig(
      old,
      info.hyperparameters.map((spec) => spec.key),
      info.defaultVariant,
    );
  } else if (version === RUN_FORMAT_VERSION) {
    const file = check(dir, CONFIG_FILE, RunConfigFileSchema, value);
    const record = value[file.chapter];
    if (!isPlainObject(record)) {
      throw new DamagedRunError(dir, `${CONFIG_FILE}: "${file.chapter}" (the chapter's hyperparameters) is missing`);
    }
    const { formatVersion: _version, ...core } = file;
    const known = new Set(Object.keys(RunConfigFileSchema.entries));
    const extra = Object.keys(value).find((key) => !known.has(key) && key !== file.chapter);
    if (extra !== undefined)
      throw new DamagedRunError(dir, `${CONFIG_FILE}: "${oneLine(extra, 40)}" is not a config field`);
    const data = core.data;
    config = { formatVersion: 2, ...core, data, hyperparameters: record as RunConfig['hyperparameters'] };
  } else {
    throw new DamagedRunError(
      dir,
      `${CONFIG_FILE} has format version ${oneLine(String(version), 20)}; this version reads 1 and 2`,
    );
  }
  const info = chapterInfo(config.chapter);
  if (!info.trainable)
    throw new DamagedRunError(dir, `${CONFIG_FILE}: chapter ${config.chapter} cannot be read by this version`);
  if (!variantOf(info, config.variant)) {
    throw new DamagedRunError(
      dir,
      `${CONFIG_FILE}: variant "${oneLine(config.variant, 40)}" is not a variant of ${info.id}`,
    );
  }
  const problem = checkHyperparameters(info, config.hyperparameters);
  if (problem) throw new DamagedRunError(dir, `${CONFIG_FILE}: ${config.chapter}.${problem}`);
  return config;
}

/** DamagedRunError when the run folder is, or holds, a symbolic link (a run never does). */
export async function assertNoSymlink(dir: string): Promise<void> {
  const link = await findSymlink(dir);
  if (link === '.')
    throw new DamagedRunError(dir, 'the run folder is a symbolic link; runs are never read through one');
  if (link !== null) throw new DamagedRunError(dir, `${oneLine(link, 120)} is a symbolic link; a run never holds one`);
}

/**
 * `config.json`, validated (types and the chapter's ranges), format 1 upgraded, after checking
 * that the run holds no symbolic link. DamagedRunError when missing or invalid.
 */
export async function readConfig(dir: string): Promise<RunConfig> {
  await assertNoSymlink(dir);
  return readConfigFile(dir);
}

function readConfigFile(dir: string): Promise<RunConfig> {
  return readJsonOrDamage(dir, CONFIG_FILE).then((value) => configFromValue(dir, value));
}

/** `status.json`, validated. DamagedRunError when missing or invalid. */
export async function readStatus(dir: string): Promise<RunStatus> {
  const value = await readJsonOrDamage(dir, STATUS_FILE);
  if (!isPlainObject(value)) throw new DamagedRunError(dir, `${STATUS_FILE} must be a JSON object`);
  return check(dir, STATUS_FILE, RunStatusSchema, value);
}

/** Config and status together; a folder holding neither is "not a run folder". */
export async function readConfigAndStatus(dir: string): Promise<{ config: RunConfig; status: RunStatus }> {
  await assertNoSymlink(dir);
  const [config, status] = await Promise.all([readRunJson(dir, CONFIG_FILE), readRunJson(dir, STATUS_FILE)]);
  if (config.kind === 'missing' && status.kind === 'missing') {
    throw new DamagedRunError(dir, `not a run folder: no ${CONFIG_FILE} or ${STATUS_FILE}`);
  }
  return { config: await readConfigFile(dir), status: await readStatus(dir) };
}

// ── metrics.jsonl ───────────────────────────────────────────────────────────────────────────

function parseMetricLine(dir: string, where: string, value: unknown, formatVersion: 1 | 2): MetricsRecord | null {
  if (!isPlainObject(value)) throw new DamagedRunError(dir, `${where} must be a JSON object`);
  if (value.kind !== 'epoch' && value.kind !== 'step') return null; // a newer writer's kind
  if (formatVersion === 1 && value.kind === 'epoch') return upgradeEpoch(check(dir, where, Format1EpochSchema, value));
  return check(dir, where, MetricsRecordSchema, value);
}

/**
 * The records of `metrics.jsonl`, oldest first. A torn (unparsable) last line is dropped with a
 * warning; damage anywhere else is a DamagedRunError; records of an unknown kind are skipped with
 * a warning. A missing file gives no records (`missing: true`).
 */
export async function readMetrics(
  dir: string,
  formatVersion: 1 | 2 = 2,
): Promise<{ missing: boolean; records: MetricsRecord[]; warnings: string[] }> {
  const read = await readRunText(dir, METRICS_FILE);
  if (read.kind === 'missing') return { missing: true, records: [], warnings: [] };
  if (read.kind === 'bad') throw new DamagedRunError(dir, `${METRICS_FILE} ${read.problem}`);
  const lines = read.text.split('\n');
  let last = lines.length - 1;
  while (last >= 0 && lines[last].trim() === '') last--;
  const records: MetricsRecord[] = [];
  const warnings: string[] = [];
  let skipped = 0;
  for (let index = 0; index <= last; index++) {
    const line = lines[index].trim();
    if (line === '') continue;
    const where = `${METRICS_FILE} line ${index + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      const message = oneLine(error instanceof Error ? error.message : String(error), 80);
      if (index === last) {
        warnings.push(`${METRICS_FILE}: dropped a torn last line (line ${index + 1}: ${message})`);
        break;
      }
      throw new DamagedRunError(dir, `${where} is not valid JSON (${message})`);
    }
    const record = parseMetricLine(dir, where, value, formatVersion);
    if (record) records.push(record);
    else skipped++;
  }
  if (skipped > 0) warnings.push(`${METRICS_FILE}: skipped ${skipped} record(s) of an unknown kind`);
  return { missing: false, records, warnings };
}

/**
 * Metrics of a run whose status is known: every epoch the status calls completed must have its
 * evaluation line (the trainer appends it before it updates the status).
 */
export async function readMetricsForStatus(
  dir: string,
  status: RunStatus,
  formatVersion: 1 | 2,
): Promise<{ records: MetricsRecord[]; warnings: string[] }> {
  const metrics = await readMetrics(dir, formatVersion);
  const epochs = new Set(metrics.records.filter((r) => r.kind === 'epoch').map((r) => r.epoch));
  for (let epoch = 1; epoch <= status.epochsCompleted; epoch++) {
    if (!epochs.has(epoch)) {
      const what = metrics.missing ? `${METRICS_FILE} is missing` : `${METRICS_FILE} has no line for epoch ${epoch}`;
      throw new DamagedRunError(dir, `${what} but ${STATUS_FILE} says ${status.epochsCompleted} epoch(s) completed`);
    }
  }
  return { records: metrics.records, warnings: metrics.warnings };
}

// ── shapes.json, figures.json ───────────────────────────────────────────────────────────────

export type Optional<T> = { ok: true; value: T } | { ok: false; missing: boolean; reason: string };

async function readOptional<T>(dir: string, file: string, parse: (value: unknown) => T): Promise<Optional<T>> {
  const read = await readRunJson(dir, file);
  if (read.kind === 'missing') return { ok: false, missing: true, reason: `${file} is missing` };
  if (read.kind === 'bad') return { ok: false, missing: false, reason: `${file} ${read.problem}` };
  try {
    return { ok: true, value: parse(read.value) };
  } catch (error) {
    if (error instanceof DamagedRunError) return { ok: false, missing: false, reason: error.reason };
    throw error;
  }
}

export function readShapes(dir: string, formatVersion: 1 | 2): Promise<Optional<ShapeEntry[]>> {
  return readOptional(dir, SHAPES_FILE, (value) =>
    formatVersion === 1
      ? upgradeShapes(check(dir, SHAPES_FILE, Format1ShapesSchema, value))
      : check(dir, SHAPES_FILE, v.array(ShapeEntrySchema), value),
  );
}

export function readFigures(dir: string): Promise<Optional<Figure[]>> {
  return readOptional(dir, FIGURES_FILE, (value) => check(dir, FIGURES_FILE, RunFiguresSchema, value).figures);
}

// ── attention/ and samples/ ─────────────────────────────────────────────────────────────────

/** Epochs of the `epoch-NNN.json` files in `<dir>/<folder>`, ascending; [] when there is no folder. */
export async function listEpochFiles(dir: string, folder: string, warnings: string[]): Promise<number[]> {
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

function checkEpoch(dir: string, file: string, found: number, epoch: number): void {
  if (found !== epoch) throw new DamagedRunError(dir, `${file}: "epoch" is ${found}, expected ${epoch}`);
}

export function readAttentionFile(
  dir: string,
  epoch: number,
  formatVersion: 1 | 2,
): Promise<Optional<AttentionSnapshot>> {
  const file = `${ATTENTION_DIR}/${epochFileName(epoch)}`;
  return readOptional(dir, file, (value) => {
    const snapshot =
      formatVersion === 1
        ? upgradeAttention(check(dir, file, Format1AttentionSchema, value), 0)
        : check(dir, file, AttentionSnapshotSchema, value);
    checkEpoch(dir, file, snapshot.epoch, epoch);
    return snapshot;
  });
}

export function readSamplesFile(dir: string, epoch: number): Promise<Optional<SamplesSnapshot>> {
  const file = `${SAMPLES_DIR}/${epochFileName(epoch)}`;
  return readOptional(dir, file, (value) => {
    // Format 1 wrote `correct` as a boolean, which format 2 still accepts.
    const snapshot = check(dir, file, SamplesSnapshotSchema, value);
    checkEpoch(dir, file, snapshot.epoch, epoch);
    return snapshot;
  });
}

/** The attention snapshot of `epoch`. DamagedRunError when missing or invalid. */
export async function readAttention(dir: string, epoch: number): Promise<AttentionSnapshot> {
  if (!Number.isSafeInteger(epoch) || epoch < 0) {
    throw new DamagedRunError(dir, `no attention for epoch ${epoch}: epochs are whole numbers ≥ 0`);
  }
  const config = await readConfig(dir);
  const read = await readAttentionFile(dir, epoch, config.formatVersion);
  if (!read.ok) throw new DamagedRunError(dir, read.reason);
  return read.value;
}

/** The samples of `epoch`. DamagedRunError when missing or invalid. */
export async function readSamples(dir: string, epoch: number): Promise<SamplesSnapshot> {
  const read = await readSamplesFile(dir, epoch);
  if (!read.ok) throw new DamagedRunError(dir, read.reason);
  return read.value;
}
