/**
 * Choose Corpus…: the rows it offers, what each choice writes to `llmTutor.corpus`, and that the
 * value written is one the training flows read back as the same corpus (corpusFor); and the
 * training notifications' unit (epochs or evaluations).
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { chooseCorpus, corpusItems, settingForPath, type CorpusChoice } from '../../src/extension/corpusChoice';
import { MESSAGES_EN, MESSAGES_ZH_CN } from '../../src/extension/messages';
import type { PickFunction, PickItem } from '../../src/extension/trainChapterFlow';
import { corpusFor, progressMessages } from '../../src/extension/trainingPlan';
import { CHAPTERS, chapterInfo } from '../../src/shared/course/catalogue';

const WORKSPACE = path.resolve('/work/space');

/** Runs the command with a pick that chooses the row labelled `label` and a dialog that returns `dialog`. */
async function run(
  label: string | undefined,
  options: { dialog?: string; current?: unknown; workspace?: string } = {},
): Promise<{ written: string[]; told: string[]; dialogs: boolean[]; offered: string[]; result: boolean }> {
  const written: string[] = [];
  const told: string[] = [];
  const dialogs: boolean[] = [];
  let offered: string[] = [];
  const pick: PickFunction = async <T>(items: PickItem<T>[]) => {
    offered = items.map((item) => item.label);
    return label === undefined ? undefined : items.find((item) => item.label === label);
  };
  const result = await chooseCorpus({
    pick,
    openDialog: async (folder) => {
      dialogs.push(folder);
      return options.dialog;
    },
    workspaceFolder: 'workspace' in options ? options.workspace : WORKSPACE,
    current: options.current ?? '',
    update: async (value) => {
      written.push(value);
    },
    tell: (message) => told.push(message),
  });
  return { written, told, dialogs, offered, result };
}

describe('Choose Corpus…', () => {
  it('writes the built-in choices as the setting values the flows understand', async () => {
    const cases: [string, string, string][] = [
      [MESSAGES_EN.corpusDisplayLanguage, '', 'zh'],
      [MESSAGES_EN.corpusEnglish, 'en', 'en'],
      [MESSAGES_EN.corpusChinese, 'zh', 'zh'],
      [MESSAGES_EN.corpusWorkspace, '.', WORKSPACE],
    ];
    for (const [label, value, read] of cases) {
      const outcome = await run(label);
      assert.equal(outcome.result, true, label);
      assert.deepEqual(outcome.written, [value], label);
      assert.deepEqual(outcome.dialogs, [], `${label}: no file dialog`);
      assert.equal(outcome.told.length, 1);
      // What the training flow reads back (a Chinese display language here).
      assert.equal(corpusFor(value, 'zh-cn', WORKSPACE), read, label);
    }
  });

  it('a file or folder from the dialog: relative inside the workspace, absolute outside; read back as the same path', async () => {
    const inside = path.join(WORKSPACE, 'texts', 'poems.txt');
    const file = await run(MESSAGES_EN.corpusPickFile, { dialog: inside });
    assert.deepEqual(file.dialogs, [false]);
    assert.deepEqual(file.written, ['texts/poems.txt']);
    assert.equal(corpusFor(file.written[0], 'en', WORKSPACE), inside);

    const outside = path.resolve('/data/novels');
    const folder = await run(MESSAGES_EN.corpusPickFolder, { dialog: outside });
    assert.deepEqual(folder.dialogs, [true]);
    assert.deepEqual(folder.written, [outside]);
    assert.equal(corpusFor(folder.written[0], 'en', WORKSPACE), outside);

    const noWorkspace = await run(MESSAGES_EN.corpusPickFile, { dialog: inside, workspace: undefined });
    assert.deepEqual(noWorkspace.written, [inside]);
    assert.equal(corpusFor(noWorkspace.written[0], 'en', undefined), inside);
  });

  it('writes nothing when the quick pick or the file dialog is cancelled', async () => {
    for (const outcome of [await run(undefined), await run(MESSAGES_EN.corpusPickFile, { dialog: undefined })]) {
      assert.equal(outcome.result, false);
      assert.deepEqual(outcome.written, []);
      assert.deepEqual(outcome.told, []);
    }
  });

  it('offers the workspace row only with a workspace open, and marks the current setting', () => {
    const labels = (items: PickItem<CorpusChoice>[]) => items.map((item) => item.label);
    assert.ok(labels(corpusItems('', WORKSPACE)).includes(MESSAGES_EN.corpusWorkspace));
    assert.ok(!labels(corpusItems('', undefined)).includes(MESSAGES_EN.corpusWorkspace));
    const current = (items: PickItem<CorpusChoice>[]) =>
      items.filter((item) => item.description === MESSAGES_EN.corpusCurrent).map((item) => item.label);
    assert.deepEqual(current(corpusItems('  en ', WORKSPACE)), [MESSAGES_EN.corpusEnglish]);
    assert.deepEqual(current(corpusItems(42, WORKSPACE)), [MESSAGES_EN.corpusDisplayLanguage]);
    assert.deepEqual(current(corpusItems('.', WORKSPACE)), [MESSAGES_EN.corpusWorkspace]);
    // A path chosen before stays in the list, as the current one, and choosing it keeps it.
    const items = corpusItems('texts/poems.txt', WORKSPACE);
    assert.deepEqual(current(items), ['texts/poems.txt']);
    assert.deepEqual(items.at(-1)?.value, { kind: 'value', value: 'texts/poems.txt' });
  });

  it('settingForPath: the workspace folder itself is `.`; a sibling folder with a common prefix stays absolute', () => {
    assert.equal(settingForPath(WORKSPACE, WORKSPACE), '.');
    const sibling = path.resolve('/work/space-2/a.txt');
    assert.equal(settingForPath(sibling, WORKSPACE), sibling);
    assert.equal(settingForPath(path.join(WORKSPACE, 'a', 'b.md'), WORKSPACE), 'a/b.md');
  });
});

describe('progress notifications count what the chapter counts', () => {
  it('epochs for the seq2seq chapters, evaluations for the language models, in both languages', () => {
    for (const info of CHAPTERS.filter((chapter) => chapter.trainable)) {
      const keys = progressMessages(info.trainingUnit);
      const [en, zh] = info.trainingUnit === 'epoch' ? [/epoch/i, /轮/] : [/evaluation/i, /评估/];
      for (const key of [keys.progress, keys.stopped, keys.variants]) {
        // The words the learner reads, placeholders (`{epochs}`) left out.
        assert.match(MESSAGES_EN[key].replace(/\{\w+\}/g, ''), en, `${info.id} ${key}`);
        assert.match(MESSAGES_ZH_CN[key].replace(/\{\w+\}/g, ''), zh, `${info.id} ${key}`);
      }
    }
    assert.equal(chapterInfo('mini-gpt').trainingUnit, 'evaluation');
    assert.doesNotMatch(MESSAGES_EN[progressMessages('evaluation').stopped].replace(/\{\w+\}/g, ''), /epoch/);
  });
});
