/**
 * The HTTP door of `POST /v1/edit`: who may send a body and how much, decided before a byte of
 * it is read. Host and Origin are checked for every route (http-app.ts); here the bearer token
 * and Content-Length are checked first, then the body is read with a hard cap derived from the
 * limits in force, and all bodies being read at once share one byte budget.
 */
import type { IncomingMessage } from 'node:http';
import { ErrorCode, SmartDragError, type Limits } from '@smartdrag/shared';

/** Bytes of JSON around the image allowed per point (two numbers, separators, whitespace). */
const BYTES_PER_POINT = 48;

/**
 * Largest `/v1/edit` body the limits allow: the base64 of the largest PNG an allowed image can be
 * (stored, unfiltered: 4 bytes per pixel, a filter byte per row, zlib and chunk framing, plus
 * 1 MiB for ancillary chunks such as ICC profiles), plus the JSON of the most regions, keep
 * areas and drags at the most points each, and the longest intent.
 */
export function httpBodyLimit(limits: Limits): number {
  const raw = limits.maxImagePixels * 4 + limits.maxImageSidePx;
  const png = raw + Math.ceil(raw / 65535) * 5 + Math.ceil(raw / 8192) * 12 + 1024 * 1024;
  const base64 = 4 * Math.ceil(png / 3);
  const shapes = (2 * limits.maxRegions + limits.maxDrags) * limits.maxPoints * BYTES_PER_POINT;
  return base64 + shapes + limits.maxIntentChars * 6 + 64 * 1024;
}

/** Bytes of bodies being read (authenticated, not yet validated) at once, across all requests. */
export class UploadBudget {
  private used = 0;

  constructor(readonly total: number) {}

  get inUse(): number {
    return this.used;
  }

  /** Take `n` bytes; false (nothing taken) when that would pass the total. */
  take(n: number): boolean {
    if (this.used + n > this.total) return false;
    this.used += n;
    return true;
  }

  give(n: number): void {
    this.used = Math.max(0, this.used - n);
  }
}

/** Parse a Content-Length header: a byte count, null when absent (chunked), NaN when malformed. */
export function declaredLength(req: Pick<IncomingMessage, 'headers'>): number | null {
  const v = req.headers['content-length'];
  if (v === undefined) return null;
  return /^\d{1,15}$/.test(v) ? Number(v) : NaN;
}

/**
 * Read a request body of at most `max` bytes, holding its bytes in `budget` while it is read.
 * A declared length over `max` is refused before reading; a chunked body is stopped as soon as
 * it passes `max` (`image_too_large`); a full budget refuses with `queue_full`. The budget is
 * given back when the promise settles (the caller parses the bytes right away).
 */
export async function readBody(req: IncomingMessage, max: number, budget: UploadBudget): Promise<Buffer> {
  const declared = declaredLength(req);
  if (Number.isNaN(declared)) throw new SmartDragError(ErrorCode.bad_message, 'malformed Content-Length');
  if (declared !== null && declared > max) throw tooLarge(declared, max);
  let held = 0;
  const hold = (n: number) => {
    if (!budget.take(n)) {
      throw new SmartDragError(ErrorCode.queue_full, `the bridge is already reading ${budget.inUse} bytes of uploads; retry shortly`);
    }
    held += n;
  };
  try {
    if (declared !== null) hold(declared);
    const parts: Buffer[] = [];
    let size = 0;
    // destroyOnReturn false: stopping early must leave the socket open for the 413 answer.
    for await (const chunk of req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > max) throw tooLarge(size, max);
      if (declared === null) hold(chunk.length);
      else if (size > declared) throw new SmartDragError(ErrorCode.bad_message, 'body longer than its Content-Length');
      parts.push(chunk);
    }
    return Buffer.concat(parts, size);
  } finally {
    budget.give(held);
  }
}

function tooLarge(bytes: number, max: number): SmartDragError {
  return new SmartDragError(ErrorCode.image_too_large, `a ${bytes}-byte request body exceeds the ${max}-byte limit (derived from maxImagePixels)`,
    { detail: { bytes, maxBodyBytes: max } });
}
