/** A vscode-single-select whose options are indices into a list, rebuilt only when labels change. */
import { el, show } from './dom';

type SingleSelect = HTMLElement & { value: string; selectedIndex: number; label: string; disabled: boolean };

export class IndexSelect {
  readonly root: HTMLElement;
  readonly select: SingleSelect;
  private key = '';

  constructor(id: string, label: string, onChange: (index: number) => void) {
    this.select = el('vscode-single-select', { attrs: { id, 'aria-label': label } }) as SingleSelect;
    this.select.label = label;
    this.select.addEventListener('change', () => onChange(Number(this.select.value) || 0));
    this.root = el('div', { className: 'control' }, [
      el('label', { className: 'control-label', text: label, attrs: { for: id } }),
      this.select,
    ]);
  }

  /** Sets the options (hidden when there are fewer than `minimum`) and the selected index. */
  update(labels: string[], selected: number, minimum = 1): void {
    const key = JSON.stringify(labels);
    if (key !== this.key) {
      this.key = key;
      this.select.replaceChildren(
        ...labels.map((label, i) => el('vscode-option', { text: label, attrs: { value: String(i) } })),
      );
    }
    if (this.select.value !== String(selected)) this.select.value = String(selected);
    show(this.root, labels.length >= minimum);
  }
}
