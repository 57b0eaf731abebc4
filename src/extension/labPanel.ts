/**
 * One lab panel: the webview of one run (or, for a chapter preview, of its learning contract).
 * On `ready` it reads the run folder (run store) and sends `init` with the run's snapshot; live
 * messages from the engine go through a throttle (≤ 10 a second); every message from the webview
 * is checked by `checkPanelRequest` (protocol schema, then the run and the chapter) before anything
 * happens. A language model's panel samples: the host forwards `sample` to the engine and streams
 * its tokens back (one generation at a time per panel; a hidden or closed panel stops it).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { DamagedRunError, readAttention, readSamples } from '../runStore';
import { chapterInfo } from '../shared/course/catalogue';
import type { ChapterInfo } from '../shared/course/chapter';
import type { ChapterId } from '../shared/ids';
import type { FillResult } from '../shared/protocol/engine';
import {
  canSample,
  MAX_SAMPLE_HISTORY,
  PANEL_SAMPLE_TOP_COUNT,
  type PanelSampleRequest,
} from '../shared/protocol/sampling';
import type { HostToWebview } from '../shared/protocol/webview';
import type { Prediction, SamplesSnapshot, SelfCheckResult } from '../shared/run/records';
import type { SampleEvent, SampleHandle, SampleParams } from './engineClient';
import { buildLabHtml, labResourceRootPaths, makeNonce } from './html';
import { ExportAsk } from './exportCommand';
import { saveExport } from './saveExport';
import { currentLanguage, htmlLanguageTag, pick, t } from './language';
import { buildInitMessage, PanelFeed, readPanelRun, type PanelRun } from './panelFeed';
import { checkPanelRequest, type CheckedTrainRequest } from './panelRequests';
import { chapterFromRunId } from './runPaths';
import { resolveChapterSource } from './sourceLinks';
import type { TrainingChoice } from './trainingPlan';

export type LabTarget = { kind: 'run'; runDir: string } | { kind: 'chapter'; chapter: ChapterId };

/** What a panel asks of the rest of the extension. */
export interface LabPanelHost {
  readonly extensionUri: vscode.Uri;
  readonly output: vscode.OutputChannel;
  isLive(runDir: string): boolean;
  /** Starts a run of `chapter` with a checked task, variant and overrides; reports problems to the learner itself. */
  train(chapter: ChapterId, choice: TrainingChoice): Promise<unknown>;
  /** Trains the chapter's comparison (`info.comparison`: its variants on its task, one seed) and opens it. */
  trainComparison(chapter: ChapterId): Promise<unknown>;
  stop(runDir: string): Promise<void>;
  predict(runDir: string, text: string): Promise<Prediction>;
  /** The learner opened the attention maps of a run of `chapter` (the course's progress). */
  mapsSeen?(chapter: ChapterId): void;
  /** A masked language model's guesses at each `[MASK]` of `text`, with each mask's attention. */
  fill(runDir: string, text: string, top?: number): Promise<FillResult>;
  /** Starts a generation with the run's saved weights in the engine; `onEvent` sees its start and every token. */
  sample(runDir: string, params: Omit<SampleParams, 'runDir'>, onEvent: (event: SampleEvent) => void): SampleHandle;
  stopSample(requestId: string): void;
}

export function labWebviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    enableCommandUris: false,
    localResourceRoots: labResourceRootPaths(extensionUri.fsPath).map((p) => vscode.Uri.file(p)),
  };
}

export class LabPanel implements vscode.Disposable {
  private readonly feed: PanelFeed;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly disposeListeners: (() => void)[] = [];
  private predicting = false;
  /** The panel's generation in progress (`id` numbers the panel's generations). */
  private sampling: { id: number; requestId: string; tokens: number } | null = null;
  private samplesStarted = 0;
  private disposed = false;
  private readonly exportAsk = new ExportAsk((message) => this.post(message));

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly target: LabTarget,
    private readonly host: LabPanelHost,
  ) {
    panel.webview.options = labWebviewOptions(host.extensionUri);
    panel.iconPath = vscode.Uri.joinPath(host.extensionUri, 'media', 'icon.svg');
    this.feed = new PanelFeed((message) => void this.panel.webview.postMessage(message));
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

  /** "Export…": what can this panel export? */
  askExport(): void {
    this.exportAsk.ask();
  }

  /** (Re)loads the webview: fresh HTML, fresh nonce; it answers with `ready`. */
  render(): void {
    this.forgetDocument();
    const webview = this.panel.webview;
    const language = currentLanguage();
    const media = (name: string): string =>
      webview.asWebviewUri(vscode.Uri.joinPath(this.host.extensionUri, 'media', name)).toString();
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
    this.feed.post(message, this.panel.visible);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.feed.dispose();
    this.stopSampling();
    for (const d of this.disposables) d.dispose();
    this.panel.dispose();
    for (const listener of this.disposeListeners) listener();
  }

  private forgetDocument(): void {
    this.feed.forgetDocument();
    // The next document does not know the generation: end it.
    this.stopSampling();
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

  /** The panel's chapter: the preview's, the run's, or the one its folder name says; null for a foreign folder. */
  private chapterId(): ChapterId | null {
    if (this.target.kind === 'chapter') return this.target.chapter;
    return this.feed.snapshot?.config.chapter ?? chapterFromRunId(path.basename(this.target.runDir));
  }

  private chapter(): ChapterInfo | null {
    const id = this.chapterId();
    return id === null ? null : chapterInfo(id);
  }

  private reply(message: HostToWebview): void {
    this.feed.reply(message);
  }

  private async onMessage(raw: unknown): Promise<void> {
    if (this.disposed) return;
    const checked = checkPanelRequest(raw, {
      attentionEpochs: this.feed.attentionEpochs,
      hasRun: this.feed.snapshot !== null,
      chapter: this.chapter(),
      sourceFiles: (this.feed.snapshot?.shapes ?? []).flatMap((shape) => (shape.source ? [shape.source.file] : [])),
      canSample: this.canSample(),
    });
    if (!checked.ok) {
      this.host.output.appendLine(`[host] ${t('logRejectedMessage', { error: checked.reason })}`);
      this.reply({ type: 'error', message: t('requestRejected', { error: checked.reason }) });
      return;
    }
    const message = checked.value;
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
      case 'fill':
        await this.fill(message.text, message.top);
        break;
      case 'train':
        await this.train(message);
        break;
      case 'stop':
        if (this.runDir && this.host.isLive(this.runDir)) await this.host.stop(this.runDir);
        else this.reply({ type: 'error', message: t('notTrainingThisRun') });
        break;
      case 'openSource':
        await this.openSource(message.file, message.line);
        break;
      case 'requestChecks':
        await this.sendChecks();
        break;
      case 'export':
        await saveExport(message, (reply) => this.reply(reply));
        break;
      case 'exportViews':
        await this.exportAsk.answer(message.views);
        break;
      case 'mapsSeen': {
        const chapter = this.feed.snapshot?.config.chapter;
        if (chapter) this.host.mapsSeen?.(chapter);
        break;
      }
      case 'sample':
        this.sample(message);
        break;
      case 'stopSample':
        if (this.sampling) this.stopSampling();
        else this.reply({ type: 'error', message: t('noSampleRunning') });
        break;
      case 'requestSampleHistory':
        await this.sendSampleHistory();
        break;
      case 'trainComparison': {
        if (!vscode.workspace.isTrusted) {
          this.reply({ type: 'error', message: t('restrictedTraining') });
          return;
        }
        const chapter = this.chapterId();
        if (chapter !== null) await this.host.trainComparison(chapter);
        break;
      }
    }
  }

  private canSample(): boolean {
    const snapshot = this.feed.snapshot;
    return snapshot !== null && canSample(chapterInfo(snapshot.config.chapter).kind, snapshot.config);
  }

  private stopSampling(): void {
    if (this.sampling) this.host.stopSample(this.sampling.requestId);
  }

  /** Forwards a checked `sample` request to the engine and streams the generation to the webview. */
  private sample(request: PanelSampleRequest): void {
    const runDir = this.runDir;
    if (!runDir) return;
    if (!vscode.workspace.isTrusted) return this.reply({ type: 'error', message: t('restrictedSample') });
    // While this run trains, the engine samples between two steps with the weights of the latest evaluation.
    if (this.host.isLive(runDir) && this.feed.epochsOnDisk < 1)
      return this.reply({ type: 'error', message: t('sampleBeforeFirstEvaluation') });
    if (this.sampling) return this.reply({ type: 'error', message: t('sampleBusy') });
    const id = ++this.samplesStarted;
    const { prompt, temperature, topK, topP, maxTokens, seed } = request;
    const handle = this.host.sample(
      runDir,
      { prompt, temperature, topK, topP, maxTokens, seed, topCount: PANEL_SAMPLE_TOP_COUNT, attention: true },
      (event) => this.onSampleEvent(id, maxTokens, event),
    );
    const sampling = { id, requestId: handle.requestId, tokens: 0 };
    this.sampling = sampling;
    const started = Date.now();
    handle.done
      .then(
        (ended) =>
          this.reply({
            type: 'sampleEnded',
            sample: id,
            stopped: ended.stopped,
            tokens: ended.tokens.length,
            seconds: ended.seconds,
            tokensPerSecond: ended.tokensPerSecond,
          }),
        (error: unknown) => {
          const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
          this.reply({
            type: 'sampleEnded',
            sample: id,
            stopped: false,
            tokens: sampling.tokens,
            seconds: (Date.now() - started) / 1000,
            tokensPerSecond: 0,
            error: reason,
          });
        },
      )
      .finally(() => {
        if (this.sampling === sampling) this.sampling = null;
      });
  }

  private onSampleEvent(id: number, maxTokens: number, event: SampleEvent): void {
    if (this.disposed) return;
    if (event.type === 'sampleStarted') {
      this.reply({
        type: 'sampleStarted',
        sample: id,
        epoch: event.epoch,
        promptTokens: event.promptTokens,
        unknownTokens: event.unknownTokens,
        layers: event.layers,
        heads: event.heads,
        context: event.context,
        maxTokens,
      });
      return;
    }
    if (this.sampling?.id === id) this.sampling.tokens++;
    const { index, token, text, probability, top, windowStart, keys, attention } = event;
    // The throttle joins this with the tokens of the same generation still waiting.
    this.reply({
      type: 'sampleTokens',
      sample: id,
      tokens: [{ index, token, text, probability, top, windowStart, keys, attention }],
    });
  }

  /** The samples saved at every evaluation on disk (a missing or damaged file is left out). */
  private async sendSampleHistory(): Promise<void> {
    const runDir = this.runDir;
    if (!runDir) return;
    const last = this.feed.epochsOnDisk;
    const snapshots: SamplesSnapshot[] = [];
    for (let epoch = Math.max(1, last - MAX_SAMPLE_HISTORY + 1); epoch <= last; epoch++) {
      try {
        snapshots.push(await readSamples(runDir, epoch));
      } catch (error) {
        if (!(error instanceof DamagedRunError)) throw error;
      }
    }
    if (this.disposed) return;
    this.reply({ type: 'sampleHistory', snapshots });
  }

  private async train(request: CheckedTrainRequest): Promise<void> {
    if (!vscode.workspace.isTrusted) {
      this.reply({ type: 'error', message: t('restrictedTraining') });
      return;
    }
    const chapter = this.chapterId();
    if (chapter === null) return; // checkPanelRequest refuses a train request without a chapter
    await this.host.train(chapter, { task: request.task, variant: request.variant, overrides: request.overrides });
  }

  private async sendInit(): Promise<void> {
    this.feed.beginInit();
    const run: PanelRun | null = this.target.kind === 'run' ? await readPanelRun(this.target.runDir) : null;
    if (this.disposed) return;
    const known = run?.snapshot?.config.chapter ?? this.chapterId();
    // A foreign folder names no chapter: the course's central one frames its damage report.
    const chapter = chapterInfo(known ?? 'attention-seq2seq');
    const init = buildInitMessage({
      language: currentLanguage(),
      chapter,
      runDir: this.runDir,
      run,
      canTrain: vscode.workspace.isTrusted && known !== null && chapter.trainable,
      live: this.runDir !== null && this.host.isLive(this.runDir),
    });
    this.feed.completeInit(run?.snapshot ?? null, init);
    this.panel.title = this.title();
  }

  /** Opens a chapter source file at a line (a shape-table link); the copy in dist/sources read-only. */
  private async openSource(file: string, line: number): Promise<void> {
    const resolved = resolveChapterSource(
      { file, line },
      {
        workspaceFolders: (vscode.workspace.workspaceFolders ?? [])
          .filter((folder) => folder.uri.scheme === 'file')
          .map((folder) => folder.uri.fsPath),
        extensionPath: this.host.extensionUri.fsPath,
      },
    );
    if (!resolved.ok) {
      this.host.output.appendLine(`[host] ${t('logRejectedMessage', { error: resolved.reason })}`);
      this.reply({ type: 'error', message: t('requestRejected', { error: resolved.reason }) });
      return;
    }
    const position = new vscode.Position(resolved.value.line - 1, 0);
    await vscode.window.showTextDocument(vscode.Uri.file(resolved.value.path), {
      viewColumn: vscode.ViewColumn.Beside,
      preview: true,
      selection: new vscode.Range(position, position),
    });
    if (resolved.value.readOnly)
      await vscode.commands.executeCommand('workbench.action.files.setActiveEditorReadonlyInSession').then(
        undefined,
        () => undefined, // an older VS Code without it: the copy is still only a copy
      );
  }

  /** The snapshot-level self-checks of every saved attention snapshot (one unreadable is left out). */
  private async sendChecks(): Promise<void> {
    if (!this.runDir) return;
    const snapshots: { epoch: number; checks: SelfCheckResult[] }[] = [];
    for (const epoch of [...this.feed.attentionEpochs]) {
      try {
        snapshots.push({ epoch, checks: (await readAttention(this.runDir, epoch)).checks });
      } catch {
        // Damaged or removed since: the chart has a gap there, the slider says why when it is chosen.
      }
      if (this.disposed) return;
    }
    this.reply({ type: 'checkHistory', snapshots });
  }

  private async sendAttention(epoch: number): Promise<void> {
    if (!this.runDir) return;
    try {
      this.reply({ type: 'attention', snapshot: await readAttention(this.runDir, epoch) });
    } catch (error) {
      const reason =
        error instanceof DamagedRunError ? error.reason : error instanceof Error ? error.message : String(error);
      this.reply({ type: 'error', message: t('attentionUnreadable', { epoch, reason }) });
    }
  }

  private async predict(text: string): Promise<void> {
    await this.askEngine(async (runDir) => {
      const prediction = await this.host.predict(runDir, text);
      this.reply({ type: 'prediction', text, prediction });
    });
  }

  /** Fill-in: the engine answers between two training steps while the run trains (the same rules as Try it). */
  private async fill(text: string, top: number | undefined): Promise<void> {
    await this.askEngine(async (runDir) => {
      const fill = await this.host.fill(runDir, text, top);
      this.reply({ type: 'filled', text, fill });
    });
  }

  /** One question to the engine about this panel's saved model (Try it, fill-in), one at a time. */
  private async askEngine(ask: (runDir: string) => Promise<void>): Promise<void> {
    if (!this.runDir) return;
    if (!vscode.workspace.isTrusted) {
      this.reply({ type: 'error', message: t('restrictedPredict') });
      return;
    }
    // While this run trains, the engine predicts between two steps with the weights saved at the
    // end of the latest epoch: there are none before the first epoch ends.
    if (this.host.isLive(this.runDir) && this.feed.epochsOnDisk < 1) {
      this.reply({ type: 'error', message: t('predictBeforeFirstEpoch') });
      return;
    }
    if (this.predicting) {
      this.reply({ type: 'error', message: t('predictBusy') });
      return;
    }
    this.predicting = true;
    try {
      await ask(this.runDir);
    } catch (error) {
      this.reply({
        type: 'error',
        message: t('predictFailed', { reason: error instanceof Error ? error.message : String(error) }),
      });
    } finally {
      this.predicting = false;
    }
  }
}
