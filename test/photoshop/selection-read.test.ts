/**
 * The selection path of the Photoshop host (scope #1's getSelection, then the split into regions)
 * as a demanding user meets it: read in bands into one buffer (each band's image data disposed
 * before the next, 16-bit masks made 8 bits band by band, a band's trimmed bounds honoured, a band
 * Photoshop will not read falling back to one read), and the selections that are easy to get
 * wrong — empty, specks only, off the canvas, outside the layer's pixels, feathered, larger than
 * the layer, over a layer whose pixels sit away from the origin.
 */
import { FakePhotoshop, type FakeDocument } from './fake-photoshop';
import { createPhotoshopHost } from '../../plugin-photoshop/src/host/photoshop-host';
import { splitMaskReference } from '../../plugin-photoshop/src/geometry/mask-split.reference';
import type { PlacedMask } from '@smartdrag/shared';

const W = 160, H = 120;

/** A feathered disc (coverage 255 inside, falling to 0 over `feather` px) into a full-canvas mask. */
function disc(into: Uint8Array, cx: number, cy: number, r: number, feather: number): void {
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    const edge = r - Math.hypot(x + 0.5 - cx, y + 0.5 - cy);
    const v = Math.round(Math.max(0, Math.min(1, edge / feather + 0.5)) * 255);
    if (v > into[y * W + x]!) into[y * W + x] = v;
  }
}

/** A document with one pixel layer whose pixels cover `rect` only (transparent elsewhere), a selection and an arrow from (ax, ay). */
function setup(opts: { rect?: { left: number; top: number; width: number; height: number }; bits16?: boolean; arrow?: [number, number] } = {}): { ps: FakePhotoshop; doc: FakeDocument } {
  const ps = new FakePhotoshop();
  const doc = ps.openDocument(W, H, opts.bits16 ? { bitsPerChannel: 'bitDepth16' } : {});
  const r = opts.rect ?? { left: 0, top: 0, width: W, height: H };
  const px = new Uint8ClampedArray(W * H * 4);
  for (let y = r.top; y < r.top + r.height; y++) for (let x = r.left; x < r.left + r.width; x++) px.set([x & 255, y & 255, 90, 255], (y * W + x) * 4);
  doc.addLayer('Photo', px);
  const [ax, ay] = opts.arrow ?? [60, 60];
  doc.addPath('Work Path', 'workPath', [{ closed: false, points: [{ anchor: [ax, ay] }, { anchor: [ax + 20, ay] }] }]);
  return { ps, doc };
}

/** The regions the old host made: the whole selection box read at once, split by the reference implementation. */
function expectedRegions(doc: FakeDocument): PlacedMask[] {
  const b = doc.selection.bounds!;
  const w = b.right - b.left, h = b.bottom - b.top, data = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) data.set(doc.selectionMask!.subarray((b.top + y) * W + b.left, (b.top + y) * W + b.right), y * w);
  return splitMaskReference({ left: b.left, top: b.top, width: w, height: h, data });
}

function sameMasks(got: PlacedMask[], want: PlacedMask[]): void {
  expect(got.map(({ left, top, width, height }) => ({ left, top, width, height }))).toEqual(want.map(({ left, top, width, height }) => ({ left, top, width, height })));
  got.forEach((m, i) => expect(Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength).equals(Buffer.from(want[i]!.data))).toBe(true));
}

/** Three feathered objects, two of them touching by their soft edges, and a speck. */
function objects(doc: FakeDocument): void {
  const sel = new Uint8Array(W * H);
  disc(sel, 50, 60, 30, 10);
  disc(sel, 110, 35, 16, 14);
  disc(sel, 110, 80, 20, 6);
  sel[3 * W + 150] = 255;
  doc.selectionMask = sel;
}

describe('the selection is read in bands into one buffer', () => {
  test('getSelection over bands of at most verifyBandPixels, each disposed before the next; the same regions as one read of the box', async () => {
    const { ps, doc } = setup();
    objects(doc);
    const want = expectedRegions(doc);
    expect(want.length).toBe(3);
    const band = 700;
    const sizes: number[] = [];
    const get = ps.imaging.getSelection;
    ps.imaging.getSelection = async (o) => { const r = await get(o); sizes.push(r.imageData.width * r.imageData.height); return r; };
    const cap = await createPhotoshopHost({ photoshop: ps, verifyBandPixels: band }).capture({ kind: 'auto' });
    sameMasks(cap.regions.map((r) => r.mask), want);
    const b = doc.selection.bounds!;
    expect(sizes.length).toBe(Math.ceil((b.bottom - b.top) / Math.floor(band / (b.right - b.left))));
    for (const n of sizes) expect(n).toBeLessThanOrEqual(band);
    expect(ps.peakImageBytes.getSelection).toBeLessThanOrEqual(band);
    expect(ps.liveImageData).toBe(0);
  });

  test('a 16-bit document (masks of 0..32768): the same regions as the 8-bit one, band by band', async () => {
    const a = setup(), b = setup({ bits16: true });
    objects(a.doc);
    objects(b.doc);
    const eight = await createPhotoshopHost({ photoshop: a.ps, verifyBandPixels: 900 }).capture({ kind: 'auto' });
    const sixteen = await createPhotoshopHost({ photoshop: b.ps, verifyBandPixels: 900 }).capture({ kind: 'auto' });
    sameMasks(sixteen.regions.map((r) => r.mask), eight.regions.map((r) => r.mask));
    expect(b.ps.peakImageBytes.getSelection).toBeLessThanOrEqual(900 * 2);
    expect(b.ps.liveImageData).toBe(0);
  });

  test('a band whose returned bounds are trimmed (Photoshop may trim as getPixels does): placed where Photoshop says, the same regions', async () => {
    const { ps, doc } = setup();
    objects(doc);
    const want = expectedRegions(doc);
    const get = ps.imaging.getSelection;
    // Each band comes back trimmed to its rows and columns with coverage (0×0 when none).
    ps.imaging.getSelection = async (o) => {
      const r = await get(o);
      const data = await r.imageData.getData({ chunky: true }) as Uint8Array;
      r.imageData.dispose();
      const sb = r.sourceBounds, w = sb.right - sb.left;
      let x0 = Infinity, y0 = Infinity, x1 = -1, y1 = -1;
      for (let i = 0; i < data.length; i++) if (data[i]! > 0) { const x = i % w, y = (i - x) / w; x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y); }
      const t = x1 < 0 ? { left: sb.left, top: sb.top, right: sb.left, bottom: sb.top } : { left: sb.left + x0, top: sb.top + y0, right: sb.left + x1 + 1, bottom: sb.top + y1 + 1 };
      const tw = t.right - t.left, th = t.bottom - t.top, out = new Uint8Array(tw * th);
      for (let y = 0; y < th; y++) out.set(data.subarray((y + y0) * w + x0, (y + y0) * w + x0 + tw), y * tw);
      const img = await ps.imaging.createImageDataFromBuffer(out, { width: tw, height: th, components: 1, chunky: true, colorSpace: 'Grayscale' });
      return { imageData: img, sourceBounds: t, level: 0 };
    };
    const cap = await createPhotoshopHost({ photoshop: ps, verifyBandPixels: 600 }).capture({ kind: 'auto' });
    sameMasks(cap.regions.map((r) => r.mask), want);
    expect(ps.liveImageData).toBe(0);
  });

  test('a band Photoshop will not read (VERIFY what getSelection does there) falls back to one read of the box: the same regions', async () => {
    const { ps, doc } = setup();
    objects(doc);
    const want = expectedRegions(doc);
    ps.failNext = { op: 'getSelection', error: new Error('the selection is empty in this area') };
    const cap = await createPhotoshopHost({ photoshop: ps, verifyBandPixels: 800 }).capture({ kind: 'auto' });
    sameMasks(cap.regions.map((r) => r.mask), want);
    expect(ps.liveImageData).toBe(0);
  });

  test('Esc while the selection is read: cancelled, no whole-box read after it, no pixels read, nothing left undisposed', async () => {
    const { ps, doc } = setup();
    objects(doc);
    ps.cancelAfter = 'getSelection';
    await expect(createPhotoshopHost({ photoshop: ps, verifyBandPixels: 800 }).capture({ kind: 'auto' })).rejects.toMatchObject({ code: 'cancelled' });
    expect(ps.calls.filter((c) => c === 'getSelection')).toHaveLength(1);
    expect(ps.getPixelsLog).toHaveLength(0);
    expect(ps.liveImageData).toBe(0);
  });
});

describe('selections a demanding user makes', () => {
  test('an empty selection, and a selection of specks only: no_selection, each said as it is, no pixels read', async () => {
    const { ps, doc } = setup();
    doc.selectionMask = new Uint8Array(W * H); // bounds null: nothing selected
    await expect(createPhotoshopHost({ photoshop: ps }).capture({ kind: 'auto' })).rejects.toMatchObject({ code: 'no_selection', message: 'Nothing is selected.' });
    const specks = new Uint8Array(W * H);
    for (const [x, y] of [[10, 10], [11, 10], [90, 70], [140, 100]]) specks[y! * W + x!] = 255;
    for (let y = 40; y < 43; y++) specks.fill(200, y * W + 60, y * W + 63); // a 3×3 object: 9 px
    doc.selectionMask = specks;
    const e = await createPhotoshopHost({ photoshop: ps }).capture({ kind: 'auto' }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'no_selection' });
    expect((e as Error).message).toMatch(/specks/);
    expect((e as { hint?: string }).hint).toMatch(/Expand/);
    expect(ps.getPixelsLog).toHaveLength(0);
    expect(ps.liveImageData).toBe(0);
  });

  test('a selection wholly off the canvas (bounds beyond it, VERIFY that Photoshop reports them so): no_selection saying so, nothing read', async () => {
    const { ps, doc } = setup();
    Object.defineProperty(doc, 'selection', { get: () => ({ bounds: { left: W + 10, top: 20, right: W + 60, bottom: 50 } }) });
    const e = await createPhotoshopHost({ photoshop: ps }).capture({ kind: 'auto' }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'no_selection' });
    expect((e as Error).message).toMatch(/outside the canvas/);
    expect(ps.calls).not.toContain('getSelection');
  });

  test('a selection entirely outside the layer\'s pixels: no_layer naming the layer', async () => {
    const { ps, doc } = setup({ rect: { left: 100, top: 70, width: 50, height: 40 }, arrow: [40, 40] });
    const sel = new Uint8Array(W * H);
    disc(sel, 40, 40, 20, 6);
    doc.selectionMask = sel;
    await expect(createPhotoshopHost({ photoshop: ps }).capture({ kind: 'auto' })).rejects.toMatchObject({ code: 'no_layer', message: expect.stringContaining('"Photo"') });
    expect(ps.liveImageData).toBe(0);
  });

  test('a feathered selection: every partial value kept exactly, where it was, in the regions', async () => {
    const { ps, doc } = setup();
    const sel = new Uint8Array(W * H);
    disc(sel, 70, 60, 25, 30); // a wide feather: most of the selection is partial
    doc.selectionMask = sel;
    const cap = await createPhotoshopHost({ photoshop: ps, verifyBandPixels: 500 }).capture({ kind: 'auto' });
    expect(cap.regions).toHaveLength(1);
    const m = cap.regions[0]!.mask;
    let partial = 0;
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
      const v = sel[y * W + x]!, inside = x >= m.left && y >= m.top && x < m.left + m.width && y < m.top + m.height;
      const got = inside ? m.data[(y - m.top) * m.width + (x - m.left)]! : 0;
      if (got !== v) throw new Error(`(${x},${y}): ${got}, selected ${v}`);
      if (v > 0 && v < 255) partial++;
    }
    expect(partial).toBeGreaterThan(1000);
  });

  test('a selection larger than the layer\'s pixels: the regions are the selection, the image the layer there (transparent around)', async () => {
    const rect = { left: 50, top: 40, width: 40, height: 30 };
    const { ps, doc } = setup({ rect, arrow: [70, 55] });
    const sel = new Uint8Array(W * H);
    for (let y = 10; y < 110; y++) sel.fill(255, y * W + 20, y * W + 140); // a marquee far around the layer's pixels
    doc.selectionMask = sel;
    const cap = await createPhotoshopHost({ photoshop: ps, verifyBandPixels: 900 }).capture({ kind: 'auto', marginPx: 4 });
    expect(cap.regions).toHaveLength(1);
    expect(cap.regions[0]!.mask).toMatchObject({ left: 20, top: 10, width: 120, height: 100 });
    const [ox, oy] = cap.imageOrigin;
    for (let y = 0; y < cap.image.height; y++) for (let x = 0; x < cap.image.width; x++) {
      const dx = ox + x, dy = oy + y, a = cap.image.data[(y * cap.image.width + x) * 4 + 3]!;
      const onLayer = dx >= rect.left && dy >= rect.top && dx < rect.left + rect.width && dy < rect.top + rect.height;
      if (a !== (onLayer ? 255 : 0)) throw new Error(`alpha at (${dx},${dy}) is ${a}`);
      if (onLayer && (cap.image.data[(y * cap.image.width + x) * 4] !== (dx & 255) || cap.image.data[(y * cap.image.width + x) * 4 + 1] !== (dy & 255))) throw new Error(`pixel at (${dx},${dy})`);
    }
  });

  test('a layer whose pixels sit away from the origin, a selection over them reaching past the canvas edge: regions and pixels in document coordinates', async () => {
    const rect = { left: 90, top: 60, width: 70, height: 60 }; // to the canvas's right and bottom edges
    const { ps, doc } = setup({ rect, arrow: [130, 95] });
    const sel = new Uint8Array(W * H);
    disc(sel, 140, 100, 30, 8); // cut by the canvas edges
    doc.selectionMask = sel;
    const want = expectedRegions(doc);
    // Photoshop may report bounds past the canvas for a selection moved over its edge (VERIFY): clipped.
    const b = doc.selection.bounds!;
    Object.defineProperty(doc, 'selection', { get: () => ({ bounds: { ...b, right: b.right + 25.5, bottom: b.bottom + 12 } }) });
    const cap = await createPhotoshopHost({ photoshop: ps, verifyBandPixels: 700 }).capture({ kind: 'auto', marginPx: 6 });
    sameMasks(cap.regions.map((r) => r.mask), want);
    expect(cap.regions[0]!.mask.left + cap.regions[0]!.mask.width).toBeLessThanOrEqual(W);
    const [ox, oy] = cap.imageOrigin;
    expect(ox + cap.image.width).toBeLessThanOrEqual(W);
    expect(oy + cap.image.height).toBeLessThanOrEqual(H);
    // The region's pixels are the layer's, where the region is.
    const m = cap.regions[0]!.mask;
    for (let y = 0; y < m.height; y++) for (let x = 0; x < m.width; x++) {
      if (m.data[y * m.width + x] === 0) continue;
      const dx = m.left + x, dy = m.top + y, i = ((dy - oy) * cap.image.width + (dx - ox)) * 4;
      expect([cap.image.data[i], cap.image.data[i + 1], cap.image.data[i + 3]]).toEqual([dx & 255, dy & 255, 255]);
    }
    expect(cap.drags[0]!.points[0]).toEqual([130, 95]);
  });
});
