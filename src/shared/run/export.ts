/**
 * What the lab exports, the same from the panel and the CLI (`llm-tutor export`): the metrics as
 * CSV (one row per evaluation, the declared metrics as columns), a probe's attention as JSON
 * (`ProbeExport`, which round-trips through its schema), and the check of an export's content
 * before the host writes it (the webview is untrusted: bounded size, the format it claims, no
 * script in an SVG). Pictures are built by ../render (SVG) and, in the panel, drawn to PNG.
 * Pure: no DOM, no Node.
 */
import * as v from 'valibot';
import type { ChapterInfo } from '../course/chapter';
import { CHAPTER_IDS } from '../ids';
import { count, type Parsed } from '../schema';
import { base64ToBytes } from './packed';
import { ProbeRecordSchema, type EvaluationRecord, type ProbeRecord } from './records';

export const EXPORT_FORMATS = ['png', 'svg', 'csv', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** The longest export the host accepts from a webview, in characters (a PNG as base64). */
export const MAX_EXPORT_CHARS = 24 * 1024 * 1024;

/** A file name the webview proposes (the learner chooses the real one): no folder, no extension. */
export const ExportNameSchema = v.pipe(v.string(), v.maxLength(100), v.regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/));

export const EXTENSIONS: Record<ExportFormat, string> = { png: 'png', svg: 'svg', csv: 'csv', json: 'json' };

/** A safe file name from any text: letters, digits, `.`, `_`, `-` (at most 100). */
export function exportName(...parts: (string | number)[]): string {
  const name = parts
    .map(String)
    .join('-')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 100)
    .replace(/[.-]+$/, '');
  return name || 'export';
}

// ── the metrics as CSV ──────────────────────────────────────────────────────────────────────

function csvCell(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function csvNumber(value: number | undefined): string {
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : '';
}

/**
 * One row per evaluation (its last record when an epoch was written twice), ascending: `epoch`,
 * `step`, `seconds`, `train_loss`, then every metric the chapter declares, by key, in its order.
 * A missing or diverged value is an empty cell.
 */
export function metricsCsv(chapter: Pick<ChapterInfo, 'metrics'>, evaluations: readonly EvaluationRecord[]): string {
  const byEpoch = new Map<number, EvaluationRecord>();
  for (const record of evaluations) byEpoch.set(record.epoch, record);
  const keys = chapter.metrics.map((metric) => metric.key);
  const lines = [['epoch', 'step', 'seconds', 'train_loss', ...keys].map(csvCell).join(',')];
  for (const record of [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch)) {
    lines.push(
      [
        String(record.epoch),
        String(record.step),
        csvNumber(record.seconds),
        csvNumber(record.train_loss),
        ...keys.map((key) => csvNumber(record.values[key])),
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

// ── a probe's attention as JSON ─────────────────────────────────────────────────────────────

export const PROBE_EXPORT_KIND = 'llm-tutor.probe-attention';

/** One probe of one attention snapshot, with where it comes from; `probe` is its index (0 = the first). */
export const ProbeExportSchema = v.strictObject({
  kind: v.literal(PROBE_EXPORT_KIND),
  formatVersion: v.literal(1),
  runId: v.pipe(v.string(), v.maxLength(200)),
  chapter: v.picklist(CHAPTER_IDS),
  epoch: count,
  step: count,
  probe: count,
  record: ProbeRecordSchema,
});
export type ProbeExport = v.InferOutput<typeof ProbeExportSchema>;

export function probeExport(parts: Omit<ProbeExport, 'kind' | 'formatVersion' | 'record'>, record: ProbeRecord) {
  const exported: ProbeExport = { kind: PROBE_EXPORT_KIND, formatVersion: 1, ...parts, record };
  return exported;
}

/** The JSON text of a probe export (NaN check values are written as null, read back as NaN). */
export function probeExportJson(exported: ProbeExport): string {
  return `${JSON.stringify(exported, null, 1)}\n`;
}

// ── checking an export before it is written ─────────────────────────────────────────────────

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** What the host writes: the bytes of a PNG, or the text of the other formats. */
export type ExportPayload =
  { format: 'png'; bytes: Uint8Array } | { format: Exclude<ExportFormat, 'png'>; text: string };

const refuse = (reason: string): { ok: false; reason: string } => ({ ok: false, reason });

/** Checks `content` is what `format` says (PNG as base64); the reason is one line that never echoes the content. */
export function checkExportContent(format: ExportFormat, content: string): Parsed<ExportPayload> {
  if (content.length > MAX_EXPORT_CHARS) return refuse(`export: the ${format} is larger than the limit`);
  switch (format) {
    case 'png': {
      const bytes = base64ToBytes(content);
      if (!bytes || bytes.length < 33 || PNG_SIGNATURE.some((byte, i) => bytes[i] !== byte))
        return refuse('export: the png content is not a PNG image in base64');
      return { ok: true, value: { format, bytes } };
    }
    case 'svg': {
      const text = content.trim();
      if (!/^(<\?xml[^>]*\?>\s*)?<svg[\s>]/.test(text) || !text.endsWith('</svg>'))
        return refuse('export: the svg content is not one SVG document');
      // The panel's SVGs are shapes and text: nothing that runs or loads when the file is opened.
      if (/<\s*(script|foreignObject|iframe|object|embed|image|use)\b/i.test(text) || /\son[a-z]+\s*=/i.test(text))
        return refuse('export: the svg content holds a script, an event handler or an embedded object');
      if (/\b(href|src)\s*=\s*["'](?!#)/i.test(text) || /url\(\s*["']?(?!#)/i.test(text))
        return refuse('export: the svg content links outside itself');
      return { ok: true, value: { format, text: content } };
    }
    case 'csv': {
      if (content.includes('\u0000') || !/^[^\n]+\n/.test(content))
        return refuse('export: the csv content is not a table');
      return { ok: true, value: { format, text: content } };
    }
    case 'json': {
      let parsed: unknown;
      try {
        parsed = JSON.parse(content);
      } catch {
        return refuse('export: the json content does not parse');
      }
      if (!v.is(ProbeExportSchema, parsed)) return refuse('export: the json content is not a probe’s attention');
      return { ok: true, value: { format, text: content } };
    }
  }
}
