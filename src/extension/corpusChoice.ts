/**
 * "LLM Tutor: Choose Corpus…": what the language-model chapters (mini-gpt, bert-mlm,
 * modern-attention) train on, chosen from a quick pick — the built-in corpus of the display
 * language, the English or the Chinese one, a text file or a folder of text files the learner
 * picks in a file dialog, or the text files of the open workspace — and written to the
 * `llmTutor.corpus` setting, the one place the training flows read it from (trainingPlan.ts).
 * The engine checks what the chosen path holds when a run starts (size, binary, UTF-8, empty) and
 * refuses it with one line naming the file; nothing is read here, so the extension host never
 * blocks on a large file. No vscode import: commands.ts passes the dialogs in, tests pass fakes.
 */
import * as path from 'path';
import type { PickFunction, PickItem } from './trainChapterFlow';
import { t } from './language';

/** What a row of the quick pick stands for. */
export type CorpusChoice =
  | { kind: 'value'; value: string }
  | { kind: 'file' }
  | { kind: 'folder' }
  /** The text files (.txt, .md) of the first workspace folder: the setting `.`. */
  | { kind: 'workspace' };

export interface ChooseCorpusDeps {
  pick: PickFunction;
  /** The file dialog: a file (`folder` false) or a folder; undefined when the learner cancels it. */
  openDialog(folder: boolean): PromiseLike<string | undefined>;
  /** The first workspace folder on disk, if any. */
  workspaceFolder: string | undefined;
  /** The setting's current value. */
  current: unknown;
  /** Writes `llmTutor.corpus`. */
  update(value: string): PromiseLike<void>;
  tell(message: string): void;
}

/** The setting's value, trimmed; anything but a string counts as unset. */
function settingText(current: unknown): string {
  return typeof current === 'string' ? current.trim() : '';
}

/** The rows, the current setting marked; the workspace row only with a workspace folder open. */
export function corpusItems(current: unknown, workspaceFolder: string | undefined): PickItem<CorpusChoice>[] {
  const now = settingText(current);
  const marked = (setting: string): string | undefined => (now === setting ? t('corpusCurrent') : undefined);
  const items: PickItem<CorpusChoice>[] = [
    { label: t('corpusDisplayLanguage'), description: marked(''), value: { kind: 'value', value: '' } },
    { label: t('corpusEnglish'), description: marked('en'), value: { kind: 'value', value: 'en' } },
    { label: t('corpusChinese'), description: marked('zh'), value: { kind: 'value', value: 'zh' } },
    { label: t('corpusPickFile'), detail: t('corpusPickFileDetail'), value: { kind: 'file' } },
    { label: t('corpusPickFolder'), detail: t('corpusPickFolderDetail'), value: { kind: 'folder' } },
  ];
  if (workspaceFolder !== undefined) {
    items.push({
      label: t('corpusWorkspace'),
      description: marked('.'),
      detail: workspaceFolder,
      value: { kind: 'workspace' },
    });
  }
  if (!['', 'en', 'zh', '.'].includes(now)) {
    // A path already chosen stays choosable (and is shown as the current one).
    items.push({ label: now, description: t('corpusCurrent'), value: { kind: 'value', value: now } });
  }
  return items;
}

/**
 * A picked path as the setting stores it: relative to the workspace folder when it lies inside it
 * (so a shared .vscode/settings.json works on another machine), absolute otherwise.
 */
export function settingForPath(picked: string, workspaceFolder: string | undefined): string {
  const absolute = path.resolve(picked);
  if (workspaceFolder === undefined) return absolute;
  const relative = path.relative(path.resolve(workspaceFolder), absolute);
  if (relative === '') return '.';
  if (relative.startsWith('..') || path.isAbsolute(relative)) return absolute;
  return relative.split(path.sep).join('/');
}

/** The quick pick, then the file dialog when asked; writes the setting. False when the learner cancels. */
export async function chooseCorpus(deps: ChooseCorpusDeps): Promise<boolean> {
  const chosen = await deps.pick(corpusItems(deps.current, deps.workspaceFolder), {
    title: t('chooseCorpusTitle'),
    placeHolder: t('chooseCorpusPlaceholder'),
  });
  if (!chosen) return false;
  let value: string;
  const choice = chosen.value;
  if (choice.kind === 'value') value = choice.value;
  else if (choice.kind === 'workspace') value = '.';
  else {
    const picked = await deps.openDialog(choice.kind === 'folder');
    if (picked === undefined) return false;
    value = settingForPath(picked, deps.workspaceFolder);
  }
  await deps.update(value);
  deps.tell(t('corpusChosen', { corpus: value === '' ? t('corpusDisplayLanguage') : value }));
  return true;
}
