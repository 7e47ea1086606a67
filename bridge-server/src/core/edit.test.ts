import * as fs from 'fs';
import * as path from 'path';
import { readImage } from '../io/image-io';
import { caseToRequest, parseDragCase, type DragCase } from './case';
import { growHole, HOLE_GROW_PX, holeGrowRadius, rimReach, runEdit, trimmedChangedLayer, UNCOVER_ALPHA_TOLERANCE } from './edit';
import { cloneImage, createImage, createMask, placedMaskToCrop } from './image';
import { warpRegions } from './warp';
import { applyObjectReading } from './plan';
import { CancelledError, type EditRequest, type Filler, type RgbaImage } from './types';
import { makeTexture } from './textures';
import { rasterizePolygon } from '@smartdrag/shared';

const FIX = path.join(__dirname, '../../../test/fixtures');

async function loadCase(id: string): Promise<{ c: DragCase; img: RgbaImage }> {
  const c = parseDragCase(JSON.parse(fs.readFileSync(path.join(FIX, 'cases', `${id}.json`), 'utf8')));
  return { c, img: await readImage(path.join(FIX, c.image)) };
}
const px = (img: RgbaImage, x: number, y: number): number[] => Array.from(img.data.subarray((y * img.width + x) * 4, (y * img.width + x) * 4 + 4));

/** Filler that leaves the hole transparent (the contract's simplest implementation). */
const clearFiller: Filler = {
  name: 'clear',
  fill(image, hole) { for (let p = 0; p < hole.data.length; p++) if (hole.data[p]! > 0) image.data[p * 4 + 3] = 0; },
};

describe('runEdit on bundled translate cases (drag kind given)', () => {
  test.each([
    ['apple-move-right', 'final'],
    ['coffee-move-spoon', 'final'],
    ['home-move-two-birds', 'preview'],
    ['smarties-move-green-blue', 'preview'],
  ] as const)('%s (%s): pixels land, keep is untouched, layer = changed pixels', async (id, quality) => {
    const { c, img } = await loadCase(id);
    const req = caseToRequest(c, img, { quality });
    const stages: string[] = [];
    // Final quality takes an injected filler; a trivial one keeps this test about the pipeline.
    const res = await runEdit(req, { filler: clearFiller, onProgress: (s, f) => { if (f === 1 && stages[stages.length - 1] !== s) stages.push(s); } });
    expect(stages).toEqual(['plan', 'warp', 'fill', 'blend', 'layer']);
    // Stage timings are real measurements: finite, and together no longer than the whole edit.
    const stageKeys = ['plan', 'warp', 'fill', 'blend', 'layer'];
    for (const k of stageKeys) expect(Number.isFinite(res.timings[k]) && res.timings[k]! >= 0).toBe(true);
    expect(res.timings.total).toBeGreaterThan(0);
    expect(stageKeys.reduce((a, k) => a + res.timings[k]!, 0)).toBeLessThanOrEqual(res.timings.total! + 1e-6);
    expect(res.plan.operations.map((o) => o.kind)).toEqual(c.drags.map(() => 'translate'));
    const { crop } = res;
    expect(crop.left).toBeGreaterThanOrEqual(0);
    expect(crop.top).toBeGreaterThanOrEqual(0);
    expect(crop.left + crop.width).toBeLessThanOrEqual(img.width);
    expect(crop.top + crop.height).toBeLessThanOrEqual(img.height);
    // The crop is the edited area, not the canvas (the apple fills its photo, the others do not).
    if (id !== 'apple-move-right') expect(crop.width * crop.height).toBeLessThan(img.width * img.height / 2);

    // Each drag's handle pixel (an integer translation) sits at its target after the warp
    // stage, bit-exactly (fill/blend may retouch it afterwards, so check the warp itself).
    // (The regions as the planner read them: a tight selection on plain paper carries its cast shadow.)
    const regions = applyObjectReading(req, res.plan).regions;
    const warp = warpRegions({ image: img, regions, operations: res.plan.operations, keep: req.keep, quality });
    expect(warp.crop).toEqual(crop);
    for (const d of c.drags) {
      const [hx, hy] = d.points[0]!, [tx, ty] = d.points[d.points.length - 1]!;
      const i = ((ty - crop.top) * crop.width + (tx - crop.left)) * 4;
      expect(Array.from(warp.edited.data.subarray(i, i + 4))).toEqual(px(img, hx, hy));
      expect(res.targetMask.data[(ty - crop.top) * crop.width + (tx - crop.left)]).toBe(255);
    }
    const layerAlpha = (dx: number, dy: number): number => {
      const lx = dx - res.layer.left, ly = dy - res.layer.top;
      return lx >= 0 && ly >= 0 && lx < res.layer.image.width && ly < res.layer.image.height ? res.layer.image.data[(ly * res.layer.image.width + lx) * 4 + 3]! : 0;
    };
    // Keep pixels are bit-identical; the hole never includes them.
    const keep = createMask(crop.width, crop.height);
    for (const k of req.keep ?? []) placedMaskToCrop(k, crop, keep);
    let keepCount = 0, keepBad = 0;
    const same = (a: ArrayLike<number>, i: number, b: ArrayLike<number>, j: number) =>
      a[i] === b[j] && a[i + 1] === b[j + 1] && a[i + 2] === b[j + 2] && a[i + 3] === b[j + 3];
    for (let y = 0; y < crop.height; y++) {
      for (let x = 0; x < crop.width; x++) {
        const p = y * crop.width + x;
        if (keep.data[p] === 0) continue;
        keepCount++;
        const o = ((y + crop.top) * img.width + x + crop.left) * 4;
        if (!same(res.edited.data, p * 4, img.data, o) || res.holeMask.data[p] !== 0 || layerAlpha(x + crop.left, y + crop.top) !== 0) keepBad++;
      }
    }
    expect(keepBad).toBe(0);
    if (id === 'apple-move-right') expect(keepCount).toBeGreaterThan(1000);
    // The layer holds exactly the changed pixels, trimmed to their box inside the crop.
    const L = res.layer;
    expect(L.left).toBeGreaterThanOrEqual(crop.left);
    expect(L.top).toBeGreaterThanOrEqual(crop.top);
    expect(L.left + L.image.width).toBeLessThanOrEqual(crop.left + crop.width);
    expect(L.top + L.image.height).toBeLessThanOrEqual(crop.top + crop.height);
    let changed = 0, layerBad = 0;
    let bx0 = Infinity, by0 = Infinity, bx1 = -Infinity, by1 = -Infinity;
    for (let y = 0; y < crop.height; y++) {
      for (let x = 0; x < crop.width; x++) {
        const p = (y * crop.width + x) * 4, o = ((y + crop.top) * img.width + x + crop.left) * 4;
        const lx = x + crop.left - L.left, ly = y + crop.top - L.top;
        const inside = lx >= 0 && ly >= 0 && lx < L.image.width && ly < L.image.height, q = (ly * L.image.width + lx) * 4;
        if (!same(res.edited.data, p, img.data, o)) {
          changed++;
          if (res.edited.data[p + 3]! > 0) { bx0 = Math.min(bx0, x); by0 = Math.min(by0, y); bx1 = Math.max(bx1, x); by1 = Math.max(by1, y); }
          if (!inside || !same(L.image.data, q, res.edited.data, p)) layerBad++;
        } else if (inside && L.image.data[q + 3] !== 0) layerBad++;
      }
    }
    expect(layerBad).toBe(0);
    // Trimmed: the layer's box is the changed pixels' box.
    expect([L.left, L.top, L.image.width, L.image.height]).toEqual([crop.left + bx0, crop.top + by0, bx1 - bx0 + 1, by1 - by0 + 1]);
    expect(changed).toBeGreaterThan(0);
  });

  test('an aborted signal cancels between stages', async () => {
    const { c, img } = await loadCase('smarties-move-red');
    const ac = new AbortController();
    const req: EditRequest = caseToRequest(c, img, { quality: 'preview' });
    const p = runEdit(req, { signal: ac.signal, onProgress: (s) => { if (s === 'warp') ac.abort(); } });
    await expect(p).rejects.toBeInstanceOf(CancelledError);
    ac.abort();
    await expect(runEdit(req, { signal: ac.signal })).rejects.toBeInstanceOf(CancelledError);
  });
});

describe('growHole', () => {
  it('grows the hole by the radius into free pixels only, and forbids them as sources', () => {
    const S = 20, mk = () => createMask(S, S);
    const hole = mk(), target = mk(), keep = mk(), forbidden = mk();
    for (let y = 8; y < 12; y++) for (let x = 8; x < 12; x++) hole.data[y * S + x] = 255;
    target.data[10 * S + 13] = 255; // right of the hole, 2 px away: moved content stays
    keep.data[7 * S + 9] = 255; // just above: keep stays
    growHole(hole, target, keep, forbidden, 3);
    expect(hole.data[10 * S + 12]).toBe(255); // 1 px right
    expect(hole.data[10 * S + 13]).toBe(0); // target
    expect(hole.data[7 * S + 9]).toBe(0); // keep
    expect(hole.data[6 * S + 10]).toBe(255); // 2 px above
    expect(hole.data[5 * S + 10]).toBe(128); // 3 px: soft last ring
    expect(hole.data[4 * S + 10]).toBe(0); // beyond the radius
    expect(forbidden.data[6 * S + 10]).toBe(255);
    expect(forbidden.data[4 * S + 10]).toBe(0);
  });
  it('a hole inside an elastic drag\'s area grows only inside it; a hole outside grows as before', () => {
    const S = 24, mk = () => createMask(S, S);
    const hole = mk(), target = mk(), keep = mk(), forbidden = mk(), area = mk();
    for (let y = 0; y < S; y++) for (let x = 0; x < 12; x++) area.data[y * S + x] = 255; // left half
    for (let y = 4; y < 8; y++) for (let x = 8; x < 12; x++) hole.data[y * S + x] = 255; // at the area's edge
    for (let y = 16; y < 20; y++) for (let x = 16; x < 20; x++) hole.data[y * S + x] = 255; // outside it
    growHole(hole, target, keep, forbidden, 3, undefined, area);
    expect(hole.data[6 * S + 7]).toBe(255); // left of the first hole, inside the area
    expect(hole.data[6 * S + 12]).toBe(0); // right of it, outside the area: never grown
    expect(forbidden.data[6 * S + 12]).toBe(0);
    expect(hole.data[18 * S + 15]).toBe(255); // the outside hole grows both ways
    expect(hole.data[18 * S + 20]).toBe(255);
    // Without the area the first hole grows out of it too.
    const hole2 = mk();
    for (let y = 4; y < 8; y++) for (let x = 8; x < 12; x++) hole2.data[y * S + x] = 255;
    growHole(hole2, target, keep, mk(), 3);
    expect(hole2.data[6 * S + 12]).toBe(255);
  });
  it('a partly covered edge pixel of the hole that the growth passes becomes fully hole; where the growth stops it stays soft', () => {
    const S = 24, mk = () => createMask(S, S);
    const hole = mk(), target = mk(), keep = mk(), area = mk();
    for (let y = 8; y < 12; y++) for (let x = 8; x < 12; x++) hole.data[y * S + x] = 255;
    hole.data[10 * S + 12] = 160; // the selection's anti-aliased edge, right of the block
    hole.data[7 * S + 9] = 200; // and above it
    growHole(hole, target, keep, mk(), 3);
    expect(hole.data[10 * S + 12]).toBe(255);
    expect(hole.data[7 * S + 9]).toBe(255);
    // At an elastic drag's area edge the growth stops: the pixel outside is never touched, and the
    // edge pixel keeps its coverage.
    for (let y = 0; y < S; y++) for (let x = 0; x < 12; x++) area.data[y * S + x] = 255;
    const hole2 = mk();
    for (let y = 4; y < 8; y++) for (let x = 8; x < 11; x++) hole2.data[y * S + x] = 255;
    hole2.data[6 * S + 11] = 160;
    growHole(hole2, target, keep, mk(), 3, undefined, area);
    expect(hole2.data[6 * S + 11]).toBe(160);
    expect(hole2.data[6 * S + 12]).toBe(0);
  });
});

/**
 * The darkest red level of the document after `res` inside the disc `old` (x, y, radius: an
 * object's old place and its rim) and outside the disc `moved` (where it went).
 */
function darkestLeftBehind(image: RgbaImage, res: { crop: { left: number; top: number; width: number; height: number }; edited: RgbaImage }, old: [number, number, number], moved: [number, number, number]): number {
  const W = image.width, H = image.height;
  let darkest = 255;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      if (Math.hypot(x - old[0], y - old[1]) > old[2] || Math.hypot(x - moved[0], y - moved[1]) < moved[2]) continue;
      const cx = x - res.crop.left, cy = y - res.crop.top;
      const v = cx >= 0 && cy >= 0 && cx < res.crop.width && cy < res.crop.height ? res.edited.data[(cy * res.crop.width + cx) * 4]! : image.data[(y * W + x) * 4]!;
      darkest = Math.min(darkest, v);
    }
  }
  return darkest;
}

describe('a tight selection moved away leaves no ghost of its outline', () => {
  test('the anti-aliased edge of a dark disc on white is filled like the rest of the vacated place', async () => {
    const W = 160, H = 120;
    const image = createImage(W, H);
    image.data.fill(255);
    // A dark disc with a soft 1-px rim, and a selection drawn on its outline (anti-aliased polygon).
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const d = Math.hypot(x - 50, y - 60) - 20, a = Math.max(0, Math.min(1, 0.5 - d));
        const i = (y * W + x) * 4;
        for (let c = 0; c < 3; c++) image.data[i + c] = Math.round(255 - a * 235);
      }
    }
    const poly = Array.from({ length: 64 }, (_, k) => [50 + 20 * Math.cos((2 * Math.PI * k) / 64), 60 + 20 * Math.sin((2 * Math.PI * k) / 64)] as [number, number]);
    const req: EditRequest = {
      image, regions: [{ id: 'r', mask: rasterizePolygon(poly) }], drags: [{ region: 'r', kind: 'translate', points: [[50, 60], [110, 60]] }], quality: 'final', seed: 1,
    };
    const res = await runEdit(req);
    // Every pixel of the old place (the disc and 3 px around it) that the moved disc does not
    // reach is white again: no grey ring where the rim was.
    expect(darkestLeftBehind(image, res, [50, 60, 23], [110, 60, 25])).toBeGreaterThan(235);
  });
});

/**
 * A dark disc of radius `r` centred at (cx, cy) on white whose edge ramps over `soft` px (a blurred
 * photo's edge: anti-aliasing and defocus grow with the resolution), and a selection drawn on the
 * middle of the ramp.
 */
function softDisc(W: number, H: number, cx: number, cy: number, r: number, soft: number): { image: RgbaImage; poly: [number, number][] } {
  const image = createImage(W, H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const a = Math.max(0, Math.min(1, 0.5 - (Math.hypot(x - cx, y - cy) - r) / soft));
      const i = (y * W + x) * 4;
      for (let c = 0; c < 3; c++) image.data[i + c] = Math.round(255 - a * 235);
      image.data[i + 3] = 255;
    }
  }
  const poly = Array.from({ length: 128 }, (_, k) => [cx + r * Math.cos((2 * Math.PI * k) / 128), cy + r * Math.sin((2 * Math.PI * k) / 128)] as [number, number]);
  return { image, poly };
}

describe('the vacated area grows past the object\'s soft edge (photos at the resolution users open)', () => {
  const holeOf = (W: number, H: number, poly: [number, number][]) => placedMaskToCrop(rasterizePolygon(poly), { left: 0, top: 0, width: W, height: H });
  test('rimReach reads how far a soft edge runs outside the selection, in proportion to its width', () => {
    const W = 400, H = 300, none = createMask(W, H);
    const reaches = [4, 10, 20].map((soft) => {
      const { image, poly } = softDisc(W, H, 200, 150, 80, soft);
      return rimReach(image, holeOf(W, H, poly), none, none).reach;
    });
    // A ramp of `soft` px centred on the selection: its steepest point on the outline, as wide as
    // the ramp — the object's colour runs `soft` / 2 px out and its faint tail about as far again.
    expect(reaches[0]).toBeGreaterThan(2); expect(reaches[0]).toBeLessThan(7);
    expect(reaches[1]).toBeGreaterThan(7); expect(reaches[1]).toBeLessThan(14);
    expect(reaches[2]).toBeGreaterThan(15); expect(reaches[2]).toBeLessThan(26);
    // A sharp edge keeps the usual growth; a wide one gets more.
    const sharp = softDisc(W, H, 200, 150, 80, 1);
    expect(holeGrowRadius(sharp.image, holeOf(W, H, sharp.poly), none, none)).toBe(HOLE_GROW_PX);
    const soft = softDisc(W, H, 200, 150, 80, 20);
    expect(holeGrowRadius(soft.image, holeOf(W, H, soft.poly), none, none)).toBeGreaterThanOrEqual(25);
  });

  test('no edge to read (a selection on plain colour): the usual growth', () => {
    const W = 200, H = 200, none = createMask(W, H), image = createImage(W, H);
    image.data.fill(128);
    const poly: [number, number][] = [[50, 50], [150, 50], [150, 150], [50, 150]];
    expect(rimReach(image, holeOf(W, H, poly), none, none)).toEqual({ reach: 0, width: 0 });
    expect(holeGrowRadius(image, holeOf(W, H, poly), none, none)).toBe(HOLE_GROW_PX);
  });

  test('a blurred disc moved away leaves no grey ring (the 1-px disc test above, at the softness of a 4× photo)', async () => {
    const W = 640, H = 400;
    const { image, poly } = softDisc(W, H, 200, 200, 80, 20);
    const req: EditRequest = { image, regions: [{ id: 'r', mask: rasterizePolygon(poly) }], drags: [{ region: 'r', kind: 'translate', points: [[200, 200], [440, 200]] }], quality: 'final', seed: 1 };
    const res = await runEdit(req);
    // The old place and its soft edge (12 px past the ramp), wherever the moved disc and its own
    // soft edge do not reach: white again. With the growth fixed at 6 px the ramp's outer half
    // stayed as a grey ring (and the fill's colour correction spread it inwards).
    expect(darkestLeftBehind(image, res, [200, 200, 102], [440, 200, 100])).toBeGreaterThan(235);
  });
});

describe('the vacated area grows over a soft shadow\'s tail', () => {
  // A dark disc (r 60, a 6 px soft edge) on white; past its edge a shadow takes up to 14 levels of
  // red and 3.5 of green (a bluish tint) and fades out over `tailPx` (the pencil's shadow line on the
  // desk at 4×: its grey step ends a few px out, the tint runs on). `other`: a second dark disc
  // (r 20) 40 px past the first one's edge.
  function tinted(tailPx: number, other = false): { image: RgbaImage; hole: ReturnType<typeof placedMaskToCrop> } {
    const W = 400, H = 320, cx = 160, cy = 160, r = 60;
    const image = createImage(W, H);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const dd = Math.hypot(x - cx, y - cy) - r, a = Math.max(0, Math.min(1, 0.5 - dd / 6));
        const tint = tailPx > 0 ? 14 * Math.exp(-Math.max(0, dd) / tailPx) : 0;
        const i = (y * W + x) * 4;
        image.data[i] = Math.round(30 * a + (255 - tint) * (1 - a));
        image.data[i + 1] = Math.round(30 * a + (255 - tint / 4) * (1 - a));
        image.data[i + 2] = Math.round(30 * a + 255 * (1 - a));
        image.data[i + 3] = 255;
        if (other && Math.hypot(x - (cx + r + 60), y - cy) <= 20) image.data.set([40, 40, 40, 255], i);
      }
    }
    const poly = Array.from({ length: 128 }, (_, k) => [cx + r * Math.cos((2 * Math.PI * k) / 128), cy + r * Math.sin((2 * Math.PI * k) / 128)] as [number, number]);
    return { image, hole: placedMaskToCrop(rasterizePolygon(poly), { left: 0, top: 0, width: W, height: H }) };
  }
  const none = createMask(400, 320);

  test('rimReach follows the tail until the colour has settled on the backdrop\'s', () => {
    const edge = rimReach(tinted(0).image, tinted(0).hole, none, none).reach;
    const reaches = [8, 20].map((L) => { const t = tinted(L); return rimReach(t.image, t.hole, none, none).reach; });
    // The edge alone: a few px. A tail settled within 3 levels ~12 and ~31 px out: reached.
    // (Before the tail was read: 7.5 and 7.4 px, the edge only.)
    expect(edge).toBeLessThan(8);
    expect(reaches[0]).toBeGreaterThan(10);
    expect(reaches[1]).toBeGreaterThan(20);
    expect(reaches[1]).toBeLessThan(40);
  });

  test('paper that stays flat up to another object further out is no tail (the growth does not run into it)', () => {
    // Only the points whose normal meets the other disc see it; their reading must not grow.
    const alone = tinted(0), beside = tinted(0, true);
    expect(rimReach(beside.image, beside.hole, none, none).reach).toBeCloseTo(rimReach(alone.image, alone.hole, none, none).reach, 5);
  });

  test('a blotchy backdrop (colour wandering by more than a few levels) gives no tail', () => {
    const t = tinted(0);
    const d = t.image.data;
    for (let y = 0; y < 320; y++) for (let x = 0; x < 400; x++) {
      const i = (y * 400 + x) * 4;
      if (d[i]! < 200) continue;
      const blotch = Math.round(10 * Math.sin(x / 7) * Math.sin(y / 9));
      d[i] = 240 + blotch; d[i + 1] = 240 + blotch; d[i + 2] = 240 + blotch;
    }
    expect(rimReach(t.image, t.hole, none, none).reach).toBeLessThan(12);
  });
});

describe('moved content with a soft edge over the place it left', () => {
  test('a translucent halo landing on the old place is laid over the fill, not over the old object (no pink arc)', async () => {
    // A red disc (r 20) with a grey halo out to r 32 on white; the selection takes the disc whole
    // and the halo at a coverage fading to 0 (as a cast shadow is taken). Moved 16 px up, the
    // halo's lower half lands on the disc's old place.
    const W = 160, cx = 80, cy = 80;
    const img = createImage(W, W);
    const sel = { left: 0, top: 0, width: W, height: W, data: new Uint8Array(W * W) };
    for (let y = 0; y < W; y++) {
      for (let x = 0; x < W; x++) {
        const d = Math.hypot(x - cx, y - cy), p = y * W + x;
        img.data.set(d <= 20 ? [220, 30, 30, 255] : d <= 32 ? [150, 150, 150, 255] : [255, 255, 255, 255], p * 4);
        sel.data[p] = d <= 20 ? 255 : d >= 32 ? 0 : Math.round((255 * (32 - d)) / 12);
      }
    }
    const res = await runEdit({ image: img, regions: [{ id: 'r', mask: sel }], drags: [{ region: 'r', kind: 'translate', points: [[cx, cy], [cx, cy - 16]] }], quality: 'final', seed: 1 }, {});
    const c = res.crop;
    let n = 0, worst = 0;
    for (let y = 0; y < W; y++) {
      for (let x = 0; x < W; x++) {
        // Under the moved halo (21..31 px from the new centre) and inside the old disc.
        const dn = Math.hypot(x - cx, y - (cy - 16)), dOld = Math.hypot(x - cx, y - cy);
        if (dn <= 21 || dn >= 31 || dOld >= 18) continue;
        const i = ((y - c.top) * c.width + x - c.left) * 4;
        // Grey over white: neutral. The old red behind it showed as R well above G.
        worst = Math.max(worst, res.edited.data[i]! - res.edited.data[i + 1]!);
        n++;
      }
    }
    expect(n).toBeGreaterThan(100);
    expect(worst).toBeLessThan(12);
  });
});

describe('elastic drags are not seam-blended', () => {
  test('the final layer is exactly the elastic warp: no colour correction around the area edge or around a non-editable speck', async () => {
    const { makeTexture } = await import('./textures');
    const W = 240, H = 240;
    const image = makeTexture('noise', W, H, 4);
    // Darker left half: a seam correction would have something to pull towards.
    for (let y = 0; y < H; y++) for (let x = 0; x < W / 2; x++) { const i = (y * W + x) * 4; image.data[i] = image.data[i]! >> 1; }
    const data = new Uint8Array(W * H);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if ((x - 120) ** 2 + (y - 120) ** 2 <= 85 * 85) data[y * W + x] = 255;
    for (let y = 100; y < 103; y++) for (let x = 150; x < 153; x++) data[y * W + x] = 0; // a 3×3 speck the brush missed
    const req: EditRequest = { image, regions: [{ id: 'r', mask: { left: 0, top: 0, width: W, height: H, data } }], drags: [{ region: 'r', points: [[110, 120], [140, 108]] }], quality: 'final' };
    const res = await runEdit(req);
    expect(res.plan.operations[0]!.params).toMatchObject({ kind: 'deform', elastic: true });
    const warp = warpRegions({ image, regions: req.regions, operations: res.plan.operations, quality: 'final' });
    expect(res.crop).toEqual(warp.crop);
    let differ = 0, changed = 0;
    for (let i = 0; i < warp.edited.data.length; i++) {
      if (res.edited.data[i] !== warp.edited.data[i]) differ++;
      if (warp.edited.data[i] !== warp.original.data[i]) changed++;
    }
    expect(changed).toBeGreaterThan(1000);
    expect(differ).toBe(0);
  });
});

describe('trimmedChangedLayer', () => {
  /** The box of visible changes by a full compare, and the layer over it. */
  function brute(src: RgbaImage, ed: RgbaImage): { left: number; top: number; width: number; height: number; data: number[] } {
    const w = src.width, h = src.height;
    let x0 = w, y0 = h, x1 = -1, y1 = -1;
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      const changed = [0, 1, 2, 3].some((q) => ed.data[i + q] !== src.data[i + q]);
      if (changed && ed.data[i + 3] !== 0) { x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y); }
    }
    if (x1 < 0) return { left: 0, top: 0, width: 1, height: 1, data: [0, 0, 0, 0] };
    const data: number[] = [];
    for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) {
      const i = (y * w + x) * 4;
      const changed = [0, 1, 2, 3].some((q) => ed.data[i + q] !== src.data[i + q]);
      for (let q = 0; q < 4; q++) data.push(changed ? ed.data[i + q]! : 0);
    }
    return { left: x0, top: y0, width: x1 - x0 + 1, height: y1 - y0 + 1, data };
  }

  it('gives the box and pixels of a full compare (scattered changes, invisible ones, none)', () => {
    let st = 11;
    const rnd = (n: number): number => { st = (st * 1103515245 + 12345) >>> 0; return st % n; };
    for (let trial = 0; trial < 40; trial++) {
      const w = 5 + rnd(60), h = 5 + rnd(50);
      const src = createImage(w, h);
      for (let i = 0; i < src.data.length; i++) src.data[i] = rnd(256);
      const ed = cloneImage(src);
      const n = trial % 10 === 0 ? 0 : 1 + rnd(trial % 3 === 0 ? 3 : 40);
      for (let k = 0; k < n; k++) {
        const p = rnd(w * h) * 4;
        if (rnd(4) === 0) { ed.data[p + 3] = 0; ed.data[p] = (ed.data[p]! + 1) & 255; } // changed but invisible
        else { ed.data[p + rnd(3)] = (ed.data[p]! + 1 + rnd(200)) & 255; ed.data[p + 3] = 1 + rnd(255); }
      }
      const got = trimmedChangedLayer(src, ed), want = brute(src, ed);
      expect([got.left, got.top, got.image.width, got.image.height]).toEqual([want.left, want.top, want.width, want.height]);
      expect(Array.from(got.image.data)).toEqual(want.data);
    }
  });
});

describe('an edit that makes pixels more transparent (a layer above the original cannot erase)', () => {
  /** A 96×72 picture: an opaque square (20..44)² on transparency, or on an opaque grey backdrop. */
  function squareOn(backdrop: 'transparent' | 'opaque'): EditRequest {
    const W = 96, H = 72, img = createImage(W, H);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
      const q = (y * W + x) * 4, inside = x >= 20 && x < 44 && y >= 20 && y < 44;
      if (inside) img.data.set([200, 40, 40, 255], q);
      else if (backdrop === 'opaque') img.data.set([90, 90, 90, 255], q);
    }
    return {
      image: img, quality: 'final', seed: 1,
      regions: [{ id: 'r', mask: rasterizePolygon([[18, 18], [46, 18], [46, 46], [18, 46]]) }],
      drags: [{ region: 'r', points: [[32, 32], [72, 32]], kind: 'translate' }],
    };
  }

  test('counts the pixels whose alpha dropped (uncovered), and the plan says the original shows through there; an opaque picture has none and no such warning', async () => {
    const res = await runEdit(squareOn('transparent'));
    const said = res.plan.warnings.filter((w) => /more transparent than they were.*original shows through/.test(w));
    expect(said).toHaveLength(1);
    const n = Number(/leaves (\d+) px/.exec(said[0]!)![1]);
    // The square's old place emptied (at least the part the moved square does not cover again).
    expect(n).toBeGreaterThanOrEqual(24 * 16);
    // The layer (over the original) cannot show those pixels: they are transparent in it.
    const src = cloneImage(squareOn('transparent').image);
    let dropped = 0;
    for (let p = 0; p < res.crop.width * res.crop.height; p++) {
      const x = res.crop.left + (p % res.crop.width), y = res.crop.top + Math.floor(p / res.crop.width);
      if (src.data[(y * src.width + x) * 4 + 3]! - res.edited.data[p * 4 + 3]! > UNCOVER_ALPHA_TOLERANCE) dropped++;
    }
    expect(n).toBe(dropped);
    const opaque = await runEdit(squareOn('opaque'));
    expect(opaque.plan.warnings.filter((w) => /more transparent/.test(w))).toEqual([]);
  });

  test('trimmedChangedLayer: uncovered counts alpha drops beyond the tolerance, 0 for an opaque source', () => {
    const src = createImage(4, 1), ed = createImage(4, 1);
    src.data.set([1, 2, 3, 255, 1, 2, 3, 200, 1, 2, 3, 100, 1, 2, 3, 0]);
    ed.data.set([1, 2, 3, 255 - UNCOVER_ALPHA_TOLERANCE, 9, 9, 9, 0, 1, 2, 3, 100 - UNCOVER_ALPHA_TOLERANCE - 1, 5, 5, 5, 255]);
    expect(trimmedChangedLayer(src, ed).uncovered).toBe(2);
    const opaqueSrc = createImage(2, 1), ed2 = createImage(2, 1);
    opaqueSrc.data.set([1, 1, 1, 255, 2, 2, 2, 255]);
    ed2.data.set([1, 1, 1, 255, 2, 2, 2, 255]);
    expect(trimmedChangedLayer(opaqueSrc, ed2).uncovered).toBe(0);
  });
});

describe('working arrays reused across edits (scratch pool)', () => {
  // runEdit takes the arrays it does not return from a pool and gives them back when it ends:
  // what it returns must never share memory with them (a later edit would overwrite it), and an
  // edit's pixels must not depend on what earlier edits left in the pool.
  const S = 160;
  const ellipse = (cx: number, cy: number, ax: number, ay: number): [number, number][] =>
    Array.from({ length: 48 }, (_, i) => [cx + ax * Math.cos((i / 48) * 2 * Math.PI), cy + ay * Math.sin((i / 48) * 2 * Math.PI)] as [number, number]);
  const request = (kind: 'rotate' | 'scale' | 'translate', seed: number): EditRequest => {
    const image = makeTexture('brick', S, S, seed);
    const region = { id: 'r', mask: rasterizePolygon(ellipse(80, 80, 38, 32)) };
    const drag = kind === 'rotate' ? { region: 'r', kind, center: [80, 80] as [number, number], points: [[118, 80], [116, 92], [110, 104]] as [number, number][] }
      : kind === 'scale' ? { region: 'r', kind, center: [80, 80] as [number, number], points: [[118, 80], [104, 80]] as [number, number][] }
        : { region: 'r', kind, points: [[80, 80], [100, 70]] as [number, number][] };
    return { image, regions: [region], drags: [drag], quality: 'final', seed: 3 };
  };
  const bytes = (r: Awaited<ReturnType<typeof runEdit>>): Uint8Array[] =>
    [r.edited.data, r.targetMask.data, r.holeMask.data, r.layer.image.data].map((a) => new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength)));

  test('results stay intact after later edits, and a repeated edit gives the same bytes', async () => {
    const first = await runEdit(request('rotate', 1));
    const kept = bytes(first);
    // Other edits (other kinds and textures) run in between and reuse the pool.
    for (const [k, seed] of [['scale', 2], ['translate', 3], ['rotate', 4], ['scale', 5]] as const) await runEdit(request(k, seed));
    expect(bytes(first)).toEqual(kept);
    const again = await runEdit(request('rotate', 1));
    expect(bytes(again)).toEqual(kept);
    expect(again.layer.left).toBe(first.layer.left);
    expect(again.layer.top).toBe(first.layer.top);
    // The results are not views of one another's memory.
    expect(again.edited.data.buffer).not.toBe(first.edited.data.buffer);
    expect(again.holeMask.data.buffer).not.toBe(first.holeMask.data.buffer);
    expect(first.layer.image.data.some((v) => v !== 0)).toBe(true);
  });
});

describe('an edit that moves nothing changes nothing', () => {
  test('a zero-length arrow with its kind set to translate, no intent, on the red candy: no changed pixel, and the plan says the region does not move', async () => {
    const { c, img } = await loadCase('smarties-move-red');
    const { intent: _unused, ...still } = c;
    const req = caseToRequest({ ...still, drags: [{ region: c.regions[0]!.id, kind: 'translate', points: [[33, 228], [33, 228]] }] }, img, { quality: 'final' });
    const res = await runEdit(req);
    expect(res.plan.operations[0]!.params).toEqual({ kind: 'translate', dx: 0, dy: 0 });
    let changed = 0;
    const { crop, edited } = res;
    for (let y = 0; y < crop.height; y++) for (let x = 0; x < crop.width; x++) {
      const s = (y * crop.width + x) * 4, d = ((y + crop.top) * img.width + x + crop.left) * 4;
      for (let k = 0; k < 4; k++) if (edited.data[s + k] !== img.data[d + k]) { changed++; break; }
    }
    // (Rendered as a move onto itself, the seam blend and the shadow's growth changed ~700 pixels.)
    expect(changed).toBe(0);
    expect(res.plan.warnings.join(' ')).toMatch(/Region h1 does not move/);
  });
});

describe('a learned stage that cannot run', () => {
  test('a filler that fails (model file gone, non-finite output) is replaced by the classical fill, and the plan says why; a refiner that fails leaves the result unrefined and says so', async () => {
    const { c, img } = await loadCase('smarties-move-red');
    const req = caseToRequest(c, img, { quality: 'final' });
    const broken: Filler = { name: 'lama', fill() { throw new Error('Load model from /x/lama_fp32.onnx failed'); } };
    const failingRefiner = { name: 'sd', async refine() { throw new Error('vocab.json: Expected \',\''); } };
    const res = await runEdit(req, { filler: broken, refiner: failingRefiner as never });
    const plain = await runEdit(req, {});
    // The vacated area is filled as the classical filler fills it (same seed): the same pixels.
    expect(Buffer.from(res.edited.data).equals(Buffer.from(plain.edited.data))).toBe(true);
    expect(res.plan.warnings.join(' ')).toMatch(/The learned inpainting could not run \(Load model from \/x\/lama_fp32\.onnx failed\); the classical filler filled/);
    expect(res.plan.warnings.join(' ')).toMatch(/The learned refinement could not run \(vocab\.json: Expected ','\); the result is not refined/);
  });

  test('a cancel inside a learned filler is still a cancel (no fallback)', async () => {
    const { c, img } = await loadCase('smarties-move-red');
    const req = caseToRequest(c, img, { quality: 'final' });
    const ac = new AbortController();
    const cancelling: Filler = { name: 'lama', fill() { ac.abort(); throw new CancelledError(); } };
    await expect(runEdit(req, { filler: cancelling, signal: ac.signal })).rejects.toBeInstanceOf(CancelledError);
  });
});

describe('a selection of the whole picture', () => {
  const image = makeTexture('noise', 96, 72, 3);
  const req = (poly: [number, number][], quality: 'preview' | 'final'): EditRequest => ({
    image, quality, seed: 1,
    regions: [{ id: 'a', mask: rasterizePolygon(poly) }],
    drags: [{ region: 'a', kind: 'translate', points: [[48, 36], [60, 36]] }],
  });
  const all: [number, number][] = [[0, 0], [96, 0], [96, 72], [0, 72]];
  const part: [number, number][] = [[20, 20], [60, 20], [60, 50], [20, 50]];
  it.each(['preview', 'final'] as const)('says the uncovered strip has nothing to be filled from (%s); a partial selection does not', async (quality) => {
    const whole = await runEdit(req(all, quality));
    expect(whole.plan.warnings.join(' ')).toMatch(/covers the whole picture: nothing outside it is left to fill/);
    const some = await runEdit(req(part, quality));
    expect(some.plan.warnings.join(' ')).not.toMatch(/covers the whole picture/);
  });
});
