/** `llm-tutor predict RUN "text"`. */
import { parseArgs } from 'util';
import * as path from 'path';
import type { BackendChoice } from '../../protocol/run';
import { BackendUnavailableError, selectBackend } from '../backend';
import { loadRun, predictText } from '../predict';
import { resolveRunArgument } from '../../runStore';
import { renderTable, visibleToken } from './table';
import { EXIT_FAILED, EXIT_OK, UsageError } from './usage';

export async function predictCommand(
  args: string[],
  out: NodeJS.WriteStream,
  err: NodeJS.WriteStream,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { 'runs-dir': { type: 'string' }, backend: { type: 'string' } },
  });
  if (positionals.length !== 2)
    throw new UsageError('predict takes a RUN and a quoted text, e.g. llm-tutor predict runs/<id> "May 3, 1998"');
  const [runArgument, text] = positionals;
  if (text.trim() === '') throw new UsageError('the text to predict is empty');
  let dir: string;
  try {
    dir = resolveRunArgument(runArgument, path.resolve(values['runs-dir'] ?? 'runs'));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const backend = (values.backend ?? 'auto') as BackendChoice;
  if (!['auto', 'tensorflow', 'wasm', 'cpu'].includes(backend))
    throw new UsageError(`--backend must be auto, tensorflow, wasm or cpu, got '${backend}'`);
  try {
    await selectBackend(backend);
  } catch (error) {
    if (error instanceof BackendUnavailableError) throw new UsageError(error.message);
    throw error;
  }
  let run;
  try {
    run = await loadRun(dir);
  } catch (error) {
    err.write(`llm-tutor: cannot load ${dir}: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_FAILED;
  }
  try {
    const prediction = predictText(run, text);
    const join = (tokens: string[]) =>
      tokens.filter((t) => !t.startsWith('<')).join(run.config.tokenLevel === 'char' ? '' : ' ');
    out.write(`src='${join(prediction.source)}' pred='${join(prediction.predicted)}'\n`);
    if (prediction.unknownTokens.length)
      out.write(
        `warning: not in the training vocabulary (read as <unk>): ${prediction.unknownTokens.map(visibleToken).join(' ')}\n`,
      );
    const map = prediction.attention[0];
    if (!map) {
      out.write(`(${run.config.chapter} has no attention: the decoder sees only the encoder's final state)\n`);
      return EXIT_OK;
    }
    out.write(`attention (rows: generated tokens, columns: source tokens; each row sums to 1):\n`);
    const rows = map.weights.map((row, r) => [
      visibleToken(map.rowTokens[r]),
      ...row.map((w) => w.toFixed(2)),
      row.reduce((a, b) => a + b, 0).toFixed(3),
    ]);
    out.write(
      renderTable(
        ['', ...map.columnTokens.map(visibleToken), 'sum'],
        rows,
        map.columnTokens.map((_, i) => i + 1).concat(map.columnTokens.length + 1),
      ) + '\n',
    );
    return EXIT_OK;
  } finally {
    run.dispose();
  }
}
