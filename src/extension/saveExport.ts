/**
 * Writes a panel's export where the learner chooses: a save dialog proposes the webview's name
 * (checked: no folder, safe characters) in the first workspace folder (else the home folder), with
 * the format's filter; the content (already checked by `checkExportRequest`: a PNG that is a PNG,
 * an SVG without script or link, a probe JSON that fits its schema) is written to exactly the file
 * chosen, nowhere else. Cancelling writes nothing. Used by the lab and comparison panels.
 */
import * as os from 'os';
import * as vscode from 'vscode';
import { EXTENSIONS } from '../shared/run/export';
import type { HostToWebview } from '../shared/protocol/webview';
import { t } from './language';
import type { CheckedExportRequest } from './panelRequests';

/** The bytes the checked payload writes. */
export function exportBytes(request: CheckedExportRequest): Uint8Array {
  const { payload } = request;
  return payload.format === 'png' ? payload.bytes : new TextEncoder().encode(payload.text);
}

/** Asks where, writes there, and says so to the webview (`exported`) or as an error. */
export async function saveExport(
  request: CheckedExportRequest,
  reply: (message: HostToWebview) => void,
): Promise<void> {
  const extension = EXTENSIONS[request.payload.format];
  const folder =
    vscode.workspace.workspaceFolders?.find((item) => item.uri.scheme === 'file')?.uri ?? vscode.Uri.file(os.homedir());
  const file = `${request.name}.${extension}`;
  const target = await vscode.window.showSaveDialog({
    defaultUri: vscode.Uri.joinPath(folder, file),
    filters: { [t('exportFilter', { format: extension.toUpperCase() })]: [extension] },
    title: t('exportSaveTitle', { name: file }),
  });
  if (!target) return;
  try {
    await vscode.workspace.fs.writeFile(target, exportBytes(request));
  } catch (error) {
    reply({
      type: 'error',
      message: t('exportWriteFailed', { reason: error instanceof Error ? error.message : String(error) }),
    });
    return;
  }
  reply({ type: 'exported', name: target.path.split('/').pop() ?? file });
}
