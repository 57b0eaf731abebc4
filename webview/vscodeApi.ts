/** The webview's side of the VS Code API: typed posting and the persisted `WebviewState`. */
import type { WebviewState, WebviewToHost } from '../src/protocol/webview';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): unknown;
}

declare function acquireVsCodeApi(): VsCodeApi;

let api: VsCodeApi | null = null;

function vscode(): VsCodeApi {
  if (!api) {
    api =
      typeof acquireVsCodeApi === 'function'
        ? acquireVsCodeApi()
        : { postMessage: (m) => console.log('postMessage', m), getState: () => undefined, setState: (s) => s };
  }
  return api;
}

export function post(message: WebviewToHost): void {
  vscode().postMessage(message);
}

export function saveState(state: WebviewState): void {
  vscode().setState(state);
}

function isIndexOrNull(x: unknown): x is number | null {
  return x === null || (typeof x === 'number' && Number.isInteger(x) && x >= 0);
}

/** The state saved before a reload, if it has the right shape. */
export function loadState(): WebviewState | null {
  const raw = vscode().getState() as Partial<WebviewState> | undefined | null;
  if (!raw || typeof raw !== 'object') return null;
  if (typeof raw.runDir !== 'string') return null;
  if (!(typeof raw.probeIndex === 'number' && Number.isInteger(raw.probeIndex) && raw.probeIndex >= 0)) return null;
  if (
    !isIndexOrNull(raw.epoch ?? null) ||
    !isIndexOrNull(raw.selectedRow ?? null) ||
    !isIndexOrNull(raw.selectedColumn ?? null)
  )
    return null;
  return {
    runDir: raw.runDir,
    probeIndex: raw.probeIndex,
    epoch: raw.epoch ?? null,
    selectedRow: raw.selectedRow ?? null,
    selectedColumn: raw.selectedColumn ?? null,
    mode: raw.mode === 'teacherForced' ? 'teacherForced' : 'greedy',
  };
}
