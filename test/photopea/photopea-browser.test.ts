/**
 * Browser tests of the Photopea plugin and the playground: a real bridge, Debian's chromium via
 * playwright-core, the plugin inside the Photopea simulator (served as https://www.photopea.com
 * by request interception). Screenshots of each end state go to test-artifacts/.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { maskBounds, rasterizePolygon, type PlacedMask, type Point, type Rect } from '@smartdrag/shared';
import { caseToRequest, parseDragCase } from '../../bridge-server/src/core/case';
import { runEdit } from '../../bridge-server/src/core/edit';
import type { EditRequest, RgbaImage } from '../../bridge-server/src/core/types';
import type { Bridge } from '../../bridge-server/src/server';
import { artifactsDir, ensureBuilt, launchChromium, ROOT, startBridge } from './harness';
import { maskOf, trimToAlpha, type Sent } from '../helpers/layers';
import { expectedCrop, movedBounds } from '../helpers/edit-area';
import { castShadow } from '../../bridge-server/src/core/plan/cast-shadow';
import { bytesOf, dragOnEditor, lassoOnPage, openSimulator as openSimulatorAt, SMARTIES } from './pages';

/**
 * Bounds of what a move of the candy's selection carries: the selection and its soft shadow on the
 * white paper (plan/cast-shadow.ts; the pages send crops with a wider margin than the shadow's reading).
 */
function movingBounds(img: RgbaImage, selection: PlacedMask): Rect {
  const shadow = castShadow(img, selection);
  if ('why' in shadow) throw new Error(`no shadow next to the candy: ${shadow.why}`);
  return maskBounds(shadow.mask, 128);
}

jest.setTimeout(120_000);

const FIXTURES = join(ROOT, 'test', 'fixtures');
const theCase = parseDragCase(JSON.parse(readFileSync(join(FIXTURES, 'cases', 'smarties-move-red.json'), 'utf8')));


let browser: Browser;
let server: { bridge: Bridge; port: number; origin: string };
let image: RgbaImage;

beforeAll(async () => {
  await ensureBuilt();
  const { data, info } = await sharp(SMARTIES).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  image = { width: info.width, height: info.height, data: new Uint8ClampedArray(data) };
  [server, browser] = await Promise.all([startBridge(0), launchChromium()]);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.bridge.close();
});

/** The expected result layer: the core run in-process on what the panel sent. */
async function expectedFor(sent: Sent, regionMasks: PlacedMask[], img: RgbaImage = image) {
  const base = caseToRequest(theCase, img, { quality: 'final', seed: sent.seed });
  const req: EditRequest = {
    ...base,
    regions: sent.regions.map((r, i) => ({ id: r.id, mask: regionMasks[i]! })),
    drags: sent.drags.map((d) => ({ region: d.region, points: d.points, kind: d.kind as 'translate' })),
    intent: sent.intent || undefined,
  };
  return (await runEdit(req)).layer;
}

/** Widths of the progress bar and its track, and the progress text, right as the result lands. */
async function progressBar(frame: Frame | Page): Promise<{ bar: number; track: number; text: string }> {
  return frame.evaluate(() => {
    const track = document.querySelector('.sd-progress')!;
    return {
      bar: track.querySelector('.sd-bar')!.getBoundingClientRect().width,
      track: track.getBoundingClientRect().width,
      text: track.querySelector('[data-testid=progress]')!.textContent ?? '',
    };
  });
}

/** The simulator with this file's bridge's plugin page. */
function openSimulator(ctx: BrowserContext, query = '', docs: Record<string, Buffer> = {}): Promise<{ page: Page; frame: Frame }> {
  return openSimulatorAt(ctx, server.origin, query, docs);
}

/**
 * After a preview: the moved-outline overlay is shown over the thumbnail (same box as the canvas),
 * its SVG path is the panel's polygons (document pixels; the path is shifted by ½ to pixel
 * edges), and their bounds lie within `tol` px of `want` (where the selection landed).
 */
async function expectOutlineOver(frame: Frame | Page, want: Rect, tol = 3): Promise<void> {
  const o = await frame.evaluate(() => {
    const svg = document.querySelector('[data-testid=moved-outline]') as SVGSVGElement;
    const path = svg.querySelector('path.sd-moved-ants') as SVGPathElement | null;
    const r = svg.getBoundingClientRect(), c = document.querySelector('canvas.sd-editor')!.getBoundingClientRect();
    const bb = path?.getBBox();
    return {
      display: getComputedStyle(svg).display, dash: path ? getComputedStyle(path).strokeDasharray : '',
      svg: [r.left, r.top, r.width, r.height], canvas: [c.left, c.top, c.width, c.height],
      bbox: bb ? [bb.x, bb.y, bb.width, bb.height] : null,
      polygons: (window as any).smartdrag.panel.editor.movedPolygons as Point[][],
    };
  });
  expect(o.display).not.toBe('none');
  expect(o.dash).not.toBe('none'); // marching ants: a dashed stroke
  for (let k = 0; k < 4; k++) expect(Math.abs(o.svg[k]! - o.canvas[k]!)).toBeLessThanOrEqual(1);
  const pts = o.polygons.flat();
  const xs = pts.map((p) => p[0]), ys = pts.map((p) => p[1]);
  const b = { x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys) };
  // The drawn path is those polygons (user units = document pixels + ½).
  expect(o.bbox![0]).toBeCloseTo(b.x0 + 0.5, 1);
  expect(o.bbox![1]).toBeCloseTo(b.y0 + 0.5, 1);
  expect(o.bbox![2]).toBeCloseTo(b.x1 - b.x0, 1);
  expect(o.bbox![3]).toBeCloseTo(b.y1 - b.y0, 1);
  // …and lies over the moved object.
  expect(Math.abs(b.x0 - want.left)).toBeLessThanOrEqual(tol);
  expect(Math.abs(b.y0 - want.top)).toBeLessThanOrEqual(tol);
  expect(Math.abs(b.x1 - (want.left + want.width - 1))).toBeLessThanOrEqual(tol);
  expect(Math.abs(b.y1 - (want.top + want.height - 1))).toBeLessThanOrEqual(tol);
}

interface SimCase {
  /** Extra simulator URL parameters. */
  query: string;
  /** The document file (default: the smarties photo) and its pixels. */
  docs?: Record<string, Buffer>;
  img?: RgbaImage;
  /** Make the selection hard-edged (two values), as a marquee/lasso without feathering gives. */
  hard?: boolean;
  /** Expected layer tree after the edit: [name, group] top first. */
  layers: [string, string | null][];
  /** [bit depth, PNG colour type] Photopea's engine wrote for the document (first export) and for the selection mask. */
  exports: [[number, number], [number, number]];
  /** Preview first (and check the moved outline) before applying. */
  preview?: boolean;
}

async function simulatorEdit(c: SimCase): Promise<void> {
  const img = c.img ?? image;
  const ctx = await browser.newContext({ viewport: { width: 1120, height: 800 } });
  const consoleErrors: string[] = [];
  try {
    const { page, frame } = await openSimulator(ctx, c.query, c.docs);
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    // The user selects the candy in "Photopea" (the case polygon, rasterised like the core does).
    const selection = rasterizePolygon(theCase.regions[0]!.polygon as Point[]);
    if (c.hard) for (let i = 0; i < selection.data.length; i++) selection.data[i] = selection.data[i]! >= 128 ? 255 : 0;
    await page.evaluate((m) => (window as any).sim.setSelection(m), { ...selection, data: Array.from(selection.data) });
    await frame.click('[data-testid=read]');
    await frame.waitForFunction(() => /selection/.test(document.querySelector('[data-testid=info]')!.textContent!));
    const drag = theCase.drags[0]!;
    await dragOnEditor(page, frame, drag.points[0] as Point, drag.points[1] as Point);
    await frame.fill('[data-testid=intent]', theCase.intent!);
    await frame.selectOption('[data-testid=kind]', 'translate');
    if (c.preview) {
      await frame.click('[data-testid=preview]');
      await frame.waitForFunction(() => /^Preview:/.test(document.querySelector('[data-testid=message]')!.textContent ?? ''), undefined, { timeout: 60000 });
      await expectOutlineOver(frame, movedBounds(movingBounds(img, selection), drag.points as Point[]));
      await page.screenshot({ path: join(artifactsDir(), 'photopea-preview-outline.png') });
    }
    // Keyboard shortcut while the panel has focus.
    await frame.focus('[data-testid=panel]');
    await page.keyboard.press('Control+Enter');
    await frame.waitForSelector('[data-testid=message][data-result]', { timeout: 90000 });
    // "Done" and a full bar at once: the bar's fill spans its whole track (no transition lag).
    const bar = await progressBar(frame);
    expect(bar.text).toBe('Done');
    expect(bar.track).toBeGreaterThan(100);
    expect(bar.bar).toBe(bar.track);
    await frame.locator('.sd-progress').screenshot({ path: join(artifactsDir(), 'photopea-progress-done.png') });
    expect({ result: await frame.getAttribute('[data-testid=message]', 'data-result'), text: await frame.textContent('[data-testid=message]') })
      .toEqual({ result: 'ok', text: expect.stringMatching(/^Added layer "Smart Drag"/) });
    // The bridge's self-check of the final: its verdict on the message, its doubt in words.
    const verdict = await frame.getAttribute('[data-testid=message]', 'data-check');
    expect(verdict).toMatch(/^(ok|doubtful)$/);
    const says = /self-check doubts this result \(.+\)/.test((await frame.textContent('[data-testid=message]')) ?? '');
    expect(says).toBe(verdict === 'doubtful');
    await frame.waitForSelector('[data-testid=plan] li');

    const sent = (await frame.evaluate(() => {
      const s = (window as any).smartdrag.panel.lastSubmitted;
      return { ...s, regions: s.regions.map((r: any) => ({ ...r, data: Array.from(r.data) })) };
    })) as Sent;
    // The arrow maps back to the exact document pixels it was drawn over.
    expect(sent.drags).toEqual([{ region: 'h1', points: drag.points, kind: 'translate' }]);
    // The mask read through the temporary-layer recipe equals the selection, pixel for pixel.
    const sentMask = maskOf(sent.regions[0]!);
    const b = { l: sentMask.left, t: sentMask.top };
    let diff = 0, covered = 0;
    for (let y = 0; y < selection.height; y++) for (let x = 0; x < selection.width; x++) {
      const v = selection.data[y * selection.width + x]!;
      if (v) covered++;
      const X = selection.left + x - b.l, Y = selection.top + y - b.t;
      const got = X >= 0 && Y >= 0 && X < sentMask.width && Y < sentMask.height ? sentMask.data[Y * sentMask.width + X]! : 0;
      diff = Math.max(diff, Math.abs(got - v));
    }
    expect(covered).toBeGreaterThan(1000);
    expect(diff).toBe(0);
    // Only the edit's crop was sent (selection + its moved copy + arrow + margin), not the document.
    const crop = expectedCrop(maskBounds(sentMask), drag.points as Point[], img.width, img.height);
    expect(sent.image).toEqual(crop);
    expect(crop.width * crop.height).toBeLessThan(0.5 * img.width * img.height);

    const sim = await page.evaluate(() => {
      const s = (window as any).sim;
      return { layers: s.layerInfo(), pastes: s.pastes.map((p: any) => p.url as string), violations: s.violations, errors: s.errors, scripts: s.scripts.length, exports: s.exports };
    });
    expect(sim.violations).toEqual([]);
    expect(sim.errors).toEqual([]);
    // The PNG forms Photopea's engine wrote: the document (read) and the selection mask.
    const forms = sim.exports.map((e: any) => [e.depth, e.colorType]);
    expect(forms[0]).toEqual(c.exports[0]);
    expect(forms).toEqual(expect.arrayContaining([c.exports[1]]));
    expect(sim.layers.map((l: any) => [l.name, l.group])).toEqual(c.layers);
    expect(sim.layers.some((l: any) => l.name.startsWith('__smartdrag_tmp'))).toBe(false);
    expect(sim.layers.every((l: any) => l.visible)).toBe(true);
    expect(sim.pastes).toHaveLength(1);

    const expected = trimToAlpha(await expectedFor(sent, [sentMask], img));
    const placed = sim.layers.find((x: any) => x.name === 'Smart Drag');
    const [l, t, r, bt] = placed.bounds as number[];
    expect({ left: l, top: t, width: r! - l!, height: bt! - t! }).toEqual({ left: expected.left, top: expected.top, width: expected.width, height: expected.height });
    // Around (120, 80) per the case: the layer covers the candy's new place.
    expect(expected.left).toBeLessThan(120);
    expect(expected.top).toBeLessThan(80);
    // The pixels Photopea received (decoded by sharp, independent of the plugin's codec): the
    // layer, padded with transparent pixels to a box centred on the document (Photopea pastes
    // centred, so it lands in place without a move).
    const png = Buffer.from(sim.pastes[0]!.split(',')[1]!, 'base64');
    const got = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const [pw, ph] = [got.info.width, got.info.height];
    const pastedAt = [Math.round((img.width - pw) / 2), Math.round((img.height - ph) / 2)];
    const gotLayer = trimToAlpha({ left: pastedAt[0]!, top: pastedAt[1]!, image: { width: pw, height: ph, data: new Uint8ClampedArray(got.data) } });
    expect([gotLayer.left, gotLayer.top, gotLayer.width, gotLayer.height]).toEqual([expected.left, expected.top, expected.width, expected.height]);
    let maxDiff = 0;
    for (let i = 0; i < gotLayer.data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(gotLayer.data[i]! - expected.data[i]!));
    expect(maxDiff).toBe(0);

    await page.screenshot({ path: join(artifactsDir(), `photopea-simulator${c.query.replace(/[^a-z0-9]+/gi, '-')}.png`) });
    expect(consoleErrors).toEqual([]);
  } finally {
    await ctx.close();
  }
}

test('Photopea simulator: select the red candy, draw the arrow, apply → one new layer at the right offset with the core\'s pixels', async () => {
  // A photo: UPNG.js writes 8-bit RGB; the soft-edged mask has > 16 levels: an 8-bit palette PNG.
  await simulatorEdit({ query: '', layers: [['Smart Drag', null], ['Background', null]], exports: [[8, 2], [8, 3]], preview: true });
});

test('Photopea simulator, a few-colour image with a hard selection inside a layer group: palette document, 1-bit palette mask; the layer lands exactly, on top of the group', async () => {
  // The photo reduced to 16 colours (as a flat graphic is): UPNG.js writes it as a palette PNG.
  const flat = await sharp(SMARTIES).png({ palette: true, colours: 16, dither: 0 }).toBuffer();
  const { data, info } = await sharp(flat).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  await simulatorEdit({
    query: '&groups=1', docs: { 'flat16.png': flat }, img: { width: info.width, height: info.height, data: new Uint8ClampedArray(data) }, hard: true,
    layers: [['Smart Drag', null], ['Group 1', null], ['Background', 'Group 1']],
    exports: [[8, 3], [1, 3]],
  });
});

test('Photopea simulator, a 16-bit document, rulers in cm at 300 ppi, layers in a group: 16-bit PNG read (rounded once to 8 bits), the layer lands exactly', async () => {
  await simulatorEdit({
    query: '&depth=16&groups=1&units=cm&res=300', hard: true,
    layers: [['Smart Drag', null], ['Group 1', null], ['Background', 'Group 1']],
    exports: [[16, 6], [16, 6]],
  });
});

/** The playground on a new page, connected, with the bundled sample loaded. */
async function openPlaygroundWithSample(ctx: BrowserContext): Promise<Page> {
  const page = await ctx.newPage();
  await page.goto(`${server.origin}/`);
  await page.waitForSelector('[data-testid=status][data-state=connected]', { timeout: 30000 });
  await page.click('[data-testid=load-sample]');
  await page.waitForFunction(() => (window as any).smartdrag.panel.editor.documentSize.width === 413);
  return page;
}

test('playground: load the sample, lasso the candy, drag the arrow (live preview), apply → the result is shown', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1000, height: 900 } });
  // Count what the page's WebSocket sends: job ids whose image frames went, and submits naming a held image.
  await ctx.addInitScript(() => {
    const w = window as any;
    w.__wire = { imageJobs: [] as string[], submits: [] as { jobId: string; quality: string; keepImage?: string; heldImage?: string }[] };
    const send = WebSocket.prototype.send;
    WebSocket.prototype.send = function (this: WebSocket, data: any) {
      if (typeof data === 'string') {
        const m = JSON.parse(data);
        if (m.type === 'job.submit') w.__wire.submits.push({ jobId: m.jobId, quality: m.quality, keepImage: m.keepImage, heldImage: m.heldImage });
      } else {
        const b = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
        if (b[5] === 1) { // frame part 1 = image; the job id follows the 40-byte header
          const id = String.fromCharCode(...b.subarray(40, 40 + b[7]!));
          if (!w.__wire.imageJobs.includes(id)) w.__wire.imageJobs.push(id);
        }
      }
      return send.call(this, data);
    };
  });
  try {
    const page = await openPlaygroundWithSample(ctx);
    const before = await page.evaluate(async () => Array.from((await (window as any).smartdrag.host.readDocument()).rgba.data.slice((80 * 413 + 120) * 4, (80 * 413 + 120) * 4 + 4)) as number[]);
    // Lasso along the case polygon.
    await page.click('[data-testid=tool-lasso]');
    const poly = theCase.regions[0]!.polygon as Point[];
    await lassoOnPage(page, poly);
    await page.click('[data-testid=tool-arrow]');
    await page.fill('[data-testid=intent]', theCase.intent!);
    await page.selectOption('[data-testid=kind]', 'translate');
    const drag = theCase.drags[0]!;
    await dragOnEditor(page, page, drag.points[0] as Point, drag.points[1] as Point, 20);
    // A preview-quality job followed the arrow; once the one for the final arrow is back, the moved outline shows over the thumbnail.
    await page.waitForFunction(() => (window as any).smartdrag.panel.lastSubmitted?.quality === 'preview', undefined, { timeout: 30000 });
    await page.waitForSelector('[data-testid=plan] li', { timeout: 60000 });
    await page.waitForFunction(([tx, ty]) => {
      const p = (window as any).smartdrag.panel;
      const last = p.lastSubmitted?.drags[0]?.points;
      return !!p.editor.movedPolygons && !p.job && p.lastSubmitted.quality === 'preview' && last?.[last.length - 1][0] === tx && last?.[last.length - 1][1] === ty;
    }, drag.points[1] as Point, { timeout: 60000 });
    const lassoBounds = await page.evaluate(() => {
      const m = (window as any).smartdrag.panel.editor.regions[0].mask;
      return { ...m, data: Array.from(m.data as Uint8Array) };
    });
    await expectOutlineOver(page, movedBounds(movingBounds(image, { ...lassoBounds, data: Uint8Array.from(lassoBounds.data) }), drag.points as Point[]));
    await page.screenshot({ path: join(artifactsDir(), 'playground-preview-outline.png') });
    // The drag's previews sent the document once (each crop as a rectangle of it, imageRect); the
    // later ones named it (image reuse), and the bridge holds it for this connection.
    const wire = await page.evaluate(() => (window as any).__wire);
    const previews = wire.submits.filter((m: { quality: string }) => m.quality === 'preview');
    expect(previews.length).toBeGreaterThanOrEqual(1); // one per throttled step of the drag (usually several)
    expect(previews[0]).toMatchObject({ keepImage: expect.any(String) });
    expect(previews.slice(1).every((m: { heldImage?: string }) => m.heldImage === previews[0].keepImage)).toBe(true);
    expect(wire.imageJobs).toEqual([previews[0].jobId]);
    expect(server.bridge.stats().heldImages).toBeGreaterThanOrEqual(1);
    await page.click('[data-testid=apply]');
    await page.waitForSelector('[data-testid=message][data-result]', { timeout: 90000 });
    const bar = await progressBar(page);
    expect(bar.text).toBe('Done');
    expect(bar.track).toBeGreaterThan(100);
    expect(bar.bar).toBe(bar.track);
    await page.locator('.sd-progress').screenshot({ path: join(artifactsDir(), 'playground-progress-done.png') });
    expect({ result: await page.getAttribute('[data-testid=message]', 'data-result'), text: await page.textContent('[data-testid=message]') })
      .toEqual({ result: 'ok', text: expect.stringMatching(/^Added layer "Smart Drag"/) });

    const state = await page.evaluate(async () => {
      const sd = (window as any).smartdrag;
      const s = sd.panel.lastSubmitted;
      return {
        sent: { ...s, regions: s.regions.map((r: any) => ({ ...r, data: Array.from(r.data) })) },
        layers: sd.host.layers,
      };
    });
    const doc = await bytesOf(page, 'window.smartdrag.host.readDocument().then((d) => d.rgba.data)');
    const sent = state.sent as Sent;
    expect(sent.quality).toBe('final');
    // Apply named the held document too: no image frame went for the final.
    const wireAfter = await page.evaluate(() => (window as any).__wire);
    expect(wireAfter.submits.at(-1)).toMatchObject({ quality: 'final', heldImage: previews[0].keepImage });
    expect(wireAfter.imageJobs).toEqual([previews[0].jobId]);
    expect(sent.drags).toEqual([{ region: 'r1', points: drag.points, kind: 'translate' }]);
    // The lasso region covers the candy: its mask is close to the case polygon's.
    const lasso = maskOf(sent.regions[0]!);
    const ref = rasterizePolygon(poly);
    let inter = 0, uni = 0;
    for (let y = 0; y < 356; y++) for (let x = 0; x < 413; x++) {
      const a = x >= lasso.left && y >= lasso.top && x < lasso.left + lasso.width && y < lasso.top + lasso.height ? lasso.data[(y - lasso.top) * lasso.width + x - lasso.left]! > 127 : false;
      const b = x >= ref.left && y >= ref.top && x < ref.left + ref.width && y < ref.top + ref.height ? ref.data[(y - ref.top) * ref.width + x - ref.left]! > 127 : false;
      if (a && b) inter++;
      if (a || b) uni++;
    }
    expect(inter / uni).toBeGreaterThan(0.95);

    expect(state.layers).toHaveLength(1);
    const expected = await expectedFor(sent, [lasso]);
    expect(state.layers[0]).toMatchObject({ left: expected.left, top: expected.top, width: expected.image.width, height: expected.image.height });
    // The shown document = the original with the core's layer composited over it.
    let maxDiff = 0;
    const L = expected.image;
    for (let y = 0; y < 356; y++) for (let x = 0; x < 413; x++) {
      const i = (y * 413 + x) * 4;
      const lx = x - expected.left, ly = y - expected.top;
      const inside = lx >= 0 && ly >= 0 && lx < L.width && ly < L.height;
      const j = (ly * L.width + lx) * 4;
      const a = inside ? L.data[j + 3]! / 255 : 0;
      for (let c = 0; c < 3; c++) {
        const want = a === 0 ? image.data[i + c]! : (L.data[j + c]! * a + image.data[i + c]! * (1 - a));
        maxDiff = Math.max(maxDiff, Math.abs(doc[i + c]! - want));
      }
    }
    expect(maxDiff).toBeLessThanOrEqual(1);
    // The candy is now where the arrow pointed: (120, 80) went from near-white to red.
    const after = doc.slice((80 * 413 + 120) * 4, (80 * 413 + 120) * 4 + 4);
    expect(Math.min(before[0]!, before[1]!, before[2]!)).toBeGreaterThan(180);
    expect(after[0]! - Math.max(after[1]!, after[2]!)).toBeGreaterThan(60);
    await page.screenshot({ path: join(artifactsDir(), 'playground-result.png'), fullPage: true });
  } finally {
    await ctx.close();
  }
});

/** A TCP listener on 127.0.0.1:`port` that drops every connection at once (the client reads it as nothing answering). */
function holdPort(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const srv = createServer((socket) => socket.destroy());
    srv.once('error', reject);
    srv.listen(port, '127.0.0.1', () => resolve(srv));
  });
}
const releasePort = (srv: Server): Promise<void> => new Promise((resolve) => srv.close(() => resolve()));

test('bridge stopped → the panel says why; it reconnects when the bridge is back on the same port', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1120, height: 800 } });
  // The port of the bridge this test stopped, until it is started again: a failure in between must
  // not leave the file's later tests without a bridge (they failed with ERR_CONNECTION_REFUSED).
  let stopped: number | null = null;
  let holder: Server | null = null;
  try {
    const { page, frame } = await openSimulator(ctx);
    // The playground too: its panel must keep its width when the (long) connection hint appears.
    const playground = await ctx.newPage();
    await playground.setViewportSize({ width: 1000, height: 900 });
    await playground.goto(`${server.origin}/`);
    await playground.waitForSelector('[data-testid=status][data-state=connected]', { timeout: 30000 });
    const panelWidth = () => playground.evaluate(() => document.querySelector('[data-testid=panel]')!.getBoundingClientRect().width);
    const widthConnected = await panelWidth();
    const port = server.port;
    await server.bridge.close();
    stopped = port;
    // Nothing answers on the port while the bridge is down — and no other test's bridge, started
    // on a free port meanwhile, takes it (a retry that reached one read as "Lost the connection"):
    // a holder accepts and drops every connection, as a port nobody listens on refuses it.
    holder = await holdPort(port);
    await frame.waitForSelector('[data-testid=status]:not([data-state=connected])', { timeout: 30000 });
    await frame.waitForFunction(() => /bridge/i.test(document.querySelector('[data-testid=status-hint]')!.textContent ?? ''), undefined, { timeout: 30000 });
    const hint = (await frame.textContent('[data-testid=status-hint]'))!;
    expect(hint).toMatch(/SmartDrag bridge (is not running|stopped)|Lost the connection/);
    expect(hint).toMatch(/smartdrag serve|npm start/);
    expect(await frame.isDisabled('[data-testid=apply]')).toBe(true);
    await page.screenshot({ path: join(artifactsDir(), 'photopea-bridge-down.png') });
    await playground.waitForFunction(() => /bridge/i.test(document.querySelector('[data-testid=status-hint]')!.textContent ?? ''), undefined, { timeout: 30000 });
    const pgHint = await playground.evaluate(() => {
      const h = document.querySelector('[data-testid=status-hint]')!;
      return { text: h.textContent ?? '', lines: Math.round(h.getBoundingClientRect().height / parseFloat(getComputedStyle(h).lineHeight)) };
    });
    expect(pgHint.text.length).toBeGreaterThan(60);
    expect(pgHint.lines).toBeGreaterThan(1); // it wraps inside the panel...
    expect(await panelWidth()).toBe(widthConnected); // ...instead of widening it
    // While the retries go on the hint keeps its text and height (the count-down is in the status
    // word), so the thumbnail under it does not move.
    // (The first words are "stopped"; once a retry finds nothing there, "not running" — then they stay.)
    await playground.waitForFunction(() => /not running/.test(document.querySelector('[data-testid=status-hint]')!.textContent ?? ''), undefined, { timeout: 30000 });
    const settled = await playground.textContent('[data-testid=status-hint]');
    const seen = new Set<string>(), heights = new Set<number>(), words = new Set<string>();
    for (let k = 0; k < 12; k++) {
      const s = await playground.evaluate(() => ({
        text: document.querySelector('[data-testid=status-hint]')!.textContent ?? '',
        top: Math.round(document.querySelector('canvas.sd-editor')!.getBoundingClientRect().top),
        word: document.querySelector('[data-testid=status]')!.textContent ?? '',
      }));
      seen.add(s.text); heights.add(s.top); words.add(s.word);
      await new Promise((r) => setTimeout(r, 300));
    }
    expect([...seen]).toEqual([settled]);
    expect(heights.size).toBe(1);
    expect([...words].every((w) => /^(Reconnecting…|Connecting…|Retrying in \d s…)$/.test(w))).toBe(true);
    await playground.screenshot({ path: join(artifactsDir(), 'playground-bridge-down.png'), fullPage: true });

    await releasePort(holder);
    holder = null;
    server = await startBridge(port);
    stopped = null;
    expect(server.port).toBe(port);
    await frame.waitForSelector('[data-testid=status][data-state=connected]', { timeout: 30000 });
    expect((await frame.textContent('[data-testid=status-hint]'))!.trim()).toBe('');
    // And it works again: a preview job round-trips.
    const selection = rasterizePolygon(theCase.regions[0]!.polygon as Point[]);
    await page.evaluate((m) => (window as any).sim.setSelection(m), { ...selection, data: Array.from(selection.data) });
    await frame.click('[data-testid=read]');
    await frame.waitForFunction(() => /selection/.test(document.querySelector('[data-testid=info]')!.textContent!));
    await dragOnEditor(page, frame, [33, 228], [120, 80]);
    await frame.click('[data-testid=preview]');
    await frame.waitForFunction(() => /^Preview:/.test(document.querySelector('[data-testid=message]')!.textContent ?? ''), undefined, { timeout: 60000 });
    await page.screenshot({ path: join(artifactsDir(), 'photopea-bridge-recovered.png') });
  } finally {
    await ctx.close();
    if (holder) await releasePort(holder);
    if (stopped !== null) server = await startBridge(stopped).catch(() => startBridge(0));
  }
});

test('Photopea panel at 320 px (Photopea\'s narrow plugin column): nothing overflows, the thumbnail shrinks and arrows still land on document pixels', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1000, height: 800 } });
  try {
    const { page, frame } = await openSimulator(ctx);
    await page.evaluate(() => { document.getElementById('plugin')!.style.width = '320px'; });
    await frame.waitForFunction(() => document.documentElement.clientWidth === 320);
    await frame.click('[data-testid=read]');
    await frame.waitForFunction(() => (window as any).smartdrag.panel.editor.documentSize.width === 413);
    const layout = await frame.evaluate(() => {
      const W = document.documentElement.clientWidth;
      const out: string[] = [];
      document.querySelectorAll('body *').forEach((e) => {
        const r = e.getBoundingClientRect();
        if (r.width > 0 && (r.right > W + 0.5 || r.left < -0.5)) out.push(`${e.tagName}.${(e as HTMLElement).className}`);
      });
      const c = document.querySelector('canvas.sd-editor')!.getBoundingClientRect();
      return { scrollWidth: document.documentElement.scrollWidth, overflowing: out, canvas: { w: c.width, h: c.height } };
    });
    expect(layout.scrollWidth).toBe(320);
    expect(layout.overflowing).toEqual([]);
    // The thumbnail is narrower than its 360 px layout size and keeps the document's aspect ratio.
    expect(layout.canvas.w).toBeLessThan(320);
    expect(layout.canvas.h / layout.canvas.w).toBeCloseTo(356 / 413, 2);
    const from: Point = [40, 200], to: Point = [130, 60];
    await dragOnEditor(page, frame, from, to);
    const arrows = await frame.evaluate(() => (window as any).smartdrag.panel.editor.arrows.map((a: { points: Point[] }) => a.points) as Point[][]);
    expect(arrows).toHaveLength(1);
    const pts = arrows[0]!;
    for (const [got, want] of [[pts[0]!, from], [pts[pts.length - 1]!, to]] as const) {
      expect(Math.abs(got[0] - want[0])).toBeLessThanOrEqual(2);
      expect(Math.abs(got[1] - want[1])).toBeLessThanOrEqual(2);
    }
    await page.screenshot({ path: join(artifactsDir(), 'photopea-320px.png') });
  } finally {
    await ctx.close();
  }
});

test('playground: text alone — lasso the candy, no arrow, a vague intent gets the question, a full one moves it', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1000, height: 900 } });
  try {
    const page = await openPlaygroundWithSample(ctx);
    await page.click('[data-testid=tool-lasso]');
    await lassoOnPage(page, theCase.regions[0]!.polygon as Point[]);
    // No arrow and no text: Apply stays disabled.
    expect(await page.isDisabled('[data-testid=apply]')).toBe(true);
    // A text that does not say which way: the bridge asks back, shown in the panel.
    await page.fill('[data-testid=intent]', 'move the red candy');
    expect(await page.isDisabled('[data-testid=apply]')).toBe(false);
    await page.click('[data-testid=apply]');
    await page.waitForSelector('[data-testid=message][data-result=intent_unclear]', { timeout: 60000 });
    expect(await page.textContent('[data-testid=message]')).toMatch(/Which way should "the red candy" move/);
    await page.screenshot({ path: join(artifactsDir(), 'playground-text-alone-question.png'), fullPage: true });
    // The full sentence: the candy moves where the words say, with no arrow drawn.
    await page.fill('[data-testid=intent]', 'move the red candy 87 pixels to the right and 148 pixels up');
    await page.click('[data-testid=apply]');
    await page.waitForSelector('[data-testid=message][data-result=ok]', { timeout: 90000 });
    const state = await page.evaluate(async () => {
      const sd = (window as any).smartdrag;
      const doc = await sd.host.readDocument();
      return { drags: sd.panel.lastSubmitted.drags, plan: document.querySelector('[data-testid=plan]')!.textContent, px: Array.from(doc.rgba.data.slice((80 * 413 + 120) * 4, (80 * 413 + 120) * 4 + 4)) as number[] };
    });
    expect(state.drags).toEqual([]);
    expect(state.plan).toMatch(/Move region r1 by \(87, -148\) px/);
    expect(state.px[0]! - Math.max(state.px[1]!, state.px[2]!)).toBeGreaterThan(60);
    await page.screenshot({ path: join(artifactsDir(), 'playground-text-alone.png'), fullPage: true });
  } finally {
    await ctx.close();
  }
});

test('playground, a large document with the object far from its corner: the preview goes as the panel\'s own view-size proxy of the document (proxyOf), its layer and the moved outline land over the object in document pixels; the final sends only the edit\'s crop', async () => {
  const OX = 600, OY = 500;
  const big = await sharp(SMARTIES).extend({ top: OY, left: OX, bottom: 250, right: 300, background: '#ffffff' }).png().toBuffer();
  const W = 413 + OX + 300, H = 356 + OY + 250;
  const ctx = await browser.newContext({ viewport: { width: 1000, height: 900 } });
  try {
    const page = await ctx.newPage();
    await page.goto(`${server.origin}/`);
    await page.waitForSelector('[data-testid=status][data-state=connected]', { timeout: 30000 });
    await page.setInputFiles('[data-testid=open-file]', { name: 'big.png', mimeType: 'image/png', buffer: big });
    await page.waitForFunction((w) => (window as any).smartdrag.panel.editor.documentSize.width === w, W);
    // Lasso the candy (at its new place in the big document), then the arrow.
    await page.click('[data-testid=tool-lasso]');
    expect(await page.evaluate(() => (window as any).smartdrag.panel.editor.scale as number)).toBeLessThan(0.5);
    await lassoOnPage(page, (theCase.regions[0]!.polygon as Point[]).map((p) => [p[0] + OX, p[1] + OY] as Point));
    await page.click('[data-testid=tool-arrow]');
    await page.selectOption('[data-testid=kind]', 'translate');
    const drag = theCase.drags[0]!;
    await dragOnEditor(page, page, [drag.points[0]![0] + OX, drag.points[0]![1] + OY], [drag.points[1]![0] + OX, drag.points[1]![1] + OY]);
    // Let the live previews settle, then one explicit preview.
    await page.waitForFunction(() => { const p = (window as any).smartdrag.panel; return p.editor.arrows.length === 1 && !p.job; }, undefined, { timeout: 60000 });
    await page.click('[data-testid=preview]');
    await page.waitForFunction(() => { const p = (window as any).smartdrag.panel; return !p.job && !!p.editor.movedPolygons && /^Preview:/.test(document.querySelector('[data-testid=message]')!.textContent ?? ''); }, undefined, { timeout: 60000 });
    const got = await page.evaluate(() => {
      const p = (window as any).smartdrag.panel;
      const m = p.editor.regions[0].mask;
      const o = p.editor.overlay;
      return {
        sent: { quality: p.lastSubmitted.quality, image: p.lastSubmitted.image, proxy: p.lastSubmitted.proxy, points: p.lastSubmitted.drags[0].points as Point[] },
        viewPixels: p.editor.viewPixels as number,
        region: { ...m, data: Array.from(m.data as Uint8Array) },
        overlay: { left: o.left, top: o.top, width: o.width, height: o.height, pixels: o.canvas.width },
      };
    });
    expect(got.sent.quality).toBe('preview');
    const region = { ...got.region, data: Uint8Array.from(got.region.data) } as PlacedMask;
    // The panel sent its own proxy of the whole document, no larger than its view.
    expect(got.sent.image).toEqual({ left: 0, top: 0, width: W, height: H });
    expect(got.sent.proxy!.width * got.sent.proxy!.height).toBeLessThanOrEqual(got.viewPixels);
    expect(Math.abs(got.sent.proxy!.width / got.sent.proxy!.height - W / H)).toBeLessThan(0.01);
    // The layer is proxy-scale (fewer pixels than the area it covers) and placed over the selection's new place.
    expect(got.overlay.pixels).toBeLessThan(0.6 * got.overlay.width);
    const landed = movedBounds(maskBounds(region, 128), got.sent.points);
    const tol = 2 * W / got.sent.proxy!.width;
    expect(got.overlay.left).toBeLessThanOrEqual(landed.left + tol);
    expect(got.overlay.top).toBeLessThanOrEqual(landed.top + tol);
    expect(got.overlay.left + got.overlay.width).toBeGreaterThanOrEqual(landed.left + landed.width - tol);
    expect(got.overlay.top + got.overlay.height).toBeGreaterThanOrEqual(landed.top + landed.height - tol);
    expect(got.overlay.left).toBeGreaterThan(400);
    expect(got.overlay.top).toBeGreaterThan(300);
    // The moved outline, in document pixels (not proxy pixels): over the selection's new place.
    await expectOutlineOver(page, landed, 8);
    await page.screenshot({ path: join(artifactsDir(), 'playground-large-proxy-outline.png') });
    // The final goes at full resolution, as the edit's crop only (selection + its moved copy + arrow + margin).
    await page.click('[data-testid=apply]');
    await page.waitForSelector('[data-testid=message][data-result]', { timeout: 90000 });
    const fin = await page.evaluate(() => { const s = (window as any).smartdrag.panel.lastSubmitted; return { quality: s.quality, image: s.image, proxy: s.proxy ?? null }; });
    expect(fin).toEqual({ quality: 'final', image: expectedCrop(maskBounds(region), got.sent.points, W, H), proxy: null });
    expect(fin.image.left).toBeGreaterThan(400);
    expect(fin.image.top).toBeGreaterThan(300);
  } finally {
    await ctx.close();
  }
});

/**
 * What one Smart Drag right after Read exports from "Photopea": the document did not change since
 * the Read (one small script says so; nothing exported), so nothing before the edit — it had
 * exported the whole document and the selection again; after the layer is added, nothing when it
 * is a plain top layer (the panel composites its copy: the result goes to the top, out of any
 * group, where `move()` exists), else the layer's box — or, where the document has no duplicate()
 * (`area=0`), the whole document. In every case the panel's copy afterwards equals a fresh read of
 * the whole document.
 */
describe.each([
  { name: 'a plain document: nothing before the edit (unchanged since Read), nothing after the add', query: '', full: 0, boxes: [], read: ['full', 'selection'] },
  { name: 'layers in a group: nothing before the edit, nothing after the add (moved to the top)', query: '&groups=1', full: 0, boxes: [], read: ['full', 'selection'] },
  { name: 'layers in a group, no move(): nothing before the edit, the layer\'s box after the add (it stays in the group)', query: '&groups=1&move=0', full: 0, boxes: ['layer'], read: ['full', 'selection'] },
  { name: 'no duplicate() (area=0) nor move(), layers in a group: nothing before the edit, the whole document after the add', query: '&groups=1&area=0&move=0', full: 1, boxes: [], read: ['full', 'full'] },
  { name: 'a duplicate without the selection (dupsel=0; the Read\'s mask made steps in the document): nothing before the edit, nothing after the add', query: '&dupsel=0', full: 0, boxes: [], read: ['full', 'selection'] },
])('Photopea simulator, exports per Smart Drag', (c) => {
  test(c.name, async () => {
    const ctx = await browser.newContext({ viewport: { width: 1120, height: 800 } });
    try {
      const { page, frame } = await openSimulator(ctx, c.query);
      // The panel's own read at start (the document, then the selection) ends first: on a loaded
      // machine it was still running when the selection below was set, and its selection export
      // was counted with the Read's (a fresh-clone CI failed once with one export too many).
      await frame.waitForFunction(() => !(window as any).smartdrag.panel.reading);
      const selection = rasterizePolygon(theCase.regions[0]!.polygon as Point[]);
      await page.evaluate((m) => (window as any).sim.setSelection(m), { ...selection, data: Array.from(selection.data) });
      const atRead = await page.evaluate(() => (window as any).sim.exports.length as number);
      await frame.click('[data-testid=read]');
      await frame.waitForFunction(() => /selection/.test(document.querySelector('[data-testid=info]')!.textContent!));
      const drag = theCase.drags[0]!;
      await dragOnEditor(page, frame, drag.points[0] as Point, drag.points[1] as Point);
      await frame.selectOption('[data-testid=kind]', 'translate');
      const before = await page.evaluate(() => (window as any).sim.exports.length as number);
      await frame.click('[data-testid=apply]');
      await frame.waitForSelector('[data-testid=message][data-result]', { timeout: 90000 });
      await frame.waitForFunction(() => !(window as any).smartdrag.panel.reading);
      expect(await frame.getAttribute('[data-testid=message]', 'data-result')).toBe('ok');
      const sim = await page.evaluate(([n, m]) => {
        const s = (window as any).sim;
        return {
          exports: s.exports.slice(n).map((e: any) => [e.width, e.height]), docs: s.docs.length, layers: s.layerInfo(),
          readExports: s.exports.slice(m, n).map((e: any) => [e.width, e.height]),
          violations: s.violations, errors: s.errors,
        };
      }, [before, atRead] as const);
      expect({ violations: sim.violations, errors: sim.errors, docs: sim.docs }).toEqual({ violations: [], errors: [], docs: 1 });
      expect(sim.layers.some((l: any) => l.name.startsWith('__smartdrag_tmp'))).toBe(false);
      // The selection's box (of its covered pixels) with a 1 px margin, and the added layer's box.
      let x0 = Infinity, y0 = Infinity, x1 = -1, y1 = -1;
      for (let y = 0; y < selection.height; y++) for (let x = 0; x < selection.width; x++) {
        if (!selection.data[y * selection.width + x]) continue;
        x0 = Math.min(x0, selection.left + x); x1 = Math.max(x1, selection.left + x);
        y0 = Math.min(y0, selection.top + y); y1 = Math.max(y1, selection.top + y);
      }
      const W = image.width, H = image.height;
      const selBox = [Math.min(W, x1 + 2) - Math.max(0, x0 - 1), Math.min(H, y1 + 2) - Math.max(0, y0 - 1)];
      const lb = sim.layers.find((l: any) => l.name === 'Smart Drag').bounds as number[];
      const layerBox = [lb[2]! - lb[0]!, lb[3]! - lb[1]!];
      const want = [...Array(c.full).fill([W, H]), ...c.boxes.map((b) => (b === 'selection' ? selBox : layerBox))];
      expect(sim.exports).toEqual(want);
      // The Read: the whole document, and the selection's box (+1 px) from a cropped duplicate (the whole document again without one).
      expect(sim.readExports).toEqual(c.read.map((r) => (r === 'full' ? [W, H] : selBox)));
      // The panel's copy of the document (thumbnail, next previews) is what a full read gives now.
      const same = await frame.evaluate(async () => {
        const w = window as any, mine = w.smartdrag.panel.doc.rgba, fresh = (await w.smartdrag.host.readDocument()).rgba;
        if (mine.width !== fresh.width || mine.height !== fresh.height) return 'size';
        let n = 0;
        for (let i = 0; i < mine.data.length; i++) if (mine.data[i] !== fresh.data[i]) n++;
        return n;
      });
      expect(same).toBe(0);
    } finally {
      await ctx.close();
    }
  });
});
