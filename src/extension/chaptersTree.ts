/** The Chapters view: the course in order; a click opens the chapter (trainable ones start a run). */
import * as vscode from 'vscode';
import { CHAPTERS } from '../engine/chapters/catalog';
import type { ChapterInfo } from '../protocol/run';
import { COMMANDS } from './ids';
import { pick, t } from './language';

export class ChaptersTreeProvider implements vscode.TreeDataProvider<ChapterInfo>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  /** The language changed. */
  refresh(): void {
    this.changed.fire();
  }

  getTreeItem(chapter: ChapterInfo): vscode.TreeItem {
    const index = CHAPTERS.findIndex((c) => c.id === chapter.id) + 1;
    const item = new vscode.TreeItem(`${index}. ${pick(chapter.title)}`, vscode.TreeItemCollapsibleState.None);
    item.id = chapter.id;
    item.description = chapter.trainable ? '' : t('comingLater');
    item.tooltip = new vscode.MarkdownString()
      .appendMarkdown(`**${pick(chapter.title)}**\n\n`)
      .appendText(pick(chapter.summary));
    item.iconPath = new vscode.ThemeIcon(chapter.trainable ? 'beaker' : 'book');
    item.contextValue = chapter.trainable ? 'llmTutor.trainableChapter' : 'llmTutor.chapter';
    item.command = { command: COMMANDS.openChapter, title: t('openChapterTitle'), arguments: [chapter.id] };
    return item;
  }

  getChildren(parent?: ChapterInfo): ChapterInfo[] {
    return parent ? [] : CHAPTERS;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
