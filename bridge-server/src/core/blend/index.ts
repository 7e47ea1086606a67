/**
 * Blend stage: hides seams where moved content meets the background (ALGORITHMS.md §3.5).
 *
 * Final quality, in order:
 * 1. Membrane colour correction (mean-value cloning in effect, Farbman et al. 2009): along the
 *    inner boundary of the moved content, the difference between the local mean colour just
 *    outside and just inside is measured; pull-push interpolates it smoothly over the moved
 *    content, and it is added with full strength at the boundary, fading to zero at
 *    `correctionDepthPx` inside, so colour steps disappear without tinting the whole object.
 * 2. Feathered seam band: pixels within `featherPx` of the target boundary and of the hole
 *    boundary are cross-faded with their 3×3 neighbourhood mean, strongest on the seam.
 *
 * Invariants: pixels in `keepMask` are never written; only pixels in hole ∪ target ∪ the
 * returned seam band can change. Preview quality does not blend (empty band).
 */
import { createMask } from '../image';
import type { Mask, RgbaImage } from '../types';
import { pushPullFill } from '../fill/push-pull';
import { chamferDistance } from './distance';

export { chamferDistance } from './distance';

export interface BlendStageInput {
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
export function blendSeams(input: BlendStageInput): Mask {
  const { edited, original, targetMask, holeMask, keepMask } = input;
  const w = edited.width, h = edited.height, n = w * h;
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
  let bx0 = w, by0 = h, bx1 = -1, by1 = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      if (td[p] === 0 && hd[p] === 0) continue;
      if (x < bx0) bx0 = x;
      if (x > bx1) bx1 = x;
      if (y < by0) by0 = y;
      by1 = y;
    }
  }
  if (bx1 < 0) return seam;
  bx0 = Math.max(0, bx0 - grow); by0 = Math.max(0, by0 - grow);
  bx1 = Math.min(w - 1, bx1 + grow); by1 = Math.min(h - 1, by1 + grow);
  const ww = bx1 - bx0 + 1, wh = by1 - by0 + 1, wn = ww * wh;
  // Window-local copies: T = moved content minus keep, H = hole, K = keep, C = target coverage.
  const inT = new Uint8Array(wn), inH = new Uint8Array(wn), kw = new Uint8Array(wn), tw = new Uint8Array(wn);
  const img = new Uint8ClampedArray(wn * 4);
  let anyT = false;
  for (let y = 0; y < wh; y++) {
    const srow = (y + by0) * w + bx0;
    img.set(e.subarray(srow * 4, (srow + ww) * 4), y * ww * 4);
    for (let x = 0; x < ww; x++) {
      const sp = srow + x, p = y * ww + x;
      kw[p] = kd[sp]!;
      tw[p] = td[sp]!;
      if (hd[sp]! > 0) inH[p] = 1;
      if (td[sp]! > 0 && kd[sp] === 0) { inT[p] = 1; anyT = true; }
    }
  }
  const dIn = chamferDistance(inT, ww, wh, depth + 2);
  const looseness = input.sourceMask ? selectionLooseness(original, input.sourceMask) : 1;
  if (anyT && looseness > 0) correctColour(img, inT, dIn, tw, kw, ww, wh, depth, looseness);

  // Feathered band around both seams: distance to the nearest seam edge (a pixel whose
  // 4-neighbour is on the other side of the target or hole boundary).
  const band = new Uint8Array(wn);
  if (feather > 0) {
    const notEdge = new Uint8Array(wn).fill(1);
    for (let y = 0; y < wh; y++) {
      for (let x = 0; x < ww; x++) {
        const p = y * ww + x;
        const t = inT[p], hh = inH[p];
        if ((x > 0 && (inT[p - 1] !== t || inH[p - 1] !== hh)) || (x < ww - 1 && (inT[p + 1] !== t || inH[p + 1] !== hh))
          || (y > 0 && (inT[p - ww] !== t || inH[p - ww] !== hh)) || (y < wh - 1 && (inT[p + ww] !== t || inH[p + ww] !== hh))) notEdge[p] = 0;
      }
    }
    const dEdge = chamferDistance(notEdge, ww, wh, feather + 1);
    const src = new Uint8ClampedArray(img);
    for (let y = 0; y < wh; y++) {
      for (let x = 0; x < ww; x++) {
        const p = y * ww + x;
        const s = dEdge[p]!;
        if (s >= feather || kw[p]! > 0) continue;
        band[p] = 1;
        // Edge pixels (s = 0) sit on either side of the seam: half-strength 3×3 mean there.
        const beta = 0.5 * (1 - s / feather);
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0, k = 0;
        for (let yy = Math.max(0, y - 1); yy <= Math.min(wh - 1, y + 1); yy++) {
          for (let xx = Math.max(0, x - 1); xx <= Math.min(ww - 1, x + 1); xx++) {
            const i = (yy * ww + xx) * 4;
            s0 += src[i]!; s1 += src[i + 1]!; s2 += src[i + 2]!; s3 += src[i + 3]!; k++;
          }
        }
        const i = p * 4;
        img[i] = (1 - beta) * src[i]! + (beta * s0) / k;
        img[i + 1] = (1 - beta) * src[i + 1]! + (beta * s1) / k;
        img[i + 2] = (1 - beta) * src[i + 2]! + (beta * s2) / k;
        img[i + 3] = (1 - beta) * src[i + 3]! + (beta * s3) / k;
      }
    }
  }
  // Write back; the band names the pixels outside the hole that the blend may have changed.
  for (let y = 0; y < wh; y++) {
    const srow = (y + by0) * w + bx0;
    for (let x = 0; x < ww; x++) {
      const p = y * ww + x, sp = srow + x;
      if (kw[p]! > 0) continue;
      if (band[p] || (inT[p] && dIn[p]! < depth)) seam.data[sp] = 255;
      if (!band[p] && !inT[p]) continue;
      const i = p * 4, si = sp * 4;
      e[si] = img[i]!; e[si + 1] = img[i + 1]!; e[si + 2] = img[i + 2]!; e[si + 3] = img[i + 3]!;
    }
  }
  return seam;
}

/** Membrane colour correction of the target pixels near its boundary (step 1 above). */
function correctColour(e: Uint8ClampedArray, inT: Uint8Array, dIn: Float32Array, td: Uint8Array, kd: Uint8Array, w: number, h: number, depth: number, strength: number): void {
  // Work on the target's bounding box, grown by the mean window.
  let x0 = w, y0 = h, x1 = -1, y1 = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!inT[y * w + x]) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      y1 = y;
    }
  }
  x0 = Math.max(0, x0 - MEAN_RADIUS); y0 = Math.max(0, y0 - MEAN_RADIUS);
  x1 = Math.min(w - 1, x1 + MEAN_RADIUS); y1 = Math.min(h - 1, y1 + MEAN_RADIUS);
  const bw = x1 - x0 + 1, bh = y1 - y0 + 1;
  // Six channels per sample: the correction (outside − inside mean) and the inside mean colour
  // itself, which tells later which pixels look like the content the correction was measured on.
  const val = new Float32Array(bw * bh * 6), wgt = new Float32Array(bw * bh);
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
      const b = ((y - y0) * bw + (x - x0)) * 6;
      const d0 = o0 / on - i0 / inn, d1 = o1 / on - i1 / inn, d2 = o2 / on - i2 / inn;
      // A small step is a lighting/background mismatch (a loose selection carried some old
      // background along): correct it. A large step is the object's own edge against the
      // background (a tight selection): correcting it would tint the object, so the gate fades
      // the correction out between STEP_FULL and STEP_NONE (mean absolute difference per channel).
      const step = (Math.abs(d0) + Math.abs(d1) + Math.abs(d2)) / 3;
      const gate = strength * (step <= STEP_FULL ? 1 : step >= STEP_NONE ? 0 : (STEP_NONE - step) / (STEP_NONE - STEP_FULL));
      val[b] = gate * d0; val[b + 1] = gate * d1; val[b + 2] = gate * d2;
      val[b + 3] = i0 / inn; val[b + 4] = i1 / inn; val[b + 5] = i2 / inn;
      wgt[(y - y0) * bw + (x - x0)] = 1;
      samples++;
    }
  }
  if (samples === 0) return;
  pushPullFill(val, wgt, bw, bh, 6);
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const p = y * w + x;
      if (!inT[p]) continue;
      const dd = dIn[p]!;
      if (dd >= depth) continue;
      // Raised-cosine fade from the boundary (full) to `depth` (none), scaled by coverage.
      const f = dd <= 1 ? 1 : 0.5 * (1 + Math.cos((Math.PI * (dd - 1)) / Math.max(1, depth - 1)));
      const b = ((y - y0) * bw + (x - x0)) * 6, i = p * 4;
      // Cross-bilateral weight: only pixels that resemble the boundary content (e.g. background
      // carried along by a loose selection) take the correction; the object's own colours,
      // further in, keep theirs.
      const c0 = e[i]! - val[b + 3]!, c1 = e[i + 1]! - val[b + 4]!, c2 = e[i + 2]! - val[b + 5]!;
      const sim = Math.exp(-(c0 * c0 + c1 * c1 + c2 * c2) / (6 * SIMILARITY_SIGMA * SIMILARITY_SIGMA));
      const a = (f * sim * td[p]!) / 255;
      e[i] = e[i]! + a * val[b]!;
      e[i + 1] = e[i + 1]! + a * val[b + 1]!;
      e[i + 2] = e[i + 2]! + a * val[b + 2]!;
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
export function selectionLooseness(original: RgbaImage, source: Mask): number {
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
