/** The palette commands: train a chapter, open a chapter, open a saved run, stop. */
import * as vscode from 'vscode';
import { listRuns } from '../runStore';
import { CHAPTERS, chapterInfo } from '../shared/course/catalogue';
import { isChapterId, type ChapterId } from '../shared/ids';
import type { RunListEntry } from '../shared/run/records';
import type { TrainingController } from './engineSession/trainingController';
import { COMMANDS } from './ids';
import { pick, t } from './language';
import type { PanelRegistry } from './panelRegistry';
import { runDescription, stateName } from './runLabels';
import { resolveRunDirInside } from './runPaths';
import { trainChapter, type PickFunction, type TrainChapterDeps } from './trainChapterFlow';

export interface CommandDeps {
  controller: TrainingController;
  panels: PanelRegistry;
  runsDirectory: () => string;
}

const showQuickPick: PickFunction = (items, options) =>
  vscode.window.showQuickPick(items, { ...options, matchOnDescription: true, matchOnDetail: true });

function trainChapterDeps(deps: CommandDeps): TrainChapterDeps {
  return {
    pick: showQuickPick,
    chapters: CHAPTERS,
    isTrusted: () => vscode.workspace.isTrusted,
    refuseUntrusted: () => void vscode.window.showWarningMessage(t('restrictedTraining')),
    openPreview: (chapter) => {
      deps.panels.openChapter(chapter);
      void vscode.window.showInformationMessage(
        t('chapterNotTrainable', { chapter: pick(chapterInfo(chapter).title) }),
      );
    },
    train: (chapter, choice) => deps.controller.train(chapter, choice),
  };
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
    runs = await listRuns(runsDir);
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
  const flow = trainChapterDeps(deps);
  return [
    vscode.commands.registerCommand(COMMANDS.trainChapter, (arg?: unknown) => trainChapter(flow, arg)),
    vscode.commands.registerCommand(COMMANDS.trainAttentionSeq2Seq, () => deps.controller.train('attention-seq2seq')),
    vscode.commands.registerCommand(COMMANDS.trainSeq2Seq, () => deps.controller.train('seq2seq')),
    vscode.commands.registerCommand(COMMANDS.openChapter, async (arg?: unknown) => {
      // A trainable chapter goes through Train Chapter… with itself preselected; any other opens its preview.
      const chapter = typeof arg === 'string' && isChapterId(arg) ? arg : await pickChapter();
      if (chapter) await trainChapter(flow, chapter);
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
