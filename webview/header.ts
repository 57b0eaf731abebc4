/**
 * Run id, chapter title, status badge, backend, epoch progress, and the damaged-run notice; for a
 * chapter preview only the title, the summary and a line saying why there is no run.
 */
import type { RunState } from '../src/protocol/run';
import { el, setText, show } from './dom';
import { fixed, pick, t } from './i18n';
import type { LabModel } from './model';
import type { WebviewStringKey } from '../src/shared/strings/webview';

const STATUS_KEYS: Record<RunState, WebviewStringKey> = {
  running: 'statusRunning',
  completed: 'statusCompleted',
  stopped: 'statusStopped',
  failed: 'statusFailed',
};

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
  private readonly backend = el('span', { className: 'backend', attrs: { id: 'backend' } });
  private readonly progressText = el('span', { className: 'progress-text', attrs: { id: 'progress-text' } });
  private readonly progressBar = el('vscode-progress-bar', {
    className: 'progress-bar',
    attrs: { 'aria-label': t('progressAria') },
  });
  private readonly damaged = el('div', { className: 'damaged', attrs: { id: 'damaged', role: 'alert' } });
  private readonly runError = el('p', { className: 'run-error', attrs: { id: 'run-error' } });
  private readonly warnings = el('details', { className: 'warnings' });

  constructor() {
    const fact = (label: string, value: HTMLElement): HTMLElement =>
      el('span', { className: 'fact' }, [
        el('span', { className: 'fact-label', text: `${label}${t('labelSeparator')}` }),
        value,
      ]);
    this.facts = el('div', { className: 'facts' }, [
      fact(t('headerRun'), this.runId),
      fact(t('headerStatus'), this.badge),
      this.liveBadge,
      fact(t('headerBackend'), this.backend),
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
    const { init, run, status, progress } = model;
    setText(this.title, pick(init.chapter?.title) || init.chapter?.id || '');
    const preview = model.view === 'preview';
    setText(this.summary, preview ? pick(init.chapter?.summary) : '');
    show(this.summary, preview && !!init.chapter?.summary);
    setText(this.previewNote, preview ? t(init.chapter?.trainable ? 'previewNoRun' : 'previewNotTrainable') : '');
    show(this.previewNote, preview);
    show(this.facts, !preview);
    show(this.progress, !preview);
    setText(this.runId, run?.runId ?? '—');
    const state = status?.state;
    setText(this.badge, state ? t(STATUS_KEYS[state]) : t('statusNone'));
    this.badge.dataset.state = state ?? 'none';
    show(this.liveBadge, model.live);
    setText(this.backend, run?.config.backend ?? '—');

    const epochs = progress?.epochs ?? run?.config.epochs ?? 0;
    const done = status?.epochsCompleted ?? model.epochs.length;
    const bar = this.progressBar as HTMLElement & { value?: number; max: number };
    if (progress && model.live) {
      const batches = Math.max(1, progress.batches);
      bar.max = Math.max(1, progress.epochs);
      bar.value = Math.min(bar.max, progress.epoch - 1 + progress.batch / batches);
      setText(
        this.progressText,
        t('progressEpoch', {
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
      setText(this.progressText, run ? t('progressDone', { done, epochs }) : '');
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
