/**
 * "LLM Tutor: Compare Runs…" and "LLM Tutor: Train Variants…" as flows over injected quick picks
 * (commands.ts passes VS Code's, tests pass fakes). Compare Runs takes the Runs view's selection
 * (`canSelectMany`: the command gets the clicked run and every selected one) or asks with a
 * multi-select quick pick, and opens 2–4 readable runs side by side. Train Variants asks for a
 * chapter with variants and its task, then trains every variant with the same seed and data.
 * No vscode import.
 */
import type { ChapterInfo } from '../shared/course/chapter';
import { isChapterId, type ChapterId } from '../shared/ids';
import { MIN_COMPARED_RUNS, isRunId } from '../shared/run/comparison';
import type { RunListEntry } from '../shared/run/records';
import { pick as inLanguage, shortTitle, t } from './language';
import { runDescription, stateName } from './runLabels';
import { taskItems, type PickFunction, type PickItem, type PickOptions } from './trainChapterFlow';

/** The most runs the quick pick and the Runs view compare at once. */
export const MAX_PICKED_RUNS = 4;

export interface ManyPickItem<T> extends PickItem<T> {
  picked?: boolean;
}

/** A multi-select quick pick; undefined when the learner cancels it. */
export type PickManyFunction = <T>(
  items: ManyPickItem<T>[],
  options: PickOptions,
) => PromiseLike<readonly ManyPickItem<T>[] | undefined>;

function entryRunId(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return null;
  const entry = value as { ok?: unknown; runId?: unknown };
  return entry.ok === true && isRunId(entry.runId) ? entry.runId : null;
}

/**
 * The runs a Runs-view command names: its selection (every selected entry) or the clicked entry;
 * damaged entries and anything that is not a run entry are left out. Empty when it names none.
 */
export function runIdsFromTree(clicked: unknown, selected: unknown): string[] {
  const entries = Array.isArray(selected) && selected.length > 0 ? selected : clicked === undefined ? [] : [clicked];
  return [...new Set(entries.map(entryRunId).filter((id): id is string => id !== null))];
}

/** The quick pick's rows: the readable runs, newest first, those in `preselected` ticked. */
export function compareRunItems(runs: readonly RunListEntry[], preselected: readonly string[]): ManyPickItem<string>[] {
  return runs.flatMap((entry) =>
    entry.ok
      ? [
          {
            label: entry.runId,
            description: runDescription(entry),
            detail: stateName(entry.state),
            value: entry.runId,
            picked: preselected.includes(entry.runId),
          },
        ]
      : [],
  );
}

export interface CompareRunsDeps {
  pickMany: PickManyFunction;
  listRuns(): Promise<RunListEntry[]>;
  /** Opens the comparison panel of these runs. */
  open(runIds: string[]): void;
  /** Tells the learner something (an information message). */
  tell(message: string): void;
}

/**
 * The command: two or more runs selected in the Runs view are compared at once; otherwise the
 * quick pick asks (the clicked run ticked). Resolves with the runs opened, or null.
 */
export async function compareRuns(
  deps: CompareRunsDeps,
  clicked?: unknown,
  selected?: unknown,
): Promise<string[] | null> {
  let runIds = runIdsFromTree(clicked, selected);
  if (runIds.length < MIN_COMPARED_RUNS) {
    const runs = (await deps.listRuns()).filter((entry) => entry.ok);
    if (runs.length < MIN_COMPARED_RUNS) {
      deps.tell(t('compareNotEnoughRuns'));
      return null;
    }
    const chosen = await deps.pickMany(compareRunItems(runs, runIds), {
      title: t('compareRunsTitle'),
      placeHolder: t('compareRunsPlaceholder', { min: MIN_COMPARED_RUNS, max: MAX_PICKED_RUNS }),
    });
    if (!chosen) return null;
    runIds = chosen.map((item) => item.value);
  }
  if (runIds.length < MIN_COMPARED_RUNS || runIds.length > MAX_PICKED_RUNS) {
    deps.tell(t('compareNeedsRuns', { min: MIN_COMPARED_RUNS, max: MAX_PICKED_RUNS, count: runIds.length }));
    return null;
  }
  deps.open(runIds);
  return runIds;
}

// ── Train Variants… ─────────────────────────────────────────────────────────────────────────

/** The chapters whose variants can be compared: trainable, with two variants or more. */
export function variantChapterItems(chapters: readonly ChapterInfo[]): PickItem<ChapterId>[] {
  return chapters
    .map((chapter, index) => ({ chapter, number: index + 1 }))
    .filter(({ chapter }) => chapter.trainable && chapter.variants.length >= MIN_COMPARED_RUNS)
    .map(({ chapter, number }) => ({
      label: `${number}. ${inLanguage(chapter.title)}`,
      description: chapter.variants.map((variant) => inLanguage(variant.title) || variant.id).join(' · '),
      detail: inLanguage(chapter.summary),
      value: chapter.id,
    }));
}

export interface VariantsTraining {
  chapter: ChapterId;
  task: string;
  variants: string[];
}

/** Asks for the chapter (unless preselected) and its task; every variant is trained. */
export async function chooseVariantsTraining(
  pick: PickFunction,
  chapters: readonly ChapterInfo[],
  preselected?: ChapterId,
): Promise<VariantsTraining | undefined> {
  let chapterId = preselected;
  if (chapterId === undefined) {
    const items = variantChapterItems(chapters);
    if (items.length === 0) return undefined;
    const chosen = await pick(items, { title: t('trainVariantsTitle'), placeHolder: t('trainVariantsPlaceholder') });
    if (!chosen) return undefined;
    chapterId = chosen.value;
  }
  const info = chapters.find((chapter) => chapter.id === chapterId);
  if (!info || !info.trainable || info.variants.length < MIN_COMPARED_RUNS || info.tasks.length === 0) return undefined;
  let task = info.comparison?.task ?? info.defaultTask;
  if (info.tasks.length > 1) {
    const items = taskItems(info);
    // The task of the chapter's own comparison first.
    items.sort((a, b) => Number(b.value === task) - Number(a.value === task));
    const chosen = await pick(items, {
      title: t('trainVariantsTaskTitle', { chapter: shortTitle(info.title) }),
      placeHolder: t('pickTaskPlaceholder'),
    });
    if (!chosen) return undefined;
    task = chosen.value;
  }
  return { chapter: info.id, task, variants: info.variants.map((variant) => variant.id) };
}

export interface TrainVariantsDeps {
  pick: PickFunction;
  chapters: readonly ChapterInfo[];
  isTrusted(): boolean;
  refuseUntrusted(): void;
  tell(message: string): void;
  train(chapter: ChapterId, task: string, variants: readonly string[]): Promise<unknown>;
}

/** The command; an argument naming a chapter (the Chapters view) preselects it. */
export async function trainVariants(deps: TrainVariantsDeps, arg?: unknown): Promise<void> {
  if (!deps.isTrusted()) {
    deps.refuseUntrusted();
    return;
  }
  const id = typeof arg === 'object' && arg !== null ? (arg as { id?: unknown }).id : arg;
  const preselected = isChapterId(id) ? id : undefined;
  const offered = variantChapterItems(deps.chapters).map((item) => item.value);
  if (preselected === undefined ? offered.length === 0 : !offered.includes(preselected)) {
    deps.tell(t('trainVariantsNone'));
    return;
  }
  const chosen = await chooseVariantsTraining(deps.pick, deps.chapters, preselected);
  if (!chosen) return;
  await deps.train(chosen.chapter, chosen.task, chosen.variants);
}
