/**
 * Turns raw `llmTutor.*` setting values (whatever a settings.json holds) into what the extension
 * uses: a backend choice, a language choice, and hyperparameter overrides within the protocol's
 * limits (an invalid value is ignored, so the chapter default applies). No vscode import.
 */
import type { BackendChoice, DatasetSizes, TrainOverrides } from '../protocol/run';
import { LIMITS } from '../protocol/webview';

export type LanguageSetting = 'auto' | 'en' | 'zh-cn';

export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'tensorflow', 'wasm', 'cpu'];
export const LANGUAGE_SETTINGS: readonly LanguageSetting[] = ['auto', 'en', 'zh-cn'];

export function parseBackend(value: unknown): BackendChoice {
  return BACKEND_CHOICES.includes(value as BackendChoice) ? (value as BackendChoice) : 'auto';
}

export function parseLanguageSetting(value: unknown): LanguageSetting {
  return LANGUAGE_SETTINGS.includes(value as LanguageSetting) ? (value as LanguageSetting) : 'auto';
}

function integerIn(value: unknown, min: number, max: number): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max ? value : undefined;
}

/** The hyperparameter settings that are set and valid; unset (null) ones are left to the chapter. */
export function overridesFromSettings(read: (key: string) => unknown): TrainOverrides {
  const overrides: TrainOverrides = {};
  const epochs = integerIn(read('epochs'), 1, LIMITS.maxEpochs);
  if (epochs !== undefined) overrides.epochs = epochs;
  const batchSize = integerIn(read('batchSize'), 1, LIMITS.maxBatchSize);
  if (batchSize !== undefined) overrides.batchSize = batchSize;
  const hiddenSize = integerIn(read('hiddenSize'), 1, LIMITS.maxHiddenSize);
  if (hiddenSize !== undefined) overrides.hiddenSize = hiddenSize;
  const seed = integerIn(read('seed'), 0, LIMITS.maxSeed);
  if (seed !== undefined) overrides.seed = seed;
  const learningRate = read('learningRate');
  if (
    typeof learningRate === 'number' &&
    Number.isFinite(learningRate) &&
    learningRate >= LIMITS.minLearningRate &&
    learningRate <= LIMITS.maxLearningRate
  ) {
    overrides.learningRate = learningRate;
  }
  return overrides;
}

/**
 * Advanced settings (declared in package.json, listed last in the Settings UI): dataset sizes for
 * tests and demos that need a run to finish in seconds, `llmTutor.advanced.trainSize`,
 * `llmTutor.advanced.validationSize` and `llmTutor.advanced.testSize`. Unset or invalid: the
 * task's default. The engine checks the rest (e.g. validation holds at least the probes).
 */
export const DATASET_SIZE_SETTINGS = {
  trainSize: 'advanced.trainSize',
  validationSize: 'advanced.validationSize',
  testSize: 'advanced.testSize',
} as const satisfies Record<keyof DatasetSizes, string>;

const MAX_DATASET_SIZE = 1_000_000;

export function datasetSizesFromSettings(read: (key: string) => unknown): DatasetSizes {
  const sizes: DatasetSizes = {};
  for (const [name, key] of Object.entries(DATASET_SIZE_SETTINGS) as [keyof DatasetSizes, string][]) {
    const value = integerIn(read(key), name === 'testSize' ? 0 : 1, MAX_DATASET_SIZE);
    if (value !== undefined) sizes[name] = value;
  }
  return sizes;
}
