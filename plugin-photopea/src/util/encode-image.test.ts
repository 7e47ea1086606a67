import sharp from 'sharp';
import { embeddedIccProfile } from './png';
import { imageFormatOf, JPEG_EXIF_MAX, withJpegMetadata, withWebpMetadata } from './encode-image';
import { appSegmentBody, jpegSegments, webpChunks } from './containers';
import { embeddedExif } from './exif';
import { buildTiff, cameraTiff, readExifTags } from './test-exif';

const W = 40, H = 30;
function rgb(channels: 3 | 4): Buffer {
  const b = Buffer.alloc(W * H * channels);
  for (let i = 0; i < W * H; i++) {
    b[i * channels] = (i * 7) & 255; b[i * channels + 1] = 90; b[i * channels + 2] = (i * 3) & 255;
    if (channels === 4) b[i * channels + 3] = i % W < 10 ? 0 : 255;
  }
  return b;
}
const raw = (channels: 3 | 4) => ({ raw: { width: W, height: H, channels } });

let p3: Buffer, srgb: Buffer;
beforeAll(async () => {
  p3 = (await sharp(await sharp(rgb(3), raw(3)).withIccProfile('p3').png().toBuffer()).metadata()).icc!;
  srgb = (await sharp(await sharp(rgb(3), raw(3)).withIccProfile('srgb').png().toBuffer()).metadata()).icc!;
});

/** A made-up profile larger than one APP2 segment holds: a valid header (size, 'acsp') and filler. */
function bigProfile(size: number): Uint8Array {
  const icc = new Uint8Array(size);
  icc.set(p3.subarray(0, 132));
  new DataView(icc.buffer).setUint32(0, size);
  icc.set(new Uint8Array(4), 128); // no tags
  for (let i = 132; i < size; i++) icc[i] = (i * 31) & 255;
  return icc;
}

test('imageFormatOf tells PNG, JPEG and WebP from their first bytes', async () => {
  expect(imageFormatOf(new Uint8Array(await sharp(rgb(3), raw(3)).png().toBuffer()))).toBe('png');
  expect(imageFormatOf(new Uint8Array(await sharp(rgb(3), raw(3)).jpeg().toBuffer()))).toBe('jpeg');
  expect(imageFormatOf(new Uint8Array(await sharp(rgb(3), raw(3)).webp().toBuffer()))).toBe('webp');
  expect(imageFormatOf(new Uint8Array([1, 2, 3, 4]))).toBeNull();
});

test('withJpegMetadata puts the profile in after JFIF/Exif, replacing one the JPEG had; the image is untouched', async () => {
  const plain = new Uint8Array(await sharp(rgb(3), raw(3)).jpeg({ quality: 92 }).toBuffer());
  const tagged = withJpegMetadata(plain, { icc: p3 });
  const meta = await sharp(Buffer.from(tagged)).metadata();
  expect(meta.format).toBe('jpeg');
  expect(Buffer.compare(meta.icc!, p3)).toBe(0);
  expect(await embeddedIccProfile(tagged)).toEqual(new Uint8Array(p3));
  // The scan is the same bytes: the same pixels.
  expect(Buffer.compare(await sharp(Buffer.from(tagged), { ignoreIcc: true }).raw().toBuffer(), await sharp(Buffer.from(plain)).raw().toBuffer())).toBe(0);
  expect([tagged[2], tagged[3]]).toEqual([0xff, 0xe2]);
  // JFIF's APP0 (browsers write one; sharp does not) stays first, the profile right after it.
  const app0 = [0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0];
  const jfif = new Uint8Array([...plain.subarray(0, 2), ...app0, ...plain.subarray(2)]);
  const jfifTagged = withJpegMetadata(jfif, { icc: p3 });
  expect([jfifTagged[2], jfifTagged[3], jfifTagged[20], jfifTagged[21]]).toEqual([0xff, 0xe0, 0xff, 0xe2]);
  expect(Buffer.compare((await sharp(Buffer.from(jfifTagged)).metadata()).icc!, p3)).toBe(0);
  // One it had (sRGB) is replaced, not doubled.
  const withSrgb = new Uint8Array(await sharp(rgb(3), raw(3)).withIccProfile('srgb').jpeg().toBuffer());
  expect(Buffer.compare((await sharp(Buffer.from(withSrgb)).metadata()).icc!, srgb)).toBe(0);
  const replaced = withJpegMetadata(withSrgb, { icc: p3 });
  expect(Buffer.compare((await sharp(Buffer.from(replaced)).metadata()).icc!, p3)).toBe(0);
  expect(replaced.length).toBeLessThan(withSrgb.length + p3.length);
  // A profile over 65519 bytes goes in several segments, read back whole.
  const big = bigProfile(150000);
  expect(await embeddedIccProfile(withJpegMetadata(plain, { icc: big }))).toEqual(big);
});

test('withWebpMetadata: lossy, lossy with alpha and lossless WebPs get the profile (VP8X made or flagged), pixels and alpha kept', async () => {
  for (const [name, make] of [
    ['lossy', () => sharp(rgb(3), raw(3)).webp({ quality: 92 })],
    ['lossy+alpha', () => sharp(rgb(4), raw(4)).webp({ quality: 92 })],
    ['lossless+alpha', () => sharp(rgb(4), raw(4)).webp({ lossless: true })],
    ['lossless', () => sharp(rgb(3), raw(3)).webp({ lossless: true })],
    ['tagged sRGB', () => sharp(rgb(3), raw(3)).withIccProfile('srgb').webp({ quality: 92 })],
  ] as const) {
    const plain = new Uint8Array(await make().toBuffer());
    const tagged = withWebpMetadata(plain, { icc: p3 }, { width: W, height: H });
    const [m0, m1] = [await sharp(Buffer.from(plain)).metadata(), await sharp(Buffer.from(tagged)).metadata()];
    expect([name, m1.format, m1.width, m1.height, m1.hasAlpha]).toEqual([name, 'webp', W, H, m0.hasAlpha]);
    expect([name, Buffer.compare(m1.icc!, p3)]).toEqual([name, 0]);
    expect(await embeddedIccProfile(tagged)).toEqual(new Uint8Array(p3));
    const px = async (b: Uint8Array) => sharp(Buffer.from(b), { ignoreIcc: true }).ensureAlpha().raw().toBuffer();
    expect([name, Buffer.compare(await px(tagged), await px(plain))]).toEqual([name, 0]);
  }
});

test('withJpegMetadata with ICC and EXIF: JFIF, then APP1 Exif, then APP2 ICC; both read back by sharp and here; one the JPEG had is replaced', async () => {
  const tiff = buildTiff(cameraTiff(false, 1, W, H));
  const plain = new Uint8Array(await sharp(rgb(3), raw(3)).jpeg({ quality: 92 }).toBuffer());
  const app0 = [0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0];
  const jfif = new Uint8Array([...plain.subarray(0, 2), ...app0, ...plain.subarray(2)]);
  const both = withJpegMetadata(jfif, { icc: p3, exif: tiff });
  const markers = jpegSegments(both).segments.map((s) => s.marker);
  expect(markers.slice(0, 3)).toEqual([0xe0, 0xe1, 0xe2]);
  const meta = await sharp(Buffer.from(both)).metadata();
  expect(Buffer.compare(meta.icc!, p3)).toBe(0);
  expect(Buffer.compare(meta.exif!, Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]))).toBe(0);
  expect(readExifTags(new Uint8Array(meta.exif!)).ifd0.get(0x0110)).toBe('Canon EOS R5');
  expect(embeddedExif(both)).toEqual(tiff);
  expect(await embeddedIccProfile(both)).toEqual(new Uint8Array(p3));
  expect(Buffer.compare(await sharp(Buffer.from(both), { ignoreIcc: true }).raw().toBuffer(), await sharp(Buffer.from(plain)).raw().toBuffer())).toBe(0);

  // A JPEG that had EXIF (Orientation 6, written by sharp): replaced, not doubled.
  const had = new Uint8Array(await sharp(rgb(3), raw(3)).withMetadata({ orientation: 6 }).jpeg().toBuffer());
  expect((await sharp(Buffer.from(had)).metadata()).orientation).toBe(6);
  const replaced = withJpegMetadata(had, { exif: tiff });
  expect(jpegSegments(replaced).segments.filter((s) => appSegmentBody(replaced, s, 0xe1, 'Exif\0\0')).length).toBe(1);
  expect((await sharp(Buffer.from(replaced)).metadata()).orientation).toBe(1);
  // Only the profile asked for: the EXIF it had stays.
  expect(embeddedExif(withJpegMetadata(had, { icc: p3 }))).toEqual(embeddedExif(had));
  // Nothing to put in: the same bytes.
  expect(withJpegMetadata(plain, {})).toBe(plain);
  // One APP1 holds 65527 bytes of EXIF: more is refused (the caller saves without it).
  expect(() => withJpegMetadata(plain, { exif: new Uint8Array(JPEG_EXIF_MAX + 1) })).toThrow(/EXIF too large for a JPEG/);
  expect(embeddedExif(withJpegMetadata(plain, { exif: new Uint8Array(JPEG_EXIF_MAX).fill(7) }))!.length).toBe(JPEG_EXIF_MAX);
});

test('withWebpMetadata with EXIF: an EXIF chunk after the image data and the VP8X flag (ICC flag only with a profile); sharp reads it; pixels kept', async () => {
  const tiff = buildTiff(cameraTiff(true, 6, W, H));
  for (const [name, make] of [
    ['lossy', () => sharp(rgb(3), raw(3)).webp({ quality: 92 })],
    ['lossy+alpha', () => sharp(rgb(4), raw(4)).webp({ quality: 92 })],
    ['lossless', () => sharp(rgb(3), raw(3)).webp({ lossless: true })],
  ] as const) {
    const plain = new Uint8Array(await make().toBuffer());
    for (const icc of [null, p3]) {
      const out = withWebpMetadata(plain, { icc, exif: tiff }, { width: W, height: H });
      const chunks = webpChunks(out);
      expect([name, chunks[0]!.tag, chunks.at(-1)!.tag]).toEqual([name, 'VP8X', 'EXIF']);
      expect([name, out[chunks[0]!.body]! & 0x28]).toEqual([name, icc ? 0x28 : 0x08]);
      expect([name, chunks.some((c) => c.tag === 'ICCP')]).toEqual([name, !!icc]);
      const meta = await sharp(Buffer.from(out)).metadata();
      expect([name, meta.orientation, meta.width, meta.height]).toEqual([name, 6, W, H]);
      // (sharp gives a WebP's EXIF as the chunk holds it: the TIFF bytes, no "Exif\0\0".)
      expect([name, Buffer.compare(meta.exif!, tiff)]).toEqual([name, 0]);
      expect(embeddedExif(out)).toEqual(tiff);
      const px = async (b: Uint8Array) => sharp(Buffer.from(b), { ignoreIcc: true }).ensureAlpha().raw().toBuffer();
      expect([name, Buffer.compare(await px(out), await px(plain))]).toEqual([name, 0]);
    }
  }
});
