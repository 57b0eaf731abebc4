/**
 * Model weights in TensorFlow.js format: `model/model.json` (a weights manifest naming every
 * variable as `shapes.json` does) and `model/weights.bin`. The optimiser's state is saved the same
 * way in `model/optimizer.json` + `optimizer.bin`, so a resumed run continues exactly.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as fs from 'fs';
import * as path from 'path';

/** A tensor with the name it is saved under. */
export interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

interface WeightsFile {
  format: 'llm-tutor-weights';
  generatedBy: string;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

function writeAtomic(file: string, data: string | Uint8Array): void {
  const temporary = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(temporary, data);
  fs.renameSync(temporary, file);
}

/** The model's weights: `model/model.json` + `model/weights.bin`. */
export const MODEL_WEIGHTS = { manifest: 'model.json', binary: 'weights.bin' };
/** Adam's state (step count, first and second moments): `model/optimizer.json` + `model/optimizer.bin`. */
export const OPTIMIZER_STATE = { manifest: 'optimizer.json', binary: 'optimizer.bin' };

/** Saves named tensors as a manifest and one binary file in `dir`, the binary first. */
export async function saveWeights(
  dir: string,
  files: { manifest: string; binary: string },
  tensors: NamedTensor[],
  generatedBy: string,
): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  const { data, specs } = await tf.io.encodeWeights(tensors);
  writeAtomic(path.join(dir, files.binary), new Uint8Array(data));
  const manifest: WeightsFile = {
    format: 'llm-tutor-weights',
    generatedBy,
    weightsManifest: [{ paths: [files.binary], weights: specs }],
  };
  writeAtomic(path.join(dir, files.manifest), JSON.stringify(manifest, null, 2) + '\n');
}

/** Loads what saveWeights wrote; the caller disposes the tensors. Throws a one-line error when damaged. */
export function loadWeights(dir: string, files: { manifest: string }): Map<string, tf.Tensor> {
  const manifestFile = path.join(dir, files.manifest);
  let manifest: WeightsFile;
  try {
    manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as WeightsFile;
  } catch (error) {
    throw new Error(`cannot read ${manifestFile}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const group = manifest.weightsManifest?.[0];
  if (!group || !Array.isArray(group.paths) || !Array.isArray(group.weights))
    throw new Error(`${manifestFile} has no weights manifest`);
  const binaryFile = path.join(dir, path.basename(group.paths[0])); // never outside dir
  if (!fs.existsSync(binaryFile)) throw new Error(`${group.paths[0]} is missing`);
  const buffer = fs.readFileSync(binaryFile);
  const expected = group.weights.reduce((sum, spec) => sum + spec.shape.reduce((a, b) => a * b, 1) * 4, 0);
  if (buffer.byteLength !== expected)
    throw new Error(`${group.paths[0]} holds ${buffer.byteLength} bytes, the manifest describes ${expected}`);
  const arrayBuffer = buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength);
  return new Map(Object.entries(tf.io.decodeWeights(arrayBuffer, group.weights)));
}
