/**
 * The Photoshop host adapter's preview path against the fake `photoshop` module: a read-only
 * capture whose pixels come through `getPixels` `targetSize` (≤ the budget, from a pyramid
 * level), masks in proxy pixels, drags in document pixels, `proxyOf` = the edit's area; nothing
 * written (no layer, no history step, no putPixels); and `encodePreview` through
 * `encodeImageData`. Plus the fake's own documented shapes for the two APIs.
 */
import sharp from 'sharp';
import { downscaleImage, downscalePlacedMask, proxyInfoFor, type Rect } from '@smartdrag/shared';
import { createPhotoshopHost } from '../../plugin-photoshop/src/host/photoshop-host';
import { readArea, resampleToProxy } from '../../plugin-photoshop/src/geometry/preview-proxy';
import { FakePhotoshop, type FakeDocument } from './fake-photoshop';

const W = 1600, H = 1200;

/** A smooth opaque gradient (so scaled reads can be compared with a small tolerance). */
function gradient(w: number, h: number): Uint8ClampedArray {
  const px = new Uint8ClampedArray(w * h * 4);
  for (let y = 0, i = 0; y < h; y++) for (let x = 0; x < w; x++, i += 4) { px[i] = Math.round((x * 255) / w); px[i + 1] = Math.round((y * 255) / h); px[i + 2] = 128; px[i + 3] = 255; }
  return px;
}

function setup(opts: { transparentLeft?: number } = {}): { ps: FakePhotoshop; doc: FakeDocument; source: Uint8ClampedArray } {
  const ps = new FakePhotoshop();
  const doc = ps.openDocument(W, H, { resolution: 300 });
  const source = gradient(W, H);
  // Optionally transparent left of x = transparentLeft (getPixels trims it away).
  if (opts.transparentLeft) for (let y = 0; y < H; y++) for (let x = 0; x < opts.transparentLeft; x++) source.fill(0, (y * W + x) * 4, (y * W + x) * 4 + 4);
  doc.addLayer('Photo', source.slice());
  const sel = new Uint8Array(W * H);
  for (let y = 300; y < 450; y++) for (let x = 300; x < 500; x++) sel[y * W + x] = 255;
  doc.selectionMask = sel;
  doc.addPath('Work Path', 'workPath', [{ closed: false, points: [{ anchor: [400, 375] }, { anchor: [900, 700] }] }]);
  return { ps, doc, source };
}

/** The crop of an RGBA document image. */
function crop(px: Uint8ClampedArray, w: number, r: Rect): Uint8ClampedArray {
  const out = new Uint8ClampedArray(r.width * r.height * 4);
  for (let y = 0; y < r.height; y++) out.set(px.subarray(((r.top + y) * w + r.left) * 4, ((r.top + y) * w + r.left + r.width) * 4), y * r.width * 4);
  return out;
}

function meanAbsDiff(a: Uint8ClampedArray, b: Uint8ClampedArray): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]! - b[i]!);
  return s / a.length;
}

describe('fake photoshop: getPixels targetSize and encodeImageData as documented', () => {
  test('targetSize: at least one of width/height, no other keys, one dimension scales proportionally, only down; level-relative sourceBounds', async () => {
    const { ps, doc } = setup();
    const layerID = doc.layers[0]!.id;
    await ps.core.executeAsModal(async () => {
      const base = { documentID: doc.id, layerID, componentSize: 8, sourceBounds: { left: 100, top: 100, right: 900, bottom: 700 } };
      await expect(ps.imaging.getPixels({ ...base, targetSize: { w: 100 } as never })).rejects.toThrow(/"w" is not a documented option/);
      await expect(ps.imaging.getPixels({ ...base, targetSize: {} })).rejects.toThrow(/width and\/or height/);
      await expect(ps.imaging.getPixels({ ...base, targetSize: { width: 1000 } })).rejects.toThrow(/larger than the source/);
      await expect(ps.imaging.getPixels({ ...base, targetSize: { width: 100.5 } })).rejects.toThrow(/positive integer/);
      // 800×600 asked at width 200: height follows (150), a quarter: level 2, bounds in level pixels.
      const r = await ps.imaging.getPixels({ ...base, targetSize: { width: 200 } });
      expect([r.imageData.width, r.imageData.height, r.level]).toEqual([200, 150, 2]);
      expect(r.sourceBounds).toEqual({ left: 25, top: 25, right: 225, bottom: 175 });
      r.imageData.dispose();
      // Both given: that size; scale 0.6 uses no level.
      const q = await ps.imaging.getPixels({ ...base, targetSize: { width: 480, height: 360 } });
      expect([q.imageData.width, q.imageData.height, q.level]).toEqual([480, 360, 0]);
      expect(q.sourceBounds).toEqual(base.sourceBounds);
      q.imageData.dispose();
    }, { commandName: 'test' });
    expect(ps.liveImageData).toBe(0);
  });

  test('encodeImageData: {imageData, base64} only, RGB data only, a JPEG (base64 text or a number array)', async () => {
    const ps = new FakePhotoshop();
    ps.openDocument(4, 4);
    const rgb = await ps.imaging.createImageDataFromBuffer(new Uint8Array(6 * 4 * 3).fill(200), { width: 6, height: 4, components: 3, colorSpace: 'RGB' });
    const gray = await ps.imaging.createImageDataFromBuffer(new Uint8Array(4), { width: 2, height: 2, components: 1, colorSpace: 'Grayscale' });
    await expect(ps.imaging.encodeImageData({ imageData: rgb, base64: true, format: 'jpeg' } as never)).rejects.toThrow(/"format" is not a documented option/);
    await expect(ps.imaging.encodeImageData({ imageData: gray, base64: true })).rejects.toThrow(/colorSpace must be RGB/);
    const b64 = await ps.imaging.encodeImageData({ imageData: rgb, base64: true });
    expect(typeof b64).toBe('string');
    const meta = await sharp(Buffer.from(b64 as string, 'base64')).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 6, 4]);
    const bytes = await ps.imaging.encodeImageData({ imageData: rgb });
    expect(Array.isArray(bytes) && bytes[0] === 0xff && bytes[1] === 0xd8).toBe(true);
    rgb.dispose(); gray.dispose();
    await expect(ps.imaging.encodeImageData({ imageData: rgb, base64: true })).rejects.toThrow(/disposed/);
  });
});

describe('capturePreview', () => {
  const roiOf = (ps: FakePhotoshop): Rect => { const r = ps.getPixelsLog[0]!.sourceBounds; return { left: r.left, top: r.top, width: r.right - r.left, height: r.bottom - r.top }; };

  test.each([
    ['level 1', 200_000, 4],
    ['level 2', 60_000, 4],
    ['no pyramid (level 0)', 200_000, 0],
  ])('a large area (%s): one read-only scope, a ≤ budget proxy from targetSize, masks in proxy pixels, drags in document pixels, proxyOf', async (_name, budget, levels) => {
    const { ps, doc, source } = setup();
    ps.pyramidLevels = levels;
    const historyBefore = [...doc.history];
    const host = createPhotoshopHost({ photoshop: ps });
    const cap = await host.capturePreview({ kind: 'auto', maxPixels: budget });

    // Read only: two short modal scopes (reads, then the area's pixels), nothing written, every image data disposed.
    expect(ps.modalScopes).toBe(2);
    expect(ps.calls.filter((c) => /suspendHistory|resumeHistory|createPixelLayer|putPixels|batchPlay:set/.test(c))).toEqual([]);
    expect(doc.history).toEqual(historyBefore);
    expect(doc.layers).toHaveLength(1);
    expect(ps.liveImageData).toBe(0);

    // The area is the final edit's area; it was read scaled, never at full resolution.
    const roi = roiOf(ps);
    expect(cap.roi).toEqual(roi);
    expect(cap.imageOrigin).toEqual([roi.left, roi.top]);
    const info = proxyInfoFor(roi.width, roi.height, budget);
    expect(ps.getPixelsLog).toHaveLength(1);
    expect(ps.getPixelsLog[0]!.targetSize).toEqual({ width: info.width, height: info.height });
    expect(ps.getPixelsLog[0]!.level).toBe(Math.min(levels, Math.floor(Math.log2(1 / info.scaleX))));
    expect(ps.getPixelsLog[0]!.width * ps.getPixelsLog[0]!.height).toBeLessThanOrEqual(budget * 1.05);
    expect([cap.image.width, cap.image.height]).toEqual([info.width, info.height]);
    expect(cap.image.width * cap.image.height).toBeLessThanOrEqual(budget);
    expect(cap.proxyOf).toEqual({ width: roi.width, height: roi.height });

    // Pixels: the area's proxy, close to the exact area average of the document.
    const exact = downscaleImage({ width: roi.width, height: roi.height, data: crop(source, W, roi) }, info).data;
    expect(meanAbsDiff(cap.image.data, exact)).toBeLessThan(1.5);

    // The selection in proxy pixels, relative to the proxy's top-left; drags unchanged (document pixels).
    const sel = { left: 300 - roi.left, top: 300 - roi.top, width: 200, height: 150, data: new Uint8Array(200 * 150).fill(255) };
    const want = downscalePlacedMask(sel, info);
    expect(cap.regions.map((r) => r.id)).toEqual(['r1']);
    expect({ ...cap.regions[0]!.mask, data: null }).toEqual({ ...want, data: null });
    expect(Buffer.from(cap.regions[0]!.mask.data).equals(Buffer.from(want.data))).toBe(true);
    expect(cap.drags).toEqual([{ region: 'r1', points: [[400, 375], [900, 700]], kind: 'auto' }]);
  });

  test('a trimmed read (transparent layer area) is placed where it belongs and stays transparent elsewhere', async () => {
    const { ps, source } = setup({ transparentLeft: 350 });
    const host = createPhotoshopHost({ photoshop: ps });
    const cap = await host.capturePreview({ kind: 'auto', maxPixels: 60_000 });
    const roi = cap.roi, info = proxyInfoFor(roi.width, roi.height, 60_000);
    const got = ps.getPixelsLog[0]!;
    expect(got.returnedBounds.left).toBeGreaterThan(0); // it was trimmed (level pixels)
    const exact = downscaleImage({ width: roi.width, height: roi.height, data: crop(source, W, roi) }, info).data;
    const px = (d: Uint8ClampedArray, x: number, y: number) => Array.from(d.subarray((y * info.width + x) * 4, (y * info.width + x) * 4 + 4));
    const edge = Math.round((350 - roi.left) * info.scaleX);
    for (const y of [5, Math.floor(info.height / 2), info.height - 5]) {
      expect(px(cap.image.data, edge - 3, y)[3]).toBe(0); // left of the layer's pixels: transparent
      const inside = px(cap.image.data, edge + 4, y), want = px(exact, edge + 4, y);
      for (let c = 0; c < 4; c++) expect(Math.abs(inside[c]! - want[c]!)).toBeLessThanOrEqual(3);
    }
  });

  test('an area within the budget is read as the final edit reads it: no targetSize, no proxyOf, document-placed masks', async () => {
    const { ps } = setup();
    const host = createPhotoshopHost({ photoshop: ps });
    const cap = await host.capturePreview({ kind: 'translate' });
    const roi = cap.roi;
    expect(roi.width * roi.height).toBeLessThanOrEqual(1024 * 1024);
    expect(ps.getPixelsLog[0]!.targetSize).toBeUndefined();
    expect(cap.proxyOf).toBeUndefined();
    const fin = await host.capture({ kind: 'translate' });
    expect([cap.image.width, cap.image.height]).toEqual([fin.image.width, fin.image.height]);
    expect(Buffer.from(cap.image.data).equals(Buffer.from(fin.image.data))).toBe(true);
    expect(cap.regions.map((r) => ({ ...r.mask, data: Buffer.from(r.mask.data).toString('base64') }))).toEqual(fin.regions.map((r) => ({ ...r.mask, data: Buffer.from(r.mask.data).toString('base64') })));
    expect(cap.drags).toEqual(fin.drags);
    expect(ps.calls.filter((c) => /putPixels|createPixelLayer|suspendHistory/.test(c))).toEqual([]);
  });

  test('encodePreview: an RGB JPEG of the picture matted on white, through encodeImageData, outside any modal scope', async () => {
    const ps = new FakePhotoshop();
    ps.openDocument(10, 10);
    const host = createPhotoshopHost({ photoshop: ps });
    const data = new Uint8ClampedArray(16 * 8 * 4);
    for (let i = 0; i < 16 * 8; i++) data.set(i % 16 < 8 ? [200, 30, 30, 255] : [0, 0, 0, 0], i * 4);
    const b64 = await host.encodePreview({ width: 16, height: 8, data }, 'sRGB IEC61966-2.1');
    expect(ps.modalScopes).toBe(0);
    expect(ps.liveImageData).toBe(0);
    const { data: rgb, info } = await sharp(Buffer.from(b64, 'base64')).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([16, 8, 3]);
    const at = (x: number, y: number) => Array.from(rgb.subarray((y * 16 + x) * 3, (y * 16 + x) * 3 + 3));
    for (const [c, w] of at(2, 4).map((v, i) => [v, [200, 30, 30][i]!])) expect(Math.abs(c! - w!)).toBeLessThanOrEqual(12);
    for (const c of at(13, 4)) expect(c).toBeGreaterThanOrEqual(240); // transparent -> white
  });
});

describe('readArea and resampleToProxy', () => {
  const roi: Rect = { left: 100, top: 60, width: 800, height: 600 };
  test('level-relative bounds are scaled up; full-resolution bounds reported with a level are taken as given; the canvas clips', () => {
    expect(readArea({ left: 25, top: 15, right: 225, bottom: 165 }, 2, roi, 2000, 2000)).toEqual({ left: 100, top: 60, width: 800, height: 600 });
    expect(readArea({ left: 100, top: 60, right: 900, bottom: 660 }, 2, roi, 2000, 2000)).toEqual({ left: 100, top: 60, width: 800, height: 600 });
    expect(readArea({ left: 25, top: 15, right: 226, bottom: 165 }, 2, roi, 902, 2000)).toEqual({ left: 100, top: 60, width: 802, height: 600 });
    expect(readArea({ left: 100, top: 60, right: 900, bottom: 660 }, 0, roi, 2000, 2000)).toEqual({ left: 100, top: 60, width: 800, height: 600 });
  });

  test('a read already on the proxy grid is copied; a read of another size lands on the grid', () => {
    const info = proxyInfoFor(800, 600, 200 * 150);
    const src = { width: 200, height: 150, components: 4, data: new Uint8Array(200 * 150 * 4).map((_, i) => i % 251) };
    expect(Buffer.from(resampleToProxy(src, roi, roi, info)).equals(Buffer.from(src.data))).toBe(true);
    // An RGB read of the right half only: the left half is transparent.
    const half = { width: 100, height: 150, components: 3, data: new Uint8Array(100 * 150 * 3).fill(90) };
    const out = resampleToProxy(half, { left: 500, top: 60, width: 400, height: 600 }, roi, info);
    expect(Array.from(out.subarray((10 * 200 + 50) * 4, (10 * 200 + 50) * 4 + 4))).toEqual([0, 0, 0, 0]);
    expect(Array.from(out.subarray((10 * 200 + 150) * 4, (10 * 200 + 150) * 4 + 4))).toEqual([90, 90, 90, 255]);
  });
});
