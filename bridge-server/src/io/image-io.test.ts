/** Image files as the CLI and the bench read them (sharp): what a user's file holds, decoded once. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { decodeImage, readImage } from './image-io';

const W = 64, H = 48;
/** A smooth colour ramp with a dark square: JPEG-friendly, every channel different. */
function rampRgb(): Buffer {
  const b = Buffer.alloc(W * H * 3);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    const i = (y * W + x) * 3, dark = x >= 8 && x < 24 && y >= 8 && y < 24;
    b[i] = dark ? 20 : 40 + 3 * x; b[i + 1] = dark ? 20 : 60 + 3 * y; b[i + 2] = dark ? 20 : 200 - x - y;
  }
  return b;
}
const raw = { raw: { width: W, height: H, channels: 3 as const } };

it('a JPEG file is decoded from its own bytes: the same pixels as one decode (no lossy re-encode on the way)', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'sd-io-')), 'a.jpg');
  await sharp(rampRgb(), raw).jpeg({ quality: 85 }).toFile(file);
  const once = await sharp(file).ensureAlpha().raw().toBuffer();
  const read = await readImage(file);
  expect([read.width, read.height]).toEqual([W, H]);
  let differ = 0;
  for (let i = 0; i < once.length; i++) if (once[i] !== read.data[i]) differ++;
  expect(differ).toBe(0);
  // (A re-encode at sharp's default quality moves many of them by a few levels.)
  const twice = await sharp(await sharp(file).toBuffer()).ensureAlpha().raw().toBuffer();
  let reencoded = 0;
  for (let i = 0; i < once.length; i++) if (once[i] !== twice[i]) reencoded++;
  expect(reencoded).toBeGreaterThan(100);
});

it('EXIF orientation is applied when reading a file (upright as viewers show it); a plain decode keeps the stored order', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'sd-io-')), 'side.jpg');
  // Stored turned 90° anticlockwise with orientation 6 (show turned 90° clockwise): the upright ramp.
  await sharp(rampRgb(), raw).rotate(270).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toFile(file);
  const up = await readImage(file);
  expect([up.width, up.height]).toEqual([W, H]);
  // The dark square sits at the upright image's top left (x, y in 8..24), not where it is stored.
  const at = (img: { width: number; data: Uint8ClampedArray }, x: number, y: number) => img.data[(y * img.width + x) * 4]!;
  expect(at(up, 16, 16)).toBeLessThan(45);
  expect(at(up, 48, 16)).toBeGreaterThan(120);
  const asStored = await decodeImage(readFileSync(file));
  expect([asStored.width, asStored.height]).toEqual([H, W]);
});

it('16-bit, grey and palette PNGs come out as 8-bit RGBA with the same values', async () => {
  const rgb = rampRgb();
  const ref = await decodeImage(await sharp(rgb, raw).png().toBuffer());
  const deep = await decodeImage(await sharp(rgb, raw).toColourspace('rgb16').png().toBuffer());
  expect(deep.data.length).toBe(W * H * 4);
  let differ = 0;
  for (let i = 0; i < ref.data.length; i++) if (ref.data[i] !== deep.data[i]) differ++;
  expect(differ).toBe(0);
  const grey = await decodeImage(await sharp(rgb, raw).greyscale().toColourspace('b-w').png().toBuffer());
  expect(grey.data.length).toBe(W * H * 4);
  for (let p = 0; p < W * H; p += 97) {
    expect(grey.data[4 * p]).toBe(grey.data[4 * p + 1]);
    expect(grey.data[4 * p + 3]).toBe(255);
  }
  const pal = await decodeImage(await sharp(rgb, raw).png({ palette: true, colours: 16 }).toBuffer());
  expect(pal.data.length).toBe(W * H * 4);
  expect(pal.data[(16 * W + 16) * 4]).toBeLessThan(45);
});
