/** The webview's side of the VS Code API: typed posting and the persisted `WebviewState`. */
import * as v from 'valibot';
import {
  CompareStateSchema,
  WebviewStateSchema,
  type CompareState,
  type WebviewState,
  type WebviewToHost,
} from '../src/shared/protocol/webview';

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

/** The state saved before a reload, read back as untrusted: null unless it fits WebviewStateSchema. */
export function loadState(): WebviewState | null {
  const result = v.safeParse(WebviewStateSchema, vscode().getState());
  return result.success ? result.output : null;
}

export function saveCompareState(state: CompareState): void {
  vscode().setState(state);
}

/** A comparison panel's state saved before a reload, read back as untrusted: null unless it fits CompareStateSchema. */
export function loadCompareState(): CompareState | null {
  const result = v.safeParse(CompareStateSchema, vscode().getState());
  return result.success ? result.output : null;
}
