/**
 * Test DSL for the bridge: a real bridge on port 0 in a temp SMARTDRAG_HOME, a raw `ws` client
 * that queues messages for `next(...)`, and synthetic images/regions.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import {
  BridgeClient, decodeFrameChunk, encodeFrame, encodeMessage, FrameAssembler, parseServerMessage,
  type ClientMessage, type Frame, type ServerMessage, type WebSocketConstructor,
} from '@smartdrag/shared';
import { loadConfig, type LoadConfigInput } from '../../bridge-server/src/config';
import { silentLogger } from '../../bridge-server/src/log';
import { createBridge, type Bridge, type CreateBridgeOptions } from '../../bridge-server/src/server';

/** A started test bridge. */
export interface TestBridge {
  bridge: Bridge;
  token: string;
  port: number;
  url: string;
  wsUrl: string;
  home: string;
}

/**
 * Start a bridge on 127.0.0.1:0 with debug hooks on and a silent logger (`workerEntry`: another
 * edit worker entry; `idleCollection`: the main thread's idle collection, with shorter waits;
 * `workerRetire`: when idle workers are retired, with shorter waits).
 */
export async function startTestBridge(overrides: LoadConfigInput['overrides'] = {}, opts: Pick<CreateBridgeOptions, 'workerEntry' | 'idleCollection' | 'workerRetire'> = {}): Promise<TestBridge> {
  const home = mkdtempSync(join(tmpdir(), 'smartdrag-test-'));
  const config = loadConfig({
    env: { SMARTDRAG_HOME: home },
    overrides: { port: 0, logFile: null, logLevel: 'silent', debugHooks: true, workers: 1, ...overrides },
  });
  const bridge = createBridge({
    config, logger: silentLogger(), ...(opts.workerEntry ? { workerEntry: opts.workerEntry } : {}),
    ...(opts.idleCollection ? { idleCollection: opts.idleCollection } : {}), ...(opts.workerRetire ? { workerRetire: opts.workerRetire } : {}),
  });
  const a = await bridge.listen();
  return { bridge, token: config.token, port: a.port, url: a.url, wsUrl: a.wsUrl, home };
}

/** A connected client of the shared package on `tb`, as the panels use it (no reconnect, images sent every time). */
export async function connectedClient(tb: TestBridge): Promise<BridgeClient> {
  const client = new BridgeClient({ url: tb.wsUrl, token: tb.token, client: 'test', WebSocketImpl: WebSocket as unknown as WebSocketConstructor, reconnect: false, reuseImages: false });
  await client.connect();
  return client;
}

type Item = { kind: 'text'; msg: ServerMessage } | { kind: 'binary'; data: Uint8Array };

/** A raw protocol client over `ws`: send anything, await specific messages. */
export class RawClient {
  readonly ws: WebSocket;
  private readonly items: Item[] = [];
  private waiters: (() => void)[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly opened: Promise<void>;

  constructor(url: string, headers: Record<string, string> = {}) {
    this.ws = new WebSocket(url, { headers });
    this.opened = new Promise((res, rej) => { this.ws.once('open', () => res()); this.ws.once('error', rej); });
    this.closed = new Promise((res) => this.ws.once('close', (code, reason) => res({ code, reason: reason.toString() })));
    this.ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) this.items.push({ kind: 'binary', data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
      else {
        const r = parseServerMessage(data.toString());
        if (!r.ok) throw new Error(`server sent an invalid message: ${r.message}: ${data.toString().slice(0, 200)}`);
        this.items.push({ kind: 'text', msg: r.msg });
      }
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** Open and complete hello; returns the welcome. */
  static async connect(tb: TestBridge, token = tb.token): Promise<RawClient> {
    const c = new RawClient(tb.wsUrl);
    await c.opened;
    c.send({ type: 'hello', protocol: 2, client: 'test', token });
    await c.next((m) => m.type === 'welcome');
    return c;
  }

  send(msg: ClientMessage | Record<string, unknown>): void {
    this.ws.send(typeof msg === 'string' ? msg : encodeMessage(msg as ClientMessage));
  }

  sendRaw(data: string | Uint8Array): void {
    this.ws.send(data);
  }

  /** Wait for (and consume) the first text message matching `pred`; earlier non-matching ones stay queued. */
  async next<T extends ServerMessage = ServerMessage>(pred: (m: ServerMessage) => boolean, timeoutMs = 15000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.items.findIndex((it) => it.kind === 'text' && pred(it.msg));
      if (i >= 0) return (this.items.splice(i, 1)[0] as unknown as { msg: T }).msg;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; queued: ${JSON.stringify(this.texts().map((m) => m.type))}`);
      await new Promise<void>((res) => { const t = setTimeout(res, left); this.waiters.push(() => { clearTimeout(t); res(); }); });
    }
  }

  /** Wait until `count` binary chunks of `jobId` have arrived and reassemble them. */
  async layer(jobId: string, count: number, timeoutMs = 15000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const mine = this.items.filter((it) => it.kind === 'binary' && decodeFrameChunk(it.data).jobId === jobId);
      if (mine.length >= count) {
        const asm = new FrameAssembler({ maxImagePixels: 1 << 30, maxImageSidePx: 1 << 20 });
        let f: Frame | null = null;
        for (const it of mine) f = asm.push(decodeFrameChunk((it as { data: Uint8Array }).data)) ?? f;
        for (const it of mine) this.items.splice(this.items.indexOf(it), 1);
        if (!f) throw new Error('layer chunks did not complete a frame');
        return f;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timed out waiting for layer chunks');
      await new Promise<void>((res) => { const t = setTimeout(res, left); this.waiters.push(() => { clearTimeout(t); res(); }); });
    }
  }

  /** Text messages received and not yet consumed. */
  texts(): ServerMessage[] {
    return this.items.flatMap((it) => (it.kind === 'text' ? [it.msg] : []));
  }

  close(): void {
    this.ws.close();
  }
}

/** A smooth synthetic RGBA image (opaque), deterministic. */
export function gradientImage(width: number, height: number): { width: number; height: number; data: Uint8ClampedArray } {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      data[i] = (x * 255) / Math.max(1, width - 1);
      data[i + 1] = (y * 255) / Math.max(1, height - 1);
      data[i + 2] = ((x + y) * 7) & 255;
      data[i + 3] = 255;
    }
  }
  return { width, height, data };
}

/** An axis-aligned square polygon (pixel-centre vertices). */
export function squarePolygon(left: number, top: number, size: number): [number, number][] {
  return [[left, top], [left + size, top], [left + size, top + size], [left, top + size]];
}

/** A complete submit + its image frame chunks for a translate of a square. */
export function squareMoveJob(jobId: string, opts: { width?: number; height?: number; origin?: [number, number]; intent?: string; chunkBytes?: number } = {}) {
  const w = opts.width ?? 96, h = opts.height ?? 64;
  const [ox, oy] = opts.origin ?? [0, 0];
  const img = gradientImage(w, h);
  const submit = {
    type: 'job.submit' as const, jobId, quality: 'preview' as const,
    ...(opts.origin ? { imageOrigin: opts.origin } : {}),
    regions: [{ id: 'h1', polygon: squarePolygon(ox + 10, oy + 10, 16) }],
    drags: [{ region: 'h1', points: [[ox + 18, oy + 18], [ox + 58, oy + 38]] as [number, number][], kind: 'translate' as const }],
    ...(opts.intent ? { intent: opts.intent } : {}),
  };
  const chunks = encodeFrame({ jobId, part: 'image', slot: 0, format: 'rgba8', width: w, height: h, left: ox, top: oy },
    new Uint8Array(img.data.buffer), opts.chunkBytes ?? 8192);
  return { submit, chunks, img, dx: 40, dy: 20 };
}

/** Send a job (submit + its chunks). */
export function sendJob(c: RawClient, job: { submit: Record<string, unknown>; chunks: Uint8Array[] }): void {
  c.send(job.submit);
  for (const ch of job.chunks) c.sendRaw(ch);
}

/** A 48-point ellipse centred in a `width`×`height` picture, 0.4 of its width and 0.36 of its height across. */
export function centredEllipse(width: number, height: number): [number, number][] {
  const pts: [number, number][] = [];
  for (let i = 0; i < 48; i++) {
    const t = (i / 48) * 2 * Math.PI;
    pts.push([width / 2 + 0.2 * width * Math.cos(t), height / 2 + 0.18 * height * Math.sin(t)]);
  }
  return pts;
}

/** Poll `cond` every 25 ms until it holds; throws after `ms`. */
export async function until(cond: () => Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}
