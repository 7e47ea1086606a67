/**
 * The outline of what an edit moved, for hosts to draw over their preview ("marching ants"):
 * the moved content's pixels are found from the edit's source map, and their outline is traced
 * by the shared contour kernel (marching squares + Douglas–Peucker, capped in points).
 */
import { contourGrid, polygonArea, traceContourGrid, type ContourOptions, type PlacedMask, type Point } from '@smartdrag/shared';
import type { EditResult } from './types';

/** A pixel moved when its content was sampled farther than this from itself (px). */
export const MOVED_MIN_SHIFT_PX = 0.5;
/** Default cap on the outline's vertices (all polygons together). */
export const MOVED_MAX_POINTS = 2000;
/**
 * Rings of the outline smaller than this (px², either orientation) are left out when a larger one
 * is drawn: slivers a pixel wide where moved content's soft coverage hovers about half (a cast
 * shadow's fading edge read on blocks at 4×: twelve dashes along the shadow), not parts a user moved.
 */
export const MOVED_MIN_RING_AREA = 16;

/**
 * The moved pixels of an edit's crop, as a mask placed in the crop's pixels and cut to their
 * bounds: target coverage ≥ 128 (moved content lands there; the regions' area after the move),
 * not filled, and sampled more than `minShiftPx` away from itself.
 */
export function movedMask(res: Pick<EditResult, 'crop' | 'targetMask' | 'holeMask' | 'sourceMap' | 'movedShiftPx' | 'movedBackward'>, minShiftPx = MOVED_MIN_SHIFT_PX): PlacedMask {
  const { crop, targetMask, holeMask, sourceMap } = res;
  // Translations only (runEdit `forOutline`): every rendered pixel moved by its region's shift.
  const shift = sourceMap ? undefined : res.movedShiftPx;
  // One region turned or scaled (runEdit `forOutline`): each rendered pixel's source is the
  // warp's backward map of it (rounded to float32 as the source map stores it: the same test).
  const back = sourceMap || shift !== undefined ? undefined : res.movedBackward;
  if (!sourceMap && shift === undefined && !back) throw new RangeError('movedMask needs the edit\'s sourceMap (runEdit(…, { withSourceMap: true }) or { forOutline: true })');
  if (shift !== undefined && !(shift > minShiftPx)) return { left: crop.left, top: crop.top, width: 0, height: 0, data: new Uint8Array(0) };
  const w = crop.width, h = crop.height;
  const full = new Uint8Array(w * h);
  const min2 = minShiftPx * minShiftPx;
  const td = targetMask.data, hd = holeMask.data;
  let x0 = w, y0 = h, x1 = -1, y1 = -1;
  for (let y = 0; y < h; y++) {
    const row = y * w, cy = y + crop.top;
    for (let x = 0; x < w; x++) {
      const p = row + x;
      if (td[p]! < 128 || hd[p]! >= 128) continue;
      let moved = true;
      if (sourceMap) {
        const dx = sourceMap[2 * p]! - (x + crop.left), dy = sourceMap[2 * p + 1]! - cy;
        moved = dx * dx + dy * dy > min2;
      } else if (back) {
        const cx = x + crop.left;
        const dx = Math.fround(back[0] * cx + back[1] * cy + back[2]) - cx, dy = Math.fround(back[3] * cx + back[4] * cy + back[5]) - cy;
        moved = dx * dx + dy * dy > min2;
      }
      if (moved) {
        full[p] = 255;
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        y1 = y;
      }
    }
  }
  if (x1 < 0) return { left: crop.left, top: crop.top, width: 0, height: 0, data: new Uint8Array(0) };
  // Only the moved pixels' bounds go on (the crop also holds the vacated place and the margin).
  const bw = x1 - x0 + 1, bh = y1 - y0 + 1;
  const data = new Uint8Array(bw * bh);
  for (let y = 0; y < bh; y++) data.set(full.subarray((y0 + y) * w + x0, (y0 + y) * w + x0 + bw), y * bw);
  return { left: crop.left + x0, top: crop.top + y0, width: bw, height: bh, data };
}

/**
 * Closed polygons around the moved content, in the pixels of the edit's image (for a proxy
 * preview: mapped back from proxy pixels to the image's). Empty when nothing moved. The same
 * polygons as `traceContours(movedMask(res))` less rings under {@link MOVED_MIN_RING_AREA} beside
 * a larger one, without building the mask: the moved pixels are
 * counted straight into the contour grid, row by row between each row's first and last moved
 * pixel (for a turn or scale, the pixels that can have stayed — near the pivot — are found per
 * row from the backward map and only they are tested one by one).
 */
export function movedOutline(res: Pick<EditResult, 'crop' | 'targetMask' | 'holeMask' | 'sourceMap' | 'movedShiftPx' | 'movedBackward' | 'proxy'>, opts: ContourOptions & { minShiftPx?: number } = {}): Point[][] {
  let rings = movedRings(res, opts);
  if (rings.length > 1) {
    const areas = rings.map((ring) => Math.abs(polygonArea(ring)));
    if (Math.max(...areas) >= MOVED_MIN_RING_AREA) rings = rings.filter((_ring, i) => areas[i]! >= MOVED_MIN_RING_AREA);
  }
  const px = res.proxy;
  if (!px) return rings;
  // Proxy pixel centre c ↔ image coordinate (c + ½) / scale − ½.
  const r = (v: number): number => Math.round(v * 100) / 100;
  return rings.map((ring) => ring.map(([x, y]) => [r((x + 0.5) / px.scaleX - 0.5), r((y + 0.5) / px.scaleY - 0.5)] as Point));
}

function movedRings(res: Pick<EditResult, 'crop' | 'targetMask' | 'holeMask' | 'sourceMap' | 'movedShiftPx' | 'movedBackward'>, opts: ContourOptions & { minShiftPx?: number }): Point[][] {
  const { crop, targetMask, holeMask, sourceMap } = res;
  const minShiftPx = opts.minShiftPx ?? MOVED_MIN_SHIFT_PX;
  const shift = sourceMap ? undefined : res.movedShiftPx;
  const back = sourceMap || shift !== undefined ? undefined : res.movedBackward;
  if (!sourceMap && shift === undefined && !back) throw new RangeError('movedOutline needs the edit\'s sourceMap (runEdit(…, { withSourceMap: true }) or { forOutline: true })');
  if (shift !== undefined && !(shift > minShiftPx)) return [];
  const w = crop.width, h = crop.height, L = crop.left, T = crop.top;
  if (w <= 0 || h <= 0) return [];
  const min2 = minShiftPx * minShiftPx;
  const td = targetMask.data, hd = holeMask.data;
  // Per row, the columns [lo, hi) that need the per-pixel test; every other candidate moved.
  let lo = 0, hi = 0;
  const span = (y: number): void => {
    if (sourceMap) { lo = 0; hi = w; return; }
    if (!back) { lo = 0; hi = 0; return; }
    // |B(p) − p|² = A·X² + 2·Bq·X + C along the row (X the document column): where it can be
    // within (minShift + 0.01)² — float32 rounding moves it far less — plus a pixel either side.
    const Y = y + T;
    const ax = back[0] - 1, bx = back[1] * Y + back[2], ay = back[3], by = (back[4] - 1) * Y + back[5];
    const A = ax * ax + ay * ay, Bq = ax * bx + ay * by, C = bx * bx + by * by, lim = (minShiftPx + 0.01) ** 2;
    if (!(A > 1e-12)) { lo = 0; hi = C <= lim + 1 ? w : 0; return; }
    const disc = Bq * Bq - A * (C - lim);
    if (disc < 0) { lo = 0; hi = 0; return; }
    const r = Math.sqrt(disc);
    lo = Math.max(0, Math.floor((-Bq - r) / A) - L - 1);
    hi = Math.min(w, Math.ceil((-Bq + r) / A) - L + 2);
    if (hi < lo) hi = lo;
  };
  const moved = (p: number, x: number, y: number): boolean => {
    if (sourceMap) {
      const dx = sourceMap[2 * p]! - (x + L), dy = sourceMap[2 * p + 1]! - (y + T);
      return dx * dx + dy * dy > min2;
    }
    const X = x + L, Y = y + T;
    const dx = Math.fround(back![0] * X + back![1] * Y + back![2]) - X, dy = Math.fround(back![3] * X + back![4] * Y + back![5]) - Y;
    return dx * dx + dy * dy > min2;
  };
  // First pass: each row's first and last moved pixel.
  const first = new Int32Array(h).fill(-1), last = new Int32Array(h);
  let x0 = w, y0 = h, x1 = -1, y1 = -1;
  for (let y = 0; y < h; y++) {
    span(y);
    const row = y * w;
    let a = -1;
    for (let x = 0; x < w; x++) {
      const p = row + x;
      if (td[p]! < 128 || hd[p]! >= 128) continue;
      if (x >= lo && x < hi && !moved(p, x, y)) continue;
      a = x;
      break;
    }
    if (a < 0) continue;
    let b = a;
    for (let x = w - 1; x > a; x--) {
      const p = row + x;
      if (td[p]! < 128 || hd[p]! >= 128) continue;
      if (x >= lo && x < hi && !moved(p, x, y)) continue;
      b = x;
      break;
    }
    first[y] = a; last[y] = b;
    if (a < x0) x0 = a;
    if (b > x1) x1 = b;
    if (y < y0) y0 = y;
    y1 = y;
  }
  if (x1 < 0) return [];
  // Second pass: count the moved pixels into the contour grid of their bounds.
  const bw = x1 - x0 + 1, bh = y1 - y0 + 1;
  const grid = contourGrid(bw, bh, opts);
  const { cell, sw, v } = grid;
  const colBlock = new Int32Array(bw);
  for (let x = 0; x < bw; x++) colBlock[x] = (x / cell) | 0;
  for (let y = y0; y <= y1; y++) {
    const a = first[y]!;
    if (a < 0) continue;
    const b = last[y]!, row = y * w, srow = ((((y - y0) / cell) | 0) + 1) * sw + 1;
    span(y);
    const tlo = Math.max(a, lo), thi = Math.min(b + 1, hi);
    for (let x = a; x <= b; x++) {
      const p = row + x;
      if (td[p]! < 128 || hd[p]! >= 128) continue;
      if (x >= tlo && x < thi && !moved(p, x, y)) continue;
      v[srow + colBlock[x - x0]!]! += 1;
    }
  }
  return traceContourGrid({ left: L + x0, top: T + y0, width: bw, height: bh }, grid, { maxPoints: MOVED_MAX_POINTS, ...opts });
}
