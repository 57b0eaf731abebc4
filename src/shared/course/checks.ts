/**
 * Self-checks that every attention chapter carries (their specs; the engine computes them in
 * src/engine/checks). A chapter's info.ts lists them with its own.
 */
import type { SelfCheckSpec } from './chapter';

export const ROWS_SUM_TO_ONE: SelfCheckSpec = {
  id: 'rows-sum-to-one',
  label: { en: 'rows sum to 1', 'zh-cn': '每行之和为 1' },
  description: {
    en: 'the largest |Σ row − 1| over every attention row of the probes, computed in float32 before rounding (tolerance 1e-5)',
    'zh-cn': '探针所有注意力行中 |行和 − 1| 的最大值，在取整前用 float32 计算（容差 1e-5）',
  },
};

export const MASKED_ZERO: SelfCheckSpec = {
  id: 'masked-zero',
  label: { en: 'masked positions get exactly 0', 'zh-cn': '被遮盖的位置权重恰好为 0' },
  description: {
    en: 'the largest weight on any masked (padding or future) position of the probes; it passes only at exactly 0',
    'zh-cn': '探针中任何被遮盖（填充或未来）位置上的最大权重；只有恰好为 0 才算通过',
  },
};
