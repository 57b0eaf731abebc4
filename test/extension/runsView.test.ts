/** How the Runs view names a run: task, variant and the best value of the chapter's primary metric. */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { setLanguage } from '../../src/extension/language';
import { bestMetricText, formatMetricValue, runDescription, runTooltipLines } from '../../src/extension/runLabels';
import { chapterInfo } from '../../src/shared/course/catalogue';
import type { RunListEntry } from '../../src/shared/run/records';

type GoodEntry = Extract<RunListEntry, { ok: true }>;

const entry = (overrides: Partial<GoodEntry> = {}): GoodEntry => ({
  ok: true,
  runId: '20250314-091502-attention-seq2seq',
  dir: '/runs/20250314-091502-attention-seq2seq',
  chapter: 'attention-seq2seq',
  task: 'phrases',
  variant: 'default',
  state: 'completed',
  epochsCompleted: 8,
  epochs: 10,
  best: { key: 'val_exact_match', value: 0.93125 },
  startedAt: '2025-03-14T09:15:02.000Z',
  ...overrides,
});

afterEach(() => setLanguage('en'));

describe('formatMetricValue', () => {
  it('shows a ratio as a percentage and other units as numbers; — when missing', () => {
    assert.equal(formatMetricValue('ratio', 0.93125), '93.1%');
    assert.equal(formatMetricValue('ratio', 1), '100.0%');
    assert.equal(formatMetricValue('nats', 1.23456), '1.235');
    assert.equal(formatMetricValue('bits', 0.5), '0.500');
    assert.equal(formatMetricValue('perplexity', 12.345), '12.35');
    assert.equal(formatMetricValue('count', 41.6), '42');
    assert.equal(formatMetricValue(undefined, 2), '2.000');
    for (const missing of [null, undefined, Number.NaN, Number.POSITIVE_INFINITY])
      assert.equal(formatMetricValue('ratio', missing), '—');
  });
});

describe('run description', () => {
  it('names the task, the variant and the best primary metric with the chapter’s label', () => {
    const primary = chapterInfo('attention-seq2seq').metrics.find((m) => m.key === 'val_exact_match');
    assert.ok(primary);
    assert.equal(bestMetricText(entry()), `${primary.label.en} 93.1%`);
    assert.equal(runDescription(entry()), 'English → Chinese phrases · default · exact match 93.1% · 8/10');
  });

  it('in Simplified Chinese', () => {
    setLanguage('zh-cn');
    assert.equal(runDescription(entry()), '英文 → 中文短语 · 默认 · 完全匹配率 93.1% · 8/10');
    assert.deepEqual(runTooltipLines(entry()).slice(0, 2), ['任务：英文 → 中文短语', '变体：默认']);
  });

  it('before the first evaluation, and for a task or variant the chapter no longer declares', () => {
    assert.equal(
      runDescription(entry({ best: null, task: 'old-task', variant: 'old-variant', epochsCompleted: 0 })),
      'old-task · old-variant · exact match — · 0/10',
    );
  });

  it('labels a metric the chapter does not declare with its key', () => {
    assert.equal(bestMetricText(entry({ best: { key: 'mystery', value: 0.5 } })), 'mystery 0.500');
  });

  it('says damaged for a damaged folder', () => {
    assert.equal(
      runDescription({ ok: false, runId: 'x', dir: '/runs/x', reason: 'config.json is missing' }),
      'damaged',
    );
  });

  it('lists task, variant, state, epochs, best value, start and folder in the tooltip', () => {
    assert.deepEqual(runTooltipLines(entry()), [
      'Task: English → Chinese phrases',
      'Variant: default',
      'Status: completed',
      'Epochs: 8/10',
      'Best: exact match 93.1%',
      'Started: 2025-03-14T09:15:02.000Z',
      '/runs/20250314-091502-attention-seq2seq',
    ]);
  });
});
