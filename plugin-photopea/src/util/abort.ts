/**
 * Cancelling the playground's download: the encoders take an `AbortSignal` and reject with
 * {@link abortError} when it is aborted (the JPEG/WebP worker is terminated, the PNG encoder stops
 * between its slices).
 */

/** The error a cancelled download rejects with (a DOMException named `AbortError`, as `fetch` gives). */
export function abortError(): DOMException {
  return new DOMException('the download was cancelled', 'AbortError');
}

/** Whether `e` is a cancel ({@link abortError}), not a failure. */
export function isAbortError(e: unknown): boolean {
  return (e instanceof DOMException || e instanceof Error) && e.name === 'AbortError';
}

/** Throw {@link abortError} when `signal` was aborted. */
export function throwIfAborted(signal: AbortSignal | null | undefined): void {
  if (signal?.aborted) throw abortError();
}
