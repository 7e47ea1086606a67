import sharp from 'sharp';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodePng, encodePng, PngError } from './png';

function randomRgba(w: number, h: number, seed: number): Uint8ClampedArray {
  const d = new Uint8ClampedArray(w * h * 4);
  let s = seed;
  for (let i = 0; i < d.length; i++) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    d[i] = s >> 16;
  }
  return d;
}

describe('png codec', () => {
  test('encodePng output decodes (by sharp, an independent decoder) to the same RGBA bytes, soft alpha included', async () => {
    const data = randomRgba(37, 23, 7);
    const png = await encodePng({ width: 37, height: 23, data });
    const { data: raw, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([37, 23, 4]);
    expect(Buffer.compare(raw, Buffer.from(data))).toBe(0);
    const back = await decodePng(png);
    expect(Buffer.compare(Buffer.from(back.data), Buffer.from(data))).toBe(0);
  });

  test.each([
    ['rgba', 4, {}],
    ['rgb', 3, {}],
    ['gray', 1, {}],
    ['palette', 3, { palette: true, colours: 200, bitdepth: 8 }],
  ] as const)('decodes sharp-encoded %s PNGs exactly', async (_name, channels, pngOpts) => {
    const w = 29, h = 17;
    const rgba = randomRgba(w, h, 3);
    const src = Buffer.alloc(w * h * channels);
    for (let i = 0; i < w * h; i++) for (let c = 0; c < channels; c++) src[i * channels + c] = rgba[i * 4 + c]!;
    const png = await sharp(src, { raw: { width: w, height: h, channels } }).png({ compressionLevel: 9, adaptiveFiltering: true, ...pngOpts }).toBuffer();
    const expected = await sharp(png).ensureAlpha().raw().toBuffer();
    const got = await decodePng(new Uint8Array(png));
    expect([got.width, got.height]).toEqual([w, h]);
    expect(Buffer.compare(Buffer.from(got.data), expected)).toBe(0);
  });

  test('decodes the smarties fixture like sharp does', async () => {
    const file = readFileSync(join(__dirname, '../../../test/fixtures/photos/smarties.png'));
    const got = await decodePng(new Uint8Array(file));
    const expected = await sharp(file).ensureAlpha().raw().toBuffer();
    expect([got.width, got.height]).toEqual([413, 356]);
    expect(Buffer.compare(Buffer.from(got.data), expected)).toBe(0);
  });

  test('rejects non-PNG data and bad sizes', async () => {
    await expect(decodePng(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]))).rejects.toBeInstanceOf(PngError);
    await expect(encodePng({ width: 2, height: 2, data: new Uint8Array(15) })).rejects.toBeInstanceOf(RangeError);
  });
});
