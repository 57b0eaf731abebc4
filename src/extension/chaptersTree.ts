/**
 * The Chapters view: the course in order, from the shared catalogue. A trainable chapter enters
 * "Train Chapter…" with itself preselected (task and variant picks); any other opens its preview.
 */
import * as vscode from 'vscode';
import { CHAPTERS } from '../shared/course/catalogue';
import type { ChapterInfo } from '../shared/course/chapter';
import { COMMANDS } from './ids';
import { pick, t } from './language';

export class ChaptersTreeProvider implements vscode.TreeDataProvider<ChapterInfo>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly progress?: { isDone(id: ChapterInfo['id']): boolean }) {}

  /** The language changed. */
  refresh(): void {
    this.changed.fire();
  }

  getTreeItem(chapter: ChapterInfo): vscode.TreeItem {
    const index = CHAPTERS.findIndex((c) => c.id === chapter.id) + 1;
    const item = new vscode.TreeItem(`${index}. ${pick(chapter.title)}`, vscode.TreeItemCollapsibleState.None);
    item.id = chapter.id;
    item.description = chapter.trainable
      ? this.progress?.isDone(chapter.id)
        ? `✓ ${t('chapterDone')}`
        : ''
      : t('comingLater');
    item.tooltip = new vscode.MarkdownString()
      .appendMarkdown(`**${pick(chapter.title)}**\n\n`)
      .appendText(pick(chapter.summary));
    item.iconPath = new vscode.ThemeIcon(chapter.trainable ? 'beaker' : 'book');
    item.contextValue = chapter.trainable ? 'llmTutor.trainableChapter' : 'llmTutor.chapter';
    item.command = chapter.trainable
      ? { command: COMMANDS.trainChapter, title: t('trainChapterAction'), arguments: [chapter.id] }
      : { command: COMMANDS.openChapter, title: t('openChapterTitle'), arguments: [chapter.id] };
    return item;
  }

  getChildren(parent?: ChapterInfo): ChapterInfo[] {
    return parent ? [] : [...CHAPTERS];
  }

  dispose(): void {
    this.changed.dispose();
  }
}
