/**
 * LLM Tutor's VS Code side: registrations only. Each job lives in its own file (see the imports);
 * training and inference run in the forked engine process, never here.
 */
// First import: its load time is the bundle's (see diagnostics.ts).
import { Diagnostics } from './diagnostics';
import * as vscode from 'vscode';
import { ChaptersTreeProvider } from './chaptersTree';
import { registerCommands } from './commands';
import { TrainingController } from './engineSession/trainingController';
import { LAB_VIEW_TYPE, OUTPUT_CHANNEL_NAME, VIEWS } from './ids';
import { resolveLanguage, setLanguage } from './language';
import { PanelRegistry } from './panelRegistry';
import { RunsTreeProvider } from './runsTree';
import { onSettingChanged, readSettings, runsDirectory } from './settings';

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
  const chaptersTree = new ChaptersTreeProvider();
  const training = new TrainingController({
    extensionPath: context.extensionPath,
    output,
    panels: () => panels,
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
      stop: (runDir) => training.stop(runDir),
      predict: (runDir, text) => training.predict(runDir, text),
    },
  });

  context.subscriptions.push(
    output,
    runsTree,
    chaptersTree,
    training,
    panels,
    vscode.window.registerTreeDataProvider(VIEWS.runs, runsTree),
    vscode.window.registerTreeDataProvider(VIEWS.chapters, chaptersTree),
    vscode.window.registerWebviewPanelSerializer(LAB_VIEW_TYPE, panels),
    ...registerCommands({ controller: training, panels, runsDirectory: runsDir }),
    onSettingChanged('language', () => {
      applyLanguage();
      chaptersTree.refresh();
      runsTree.refresh();
      panels.renderAll();
    }),
    onSettingChanged('runsDirectory', () => runsTree.rewatch()),
    vscode.workspace.onDidChangeWorkspaceFolders(() => runsTree.rewatch()),
    vscode.workspace.onDidGrantWorkspaceTrust(() => panels.renderAll()),
    diagnostics,
  );
  diagnostics.activationEnded();
}

export async function deactivate(): Promise<void> {
  await controller?.shutdown();
  controller = undefined;
}
