/**
 * A script that sends the same `jobId` twice at once (a retry fired before the first answer came)
 * is told the first job is still running — it was told "a job with this id ran recently and the
 * bridge still keeps it". The first request keeps its job; closing it cancels the job. Real
 * bridge, real HTTP; the first job waits in the edit worker's `sleep` test hook.
 */
import http from 'node:http';
import { squarePolygon, startTestBridge, type TestBridge } from '../helpers/bridge-harness';
import { request } from '../helpers/http-door';

async function until(pred: () => boolean, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let tb: TestBridge;
beforeAll(async () => { tb = await startTestBridge({ workers: 1 }); });
afterAll(async () => { await tb.bridge.close(); });

const flatPngBase64 = async (): Promise<string> => {
  const sharp = (await import('sharp')).default;
  return (await sharp({ create: { width: 96, height: 64, channels: 3, background: { r: 90, g: 120, b: 150 } } }).png().toBuffer()).toString('base64');
};

it('the same jobId while its first request runs: 400 saying it is still running; the first keeps its job', async () => {
  const body = (intent?: string) => JSON.stringify({
    jobId: 'twice-1', image: { png: '' }, quality: 'preview', ...(intent ? { intent } : {}),
    regions: [{ id: 'h1', polygon: squarePolygon(10, 10, 16) }],
    drags: [{ region: 'h1', kind: 'translate', points: [[18, 18], [58, 38]] }],
  });
  const png = await flatPngBase64();
  const withImage = (s: string) => s.replace('"png":""', `"png":"${png}"`);
  // The first request: its job sleeps in the worker until cancelled.
  const first = withImage(body('__hook:sleep__ move it'));
  const req = http.request({ host: '127.0.0.1', port: tb.port, method: 'POST', path: '/v1/edit', agent: false,
    headers: { authorization: `Bearer ${tb.token}`, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(first)) } });
  req.on('error', () => undefined);
  req.end(first);
  await until(() => tb.bridge.stats().running === 1, 'the first job to run');

  const second = await request(tb.port, 'POST', '/v1/edit', { authorization: `Bearer ${tb.token}` }, withImage(body()));
  expect(second.status).toBe(400);
  expect(second.body).toMatchObject({ code: 'bad_message', message: 'job id twice-1 is already in use: a job with this id is still running' });
  expect(tb.bridge.stats().running).toBe(1);

  // Closing the first request cancels its job (the HTTP door's only cancel).
  req.destroy();
  await until(() => tb.bridge.stats().running === 0, 'the first job to end');
  expect(tb.bridge.recentClients().filter((c) => c.kind === 'http').map((c) => c.jobs.cancelled)).toContain(1);
}, 60_000);
