/**
 * The Photoshop host adapter against the fake `photoshop` module: capture in two short modal
 * scopes with the pure-JS work outside them (regions, arrows in points at 300 ppi, keep channel,
 * trimmed pixels), an edit area beyond the bridge's limits refused before a pixel is read, the
 * source layer's look (opacity, blend mode, masks) warned about, apply as exactly one history
 * state with the source layer untouched, failure/cancel paths that leave no layer, and a document
 * changed at the same size since capture (history state moved on, source layer re-read) refused.
 */
import { createPhotoshopHost } from '../../plugin-photoshop/src/host/photoshop-host';
import { PluginError } from '../../plugin-photoshop/src/app/errors';
import * as maskSplit from '../../plugin-photoshop/src/geometry/mask-split';
import * as placement from '../../plugin-photoshop/src/geometry/placement';
import { FakePhotoshop, type FakeDocument } from './fake-photoshop';

const realSplit = maskSplit.splitMask, realPadInto = placement.padInto;

const W = 120, H = 90;

/** Deterministic opaque test pattern, transparent in the top 10 rows (so getPixels trims). */
function pattern(): Uint8ClampedArray {
  const px = new Uint8ClampedArray(W * H * 4);
  for (let y = 10; y < H; y++) for (let x = 0; x < W; x++) px.set([(x * 7) & 255, (y * 5) & 255, (x + y) & 255, 255], (y * W + x) * 4);
  return px;
}

function disc(cx: number, cy: number, r: number, into: Uint8Array): void {
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    const d = Math.hypot(x - cx, y - cy);
    const v = d <= r - 1 ? 255 : d <= r + 1 ? Math.round(((r + 1 - d) / 2) * 255) : 0; // 2 px feather
    if (v > into[y * W + x]!) into[y * W + x] = v;
  }
}

function setup(resolution = 300): { ps: FakePhotoshop; doc: FakeDocument; sourceId: number; source: Uint8ClampedArray } {
  const ps = new FakePhotoshop();
  const doc = ps.openDocument(W, H, { resolution });
  doc.addLayer('Background', new Uint8ClampedArray(W * H * 4).fill(255), {});
  const source = pattern();
  const layer = doc.addLayer('Photo', source.slice());
  const sel = new Uint8Array(W * H);
  disc(30, 50, 8, sel);
  disc(80, 60, 6, sel);
  doc.selectionMask = sel;
  doc.addPath('Work Path', 'workPath', [
    { closed: false, points: [{ anchor: [30, 50] }, { anchor: [50, 30] }] },
    // A curved arrow for the second object.
    { closed: false, points: [{ anchor: [80, 60], forward: [80, 40] }, { anchor: [100, 40], backward: [90, 40] }] },
    { closed: true, points: [{ anchor: [1, 1] }, { anchor: [5, 1] }, { anchor: [5, 5] }] },
  ]);
  doc.addPath('Saved', 'normalPath', [{ closed: false, points: [{ anchor: [0, 0] }, { anchor: [9, 9] }] }]);
  return { ps, doc, sourceId: layer.id, source };
}

describe('capture', () => {
  test('two short modal scopes read regions, arrows (points -> px at 300 ppi), keep and the trimmed layer pixels', async () => {
    const { ps, doc, sourceId, source } = setup(300);
    const keep = new Uint8Array(W * H);
    for (let y = 40; y < 45; y++) for (let x = 40; x < 48; x++) keep[y * W + x] = 255;
    doc.addChannel('Keep', keep);
    const selBefore = doc.selectionMask!.slice();
    const historyBefore = [...doc.history];

    const host = createPhotoshopHost({ photoshop: ps });
    const cap = await host.capture({ kind: 'auto', marginPx: 8 });

    expect(ps.modalScopes).toBe(2); // the reads, then the area's pixels (the pure JS in between runs with Photoshop free)
    expect(ps.liveImageData).toBe(0);
    expect(doc.history).toEqual(historyBefore); // reading never adds a history state
    expect(doc.selectionMask).toEqual(selBefore); // the keep channel was read and the selection restored
    expect(cap.documentId).toBe(doc.id);
    expect(cap.sourceLayerId).toBe(sourceId);
    expect(cap.resolution).toBe(300);

    expect(cap.regions.map((r) => r.id)).toEqual(['r1', 'r2']);
    // Regions are the selection's parts: together they hold exactly the selection's coverage.
    let total = 0, regionTotal = 0;
    for (const v of selBefore) total += v;
    for (const r of cap.regions) for (const v of r.mask.data) regionTotal += v;
    expect(regionTotal).toBe(total);
    expect(cap.regions[0]!.mask.left).toBeLessThan(30);
    expect(cap.regions[1]!.mask.left).toBeGreaterThan(70);

    // Work Path wins over the saved path; the closed subpath is skipped with a warning.
    expect(cap.drags).toHaveLength(2);
    expect(cap.drags[0]).toEqual({ region: 'r1', points: [[30, 50], [50, 30]], kind: 'auto' });
    expect(cap.drags[1]!.region).toBe('r2');
    expect(cap.drags[1]!.points[0]).toEqual([80, 60]);
    expect(cap.drags[1]!.points[cap.drags[1]!.points.length - 1]).toEqual([100, 40]);
    expect(cap.drags[1]!.points.length).toBeGreaterThan(3);
    expect(cap.warnings.join(' ')).toContain('closed subpath');

    // The pixels are the source layer over the ROI, transparent where the layer is (top rows).
    const [ox, oy] = cap.imageOrigin;
    expect(oy).toBeLessThan(10); // the ROI reaches into the transparent rows getPixels trims
    for (let y = 0; y < cap.image.height; y++) for (let x = 0; x < cap.image.width; x++) {
      const s = ((oy + y) * W + (ox + x)) * 4, d = (y * cap.image.width + x) * 4;
      for (let c = 0; c < 4; c++) if (cap.image.data[d + c] !== source[s + c]) throw new Error(`pixel (${x},${y}) differs`);
    }

    // The keep mask comes from the "Keep" channel, read over what it marks within the ROI only
    // (placed in the document: the bridge places masks by their left/top, as it does regions).
    expect(cap.keep).toHaveLength(1);
    const k = cap.keep![0]!;
    expect([k.left, k.top, k.width, k.height]).toEqual([40, 40, 8, 5]);
    expect(k.left).toBeGreaterThanOrEqual(ox);
    expect(k.top + k.height).toBeLessThanOrEqual(oy + cap.image.height);
    let kept = 0;
    for (const v of k.data) if (v === 255) kept++;
    expect(kept).toBe(5 * 8);
    expect(ps.calls.filter((c) => c === 'getPixels')).toHaveLength(1);
  });

  test('without a selection, channels named "region…" are the regions (one each)', async () => {
    const { ps, doc } = setup(72);
    doc.selectionMask = null;
    const a = new Uint8Array(W * H), b = new Uint8Array(W * H);
    disc(30, 50, 5, a);
    disc(80, 60, 5, b);
    disc(85, 75, 3, b); // a region channel with two parts stays ONE region
    doc.addChannel('region 1', a);
    doc.addChannel('Region 2', b);
    const cap = await createPhotoshopHost({ photoshop: ps }).capture({ kind: 'translate' });
    expect(cap.regions).toHaveLength(2);
    expect(cap.drags.map((d) => [d.region, d.kind])).toEqual([['r1', 'translate'], ['r2', 'translate']]);
    expect(doc.selectionMask).toBeNull();
  });

  test.each([
    ['no_selection', (d: FakeDocument) => { d.selectionMask = null; }],
    ['no_arrows', (d: FakeDocument) => { d.paths = []; }],
  ] as const)('%s', async (code, mutate) => {
    const { ps, doc } = setup();
    mutate(doc);
    await expect(createPhotoshopHost({ photoshop: ps }).capture({ kind: 'auto' })).rejects.toMatchObject({ code });
    expect(ps.liveImageData).toBe(0);
  });

  test('CMYK and 32-bit documents are refused with a clear code; no document -> no_document', async () => {
    const ps = new FakePhotoshop();
    const host = createPhotoshopHost({ photoshop: ps });
    await expect(host.capture({ kind: 'auto' })).rejects.toMatchObject({ code: 'no_document' });
    ps.openDocument(10, 10, { mode: 'CMYKColorMode' });
    await expect(host.capture({ kind: 'auto' })).rejects.toMatchObject({ code: 'unsupported_document' });
    ps.openDocument(10, 10, { bitsPerChannel: 'bitDepth32' });
    await expect(host.capture({ kind: 'auto' })).rejects.toBeInstanceOf(PluginError);
  });

  test('an adjustment or fill layer active (e.g. the Pen in Shape mode made one) -> no_layer, said plainly, no pixels asked for', async () => {
    for (const kind of ['curves', 'solidColor']) {
      const { ps, doc } = setup();
      doc.activeLayers[0]!.kind = kind;
      const host = createPhotoshopHost({ photoshop: ps });
      const err = await host.capture({ kind: 'auto' }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'no_layer', message: expect.stringContaining(`adjustment or fill layer (${kind})`), hint: expect.stringMatching(/Path mode/) });
      expect(ps.calls.filter((c) => c === 'getPixels')).toEqual([]);
    }
    // A smart object or text layer has pixels: read as a pixel layer.
    const { ps, doc } = setup();
    doc.activeLayers[0]!.kind = 'smartObject';
    await expect(createPhotoshopHost({ photoshop: ps }).capture({ kind: 'auto' })).resolves.toMatchObject({ regions: [{ id: 'r1' }, { id: 'r2' }] });
  });

  test('the active layer empty under the selection (the object is on another layer) -> no_layer naming the layer, final and preview', async () => {
    const { ps, doc } = setup();
    // An empty "Layer 1" made active over the photo: the selection is drawn around the photo's objects.
    doc.addLayer('Layer 1', new Uint8ClampedArray(W * H * 4));
    const host = createPhotoshopHost({ photoshop: ps });
    await expect(host.capture({ kind: 'auto' })).rejects.toMatchObject({ code: 'no_layer', message: 'The layer "Layer 1" has no pixels inside the selection.' });
    await expect(host.capturePreview({ kind: 'auto' })).rejects.toMatchObject({ code: 'no_layer' });
    await expect(host.capturePreview({ kind: 'auto', maxPixels: 500 })).rejects.toMatchObject({ code: 'no_layer' });
    // Pixels under one of the two parts are enough.
    const { ps: ps2, doc: doc2 } = setup();
    const some = new Uint8ClampedArray(W * H * 4);
    some.set([200, 10, 10, 255], (60 * W + 80) * 4);
    doc2.addLayer('Layer 1', some);
    await expect(createPhotoshopHost({ photoshop: ps2 }).capture({ kind: 'auto' })).resolves.toMatchObject({ sourceLayerName: 'Layer 1' });
  });

  test('an edit area over the bridge\'s limits is refused before any pixel is read, with the sizes and a hint', async () => {
    const { ps } = setup();
    const host = createPhotoshopHost({ photoshop: ps });
    ps.calls = [];
    const err = await host.capture({ kind: 'auto', limits: { maxImagePixels: 5000, maxImageSidePx: 16384 } }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'image_too_large', message: expect.stringMatching(/^The edit's area is \d+×\d+ px \([\d.]+ MP\); the bridge takes at most 0\.005 MP/), hint: expect.stringMatching(/smaller/) });
    expect(ps.calls).not.toContain('getPixels');
    expect(ps.liveImageData).toBe(0);
    // The longest side counts too; the preview is refused the same way (its Apply could not run).
    await expect(host.capture({ kind: 'auto', limits: { maxImagePixels: 40e6, maxImageSidePx: 50 } })).rejects.toMatchObject({ code: 'image_too_large', message: expect.stringContaining('50 px a side') });
    await expect(host.capturePreview({ kind: 'auto', limits: { maxImagePixels: 5000, maxImageSidePx: 16384 } })).rejects.toMatchObject({ code: 'image_too_large' });
    expect(ps.calls).not.toContain('getPixels');
    // A selection already beyond the limits is refused before its mask is read.
    const { ps: big, doc: bigDoc } = setup();
    bigDoc.selectionMask = new Uint8Array(W * H).fill(255);
    const e2 = await createPhotoshopHost({ photoshop: big }).capture({ kind: 'auto', limits: { maxImagePixels: 5000, maxImageSidePx: 16384 } }).catch((e: unknown) => e);
    expect(e2).toMatchObject({ code: 'image_too_large', message: expect.stringContaining(`The selection is ${W}×${H} px`) });
    expect(big.calls.filter((c) => c === 'getSelection' || c === 'getPixels')).toEqual([]);
    // Within the limits: read as usual.
    await expect(host.capture({ kind: 'auto', limits: { maxImagePixels: 40e6, maxImageSidePx: 16384 } })).resolves.toMatchObject({ regions: [{ id: 'r1' }, { id: 'r2' }] });
  });

  test('a selection of more separate parts than the bridge takes: the parts arrows start on go, the rest stay (said); too many dragged parts -> too_many_regions', async () => {
    const ps = new FakePhotoshop();
    const doc = ps.openDocument(W, H, { resolution: 72 });
    doc.addLayer('Photo', pattern());
    const sel = new Uint8Array(W * H);
    const centres: Array<[number, number]> = [];
    for (let j = 0; j < 4; j++) for (let i = 0; i < 5; i++) centres.push([12 + i * 22, 18 + j * 20]);
    for (const [x, y] of centres) disc(x, y, 4, sel); // 20 specks, each its own part
    doc.selectionMask = sel;
    const arrow = (from: [number, number]) => ({ closed: false, points: [{ anchor: from }, { anchor: [from[0] + 5, from[1] + 3] as [number, number] }] });
    doc.addPath('Work Path', 'workPath', [arrow(centres[6]!), arrow(centres[13]!)]);
    const host = createPhotoshopHost({ photoshop: ps });
    // The bridge's default 16 regions: 2 dragged parts go (before: 20 regions, refused by the bridge).
    const cap = await host.capture({ kind: 'auto' });
    expect(cap.regions).toHaveLength(2);
    expect(cap.drags.map((d) => d.region)).toEqual(['r1', 'r2']);
    const hold = (id: string, p: [number, number]) => { const m = cap.regions.find((r) => r.id === id)!.mask; return m.data[(p[1] - m.top) * m.width + (p[0] - m.left)]; };
    expect([hold('r1', centres[6]!), hold('r2', centres[13]!)]).toEqual([255, 255]);
    expect(cap.warnings.join(' ')).toMatch(/20 separate parts, more than the 16 .* the 18 no arrow starts on stay/);
    // A bridge taking 1 region, two parts dragged: refused before any pixel is read, with a hint.
    const refused = await host.capture({ kind: 'auto', limits: { maxImagePixels: 40e6, maxImageSidePx: 16384, maxRegions: 1 } }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(PluginError);
    expect(refused).toMatchObject({ code: 'too_many_regions', message: expect.stringMatching(/drag 2 separate parts .* at most 1/), hint: expect.stringMatching(/fewer parts/) });
  });

  test('a Cancel while the document is read stops before the pixel read: no second modal scope, code cancelled (final and preview)', async () => {
    for (const preview of [false, true]) {
      const { ps } = setup();
      const host = createPhotoshopHost({ photoshop: ps });
      const ac = new AbortController();
      // The user presses Cancel while the selection is split (between the two scopes).
      const split = jest.spyOn(maskSplit, 'splitMask').mockImplementation((...a) => { ac.abort(); return realSplit(...a); });
      try {
        const read = preview ? host.capturePreview({ kind: 'auto', signal: ac.signal }) : host.capture({ kind: 'auto', signal: ac.signal });
        await expect(read).rejects.toMatchObject({ code: 'cancelled' });
        expect([preview, ps.modalScopes]).toEqual([preview, 1]);
      } finally {
        split.mockRestore();
      }
    }
  });

  test('the pure-JS work (splitting the selection) runs after the modal scopes; inside scope #2 only each band\'s copy into place, between two host calls', async () => {
    const { ps } = setup();
    const seen: Array<[string, boolean, number?]> = [];
    const split = jest.spyOn(maskSplit, 'splitMask').mockImplementation((...a) => { seen.push(['splitMask', ps.inModalScope]); return realSplit(...a); });
    const pad = jest.spyOn(placement, 'padInto').mockImplementation((...a) => { seen.push(['padInto', ps.inModalScope, a[2].width * a[2].height]); return realPadInto(...a); });
    try {
      await createPhotoshopHost({ photoshop: ps, verifyBandPixels: 400 }).capture({ kind: 'auto', marginPx: 8 });
    } finally {
      split.mockRestore();
      pad.mockRestore();
    }
    expect(seen[0]).toEqual(['splitMask', false]);
    const bands = seen.slice(1);
    expect(bands.length).toBeGreaterThan(3);
    // Each band is copied in the scope right after its read (no more than a band's pixels), none after it.
    expect(bands.every(([what, modal, n]) => what === 'padInto' && modal && n! <= 400)).toBe(true);
    expect(ps.calls.filter((c) => c === 'getPixels')).toHaveLength(bands.length);
    expect(ps.liveImageData).toBe(0);
  });

  test('the source layer\'s opacity, fill opacity, blend mode and masks (not in the pixels read, not on the new layer) are warned about', async () => {
    const { ps, doc } = setup();
    const layer = doc.activeLayers[0]!;
    const host = createPhotoshopHost({ photoshop: ps });
    const plain = await host.capture({ kind: 'auto' });
    expect(plain.warnings.join(' ')).not.toMatch(/opacity|blend mode|mask/);
    Object.assign(layer, { opacity: 60, fillOpacity: 80, blendMode: 'multiply', hasUserMask: true, hasVectorMask: true });
    const cap = await host.capture({ kind: 'auto' });
    const w = cap.warnings.find((x) => x.includes('"Photo"'));
    expect(w).toMatch(/opacity 60 %/);
    expect(w).toMatch(/fill opacity 80 %/);
    expect(w).toMatch(/blend mode multiply/);
    expect(w).toMatch(/a layer mask/);
    expect(w).toMatch(/a vector mask/);
    expect(w).toMatch(/Normal at 100 %/);
  });

  test('another plugin holding the modal state -> modal_busy', async () => {
    const { ps } = setup();
    const host = createPhotoshopHost({ photoshop: ps });
    let release!: () => void;
    const holding = ps.core.executeAsModal(() => new Promise<void>((r) => { release = r; }), { commandName: 'Other plugin' });
    const err = (await host.capture({ kind: 'auto' }).catch((e: unknown) => e)) as { code: string; message: string };
    expect(err).toMatchObject({ code: 'modal_busy' });
    // Said in plain words, not Photoshop's raw "host is in a modal state".
    expect(err.message).toMatch(/Photoshop is busy/);
    expect(err.message).not.toMatch(/modal state/);
    release();
    await holding;
  });
});

describe('apply', () => {
  function resultLayer(left: number, top: number, width: number, height: number) {
    const data = new Uint8ClampedArray(width * height * 4);
    // A 3x2 opaque block inside, everything else transparent.
    for (let y = 2; y < 4; y++) for (let x = 1; x < 4; x++) data.set([200, 10 + x, 20 + y, 255], (y * width + x) * 4);
    return { left, top, width, height, data };
  }

  test('exactly one history state, new layer above the source, pixels at the exact document position, source untouched', async () => {
    const { ps, doc, sourceId, source } = setup(300);
    const host = createPhotoshopHost({ photoshop: ps });
    const historyBefore = doc.history.length;
    ps.calls = [];
    const out = await host.applyLayer(resultLayer(37, 21, 6, 6), { documentId: doc.id, sourceLayerId: sourceId, name: 'Smart Drag: move it', docWidth: doc.width, docHeight: doc.height });

    expect(doc.history).toHaveLength(historyBefore + 1);
    expect(doc.history[doc.history.length - 1]).toBe('Smart Drag');
    expect(ps.calls).toEqual([
      'executeAsModal', 'suspendHistory', 'createPixelLayer', 'createImageDataFromBuffer', 'putPixels', 'resumeHistory(commit)',
    ]);
    expect(ps.liveImageData).toBe(0);

    const idx = doc.layers.findIndex((l) => l.id === out.layerId);
    expect(doc.layers[idx]!.name).toBe('Smart Drag: move it');
    expect(doc.layers[idx + 1]!.id).toBe(sourceId); // directly above the source
    expect(doc.findLayer(sourceId)!.pixels).toEqual(source);
    expect(ps.putLog).toEqual([{ layerID: out.layerId, targetBounds: { left: 38, top: 23 }, componentSize: 8 }]);

    const px = doc.layers[idx]!.pixels;
    let opaque = 0;
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
      const a = px[(y * W + x) * 4 + 3]!;
      if (a === 0) continue;
      opaque++;
      // Layer-local (x-37, y-21) had colour [200, 10+lx, 20+ly].
      expect([px[(y * W + x) * 4], px[(y * W + x) * 4 + 1], px[(y * W + x) * 4 + 2]]).toEqual([200, 10 + x - 37, 20 + y - 21]);
    }
    expect(opaque).toBe(6);
  });

  test('the new layer goes above the source even when another layer is active', async () => {
    const { ps, doc, sourceId } = setup();
    const top = doc.addLayer('Top', new Uint8ClampedArray(W * H * 4));
    doc.activeLayers = [top];
    const out = await createPhotoshopHost({ photoshop: ps }).applyLayer(resultLayer(0, 0, 6, 6), { documentId: doc.id, sourceLayerId: sourceId, name: 'x', docWidth: doc.width, docHeight: doc.height });
    expect(doc.layers.map((l) => l.id)).toEqual([top.id, out.layerId, sourceId, doc.layers[3]!.id]);
    expect(doc.history.slice(-1)).toEqual(['Smart Drag']);
  });

  test('a putPixels failure rolls back: no layer left behind, no history state', async () => {
    const { ps, doc, sourceId, source } = setup();
    const layersBefore = doc.layers.map((l) => l.id);
    const historyBefore = [...doc.history];
    ps.failNext = { op: 'putPixels', error: new Error('Photoshop: out of memory') };
    await expect(createPhotoshopHost({ photoshop: ps }).applyLayer(resultLayer(5, 5, 6, 6), { documentId: doc.id, sourceLayerId: sourceId, name: 'x', docWidth: doc.width, docHeight: doc.height }))
      .rejects.toMatchObject({ code: 'host_error', message: 'Photoshop: out of memory' });
    expect(doc.layers.map((l) => l.id)).toEqual(layersBefore);
    expect(doc.history).toEqual(historyBefore);
    expect(doc.findLayer(sourceId)!.pixels).toEqual(source);
    expect(ps.liveImageData).toBe(0);
  });

  test('a layer-creation failure leaves the document untouched', async () => {
    const { ps, doc, sourceId } = setup();
    const layersBefore = doc.layers.map((l) => l.id);
    ps.failNext = { op: 'createPixelLayer', error: new Error('nope') };
    await expect(createPhotoshopHost({ photoshop: ps }).applyLayer(resultLayer(5, 5, 6, 6), { documentId: doc.id, sourceLayerId: sourceId, name: 'x', docWidth: doc.width, docHeight: doc.height })).rejects.toBeInstanceOf(PluginError);
    expect(doc.layers.map((l) => l.id)).toEqual(layersBefore);
  });

  test('a user cancel during apply (Esc) rolls back', async () => {
    const { ps, doc, sourceId } = setup();
    const layersBefore = doc.layers.map((l) => l.id);
    const historyBefore = [...doc.history];
    ps.cancelAfter = 'putPixels';
    await expect(createPhotoshopHost({ photoshop: ps }).applyLayer(resultLayer(5, 5, 6, 6), { documentId: doc.id, sourceLayerId: sourceId, name: 'x', docWidth: doc.width, docHeight: doc.height })).rejects.toMatchObject({ code: 'cancelled' });
    expect(doc.layers.map((l) => l.id)).toEqual(layersBefore);
    expect(doc.history).toEqual(historyBefore);
  });

  test('an aborted signal never enters a modal scope; a deleted source layer is document_changed', async () => {
    const { ps, doc, sourceId } = setup();
    const host = createPhotoshopHost({ photoshop: ps });
    const ac = new AbortController();
    ac.abort();
    await expect(host.applyLayer(resultLayer(0, 0, 6, 6), { documentId: doc.id, sourceLayerId: sourceId, name: 'x', docWidth: doc.width, docHeight: doc.height }, ac.signal)).rejects.toMatchObject({ code: 'cancelled' });
    expect(ps.modalScopes).toBe(0);
    await expect(host.applyLayer(resultLayer(0, 0, 6, 6), { documentId: doc.id, sourceLayerId: 9999, name: 'x', docWidth: doc.width, docHeight: doc.height })).rejects.toMatchObject({ code: 'document_changed' });
  });

  test('a result that changed nothing creates no layer', async () => {
    const { ps, doc, sourceId } = setup();
    const historyBefore = [...doc.history];
    const out = await createPhotoshopHost({ photoshop: ps }).applyLayer({ left: 0, top: 0, width: 4, height: 4, data: new Uint8ClampedArray(64) }, { documentId: doc.id, sourceLayerId: sourceId, name: 'x', docWidth: doc.width, docHeight: doc.height });
    expect(out.layerId).toBeNull();
    expect(doc.history).toEqual(historyBefore);
  });

  test('16-bit documents get 16-bit image data (0..32768)', async () => {
    const ps = new FakePhotoshop();
    const doc = ps.openDocument(W, H, { bitsPerChannel: 'bitDepth16' });
    const src = doc.addLayer('Photo', pattern());
    const out = await createPhotoshopHost({ photoshop: ps }).applyLayer(resultLayer(10, 10, 6, 6), { documentId: doc.id, sourceLayerId: src.id, name: 'x', docWidth: doc.width, docHeight: doc.height });
    expect(ps.putLog[0]!.componentSize).toBe(16);
    const px = doc.findLayer(out.layerId!)!.pixels;
    expect(Array.from(px.subarray(((12 * W) + 11) * 4, ((12 * W) + 11) * 4 + 4))).toEqual([200, 11, 22, 255]);
  });
});

describe('capture reads the edit\'s area in bands: the area is held once, not three times', () => {
  /** The capture's image is the source layer over its area, as one read gives it (RGB read: alpha 255). */
  function expectSourcePixels(cap: { imageOrigin: [number, number]; image: { width: number; height: number; data: Uint8ClampedArray } }, source: Uint8ClampedArray, rgb = false): void {
    const [ox, oy] = cap.imageOrigin;
    for (let y = 0; y < cap.image.height; y++) for (let x = 0; x < cap.image.width; x++) {
      const s = ((oy + y) * W + (ox + x)) * 4, d = (y * cap.image.width + x) * 4;
      for (let c = 0; c < 4; c++) {
        const want = rgb && c === 3 ? 255 : source[s + c]!;
        if (cap.image.data[d + c] !== want) throw new Error(`pixel (${x},${y}) component ${c}: ${cap.image.data[d + c]} ≠ ${want}`);
      }
    }
  }

  test.each([
    ['a pixel layer (RGBA; the area reaches into rows getPixels trims)', false],
    ['a Background layer (getPixels gives RGB)', true],
  ])('%s: bands of at most verifyBandPixels, each disposed before the next is read, so Photoshop holds one band of image data at a time; the pixels are those of one read', async (_name, background) => {
    const { ps, doc, source } = setup(300);
    const layer = doc.activeLayers[0]!;
    if (background) {
      for (let i = 3; i < source.length; i += 4) source[i] = 255;
      layer.pixels = source.slice();
      layer.isBackground = true;
    }
    const band = 500;
    const cap = await createPhotoshopHost({ photoshop: ps, verifyBandPixels: band }).capture({ kind: 'auto', marginPx: 8 });
    const rows = Math.floor(band / cap.image.width);
    expect(cap.image.height).toBeGreaterThan(4 * rows); // many bands
    expect(ps.calls.filter((c) => c === 'getPixels')).toHaveLength(Math.ceil(cap.image.height / rows));
    expect(ps.getPixelsLog.every((g) => (g.sourceBounds.right - g.sourceBounds.left) * (g.sourceBounds.bottom - g.sourceBounds.top) <= band)).toBe(true);
    // One band of image data at most (was the whole area: getPixels' image data lived until the capture ended).
    expect(ps.peakImageBytes.getPixels).toBeLessThanOrEqual(band * (background ? 3 : 4));
    expect(ps.liveImageData).toBe(0);
    expectSourcePixels(cap, source, background);
  });

  test('a band Photoshop will not read (here: one where the layer has no pixels, if getPixels throws there — VERIFY) falls back to one read of the whole area: the same pixels', async () => {
    const { ps, source } = setup(300);
    ps.emptyReadThrows = true;
    const cap = await createPhotoshopHost({ photoshop: ps, verifyBandPixels: 500 }).capture({ kind: 'auto', marginPx: 8 });
    const [ox, oy] = cap.imageOrigin;
    // The first band lay in the transparent top rows: it threw, and the area was read in one go.
    expect(ps.calls.filter((c) => c === 'getPixels')).toHaveLength(2);
    expect(ps.getPixelsLog.map((g) => g.sourceBounds)).toEqual([{ left: ox, top: oy, right: ox + cap.image.width, bottom: oy + cap.image.height }]);
    expect(ps.liveImageData).toBe(0);
    expectSourcePixels(cap, source);
  });

  test('Esc while the bands are read: cancelled, no whole-area read after it, nothing left undisposed', async () => {
    const { ps } = setup(300);
    ps.cancelAfter = 'getPixels';
    await expect(createPhotoshopHost({ photoshop: ps, verifyBandPixels: 500 }).capture({ kind: 'auto', marginPx: 8 })).rejects.toMatchObject({ code: 'cancelled' });
    // The band that ran; the next call was refused (the fake throws before recording it) and no whole-area read followed.
    expect(ps.getPixelsLog).toHaveLength(1);
    const b = ps.getPixelsLog[0]!.sourceBounds;
    expect((b.right - b.left) * (b.bottom - b.top)).toBeLessThanOrEqual(500);
    expect(ps.liveImageData).toBe(0);
  });
});

describe('apply after the document changed at the same size', () => {
  /** A capture, and the apply target the controller builds from it. */
  async function captured(opts: { band?: number } = {}) {
    const s = setup();
    const host = createPhotoshopHost({ photoshop: s.ps, ...(opts.band ? { verifyBandPixels: opts.band } : {}) });
    const c = await host.capture({ kind: 'auto' });
    const target = {
      documentId: c.documentId, sourceLayerId: c.sourceLayerId, name: 'Smart Drag', docWidth: c.docWidth, docHeight: c.docHeight,
      historyStateId: c.historyStateId!,
      source: { area: { left: c.imageOrigin[0], top: c.imageOrigin[1], width: c.image.width, height: c.image.height }, data: c.image.data },
    };
    const layer = { left: c.imageOrigin[0], top: c.imageOrigin[1], width: 6, height: 6, data: new Uint8ClampedArray(144).fill(200) };
    return { ...s, host, c, target, layer };
  }

  test('the capture records the active history state its pixels are of', async () => {
    const { doc, c } = await captured();
    expect(c.historyStateId).toBe(doc.activeHistoryState.id);
  });

  test('a change that leaves the source layer as read (Deselect): compared band by band (trimmed transparent rows too), applied', async () => {
    const { ps, doc, host, c, target, layer } = await captured({ band: 500 });
    doc.deselect();
    expect(doc.activeHistoryState.id).not.toBe(c.historyStateId);
    const reads = ps.getPixelsLog.length;
    const out = await host.applyLayer(layer, target);
    expect(out.layerId).not.toBeNull();
    const bands = ps.getPixelsLog.slice(reads);
    expect(bands.length).toBe(Math.ceil(c.image.height / Math.floor(500 / c.image.width)));
    expect(bands.every((b) => (b.sourceBounds.right - b.sourceBounds.left) * (b.sourceBounds.bottom - b.sourceBounds.top) <= 500)).toBe(true);
    expect(ps.liveImageData).toBe(0);
  });

  test('one pixel of the last band painted: refused (document_changed), no layer, no history state, nothing left undisposed', async () => {
    const { ps, doc, sourceId, host, c, target, layer } = await captured({ band: 500 });
    const src = doc.findLayer(sourceId)!;
    const x = c.imageOrigin[0] + c.image.width - 1, y = c.imageOrigin[1] + c.image.height - 1;
    src.pixels.set([1, 2, 3, 255], (y * W + x) * 4);
    doc.mutated('Brush Tool'); // the user's brush stroke: one history state
    const layersBefore = doc.layers.map((l) => l.id), historyBefore = [...doc.history];
    await expect(host.applyLayer(layer, target)).rejects.toMatchObject({ code: 'document_changed', message: expect.stringContaining('"Photo" no longer holds the pixels') });
    expect(doc.layers.map((l) => l.id)).toEqual(layersBefore);
    expect(doc.history).toEqual(historyBefore);
    expect(ps.liveImageData).toBe(0);
  });

  test('a changed history state and no pixels to compare with: refused', async () => {
    const { doc, host, target, layer } = await captured();
    doc.rotate180();
    const { source: _omit, ...noPixels } = target;
    await expect(host.applyLayer(layer, noPixels)).rejects.toMatchObject({ code: 'document_changed' });
    expect(doc.layers).toHaveLength(2);
  });

  test('the document rotated between the two capture scopes (while the selection is split): refused at capture', async () => {
    const { ps, doc } = setup();
    const split = jest.spyOn(maskSplit, 'splitMask').mockImplementation((...a) => { doc.rotate180(); return realSplit(...a); });
    try {
      await expect(createPhotoshopHost({ photoshop: ps }).capture({ kind: 'auto' })).rejects.toMatchObject({ code: 'document_changed' });
    } finally {
      split.mockRestore();
    }
  });
});

describe('module resolution', () => {
  test('createPhotoshopHost() with no argument uses require("photoshop") (a webpack external)', async () => {
    const fake = new FakePhotoshop();
    jest.doMock('photoshop', () => fake, { virtual: true });
    try {
      const { ps, doc } = { ps: fake, doc: fake.openDocument(4, 4) };
      doc.addLayer('L', new Uint8ClampedArray(64));
      await expect(createPhotoshopHost().capture({ kind: 'auto' })).rejects.toMatchObject({ code: 'no_selection' });
      expect(ps.modalScopes).toBe(1);
    } finally {
      jest.dontMock('photoshop');
    }
  });
});
