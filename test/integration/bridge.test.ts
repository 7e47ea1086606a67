/**
 * The bridge end to end: a real bridge on port 0 (one worker), real `ws` clients and the real
 * BridgeClient. One bridge for the whole file (worker start-up compiles the core).
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { BridgeClient, BridgeError, boundsOfPoints, type JobResult, type Point, type WebSocketConstructor, type WirePlan } from '@smartdrag/shared';
import type { Plan } from '../../bridge-server/src/core/types';
import { RawClient, sendJob, squareMoveJob, squarePolygon, gradientImage, startTestBridge, type TestBridge } from '../helpers/bridge-harness';

const LIMITS = { maxChunkBytes: 16384, maxFrameBytes: 16384 + 4096, maxImagePixels: 100_000, maxRegions: 4, maxDrags: 4, maxPoints: 64, maxQueuePerClient: 3 };
let tb: TestBridge;

beforeAll(async () => {
  tb = await startTestBridge({ limits: LIMITS });
});
afterAll(async () => {
  await tb?.bridge.close();
});

/** The translated square really moved: layer pixel at target = original pixel at source, in document pixels. */
function expectMovedSquare(layer: { left: number; top: number; width: number; height: number; data: Uint8Array | Uint8ClampedArray },
  img: { width: number; data: Uint8ClampedArray }, origin: [number, number], dx: number, dy: number): void {
  let opaque = 0;
  for (let i = 3; i < layer.data.length; i += 4) if (layer.data[i]! > 0) opaque++;
  expect(opaque).toBeGreaterThan(16 * 16 * 0.8);
  for (const [sx, sy] of [[14, 14], [20, 22], [24, 12]] as const) { // image-local interior points of the square
    const docX = origin[0] + sx + dx, docY = origin[1] + sy + dy;
    const li = ((docY - layer.top) * layer.width + (docX - layer.left)) * 4;
    const si = (sy * img.width + sx) * 4;
    expect(layer.data[li + 3]).toBe(255);
    for (let c = 0; c < 3; c++) expect(Math.abs(layer.data[li + c]! - img.data[si + c]!)).toBeLessThanOrEqual(2);
  }
}

describe('handshake and access', () => {
  it('serves /v1/health with protocol, device and limits, and refuses a foreign Host', async () => {
    const res = await fetch(`${tb.url}/v1/health`);
    expect(res.status).toBe(200);
    const h = await res.json() as Record<string, unknown>;
    expect(h).toMatchObject({ ok: true, protocol: 2, device: 'cpu', limits: expect.objectContaining({ maxRegions: 4 }) });
    expect(JSON.stringify(h)).not.toContain(tb.token);
    const http = await import('node:http');
    const status = await new Promise<{ code: number; body: string }>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: tb.port, path: '/v1/health', headers: { host: 'evil.example:80' } }, (r) => {
        let body = '';
        r.on('data', (d) => (body += d));
        r.on('end', () => resolve({ code: r.statusCode!, body }));
      }).on('error', reject);
    });
    expect(status.code).toBe(403);
    expect(JSON.parse(status.body).code).toBe('forbidden_host');
  });

  it('pages: without a build, a placeholder that says how to build; with one, the page with the token injected', async () => {
    const csp = "frame-ancestors 'self' https://www.photopea.com https://photopea.com";
    const empty = mkdtempSync(join(tmpdir(), 'sd-pages-empty-'));
    const built = mkdtempSync(join(tmpdir(), 'sd-pages-built-'));
    mkdirSync(join(built, 'photopea'));
    writeFileSync(join(built, 'photopea', 'index.html'), '<!doctype html><script>window.TOKEN = "%SMARTDRAG_TOKEN%";</script>');
    writeFileSync(join(built, 'photopea', 'smartdrag.photopea.json'), readFileSync(join(__dirname, '..', '..', 'plugin-photopea', 'static', 'photopea', 'smartdrag.photopea.json')));
    for (const [root, check] of [
      [empty, (html: string, token: string) => { expect(html).toContain('has not been built yet'); expect(html).toContain('npm run build -w plugin-photopea'); expect(html).not.toContain(token); }],
      [built, (html: string, token: string) => { expect(html).toBe(`<!doctype html><script>window.TOKEN = "${token}";</script>`); }],
    ] as const) {
      const b = await startTestBridge({ staticRoot: root });
      try {
        const res = await fetch(`${b.url}/photopea/`);
        expect(res.status).toBe(200);
        expect(res.headers.get('content-security-policy')).toBe(csp);
        check(await res.text(), b.token);
        if (root === built) {
          // Photopea's Add Plugin file names this bridge's own port (the built file says 7341).
          const j = await fetch(`${b.url}/photopea/smartdrag.photopea.json`);
          expect(j.status).toBe(200);
          expect(await j.json()).toEqual({ name: 'SmartDrag', url: `http://127.0.0.1:${b.port}/photopea/`, icon: `http://127.0.0.1:${b.port}/photopea/icon.png`, width: 380, height: 760 });
        }
      } finally {
        await b.bridge.close();
      }
    }
  });

  it('wrong token: unauthorized error, then close 4001', async () => {
    const c = new RawClient(tb.wsUrl);
    await c.opened;
    c.send({ type: 'hello', protocol: 2, client: 'test', token: 'not-the-token-at-all' });
    const e = await c.next((m) => m.type === 'error');
    expect(e).toMatchObject({ code: 'unauthorized', hint: expect.any(String) });
    expect((await c.closed).code).toBe(4001);
  });

  it('missing token: bad_message, close 4005', async () => {
    const c = new RawClient(tb.wsUrl);
    await c.opened;
    c.send({ type: 'hello', protocol: 2, client: 'test' });
    expect(await c.next((m) => m.type === 'error')).toMatchObject({ code: 'bad_message' });
    expect((await c.closed).code).toBe(4005);
  });

  it('wrong protocol version: version_mismatch naming the side to update, close 4002', async () => {
    const c = new RawClient(tb.wsUrl);
    await c.opened;
    c.send({ type: 'hello', protocol: 3, client: 'test', token: tb.token, somethingNew: true });
    const e = await c.next((m) => m.type === 'error');
    expect(e).toMatchObject({ code: 'version_mismatch', detail: { client: 3, server: 2, upgrade: 'bridge' } });
    expect((await c.closed).code).toBe(4002);
  });

  it('a message before hello: bad_message, close 4005', async () => {
    const c = new RawClient(tb.wsUrl);
    await c.opened;
    c.send({ type: 'ping' });
    expect(await c.next((m) => m.type === 'error')).toMatchObject({ code: 'bad_message' });
    expect((await c.closed).code).toBe(4005);
  });

  it('foreign Origin: forbidden_origin, close 4003; the bridge own origin and Photopea are allowed', async () => {
    const bad = new RawClient(tb.wsUrl, { Origin: 'https://evil.example' });
    expect(await bad.next((m) => m.type === 'error')).toMatchObject({ code: 'forbidden_origin' });
    expect((await bad.closed).code).toBe(4003);
    for (const origin of [`http://127.0.0.1:${tb.port}`, 'https://www.photopea.com']) {
      const ok = new RawClient(tb.wsUrl, { Origin: origin });
      await ok.opened;
      ok.send({ type: 'hello', protocol: 2, client: 'photopea', token: tb.token });
      expect((await ok.next((m) => m.type === 'welcome')).type).toBe('welcome');
      ok.close();
    }
  });

  it('foreign Host on the socket: forbidden_host, close 4004', async () => {
    const c = new RawClient(tb.wsUrl, { Host: `attacker.example:${tb.port}` });
    expect(await c.next((m) => m.type === 'error')).toMatchObject({ code: 'forbidden_host' });
    expect((await c.closed).code).toBe(4004);
  });
});

describe('jobs over the raw protocol', () => {
  it('streams accepted, started, progress, plan, result + a binary layer placed in document pixels', async () => {
    const c = await RawClient.connect(tb);
    const origin: [number, number] = [300, 120];
    const job = squareMoveJob('edit-1', { origin, chunkBytes: 5000 });
    expect(job.chunks.length).toBeGreaterThan(1);
    sendJob(c, job);
    expect(await c.next((m) => m.type === 'job.accepted')).toMatchObject({ jobId: 'edit-1', position: 0 });
    await c.next((m) => m.type === 'job.started');
    const progress = await c.next((m) => m.type === 'job.progress');
    expect(progress).toMatchObject({ jobId: 'edit-1', stage: expect.any(String) });
    const plan = await c.next((m) => m.type === 'job.plan');
    expect(plan).toMatchObject({ plan: { operations: [expect.objectContaining({ kind: 'translate', region: 'h1' })] } });
    const result = await c.next<JobResult>((m) => m.type === 'job.result');
    expect(result.timings.total).toBeGreaterThan(0);
    expect(result.layer.left).toBeGreaterThanOrEqual(origin[0]);
    expect(result.layer.top).toBeGreaterThanOrEqual(origin[1]);
    const f = await c.layer('edit-1', result.frames);
    expect(f).toMatchObject({ part: 'layer', format: 'rgba8', width: result.layer.width, height: result.layer.height, left: result.layer.left, top: result.layer.top });
    expectMovedSquare({ ...result.layer, data: f.data }, job.img, origin, job.dx, job.dy);
    c.close();
  });

  it('cancels a queued job and a running job; the next job still runs', async () => {
    const c = await RawClient.connect(tb);
    sendJob(c, squareMoveJob('run-1', { intent: '__hook:sleep__' }));
    await c.next((m) => m.type === 'job.started' && m.jobId === 'run-1');
    sendJob(c, squareMoveJob('queued-1'));
    expect(await c.next((m) => m.type === 'job.accepted' && m.jobId === 'queued-1')).toMatchObject({ position: 0 });
    c.send({ type: 'job.cancel', jobId: 'queued-1' });
    await c.next((m) => m.type === 'job.cancelled' && m.jobId === 'queued-1');
    c.send({ type: 'job.cancel', jobId: 'run-1' });
    await c.next((m) => m.type === 'job.cancelled' && m.jobId === 'run-1');
    expect(c.texts().some((m) => m.type === 'job.result')).toBe(false);
    sendJob(c, squareMoveJob('after-cancel'));
    const r = await c.next<JobResult>((m) => m.type === 'job.result' && m.jobId === 'after-cancel');
    await c.layer('after-cancel', r.frames);
    c.send({ type: 'job.cancel', jobId: 'never-was' });
    expect(await c.next((m) => m.type === 'job.error')).toMatchObject({ jobId: 'never-was', code: 'job_not_found' });
    c.close();
  });

  it('reports queue positions and refuses past the per-client limit with queue_full', async () => {
    const c = await RawClient.connect(tb);
    sendJob(c, squareMoveJob('q-a', { intent: '__hook:nap__' }));
    sendJob(c, squareMoveJob('q-b', { intent: '__hook:nap__' }));
    sendJob(c, squareMoveJob('q-c', { intent: '__hook:nap__' }));
    sendJob(c, squareMoveJob('q-d'));
    expect(await c.next((m) => m.type === 'job.error' && m.jobId === 'q-d')).toMatchObject({ code: 'queue_full', hint: expect.any(String) });
    expect(await c.next((m) => m.type === 'job.accepted' && m.jobId === 'q-c')).toMatchObject({ position: expect.any(Number) });
    // q-c moves up as q-a and q-b start: it sees position 0 before it starts.
    await c.next((m) => m.type === 'job.queued' && m.jobId === 'q-c' && m.position === 0);
    for (const id of ['q-a', 'q-b', 'q-c']) await c.next((m) => m.type === 'job.result' && m.jobId === id, 20000);
    c.close();
  });

  it('a client that disconnects mid-job collects the finished result after reconnecting', async () => {
    const a = await RawClient.connect(tb);
    const job = squareMoveJob('resume-1', { intent: '__hook:nap__' });
    sendJob(a, job);
    await a.next((m) => m.type === 'job.accepted');
    a.ws.terminate();
    await a.closed;
    await new Promise((r) => setTimeout(r, 900)); // the job finishes while nobody listens
    const b = await RawClient.connect(tb);
    b.send({ type: 'job.resume', jobIds: ['resume-1', 'unknown-1'] });
    expect(await b.next((m) => m.type === 'job.error')).toMatchObject({ jobId: 'unknown-1', code: 'job_not_found' });
    const r = await b.next<JobResult>((m) => m.type === 'job.result' && m.jobId === 'resume-1');
    const f = await b.layer('resume-1', r.frames);
    expectMovedSquare({ ...r.layer, data: f.data }, job.img, [0, 0], job.dx, job.dy);
    b.close();
  });
});

describe('bad input gets a coded error and the bridge keeps serving', () => {
  let c: RawClient;
  beforeAll(async () => { c = await RawClient.connect(tb); });
  afterAll(() => c.close());

  it.each<[string, string | Record<string, unknown>, string]>([
    ['malformed JSON', '{"type": "job.submit",', 'bad_message'],
    ['unknown message type', { type: 'job.explode', jobId: 'x' }, 'unsupported_message'],
    ['schema violation', { type: 'job.cancel', jobId: 'has space' }, 'bad_message'],
    ['second hello', { type: 'hello', protocol: 2, client: 'test', token: 'x' }, 'bad_message'],
  ])('%s -> %s', async (_n, msg, code) => {
    c.sendRaw(typeof msg === 'string' ? msg : JSON.stringify(msg));
    expect(await c.next((m) => m.type === 'error')).toMatchObject({ code });
    c.send({ type: 'ping', t: 42 });
    expect(await c.next((m) => m.type === 'pong')).toMatchObject({ t: 42 });
  });

  it('oversize frame -> frame_too_large; garbage binary and stray frames -> bad_message', async () => {
    c.sendRaw(new Uint8Array(30000));
    expect(await c.next((m) => m.type === 'error')).toMatchObject({ code: 'frame_too_large' });
    c.sendRaw(new Uint8Array([1, 2, 3, 4, 5]));
    expect(await c.next((m) => m.type === 'error')).toMatchObject({ code: 'bad_message' });
    const stray = squareMoveJob('stray-1');
    c.sendRaw(stray.chunks[0]!);
    expect(await c.next((m) => m.type === 'error')).toMatchObject({ code: 'bad_message', detail: { jobId: 'stray-1' } });
  });

  it('image over the pixel limit -> image_too_large', async () => {
    sendJob(c, squareMoveJob('big-1', { width: 400, height: 300 }));
    expect(await c.next((m) => m.type === 'job.error' && m.jobId === 'big-1')).toMatchObject({ code: 'image_too_large' });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['too many regions', { regions: [1, 2, 3, 4, 5].map((i) => ({ id: `r${i}`, polygon: squarePolygon(i, i, 4) })), drags: [{ region: 'r1', points: [[1, 1], [5, 5]] }] }, 'too_many_regions'],
    ['too many drags', { drags: [1, 2, 3, 4, 5].map(() => ({ region: 'h1', points: [[1, 1], [5, 5]] })) }, 'too_many_drags'],
    ['too many points', { drags: [{ region: 'h1', points: Array.from({ length: 65 }, (_, i) => [i, i]) }] }, 'too_many_points'],
    ['region outside the image', { regions: [{ id: 'h1', polygon: squarePolygon(5000, 5000, 10) }] }, 'bad_message'],
  ])('%s -> %s', async (_n, over, code) => {
    const job = squareMoveJob(`lim-${code}`);
    sendJob(c, { submit: { ...job.submit, ...over }, chunks: job.chunks });
    expect(await c.next((m) => m.type === 'job.error' && m.jobId === `lim-${code}`)).toMatchObject({ code });
  });

  it('after all that, the same client and a new one still get edits done', async () => {
    const job = squareMoveJob('still-ok');
    sendJob(c, job);
    const r = await c.next<JobResult>((m) => m.type === 'job.result' && m.jobId === 'still-ok');
    await c.layer('still-ok', r.frames);
    const fresh = await RawClient.connect(tb);
    sendJob(fresh, squareMoveJob('fresh-ok'));
    await fresh.next((m) => m.type === 'job.result' && m.jobId === 'fresh-ok');
    fresh.close();
  });
});

describe('BridgeClient', () => {
  const WS = WebSocket as unknown as WebSocketConstructor;

  it('connect() rejects with coded BridgeErrors: unreachable, unauthorized', async () => {
    const nobody = new BridgeClient({ url: 'ws://127.0.0.1:9/v1/ws', token: 'x', client: 'test', WebSocketImpl: WS, reconnect: false });
    await expect(nobody.connect()).rejects.toMatchObject({ code: 'unreachable' });
    const wrong = new BridgeClient({ url: tb.wsUrl, token: 'wrong-token-wrong-token', client: 'test', WebSocketImpl: WS });
    const states: string[] = [];
    wrong.onStatus((s) => states.push(s.state));
    const err = await wrong.connect().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BridgeError);
    expect(err).toMatchObject({ code: 'unauthorized', hint: expect.any(String) });
    expect(states).toEqual(['connecting', 'error']);
  });

  it('submits, reports queue/plan/progress and resolves the layer; document coordinates honoured', async () => {
    const c = new BridgeClient({ url: tb.wsUrl, token: tb.token, client: 'test', WebSocketImpl: WS });
    const w = await c.connect();
    expect(w).toMatchObject({ protocol: 2, capabilities: { device: 'cpu' } });
    const img = gradientImage(96, 64);
    const origin: [number, number] = [-20, 40];
    const seen: string[] = [];
    const job = c.submit({
      image: img, imageOrigin: origin, quality: 'preview',
      regions: [{ id: 'h1', mask: (() => { const d = new Uint8Array(17 * 17).fill(255); return { left: origin[0] + 10, top: origin[1] + 10, width: 17, height: 17, data: d }; })() }],
      drags: [{ region: 'h1', points: [[origin[0] + 18, origin[1] + 18], [origin[0] + 58, origin[1] + 38]], kind: 'translate' }],
    }, { onQueued: (p) => seen.push(`queued:${p}`), onPlan: () => seen.push('plan'), onProgress: (s) => seen.push(`progress:${s}`) });
    const plan: WirePlan = await job.plan;
    const corePlan: Plan = plan as Plan; // the wire plan carries the core's Plan shape
    expect(corePlan.operations[0]!.kind).toBe('translate');
    const r = await job.result;
    expect(seen[0]).toBe('queued:0');
    expect(seen).toContain('plan');
    expect(seen.some((s) => s.startsWith('progress:'))).toBe(true);
    expect(r.layer.data).toBeInstanceOf(Uint8ClampedArray);
    expectMovedSquare(r.layer, img, origin, 40, 20);
    c.close();
  });

  it('text alone (protocol 2): no drag, the intent states the move; an unclear intent gets intent_unclear', async () => {
    const c = new BridgeClient({ url: tb.wsUrl, token: tb.token, client: 'test', WebSocketImpl: WS });
    await c.connect();
    const img = gradientImage(96, 64);
    const job = c.submit({ image: img, quality: 'preview', intent: 'move it 40 px right and 20 px down', regions: [{ id: 'h1', polygon: squarePolygon(10, 10, 16) }], drags: [] });
    const plan = await job.plan;
    expect(plan).toMatchObject({ reasoner: 'rules', operations: [expect.objectContaining({ kind: 'translate', source: 'intent', params: { kind: 'translate', dx: 40, dy: 20 } })] });
    expectMovedSquare((await job.result).layer, img, [0, 0], 40, 20);
    const vague = c.submit({ image: img, quality: 'preview', intent: 'move it', regions: [{ id: 'h1', polygon: squarePolygon(10, 10, 16) }], drags: [] });
    await expect(vague.result).rejects.toMatchObject({ code: 'intent_unclear', message: expect.stringMatching(/Which way/) });
    // Neither a drag nor an intent: refused before any work.
    const empty = c.submit({ image: img, quality: 'preview', regions: [{ id: 'h1', polygon: squarePolygon(10, 10, 16) }], drags: [] });
    await expect(empty.result).rejects.toMatchObject({ code: 'bad_message' });
    c.close();
  });

  it('a wrong bridge URL is said as such: a path that answers but is not the socket, a malformed URL (not "nothing answers … start the bridge")', async () => {
    const attempt = async (url: string) => {
      const c = new BridgeClient({ url, token: tb.token, client: 'test', WebSocketImpl: WS, reconnect: false });
      try { await c.connect(); return null; } catch (e) { return e as BridgeError; } finally { c.close(); }
    };
    const wrongPath = await attempt(tb.wsUrl.replace('/v1/ws', '/nope'));
    expect(wrongPath).toMatchObject({ code: 'unreachable', message: expect.stringMatching(/answered HTTP \d{3}, not with the bridge's socket/), hint: expect.stringContaining('/v1/ws') });
    const malformed = await attempt('not a url');
    expect(malformed).toMatchObject({ code: 'unreachable', hint: expect.stringContaining('Check the bridge URL') });
  });

  it('cancel() rejects the job with cancelled', async () => {
    const c = new BridgeClient({ url: tb.wsUrl, token: tb.token, client: 'test', WebSocketImpl: WS });
    await c.connect();
    const img = gradientImage(96, 64);
    const job = c.submit({ image: img, quality: 'preview', intent: '__hook:sleep__', regions: [{ id: 'h1', polygon: squarePolygon(10, 10, 16) }], drags: [{ region: 'h1', points: [[18, 18], [30, 30]] }] },
      { onProgress: () => job.cancel() });
    await expect(job.result).rejects.toMatchObject({ code: 'cancelled' });
    c.close();
  });

  it('cancel() while the result is on its way (the bridge has finished): the job ends cancelled, the layer is not delivered', async () => {
    // A socket that lets the test act right after `job.result` reached the client, before its
    // layer frames: the moment a user's Cancel lands while the bridge sends the result.
    let onResultMessage: (() => void) | null = null;
    let cancelledAt: 'result' | 'frames' | null = null;
    const handler = Object.getOwnPropertyDescriptor(WebSocket.prototype, 'onmessage')!;
    class Tap extends WebSocket {
      constructor(...args: ConstructorParameters<typeof WebSocket>) {
        super(...args);
        Object.defineProperty(this, 'onmessage', {
          get: () => handler.get!.call(this),
          set: (fn: ((ev: { data: unknown }) => void) | null) => handler.set!.call(this, fn === null ? null : (ev: { data: unknown }) => {
            fn(ev);
            if (typeof ev.data === 'string' && (JSON.parse(ev.data) as { type: string }).type === 'job.result' && onResultMessage) { onResultMessage(); onResultMessage = null; }
          }),
        });
      }
    }
    const c = new BridgeClient({ url: tb.wsUrl, token: tb.token, client: 'test', WebSocketImpl: Tap as unknown as WebSocketConstructor });
    await c.connect();
    const job = c.submit({ image: gradientImage(96, 64), quality: 'final', regions: [{ id: 'h1', polygon: squarePolygon(10, 10, 16) }], drags: [{ region: 'h1', points: [[18, 18], [30, 30]], kind: 'translate' }] });
    onResultMessage = () => { cancelledAt = 'result'; job.cancel(); };
    await expect(job.result).rejects.toMatchObject({ code: 'cancelled' });
    expect(cancelledAt).toBe('result');
    // The client stays usable: the next job gets its result.
    const next = c.submit({ image: gradientImage(96, 64), quality: 'preview', regions: [{ id: 'h1', polygon: squarePolygon(10, 10, 16) }], drags: [{ region: 'h1', points: [[18, 18], [30, 30]], kind: 'translate' }] });
    expect((await next.result).layer.width).toBeGreaterThan(0);
    c.close();
  });

  it('cancel() right after submit() (a drag superseding its previews): the job ends cancelled and is never sent, so the bridge never runs it', async () => {
    const c = new BridgeClient({ url: tb.wsUrl, token: tb.token, client: 'test', WebSocketImpl: WS });
    await c.connect();
    const img = gradientImage(96, 64);
    const before = tb.bridge.stats().stored;
    const preview = (dx: number) => c.submit({ image: img, quality: 'preview', intent: '__hook:nap__', regions: [{ id: 'h1', polygon: squarePolygon(10, 10, 16) }], drags: [{ region: 'h1', points: [[18, 18], [18 + dx, 30]], kind: 'translate' }] });
    const superseded = [4, 8, 12, 16].map((dx) => { const j = preview(dx); j.cancel(); return j; });
    const last = preview(20);
    for (const j of superseded) await expect(j.result).rejects.toMatchObject({ code: 'cancelled' });
    await last.result;
    // Only the last preview ran and was kept (before, each cancel overtook its submit: answered
    // job_not_found, and all five ran to the end).
    expect(tb.bridge.stats().stored - before).toBe(1);
    c.close();
  });

  it('reconnects after the socket drops and delivers the result finished meanwhile', async () => {
    const sockets: WebSocket[] = [];
    class Tracked extends WebSocket { constructor(url: string) { super(url); sockets.push(this); } }
    const c = new BridgeClient({ url: tb.wsUrl, token: tb.token, client: 'test', WebSocketImpl: Tracked as unknown as WebSocketConstructor, reconnect: { minDelayMs: 50, maxDelayMs: 200 } });
    const states: string[] = [];
    c.onStatus((s) => states.push(s.state));
    await c.connect();
    const img = gradientImage(96, 64);
    let dropped = false;
    const job = c.submit({ image: img, quality: 'preview', intent: '__hook:nap__', regions: [{ id: 'h1', polygon: squarePolygon(10, 10, 16) }], drags: [{ region: 'h1', points: [[18, 18], [58, 38]], kind: 'translate' }] },
      { onQueued: () => { if (!dropped) { dropped = true; sockets[0]!.terminate(); } } });
    const r = await job.result;
    expect(sockets.length).toBeGreaterThanOrEqual(2);
    expect(states).toContain('reconnecting');
    expect(states[states.length - 1]).toBe('connected');
    expectMovedSquare(r.layer, img, [0, 0], 40, 20);
    c.close();
  });
});

describe('POST /v1/edit', () => {
  it('needs the bearer token and returns the layer as base64 PNG at document coordinates', async () => {
    const { encodePng, decodeImage } = await import('../../bridge-server/src/io/image-io');
    const img = gradientImage(96, 64);
    const body = {
      image: { png: (await encodePng(img)).toString('base64') }, imageOrigin: [10, 5], quality: 'preview',
      regions: [{ id: 'h1', polygon: squarePolygon(20, 15, 16) }], drags: [{ region: 'h1', points: [[28, 23], [68, 43]], kind: 'translate' }],
    };
    const post = (auth?: string) => fetch(`${tb.url}/v1/edit`, { method: 'POST', headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) }, body: JSON.stringify(body) });
    const denied = await post();
    expect(denied.status).toBe(401);
    expect(await denied.json()).toMatchObject({ code: 'unauthorized' });
    const res = await post(`Bearer ${tb.token}`);
    expect(res.status).toBe(200);
    const out = await res.json() as { plan: WirePlan; layer: { left: number; top: number; width: number; height: number; png: string }; moved?: { polygons: Point[][] } };
    expect(out.plan.operations[0]!.kind).toBe('translate');
    // The outline of what moved: the square moved by (40, 20), in document pixels.
    const sq = boundsOfPoints(squarePolygon(20, 15, 16));
    const mb = boundsOfPoints(out.moved!.polygons.flat());
    for (const [got, want] of [[mb.left, sq.left + 40], [mb.top, sq.top + 20], [mb.left + mb.width, sq.left + sq.width + 40], [mb.top + mb.height, sq.top + sq.height + 20]]) {
      expect(Math.abs(got! - want!)).toBeLessThanOrEqual(2);
    }
    const layer = await decodeImage(Buffer.from(out.layer.png, 'base64'));
    expect([layer.width, layer.height]).toEqual([out.layer.width, out.layer.height]);
    expectMovedSquare({ ...out.layer, data: layer.data }, img, [10, 5], 40, 20);
    // Text alone: no drags, the intent says it all.
    const textOnly = { ...body, drags: [], intent: 'move the square 40 pixels to the right and 20 pixels down' };
    const res2 = await fetch(`${tb.url}/v1/edit`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${tb.token}` }, body: JSON.stringify(textOnly) });
    expect(res2.status).toBe(200);
    const out2 = await res2.json() as { plan: WirePlan; layer: { left: number; top: number; width: number; height: number; png: string } };
    expect(out2.plan.operations[0]).toMatchObject({ kind: 'translate', source: 'intent' });
    const layer2 = await decodeImage(Buffer.from(out2.layer.png, 'base64'));
    expectMovedSquare({ ...out2.layer, data: layer2.data }, img, [10, 5], 40, 20);
    const vague = await fetch(`${tb.url}/v1/edit`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${tb.token}` }, body: JSON.stringify({ ...body, drags: [], intent: 'make it nicer' }) });
    expect(vague.status).toBe(422);
    expect(await vague.json()).toMatchObject({ code: 'intent_unclear', message: expect.stringMatching(/names no edit/), hint: expect.any(String) });
    const none = await fetch(`${tb.url}/v1/edit`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${tb.token}` }, body: JSON.stringify({ ...body, drags: [] }) });
    expect(none.status).toBe(400);
  });
});
