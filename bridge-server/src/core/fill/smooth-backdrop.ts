/**
 * A vacated place in a smooth backdrop (a defocused background, a sky, a studio wall): the
 * exemplar fill copies patches, and in a blur every patch matches every other about as well — so it
 * builds the hole from blocks of whatever blur lies around (a purple-grey block from the blurred
 * edge of a trunk, a cyan strip from the sky), and their edges trace a shape where none was: the
 * nuthatch moved down its trunk left a smoky outline of its back. Where the fill is smooth and the
 * hole's border is mostly smooth, the fill's low frequencies are replaced by a smooth interpolation
 * (pull-push, fill/push-pull.ts) of the smooth border alone — textured border cells (bark) are left
 * out, and so are the fill's own textured parts (the bark continued into the hole keeps its
 * exemplar texture); the fill's fine grain is kept.
 *
 * Everything is read on a grid of cells about 1/96 of the hole's span (at least 2 px): per cell
 * the mean colour, the largest step to a border neighbour's mean (per cell, mean of R, G, B) and
 * the grain (standard deviation of its pixels' grey). A border cell is smooth under
 * {@link SMOOTH_STEP} and {@link SMOOTH_GRAIN}, a cell of the fill under {@link SMOOTH_GRAIN}. The pass runs when at least {@link SMOOTH_BORDER_SHARE} of the border ring
 * ({@link SMOOTH_RING_CELLS} cells) is smooth and the fill is made of blocks — its smooth cells
 * step {@link BLOCKY_RATIO} times as much as the border's (else the exemplar fill's layout is its
 * own reading, and a border interpolation could carry a glow around the object's old place into
 * it); the fill only (hole pixels, by coverage) changes.
 * Weight-free; deterministic.
 */
import type { Mask, RgbaImage } from '../types';
import { pushPullFill, type Box } from './push-pull';

/** Cells across the hole's span. */
const SMOOTH_CELLS = 96;
/** Smallest hole span (px) and cells of hole read: a smaller hole holds no layout of copied blocks (a sliver along an edge, a few soft pixels an elastic drag uncovers). */
export const SMOOTH_MIN_SPAN = 48;
export const SMOOTH_MIN_CELLS = 64;
/** Largest step (levels, per cell, mean of R, G, B) between a cell's mean and a neighbour's for a smooth cell. */
export const SMOOTH_STEP = 4;
/** Largest standard deviation (grey levels) of a smooth cell's pixels. */
export const SMOOTH_GRAIN = 6;
/** Width (cells) of the border ring read around the hole. */
export const SMOOTH_RING_CELLS = 6;
/** Share of the border ring's cells that must be smooth. */
export const SMOOTH_BORDER_SHARE = 0.5;
/**
 * From this ratio of the fill's mean step between neighbouring smooth cells to the smooth border's,
 * the fill is read as copied blocks. Measured (the exemplar fill, before this pass): the 20 MP
 * nuthatch's two moves down 2.8 and 3.1; the photo cases' fills 0.6–2.5 (a candy enlarged on a
 * white table 2.5, a tower off an evening sky 1.5); blocks of a blur pasted at random 3.4–3.5, the
 * same blur itself 1.6–1.7 (fill/smooth-backdrop.test.ts).
 */
export const BLOCKY_RATIO = 2.5;
/** The smooth border's mean step is read as at least this (levels per cell): a flat border does not make every fill blocky. */
const MIN_BORDER_STEP = 0.25;
/** Largest detail (levels) around the low frequencies that a smooth part of the fill keeps. */
export const SMOOTH_DETAIL = 3;

/** What the pass did. */
export interface SmoothBackdrop {
  applied: boolean;
  /** Share of the border ring's cells that are smooth. */
  borderShare: number;
  /** Cell side (px). */
  cell: number;
  /** The fill's mean step between neighbouring smooth cells over the smooth border's (see {@link BLOCKY_RATIO}). */
  steppiness: number;
}

/**
 * Replace the low frequencies of the smooth parts of the fill of `hole` (> 0; box `hb`) in `image`
 * by a smooth interpolation of the smooth border (see the module comment). `forbidden` (the moved
 * content's new place) is neither border nor fill.
 */
export function smoothBackdrop(image: RgbaImage, hole: Mask, forbidden: Mask, hb: Box): SmoothBackdrop {
  const W = image.width, H = image.height, d = image.data, hd = hole.data, fd = forbidden.data;
  const span = Math.max(hb.x1 - hb.x0, hb.y1 - hb.y0);
  const s = Math.max(2, Math.ceil(span / SMOOTH_CELLS));
  if (span < SMOOTH_MIN_SPAN) return { applied: false, borderShare: 0, cell: s, steppiness: 0 };
  // The grid covers the hole's box and the ring around it.
  const gx0 = Math.max(0, hb.x0 - (SMOOTH_RING_CELLS + 1) * s), gy0 = Math.max(0, hb.y0 - (SMOOTH_RING_CELLS + 1) * s);
  const gx1 = Math.min(W, hb.x1 + (SMOOTH_RING_CELLS + 1) * s), gy1 = Math.min(H, hb.y1 + (SMOOTH_RING_CELLS + 1) * s);
  const cw = Math.ceil((gx1 - gx0) / s), ch = Math.ceil((gy1 - gy0) / s), n = cw * ch;
  // Per cell: mean colour, grain, state (0 border/known, 1 hole, 2 moved content).
  const mean = new Float32Array(n * 3), grain = new Float32Array(n), state = new Uint8Array(n);
  let holeCells = 0;
  for (let cy = 0; cy < ch; cy++) {
    const y0 = gy0 + cy * s, y1 = Math.min(gy1, y0 + s);
    for (let cx = 0; cx < cw; cx++) {
      const x0 = gx0 + cx * s, x1 = Math.min(gx1, x0 + s);
      // (A cell the hole's edge crosses reads its hole pixels only: that is what it corrects.)
      let r = 0, g = 0, b = 0, q = 0, k = 0, hr = 0, hg = 0, hb2 = 0, hq = 0, inHole = 0, moved = 0;
      for (let y = y0; y < y1; y++) {
        for (let x = x0; x < x1; x++) {
          const p = y * W + x, i = p * 4;
          const R = d[i]!, G = d[i + 1]!, B = d[i + 2]!, v = (R + G + B) / 3;
          if (hd[p]! > 0) { hr += R; hg += G; hb2 += B; hq += v * v; inHole++; continue; }
          r += R; g += G; b += B; q += v * v; k++;
          if (fd[p]! > 0) moved++;
        }
      }
      if (inHole > 0) { r = hr; g = hg; b = hb2; q = hq; k = inHole; }
      const c = cy * cw + cx, m = (r + g + b) / (3 * k);
      mean[c * 3] = r / k; mean[c * 3 + 1] = g / k; mean[c * 3 + 2] = b / k;
      grain[c] = Math.sqrt(Math.max(0, q / k - m * m));
      state[c] = inHole > 0 ? 1 : moved > 0 ? 2 : 0;
      if (inHole > 0) holeCells++;
    }
  }
  if (holeCells < SMOOTH_MIN_CELLS) return { applied: false, borderShare: 0, cell: s, steppiness: 0 };
  // The step between two cells' means (levels, mean of R, G, B).
  const stepOf = (c: number, q: number): number => (Math.abs(mean[c * 3]! - mean[q * 3]!) + Math.abs(mean[c * 3 + 1]! - mean[q * 3 + 1]!) + Math.abs(mean[c * 3 + 2]! - mean[q * 3 + 2]!)) / 3;
  // A cell is smooth when its grain is low and, on the border, no border neighbour steps far from
  // it. (A cell of the fill is read by its grain alone: the edges between the blocks the exemplar
  // fill copied, and between them and the border, are what this pass removes; a textured part of
  // the fill reads by its grain.)
  const smooth = new Uint8Array(n);
  for (let cy = 0; cy < ch; cy++) {
    for (let cx = 0; cx < cw; cx++) {
      const c = cy * cw + cx;
      if (state[c] === 2 || grain[c]! >= SMOOTH_GRAIN) continue;
      if (state[c] === 1) { smooth[c] = 1; continue; }
      let step = 0;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const xx = cx + dx, yy = cy + dy;
          if ((dx === 0 && dy === 0) || xx < 0 || yy < 0 || xx >= cw || yy >= ch) continue;
          const q = yy * cw + xx;
          if (state[q] !== 0) continue;
          const e = stepOf(c, q) / Math.hypot(dx, dy);
          if (e > step) step = e;
        }
      }
      if (step < SMOOTH_STEP) smooth[c] = 1;
    }
  }
  // The border ring: known cells within SMOOTH_RING_CELLS (4-neighbour steps through known cells) of the hole.
  const dist = new Int32Array(n).fill(-1), queue = new Int32Array(n);
  let head = 0, tail = 0;
  for (let c = 0; c < n; c++) if (state[c] === 1) { dist[c] = 0; queue[tail++] = c; }
  while (head < tail) {
    const c = queue[head++]!, x = c % cw;
    if (dist[c]! >= SMOOTH_RING_CELLS) continue;
    const visit = (q: number): void => { if (dist[q]! < 0 && state[q] === 0) { dist[q] = dist[c]! + 1; queue[tail++] = q; } };
    if (x > 0) visit(c - 1);
    if (x < cw - 1) visit(c + 1);
    if (c >= cw) visit(c - cw);
    if (c + cw < n) visit(c + cw);
  }
  let ring = 0, smoothRing = 0;
  const val = new Float32Array(n * 3), wgt = new Float32Array(n);
  for (let c = 0; c < n; c++) {
    if (state[c] !== 0 || dist[c]! <= 0) continue;
    ring++;
    if (!smooth[c]) continue;
    smoothRing++;
    wgt[c] = 1;
    val[c * 3] = mean[c * 3]!; val[c * 3 + 1] = mean[c * 3 + 1]!; val[c * 3 + 2] = mean[c * 3 + 2]!;
  }
  const borderShare = ring > 0 ? smoothRing / ring : 0;
  if (ring === 0 || borderShare < SMOOTH_BORDER_SHARE) return { applied: false, borderShare, cell: s, steppiness: 0 };
  // Copied blocks: the fill steps from cell to cell (its smooth cells, on average) at least
  // BLOCKY_RATIO times as much as the smooth border does — the edges between blocks of other blurs.
  // A fill that does not is left as it is: its layout is the exemplar fill's own reading (a white
  // table away from a candy's pink glow, which a border interpolation would carry into its old
  // place as a ghost).
  let fillSum = 0, fillPairs = 0, borderSum = 0, borderPairs = 0;
  for (let cy = 0; cy < ch; cy++) {
    for (let cx = 0; cx < cw; cx++) {
      const c = cy * cw + cx;
      if (grain[c]! >= SMOOTH_GRAIN || state[c] === 2) continue;
      for (const q of [cx + 1 < cw ? c + 1 : -1, cy + 1 < ch ? c + cw : -1]) {
        if (q < 0 || grain[q]! >= SMOOTH_GRAIN || state[q] !== state[c]) continue;
        if (state[c] === 1) { fillSum += stepOf(c, q); fillPairs++; }
        else if (dist[c]! > 0 && dist[q]! > 0 && smooth[c] && smooth[q]) { borderSum += stepOf(c, q); borderPairs++; }
      }
    }
  }
  const steppiness = fillPairs > 0 && borderPairs > 0 ? (fillSum / fillPairs) / Math.max(MIN_BORDER_STEP, borderSum / borderPairs) : 0;
  if (steppiness < BLOCKY_RATIO) return { applied: false, borderShare, cell: s, steppiness };
  // The smooth border, interpolated over everything else.
  pushPullFill(val, wgt, cw, ch, 3);
  // The weight of that interpolation in each hole cell: the share of smooth cells around it (5 × 5,
  // moved content left out), read from 0.3 (none) to 0.8 (all).
  const weight = new Float32Array(n);
  for (let cy = 0; cy < ch; cy++) {
    for (let cx = 0; cx < cw; cx++) {
      const c = cy * cw + cx;
      if (state[c] !== 1) continue;
      let a = 0, k = 0;
      for (let dy = -2; dy <= 2; dy++) {
        for (let dx = -2; dx <= 2; dx++) {
          const xx = cx + dx, yy = cy + dy;
          if (xx < 0 || yy < 0 || xx >= cw || yy >= ch) continue;
          const q = yy * cw + xx;
          if (state[q] === 2) continue;
          a += smooth[q]!; k++;
        }
      }
      weight[c] = k > 0 ? Math.max(0, Math.min(1, (a / k - 0.3) / 0.5)) : 0;
    }
  }
  // Each hole pixel, where the weight (bilinear between cells) is w: the fill's low frequencies
  // (its cells' means, bilinear) give way to the interpolation by w, and its detail around them is
  // held within ±SMOOTH_DETAIL levels by w — the grain of a blur stays, the sharp seam between two
  // copied blocks does not — all times the pixel's coverage.
  for (let y = Math.max(gy0, hb.y0); y < Math.min(gy1, hb.y1); y++) {
    let fy = (y - gy0 + 0.5) / s - 0.5;
    fy = fy < 0 ? 0 : fy > ch - 1 ? ch - 1 : fy;
    const ay = Math.floor(fy), by = Math.min(ch - 1, ay + 1), ty = fy - ay;
    for (let x = Math.max(gx0, hb.x0); x < Math.min(gx1, hb.x1); x++) {
      const p = y * W + x, cover = hd[p]! / 255;
      if (cover <= 0) continue;
      let fx = (x - gx0 + 0.5) / s - 0.5;
      fx = fx < 0 ? 0 : fx > cw - 1 ? cw - 1 : fx;
      const ax = Math.floor(fx), bx = Math.min(cw - 1, ax + 1), tx = fx - ax;
      const c00 = ay * cw + ax, c10 = ay * cw + bx, c01 = by * cw + ax, c11 = by * cw + bx;
      const w00 = (1 - tx) * (1 - ty), w10 = tx * (1 - ty), w01 = (1 - tx) * ty, w11 = tx * ty;
      const wt = (weight[c00]! * w00 + weight[c10]! * w10 + weight[c01]! * w01 + weight[c11]! * w11) * cover;
      if (wt <= 0) continue;
      const i = p * 4;
      for (let k = 0; k < 3; k++) {
        const lf = mean[c00 * 3 + k]! * w00 + mean[c10 * 3 + k]! * w10 + mean[c01 * 3 + k]! * w01 + mean[c11 * 3 + k]! * w11;
        const to = val[c00 * 3 + k]! * w00 + val[c10 * 3 + k]! * w10 + val[c01 * 3 + k]! * w01 + val[c11 * 3 + k]! * w11;
        const v = d[i + k]!, detail = v - lf, held = detail > SMOOTH_DETAIL ? SMOOTH_DETAIL : detail < -SMOOTH_DETAIL ? -SMOOTH_DETAIL : detail;
        d[i + k] = v + wt * (to + held - v);
      }
    }
  }
  return { applied: true, borderShare, cell: s, steppiness };
}
