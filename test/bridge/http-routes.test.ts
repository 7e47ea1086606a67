/**
 * What a script's author reads when a request misses the HTTP door: every answer is coded JSON
 * whose hint fits the mistake. An unknown path, another method or the WebSocket's path asked over
 * plain HTTP had the door's body hint ("Fix the request body as the message says"), although no
 * body was wrong; the socket's path answered "no such route". Real bridge, real HTTP.
 */
import { startTestBridge, type TestBridge } from '../helpers/bridge-harness';
import { request } from '../helpers/http-door';

let tb: TestBridge;
beforeAll(async () => { tb = await startTestBridge(); });
afterAll(async () => { await tb.bridge.close(); });

const BODY_HINT = /request body/i;

it('an unknown path: 404 naming the path, the hint lists what the bridge serves', async () => {
  for (const path of ['/v1/jobs', '/v1/', '/v1/edit/cancel']) {
    const r = await request(tb.port, 'GET', path);
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ code: 'bad_message', message: `no such route: GET ${path}` });
    expect(r.body!.hint).not.toMatch(BODY_HINT);
    expect(r.body!.hint).toMatch(/GET \/v1\/health/);
    expect(r.body!.hint).toMatch(/POST \/v1\/edit/);
    expect(r.body!.hint).toMatch(/\/v1\/ws/);
  }
});

it('the WebSocket path over plain HTTP: 426 Upgrade Required, the hint says to connect with a WebSocket client', async () => {
  const r = await request(tb.port, 'GET', '/v1/ws');
  expect(r.status).toBe(426);
  expect(r.headers.upgrade).toBe('websocket');
  expect(r.body).toMatchObject({ code: 'bad_message', message: expect.stringContaining('WebSocket') });
  expect(r.body!.hint).toMatch(/WebSocket client/);
  expect(r.body!.hint).not.toMatch(BODY_HINT);
});

it('another method on /v1/edit or /v1/health: 405 with Allow, the hint names the method to use', async () => {
  const edit = await request(tb.port, 'GET', '/v1/edit');
  expect(edit.status).toBe(405);
  expect(edit.headers.allow).toBe('POST');
  expect(edit.body!.hint).toMatch(/Send POST \/v1\/edit/);
  const health = await request(tb.port, 'DELETE', '/v1/health');
  expect(health.status).toBe(405);
  expect(health.headers.allow).toBe('GET');
  expect(health.body!.hint).toBe('Send GET /v1/health.');
});

it('a wrong body keeps the body hint, and the bridge keeps serving', async () => {
  const r = await request(tb.port, 'POST', '/v1/edit', { authorization: `Bearer ${tb.token}` }, '{');
  expect(r.status).toBe(400);
  expect(r.body!.hint).toMatch(BODY_HINT);
  const h = await request(tb.port, 'GET', '/v1/health');
  expect(h.status).toBe(200);
  expect(h.body).toMatchObject({ ok: true });
});
