/**
 * Training from VS Code: starts runs in the engine process (never in the extension host), shows
 * a cancellable notification, a status-bar item and the CLI's log lines in the output channel,
 * forwards live engine events to the run's lab panel, and reports how the run ended.
 * Refuses to train in Restricted Mode. What is sent is planned (trainingPlan.ts) and checked
 * against the chapter's declarations before the engine sees it.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { chapterInfo, comparisonCompanion } from '../../shared/course/catalogue';
import type { ChapterInfo } from '../../shared/course/chapter';
import { MAX_COMPARED_RUNS } from '../../shared/run/comparison';
import type { ChapterId } from '../../shared/ids';
import type { EngineToHost, FillResult, VariantOutcome } from '../../shared/protocol/engine';
import type { Prediction, RunStatus } from '../../shared/run/records';
import type { ComparisonRegistry } from '../comparePanel';
import type { Diagnostics } from '../diagnostics';
import {
  EngineClient,
  type RunFailure,
  type RunStarted,
  type SampleEvent,
  type SampleHandle,
  type SampleParams,
} from '../engineClient';
import { TRAINING_CONTEXT_KEY } from '../ids';
import { currentLanguage, shortTitle, t } from '../language';
import { webviewMessageFor } from '../panelFeed';
import type { PanelRegistry } from '../panelRegistry';
import { runKey } from '../runPaths';
import { readSettings } from '../settings';
import { TrainingStatusBar, formatLoss } from '../statusBar';
import { corpusFor, planTraining, progressMessages, type TrainingChoice } from '../trainingPlan';

function variantStateName(state: VariantOutcome['state']): string {
  switch (state) {
    case 'completed':
      return t('stateCompleted');
    case 'stopped':
      return t('stateStopped');
    case 'failed':
      return t('stateFailed');
    case 'skipped':
      return t('stateSkipped');
  }
}

export interface TrainingControllerOptions {
  extensionPath: string;
  output: vscode.OutputChannel;
  panels: () => PanelRegistry;
  /** The comparison panels, which get the live events of their runs. */
  comparisons?: () => ComparisonRegistry;
  runsDirectory: () => string;
  /** Called when the list of runs may have changed. */
  onRunsChanged: () => void;
  /** Samples the event-loop delay while a run is live and reports it when the run ends. */
  diagnostics?: Pick<Diagnostics, 'runStarted' | 'runEnded'>;
}

interface LiveRun {
  runId: string;
  runDir: string;
  chapterTitle: string;
  /** What the chapter's progress counts: epochs, or evaluations (language models). */
  unit: ChapterInfo['trainingUnit'];
  end: (outcome: { status: RunStatus; reason?: string }) => void;
  progress?: (epoch: number, epochs: number, batch: number, batches: number, trainLoss: number) => void;
}

/** A "Train Variants…" sequence running in the engine. */
interface VariantSequence {
  chapterTitle: string;
  variants: readonly string[];
  /** How many runs of the sequence have started. */
  started: number;
  /** Updates the notification (set once it is shown). */
  report?: (message: string, increment?: number) => void;
  lastReport: number;
  runDir: string | null;
}

/** What `train` returns: the run that started, or null when it did not. */
export type TrainOutcome = { runId: string; runDir: string } | null;

export class TrainingController implements vscode.Disposable {
  private readonly client: EngineClient;
  private readonly statusBar = new TrainingStatusBar();
  private readonly unsubscribe: (() => void)[] = [];
  private live: LiveRun | null = null;
  private starting = false;
  private sequence: VariantSequence | null = null;
  /** runId → runDir of every run this window started, for forwarding engine events. */
  private readonly runDirs = new Map<string, string>();

  constructor(private readonly options: TrainingControllerOptions) {
    this.client = new EngineClient({ enginePath: path.join(options.extensionPath, 'dist', 'engine.js') });
    this.unsubscribe.push(
      this.client.on('message', (message) => this.onEngineMessage(message)),
      this.client.on('runFailed', (failure) => this.onRunFailed(failure)),
      this.client.on('invalidMessage', (error) =>
        options.output.appendLine(`[host] ${t('logInvalidEngineMessage', { error })}`),
      ),
      this.client.on('output', (line) => options.output.appendLine(`[engine] ${line}`)),
      this.client.on('exit', (exit) => {
        if (!exit.expected) options.output.appendLine(`[host] ${t('logEngineExited', { reason: exit.reason })}`);
      }),
    );
  }

  /** A language model's corpus: `llmTutor.corpus`, else the built-in one of the display language. */
  private corpus(setting: unknown): string {
    const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file');
    return corpusFor(setting, currentLanguage(), folder?.uri.fsPath);
  }

  /** Whether `runDir` is being trained by this window's engine right now. */
  isLive(runDir: string): boolean {
    return this.live !== null && runKey(this.live.runDir) === runKey(runDir);
  }

  /**
   * Starts a run of `chapter`: the chosen task and variant (else the chapter's defaults), the
   * settings for keys the chapter declares, then the choice's overrides. Resolves once the engine
   * has created the run folder and its panel is open; training goes on after.
   */
  async train(chapter: ChapterId, choice: TrainingChoice = {}): Promise<TrainOutcome> {
    const info = chapterInfo(chapter);
    const chapterTitle = shortTitle(info.title);
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage(t('restrictedTraining'));
      return null;
    }
    if (!info.trainable) {
      void vscode.window.showInformationMessage(t('chapterNotTrainable', { chapter: chapterTitle }));
      return null;
    }
    if (this.busy()) {
      void this.offerCurrentRun();
      return null;
    }
    const settings = readSettings();
    const plan = planTraining(info, choice, settings);
    if (!plan.ok) {
      const message = t('trainingCouldNotStart', { chapter: chapterTitle, reason: plan.reason });
      this.options.output.appendLine(`[host] ${message}`);
      void this.showError(message);
      return null;
    }
    const runsDir = this.options.runsDirectory();
    try {
      fs.mkdirSync(runsDir, { recursive: true });
    } catch (error) {
      void vscode.window.showErrorMessage(
        t('runsDirectoryUnusable', { dir: runsDir, reason: error instanceof Error ? error.message : String(error) }),
      );
      return null;
    }

    this.starting = true;
    void vscode.commands.executeCommand('setContext', TRAINING_CONTEXT_KEY, true);
    this.statusBar.showStarting(chapterTitle);
    let started: RunStarted;
    try {
      started = await this.client.train({
        chapter,
        runsDir,
        backend: settings.backend,
        corpus: this.corpus(settings.read('corpus')),
        ...plan.value,
      });
    } catch (error) {
      this.statusBar.hide();
      void vscode.commands.executeCommand('setContext', TRAINING_CONTEXT_KEY, false);
      const reason = error instanceof Error ? error.message : String(error);
      this.options.output.appendLine(`[host] ${t('trainingCouldNotStart', { chapter: chapterTitle, reason })}`);
      void this.showError(t('trainingCouldNotStart', { chapter: chapterTitle, reason }));
      return null;
    } finally {
      this.starting = false;
    }

    let end: LiveRun['end'] = () => undefined;
    const ended = new Promise<{ status: RunStatus; reason?: string }>((resolve) => {
      end = resolve;
    });
    const live: LiveRun = { runId: started.runId, runDir: started.runDir, chapterTitle, unit: info.trainingUnit, end };
    this.live = live;
    this.options.diagnostics?.runStarted(started.runId);
    this.statusBar.showRun(chapterTitle, started.runDir);
    this.options.panels().openRun(started.runDir);
    this.options.onRunsChanged();
    void this.showNotification(live, started, ended);
    void ended.then((outcome) => this.finish(started, live, outcome));
    return { runId: started.runId, runDir: started.runDir };
  }

  /**
   * Trains `variants` of `chapter` on `task` one after another in the engine process, with the
   * same seed and data (the settings' seed and overrides for every variant), and opens their
   * comparison: each run joins it as it starts and its curves grow live. A failing variant does
   * not stop the others; Stop (or the notification's Cancel) ends the sequence. Resolves when the
   * sequence ends with how each variant ended, or null when it did not start.
   */
  async trainVariants(chapter: ChapterId, task: string, variants: readonly string[]): Promise<VariantOutcome[] | null> {
    const info = chapterInfo(chapter);
    const chapterTitle = shortTitle(info.title);
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage(t('restrictedTraining'));
      return null;
    }
    if (!info.trainable) {
      void vscode.window.showInformationMessage(t('chapterNotTrainable', { chapter: chapterTitle }));
      return null;
    }
    if (this.busy()) {
      void this.offerCurrentRun();
      return null;
    }
    const settings = readSettings();
    const plans = variants.map((variant) => planTraining(info, { task, variant }, settings));
    const refused = plans.find((plan) => !plan.ok);
    if (variants.length === 0 || refused || !plans[0]?.ok) {
      const reason = refused && !refused.ok ? refused.reason : t('unknownReason');
      const message = t('trainingCouldNotStart', { chapter: chapterTitle, reason });
      this.options.output.appendLine(`[host] ${message}`);
      void this.showError(message);
      return null;
    }
    const plan = plans[0].value;
    const runsDir = this.options.runsDirectory();
    try {
      fs.mkdirSync(runsDir, { recursive: true });
    } catch (error) {
      void vscode.window.showErrorMessage(
        t('runsDirectoryUnusable', { dir: runsDir, reason: error instanceof Error ? error.message : String(error) }),
      );
      return null;
    }

    // The engine trains the comparison's other chapter (e.g. attention-seq2seq) after the variants.
    const companion = variants.length < MAX_COMPARED_RUNS ? comparisonCompanion(info, plan.task) : null;
    const runs = companion ? [...variants, companion] : [...variants];
    this.starting = true;
    const sequence: VariantSequence = { chapterTitle, variants: runs, started: 0, lastReport: 0, runDir: null };
    this.sequence = sequence;
    void vscode.commands.executeCommand('setContext', TRAINING_CONTEXT_KEY, true);
    this.statusBar.showStarting(chapterTitle);
    const comparison = this.options.comparisons?.().openLive(runs);
    let done: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => {
      done = resolve;
    });
    void this.showSequenceNotification(sequence, finished);
    let outcomes: VariantOutcome[] | null = null;
    try {
      outcomes = await this.client.trainVariants(
        {
          chapter,
          runsDir,
          backend: settings.backend,
          task: plan.task,
          variants: [...variants],
          ...(plan.seed !== undefined && { seed: plan.seed }),
          overrides: plan.overrides,
          corpus: this.corpus(settings.read('corpus')),
        },
        (message) => {
          if (message.type === 'runReused') {
            // Not trained again: the sequence counts one run fewer, the comparison shows it now.
            const waitingAt = runs.indexOf(message.config.chapter);
            if (waitingAt >= 0) runs.splice(waitingAt, 1);
            this.options.output.appendLine(
              `[host] ${t('variantReused', { run: message.runId, chapter: shortTitle(chapterInfo(message.config.chapter).title) })}`,
            );
            void comparison?.addSavedRun(message.runId, message.config.chapter);
            return;
          }
          const started = message;
          this.starting = false;
          sequence.started += 1;
          const runLabel =
            started.config.chapter === chapter
              ? started.config.variant
              : `${started.config.chapter} ${started.config.variant}`;
          sequence.runDir = started.runDir;
          const runId = started.runId;
          this.live = {
            runId,
            runDir: started.runDir,
            chapterTitle,
            unit: info.trainingUnit,
            end: (outcome) => {
              void this.options.diagnostics?.runEnded(runId, outcome.status.state);
              if (this.live?.runId === runId) this.live = null;
            },
            progress: (epoch, epochs, _batch, _batches, trainLoss) => {
              const now = Date.now();
              if (now - sequence.lastReport < 250) return;
              sequence.lastReport = now;
              sequence.report?.(
                t(progressMessages(info.trainingUnit).variants, {
                  index: sequence.started,
                  count: runs.length,
                  variant: runLabel,
                  epoch,
                  epochs,
                  loss: formatLoss(trainLoss),
                }),
              );
            },
          };
          this.options.diagnostics?.runStarted(runId);
          this.statusBar.showRun(chapterTitle, started.runDir);
          sequence.report?.(
            t('variantsStarted', {
              index: sequence.started,
              count: runs.length,
              variant: runLabel,
              run: runId,
            }),
            100 / runs.length,
          );
          comparison?.addRun(started);
          this.options.onRunsChanged();
        },
      );
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const message = t('trainingCouldNotStart', { chapter: chapterTitle, reason });
      this.options.output.appendLine(`[host] ${message}`);
      void this.showError(message);
    } finally {
      this.sequence = null;
      this.starting = false;
      this.live = null;
      done();
      this.statusBar.hide();
      void vscode.commands.executeCommand('setContext', TRAINING_CONTEXT_KEY, false);
      this.options.onRunsChanged();
      // A sequence that started no run leaves nothing to compare.
      if (sequence.started === 0) comparison?.dispose();
      else comparison?.sequenceEnded();
    }
    if (outcomes) this.reportVariants(chapterTitle, outcomes, comparison);
    return outcomes;
  }

  /** Stops this window's live run (`runDir` given: only if it is that run). */
  async stop(runDir?: string): Promise<void> {
    const live = this.live;
    if (!live || (runDir !== undefined && runKey(runDir) !== runKey(live.runDir))) {
      void vscode.window.showInformationMessage(t('nothingTraining'));
      return;
    }
    try {
      await this.client.stop(live.runId);
    } catch (error) {
      void this.showError(t('stopFailed', { reason: error instanceof Error ? error.message : String(error) }));
    }
  }

  /** Decodes `text` with the saved model of the run in `runDir` (in the engine process, on the run's backend). */
  predict(runDir: string, text: string): Promise<Prediction> {
    return this.client.predict({ runDir, text });
  }

  /** Fills in the `[MASK]`s of `text` with the saved masked language model of the run in `runDir` (in the engine process). */
  fill(runDir: string, text: string, top?: number): Promise<FillResult> {
    return this.client.fill({ runDir, text, top });
  }

  /** Generates text with the saved weights of the language-model run in `runDir` (in the engine process). */
  sample(runDir: string, params: Omit<SampleParams, 'runDir'>, onEvent: (event: SampleEvent) => void): SampleHandle {
    return this.client.sample({ runDir, ...params }, onEvent);
  }

  stopSample(requestId: string): void {
    this.client.stopSample(requestId);
  }

  /** Lets the engine stop a live run cleanly and exit (extension deactivation). */
  async shutdown(): Promise<void> {
    await this.client.shutdown(5000);
  }

  dispose(): void {
    for (const off of this.unsubscribe) off();
    this.statusBar.dispose();
    this.client.dispose();
  }

  private busy(): boolean {
    return this.starting || this.live !== null || this.sequence !== null;
  }

  private showSequenceNotification(sequence: VariantSequence, finished: Promise<void>): Thenable<unknown> {
    return vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: t('variantsTrainingTitle', { chapter: sequence.chapterTitle }),
        cancellable: true,
      },
      (progress, token) => {
        sequence.report = (message, increment) => progress.report({ message, increment });
        const cancel = token.onCancellationRequested(() => {
          progress.report({ message: t('stopping') });
          if (this.live) void this.stop(this.live.runDir);
        });
        return finished.finally(() => cancel.dispose());
      },
    );
  }

  private reportVariants(
    chapterTitle: string,
    outcomes: VariantOutcome[],
    comparison: { reveal(preserveFocus?: boolean): void } | undefined,
  ): void {
    const open = t('openComparison');
    const onChoice = (choice: string | undefined): void => {
      if (choice === open) comparison?.reveal();
      if (choice === t('showLog')) this.options.output.show(true);
    };
    if (outcomes.every((outcome) => outcome.state === 'completed')) {
      void vscode.window
        .showInformationMessage(
          // A reused run was not trained in this sequence.
          t('variantsCompleted', {
            count: outcomes.filter((outcome) => !outcome.reused).length,
            chapter: chapterTitle,
          }),
          open,
        )
        .then(onChoice);
      return;
    }
    const summary = outcomes.map((outcome) => `${outcome.variant} ${variantStateName(outcome.state)}`).join(', ');
    const message = t('variantsEnded', { chapter: chapterTitle, summary });
    this.options.output.appendLine(`[host] ${message}`);
    for (const outcome of outcomes)
      if (outcome.error) this.options.output.appendLine(`[host] ${outcome.variant}: ${outcome.error}`);
    const show = outcomes.some((outcome) => outcome.state === 'failed')
      ? vscode.window.showErrorMessage(message, open, t('showLog'))
      : vscode.window.showInformationMessage(message, open);
    void show.then(onChoice);
  }

  private async offerCurrentRun(): Promise<void> {
    const live = this.live;
    const show = t('showRun');
    const stop = t('stopTraining');
    const choice = await vscode.window.showInformationMessage(
      t('alreadyTraining', { run: live?.runId ?? '…' }),
      ...(live ? [show, stop] : []),
    );
    if (live && choice === show) this.options.panels().openRun(live.runDir);
    if (live && choice === stop) await this.stop(live.runDir);
  }

  private showNotification(live: LiveRun, started: RunStarted, ended: Promise<unknown>): Thenable<unknown> {
    return vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: t('trainingTitle', { chapter: live.chapterTitle }),
        cancellable: true,
      },
      (progress, token) => {
        let reported = 0;
        let lastUpdate = 0;
        progress.report({ message: t('trainingStartedOn', { run: started.runId, backend: started.config.backend }) });
        live.progress = (epoch, epochs, batch, batches, trainLoss) => {
          const now = Date.now();
          if (now - lastUpdate < 250) return;
          lastUpdate = now;
          const done = Math.min(100, (100 * (epoch - 1 + (batches > 0 ? batch / batches : 0))) / Math.max(1, epochs));
          const increment = Math.max(0, done - reported);
          reported += increment;
          progress.report({
            increment,
            message: t(progressMessages(live.unit).progress, {
              epoch,
              epochs,
              loss: formatLoss(trainLoss),
            }),
          });
        };
        const cancel = token.onCancellationRequested(() => {
          progress.report({ message: t('stopping') });
          void this.stop(live.runDir);
        });
        return ended.finally(() => cancel.dispose());
      },
    );
  }

  private finish(started: RunStarted, live: LiveRun, outcome: { status: RunStatus; reason?: string }): void {
    const chapterTitle = live.chapterTitle;
    if (this.live?.runId === started.runId) this.live = null;
    void this.options.diagnostics?.runEnded(started.runId, outcome.status.state);
    this.statusBar.hide();
    void vscode.commands.executeCommand('setContext', TRAINING_CONTEXT_KEY, false);
    this.options.onRunsChanged();
    const open = t('openPanel');
    const state = outcome.status.state;
    const onChoice = (choice: string | undefined): void => {
      if (choice === open) this.options.panels().openRun(started.runDir);
      if (choice === t('showLog')) this.options.output.show(true);
    };
    if (state === 'completed') {
      void vscode.window
        .showInformationMessage(t('runCompleted', { chapter: chapterTitle, run: started.runId }), open)
        .then(onChoice);
    } else if (state === 'stopped') {
      void vscode.window
        .showInformationMessage(
          t(progressMessages(live.unit).stopped, {
            run: started.runId,
            epochs: outcome.status.epochsCompleted,
          }),
          open,
        )
        .then(onChoice);
    } else {
      const reason = outcome.reason ?? outcome.status.error ?? t('unknownReason');
      void vscode.window
        .showErrorMessage(t('runFailed', { run: started.runId, reason }), open, t('showLog'))
        .then(onChoice);
    }
  }

  private onEngineMessage(message: EngineToHost): void {
    // Live events become panel messages (panelFeed.ts), for the panel of the run they belong to.
    const forPanel = webviewMessageFor(message);
    if (forPanel && 'runId' in message) {
      const runDir = this.runDirs.get(message.runId);
      if (runDir) this.options.panels().post(runDir, forPanel);
    }
    this.options.comparisons?.().forward(message);
    switch (message.type) {
      case 'runStarted':
        this.runDirs.set(message.runId, message.runDir);
        break;
      case 'progress':
        if (this.live?.runId === message.runId) {
          this.statusBar.update(this.live.chapterTitle, message.epoch, message.epochs, message.trainLoss);
          this.live.progress?.(message.epoch, message.epochs, message.batch, message.batches, message.trainLoss);
        }
        break;
      case 'epoch':
        this.options.onRunsChanged();
        break;
      case 'log':
        this.options.output.appendLine(message.line);
        break;
      case 'runEnded':
        if (this.live?.runId === message.runId) this.live.end({ status: message.status });
        break;
      case 'error':
        if (!message.requestId) {
          this.options.output.appendLine(`[engine] ${message.message}`);
          void this.showError(message.message);
        }
        break;
      default:
        break;
    }
  }

  private onRunFailed(failure: RunFailure): void {
    this.options.output.appendLine(`[host] ${t('logRunLost', { run: failure.runId, reason: failure.reason })}`);
    this.options.panels().post(failure.runDir, { type: 'status', status: failure.status, live: false });
    this.options.comparisons?.().postStatus(failure.runId, failure.status);
    if (this.live?.runId === failure.runId) this.live.end({ status: failure.status, reason: failure.reason });
    else this.options.onRunsChanged();
  }

  private async showError(message: string): Promise<void> {
    const showLog = t('showLog');
    if ((await vscode.window.showErrorMessage(message, showLog)) === showLog) this.options.output.show(true);
  }
}
