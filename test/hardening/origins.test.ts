/**
 * Origins the real hosts send (issue #15 item 2), on a real bridge: Photoshop's UXP runtime may
 * put `null`, `uxp://…` or `plugin://…` on its socket (docs/HOSTS-CONFORMANCE.md, "Bridge: Origins
 * and HTTP door"); Photopea's plugin page is served by the bridge and framed by photopea.com.
 * Each is served with the right token and refused with a wrong one — the same on the socket and
 * on HTTP. Look-alikes are refused as foreign; an unexpected Origin is logged once, with a hint.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { PROTOCOL_VERSION } from '@smartdrag/shared';
import { loadConfig } from '../../bridge-server/src/config';
import { createBridge } from '../../bridge-server/src/server';
import { gradientImage, RawClient, squarePolygon, startTestBridge, type TestBridge } from '../helpers/bridge-harness';
import { request } from '../helpers/http-door';

/** Origins a real host's socket or request may carry. */
const UXP_ORIGINS = ['null', 'uxp://com.smartdrag.photoshop', 'plugin://com.smartdrag.photoshop', 'UXP://com.smartdrag.photoshop'];
const PAGE_ORIGINS = ['https://www.photopea.com', 'https://photopea.com'];
const LOOKALIKES = ['https://www.photopea.com.evil.example', 'https://evil.example', 'nullx', 'uxp:/x', 'uxp://x y', 'chrome-extension://abcdef', 'file://', 'http://localhost:1'];

async function hello(tb: TestBridge, origin: string, token: string) {
  const c = new RawClient(tb.wsUrl, { origin });
  await c.opened;
  c.send({ type: 'hello', protocol: PROTOCOL_VERSION, client: 'uxp', token });
  return { c, first: await c.next((m) => m.type === 'welcome' || m.type === 'error') };
}

async function editBody(): Promise<string> {
  const { encodePng } = await import('../../bridge-server/src/io/image-io');
  return JSON.stringify({
    image: { png: (await encodePng(gradientImage(48, 32))).toString('base64') }, quality: 'preview',
    regions: [{ id: 'h1', polygon: squarePolygon(6, 6, 10) }], drags: [{ region: 'h1', points: [[11, 11], [30, 20]], kind: 'translate' }],
  });
}

describe('Origins of the real hosts', () => {
  let tb: TestBridge;
  beforeAll(async () => { tb = await startTestBridge({ workers: 1, debugHooks: false }); });
  afterAll(async () => { await tb?.bridge.close(); });

  it.each([...UXP_ORIGINS, ...PAGE_ORIGINS, 'own page'])('socket with Origin %s: served with the right token, refused (4001) with a wrong one', async (o) => {
    const origin = o === 'own page' ? tb.url : o;
    const ok = await hello(tb, origin, tb.token);
    expect(ok.first.type).toBe('welcome');
    ok.c.close();
    const bad = await hello(tb, origin, 'wrong-token');
    expect(bad.first).toMatchObject({ type: 'error', code: 'unauthorized' });
    expect((await bad.c.closed).code).toBe(4001);
  });

  it.each(LOOKALIKES)('socket with look-alike Origin %j: refused before hello (4003 forbidden_origin)', async (origin) => {
    const c = new RawClient(tb.wsUrl, { origin });
    expect(await c.next((m) => m.type === 'error')).toMatchObject({ code: 'forbidden_origin' });
    expect((await c.closed).code).toBe(4003);
  });

  it.each(UXP_ORIGINS)('HTTP with Origin %s: an edit with the right token is served (no CORS answer), a wrong token gets 401, no token on other routes 403', async (origin) => {
    const body = await editBody();
    const ok = await request(tb.port, 'POST', '/v1/edit', { origin, authorization: `Bearer ${tb.token}` }, body);
    expect(ok.status).toBe(200);
    expect(ok.body!.layer.png.length).toBeGreaterThan(100);
    expect(ok.headers['access-control-allow-origin']).toBeUndefined();
    const bad = await request(tb.port, 'POST', '/v1/edit', { origin, authorization: 'Bearer wrong' }, body);
    expect([bad.status, bad.body!.code]).toEqual([401, 'unauthorized']);
    const health = await request(tb.port, 'GET', '/v1/health', { origin });
    expect([health.status, health.body!.code]).toEqual([403, 'forbidden_origin']);
    const healthTok = await request(tb.port, 'GET', '/v1/health', { origin, authorization: `Bearer ${tb.token}` });
    expect(healthTok.status).toBe(200);
  });

  it.each(PAGE_ORIGINS)('HTTP with Origin %s (the Photopea page): health and edits with CORS answers; wrong token 401', async (origin) => {
    const ok = await request(tb.port, 'POST', '/v1/edit', { origin, authorization: `Bearer ${tb.token}` }, await editBody());
    expect([ok.status, ok.headers['access-control-allow-origin']]).toEqual([200, origin]);
    const bad = await request(tb.port, 'POST', '/v1/edit', { origin, authorization: 'Bearer wrong' }, await editBody());
    expect(bad.status).toBe(401);
    const page = await request(tb.port, 'GET', '/photopea/', { origin });
    expect(page.status).toBe(200);
  });

  it('the recent-client record keeps each socket\'s Origin, client and refusal (for a doctor report)', async () => {
    const ok = await hello(tb, 'uxp://com.smartdrag.photoshop', tb.token);
    ok.c.close();
    const recs = tb.bridge.recentClients();
    const rec = recs.filter((r) => r.origin === 'uxp://com.smartdrag.photoshop' && r.client === 'uxp').at(-1);
    expect(rec).toMatchObject({ kind: 'ws', user: 'local' });
    expect(recs.some((r) => r.origin === 'https://evil.example' && r.refused === 'forbidden_origin')).toBe(true);
  });
});

it('an unexpected Origin is logged once, with a hint', async () => {
  const lines: Record<string, any>[] = [];
  const sink = new Writable({ write(chunk, _enc, cb) { for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l)); cb(); } });
  const home = mkdtempSync(join(tmpdir(), 'smartdrag-origins-'));
  const config = loadConfig({ env: { SMARTDRAG_HOME: home }, overrides: { port: 0, logFile: null, workers: 1 } });
  const bridge = createBridge({ config, logger: pino({ level: 'warn' }, sink) });
  const a = await bridge.listen();
  const tb = { bridge, token: config.token, port: a.port, url: a.url, wsUrl: a.wsUrl, home };
  try {
    for (let i = 0; i < 3; i++) (await hello(tb, 'uxp://com.smartdrag.photoshop', tb.token)).c.close();
    for (let i = 0; i < 3; i++) await request(tb.port, 'GET', '/v1/health', { origin: 'https://evil.example' });
    const tokenOnly = lines.filter((l) => l.msg === 'Origin served only with a token');
    const foreign = lines.filter((l) => l.msg === 'foreign Origin refused');
    expect(tokenOnly).toHaveLength(1);
    expect(tokenOnly[0]).toMatchObject({ origin: 'uxp://com.smartdrag.photoshop', hint: expect.stringMatching(/token/) });
    expect(foreign).toHaveLength(1);
    expect(foreign[0]).toMatchObject({ origin: 'https://evil.example', hint: expect.stringMatching(/--allow-origin https:\/\/evil\.example/) });
  } finally {
    await bridge.close();
  }
});
