/**
 * The lab panel's webview: validates every host message (src/shared/protocol/webview.ts) before
 * using it (an invalid one is dropped and reported in one line), keeps the run's data in a
 * LabModel, schedules redraws on animation frames, and persists the view in WebviewState (read
 * back as untrusted). Posts `ready` on load; the host answers with `init` (also after a reload).
 */
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import '@vscode-elements/elements/dist/vscode-radio/index.js';
import '@vscode-elements/elements/dist/vscode-radio-group/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import * as v from 'valibot';
import {
  FILL_CHAPTERS,
  HostToWebviewSchema,
  type CompareInitMessage,
  type HostToWebview,
  type InitMessage,
} from '../src/shared/protocol/webview';
import { canSample } from '../src/shared/protocol/sampling';
import { describeIssues } from '../src/shared/schema';
import { renderContract } from './contract';
import { el, show } from './dom';
import { setStrings, t } from './i18n';
import { buildLayout, type LabUi, type SectionId } from './layout';
import { MessageRegion } from './messages';
import { applyEpoch, applyPreview, applyStep, modelFromInit, type LabModel } from './model';
import { renderSamples } from './samples';
import { onRenderError, scheduleRender } from './scheduler';
import { renderShapeTable } from './shapeTable';
import { applyStyles } from './styles';
import { readTheme, watchTheme } from './theme';
import { loadCompareState, loadState, post, saveCompareState, saveState } from './vscodeApi';
import {
  applyCompareAttention,
  applyCompareEpoch,
  applyCompareRun,
  applyCompareStatus,
  compareModelFromInit,
  type CompareModel,
} from './compareModel';
import { CompareView } from './compareView';
import { clearExports, exportableViews, onExportError, runExport } from './exporter';
import { addFigureExports, addLabExports } from './labExports';
import { addCompareExports, refreshCompareExports } from './compareExports';

let model: LabModel | null = null;
/** Whether this document told the host that the run's attention maps were shown (once per init). */
let mapsSeen = false;

function noteMapsSeen(): void {
  if (mapsSeen) return;
  mapsSeen = true;
  post({ type: 'mapsSeen' });
}
let ui: LabUi | null = null;
/** The comparison panel (the same bundle answers `compareInit`). */
let compare: { model: CompareModel; view: CompareView } | null = null;

const root = el('div', { className: 'lab', attrs: { id: 'lab' } });
const messages = new MessageRegion();
onExportError((reason) => messages.add(t('exportFailed', { reason })));
const MESSAGE_TYPES: readonly string[] = HostToWebviewSchema.options.map((option) => option.entries.type.literal);

/** Saves the view with the run folder from `init` (damaged runs too: the host's serializer reopens it after a reload). A chapter preview has no folder to reopen. */
function persist(): void {
  if (!model || !ui || model.init.runDir === null) return;
  saveState({ runDir: model.init.runDir, ...ui.attention.state() });
}

function persistCompare(): void {
  if (!compare) return;
  const runIds = compare.model.runs.map((run) => run.runId);
  if (runIds.length === 0) return;
  saveCompareState({ view: 'compare', runIds, name: compare.model.name, ...compare.view.maps.getState() });
}

function invalidateCompare(): void {
  scheduleRender('compare', () => {
    if (!compare) return;
    compare.view.update(compare.model);
    refreshCompareExports(compare.view);
    persistCompare();
  });
}

function onCompareInit(message: CompareInitMessage): void {
  setStrings(message.strings, message.language);
  document.documentElement.lang = message.language === 'zh-cn' ? 'zh-CN' : 'en';
  messages.relabel();
  ui?.charts.destroy();
  ui?.figures.destroy();
  ui?.attention.destroy();
  ui = null;
  model = null;
  compare?.view.destroy();
  clearExports();
  const view = new CompareView(messages, () => persistCompare());
  addCompareExports(view);
  compare = { model: compareModelFromInit(message), view };
  const saved = loadCompareState();
  if (saved && saved.runIds.every((id) => compare?.model.runs.some((run) => run.runId === id)))
    view.maps.restore(saved);
  root.replaceChildren(view.root);
  applyTheme();
  invalidateCompare();
}

/** A message of the comparison panel; false when it is not one. */
function handleCompare(message: HostToWebview): boolean {
  switch (message.type) {
    case 'compareInit':
      onCompareInit(message);
      return true;
    case 'compareRun':
      if (compare) applyCompareRun(compare.model, message);
      break;
    case 'compareEpoch':
      if (compare) applyCompareEpoch(compare.model, message);
      break;
    case 'compareStatus':
      if (compare) applyCompareStatus(compare.model, message);
      break;
    case 'compareAttention':
      if (compare && compare.view.maps.wants(message.epoch)) applyCompareAttention(compare.model, message);
      break;
    case 'compareSaved':
      if (compare) {
        compare.model.name = message.name;
        compare.view.saved(message.name);
      }
      break;
    default:
      return false;
  }
  invalidateCompare();
  return true;
}

function applyTheme(): void {
  if (compare) compare.view.setTheme(readTheme());
  if (!ui) return;
  const theme = readTheme();
  ui.charts.setTheme(theme);
  ui.gradients.setTheme(theme);
  ui.figures.setTheme(theme);
  ui.attention.setTheme(theme);
  ui.tryIt.setTheme(theme);
  ui.fill.setTheme(theme);
}

type Part = 'header' | 'charts' | 'attention' | 'samples' | 'tryIt' | 'fill' | 'sampling' | 'controls';
function invalidate(...parts: Part[]): void {
  for (const part of parts) {
    scheduleRender(part, () => {
      if (!model || !ui) return;
      const m = model;
      switch (part) {
        case 'header':
          return ui.header.update(m);
        case 'charts':
          ui.gradients.update(m);
          return ui.charts.update(m);
        case 'attention':
          return ui.attention.update(m);
        case 'samples':
          return renderSamples(ui.samples, m.samples, m.run?.config.data.tokenLevel ?? 'char', m.chapter.trainingUnit);
        case 'tryIt':
          return ui.tryIt.update(m);
        case 'fill':
          ui.selection.update(m);
          return ui.fill.update(m);
        case 'sampling':
          return visibleSections(m).sampling ? ui.sampling.update(m) : undefined;
        case 'controls':
          return ui.controls.update(m);
      }
    });
  }
}

/** Which sections a view shows: a preview only the contract (and the start form when the chapter trains). */
function visibleSections(m: LabModel): Record<SectionId, boolean> {
  const run = m.view !== 'preview';
  const fill = FILL_CHAPTERS.includes(m.chapter.id);
  return {
    charts: run,
    selection: run && fill,
    sampling: run && canSample(m.chapter.kind, m.run?.config),
    figures: run && (m.run?.figures.length ?? 0) > 0,
    attention: run,
    shapes: run,
    samples: run,
    try: run && !fill,
    fill: run && fill,
    controls: m.chapter.trainable,
  };
}

function onInit(message: InitMessage): void {
  compare?.view.destroy();
  compare = null;
  setStrings(message.strings, message.language);
  document.documentElement.lang = message.language === 'zh-cn' ? 'zh-CN' : 'en';
  messages.relabel();
  model = modelFromInit(message);
  ui?.charts.destroy();
  ui?.gradients.destroy();
  ui?.figures.destroy();
  ui?.attention.destroy();
  mapsSeen = false;
  const separator = message.run?.config.data.tokenLevel === 'word' ? ' ' : '';
  ui = buildLayout(root, messages, message.chapter, separator, persist);
  clearExports();
  addLabExports(ui, () => model);
  renderContract(ui.contract, message.chapter.contract);
  renderShapeTable(ui.shapes, message.run?.shapes ?? []);
  ui.figures.update(message.run?.figures ?? []);
  addFigureExports(ui, () => model);
  const visible = visibleSections(model);
  for (const [id, section] of Object.entries(ui.sections)) show(section, visible[id as SectionId]);
  // The course's progress: this run's maps are open. Then the checks of every saved snapshot.
  if (model.latestAttention) noteMapsSeen();
  if (message.run && model.attentionEpochs.length > 1) post({ type: 'requestChecks' });
  const saved = loadState();
  if (saved && message.run && saved.runDir === message.runDir) ui.attention.restore(saved, model);
  applyTheme();
  invalidate('header', 'charts', 'attention', 'samples', 'tryIt', 'fill', 'sampling', 'controls');
  persist();
}

/** The exports: the host's "Export…" command and its answer to a saved export. */
function handleExport(message: HostToWebview): boolean {
  switch (message.type) {
    case 'exportList':
      post({ type: 'exportViews', views: exportableViews() });
      return true;
    case 'exportView':
      void runExport(message.view, message.format).catch((error: unknown) =>
        messages.add(t('exportFailed', { reason: error instanceof Error ? error.message : String(error) })),
      );
      return true;
    case 'exported':
      messages.add(t('exported', { name: message.name }), 'info');
      return true;
    default:
      return false;
  }
}

function handle(message: HostToWebview): void {
  if (message.type === 'init') return onInit(message);
  if (message.type === 'error') {
    messages.add(message.message);
    ui?.tryIt.settle();
    ui?.fill.settle();
    ui?.sampling.settle();
    ui?.controls.settle();
    ui?.attention.settle();
    compare?.view.settle();
    return;
  }
  if (handleExport(message)) return;
  if (handleCompare(message)) return;
  if (!model || !ui) return;
  switch (message.type) {
    case 'epoch':
      applyEpoch(model, message);
      if (message.attention) noteMapsSeen();
      if (message.figures) {
        ui.figures.update(model.run?.figures ?? []);
        show(ui.sections.figures, visibleSections(model).figures);
      }
      invalidate('header', 'charts', 'attention', 'samples', 'tryIt', 'fill', 'sampling');
      break;
    case 'attentionPreview':
      if (applyPreview(model, message)) invalidate('attention');
      break;
    case 'step':
      applyStep(model, message);
      invalidate('charts');
      break;
    case 'progress':
      model.progress = message;
      invalidate('header', 'charts');
      break;
    case 'status':
      model.status = message.status;
      model.live = message.live;
      ui.controls.settle();
      invalidate('header', 'tryIt', 'fill', 'sampling', 'controls');
      break;
    case 'attention':
      ui.attention.receiveSnapshot(message.snapshot);
      break;
    case 'checkHistory':
      ui.attention.receiveChecks(message.snapshots);
      break;
    case 'prediction':
      ui.tryIt.showPrediction(message.text, message.prediction);
      break;
    case 'filled':
      ui.fill.showFill(message.text, message.fill);
      break;
    case 'sampleStarted':
    case 'sampleTokens':
    case 'sampleEnded':
    case 'sampleHistory':
      ui.sampling.receive(message);
      break;
  }
}

/** The message's type for the report: only a type the protocol knows is echoed. */
function typeOf(data: unknown): string {
  const type = typeof data === 'object' && data !== null ? (data as { type?: unknown }).type : undefined;
  return typeof type === 'string' && MESSAGE_TYPES.includes(type) ? type : '?';
}

function receive(data: unknown): void {
  const started = performance.now();
  const parsed = v.safeParse(HostToWebviewSchema, data);
  if (!parsed.success) {
    messages.add(t('invalidMessage', { type: typeOf(data), reason: describeIssues(parsed.issues) }));
    document.body.dataset.invalidMessages = String(Number(document.body.dataset.invalidMessages ?? 0) + 1);
    return;
  }
  try {
    handle(parsed.output);
  } catch (error) {
    console.error(error);
    messages.add(t('renderFailed', { error: error instanceof Error ? error.message : String(error) }));
  }
  document.body.dataset.messageMs = (performance.now() - started).toFixed(2);
}

function start(): void {
  applyStyles();
  document.body.appendChild(root);
  root.replaceChildren(messages.root, el('p', { className: 'loading', text: t('loading') }));
  onRenderError((error) =>
    messages.add(t('renderFailed', { error: error instanceof Error ? error.message : String(error) })),
  );
  window.addEventListener('message', (event: MessageEvent) => receive(event.data));
  watchTheme(applyTheme);
  post({ type: 'ready' });
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
