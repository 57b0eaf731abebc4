/**
 * The extension's own messages in the learner's language. `llmTutor.language` may differ from
 * VS Code's display language, so these do not go through `vscode.l10n`: `t(key)` picks from two
 * tables (src/extension/messages.ts) by the language chosen with `setLanguage`.
 * l10n/bundle.l10n.zh-cn.json holds the same strings for VS Code's own mechanism (a test checks
 * they agree). No vscode import: settings.ts feeds the setting in.
 */
import type { Language } from '../shared/ids';
import type { Bilingual } from '../shared/schema';
import { MESSAGES_EN, MESSAGES_ZH_CN, type MessageKey } from './messages';
import type { LanguageSetting } from './settingsValues';

export type { MessageKey };

const TABLES: Record<Language, Record<MessageKey, string>> = { en: MESSAGES_EN, 'zh-cn': MESSAGES_ZH_CN };

let current: Language = 'en';

/** `auto` follows VS Code's display language: Chinese (any `zh*`) → zh-cn, anything else → en. */
export function resolveLanguage(setting: LanguageSetting, displayLanguage: string): Language {
  if (setting === 'en' || setting === 'zh-cn') return setting;
  return displayLanguage.toLowerCase().startsWith('zh') ? 'zh-cn' : 'en';
}

export function setLanguage(language: Language): void {
  current = language;
}

export function currentLanguage(): Language {
  return current;
}

/** Fills `{name}` placeholders (the same syntax as vscode.l10n.t); unknown ones stay as they are. */
export function fill(template: string, values: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole,
  );
}

/** The message `key` in the current language, placeholders filled. */
export function t(key: MessageKey, values?: Record<string, string | number>, language: Language = current): string {
  return fill(TABLES[language][key] ?? MESSAGES_EN[key], values);
}

/** A chapter text (title, summary, …) in the current language. */
export function pick(text: Bilingual, language: Language = current): string {
  return text[language] || text.en;
}

/** A chapter title without its subtitle ("Attention Seq2Seq: additive …" → "Attention Seq2Seq"), for tight places. */
export function shortTitle(title: Bilingual, language: Language = current): string {
  return pick(title, language).split(/[:：]/)[0].trim();
}

/** The `lang` attribute for the panel's HTML. */
export function htmlLanguageTag(language: Language): string {
  return language === 'zh-cn' ? 'zh-CN' : 'en';
}

/** The messages of a language, for tests and the l10n bundle. */
export function messageTable(language: Language): Readonly<Record<MessageKey, string>> {
  return TABLES[language];
}
