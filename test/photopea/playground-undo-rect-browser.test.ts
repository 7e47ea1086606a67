/**
 * The playground's results, Undo and Redo touch only the result's rectangle (a 48 MP photo's
 * 192 MB were copied, and the whole thumbnail drawn again, for each: hundreds of ms of a frozen
 * page): in a real browser, the document's pixels are those of before (exact bytes) — written
 * into the same memory, outside the rectangle untouched, and the panel's thumbnail is drawn again
 * only there, to the same pixels as a thumbnail made afresh; a download begun before an Undo keeps
 * the pixels it began with; a large document's thumbnail is the area average of its pixels.
 */
import type { Browser, Page } from 'playwright-core';
import type { Bridge } from '../../bridge-server/src/server';
import { ensureBuilt, launchChromium, startBridge } from './harness';
import { hashOf, openPlayground } from './pages';

jest.setTimeout(180_000);

let browser: Browser;
let server: { bridge: Bridge; port: number; origin: string };

beforeAll(async () => {
  await ensureBuilt();
  [server, browser] = await Promise.all([startBridge(0), launchChromium()]);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.bridge.close();
});

/** Open a `w`×`h` photo-like image (noise, an opaque or a soft alpha) made in the page, as the playground opens a file; wait until its thumbnail is made. */
async function openMade(page: Page, w: number, h: number): Promise<void> {
  await page.evaluate(async ([w, h]) => {
    const sd = (window as any).smartdrag;
    const d = new Uint8ClampedArray(w! * h! * 4);
    let s = 7;
    for (let i = 0, y = 0; y < h!; y++) for (let x = 0; x < w!; x++, i += 4) {
      s = (s * 1103515245 + 12345) & 0x7fffffff;
      d[i] = (x * 255) / w! + ((s >> 16) & 31); d[i + 1] = (y * 255) / h!; d[i + 2] = (s >> 8) & 255;
      d[i + 3] = x < 40 ? 128 + (y & 127) : 255;
    }
    sd.host.setImage('made.png', { width: w, height: h, data: d });
    await sd.panel.switchDocument();
  }, [w, h]);
  await settled(page);
}

/** No read, and the thumbnail made. */
const settled = (page: Page) => page.waitForFunction(() => { const p = (window as any).smartdrag.panel; return !p.reading && !p.editor.drawing; }, undefined, { timeout: 60000, polling: 50 });

/** Add a `lw`×`lh` layer at (`left`, `top`) (solid, transparent and soft pixels) as a Smart Drag's result is added, the panel taking it in as it does; wait until shown. */
async function addResult(page: Page, left: number, top: number, lw: number, lh: number): Promise<void> {
  await page.evaluate(async ([left, top, lw, lh]) => {
    const sd = (window as any).smartdrag;
    const data = new Uint8ClampedArray(lw! * lh! * 4);
    for (let i = 0, y = 0; y < lh!; y++) for (let x = 0; x < lw!; x++, i += 4) {
      data[i] = 250; data[i + 1] = (x * 3) & 255; data[i + 2] = 20;
      data[i + 3] = (x + y) % 7 === 0 ? 0 : (x + y) % 7 === 1 ? 90 : 255;
    }
    const from = sd.panel.doc;
    await sd.host.addLayer({ left, top, width: lw, height: lh, data }, 'Smart Drag', from);
    await sd.panel.reloadDocument();
  }, [left, top, lw, lh]);
  await settled(page);
}

const docHash = (page: Page) => hashOf(page, 'window.smartdrag.host.readDocument().then((d) => d.rgba.data)');

/** SHA-256 of what the editor's canvas shows (nothing drawn over the thumbnail: no region, no arrow). */
const viewHash = (page: Page) => hashOf(page, `(() => { const c = document.querySelector('canvas.sd-editor'); return c.getContext('2d').getImageData(0, 0, c.width, c.height).data; })()`);

/** Count the calls of the editor's setDocument (the whole thumbnail drawn again) from now on. */
const countSetDocument = (page: Page) => page.evaluate(() => {
  const ed = (window as any).smartdrag.panel.editor, set = ed.setDocument.bind(ed);
  (window as any).__setDocuments = 0;
  ed.setDocument = (img: unknown) => { (window as any).__setDocuments++; set(img); };
});

test('a result, Undo and Redo write only the result\'s rectangle, into the same memory: the exact pixels come back, the panel redraws only there', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1000, height: 900 } });
  try {
    const page = await openPlayground(ctx, server.origin);
    const W = 1600, H = 1200;
    await openMade(page, W, H);
    const original = await docHash(page);
    // A copy of the document's bytes outside the result, and its memory.
    await page.evaluate(async () => {
      const d = (await (window as any).smartdrag.host.readDocument()).rgba.data as Uint8ClampedArray;
      (window as any).__before = { bytes: d.slice(), buffer: d.buffer, array: d };
    });
    await countSetDocument(page);
    await addResult(page, 500, 300, 300, 200);
    const result = await docHash(page);
    expect(result).not.toBe(original);
    const check = () => page.evaluate(async ([W]) => {
      const sd = (window as any).smartdrag, b = (window as any).__before;
      const doc = await sd.host.readDocument();
      const d = doc.rgba.data as Uint8ClampedArray;
      // Every byte outside the result's rectangle as it was.
      let outside = 0;
      for (let y = 0, i = 0; y < d.length / 4 / W!; y++) for (let x = 0; x < W!; x++, i += 4) {
        if (x >= 500 && x < 800 && y >= 300 && y < 500) continue;
        if (d[i] !== b.bytes[i] || d[i + 1] !== b.bytes[i + 1] || d[i + 2] !== b.bytes[i + 2] || d[i + 3] !== b.bytes[i + 3]) outside++;
      }
      return {
        outside,
        sameMemory: d.buffer === b.buffer,
        // A new array object all the same (what keys on the array sees another image).
        newArray: d !== b.array,
        panelHasIt: sd.panel.doc === doc,
        setDocuments: (window as any).__setDocuments,
      };
    }, [W]);
    expect(await check()).toEqual({ outside: 0, sameMemory: true, newArray: true, panelHasIt: true, setDocuments: 0 });

    // Undo (the toolbar's button): the bytes as opened, exactly; Redo: the result's.
    await page.click('[data-testid=undo]');
    await settled(page);
    expect(await docHash(page)).toBe(original);
    expect(await check()).toEqual({ outside: 0, sameMemory: true, newArray: true, panelHasIt: true, setDocuments: 0 });
    await page.click('[data-testid=redo]');
    await settled(page);
    expect(await docHash(page)).toBe(result);
    expect(await check()).toEqual({ outside: 0, sameMemory: true, newArray: true, panelHasIt: true, setDocuments: 0 });
    // The host says where they differ: the result's rectangle (joined over the steps between).
    const areas = await page.evaluate(async () => {
      const sd = (window as any).smartdrag;
      const a = await sd.host.readDocument();
      sd.host.undo();
      const b = await sd.host.readDocument();
      sd.host.redo();
      const c = await sd.host.readDocument();
      await sd.panel.reloadDocument();
      return [sd.host.changedArea(a, b), sd.host.changedArea(a, c), sd.host.changedArea(c, c), sd.host.contentKey(a) === sd.host.contentKey(c), sd.host.contentKey(a) === sd.host.contentKey(b)];
    });
    expect(areas).toEqual([{ left: 500, top: 300, width: 300, height: 200 }, { left: 500, top: 300, width: 300, height: 200 }, { left: 0, top: 0, width: 0, height: 0 }, true, false]);
    expect(await docHash(page)).toBe(result);
  } finally {
    await ctx.close();
  }
});

test('a large document\'s thumbnail redrawn in a result\'s rectangle (a result, Undo, Redo) is exactly the thumbnail made afresh', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1000, height: 900 } });
  try {
    const page = await openPlayground(ctx, server.origin);
    // 6 MP: many times the view's pixels, so the editor makes its own thumbnail.
    await openMade(page, 3000, 2000);
    const opened = await viewHash(page);
    // A result straddling thumbnail pixels (odd position and size).
    await addResult(page, 1001, 333, 517, 291);
    const withResult = await viewHash(page);
    expect(withResult).not.toBe(opened);
    /** The view with the whole thumbnail made again from the document as it is. */
    const afresh = async () => {
      await page.evaluate(async () => {
        const sd = (window as any).smartdrag;
        sd.panel.editor.setDocument((await sd.host.readDocument()).rgba);
      });
      await settled(page);
      return viewHash(page);
    };
    expect(await afresh()).toBe(withResult);
    await page.click('[data-testid=undo]');
    await settled(page);
    expect(await viewHash(page)).toBe(opened);
    await page.click('[data-testid=redo]');
    await settled(page);
    expect(await viewHash(page)).toBe(withResult);
    await page.click('[data-testid=undo]');
    await settled(page);
    expect(await afresh()).toBe(opened);
  } finally {
    await ctx.close();
  }
});

test('a large document\'s thumbnail is the area average of its pixels (a flat colour stays that colour; a half-transparent one keeps its colour)', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1000, height: 900 } });
  try {
    const page = await openPlayground(ctx, server.origin);
    const got = await page.evaluate(async () => {
      const sd = (window as any).smartdrag;
      const w = 3000, h = 2000, d = new Uint8ClampedArray(w * h * 4);
      // Left half opaque (10, 200, 90); right half (250, 20, 30) at alpha 100.
      for (let i = 0, y = 0; y < h; y++) for (let x = 0; x < w; x++, i += 4) {
        if (x < w / 2) { d[i] = 10; d[i + 1] = 200; d[i + 2] = 90; d[i + 3] = 255; } else { d[i] = 250; d[i + 1] = 20; d[i + 2] = 30; d[i + 3] = 100; }
      }
      sd.host.setImage('flat.png', { width: w, height: h, data: d });
      await sd.panel.switchDocument();
      while (sd.panel.editor.drawing || sd.panel.reading) await new Promise((r) => setTimeout(r, 20));
      const c = document.querySelector('canvas.sd-editor') as HTMLCanvasElement;
      const px = (x: number, y: number) => Array.from(c.getContext('2d')!.getImageData(x, y, 1, 1).data);
      return { left: px(Math.floor(c.width / 4), Math.floor(c.height / 2)), right: px(Math.floor((c.width * 3) / 4), Math.floor(c.height / 2)) };
    });
    expect(got.left).toEqual([10, 200, 90, 255]);
    // (The canvas keeps premultiplied colour: a byte or two off at alpha 100.)
    expect(got.right[3]).toBe(100);
    for (const [c, want] of [[0, 250], [1, 20], [2, 30]] as const) expect(Math.abs(got.right[c]! - want)).toBeLessThanOrEqual(3);
  } finally {
    await ctx.close();
  }
});

test('a download begun before an Undo keeps the pixels it began with (the Undo writes into a copy meanwhile)', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1000, height: 900 } });
  try {
    const page = await openPlayground(ctx, server.origin);
    await openMade(page, 800, 600);
    await addResult(page, 100, 100, 200, 150);
    const result = await docHash(page);
    const got = await page.evaluate(async () => {
      const sd = (window as any).smartdrag;
      const before = (await sd.host.readDocument()).rgba.data;
      const saving = sd.host.exportImage('png');
      sd.host.undo();
      const undone = (await sd.host.readDocument()).rgba.data;
      const file = await saving;
      // The PNG decoded by the browser (no profile: its numbers as written).
      const bmp = await createImageBitmap(new Blob([file.bytes], { type: 'image/png' }), { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
      const c = new OffscreenCanvas(bmp.width, bmp.height);
      const g = c.getContext('2d')!;
      g.drawImage(bmp, 0, 0);
      const opaque = g.getImageData(0, 0, bmp.width, bmp.height).data;
      return { copied: undone.buffer !== before.buffer, saved: Array.from(opaque.slice((120 * 800 + 152) * 4, (120 * 800 + 152) * 4 + 4)), doc: Array.from(before.slice((120 * 800 + 152) * 4, (120 * 800 + 152) * 4 + 4)), undone: Array.from(undone.slice((120 * 800 + 152) * 4, (120 * 800 + 152) * 4 + 4)) };
    });
    // The download has the result's pixel; the document the undone one.
    expect(got.copied).toBe(true);
    expect(got.saved).toEqual(got.doc);
    expect(got.undone).not.toEqual(got.doc);
    await page.evaluate(() => (window as any).smartdrag.host.redo());
    expect(await docHash(page)).toBe(result);
  } finally {
    await ctx.close();
  }
});
