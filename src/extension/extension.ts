/**
 * LLM Tutor's VS Code side: registrations only. Each job lives in its own file (see the imports);
 * training and inference run in the forked engine process, never here.
 */
// First import: its load time is the bundle's (see diagnostics.ts).
import { Diagnostics } from './diagnostics';
import * as vscode from 'vscode';
import { ChaptersTreeProvider } from './chaptersTree';
import { registerCommands } from './commands';
import { CourseProgress } from './courseProgress';
import { ComparisonRegistry } from './comparePanel';
import { TrainingController } from './engineSession/trainingController';
import { COMPARE_VIEW_TYPE, LAB_VIEW_TYPE, OUTPUT_CHANNEL_NAME, VIEWS } from './ids';
import { resolveLanguage, setLanguage } from './language';
import { PanelRegistry } from './panelRegistry';
import { RunsTreeProvider } from './runsTree';
import { onSettingChanged, readSettings, runsDirectory } from './settings';
import { chapterInfo } from '../shared/course/catalogue';

let controller: TrainingController | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const diagnostics = new Diagnostics({
    storageDir: context.globalStorageUri.fsPath,
    log: (line) => output.appendLine(`[host] ${line}`),
  });
  diagnostics.activationStarted();
  const applyLanguage = (): void => setLanguage(resolveLanguage(readSettings().language, vscode.env.language));
  applyLanguage();
  const runsDir = (): string => runsDirectory(context);
  const output = vscode.window.createOutputChannel(OUTPUT_CHANNEL_NAME);
  const runsTree = new RunsTreeProvider(runsDir);
  const progress = new CourseProgress(context.globalState);
  const chaptersTree = new ChaptersTreeProvider(progress);
  const training = new TrainingController({
    extensionPath: context.extensionPath,
    output,
    panels: () => panels,
    comparisons: () => comparisons,
    runsDirectory: runsDir,
    onRunsChanged: () => runsTree.refresh(),
    diagnostics,
  });
  controller = training;
  const panels: PanelRegistry = new PanelRegistry({
    runsDirectory: runsDir,
    host: {
      extensionUri: context.extensionUri,
      output,
      isLive: (runDir) => training.isLive(runDir),
      train: (chapter, choice) => training.train(chapter, choice),
      trainComparison: async (chapter) => {
        const comparison = chapterInfo(chapter).comparison;
        if (comparison) await training.trainVariants(chapter, comparison.task, comparison.variants);
      },
      stop: (runDir) => training.stop(runDir),
      predict: (runDir, text) => training.predict(runDir, text),
      mapsSeen: (chapter) => void progress.markDone(chapter),
      fill: (runDir, text, top) => training.fill(runDir, text, top),
      sample: (runDir, params, onEvent) => training.sample(runDir, params, onEvent),
      stopSample: (requestId) => training.stopSample(requestId),
    },
  });
  const comparisons: ComparisonRegistry = new ComparisonRegistry({
    extensionUri: context.extensionUri,
    output,
    runsDirectory: runsDir,
    isLive: (runDir) => training.isLive(runDir),
    openRun: (runDir) => void panels.openRun(runDir),
  });

  context.subscriptions.push(
    output,
    runsTree,
    chaptersTree,
    progress,
    progress.onDidChange(() => chaptersTree.refresh()),
    training,
    panels,
    comparisons,
    // Several runs can be selected: their context menu compares them (Compare Runs…).
    vscode.window.createTreeView(VIEWS.runs, { treeDataProvider: runsTree, canSelectMany: true }),
    vscode.window.registerTreeDataProvider(VIEWS.chapters, chaptersTree),
    vscode.window.registerWebviewPanelSerializer(LAB_VIEW_TYPE, panels),
    vscode.window.registerWebviewPanelSerializer(COMPARE_VIEW_TYPE, comparisons),
    ...registerCommands({ controller: training, panels, comparisons, runsDirectory: runsDir }),
    onSettingChanged('language', () => {
      applyLanguage();
      chaptersTree.refresh();
      runsTree.refresh();
      panels.renderAll();
      comparisons.renderAll();
    }),
    onSettingChanged('runsDirectory', () => runsTree.rewatch()),
    vscode.workspace.onDidChangeWorkspaceFolders(() => runsTree.rewatch()),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      panels.renderAll();
      comparisons.renderAll();
    }),
    diagnostics,
  );
  diagnostics.activationEnded();
}

export async function deactivate(): Promise<void> {
  await controller?.shutdown();
  controller = undefined;
}
