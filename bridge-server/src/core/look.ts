/**
 * Measures that see what the eye sees (../shared/docs/REVIEW.md), weight-free, on the edited crop:
 *
 * - **synthesized**: share of the editable area whose pixels come from the filler (the grown hole
 *   mask) rather than from warped source pixels.
 * - **smear**: mean gradient magnitude of the synthesized block (hole pixels deeper than
 *   {@link SMEAR_INSET_PX}, in the result) over the mean gradient magnitude of a ring of untouched
 *   pixels around the hole (in the input). ≈ 1 natural, ≪ 1 smeared (a blurry block), ≫ 1 noisy
 *   (blocky garbage). On a plain backdrop (most of the ring flat: its median gradient at most
 *   {@link SMEAR_FLAT_GRADIENT}) the medians are compared instead, each plus that floor: a clean flat
 *   fill on white paper is natural, and the edges of other objects in the ring do not make it look
 *   smeared. **smearedBlock** = that block's share of the editable area × |ln smear|.
 * - **tear**: length of *unexplained cuts*, per side length of the editable area. A cut is a pair of
 *   neighbouring result pixels whose contents come from places that are not neighbours in the
 *   source (a jump of the source map, or moved content next to synthesized content). A cut is
 *   explained when the colour step the result shows across it was already in the source at one of
 *   its two origins (the moved part carries its own outline along: a candy moved onto white); it is
 *   unexplained when the result shows a step the source never had (a head cut off its neck, a
 *   rectangle of fill next to a cut through fur). Steps are read {@link CUT_REACH} px to either
 *   side, past the seam blend. 1 ≈ an unexplained seam as long as the side of the editable area.
 * - **seam**: the same reading where changed pixels (moved or synthesized) meet untouched ones
 *   with *no* cut between them: the fill against its surroundings, and a map that runs on
 *   continuously but squeezes moved content against the editable area's edge. Unexplained when the
 *   result shows a step the source had neither at the same place nor at the moved side's origin,
 *   by more than the eye forgives there ({@link SEAM_MIN_STEP}, or {@link SEAM_GRAIN_FACTOR} times
 *   the untouched side's own grain when that is larger — a blur shows a step of a few levels, a
 *   texture hides more): a fill that stops a structure the source continued (a stem, a bar), a
 *   leftover patch of the object the fill runs around, a fill a shade darker than the blur around
 *   it, content pressed flat against the selection's edge. Length / √(editable area), like tear.
 * - **stretch**: largest local anisotropy σmax/σmin of the source map's Jacobian (rigid moves and
 *   uniform scales are 1; smeared streaks are ≫ 1; folds count as {@link STRETCH_FOLD}), taken as
 *   the value exceeded on a small area ({@link topAreaPixels}) so single pixels do not decide.
 *
 * Everything runs on typed arrays over the crop, with no per-pixel allocation.
 */
import type { EditResult, Mask, RgbaImage } from './types';
import { chamfer34 } from './distance-transform';

/** The look measures of one edit (null where a measure has nothing to look at). */
export interface LookMeasures {
  /** Share of the editable area that was synthesized by the filler, [0, 1]. */
  synthesized: number;
  /**
   * Gradient ratio of the synthesized block (pixels deeper than {@link SMEAR_INSET_PX} inside the
   * hole) over the untouched ring; null when the block has fewer than {@link MIN_HOLE_PX} pixels.
   */
  smear: number | null;
  /** Share of the editable area in that block × |ln smear|: how much smeared (or noisy) block there is. */
  smearedBlock: number;
  /** Unexplained cut length / √(editable area). */
  tear: number;
  /** Largest local anisotropy of the displacement (≥ 1). */
  stretch: number;
  /**
   * Unexplained seam length / √(editable area): where changed pixels meet untouched ones with no
   * cut between them (a map that runs on continuously, the fill against its surroundings), a colour
   * step the source had neither there nor at the changed side's origin.
   */
  seam: number;
}

/** Synthesized areas smaller than this (px) get no smear value. */
export const MIN_HOLE_PX = 64;
/** Width of the ring of untouched pixels the synthesized area is compared with, px. */
export const SMEAR_RING_PX = 12;
/**
 * Synthesized pixels closer than this (px) to the hole's border are left out of smear: the first
 * pixels are the grown rim (at least 6 px: core/edit.ts holeGrowRadius) and the seam blend, and a thin sliver of fill along a moved edge is
 * not a block the eye reads as smeared.
 */
export const SMEAR_INSET_PX = 8;
/**
 * Gradient (luma in [0, 1] per px, central differences: about one 8-bit level per px) at or below
 * which the ring's median gradient marks a plain backdrop, and the floor added to both medians then.
 */
export const SMEAR_FLAT_GRADIENT = 0.004;
/** smear is clamped to [1/SMEAR_CAP, SMEAR_CAP]. */
export const SMEAR_CAP = 16;
/** A source-map jump larger than this between neighbours (px, beyond the neighbour offset) is a cut. */
export const CUT_JUMP_PX = 1.5;
/**
 * Colour steps across a cut are read this many px to either side of it: past the blend stage's
 * feathered seam band (half-width 2 px, cross-faded with a 3×3 mean) and this measure's own 3×3 blur,
 * which would otherwise hide a step the eye still sees as an outline against a fill.
 */
export const CUT_REACH = 4;
/** A cut is unexplained when the result's colour step exceeds the source's by more than this ([0,1] mean RGB). */
export const CUT_STEP = 0.08;
/**
 * A seam is unexplained when the result's step exceeds the expected one by more than this ([0,1]
 * mean RGB, about 5 levels: a step the eye sees along a line on a smooth backdrop)…
 */
export const SEAM_MIN_STEP = 0.02;
/** …or by more than this many times the untouched side's own pixel-to-pixel variation (at most {@link CUT_STEP}). */
export const SEAM_GRAIN_FACTOR = 2;
/** Source-map derivatives larger than this (px/px) are a jump between moved parts, not a stretch. */
export const MAX_DERIVATIVE = 4;
/** Stretch value given to folded pixels (non-positive Jacobian determinant). */
export const STRETCH_FOLD = 16;

/** Pixels of the top area a "largest local" value must cover: 0.2% of the editable area, at least 16. */
export function topAreaPixels(editableArea: number): number {
  return Math.max(16, Math.round(0.002 * editableArea));
}

/** Inputs of {@link computeLook}. */
export interface LookInput {
  /** The input document. */
  input: RgbaImage;
  /**
   * The document after the edit (input with the result layer composited), or only the part of it
   * that covers the crop, placed by {@link LookInput.resultOrigin} (the edit's `edited` image).
   */
  result: RgbaImage;
  /** Document position of `result`'s top-left pixel; default (0, 0) (a whole document). */
  resultOrigin?: { left: number; top: number };
  /** Crop, hole mask (after growth), target mask and source map of the edit. */
  edit: Pick<EditResult, 'crop' | 'holeMask' | 'targetMask' | 'sourceMap'>;
  /**
   * Mask of the editable area (> 0 = editable): the whole document, or a part of it placed by
   * {@link LookInput.editableOrigin} that covers the crop (the editable area is counted inside it).
   */
  editable: Mask;
  /** Document position of `editable`'s top-left pixel; default (0, 0). */
  editableOrigin?: { left: number; top: number };
}

/** One channel of the crop in [0, 1] as a float plane. */
function channelPlane(img: RgbaImage, ch: number, left: number, top: number, w: number, h: number, out: Float32Array): void {
  const d = img.data, W = img.width;
  for (let y = 0; y < h; y++) {
    let i = ((top + y) * W + left) * 4 + ch, o = y * w;
    for (let x = 0; x < w; x++, i += 4, o++) out[o] = d[i]! / 255;
  }
}

/** Mean of R, G, B in [0, 1] for the crop, as one float plane. */
function greyPlane(img: RgbaImage, left: number, top: number, w: number, h: number, out: Float32Array): void {
  const d = img.data, W = img.width;
  for (let y = 0; y < h; y++) {
    let i = ((top + y) * W + left) * 4, o = y * w;
    for (let x = 0; x < w; x++, i += 4, o++) out[o] = (d[i]! + d[i + 1]! + d[i + 2]!) / 765;
  }
}

/** In-place separable 3×3 box blur of a w×h plane (edges clamp); `tmp` is scratch of the same size. */
function boxBlur3(a: Float32Array, w: number, h: number, tmp: Float32Array): void {
  for (let y = 0; y < h; y++) {
    const r = y * w;
    for (let x = 0; x < w; x++) {
      const l = a[r + (x > 0 ? x - 1 : x)]!, c = a[r + x]!, rr = a[r + (x < w - 1 ? x + 1 : x)]!;
      tmp[r + x] = (l + c + rr) / 3;
    }
  }
  for (let y = 0; y < h; y++) {
    const u = (y > 0 ? y - 1 : y) * w, r = y * w, dn = (y < h - 1 ? y + 1 : y) * w;
    for (let x = 0; x < w; x++) a[r + x] = (tmp[u + x]! + tmp[r + x]! + tmp[dn + x]!) / 3;
  }
}

/** Gradient magnitude (central differences, edges one-sided) at pixel (x, y) of a w×h plane. */
function gradAt(a: Float32Array, w: number, h: number, x: number, y: number): number {
  const r = y * w;
  const gx = a[r + (x < w - 1 ? x + 1 : x)]! - a[r + (x > 0 ? x - 1 : x)]!;
  const gy = a[(y < h - 1 ? y + 1 : y) * w + x]! - a[(y > 0 ? y - 1 : y) * w + x]!;
  return Math.sqrt(gx * gx + gy * gy);
}

/**
 * Chamfer (3-4) distance, in px, from every pixel to the nearest pixel with `inside[p] === 1`
 * (0 there); 1e9/3 everywhere when no pixel is inside.
 */
export function chamferDistance(inside: Uint8Array, w: number, h: number, out: Float32Array): void {
  const d = new Int32Array(w * h);
  for (let p = 0; p < w * h; p++) d[p] = inside[p] ? 0 : 1e9;
  chamfer34(d, w, h);
  for (let p = 0; p < w * h; p++) out[p] = d[p]! / 3;
}

/** σmax/σmin of the 2×2 matrix [[a, b], [c, d]]; {@link STRETCH_FOLD} when det ≤ 0. */
export function anisotropy(a: number, b: number, c: number, d: number): number {
  const det = a * d - b * c;
  if (!(det > 1e-9)) return STRETCH_FOLD;
  const f = a * a + b * b + c * c + d * d; // σ1² + σ2²
  const disc = Math.sqrt(Math.max(0, f * f - 4 * det * det));
  const s1 = Math.sqrt((f + disc) / 2), s2 = det / s1;
  return Math.min(STRETCH_FOLD, s1 / s2);
}

/** Histogram bins of the gradient medians over [0, {@link MEDIAN_MAX}) (plus one overflow bin). */
const MEDIAN_BINS = 1024;
const MEDIAN_MAX = 0.256;
function medianBin(v: number): number {
  return Math.min(MEDIAN_BINS, Math.floor((v / MEDIAN_MAX) * MEDIAN_BINS));
}
/** The median of `n` values counted in `hist` (bin centre; exact to 1.25e-4, MEDIAN_MAX for the overflow bin). */
function histMedian(hist: Uint32Array, n: number): number {
  let acc = 0;
  for (let b = 0; b <= MEDIAN_BINS; b++) {
    acc += hist[b]!;
    if (2 * acc >= n) return b === MEDIAN_BINS ? MEDIAN_MAX : ((b + 0.5) / MEDIAN_BINS) * MEDIAN_MAX;
  }
  return MEDIAN_MAX;
}

/** Value v such that at least `k` of the `values[0..n)` are ≥ v (the k-th largest); 1 when n < k. */
function kthLargest(values: Float32Array, n: number, k: number): number {
  if (n < k) return 1;
  // Histogram over log2 in [0, 4] (1 … 16), 512 bins: the answer is exact to 0.5%.
  const BINS = 512, hist = new Uint32Array(BINS);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    const b = v <= 1 ? 0 : Math.min(BINS - 1, Math.floor((Math.log2(v) / 4) * BINS));
    hist[b]!++;
  }
  let acc = 0;
  for (let b = BINS - 1; b >= 0; b--) {
    acc += hist[b]!;
    if (acc >= k) return b === 0 ? 1 : 2 ** ((b / BINS) * 4);
  }
  return 1;
}

/**
 * Compute the look measures of one edit. The edit must carry its `sourceMap`. `out.cuts`, when
 * given (crop-sized), receives 255 on both pixels of every unexplained cut (to look at them).
 */
export function computeLook(inp: LookInput, out?: { cuts?: Uint8Array; seams?: Uint8Array }): LookMeasures {
  const { input, result, edit, editable } = inp;
  const { crop, holeMask, targetMask, sourceMap } = edit;
  if (!sourceMap) throw new RangeError('computeLook needs the edit\'s sourceMap (runEdit(…, { withSourceMap: true }))');
  const ro = inp.resultOrigin ?? { left: 0, top: 0 }, eo = inp.editableOrigin ?? { left: 0, top: 0 };
  const covers = (o: { left: number; top: number }, m: { width: number; height: number }): boolean =>
    o.left <= crop.left && o.top <= crop.top && o.left + m.width >= crop.left + crop.width && o.top + m.height >= crop.top + crop.height;
  if (!covers(ro, result)) throw new RangeError('the result does not cover the edit\'s crop');
  if (!covers(eo, editable)) throw new RangeError('the editable mask does not cover the edit\'s crop');
  if (crop.left < 0 || crop.top < 0 || crop.left + crop.width > input.width || crop.top + crop.height > input.height) throw new RangeError('the crop lies outside the input');
  const w = crop.width, h = crop.height, n = w * h;
  const EW = editable.width;

  let editableArea = 0;
  for (let p = 0; p < editable.data.length; p++) if (editable.data[p]! > 0) editableArea++;
  if (n === 0 || editableArea === 0) return { synthesized: 0, smear: null, smearedBlock: 0, tear: 0, stretch: 1, seam: 0 };

  // Masks on the crop: synthesized (hole), editable, moved (source ≠ own position).
  const hole = new Uint8Array(n), edc = new Uint8Array(n), moved = new Uint8Array(n);
  let holeInEditable = 0, holeCount = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      const e = editable.data[(crop.top - eo.top + y) * EW + crop.left - eo.left + x]! > 0 ? 1 : 0;
      edc[p] = e;
      if (holeMask.data[p]! >= 128) {
        hole[p] = 1;
        holeCount++;
        if (e) holeInEditable++;
        continue;
      }
      const dx = sourceMap[2 * p]! - (x + crop.left), dy = sourceMap[2 * p + 1]! - (y + crop.top);
      if (dx * dx + dy * dy > 0.01 || targetMask.data[p]! > 0) moved[p] = 1;
    }
  }
  const synthesized = holeInEditable / editableArea;

  const gin = new Float32Array(n), gout = new Float32Array(n);
  greyPlane(input, crop.left, crop.top, w, h, gin);
  greyPlane(result, crop.left - ro.left, crop.top - ro.top, w, h, gout);

  // --- smear: the deep part of the synthesized area (a block, not the sliver along a seam) against a
  // ring of untouched pixels around the hole; the gradient of the fill is read in the result, the
  // ring's in the input.
  let smear: number | null = null, smearedBlock = 0;
  if (holeCount >= MIN_HOLE_PX) {
    const distOut = new Float32Array(n), distIn = new Float32Array(n), notHole = new Uint8Array(n);
    chamferDistance(hole, w, h, distOut);
    for (let p = 0; p < n; p++) notHole[p] = hole[p] ? 0 : 1;
    chamferDistance(notHole, w, h, distIn);
    let sH = 0, nH = 0, nDeepEditable = 0, sR = 0, nR = 0;
    const histH = new Uint32Array(MEDIAN_BINS + 1), histR = new Uint32Array(MEDIAN_BINS + 1);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const p = y * w + x;
        if (hole[p]) {
          if (distIn[p]! > SMEAR_INSET_PX) {
            const gv = gradAt(gout, w, h, x, y);
            sH += gv;
            histH[medianBin(gv)]!++;
            nH++;
            if (edc[p]) nDeepEditable++;
          }
        } else if (!moved[p] && distOut[p]! <= SMEAR_RING_PX) {
          const gv = gradAt(gin, w, h, x, y);
          sR += gv;
          histR[medianBin(gv)]!++;
          nR++;
        }
      }
    }
    if (nH >= MIN_HOLE_PX && nR > 0) {
      const ringMedian = histMedian(histR, nR);
      if (ringMedian <= SMEAR_FLAT_GRADIENT) smear = (histMedian(histH, nH) + SMEAR_FLAT_GRADIENT) / (ringMedian + SMEAR_FLAT_GRADIENT);
      else smear = sR > 0 ? (sH / nH) / (sR / nR) : (sH > 0 ? SMEAR_CAP : 1);
      smear = Math.min(SMEAR_CAP, Math.max(1 / SMEAR_CAP, smear));
      smearedBlock = (nDeepEditable / editableArea) * Math.abs(Math.log(smear));
    }
  }

  // --- tear: cuts between neighbours whose origins are not neighbours, unexplained by the source.
  // Colour steps on 3×3 box-blurred RGB planes (mean absolute channel difference, [0, 1]).
  const tmp = new Float32Array(n);
  const cin = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
  const cout = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
  for (let ch = 0; ch < 3; ch++) {
    channelPlane(input, ch, crop.left, crop.top, w, h, cin[ch]!);
    channelPlane(result, ch, crop.left - ro.left, crop.top - ro.top, w, h, cout[ch]!);
    boxBlur3(cin[ch]!, w, h, tmp);
    boxBlur3(cout[ch]!, w, h, tmp);
  }
  const [ir, ig, ib] = cin as [Float32Array, Float32Array, Float32Array];
  const [or, og, ob] = cout as [Float32Array, Float32Array, Float32Array];
  const at = (sx: number, sy: number): number => {
    const x = Math.min(w - 1, Math.max(0, Math.round(sx - crop.left))), y = Math.min(h - 1, Math.max(0, Math.round(sy - crop.top)));
    return y * w + x;
  };
  const R = CUT_REACH;
  const resAt = (x: number, y: number): number => Math.min(h - 1, Math.max(0, y)) * w + Math.min(w - 1, Math.max(0, x));
  const srcStep = (a: number, b: number): number => (Math.abs(ir[a]! - ir[b]!) + Math.abs(ig[a]! - ig[b]!) + Math.abs(ib[a]! - ib[b]!)) / 3;
  // The step the source had at crop pixel r's origin, from R px behind it to R + 1 px ahead along (dx, dy).
  const originStep = (r: number, dx: number, dy: number): number => {
    const sx = sourceMap[2 * r]!, sy = sourceMap[2 * r + 1]!;
    return srcStep(at(sx - R * dx, sy - R * dy), at(sx + (R + 1) * dx, sy + (R + 1) * dy));
  };
  let unexplained = 0, seamed = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      // Each unordered pair once: right and down neighbours.
      for (let k = 0; k < 2; k++) {
        const qx = k === 0 ? x + 1 : x, qy = k === 0 ? y : y + 1;
        if (qx >= w || qy >= h) continue;
        const q = qy * w + qx;
        if (!edc[p] && !edc[q]) continue;
        const hp = hole[p]!, hq = hole[q]!;
        if (hp && hq) continue; // inside the fill: smear's business
        const cp = hp || moved[p]!, cq = hq || moved[q]!;
        if (!cp && !cq) continue; // both untouched
        const ex = qx - x, ey = qy - y;
        let cut: boolean;
        if (!moved[p] && !moved[q]) cut = false; // untouched next to fill: the fill's own seam
        else if (hp || hq) cut = true;
        else {
          const jx = sourceMap[2 * q]! - sourceMap[2 * p]! - ex, jy = sourceMap[2 * q + 1]! - sourceMap[2 * p + 1]! - ey;
          cut = jx * jx + jy * jy > CUT_JUMP_PX * CUT_JUMP_PX;
        }
        // A seam: changed next to untouched with no cut between them.
        if (!cut && cp === cq) continue;
        // Steps read CUT_REACH px to either side of the cut, past the seam blend.
        const pa = resAt(x - R * ex, y - R * ey), qa = resAt(qx + R * ex, qy + R * ey);
        const observed = (Math.abs(or[pa]! - or[qa]!) + Math.abs(og[pa]! - og[qa]!) + Math.abs(ob[pa]! - ob[qa]!)) / 3;
        if (!cut) {
          // The source's own step at the same place, and at the moved side's origin.
          let expected = srcStep(pa, qa);
          if (!hp && moved[p]) expected = Math.max(expected, originStep(p, ex, ey));
          if (!hq && moved[q]) expected = Math.max(expected, originStep(q, -ex, -ey));
          // How large a step shows depends on what lies around it: the untouched side's own
          // pixel-to-pixel variation, read outward from the seam (a blur shows a step of a few
          // levels; a texture hides up to CUT_STEP).
          const ux = cp ? qx : x, uy = cp ? qy : y, ox = cp ? ex : -ex, oy = cp ? ey : -ey;
          let grain = 0;
          for (let k = 1; k <= 4; k++) grain += srcStep(resAt(ux + k * ox, uy + k * oy), resAt(ux + (k + 1) * ox, uy + (k + 1) * oy));
          const limit = Math.min(CUT_STEP, Math.max(SEAM_MIN_STEP, SEAM_GRAIN_FACTOR * (grain / 4)));
          if (observed - expected > limit) {
            seamed++;
            if (out?.seams) out.seams[p] = out.seams[q] = 255;
          }
          continue;
        }
        // The step each side's origin had towards the same direction.
        let expected = 0;
        if (!hp) expected = Math.max(expected, originStep(p, ex, ey));
        if (!hq) expected = Math.max(expected, originStep(q, -ex, -ey));
        if (observed - expected > CUT_STEP) {
          unexplained++;
          if (out?.cuts) out.cuts[p] = out.cuts[q] = 255;
        }
      }
    }
  }
  const tear = unexplained / Math.sqrt(editableArea);
  const seam = seamed / Math.sqrt(editableArea);

  // --- stretch: anisotropy of the source map's Jacobian (central differences) on moved pixels.
  const an = new Float32Array(n);
  let m = 0;
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const p = y * w + x;
      if (!moved[p] || !edc[p]) continue;
      const l = p - 1, r = p + 1, u = p - w, d = p + w;
      if (hole[l] || hole[r] || hole[u] || hole[d]) continue;
      // Only pixels whose four neighbours moved too (the rim of a rigidly moved region borders
      // untouched pixels: a jump, not a stretch) and no difference larger than a few px (a jump
      // between two moved parts).
      if (!moved[l] || !moved[r] || !moved[u] || !moved[d]) continue;
      const a = (sourceMap[2 * r]! - sourceMap[2 * l]!) / 2, b = (sourceMap[2 * d]! - sourceMap[2 * u]!) / 2;
      const c = (sourceMap[2 * r + 1]! - sourceMap[2 * l + 1]!) / 2, dd = (sourceMap[2 * d + 1]! - sourceMap[2 * u + 1]!) / 2;
      if (Math.abs(a) > MAX_DERIVATIVE || Math.abs(b) > MAX_DERIVATIVE || Math.abs(c) > MAX_DERIVATIVE || Math.abs(dd) > MAX_DERIVATIVE) continue;
      an[m++] = anisotropy(a, b, c, dd);
    }
  }
  const stretch = kthLargest(an, m, topAreaPixels(editableArea));
  return { synthesized, smear, smearedBlock, tear, stretch, seam };
}

/**
 * Local anisotropy an elastic deformation shows routinely without looking wrong (the baseline
 * review's kept deformations have a median stretch of about 2.5); only the excess over it counts in
 * {@link badness}.
 */
export const STRETCH_NATURAL = 2;

/**
 * One number for sorting the gallery worst first, with no fitted weights: the plain sum of each
 * measure's excess over its natural value — synthesized share + smeared block + tear + seam +
 * ln⁺(stretch / {@link STRETCH_NATURAL}).
 */
export function badness(m: LookMeasures): number {
  return m.synthesized + m.smearedBlock + m.tear + m.seam + Math.max(0, Math.log(m.stretch / STRETCH_NATURAL));
}
