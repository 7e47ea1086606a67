/**
 * The outline of what an edit moved, for hosts to draw over their preview ("marching ants"):
 * the moved content's pixels are found from the edit's source map, and their outline is traced
 * by the shared contour kernel (marching squares + Douglas–Peucker, capped in points).
 */
import { traceContours, type ContourOptions, type PlacedMask, type Point } from '@smartdrag/shared';
import type { EditResult } from './types';

/** A pixel moved when its content was sampled farther than this from itself (px). */
export const MOVED_MIN_SHIFT_PX = 0.5;
/** Default cap on the outline's vertices (all polygons together). */
export const MOVED_MAX_POINTS = 2000;

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
 * preview: mapped back from proxy pixels to the image's). Empty when nothing moved.
 */
export function movedOutline(res: Pick<EditResult, 'crop' | 'targetMask' | 'holeMask' | 'sourceMap' | 'movedShiftPx' | 'movedBackward' | 'proxy'>, opts: ContourOptions & { minShiftPx?: number } = {}): Point[][] {
  const rings = traceContours(movedMask(res, opts.minShiftPx), { maxPoints: MOVED_MAX_POINTS, ...opts });
  const px = res.proxy;
  if (!px) return rings;
  // Proxy pixel centre c ↔ image coordinate (c + ½) / scale − ½.
  const r = (v: number): number => Math.round(v * 100) / 100;
  return rings.map((ring) => ring.map(([x, y]) => [r((x + 0.5) / px.scaleX - 0.5), r((y + 0.5) / px.scaleY - 0.5)] as Point));
}
