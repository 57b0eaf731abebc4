/** The status-bar item shown while a run trains: chapter, epoch and loss; a click opens its panel. */
import * as vscode from 'vscode';
import { COMMANDS } from './ids';
import { t } from './language';

export function formatLoss(loss: number): string {
  return Number.isFinite(loss) ? loss.toFixed(4) : String(loss);
}

export class TrainingStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('llmTutor.training', vscode.StatusBarAlignment.Left, 10);

  constructor() {
    this.item.name = 'LLM Tutor';
  }

  showStarting(chapterTitle: string): void {
    this.item.text = `$(sync~spin) ${t('statusStarting', { chapter: chapterTitle })}`;
    this.item.tooltip = t('statusTooltip');
    this.item.command = undefined;
    this.item.show();
  }

  showRun(chapterTitle: string, runDir: string): void {
    this.item.command = { command: COMMANDS.openRun, title: t('openPanel'), arguments: [runDir] };
    this.item.text = `$(sync~spin) ${chapterTitle}`;
    this.item.tooltip = t('statusTooltip');
    this.item.show();
  }

  update(chapterTitle: string, epoch: number, epochs: number, trainLoss: number): void {
    this.item.text = `$(sync~spin) ${t('statusProgress', { chapter: chapterTitle, epoch, epochs, loss: formatLoss(trainLoss) })}`;
  }

  hide(): void {
    this.item.hide();
  }

  dispose(): void {
    this.item.dispose();
  }
}
