/**
 * What the host asks the engine to train: a chapter's task and variant (its defaults unless the
 * learner chose), the seed setting, and overrides — the learner's settings for keys the chapter
 * declares, then the panel's start form — checked with `resolveHyperparameters` before anything
 * is sent. No vscode import.
 */
import * as path from 'path';
import type { ChapterInfo, HyperValue } from '../shared/course/chapter';
import type { MessageKey } from './messages';
import type { Language } from '../shared/ids';
import { resolveHyperparameters } from '../shared/course/hyperparameters';
import type { Parsed } from '../shared/schema';
import { settingsOverridesFor, type SettingReader } from './settingsValues';

/** What the learner chose for a new run (quick picks or the panel's start form); absent: the chapter's defaults. */
export interface TrainingChoice {
  task?: string;
  variant?: string;
  /** Overrides from the panel's start form (already checked against the chapter). */
  overrides?: Record<string, HyperValue>;
}

export interface TrainingPlan {
  task: string;
  variant: string;
  seed?: number;
  overrides: Record<string, HyperValue>;
}

/**
 * The built-in corpus a language model trains on in VS Code: the one of the display language
 * (`llmTutor.language`, `auto` following VS Code's), Chinese poems for zh-cn, English otherwise.
 * Chapters on generated tasks ignore it. (The CLI's default is English.)
 */
export function defaultCorpus(language: Language): 'en' | 'zh' {
  return language === 'zh-cn' ? 'zh' : 'en';
}

/**
 * The corpus of `llmTutor.corpus`: empty (or not a string) → `defaultCorpus(language)`; `en` and
 * `zh` as they are; anything else is a file or folder path, a relative one resolved against the
 * first workspace folder (`.`: the workspace's text files). The engine checks what the path holds.
 */
export function corpusFor(setting: unknown, language: Language, workspaceFolder: string | undefined): string {
  const value = typeof setting === 'string' ? setting.trim() : '';
  if (value === '') return defaultCorpus(language);
  if (value === 'en' || value === 'zh') return value;
  return workspaceFolder !== undefined ? path.resolve(workspaceFolder, value) : path.resolve(value);
}

export function planTraining(
  info: ChapterInfo,
  choice: TrainingChoice,
  settings: { read: SettingReader; seed: number | undefined },
): Parsed<TrainingPlan> {
  if (!info.trainable) return { ok: false, reason: `${info.id} cannot be trained in this version` };
  const task = choice.task ?? info.defaultTask;
  const variant = choice.variant ?? info.defaultVariant;
  const overrides = { ...settingsOverridesFor(info, settings.read), ...choice.overrides };
  const resolved = resolveHyperparameters(info, task, variant, overrides);
  if (!resolved.ok) return resolved;
  const plan: TrainingPlan = { task, variant, overrides };
  if (settings.seed !== undefined) plan.seed = settings.seed;
  return { ok: true, value: plan };
}

/**
 * The notification texts for a chapter's unit of progress: epochs, or evaluations for the
 * language models, which train in steps and have no natural epoch.
 */
export function progressMessages(unit: ChapterInfo['trainingUnit']): {
  progress: MessageKey;
  stopped: MessageKey;
  variants: MessageKey;
} {
  return unit === 'epoch'
    ? { progress: 'notificationProgress', stopped: 'runStopped', variants: 'variantsProgress' }
    : {
        progress: 'notificationProgressEvaluation',
        stopped: 'runStoppedEvaluation',
        variants: 'variantsProgressEvaluation',
      };
}
