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
  /**
   * Share of the edge samples (offset scale 1) with no colour step at all — across the edge,
   * inside and outside it (each < {@link FLAT_STEP} levels): the edge runs over a flat backdrop.
   */
  flatShare: number;
  /** The reading: true when the edge follows strong image edges (or the image has no texture there). */
  tight: boolean;
}

/** A colour step (mean over R, G, B, levels of 255) below which a sample sees no texture. */
export const FLAT_STEP = 3;

/**
 * Share of flat edge samples ({@link FLAT_STEP}) from which a selection reads as an area drawn
 * around an object whatever its edge ratio: no photo case's polygon has any (0.00 at 1× and 4×).
 */
export const FLAT_LOOSE_SHARE = 0.5;

/** Edge ratio from which a selection reads as following the object's outline. */
export const TIGHT_EDGE_RATIO = 1.33;
/**
 * Side (√(width × height), px) at which the offsets below are 1 px per unit. They grow in
 * proportion to the document's side, with no floor: a selection drawn as carefully on screen lies
 * as many more document pixels off the object's edge on a larger document, and the edge itself is
 * as many pixels wide, so the same scene reads the same at any size (DragBench's 512² at 1×).
 */
export const FIT_REFERENCE_SIDE = 512;
/**
 * The ratio is read at these two offset scales (× side / FIT_REFERENCE_SIDE) and their geometric
 * mean taken: either alone swings by ±0.2 with where its samples happen to fall (a highlight just
 * inside, a neighbour just outside). Chosen by leave-one-photo-out over the 25 photo cases' and
 * DragBench's selections at 1× and 4× (docs/BENCHMARKS.md, session 27).
 */
export const FIT_OFFSET_SCALES: readonly number[] = [1, 2];

/**
 * Measure how well `mask`'s edge follows image edges in `image` (document coordinates). Cost ∝
 * the edge length (samples every 2 px), never the area. `documentSide`: √(width × height) of the
 * whole document in `image`'s pixels when `image` is a crop of it (EditRequest `document`): the
 * offsets follow the document, not the crop, so a crop reads as the whole document does.
 * `offsetScales`: the scales read (FIT_OFFSET_SCALES; bench/selection-fit-lopo.ts reads others).
 */
export function selectionFit(image: RgbaImage, mask: PlacedMask, documentSide = Math.sqrt(image.width * image.height), signal?: AbortSignal,
  offsetScales: readonly number[] = FIT_OFFSET_SCALES): SelectionFit {
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
  const K = offsetScales.length;
  const us = offsetScales.map((k) => k * documentSide / FIT_REFERENCE_SIDE);
  const step = (x0: number, y0: number, x1: number, y1: number): number => {
    if (!colour(x0, y0, c, 0) || !colour(x1, y1, c, 3)) return NaN;
    return (Math.abs(c[0]! - c[3]!) + Math.abs(c[1]! - c[4]!) + Math.abs(c[2]! - c[5]!)) / 3;
  };
  // The strongest step along the normal (nx, ny) through (cx, cy): pairs 4u apart, centred at
  // −2u, 0 and +2u.
  const best = (cx: number, cy: number, nx: number, ny: number, u: number): number => {
    let m = NaN;
    for (let s = -2; s <= 2; s += 2) {
      const v = step(cx + (s - 2) * u * nx, cy + (s - 2) * u * ny, cx + (s + 2) * u * nx, cy + (s + 2) * u * ny);
      if (!(m >= v)) m = v;
    }
    return m;
  };
  // Per offset scale: summed step across, summed step beside, samples (each scale keeps the
  // samples whose points all lie in the image at that scale).
  const across = new Float64Array(K), beside = new Float64Array(K), n = new Float64Array(K);
  let k = 0, flat = 0;
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
      for (let j = 0; j < K; j++) {
        const u = us[j]!;
        // The strongest step across the edge within ±3 px (a polygon is rarely exactly on the
        // edge), against the same measure 7 px inside and 7 px outside (px × u).
        const a = best(x, y, nx, ny, u), bi = best(x - 7 * u * nx, y - 7 * u * ny, nx, ny, u), bo = best(x + 7 * u * nx, y + 7 * u * ny, nx, ny, u);
        if (!Number.isFinite(a) || !Number.isFinite(bi) || !Number.isFinite(bo)) continue;
        across[j] += a; beside[j] += (bi + bo) / 2; n[j]++;
        if (j === 0 && a < FLAT_STEP && bi < FLAT_STEP && bo < FLAT_STEP) flat++;
      }
    }
  }
  // No texture along the edge (a flat or blank image) at every scale: no evidence that the
  // selection is an area drawn around an object, so it is taken as given (tight).
  let logSum = 0, used = 0;
  for (let j = 0; j < K; j++) {
    if (n[j] === 0 || across[j]! / n[j]! + beside[j]! / n[j]! < 1) continue;
    logSum += Math.log((across[j]! / n[j]! + 2) / (beside[j]! / n[j]! + 2)); used++;
  }
  const samples = n[0]!;
  const flatShare = samples > 0 ? flat / samples : 0;
  if (used === 0) return { edgeRatio: 1, samples, flatShare, tight: true };
  const edgeRatio = Math.exp(logSum / used);
  // Most of the edge on a flat backdrop (a lasso around a product on white, a silhouette): an outline
  // has a step across it all along, so the few steps where the lasso crosses the object (the feet,
  // the ears) do not make it tight.
  return { edgeRatio, samples, flatShare, tight: edgeRatio >= TIGHT_EDGE_RATIO && flatShare < FLAT_LOOSE_SHARE };
}
