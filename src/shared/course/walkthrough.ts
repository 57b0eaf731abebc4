/**
 * The course as a VS Code walkthrough, generated from the catalogue by scripts/build.mjs into
 * package.json (`contributes.walkthroughs`) and package.nls(.zh-cn).json, so adding a chapter still
 * edits only its folder: one step per chapter in the course's order, its summary and learning
 * contract in short, a button that trains it with small settings (`llmTutor.trainChapterQuick`),
 * done when the learner has trained it and opened its maps (the context key the host sets).
 * Pure: no vscode, no Node.
 */
import type { ChapterInfo, HyperValue } from './chapter';
import { specOf } from './hyperparameters';

export const QUICK_TRAIN_COMMAND = 'llmTutor.trainChapterQuick';

/** Small settings: at most 3 epochs and 2000 training examples, within each declared range. */
const SMALL: Record<string, number> = { epochs: 3, trainSize: 2000 };

export function smallSettings(info: ChapterInfo): Record<string, HyperValue> {
  const overrides: Record<string, HyperValue> = {};
  for (const [key, small] of Object.entries(SMALL)) {
    const spec = specOf(info, key);
    if (!spec || (spec.type !== 'integer' && spec.type !== 'number')) continue;
    const value = Math.max(spec.min, Math.min(small, Number(spec.default)));
    if (value !== spec.default) overrides[key] = value;
  }
  return overrides;
}

/** The context key that completes a chapter's step (a key name cannot hold `-`). */
export function chapterDoneKey(id: string): string {
  return `llmTutor.chapterDone.${id.replace(/-/g, '_')}`;
}

type Language = 'en' | 'zh-cn';

const WORDS: Record<Language, Record<string, string>> = {
  en: {
    title: 'Learn attention by training it',
    description: 'The course, one chapter at a time: train each small model, then watch its attention maps form.',
    step: '{index}. {title}',
    newConcepts: 'New: {items}.',
    verifies: 'You will check: {item}',
    lookAt: 'Look at: {item}',
    train: 'Train it (small settings)',
    preview: 'Open the chapter',
    upcoming: 'Not trainable in this version yet: read what it will teach.',
    done: 'Done when you have trained it and opened its attention maps.',
    separator: '; ',
  },
  'zh-cn': {
    title: '通过训练来学习注意力',
    description: '按章节学习课程：训练每个小模型，再观察它的注意力图如何形成。',
    step: '{index}. {title}',
    newConcepts: '新概念：{items}。',
    verifies: '你将验证：{item}',
    lookAt: '观察：{item}',
    train: '训练它（小设置）',
    preview: '打开本章',
    upcoming: '此版本尚不能训练本章：先阅读它将讲授的内容。',
    done: '训练过本章并打开它的注意力图后即完成。',
    separator: '；',
  },
};

function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => String(values[name] ?? `{${name}}`));
}

/** Markdown-safe text for a walkthrough description (no link or emphasis syntax from the contract). */
function plain(text: string): string {
  return text.replace(/[[\]*_`<>\\]/g, (char) => `\\${char}`);
}

function description(info: ChapterInfo, language: Language): string {
  const words = WORDS[language];
  const lines = [plain(info.summary[language])];
  const concepts = info.contract.newConcepts.map((item) => item[language]);
  if (concepts.length > 0 && info.trainable)
    lines.push(plain(fill(words.newConcepts, { items: concepts.join(words.separator) })));
  if (info.trainable) {
    const verifies = info.contract.verifies[0]?.[language];
    if (verifies) lines.push(plain(fill(words.verifies, { item: verifies })));
    const lookAt = info.contract.lookAt[0]?.[language];
    if (lookAt) lines.push(plain(fill(words.lookAt, { item: lookAt })));
    lines.push(words.done);
  } else {
    lines.push(words.upcoming);
  }
  const args = encodeURIComponent(JSON.stringify([info.id]));
  lines.push(`[${info.trainable ? words.train : words.preview}](command:${QUICK_TRAIN_COMMAND}?${args})`);
  return lines.join('\n');
}

export interface WalkthroughStep {
  id: string;
  title: string;
  description: string;
  media: { image: string; altText: string };
  completionEvents: string[];
}

export interface Walkthrough {
  id: string;
  title: string;
  description: string;
  steps: WalkthroughStep[];
}

/** The `walkthroughs` contribution (with %keys%) and the strings of both languages, by key. */
export function walkthroughContribution(chapters: readonly ChapterInfo[]): {
  walkthroughs: Walkthrough[];
  strings: Record<Language, Record<string, string>>;
} {
  const strings: Record<Language, Record<string, string>> = { en: {}, 'zh-cn': {} };
  const key = (name: string, values: Record<Language, string>): string => {
    strings.en[name] = values.en;
    strings['zh-cn'][name] = values['zh-cn'];
    return `%${name}%`;
  };
  const both = (make: (language: Language) => string): Record<Language, string> => ({
    en: make('en'),
    'zh-cn': make('zh-cn'),
  });
  const steps = chapters.map((info, index) => ({
    id: `chapter.${info.id}`,
    title: key(
      `walkthrough.${info.id}.title`,
      both((language) => fill(WORDS[language].step, { index: index + 1, title: info.title[language] })),
    ),
    description: key(
      `walkthrough.${info.id}.description`,
      both((language) => description(info, language)),
    ),
    media: { image: 'media/icon.png', altText: `%walkthrough.${info.id}.title%` },
    completionEvents: info.trainable ? [`onContext:${chapterDoneKey(info.id)}`] : [`onCommand:${QUICK_TRAIN_COMMAND}`],
  }));
  const walkthroughs = [
    {
      id: 'course',
      title: key(
        'walkthrough.title',
        both((language) => WORDS[language].title),
      ),
      description: key(
        'walkthrough.description',
        both((language) => WORDS[language].description),
      ),
      steps,
    },
  ];
  return { walkthroughs, strings };
}
