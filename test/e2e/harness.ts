// End-to-end harness: a real VS Code (code-server 4.96.4 = VS Code 1.96.4) driven by
// playwright-core in Debian's Chromium. Used by test/e2e/*.test.ts (node --import tsx --test).
//
//   await ensureSetup();                                   // runs setup.sh (idempotent, cached)
//   const server = await startCodeServer({ workspaceFolder, vsixPath });
//   const { browser, page } = await openWorkbench(server.url, { trust: true });
//   await runCommand(page, 'LLM Tutor: Train Attention Seq2Seq');
//   const frame = await webviewFrame(page);                 // the webview's own document
//   await screenshot(page, 'after-training');
//   await browser.close(); await server.stop();
//
// Env: LLM_TUTOR_E2E_CACHE (where setup.sh installs code-server), LLM_TUTOR_E2E_KEEP=1 (keep the
// temp user-data/extensions dirs and the server log after stop()).
import { spawn, spawnSync, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Frame, type Locator, type Page } from 'playwright-core';

export const CODE_SERVER_VERSION = '4.96.4';
export const REPO_ROOT = resolve(__dirname, '..', '..');
export const ARTIFACTS_DIR = join(REPO_ROOT, 'test-artifacts', 'e2e');
const SETUP_SCRIPT = join(__dirname, 'setup.sh');

export function cacheDir(): string {
  return process.env.LLM_TUTOR_E2E_CACHE || join(homedir(), '.cache', 'llm-tutor-e2e');
}

export function codeServerEntry(): string {
  return join(
    cacheDir(),
    `code-server-${CODE_SERVER_VERSION}`,
    'node_modules',
    'code-server',
    'out',
    'node',
    'entry.js',
  );
}

const keep = (): boolean => /^(1|true|yes)$/i.test(process.env.LLM_TUTOR_E2E_KEEP ?? '');
const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

let setupDone = false;
/** Runs test/e2e/setup.sh (installs Chromium and code-server into the cache if missing). */
export function ensureSetup(): void {
  if (setupDone) return;
  const result = spawnSync('bash', [SETUP_SCRIPT], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) {
    throw new Error(`test/e2e/setup.sh failed (exit ${result.status ?? result.signal}); run it by hand to see why`);
  }
  if (!existsSync(codeServerEntry())) throw new Error(`setup.sh finished but ${codeServerEntry()} is missing`);
  setupDone = true;
}

/** Settings that keep a fresh workbench quiet; workspace trust stays ON. */
export const QUIET_SETTINGS: Readonly<Record<string, unknown>> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': true,
  'security.workspace.trust.startupPrompt': 'always',
  'git.enabled': false,
  'npm.fetchOnlinePackageInfo': false,
  'typescript.disableAutomaticTypeAcquisition': true,
  'json.schemaDownload.enable': false,
  'chat.commandCenter.enabled': false,
  'workbench.colorTheme': 'Default Light Modern', // the web default; pinned for stable screenshots
};

export interface StartOptions {
  /** Folder to open. */
  workspaceFolder: string;
  /** A packaged extension, installed with --install-extension before the server starts. */
  vsixPath?: string;
  /** Merged over QUIET_SETTINGS into <userDataDir>/User/settings.json. */
  settings?: Record<string, unknown>;
  /**
   * Passes --disable-workspace-trust (everything trusted, no dialog, no Restricted Mode).
   * There is no way to pre-trust one folder from the server side: VS Code web keeps the trusted
   * folder list in the browser's IndexedDB. Leave this off and use openWorkbench({ trust }) to
   * test trust as a user meets it.
   */
  disableWorkspaceTrust?: boolean;
  /** Extra code-server arguments. */
  args?: string[];
  /** Milliseconds to wait for the server to answer HTTP (default 60 s). */
  startTimeoutMs?: number;
}

export interface CodeServer {
  /** Workbench URL with the folder opened. */
  url: string;
  port: number;
  userDataDir: string;
  extensionsDir: string;
  /** code-server's stdout+stderr. VS Code's own logs are under <userDataDir>/logs. */
  logFile: string;
  /** Kills the process group and removes the temp dirs (kept with LLM_TUTOR_E2E_KEEP=1). */
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.unref();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? done(address.port) : fail(new Error('no port'))));
    });
  });
}

const running = new Set<ChildProcess>();
let exitHooks = false;
/** Servers run in their own process group: make sure none outlives the test process. */
function installExitHooks(): void {
  if (exitHooks) return;
  exitHooks = true;
  process.once('exit', () => {
    for (const child of running) killGroup(child, 'SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      for (const child of running) killGroup(child, 'SIGKILL');
      process.kill(process.pid, signal); // default action now that our listener is gone
    });
  }
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** code-server's environment: hermetic config/data dirs, nothing inherited from a VS Code terminal. */
function serverEnv(root: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(VSCODE_|ELECTRON_)/.test(key) && key !== 'PASSWORD' && key !== 'HASHED_PASSWORD') env[key] = value;
  }
  env.XDG_CONFIG_HOME = join(root, 'xdg', 'config');
  env.XDG_DATA_HOME = join(root, 'xdg', 'data');
  env.XDG_CACHE_HOME = join(root, 'xdg', 'cache');
  return env;
}

function tail(file: string, lines = 40): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Starts a code-server on a free port with throw-away user-data and extensions dirs. */
export async function startCodeServer(options: StartOptions): Promise<CodeServer> {
  ensureSetup();
  const entry = codeServerEntry();
  const workspaceFolder = resolve(options.workspaceFolder);
  if (!existsSync(workspaceFolder)) throw new Error(`workspace folder does not exist: ${workspaceFolder}`);

  const root = mkdtempSync(join(tmpdir(), 'llm-tutor-e2e-'));
  const userDataDir = join(root, 'user-data');
  const extensionsDir = join(root, 'extensions');
  const configFile = join(root, 'config.yaml');
  const logFile = join(userDataDir, 'code-server.log');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  // Our own config file, so code-server never writes ~/.config/code-server/config.yaml.
  writeFileSync(configFile, 'auth: none\n');
  writeFileSync(
    join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({ ...QUIET_SETTINGS, ...options.settings }, null, 2),
  );
  const env = serverEnv(root);
  const common = ['--config', configFile, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];
  const cleanup = () => {
    if (!keep()) rmSync(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  };

  try {
    if (options.vsixPath) installVsix(entry, common, env, resolve(options.vsixPath));
    installExitHooks();
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const args = [
        entry,
        ...common,
        '--auth',
        'none',
        '--bind-addr',
        `127.0.0.1:${port}`,
        '--disable-telemetry',
        '--disable-update-check',
        '--disable-getting-started-override',
        ...(options.disableWorkspaceTrust ? ['--disable-workspace-trust'] : []),
        ...(options.args ?? []),
        workspaceFolder,
      ];
      const logFd = openSync(logFile, 'a');
      const child = spawn(process.execPath, args, { env, detached: true, stdio: ['ignore', logFd, logFd] });
      closeSync(logFd);
      running.add(child);
      let exited: string | undefined;
      child.once('exit', (code, signal) => {
        exited = `exit ${code ?? signal}`;
        running.delete(child);
      });
      const kill = async () => {
        if (!exited) {
          killGroup(child, 'SIGTERM');
          for (let i = 0; i < 50 && !exited; i++) await sleep(100);
        }
        killGroup(child, 'SIGKILL'); // extension hosts and anything else left in the group
        running.delete(child);
      };

      const base = `http://127.0.0.1:${port}`;
      const answered = await waitForHttp(`${base}/healthz`, options.startTimeoutMs ?? 60_000, () => exited);
      if (answered) {
        return {
          url: `${base}/?folder=${encodeURIComponent(workspaceFolder)}`,
          port,
          userDataDir,
          extensionsDir,
          logFile,
          stop: async () => {
            await kill();
            cleanup();
          },
        };
      }
      await kill();
      // Another process may have taken the port between freePort() and the bind: try another.
      if (exited && attempt < 3 && /EADDRINUSE/.test(tail(logFile))) continue;
      throw new Error(
        `code-server ${exited ? `ended before answering (${exited})` : `did not answer on ${base} in time`}; log:\n${tail(logFile)}`,
      );
    }
  } catch (error) {
    cleanup();
    throw error;
  }
}

function installVsix(entry: string, common: string[], env: NodeJS.ProcessEnv, vsix: string): void {
  let output: string;
  try {
    output = execFileSync(process.execPath, [entry, ...common, '--install-extension', vsix, '--force'], {
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 120_000,
    });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`installing ${vsix} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
  if (!/successfully installed/i.test(output)) throw new Error(`installing ${vsix} did not succeed:\n${output}`);
}

/** Polls until the URL answers 2xx (true), the process exits or the time is up (false). */
async function waitForHttp(url: string, timeoutMs: number, exited: () => string | undefined): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!exited() && Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return true;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  return false;
}

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export function chromiumPath(): string {
  const found = spawnSync('bash', ['-c', 'command -v chromium'], { encoding: 'utf8' }).stdout.trim();
  if (!found) throw new Error('chromium not found: run test/e2e/setup.sh');
  return found;
}

export interface Workbench {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Browser console lines and page errors, for failure messages. */
  consoleLines: string[];
  /**
   * Responses with an HTTP error status, from any frame (webview resources included: they come
   * through the webview's service worker). code-server itself always misses vsda.js and
   * vsda_bg.wasm, VS Code's closed-source signing module that only Microsoft's builds ship.
   */
  failedRequests: FailedRequest[];
}

export interface FailedRequest {
  status: number;
  url: string;
}

export interface OpenOptions {
  /**
   * Answer the workspace-trust dialog: true clicks "Yes, I trust the authors", false clicks "No,
   * I don't trust the authors" (Restricted Mode). Undefined leaves it alone (e.g. no folder, or
   * --disable-workspace-trust).
   */
  trust?: boolean;
  /** Milliseconds for the workbench to appear (default 90 s). */
  timeoutMs?: number;
}

/** Launches Chromium, opens the workbench and answers the workspace-trust dialog. */
export async function openWorkbench(url: string, options: OpenOptions = {}): Promise<Workbench> {
  const timeout = options.timeoutMs ?? 90_000;
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
  try {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    const consoleLines: string[] = [];
    const failedRequests: FailedRequest[] = [];
    page.on('console', (message) => consoleLines.push(`[${message.type()}] ${message.text()}`));
    page.on('pageerror', (error) => consoleLines.push(`[pageerror] ${error.message}`));
    // "Failed to load resource" in the console does not say which: record the URL (any frame).
    page.on('response', (response) => {
      if (response.status() < 400) return;
      failedRequests.push({ status: response.status(), url: response.url() });
      consoleLines.push(`[error] HTTP ${response.status()} ${response.url()}`);
    });

    await page.goto(url, { timeout });
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout });
    await page.locator('#workbench\\.parts\\.statusbar').waitFor({ state: 'visible', timeout });

    if (options.trust !== undefined) {
      const dialog = page.locator('.monaco-dialog-box').filter({ hasText: 'Do you trust the authors' });
      await dialog.waitFor({ state: 'visible', timeout });
      const answer = options.trust ? 'Yes, I trust the authors' : "No, I don't trust the authors";
      await dialog.getByRole('button', { name: answer, exact: true }).click();
      await dialog.waitFor({ state: 'hidden', timeout: 10_000 });
      const restricted = restrictedModeIndicator(page);
      await restricted.waitFor({ state: options.trust ? 'hidden' : 'visible', timeout: 15_000 });
    }
    return { browser, context, page, consoleLines, failedRequests };
  } catch (error) {
    await browser.close();
    throw error;
  }
}

/** The "Restricted Mode" status bar entry (present only while the workspace is untrusted). */
export function restrictedModeIndicator(page: Page): Locator {
  return page.locator('#status\\.workspaceTrust');
}

/** The command palette's input box. */
export function quickInput(page: Page): Locator {
  return page.locator('.quick-input-widget .quick-input-box input');
}

/** Rows of the open quick pick / command palette. */
export function quickPickRows(page: Page): Locator {
  return page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
}

async function openCommandPalette(page: Page): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    await page.keyboard.press('F1');
    try {
      await quickInput(page).waitFor({ state: 'visible', timeout: 5_000 });
      return;
    } catch {
      // focus may sit in a webview or an overlay: move it back to the workbench and retry
      await page.keyboard.press('Escape');
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      await page
        .locator('.monaco-workbench')
        .focus()
        .catch(() => undefined);
    }
  }
  throw new Error('the command palette did not open (F1)');
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Runs a command by its palette label as shown ("Category: Title", or just "Title" when it has
 * no category): F1, type, click the row whose label matches exactly.
 */
export async function runCommand(page: Page, title: string, timeoutMs = 15_000): Promise<void> {
  await openCommandPalette(page);
  await quickInput(page).fill(`>${title}`);
  const exact = new RegExp(`^\\s*${escapeRegExp(title)}\\s*$`);
  const row = quickPickRows(page).filter({ has: page.locator('.label-name').filter({ hasText: exact }) });
  try {
    await row.first().waitFor({ state: 'visible', timeout: timeoutMs });
  } catch {
    const shown = await quickPickRows(page).locator('.label-name').allInnerTexts();
    await page.keyboard.press('Escape');
    throw new Error(`command "${title}" not in the palette; rows: ${JSON.stringify(shown)}`);
  }
  await row.first().click();
  await quickInput(page)
    .waitFor({ state: 'hidden', timeout: 5_000 })
    .catch(() => undefined);
}

/** Labels the command palette lists for a query, without its "No matching commands" row (closes the palette again). */
export async function commandPaletteLabels(page: Page, query: string): Promise<string[]> {
  await openCommandPalette(page);
  await quickInput(page).fill(`>${query}`);
  // Some row always shows once filtered (at worst "No matching commands"); then let it settle.
  await quickPickRows(page).first().waitFor({ state: 'visible', timeout: 10_000 });
  await sleep(750);
  const labels = await quickPickRows(page).locator('.label-name').allInnerTexts();
  await page.keyboard.press('Escape');
  return labels.map((label) => label.trim()).filter((label) => label !== 'No matching commands');
}

/**
 * The Frame holding a webview's own document: outer `iframe.webview.ready` (VS Code's host page)
 * → inner `iframe#active-frame` (the extension's HTML). Only visible webviews count; the
 * predicate picks one when several are visible (e.g. `f => f.locator('#chart').count().then(n => n > 0)`).
 */
export async function webviewFrame(
  page: Page,
  predicate?: (frame: Frame) => Promise<boolean> | boolean,
  timeoutMs = 30_000,
): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const outer of await page.locator('iframe.webview.ready').elementHandles()) {
      try {
        if (!(await outer.isVisible())) continue;
        const outerFrame = await outer.contentFrame();
        const inner = await outerFrame?.$('iframe#active-frame');
        const frame = await inner?.contentFrame();
        if (!frame) continue;
        if (!predicate || (await predicate(frame))) return frame;
      } catch {
        // a frame navigated or went away while looking (e.g. "Unable to adopt element handle
        // from a different document" when a webview swaps its document): try again
      }
    }
    if (Date.now() > deadline) throw new Error('no matching webview frame appeared');
    await sleep(250);
  }
}

/** Saves a PNG of the page to test-artifacts/e2e/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const file = join(ARTIFACTS_DIR, `${name.replace(/[^\w.-]+/g, '_')}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** Notification toasts (bottom right). */
export function notificationToasts(page: Page): Locator {
  return page.locator('.notifications-toasts .notification-toast');
}

/** Waits for a notification toast whose message matches and returns the toast. */
export async function waitForNotification(page: Page, text: RegExp | string, timeoutMs = 15_000): Promise<Locator> {
  const toast = notificationToasts(page).filter({
    has: page.locator('.notification-list-item-message').filter({ hasText: text }),
  });
  try {
    await toast.first().waitFor({ state: 'visible', timeout: timeoutMs });
  } catch {
    const shown = await notificationToasts(page).locator('.notification-list-item-message').allInnerTexts();
    throw new Error(`no notification matching ${String(text)}; shown: ${JSON.stringify(shown)}`);
  }
  return toast.first();
}

/** Status bar entries. */
export function statusBarItems(page: Page): Locator {
  return page.locator('#workbench\\.parts\\.statusbar .statusbar-item');
}

/** The status bar's visible text, entries joined by " | ". */
export async function statusBarText(page: Page): Promise<string> {
  const texts = await statusBarItems(page).allInnerTexts();
  return texts
    .map((text) => text.replace(/\s+/g, ' ').trim())
    .filter(Boolean)
    .join(' | ');
}

/** Opens a view container from the activity bar by its title (the icon's tooltip). */
export async function openViewContainer(page: Page, title: string): Promise<void> {
  const item = page.locator(
    `#workbench\\.parts\\.activitybar .action-item a.action-label[aria-label^="${title.replace(/"/g, '\\"')}"]`,
  );
  await item.first().waitFor({ state: 'visible', timeout: 15_000 });
  const selected = await item.first().locator('xpath=..').getAttribute('class');
  if (!selected?.split(/\s+/).includes('checked')) await item.first().click();
}

/** Rows of the tree views in the side bar (optionally only those of the view with this title). */
export function treeItems(page: Page, viewTitle?: string): Locator {
  const sidebar = page.locator('#workbench\\.parts\\.sidebar');
  const scope = viewTitle
    ? sidebar.locator('.pane').filter({ has: page.locator('.pane-header', { hasText: viewTitle }) })
    : sidebar;
  return scope.locator('.monaco-list-row');
}
