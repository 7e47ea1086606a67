/**
 * Smooth seams of an elastic drag's occlusion reading (warp/elastic-occlusion.ts). Where two moved
 * parts meet — each bringing the content from its own side, what lay between them pushed out of
 * sight — the picture jumps along a line. On a textured or structured surface that reads as one
 * thing in front of another; on a smooth one — a defocused background, a sky, a plain wall — it is
 * a hard step the photo never had: the blur in front of the goose's closed beak (DragBench
 * 1828-23, green above the line, olive below), the outline of a patch of wall around raised palm
 * leaves (1658-19). There the step is spread out: half of it is taken off each side, fading to
 * nothing over {@link cutHealReach} px (a membrane in effect, like the blend stage's colour
 * correction), so the smooth surface runs on.
 *
 * Only lines of such steps are healed: a cut between two moved neighbours (their origins more than
 * {@link HEAL_JUMP_PX} apart) whose both sides are smooth for {@link SIDE} px
 * ({@link HEAL_SMOOTH}), whose step is seen but not an outline between different things
 * ({@link HEAL_MIN_STEP}..{@link HEAL_MAX_STEP}) and not one the source already had at either origin
 * (an outline the moved content carries along), and where most of the cut around it is like that
 * ({@link HEAL_LINE_SMOOTH} of the cut within half the reach, at least half the reach of it): a
 * stretched area's tangle of short cuts is left alone. Each side's correction is averaged along the
 * line (within half the reach) before it spreads, so it varies slowly along the seam.
 *
 * Cost: two bytes per crop pixel (from the scratch pool: zeroed when taken) and work proportional
 * to the cut pixels and the band they heal — sparse lists, no per-pixel allocation.
 */
import type { Mask, Rect, RgbaImage } from '../types';
import type { Scratch } from '../fill/scratch';

/**
 * A source-map jump between neighbours larger than this (px, beyond their offset) is a cut: content
 * of at least this width went out of sight there (a map squeezed steeply, but continuously, next to
 * the seam jumps by a few px per pixel and is not one).
 */
export const HEAL_JUMP_PX = 4;
/** Mean grey change per px (levels) up to which a side of a cut reads as smooth. */
export const HEAL_SMOOTH = 3;
/** Steps (levels, largest channel) above this are outlines between different things: left alone. */
export const HEAL_MAX_STEP = 48;
/** Steps (levels, largest channel) below this are not seen: left alone. */
export const HEAL_MIN_STEP = 3;
/** Share of the cut around a smooth pair (within half the reach) that must be smooth for it to be healed. */
export const HEAL_LINE_SMOOTH = 0.8;
/** Pixels read on each side of a cut for its colour and its smoothness. */
const SIDE = 4;

/** How far (px) a healed step fades into each side: 5% of the moved area's equivalent side, 8–64 px. */
export function cutHealReach(movedPixels: number): number {
  return Math.max(8, Math.min(64, Math.round(0.05 * Math.sqrt(movedPixels))));
}

export interface CutHealInput {
  /** The edited crop after the warp (changed in place). */
  edited: RgbaImage;
  /** The input pixels of the same crop. */
  original: RgbaImage;
  /** Crop position in the document (the source map holds document coordinates). */
  crop: Rect;
  /** Where each crop pixel's content came from (document coordinates, 2 per pixel). */
  sourceMap: Float32Array;
  targetMask: Mask;
  holeMask: Mask;
  keepMask: Mask;
  scratch?: Scratch;
}

/** Flags per crop pixel (one byte): cut to the right / below, and whether that cut is a smooth step. */
const CUT_R = 1, CUT_D = 2, SMOOTH_R = 4, SMOOTH_D = 8;
/** Flags per crop pixel (second byte): seed of side A / side B, reached by the spread. */
const SEED_A = 1, SEED_B = 2, REACHED = 4;

function growI32(a: Int32Array<ArrayBuffer>, need: number): Int32Array<ArrayBuffer> {
  if (need <= a.length) return a;
  const b = new Int32Array(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}
function growF32(a: Float32Array<ArrayBuffer>, need: number): Float32Array<ArrayBuffer> {
  if (need <= a.length) return a;
  const b = new Float32Array(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}

/**
 * Spread the steps of smooth cut lines between moved pixels (see the module comment). Returns the
 * number of cut pairs healed.
 */
export function healSmoothCuts(inp: CutHealInput): number {
  const { edited, original, crop, sourceMap: sm, targetMask, holeMask, keepMask, scratch: S } = inp;
  const w = crop.width, h = crop.height, n = w * h;
  const td = targetMask.data, hd = holeMask.data, kd = keepMask.data, e = edited.data, o = original.data;
  // Moved, wholly covered, not filled, not keep.
  const ok = (p: number): boolean => td[p] === 255 && hd[p] === 0 && kd[p] === 0;
  let moved = 0;
  for (let p = 0; p < n; p++) if (ok(p)) moved++;
  if (moved === 0) return 0;
  const reach = cutHealReach(moved), rs = Math.max(2, reach >> 1);
  const grey = (p: number): number => (e[4 * p]! + e[4 * p + 1]! + e[4 * p + 2]!) / 3;
  // The source's own step (largest channel) from SIDE px behind a pixel's origin to SIDE px ahead
  // along (dx, dy).
  const originStep = (p: number, dx: number, dy: number): number => {
    const sx = sm[2 * p]! - crop.left, sy = sm[2 * p + 1]! - crop.top;
    const ax = Math.min(w - 1, Math.max(0, Math.round(sx - SIDE * dx))), ay = Math.min(h - 1, Math.max(0, Math.round(sy - SIDE * dy)));
    const bx = Math.min(w - 1, Math.max(0, Math.round(sx + SIDE * dx))), by = Math.min(h - 1, Math.max(0, Math.round(sy + SIDE * dy)));
    const a = 4 * (ay * w + ax), b = 4 * (by * w + bx);
    return Math.max(Math.abs(o[a]! - o[b]!), Math.abs(o[a + 1]! - o[b + 1]!), Math.abs(o[a + 2]! - o[b + 2]!));
  };
  // Mean colour of SIDE px from (x, y) along (dx, dy) into m[off..off+2]; false where a pixel is
  // not moved content, lies outside the crop, or the run is not smooth.
  const sideRun = (x: number, y: number, dx: number, dy: number, m: Float32Array, off: number): boolean => {
    let change = 0, prev = -1;
    m[off] = m[off + 1] = m[off + 2] = 0;
    for (let i = 0; i < SIDE; i++) {
      const sx = x + i * dx, sy = y + i * dy;
      if (sx < 0 || sy < 0 || sx >= w || sy >= h) return false;
      const r = sy * w + sx;
      if (!ok(r)) return false;
      if (i > 0) change += Math.abs(grey(r) - grey(prev));
      for (let c = 0; c < 3; c++) m[off + c]! += e[4 * r + c]! / SIDE;
      prev = r;
    }
    return change / (SIDE - 1) <= HEAL_SMOOTH;
  };

  // 1. Cuts, and which of them are smooth steps. Both pixels of a smooth pair are seeds, each with
  // half the step (side A, at even places: the pixel left of or above the cut, pulled towards B;
  // side B the other way).
  const flags = S ? S.u8(n) : new Uint8Array(n);
  const means = new Float32Array(6);
  let x0 = w, y0 = h, x1 = -1, y1 = -1;
  let seedPx = new Int32Array(256), seedCorr = new Float32Array(3 * 256), ns = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      if (!ok(p)) continue;
      for (let k = 0; k < 2; k++) {
        const ex = k === 0 ? 1 : 0, ey = 1 - ex, qx = x + ex, qy = y + ey;
        if (qx >= w || qy >= h) continue;
        const q = qy * w + qx;
        if (!ok(q)) continue;
        const jx = sm[2 * q]! - sm[2 * p]! - ex, jy = sm[2 * q + 1]! - sm[2 * p + 1]! - ey;
        if (jx * jx + jy * jy <= HEAL_JUMP_PX * HEAL_JUMP_PX) continue;
        flags[p]! |= k === 0 ? CUT_R : CUT_D;
        if (x < x0) x0 = x; if (x > x1) x1 = x; if (y < y0) y0 = y; if (y > y1) y1 = y;
        if (!sideRun(x, y, -ex, -ey, means, 0) || !sideRun(qx, qy, ex, ey, means, 3)) continue;
        let big = 0;
        for (let c = 0; c < 3; c++) big = Math.max(big, Math.abs(means[c]! - means[3 + c]!));
        if (big < HEAL_MIN_STEP || big > HEAL_MAX_STEP) continue;
        if (2 * Math.max(originStep(p, ex, ey), originStep(q, -ex, -ey)) >= big) continue;
        flags[p]! |= k === 0 ? SMOOTH_R : SMOOTH_D;
        seedPx = growI32(seedPx, ns + 2); seedCorr = growF32(seedCorr, 3 * (ns + 2));
        for (let c = 0; c < 3; c++) {
          const half = (means[c]! - means[3 + c]!) / 2;
          seedCorr[3 * ns + c] = -half;
          seedCorr[3 * (ns + 1) + c] = half;
        }
        seedPx[ns] = p; seedPx[ns + 1] = q;
        ns += 2;
      }
    }
  }
  if (ns === 0) return 0;

  // 2. Lines: counts of cut and smooth pairs on a grid of cells a third of rs wide; a smooth pair is
  // kept where the cells around its own up to about rs px each way hold at least rs smooth pairs,
  // HEAL_LINE_SMOOTH of their cuts.
  const cs = Math.ceil(rs / 3), kc = Math.max(1, Math.floor(rs / cs));
  const gx0 = x0, gy0 = y0, gw = Math.floor((x1 - x0) / cs) + 1, gh = Math.floor((y1 - y0) / cs) + 1;
  const cutsIn = new Int32Array(gw * gh), smoothIn = new Int32Array(gw * gh);
  const bits = (v: number): number => (v & 1) + ((v >> 1) & 1);
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const f = flags[y * w + x]!;
      if (!f) continue;
      const cell = Math.floor((y - gy0) / cs) * gw + Math.floor((x - gx0) / cs);
      cutsIn[cell]! += bits(f);
      smoothIn[cell]! += bits(f >> 2);
    }
  }
  const lineAt = (x: number, y: number): boolean => {
    const cx = Math.floor((x - gx0) / cs), cy = Math.floor((y - gy0) / cs);
    let c = 0, s = 0;
    for (let j = Math.max(0, cy - kc); j <= Math.min(gh - 1, cy + kc); j++) {
      for (let i = Math.max(0, cx - kc); i <= Math.min(gw - 1, cx + kc); i++) { c += cutsIn[j * gw + i]!; s += smoothIn[j * gw + i]!; }
    }
    return s >= rs && s >= HEAL_LINE_SMOOTH * c;
  };

  // 3. The seeds of the pairs on a line, in place. A pixel seeded from both sides (two cuts a
  // pixel apart) gives no seed.
  const marks = S ? S.u8(n) : new Uint8Array(n);
  let kept = 0;
  for (let i = 0; i < ns; i += 2) {
    const p = seedPx[i]!, x = p % w;
    if (!lineAt(x, (p - x) / w)) continue;
    for (let j = 0; j < 2; j++) {
      seedPx[kept + j] = seedPx[i + j]!;
      for (let c = 0; c < 3; c++) seedCorr[3 * (kept + j) + c] = seedCorr[3 * (i + j) + c]!;
    }
    marks[p]! |= SEED_A; marks[seedPx[i + 1]!]! |= SEED_B;
    kept += 2;
  }
  const healed = kept / 2;
  ns = kept;
  if (healed === 0) return 0;

  // 4. Each seed's correction averaged over the seeds of its side in the cells around its own (the
  // line test's cells, about rs px each way): sums per cell and side, so the cost stays ns × 49 at
  // most however many seeds crowd together. (A margin of one cell: a pair's second pixel may lie a
  // pixel past the cuts' box.)
  const bw = Math.floor((x1 + 1 - x0) / cs) + 3, bh = Math.floor((y1 + 1 - y0) / cs) + 3;
  const cellOf = (p: number): number => { const px = p % w, py = (p - px) / w; return (Math.floor((py - gy0) / cs) + 1) * bw + Math.floor((px - gx0) / cs) + 1; };
  const both = (p: number): boolean => (marks[p]! & (SEED_A | SEED_B)) === (SEED_A | SEED_B);
  const sums = new Float64Array(2 * bw * bh * 4);
  for (let i = 0; i < ns; i++) {
    const p = seedPx[i]!;
    if (both(p)) continue;
    const o = 4 * ((i & 1) * bw * bh + cellOf(p));
    sums[o]! += seedCorr[3 * i]!; sums[o + 1]! += seedCorr[3 * i + 1]!; sums[o + 2]! += seedCorr[3 * i + 2]!; sums[o + 3]!++;
  }
  const avg = new Float32Array(3 * ns);
  for (let i = 0; i < ns; i++) {
    const p = seedPx[i]!;
    if (both(p)) continue;
    const cell = cellOf(p), cx = cell % bw, cy = (cell - cx) / bw, base = (i & 1) * bw * bh;
    let r = 0, g = 0, b = 0, m = 0;
    for (let j = Math.max(0, cy - kc); j <= Math.min(bh - 1, cy + kc); j++) {
      for (let ii = Math.max(0, cx - kc); ii <= Math.min(bw - 1, cx + kc); ii++) {
        const o = 4 * (base + j * bw + ii);
        r += sums[o]!; g += sums[o + 1]!; b += sums[o + 2]!; m += sums[o + 3]!;
      }
    }
    avg[3 * i] = r / m; avg[3 * i + 1] = g / m; avg[3 * i + 2] = b / m;
  }

  // 5. Breadth-first from the seeds over moved pixels, never across a cut, ring by ring: each pixel
  // takes its nearest seed's correction, faded by its distance.
  let queue = new Int32Array(Math.max(64, 2 * ns)), from = new Int32Array(queue.length);
  let head = 0, tail = 0;
  const apply = (p: number, s: number, f: number): void => {
    for (let c = 0; c < 3; c++) {
      const v = e[4 * p + c]! + f * avg[3 * s + c]!;
      e[4 * p + c] = v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
    }
  };
  for (let i = 0; i < ns; i++) {
    const p = seedPx[i]!;
    if (both(p) || (marks[p]! & REACHED)) continue;
    marks[p]! |= REACHED;
    apply(p, i, 1);
    queue[tail] = p; from[tail] = i; tail++;
  }
  for (let d = 1; d < reach && head < tail; d++) {
    const ringEnd = tail, f = 1 - d / reach;
    while (head < ringEnd) {
      const p = queue[head]!, s = from[head]!; head++;
      const x = p % w;
      for (let k = 0; k < 4; k++) {
        let q: number, crossing: boolean;
        if (k === 0) { if (x === 0) continue; q = p - 1; crossing = (flags[q]! & CUT_R) !== 0; }
        else if (k === 1) { if (x === w - 1) continue; q = p + 1; crossing = (flags[p]! & CUT_R) !== 0; }
        else if (k === 2) { if (p < w) continue; q = p - w; crossing = (flags[q]! & CUT_D) !== 0; }
        else { if (p + w >= n) continue; q = p + w; crossing = (flags[p]! & CUT_D) !== 0; }
        if (crossing || (marks[q]! & (REACHED | SEED_A | SEED_B)) || !ok(q)) continue;
        marks[q]! |= REACHED;
        apply(q, s, f);
        if (tail === queue.length) { queue = growI32(queue, tail + 1); from = growI32(from, tail + 1); }
        queue[tail] = q; from[tail] = s; tail++;
      }
    }
  }
  return healed;
}
