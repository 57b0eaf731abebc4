/** An aria-live region for `error` messages and other one-line notices (newest first, dismissable). */
import { el, setAttrs } from './dom';
import { t } from './i18n';

const MAX_MESSAGES = 4;

export class MessageRegion {
  readonly root = el('div', {
    className: 'messages',
    attrs: { id: 'messages', role: 'alert', 'aria-live': 'assertive', 'aria-label': t('messagesLabel') },
  });

  /** After `init` set the language: relabels the region (its messages stay). */
  relabel(): void {
    setAttrs(this.root, { 'aria-label': t('messagesLabel') });
  }

  add(text: string, kind: 'error' | 'info' = 'error'): void {
    // One line: a newline in the text (from the host or a thrown error) would break the layout.
    const line = text.replace(/\s*[\r\n]+\s*/g, ' ');
    const dismiss = el('vscode-button', { className: 'dismiss', text: t('dismiss'), attrs: { secondary: true } });
    const item = el('div', { className: `message ${kind}` }, [
      el('span', { className: 'message-text', text: line }),
      dismiss,
    ]);
    dismiss.addEventListener('click', () => item.remove());
    this.root.prepend(item);
    while (this.root.children.length > MAX_MESSAGES) this.root.lastElementChild?.remove();
  }
}
