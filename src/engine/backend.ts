/**
 * Picks the TensorFlow.js backend. `auto` takes the first that loads: `tensorflow` (the native
 * `@tensorflow/tfjs-node`, an optional dependency), `wasm` (its .wasm files beside the bundle),
 * `cpu`. Asking for one that is not available is an error naming what is missing.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as fs from 'fs';
import * as path from 'path';
import type { BackendChoice, BackendName } from '../protocol/run';
import { loadNativeBackend } from './native';

export class BackendUnavailableError extends Error {}

/** Where the wasm backend's .wasm files are: beside the bundle, or in node_modules when run from source. */
export function findWasmDir(): string | null {
  const candidates = [
    __dirname,
    path.join(__dirname, '..', 'dist'),
    path.join(__dirname, '..', '..', 'dist'),
    path.join(__dirname, '..', '..', 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist'),
  ];
  return candidates.find((dir) => fs.existsSync(path.join(dir, 'tfjs-backend-wasm-simd.wasm'))) ?? null;
}

let nativeLoadError: string | null = null;
let nativeTried = false;

/** Loads tfjs-node once, if it can be found (src/engine/native.ts): it registers `tensorflow` with our tfjs-core. */
function tryLoadNative(): boolean {
  if (!nativeTried) {
    nativeTried = true;
    try {
      loadNativeBackend();
    } catch (error) {
      nativeLoadError = error instanceof Error ? error.message.split('\n')[0] : String(error);
    }
  }
  return tf.findBackendFactory('tensorflow') !== null && nativeLoadError === null;
}

async function trySet(name: BackendName): Promise<string | null> {
  if (name === 'tensorflow' && !tryLoadNative()) {
    return nativeLoadError ?? '@tensorflow/tfjs-node registered no tensorflow backend';
  }
  if (name === 'wasm') {
    const dir = findWasmDir();
    if (!dir)
      return "the wasm backend's .wasm files (tfjs-backend-wasm-simd.wasm) were not found beside the engine bundle";
    setWasmPaths(dir + path.sep);
  }
  try {
    const ok = await tf.setBackend(name);
    if (!ok) return `the ${name} backend failed to initialise`;
    await tf.ready();
    return null;
  } catch (error) {
    return `the ${name} backend failed to initialise: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** Selects and initialises a backend; returns the one in use. Throws BackendUnavailableError. */
export async function selectBackend(choice: BackendChoice): Promise<BackendName> {
  if (choice !== 'auto') {
    if (tf.getBackend() === choice) return choice;
    const problem = await trySet(choice);
    if (problem) throw new BackendUnavailableError(`backend '${choice}' is not available: ${problem}`);
    return choice;
  }
  const problems: string[] = [];
  for (const name of ['tensorflow', 'wasm', 'cpu'] as const) {
    if (tf.getBackend() === name) return name;
    const problem = await trySet(name);
    if (!problem) return name;
    problems.push(problem);
  }
  throw new BackendUnavailableError(`no backend is available: ${problems.join('; ')}`);
}
