/**
 * Browser tests of the Adobe Express add-on: the built add-on (plugin-express/dist) runs inside the
 * Express simulator (test/express/simulator, served as https://new.express.adobe.com; the add-on on
 * its own https://<id>.wxp.adobe-addons.com origin) in chromium, against a real bridge. The panel
 * edits the bundled sample placed as an image element on a page; the image it adds must equal the
 * core's result (runEdit, in-process) pixel for pixel, at the original element's position.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { maskBounds, type PlacedMask, type Point } from '@smartdrag/shared';
import { expectedCrop } from '../helpers/edit-area';
import { caseToRequest, parseDragCase } from '../../bridge-server/src/core/case';
import { runEdit } from '../../bridge-server/src/core/edit';
import type { EditRequest, RgbaImage } from '../../bridge-server/src/core/types';
import type { Bridge } from '../../bridge-server/src/server';
import { loadConfig } from '../../bridge-server/src/config';
import { createBridge } from '../../bridge-server/src/server';
import pino from 'pino';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { artifactsDir, launchChromium, ROOT, TEST_TOKEN } from '../photopea/harness';
import { holdWebSocketSends } from '../photopea/pages';
import { ADDON_ORIGIN, DEV_ADDON_ORIGIN, EXPRESS_ORIGIN, FOREIGN_ADDON_ORIGIN, OTHER_PORT_DEV_ADDON_ORIGIN, ensureExpressBuilt, routeExpress } from './harness';
import { maskOf, trimToAlpha, type Sent } from '../helpers/layers';

jest.setTimeout(120_000);

const FIXTURES = join(ROOT, 'test', 'fixtures');
const theCase = parseDragCase(JSON.parse(readFileSync(join(FIXTURES, 'cases', 'smarties-move-red.json'), 'utf8')));
const SMARTIES = readFileSync(join(FIXTURES, 'photos', 'smarties.png'));
/** Where the sample sits on the simulated page (Express units = rendition pixels at scale 1). */
const EL = { x: 57, y: 41 };

let browser: Browser;
let server: { bridge: Bridge; port: number };
let image: RgbaImage;

/** A real bridge; `origins` = extra allowed browser Origins (the config's allowedOrigins). */
async function startBridge(origins: string[], port = 0): Promise<{ bridge: Bridge; port: number }> {
  const config = loadConfig({
    env: {},
    overrides: { port, home: mkdtempSync(join(tmpdir(), 'sd-express-')), token: TEST_TOKEN, logFile: null, logLevel: 'silent', workers: 1, allowedOrigins: origins },
  });
  const bridge = createBridge({ config, logger: pino({ level: 'silent' }) });
  const addr = await bridge.listen();
  return { bridge, port: addr.port };
}

beforeAll(async () => {
  await ensureExpressBuilt();
  const { data, info } = await sharp(SMARTIES).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  image = { width: info.width, height: info.height, data: new Uint8ClampedArray(data) };
  [server, browser] = await Promise.all([startBridge([]), launchChromium()]); // the default Origin policy
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.bridge.close();
});

interface SimNode { id: string; kind: string; bounds: { x: number; y: number; width: number; height: number }; width: number; height: number; rotation: number; data: Record<string, string>; bitmapSize: [number, number] | null; png: string | null }

/** The core's layer for what the panel sent, cropped to its alpha bounding box. */
async function expectedFor(sent: Sent, masks: PlacedMask[], img: RgbaImage = image) {
  const base = caseToRequest({ ...theCase, size: [img.width, img.height] }, img, { quality: 'final', seed: sent.seed });
  const req: EditRequest = {
    ...base,
    regions: sent.regions.map((r, i) => ({ id: r.id, mask: masks[i]! })),
    drags: sent.drags.map((d) => ({ region: d.region, points: d.points, kind: d.kind as 'translate' })),
    intent: sent.intent || undefined,
  };
  return trimToAlpha((await runEdit(req)).layer);
}

async function openExpress(ctx: BrowserContext, opts: { port?: number; query?: string; origin?: { x: number; y: number }; addonOrigin?: string; token?: string } = {}): Promise<{ page: Page; frame: Frame }> {
  const o = opts.origin ?? EL;
  await routeExpress(ctx, { 'smarties.png': SMARTIES });
  const page = await ctx.newPage();
  const addon = `${opts.addonOrigin ?? ADDON_ORIGIN}/`;
  const hash = `#bridge=${encodeURIComponent(`ws://127.0.0.1:${opts.port ?? server.port}/v1/ws`)}&token=${opts.token ?? TEST_TOKEN}`;
  await page.goto(`${EXPRESS_ORIGIN}/sim/index.html?addon=${encodeURIComponent(addon)}&doc=smarties.png&x=${o.x}&y=${o.y}${opts.query ?? ''}${hash}`);
  await page.waitForFunction(() => (window as any).sim?.ready === true, undefined, { timeout: 30000 });
  let frame: Frame | undefined;
  for (let i = 0; i < 100 && !frame; i++) {
    frame = page.frames().find((f) => f.url().startsWith(addon));
    if (!frame) await page.waitForTimeout(100);
  }
  if (!frame) throw new Error(`add-on frame not found; frames: ${page.frames().map((f) => f.url()).join(', ')}`);
  await frame.waitForSelector('[data-testid=panel]', { timeout: 30000 });
  return { page, frame };
}

/** Page coordinates of a document point on the panel's editor canvas (inside the add-on iframe). */
async function editorPoint(page: Page, frame: Frame): Promise<(p: Point) => [number, number]> {
  const off = await page.evaluate(() => {
    const f = document.getElementById('addon')!;
    const r = f.getBoundingClientRect();
    return [r.left + f.clientLeft, r.top + f.clientTop];
  });
  const { left, top, scale } = await frame.evaluate(() => {
    const r = document.querySelector('canvas.sd-editor')!.getBoundingClientRect();
    return { left: r.left, top: r.top, scale: (window as any).smartdrag.panel.editor.scale as number };
  });
  return (p) => [off[0]! + left + p[0] * scale, off[1]! + top + p[1] * scale];
}

/** Lasso `poly`, draw the arrow `from → to`, type the case's intent, pick translate, apply; wait for the outcome. */
async function lassoArrowApply(page: Page, frame: Frame, poly: Point[], from: Point, to: Point): Promise<void> {
  await lassoArrow(page, frame, poly, from, to);
  await frame.click('[data-testid=apply]');
  await frame.waitForSelector('[data-testid=message][data-result]', { timeout: 90000 });
}

/**
 * Press Smart Drag while what the add-on sends is held (holdWebSocketSends): wait until its final
 * runs, so the user's next step surely comes while it works; `__release()` lets it go on.
 */
async function applyHeld(frame: Frame): Promise<void> {
  await frame.evaluate(() => { (window as any).__held = []; });
  await frame.click('[data-testid=apply]');
  await frame.waitForFunction(() => (window as any).smartdrag.panel.job?.quality === 'final');
}

/** Lasso `poly`, draw the arrow `from → to`, type the case's intent, pick translate. */
async function lassoArrow(page: Page, frame: Frame, poly: Point[], from: Point, to: Point): Promise<void> {
  const at = await editorPoint(page, frame);
  await frame.click('[data-testid=tool-lasso]');
  await page.mouse.move(...at(poly[0]!));
  await page.mouse.down();
  for (const p of [...poly.slice(1), poly[0]!]) await page.mouse.move(...at(p), { steps: 2 });
  await page.mouse.up();
  await frame.waitForFunction(() => (window as any).smartdrag.panel.editor.regions.length === 1);
  await frame.click('[data-testid=tool-arrow]');
  await page.mouse.move(...at(from));
  await page.mouse.down();
  for (let i = 1; i <= 12; i++) await page.mouse.move(...at([from[0] + ((to[0] - from[0]) * i) / 12, from[1] + ((to[1] - from[1]) * i) / 12]));
  await page.mouse.up();
  await frame.fill('[data-testid=intent]', theCase.intent!);
  await frame.selectOption('[data-testid=kind]', 'translate');
}

/** The add-on opened (`opts` as {@link openExpress}'s), connected to the bridge, with the candy image read into the panel. */
async function openConnected(ctx: BrowserContext, opts: Parameters<typeof openExpress>[1] = {}): Promise<Awaited<ReturnType<typeof openExpress>>> {
  const opened = await openExpress(ctx, opts);
  await opened.frame.waitForSelector('[data-testid=status][data-state=connected]', { timeout: 30000 });
  await opened.frame.waitForFunction(() => (window as any).smartdrag.panel.editor.documentSize.width === 413, undefined, { timeout: 30000 });
  return opened;
}

test('Express simulator: selected image → lasso + arrow in the panel → one new image over the original with the core\'s pixels', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  try {
    const { page, frame } = await openConnected(ctx);
    // Lasso the candy along the case polygon, then the arrow.
    const drag = theCase.drags[0]!;
    await lassoArrowApply(page, frame, theCase.regions[0]!.polygon as Point[], drag.points[0] as Point, drag.points[1] as Point);
    expect({ result: await frame.getAttribute('[data-testid=message]', 'data-result'), text: await frame.textContent('[data-testid=message]') })
      .toEqual({ result: 'ok', text: expect.stringMatching(/^Added layer "Smart Drag"/) });

    const sent = await lastSent(frame);
    expect(sent.drags).toEqual([{ region: 'r1', points: drag.points, kind: 'translate' }]);
    // Only the edit's area was sent (lasso + its moved copy + arrow + margin), not the whole image.
    expect(sent.image).toEqual(expectedCrop(maskBounds(maskOf(sent.regions[0]!)), drag.points as Point[], 413, 356));
    expect(sent.image.width * sent.image.height).toBeLessThan(0.5 * 413 * 356);
    const sim = await page.evaluate(() => {
      const s = (window as any).sim;
      return { nodes: s.nodes(), violations: s.violations, errors: s.errors, calls: s.calls.map((c: any) => c.api), steps: s.undoSteps(), addImageCalls: s.addImageCalls.length, imports: s.sandboxImports };
    }) as { nodes: SimNode[]; violations: string[]; errors: string[]; calls: string[]; steps: number; addImageCalls: number; imports: number };
    expect(sim.violations).toEqual([]);
    expect(sim.errors).toEqual([]);
    expect(sim.imports).toBe(2);
    // Placed through the document sandbox, not addOnUISdk.app.document.addImage (no position/size there).
    expect(sim.addImageCalls).toBe(0);
    // The element was rendered by the sandbox (VisualNode.createRendition), not the page.
    expect(sim.calls).toContain('createRendition');
    expect(sim.calls).not.toContain('createRenditions');
    // The original is untouched; one new image, one undo step.
    expect(sim.nodes).toHaveLength(2);
    const [orig, added] = sim.nodes as [SimNode, SimNode];
    expect(orig).toMatchObject({ bounds: { x: EL.x, y: EL.y, width: 413, height: 356 }, rotation: 0, png: SMARTIES.toString('base64') });
    expect(sim.steps).toBe(1);

    const expected = await expectedFor(sent, [maskOf(sent.regions[0]!)]);
    expect(expected.left).toBeLessThan(120);
    expect(added.bounds).toEqual({ x: EL.x + expected.left, y: EL.y + expected.top, width: expected.width, height: expected.height });
    expect(added.rotation).toBe(0);
    expect(added.bitmapSize).toEqual([expected.width, expected.height]);
    // Its add-on data names it and the element it was made from (so a later read draws it over that element).
    expect(added.data).toEqual({ smartdrag: 'Smart Drag', over: orig.id });
    // The image Express received, decoded by sharp (independent of the add-on's PNG codec).
    expect(await addedDiff(added, expected)).toBe(0);
    await page.screenshot({ path: join(artifactsDir(), 'express-result.png') });

    // The user's one Undo removes exactly the SmartDrag image.
    expect(await page.evaluate(() => (window as any).sim.undo())).toBe(1);
    expect(await page.evaluate(() => (window as any).sim.nodes().length)).toBe(1);
  } finally {
    await ctx.close();
  }
});

/** `layer` (straight alpha) drawn over the opaque `base` at its position: what the page shows there. */
function over(base: RgbaImage, layer: { left: number; top: number; width: number; height: number; data: ArrayLike<number> }): RgbaImage {
  const data = new Uint8ClampedArray(base.data);
  for (let y = 0; y < layer.height; y++) for (let x = 0; x < layer.width; x++) {
    const s = (y * layer.width + x) * 4, d = ((layer.top + y) * base.width + layer.left + x) * 4, a = layer.data[s + 3]! / 255;
    for (let c = 0; c < 3; c++) data[d + c] = Math.round(layer.data[s + c]! * a + data[d + c]! * (1 - a));
  }
  return { width: base.width, height: base.height, data };
}

/** Largest channel difference, and how many pixels differ at all. */
function compare(a: ArrayLike<number>, b: ArrayLike<number>): { max: number; pixels: number } {
  let max = 0, pixels = 0;
  for (let i = 0; i < a.length; i += 4) {
    let d = 0;
    for (let c = 0; c < 4; c++) d = Math.max(d, Math.abs(a[i + c]! - b[i + c]!));
    max = Math.max(max, d);
    if (d) pixels++;
  }
  return { max, pixels };
}

/** The panel's copy of the document (what its picture shows and the next edit is made from). */
async function panelDocument(frame: Frame): Promise<RgbaImage> {
  await frame.waitForFunction(() => { const p = (window as any).smartdrag.panel; return !p.reading && !p.job; });
  // As base64 (a plain array of 600 k numbers takes seconds to cross to the test).
  const d = await frame.evaluate(() => {
    const r = (window as any).smartdrag.panel.doc.rgba, bytes = r.data as Uint8ClampedArray;
    let bin = '';
    for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode.apply(null, Array.from(bytes.subarray(i, i + 0x8000)));
    return { width: r.width as number, height: r.height as number, data: btoa(bin) };
  });
  return { width: d.width, height: d.height, data: new Uint8ClampedArray(Buffer.from(d.data, 'base64')) };
}

/** Wait until the panel has read the document again (another than `__docBefore`). */
async function readAgain(frame: Frame): Promise<void> {
  await frame.waitForFunction(() => { const p = (window as any).smartdrag.panel; return p.doc && p.doc !== (window as any).__docBefore && !p.reading; }, undefined, { timeout: 30000 });
}

/** Press "Use selection" and wait until the panel has read the document again. */
async function useSelection(frame: Frame): Promise<void> {
  await frame.evaluate(() => { (window as any).__docBefore = (window as any).smartdrag.panel.doc; });
  await frame.click('[data-testid=use-selection]');
  await readAgain(frame);
}

test('Express simulator: two Smart Drags in a row — after the first the panel shows the edited image (also read again with "Use selection"), and the second is made from it and lands over both (it showed and edited the unedited image)', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  try {
    const { page, frame } = await openConnected(ctx);
    const drag = theCase.drags[0]!;
    const poly = theCase.regions[0]!.polygon as Point[];
    await lassoArrowApply(page, frame, poly, drag.points[0] as Point, drag.points[1] as Point);
    expect(await frame.getAttribute('[data-testid=message]', 'data-result')).toBe('ok');
    const sent1 = await lastSent(frame);
    const first = await expectedFor(sent1, [maskOf(sent1.regions[0]!)]);
    // What the page shows over the element now: the original with the first result over it.
    const shown1 = over(image, first);
    expect(compare(shown1.data, image.data).pixels).toBeGreaterThan(1000);
    // The panel's picture is that (not the original again)…
    const after1 = await panelDocument(frame);
    expect(compare(after1.data, shown1.data).max).toBeLessThanOrEqual(1);
    // …also when the element is read again from Express (the original node is still the one selected).
    await useSelection(frame);
    const reread = await panelDocument(frame);
    expect(compare(reread.data, shown1.data).max).toBeLessThanOrEqual(1);
    await page.screenshot({ path: join(artifactsDir(), 'express-after-first-edit.png') });

    // The second edit: the candy, now where the first put it, moved again.
    const [dx, dy] = [drag.points[1]![0]! - drag.points[0]![0]!, drag.points[1]![1]! - drag.points[0]![1]!];
    await lassoArrowApply(page, frame, poly.map(([x, y]) => [x + dx, y + dy] as Point), drag.points[1] as Point, [300, 150]);
    expect(await frame.getAttribute('[data-testid=message]', 'data-result')).toBe('ok');
    const sent2 = await lastSent(frame);
    const sim = await page.evaluate(() => { const s = (window as any).sim; return { nodes: s.nodes(), violations: s.violations, errors: s.errors, steps: s.undoSteps() }; }) as { nodes: SimNode[]; violations: string[]; errors: string[]; steps: number };
    expect({ violations: sim.violations, errors: sim.errors, nodes: sim.nodes.length, steps: sim.steps }).toEqual({ violations: [], errors: [], nodes: 3, steps: 2 });
    // Made from the edited pixels the panel showed, placed over both.
    const second = await expectedFor(sent2, [maskOf(sent2.regions[0]!)], reread);
    const added2 = sim.nodes[2]!;
    expect(added2.bounds).toEqual({ x: EL.x + second.left, y: EL.y + second.top, width: second.width, height: second.height });
    expect(await addedDiff(added2, second)).toBe(0);
    // The panel shows both edits.
    const after2 = await panelDocument(frame);
    expect(compare(after2.data, over(reread, second).data).max).toBeLessThanOrEqual(1);
    await page.screenshot({ path: join(artifactsDir(), 'express-after-second-edit.png') });

    // Undo the second edit in Express: read again, the panel shows the first edit only.
    expect(await page.evaluate(() => (window as any).sim.undo())).toBe(1);
    await useSelection(frame);
    expect(compare((await panelDocument(frame)).data, shown1.data).max).toBeLessThanOrEqual(1);
  } finally {
    await ctx.close();
  }
});

test('Express simulator: "Use selection" while Smart Drag runs cancels it — no image lands at the old element\'s coordinates over the new document', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  // Hold what the add-on sends, so the final is surely still running when the user picks another document.
  await holdWebSocketSends(ctx);
  try {
    const { page, frame } = await openConnected(ctx, { query: '&pageW=640&pageH=480' });
    const drag = theCase.drags[0]!;
    await lassoArrow(page, frame, theCase.regions[0]!.polygon as Point[], drag.points[0] as Point, drag.points[1] as Point);
    await applyHeld(frame);
    // Nothing selected now: "Use selection" makes the page the document.
    await page.evaluate(() => (window as any).sim.select([]));
    await frame.click('[data-testid=use-selection]');
    await frame.waitForFunction(() => (window as any).smartdrag.panel.editor.documentSize.width === 640, undefined, { timeout: 30000 });
    await frame.evaluate(() => (window as any).__release());
    for (const deadline = Date.now() + 60000; ;) {
      const st = server.bridge.stats();
      if (st.running === 0 && st.queued === 0) break;
      if (Date.now() > deadline) throw new Error(`bridge still busy: ${JSON.stringify(st)}`);
      await page.waitForTimeout(50);
    }
    await page.waitForTimeout(500); // the bridge's answer (cancelled, or a result) reaches the add-on
    const sim = await page.evaluate(() => { const s = (window as any).sim; return { nodes: s.nodes().length, violations: s.violations, errors: s.errors }; });
    expect(sim).toEqual({ nodes: 1, violations: [], errors: [] });
    expect(await frame.evaluate(() => {
      const p = (window as any).smartdrag.panel;
      return { message: document.querySelector('[data-testid=message]')!.textContent, plan: document.querySelector('[data-testid=plan]')!.textContent, job: !!p.job, placed: p.placed.length };
    })).toEqual({ message: 'The Smart Drag on the previous image was cancelled; nothing was added to it.', plan: '', job: false, placed: 0 });
  } finally {
    await ctx.close();
  }
});

test('Express simulator: nothing selected → the page is the document (createRenditions, PNG at page size); a non-image selection and a huge element get clear errors', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  try {
    const { page, frame } = await openExpress(ctx, { query: '&pageW=640&pageH=480' });
    await frame.waitForFunction(() => (window as any).smartdrag.panel.editor.documentSize.width === 413, undefined, { timeout: 30000 });
    // Nothing selected: the whole page, rendered by the UI SDK.
    await page.evaluate(() => (window as any).sim.select([]));
    await frame.click('[data-testid=use-selection]');
    await frame.waitForFunction(() => (window as any).smartdrag.panel.editor.documentSize.width === 640, undefined, { timeout: 30000 });
    const doc = await frame.evaluate(async () => {
      const h = (window as any).smartdrag.host;
      const d = await h.readDocument();
      const px = (x: number, y: number) => Array.from(d.rgba.data.slice((y * d.width + x) * 4, (y * d.width + x) * 4 + 4));
      return { w: d.width, h: d.height, frame: h.frame.bounds, corner: px(5, 5), inside: px(57 + 10, 41 + 10) };
    });
    expect(doc).toMatchObject({ w: 640, h: 480, frame: { x: 0, y: 0, width: 640, height: 480 }, corner: [255, 255, 255, 255] });
    const i = (10 * 413 + 10) * 4;
    expect(doc.inside).toEqual([image.data[i], image.data[i + 1], image.data[i + 2], 255]);
    expect(await page.evaluate(() => (window as any).sim.calls.map((c: any) => c.api))).toContain('createRenditions');

    // A rectangle selected: "No image selected".
    await page.evaluate(() => { const s = (window as any).sim; s.select([s.addRectangle({ x: 10, y: 10, width: 50, height: 40 })]); });
    await frame.click('[data-testid=use-selection]');
    await frame.waitForSelector('[data-testid=message][data-result=no_image_selected]', { timeout: 30000 });
    expect(await frame.textContent('[data-testid=message]')).toMatch(/^No image selected: a shape is selected\..*Select one image/);

    // A huge image element: refused before anything is rendered.
    await page.evaluate(async () => { const s = (window as any).sim; s.select([await s.addImageElement('smarties.png', { x: 0, y: 0, width: 413 * 14, height: 356 * 14 })]); });
    const before = await page.evaluate(() => (window as any).sim.calls.length);
    await frame.click('[data-testid=use-selection]');
    await frame.waitForSelector('[data-testid=message][data-result=element_too_large]', { timeout: 30000 });
    expect(await frame.textContent('[data-testid=message]')).toMatch(/too large to edit \(5782×4984 px; SmartDrag edits at most 8000 px a side and 16\.8 MP\)/);
    expect(await page.evaluate((n) => (window as any).sim.calls.slice(n).map((c: any) => c.api), before)).not.toContain('createRendition');
  } finally {
    await ctx.close();
  }
});

test('Express simulator: premium content on the page and a free user — nothing is rendered or sent, the panel says why and offers Upgrade; cancelled, it stays refused; upgraded, the image is read; the pictures cannot be saved from the panel', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  try {
    const { page, frame } = await openExpress(ctx, { query: '&premium=1' });
    await frame.waitForSelector('[data-testid=status][data-state=connected]', { timeout: 30000 });
    await frame.waitForSelector('[data-testid=message][data-result=premium_content]', { timeout: 30000 });
    expect(await frame.textContent('[data-testid=message]')).toMatch(/^The selected image is premium content, which your Adobe Express plan lets you see but not export: .*read nothing\. — Press "Upgrade"/);
    expect(await frame.isVisible('[data-testid=upgrade]')).toBe(true);
    const apis = () => page.evaluate(() => (window as any).sim.calls.map((c: any) => c.api) as string[]);
    // Asked first (the image itself: canExportMedia); it was never rendered, so nothing reached the bridge.
    expect(await apis()).toContain('canExportMedia');
    expect((await apis()).filter((a) => a === 'createRendition' || a === 'createRenditions')).toEqual([]);
    expect(await frame.evaluate(() => (window as any).smartdrag.panel.doc)).toBeNull();

    // The upgrade flow does not open (Express refuses the call): said, with where else to upgrade.
    await page.evaluate(() => { (window as any).sim.upgradeError = 'not available'; });
    await frame.click('[data-testid=upgrade]');
    await frame.waitForFunction(() => /did not open its upgrade/.test(document.querySelector('[data-testid=message]')!.textContent ?? ''));
    expect(await frame.textContent('[data-testid=message]')).toBe('Adobe Express did not open its upgrade: not available. — Upgrade your plan in Adobe Express itself, then press "Use selection".');
    await page.evaluate(() => { (window as any).sim.upgradeError = null; });
    // The user cancels the upgrade flow: still refused (said so), still nothing rendered.
    await frame.click('[data-testid=upgrade]');
    await frame.waitForFunction(() => /^Not upgraded/.test(document.querySelector('[data-testid=message]')!.textContent ?? ''));
    expect((await apis()).filter((a) => a === 'createRendition' || a === 'createRenditions')).toEqual([]);
    expect(await frame.getAttribute('[data-testid=message]', 'data-result')).toBe('premium_content');
    expect(await frame.isVisible('[data-testid=upgrade]')).toBe(true);

    // The user upgrades: the image is read now, and the button goes.
    await page.evaluate(() => { (window as any).sim.upgradeAnswer = true; });
    await frame.click('[data-testid=upgrade]');
    await frame.waitForFunction(() => (window as any).smartdrag.panel.editor.documentSize.width === 413, undefined, { timeout: 30000 });
    expect(await apis()).toContain('createRendition');
    expect(await frame.isVisible('[data-testid=upgrade]')).toBe(false);
    expect(await page.evaluate(() => (window as any).sim.violations)).toEqual([]);

    // The panel's picture (a preview rendition of premium content) has no "Save image as" and cannot
    // be dragged off; the text box keeps its menu.
    const prevented = await frame.evaluate(() => {
      const fire = (sel: string, type: string) => !document.querySelector(sel)!.dispatchEvent(new MouseEvent(type, { bubbles: true, cancelable: true }));
      return { canvasMenu: fire('canvas.sd-editor', 'contextmenu'), canvasDrag: fire('canvas.sd-editor', 'dragstart'), textMenu: fire('[data-testid=intent]', 'contextmenu') };
    });
    expect(prevented).toEqual({ canvasMenu: true, canvasDrag: true, textMenu: false });
  } finally {
    await ctx.close();
  }
});

test('Express simulator: a premium user with premium content on the page — read as any other image', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  try {
    const { page, frame } = await openConnected(ctx, { query: '&premium=1&premiumUser=1' });
    expect(await frame.isVisible('[data-testid=upgrade]')).toBe(false);
    expect(await page.evaluate(() => (window as any).sim.calls.map((c: any) => c.api))).toEqual(expect.arrayContaining(['canExportMedia', 'createRendition']));
  } finally {
    await ctx.close();
  }
});

test('Express simulator: premium content elsewhere on the page — a free user\'s own image is read (the image says it may be exported); the whole page is not (its metadata says premium)', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  try {
    const { page, frame } = await openConnected(ctx, { query: '&pageW=640&pageH=480' });
    // A premium photo beside the user's own image.
    await page.evaluate(async () => { await (window as any).sim.addImageElement('smarties.png', { x: 480, y: 300, width: 100, height: 90, premium: true }); });
    await frame.click('[data-testid=use-selection]');
    await frame.waitForFunction(() => (window as any).smartdrag.panel.editor.documentSize.width === 413, undefined, { timeout: 30000 });
    expect(await frame.getAttribute('[data-testid=message]', 'data-result')).not.toBe('premium_content');
    expect(await frame.isVisible('[data-testid=upgrade]')).toBe(false);
    // Nothing selected: the page, with the premium photo on it, is not read.
    const before = await page.evaluate(() => (window as any).sim.calls.length);
    await page.evaluate(() => (window as any).sim.select([]));
    await frame.click('[data-testid=use-selection]');
    await frame.waitForSelector('[data-testid=message][data-result=premium_content]', { timeout: 30000 });
    expect(await frame.textContent('[data-testid=message]')).toMatch(/^The page "Page 1" holds premium content/);
    const calls = await page.evaluate((n) => (window as any).sim.calls.slice(n).map((c: any) => c.api), before);
    expect(calls).toEqual(expect.arrayContaining(['getPagesMetadata', 'isPremiumUser']));
    expect(calls).not.toContain('createRenditions');
    expect(await frame.isVisible('[data-testid=upgrade]')).toBe(true);
  } finally {
    await ctx.close();
  }
});

test('Express simulator: the image\'s picture replaced, or cropped inside its frame, after it was read — Smart Drag reads it again (its frame did not move) and is made from what the page shows now', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  try {
    const { page, frame } = await openConnected(ctx);
    const drag = theCase.drags[0]!;
    const poly = theCase.regions[0]!.polygon as Point[];
    // Replace: the same candies mirrored (the same size), as a data URL.
    const mirrored = await sharp(SMARTIES).flop().png().toBuffer();
    const { data, info } = await sharp(mirrored).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const flopped: RgbaImage = { width: info.width, height: info.height, data: new Uint8ClampedArray(data) };
    const id = (await simState(page)).nodes[0]!.id;
    await page.evaluate(async ([nid, url]) => { await (window as any).sim.replaceMedia(nid, url); }, [id, `data:image/png;base64,${mirrored.toString('base64')}`] as const);
    await lassoArrowApply(page, frame, poly, drag.points[0] as Point, drag.points[1] as Point);
    expect({ result: await frame.getAttribute('[data-testid=message]', 'data-result'), text: await frame.textContent('[data-testid=message]') })
      .toEqual({ result: 'ok', text: expect.stringContaining('The document changed since it was read') });
    const sent = await lastSent(frame);
    const expected = await expectedFor(sent, [maskOf(sent.regions[0]!)], flopped);
    const sim = await simState(page);
    expect({ violations: sim.violations, errors: sim.errors, nodes: sim.nodes.length }).toEqual({ violations: [], errors: [], nodes: 2 });
    expect(await addedDiff(sim.nodes[1]!, expected)).toBe(0);
    // Cropped inside its frame (zoomed 1.25×, moved left): read again too.
    await page.evaluate((nid) => (window as any).sim.cropMedia(nid, 1.25, -40, -20), id);
    const sig = async () => frame.evaluate(async () => (await (window as any).smartdrag.host.docState()).signature as string);
    const s1 = await sig();
    await page.evaluate((nid) => (window as any).sim.cropMedia(nid, 1.25, -30, -20), id);
    expect(await sig()).not.toBe(s1);
  } finally {
    await ctx.close();
  }
});

test('Express simulator: no bridge on the port, and a bridge that does not allow the add-on\'s Origin, are told apart', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const strict = await startBridge([]); // the default policy: Express add-on Origins yes, this foreign one no
  try {
    // Nothing listens (a port just closed).
    const dead = await startBridge([]);
    const deadPort = dead.port;
    await dead.bridge.close();
    const a = await openExpress(ctx, { port: deadPort });
    await a.frame.waitForFunction(() => /not running/.test(document.querySelector('[data-testid=status-hint]')!.textContent ?? ''), undefined, { timeout: 30000 });
    await a.page.close();
    // A bridge that refuses the Origin.
    const b = await openExpress(ctx, { port: strict.port, addonOrigin: FOREIGN_ADDON_ORIGIN });
    await b.frame.waitForFunction(() => document.querySelector('[data-testid=status-hint]')!.getAttribute('data-code') === 'forbidden_origin', undefined, { timeout: 30000 });
    const hint = await b.frame.textContent('[data-testid=status-hint]');
    expect(hint).toContain(`does not accept this add-on's origin (${FOREIGN_ADDON_ORIGIN})`);
    // Developer mode served by another https server than Adobe's CLI (another port): what to change.
    const d = await openExpress(ctx, { port: strict.port, addonOrigin: OTHER_PORT_DEV_ADDON_ORIGIN });
    await d.frame.waitForFunction(() => document.querySelector('[data-testid=status-hint]')!.getAttribute('data-code') === 'forbidden_origin', undefined, { timeout: 30000 });
    expect(await d.frame.textContent('[data-testid=status-hint]')).toBe(`The SmartDrag bridge does not accept this add-on's origin (${OTHER_PORT_DEV_ADDON_ORIGIN}). In developer mode it accepts ${DEV_ADDON_ORIGIN} by default: serve plugin-express/dist on port 5241 over https and load the add-on from ${DEV_ADDON_ORIGIN}/, or start the bridge with \`smartdrag serve --allow-origin ${OTHER_PORT_DEV_ADDON_ORIGIN}\`; then press Reconnect.`);
    await d.page.close();
    // The real add-on Origin is served by the same default bridge (with the token).
    const c = await openExpress(ctx, { port: strict.port });
    await c.frame.waitForSelector('[data-testid=status][data-state=connected]', { timeout: 30000 });
  } finally {
    await strict.bridge.close();
    await ctx.close();
  }
});

// The Origins a bridge accepts for Express (see docs/HOSTS-CONFORMANCE.md, "Adobe Express"):
// a distributed add-on runs on https://<add-on id>.wxp.adobe-addons.com, one in developer mode on
// https://localhost:5241 — token-only Origins (served with the token, never on their own).
test('a default bridge accepts the Express add-on origins (with the token), not look-alikes', async () => {
  const { accessPolicy, classifyOrigin, originAllowed } = await import('../../bridge-server/src/server/security');
  const policy = accessPolicy('127.0.0.1', 7341, [], []);
  expect(originAllowed(policy, 'https://w906hhl6k.wxp.adobe-addons.com')).toBe(true);
  expect(originAllowed(policy, DEV_ADDON_ORIGIN)).toBe(true);
  expect(originAllowed(policy, 'https://wxp.adobe-addons.com.evil.example')).toBe(false);
  expect(originAllowed(policy, 'https://a.b.wxp.adobe-addons.com')).toBe(false);
  expect(originAllowed(policy, 'http://w906hhl6k.wxp.adobe-addons.com')).toBe(false);
  expect(classifyOrigin(policy, 'https://w906hhl6k.wxp.adobe-addons.com')).toBe('token');
});

test('Express simulator: a rotated image (90°) is edited as drawn and the result lands over it without a second rotation', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  try {
    // The node's origin is its top-left corner; rotated 90° clockwise about it, the element covers
    // x ∈ [EL.x, EL.x + 356), y ∈ [EL.y, EL.y + 413) when its origin sits at (EL.x + 356, EL.y).
    const { page, frame } = await openExpress(ctx, { query: `&rot=90`, origin: { x: EL.x + 356, y: EL.y } });
    await frame.waitForSelector('[data-testid=status][data-state=connected]', { timeout: 30000 });
    await frame.waitForFunction(() => (window as any).smartdrag.panel.editor.documentSize.width === 356, undefined, { timeout: 30000 });
    const H = 356;
    const rot = (p: Point): Point => [H - p[1], p[0]];
    const drag = theCase.drags[0]!;
    await lassoArrowApply(page, frame, (theCase.regions[0]!.polygon as Point[]).map(rot), rot(drag.points[0] as Point), rot(drag.points[1] as Point));
    expect(await frame.getAttribute('[data-testid=message]', 'data-result')).toBe('ok');
    const sent = await lastSent(frame);
    const sim = await page.evaluate(() => { const s = (window as any).sim; return { nodes: s.nodes(), violations: s.violations, errors: s.errors }; }) as { nodes: SimNode[]; violations: string[]; errors: string[] };
    expect(sim.violations).toEqual([]);
    expect(sim.errors).toEqual([]);
    const [orig, added] = sim.nodes as [SimNode, SimNode];
    expect(orig).toMatchObject({ bounds: { x: EL.x, y: EL.y, width: 356, height: 413 }, rotation: 90 });
    // The expected result: the core on the image as Express draws it (rotated clockwise by sharp).
    const r = await sharp(SMARTIES).rotate(90).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const rotated: RgbaImage = { width: r.info.width, height: r.info.height, data: new Uint8ClampedArray(r.data) };
    const expected = await expectedFor(sent, [maskOf(sent.regions[0]!)], rotated);
    expect(added.rotation).toBe(0);
    expect(added.bounds).toEqual({ x: EL.x + expected.left, y: EL.y + expected.top, width: expected.width, height: expected.height });
    expect(await addedDiff(added, expected)).toBe(0);
    await page.screenshot({ path: join(artifactsDir(), 'express-rotated-result.png') });
  } finally {
    await ctx.close();
  }
});

test('Express: a token typed and saved with Connect is the one used after the reload, also when the add-on was opened with a #token link (the link\'s old token won before)', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  try {
    const { page, frame } = await openExpress(ctx, { token: 'wrong-token-wrong-token' });
    await frame.waitForSelector('[data-testid=status][data-state=error]', { timeout: 30000 });
    // Said where the token goes in this add-on (its token box; the bridge's own hint names every kind of client).
    expect(await frame.textContent('[data-testid=status-hint]')).toBe('The bridge refused this token. Run `smartdrag token`, paste what it prints into the token box above, and press Connect.');
    await frame.fill('[data-testid=token]', TEST_TOKEN);
    await frame.click('[data-testid=save-connection]');
    // The add-on reloads in its frame: find the new one and wait for it to connect.
    let connected = false;
    for (let i = 0; i < 100 && !connected; i++) {
      await page.waitForTimeout(100);
      const f = page.frames().find((x) => x !== page.mainFrame() && x.url().startsWith(ADDON_ORIGIN));
      connected = !!f && await f.evaluate(() => document.querySelector('[data-testid=status]')?.getAttribute('data-state') === 'connected').catch(() => false);
    }
    expect(connected).toBe(true);
  } finally {
    await ctx.close();
  }
});

// ---- What users do (each of these failed before the fix it names) -------------------------------

/** The message line's text and result code, once its result is `code`. */
async function messageWhen(frame: Frame, code: string): Promise<string> {
  await frame.waitForSelector(`[data-testid=message][data-result=${code}]`, { timeout: 90000 });
  return (await frame.textContent('[data-testid=message]'))!;
}

/** The simulator's page state. */
async function simState(page: Page): Promise<{ nodes: SimNode[]; violations: string[]; errors: string[]; calls: string[] }> {
  return page.evaluate(() => { const s = (window as any).sim; return { nodes: s.nodes(), violations: s.violations, errors: s.errors, calls: s.calls.map((c: any) => c.api) }; });
}

/** What the panel last sent (regions with their mask bytes). */
async function lastSent(frame: Frame): Promise<Sent> {
  return (await frame.evaluate(() => { const s = (window as any).smartdrag.panel.lastSubmitted; return { ...s, regions: s.regions.map((r: any) => ({ ...r, data: Array.from(r.data) })) }; })) as Sent;
}

/** The added image's pixels (decoded by sharp) against `expected`: the largest channel difference. */
async function addedDiff(added: SimNode, expected: { width: number; height: number; data: ArrayLike<number> }): Promise<number> {
  const got = await sharp(Buffer.from(added.png!, 'base64')).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  expect([got.info.width, got.info.height]).toEqual([expected.width, expected.height]);
  return compare(got.data, expected.data).max;
}

test('Express simulator: the largest page rendition Express makes (8192×8192) and an image over 8000 px a side (what Express imports) are refused before anything is rendered, saying what to do', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  try {
    const { page, frame } = await openExpress(ctx, { query: '&pageW=8192&pageH=8192' });
    await frame.waitForFunction(() => (window as any).smartdrag.panel.editor.documentSize.width === 413, undefined, { timeout: 30000 });
    // Nothing selected: the whole page, 67 MP.
    await page.evaluate(() => (window as any).sim.select([]));
    let before = (await simState(page)).calls.length;
    await frame.click('[data-testid=use-selection]');
    expect(await messageWhen(frame, 'element_too_large')).toBe('The page is too large to edit (8192×8192 px; SmartDrag edits at most 8000 px a side and 16.8 MP). — Select one image on the page instead (SmartDrag then reads only that image), or make the page smaller (Resize), then press "Use selection".');
    expect((await simState(page)).calls.slice(before)).not.toContain('createRenditions');
    // An image 8100 px wide (5.7 MP): its result could not go back (Express imports at most 8000 px a side).
    await page.evaluate(async () => { const s = (window as any).sim; s.select([await s.addImageElement('smarties.png', { x: 0, y: 0, width: 8100, height: 700 })]); });
    before = (await simState(page)).calls.length;
    await frame.click('[data-testid=use-selection]');
    await frame.waitForFunction(() => !(window as any).smartdrag.panel.reading);
    expect(await messageWhen(frame, 'element_too_large')).toBe('The image is too large to edit (8100×700 px; SmartDrag edits at most 8000 px a side and 16.8 MP). — Make the image smaller on the page (or crop it) in Adobe Express, then press "Use selection".');
    expect((await simState(page)).calls.slice(before)).not.toContain('createRendition');
    expect((await simState(page)).violations).toEqual([]);
  } finally {
    await ctx.close();
  }
});

test('Express simulator: a video, a group, two elements at once are named in Express\'s words with what to do; the image inside a group and a locked image are read (the page was read for a locked one)', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  try {
    const { page, frame } = await openExpress(ctx);
    await frame.waitForFunction(() => (window as any).smartdrag.panel.editor.documentSize.width === 413, undefined, { timeout: 30000 });
    const img = (await simState(page)).nodes[0]!.id;
    const pick = async (ids: string[]) => {
      await page.evaluate((x) => (window as any).sim.select(x), ids);
      await frame.evaluate(() => { (window as any).__docBefore = (window as any).smartdrag.panel.doc; });
      await frame.click('[data-testid=use-selection]');
    };
    // A video: a media container, but not an image.
    const video = await page.evaluate(() => (window as any).sim.addElement('video', { x: 500, y: 40, width: 160, height: 90 }));
    await pick([video]);
    expect(await messageWhen(frame, 'no_image_selected')).toBe('No image selected: a video is selected. — SmartDrag edits still images, not videos. Select an image (or click an empty spot to edit the whole page), then press "Use selection".');
    // The image and a text at once.
    const text = await page.evaluate(() => (window as any).sim.addElement('text', { x: 500, y: 200, width: 120, height: 30 }));
    await pick([img, text]);
    expect(await messageWhen(frame, 'no_image_selected')).toBe('2 elements are selected (an image, a text); SmartDrag edits one image at a time. — Click only the image to edit (or an empty spot, to edit the whole page), then press "Use selection".');
    // Both grouped: a click selects the group.
    const group = await page.evaluate((ids) => (window as any).sim.group(ids), [img, text]);
    await pick([group]);
    expect(await messageWhen(frame, 'no_image_selected')).toBe('No image selected: a group is selected. — Double-click the image inside the group to select it alone, then press "Use selection".');
    // The image inside the group (double-clicked): read, where it lies on the page.
    await pick([img]);
    await readAgain(frame);
    expect(await frame.evaluate(() => { const h = (window as any).smartdrag.host; return { kind: h.frame.target.kind, bounds: h.frame.bounds, w: (window as any).smartdrag.panel.doc.width }; }))
      .toEqual({ kind: 'image', bounds: { x: EL.x, y: EL.y, width: 413, height: 356 }, w: 413 });
    // A locked image: Express leaves it out of `selection`, which had made SmartDrag read the whole page.
    await page.evaluate((id) => (window as any).sim.lock(id), img);
    await pick([img]);
    await readAgain(frame);
    expect(await frame.evaluate(() => { const h = (window as any).smartdrag.host; return { kind: h.frame.target.kind, w: (window as any).smartdrag.panel.doc.width }; })).toEqual({ kind: 'image', w: 413 });
    expect((await simState(page)).violations).toEqual([]);
  } finally {
    await ctx.close();
  }
});

test('Express simulator: Undo in Express after the result landed, then Smart Drag again — made from what the page shows (the original), not from the undone result the panel still showed', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  try {
    const { page, frame } = await openConnected(ctx);
    const drag = theCase.drags[0]!;
    const poly = theCase.regions[0]!.polygon as Point[];
    await lassoArrowApply(page, frame, poly, drag.points[0] as Point, drag.points[1] as Point);
    expect(await frame.getAttribute('[data-testid=message]', 'data-result')).toBe('ok');
    const first = await expectedFor(await lastSent(frame), [maskOf((await lastSent(frame)).regions[0]!)]);
    // The user's Undo in Express: the page shows the original again (the panel cannot see that yet).
    expect(await page.evaluate(() => (window as any).sim.undo())).toBe(1);
    // The same lasso and arrow again, over the candy where the page shows it (the first run's
    // result code is cleared, so the wait is for this run's).
    await frame.evaluate(() => document.querySelector('[data-testid=message]')!.removeAttribute('data-result'));
    await lassoArrowApply(page, frame, poly, drag.points[0] as Point, drag.points[1] as Point);
    const text = (await frame.textContent('[data-testid=message]'))!;
    expect({ result: await frame.getAttribute('[data-testid=message]', 'data-result'), text }).toEqual({ result: 'ok', text: expect.stringContaining('The document changed since it was read (an Undo?): Smart Drag used it as it is now') });
    const sent = await lastSent(frame);
    const expected = await expectedFor(sent, [maskOf(sent.regions[0]!)]);
    const sim = await simState(page);
    expect({ violations: sim.violations, errors: sim.errors, nodes: sim.nodes.length }).toEqual({ violations: [], errors: [], nodes: 2 });
    const added = sim.nodes[1]!;
    expect(added.bounds).toEqual({ x: EL.x + expected.left, y: EL.y + expected.top, width: expected.width, height: expected.height });
    expect(await addedDiff(added, expected)).toBe(0);
    // The same edit on the same pixels: the first result again.
    expect([expected.left, expected.top, expected.width, expected.height]).toEqual([first.left, first.top, first.width, first.height]);
    expect(compare(expected.data, first.data).max).toBe(0);
  } finally {
    await ctx.close();
  }
});

test('Express simulator: the image moved, then deleted, while the bridge worked — nothing is added at its old place, the panel says so, and Smart Drag again lands over it where it is', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  await holdWebSocketSends(ctx);
  try {
    const { page, frame } = await openConnected(ctx);
    const img = (await simState(page)).nodes[0]!.id;
    const drag = theCase.drags[0]!;
    await lassoArrow(page, frame, theCase.regions[0]!.polygon as Point[], drag.points[0] as Point, drag.points[1] as Point);
    await applyHeld(frame);
    await page.evaluate((id) => (window as any).sim.move(id, 30, 20), img);
    await frame.evaluate(() => (window as any).__release());
    expect(await messageWhen(frame, 'document_changed')).toBe('Nothing was added: the image SmartDrag was editing was moved (from (57, 41) to (87, 61)) while SmartDrag worked. — Press Smart Drag again: it reads the image where it is now (the lasso and arrows stay).');
    expect((await simState(page)).nodes).toHaveLength(1);
    // Smart Drag again (the lasso and arrow are still there): read where it is, added over it there.
    await frame.click('[data-testid=apply]');
    await messageWhen(frame, 'ok');
    const sent = await lastSent(frame);
    const expected = await expectedFor(sent, [maskOf(sent.regions[0]!)]);
    let sim = await simState(page);
    expect({ violations: sim.violations, errors: sim.errors, nodes: sim.nodes.length }).toEqual({ violations: [], errors: [], nodes: 2 });
    expect(sim.nodes[1]!.bounds).toEqual({ x: EL.x + 30 + expected.left, y: EL.y + 20 + expected.top, width: expected.width, height: expected.height });
    expect(await addedDiff(sim.nodes[1]!, expected)).toBe(0);

    // Another edit, and the image deleted while it runs.
    await lassoArrow(page, frame, [[20, 20], [120, 20], [120, 120], [20, 120]], [70, 70], [110, 90]);
    await applyHeld(frame);
    await page.evaluate((id) => (window as any).sim.remove(id), img);
    await frame.evaluate(() => (window as any).__release());
    expect(await messageWhen(frame, 'document_changed')).toBe('Nothing was added: the image SmartDrag was editing is no longer on the page (deleted, or undone). — Select an image (or nothing, for the whole page) and press "Use selection".');
    sim = await simState(page);
    expect(sim.nodes.map((n) => n.id)).toEqual([sim.nodes[0]!.id]); // only the first result is left
    expect(sim.nodes[0]!.id).not.toBe(img);
  } finally {
    await ctx.close();
  }
});

test('Express simulator: Express fails to render the image (its documented 20 s wait for image quality) — the panel says so and what to do; the next read works', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  try {
    const { page, frame } = await openExpress(ctx);
    await frame.waitForFunction(() => (window as any).smartdrag.panel.editor.documentSize.width === 413, undefined, { timeout: 30000 });
    await page.evaluate(() => { (window as any).sim.renditionError = 'Timed out waiting for the image to load'; });
    await frame.click('[data-testid=use-selection]');
    expect(await messageWhen(frame, 'rendition_failed')).toBe('Adobe Express could not render the image: Timed out waiting for the image to load — Wait until every image on it has finished loading in Adobe Express, then press "Use selection" again.');
    await page.evaluate(() => { (window as any).sim.renditionError = null; });
    await frame.click('[data-testid=use-selection]');
    await frame.waitForFunction(() => { const p = (window as any).smartdrag.panel; return p.doc && !p.reading; }, undefined, { timeout: 30000 });
    expect(await frame.getAttribute('[data-testid=message]', 'data-result')).toBeNull();
  } finally {
    await ctx.close();
  }
});

test('Express simulator: an image rotated 30° (its rendition\'s size rounded: x and y scale a hair apart) — the result keeps its bitmap\'s aspect ratio, as createImageContainer requires, and lands over its spot', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  try {
    const { page, frame } = await openExpress(ctx, { query: '&rot=30', origin: { x: EL.x + 200, y: EL.y } });
    await frame.waitForSelector('[data-testid=status][data-state=connected]', { timeout: 30000 });
    await frame.waitForFunction(() => (window as any).smartdrag.panel.doc?.width > 413, undefined, { timeout: 30000 });
    const doc0 = await panelDocument(frame);
    const fb = await frame.evaluate(() => (window as any).smartdrag.host.frame.bounds) as { x: number; y: number; width: number; height: number };
    expect([doc0.width, doc0.height]).toEqual([Math.round(fb.width), Math.round(fb.height)]);
    // The case's candy and arrow, where the rotation puts them in the rendition.
    const c = Math.cos(Math.PI / 6), s = Math.sin(Math.PI / 6), ox = EL.x + 200 - fb.x, oy = EL.y - fb.y;
    const R = (p: Point): Point => [ox + c * p[0] - s * p[1], oy + s * p[0] + c * p[1]];
    const drag = theCase.drags[0]!;
    await lassoArrowApply(page, frame, (theCase.regions[0]!.polygon as Point[]).map(R), R(drag.points[0] as Point), R(drag.points[1] as Point));
    const sim = await simState(page);
    expect({ violations: sim.violations, errors: sim.errors, result: await frame.getAttribute('[data-testid=message]', 'data-result') }).toEqual({ violations: [], errors: [], result: 'ok' });
    const sent = await lastSent(frame);
    const expected = await expectedFor(sent, [maskOf(sent.regions[0]!)], doc0);
    const added = sim.nodes[1]!;
    expect(added.rotation).toBe(0);
    expect(added.bitmapSize).toEqual([expected.width, expected.height]);
    expect(await addedDiff(added, expected)).toBe(0);
    // Where the panel put it in its picture, to within half a rendition pixel.
    const sx = doc0.width / fb.width, sy = doc0.height / fb.height;
    expect(Math.abs(added.bounds.x - (fb.x + expected.left / sx))).toBeLessThan(1e-6);
    expect(Math.abs(added.bounds.y - (fb.y + expected.top / sy))).toBeLessThan(1e-6);
    expect(Math.abs(added.bounds.width - expected.width / sx)).toBeLessThan(1e-6);
    expect(Math.abs(added.bounds.height - expected.height / sy)).toBeLessThan(0.5 / sy);
    expect(added.bounds.width / added.bounds.height).toBeCloseTo(expected.width / expected.height, 9);
  } finally {
    await ctx.close();
  }
});

test('Express simulator: the bridge stopped while Smart Drag ran, and started again — nothing is added meanwhile, the panel says what was not done, and Smart Drag again lands', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  await holdWebSocketSends(ctx);
  const own = await startBridge([]);
  let again: { bridge: Bridge; port: number } | null = null;
  try {
    const { page, frame } = await openConnected(ctx, { port: own.port });
    const drag = theCase.drags[0]!;
    await lassoArrow(page, frame, theCase.regions[0]!.polygon as Point[], drag.points[0] as Point, drag.points[1] as Point);
    await applyHeld(frame);
    await own.bridge.close();
    await frame.evaluate(() => (window as any).__release());
    await frame.waitForFunction(() => { const m = document.querySelector('[data-testid=message]')!; return m.classList.contains('sd-error') && !(window as any).smartdrag.panel.job; }, undefined, { timeout: 30000 });
    const stopped = { code: await frame.getAttribute('[data-testid=message]', 'data-result'), text: await frame.textContent('[data-testid=message]') };
    expect(['connection_lost', 'shutting_down', 'unreachable']).toContain(stopped.code);
    expect(stopped.text).toMatch(/bridge/i);
    expect((await simState(page)).nodes).toHaveLength(1);
    // Started again on the same port; Reconnect now.
    again = await startBridge([], own.port);
    await frame.click('[data-testid=reconnect]');
    await frame.waitForSelector('[data-testid=status][data-state=connected]', { timeout: 30000 });
    expect(await frame.textContent('[data-testid=message]')).toBe('The bridge is back. The Smart Drag that was running was not applied — press Smart Drag again.');
    await frame.click('[data-testid=apply]');
    await messageWhen(frame, 'ok');
    expect((await simState(page)).nodes).toHaveLength(2);
  } finally {
    await ctx.close();
    await again?.bridge.close();
  }
});

test('Express simulator: the image resized in Express after it was read — Smart Drag sends nothing (the arrows no longer match it) and says to read it again', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  try {
    const { page, frame } = await openConnected(ctx);
    const img = (await simState(page)).nodes[0]!.id;
    const drag = theCase.drags[0]!;
    await lassoArrow(page, frame, theCase.regions[0]!.polygon as Point[], drag.points[0] as Point, drag.points[1] as Point);
    await page.evaluate((id) => (window as any).sim.resize(id, 826, 712), img);
    const submitted = await frame.evaluate(() => (window as any).smartdrag.panel.lastSubmitted);
    await frame.click('[data-testid=apply]');
    expect(await messageWhen(frame, 'document_changed')).toBe('The image SmartDrag was editing was resized or rotated in Adobe Express after it was read: the lasso and arrows no longer match it. — Nothing was sent. Press "Use selection" to read it again, then lasso and draw the arrows again.');
    expect(await frame.evaluate(() => (window as any).smartdrag.panel.lastSubmitted)).toEqual(submitted);
    expect((await simState(page)).nodes).toHaveLength(1);
  } finally {
    await ctx.close();
  }
});
