// Shared helpers of the end-to-end files (lab.test.ts, chapters.test.ts): packaging the extension,
// workspaces, starting a workbench with it, and the probes that read the lab panel and the Runs view.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import type { AttentionSnapshot, RunStatus } from '../../src/shared/run/records';
import {
  REPO_ROOT,
  commandPaletteLabels,
  notificationToasts,
  openViewContainer,
  openWorkbench,
  quickInput,
  quickPickRows,
  runCommand,
  screenshot,
  startCodeServer,
  treeItems,
  webviewFrame,
  type CodeServer,
  type Workbench,
} from './harness';

export const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

export const EXTENSION_ID = 'llm-tutor.llm-tutor'; // <publisher>.<name>
export const TRAIN = 'LLM Tutor: Train Attention Seq2Seq';
export const STOP = 'LLM Tutor: Stop Training';
export const OPEN_RUN = 'LLM Tutor: Open Saved Run…';
export const TRAIN_CHAPTER = 'LLM Tutor: Train Chapter…';

/** User settings of every server: the wasm backend (no probing for the native one). */
export const USER_SETTINGS = { 'llmTutor.backend': 'wasm' };

// ── building and fixtures ──────────────────────────────────────────────────────────────────────

/** Top-level entries of the repository that are not part of its sources (VCS, dependencies, build outputs). */
const NOT_STAGED = new Set(['.git', 'node_modules', 'dist', 'runs', 'test-artifacts', '.e2e-cache', 'bench-results']);

/** What `vsce ls` says a package made in `dir` holds (paths relative to the package root). */
export function packagedFiles(dir: string): string[] {
  return execFileSync(
    process.execPath,
    [join(REPO_ROOT, 'node_modules', '@vscode', 'vsce', 'vsce'), 'ls', '--no-dependencies'],
    { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 },
  )
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
}

/**
 * Production build + vsce package of a copy of the repository (the shared dist/ stays as it is).
 * The copy holds every source entry of the repository, so the .vsix ships what `npm run package`
 * would ship (e.g. the built-in corpora/ the engine reads); checked against `vsce ls` of the
 * repository itself.
 */
export function buildVsix(tempRoot: string): { vsix: string; stageDir: string } {
  const stageDir = join(tempRoot, 'stage');
  mkdirSync(stageDir, { recursive: true });
  for (const entry of readdirSync(REPO_ROOT)) {
    if (NOT_STAGED.has(entry) || /\.(vsix|log)$/.test(entry)) continue;
    cpSync(join(REPO_ROOT, entry), join(stageDir, entry), { recursive: true });
  }
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(stageDir, 'node_modules'), 'dir');
  const run = (args: string[]) =>
    execFileSync(process.execPath, args, { cwd: stageDir, stdio: ['ignore', 'pipe', 'pipe'], timeout: 180_000 });
  run([join(stageDir, 'scripts', 'build.mjs'), '--production']);
  // Every folder the package ships from the sources (media/, l10n/, corpora/…; dist/ is built) is in the staged package.
  const staged = new Set(packagedFiles(stageDir));
  const missing = packagedFiles(REPO_ROOT).filter(
    (file) => file.includes('/') && !file.startsWith('dist/') && !staged.has(file),
  );
  assert.deepEqual(missing, [], 'files the repository packages but the e2e package would not');
  assert.ok(staged.has('corpora/en.txt') && staged.has('dist/engine.js'), [...staged].join('\n'));
  const vsix = join(tempRoot, 'llm-tutor.vsix');
  // The same flags as package.json's `package` script (README images stay relative: no public repository URL).
  run([
    join(REPO_ROOT, 'node_modules', '@vscode', 'vsce', 'vsce'),
    'package',
    '--no-dependencies',
    '--no-rewrite-relative-links',
    '--out',
    vsix,
  ]);
  return { vsix, stageDir };
}
/** A workspace folder with `.vscode/settings.json` and a runs/ folder holding copies of `runs`. */
export function makeWorkspace(
  tempRoot: string,
  name: string,
  settings: Record<string, unknown>,
  runs: Record<string, string> = {},
): string {
  const folder = join(tempRoot, name);
  mkdirSync(join(folder, '.vscode'), { recursive: true });
  mkdirSync(join(folder, 'runs'), { recursive: true });
  writeFileSync(join(folder, '.vscode', 'settings.json'), JSON.stringify(settings, null, 2));
  writeFileSync(join(folder, 'README.md'), `# ${name}\n`);
  for (const [id, source] of Object.entries(runs)) cpSync(source, join(folder, 'runs', id), { recursive: true });
  return folder;
}

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

/** The "LLM Tutor" output channel as VS Code logs it under <userDataDir>/logs. */
export function outputChannelText(server: CodeServer): string {
  const logs = join(server.userDataDir, 'logs');
  if (!existsSync(logs)) return '';
  return readdirSync(logs, { recursive: true })
    .map(String)
    .filter((file) => /LLM Tutor\.log$/.test(file))
    .map((file) => readFileSync(join(logs, file), 'utf8'))
    .join('\n');
}

// ── workbench helpers ──────────────────────────────────────────────────────────────────────────

export const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

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

export async function closeEditorsAndNotifications(page: Page): Promise<void> {
  await runCommand(page, 'View: Close All Editors');
  await runCommand(page, 'Notifications: Clear All Notifications');
  await notificationToasts(page)
    .first()
    .waitFor({ state: 'hidden', timeout: 5_000 })
    .catch(() => undefined);
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

/** In the open quick pick titled `title`, clicks the row whose label is exactly `label` (typed first, to filter). */
export async function chooseQuickPickRow(page: Page, title: string, label: string): Promise<void> {
  const input = quickInput(page);
  await page.locator('.quick-input-widget .quick-input-title', { hasText: title }).waitFor({ timeout: 15_000 });
  await input.fill(label);
  const exact = new RegExp(`^\\s*${escapeRegExp(label)}\\s*$`);
  const row = quickPickRows(page).filter({ has: page.locator('.label-name').filter({ hasText: exact }) });
  try {
    await row.first().waitFor({ state: 'visible', timeout: 15_000 });
  } catch {
    const shown = await quickPickRows(page).locator('.label-name').allInnerTexts();
    throw new Error(`no row "${label}" in the quick pick "${title}"; rows: ${JSON.stringify(shown)}`);
  }
  await row.first().click();
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

/**
 * Waits until the palette lists LLM Tutor's commands: right after the workbench appears, the
 * extensions' contributions may not be registered yet, and an open palette does not refresh.
 */
export async function waitForExtensionCommands(page: Page, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let labels: string[] = [];
  while (Date.now() < deadline) {
    labels = await commandPaletteLabels(page, TRAIN).catch(() => []);
    if (labels.includes(TRAIN)) return;
    await sleep(1_000);
  }
  throw new Error(`"${TRAIN}" never appeared in the command palette; rows: ${JSON.stringify(labels)}`);
}

/** A code-server on `workspaceFolder` with the packaged extension, its workbench open and trust answered. */
export async function startWorkbench(
  workspaceFolder: string,
  trust: boolean,
  vsixPath: string,
  failureName = 'lab-start',
): Promise<{ server: CodeServer; workbench: Workbench }> {
  const server = await startCodeServer({ workspaceFolder, vsixPath, settings: USER_SETTINGS });
  try {
    const workbench = await openWorkbench(server.url, { trust });
    await waitForExtensionCommands(workbench.page).catch(async (error: unknown) => {
      await screenshot(workbench.page, `${failureName}-${trust ? 'trusted' : 'restricted'}-failure`).catch(
        () => undefined,
      );
      await workbench.browser.close();
      throw error;
    });
    return { server, workbench };
  } catch (error) {
    console.error(`code-server log: ${server.logFile}`);
    await server.stop();
    throw error;
  }
}

export async function stopWorkbench(env: { server?: CodeServer; workbench?: Workbench }): Promise<void> {
  await env.workbench?.browser.close().catch(() => undefined);
  await env.server?.stop();
}
