/**
 * The page's side of the playground's decode worker (util/decode-worker.ts, built by webpack as
 * decode-worker.js next to the page's main.js): a large photo is decoded and its pixels read off
 * the page's thread, so opening a 24–48 MP file leaves the page responsive (the toolbar says
 * "Opening…" meanwhile). {@link DecodeWorker.start} gives null where this page cannot have one
 * (no Worker or OffscreenCanvas, or main.js's address unknown); a worker that cannot start (its
 * file not found), cannot decode there (no 2D OffscreenCanvas in workers) or dies rejects with
 * {@link DecodeWorkerUnavailable}: the caller then decodes on the page's thread as before
 * (host/canvas-host.ts, `decodeImageFileOnPage`).
 */
import { abortError, throwIfAborted } from './abort';

/** The worker's file, beside the page's main.js (webpack.config.js names the entry so). */
export const DECODE_WORKER_FILE = 'decode-worker.js';

/**
 * What the page asks the worker: a file decoded (`type`: its MIME type; `toSrgb`: converted to
 * sRGB by the browser; `orientation`: its EXIF Orientation, for PNGs turned by the page's code).
 */
export interface DecodeWorkerRequest {
  /** The file: its bytes (copied to the worker), or the Blob they were read from (handed over as it is, read there). */
  file: Uint8Array | Blob;
  type: string;
  toSrgb: boolean;
  orientation: number;
}

/**
 * Pixels decoded in the worker (straight-alpha RGBA8; `sourceDepth` of a PNG over 8 bits), and
 * whether they are upright (null: cannot be told), as util/decode-image.ts's `decodePixels` gives them.
 */
export interface WorkerPixels {
  width: number;
  height: number;
  data: Uint8ClampedArray;
  sourceDepth?: number;
  upright: boolean | null;
}

/** The worker's one answer to a request: pixels, the decoder's error, or that it cannot do it here. */
export type DecodeWorkerReply = WorkerPixels | { error: string; name: string } | { unavailable: string };

/** The worker could not be started or did not answer (its file missing, no OffscreenCanvas, it crashed): decode on the page instead. */
export class DecodeWorkerUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecodeWorkerUnavailable';
  }
}

/**
 * Where the worker's file is: beside the script this module runs in (main.js; `currentScript` is
 * known only while the bundle first runs, so it is taken then). Null outside a page (tests in Node).
 */
const WORKER_URL: string | null = (() => {
  try {
    const script = typeof document !== 'undefined' ? document.currentScript : null;
    return script && 'src' in script && script.src ? new URL(DECODE_WORKER_FILE, script.src).href : null;
  } catch {
    return null;
  }
})();

/**
 * A decode worker for one file: {@link ask} it once. It closes itself once it has answered;
 * {@link end} stops it where it has not (the open was cancelled or failed on the page).
 */
export class DecodeWorker {
  private readonly worker: Worker;
  private pending: { resolve: (r: DecodeWorkerReply) => void; reject: (e: unknown) => void } | null = null;
  private broken: DecodeWorkerUnavailable | null = null;
  /** It answered (and so closed itself). */
  private answered = false;

  private constructor(url: string) {
    this.worker = new Worker(url);
    this.worker.onmessage = (e: MessageEvent<DecodeWorkerReply>) => {
      this.answered = true;
      const p = this.pending;
      this.pending = null;
      p?.resolve(e.data);
    };
    // Its file not found or not a script, an error it did not catch, out of memory; an answer that
    // cannot be read here.
    this.worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      this.fail(`the decode worker failed${e.message ? ` (${e.message})` : ''}`);
    };
    this.worker.onmessageerror = () => this.fail('the decode worker\'s answer could not be read');
  }

  private fail(why: string): void {
    this.broken = new DecodeWorkerUnavailable(why);
    const p = this.pending;
    this.pending = null;
    p?.reject(this.broken);
  }

  /** A new worker, or null where this page cannot have one (then decode on the page's thread). */
  static start(): DecodeWorker | null {
    if (!WORKER_URL || typeof Worker !== 'function' || typeof OffscreenCanvas !== 'function') return null;
    try {
      return new DecodeWorker(WORKER_URL);
    } catch {
      return null;
    }
  }

  /**
   * Ask the worker; resolves its pixels, rejects with the decoder's error (an Error of its name and
   * message), {@link DecodeWorkerUnavailable}, or an `AbortError` when `signal` is aborted (the
   * worker is then terminated).
   */
  async ask(req: DecodeWorkerRequest, signal?: AbortSignal): Promise<WorkerPixels> {
    throwIfAborted(signal, 'the opening was cancelled');
    if (this.broken) throw this.broken;
    let onAbort: (() => void) | undefined;
    try {
      const reply = await new Promise<DecodeWorkerReply>((resolve, reject) => {
        this.pending = { resolve, reject };
        onAbort = () => {
          this.terminate();
          this.pending = null;
          reject(abortError('the opening was cancelled'));
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        // (Bytes are copied, the page keeps them: a Blob is not.)
        this.worker.postMessage(req);
      });
      if ('unavailable' in reply) throw new DecodeWorkerUnavailable(reply.unavailable);
      if ('error' in reply) throw Object.assign(new Error(reply.error), { name: reply.name });
      return reply;
    } finally {
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Stop the worker at once (also in the middle of its decoding). */
  terminate(): void {
    this.worker.terminate();
  }

  /** Done with it: stopped unless it answered (it then closed itself). */
  end(): void {
    if (!this.answered) this.terminate();
  }
}
