/** The palette commands: train, open a chapter, open a saved run, stop. */
import * as vscode from 'vscode';
import { CHAPTERS, chapterInfo, isChapterId } from '../engine/chapters/catalog';
import { listRuns } from '../runStore/reader';
import type { ChapterId, RunListEntry } from '../protocol/run';
import type { TrainingController } from './engineSession/trainingController';
import { COMMANDS } from './ids';
import { pick, t } from './language';
import type { PanelRegistry } from './panelRegistry';
import { resolveRunDirInside } from './runPaths';
import { newestFirst, runDescription, stateName } from './runsTree';

export interface CommandDeps {
  controller: TrainingController;
  panels: PanelRegistry;
  runsDirectory: () => string;
}

/** Opens a chapter: a trainable one starts a run, any other shows its learning contract. */
export async function openChapter(deps: CommandDeps, chapter: ChapterId): Promise<void> {
  const info = chapterInfo(chapter);
  if (info.trainable) {
    await deps.controller.train(chapter);
    return;
  }
  deps.panels.openChapter(chapter);
  void vscode.window.showInformationMessage(t('chapterNotTrainable', { chapter: pick(info.title) }));
}

async function pickChapter(): Promise<ChapterId | undefined> {
  const items = CHAPTERS.map((chapter, index) => ({
    label: `${index + 1}. ${pick(chapter.title)}`,
    description: chapter.trainable ? '' : t('comingLater'),
    detail: pick(chapter.summary),
    chapter: chapter.id,
  }));
  const chosen = await vscode.window.showQuickPick(items, {
    title: t('pickChapterTitle'),
    placeHolder: t('pickChapterPlaceholder'),
    matchOnDetail: true,
  });
  return chosen?.chapter;
}

async function pickRun(runsDir: string): Promise<string | undefined> {
  let runs: RunListEntry[];
  try {
    runs = newestFirst(await listRuns(runsDir));
  } catch (error) {
    void vscode.window.showErrorMessage(
      t('runsUnreadable', { dir: runsDir, reason: error instanceof Error ? error.message : String(error) }),
    );
    return undefined;
  }
  if (runs.length === 0) {
    void vscode.window.showInformationMessage(t('noRuns', { dir: runsDir }));
    return undefined;
  }
  const items = runs.map((entry) => ({
    label: `${entry.ok ? '$(history)' : '$(warning)'} ${entry.runId}`,
    description: runDescription(entry),
    detail: entry.ok
      ? `${pick(chapterInfo(entry.chapter).title)} · ${stateName(entry.state)}`
      : t('damagedDetail', { reason: entry.reason }),
    dir: entry.dir,
  }));
  const chosen = await vscode.window.showQuickPick(items, {
    title: t('pickRunTitle'),
    placeHolder: t('pickRunPlaceholder', { dir: runsDir }),
    matchOnDescription: true,
    matchOnDetail: true,
  });
  return chosen?.dir;
}

export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(COMMANDS.trainAttentionSeq2Seq, () => deps.controller.train('attention-seq2seq')),
    vscode.commands.registerCommand(COMMANDS.trainSeq2Seq, () => deps.controller.train('seq2seq')),
    vscode.commands.registerCommand(COMMANDS.openChapter, async (arg?: unknown) => {
      const chapter = typeof arg === 'string' && isChapterId(arg) ? arg : await pickChapter();
      if (chapter) await openChapter(deps, chapter);
    }),
    vscode.commands.registerCommand(COMMANDS.openRun, async (arg?: unknown) => {
      const runsDir = deps.runsDirectory();
      const candidate = arg instanceof vscode.Uri ? arg.fsPath : typeof arg === 'string' ? arg : await pickRun(runsDir);
      if (candidate === undefined) return;
      const runDir = resolveRunDirInside(runsDir, candidate);
      if (!runDir) {
        void vscode.window.showErrorMessage(t('runOutsideRunsDirectory', { dir: candidate, runsDir }));
        return;
      }
      deps.panels.openRun(runDir);
    }),
    vscode.commands.registerCommand(COMMANDS.stopTraining, () => deps.controller.stop()),
  ];
}
