/**
 * A download prepared while the playground's tab is hidden (the user switched tabs to wait): the
 * encoders gave the page its turn by timers, which a hidden page runs at most once a second —
 * PNG's encoding paused a second after each 25 ms slice (a 4 MP photo: 25 s instead of 1–2 s;
 * minutes at 24 MP), the JPEG's pixels went to the encoder a 16 MB band a second. They now yield
 * as the page's other sliced work does (util/yield.ts: by message in a hidden page).
 * The same for a Smart Drag's upload: the bridge client looked at its socket's send queue every
 * 2–10 ms by timer (a second each when hidden: a 12 MP photo's crop took ~2× as long here); it now
 * waits by message there too (shared bridge-client.ts `pollWait`, which util/yield.ts uses).
 *
 * Headless Chromium never hides a page: the test makes the page hidden to itself (visibilityState)
 * and its timers run as a hidden page's do (each at the next whole second), after the image is open.
 */
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Download, Page } from 'playwright-core';
import { bridgeAndChromium } from './harness';
import { inPlayground, lassoRingAndDrag, openFile } from './pages';

jest.setTimeout(180_000);

const W = 2400, H = 1600;
let photo: string;

const env = bridgeAndChromium(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'smartdrag-hidden-download-'));
  photo = join(dir, 'IMG_7.jpg');
  const rgb = Buffer.alloc(W * H * 3);
  for (let i = 0; i < rgb.length; i++) rgb[i] = (i * 37 + (i >> 12)) & 255;
  writeFileSync(photo, await sharp(rgb, { raw: { width: W, height: H, channels: 3 } }).jpeg({ quality: 90 }).toBuffer());
});

/** The page hidden to itself, its timers run as a hidden page's (at the next whole second). */
function hide(page: Page): Promise<void> {
  return page.evaluate(() => {
    Object.defineProperty(Document.prototype, 'visibilityState', { configurable: true, get: () => 'hidden' });
    Object.defineProperty(Document.prototype, 'hidden', { configurable: true, get: () => true });
    const timer = window.setTimeout.bind(window);
    // Short timers asked for (a yield between slices of work): each costs a hidden page up to a second.
    (window as any).__shortTimers = 0;
    (window as any).setTimeout = (fn: TimerHandler, ms = 0, ...args: unknown[]) => {
      if (ms < 50) (window as any).__shortTimers++;
      return timer(fn, Math.max(ms, 1000 - (performance.now() % 1000)), ...args);
    };
    document.dispatchEvent(new Event('visibilitychange'));
  });
}

/** Click a download button; the file's size and how many short timers the page asked for meanwhile. */
async function hiddenDownload(page: Page, testid: string): Promise<{ bytes: number; shortTimers: number }> {
  await page.evaluate(() => { (window as any).__shortTimers = 0; });
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), page.click(`[data-testid=${testid}]`)]) as [Download, void];
  const shortTimers = await page.evaluate(() => (window as any).__shortTimers as number);
  return { bytes: statSync((await download.path())!).size, shortTimers };
}

test('in a hidden tab, a 4 MP photo downloads as JPEG and as PNG without a timer per slice of the encoder (a hidden page runs one a second)', () => inPlayground(env, async ({ page, errors }) => {
  await openFile(page, photo, W);
  await hide(page);
  expect(await page.evaluate(() => document.visibilityState)).toBe('hidden');
  const jpeg = await hiddenDownload(page, 'download-original');
  await page.waitForFunction(() => /^Saved /.test(document.querySelector('[data-testid=toolbar-note]')!.textContent ?? ''), undefined, { timeout: 120_000 });
  const png = await hiddenDownload(page, 'download');
  await page.waitForFunction(() => /^Saved /.test(document.querySelector('[data-testid=toolbar-note]')!.textContent ?? ''), undefined, { timeout: 120_000 });
  // The encoders give the page its turn without timers while it is hidden (the old page asked
  // for one after every slice: a second each, the PNG took 25 s).
  expect(jpeg.shortTimers).toBeLessThan(3);
  expect(png.shortTimers).toBeLessThan(3);
  expect(jpeg.bytes).toBeGreaterThan(100_000);
  expect(png.bytes).toBeGreaterThan(1_000_000);
  expect(errors).toEqual([]);
}, { acceptDownloads: true }));

test('in a hidden tab, a Smart Drag on a 12 MP photo uploads its crop without a timer per look at the socket\'s queue (a hidden page runs one a second); the result lands', () => inPlayground(env, async ({ page, errors }) => {
  const dir = mkdtempSync(join(tmpdir(), 'smartdrag-hidden-upload-'));
  const big = join(dir, 'IMG_12.jpg');
  const BW = 4000, BH = 3000;
  const rgb = Buffer.alloc(BW * BH * 3);
  for (let i = 0; i < rgb.length; i++) rgb[i] = (i * 29 + (i >> 11)) & 255;
  writeFileSync(big, await sharp(rgb, { raw: { width: BW, height: BH, channels: 3 } }).jpeg({ quality: 85 }).toBuffer());
  await openFile(page, big, BW);
  // A large lasso (a 2400 px ring) moved 300 px: its crop is several of the client's 4 MiB chunks.
  await lassoRingAndDrag(page, [2000, 1500], 1200, [2300, 1500]);
  await page.selectOption('[data-testid=kind]', 'translate');
  await page.waitForFunction(() => !(window as any).smartdrag.panel.job, undefined, { timeout: 120_000 });
  await hide(page);
  await page.evaluate(() => { (window as any).__shortTimers = 0; });
  await page.click('[data-testid=apply]');
  await page.waitForSelector('[data-testid=message][data-result]', { timeout: 170_000 });
  const shortTimers = await page.evaluate(() => (window as any).__shortTimers as number);
  expect(await page.getAttribute('[data-testid=message]', 'data-result')).toBe('ok');
  expect(shortTimers).toBeLessThan(3);
  expect(errors).toEqual([]);
}));
