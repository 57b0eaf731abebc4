/** package.json's contributions agree with the ids the code registers; activation stays lazy. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { COMMANDS, COMPARE_VIEW_TYPE, LAB_VIEW_TYPE, VIEWS } from '../../src/extension/ids';
import {
  BACKEND_CHOICES,
  HYPERPARAMETER_SETTINGS,
  LANGUAGE_SETTINGS,
  MAX_SEED,
} from '../../src/extension/settingsValues';
import { trainableChapters } from '../../src/shared/course/catalogue';
import { specOf } from '../../src/shared/course/hyperparameters';

interface Manifest {
  activationEvents: string[];
  icon: string;
  capabilities: {
    untrustedWorkspaces: { supported: string | boolean; description: string; restrictedConfigurations?: string[] };
  };
  contributes: {
    commands: { command: string; title: string; category: string }[];
    viewsContainers: { activitybar: { id: string; icon: string }[] };
    views: Record<string, { id: string }[]>;
    configuration: {
      properties: Record<string, { enum?: string[]; minimum?: number; maximum?: number; default?: unknown }>;
    };
  };
}

const root = path.join(__dirname, '..', '..');
const readJson = (file: string): unknown => JSON.parse(fs.readFileSync(path.join(root, file), 'utf8'));
const pkg = readJson('package.json') as Manifest;
const nls: Record<'en' | 'zh-cn', Record<string, string>> = {
  en: readJson('package.nls.json') as Record<string, string>,
  'zh-cn': readJson('package.nls.zh-cn.json') as Record<string, string>,
};

describe('manifest', () => {
  it('declares exactly the commands the code registers', () => {
    assert.deepEqual(pkg.contributes.commands.map((c) => c.command).sort(), Object.values(COMMANDS).sort());
  });

  it('gives every command a title and category in English and Simplified Chinese', () => {
    const percent = (value: string): string => /^%(.+)%$/.exec(value)?.[1] ?? assert.fail(`${value} is not %key%`);
    const titles: Record<string, Set<string>> = { en: new Set(), 'zh-cn': new Set() };
    for (const command of pkg.contributes.commands) {
      for (const language of ['en', 'zh-cn'] as const) {
        const title = nls[language][percent(command.title)];
        const category = nls[language][percent(command.category)];
        assert.ok(title?.trim(), `${command.command}: no ${language} title`);
        assert.ok(category?.trim(), `${command.command}: no ${language} category`);
        titles[language].add(title);
      }
      const chinese = nls['zh-cn'][percent(command.title)];
      assert.match(chinese, /\p{Script=Han}/u, `${command.command}: the zh-cn title is not Chinese: ${chinese}`);
    }
    for (const language of ['en', 'zh-cn'])
      assert.equal(titles[language].size, pkg.contributes.commands.length, `${language} titles are distinct`);
  });

  it('activates only on its commands, views and the lab and comparison serializers', () => {
    const expected = [
      ...Object.values(COMMANDS).map((c) => `onCommand:${c}`),
      `onView:${VIEWS.chapters}`,
      `onView:${VIEWS.runs}`,
      `onWebviewPanel:${LAB_VIEW_TYPE}`,
      `onWebviewPanel:${COMPARE_VIEW_TYPE}`,
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

  it('declares the settings with the chapters’ ranges', () => {
    const p = pkg.contributes.configuration.properties;
    assert.deepEqual(
      Object.keys(p).sort(),
      [
        'advanced.testSize',
        'advanced.trainSize',
        'advanced.validationSize',
        'backend',
        'batchSize',
        'corpus',
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
    assert.equal(p['llmTutor.corpus'].default, '', 'empty: the built-in corpus of the display language');
    assert.ok(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations?.includes('llmTutor.corpus'));
    assert.equal(p['llmTutor.seed'].minimum, 0);
    assert.equal(p['llmTutor.seed'].maximum, MAX_SEED);
    // A setting stands for a hyperparameter: its range is the one every trainable chapter declaring it has.
    for (const [key, setting] of Object.entries(HYPERPARAMETER_SETTINGS)) {
      const property = p[`llmTutor.${setting}`];
      assert.equal(property.default, null, `${setting}: unset by default (the chapter's default applies)`);
      const declaring = trainableChapters().filter((info) => specOf(info, key));
      assert.ok(declaring.length > 0, `no trainable chapter declares ${key}`);
      for (const info of declaring) {
        const spec = specOf(info, key);
        assert.ok(spec && (spec.type === 'integer' || spec.type === 'number'), `${info.id}.${key} is numeric`);
        assert.equal(property.minimum, spec.min, `llmTutor.${setting} minimum vs ${info.id}`);
        assert.equal(property.maximum, spec.max, `llmTutor.${setting} maximum vs ${info.id}`);
      }
    }
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
      assert.ok(!/from '(\.\.\/)+(engine|webview)\//.test(text), `${file} imports the engine or the webview`);
      assert.ok(!/from '(\.\.\/)+protocol\//.test(text), `${file} imports the old src/protocol`);
    }
  });

  it('keeps the testable modules free of vscode', () => {
    for (const file of [
      'compareFeed',
      'compareFlow',
      'compareRequests',
      'diagnostics',
      'engineClient',
      'html',
      'language',
      'messages',
      'panelFeed',
      'panelRequests',
      'panelState',
      'runLabels',
      'runPaths',
      'runStatusFile',
      'settingsValues',
      'throttle',
      'trainChapterFlow',
      'trainingPlan',
      'webviewStrings',
      'ids',
    ]) {
      const text = fs.readFileSync(path.join(root, 'src', 'extension', `${file}.ts`), 'utf8');
      assert.ok(!/from 'vscode'/.test(text), `${file}.ts imports vscode`);
    }
  });
});
