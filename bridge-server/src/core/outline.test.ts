import { boundsOfPoints, rasterizePolygon, traceContours, type Point } from '@smartdrag/shared';
import { runEdit } from './edit';
import { createImage } from './image';
import { MOVED_MAX_POINTS, movedMask, movedOutline } from './outline';
import { createMask } from './image';
import type { EditRequest, RgbaImage } from './types';

/** A textured background with a solid disc (the object) at (cx, cy). */
function scene(w: number, h: number, cx: number, cy: number, r: number): RgbaImage {
  const img = createImage(w, h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const i = (y * w + x) * 4;
    const inDisc = (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
    img.data[i] = inDisc ? 220 : 40 + ((x * 7 + y * 3) % 50);
    img.data[i + 1] = inDisc ? 30 : 90 + ((x * 5) % 40);
    img.data[i + 2] = inDisc ? 30 : 60 + ((y * 11) % 60);
    img.data[i + 3] = 255;
  }
  return img;
}

/** A selection polygon around the disc (a 24-gon of radius r + 3). */
function around(cx: number, cy: number, r: number): Point[] {
  return Array.from({ length: 24 }, (_, k) => [Math.round(cx + (r + 3) * Math.cos((k * Math.PI) / 12)), Math.round(cy + (r + 3) * Math.sin((k * Math.PI) / 12))] as Point);
}

function translateRequest(img: RgbaImage, cx: number, cy: number, r: number, dx: number, dy: number, quality: 'preview' | 'final' = 'preview'): EditRequest {
  return {
    image: img, quality, seed: 1,
    regions: [{ id: 'r1', mask: rasterizePolygon(around(cx, cy, r)) }],
    drags: [{ region: 'r1', points: [[cx, cy], [cx + dx, cy + dy]], kind: 'translate' }],
  };
}

describe('movedOutline leaves out slivers', () => {
  // A hand-made result: every target pixel moved by (10, 0); a 20 × 20 block and a 1 × 9 sliver
  // of coverage at half (a soft edge hovering about 128), under MOVED_MIN_RING_AREA.
  function result(withBlock: boolean) {
    const w = 60, h = 40, target = createMask(w, h), hole = createMask(w, h);
    if (withBlock) for (let y = 5; y < 25; y++) for (let x = 5; x < 25; x++) target.data[y * w + x] = 255;
    for (let y = 10; y < 19; y++) target.data[y * w + 40] = 130;
    return { crop: { left: 0, top: 0, width: w, height: h }, targetMask: target, holeMask: hole, movedShiftPx: 10 };
  }
  test('a one-pixel sliver beside a moved block is not drawn; alone it is', () => {
    const both = movedOutline(result(true));
    expect(both).toHaveLength(1);
    expect(Math.max(...both[0]!.map(([x]) => x))).toBeLessThan(30);
    const alone = movedOutline(result(false));
    expect(alone).toHaveLength(1);
    expect(Math.min(...alone[0]!.map(([x]) => x))).toBeGreaterThan(38);
  });
});

describe('movedOutline', () => {
  test('a translated object: the outline lies around the selection at its new place, not where it was', async () => {
    const img = scene(320, 240, 100, 110, 30);
    const res = await runEdit(translateRequest(img, 100, 110, 30, 90, -40), { withSourceMap: true });
    const rings = movedOutline(res);
    expect(rings.length).toBeGreaterThanOrEqual(1);
    // The selection (radius 33) moved by (90, −40): its bounds are x 157..223, y 37..103.
    const b = boundsOfPoints(rings.flat());
    const sel = boundsOfPoints(around(190, 70, 30));
    expect(Math.abs(b.left - sel.left)).toBeLessThanOrEqual(3);
    expect(Math.abs(b.top - sel.top)).toBeLessThanOrEqual(3);
    expect(Math.abs(b.left + b.width - (sel.left + sel.width))).toBeLessThanOrEqual(3);
    expect(Math.abs(b.top + b.height - (sel.top + sel.height))).toBeLessThanOrEqual(3);
    // The vacated place is not part of it.
    const m = movedMask(res);
    const at = (x: number, y: number) => (x >= m.left && y >= m.top && x < m.left + m.width && y < m.top + m.height ? m.data[(y - m.top) * m.width + (x - m.left)] : 0);
    expect(at(190, 70)).toBe(255);
    expect(at(100, 110)).toBe(0);
    // The mask is cut to the moved pixels' bounds: about the moved selection's (≤ 67 px a side), not the working crop.
    expect(m.width).toBeLessThanOrEqual(sel.width + 2);
    expect(m.height).toBeLessThanOrEqual(sel.height + 2);
    expect(res.crop.width).toBeGreaterThan(2 * sel.width);
    expect(rings.reduce((s, r) => s + r.length, 0)).toBeLessThanOrEqual(2000);
  });

  test('a proxy preview: the outline comes back in the image\'s pixels, within about a proxy pixel of the full-size one', async () => {
    const img = scene(1200, 900, 400, 420, 110);
    const req = translateRequest(img, 400, 420, 110, 300, -150);
    const res = await runEdit(req, { withSourceMap: true, proxyMaxPixels: 300 * 225 });
    expect(res.proxy).toBeDefined();
    const scale = res.proxy!.scaleX;
    expect(scale).toBeLessThanOrEqual(0.5);
    const b = boundsOfPoints(movedOutline(res).flat());
    const sel = boundsOfPoints(around(700, 270, 110));
    const tol = 2 / scale;
    expect(Math.abs(b.left - sel.left)).toBeLessThanOrEqual(tol);
    expect(Math.abs(b.top - sel.top)).toBeLessThanOrEqual(tol);
    expect(Math.abs(b.left + b.width - (sel.left + sel.width))).toBeLessThanOrEqual(tol);
    expect(Math.abs(b.top + b.height - (sel.top + sel.height))).toBeLessThanOrEqual(tol);
  });

  test('needs the source map', async () => {
    const img = scene(160, 120, 50, 60, 20);
    const res = await runEdit(translateRequest(img, 50, 60, 20, 40, 0));
    expect(() => movedOutline(res)).toThrow(/sourceMap/);
  });

  test('forOutline: translations need no source map and give the same outline; other kinds still build it', async () => {
    const img = scene(600, 400, 200, 210, 60);
    for (const [quality, dx, dy, max] of [['preview', 90, -40, undefined], ['final', 90, -40, undefined], ['final', 33.4, 17.8, undefined], ['preview', 200, -100, 150 * 100]] as const) {
      const req = translateRequest(img, 200, 210, 60, dx, dy, quality);
      const opts = max ? { proxyMaxPixels: max } : {};
      const withMap = await runEdit(req, { ...opts, withSourceMap: true });
      const lean = await runEdit(req, { ...opts, forOutline: true });
      expect(lean.sourceMap).toBeUndefined();
      expect(lean.movedShiftPx).toBeGreaterThan(0.5);
      expect(movedMask(lean)).toEqual(movedMask(withMap));
      expect(movedOutline(lean)).toEqual(movedOutline(withMap));
      expect(Buffer.from(lean.layer.image.data).equals(Buffer.from(withMap.layer.image.data))).toBe(true);
    }
    // Two arrows on one region that cancel out: nothing moved.
    const back: EditRequest = { ...translateRequest(img, 200, 210, 60, 50, 0, 'final'), drags: [
      { region: 'r1', points: [[200, 210], [250, 210]], kind: 'translate' }, { region: 'r1', points: [[250, 210], [200, 210]], kind: 'translate' }] };
    const still = await runEdit(back, { forOutline: true });
    if (still.movedShiftPx !== undefined) expect(movedMask(still).width).toBe(0);
    // A rotation: the map is built (the pixels near the pivot barely move).
    const rot: EditRequest = { ...translateRequest(img, 200, 210, 60, 0, 0, 'final'), drags: [{ region: 'r1', kind: 'rotate', center: [200, 210], points: [[260, 210], [250, 250]] }] };
    const r = await runEdit(rot, { forOutline: true });
    expect(r.sourceMap).toBeUndefined();
    expect(r.movedShiftPx).toBeUndefined();
    expect(r.movedBackward).toBeDefined();
    expect(movedOutline(r)).toEqual(movedOutline(await runEdit(rot, { withSourceMap: true })));
  });

  test('forOutline: one region turned or scaled needs no source map either: the backward map gives the same moved pixels, near the pivot too', async () => {
    const img = scene(600, 400, 200, 210, 60);
    const base = translateRequest(img, 200, 210, 60, 0, 0, 'final');
    const cases: Array<[string, 'preview' | 'final', EditRequest['drags'], number?]> = [
      // A small turn about the region's centre: a disc of ~0.5/θ px around the pivot stays (not moved).
      ['rotate 3°', 'final', [{ region: 'r1', kind: 'rotate', center: [200, 210], points: [[260, 210], [260, 213.1]] }]],
      ['rotate 40° off-centre', 'final', [{ region: 'r1', kind: 'rotate', center: [190.3, 204.7], points: [[260, 210], [244, 252]] }]],
      ['scale 0.97', 'final', [{ region: 'r1', kind: 'scale', center: [200, 210], points: [[260, 210], [258.2, 210]] }]],
      ['scale 1.3', 'preview', [{ region: 'r1', kind: 'scale', center: [203, 214], points: [[260, 210], [278, 210]] }]],
      ['turn then move', 'final', [{ region: 'r1', kind: 'rotate', center: [200, 210], points: [[260, 210], [255, 235]] }, { region: 'r1', kind: 'translate', points: [[200, 210], [251, 187]] }]],
      ['scale on a proxy', 'preview', [{ region: 'r1', kind: 'scale', center: [200, 210], points: [[260, 210], [250, 210]] }], 150 * 100],
    ];
    let stillNearPivot = 0;
    for (const [name, quality, drags, max] of cases) {
      const req: EditRequest = { ...base, quality, drags };
      const opts = max ? { proxyMaxPixels: max } : {};
      const withMap = await runEdit(req, { ...opts, withSourceMap: true });
      const lean = await runEdit(req, { ...opts, forOutline: true });
      expect([name, lean.sourceMap]).toEqual([name, undefined]);
      expect([name, lean.movedBackward?.length]).toEqual([name, 6]);
      const a = movedMask(lean), b = movedMask(withMap);
      expect([name, a.left, a.top, a.width, a.height]).toEqual([name, b.left, b.top, b.width, b.height]);
      expect(Buffer.from(a.data).equals(Buffer.from(b.data))).toBe(true);
      expect(movedOutline(lean)).toEqual(movedOutline(withMap));
      expect(Buffer.from(lean.layer.image.data).equals(Buffer.from(withMap.layer.image.data))).toBe(true);
      // Target pixels that did not move (the pivot's neighbourhood) are left out by both.
      const { crop, targetMask: t, holeMask: h } = lean;
      let target = 0;
      for (let p = 0; p < t.data.length; p++) if (t.data[p]! >= 128 && h.data[p]! < 128) target++;
      let moved = 0;
      for (const v of a.data) if (v) moved++;
      if (moved < target) stillNearPivot++;
      expect(crop.width).toBeGreaterThan(0);
    }
    // The small turn and the slight scale leave pixels near their pivot in place: the test sees that case.
    expect(stillNearPivot).toBeGreaterThanOrEqual(2);
  });

  test('the outline counted straight into the contour grid equals the contours of the moved mask (maps, shifts, turns, a deform, a keep area, a proxy)', async () => {
    const img = scene(600, 400, 200, 210, 60);
    const base = translateRequest(img, 200, 210, 60, 0, 0, 'final');
    const cases: Array<[string, Partial<EditRequest>, { withSourceMap?: boolean; forOutline?: boolean; proxyMaxPixels?: number }]> = [
      ['translate', { drags: [{ region: 'r1', kind: 'translate', points: [[200, 210], [287.3, 171.6]] }] }, { forOutline: true }],
      ['translate with a map', { drags: [{ region: 'r1', kind: 'translate', points: [[200, 210], [287.3, 171.6]] }] }, { withSourceMap: true }],
      ['small turn', { drags: [{ region: 'r1', kind: 'rotate', center: [200, 210], points: [[260, 210], [260, 213.1]] }] }, { forOutline: true }],
      ['scale', { drags: [{ region: 'r1', kind: 'scale', center: [196, 207], points: [[260, 210], [251, 210]] }] }, { forOutline: true }],
      ['deform', { drags: [{ region: 'r1', kind: 'deform', points: [[240, 210], [275, 190]] }] }, { forOutline: true }],
      ['turn with a keep area', { drags: [{ region: 'r1', kind: 'rotate', center: [200, 210], points: [[260, 210], [240, 255]] }], keep: [rasterizePolygon([[190, 150], [300, 150], [300, 190], [190, 190]])] }, { forOutline: true }],
      ['proxy scale', { quality: 'preview', drags: [{ region: 'r1', kind: 'scale', center: [200, 210], points: [[260, 210], [250, 210]] }] }, { forOutline: true, proxyMaxPixels: 150 * 100 }],
    ];
    for (const [name, change, opts] of cases) {
      const res = await runEdit({ ...base, ...change }, opts);
      const viaMask = traceContours(movedMask(res), { maxPoints: MOVED_MAX_POINTS });
      const px = res.proxy;
      const expected = px ? viaMask.map((ring) => ring.map(([x, y]) => [Math.round(((x + 0.5) / px.scaleX - 0.5) * 100) / 100, Math.round(((y + 0.5) / px.scaleY - 0.5) * 100) / 100])) : viaMask;
      expect([name, viaMask.length > 0]).toEqual([name, true]);
      expect([name, movedOutline(res)]).toEqual([name, expected]);
      // A coarser grid too (the cell option reaches the same grid).
      expect([name, movedOutline(res, { cell: 3 })]).toEqual([name, traceContours(movedMask(res), { maxPoints: MOVED_MAX_POINTS, cell: 3 }).map((ring) => px ? ring.map(([x, y]) => [Math.round(((x + 0.5) / px.scaleX - 0.5) * 100) / 100, Math.round(((y + 0.5) / px.scaleY - 0.5) * 100) / 100]) : ring)]);
    }
  });
});
