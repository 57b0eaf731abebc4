/**
 * Where runs live, and the check every untrusted run path goes through (a path restored from
 * webview state, or chosen in a list): it must lie inside the runs directory, after `..`,
 * symlinks (dangling ones too) and prefix tricks are resolved (`isInside` from the run store).
 * No vscode import.
 */
import * as os from 'os';
import * as path from 'path';
import { isInside } from '../runStore';
import { CHAPTER_IDS, type ChapterId } from '../shared/ids';

/**
 * The runs directory: the `llmTutor.runsDirectory` setting when set (`~` expanded; relative to
 * the first workspace folder, else to global storage), otherwise `runs` in the first workspace
 * folder, otherwise `runs` in the extension's global storage.
 */
export function chooseRunsDirectory(
  setting: string,
  workspaceFolder: string | undefined,
  globalStorage: string,
): string {
  const base = workspaceFolder ?? globalStorage;
  const trimmed = setting.trim();
  if (!trimmed) return path.join(base, 'runs');
  const expanded =
    trimmed === '~' ? os.homedir() : trimmed.startsWith('~/') ? path.join(os.homedir(), trimmed.slice(2)) : trimmed;
  return path.resolve(base, expanded);
}

/**
 * `candidate` as an absolute run folder if it is a string naming a folder strictly below
 * `runsDir` (not the runs directory itself), else null. Relative candidates are refused: state
 * and lists always carry absolute paths.
 */
export function resolveRunDirInside(runsDir: string, candidate: unknown): string | null {
  if (typeof candidate !== 'string' || candidate.length === 0 || candidate.length > 4096) return null;
  if (candidate.includes('\0') || !path.isAbsolute(candidate)) return null;
  const resolved = path.resolve(candidate);
  if (resolved === path.resolve(runsDir)) return null;
  return isInside(runsDir, resolved) ? resolved : null;
}

/** The chapter a run folder's name (`<YYYYMMDD-HHMMSS>-<chapter>[-n]`) points to, or null. */
export function chapterFromRunId(runId: string): ChapterId | null {
  const rest = runId.replace(/^\d{8}-\d{6}-/, '');
  const matches = CHAPTER_IDS.filter((id) => rest === id || rest.startsWith(`${id}-`));
  // The longest match: 'transformer-encoder' before 'transformer'.
  return matches.sort((a, b) => b.length - a.length)[0] ?? null;
}

/** A stable key for a run folder (the same folder reached two ways opens one panel). */
export function runKey(runDir: string): string {
  const resolved = path.resolve(runDir);
  return process.platform === 'win32' ? resolved.toLowerCase() : resolved;
}
