/**
 * The lab panel's webview: receives host messages (src/protocol/webview.ts), keeps the run's data
 * in a LabModel, schedules redraws on animation frames, and persists the view in WebviewState.
 * Posts `ready` on load; the host answers with `init` (also after a reload).
 */
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import '@vscode-elements/elements/dist/vscode-radio/index.js';
import '@vscode-elements/elements/dist/vscode-radio-group/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { HostToWebview, InitMessage } from '../src/protocol/webview';
import { renderContract } from './contract';
import { el, show } from './dom';
import { setStrings, t } from './i18n';
import { buildLayout, type LabUi } from './layout';
import { applyEpoch, applyStep, modelFromInit, type LabModel } from './model';
import { renderSamples } from './samples';
import { onRenderError, scheduleRender } from './scheduler';
import { renderShapeTable } from './shapeTable';
import { applyStyles } from './styles';
import { readTheme, watchTheme } from './theme';
import { loadState, post, saveState } from './vscodeApi';

let model: LabModel | null = null;
let ui: LabUi | null = null;

const root = el('div', { className: 'lab', attrs: { id: 'lab' } });

/** Saves the view with the run folder from `init` (damaged runs too: the host's serializer reopens it after a reload). A chapter preview has no folder to reopen. */
function persist(): void {
  if (!model || !ui || model.init.runDir === null || typeof model.init.runDir !== 'string') return;
  saveState({ runDir: model.init.runDir, ...ui.attention.state() });
}

function applyTheme(): void {
  if (!ui) return;
  const theme = readTheme();
  ui.charts.setTheme(theme);
  ui.attention.setTheme(theme);
  ui.tryIt.setTheme(theme);
}

type Part = 'header' | 'charts' | 'attention' | 'samples' | 'tryIt' | 'controls';
function invalidate(...parts: Part[]): void {
  for (const part of parts) {
    scheduleRender(part, () => {
      if (!model || !ui) return;
      const m = model;
      switch (part) {
        case 'header':
          return ui.header.update(m);
        case 'charts':
          return ui.charts.update(m);
        case 'attention':
          return ui.attention.update(m);
        case 'samples':
          return renderSamples(ui.samples, m.samples, m.run?.config.tokenLevel ?? 'char');
        case 'tryIt':
          return ui.tryIt.update(m);
        case 'controls':
          return ui.controls.update(m);
      }
    });
  }
}

function onInit(message: InitMessage): void {
  setStrings(message.strings, message.language);
  document.documentElement.lang = message.language === 'zh-cn' ? 'zh-CN' : 'en';
  model = modelFromInit(message);
  ui?.charts.destroy();
  const separator = message.run?.config.tokenLevel === 'word' ? ' ' : '';
  ui = buildLayout(root, separator, persist);
  renderContract(ui.contract, message.chapter?.contract);
  renderShapeTable(ui.shapes, message.run?.shapes ?? []);
  // A chapter preview shows the title and the learning contract only.
  for (const part of ui.runSections) show(part, model.view !== 'preview');
  const saved = loadState();
  if (saved && message.run && saved.runDir === message.runDir) ui.attention.restore(saved, model);
  applyTheme();
  invalidate('header', 'charts', 'attention', 'samples', 'tryIt', 'controls');
  persist();
}

function handle(message: HostToWebview): void {
  if (message.type === 'init') return onInit(message);
  if (!model || !ui) return;
  switch (message.type) {
    case 'epoch':
      applyEpoch(model, message);
      invalidate('header', 'charts', 'attention', 'samples', 'tryIt');
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
      invalidate('header', 'tryIt', 'controls');
      break;
    case 'attention':
      ui.attention.receiveSnapshot(message.snapshot);
      break;
    case 'prediction':
      ui.tryIt.showPrediction(message.text, message.prediction);
      break;
    case 'error':
      ui.messages.add(String(message.message));
      ui.tryIt.settle();
      ui.controls.settle();
      break;
  }
}

function isMessage(data: unknown): data is HostToWebview {
  return typeof data === 'object' && data !== null && typeof (data as { type?: unknown }).type === 'string';
}

function start(): void {
  applyStyles();
  document.body.appendChild(root);
  root.appendChild(el('p', { className: 'loading', text: t('loading') }));
  onRenderError((error) =>
    ui?.messages.add(t('renderFailed', { error: error instanceof Error ? error.message : String(error) })),
  );
  window.addEventListener('message', (event: MessageEvent) => {
    if (!isMessage(event.data)) return;
    try {
      handle(event.data);
    } catch (error) {
      console.error(error);
      ui?.messages.add(t('renderFailed', { error: error instanceof Error ? error.message : String(error) }));
    }
  });
  watchTheme(applyTheme);
  post({ type: 'ready' });
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
