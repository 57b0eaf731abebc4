/** `llm-tutor sample RUN --prompt "…" --temperature 0.8 --top-k 20 --top-p 0.95 --max-tokens 200 --seed 1`. */
import * as path from 'path';
import { parseArgs } from 'util';
import { readConfig, resolveRunArgument } from '../../runStore';
import { selectBackend } from '../backend';
import { isLanguageModelData } from '../kits/languageModel/data';
import { checkSampleOptions, type SampleOptions, type SampleStep } from '../kits/languageModel/sample';
import { loadRun, PredictError } from '../predict';
import { visibleToken } from './table';
import { EXIT_OK, UsageError } from './usage';

export const SAMPLE_DEFAULTS = { temperature: 0.8, topK: 0, topP: 1, maxTokens: 200, seed: 42 } as const;

function numberOption(flag: string, value: string | undefined, fallback: number, whole = false): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed) || (whole && !Number.isSafeInteger(parsed))) {
    throw new UsageError(`--${flag} must be ${whole ? 'a whole number' : 'a number'}, got '${value.slice(0, 40)}'`);
  }
  return parsed;
}

/** `'e' 0.412  top: 'e' 0.412 'a' 0.201 …` — one generated token and its distribution's head. */
function stepLine(step: SampleStep, count: number): string {
  const top = step.top
    .slice(0, count)
    .map((entry) => `${JSON.stringify(visibleToken(entry.token))} ${entry.probability.toFixed(3)}`)
    .join(' ');
  return `${String(step.index + 1).padStart(4)} ${JSON.stringify(visibleToken(step.token))} p=${step.probability.toFixed(3)}  top: ${top}`;
}

export async function sampleCommand(args: string[], out: NodeJS.WriteStream, err: NodeJS.WriteStream): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      prompt: { type: 'string' },
      temperature: { type: 'string' },
      'top-k': { type: 'string' },
      'top-p': { type: 'string' },
      'max-tokens': { type: 'string' },
      seed: { type: 'string' },
      'show-top': { type: 'string' },
      'runs-dir': { type: 'string' },
    },
  });
  if (positionals.length !== 1) {
    throw new UsageError('sample takes one RUN, e.g. llm-tutor sample runs/<id> --prompt "The "');
  }
  const showTop = numberOption('show-top', values['show-top'], 0, true);
  if (showTop < 0 || showTop > 50) throw new UsageError(`--show-top must be in 0..50, got ${showTop}`);
  const options: SampleOptions = {
    prompt: values.prompt ?? '',
    temperature: numberOption('temperature', values.temperature, SAMPLE_DEFAULTS.temperature),
    topK: numberOption('top-k', values['top-k'], SAMPLE_DEFAULTS.topK, true),
    topP: numberOption('top-p', values['top-p'], SAMPLE_DEFAULTS.topP),
    maxTokens: numberOption('max-tokens', values['max-tokens'], SAMPLE_DEFAULTS.maxTokens, true),
    seed: numberOption('seed', values.seed, SAMPLE_DEFAULTS.seed, true),
    topCount: Math.max(showTop, 1),
    attention: false,
  };
  const problem = checkSampleOptions(options);
  if (problem) throw new UsageError(`--${problem}`);
  let dir: string;
  try {
    dir = resolveRunArgument(positionals[0], path.resolve(values['runs-dir'] ?? 'runs'));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  // The run's own backend when it is available here.
  const trainedOn = await readConfig(dir).then(
    (config) => config.backend,
    () => null, // loadRun names the damage
  );
  await selectBackend(trainedOn ?? 'auto').catch(() => selectBackend('auto'));
  let run;
  try {
    run = await loadRun(dir);
  } catch (error) {
    if (error instanceof PredictError) throw new UsageError(`cannot use ${dir}: ${error.message}`);
    throw error;
  }
  try {
    const data = run.data;
    if (!isLanguageModelData(data)) {
      throw new UsageError(
        `${dir} is a ${run.config.chapter} run: only language models (mini-gpt, modern-attention) can sample`,
      );
    }
    const sampler = data.sampler(run.model, options);
    try {
      if (sampler.unknownTokens.length > 0) {
        err.write(
          `warning: not in the training vocabulary (read as <unk>): ${sampler.unknownTokens.map(visibleToken).join(' ')}\n`,
        );
      }
      if (showTop === 0) out.write(options.prompt);
      for (let step = sampler.next(); step; step = sampler.next()) {
        out.write(showTop === 0 ? step.text : `${stepLine(step, showTop)}\n`);
      }
      if (showTop === 0) out.write('\n');
      else out.write(`${options.prompt}${sampler.text()}\n`);
    } finally {
      sampler.dispose();
    }
    return EXIT_OK;
  } finally {
    run.dispose();
  }
}
