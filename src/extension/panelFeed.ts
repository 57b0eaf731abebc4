/**
 * What a lab panel's webview receives, and when: which engine events become panel messages
 * (`webviewMessageFor`), the `init` message (`readPanelRun`, `buildInitMessage`), and
 * `PanelFeed`, which paces everything through the throttle (≤ 10 a second) and holds live
 * messages back while the run folder is read for `init`, then drops those the snapshot already
 * holds. The run's attention preview (live only, never on disk) is kept until the first
 * evaluation's snapshot, so a document that opens or reloads after it arrived still gets it. labPanel.ts and engineSession/trainingController.ts use it, and so does the webview
 * tests' recorder (test/webview/fixtures/record-engine.ts), so the recording is what the host
 * sends. No vscode import.
 */
import { DamagedRunError, readRun } from '../runStore';
import type { ChapterInfo } from '../shared/course/chapter';
import type { Language } from '../shared/ids';
import type { EngineToHost } from '../shared/protocol/engine';
import type { HostToWebview, InitMessage, WebviewMessage } from '../shared/protocol/webview';
import type { RunSnapshot } from '../shared/run/records';
import { WebviewMessageThrottle, type ThrottleOptions } from './throttle';
import { webviewStrings } from './webviewStrings';

/** The lab panel message an engine event becomes, or null when it is not for the panel. */
export function webviewMessageFor(message: EngineToHost): HostToWebview | null {
  switch (message.type) {
    case 'progress':
      return {
        type: 'progress',
        epoch: message.epoch,
        epochs: message.epochs,
        batch: message.batch,
        batches: message.batches,
        trainLoss: message.trainLoss,
      };
    case 'stepMetrics':
      return { type: 'step', metrics: message.metrics };
    case 'attentionPreview':
      return { type: 'attentionPreview', attention: message.attention };
    case 'epoch':
      return {
        type: 'epoch',
        metrics: message.metrics,
        attention: message.attention,
        samples: message.samples,
        ...(message.figures ? { figures: message.figures } : {}),
      };
    case 'runEnded':
      return { type: 'status', status: message.status, live: false };
    default:
      return null;
  }
}

/** A run folder read for `init`: the snapshot (run format 2: weights, figures, packed attention), or null and the reason it is damaged. */
export interface PanelRun {
  snapshot: RunSnapshot | null;
  damagedReason?: string;
}

export async function readPanelRun(runDir: string): Promise<PanelRun> {
  try {
    return { snapshot: await readRun(runDir) };
  } catch (error) {
    const damagedReason =
      error instanceof DamagedRunError ? error.reason : error instanceof Error ? error.message : String(error);
    return { snapshot: null, damagedReason };
  }
}

export interface InitParts {
  language: Language;
  chapter: ChapterInfo;
  /** The run folder the panel shows; null for a chapter preview. */
  runDir: string | null;
  run: PanelRun | null;
  canTrain: boolean;
  live: boolean;
}

/** `init`: `runDir` always (damaged runs too, so the serializer can restore them), `damagedReason` only for a damaged run. */
export function buildInitMessage(parts: InitParts): InitMessage {
  const init: InitMessage = {
    type: 'init',
    language: parts.language,
    strings: webviewStrings(parts.language),
    chapter: parts.chapter,
    runDir: parts.runDir,
    run: parts.run?.snapshot ?? null,
    canTrain: parts.canTrain,
    live: parts.live,
  };
  if (parts.run?.damagedReason !== undefined) init.damagedReason = parts.run.damagedReason;
  return init;
}

/** Messages that describe what is already in a snapshot read after they were sent. */
export function alreadyIn(snapshot: RunSnapshot | null, message: HostToWebview): boolean {
  if (!snapshot) return false;
  if (message.type === 'epoch')
    return snapshot.metrics.some((m) => m.kind === 'epoch' && m.epoch === message.metrics.epoch);
  if (message.type === 'step')
    return snapshot.metrics.some((m) => m.kind === 'step' && m.step === message.metrics.step);
  return false;
}

/**
 * The stream of messages to one panel's webview document. `beginInit` when the webview says
 * `ready`, `completeInit` once the run folder is read: live messages that arrived meanwhile follow
 * `init` unless the snapshot already has them. A fresh document (reload, hidden panel) starts over.
 */
export class PanelFeed {
  private readonly throttle: WebviewMessageThrottle;
  private snapshotValue: RunSnapshot | null = null;
  private attentionEpochsValue: number[] = [];
  private epochsOnDiskValue = 0;
  /** Between `beginInit` and `completeInit`: live messages wait here. */
  private loading = false;
  /** `init` was sent to the current document of the webview. */
  private initialized = false;
  private waiting: HostToWebview[] = [];
  /** The run's attention preview while no evaluation's snapshot exists (it is on no disk to read back). */
  private preview: WebviewMessage<'attentionPreview'> | null = null;

  constructor(send: (message: HostToWebview) => void, options: ThrottleOptions = {}) {
    this.throttle = new WebviewMessageThrottle(send, options);
  }

  /** The run as read for the latest `init` (null: damaged, a chapter preview, or not read yet). */
  get snapshot(): RunSnapshot | null {
    return this.snapshotValue;
  }

  /** Epochs with an attention snapshot on disk, ascending. */
  get attentionEpochs(): readonly number[] {
    return this.attentionEpochsValue;
  }

  /** Epochs whose results and model weights are on disk (from the snapshot and live epoch messages). */
  get epochsOnDisk(): number {
    return this.epochsOnDiskValue;
  }

  /** Messages waiting in the throttle. */
  get pending(): number {
    return this.throttle.waiting;
  }

  /** A live message from the engine for this panel's run; `visible`: the webview can take it now. */
  post(message: HostToWebview, visible = true): void {
    if (message.type === 'attentionPreview') {
      if (this.attentionEpochsValue.length > 0) return; // an evaluation's maps are there already
      this.preview = message;
    }
    if (message.type === 'epoch' && message.attention) this.preview = null;
    if (message.type === 'epoch') {
      this.epochsOnDiskValue = Math.max(this.epochsOnDiskValue, message.metrics.epoch);
      if (message.attention && !this.attentionEpochsValue.includes(message.metrics.epoch)) {
        this.attentionEpochsValue = [...this.attentionEpochsValue, message.metrics.epoch].sort((a, b) => a - b);
      }
    }
    if (message.type === 'status')
      this.epochsOnDiskValue = Math.max(this.epochsOnDiskValue, message.status.epochsCompleted);
    if (this.loading) this.waiting.push(message);
    else if (this.initialized && visible) this.throttle.push(message);
  }

  /** An answer to a request of the webview (attention, prediction, error). */
  reply(message: HostToWebview): void {
    this.throttle.push(message);
  }

  /** The webview's document is gone (reload, hidden): nothing more is sent to it. */
  forgetDocument(): void {
    this.initialized = false;
    this.throttle.clear();
  }

  /** The webview is `ready`: hold live messages until `completeInit`. */
  beginInit(): void {
    this.forgetDocument();
    this.loading = true;
    this.waiting = [];
  }

  /** Sends `init` (built from `snapshot`), then the live messages that arrived while it was read. */
  completeInit(snapshot: RunSnapshot | null, init: InitMessage): void {
    this.snapshotValue = snapshot;
    this.attentionEpochsValue = snapshot ? [...snapshot.attentionEpochs] : [];
    this.epochsOnDiskValue = snapshot?.status.epochsCompleted ?? 0;
    this.loading = false;
    this.initialized = true;
    this.throttle.push(init);
    const waiting = this.waiting;
    this.waiting = [];
    if (this.attentionEpochsValue.length > 0) this.preview = null;
    // A preview that came before this document (or while it loaded) follows init, once.
    if (this.preview && !waiting.includes(this.preview)) this.throttle.push(this.preview);
    for (const message of waiting) {
      if (message.type === 'epoch') this.epochsOnDiskValue = Math.max(this.epochsOnDiskValue, message.metrics.epoch);
      if (message.type === 'epoch' && message.attention && !this.attentionEpochsValue.includes(message.metrics.epoch)) {
        this.attentionEpochsValue = [...this.attentionEpochsValue, message.metrics.epoch].sort((a, b) => a - b);
      }
      if (message.type === 'attentionPreview' && message !== this.preview) continue;
      if (!alreadyIn(snapshot, message)) this.throttle.push(message);
    }
  }

  dispose(): void {
    this.throttle.dispose();
  }
}
