// Probes of the lab panel and the Runs view shared by the end-to-end scenario files (lab.test.ts,
// chapters.test.ts): what a run folder holds, the panel read in one round trip, waiting for it, the
// Runs view's rows, the probe map's rows, and `scenario` (screenshots and errors on failure).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import type { AttentionSnapshot, RunStatus } from '../../src/shared/run/records';
import {
  openViewContainer,
  quickInput,
  quickPickRows,
  runCommand,
  screenshot,
  treeItems,
  webviewFrame,
  type CodeServer,
  type Workbench,
} from './harness';
import { EXTENSION_ID, escapeRegExp, outputChannelText, sleep } from './workbench';

export const STOP = 'LLM Tutor: Stop Training';
export const OPEN_RUN = 'LLM Tutor: Open Saved Run…';
export const TRAIN_CHAPTER = 'LLM Tutor: Train Chapter…';

// ── run folders ────────────────────────────────────────────────────────────────────────────────

/**
 * The chapter's hyperparameters a run was trained with: config.json (run format 2) keeps them
 * under the chapter's own key (`"attention-seq2seq": { "epochs": 3, … }`).
 */
export function runHyperparameters(runDir: string): Record<string, unknown> {
  const config = JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8')) as Record<string, unknown>;
  const chapter = config.chapter;
  assert.equal(config.formatVersion, 2, `${runDir}/config.json: run format`);
  assert.ok(typeof chapter === 'string', `${runDir}/config.json names no chapter`);
  const hyperparameters = config[chapter];
  assert.ok(
    typeof hyperparameters === 'object' && hyperparameters !== null,
    `${runDir}/config.json has no "${chapter}" record`,
  );
  return hyperparameters as Record<string, unknown>;
}

export function readStatus(runDir: string): RunStatus {
  return JSON.parse(readFileSync(join(runDir, 'status.json'), 'utf8')) as RunStatus;
}

// ── workbench helpers ──────────────────────────────────────────────────────────────────────────

/** F1, type the command, wait until its row is the focused one, press Enter; returns when Enter was pressed. */
export async function pressEnterOnCommand(page: Page, title: string): Promise<number> {
  await page.keyboard.press('F1');
  await quickInput(page).waitFor({ state: 'visible', timeout: 10_000 });
  await quickInput(page).fill(`>${title}`);
  const exact = new RegExp(`^\\s*${escapeRegExp(title)}\\s*$`);
  const focused = page
    .locator('.quick-input-widget .quick-input-list .monaco-list-row.focused')
    .filter({ has: page.locator('.label-name').filter({ hasText: exact }) });
  await focused.first().waitFor({ state: 'visible', timeout: 15_000 });
  const pressedAt = Date.now();
  await page.keyboard.press('Enter');
  return pressedAt;
}

/** Everything the tests read from a lab panel, in one round trip. */
export interface PanelView {
  runId: string;
  state: string;
  progressText: string;
  /** Points of the loss chart's per-epoch train loss series. */
  pointsTrain: number;
  /** Points of the loss chart's step-level train loss series. */
  pointsSteps: number;
  /** Every chart the chapter declares (`canvas[data-chart]`): chart id → series key → points drawn. */
  charts: Record<string, Record<string, number>>;
  chartSummary: string;
  mapRows: number;
  mapColumns: number;
  attentionEpoch: string;
  /** The maps shown are the run's preview after its first step (before its first evaluation). */
  attentionPreview: boolean;
  epochLabel: string;
  damagedVisible: boolean;
  damagedReason: string;
  controlsNote: string;
  startDisabled: boolean;
  contractText: string;
  bodyText: string;
}

export function readPanel(frame: Frame): Promise<PanelView> {
  // No named helpers (not even `const q = …`) inside evaluate callbacks: tsx wraps them in
  // `__name(…)`, which does not exist in the page.
  return frame.evaluate(() => {
    const damaged = document.querySelector<HTMLElement>('#damaged');
    // Each chart canvas says how many points each of its series has drawn (`data-points`, JSON).
    const charts: Record<string, Record<string, number>> = {};
    for (const canvas of document.querySelectorAll<HTMLElement>('canvas[data-chart]'))
      charts[canvas.dataset.chart ?? ''] = JSON.parse(canvas.dataset.points ?? '{}') as Record<string, number>;
    const loss = JSON.parse(
      document.querySelector<HTMLElement>('#chart-loss[data-chart="loss"]')?.dataset.points ?? '{}',
    ) as Record<string, number>;
    const map = document.querySelector<HTMLElement>('#probe-map-canvas');
    const start = document.querySelector<HTMLElement & { disabled?: boolean }>('#start-button');
    return {
      runId: document.querySelector('#run-id')?.textContent?.trim() ?? '',
      state: document.querySelector<HTMLElement>('#status-badge')?.dataset.state ?? '',
      progressText: document.querySelector('#progress-text')?.textContent ?? '',
      pointsTrain: loss.train_loss ?? 0,
      pointsSteps: loss.train_loss_steps ?? 0,
      charts,
      chartSummary: document.querySelector('.chart-summary')?.textContent ?? '',
      mapRows: Number(map?.dataset.rows ?? 0),
      mapColumns: Number(map?.dataset.columns ?? 0),
      attentionEpoch: document.querySelector<HTMLElement>('.attention-panel')?.dataset.epoch ?? '',
      attentionPreview: document.querySelector<HTMLElement>('.attention-panel')?.dataset.preview === 'true',
      epochLabel: document.querySelector('#epoch-value')?.textContent ?? '',
      damagedVisible: !!damaged && damaged.offsetParent !== null && !damaged.hidden,
      damagedReason: document.querySelector('#damaged-reason')?.textContent ?? '',
      controlsNote: document.querySelector('#controls-note')?.textContent ?? '',
      startDisabled: !!start && (start.disabled === true || start.hasAttribute('disabled')),
      contractText: document.querySelector('#contract')?.textContent ?? '',
      bodyText: document.body.innerText,
    };
  });
}

/** The visible lab panel showing `runId` (or any run not in `except` when runId is undefined). */
export async function labFrame(page: Page, runId?: string, except: string[] = [], timeoutMs = 60_000): Promise<Frame> {
  return webviewFrame(
    page,
    async (frame) => {
      const shown = (
        (await frame
          .locator('#run-id')
          .textContent({ timeout: 500 })
          .catch(() => null)) ?? ''
      ).trim();
      if (runId !== undefined) return shown === runId;
      return shown !== '' && shown !== '—' && !except.includes(shown);
    },
    timeoutMs,
  );
}

/** Polls the panel until `done` holds; returns the last view. */
export async function waitForPanel(
  frame: Frame,
  what: string,
  done: (view: PanelView) => boolean,
  timeoutMs = 120_000,
  onView?: (view: PanelView) => void,
): Promise<PanelView> {
  const deadline = Date.now() + timeoutMs;
  let view: PanelView | undefined;
  let lastError: unknown;
  for (;;) {
    try {
      view = await readPanel(frame);
      onView?.(view);
      if (done(view)) return view;
    } catch (error) {
      if (frame.isDetached()) throw new Error(`the panel went away while waiting for ${what}`);
      lastError = error;
    }
    if (Date.now() > deadline) {
      const { bodyText: _body, contractText: _contract, ...shown } = view ?? ({} as PanelView);
      const why = lastError
        ? `; last error: ${lastError instanceof Error ? lastError.message : String(lastError)}`
        : '';
      throw new Error(`timed out waiting for ${what}; panel: ${JSON.stringify(shown)}${why}`);
    }
    await sleep(100);
  }
}

/** The Runs view's row of `runId`. */
export async function runRow(page: Page, runId: string, timeoutMs = 20_000) {
  await openViewContainer(page, 'LLM Tutor');
  const row = treeItems(page, 'Runs').filter({ hasText: runId });
  await row.first().waitFor({ state: 'visible', timeout: timeoutMs });
  return row.first();
}

/** Waits for the Runs view row of `runId` to carry the codicon `icon` (the run's state). */
export async function waitForRowIcon(page: Page, runId: string, icon: string, timeoutMs = 20_000): Promise<void> {
  const row = await runRow(page, runId, timeoutMs);
  await row.locator(`.codicon-${icon}`).first().waitFor({ state: 'attached', timeout: timeoutMs });
}

/** Opens a saved run with "Open Saved Run…": filters the quick pick by `filter`, picks the row. */
export async function openSavedRun(page: Page, filter: string, expectedTitle?: string): Promise<void> {
  await runCommand(page, OPEN_RUN);
  const input = quickInput(page);
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  if (expectedTitle)
    await page
      .locator('.quick-input-widget .quick-input-title', { hasText: expectedTitle })
      .waitFor({ timeout: 10_000 });
  await input.fill(filter);
  const row = quickPickRows(page).filter({ hasText: filter });
  await row.first().waitFor({ state: 'visible', timeout: 15_000 });
  await row.first().click();
  await input.waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => undefined);
}

/** The attention snapshot of `epoch` on disk (attention/epoch-NNN.json). */
export function readSnapshot(runDir: string, epoch: number): AttentionSnapshot {
  const file = join(runDir, 'attention', `epoch-${String(epoch).padStart(3, '0')}.json`);
  return JSON.parse(readFileSync(file, 'utf8')) as AttentionSnapshot;
}

/** Clicks a target (row) token of the probe attention map; returns the row's weights. */
export async function clickTargetToken(
  frame: Frame,
  index: number,
): Promise<{ values: number[]; sum: number; axis: string }> {
  const label = frame.locator('#probe-map .map-label.row-label').nth(index);
  await label.click();
  await frame
    .locator(`#probe-map-detail[data-axis="row"][data-index="${index}"] .detail-bar`)
    .first()
    .waitFor({ timeout: 10_000 });
  return frame.evaluate(() => {
    const root = document.querySelector('#probe-map-detail') as HTMLElement;
    return {
      axis: root.dataset.axis ?? '',
      values: [...root.querySelectorAll<HTMLElement>('.detail-bar')].map((bar) => Number(bar.dataset.value)),
      sum: Number((root.querySelector('.detail-sum') as HTMLElement | null)?.dataset.sum ?? NaN),
    };
  });
}

/** Runs `body` with a screenshot at the end; on failure a screenshot and the browser's errors. */
export async function scenario(
  name: string,
  workbench: () => Workbench | undefined,
  server: () => CodeServer | undefined,
  body: (page: Page) => Promise<void>,
  /** Receives the scenario's duration in ms (also when it fails). */
  durations?: Record<string, number>,
): Promise<void> {
  const started = Date.now();
  const wb = workbench();
  assert.ok(wb, 'the workbench did not open (see the before hook)');
  const requestsBefore = wb.failedRequests.length;
  try {
    await body(wb.page);
    // Everything the extension loaded in the browser during the scenario (webview bundle, icons) was there.
    const failed = wb.failedRequests.slice(requestsBefore).filter((request) => request.url.includes(EXTENSION_ID));
    assert.deepEqual(failed, [], 'requests for files of the extension that failed');
    await screenshot(wb.page, name);
  } catch (error) {
    await screenshot(wb.page, `${name}-failure`).catch(() => undefined);
    const lines = wb.consoleLines.filter((line) => /^\[(error|pageerror)\]/.test(line)).slice(-15);
    if (lines.length) console.error(`browser console errors:\n${lines.join('\n')}`);
    const s = server();
    if (s)
      console.error(
        `code-server log: ${s.logFile}; "LLM Tutor" output:\n${outputChannelText(s).split('\n').slice(-30).join('\n')}`,
      );
    throw error;
  } finally {
    if (durations) durations[name] = Date.now() - started;
  }
}

/** `scenario` with the workbench and server given once per call site, each duration recorded in `durations`. */
export function timedScenarios(
  durations: Record<string, number>,
): (
  name: string,
  workbench: () => Workbench | undefined,
  server: () => CodeServer | undefined,
  body: (page: Page) => Promise<void>,
) => Promise<void> {
  return (name, workbench, server, body) => scenario(name, workbench, server, body, durations);
}
