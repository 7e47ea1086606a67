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
  // Sub-sample large boxes (every `st` px) to stay fast.
  const st = bw * bh > 250000 ? 2 : 1;
  const gw = Math.ceil(bw / st), gh = Math.ceil(bh / st);
  const grad = new Float32Array(gw * gh);
  const d = image.data;
  const lum = (x: number, y: number): number => { const p = (y * W + x) * 4; return 0.299 * d[p]! + 0.587 * d[p + 1]! + 0.114 * d[p + 2]!; };
  for (let j = 0; j < gh; j++) {
    const y = y0 + j * st;
    for (let i = 0; i < gw; i++) {
      const x = x0 + i * st;
      const gx = lum(x + 1, y) - lum(x - 1, y), gy = lum(x, y + 1) - lum(x, y - 1);
      grad[j * gw + i] = Math.sqrt(gx * gx + gy * gy);
    }
  }
  // Percentile by histogram (1-unit bins; |∇| ≤ 255·√2).
  const hist = new Uint32Array(362);
  let gmax = 0;
  for (let k = 0; k < grad.length; k++) { const g = grad[k]!; hist[Math.min(361, g | 0)]++; if (g > gmax) gmax = g; }
  let thr = 0;
  for (let b = 0, acc = 0, want = (EDGE_PERCENTILE / 100) * grad.length; b < 362; b++) { acc += hist[b]!; if (acc > want) { thr = b + 1; break; } }
  thr = Math.max(8, thr);
  // Near-edge map: strong gradient within EDGE_REACH (box dilation in grid units).
  const reach = Math.max(1, Math.round(EDGE_REACH / st));
  const strong = new Uint8Array(gw * gh);
  for (let k = 0; k < grad.length; k++) strong[k] = grad[k]! >= thr ? 1 : 0;
  const rowD = new Uint8Array(gw * gh);
  for (let j = 0; j < gh; j++) for (let i = 0; i < gw; i++) {
    let v = 0;
    for (let t = Math.max(0, i - reach); !v && t <= Math.min(gw - 1, i + reach); t++) v = strong[j * gw + t]!;
    rowD[j * gw + i] = v;
  }
  const near = new Uint8Array(gw * gh);
  let nearAll = 0;
  for (let j = 0; j < gh; j++) for (let i = 0; i < gw; i++) {
    let v = 0;
    for (let t = Math.max(0, j - reach); !v && t <= Math.min(gh - 1, j + reach); t++) v = rowD[t * gw + i]!;
    near[j * gw + i] = v;
    nearAll += v;
  }
  const chance = nearAll / (gw * gh);
  // Outline samples: solid pixels with a non-solid 4-neighbour, not on the image border.
  const inside = (x: number, y: number): boolean => {
    const mx = x - mask.left, my = y - mask.top;
    return mx >= 0 && my >= 0 && mx < mw && my < mh && md[my * mw + mx]! >= 128;
  };
  let on = 0, n = 0;
  for (let y = Math.max(1, mask.top); y < Math.min(H - 1, mask.top + mh); y++) {
    for (let x = Math.max(1, mask.left); x < Math.min(W - 1, mask.left + mw); x++) {
      if (!inside(x, y)) continue;
      if (inside(x - 1, y) && inside(x + 1, y) && inside(x, y - 1) && inside(x, y + 1)) continue;
      const i = Math.round((x - x0) / st), j = Math.round((y - y0) / st);
      if (i < 0 || j < 0 || i >= gw || j >= gh) continue;
      n++;
      on += near[j * gw + i]!;
    }
  }
  if (n === 0 || gmax < 8 || chance >= 0.999) return { fit: 1, onEdge: n ? on / n : 0, chance, samples: n };
  const onEdge = on / n;
  return { fit: (onEdge - chance) / (1 - chance), onEdge, chance, samples: n };
}
