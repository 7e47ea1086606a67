/**
 * TEST REFERENCE ONLY (blend.test.ts): the seam blend as it was before it became band-limited
 * and in place (commit 6b845ac) — every pass over the whole window of hole ∪ target, a window
 * copy written back, full-resolution membrane under 512². The band-limited blend must give its
 * pixels (bit for bit where both interpolate the membrane on the same grid). Not used by the
 * pipeline.
 */
import { maskBounds } from '@smartdrag/shared';
import { createMask } from '../image';
import type { Mask, RgbaImage } from '../types';
import { coarseGridFromSamples, type CoarseGrid, pushPullFactor, pushPullFillScaled, sampleCoarseGrid } from '../fill/push-pull';
import { CHAMFER_DIAGONAL as DIAG } from './distance';
import { chamferDistanceFull as chamferDistance } from './distance.reference';

interface BlendStageInput {
  /** Edited crop (after warp and fill), blended in place. */
  edited: RgbaImage;
  /** The input pixels of the same crop. */
  original: RgbaImage;
  /** Coverage of moved content, crop-sized. */
  targetMask: Mask;
  /** Vacated area, crop-sized. */
  holeMask: Mask;
  /** Pixels that must not change, crop-sized. */
  keepMask: Mask;
  /**
   * Coverage of the handle regions at their original place, crop-sized. When given, the colour
   * correction is scaled by how "loose" the selection was (see {@link selectionLooseness}).
   */
  sourceMask?: Mask;
  quality: 'preview' | 'final';
  /** Depth in pixels over which the colour correction fades out inside the target. Default 24. */
  correctionDepthPx?: number;
  /** Half-width in pixels of the feathered band around the seams. Default 2. */
  featherPx?: number;
}

/** Radius of the window whose mean colour is compared across the target boundary. */
const MEAN_RADIUS = 2;
/** Boundary colour steps up to this mean absolute difference are corrected fully. */
const STEP_FULL = 45;
/** Boundary colour steps from this difference on are object edges and are left alone. */
const STEP_NONE = 90;
/** Colour distance (per channel, 0..255) at which a pixel stops resembling the boundary content. */
const SIMILARITY_SIGMA = 18;

/** Blend seams in place; returns the mask of pixels the blend was allowed to touch (seam band). */
export function blendSeamsWholeWindow(input: BlendStageInput): Mask {
  const { edited, original, targetMask, holeMask, keepMask } = input;
  const w = edited.width, h = edited.height;
  for (const m of [targetMask, holeMask, keepMask]) {
    if (m.width !== w || m.height !== h) throw new RangeError('blendSeams: mask size differs from edited');
  }
  if (original.width !== w || original.height !== h) throw new RangeError('blendSeams: original size differs from edited');
  const seam = createMask(w, h);
  if (input.quality === 'preview') return seam;
  const depth = Math.max(1, input.correctionDepthPx ?? 24);
  const feather = Math.max(0, input.featherPx ?? 2);
  const td = targetMask.data, hd = holeMask.data, kd = keepMask.data, e = edited.data;

  // Everything happens in the window of hole ∪ target grown by the widest band.
  const grow = Math.ceil(depth + feather + 2);
  // Bounds of target ∪ hole (the shared bounds kernel skips the inside of each shape).
  const tb = maskBounds({ ...targetMask, left: 0, top: 0 }), hb = maskBounds({ ...holeMask, left: 0, top: 0 });
  let bx0 = w, by0 = h, bx1 = -1, by1 = -1;
  for (const b of [tb, hb]) {
    if (b.width === 0 || b.height === 0) continue;
    bx0 = Math.min(bx0, b.left); by0 = Math.min(by0, b.top);
    bx1 = Math.max(bx1, b.left + b.width - 1); by1 = Math.max(by1, b.top + b.height - 1);
  }
  if (bx1 < 0) return seam;
  bx0 = Math.max(0, bx0 - grow); by0 = Math.max(0, by0 - grow);
  bx1 = Math.min(w - 1, bx1 + grow); by1 = Math.min(h - 1, by1 + grow);
  const ww = bx1 - bx0 + 1, wh = by1 - by0 + 1, wn = ww * wh;
  // Window-local copies: T = moved content minus keep, H = hole, K = keep, C = target coverage.
  const inT = new Uint8Array(wn), inH = new Uint8Array(wn), kw = new Uint8Array(wn), tw = new Uint8Array(wn);
  const img = new Uint8ClampedArray(wn * 4);
  // Bounding box of T in window coordinates (tx1/ty1 inclusive).
  let tx0 = ww, ty0 = wh, tx1 = -1, ty1 = -1;
  for (let y = 0; y < wh; y++) {
    const srow = (y + by0) * w + bx0;
    img.set(e.subarray(srow * 4, (srow + ww) * 4), y * ww * 4);
    kw.set(kd.subarray(srow, srow + ww), y * ww);
    tw.set(td.subarray(srow, srow + ww), y * ww);
    for (let x = 0; x < ww; x++) {
      const sp = srow + x, p = y * ww + x;
      if (hd[sp]! > 0) inH[p] = 1;
      if (td[sp]! > 0 && kd[sp] === 0) {
        inT[p] = 1;
        if (x < tx0) tx0 = x;
        if (x > tx1) tx1 = x;
        if (y < ty0) ty0 = y;
        ty1 = y;
      }
    }
  }
  const dIn = new Float32Array(wn);
  const tBox = tx1 >= 0 ? insideDistance(inT, ww, wh, { x0: tx0, y0: ty0, x1: tx1, y1: ty1 }, depth + 2, dIn) : null;
  const looseness = input.sourceMask ? selectionLoosenessFull(original, input.sourceMask) : 1;
  if (tBox && looseness > 0) correctColour(img, inT, dIn, tw, kw, ww, wh, depth, looseness, tBox);

  // Feathered band around both seams: distance to the nearest seam edge (a pixel whose
  // 4-neighbour is on the other side of the target or hole boundary).
  const band = new Uint8Array(wn);
  if (feather > 0) featherSeams(img, inT, inH, kw, ww, wh, feather, band);
  // Write back; the band names the pixels outside the hole that the blend may have changed.
  // Whole pixels as 32-bit words where both buffers allow it (the same bytes either way).
  const e32 = e.byteOffset % 4 === 0 ? new Uint32Array(e.buffer, e.byteOffset, e.length >> 2) : null;
  const img32 = new Uint32Array(img.buffer, img.byteOffset, wn);
  const sdat = seam.data;
  for (let y = 0; y < wh; y++) {
    const srow = (y + by0) * w + bx0;
    for (let x = 0; x < ww; x++) {
      const p = y * ww + x, sp = srow + x;
      if (kw[p]! > 0) continue;
      const bd = band[p]!, t = inT[p]!;
      if (bd === 0 && t === 0) continue;
      if (bd || dIn[p]! < depth) sdat[sp] = 255;
      if (e32) e32[sp] = img32[p]!;
      else { const i = p * 4, si = sp * 4; e[si] = img[i]!; e[si + 1] = img[i + 1]!; e[si + 2] = img[i + 2]!; e[si + 3] = img[i + 3]!; }
    }
  }
  return seam;
}

/** An inclusive pixel rectangle (x1, y1 are the last column and row). */
interface InclusiveBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/**
 * Chamfer distance of the pixels of `inside` (window `w`×`h`) to the outside, capped at `cap`,
 * written to `out` (left as is elsewhere). Only the inside's bounding box `box` grown by one
 * pixel is transformed: that ring is all outside, so every inside pixel's nearest outside pixel
 * is reached within it and the distances equal those over the whole window. Returns `box`.
 */
function insideDistance(inside: Uint8Array, w: number, h: number, box: InclusiveBox, cap: number, out: Float32Array): InclusiveBox {
  const sx0 = Math.max(0, box.x0 - 1), sy0 = Math.max(0, box.y0 - 1), sx1 = Math.min(w - 1, box.x1 + 1), sy1 = Math.min(h - 1, box.y1 + 1);
  const sw = sx1 - sx0 + 1, sh = sy1 - sy0 + 1;
  const sub = new Uint8Array(sw * sh);
  for (let y = 0; y < sh; y++) sub.set(inside.subarray((y + sy0) * w + sx0, (y + sy0) * w + sx0 + sw), y * sw);
  const d = chamferDistance(sub, sw, sh, cap);
  for (let y = 0; y < sh; y++) out.set(d.subarray(y * sw, (y + 1) * sw), (y + sy0) * w + sx0);
  return box;
}

/**
 * Feathered seam band (step 2): pixels whose chamfer distance `s` to the nearest seam edge (a
 * pixel with a 4-neighbour on the other side of the target or hole boundary) is below `feather`,
 * and not kept, are cross-faded with their 3×3 mean by 0.5·(1 − s/feather); `band` marks them.
 * The distances are stamped around the edge pixels (the chamfer metric, exact in an unobstructed
 * plane) instead of transforming the whole window.
 */
function featherSeams(img: Uint8ClampedArray, inT: Uint8Array, inH: Uint8Array, kw: Uint8Array, ww: number, wh: number, feather: number, band: Uint8Array): void {
  const wn = ww * wh;
  const code = new Uint8Array(wn);
  for (let p = 0; p < wn; p++) code[p] = (inT[p]! << 1) | inH[p]!;
  const F = Math.ceil(feather);
  const dEdge = new Float32Array(wn).fill(feather + 1);
  // Chamfer metric per stamp offset: straight steps 1, diagonal steps √2.
  const side = 2 * F + 1;
  const stamp = new Float32Array(side * side);
  for (let dy = -F; dy <= F; dy++) {
    for (let dx = -F; dx <= F; dx++) {
      const ax = dx < 0 ? -dx : dx, ay = dy < 0 ? -dy : dy;
      const lo = ax < ay ? ax : ay, hi = ax < ay ? ay : ax;
      stamp[(dy + F) * side + dx + F] = hi - lo + lo * DIAG;
    }
  }
  // Stamped area (inclusive), to bound the band loop below.
  let ex0 = ww, ey0 = wh, ex1 = -1, ey1 = -1;
  for (let y = 0; y < wh; y++) {
    const row = y * ww;
    for (let x = 0; x < ww; x++) {
      const p = row + x, c = code[p]!;
      if (!((x > 0 && code[p - 1] !== c) || (x < ww - 1 && code[p + 1] !== c) || (y > 0 && code[p - ww] !== c) || (y < wh - 1 && code[p + ww] !== c))) continue;
      const ya = y - F < 0 ? 0 : y - F, yb = y + F > wh - 1 ? wh - 1 : y + F;
      const xa = x - F < 0 ? 0 : x - F, xb = x + F > ww - 1 ? ww - 1 : x + F;
      for (let yy = ya; yy <= yb; yy++) {
        let q = yy * ww + xa, si = (yy - y + F) * side + xa - x + F;
        for (let xx = xa; xx <= xb; xx++, q++, si++) { const v = stamp[si]!; if (v < dEdge[q]!) dEdge[q] = v; }
      }
      if (xa < ex0) ex0 = xa;
      if (xb > ex1) ex1 = xb;
      if (ya < ey0) ey0 = ya;
      if (yb > ey1) ey1 = yb;
    }
  }
  if (ex1 < 0) return;
  // Source of the 3×3 means: the stamped rows plus one on each side, before any change.
  const ry0 = ey0 > 0 ? ey0 - 1 : 0, ry1 = ey1 < wh - 1 ? ey1 + 1 : wh - 1;
  const off = ry0 * ww * 4;
  const src = img.slice(off, (ry1 + 1) * ww * 4);
  for (let y = ey0; y <= ey1; y++) {
    const ya = y > 0 ? y - 1 : 0, yb = y < wh - 1 ? y + 1 : wh - 1;
    for (let x = ex0; x <= ex1; x++) {
      const p = y * ww + x;
      const s = dEdge[p]!;
      if (s >= feather || kw[p]! > 0) continue;
      band[p] = 1;
      // Edge pixels (s = 0) sit on either side of the seam: half-strength 3×3 mean there.
      const beta = 0.5 * (1 - s / feather);
      const xa = x > 0 ? x - 1 : 0, xb = x < ww - 1 ? x + 1 : ww - 1;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0, k = 0;
      for (let yy = ya; yy <= yb; yy++) {
        for (let xx = xa, i = (yy * ww + xa) * 4 - off; xx <= xb; xx++, i += 4) {
          s0 += src[i]!; s1 += src[i + 1]!; s2 += src[i + 2]!; s3 += src[i + 3]!; k++;
        }
      }
      const i = p * 4, j = i - off;
      img[i] = (1 - beta) * src[j]! + (beta * s0) / k;
      img[i + 1] = (1 - beta) * src[j + 1]! + (beta * s1) / k;
      img[i + 2] = (1 - beta) * src[j + 2]! + (beta * s2) / k;
      img[i + 3] = (1 - beta) * src[j + 3]! + (beta * s3) / k;
    }
  }
}

/** Membrane colour correction of the target pixels near its boundary (step 1 above). */
function correctColour(
  e: Uint8ClampedArray, inT: Uint8Array, dIn: Float32Array, td: Uint8Array, kd: Uint8Array, w: number, h: number,
  depth: number, strength: number, tBox: InclusiveBox,
): void {
  // Work on the target's bounding box, grown by the mean window.
  const x0 = Math.max(0, tBox.x0 - MEAN_RADIUS), y0 = Math.max(0, tBox.y0 - MEAN_RADIUS);
  const x1 = Math.min(w - 1, tBox.x1 + MEAN_RADIUS), y1 = Math.min(h - 1, tBox.y1 + MEAN_RADIUS);
  const bw = x1 - x0 + 1, bh = y1 - y0 + 1;
  // Six channels per sample: the correction (outside − inside mean) and the inside mean colour
  // itself, which tells later which pixels look like the content the correction was measured on.
  // On a large target the membrane is interpolated on a coarse grid (pushPullFactor > 1): the
  // samples (boundary pixels only) then go straight into it as a sparse list, never through
  // six full-size float channels — the same values bit for bit, a fraction of the memory.
  const factor = pushPullFactor(bw, bh);
  const sparse = factor > 1;
  const val = sparse ? new Float32Array(0) : new Float32Array(bw * bh * 6), wgt = sparse ? new Float32Array(0) : new Float32Array(bw * bh);
  // Sparse: bit 1 of `flags` marks a sample pixel, bit 0 a pixel that reads the correction.
  const flags = new Uint8Array(bw * bh);
  let sIdx = new Int32Array(sparse ? 4096 : 0), sVal = new Float32Array(sparse ? 4096 * 6 : 0);
  let samples = 0;
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const p = y * w + x;
      // Boundary samples: target pixels touching a non-target pixel.
      if (!inT[p] || dIn[p]! > 1.5) continue;
      let o0 = 0, o1 = 0, o2 = 0, on = 0, i0 = 0, i1 = 0, i2 = 0, inn = 0;
      for (let yy = Math.max(0, y - MEAN_RADIUS); yy <= Math.min(h - 1, y + MEAN_RADIUS); yy++) {
        for (let xx = Math.max(0, x - MEAN_RADIUS); xx <= Math.min(w - 1, x + MEAN_RADIUS); xx++) {
          const q = yy * w + xx, i = q * 4;
          if (inT[q]) {
            // Only fully covered pixels speak for the moved content.
            if (td[q] === 255) { i0 += e[i]!; i1 += e[i + 1]!; i2 += e[i + 2]!; inn++; }
          } else if (td[q] === 0 || kd[q]! > 0) {
            o0 += e[i]!; o1 += e[i + 1]!; o2 += e[i + 2]!; on++;
          }
        }
      }
      if (on === 0 || inn === 0) continue;
      const bi = (y - y0) * bw + (x - x0);
      const d0 = o0 / on - i0 / inn, d1 = o1 / on - i1 / inn, d2 = o2 / on - i2 / inn;
      // A small step is a lighting/background mismatch (a loose selection carried some old
      // background along): correct it. A large step is the object's own edge against the
      // background (a tight selection): correcting it would tint the object, so the gate fades
      // the correction out between STEP_FULL and STEP_NONE (mean absolute difference per channel).
      const step = (Math.abs(d0) + Math.abs(d1) + Math.abs(d2)) / 3;
      const gate = strength * (step <= STEP_FULL ? 1 : step >= STEP_NONE ? 0 : (STEP_NONE - step) / (STEP_NONE - STEP_FULL));
      let out = val, b = bi * 6;
      if (sparse) {
        if (samples === sIdx.length) {
          const ni = new Int32Array(2 * samples); ni.set(sIdx); sIdx = ni;
          const nv = new Float32Array(12 * samples); nv.set(sVal); sVal = nv;
        }
        sIdx[samples] = bi; flags[bi] = 2; out = sVal; b = samples * 6;
      } else {
        wgt[bi] = 1;
      }
      out[b] = gate * d0; out[b + 1] = gate * d1; out[b + 2] = gate * d2;
      out[b + 3] = i0 / inn; out[b + 4] = i1 / inn; out[b + 5] = i2 / inn;
      samples++;
    }
  }
  if (samples === 0) return;
  // Only the band of T within `depth` of its boundary reads the interpolated correction.
  for (let y = y0; y <= y1; y++) {
    for (let x = x0, p = y * w + x0, q = (y - y0) * bw; x <= x1; x++, p++, q++) if (inT[p] && dIn[p]! < depth) flags[q]! |= 1;
  }
  let grid: CoarseGrid | null = null;
  if (sparse) grid = coarseGridFromSamples(sIdx, sVal, samples, bw, bh, 6, factor);
  else {
    const need = flags; // only bit 0 is set in the dense case
    pushPullFillScaled(val, wgt, bw, bh, 6, factor, need);
  }
  const cor = new Float32Array(6);
  let next = 0; // sparse: index of the next sample in raster order
  const invDepth = Math.PI / Math.max(1, depth - 1), invSim = 1 / (6 * SIMILARITY_SIGMA * SIMILARITY_SIGMA);
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const b0 = (y - y0) * bw + (x - x0);
      const fl = flags[b0]!;
      if ((fl & 1) === 0) { if (fl & 2) next++; continue; }
      let v: Float32Array = val, b = b0 * 6;
      if (grid) {
        if (fl & 2) { v = sVal; b = next * 6; next++; }
        else { sampleCoarseGrid(grid, x - x0, y - y0, cor, 0); v = cor; b = 0; }
      }
      const p = y * w + x;
      const dd = dIn[p]!;
      // Raised-cosine fade from the boundary (full) to `depth` (none), scaled by coverage.
      const f = dd <= 1 ? 1 : 0.5 * (1 + Math.cos((dd - 1) * invDepth));
      const i = p * 4;
      // Cross-bilateral weight: only pixels that resemble the boundary content (e.g. background
      // carried along by a loose selection) take the correction; the object's own colours,
      // further in, keep theirs.
      const c0 = e[i]! - v[b + 3]!, c1 = e[i + 1]! - v[b + 4]!, c2 = e[i + 2]! - v[b + 5]!;
      const sim = Math.exp(-(c0 * c0 + c1 * c1 + c2 * c2) * invSim);
      const a = (f * sim * td[p]!) / 255;
      e[i] = e[i]! + a * v[b]!;
      e[i + 1] = e[i + 1]! + a * v[b + 1]!;
      e[i + 2] = e[i + 2]! + a * v[b + 2]!;
    }
  }
}

/**
 * How loose the selection was, 0..1: the share of the source region's inner boundary whose
 * local mean colour (in the original image) matches the mean just outside it. A loose
 * selection (drawn around the object) has background on both sides of its outline, so its
 * boundary colour step at the new place is a background mismatch worth correcting; a tight one
 * (the object's own outline) has the object inside, and correcting would tint the object.
 */
export function selectionLoosenessFull(original: RgbaImage, source: Mask): number {
  const w = source.width, h = source.height, sd = source.data, o = original.data;
  let boundary = 0, matching = 0;
  // Sample every second boundary pixel: enough for a fraction, half the cost.
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x += 2) {
      const p = y * w + x;
      if (sd[p] !== 255) continue;
      if (sd[p - 1] === 255 && sd[p + 1] === 255 && sd[p - w] === 255 && sd[p + w] === 255) continue;
      let i0 = 0, i1 = 0, i2 = 0, inn = 0, o0 = 0, o1 = 0, o2 = 0, on = 0;
      for (let yy = Math.max(0, y - MEAN_RADIUS); yy <= Math.min(h - 1, y + MEAN_RADIUS); yy++) {
        for (let xx = Math.max(0, x - MEAN_RADIUS); xx <= Math.min(w - 1, x + MEAN_RADIUS); xx++) {
          const q = yy * w + xx, i = q * 4;
          if (sd[q] === 255) { i0 += o[i]!; i1 += o[i + 1]!; i2 += o[i + 2]!; inn++; }
          else if (sd[q] === 0) { o0 += o[i]!; o1 += o[i + 1]!; o2 += o[i + 2]!; on++; }
        }
      }
      if (inn === 0 || on === 0) continue;
      boundary++;
      const step = (Math.abs(o0 / on - i0 / inn) + Math.abs(o1 / on - i1 / inn) + Math.abs(o2 / on - i2 / inn)) / 3;
      if (step <= STEP_FULL / 2) matching++;
    }
  }
  return boundary === 0 ? 1 : matching / boundary;
}
