/**
 * Resuming a run: the new run folder starts with the history of the old one (its completed
 * epochs' metrics, attention and samples, upgraded to the current format), so its curves and
 * epoch slider are whole. The old folder is only read, never changed. A snapshot that cannot be
 * read is not copied, and the log says which and why.
 */
import type { MetricsRecord } from '../../shared/run/records';
import { ATTENTION_DIR, DamagedRunError, readAttention, readSamples, type RunWriter } from '../../runStore';
import { listEpochFiles } from '../../runStore/reader';

export async function copyHistory(
  fromDir: string,
  writer: RunWriter,
  history: MetricsRecord[],
  epochs: number,
  log: (line: string) => void,
): Promise<void> {
  for (const record of history) writer.appendMetrics(record);
  // A chapter without maps writes no attention snapshots: their absence is news only for one with maps.
  const hasMaps = (await listEpochFiles(fromDir, ATTENTION_DIR, [])).length > 0;
  for (let epoch = 1; epoch <= epochs; epoch++) {
    for (const [what, read, write] of [
      ['attention', () => readAttention(fromDir, epoch), writer.writeAttention.bind(writer)],
      ['samples', () => readSamples(fromDir, epoch), writer.writeSamples.bind(writer)],
    ] as const) {
      try {
        (write as (value: unknown) => void)(await read());
      } catch (error) {
        const reason =
          error instanceof DamagedRunError ? error.reason : error instanceof Error ? error.message : String(error);
        if (!/is missing$/.test(reason) || what === 'samples' || hasMaps) log(`resume: not copied: ${reason}`);
      }
    }
  }
}
