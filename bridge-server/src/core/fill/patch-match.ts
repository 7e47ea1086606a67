/**
 * Exemplar hole completion: PatchMatch nearest-neighbour fields (Barnes et al., SIGGRAPH 2009)
 * inside coarse-to-fine EM voting (Wexler, Shechtman, Irani, IEEE PAMI 2007).
 *
 * - Sources are restricted to a window around the hole (its bounding box plus a ring) and never
 *   overlap the hole or `forbidden` (the moved content's new position): a source patch is valid
 *   only if every pixel under it is known background.
 * - Pixels in `forbidden` that are not in the hole are "don't care" in patch distances, so the
 *   fill continues the background, not the moved object next to it.
 * - For speed the full EM runs on a pyramid level with at most `workPixels` hole pixels; finer
 *   levels only upsample the nearest-neighbour field, refine it with a short local search and
 *   vote, so the finest level copies full-resolution texture.
 * - Texture is kept sharp: each finer level first votes from the upsampled field (so the search
 *   compares against copied texture, not a blurred bilinear estimate that favours flat sources),
 *   and the last vote of the working level and the light levels use mode voting (mean shift
 *   over the overlapping patches' colours) instead of plain averaging.
 * - A low-frequency colour correction interpolates, over the hole, the colour offset between the
 *   known pixels at the hole's border and the corresponding pixels around their matches, so a
 *   fill copied from a brighter or differently tinted area does not leave a halo.
 * - Randomness comes only from `createRng(seed)`: the same seed gives the same pixels.
 */
import { createRng, type Rng } from '../random';
import type { FillOptions, Filler, Mask, RgbaImage } from '../types';
import { throwIfCancelled } from '../cancel';
import { registerRowKernel, rowsInBands, runRows, sharedBytes, sharedFloat32, willRunParallel } from '../parallel/rows';
import { Scratch } from './scratch';
import { findContinuedEdges, paintContinuedEdges } from './structure';
import { smoothBackdrop } from './smooth-backdrop';
import { readRegionSplit, regionsAt } from './region-labels';
import { coarseGridFromSamples, fillPushPull, growBox, holeBox, holePixels, type Box, pushPullFactor, pushPullFill, pushPullFillScaled, sampleCoarseGrid } from './push-pull';

/** Tuning of the exemplar filler; every field has a default. */
export interface PatchMatchOptions {
  /** Odd patch side in pixels. Default 7. */
  patchSize?: number;
  /** Source ring around the hole's bounding box, as a fraction of its larger side. Default 0.75. */
  sourceRing?: number;
  /** Minimum source ring width in pixels. Default 24. */
  minSourceRingPx?: number;
  /**
   * Hole pixels allowed at the working level (full EM); finer levels run light. Default 12000.
   * (3000 was tried: half the time and a higher SSIM on the synthetic scenes, but on photos with
   * fine detail — DragBench art_work/PJC_2023-09-15-1542-21, a 15 000-pixel hole — the fill
   * turned blocky: two light levels below a 900-pixel working level copy incoherent 4×4 blocks.)
   */
  workPixels?: number;
  /**
   * EM iterations at the coarsest level (the levels between it and the working level interpolate).
   * Default 10: the structure of the fill is decided there, and those levels are small — with 6
   * the brick scenes' hole SSIM was ~0.05 lower.
   */
  itersCoarse?: number;
  /**
   * Weight of the texture features in the patch distance (Newson et al., "Video inpainting of
   * complex scenes", SIAM J. Imaging Sci. 2014): per pixel the mean absolute grey gradient along x
   * and y over a 3 × 3 window, voted into the hole like the colours. Without them the search
   * settles on the smoothest sources (a flat patch is close to the smooth first estimate of the
   * hole) and the fill is a smooth blob in grass, gravel or wood. 0 turns them off.
   */
  textureWeight?: number;
  /** EM iterations at the working level (a third changed the hole SSIM by < 0.003 on average). Default 2. */
  itersWork?: number;
  /**
   * EM iterations at the working level when {@link DEEP_LIGHT_LEVELS} or more light levels follow
   * it (a hole of ~0.5 MP and more): the finer levels only upsample its field, so a structured
   * texture (stripes) needs the coarse match settled better — with 3, the SSIM in a 2–4 MP hole
   * was 0.024 below the full-resolution fill; with 6, 0.016 below or better. Iterations beyond
   * `itersWork` stop once the mean patch distance drops by less than 1% (a texture without
   * structure settles in the usual number). Default 6.
   */
  itersWorkDeep?: number;
  /** PatchMatch passes per light level finer than the working level (the finest always 0). Default 1. */
  itersLight?: number;
  /**
   * Radius (px) of the boundary comparison of the low-frequency colour correction; 0 disables it.
   * Default 2.
   */
  colorCorrectRadius?: number;
  /** Largest colour offset (0..255 units per channel) the correction applies. Default 48. */
  colorCorrectMax?: number;
  /**
   * The colour correction's consistency window, in multiples of `colorCorrectRadius` at the scale
   * the fill's structure is decided (the working level's pixels, see correctLowFrequency): a border
   * offset that the wider surroundings do not share comes from a thin structure along the hole (an
   * object's remnant, an outline) and is left out. 0 turns the test off. Default 3.
   */
  colorCorrectWide?: number;
  /**
   * Continue straight edges that meet the hole through it before the exemplar fill
   * (fill/structure.ts): a leaf's stripes under a shrunk butterfly, a line behind a moved object.
   * Default true.
   */
  continueEdges?: boolean;
  /**
   * Keep the hole's voted texture features at least at the texture that persists along its
   * border (see {@link textureFloor}), where the window's sources are mostly textured. Default true.
   */
  textureFloor?: boolean;
  /**
   * In a smooth backdrop (a blur, a sky), take the smooth parts of the fill's low frequencies from
   * a smooth interpolation of the smooth border (fill/smooth-backdrop.ts) — not when a straight
   * edge was continued through the hole. Default true.
   */
  smoothBackdrop?: boolean;
  /**
   * Where the hole's border runs through two plainly different regions that meet on it at two
   * places (leaves above a pot's rim, the pot below), their boundary is continued straight through
   * the hole and each side copies only from its own region (fill/region-labels.ts), so neither grows
   * through the hole into the other. Default true.
   */
  regionLabels?: boolean;
}

/** How much a full PatchMatch level's search costs per hole pixel against a light level's vote (progress weights only). */
const FULL_LEVEL_COST = 4;

const DEFAULTS: Required<PatchMatchOptions> = {
  patchSize: 7,
  sourceRing: 0.75,
  minSourceRingPx: 24,
  workPixels: 12000,
  itersCoarse: 10,
  itersWork: 2,
  itersWorkDeep: 6,
  itersLight: 1,
  colorCorrectRadius: 2,
  colorCorrectMax: 48,
  colorCorrectWide: 3,
  continueEdges: true,
  textureWeight: 50,
  textureFloor: true,
  smoothBackdrop: true,
  regionLabels: true,
};

/** Fewest hole pixels of the level the regions around the hole are read on (see {@link PatchMatchOptions.regionLabels}). */
const REGION_LEVEL_PIXELS = 1500;

/** Light levels after the working level from which it runs {@link PatchMatchOptions.itersWorkDeep}. */
const DEEP_LIGHT_LEVELS = 3;
/** EM iterations of the level below a deep working level (see `refine` in fillPatchMatch). */
const REFINE_ITERS = 1;
/** Largest hole (pixels at that level) of the level below a deep working level that is refined. */
const REFINE_MAX_HOLE_PIXELS = 48000;
/** EM iterations (at least) of a pyramid's only full level (a random start; too few sources above it). */
const SOLE_LEVEL_ITERS = 3;
/** Relative drop of the mean patch distance below which the extra working-level iterations stop. */
const EM_SETTLED = 0.01;
/**
 * Relative drop of the mean patch distance below which a level between the coarsest and the
 * working level stops iterating (it runs at least two). Those levels carry the coarsest level's
 * structure down; on a thin hole (the crescents a turn leaves, 1024² speed document: levels of
 * 91² and 182² with 7 and 5 iterations) they were a third of the fill, each pass after the
 * second improving the mean distance by 2–5%. Hole SSIM on synthetic scenes (docs/benchmarks/
 * speed.md, session 7): −0.002 on 48 moved-disc scenes (256²–1024²), +0.008 on 12 turned
 * ellipses. (The coarsest level keeps all its iterations: stopping there too cost thin brick
 * scenes 0.012, and fewer there cost up to 0.1.)
 */
const BETWEEN_SETTLED = 0.05;
/**
 * A level's hole is thin when it has at least this many target patches per hole pixel (most
 * patches overlapping it are mostly known pixels, which pin their match: a turn's crescents have
 * 2.6–3.7 at the middle levels, a moved disc's hole ~1.2). Only a thin hole's middle levels stop
 * early: on the 1024² moved-brick scene of the multi-resolution bench, stopping every shallow
 * pyramid's middle levels cost 0.014 of hole SSIM (0.679 → 0.665).
 */
const THIN_TARGETS_PER_HOLE = 2;
/**
 * The random search of a level finer than the coarsest starts at 1/FINE_SEARCH_DIV of the
 * level's larger side (the coarsest searches the whole level). Its field is the coarsest
 * level's global search, upsampled: the widest radii (1/2, 1/4 of the level) rarely found a
 * better match; dropping them (3 of ~9 candidates a pass) left the hole SSIM of the synthetic
 * scenes equal within 0.001 on average and cut ~5–10% of a 1024² fill.
 */
const FINE_SEARCH_DIV = 8;

/** Mean nearest-neighbour patch distance over the level's target patches. */
function meanDistance(L: Level): number {
  const { targets, dist } = L;
  let s = 0;
  for (let k = 0; k < targets.length; k++) s += dist[targets[k]!]!;
  return targets.length > 0 ? s / targets.length : 0;
}

/** Pixel state per level. */
const KNOWN = 0, HOLE = 1, EXCLUDED = 2;

interface Level {
  w: number;
  h: number;
  /** Interleaved RGB, 0..255. */
  col: Float32Array;
  /** KNOWN, HOLE or EXCLUDED (forbidden but not to be filled). */
  state: Uint8Array;
  /** Distance weight per pixel: 0 for EXCLUDED, 1 otherwise. */
  tw: Uint8Array;
  /** 1 where the patch centred here has no EXCLUDED pixel (its distance needs no weight test). */
  allWeighted: Uint8Array;
  /** 1 where every pixel of the patch centred here is HOLE (its vote needs no state test). */
  allHole: Uint8Array;
  /** 1 where a patch centred here is a valid source. */
  srcOk: Uint8Array;
  srcList: Int32Array;
  /** Patch centres whose patch overlaps the hole, raster order. */
  targets: Int32Array;
  /** Per pixel: source centre index of its patch, or −1. */
  nnf: Int32Array;
  dist: Float32Array;
  holeCount: number;
  /** Texture features (2 per pixel: mean |∂x|, |∂y| of grey over 3 × 3); HOLE pixels hold the voted estimate. */
  tex: Float32Array;
  /** Whether {@link vote} votes the texture features too (not on the finest full level). */
  texVote: boolean;
  /** Accumulator of {@link voteTexture} (two per pixel; the levels that vote features). */
  texAcc: Float32Array;
  /** Weight of the texture features in the distance (0: colours only). */
  lam: number;
  /** Lower bound of the HOLE pixels' voted texture features (see {@link textureFloor}); empty when none. */
  texFloor: Float32Array;
  /** Bounding box of the HOLE pixels, inclusive (hx1 < 0 when there are none). */
  hx0: number;
  hy0: number;
  hx1: number;
  hy1: number;
  /** Per pixel: the regions a patch centred there may copy from (fill/region-labels.ts); null: any. */
  allow: Uint8Array | null;
  /** Per pixel: the bit of the region a source centred there belongs to (0: none); null with `allow`. */
  lab: Uint8Array | null;
  /** The valid sources of each region; null with `allow`. */
  labSrc: Int32Array[] | null;
}

function makeLevel(w: number, h: number, col: Float32Array, state: Uint8Array, r: number, S: Scratch): Level {
  const n = w * h;
  const tw = S.u8(n);
  let holeCount = 0, hx0 = w, hy0 = h, hx1 = -1, hy1 = -1;
  for (let y = 0, p = 0; y < h; y++) {
    for (let x = 0; x < w; x++, p++) {
      const s = state[p]!;
      tw[p] = s === EXCLUDED ? 0 : 1;
      if (s !== HOLE) continue;
      holeCount++;
      if (x < hx0) hx0 = x;
      if (x > hx1) hx1 = x;
      if (hy0 === h) hy0 = y;
      hy1 = y;
    }
  }
  // Prefix sums of "not known" over the level, to test whole source patches in O(1).
  const W1 = w + 1;
  const bad = S.i32(W1 * (h + 1));
  for (let y = 0; y < h; y++) {
    let rb = 0;
    for (let x = 0; x < w; x++) {
      if (state[y * w + x] !== KNOWN) rb++;
      const q = (y + 1) * W1 + x + 1;
      bad[q] = bad[q - W1]! + rb;
    }
  }
  const srcOk = S.u8(n);
  let nSrc = 0;
  for (let y = r; y < h - r; y++) {
    const ya = (y - r) * W1, yb = (y + r + 1) * W1;
    for (let x = r; x < w - r; x++) {
      const xa = x - r, xb = x + r + 1;
      if (bad[yb + xb]! - bad[ya + xb]! - bad[yb + xa]! + bad[ya + xa]! === 0) { srcOk[y * w + x] = 1; nSrc++; }
    }
  }
  const srcList = S.i32(nSrc);
  for (let p = 0, i = 0; p < n; p++) if (srcOk[p]) srcList[i++] = p;
  // Targets (patch centres overlapping the hole) lie within r of the hole's bounding box: their
  // "hole" and "excluded" counts come from prefix sums over that box only (grown by 2r).
  const allWeighted = S.u8(n), allHole = S.u8(n);
  const patchArea = (2 * r + 1) * (2 * r + 1);
  let targets = new Int32Array(0);
  const tx0 = Math.max(r, hx0 - r), tx1 = Math.min(w - r - 1, hx1 + r);
  const ty0 = Math.max(r, hy0 - r), ty1 = Math.min(h - r - 1, hy1 + r);
  if (hx1 >= 0 && tx0 <= tx1 && ty0 <= ty1) {
    const bx0 = tx0 - r, by0 = ty0 - r, bw = tx1 + r - bx0 + 1, bh = ty1 + r - by0 + 1, B1 = bw + 1;
    const hol = S.i32(B1 * (bh + 1)), exc = S.i32(B1 * (bh + 1));
    for (let y = 0; y < bh; y++) {
      let rh = 0, re = 0;
      for (let x = 0, p = (y + by0) * w + bx0; x < bw; x++, p++) {
        const s = state[p]!;
        if (s === HOLE) rh++;
        else if (s === EXCLUDED) re++;
        const q = (y + 1) * B1 + x + 1;
        hol[q] = hol[q - B1]! + rh;
        exc[q] = exc[q - B1]! + re;
      }
    }
    const list = S.i32((tx1 - tx0 + 1) * (ty1 - ty0 + 1));
    let nTgt = 0;
    for (let y = ty0; y <= ty1; y++) {
      const ya = (y - r - by0) * B1, yb = (y + r + 1 - by0) * B1;
      for (let x = tx0; x <= tx1; x++) {
        const xa = x - r - bx0, xb = x + r + 1 - bx0;
        const holes = hol[yb + xb]! - hol[ya + xb]! - hol[yb + xa]! + hol[ya + xa]!;
        if (holes === 0) continue;
        const p = y * w + x;
        list[nTgt++] = p;
        if (holes === patchArea) allHole[p] = 1;
        if (exc[yb + xb]! - exc[ya + xb]! - exc[yb + xa]! + exc[ya + xa]! === 0) allWeighted[p] = 1;
      }
    }
    targets = list.slice(0, nTgt);
  }
  const nnf = S.i32(n).fill(-1);
  return { w, h, col, state, tw, allWeighted, allHole, srcOk, srcList, targets, nnf, dist: S.f32(n), holeCount, tex: EMPTY_TEX, texAcc: EMPTY_TEX, texVote: true, lam: 0, texFloor: EMPTY_TEX, hx0, hy0, hx1, hy1, allow: null, lab: null, labSrc: null };
}

const EMPTY_TEX = new Float32Array(0);

/**
 * The texture features of a level's KNOWN pixels (see {@link PatchMatchOptions.textureWeight}):
 * grey differences are taken between KNOWN neighbours only, then averaged over the KNOWN pixels
 * of a 3 × 3 window. HOLE and EXCLUDED pixels are 0 here.
 */
function textureFeatures(L: Level, lam: number, S: Scratch): void {
  const { w, h, col, state } = L, n = w * h;
  // |∂x| and |∂y| of grey (R + G + B over 3) from KNOWN neighbours (one-sided at the hole and the
  // window's edge); gx is −1 where the pixel is not KNOWN.
  const gx = S.f32(n), gy = S.f32(n), tex = S.f32(2 * n);
  for (let y = 0, p = 0; y < h; y++) {
    for (let x = 0; x < w; x++, p++) {
      if (state[p] !== KNOWN) { gx[p] = -1; continue; }
      const c = col[p * 3]! + col[p * 3 + 1]! + col[p * 3 + 2]!;
      const l = x > 0 && state[p - 1] === KNOWN, rr = x < w - 1 && state[p + 1] === KNOWN;
      const u = y > 0 && state[p - w] === KNOWN, d = y < h - 1 && state[p + w] === KNOWN;
      const cl = l ? col[(p - 1) * 3]! + col[(p - 1) * 3 + 1]! + col[(p - 1) * 3 + 2]! : c;
      const cr = rr ? col[(p + 1) * 3]! + col[(p + 1) * 3 + 1]! + col[(p + 1) * 3 + 2]! : c;
      const cu = u ? col[(p - w) * 3]! + col[(p - w) * 3 + 1]! + col[(p - w) * 3 + 2]! : c;
      const cd = d ? col[(p + w) * 3]! + col[(p + w) * 3 + 1]! + col[(p + w) * 3 + 2]! : c;
      gx[p] = Math.abs(cr - cl) / (l && rr ? 6 : 3);
      gy[p] = Math.abs(cd - cu) / (u && d ? 6 : 3);
    }
  }
  for (let y = 0, p = 0; y < h; y++) {
    const j0 = Math.max(0, y - 1), j1 = Math.min(h - 1, y + 1);
    for (let x = 0; x < w; x++, p++) {
      if (gx[p]! < 0) continue;
      const i0 = Math.max(0, x - 1), i1 = Math.min(w - 1, x + 1);
      let sx = 0, sy = 0, k = 0;
      for (let j = j0; j <= j1; j++) {
        for (let i = i0, q = j * w + i0; i <= i1; i++, q++) {
          const v = gx[q]!;
          if (v >= 0) { sx += v; sy += gy[q]!; k++; }
        }
      }
      tex[2 * p] = sx / k; tex[2 * p + 1] = sy / k;
    }
  }
  L.tex = tex;
  L.lam = lam;
}

/**
 * The texture features of a working level `s` levels above the finest (a large hole): the finest
 * level's grey differences (forward, between KNOWN neighbours) averaged over each working pixel's
 * 2^s × 2^s block. Taken at the working level itself, a fine texture is aliased there (stripes a
 * few pixels wide alternate from pixel to pixel or vanish), and matching those features scrambled
 * the stripes' phase: a 2048² stripes fill fell from SSIM 0.68 to 0.08.
 */
function textureFeaturesFromFinest(L: Level, F: RawLevel, s: number, lam: number, S: Scratch): void {
  const { w, h, state } = L, n = w * h;
  const fc: Float32Array | Uint8Array = F.known ?? F.col, fs = F.state, FW = F.w, FH = F.h;
  const sum = S.f32(2 * n), cnt = S.f32(2 * n), tex = S.f32(2 * n);
  for (let y = 0; y < FH; y++) {
    const row = (y >> s) * w;
    for (let x = 0, p = y * FW; x < FW; x++, p++) {
      if (fs[p] !== KNOWN) continue;
      const g = fc[p * 3]! + fc[p * 3 + 1]! + fc[p * 3 + 2]!, b = 2 * (row + (x >> s));
      if (x + 1 < FW && fs[p + 1] === KNOWN) { sum[b] += Math.abs(fc[p * 3 + 3]! + fc[p * 3 + 4]! + fc[p * 3 + 5]! - g) / 3; cnt[b]++; }
      if (y + 1 < FH && fs[p + FW] === KNOWN) { const q = (p + FW) * 3; sum[b + 1] += Math.abs(fc[q]! + fc[q + 1]! + fc[q + 2]! - g) / 3; cnt[b + 1]++; }
    }
  }
  for (let q = 0; q < n; q++) {
    if (state[q] !== KNOWN) continue;
    tex[2 * q] = cnt[2 * q]! > 0 ? sum[2 * q]! / cnt[2 * q]! : 0;
    tex[2 * q + 1] = cnt[2 * q + 1]! > 0 ? sum[2 * q + 1]! / cnt[2 * q + 1]! : 0;
  }
  L.tex = tex;
  L.lam = lam;
}

/** `C`'s texture features from its 2× finer level `F`: the mean over the KNOWN children (0 where none). */
function downsampleTexture(F: Level, C: Level, S: Scratch): void {
  const tex = S.f32(2 * C.w * C.h);
  for (let Y = 0; Y < C.h; Y++) {
    for (let X = 0; X < C.w; X++) {
      let s0 = 0, s1 = 0, k = 0;
      for (let j = 0; j < 2; j++) {
        const y = 2 * Y + j;
        if (y >= F.h) continue;
        for (let i = 0; i < 2; i++) {
          const x = 2 * X + i;
          if (x >= F.w) continue;
          const p = y * F.w + x;
          if (F.state[p] !== KNOWN) continue;
          s0 += F.tex[2 * p]!; s1 += F.tex[2 * p + 1]!; k++;
        }
      }
      if (k > 0) { const q = Y * C.w + X; tex[2 * q] = s0 / k; tex[2 * q + 1] = s1 / k; }
    }
  }
  C.tex = tex;
  C.texAcc = S.f32(2 * C.w * C.h);
  C.lam = F.lam;
}

/** Texture part of the patch distance (2 features per pixel), EXCLUDED target pixels ignored; stops early past `best`. */
function texDist(tex: Float32Array, tw: Uint8Array, w: number, r: number, tp: number, sp: number, best: number): number {
  let d = 0;
  for (let dy = -r; dy <= r; dy++) {
    let ti = tp + dy * w - r, si = sp + dy * w - r;
    for (let dx = -r; dx <= r; dx++, ti++, si++) {
      if (tw[ti] === 0) continue;
      const e0 = tex[2 * ti]! - tex[2 * si]!, e1 = tex[2 * ti + 1]! - tex[2 * si + 1]!;
      d += e0 * e0 + e1 * e1;
    }
    if (d >= best) return d;
  }
  return d;
}

/**
 * {@link texDist} for the default 7 × 7 patch and a target patch without EXCLUDED pixels: rows
 * unrolled, indices truncated to 32 bits (as {@link patchDistAll7}).
 */
function texDistAll7(tex: Float32Array, w: number, tp: number, sp: number, best: number): number {
  let d = 0;
  let a = ((tp - 3 * w - 3) * 2) | 0, b = ((sp - 3 * w - 3) * 2) | 0;
  const stride = (w * 2) | 0;
  for (let dy = 0; dy < 7; dy++) {
    let e0 = tex[a]! - tex[b]!, e1 = tex[(a + 1) | 0]! - tex[(b + 1) | 0]!;
    d += e0 * e0 + e1 * e1;
    e0 = tex[(a + 2) | 0]! - tex[(b + 2) | 0]!; e1 = tex[(a + 3) | 0]! - tex[(b + 3) | 0]!; d += e0 * e0 + e1 * e1;
    e0 = tex[(a + 4) | 0]! - tex[(b + 4) | 0]!; e1 = tex[(a + 5) | 0]! - tex[(b + 5) | 0]!; d += e0 * e0 + e1 * e1;
    e0 = tex[(a + 6) | 0]! - tex[(b + 6) | 0]!; e1 = tex[(a + 7) | 0]! - tex[(b + 7) | 0]!; d += e0 * e0 + e1 * e1;
    e0 = tex[(a + 8) | 0]! - tex[(b + 8) | 0]!; e1 = tex[(a + 9) | 0]! - tex[(b + 9) | 0]!; d += e0 * e0 + e1 * e1;
    e0 = tex[(a + 10) | 0]! - tex[(b + 10) | 0]!; e1 = tex[(a + 11) | 0]! - tex[(b + 11) | 0]!; d += e0 * e0 + e1 * e1;
    e0 = tex[(a + 12) | 0]! - tex[(b + 12) | 0]!; e1 = tex[(a + 13) | 0]! - tex[(b + 13) | 0]!; d += e0 * e0 + e1 * e1;
    if (d >= best) return d;
    a = (a + stride) | 0; b = (b + stride) | 0;
  }
  return d;
}

/** Patch distance on a level: colours, plus the weighted texture features when the level has them; stops early past `best`. */
function levelDist(L: Level, r: number, t: number, c: number, best: number, aw: boolean): number {
  const d = aw ? patchDistAll(L.col, L.w, r, t, c, best) : patchDist(L.col, L.tw, L.w, r, t, c, best);
  const lam = L.lam;
  if (lam === 0 || d >= best) return d;
  const rest = (best - d) / lam;
  return d + lam * (aw && r === 3 ? texDistAll7(L.tex, L.w, t, c, rest) : texDist(L.tex, L.tw, L.w, r, t, c, rest));
}

/** Colours and pixel states of one pyramid level, before any PatchMatch bookkeeping. */
interface RawLevel {
  w: number;
  h: number;
  /**
   * Interleaved RGB. When `known` is set (the finest level of a fill whose finest level is
   * light), only HOLE pixels are written here and the KNOWN pixels' colours are in `known`.
   */
  col: Float32Array;
  /**
   * The KNOWN pixels' colours (interleaved RGB) of a light finest level: they are the image's
   * bytes, so a byte array holds the same values as floats would, at a quarter of the memory;
   * `col` is then written only at hole pixels (its other pages are never touched).
   */
  known?: Uint8Array;
  state: Uint8Array;
  holeCount: number;
  /** Bounding box of the HOLE pixels, inclusive (when known; a level's box is its finer level's halved). */
  box?: { x0: number; y0: number; x1: number; y1: number };
}

/** 2× downsample: colours average the known children; state is the "worst" child (HOLE > EXCLUDED > KNOWN). */
function downsample(f: RawLevel, shared: boolean, S: Scratch): RawLevel {
  const w = (f.w + 1) >> 1, h = (f.h + 1) >> 1;
  const col = shared ? sharedFloat32(w * h * 3) : S.f32(w * h * 3);
  const state = S.u8(w * h);
  let holeCount = 0;
  const fw = f.w, fs = f.state, fc: Float32Array | Uint8Array = f.known ?? f.col;
  // Interior cells (all four children inside the level): unrolled, children in the same order as
  // the general loop below (so the same sums).
  const wIn = f.w >> 1, hIn = f.h >> 1;
  for (let Y = 0; Y < hIn; Y++) {
    for (let X = 0, p = 2 * Y * fw, q = Y * w; X < wIn; X++, p += 2, q++) {
      const a = fs[p]!, b = fs[p + 1]!, c = fs[p + fw]!, e = fs[p + fw + 1]!;
      if ((a | b | c | e) === KNOWN) {
        const i0 = p * 3, i1 = i0 + 3, i2 = (p + fw) * 3, i3 = i2 + 3;
        col[q * 3] = (fc[i0]! + fc[i1]! + fc[i2]! + fc[i3]!) / 4;
        col[q * 3 + 1] = (fc[i0 + 1]! + fc[i1 + 1]! + fc[i2 + 1]! + fc[i3 + 1]!) / 4;
        col[q * 3 + 2] = (fc[i0 + 2]! + fc[i1 + 2]! + fc[i2 + 2]! + fc[i3 + 2]!) / 4;
        continue;
      }
      let s0 = 0, s1 = 0, s2 = 0, k = 0, st = KNOWN;
      for (let j = 0; j < 2; j++) {
        for (let i = 0; i < 2; i++) {
          const pp = p + j * fw + i;
          const s = fs[pp]!;
          if (s === HOLE) st = HOLE;
          else if (s === EXCLUDED) { if (st === KNOWN) st = EXCLUDED; }
          else { s0 += fc[pp * 3]!; s1 += fc[pp * 3 + 1]!; s2 += fc[pp * 3 + 2]!; k++; }
        }
      }
      state[q] = st;
      if (st === HOLE) holeCount++;
      if (k > 0) { col[q * 3] = s0 / k; col[q * 3 + 1] = s1 / k; col[q * 3 + 2] = s2 / k; }
    }
  }
  for (let Y = 0; Y < h; Y++) {
    for (let X = Y < hIn ? wIn : 0; X < w; X++) {
      let s0 = 0, s1 = 0, s2 = 0, k = 0, st = KNOWN;
      for (let j = 0; j < 2; j++) {
        const y = 2 * Y + j;
        if (y >= f.h) continue;
        for (let i = 0; i < 2; i++) {
          const x = 2 * X + i;
          if (x >= f.w) continue;
          const p = y * f.w + x;
          const s = f.state[p]!;
          if (s === HOLE) st = HOLE;
          else if (s === EXCLUDED) { if (st === KNOWN) st = EXCLUDED; }
          else { s0 += fc[p * 3]!; s1 += fc[p * 3 + 1]!; s2 += fc[p * 3 + 2]!; k++; }
        }
      }
      const q = Y * w + X;
      state[q] = st;
      if (st === HOLE) holeCount++;
      if (k > 0) { col[q * 3] = s0 / k; col[q * 3 + 1] = s1 / k; col[q * 3 + 2] = s2 / k; }
    }
  }
  const box = f.box && { x0: f.box.x0 >> 1, y0: f.box.y0 >> 1, x1: f.box.x1 >> 1, y1: f.box.y1 >> 1 };
  return { w, h, col, state, holeCount, ...(box ? { box } : {}) };
}

/** SSD between the patches centred at `tp` and `sp`, ignoring EXCLUDED target pixels; stops early past `best`. */
function patchDist(col: Float32Array, tw: Uint8Array, w: number, r: number, tp: number, sp: number, best: number): number {
  PD_IO[0] = best;
  if (r === 3) patchDist7(col, tw, w, tp, sp, PD_IO);
  else patchDistR(col, tw, w, r, tp, sp, PD_IO);
  return PD_IO[1]!;
}

/**
 * The bound and the result of the distance kernels pass through this array: the wrappers
 * ({@link patchDist}, {@link patchDistAll}) are inlined into the PatchMatch pass, the kernels are
 * not, and a fractional number crossing a call is boxed (a new heap number; ~3 MB of garbage per
 * 1024² final edit). Typed-array slots carry the same doubles unboxed.
 */
const PD_IO = new Float64Array(2);

/** {@link patchDist} for any patch radius: bound in `io[0]`, distance to `io[1]`. */
function patchDistR(col: Float32Array, tw: Uint8Array, w: number, r: number, tp: number, sp: number, io: Float64Array): void {
  const best = io[0]!;
  let d = 0;
  for (let dy = -r; dy <= r; dy++) {
    let ti = tp + dy * w - r, si = sp + dy * w - r;
    for (let dx = -r; dx <= r; dx++, ti++, si++) {
      if (tw[ti] === 0) continue;
      const a = ti * 3, b = si * 3;
      const e0 = col[a]! - col[b]!, e1 = col[a + 1]! - col[b + 1]!, e2 = col[a + 2]! - col[b + 2]!;
      d += e0 * e0 + e1 * e1 + e2 * e2;
    }
    if (d >= best) { io[1] = d; return; }
  }
  io[1] = d;
}

/**
 * {@link patchDist} for the default 7 × 7 patch, rows unrolled: the same sums in the same order.
 * The indices are truncated to 32 bits (`| 0`; every index is far below 2³¹): the compiler then
 * adds the offsets without an overflow check before each bounds check (~10% of a distance).
 */
function patchDist7(col: Float32Array, tw: Uint8Array, w: number, tp: number, sp: number, io: Float64Array): void {
  const best = io[0]!;
  let d = 0;
  let ti = (tp - 3 * w - 3) | 0, a = (ti * 3) | 0, b = ((sp - 3 * w - 3) * 3) | 0;
  const stride = (w * 3) | 0;
  for (let dy = 0; dy < 7; dy++) {
    let e0 = 0, e1 = 0, e2 = 0;
    if (tw[ti] !== 0) { e0 = col[a]! - col[b]!; e1 = col[(a + 1) | 0]! - col[(b + 1) | 0]!; e2 = col[(a + 2) | 0]! - col[(b + 2) | 0]!; d += e0 * e0 + e1 * e1 + e2 * e2; }
    if (tw[(ti + 1) | 0] !== 0) { e0 = col[(a + 3) | 0]! - col[(b + 3) | 0]!; e1 = col[(a + 4) | 0]! - col[(b + 4) | 0]!; e2 = col[(a + 5) | 0]! - col[(b + 5) | 0]!; d += e0 * e0 + e1 * e1 + e2 * e2; }
    if (tw[(ti + 2) | 0] !== 0) { e0 = col[(a + 6) | 0]! - col[(b + 6) | 0]!; e1 = col[(a + 7) | 0]! - col[(b + 7) | 0]!; e2 = col[(a + 8) | 0]! - col[(b + 8) | 0]!; d += e0 * e0 + e1 * e1 + e2 * e2; }
    if (tw[(ti + 3) | 0] !== 0) { e0 = col[(a + 9) | 0]! - col[(b + 9) | 0]!; e1 = col[(a + 10) | 0]! - col[(b + 10) | 0]!; e2 = col[(a + 11) | 0]! - col[(b + 11) | 0]!; d += e0 * e0 + e1 * e1 + e2 * e2; }
    if (tw[(ti + 4) | 0] !== 0) { e0 = col[(a + 12) | 0]! - col[(b + 12) | 0]!; e1 = col[(a + 13) | 0]! - col[(b + 13) | 0]!; e2 = col[(a + 14) | 0]! - col[(b + 14) | 0]!; d += e0 * e0 + e1 * e1 + e2 * e2; }
    if (tw[(ti + 5) | 0] !== 0) { e0 = col[(a + 15) | 0]! - col[(b + 15) | 0]!; e1 = col[(a + 16) | 0]! - col[(b + 16) | 0]!; e2 = col[(a + 17) | 0]! - col[(b + 17) | 0]!; d += e0 * e0 + e1 * e1 + e2 * e2; }
    if (tw[(ti + 6) | 0] !== 0) { e0 = col[(a + 18) | 0]! - col[(b + 18) | 0]!; e1 = col[(a + 19) | 0]! - col[(b + 19) | 0]!; e2 = col[(a + 20) | 0]! - col[(b + 20) | 0]!; d += e0 * e0 + e1 * e1 + e2 * e2; }
    if (d >= best) { io[1] = d; return; }
    ti = (ti + w) | 0; a = (a + stride) | 0; b = (b + stride) | 0;
  }
  io[1] = d;
}

/**
 * {@link patchDist} for a target patch without EXCLUDED pixels: the same sums in the same order
 * (so the same value), without the weight test.
 */
function patchDistAll(col: Float32Array, w: number, r: number, tp: number, sp: number, best: number): number {
  PD_IO[0] = best;
  if (r === 3) patchDistAll7(col, w, tp, sp, PD_IO);
  else patchDistAllR(col, w, r, tp, sp, PD_IO);
  return PD_IO[1]!;
}

/** {@link patchDistAll} for any patch radius: bound in `io[0]`, distance to `io[1]`. */
function patchDistAllR(col: Float32Array, w: number, r: number, tp: number, sp: number, io: Float64Array): void {
  const best = io[0]!;
  let d = 0;
  const side = 2 * r + 1;
  for (let dy = -r; dy <= r; dy++) {
    let a = (tp + dy * w - r) * 3, b = (sp + dy * w - r) * 3;
    for (let i = 0; i < side; i++, a += 3, b += 3) {
      const e0 = col[a]! - col[b]!, e1 = col[a + 1]! - col[b + 1]!, e2 = col[a + 2]! - col[b + 2]!;
      d += e0 * e0 + e1 * e1 + e2 * e2;
    }
    if (d >= best) { io[1] = d; return; }
  }
  io[1] = d;
}

/**
 * {@link patchDistAll} for the default 7 × 7 patch, rows unrolled: the same sums in the same
 * order (so the same value), without the inner loop's bookkeeping; indices truncated to 32 bits
 * as in {@link patchDist7}.
 */
function patchDistAll7(col: Float32Array, w: number, tp: number, sp: number, io: Float64Array): void {
  const best = io[0]!;
  let d = 0;
  let a = ((tp - 3 * w - 3) * 3) | 0, b = ((sp - 3 * w - 3) * 3) | 0;
  const stride = (w * 3) | 0;
  for (let dy = 0; dy < 7; dy++) {
    let e0 = col[a]! - col[b]!, e1 = col[(a + 1) | 0]! - col[(b + 1) | 0]!, e2 = col[(a + 2) | 0]! - col[(b + 2) | 0]!;
    d += e0 * e0 + e1 * e1 + e2 * e2;
    e0 = col[(a + 3) | 0]! - col[(b + 3) | 0]!; e1 = col[(a + 4) | 0]! - col[(b + 4) | 0]!; e2 = col[(a + 5) | 0]! - col[(b + 5) | 0]!;
    d += e0 * e0 + e1 * e1 + e2 * e2;
    e0 = col[(a + 6) | 0]! - col[(b + 6) | 0]!; e1 = col[(a + 7) | 0]! - col[(b + 7) | 0]!; e2 = col[(a + 8) | 0]! - col[(b + 8) | 0]!;
    d += e0 * e0 + e1 * e1 + e2 * e2;
    e0 = col[(a + 9) | 0]! - col[(b + 9) | 0]!; e1 = col[(a + 10) | 0]! - col[(b + 10) | 0]!; e2 = col[(a + 11) | 0]! - col[(b + 11) | 0]!;
    d += e0 * e0 + e1 * e1 + e2 * e2;
    e0 = col[(a + 12) | 0]! - col[(b + 12) | 0]!; e1 = col[(a + 13) | 0]! - col[(b + 13) | 0]!; e2 = col[(a + 14) | 0]! - col[(b + 14) | 0]!;
    d += e0 * e0 + e1 * e1 + e2 * e2;
    e0 = col[(a + 15) | 0]! - col[(b + 15) | 0]!; e1 = col[(a + 16) | 0]! - col[(b + 16) | 0]!; e2 = col[(a + 17) | 0]! - col[(b + 17) | 0]!;
    d += e0 * e0 + e1 * e1 + e2 * e2;
    e0 = col[(a + 18) | 0]! - col[(b + 18) | 0]!; e1 = col[(a + 19) | 0]! - col[(b + 19) | 0]!; e2 = col[(a + 20) | 0]! - col[(b + 20) | 0]!;
    d += e0 * e0 + e1 * e1 + e2 * e2;
    if (d >= best) { io[1] = d; return; }
    a = (a + stride) | 0; b = (b + stride) | 0;
  }
  io[1] = d;
}

function randomSource(L: Level, rng: Rng): number {
  return L.srcList[Math.floor(rng() * L.srcList.length)]!;
}

/**
 * A random source that target `t` may copy from (its regions, {@link Level.allow}): drawn from the
 * sources of the regions it allows; any source when none of them has one.
 */
function randomAllowed(L: Level, rng: Rng, t: number): number {
  const { allow, labSrc } = L;
  if (!allow || !labSrc) return randomSource(L, rng);
  const bits = allow[t]!;
  let total = 0;
  for (let j = 0; j < labSrc.length; j++) if (bits & (1 << j)) total += labSrc[j]!.length;
  if (total === 0) return randomSource(L, rng);
  let i = Math.floor(rng() * total);
  for (let j = 0; j < labSrc.length; j++) {
    if (!(bits & (1 << j))) continue;
    const list = labSrc[j]!;
    if (i < list.length) return list[i]!;
    i -= list.length;
  }
  return randomSource(L, rng);
}

/** Give level `L` its regions (fill/region-labels.ts): which sources each target may copy from. */
function setRegions(L: Level, allow: Uint8Array, lab: Uint8Array, k: number): void {
  L.allow = allow;
  L.lab = lab;
  const counts = new Int32Array(k);
  for (let i = 0; i < L.srcList.length; i++) { const b = lab[L.srcList[i]!]!; for (let j = 0; j < k; j++) if (b === 1 << j) counts[j]++; }
  L.labSrc = Array.from(counts, (c) => new Int32Array(c));
  counts.fill(0);
  for (let i = 0; i < L.srcList.length; i++) {
    const c = L.srcList[i]!, b = lab[c]!;
    for (let j = 0; j < k; j++) if (b === 1 << j) L.labSrc[j]![counts[j]!++] = c;
  }
}

/** Recompute the distance of every target's current match (the image changed after a vote). */
function refreshDistances(L: Level, r: number): void {
  const { targets, nnf, dist, allWeighted } = L;
  for (let k = 0; k < targets.length; k++) {
    const t = targets[k]!;
    dist[t] = levelDist(L, r, t, nnf[t]!, Infinity, allWeighted[t] === 1);
  }
}

/**
 * One PatchMatch pass: propagation from the previous neighbours in scan order (alternating
 * direction), then random search around the best match at halving radii from `maxRadius`, plus
 * `globalTries` uniform candidates over all sources.
 */
function patchMatchPass(L: Level, r: number, forward: boolean, rng: Rng, maxRadius: number, globalTries: number, refresh: boolean): void {
  const { targets, nnf, dist, allWeighted, w, h, srcOk, allow, lab } = L;
  const n = targets.length;
  const step = forward ? 1 : -1;
  const stepY = step * w;
  for (let k = 0; k < n; k++) {
    const t = targets[forward ? k : n - 1 - k]!;
    const aw = allWeighted[t] === 1;
    // The regions this target may copy from (all when no regions were read).
    const al = allow ? allow[t]! : 0xff;
    let best = nnf[t]!;
    // `refresh`: the image changed since the distances were taken (a vote); the current match's
    // distance is recomputed here, as refreshDistances would (the pass changes no colour and
    // reads no other target's distance), rounded to float32 as storing it in `dist` would, so
    // the comparisons below see the same value.
    let bd = refresh ? Math.fround(levelDist(L, r, t, best, Infinity, aw)) : dist[t]!;
    // A match from a region the target may not copy from gives way to any allowed one.
    const held = bd;
    if (lab && (lab[best]! & al) === 0) bd = Infinity;
    const n1 = nnf[t - step]!;
    if (n1 >= 0) {
      const c = n1 + step;
      if (c !== best && srcOk[c] === 1 && (!lab || (lab[c]! & al) !== 0)) {
        const d = levelDist(L, r, t, c, bd, aw);
        if (d < bd) { bd = d; best = c; }
      }
    }
    const n2 = nnf[t - stepY]!;
    if (n2 >= 0) {
      const c = n2 + stepY;
      if (c !== best && srcOk[c] === 1 && (!lab || (lab[c]! & al) !== 0)) {
        const d = levelDist(L, r, t, c, bd, aw);
        if (d < bd) { bd = d; best = c; }
      }
    }
    for (let g = 0; g < globalTries; g++) {
      const c = randomSource(L, rng);
      if (c === best || (lab && (lab[c]! & al) === 0)) continue;
      const d = levelDist(L, r, t, c, bd, aw);
      if (d < bd) { bd = d; best = c; }
    }
    // The best match's coordinates, kept up to date (not divided out of the index per radius).
    let bx = best % w, by = (best - bx) / w;
    for (let R = maxRadius; R >= 1; R >>= 1) {
      const cx = bx + Math.round((rng() * 2 - 1) * R), cy = by + Math.round((rng() * 2 - 1) * R);
      if (cx < r || cy < r || cx >= w - r || cy >= h - r) continue;
      const c = cy * w + cx;
      if (c === best || srcOk[c] !== 1 || (lab && (lab[c]! & al) === 0)) continue;
      const d = levelDist(L, r, t, c, bd, aw);
      if (d < bd) { bd = d; best = c; bx = cx; by = cy; }
    }
    nnf[t] = best;
    dist[t] = bd === Infinity ? held : bd;
  }
}

/**
 * EM voting: every hole pixel becomes the weighted mean of the source pixels that the patches
 * covering it map to; weights exp(−d / 2σ²) with σ² the mean match distance (Wexler et al.).
 */
function vote(L: Level, r: number, acc: Float32Array, wsum: Float32Array): void {
  const { targets, nnf, dist, col, state, w } = L;
  const n = targets.length;
  let mean = 0;
  for (let k = 0; k < n; k++) mean += dist[targets[k]!]!;
  mean = n > 0 ? mean / n : 1;
  const inv = mean > 0 ? 1 / (2 * mean) : 0;
  // Only HOLE pixels accumulate: the hole's bounding box is cleared and read back.
  const { hx0, hx1, hy0, hy1 } = L;
  for (let y = hy0; y <= hy1; y++) {
    const p0 = y * w + hx0, p1 = y * w + hx1 + 1;
    acc.fill(0, p0 * 3, p1 * 3);
    wsum.fill(0, p0, p1);
  }
  const { allHole } = L;
  const side = 2 * r + 1;
  for (let k = 0; k < n; k++) {
    const t = targets[k]!, s = nnf[t]!;
    const wt = Math.exp(-dist[t]! * inv) + 1e-6;
    if (allHole[t] === 1) {
      // Every pixel of the patch is a hole pixel: the same sums without the state test.
      for (let dy = -r; dy <= r; dy++) {
        let ti = t + dy * w - r, a = ti * 3, b = (s + dy * w - r) * 3;
        for (let i = 0; i < side; i++, ti++, a += 3, b += 3) {
          acc[a]! += wt * col[b]!; acc[a + 1]! += wt * col[b + 1]!; acc[a + 2]! += wt * col[b + 2]!;
          wsum[ti]! += wt;
        }
      }
      continue;
    }
    for (let dy = -r; dy <= r; dy++) {
      let ti = t + dy * w - r, si = s + dy * w - r;
      for (let dx = -r; dx <= r; dx++, ti++, si++) {
        if (state[ti] !== HOLE) continue;
        const a = ti * 3, b = si * 3;
        acc[a]! += wt * col[b]!; acc[a + 1]! += wt * col[b + 1]!; acc[a + 2]! += wt * col[b + 2]!;
        wsum[ti]! += wt;
      }
    }
  }
  for (let y = hy0; y <= hy1; y++) {
    for (let p = y * w + hx0, e = y * w + hx1; p <= e; p++) {
      const ws = wsum[p]!;
      if (ws <= 0) continue;
      const a = p * 3;
      col[a] = acc[a]! / ws; col[a + 1] = acc[a + 1]! / ws; col[a + 2] = acc[a + 2]! / ws;
    }
  }
  if (L.lam > 0 && L.texVote) voteTexture(L, r, wsum);
}

/**
 * The texture features' share of {@link vote}: every hole pixel takes the mean feature of the
 * source pixels that the patches covering it map to, with the weights of the colour vote
 * (`wsum` holds their sums).
 */
function voteTexture(L: Level, r: number, wsum: Float32Array): void {
  const { targets, nnf, dist, state, w, tex, texAcc } = L;
  const n = targets.length;
  let mean = 0;
  for (let k = 0; k < n; k++) mean += dist[targets[k]!]!;
  mean = n > 0 ? mean / n : 1;
  const inv = mean > 0 ? 1 / (2 * mean) : 0;
  const { hx0, hx1, hy0, hy1 } = L;
  for (let y = hy0; y <= hy1; y++) texAcc.fill(0, 2 * (y * w + hx0), 2 * (y * w + hx1 + 1));
  for (let k = 0; k < n; k++) {
    const t = targets[k]!, s = nnf[t]!;
    const wt = Math.exp(-dist[t]! * inv) + 1e-6;
    for (let dy = -r; dy <= r; dy++) {
      let ti = t + dy * w - r, si = s + dy * w - r;
      for (let dx = -r; dx <= r; dx++, ti++, si++) if (state[ti] === HOLE) { texAcc[2 * ti]! += wt * tex[2 * si]!; texAcc[2 * ti + 1]! += wt * tex[2 * si + 1]!; }
    }
  }
  for (let y = hy0; y <= hy1; y++) {
    for (let p = y * w + hx0, e = y * w + hx1; p <= e; p++) if (state[p] === HOLE && wsum[p]! > 0) { tex[2 * p] = texAcc[2 * p]! / wsum[p]!; tex[2 * p + 1] = texAcc[2 * p + 1]! / wsum[p]!; }
  }
  if (L.texFloor.length > 0) applyTextureFloor(L, r);
}

/**
 * Raise the HOLE pixels' voted features to {@link textureFloor}'s bound (per pixel and feature),
 * but only where the hole falls short of it over a patch: where the mean voted texture (both
 * features) of the HOLE pixels within `r` lies below the bound's mean there. A lock-in is a
 * region that expects too little texture; a pixel's vote below its bound in a region that does
 * not is the vote's and the bound's own scatter, and raising those pixels (the maximum of two
 * estimates of the same texture) made the hole expect more texture than its border has: the
 * noise scene of fill.test.ts ('beats the naive mean fill') went 0.317 → 0.309 SSIM, below its
 * bound. (Raising the region by its shortfall instead, not per pixel, left the clothes-peg's place
 * in lasso-plant-clip-down to the pot's texture. Helper 101.)
 */
function applyTextureFloor(L: Level, r: number): void {
  const { state, w, tex, texFloor: fl, hx0, hx1, hy0, hy1 } = L;
  const bw = hx1 - hx0 + 1, bh = hy1 - hy0 + 1, m = bw * bh;
  // Box sums over the hole's box, HOLE pixels only: rows, then columns ([voted, bound] per pixel).
  const a = new Float32Array(2 * m), b = new Float32Array(2 * m);
  for (let y = 0; y < bh; y++) {
    for (let x = 0, p = (y + hy0) * w + hx0; x < bw; x++, p++) {
      if (state[p] !== HOLE) continue;
      const q = 2 * (y * bw + x);
      a[q] = tex[2 * p]! + tex[2 * p + 1]!; a[q + 1] = fl[2 * p]! + fl[2 * p + 1]!;
    }
  }
  for (let y = 0; y < bh; y++) {
    for (let x = 0; x < bw; x++) {
      const q = 2 * (y * bw + x);
      for (let i = Math.max(0, x - r), e = Math.min(bw - 1, x + r); i <= e; i++) { const u = 2 * (y * bw + i); b[q]! += a[u]!; b[q + 1]! += a[u + 1]!; }
    }
  }
  for (let y = 0; y < bh; y++) {
    for (let x = 0, p = (y + hy0) * w + hx0; x < bw; x++, p++) {
      if (state[p] !== HOLE) continue;
      let sv = 0, sf = 0;
      for (let j = Math.max(0, y - r), e = Math.min(bh - 1, y + r); j <= e; j++) { const u = 2 * (j * bw + x); sv += b[u]!; sf += b[u + 1]!; }
      if (sv >= sf) continue;
      if (tex[2 * p]! < fl[2 * p]!) tex[2 * p] = fl[2 * p]!;
      if (tex[2 * p + 1]! < fl[2 * p + 1]!) tex[2 * p + 1] = fl[2 * p + 1]!;
    }
  }
}

/**
 * Median texture (both features summed, grey levels) of a window's KNOWN pixels from which
 * {@link textureFloor} applies. JPEG and sensor noise give a smooth photo area 2–4; the windows of
 * the photo cases with lock-in had 6.8–12.3, drawings (happyfish) 0–1.1, a smooth saucer on
 * textured wood (coffee-move-spoon) 3.2–3.8.
 */
const TEXTURE_FLOOR_MEDIAN = 5;

/**
 * The lower bound of the voted texture features of `L`'s HOLE pixels ({@link voteTexture}), or
 * none (`L.texFloor` empty) when the window's KNOWN pixels are mostly smooth
 * ({@link TEXTURE_FLOOR_MEDIAN}).
 *
 * Why: the hole's expected texture is re-voted from whatever was copied at each EM step. At the
 * coarse levels, where valid sources are few (0.26–0.42 per target on the photos below), a first
 * copy of smooth or weakly textured patches makes the hole expect smooth texture, the search then
 * keeps choosing smooth sources, and the fill locks in: pale smooth blotches in the fur around a
 * shrunk cat's nose (unseen lasso-chelsea-nose-smaller), a grey smear in the branch where a
 * squirrel was (lasso-squirrel-move-left), the pot's texture growing up into the foliage where a
 * clothes-peg was (lasso-plant-clip-down). The floor keeps each hole pixel's features at least at
 * those of the border pixel nearest to it (breadth-first from the KNOWN pixels through HOLE and
 * EXCLUDED ones, as {@link nearestTexture}).
 *
 * A border pixel counts only the texture that persists one pixel further out: its features, but
 * not above the largest of its KNOWN 4-neighbours one step further from the hole. A thin line
 * along the border (an outline, a frame's edge, one-sided differences at the hole) is then no
 * texture to continue. (The plain nearest border's features — helper 98 — fixed the three photos
 * but drew outlines into the hole in happyfish-move-bubbles and -rotate-fin, and a dark smudge on
 * DragBench building_city_view/YAN_2023-09-16-1427-42; the same with persistence but without the
 * median test copied a spoon's glint below its handle in coffee-move-spoon. Only at the coarsest
 * level left a pale blotch beside the cat's nose; a low quantile along the border or a cap at the
 * window's 75th percentile left the peg's place to the pot's texture. Helper 100.)
 *
 * The edges painted in before the fill (`painted`, fill/structure.ts) are KNOWN here but no
 * border: they count as hole, so the floor neither starts from them nor reads their step as
 * texture. As a border, a line painted across the hole (the 3-px line of fill.test.ts 'next to
 * blurred texture, sharp texture…') passed the texture of its own edge (|∂y| across the step,
 * 2× the grass's) on to every hole pixel nearer to it than to the true border — the persistence
 * test keeps it, the line's second row holds the same step in its 3 × 3 window (there the bound's
 * |∂y| averaged 17 at the middle level against the grass's 9–11, and the hole's voted texture rose
 * to 1.4× the grass's) — and the fill above the line came out as patches of the blurred grass:
 * the sharp half kept 0.48–0.58 of its detail. Apart from them the floor applies only where the hole falls short of it over a
 * patch ({@link applyTextureFloor}). Helper 101.
 */
function textureFloor(L: Level, S: Scratch, painted: Uint8Array | null): void {
  const { w, h, tex } = L, n = w * h;
  // Painted edge pixels count as hole here: no border of their own.
  let state = L.state;
  if (painted) {
    state = S.u8(n);
    for (let p = 0; p < n; p++) state[p] = painted[p] === 1 && L.state[p] === KNOWN ? HOLE : L.state[p]!;
  }
  let nk = 0;
  for (let p = 0; p < n; p++) if (state[p] === KNOWN) nk++;
  if (nk === 0) return;
  const sum = S.f32(nk);
  for (let p = 0, k = 0; p < n; p++) if (state[p] === KNOWN) sum[k++] = tex[2 * p]! + tex[2 * p + 1]!;
  sum.sort();
  if (sum[nk >> 1]! < TEXTURE_FLOOR_MEDIAN) return;
  // Depth of the KNOWN pixels next to the hole: 1 beside a HOLE or EXCLUDED pixel, 2 beside a
  // depth-1 pixel (4-neighbours; the window's edge is no border).
  const depth = S.u8(n);
  for (let y = 0, p = 0; y < h; y++) {
    for (let x = 0; x < w; x++, p++) {
      if (state[p] !== KNOWN) continue;
      if ((x > 0 && state[p - 1] !== KNOWN) || (x < w - 1 && state[p + 1] !== KNOWN) || (y > 0 && state[p - w] !== KNOWN) || (y < h - 1 && state[p + w] !== KNOWN)) depth[p] = 1;
    }
  }
  for (let y = 0, p = 0; y < h; y++) {
    for (let x = 0; x < w; x++, p++) {
      if (state[p] !== KNOWN || depth[p] === 1) continue;
      if ((x > 0 && depth[p - 1] === 1) || (x < w - 1 && depth[p + 1] === 1) || (y > 0 && depth[p - w] === 1) || (y < h - 1 && depth[p + w] === 1)) depth[p] = 2;
    }
  }
  const fl = S.f32(2 * n);
  for (let y = 0, p = 0; y < h; y++) {
    for (let x = 0; x < w; x++, p++) {
      if (state[p] !== KNOWN) continue;
      let f0 = tex[2 * p]!, f1 = tex[2 * p + 1]!;
      if (depth[p] === 1) {
        let m0 = 0, m1 = 0;
        const out = (q: number): void => { if (depth[q] === 2) { m0 = Math.max(m0, tex[2 * q]!); m1 = Math.max(m1, tex[2 * q + 1]!); } };
        if (x > 0) out(p - 1);
        if (x < w - 1) out(p + 1);
        if (y > 0) out(p - w);
        if (y < h - 1) out(p + w);
        f0 = Math.min(f0, m0); f1 = Math.min(f1, m1);
      }
      fl[2 * p] = f0; fl[2 * p + 1] = f1;
    }
  }
  spreadFromKnown(w, h, state, fl, S.i32(n), S.u8(n), true);
  L.texFloor = fl;
}

/**
 * Gather-style EM vote with mode voting (`modeVote`): every hole pixel looks at the patches
 * covering it and takes the dominant colour among the source pixels they map to.
 * `wt` is scratch of the level's size.
 * Every hole pixel of the level is voted, also those within r of the window's edge, which are no
 * patch centre (no target, no match of their own): they are covered by the patches centred r
 * from the edge. Such a pixel then takes as its match the source pixel its nearest covering
 * patch maps it to, so the light levels copy full-resolution texture there too. (Only targets
 * were voted: those pixels kept the previous mean vote, and with no match the finer levels copied
 * this level's nearest colour — blocks of 2 × 2 pixels or more along the picture's edge.)
 */
function voteModeLevel(L: Level, r: number, wt: Float32Array, cc: Float32Array, cw: Float32Array): void {
  const { targets, nnf, dist, col, state, w, h } = L;
  const n = targets.length;
  let mean = 0;
  for (let k = 0; k < n; k++) mean += dist[targets[k]!]!;
  mean = n > 0 ? mean / n : 1;
  const inv = mean > 0 ? 1 / (2 * mean) : 0;
  for (let k = 0; k < n; k++) { const t = targets[k]!; wt[t] = Math.exp(-dist[t]! * inv) + 1e-6; }
  // Contributions are read from KNOWN source pixels only, which voting never changes, so the
  // result can be written in place.
  let edge = 0;
  for (let y = L.hy0; y <= L.hy1; y++) {
    for (let x = L.hx0, p = y * w + L.hx0; x <= L.hx1; x++, p++) {
      if (state[p] !== HOLE) continue;
      let nc = 0, start = 0, startW = -1;
      const oy0 = Math.max(-r, y - h + 1), oy1 = Math.min(r, y);
      const ox0 = Math.max(-r, x - w + 1), ox1 = Math.min(r, x);
      // Coherent window (every covering patch copies from the same offset): every contribution is
      // the colour of the pixel's own match, which the mean shift returns unchanged.
      const sc = nnf[p]!;
      if (sc < 0) edge++;
      else {
        let coherent = true;
        for (let oy = oy0; oy <= oy1 && coherent; oy++) {
          const o0 = oy * w, d0 = sc - o0;
          for (let ox = ox0; ox <= ox1; ox++) if (nnf[p - o0 - ox] !== d0 - ox) { coherent = false; break; }
        }
        if (coherent) { col[p * 3] = col[sc * 3]!; col[p * 3 + 1] = col[sc * 3 + 1]!; col[p * 3 + 2] = col[sc * 3 + 2]!; continue; }
      }
      for (let oy = oy0; oy <= oy1; oy++) {
        for (let ox = ox0; ox <= ox1; ox++) {
          const o = oy * w + ox;
          const s = nnf[p - o]!;
          if (s < 0) continue;
          const sp = s + o;
          if (state[sp] !== KNOWN) continue;
          const kw = wt[p - o]!;
          cc[nc * 3] = col[sp * 3]!; cc[nc * 3 + 1] = col[sp * 3 + 1]!; cc[nc * 3 + 2] = col[sp * 3 + 2]!;
          cw[nc] = kw;
          if (kw > startW) { start = nc; startW = kw; }
          nc++;
        }
      }
      if (nc > 0) modeVote(cc, cw, nc, start, col, p * 3, MODE_RADIUS2_WORK, MODE_ITERS_WORK);
    }
  }
  if (edge === 0) return;
  // The edge pixels' matches, set after the vote (the vote reads matches as patch centres): the
  // source pixel of the nearest covering patch (centre clamped to r from the edge).
  for (let y = L.hy0; y <= L.hy1; y++) {
    const cy = Math.min(h - 1 - r, Math.max(r, y));
    for (let x = L.hx0, p = y * w + L.hx0; x <= L.hx1; x++, p++) {
      if (state[p] !== HOLE || nnf[p]! >= 0) continue;
      const c = cy * w + Math.min(w - 1 - r, Math.max(r, x));
      const s = nnf[c]!;
      if (s < 0 || c === p) continue;
      const sp = s + (p - c);
      if (state[sp] !== KNOWN) continue;
      nnf[p] = sp;
      dist[p] = dist[c]!;
    }
  }
}

/** Initialise the coarsest level: pull-push the hole from the known pixels, random NNF. */
function initCoarsest(L: Level, r: number, rng: Rng): void {
  const wgt = new Float32Array(L.w * L.h);
  for (let p = 0; p < wgt.length; p++) wgt[p] = L.state[p] === KNOWN ? 1 : 0;
  pushPullFill(L.col, wgt, L.w, L.h, 3);
  if (L.lam > 0) nearestTexture(L);
  for (let k = 0; k < L.targets.length; k++) { const t = L.targets[k]!; L.nnf[t] = randomAllowed(L, rng, t); }
  refreshDistances(L, r);
}

/**
 * The coarsest level's first texture estimate in the hole: the features of the nearest KNOWN
 * pixel (breadth-first from all of them). A smooth interpolation (pull-push, as for the colours)
 * averages the whole border — a hole between blurred and sharp grass would expect half the texture
 * everywhere, and the search then settles on the flat sources again; the nearest border's
 * texture lets the part next to sharp grass look for sharp grass.
 * (Known flaw, left as it is: the search also runs through EXCLUDED pixels — the moved object's
 * new place — whose features are 0, and passes that 0 on to hole pixels next to the object.
 * Searching the hole first (EXCLUDED pixels only relaying a known pixel's value) changed 14 of
 * the 25 photo-case tiles, none clearly better, happyfish-rotate-fin worse (a fleck of the fin's
 * yellow in the vacated place) and rocket-move-towers mixed (a piece of pylon lattice in the sky):
 * not landed. Helper 92, docs/benchmarks/review.md.)
 */
function nearestTexture(L: Level): void {
  const { w, h, state, tex } = L, n = w * h;
  spreadFromKnown(w, h, state, tex, new Int32Array(n), new Uint8Array(n), false);
}

/**
 * Breadth-first (4-neighbours) from every KNOWN pixel, in raster order, over the rest of the
 * `w` × `h` grid: each pixel reached takes the two features (`val`, 2 per pixel) of the pixel it
 * was reached from — every pixel (`intoAll`), or only HOLE ones (the others relay their own
 * value). `queue` (n) and `seen` (n, zeroed) are its working arrays.
 */
function spreadFromKnown(w: number, h: number, state: Uint8Array, val: Float32Array, queue: Int32Array, seen: Uint8Array, intoAll: boolean): void {
  const n = w * h;
  let head = 0, tail = 0;
  for (let p = 0; p < n; p++) if (state[p] === KNOWN) { seen[p] = 1; queue[tail++] = p; }
  const visit = (from: number, to: number): void => {
    if (seen[to] === 1) return;
    seen[to] = 1;
    if (intoAll || state[to] === HOLE) { val[2 * to] = val[2 * from]!; val[2 * to + 1] = val[2 * from + 1]!; }
    queue[tail++] = to;
  };
  while (head < tail) {
    const p = queue[head++]!, x = p % w;
    if (x > 0) visit(p, p - 1);
    if (x < w - 1) visit(p, p + 1);
    if (p >= w) visit(p, p - w);
    if (p + w < n) visit(p, p + w);
  }
}

/** Move the estimate from coarse level C to fine level F: colours of hole pixels and the NNF. */
function upsample(C: Level, F: Level, r: number, rng: Rng): void {
  // Hole colours: bilinear from the coarse level, skipping coarse EXCLUDED pixels (no colour there).
  for (let y = F.hy0; y <= F.hy1; y++) {
    const cy = Math.min(C.h - 1, Math.max(0, (y - 0.5) / 2));
    const y0 = Math.floor(cy), y1 = Math.min(C.h - 1, y0 + 1), fy = cy - y0;
    for (let x = F.hx0; x <= F.hx1; x++) {
      const p = y * F.w + x;
      if (F.state[p] !== HOLE) continue;
      const cx = Math.min(C.w - 1, Math.max(0, (x - 0.5) / 2));
      const x0 = Math.floor(cx), x1 = Math.min(C.w - 1, x0 + 1), fx = cx - x0;
      let s0 = 0, s1 = 0, s2 = 0, sw = 0;
      const q00 = y0 * C.w + x0, q01 = y0 * C.w + x1, q10 = y1 * C.w + x0, q11 = y1 * C.w + x1;
      const w00 = (1 - fx) * (1 - fy), w01 = fx * (1 - fy), w10 = (1 - fx) * fy, w11 = fx * fy;
      if (C.state[q00] !== EXCLUDED) { s0 += w00 * C.col[q00 * 3]!; s1 += w00 * C.col[q00 * 3 + 1]!; s2 += w00 * C.col[q00 * 3 + 2]!; sw += w00; }
      if (C.state[q01] !== EXCLUDED) { s0 += w01 * C.col[q01 * 3]!; s1 += w01 * C.col[q01 * 3 + 1]!; s2 += w01 * C.col[q01 * 3 + 2]!; sw += w01; }
      if (C.state[q10] !== EXCLUDED) { s0 += w10 * C.col[q10 * 3]!; s1 += w10 * C.col[q10 * 3 + 1]!; s2 += w10 * C.col[q10 * 3 + 2]!; sw += w10; }
      if (C.state[q11] !== EXCLUDED) { s0 += w11 * C.col[q11 * 3]!; s1 += w11 * C.col[q11 * 3 + 1]!; s2 += w11 * C.col[q11 * 3 + 2]!; sw += w11; }
      if (sw > 0) { F.col[p * 3] = s0 / sw; F.col[p * 3 + 1] = s1 / sw; F.col[p * 3 + 2] = s2 / sw; }
      if (F.lam > 0 && C.lam > 0) {
        let t0 = 0, t1 = 0, tw = 0;
        if (C.state[q00] !== EXCLUDED) { t0 += w00 * C.tex[2 * q00]!; t1 += w00 * C.tex[2 * q00 + 1]!; tw += w00; }
        if (C.state[q01] !== EXCLUDED) { t0 += w01 * C.tex[2 * q01]!; t1 += w01 * C.tex[2 * q01 + 1]!; tw += w01; }
        if (C.state[q10] !== EXCLUDED) { t0 += w10 * C.tex[2 * q10]!; t1 += w10 * C.tex[2 * q10 + 1]!; tw += w10; }
        if (C.state[q11] !== EXCLUDED) { t0 += w11 * C.tex[2 * q11]!; t1 += w11 * C.tex[2 * q11 + 1]!; tw += w11; }
        if (tw > 0) { F.tex[2 * p] = t0 / tw; F.tex[2 * p + 1] = t1 / tw; }
      }
    }
  }
  // NNF: the parent's match, doubled, plus the child's offset within its parent.
  for (let k = 0; k < F.targets.length; k++) {
    const t = F.targets[k]!;
    const x = t % F.w, y = (t - x) / F.w;
    const q = Math.min(C.h - 1, y >> 1) * C.w + Math.min(C.w - 1, x >> 1);
    const s = C.nnf[q]!;
    let m = -1;
    if (s >= 0) {
      const sx0 = s % C.w, sy0 = (s - sx0) / C.w;
      const sx = 2 * sx0 + (x & 1), sy = 2 * sy0 + (y & 1);
      if (sx < F.w && sy < F.h && F.srcOk[sy * F.w + sx] === 1) m = sy * F.w + sx;
      if (m >= 0 && F.allow && F.lab && (F.allow[t]! & F.lab[m]!) === 0) m = -1;
    }
    F.nnf[t] = m >= 0 ? m : randomAllowed(F, rng, t);
  }
  refreshDistances(F, r);
}

/**
 * Vote radius of the light (finer than working) levels: a 3 × 3 window. (It was 2: a 5 × 5
 * window costs ~2.8× the contributions per hole pixel — the largest single part of a 1024²
 * fill with a thin hole — and changed the hole SSIM of the synthetic scenes by < 0.0003: brick
 * and stripes at 2048², 0.7265 / 0.6535 with 2 against 0.7264 / 0.6534 with 1, no visible
 * difference.)
 */
const LIGHT_VOTE_RADIUS = 1;

/**
 * A nearest-neighbour field with its match distances, per pixel of a level: `nnf[p] − nnfBias`
 * is the match (< 0: none). A full level's field is −1 where it has no match (bias 0); a light
 * level's field is stored plus one (bias 1), so a freshly zeroed array means "no match" and a
 * large level's field needs no fill pass: only the pages near the hole are ever written (at
 * 36 MP the finest field is ~70 MB, of which the thin hole of a turn touches a few).
 */
interface LightField {
  w: number;
  h: number;
  col: Float32Array;
  state: Uint8Array;
  nnf: Int32Array;
  dist: Float32Array;
  /** What is subtracted from `nnf` to get the match (0 when absent: −1 = none). */
  nnfBias?: number;
}

/**
 * Squared colour radius of the mean-shift kernel of mode voting at the working level (wide: the
 * vote there also smooths noise the search left) and at the light levels (narrow: they copy
 * full-resolution texture, which a wide kernel would blur).
 */
const MODE_RADIUS2_WORK = 48 * 48;
const MODE_RADIUS2_LIGHT = 24 * 24;
/** Mean-shift iterations of mode voting at the working level and at the light levels. */
const MODE_ITERS_WORK = 2;
const MODE_ITERS_LIGHT = 1;

/**
 * Mode voting: instead of the weighted mean of all `n` contributions (which blurs texture where
 * overlapping patches disagree), take a few mean-shift steps with a truncated (Epanechnikov)
 * colour kernel (squared radius `radius2`) from contribution `start`, so the pixel lands on the dominant colour mode.
 * Writes the RGB result to `out[o..o+2]`.
 */
function modeVote(cc: Float32Array, cw: Float32Array, n: number, start: number, out: Float32Array, o: number, radius2: number, iters: number): void {
  let m0 = cc[start * 3]!, m1 = cc[start * 3 + 1]!, m2 = cc[start * 3 + 2]!;
  for (let it = 0; it < iters; it++) {
    let s0 = 0, s1 = 0, s2 = 0, sw = 0;
    for (let i = 0; i < n; i++) {
      const a = cc[i * 3]!, b = cc[i * 3 + 1]!, c = cc[i * 3 + 2]!;
      const e0 = a - m0, e1 = b - m1, e2 = c - m2;
      const k = 1 - (e0 * e0 + e1 * e1 + e2 * e2) / radius2;
      if (k <= 0) continue;
      const wk = k * cw[i]!;
      s0 += wk * a; s1 += wk * b; s2 += wk * c; sw += wk;
    }
    if (sw <= 0) break;
    m0 = s0 / sw; m1 = s1 / sw; m2 = s2 / sw;
  }
  out[o] = m0; out[o + 1] = m1; out[o + 2] = m2;
}

/**
 * Upsample the field of `P` to level `F` (2× finer) and vote F's hole pixels from the source
 * pixels the field points at, over a (2·rv+1)² window. A contribution is used only if its source
 * pixel is KNOWN, so the hole and `forbidden` are never sampled; hole pixels with no
 * contribution keep the bilinear upsampled colour of `P`.
 */
function voteLight(P: LightField, F: RawLevel, rv: number, S: Scratch, onRows?: (done: number) => void, signal?: AbortSignal): LightField {
  const { w, h, col, state } = F;
  // Large levels share the vote's rows with the pixel threads (col arrays are then shared too).
  const par = col.buffer instanceof SharedArrayBuffer && P.col.buffer instanceof SharedArrayBuffer && willRunParallel(h, w * h);
  // Matches plus one (nnfBias 1): the zeroed array already says "no match" everywhere.
  const nnf = par ? new Int32Array(new SharedArrayBuffer(4 * w * h)) : S.i32(w * h);
  const dist = par ? sharedFloat32(w * h) : S.f32(w * h);
  // Rows/columns that hold hole pixels, grown by rv: only there the field is needed.
  let x0 = w, y0 = h, x1 = -1, y1 = -1;
  if (F.box) ({ x0, y0, x1, y1 } = F.box);
  else for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (state[y * w + x] !== HOLE) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      y1 = y;
    }
  }
  if (x1 < 0) return { w, h, col, state, nnf, dist, nnfBias: 1 };
  x0 = Math.max(0, x0 - rv); y0 = Math.max(0, y0 - rv); x1 = Math.min(w - 1, x1 + rv); y1 = Math.min(h - 1, y1 + rv);
  let mean = 0, cnt = 0;
  const pBias = P.nnfBias ?? 0;
  for (let y = y0; y <= y1; y++) {
    const py = Math.min(P.h - 1, y >> 1);
    // The parent's match, decoded once per parent (two children of a row share it).
    let lastQ = -1, s = -1, sx0 = 0, sy0 = 0;
    for (let x = x0; x <= x1; x++) {
      const q = py * P.w + Math.min(P.w - 1, x >> 1);
      if (q !== lastQ) {
        lastQ = q;
        s = P.nnf[q]! - pBias;
        if (s >= 0) { sx0 = s % P.w; sy0 = (s - sx0) / P.w; }
      }
      if (s < 0) continue;
      const sx = 2 * sx0 + (x & 1), sy = 2 * sy0 + (y & 1);
      if (sx < rv || sy < rv || sx >= w - rv || sy >= h - rv) continue;
      const p = y * w + x;
      nnf[p] = sy * w + sx + 1;
      dist[p] = P.dist[q]!;
      mean += P.dist[q]!;
      cnt++;
    }
  }
  mean = cnt > 0 ? mean / cnt : 1;
  const inv = mean > 0 ? 1 / (2 * mean) : 0;
  // Vote weight per field pixel, computed once (not once per contribution).
  const wt = par ? sharedFloat32(w * h) : S.f32(w * h);
  const task: VoteLightTask = { w, h, col, kcol: F.known ?? col, state, nnf, dist, wt, inv, rv, x0, x1, y0, pw: P.w, ph: P.h, pcol: P.col };
  const rows = y1 - y0 + 1, work = rows * (x1 - x0 + 1);
  // Weights first (the vote reads its neighbours' weights in other rows), then the vote.
  // (The weights take about a third of the time, the vote the rest: so they share `onRows`.)
  const first = onRows ? (f: number) => onRows(f / 3) : undefined, second = onRows ? (f: number) => onRows((1 + 2 * f) / 3) : undefined;
  // (`signal` is checked between bands of rows: core/cancel.ts.)
  if (par) { runRows(VOTE_WEIGHTS_KERNEL, task, rows, work, first, signal); runRows(VOTE_LIGHT_KERNEL, task, rows, work, second, signal); }
  else { rowsInBands(voteWeightRows, task, rows, first, signal); rowsInBands(voteLightRows, task, rows, second, signal); }
  return { w, h, col, state, nnf, dist, nnfBias: 1 };
}

/** What the row kernels of {@link voteLight} need (plain data; shared arrays when threaded). */
interface VoteLightTask extends LightField {
  /** The level's KNOWN colours (`col` itself, or RawLevel.known). */
  kcol: Float32Array | Uint8Array;
  wt: Float32Array;
  inv: number;
  rv: number;
  x0: number;
  x1: number;
  y0: number;
  pw: number;
  ph: number;
  pcol: Float32Array;
}

const VOTE_WEIGHTS_KERNEL = 'fill.voteWeights';
const VOTE_LIGHT_KERNEL = 'fill.voteLight';

/** Vote weights of rows `[r0, r1)` (relative to `y0`); each row writes only its own weights. */
function voteWeightRows(t: VoteLightTask, r0: number, r1: number): void {
  const { w, nnf, dist, wt, inv, x0, x1 } = t;
  for (let y = t.y0 + r0; y < t.y0 + r1; y++) {
    // Children of one parent carry its distance: the weight of a repeated distance is reused.
    let lastD = NaN, lastW = 0;
    for (let p = y * w + x0, e = y * w + x1; p <= e; p++) {
      if (nnf[p]! <= 0) continue; // (plus one: 0 = no match)
      const d = dist[p]!;
      if (d !== lastD) { lastD = d; lastW = Math.exp(-d * inv) + 1e-6; }
      wt[p] = lastW;
    }
  }
}
registerRowKernel(VOTE_WEIGHTS_KERNEL, voteWeightRows);

/**
 * The full-resolution vote of rows `[r0, r1)` (relative to `y0`): a row writes only its own hole
 * pixels and reads colours of known pixels only, so rows are independent.
 */
function voteLightRows(t: VoteLightTask, r0: number, r1: number): void {
  const { w, h, col, kcol, state, nnf, wt, rv, x0, x1 } = t;
  const P = { w: t.pw, h: t.ph, col: t.pcol };
  // Contributions of one pixel (colour, weight), reused for every pixel.
  const nWin = (2 * rv + 1) * (2 * rv + 1);
  const cc = new Float32Array(nWin * 3), cw = new Float32Array(nWin);
  const invR2 = 1 / MODE_RADIUS2_LIGHT;
  for (let y = t.y0 + r0; y < t.y0 + r1; y++) {
    for (let x = x0; x <= x1; x++) {
      const p = y * w + x;
      if (state[p] !== HOLE) continue;
      const oy0 = Math.max(-rv, -y), oy1 = Math.min(rv, h - 1 - y);
      const ox0 = Math.max(-rv, -x), ox1 = Math.min(rv, w - 1 - x);
      // (The field holds matches plus one: 0 = none.)
      const sc = nnf[p]! - 1;
      if (sc >= 0 && state[sc] === KNOWN) {
        // Common case, fused: one mean-shift step from the pixel's own match, accumulated while
        // scanning the window (no gather buffer). In a coherent field every contribution is the
        // same source pixel, so the step mostly matters at seams between copied patches.
        const m0 = kcol[sc * 3]!, m1 = kcol[sc * 3 + 1]!, m2 = kcol[sc * 3 + 2]!;
        // Coherent window (every neighbour copies from the same offset): every contribution is
        // this same source pixel, so the step returns it unchanged; skip the weighted sum.
        let coherent = true;
        for (let oy = oy0; oy <= oy1 && coherent; oy++) {
          const o0 = oy * w, d0 = sc + o0;
          for (let ox = ox0; ox <= ox1; ox++) if (nnf[p + o0 + ox] !== d0 + ox + 1) { coherent = false; break; }
        }
        if (coherent) { col[p * 3] = m0; col[p * 3 + 1] = m1; col[p * 3 + 2] = m2; continue; }
        let s0 = 0, s1 = 0, s2 = 0, sw = 0;
        for (let oy = oy0; oy <= oy1; oy++) {
          for (let ox = ox0; ox <= ox1; ox++) {
            const o = oy * w + ox;
            const s = nnf[p + o]! - 1;
            if (s < 0) continue;
            const sp = s - o;
            if (state[sp] !== KNOWN) continue;
            const a = kcol[sp * 3]!, bb = kcol[sp * 3 + 1]!, c = kcol[sp * 3 + 2]!;
            const e0 = a - m0, e1 = bb - m1, e2 = c - m2;
            const k = 1 - (e0 * e0 + e1 * e1 + e2 * e2) * invR2;
            if (k <= 0) continue;
            const wk = k * wt[p + o]!;
            s0 += wk * a; s1 += wk * bb; s2 += wk * c; sw += wk;
          }
        }
        // The centre always contributes with k = 1, so sw > 0.
        col[p * 3] = s0 / sw; col[p * 3 + 1] = s1 / sw; col[p * 3 + 2] = s2 / sw;
        continue;
      }
      let nc = 0, start = -1, startW = -1;
      for (let oy = oy0; oy <= oy1; oy++) {
        for (let ox = ox0; ox <= ox1; ox++) {
          const o = oy * w + ox;
          const s = nnf[p + o]! - 1;
          if (s < 0) continue;
          const sp = s - o;
          if (state[sp] !== KNOWN) continue;
          const k = wt[p + o]!;
          cc[nc * 3] = kcol[sp * 3]!; cc[nc * 3 + 1] = kcol[sp * 3 + 1]!; cc[nc * 3 + 2] = kcol[sp * 3 + 2]!;
          cw[nc] = k;
          // Mean shift starts at the pixel's own match (the centre), else the best-weighted one.
          if (o === 0) { start = nc; startW = 2; } else if (k > startW && startW < 2) { start = nc; startW = k; }
          nc++;
        }
      }
      if (nc > 0) {
        modeVote(cc, cw, nc, start, col, p * 3, MODE_RADIUS2_LIGHT, MODE_ITERS_LIGHT);
      } else {
        const cy = Math.min(P.h - 1, Math.max(0, (y - 0.5) / 2)), cx = Math.min(P.w - 1, Math.max(0, (x - 0.5) / 2));
        const q = Math.round(cy) * P.w + Math.round(cx);
        col[p * 3] = P.col[q * 3]!; col[p * 3 + 1] = P.col[q * 3 + 1]!; col[p * 3 + 2] = P.col[q * 3 + 2]!;
      }
    }
  }
}
registerRowKernel(VOTE_LIGHT_KERNEL, voteLightRows);

/**
 * The colour correction's consistency test (correctLowFrequency): a border sample's offset must
 * agree within WIDE_TOLERANCE levels (each channel) with the offset over the wide window
 * (`colorCorrectWide`), read on a grid of about (2 · WIDE_SAMPLES + 1)² pixels. (Scaled to the
 * source's contrast, or applied to large offsets only, it let the tower's leg darken the fill
 * again where the column crosses the clouds; on the fill tests' value-noise scene it leaves out
 * 16% of the border samples, the blobs' edges: hole SSIM 0.324 → 0.317 over seeds 1–5.)
 */
const WIDE_TOLERANCE = 12, WIDE_SAMPLES = 6;

/**
 * The pixels whose match came from the search: those whose pixel at the finest full level (`shift`
 * levels up, `w × h`) lies `margin` (the patch radius) or more from its edge. The hole pixels
 * nearer the edge are no patch centre there: their match is the nearest patch's, extrapolated
 * (see {@link voteModeLevel}).
 */
interface SearchedBand {
  shift: number;
  w: number;
  h: number;
  margin: number;
}

/**
 * Low-frequency colour correction of the fill (a membrane / Poisson-like seam fix). At every hole
 * pixel next to known background, its match `nnf[p]` is compared with the target: the mean
 * difference between the known pixels within `rad` of p and the pixels at the same offsets from
 * the source (known on both sides) is the colour offset the copied texture carries (clamped to
 * ±`maxStep`). Comparing at identical offsets keeps a correct fill of a ramp or stripes at zero
 * offset. The offsets are interpolated smoothly over the hole (pull-push) and added, so the fill's
 * local brightness and tint follow its surroundings instead of leaving a paler or darker halo.
 * Colours of `col` (RGB, window sized) change only at HOLE pixels. A sample whose offset differs
 * from the offset over `wide` px around it (0: no test) is left out: see WIDE_TOLERANCE.
 * With `searched`, samples are taken only where the match came from the search: an extrapolated
 * match along the picture's edge compares a neighbourhood cut by the edge with a source that was
 * matched for another pixel, and its offset spread into the fill (a pale wedge along the apple's
 * shadow where the hole reaches the picture's bottom edge, photo case apple-move-right).
 */
function correctLowFrequency(
  col: Float32Array, kcol: Float32Array | Uint8Array, state: Uint8Array, nnf: Int32Array, nnfBias: number, w: number, h: number, rad: number, maxStep: number,
  box: { x0: number; y0: number; x1: number; y1: number }, S: Scratch, wide: number, searched?: SearchedBand,
): void {
  // The offsets live only on the hole's bounding box (samples and results are hole pixels), so the
  // interpolation runs on that box, not on the whole source window.
  const bx0 = box.x0, by0 = box.y0, bw = box.x1 - box.x0, bh = box.y1 - box.y0;
  // On a large hole the field is interpolated on a coarse grid (pushPullFactor > 1): the samples
  // (hole pixels next to known ones) then go straight into it as a sparse list, never through
  // full-size float channels — the same values bit for bit, a fraction of the memory and passes.
  const factor = colorFieldFactor(bw, bh);
  const sparse = factor > 1;
  const val = new Float32Array(sparse ? 0 : bw * bh * 3), wgt = new Float32Array(sparse ? 0 : bw * bh);
  const isSample = sparse ? S.u8(bw * bh) : new Uint8Array(0);
  let sIdx = new Int32Array(sparse ? 4096 : 0), sVal = new Float32Array(sparse ? 4096 * 3 : 0), samples = 0;
  const minCount = rad + 1;
  let any = false;
  const ya = Math.max(1, by0), yb = Math.min(h - 1, box.y1), xa = Math.max(1, bx0), xb = Math.min(w - 1, box.x1);
  for (let y = ya; y < yb; y++) {
    for (let x = xa; x < xb; x++) {
      const p = y * w + x;
      if (state[p] !== HOLE) continue;
      if (state[p - 1] !== KNOWN && state[p + 1] !== KNOWN && state[p - w] !== KNOWN && state[p + w] !== KNOWN) continue;
      const s = nnf[p]! - nnfBias;
      if (s < 0) continue;
      if (searched) {
        const fx = x >> searched.shift, fy = y >> searched.shift, m = searched.margin;
        if (fx < m || fy < m || fx >= searched.w - m || fy >= searched.h - m) continue;
      }
      const sx = s % w, sy = (s - sx) / w;
      // Offsets valid for both p and s.
      const oy0 = Math.max(-rad, -y, -sy), oy1 = Math.min(rad, h - 1 - y, h - 1 - sy);
      const ox0 = Math.max(-rad, -x, -sx), ox1 = Math.min(rad, w - 1 - x, w - 1 - sx);
      let d0 = 0, d1 = 0, d2 = 0, cnt = 0;
      for (let oy = oy0; oy <= oy1; oy++) {
        let q = p + oy * w + ox0, qs = s + oy * w + ox0;
        for (let ox = ox0; ox <= ox1; ox++, q++, qs++) {
          if (state[q] !== KNOWN || state[qs] !== KNOWN) continue;
          d0 += kcol[q * 3]! - kcol[qs * 3]!; d1 += kcol[q * 3 + 1]! - kcol[qs * 3 + 1]!; d2 += kcol[q * 3 + 2]! - kcol[qs * 3 + 2]!;
          cnt++;
        }
      }
      if (cnt < minCount) continue;
      d0 /= cnt; d1 /= cnt; d2 /= cnt;
      if (wide > rad) {
        // The same offset over a window `wide` px around: a thin structure along the hole's border
        // (an object's remnant, an outline, a shadow's line) gives a narrow offset the wider
        // surroundings do not share; it is not the low-frequency drift this corrects, so it is
        // left out (else it tints the whole fill: a dark cloud in the sky where a tower stood).
        const step = Math.max(1, Math.floor(wide / WIDE_SAMPLES));
        const wy0 = -Math.min(wide, y, sy), wy1 = Math.min(wide, h - 1 - y, h - 1 - sy);
        const wx0 = -Math.min(wide, x, sx), wx1 = Math.min(wide, w - 1 - x, w - 1 - sx);
        let e0 = 0, e1 = 0, e2 = 0, ec = 0;
        for (let oy = wy0; oy <= wy1; oy += step) {
          for (let ox = wx0, q = p + oy * w + wx0, qs = s + oy * w + wx0; ox <= wx1; ox += step, q += step, qs += step) {
            if (state[q] !== KNOWN || state[qs] !== KNOWN) continue;
            e0 += kcol[q * 3]! - kcol[qs * 3]!; e1 += kcol[q * 3 + 1]! - kcol[qs * 3 + 1]!; e2 += kcol[q * 3 + 2]! - kcol[qs * 3 + 2]!;
            ec++;
          }
        }
        if (ec >= minCount && (Math.abs(e0 / ec - d0) > WIDE_TOLERANCE || Math.abs(e1 / ec - d1) > WIDE_TOLERANCE || Math.abs(e2 / ec - d2) > WIDE_TOLERANCE)) continue;
      }
      const bp = (y - by0) * bw + (x - bx0);
      let out = val, o = bp * 3;
      if (sparse) {
        if (samples === sIdx.length) {
          const ni = new Int32Array(2 * samples); ni.set(sIdx); sIdx = ni;
          const nv = new Float32Array(6 * samples); nv.set(sVal); sVal = nv;
        }
        sIdx[samples] = bp; isSample[bp] = 1; out = sVal; o = samples * 3; samples++;
      } else {
        wgt[bp] = 1;
      }
      out[o] = d0 > maxStep ? maxStep : d0 < -maxStep ? -maxStep : d0;
      out[o + 1] = d1 > maxStep ? maxStep : d1 < -maxStep ? -maxStep : d1;
      out[o + 2] = d2 > maxStep ? maxStep : d2 < -maxStep ? -maxStep : d2;
      any = true;
    }
  }
  if (!any) return;
  if (sparse) {
    const grid = coarseGridFromSamples(sIdx, sVal, samples, bw, bh, 3, factor, S);
    const up = new Float32Array(3);
    let next = 0; // index of the next sample in raster order
    for (let y = 0; y < bh; y++) {
      for (let x = 0, p = (y + by0) * w + bx0, bp = y * bw; x < bw; x++, p++, bp++) {
        const smp = isSample[bp] === 1;
        if (state[p] !== HOLE) { if (smp) next++; continue; }
        let v: Float32Array = up, o = 0;
        if (smp) { v = sVal; o = next * 3; next++; } else sampleCoarseGrid(grid, x, y, up, 0);
        for (let q = 0; q < 3; q++) {
          const c = col[p * 3 + q]! + v[o + q]!;
          col[p * 3 + q] = c < 0 ? 0 : c > 255 ? 255 : c;
        }
      }
    }
    return;
  }
  // A smooth offset field on the fine grid (a small hole).
  pushPullFillScaled(val, wgt, bw, bh, 3, factor);
  for (let y = 0; y < bh; y++) {
    for (let x = 0, p = (y + by0) * w + bx0, bp = y * bw; x < bw; x++, p++, bp++) {
      if (state[p] !== HOLE) continue;
      for (let q = 0; q < 3; q++) {
        const v = col[p * 3 + q]! + val[bp * 3 + q]!;
        col[p * 3 + q] = v < 0 ? 0 : v > 255 ? 255 : v;
      }
    }
  }
}

/**
 * Grid samples the colour-correction offsets are interpolated on. The field is smooth (a
 * low-frequency offset), so a coarser grid than {@link pushPullFactor}'s serves: a 1024² edit's
 * hole box (~0.2 M pixels) is interpolated on cells of 2 × 2 instead of pixel by pixel (a quarter
 * of the pull-push), every boundary sample still keeps its own value.
 */
const COLOR_FIELD_GRID_SAMPLES = 256 * 256;

/** The grid factor of the colour-correction field of a `w × h` hole box (1 = pixel grid). */
function colorFieldFactor(w: number, h: number): number {
  return Math.max(pushPullFactor(w, h), w * h <= COLOR_FIELD_GRID_SAMPLES ? 1 : Math.ceil(Math.sqrt((w * h) / COLOR_FIELD_GRID_SAMPLES)));
}

function checkAbort(signal?: AbortSignal): void {
  throwIfCancelled(signal);
}

/** Let queued events (e.g. a cancel) run between levels. */
function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Fill `hole` (> 0) of `image` in place by exemplar completion; soft hole edges blend the fill
 * by coverage. Falls back to the pull-push fill when the window has no valid source patch.
 * Throws `CancelledError` when `opts.signal` fires (checked between pyramid levels, between a level's iterations and between bands of a light level's vote).
 */
export async function fillPatchMatch(
  image: RgbaImage, hole: Mask, forbidden: Mask, opts: FillOptions, options: PatchMatchOptions = {},
): Promise<void> {
  const o = { ...DEFAULTS, ...options };
  if (o.patchSize < 3 || o.patchSize % 2 !== 1) throw new RangeError('patchSize must be odd and ≥ 3');
  const { width: W, height: H } = image;
  if (hole.width !== W || hole.height !== H || forbidden.width !== W || forbidden.height !== H) {
    throw new RangeError('fillPatchMatch: mask sizes differ from image');
  }
  const hb = holeBox(hole);
  if (!hb) return;
  checkAbort(opts.signal);
  // Straight edges meeting the hole are continued first and painted in; the exemplar fill then
  // takes those pixels as known (their hole and forbidden marks are lifted for the fill and given
  // back after it: the caller's masks come back as they were, the painted pixels stay painted).
  let painted: Int32Array | null = null, forbidWas: Uint8Array | null = null, holeCount: number | undefined;
  if (o.continueEdges) {
    holeCount = holePixels(hole, hb);
    const b = growBox(hb, exemplarRing(hb, holeCount, o), W, H), cell = structureScale(holeCount, o.workPixels);
    const edges = findContinuedEdges(image, hole, forbidden, cell, b);
    if (edges.length > 0) {
      painted = paintContinuedEdges(image, hole, forbidden, edges, cell);
      forbidWas = new Uint8Array(painted.length);
      for (let i = 0; i < painted.length; i++) { const q = painted[i]!; forbidWas[i] = forbidden.data[q]!; hole.data[q] = 0; forbidden.data[q] = 0; }
    }
  }
  // The working arrays come from the thread's scratch pool and go back to it when the fill ends.
  const S = new Scratch();
  try {
    // An edge-painted hole is boxed again (it may have no hole pixel left); else its box and the
    // pixels counted above hold.
    const fb = painted ? holeBox(hole) : hb;
    if (fb) await fillInWindow(image, hole, forbidden, opts, o, fb, S, painted ? undefined : holeCount, painted);
    // A vacated place in a blur: the smooth parts of the fill take their layout from the smooth
    // border (not where a straight edge was continued through the hole).
    if (fb && !painted && o.smoothBackdrop) { checkAbort(opts.signal); smoothBackdrop(image, hole, forbidden, fb); }
  } finally {
    S.release();
    if (painted) for (let i = 0; i < painted.length; i++) { const q = painted[i]!; hole.data[q] = 255; forbidden.data[q] = forbidWas![i]!; }
  }
}

/**
 * The cell (px) edges are read on before they are continued: the working level's (the fill's
 * structure scale, see fillInWindow), halved — 1 for a hole that fits the working budget or one
 * level more, 4 for a 4× photo's — so an edge reads the same at every size of the photo.
 */
function structureScale(holeCount: number, workPixels: number): number {
  let k = 0;
  while (holeCount / 4 ** k > workPixels) k++;
  return 2 ** Math.max(0, k - 1);
}

/**
 * Levels of the fill's pyramid over a `w × h` window holding the hole box `hb`: halved until the
 * hole is small compared with a patch or the level is tiny.
 */
function pyramidDepth(w: number, h: number, hb: Box, patchSize: number): number {
  let n = 1, lw = w, lh = h;
  for (;;) {
    const k = 2 ** n;
    const hw = Math.ceil((hb.x1 - hb.x0) / k), hh = Math.ceil((hb.y1 - hb.y0) / k);
    if (Math.max(hw, hh) < 2 * patchSize || Math.min(lw, lh) < 4 * patchSize) return n;
    lw = (lw + 1) >> 1; lh = (lh + 1) >> 1;
    n++;
  }
}

/**
 * Width of the ring around a hole's bounding box that the exemplar filler takes its sources from:
 * options' `sourceRing` of the hole's span (at least `minSourceRingPx`; the defaults when no
 * options are given). The span is the box's larger side, or for an elongated hole (`holePixels`
 * well under the box's side squared) about twice its thickness.
 */
export function exemplarRing(hb: Box, holePixels: number, options: PatchMatchOptions = {}): number {
  const o = { ...DEFAULTS, ...options };
  const side = Math.max(hb.x1 - hb.x0, hb.y1 - hb.y0);
  const span = Math.min(side, (THICK_SPAN * holePixels) / Math.max(1, side));
  return Math.max(o.minSourceRingPx, Math.round(o.sourceRing * span));
}

/**
 * {@link exemplarRing}'s span of an elongated hole, as a multiple of its pixels over its box's
 * larger side (a disc's span stays its diameter: π/4 · 1.3 > 1; a strip of thickness t along a
 * diagonal gets about 1.8 t). A long thin hole (an antenna, a pencil moved away) takes its sources
 * from next to it, not from anywhere within three quarters of its length: there the leaf's
 * diagonal stripes were continued with a patch of the leaf's vertical ones from further away.
 */
export const THICK_SPAN = 1.3;

/**
 * {@link fillPatchMatch} of a non-empty hole with box `hb` (`counted`: its pixels, when the caller
 * has counted them); large working arrays from `S`.
 */
async function fillInWindow(
  image: RgbaImage, hole: Mask, forbidden: Mask, opts: FillOptions, o: Required<PatchMatchOptions>, hb: Box, S: Scratch, counted?: number, painted?: Int32Array | null,
): Promise<void> {
  const { width: W, height: H } = image;
  const r = o.patchSize >> 1;
  const holeCount = counted ?? holePixels(hole, hb);
  const ring = exemplarRing(hb, holeCount, o);
  const b = growBox(hb, ring, W, H);
  const w = b.x1 - b.x0, h = b.y1 - b.y0;
  // A large window's full-resolution votes are shared with the pixel threads (core/parallel):
  // its colour levels then live on SharedArrayBuffers (the values are the same either way).
  const shared = willRunParallel(h, w * h);
  const d = image.data, hd = hole.data, fd = forbidden.data;
  // When the finest level will be light (more hole pixels than the working level allows, and a
  // coarser level to work on), its known colours go to a byte array (`known`) and `col` holds
  // only the hole's colours (see RawLevel): at 36 MP that is ~100 MB less resident memory.
  // (Every hole pixel lies in the hole's box `hb`: this is the finest level's hole count.)
  const depth = pyramidDepth(w, h, hb, o.patchSize);
  // (The same test as the choice of the working level below, on the finest level.)
  const split = holeCount > o.workPixels && depth > 1;
  const col = shared ? sharedFloat32(w * h * 3) : S.f32(w * h * 3);
  const known = !split ? null : shared ? sharedBytes(w * h * 3) : S.u8(w * h * 3);
  const kc: Float32Array | Uint8Array = known ?? col;
  const state = shared ? sharedBytes(w * h) : S.u8(w * h);
  let alphaAllOpaque = true;
  for (let y = 0; y < h; y++) {
    const srow = (y + b.y0) * W + b.x0;
    for (let x = 0; x < w; x++) {
      const sp = srow + x, p = y * w + x;
      if (hd[sp]! > 0) { state[p] = HOLE; continue; }
      if (fd[sp]! > 0) { state[p] = EXCLUDED; continue; }
      const si = sp * 4;
      kc[p * 3] = d[si]!; kc[p * 3 + 1] = d[si + 1]!; kc[p * 3 + 2] = d[si + 2]!;
      if (d[si + 3] !== 255) alphaAllOpaque = false;
    }
  }
  const raws: RawLevel[] = [{ w, h, col, ...(known ? { known } : {}), state, holeCount, box: { x0: hb.x0 - b.x0, y0: hb.y0 - b.y0, x1: hb.x1 - 1 - b.x0, y1: hb.y1 - 1 - b.y0 } }];
  while (raws.length < depth) raws.push(downsample(raws[raws.length - 1]!, shared, S));
  let work = 0;
  while (work < raws.length - 1 && raws[work]!.holeCount > o.workPixels) work++;
  if (split !== work > 0) throw new Error('fillPatchMatch: finest level split but not light');
  // Below a deep working level, the next finer level runs REFINE_ITERS EM iterations of its own
  // when it is small (REFINE_MAX_HOLE_PIXELS): the first light level of a deep pyramid is where
  // the upsampled field loses most (without it, stripes in a 0.5 MP hole were 0.034 SSIM below
  // the full-resolution fill; with it 0.011).
  const refine = work >= DEEP_LIGHT_LEVELS && raws[work - 1]!.holeCount <= REFINE_MAX_HOLE_PIXELS ? 1 : 0;
  const fine = work - refine;
  // Full PatchMatch levels: from the finest full level up, as long as enough sources remain.
  const full: Level[] = [];
  for (let l = fine; l < raws.length; l++) {
    const R = raws[l]!;
    const L = makeLevel(R.w, R.h, R.col, R.state, r, S);
    if (l > fine && (L.targets.length === 0 || L.srcList.length < Math.max(64, L.targets.length / 4))) break;
    if (o.textureWeight > 0) {
      // The finest full level's features, averaged down (Newson et al.): the same scale of
      // texture at every level, so a coarse level's estimate carries over to the finer ones.
      if (full.length > 0) downsampleTexture(full[full.length - 1]!, L, S);
      else if (l === 0) textureFeatures(L, o.textureWeight, S);
      else textureFeaturesFromFinest(L, raws[0]!, l, o.textureWeight, S);
    }
    full.push(L);
  }
  const W0 = full[0]!;
  // The finest full level votes no features, and when coarser levels exist it matches colours
  // only: the coarse levels have settled which sources fit (where the texture features matter)
  // and the finest level refines within them. (Features there too gave the same SSIM on the
  // synthetic scenes and cost ~15% more of a 1024² fill.)
  W0.texVote = false;
  if (full.length > 1) W0.lam = 0;
  if (W0.srcList.length === 0 || W0.targets.length === 0) {
    fillPushPull(image, hole, forbidden);
    return;
  }
  if (o.regionLabels) {
    // The regions are read on the coarsest full level whose hole still has REGION_LEVEL_PIXELS
    // (its colours averaged over a wider area than the finest level's: leaves read as leaves,
    // not as light and dark specks), and every full level takes them with its own pixels.
    let at = 0;
    while (at + 1 < full.length && full[at + 1]!.holeCount >= REGION_LEVEL_PIXELS) at++;
    const A = full[at]!;
    const split = readRegionSplit(A.w, A.h, A.col, A.state, r);
    if (split) {
      for (let i = 0; i < full.length; i++) {
        const L = full[i]!;
        const lab = regionsAt(split, 2 ** (at - i), L.w, L.h, L.col, L.state, r);
        setRegions(L, lab.allow, lab.label, 2);
      }
    }
  }
  const rng = createRng(opts.seed);
  const acc = S.f32(W0.w * W0.h * 3), wsum = S.f32(W0.w * W0.h);
  const mwt = S.f32(W0.w * W0.h), mcc = new Float32Array(o.patchSize * o.patchSize * 3), mcw = new Float32Array(o.patchSize * o.patchSize);
  const top = fine + full.length - 1;
  // When the sources run out below the working level, the coarsest full level is the working one.
  const workL = Math.min(work, top);
  // Progress by work, not by level: a level's share is its hole pixels (a full level's search
  // counts FULL_LEVEL_COST times a light level's vote), so the finest levels — most of a large
  // fill — move the bar as they go instead of leaving it still for seconds.
  const levelWork = (l: number): number => raws[l]!.holeCount * (l >= fine ? FULL_LEVEL_COST : 1);
  let totalWork = 0;
  for (let l = 0; l <= top; l++) totalWork += levelWork(l);
  let doneWork = 0;
  const report = (inLevel: number): void => { opts.onProgress?.(Math.min(1, (doneWork + inLevel) / Math.max(1, totalWork))); };
  let pass = 0;
  for (let l = top; l >= fine; l--) {
    const L = full[l - fine]!;
    if (o.textureFloor && L.lam > 0 && L.texVote) {
      // The edges painted in before the fill (continueEdges), at this level's scale.
      let pm: Uint8Array | null = null;
      if (painted && painted.length > 0) {
        pm = S.u8(L.w * L.h);
        for (let i = 0; i < painted.length; i++) {
          const q = painted[i]!, x = (q % W) - b.x0, y = Math.floor(q / W) - b.y0;
          if (x >= 0 && y >= 0 && x < w && y < h) pm[(y >> l) * L.w + (x >> l)] = 1;
        }
      }
      textureFloor(L, S, pm);
    }
    if (l === top) initCoarsest(L, r, rng);
    else {
      upsample(full[l - fine + 1]!, L, r, rng);
      // Vote from the upsampled field before searching, so the search compares against copied
      // full-resolution texture, not the blurred bilinear estimate (which favours flat sources).
      vote(L, r, acc, wsum);
      // (The first pass below recomputes the distances against the voted colours.)
    }
    const t = top === workL ? 0 : (l - workL) / (top - workL);
    const itersWork = workL >= DEEP_LIGHT_LEVELS ? o.itersWorkDeep : o.itersWork;
    // A sole full level starts from a random field: it runs SOLE_LEVEL_ITERS at least.
    const iters = l < workL ? REFINE_ITERS : top === fine ? Math.max(SOLE_LEVEL_ITERS, itersWork) : Math.round(itersWork + t * (o.itersCoarse - itersWork));
    // Below a shallow pyramid's coarsest level the search starts from its upsampled field and
    // looks around it (FINE_SEARCH_DIV), and the levels of a thin hole above the working level
    // stop once their match settles (BETWEEN_SETTLED). A deep pyramid (a large hole, or a large working level)
    // keeps the full schedule: there both cost stripes at 2048² 0.01–0.05 of hole SSIM.
    const shallow = workL < DEEP_LIGHT_LEVELS && full[workL - fine]!.holeCount <= DEFAULTS.workPixels;
    const radius = l === top || !shallow ? Math.max(L.w, L.h) : Math.max(1, Math.round(Math.max(L.w, L.h) / FINE_SEARCH_DIV));
    const globalTries = l === top ? 1 : 0;
    const between = shallow && l > workL && l < top && L.targets.length >= THIN_TARGETS_PER_HOLE * L.holeCount;
    let prevDist = -1;
    for (let it = 0; it < iters; it++) {
      // (A cancel between two iterations, not only between levels.)
      checkAbort(opts.signal);
      patchMatchPass(L, r, pass++ % 2 === 0, rng, radius, globalTries, it > 0 || l !== top);
      let last = it === iters - 1;
      let settled = false;
      if (!last && between) {
        const d = meanDistance(L);
        if (prevDist > 0 && prevDist - d < BETWEEN_SETTLED * prevDist) last = settled = true;
        prevDist = d;
      }
      if (!last && l === workL && itersWork > o.itersWork && it + 1 >= o.itersWork) {
        // The extra iterations of a deep pyramid stop once the match no longer improves (a
        // texture without structure settles in the usual number; stripes keep improving).
        const d = meanDistance(L);
        if (prevDist > 0 && prevDist - d < EM_SETTLED * prevDist) last = true;
        prevDist = d;
      }
      // The last vote of the finest full level picks colour modes instead of means (no blur).
      if (l === fine && last) { voteModeLevel(L, r, mwt, mcc, mcw); break; }
      vote(L, r, acc, wsum);
      if (settled) break;
      report((levelWork(l) * (it + 1)) / iters);
    }
    doneWork += levelWork(l);
    report(0);
    await yieldToLoop();
    checkAbort(opts.signal);
  }
  // Light levels: the field is upsampled (parent match doubled plus the child's offset) and the
  // hole is voted from full-resolution source pixels with a small window, so texture detail
  // comes from the finest level while the search ran coarse.
  let parent: LightField = full[0]!;
  for (let l = fine - 1; l >= 0; l--) {
    parent = voteLight(parent, raws[l]!, LIGHT_VOTE_RADIUS, S, (f) => report(levelWork(l) * f), opts.signal);
    doneWork += levelWork(l);
    report(0);
    if (l > 0) {
      await yieldToLoop();
      checkAbort(opts.signal);
    }
  }
  // Alpha: keep opaque images opaque; otherwise interpolate alpha like the preview fill.
  let alpha: Float32Array | null = null;
  if (!alphaAllOpaque) {
    alpha = new Float32Array(w * h);
    const wgt = new Float32Array(w * h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const p = y * w + x;
        if (state[p] !== KNOWN) continue;
        wgt[p] = 1;
        alpha[p] = d[((y + b.y0) * W + b.x0 + x) * 4 + 3]!;
      }
    }
    pushPullFill(alpha, wgt, w, h, 1);
  }
  const out = raws[0]!.col;
  const hbw = { x0: hb.x0 - b.x0, y0: hb.y0 - b.y0, x1: hb.x1 - b.x0, y1: hb.y1 - b.y0 };
  // The consistency window grows with the scale the fill's structure is decided at (the working
  // level's, 2^work, halved: 6 px for a hole that fits the working level or one level more), so a
  // tower's leg 8 px wide at 4× and 16 px at 8× reads as thin alike.
  const wide = Math.round(o.colorCorrectWide * o.colorCorrectRadius * 2 ** Math.max(0, work - 1));
  const searched: SearchedBand = { shift: fine, w: W0.w, h: W0.h, margin: r };
  if (o.colorCorrectRadius > 0) correctLowFrequency(out, raws[0]!.known ?? out, state, parent.nnf, parent.nnfBias ?? 0, w, h, o.colorCorrectRadius, o.colorCorrectMax, hbw, S, wide, searched);
  for (let y = hbw.y0; y < hbw.y1; y++) {
    const srow = (y + b.y0) * W + b.x0;
    for (let x = hbw.x0; x < hbw.x1; x++) {
      const sp = srow + x;
      const cov = hd[sp]!;
      if (cov === 0) continue;
      const p = y * w + x, si = sp * 4, a = cov / 255;
      d[si] = a * out[p * 3]! + (1 - a) * d[si]!;
      d[si + 1] = a * out[p * 3 + 1]! + (1 - a) * d[si + 1]!;
      d[si + 2] = a * out[p * 3 + 2]! + (1 - a) * d[si + 2]!;
      d[si + 3] = a * (alpha ? alpha[p]! : 255) + (1 - a) * d[si + 3]!;
    }
  }
}

/** The default, weight-free final-quality filler: multi-scale PatchMatch with EM voting. */
export class PatchMatchFiller implements Filler {
  readonly name = 'patchmatch';
  private readonly options: PatchMatchOptions;

  constructor(options: PatchMatchOptions = {}) {
    this.options = { ...options };
  }

  fill(image: RgbaImage, hole: Mask, forbidden: Mask, opts: FillOptions): Promise<void> {
    return fillPatchMatch(image, hole, forbidden, opts, this.options);
  }
}

