/**
 * The state a lab panel's webview saved (`setState`) comes back, after a reload of VS Code, to the
 * panel serializer as untrusted data: it is checked against `WebviewStateSchema`, and its `runDir`
 * must be an absolute path to a folder inside the runs directory (`..`, symlinks out of it and
 * dangling symlinks refused) before a panel is restored for it. No vscode import.
 */
import { WebviewStateSchema } from '../shared/protocol/webview';
import { parseWith, type Parsed } from '../shared/schema';
import { resolveRunDirInside } from './runPaths';

/** The run folder to restore a panel for, or a one-line reason (never echoing the state). */
export function restorableRunDir(state: unknown, runsDir: string): Parsed<string> {
  let parsed;
  try {
    parsed = parseWith(WebviewStateSchema, state, 'saved panel state');
  } catch {
    return { ok: false, reason: 'saved panel state could not be read' };
  }
  if (!parsed.ok) return parsed;
  const runDir = resolveRunDirInside(runsDir, parsed.value.runDir);
  if (!runDir)
    return { ok: false, reason: 'saved panel state: "runDir" is not a run folder inside the runs directory' };
  return { ok: true, value: runDir };
}
