/**
 * "LLM Tutor: Train Chapter…": a quick pick of the trainable chapters, then of the chapter's task
 * (skipped when it has one), then of its variant (skipped when it has one), then training. The
 * Chapters view enters the same flow with its chapter preselected; a chapter that cannot be trained
 * yet opens its preview instead. Escape at any quick pick ends the flow and nothing happens.
 * No vscode import: commands.ts passes `vscode.window.showQuickPick` in, tests pass a fake.
 */
import type { ChapterInfo } from '../shared/course/chapter';
import { isChapterId, type ChapterId } from '../shared/ids';
import { pick as inLanguage, shortTitle, t } from './language';
import type { TrainingChoice } from './trainingPlan';

/** One quick-pick row; `value` is what choosing it means. */
export interface PickItem<T> {
  label: string;
  description?: string;
  detail?: string;
  value: T;
}

export interface PickOptions {
  title: string;
  placeHolder: string;
}

/** Shows a quick pick; undefined when the learner cancels it. */
export type PickFunction = <T>(items: PickItem<T>[], options: PickOptions) => PromiseLike<PickItem<T> | undefined>;

export interface ChapterTraining {
  chapter: ChapterId;
  task: string;
  variant: string;
}

/** The chapter picks, in course order with the course's numbering. */
export function chapterItems(chapters: readonly ChapterInfo[]): PickItem<ChapterId>[] {
  return chapters
    .map((chapter, index) => ({ chapter, number: index + 1 }))
    .filter(({ chapter }) => chapter.trainable)
    .map(({ chapter, number }) => ({
      label: `${number}. ${inLanguage(chapter.title)}`,
      detail: inLanguage(chapter.summary),
      value: chapter.id,
    }));
}

/** The chapter's tasks, its default first and marked. */
export function taskItems(info: ChapterInfo): PickItem<string>[] {
  const tasks = [...info.tasks].sort((a, b) => Number(b.id === info.defaultTask) - Number(a.id === info.defaultTask));
  return tasks.map((task) => ({
    label: inLanguage(task.title),
    description: task.id === info.defaultTask ? t('defaultChoice') : undefined,
    detail: inLanguage(task.description),
    value: task.id,
  }));
}

/** The chapter's variants, its default first and marked, each with its description. */
export function variantItems(info: ChapterInfo): PickItem<string>[] {
  const variants = [...info.variants].sort(
    (a, b) => Number(b.id === info.defaultVariant) - Number(a.id === info.defaultVariant),
  );
  return variants.map((variant) => ({
    label: inLanguage(variant.title),
    description: variant.id === info.defaultVariant ? t('defaultChoice') : undefined,
    detail: inLanguage(variant.description),
    value: variant.id,
  }));
}

/**
 * Asks for the chapter (unless `preselected`), task and variant. Undefined when the learner
 * cancels a quick pick, or when there is nothing to choose from.
 */
export async function chooseChapterTraining(
  pick: PickFunction,
  chapters: readonly ChapterInfo[],
  preselected?: ChapterId,
): Promise<ChapterTraining | undefined> {
  let chapterId = preselected;
  if (chapterId === undefined) {
    const items = chapterItems(chapters);
    if (items.length === 0) return undefined;
    const chosen = await pick(items, { title: t('trainChapterTitle'), placeHolder: t('trainChapterPlaceholder') });
    if (!chosen) return undefined;
    chapterId = chosen.value;
  }
  const info = chapters.find((chapter) => chapter.id === chapterId);
  if (!info || !info.trainable || info.tasks.length === 0 || info.variants.length === 0) return undefined;
  const name = shortTitle(info.title);

  let task = info.tasks[0].id;
  if (info.tasks.length > 1) {
    const chosen = await pick(taskItems(info), {
      title: t('pickTaskTitle', { chapter: name }),
      placeHolder: t('pickTaskPlaceholder'),
    });
    if (!chosen) return undefined;
    task = chosen.value;
  }

  let variant = info.variants[0].id;
  if (info.variants.length > 1) {
    const chosen = await pick(variantItems(info), {
      title: t('pickVariantTitle', { chapter: name }),
      placeHolder: t('pickVariantPlaceholder'),
    });
    if (!chosen) return undefined;
    variant = chosen.value;
  }
  return { chapter: info.id, task, variant };
}

export interface TrainChapterDeps {
  pick: PickFunction;
  chapters: readonly ChapterInfo[];
  /** False in Restricted Mode. */
  isTrusted(): boolean;
  /** Tells the learner that Restricted Mode does not train. */
  refuseUntrusted(): void;
  /** Opens the preview (learning contract) of a chapter that cannot be trained yet. */
  openPreview(chapter: ChapterId): void;
  train(chapter: ChapterId, choice: TrainingChoice): Promise<unknown>;
}

/** The chapter a command argument names: an id (a tree item's click), or the tree element itself (its inline action). */
export function chapterArgument(arg: unknown): ChapterId | undefined {
  const id = typeof arg === 'object' && arg !== null ? (arg as { id?: unknown }).id : arg;
  return isChapterId(id) ? id : undefined;
}

/**
 * The command: an argument naming a chapter comes from the Chapters view (that chapter is
 * preselected; a chapter not trainable yet opens its preview); anything else is ignored.
 */
export async function trainChapter(deps: TrainChapterDeps, arg?: unknown): Promise<void> {
  const preselected = chapterArgument(arg);
  if (preselected !== undefined && !deps.chapters.find((chapter) => chapter.id === preselected)?.trainable) {
    deps.openPreview(preselected);
    return;
  }
  if (!deps.isTrusted()) {
    deps.refuseUntrusted();
    return;
  }
  const chosen = await chooseChapterTraining(deps.pick, deps.chapters, preselected);
  if (!chosen) return;
  await deps.train(chosen.chapter, { task: chosen.task, variant: chosen.variant });
}
