/**
 * Chapter title, run id, status badge, task, variant, backend (why it was chosen as a tooltip),
 * the state of the saved weights, progress, and the damaged-run notice; for a chapter preview
 * only the title, the summary and a line saying why there is no run.
 */
import type { RunState } from '../src/shared/run/records';
import type { WebviewStringKey } from '../src/shared/strings/webview';
import { el, setAttrs, setText, show } from './dom';
import { pick, t } from './i18n';
import { plannedEpochs, type LabModel } from './model';
import { fixed } from './numbers';

const STATUS_KEYS: Record<RunState, WebviewStringKey> = {
  running: 'statusRunning',
  completed: 'statusCompleted',
  stopped: 'statusStopped',
  failed: 'statusFailed',
};

const WEIGHTS_KEYS = {
  verified: 'weightsVerified',
  unverified: 'weightsUnverified',
  missing: 'weightsMissing',
} as const satisfies Record<string, WebviewStringKey>;

export class Header {
  readonly root: HTMLElement;
  private readonly title = el('h1', { className: 'chapter-title', attrs: { id: 'chapter-title' } });
  private readonly summary = el('p', { className: 'chapter-summary muted', attrs: { id: 'chapter-summary' } });
  private readonly previewNote = el('p', { className: 'preview-note', attrs: { id: 'preview-note' } });
  private readonly facts: HTMLElement;
  private readonly progress: HTMLElement;
  private readonly runId = el('code', { className: 'run-id', attrs: { id: 'run-id' } });
  private readonly badge = el('vscode-badge', { className: 'status-badge', attrs: { id: 'status-badge' } });
  private readonly liveBadge = el('span', { className: 'live-badge', text: t('statusLive') });
  private readonly task = el('span', { className: 'task', attrs: { id: 'header-task' } });
  private readonly variant = el('span', { className: 'variant', attrs: { id: 'header-variant' } });
  private readonly backend = el('span', { className: 'backend', attrs: { id: 'backend' } });
  private readonly backendReason = el('span', { className: 'visually-hidden', attrs: { id: 'backend-reason' } });
  private readonly weights = el('span', { className: 'weights', attrs: { id: 'header-weights' } });
  private readonly weightsFact: HTMLElement;
  private readonly progressText = el('span', { className: 'progress-text', attrs: { id: 'progress-text' } });
  private readonly progressBar = el('vscode-progress-bar', {
    className: 'progress-bar',
    attrs: { 'aria-label': t('progressAria') },
  });
  private readonly damaged = el('div', { className: 'damaged', attrs: { id: 'damaged', role: 'alert' } });
  private readonly runError = el('p', { className: 'run-error', attrs: { id: 'run-error' } });
  private readonly warnings = el('details', { className: 'warnings' });

  constructor() {
    const fact = (label: string, value: HTMLElement, className = 'fact'): HTMLElement =>
      el('span', { className }, [
        el('span', { className: 'fact-label', text: `${label}${t('labelSeparator')}` }),
        value,
      ]);
    this.weightsFact = fact(t('headerWeights'), this.weights, 'fact subtle');
    this.facts = el('div', { className: 'facts' }, [
      fact(t('headerRun'), this.runId),
      fact(t('headerStatus'), this.badge),
      this.liveBadge,
      fact(t('headerTask'), this.task),
      fact(t('headerVariant'), this.variant),
      fact(t('headerBackend'), this.backend),
      this.backendReason,
      this.weightsFact,
    ]);
    this.progress = el('div', { className: 'progress' }, [this.progressBar, this.progressText]);
    this.root = el('header', { className: 'lab-header' }, [
      this.title,
      this.summary,
      this.previewNote,
      this.facts,
      this.progress,
      this.runError,
      this.damaged,
      this.warnings,
    ]);
  }

  update(model: LabModel): void {
    const { init, run, status, progress, chapter } = model;
    setText(this.title, pick(chapter.title) || chapter.id);
    const preview = model.view === 'preview';
    setText(this.summary, preview ? pick(chapter.summary) : '');
    show(this.summary, preview && pick(chapter.summary) !== '');
    setText(this.previewNote, preview ? t(chapter.trainable ? 'previewNoRun' : 'previewNotTrainable') : '');
    show(this.previewNote, preview);
    show(this.facts, !preview);
    show(this.progress, !preview);
    setText(this.runId, run?.runId ?? '—');
    const state = status?.state;
    setText(this.badge, state ? t(STATUS_KEYS[state]) : t('statusNone'));
    this.badge.dataset.state = state ?? 'none';
    show(this.liveBadge, model.live);

    const config = run?.config;
    const task = chapter.tasks.find((x) => x.id === config?.task);
    const variant = chapter.variants.find((x) => x.id === config?.variant);
    setText(this.task, config ? (task ? pick(task.title) : config.task) : '—');
    this.task.dataset.id = config?.task ?? '';
    setText(this.variant, config ? (variant ? pick(variant.title) : config.variant) : '—');
    this.variant.dataset.id = config?.variant ?? '';
    setText(this.backend, config?.backend ?? '—');
    const reason = config?.backendReason ?? '';
    setAttrs(this.backend, {
      title: reason || null,
      tabindex: reason ? 0 : null,
      'aria-describedby': reason ? 'backend-reason' : null,
    });
    setText(this.backendReason, reason);
    show(this.weightsFact, !!run);
    setText(this.weights, run ? t(WEIGHTS_KEYS[run.weights]) : '');
    this.weights.dataset.state = run?.weights ?? '';

    const evaluationUnit = chapter.trainingUnit === 'evaluation';
    const epochs = progress?.epochs ?? plannedEpochs(model);
    const done = status?.epochsCompleted ?? model.evaluations.length;
    const bar = this.progressBar as HTMLElement & { value?: number; max: number };
    if (progress && model.live) {
      const batches = Math.max(1, progress.batches);
      bar.max = Math.max(1, progress.epochs);
      bar.value = Math.min(bar.max, progress.epoch - 1 + progress.batch / batches);
      setText(
        this.progressText,
        t(evaluationUnit ? 'progressEvaluation' : 'progressEpoch', {
          epoch: progress.epoch,
          epochs: progress.epochs,
          batch: progress.batch,
          batches: progress.batches,
          loss: fixed(progress.trainLoss, 4),
        }),
      );
    } else {
      bar.max = Math.max(1, epochs);
      bar.value = Math.min(bar.max, done);
      setText(
        this.progressText,
        run ? t(evaluationUnit ? 'progressDoneEvaluations' : 'progressDoneEpochs', { done, epochs }) : '',
      );
    }
    show(this.progressBar, !!run);

    setText(this.runError, status?.state === 'failed' && status.error ? t('runFailed', { error: status.error }) : '');
    show(this.runError, status?.state === 'failed' && !!status.error);

    const damaged = model.view === 'damaged';
    show(this.damaged, damaged);
    this.damaged.replaceChildren(
      ...(damaged
        ? [
            el('strong', { text: t('damagedTitle') }),
            el('p', {
              className: 'damaged-reason',
              attrs: { id: 'damaged-reason' },
              text: init.damagedReason || t('damagedUnknown'),
            }),
          ]
        : []),
    );
    const warnings = run?.warnings ?? [];
    show(this.warnings, warnings.length > 0);
    this.warnings.replaceChildren(
      el('summary', { text: `${t('warningsTitle')} (${warnings.length})` }),
      el(
        'ul',
        {},
        warnings.map((w) => el('li', { text: w })),
      ),
    );
  }
}
