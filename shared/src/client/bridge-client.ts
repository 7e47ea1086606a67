/**
 * BridgeClient: the one client of protocol v1, used by the Photoshop panel, the Photopea page,
 * the playground, the CLI and the tests. Written against the standard WebSocket interface
 * (`onopen/onmessage/onclose/onerror`, `binaryType = 'arraybuffer'`), so it runs on the
 * browser/UXP global `WebSocket` and on `ws` in Node (`WebSocketImpl: WebSocket` from 'ws').
 *
 * Reconnects with exponential backoff and jitter (0.5 s → 10 s by default). After a reconnect it
 * re-sends jobs the bridge had not accepted yet and sends `job.resume` for accepted unfinished
 * jobs, so a result that finished while the socket was down is still delivered.
 *
 * Cancel: `job.cancel()` ends the job when the bridge confirms it (`job.cancelled`), or at once
 * when the job has not reached the bridge or the connection is down (not connected, or dropped
 * while the bridge's answer was due). Either way the job's `plan` and `result` reject with a
 * {@link BridgeError} of code `cancelled`, and no result of that job is delivered afterwards. A
 * cancel asked while the connection is down goes to the bridge as soon as the client is connected
 * again (the bridge stops the work; whatever it still sends for the job is dropped).
 *
 * Token: the one in the options, or the last {@link BridgeClient.setToken} (used by the next
 * `hello`: a connect, or a reconnect).
 *
 * Pacing: the client keeps at most as many of its jobs at the bridge as the bridge admits per
 * client (`welcome.limits.maxQueuePerClient`) and holds the rest here, in submission order, each
 * sent when one of its own jobs ends — so many jobs submitted at once (or while disconnected and
 * flushed on connect) all run instead of being refused `queue_full`. A held job is told it is
 * queued (`onQueued`) and its cancel ends it here, sending nothing. A `queue_full` that still
 * comes (the bridge's total cap filled by other clients, or its memory budget) is handled by
 * {@link BridgeClient.holdRefused}.
 */
import { ErrorCode, ERROR_HINTS, SmartDragError, isErrorCode } from '../protocol/errors';
import { decodeFrameChunk, FrameAssembler, FrameEncoder, type FrameMeta, type FramePayloadSource } from '../protocol/frames';
import { DEFAULT_LIMITS, imageSizeError } from '../protocol/limits';
import {
  encodeMessage,
  parseServerMessage,
  type ClientKind,
  type ClientMessage,
  type JobSubmit,
  type Keep,
  type Moved,
  type SelfCheckInfo,
  type ServerMessage,
  type SubmitDrag,
  type SubmitRegion,
  type Timings,
  type Welcome,
  type WireOperation,
  type WirePlan,
  type WirePoint,
} from '../protocol/messages';
import { PROTOCOL_VERSION } from '../protocol/version';
import { imageContentKey } from './image-key';

/** The part of the standard WebSocket interface the client uses. */
export interface WebSocketLike {
  readonly readyState: number;
  /** Bytes queued by send() and not yet handed to the network (browser, UXP and `ws` have it). */
  readonly bufferedAmount?: number;
  binaryType: string;
  send(data: string | ArrayBufferLike | ArrayBufferView): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

/** A WebSocket constructor (browser/UXP global, or `ws`'s `WebSocket`). */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** Connection state reported to `onStatus` listeners. */
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'closed' | 'error';

/** A status update. `error` is set when the state is `error` or a reconnect attempt failed. */
export interface ConnectionStatus {
  state: ConnectionState;
  error?: { code: string; message: string; hint?: string };
}

/** Options of {@link BridgeClient}. */
export interface BridgeClientOptions {
  /** Bridge WebSocket URL, e.g. `ws://127.0.0.1:7341/v1/ws`. */
  url: string;
  /**
   * Bridge token (`smartdrag token`, or injected into the bridge's own pages). Read once, when the
   * client is made: change it with {@link BridgeClient.setToken}, not by changing this object.
   */
  token: string;
  /** Which host is connecting. */
  client: ClientKind;
  clientVersion?: string;
  /** WebSocket implementation; default `globalThis.WebSocket`. */
  WebSocketImpl?: WebSocketConstructor;
  /** Reconnect backoff (default `{minDelayMs: 500, maxDelayMs: 10000}`), or false for none. */
  reconnect?: { minDelayMs: number; maxDelayMs: number } | false;
  /** Chunk size for outgoing pixels; default the protocol's 4 MiB (lowered to the bridge's limit). */
  maxChunkBytes?: number;
  /**
   * Give up an opening socket that has no `welcome` after this long (default 10 s): a firewall
   * or a half-open port otherwise leaves the panel at "Connecting…" forever.
   */
  connectTimeoutMs?: number;
  /**
   * Backpressure: the next pixel chunk waits while more than this many bytes are queued on the
   * socket (default one chunk). UXP closes a socket whose send buffer fills, so a large image is
   * never queued at once.
   */
  maxBufferedBytes?: number;
  /**
   * Image reuse (job.submit `keepImage` / `heldImage`, when the bridge reports
   * `limits.maxHeldImages` > 0): the client keys every raw image it sends by its content
   * ({@link imageContentKey}, ~1 ms per 4 MB) and, when the bridge already holds the same pixels
   * from an earlier job of this connection, sends the key instead of the pixels. A key the bridge
   * no longer holds is answered `image_unknown` and the job is sent again with the pixels, by
   * itself. Default true.
   */
  reuseImages?: boolean;
  /** Images larger than this (bytes) are never keyed or kept (hashing 144 MB costs ~30 ms). Default 64 MiB. */
  reuseMaxBytes?: number;
}

/** A client-side coded error (`code` is an ErrorCode, including client-side `unreachable`). */
export class BridgeError extends SmartDragError {
  constructor(code: ErrorCode, message: string, hint?: string, detail?: unknown) {
    super(code, message, { hint, detail });
    this.name = 'BridgeError';
  }
}

/** Straight-alpha RGBA8 pixels. */
export interface RawImageInput {
  width: number;
  height: number;
  data: Uint8Array | Uint8ClampedArray;
}
/** A gray8 mask placed in the document. */
export interface MaskInput {
  left: number;
  top: number;
  width: number;
  height: number;
  data: Uint8Array | Uint8ClampedArray;
}
/** A handle region: polygon or placed mask, in document pixels. */
export type RegionInput = { id: string; polygon: WirePoint[] } | { id: string; mask: MaskInput };
/** A keep area: polygon (bare or wrapped) or placed mask. */
export type KeepInput = WirePoint[] | { polygon: WirePoint[] } | { mask: MaskInput };

/** What to edit. Coordinates are document pixels; `imageOrigin` places the image in the document. */
export interface SubmitInput {
  image: RawImageInput | { png: Uint8Array };
  /** Document position of the image's top-left pixel; default [0, 0]. */
  imageOrigin?: [number, number];
  regions: RegionInput[];
  drags: SubmitDrag[];
  keep?: KeepInput[];
  intent?: string;
  quality: 'preview' | 'final';
  seed?: number;
  /** Preview only: run on a proxy of at most this many pixels when the image is larger (see `proxy` of the outcome). */
  previewMaxPixels?: number;
  /**
   * Preview only: `image` is the host's own display-size proxy of the document area `width ×
   * height` at `imageOrigin` (made with `downscaleImage`; see {@link previewProxyInput}); masks are
   * then in `image`'s pixels (left/top relative to it), polygons and drags stay in document pixels.
   */
  proxyOf?: { width: number; height: number };
  /**
   * The job's image is this rectangle of `image` (its pixels; e.g. the edit's crop of the whole
   * document); `imageOrigin` is then the document position of the rectangle. With image reuse the
   * client sends `image` whole once (previews) and later jobs name it with their own rectangle;
   * otherwise only the rectangle is sent. Raw images only; not with `proxyOf`.
   */
  imageRect?: { left: number; top: number; width: number; height: number };
  /**
   * The whole document's size (document pixels) when the job's image is a crop of it (job.submit
   * `documentSize`): the readings that depend on the document, not on the edited area, then read
   * a crop as they read the whole document.
   */
  documentSize?: { width: number; height: number };
  /**
   * A reading the bridge proposed for these regions and drags (a `job.plan`'s operations or an
   * alternative's, as received: document pixels), to carry out as given (job.submit `reading`).
   */
  reading?: WireOperation[];
  /** Job id; default a fresh random id. */
  jobId?: string;
}

/** Callbacks of one job. */
export interface JobHandlers {
  /**
   * Jobs ahead of this one (0 = running next / now). Also told while the client holds the job
   * back (its own jobs at the bridge are at the bridge's per-client limit): then at least 1, the
   * client's jobs at the bridge plus those it holds ahead of this one.
   */
  onQueued?(position: number): void;
  onPlan?(plan: WirePlan): void;
  onProgress?(stage: string, fraction: number): void;
  /**
   * How much of the job's pixels has left this machine (0..1), as they go: only for uploads of
   * more than one chunk (a 24–50 MP document takes seconds, longer while other clients send).
   */
  onUpload?(fraction: number): void;
}

/** The result layer: only changed pixels (straight alpha), placed in document pixels. */
export interface ResultLayer {
  left: number;
  top: number;
  width: number;
  height: number;
  data: Uint8ClampedArray;
  /** Set for a proxy preview: the layer is in proxy pixels (document = imageOrigin + left / scaleX, …). */
  proxy?: { width: number; height: number; scaleX: number; scaleY: number };
}

/** A finished job. */
export interface JobOutcome {
  layer: ResultLayer;
  plan: WirePlan;
  timings: Timings;
  /** Outline of what moved, closed polygons in document pixels; absent when the bridge did not send one. */
  moved?: Moved;
  /** The bridge's self-check of the result (null: too large to check; absent: an older bridge). */
  check?: SelfCheckInfo | null;
}

/** Handle of a submitted job. */
export interface BridgeJob {
  readonly id: string;
  readonly plan: Promise<WirePlan>;
  readonly result: Promise<JobOutcome>;
  cancel(): void;
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(v: T): void;
  reject(e: unknown): void;
}
function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void, reject!: (e: unknown) => void;
  const promise = new Promise<T>((a, b) => { resolve = a; reject = b; });
  promise.catch(() => undefined); // a caller that never awaits must not cause an unhandled rejection
  return { promise, resolve, reject };
}

/** The image of a job, encoded when the job is sent (whether the bridge holds it is known then). */
interface JobImage {
  /** A raw image (the whole source when `rect` is set) or a PNG. */
  raw?: RawImageInput;
  png?: Uint8Array;
  /** Document position of the source's top-left (the frame's left/top). */
  left: number;
  top: number;
  rect?: { left: number; top: number; width: number; height: number };
  /** Content key of `raw` (null: never reused). */
  key: string | null;
}

interface JobState {
  id: string;
  /** The submit without its image fields (added when sent). */
  submit: JobSubmit;
  image: JobImage | null;
  /** Mask frames (slots ≥ 1), their chunks made as they are sent (from the caller's mask data). */
  masks: FrameEncoder[];
  /** The last send named a held image (no pixels): an `image_unknown` answer sends the pixels. */
  sentHeld?: string;
  /** Send the pixels even when the bridge is thought to hold them (after `image_unknown`). */
  forceUpload?: boolean;
  /** Image chunks of the last send (counted by tests and benchmarks). */
  imageChunks?: number;
  handlers: JobHandlers;
  /** Handed to the send chain (of this socket or, after a reconnect, the next). */
  sent: boolean;
  /** The submit is on the wire of the current socket (the send chain wrote it): a cancel now follows it. */
  wired?: boolean;
  /** Order of the last send on the send chain (increasing over the client's life): what the bridge saw first. */
  seq?: number;
  /** Chunks the last send wrote so far. */
  wiredChunks?: number;
  /** The last send asked the bridge to keep the image under this key (`keepImage`). */
  sentKeep?: string;
  /**
   * Connection-level `bad_message` errors still to come for chunks of a send the bridge refused
   * (`queue_full`: each chunk that followed the refused submit is a stray frame to it): ignored.
   */
  strays?: number;
  /** How often the bridge refused this job with `queue_full`. */
  refusals?: number;
  /** The position last told to `onQueued` while held here (undefined: not held, or not told yet). */
  heldPosition?: number;
  accepted: boolean;
  done: boolean;
  cancelRequested: boolean;
  /** The plan was given to `onPlan` (a resume re-sends it). */
  planHeard?: boolean;
  plan: Deferred<WirePlan>;
  result: Deferred<JobOutcome>;
  pendingResult?: { layer: { left: number; top: number; width: number; height: number }; plan: WirePlan; timings: Timings; proxy?: ResultLayer['proxy']; moved?: Moved; check?: SelfCheckInfo | null };
}

const OPEN = 1;

/**
 * A job refused `queue_full` at most this often is held and sent again; the next refusal fails it
 * with `queue_full` (a bridge kept full by other clients must not keep a job waiting forever).
 */
const MAX_QUEUE_FULL_REFUSALS = 8;

function newJobId(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (c?.randomUUID) return c.randomUUID();
  let s = '';
  for (let i = 0; i < 32; i++) s += Math.floor(Math.random() * 16).toString(16);
  return s;
}

function asBytes(d: Uint8Array | Uint8ClampedArray): Uint8Array {
  return d instanceof Uint8Array ? d : new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

/**
 * The `r` rectangle of a raw RGBA image as a frame payload, read from the image's rows as each
 * chunk is made (no copy of the rectangle).
 */
function cropSource(im: RawImageInput, r: { left: number; top: number; width: number; height: number }): FramePayloadSource {
  const src = asBytes(im.data), row = r.width * 4;
  return {
    byteLength: row * r.height,
    read(offset, length, into, at) {
      while (length > 0) {
        const y = Math.floor(offset / row), x = offset - y * row, n = Math.min(length, row - x);
        const from = ((r.top + y) * im.width + r.left) * 4 + x;
        into.set(src.subarray(from, from + n), at);
        offset += n; at += n; length -= n;
      }
    },
  };
}

function toBytes(data: unknown): Uint8Array | null {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return null;
}

/** Client of the SmartDrag bridge. */
export class BridgeClient {
  private readonly opts: BridgeClientOptions;
  private readonly WS: WebSocketConstructor;
  private ws: WebSocketLike | null = null;
  private readonly listeners = new Set<(s: ConnectionStatus) => void>();
  private readonly jobs = new Map<string, JobState>();
  private readonly assembler = new FrameAssembler({ maxImagePixels: 1 << 30, maxImageSidePx: 1 << 20 });
  private welcomeMsg: Welcome | null = null;
  private userClosed = false;
  private terminal: BridgeError | null = null;
  private attempt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private lastHeardAt = 0;
  private connecting: Promise<Welcome> | null = null;
  /** Ends the socket being opened now (its timer, its promise): set by openSocket, used by close(). */
  private abortOpen: (() => void) | null = null;
  /** Jobs are sent one after the other (submit, then its chunks as the socket drains). */
  private sending: Promise<void> = Promise.resolve();
  private everConnected = false;
  /**
   * Keys of the images the bridge holds for this connection, as far as this client knows (least
   * recently used first; reset on every new connection: keys are per connection).
   */
  private held = new Map<string, true>();
  private state: ConnectionState = 'closed';
  /** Sends handed to the send chain so far (a job's `seq`). */
  private sendSeq = 0;
  /**
   * Most of this client's jobs at the bridge as learned from a `queue_full` (the bridge was full
   * for other reasons than this client's cap); Infinity when none. Reset on every connection and
   * once none of this client's jobs is at the bridge.
   */
  private refusedCap = Infinity;
  /** While true, {@link pump} sends nothing (jobs are being failed or re-read in bulk). */
  private pumpPaused = false;
  /** Pixel chunks made so far (see {@link chunksMade}). */
  private made = 0;
  /** The token the next `hello` presents (options, then {@link setToken}). */
  private token: string;
  /**
   * Jobs that ended here as cancelled while the connection was down, the bridge perhaps still
   * running them: each gets a `job.cancel` as soon as the client is connected again (then the id
   * is forgotten). Nothing the bridge sends for them is delivered: they are no longer jobs here.
   */
  private readonly cancelOnConnect = new Set<string>();

  constructor(opts: BridgeClientOptions) {
    const WS = opts.WebSocketImpl ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!WS) throw new TypeError('no WebSocket implementation: pass WebSocketImpl');
    this.opts = opts;
    this.WS = WS;
    this.token = opts.token;
  }

  /**
   * Use `token` from the next `hello` on: the next {@link connect}, and every reconnect. A live
   * connection is kept (the bridge checked the token it was opened with). A client that stopped on
   * a refused token (`unauthorized`, state `error`) stays stopped until `connect()` is called.
   */
  setToken(token: string): void {
    if (typeof token !== 'string') throw new TypeError('token must be a string');
    this.token = token;
  }

  /** The last `welcome` (null before the first connect). */
  get welcome(): Welcome | null {
    return this.welcomeMsg;
  }

  /**
   * Pixel chunks (image and masks) this client has made so far. Each is made just before the
   * socket is handed it, so this is never more than one ahead of the chunks handed to sockets:
   * tests and benchmarks read it to check that no upload is held whole in chunks.
   */
  get chunksMade(): number {
    return this.made;
  }

  /** Current connection state. */
  get status(): ConnectionState {
    return this.state;
  }

  /** Listen to connection state changes; returns the unsubscribe function. */
  onStatus(fn: (s: ConnectionStatus) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * Open the socket and complete hello/welcome. Rejects with a {@link BridgeError}:
   * `unreachable` when nothing listens, `unauthorized`, `version_mismatch`, …
   */
  connect(): Promise<Welcome> {
    if (this.ws && this.ws.readyState === OPEN && this.welcomeMsg && this.state === 'connected') return Promise.resolve(this.welcomeMsg);
    if (this.connecting) return this.connecting;
    // A reconnect waiting for its timer is replaced by this attempt (two timers made two sockets).
    if (this.reconnectTimer) { clearTimeout(this.reconnectTimer); this.reconnectTimer = null; }
    this.userClosed = false;
    this.terminal = null;
    this.connecting = this.openSocket(false).finally(() => { this.connecting = null; });
    return this.connecting;
  }

  /** Close for good: no reconnect; unfinished jobs reject with `connection_lost`. */
  close(): void {
    this.userClosed = true;
    this.clearTimers();
    this.abortOpen?.();
    if (this.ws) this.discard(this.ws, 1000, 'client closed');
    this.failAll(new BridgeError(ErrorCode.connection_lost, 'client closed'));
    this.setState({ state: 'closed' });
  }

  /**
   * Submit an edit. Sends now when connected, else as soon as the connection is up. The image's
   * and masks' pixels are read as they are sent, chunk by chunk (no copy of them is made), and
   * read again when the job must be sent again before the bridge has taken it (a reconnect, an
   * `image_unknown`): leave those buffers unchanged until the job ends.
   */
  submit(input: SubmitInput, handlers: JobHandlers = {}): BridgeJob {
    const id = input.jobId ?? newJobId();
    if (this.jobs.has(id)) throw new RangeError(`job id ${id} already in use`);
    // (The bridge may still run it: its cancel goes on the next connection, and would end this one.)
    if (this.cancelOnConnect.has(id)) throw new RangeError(`job id ${id} already in use (cancelled while disconnected; the bridge is told when the connection is back)`);
    const chunkBytes = this.chunkBytes();
    const rect = input.imageRect;
    // Default: the image's top-left at the document's (so a rectangle of it sits at its own offset).
    const origin = input.imageOrigin ?? (rect ? [rect.left, rect.top] : [0, 0]);
    const masks: FrameEncoder[] = [];
    if (rect && ('png' in input.image || input.proxyOf)) throw new RangeError('imageRect needs a raw image and no proxyOf');
    if (rect && (rect.left < 0 || rect.top < 0 || rect.width < 1 || rect.height < 1 || rect.left + rect.width > (input.image as RawImageInput).width || rect.top + rect.height > (input.image as RawImageInput).height)) {
      throw new RangeError(`imageRect ${rect.width}x${rect.height} at (${rect.left}, ${rect.top}) does not lie inside the image`);
    }
    const reuse = this.opts.reuseImages !== false;
    const image: JobImage = 'png' in input.image
      ? { png: input.image.png, left: origin[0], top: origin[1], key: null }
      : {
        raw: input.image, left: origin[0] - (rect?.left ?? 0), top: origin[1] - (rect?.top ?? 0), ...(rect ? { rect } : {}),
        key: reuse && input.image.data.byteLength <= (this.opts.reuseMaxBytes ?? 64 * 1024 * 1024) ? imageContentKey(input.image.width, input.image.height, input.image.data) : null,
      };
    let slot = 0;
    const maskFrame = (m: MaskInput): number => {
      slot++;
      masks.push(new FrameEncoder({ jobId: id, part: 'mask', slot, format: 'gray8', width: m.width, height: m.height, left: m.left, top: m.top }, asBytes(m.data), chunkBytes));
      return slot;
    };
    const regions: SubmitRegion[] = input.regions.map((r) => ('mask' in r ? { id: r.id, maskSlot: maskFrame(r.mask) } : { id: r.id, polygon: r.polygon }));
    const keep: Keep[] | undefined = input.keep?.map((k) => (Array.isArray(k) ? { polygon: k } : 'mask' in k ? { maskSlot: maskFrame(k.mask) } : { polygon: k.polygon }));
    const submit: JobSubmit = {
      type: 'job.submit',
      jobId: id,
      ...(input.imageOrigin ? { imageOrigin: input.imageOrigin } : {}),
      regions,
      drags: input.drags,
      ...(keep ? { keep } : {}),
      ...(input.intent !== undefined ? { intent: input.intent } : {}),
      quality: input.quality,
      ...(input.seed !== undefined ? { seed: input.seed } : {}),
      ...(input.previewMaxPixels !== undefined ? { previewMaxPixels: input.previewMaxPixels } : {}),
      ...(input.proxyOf ? { proxyOf: input.proxyOf } : {}),
      // A rectangle cut from an image placed at the document's origin: that image is the document
      // (what the bridge reads from a held image cut by imageRect), also when only the rectangle goes.
      ...(input.documentSize ? { documentSize: input.documentSize }
        : rect && 'raw' in image && image.left === 0 && image.top === 0 ? { documentSize: { width: image.raw!.width, height: image.raw!.height } } : {}),
      ...(input.reading ? { reading: input.reading } : {}),
    };
    const job: JobState = {
      id, submit, image, masks, handlers, sent: false, accepted: false, done: false, cancelRequested: false,
      plan: deferred<WirePlan>(), result: deferred<JobOutcome>(),
    };
    this.jobs.set(id, job);
    // An image over the limits the bridge announced is refused here, before a single byte goes
    // (the bridge would refuse it only after its first chunk: seconds of upload at 64 MP).
    const sent = 'raw' in image ? (rect ?? image.raw!) : null;
    const tooLarge = sent && this.welcomeMsg ? imageSizeError(sent.width, sent.height, this.welcomeMsg.limits, 'image') : null;
    if (this.userClosed || this.terminal) {
      this.finish(job, this.terminal ?? new BridgeError(ErrorCode.connection_lost, 'client is closed'));
    } else if (tooLarge) {
      this.finish(job, new BridgeError(ErrorCode.image_too_large, tooLarge.message, tooLarge.hint, tooLarge.detail));
    } else {
      this.pump(); // sent now when the bridge admits another of this client's jobs, else held
    }
    return {
      id,
      plan: job.plan.promise,
      result: job.result.promise,
      cancel: () => this.cancel(id),
    };
  }

  private cancel(id: string): void {
    const job = this.jobs.get(id);
    if (!job || job.done || job.cancelRequested) return;
    job.cancelRequested = true;
    // Not yet written (waiting for the connection, held by pacing, or behind another job's upload
    // on the send chain): it ends here and is never sent. A job.cancel sent now would overtake its submit —
    // answered job_not_found while the job then ran to the end (a drag's superseded previews kept
    // the workers busy).
    if (!job.sent || !job.wired) {
      this.finish(job, new BridgeError(ErrorCode.cancelled, 'cancelled before it was sent'));
      return;
    }
    // Finished on the bridge, its layer on the way: the bridge has nothing left to cancel and
    // answers nothing, so the job ends here (a panel showing "Cancelling…" then added the layer).
    if (job.pendingResult) {
      this.finish(job, new BridgeError(ErrorCode.cancelled, 'cancelled while its result arrived; nothing is applied'));
      return;
    }
    // The connection is down (or its new socket not welcomed yet): the cancel cannot go now, and
    // the bridge's answer would come only when it is back, perhaps never. The job ends here; the
    // cancel goes as soon as the client is connected again.
    if (!this.isReady()) {
      this.cancelLocally(job);
      return;
    }
    this.send({ type: 'job.cancel', jobId: id });
  }

  /** End `job` here as cancelled; the bridge, which may still run it, is told on the next connection. */
  private cancelLocally(job: JobState): void {
    this.cancelOnConnect.add(job.id);
    this.finish(job, new BridgeError(ErrorCode.cancelled, 'cancelled while the bridge was not reachable; nothing is applied (the bridge is told when the connection is back)'));
  }

  // -------------------------------------------------------------------------------------------

  private isReady(): boolean {
    return !!this.ws && this.ws.readyState === OPEN && this.state === 'connected';
  }

  private setState(s: ConnectionStatus): void {
    this.state = s.state;
    for (const fn of [...this.listeners]) {
      try { fn(s); } catch { /* a listener's bug must not break the client */ }
    }
  }

  private send(msg: ClientMessage): void {
    if (this.ws && this.ws.readyState === OPEN) this.ws.send(encodeMessage(msg));
  }

  private sendJob(job: JobState): void {
    if (!this.ws) return;
    job.sent = true;
    job.wired = false;
    job.heldPosition = undefined;
    const seq = job.seq = ++this.sendSeq;
    const ws = this.ws;
    this.sending = this.sending.then(() => this.sendJobChunks(ws, job, seq)).catch(() => undefined);
  }

  /** This client's jobs the bridge counts against its per-client limit, as far as the client knows. */
  private atBridge(): number {
    let n = 0;
    // (A job whose job.result came has ended at the bridge; its layer is still on the way.)
    for (const j of this.jobs.values()) if (j.sent && !j.done && !j.pendingResult) n++;
    return n;
  }

  /**
   * Send held jobs, oldest first, while fewer of this client's jobs are at the bridge than it
   * admits per client (welcome `limits.maxQueuePerClient`, or fewer after a `queue_full`); tell
   * each job still held its position. Called whenever a job is submitted or ends and on connect.
   */
  private pump(): void {
    if (this.pumpPaused || !this.isReady()) return;
    let n = this.atBridge();
    if (n === 0) this.refusedCap = Infinity;
    const cap = Math.max(1, Math.min(this.welcomeMsg?.limits.maxQueuePerClient ?? Infinity, this.refusedCap));
    const told: Array<[JobState, number]> = [];
    let ahead = 0;
    for (const job of this.jobs.values()) {
      if (job.done || job.sent) continue;
      if (n < cap && ahead === 0) { this.sendJob(job); n++; continue; }
      const position = n + ahead++;
      if (job.heldPosition !== position) { job.heldPosition = position; told.push([job, position]); }
    }
    if (!told.length) return;
    // Told a moment later, never from inside submit() (a handler may use the job handle submit
    // returns) nor while the jobs are being walked (a handler may cancel one).
    void Promise.resolve().then(() => {
      for (const [job, position] of told) {
        if (job.done || job.sent || job.heldPosition !== position) continue;
        try { job.handlers.onQueued?.(position); } catch { /* a handler's bug must not break the client */ }
      }
    });
  }

  /**
   * The bridge refused job `job` with `queue_full` before accepting it. When one of this client's
   * own jobs sent before it is still at the bridge, the job is held here and sent again as soon as
   * one of them ends (and no more of this client's jobs go to the bridge than it held at the
   * refusal, until none is left there): that covers the bridge's total cap filled by other
   * clients, and its memory budget, without a loop. When none is (nothing of this client's will
   * free a place), or after {@link MAX_QUEUE_FULL_REFUSALS} refusals, it is not held: false, and
   * the job fails with `queue_full` and the bridge's hint (try again shortly).
   */
  private holdRefused(job: JobState): boolean {
    if (job.cancelRequested) { this.finish(job, new BridgeError(ErrorCode.cancelled, 'cancelled')); return true; }
    // The submits before this one were answered before it (in order): refused ones are no longer `sent`.
    let ahead = 0;
    for (const j of this.jobs.values()) if (j !== job && j.sent && !j.done && !j.pendingResult && (j.seq ?? 0) < (job.seq ?? 0)) ahead++;
    job.refusals = (job.refusals ?? 0) + 1;
    if (ahead === 0 || job.refusals > MAX_QUEUE_FULL_REFUSALS) return false;
    // The chunks written after the refused submit are stray frames to the bridge (each answered
    // with a connection-level error naming the job), and the image it was to keep is not kept.
    job.strays = (job.strays ?? 0) + (job.wiredChunks ?? 0);
    if (job.sentKeep) this.held.delete(job.sentKeep);
    job.sent = false;
    job.wired = false;
    this.refusedCap = Math.min(this.refusedCap, ahead);
    this.pump();
    return true;
  }

  /**
   * Send the submit, then each chunk once the socket's queue is below `maxBufferedBytes`
   * (polling `bufferedAmount`; the WebSocket API has no drain event). Each chunk is made just
   * before it is sent, from the job's image and masks (which stay with the job until the bridge
   * accepts it, for a send again): the client holds one chunk, never a copy of the whole image.
   * Stops when the socket changes: after a reconnect, `flushJobs` sends the job again from the start.
   */
  private async sendJobChunks(ws: WebSocketLike, job: JobState, seq: number): Promise<void> {
    // A job cancelled meanwhile is not (or no further) sent: its cancel follows what went. Nor
    // one refused meanwhile (held again: `seq` is then no longer its send).
    const live = () => this.ws === ws && ws.readyState === OPEN && !job.done && !job.cancelRequested && job.sent && job.seq === seq;
    if (!live()) return;
    const { submit, imageFrame } = this.imagePart(job);
    const frames = imageFrame ? [imageFrame, ...job.masks] : job.masks;
    job.imageChunks = imageFrame?.count ?? 0;
    job.wiredChunks = 0;
    job.sentKeep = submit.keepImage;
    let chunks = 0, total = 0, chunkBytes = 0;
    for (const f of frames) {
      chunks += f.count;
      total += f.totalBytes;
      chunkBytes = Math.max(chunkBytes, f.chunkBytes(0)); // the first chunk is the largest
    }
    const high = this.opts.maxBufferedBytes ?? Math.max(chunkBytes, 64 * 1024);
    ws.send(encodeMessage(submit));
    job.wired = true;
    // Upload progress: bytes handed to the socket less what it still queues.
    const onUpload = chunks > 1 ? job.handlers.onUpload : undefined;
    let handed = 0, told = -1;
    const tell = (): void => {
      if (!onUpload) return;
      const f = Math.max(0, Math.min(1, (handed - (ws.bufferedAmount ?? 0)) / total));
      if (f - told >= 0.01 || (f === 1 && told < 1)) { told = f; onUpload(f); }
    };
    for (const frame of frames) {
      for (let i = 0; i < frame.count; i++) {
        let waited = 0;
        while (live() && (ws.bufferedAmount ?? 0) > high) {
          await pollWait(waited < 100 ? 2 : 10);
          waited += 10;
          tell();
        }
        if (!live()) return;
        const c = frame.chunk(i);
        this.made++;
        ws.send(c);
        job.wiredChunks++;
        handed += c.byteLength;
        tell();
      }
    }
    // The last chunks leave the socket's queue after the loop: said as they drain.
    while (onUpload && told < 1 && live() && (ws.bufferedAmount ?? 0) > 0) {
      await pollWait(10);
      tell();
    }
    if (live()) tell();
  }

  /** Largest frame chunk: the client's own limit and the bridge's, whichever is smaller. */
  private chunkBytes(): number {
    return Math.min(this.opts.maxChunkBytes ?? DEFAULT_LIMITS.maxChunkBytes, this.welcomeMsg?.limits.maxChunkBytes ?? Infinity);
  }

  /** Note that the bridge holds (or is sent to keep) `key` now: it becomes the most recently used. */
  private touchHeld(key: string): void {
    this.held.delete(key);
    this.held.set(key, true);
  }

  /** Most images the bridge keeps for this connection (0: no reuse, e.g. an older bridge). */
  private heldCapacity(): number {
    return this.opts.reuseImages === false ? 0 : Math.max(0, this.welcomeMsg?.limits.maxHeldImages ?? 0);
  }

  /**
   * The submit as sent now and its image frame: the key of an image the bridge holds
   * (`heldImage`, no pixels), or the pixels — kept for later jobs (`keepImage`) when the bridge
   * reuses images — or, for a rectangle of an image the bridge does not hold, only the rectangle
   * (a final) or the whole image to keep (a preview: a drag previews the same image again).
   */
  private imagePart(job: JobState): { submit: JobSubmit; imageFrame: FrameEncoder | null } {
    const img = job.image;
    const base = job.submit;
    job.sentHeld = undefined;
    if (!img) return { submit: base, imageFrame: null };
    const chunkBytes = this.chunkBytes();
    const frame = (f: Pick<FrameMeta, 'format' | 'width' | 'height' | 'left' | 'top'>, data: Uint8Array | FramePayloadSource) =>
      new FrameEncoder({ jobId: job.id, part: 'image', slot: 0, ...f }, data, chunkBytes);
    if (img.png) return { submit: base, imageFrame: frame({ format: 'png', width: 0, height: 0, left: img.left, top: img.top }, img.png) };
    const raw = img.raw!, rect = img.rect;
    const capacity = img.key ? this.heldCapacity() : 0;
    // Document position of the job's image (the rectangle's, when there is one).
    const at: [number, number] = [img.left + (rect?.left ?? 0), img.top + (rect?.top ?? 0)];
    const origin = rect ? { imageOrigin: at } : {};
    if (capacity > 0 && img.key && this.held.has(img.key) && !job.forceUpload) {
      this.touchHeld(img.key);
      job.sentHeld = img.key;
      // The origin goes explicitly: the kept frame's left/top are those of the job that sent it.
      return { submit: { ...base, imageOrigin: at, heldImage: img.key, ...(rect ? { imageRect: rect } : {}) }, imageFrame: null };
    }
    const whole = !rect || (capacity > 0 && base.quality === 'preview');
    if (!whole) {
      // Only the rectangle goes (nothing kept): a final of a large document must not upload it whole.
      return { submit: { ...base, ...origin }, imageFrame: frame({ format: 'rgba8', width: rect!.width, height: rect!.height, left: at[0], top: at[1] }, cropSource(raw, rect!)) };
    }
    const keep = capacity > 0 && img.key ? { keepImage: img.key } : {};
    if (keep.keepImage) {
      this.touchHeld(keep.keepImage);
      while (this.held.size > capacity) this.held.delete(this.held.keys().next().value!);
    }
    return {
      submit: { ...base, ...origin, ...keep, ...(rect ? { imageRect: rect } : {}) },
      imageFrame: frame({ format: 'rgba8', width: raw.width, height: raw.height, left: img.left, top: img.top }, asBytes(raw.data)),
    };
  }

  private openSocket(isReconnect: boolean): Promise<Welcome> {
    return new Promise<Welcome>((resolve, reject) => {
      this.setState({ state: isReconnect ? 'reconnecting' : 'connecting' });
      let ws: WebSocketLike;
      try {
        ws = new this.WS(this.opts.url);
      } catch (e) {
        const err = new BridgeError(ErrorCode.unreachable, `cannot open ${this.opts.url}: ${(e as Error).message}`,
          'Check the bridge URL: it looks like ws://127.0.0.1:7341/v1/ws (the port `smartdrag serve` prints).');
        this.afterFailedOpen(err, isReconnect);
        reject(err);
        return;
      }
      this.ws = ws;
      ws.binaryType = 'arraybuffer';
      let opened = false;
      let welcomed = false;
      let serverError: BridgeError | null = null;
      const timeoutMs = this.opts.connectTimeoutMs ?? 10_000;
      const connectTimer = setTimeout(() => {
        this.abortOpen = null;
        if (welcomed) return;
        this.discard(ws);
        const err = new BridgeError(ErrorCode.unreachable,
          `no answer from ${this.opts.url} within ${Math.round(timeoutMs / 1000)} s`,
          'Is `smartdrag serve` running on this port? A firewall or another program on the port can hold the connection open without answering.');
        this.afterFailedOpen(err, isReconnect);
        reject(err);
      }, timeoutMs);
      this.abortOpen = () => {
        this.abortOpen = null;
        clearTimeout(connectTimer);
        if (!welcomed) reject(new BridgeError(ErrorCode.connection_lost, 'client closed'));
      };
      ws.onopen = () => {
        opened = true;
        ws.send(encodeMessage({
          type: 'hello', protocol: PROTOCOL_VERSION, client: this.opts.client, token: this.token,
          ...(this.opts.clientVersion ? { clientVersion: this.opts.clientVersion } : {}),
        }));
      };
      // The close event follows and carries the outcome; the error's words (Node's ws gives them,
      // browsers do not) say when something answered that is not the bridge's socket.
      let errorWords = '';
      ws.onerror = (ev) => { const m = (ev as { message?: unknown } | null)?.message; if (typeof m === 'string') errorWords = m; };
      ws.onmessage = (ev) => {
        this.lastHeardAt = Date.now();
        if (typeof ev.data === 'string') {
          const r = parseServerMessage(ev.data);
          if (!r.ok) return; // unknown or malformed server messages are ignored (forward compatible)
          const msg = r.msg;
          if (!welcomed) {
            if (msg.type === 'welcome') {
              welcomed = true;
              this.abortOpen = null;
              clearTimeout(connectTimer);
              this.welcomeMsg = msg;
              this.held = new Map(); // keys are per connection
              this.attempt = 0;
              this.everConnected = true;
              this.setState({ state: 'connected' });
              this.startHeartbeat(msg.heartbeatMs);
              this.flushJobs();
              resolve(msg);
            } else if (msg.type === 'error') {
              serverError = new BridgeError(msg.code, msg.message, msg.hint, msg.detail);
            }
            return;
          }
          this.onServerMessage(msg);
        } else {
          const bytes = toBytes(ev.data);
          if (bytes) this.onBinary(bytes);
        }
      };
      ws.onclose = (ev) => {
        clearTimeout(connectTimer);
        this.abortOpen = null;
        if (this.ws === ws) this.ws = null;
        this.stopHeartbeat();
        if (!welcomed) {
          const answered = /Unexpected server response: (\d+)/.exec(errorWords);
          const err = serverError ?? (opened
            ? new BridgeError(ErrorCode.connection_lost, `bridge closed the connection during the handshake (${ev.code})`)
            : answered
              ? new BridgeError(ErrorCode.unreachable, `${this.opts.url} answered HTTP ${answered[1]}, not with the bridge's socket`,
                'Check the bridge URL: the bridge\'s socket is at ws://<host>:<port>/v1/ws (the port `smartdrag serve` prints).')
              : new BridgeError(ErrorCode.unreachable, `nothing answers at ${this.opts.url}`));
          this.afterFailedOpen(err, isReconnect);
          reject(err);
          return;
        }
        this.onDropped(ev.code);
      };
    });
  }

  /** Handshake refusals (token, version, origin) are final; network failures retry when reconnecting. */
  private afterFailedOpen(err: BridgeError, isReconnect: boolean): void {
    const final = err.code !== ErrorCode.unreachable && err.code !== ErrorCode.connection_lost;
    if (final) {
      this.terminal = err;
      this.failAll(err);
      this.setState({ state: 'error', error: { code: err.code, message: err.message, hint: err.hint } });
      return;
    }
    if (isReconnect && !this.userClosed) {
      this.setState({ state: 'reconnecting', error: { code: err.code, message: err.message, hint: err.hint } });
      this.scheduleReconnect();
      return;
    }
    this.setState({ state: 'error', error: { code: err.code, message: err.message, hint: err.hint } });
  }

  private onDropped(code: number): void {
    if (this.userClosed) return;
    const canReconnect = this.opts.reconnect !== false && this.everConnected;
    const stopped = code === 1001;
    if (!canReconnect) {
      const err = stopped ? new BridgeError(ErrorCode.shutting_down, 'the bridge stopped') : new BridgeError(ErrorCode.connection_lost, `connection closed (${code})`);
      this.failAll(err);
      this.setState({ state: stopped ? 'closed' : 'error', error: { code: err.code, message: err.message, hint: err.hint } });
      return;
    }
    if (stopped) {
      // The bridge stopped on purpose (its jobs were ended with shutting_down): what is still here
      // is ended the same way, and the client keeps trying, so a restarted bridge is found again.
      this.failAll(new BridgeError(ErrorCode.shutting_down, 'the bridge stopped'));
      for (const j of this.jobs.values()) this.assembler.drop(j.id);
      this.setState({ state: 'reconnecting', error: { code: ErrorCode.shutting_down, message: 'the bridge stopped', hint: ERROR_HINTS.shutting_down } });
      this.scheduleReconnect();
      return;
    }
    // Chunks of a half-received layer are resent in full on resume.
    for (const j of this.jobs.values()) { this.assembler.drop(j.id); j.pendingResult = undefined; }
    // A cancel whose answer was due ends here now (its answer would come only with the bridge);
    // it is sent again on the next connection.
    this.pumpPaused = true;
    try {
      for (const j of [...this.jobs.values()]) if (j.cancelRequested && !j.done) this.cancelLocally(j);
    } finally {
      this.pumpPaused = false;
    }
    this.setState({ state: 'reconnecting' });
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.reconnectTimer || this.userClosed) return;
    const cfg = this.opts.reconnect || { minDelayMs: 500, maxDelayMs: 10_000 };
    const base = Math.min(cfg.maxDelayMs, cfg.minDelayMs * 2 ** this.attempt);
    const delay = base / 2 + Math.random() * (base / 2);
    this.attempt++;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.userClosed || this.connecting) return;
      // (Kept in `connecting`: a connect() meanwhile waits for this attempt instead of opening another socket.)
      const attempt = this.openSocket(true).finally(() => { if (this.connecting === attempt) this.connecting = null; });
      this.connecting = attempt;
      attempt.catch(() => undefined);
    }, delay);
  }

  private flushJobs(): void {
    const resume: string[] = [];
    this.refusedCap = Infinity;
    this.pumpPaused = true;
    try {
      for (const job of [...this.jobs.values()]) {
        job.strays = 0;
        job.heldPosition = undefined;
        if (job.done) continue;
        if (job.accepted) resume.push(job.id);
        else if (job.cancelRequested && job.sent) this.finish(job, new BridgeError(ErrorCode.cancelled, 'cancelled'));
        else { job.sent = false; job.wired = false; } // sent again below, as the bridge admits them
      }
    } finally {
      this.pumpPaused = false;
    }
    // Jobs cancelled here while the connection was down: the bridge may still run them.
    for (const id of this.cancelOnConnect) this.send({ type: 'job.cancel', jobId: id });
    this.cancelOnConnect.clear();
    for (let i = 0; i < resume.length; i += 256) this.send({ type: 'job.resume', jobIds: resume.slice(i, i + 256) });
    // (A job whose cancel went before the drop ended then, in onDropped; one still here follows its resume.)
    for (const id of resume) if (this.jobs.get(id)?.cancelRequested) this.send({ type: 'job.cancel', jobId: id });
    // The rest go oldest first, no more at once than the bridge admits (the resumed ones count).
    this.pump();
  }

  private onServerMessage(msg: ServerMessage): void {
    if (msg.type === 'ping') { this.send({ type: 'pong', ...(msg.t !== undefined ? { t: msg.t } : {}) }); return; }
    if (msg.type === 'pong' || msg.type === 'welcome') return;
    if (msg.type === 'error') {
      // A connection-level error naming a job (e.g. bad frame) fails that job.
      const jobId = (msg.detail as { jobId?: unknown } | undefined)?.jobId;
      if (typeof jobId === 'string') {
        const job = this.jobs.get(jobId);
        // (A chunk that followed a submit refused queue_full is a stray frame: the job is held.)
        if (job && job.strays && msg.code === ErrorCode.bad_message) { job.strays--; return; }
        if (job) this.finish(job, new BridgeError(msg.code, msg.message, msg.hint));
      }
      return;
    }
    const job = this.jobs.get(msg.jobId);
    if (!job || job.done) return;
    switch (msg.type) {
      case 'job.accepted':
        job.accepted = true;
        job.masks = []; // the bridge has the pixels; let go of them
        job.image = null;
        job.handlers.onQueued?.(msg.position);
        break;
      case 'job.queued':
        job.accepted = true;
        job.handlers.onQueued?.(msg.position);
        break;
      case 'job.started':
        break;
      case 'job.plan':
        // (A resume sends the plan again: the handler hears it once.)
        if (!job.planHeard) { job.planHeard = true; job.handlers.onPlan?.(msg.plan); }
        job.plan.resolve(msg.plan);
        break;
      case 'job.progress':
        job.handlers.onProgress?.(msg.stage, msg.fraction);
        break;
      case 'job.result':
        job.pendingResult = { layer: msg.layer, plan: msg.plan, timings: msg.timings, ...(msg.proxy ? { proxy: msg.proxy } : {}), ...(msg.moved ? { moved: msg.moved } : {}), ...(msg.check !== undefined ? { check: msg.check } : {}) };
        job.plan.resolve(msg.plan);
        this.pump(); // the job ended at the bridge: its place there is free
        break;
      case 'job.error':
        if (!job.accepted && msg.code === ErrorCode.job_not_found && !job.cancelRequested && (job.image || job.masks.length)) {
          this.sendJob(job); // the bridge lost the upload: send it again
          break;
        }
        if (!job.accepted && msg.code === ErrorCode.image_unknown && job.sentHeld && !job.forceUpload && job.image) {
          // The bridge no longer holds the image this job named (dropped, or a new connection):
          // nothing was queued; send the job again with its pixels.
          this.held.delete(job.sentHeld);
          job.forceUpload = true;
          if (job.cancelRequested) { this.finish(job, new BridgeError(ErrorCode.cancelled, 'cancelled')); break; }
          this.sendJob(job);
          break;
        }
        // Refused for want of room at the bridge (not for this client's own flushing: it paces
        // its jobs): held and sent again when one of its jobs ends, or failed (holdRefused).
        if (!job.accepted && msg.code === ErrorCode.queue_full && this.holdRefused(job)) break;
        // The cancel of a job the bridge no longer (or never) had: it is cancelled, not lost.
        if (job.cancelRequested && msg.code === ErrorCode.job_not_found) { this.finish(job, new BridgeError(ErrorCode.cancelled, 'cancelled')); break; }
        // A job the bridge had accepted and no longer knows after a reconnect: its result was
        // no longer kept (the bridge keeps finished results only for a while, and drops the
        // oldest when its memory is full), or the bridge restarted.
        if (job.accepted && msg.code === ErrorCode.job_not_found) {
          this.finish(job, new BridgeError(ErrorCode.job_not_found, 'the bridge no longer has this edit\'s result: it keeps finished results only for a while (fewer when its memory is full) and the connection was down longer, or the bridge restarted; nothing was applied', 'Run the edit again.'));
          break;
        }
        this.finish(job, new BridgeError(isErrorCode(msg.code) ? msg.code : ErrorCode.internal, msg.message, msg.hint ?? ERROR_HINTS[msg.code]));
        break;
      case 'job.cancelled':
        this.finish(job, new BridgeError(ErrorCode.cancelled, 'cancelled'));
        break;
    }
  }

  private onBinary(bytes: Uint8Array): void {
    let frame;
    try {
      const chunk = decodeFrameChunk(bytes);
      if (chunk.part !== 'layer') return;
      const job = this.jobs.get(chunk.jobId);
      if (!job || job.done || !job.pendingResult) return;
      frame = this.assembler.push(chunk);
    } catch {
      return; // malformed chunk from the bridge: ignore; the job times out or errors on its own
    }
    if (!frame) return;
    const job = this.jobs.get(frame.jobId)!;
    const meta = job.pendingResult!;
    if (frame.format !== 'rgba8' || frame.width !== meta.layer.width || frame.height !== meta.layer.height) {
      this.finish(job, new BridgeError(ErrorCode.internal, 'result layer does not match its job.result'));
      return;
    }
    const layer: ResultLayer = {
      left: meta.layer.left, top: meta.layer.top, width: frame.width, height: frame.height,
      data: new Uint8ClampedArray(frame.data.buffer, frame.data.byteOffset, frame.data.byteLength),
      ...(meta.proxy ? { proxy: meta.proxy } : {}),
    };
    // A cancel sent while the bridge was finishing crossed the result (the bridge does not answer
    // the cancel of a finished job): the user asked for no result, so none is delivered.
    if (job.cancelRequested) {
      this.finish(job, new BridgeError(ErrorCode.cancelled, 'cancelled (the result arrived after the cancel; nothing is applied)'));
      return;
    }
    job.done = true;
    this.jobs.delete(job.id);
    job.result.resolve({ layer, plan: meta.plan, timings: meta.timings, ...(meta.moved ? { moved: meta.moved } : {}), ...(meta.check !== undefined ? { check: meta.check } : {}) });
    this.pump();
  }

  private finish(job: JobState, err: BridgeError): void {
    if (job.done) return;
    job.done = true;
    this.jobs.delete(job.id);
    this.assembler.drop(job.id);
    job.plan.reject(err);
    job.result.reject(err);
    this.pump(); // a place at the bridge (or ahead in the held line) is free
  }

  private failAll(err: BridgeError): void {
    this.pumpPaused = true;
    try {
      for (const job of [...this.jobs.values()]) this.finish(job, err);
    } finally {
      this.pumpPaused = false;
    }
  }

  private startHeartbeat(intervalMs: number): void {
    this.stopHeartbeat();
    this.lastHeardAt = Date.now();
    let lastPing = Date.now();
    let lastTick = Date.now();
    // Checked three times an interval; a ping goes once an interval.
    const t = setInterval(() => {
      const ws = this.ws;
      if (!ws || ws.readyState !== OPEN) return;
      const now = Date.now();
      // This tick comes late: the client's own thread was busy (a long synchronous step in the
      // host, a starved process). What the bridge sent meanwhile is still unread — timers run
      // before I/O — and no ping went out: not a silent bridge. It gets a ping and its full time.
      const late = now - lastTick > intervalMs;
      lastTick = now;
      if (late) {
        this.lastHeardAt = now;
        lastPing = now;
        this.send({ type: 'ping', t: now });
        return;
      }
      if (now - this.lastHeardAt > intervalMs * 2.5) {
        // Dropped at once: a frozen bridge would not answer the close handshake either (ws waits
        // 30 s for it).
        this.discard(ws, 4000, 'heartbeat timeout');
        this.stopHeartbeat();
        this.onDropped(4000);
        return;
      }
      if (now - lastPing >= intervalMs) { lastPing = now; this.send({ type: 'ping', t: now }); }
    }, Math.max(1, Math.round(intervalMs / 3)));
    (t as { unref?: () => void }).unref?.();
    this.heartbeat = t;
  }

  /**
   * Let `ws` go without hearing from it again: its handlers detached, it closed (`code`, `reason`
   * when given), no longer the client's socket. Closing a socket that is still connecting reports
   * an error, which Node's ws throws when nothing listens: a no-op listener takes it.
   */
  private discard(ws: WebSocketLike, code?: number, reason?: string): void {
    ws.onclose = null; ws.onmessage = null; ws.onopen = null;
    ws.onerror = () => { /* closed on purpose */ };
    if (this.ws === ws) this.ws = null;
    try { if (code === undefined) ws.close(); else ws.close(code, reason); } catch { /* not open yet, or already closing */ }
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }

  private clearTimers(): void {
    this.stopHeartbeat();
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
  }
}

/**
 * The wait between two looks at the socket's send queue while a job uploads: a short timer — but
 * in a hidden page (the playground or Photopea in a background tab while a large document goes
 * up) browsers run chained timers at most once a second, which paced the upload at one chunk a
 * second; there a message to itself, which is not throttled (on loopback the queue drains in
 * moments, so the turns this takes end with the upload).
 */
export function pollWait(ms: number): Promise<void> {
  const doc = (globalThis as { document?: { visibilityState?: string } }).document;
  if (doc?.visibilityState === 'hidden' && typeof MessageChannel === 'function') {
    return new Promise((resolve) => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => { ch.port1.close(); resolve(); };
      ch.port2.postMessage(null);
    });
  }
  return new Promise((resolve) => setTimeout(resolve, ms));
}
