/**
 * The host's one write into a run folder: when the engine process dies in the middle of a run it
 * cannot mark the run itself, so the host sets `status.json` to `failed` with the reason. Whole
 * file written to a temporary name and renamed (DESIGN.md "A run on disk"). No vscode import.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { RunStatus } from '../protocol/run';

export const STATUS_FILE = 'status.json';

function readStatus(runDir: string): RunStatus | null {
  try {
    const parsed = JSON.parse(fs.readFileSync(path.join(runDir, STATUS_FILE), 'utf8')) as unknown;
    if (typeof parsed === 'object' && parsed !== null && typeof (parsed as RunStatus).state === 'string')
      return parsed as RunStatus;
  } catch {
    // missing or torn: treated as never written
  }
  return null;
}

function writeStatus(runDir: string, status: RunStatus): void {
  const target = path.join(runDir, STATUS_FILE);
  const temporary = `${target}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(temporary, `${JSON.stringify(status, null, 2)}\n`);
  fs.renameSync(temporary, target);
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
    writeStatus(runDir, status);
  } catch {
    // the folder was removed or is not writable: report the failure anyway
  }
  return status;
}
