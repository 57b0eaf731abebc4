/**
 * Command-line options of `train`: the common ones, and one flag per hyperparameter the chapter
 * declares (`dModel` → `--d-model`), checked against the chapter's types and ranges.
 */
import { parseArgs } from 'util';
import type { ChapterInfo, HyperparameterSpec, HyperValue } from '../../shared/course/chapter';
import { flagOf, parseHyperValue } from '../../shared/course/hyperparameters';
import { UsageError, nonNegativeInteger } from './usage';

const COMMON = {
  task: { type: 'string' },
  variant: { type: 'string' },
  seed: { type: 'string' },
  backend: { type: 'string' },
  'output-dir': { type: 'string' },
  resume: { type: 'string' },
  corpus: { type: 'string' },
  quiet: { type: 'boolean' },
  /** Short for --learning-rate, as in the course's script. */
  lr: { type: 'string' },
} as const;

/** What a flag accepts, from the chapter's declaration. */
function allowedValues(spec: HyperparameterSpec): string {
  switch (spec.type) {
    case 'integer':
      return `must be a whole number in ${spec.min}..${spec.max}`;
    case 'number':
      return `must be a number in ${spec.min}..${spec.max}`;
    case 'choice':
      return `must be one of ${spec.choices.join(', ')}`;
    case 'boolean':
      return 'must be true or false';
  }
}

export interface TrainOptions {
  task?: string;
  variant?: string;
  seed?: number;
  backend?: string;
  outputDir?: string;
  resume?: string;
  corpus?: string;
  quiet: boolean;
  overrides: Record<string, HyperValue>;
}

/** The first argument that is not an option or an option's value: the chapter. */
export function chapterArgument(args: string[]): string | undefined {
  const valued = new Set([
    '--task',
    '--variant',
    '--seed',
    '--backend',
    '--output-dir',
    '--resume',
    '--lr',
    '--corpus',
  ]);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith('-')) return arg;
    if (!arg.includes('=') && (valued.has(arg) || (arg.startsWith('--') && !['--quiet', '--help'].includes(arg)))) i++;
  }
  return undefined;
}

export function parseTrainOptions(args: string[], info: ChapterInfo): TrainOptions {
  const hyperOptions = Object.fromEntries(
    info.hyperparameters.map((spec) => [flagOf(spec.key), { type: 'string' as const }]),
  );
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { ...COMMON, ...hyperOptions } });
  if (positionals.length !== 1) {
    throw new UsageError(
      `train takes one chapter, e.g. 'llm-tutor train attention-seq2seq' (got ${positionals.length})`,
    );
  }
  const overrides: Record<string, HyperValue> = {};
  const all = values as Record<string, string | boolean | undefined>;
  for (const spec of info.hyperparameters) {
    const flag =
      typeof all[flagOf(spec.key)] === 'string' ? flagOf(spec.key) : spec.key === 'learningRate' ? 'lr' : null;
    const text = flag ? all[flag] : undefined;
    if (typeof text !== 'string' || !flag) continue;
    const parsed = parseHyperValue(spec, text);
    if (!parsed.ok)
      throw new UsageError(
        `--${flag} ${allowedValues(spec)}, got '${text.length > 40 ? `${text.slice(0, 40)}…` : text}'`,
      );
    overrides[spec.key] = parsed.value;
  }
  return {
    task: values.task,
    variant: values.variant,
    seed: nonNegativeInteger('seed', values.seed),
    backend: values.backend,
    outputDir: values['output-dir'],
    resume: values.resume,
    corpus: values.corpus,
    quiet: Boolean(values.quiet),
    overrides,
  };
}
