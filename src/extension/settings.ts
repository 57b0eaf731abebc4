/** The `llmTutor.*` settings, read fresh each time (they can change at any moment). */
import * as vscode from 'vscode';
import type { BackendChoice, DatasetSizes, TrainOverrides } from '../protocol/run';
import { CONFIG_SECTION } from './ids';
import { chooseRunsDirectory } from './runPaths';
import {
  datasetSizesFromSettings,
  overridesFromSettings,
  parseBackend,
  parseLanguageSetting,
  type LanguageSetting,
} from './settingsValues';

export interface LabSettings {
  backend: BackendChoice;
  overrides: TrainOverrides;
  /** Advanced `llmTutor.advanced.*Size` settings (see settingsValues.ts). */
  datasetSizes: DatasetSizes;
  language: LanguageSetting;
}

function configuration(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration(CONFIG_SECTION);
}

export function readSettings(): LabSettings {
  const config = configuration();
  return {
    backend: parseBackend(config.get('backend')),
    overrides: overridesFromSettings((key) => config.get(key)),
    datasetSizes: datasetSizesFromSettings((key) => config.get(key)),
    language: parseLanguageSetting(config.get('language')),
  };
}

/** The absolute runs directory (see `chooseRunsDirectory`). */
export function runsDirectory(context: vscode.ExtensionContext): string {
  const setting = configuration().get<string>('runsDirectory') ?? '';
  const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file');
  return chooseRunsDirectory(
    typeof setting === 'string' ? setting : '',
    folder?.uri.fsPath,
    context.globalStorageUri.fsPath,
  );
}

/** Fires `listener` when a setting under `llmTutor.<key>` changes. */
export function onSettingChanged(key: string, listener: () => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((event) => {
    if (event.affectsConfiguration(`${CONFIG_SECTION}.${key}`)) listener();
  });
}
