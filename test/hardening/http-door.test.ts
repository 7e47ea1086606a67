/**
 * The HTTP door (issue #17) on a real bridge (port 0, loopback): who may send a body is decided
 * before the body is read. A 200 MB body without a token is answered 401 after at most a few MB
 * went out (the bridge reads nothing; TCP backpressure stops the client); an over-limit body with
 * a token gets 413 with a coded error; a foreign Origin gets 403 on HTTP as on the socket;
 * uploads being read share one byte budget; slow senders are cut off; 20 parallel oversize
 * unauthenticated uploads leave the bridge serving health and a normal edit.
 */
import http from 'node:http';
import { DEFAULT_LIMITS } from '@smartdrag/shared';
import { httpBodyLimit } from '../../bridge-server/src/server/http-door';
import { RawClient, gradientImage, squarePolygon, startTestBridge, type TestBridge } from '../helpers/bridge-harness';
import { request, streamPost } from '../helpers/http-door';

const MB = 1 << 20;

async function editBody(): Promise<string> {
  const { encodePng } = await import('../../bridge-server/src/io/image-io');
  const img = gradientImage(64, 48);
  return JSON.stringify({
    image: { png: (await encodePng(img)).toString('base64') }, quality: 'preview',
    regions: [{ id: 'h1', polygon: squarePolygon(10, 10, 12) }], drags: [{ region: 'h1', points: [[16, 16], [40, 30]], kind: 'translate' }],
  });
}

describe('HTTP door with the default limits', () => {
  let tb: TestBridge;
  beforeAll(async () => { tb = await startTestBridge({ workers: 1, debugHooks: false }); });
  afterAll(async () => { await tb?.bridge.close(); });

  it('a 200 MB body without a token: 401 before the body is read (RSS grows < 20 MB)', async () => {
    if (global.gc) global.gc();
    const rss0 = process.memoryUsage().rss;
    const r = await streamPost({ port: tb.port, total: 200 * MB });
    const grew = (process.memoryUsage().rss - rss0) / MB;
    // eslint-disable-next-line no-console
    console.log(`http-door: 200 MB unauthenticated → ${r.status} in ${r.ms.toFixed(1)} ms, ${(r.written / MB).toFixed(1)} MB written by the client, RSS +${grew.toFixed(1)} MB`);
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({ code: 'unauthorized', hint: expect.any(String) });
    expect(r.headers.connection).toBe('close');
    expect(r.written).toBeLessThan(32 * MB);
    expect(grew).toBeLessThan(20);
  });

  it('a wrong token is refused the same way', async () => {
    const r = await streamPost({ port: tb.port, total: 50 * MB, headers: { authorization: 'Bearer nope' } });
    expect(r.status).toBe(401);
    expect(r.written).toBeLessThan(32 * MB);
  });

  it('with the token, a declared length over the limit: 413 image_too_large at once, limit in the detail and in /v1/health', async () => {
    const max = httpBodyLimit(DEFAULT_LIMITS);
    const health = await request(tb.port, 'GET', '/v1/health');
    expect(health.body!.maxBodyBytes).toBe(max);
    // The limit follows the limits in force: the base64 of the largest allowed image, not a constant.
    expect(max).toBeGreaterThan(DEFAULT_LIMITS.maxImagePixels * 4 * 4 / 3);
    expect(max).toBeLessThan(DEFAULT_LIMITS.maxImagePixels * 4 * 4 / 3 * 1.1);
    const r = await streamPost({ port: tb.port, total: max + 1, headers: { authorization: `Bearer ${tb.token}` } });
    expect(r.status).toBe(413);
    expect(r.body).toMatchObject({ code: 'image_too_large', detail: { bytes: max + 1, maxBodyBytes: max } });
    expect(r.written).toBeLessThan(32 * MB);
  });

  it('a foreign Origin: 403 forbidden_origin on HTTP (with the token) exactly as on the socket; no CORS answer', async () => {
    const evil = 'https://evil.example';
    const body = await editBody();
    const post = await request(tb.port, 'POST', '/v1/edit', { origin: evil, authorization: `Bearer ${tb.token}` }, body);
    expect(post.status).toBe(403);
    expect(post.body).toMatchObject({ code: 'forbidden_origin' });
    expect(post.headers['access-control-allow-origin']).toBeUndefined();
    const health = await request(tb.port, 'GET', '/v1/health', { origin: evil });
    expect([health.status, health.body!.code]).toEqual([403, 'forbidden_origin']);
    const pre = await request(tb.port, 'OPTIONS', '/v1/edit', { origin: evil, 'access-control-request-method': 'POST' });
    expect(pre.status).toBe(403);
    expect(pre.headers['access-control-allow-origin']).toBeUndefined();
    const ws = new RawClient(tb.wsUrl, { origin: evil });
    const err = await ws.next((m) => m.type === 'error');
    expect(err).toMatchObject({ code: 'forbidden_origin' });
    expect((await ws.closed).code).toBe(4003);
  });

  it('an allowed Origin (Photopea) gets CORS answers and a preflight', async () => {
    const o = 'https://www.photopea.com';
    const pre = await request(tb.port, 'OPTIONS', '/v1/edit', { origin: o, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' });
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe(o);
    expect(pre.headers['access-control-allow-headers']).toMatch(/authorization/i);
    const h = await request(tb.port, 'GET', '/v1/health', { origin: o });
    expect([h.status, h.headers['access-control-allow-origin']]).toEqual([200, o]);
    expect(h.headers.vary).toMatch(/origin/i);
  });

  it('20 parallel oversize unauthenticated uploads: all 401, and health and a normal edit are served meanwhile', async () => {
    if (global.gc) global.gc();
    const rss0 = process.memoryUsage().rss;
    const floods = Array.from({ length: 20 }, () => streamPost({ port: tb.port, total: 300 * MB }));
    const health = request(tb.port, 'GET', '/v1/health');
    const edit = request(tb.port, 'POST', '/v1/edit', { authorization: `Bearer ${tb.token}` }, await editBody());
    const all = await Promise.all(floods);
    const grew = (process.memoryUsage().rss - rss0) / MB;
    const written = all.reduce((n, r) => n + r.written, 0) / MB;
    const slowest = Math.max(...all.map((r) => r.ms));
    // eslint-disable-next-line no-console
    console.log(`http-door: 20 × 300 MB unauthenticated → ${all.map((r) => r.status).join(',')}; slowest answer ${slowest.toFixed(0)} ms; ${written.toFixed(1)} MB written in all; RSS +${grew.toFixed(1)} MB`);
    expect(all.every((r) => r.status === 401)).toBe(true);
    expect((await health).status).toBe(200);
    const e = await edit;
    expect([e.status, e.body?.code]).toEqual([200, undefined]);
    expect(e.body!.layer.png.length).toBeGreaterThan(100);
    expect(written).toBeLessThan(20 * 32);
    expect(grew).toBeLessThan(60);
  }, 60_000);
});

describe('HTTP door, a large body', () => {
  let tb: TestBridge;
  beforeAll(async () => { tb = await startTestBridge({ workers: 1, debugHooks: false }); });
  afterAll(async () => { await tb?.bridge.close(); });

  it('a body over the off-thread threshold (parsed and decoded in a worker thread) edits like a small one', async () => {
    const { encodePng } = await import('../../bridge-server/src/io/image-io');
    const { OFF_THREAD_BYTES } = await import('../../bridge-server/src/server/json-off-thread');
    // Noise does not compress: a 1800 × 1400 PNG is ~10 MB, its base64 ~13 MB.
    const w = 1800, h = 1400, img = { width: w, height: h, data: new Uint8ClampedArray(w * h * 4) };
    const noise = (await import('node:crypto')).randomBytes(img.data.length);
    for (let i = 0; i < img.data.length; i++) img.data[i] = (i & 3) === 3 ? 255 : noise[i]!;
    const body = JSON.stringify({
      image: { png: (await encodePng(img)).toString('base64') }, quality: 'preview',
      regions: [{ id: 'h1', polygon: squarePolygon(100, 100, 60) }], drags: [{ region: 'h1', points: [[130, 130], [170, 150]], kind: 'translate' }],
    });
    expect(body.length).toBeGreaterThan(OFF_THREAD_BYTES);
    const r = await request(tb.port, 'POST', '/v1/edit', { authorization: `Bearer ${tb.token}` }, body);
    expect(r.status).toBe(200);
    const out = r.body as { layer: { left: number; top: number; width: number; png: string } };
    expect(out.layer.width).toBeGreaterThan(0);
    expect(out.layer.left).toBeGreaterThanOrEqual(100 - 20);
    // Invalid JSON of that size: the same 400 as a small one.
    const bad = await request(tb.port, 'POST', '/v1/edit', { authorization: `Bearer ${tb.token}` }, body.slice(0, -2));
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'bad_message', message: expect.stringMatching(/not valid JSON/) });
  });
});

describe('HTTP door with small limits', () => {
  let tb: TestBridge;
  // A small image limit → a body limit of a few hundred KB; short upload time for the slow sender.
  const limits = { maxImagePixels: 128 * 128, maxImageSidePx: 256, maxPoints: 64 };
  beforeAll(async () => { tb = await startTestBridge({ workers: 1, debugHooks: false, uploadTimeoutMs: 1500, limits }); });
  afterAll(async () => { await tb?.bridge.close(); });
  const max = () => httpBodyLimit({ ...DEFAULT_LIMITS, ...limits });

  it('a chunked body with the token is stopped as soon as it passes the limit: 413 image_too_large', async () => {
    const r = await streamPost({ port: tb.port, total: 64 * MB, chunked: true, headers: { authorization: `Bearer ${tb.token}` } });
    expect(r.status).toBe(413);
    expect(r.body).toMatchObject({ code: 'image_too_large', detail: { maxBodyBytes: max() } });
    expect(r.written).toBeLessThan(40 * MB);
  });

  it('bodies being read share one budget (2 × the limit): a third full-size upload waits its turn with 429 queue_full', async () => {
    const auth = { authorization: `Bearer ${tb.token}` };
    const m = max();
    const held = [streamPost({ port: tb.port, total: m, stallAfter: 1024, headers: auth }), streamPost({ port: tb.port, total: m, stallAfter: 1024, headers: auth })];
    await new Promise((r) => setTimeout(r, 200));
    const third = await streamPost({ port: tb.port, total: m, headers: auth });
    expect([third.status, third.body?.code]).toEqual([429, 'queue_full']);
    // The stalled ones are cut off by the request timeout (slow senders): 408, and the budget is free again.
    const cut = await Promise.all(held);
    expect(cut.map((r) => r.status)).toEqual([408, 408]);
    // Cut off by Node's own timer, still answered as the door answers: coded JSON (a bare status line before).
    for (const r of cut) expect(r.body).toMatchObject({ code: 'bad_message', message: expect.stringContaining('did not arrive within 1500 ms'), hint: expect.any(String) });
    const after = await request(tb.port, 'POST', '/v1/edit', auth, '{"not":"an edit"}');
    expect([after.status, after.body?.code]).toEqual([400, 'bad_message']);
  }, 20_000);

  it('a normal edit still works under the small limits', async () => {
    const r = await request(tb.port, 'POST', '/v1/edit', { authorization: `Bearer ${tb.token}` }, await editBody());
    expect(r.status).toBe(200);
  });
});

describe('HTTP jobs a script gives up on, names twice or gets wrong', () => {
  let tb: TestBridge;
  beforeAll(async () => { tb = await startTestBridge({ workers: 1 }); });
  afterAll(async () => { await tb?.bridge.close(); });
  const auth = () => ({ authorization: `Bearer ${tb.token}` });

  it('a request the client abandons cancels its job (it ran to its end before, its result kept for nobody)', async () => {
    const body = JSON.parse(await editBody());
    body.intent = '__hook:sleep__'; // the worker sleeps until the job is cancelled (≤ 10 s)
    const text = JSON.stringify(body);
    const req = http.request({ host: '127.0.0.1', port: tb.port, method: 'POST', path: '/v1/edit', agent: false,
      headers: { ...auth(), 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) } });
    req.on('error', () => undefined);
    req.end(text);
    const until = async (pred: () => boolean, ms: number) => { const t = Date.now(); while (!pred() && Date.now() - t < ms) await new Promise((r) => setTimeout(r, 20)); return pred(); };
    expect(await until(() => tb.bridge.stats().running === 1, 5000)).toBe(true);
    req.destroy(); // the script times out and gives up
    expect(await until(() => tb.bridge.stats().running === 0, 5000)).toBe(true);
  });

  it('a jobId used again is refused with what to do (not "update the plugin"); malformed bodies get the HTTP door\'s hint', async () => {
    const body = JSON.parse(await editBody());
    const first = await request(tb.port, 'POST', '/v1/edit', auth(), JSON.stringify({ ...body, jobId: 'fixed-1' }));
    expect(first.status).toBe(200);
    const again = await request(tb.port, 'POST', '/v1/edit', auth(), JSON.stringify({ ...body, jobId: 'fixed-1' }));
    expect(again.status).toBe(400);
    expect(again.body).toMatchObject({ code: 'bad_message', message: expect.stringContaining('job id fixed-1 is already in use'), hint: expect.stringContaining('its own jobId') });
    const arr = await request(tb.port, 'POST', '/v1/edit', auth(), '[]');
    expect(arr.status).toBe(400);
    expect(arr.body!.message).not.toMatch(/^:/);
    expect(arr.body!.hint).toMatch(/request body/);
    expect(arr.body!.hint).not.toMatch(/plugin/);
    const noToken = await request(tb.port, 'POST', '/v1/edit', {}, JSON.stringify(body));
    expect(noToken.body).toMatchObject({ code: 'unauthorized', hint: expect.stringContaining('Authorization: Bearer') });
    // Another method on the door: 405 with the method it takes (it was 404 "no such route").
    const get = await request(tb.port, 'GET', '/v1/edit', auth());
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
    expect(get.body).toMatchObject({ code: 'bad_message', message: expect.stringContaining('takes POST') });
  });
});
