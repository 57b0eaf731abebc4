/**
 * The lab panel's HTML and its Content-Security-Policy. Every load gets a fresh nonce; the only
 * script is `dist/webview.js`, allowed by that nonce (no inline script, no eval); resources come
 * only from the webview's own resource origin (`cspSource`), which `localResourceRoots` limits to
 * the extension's `dist` and `media` folders. No vscode import.
 */
import { randomBytes } from 'crypto';
import * as path from 'path';

/** A fresh, unguessable nonce (128 random bits, base64). */
export function makeNonce(): string {
  return randomBytes(16).toString('base64');
}

/** The only folders the webview may load from: the bundles and the media (icons, CSS). */
export function labResourceRootPaths(extensionPath: string): string[] {
  return [path.join(extensionPath, 'dist'), path.join(extensionPath, 'media')];
}

/**
 * script-src: only the nonce. style-src: only the resource origin, no 'unsafe-inline': the
 * webview applies its CSS as a constructed stylesheet, and chart.js and the web components set
 * styles through the CSSOM (`element.style`, adopted sheets), which CSP does not block. Nothing
 * else is allowed: no network, no frames, no forms. The webview tests load the panel under this
 * exact policy (test/webview/harness.ts imports this function).
 */
export function buildContentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
    `style-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}

export interface LabHtmlParts {
  /** `webview.cspSource`. */
  cspSource: string;
  nonce: string;
  /** `webview.asWebviewUri(dist/webview.js)`, as a string. */
  scriptUri: string;
  /** Stylesheets under media/, as webview URIs. */
  styleUris: string[];
  /** BCP 47 tag for `<html lang>`, e.g. 'en' or 'zh-CN'. */
  htmlLanguage: string;
  title: string;
}

export function buildLabHtml(parts: LabHtmlParts): string {
  const csp = buildContentSecurityPolicy(parts.cspSource, parts.nonce);
  const styles = parts.styleUris.map((uri) => `    <link rel="stylesheet" href="${escapeHtml(uri)}">`).join('\n');
  return `<!DOCTYPE html>
<html lang="${escapeHtml(parts.htmlLanguage)}">
  <head>
    <meta charset="UTF-8">
    <meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
${styles}
    <title>${escapeHtml(parts.title)}</title>
  </head>
  <body>
    <div id="app"></div>
    <script nonce="${escapeHtml(parts.nonce)}" src="${escapeHtml(parts.scriptUri)}"></script>
  </body>
</html>
`;
}
