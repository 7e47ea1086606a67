import sharp from 'sharp';
import { ContainerError } from './containers';
import { embeddedExif, ExifError, exifForOutput, exifOrientation, exifWithOrientation, orientRgba } from './exif';
import { buildTiff, cameraTiff, readExifTags } from './test-exif';

const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));

/** A JPEG by hand: SOI, the given segments (marker, body), a stand-in scan and EOI. */
function jpegWith(...segs: [number, number[]][]): Uint8Array {
  const out = [0xff, 0xd8];
  for (const [m, body] of segs) out.push(0xff, m, (body.length + 2) >> 8, (body.length + 2) & 255, ...body);
  out.push(0xff, 0xda, 0, 2, 1, 2, 3, 0xff, 0xd9);
  return new Uint8Array(out);
}

describe.each([['little-endian (II)', true], ['big-endian (MM)', false]] as const)('exifForOutput, %s', (_, le) => {
  const source = buildTiff(cameraTiff(le, 6, 4000, 3000));

  test('upright pixels: Orientation 1, the thumbnail (IFD1) unlinked and cut off, the saved size; everything else as it was', () => {
    const before = readExifTags(source);
    expect(before.ifd0.get(0x0112)).toEqual([6]);
    expect(before.ifd1).toBeGreaterThan(0);
    const out = exifForOutput(source, { upright: true, width: 3000, height: 4000 });
    const after = readExifTags(out);
    expect(after.le).toBe(le);
    expect(after.ifd0.get(0x0112)).toEqual([1]);
    expect(after.ifd1).toBe(0);
    // The thumbnail was last: the bytes end where IFD1 began.
    expect(out.length).toBe(before.ifd1);
    expect(after.exif.get(0xa002)).toEqual([3000]); // LONG
    expect(after.exif.get(0xa003)).toEqual([4000]); // SHORT
    for (const tag of [0x010f, 0x0110, 0x0132, 0x8298]) expect(after.ifd0.get(tag)).toEqual(before.ifd0.get(tag));
    expect(after.exif.get(0x9003)).toBe('2024:05:01 09:59:58');
    expect(after.exif.get(0x927c)).toEqual(before.exif.get(0x927c));
    expect(after.gps).toEqual(before.gps);
    // Only those bytes changed (orientation, pixel size, next-IFD offset): the rest is the source's.
    let changed = 0;
    for (let i = 0; i < out.length; i++) if (out[i] !== source[i]) changed++;
    expect(changed).toBeLessThanOrEqual(1 + 4 + 2 + 4);
    // The source is not touched.
    expect(readExifTags(source).ifd0.get(0x0112)).toEqual([6]);
  });

  test('pixels not turned (the decoder left them as stored): the Orientation is kept, the thumbnail still goes', () => {
    const after = readExifTags(exifForOutput(source, { upright: false, width: 4000, height: 3000 }));
    expect(after.ifd0.get(0x0112)).toEqual([6]);
    expect(after.ifd1).toBe(0);
    expect([after.exif.get(0xa002), after.exif.get(0xa003)]).toEqual([[4000], [3000]]);
  });

  test('a thumbnail before the sub-IFDs is unlinked but nothing is cut off (the data after it is still used)', () => {
    const first = buildTiff({ ...cameraTiff(le, 3, 40, 30), thumbnailFirst: true });
    const out = exifForOutput(first, { upright: true, width: 40, height: 30 });
    expect(out.length).toBe(first.length);
    const after = readExifTags(out);
    expect([after.ifd0.get(0x0112), after.ifd1, after.gps.get(0x0001)]).toEqual([[1], 0, 'N']);
  });

  test('no IFD1, no sub-IFDs, no Orientation: unchanged', () => {
    const plain = buildTiff({ le, ifd0: [{ tag: 0x010f, type: 2, value: 'Make' }] });
    expect(exifForOutput(plain, { upright: true, width: 1, height: 1 })).toEqual(plain);
  });
});

test('exifOrientation reads IFD0 in both byte orders; 1 without the tag; null when unreadable', () => {
  for (const le of [true, false]) for (const o of [1, 3, 6, 8]) expect(exifOrientation(buildTiff(cameraTiff(le, o, 4, 3)))).toBe(o);
  expect(exifOrientation(exifWithOrientation(6))).toBe(6);
  expect(exifOrientation(buildTiff({ le: true, ifd0: [{ tag: 0x010f, type: 2, value: 'X' }] }))).toBe(1);
  expect(exifOrientation(new Uint8Array([1, 2, 3]))).toBeNull();
  expect(exifOrientation(buildTiff({ le: true, ifd0: [{ tag: 0x0112, type: 4, value: [6] }] }))).toBeNull();
});

test('a malformed EXIF is refused with a reason, not copied half-way', () => {
  const good = buildTiff(cameraTiff(false, 6, 40, 30));
  const cases: [string, Uint8Array, RegExp][] = [
    ['cut short', good.subarray(0, 6), /cut short/],
    ['no byte-order mark', new Uint8Array([0x58, 0x58, 0, 42, 0, 0, 0, 8]), /byte-order mark/],
    ['not 42', new Uint8Array([0x4d, 0x4d, 0, 43, 0, 0, 0, 8]), /not one/],
    ['IFD0 outside', (() => { const b = good.slice(); b[4] = 0x7f; return b; })(), /IFD0 lies outside/],
    ['IFD0 cut', good.subarray(0, 20), /IFD0 runs past/],
    ['Exif sub-IFD outside', (() => {
      const t = buildTiff({ le: true, ifd0: [{ tag: 0x8769, type: 4, value: [5000] }] });
      return t;
    })(), /Exif sub-IFD lies outside/],
    ['Orientation not a SHORT', buildTiff({ le: true, ifd0: [{ tag: 0x0112, type: 4, value: [6] }] }), /Orientation tag is malformed/],
  ];
  for (const [name, bytes, why] of cases) {
    let err: unknown = null;
    try { exifForOutput(bytes, { upright: true, width: 1, height: 1 }); } catch (e) { err = e; }
    expect([name, err instanceof ExifError]).toEqual([name, true]);
    expect([name, (err as Error).message]).toEqual([name, expect.stringMatching(why)]);
  }
  // A GPS IFD pointing outside is not the download's business: copied as it is (nothing cut off).
  const badGps = buildTiff({ le: false, ifd0: [{ tag: 0x8825, type: 4, value: [9999] }, { tag: 0x0112, type: 3, value: [6] }] });
  expect(readExifTags(exifForOutput(badGps, { upright: true, width: 1, height: 1 })).ifd0.get(0x0112)).toEqual([1]);
});

test('embeddedExif finds the EXIF of a JPEG (APP1), a WebP (EXIF chunk, with or without "Exif\\0\\0") and a PNG (eXIf)', async () => {
  const tiff = buildTiff(cameraTiff(true, 6, 40, 30));
  const xmp = [...ascii('http://ns.adobe.com/xap/1.0/\0'), ...ascii('<x/>')];
  // After JFIF and an XMP APP1 (not EXIF), before the scan.
  const jpeg = jpegWith([0xe0, ascii('JFIF\0\x01\x01\0\0\x01\0\x01\0\0')], [0xe1, xmp], [0xe1, [...ascii('Exif\0\0'), ...tiff]], [0xdb, [0, 1, 2]]);
  expect(embeddedExif(jpeg)).toEqual(tiff);
  expect(embeddedExif(jpegWith([0xe1, xmp]))).toBeNull();
  // The file's structure cannot be followed: said, not taken for "no EXIF".
  const cut = jpeg.slice(0, 40);
  expect(() => embeddedExif(cut)).toThrow(ContainerError);

  const w = 8, h = 6, raw = { raw: { width: w, height: h, channels: 3 as const } }, rgb = Buffer.alloc(w * h * 3, 90);
  // sharp (libvips) writes EXIF into WebP as an EXIF chunk and into PNG as eXIf: found there.
  for (const f of ['webp', 'png'] as const) {
    const file = new Uint8Array(await sharp(rgb, raw).withMetadata({ orientation: 6 })[f]().toBuffer());
    const found = embeddedExif(file);
    expect([f, found && exifOrientation(found)]).toEqual([f, 6]);
  }
  // A WebP EXIF chunk with JPEG's "Exif\0\0" before the TIFF bytes (some writers): without it.
  const riff = (chunks: [string, number[]][]) => {
    const body: number[] = ascii('WEBP');
    for (const [t, b] of chunks) body.push(...ascii(t), b.length & 255, (b.length >> 8) & 255, 0, 0, ...b, ...(b.length & 1 ? [0] : []));
    return new Uint8Array([...ascii('RIFF'), body.length & 255, (body.length >> 8) & 255, 0, 0, ...body]);
  };
  expect(embeddedExif(riff([['VP8X', new Array(10).fill(0)], ['VP8L', [0x2f, 0, 0, 0, 0]], ['EXIF', [...ascii('Exif\0\0'), ...tiff]]]))).toEqual(tiff);
  expect(embeddedExif(riff([['VP8L', [0x2f, 0, 0, 0, 0]]]))).toBeNull();
  expect(embeddedExif(new Uint8Array([1, 2, 3, 4]))).toBeNull();
});

test('orientRgba turns pixels as sharp (libvips) does for each EXIF Orientation', async () => {
  const w = 5, h = 3;
  const rgba = new Uint8ClampedArray(w * h * 4);
  for (let i = 0; i < w * h; i++) rgba.set([i * 16, 255 - i * 16, i, 255], i * 4);
  for (let o = 1; o <= 8; o++) {
    const turned = orientRgba({ width: w, height: h, data: rgba }, o);
    const png = await sharp(Buffer.from(rgba), { raw: { width: w, height: h, channels: 4 } }).withMetadata({ orientation: o }).png().toBuffer();
    const { data, info } = await sharp(png).rotate().raw().toBuffer({ resolveWithObject: true });
    expect([o, turned.width, turned.height]).toEqual([o, info.width, info.height]);
    expect([o, Buffer.compare(Buffer.from(turned.data), data)]).toEqual([o, 0]);
  }
});
