import { maskAt } from '@smartdrag/shared';
import { runEdit } from '../edit';
import { segmentObject } from '../segment/grabcut';
import { makeSegmentScene } from '../segment/test-scenes';
import type { EditRequest, PlacedMask } from '../types';
import { extendPastSelection, extensionMargin } from './object-extension';

const px = (d: Uint8ClampedArray, i: number): number[] => Array.from(d.subarray(i * 4, i * 4 + 4));
const solid = (m: PlacedMask, x: number, y: number): boolean => maskAt(m, x, y) >= 128;

/** Pixels of `object` (image-sized) outside `selection`. */
function outside(object: Uint8Array, selection: PlacedMask, w: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let p = 0; p < object.length; p++) if (object[p] && !solid(selection, p % w, Math.floor(p / w))) out.push([p % w, Math.floor(p / w)]);
  return out;
}

describe('object extension: the tips a quick lasso clipped move with the object', () => {
  const scene = makeSegmentScene('clipped-tip');
  const W = scene.image.width;
  const tip = outside(scene.object, scene.selection, W);
  const opts = { grow: 1, wholeObject: true };

  it('the scene: a horn whose last part lies outside the selection', () => {
    expect(tip.length).toBeGreaterThan(60);
    // ...within the band searched around the selection.
    let area = 0;
    for (const v of scene.selection.data) if (v >= 128) area++;
    const m = extensionMargin(area);
    const top = Math.min(...tip.map(([, y]) => y));
    let selTop = Infinity;
    for (let y = 0; y < scene.selection.height; y++) for (let x = 0; x < scene.selection.width; x++) if (scene.selection.data[y * scene.selection.width + x]! >= 128) selTop = Math.min(selTop, y + scene.selection.top);
    expect(selTop - top).toBeLessThan(m);
  });

  it('takes the clipped tip: the object read inside the selection plus the tip covers the whole object (IoU ≥ 0.95)', () => {
    // (The object without its grown rim, as the segmentation's own IoU tests read it.)
    const seg = segmentObject(scene.image, scene.selection, scene.handles, { wholeObject: true });
    expect(seg.reliable).toBe(true);
    const ext = extendPastSelection(scene.image, scene.selection, seg, []);
    expect(ext).not.toBeNull();
    expect(ext!.continuing).toBe(0);
    // Every tip pixel is in the extended object; the reading inside the selection is kept.
    const missed = tip.filter(([x, y]) => !solid(ext!.mask, x, y)).length;
    expect(missed).toBeLessThanOrEqual(0.05 * tip.length);
    for (let y = 0; y < seg.mask.height; y++) {
      for (let x = 0; x < seg.mask.width; x++) {
        if (seg.mask.data[y * seg.mask.width + x]! >= 128) expect(solid(ext!.mask, x + seg.mask.left, y + seg.mask.top)).toBe(true);
      }
    }
    // Against the whole object.
    let inter = 0, union = 0;
    for (let p = 0; p < scene.object.length; p++) {
      const x = p % W, y = Math.floor(p / W);
      const a = scene.object[p] === 1, b = solid(seg.mask, x, y) || (!solid(scene.selection, x, y) && solid(ext!.mask, x, y));
      if (a && b) inter++;
      if (a || b) union++;
    }
    expect(inter / union).toBeGreaterThanOrEqual(0.95);
    // Nothing far from the object joins: every added pixel outside the selection lies within the
    // rim's reach of the true tip.
    for (let y = 0; y < ext!.mask.height; y++) {
      for (let x = 0; x < ext!.mask.width; x++) {
        const X = x + ext!.mask.left, Y = y + ext!.mask.top;
        if (ext!.mask.data[y * ext!.mask.width + x]! < 128 || solid(scene.selection, X, Y)) continue;
        const near = tip.some(([tx, ty]) => Math.abs(tx - X) <= 4 && Math.abs(ty - Y) <= 4);
        expect(near).toBe(true);
      }
    }
  });

  it('a rigid move carries the tip along: it lands with the object, its old place is filled, the plan says so and does not warn', async () => {
    const req: EditRequest = {
      image: scene.image, regions: [{ id: 'r', mask: scene.selection }], quality: 'final',
      drags: [{ region: 'r', points: [[150, 120], [110, 130]], kind: 'translate' }],
    };
    const res = await runEdit(req);
    const op = res.plan.operations[0]!;
    expect(op.reason).toMatch(/its outline ran past the selection's edge, and the tips that end within \d+ px of it \(\d+ px\) move with it/);
    expect(res.plan.warnings.some((w) => /continues past the selection's edge/.test(w))).toBe(false);
    const { crop, edited } = res;
    const at = (x: number, y: number): number => (y - crop.top) * crop.width + (x - crop.left);
    // The tip's pixels land 40 px left, 10 px down (away from its edge), within the few levels the
    // seam blend along the moved outline gives its narrow end (the outline there is the object's
    // own since the rim takes the coverage its colours read).
    const core = tip.filter(([x, y]) => scene.object[y * W + x - 1] && scene.object[y * W + x + 1] && scene.object[(y - 1) * W + x] && scene.object[(y + 1) * W + x]);
    expect(core.length).toBeGreaterThan(20);
    let exact = 0;
    for (const [x, y] of core) {
      const got = px(edited.data, at(x - 40, y + 10)), want = px(scene.image.data, y * W + x);
      for (let c = 0; c < 4; c++) expect(Math.abs(got[c]! - want[c]!)).toBeLessThanOrEqual(4);
      if (got.every((v, c) => v === want[c])) exact++;
    }
    expect(exact).toBeGreaterThanOrEqual(0.85 * core.length);
    // Its old place (not covered by the moved object) no longer shows the object's colours: the
    // object is warm (red ≫ blue), the backdrop cool.
    let warm = 0;
    for (const [x, y] of core) {
      const i = at(x, y) * 4;
      if (edited.data[i]! > edited.data[i + 2]! + 60) warm++;
    }
    expect(warm).toBeLessThanOrEqual(0.1 * core.length);
  });

  it('where the tip joins the object across the selection\'s anti-aliased edge, the moved object shows no line of what lay behind it', async () => {
    // The scene's selection with an anti-aliased edge, as a host's lasso has: its edge pixels
    // partly covered (160 inside, 60 just outside).
    const sel = scene.selection, sw = sel.width, sh = sel.height, soft = Uint8Array.from(sel.data);
    const inSel = (x: number, y: number): boolean => x >= 0 && y >= 0 && x < sw && y < sh && sel.data[y * sw + x]! >= 128;
    for (let y = 0; y < sh; y++) {
      for (let x = 0; x < sw; x++) {
        const edge = inSel(x - 1, y) !== inSel(x, y) || inSel(x + 1, y) !== inSel(x, y) || inSel(x, y - 1) !== inSel(x, y) || inSel(x, y + 1) !== inSel(x, y);
        if (edge) soft[y * sw + x] = inSel(x, y) ? 160 : 60;
      }
    }
    const selection: PlacedMask = { ...sel, data: soft };
    const res = await runEdit({
      image: scene.image, regions: [{ id: 'r', mask: selection }], quality: 'final',
      drags: [{ region: 'r', points: [[150, 120], [110, 130]], kind: 'translate' }],
    });
    const { crop, edited } = res;
    const at = (x: number, y: number): number => (y - crop.top) * crop.width + (x - crop.left);
    // The object's inner pixels (object all around) on the selection's soft edge.
    const join: Array<[number, number]> = [];
    for (let y = 1; y < scene.image.height - 1; y++) {
      for (let x = 1; x < W - 1; x++) {
        const c = maskAt(selection, x, y);
        if (c === 0 || c === 255) continue;
        if (scene.object[y * W + x] && scene.object[y * W + x - 1] && scene.object[y * W + x + 1] && scene.object[(y - 1) * W + x] && scene.object[(y + 1) * W + x]) join.push([x, y]);
      }
    }
    expect(join.length).toBeGreaterThan(5);
    // Moved 40 px left and 10 px down, each is the object's own pixel, within the few levels of the
    // seam blend (a line of the cool backdrop mixed in had made one 89 levels off).
    let worst = 0;
    for (const [x, y] of join) {
      const got = px(edited.data, at(x - 40, y + 10)), want = px(scene.image.data, y * W + x);
      const d = Math.max(...[0, 1, 2].map((ch) => Math.abs(got[ch]! - want[ch]!))); worst = Math.max(worst, d);
    }
    expect(worst).toBeLessThanOrEqual(8);
  });

  it('keep pixels never join: with everything outside the selection kept, the tip stays (warned) and no kept pixel changes', async () => {
    const { width: w, height: h } = scene.image;
    const keepData = new Uint8Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) keepData[y * w + x] = solid(scene.selection, x, y) ? 0 : 255;
    const keep: PlacedMask = { left: 0, top: 0, width: w, height: h, data: keepData };
    const seg = segmentObject(scene.image, scene.selection, scene.handles, opts);
    expect(extendPastSelection(scene.image, scene.selection, seg, [keep])).toBeNull();
    const res = await runEdit({
      image: scene.image, regions: [{ id: 'r', mask: scene.selection }], keep: [keep], quality: 'final',
      drags: [{ region: 'r', points: [[150, 120], [110, 130]], kind: 'translate' }],
    });
    expect(res.plan.warnings).toContainEqual(expect.stringMatching(/^Region r: the object continues past the selection's edge/));
    // (The edit's crop is where anything may change; the tip's pixels inside it are unchanged.)
    const { crop, edited } = res;
    const inCrop = tip.filter(([x, y]) => x >= crop.left && y >= crop.top && x < crop.left + crop.width && y < crop.top + crop.height);
    expect(inCrop.length).toBeGreaterThan(0);
    for (const [x, y] of inCrop) expect(px(edited.data, (y - crop.top) * crop.width + (x - crop.left))).toEqual(px(scene.image.data, y * W + x));
  });

  it('an object that runs on past the band (an arm cut by the selection, 50 px outside) is not extended', () => {
    const cut = makeSegmentScene('touching-edge');
    const seg = segmentObject(cut.image, cut.selection, cut.handles, opts);
    expect(seg.reliable).toBe(true);
    expect(extendPastSelection(cut.image, cut.selection, seg, [])).toBeNull();
  });

  it('where the object reading ends inside the selection mid-cell, the rest it left out joins without a one-pixel gap', () => {
    // A dark bar on white (x 100–529), a rectangular selection (x 80–499) that clips its last 30 px,
    // and an object reading that stops at x 471 — as the whole-object reading drops the rest of a
    // head whose muzzle a lasso clipped. The band is cut on 2 px cells; x 471–472 share one, mostly
    // the object's: its other pixel (x 472) was left out, and the moved object showed a white line.
    const W2 = 600, H2 = 300;
    const image = { width: W2, height: H2, data: new Uint8ClampedArray(W2 * H2 * 4) };
    for (let y = 0; y < H2; y++) {
      for (let x = 0; x < W2; x++) {
        const dark = x >= 100 && x < 530 && y >= 140 && y < 160, n = (x * 7 + y * 13) % 9;
        image.data.set(dark ? [20 + n, 18 + n, 25 + n, 255] : [240 - n, 238 - n, 235 - n, 255], (y * W2 + x) * 4);
      }
    }
    const selection: PlacedMask = { left: 80, top: 100, width: 420, height: 100, data: new Uint8Array(420 * 100).fill(255) };
    const objData = new Uint8Array(420 * 100);
    // (Its top rows reach the selection's edge: there the piece past the edge starts, as a horse's
    // ear tip does, and runs down over the rest.)
    for (let y = 140; y < 160; y++) for (let x = 100; x < (y < 144 ? 500 : 472); x++) objData[(y - 100) * 420 + x - 80] = 255;
    const seg = { mask: { ...selection, data: objData }, fraction: 0.17, separation: 5, reliable: true, why: '', coarse: { width: 420, height: 100, scale: 1 } };
    const ext = extendPastSelection(image, selection, seg, []);
    expect(ext).not.toBeNull();
    expect(ext!.continuing).toBe(0);
    const gaps: number[] = [];
    for (let x = 100; x < 530; x++) for (let y = 141; y < 159; y++) if (!solid(ext!.mask, x, y)) gaps.push(x);
    expect(ext!.added).toBeGreaterThan(15 * 58);
    expect([...new Set(gaps)]).toEqual([]);
    // Nothing of the white backdrop joins.
    for (const [x, y] of [[472, 130], [472, 170], [470, 135], [515, 165]] as const) expect(solid(ext!.mask, x, y)).toBe(false);
  });

  it('an object inside its selection with nothing past the edge is not extended', () => {
    const whole = makeSegmentScene('textured');
    const seg = segmentObject(whole.image, whole.selection, whole.handles, opts);
    expect(extendPastSelection(whole.image, whole.selection, seg, [])).toBeNull();
  });
});
