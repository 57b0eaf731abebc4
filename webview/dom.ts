/**
 * DOM helpers. Text from the host is only ever set with `textContent` (never innerHTML), and
 * styles only through the CSSOM (`element.style.x = …`), which a strict CSP allows.
 */
type Attrs = Record<string, string | number | boolean | null | undefined>;

export interface ElementOptions {
  className?: string;
  text?: string;
  attrs?: Attrs;
}

/** Creates an element; `text` becomes textContent, attributes are set one by one. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  options?: ElementOptions,
  children?: (Node | null)[],
): HTMLElementTagNameMap[K];
export function el(tag: string, options?: ElementOptions, children?: (Node | null)[]): HTMLElement;
export function el(tag: string, options: ElementOptions = {}, children: (Node | null)[] = []): HTMLElement {
  const element = document.createElement(tag);
  if (options.className) element.className = options.className;
  if (options.text !== undefined) element.textContent = options.text;
  setAttrs(element, options.attrs ?? {});
  for (const child of children) if (child) element.appendChild(child);
  return element;
}

export function setAttrs(element: Element, attrs: Attrs): void {
  for (const [name, value] of Object.entries(attrs)) {
    if (name.toLowerCase().startsWith('on') || name === 'style') throw new Error(`refusing attribute ${name}`);
    if (value === null || value === undefined || value === false) element.removeAttribute(name);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
}

/** Sets textContent only when it changed (cheap for frequent updates). */
export function setText(element: Element, text: string): void {
  if (element.textContent !== text) element.textContent = text;
}

export function clear(element: Element): void {
  while (element.firstChild) element.removeChild(element.firstChild);
}

export function show(element: HTMLElement, visible: boolean): void {
  element.hidden = !visible;
}

/** A section with a heading; returns the section and its body. */
export function section(id: string, title: string): { root: HTMLElement; heading: HTMLElement; body: HTMLElement } {
  const heading = el('h2', { text: title, attrs: { id: `${id}-heading` } });
  const body = el('div', { className: 'section-body' });
  const root = el('section', { className: `panel-section ${id}`, attrs: { id, 'aria-labelledby': `${id}-heading` } }, [
    heading,
    body,
  ]);
  return { root, heading, body };
}

/** A token as a label shows it: whitespace and empty tokens get a visible symbol. */
export function displayToken(token: string): string {
  if (token === '') return '∅';
  if (token === ' ') return '␣';
  if (token === '\t') return '⇥';
  if (token === '\n') return '⏎';
  return token;
}
