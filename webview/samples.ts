/**
 * Validation samples: src / target / pred rows. A predicted token that differs from the target at
 * its position is marked with the `token-wrong` class (colour) AND an underline plus a visually
 * hidden "(wrong)" (non-colour cues). A sample with `correct: null` has no single right answer
 * (sampled text): it gets no ✓ / ✗ and no token is marked wrong.
 */
import type { SamplesSnapshot } from '../src/shared/run/records';
import { clear, el } from './dom';
import { t } from './i18n';

function tokenLine(tokens: readonly string[], separator: string, wrongAt?: (i: number) => boolean): HTMLElement {
  const line = el('span', { className: 'token-line' });
  tokens.forEach((token, i) => {
    if (i > 0 && separator) line.appendChild(document.createTextNode(separator));
    const wrong = wrongAt?.(i) ?? false;
    const span = el('span', { className: wrong ? 'token token-text token-wrong' : 'token token-text', text: token });
    line.appendChild(span);
    if (wrong) line.appendChild(el('span', { className: 'visually-hidden', text: t('samplesWrongToken') }));
  });
  return line;
}

export function renderSamples(
  container: HTMLElement,
  snapshot: SamplesSnapshot | null,
  tokenLevel: 'char' | 'word',
  unit: 'epoch' | 'evaluation' = 'epoch',
): void {
  clear(container);
  if (!snapshot || snapshot.samples.length === 0) {
    container.appendChild(el('p', { className: 'empty', text: t('samplesEmpty') }));
    return;
  }
  const separator = tokenLevel === 'word' ? ' ' : '';
  container.appendChild(
    el('p', {
      className: 'muted samples-epoch',
      text: t(unit === 'evaluation' ? 'samplesEvaluation' : 'samplesEpoch', { epoch: snapshot.epoch }),
    }),
  );
  const list = el('ol', { className: 'samples' });
  for (const sample of snapshot.samples) {
    const target = sample.targetTokens;
    const row = (label: string, content: HTMLElement, className: string): HTMLElement =>
      el('div', { className: `sample-row ${className}` }, [
        el('span', { className: 'sample-label', text: label }),
        content,
      ]);
    const judged = sample.correct !== null;
    const verdict = judged
      ? el('span', {
          className: sample.correct ? 'sample-verdict ok' : 'sample-verdict bad',
          text: sample.correct ? `✓ ${t('samplesCorrect')}` : `✗ ${t('samplesWrong')}`,
        })
      : null;
    list.appendChild(
      el('li', { className: !judged ? 'sample open' : sample.correct ? 'sample correct' : 'sample wrong' }, [
        verdict,
        row(t('samplesSource'), tokenLine(sample.sourceTokens, separator), 'sample-source'),
        row(t('samplesTarget'), tokenLine(target, separator), 'sample-target'),
        row(
          t('samplesPredicted'),
          tokenLine(
            sample.predictedTokens,
            separator,
            judged ? (i) => sample.predictedTokens[i] !== target[i] : undefined,
          ),
          'sample-predicted',
        ),
      ]),
    );
  }
  container.appendChild(list);
}
