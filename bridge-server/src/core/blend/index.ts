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
import { coarseGridFromSamples, pushPullFactor, sampleCoarseGrid } from '../fill/push-pull';
import { chamferDistanceBand, CHAMFER_DIAGONAL as DIAG, type NearSpans } from './distance';
import type { Scratch } from '../fill/scratch';

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
  /**
   * Where the stage's working arrays and the returned seam mask are taken from (runEdit: they go
   * back to the pool when the edit ends, so the seam mask is good until then).
   */
  scratch?: Scratch;
}

/** Radius of the window whose mean colour is compared across the target boundary. */
const MEAN_RADIUS = 2;
/** Boundary colour steps up to this mean absolute difference are corrected fully. */
const STEP_FULL = 45;
/** Boundary colour steps from this difference on are object edges and are left alone. */
const STEP_NONE = 90;
/** Colour distance (per channel, 0..255) at which a pixel stops resembling the boundary content. */
const SIMILARITY_SIGMA = 18;
/**
 * Smallest cell side (px) of the grid the colour-correction membrane is interpolated on. The
 * membrane is smooth; at 2 its pull-push runs on a quarter of the pixels (a full-resolution one
 * cost a third of the blend at 1 MP) and the result moves by a few levels at most.
 */
const MIN_MEMBRANE_FACTOR = 2;
/** Side of the crop tiles whose codes tell where seam edges can be. */
const EDGE_TILE = 32;

/** Blend seams in place; returns the mask of pixels the blend was allowed to touch (seam band). */
export function blendSeams(input: BlendStageInput): Mask {
  const { edited, original, targetMask, holeMask, keepMask } = input;
  const w = edited.width, h = edited.height;
  for (const m of [targetMask, holeMask, keepMask]) {
    if (m.width !== w || m.height !== h) throw new RangeError('blendSeams: mask size differs from edited');
  }
  if (original.width !== w || original.height !== h) throw new RangeError('blendSeams: original size differs from edited');
  const S = input.scratch;
  const seam = createMask(w, h, false, S);
  if (input.quality === 'preview') return seam;
  const depth = Math.max(1, input.correctionDepthPx ?? 24);
  const feather = Math.max(0, input.featherPx ?? 2);
  const td = targetMask.data, hd = holeMask.data, kd = keepMask.data;

  // Everything happens in the window of hole ∪ target grown by the widest band; neighbourhoods
  // are clipped to it (as if nothing existed outside). The crop is changed in place: the colour
  // correction writes moved pixels only and the feather band pixels only, never keep pixels.
  const grow = Math.ceil(depth + feather + 2);
  // One pass over the crop: side codes (bit 1: T = moved content minus keep, bit 0: H = hole),
  // the bounding boxes of T and of target ∪ hole (inclusive), and per EDGE_TILE² tile the OR and
  // the AND of its codes (equal: a uniform tile).
  const code = S ? S.u8(w * h) : new Uint8Array(w * h);
  const aligned = (m: Uint8Array): boolean => m.byteOffset % 4 === 0;
  const words = aligned(td) && aligned(hd) && aligned(kd)
    ? { t: u32(td), h: u32(hd), k: u32(kd), code: u32(code) }
    : null;
  const etw = Math.ceil(w / EDGE_TILE), eth = Math.ceil(h / EDGE_TILE);
  const tOr = new Uint8Array(etw * eth), tAnd = new Uint8Array(etw * eth).fill(3);
  let tx0 = w, ty0 = h, tx1 = -1, ty1 = -1;
  let ux0 = w, uy0 = h, ux1 = -1, uy1 = -1;
  for (let y = 0; y < h; y++) {
    const trow = ((y / EDGE_TILE) | 0) * etw;
    // Columns of T and of target ∪ hole in this row.
    let ta = w, tb = -1, ua = w, ub = -1;
    for (let t = trow, xs = 0; xs < w; t++, xs += EDGE_TILE) {
      const xe = xs + EDGE_TILE - 1 < w - 1 ? xs + EDGE_TILE - 1 : w - 1;
      let or = 0, and = 3;
      for (let x = xs, p = y * w + x; x <= xe; x++, p++) {
        // Four aligned pixels at once where the masks are uniform there (nothing, or all of
        // T and/or H fully covered with no keep); anything else pixel by pixel.
        if (words && (p & 3) === 0 && x + 3 <= xe) {
          const i = p >> 2, t4 = words.t[i]!, h4 = words.h[i]!;
          if ((t4 | h4) === 0) { and = 0; x += 3; p += 3; continue; }
          const k4 = words.k[i]!;
          if ((t4 === 0 || t4 === FULL4) && (h4 === 0 || h4 === FULL4) && (k4 === 0 || t4 === 0)) {
            const c = (t4 ? 2 : 0) | (h4 ? 1 : 0);
            words.code[i] = c * 0x01010101;
            or |= c; and &= c;
            if (ua === w) ua = x;
            ub = x + 3;
            if (t4) { if (ta === w) ta = x; tb = x + 3; }
            x += 3; p += 3;
            continue;
          }
        }
        const tv = td[p]!, hv = hd[p]!;
        const tt = tv > 0 && kd[p] === 0 ? 2 : 0;
        const c = tt | (hv > 0 ? 1 : 0);
        or |= c; and &= c;
        if (tv > 0 || hv > 0) { if (ua === w) ua = x; ub = x; }
        if (c === 0) continue;
        code[p] = c;
        if (tt) { if (ta === w) ta = x; tb = x; }
      }
      tOr[t]! |= or; tAnd[t]! &= and;
    }
    if (ub >= 0) {
      if (ua < ux0) ux0 = ua;
      if (ub > ux1) ux1 = ub;
      if (uy0 === h) uy0 = y;
      uy1 = y;
    }
    if (tb >= 0) {
      if (ta < tx0) tx0 = ta;
      if (tb > tx1) tx1 = tb;
      if (ty0 === h) ty0 = y;
      ty1 = y;
    }
  }
  if (ux1 < 0) return seam;
  const win: InclusiveBox = { x0: Math.max(0, ux0 - grow), y0: Math.max(0, uy0 - grow), x1: Math.min(w - 1, ux1 + grow), y1: Math.min(h - 1, uy1 + grow) };
  // Seam edges (a pixel with a 4-neighbour of another code) lie only in tiles that are mixed or
  // touch a tile that is mixed or of another code.
  const edgeTiles: number[] = [];
  for (let ty = (win.y0 / EDGE_TILE) | 0; ty <= ((win.y1 / EDGE_TILE) | 0); ty++) {
    for (let tx = (win.x0 / EDGE_TILE) | 0; tx <= ((win.x1 / EDGE_TILE) | 0); tx++) {
      const t = ty * etw + tx, c = tOr[t]!;
      const differs = (n: number): boolean => tOr[n] !== tAnd[n] || tOr[n] !== c;
      if (c !== tAnd[t] || (tx > 0 && differs(t - 1)) || (tx < etw - 1 && differs(t + 1)) || (ty > 0 && differs(t - etw)) || (ty < eth - 1 && differs(t + etw))) edgeTiles.push(tx, ty);
    }
  }
  const tBox = tx1 >= 0 ? { x0: tx0, y0: ty0, x1: tx1, y1: ty1 } : null;
  const dIn = tBox ? insideDistance(code, w, win, tBox, depth + 2, S) : null;
  if (tBox && dIn) {
    const looseness = input.sourceMask ? selectionLooseness(original, input.sourceMask) : 1;
    if (looseness > 0) correctColour(edited.data, code, dIn, td, kd, w, win, depth, looseness, tBox, S);
    // The moved pixels within the correction depth are in the seam band.
    const sd = seam.data, dd = dIn.d;
    for (let by = 0; by < dIn.h; by++) {
      const sp = dIn.spans[(by / dIn.tile) | 0]!;
      for (let k = 0; k < sp.length; k += 2) {
        for (let bx = sp[k]!, p = (by + dIn.y0) * w + dIn.x0 + bx, q = by * dIn.w + bx; bx < sp[k + 1]!; bx++, p++, q++) if (code[p]! & 2 && dd[q]! < depth) sd[p] = 255;
      }
    }
  }
  // Feathered band around both seams: distance to the nearest seam edge (a pixel whose
  // 4-neighbour is on the other side of the target or hole boundary).
  if (feather > 0) featherSeams(edited.data, code, kd, w, win, edgeTiles, feather, seam.data);
  return seam;
}

/** Four mask bytes of 255. */
const FULL4 = 0xffffffff;

/** The whole 4-byte words of a byte array (its byte offset must be a multiple of 4). */
function u32(a: Uint8Array): Uint32Array {
  return new Uint32Array(a.buffer, a.byteOffset, a.length >> 2);
}

/** An inclusive pixel rectangle (x1, y1 are the last column and row). */
interface InclusiveBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/**
 * Distances over a box of the crop: pixel (x, y) of the box at `d[(y - y0) * w + x - x0]`; the
 * spans (box columns) hold every pixel whose distance is below the cap.
 */
interface BoxDistance extends NearSpans {
  x0: number;
  y0: number;
  w: number;
  h: number;
  d: Float32Array;
}

/**
 * Chamfer distance of the T pixels (`code` bit 1, crop width `cw`) to the outside, capped at
 * `cap`, over the T bounding box `box` grown by one pixel (clipped to the window `win`): that ring
 * is all outside, so every T pixel's nearest outside pixel is reached within it and the distances
 * equal those over the whole window. Outside the box nothing is T.
 */
function insideDistance(code: Uint8Array, cw: number, win: InclusiveBox, box: InclusiveBox, cap: number, S?: Scratch): BoxDistance {
  const sx0 = Math.max(win.x0, box.x0 - 1), sy0 = Math.max(win.y0, box.y0 - 1), sx1 = Math.min(win.x1, box.x1 + 1), sy1 = Math.min(win.y1, box.y1 + 1);
  const sw = sx1 - sx0 + 1, sh = sy1 - sy0 + 1;
  return { x0: sx0, y0: sy0, w: sw, h: sh, ...chamferDistanceBand(code, sw, sh, cap, { offset: sy0 * cw + sx0, stride: cw, bit: 2 }, S?.f32(sw * sh)) };
}

/**
 * Feathered seam band (step 2): pixels whose chamfer distance `s` to the nearest seam edge (a
 * pixel with a 4-neighbour in the window on the other side of the target or hole boundary) is
 * below `feather`, and not kept, are cross-faded with their 3×3 mean (clipped to the window
 * `win`) by 0.5·(1 − s/feather); `seam` marks them. The distances are stamped around the edge
 * pixels (the chamfer metric, exact in an unobstructed plane) instead of transforming the
 * window; only the stamped pixels are visited, and all means are taken before any pixel changes.
 */
function featherSeams(e: Uint8ClampedArray, code: Uint8Array, kd: Uint8Array, cw: number, win: InclusiveBox, edgeTiles: readonly number[], feather: number, seam: Uint8Array): void {
  const F = Math.ceil(feather);
  // Stamp offsets closer than `feather` (farther ones never decide a band pixel), and the sorted
  // distinct distances they take: a pixel keeps the rank + 1 of its smallest (0: not stamped).
  const offs: number[] = [], dists: number[] = [];
  for (let dy = -F; dy <= F; dy++) {
    for (let dx = -F; dx <= F; dx++) {
      const ax = dx < 0 ? -dx : dx, ay = dy < 0 ? -dy : dy;
      const lo = ax < ay ? ax : ay, hi = ax < ay ? ay : ax;
      // Chamfer metric per stamp offset: straight steps 1, diagonal steps √2 (float32, as stored before).
      const s = Math.fround(hi - lo + lo * DIAG);
      if (s < feather) { offs.push(dx, dy); dists.push(s); }
    }
  }
  const values = [...new Set(dists)].sort((a, b) => a - b);
  if (values.length > 65534) throw new RangeError('featherSeams: feather too wide');
  // The ranks live in the codes' free bits 2..7 when they fit (the codes are not needed after
  // this step; the edge test reads bits 0..1 only), else in an array of their own.
  const packed = values.length <= 63;
  const rank = packed ? code : new Uint16Array(code.length);
  const sh = packed ? 2 : 0, low = packed ? 3 : 0;
  const rankOf = dists.map((s) => (values.indexOf(s) + 1) << sh);
  let list = new Int32Array(4096), n = 0;
  const { x0: wx0, y0: wy0, x1: wx1, y1: wy1 } = win;
  // Edge pixels are looked for in the tiles (crop EDGE_TILE² tiles, as tx, ty pairs) that can
  // hold them, within the window.
  for (let k = 0; k < edgeTiles.length; k += 2) {
    const tx = edgeTiles[k]! * EDGE_TILE, ty = edgeTiles[k + 1]! * EDGE_TILE;
    const xs = Math.max(wx0, tx), ys = Math.max(wy0, ty);
    const xe = Math.min(wx1, tx + EDGE_TILE - 1), ye = Math.min(wy1, ty + EDGE_TILE - 1);
    for (let y = ys; y <= ye; y++) for (let x = xs, p = y * cw + xs; x <= xe; x++, p++) {
      const c = code[p]! & 3;
      if (!((x > wx0 && (code[p - 1]! & 3) !== c) || (x < wx1 && (code[p + 1]! & 3) !== c) || (y > wy0 && (code[p - cw]! & 3) !== c) || (y < wy1 && (code[p + cw]! & 3) !== c))) continue;
      for (let m = 0; m < rankOf.length; m++) {
        const xx = x + offs[2 * m]!, yy = y + offs[2 * m + 1]!;
        if (xx < wx0 || xx > wx1 || yy < wy0 || yy > wy1) continue;
        const q = yy * cw + xx, v = rank[q]!, r = v & ~low, rk = rankOf[m]!;
        if (r === 0) {
          if (n === list.length) { const nl = new Int32Array(2 * n); nl.set(list); list = nl; }
          list[n++] = q;
          rank[q] = (v & low) | rk;
        } else if (rk < r) rank[q] = (v & low) | rk;
      }
    }
  }
  // The new colours of the band, all from the unchanged crop, then written.
  const next = new Uint8ClampedArray(n * 4);
  for (let j = 0; j < n; j++) {
    const p = list[j]!;
    if (kd[p]! > 0) continue;
    const s = values[(rank[p]! >> sh) - 1]!;
    const y = (p / cw) | 0, x = p - y * cw;
    // Edge pixels (s = 0) sit on either side of the seam: half-strength 3×3 mean there.
    const beta = 0.5 * (1 - s / feather);
    const xa = x > wx0 ? x - 1 : wx0, xb = x < wx1 ? x + 1 : wx1, ya = y > wy0 ? y - 1 : wy0, yb = y < wy1 ? y + 1 : wy1;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0, k = 0;
    for (let yy = ya; yy <= yb; yy++) {
      for (let xx = xa, i = (yy * cw + xa) * 4; xx <= xb; xx++, i += 4) {
        s0 += e[i]!; s1 += e[i + 1]!; s2 += e[i + 2]!; s3 += e[i + 3]!; k++;
      }
    }
    const i = p * 4, o = j * 4;
    next[o] = (1 - beta) * e[i]! + (beta * s0) / k;
    next[o + 1] = (1 - beta) * e[i + 1]! + (beta * s1) / k;
    next[o + 2] = (1 - beta) * e[i + 2]! + (beta * s2) / k;
    next[o + 3] = (1 - beta) * e[i + 3]! + (beta * s3) / k;
  }
  for (let j = 0; j < n; j++) {
    const p = list[j]!;
    if (kd[p]! > 0) continue;
    seam[p] = 255;
    const i = p * 4, o = j * 4;
    e[i] = next[o]!; e[i + 1] = next[o + 1]!; e[i + 2] = next[o + 2]!; e[i + 3] = next[o + 3]!;
  }
}

/** Membrane colour correction of the target pixels near its boundary (step 1 above). */
function correctColour(
  e: Uint8ClampedArray, code: Uint8Array, dist: BoxDistance, td: Uint8Array, kd: Uint8Array, w: number, win: InclusiveBox,
  depth: number, strength: number, tBox: InclusiveBox, S?: Scratch,
): void {
  // Crop coordinates (width `w`), neighbourhoods clipped to the window `win`. `dIn` is read at T
  // pixels only, which all lie in its box.
  // (Read in place as dIn[(y − dy0) · dw + x − dx0]: through a closure that the compiler did not
  // inline, every fractional distance came back as a new heap number, ~1 MB per 1024² edit.)
  const dIn = dist.d, dw = dist.w, dx0 = dist.x0, dy0 = dist.y0;
  // Work on the target's bounding box, grown by the mean window.
  const x0 = Math.max(win.x0, tBox.x0 - MEAN_RADIUS), y0 = Math.max(win.y0, tBox.y0 - MEAN_RADIUS);
  const x1 = Math.min(win.x1, tBox.x1 + MEAN_RADIUS), y1 = Math.min(win.y1, tBox.y1 + MEAN_RADIUS);
  const bw = x1 - x0 + 1, bh = y1 - y0 + 1;
  // Six channels per sample: the correction (outside − inside mean) and the inside mean colour
  // itself, which tells later which pixels look like the content the correction was measured on.
  // The membrane is interpolated on a coarse grid (cells of at least 2×2 pixels, more on a large
  // target: pushPullFactor) and upsampled bilinearly; the samples (boundary pixels only) go
  // straight into it as a sparse list and keep their own values.
  const factor = Math.max(MIN_MEMBRANE_FACTOR, pushPullFactor(bw, bh));
  // Bit 1 of `flags` marks a sample pixel, bit 0 a pixel that reads the correction.
  const flags = S ? S.u8(bw * bh) : new Uint8Array(bw * bh);
  let sIdx = new Int32Array(4096), sVal = new Float32Array(4096 * 6);
  let samples = 0;
  // T pixels whose distance is below the cap lie in the distance box's spans; samples and the
  // pixels that read the correction are among them (raster order is kept).
  for (let y = dist.y0; y < dist.y0 + dist.h; y++) {
    const sp = dist.spans[((y - dist.y0) / dist.tile) | 0]!;
    for (let k = 0; k < sp.length; k += 2) for (let x = dist.x0 + sp[k]!, xe = dist.x0 + sp[k + 1]!; x < xe; x++) {
      const p = y * w + x;
      // Boundary samples: target pixels touching a non-target pixel.
      if (!(code[p]! & 2) || dIn[(y - dy0) * dw + x - dx0]! > 1.5) continue;
      let o0 = 0, o1 = 0, o2 = 0, on = 0, i0 = 0, i1 = 0, i2 = 0, inn = 0;
      for (let yy = Math.max(win.y0, y - MEAN_RADIUS); yy <= Math.min(win.y1, y + MEAN_RADIUS); yy++) {
        for (let xx = Math.max(win.x0, x - MEAN_RADIUS); xx <= Math.min(win.x1, x + MEAN_RADIUS); xx++) {
          const q = yy * w + xx, i = q * 4;
          if (code[q]! & 2) {
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
      if (samples === sIdx.length) {
        const ni = new Int32Array(2 * samples); ni.set(sIdx); sIdx = ni;
        const nv = new Float32Array(12 * samples); nv.set(sVal); sVal = nv;
      }
      sIdx[samples] = bi; flags[bi] = 2;
      const b = samples * 6;
      sVal[b] = gate * d0; sVal[b + 1] = gate * d1; sVal[b + 2] = gate * d2;
      sVal[b + 3] = i0 / inn; sVal[b + 4] = i1 / inn; sVal[b + 5] = i2 / inn;
      samples++;
    }
  }
  if (samples === 0) return;
  // Only the band of T within `depth` of its boundary reads the interpolated correction.
  for (let y = dist.y0; y < dist.y0 + dist.h; y++) {
    const sp = dist.spans[((y - dist.y0) / dist.tile) | 0]!;
    for (let k = 0; k < sp.length; k += 2) for (let x = dist.x0 + sp[k]!, xe = dist.x0 + sp[k + 1]!; x < xe; x++) {
      if (code[y * w + x]! & 2 && dIn[(y - dy0) * dw + x - dx0]! < depth) flags[(y - y0) * bw + (x - x0)]! |= 1;
    }
  }
  const grid = coarseGridFromSamples(sIdx, sVal, samples, bw, bh, 6, factor, S);
  const cor = new Float32Array(6);
  let next = 0; // index of the next sample in raster order
  const invDepth = Math.PI / Math.max(1, depth - 1), invSim = 1 / (6 * SIMILARITY_SIGMA * SIMILARITY_SIGMA);
  for (let y = dist.y0; y < dist.y0 + dist.h; y++) {
    const sp = dist.spans[((y - dist.y0) / dist.tile) | 0]!;
    for (let k = 0; k < sp.length; k += 2) for (let x = dist.x0 + sp[k]!, xe = dist.x0 + sp[k + 1]!; x < xe; x++) {
      const b0 = (y - y0) * bw + (x - x0);
      const fl = flags[b0]!;
      if ((fl & 1) === 0) { if (fl & 2) next++; continue; }
      let v: Float32Array = sVal, b = next * 6;
      if (fl & 2) next++;
      else { sampleCoarseGrid(grid, x - x0, y - y0, cor, 0); v = cor; b = 0; }
      const p = y * w + x;
      const dd = dIn[(y - dy0) * dw + x - dx0]!;
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
export function selectionLooseness(original: RgbaImage, source: Mask): number {
  const w = source.width, h = source.height, sd = source.data, o = original.data;
  let boundary = 0, matching = 0;
  // Sample every second boundary pixel: enough for a fraction, half the cost. (A first pass for
  // the box of the covered pixels cost more than it saved: measured 27 vs 17 ms at 36 MP.)
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
