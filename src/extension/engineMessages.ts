/**
 * Checks what the engine child process sends before the host acts on it. The child is our own
 * code, but it is another process: a message that is not one of the protocol's (src/protocol/engine.ts)
 * is reported and ignored, never trusted. No vscode import.
 */
import type { EngineToHost } from '../protocol/engine';

export type ParsedEngineMessage = { ok: true; message: EngineToHost } | { ok: false; error: string };

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

const isString = (x: unknown): x is string => typeof x === 'string';
const isNumber = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
/** JSON has no NaN: a NaN loss crosses IPC as null. */
const isLoss = (x: unknown): boolean => typeof x === 'number' || x === null;

/** The fields each message type must carry, with the check for each. */
const REQUIRED: Record<EngineToHost['type'], Record<string, (x: unknown) => boolean>> = {
  ready: { packageVersion: isString },
  runStarted: {
    requestId: isString,
    runId: isString,
    runDir: isString,
    backend: isString,
    config: isRecord,
    shapes: Array.isArray,
  },
  progress: {
    runId: isString,
    epoch: isNumber,
    epochs: isNumber,
    batch: isNumber,
    batches: isNumber,
    trainLoss: isLoss,
  },
  stepMetrics: { runId: isString, metrics: isRecord },
  epoch: { runId: isString, metrics: isRecord, attention: (x) => x === null || isRecord(x), samples: isRecord },
  log: { runId: isString, line: isString },
  runEnded: { runId: isString, status: (x) => isRecord(x) && isString(x.state) },
  prediction: { requestId: isString, prediction: isRecord },
  error: { message: isString, requestId: (x) => x === undefined || isString(x) },
};

export function parseEngineMessage(raw: unknown): ParsedEngineMessage {
  if (!isRecord(raw)) return { ok: false, error: 'engine message is not an object' };
  const type = raw.type;
  if (!isString(type) || !Object.prototype.hasOwnProperty.call(REQUIRED, type)) {
    return { ok: false, error: `unknown engine message type ${JSON.stringify(type)}` };
  }
  const fields = REQUIRED[type as EngineToHost['type']];
  for (const [name, check] of Object.entries(fields)) {
    if (!check(raw[name])) return { ok: false, error: `engine message ${type}: bad or missing field ${name}` };
  }
  const message = raw as unknown as EngineToHost;
  if (message.type === 'progress' && message.trainLoss === null)
    return { ok: true, message: { ...message, trainLoss: NaN } };
  return { ok: true, message };
}
