/**
 * Opening a large photo in the playground does not freeze the page (real browser, real bridge): the
 * file is decoded in a worker (util/decode-worker.ts) — the browser's decoding and the canvas read
 * that took ~1 s of the page's thread for a 48 MP JPEG, UPNG.js's decoding of PNGs with
 * transparency or 16 bits that took seconds — while the toolbar says "Opening…"; the pixels, the
 * EXIF made for the download and the notes are those of the page's own decoder
 * (`decodeImageFileOnPage`, the playground's decoder before), byte for byte, for every kind of file
 * it opens. A worker that cannot start leaves the page's decoder doing it; an open replaced by
 * another is cancelled, its worker stopped.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Bridge } from '../../bridge-server/src/server';
import { buildTiff, cameraTiff } from '../../plugin-photopea/src/util/test-exif';
import { ensureBuilt, launchChromium, startBridge } from './harness';
import { docHash, hashOf, openFile, openPlaygroundCollecting, recordNotes } from './pages';

jest.setTimeout(240_000);

let browser: Browser;
let server: { bridge: Bridge; port: number; origin: string };
let dir: string;

/** 1800×1200: 2.16 MP, over the size from which every kind of file is decoded in the worker (2 MP). */
const W = 1800, H = 1200;

/** A photo-like scene (gradients, texture, a disc), 3 or 4 channels (alpha: a soft ramp and a clear hole). */
function scene(w: number, h: number, channels: 3 | 4): Buffer {
  const d = Buffer.alloc(w * h * channels);
  let s = 7;
  for (let y = 0, i = 0; y < h; y++) for (let x = 0; x < w; x++, i += channels) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const n = (s >> 16) & 31, disc = (x - w / 3) ** 2 + (y - h / 2) ** 2 < (h / 5) ** 2;
    d[i] = disc ? 210 : Math.min(255, (x * 200) / w + n); d[i + 1] = disc ? 40 : (y * 220) / h; d[i + 2] = disc ? 45 : ((x ^ y) & 127) + n;
    if (channels === 4) d[i + 3] = x < w / 4 ? Math.round((x * 255) / (w / 4)) : disc ? 0 : 255;
  }
  return d;
}

/** A JPEG with an APP1 `Exif` segment of `tiff` right after SOI (as cameras write it). */
function withExif(jpeg: Buffer, tiff: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  return Buffer.concat([jpeg.subarray(0, 2), Buffer.from([0xff, 0xe1, (body.length + 2) >> 8, (body.length + 2) & 255]), body, jpeg.subarray(2)]);
}

/** The files (served to the page at /__fixtures/<name>), and which are converted to sRGB on opening (a CMYK profile). */
const files: Record<string, { bytes: Buffer; toSrgb?: boolean }> = {};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'smartdrag-playground-open-'));
  await ensureBuilt();
  const rgb = { raw: { width: W, height: H, channels: 3 as const } }, rgba = { raw: { width: W, height: H, channels: 4 as const } };
  const s3 = scene(W, H, 3), s4 = scene(W, H, 4);
  const tiff = buildTiff(cameraTiff(true, 6, W, H, new Uint8Array(await sharp(s3, rgb).resize(160, 107).jpeg({ quality: 70 }).toBuffer())));
  const cmyk = sharp(s3, rgb).toColourspace('cmyk');
  const put = (name: string, bytes: Buffer, toSrgb = false) => { files[name] = { bytes, ...(toSrgb ? { toSrgb } : {}) }; };
  // A phone's JPEG: Display P3, stored sideways (EXIF Orientation 6, a thumbnail).
  put('phone.jpg', withExif(await sharp(s3, rgb).withIccProfile('p3').jpeg({ quality: 92 }).toBuffer(), tiff));
  put('print.jpg', await cmyk.clone().withIccProfile('cmyk').jpeg({ quality: 90 }).toBuffer(), true);
  put('bare-cmyk.jpg', await cmyk.clone().jpeg({ quality: 90 }).toBuffer());
  put('grey.jpg', await sharp(s3, rgb).toColourspace('b-w').jpeg({ quality: 90 }).toBuffer());
  // WebP, which Chromium does not turn: EXIF Orientation 6 kept as it is.
  put('scene.webp', await sharp(s3, rgb).withExif({ IFD0: { Make: 'Canon' } }).withMetadata({ orientation: 6 }).webp({ quality: 90 }).toBuffer());
  put('alpha.webp', await sharp(s4, rgba).webp({ lossless: true }).toBuffer());
  // PNGs: the browser decodes opaque 8-bit ones, UPNG.js the rest; each kind with an eXIf saying "turn 90°".
  put('opaque-exif.png', await sharp(s3, rgb).withExif({ IFD0: { Make: 'Canon' } }).withMetadata({ orientation: 6 }).png({ compressionLevel: 1 }).toBuffer());
  put('alpha-exif.png', await sharp(s4, rgba).withExif({ IFD0: { Make: 'Canon' } }).withMetadata({ orientation: 6 }).png({ compressionLevel: 1 }).toBuffer());
  put('rgb16.png', await sharp(s3, rgb).toColourspace('rgb16').png({ compressionLevel: 1 }).toBuffer());
  put('rgba16.png', await sharp(s4, rgba).toColourspace('rgb16').png({ compressionLevel: 1 }).toBuffer());
  put('grey-alpha.png', await sharp(s4, rgba).toColourspace('b-w').png({ compressionLevel: 1 }).toBuffer());
  put('palette-trns.png', await sharp(s4, rgba).png({ palette: true, colours: 200, dither: 0 }).toBuffer());
  put('palette.png', await sharp(s3, rgb).png({ palette: true, colours: 200, dither: 0 }).toBuffer());
  put('grey.png', await sharp(s3, rgb).toColourspace('b-w').png({ compressionLevel: 1 }).toBuffer());
  // Interlaced 1-bit: UPNG.js refuses it, the browser's decoder then reads it.
  put('interlaced-1bit.png', await sharp(s3, rgb).png({ palette: true, colours: 2, progressive: true, dither: 0 }).toBuffer());
  // Files that do not open: the same error either way.
  const jpeg = files['phone.jpg']!.bytes;
  put('cut.jpg', jpeg.subarray(0, 2000));
  put('not-an-image.png', Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(3 << 20, 7)]));
  for (const [name, f] of Object.entries(files)) writeFileSync(join(dir, name), f.bytes);
  // A 6 MP 16-bit PNG with transparency (UPNG.js takes a second or more): opened, then replaced while it decodes.
  const bw = 3000, bh = 2000;
  writeFileSync(join(dir, 'big16.png'), await sharp(scene(bw, bh, 4), { raw: { width: bw, height: bh, channels: 4 } }).toColourspace('rgb16').png({ compressionLevel: 1 }).toBuffer());
  [server, browser] = await Promise.all([startBridge(0), launchChromium()]);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.bridge.close();
});

/**
 * A context whose pages serve the fixtures at /__fixtures/<name> and record what the page's own
 * thread decodes and reads — `__pageReads` (pixels of each `getImageData`), `__pageDecodes` (size of
 * each Blob given to `createImageBitmap`) — and `__workers`: each worker started (its URL, whether
 * it answered, whether it was stopped before it answered).
 */
async function watchedContext(): Promise<BrowserContext> {
  const ctx = await browser.newContext({ viewport: { width: 1000, height: 900 } });
  await ctx.route(/\/__fixtures\//, (route) => {
    const name = decodeURIComponent(new URL(route.request().url()).pathname.replace('/__fixtures/', ''));
    const f = files[name];
    return f ? route.fulfill({ body: f.bytes, contentType: 'application/octet-stream' }) : route.fulfill({ status: 404, body: 'no fixture' });
  });
  await ctx.addInitScript(() => {
    const w = window as any;
    w.__pageReads = [];
    w.__pageDecodes = [];
    w.__workers = [];
    const gid = CanvasRenderingContext2D.prototype.getImageData;
    CanvasRenderingContext2D.prototype.getImageData = function (this: CanvasRenderingContext2D, ...a: any[]) {
      w.__pageReads.push(a[2] * a[3]);
      return (gid as any).apply(this, a);
    } as any;
    const cib = window.createImageBitmap;
    (window as any).createImageBitmap = function (src: any, ...rest: any[]) {
      if (src instanceof Blob) w.__pageDecodes.push(src.size);
      return (cib as any).call(window, src, ...rest);
    };
    const Base = window.Worker;
    (window as any).Worker = class extends Base {
      constructor(url: string | URL, opts?: WorkerOptions) {
        super(url, opts);
        const rec = { url: String(url), answered: false, stoppedUnanswered: false };
        w.__workers.push(rec);
        this.addEventListener('message', () => { rec.answered = true; });
        const stop = this.terminate.bind(this);
        this.terminate = () => { if (!rec.answered) rec.stoppedUnanswered = true; stop(); };
      }
    };
  });
  return ctx;
}

/** What a decoder gave for a fixture (hashes of the pixels and EXIF), or its error. */
interface Decoded { width?: number; height?: number; data?: string; exif?: string | null; exifProblem?: string | null; sourceDepth?: number | null; error?: string }

/** Decode a fixture in the page with `decodeImageFile` (the worker) and `decodeImageFileOnPage`; whether a decode worker was started for the first. */
function decodeBoth(page: Page, name: string): Promise<{ inWorker: Decoded; onPage: Decoded; workers: number }> {
  return page.evaluate(async ([n, toSrgb]) => {
    const sd = (window as any).smartdrag;
    const bytes = new Uint8Array(await (await fetch(`/__fixtures/${n}`)).arrayBuffer());
    const hex = async (d: Uint8Array | Uint8ClampedArray) => Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', d as Uint8Array<ArrayBuffer>)), (b) => b.toString(16).padStart(2, '0')).join('');
    const run = async (decode: (b: Uint8Array, t: string, o: object) => Promise<any>) => {
      try {
        const r = await decode(bytes, '', { toSrgb });
        return { width: r.width, height: r.height, data: await hex(r.data), exif: r.exif ? await hex(r.exif) : null, exifProblem: r.exifProblem ?? null, sourceDepth: r.sourceDepth ?? null };
      } catch (e) {
        return { error: `${(e as Error).name}: ${(e as Error).message}` };
      }
    };
    const before = (window as any).__workers.filter((x: { url: string }) => x.url.endsWith('/decode-worker.js')).length;
    const inWorker = await run(sd.decodeImageFile);
    const workers = (window as any).__workers.filter((x: { url: string }) => x.url.endsWith('/decode-worker.js')).length - before;
    const onPage = await run(sd.decodeImageFileOnPage);
    return { inWorker, onPage, workers };
  }, [name, !!files[name]!.toSrgb] as const);
}

test('every kind of file the playground opens is decoded in the worker to exactly the pixels, EXIF and notes of the page\'s own decoder: JPEG (P3 turned upright by its EXIF, CMYK with and without a profile, grey), WebP (EXIF kept, lossless with alpha), PNG (opaque, alpha, 16-bit, grey+alpha, palette with and without tRNS, grey, interlaced 1-bit, each with its eXIf), and files that do not open', async () => {
  const ctx = await watchedContext();
  try {
    const { page, errors } = await openPlaygroundCollecting(ctx, server.origin);
    const got: Record<string, Decoded> = {};
    for (const name of Object.keys(files)) {
      const { inWorker, onPage, workers } = await decodeBoth(page, name);
      got[name] = inWorker;
      // (Named, so a failure says which file.)
      expect([name, inWorker]).toEqual([name, onPage]);
      expect([name, workers]).toEqual([name, 1]);
      const opens = !['cut.jpg', 'not-an-image.png'].includes(name);
      expect([name, !onPage.error]).toEqual([name, opens]);
    }
    // What the cases are: upright by the EXIF where the decoder turns it (JPEG, PNG), kept as stored (WebP), 16 bits said, EXIF kept.
    const sizes = ['phone.jpg', 'scene.webp', 'alpha-exif.png', 'opaque-exif.png', 'rgb16.png'].map((n) => [n, got[n]!.width, got[n]!.height, got[n]!.sourceDepth, !!got[n]!.exif]);
    expect(sizes).toEqual([['phone.jpg', H, W, null, true], ['scene.webp', W, H, null, true], ['alpha-exif.png', H, W, null, true], ['opaque-exif.png', H, W, null, true], ['rgb16.png', W, H, 16, false]]);
    expect(got['cut.jpg']!.error).toMatch(/could not be decoded|decode/i);
    expect(errors).toEqual([]);
  } finally {
    await ctx.close();
  }
});

test('opening a large JPEG, a PNG with transparency or a 16-bit PNG: the page\'s thread neither decodes nor reads its pixels (a decode worker does), the toolbar says "Opening…" meanwhile, and the document is what the page\'s own decoder gives', async () => {
  const ctx = await watchedContext();
  try {
    const { page, errors } = await openPlaygroundCollecting(ctx, server.origin);
    const notes = await recordNotes(page);
    const cases: [string, number, string][] = [
      ['phone.jpg', H, ''],
      ['alpha-exif.png', H, ''],
      ['rgb16.png', W, 'This 16-bit image is edited and downloaded at 8 bits per channel.'],
    ];
    for (const [name, shownWidth, note] of cases) {
      const bytes = files[name]!.bytes;
      notes.length = 0;
      await page.evaluate(() => { const w = window as any; w.__pageReads.length = 0; w.__pageDecodes.length = 0; w.__workers.length = 0; });
      await openFile(page, join(dir, name), shownWidth);
      await page.waitForFunction((n) => { const sd = (window as any).smartdrag; return sd.host.doc?.name === n && !sd.panel.reading; }, name);
      const seen = await page.evaluate(() => { const w = window as any; return { reads: [...w.__pageReads], decodes: [...w.__pageDecodes], workers: w.__workers.map((x: { url: string; answered: boolean }) => [x.url.replace(/^.*\//, ''), x.answered]) }; });
      // No read of the image's pixels on the page's thread, nor a decode of the file there.
      expect([name, seen.reads.filter((px: number) => px >= W * H)]).toEqual([name, []]);
      expect([name, seen.decodes.filter((size: number) => size === bytes.length)]).toEqual([name, []]);
      expect([name, seen.workers]).toEqual([name, [['decode-worker.js', true]]]);
      // The toolbar said it was opening, then its note for the image (none for most).
      expect([name, notes.some((t) => new RegExp(`^Opening "${name.replace('.', '\\.')}"…( \\d+ s)?$`).test(t))]).toEqual([name, true]);
      expect([name, await page.textContent('[data-testid=toolbar-note]')]).toEqual([name, note]);
      // The document is the page's own decoder's (the worker's pixels to the byte).
      const want = await hashOf(page, `fetch('/__fixtures/${name}').then((r) => r.arrayBuffer()).then((b) => window.smartdrag.decodeImageFileOnPage(new Uint8Array(b), '')).then((d) => d.data)`);
      expect([name, await docHash(page)]).toEqual([name, want]);
    }
    expect(errors).toEqual([]);
  } finally {
    await ctx.close();
  }
});

test('where the decode worker cannot start (its file not found), a large file still opens, decoded on the page\'s thread as before, with the same pixels and EXIF', async () => {
  const ctx = await watchedContext();
  await ctx.route(/\/decode-worker\.js$/, (route) => route.fulfill({ status: 404, body: 'not found' }));
  try {
    const { page, errors } = await openPlaygroundCollecting(ctx, server.origin);
    for (const name of ['phone.jpg', 'rgba16.png']) {
      const { inWorker, onPage } = await decodeBoth(page, name);
      expect([name, inWorker]).toEqual([name, onPage]);
      expect([name, !!onPage.data]).toEqual([name, true]);
    }
    await openFile(page, join(dir, 'phone.jpg'), H);
    expect(await page.evaluate(() => (window as any).smartdrag.host.exif?.length ?? 0)).toBeGreaterThan(0);
    expect(await page.textContent('[data-testid=toolbar-note]')).toBe('');
    expect(errors).toEqual([]);
  } finally {
    await ctx.close();
  }
});

test('opening another image while a large one is still decoding: the first is cancelled (its worker stopped before it answered) and the newest one opens, with no error', async () => {
  const ctx = await watchedContext();
  try {
    const { page, errors } = await openPlaygroundCollecting(ctx, server.origin);
    const notes = await recordNotes(page);
    await page.setInputFiles('[data-testid=open-file]', join(dir, 'big16.png'));
    await page.waitForFunction(() => (window as any).__workers.some((x: { url: string }) => x.url.endsWith('/decode-worker.js')));
    await page.click('[data-testid=load-sample]');
    await page.waitForFunction(() => { const sd = (window as any).smartdrag; return sd.host.doc?.name === 'smarties.png' && sd.panel.editor.documentSize.width === 413 && !sd.panel.reading; });
    // The first worker was stopped before it answered; nothing more comes from it.
    await page.waitForFunction(() => (window as any).__workers.every((x: { answered: boolean; stoppedUnanswered: boolean }) => x.answered || x.stoppedUnanswered));
    expect(await page.evaluate(() => (window as any).__workers.filter((x: { url: string }) => x.url.endsWith('/decode-worker.js')).map((x: { stoppedUnanswered: boolean }) => x.stoppedUnanswered))).toEqual([true]);
    await page.waitForTimeout(500);
    expect(await page.evaluate(() => (window as any).smartdrag.host.doc.name)).toBe('smarties.png');
    expect(notes.some((t) => /^Opening "big16\.png"…/.test(t))).toBe(true);
    expect(await page.textContent('[data-testid=toolbar-note]')).toBe('');
    expect(await page.evaluate(() => document.querySelector('[data-testid=message]')!.classList.contains('sd-error'))).toBe(false);
    expect(errors).toEqual([]);
  } finally {
    await ctx.close();
  }
});
