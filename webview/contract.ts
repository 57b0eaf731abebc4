/** The chapter's learning contract, in the display language. */
import type { Bilingual, LearningContract } from '../src/protocol/run';
import { clear, el } from './dom';
import { pick, t } from './i18n';
import type { WebviewStringKey } from '../src/shared/strings/webview';

export function renderContract(container: HTMLElement, contract: LearningContract | undefined): void {
  clear(container);
  if (!contract) return;
  const parts: [WebviewStringKey, Bilingual[]][] = [
    ['contractNewConcepts', contract.newConcepts],
    ['contractVerifies', contract.verifies],
    ['contractDoesNotVerify', contract.doesNotVerify],
    ['contractLookAt', contract.lookAt],
  ];
  const grid = el('div', { className: 'contract-grid' });
  for (const [key, items] of parts) {
    if (!items?.length) continue;
    grid.appendChild(
      el('div', { className: 'contract-part' }, [
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
