/**
 * The gate every message from a comparison panel's webview passes: the protocol first
 * (`WebviewToHostSchema`: strict, bounded; a run id is one folder name, never a path), then the
 * panel's own checks: `openRun` must name one of the panel's runs, `saveComparison` needs two or
 * more runs and a panel that can be saved. Messages of the lab panel are refused. Reasons are one
 * line and never echo the input. Also the check of a comparison panel's saved state before it is
 * restored. No vscode import.
 */
import { runDirOf } from '../runStore';
import { MIN_COMPARED_RUNS } from '../shared/run/comparison';
import { CompareStateSchema, WebviewToHostSchema, type WebviewToHost } from '../shared/protocol/webview';
import { parseWith, type Parsed } from '../shared/schema';
import { checkExportRequest, type CheckedExportRequest } from './panelRequests';

export interface CompareRequestContext {
  /** The runs the panel shows, by run id. */
  runIds: readonly string[];
  /** False when a run lies outside the runs folder (nothing to name it by). */
  canSave: boolean;
}

export type CompareRequest =
  | Extract<WebviewToHost, { type: 'ready' | 'saveComparison' | 'openRun' | 'requestCompareAttention' | 'exportViews' }>
  | CheckedExportRequest;

const refuse = (reason: string): { ok: false; reason: string } => ({ ok: false, reason });

export function checkCompareRequest(raw: unknown, context: CompareRequestContext): Parsed<CompareRequest> {
  let parsed: Parsed<WebviewToHost>;
  try {
    parsed = parseWith(WebviewToHostSchema, raw, 'comparison panel message');
  } catch {
    return refuse('comparison panel message could not be read');
  }
  if (!parsed.ok) return parsed;
  const message = parsed.value;
  switch (message.type) {
    case 'ready':
    case 'exportViews':
      return { ok: true, value: message };
    case 'requestCompareAttention':
      if (context.runIds.length === 0) return refuse('requestCompareAttention: this comparison has no runs yet');
      return { ok: true, value: message };
    case 'export':
      return checkExportRequest(message);
    case 'openRun':
      if (!context.runIds.includes(message.runId)) return refuse('openRun: "runId" is not a run of this comparison');
      return { ok: true, value: message };
    case 'saveComparison':
      if (!context.canSave) return refuse('saveComparison: this comparison has runs outside the runs folder');
      if (context.runIds.length < MIN_COMPARED_RUNS)
        return refuse(`saveComparison: a comparison needs at least ${MIN_COMPARED_RUNS} runs`);
      return { ok: true, value: message };
    default:
      return refuse(`${message.type}: a comparison panel does not take this message`);
  }
}

/**
 * The comparison to restore a panel for after a reload, from its saved state (untrusted): the
 * state must match `CompareStateSchema` and every run id must name a folder inside the runs folder.
 */
export function restorableComparison(
  state: unknown,
  runsDir: string,
): Parsed<{ runIds: string[]; name: string | null }> {
  let parsed;
  try {
    parsed = parseWith(CompareStateSchema, state, 'saved comparison state');
  } catch {
    return refuse('saved comparison state could not be read');
  }
  if (!parsed.ok) return parsed;
  if (parsed.value.runIds.some((runId) => runDirOf(runsDir, runId) === null))
    return refuse('saved comparison state: "runIds" names a run outside the runs folder');
  return { ok: true, value: { runIds: [...parsed.value.runIds], name: parsed.value.name } };
}
