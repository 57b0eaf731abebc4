/**
 * Weights and optimiser state in TensorFlow.js format, as the bytes of a checkpoint
 * (src/runStore/checkpoint.ts writes and verifies the files): a manifest naming every tensor as
 * `shapes.json` does, and one binary file. Format 2 names them `weights.json`/`weights.bin` and
 * `optimizer.json`/`optimizer.bin`; format 1 used `model.json` for the weights' manifest.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as v from 'valibot';
import type { Checkpoint, CheckpointFiles } from '../../runStore/checkpoint';
import type { NamedTensor, TrainOptimizer } from '../chapters/contract';
import type { Parameters } from '../nn/parameters';

const ManifestSchema = v.object({
  format: v.literal('llm-tutor-weights'),
  generatedBy: v.string(),
  weightsManifest: v.tuple([
    v.object({
      paths: v.array(v.string()),
      weights: v.array(
        v.object({
          name: v.string(),
          shape: v.array(v.pipe(v.number(), v.safeInteger(), v.minValue(0))),
          dtype: v.picklist(['float32', 'int32']),
        }),
      ),
    }),
  ]),
});

async function encode(tensors: NamedTensor[], binaryName: string, generatedBy: string) {
  const { data, specs } = await tf.io.encodeWeights(tensors);
  const manifest = {
    format: 'llm-tutor-weights',
    generatedBy,
    weightsManifest: [{ paths: [binaryName], weights: specs }],
  };
  return { manifest: `${JSON.stringify(manifest, null, 2)}\n`, binary: new Uint8Array(data) };
}

/** The files of a checkpoint: the parameters and the optimiser's state. */
export async function checkpointFiles(
  parameters: Parameters,
  optimizer: TrainOptimizer,
  generatedBy: string,
): Promise<CheckpointFiles> {
  const weights = await encode(
    parameters.entries().map(([name, tensor]) => ({ name, tensor })),
    'weights.bin',
    generatedBy,
  );
  const state = await optimizer.getWeights();
  try {
    const saved = await encode(
      state.map((w, i) => ({ name: `optimizer/${i}`, tensor: w.tensor })),
      'optimizer.bin',
      generatedBy,
    );
    return {
      'weights.json': weights.manifest,
      'weights.bin': weights.binary,
      'optimizer.json': saved.manifest,
      'optimizer.bin': saved.binary,
    };
  } finally {
    tf.dispose(state.map((w) => w.tensor));
  }
}

/** Invalid UTF-8 is an error, never replaced (format-1 checkpoints carry no checksums). */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The parsed weights manifest of a manifest file; a one-line error when it is not one. */
function readManifest(files: Map<string, Buffer>, manifestName: string) {
  const text = files.get(manifestName);
  if (!text) throw new Error(`${manifestName} is missing`);
  let value: unknown;
  try {
    value = JSON.parse(UTF8.decode(text));
  } catch {
    throw new Error(`${manifestName} is not valid UTF-8 JSON`);
  }
  const parsed = v.safeParse(ManifestSchema, value);
  if (!parsed.success) throw new Error(`${manifestName} is not a weights manifest`);
  return parsed.output.weightsManifest[0];
}

/**
 * The name and shape of every weight a checkpoint holds, read from its manifest without decoding
 * a tensor: for `new Parameters(random, savedShapes(checkpoint))`, which refuses a model the
 * weights do not fit before allocating it.
 */
export function savedShapes(checkpoint: Checkpoint): Map<string, number[]> {
  const group = readManifest(checkpoint.files, checkpoint.format === 1 ? 'model.json' : 'weights.json');
  return new Map(group.weights.map((spec) => [spec.name, spec.shape]));
}

/** Decodes one manifest + binary pair; a one-line error when they do not fit together. The caller disposes the tensors. */
function decode(files: Map<string, Buffer>, manifestName: string): Map<string, tf.Tensor> {
  const group = readManifest(files, manifestName);
  const binaryName = group.paths[0] ?? '';
  const binary = files.get(binaryName);
  if (!binary) throw new Error(`${binaryName || 'the weights binary'} named by ${manifestName} is missing`);
  // float32 and int32 (the optimiser's step count) both take 4 bytes.
  const expected = group.weights.reduce((sum, spec) => sum + spec.shape.reduce((a, b) => a * b, 1) * 4, 0);
  if (binary.byteLength !== expected) {
    throw new Error(`${binaryName} holds ${binary.byteLength} bytes, ${manifestName} describes ${expected}`);
  }
  const buffer = new Uint8Array(binary).buffer; // a copy: decodeWeights wants a plain ArrayBuffer
  const tensors = tf.io.decodeWeights(buffer, group.weights);
  for (const tensor of Object.values(tensors)) {
    if (tensor.dtype === 'float32' && !(tensor.dataSync() as Float32Array).every(Number.isFinite)) {
      tf.dispose(Object.values(tensors));
      throw new Error(`${binaryName} holds values that are not finite numbers`);
    }
  }
  return new Map(Object.entries(tensors));
}

/** Assigns the checkpoint's weights to `parameters` (names and shapes must match exactly). */
export function restoreWeights(checkpoint: Checkpoint, parameters: Parameters): void {
  const weights = decode(checkpoint.files, checkpoint.format === 1 ? 'model.json' : 'weights.json');
  try {
    parameters.assign(weights);
  } finally {
    tf.dispose([...weights.values()]);
  }
}

/** Restores the optimiser's state saved with the weights, so a resumed run continues exactly. */
export async function restoreOptimizer(checkpoint: Checkpoint, optimizer: TrainOptimizer): Promise<void> {
  const state = decode(checkpoint.files, 'optimizer.json');
  const ordered = [...state.entries()].sort((a, b) => Number(a[0].split('/')[1]) - Number(b[0].split('/')[1]));
  try {
    await optimizer.setWeights(ordered.map(([name, tensor]) => ({ name, tensor })));
  } finally {
    tf.dispose(ordered.map(([, tensor]) => tensor));
  }
}
