/**
 * `smartdrag doctor` against a real bridge: a real client sends a palette PNG job, a second one a
 * wrong token; the bridge records both (diagnostics/client-record.ts) and doctor prints them.
 */
import sharp from 'sharp';
import WebSocket from 'ws';
import { BridgeClient, type WebSocketConstructor } from '@smartdrag/shared';
import { readDiagnostics } from '../../bridge-server/src/diagnostics/client-record';
import { formatDoctor, runDoctor } from '../../bridge-server/src/cli/doctor';
import { gradientImage, startTestBridge, type TestBridge } from '../helpers/bridge-harness';

let tb: TestBridge;
beforeAll(async () => { tb = await startTestBridge(); });
afterAll(async () => { await tb?.bridge.close(); });

test('doctor reports the Origin, host kind, plugin version, the PNG form and size, the outcome and the refusal of the last clients', async () => {
  const origin = `http://127.0.0.1:${tb.port}`;
  // `ws` sends no Origin unless told; a browser page on the bridge sends its own origin.
  class BrowserLike extends WebSocket { constructor(url: string) { super(url, { origin }); } }
  const WS = BrowserLike as unknown as WebSocketConstructor;
  const img = gradientImage(120, 90);
  const png = await sharp(Buffer.from(img.data.buffer), { raw: { width: 120, height: 90, channels: 4 } }).png({ palette: true, colours: 64 }).toBuffer();
  const c = new BridgeClient({ url: tb.wsUrl, token: tb.token, client: 'photopea', clientVersion: '9.8.7', WebSocketImpl: WS, reconnect: false });
  await c.connect();
  const mask = { left: 10, top: 10, width: 17, height: 17, data: new Uint8Array(17 * 17).fill(255) };
  const r = await c.submit({ image: { png: new Uint8Array(png) }, quality: 'preview', regions: [{ id: 'h1', mask }], drags: [{ region: 'h1', points: [[18, 18], [58, 38]], kind: 'translate' }] }).result;
  c.close();
  const bad = new BridgeClient({ url: tb.wsUrl, token: 'not-the-token-not-the-token', client: 'uxp', clientVersion: '1.2.3', WebSocketImpl: WebSocket as unknown as WebSocketConstructor, reconnect: false });
  await bad.connect().catch(() => undefined);
  bad.close();
  await new Promise((res) => setTimeout(res, 1300)); // the file is written at most once a second

  const d = readDiagnostics(tb.home)!;
  expect(d.clients.map((x) => x.refused ?? 'ok')).toEqual(['unauthorized', 'ok']);
  const ok = d.clients[1]!;
  expect(ok).toMatchObject({ kind: 'ws', origin, host: `127.0.0.1:${tb.port}`, client: 'photopea', clientVersion: '9.8.7', jobs: { done: 1, failed: 0, cancelled: 0 } });
  expect(ok.jobs.lastTimings!.job).toBeGreaterThan(0);
  expect(ok.images).toEqual([expect.objectContaining({ format: 'png', width: 120, height: 90, pngBitDepth: 8, pngColorType: 3, bytes: png.length, regions: 1, drags: 1, quality: 'preview' })]);
  expect(r.layer.width).toBeGreaterThan(0);

  const text = await runDoctor({ port: tb.port, json: false }, tb.home);
  expect(text).toMatch(new RegExp(`GET http://127.0.0.1:${tb.port}/v1/health → 200 ok`));
  expect(text).toMatch(/1\. .* ws refused: unauthorized · uxp 1\.2\.3|1\. .* ws refused: unauthorized/);
  expect(text).toMatch(/2\. .* ws connected · photopea 9\.8\.7/);
  expect(text).toContain(`Origin ${origin}`);
  expect(text).toMatch(/sent preview job \w+: png 8-bit palette 120×90 \d+ KiB, 1 region\(s\), 1 drag\(s\)/);
  expect(text).toMatch(/jobs: 1 done, 0 failed, 0 cancelled · last job \d+ ms/);
  expect(text).toContain('https://www.photopea.com#');
  expect(JSON.stringify(d)).not.toContain(tb.token);
  expect(text).toMatch(/clients seen by bridge /);
  // The same home with no bridge answering on the asked port: the record is the last bridge's, said so.
  const stale = await runDoctor({ port: 9, json: false }, tb.home);
  expect(stale).toMatch(/bridge: not answering on port 9/);
  expect(stale).toMatch(/clients seen by the last bridge that ran from this home, .*no bridge answers on port 9 now/);
});

test('doctor with no bridge running says so', async () => {
  const text = await runDoctor({ port: 9, json: false }, '/nonexistent-smartdrag-home');
  expect(text).toMatch(/bridge: not answering on port 9/);
  expect(text).toMatch(/clients: none recorded yet/);
});

test('doctor says when the bridge answers but its edit workers cannot start (health ok:false, workerError)', () => {
  const text = formatDoctor({
    version: '0.0.0', home: '/h', port: 7341, probes: [{ url: 'http://127.0.0.1:7341/v1/health', status: 200, note: 'ok' }],
    health: { ok: false, protocol: 2, device: 'cpu', serverVersion: '0.1.0', workerError: 'no edit worker can start (3 tries in a row): Cannot find module x' },
    diag: null,
  });
  expect(text).toContain('bridge NOT OK: no edit worker can start (3 tries in a row): Cannot find module x');
  const fine = formatDoctor({ version: '0.0.0', home: '/h', port: 7341, probes: [], health: { ok: true, protocol: 2, device: 'cpu' }, diag: null });
  expect(fine).not.toContain('NOT OK');
});
