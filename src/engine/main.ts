/**
 * Entry point of `dist/engine.js`: the `llm-tutor` CLI (via bin/llm-tutor.js), or, when forked by
 * the extension with LLM_TUTOR_ENGINE=worker, the engine process.
 */
import { ENGINE_MODE_ENV, ENGINE_MODE_WORKER } from '../shared/protocol/engine';
import { startWorker } from './worker';

export { runCli } from './cli/main';

if (process.env[ENGINE_MODE_ENV] === ENGINE_MODE_WORKER && typeof process.send === 'function') {
  startWorker();
}
