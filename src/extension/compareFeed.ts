/**
 * What a comparison panel's webview receives: `compareInit` (every run read from disk with the
 * run store: a deleted or damaged run is sent with its reason), the live messages of its runs
 * (`compareMessageFor`: evaluations, steps, the end of a run), a run that joins as its training
 * starts (`startedRunEntry`), all paced by the throttle (≤ 10 a second) and held back while the
 * runs are read for `compareInit`, then dropped when the snapshot already holds them. No vscode
 * import.
 */
import type { LoadedRun } from '../runStore';
import { chapterInfo } from '../shared/course/catalogue';
import type { ChapterInfo } from '../shared/course/chapter';
import type { Language } from '../shared/ids';
import type { EngineMessage, EngineToHost } from '../shared/protocol/engine';
import type { CompareInitMessage, ComparedRunEntry, HostToWebview } from '../shared/protocol/webview';
import type { RunSnapshot } from '../shared/run/records';
import { WebviewMessageThrottle, type ThrottleOptions } from './throttle';
import { webviewStrings } from './webviewStrings';

/** The comparison panel message an engine event of one of its runs becomes, or null. */
export function compareMessageFor(message: EngineToHost): HostToWebview | null {
  switch (message.type) {
    case 'epoch':
      return { type: 'compareEpoch', runId: message.runId, metrics: message.metrics, attention: message.attention };
    case 'stepMetrics':
      return { type: 'compareStep', runId: message.runId, metrics: message.metrics };
    case 'runEnded':
      return { type: 'compareStatus', runId: message.runId, status: message.status, live: false };
    default:
      return null;
  }
}

/** A run as the comparison needs it: no shapes, figures or samples (the lab panel shows those). */
function lean(run: RunSnapshot): RunSnapshot {
  return { ...run, shapes: [], figures: [], samples: null };
}

/** The runs as the panel receives them; `isLive` says which this window trains now. */
export function comparedEntries(loaded: readonly LoadedRun[], isLive: (runDir: string) => boolean): ComparedRunEntry[] {
  return loaded.map((entry) =>
    entry.ok
      ? { ok: true, runId: entry.runId, run: lean(entry.run), live: isLive(entry.run.dir) }
      : { ok: false, runId: entry.runId, reason: entry.reason },
  );
}

/** A run whose training has just started (`runStarted`): its config, nothing trained yet. */
export function startedRunEntry(message: EngineMessage<'runStarted'>, startedAt: string): ComparedRunEntry {
  return {
    ok: true,
    runId: message.runId,
    live: true,
    run: {
      runId: message.runId,
      dir: message.runDir,
      config: message.config,
      status: { state: 'running', startedAt, epochsCompleted: 0 },
      metrics: [],
      shapes: [],
      figures: [],
      attentionEpochs: [],
      attention: null,
      samples: null,
      weights: 'missing',
      warnings: [],
    },
  };
}

/** The chapters of the readable runs, each once, in the runs' order. */
export function chaptersOf(entries: readonly ComparedRunEntry[]): ChapterInfo[] {
  const ids = [...new Set(entries.flatMap((entry) => (entry.ok ? [entry.run.config.chapter] : [])))];
  return ids.map((id) => chapterInfo(id));
}

export interface CompareInitParts {
  language: Language;
  runs: ComparedRunEntry[];
  waiting: readonly string[];
  name: string | null;
  canSave: boolean;
}

export function buildCompareInit(parts: CompareInitParts): CompareInitMessage {
  return {
    type: 'compareInit',
    language: parts.language,
    strings: webviewStrings(parts.language),
    chapters: chaptersOf(parts.runs),
    runs: parts.runs,
    waiting: [...parts.waiting],
    name: parts.name,
    canSave: parts.canSave,
  };
}

/** Messages that describe what `init` already holds (read from disk after they were sent). */
export function alreadyInCompare(init: CompareInitMessage, message: HostToWebview): boolean {
  const runOf = (runId: string) => init.runs.find((entry) => entry.runId === runId);
  switch (message.type) {
    case 'compareRun':
      return runOf(message.entry.runId) !== undefined;
    case 'compareEpoch': {
      const entry = runOf(message.runId);
      return !!entry?.ok && entry.run.metrics.some((m) => m.kind === 'epoch' && m.epoch === message.metrics.epoch);
    }
    case 'compareStep': {
      const entry = runOf(message.runId);
      return !!entry?.ok && entry.run.metrics.some((m) => m.kind === 'step' && m.step === message.metrics.step);
    }
    default:
      return false;
  }
}

/**
 * The stream of messages to one comparison panel's webview document: `beginInit` on `ready`,
 * `completeInit` once the runs are read; live messages that arrived meanwhile follow unless
 * `compareInit` already holds them. A fresh document (reload, hidden panel) starts over.
 */
export class CompareFeed {
  private readonly throttle: WebviewMessageThrottle;
  private loading = false;
  private initialized = false;
  private waiting: HostToWebview[] = [];

  constructor(send: (message: HostToWebview) => void, options: ThrottleOptions = {}) {
    this.throttle = new WebviewMessageThrottle(send, options);
  }

  get pending(): number {
    return this.throttle.waiting;
  }

  /** A live message for this panel; `visible`: the webview can take it now. */
  post(message: HostToWebview, visible = true): void {
    if (this.loading) this.waiting.push(message);
    else if (this.initialized && visible) this.throttle.push(message);
  }

  /** An answer to a request of the webview (saved, error). */
  reply(message: HostToWebview): void {
    this.throttle.push(message);
  }

  forgetDocument(): void {
    this.initialized = false;
    this.throttle.clear();
  }

  beginInit(): void {
    this.forgetDocument();
    this.loading = true;
    this.waiting = [];
  }

  completeInit(init: CompareInitMessage): void {
    this.loading = false;
    this.initialized = true;
    this.throttle.push(init);
    const waiting = this.waiting;
    this.waiting = [];
    for (const message of waiting) if (!alreadyInCompare(init, message)) this.throttle.push(message);
  }

  dispose(): void {
    this.throttle.dispose();
  }
}
