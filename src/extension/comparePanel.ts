/**
 * Comparison panels: the same webview bundle as the lab panel, answering `ready` with
 * `compareInit` (every run read with the run store; a deleted or damaged one is shown with its
 * reason). Live engine events of its runs are forwarded (throttled) as they arrive; during "Train
 * Variants…" runs join as they start. Every message from the webview goes through
 * `checkCompareRequest` first. The registry is also the serializer that restores a comparison
 * after a reload, once its saved state is checked (`restorableComparison`).
 */
import * as vscode from 'vscode';
import { checkSaveComparison, loadComparedRuns, readAttention, runDirOf, saveComparison } from '../runStore';
import type { EngineMessage, EngineToHost } from '../shared/protocol/engine';
import type { ChapterId } from '../shared/ids';
import type { HostToWebview } from '../shared/protocol/webview';
import type { AttentionSnapshot, RunStatus } from '../shared/run/records';
import { chapterInfo } from '../shared/course/catalogue';
import { buildCompareInit, CompareFeed, compareMessageFor, comparedEntries, startedRunEntry } from './compareFeed';
import { checkCompareRequest, restorableComparison } from './compareRequests';
import { ExportAsk } from './exportCommand';
import { saveExport } from './saveExport';
import { buildLabHtml, makeNonce } from './html';
import { COMPARE_VIEW_TYPE } from './ids';
import { labWebviewOptions } from './labPanel';
import { currentLanguage, htmlLanguageTag, t } from './language';

export interface ComparePanelHost {
  readonly extensionUri: vscode.Uri;
  readonly output: vscode.OutputChannel;
  runsDirectory(): string;
  isLive(runDir: string): boolean;
  /** Opens the lab panel of a run folder. */
  openRun(runDir: string): void;
}

export class ComparePanel implements vscode.Disposable {
  private readonly feed: CompareFeed;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly disposeListeners: (() => void)[] = [];
  private disposed = false;
  private readonly exportAsk = new ExportAsk((message) => this.reply(message));

  constructor(
    readonly panel: vscode.WebviewPanel,
    private runIdList: string[],
    private name: string | null,
    private waiting: string[],
    private readonly host: ComparePanelHost,
  ) {
    panel.webview.options = labWebviewOptions(host.extensionUri);
    panel.iconPath = vscode.Uri.joinPath(host.extensionUri, 'media', 'icon.svg');
    this.feed = new CompareFeed((message) => void this.panel.webview.postMessage(message));
    this.disposables.push(
      panel.webview.onDidReceiveMessage((raw: unknown) => void this.onMessage(raw)),
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.feed.forgetDocument();
      }),
      panel.onDidDispose(() => this.dispose()),
    );
    this.render();
  }

  get runIds(): readonly string[] {
    return this.runIdList;
  }

  /** Whether this panel compares exactly these runs (in any order). */
  compares(runIds: readonly string[]): boolean {
    return runIds.length === this.runIdList.length && runIds.every((id) => this.runIdList.includes(id));
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

  render(): void {
    this.feed.forgetDocument();
    const webview = this.panel.webview;
    this.panel.title = this.title();
    webview.html = buildLabHtml({
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.host.extensionUri, 'dist', 'webview.js')).toString(),
      styleUris: [],
      htmlLanguage: htmlLanguageTag(currentLanguage()),
      title: this.panel.title,
    });
  }

  /** A run of "Train Variants…" started: it joins the comparison. */
  addRun(started: EngineMessage<'runStarted'>): void {
    if (this.disposed || this.runIdList.includes(started.runId)) return;
    this.runIdList = [...this.runIdList, started.runId];
    // A variant waits under its id; the comparison's other chapter under the chapter's id.
    const waitingAs = this.waiting.includes(started.config.chapter) ? started.config.chapter : started.config.variant;
    this.waiting = this.waiting.filter((label) => label !== waitingAs);
    this.panel.title = this.title();
    this.feed.post(
      {
        type: 'compareRun',
        entry: startedRunEntry(started, new Date().toISOString()),
        chapter: chapterInfo(started.config.chapter),
      },
      this.panel.visible,
    );
  }

  /**
   * A finished run that "Train Variants…" reuses instead of training it (the comparison's other
   * chapter): it takes the place that chapter waited under, read from disk. A document still
   * loading gets it with its `compareInit` (the run is one of the panel's from now on).
   */
  async addSavedRun(runId: string, chapter: ChapterId): Promise<void> {
    if (this.disposed || this.runIdList.includes(runId)) return;
    this.runIdList = [...this.runIdList, runId];
    this.waiting = this.waiting.filter((label) => label !== chapter);
    this.panel.title = this.title();
    const [entry] = comparedEntries(await loadComparedRuns(this.host.runsDirectory(), [runId]), (runDir) =>
      this.host.isLive(runDir),
    );
    if (!this.disposed && entry)
      this.feed.post({ type: 'compareRun', entry, chapter: chapterInfo(chapter) }, this.panel.visible);
  }

  /** The sequence of "Train Variants…" ended: nothing more will join; the runs are read again. */
  sequenceEnded(): void {
    this.waiting = [];
    if (!this.disposed) this.render();
  }

  /** A live engine event; forwarded when it concerns one of this panel's runs. */
  forward(message: EngineToHost): void {
    if (this.disposed || !('runId' in message) || !this.runIdList.includes(message.runId)) return;
    const forPanel = compareMessageFor(message);
    if (forPanel) this.feed.post(forPanel, this.panel.visible);
  }

  /** A run's status changed outside the engine's messages (lost with the engine). */
  postStatus(runId: string, status: RunStatus): void {
    if (this.disposed || !this.runIdList.includes(runId)) return;
    this.feed.post({ type: 'compareStatus', runId, status, live: false }, this.panel.visible);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.feed.dispose();
    for (const d of this.disposables) d.dispose();
    this.panel.dispose();
    for (const listener of this.disposeListeners) listener();
  }

  private title(): string {
    if (this.name) return t('comparePanelTitleNamed', { name: this.name });
    return t('comparePanelTitle', { count: this.runIdList.length + this.waiting.length });
  }

  private reply(message: HostToWebview): void {
    this.feed.reply(message);
  }

  private async onMessage(raw: unknown): Promise<void> {
    if (this.disposed) return;
    const checked = checkCompareRequest(raw, { runIds: this.runIdList, canSave: true });
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
      case 'openRun': {
        const runDir = runDirOf(this.host.runsDirectory(), message.runId);
        if (runDir) this.host.openRun(runDir);
        break;
      }
      case 'saveComparison':
        await this.save(message.name);
        break;
      case 'export':
        await saveExport(message, (reply) => this.reply(reply));
        break;
      case 'exportViews':
        await this.exportAsk.answer(message.views);
        break;
      case 'requestCompareAttention':
        await this.sendAttention(message.epoch);
        break;
    }
  }

  /** Every run's attention snapshot of `epoch` (null for a run without one, or one that cannot be read). */
  private async sendAttention(epoch: number): Promise<void> {
    const runsDir = this.host.runsDirectory();
    const snapshots: { runId: string; snapshot: AttentionSnapshot | null }[] = [];
    for (const runId of this.runIdList) {
      const runDir = runDirOf(runsDir, runId);
      let snapshot: AttentionSnapshot | null = null;
      if (runDir) snapshot = await readAttention(runDir, epoch).catch(() => null);
      snapshots.push({ runId, snapshot });
    }
    if (!this.disposed) this.reply({ type: 'compareAttention', epoch, snapshots });
  }

  private async sendInit(): Promise<void> {
    this.feed.beginInit();
    const loaded = await loadComparedRuns(this.host.runsDirectory(), this.runIdList);
    if (this.disposed) return;
    this.feed.completeInit(
      buildCompareInit({
        language: currentLanguage(),
        runs: comparedEntries(loaded, (runDir) => this.host.isLive(runDir)),
        waiting: this.waiting,
        name: this.name,
        canSave: true,
      }),
    );
  }

  private async save(name: string): Promise<void> {
    const runsDir = this.host.runsDirectory();
    let overwrite = false;
    try {
      checkSaveComparison(runsDir, name, this.runIdList);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (!/already exists/.test(reason)) {
        this.reply({ type: 'error', message: t('comparisonSaveFailed', { reason }) });
        return;
      }
      const replace = t('replace');
      const choice = await vscode.window.showWarningMessage(t('comparisonReplace', { name }), { modal: true }, replace);
      if (choice !== replace) return;
      overwrite = true;
    }
    try {
      saveComparison(runsDir, name, this.runIdList, { overwrite });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.reply({ type: 'error', message: t('comparisonSaveFailed', { reason }) });
      return;
    }
    this.name = name;
    this.panel.title = this.title();
    this.reply({ type: 'compareSaved', name });
    void vscode.window.showInformationMessage(t('comparisonSaved', { name }));
  }
}

/** Every open comparison panel; the serializer that restores them after a reload. */
export class ComparisonRegistry implements vscode.WebviewPanelSerializer<unknown>, vscode.Disposable {
  private readonly panels = new Set<ComparePanel>();

  constructor(private readonly host: ComparePanelHost) {}

  /** Opens (or focuses) the comparison of these runs. */
  open(runIds: readonly string[], name: string | null = null): ComparePanel {
    const existing = [...this.panels].find((panel) => panel.compares(runIds));
    if (existing) {
      existing.reveal();
      return existing;
    }
    return this.create([...runIds], name, []);
  }

  /** A new comparison that "Train Variants…" fills as its runs start. */
  openLive(variants: readonly string[]): ComparePanel {
    return this.create([], null, [...variants]);
  }

  forward(message: EngineToHost): void {
    for (const panel of this.panels) panel.forward(message);
  }

  postStatus(runId: string, status: RunStatus): void {
    for (const panel of this.panels) panel.postStatus(runId, status);
  }

  renderAll(): void {
    for (const panel of this.panels) panel.render();
  }

  /** Every open comparison panel. */
  all(): ComparePanel[] {
    return [...this.panels];
  }

  async deserializeWebviewPanel(webviewPanel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const restored = restorableComparison(state, this.host.runsDirectory());
    if (!restored.ok) {
      this.host.output.appendLine(`[host] ${t('logRestoreRefused', { reason: restored.reason })}`);
      webviewPanel.dispose();
      return;
    }
    this.adopt(new ComparePanel(webviewPanel, restored.value.runIds, restored.value.name, [], this.host));
  }

  dispose(): void {
    for (const panel of [...this.panels]) panel.dispose();
    this.panels.clear();
  }

  private create(runIds: string[], name: string | null, waiting: string[]): ComparePanel {
    const webviewPanel = vscode.window.createWebviewPanel(
      COMPARE_VIEW_TYPE,
      'LLM Tutor',
      { viewColumn: vscode.ViewColumn.Active, preserveFocus: false },
      labWebviewOptions(this.host.extensionUri),
    );
    return this.adopt(new ComparePanel(webviewPanel, runIds, name, waiting, this.host));
  }

  private adopt(panel: ComparePanel): ComparePanel {
    this.panels.add(panel);
    panel.onDidDispose(() => this.panels.delete(panel));
    return panel;
  }
}
