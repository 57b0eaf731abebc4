/**
 * Loads the built webview (dist/webview.js) into headless Chromium the way VS Code does: a page
 * with a strict CSP (nonce'd scripts only, styles from the webview's origin only — not even
 * 'unsafe-inline'), theme variables set on <html> and a body class, and a stub
 * `acquireVsCodeApi` that records posted messages and keeps state. Messages are fed with
 * `window.postMessage`, as the host's messages arrive in a real webview.
 */
import { build } from 'esbuild';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { HostToWebview, WebviewState, WebviewToHost } from '../../src/protocol/webview';
import { themeStyle, type TestTheme } from './themes';

export const ROOT = join(__dirname, '..', '..');
export const ARTIFACTS = join(ROOT, 'test-artifacts', 'webview');
const ORIGIN = 'https://webview.test';
const NONCE = 'dGVzdC1ub25jZQ';

let built: Promise<void> | null = null;

/** Bundles webview/main.ts → dist/webview.js with the options of scripts/build.mjs (webview only). */
export function buildWebview(): Promise<void> {
  built ??= build({
    entryPoints: [join(ROOT, 'webview/main.ts')],
    outfile: join(ROOT, 'dist/webview.js'),
    bundle: true,
    sourcemap: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    loader: { '.css': 'text' },
    logLevel: 'warning',
    legalComments: 'none',
  }).then(() => undefined);
  return built;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

export interface PanelOptions {
  theme: TestTheme;
  state?: WebviewState;
  width?: number;
  height?: number;
}

export interface Panel {
  page: Page;
  /** Console errors, page errors and CSP violations seen so far. */
  problems: string[];
}

function pageHtml(theme: TestTheme, state: WebviewState | undefined): string {
  const csp = `default-src 'none'; img-src ${ORIGIN} data:; font-src ${ORIGIN}; style-src ${ORIGIN}; script-src 'nonce-${NONCE}';`;
  const setup = `
    window.__problems = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__problems.push('CSP: ' + e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || '')));
    for (const part of ${JSON.stringify(themeStyle(theme))}.split(';')) {
      const i = part.indexOf(':');
      if (i > 0) document.documentElement.style.setProperty(part.slice(0, i).trim(), part.slice(i + 1).trim());
    }
    window.__posted = [];
    window.__state = ${JSON.stringify(state ?? null)} ?? undefined;
    let acquired = false;
    window.acquireVsCodeApi = () => {
      if (acquired) throw new Error('acquireVsCodeApi called twice');
      acquired = true;
      return {
        postMessage: (m) => window.__posted.push(JSON.parse(JSON.stringify(m))),
        getState: () => window.__state,
        setState: (s) => { window.__state = JSON.parse(JSON.stringify(s)); return s; },
      };
    };`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>LLM Tutor lab</title>
<script nonce="${NONCE}">${setup}</script>
</head>
<body class="${theme.bodyClass}" data-vscode-theme-kind="${theme.kind}">
<script nonce="${NONCE}" src="${ORIGIN}/webview.js"></script>
</body></html>`;
}

export async function openPanel(browser: Browser, options: PanelOptions): Promise<Panel> {
  await buildWebview();
  const page = await browser.newPage({ viewport: { width: options.width ?? 1280, height: options.height ?? 900 }, deviceScaleFactor: 1 });
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  const html = pageHtml(options.theme, options.state);
  await page.route(`${ORIGIN}/**`, async (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path === '/' || path === '/index.html') return route.fulfill({ contentType: 'text/html', body: html });
    if (path === '/webview.js') return route.fulfill({ contentType: 'text/javascript', body: readFileSync(join(ROOT, 'dist/webview.js')) });
    return route.fulfill({ status: 404, body: '' });
  });
  await page.goto(`${ORIGIN}/index.html`);
  await page.waitForFunction(() => (window as unknown as { __posted: unknown[] }).__posted.length > 0);
  return { page, problems };
}

export async function problemsOf(panel: Panel): Promise<string[]> {
  const inPage = await panel.page.evaluate(() => (window as unknown as { __problems: string[] }).__problems);
  return [...panel.problems, ...inPage];
}

/** Posts messages to the webview like the host does, then waits until they are drawn. */
export async function send(page: Page, ...messages: HostToWebview[]): Promise<void> {
  await page.evaluate((list) => {
    for (const message of list) window.postMessage(message, '*');
  }, messages);
  await settle(page);
}

/** Waits for pending message events and two animation frames (a scheduled redraw has happened). */
export async function settle(page: Page): Promise<void> {
  await page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        setTimeout(() => requestAnimationFrame(() => requestAnimationFrame(() => resolve())), 0);
      }),
  );
}

export function posted(page: Page): Promise<WebviewToHost[]> {
  return page.evaluate(() => (window as unknown as { __posted: WebviewToHost[] }).__posted);
}

export function savedState(page: Page): Promise<WebviewState | undefined> {
  return page.evaluate(() => (window as unknown as { __state?: WebviewState }).__state);
}

export function ensureArtifacts(): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return ARTIFACTS;
}
