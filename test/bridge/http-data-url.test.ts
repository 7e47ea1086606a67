/**
 * `POST /v1/edit` with `image.png` as a data URL — what a browser's `canvas.toDataURL()` gives a
 * script's author. The header's letters were decoded as base64 with the payload, and the image was
 * refused: 400 "png frame cannot be read: Input buffer contains unsupported image format". The
 * payload is now taken, by the main thread (small bodies) and by the parser thread (bodies of
 * 8 MB or more, json-off-thread.ts) alike: the same answer as the plain base64. Real bridge, real HTTP.
 */
import sharp from 'sharp';
import { OFF_THREAD_BYTES } from '../../bridge-server/src/server/json-off-thread';
import { gradientImage, squarePolygon, startTestBridge, type TestBridge } from '../helpers/bridge-harness';
import { request } from '../helpers/http-door';

let tb: TestBridge;
beforeAll(async () => { tb = await startTestBridge({ workers: 1 }); });
afterAll(async () => { await tb.bridge.close(); });

/** A PNG: a gradient, or (large) noise that does not compress, so its body passes OFF_THREAD_BYTES. */
async function png(width: number, height: number, noise: boolean): Promise<Buffer> {
  const img = gradientImage(width, height);
  if (noise) {
    let s = 12345;
    for (let i = 0; i < img.data.length; i++) if ((i & 3) !== 3) { s = (Math.imul(s, 1103515245) + 12345) >>> 0; img.data[i] = s >>> 24; }
  }
  return sharp(Buffer.from(img.data.buffer), { raw: { width, height, channels: 4 } }).png({ compressionLevel: 1 }).toBuffer();
}

async function edit(pngField: string): Promise<{ status: number; body: Record<string, any> | null; bytes: number }> {
  const body = JSON.stringify({
    image: { png: pngField }, quality: 'preview', seed: 7,
    regions: [{ id: 'h1', polygon: squarePolygon(10, 10, 16) }],
    drags: [{ region: 'h1', kind: 'translate', points: [[18, 18], [58, 38]] }],
  });
  const r = await request(tb.port, 'POST', '/v1/edit', { authorization: `Bearer ${tb.token}` }, body);
  return { status: r.status, body: r.body, bytes: Buffer.byteLength(body) };
}

it.each([
  ['a small body (parsed on the main thread)', 96, 64, false],
  ['a body of 8 MB or more (parsed off the main thread)', 1800, 1300, true],
])('%s: a data URL gives the answer of its plain base64', async (_what, width, height, noise) => {
  const b64 = (await png(width, height, noise)).toString('base64');
  const plain = await edit(b64);
  const dataUrl = await edit(`data:image/png;base64,${b64}`);
  if (noise) expect(dataUrl.bytes).toBeGreaterThanOrEqual(OFF_THREAD_BYTES);
  else expect(dataUrl.bytes).toBeLessThan(OFF_THREAD_BYTES);
  expect(plain.status).toBe(200);
  expect(dataUrl.body).toMatchObject({ layer: { left: plain.body!.layer.left, top: plain.body!.layer.top, width: plain.body!.layer.width, height: plain.body!.layer.height } });
  expect(dataUrl.status).toBe(200);
  expect(dataUrl.body!.layer.png).toBe(plain.body!.layer.png);
}, 60_000);
