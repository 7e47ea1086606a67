import { runEdit } from '../edit';
import { createImage } from '../image';
import { createRng } from '../random';
import type { EditRequest, PlacedMask, RgbaImage } from '../types';
import { segmentObject, softenedRim } from './grabcut';

/**
 * A document large enough for the coarse grid (the grown rim is then several px wide): a dark,
 * noisy ellipse whose edge ramps over 3 px (known coverage), on a pale noisy backdrop whose lower
 * third is dark bark-brown; a loose ellipse selection around the object. `objectRgb` sets the
 * object's colour (a low-contrast variant).
 */
function scene(objectRgb: [number, number, number] = [40, 55, 90]): { image: RgbaImage; alpha: Float32Array; selection: PlacedMask; cx: number; cy: number } {
  const w = 1200, h = 900, image = createImage(w, h), d = image.data, rng = createRng(5);
  const cx = 600, cy = 300, ax = 150, ay = 100;
  const alpha = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      // Signed distance (px, approximately) outside the ellipse's outline; coverage ramps over [-1.5, 1.5].
      const e = Math.hypot((x - cx) / ax, (y - cy) / ay);
      const dist = (e - 1) * Math.min(ax, ay) * (1 + 0.5 * (1 - Math.min(ax, ay) / Math.max(ax, ay)));
      const a = Math.max(0, Math.min(1, 0.5 - dist / 3));
      alpha[p] = a;
      const n = (rng() - 0.5) * 10;
      const bg = y > 600 ? [95 + n, 70 + n, 50 + n] : [225 + n, 230 + n, 235 + n];
      const fg = [objectRgb[0] + n, objectRgb[1] + n, objectRgb[2] + n];
      const i = p * 4;
      for (let c = 0; c < 3; c++) d[i + c] = Math.round(a * fg[c]! + (1 - a) * bg[c]!);
      d[i + 3] = 255;
    }
  }
  const left = cx - 230, top = cy - 170, mw = 460, mh = 340, sel = new Uint8Array(mw * mh);
  for (let y = 0; y < mh; y++) for (let x = 0; x < mw; x++) if (((x + left - cx) / 225) ** 2 + ((y + top - cy) / 165) ** 2 <= 1) sel[y * mw + x] = 255;
  return { image, alpha, selection: { left, top, width: mw, height: mh, data: sel }, cx, cy };
}

describe('the grown rim of a moved object (segmentObject softRim)', () => {
  const s = scene();
  const W = s.image.width;
  const cover = (m: PlacedMask, x: number, y: number): number => m.data[(y - m.top) * m.width + (x - m.left)]! / 255;
  /** Pixels of the selection by their true coverage: backdrop (0), the ramp (strictly between), the object (1). */
  function byTruth(m: PlacedMask, core?: PlacedMask): { backdropInRim: number[]; ramp: Array<[number, number]>; inside: number[] } {
    const backdropInRim: number[] = [], ramp: Array<[number, number]> = [], inside: number[] = [];
    for (let y = 0; y < m.height; y++) {
      for (let x = 0; x < m.width; x++) {
        if (s.selection.data[y * m.width + x] === 0) continue;
        const a = s.alpha[(y + m.top) * W + x + m.left]!, v = cover(m, x + m.left, y + m.top);
        if (a === 0 && v > 0) backdropInRim.push(v);
        else if (a > 0 && a < 1 && !(core && cover(core, x + m.left, y + m.top) >= 0.5)) ramp.push([a, v]);
        else if (a === 1) inside.push(v);
      }
    }
    return { backdropInRim, ramp, inside };
  }

  it('covers the backdrop wholly without it (the baseline the soft rim fixes)', () => {
    const r = segmentObject(s.image, s.selection, [[s.cx, s.cy]], { grow: 1 });
    expect(r.reliable).toBe(true);
    expect(r.coarse.scale).toBeLessThan(0.5);
    const { backdropInRim } = byTruth(r.mask);
    // A rim several px wide of pure backdrop, carried at full coverage.
    expect(backdropInRim.length).toBeGreaterThan(2000);
    expect(backdropInRim.filter((v) => v >= 0.5).length).toBeGreaterThan(0.9 * backdropInRim.length);
  });

  it('leaves the backdrop out of the rim and keeps the edge\'s partial coverage', () => {
    const r = segmentObject(s.image, s.selection, [[s.cx, s.cy]], { grow: 1, softRim: true });
    expect(r.reliable).toBe(true);
    // The reading's own mask keeps the rim whole (what the object readings are built on)...
    const hard = segmentObject(s.image, s.selection, [[s.cx, s.cy]], { grow: 1 });
    expect(Array.from(r.mask.data)).toEqual(Array.from(hard.mask.data));
    // ...the mask that moves takes the rim's coverages.
    const moving = softenedRim(r.mask, r);
    // (The ramp's pixels in the rim: outside the object its full-resolution edge decided.)
    const core = segmentObject(s.image, s.selection, [[s.cx, s.cy]], { grow: 0 }).mask;
    const { backdropInRim, ramp, inside } = byTruth(moving, core);
    // Of the pure backdrop the whole rim carried (thousands of pixels), at most 1% is still carried
    // (a few pixels the object's own full-resolution edge decision took).
    const carried = byTruth(hard.mask).backdropInRim.filter((v) => v >= 0.5).length;
    expect(carried).toBeGreaterThan(2000);
    expect(backdropInRim.filter((v) => v > 0.12).length).toBeLessThan(0.01 * carried);
    // The ramp's pixels in the rim keep about their true coverage.
    expect(ramp.length).toBeGreaterThan(150);
    const err = ramp.map(([a, v]) => Math.abs(a - v)).sort((p, q) => p - q);
    expect(err[Math.floor(0.9 * err.length)]!).toBeLessThanOrEqual(0.15);
    // The object inside is whole.
    expect(inside.filter((v) => v === 1).length).toBeGreaterThan(0.99 * inside.length);
  });

  it('keeps the rim whole where the object and the backdrop look alike (no colour to read coverage from)', () => {
    const low = scene([205, 212, 222]);
    const hard = segmentObject(low.image, low.selection, [[low.cx, low.cy]], { grow: 1 });
    const soft = segmentObject(low.image, low.selection, [[low.cx, low.cy]], { grow: 1, softRim: true });
    expect(hard.reliable).toBe(true);
    expect(soft.rim!.index.length).toBeGreaterThan(1000);
    expect(Array.from(softenedRim(soft.mask, soft).data)).toEqual(Array.from(hard.mask.data));
  });

  it('a move onto a dark ground carries no pale line along the object\'s outline', async () => {
    // "Move it down" 330 px: the object's lower edge lands on the dark lower third.
    const req: EditRequest = { image: s.image, regions: [{ id: 'r', mask: s.selection }], drags: [{ region: 'r', points: [[s.cx, s.cy], [s.cx, s.cy + 330]], kind: 'translate' }], quality: 'final', seed: 1 };
    const res = await runEdit(req);
    expect(res.plan.operations[0]!.reason).toMatch(/moves the object found inside the selection/);
    const { crop, edited } = res;
    // Walk down from the moved object's centre below its lower edge (at cy + 330 + 100): the first
    // pixels past the ramp are the dark ground's, not the pale backdrop's.
    let pale = 0, dark = 0;
    for (const dx of [-60, -30, 0, 30, 60]) {
      const x = s.cx + dx, yEdge = Math.round(s.cy + 330 + 100 * Math.sqrt(1 - (dx / 150) ** 2));
      for (let y = yEdge + 3; y <= yEdge + 10; y++) {
        const i = ((y - crop.top) * crop.width + (x - crop.left)) * 4;
        const lum = (edited.data[i]! + edited.data[i + 1]! + edited.data[i + 2]!) / 3;
        if (lum > 150) pale++; else if (lum < 110) dark++;
      }
    }
    expect(pale).toBe(0);
    expect(dark).toBe(40);
  });

  it('the edge\'s partial pixels, moved onto the dark ground, carry none of the pale backdrop (rimColours)', async () => {
    const req: EditRequest = { image: s.image, regions: [{ id: 'r', mask: s.selection }], drags: [{ region: 'r', points: [[s.cx, s.cy], [s.cx, s.cy + 330]], kind: 'translate' }], quality: 'final', seed: 1 };
    const { crop, edited } = await runEdit(req);
    // The ramp of the lower edge (true coverage a from the scene), moved 330 px down onto the dark
    // ground: a pixel there should read a × object + (1 − a) × dark ground (noise ±5); a partial
    // pixel that kept its colour brings (1 − a) × the pale backdrop along instead.
    let n = 0, signed = 0;
    for (let y = s.cy + 60; y < s.cy + 110; y++) {
      for (let x = s.cx - 120; x <= s.cx + 120; x++) {
        const a = s.alpha[y * W + x]!;
        if (a < 0.2 || a > 0.8) continue;
        const ty = y + 330, i = ((ty - crop.top) * crop.width + (x - crop.left)) * 4;
        const want = [40, 55, 90].map((f, c) => a * f + (1 - a) * [95, 70, 50][c]!);
        signed += (edited.data[i]! + edited.data[i + 1]! + edited.data[i + 2]! - want[0]! - want[1]! - want[2]!) / 3;
        n++;
      }
    }
    expect(n).toBeGreaterThan(100);
    // (Mean signed error: how much paler the moved edge is than the truth, in levels.)
    expect(Math.abs(signed / n)).toBeLessThan(8);
  });
});
