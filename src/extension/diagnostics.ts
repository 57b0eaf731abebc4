/**
 * Responsiveness figures of the extension host: how long activation took, and how much the event
 * loop was delayed while a run was live (sampled with `perf_hooks.monitorEventLoopDelay`). At the
 * end of every run one line goes to the output channel and one JSON record is appended to
 * `<globalStorage>/diagnostics.jsonl` (the end-to-end tests read it). No vscode import: the caller
 * passes the sinks.
 */
import * as fs from 'fs';
import * as path from 'path';
import { monitorEventLoopDelay, performance } from 'perf_hooks';

/** When this module was evaluated: the bundle imports it first, so this is the bundle's load. */
export const MODULE_LOADED_AT = performance.now();

export const DIAGNOSTICS_FILE = 'diagnostics.jsonl';
/** Sampling interval of the event-loop delay monitor, in milliseconds. */
export const EVENT_LOOP_RESOLUTION_MS = 10;

/** The subset of `perf_hooks.IntervalHistogram` used here (values in nanoseconds). */
export interface DelayHistogram {
  enable(): void;
  disable(): void;
  percentile(percentile: number): number;
  readonly max: number;
  readonly mean: number;
  readonly count: number;
}

/**
 * Event-loop delay while a run was live, as `monitorEventLoopDelay` measures it: the time each
 * sampling timer took to fire, so an idle loop reads about the resolution (≈ 10 ms) and the
 * excess is what the extension host kept the loop busy.
 */
export interface EventLoopDelay {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
  /** Number of delay samples behind the figures (about one per resolution interval). */
  samples: number;
}

export interface ActivationTiming {
  /** From the first line of `activate()` to its end. */
  activationMs: number;
  /** From this module's load (the start of the bundle) to the end of `activate()`. */
  sinceModuleLoadMs: number;
}

export interface RunDiagnosticsRecord extends ActivationTiming {
  time: string;
  runId: string;
  state: string;
  /** How long the run was live in this window, in milliseconds. */
  liveMs: number;
  eventLoopDelay: EventLoopDelay;
}

const NS_PER_MS = 1e6;
const round = (value: number, digits = 3): number => (Number.isFinite(value) ? Number(value.toFixed(digits)) : 0);

/** Figures of a histogram, in milliseconds (zeros when it holds no sample). */
export function summarizeHistogram(histogram: DelayHistogram): EventLoopDelay {
  const samples = histogram.count;
  if (!samples) return { p50Ms: 0, p99Ms: 0, maxMs: 0, meanMs: 0, samples: 0 };
  return {
    p50Ms: round(histogram.percentile(50) / NS_PER_MS),
    p99Ms: round(histogram.percentile(99) / NS_PER_MS),
    maxMs: round(histogram.max / NS_PER_MS),
    meanMs: round(histogram.mean / NS_PER_MS),
    samples,
  };
}

/** `diagnostics: activation_ms=… event_loop_delay_p99_ms=… max_ms=… samples=…` (the output channel's line). */
export function formatDiagnosticsLine(record: RunDiagnosticsRecord): string {
  const d = record.eventLoopDelay;
  return (
    `diagnostics: activation_ms=${round(record.activationMs, 1)} event_loop_delay_p99_ms=${round(d.p99Ms, 1)} ` +
    `max_ms=${round(d.maxMs, 1)} samples=${d.samples} run=${record.runId} state=${record.state} ` +
    `since_module_load_ms=${round(record.sinceModuleLoadMs, 1)} live_ms=${Math.round(record.liveMs)}`
  );
}

/** Appends one JSON line to `<dir>/diagnostics.jsonl` (creating the folder); returns the file. */
export async function appendDiagnosticsRecord(dir: string, record: RunDiagnosticsRecord): Promise<string> {
  const file = path.join(dir, DIAGNOSTICS_FILE);
  await fs.promises.mkdir(dir, { recursive: true });
  await fs.promises.appendFile(file, `${JSON.stringify(record)}\n`, 'utf8');
  return file;
}

export interface DiagnosticsOptions {
  /** Where diagnostics.jsonl goes (the extension's global storage folder). */
  storageDir: string;
  /** Writes a line to the "LLM Tutor" output channel. */
  log: (line: string) => void;
  /** Clock in milliseconds (default `performance.now`). */
  now?: () => number;
  /** When the module was loaded, on the `now` clock (default MODULE_LOADED_AT). */
  moduleLoadedAt?: number;
  /** Makes the delay histogram (default `monitorEventLoopDelay({ resolution })`). */
  createHistogram?: (resolutionMs: number) => DelayHistogram;
}

interface LiveSampling {
  runId: string;
  startedAt: number;
  histogram: DelayHistogram;
}

/** Activation timing plus event-loop delay sampling while a run is live. */
export class Diagnostics {
  private readonly now: () => number;
  private activationStartedAt: number | null = null;
  private activation: ActivationTiming | null = null;
  private readonly live = new Map<string, LiveSampling>();

  constructor(private readonly options: DiagnosticsOptions) {
    this.now = options.now ?? (() => performance.now());
  }

  /** Call on the first line of `activate()`. */
  activationStarted(): void {
    this.activationStartedAt = this.now();
  }

  /** Call at the end of `activate()`. */
  activationEnded(): ActivationTiming {
    const end = this.now();
    const start = this.activationStartedAt ?? end;
    this.activation = {
      activationMs: round(end - start),
      sinceModuleLoadMs: round(end - (this.options.moduleLoadedAt ?? MODULE_LOADED_AT)),
    };
    return this.activation;
  }

  activationTiming(): ActivationTiming | null {
    return this.activation;
  }

  /** Starts sampling the event-loop delay for a live run (again for the same id: restarts). */
  runStarted(runId: string): void {
    this.live.get(runId)?.histogram.disable();
    const histogram = (this.options.createHistogram ?? ((resolution) => monitorEventLoopDelay({ resolution })))(
      EVENT_LOOP_RESOLUTION_MS,
    );
    histogram.enable();
    this.live.set(runId, { runId, startedAt: this.now(), histogram });
  }

  /**
   * Stops sampling, logs the line and appends the record. Never throws: a diagnostics problem is
   * logged, not shown. Returns the record (null for a run that was not being sampled).
   */
  async runEnded(runId: string, state: string): Promise<RunDiagnosticsRecord | null> {
    const sampling = this.live.get(runId);
    if (!sampling) return null;
    this.live.delete(runId);
    sampling.histogram.disable();
    const activation = this.activation ?? { activationMs: 0, sinceModuleLoadMs: 0 };
    const record: RunDiagnosticsRecord = {
      time: new Date().toISOString(),
      runId,
      state,
      ...activation,
      liveMs: round(this.now() - sampling.startedAt, 1),
      eventLoopDelay: summarizeHistogram(sampling.histogram),
    };
    this.options.log(formatDiagnosticsLine(record));
    try {
      await appendDiagnosticsRecord(this.options.storageDir, record);
    } catch (error) {
      this.options.log(
        `diagnostics: could not write ${DIAGNOSTICS_FILE}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    return record;
  }

  /** Stops every sampler without writing anything (deactivation). */
  dispose(): void {
    for (const sampling of this.live.values()) sampling.histogram.disable();
    this.live.clear();
  }
}
