/**
 * Does a selection follow its object's outline (a TIGHT selection: a lasso or polygon on the
 * object's edge) or is it an editable area drawn around the object (a LOOSE one: DragBench's
 * masks, a quick lasso around a head)? Weight-free: the colour step ACROSS the selection's edge
 * against the steps just inside and just outside it, along the edge normal. On an outline the
 * step across is much larger than the texture on either side; on a loose edge it is the same
 * texture everywhere.
 */
import type { PlacedMask, RgbaImage } from '../types';
import { checkRow } from '../cancel';

export interface SelectionFit {
  /** Mean colour step across the edge / mean step beside it (inside and outside). ~1 loose, ≫ 1 tight. */
  edgeRatio: number;
  /** Boundary samples used. */
  samples: number;
  /** The reading: true when the edge follows strong image edges (or the image has no texture there). */
  tight: boolean;
}

/** Edge ratio from which a selection reads as following the object's outline. */
export const TIGHT_EDGE_RATIO = 1.33;
/**
 * Side (√(width × height), px) of the photos the offsets below were set on (DragBench and the photo
 * cases: up to 512 × 768). On a larger document a selection drawn as carefully on screen lies as
 * many more document pixels off the object's edge, and the edge itself is as many pixels wide: the
 * offsets grow with the side (1× up to this size).
 */
export const FIT_REFERENCE_SIDE = 640;

/**
 * Measure how well `mask`'s edge follows image edges in `image` (document coordinates). Cost ∝
 * the edge length (samples every 2 px), never the area. `documentSide`: √(width × height) of the
 * whole document in `image`'s pixels when `image` is a crop of it (EditRequest `document`): the
 * offsets follow the document, not the crop, so a crop reads as the whole document does.
 */
export function selectionFit(image: RgbaImage, mask: PlacedMask, documentSide = Math.sqrt(image.width * image.height), signal?: AbortSignal): SelectionFit {
  const W = image.width, H = image.height, d = image.data;
  const mw = mask.width, mh = mask.height, md = mask.data;
  const solid = (x: number, y: number): boolean => x >= 0 && y >= 0 && x < mw && y < mh && md[y * mw + x]! >= 128;
  const colour = (x: number, y: number, out: Float64Array, o: number): boolean => {
    const xx = Math.round(x) + mask.left, yy = Math.round(y) + mask.top;
    if (xx < 0 || yy < 0 || xx >= W || yy >= H) return false;
    const i = (yy * W + xx) * 4;
    out[o] = d[i]!; out[o + 1] = d[i + 1]!; out[o + 2] = d[i + 2]!;
    return true;
  };
  const c = new Float64Array(6);
  const u = Math.max(1, documentSide / FIT_REFERENCE_SIDE);
  const step = (x0: number, y0: number, x1: number, y1: number): number => {
    if (!colour(x0, y0, c, 0) || !colour(x1, y1, c, 3)) return NaN;
    return (Math.abs(c[0]! - c[3]!) + Math.abs(c[1]! - c[4]!) + Math.abs(c[2]! - c[5]!)) / 3;
  };
  let across = 0, beside = 0, n = 0, k = 0;
  const R = 3;
  for (let y = 0; y < mh; y++) {
    // (A cancel is taken every few dozen rows: core/cancel.ts.)
    checkRow(signal, y);
    const row = y * mw, inY = y > 0 && y < mh - 1;
    for (let x = 0; x < mw; x++) {
      // Solid pixels whose four neighbours are all solid are inside, not on the edge (read
      // directly: this scan visits every pixel of the selection's rectangle).
      if (md[row + x]! < 128) continue;
      if (inY && x > 0 && x < mw - 1 && md[row + x - 1]! >= 128 && md[row + x + 1]! >= 128 && md[row + x - mw]! >= 128 && md[row + x + mw]! >= 128) continue;
      if ((k++ & 1) === 1) continue; // every other edge pixel
      // Outward normal: away from the solid pixels of the (2R+1)² neighbourhood.
      let gx = 0, gy = 0;
      for (let dy = -R; dy <= R; dy++) for (let dx = -R; dx <= R; dx++) if (solid(x + dx, y + dy)) { gx -= dx; gy -= dy; }
      const len = Math.hypot(gx, gy);
      if (len < 1e-6) continue;
      const nx = gx / len, ny = gy / len;
      // The strongest step across the edge within ±3 px (a polygon is rarely exactly on the edge),
      // against the same measure 7 px inside and 7 px outside (px × u on a larger document).
      const best = (ox: number, oy: number): number => {
        let m = NaN;
        for (let s = -2; s <= 2; s += 2) {
          const v = step(x + ox + (s - 2) * u * nx, y + oy + (s - 2) * u * ny, x + ox + (s + 2) * u * nx, y + oy + (s + 2) * u * ny);
          if (!(m >= v)) m = v;
        }
        return m;
      };
      const a = best(0, 0), bi = best(-7 * u * nx, -7 * u * ny), bo = best(7 * u * nx, 7 * u * ny);
      if (!Number.isFinite(a) || !Number.isFinite(bi) || !Number.isFinite(bo)) continue;
      across += a; beside += (bi + bo) / 2; n++;
    }
  }
  // No texture along the edge (a flat or blank image): no evidence that the selection is an area
  // drawn around an object, so it is taken as given (tight).
  if (n === 0 || across / n + beside / n < 1) return { edgeRatio: 1, samples: n, tight: true };
  const edgeRatio = (across / n + 2) / (beside / n + 2);
  return { edgeRatio, samples: n, tight: edgeRatio >= TIGHT_EDGE_RATIO };
}
