/**
 * Pull-push (push-pull) scattered-data interpolation (Gortler et al., "The Lumigraph", SIGGRAPH
 * 1996): known samples are pulled down a weighted pyramid and pushed back up into the unknown
 * pixels. It gives a smooth, membrane-like fill in O(n) and serves both the preview fill of holes
 * and the membrane of the seam colour correction (an approximation of mean-value / Poisson
 * interpolation in the spirit of Farbman et al., "Convolution Pyramids", SIGGRAPH Asia 2011).
 */
import { maskBounds } from '@smartdrag/shared';
import type { Mask, RgbaImage } from '../types';
import type { Scratch } from './scratch';
import { checkRow, throwIfCancelled } from '../cancel';

/** Separable 4-tap pull kernel [1 3 3 1] (a tent around the coarse pixel centre). */
const TAP = [1, 3, 3, 1] as const;

interface PyrLevel {
  w: number;
  h: number;
  val: Float32Array;
  wgt: Float32Array;
}

/**
 * First pull step with a 2×2 box: it touches every pixel of the (large) finest level once, so
 * it is kept to 4 taps; the coarser steps use the smoother tent.
 */
function pullBox(f: PyrLevel, c: PyrLevel, ch: number): void {
  const fv = f.val, fw = f.wgt, fW = f.w;
  for (let Y = 0; Y < c.h; Y++) {
    const ya = 2 * Y, yb = Math.min(f.h - 1, ya + 1);
    for (let X = 0; X < c.w; X++) {
      const xa = 2 * X, xb = Math.min(fW - 1, xa + 1);
      // The four children (duplicated at an odd border, which does not change the mean).
      const p0 = ya * fW + xa, p1 = ya * fW + xb, p2 = yb * fW + xa, p3 = yb * fW + xb;
      const w0 = fw[p0]!, w1 = fw[p1]!, w2 = fw[p2]!, w3 = fw[p3]!;
      const sw = w0 + w1 + w2 + w3;
      if (sw <= 0) continue;
      const cp = Y * c.w + X, b = cp * ch, i0 = p0 * ch, i1 = p1 * ch, i2 = p2 * ch, i3 = p3 * ch;
      const inv = 1 / sw;
      for (let q = 0; q < ch; q++) c.val[b + q] = (w0 * fv[i0 + q]! + w1 * fv[i1 + q]! + w2 * fv[i2 + q]! + w3 * fv[i3 + q]!) * inv;
      // Gortler's clamp: one known child already makes the coarse sample fully known.
      c.wgt[cp] = Math.min(1, sw);
    }
  }
}

/** Pull with the separable [1 3 3 1] tent; a quarter of its mass (64) counts as fully known. */
function pullTent(f: PyrLevel, c: PyrLevel, ch: number): void {
  const acc = new Float64Array(ch);
  const cw = c.w;
  for (let Y = 0; Y < c.h; Y++) {
    for (let X = 0; X < cw; X++) {
      let sw = 0;
      acc.fill(0);
      for (let j = 0; j < 4; j++) {
        const y = 2 * Y - 1 + j;
        if (y < 0 || y >= f.h) continue;
        const row = y * f.w;
        for (let i = 0; i < 4; i++) {
          const x = 2 * X - 1 + i;
          if (x < 0 || x >= f.w) continue;
          const p = row + x;
          const wv = f.wgt[p]!;
          if (wv <= 0) continue;
          const k = TAP[i]! * TAP[j]! * wv;
          sw += k;
          const b = p * ch;
          for (let q = 0; q < ch; q++) acc[q]! += k * f.val[b + q]!;
        }
      }
      const cp = Y * cw + X;
      if (sw > 0) {
        const b = cp * ch;
        for (let q = 0; q < ch; q++) c.val[b + q] = acc[q]! / sw;
        c.wgt[cp] = Math.min(1, sw / 16);
      }
    }
  }
}

/**
 * Fill, in place, the samples of `val` (`ch` interleaved channels, `w`×`h`) whose weight in
 * `wgt` (0..1) is below 1: each becomes `wgt·own + (1−wgt)·(coarser estimate)`. Samples with
 * weight 1 are left untouched; samples with weight 0 are pure interpolation. `wgt` is not
 * modified. If no sample has a positive weight, unknown samples become 0.
 * With `need` (one byte per sample), only samples where it is non-zero are written at the finest
 * level (the others keep their value): the same results there, at a fraction of the cost when
 * the caller reads a thin band only. With `scratch`, the coarser levels' arrays are taken from it.
 */
export function pushPullFill(val: Float32Array, wgt: Float32Array, w: number, h: number, ch: number, need?: Uint8Array, scratch?: Scratch): void {
  if (val.length !== w * h * ch || wgt.length !== w * h) throw new RangeError('pushPullFill: array sizes do not match w*h*ch');
  if (need && need.length !== w * h) throw new RangeError('pushPullFill: need size does not match w*h');
  const levels: PyrLevel[] = [{ w, h, val, wgt }];
  // Pull: build coarser levels until no sample is missing or one pixel remains.
  for (;;) {
    const f = levels[levels.length - 1]!;
    let missing = false;
    for (let i = 0; i < f.wgt.length; i++) if (f.wgt[i]! <= 0) { missing = true; break; }
    if (!missing || (f.w === 1 && f.h === 1)) break;
    const cw = (f.w + 1) >> 1, chh = (f.h + 1) >> 1;
    const c: PyrLevel = scratch
      ? { w: cw, h: chh, val: scratch.f32(cw * chh * ch), wgt: scratch.f32(cw * chh) }
      : { w: cw, h: chh, val: new Float32Array(cw * chh * ch), wgt: new Float32Array(cw * chh) };
    if (levels.length === 1) pullBox(f, c, ch);
    else pullTent(f, c, ch);
    levels.push(c);
  }
  // Push: coarse to fine, blend each incomplete sample with the bilinear upsampled coarser level.
  for (let l = levels.length - 2; l >= 0; l--) {
    const f = levels[l]!, c = levels[l + 1]!;
    for (let y = 0; y < f.h; y++) {
      let cy = (y - 0.5) / 2;
      if (cy < 0) cy = 0;
      if (cy > c.h - 1) cy = c.h - 1;
      const y0 = Math.floor(cy), y1 = Math.min(c.h - 1, y0 + 1), fy = cy - y0;
      for (let x = 0; x < f.w; x++) {
        const p = y * f.w + x;
        const wv = f.wgt[p]!;
        if (wv >= 1 || (l === 0 && need && need[p] === 0)) continue;
        let cx = (x - 0.5) / 2;
        if (cx < 0) cx = 0;
        if (cx > c.w - 1) cx = c.w - 1;
        const x0 = Math.floor(cx), x1 = Math.min(c.w - 1, x0 + 1), fx = cx - x0;
        const a00 = (y0 * c.w + x0) * ch, a01 = (y0 * c.w + x1) * ch;
        const a10 = (y1 * c.w + x0) * ch, a11 = (y1 * c.w + x1) * ch;
        const b = p * ch;
        for (let q = 0; q < ch; q++) {
          const top = c.val[a00 + q]! + (c.val[a01 + q]! - c.val[a00 + q]!) * fx;
          const bot = c.val[a10 + q]! + (c.val[a11 + q]! - c.val[a10 + q]!) * fx;
          const up = top + (bot - top) * fy;
          f.val[b + q] = wv > 0 ? wv * f.val[b + q]! + (1 - wv) * up : up;
        }
      }
    }
  }
}

/** Grid samples a scaled pull-push interpolates on (about 0.25 M); smaller grids run at full resolution. */
export const PUSH_PULL_GRID_SAMPLES = 512 * 512;

/**
 * The factor {@link pushPullFillScaled} uses for a `w × h` grid: 1 up to
 * {@link PUSH_PULL_GRID_SAMPLES} samples, else the integer that brings the grid under it.
 */
export function pushPullFactor(w: number, h: number): number {
  return w * h <= PUSH_PULL_GRID_SAMPLES ? 1 : Math.ceil(Math.sqrt((w * h) / PUSH_PULL_GRID_SAMPLES));
}

/**
 * {@link pushPullFill} for smooth fields on large grids: samples are averaged into cells of
 * `factor × factor`, the coarse grid is filled by pull-push, and every sample with weight below 1
 * (where `need` allows) takes the bilinear upsampled coarse value (blended by its weight as in
 * pushPullFill); weight-1 samples keep their value. Factor 1 is exactly pushPullFill. Cost: one
 * pass over the fine grid plus pull-push on a grid `factor²` times smaller.
 */
export function pushPullFillScaled(val: Float32Array, wgt: Float32Array, w: number, h: number, ch: number, factor: number, need?: Uint8Array): void {
  if (factor <= 1) { pushPullFill(val, wgt, w, h, ch, need); return; }
  if (val.length !== w * h * ch || wgt.length !== w * h) throw new RangeError('pushPullFillScaled: array sizes do not match w*h*ch');
  const f = factor, cw = Math.ceil(w / f), chh = Math.ceil(h / f);
  const cv = new Float32Array(cw * chh * ch), cwt = new Float32Array(cw * chh);
  for (let y = 0; y < h; y++) {
    const crow = ((y / f) | 0) * cw;
    for (let x = 0; x < w; x++) {
      const p = y * w + x, wv = wgt[p]!;
      if (wv <= 0) continue;
      const c = crow + ((x / f) | 0);
      cwt[c]! += wv;
      for (let q = 0; q < ch; q++) cv[c * ch + q]! += wv * val[p * ch + q]!;
    }
  }
  finishCoarseGrid(cv, cwt, cw, chh, ch);
  const inv = 1 / f;
  for (let y = 0; y < h; y++) {
    let gy = (y + 0.5) * inv - 0.5;
    if (gy < 0) gy = 0;
    if (gy > chh - 1) gy = chh - 1;
    const y0 = gy | 0, y1 = Math.min(chh - 1, y0 + 1), fy = gy - y0;
    for (let x = 0; x < w; x++) {
      const p = y * w + x, wv = wgt[p]!;
      if (wv >= 1 || (need && need[p] === 0)) continue;
      let gx = (x + 0.5) * inv - 0.5;
      if (gx < 0) gx = 0;
      if (gx > cw - 1) gx = cw - 1;
      const x0 = gx | 0, x1 = Math.min(cw - 1, x0 + 1), fx = gx - x0;
      const a00 = (y0 * cw + x0) * ch, a01 = (y0 * cw + x1) * ch, a10 = (y1 * cw + x0) * ch, a11 = (y1 * cw + x1) * ch;
      const b = p * ch;
      for (let q = 0; q < ch; q++) {
        const top = cv[a00 + q]! + (cv[a01 + q]! - cv[a00 + q]!) * fx;
        const bot = cv[a10 + q]! + (cv[a11 + q]! - cv[a10 + q]!) * fx;
        const up = top + (bot - top) * fy;
        val[b + q] = wv > 0 ? wv * val[b + q]! + (1 - wv) * up : up;
      }
    }
  }
}

/**
 * The coarse grid of {@link pushPullFillScaled} (factor > 1) built straight from sparse weight-1
 * samples: `idx[i]` (increasing fine-grid indices, `count` of them) with values
 * `vals[i·ch .. i·ch+ch)`. Sampling it with {@link sampleCoarseGrid} gives bit for bit what
 * pushPullFillScaled writes into a weight-0 pixel, without the fine `w·h·ch` arrays.
 */
export interface CoarseGrid {
  cv: Float32Array;
  cw: number;
  chh: number;
  ch: number;
  factor: number;
}

export function coarseGridFromSamples(idx: Int32Array, vals: Float32Array, count: number, w: number, h: number, ch: number, factor: number, scratch?: Scratch): CoarseGrid {
  const f = factor, cw = Math.ceil(w / f), chh = Math.ceil(h / f);
  // (With `scratch` the grid's arrays are taken from it: the grid is then good until it is released.)
  const cv = scratch ? scratch.f32(cw * chh * ch) : new Float32Array(cw * chh * ch), cwt = scratch ? scratch.f32(cw * chh) : new Float32Array(cw * chh);
  // Same cells and the same order of summation as the dense pass (raster order, weight 1).
  for (let i = 0; i < count; i++) {
    const p = idx[i]!, y = (p / w) | 0, x = p - y * w;
    const c = ((y / f) | 0) * cw + ((x / f) | 0);
    cwt[c]! += 1;
    for (let q = 0; q < ch; q++) cv[c * ch + q]! += 1 * vals[i * ch + q]!;
  }
  finishCoarseGrid(cv, cwt, cw, chh, ch, scratch);
  return { cv, cw, chh, ch, factor: f };
}

/**
 * Turn accumulated cell sums into the coarse grid, in place: a cell with samples is known (their
 * weighted mean), empty cells are interpolated by pull-push.
 */
function finishCoarseGrid(cv: Float32Array, cwt: Float32Array, cw: number, chh: number, ch: number, scratch?: Scratch): void {
  for (let c = 0; c < cwt.length; c++) {
    const s = cwt[c]!;
    if (s <= 0) continue;
    for (let q = 0; q < ch; q++) cv[c * ch + q]! /= s;
    cwt[c] = 1;
  }
  pushPullFill(cv, cwt, cw, chh, ch, undefined, scratch);
}

/** The upsampled value of a {@link CoarseGrid} at fine pixel `(x, y)`, written to `out[o .. o+ch)`. */
export function sampleCoarseGrid(g: CoarseGrid, x: number, y: number, out: Float32Array, o: number): void {
  const { cv, cw, chh, ch } = g;
  const inv = 1 / g.factor;
  let gy = (y + 0.5) * inv - 0.5;
  if (gy < 0) gy = 0;
  if (gy > chh - 1) gy = chh - 1;
  const y0 = gy | 0, y1 = Math.min(chh - 1, y0 + 1), fy = gy - y0;
  let gx = (x + 0.5) * inv - 0.5;
  if (gx < 0) gx = 0;
  if (gx > cw - 1) gx = cw - 1;
  const x0 = gx | 0, x1 = Math.min(cw - 1, x0 + 1), fx = gx - x0;
  const a00 = (y0 * cw + x0) * ch, a01 = (y0 * cw + x1) * ch, a10 = (y1 * cw + x0) * ch, a11 = (y1 * cw + x1) * ch;
  for (let q = 0; q < ch; q++) {
    const top = cv[a00 + q]! + (cv[a01 + q]! - cv[a00 + q]!) * fx;
    const bot = cv[a10 + q]! + (cv[a11 + q]! - cv[a10 + q]!) * fx;
    out[o + q] = top + (bot - top) * fy;
  }
}

/** A pixel rectangle inside an image, half-open: x in [x0, x1), y in [y0, y1). */
export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/**
 * Bounding box (exclusive end) of `mask > 0`, or null when the mask is empty (the same box as the
 * shared maskBounds). A 4-byte aligned mask is scanned row by row, from each end to the row's
 * first and last set pixel, skipping empty words (4 pixels) at a time: a row's inner pixels
 * between those two are never looked at.
 */
export function holeBox(mask: Mask): Box | null {
  const d = mask.data, w = mask.width, n = w * mask.height;
  if (d.byteOffset % 4 !== 0 || n < 64) {
    const b = maskBounds({ ...mask, left: 0, top: 0 });
    return b.width === 0 ? null : { x0: b.left, y0: b.top, x1: b.left + b.width, y1: b.top + b.height };
  }
  // Row by row: the first and the last set pixel of each row (words of four pixels skip runs
  // of zeros), so the scan costs about one read per four empty pixels.
  const words = new Uint32Array(d.buffer, d.byteOffset, n >> 2);
  let x0 = w, y0 = -1, x1 = -1, y1 = -1;
  for (let y = 0, rs = 0; y < mask.height; y++, rs += w) {
    const re = rs + w;
    let p = rs;
    // First set pixel of the row.
    while (p < re) {
      if ((p & 3) === 0 && p + 4 <= re && words[p >> 2] === 0) { p += 4; continue; }
      if (d[p] !== 0) break;
      p++;
    }
    if (p === re) continue;
    if (y0 < 0) y0 = y;
    y1 = y;
    if (p - rs < x0) x0 = p - rs;
    // Last set pixel of the row (at or after the first).
    let q = re - 1;
    while (q > p) {
      if ((q & 3) === 3 && q - 3 > p && words[q >> 2] === 0) { q -= 4; continue; }
      if (d[q] !== 0) break;
      q--;
    }
    if (q - rs > x1) x1 = q - rs;
  }
  return x1 < 0 ? null : { x0, y0, x1: x1 + 1, y1: y1 + 1 };
}

/** Count of `mask > 0` pixels inside box `b` (a {@link holeBox}: exclusive end). */
export function holePixels(mask: Mask, b: Box): number {
  const w = mask.width, d = mask.data;
  let n = 0;
  for (let y = b.y0; y < b.y1; y++) for (let p = y * w + b.x0, e = y * w + b.x1; p < e; p++) if (d[p]! > 0) n++;
  return n;
}

/** Grow `b` by `m` pixels on every side, clipped to `w`×`h`. */
export function growBox(b: Box, m: number, w: number, h: number): Box {
  return { x0: Math.max(0, b.x0 - m), y0: Math.max(0, b.y0 - m), x1: Math.min(w, b.x1 + m), y1: Math.min(h, b.y1 + m) };
}

/**
 * The window a preview fill works in: the hole's bounding box plus a margin of 10% of its larger
 * side (at least 4 px), clipped to the image; null when the hole is empty. Checks mask sizes.
 */
function previewWindow(fn: string, image: RgbaImage, hole: Mask, forbidden?: Mask): Box | null {
  const { width: w, height: h } = image;
  if (hole.width !== w || hole.height !== h) throw new RangeError(`${fn}: hole size differs from image`);
  if (forbidden && (forbidden.width !== w || forbidden.height !== h)) throw new RangeError(`${fn}: forbidden size differs from image`);
  const hb = holeBox(hole);
  if (!hb) return null;
  const margin = Math.max(4, Math.round(0.1 * Math.max(hb.x1 - hb.x0, hb.y1 - hb.y0)));
  return growBox(hb, margin, w, h);
}

/**
 * Fast hole fill for previews: pull-push interpolation of the RGBA pixels around the hole, in a
 * window of the hole's bounding box plus a margin. Pixels where `hole` > 0 are filled, blended
 * by coverage (`hole`/255) over their current value; pixels in `forbidden` (the hole and the
 * moved content's new position) are never used as data. Nothing outside the hole changes.
 */
export function fillPushPull(image: RgbaImage, hole: Mask, forbidden?: Mask): void {
  const w = image.width;
  const b = previewWindow('fillPushPull', image, hole, forbidden);
  if (!b) return;
  const ww = b.x1 - b.x0, wh = b.y1 - b.y0;
  const val = new Float32Array(ww * wh * 4);
  const wgt = new Float32Array(ww * wh);
  // Only hole pixels are read back, so the finest level need not be written elsewhere.
  const need = new Uint8Array(ww * wh);
  const d = image.data, hd = hole.data, fd = forbidden?.data;
  for (let y = 0; y < wh; y++) {
    const srow = (y + b.y0) * w + b.x0;
    for (let x = 0; x < ww; x++) {
      const sp = srow + x;
      if (hd[sp]! > 0) need[y * ww + x] = 1;
      if (hd[sp]! > 0 || (fd !== undefined && fd[sp]! > 0)) continue;
      const p = y * ww + x;
      wgt[p] = 1;
      const si = sp * 4, di = p * 4;
      val[di] = d[si]!; val[di + 1] = d[si + 1]!; val[di + 2] = d[si + 2]!; val[di + 3] = d[si + 3]!;
    }
  }
  pushPullFill(val, wgt, ww, wh, 4, need);
  for (let y = 0; y < wh; y++) {
    const srow = (y + b.y0) * w + b.x0;
    for (let x = 0; x < ww; x++) {
      const sp = srow + x;
      const cov = hd[sp]!;
      if (cov === 0) continue;
      const a = cov / 255, si = sp * 4, di = (y * ww + x) * 4;
      for (let q = 0; q < 4; q++) d[si + q] = a * val[di + q]! + (1 - a) * d[si + q]!;
    }
  }
}

/**
 * Pixel count of the hole's window above which {@link fillPushPullCoarse} works at half
 * resolution (below it, the full-resolution fill is already a few milliseconds).
 */
export const COARSE_PREVIEW_MIN_PIXELS = 128 * 128;
/** Window pixel count from which the preview fill works at quarter resolution (a 1024² edit's ~15% region and up). */
export const QUARTER_PREVIEW_MIN_PIXELS = 384 * 384;

/**
 * The preview fill at reduced resolution: known pixels are box-averaged f×f (f = 2, or 4 for
 * windows of {@link QUARTER_PREVIEW_MIN_PIXELS} and more) into a small window, pull-push fills
 * it, and hole pixels take the bilinear upsample. A pull-push fill is smooth by construction, so
 * the reduced answer is visually the same at a fraction of the work. Small windows fall back to
 * {@link fillPushPull}. Nothing outside the hole changes, and `forbidden` pixels are never used
 * as data.
 */
export function fillPushPullCoarse(image: RgbaImage, hole: Mask, forbidden?: Mask, signal?: AbortSignal): void {
  const w = image.width;
  const b = previewWindow('fillPushPullCoarse', image, hole, forbidden);
  if (!b) return;
  const ww = b.x1 - b.x0, wh = b.y1 - b.y0;
  if (ww * wh < COARSE_PREVIEW_MIN_PIXELS) {
    fillPushPull(image, hole, forbidden);
    return;
  }
  const sh = ww * wh >= QUARTER_PREVIEW_MIN_PIXELS ? 2 : 1, f = 1 << sh;
  const cw = (ww + f - 1) >> sh, ch = (wh + f - 1) >> sh;
  const val = new Float32Array(cw * ch * 4);
  const wgt = new Float32Array(cw * ch);
  const d = image.data, hd = hole.data, fd = forbidden?.data;
  // f×f box average of the known pixels. (`signal` is checked every few dozen rows and between
  // the steps: core/cancel.ts.)
  for (let y = 0; y < wh; y++) {
    checkRow(signal, y);
    const srow = (y + b.y0) * w + b.x0, crow = (y >> sh) * cw;
    for (let x = 0; x < ww; x++) {
      const sp = srow + x;
      if (hd[sp]! > 0 || (fd !== undefined && fd[sp]! > 0)) continue;
      const c = crow + (x >> sh), si = sp * 4, ci = c * 4;
      wgt[c] = wgt[c]! + 1;
      val[ci] = val[ci]! + d[si]!; val[ci + 1] = val[ci + 1]! + d[si + 1]!;
      val[ci + 2] = val[ci + 2]! + d[si + 2]!; val[ci + 3] = val[ci + 3]! + d[si + 3]!;
    }
  }
  for (let c = 0; c < cw * ch; c++) {
    const k = wgt[c]!;
    if (k === 0) continue;
    const ci = c * 4;
    val[ci] = val[ci]! / k; val[ci + 1] = val[ci + 1]! / k; val[ci + 2] = val[ci + 2]! / k; val[ci + 3] = val[ci + 3]! / k;
    wgt[c] = 1;
  }
  throwIfCancelled(signal);
  pushPullFill(val, wgt, cw, ch, 4);
  throwIfCancelled(signal);
  // Bilinear upsample into the hole pixels (coarse cell centres sit at f·c + (f − 1)/2).
  const half = (f - 1) / 2;
  // The horizontal taps and weights depend on the column only: computed once per column.
  const colX0 = new Int32Array(ww), colX1 = new Int32Array(ww), colTx = new Float64Array(ww);
  for (let x = 0; x < ww; x++) {
    const fx = Math.min(cw - 1, Math.max(0, (x - half) / f));
    const x0 = Math.floor(fx);
    colX0[x] = x0; colX1[x] = Math.min(cw - 1, x0 + 1); colTx[x] = fx - x0;
  }
  for (let y = 0; y < wh; y++) {
    checkRow(signal, y);
    const srow = (y + b.y0) * w + b.x0;
    const fy = Math.min(ch - 1, Math.max(0, (y - half) / f));
    const y0 = Math.floor(fy), y1 = Math.min(ch - 1, y0 + 1), ty = fy - y0;
    for (let x = 0; x < ww; x++) {
      const sp = srow + x;
      const cov = hd[sp]!;
      if (cov === 0) continue;
      const x0 = colX0[x]!, x1 = colX1[x]!, tx = colTx[x]!;
      const i00 = (y0 * cw + x0) * 4, i01 = (y0 * cw + x1) * 4, i10 = (y1 * cw + x0) * 4, i11 = (y1 * cw + x1) * 4;
      const a = cov / 255, si = sp * 4;
      for (let q = 0; q < 4; q++) {
        const top = val[i00 + q]! + (val[i01 + q]! - val[i00 + q]!) * tx;
        const bot = val[i10 + q]! + (val[i11 + q]! - val[i10 + q]!) * tx;
        d[si + q] = a * (top + (bot - top) * ty) + (1 - a) * d[si + q]!;
      }
    }
  }
}
