/**
 * Cooperative cancel inside the core's long synchronous stages (the object reading, the warp's
 * renders and fields, the preview fill, the self-check): they call {@link throwIfCancelled} at a
 * cheap granularity — between GrabCut rounds and steps, every {@link CANCEL_CHECK_ROWS} rows of a
 * pixel loop, between the bands of a row pass (parallel/rows.ts) — and throw `CancelledError` as
 * soon as the edit's AbortSignal has fired. Checks never sit in a per-pixel loop and change no
 * value: a result that is not cancelled is the same to the byte.
 *
 * A signal fired by a message (an edit worker's `cancel` from the bridge) flips only when the
 * thread takes the message in, and a synchronous stage never lets the event loop run: the thread
 * that runs edits registers a poll ({@link setCancelPoll}; the edit worker takes in the messages
 * waiting on its port) that a check calls before it reads the signal.
 */
import { CancelledError } from './types';

let poll: (() => void) | null = null;

/**
 * Register what a check calls to take in a cancel that arrived while a synchronous stage runs (it
 * may fire the signal); null for none. Returns the previous one. One per thread.
 */
export function setCancelPoll(fn: (() => void) | null): (() => void) | null {
  const prev = poll;
  poll = fn;
  return prev;
}

/** Whether `signal` has fired (after taking in a waiting cancel through the poll). */
export function isCancelled(signal: AbortSignal | undefined): boolean {
  if (!signal) return false;
  if (!signal.aborted && poll) poll();
  return signal.aborted;
}

/** Throw `CancelledError` when `signal` has fired (see {@link isCancelled}). */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (isCancelled(signal)) throw new CancelledError();
}

/** Rows of a long pixel loop between two checks (a loop checks when `(y & (CANCEL_CHECK_ROWS - 1)) === 0`). */
export const CANCEL_CHECK_ROWS = 64;

/** A check every {@link CANCEL_CHECK_ROWS} rows: call with the loop's row index. */
export function checkRow(signal: AbortSignal | undefined, y: number): void {
  if (signal && (y & (CANCEL_CHECK_ROWS - 1)) === 0) throwIfCancelled(signal);
}
