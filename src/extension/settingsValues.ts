/**
 * Turns raw `llmTutor.*` setting values (whatever a settings.json holds) into what the extension
 * uses: a backend choice, a language choice, a seed, and hyperparameter overrides for one chapter.
 * A setting becomes an override only for a key the chapter declares, and only when the chapter's
 * spec accepts its value (an unset or invalid value is ignored, so the chapter's default applies).
 * No vscode import.
 */
import type { ChapterInfo, HyperValue } from '../shared/course/chapter';
import { checkValue, specOf } from '../shared/course/hyperparameters';
import { BACKEND_CHOICES, type BackendChoice } from '../shared/ids';

export type LanguageSetting = 'auto' | 'en' | 'zh-cn';

export { BACKEND_CHOICES };
export const LANGUAGE_SETTINGS: readonly LanguageSetting[] = ['auto', 'en', 'zh-cn'];

/** Reads one setting under `llmTutor.` (e.g. `epochs`, `advanced.trainSize`). */
export type SettingReader = (key: string) => unknown;

export function parseBackend(value: unknown): BackendChoice {
  return (BACKEND_CHOICES as readonly unknown[]).includes(value) ? (value as BackendChoice) : 'auto';
}

export function parseLanguageSetting(value: unknown): LanguageSetting {
  return LANGUAGE_SETTINGS.includes(value as LanguageSetting) ? (value as LanguageSetting) : 'auto';
}

/**
 * The settings that stand for a chapter hyperparameter: hyperparameter key → setting key. The
 * `advanced.*Size` settings (listed last in the Settings UI) make runs finish in seconds for
 * demos and tests.
 */
export const HYPERPARAMETER_SETTINGS = {
  epochs: 'epochs',
  batchSize: 'batchSize',
  learningRate: 'learningRate',
  hiddenSize: 'hiddenSize',
  trainSize: 'advanced.trainSize',
  validationSize: 'advanced.validationSize',
  testSize: 'advanced.testSize',
} as const;

/** The seed setting's range (package.json); the engine's default applies when it is unset. */
export const MAX_SEED = 2_147_483_647;

/**
 * The hyperparameter settings that are set, declared by `info` and within its ranges. A key the
 * chapter does not declare (e.g. `hiddenSize` for a chapter without one) is never sent.
 */
export function settingsOverridesFor(info: ChapterInfo, read: SettingReader): Record<string, HyperValue> {
  const overrides: Record<string, HyperValue> = {};
  for (const [key, setting] of Object.entries(HYPERPARAMETER_SETTINGS)) {
    const spec = specOf(info, key);
    if (!spec) continue;
    const value = read(setting);
    if (value === undefined || value === null) continue;
    if (checkValue(spec, value) === null) overrides[key] = value as HyperValue;
  }
  return overrides;
}

/** `llmTutor.seed` when it is a whole number in range; undefined: the engine's default seed. */
export function seedFromSettings(read: SettingReader): number | undefined {
  const value = read('seed');
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= MAX_SEED
    ? value
    : undefined;
}
