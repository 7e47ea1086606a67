/**
 * Cancelling the playground's download: the encoders take an `AbortSignal` and reject with
 * {@link abortError} when it is aborted (the JPEG/WebP worker is terminated, the PNG encoder stops
 * between its slices). An image still being opened when another is opened is cancelled so too
 * (its decode worker terminated).
 */

/** The error a cancelled download (or what `message` says) rejects with (a DOMException named `AbortError`, as `fetch` gives). */
export function abortError(message = 'the download was cancelled'): DOMException {
  return new DOMException(message, 'AbortError');
}

/** Whether `e` is a cancel ({@link abortError}), not a failure. */
export function isAbortError(e: unknown): boolean {
  return (e instanceof DOMException || e instanceof Error) && e.name === 'AbortError';
}

/** Throw {@link abortError} (with `message`) when `signal` was aborted. */
export function throwIfAborted(signal: AbortSignal | null | undefined, message?: string): void {
  if (signal?.aborted) throw abortError(message);
}
