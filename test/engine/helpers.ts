/** Shared test helpers for engine tests. */
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/engine/backend';
import { findTfjsNode, NATIVE_PREFIX_ENV, NativeUnavailableError } from '../../src/engine/native';
import { createRandom } from '../../src/engine/random';
import { CHAPTER_IDS, type BackendName } from '../../src/shared/ids';
import { trainableChapter } from '../../src/engine/chapters/registry';
import type { Chapter, RunData } from '../../src/engine/chapters/contract';
import type { Hyperparameters } from '../../src/shared/course/chapter';
import { defaultsOf } from '../../src/shared/course/hyperparameters';

/** Set by .ci/run when scripts/setup-native-backend.sh failed on this machine: why. */
export const NATIVE_SKIP_ENV = 'LLM_TUTOR_TFJS_NODE_SKIP';

/**
 * Why the native `tensorflow` backend's tests cannot run here, or null when they can: for node:test's
 * `skip` option, so they are reported as skipped with the reason, never as passed. Available means
 * LLM_TUTOR_TFJS_NODE names an install of tfjs-node; whether it then loads is itself a test.
 */
export function nativeSkipReason(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env[NATIVE_SKIP_ENV]) return `native backend setup failed: ${env[NATIVE_SKIP_ENV]}`;
  if (!env[NATIVE_PREFIX_ENV]) {
    return `${NATIVE_PREFIX_ENV} is not set (export LLM_TUTOR_TFJS_NODE="$(scripts/setup-native-backend.sh)" to run these)`;
  }
  try {
    findTfjsNode(env);
    return null;
  } catch (error) {
    if (error instanceof NativeUnavailableError) return error.message;
    throw error;
  }
}

/** Every chapter the engine can train, so a chapter added later is covered too. */
export function trainableChapters(): Chapter[] {
  return CHAPTER_IDS.map((id) => trainableChapter(id)).filter((c): c is Chapter => c !== null);
}

/** Switches to `backend` (cpu or wasm) for the tests that follow. */
export async function useBackend(backend: BackendName): Promise<void> {
  const chosen = await selectBackend(backend);
  if (chosen !== backend) throw new Error(`wanted ${backend}, got ${chosen}`);
}

export function assertClose(actual: number, expected: number, tolerance: number, what = 'value'): void {
  if (!(Math.abs(actual - expected) <= tolerance)) {
    throw new Error(`${what}: expected ${expected} ± ${tolerance}, got ${actual}`);
  }
}

export function assertAllClose(actual: number[], expected: number[], tolerance: number, what = 'values'): void {
  if (actual.length !== expected.length) throw new Error(`${what}: length ${actual.length} ≠ ${expected.length}`);
  actual.forEach((a, i) => assertClose(a, expected[i], tolerance, `${what}[${i}]`));
}

export function values(t: tf.Tensor): number[] {
  return Array.from(t.dataSync());
}

/**
 * Checks d loss / d variable at a few coordinates of every variable against central finite
 * differences (float32: step 1e-2, tolerance scaled to the gradient's size), on the current backend.
 */
export function checkGradients(loss: () => tf.Scalar, variables: tf.Variable[], coordinatesPerVariable = 4): void {
  const { grads } = tf.variableGrads(loss, variables);
  const epsilon = 1e-2;
  const random = createRandom(3);
  for (const variable of variables) {
    const analytic = grads[variable.name].dataSync();
    const original = variable.dataSync().slice();
    for (let c = 0; c < coordinatesPerVariable; c++) {
      const index = random.int(original.length);
      const evaluate = (delta: number) => {
        const changed = original.slice();
        changed[index] += delta;
        variable.assign(tf.tensor(changed, variable.shape));
        const value = tf.tidy(() => loss().dataSync()[0]);
        return value;
      };
      const numeric = (evaluate(epsilon) - evaluate(-epsilon)) / (2 * epsilon);
      variable.assign(tf.tensor(original, variable.shape));
      const tolerance = 2e-3 + 2e-2 * Math.abs(numeric);
      if (!(Math.abs(analytic[index] - numeric) <= tolerance)) {
        throw new Error(`${variable.name}[${index}]: analytic ${analytic[index]} vs numeric ${numeric}`);
      }
    }
  }
  tf.dispose(Object.values(grads));
}

/**
 * A chapter's default task and hyperparameters with small data sets (for keys it declares), and
 * the run data prepared from them: enough to build its model and run a few steps in any test.
 */
export function smallRun(chapter: Chapter, seed = 5): { hyper: Hyperparameters; data: RunData; task: string } {
  const task = chapter.info.defaultTask;
  const hyper = { ...defaultsOf(chapter.info, task) };
  const small: Hyperparameters = { trainSize: 96, validationSize: 24, testSize: 8, batchSize: 16, epochs: 3 };
  for (const [key, value] of Object.entries(small)) if (key in hyper) hyper[key] = value;
  return { hyper, task, data: chapter.prepare({ task, hyperparameters: hyper, seed }) };
}
