/**
 * "Export…" (command): asks the active lab or comparison panel what it can export (`exportList`),
 * lets the learner pick a view and a format, and asks the panel for it (`exportView`); the panel
 * answers with an `export` message, saved where the learner chooses (saveExport.ts). A panel's
 * `exportViews` is taken only right after the host asked for it (a webview cannot open pickers).
 */
import * as vscode from 'vscode';
import type { HostToWebview, WebviewToHost } from '../shared/protocol/webview';
import { t } from './language';

type ExportViews = Extract<WebviewToHost, { type: 'exportViews' }>['views'];

/** One panel's side of the command: whether it asked, and the answer turned into a request. */
export class ExportAsk {
  private asked = false;

  constructor(private readonly send: (message: HostToWebview) => void) {}

  ask(): void {
    this.asked = true;
    this.send({ type: 'exportList' });
  }

  /** The panel's `exportViews`: a pick, then `exportView` (ignored when not asked for). */
  async answer(views: ExportViews): Promise<void> {
    if (!this.asked) return;
    this.asked = false;
    if (views.length === 0) {
      void vscode.window.showInformationMessage(t('exportNothing'));
      return;
    }
    const items = views.flatMap((view) =>
      view.formats.map((format) => ({
        label: `${view.label}`,
        description: format.toUpperCase(),
        view: view.id,
        format,
      })),
    );
    const chosen = await vscode.window.showQuickPick(items, { placeHolder: t('exportPick'), matchOnDescription: true });
    if (chosen) this.send({ type: 'exportView', view: chosen.view, format: chosen.format });
  }
}

/** The command: the active panel (lab first, then comparison), else a note. */
export function exportActivePanel(panels: readonly { panel: vscode.WebviewPanel; askExport(): void }[]): void {
  const active = panels.find((item) => item.panel.active) ?? panels.find((item) => item.panel.visible);
  if (!active) {
    void vscode.window.showInformationMessage(t('exportNoPanel'));
    return;
  }
  active.askExport();
}
