/** `llm-tutor fill RUN "the [MASK] of the country"`: a masked language model's guesses at each `[MASK]`. */
import * as path from 'path';
import { parseArgs } from 'util';
import { MAX_FILL_TOP } from '../../shared/protocol/engine';
import { readConfig, resolveRunArgument } from '../../runStore';
import { selectBackend } from '../backend';
import { DEFAULT_FILL_TOP, FillError } from '../kits/maskedLm/fill';
import { isMaskedLmData } from '../kits/maskedLm/data';
import { loadRun, PredictError } from '../predict';
import { visibleToken } from './table';
import { EXIT_OK, UsageError, positiveInteger } from './usage';

function percent(probability: number): string {
  return `${(100 * probability).toFixed(1)}%`;
}

export async function fillCommand(args: string[], out: NodeJS.WriteStream): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { 'runs-dir': { type: 'string' }, top: { type: 'string' } },
  });
  if (positionals.length !== 2) {
    throw new UsageError(
      'fill takes a RUN and a quoted text with [MASK], e.g. llm-tutor fill runs/<id> "the [MASK] of the country"',
    );
  }
  const [runArgument, text] = positionals;
  if (text.trim() === '') throw new UsageError('the text to fill is empty');
  if (text.length > 1000) throw new UsageError('the text to fill is longer than 1000 characters');
  const top = positiveInteger('top', values.top) ?? DEFAULT_FILL_TOP;
  if (top > MAX_FILL_TOP) throw new UsageError(`--top must be at most ${MAX_FILL_TOP}, got ${top}`);
  let dir: string;
  try {
    dir = resolveRunArgument(runArgument, path.resolve(values['runs-dir'] ?? 'runs'));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const trainedOn = await readConfig(dir).then(
    (config) => config,
    () => null, // loadRun names the damage
  );
  if (trainedOn && trainedOn.chapter !== 'bert-mlm') {
    throw new UsageError(`cannot fill with ${dir}: it is a ${trainedOn.chapter} run; fill needs a bert-mlm run`);
  }
  await selectBackend(trainedOn?.backend ?? 'auto').catch(() => selectBackend('auto'));
  let run;
  try {
    run = await loadRun(dir);
  } catch (error) {
    if (error instanceof PredictError) throw new UsageError(`cannot use ${dir}: ${error.message}`);
    throw error;
  }
  try {
    if (!isMaskedLmData(run.data)) throw new UsageError(`cannot fill with ${dir}: it is not a masked language model`);
    let result;
    try {
      result = run.data.fill(run.model, text, top);
    } catch (error) {
      if (error instanceof FillError) throw new UsageError(error.message);
      throw error;
    }
    out.write(`input: ${result.tokens.map(visibleToken).join(' ')}\n`);
    if (result.unknownTokens.length) {
      out.write(
        `warning: read as <unk> (not in the vocabulary, or a special token other than [MASK]): ${result.unknownTokens.map(visibleToken).join(' ')}\n`,
      );
    }
    for (const [i, mask] of result.masks.entries()) {
      const guesses = mask.predictions.map((p) => `${visibleToken(p.token)} ${percent(p.probability)}`).join('  ');
      out.write(
        `[MASK] ${i + 1} (position ${mask.position}): ${guesses}  (others ${percent(mask.otherProbability)})\n`,
      );
    }
    const maps = result.masks[0]?.attention.length ?? 0;
    out.write(
      `(each mask's attention in ${maps} map(s), every layer and head, is in the panel and the worker's fill answer)\n`,
    );
    return EXIT_OK;
  } finally {
    run.dispose();
  }
}
