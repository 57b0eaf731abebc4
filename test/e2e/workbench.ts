// Shared set-up of the end-to-end scenarios (test/e2e/*.test.ts): the packaged extension, throw-away
// workspaces, a started workbench with the extension's commands registered, and a few workbench
// helpers. Moved out of lab.test.ts unchanged apart from their parameters (tempRoot, vsixPath).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import {
  REPO_ROOT,
  commandPaletteLabels,
  notificationToasts,
  openWorkbench,
  quickInput,
  quickPickRows,
  runCommand,
  screenshot,
  startCodeServer,
  type CodeServer,
  type Workbench,
} from './harness';

export const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));
export const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export const EXTENSION_ID = 'llm-tutor.llm-tutor'; // <publisher>.<name>
/** User settings of every server: the wasm backend (no probing for the native one). */
export const USER_SETTINGS = { 'llmTutor.backend': 'wasm' };
/** A command of the extension, to tell that its contributions are registered. */
const PROBE_COMMAND = 'LLM Tutor: Train Attention Seq2Seq';

// ── building and fixtures ──────────────────────────────────────────────────────────────────────

/** Top-level entries of the repository that are not part of its sources (VCS, dependencies, build outputs). */
const NOT_STAGED = new Set(['.git', 'node_modules', 'dist', 'runs', 'test-artifacts', '.e2e-cache', 'bench-results']);

/**
 * `llm-tutor train <args…>` with the staged package's own CLI (the build the extension ships), on
 * the wasm backend, quiet: the folder of the run it completed. Fails with the CLI's output otherwise.
 */
export function trainWithStagedCli(stageDir: string, args: string[]): string {
  const stdout = execFileSync(
    process.execPath,
    [join(stageDir, 'bin', 'llm-tutor.js'), 'train', ...args, '--backend', 'wasm', '--quiet'],
    { encoding: 'utf8', timeout: 180_000 },
  );
  const match = /status=completed run_dir=(\S+)/.exec(stdout);
  assert.ok(match, `the CLI run did not complete:\n${stdout}`);
  return match[1];
}

/** What `vsce ls` says a package made in `dir` holds (paths relative to the package root). */
function packagedFiles(dir: string): string[] {
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
 * Production build + vsce package of a copy of the repository in `<tempRoot>/stage` (the shared
 * dist/ stays as it is). The copy holds every source entry of the repository, so the .vsix ships
 * what `npm run package` would ship (e.g. the built-in corpora/ the engine reads); checked against
 * `vsce ls` of the repository itself.
 */
export function buildVsix(tempRoot: string): { vsixPath: string; stageDir: string } {
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
  const vsixPath = join(tempRoot, 'llm-tutor.vsix');
  // The same flags as package.json's `package` script (README images stay relative: no public repository URL).
  run([
    join(REPO_ROOT, 'node_modules', '@vscode', 'vsce', 'vsce'),
    'package',
    '--no-dependencies',
    '--no-rewrite-relative-links',
    '--out',
    vsixPath,
  ]);
  return { vsixPath, stageDir };
}

/** A workspace folder `<tempRoot>/<name>` with `.vscode/settings.json` and a runs/ folder holding copies of `runs`. */
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

export async function closeEditorsAndNotifications(page: Page): Promise<void> {
  await runCommand(page, 'View: Close All Editors');
  await runCommand(page, 'Notifications: Clear All Notifications');
  await notificationToasts(page)
    .first()
    .waitFor({ state: 'hidden', timeout: 5_000 })
    .catch(() => undefined);
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

/**
 * Waits until the palette lists LLM Tutor's commands: right after the workbench appears, the
 * extensions' contributions may not be registered yet, and an open palette does not refresh.
 */
export async function waitForExtensionCommands(page: Page, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let labels: string[] = [];
  while (Date.now() < deadline) {
    labels = await commandPaletteLabels(page, PROBE_COMMAND).catch(() => []);
    if (labels.includes(PROBE_COMMAND)) return;
    await sleep(1_000);
  }
  throw new Error(`"${PROBE_COMMAND}" never appeared in the command palette; rows: ${JSON.stringify(labels)}`);
}

/** A code-server with the packaged extension on `workspaceFolder`, and its workbench with the extension's commands. */
export async function startWorkbench(
  workspaceFolder: string,
  trust: boolean,
  vsixPath: string,
  name = 'lab',
): Promise<{ server: CodeServer; workbench: Workbench }> {
  const server = await startCodeServer({ workspaceFolder, vsixPath, settings: USER_SETTINGS });
  try {
    const workbench = await openWorkbench(server.url, { trust });
    await waitForExtensionCommands(workbench.page).catch(async (error: unknown) => {
      await screenshot(workbench.page, `${name}-start-${trust ? 'trusted' : 'restricted'}-failure`).catch(
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

/**
 * Answers a save dialog as code-server shows it: VS Code's simple file dialog, a quick input
 * titled `title` holding the proposed path. Types `path` over it (its folder must exist, the file
 * must not, or the dialog asks again) and presses Enter. Returns the path first proposed.
 */
export async function answerSaveDialog(page: Page, title: string, path: string, timeoutMs = 20_000): Promise<string> {
  const widget = page.locator('.quick-input-widget');
  await widget.locator('.quick-input-title', { hasText: title }).waitFor({ state: 'visible', timeout: timeoutMs });
  const input = quickInput(page);
  // The dialog shows the folder first and adds the proposed name once it has listed the folder:
  // the proposal is the value once it has stayed the same for half a second.
  let proposed = '';
  let sameFor = 0;
  const deadline = Date.now() + timeoutMs;
  while (sameFor < 5 && Date.now() < deadline) {
    await sleep(100);
    const value = await input.inputValue();
    sameFor = value && value === proposed ? sameFor + 1 : 0;
    proposed = value;
  }
  // The dialog completes what is typed from the folder's listing: let it settle on exactly `path`.
  for (let attempt = 0; (await input.inputValue()) !== path || attempt === 0; attempt++) {
    if (attempt === 5) throw new Error(`the save dialog keeps changing "${path}" to "${await input.inputValue()}"`);
    await input.fill(path);
    await sleep(300);
  }
  await input.press('Enter');
  try {
    await widget.waitFor({ state: 'hidden', timeout: 10_000 });
  } catch {
    const message = await widget
      .locator('.quick-input-message')
      .innerText()
      .catch(() => '');
    throw new Error(`the save dialog did not take "${path}": ${message || '(no message)'}`);
  }
  return proposed;
}

/** Waits until `file` exists and holds at least one byte; returns its bytes. */
export async function waitForFile(file: string, timeoutMs = 20_000): Promise<Buffer> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (existsSync(file)) {
      const bytes = readFileSync(file);
      if (bytes.length > 0) return bytes;
    }
    if (Date.now() > deadline) throw new Error(`${file} was not written`);
    await sleep(200);
  }
}

/**
 * The active editor as the workbench shows it: its tab's label, its breadcrumbs, the status bar's
 * cursor position ("Ln N, Col M") and the text of the line the cursor is on (read from the
 * rendered lines: the line number marked active and the line drawn at the same height).
 */
export async function activeEditorState(
  page: Page,
): Promise<{ tab: string; breadcrumbs: string[]; line: number; column: number; lineText: string }> {
  const group = page.locator('.editor-group-container.active');
  const tab = ((await group.locator('.tab.active .label-name').first().textContent()) ?? '').trim();
  const breadcrumbs = (await group.locator('.breadcrumbs-control .monaco-breadcrumb-item').allInnerTexts()).map(
    (text) => text.trim(),
  );
  const position = (
    (await page
      .locator('#status\\.editor\\.selection')
      .innerText()
      .catch(() => '')) ?? ''
  ).trim();
  const match = /Ln (\d+), Col (\d+)/.exec(position);
  // No named helpers inside evaluate callbacks (tsx wraps them in `__name(…)`, absent in the page).
  const lineText = await group.evaluate((root) => {
    const editor = root.querySelector('.monaco-editor');
    const number = editor?.querySelector<HTMLElement>('.line-numbers.active-line-number');
    const top = number?.parentElement?.style.top;
    if (!editor || top === undefined) return '';
    const lines = [...editor.querySelectorAll<HTMLElement>('.view-lines .view-line')];
    const line = lines.find((candidate) => candidate.style.top === top);
    return (line?.textContent ?? '').replace(/\u00a0/g, ' ');
  });
  return {
    tab,
    breadcrumbs,
    line: match ? Number(match[1]) : NaN,
    column: match ? Number(match[2]) : NaN,
    lineText,
  };
}
