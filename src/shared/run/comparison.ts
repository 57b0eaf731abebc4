/**
 * Comparing runs: variants of one chapter trained with the same seed and data, side by side.
 * A saved comparison is a small JSON file naming its runs by run id (folder names relative to the
 * runs folder; see src/runStore/comparison.ts for where it lives). What two or more runs share —
 * chapter, task, variant, seed; declared metrics (by key); probes (same source tokens); maps (same
 * `mapKey` and mode, same row and column tokens) — and what they do not is computed here, once,
 * for the CLI, the extension host and the comparison panel. Pure: no DOM, no Node.
 */
import * as v from 'valibot';
import type { ChapterInfo, ChartSpec, HyperValue, MetricSpec } from '../course/chapter';
import type { ChapterId } from '../ids';
import type { Bilingual } from '../schema';
import { mapKey, unpackMap, type UnpackedMap } from './attention';
import type {
  AttentionKind,
  AttentionMap,
  AttentionMode,
  AttentionStack,
  EvaluationRecord,
  ProbeRecord,
  RunSnapshot,
} from './records';

/** The version of the saved-comparison file this code writes and reads. */
export const COMPARISON_FORMAT_VERSION = 1;
/** A comparison compares at least two runs… */
export const MIN_COMPARED_RUNS = 2;
/** …and at most as many as the panel has distinguishable series (colour, dash and point style). */
export const MAX_COMPARED_RUNS = 6;

/**
 * A run named inside the runs folder: one folder name, never a path (no separator, no `..`), never
 * hidden or temporary (`isHiddenOrTemporary` in the run store).
 */
export const RunIdSchema = v.pipe(
  v.string(),
  v.maxLength(200),
  v.regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/),
  v.check((id) => !id.includes('.tmp-') && !id.includes('..'), 'must be a run folder name'),
);

/**
 * The name a comparison is saved under (its file is `<name>.json`): letters (any script), digits,
 * spaces, `.`, `_` and `-`, starting with a letter or digit, not ending with a space or a dot.
 */
export const ComparisonNameSchema = v.pipe(
  v.string(),
  v.maxLength(80),
  v.regex(/^[\p{L}\p{N}][\p{L}\p{N}._ -]*$/u),
  v.check((name) => !/[ .]$/.test(name), 'must not end with a space or a dot'),
);

/** The runs of a comparison: 2…MAX_COMPARED_RUNS distinct run ids. */
export const ComparedRunIdsSchema = v.pipe(
  v.array(RunIdSchema),
  v.minLength(MIN_COMPARED_RUNS),
  v.maxLength(MAX_COMPARED_RUNS),
  v.check((ids) => new Set(ids).size === ids.length, 'must name each run once'),
);

/** A saved comparison on disk. */
export const SavedComparisonSchema = v.object({
  formatVersion: v.literal(COMPARISON_FORMAT_VERSION),
  name: ComparisonNameSchema,
  createdAt: v.pipe(v.string(), v.maxLength(40)),
  runs: ComparedRunIdsSchema,
});
export type SavedComparison = v.InferOutput<typeof SavedComparisonSchema>;

/** Whether `name` can name a saved comparison. */
export function isComparisonName(name: unknown): name is string {
  return v.is(ComparisonNameSchema, name);
}

export function isRunId(id: unknown): id is string {
  return v.is(RunIdSchema, id);
}

// ── what runs share ─────────────────────────────────────────────────────────────────────────

/** One run of a comparison, with the declarations of its chapter. */
export interface ComparedRun {
  run: RunSnapshot;
  chapter: ChapterInfo;
}

/** The train loss every run records: compared like a declared metric, on the loss chart. */
export const TRAIN_LOSS_KEY = 'train_loss';
const LOSS_CHART_ID = 'loss';

export interface SharedMetric {
  key: string;
  /** The first run's declaration (label, unit, chart); the train loss has a built-in one. */
  spec: MetricSpec;
}

export interface ConfigRow {
  /** `chapter`, `task`, `variant`, `seed`, `backend`, then every hyperparameter key. */
  key: string;
  /** One value per run; null where a run has no such key. */
  values: (HyperValue | null)[];
  differs: boolean;
}

export interface SharedMap {
  key: string;
  mode: AttentionMode;
  kind: AttentionKind;
  stack: AttentionStack;
  layer: number;
  head: number;
  /** One map per run; null for a run without an attention snapshot yet. */
  maps: (AttentionMap | null)[];
}

export interface SharedProbe {
  source: string[];
  /** The probe's index in each run's snapshot; null for a run without one yet. */
  indices: (number | null)[];
  maps: SharedMap[];
}

/** Something the runs do not share, for the CLI and the panel to say in their own words. */
export type NotShared =
  | { kind: 'chapter' | 'task' | 'seed'; values: string[] }
  | { kind: 'metric'; key: string; label: Bilingual; runs: number[] }
  | { kind: 'noAttention'; runs: number[] }
  | { kind: 'probe'; source: string[]; runs: number[] }
  | { kind: 'map'; source: string[]; key: string; mode: AttentionMode; reason: 'missing' | 'tokens' };

export interface ComparisonSummary {
  /** What every run has in common; null where they differ. */
  chapter: ChapterId | null;
  task: string | null;
  variant: string | null;
  seed: number | null;
  /** The train loss, then the metrics every run's chapter declares, in the first run's order. */
  metrics: SharedMetric[];
  /** The first run's charts (a loss chart when it declares none) that hold a shared metric. */
  charts: ChartSpec[];
  config: ConfigRow[];
  /** The first snapshot's probes that every run with a snapshot has (same source tokens). */
  probes: SharedProbe[];
  notShared: NotShared[];
}

const TRAIN_LOSS_SPEC: MetricSpec = {
  key: TRAIN_LOSS_KEY,
  label: { en: 'train loss', 'zh-cn': '训练损失' },
  unit: 'nats',
  better: 'lower',
  chart: LOSS_CHART_ID,
  cli: TRAIN_LOSS_KEY,
};

function common<T>(values: T[]): T | null {
  return values.length > 0 && values.every((value) => value === values[0]) ? values[0] : null;
}

function distinct(values: (string | number)[]): string[] {
  return [...new Set(values.map(String))];
}

function sameTokens(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((token, i) => token === b[i]);
}

function configRows(runs: readonly ComparedRun[]): ConfigRow[] {
  const core: [string, (run: RunSnapshot) => HyperValue][] = [
    ['chapter', (run) => run.config.chapter],
    ['task', (run) => run.config.task],
    ['variant', (run) => run.config.variant],
    ['seed', (run) => run.config.seed],
    ['backend', (run) => run.config.backend],
  ];
  const rows: ConfigRow[] = core.map(([key, read]) => ({ key, values: runs.map((r) => read(r.run)), differs: false }));
  const keys: string[] = [];
  for (const { run } of runs)
    for (const key of Object.keys(run.config.hyperparameters)) if (!keys.includes(key)) keys.push(key);
  for (const key of keys)
    rows.push({ key, values: runs.map(({ run }) => run.config.hyperparameters[key] ?? null), differs: false });
  for (const row of rows) row.differs = row.values.some((value) => value !== row.values[0]);
  return rows;
}

function sharedMetrics(runs: readonly ComparedRun[], notShared: NotShared[]): SharedMetric[] {
  const metrics: SharedMetric[] = [{ key: TRAIN_LOSS_KEY, spec: TRAIN_LOSS_SPEC }];
  const seen = new Set<string>();
  for (const { chapter } of runs) {
    for (const spec of chapter.metrics) {
      if (seen.has(spec.key)) continue;
      seen.add(spec.key);
      const declaring = runs.flatMap((r, i) => (r.chapter.metrics.some((m) => m.key === spec.key) ? [i] : []));
      if (declaring.length === runs.length) metrics.push({ key: spec.key, spec });
      else notShared.push({ kind: 'metric', key: spec.key, label: spec.label, runs: declaring });
    }
  }
  return metrics;
}

function sharedCharts(runs: readonly ComparedRun[], metrics: SharedMetric[]): ChartSpec[] {
  if (runs.length === 0) return [];
  const charts = [...runs[0].chapter.charts];
  if (!charts.some((chart) => chart.id === LOSS_CHART_ID))
    charts.unshift({ id: LOSS_CHART_ID, title: { en: 'Loss', 'zh-cn': '损失' }, unit: 'nats' });
  return charts.filter((chart) => metrics.some((metric) => metric.spec.chart === chart.id));
}

function probeMaps(
  source: string[],
  probes: (ProbeRecord | null)[],
  reference: ProbeRecord,
  notShared: NotShared[],
): SharedMap[] {
  const shared: SharedMap[] = [];
  const reported = new Set<string>();
  const report = (key: string, mode: AttentionMode, reason: 'missing' | 'tokens'): void => {
    if (reported.has(`${mode}:${key}`)) return;
    reported.add(`${mode}:${key}`);
    notShared.push({ kind: 'map', source, key, mode, reason });
  };
  for (const map of reference.maps) {
    const key = mapKey(map);
    const maps = probes.map((probe) => probe?.maps.find((m) => m.mode === map.mode && mapKey(m) === key) ?? null);
    const missing = probes.some((probe, i) => probe !== null && maps[i] === null);
    if (missing) {
      report(key, map.mode, 'missing');
      continue;
    }
    const differing = maps.some(
      (m) => m !== null && (!sameTokens(m.rowTokens, map.rowTokens) || !sameTokens(m.columnTokens, map.columnTokens)),
    );
    if (differing) {
      report(key, map.mode, 'tokens');
      continue;
    }
    shared.push({ key, mode: map.mode, kind: map.kind, stack: map.stack, layer: map.layer, head: map.head, maps });
  }
  // Maps the reference probe lacks but another run has.
  for (const probe of probes) {
    for (const map of probe?.maps ?? []) {
      const key = mapKey(map);
      if (!reference.maps.some((m) => m.mode === map.mode && mapKey(m) === key)) report(key, map.mode, 'missing');
    }
  }
  return shared;
}

function sharedProbes(runs: readonly ComparedRun[], notShared: NotShared[]): SharedProbe[] {
  const snapshots = runs.map(({ run }) => run.attention);
  const without = snapshots.flatMap((snapshot, i) => (snapshot ? [] : [i]));
  if (without.length > 0) notShared.push({ kind: 'noAttention', runs: without });
  const first = snapshots.findIndex((snapshot) => snapshot !== null);
  if (first < 0) return [];
  const used = snapshots.map(() => new Set<number>());
  const probes: SharedProbe[] = [];
  for (const [index, probe] of (snapshots[first]?.probes ?? []).entries()) {
    const indices = snapshots.map((snapshot, run) => {
      if (!snapshot) return null;
      if (run === first) return index;
      const found = snapshot.probes.findIndex((p, i) => !used[run].has(i) && sameTokens(p.source, probe.source));
      return found;
    });
    if (indices.some((i) => i === -1)) continue;
    indices.forEach((i, run) => {
      if (i !== null) used[run].add(i);
    });
    const records = indices.map((i, run) => (i === null ? null : (snapshots[run]?.probes[i] ?? null)));
    probes.push({ source: probe.source, indices, maps: probeMaps(probe.source, records, probe, notShared) });
  }
  // Probes some run has and the others do not.
  snapshots.forEach((snapshot, run) => {
    snapshot?.probes.forEach((probe, i) => {
      if (used[run].has(i)) return;
      if (notShared.some((item) => item.kind === 'probe' && sameTokens(item.source, probe.source))) return;
      const having = snapshots.flatMap((s, r) =>
        s?.probes.some((p) => sameTokens(p.source, probe.source)) ? [r] : [],
      );
      notShared.push({ kind: 'probe', source: probe.source, runs: having });
    });
  });
  return probes;
}

/** What the runs share and what they do not (runs in the order given: run 0 is the reference). */
export function summarizeComparison(runs: readonly ComparedRun[]): ComparisonSummary {
  const notShared: NotShared[] = [];
  const configs = runs.map(({ run }) => run.config);
  const chapter = common(configs.map((c) => c.chapter));
  const task = common(configs.map((c) => c.task));
  const variant = common(configs.map((c) => c.variant));
  const seed = common(configs.map((c) => c.seed));
  if (runs.length > 1) {
    if (chapter === null) notShared.push({ kind: 'chapter', values: distinct(configs.map((c) => c.chapter)) });
    if (task === null) notShared.push({ kind: 'task', values: distinct(configs.map((c) => c.task)) });
    if (seed === null) notShared.push({ kind: 'seed', values: distinct(configs.map((c) => c.seed)) });
  }
  const metrics = sharedMetrics(runs, notShared);
  const charts = sharedCharts(runs, metrics);
  const probes = sharedProbes(runs, notShared);
  return { chapter, task, variant, seed, metrics, charts, config: configRows(runs), probes, notShared };
}

/** The run's last evaluation line, or null before its first evaluation. */
export function lastEvaluation(run: RunSnapshot): EvaluationRecord | null {
  for (let i = run.metrics.length - 1; i >= 0; i--) {
    const record = run.metrics[i];
    if (record.kind === 'epoch') return record;
  }
  return null;
}

/** The value of a metric (or the train loss) in an evaluation line; NaN when it has none. */
export function metricValue(record: EvaluationRecord | null, key: string): number {
  if (!record) return Number.NaN;
  if (key === TRAIN_LOSS_KEY) return record.train_loss;
  const value = record.values[key];
  return typeof value === 'number' ? value : Number.NaN;
}

// ── attention differences ───────────────────────────────────────────────────────────────────

export interface MapDifference {
  rows: number;
  columns: number;
  /** Row-major `b − a`; 0 where a cell is masked in either map. */
  difference: Float32Array;
  /** Row-major, 1 = compared, 0 = masked in either map; null when nothing is masked. */
  mask: Uint8Array | null;
  /** Largest |b − a| over the compared cells (NaN when no cell is compared). */
  maxAbs: number;
  /** Mean |b − a| over the compared cells (NaN when no cell is compared). */
  meanAbs: number;
  /** How many cells were compared. */
  cells: number;
}

/** `b − a` cell by cell, masked cells (in either map) excluded; null when the sizes differ. */
export function mapDifference(a: UnpackedMap, b: UnpackedMap): MapDifference | null {
  if (a.rows !== b.rows || a.columns !== b.columns) return null;
  const size = a.rows * a.columns;
  const difference = new Float32Array(size);
  const mask = a.mask || b.mask ? new Uint8Array(size) : null;
  let max = 0;
  let sum = 0;
  let cells = 0;
  for (let i = 0; i < size; i++) {
    const compared = (a.mask ? a.mask[i] : 1) && (b.mask ? b.mask[i] : 1);
    if (mask) mask[i] = compared ? 1 : 0;
    if (!compared) continue;
    const d = b.weights[i] - a.weights[i];
    difference[i] = d;
    const magnitude = Math.abs(d);
    if (magnitude > max) max = magnitude;
    sum += magnitude;
    cells++;
  }
  return {
    rows: a.rows,
    columns: a.columns,
    difference,
    mask,
    maxAbs: cells > 0 ? max : Number.NaN,
    meanAbs: cells > 0 ? sum / cells : Number.NaN,
    cells,
  };
}

/** The difference of two packed maps; null when one cannot be unpacked or the sizes differ. */
export function packedMapDifference(a: AttentionMap, b: AttentionMap): MapDifference | null {
  const left = unpackMap(a);
  const right = unpackMap(b);
  return left && right ? mapDifference(left, right) : null;
}

/** `A`, `B`, … : how the CLI and the panel name the runs of a comparison. */
export function runLetter(index: number): string {
  return String.fromCharCode(65 + index);
}
