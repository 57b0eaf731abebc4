// Proves the e2e harness with a throw-away fixture extension generated here (the real extension
// is tested elsewhere). Run: node --import tsx --test test/e2e/harness.test.ts
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  REPO_ROOT,
  commandPaletteLabels,
  ensureSetup,
  notificationToasts,
  openViewContainer,
  openWorkbench,
  restrictedModeIndicator,
  runCommand,
  screenshot,
  startCodeServer,
  statusBarItems,
  statusBarText,
  treeItems,
  waitForNotification,
  webviewFrame,
  type CodeServer,
  type Workbench,
} from './harness';

const FIXTURE_MANIFEST = {
  name: 'e2e-fixture',
  displayName: 'E2E Fixture',
  description: 'Throw-away extension that proves the e2e harness.',
  publisher: 'llm-tutor-e2e',
  version: '0.0.1',
  license: 'MIT',
  engines: { vscode: '^1.96.0' },
  main: './extension.js',
  activationEvents: ['onStartupFinished'],
  // Disabled in Restricted Mode, like LLM Tutor (it runs code from the workspace's runs/).
  capabilities: { untrustedWorkspaces: { supported: false, description: 'fixture' } },
  contributes: {
    commands: [{ command: 'e2eFixture.hello', title: 'Hello E2E' }],
    viewsContainers: { activitybar: [{ id: 'e2eFixture', title: 'E2E Fixture', icon: 'icon.svg' }] },
    views: { e2eFixture: [{ id: 'e2eFixture.items', name: 'Fixture Items' }] },
  },
};

const FIXTURE_EXTENSION = String.raw`
const vscode = require('vscode');
exports.activate = (context) => {
  const status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 1000);
  status.text = '$(beaker) E2E fixture ready';
  status.show();
  context.subscriptions.push(status);
  const items = ['alpha', 'beta'];
  context.subscriptions.push(vscode.window.registerTreeDataProvider('e2eFixture.items', {
    getChildren: () => items,
    getTreeItem: (label) => new vscode.TreeItem(label),
  }));
  context.subscriptions.push(vscode.commands.registerCommand('e2eFixture.hello', () => {
    vscode.window.showInformationMessage('Hello from the E2E fixture');
    const panel = vscode.window.createWebviewPanel('e2eFixture.panel', 'E2E Panel', vscode.ViewColumn.One, { enableScripts: true });
    panel.webview.onDidReceiveMessage((message) => {
      if (message && message.type === 'clicked') vscode.window.showInformationMessage('Webview button clicked');
    });
    panel.webview.html = '<!DOCTYPE html><html><head><meta charset="utf-8">'
      + '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; script-src \'unsafe-inline\'; style-src \'unsafe-inline\';">'
      + '</head><body><h1 id="title">Fixture webview</h1><button id="hello-button">Say hello</button><p id="out"></p>'
      + '<script>const vscode = acquireVsCodeApi();'
      + 'document.getElementById("hello-button").addEventListener("click", () => {'
      + ' document.getElementById("out").textContent = "clicked"; vscode.postMessage({ type: "clicked" }); });'
      + '</script></body></html>';
  }));
};
exports.deactivate = () => {};
`;

const ICON =
  '<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24"><circle cx="12" cy="12" r="9" fill="none" stroke="currentColor" stroke-width="2"/></svg>';

/** Writes the fixture extension and packages it with vsce (works offline). */
function buildFixtureVsix(dir: string): string {
  const source = join(dir, 'fixture');
  mkdirSync(source, { recursive: true });
  writeFileSync(join(source, 'package.json'), JSON.stringify(FIXTURE_MANIFEST, null, 2));
  writeFileSync(join(source, 'extension.js'), FIXTURE_EXTENSION);
  writeFileSync(join(source, 'icon.svg'), ICON);
  writeFileSync(join(source, 'README.md'), '# E2E fixture\n');
  writeFileSync(join(source, 'LICENSE'), 'MIT\n');
  const vsix = join(dir, 'e2e-fixture.vsix');
  execFileSync(
    process.execPath,
    [
      join(REPO_ROOT, 'node_modules', '@vscode', 'vsce', 'vsce'),
      'package',
      '--no-dependencies',
      '--allow-missing-repository',
      '--out',
      vsix,
    ],
    { cwd: source, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return vsix;
}

let tempDir: string;
let vsix: string;

before(() => {
  ensureSetup();
  tempDir = mkdtempSync(join(tmpdir(), 'llm-tutor-e2e-fixture-'));
  vsix = buildFixtureVsix(tempDir);
});

after(() => {
  rmSync(tempDir, { recursive: true, force: true });
});

async function withWorkbench(
  name: string,
  trust: boolean,
  body: (workbench: Workbench, server: CodeServer) => Promise<void>,
): Promise<void> {
  const workspaceFolder = join(tempDir, `workspace-${name}`);
  mkdirSync(workspaceFolder, { recursive: true });
  writeFileSync(join(workspaceFolder, 'notes.txt'), 'hello\n');
  const server = await startCodeServer({ workspaceFolder, vsixPath: vsix });
  let workbench: Workbench | undefined;
  try {
    workbench = await openWorkbench(server.url, { trust });
    await body(workbench, server);
  } catch (error) {
    if (workbench) {
      await screenshot(workbench.page, `${name}-failure`).catch(() => undefined);
      const lines = workbench.consoleLines.filter((line) => /^\[(error|pageerror)\]/.test(line)).slice(-20);
      if (lines.length) console.error(`browser console errors:\n${lines.join('\n')}`);
    }
    console.error(`code-server log: ${server.logFile} (set LLM_TUTOR_E2E_KEEP=1 to keep it)`);
    throw error;
  } finally {
    await workbench?.browser.close();
    await server.stop();
  }
}

test('trusted folder: command, notification, webview, status bar, tree view', async () => {
  await withWorkbench('trusted', true, async ({ page }) => {
    await assert.doesNotReject(restrictedModeIndicator(page).waitFor({ state: 'hidden' }));

    // The extension activates on startup: its status bar item shows up.
    await page
      .locator('#workbench\\.parts\\.statusbar .statusbar-item', { hasText: 'E2E fixture ready' })
      .waitFor({ timeout: 60_000 });
    assert.match(await statusBarText(page), /E2E fixture ready/);

    assert.ok((await commandPaletteLabels(page, 'Hello E2E')).includes('Hello E2E'));
    await runCommand(page, 'Hello E2E');
    await waitForNotification(page, /Hello from the E2E fixture/);

    const frame = await webviewFrame(page, async (f) => (await f.locator('#hello-button').count()) > 0);
    const button = frame.locator('#hello-button');
    await button.waitFor({ state: 'visible' });
    assert.equal(await frame.locator('#title').innerText(), 'Fixture webview');
    await button.click();
    await frame.locator('#out', { hasText: 'clicked' }).waitFor();
    await waitForNotification(page, /Webview button clicked/);
    const shot = await screenshot(page, 'harness-trusted-webview');
    assert.ok(shot.endsWith('.png'));

    // Focus is inside the webview now: F1 must still reach the workbench.
    await runCommand(page, 'Notifications: Clear All Notifications');
    await notificationToasts(page).first().waitFor({ state: 'hidden' });

    await openViewContainer(page, 'E2E Fixture');
    const rows = treeItems(page, 'Fixture Items');
    await rows.first().waitFor({ timeout: 15_000 });
    assert.deepEqual(
      (await rows.allInnerTexts()).map((text) => text.trim()),
      ['alpha', 'beta'],
    );
    await screenshot(page, 'harness-trusted-tree');
  });
});

test('untrusted folder: Restricted Mode, extension disabled', async () => {
  await withWorkbench('untrusted', false, async ({ page }) => {
    const indicator = restrictedModeIndicator(page);
    await indicator.waitFor({ state: 'visible' });
    assert.match(await indicator.innerText(), /Restricted Mode/);
    assert.match(await statusBarText(page), /Restricted Mode/);
    // The fixture does not support untrusted workspaces: its command is not registered.
    // Let the extension host finish starting, so "absent" means disabled, not "not yet".
    await statusBarItems(page)
      .filter({ hasText: 'Activating Extensions' })
      .first()
      .waitFor({ state: 'hidden', timeout: 60_000 });
    const labels = await commandPaletteLabels(page, 'Hello E2E');
    assert.ok(!labels.includes('Hello E2E'), `palette rows: ${JSON.stringify(labels)}`);
    assert.doesNotMatch(await statusBarText(page), /E2E fixture ready/);
    await screenshot(page, 'harness-restricted-mode');
  });
});
