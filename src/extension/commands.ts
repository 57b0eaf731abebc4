/**
 * The palette commands: train a chapter, open a chapter, open a saved run (or a saved
 * comparison), stop; compare runs, train a chapter's variants, open a saved comparison; choose
 * the language models' corpus.
 */
import * as vscode from 'vscode';
import { listComparisons, listRuns, type SavedComparisonEntry } from '../runStore';
import { CHAPTERS, chapterInfo } from '../shared/course/catalogue';
import { smallSettings } from '../shared/course/walkthrough';
import { isChapterId, type ChapterId } from '../shared/ids';
import type { RunListEntry } from '../shared/run/records';
import type { ComparisonRegistry } from './comparePanel';
import {
  compareRuns,
  trainVariants,
  type CompareRunsDeps,
  type PickManyFunction,
  type TrainVariantsDeps,
} from './compareFlow';
import type { TrainingController } from './engineSession/trainingController';
import { chooseCorpus } from './corpusChoice';
import { exportActivePanel } from './exportCommand';
import { COMMANDS } from './ids';
import { pick, t } from './language';
import type { PanelRegistry } from './panelRegistry';
import { runDescription, stateName } from './runLabels';
import { resolveRunDirInside } from './runPaths';
import { readSettings, writeCorpusSetting } from './settings';
import { chapterArgument, trainChapter, type PickFunction, type TrainChapterDeps } from './trainChapterFlow';

export interface CommandDeps {
  controller: TrainingController;
  panels: PanelRegistry;
  comparisons: ComparisonRegistry;
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

const showQuickPickMany: PickManyFunction = (items, options) =>
  vscode.window.showQuickPick(items, { ...options, canPickMany: true, matchOnDescription: true, matchOnDetail: true });

function compareRunsDeps(deps: CommandDeps): CompareRunsDeps {
  return {
    pickMany: showQuickPickMany,
    listRuns: async () => {
      try {
        return await listRuns(deps.runsDirectory());
      } catch {
        return [];
      }
    },
    open: (runIds) => void deps.comparisons.open(runIds),
    tell: (message) => void vscode.window.showInformationMessage(message),
  };
}

function trainVariantsDeps(deps: CommandDeps): TrainVariantsDeps {
  return {
    pick: showQuickPick,
    chapters: CHAPTERS,
    isTrusted: () => vscode.workspace.isTrusted,
    refuseUntrusted: () => void vscode.window.showWarningMessage(t('restrictedTraining')),
    tell: (message) => void vscode.window.showInformationMessage(message),
    train: (chapter, task, variants) => deps.controller.trainVariants(chapter, task, variants),
  };
}

function comparisonItem(entry: SavedComparisonEntry) {
  return {
    label: `${entry.ok ? '$(diff-multiple)' : '$(warning)'} ${entry.name}`,
    description: entry.ok ? t('comparisonItem', { count: entry.comparison.runs.length }) : '',
    detail: entry.ok ? entry.comparison.runs.join(' · ') : t('damagedDetail', { reason: entry.reason }),
    comparison: entry,
  };
}

/** Opens a saved comparison (one that cannot be read says why). */
function openSavedComparison(deps: CommandDeps, entry: SavedComparisonEntry): void {
  if (!entry.ok) {
    void vscode.window.showErrorMessage(t('comparisonUnreadable', { reason: entry.reason }));
    return;
  }
  deps.comparisons.open(entry.comparison.runs, entry.comparison.name);
}

async function pickComparison(deps: CommandDeps): Promise<void> {
  const runsDir = deps.runsDirectory();
  const saved = await listComparisons(runsDir);
  if (saved.length === 0) {
    void vscode.window.showInformationMessage(t('noComparisons', { dir: runsDir }));
    return;
  }
  const chosen = await vscode.window.showQuickPick(saved.map(comparisonItem), {
    title: t('pickComparisonTitle'),
    placeHolder: t('pickComparisonPlaceholder', { dir: runsDir }),
    matchOnDescription: true,
    matchOnDetail: true,
  });
  if (chosen) openSavedComparison(deps, chosen.comparison);
}

async function pickChapter(placeHolder = t('pickChapterPlaceholder')): Promise<ChapterId | undefined> {
  const items = CHAPTERS.map((chapter, index) => ({
    label: `${index + 1}. ${pick(chapter.title)}`,
    description: chapter.trainable ? '' : t('comingLater'),
    detail: pick(chapter.summary),
    chapter: chapter.id,
  }));
  const chosen = await vscode.window.showQuickPick(items, {
    title: t('pickChapterTitle'),
    placeHolder,
    matchOnDetail: true,
  });
  return chosen?.chapter;
}

/** A run folder, or a saved comparison (listed after the runs), or undefined when cancelled. */
async function pickRun(runsDir: string): Promise<string | SavedComparisonEntry | undefined> {
  let runs: RunListEntry[];
  try {
    runs = await listRuns(runsDir);
  } catch (error) {
    void vscode.window.showErrorMessage(
      t('runsUnreadable', { dir: runsDir, reason: error instanceof Error ? error.message : String(error) }),
    );
    return undefined;
  }
  const comparisons = await listComparisons(runsDir);
  if (runs.length === 0 && comparisons.length === 0) {
    void vscode.window.showInformationMessage(t('noRuns', { dir: runsDir }));
    return undefined;
  }
  const items: (vscode.QuickPickItem & { dir?: string; comparison?: SavedComparisonEntry })[] = runs.map((entry) => ({
    label: `${entry.ok ? '$(history)' : '$(warning)'} ${entry.runId}`,
    description: runDescription(entry),
    detail: entry.ok
      ? `${pick(chapterInfo(entry.chapter).title)} · ${stateName(entry.state)}`
      : t('damagedDetail', { reason: entry.reason }),
    dir: entry.dir,
  }));
  if (comparisons.length > 0) {
    items.push({ label: t('pickComparisonTitle'), kind: vscode.QuickPickItemKind.Separator });
    items.push(...comparisons.map(comparisonItem));
  }
  const chosen = await vscode.window.showQuickPick(items, {
    title: t('pickRunTitle'),
    placeHolder: t('pickRunPlaceholder', { dir: runsDir }),
    matchOnDescription: true,
    matchOnDetail: true,
  });
  return chosen?.comparison ?? chosen?.dir;
}

export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  const flow = trainChapterDeps(deps);
  return [
    vscode.commands.registerCommand(COMMANDS.trainChapter, (arg?: unknown) => trainChapter(flow, arg)),
    vscode.commands.registerCommand(COMMANDS.trainChapterQuick, async (arg?: unknown) => {
      // The walkthrough's button: this chapter with small settings, no questions (a chapter not
      // trainable yet opens its preview).
      const chapter = chapterArgument(arg) ?? (await pickChapter(t('pickChapterQuick')));
      if (!chapter) return;
      const info = chapterInfo(chapter);
      if (!info.trainable) return flow.openPreview(chapter);
      if (!vscode.workspace.isTrusted) return flow.refuseUntrusted();
      await deps.controller.train(chapter, { overrides: smallSettings(info) });
    }),
    vscode.commands.registerCommand(COMMANDS.chooseCorpus, () => {
      const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri;
      return chooseCorpus({
        pick: showQuickPick,
        openDialog: async (folderWanted) => {
          const chosen = await vscode.window.showOpenDialog({
            title: t('chooseCorpusTitle'),
            canSelectFiles: !folderWanted,
            canSelectFolders: folderWanted,
            canSelectMany: false,
            defaultUri: folder,
            ...(!folderWanted && { filters: { [t('corpusFileFilter')]: ['txt', 'md'], [t('corpusAllFiles')]: ['*'] } }),
          });
          return chosen?.[0]?.scheme === 'file' ? chosen[0].fsPath : undefined;
        },
        workspaceFolder: folder?.fsPath,
        current: readSettings().read('corpus'),
        update: writeCorpusSetting,
        tell: (message) => void vscode.window.showInformationMessage(message),
      });
    }),
    vscode.commands.registerCommand(COMMANDS.exportView, () =>
      exportActivePanel([...deps.panels.all(), ...deps.comparisons.all()]),
    ),
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
      if (typeof candidate !== 'string') {
        openSavedComparison(deps, candidate);
        return;
      }
      const runDir = resolveRunDirInside(runsDir, candidate);
      if (!runDir) {
        void vscode.window.showErrorMessage(t('runOutsideRunsDirectory', { dir: candidate, runsDir }));
        return;
      }
      deps.panels.openRun(runDir);
    }),
    vscode.commands.registerCommand(COMMANDS.stopTraining, () => deps.controller.stop()),
    vscode.commands.registerCommand(COMMANDS.compareRuns, (clicked?: unknown, selected?: unknown) =>
      compareRuns(compareRunsDeps(deps), clicked, selected),
    ),
    vscode.commands.registerCommand(COMMANDS.compareSelectedRuns, (clicked?: unknown, selected?: unknown) =>
      compareRuns(compareRunsDeps(deps), clicked, selected),
    ),
    vscode.commands.registerCommand(COMMANDS.trainVariants, (arg?: unknown) =>
      trainVariants(trainVariantsDeps(deps), arg),
    ),
    vscode.commands.registerCommand(COMMANDS.openComparison, () => pickComparison(deps)),
  ];
}
