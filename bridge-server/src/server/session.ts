/**
 * WebSocket sessions: one {@link Session} per connection, from the upgrade checks and the hello
 * handshake to the job messages of an authenticated client (submit, frames, cancel, resume),
 * the oversize-message guard and the disconnect. Jobs themselves live in the store; finished
 * uploads go to dispatch.
 */
import type { IncomingMessage } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { RawData, WebSocket } from 'ws';
import type { Logger } from 'pino';
import {
  CloseCode, decodeFrameChunk, encodeMessage, ERROR_HINTS, ErrorCode, FrameAssembler, parseClientMessage,
  peekFrameJobId, PROTOCOL_VERSION, SmartDragError,
  type Capabilities, type JobSubmit, type ServerMessage,
} from '@smartdrag/shared';
import type { BridgeConfig } from '../config';
import type { Diagnostics, OriginNotes } from './diagnostics';
import type { Dispatcher } from './dispatch';
import { answerHello, checkUpgrade } from './handshake';
import { HeldImages, heldConnection } from './held-images';
import { decodedImageBytes, decodeImageFrame, expectedMaskSlots } from './job-input';
import type { MemoryBudget } from './memory-budget';
import type { JobQueue } from './job-queue';
import { ACTIVE, type JobSession, type JobStore } from './job-store';
import { classifyOrigin, type AccessPolicy } from './security';

/**
 * How much larger than `maxFrameBytes` a WebSocket message may be before `ws` stops reading it.
 * Messages between the two get a coded `frame_too_large` error and the socket stays open; larger
 * ones get the same coded error and then close 4009 (`ws` cannot skip an unread payload).
 */
export const OVERSIZE_READ_FACTOR = 2;

/** One WebSocket connection. */
export class Session implements JobSession {
  readonly id = randomBytes(6).toString('hex');
  /** Owner key of the authenticated user (jobs are scoped to it); null before `hello`. */
  owner: string | null = null;
  /** The authenticated user (`local` for the bridge token, else a per-user LAN token's name). */
  user: string | null = null;
  /** Peer address (the bridge token is only accepted from loopback when shared on a LAN). */
  remoteAddress: string | undefined;
  alive = true;
  closed = false;
  handshakeTimer?: ReturnType<typeof setTimeout>;
  readonly jobs = new Set<string>();
  readonly assembler: FrameAssembler;
  readonly log: Logger;
  /** Images this connection keeps for its later jobs (job.submit `keepImage` / `heldImage`). */
  readonly held: HeldImages;
  /** Jobs whose image frame is still to come and is to be kept (keepImage). */
  readonly keeping = new Set<string>();
  constructor(readonly ws: WebSocket, logger: Logger, limits: BridgeConfig['limits'], budget?: MemoryBudget) {
    // A raw image to keep (keepImage) is assembled in shared memory: the held image is the
    // frame's own buffer and edit workers read it without a copy (held-images.ts,
    // worker-pool.ts). Other frames stay plain buffers, transferred to the worker (V8 reads a
    // plain typed array ~10% faster: the 1024² preview's warp 4.5 vs 5.0 ms on a shared input).
    // Each frame's buffer is charged to its job's input as it is made — on whichever chunk of the
    // frame comes first, after the assembler checked its size (too large → image_too_large; does
    // not fit the memory budget → queue_full; either way nothing is allocated).
    this.assembler = new FrameAssembler(limits, (bytes, first) => {
      budget?.charge(first.jobId, bytes);
      return first.part === 'image' && first.format === 'rgba8' && this.keeping.has(first.jobId) ? new Uint8Array(new SharedArrayBuffer(bytes)) : new Uint8Array(bytes);
    });
    this.log = logger.child({ clientId: this.id });
    this.held = new HeldImages(this.id, limits, budget);
  }
  message(msg: ServerMessage): void {
    if (!this.closed && this.ws.readyState === this.ws.OPEN) this.ws.send(encodeMessage(msg));
  }
  binary(chunk: Uint8Array): void {
    if (!this.closed && this.ws.readyState === this.ws.OPEN) this.ws.send(chunk);
  }
  error(code: ErrorCode, message: string, detail?: unknown): void {
    this.message({ type: 'error', code, message, hint: ERROR_HINTS[code], ...(detail !== undefined ? { detail } : {}) });
  }
  /** Send the coded error, then close with `closeCode`. */
  closeWith(code: ErrorCode, closeCode: number, message: string, detail?: unknown): void {
    this.error(code, message, detail);
    this.ws.close(closeCode, code);
  }
}

/** What sessions need from the rest of the bridge. */
export interface SessionDeps {
  config: BridgeConfig;
  logger: Logger;
  serverVersion: string;
  store: JobStore;
  queue: JobQueue;
  dispatch: Dispatcher;
  diagnostics: Diagnostics;
  originNotes?: OriginNotes;
  capabilities: () => Capabilities;
  policy: () => AccessPolicy;
  closing: () => boolean;
}

/** All live sessions and the handling of their messages. */
export class SessionHub {
  readonly sessions = new Set<Session>();

  constructor(private readonly d: SessionDeps) {}

  /** A new upgraded socket. */
  connect(ws: WebSocket, req: IncomingMessage): void {
    const { config, logger } = this.d;
    const session = new Session(ws, logger, config.limits, this.d.store.budget);
    session.remoteAddress = req.socket.remoteAddress;
    const rec = this.d.diagnostics.open(session.id, 'ws', req.headers, session.remoteAddress);
    this.guardOversize(session);
    this.sessions.add(session);
    ws.on('pong', () => { session.alive = true; });
    ws.on('error', (err) => session.log.warn({ err: err.message }, 'socket error'));
    ws.on('close', () => {
      session.closed = true;
      clearTimeout(session.handshakeTimer);
      this.sessions.delete(session);
      this.d.store.detach(session);
      session.held.clear();
      session.keeping.clear();
      session.log.info('client disconnected');
    });
    const origin = req.headers.origin;
    const kind = classifyOrigin(this.d.policy(), origin);
    if (kind === 'token' || kind === 'foreign') this.d.originNotes?.note(origin!, kind);
    const refusal = checkUpgrade(this.d.policy(), req, this.d.closing());
    if (refusal) {
      rec.refused = refusal.code;
      if (refusal.code !== ErrorCode.shutting_down) session.log.warn({ host: req.headers.host, origin: req.headers.origin }, `refused: ${refusal.code}`);
      session.closeWith(refusal.code, refusal.closeCode, refusal.message);
      return;
    }
    session.handshakeTimer = setTimeout(() => session.closeWith(ErrorCode.bad_message, CloseCode.badHandshake, 'no hello in time'), config.handshakeTimeoutMs);
    ws.on('message', (data: RawData, isBinary: boolean) => this.onMessage(session, data, isBinary));
  }

  /** The memory budget dropped held image `id` (budget id) under pressure: its connection forgets it. */
  heldEvicted(id: string): void {
    const conn = heldConnection(id);
    for (const s of this.sessions) if (s.id === conn) s.held.evicted(id);
  }

  /** Tell every client the bridge stops, then drop them. */
  async closeAll(): Promise<void> {
    for (const s of this.sessions) s.closeWith(ErrorCode.shutting_down, CloseCode.goingAway, 'the bridge is shutting down');
    await new Promise<void>((r) => setTimeout(r, 20)); // let close frames go out
    for (const s of this.sessions) s.ws.terminate();
  }

  /** When {@link heartbeat} last ran. */
  private lastBeat = 0;

  /**
   * Ping every client; one that did not answer the previous ping is dropped — unless this beat
   * comes late (`intervalMs` given and more than 1.5 intervals since the last): the bridge's own
   * thread was busy, the answers that came meanwhile are still unread (timers run before I/O), so
   * every client gets a new ping and its full interval.
   */
  heartbeat(intervalMs?: number, now = Date.now()): void {
    const late = intervalMs !== undefined && this.lastBeat > 0 && now - this.lastBeat > 1.5 * intervalMs;
    this.lastBeat = now;
    for (const s of this.sessions) {
      if (!s.alive && !late) { s.log.warn('heartbeat lost; dropping client'); s.ws.terminate(); continue; }
      s.alive = false;
      try { s.ws.ping(); } catch { /* closing */ }
    }
  }

  private onMessage(session: Session, data: RawData, isBinary: boolean): void {
    session.alive = true;
    const limits = this.d.config.limits;
    const size = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : (data as Buffer | ArrayBuffer).byteLength;
    if (size > limits.maxFrameBytes) { this.onOversize(session, data, isBinary, size); return; }
    try {
      if (isBinary) {
        if (!session.owner) { session.closeWith(ErrorCode.bad_message, CloseCode.badHandshake, 'binary frame before hello'); return; }
        const buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
        this.onBinary(session, new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
      } else if (!session.owner) {
        this.onHello(session, data.toString());
      } else {
        this.onText(session, data.toString());
      }
    } catch (err) {
      session.log.error({ err }, 'unexpected error handling a message');
      session.error(ErrorCode.internal, 'the bridge failed to handle this message');
    }
  }

  private onOversize(session: Session, data: RawData, isBinary: boolean, size: number): void {
    const limits = this.d.config.limits;
    session.error(ErrorCode.frame_too_large, `a ${size}-byte message exceeds the ${limits.maxFrameBytes}-byte frame limit`, { bytes: size, maxFrameBytes: limits.maxFrameBytes });
    if (!isBinary || !session.owner) return;
    // Fail the job the oversize chunk belonged to, if its header is readable.
    try {
      const buf = Buffer.isBuffer(data) ? data : Buffer.concat(data as Buffer[]);
      const c = decodeFrameChunk(new Uint8Array(buf.buffer, buf.byteOffset, Math.min(buf.byteLength, 200)));
      const job = this.d.store.get(c.jobId);
      if (job && job.session === session) this.d.store.fail(job, new SmartDragError(ErrorCode.frame_too_large, 'a chunk of this job exceeded the frame limit'));
    } catch { /* header unreadable: the connection-level error is enough */ }
  }

  private onHello(session: Session, text: string): void {
    const { config } = this.d;
    const a = answerHello(text, config, session.remoteAddress);
    const rec = this.d.diagnostics.get(session.id);
    if (!a.ok) {
      if (rec) rec.refused = a.code;
      if (a.code === ErrorCode.unauthorized) session.log.warn({ remote: session.remoteAddress }, 'hello with a wrong token');
      session.closeWith(a.code, a.closeCode, a.message, a.detail);
      return;
    }
    clearTimeout(session.handshakeTimer);
    session.owner = a.owner;
    session.user = a.user;
    if (rec) Object.assign(rec, { client: a.hello.client, clientVersion: a.hello.clientVersion, user: a.user });
    session.log.info({ client: a.hello.client, clientVersion: a.hello.clientVersion, user: a.user }, 'client connected');
    session.message({
      type: 'welcome', protocol: PROTOCOL_VERSION, serverVersion: this.d.serverVersion, clientId: session.id,
      capabilities: this.d.capabilities(), limits: { ...config.limits }, heartbeatMs: config.heartbeatMs,
    });
  }

  private onText(session: Session, text: string): void {
    const r = parseClientMessage(text);
    if (!r.ok) {
      session.error(r.code, r.message, { ...(r.path ? { path: r.path } : {}), ...(r.type ? { type: r.type } : {}), ...(r.jobId ? { jobId: r.jobId } : {}) });
      if (r.jobId && r.type === 'job.submit') {
        // The frames that follow a rejected submit are answered as stray frames; tell the job too.
        session.message({ type: 'job.error', jobId: r.jobId, code: r.code, message: r.message, hint: ERROR_HINTS[r.code] });
      }
      return;
    }
    const msg = r.msg;
    switch (msg.type) {
      case 'hello': session.error(ErrorCode.bad_message, 'hello was already received'); break;
      case 'job.submit': this.onSubmit(session, msg); break;
      case 'job.cancel': this.onCancel(session, msg.jobId); break;
      case 'job.resume': this.resume(session, msg.jobIds); break;
      case 'ping': session.message({ type: 'pong', ...(msg.t !== undefined ? { t: msg.t } : {}) }); break;
      case 'pong': break;
    }
  }

  private onSubmit(session: Session, submit: JobSubmit): void {
    const { store } = this.d;
    const existing = store.get(submit.jobId);
    if (existing) {
      if (existing.owner === session.owner && existing.state !== 'uploading' && !existing.http) { this.resume(session, [submit.jobId]); return; }
      // (A job of an HTTP request is answered to that request: a socket never takes it over.)
      session.message({ type: 'job.error', jobId: submit.jobId, code: ErrorCode.bad_message, message: `job id already in use${existing.http ? ' by an HTTP request' : ''}`, hint: ERROR_HINTS.bad_message });
      return;
    }
    // A held image this connection does not have: nothing is queued, the id stays free (the
    // client sends the job again with the pixels).
    const heldKey = submit.heldImage;
    if (heldKey !== undefined && !session.held.has(heldKey)) {
      const err = session.held.missing(heldKey);
      session.message({ type: 'job.error', jobId: submit.jobId, code: err.code, message: err.message, hint: err.hint });
      return;
    }
    try {
      this.d.queue.admit(submit, session, this.d.closing());
    } catch (e) {
      const err = e as SmartDragError;
      session.message({ type: 'job.error', jobId: submit.jobId, code: err.code, message: err.message, hint: err.hint });
      return;
    }
    if (submit.keepImage !== undefined && session.held.capacity > 0) session.keeping.add(submit.jobId);
    const slots = expectedMaskSlots(submit);
    const job = store.create(submit, session.owner!, session.id, session, session, session.log.child({ jobId: submit.jobId }), heldKey !== undefined ? slots : [0, ...slots]);
    store.attach(job, session);
    if (heldKey !== undefined) {
      job.source = session.held.use(heldKey);
      job.source.catch(() => undefined); // dispatch reads the outcome
      if (job.expected.size === 0) { void this.d.dispatch.prepare(job); return; }
    }
    const ms = this.d.config.uploadTimeoutMs;
    job.uploadTimer = setTimeout(() => store.fail(job, new SmartDragError(ErrorCode.bad_message, `not all frames arrived within ${ms} ms`)), ms);
  }

  private onBinary(session: Session, data: Uint8Array): void {
    const { store } = this.d;
    let chunk;
    try {
      chunk = decodeFrameChunk(data);
    } catch (e) {
      session.error(ErrorCode.bad_message, (e as Error).message);
      // A malformed chunk that names a job this connection is uploading fails that job now (it
      // would otherwise wait for the upload timeout).
      const id = peekFrameJobId(data);
      const job = id !== null ? store.get(id) : undefined;
      if (job && job.session === session && job.state === 'uploading') store.fail(job, e);
      return;
    }
    const job = store.get(chunk.jobId);
    // A job this connection's user already sent in full: its submit came again after a reconnect
    // (the client had not heard job.accepted) and was answered as a resume; the chunks that follow
    // it are the same upload again, not an error.
    if (job && job.owner === session.owner && job.state !== 'uploading' && job.session === session) return;
    if (!job || job.session !== session || job.state !== 'uploading') {
      session.error(ErrorCode.bad_message, `binary frame for job ${chunk.jobId}, which is not waiting for frames`, { jobId: chunk.jobId });
      return;
    }
    if ((chunk.part === 'image') !== (chunk.slot === 0) || chunk.part === 'layer' || !job.expected.has(chunk.slot)) {
      store.fail(job, new SmartDragError(ErrorCode.bad_message, `unexpected ${chunk.part} frame in slot ${chunk.slot}`));
      return;
    }
    let frame;
    try {
      // (A frame is charged to the memory budget as the assembler allocates it: see Session.)
      frame = session.assembler.push(chunk);
    } catch (e) {
      store.fail(job, e);
      return;
    }
    if (!frame) return;
    if (job.frames.has(frame.slot)) { store.fail(job, new SmartDragError(ErrorCode.bad_message, `slot ${frame.slot} sent twice`)); return; }
    job.frames.set(frame.slot, frame);
    // keepImage: the image is kept for this connection's later jobs as soon as its frame is in
    // (even if this job is cancelled meanwhile), and this job takes it from there.
    if (frame.slot === 0) session.keeping.delete(job.id);
    if (frame.slot === 0 && job.submit.keepImage !== undefined && session.held.capacity > 0) {
      job.source = session.held.keep(job.submit.keepImage, frame, (f) => decodeImageFrame(f, this.d.config.limits), (f) => decodedImageBytes(f, this.d.config.limits));
      job.source.catch(() => undefined); // dispatch falls back to the frame
    }
    if (job.frames.size === job.expected.size) void this.d.dispatch.prepare(job);
  }

  private onCancel(session: Session, jobId: string): void {
    const job = this.d.store.get(jobId);
    if (!job || job.owner !== session.owner || job.http) {
      session.message({ type: 'job.error', jobId, code: ErrorCode.job_not_found, message: `no job ${jobId}${job?.http && job.owner === session.owner ? ' on this connection (an HTTP request runs it)' : ''}`, hint: ERROR_HINTS.job_not_found });
      return;
    }
    if (!ACTIVE.has(job.state)) return; // finished: its outcome was (or will be on resume) delivered
    job.cancelRequested = true;
    this.d.dispatch.cancel(job, ErrorCode.cancelled, 'cancelled');
  }

  private resume(session: Session, ids: string[]): void {
    const { store, queue } = this.d;
    for (const id of ids) {
      const job = store.get(id);
      // A job of an HTTP request is answered to that request only: a socket cannot resume it.
      if (!job || job.owner !== session.owner || job.state === 'uploading' || job.http) {
        session.message({ type: 'job.error', jobId: id, code: ErrorCode.job_not_found, message: `no job ${id} to resume${job?.http && job.owner === session.owner ? ' (it was submitted over HTTP: its answer goes to that request)' : ''}`, hint: ERROR_HINTS.job_not_found });
        continue;
      }
      store.attach(job, session);
      job.log.debug({ clientId: session.id }, 'job resumed');
      if (job.final) {
        for (const m of job.final.messages) session.message(m);
        for (const c of job.final.chunks) session.binary(c);
      } else if (job.state === 'preparing') {
        // All its frames arrived; it is being decoded before it queues.
        session.message({ type: 'job.accepted', jobId: id, position: 0 });
      } else if (job.state === 'queued') {
        session.message({ type: 'job.queued', jobId: id, position: queue.position(job) });
      } else if (job.state === 'running') {
        session.message({ type: 'job.started', jobId: id });
        if (job.planMsg) session.message(job.planMsg);
      }
    }
  }

  /**
   * `ws` closes a socket whose message exceeds `maxPayload` with 1009 and no word of why. Answer
   * such a message like every other oversize one — a coded `frame_too_large` error — and close
   * with 4009 `frame_too_large`, so a client always learns the code.
   */
  private guardOversize(session: Session): void {
    const ws = session.ws;
    const limits = this.d.config.limits;
    const close = ws.close.bind(ws);
    ws.close = ((code?: number, reason?: string | Buffer) => {
      if (code === 1009 && reason === undefined && ws.readyState === ws.OPEN) {
        session.log.warn('message over the read limit; closing');
        session.error(ErrorCode.frame_too_large, `a message exceeds ${limits.maxFrameBytes * OVERSIZE_READ_FACTOR} bytes (the frame limit is ${limits.maxFrameBytes}); closing`,
          { maxFrameBytes: limits.maxFrameBytes });
        close(CloseCode.frameTooLarge, ErrorCode.frame_too_large);
        return;
      }
      close(code, reason);
    }) as WebSocket['close'];
  }
}
