/**
 * Resuming a run: the new run folder starts with the history of the old one (its completed
 * epochs' metrics, attention and samples), so its curves and epoch slider are whole. The old
 * folder is only read, never changed.
 */
import type { EpochMetrics } from '../../protocol/run';
import { samplesPath } from '../../runStore/paths';
import { readAttention, readMetrics } from '../../runStore/reader';
import type { RunWriter } from '../../runStore/writer';
import * as fs from 'fs';

export async function copyHistory(
  fromDir: string,
  writer: RunWriter,
  epochs: number,
): Promise<{ seconds: number; step: number }> {
  const { records } = await readMetrics(fromDir);
  const kept = records.filter((r) => r.epoch <= epochs);
  for (const record of kept) writer.appendMetrics(record);
  for (let epoch = 1; epoch <= epochs; epoch++) {
    try {
      writer.writeAttention(await readAttention(fromDir, epoch));
    } catch {
      // A chapter without attention (or a missing snapshot) has nothing to copy.
    }
    const samples = samplesPath(fromDir, epoch);
    if (fs.existsSync(samples)) writer.writeSamples(JSON.parse(fs.readFileSync(samples, 'utf8')));
  }
  const last = kept.filter((r): r is EpochMetrics => r.kind === 'epoch').pop();
  return { seconds: last?.seconds ?? 0, step: last?.step ?? 0 };
}
