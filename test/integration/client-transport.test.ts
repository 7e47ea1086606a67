/**
 * BridgeClient transport against a real bridge and real sockets: the connect timeout (a port
 * that accepts TCP but never answers the WebSocket upgrade) and send backpressure (a socket
 * whose network drains slowly: each chunk waits until the queue is below the limit, as UXP needs).
 */
import { createServer, type Server, type Socket } from 'node:net';
import WebSocket from 'ws';
import { BridgeClient, DEFAULT_LIMITS, imageSizeError, type WebSocketConstructor } from '@smartdrag/shared';
import { gradientImage, startTestBridge, type TestBridge } from '../helpers/bridge-harness';

const LIMITS = { maxChunkBytes: 16384, maxFrameBytes: 16384 + 4096, maxImagePixels: 400_000, maxRegions: 4, maxDrags: 4, maxPoints: 64, maxQueuePerClient: 3 };
let tb: TestBridge;
beforeAll(async () => { tb = await startTestBridge({ limits: LIMITS }); });
afterAll(async () => { await tb?.bridge.close(); });

test('connect() gives up after connectTimeoutMs when the port accepts but never answers (code unreachable, with a hint)', async () => {
  const sockets: Socket[] = [];
  const silent: Server = createServer((s) => { sockets.push(s); });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const port = (silent.address() as { port: number }).port;
  try {
    const c = new BridgeClient({ url: `ws://127.0.0.1:${port}/v1/ws`, token: 'x'.repeat(32), client: 'test', WebSocketImpl: WebSocket as unknown as WebSocketConstructor, reconnect: false, connectTimeoutMs: 300 });
    const t0 = Date.now();
    const err = await c.connect().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'unreachable', message: expect.stringMatching(/no answer .* within/), hint: expect.stringMatching(/smartdrag serve/) });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(c.status).toBe('error');
    expect(sockets.length).toBe(1);
    c.close();
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => silent.close(() => r()));
  }
});

/**
 * A `ws` socket class whose bufferedAmount also counts a virtual slow link (16 KiB drained per
 * 4 ms); each binary send logs how much was queued before it into `sendLog`.
 */
function slowLinkSocket(sendLog: number[]): WebSocketConstructor {
  class SlowLinkSocket extends WebSocket {
    private virtual = 0;
    private last = Date.now();
    drain(): void {
      const now = Date.now();
      this.virtual = Math.max(0, this.virtual - ((now - this.last) / 4) * 16384);
      this.last = now;
    }
    queued(): number { this.drain(); return this.virtual; }
    override send(data: any, ...rest: any[]): void {
      this.drain();
      if (typeof data !== 'string') { sendLog.push(this.virtual); this.virtual += data.byteLength; }
      (super.send as (...a: unknown[]) => void)(data, ...rest);
    }
  }
  const realBuffered = Object.getOwnPropertyDescriptor(WebSocket.prototype, 'bufferedAmount')!.get!;
  Object.defineProperty(SlowLinkSocket.prototype, 'bufferedAmount', {
    get(this: SlowLinkSocket) { return (realBuffered.call(this) as number) + this.queued(); },
  });
  return SlowLinkSocket as unknown as WebSocketConstructor;
}

test('send backpressure: with a slow network no chunk is sent while more than maxBufferedBytes are queued; the edit still completes', async () => {
  const sendLog: number[] = [];
  const SlowLinkSocket = slowLinkSocket(sendLog);
  const c = new BridgeClient({ url: tb.wsUrl, token: tb.token, client: 'test', WebSocketImpl: SlowLinkSocket, maxBufferedBytes: 32768 });
  await c.connect();
  const img = gradientImage(400, 300); // 480 000 bytes → 30 chunks of 16 KiB
  const mask = { left: 10, top: 10, width: 17, height: 17, data: new Uint8Array(17 * 17).fill(255) };
  const job = c.submit({ image: img, quality: 'preview', regions: [{ id: 'h1', mask }], drags: [{ region: 'h1', points: [[18, 18], [58, 38]], kind: 'translate' }] });
  const r = await job.result;
  expect(r.layer.width * r.layer.height).toBeGreaterThan(0);
  expect(r.plan.operations[0]!.kind).toBe('translate');
  expect(sendLog.length).toBeGreaterThanOrEqual(31);
  // Every binary frame was sent with at most maxBufferedBytes queued (a fire-hose send would queue ~480 KB).
  expect(Math.max(...sendLog)).toBeLessThanOrEqual(32768);
  c.close();
});

test('in a hidden page the upload waits for the slow link without timers (a background tab runs chained timers at most once a second: one chunk a second); backpressure still holds', async () => {
  // Timers the client sets while uploading (set from its chunk loop): counted, then run as usual.
  const realSetTimeout = global.setTimeout;
  let uploadTimers = 0;
  (global as unknown as { setTimeout: unknown }).setTimeout = ((fn: (...a: unknown[]) => void, ms?: number, ...rest: unknown[]) => {
    if (new Error().stack?.includes('sendJobChunks')) uploadTimers++;
    return realSetTimeout(fn, ms, ...rest);
  }) as typeof setTimeout;
  const g = globalThis as { document?: { visibilityState: string } };
  const upload = async (visibility: 'visible' | 'hidden'): Promise<{ timers: number; sends: number; maxQueued: number }> => {
    const sendLog: number[] = [];
    g.document = { visibilityState: visibility };
    uploadTimers = 0;
    const c = new BridgeClient({ url: tb.wsUrl, token: tb.token, client: 'test', WebSocketImpl: slowLinkSocket(sendLog), maxBufferedBytes: 32768 });
    try {
      await c.connect();
      const mask = { left: 10, top: 10, width: 17, height: 17, data: new Uint8Array(17 * 17).fill(255) };
      const job = c.submit({ image: gradientImage(400, 300), quality: 'preview', regions: [{ id: 'h1', mask }], drags: [{ region: 'h1', points: [[18, 18], [58, 38]], kind: 'translate' }] });
      expect((await job.result).plan.operations[0]!.kind).toBe('translate');
      return { timers: uploadTimers, sends: sendLog.length, maxQueued: Math.max(...sendLog) };
    } finally {
      c.close();
    }
  };
  try {
    const visible = await upload('visible');
    const hidden = await upload('hidden');
    // Visible: the client waits on short timers while the link drains; hidden: on none.
    expect(visible.timers).toBeGreaterThan(5);
    expect(hidden.timers).toBe(0);
    for (const r of [visible, hidden]) {
      expect(r.sends).toBeGreaterThanOrEqual(31);
      expect(r.maxQueued).toBeLessThanOrEqual(32768);
    }
  } finally {
    global.setTimeout = realSetTimeout;
    delete g.document;
  }
});

test('an image over the limits the bridge announced is refused by the client before anything is sent; the side limit says it is fixed', async () => {
  const c = new BridgeClient({ url: tb.wsUrl, token: tb.token, client: 'test', WebSocketImpl: WebSocket as unknown as WebSocketConstructor });
  await c.connect();
  let sentBinary = 0;
  const ws = (c as unknown as { ws: WebSocket }).ws;
  const send = ws.send.bind(ws);
  (ws as unknown as { send: (d: unknown, ...r: unknown[]) => void }).send = (d: unknown, ...r: unknown[]) => { if (typeof d !== 'string') sentBinary++; (send as (...a: unknown[]) => void)(d, ...r); };
  const before = tb.bridge.stats().stored;
  const job = c.submit({ image: gradientImage(800, 600), quality: 'preview', regions: [{ id: 'r', polygon: [[10, 10], [60, 10], [60, 60]] }], drags: [{ region: 'r', points: [[30, 30], [40, 40]] }] });
  // 480 000 pixels against the bridge's 400 000: the pixel limit, whose hint names the bridge option.
  await expect(job.result).rejects.toMatchObject({ code: 'image_too_large', message: expect.stringMatching(/800x600 exceeds the limit of 400000 pixels/), hint: expect.stringMatching(/--max-megapixels/) });
  expect(sentBinary).toBe(0);
  expect(tb.bridge.stats().stored).toBe(before);
  // The client goes on: a job that fits gets its result.
  const ok = c.submit({ image: gradientImage(200, 150), quality: 'preview', regions: [{ id: 'r', polygon: [[10, 10], [60, 10], [60, 60]] }], drags: [{ region: 'r', points: [[30, 30], [40, 40]] }] });
  expect((await ok.result).layer.width).toBeGreaterThan(0);
  c.close();
  // A side over the side limit cannot be lifted by an option: its hint says so.
  const side = imageSizeError(30000, 1000, DEFAULT_LIMITS);
  expect(side).toMatchObject({ code: 'image_too_large', hint: expect.stringMatching(/at most 16384 px \(a fixed limit/) });
  expect(side!.hint).not.toMatch(/--max-megapixels/);
  expect(imageSizeError(8000, 8000, DEFAULT_LIMITS)).toBeNull();
});

test('onUpload tells how much of a multi-chunk upload has left, rising to 1 before the bridge answers', async () => {
  const c = new BridgeClient({ url: tb.wsUrl, token: tb.token, client: 'test', WebSocketImpl: WebSocket as unknown as WebSocketConstructor, reuseImages: false });
  await c.connect();
  const events: Array<[string, number]> = [];
  const job = c.submit({ image: gradientImage(400, 300), quality: 'preview', regions: [{ id: 'r', polygon: [[10, 10], [60, 10], [60, 60]] }], drags: [{ region: 'r', points: [[30, 30], [40, 40]] }] },
    { onUpload: (f) => events.push(['upload', f]), onQueued: (p) => events.push(['queued', p]), onProgress: (_s, f) => events.push(['progress', f]) });
  await job.result;
  const ups = events.filter(([k]) => k === 'upload').map(([, f]) => f);
  expect(ups.length).toBeGreaterThanOrEqual(2); // 30 chunks of 16 KiB
  for (let i = 1; i < ups.length; i++) expect(ups[i]!).toBeGreaterThan(ups[i - 1]!);
  expect(ups[ups.length - 1]).toBe(1);
  // All of it left before the bridge had it all: the first answer comes after the last upload report.
  const lastUpload = events.map(([k]) => k).lastIndexOf('upload');
  expect(events.slice(0, lastUpload).some(([k]) => k === 'progress')).toBe(false);
  // One chunk: no upload reports.
  const small: number[] = [];
  await c.submit({ image: gradientImage(40, 30), quality: 'preview', regions: [{ id: 'r', polygon: [[5, 5], [20, 5], [20, 20]] }], drags: [{ region: 'r', points: [[10, 10], [14, 14]] }] }, { onUpload: (f) => small.push(f) }).result;
  expect(small).toEqual([]);
  c.close();
});
