/** l10n/bundle.l10n.zh-cn.json as generated from the extension's message tables (English → Chinese). */
import { MESSAGES_EN, MESSAGES_ZH_CN, type MessageKey } from '../../src/extension/messages';

export function expectedZhCnBundle(): Record<string, string> {
  const bundle: Record<string, string> = {};
  for (const key of Object.keys(MESSAGES_EN) as MessageKey[]) bundle[MESSAGES_EN[key]] = MESSAGES_ZH_CN[key];
  return bundle;
}
