/**
 * All open lab panels, one per run folder (opening an open run focuses its panel) and one per
 * contract-only chapter. Also the `WebviewPanelSerializer` that brings panels back after a reload:
 * the saved state is untrusted: it must match `WebviewStateSchema` and its `runDir` must lie inside
 * the runs directory (panelState.ts) before a panel is restored.
 */
import * as vscode from 'vscode';
import type { ChapterId } from '../shared/ids';
import type { HostToWebview } from '../shared/protocol/webview';
import { LAB_VIEW_TYPE } from './ids';
import { t } from './language';
import { LabPanel, labWebviewOptions, type LabPanelHost, type LabTarget } from './labPanel';
import { restorableRunDir } from './panelState';
import { runKey } from './runPaths';

export interface PanelRegistryOptions {
  host: LabPanelHost;
  runsDirectory: () => string;
}

function keyOf(target: LabTarget): string {
  return target.kind === 'run' ? `run:${runKey(target.runDir)}` : `chapter:${target.chapter}`;
}

export class PanelRegistry implements vscode.WebviewPanelSerializer<unknown>, vscode.Disposable {
  private readonly panels = new Map<string, LabPanel>();

  constructor(private readonly options: PanelRegistryOptions) {}

  /** Opens (or focuses) the panel of the run in `runDir`. */
  openRun(runDir: string, preserveFocus = false): LabPanel {
    return this.open({ kind: 'run', runDir }, preserveFocus);
  }

  /** Opens (or focuses) a panel that shows a chapter's learning contract, without a run. */
  openChapter(chapter: ChapterId): LabPanel {
    return this.open({ kind: 'chapter', chapter }, false);
  }

  forRun(runDir: string): LabPanel | undefined {
    return this.panels.get(keyOf({ kind: 'run', runDir }));
  }

  /** Forwards a live message to the run's panel, if it is open. */
  post(runDir: string, message: HostToWebview): void {
    this.forRun(runDir)?.post(message);
  }

  /** Every open lab panel. */
  all(): LabPanel[] {
    return [...this.panels.values()];
  }

  /** Reloads every panel (language or trust changed). */
  renderAll(): void {
    for (const panel of this.panels.values()) panel.render();
  }

  async deserializeWebviewPanel(webviewPanel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const restored = restorableRunDir(state, this.options.runsDirectory());
    if (!restored.ok) {
      this.options.host.output.appendLine(`[host] ${t('logRestoreRefused', { reason: restored.reason })}`);
      webviewPanel.dispose();
      return;
    }
    const runDir = restored.value;
    const existing = this.forRun(runDir);
    if (existing) {
      webviewPanel.dispose();
      existing.reveal(true);
      return;
    }
    this.adopt(new LabPanel(webviewPanel, { kind: 'run', runDir }, this.options.host));
  }

  dispose(): void {
    for (const panel of [...this.panels.values()]) panel.dispose();
    this.panels.clear();
  }

  private open(target: LabTarget, preserveFocus: boolean): LabPanel {
    const existing = this.panels.get(keyOf(target));
    if (existing) {
      existing.reveal(preserveFocus);
      return existing;
    }
    const webviewPanel = vscode.window.createWebviewPanel(
      LAB_VIEW_TYPE,
      'LLM Tutor',
      { viewColumn: vscode.ViewColumn.Active, preserveFocus },
      labWebviewOptions(this.options.host.extensionUri),
    );
    return this.adopt(new LabPanel(webviewPanel, target, this.options.host));
  }

  private adopt(panel: LabPanel): LabPanel {
    const key = keyOf(panel.target);
    this.panels.set(key, panel);
    panel.onDidDispose(() => {
      if (this.panels.get(key) === panel) this.panels.delete(key);
    });
    return panel;
  }
}
