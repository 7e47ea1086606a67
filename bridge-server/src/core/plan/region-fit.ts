/**
 * Does a selection follow the object's outline (a tight selection: "this object") or is it a loose
 * editable area drawn around something (a DragBench mask, a quick lasso: "things may change
 * here")? Weight-free evidence: along the region's outline, how often is there a strong image edge
 * within {@link EDGE_REACH} px, against how often a strong edge lies near a random pixel of the
 * same neighbourhood. "Strong" = above the {@link EDGE_PERCENTILE}-th percentile of the gradient
 * magnitude over the region's bounding box (grown by its margin), so the measure does not depend
 * on the photo's contrast.
 *
 * `fit` = (share of outline samples near a strong edge − share of all samples near one) /
 * (1 − share of all samples near one): 0 for an outline that ignores the image, 1 for one that
 * lies on edges everywhere. A region whose outline is only the image border (or a blank image,
 * no edges at all) gets `fit = 1` (nothing says it is loose; it is used as given).
 */
import type { PlacedMask, RgbaImage } from '../types';

/** Distance (px) within which an outline pixel counts as lying on an edge. */
export const EDGE_REACH = 2;
/** Percentile of the gradient magnitude that counts as a strong edge. */
export const EDGE_PERCENTILE = 80;
/** Below this fit the selection is read as a loose editable area. */
export const LOOSE_FIT = 0.43;

export interface RegionFit {
  /** 0 (outline ignores the image) … 1 (outline on strong edges everywhere). */
  fit: number;
  /** Share of outline samples near a strong edge. */
  onEdge: number;
  /** Share of all neighbourhood samples near a strong edge (chance level). */
  chance: number;
  /** Outline samples used. */
  samples: number;
}

/** Measure how well `mask`'s outline follows strong edges of `image` (see the module comment). */
export function regionFit(image: RgbaImage, mask: PlacedMask): RegionFit {
  const W = image.width, H = image.height;
  const mw = mask.width, mh = mask.height, md = mask.data;
  const margin = Math.max(8, Math.round(0.1 * Math.max(mw, mh)));
  const x0 = Math.max(1, mask.left - margin), y0 = Math.max(1, mask.top - margin);
  const x1 = Math.min(W - 2, mask.left + mw - 1 + margin), y1 = Math.min(H - 2, mask.top + mh - 1 + margin);
  const bw = x1 - x0 + 1, bh = y1 - y0 + 1;
  if (bw < 3 || bh < 3) return { fit: 1, onEdge: 0, chance: 0, samples: 0 };
  const d = image.data;
  /** Gradient magnitude (central differences of luminance) at an interior pixel. */
  const grad = (x: number, y: number): number => {
    const pl = (y * W + x - 1) * 4, pr = pl + 8, pu = ((y - 1) * W + x) * 4, pd = ((y + 1) * W + x) * 4;
    const gx = 0.299 * (d[pr]! - d[pl]!) + 0.587 * (d[pr + 1]! - d[pl + 1]!) + 0.114 * (d[pr + 2]! - d[pl + 2]!);
    const gy = 0.299 * (d[pd]! - d[pu]!) + 0.587 * (d[pd + 1]! - d[pu + 1]!) + 0.114 * (d[pd + 2]! - d[pu + 2]!);
    return Math.sqrt(gx * gx + gy * gy);
  };
  // Sparse sample of the box (about 16k points): the percentile threshold and the chance level.
  const st = Math.max(1, Math.round(Math.sqrt((bw * bh) / 16000)));
  const hist = new Uint32Array(362);
  let count = 0, gmax = 0;
  for (let y = y0; y <= y1; y += st) for (let x = x0; x <= x1; x += st) {
    const g = grad(x, y);
    hist[Math.min(361, g | 0)]++; count++;
    if (g > gmax) gmax = g;
  }
  let thr = 0;
  for (let b = 0, acc = 0, want = (EDGE_PERCENTILE / 100) * count; b < 362; b++) { acc += hist[b]!; if (acc > want) { thr = b + 1; break; } }
  thr = Math.max(8, thr);
  /** A strong gradient within EDGE_REACH px of (x, y)? */
  const nearEdge = (x: number, y: number): boolean => {
    const ya = Math.max(1, y - EDGE_REACH), yb = Math.min(H - 2, y + EDGE_REACH);
    const xa = Math.max(1, x - EDGE_REACH), xb = Math.min(W - 2, x + EDGE_REACH);
    for (let yy = ya; yy <= yb; yy++) for (let xx = xa; xx <= xb; xx++) if (grad(xx, yy) >= thr) return true;
    return false;
  };
  const cs = Math.max(st, Math.round(Math.sqrt((bw * bh) / 4000)));
  let nearAll = 0, nAll = 0;
  for (let y = y0; y <= y1; y += cs) for (let x = x0; x <= x1; x += cs) { nAll++; if (nearEdge(x, y)) nearAll++; }
  const chance = nearAll / Math.max(1, nAll);
  // Outline samples: solid pixels with a non-solid 4-neighbour, not on the image border; thinned
  // to about 3000.
  const inside = (x: number, y: number): boolean => {
    const mx = x - mask.left, my = y - mask.top;
    return mx >= 0 && my >= 0 && mx < mw && my < mh && md[my * mw + mx]! >= 128;
  };
  let outline = 0;
  const ox: number[] = [], oy: number[] = [];
  for (let y = Math.max(1, mask.top); y < Math.min(H - 1, mask.top + mh); y++) {
    for (let x = Math.max(1, mask.left); x < Math.min(W - 1, mask.left + mw); x++) {
      if (md[(y - mask.top) * mw + x - mask.left]! < 128) continue;
      if (inside(x - 1, y) && inside(x + 1, y) && inside(x, y - 1) && inside(x, y + 1)) continue;
      outline++;
      ox.push(x); oy.push(y);
    }
  }
  const every = Math.max(1, Math.round(outline / 3000));
  let on = 0, n = 0;
  for (let i = 0; i < ox.length; i += every) { n++; if (nearEdge(ox[i]!, oy[i]!)) on++; }
  if (n === 0 || gmax < 8 || chance >= 0.999) return { fit: 1, onEdge: n ? on / n : 0, chance, samples: n };
  const onEdge = on / n;
  return { fit: (onEdge - chance) / (1 - chance), onEdge, chance, samples: n };
}
