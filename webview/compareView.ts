/**
 * The comparison panel: a header naming the runs (A, B, … each with its colour and line style,
 * variant, seed, status, and a button opening it in the lab; runs that cannot be read with their
 * reason; variants still to train), what the runs do not share, their curves (compareCharts.ts),
 * the value of every shared metric each run's last evaluation reached (a table, as the CLI's
 * `compare` prints it), their configs as a table with the differing settings highlighted (a word and a mark as well as
 * a colour), their attention side by side (compareMaps.ts), and the form that saves the
 * comparison. Text from the host is set with textContent only.
 */
import type { NotShared } from '../src/shared/run/comparison';
import { isComparisonName, lastEvaluation, metricValue, runLetter } from '../src/shared/run/comparison';
import { lineDataset } from './chartKit';
import { formatMetric } from './charts';
import { CompareCharts, runLegend } from './compareCharts';
import { CompareMaps } from './compareMaps';
import type { CompareModel } from './compareModel';
import { plannedEpochs } from './compareModel';
import { clear, el, section, setText, show } from './dom';
import { list, pick, t } from './i18n';
import type { MessageRegion } from './messages';
import type { Theme } from './theme';
import { post } from './vscodeApi';

type TextField = HTMLElement & { value: string; disabled: boolean; invalid: boolean };
type Button = HTMLElement & { disabled: boolean };

const STATUS_KEYS = {
  running: 'statusRunning',
  completed: 'statusCompleted',
  stopped: 'statusStopped',
  failed: 'statusFailed',
} as const;

function letters(runs: readonly number[]): string {
  return list(runs.map(runLetter));
}

/** One sentence for something the runs do not share. */
export function notSharedText(item: NotShared, model: CompareModel, separator: string): string {
  switch (item.kind) {
    case 'chapter':
      return t('compareNotSharedChapter', {
        values: list(item.values.map((id) => pick(model.chapters.get(id)?.title) || id)),
      });
    case 'task':
      return t('compareNotSharedTask', { values: list(item.values) });
    case 'seed':
      return t('compareNotSharedSeed', { values: list(item.values) });
    case 'metric':
      return t('compareNotSharedMetric', { metric: pick(item.label) || item.key, runs: letters(item.runs) });
    case 'noAttention':
      return t('compareNotSharedNoAttention', { runs: letters(item.runs) });
    case 'probe':
      return t('compareNotSharedProbe', { source: item.source.join(separator), runs: letters(item.runs) });
    case 'map':
      return t(item.reason === 'tokens' ? 'compareNotSharedMapTokens' : 'compareNotSharedMapMissing', {
        map: item.key,
        mode: t(item.mode === 'forward' ? 'attentionModeForward' : 'attentionModeGenerated'),
        source: item.source.join(separator),
      });
  }
}

export class CompareView {
  readonly root: HTMLElement;
  readonly charts = new CompareCharts();
  readonly maps: CompareMaps;
  private readonly title = el('h1', { attrs: { id: 'compare-title' } });
  private readonly subtitle = el('p', { className: 'muted', attrs: { id: 'compare-subtitle' } });
  private readonly runList = el('ul', {
    className: 'compare-runs',
    attrs: { id: 'compare-runs', 'aria-label': t('compareRunsLabel') },
  });
  private readonly damaged = el('ul', { className: 'compare-damaged', attrs: { id: 'compare-damaged' } });
  private readonly waiting = el('p', { className: 'compare-waiting muted', attrs: { id: 'compare-waiting' } });
  private readonly notShared = el('ul', { className: 'compare-not-shared', attrs: { id: 'compare-not-shared' } });
  private readonly valuesTable = el('table', {
    className: 'compare-config compare-values',
    attrs: { id: 'compare-values' },
  });
  private readonly configSummary = el('p', { className: 'muted', attrs: { id: 'compare-config-summary' } });
  private readonly configTable = el('table', { className: 'compare-config', attrs: { id: 'compare-config' } });
  private readonly saveField = el('vscode-textfield', {
    attrs: { id: 'compare-save-name', label: t('compareSaveName'), 'aria-label': t('compareSaveName') },
  }) as TextField;
  private readonly saveButton = el('vscode-button', {
    text: t('compareSaveButton'),
    attrs: { id: 'compare-save-button' },
  }) as Button;
  private readonly saveNote = el('p', {
    className: 'muted',
    attrs: { id: 'compare-save-note', 'aria-live': 'polite' },
  });
  private readonly swatches: HTMLCanvasElement[] = [];
  private theme: Theme | null = null;
  private model: CompareModel | null = null;

  constructor(
    private readonly messages: MessageRegion,
    onStateChange: () => void,
  ) {
    this.maps = new CompareMaps(onStateChange);
    this.saveButton.addEventListener('click', () => this.onSave());
    this.saveField.addEventListener('keydown', (event) => {
      if ((event as KeyboardEvent).key === 'Enter') this.onSave();
    });
    const part = (id: string, heading: string, ...content: HTMLElement[]): HTMLElement => {
      const s = section(id, heading);
      s.body.append(...content);
      return s.root;
    };
    this.root = el('div', { className: 'compare', attrs: { id: 'compare' } }, [
      el('header', { className: 'compare-header' }, [
        this.title,
        this.subtitle,
        this.runList,
        this.damaged,
        this.waiting,
      ]),
      messages.root,
      el('main', { className: 'lab-main' }, [
        part('compare-not-shared-section', t('compareNotSharedTitle'), this.notShared),
        part('compare-charts-section', t('compareChartsTitle'), this.charts.root),
        part('compare-values-section', t('compareValuesTitle'), this.valuesTable),
        part('compare-config-section', t('compareConfigTitle'), this.configSummary, this.configTable),
        part('compare-maps-section', t('compareMapsTitle'), this.maps.root),
        part(
          'compare-save-section',
          t('compareSaveTitle'),
          el('div', { className: 'control-buttons compare-save' }, [this.saveField, this.saveButton]),
          this.saveNote,
        ),
      ]),
    ]);
  }

  setTheme(theme: Theme): void {
    this.theme = theme;
    this.charts.setTheme(theme);
    this.maps.setTheme(theme);
    this.drawSwatches();
  }

  destroy(): void {
    this.charts.destroy();
    this.maps.replay.pause();
  }

  /** The comparison was saved under `name`. */
  saved(name: string): void {
    setText(this.saveNote, t('compareSavedAs', { name }));
    this.saveButton.disabled = false;
  }

  settle(): void {
    this.saveButton.disabled = (this.model?.runs.length ?? 0) < 2;
    this.maps.settle();
  }

  update(model: CompareModel): void {
    this.model = model;
    this.renderHeader(model);
    this.renderNotShared(model);
    this.charts.update(model);
    this.renderValues(model);
    this.renderConfig(model);
    this.maps.update(model);
    const enough = model.runs.length >= 2;
    this.saveButton.disabled = !enough || !model.init.canSave;
    this.saveField.disabled = !enough || !model.init.canSave;
    if (!enough) setText(this.saveNote, t('compareSaveNeedsTwo'));
    else if (this.saveNote.textContent === t('compareSaveNeedsTwo')) setText(this.saveNote, '');
    if (model.name && !this.saveField.value) this.saveField.value = model.name;
  }

  private renderHeader(model: CompareModel): void {
    const count = model.runs.length + model.unreadable.length + model.waiting.length;
    setText(this.title, model.name ? t('compareTitleNamed', { name: model.name }) : t('compareTitle', { count }));
    const summary = model.summary;
    const chapter = summary.chapter ? pick(model.chapters.get(summary.chapter)?.title) : '';
    const task = summary.task
      ? (summary.chapter &&
          pick(model.chapters.get(summary.chapter)?.tasks.find((x) => x.id === summary.task)?.title)) ||
        summary.task
      : '';
    const subtitle =
      chapter && task && summary.seed !== null ? t('compareSubtitle', { chapter, task, seed: summary.seed }) : '';
    setText(this.subtitle, subtitle);
    show(this.subtitle, subtitle !== '');

    // The list is rebuilt only when its runs change (a rebuilt button would lose the keyboard focus).
    const key = JSON.stringify(model.runs.map((run) => run.runId));
    if (this.runList.dataset.key !== key) {
      this.runList.dataset.key = key;
      this.swatches.length = 0;
      this.runList.replaceChildren(
        ...model.runs.map((run, i) => {
          const swatch = el('canvas', { className: 'compare-swatch', attrs: { 'aria-hidden': 'true' } });
          this.swatches.push(swatch);
          const open = el('vscode-button', {
            text: t('compareOpenRun', { letter: runLetter(i) }),
            attrs: { secondary: true, 'data-run-id': run.runId, id: `compare-open-${i}` },
          });
          open.addEventListener('click', () => post({ type: 'openRun', runId: run.runId }));
          return el(
            'li',
            { className: 'compare-run', attrs: { 'data-run-id': run.runId, 'data-letter': runLetter(i) } },
            [
              swatch,
              el('span', { className: 'compare-run-legend', text: runLegend(run, i) }),
              el('span', { className: 'compare-run-details muted' }),
              open,
            ],
          );
        }),
      );
      this.drawSwatches();
    }
    model.runs.forEach((run, i) => {
      const details = this.runList.children[i]?.querySelector('.compare-run-details');
      if (!details) return;
      setText(
        details,
        t('compareRunDetails', {
          runId: run.runId,
          status: run.live ? t('statusLive') : t(STATUS_KEYS[run.run.status.state]),
          done: run.run.status.epochsCompleted,
          epochs: plannedEpochs(run) || '?',
        }),
      );
    });
    clear(this.damaged);
    for (const item of model.unreadable)
      this.damaged.appendChild(
        el('li', {
          className: 'compare-damaged-run',
          text: t('compareDamaged', { runId: item.runId, reason: item.reason }),
        }),
      );
    show(this.damaged, model.unreadable.length > 0);
    setText(this.waiting, model.waiting.length ? t('compareWaiting', { variants: list(model.waiting) }) : '');
    show(this.waiting, model.waiting.length > 0);
  }

  /** Each run's colour and dash, as on the charts (not colour alone). */
  private drawSwatches(): void {
    const theme = this.theme;
    this.swatches.forEach((canvas, i) => {
      canvas.width = 28;
      canvas.height = 12;
      const context = canvas.getContext('2d');
      if (!context || !theme) return;
      context.clearRect(0, 0, 28, 12);
      context.strokeStyle = theme.series[i % theme.series.length];
      context.fillStyle = theme.series[i % theme.series.length];
      context.lineWidth = 2;
      context.setLineDash((lineDataset('', i).borderDash as number[]) ?? []);
      context.beginPath();
      context.moveTo(1, 6);
      context.lineTo(27, 6);
      context.stroke();
      context.setLineDash([]);
      context.beginPath();
      context.arc(14, 6, 3, 0, 2 * Math.PI);
      context.fill();
      canvas.dataset.colour = theme.series[i % theme.series.length];
    });
  }

  private renderNotShared(model: CompareModel): void {
    const separator = model.runs[0]?.run.config.data.tokenLevel === 'word' ? ' ' : '';
    const items = model.summary.notShared.map((item) => ({
      kind: item.kind as string,
      text: notSharedText(item, model, separator),
    }));
    if (items.length === 0 && model.runs.length >= 2) items.push({ kind: 'none', text: t('compareNotSharedNone') });
    this.notShared.replaceChildren(
      ...items.map((item) => el('li', { text: item.text, attrs: { 'data-kind': item.kind } })),
    );
  }

  /** One row per shared metric (and the evaluation it comes from), one column per run: its last evaluation's value. */
  private renderValues(model: CompareModel): void {
    const last = model.runs.map((run) => lastEvaluation(run.run));
    const head = el('thead', {}, [
      el('tr', {}, [
        el('th', { text: t('compareChartMetric'), attrs: { scope: 'col' } }),
        ...model.runs.map((run, i) =>
          el('th', { text: runLetter(i), attrs: { scope: 'col', title: runLegend(run, i) } }),
        ),
      ]),
    ]);
    const row = (key: string, label: string, cells: string[]) =>
      el('tr', { attrs: { 'data-key': key } }, [
        el('th', { text: label, attrs: { scope: 'row' } }),
        ...cells.map((text) => el('td', { text })),
      ]);
    const body = el('tbody', {}, [
      row(
        'epoch',
        t('compareValuesEvaluation'),
        last.map((record) => (record ? String(record.epoch) : '—')),
      ),
      ...model.summary.metrics.map((metric) =>
        row(
          metric.key,
          pick(metric.spec.label) || metric.key,
          last.map((record) => {
            const value = metricValue(record, metric.key);
            return Number.isFinite(value) ? formatMetric(value, metric.spec.unit) : '—';
          }),
        ),
      ),
    ]);
    this.valuesTable.replaceChildren(head, body);
  }

  private renderConfig(model: CompareModel): void {
    const rows = model.summary.config;
    const differing = rows.filter((row) => row.differs).length;
    setText(
      this.configSummary,
      rows.length === 0 ? '' : differing ? t('compareConfigSummary', { count: differing }) : t('compareConfigSame'),
    );
    const head = el('thead', {}, [
      el('tr', {}, [
        el('th', { text: t('compareConfigSetting'), attrs: { scope: 'col' } }),
        ...model.runs.map((run, i) =>
          el('th', { text: runLetter(i), attrs: { scope: 'col', title: runLegend(run, i) } }),
        ),
      ]),
    ]);
    const body = el(
      'tbody',
      {},
      rows.map((row) =>
        el(
          'tr',
          {
            className: row.differs ? 'differs' : '',
            attrs: { 'data-key': row.key, 'data-differs': String(row.differs) },
          },
          [
            el('th', { attrs: { scope: 'row' } }, [
              el('span', {
                className: 'compare-differs-mark',
                text: row.differs ? '≠ ' : '',
                attrs: { 'aria-hidden': 'true' },
              }),
              el('span', { text: row.key }),
              row.differs
                ? el('span', { className: 'visually-hidden', text: ` (${t('compareConfigDiffers')})` })
                : null,
            ]),
            ...row.values.map((value) => el('td', { text: value === null ? '—' : String(value) })),
          ],
        ),
      ),
    );
    this.configTable.replaceChildren(head, body);
  }

  private onSave(): void {
    if (this.saveButton.disabled) return;
    const name = this.saveField.value.trim();
    if (!isComparisonName(name)) {
      this.saveField.invalid = true;
      this.messages.add(t('compareSaveInvalid'));
      return;
    }
    this.saveField.invalid = false;
    this.saveButton.disabled = true;
    post({ type: 'saveComparison', name });
  }
}
