/**
 * The early map preview: after the first optimiser step of a new run, the probes' attention and
 * the generic self-checks (rows sum to 1, masked cells 0), as an attention snapshot of epoch 0 ("before the first evaluation"), so the
 * learner sees a trained step's maps seconds after the command instead of at the end of the first
 * epoch. Live only: it is sent as an event and never written to the run folder (a reopened run
 * shows its evaluations' snapshots). A resumed run has maps already and makes none.
 */
import type { AttentionSnapshot } from '../../shared/run/records';
import type { Session } from './session';
import { buildSnapshot, genericChecks } from './snapshot';

/** The epoch number of a preview snapshot: no evaluation has run yet. */
export const PREVIEW_EPOCH = 0;

/** The preview snapshot of the model's current weights, or null when the chapter's probes have no maps. */
export function previewSnapshot(session: Session): AttentionSnapshot | null {
  const { chapter, data, model, config } = session;
  // probe() reads its attention back to plain arrays and disposes its tensors, as at the end of an epoch.
  const probes = data.probe(model);
  if (!probes.probes.some((probe) => probe.maps.length > 0)) return null;
  const context = { model, data, hyperparameters: session.hyper, task: config.task, probes };
  // Only the checks read from the probes: a chapter's own may take seconds (the transformer's
  // causal perturbation and leaked mass over the validation set: 2.1 s at its defaults) and would
  // hold the preview back by as much; every evaluation runs them all.
  return buildSnapshot(PREVIEW_EPOCH, session.step, context, genericChecks(chapter, context));
}

/** Sends the preview once, right after the run's first optimiser step (when the session asks for one). */
export function sendPreviewAfterFirstStep(session: Session): void {
  if (!session.previewAfterFirstStep) return;
  session.previewAfterFirstStep = false;
  if (!session.events.attentionPreview) return; // nobody listens (the CLI): no forward pass for nothing
  const snapshot = previewSnapshot(session);
  if (snapshot) session.events.attentionPreview(snapshot);
}
