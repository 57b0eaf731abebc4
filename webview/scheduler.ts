/**
 * Redraws happen on the next animation frame, never once per message: a burst of messages marks
 * parts dirty and each part is drawn once per frame. After a frame, `document.body.dataset.frame`
 * is incremented so tests (and curious humans) can wait for a drawn state, and
 * `document.body.dataset.flushMs` says how long the frame's drawing took.
 */
const pending = new Map<string, () => void>();
let frameRequested = false;
let frameCount = 0;
let flushing = false;

function flush(): void {
  const started = performance.now();
  frameRequested = false;
  flushing = true;
  // Jobs may schedule further jobs (a panel update redraws its map): run those in the same frame.
  for (let pass = 0; pass < 4 && pending.size > 0; pass++) {
    const jobs = [...pending.values()];
    pending.clear();
    for (const job of jobs) {
      try {
        job();
      } catch (error) {
        reportRenderError(error);
      }
    }
  }
  flushing = false;
  if (pending.size > 0 && !frameRequested) {
    frameRequested = true;
    requestAnimationFrame(flush);
  }
  frameCount += 1;
  document.body.dataset.frame = String(frameCount);
  document.body.dataset.flushMs = (performance.now() - started).toFixed(2);
}

let reportRenderError: (error: unknown) => void = (error) => console.error(error);

export function onRenderError(handler: (error: unknown) => void): void {
  reportRenderError = handler;
}

/** Runs `job` on the next animation frame; a later call with the same key replaces it. */
export function scheduleRender(key: string, job: () => void): void {
  pending.delete(key);
  pending.set(key, job);
  if (!frameRequested && !flushing) {
    frameRequested = true;
    requestAnimationFrame(flush);
  }
}
