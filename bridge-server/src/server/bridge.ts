/**
 * The bridge: one HTTP server carrying the express app (health, plugin pages, POST /v1/edit)
 * and the WebSocket endpoint `/v1/ws`. Jobs go through a FIFO queue into a worker-thread pool;
 * finished results are kept `resultTtlMs` for pickup after a reconnect. Every failure a client
 * can cause becomes a coded error, and the bridge keeps serving.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { Logger } from 'pino';
import {
  CloseCode, decodeFrameChunk, DEFAULT_LIMITS, encodeFrame, encodeMessage, ERROR_HINTS, ErrorCode, FrameAssembler, parseClientMessage,
  PROTOCOL_VERSION, SmartDragError, WS_PATH,
  type Capabilities, type Frame, type JobSubmit, type ServerMessage, type WirePlan,
} from '@smartdrag/shared';
import { bridgeVersion, type BridgeConfig } from '../config';
import { buildWorkerJob, checkSubmitLimits, expectedMaskSlots } from './job-input';
import { WorkerPool, type PoolRun } from './worker-pool';
import type { WorkerJob, WorkerStages } from './worker-protocol';
import { accessPolicy, authenticate, hostAllowed, originAllowed, type AccessPolicy } from './security';
import { createHttpApp } from './http-app';
import { MemoryBudget } from './memory-budget';

/** Options of {@link createBridge}. */
export interface CreateBridgeOptions {
  config: BridgeConfig;
  logger: Logger;
  /**
   * Device, learned stages and models to report in `welcome` and `/v1/health`, given what the
   * edit workers reported at start (null until one is ready). Default: the workers' device and
   * learned stages, no model list.
   */
  capabilities?: (ctx: { workers: WorkerStages | null }) => Capabilities;
  /** Worker entry script (tests may inject another); default the bundled edit worker. */
  workerEntry?: string;
}

/** A running (or ready to run) bridge. */
export interface Bridge {
  /** Start listening; resolves with the bound address and the ws URL. */
  listen(): Promise<{ host: string; port: number; url: string; wsUrl: string }>;
  /** Graceful shutdown: running and queued jobs end with `shutting_down`, clients are told. */
  close(): Promise<void>;
  /** Bound address, or null before listen. */
  address(): { host: string; port: number } | null;
  /** Counts for health and tests. */
  stats(): { clients: number; queued: number; running: number; stored: number; workers: number };
}

/** Receives a job's events: a WebSocket session or an HTTP request waiting for its answer. */
export interface JobSink {
  message(msg: ServerMessage): void;
  binary(chunk: Uint8Array): void;
}

type JobState = 'uploading' | 'preparing' | 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

/** A job as the bridge tracks it. */
export interface Job {
  id: string;
  owner: string;
  state: JobState;
  sink: JobSink | null;
  session: Session | null;
  submit: JobSubmit;
  frames: Map<number, Frame>;
  expected: Set<number>;
  log: Logger;
  submittedAt: number;
  startedAt?: number;
  finishedAt?: number;
  uploadTimer?: ReturnType<typeof setTimeout>;
  jobTimer?: ReturnType<typeof setTimeout>;
  run?: PoolRun;
  /** Decoded input, between preparing and running. */
  workerJob?: WorkerJob;
  /** Document position of the sent image. */
  origin: [number, number];
  cancelRequested?: boolean;
  lastProgress?: { stage: string; at: number };
  /** Terminal messages replayed on resume. */
  final?: { messages: ServerMessage[]; chunks: Uint8Array[] };
  /** The `job.plan` already sent (before pixel work); replayed on resume. */
  planMsg?: ServerMessage;
}

/** One WebSocket connection. */
export class Session implements JobSink {
  readonly id = randomBytes(6).toString('hex');
  /** Owner key of the authenticated user (jobs are scoped to it); null before `hello`. */
  owner: string | null = null;
  /** The authenticated user (`local` for the bridge token, else a per-user LAN token's name). */
  user: string | null = null;
  /** Peer address (the bridge token is only accepted from loopback when shared on a LAN). */
  remoteAddress: string | undefined;
  alive = true;
  closed = false;
  readonly jobs = new Set<string>();
  readonly assembler: FrameAssembler;
  constructor(readonly ws: WebSocket, readonly log: Logger, limits: BridgeConfig['limits']) {
    this.assembler = new FrameAssembler(limits);
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
}

const DEFAULT_CAPABILITIES = ({ workers }: { workers: WorkerStages | null }): Capabilities => ({
  device: workers?.device ?? 'cpu',
  stages: { inpaint: workers?.filler ?? false, refine: workers?.refiner ?? false },
  models: [],
  ...(workers ? { deviceReason: workers.deviceReason, reasoner: workers.reasoner } : {}),
});

/**
 * How much larger than `maxFrameBytes` a WebSocket message may be before `ws` stops reading it.
 * Messages between the two get a coded `frame_too_large` error and the socket stays open; larger
 * ones get the same coded error and then close 4009 (`ws` cannot skip an unread payload).
 */
export const OVERSIZE_READ_FACTOR = 2;
const ACTIVE: ReadonlySet<JobState> = new Set(['uploading', 'preparing', 'queued', 'running']);

/** Create the bridge (does not listen yet). */
export function createBridge(opts: CreateBridgeOptions): Bridge {
  const { config, logger } = opts;
  const limits = config.limits;
  const capabilityFn = opts.capabilities ?? DEFAULT_CAPABILITIES;
  const serverVersion = bridgeVersion();
  const jobs = new Map<string, Job>();
  // Bytes held for unfinished inputs and kept results (server/memory-budget.ts); a dropped kept
  // result is forgotten like one past its TTL.
  const budget = new MemoryBudget(limits.maxHeldBytes ?? DEFAULT_LIMITS.maxHeldBytes ?? 2 ** 30, (id) => {
    const j = jobs.get(id);
    if (j && !ACTIVE.has(j.state)) jobs.delete(id);
  });
  const queue: Job[] = [];
  const sessions = new Set<Session>();
  let policy: AccessPolicy = accessPolicy(config.host, config.port, config.allowedHosts, config.allowedOrigins);
  let closing = false;
  let bound: { host: string; port: number } | null = null;

  const pool = new WorkerPool({
    size: config.workers, logger: logger.child({ part: 'pool' }), entry: opts.workerEntry,
    workerData: { debugHooks: config.debugHooks, home: config.home, learned: config.learnedStages, llm: config.llm },
    cancelGraceMs: config.cancelGraceMs,
  });
  const capabilities = (): Capabilities => capabilityFn({ workers: pool.stages });
  pool.onIdle = () => pump();

  // ------------------------------------------------------------------ job lifecycle
  const send = (job: Job, msg: ServerMessage) => job.sink?.message(msg);

  /** End a job: `messages` and `chunks` go to its sink now and are kept (after the plan, if one was sent) for resume. */
  function finishJob(job: Job, state: 'done' | 'failed' | 'cancelled', messages: ServerMessage[], chunks: Uint8Array[] = []): void {
    if (!ACTIVE.has(job.state)) return;
    job.state = state;
    job.finishedAt = Date.now();
    clearTimeout(job.uploadTimer);
    clearTimeout(job.jobTimer);
    job.session?.assembler.drop(job.id);
    job.frames.clear();
    const qi = queue.indexOf(job);
    if (qi >= 0) { queue.splice(qi, 1); notifyPositions(); }
    job.final = { messages: job.planMsg ? [job.planMsg, ...messages] : messages, chunks };
    budget.finish(job.id, chunks.reduce((s, c) => s + c.byteLength, 0));
    for (const m of messages) send(job, m);
    for (const c of chunks) job.sink?.binary(c);
  }

  function failJob(job: Job, err: unknown): void {
    const e = err instanceof SmartDragError ? err : new SmartDragError(ErrorCode.internal, (err as Error)?.message ?? String(err));
    if (e.code === ErrorCode.internal) job.log.error({ err }, 'job failed');
    else job.log.info({ code: e.code }, 'job ended');
    if (e.code === ErrorCode.cancelled) {
      finishJob(job, 'cancelled', [{ type: 'job.cancelled', jobId: job.id }]);
      return;
    }
    finishJob(job, 'failed', [{ type: 'job.error', jobId: job.id, code: e.code, message: e.message, hint: e.hint }]);
  }

  function notifyPositions(): void {
    queue.forEach((j, i) => send(j, { type: 'job.queued', jobId: j.id, position: i }));
  }

  function activeCount(session?: Session): number {
    let n = 0;
    for (const j of jobs.values()) if (ACTIVE.has(j.state) && (!session || j.session === session)) n++;
    return n;
  }

  function pump(): void {
    let started = false;
    while (!closing && queue.length && pool.idleCount > 0) {
      const job = queue.shift()!;
      started = true;
      startJob(job);
    }
    if (started) notifyPositions();
  }

  function startJob(job: Job): void {
    const wj = job.workerJob!;
    job.workerJob = undefined;
    const [ox, oy] = job.origin;
    job.state = 'running';
    job.startedAt = Date.now();
    send(job, { type: 'job.started', jobId: job.id });
    job.log.debug('job started');
    const run = pool.run(wj, (stage, fraction) => {
      const now = Date.now();
      const lp = job.lastProgress;
      if (lp && lp.stage === stage && fraction < 1 && now - lp.at < 50) return; // throttle to ≤ 20/s per stage
      job.lastProgress = { stage, at: now };
      send(job, { type: 'job.progress', jobId: job.id, stage, fraction });
    }, (plan) => {
      // The plan comes before any pixel work: hosts show it while the edit runs.
      if (job.state !== 'running' || job.planMsg) return;
      job.planMsg = { type: 'job.plan', jobId: job.id, plan: plan as WirePlan };
      send(job, job.planMsg);
    });
    job.run = run;
    job.jobTimer = setTimeout(() => run.cancel(ErrorCode.job_timeout), limits.maxJobMs);
    run.promise.then(
      (res) => {
        if (job.state !== 'running') return;
        // A proxy preview's layer stays in proxy pixels of the sent image (job.result `proxy`).
        const left = res.layer.left + (res.proxy ? 0 : ox), top = res.layer.top + (res.proxy ? 0 : oy);
        const img = res.layer.image;
        const chunks = encodeFrame(
          { jobId: job.id, part: 'layer', slot: 0, format: 'rgba8', width: img.width, height: img.height, left, top },
          new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.byteLength), limits.maxChunkBytes,
        );
        const timings = { ...res.timings, queue: job.startedAt! - job.submittedAt, job: Date.now() - job.submittedAt };
        const plan = res.plan as WirePlan;
        job.log.debug({ timings }, 'job done');
        // Normally the plan went out before the pixel work; send it now if the worker did not report it.
        const planFirst: ServerMessage[] = job.planMsg ? [] : [{ type: 'job.plan', jobId: job.id, plan }];
        finishJob(job, 'done', [
          ...planFirst,
          { type: 'job.result', jobId: job.id, layer: { left, top, width: img.width, height: img.height }, plan, timings, frames: chunks.length, ...(res.proxy ? { proxy: res.proxy } : {}) },
        ], chunks);
      },
      (err) => failJob(job, err),
    );
  }

  async function prepareJob(job: Job): Promise<void> {
    job.state = 'preparing';
    clearTimeout(job.uploadTimer);
    try {
      const wj = await buildWorkerJob(job.submit, job.frames, limits);
      if (job.state !== 'preparing') return; // cancelled meanwhile
      // Charge the decoded input (a png upload decodes to more than it sent); refused → queue_full.
      budget.setInput(job.id, wj.image.data.byteLength + wj.regions.reduce((s, r) => s + ('mask' in r ? r.mask.data.byteLength : 0), 0));
      if (closing) throw new SmartDragError(ErrorCode.shutting_down, 'the bridge is shutting down');
      job.workerJob = wj;
      job.origin = job.submit.imageOrigin ?? [job.frames.get(0)?.left ?? 0, job.frames.get(0)?.top ?? 0];
      job.frames.clear();
      job.state = 'queued';
      queue.push(job);
      send(job, { type: 'job.accepted', jobId: job.id, position: queue.length - 1 });
      job.log.debug({ position: queue.length - 1 }, 'job accepted');
      pump();
    } catch (e) {
      failJob(job, e);
    }
  }

  /** Create a job from a validated submit; frames follow (WebSocket) or are given (HTTP). */
  function createJob(submit: JobSubmit, owner: string, sink: JobSink, session: Session | null): Job {
    const log = (session?.log ?? logger).child({ jobId: submit.jobId });
    const job: Job = {
      id: submit.jobId, owner, state: 'uploading', sink, session, submit, frames: new Map(),
      expected: new Set([0, ...expectedMaskSlots(submit)]), log, submittedAt: Date.now(), origin: [0, 0],
    };
    jobs.set(job.id, job);
    return job;
  }

  function admit(submit: JobSubmit, session: Session | null): void {
    checkSubmitLimits(submit, limits);
    if (closing) throw new SmartDragError(ErrorCode.shutting_down, 'the bridge is shutting down');
    if (session && activeCount(session) >= limits.maxQueuePerClient) {
      throw new SmartDragError(ErrorCode.queue_full, `this client already has ${limits.maxQueuePerClient} unfinished jobs`);
    }
    if (activeCount() >= limits.maxQueueTotal) {
      throw new SmartDragError(ErrorCode.queue_full, `the bridge already holds ${limits.maxQueueTotal} unfinished jobs`);
    }
  }

  // ------------------------------------------------------------------ WebSocket sessions
  function attach(job: Job, session: Session): void {
    if (job.session && job.session !== session) job.session.jobs.delete(job.id);
    job.session = session;
    job.sink = session;
    session.jobs.add(job.id);
  }

  function onSubmit(session: Session, submit: JobSubmit): void {
    const existing = jobs.get(submit.jobId);
    if (existing) {
      if (existing.owner === session.owner && existing.state !== 'uploading') { resume(session, [submit.jobId]); return; }
      session.message({ type: 'job.error', jobId: submit.jobId, code: ErrorCode.bad_message, message: 'job id already in use', hint: ERROR_HINTS.bad_message });
      return;
    }
    try {
      admit(submit, session);
    } catch (e) {
      const err = e as SmartDragError;
      session.message({ type: 'job.error', jobId: submit.jobId, code: err.code, message: err.message, hint: err.hint });
      return;
    }
    const job = createJob(submit, session.owner!, session, session);
    attach(job, session);
    job.uploadTimer = setTimeout(() => {
      failJob(job, new SmartDragError(ErrorCode.bad_message, `not all frames arrived within ${config.uploadTimeoutMs} ms`));
    }, config.uploadTimeoutMs);
  }

  function onBinary(session: Session, data: Uint8Array): void {
    let chunk;
    try {
      chunk = decodeFrameChunk(data);
    } catch (e) {
      session.error(ErrorCode.bad_message, (e as Error).message);
      return;
    }
    const job = jobs.get(chunk.jobId);
    if (!job || job.session !== session || job.state !== 'uploading') {
      session.error(ErrorCode.bad_message, `binary frame for job ${chunk.jobId}, which is not waiting for frames`, { jobId: chunk.jobId });
      return;
    }
    if ((chunk.part === 'image') !== (chunk.slot === 0) || chunk.part === 'layer' || !job.expected.has(chunk.slot)) {
      failJob(job, new SmartDragError(ErrorCode.bad_message, `unexpected ${chunk.part} frame in slot ${chunk.slot}`));
      return;
    }
    let frame;
    try {
      // A frame's first chunk says its whole size: charge it before assembling (refused → queue_full).
      if (chunk.seq === 0) budget.charge(job.id, chunk.totalBytes);
      frame = session.assembler.push(chunk);
    } catch (e) {
      failJob(job, e);
      return;
    }
    if (!frame) return;
    if (job.frames.has(frame.slot)) { failJob(job, new SmartDragError(ErrorCode.bad_message, `slot ${frame.slot} sent twice`)); return; }
    job.frames.set(frame.slot, frame);
    if (job.frames.size === job.expected.size) void prepareJob(job);
  }

  function onCancel(session: Session, jobId: string): void {
    const job = jobs.get(jobId);
    if (!job || job.owner !== session.owner) {
      session.message({ type: 'job.error', jobId, code: ErrorCode.job_not_found, message: `no job ${jobId}`, hint: ERROR_HINTS.job_not_found });
      return;
    }
    if (!ACTIVE.has(job.state)) return; // finished: its outcome was (or will be on resume) delivered
    job.cancelRequested = true;
    if (job.state === 'running') job.run?.cancel(ErrorCode.cancelled);
    else failJob(job, new SmartDragError(ErrorCode.cancelled, 'cancelled'));
  }

  function resume(session: Session, ids: string[]): void {
    for (const id of ids) {
      const job = jobs.get(id);
      if (!job || job.owner !== session.owner || job.state === 'uploading') {
        session.message({ type: 'job.error', jobId: id, code: ErrorCode.job_not_found, message: `no job ${id} to resume`, hint: ERROR_HINTS.job_not_found });
        continue;
      }
      attach(job, session);
      job.log.debug({ clientId: session.id }, 'job resumed');
      if (job.final) {
        for (const m of job.final.messages) session.message(m);
        for (const c of job.final.chunks) session.binary(c);
      } else if (job.state === 'queued') {
        session.message({ type: 'job.queued', jobId: id, position: queue.indexOf(job) });
      } else if (job.state === 'running') {
        session.message({ type: 'job.started', jobId: id });
        if (job.planMsg) session.message(job.planMsg);
      }
    }
  }

  function closeWith(session: Session, code: ErrorCode, closeCode: number, message: string, detail?: unknown): void {
    session.error(code, message, detail);
    session.ws.close(closeCode, code);
  }

  function onText(session: Session, text: string, handshake: { timer?: ReturnType<typeof setTimeout> }): void {
    if (!session.owner) {
      // Version first, leniently: a future client's hello may not match today's schema.
      let raw: unknown;
      try { raw = JSON.parse(text); } catch { /* handled below */ }
      const r0 = raw as { type?: unknown; protocol?: unknown } | undefined;
      if (r0 && r0.type === 'hello' && typeof r0.protocol === 'number' && r0.protocol !== PROTOCOL_VERSION) {
        const older = r0.protocol < PROTOCOL_VERSION ? 'plugin' : 'bridge';
        closeWith(session, ErrorCode.version_mismatch, CloseCode.versionMismatch,
          `protocol ${r0.protocol} is not supported by this bridge (protocol ${PROTOCOL_VERSION}); update the ${older}`,
          { client: r0.protocol, server: PROTOCOL_VERSION, upgrade: older });
        return;
      }
      const r = parseClientMessage(text);
      if (!r.ok || r.msg.type !== 'hello') {
        closeWith(session, r.ok ? ErrorCode.bad_message : r.code, CloseCode.badHandshake,
          r.ok ? `the first message must be hello, not ${r.msg.type}` : r.message);
        return;
      }
      const auth = authenticate(r.msg.token, config, session.remoteAddress);
      if (!auth) {
        session.log.warn({ remote: session.remoteAddress }, 'hello with a wrong token');
        closeWith(session, ErrorCode.unauthorized, CloseCode.unauthorized, 'wrong or missing token');
        return;
      }
      clearTimeout(handshake.timer);
      session.owner = auth.owner;
      session.user = auth.user;
      session.log.info({ client: r.msg.client, clientVersion: r.msg.clientVersion, user: auth.user }, 'client connected');
      session.message({
        type: 'welcome', protocol: PROTOCOL_VERSION, serverVersion, clientId: session.id,
        capabilities: capabilities(), limits: { ...limits }, heartbeatMs: config.heartbeatMs,
      });
      return;
    }
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
      case 'job.submit': onSubmit(session, msg); break;
      case 'job.cancel': onCancel(session, msg.jobId); break;
      case 'job.resume': resume(session, msg.jobIds); break;
      case 'ping': session.message({ type: 'pong', ...(msg.t !== undefined ? { t: msg.t } : {}) }); break;
      case 'pong': break;
    }
  }

  /**
   * `ws` closes a socket whose message exceeds `maxPayload` with 1009 and no word of why. Answer
   * such a message like every other oversize one — a coded `frame_too_large` error — and close
   * with 4009 `frame_too_large`, so a client always learns the code.
   */
  function guardOversize(session: Session): void {
    const ws = session.ws;
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

  function onConnection(ws: WebSocket, req: IncomingMessage): void {
    const session = new Session(ws, logger.child({ clientId: '' }), limits);
    (session as { log: Logger }).log = logger.child({ clientId: session.id });
    session.remoteAddress = req.socket.remoteAddress;
    guardOversize(session);
    sessions.add(session);
    const handshake: { timer?: ReturnType<typeof setTimeout> } = {};
    ws.on('pong', () => { session.alive = true; });
    ws.on('error', (err) => session.log.warn({ err: err.message }, 'socket error'));
    ws.on('close', () => {
      session.closed = true;
      clearTimeout(handshake.timer);
      sessions.delete(session);
      for (const id of session.jobs) {
        const job = jobs.get(id);
        if (!job || job.session !== session) continue;
        job.session = null;
        job.sink = null;
        if (job.state === 'uploading') { failJob(job, new SmartDragError(ErrorCode.cancelled, 'client left during upload')); jobs.delete(id); }
      }
      session.log.info('client disconnected');
    });
    if (closing) { closeWith(session, ErrorCode.shutting_down, CloseCode.goingAway, 'the bridge is shutting down'); return; }
    if (!hostAllowed(policy, req.headers.host)) {
      session.log.warn({ host: req.headers.host }, 'refused foreign Host');
      closeWith(session, ErrorCode.forbidden_host, CloseCode.forbiddenHost, `Host ${String(req.headers.host).slice(0, 100)} is not this bridge`);
      return;
    }
    if (!originAllowed(policy, req.headers.origin)) {
      session.log.warn({ origin: req.headers.origin }, 'refused foreign Origin');
      closeWith(session, ErrorCode.forbidden_origin, CloseCode.forbiddenOrigin, `Origin ${String(req.headers.origin).slice(0, 100)} may not use this bridge`);
      return;
    }
    handshake.timer = setTimeout(() => closeWith(session, ErrorCode.bad_message, CloseCode.badHandshake, 'no hello in time'), config.handshakeTimeoutMs);
    ws.on('message', (data: RawData, isBinary: boolean) => {
      session.alive = true;
      const size = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : (data as Buffer | ArrayBuffer).byteLength;
      if (size > limits.maxFrameBytes) {
        session.error(ErrorCode.frame_too_large, `a ${size}-byte message exceeds the ${limits.maxFrameBytes}-byte frame limit`, { bytes: size, maxFrameBytes: limits.maxFrameBytes });
        if (isBinary && session.owner) {
          // Fail the job the oversize chunk belonged to, if its header is readable.
          try {
            const buf = Buffer.isBuffer(data) ? data : Buffer.concat(data as Buffer[]);
            const c = decodeFrameChunk(new Uint8Array(buf.buffer, buf.byteOffset, Math.min(buf.byteLength, 200)));
            const job = jobs.get(c.jobId);
            if (job && job.session === session) failJob(job, new SmartDragError(ErrorCode.frame_too_large, 'a chunk of this job exceeded the frame limit'));
          } catch { /* header unreadable: the connection-level error is enough */ }
        }
        return;
      }
      try {
        if (isBinary) {
          if (!session.owner) { closeWith(session, ErrorCode.bad_message, CloseCode.badHandshake, 'binary frame before hello'); return; }
          const buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
          onBinary(session, new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
        } else {
          onText(session, data.toString(), handshake);
        }
      } catch (err) {
        session.log.error({ err }, 'unexpected error handling a message');
        session.error(ErrorCode.internal, 'the bridge failed to handle this message');
      }
    });
  }

  // ------------------------------------------------------------------ HTTP + listen
  const app = createHttpApp({
    config, logger, serverVersion, capabilities, workerInfo: () => pool.stages,
    policy: () => policy,
    stats: () => stats(),
    runHttpJob: (submit, frames, owner) => new Promise((resolve) => {
      const collected: { messages: ServerMessage[]; chunks: Uint8Array[] } = { messages: [], chunks: [] };
      const sink: JobSink = {
        message: (m) => {
          collected.messages.push(m);
          if (m.type === 'job.error' || m.type === 'job.cancelled') resolve(collected);
        },
        binary: (c) => {
          collected.chunks.push(c);
          const res = collected.messages.find((m) => m.type === 'job.result');
          if (res && res.type === 'job.result' && collected.chunks.length === res.frames) resolve(collected);
        },
      };
      try {
        admit(submit, null);
      } catch (e) {
        const err = e as SmartDragError;
        resolve({ messages: [{ type: 'job.error', jobId: submit.jobId, code: err.code, message: err.message, hint: err.hint }], chunks: [] });
        return;
      }
      if (jobs.has(submit.jobId)) {
        resolve({ messages: [{ type: 'job.error', jobId: submit.jobId, code: ErrorCode.bad_message, message: 'job id already in use', hint: ERROR_HINTS.bad_message }], chunks: [] });
        return;
      }
      const job = createJob(submit, owner, sink, null);
      for (const [slot, f] of frames) job.frames.set(slot, f);
      void prepareJob(job);
    }),
  });
  const server: Server = createServer(app);
  const wss = new WebSocketServer({ server, path: WS_PATH, maxPayload: limits.maxFrameBytes * OVERSIZE_READ_FACTOR });
  wss.on('connection', onConnection);
  wss.on('error', (err) => logger.error({ err }, 'websocket server error'));

  const heartbeat = setInterval(() => {
    for (const s of sessions) {
      if (!s.alive) { s.log.warn('heartbeat lost; dropping client'); s.ws.terminate(); continue; }
      s.alive = false;
      try { s.ws.ping(); } catch { /* closing */ }
    }
  }, config.heartbeatMs);
  heartbeat.unref();
  const sweeper = setInterval(() => {
    const now = Date.now();
    for (const [id, j] of jobs) if (j.finishedAt && now - j.finishedAt > config.resultTtlMs) { jobs.delete(id); budget.forget(id); }
  }, Math.min(30_000, config.resultTtlMs));
  sweeper.unref();

  function stats() {
    let queued = 0, running = 0, stored = 0;
    for (const j of jobs.values()) {
      if (j.state === 'queued' || j.state === 'preparing' || j.state === 'uploading') queued++;
      else if (j.state === 'running') running++;
      else stored++;
    }
    return { clients: sessions.size, queued, running, stored, workers: pool.size };
  }

  return {
    listen() {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          server.off('error', reject);
          const a = server.address() as AddressInfo;
          bound = { host: config.host, port: a.port };
          policy = accessPolicy(config.host, a.port, config.allowedHosts, config.allowedOrigins);
          const h = config.host.includes(':') ? `[${config.host}]` : config.host;
          const url = `http://${h}:${a.port}`;
          logger.info({ url, workers: pool.size }, 'bridge listening');
          resolve({ host: config.host, port: a.port, url, wsUrl: `ws://${h}:${a.port}${WS_PATH}` });
        });
      });
    },
    async close() {
      if (closing) return;
      closing = true;
      clearInterval(heartbeat);
      clearInterval(sweeper);
      for (const j of [...jobs.values()]) {
        if (j.state === 'running') j.run?.cancel(ErrorCode.shutting_down);
        else if (ACTIVE.has(j.state)) failJob(j, new SmartDragError(ErrorCode.shutting_down, 'the bridge is shutting down'));
      }
      await pool.close();
      for (const s of sessions) closeWith(s, ErrorCode.shutting_down, CloseCode.goingAway, 'the bridge is shutting down');
      await new Promise<void>((r) => setTimeout(r, 20)); // let close frames go out
      for (const s of sessions) s.ws.terminate();
      wss.close();
      await new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); });
      logger.info('bridge stopped');
    },
    address: () => bound,
    stats,
  };
}
