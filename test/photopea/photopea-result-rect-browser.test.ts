/**
 * The Photopea page takes a Smart Drag's result into its copy of the document and its thumbnail
 * in the added layer's box only (a 48 MP copy's 192 MB had been copied whole, and the whole
 * thumbnail made again, for each result): in the Photopea simulator, after a Smart Drag, the
 * panel's copy is byte for byte a fresh read of the whole document, written into the same memory
 * (a new array over it), the editor is told only the layer's box (updateDocument, no setDocument),
 * and what the view shows is what a thumbnail made afresh from a full read shows. For a plain top
 * layer (the panel composites it) and for a layer inside a group (the box read back with
 * readArea), on a document drawn as a whole canvas and on one large enough for the area-averaged
 * thumbnail.
 */
import sharp from 'sharp';
import type { Browser, Frame } from 'playwright-core';
import { rasterizePolygon, type Point } from '@smartdrag/shared';
import type { Bridge } from '../../bridge-server/src/server';
import { ensureBuilt, launchChromium, startBridge } from './harness';
import { CANDY, CANDY_DRAG, dragOnEditor, hashOf, openSimulator, SMARTIES } from './pages';

jest.setTimeout(240_000);

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

const idle = (frame: Frame) => frame.waitForFunction(() => { const p = (window as any).smartdrag.panel; return p.editor.documentSize.width > 0 && !p.reading && !p.job && !p.editor.drawing; }, undefined, { timeout: 120000, polling: 50 });

/** SHA-256 of what the editor's canvas shows. */
const viewHash = (frame: Frame) => hashOf(frame as any, `(() => { const c = document.querySelector('canvas.sd-editor'); return c.getContext('2d').getImageData(0, 0, c.width, c.height).data; })()`);

describe.each([
  { name: 'the sample (413×356: the whole document in a canvas), a plain top layer (composited by the panel)', k: 1, query: '', thumb: false },
  { name: 'the sample (413×356), the layer inside a group (its box read back)', k: 1, query: '&groups=1&move=0', thumb: false },
  { name: 'the sample at 3× (1239×1068: an area-averaged thumbnail), a plain top layer', k: 3, query: '', thumb: true },
  { name: 'the sample at 3×, the layer inside a group (its box read back)', k: 3, query: '&groups=1&move=0', thumb: true },
])('Photopea: a Smart Drag\'s result updates the panel\'s copy and thumbnail in the layer\'s box only', (c) => {
  test(c.name, async () => {
    const ctx = await browser.newContext({ viewport: { width: 1120, height: 800 } });
    try {
      const W = 413 * c.k, H = 356 * c.k;
      const docs: Record<string, Buffer> = c.k === 1 ? {} : { 'big.png': await sharp(SMARTIES).resize(W, H, { fit: 'fill', kernel: 'nearest' }).png().toBuffer() };
      const { page, frame } = await openSimulator(ctx, server.origin, c.query, docs);
      await idle(frame);
      const scale = (p: Point): Point => [p[0] * c.k, p[1] * c.k];
      const selection = rasterizePolygon(CANDY.map(scale));
      await page.evaluate((m) => (window as any).sim.setSelection(m), { ...selection, data: Array.from(selection.data) });
      await frame.click('[data-testid=read]');
      await frame.waitForFunction(() => /selection/.test(document.querySelector('[data-testid=info]')!.textContent!));
      await idle(frame);
      expect(await frame.evaluate(() => (window as any).smartdrag.panel.editor.thumb !== null)).toBe(c.thumb);
      await frame.selectOption('[data-testid=kind]', 'translate');
      await dragOnEditor(page, frame, scale(CANDY_DRAG[0]!), scale(CANDY_DRAG[1]!));
      // From here: the editor's setDocument and updateDocument calls, and the copy's memory.
      await frame.evaluate(() => {
        const w = window as any, ed = w.smartdrag.panel.editor, set = ed.setDocument.bind(ed), upd = ed.updateDocument.bind(ed);
        w.__calls = [];
        ed.setDocument = (img: any) => { w.__calls.push(['setDocument']); set(img); };
        ed.updateDocument = (img: any, r: any) => { w.__calls.push(['updateDocument', r.left, r.top, r.width, r.height]); upd(img, r); };
        w.__before = w.smartdrag.panel.doc.rgba.data;
      });
      await frame.click('[data-testid=apply]');
      await frame.waitForSelector('[data-testid=message][data-result]', { timeout: 120000 });
      await idle(frame);
      expect(await frame.getAttribute('[data-testid=message]', 'data-result')).toBe('ok');
      const sim = await page.evaluate(() => { const s = (window as any).sim; return { layers: s.layerInfo(), violations: s.violations, errors: s.errors }; });
      expect({ violations: sim.violations, errors: sim.errors }).toEqual({ violations: [], errors: [] });
      const b = sim.layers.find((l: any) => l.name === 'Smart Drag').bounds as number[];
      const box = [Math.max(0, b[0]!), Math.max(0, b[1]!), Math.min(W, b[2]!), Math.min(H, b[3]!)];
      const got = await frame.evaluate(async () => {
        const w = window as any, panel = w.smartdrag.panel, mine = panel.doc.rgba, fresh = (await w.smartdrag.host.readDocument()).rgba;
        let differ = 0;
        if (mine.width !== fresh.width || mine.height !== fresh.height) differ = -1;
        else for (let i = 0; i < mine.data.length; i++) if (mine.data[i] !== fresh.data[i]) differ++;
        w.__fresh = fresh;
        return { differ, calls: w.__calls, sameMemory: mine.data.buffer === w.__before.buffer, newArray: mine.data !== w.__before };
      });
      // The copy is what a full read gives, written in place; only the layer's box told to the editor.
      expect(got).toEqual({ differ: 0, calls: [['updateDocument', box[0], box[1], box[2]! - box[0]!, box[3]! - box[1]!]], sameMemory: true, newArray: true });
      // The view as a thumbnail made afresh from the full read shows it (the selection's tint over both).
      const shown = await viewHash(frame);
      await frame.evaluate(() => { const w = window as any; w.smartdrag.panel.editor.setDocument(w.__fresh); });
      await idle(frame);
      expect(await viewHash(frame)).toBe(shown);
    } finally {
      await ctx.close();
    }
  });
});
