/**
 * A typed client for Photopea's Live Messaging ("Outer Environment") protocol, as seen from a
 * plugin iframe: scripts go to `window.parent` as strings; answers come back as strings
 * (`app.echoToOE`) and ArrayBuffers (`saveToOE`), and every processed message ends with "done".
 *
 * The protocol has no request ids, so calls are strictly serialised (one script in flight, FIFO),
 * each with a timeout. Every script is wrapped so that it echoes `SD:<nonce>:start` first and
 * `SD:<nonce>:ok:<json>` / `SD:<nonce>:err:<message>` last: answers are matched on the nonce, not
 * on the next "done", so stray "done"s, "MSFAPI#…" pings and late answers of a timed-out call
 * are ignored. Binary answers count only between this call's start and end markers.
 *
 * A call that times out is rejected, but Photopea may still run it (it was busy: messages wait
 * there in order). So the queue is held until that script's "done" arrives (or `lateHoldMs`
 * passes): the next script is not posted into a busy Photopea, and the caller learns through
 * `onLate` what the late script did, to undo what it left (HOSTS.md §2.2: one script in flight).
 */

/** Origins Photopea is served from; messages from any other origin are ignored. */
export const PHOTOPEA_ORIGINS = ['https://www.photopea.com', 'https://photopea.com'] as const;

/** Error codes of {@link PhotopeaError}. */
export const PhotopeaErrorCode = {
  /** No complete answer within the call's timeout. */
  timeout: 'timeout',
  /** The script threw inside Photopea (our wrapper caught it and echoed the message). */
  script_error: 'script_error',
  /** Photopea answered "error" (e.g. a syntax error before our wrapper could run). */
  host_error: 'host_error',
  /** The client was disposed while the call was queued or running. */
  disposed: 'disposed',
  /** The answer did not have the expected shape (e.g. missing image). */
  bad_answer: 'bad_answer',
} as const;
export type PhotopeaErrorCode = (typeof PhotopeaErrorCode)[keyof typeof PhotopeaErrorCode];

/** A failed Photopea call, with a machine-readable code. */
export class PhotopeaError extends Error {
  constructor(
    readonly code: PhotopeaErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'PhotopeaError';
  }
}

/** The part of `window.parent` the client uses. */
export interface PostTarget {
  postMessage(message: unknown, targetOrigin: string): void;
}

/** A `message` event as the client reads it. */
export interface HostMessageEvent {
  data: unknown;
  origin: string;
  source: unknown;
}

/** The part of `window` the client listens on. */
export interface MessageSource {
  addEventListener(type: 'message', listener: (e: HostMessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (e: HostMessageEvent) => void): void;
}

/** Timer functions (injectable for tests). */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface PhotopeaClientOptions {
  /** Where scripts are posted: `window.parent` inside Photopea. */
  target: PostTarget;
  /** Where answers arrive: the plugin's own `window`. */
  source: MessageSource;
  /** Accepted `event.origin`s; default {@link PHOTOPEA_ORIGINS}. `'*'` accepts any origin. */
  allowedOrigins?: readonly string[] | '*';
  /** Default per-call timeout in ms (default 10000). */
  timeoutMs?: number;
  /** Extra time a failed call waits for its trailing "done" before the next call is sent (default 1000 ms). */
  doneGraceMs?: number;
  /**
   * After a call timed out: how long the queue waits for its late answer and "done" before the
   * next call is posted anyway (default 30000 ms, or the call's own timeout when longer).
   */
  lateHoldMs?: number;
  timers?: Timers;
  /** Source of nonces (default: random base-36). */
  nonce?: () => string;
}

/** Options of one call. */
export interface CallOptions {
  /** Timeout of this call in ms (default: the client's). */
  timeoutMs?: number;
  /**
   * How many ArrayBuffers this script sends with `saveToOE` (default 0); a function of the
   * script's return value where that decides it (e.g. none when it returns null).
   */
  expectBuffers?: number | ((value: unknown) => number);
  /**
   * Called when this call timed out and Photopea ran the script after all: with what it returned
   * (or its error). The caller was already rejected; this is the moment to undo what it left.
   */
  onLate?: (outcome: LateOutcome) => void;
}

/** What a timed-out script did when it ran late. */
export type LateOutcome = { ok: true; value: unknown } | { ok: false; error: PhotopeaError };

/** The answer to one script. */
export interface CallResult<T> {
  /** The script body's return value, JSON-decoded (`null` for undefined). */
  value: T;
  /** ArrayBuffers the script sent, in order. */
  buffers: ArrayBuffer[];
}

interface Pending {
  script: string;
  nonce: string;
  opts: { timeoutMs: number; expectBuffers: number | ((value: unknown) => number); onLate?: (outcome: LateOutcome) => void };
  resolve: (r: CallResult<unknown>) => void;
  reject: (e: Error) => void;
}

interface Active extends Pending {
  started: boolean;
  buffers: ArrayBuffer[];
  outcome: { ok: true; value: unknown } | { ok: false; error: PhotopeaError } | null;
  doneSeen: boolean;
  timer: unknown;
  graceTimer: unknown;
  /** Timed out (the caller was rejected); held for its late answer. */
  late: boolean;
}

/** Buffers `a` must have for its outcome to be complete. */
function buffersNeeded(a: Active): number {
  const e = a.opts.expectBuffers;
  if (typeof e === 'number') return e;
  return a.outcome && a.outcome.ok ? e(a.outcome.value) : 0;
}

const PREFIX = 'SD:';

/**
 * Wrap a script body (a sequence of ES3/ES5 statements that may `return` a JSON-able value) so
 * that it reports its start, its value or its exception, tagged with `nonce`.
 */
export function wrapScript(body: string, nonce: string): string {
  const tag = JSON.stringify(PREFIX + nonce + ':');
  return (
    `app.echoToOE(${tag}+"start");` +
    `try{var __sdv=(function(){${body}\n})();` +
    `app.echoToOE(${tag}+"ok:"+JSON.stringify(__sdv===undefined?null:__sdv));}` +
    `catch(__sde){app.echoToOE(${tag}+"err:"+String(__sde&&__sde.message?__sde.message:__sde));}`
  );
}

/**
 * Serialised, timed, nonce-matched script calls to Photopea. Create one per plugin page.
 */
export class PhotopeaClient {
  private readonly target: PostTarget;
  private readonly source: MessageSource;
  private readonly allowed: readonly string[] | '*';
  private readonly timeoutMs: number;
  private readonly doneGraceMs: number;
  private readonly lateHoldMs: number;
  private readonly timers: Timers;
  private readonly makeNonce: () => string;
  private readonly queue: Pending[] = [];
  private active: Active | null = null;
  private disposed = false;
  private readonly listener = (e: HostMessageEvent): void => this.onMessage(e);
  /** Count of messages ignored (pings, stray "done"s, late answers); for diagnostics and tests. */
  ignored = 0;

  constructor(opts: PhotopeaClientOptions) {
    this.target = opts.target;
    this.source = opts.source;
    this.allowed = opts.allowedOrigins ?? PHOTOPEA_ORIGINS;
    this.timeoutMs = opts.timeoutMs ?? 10000;
    this.doneGraceMs = opts.doneGraceMs ?? 1000;
    this.lateHoldMs = opts.lateHoldMs ?? 30000;
    this.timers = opts.timers ?? {
      setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
      clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
    };
    this.makeNonce = opts.nonce ?? (() => Math.random().toString(36).slice(2, 10) + Date.now().toString(36));
    this.source.addEventListener('message', this.listener);
  }

  /** Number of calls waiting behind the one in flight. */
  get queued(): number {
    return this.queue.length;
  }

  /** Whether a call is in flight. */
  get busy(): boolean {
    return this.active !== null;
  }

  /**
   * Run a script body in Photopea (see {@link wrapScript}); resolves with its return value and any
   * ArrayBuffers it sent. Rejects with {@link PhotopeaError}.
   */
  call<T = unknown>(body: string, opts: CallOptions = {}): Promise<CallResult<T>> {
    if (this.disposed) return Promise.reject(new PhotopeaError('disposed', 'Photopea client is closed'));
    return new Promise<CallResult<T>>((resolve, reject) => {
      const nonce = this.makeNonce();
      this.queue.push({
        script: wrapScript(body, nonce),
        nonce,
        opts: { timeoutMs: opts.timeoutMs ?? this.timeoutMs, expectBuffers: opts.expectBuffers ?? 0, onLate: opts.onLate },
        resolve: resolve as (r: CallResult<unknown>) => void,
        reject,
      });
      this.pump();
    });
  }

  /** Shorthand for {@link call} returning only the value. */
  async eval<T = unknown>(body: string, opts?: CallOptions): Promise<T> {
    return (await this.call<T>(body, opts)).value;
  }

  /** Stop listening; queued and running calls reject with `disposed`. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.source.removeEventListener('message', this.listener);
    const err = new PhotopeaError('disposed', 'Photopea client is closed');
    if (this.active) this.finish(this.active, { ok: false, error: err }, true);
    for (const p of this.queue.splice(0)) p.reject(err);
  }

  private pump(): void {
    if (this.active || this.disposed) return;
    const next = this.queue.shift();
    if (!next) return;
    const a: Active = { ...next, started: false, buffers: [], outcome: null, doneSeen: false, timer: null, graceTimer: null, late: false };
    this.active = a;
    a.timer = this.timers.setTimeout(() => {
      const what = a.outcome ? 'the expected image' : a.started ? 'its answer' : 'any answer';
      const complete = a.outcome && (!a.outcome.ok || a.buffers.length >= buffersNeeded(a));
      const outcome = complete
        ? a.outcome!
        : { ok: false as const, error: new PhotopeaError('timeout', `Photopea did not send ${what} within ${a.opts.timeoutMs} ms`) };
      // Answer the caller now, but keep the queue until this script's "done": Photopea, busy, may
      // run it yet (and anything posted now would only wait behind it there).
      this.settle(a, outcome);
      if (a.graceTimer !== null) return; // a failure already waiting a short while for its "done"
      a.late = !complete;
      a.timer = this.timers.setTimeout(() => this.finish(a, outcome, true), Math.max(this.lateHoldMs, a.opts.timeoutMs));
    }, a.opts.timeoutMs);
    try {
      this.target.postMessage(a.script, '*');
    } catch (e) {
      this.finish(a, { ok: false, error: new PhotopeaError('host_error', `cannot post to Photopea: ${String(e)}`) }, true);
    }
  }

  private onMessage(e: HostMessageEvent): void {
    if (e.source !== this.target) return;
    if (this.allowed !== '*' && !this.allowed.includes(e.origin)) return;
    const a = this.active;
    const d = e.data;
    if (!a) {
      this.ignored++;
      return;
    }
    if (typeof d === 'string') {
      if (d.startsWith(PREFIX + a.nonce + ':')) {
        const rest = d.slice(PREFIX.length + a.nonce.length + 1);
        if (rest === 'start') a.started = true;
        else if (rest.startsWith('ok:')) {
          let value: unknown;
          try {
            value = JSON.parse(rest.slice(3));
          } catch {
            a.outcome = { ok: false, error: new PhotopeaError('bad_answer', 'unparseable answer from Photopea') };
            this.maybeFinish(a);
            return;
          }
          a.outcome = { ok: true, value };
        } else if (rest.startsWith('err:')) {
          a.outcome = { ok: false, error: new PhotopeaError('script_error', rest.slice(4) || 'script failed') };
        } else this.ignored++;
        this.maybeFinish(a);
      } else if (d === 'done') {
        // Only the "done" after our end marker is ours; earlier ones are strays.
        if (a.outcome) {
          a.doneSeen = true;
          this.maybeFinish(a);
        } else this.ignored++;
      } else if (d === 'error' && !a.outcome) {
        // Photopea could not run the script at all (our wrapper never ran): no end marker will come.
        a.outcome = { ok: false, error: new PhotopeaError('host_error', 'Photopea reported an error running the script') };
        this.maybeFinish(a);
      } else this.ignored++;
    } else if (d instanceof ArrayBuffer || (typeof d === 'object' && d !== null && Object.prototype.toString.call(d) === '[object ArrayBuffer]')) {
      // Buffers count between our start marker and our "done" (saveToOE may finish after the end marker).
      const cap = typeof a.opts.expectBuffers === 'number' ? a.opts.expectBuffers : Infinity;
      if (a.started && !a.doneSeen && (!a.outcome || a.outcome.ok) && a.buffers.length < cap) a.buffers.push(d as ArrayBuffer);
      else this.ignored++;
    } else this.ignored++;
  }

  private maybeFinish(a: Active): void {
    if (!a.outcome) return;
    if (a.doneSeen) {
      // Photopea sends saveToOE output before the script's "done": an image still missing now is
      // an error (checked in finish).
      this.finish(a, a.outcome, true);
      return;
    }
    if (!a.outcome.ok && a.graceTimer === null && !a.late) {
      // Settle a failure at once, but hold the queue until its "done" (or a short grace period).
      this.settle(a, a.outcome);
      a.graceTimer = this.timers.setTimeout(() => this.finish(a, a.outcome!, true), this.doneGraceMs);
    }
  }

  private settled = new WeakSet<Active>();
  private settle(a: Active, outcome: NonNullable<Active['outcome']>): void {
    if (this.settled.has(a)) return;
    this.settled.add(a);
    if (outcome.ok) a.resolve({ value: outcome.value, buffers: a.buffers });
    else a.reject(outcome.error);
  }

  private finish(a: Active, outcome: NonNullable<Active['outcome']>, advance: boolean): void {
    if (this.active !== a) return;
    if (outcome.ok && a.doneSeen && a.buffers.length < buffersNeeded(a)) {
      outcome = { ok: false, error: new PhotopeaError('bad_answer', `expected ${buffersNeeded(a)} image(s) from Photopea, got ${a.buffers.length}`) };
    }
    this.timers.clearTimeout(a.timer);
    if (a.graceTimer !== null) this.timers.clearTimeout(a.graceTimer);
    this.active = null;
    this.settle(a, outcome);
    // A timed-out script that Photopea ran after all (its end marker came): tell its caller.
    if (a.late && a.outcome && a.opts.onLate) {
      try {
        a.opts.onLate(a.outcome);
      } catch {
        // the caller's clean-up must not break the queue
      }
    }
    if (advance) this.pump();
  }
}
