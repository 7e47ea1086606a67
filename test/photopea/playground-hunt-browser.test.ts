/**
 * What a demanding new user of the playground ran into (real browser, real bridges): opening
 * another image silently dropped results not downloaded yet; a CMYK JPEG's CMYK profile went into
 * the RGB downloads; a bridge restarted with another token left the page "Not connected" for good,
 * telling it to use "plugin settings" it does not have; a bridge gone without a word (crashed, the
 * machine asleep) left "Working…" at a frozen percentage under "not running", and Cancel then
 * stuck at "Cancelling…" (Smart Drag, Undo and Redo with it) until the bridge came back; a bridge
 * back without the job had its "nothing was applied" replaced by the next live preview's line; the
 * panel widened when a plan with a warning came, the thumbnail jumping sideways; the lasso's tint
 * was a whole-document image (192 MB at 48 MP, on every lasso).
 *
 * A bridge "gone without a word" is a TCP proxy between the page and the bridge whose sockets are
 * destroyed (no WebSocket close), and which is then put back in front of the same bridge or
 * another one.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import pino from 'pino';
import sharp from 'sharp';
import type { Browser, Download, Page } from 'playwright-core';
import { loadConfig } from '../../bridge-server/src/config';
import { createBridge, type Bridge } from '../../bridge-server/src/server';
import { decodePng } from '../../plugin-photopea/src/util/png';
import { DIST, ensureBuilt, launchChromium, startBridge, TEST_TOKEN } from './harness';
import { CANDY, CANDY_DRAG, candyDragPreviewed, docHash, dragOnEditor, lassoOnPage, loadSample, message, openFile, openPlaygroundCollecting } from './pages';

jest.setTimeout(180_000);

let browser: Browser;
let server: { bridge: Bridge; port: number; origin: string };
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'smartdrag-playground-hunt-'));
  await ensureBuilt();
  [server, browser] = await Promise.all([startBridge(0), launchChromium()]);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.bridge.close();
});

/** A TCP proxy on a fixed port in front of a bridge: `down()` destroys every socket (no close frame) and stops listening. */
class Proxy {
  port = 0;
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  async up(target: number): Promise<void> {
    const server = createServer((c) => {
      const u = connect(target, '127.0.0.1');
      for (const s of [c, u]) {
        this.sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => { this.sockets.delete(s); c.destroy(); u.destroy(); });
      }
      c.pipe(u);
      u.pipe(c);
    });
    await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(this.port, '127.0.0.1', () => resolve()); });
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }
  async down(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise((r) => server.close(r));
  }
}

/** A bridge answering pages served through `proxyPort` (its Host and Origin allowed), with the worker's test hooks. */
async function bridgeBehind(proxyPort: number, token = TEST_TOKEN): Promise<{ bridge: Bridge; port: number }> {
  const config = loadConfig({
    env: {},
    overrides: {
      port: 0, home: mkdtempSync(join(tmpdir(), 'sd-hunt-bridge-')), token, logFile: null, logLevel: 'silent', staticRoot: DIST, workers: 1,
      allowedHosts: [`127.0.0.1:${proxyPort}`], allowedOrigins: [`http://127.0.0.1:${proxyPort}`], debugHooks: true,
    },
  });
  const bridge = createBridge({ config, logger: pino({ level: 'silent' }) });
  const addr = await bridge.listen();
  return { bridge, port: addr.port };
}

/** A proxy on a free port and a bridge behind it; `origin` is the proxy's. */
async function proxiedBridge(): Promise<{ proxy: Proxy; backend: { bridge: Bridge; port: number }; origin: string }> {
  const proxy = new Proxy();
  await proxy.up(1); // (takes a port; re-aimed below)
  const port = proxy.port;
  await proxy.down();
  const backend = await bridgeBehind(port);
  await proxy.up(backend.port);
  return { proxy, backend, origin: `http://127.0.0.1:${port}` };
}

const status = (page: Page) => page.evaluate(() => ({
  state: document.querySelector('[data-testid=status]')!.getAttribute('data-state'),
  hint: document.querySelector('[data-testid=status-hint]')!.textContent ?? '',
}));
const progressText = (page: Page) => page.textContent('[data-testid=progress]') as Promise<string>;

test('opening another image, or the sample, with results not downloaded asks first; declined, the image and its results stay and the toolbar says how to keep them; after a download it does not ask', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1000, height: 900 }, acceptDownloads: true });
  try {
    const { page, errors } = await openPlaygroundCollecting(ctx, server.origin);
    const other = join(dir, 'other.png');
    writeFileSync(other, await sharp({ create: { width: 300, height: 200, channels: 3, background: '#3a6' } }).png().toBuffer());
    const asked: string[] = [];
    let answer = false;
    page.on('dialog', (d) => { asked.push(`${d.type()}: ${d.message()}`); void (answer ? d.accept() : d.dismiss()); });

    await loadSample(page);
    // A result, added as a Smart Drag adds it.
    await page.evaluate(() => (window as any).smartdrag.host.addLayer({ left: 10, top: 10, width: 20, height: 20, data: new Uint8ClampedArray(1600).fill(255) }, 'Smart Drag'));
    await page.setInputFiles('[data-testid=open-file]', other);
    await page.waitForFunction(() => /^Kept /.test(document.querySelector('[data-testid=toolbar-note]')!.textContent ?? ''));
    expect(asked).toEqual(['confirm: Your Smart Drag results on "smarties.png" are not downloaded yet. Open "other.png" instead and lose them?']);
    expect(await page.textContent('[data-testid=toolbar-note]')).toBe('Kept "smarties.png" open: download it first (Download PNG), then open "other.png".');
    expect(await page.evaluate(() => ({ w: (window as any).smartdrag.panel.editor.documentSize.width, undo: (window as any).smartdrag.host.canUndo, unsaved: (window as any).smartdrag.host.hasUnsavedChanges })))
      .toEqual({ w: 413, undo: true, unsaved: true });
    // Load sample asks too.
    await page.click('[data-testid=load-sample]');
    expect(asked).toHaveLength(2);
    expect(await page.evaluate(() => (window as any).smartdrag.host.canUndo)).toBe(true);

    // Accepted: the other image opens.
    answer = true;
    await openFile(page, other, 300);
    expect(asked).toHaveLength(3);
    // A result downloaded: the next image opens without a question.
    await page.evaluate(() => (window as any).smartdrag.host.addLayer({ left: 0, top: 0, width: 5, height: 5, data: new Uint8ClampedArray(100).fill(255) }, 'Smart Drag'));
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=download]')]) as [Download, void];
    expect(download.suggestedFilename()).toBe('other-smartdrag.png');
    await page.waitForFunction(() => /^Saved /.test(document.querySelector('[data-testid=toolbar-note]')!.textContent ?? ''));
    await loadSample(page);
    expect(asked).toHaveLength(3);
    expect(errors).toEqual([]);
  } finally {
    await ctx.close();
  }
});

/** The data colour space of the profile in a JPEG's or PNG's download, via sharp ('' when it has none). */
async function profileSpace(file: Buffer): Promise<string> {
  const icc = (await sharp(file).metadata()).icc;
  if (icc) return icc.toString('latin1', 16, 20).trim();
  // (sharp drops an iCCP whose profile does not fit the image: read the chunk itself.)
  if (file[0] === 0x89) {
    for (let p = 8; p < file.length;) {
      const n = file.readUInt32BE(p), t = file.toString('latin1', p + 4, p + 8);
      if (t === 'iCCP') return 'iCCP present';
      if (t === 'IDAT') break;
      p += 12 + n;
    }
  }
  return '';
}

test('a CMYK JPEG: with a CMYK profile it is converted to sRGB and the downloads carry no CMYK profile; without one the toolbar says its colours are the browser\'s guess', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1000, height: 900 }, acceptDownloads: true });
  try {
    const { page, errors } = await openPlaygroundCollecting(ctx, server.origin);
    const rgb = await sharp({ create: { width: 600, height: 400, channels: 3, background: { r: 200, g: 60, b: 50 } } }).png().toBuffer();
    const withProfile = join(dir, 'print.jpg'), bare = join(dir, 'bare-cmyk.jpg');
    writeFileSync(withProfile, await sharp(rgb).toColourspace('cmyk').withIccProfile('cmyk').jpeg({ quality: 90 }).toBuffer());
    writeFileSync(bare, await sharp(rgb).toColourspace('cmyk').jpeg({ quality: 90 }).toBuffer());
    expect((await sharp(withProfile).metadata()).space).toBe('cmyk');
    expect(await profileSpace(readFileSync(withProfile))).toBe('CMYK');

    await openFile(page, withProfile, 600);
    expect(await page.textContent('[data-testid=toolbar-note]')).toBe('This CMYK image was converted to RGB (sRGB, through its CMYK colour profile, as the browser shows it) to be edited; downloads are RGB, without that profile.');
    for (const id of ['download-original', 'download']) {
      const [d] = await Promise.all([page.waitForEvent('download'), page.click(`[data-testid=${id}]`)]) as [Download, void];
      const bytes = readFileSync((await d.path())!);
      expect((await sharp(bytes).metadata()).space).toBe('srgb');
      // No profile, or the browser's own sRGB one: never the CMYK one.
      expect(['', 'RGB']).toContain(await profileSpace(bytes));
      await page.waitForFunction(() => /^Saved /.test(document.querySelector('[data-testid=toolbar-note]')!.textContent ?? ''));
    }
    // The pixels are the browser's colour-managed rendering of the file (as an <img> shows it).
    const shown = await page.evaluate(async () => {
      const doc = (await (window as any).smartdrag.host.readDocument()).rgba;
      return Array.from((doc.data as Uint8ClampedArray).slice((200 * doc.width + 300) * 4, (200 * doc.width + 300) * 4 + 3));
    });
    const asImg = await page.evaluate(async (b64) => {
      const img = new Image();
      img.src = `data:image/jpeg;base64,${b64}`;
      await img.decode();
      const c = document.createElement('canvas');
      c.width = img.width; c.height = img.height;
      const g = c.getContext('2d')!;
      g.drawImage(img, 0, 0);
      return Array.from(g.getImageData(300, 200, 1, 1).data.slice(0, 3));
    }, readFileSync(withProfile).toString('base64'));
    for (let k = 0; k < 3; k++) expect(Math.abs(shown[k]! - asImg[k]!)).toBeLessThanOrEqual(2);

    await openFile(page, bare, 600);
    expect(await page.textContent('[data-testid=toolbar-note]')).toBe('This CMYK JPEG is edited in RGB as the browser shows it (it has no colour profile, so its colours are the browser\'s guess); downloads are RGB.');
    expect(errors).toEqual([]);
  } finally {
    await ctx.close();
  }
});

test('a bridge restarted with another token: the page takes the bridge\'s new token by itself and connects; a wrong #token= in the address is named, not "plugin settings"', async () => {
  const { proxy, backend, origin } = await proxiedBridge();
  let other: { bridge: Bridge; port: number } | null = null;
  const ctx = await browser.newContext({ viewport: { width: 1000, height: 900 } });
  try {
    const { page, errors } = await openPlaygroundCollecting(ctx, origin);
    await loadSample(page);
    await page.click('[data-testid=tool-lasso]');
    await lassoOnPage(page, CANDY);

    // The bridge goes; another one, with another token, answers on the port.
    await proxy.down();
    await backend.bridge.close();
    other = await bridgeBehind(proxy.port, 'another-token-of-another-bridge-0123456789');
    await proxy.up(other.port);
    await page.waitForSelector('[data-testid=status][data-state=connected]', { timeout: 30000 });
    // The lasso is still there, and the page works with the new bridge.
    expect(await page.evaluate(() => (window as any).smartdrag.panel.editor.regions.length)).toBe(1);
    await page.click('[data-testid=tool-arrow]');
    await dragOnEditor(page, page, CANDY_DRAG[0]!, CANDY_DRAG[1]!);
    await page.waitForFunction(() => { const p = (window as any).smartdrag.panel; return !p.job && !!p.editor.movedPolygons; }, undefined, { timeout: 60000 });
    expect(errors).toEqual([]);

    // A token the user put in the address is theirs: not replaced, and the hint names it.
    const wrong = await ctx.newPage();
    await wrong.goto(`${origin}/#token=not-the-token`);
    await wrong.waitForSelector('[data-testid=status][data-state=error]', { timeout: 30000 });
    const s = await status(wrong);
    expect(s.hint).toMatch(/token in this page's address \(#token=…\) is not this bridge's: remove it from the address and reload/);
    expect(s.hint).not.toMatch(/plugin settings/);
  } finally {
    await ctx.close();
    await proxy.down();
    await backend.bridge.close().catch(() => undefined);
    await other?.bridge.close();
  }
});

/** The sample, the candy lassoed and dragged (previews settled), then a Smart Drag that sleeps in the bridge's worker until cancelled (≤ 10 s). */
async function sleepingSmartDrag(page: Page): Promise<void> {
  await candyDragPreviewed(page);
  await page.fill('[data-testid=intent]', '__hook:sleep__');
  await page.click('[data-testid=apply]');
  await page.waitForFunction(() => (window as any).smartdrag.panel.job?.quality === 'final' && /Planning/.test(document.querySelector('[data-testid=progress]')!.textContent ?? ''), undefined, { timeout: 30000 });
}

test('the bridge gone without a word mid-Smart Drag: the panel says it waits for the bridge (not "Working…"), Cancel ends it at once (Undo no longer waits), and nothing is added when the bridge is back', async () => {
  const { proxy, backend, origin } = await proxiedBridge();
  const ctx = await browser.newContext({ viewport: { width: 1000, height: 900 } });
  try {
    const { page, errors } = await openPlaygroundCollecting(ctx, origin);
    await sleepingSmartDrag(page);
    await proxy.down();
    await page.waitForSelector('[data-testid=status][data-state=reconnecting]', { timeout: 30000 });
    expect(await message(page)).toEqual({ text: 'The bridge went away while the Smart Drag ran: it goes on if the bridge comes back with it. Cancel stops waiting.', error: false, result: null });
    expect(await progressText(page)).toBe('Waiting for the bridge to come back…');
    expect(await page.isEnabled('[data-testid=cancel]')).toBe(true);

    await page.click('[data-testid=cancel]');
    expect(await message(page)).toEqual({ text: 'Cancelled; nothing was added. (The bridge is not reachable: it is told when it is back.)', error: false, result: null });
    expect(await page.evaluate(() => (window as any).smartdrag.panel.smartDragRunning)).toBe(false);
    expect(await progressText(page)).toBe('');

    // Back: the client tells the bridge, the job ends there, and nothing lands.
    await proxy.up(backend.port);
    await page.waitForSelector('[data-testid=status][data-state=connected]', { timeout: 30000 });
    await page.waitForFunction(() => (window as any).smartdrag.bridge.jobs.size === 0, undefined, { timeout: 30000 });
    expect(await page.evaluate(() => (window as any).smartdrag.host.layers.length)).toBe(0);
    expect((await message(page)).text).toMatch(/^Cancelled; nothing was added/);
    expect(errors).toEqual([]);
  } finally {
    await ctx.close();
    await proxy.down();
    await backend.bridge.close();
  }
});

test('a bridge back without the Smart Drag (it restarted): "nothing was applied" stays when the live preview of the arrow moved meanwhile comes', async () => {
  const { proxy, backend, origin } = await proxiedBridge();
  let restarted: { bridge: Bridge; port: number } | null = null;
  const ctx = await browser.newContext({ viewport: { width: 1000, height: 900 } });
  try {
    const { page, errors } = await openPlaygroundCollecting(ctx, origin);
    await sleepingSmartDrag(page);
    await proxy.down();
    await backend.bridge.close();
    await page.waitForSelector('[data-testid=status][data-state=reconnecting]', { timeout: 30000 });
    // While it is away: the intent cleared, the arrow's end moved (a live preview is due).
    await page.fill('[data-testid=intent]', '');
    await dragOnEditor(page, page, CANDY_DRAG[1]!, [300, 90]);
    const end: number[] = await page.evaluate(() => (window as any).smartdrag.panel.editor.arrows[0].points.at(-1));

    restarted = await bridgeBehind(proxy.port);
    await proxy.up(restarted.port);
    await page.waitForSelector('[data-testid=status][data-state=connected]', { timeout: 30000 });
    await page.waitForFunction(([tx, ty]) => {
      const p = (window as any).smartdrag.panel;
      const last = p.lastSubmitted?.drags[0]?.points;
      return !p.job && !p.previewPending && p.lastSubmitted?.quality === 'preview' && !!p.editor.movedPolygons && last?.at(-1)[0] === tx && last?.at(-1)[1] === ty;
    }, end, { timeout: 60000 });
    const m = await message(page);
    expect(m.text).toMatch(/^the bridge no longer has this edit's result: .*nothing was applied — Run the edit again\.$/);
    expect(m.result).toBe('job_not_found');
    expect(await page.evaluate(() => (window as any).smartdrag.host.layers.length)).toBe(0);
    expect(errors).toEqual([]);
  } finally {
    await ctx.close();
    await proxy.down();
    await restarted?.bridge.close();
  }
});

test('the panel keeps its width when a plan with a long warning comes (it widened, and the thumbnail, centred in it, jumped sideways)', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1100, height: 1000 } });
  try {
    const { page, errors } = await openPlaygroundCollecting(ctx, server.origin);
    const canvasBox = () => page.evaluate(() => { const r = document.querySelector('canvas.sd-editor')!.getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; });
    await candyDragPreviewed(page);
    const before = await canvasBox();
    // Text saying another direction than the arrow: the plan warns, at length, and offers the other reading.
    await page.fill('[data-testid=intent]', 'move the red candy to the right');
    await page.click('[data-testid=preview]');
    await page.waitForSelector('[data-testid=plan] .sd-warning', { timeout: 60000 });
    expect(await canvasBox()).toEqual(before);
    expect(errors).toEqual([]);
  } finally {
    await ctx.close();
  }
});

test('the lasso\'s tint covers the lasso\'s box, not the whole document (192 MB filled and drawn per lasso at 48 MP), and is drawn there', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1100, height: 1000 } });
  try {
    const { page, errors } = await openPlaygroundCollecting(ctx, server.origin);
    await loadSample(page);
    await page.click('[data-testid=tool-lasso]');
    await lassoOnPage(page, CANDY);
    const tint = await page.evaluate(() => { const t = (window as any).smartdrag.panel.editor.regionTint; const c = t.canvas ?? t; return [c.width, c.height]; });
    const box = await page.evaluate(() => { const m = (window as any).smartdrag.panel.editor.regions[0].mask; return [m.width, m.height, m.left, m.top]; });
    expect(tint).toEqual(box.slice(0, 2));
    // On screen: blue over the lasso's middle, the photo as it is outside it.
    const at = (x: number, y: number) => page.evaluate(([dx, dy]) => {
      const e = (window as any).smartdrag.panel.editor, c = document.querySelector('canvas.sd-editor') as HTMLCanvasElement;
      const k = c.width / e.documentSize.width;
      return Array.from(c.getContext('2d')!.getImageData(Math.round(dx! * k), Math.round(dy! * k), 1, 1).data.slice(0, 3));
    }, [x, y]);
    const doc = (x: number, y: number) => page.evaluate(async ([dx, dy]) => {
      const d = (await (window as any).smartdrag.host.readDocument()).rgba;
      return Array.from((d.data as Uint8ClampedArray).slice((dy! * d.width + dx!) * 4, (dy! * d.width + dx!) * 4 + 3));
    }, [x, y]);
    const [cx, cy] = [box[2]! + box[0]! / 2, box[3]! + box[1]! / 2].map(Math.round) as [number, number];
    const inside = await at(cx, cy), under = await doc(cx, cy);
    expect(inside[2]! - under[2]!).toBeGreaterThan(20); // tinted blue
    const outside = await at(300, 300), photo = await doc(300, 300);
    for (let k = 0; k < 3; k++) expect(Math.abs(outside[k]! - photo[k]!)).toBeLessThanOrEqual(3);
    expect(errors).toEqual([]);
  } finally {
    await ctx.close();
  }
});

/** `png` with a chunk of `type` put right after IHDR. */
function withChunk(png: Buffer, type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])) >>> 0, 0);
  return Buffer.concat([png.subarray(0, 33), head, body, crc, png.subarray(33)]);
}

test('opaque 8-bit PNGs of 1 MP and more (decoded by the browser, off the page\'s thread: a 48 MP PNG had frozen the page 2 s) open with exactly the numbers of the file: RGB with a P3 profile and a gAMA chunk, grey, palette', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1000, height: 900 } });
  // The sizes of the files the browser was asked to decode.
  await ctx.addInitScript(() => {
    const w = window as any, decode = window.createImageBitmap.bind(window);
    w.__decoded = [];
    (window as any).createImageBitmap = (src: any, ...rest: any[]) => { if (src instanceof Blob) w.__decoded.push(src.size); return (decode as any)(src, ...rest); };
  });
  try {
    const { page, errors } = await openPlaygroundCollecting(ctx, server.origin);
    const w = 1300, h = 900, rgb = Buffer.alloc(w * h * 3);
    for (let y = 0, i = 0; y < h; y++) for (let x = 0; x < w; x++, i += 3) rgb.set([(x * 7 + y) & 255, (y * 5 + (x >> 3)) & 255, (x ^ y) & 255], i);
    const raw = { raw: { width: w, height: h, channels: 3 as const } };
    const gama = Buffer.alloc(4);
    gama.writeUInt32BE(45455, 0);
    const files: Record<string, Buffer> = {
      'p3-gamma.png': withChunk(await sharp(rgb, raw).withIccProfile('p3').png({ compressionLevel: 1 }).toBuffer(), 'gAMA', gama),
      'grey.png': await sharp(rgb, raw).toColourspace('b-w').png({ compressionLevel: 1 }).toBuffer(),
      'palette.png': await sharp(rgb, raw).png({ palette: true, colours: 200, dither: 0 }).toBuffer(),
    };
    for (const [name, bytes] of Object.entries(files)) {
      const file = join(dir, name);
      writeFileSync(file, bytes);
      const want = await decodePng(new Uint8Array(bytes));
      expect(want.data.length).toBe(w * h * 4);
      await page.setInputFiles('[data-testid=open-file]', file);
      // (All are as wide: the open is seen by the name.)
      await page.waitForFunction((n) => { const sd = (window as any).smartdrag; return sd.host.doc?.name === n && sd.panel.editor.documentSize.width > 0 && !sd.panel.reading; }, name, { timeout: 60000 });
      expect([name, await docHash(page)]).toEqual([name, createHash('sha256').update(want.data).digest('hex')]);
      // Decoded by the browser (not by UPNG.js on the page's thread).
      expect([name, await page.evaluate((n) => (window as any).__decoded.includes(n), bytes.length)]).toEqual([name, true]);
    }
    // The P3 one keeps its profile for the download.
    await page.setInputFiles('[data-testid=open-file]', join(dir, 'p3-gamma.png'));
    await page.waitForFunction(() => (window as any).smartdrag.host.doc?.name === 'p3-gamma.png', undefined, { timeout: 60000 });
    expect(await page.evaluate(() => (window as any).smartdrag.host.icc?.length ?? 0)).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  } finally {
    await ctx.close();
  }
});
