/**
 * The playground as a demanding user of a Photoshop-like editor uses it, in a real browser against
 * a real bridge: Undo after a Smart Drag gives back the lasso, the arrows and the intent it was made
 * from (to adjust the arrow and try again), Redo puts the result back; the download is offered in
 * the opened file's format (a JPEG as JPEG with its ICC profile, a WebP as WebP; transparency
 * flattened onto white and said so; a WebP too wide for the format falls back to PNG and says so);
 * a 20:1 panorama gets a view tall enough to lasso in, scrolling along it.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Browser, Download, Page } from 'playwright-core';
import type { Point } from '@smartdrag/shared';
import type { Bridge } from '../../bridge-server/src/server';
import { ensureBuilt, launchChromium, startBridge } from './harness';
import { bytesOf, docHash, dragOnEditor, hashOf, lassoOnPage, lassoRingAndDrag, openFile, openPlayground, pixelAt, previewsSettled, ringAround } from './pages';

jest.setTimeout(180_000);

const W = 1200, H = 1000;
const DISC: Point = [400, 420], R = 90;

let browser: Browser;
let server: { bridge: Bridge; port: number; origin: string };
let dir: string;
let p3: Buffer;
let files: { jpeg: string; webp: string; pano: string };

/** A textured grey scene with a red disc at `c` (RGB, `w`×`h`). */
function scene(w: number, h: number, c: Point, r: number): Buffer {
  const rgb = Buffer.alloc(w * h * 3);
  for (let y = 0, i = 0; y < h; y++) for (let x = 0; x < w; x++, i += 3) {
    const t = ((x * 7 + y * 13) % 23) - 11;
    const inDisc = (x - c[0]) ** 2 + (y - c[1]) ** 2 <= r * r;
    rgb[i] = inDisc ? 210 : 110 + t; rgb[i + 1] = inDisc ? 40 : 120 + t; rgb[i + 2] = inDisc ? 45 : 128 + t;
  }
  return rgb;
}

/** The profile description (ICC `desc` tag: v2 `desc` or v4 `mluc`), or null. */
function iccDescription(icc: Buffer): string | null {
  const n = icc.readUInt32BE(128);
  for (let k = 0; k < n; k++) {
    const e = 132 + k * 12;
    if (icc.toString('latin1', e, e + 4) !== 'desc') continue;
    const off = icc.readUInt32BE(e + 4), type = icc.toString('latin1', off, off + 4);
    if (type === 'desc') return icc.toString('latin1', off + 12, off + 12 + icc.readUInt32BE(off + 8) - 1);
    if (type === 'mluc') {
      const len = icc.readUInt32BE(off + 20), at = off + icc.readUInt32BE(off + 24);
      const b = Buffer.from(icc.subarray(at, at + len));
      return b.swap16().toString('utf16le');
    }
  }
  return null;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'smartdrag-playground-undo-'));
  await ensureBuilt();
  const raw = { raw: { width: W, height: H, channels: 3 as const } };
  const jpeg = join(dir, 'IMG_0042.jpg');
  writeFileSync(jpeg, await sharp(scene(W, H, DISC, R), raw).withIccProfile('p3').jpeg({ quality: 92 }).toBuffer());
  p3 = (await sharp(jpeg).metadata()).icc!;
  const webp = join(dir, 'scene.webp');
  writeFileSync(webp, await sharp(scene(600, 400, [200, 200], 60), { raw: { width: 600, height: 400, channels: 3 } }).withIccProfile('p3').webp({ quality: 92 }).toBuffer());
  // A 20:1 panorama with a red disc near its right end.
  const pano = join(dir, 'pano.png');
  writeFileSync(pano, await sharp(scene(20000, 1000, [18000, 500], 150), { raw: { width: 20000, height: 1000, channels: 3 } }).png({ compressionLevel: 3 }).toBuffer());
  files = { jpeg, webp, pano };
  [server, browser] = await Promise.all([startBridge(0), launchChromium()]);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.bridge.close();
});

const panelDocHash = (page: Page) => hashOf(page, 'window.smartdrag.panel.doc.rgba.data');
const isRed = (p: number[]) => p[0]! - p[1]! > 100;

/** The panel's regions (box and outline), arrows, intent and type. */
const editOf = (page: Page) => page.evaluate(() => {
  const p = (window as any).smartdrag.panel;
  return {
    regions: p.editor.regions.map((r: any) => ({ id: r.id, box: [r.mask.left, r.mask.top, r.mask.width, r.mask.height], polygon: r.polygon })),
    arrows: p.editor.arrows.map((a: any) => a.points),
    intent: (document.querySelector('[data-testid=intent]') as HTMLTextAreaElement).value,
    kind: (document.querySelector('[data-testid=kind]') as HTMLSelectElement).value,
    key: p.editKey() as string,
  };
});

/** Record the toolbar note's texts from now on. */
async function watchNotes(page: Page): Promise<string[]> {
  const notes: string[] = [];
  await page.exposeFunction('__note', (t: string) => { notes.push(t); });
  await page.evaluate(() => {
    const n = document.querySelector('[data-testid=toolbar-note]')!;
    new MutationObserver(() => (window as any).__note(n.textContent)).observe(n, { childList: true, characterData: true, subtree: true });
  });
  return notes;
}

/** Click a download button; the file, its suggested name, and the toolbar's "Saved" line. */
async function downloadVia(page: Page, testid: string): Promise<{ bytes: Buffer; name: string; note: string }> {
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 120000 }), page.click(`[data-testid=${testid}]`)]) as [Download, void];
  const bytes = readFileSync((await download.path())!);
  await page.waitForFunction(() => /^Saved /.test(document.querySelector('[data-testid=toolbar-note]')!.textContent ?? ''), undefined, { timeout: 60000 });
  return { bytes, name: download.suggestedFilename(), note: (await page.textContent('[data-testid=toolbar-note]'))! };
}

/** Mean and largest absolute difference of RGB between a decoded file (3 channels) and the page's RGBA. */
function rgbDiff(file: Buffer, rgba: Buffer): { mean: number; max: number } {
  let sum = 0, max = 0;
  for (let i = 0, j = 0; i < file.length; i += 3, j += 4) {
    for (let c = 0; c < 3; c++) {
      const d = Math.abs(file[i + c]! - rgba[j + c]!);
      sum += d;
      if (d > max) max = d;
    }
  }
  return { mean: sum / file.length, max };
}

test('Undo after a Smart Drag gives back its lasso, arrows and intent (adjust the arrow, apply again); Redo puts the result back until the drag is changed', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1000, height: 900 } });
  try {
    const page = await openPlayground(ctx, server.origin);
    await openFile(page, files.jpeg, W);
    const original = await docHash(page);

    await page.selectOption('[data-testid=kind]', 'translate');
    await page.fill('[data-testid=intent]', 'move it');
    await lassoRingAndDrag(page, DISC, R + 25, [760, 560]);
    await previewsSettled(page);
    const pressed = await editOf(page);
    expect(pressed.regions).toHaveLength(1);
    expect(pressed.arrows).toEqual([[DISC, [760, 560]]]);

    await page.click('[data-testid=apply]');
    await page.waitForFunction(() => (window as any).smartdrag.host.layers.length === 1, undefined, { timeout: 90000 });
    await previewsSettled(page);
    expect(isRed(await pixelAt(page, 760, 560))).toBe(true);
    // Applied: the panel cleared its lasso and arrow (as it always has). The user types on.
    expect((await editOf(page)).arrows).toEqual([]);
    expect((await editOf(page)).regions).toEqual([]);
    await page.fill('[data-testid=intent]', 'something else');

    // Undo: the pixels as opened, and the lasso, arrow, intent and type as Smart Drag was pressed.
    // (Clicked in the page, so the message is read before the live preview replaces it.)
    const said = await page.evaluate(() => {
      (document.querySelector('[data-testid=undo]') as HTMLButtonElement).click();
      return document.querySelector('[data-testid=message]')!.textContent;
    });
    expect(said).toMatch(/^Undone: the lasso, arrows and intent of that Smart Drag are back/);
    expect(await docHash(page)).toBe(original);
    const back = await editOf(page);
    expect(back).toEqual(pressed);
    expect(await page.isDisabled('[data-testid=redo]')).toBe(false);
    // As for any changed drag, a live preview is made for it, on the image as it is now.
    await page.waitForFunction(() => {
      const p = (window as any).smartdrag.panel;
      return p.lastSubmitted?.quality === 'preview' && !p.job && !p.previewPending && !p.previewTimer && p.planKey === p.editKey() && !!p.editor.movedPolygons;
    }, undefined, { timeout: 60000 });
    expect(await panelDocHash(page)).toBe(original);
    expect(await page.evaluate(() => (window as any).smartdrag.panel.lastSubmitted.drags.map((d: any) => d.points))).toEqual([[DISC, [760, 560]]]);

    // Adjust the arrow's end and apply again: the disc goes where the arrow says now.
    await dragOnEditor(page, page, [760, 560], [700, 250], 10);
    await previewsSettled(page);
    expect((await editOf(page)).arrows).toEqual([[DISC, [700, 250]]]);
    await page.click('[data-testid=apply]');
    await page.waitForFunction(() => (window as any).smartdrag.host.layers.length === 1 && !(window as any).smartdrag.panel.job, undefined, { timeout: 90000 });
    await previewsSettled(page);
    expect(isRed(await pixelAt(page, 700, 250))).toBe(true);
    expect(isRed(await pixelAt(page, 760, 560))).toBe(false);
    const second = await docHash(page);
    // A new result: nothing undone to redo.
    expect(await page.isDisabled('[data-testid=redo]')).toBe(true);

    // The keyboard (focus outside the intent box): Ctrl+Z, Ctrl+Shift+Z, Ctrl+Y.
    await page.click('[data-testid=toolbar-note]');
    await page.keyboard.press('Control+z');
    expect(await docHash(page)).toBe(original);
    expect((await editOf(page)).arrows).toEqual([[DISC, [700, 250]]]);
    expect((await editOf(page)).intent).toBe('move it');
    await page.keyboard.press('Control+Shift+z');
    expect(await docHash(page)).toBe(second);
    expect(await page.evaluate(() => (window as any).smartdrag.host.layers.length)).toBe(1);
    expect((await editOf(page)).arrows).toEqual([]);
    expect(await page.textContent('[data-testid=toolbar-note]')).toBe('Redone.');
    await page.waitForFunction((h) => (async () => {
      const d = (window as any).smartdrag.panel.doc?.rgba.data as Uint8ClampedArray<ArrayBuffer> | undefined;
      return !!d && Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', d)), (b) => b.toString(16).padStart(2, '0')).join('') === h;
    })(), second);
    await page.keyboard.press('Control+z');
    expect(await docHash(page)).toBe(original);
    await page.keyboard.press('Control+y');
    expect(await docHash(page)).toBe(second);

    // Undo, then change the drag: that is a new history — Redo goes.
    await page.keyboard.press('Control+z');
    expect(await page.isDisabled('[data-testid=redo]')).toBe(false);
    await page.click('[data-testid=clear]');
    expect(await page.isDisabled('[data-testid=redo]')).toBe(true);
    await page.keyboard.press('Control+y');
    expect(await docHash(page)).toBe(original);
  } finally {
    await ctx.close();
  }
});

test('Undo and Redo wait while a Smart Drag runs (its result would land over the undone image): the toolbar says so, and Undo works once it is done', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1000, height: 900 } });
  try {
    const page = await openPlayground(ctx, server.origin);
    await openFile(page, files.jpeg, W);
    await page.selectOption('[data-testid=kind]', 'translate');
    const lassoAndDrag = async (to: Point): Promise<void> => {
      await lassoRingAndDrag(page, DISC, R + 25, to);
      await previewsSettled(page);
    };
    await lassoAndDrag([760, 560]);
    await page.click('[data-testid=apply]');
    await page.waitForFunction(() => (window as any).smartdrag.host.layers.length === 1, undefined, { timeout: 90000 });
    await previewsSettled(page);
    const first = await docHash(page);

    // A second Smart Drag, and Ctrl+Z pressed while it runs (in the same turn of the page).
    await lassoAndDrag([700, 250]);
    const during = await page.evaluate(() => {
      const sd = (window as any).smartdrag;
      (document.querySelector('[data-testid=apply]') as HTMLButtonElement).click();
      const running = sd.panel.smartDragRunning;
      document.dispatchEvent(new KeyboardEvent('keydown', { key: 'z', ctrlKey: true, bubbles: true }));
      return { running, layers: sd.host.layers.length, canUndo: sd.host.canUndo, note: document.querySelector('[data-testid=toolbar-note]')!.textContent };
    });
    expect(during).toEqual({ running: true, layers: 1, canUndo: true, note: 'A Smart Drag is running: Undo when it is done, or press Cancel first.' });
    expect(await docHash(page)).toBe(first);
    // The second result lands on the first; then Undo takes it back.
    await page.waitForFunction(() => (window as any).smartdrag.host.layers.length === 2, undefined, { timeout: 90000 });
    await previewsSettled(page);
    await page.keyboard.press('Control+z');
    await page.waitForFunction(() => (window as any).smartdrag.host.layers.length === 1, undefined, { timeout: 30000 });
    expect(await docHash(page)).toBe(first);
  } finally {
    await ctx.close();
  }
});

test('a JPEG downloads as JPEG (quality 92) with its ICC profile, named after it; transparent pixels are flattened onto white and the note says so', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1000, height: 900 }, acceptDownloads: true });
  try {
    const page = await openPlayground(ctx, server.origin);
    // The sample is a PNG: PNG is all there is.
    await page.click('[data-testid=load-sample]');
    await page.waitForFunction(() => (window as any).smartdrag.panel.editor.documentSize.width > 0);
    expect(await page.isHidden('[data-testid=download-original]')).toBe(true);

    await openFile(page, files.jpeg, W);
    expect(await page.isVisible('[data-testid=download-original]')).toBe(true);
    expect(await page.textContent('[data-testid=download-original]')).toBe('Download JPEG');
    expect(await page.textContent('[data-testid=download]')).toBe('Download PNG');
    const notes = await watchNotes(page);
    const jpg = await downloadVia(page, 'download-original');
    expect(jpg.name).toBe('IMG_0042-smartdrag.jpg');
    // (Its stages are checked in playground-exif-browser.test.ts.)
    expect(notes[0]).toMatch(/^Preparing the JPEG(…$|: )/);
    expect(jpg.note).toBe(`Saved IMG_0042-smartdrag.jpg (${(jpg.bytes.length / 1e6).toFixed(1)} MB).`);
    const meta = await sharp(jpg.bytes).metadata();
    expect(meta.format).toBe('jpeg');
    expect([meta.width, meta.height, meta.hasAlpha]).toEqual([W, H, false]);
    expect(meta.icc && Buffer.compare(meta.icc, p3)).toBe(0);
    expect(iccDescription(meta.icc!)).toBe(iccDescription(p3));
    expect(iccDescription(p3)).toMatch(/P3/);
    // The numbers as the page has them (the file's own, not converted: read here without the
    // profile, which sharp would convert to sRGB), within JPEG's loss.
    const page0 = await bytesOf(page, 'window.smartdrag.host.readDocument().then((d) => d.rgba.data)');
    const decoded = await sharp(jpg.bytes, { ignoreIcc: true }).raw().toBuffer();
    expect(rgbDiff(decoded, page0).mean).toBeLessThan(3);
    const at = DISC[1] * W + DISC[0];
    const disc = Array.from(page0.subarray(at * 4, at * 4 + 3));
    expect(isRed(disc)).toBe(true);
    expect(Array.from(decoded.subarray(at * 3, at * 3 + 3)).map((v, c) => Math.abs(v - disc[c]!)).every((x) => x <= 6)).toBe(true);
    // PNG stays one click away, exact.
    const png = await downloadVia(page, 'download');
    expect(png.name).toBe('IMG_0042-smartdrag.png');
    expect((await sharp(png.bytes).metadata()).format).toBe('png');

    // A result with transparent pixels (a cut-out; set here as the page's image): flattened onto white, said so.
    await page.evaluate(() => {
      const w = 300, h = 200, data = new Uint8ClampedArray(w * h * 4);
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
        const i = (y * w + x) * 4;
        data[i] = 20; data[i + 1] = 100; data[i + 2] = 200;
        data[i + 3] = x < 100 ? 255 : x < 200 ? 128 : 0;
      }
      (window as any).smartdrag.host.setImage('cut.jpeg', { width: w, height: h, data }, { format: 'jpeg' });
    });
    const cut = await downloadVia(page, 'download-original');
    expect(cut.name).toBe('cut-smartdrag.jpeg');
    expect(cut.note).toMatch(/^Saved cut-smartdrag\.jpeg \(\d+\.\d MB\)\. Its transparent pixels were flattened onto white \(JPEG has no transparency; Download PNG keeps them\)\.$/);
    const px = await sharp(cut.bytes, { ignoreIcc: true }).raw().toBuffer();
    const rgbAt = (x: number, y: number) => Array.from(px.subarray((y * 300 + x) * 3, (y * 300 + x) * 3 + 3));
    const near = (a: number[], b: number[]) => a.every((v, c) => Math.abs(v - b[c]!) <= 6);
    expect(near(rgbAt(50, 100), [20, 100, 200])).toBe(true);
    expect(near(rgbAt(150, 100), [137, 177, 228])).toBe(true); // (c·128 + 255·127) / 255
    expect(near(rgbAt(250, 100), [255, 255, 255])).toBe(true);
  } finally {
    await ctx.close();
  }
});

test('a WebP downloads as WebP with its ICC profile; one wider than WebP allows is saved as PNG, and the note says why', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1000, height: 900 }, acceptDownloads: true });
  try {
    const page = await openPlayground(ctx, server.origin);
    await openFile(page, files.webp, 600);
    expect(await page.textContent('[data-testid=download-original]')).toBe('Download WebP');
    const webp = await downloadVia(page, 'download-original');
    expect(webp.name).toBe('scene-smartdrag.webp');
    const meta = await sharp(webp.bytes).metadata();
    expect(meta.format).toBe('webp');
    expect([meta.width, meta.height]).toEqual([600, 400]);
    expect(meta.icc && Buffer.compare(meta.icc, p3)).toBe(0);
    const page0 = await bytesOf(page, 'window.smartdrag.host.readDocument().then((d) => d.rgba.data)');
    expect(rgbDiff(await sharp(webp.bytes, { ignoreIcc: true }).removeAlpha().raw().toBuffer(), page0).mean).toBeLessThan(4);

    await page.evaluate(() => {
      const w = 17000, h = 8, data = new Uint8ClampedArray(w * h * 4).fill(200);
      (window as any).smartdrag.host.setImage('strip.webp', { width: w, height: h, data }, { format: 'webp' });
    });
    const strip = await downloadVia(page, 'download-original');
    expect(strip.name).toBe('strip-smartdrag.png');
    expect(strip.note).toMatch(/^Saved strip-smartdrag\.png \(\d+\.\d MB\)\. Not as WebP: a WebP cannot be wider or taller than 16383 px; saved as PNG\.$/);
    expect((await sharp(strip.bytes).metadata()).format).toBe('png');
  } finally {
    await ctx.close();
  }
});

test('a 20000×1000 panorama gets a view tall enough to lasso in (not a 26 px strip), scrolling along it within the panel', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1000, height: 900 } });
  try {
    const page = await openPlayground(ctx, server.origin);
    await openFile(page, files.pano, 20000);
    // Half the thumbnail's largest side (520) at least, instead of 520 / 20.
    const shown = (await page.locator('canvas.sd-editor').boundingBox())!;
    expect(shown.height).toBeGreaterThanOrEqual(250);
    const view = await page.evaluate(() => {
      const v = document.querySelector('[data-testid=editor-view]') as HTMLElement;
      const c = document.querySelector('canvas.sd-editor')!.getBoundingClientRect();
      const panel = document.querySelector('[data-testid=panel]')!.getBoundingClientRect();
      const vr = v.getBoundingClientRect();
      return { canvasH: c.height, canvasW: c.width, viewW: v.clientWidth, viewRight: vr.right, panelRight: panel.right, scrollW: v.scrollWidth, scale: (window as any).smartdrag.panel.editor.scale };
    });
    expect(view.canvasW / view.canvasH).toBeCloseTo(20, 1);
    // The view stays within the panel and scrolls along the panorama.
    expect(view.viewRight).toBeLessThanOrEqual(view.panelRight);
    expect(view.scrollW).toBeGreaterThan(view.viewW * 5);
    // The wheel scrolls it sideways.
    const box = (await page.locator('[data-testid=editor-view]').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, 300);
    await page.waitForFunction(() => (document.querySelector('[data-testid=editor-view]') as HTMLElement).scrollLeft > 0);
    // Scrolled to the disc near the right end, it can be lassoed there: the region is where the disc is.
    await page.evaluate((s) => {
      const v = document.querySelector('[data-testid=editor-view]') as HTMLElement;
      v.scrollLeft = 18000 * s - v.clientWidth / 2;
    }, view.scale);
    await page.click('[data-testid=tool-lasso]');
    await lassoOnPage(page, ringAround([18000, 500], 200));
    const region = await page.evaluate(() => { const m = (window as any).smartdrag.panel.editor.regions[0].mask; return [m.left, m.top, m.width, m.height]; });
    expect(Math.abs(region[0] - 17800)).toBeLessThan(20);
    expect(Math.abs(region[1] - 300)).toBeLessThan(20);
    expect(Math.abs(region[2] - 400)).toBeLessThan(30);
    expect(Math.abs(region[3] - 400)).toBeLessThan(30);
  } finally {
    await ctx.close();
  }
});
