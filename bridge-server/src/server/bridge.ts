/**
 * The bridge: one HTTP server carrying the express app (health, plugin pages, POST /v1/edit)
 * and the WebSocket endpoint `/v1/ws`. This file only wires the parts together:
 * - `session.ts` + `handshake.ts`: WebSocket connections, hello/auth, job messages;
 * - `job-store.ts`: jobs by id, their end, finished results kept `resultTtlMs` for resume;
 * - `job-queue.ts`: admission limits and the FIFO queue;
 * - `dispatch.ts`: preparing jobs and running them on the worker pool (`worker-pool.ts`);
 * - `http-app.ts` + `http-jobs.ts`: the HTTP routes and HTTP jobs;
 * - `memory-budget.ts`: bytes held for unfinished inputs and kept results;
 * - `diagnostics.ts`: what the bridge saw from its recent clients.
 * Every failure a client can cause becomes a coded error, and the bridge keeps serving.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import sharp from 'sharp';
import type { Logger } from 'pino';
import { DEFAULT_LIMITS, ErrorCode, WS_PATH, type Capabilities } from '@smartdrag/shared';
import { bridgeVersion, type BridgeConfig } from '../config';
import { RETIRE_AFTER_BYTES, RETIRE_IDLE_MS, WorkerPool } from './worker-pool';
import type { WarmStep, WorkerMemory, WorkerStages } from './worker-protocol';
import { accessPolicy, type AccessPolicy } from './security';
import { createHttpApp } from './http-app';
import { Diagnostics, OriginNotes, type ClientRecord } from './diagnostics';
import { Dispatcher } from './dispatch';
import { runHttpJob } from './http-jobs';
import { JobQueue } from './job-queue';
import { ACTIVE, JobStore } from './job-store';
import { MemoryBudget } from './memory-budget';
import { IdleCollector, type IdleCollectorOptions } from './idle-collector';
import { DiagnosticsWriter, diagnosticsPath } from '../diagnostics/client-record';
import { OVERSIZE_READ_FACTOR, SessionHub } from './session';

export { OVERSIZE_READ_FACTOR, Session } from './session';
export type { Job, JobSink } from './job-store';

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
  /** The main thread's collection on going idle after large buffers were released (idle-collector.ts); tests shorten its waits. */
  idleCollection?: IdleCollectorOptions;
  /**
   * Retiring idle edit workers after large jobs (worker-pool.ts, "Retiring"): `idleMs` (default
   * {@link RETIRE_IDLE_MS}; 0 = never), `afterBytes` (default {@link RETIRE_AFTER_BYTES}) and
   * `warmUp` (default true: the workers the next jobs run on first run small edits, a final and a drag's previews).
   */
  workerRetire?: { idleMs?: number; afterBytes?: number; warmUp?: boolean };
}

/** Counts for health and tests. */
export interface BridgeStats {
  clients: number;
  queued: number;
  running: number;
  stored: number;
  workers: number;
  /** Images the connections keep for reuse (job.submit `keepImage`), and their bytes (charged to the memory budget). */
  heldImages: number;
  heldImageBytes: number;
  /** Full collections the main thread ran on going idle after large buffers were released (idle-collector.ts). */
  idleCollections: number;
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
  stats(): BridgeStats;
  /** What the bridge saw from its recent clients (oldest first). */
  recentClients(): ClientRecord[];
  /**
   * The main thread's memory and each edit worker's own JS memory (null: not running now;
   * `collect`: the workers collect first), how many idle workers were retired after large jobs,
   * and the warm-ups workers finished (the edits each ran); bench and tests.
   */
  memory(collect?: boolean): Promise<{ main: NodeJS.MemoryUsage; workers: Array<WorkerMemory | null>; retired: number; warmUps: Array<{ slot: number; ran: WarmStep[] }> }>;
}

const DEFAULT_CAPABILITIES = ({ workers }: { workers: WorkerStages | null }): Capabilities => ({
  device: workers?.device ?? 'cpu',
  stages: { inpaint: workers?.filler ?? false, refine: workers?.refiner ?? false },
  models: [],
  ...(workers ? { deviceReason: workers.deviceReason, reasoner: workers.reasoner } : {}),
});

/** Create the bridge (does not listen yet). */
export function createBridge(opts: CreateBridgeOptions): Bridge {
  const { config, logger } = opts;
  const limits = config.limits;
  const capabilityFn = opts.capabilities ?? DEFAULT_CAPABILITIES;
  const serverVersion = bridgeVersion();
  let policy: AccessPolicy = accessPolicy(config.host, config.port, config.allowedHosts, config.allowedOrigins);
  let closing = false;
  let bound: { host: string; port: number } | null = null;

  const pool = new WorkerPool({
    size: config.workers, logger: logger.child({ part: 'pool' }), entry: opts.workerEntry,
    workerData: { debugHooks: config.debugHooks, home: config.home, learned: config.learnedStages, llm: config.llm },
    cancelGraceMs: config.cancelGraceMs,
    retireIdleMs: opts.workerRetire?.idleMs ?? RETIRE_IDLE_MS, retireAfterBytes: opts.workerRetire?.afterBytes ?? RETIRE_AFTER_BYTES, warmUp: opts.workerRetire?.warmUp ?? true,
  });
  const capabilities = (): Capabilities => capabilityFn({ workers: pool.stages });
  const diagnostics = new Diagnostics();
  const originNotes = new OriginNotes((origin, kind, hint) => logger.warn({ origin, hint }, kind === 'token' ? 'Origin served only with a token' : 'foreign Origin refused'));
  // Bytes held for unfinished inputs and kept results (memory-budget.ts); a dropped kept result
  // is forgotten like one past its TTL.
  const memory = new MemoryBudget(limits.maxHeldBytes ?? DEFAULT_LIMITS.maxHeldBytes ?? 2 ** 30, (id) => {
    const j = store.get(id);
    if (j && !ACTIVE.has(j.state)) store.delete(id);
  });
  const store = new JobStore(config.resultTtlMs, memory);
  // The main thread's dead buffers (uploads, expired results) go once the bridge is idle. sharp
  // (PNG uploads) keeps no cache of its own: each upload is decoded once, and libvips' operation
  // cache (up to 50 MB) only held the last decodes' memory after the load was over.
  sharp.cache(false);
  const collector = new IdleCollector(() => store.activeCount() === 0, opts.idleCollection);
  memory.onReleased = (bytes) => collector.released(bytes);
  const queue = new JobQueue(store, limits);
  const dispatch = new Dispatcher(store, queue, pool, limits);
  // <home>/diagnostics.json for `smartdrag doctor` (the ring above plus the images clients sent).
  const diagFile = new DiagnosticsWriter(config.home ? diagnosticsPath(config.home) : null, serverVersion, () => diagnostics.recent());
  dispatch.onPrepare = (job) => diagFile.jobPrepared(job);
  store.onFinish = (job, messages) => {
    queue.remove(job);
    collector.jobEnded();
    const err = messages.find((m) => m.type === 'job.error');
    const res = messages.find((m) => m.type === 'job.result');
    diagnostics.jobEnded(job.clientId, job.state as 'done' | 'failed' | 'cancelled',
      err?.type === 'job.error' ? err.code : undefined, res?.type === 'job.result' ? res.timings : undefined);
  };
  pool.onIdle = () => dispatch.pump();
  const hub = new SessionHub({
    config, logger, serverVersion, store, queue, dispatch, diagnostics, originNotes, capabilities,
    policy: () => policy, closing: () => closing,
  });
  // A held image the budget dropped under pressure is forgotten by its connection (held-images.ts).
  memory.onHeldEvicted = (id) => hub.heldEvicted(id);

  const stats = (): BridgeStats => ({ clients: hub.sessions.size, ...store.counts(), workers: pool.size, heldImages: memory.heldImageCount, heldImageBytes: memory.heldImageBytes, idleCollections: collector.collections });
  const app = createHttpApp({
    config, logger, serverVersion, capabilities, workerInfo: () => pool.stages, workersDown: () => pool.unavailable?.message ?? null,
    policy: () => policy,
    stats: () => ({ ...stats() }),
    diagnostics, originNotes,
    runHttpJob: (submit, frames, owner, clientId, signal) => runHttpJob({ store, queue, dispatch, logger, closing: () => closing }, submit, frames, owner, clientId, signal),
  });
  // Slow senders cannot hold sockets: headers within the handshake time, a whole request within
  // the upload time (checked every second); an `Expect: 100-continue` upload is answered only
  // after the route checked its token and size.
  const server: Server = createServer({
    headersTimeout: Math.min(config.handshakeTimeoutMs, config.uploadTimeoutMs), requestTimeout: config.uploadTimeoutMs, connectionsCheckingInterval: 1000,
  }, app);
  server.on('checkContinue', (req, res) => app(req, res));
  // Node answers a request it cuts off (too slow, malformed, headers too large) by itself: with a
  // bare status line. The HTTP door's answers are coded JSON; these are too (same status).
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) { socket.destroy(); return; }
    const timeout = err.code === 'ERR_HTTP_REQUEST_TIMEOUT';
    const big = err.code === 'HPE_HEADER_OVERFLOW';
    const [status, text] = timeout ? [408, 'Request Timeout'] : big ? [431, 'Request Header Fields Too Large'] : [400, 'Bad Request'];
    const body = JSON.stringify({
      code: ErrorCode.bad_message,
      message: timeout ? `the request did not arrive within ${config.uploadTimeoutMs} ms (headers within ${Math.min(config.handshakeTimeoutMs, config.uploadTimeoutMs)} ms)`
        : big ? 'the request headers are too large' : 'the request is not valid HTTP',
      hint: timeout ? 'Send the whole request at once; a slow or stalled upload is cut off.' : 'Send a well-formed HTTP request (README: the HTTP door).',
    });
    socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });
  const wss = new WebSocketServer({ server, path: WS_PATH, maxPayload: limits.maxFrameBytes * OVERSIZE_READ_FACTOR });
  wss.on('connection', (ws, req) => hub.connect(ws, req));
  wss.on('error', (err) => logger.error({ err }, 'websocket server error'));

  const heartbeat = setInterval(() => hub.heartbeat(config.heartbeatMs), config.heartbeatMs);
  heartbeat.unref();
  const sweeper = setInterval(() => store.sweep(), Math.min(30_000, config.resultTtlMs));
  sweeper.unref();

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
      dispatch.closing = true;
      clearInterval(heartbeat);
      clearInterval(sweeper);
      collector.stop();
      for (const j of store.all()) if (ACTIVE.has(j.state)) dispatch.cancel(j, ErrorCode.shutting_down, 'the bridge is shutting down');
      await pool.close();
      await hub.closeAll();
      diagFile.close();
      wss.close();
      await new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); });
      logger.info('bridge stopped');
    },
    address: () => bound,
    stats,
    recentClients: () => diagnostics.recent(),
    memory: async (collect = false) => ({ main: process.memoryUsage(), workers: await pool.memory(collect), retired: pool.retiredCount, warmUps: [...pool.warmUps] }),
  };
}
