/**
 * Picks the TensorFlow.js backend: `tensorflow` (the native `@tensorflow/tfjs-node`, loaded by
 * ./native.ts into the engine's own tfjs-core), `wasm` (its .wasm files beside the bundle), `cpu`.
 * Asking for one that is not available is an error naming what is missing.
 *
 * `auto` picks by measurement. With a workload (one training step of the model about to be
 * trained), `chooseBackend` times a few steps on each backend that loads and takes the fastest.
 * Without one, it takes the first that loads of wasm, tensorflow, cpu: on the 2-core machines this
 * project is built on, tfjs-node ran the course's default models at 0.5-1.0x wasm's speed (steps of
 * thousands of small ops, where TensorFlow's per-op cost and its threads competing for the cores
 * outweigh its faster kernels); it wins only on bigger models (2x at hidden 256, batch 128).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as fs from 'fs';
import * as path from 'path';
import type { BackendChoice, BackendName } from '../shared/ids';
import { loadNativeBackend } from './native';
import { useFastWasmBatchMatMul } from './wasmBatchMatMul';
import { useSharedWasmIdentity } from './wasmIdentity';
import { useFastWasmSlices } from './wasmSlices';

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
    useFastWasmSlices(); // before the first kernel runs (wasmSlices.ts: the same values, no whole-input copies)
    useFastWasmBatchMatMul(); // batched and transposed products (wasmBatchMatMul.ts: the same values, SIMD)
    useSharedWasmIdentity(); // the copies tfjs-core saves for gradients share their buffer (wasmIdentity.ts)
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
  return (await chooseBackend(choice)).backend;
}

/** The order `auto` tries backends in when it has nothing to time (see the top of this file). */
export const AUTO_ORDER: readonly BackendName[] = ['wasm', 'tensorflow', 'cpu'];

export interface BackendSelection {
  backend: BackendName;
  /** Why, in one line, for the run's config and log: `auto: wasm (12.1 ms/step vs tensorflow 19.8 ms/step)`. */
  reason: string;
  /** Median milliseconds per workload step, for each backend that was timed. */
  msPerStep: Partial<Record<BackendName, number>>;
}

export interface CalibrationOptions {
  /** Rough total time for warm-up and timed steps, all backends together (default 1500 ms). */
  budgetMs?: number;
  /** Backends to time, in order of preference (default wasm, tensorflow; cpu is only the fallback). */
  candidates?: readonly BackendName[];
  /** A later candidate must be faster than the preferred one by this fraction to win (default 0.1). */
  margin?: number;
  /** Each backend's timings as they are measured. */
  log?: (line: string) => void;
}

/**
 * Selects and initialises a backend and says why. An explicit choice behaves as `selectBackend`.
 * `auto` with a `workload` (a `() => void` running one forward + backward step of the model to be
 * trained, e.g. `trainingStepWorkload(...).step` from ./train/stepWorkload) calibrates: one
 * untimed warm-up step on each candidate that loads, then rounds of one timed step on each in
 * turn (so a change in the machine's load hits them alike) until the budget is spent (at least 2
 * rounds, at most 8); the lowest median wins. The workload runs with the backends current in
 * alternation: it should keep its tensors per backend (`tf.getBackend()`), or tensors made on one
 * are moved to the other on every switch, and dispose them when done. A backend whose step throws
 * (a missing kernel) is skipped. Throws BackendUnavailableError.
 */
export async function chooseBackend(
  choice: BackendChoice,
  workload?: () => void,
  options: CalibrationOptions = {},
): Promise<BackendSelection> {
  if (choice !== 'auto') {
    if (tf.getBackend() !== choice) {
      const problem = await trySet(choice);
      if (problem) throw new BackendUnavailableError(`backend '${choice}' is not available: ${problem}`);
    }
    return { backend: choice, reason: `${choice} (asked for)`, msPerStep: {} };
  }
  if (!workload) return firstThatLoads();
  return calibrate(workload, options);
}

async function firstThatLoads(): Promise<BackendSelection> {
  const problems: string[] = [];
  for (const name of AUTO_ORDER) {
    const problem = tf.getBackend() === name ? null : await trySet(name);
    if (!problem) {
      const skipped = problems.length > 0 ? `; ${problems.join('; ')}` : '';
      const reason = `auto: ${name} (first that loads of ${AUTO_ORDER.join(', ')}; not timed${skipped})`;
      return { backend: name, reason, msPerStep: {} };
    }
    problems.push(`${name}: ${problem}`);
  }
  throw new BackendUnavailableError(`no backend is available: ${problems.join('; ')}`);
}

/**
 * The fastest of `names` (in order of preference) by `msPerStep`: a later one replaces the best so
 * far only when faster by more than `margin` (a fraction), so near-ties keep the preferred one.
 */
export function pickFastest(
  names: readonly BackendName[],
  msPerStep: Partial<Record<BackendName, number>>,
  margin: number,
): BackendName {
  return names.reduce((best, name) => (msPerStep[name]! < msPerStep[best]! * (1 - margin) ? name : best));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function calibrate(workload: () => void, options: CalibrationOptions): Promise<BackendSelection> {
  const candidates = options.candidates ?? ['wasm', 'tensorflow'];
  const budgetMs = options.budgetMs ?? 1500;
  const margin = options.margin ?? 0.1;
  const problems: string[] = [];
  const usable: BackendName[] = [];
  for (const name of candidates) {
    const problem = await trySet(name);
    if (problem) problems.push(`${name} unavailable: ${problem}`);
    else usable.push(name);
  }
  const msPerStep: Partial<Record<BackendName, number>> = {};
  if (usable.length > 1) {
    const start = performance.now();
    const times = new Map<BackendName, number[]>();
    const step = async (name: BackendName): Promise<number | null> => {
      await trySet(name);
      try {
        const t0 = performance.now();
        workload();
        return performance.now() - t0;
      } catch (error) {
        problems.push(`${name} failed the workload: ${error instanceof Error ? error.message.split('\n')[0] : error}`);
        options.log?.(`calibration: ${problems[problems.length - 1]}`);
        return null;
      }
    };
    // Warm-up (kernels set up, the workload's tensors made on this backend), untimed.
    for (const name of usable) if ((await step(name)) !== null) times.set(name, []);
    // Then one timed step on each in turn, so a change in the machine's load hits them alike.
    for (let round = 0; round < 8 && (round < 2 || performance.now() - start < budgetMs); round++) {
      for (const [name, list] of times) {
        const ms = await step(name);
        if (ms === null) times.delete(name);
        else list.push(ms);
      }
    }
    for (const [name, list] of times) {
      msPerStep[name] = median(list);
      options.log?.(
        `calibration: ${name} ${msPerStep[name]!.toFixed(1)} ms/step (median of ${list.length}: ${list.map((t) => t.toFixed(0)).join(' ')})`,
      );
    }
  }
  const timed = usable.filter((name) => msPerStep[name] !== undefined);
  let winner: BackendName | undefined;
  let reason: string;
  if (timed.length > 0) {
    winner = pickFastest(timed, msPerStep, margin);
    const others = timed
      .filter((name) => name !== winner)
      .map((name) => `${name} ${msPerStep[name]!.toFixed(1)} ms/step`);
    const vs = others.length > 0 ? ` vs ${others.join(', ')}` : '';
    const skipped = problems.length > 0 ? `; ${problems.join('; ')}` : '';
    reason = `auto: ${winner} (${msPerStep[winner]!.toFixed(1)} ms/step${vs}${skipped})`;
  } else if (usable.length > 0) {
    winner = usable[0];
    reason = `auto: ${winner} (${usable.length === 1 ? 'the only candidate that loads' : 'first candidate'}, not timed; ${problems.join('; ')})`;
  } else {
    const fallback = await trySet('cpu');
    if (fallback) {
      throw new BackendUnavailableError(`no backend is available: ${[...problems, `cpu: ${fallback}`].join('; ')}`);
    }
    return { backend: 'cpu', reason: `auto: cpu (${problems.join('; ')})`, msPerStep };
  }
  const problem = await trySet(winner);
  if (problem) throw new BackendUnavailableError(`backend '${winner}' is not available: ${problem}`);
  return { backend: winner, reason, msPerStep };
}
