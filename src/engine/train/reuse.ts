/**
 * A comparison's other chapter (`comparison.withChapter`, e.g. transformer's attention-seq2seq run)
 * is trained only when the runs folder holds no finished run that would be the same: same chapter,
 * task, variant and seed, the same hyperparameters once resolved, on the same backend (any, when the
 * learner asked for `auto`). Such a run is reused as it is (it joins the comparison; nothing is
 * written to it); the newest one when several match. Runs that cannot be read, that are still
 * running, were stopped or failed are never reused.
 */
import type { Hyperparameters } from '../../shared/course/chapter';
import type { BackendChoice } from '../../shared/ids';
import type { RunConfig } from '../../shared/run/records';
import { listRuns, readConfig } from '../../runStore';
import type { Chapter } from '../chapters/contract';
import type { NewRunPlan } from './runConfig';

export interface ReusedRun {
  runId: string;
  runDir: string;
  config: RunConfig;
}

function sameHyperparameters(a: Hyperparameters, b: Hyperparameters): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.is(a[key], b[key]));
}

/** Whether the run of `config` is the run that `plan` of `chapter` on `backend` would train. */
export function isSameRun(config: RunConfig, chapter: Chapter, plan: NewRunPlan, backend: BackendChoice): boolean {
  return (
    config.chapter === chapter.info.id &&
    config.task === plan.task &&
    config.variant === plan.variant &&
    config.seed === plan.seed &&
    (backend === 'auto' || config.backend === backend) &&
    sameHyperparameters(config.hyperparameters, plan.hyperparameters)
  );
}

/** The newest completed run in `runsDir` that `plan` would repeat, or null (also when `runsDir` cannot be read). */
export async function findReusableRun(
  runsDir: string,
  chapter: Chapter,
  plan: NewRunPlan,
  backend: BackendChoice,
): Promise<ReusedRun | null> {
  const entries = await listRuns(runsDir).catch(() => []);
  // listRuns is newest first; the cheap fields narrow it before any config is read.
  for (const entry of entries) {
    if (!entry.ok || entry.state !== 'completed' || entry.chapter !== chapter.info.id) continue;
    if (entry.task !== plan.task || entry.variant !== plan.variant) continue;
    const config = await readConfig(entry.dir).catch(() => null);
    if (config && isSameRun(config, chapter, plan, backend)) return { runId: entry.runId, runDir: entry.dir, config };
  }
  return null;
}
