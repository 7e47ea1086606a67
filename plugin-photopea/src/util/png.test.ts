import sharp from 'sharp';
import * as zlib from 'node:zlib';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as UPNG from 'upng-js';
import { decodePng, embeddedIccProfile, encodePng, PngError, STREAM_ENCODE_MIN_PIXELS } from './png';
import { pngChunks } from './containers';
import { embeddedExif } from './exif';
import { buildTiff, cameraTiff, readExifTags } from './test-exif';

/** A 16-bit PNG written by hand (filter 0 on every row), independent of the codec under test. */
function png16(w: number, h: number, ctype: number, samples: Uint16Array): Buffer {
  const ch = samples.length / (w * h);
  const raw = Buffer.alloc((w * ch * 2 + 1) * h);
  for (let y = 0; y < h; y++) for (let i = 0; i < w * ch; i++) raw.writeUInt16BE(samples[y * w * ch + i]!, y * (w * ch * 2 + 1) + 1 + i * 2);
  const chunk = (type: string, body: Buffer) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(body.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), body]);
    const crc = Buffer.alloc(4); crc.writeUInt32BE(zlib.crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13); ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4); ihdr[8] = 16; ihdr[9] = ctype;
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/**
 * A PNG of any colour type and bit depth written here byte by byte (filter 0 on every row, each
 * scanline padded to whole bytes as the PNG spec says), optionally Adam7-interlaced, with extra
 * chunks (tRNS) before IDAT: independent of the codec under test and of sharp's writer.
 * `samples`: w·h·channels sample values at `depth` bits.
 */
function writePng(w: number, h: number, depth: number, ctype: number, samples: ArrayLike<number>, opts: { extra?: [string, Buffer][]; interlace?: boolean } = {}): Buffer {
  const ch = ctype === 0 ? 1 : ctype === 2 ? 3 : ctype === 3 ? 1 : ctype === 4 ? 2 : 4;
  const chunk = (type: string, body: Buffer) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(body.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), body]);
    const crc = Buffer.alloc(4); crc.writeUInt32BE(zlib.crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  /** Rows `ys` × columns `xs` of the image, each row a filter byte 0 and its packed samples. */
  const rows = (xs: number[], ys: number[]): Buffer[] => ys.map((y) => {
    const row = Buffer.alloc(1 + Math.ceil((xs.length * ch * depth) / 8));
    xs.forEach((x, k) => {
      for (let c = 0; c < ch; c++) {
        const v = samples[(y * w + x) * ch + c]!;
        const at = (k * ch + c) * depth;
        if (depth === 16) row.writeUInt16BE(v, 1 + at / 8);
        else row[1 + (at >> 3)] |= v << (8 - depth - (at & 7));
      }
    });
    return row;
  });
  const range = (start: number, end: number, step: number) => { const r: number[] = []; for (let i = start; i < end; i += step) r.push(i); return r; };
  const parts: Buffer[] = [];
  if (!opts.interlace) parts.push(...rows(range(0, w, 1), range(0, h, 1)));
  else {
    for (const [x0, y0, dx, dy] of [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]] as const) {
      const xs = range(x0, w, dx), ys = range(y0, h, dy);
      if (xs.length && ys.length) parts.push(...rows(xs, ys));
    }
  }
  const ihdr = Buffer.alloc(13); ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4); ihdr[8] = depth; ihdr[9] = ctype; ihdr[12] = opts.interlace ? 1 : 0;
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), ...(opts.extra ?? []).map(([t, b]) => chunk(t, b)),
    chunk('IDAT', zlib.deflateSync(Buffer.concat(parts))), chunk('IEND', Buffer.alloc(0))]);
}

/** Samples cycling through every value of `depth` bits, in a pattern that differs from row to row. */
function cycling(n: number, depth: number): number[] {
  const max = 2 ** depth - 1;
  return Array.from({ length: n }, (_, i) => (i * 5 + Math.floor(i / 3)) % (max + 1));
}

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
    // No colour tag: the numbers are the document's own (not claimed to be sRGB).
    expect(Buffer.from(png).includes(Buffer.from('sRGB'))).toBe(false);
    expect(Buffer.from(png).includes(Buffer.from('iCCP'))).toBe(false);
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

  test.each([
    [2, 1], [4, 2], [16, 4], [200, 8],
  ] as const)('decodes palette PNGs of %i colours (written at %i bit by sharp), interlaced too (except 1-bit)', async (colours, bits) => {
    const w = 31, h = 19;
    const src = Buffer.alloc(w * h * 3);
    for (let i = 0; i < w * h; i++) { const k = (i * 7 + (i % 5)) % colours; src[i * 3] = k * 9 % 256; src[i * 3 + 1] = (k * 37) % 256; src[i * 3 + 2] = 255 - k; }
    for (const progressive of bits === 1 ? [false] : [false, true]) {
      const png = await sharp(src, { raw: { width: w, height: h, channels: 3 } }).png({ palette: true, colours, bitdepth: bits, dither: 0, progressive } as object).toBuffer();
      expect([png[24], png[25], png[28]]).toEqual([bits, 3, progressive ? 1 : 0]);
      const expected = await sharp(png).ensureAlpha().raw().toBuffer();
      const got = await decodePng(new Uint8Array(png));
      expect(got.sourceColorType).toBe(3);
      expect(Buffer.compare(Buffer.from(got.data), expected)).toBe(0);
    }
  });

  test('decodes what UPNG.js (Photopea\'s engine) writes for a hard-edged two-colour mask: a 1-bit palette PNG with tRNS', async () => {
    const w = 64, h = 64;
    const rgba = new Uint8Array(w * h * 4);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (x > 20 && x < 50 && y > 10 && y < 40) rgba.fill(255, (y * w + x) * 4, (y * w + x) * 4 + 4);
    const png = new Uint8Array(UPNG.encode([rgba.buffer], w, h, 0));
    expect([png[24], png[25]]).toEqual([1, 3]);
    const got = await decodePng(png);
    expect(Buffer.compare(Buffer.from(got.data), Buffer.from(rgba))).toBe(0);
  });

  test.each([
    ['grey16', 0, 1], ['grey+alpha16', 4, 2], ['rgb16', 2, 3], ['rgba16', 6, 4],
  ] as const)('decodes %s PNGs (also Adam7-interlaced), rounding to 8 bits once: within half a step of v·255/65535', async (_n, ctype, channels) => {
    const w = 23, h = 11;
    const src = new Uint16Array(w * h * channels);
    for (let i = 0; i < src.length; i++) src[i] = (i * 2654435761) % 65536;
    const png = png16(w, h, ctype, src);
    // The same pixels Adam7-interlaced (sharp re-encodes, keeping 16 bits).
    const interlaced = await sharp(png).toColourspace(channels <= 2 ? 'grey16' : 'rgb16').png({ progressive: true }).toBuffer();
    expect([interlaced[24], interlaced[28]]).toEqual([16, 1]);
    for (const file of [png, interlaced]) {
      const got = await decodePng(new Uint8Array(file));
      expect(got.sourceDepth).toBe(16);
      let worst = 0;
      for (let p = 0; p < w * h; p++) {
        for (let c = 0; c < 4; c++) {
          const sc = channels <= 2 ? (c < 3 ? 0 : 1) : c;
          const v16 = sc < channels ? src[p * channels + sc]! : 65535;
          worst = Math.max(worst, Math.abs(got.data[p * 4 + c]! - (v16 * 255) / 65535));
        }
      }
      expect(worst).toBeLessThanOrEqual(0.5);
    }
  });

  test('interlaced 1-bit PNGs are refused with a clear error (UPNG.js 2.1.0 misplaces their samples)', async () => {
    const src = Buffer.alloc(31 * 19 * 3);
    for (let i = 0; i < 31 * 19; i++) src[i * 3] = i % 3 ? 255 : 0;
    const png = await sharp(src, { raw: { width: 31, height: 19, channels: 3 } }).png({ palette: true, colours: 2, bitdepth: 1, progressive: true } as object).toBuffer();
    await expect(decodePng(new Uint8Array(png))).rejects.toThrow(/interlaced 1-bit/);
  });

  test('grey 1/2/4-bit PNGs decode to full-range grey', async () => {
    const w = 16, h = 3;
    const src = Buffer.alloc(w * h);
    for (let i = 0; i < src.length; i++) src[i] = (i % 4) * 85;
    const png = await sharp(src, { raw: { width: w, height: h, channels: 1 } }).png({ palette: false, bitdepth: 2 } as any).toBuffer();
    const got = await decodePng(new Uint8Array(png));
    const expected = await sharp(png).ensureAlpha().raw().toBuffer();
    expect(Buffer.compare(Buffer.from(got.data), expected)).toBe(0);
  });

  // UPNG.js 2.1.0's toRGBA8 reads grey samples below 8 bits as one stream, ignoring that each
  // scanline starts on a new byte: from the second row on the image came out sheared.
  test.each([[1], [2], [4], [8]] as const)('grey %i-bit PNGs whose rows do not fill whole bytes decode row by row like sharp (Adam7-interlaced too, except 1-bit)', async (depth) => {
    for (const [w, h] of [[7, 5], [13, 9], [1, 3], [9, 17]] as const) {
      for (const interlace of depth === 1 ? [false] : [false, true]) {
        const png = writePng(w, h, depth, 0, cycling(w * h, depth), { interlace });
        const expected = await sharp(png).ensureAlpha().raw().toBuffer();
        const got = await decodePng(new Uint8Array(png));
        expect({ w, h, interlace, same: Buffer.compare(Buffer.from(got.data), expected) === 0 }).toEqual({ w, h, interlace, same: true });
      }
    }
  });

  // tRNS names one grey (or RGB) sample value as fully transparent. UPNG.js 2.1.0 drops a grey
  // tRNS of value 0 (it tests the value for truth) and 16-bit files were converted here without it.
  test.each([
    ['grey 1-bit, tRNS 0', 1, 0, [0]], ['grey 1-bit, tRNS 1', 1, 0, [1]], ['grey 2-bit, tRNS 2', 2, 0, [2]], ['grey 4-bit, tRNS 0', 4, 0, [0]],
    ['grey 8-bit, tRNS 0', 8, 0, [0]], ['grey 8-bit, tRNS 77', 8, 0, [77]], ['grey 16-bit, tRNS 1000', 16, 0, [1000]], ['grey 16-bit, tRNS 0', 16, 0, [0]],
    ['RGB 8-bit, tRNS 0,0,0', 8, 2, [0, 0, 0]], ['RGB 16-bit, tRNS 1000,0,65535', 16, 2, [1000, 0, 65535]], ['RGB 16-bit, tRNS 0,0,0', 16, 2, [0, 0, 0]],
  ] as const)('%s: the named sample value is transparent, as sharp reads it', async (_name, depth, ctype, key) => {
    const w = 7, h = 5, ch = ctype === 0 ? 1 : 3;
    const samples = cycling(w * h * ch, depth).map((v) => (depth === 16 ? (v * 4099) % 65536 : v));
    // Some pixels carry the key exactly; for RGB one more differs from it in one channel only (stays opaque).
    for (const p of [0, 8, 20, 34]) for (let c = 0; c < ch; c++) samples[p * ch + c] = key[c]!;
    if (ch === 3) { samples[12 * 3] = key[0]!; samples[12 * 3 + 1] = key[1]!; samples[12 * 3 + 2] = key[2]! ^ 1; }
    const trns = Buffer.alloc(2 * ch);
    key.forEach((v, c) => trns.writeUInt16BE(v, 2 * c));
    const png = writePng(w, h, depth, ctype, samples, { extra: [['tRNS', trns]] });
    const expected = await sharp(png).ensureAlpha().raw().toBuffer();
    const got = await decodePng(new Uint8Array(png));
    const alpha = (d: ArrayLike<number>) => Array.from({ length: w * h }, (_, i) => d[i * 4 + 3]);
    expect(alpha(got.data)).toEqual(alpha(expected));
    expect(alpha(got.data).filter((a) => a === 0).length).toBeGreaterThanOrEqual(4);
    // Colours as sharp reads them (16 bits: sharp truncates to 8, this codec rounds — within one step).
    let worst = 0;
    for (let i = 0; i < expected.length; i++) if (i % 4 !== 3) worst = Math.max(worst, Math.abs(got.data[i]! - expected[i]!));
    expect(worst).toBeLessThanOrEqual(depth === 16 ? 1 : 0);
  });

  test('decodes the smarties fixture like sharp does', async () => {
    const file = readFileSync(join(__dirname, '../../../test/fixtures/photos/smarties.png'));
    const got = await decodePng(new Uint8Array(file));
    const expected = await sharp(file).ensureAlpha().raw().toBuffer();
    expect([got.width, got.height]).toEqual([413, 356]);
    expect(Buffer.compare(Buffer.from(got.data), expected)).toBe(0);
  });

  /** A photo-like image over the streamed encoder's threshold: gradients, texture, noise; `alpha` soft or opaque. */
  function largeImage(w: number, h: number, alpha: boolean): Uint8ClampedArray {
    const d = new Uint8ClampedArray(w * h * 4);
    let s = 12345;
    for (let y = 0, i = 0; y < h; y++) for (let x = 0; x < w; x++, i += 4) {
      s = (s * 1103515245 + 12345) & 0x7fffffff;
      const n = (s >> 16) & 15;
      d[i] = (x * 255) / w + n; d[i + 1] = (y * 255) / h + ((x >> 3) & 1) * 40; d[i + 2] = ((x ^ y) & 63) + n;
      d[i + 3] = alpha ? (x + y) & 255 : 255;
    }
    return d;
  }

  test.each([
    ['opaque', false, 2, 3],
    ['soft alpha', true, 6, 4],
  ] as const)('a large %s image is streamed through the platform zlib: sharp decodes the same pixels', async (_name, alpha, ctype, channels) => {
    const w = 1100, h = 1000;
    expect(w * h).toBeGreaterThanOrEqual(STREAM_ENCODE_MIN_PIXELS);
    const data = largeImage(w, h, alpha);
    const progress: number[] = [];
    const png = await encodePng({ width: w, height: h, data }, { onProgress: (f) => progress.push(f) });
    expect(png[25]).toBe(ctype); // IHDR colour type: RGB when every pixel is opaque
    const { data: raw, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([w, h, channels]);
    const want = channels === 4 ? Buffer.from(data) : Buffer.from(data.filter((_, i) => i % 4 !== 3));
    expect(Buffer.compare(raw, want)).toBe(0);
    const back = await decodePng(png);
    expect(Buffer.compare(Buffer.from(back.data), Buffer.from(data))).toBe(0);
    // Progress between bands, rising, ending at 1; several IDAT chunks of ≤ 1 MiB; compressed.
    expect(progress.length).toBeGreaterThan(5);
    expect(progress.every((f, k) => k === 0 || f >= progress[k - 1]!)).toBe(true);
    expect(progress[progress.length - 1]).toBe(1);
    expect(png.length).toBeLessThan(0.6 * w * h * channels);
    expect(Buffer.from(png).includes(Buffer.from('sRGB'))).toBe(false);
  });

  test('the ICC profile of a PNG, JPEG or WebP file is found and embedded in the encoded PNG (small and large)', async () => {
    const w = 40, h = 30;
    const rgb = Buffer.alloc(w * h * 3, 120);
    const raw = { raw: { width: w, height: h, channels: 3 as const } };
    const p3Jpeg = await sharp(rgb, raw).withIccProfile('p3').jpeg().toBuffer();
    const p3 = (await sharp(p3Jpeg).metadata()).icc!;
    expect(p3.length).toBeGreaterThan(132);
    const fromJpeg = await embeddedIccProfile(new Uint8Array(p3Jpeg));
    expect(fromJpeg && Buffer.compare(Buffer.from(fromJpeg), p3)).toBe(0);
    const fromPng = await embeddedIccProfile(new Uint8Array(await sharp(rgb, raw).withIccProfile('p3').png().toBuffer()));
    expect(fromPng && Buffer.compare(Buffer.from(fromPng), p3)).toBe(0);
    const fromWebp = await embeddedIccProfile(new Uint8Array(await sharp(rgb, raw).withIccProfile('p3').webp({ lossless: true }).toBuffer()));
    expect(fromWebp && Buffer.compare(Buffer.from(fromWebp), p3)).toBe(0);
    // A profile split over two APP2 segments (as large profiles are), written here by hand.
    const half = Math.floor(p3.length / 2);
    const seg = (k: number, part: Buffer) => {
      const body = Buffer.concat([Buffer.from('ICC_PROFILE\0', 'latin1'), Buffer.from([k, 2]), part]);
      return Buffer.concat([Buffer.from([0xff, 0xe2, (body.length + 2) >> 8, (body.length + 2) & 255]), body]);
    };
    const plain = await sharp(rgb, raw).jpeg().toBuffer();
    expect(await embeddedIccProfile(new Uint8Array(plain))).toBeNull();
    const split = Buffer.concat([plain.subarray(0, 2), seg(2, p3.subarray(half)), seg(1, p3.subarray(0, half)), plain.subarray(2)]);
    const fromSplit = await embeddedIccProfile(new Uint8Array(split));
    expect(fromSplit && Buffer.compare(Buffer.from(fromSplit), p3)).toBe(0);
    // One of the two segments missing: no profile (not half of one).
    expect(await embeddedIccProfile(new Uint8Array(Buffer.concat([plain.subarray(0, 2), seg(1, p3.subarray(0, half)), plain.subarray(2)])))).toBeNull();
    // Untagged PNGs and other bytes: none.
    expect(await embeddedIccProfile(new Uint8Array(await sharp(rgb, raw).png().toBuffer()))).toBeNull();
    expect(await embeddedIccProfile(new Uint8Array([1, 2, 3]))).toBeNull();

    for (const [W, H] of [[w, h], [1100, 1000]] as const) {
      const data = largeImage(W, H, false);
      const png = await encodePng({ width: W, height: H, data }, { icc: fromJpeg });
      const meta = await sharp(png).metadata();
      expect(meta.icc && Buffer.compare(meta.icc, p3)).toBe(0);
      const back = await decodePng(png); // the numbers unchanged (the profile says what they mean)
      expect(Buffer.compare(Buffer.from(back.data), Buffer.from(data))).toBe(0);
    }
  });

  test('EXIF goes in as an eXIf chunk before the image data (small and large images), read back by sharp and embeddedExif', async () => {
    const tiff = buildTiff(cameraTiff(false, 1, 40, 30));
    for (const [W, H] of [[40, 30], [1100, 1000]] as const) {
      const data = largeImage(W, H, false);
      const png = await encodePng({ width: W, height: H, data }, { exif: tiff, icc: null });
      const types = pngChunks(png).map((c) => c.type);
      expect(types.indexOf('eXIf')).toBeGreaterThan(0);
      expect(types.indexOf('eXIf')).toBeLessThan(types.indexOf('IDAT'));
      expect(embeddedExif(png)).toEqual(tiff);
      const meta = await sharp(png).metadata();
      expect(meta.exif && readExifTags(new Uint8Array(meta.exif)).ifd0.get(0x010f)).toBe('Canon');
      expect(Buffer.compare(Buffer.from((await decodePng(png)).data), Buffer.from(data))).toBe(0);
    }
  });

  test('rejects non-PNG data and bad sizes', async () => {
    await expect(decodePng(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]))).rejects.toBeInstanceOf(PngError);
    await expect(encodePng({ width: 2, height: 2, data: new Uint8Array(15) })).rejects.toBeInstanceOf(RangeError);
  });
});

test('encodePng ends every PNG with IEND, also of 1–3 pixels (UPNG.js cut it off: Chromium refused those files)', async () => {
  for (const [w, h] of [[1, 1], [2, 1], [1, 2], [1, 3], [3, 3]] as const) {
    const data = new Uint8ClampedArray(w * h * 4);
    for (let i = 0; i < data.length; i++) data[i] = (i * 53 + 200) & 255;
    const png = Buffer.from(await encodePng({ width: w, height: h, data }));
    expect([w, h, png.subarray(png.length - 12).toString('hex')]).toEqual([w, h, '0000000049454e44ae426082']);
    expect(Buffer.from((await decodePng(new Uint8Array(png))).data).equals(Buffer.from(data))).toBe(true);
    expect((await sharp(png).metadata()).width).toBe(w);
  }
});
