/**
 * `llm-tutor export RUN --format svg|json|csv --out FILE [--probe N] [--epoch E] [--mode M] [--map KEY]`:
 * what the panel exports that needs no browser. `csv`: the metrics, one row per evaluation with the
 * chapter's declared metrics (`metricsCsv`). `json`: probe N's attention (every map, weights and
 * mask packed as in the run) with where it comes from (`ProbeExport`, which round-trips through
 * its schema). `svg`: probe N's maps of one mode as a grid (one row per layer, heads across) with
 * their tokens and the colour scale, or one map (`--map stack/kind/layer/head`). The run is read
 * and checked first: a damaged run, a RUN that is no run, a probe or epoch it does not have, is one
 * line and exit 2, and nothing is written. The file is written atomically (never half a file).
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { chapterInfo } from '../../shared/course/catalogue';
import { mapGridSvg, mapSvg, type SvgMap } from '../../shared/render/mapSvg';
import { mapKey, unpackMap } from '../../shared/run/attention';
import { EXPORT_FORMATS, metricsCsv, probeExport, probeExportJson, type ExportFormat } from '../../shared/run/export';
import type { AttentionMap, AttentionMode, AttentionSnapshot, EvaluationRecord } from '../../shared/run/records';
import { DamagedRunError, readAttention, readRun, resolveRunArgument } from '../../runStore';
import { writeFileAtomic } from '../../runStore/files';
import { EXIT_OK, EXIT_USAGE, nonNegativeInteger, positiveInteger, UsageError } from './usage';

/** An English title of a map, as the panel's (`decoder masked self · layer 1 · head 2`). */
export function mapTitleEn(map: Pick<AttentionMap, 'stack' | 'kind' | 'layer' | 'head'>): string {
  const group = map.kind === 'cross' ? 'cross' : `${map.stack} ${map.kind === 'self' ? 'self' : 'masked self'}`;
  return `${group} · layer ${map.layer + 1} · head ${map.head + 1}`;
}

/** The maps of a probe as SVG: one map, or every map of `mode` in a grid, a row per stack/kind/layer. */
export function probeSvg(
  title: string,
  maps: readonly AttentionMap[],
  mode: AttentionMode,
  key: string | undefined,
): { svg: string } | { problem: string } {
  const ofMode = maps.filter((map) => map.mode === mode);
  if (ofMode.length === 0) return { problem: `the probe has no ${mode} maps` };
  const chosen = key === undefined ? ofMode : ofMode.filter((map) => mapKey(map) === key);
  if (chosen.length === 0)
    return { problem: `--map: the probe has no ${mode} map ${key}; it has ${ofMode.map(mapKey).join(', ')}` };
  const svgMaps: SvgMap[] = [];
  for (const map of chosen) {
    const unpacked = unpackMap(map);
    if (!unpacked) return { problem: `the ${mapKey(map)} map's weights are damaged` };
    svgMaps.push({
      title: mapTitleEn(map),
      rowTokens: map.rowTokens,
      columnTokens: map.columnTokens,
      weights: unpacked.weights,
      mask: unpacked.mask,
    });
  }
  if (svgMaps.length === 1) return { svg: mapSvg({ ...svgMaps[0], title: `${title} · ${svgMaps[0].title}` }).svg };
  const heads = Math.max(...chosen.map((map) => map.head)) + 1;
  return { svg: mapGridSvg(title, svgMaps, heads).svg };
}

function usage(message: string): never {
  throw new UsageError(message);
}

export async function exportCommand(args: string[], out: NodeJS.WriteStream, err: NodeJS.WriteStream): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      format: { type: 'string' },
      out: { type: 'string' },
      probe: { type: 'string' },
      epoch: { type: 'string' },
      mode: { type: 'string' },
      map: { type: 'string' },
      'runs-dir': { type: 'string' },
    },
  });
  if (positionals.length !== 1) usage('export takes one RUN (a run folder or id)');
  const format = values.format as ExportFormat | undefined;
  if (format === undefined || !EXPORT_FORMATS.includes(format) || format === 'png')
    usage(`--format must be svg, json or csv (PNG needs the panel), got '${values.format ?? ''}'`);
  if (values.out === undefined || values.out.trim() === '') usage('--out FILE is required');
  const outFile = path.resolve(values.out);
  if (fs.existsSync(outFile) && fs.statSync(outFile).isDirectory()) usage(`--out names a folder: ${outFile}`);
  if (!fs.existsSync(path.dirname(outFile))) usage(`--out: the folder ${path.dirname(outFile)} does not exist`);
  const probeNumber = positiveInteger('probe', values.probe) ?? 1;
  const epochArg = nonNegativeInteger('epoch', values.epoch);
  if (values.mode !== undefined && values.mode !== 'forward' && values.mode !== 'generated')
    usage(`--mode must be forward or generated, got '${values.mode}'`);
  let dir: string;
  try {
    dir = resolveRunArgument(positionals[0], path.resolve(values['runs-dir'] ?? 'runs'));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const damaged = (reason: string): number => {
    err.write(`llm-tutor export: damaged run ${dir}: ${reason}\n`);
    return EXIT_USAGE;
  };
  let run;
  try {
    run = await readRun(dir);
  } catch (error) {
    if (error instanceof DamagedRunError) return damaged(error.reason);
    throw error;
  }
  // A run with warnings (a missing snapshot, unverified weights) still exports what it has.
  const info = chapterInfo(run.config.chapter);
  let content: string;
  if (format === 'csv') {
    const evaluations = run.metrics.filter((m): m is EvaluationRecord => m.kind === 'epoch');
    content = metricsCsv(info, evaluations);
  } else {
    let snapshot: AttentionSnapshot | null = run.attention;
    if (epochArg !== undefined && epochArg !== snapshot?.epoch) {
      if (!run.attentionEpochs.includes(epochArg))
        usage(
          `--epoch: the run has no attention snapshot of ${epochArg}; it has ${run.attentionEpochs.join(', ') || 'none'}`,
        );
      try {
        snapshot = await readAttention(dir, epochArg);
      } catch (error) {
        if (error instanceof DamagedRunError) return damaged(error.reason);
        throw error;
      }
    }
    if (!snapshot) usage('the run has no attention snapshot');
    const probe = snapshot.probes[probeNumber - 1];
    if (!probe) usage(`--probe must be 1..${snapshot.probes.length} (this snapshot has ${snapshot.probes.length})`);
    if (format === 'json') {
      content = probeExportJson(
        probeExport(
          {
            runId: run.runId,
            chapter: run.config.chapter,
            epoch: snapshot.epoch,
            step: snapshot.step,
            probe: probeNumber - 1,
          },
          probe,
        ),
      );
    } else {
      const mode: AttentionMode =
        (values.mode as AttentionMode | undefined) ??
        (probe.maps.some((map) => map.mode === 'generated') ? 'generated' : 'forward');
      const title = `${run.runId} · epoch ${snapshot.epoch} · probe ${probeNumber}: ${probe.source.join(' ')}`;
      const svg = probeSvg(title, probe.maps, mode, values.map);
      if ('problem' in svg) usage(svg.problem);
      content = svg.svg;
    }
  }
  writeFileAtomic(outFile, content);
  out.write(`wrote ${outFile} (${format}, ${Buffer.byteLength(content)} bytes)\n`);
  return EXIT_OK;
}
