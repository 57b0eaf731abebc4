/**
 * An attention snapshot (run format 2): the probes' maps, rounded into the compact stored form,
 * and the self-checks, computed before that on the full-precision values.
 */
import { MASKED_ZERO, ROWS_SUM_TO_ONE } from '../../shared/course/checks';
import type { Bilingual } from '../../shared/schema';
import { packMap } from '../../shared/run/attention';
import type { AttentionMap, AttentionSnapshot, SelfCheckResult } from '../../shared/run/records';
import type { Chapter, CheckContext, FullMap } from '../chapters/contract';

/** Rows must sum to 1 within this (float32 softmax over up to a few hundred keys). */
export const ROW_SUM_TOLERANCE = 1e-5;

export function packFinalMap(map: FullMap): AttentionMap {
  return packMap({ ...map, mask: map.keep });
}

/** A check result; `pass` follows from the value, the comparison and the threshold. */
export function checkResult(
  spec: { id: string; label: Bilingual },
  value: number,
  comparison: 'at-most' | 'at-least',
  threshold: number,
  extra: { baseline?: number; detail?: Bilingual } = {},
): SelfCheckResult {
  const pass = Number.isFinite(value) && (comparison === 'at-most' ? value <= threshold : value >= threshold);
  return { id: spec.id, label: spec.label, value, comparison, threshold, pass, ...extra };
}

/** The generic checks a chapter declares and its own (chapter.checks), as every evaluation carries them. */
export function snapshotChecks(chapter: Chapter, context: CheckContext): SelfCheckResult[] {
  return [...genericChecks(chapter, context), ...(chapter.checks?.(context) ?? [])];
}

/**
 * The generic checks a chapter declares (rows sum to 1, masked weight exactly 0), read from the
 * probes' statistics: no forward pass of their own.
 */
export function genericChecks(chapter: Chapter, context: CheckContext): SelfCheckResult[] {
  const declared = new Set(chapter.info.selfChecks.map((check) => check.id));
  const checks: SelfCheckResult[] = [];
  const stats = context.probes.stats;
  if (stats && declared.has(ROWS_SUM_TO_ONE.id)) {
    checks.push(checkResult(ROWS_SUM_TO_ONE, stats.maxRowDeviation, 'at-most', ROW_SUM_TOLERANCE));
  }
  if (stats && declared.has(MASKED_ZERO.id)) {
    const detail =
      stats.maskedCells === 0
        ? { en: 'nothing was masked in these probes', 'zh-cn': '这些探针中没有被遮盖的位置' }
        : { en: `${stats.maskedCells} masked cells checked`, 'zh-cn': `检查了 ${stats.maskedCells} 个被遮盖的位置` };
    checks.push(checkResult(MASKED_ZERO, stats.maxMaskedWeight, 'at-most', 0, { detail }));
  }
  return checks;
}

export function buildSnapshot(
  epoch: number,
  step: number,
  context: CheckContext,
  checks: SelfCheckResult[],
): AttentionSnapshot {
  return {
    formatVersion: 2,
    epoch,
    step,
    probes: context.probes.probes.map((probe) => ({
      source: probe.source,
      target: probe.target,
      predicted: probe.predicted,
      maps: probe.maps.map(packFinalMap),
      checks: [],
    })),
    checks,
  };
}
