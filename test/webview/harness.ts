/**
 * Loads the built webview (dist/webview.js, built by scripts/build.mjs; `npm test` builds first)
 * into headless Chromium the way VS Code does: the page is the host's own HTML from
 * src/extension/html.ts (`buildLabHtml`, so its Content-Security-Policy is exactly the one the
 * extension sends — nonce'd scripts only, styles from the webview's origin only, no
 * 'unsafe-inline'), with what VS Code adds around it: theme variables on <html>, a body class,
 * and a stub `acquireVsCodeApi` that records posted messages and keeps state. Messages are fed
 * with `window.postMessage`, as the host's messages arrive in a real webview.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildLabHtml } from '../../src/extension/html';
import type { HostToWebview, WebviewState, WebviewToHost } from '../../src/shared/protocol/webview';
import { themeStyle, type TestTheme } from './themes';

export const ROOT = join(__dirname, '..', '..');
export const ARTIFACTS = join(ROOT, 'test-artifacts', 'webview');
const ORIGIN = 'https://webview.test';
const NONCE = 'dGVzdC1ub25jZQ';
const BUNDLE = join(ROOT, 'dist', 'webview.js');

let bundle: Buffer | null = null;

/** dist/webview.js as scripts/build.mjs built it; a clear error when it is missing. */
export function webviewBundle(): Buffer {
  if (bundle) return bundle;
  if (!existsSync(BUNDLE)) {
    throw new Error(
      `${BUNDLE} is missing: the webview tests load the built bundle. Build it first with \`node scripts/build.mjs\` (\`npm test\` does).`,
    );
  }
  const newest = ['webview', join('src', 'shared')]
    .flatMap((dir) => readdirFiles(join(ROOT, dir)))
    .reduce((latest, file) => Math.max(latest, statSync(file).mtimeMs), 0);
  if (newest > statSync(BUNDLE).mtimeMs)
    console.warn(`warning: ${BUNDLE} is older than the webview sources; rebuild with \`node scripts/build.mjs\``);
  bundle = readFileSync(BUNDLE);
  return bundle;
}

function readdirFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => /\.(ts|css)$/.test(f))
    .map((f) => join(dir, f));
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
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

function replaceOnce(html: string, search: string, replacement: string): string {
  if (!html.includes(search))
    throw new Error(`the lab HTML from src/extension/html.ts has no ${search}: update test/webview/harness.ts`);
  return html.replace(search, replacement);
}

/** The host's page (buildLabHtml) plus what VS Code adds: theme, body class, the API stub. */
function pageHtml(theme: TestTheme, state: WebviewState | undefined): string {
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
  let html = buildLabHtml({
    cspSource: ORIGIN,
    nonce: NONCE,
    scriptUri: `${ORIGIN}/dist/webview.js`,
    styleUris: [],
    htmlLanguage: 'en',
    title: 'LLM Tutor lab',
  });
  html = replaceOnce(html, '</head>', `<script nonce="${NONCE}">${setup}</script>\n  </head>`);
  html = replaceOnce(html, '<body>', `<body class="${theme.bodyClass}" data-vscode-theme-kind="${theme.kind}">`);
  return html;
}

export async function openPanel(browser: Browser, options: PanelOptions): Promise<Panel> {
  const script = webviewBundle();
  const page = await browser.newPage({
    viewport: { width: options.width ?? 1280, height: options.height ?? 900 },
    deviceScaleFactor: 1,
  });
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  const html = pageHtml(options.theme, options.state);
  await page.route(`${ORIGIN}/**`, async (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path === '/' || path === '/index.html') return route.fulfill({ contentType: 'text/html', body: html });
    if (path === '/dist/webview.js') return route.fulfill({ contentType: 'text/javascript', body: script });
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

/**
 * Posts messages to the webview like the host does, then waits until they are drawn. VS Code
 * carries a webview message as JSON, so each goes through JSON first (a NaN arrives as null).
 */
export async function send(page: Page, ...messages: HostToWebview[]): Promise<void> {
  await sendRaw(page, ...messages.map((message) => JSON.parse(JSON.stringify(message)) as unknown));
}

/** Posts anything (e.g. an invalid message) exactly as given, then waits until it is drawn. */
export async function sendRaw(page: Page, ...messages: unknown[]): Promise<void> {
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
