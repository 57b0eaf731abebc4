/**
 * The host's one write into a run folder: when the engine process dies in the middle of a run it
 * cannot mark the run itself, so the host sets `status.json` to `failed` with the reason. The
 * status is read with the shared schema and written atomically by the run store (whole file to a
 * temporary name, then renamed). No vscode import.
 */
import * as fs from 'fs';
import * as v from 'valibot';
import { STATUS_FILE, statusPath, writeJsonAtomic } from '../runStore';
import { RunStatusSchema, type RunStatus } from '../shared/run/records';

export { STATUS_FILE };

function readStatus(runDir: string): RunStatus | null {
  try {
    const parsed = v.safeParse(RunStatusSchema, JSON.parse(fs.readFileSync(statusPath(runDir), 'utf8')));
    if (parsed.success) return parsed.output;
  } catch {
    // missing or torn: treated as never written
  }
  return null;
}

/**
 * Marks the run in `runDir` as failed with `reason`, unless the engine already recorded an end
 * (completed, stopped or failed). Returns the status now on disk (or the one that could not be
 * written, when the folder is gone).
 */
export function markRunFailed(runDir: string, reason: string, now: Date = new Date()): RunStatus {
  const current = readStatus(runDir);
  if (current && current.state !== 'running') return current;
  const status: RunStatus = {
    state: 'failed',
    startedAt: current?.startedAt ?? now.toISOString(),
    endedAt: now.toISOString(),
    epochsCompleted: current?.epochsCompleted ?? 0,
    error: reason,
  };
  try {
    writeJsonAtomic(statusPath(runDir), status);
  } catch {
    // the folder was removed or is not writable: report the failure anyway
  }
  return status;
}
