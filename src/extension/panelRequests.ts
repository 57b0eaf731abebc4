/**
 * The gate every message from a lab panel's webview passes: first `validateWebviewMessage`
 * (src/protocol/webview.ts), then checks that need the panel's run (an attention epoch must be one
 * the run has on disk). Anything else is refused with a one-line reason. No vscode import.
 */
import { validateWebviewMessage, type Validated, type WebviewToHost } from '../protocol/webview';

export interface PanelRequestContext {
  /** Epochs with an attention snapshot on disk (empty when the panel shows no run). */
  attentionEpochs: readonly number[];
  /** Whether the panel shows a readable run (predict and requestAttention need one). */
  hasRun: boolean;
}

export function checkPanelRequest(raw: unknown, context: PanelRequestContext): Validated<WebviewToHost> {
  let validated: Validated<WebviewToHost>;
  try {
    validated = validateWebviewMessage(raw);
  } catch {
    return { ok: false, error: 'message could not be read' };
  }
  if (!validated.ok) return validated;
  const message = validated.message;
  if (message.type === 'requestAttention') {
    if (!context.hasRun) return { ok: false, error: 'requestAttention: this panel shows no run' };
    if (!context.attentionEpochs.includes(message.epoch)) {
      return { ok: false, error: `requestAttention: epoch ${message.epoch} has no attention snapshot in this run` };
    }
  }
  if (message.type === 'predict' && !context.hasRun) return { ok: false, error: 'predict: this panel shows no run' };
  return validated;
}
