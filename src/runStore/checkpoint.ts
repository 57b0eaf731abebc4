/**
 * Checkpoints: the weights and the optimiser state of one epoch, saved as one unit. Each is
 * written into a hidden staging folder, renamed to `model/epoch-NNN/`, and switched in by
 * rewriting `model/latest.json` atomically (that rename is the commit point), so a kill at any
 * moment leaves the previous checkpoint or the new one, never weights and optimiser state of
 * different epochs. `manifest.json` records every file's size and sha256; readers verify them and
 * report a changed or damaged file as damage. Format-1 runs (`model/model.json` + `weights.bin`,
 * no checksums) are read as before and marked unverified. Node only; the bytes come from the
 * engine (src/engine/checkpoint).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as v from 'valibot';
import { count } from '../shared/schema';
import { faultPoint } from './faults';
import { DamagedRunError, readRunFile, readRunJson, temporaryNameFor, writeFileAtomic, writeJsonAtomic } from './files';
import { CHECKPOINT_MANIFEST, LATEST_CHECKPOINT_FILE, MODEL_DIR, checkpointDirPath } from './paths';

const CHECKPOINT_NAME = /^epoch-\d{3,}$/;
const FILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,80}$/;
/** Checkpoints kept on disk: the current one and the one before (a reader may still be reading it). */
const KEEP = 2;

const LatestSchema = v.object({
  checkpoint: v.pipe(v.string(), v.regex(CHECKPOINT_NAME)),
  epoch: count,
  step: count,
  manifestSha256: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/)),
});

const ManifestSchema = v.object({
  formatVersion: v.literal(2),
  epoch: count,
  step: count,
  files: v.record(
    v.pipe(v.string(), v.regex(FILE_NAME)),
    v.object({ bytes: count, sha256: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/)) }),
  ),
});

export function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The files of a checkpoint, by name (e.g. `weights.json`, `weights.bin`, `optimizer.json`, `optimizer.bin`). */
export type CheckpointFiles = Record<string, Uint8Array | string>;

export interface Checkpoint {
  /** 2: verified against its manifest; 1: a format-1 run's files, which carry no checksums. */
  format: 1 | 2;
  /** The epoch and step it was saved at (format 1: unknown, null). */
  epoch: number | null;
  step: number | null;
  files: Map<string, Buffer>;
}

/**
 * Saves a checkpoint of `runDir` for `epoch` (see the top of this file). Synchronous, between
 * training steps. Older checkpoints beyond the previous one are removed afterwards.
 */
export function writeCheckpoint(runDir: string, epoch: number, step: number, files: CheckpointFiles): void {
  const modelDir = path.join(runDir, MODEL_DIR);
  fs.mkdirSync(modelDir, { recursive: true });
  const finalDir = checkpointDirPath(runDir, epoch);
  const name = path.basename(finalDir);
  const staging = temporaryNameFor(path.join(modelDir, `.${name}`));
  fs.mkdirSync(staging);
  const manifest: v.InferOutput<typeof ManifestSchema> = { formatVersion: 2, epoch, step, files: {} };
  for (const [file, data] of Object.entries(files)) {
    if (!FILE_NAME.test(file) || file === CHECKPOINT_MANIFEST) throw new Error(`bad checkpoint file name ${file}`);
    writeFileAtomic(path.join(staging, file), data);
    const bytes = typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
    manifest.files[file] = { bytes, sha256: sha256(data) };
    faultPoint('checkpoint-file');
  }
  const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
  writeFileAtomic(path.join(staging, CHECKPOINT_MANIFEST), manifestText);
  faultPoint('checkpoint-staged');
  fs.rmSync(finalDir, { recursive: true, force: true }); // only if this epoch was saved before (never current)
  fs.renameSync(staging, finalDir);
  faultPoint('checkpoint-renamed');
  writeJsonAtomic(path.join(modelDir, LATEST_CHECKPOINT_FILE), {
    checkpoint: name,
    epoch,
    step,
    manifestSha256: sha256(manifestText),
  });
  faultPoint('checkpoint-committed');
  pruneCheckpoints(modelDir, name);
}

/** Removes staging leftovers and every checkpoint but the newest KEEP (the current one always stays). */
function pruneCheckpoints(modelDir: string, current: string): void {
  const names = fs.readdirSync(modelDir);
  const checkpoints = names.filter((entry) => CHECKPOINT_NAME.test(entry)).sort();
  const keep = new Set([current, ...checkpoints.slice(-KEEP)]);
  for (const entry of names) {
    const stale =
      (CHECKPOINT_NAME.test(entry) && !keep.has(entry)) || (entry.startsWith('.epoch-') && entry.includes('.tmp-'));
    if (stale) fs.rmSync(path.join(modelDir, entry), { recursive: true, force: true });
  }
}

function damaged(runDir: string, reason: string): DamagedRunError {
  return new DamagedRunError(runDir, reason);
}

async function readFormat1(runDir: string): Promise<Checkpoint | null> {
  const files = new Map<string, Buffer>();
  for (const name of ['model.json', 'weights.bin', 'optimizer.json', 'optimizer.bin']) {
    const read = await readRunFile(runDir, `${MODEL_DIR}/${name}`);
    if (read.kind === 'bad') throw damaged(runDir, `${MODEL_DIR}/${name} ${read.problem}`);
    if (read.kind === 'ok') files.set(name, read.bytes);
  }
  if (!files.has('model.json')) return null;
  return { format: 1, epoch: null, step: null, files };
}

/**
 * The current checkpoint of `runDir`, every file verified against its manifest (sizes only when
 * `verifyContent` is false, for listings); null when the run has no weights yet. DamagedRunError
 * naming the file when anything does not match. Never writes.
 */
export async function readCheckpoint(runDir: string, verifyContent = true): Promise<Checkpoint | null> {
  const latestPath = `${MODEL_DIR}/${LATEST_CHECKPOINT_FILE}`;
  const latest = await readRunJson(runDir, latestPath);
  if (latest.kind === 'missing') return readFormat1(runDir);
  if (latest.kind === 'bad') throw damaged(runDir, `${latestPath} ${latest.problem}`);
  const pointer = v.safeParse(LatestSchema, latest.value);
  if (!pointer.success) throw damaged(runDir, `${latestPath} does not name a checkpoint`);
  const folder = `${MODEL_DIR}/${pointer.output.checkpoint}`;
  const manifestRead = await readRunFile(runDir, `${folder}/${CHECKPOINT_MANIFEST}`);
  if (manifestRead.kind === 'missing') throw damaged(runDir, `${folder}/${CHECKPOINT_MANIFEST} is missing`);
  if (manifestRead.kind === 'bad') throw damaged(runDir, `${folder}/${CHECKPOINT_MANIFEST} ${manifestRead.problem}`);
  if (sha256(manifestRead.bytes) !== pointer.output.manifestSha256) {
    throw damaged(runDir, `${folder}/${CHECKPOINT_MANIFEST} does not match its checksum (changed or damaged)`);
  }
  let manifestValue: unknown;
  try {
    manifestValue = JSON.parse(manifestRead.bytes.toString('utf8'));
  } catch {
    throw damaged(runDir, `${folder}/${CHECKPOINT_MANIFEST} is not valid JSON`);
  }
  const manifest = v.safeParse(ManifestSchema, manifestValue);
  if (!manifest.success) throw damaged(runDir, `${folder}/${CHECKPOINT_MANIFEST} is not a checkpoint manifest`);
  // latest.json has no checksum of its own: what it says must agree with the verified manifest.
  const { epoch, step } = manifest.output;
  if (
    pointer.output.epoch !== epoch ||
    pointer.output.step !== step ||
    pointer.output.checkpoint !== path.basename(checkpointDirPath(runDir, epoch))
  ) {
    throw damaged(runDir, `${latestPath} does not agree with ${folder}/${CHECKPOINT_MANIFEST} (changed or damaged)`);
  }
  const files = new Map<string, Buffer>();
  for (const [name, expected] of Object.entries(manifest.output.files)) {
    const read = await readRunFile(runDir, `${folder}/${name}`);
    if (read.kind === 'missing') throw damaged(runDir, `${folder}/${name} is missing`);
    if (read.kind === 'bad') throw damaged(runDir, `${folder}/${name} ${read.problem}`);
    if (read.bytes.byteLength !== expected.bytes) {
      throw damaged(
        runDir,
        `${folder}/${name} holds ${read.bytes.byteLength} bytes, its manifest says ${expected.bytes}`,
      );
    }
    if (verifyContent && sha256(read.bytes) !== expected.sha256) {
      throw damaged(runDir, `${folder}/${name} does not match its checksum (changed or damaged)`);
    }
    files.set(name, read.bytes);
  }
  return { format: 2, epoch: manifest.output.epoch, step: manifest.output.step, files };
}
