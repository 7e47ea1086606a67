/**
 * The playground keeps a photo's EXIF (camera, date, GPS, copyright…) in the download, in a real
 * browser against a real bridge, made true of the file saved: a phone JPEG stored sideways
 * (Orientation 6, with an embedded thumbnail) opens upright — Chromium turns it — and its
 * Download JPEG (the browser's own encoder output, with the profile and EXIF put in) says
 * Orientation 1, has no thumbnail and the saved pixel size; a WebP, which Chromium does not turn,
 * keeps its Orientation; a PNG's eXIf is applied (as browsers show it) and kept; a malformed EXIF
 * is left out of a download that still happens, and the toolbar says so. The JPEG download's
 * line goes through its stages (the browser's encoder gives no fraction).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Browser } from 'playwright-core';
import type { Bridge } from '../../bridge-server/src/server';
import { buildTiff, cameraTiff, readExifTags, withApp1 } from '../../plugin-photopea/src/util/test-exif';
import { ensureBuilt, launchChromium, startBridge } from './harness';
import { downloadFile, openAnyFile, openPlayground, pixelAt, recordNotes } from './pages';

jest.setTimeout(180_000);

/** The JPEG as stored: 1200×1000 with a red disc at (400, 420); shown turned 90° clockwise (1000×1200). */
const W = 1200, H = 1000, DISC = [400, 420] as const, R = 90;
/** Where the disc is once the picture is upright (Orientation 6: x' = H − 1 − y, y' = x). */
const UPRIGHT_DISC = [H - 1 - DISC[1], DISC[0]] as const;

let browser: Browser;
let server: { bridge: Bridge; port: number; origin: string };
let dir: string;
let p3: Buffer;
let thumbnail: Buffer;
let sourceTiff: Uint8Array;
let files: { jpeg: string; webp: string; png: string; broken: string; stray: string };

/** A textured grey scene with a red disc (RGB). */
function scene(w: number, h: number): Buffer {
  const rgb = Buffer.alloc(w * h * 3);
  for (let y = 0, i = 0; y < h; y++) for (let x = 0; x < w; x++, i += 3) {
    const t = ((x * 7 + y * 13) % 23) - 11;
    const inDisc = (x - DISC[0]) ** 2 + (y - DISC[1]) ** 2 <= R * R;
    rgb[i] = inDisc ? 210 : 110 + t; rgb[i + 1] = inDisc ? 40 : 120 + t; rgb[i + 2] = inDisc ? 45 : 128 + t;
  }
  return rgb;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'smartdrag-playground-exif-'));
  await ensureBuilt();
  const raw = { raw: { width: W, height: H, channels: 3 as const } };
  const plain = await sharp(scene(W, H), raw).withIccProfile('p3').jpeg({ quality: 92 }).toBuffer();
  p3 = (await sharp(plain).metadata()).icc!;
  // The camera's thumbnail: a small JPEG of the picture as shot (the download must not carry it).
  thumbnail = await sharp(scene(W, H), raw).resize(160, 133).jpeg({ quality: 70 }).toBuffer();
  sourceTiff = buildTiff(cameraTiff(true, 6, W, H, new Uint8Array(thumbnail)));
  const jpeg = join(dir, 'IMG_0100.jpg');
  writeFileSync(jpeg, withApp1(plain, Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), sourceTiff])));
  // A WebP with EXIF saying Orientation 6 (sharp writes it as an EXIF chunk).
  const webp = join(dir, 'scene.webp');
  writeFileSync(webp, await sharp(scene(W, H), raw).withExif({ IFD0: { Make: 'Canon', Copyright: '(c) Jane Doe' } }).withMetadata({ orientation: 6 }).webp({ quality: 92 }).toBuffer());
  // A PNG with an eXIf chunk saying Orientation 6.
  const png = join(dir, 'shot.png');
  writeFileSync(png, await sharp(scene(W, H), raw).withExif({ IFD0: { Make: 'Canon' } }).withMetadata({ orientation: 6 }).png({ compressionLevel: 3 }).toBuffer());
  // A JPEG whose EXIF cannot be followed: IFD0 said to lie far past its end.
  const broken = join(dir, 'broken.jpg');
  writeFileSync(broken, withApp1(plain, Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), Buffer.from([0x4d, 0x4d, 0, 42, 0x7f, 0, 0, 0, 0, 0])])));
  // A JPEG with good EXIF but stray bytes after its segment (decoders skip them; the segments cannot be walked).
  const stray = join(dir, 'stray.jpg');
  const withExif = withApp1(plain, Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), sourceTiff]));
  const after = 4 + 2 + 6 + sourceTiff.length;
  writeFileSync(stray, Buffer.concat([withExif.subarray(0, after), Buffer.from([1, 2, 3]), withExif.subarray(after)]));
  files = { jpeg, webp, png, broken, stray };
  [server, browser] = await Promise.all([startBridge(0), launchChromium()]);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.bridge.close();
});

const isRed = (p: ArrayLike<number>) => p[0]! - p[1]! > 100;

test('a sideways phone JPEG opens upright; Download JPEG carries its EXIF with Orientation 1, no thumbnail, the saved size, and its profile; Download PNG too', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1000, height: 900 }, acceptDownloads: true });
  try {
    const page = await openPlayground(ctx, server.origin);
    // Chromium turns a JPEG as its Orientation says: the document is upright, the disc where it shows.
    expect(await openAnyFile(page, files.jpeg)).toEqual([H, W]);
    expect(isRed(await pixelAt(page, UPRIGHT_DISC[0], UPRIGHT_DISC[1]))).toBe(true);

    const jpg = await downloadFile(page, 'download-original');
    expect(jpg.name).toBe('IMG_0100-smartdrag.jpg');
    expect(jpg.note).toBe(`Saved IMG_0100-smartdrag.jpg (${(jpg.bytes.length / 1e6).toFixed(1)} MB).`);
    const meta = await sharp(jpg.bytes).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', H, W]);
    expect(meta.icc && Buffer.compare(meta.icc, p3)).toBe(0);
    // Viewers must not turn it again: Orientation 1 (sharp reads it as libvips does).
    expect(meta.orientation).toBe(1);
    expect(meta.exif).toBeDefined();
    const got = readExifTags(new Uint8Array(meta.exif!)), was = readExifTags(sourceTiff);
    expect(got.le).toBe(true);
    expect(got.ifd0.get(0x0112)).toEqual([1]);
    for (const tag of [0x010f, 0x0110, 0x0132, 0x8298]) expect(got.ifd0.get(tag)).toEqual(was.ifd0.get(tag));
    expect(got.ifd0.get(0x010f)).toBe('Canon');
    expect(got.exif.get(0x9003)).toBe('2024:05:01 09:59:58');
    expect(got.exif.get(0x927c)).toEqual(was.exif.get(0x927c));
    expect(got.gps).toEqual(was.gps);
    // The saved size (the stored one was 1200×1000).
    expect([got.exif.get(0xa002), got.exif.get(0xa003)]).toEqual([[H], [W]]);
    // No thumbnail: IFD1 unlinked, and its picture not in the file.
    expect(was.ifd1).toBeGreaterThan(0);
    expect(got.ifd1).toBe(0);
    expect(jpg.bytes.includes(thumbnail)).toBe(false);
    // The pixels as the page has them, upright: the disc where it showed (read without auto-turning).
    const px = await sharp(jpg.bytes, { ignoreIcc: true }).raw().toBuffer();
    const at = (UPRIGHT_DISC[1] * H + UPRIGHT_DISC[0]) * 3;
    expect(isRed(px.subarray(at, at + 3))).toBe(true);

    // Download PNG: the same EXIF (an eXIf chunk), Orientation 1.
    const png = await downloadFile(page, 'download');
    const pmeta = await sharp(png.bytes).metadata();
    expect([pmeta.format, pmeta.width, pmeta.height, pmeta.orientation]).toEqual(['png', H, W, 1]);
    const pgot = readExifTags(new Uint8Array(pmeta.exif!));
    expect([pgot.ifd0.get(0x0110), pgot.ifd1, pgot.exif.get(0xa002)]).toEqual(['Canon EOS R5', 0, [H]]);
  } finally {
    await ctx.close();
  }
});

test('a WebP, which Chromium does not turn: shown as stored, and Download WebP keeps its EXIF and its Orientation', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1000, height: 900 }, acceptDownloads: true });
  try {
    const page = await openPlayground(ctx, server.origin);
    expect(await openAnyFile(page, files.webp)).toEqual([W, H]);
    const webp = await downloadFile(page, 'download-original');
    expect(webp.name).toBe('scene-smartdrag.webp');
    const meta = await sharp(webp.bytes).metadata();
    expect([meta.format, meta.width, meta.height, meta.orientation]).toEqual(['webp', W, H, 6]);
    const got = readExifTags(new Uint8Array(meta.exif!));
    expect([got.ifd0.get(0x010f), got.ifd0.get(0x8298)]).toEqual(['Canon', '(c) Jane Doe']);
  } finally {
    await ctx.close();
  }
});

test('a PNG whose eXIf says Orientation 6 opens upright (as browsers show it), and its PNG download keeps the EXIF with Orientation 1', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1000, height: 900 }, acceptDownloads: true });
  try {
    const page = await openPlayground(ctx, server.origin);
    // How this browser shows the file itself: upright.
    const shown = await page.evaluate(async (b64) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      return [img.naturalWidth, img.naturalHeight];
    }, readFileSync(files.png).toString('base64'));
    expect(shown).toEqual([H, W]);
    expect(await openAnyFile(page, files.png)).toEqual([H, W]);
    expect(isRed(await pixelAt(page, UPRIGHT_DISC[0], UPRIGHT_DISC[1]))).toBe(true);
    const png = await downloadFile(page, 'download');
    const meta = await sharp(png.bytes).metadata();
    expect([meta.width, meta.height, meta.orientation]).toEqual([H, W, 1]);
    expect(readExifTags(new Uint8Array(meta.exif!)).ifd0.get(0x010f)).toBe('Canon');
  } finally {
    await ctx.close();
  }
});

test('a JPEG whose EXIF cannot be read (a bad IFD0 offset; stray bytes between segments) still downloads, without EXIF, and the toolbar says so', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1000, height: 900 }, acceptDownloads: true });
  try {
    const page = await openPlayground(ctx, server.origin);
    expect(await openAnyFile(page, files.broken)).toEqual([W, H]);
    const jpg = await downloadFile(page, 'download-original');
    expect(jpg.name).toBe('broken-smartdrag.jpg');
    expect(jpg.note).toBe(`Saved broken-smartdrag.jpg (${(jpg.bytes.length / 1e6).toFixed(1)} MB). Its EXIF (camera, date, place…) was left out, as it cannot be copied: its IFD0 lies outside its data.`);
    const meta = await sharp(jpg.bytes).metadata();
    expect([meta.format, meta.exif]).toEqual(['jpeg', undefined]);
    expect(meta.icc && Buffer.compare(meta.icc, p3)).toBe(0);

    // Stray bytes between segments (the browser decodes it; where its EXIF ends cannot be trusted).
    const page2 = await openPlayground(ctx, server.origin);
    expect(await openAnyFile(page2, files.stray)).toEqual([H, W]);
    const jpg2 = await downloadFile(page2, 'download-original');
    expect(jpg2.note).toMatch(/^Saved stray-smartdrag\.jpg \(\d+\.\d MB\)\. Its EXIF \(camera, date, place…\) was left out, as it cannot be copied: the file's structure cannot be followed \(JPEG header: no marker at byte \d+\)\.$/);
    expect((await sharp(jpg2.bytes).metadata()).exif).toBeUndefined();
  } finally {
    await ctx.close();
  }
});

test('Download JPEG shows its stages (handing the pixels over, with their fraction; encoding, which has none; writing the profile and EXIF); transparent pixels add a flattening stage', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1000, height: 900 }, acceptDownloads: true });
  try {
    const page = await openPlayground(ctx, server.origin);
    await openAnyFile(page, files.jpeg);
    const notes = await recordNotes(page);
    await downloadFile(page, 'download-original');
    const stages = [
      /^Preparing the JPEG…$/,
      /^Preparing the JPEG: handing the pixels to the browser's encoder… \d+%$/,
      /^Preparing the JPEG: the browser is encoding it \(it shows no progress\)…( \d+ s)?$/,
      /^Preparing the JPEG: writing its colour profile and EXIF into the file…$/,
      /^Saved IMG_0100-smartdrag\.jpg /,
    ];
    // Each stage's line, in this order (the seconds may tick in between).
    const firsts = stages.map((re) => notes.findIndex((t) => re.test(t)));
    expect([notes, firsts.every((k, i) => k >= 0 && (i === 0 || k > firsts[i - 1]!))]).toEqual([notes, true]);
    expect(notes.every((t) => t === '' || stages.some((re) => re.test(t)))).toBe(true);

    // A cut-out (transparent pixels), no profile or EXIF: flattened first, nothing to write in.
    await page.evaluate(() => {
      const w = 300, h = 200, data = new Uint8ClampedArray(w * h * 4).fill(200);
      for (let i = 3; i < data.length; i += 8) data[i] = 0;
      (window as any).smartdrag.host.setImage('cut.jpg', { width: w, height: h, data }, { format: 'jpeg' });
    });
    notes.length = 0;
    await downloadFile(page, 'download-original');
    const flat = notes.findIndex((t) => /^Preparing the JPEG: flattening transparent pixels onto white…( \d+ s)?$/.test(t));
    const enc = notes.findIndex((t) => /^Preparing the JPEG: the browser is encoding it/.test(t));
    expect([notes, flat >= 0 && enc > flat]).toEqual([notes, true]);
    expect(notes.some((t) => /writing/.test(t))).toBe(false);
  } finally {
    await ctx.close();
  }
});
