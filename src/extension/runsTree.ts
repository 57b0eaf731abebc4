/**
 * The Runs view: every folder of the runs directory, newest first, with a status icon and, in the
 * description, the run's task, variant and the best value of its chapter's primary metric
 * (runLabels.ts); damaged folders carry a warning icon and the reason as tooltip. Refreshed by a
 * file watcher on the runs directory and on engine events.
 */
import * as fs from 'fs';
import * as vscode from 'vscode';
import { RunListCache, listRuns } from '../runStore';
import { chapterInfo } from '../shared/course/catalogue';
import type { RunListEntry, RunState } from '../shared/run/records';
import { COMMANDS } from './ids';
import { pick, t } from './language';
import { runDescription, runTooltipLines } from './runLabels';

const STATE_ICONS: Record<RunState, [string, string | undefined]> = {
  running: ['sync~spin', undefined],
  completed: ['pass', 'testing.iconPassed'],
  stopped: ['debug-stop', 'charts.yellow'],
  failed: ['error', 'testing.iconFailed'],
};

export function runIcon(entry: RunListEntry): vscode.ThemeIcon {
  if (!entry.ok) return new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
  const [icon, color] = STATE_ICONS[entry.state];
  return new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
}

export function runTooltip(entry: RunListEntry): vscode.MarkdownString | string {
  if (!entry.ok) return t('damagedTooltip', { reason: entry.reason });
  const tooltip = new vscode.MarkdownString();
  // The folder name is the learner's (or anyone's): appended as text, never as Markdown.
  tooltip
    .appendMarkdown('**')
    .appendText(pick(chapterInfo(entry.chapter).title))
    .appendMarkdown('** — ');
  tooltip.appendText(entry.runId).appendMarkdown('\n\n');
  tooltip.appendText(runTooltipLines(entry).join('\n'));
  return tooltip;
}

export class RunsTreeProvider implements vscode.TreeDataProvider<RunListEntry>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private watcher: vscode.FileSystemWatcher | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** Whether the runs directory existed when the watcher was made (a watcher on a missing folder may stay deaf). */
  private watchedExisting = false;
  /** Runs unchanged since the last listing are not read again (the view lists on every change while one trains). */
  private readonly cache = new RunListCache();

  constructor(private readonly runsDirectory: () => string) {
    this.watch();
  }

  /** Re-reads the list soon (many events in a row make one refresh). */
  refresh(): void {
    if (!this.watchedExisting && fs.existsSync(this.runsDirectory())) this.watch();
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.changed.fire();
    }, 300);
  }

  /** The runs directory setting changed: watch the new folder. */
  rewatch(): void {
    this.watch();
    this.refresh();
  }

  getTreeItem(entry: RunListEntry): vscode.TreeItem {
    const item = new vscode.TreeItem(entry.runId, vscode.TreeItemCollapsibleState.None);
    item.id = entry.dir;
    item.description = runDescription(entry);
    item.iconPath = runIcon(entry);
    item.tooltip = runTooltip(entry);
    item.contextValue = entry.ok ? 'llmTutor.run' : 'llmTutor.damagedRun';
    item.command = { command: COMMANDS.openRun, title: t('openPanel'), arguments: [entry.dir] };
    return item;
  }

  async getChildren(parent?: RunListEntry): Promise<RunListEntry[]> {
    if (parent) return [];
    try {
      return await listRuns(this.runsDirectory(), this.cache);
    } catch {
      return [];
    }
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.watcher?.dispose();
    this.changed.dispose();
  }

  private watch(): void {
    this.watcher?.dispose();
    this.watchedExisting = fs.existsSync(this.runsDirectory());
    const pattern = new vscode.RelativePattern(vscode.Uri.file(this.runsDirectory()), '{*,*/*.json,*/metrics.jsonl}');
    this.watcher = vscode.workspace.createFileSystemWatcher(pattern);
    this.watcher.onDidCreate(() => this.refresh());
    this.watcher.onDidChange(() => this.refresh());
    this.watcher.onDidDelete(() => this.refresh());
  }
}
