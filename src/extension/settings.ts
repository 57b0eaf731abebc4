/** The `llmTutor.*` settings, read fresh each time (they can change at any moment). */
import * as vscode from 'vscode';
import type { BackendChoice } from '../shared/ids';
import { CONFIG_SECTION } from './ids';
import { chooseRunsDirectory } from './runPaths';
import {
  parseBackend,
  parseLanguageSetting,
  seedFromSettings,
  type LanguageSetting,
  type SettingReader,
} from './settingsValues';

export interface LabSettings {
  backend: BackendChoice;
  language: LanguageSetting;
  /** `llmTutor.seed` when set and valid; undefined: the engine's default seed. */
  seed: number | undefined;
  /** Reads any `llmTutor.*` setting (a chapter's overrides: `settingsOverridesFor`). */
  read: SettingReader;
}

function configuration(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration(CONFIG_SECTION);
}

export function readSettings(): LabSettings {
  const config = configuration();
  const read: SettingReader = (key) => config.get(key);
  return {
    backend: parseBackend(read('backend')),
    language: parseLanguageSetting(read('language')),
    seed: seedFromSettings(read),
    read,
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

/**
 * Writes `llmTutor.corpus`: in the workspace's settings when a folder is open (the corpus belongs
 * to the project), else in the user's.
 */
export async function writeCorpusSetting(value: string): Promise<void> {
  const target =
    vscode.workspace.workspaceFolders && vscode.workspace.workspaceFolders.length > 0
      ? vscode.ConfigurationTarget.Workspace
      : vscode.ConfigurationTarget.Global;
  await configuration().update('corpus', value, target);
}
