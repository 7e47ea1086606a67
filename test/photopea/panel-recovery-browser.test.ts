/**
 * Browser tests of how the panel recovers and what it ignores, in the playground (a real bridge,
 * the packaged Chromium, the real mouse): the bridge restarted while a Smart Drag runs and the
 * arrow moved while it was away (the connection error goes, the panel says the edit was not
 * applied, the stale plan goes and a new live preview is made); a plan that no longer matches the
 * intent goes; a shaky click on a large image makes no arrow (measured on screen, not in document
 * pixels); a lasso too small to make a region is told.
 */
import { join } from 'node:path';
import sharp from 'sharp';
import type { Browser, Page } from 'playwright-core';
import type { Point } from '@smartdrag/shared';
import type { Bridge } from '../../bridge-server/src/server';
import { artifactsDir, ensureBuilt, launchChromium, startBridge } from './harness';
import { candyDragPreviewed, CANDY, CANDY_DRAG, dragOnEditor, holdWebSocketSends, lassoOnPage, loadSample, message, openPlaygroundCollecting } from './pages';

jest.setTimeout(120_000);


let browser: Browser;
let server: { bridge: Bridge; port: number; origin: string };

beforeAll(async () => {
  await ensureBuilt();
  [server, browser] = await Promise.all([startBridge(0), launchChromium()]);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.bridge.close();
});

const planText = (page: Page) => page.evaluate(() => document.querySelector('[data-testid=plan]')!.textContent ?? '');

test('bridge restarted during Smart Drag, the arrow moved meanwhile: on reconnect the connection error goes, the panel says the edit was not applied, and the stale plan is replaced by a live preview of the moved arrow', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1000, height: 900 } });
  // Hold what the page sends, so the final is surely still running when the bridge stops.
  await holdWebSocketSends(ctx);
  let stopped: number | null = null; // the port of the stopped bridge, until it is started again
  try {
    const { page, errors } = await openPlaygroundCollecting(ctx, server.origin);
    await candyDragPreviewed(page);
    await page.waitForSelector('[data-testid=plan] li');
    await page.evaluate(() => { (window as any).__held = []; });
    await page.click('[data-testid=apply]');
    await page.waitForFunction(() => (window as any).smartdrag.panel.job?.quality === 'final');

    const port = server.port;
    await server.bridge.close();
    stopped = port;
    await page.waitForFunction(() => /^(shutting_down|connection_lost)$/.test(document.querySelector('[data-testid=message]')!.getAttribute('data-result') ?? ''), undefined, { timeout: 30000 });
    await page.evaluate(() => { (window as any).__held = null; }); // what was held went nowhere: the socket is gone
    expect((await message(page)).error).toBe(true);

    // While the bridge is away the user drags the arrow's end elsewhere: the plan of the old arrow goes.
    // (Where exactly it ends may differ a little: the connection hint above the thumbnail changes
    // as the panel retries, which can shift the canvas during the drag.)
    await dragOnEditor(page, page, CANDY_DRAG[1]!, [300, 90]);
    const arrows: Point[][] = await page.evaluate(() => (window as any).smartdrag.panel.editor.arrows.map((a: { points: Point[] }) => a.points));
    expect(arrows.length).toBe(1);
    expect(arrows[0]![0]).toEqual(CANDY_DRAG[0]);
    const NEW_END = arrows[0]![1]!;
    expect(NEW_END[0]).toBeGreaterThan(250);
    expect(await planText(page)).toBe('');

    server = await startBridge(port);
    stopped = null;
    expect(server.port).toBe(port);
    await page.waitForSelector('[data-testid=status][data-state=connected]', { timeout: 30000 });
    // A live preview is made for the arrow as it is now...
    await page.waitForFunction(([tx, ty]) => {
      const p = (window as any).smartdrag.panel;
      const last = p.lastSubmitted?.drags[0]?.points;
      return !p.job && p.lastSubmitted?.quality === 'preview' && !!p.editor.movedPolygons && last?.[last.length - 1][0] === tx && last?.[last.length - 1][1] === ty;
    }, NEW_END, { timeout: 60000 });
    expect(await page.locator('[data-testid=plan] li').count()).toBeGreaterThan(0);
    // ...and the connection error is replaced by what it left undone (the preview does not hide it).
    expect(await message(page)).toEqual({ text: 'The bridge is back. The Smart Drag that was running was not applied — press Smart Drag again.', error: false, result: null });
    await page.screenshot({ path: join(artifactsDir(), 'playground-bridge-back.png'), fullPage: true });

    // Smart Drag again works.
    await page.click('[data-testid=apply]');
    await page.waitForSelector('[data-testid=message][data-result=ok]', { timeout: 60000 });
    expect((await message(page)).text).toMatch(/^Added layer/);
    expect(errors).toEqual([]);
  } finally {
    await ctx.close();
    if (stopped !== null) server = await startBridge(stopped); // the other tests need a bridge
  }
});

test('playground: a plan no longer matching the intent, or the arrows after Clear, goes (it had stayed on screen)', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1000, height: 900 } });
  try {
    const { page, errors } = await openPlaygroundCollecting(ctx, server.origin);
    await candyDragPreviewed(page);
    await page.waitForSelector('[data-testid=plan] li');
    expect(await planText(page)).toMatch(/Plan/);
    await page.fill('[data-testid=intent]', 'make it bigger');
    expect(await planText(page)).toBe('');
    // A new preview brings a plan; removing the arrows and region makes it stale again.
    await page.click('[data-testid=preview]');
    await page.waitForSelector('[data-testid=plan] li', { timeout: 60000 });
    await page.waitForFunction(() => !(window as any).smartdrag.panel.job);
    await page.click('[data-testid=clear]');
    expect(await planText(page)).toBe('');
    expect(errors).toEqual([]);
  } finally {
    await ctx.close();
  }
});

test('playground, a large image: a click with 1 CSS px of hand shake makes no arrow and no preview (it made a ~5-document-px arrow); a short real drag still does', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1000, height: 900 } });
  try {
    const { page, errors } = await openPlaygroundCollecting(ctx, server.origin);
    const w = 2400, h = 1600, px = Buffer.alloc(w * h * 3);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) px.set([Math.round((x * 255) / (w - 1)), 120, Math.round((y * 255) / (h - 1))], (y * w + x) * 3);
    const big = await sharp(px, { raw: { width: w, height: h, channels: 3 } }).png({ compressionLevel: 1 }).toBuffer();
    await page.setInputFiles('[data-testid=open-file]', { name: 'big.png', mimeType: 'image/png', buffer: big });
    await page.waitForFunction(() => { const p = (window as any).smartdrag.panel; return p.editor.documentSize.width === 2400 && !p.reading; }, undefined, { timeout: 60000 });
    await page.click('[data-testid=tool-lasso]');
    await lassoOnPage(page, [[400, 400], [900, 400], [900, 900], [400, 900]]);
    await page.click('[data-testid=tool-arrow]');
    const { box, scale } = await page.evaluate(() => {
      const r = document.querySelector('canvas.sd-editor')!.getBoundingClientRect();
      return { box: { x: r.left, y: r.top }, scale: (window as any).smartdrag.panel.editor.scale as number };
    });
    expect(scale).toBeLessThan(0.3); // one CSS pixel is several document pixels
    const x = box.x + 1500 * scale, y = box.y + 300 * scale;
    await page.mouse.move(x, y);
    await page.mouse.down();
    await page.mouse.move(x + 1, y + 1);
    await page.mouse.up();
    await page.waitForTimeout(800); // a live preview would have been sent by now
    expect(await page.evaluate(() => ({ arrows: (window as any).smartdrag.panel.editor.arrows.length, sent: !!(window as any).smartdrag.panel.lastSubmitted }))).toEqual({ arrows: 0, sent: false });
    expect((await page.textContent('[data-testid=info]'))!).toMatch(/0 arrows/);

    // A deliberate short drag (12 CSS px) is an arrow.
    await page.mouse.move(x, y);
    await page.mouse.down();
    await page.mouse.move(x + 6, y, { steps: 3 });
    await page.mouse.move(x + 12, y, { steps: 3 });
    await page.mouse.up();
    expect(await page.evaluate(() => (window as any).smartdrag.panel.editor.arrows.length)).toBe(1);
    expect(errors).toEqual([]);
  } finally {
    await ctx.close();
  }
});

test('playground: a lasso too small to make a region is told (it was silently ignored); a real lasso clears the note', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1000, height: 900 } });
  try {
    const { page, errors } = await openPlaygroundCollecting(ctx, server.origin);
    await loadSample(page);
    await page.click('[data-testid=tool-lasso]');
    const { box, scale } = await page.evaluate(() => {
      const r = document.querySelector('canvas.sd-editor')!.getBoundingClientRect();
      return { box: { x: r.left, y: r.top }, scale: (window as any).smartdrag.panel.editor.scale as number };
    });
    const at = (p: Point): [number, number] => [box.x + p[0] * scale, box.y + p[1] * scale];
    // A 1-CSS-px triangle.
    await page.mouse.move(...at([200, 200]));
    await page.mouse.down();
    await page.mouse.move(box.x + 200 * scale + 1, box.y + 200 * scale);
    await page.mouse.move(box.x + 200 * scale, box.y + 200 * scale + 1);
    await page.mouse.move(...at([200, 200]));
    await page.mouse.up();
    expect(await page.evaluate(() => (window as any).smartdrag.panel.editor.regions.length)).toBe(0);
    expect(await message(page)).toEqual({ text: 'That outline was too small to use: draw around the object.', error: false, result: null });

    await lassoOnPage(page, CANDY);
    expect(await message(page)).toEqual({ text: '', error: false, result: null });
    expect(errors).toEqual([]);
  } finally {
    await ctx.close();
  }
});
