/**
 * The regions' tint on a photo larger than the view is made at the view's pixels (a lasso on a
 * 48 MP photo had made, put and scaled down an 18 MP, 72 MB tint on the page's thread), and looks
 * as the photo-sized tint scaled down by the browser did: in a real browser, the tint's canvas is
 * the region's box on screen, its pixels within a level or two of the old tint drawn scaled (a
 * lasso, two overlapping lassos — the strongest wins, not one over the other — and a soft host
 * selection), the view on screen (a screenshot) blue over the lasso and the photo as it was
 * outside it; a region taken away is untinted again; the mask sent to the bridge is still the
 * lasso's outline rasterised at the photo's pixels.
 */
import sharp from 'sharp';
import type { Page } from 'playwright-core';
import { rasterizePolygon, type Point } from '@smartdrag/shared';
import { bridgeAndChromium } from './harness';
import { bytesOf, dragOnEditor, inPlayground, lassoOnPage } from './pages';

jest.setTimeout(180_000);

const env = bridgeAndChromium();

const W = 2400, H = 1800;

/** Open a W×H photo-like image (a gradient with noise) made in the page; wait until its thumbnail is made. */
async function openLarge(page: Page): Promise<void> {
  await page.evaluate(async ([w, h]) => {
    const d = new Uint8ClampedArray(w! * h! * 4);
    let s = 11;
    for (let i = 0, y = 0; y < h!; y++) for (let x = 0; x < w!; x++, i += 4) {
      s = (s * 1103515245 + 12345) & 0x7fffffff;
      d[i] = 60 + (x * 120) / w! + ((s >> 16) & 15); d[i + 1] = 80 + (y * 100) / h!; d[i + 2] = 40 + ((s >> 8) & 31); d[i + 3] = 255;
    }
    const sd = (window as any).smartdrag;
    sd.host.setImage('large.png', { width: w, height: h, data: d });
    await sd.panel.switchDocument();
  }, [W, H]);
  await page.waitForFunction(([w]) => { const p = (window as any).smartdrag.panel; return p.editor.documentSize.width === w && !p.reading && !p.editor.drawing; }, [W], { timeout: 60000, polling: 50 });
}

/** A loop of `n` points, `rx`×`ry` around `c` (document pixels). */
function loop(c: Point, rx: number, ry: number, n = 24): Point[] {
  const pts: Point[] = [];
  for (let i = 0; i < n; i++) {
    const t = (2 * Math.PI * i) / n;
    pts.push([Math.round(c[0] + rx * Math.cos(t)), Math.round(c[1] + ry * Math.sin(t))]);
  }
  return pts;
}


/**
 * The editor's tint against the old one: the regions' strongest mask value per photo pixel as a
 * photo-sized tint (alpha round(0.45·v)), drawn scaled to the view as the editor had drawn it, and
 * the editor's tint put where it draws it, alpha by alpha over the view. Also where and how large
 * the editor's tint is (view pixels) and the view's scale.
 */
function compareTint(page: Page): Promise<{ device: boolean; size: number[]; box: number[]; k: number; maxDiff: number; meanDiff: number; over: number; exactDiff: number; alphaAt: (number | null)[] }> {
  return page.evaluate(() => {
    const e = (window as any).smartdrag.panel.editor;
    const view = document.querySelector('canvas.sd-editor') as HTMLCanvasElement;
    const vw = view.width, vh = view.height, dw = e.documentSize.width, dh = e.documentSize.height, k = vw / dw;
    e.render();
    const t = e.regionTint;
    const most = new Uint8Array(dw * dh);
    for (const r of e.regions) {
      const m = r.mask;
      for (let y = Math.max(0, m.top); y < Math.min(dh, m.top + m.height); y++) {
        for (let x = Math.max(0, m.left); x < Math.min(dw, m.left + m.width); x++) {
          const v = m.data[(y - m.top) * m.width + (x - m.left)];
          if (v > most[y * dw + x]!) most[y * dw + x] = v;
        }
      }
    }
    const full = new ImageData(dw, dh);
    for (let i = 0; i < dw * dh; i++) if (most[i]) { full.data[i * 4] = 40; full.data[i * 4 + 1] = 140; full.data[i * 4 + 2] = 255; full.data[i * 4 + 3] = Math.round(most[i]! * 0.45); }
    const fc = document.createElement('canvas');
    fc.width = dw; fc.height = dh;
    fc.getContext('2d')!.putImageData(full, 0, 0);
    const mk = () => { const c = document.createElement('canvas'); c.width = vw; c.height = vh; return c.getContext('2d', { willReadFrequently: true })!; };
    const ref = mk(), got = mk();
    ref.imageSmoothingQuality = 'high';
    ref.setTransform(k, 0, 0, k, 0, 0);
    ref.drawImage(fc, 0, 0);
    if (t) {
      if (t.device) got.drawImage(t.canvas, t.left, t.top);
      else { got.imageSmoothingQuality = 'high'; got.setTransform(k, 0, 0, k, 0, 0); got.drawImage(t.canvas, t.left, t.top); }
    }
    const a = ref.getImageData(0, 0, vw, vh).data, b = got.getImageData(0, 0, vw, vh).data;
    let maxDiff = 0, sum = 0, over = 0;
    for (let i = 3; i < a.length; i += 4) {
      const d = Math.abs(a[i]! - b[i]!);
      if (a[i] || b[i]) { sum += d; over++; }
      if (d > maxDiff) maxDiff = d;
    }
    // The exact area average of the photo-sized tint's alpha over each view pixel (what the old
    // tint scaled down approximated: the browser's scaling is within ~15 levels of it at edges).
    const exact = new Float64Array(vw * vh);
    const span = (u: number): [number, number, number] => { const a0 = u * k, b0 = (u + 1) * k, f = Math.floor(a0); return f + 1 < b0 ? [f, f + 1 - a0, b0 - f - 1] : [f, b0 - a0, 0]; };
    for (let y = 0; y < dh; y++) for (let x = 0; x < dw; x++) {
      const v = most[y * dw + x]!;
      if (!v) continue;
      const al = Math.round(v * 0.45), [tx, wx0, wx1] = span(x), [ty, wy0, wy1] = span(y);
      exact[ty * vw + tx] += al * wx0 * wy0;
      if (wx1) exact[ty * vw + tx + 1] += al * wx1 * wy0;
      if (wy1) exact[(ty + 1) * vw + tx] += al * wx0 * wy1;
      if (wx1 && wy1) exact[(ty + 1) * vw + tx + 1] += al * wx1 * wy1;
    }
    let exactDiff = 0;
    for (let i = 0; i < vw * vh; i++) exactDiff = Math.max(exactDiff, Math.abs(exact[i]! - b[i * 4 + 3]!));
    const at = (window as any).__tintAt as [number, number][] | undefined;
    const alphaAt = (at ?? []).map(([x, y]) => b[(Math.floor(y * k) * vw + Math.floor(x * k)) * 4 + 3] ?? null);
    const box = e.regions.reduce((acc: number[], r: any) => [Math.min(acc[0]!, r.mask.left), Math.min(acc[1]!, r.mask.top), Math.max(acc[2]!, r.mask.left + r.mask.width), Math.max(acc[3]!, r.mask.top + r.mask.height)], [Infinity, Infinity, -Infinity, -Infinity]);
    return { device: !!t?.device, size: t ? [t.canvas.width, t.canvas.height] : [], box, k, maxDiff, meanDiff: over ? sum / over : 0, over, exactDiff, alphaAt };
  });
}

/** The editor's canvas as on screen (a screenshot of its box): RGB at view pixel (x, y) of photo pixel (x, y). */
async function screenshotOf(page: Page): Promise<(x: number, y: number) => number[]> {
  const el = page.locator('canvas.sd-editor');
  const png = await el.screenshot();
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  const k = info.width / W;
  return (x, y) => {
    const i = (Math.floor(y * k) * info.width + Math.floor(x * k)) * info.channels;
    return [data[i]!, data[i + 1]!, data[i + 2]!];
  };
}

test('a lasso on a photo larger than the view is tinted at the view\'s pixels, as the photo-sized tint scaled down looked; on screen blue over it only; the mask sent is the rasterised outline', async () => {
  await inPlayground(env, async ({ page, errors }) => {
    await openLarge(page);
    const before = await screenshotOf(page);
    await page.click('[data-testid=tool-lasso]');
    const poly = loop([1200, 900], 600, 420);
    await lassoOnPage(page, poly, 1);
    const c = await compareTint(page);
    // At the view's pixels: the region's box on screen (one pixel more at most each way), not the photo's.
    expect(c.device).toBe(true);
    expect(c.k).toBeLessThan(0.5);
    const [bw, bh] = [c.box[2]! - c.box[0]!, c.box[3]! - c.box[1]!];
    expect(c.size[0]!).toBeLessThanOrEqual(Math.ceil(bw * c.k) + 2);
    expect(c.size[1]!).toBeLessThanOrEqual(Math.ceil(bh * c.k) + 2);
    expect(c.size[0]!).toBeGreaterThanOrEqual(Math.floor(bw * c.k));
    // As the old tint looked, pixel for pixel (edges within a few levels of alpha).
    expect(c.over).toBeGreaterThan(10000);
    expect(c.meanDiff).toBeLessThan(1);

    expect(c.maxDiff).toBeLessThanOrEqual(24);
    // And closer to the exact area average than the browser's scaling of it was (~15 levels at edges).
    expect(c.exactDiff).toBeLessThanOrEqual(9);

    // On screen: the middle blue (the photo under the tint's colour at 0.45), outside as it was.
    const after = await screenshotOf(page);
    const mid = after(1200, 900), was = before(1200, 900);
    expect(mid[2]! - was[2]!).toBeGreaterThan(40);
    [40, 140, 255].forEach((t, i) => expect(Math.abs(mid[i]! - (was[i]! + (t - was[i]!) * (115 / 255)))).toBeLessThanOrEqual(4));
    for (const [x, y] of [[200, 200], [2200, 1600], [1200, 300], [400, 900]] as Point[]) {
      const now = after(x, y), then = before(x, y);
      for (let i = 0; i < 3; i++) expect(Math.abs(now[i]! - then[i]!)).toBeLessThanOrEqual(2);
    }

    // The mask sent is the outline (as drawn) rasterised at the photo's pixels, unchanged.
    await page.click('[data-testid=tool-arrow]');
    await dragOnEditor(page, page, [1200, 900], [1500, 1000]);
    await page.waitForFunction(() => (window as any).smartdrag.panel.lastSubmitted?.regions?.length === 1, undefined, { timeout: 60000 });
    const drawn = await page.evaluate(() => (window as any).smartdrag.panel.editor.regions[0].polygon as Point[]);
    const box = await page.evaluate(() => { const r = (window as any).smartdrag.panel.lastSubmitted.regions[0]; return [r.left, r.top, r.width, r.height]; });
    const sent = await bytesOf(page, 'window.smartdrag.panel.lastSubmitted.regions[0].data');
    const want = rasterizePolygon(drawn);
    expect(box).toEqual([want.left, want.top, want.width, want.height]);
    expect(sent.equals(Buffer.from(want.data))).toBe(true);
    expect(errors).toEqual([]);
  });
});

test('several regions: overlapping lassos are one tint (the strongest wins), a region taken away is untinted again, and a soft host selection is area-averaged as the old tint was', async () => {
  await inPlayground(env, async ({ page, errors }) => {
    await openLarge(page);
    const before = await screenshotOf(page);
    await page.click('[data-testid=tool-lasso]');
    await lassoOnPage(page, loop([900, 900], 400, 300), 1);
    await lassoOnPage(page, loop([1400, 900], 400, 300), 2);
    // In the first only, in both, in the second only.
    await page.evaluate(() => { (window as any).__tintAt = [[650, 900], [1150, 900], [1650, 900]]; });
    const two = await compareTint(page);
    expect(two.device).toBe(true);
    expect(two.meanDiff).toBeLessThan(1);

    expect(two.maxDiff).toBeLessThanOrEqual(24);
    // (Where the outlines cross, the larger of two coverages is not quite the union's.)
    expect(two.exactDiff).toBeLessThanOrEqual(12);
    expect(two.alphaAt).toEqual([115, 115, 115]);

    // The second taken away (as an Undo puts regions back): its part is the photo again on screen.
    await page.evaluate(() => { const e = (window as any).smartdrag.panel.editor; e.restore([e.regions[0]], []); });
    const one = await compareTint(page);
    expect(one.alphaAt).toEqual([115, 115, 0]);
    expect(one.meanDiff).toBeLessThan(1);
    const shot = await screenshotOf(page);
    for (let i = 0; i < 3; i++) expect(Math.abs(shot(1650, 900)[i]! - before(1650, 900)[i]!)).toBeLessThanOrEqual(2);
    expect(shot(650, 900)[2]! - before(650, 900)[2]!).toBeGreaterThan(40);

    // A soft selection (a host's, feathered: a ramp from 0 to 255 across it, a little noise): its
    // mask area-averaged over each view pixel, as exactly as the averaging can be.
    await page.evaluate(() => {
      const e = (window as any).smartdrag.panel.editor, w = 900, h = 700, data = new Uint8Array(w * h);
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = Math.min(255, Math.round((x * 255) / (w - 1)) + ((x * 7 + y * 13) % 5));
      (window as any).__lasso = e.regions[0];
      (window as any).__selection = { id: 'h1', mask: { left: 301, top: 253, width: w, height: h, data }, source: 'selection' };
      e.setRegions([(window as any).__selection]);
      (window as any).__tintAt = [[320, 400], [760, 400], [1150, 900]];
    });
    const soft = await compareTint(page);
    expect(soft.device).toBe(true);
    expect(soft.exactDiff).toBeLessThanOrEqual(1);
    expect(soft.meanDiff).toBeLessThan(1);
    expect(soft.maxDiff).toBeLessThanOrEqual(24);
    expect(soft.alphaAt[0]!).toBeLessThan(20);
    expect(soft.alphaAt[1]!).toBeGreaterThan(40);
    expect(soft.alphaAt[1]!).toBeLessThan(80);
    expect(soft.alphaAt[2]!).toBeGreaterThan(100);
    // With the lasso over part of it (as the Photopea panel shows a selection and lassos): the
    // lasso's full tint wins there, the strongest of the two averaged per view pixel.
    await page.evaluate(() => { const w = window as any; w.smartdrag.panel.editor.setRegions([w.__selection, w.__lasso]); });
    const both = await compareTint(page);
    expect(both.exactDiff).toBeLessThanOrEqual(1);
    expect(both.meanDiff).toBeLessThan(1);
    expect(both.maxDiff).toBeLessThanOrEqual(24);
    expect(both.alphaAt).toEqual([soft.alphaAt[0], soft.alphaAt[1], 115]);
    expect(errors).toEqual([]);
  });
});
