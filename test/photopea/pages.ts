/**
 * Page helpers of the Photopea and playground browser tests: drawing on the panel's arrow editor
 * with the real mouse, and opening the plugin inside the Photopea simulator (served as
 * https://www.photopea.com by request interception).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { BrowserContext, BrowserContextOptions, Download, Frame, Page } from 'playwright-core';
import type { Point } from '@smartdrag/shared';
import { parseDragCase } from '../../bridge-server/src/core/case';
import { ROOT, type BrowserTestEnv } from './harness';

const SIM_DIR = join(__dirname, 'simulator');
/** The bundled sample photo (413×356), the simulator's default document. */
export const SMARTIES = readFileSync(join(ROOT, 'test', 'fixtures', 'photos', 'smarties.png'));

/** Drag on the arrow editor from one document point to another (view = doc × scale). */
export async function dragOnEditor(page: Page, frame: Frame | Page, from: Point, to: Point, steps = 12): Promise<void> {
  // Page coordinates of the canvas: the iframe's content box (inside its border) + the canvas rect.
  const offset = frame === page ? [0, 0] : await page.evaluate(() => {
    const f = document.getElementById('plugin')!;
    const r = f.getBoundingClientRect();
    return [r.left + f.clientLeft, r.top + f.clientTop];
  });
  const { left, top, scale } = await frame.evaluate(() => {
    const r = document.querySelector('canvas.sd-editor')!.getBoundingClientRect();
    return { left: r.left, top: r.top, scale: (window as any).smartdrag.panel.editor.scale as number };
  });
  const at = (p: Point): [number, number] => [offset[0]! + left + p[0] * scale, offset[1]! + top + p[1] * scale];
  await page.mouse.move(...at(from));
  await page.mouse.down();
  for (let i = 1; i <= steps; i++) {
    await page.mouse.move(...at([from[0] + ((to[0] - from[0]) * i) / steps, from[1] + ((to[1] - from[1]) * i) / steps]));
  }
  await page.mouse.up();
}

/** With the lasso tool active on a page-level panel (the playground), lasso `poly` (document points) with the real mouse; wait until there are `regions` regions. */
export async function lassoOnPage(page: Page, poly: Point[], regions = 1): Promise<void> {
  const box = (await page.locator('canvas.sd-editor').boundingBox())!;
  const scale = await page.evaluate(() => (window as any).smartdrag.panel.editor.scale as number);
  const at = (p: Point): [number, number] => [box.x + p[0] * scale, box.y + p[1] * scale];
  await page.mouse.move(...at(poly[0]!));
  await page.mouse.down();
  for (const p of [...poly.slice(1), poly[0]!]) await page.mouse.move(...at(p), { steps: 2 });
  await page.mouse.up();
  await page.waitForFunction((n) => (window as any).smartdrag.panel.editor.regions.length === n, regions);
}

/** UPNG.js (Photopea's PNG engine) and its zlib, loaded into the simulator page. */
const SIM_LIBS: Record<string, string> = {
  'UPNG.js': require.resolve('upng-js/UPNG.js'),
  'pako.min.js': require.resolve('pako/dist/pako.min.js'),
};

/**
 * The simulator with the plugin page of the bridge at `origin` in its iframe, connected. `docs`:
 * PNG files served next to the simulator (the first is the open document; default the sample).
 */
export async function openSimulator(ctx: BrowserContext, origin: string, query = '', docs: Record<string, Buffer> = {}): Promise<{ page: Page; frame: Frame }> {
  await ctx.route('https://www.photopea.com/**', async (route) => {
    const url = new URL(route.request().url());
    const name = url.pathname.replace(/^\/sim\//, '');
    if (name === 'smarties.png') return route.fulfill({ body: SMARTIES, contentType: 'image/png' });
    if (docs[name]) return route.fulfill({ body: docs[name], contentType: 'image/png' });
    if (SIM_LIBS[name]) return route.fulfill({ body: readFileSync(SIM_LIBS[name]!), contentType: 'text/javascript' });
    if (name === 'index.html' || name === 'simulator.js') {
      return route.fulfill({ body: readFileSync(join(SIM_DIR, name)), contentType: name.endsWith('.js') ? 'text/javascript' : 'text/html' });
    }
    return route.fulfill({ status: 404, body: 'not found' });
  });
  const page = await ctx.newPage();
  const pluginUrl = `${origin}/photopea/`;
  const doc = Object.keys(docs)[0] ?? 'smarties.png';
  await page.goto(`https://www.photopea.com/sim/index.html?plugin=${encodeURIComponent(pluginUrl)}&doc=${doc}${query}`);
  await page.waitForFunction(() => (window as any).sim?.ready === true, undefined, { timeout: 30000 });
  const frame = page.frames().find((f) => f.url().startsWith(pluginUrl));
  if (!frame) throw new Error(`plugin frame not found; frames: ${page.frames().map((f) => f.url()).join(', ')}`);
  await frame.waitForSelector('[data-testid=status][data-state=connected]', { timeout: 30000 });
  return { page, frame };
}

/**
 * Make every page of `ctx` able to hold what it sends on its WebSockets: while `window.__held` is
 * an array (set it to `[]`), sends queue there; `window.__release()` sends them in order. A test
 * can so keep a job surely unfinished (its submit not even at the bridge) while the user acts.
 */
export async function holdWebSocketSends(ctx: BrowserContext): Promise<void> {
  await ctx.addInitScript(() => {
    const w = window as any;
    w.__held = null;
    const send = WebSocket.prototype.send;
    WebSocket.prototype.send = function (this: WebSocket, data: any) {
      if (w.__held) w.__held.push([this, data]);
      else send.call(this, data);
    };
    w.__release = () => {
      const q = w.__held as [WebSocket, any][];
      w.__held = null;
      for (const [ws, d] of q) send.call(ws, d);
    };
  });
}

/**
 * An expression's bytes (a Uint8ClampedArray in the page or frame), brought over as one base64
 * string: Playwright serialises a returned array element by element, which for a whole 413×356
 * RGBA document (588,112 numbers) took ~15 s per call on 2 cores.
 * `expr` may give a promise (it is awaited).
 */
export async function bytesOf(where: Page | Frame, expr: string): Promise<Buffer> {
  const b64 = await where.evaluate(`(async () => { const a = await (${expr}); let s = ''; for (let i = 0; i < a.length; i += 0x8000) s += String.fromCharCode.apply(null, a.subarray(i, i + 0x8000)); return btoa(s); })()`);
  return Buffer.from(b64 as string, 'base64');
}

/** A playground page at `origin`, connected to its bridge. */
export async function openPlayground(ctx: BrowserContext, origin: string): Promise<Page> {
  const page = await ctx.newPage();
  await page.goto(`${origin}/`);
  await page.waitForSelector('[data-testid=status][data-state=connected]', { timeout: 30000 });
  return page;
}

/** "other.png", a plain 300×200 PNG (another image for the user to open), written in a new temporary folder named from `prefix`; its path. */
export async function otherPng(prefix: string): Promise<string> {
  const file = join(mkdtempSync(join(tmpdir(), prefix)), 'other.png');
  writeFileSync(file, await sharp({ create: { width: 300, height: 200, channels: 3, background: '#3a6' } }).png().toBuffer());
  return file;
}

/** Open `file` in the playground (Open image…) and wait until a document `width` px wide is shown. */
export async function openFile(page: Page, file: string, width: number): Promise<void> {
  await page.setInputFiles('[data-testid=open-file]', file);
  // Not only the width: a second file of the same width would pass at once, while the toolbar
  // still says "Opening …" (the playground says so from the file's choice until it is shown).
  await page.waitForFunction((w) => (window as any).smartdrag.panel.editor.documentSize.width === w
    && !/^Opening /.test(document.querySelector('[data-testid=toolbar-note]')?.textContent ?? ''), width, { timeout: 60000 });
}

/** Open `file` in a playground page that had none; the document's size once shown (whatever it is). */
export async function openAnyFile(page: Page, file: string): Promise<[number, number]> {
  await page.setInputFiles('[data-testid=open-file]', file);
  await page.waitForFunction(() => (window as any).smartdrag.panel.editor.documentSize.width > 0, undefined, { timeout: 60000 });
  return page.evaluate(() => { const s = (window as any).smartdrag.panel.editor.documentSize; return [s.width, s.height] as [number, number]; });
}

/** Click a download button; the file's bytes, its suggested name, and the toolbar's "Saved" line. */
export async function downloadFile(page: Page, testid: string): Promise<{ bytes: Buffer; name: string; note: string }> {
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 120000 }), page.click(`[data-testid=${testid}]`)]) as [Download, void];
  const bytes = readFileSync((await download.path())!);
  await page.waitForFunction(() => /^Saved /.test(document.querySelector('[data-testid=toolbar-note]')!.textContent ?? ''), undefined, { timeout: 60000 });
  return { bytes, name: download.suggestedFilename(), note: (await page.textContent('[data-testid=toolbar-note]'))! };
}

/** Every preview of the drag settled: none running, pending or waiting for its turn, no read. */
export const previewsSettled = (page: Page): Promise<unknown> => page.waitForFunction(() => {
  const p = (window as any).smartdrag.panel;
  return !p.job && !p.previewPending && !p.previewTimer && !p.reading;
}, undefined, { timeout: 60000 });

/** SHA-256 (hex) of a byte array in the page, which `expr` gives (or a promise of it): 48 M numbers are not worth sending over. */
export const hashOf = (page: Page, expr: string): Promise<string> => page.evaluate(`(async () => {
  const d = await (${expr});
  return Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', d)), (b) => b.toString(16).padStart(2, '0')).join('');
})()`) as Promise<string>;

/** SHA-256 of the playground's open document (its RGBA bytes). */
export const docHash = (page: Page): Promise<string> => hashOf(page, 'window.smartdrag.host.readDocument().then((d) => d.rgba.data)');

/** The playground document's RGBA at (x, y). */
export const pixelAt = (page: Page, x: number, y: number): Promise<number[]> => page.evaluate(async ([px, py]) => {
  const doc = (await (window as any).smartdrag.host.readDocument()).rgba;
  return Array.from((doc.data as Uint8ClampedArray).slice((py! * doc.width + px!) * 4, (py! * doc.width + px!) * 4 + 4));
}, [x, y]);

/** The bundled case smarties-move-red: the red candy's polygon and the arrow that moves it. */
const SMARTIES_MOVE_RED = parseDragCase(JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'cases', 'smarties-move-red.json'), 'utf8')));
export const CANDY = SMARTIES_MOVE_RED.regions[0]!.polygon as Point[];
export const CANDY_DRAG = SMARTIES_MOVE_RED.drags[0]!.points as Point[];

/** {@link openPlayground}, with the page's uncaught errors collected in `errors`. */
export async function openPlaygroundCollecting(ctx: BrowserContext, origin: string): Promise<{ page: Page; errors: string[] }> {
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${origin}/`);
  await page.waitForSelector('[data-testid=status][data-state=connected]', { timeout: 30000 });
  return { page, errors };
}

/**
 * A test in a fresh context of `env`'s Chromium (viewport 1000×900, and `options`): a playground page
 * connected to `env`'s bridge, its uncaught errors collected in `errors`, is given to `fn`; the
 * context is closed after it, whatever happened.
 */
export async function inPlayground(
  env: BrowserTestEnv,
  fn: (p: { page: Page; errors: string[]; ctx: BrowserContext }) => Promise<void>,
  options: BrowserContextOptions = {},
): Promise<void> {
  const ctx = await env.browser.newContext({ viewport: { width: 1000, height: 900 }, ...options });
  try {
    const { page, errors } = await openPlaygroundCollecting(ctx, env.server.origin);
    await fn({ page, errors, ctx });
  } finally {
    await ctx.close();
  }
}

/** Load sample (the smarties, 413 px wide) in the playground. */
export async function loadSample(page: Page): Promise<void> {
  await page.click('[data-testid=load-sample]');
  await page.waitForFunction(() => (window as any).smartdrag.panel.editor.documentSize.width === 413);
}

/** The sample open, the red candy lassoed and dragged as a move, and its live preview on screen (no job left, the moved outline shown). */
export async function candyDragPreviewed(page: Page): Promise<void> {
  await loadSample(page);
  await page.click('[data-testid=tool-lasso]');
  await lassoOnPage(page, CANDY);
  await page.click('[data-testid=tool-arrow]');
  await page.selectOption('[data-testid=kind]', 'translate');
  await dragOnEditor(page, page, CANDY_DRAG[0]!, CANDY_DRAG[1]!);
  await page.waitForFunction(() => { const p = (window as any).smartdrag.panel; return !p.job && !!p.editor.movedPolygons; }, undefined, { timeout: 60000 });
}

/** The message line: its text, whether it is shown as an error, and its data-result. */
export function message(frame: Frame | Page): Promise<{ text: string; error: boolean; result: string | null }> {
  return frame.evaluate(() => {
    const m = document.querySelector('[data-testid=message]') as HTMLElement;
    return { text: m.textContent ?? '', error: m.classList.contains('sd-error'), result: m.getAttribute('data-result') };
  });
}

/** 16 points on a circle of radius `r` around `c`: a lasso drawn round an object. */
export function ringAround(c: Point, r: number): Point[] {
  const ring: Point[] = [];
  for (let k = 0; k < 16; k++) ring.push([c[0] + r * Math.cos((k * Math.PI) / 8), c[1] + r * Math.sin((k * Math.PI) / 8)]);
  return ring;
}

/** In the playground, lasso a ring of radius `r` around `c`, then drag an arrow from `c` to `to` with the real mouse. */
export async function lassoRingAndDrag(page: Page, c: Point, r: number, to: Point): Promise<void> {
  await page.click('[data-testid=tool-lasso]');
  await lassoOnPage(page, ringAround(c, r));
  await page.click('[data-testid=tool-arrow]');
  await dragOnEditor(page, page, c, to, 12);
}

/** A 60×60 selection over the sample's background (as `sim.setSelection` takes it), and the arrow that moves it. */
export const SQUARE = { left: 150, top: 150, width: 60, height: 60, data: new Array(3600).fill(255) };
export const SQUARE_ARROW: readonly [Point, Point] = [[180, 180], [260, 200]];

/**
 * Every text the playground's toolbar note shows from now on, in order — each one set, also
 * several set within one task (read from the mutation records, not the note's text when the
 * observer runs).
 */
export async function recordNotes(page: Page): Promise<string[]> {
  const notes: string[] = [];
  await page.exposeFunction('__recordNote', (t: string) => { notes.push(t); });
  await page.evaluate(() => {
    const n = document.querySelector('[data-testid=toolbar-note]')!;
    new MutationObserver((records) => {
      for (const r of records) {
        if (r.type === 'characterData') (window as any).__recordNote(r.target.textContent ?? '');
        else if (r.addedNodes.length > 0) for (const a of Array.from(r.addedNodes)) (window as any).__recordNote(a.textContent ?? '');
        else if (r.removedNodes.length > 0 && n.childNodes.length === 0) (window as any).__recordNote('');
      }
    }).observe(n, { childList: true, characterData: true, subtree: true });
  });
  return notes;
}
