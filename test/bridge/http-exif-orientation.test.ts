/**
 * `POST /v1/edit` with a phone JPEG: its EXIF orientation is applied before the edit, as
 * `smartdrag edit` reads a file (io/image-io.ts `readImage`), so the request's coordinates — picked
 * on the photo as every viewer shows it — land where its author put them. The door used to edit the
 * pixels as stored: a photo stored on its side with orientation 6 was edited sideways (its answer's
 * layer lay where the upright photo has none of the selection). Real bridge, real HTTP.
 */
import sharp from 'sharp';
import { gradientImage, squarePolygon, startTestBridge, type TestBridge } from '../helpers/bridge-harness';
import { request } from '../helpers/http-door';

let tb: TestBridge;
beforeAll(async () => { tb = await startTestBridge({ workers: 1 }); });
afterAll(async () => { await tb.bridge.close(); });

const W = 96, H = 64;
/** The upright picture: a gradient with a dark square at (10, 10), 16 px. */
function upright(): Buffer {
  const img = gradientImage(W, H);
  for (let y = 10; y < 26; y++) for (let x = 10; x < 26; x++) { const i = (y * W + x) * 4; img.data[i] = 20; img.data[i + 1] = 30; img.data[i + 2] = 200; }
  return Buffer.from(img.data.buffer);
}

async function edit(file: Buffer): Promise<{ status: number; body: Record<string, any> | null }> {
  const body = JSON.stringify({
    image: { png: file.toString('base64') }, quality: 'final', seed: 3,
    regions: [{ id: 'h1', polygon: squarePolygon(8, 8, 20) }],
    drags: [{ region: 'h1', kind: 'translate', points: [[18, 18], [58, 38]] }],
  });
  return request(tb.port, 'POST', '/v1/edit', { authorization: `Bearer ${tb.token}` }, body);
}

it('a JPEG stored on its side with EXIF orientation 6 is edited upright: the same layer as the upright JPEG', async () => {
  const raw = { raw: { width: W, height: H, channels: 4 as const } };
  const straight = await sharp(upright(), raw).jpeg({ quality: 95 }).toBuffer();
  // Stored turned 90° anticlockwise (64 × 96) with orientation 6: viewers turn it back upright.
  const sideways = await sharp(upright(), raw).rotate(270).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer();
  expect(await sharp(sideways).metadata()).toMatchObject({ width: H, height: W, orientation: 6 });
  const a = await edit(straight), b = await edit(sideways);
  expect(a.status).toBe(200);
  expect(b.status).toBe(200);
  const box = (r: typeof a) => ({ left: r.body!.layer.left, top: r.body!.layer.top, width: r.body!.layer.width, height: r.body!.layer.height });
  expect(box(b)).toEqual(box(a));
  // The moved square sits in both layers at its target (58 − 8, 38 − 8) ± JPEG noise: its blue.
  const layerPixels = async (r: typeof a) => sharp(Buffer.from(r.body!.layer.png, 'base64')).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  for (const r of [a, b]) {
    const { data, info } = await layerPixels(r);
    const x = 58 - r.body!.layer.left, y = 38 - r.body!.layer.top, i = (y * info.width + x) * 4;
    expect(data[i + 3]).toBe(255);
    expect(data[i + 2]).toBeGreaterThan(150);
    expect(data[i]).toBeLessThan(80);
  }
}, 60_000);
