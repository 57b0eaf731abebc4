/** The current UI language and strings (from `init`), with English fallback for missing keys. */
import type { Language } from '../src/shared/ids';
import type { Bilingual } from '../src/shared/schema';
import { WEBVIEW_STRINGS_EN, type WebviewStringKey } from '../src/shared/strings/webview';

let strings: Record<string, string> = {};
let language: Language = 'en';

export function setStrings(received: Record<string, string> | undefined, lang: Language): void {
  strings = {};
  for (const [key, value] of Object.entries(received ?? {})) {
    if (typeof value === 'string') strings[key] = value;
  }
  language = lang === 'zh-cn' ? 'zh-cn' : 'en';
}

export function currentLanguage(): Language {
  return language;
}

/** Fills `{name}` placeholders; unknown placeholders are left as they are. */
export function fill(template: string, values: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}

/** The UI string for `key` in the current language, placeholders filled. */
export function t(key: WebviewStringKey, values?: Record<string, string | number>): string {
  return fill(strings[key] ?? WEBVIEW_STRINGS_EN[key], values);
}

/** Picks the current language from a chapter's bilingual text. */
export function pick(text: Bilingual | undefined): string {
  if (!text) return '';
  return text[language] || text.en || '';
}

/** Items written out in a sentence: "a, b, c" / "a，b，c". */
export function list(items: readonly (string | number)[]): string {
  return items.join(t('listSeparator'));
}
