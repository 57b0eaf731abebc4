/** The chapter's learning contract, in the display language, with what to compare between variants. */
import type { LearningContract } from '../src/shared/course/chapter';
import type { Bilingual } from '../src/shared/schema';
import type { WebviewStringKey } from '../src/shared/strings/webview';
import { clear, el } from './dom';
import { pick, t } from './i18n';

export function renderContract(container: HTMLElement, contract: LearningContract | undefined): void {
  clear(container);
  if (!contract) return;
  const parts: [string, WebviewStringKey, Bilingual[]][] = [
    ['new-concepts', 'contractNewConcepts', contract.newConcepts],
    ['verifies', 'contractVerifies', contract.verifies],
    ['does-not-verify', 'contractDoesNotVerify', contract.doesNotVerify],
    ['look-at', 'contractLookAt', contract.lookAt],
    ['compare', 'contractCompare', contract.compare],
  ];
  const grid = el('div', { className: 'contract-grid' });
  for (const [id, key, items] of parts) {
    if (!items.length) continue;
    grid.appendChild(
      el('div', { className: 'contract-part', attrs: { 'data-part': id } }, [
        el('h3', { text: t(key) }),
        el(
          'ul',
          {},
          items.map((item) => el('li', { text: pick(item) })),
        ),
      ]),
    );
  }
  container.appendChild(grid);
}
