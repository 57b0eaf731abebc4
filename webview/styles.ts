/**
 * Applies the panel's CSS through a constructable stylesheet (CSSOM): no <style> element and no
 * inline style attribute, so a CSP without 'unsafe-inline' for styles does not block it.
 */
import samplingCss from './sampling.css';
import css from './styles.css';

export function applyStyles(): void {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(`${css}\n${samplingCss}`);
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
}
