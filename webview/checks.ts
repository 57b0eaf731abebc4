/**
 * Self-check badges: each check the engine computed, as pass / fail with its label, the measured
 * value against the threshold (`3e-7 ≤ 1e-5`, the relation that really holds), the baseline at
 * initialisation when there is one, and its detail. A failing check is shown as failing, never
 * hidden. The state is a word as well as a colour and a symbol; screen readers get one sentence
 * per badge (the symbols are hidden from them).
 */
import type { SelfCheckResult } from '../src/shared/run/records';
import { el } from './dom';
import { pick, t } from './i18n';
import { compact, comparePair, relation, required } from './numbers';

function badge(check: SelfCheckResult): HTMLElement {
  const pair = comparePair(check.value, check.threshold);
  const state = t(check.pass ? 'checkPass' : 'checkFail');
  const label = pick(check.label);
  const spoken = t('checkAria', {
    state,
    label,
    value: pair.value,
    relation: required(check.comparison),
    threshold: pair.threshold,
  });
  const baseline = check.baseline !== undefined ? t('checkBaseline', { value: compact(check.baseline, 3) }) : '';
  const detail = check.detail ? pick(check.detail) : '';
  return el(
    'li',
    {
      className: check.pass ? 'check pass' : 'check fail',
      attrs: { 'data-check': check.id, 'data-pass': String(check.pass), title: detail || null },
    },
    [
      el('span', { className: 'visually-hidden', text: [spoken, baseline, detail].filter(Boolean).join('. ') }),
      el('span', { className: 'check-visual', attrs: { 'aria-hidden': 'true' } }, [
        el('span', { className: 'check-state', text: `${check.pass ? '✓' : '✗'} ${state}` }),
        el('span', { className: 'check-label', text: label }),
        el('span', {
          className: 'check-value',
          text: `${pair.value} ${relation(check.value, check.threshold, check.comparison)} ${pair.threshold}`,
        }),
        baseline ? el('span', { className: 'check-baseline', text: baseline }) : null,
        detail ? el('span', { className: 'check-detail', text: detail }) : null,
      ]),
    ],
  );
}

/** A titled list of badges (an empty list says so). */
export function renderChecks(
  container: HTMLElement,
  id: string,
  title: string,
  checks: readonly SelfCheckResult[],
): void {
  const heading = el('h4', { className: 'checks-title', text: title, attrs: { id: `${id}-title` } });
  const items = checks.length
    ? el('ul', { className: 'check-list', attrs: { 'aria-labelledby': `${id}-title` } }, checks.map(badge))
    : el('p', { className: 'checks-none muted', text: t('checksNone') });
  container.replaceChildren(heading, items);
  container.dataset.pass = String(checks.filter((check) => check.pass).length);
  container.dataset.fail = String(checks.filter((check) => !check.pass).length);
}
