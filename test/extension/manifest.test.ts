/** package.json's contributions agree with the ids the code registers; activation stays lazy. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { COMMANDS, LAB_VIEW_TYPE, VIEWS } from '../../src/extension/ids';
import { BACKEND_CHOICES, LANGUAGE_SETTINGS } from '../../src/extension/settingsValues';
import { LIMITS } from '../../src/protocol/webview';

interface Manifest {
  activationEvents: string[];
  icon: string;
  capabilities: { untrustedWorkspaces: { supported: string | boolean; description: string } };
  contributes: {
    commands: { command: string }[];
    viewsContainers: { activitybar: { id: string; icon: string }[] };
    views: Record<string, { id: string }[]>;
    configuration: {
      properties: Record<string, { enum?: string[]; minimum?: number; maximum?: number; default?: unknown }>;
    };
  };
}

const root = path.join(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as Manifest;

describe('manifest', () => {
  it('declares exactly the commands the code registers', () => {
    assert.deepEqual(pkg.contributes.commands.map((c) => c.command).sort(), Object.values(COMMANDS).sort());
  });

  it('activates only on its commands, views and the lab serializer', () => {
    const expected = [
      ...Object.values(COMMANDS).map((c) => `onCommand:${c}`),
      `onView:${VIEWS.chapters}`,
      `onView:${VIEWS.runs}`,
      `onWebviewPanel:${LAB_VIEW_TYPE}`,
    ].sort();
    assert.deepEqual([...pkg.activationEvents].sort(), expected);
    assert.ok(!pkg.activationEvents.some((e) => e === '*' || e === 'onStartupFinished'));
  });

  it('has the activity-bar container with the two views', () => {
    assert.deepEqual(
      pkg.contributes.viewsContainers.activitybar.map((c) => c.id),
      [VIEWS.container],
    );
    assert.deepEqual(
      pkg.contributes.views[VIEWS.container].map((v) => v.id),
      [VIEWS.chapters, VIEWS.runs],
    );
    for (const file of [
      pkg.icon,
      ...pkg.contributes.viewsContainers.activitybar.map((c) => c.icon),
      'media/icon.svg',
    ]) {
      assert.ok(fs.existsSync(path.join(root, file)), `${file} exists`);
    }
  });

  it('supports untrusted workspaces in a limited way', () => {
    assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.ok(pkg.capabilities.untrustedWorkspaces.description);
  });

  it('declares the settings with the protocol’s limits', () => {
    const p = pkg.contributes.configuration.properties;
    assert.deepEqual(
      Object.keys(p).sort(),
      [
        'advanced.testSize',
        'advanced.trainSize',
        'advanced.validationSize',
        'backend',
        'batchSize',
        'epochs',
        'hiddenSize',
        'language',
        'learningRate',
        'runsDirectory',
        'seed',
      ]
        .map((k) => `llmTutor.${k}`)
        .sort(),
    );
    assert.deepEqual(p['llmTutor.backend'].enum, [...BACKEND_CHOICES]);
    assert.deepEqual(p['llmTutor.language'].enum, [...LANGUAGE_SETTINGS]);
    assert.equal(p['llmTutor.runsDirectory'].default, '');
    assert.equal(p['llmTutor.epochs'].maximum, LIMITS.maxEpochs);
    assert.equal(p['llmTutor.batchSize'].maximum, LIMITS.maxBatchSize);
    assert.equal(p['llmTutor.hiddenSize'].maximum, LIMITS.maxHiddenSize);
    assert.equal(p['llmTutor.learningRate'].minimum, LIMITS.minLearningRate);
    assert.equal(p['llmTutor.learningRate'].maximum, LIMITS.maxLearningRate);
    assert.equal(p['llmTutor.seed'].maximum, LIMITS.maxSeed);
  });

  it('keeps the extension host free of TensorFlow and the DOM (imports of src/extension)', () => {
    const dir = path.join(root, 'src', 'extension');
    const files = fs
      .readdirSync(dir, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.ts'));
    for (const file of files) {
      const text = fs.readFileSync(path.join(dir, file), 'utf8');
      assert.ok(!/from '@tensorflow\//.test(text), `${file} imports TensorFlow`);
      for (const engineImport of text.matchAll(/from '(\.\.\/)+engine\/([^']+)'/g)) {
        assert.ok(
          /^(runStore\/(reader|paths|index)|chapters\/catalog)$/.test(engineImport[2]),
          `${file} imports engine/${engineImport[2]}`,
        );
      }
    }
  });

  it('keeps the testable modules free of vscode', () => {
    for (const file of [
      'diagnostics',
      'engineClient',
      'engineMessages',
      'html',
      'language',
      'messages',
      'panelRequests',
      'runPaths',
      'runStatusFile',
      'settingsValues',
      'throttle',
      'webviewStrings',
      'ids',
    ]) {
      const text = fs.readFileSync(path.join(root, 'src', 'extension', `${file}.ts`), 'utf8');
      assert.ok(!/from 'vscode'/.test(text), `${file}.ts imports vscode`);
    }
  });
});
