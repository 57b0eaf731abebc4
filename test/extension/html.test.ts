/** The lab panel's Content-Security-Policy and HTML. */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { buildContentSecurityPolicy, buildLabHtml, labResourceRootPaths, makeNonce } from '../../src/extension/html';

const CSP_SOURCE = 'https://file+.vscode-resource.vscode-cdn.net';

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...values]) => [name, values]),
  );
}

function page(nonce = makeNonce()): { html: string; nonce: string } {
  const html = buildLabHtml({
    cspSource: CSP_SOURCE,
    nonce,
    scriptUri: `${CSP_SOURCE}/ext/dist/webview.js`,
    styleUris: [`${CSP_SOURCE}/ext/media/lab.css`],
    htmlLanguage: 'zh-CN',
    title: 'Lab: <run>',
  });
  return { html, nonce };
}

describe('makeNonce', () => {
  it('is fresh each call and long enough', () => {
    const nonces = new Set(Array.from({ length: 1000 }, () => makeNonce()));
    assert.equal(nonces.size, 1000);
    for (const nonce of nonces) {
      assert.match(nonce, /^[A-Za-z0-9+/]+=*$/);
      assert.ok(Buffer.from(nonce, 'base64').length >= 16);
    }
  });

  it('gives every page load its own nonce', () => {
    const a = page();
    const b = page();
    assert.notEqual(a.nonce, b.nonce);
    assert.ok(a.html.includes(`nonce-${a.nonce}`) && !a.html.includes(b.nonce));
  });
});

describe('buildContentSecurityPolicy', () => {
  const nonce = makeNonce();
  const csp = directives(buildContentSecurityPolicy(CSP_SOURCE, nonce));

  it('denies by default', () => {
    assert.deepEqual(csp.get('default-src'), ["'none'"]);
  });

  it('allows scripts only by nonce: no unsafe-inline, no unsafe-eval, no host', () => {
    assert.deepEqual(csp.get('script-src'), [`'nonce-${nonce}'`]);
  });

  it('allows only the webview resource origin (plus data: images) for everything else', () => {
    const allowed = new Set([CSP_SOURCE, "'none'", 'data:', `'nonce-${nonce}'`]);
    for (const [name, values] of csp) {
      for (const value of values) assert.ok(allowed.has(value), `${name} allows ${value}`);
      assert.ok(!values.includes('*') && !values.some((v) => v.startsWith('http:')), name);
    }
    assert.ok(!csp.has('connect-src') || csp.get('connect-src')?.[0] === "'none'");
    assert.ok(!(csp.get('style-src') ?? []).includes("'unsafe-eval'"));
  });

  it('has no unsafe-inline anywhere (styles come from the resource origin and the CSSOM only)', () => {
    const text = buildContentSecurityPolicy(CSP_SOURCE, nonce);
    assert.ok(!text.includes('unsafe-inline'), text);
    assert.deepEqual(csp.get('style-src'), [CSP_SOURCE]);
    assert.ok(!page().html.includes('unsafe-inline'));
  });
});

describe('buildLabHtml', () => {
  it('has the CSP meta, one nonce-carrying external script and no inline script', () => {
    const { html, nonce } = page();
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="[^"]*script-src &#39;nonce-/);
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.equal(scripts.length, 1);
    assert.match(scripts[0][1], new RegExp(`nonce="${nonce.replace(/[+/]/g, '\\$&')}"`));
    assert.match(scripts[0][1], /src="[^"]*\/dist\/webview\.js"/);
    assert.equal(scripts[0][2].trim(), '', 'no inline script body');
    assert.ok(!/\son\w+=/i.test(html), 'no inline event handlers');
  });

  it('escapes what it puts in the page', () => {
    const { html } = page();
    assert.ok(html.includes('Lab: &lt;run&gt;'));
    assert.ok(html.includes('<html lang="zh-CN">'));
  });
});

describe('labResourceRootPaths', () => {
  it('is the extension’s dist and media folders only', () => {
    assert.deepEqual(labResourceRootPaths('/ext'), [path.join('/ext', 'dist'), path.join('/ext', 'media')]);
  });
});
