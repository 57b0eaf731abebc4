/**
 * One lab panel: the webview of one run (or, for a chapter that cannot be trained yet, of its
 * learning contract). On `ready` it reads the run folder and sends `init`; live messages from the
 * engine go through a throttle (≤ 10 a second); every message from the webview is checked by
 * `checkPanelRequest` before anything happens.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { chapterInfo } from '../engine/chapters/catalog';
import { DamagedRunError, readAttention, readRun } from '../engine/runs/reader';
import type { ChapterId, Prediction, RunSnapshot, TrainOverrides } from '../protocol/run';
import type { HostToWebview, InitMessage } from '../protocol/webview';
import { buildLabHtml, labResourceRootPaths, makeNonce } from './html';
import { currentLanguage, htmlLanguageTag, pick, t } from './language';
import { checkPanelRequest } from './panelRequests';
import { chapterFromRunId } from './runPaths';
import { WebviewMessageThrottle } from './throttle';
import { webviewStrings } from './webviewStrings';

export type LabTarget = { kind: 'run'; runDir: string } | { kind: 'chapter'; chapter: ChapterId };

/** What a panel asks of the rest of the extension. */
export interface LabPanelHost {
  readonly extensionUri: vscode.Uri;
  readonly output: vscode.OutputChannel;
  isLive(runDir: string): boolean;
  /** Whether this window's engine is busy training (it answers predictions only between runs). */
  isTraining(): boolean;
  /** Starts a run of `chapter`; reports problems to the learner itself. */
  train(chapter: ChapterId, overrides: TrainOverrides): Promise<unknown>;
  stop(runDir: string): Promise<void>;
  predict(runDir: string, text: string): Promise<Prediction>;
}

export function labWebviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    enableCommandUris: false,
    localResourceRoots: labResourceRootPaths(extensionUri.fsPath).map((p) => vscode.Uri.file(p)),
  };
}

/** Messages that describe what is already in a snapshot read after they were sent. */
function alreadyIn(snapshot: RunSnapshot | null, message: HostToWebview): boolean {
  if (!snapshot) return false;
  if (message.type === 'epoch') return snapshot.metrics.some((m) => m.kind === 'epoch' && m.epoch === message.metrics.epoch);
  if (message.type === 'step') return snapshot.metrics.some((m) => m.kind === 'step' && m.step === message.metrics.step);
  return false;
}

export class LabPanel implements vscode.Disposable {
  private readonly throttle: WebviewMessageThrottle;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly disposeListeners: (() => void)[] = [];
  private snapshot: RunSnapshot | null = null;
  private attentionEpochs: number[] = [];
  /** Between `ready` and `init`: live messages wait here. */
  private loading = false;
  /** `init` was sent to the current document of the webview. */
  private initialized = false;
  private waiting: HostToWebview[] = [];
  private predicting = false;
  private disposed = false;

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly target: LabTarget,
    private readonly host: LabPanelHost,
  ) {
    panel.webview.options = labWebviewOptions(host.extensionUri);
    panel.iconPath = vscode.Uri.joinPath(host.extensionUri, 'media', 'icon.svg');
    this.throttle = new WebviewMessageThrottle((message) => void this.panel.webview.postMessage(message));
    this.disposables.push(
      panel.webview.onDidReceiveMessage((raw: unknown) => void this.onMessage(raw)),
      panel.onDidChangeViewState(() => {
        // Without retainContextWhenHidden a hidden webview is torn down; it sends `ready` again.
        if (!panel.visible) this.forgetDocument();
      }),
      panel.onDidDispose(() => this.dispose()),
    );
    this.render();
  }

  get runDir(): string | null {
    return this.target.kind === 'run' ? this.target.runDir : null;
  }

  onDidDispose(listener: () => void): void {
    this.disposeListeners.push(listener);
  }

  reveal(preserveFocus = false): void {
    this.panel.reveal(undefined, preserveFocus);
  }

  /** (Re)loads the webview: fresh HTML, fresh nonce; it answers with `ready`. */
  render(): void {
    this.forgetDocument();
    const webview = this.panel.webview;
    const language = currentLanguage();
    const media = (name: string): string => webview.asWebviewUri(vscode.Uri.joinPath(this.host.extensionUri, 'media', name)).toString();
    this.panel.title = this.title();
    webview.html = buildLabHtml({
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.host.extensionUri, 'dist', 'webview.js')).toString(),
      styleUris: this.stylesheets().map(media),
      htmlLanguage: htmlLanguageTag(language),
      title: this.panel.title,
    });
  }

  /** A live message from the engine for this panel's run. */
  post(message: HostToWebview): void {
    if (this.disposed) return;
    if (message.type === 'epoch' && message.attention && !this.attentionEpochs.includes(message.metrics.epoch)) {
      this.attentionEpochs = [...this.attentionEpochs, message.metrics.epoch].sort((a, b) => a - b);
    }
    if (this.loading) this.waiting.push(message);
    else if (this.initialized && this.panel.visible) this.throttle.push(message);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.throttle.dispose();
    for (const d of this.disposables) d.dispose();
    this.panel.dispose();
    for (const listener of this.disposeListeners) listener();
  }

  private forgetDocument(): void {
    this.initialized = false;
    this.throttle.clear();
  }

  private stylesheets(): string[] {
    // The webview helper's CSS, if it ships any under media/ (CSS bundled into webview.js needs none).
    try {
      return fs
        .readdirSync(path.join(this.host.extensionUri.fsPath, 'media'))
        .filter((name) => name.endsWith('.css'))
        .sort();
    } catch {
      return [];
    }
  }

  private title(): string {
    if (this.target.kind === 'chapter') return pick(chapterInfo(this.target.chapter).title);
    return t('panelTitleRun', { run: path.basename(this.target.runDir) });
  }

  private chapterId(): ChapterId {
    if (this.target.kind === 'chapter') return this.target.chapter;
    return this.snapshot?.config.chapter ?? chapterFromRunId(path.basename(this.target.runDir)) ?? 'attention-seq2seq';
  }

  private reply(message: HostToWebview): void {
    this.throttle.push(message);
  }

  private async onMessage(raw: unknown): Promise<void> {
    if (this.disposed) return;
    const checked = checkPanelRequest(raw, { attentionEpochs: this.attentionEpochs, hasRun: this.snapshot !== null });
    if (!checked.ok) {
      this.host.output.appendLine(`[host] ${t('logRejectedMessage', { error: checked.error })}`);
      this.reply({ type: 'error', message: t('requestRejected', { error: checked.error }) });
      return;
    }
    const message = checked.message;
    switch (message.type) {
      case 'ready':
        await this.sendInit();
        break;
      case 'requestAttention':
        await this.sendAttention(message.epoch);
        break;
      case 'predict':
        await this.predict(message.text);
        break;
      case 'train':
        if (!vscode.workspace.isTrusted) {
          this.reply({ type: 'error', message: t('restrictedTraining') });
          break;
        }
        await this.host.train(this.chapterId(), message.overrides);
        break;
      case 'stop':
        if (this.runDir && this.host.isLive(this.runDir)) await this.host.stop(this.runDir);
        else this.reply({ type: 'error', message: t('notTrainingThisRun') });
        break;
    }
  }

  private async sendInit(): Promise<void> {
    this.forgetDocument();
    this.loading = true;
    this.waiting = [];
    let damagedReason: string | undefined;
    if (this.target.kind === 'run') {
      try {
        this.snapshot = await readRun(this.target.runDir);
        this.attentionEpochs = [...this.snapshot.attentionEpochs];
      } catch (error) {
        this.snapshot = null;
        this.attentionEpochs = [];
        damagedReason = error instanceof DamagedRunError ? error.reason : error instanceof Error ? error.message : String(error);
      }
    }
    if (this.disposed) return;
    const language = currentLanguage();
    const init: InitMessage = {
      type: 'init',
      language,
      strings: webviewStrings(language),
      chapter: chapterInfo(this.chapterId()),
      run: this.snapshot,
      canTrain: vscode.workspace.isTrusted,
      live: this.runDir !== null && this.host.isLive(this.runDir),
    };
    if (damagedReason !== undefined) init.damagedReason = damagedReason;
    this.panel.title = this.title();
    this.loading = false;
    this.initialized = true;
    this.throttle.push(init);
    const waiting = this.waiting;
    this.waiting = [];
    for (const message of waiting) if (!alreadyIn(this.snapshot, message)) this.throttle.push(message);
  }

  private async sendAttention(epoch: number): Promise<void> {
    if (!this.runDir) return;
    try {
      this.reply({ type: 'attention', snapshot: await readAttention(this.runDir, epoch) });
    } catch (error) {
      const reason = error instanceof DamagedRunError ? error.reason : error instanceof Error ? error.message : String(error);
      this.reply({ type: 'error', message: t('attentionUnreadable', { epoch, reason }) });
    }
  }

  private async predict(text: string): Promise<void> {
    if (!this.runDir) return;
    if (!vscode.workspace.isTrusted) {
      this.reply({ type: 'error', message: t('restrictedPredict') });
      return;
    }
    if (this.host.isTraining()) {
      this.reply({ type: 'error', message: t('predictWhileTraining') });
      return;
    }
    if (this.predicting) {
      this.reply({ type: 'error', message: t('predictBusy') });
      return;
    }
    this.predicting = true;
    try {
      const prediction = await this.host.predict(this.runDir, text);
      this.reply({ type: 'prediction', text, prediction });
    } catch (error) {
      this.reply({ type: 'error', message: t('predictFailed', { reason: error instanceof Error ? error.message : String(error) }) });
    } finally {
      this.predicting = false;
    }
  }
}
