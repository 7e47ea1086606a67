import { pollWait } from '@smartdrag/shared';

/**
 * Give the page its turn (input, painting, timers) between slices of long work on its thread: a
 * timer, as the thumbnail and the PNG encoder do — `scheduler.yield()` resumes ahead of the page's
 * timers, which then starved (a 10 ms heartbeat missed 300 ms while a proxy was made in slices).
 * In a hidden page, whose timers run at most once a second, a message to itself instead (nothing
 * there waits on a timer to be seen): the bridge client's own wait between looks at its send queue.
 */
export function yieldToPage(): Promise<void> {
  return pollWait(0);
}

/** How long one slice of work on the page's thread may last before {@link yieldToPage} (ms). */
export const SLICE_MS = 8;
