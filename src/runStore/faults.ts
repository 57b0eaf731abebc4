/**
 * Fault injection for tests: `faultPoint(name)` marks a moment between two writes of a run. A test
 * sets LLM_TUTOR_FAULT=<name>:<n> (or `any:<n>`) in a child process to make it die with SIGKILL at
 * the n-th such point, then checks that every run stays readable, resumable or cleanly refused.
 * Without the variable this costs one comparison.
 */
import { writeSync } from 'node:fs';
const setting = typeof process === 'undefined' ? undefined : process.env.LLM_TUTOR_FAULT;
const [faultName, faultCountText] = setting ? setting.split(':') : [];
let remaining = faultCountText ? Number(faultCountText) : Number.NaN;

export function faultPoint(name: string): void {
  if (!setting || (faultName !== 'any' && faultName !== name)) return;
  remaining -= 1;
  if (remaining > 0) return;
  try {
    writeSync(2, `fault: ${name}\n`); // which point, for the test's messages
  } catch {
    // stderr closed: the kill is what matters.
  }
  process.kill(process.pid, 'SIGKILL');
}
