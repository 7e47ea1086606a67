/**
 * The Photopea panel checks, before every preview and Smart Drag, which document is open and
 * whether it changed since the panel read it (one small script, nothing exported:
 * PhotopeaHost.docState): an Undo in Photopea is read before the edit (it had been computed from
 * the panel's old copy and brought the undone edit back), another document of the same size is
 * refused (the arrows drawn on the first had been applied to it), and an unchanged document is
 * not exported again (every Smart Drag had exported the whole document once more).
 */
import sharp from 'sharp';
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import type { Point } from '@smartdrag/shared';
import type { Bridge } from '../../bridge-server/src/server';
import { ensureBuilt, launchChromium, startBridge } from './harness';
import { bytesOf, dragOnEditor, openSimulator, SMARTIES, SQUARE, SQUARE_ARROW } from './pages';

jest.setTimeout(300_000); // generous: the bridge on 2 shared cores; each test takes seconds when idle

let browser: Browser;
let server: { bridge: Bridge; port: number; origin: string };
/** A second photo of the sample's size (another shot of the same camera): the sample darkened. */
let twin: Buffer;
let W = 0, H = 0;

beforeAll(async () => {
  await ensureBuilt();
  const { data, info } = await sharp(SMARTIES).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  W = info.width; H = info.height;
  for (let i = 0; i < data.length; i++) data[i] = Math.round(data[i]! * 0.7);
  twin = await sharp(data, { raw: { width: W, height: H, channels: 3 } }).png().toBuffer();
  [server, browser] = await Promise.all([startBridge(0), launchChromium()]);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.bridge.close();
});

const [FROM, TO] = SQUARE_ARROW;

async function withSimulator(query: string, fn: (page: Page, frame: Frame) => Promise<void>): Promise<void> {
  const ctx: BrowserContext = await browser.newContext({ viewport: { width: 1120, height: 800 } });
  try {
    const { page, frame } = await openSimulator(ctx, server.origin, query, { 'smarties.png': SMARTIES, 'twin.png': twin });
    await idle(frame);
    await fn(page, frame);
  } finally {
    await ctx.close();
  }
}

/** The panel neither reads, checks nor runs a job. */
async function idle(frame: Frame): Promise<void> {
  await frame.waitForFunction(() => { const p = (window as any).smartdrag.panel; return !p.reading && !p.job && !p.checking; }, undefined, { timeout: 120_000, polling: 100 });
}

const message = (frame: Frame) => frame.evaluate(() => {
  const m = document.querySelector('[data-testid=message]')!;
  return { text: m.textContent ?? '', result: m.getAttribute('data-result') };
});
/** Whole-document exports so far (the area exports of the selection and of a result's box are smaller). */
const wholeExports = (page: Page): Promise<number> => page.evaluate(() => {
  const s = (window as any).sim;
  return s.exports.filter((e: any) => e.width === s.doc._w && e.height === s.doc._h).length;
});
const simState = (page: Page) => page.evaluate(() => { const s = (window as any).sim; return { violations: s.violations as string[], errors: s.errors as string[] }; });
const layerNames = (page: Page, doc?: string): Promise<string[]> => page.evaluate((d) => (window as any).sim.layerInfo(d).map((l: any) => l.name), doc);

/** Whether the panel's copy of the document is, pixel for pixel, what the active document shows now. */
async function copyIsDocument(page: Page, frame: Frame): Promise<{ differing: number }> {
  const doc = await bytesOf(page, 'window.sim.doc._composite()');
  const copy = await bytesOf(frame, 'window.smartdrag.panel.doc.rgba.data');
  let differing = 0;
  for (let i = 0; i < doc.length; i += 4) if (doc[i] !== copy[i] || doc[i + 1] !== copy[i + 1] || doc[i + 2] !== copy[i + 2] || doc[i + 3] !== copy[i + 3]) differing++;
  return { differing: doc.length === copy.length ? differing : -1 };
}

async function run(frame: Frame, what: 'apply' | 'preview'): Promise<{ text: string; result: string | null }> {
  await frame.evaluate(() => { const m = document.querySelector('[data-testid=message]')!; m.textContent = ''; m.removeAttribute('data-result'); });
  await frame.click(`[data-testid=${what}]`);
  await frame.waitForFunction((w) => {
    const m = document.querySelector('[data-testid=message]')!;
    return m.hasAttribute('data-result') || (w === 'preview' && /^Preview:/.test(m.textContent ?? ''));
  }, what, { timeout: 120_000, polling: 100 });
  await idle(frame);
  return message(frame);
}

/** Select the square in "Photopea", Read, draw the arrow (translate). */
async function selectReadDraw(page: Page, frame: Frame, from = FROM, to = TO): Promise<void> {
  await page.evaluate((m) => (window as any).sim.setSelection(m), SQUARE);
  await frame.click('[data-testid=read]');
  await idle(frame);
  expect(await frame.textContent('[data-testid=info]')).toMatch(/selection/);
  await dragOnEditor(page, frame, from, to);
  await frame.selectOption('[data-testid=kind]', 'translate');
}

/** A lassoed region (a 60×60 square at `at`) in the panel, as the lasso tool makes. */
async function lasso(frame: Frame, at: Point): Promise<void> {
  await frame.evaluate((p) => {
    const panel = (window as any).smartdrag.panel;
    panel.editor.setRegions([{ id: 'l1', mask: { left: p[0] - 30, top: p[1] - 30, width: 60, height: 60, data: new Uint8Array(3600).fill(255) }, source: 'lasso' }]);
  }, at);
}

for (const hist of ['', '&hist=0']) {
  test(`after an Undo in Photopea, a Smart Drag with a lassoed region reads the document again and says so — it is not made from the panel's old copy, which still showed the undone edit (${hist ? 'no historyStates: by the layers' : 'historyStates'})`, async () => {
    await withSimulator(hist, async (page, frame) => {
      await selectReadDraw(page, frame);
      expect((await run(frame, 'apply')).result).toBe('ok');
      expect(await layerNames(page)).toEqual(['Smart Drag', 'Background']);
      // Edit ▸ Undo twice (the rename, the paste) and Select ▸ Deselect's worth: the selection's step too.
      const undone = await page.evaluate(() => { const s = (window as any).sim; return [s.undo(), s.undo(), s.undo()]; });
      expect(undone).toEqual(['Rename Layer', 'Place', 'Marquee']);
      expect(await layerNames(page)).toEqual(['Background']);
      // The panel's thumbnail still shows the square moved (and its old place filled): the user
      // lassoes that place and drags it down.
      expect((await copyIsDocument(page, frame)).differing).toBeGreaterThan(0);
      await lasso(frame, FROM);
      await dragOnEditor(page, frame, FROM, [180, 240]);
      const before = await wholeExports(page);
      const m = await run(frame, 'apply');
      expect(m).toEqual({ result: 'ok', text: expect.stringMatching(/^Added layer "Smart Drag".*The document changed since it was read \(an Undo\?\): Smart Drag used it as it is now/) });
      expect(await wholeExports(page)).toBe(before + 1);
      // The edit was made from the document as it is: the panel's copy (updated with the new layer) is it.
      expect(await copyIsDocument(page, frame)).toEqual({ differing: 0 });
      expect(await layerNames(page)).toEqual(['Smart Drag', 'Background']);
      expect(await simState(page)).toEqual({ violations: [], errors: [] });
    });
  });
}

test('a preview after a brush stroke inside the photo\'s bounds (seen in historyStates), and after its Undo, is made from the document as it is now', async () => {
  await withSimulator('', async (page, frame) => {
    await selectReadDraw(page, frame);
    // A brush stroke on the Background: no layer's bounds change, its history does.
    await page.evaluate(() => (window as any).sim.paint({ left: 20, top: 20, width: 30, height: 30 }, [0, 0, 255]));
    expect((await copyIsDocument(page, frame)).differing).toBe(900);
    let m = await run(frame, 'preview');
    expect(m.text).toMatch(/^Preview: .*The document changed since it was read \(an Undo\?\): the preview used it as it is now\.$/);
    expect(await copyIsDocument(page, frame)).toEqual({ differing: 0 });
    // Edit ▸ Undo of the stroke.
    expect(await page.evaluate(() => (window as any).sim.undo())).toBe('Brush Tool');
    expect((await copyIsDocument(page, frame)).differing).toBe(900);
    m = await run(frame, 'preview');
    expect(m.text).toMatch(/^Preview: .*The document changed since it was read/);
    expect(await copyIsDocument(page, frame)).toEqual({ differing: 0 });
    expect(await simState(page)).toEqual({ violations: [], errors: [] });
  });
});

test('another document of the same size active in Photopea: Smart Drag and Preview are refused, naming both (nothing added to either); Read there starts over without the first one\'s arrows; back on the first, Smart Drag works', async () => {
  await withSimulator('', async (page, frame) => {
    await selectReadDraw(page, frame);
    // The user switches to another photo of the same size, with its own selection.
    await page.evaluate(() => (window as any).sim.openDocument('twin.png'));
    await page.evaluate(() => (window as any).sim.setSelection({ left: 40, top: 40, width: 80, height: 80, data: new Array(6400).fill(255) }));
    let m = await run(frame, 'apply');
    expect(m).toEqual({ result: 'document_changed', text: expect.stringMatching(/"smarties\.png".*"twin\.png".* — Nothing was added\. Switch back to "smarties\.png"/) });
    m = await run(frame, 'preview');
    expect(m).toEqual({ result: 'document_changed', text: expect.stringMatching(/"smarties\.png".*"twin\.png".* — Nothing was previewed\./) });
    expect(await page.evaluate(() => (window as any).sim.pastes.length)).toBe(0);
    expect(await layerNames(page, 'twin.png')).toEqual(['Background']);
    expect(await layerNames(page, 'smarties.png')).toEqual(['Background']);
    // The arrow is still there for the first document.
    expect(await frame.evaluate(() => (window as any).smartdrag.panel.editor.arrows.length)).toBe(1);
    // Back on the first document: the Smart Drag goes there, as drawn.
    await page.evaluate(() => (window as any).sim.activate('smarties.png'));
    m = await run(frame, 'apply');
    expect(m.result).toBe('ok');
    expect(await layerNames(page, 'smarties.png')).toEqual(['Smart Drag', 'Background']);
    expect(await layerNames(page, 'twin.png')).toEqual(['Background']);
    // Read on the other one: the first one's arrows and lassos do not carry over to it.
    await dragOnEditor(page, frame, FROM, TO);
    await lasso(frame, FROM);
    await page.evaluate(() => (window as any).sim.activate('twin.png'));
    await frame.click('[data-testid=read]');
    await idle(frame);
    const ed = await frame.evaluate(() => { const e = (window as any).smartdrag.panel.editor; return { arrows: e.arrows.length, regions: e.regions.map((r: any) => r.source) }; });
    expect(ed).toEqual({ arrows: 0, regions: ['selection'] });
    expect(await simState(page)).toEqual({ violations: [], errors: [] });
  });
});

test('Read, then Smart Drag with nothing changed exports the whole document once (the Read\'s), and a second Smart Drag after the first none again', async () => {
  await withSimulator('', async (page, frame) => {
    const start = await wholeExports(page);
    await selectReadDraw(page, frame);
    expect(await wholeExports(page)).toBe(start + 1);
    expect((await run(frame, 'apply')).result).toBe('ok');
    expect(await wholeExports(page)).toBe(start + 1);
    // The selection is still there; a second arrow, a second Smart Drag: the copy took in the first layer.
    await dragOnEditor(page, frame, FROM, [200, 250]);
    expect((await run(frame, 'apply')).result).toBe('ok');
    expect(await wholeExports(page)).toBe(start + 1);
    expect(await copyIsDocument(page, frame)).toEqual({ differing: 0 });
    expect(await layerNames(page)).toEqual(['Smart Drag', 'Smart Drag', 'Background']);
    expect(await simState(page)).toEqual({ violations: [], errors: [] });
  });
});
