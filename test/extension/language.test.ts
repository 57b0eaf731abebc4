/** Both languages complete: the extension's messages, the manifest's %keys%, the l10n bundle. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { fill, resolveLanguage, setLanguage, t } from '../../src/extension/language';
import { MESSAGES_EN, MESSAGES_ZH_CN, type MessageKey } from '../../src/extension/messages';
import { expectedZhCnBundle } from './l10nBundle';

const root = path.join(__dirname, '..', '..');
const readJson = (file: string): Record<string, unknown> =>
  JSON.parse(fs.readFileSync(path.join(root, file), 'utf8')) as Record<string, unknown>;
const placeholders = (text: string): string[] => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
const hasHan = (text: string): boolean => /\p{Script=Han}/u.test(text);

describe('extension message tables', () => {
  const keys = Object.keys(MESSAGES_EN) as MessageKey[];

  it('have the same keys in English and Simplified Chinese, none empty', () => {
    assert.deepEqual(Object.keys(MESSAGES_ZH_CN).sort(), [...keys].sort());
    for (const key of keys) {
      assert.ok(MESSAGES_EN[key].trim(), `en ${key} empty`);
      assert.ok(MESSAGES_ZH_CN[key].trim(), `zh-cn ${key} empty`);
    }
  });

  it('use the same placeholders in both languages', () => {
    for (const key of keys) assert.deepEqual(placeholders(MESSAGES_ZH_CN[key]), placeholders(MESSAGES_EN[key]), key);
  });

  it('are really translated: every Chinese sentence has Chinese characters', () => {
    for (const key of keys) {
      const words = MESSAGES_EN[key].replace(/\{\w+\}/g, '').match(/[A-Za-z]{3,}/g) ?? [];
      if (words.length > 0)
        assert.ok(hasHan(MESSAGES_ZH_CN[key]), `zh-cn ${key} looks untranslated: ${MESSAGES_ZH_CN[key]}`);
    }
  });

  it('have distinct English texts (the l10n bundle is keyed by them)', () => {
    const texts = keys.map((k) => MESSAGES_EN[k]);
    assert.equal(new Set(texts).size, texts.length);
  });

  it('agree with l10n/bundle.l10n.zh-cn.json (regenerate: node --import tsx test/extension/writeL10nBundle.ts)', () => {
    assert.deepEqual(readJson('l10n/bundle.l10n.zh-cn.json'), expectedZhCnBundle());
  });
});

describe('t and resolveLanguage', () => {
  it('resolves auto by VS Code’s display language, else the setting wins', () => {
    assert.equal(resolveLanguage('auto', 'zh-cn'), 'zh-cn');
    assert.equal(resolveLanguage('auto', 'zh-tw'), 'zh-cn');
    assert.equal(resolveLanguage('auto', 'en'), 'en');
    assert.equal(resolveLanguage('auto', 'de'), 'en');
    assert.equal(resolveLanguage('en', 'zh-cn'), 'en');
    assert.equal(resolveLanguage('zh-cn', 'en'), 'zh-cn');
  });

  it('fills placeholders in the current language', () => {
    setLanguage('zh-cn');
    assert.equal(t('runFailed', { run: 'r1', reason: 'x' }), '运行 r1 失败：x');
    setLanguage('en');
    assert.equal(t('runFailed', { run: 'r1', reason: 'x' }), 'Run r1 failed: x');
    assert.equal(fill('{a} and {b}', { a: 1 }), '1 and {b}');
    assert.equal(fill('{constructor}', {}), '{constructor}');
  });
});

describe('manifest localisation', () => {
  const pkg = readJson('package.json');
  const nlsEn = readJson('package.nls.json');
  const nlsZh = readJson('package.nls.zh-cn.json');

  function percentKeys(value: unknown, found: string[] = []): string[] {
    if (typeof value === 'string') {
      const match = /^%([^%]+)%$/.exec(value);
      if (match) found.push(match[1]);
    } else if (Array.isArray(value)) {
      for (const item of value) percentKeys(item, found);
    } else if (value && typeof value === 'object') {
      for (const item of Object.values(value)) percentKeys(item, found);
    }
    return found;
  }

  it('package.nls.json and package.nls.zh-cn.json have the same keys', () => {
    assert.deepEqual(Object.keys(nlsZh).sort(), Object.keys(nlsEn).sort());
    for (const [key, value] of Object.entries(nlsZh)) assert.ok(typeof value === 'string' && value.trim(), key);
  });

  it('every %key% used in package.json exists in both', () => {
    const used = percentKeys(pkg);
    assert.ok(used.length > 20, 'the manifest is localised');
    for (const key of used) {
      assert.ok(key in nlsEn, `package.nls.json lacks ${key}`);
      assert.ok(key in nlsZh, `package.nls.zh-cn.json lacks ${key}`);
    }
  });

  it('every key of package.nls.json is used', () => {
    const used = new Set(percentKeys(pkg));
    for (const key of Object.keys(nlsEn)) assert.ok(used.has(key), `${key} is not used in package.json`);
  });

  it('titles of commands, views and settings are localised, not literal', () => {
    const contributes = pkg.contributes as {
      commands: { command: string; title: string; category: string }[];
      views: Record<string, { id: string; name: string }[]>;
      configuration: { properties: Record<string, { markdownDescription?: string; description?: string }> };
    };
    for (const command of contributes.commands) {
      assert.match(command.title, /^%.+%$/, command.command);
      assert.match(command.category, /^%.+%$/, command.command);
    }
    for (const view of Object.values(contributes.views).flat()) assert.match(view.name, /^%.+%$/, view.id);
    for (const [name, property] of Object.entries(contributes.configuration.properties)) {
      assert.match(property.markdownDescription ?? property.description ?? '', /^%.+%$/, name);
    }
  });

  it('the Chinese manifest strings are Chinese where the English has words', () => {
    for (const [key, value] of Object.entries(nlsEn)) {
      const english = String(value).replace(/`[^`]*`|\([^)]*\)|\{\w+\}|LLM Tutor|Seq2Seq/g, '');
      if (/[A-Za-z]{4,}/.test(english) && key !== 'config.language.en')
        assert.ok(hasHan(String(nlsZh[key])), `${key}: ${String(nlsZh[key])}`);
    }
  });
});
