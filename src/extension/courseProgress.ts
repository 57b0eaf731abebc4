/**
 * The learner's progress through the course: a chapter is done once they have trained it and
 * opened its attention maps (a lab panel of one of its runs showed a snapshot, `mapsSeen`). Kept in
 * the extension's global state; each done chapter sets the context key that completes its step of
 * the walkthrough (`chapterDoneKey`), and the Chapters view marks it.
 */
import * as vscode from 'vscode';
import { chapterDoneKey } from '../shared/course/walkthrough';
import { isChapterId, type ChapterId } from '../shared/ids';

const STATE_KEY = 'llmTutor.chaptersDone';

export class CourseProgress implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly done: Set<ChapterId>;

  constructor(private readonly state: vscode.Memento) {
    const saved = state.get<unknown>(STATE_KEY);
    this.done = new Set(Array.isArray(saved) ? saved.filter((id): id is ChapterId => isChapterId(id)) : []);
    for (const id of this.done) void vscode.commands.executeCommand('setContext', chapterDoneKey(id), true);
  }

  isDone(id: ChapterId): boolean {
    return this.done.has(id);
  }

  async markDone(id: ChapterId): Promise<void> {
    if (this.done.has(id)) return;
    this.done.add(id);
    await this.state.update(STATE_KEY, [...this.done]);
    await vscode.commands.executeCommand('setContext', chapterDoneKey(id), true);
    this.changed.fire();
  }

  dispose(): void {
    this.changed.dispose();
  }
}
