/**
 * Synthetic scenes with a known object for the segmentation tests and timings: a textured object
 * on a textured background of other colour statistics, a loose selection around it, the handle
 * on the object. Generated in code, seeded.
 */
import { createImage } from '../image';
import { createRng } from '../random';
import type { PlacedMask, Point, RgbaImage } from '../types';

export interface SegmentScene {
  image: RgbaImage;
  selection: PlacedMask;
  handles: Point[];
  /** The object ∩ the selection, image-sized (1 = object). */
  truth: Uint8Array;
  /** The whole object, inside the selection or not, image-sized (1 = object). */
  object: Uint8Array;
}

export type SceneKind = 'textured' | 'touching-edge' | 'low-contrast-part' | 'thin' | 'bokeh' | 'clipped-tip';

/** A smooth value-noise field in [-1, 1] (cell px) plus fine per-pixel noise. */
function noiseField(w: number, h: number, cell: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const gw = Math.ceil(w / cell) + 2, gh = Math.ceil(h / cell) + 2;
  const lat = new Float32Array(gw * gh);
  for (let i = 0; i < lat.length; i++) lat[i] = rng() * 2 - 1;
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const fx = x / cell, fy = y / cell, ix = Math.floor(fx), iy = Math.floor(fy), tx = fx - ix, ty = fy - iy;
      const a = lat[iy * gw + ix]!, b = lat[iy * gw + ix + 1]!, c = lat[(iy + 1) * gw + ix]!, d = lat[(iy + 1) * gw + ix + 1]!;
      out[y * w + x] = 0.8 * ((a + (b - a) * tx) * (1 - ty) + (c + (d - c) * tx) * ty) + 0.2 * (rng() * 2 - 1);
    }
  }
  return out;
}

/** Build a scene of `kind`, `scale`× the base size of 320×240. */
export function makeSegmentScene(kind: SceneKind, scale = 1, seed = 7): SegmentScene {
  const w = Math.round(320 * scale), h = Math.round(240 * scale);
  const image = createImage(w, h);
  const d = image.data;
  const nb = noiseField(w, h, 9 * scale, seed), no = noiseField(w, h, 5 * scale, seed + 1);
  const cx = w / 2, cy = h / 2, ax = 62 * scale, ay = 46 * scale;
  const object = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      // thin: a rod (11 px wide, 160 px long, at 30°) instead of the body — a pencil, a pole.
      const along = (x - cx) * 0.866 + (y - cy) * 0.5, across = -(x - cx) * 0.5 + (y - cy) * 0.866;
      const inBody = kind === 'thin' ? Math.abs(along) <= 80 * scale && Math.abs(across) <= 5 * scale : ((x - cx) / ax) ** 2 + ((y - cy) / ay) ** 2 <= 1;
      // touching-edge: the object extends to the right beyond the selection.
      const inArm = kind === 'touching-edge' && y > cy - 14 * scale && y < cy + 14 * scale && x > cx && x < cx + 130 * scale;
      // clipped-tip: a horn on the body's top, tapering from 16 px to a point 44 px above it — a
      // quick lasso around the body clips its last ~15 px.
      const hornT = (cy - 46 * scale - y) / (44 * scale);
      const inHorn = kind === 'clipped-tip' && hornT >= -0.2 && hornT <= 1 && Math.abs(x - (cx + 10 * scale)) <= 8 * scale * (1 - hornT);
      // low-contrast-part: a tail whose colour lies between object and background.
      const inTail = kind === 'low-contrast-part' && y > cy - 12 * scale && y < cy + 12 * scale && x > cx && x < cx + 92 * scale;
      let r: number, g: number, b: number;
      if (inBody || inArm || inHorn) {
        const v = no[p]!; // warm, textured object with dark spots
        r = 200 + 40 * v; g = 90 + 35 * v; b = 60 + 25 * v;
        if (v < -0.45) { r = 120; g = 50; b = 40; }
        object[p] = 1;
      } else if (inTail) {
        const v = no[p]!;
        r = 140 + 20 * v; g = 110 + 20 * v; b = 80 + 20 * v;
        object[p] = 1;
      } else if (kind === 'bokeh') {
        // A defocused background: blue-grey, turning smoothly into a yellow-green blur above the
        // object that lies inside the selection only (its colours are not in the ring outside).
        const t = Math.exp(-(((x - cx) / (70 * scale)) ** 2 + ((y - (cy - 60 * scale)) / (40 * scale)) ** 2));
        const v = nb[p]! * 0.15;
        r = 95 + 110 * t + 6 * v; g = 125 + 80 * t + 6 * v; b = 190 - 110 * t + 6 * v;
      } else {
        const v = nb[p]!, stripe = Math.sin((x + 0.6 * y) / (6 * scale)) > 0.3 ? 1 : 0;
        r = 70 + 30 * v + 25 * stripe; g = 120 + 35 * v + 20 * stripe; b = 110 + 30 * v + 10 * stripe;
      }
      const i = p * 4;
      d[i] = r; d[i + 1] = g; d[i + 2] = b; d[i + 3] = 255;
    }
  }
  // Loose selection: a wobbly ellipse well around the body (touching-edge: cut by a vertical line
  // through the arm).
  const rng = createRng(seed + 2);
  const ph1 = rng() * 6.28, ph2 = rng() * 6.28;
  const sx = kind === 'low-contrast-part' ? 118 : 95, sy = kind === 'bokeh' ? 88 : 75;
  const left = Math.floor(cx - 130 * scale), top = Math.floor(cy - 90 * scale);
  const mw = Math.round(260 * scale), mh = Math.round(180 * scale);
  const sel = new Uint8Array(mw * mh);
  const truth = new Uint8Array(w * h);
  for (let y = 0; y < mh; y++) {
    for (let x = 0; x < mw; x++) {
      const X = x + left, Y = y + top;
      if (X < 0 || Y < 0 || X >= w || Y >= h) continue;
      const ang = Math.atan2(Y - cy, X - cx);
      const wob = 1 + 0.06 * Math.sin(3 * ang + ph1) + 0.04 * Math.sin(5 * ang + ph2);
      let inside = ((X - cx) / (sx * scale * wob)) ** 2 + ((Y - cy) / (sy * scale * wob)) ** 2 <= 1;
      if (kind === 'touching-edge' && X > cx + 80 * scale) inside = false;
      if (!inside) continue;
      sel[y * mw + x] = 255;
      truth[Y * w + X] = object[Y * w + X]!;
    }
  }
  return { image, selection: { left, top, width: mw, height: mh, data: sel }, handles: [[cx - 10 * scale, cy]], truth, object };
}

/** IoU of `mask ≥ 128` (placed) against `truth` (image-sized). */
export function iouAgainst(mask: PlacedMask, truth: Uint8Array, w: number): number {
  let inter = 0, union = 0;
  const seg = new Uint8Array(truth.length);
  for (let y = 0; y < mask.height; y++) {
    for (let x = 0; x < mask.width; x++) {
      const X = x + mask.left, Y = y + mask.top;
      if (X < 0 || Y < 0 || X >= w || Y * w + X >= truth.length) continue;
      if (mask.data[y * mask.width + x]! >= 128) seg[Y * w + X] = 1;
    }
  }
  for (let p = 0; p < truth.length; p++) { if (seg[p] && truth[p]) inter++; if (seg[p] || truth[p]) union++; }
  return union > 0 ? inter / union : 1;
}
