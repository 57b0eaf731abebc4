/** The lines the CLI prints and `log.txt` keeps (the course's script prints the same fields). */
import type { EpochMetrics } from '../../protocol/run';
import { joinTokens } from '../tasks';
import type { Example } from '../tasks/types';

function pad3(n: number, total: number): string {
  return String(n).padStart(Math.max(3, String(total).length), '0');
}

export function formatEpochLine(m: EpochMetrics, epochs: number): string {
  const longest = m.buckets[m.buckets.length - 1];
  return (
    `epoch=${pad3(m.epoch, epochs)} train_loss=${m.train_loss.toFixed(4)} val_loss=${m.val_loss.toFixed(4)} ` +
    `val_token_acc=${m.val_token_accuracy.toFixed(4)} val_exact=${m.val_exact_match.toFixed(4)}` +
    (longest ? ` val_exact_longest(${longest.minLength}-${longest.maxLength})=${longest.exactMatch.toFixed(4)}` : '') +
    ` seconds=${m.seconds.toFixed(1)} samples_per_s=${m.samples_per_second.toFixed(0)}`
  );
}

/** `src='…' target='…' pred='…'` (quotes inside tokens are escaped so the line stays parseable). */
export function formatSampleLine(example: Example, predicted: string[], level: 'char' | 'word'): string {
  const quote = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  return `src=${quote(joinTokens(example.source, level))} target=${quote(joinTokens(example.target, level))} pred=${quote(joinTokens(predicted, level))}`;
}
