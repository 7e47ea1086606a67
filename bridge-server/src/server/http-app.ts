/**
 * The bridge's express app: `GET /v1/health`, `POST /v1/edit` (JSON + base64 PNG, for scripts),
 * the Photopea plugin page at `/photopea/` and the playground at `/`. The `index.html` of both
 * gets the bridge token in place of `%SMARTDRAG_TOKEN%`, so the bridge's own pages need no
 * pairing; every route checks the Host header first (DNS rebinding).
 */
import { parseEditBody } from './json-off-thread';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import {
  decodeFrameChunk, ERROR_HINTS, ErrorCode, FrameAssembler, JobSubmitSchema, KeepSchema, PolygonSchema,
  PROTOCOL_VERSION, SmartDragError, QualitySchema, RegionIdSchema, OperationSchema, SubmitDragSchema, JobIdSchema, WS_PATH,
  type Capabilities, type Frame, type JobSubmit, type ServerMessage,
} from '@smartdrag/shared';
import type { BridgeConfig } from '../config';
import { encodePng } from '../io/image-io';
import { authenticate, classifyOrigin, hostAllowed, isLoopbackHost, isThisMachine, PHOTOPEA_ORIGINS, type AccessPolicy } from './security';
import type { Diagnostics, OriginNotes } from './diagnostics';
import { declaredLength, httpBodyLimit, readBody, UploadBudget } from './http-door';
import { base64Payload } from './data-url';
import type { WorkerStages } from './worker-protocol';

/** Placeholder in the plugin pages' index.html replaced by the token. */
export const TOKEN_PLACEHOLDER = '%SMARTDRAG_TOKEN%';

/** What the app needs from the bridge. */
export interface HttpAppDeps {
  config: BridgeConfig;
  logger: Logger;
  serverVersion: string;
  capabilities: () => Capabilities;
  /** What the edit workers reported at start (null until one is ready). */
  workerInfo?: () => WorkerStages | null;
  /** Why no edit worker can start (worker-pool.ts `unavailable`), or null. */
  workersDown?: () => string | null;
  policy: () => AccessPolicy;
  stats: () => Record<string, number>;
  runHttpJob: (submit: JobSubmit, frames: Map<number, Frame>, owner: string, clientId: string, signal?: AbortSignal) => Promise<{ messages: ServerMessage[]; chunks: Uint8Array[] }>;
  /** Records of recent clients (HTTP requests are added). */
  diagnostics?: Diagnostics;
  /** Logs each unexpected Origin once. */
  originNotes?: OriginNotes;
}

const HttpEditSchema = z.object({
  jobId: JobIdSchema.optional(),
  /** The document image (or a crop of it at `imageOrigin`) as base64 PNG. */
  image: z.object({ png: z.string().min(8) }),
  imageOrigin: z.tuple([z.number().int(), z.number().int()]).optional(),
  /** The whole document's size when `image` is a crop of it (job.submit `documentSize`). */
  documentSize: z.object({ width: z.number().int().min(1), height: z.number().int().min(1) }).optional(),
  regions: z.array(z.object({ id: RegionIdSchema, polygon: PolygonSchema })).min(1),
  /** May be empty when `intent` states the edit (protocol 2). */
  drags: z.array(SubmitDragSchema),
  keep: z.array(z.union([PolygonSchema, KeepSchema])).optional(),
  intent: z.string().optional(),
  quality: QualitySchema.default('final'),
  seed: z.number().int().min(0).max(0xffffffff).optional(),
  /** A reading a previous answer proposed for the same regions and drags (its plan's or an alternative's `operations`), carried out as given (job.submit `reading`). */
  reading: z.array(OperationSchema).min(1).max(64).optional(),
}).refine((b) => b.drags.length > 0 || !!b.intent?.trim(), { message: 'a job needs at least one drag, or an intent that states the edit', path: ['drags'] });


/**
 * Hints for a script's author where the protocol's are written for a panel's user ("update the
 * plugin").
 */
const HTTP_HINTS: Partial<Record<ErrorCode, string>> = {
  bad_message: 'Fix the request body as the message says (its format: README, "Scripts can also POST /v1/edit").',
  unauthorized: 'Send the header `Authorization: Bearer <token>` with the token `smartdrag token` prints.',
};

/** The hint an HTTP answer carries: a job's own (when it is not the generic one), else the HTTP door's, else the protocol's. */
function httpHint(code: ErrorCode, given?: string): string {
  if (given && given !== ERROR_HINTS[code]) return given;
  return HTTP_HINTS[code] ?? ERROR_HINTS[code];
}

/** The hint of an unknown path: what the bridge serves. */
const ROUTES_HINT = `The bridge serves GET /v1/health, POST /v1/edit (README, "Scripts can also POST /v1/edit"), the WebSocket ${WS_PATH}, the playground at / and the Photopea plugin page at /photopea/.`;

function httpError(res: Response, status: number, code: ErrorCode, message: string, hint?: string): void {
  res.status(status).json({ code, message, hint: httpHint(code, hint) });
}

function statusOf(code: ErrorCode): number {
  switch (code) {
    case 'unauthorized': return 401;
    case 'forbidden_host': case 'forbidden_origin': return 403;
    case 'queue_full': return 429;
    case 'image_too_large': case 'frame_too_large': return 413;
    case 'job_timeout': return 504;
    case 'intent_unclear': return 422;
    case 'shutting_down': case 'worker_crashed': return 503;
    case 'internal': return 500;
    default: return 400;
  }
}

function placeholderPage(what: string, build: string): string {
  return `<!doctype html><meta charset="utf-8"><title>SmartDrag bridge</title>
<body style="font-family:system-ui;margin:2rem;max-width:40rem">
<h1>SmartDrag bridge is running</h1>
<p>The ${what} has not been built yet. Run <code>${build}</code> in the repository, then reload this page.</p>
<p>Health: <a href="/v1/health">/v1/health</a></p></body>`;
}

/**
 * How long (ms) a connection refused while its body was arriving stays open after the answer
 * before it is closed (see {@link refuse}).
 */
export const REFUSAL_LINGER_MS = 1000;

/**
 * Send a coded refusal and close the connection afterwards: an unread body is never read on.
 * `midBody`: the refusal came while the body was being read (it passed the limit, the budget was
 * full). Closing a socket at once while the client is still sending makes the kernel answer with a
 * reset, and a reset can make the client drop the answer it had already received ("no HTTP
 * answer", seen about one run in three): then the close lingers — the answer is sent, the sending
 * side shut, nothing more is read, and the socket is closed when the client closes it or after
 * {@link REFUSAL_LINGER_MS}.
 */
function refuse(res: Response, status: number, code: ErrorCode, message: string, detail?: unknown, midBody = false): void {
  res.set('Connection', 'close');
  const sock = res.req?.socket as (Socket & { destroySoon?: () => void }) | undefined;
  if (midBody && sock && typeof sock.destroySoon === 'function') {
    sock.destroySoon = () => {
      sock.pause();
      sock.end();
      const t = setTimeout(() => sock.destroy(), REFUSAL_LINGER_MS);
      t.unref();
      sock.once('close', () => clearTimeout(t));
    };
  }
  res.status(status).json({ code, message, hint: httpHint(code), ...(detail !== undefined ? { detail } : {}) });
}

function bearerAuth(req: Request, config: BridgeConfig): { user: string; owner: string } | null {
  const header = req.headers.authorization ?? '';
  const token = header.startsWith('Bearer ') ? header.slice(7) : '';
  return authenticate(token, config, req.socket.remoteAddress);
}

/**
 * Host, then Origin, for every route — the same rule as the WebSocket upgrade (security.ts):
 * a foreign Origin gets 403 `forbidden_origin`; a real host's token-only Origin (`null`,
 * `uxp://…`) passes only with a valid bearer token; listed Origins get CORS answers (and
 * preflights), no other Origin ever does.
 */
function guard(deps: HttpAppDeps) {
  return (req: Request, res: Response, next: NextFunction) => {
    const policy = deps.policy();
    if (!hostAllowed(policy, req.headers.host)) {
      deps.logger.warn({ host: req.headers.host, path: req.path }, 'refused foreign Host');
      refuse(res, 403, ErrorCode.forbidden_host, 'this Host is not the bridge');
      return;
    }
    const origin = req.headers.origin;
    const kind = classifyOrigin(policy, origin);
    if (kind === 'foreign' || kind === 'token') deps.originNotes?.note(origin!, kind);
    if (kind === 'foreign') {
      refuse(res, 403, ErrorCode.forbidden_origin, `Origin ${origin!.slice(0, 100)} may not use this bridge`);
      return;
    }
    if (kind === 'token' && !bearerAuth(req, deps.config)) {
      if (req.method === 'POST' && req.path === '/v1/edit') refuse(res, 401, ErrorCode.unauthorized, 'missing or wrong bearer token');
      else refuse(res, 403, ErrorCode.forbidden_origin, `Origin ${origin!.slice(0, 100)} is served only with a valid token`);
      return;
    }
    if (kind === 'listed') {
      res.set('Access-Control-Allow-Origin', origin!).append('Vary', 'Origin');
      if (req.method === 'OPTIONS') {
        res.set('Access-Control-Allow-Methods', 'GET, POST').set('Access-Control-Allow-Headers', 'Authorization, Content-Type')
          .set('Access-Control-Max-Age', '600').status(204).end();
        return;
      }
    }
    next();
  };
}

function healthRoute(deps: HttpAppDeps) {
  const { config } = deps;
  return (_req: Request, res: Response) => {
    const caps = deps.capabilities();
    const down = deps.workersDown?.() ?? null;
    res.set('Cache-Control', 'no-store').json({
      ok: down === null,
      ...(down !== null ? { workerError: down } : {}),
      name: 'smartdrag-bridge',
      serverVersion: deps.serverVersion,
      protocol: PROTOCOL_VERSION,
      node: process.version,
      device: caps.device,
      ...(caps.deviceReason !== undefined ? { deviceReason: caps.deviceReason } : {}),
      stages: caps.stages,
      ...(caps.stageInfo ? { stageInfo: caps.stageInfo } : {}),
      reasoner: caps.reasoner ?? 'rules',
      models: caps.models,
      ...(deps.workerInfo?.()?.error ? { workerWarning: deps.workerInfo()!.error } : {}),
      lan: { shared: !isLoopbackHost(config.host), users: config.users.length },
      limits: config.limits,
      maxBodyBytes: httpBodyLimit(config.limits),
      workers: config.workers,
      logFile: config.logFile,
      jobs: deps.stats(),
    });
  };
}

/** Token, type and size of a `/v1/edit` request, before its body is read; then the body, parsed. Answers and returns null on refusal. */
async function readEditRequest(deps: HttpAppDeps, budget: UploadBudget, req: Request, res: Response): Promise<{ body: unknown; png: Buffer | null; owner: string } | null> {
  const max = httpBodyLimit(deps.config.limits);
  const auth = bearerAuth(req, deps.config);
  if (!auth) { refuse(res, 401, ErrorCode.unauthorized, 'missing or wrong bearer token'); return null; }
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
    refuse(res, 415, ErrorCode.bad_message, 'the body must be JSON (Content-Type: application/json)');
    return null;
  }
  const declared = declaredLength(req);
  if (declared !== null && declared > max) {
    refuse(res, 413, ErrorCode.image_too_large, `a ${declared}-byte request body exceeds the ${max}-byte limit (derived from maxImagePixels)`, { bytes: declared, maxBodyBytes: max });
    return null;
  }
  if (/100-continue/i.test(req.headers.expect ?? '')) res.writeContinue();
  let buf: Buffer;
  try {
    buf = await readBody(req, max, budget);
  } catch (e) {
    const err = e instanceof SmartDragError ? e : new SmartDragError(ErrorCode.bad_message, (e as Error).message);
    refuse(res, statusOf(err.code), err.code, err.message, err.detail, true);
    return null;
  }
  try {
    // (A large body is parsed, and its PNG decoded, off the main thread: json-off-thread.ts.)
    const parsed = await parseEditBody(buf);
    return { body: parsed.body, png: parsed.png, owner: auth.owner };
  } catch (e) {
    httpError(res, 400, ErrorCode.bad_message, `the body is not valid JSON: ${(e as Error).message.slice(0, 200)}`);
    return null;
  }
}

/**
 * A `/v1/edit` request read and checked: its submit and image frame, or null (answered). The
 * body, its base64 string and the decoded PNG bytes are this function's own: once it returns, only
 * the frame holds the PNG (and the job drops it after decoding), not the route while the job runs.
 */
async function readEdit(deps: HttpAppDeps, budget: UploadBudget, req: Request, res: Response): Promise<{ jobId: string; submit: JobSubmit; frames: Map<number, Frame>; owner: string } | null> {
  const got = await readEditRequest(deps, budget, req, res);
  if (!got) return null;
  const body = HttpEditSchema.safeParse(got.body);
  if (!body.success) {
    const i = body.error.issues[0]!;
    httpError(res, 400, ErrorCode.bad_message, `${i.path.length > 0 ? `${i.path.map(String).join('.')}: ` : ''}${i.message}`);
    return null;
  }
  const b = body.data;
  const jobId = b.jobId ?? `http-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
  const parsed = JobSubmitSchema.safeParse({
    type: 'job.submit', jobId, imageOrigin: b.imageOrigin, regions: b.regions, drags: b.drags,
    keep: b.keep?.map((k) => (Array.isArray(k) ? { polygon: k } : k)), intent: b.intent, quality: b.quality, seed: b.seed,
    ...(b.documentSize ? { documentSize: b.documentSize } : {}),
    ...(b.reading ? { reading: b.reading } : {}),
  });
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    httpError(res, 400, ErrorCode.bad_message, `${i.path.length > 0 ? `${i.path.map(String).join('.')}: ` : ''}${i.message}`);
    return null;
  }
  if (parsed.data.keep?.some((k) => k.maskSlot !== undefined)) { httpError(res, 400, ErrorCode.bad_message, 'keep masks are not supported over HTTP; use polygons'); return null; }
  const png = got.png ?? Buffer.from(base64Payload(b.image.png), 'base64');
  const [left, top] = b.imageOrigin ?? [0, 0];
  const frames = new Map<number, Frame>([[0, { jobId, part: 'image', slot: 0, format: 'png', width: 0, height: 0, left, top, data: png }]]);
  return { jobId, submit: parsed.data, frames, owner: got.owner };
}

function editRoute(deps: HttpAppDeps) {
  const budget = new UploadBudget(2 * httpBodyLimit(deps.config.limits));
  let seq = 0;
  return async (req: Request, res: Response) => {
    const clientId = `http-${(++seq).toString(36)}`;
    const rec = deps.diagnostics?.open(clientId, 'http', req.headers, req.socket.remoteAddress);
    res.on('finish', () => { if (rec && res.statusCode >= 400 && !rec.refused) rec.refused = String(res.statusCode); });
    const edit = await readEdit(deps, budget, req, res);
    if (!edit) return;
    // A client that gives up (closes the connection before the answer) cancels its job.
    const gone = new AbortController();
    res.on('close', () => { if (!res.writableEnded) gone.abort(); });
    // (runHttpJob takes the frames: the map is empty afterwards.)
    const out = await deps.runHttpJob(edit.submit, edit.frames, edit.owner, clientId, gone.signal);
    if (gone.signal.aborted) return;
    await answerJob(res, edit.jobId, out);
  };
}

/** Answer a finished HTTP job: its coded error, or the layer as base64 PNG with plan and timings. */
async function answerJob(res: Response, jobId: string, out: { messages: ServerMessage[]; chunks: Uint8Array[] }): Promise<void> {
  const err = out.messages.find((m) => m.type === 'job.error' || m.type === 'job.cancelled');
  if (err) {
    const code = err.type === 'job.error' ? err.code : ErrorCode.cancelled;
    httpError(res, statusOf(code), code, err.type === 'job.error' ? err.message : 'cancelled', err.type === 'job.error' ? err.hint : undefined);
    return;
  }
  const result = out.messages.find((m) => m.type === 'job.result');
  if (!result || result.type !== 'job.result') { httpError(res, 500, ErrorCode.internal, 'no result'); return; }
  const asm = new FrameAssembler({ maxImagePixels: Number.MAX_SAFE_INTEGER, maxImageSidePx: Number.MAX_SAFE_INTEGER });
  let frame: Frame | null = null;
  for (const c of out.chunks) frame = asm.push(decodeFrameChunk(c)) ?? frame;
  if (!frame) { httpError(res, 500, ErrorCode.internal, 'incomplete layer'); return; }
  const layerPng = await encodePng({ width: frame.width, height: frame.height, data: new Uint8ClampedArray(frame.data.buffer, frame.data.byteOffset, frame.data.byteLength) });
  res.json({ jobId, plan: result.plan, timings: result.timings, layer: { ...result.layer, png: layerPng.toString('base64') },
    ...(result.moved ? { moved: result.moved } : {}), ...(result.check !== undefined ? { check: result.check } : {}) });
}

/** Build the express app: the guard (Host, Origin, CORS) before every route. */
export function createHttpApp(deps: HttpAppDeps): express.Express {
  const { config } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.use(guard(deps));
  app.get('/v1/health', healthRoute(deps));
  app.post('/v1/edit', editRoute(deps));
  // Another method on an existing route is 405 with the one it takes, not "no such route"; the
  // socket's path without a WebSocket upgrade is 426. Their hints say what to send instead (the
  // HTTP door's generic hint is about a request body).
  app.all('/v1/edit', (_req: Request, res: Response) => { res.set('Allow', 'POST'); httpError(res, 405, ErrorCode.bad_message, '/v1/edit takes POST (a JSON edit request)', 'Send POST /v1/edit with Content-Type: application/json and a bearer token (README, "Scripts can also POST /v1/edit").'); });
  app.all('/v1/health', (_req: Request, res: Response) => { res.set('Allow', 'GET'); httpError(res, 405, ErrorCode.bad_message, '/v1/health takes GET', 'Send GET /v1/health.'); });
  app.all(WS_PATH, (_req: Request, res: Response) => {
    res.set('Upgrade', 'websocket').set('Connection', 'Upgrade');
    httpError(res, 426, ErrorCode.bad_message, `${WS_PATH} is the bridge's WebSocket: this request asked no WebSocket upgrade`,
      `Connect with a WebSocket client (BridgeClient from @smartdrag/shared, or \`smartdrag edit --server ws://<host>:<port>${WS_PATH}\`); plain HTTP scripts use POST /v1/edit.`);
  });

  const servePage = (dir: string, what: string, csp: string) => {
    const router = express.Router();
    const sendIndex = (req: Request, res: Response) => {
      res.set('Content-Security-Policy', csp).set('Cache-Control', 'no-store');
      const file = join(dir, 'index.html');
      if (!existsSync(file)) { res.type('html').send(placeholderPage(what, 'npm run build -w plugin-photopea')); return; }
      // The bridge token goes only to pages loaded on this machine: LAN peers paste their own token.
      const token = isLoopbackHost(config.host) || isThisMachine(req.socket.remoteAddress) ? config.token : '';
      res.type('html').send(readFileSync(file, 'utf8').split(TOKEN_PLACEHOLDER).join(token));
    };
    router.get(['/', '/index.html'], sendIndex);
    router.use((_req, res, next) => { res.set('Content-Security-Policy', csp); next(); });
    router.use(express.static(dir, { index: false, fallthrough: true }));
    return router;
  };
  // Photopea's "Add Plugin" file names the page's URL: this bridge's own address (the file as built
  // says port 7341, which a bridge started with --port N is not).
  app.get('/photopea/smartdrag.photopea.json', (req: Request, res: Response, next: NextFunction) => {
    const file = join(config.staticRoot, 'photopea', 'smartdrag.photopea.json');
    if (!existsSync(file)) { next(); return; }
    const entry = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    const base = `http://${req.headers.host ?? `127.0.0.1:${req.socket.localPort}`}/photopea/`;
    res.set('Cache-Control', 'no-store').json({ ...entry, url: base, icon: `${base}icon.png` });
  });
  app.use('/photopea', servePage(join(config.staticRoot, 'photopea'), 'Photopea plugin page',
    `frame-ancestors 'self' ${PHOTOPEA_ORIGINS.join(' ')}`));
  app.use('/', servePage(join(config.staticRoot, 'playground'), 'playground', "frame-ancestors 'self'"));

  app.use((req: Request, res: Response) => httpError(res, 404, ErrorCode.bad_message, `no such route: ${req.method} ${req.path.slice(0, 200)}`, ROUTES_HINT));
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const e = err as { type?: string; status?: number; message?: string };
    if (e.status && e.status < 500) { httpError(res, e.status, ErrorCode.bad_message, e.message ?? 'bad request', e.status === 404 ? ROUTES_HINT : undefined); return; }
    deps.logger.error({ err }, 'http handler failed');
    httpError(res, 500, ErrorCode.internal, 'internal error');
  });
  return app;
}
