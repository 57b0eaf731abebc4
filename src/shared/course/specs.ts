/**
 * Building blocks for chapters' info files: the hyperparameters, metrics, charts and tasks that
 * several chapters declare the same way. A chapter uses what fits and declares the rest itself.
 */
import type { ChartSpec, HyperparameterSpec, MetricSpec, TaskInfo } from './chapter';

type Group = HyperparameterSpec['group'];

export function integer(
  key: string,
  label: { en: string; 'zh-cn': string },
  defaultValue: number,
  min: number,
  max: number,
  group: Group = 'model',
  inForm = true,
): HyperparameterSpec {
  return { key, type: 'integer', label, group, inForm, default: defaultValue, min, max };
}

export function number(
  key: string,
  label: { en: string; 'zh-cn': string },
  defaultValue: number,
  min: number,
  max: number,
  group: Group = 'training',
  inForm = true,
): HyperparameterSpec {
  return { key, type: 'number', label, group, inForm, default: defaultValue, min, max };
}

export function choice(
  key: string,
  label: { en: string; 'zh-cn': string },
  defaultValue: string,
  choices: string[],
  group: Group = 'model',
  inForm = true,
): HyperparameterSpec {
  return { key, type: 'choice', label, group, inForm, default: defaultValue, choices };
}

export function flag(
  key: string,
  label: { en: string; 'zh-cn': string },
  defaultValue: boolean,
  group: Group = 'model',
  inForm = true,
): HyperparameterSpec {
  return { key, type: 'boolean', label, group, inForm, default: defaultValue };
}

/** Epochs, batch size, learning rate and gradient clipping, with a chapter's defaults. */
export function trainingHyperparameters(defaults: {
  epochs: number;
  batchSize: number;
  learningRate: number;
  clipNorm: number;
}): HyperparameterSpec[] {
  return [
    integer('epochs', { en: 'epochs', 'zh-cn': '训练轮数' }, defaults.epochs, 1, 1000, 'training'),
    integer('batchSize', { en: 'batch size', 'zh-cn': '批大小' }, defaults.batchSize, 1, 1024, 'training'),
    number('learningRate', { en: 'learning rate', 'zh-cn': '学习率' }, defaults.learningRate, 1e-6, 1, 'training'),
    number(
      'clipNorm',
      { en: 'gradient clip (global norm)', 'zh-cn': '梯度裁剪（全局范数）' },
      defaults.clipNorm,
      1e-3,
      1e6,
      'training',
      false,
    ),
  ];
}

/** Sizes of a generated data set; each task sets its own defaults (TaskInfo.defaults). */
export function datasetSizes(defaults: {
  trainSize: number;
  validationSize: number;
  testSize: number;
}): HyperparameterSpec[] {
  return [
    integer(
      'trainSize',
      { en: 'training examples', 'zh-cn': '训练样本数' },
      defaults.trainSize,
      1,
      100000,
      'data',
      false,
    ),
    integer(
      'validationSize',
      { en: 'validation examples', 'zh-cn': '验证样本数' },
      defaults.validationSize,
      3,
      100000,
      'data',
      false,
    ),
    integer('testSize', { en: 'test examples', 'zh-cn': '测试样本数' }, defaults.testSize, 1, 100000, 'data', false),
  ];
}

export const LOSS_CHART: ChartSpec = { id: 'loss', title: { en: 'Loss', 'zh-cn': '损失' }, unit: 'nats' };
export const ACCURACY_CHART: ChartSpec = {
  id: 'accuracy',
  title: { en: 'Validation accuracy', 'zh-cn': '验证集准确率' },
  unit: 'ratio',
};

export const VAL_LOSS: MetricSpec = {
  key: 'val_loss',
  label: { en: 'validation loss', 'zh-cn': '验证集损失' },
  unit: 'nats',
  better: 'lower',
  chart: 'loss',
};
/** The metrics of a character-level language model (mini-gpt, modern-attention): loss against the bigram baseline, bpc, perplexity. */
export const CHARACTER_LM_METRICS: MetricSpec[] = [
  { ...VAL_LOSS, label: { en: 'validation loss (nats per character)', 'zh-cn': '验证集损失（每字符奈特）' } },
  {
    key: 'bigram_loss',
    label: { en: 'bigram baseline (same characters)', 'zh-cn': '二元语法基线（同一批字符）' },
    unit: 'nats',
    better: 'neither',
    chart: 'loss',
    cli: 'bigram',
  },
  {
    key: 'nats_below_bigram',
    label: { en: 'below the bigram baseline', 'zh-cn': '低于二元语法基线' },
    unit: 'nats',
    better: 'higher',
    chart: 'baseline',
    cli: 'below_bigram',
  },
  {
    key: 'val_bpc',
    label: { en: 'bits per character', 'zh-cn': '每字符比特数' },
    unit: 'bits',
    better: 'lower',
    chart: 'bits',
    cli: 'bpc',
  },
  {
    key: 'val_perplexity',
    label: { en: 'perplexity', 'zh-cn': '困惑度' },
    unit: 'perplexity',
    better: 'lower',
    chart: 'perplexity',
    cli: 'ppl',
  },
];
export const VAL_TOKEN_ACCURACY: MetricSpec = {
  key: 'val_token_accuracy',
  label: { en: 'token accuracy', 'zh-cn': '词元准确率' },
  unit: 'ratio',
  better: 'higher',
  chart: 'accuracy',
  cli: 'val_token_acc',
};
export const VAL_EXACT_MATCH: MetricSpec = {
  key: 'val_exact_match',
  label: { en: 'exact match', 'zh-cn': '完全匹配率' },
  unit: 'ratio',
  better: 'higher',
  chart: 'accuracy',
  cli: 'val_exact',
};

export const DATES_TASK: TaskInfo = {
  id: 'dates',
  title: { en: 'dates → ISO', 'zh-cn': '日期 → ISO 格式' },
  description: {
    en: '14 human date formats → YYYY-MM-DD, character level; most formats put the year last, so alignments cross',
    'zh-cn': '14 种人类书写的日期格式 → YYYY-MM-DD，字符级；多数格式把年份放在最后，所以对齐会交叉',
  },
  defaults: { trainSize: 10000, validationSize: 1000, testSize: 1000 },
};
export const PHRASES_TASK: TaskInfo = {
  id: 'phrases',
  title: { en: 'English → Chinese phrases', 'zh-cn': '英文 → 中文短语' },
  description: {
    en: 'a small phrase grammar, word level; relative clauses and prepositional modifiers reverse the word order',
    'zh-cn': '一个小型短语语法，词级；关系从句和介词修饰语会使语序反转',
  },
  defaults: { trainSize: 6000, validationSize: 600, testSize: 600 },
};
