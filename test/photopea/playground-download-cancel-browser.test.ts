/**
 * The playground's download can be cancelled (it had no Cancel: a 48 MP WebP takes ~8 s): the
 * "Cancel download" button, shown while a download is prepared, or Esc. JPEG and WebP are encoded
 * by the browser in a worker, which is terminated (also in the middle of the browser's encoding);
 * PNG is encoded here in slices and stops at the next one. The toolbar says "Download cancelled",
 * nothing is saved, results stay unsaved, and the next download works. Real browser, real bridge;
 * each cancel is made from inside the page the moment the toolbar shows the stage (no timing).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Browser, BrowserContext, Download, Page } from 'playwright-core';
import type { Bridge } from '../../bridge-server/src/server';
import { ensureBuilt, launchChromium, startBridge } from './harness';
import { openFile, openPlaygroundCollecting } from './pages';

jest.setTimeout(180_000);

const W = 4000, H = 3000;

let browser: Browser;
let server: { bridge: Bridge; port: number; origin: string };
let files: { webp: string; jpeg: string };

/** A textured scene with a red disc (RGB). */
function scene(w: number, h: number): Buffer {
  const rgb = Buffer.alloc(w * h * 3);
  for (let y = 0, i = 0; y < h; y++) for (let x = 0; x < w; x++, i += 3) {
    const t = ((x * 7 + y * 13) % 23) - 11;
    const inDisc = (x - w / 3) ** 2 + (y - h / 2) ** 2 <= (h / 5) ** 2;
    rgb[i] = inDisc ? 210 : 110 + t + ((x >> 5) % 7); rgb[i + 1] = inDisc ? 40 : 120 + t; rgb[i + 2] = inDisc ? 45 : 128 + t + ((y >> 5) % 5);
  }
  return rgb;
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'smartdrag-download-cancel-'));
  await ensureBuilt();
  const raw = { raw: { width: W, height: H, channels: 3 as const } };
  const px = scene(W, H);
  files = { webp: join(dir, 'wide.webp'), jpeg: join(dir, 'IMG_0007.jpg') };
  writeFileSync(files.webp, await sharp(px, raw).webp({ quality: 85 }).toBuffer());
  writeFileSync(files.jpeg, await sharp(px, raw).jpeg({ quality: 90 }).toBuffer());
  [server, browser] = await Promise.all([startBridge(0), launchChromium()]);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.bridge.close();
});

/** A context whose pages count the workers terminated and the links clicked to save a file. */
async function countingContext(): Promise<BrowserContext> {
  const ctx = await browser.newContext({ viewport: { width: 1000, height: 900 }, acceptDownloads: true });
  await ctx.addInitScript(() => {
    const w = window as any;
    w.__terminated = 0;
    w.__saved = [];
    const terminate = Worker.prototype.terminate;
    Worker.prototype.terminate = function (this: Worker) { w.__terminated++; return terminate.call(this); };
    const click = HTMLAnchorElement.prototype.click;
    HTMLAnchorElement.prototype.click = function (this: HTMLAnchorElement) { if (this.download) w.__saved.push(this.download); return click.call(this); };
  });
  return ctx;
}

/**
 * From inside the page: the moment the toolbar's note matches `stage`, cancel the download —
 * `how` 'button' clicks Cancel download, 'esc' presses Esc on the panel (where focus is while one
 * works in it). `window.__cancelAt` keeps the note it was cancelled at and the workers terminated
 * by then.
 */
async function cancelAt(page: Page, stage: RegExp, how: 'button' | 'esc'): Promise<void> {
  await page.evaluate(([src, how]) => {
    const w = window as any;
    const note = document.querySelector('[data-testid=toolbar-note]')!;
    w.__cancelAt = null;
    const ob = new MutationObserver(() => {
      const text = note.textContent ?? '';
      if (!new RegExp(src!).test(text)) return;
      ob.disconnect();
      // Whether the user could see Cancel download at that moment (read here, not after the
      // click: a cancel this early may already have hidden it again).
      const btn = document.querySelector('[data-testid=cancel-download]') as HTMLElement;
      const buttonVisible = btn.getClientRects().length > 0 && getComputedStyle(btn).visibility !== 'hidden';
      w.__cancelAt = { note: text, terminatedBefore: w.__terminated, buttonVisible };
      if (how === 'button') (document.querySelector('[data-testid=cancel-download]') as HTMLButtonElement).click();
      else document.querySelector('[data-testid=panel]')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, cancelable: true }));
    });
    ob.observe(note, { childList: true, characterData: true, subtree: true });
  }, [stage.source, how] as const);
}

const noteText = (page: Page) => page.textContent('[data-testid=toolbar-note]') as Promise<string>;

/** Wait until the toolbar says the download was cancelled; what it says. */
async function cancelled(page: Page): Promise<string> {
  await page.waitForFunction(() => /^Download cancelled/.test(document.querySelector('[data-testid=toolbar-note]')!.textContent ?? ''), undefined, { timeout: 60000 });
  return noteText(page);
}

/** The toolbar as the user sees it after a download ended: download buttons usable, Cancel download gone. */
async function toolbarIdle(page: Page, ids: string[]): Promise<void> {
  for (const id of ids) expect(await page.isDisabled(`[data-testid=${id}]`)).toBe(false);
  expect(await page.isHidden('[data-testid=cancel-download]')).toBe(true);
}

/** Click a download button and wait for the file and the toolbar's "Saved" line. */
async function downloadVia(page: Page, testid: string): Promise<{ name: string; note: string }> {
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 120000 }), page.click(`[data-testid=${testid}]`)]) as [Download, void];
  await page.waitForFunction(() => /^Saved /.test(document.querySelector('[data-testid=toolbar-note]')!.textContent ?? ''), undefined, { timeout: 120000 });
  return { name: download.suggestedFilename(), note: await noteText(page) };
}

test('Cancel download stops a WebP in the browser\'s encoder (its worker terminated) and a PNG between its slices: "Download cancelled", nothing saved, the next download works', async () => {
  const ctx = await countingContext();
  try {
    const { page, errors } = await openPlaygroundCollecting(ctx, server.origin);
    const events: string[] = [];
    page.on('download', (d) => events.push(d.suggestedFilename()));
    // Nothing to cancel: no button.
    expect(await page.locator('[data-testid=cancel-download]').count()).toBe(1);
    expect(await page.isHidden('[data-testid=cancel-download]')).toBe(true);
    await openFile(page, files.webp, W);
    expect(await page.textContent('[data-testid=download-original]')).toBe('Download WebP');

    // WebP, cancelled while the browser encodes it (the worker is in convertToBlob).
    await cancelAt(page, /the browser is encoding it/, 'button');
    await page.click('[data-testid=download-original]');
    expect(await cancelled(page)).toBe('Download cancelled: nothing was saved.');
    const webpCancel = await page.evaluate(() => ({ at: (window as any).__cancelAt, terminated: (window as any).__terminated, saved: (window as any).__saved }));
    // Cancel download was there to press while the download worked.
    expect(webpCancel.at.buttonVisible).toBe(true);
    expect(webpCancel.at.note).toMatch(/^Preparing the WebP: the browser is encoding it/);
    // Terminated by the cancel (not when an encoding ended: none had).
    expect(webpCancel.at.terminatedBefore).toBe(0);
    expect(webpCancel.terminated).toBeGreaterThan(0);
    expect(webpCancel.saved).toEqual([]);
    await toolbarIdle(page, ['download', 'download-original']);

    // PNG, cancelled between two of its slices.
    await cancelAt(page, /^Preparing the PNG… [1-9]\d?%$/, 'button');
    await page.click('[data-testid=download]');
    expect(await cancelled(page)).toBe('Download cancelled: nothing was saved.');
    expect(await page.evaluate(() => (window as any).__saved)).toEqual([]);
    await toolbarIdle(page, ['download', 'download-original']);

    // The page goes on: the next download is saved, and it is the first file the browser got.
    const png = await downloadVia(page, 'download');
    expect(png.name).toBe('wide-smartdrag.png');
    expect(png.note).toMatch(/^Saved wide-smartdrag\.png /);
    expect(events).toEqual(['wide-smartdrag.png']);
    await toolbarIdle(page, ['download', 'download-original']);
    // (A cancel leaves no unhandled rejection behind: the worker's promise, the PNG's stream.)
    expect(errors).toEqual([]);
  } finally {
    await ctx.close();
  }
});

test('Esc cancels a JPEG download while its pixels go to the encoder; the results stay unsaved (leaving still asks), and Download JPEG then saves them', async () => {
  const ctx = await countingContext();
  try {
    const { page, errors } = await openPlaygroundCollecting(ctx, server.origin);
    const events: string[] = [];
    page.on('download', (d) => events.push(d.suggestedFilename()));
    await openFile(page, files.jpeg, W);
    // A result not downloaded yet (added as a Smart Drag adds it).
    await page.evaluate(() => (window as any).smartdrag.host.addLayer({ left: 10, top: 10, width: 20, height: 20, data: new Uint8ClampedArray(1600).fill(255) }, 'Smart Drag'));
    expect(await page.evaluate(() => (window as any).smartdrag.host.hasUnsavedChanges)).toBe(true);

    await cancelAt(page, /^Preparing the JPEG: handing the pixels to the browser's encoder… [1-9]\d?%$/, 'esc');
    await page.click('[data-testid=download-original]');
    expect(await cancelled(page)).toBe('Download cancelled: nothing was saved. Your results are still here, not downloaded yet.');
    expect(await page.evaluate(() => (window as any).__saved)).toEqual([]);
    expect(await page.evaluate(() => (window as any).__terminated)).toBeGreaterThan(0);
    expect(await page.evaluate(() => (window as any).smartdrag.host.hasUnsavedChanges)).toBe(true);
    // The panel's own Esc (cancel a job) was not also taken: its message is untouched.
    expect(await page.textContent('[data-testid=message]')).not.toMatch(/Cancel/);
    await toolbarIdle(page, ['download', 'download-original']);

    const jpg = await downloadVia(page, 'download-original');
    expect(jpg.name).toBe('IMG_0007-smartdrag.jpg');
    expect(events).toEqual(['IMG_0007-smartdrag.jpg']);
    expect(await page.evaluate(() => (window as any).smartdrag.host.hasUnsavedChanges)).toBe(false);
    expect(errors).toEqual([]);
  } finally {
    await ctx.close();
  }
});
