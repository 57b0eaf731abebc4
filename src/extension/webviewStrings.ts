/** The lab panel's UI strings (src/shared/strings/webview.ts) in the chosen language, for `init.strings`. */
import type { Language } from '../shared/ids';
import { WEBVIEW_STRINGS_EN, WEBVIEW_STRINGS_ZH_CN } from '../shared/strings/webview';

export function webviewStrings(language: Language): Record<string, string> {
  return language === 'zh-cn' ? { ...WEBVIEW_STRINGS_ZH_CN } : { ...WEBVIEW_STRINGS_EN };
}
