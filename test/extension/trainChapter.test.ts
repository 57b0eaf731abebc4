/**
 * "LLM Tutor: Train Chapter…": the quick picks (chapter, task, variant; one-choice steps skipped),
 * cancel at any step, Restricted Mode, the Chapters view's preselected chapter, and what is sent:
 * settings become overrides only for keys the chapter declares, within its ranges.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { setLanguage } from '../../src/extension/language';
import { seedFromSettings, settingsOverridesFor } from '../../src/extension/settingsValues';
import {
  chooseChapterTraining,
  trainChapter,
  type PickItem,
  type PickOptions,
  type TrainChapterDeps,
} from '../../src/extension/trainChapterFlow';
import { planTraining, type TrainingChoice } from '../../src/extension/trainingPlan';
import { CHAPTERS, chapterInfo } from '../../src/shared/course/catalogue';
import type { ChapterInfo } from '../../src/shared/course/chapter';
import { upcomingChapter } from '../../src/shared/course/upcoming';
import type { ChapterId } from '../../src/shared/ids';

interface ShownPick {
  options: PickOptions;
  items: PickItem<unknown>[];
}

/**
 * Fake quick picks: each call shows the next step; `answers` says which value to choose at each
 * step (undefined = the learner pressed Escape).
 */
/**
 * A chapter that cannot be trained, as the catalogue lists a chapter without a folder: a fixture
 * (upcoming.ts's listing of luong-attention), so these tests do not depend on which chapters exist yet.
 */
const UNTRAINABLE: ChapterInfo = upcomingChapter('luong-attention');
/** The course catalogue with that fixture in place of the chapter's own entry. */
const WITH_UNTRAINABLE: readonly ChapterInfo[] = CHAPTERS.map((chapter) =>
  chapter.id === UNTRAINABLE.id ? UNTRAINABLE : chapter,
);

function fakeUi(answers: (string | undefined)[], chapters: readonly ChapterInfo[] = CHAPTERS, trusted = true) {
  const shown: ShownPick[] = [];
  const trained: { chapter: ChapterId; choice: TrainingChoice }[] = [];
  const previews: ChapterId[] = [];
  let refusals = 0;
  const deps: TrainChapterDeps = {
    pick: async <T>(items: PickItem<T>[], options: PickOptions) => {
      shown.push({ options, items: items as PickItem<unknown>[] });
      if (shown.length > answers.length) assert.fail(`unexpected quick pick: ${options.title}`);
      const answer = answers[shown.length - 1];
      if (answer === undefined) return undefined;
      const item = items.find((candidate) => candidate.value === answer);
      assert.ok(item, `no item ${answer} in ${options.title}`);
      return item;
    },
    chapters,
    isTrusted: () => trusted,
    refuseUntrusted: () => void (refusals += 1),
    openPreview: (chapter) => void previews.push(chapter),
    train: async (chapter, choice) => void trained.push({ chapter, choice }),
  };
  return { deps, shown, trained, previews, refusals: () => refusals };
}

/** attention-seq2seq with three variants and one task, to exercise the variant step. */
function withVariants(): ChapterInfo {
  const base = chapterInfo('attention-seq2seq');
  return {
    ...base,
    tasks: [base.tasks[1]],
    defaultTask: base.tasks[1].id,
    variants: [
      {
        id: 'small',
        title: { en: 'small', 'zh-cn': '小' },
        description: { en: 'half the hidden size', 'zh-cn': '隐藏层减半' },
        overrides: { hiddenSize: 32 },
      },
      ...base.variants,
      {
        id: 'wide',
        title: { en: 'wide', 'zh-cn': '宽' },
        description: { en: 'twice the hidden size', 'zh-cn': '隐藏层加倍' },
        overrides: { hiddenSize: 128 },
      },
    ],
    defaultVariant: 'default',
  };
}

afterEach(() => setLanguage('en'));

describe('Train Chapter… quick picks', () => {
  it('lists the trainable chapters (numbered as in the course, with their summaries), then the tasks, and trains', async () => {
    const ui = fakeUi(['attention-seq2seq', 'phrases']);
    await trainChapter(ui.deps);
    assert.equal(ui.shown.length, 2, 'chapter and task; the only variant is not asked');

    const chapters = ui.shown[0];
    assert.equal(chapters.options.title, 'LLM Tutor: Train Chapter');
    const trainable = CHAPTERS.filter((chapter) => chapter.trainable);
    assert.deepEqual(
      chapters.items.map((item) => item.value),
      trainable.map((chapter) => chapter.id),
    );
    for (const item of chapters.items) {
      const info = chapterInfo(item.value as ChapterId);
      const number = CHAPTERS.indexOf(info) + 1;
      assert.equal(item.label, `${number}. ${info.title.en}`);
      assert.equal(item.detail, info.summary.en);
    }

    const tasks = ui.shown[1];
    assert.match(tasks.options.title, /^Train Attention Seq2Seq: choose the task$/);
    assert.deepEqual(
      tasks.items.map((item) => [item.value, item.description]),
      [
        ['dates', 'default'],
        ['phrases', undefined],
      ],
    );
    assert.equal(tasks.items[1].detail, chapterInfo('attention-seq2seq').tasks[1].description.en);
    assert.deepEqual(ui.trained, [{ chapter: 'attention-seq2seq', choice: { task: 'phrases', variant: 'default' } }]);
  });

  it('speaks Simplified Chinese when the language is zh-cn', async () => {
    setLanguage('zh-cn');
    const ui = fakeUi(['seq2seq', 'dates']);
    await trainChapter(ui.deps);
    assert.equal(ui.shown[0].options.title, 'LLM Tutor：训练章节');
    const seq2seq = ui.shown[0].items.find((item) => item.value === 'seq2seq');
    assert.equal(seq2seq?.label, `1. ${chapterInfo('seq2seq').title['zh-cn']}`);
    assert.equal(seq2seq?.detail, chapterInfo('seq2seq').summary['zh-cn']);
    assert.equal(ui.shown[1].options.title, '训练 Seq2Seq：选择任务');
    assert.equal(ui.shown[1].items[0].description, '默认');
    assert.equal(ui.shown[1].items[1].label, chapterInfo('seq2seq').tasks[1].title['zh-cn']);
  });

  it('asks for the variant, default first, each with its description; skips a single task', async () => {
    const chapter = withVariants();
    const ui = fakeUi(['wide'], [chapter]);
    await trainChapter(ui.deps, chapter.id);
    assert.equal(ui.shown.length, 1, 'chapter preselected, one task: only the variant is asked');
    assert.match(ui.shown[0].options.title, /choose the variant/);
    assert.deepEqual(
      ui.shown[0].items.map((item) => [item.value, item.description, item.detail]),
      [
        ['default', 'default', 'the model as the course describes it'],
        ['small', undefined, 'half the hidden size'],
        ['wide', undefined, 'twice the hidden size'],
      ],
    );
    assert.deepEqual(ui.trained, [{ chapter: chapter.id, choice: { task: 'phrases', variant: 'wide' } }]);
  });

  it('does nothing when the learner cancels any quick pick', async () => {
    const chapter = withVariants();
    const cases: { answers: (string | undefined)[]; chapters: readonly ChapterInfo[]; arg?: unknown }[] = [
      { answers: [undefined], chapters: CHAPTERS },
      { answers: ['attention-seq2seq', undefined], chapters: CHAPTERS },
      { answers: [undefined], chapters: CHAPTERS, arg: 'seq2seq' },
      { answers: [undefined], chapters: [chapter], arg: chapter.id },
    ];
    for (const { answers, chapters, arg } of cases) {
      const ui = fakeUi(answers, chapters);
      await trainChapter(ui.deps, arg);
      assert.equal(ui.shown.length, answers.length);
      assert.deepEqual(ui.trained, [], JSON.stringify(answers));
      assert.deepEqual(ui.previews, []);
    }
    const both = { ...chapter, tasks: chapterInfo('attention-seq2seq').tasks };
    const ui = fakeUi(['attention-seq2seq', 'dates', undefined], [both]);
    await trainChapter(ui.deps);
    assert.equal(ui.shown.length, 3, 'chapter, task, variant');
    assert.deepEqual(ui.trained, []);
  });

  it('starts from the Chapters view with the chapter preselected (its id, or the tree element)', async () => {
    for (const arg of ['seq2seq', chapterInfo('seq2seq')]) {
      const ui = fakeUi(['phrases']);
      await trainChapter(ui.deps, arg);
      assert.equal(ui.shown.length, 1, 'only the task is asked');
      assert.deepEqual(ui.trained, [{ chapter: 'seq2seq', choice: { task: 'phrases', variant: 'default' } }]);
    }
  });

  it('opens the preview of a chapter that cannot be trained yet, even in Restricted Mode', async () => {
    for (const trusted of [true, false]) {
      const ui = fakeUi([], WITH_UNTRAINABLE, trusted);
      await trainChapter(ui.deps, UNTRAINABLE.id);
      assert.deepEqual(ui.previews, [UNTRAINABLE.id]);
      assert.equal(ui.shown.length, 0);
      assert.deepEqual(ui.trained, []);
    }
  });

  it('refuses in Restricted Mode before asking anything', async () => {
    const ui = fakeUi([], CHAPTERS, false);
    await trainChapter(ui.deps, 'attention-seq2seq');
    await trainChapter(ui.deps);
    assert.equal(ui.refusals(), 2);
    assert.equal(ui.shown.length, 0);
    assert.deepEqual(ui.trained, []);
  });

  it('ignores an argument that names no chapter', async () => {
    for (const arg of [42, '../../etc', { id: 'nope' }, null, ['seq2seq']]) {
      const ui = fakeUi([undefined]);
      await trainChapter(ui.deps, arg);
      assert.equal(ui.shown[0].options.title, 'LLM Tutor: Train Chapter', 'asks for the chapter');
    }
  });

  it('asks nothing when no chapter can be trained', async () => {
    const untrainable = CHAPTERS.filter((chapter) => !chapter.trainable);
    const shown: string[] = [];
    const chosen = await chooseChapterTraining(async (_items, options) => void shown.push(options.title), untrainable);
    assert.equal(chosen, undefined);
    assert.deepEqual(shown, []);
  });
});

describe('settings as overrides', () => {
  const settings: Record<string, unknown> = {
    epochs: 3,
    batchSize: 16,
    learningRate: 0.02,
    hiddenSize: 48,
    seed: 9,
    'advanced.trainSize': 200,
    'advanced.validationSize': 40,
    'advanced.testSize': 20,
  };
  const read = (key: string): unknown => settings[key];

  it('applies every hyperparameter setting the chapter declares', () => {
    assert.deepEqual(settingsOverridesFor(chapterInfo('attention-seq2seq'), read), {
      epochs: 3,
      batchSize: 16,
      learningRate: 0.02,
      hiddenSize: 48,
      trainSize: 200,
      validationSize: 40,
      testSize: 20,
    });
    assert.equal(seedFromSettings(read), 9);
  });

  it('sends only keys the chapter declares', () => {
    const base = chapterInfo('seq2seq');
    const undeclared = ['hiddenSize', 'testSize'];
    const lean: ChapterInfo = {
      ...base,
      hyperparameters: base.hyperparameters.filter((spec) => !undeclared.includes(spec.key)),
      tasks: base.tasks.map((task) => ({
        ...task,
        defaults: Object.fromEntries(Object.entries(task.defaults).filter(([key]) => !undeclared.includes(key))),
      })),
    };
    const overrides = settingsOverridesFor(lean, read);
    assert.deepEqual(Object.keys(overrides).sort(), [
      'batchSize',
      'epochs',
      'learningRate',
      'trainSize',
      'validationSize',
    ]);
    const plan = planTraining(lean, {}, { read, seed: seedFromSettings(read) });
    assert.ok(plan.ok, plan.ok ? '' : plan.reason);
    assert.ok(!('hiddenSize' in plan.value.overrides) && !('testSize' in plan.value.overrides));
    assert.ok(!('seed' in plan.value.overrides), 'the seed is its own field');
    assert.equal(plan.value.seed, 9);
    assert.deepEqual(settingsOverridesFor(upcoming(), read), {}, 'a chapter declaring nothing gets nothing');
  });

  it('ignores unset and out-of-range settings (the chapter’s default applies)', () => {
    const invalid: Record<string, unknown> = {
      epochs: 0,
      batchSize: 2.5,
      learningRate: '0.01',
      hiddenSize: null,
      seed: -1,
      'advanced.trainSize': 0,
      'advanced.validationSize': 2,
      'advanced.testSize': 1e9,
    };
    assert.deepEqual(
      settingsOverridesFor(chapterInfo('attention-seq2seq'), (key) => invalid[key]),
      {},
    );
    assert.deepEqual(
      settingsOverridesFor(chapterInfo('attention-seq2seq'), () => undefined),
      {},
    );
    assert.equal(
      seedFromSettings((key) => invalid[key]),
      undefined,
    );
    assert.equal(
      seedFromSettings(() => 2 ** 31),
      undefined,
    );
  });
});

describe('planTraining', () => {
  const none = { read: (): unknown => undefined, seed: undefined };

  it('defaults to the chapter’s task and variant, with no overrides and no seed', () => {
    assert.deepEqual(planTraining(chapterInfo('attention-seq2seq'), {}, none), {
      ok: true,
      value: { task: 'dates', variant: 'default', overrides: {} },
    });
  });

  it('puts the panel’s overrides over the settings', () => {
    const plan = planTraining(
      chapterInfo('seq2seq'),
      { task: 'phrases', overrides: { epochs: 7 } },
      { read: (key) => ({ epochs: 3, batchSize: 8 })[key], seed: 1 },
    );
    assert.deepEqual(plan, {
      ok: true,
      value: { task: 'phrases', variant: 'default', seed: 1, overrides: { epochs: 7, batchSize: 8 } },
    });
  });

  it('refuses what the chapter does not accept', () => {
    const info = chapterInfo('seq2seq');
    const reasons = [
      planTraining(info, { task: 'copy' }, none),
      planTraining(info, { variant: 'unscaled' }, none),
      planTraining(info, { overrides: { epochs: 0 } }, none),
      planTraining(info, { overrides: { attentionSize: 8 } }, none),
      planTraining(UNTRAINABLE, {}, none),
    ].map((plan) => (plan.ok ? assert.fail('accepted') : plan.reason));
    for (const reason of reasons) assert.ok(!reason.includes('\n'), reason);
    assert.match(reasons[0], /unknown task/);
    assert.match(reasons[1], /unknown variant/);
    assert.match(reasons[2], /epochs 0 is outside 1\.\.1000/);
    assert.match(reasons[3], /not a hyperparameter of seq2seq/);
    assert.match(reasons[4], /cannot be trained/);
  });
});

function upcoming(): ChapterInfo {
  assert.equal(UNTRAINABLE.trainable, false);
  return UNTRAINABLE;
}
