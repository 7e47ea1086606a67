import { createImage, createMask } from '../image';
import { createRng } from '../random';
import type { Mask, RgbaImage } from '../types';
import { fillPatchMatch } from './patch-match';
import { holeBox } from './push-pull';
import { smoothBackdrop } from './smooth-backdrop';

/**
 * A defocused backdrop (soft blobs of blue, yellow-green, grey-purple and white, with a little
 * grain) beside a textured trunk on the left, and a hole where an object stood against the trunk:
 * the nuthatch of the unseen photos, drawn in code. `truth` is the backdrop the object hid.
 */
function bokeh(S = 1): { img: RgbaImage; truth: RgbaImage; hole: Mask; forbidden: Mask; trunk: number } {
  const W = 240 * S, H = 300 * S, trunk = 60 * S, rng = createRng(11);
  const img = createImage(W, H), truth = createImage(W, H);
  // (The blobs' centres lie outside the hole: what it hid is the blur between them.)
  const blobs = [[90, 30, 45, 60, 120, 235], [210, 90, 45, 225, 215, 80], [20, 170, 40, 140, 105, 140], [200, 270, 60, 250, 250, 248]] as const;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let r = 0, g = 0, b = 0, ws = 0;
      for (const [bx, by, sg, br, bg, bb] of blobs) {
        const w = Math.exp(-(((x / S - bx) ** 2 + (y / S - by) ** 2) / (2 * sg * sg)));
        r += w * br; g += w * bg; b += w * bb; ws += w;
      }
      const n = (rng() - 0.5) * 4, i = (y * W + x) * 4;
      let px = [r / ws + n, g / ws + n, b / ws + n];
      // The trunk: grey bark, strongly textured.
      if (x < trunk) { const t = (Math.sin(x / (2 * S)) * Math.sin(y / (3 * S)) > 0 ? 40 : 0) + (rng() - 0.5) * 30; px = [95 + t, 90 + t, 88 + t]; }
      truth.data.set([...px, 255], i);
      img.data.set([...px, 255], i);
    }
  }
  // The hole: an ellipse against the trunk, from its edge into the blur.
  const hole = createMask(W, H), forbidden = createMask(W, H);
  const cx = trunk + 40 * S, cy = 150 * S, rx = 42 * S, ry = 95 * S;
  for (let y = 0; y < H; y++) {
    for (let x = trunk; x < W; x++) {
      if (((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 > 1) continue;
      const p = y * W + x;
      hole.data[p] = 255; forbidden.data[p] = 255;
      img.data.set([140, 90, 60, 255], p * 4); // the object that stood there
    }
  }
  return { img, truth, hole, forbidden, trunk };
}

/**
 * Mean and largest absolute difference (mean of R, G, B) from the truth over the hole's right half
 * (≥ 40 px from the trunk at 1×: the exemplar fill may run the bark on into the hole, which this pass
 * leaves to it), on 6 × 6 block means (the layout, not the grain).
 */
function layoutError(a: RgbaImage, s: ReturnType<typeof bokeh>): { mean: number; max: number } {
  const W = a.width, H = a.height, B = 6;
  let sum = 0, n = 0, max = 0;
  for (let by = 0; by + B <= H; by += B) {
    for (let bx = s.trunk + Math.round(40 * (W / 240)); bx + B <= W; bx += B) {
      let inside = true, da = 0;
      for (let y = by; y < by + B && inside; y++) for (let x = bx; x < bx + B; x++) {
        const p = y * W + x;
        if (s.hole.data[p] !== 255) { inside = false; break; }
        for (let k = 0; k < 3; k++) da += a.data[p * 4 + k]! - s.truth.data[p * 4 + k]!;
      }
      if (!inside) continue;
      const e = Math.abs(da / (3 * B * B));
      sum += e; n++; if (e > max) max = e;
    }
  }
  return { mean: sum / n, max };
}

/**
 * The exemplar fill's failure in a blur, drawn in: the hole filled with blocks (20 px at 1×) each
 * copied from another place of the blur (seeded), as the exemplar fill does where every blur patch
 * matches about as well as any other — their edges are the seams.
 */
function blockyFill(s: ReturnType<typeof bokeh>): RgbaImage {
  const a = { width: s.img.width, height: s.img.height, data: s.img.data.slice() } as RgbaImage;
  const W = a.width, H = a.height, S = W / 240, B = Math.round(20 * S), rng = createRng(4);
  for (let by = 0; by < H; by += B) {
    for (let bx = s.trunk; bx < W; bx += B) {
      // A source block in the blur, right of the trunk, anywhere in the picture.
      const sx = s.trunk + Math.floor(rng() * (W - s.trunk - B)), sy = Math.floor(rng() * (H - B));
      for (let y = by; y < Math.min(H, by + B); y++) for (let x = bx; x < Math.min(W, bx + B); x++) {
        const p = y * W + x, q = (sy + y - by) * W + (sx + x - bx);
        if (s.hole.data[p] === 255) a.data.set(s.truth.data.subarray(q * 4, q * 4 + 4), p * 4);
      }
    }
  }
  return a;
}

describe('smooth backdrop: the fill of a place vacated in a blur', () => {
  it.each([1, 3])('takes the layout of blocks copied into a blur from the blur\'s border (%i×)', (S) => {
    const s = bokeh(S);
    const a = blockyFill(s);
    const before = layoutError(a, s);
    const r = smoothBackdrop(a, s.hole, s.forbidden, holeBox(s.hole)!);
    expect(r.applied).toBe(true);
    expect(r.steppiness).toBeGreaterThanOrEqual(2.5);
    const after = layoutError(a, s);
    expect(before.max).toBeGreaterThan(20);
    expect(after.max).toBeLessThan(0.5 * before.max);
    expect(after.mean).toBeLessThan(0.5 * before.mean);
    // Only hole pixels change.
    for (let p = 0; p < s.hole.data.length; p++) if (s.hole.data[p] === 0) expect(a.data[p * 4]).toBe(s.img.data[p * 4]);
  });

  it('keeps the grain of the blur (the fill is not flattened)', () => {
    const s = bokeh();
    const a = blockyFill(s);
    smoothBackdrop(a, s.hole, s.forbidden, holeBox(s.hole)!);
    // Pixel-to-pixel steps inside the fill, away from the trunk: about the truth's (its grain ±2).
    const W = a.width;
    let da = 0, dt = 0, n = 0;
    for (let p = 0; p < s.hole.data.length - 1; p++) {
      if (s.hole.data[p] !== 255 || s.hole.data[p + 1] !== 255 || p % W < s.trunk + 40) continue;
      da += Math.abs(a.data[p * 4]! - a.data[p * 4 + 4]!); dt += Math.abs(s.truth.data[p * 4]! - s.truth.data[p * 4 + 4]!); n++;
    }
    expect(da / n).toBeGreaterThan(0.5 * (dt / n));
    expect(da / n).toBeLessThan(2 * (dt / n));
  });

  it('leaves a fill that continues the blur as it is (the blur itself, filled in)', () => {
    const s = bokeh();
    const a = { width: s.img.width, height: s.img.height, data: s.truth.data.slice() } as RgbaImage;
    for (let p = 0; p < s.hole.data.length; p++) if (s.hole.data[p] === 0) a.data.set(s.img.data.subarray(p * 4, p * 4 + 4), p * 4);
    const before = a.data.slice();
    const r = smoothBackdrop(a, s.hole, s.forbidden, holeBox(s.hole)!);
    expect(r.applied).toBe(false);
    expect(r.steppiness).toBeLessThan(2.5);
    expect(r.steppiness).toBeGreaterThan(1);
    expect(Array.from(a.data)).toEqual(Array.from(before));
  });

  it('leaves a flat fill as it is (a candy\'s pink glow around its old place is not carried in)', () => {
    // A white table, a pink glow round the hole where a red candy stood; the exemplar fill made the
    // place white (copied from further out): a border interpolation would paint a pink ghost.
    const W = 200, H = 200, rng = createRng(2), img = createImage(W, H), hole = createMask(W, H), forbidden = createMask(W, H);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
      const r = Math.hypot(x - 100, y - 100), glow = Math.max(0, 1 - Math.max(0, r - 30) / 25), n = (rng() - 0.5) * 3;
      const inHole = r <= 30;
      img.data.set(inHole ? [246 + n, 246 + n, 244 + n, 255] : [246 + n, 246 - 60 * glow + n, 244 - 55 * glow + n, 255], (y * W + x) * 4);
      if (inHole) { hole.data[y * W + x] = 255; forbidden.data[y * W + x] = 255; }
    }
    const before = img.data.slice();
    const r = smoothBackdrop(img, hole, forbidden, holeBox(hole)!);
    expect(r.applied).toBe(false);
    expect(r.borderShare).toBeGreaterThan(0.5);
    expect(Array.from(img.data)).toEqual(Array.from(before));
  });

  it('does nothing where the border is mostly textured', () => {
    const W = 200, H = 200, rng = createRng(5), img = createImage(W, H), hole = createMask(W, H), forbidden = createMask(W, H);
    for (let p = 0; p < W * H; p++) { const v = rng() * 200; img.data.set([v, v * 0.9, v * 0.8, 255], p * 4); }
    for (let y = 70; y < 130; y++) for (let x = 70; x < 130; x++) { hole.data[y * W + x] = 255; forbidden.data[y * W + x] = 255; }
    const before = img.data.slice();
    const r = smoothBackdrop(img, hole, forbidden, holeBox(hole)!);
    expect(r.applied).toBe(false);
    expect(r.borderShare).toBeLessThan(0.5);
    expect(Array.from(img.data)).toEqual(Array.from(before));
  });

  it('leaves bands that pass behind the hole to the exemplar fill (their edges are continued: no washed disc)', async () => {
    // Flat horizontal bands with sharp edges: the border is mostly smooth, but the bands' edges run
    // on through the hole (fill/structure.ts continues them), and the pass stays out of it.
    const W = 240, H = 240, rng = createRng(8), img = createImage(W, H), truth = createImage(W, H), hole = createMask(W, H), forbidden = createMask(W, H);
    const colours = [[200, 60, 60], [60, 160, 70], [70, 80, 200], [220, 210, 90]];
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
      const c = colours[Math.floor(y / 30) % 4]!, n = (rng() - 0.5) * 4;
      truth.data.set([c[0]! + n, c[1]! + n, c[2]! + n, 255], (y * W + x) * 4);
      img.data.set([c[0]! + n, c[1]! + n, c[2]! + n, 255], (y * W + x) * 4);
    }
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if ((x - 120) ** 2 + (y - 120) ** 2 <= 50 ** 2) { hole.data[y * W + x] = 255; forbidden.data[y * W + x] = 255; img.data.set([0, 0, 0, 255], (y * W + x) * 4); }
    void truth;
    const a = { width: W, height: H, data: img.data.slice() } as RgbaImage;
    await fillPatchMatch(a, hole, forbidden, { seed: 1 });
    const b = { width: W, height: H, data: img.data.slice() } as RgbaImage;
    await fillPatchMatch(b, hole, forbidden, { seed: 1 }, { smoothBackdrop: false });
    // The same pixels with and without the pass.
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
  });
});
