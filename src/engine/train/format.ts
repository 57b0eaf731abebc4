/** The lines the CLI prints and `log.txt` keeps (the course's script prints the same fields). */
import type { ChapterInfo } from '../../shared/course/chapter';
import type { EvaluationRecord, SelfCheckResult } from '../../shared/run/records';
import { joinTokens } from '../tasks';
import type { Example } from '../tasks/types';

function pad3(n: number, total: number): string {
  return String(n).padStart(Math.max(3, String(total).length), '0');
}

function decimals(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : String(value);
}

/**
 * `epoch=001 train_loss=… <each declared metric>=… seconds=… samples_per_s=…`, the metrics in the
 * order the chapter declares them, by their CLI names (`val_exact`), then the longest length bucket.
 */
export function formatEvaluationLine(record: EvaluationRecord, info: ChapterInfo, epochs: number): string {
  const metrics = info.metrics
    .filter((metric) => metric.key in record.values)
    .map((metric) => `${metric.cli ?? metric.key}=${decimals(record.values[metric.key], 4)}`);
  const longest = record.buckets?.[record.buckets.length - 1];
  return [
    `${info.trainingUnit === 'epoch' ? 'epoch' : 'eval'}=${pad3(record.epoch, epochs)}`,
    ...(info.trainingUnit === 'epoch' ? [] : [`step=${record.step}`]),
    `train_loss=${decimals(record.train_loss, 4)}`,
    ...metrics,
    ...(longest
      ? [`val_exact_longest(${longest.minLength}-${longest.maxLength})=${decimals(longest.exactMatch, 4)}`]
      : []),
    `seconds=${decimals(record.seconds, 1)}`,
    `samples_per_s=${decimals(record.samples_per_second, 0)}`,
  ].join(' ');
}

/** A measured value in the check line: small values in exponent form. */
function checkValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  return Math.abs(value) < 1e-3 ? value.toExponential(1) : value.toFixed(3);
}

/** `checks: rows-sum-to-one=pass(3.0e-7≤1e-5) masked-zero=pass(0≤0) anti-diagonal=FAIL(0.420≥0.900)`. */
export function formatChecksLine(checks: SelfCheckResult[]): string {
  const parts = checks.map((check) => {
    const sign = check.comparison === 'at-most' ? '≤' : '≥';
    return `${check.id}=${check.pass ? 'pass' : 'FAIL'}(${checkValue(check.value)}${sign}${checkValue(check.threshold)})`;
  });
  return `checks: ${parts.join(' ')}`;
}

/** `src='…' target='…' pred='…'` (quotes inside tokens are escaped so the line stays parseable). */
export function formatSampleLine(example: Example, predicted: string[], level: 'char' | 'word'): string {
  const quote = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  return `src=${quote(joinTokens(example.source, level))} target=${quote(joinTokens(example.target, level))} pred=${quote(joinTokens(predicted, level))}`;
}
