/**
 * The playground with a user's own photo, in a real browser against a real bridge: a Display P3
 * JPEG of 1.2 MP (above the PNG encoder's streaming threshold) opened from disk, an object lassoed
 * and dragged, the result applied, then Undo, leaving the page, and Download PNG — the file keeps
 * the photo's ICC profile and its numbers, is named after it, and the page says what it is doing.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Browser, Page } from 'playwright-core';
import type { Point } from '@smartdrag/shared';
import type { Bridge } from '../../bridge-server/src/server';
import { decodePng, STREAM_ENCODE_MIN_PIXELS } from '../../plugin-photopea/src/util/png';
import { ensureBuilt, launchChromium, startBridge } from './harness';
import { docHash, lassoRingAndDrag, openFile, openPlayground, pixelAt, previewsSettled } from './pages';

jest.setTimeout(180_000);

const W = 1200, H = 1000;
const DISC: Point = [400, 420], R = 90;

let browser: Browser;
let server: { bridge: Bridge; port: number; origin: string };
let dir: string;
let p3: Buffer;

/** A textured grey scene with a red disc, as a Display P3 JPEG; and a 16-bit PNG of it. */
async function makeFiles(): Promise<{ jpeg: string; png16: string }> {
  const rgb = Buffer.alloc(W * H * 3);
  for (let y = 0, i = 0; y < H; y++) for (let x = 0; x < W; x++, i += 3) {
    const t = ((x * 7 + y * 13) % 23) - 11;
    const inDisc = (x - DISC[0]) ** 2 + (y - DISC[1]) ** 2 <= R * R;
    rgb[i] = inDisc ? 210 : 110 + t; rgb[i + 1] = inDisc ? 40 : 120 + t; rgb[i + 2] = inDisc ? 45 : 128 + t;
  }
  const raw = { raw: { width: W, height: H, channels: 3 as const } };
  const jpeg = join(dir, 'IMG_0042.jpg');
  writeFileSync(jpeg, await sharp(rgb, raw).withIccProfile('p3').jpeg({ quality: 92 }).toBuffer());
  p3 = (await sharp(jpeg).metadata()).icc!;
  const png16 = join(dir, 'scan16.png');
  writeFileSync(png16, await sharp(rgb, raw).toColourspace('rgb16').png().toBuffer());
  return { jpeg, png16 };
}

let files: { jpeg: string; png16: string };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'smartdrag-playground-'));
  await ensureBuilt();
  files = await makeFiles();
  // (The worker's test hooks: a Smart Drag that sleeps until cancelled, for the page left mid-run.)
  [server, browser] = await Promise.all([startBridge(0, undefined, { debugHooks: true }), launchChromium()]);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.bridge.close();
});

/** Lasso around the disc and drag it to (760, 560) with the real mouse. */
const lassoAndDrag = (page: Page): Promise<void> => lassoRingAndDrag(page, DISC, R + 25, [760, 560]);


test('a P3 photo: lasso, drag, apply; Undo restores it exactly; leaving asks first; Download keeps its profile and numbers, named after it', async () => {
  expect(W * H).toBeGreaterThanOrEqual(STREAM_ENCODE_MIN_PIXELS);
  const ctx = await browser.newContext({ viewport: { width: 1000, height: 900 }, acceptDownloads: true });
  try {
    const page = await openPlayground(ctx, server.origin);
    await openFile(page, files.jpeg, W);
    const original = await docHash(page);
    expect(await page.isDisabled('[data-testid=undo]')).toBe(true);
    expect(await page.textContent('[data-testid=toolbar-note]')).toBe('');

    await page.selectOption('[data-testid=kind]', 'translate');
    // Lasso around the disc, drag it to (760, 560), apply (the panel clears its lasso and arrow after applying).
    const smartDrag = async (): Promise<void> => {
      await lassoAndDrag(page);
      await page.waitForFunction(() => !(window as any).smartdrag.panel.job, undefined, { timeout: 60000 });
      await page.click('[data-testid=apply]');
      await page.waitForFunction(() => (window as any).smartdrag.host.layers.length === 1, undefined, { timeout: 90000 });
    };
    await smartDrag();
    const landed = await pixelAt(page, 760, 560);
    expect(landed[0]! - landed[1]!).toBeGreaterThan(100); // the disc landed there
    expect(await page.isDisabled('[data-testid=undo]')).toBe(false);

    // Undo: the document exactly as opened; nothing left to undo.
    await page.click('[data-testid=undo]');
    expect(await docHash(page)).toBe(original);
    expect(await page.isDisabled('[data-testid=undo]')).toBe(true);
    // The panel shows the image as it is now (its next edit starts from it).
    await page.waitForFunction(async (h) => {
      const d = (window as any).smartdrag.panel.doc?.rgba.data as Uint8ClampedArray<ArrayBuffer> | undefined;
      if (!d) return false;
      return Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', d)), (b) => b.toString(16).padStart(2, '0')).join('') === h;
    }, original);
    expect(await page.evaluate(() => (window as any).smartdrag.host.layers.length)).toBe(0);
    expect(await page.textContent('[data-testid=toolbar-note]')).toBe('Undone.');

    // Again, then leave the page with the result not downloaded: the browser asks first. (Undo
    // brought back the lasso and arrow that made the result: cleared, to draw them again.)
    await page.click('[data-testid=clear]');
    await smartDrag();
    const result = await docHash(page);
    expect(result).not.toBe(original);
    expect((await pixelAt(page, 760, 560))[0]! - (await pixelAt(page, 760, 560))[1]!).toBeGreaterThan(100);
    expect(await page.evaluate(() => (window as any).smartdrag.host.hasUnsavedChanges)).toBe(true);
    const asked = new Promise<string>((resolve) => page.once('dialog', (d) => { resolve(d.type()); void d.dismiss(); }));
    // (A click first: Chromium shows the leave dialog only for pages the user has interacted with.)
    await page.click('[data-testid=toolbar-note]');
    await page.close({ runBeforeUnload: true });
    expect(await asked).toBe('beforeunload');
    expect(page.isClosed()).toBe(false);

    // Download: progress and the saved line in the toolbar; the file carries the photo's profile and the edited numbers.
    const notes: string[] = [];
    await page.exposeFunction('__note', (t: string) => { notes.push(t); });
    await page.evaluate(() => {
      const n = document.querySelector('[data-testid=toolbar-note]')!;
      new MutationObserver(() => (window as any).__note(n.textContent)).observe(n, { childList: true, characterData: true, subtree: true });
    });
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=download]')]);
    expect(download.suggestedFilename()).toBe('IMG_0042-smartdrag.png');
    const saved = readFileSync((await download.path())!);
    await page.waitForFunction(() => /^Saved /.test(document.querySelector('[data-testid=toolbar-note]')!.textContent ?? ''));
    expect(notes[0]).toBe('Preparing the PNG…');
    expect(notes.some((t) => /^Preparing the PNG… \d+%$/.test(t))).toBe(true);
    expect(await page.textContent('[data-testid=toolbar-note]')).toBe(`Saved IMG_0042-smartdrag.png (${(saved.length / 1e6).toFixed(1)} MB).`);
    const meta = await sharp(saved).metadata();
    expect([meta.width, meta.height]).toEqual([W, H]);
    expect(meta.icc && Buffer.compare(meta.icc, p3)).toBe(0);
    const back = await decodePng(new Uint8Array(saved));
    expect(createHash('sha256').update(back.data).digest('hex')).toBe(result);
    expect(await page.evaluate(() => (window as any).smartdrag.host.hasUnsavedChanges)).toBe(false);
  } finally {
    await ctx.close();
  }
});

test('a 16-bit PNG opens with a note that it is edited and saved at 8 bits per channel', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1000, height: 900 } });
  try {
    const page = await openPlayground(ctx, server.origin);
    await openFile(page, files.png16, W);
    expect(await page.textContent('[data-testid=toolbar-note]')).toBe('This 16-bit image is edited and downloaded at 8 bits per channel.');
    // No profile in this file: none in the download either (the numbers are taken as they are).
    expect(await page.evaluate(() => (window as any).smartdrag.host.downloadName)).toBe('scan16-smartdrag.png');
  } finally {
    await ctx.close();
  }
});

test('leaving the page while a Smart Drag runs cancels it on the bridge (nobody would receive its result)', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1000, height: 900 } });
  try {
    const page = await openPlayground(ctx, server.origin);
    await openFile(page, files.jpeg, W);
    await page.selectOption('[data-testid=kind]', 'translate');
    await lassoAndDrag(page);
    // Every preview of the drag settled (none pending, none on the bridge) before counting.
    await previewsSettled(page);
    for (let t = Date.now(); server.bridge.stats().running + server.bridge.stats().queued > 0 && Date.now() - t < 30000;) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 300));
    const record = () => server.bridge.recentClients().filter((c) => c.client === 'playground').at(-1)!;
    const before = { ...record().jobs };
    // A Smart Drag that runs until cancelled (≤ 10 s; the worker's test hook): a real edit of this
    // small photo could end before the page had gone on a loaded machine (done +1, not cancelled).
    await page.fill('[data-testid=intent]', '__hook:sleep__');
    await page.click('[data-testid=apply]');
    // The final is on the bridge, running; then the page goes.
    const t0 = Date.now();
    while (server.bridge.stats().running === 0) {
      if (Date.now() - t0 > 30000) throw new Error('the final never started');
      await new Promise((r) => setTimeout(r, 5));
    }
    await page.goto('about:blank');
    const t1 = Date.now();
    while (server.bridge.stats().running > 0 && Date.now() - t1 < 30000) await new Promise((r) => setTimeout(r, 10));
    const after = record().jobs;
    expect(after.cancelled).toBe(before.cancelled + 1);
    expect(after.done).toBe(before.done);
  } finally {
    await ctx.close();
  }
});
