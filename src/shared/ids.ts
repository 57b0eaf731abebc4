/**
 * The names every side shares: chapter ids in the course's order, backends, languages. Plain data,
 * safe for the engine, the extension host and the browser alike (see docs/architecture.md).
 */

/** The course's chapters, in teaching order. A chapter's folder is `src/engine/chapters/<id>/`. */
export const CHAPTER_IDS = [
  'seq2seq',
  'attention-seq2seq',
  'luong-attention',
  'self-attention',
  'multi-head-attention',
  'transformer-encoder',
  'transformer',
  'mini-gpt',
  'bert-mlm',
  'modern-attention',
] as const;
export type ChapterId = (typeof CHAPTER_IDS)[number];

export function isChapterId(x: unknown): x is ChapterId {
  return typeof x === 'string' && (CHAPTER_IDS as readonly string[]).includes(x);
}

export const BACKEND_NAMES = ['tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
export const BACKEND_CHOICES = ['auto', ...BACKEND_NAMES] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

export const LANGUAGES = ['en', 'zh-cn'] as const;
export type Language = (typeof LANGUAGES)[number];
