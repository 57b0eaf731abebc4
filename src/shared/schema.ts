/**
 * Helpers around valibot, the one validation library of the project (chosen over zod: 8.6 KB
 * minified in a browser bundle against 98.6 KB for zod 4 and 26.7 KB for zod/mini, measured on the
 * same message schema). Every message and run record is a valibot schema; the TypeScript types are
 * inferred from it, so a type and its check cannot drift apart.
 *
 * Reasons for rejection are short, single-line and never echo the input: an untrusted message
 * with a 1 MB `type` or a key holding a newline gives a reason of bounded size on one line.
 */
import * as v from 'valibot';

/** Longest reason `describeIssues` returns. */
const MAX_REASON = 200;
const MAX_KEY = 40;

/** A path segment safe to print: identifiers as they are, anything else quoted with control characters escaped and long keys cut. */
function printableKey(key: unknown): string {
  if (typeof key === 'number') return `[${key}]`;
  const text = typeof key === 'string' ? key : typeof key;
  if (/^[A-Za-z_$][\w$-]{0,39}$/.test(text)) return text;
  const cut = text.length > MAX_KEY ? `${text.slice(0, MAX_KEY)}…` : text;
  return `[${JSON.stringify(cut)}]`;
}

function pathOf(issue: v.BaseIssue<unknown>): string {
  const parts = (issue.path ?? []).map((item) => printableKey(item.key));
  return parts.reduce((text, part) => (part.startsWith('[') || text === '' ? `${text}${part}` : `${text}.${part}`), '');
}

/** What was expected, from the schema (never from the input). */
function expectation(issue: v.BaseIssue<unknown>): string {
  if (issue.expected === 'never') return 'is not allowed here';
  if (issue.kind === 'schema' && issue.input === undefined && (issue.path?.length ?? 0) > 0) return 'is missing';
  const requirement = typeof issue.requirement === 'number' ? issue.requirement : null;
  switch (issue.type) {
    case 'custom':
    case 'check':
      // Messages of our own custom checks: fixed texts from the schema.
      return issue.type === 'custom' ? `must be ${issue.message}` : issue.message;
    case 'min_value':
      return `must be ≥ ${requirement}`;
    case 'max_value':
      return `must be ≤ ${requirement}`;
    case 'min_length':
      return `must be at least ${requirement} long`;
    case 'max_length':
      return `must be at most ${requirement} long`;
    case 'safe_integer':
    case 'integer':
      return 'must be a whole number';
    case 'finite':
      return 'must be a finite number';
    case 'regex':
      return 'has the wrong form';
  }
  if (issue.kind === 'validation') return `fails the ${issue.type.replace(/_/g, ' ')} check`;
  const expected = issue.expected ?? issue.type;
  return `must be ${expected.length > 80 ? `${expected.slice(0, 80)}…` : expected}`;
}

/** One line describing the first issue, e.g. `overrides.batchSize must be number`; never the input itself. */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string {
  const first = issues[0];
  if (!first) return 'is invalid';
  const where = pathOf(first);
  const text = where === '' ? expectation(first) : `${where} ${expectation(first)}`;
  return text.length > MAX_REASON ? `${text.slice(0, MAX_REASON)}…` : text;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Validates `value` against `schema`; the reason (one line) is prefixed with `what`. */
export function parseWith<TSchema extends v.GenericSchema>(
  schema: TSchema,
  value: unknown,
  what: string,
): Parsed<v.InferOutput<TSchema>> {
  const result = v.safeParse(schema, value);
  if (result.success) return { ok: true, value: result.output };
  return { ok: false, reason: `${what}: ${describeIssues(result.issues)}` };
}

/** A plain JSON object (not an array, not a typed array or ArrayBuffer, not a class instance). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

/** A record of string keys; only plain objects pass (an empty Uint8Array is not a record). */
export function plainRecord<TValue extends v.GenericSchema>(value: TValue) {
  return v.pipe(v.custom<Record<string, unknown>>(isPlainObject, 'a plain object'), v.record(v.string(), value));
}

/** A measured number: JSON has no NaN, so a NaN or infinite value is written as `null`; read back as NaN. */
export const measure = v.pipe(
  v.nullable(v.number()),
  v.transform((value) => value ?? Number.NaN),
);

/** A whole number ≥ 0. */
export const count = v.pipe(v.number(), v.safeInteger(), v.minValue(0));

/** A finite number. */
export const finite = v.pipe(v.number(), v.finite());

/** A short text (ids, names, tokens): at most `max` characters. */
export function shortText(max = 200) {
  return v.pipe(v.string(), v.maxLength(max));
}

export const BilingualSchema = v.strictObject({ en: v.string(), 'zh-cn': v.string() });
/** A text in both of the course's languages. */
export type Bilingual = v.InferOutput<typeof BilingualSchema>;
