/**
 * The run's figures, computed once (figures.json): the sinusoidal position encoding of the run's
 * positions and width as a position × feature heat map, and the dot products between positions'
 * encodings as a position × position heat map. The dot product of two rows depends only on their
 * offset: PE[p]·PE[q] = Σᵢ sin(pωᵢ)sin(qωᵢ) + cos(pωᵢ)cos(qωᵢ) = Σᵢ cos((p − q)ωᵢ), with
 * ωᵢ = 10000^(−2i/d_model), so the diagonal is d_model/2 and every diagonal band is constant.
 */
import type { Figure } from '../../../shared/run/records';
import type { Bilingual } from '../../../shared/schema';
import { packFloat32 } from '../../../shared/run/packed';
import { sinusoidalTable } from '../../nn/positions';

/** `[length, length]` row-major: the dot product of every pair of rows of a `[length, width]` table. */
export function rowDotProducts(table: ArrayLike<number>, length: number, width: number): Float64Array {
  const out = new Float64Array(length * length);
  for (let p = 0; p < length; p++) {
    for (let q = 0; q < length; q++) {
      let dot = 0;
      for (let f = 0; f < width; f++) dot += table[p * width + f] * table[q * width + f];
      out[p * length + q] = dot;
    }
  }
  return out;
}

const COUNTED_FROM_ONE: Bilingual = {
  en: 'The readout counts rows and columns from 1: row 1 is position 0, column 1 is feature 0.',
  'zh-cn': '读数的行列从 1 开始计：第 1 行是位置 0，第 1 列是特征 0。',
};

function usage(positions: string): Bilingual {
  if (positions === 'sinusoidal')
    return { en: 'This run adds exactly this table.', 'zh-cn': '本次运行加上的正是这张表。' };
  if (positions === 'learned')
    return {
      en: 'This run learns its own position vectors instead; the table is shown for reference.',
      'zh-cn': '本次运行改用可学习的位置向量；这张表仅供参照。',
    };
  return {
    en: 'This run adds no positions at all; the table is shown for reference.',
    'zh-cn': '本次运行完全不加位置信息；这张表仅供参照。',
  };
}

/** The two position figures for `length` positions of width `modelSize`; `positions` is the run's choice. */
export function positionFigures(length: number, modelSize: number, positions: string): Figure[] {
  const table = sinusoidalTable(length, modelSize); // [len, d_model], float64
  const dots = rowDotProducts(table, length, modelSize); // [len, len]
  const labels = Array.from({ length }, (_, i) => String(i));
  const runUses = usage(positions);
  return [
    {
      type: 'matrix',
      id: 'position-encoding',
      title: { en: 'Sinusoidal position encoding PE[pos, i]', 'zh-cn': '正弦位置编码 PE[pos, i]' },
      note: {
        en: `PE[pos, 2i] = sin(pos / 10000^(2i/${modelSize})), PE[pos, 2i+1] = cos(…): row 0 is [0, 1, 0, 1, …]; the left columns turn fast, the right ones hardly at all. ${runUses.en} ${COUNTED_FROM_ONE.en}`,
        'zh-cn': `PE[pos, 2i] = sin(pos / 10000^(2i/${modelSize}))，PE[pos, 2i+1] = cos(…)：第 0 行是 [0, 1, 0, 1, …]；左边的列转得快，右边的几乎不动。${runUses['zh-cn']}${COUNTED_FROM_ONE['zh-cn']}`,
      },
      rowLabel: { en: 'position', 'zh-cn': '位置' },
      columnLabel: { en: 'feature', 'zh-cn': '特征' },
      rowLabels: labels,
      columnLabels: Array.from({ length: modelSize }, (_, i) => String(i)),
      values: { rows: length, columns: modelSize, data: packFloat32(table) },
      scale: 'diverging',
    },
    {
      type: 'matrix',
      id: 'position-dot-products',
      title: { en: 'Dot products between positions’ encodings', 'zh-cn': '各位置编码之间的点积' },
      note: {
        en: `PE[p]·PE[q] = Σᵢ cos((p − q)·ωᵢ): it depends only on the offset p − q, so every diagonal band is constant; the diagonal is d_model/2 = ${modelSize / 2}, and it falls off with distance. ${runUses.en} ${COUNTED_FROM_ONE.en}`,
        'zh-cn': `PE[p]·PE[q] = Σᵢ cos((p − q)·ωᵢ)：只取决于距离 p − q，所以每条对角带上的值相同；对角线为 d_model/2 = ${modelSize / 2}，离得越远越小。${runUses['zh-cn']}${COUNTED_FROM_ONE['zh-cn']}`,
      },
      rowLabel: { en: 'position p', 'zh-cn': '位置 p' },
      columnLabel: { en: 'position q', 'zh-cn': '位置 q' },
      rowLabels: labels,
      columnLabels: labels,
      values: { rows: length, columns: length, data: packFloat32(dots) },
      scale: 'sequential',
    },
  ];
}
