/** `llm-tutor predict RUN "text"`. */
import * as path from 'path';
import { parseArgs } from 'util';
import { mapKey, mapRow, unpackMap } from '../../shared/run/attention';
import type { AttentionMap } from '../../shared/run/records';
import { readConfig, resolveRunArgument } from '../../runStore';
import { loadRun, predictText, PredictError } from '../predict';
import { SPECIAL_TOKENS } from '../tasks/vocab';
import { selectBackend } from '../backend';
import { renderTable, visibleToken } from './table';
import { EXIT_OK, EXIT_USAGE, UsageError } from './usage';

/** The map to print: the one named by --map, else the first cross-attention, else the first. */
function chooseMap(maps: AttentionMap[], key: string | undefined): AttentionMap | undefined {
  if (key !== undefined) {
    const found = maps.find((map) => mapKey(map) === key);
    if (!found) throw new UsageError(`--map ${key} is not one of: ${maps.map(mapKey).join(', ') || 'none'}`);
    return found;
  }
  return maps.find((map) => map.kind === 'cross') ?? maps[0];
}

export function renderMap(map: AttentionMap): string {
  const unpacked = unpackMap(map);
  if (!unpacked) return '(this attention map is damaged)';
  const rows = map.rowTokens.map((token, r) => {
    const row = mapRow(unpacked, r);
    return [visibleToken(token), ...row.map((w) => w.toFixed(2)), row.reduce((a, b) => a + b, 0).toFixed(3)];
  });
  return renderTable(
    ['', ...map.columnTokens.map(visibleToken), 'sum'],
    rows,
    map.columnTokens.map((_, i) => i + 1).concat(map.columnTokens.length + 1),
  );
}

export async function predictCommand(
  args: string[],
  out: NodeJS.WriteStream,
  err: NodeJS.WriteStream,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { 'runs-dir': { type: 'string' }, map: { type: 'string' } },
  });
  if (positionals.length !== 2) {
    throw new UsageError('predict takes a RUN and a quoted text, e.g. llm-tutor predict runs/<id> "May 3, 1998"');
  }
  const [runArgument, text] = positionals;
  if (text.trim() === '') throw new UsageError('the text to predict is empty');
  if (text.length > 1000) throw new UsageError('the text to predict is longer than 1000 characters');
  let dir: string;
  try {
    dir = resolveRunArgument(runArgument, path.resolve(values['runs-dir'] ?? 'runs'));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  // The run's own backend when it is available here (any backend gives the same numbers to 1e-4).
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
    const prediction = predictText(run, text);
    const join = (tokens: string[]) => tokens.join(run.config.data.tokenLevel === 'char' ? '' : ' ');
    // The source is what the learner typed, shown as typed (a typed `<pad>` is text, read as
    // unknown); the prediction drops the model's own control tokens (`<eos>`).
    const generated = prediction.predicted.filter((token) => !(SPECIAL_TOKENS as readonly string[]).includes(token));
    out.write(`src='${join(prediction.source)}' pred='${join(generated)}'\n`);
    if (prediction.unknownTokens.length) {
      out.write(
        `warning: not in the training vocabulary (read as <unk>): ${prediction.unknownTokens.map(visibleToken).join(' ')}\n`,
      );
    }
    const map = chooseMap(prediction.maps, values.map);
    if (!map) {
      out.write(`(${run.config.chapter} has no attention: the decoder sees only the encoder's final state)\n`);
      return EXIT_OK;
    }
    const others = prediction.maps.length - 1;
    out.write(
      `attention ${mapKey(map)} (rows: ${map.mode === 'generated' ? 'generated' : 'output'} tokens, columns: ${map.kind === 'cross' ? 'source' : 'input'} tokens; each row sums to 1)` +
        (others > 0 ? `; ${others} more map(s), choose one with --map` : '') +
        ':\n',
    );
    out.write(renderMap(map) + '\n');
    return EXIT_OK;
  } catch (error) {
    // The text cannot be read by this model (too long for its positions…): bad input, one line.
    err.write(`llm-tutor: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}\n`);
    return EXIT_USAGE;
  } finally {
    run.dispose();
  }
}
