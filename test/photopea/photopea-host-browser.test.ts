/**
 * The Photopea host adapter against the simulator in what a real session throws at it: Photopea
 * busy (a script that runs after the plugin gave up on it), a slow paste, a layer the user adds
 * while the result is being pasted, layers above the photo, the active layer inside a hidden group,
 * pen paths (curves, the Work Path and saved paths, rulers in cm), and the history one Smart Drag
 * leaves. The rules: the user's layers are never modified, a failed edit leaves the document as it
 * was, the result looks like the edit that was previewed, and one Smart Drag is as few history
 * steps as Photopea allows (HOSTS.md §2.2–2.5).
 */
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import type { Point } from '@smartdrag/shared';
import type { Bridge } from '../../bridge-server/src/server';
import { pathsToArrows, type Subpath } from '@smartdrag/shared';
import { ensureBuilt, launchChromium, startBridge } from './harness';
import { dragOnEditor, openSimulator, SQUARE, SQUARE_ARROW } from './pages';

jest.setTimeout(150_000);

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

const [FROM, TO] = SQUARE_ARROW;

interface LayerRow { name: string; visible: boolean; group: string | null; bounds: number[]; active: boolean }

async function withSimulator(query: string, fn: (page: Page, frame: Frame) => Promise<void>): Promise<void> {
  const ctx: BrowserContext = await browser.newContext({ viewport: { width: 1120, height: 800 } });
  try {
    const { page, frame } = await openSimulator(ctx, server.origin, query);
    await idle(frame);
    await fn(page, frame);
  } finally {
    await ctx.close();
  }
}

/** The panel neither reads nor runs a job. */
async function idle(frame: Frame): Promise<void> {
  await frame.waitForFunction(() => { const p = (window as any).smartdrag.panel; return !p.reading && !p.job; }, undefined, { timeout: 120_000, polling: 100 });
}

const layers = (page: Page): Promise<LayerRow[]> => page.evaluate(() => (window as any).sim.layerInfo());
const names = async (page: Page): Promise<string[]> => (await layers(page)).map((l) => l.name);
const simState = (page: Page) => page.evaluate(() => { const s = (window as any).sim; return { violations: s.violations as string[], errors: s.errors as string[], docs: s.docs.length as number }; });
const history = (page: Page): Promise<string[]> => page.evaluate(() => (window as any).sim.history());

/** Shorten the adapter's waits (where it has them) so a test need not wait for the real ones. */
async function setTiming(frame: Frame, t: Record<string, number>): Promise<void> {
  await frame.evaluate((tt) => { const h = (window as any).smartdrag.host; if (h.timing) Object.assign(h.timing, tt); }, t);
}

/** Select the square in "Photopea", Read, draw the arrow. */
async function selectReadDraw(page: Page, frame: Frame): Promise<void> {
  await page.evaluate((m) => (window as any).sim.setSelection(m), SQUARE);
  await frame.click('[data-testid=read]');
  await idle(frame);
  expect(await frame.textContent('[data-testid=info]')).toMatch(/selection/);
  await dragOnEditor(page, frame, FROM, TO);
  await frame.selectOption('[data-testid=kind]', 'translate');
}

/** Smart Drag; resolves with the panel's result code once it is idle again. */
async function apply(frame: Frame): Promise<string | null> {
  await frame.click('[data-testid=apply]');
  await frame.waitForSelector('[data-testid=message][data-result]', { timeout: 120_000 });
  await idle(frame);
  return frame.getAttribute('[data-testid=message]', 'data-result');
}

/** The largest difference between what the document shows and the "Smart Drag" layer's own pixels, where that layer is opaque. */
const shownVsLayer = (page: Page) => page.evaluate(() => {
  const find = (c: any): any => { for (const L of c.layers) { if (L.name === 'Smart Drag') return L; if (L.layers) { const f = find(L); if (f) return f; } } return null; };
  const d = (window as any).sim.doc, L = find(d), c = d._composite();
  let n = 0, max = 0;
  for (let i = 0; i < d._w * d._h; i++) {
    if (L.pixels[i * 4 + 3] !== 255) continue;
    n++;
    for (let k = 0; k < 3; k++) max = Math.max(max, Math.abs(c[i * 4 + k] - L.pixels[i * 4 + k]));
  }
  return { n, max };
});

test('Photopea busy when the selection is read: its script runs after the read gave up, and the document is as it was (layers, visibility, active layer); the next Read works', async () => {
  await withSimulator('', async (page, frame) => {
    await page.evaluate((m) => {
      const s = (window as any).sim, d = s.doc;
      d.artLayers.add().name = 'Retouch';
      const old = d.artLayers.add(); old.name = 'Old'; old.visible = false;
      d.activeLayer = d.layers.find((l: any) => l.name === 'Retouch');
      s.setSelection(m);
    }, SQUARE);
    const before = await layers(page);
    await setTiming(frame, { scriptMs: 2000, perMpMs: 0 });
    // Photopea is busy for 11 s (over the client's own 10 s) when the selection's script arrives.
    await page.evaluate(() => (window as any).sim.stallNext('__smartdrag_tmp_mask', 11_000));
    await frame.click('[data-testid=read]');
    await idle(frame);
    expect(await frame.textContent('[data-testid=message]')).toMatch(/did not send/);
    // The script runs late; give the plugin time to see it land.
    await page.waitForFunction(() => { const s = (window as any).sim; return s.stalls.length === 0 && !s.busy; }, undefined, { timeout: 30_000 });
    await page.waitForTimeout(1500);
    expect(await layers(page)).toEqual(before);
    expect((await simState(page)).docs).toBe(1);
    // Read again: the selection, and still the same document.
    await frame.click('[data-testid=read]');
    await idle(frame);
    expect(await frame.textContent('[data-testid=info]')).toMatch(/selection/);
    expect(await layers(page)).toEqual(before);
    expect(await simState(page)).toEqual({ violations: [], errors: [], docs: 1 });
  });
});

test('a layer above the photo (black at 50 % opacity), the photo active: the result goes on top, and the document shows the edit\'s own pixels (not darkened twice)', async () => {
  await withSimulator('', async (page, frame) => {
    await page.evaluate(() => {
      const d = (window as any).sim.doc, bg = d.activeLayer, o = d.artLayers.add();
      o.name = 'Darken 50%'; o.opacity = 50;
      for (let i = 0; i < d._w * d._h; i++) o.pixels[i * 4 + 3] = 255;
      d.activeLayer = bg; d._changed();
    });
    await selectReadDraw(page, frame);
    expect(await apply(frame)).toBe('ok');
    expect(await names(page)).toEqual(['Smart Drag', 'Darken 50%', 'Background']);
    const shown = await shownVsLayer(page);
    expect(shown.n).toBeGreaterThan(1000);
    expect(shown.max).toBe(0);
    expect(await simState(page)).toEqual({ violations: [], errors: [], docs: 1 });
  });
});

test('a layer the user adds (Ctrl+J) while the result is being pasted is left alone: not moved, not renamed', async () => {
  await withSimulator('', async (page, frame) => {
    await selectReadDraw(page, frame);
    await page.evaluate(() => { (window as any).sim.pasteDelayMs = 3000; });
    await frame.click('[data-testid=apply]');
    await page.waitForFunction(() => (window as any).sim.scripts.some((s: string) => s.indexOf('app.open(') >= 0), undefined, { timeout: 120_000 });
    await page.waitForTimeout(500);
    await page.evaluate(() => {
      const d = (window as any).sim.doc, bg = d.layers[d.layers.length - 1], L = d.artLayers.add();
      L.name = 'My copy';
      for (let y = 20; y < 120; y++) for (let x = 20; x < 120; x++) { const i = (y * d._w + x) * 4; for (let c = 0; c < 4; c++) L.pixels[i + c] = bg.pixels[i + c]; }
      d._changed();
    });
    await frame.waitForSelector('[data-testid=message][data-result]', { timeout: 120_000 });
    await idle(frame);
    expect(await frame.getAttribute('[data-testid=message]', 'data-result')).toBe('ok');
    const after = await layers(page);
    expect(after.map((l) => l.name)).toEqual(['Smart Drag', 'My copy', 'Background']);
    expect(after[1]!.bounds).toEqual([20, 20, 120, 120]);
    expect(await simState(page)).toEqual({ violations: [], errors: [], docs: 1 });
  });
});

test('a paste slower than the adapter waits: the failure is reported, and the layer that lands after it is removed', async () => {
  await withSimulator('', async (page, frame) => {
    await selectReadDraw(page, frame);
    await setTiming(frame, { openMs: 2000, perMpMs: 0, latePollMs: 200 });
    await page.evaluate(() => { (window as any).sim.pasteDelayMs = 17_000; }); // over the old fixed 15 s
    expect(await apply(frame)).toBe('layer_placement_failed');
    await page.waitForFunction(() => (window as any).sim.pastes.length === 1, undefined, { timeout: 30_000 });
    await page.waitForFunction(() => (window as any).sim.layerInfo().length === 1, undefined, { timeout: 10_000 }).catch(() => undefined);
    expect(await names(page)).toEqual(['Background']);
    expect(await simState(page)).toEqual({ violations: [], errors: [], docs: 1 });
  });
});

describe.each([
  { query: '', want: ['Smart Drag', 'Variants', 'Variant A', 'Background'], how: 'moved to the top' },
  { query: '&move=0', want: ['Variants', 'Variant A', 'Smart Drag', 'Background'], how: 'pasted above the top-level Background (no move())' },
])('the active layer inside a hidden group', (c) => {
  test(`the result is a visible top-level layer (${c.how}), not hidden in the group`, async () => {
    await withSimulator(c.query, async (page, frame) => {
      await page.evaluate(() => {
        const s = (window as any).sim, d = s.doc;
        d.artLayers.add().name = 'Variant A';
        s.makeGroup('Variants', ['Variant A'], false);
        d.activeLayer = d.layers[0].layers[0];
      });
      await selectReadDraw(page, frame);
      expect(await apply(frame)).toBe('ok');
      const after = await layers(page);
      expect(after.map((l) => l.name)).toEqual(c.want);
      const mine = after.find((l) => l.name === 'Smart Drag')!;
      expect({ group: mine.group, visible: mine.visible }).toEqual({ group: null, visible: true });
      expect(after.find((l) => l.name === 'Variants')!.visible).toBe(false);
      expect((await shownVsLayer(page)).max).toBe(0);
      expect(await simState(page)).toEqual({ violations: [], errors: [], docs: 1 });
    });
  });
});

/** A quarter arc drawn as one curved segment, handle (180,180) → target (260,260), and a closed shape. */
const WORK: Subpath[] = [
  { closed: false, points: [{ anchor: [180, 180], forward: [224, 180] }, { anchor: [260, 260], backward: [260, 216] }] },
  { closed: true, points: [{ anchor: [10, 10] }, { anchor: [40, 10] }, { anchor: [40, 40] }] },
];
const SAVED: Subpath[] = [{ closed: false, points: [{ anchor: [30, 300] }, { anchor: [90, 300] }] }];
const asSpec = (name: string, kind: string, sps: Subpath[]) => ({
  name, kind, subpaths: sps.map((sp) => ({ closed: sp.closed, points: sp.points.map((p) => ({ anchor: p.anchor, left: p.backward, right: p.forward })) })),
});

describe.each([
  { what: 'a saved path and the Work Path (a curve): only the Work Path, along its curve', query: '&paths=1', paths: [asSpec('Path 1', 'NORMALPATH', SAVED), asSpec('Work Path', 'WORKPATH', WORK)], want: pathsToArrows(WORK).arrows },
  { what: 'the same with rulers in cm at 300 ppi', query: '&paths=1&units=cm&res=300', paths: [asSpec('Path 1', 'NORMALPATH', SAVED), asSpec('Work Path', 'WORKPATH', WORK)], want: pathsToArrows(WORK).arrows },
  { what: 'saved paths only (no Work Path): each open one, as the Photoshop plugin does; a clipping path never', query: '&paths=1', paths: [asSpec('Path 1', 'NORMALPATH', SAVED), asSpec('Path 2', 'NORMALPATH', WORK), asSpec('Clip', 'CLIPPINGPATH', SAVED)], want: pathsToArrows([...SAVED, ...WORK]).arrows },
])('pen paths as arrows', (c) => {
  test(c.what, async () => {
    await withSimulator(c.query, async (page, frame) => {
      await page.evaluate((ps) => { const s = (window as any).sim; for (const p of ps) s.addPath(p); }, c.paths);
      await frame.click('[data-testid=read]');
      await idle(frame);
      const arrows = await frame.evaluate(() => (window as any).smartdrag.panel.editor.arrows.map((a: { points: Point[] }) => a.points) as Point[][]);
      expect(arrows.length).toBe(c.want.length);
      arrows.forEach((a, i) => {
        expect(a.length).toBe(c.want[i]!.length);
        a.forEach((p, k) => { expect(p[0]).toBeCloseTo(c.want[i]![k]![0], 2); expect(p[1]).toBeCloseTo(c.want[i]![k]![1], 2); });
      });
    });
  });
});

test('history: on a 15-layer document, reading the selection leaves no step in the document, and a whole Smart Drag two (the paste and its name)', async () => {
  await withSimulator('', async (page, frame) => {
    await page.evaluate(() => {
      const d = (window as any).sim.doc;
      for (let i = 0; i < 14; i++) { const L = d.artLayers.add(); L.name = 'Retouch ' + (i + 1); if (i % 3 === 0) L.visible = false; }
    });
    const before = await layers(page);
    const h0 = (await history(page)).length;
    await selectReadDraw(page, frame);
    // The user's marquee is a step; reading it makes none.
    expect((await history(page)).slice(h0)).toEqual(['Marquee']);
    expect(await layers(page)).toEqual(before);
    expect(await apply(frame)).toBe('ok');
    expect((await history(page)).slice(h0)).toEqual(['Marquee', 'Place', 'Rename Layer']);
    expect((await names(page)).slice(1)).toEqual(before.map((l) => l.name));
    expect(await simState(page)).toEqual({ violations: [], errors: [], docs: 1 });
  });
});

test('a duplicate without the selection (dupsel=0): the mask is made in the document itself and undone by the same script — every layer\'s visibility and the active layer as they were', async () => {
  await withSimulator('&dupsel=0', async (page, frame) => {
    await page.evaluate(() => {
      const s = (window as any).sim, d = s.doc;
      for (let i = 0; i < 5; i++) { const L = d.artLayers.add(); L.name = 'Retouch ' + (i + 1); if (i % 2 === 0) L.visible = false; }
      d.artLayers.add().name = 'In group';
      s.makeGroup('Group', ['In group'], true);
      d.activeLayer = d.layers.find((l: any) => l.name === 'Retouch 2');
    });
    const before = await layers(page);
    const h0 = (await history(page)).length;
    await selectReadDraw(page, frame);
    expect(await layers(page)).toEqual(before);
    // What remains in the history for this fallback: the mask layer, its fill, the layers hidden and shown again, its removal.
    const steps = (await history(page)).slice(h0 + 1); // after the user's marquee
    expect(steps[0]).toBe('New Layer');
    expect(steps).toContain('Delete Layer');
    expect(await simState(page)).toEqual({ violations: [], errors: [], docs: 1 });
  });
});
