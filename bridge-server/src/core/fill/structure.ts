/**
 * Straight edges continued through a hole before the exemplar fill (structure propagation, after
 * Sun, Yuan, Jia & Shum, "Image completion with structure propagation", SIGGRAPH 2005 — there the
 * user draws the curves; here only straight edges are continued, found automatically).
 *
 * A texture fill copies patches; it does not know that a pencil behind a shrunk apple runs on until
 * the apple hides it, or that a leaf's rib runs straight on under a butterfly's wing: it stops the
 * line short or lets it jump. Two such edges side by side are the sides of one band — a stem a
 * ladybird sat on — and the band's inside is painted through the hole too (paintBands). Here an edge that meets the hole's border
 * and runs straight for a while outside it is followed into the hole along its own line — until it
 * comes out on the other side onto an edge of the same direction (the same line: joined), or runs
 * under the moved content (it goes behind the object). A line that comes out onto plain background
 * is not continued (that is the texture fill's decision); nor is a faint or grainy edge that does
 * not run straight for long (the pencil of the bundled apple photo). The continued edges are
 * painted as thin bands copying the edge's own strip from outside the hole (cross-faded between
 * the two ends when joined), and the exemplar fill then completes the rest around them as known
 * pixels.
 *
 * Everything is read on a grey image of `scale` × `scale` cells (a power of two: the fill's
 * working level's cell, halved), so an edge 8 px wide at 4× reads like one 2 px wide at 1×; the
 * bands are painted at full resolution. Weight-free; deterministic.
 */
import type { Mask, RgbaImage } from '../types';
import type { Box } from './push-pull';

/** A continued edge: from `a` (on the hole's border) to `b`, in full-resolution pixels. */
export interface ContinuedEdge {
  a: [number, number];
  b: [number, number];
  /** Joined to an edge of the same direction on the far side (else it runs under moved content). */
  joined: boolean;
  /** Length (px) of the straight run read outside the hole before `a`. */
  run: number;
}

/** Gradient magnitude (grey levels per px, on the analysis level) an edge needs at the border. */
export const EDGE_MIN_GRADIENT = 10;
/** Straight run (analysis px) an edge needs outside the hole before it is continued. */
export const EDGE_MIN_RUN = 12;
/** Longest run read (cells): enough to fit the line's direction. */
const RUN_MAX_CELLS = 64;
/** Most the gradient may turn from the edge's normal along the run and at the far side (cosine of 20°). */
const EDGE_COS = Math.cos((20 * Math.PI) / 180);
/** How far (cells per cell crossed) the far side's edge may lie off the continued line: about 2°. */
const FAR_SLACK = 0.035;
/** An unjoined edge (running under moved content) is continued at most this many times its run. */
const EDGE_MAX_REACH = 2;
/** Half-width (analysis px) of the band painted along a continued edge. */
const BAND_HALF = 2.5;
/** Length (analysis px) of the strip behind an edge's end whose pixels the band repeats, mirrored. */
const STRIP_CELLS = 8;

interface Level {
  w: number; h: number;
  /** The blurred grey's gradient (Sobel) and its magnitude; 0 where a 3 × 3 neighbour is not known. */
  gx: Float32Array; gy: Float32Array; mag: Float32Array;
  /** 0 known, 1 hole, 2 moved (forbidden, not hole). */
  cls: Uint8Array;
}

function buildLevel(image: RgbaImage, hole: Mask, forbidden: Mask, s: number, box: Box): Level {
  const W = image.width, d = image.data, hd = hole.data, fd = forbidden.data;
  const w = Math.max(1, Math.floor((box.x1 - box.x0) / s)), h = Math.max(1, Math.floor((box.y1 - box.y0) / s));
  const n = w * h;
  const g = new Float32Array(n), cls = new Uint8Array(n);
  const inv = 1 / (3 * s * s);
  // Cell sums row by row (each pixel row of a cell row added into the cells' accumulators).
  const sum = new Float64Array(w), nh = new Int32Array(w), nf = new Int32Array(w);
  for (let y = 0; y < h; y++) {
    sum.fill(0); nh.fill(0); nf.fill(0);
    for (let j = 0; j < s; j++) {
      let q = (box.y0 + y * s + j) * W + box.x0;
      for (let x = 0; x < w; x++) {
        let a = 0, bh = 0, bf = 0;
        for (let i = 0; i < s; i++, q++) {
          a += d[q * 4]! + d[q * 4 + 1]! + d[q * 4 + 2]!;
          if (hd[q]! >= 128) bh++; else if (fd[q]! > 0) bf++;
        }
        sum[x] += a; nh[x] += bh; nf[x] += bf;
      }
    }
    for (let x = 0, p = y * w; x < w; x++, p++) {
      g[p] = sum[x]! * inv;
      // A cell with any hole pixel is hole (the edge's run must be read on known pixels only).
      cls[p] = nh[x]! > 0 ? 1 : nf[x]! * 2 > s * s ? 2 : 0;
    }
  }
  // A binomial 3 × 3 blur over known cells (a photo's grain turns a single cell's gradient), as a
  // normalised separable convolution: (1, 2, 1) along rows, then along columns, of the known
  // cells' values and of their weights. The weights' total is 16 exactly where all 9 are known.
  const hv = new Float32Array(n), hw = new Float32Array(n);
  for (let y = 0; y < h; y++) {
    for (let x = 0, p = y * w; x < w; x++, p++) {
      let v = 0, k = 0;
      if (cls[p] === 0) { v += 2 * g[p]!; k += 2; }
      if (x > 0 && cls[p - 1] === 0) { v += g[p - 1]!; k += 1; }
      if (x < w - 1 && cls[p + 1] === 0) { v += g[p + 1]!; k += 1; }
      hv[p] = v; hw[p] = k;
    }
  }
  const gb = new Float32Array(n), full = new Uint8Array(n);
  for (let y = 0; y < h; y++) {
    for (let x = 0, p = y * w; x < w; x++, p++) {
      let v = 2 * hv[p]!, k = 2 * hw[p]!;
      if (y > 0) { v += hv[p - w]!; k += hw[p - w]!; }
      if (y < h - 1) { v += hv[p + w]!; k += hw[p + w]!; }
      gb[p] = cls[p] !== 0 || k === 0 ? g[p]! : v / k;
      if (k === 16) full[p] = 1;
    }
  }
  const gx = new Float32Array(n), gy = new Float32Array(n), mag = new Float32Array(n);
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1, p = y * w + 1; x < w - 1; x++, p++) {
      // Sobel over known cells only (a hole cell's grey is the object that left, not background).
      if (full[p] === 0) continue;
      const a = gb[p - w - 1]!, b = gb[p - w]!, c = gb[p - w + 1]!, dd = gb[p - 1]!, f = gb[p + 1]!, k = gb[p + w - 1]!, l = gb[p + w]!, m = gb[p + w + 1]!;
      const sx = (c + 2 * f + m - a - 2 * dd - k) / 8, sy = (k + 2 * l + m - a - 2 * b - c) / 8;
      gx[p] = sx; gy[p] = sy; mag[p] = Math.sqrt(sx * sx + sy * sy); // (Math.hypot: 10 ms a 1024² fill)
    }
  }
  return { w, h, gx, gy, mag, cls };
}

/** Class of the analysis cell nearest (x, y); 3 outside the level. */
function clsAt(L: Level, x: number, y: number): number {
  const ix = Math.round(x), iy = Math.round(y);
  if (ix < 0 || iy < 0 || ix >= L.w || iy >= L.h) return 3;
  return L.cls[iy * L.w + ix]!;
}

/** Whether the hole lies 2–4 cells from (x, y) along (sx, sy). */
function holeAhead(L: Level, x: number, y: number, sx: number, sy: number): boolean {
  return clsAt(L, x + 2 * sx, y + 2 * sy) === 1 || clsAt(L, x + 3 * sx, y + 3 * sy) === 1 || clsAt(L, x + 4 * sx, y + 4 * sy) === 1;
}

/**
 * On the line through (x, y) across the edge (unit normal nx, ny), the offset in [−2, 2] where the
 * gradient along the normal peaks (sub-pixel by a parabola), or NaN when it is not an edge of the
 * same direction there (magnitude under `minMag` or the gradient turned by more than EDGE_COS).
 */
const offsetScratch = new Float64Array(64);
function edgeOffset(L: Level, x: number, y: number, nx: number, ny: number, minMag: number, reach = 2): number {
  let best = -1, bi = 0;
  const v = offsetScratch;
  for (let i = -reach; i <= reach; i++) {
    const px = Math.round(x + i * nx), py = Math.round(y + i * ny);
    if (px < 1 || py < 1 || px >= L.w - 1 || py >= L.h - 1) return NaN;
    const p = py * L.w + px;
    if (L.cls[p] !== 0) return NaN;
    // The gradient's component along the normal (signed: the same polarity as the edge).
    const along = L.gx[p]! * nx + L.gy[p]! * ny;
    v[i + reach] = along;
    if (along > best) { best = along; bi = i; }
  }
  if (best < minMag) return NaN;
  const px = Math.round(x + bi * nx), py = Math.round(y + bi * ny), p = py * L.w + px;
  if (best < EDGE_COS * L.mag[p]!) return NaN; // turned
  if (bi === -reach || bi === reach) return bi;
  const a = v[bi + reach - 1]!, b = v[bi + reach]!, c = v[bi + reach + 1]!;
  const den = a - 2 * b + c;
  return bi + (den < 0 ? (0.5 * (a - c)) / den : 0);
}

/**
 * The straight edges meeting the hole's border, continued through it (on the analysis level;
 * coordinates returned at full resolution). `scale` ≥ 1 (a power of two): the analysis level's
 * cell in pixels; `box`: the part of the image read (the fill's window).
 */
export function findContinuedEdges(
  image: RgbaImage, hole: Mask, forbidden: Mask, scale = 1, box: Box = { x0: 0, y0: 0, x1: image.width, y1: image.height },
): ContinuedEdge[] {
  const L = buildLevel(image, hole, forbidden, scale, box);
  const { w, h, cls, mag } = L;
  const out: ContinuedEdge[] = [];
  // Cells already on an accepted edge's band (one edge meets the border over several cells).
  const taken = new Uint8Array(w * h);
  const pts: number[] = [];
  for (let y = 2; y < h - 2; y++) {
    for (let x = 2; x < w - 2; x++) {
      const p = y * w + x;
      if (cls[p] !== 0 || taken[p] || mag[p]! < EDGE_MIN_GRADIENT) continue;
      // Near the border: a hole cell within 2 cells (the Sobel needs known cells all round, so the
      // cells right at the border have no gradient of their own).
      let near = false;
      for (let j = -2; j <= 2 && !near; j++) for (let i = -2; i <= 2; i++) if (cls[p + j * w + i] === 1) { near = true; break; }
      if (!near) continue;
      // The edge's normal (the gradient) and its direction, pointing into the hole.
      const g0x = L.gx[p]! / mag[p]!, g0y = L.gy[p]! / mag[p]!;
      let nx = g0x, ny = g0y;
      let dx = -ny, dy = nx;
      if (!holeAhead(L, x, y, dx, dy)) { if (!holeAhead(L, x, y, -dx, -dy)) continue; dx = -dx; dy = -dy; }
      // The straight run outside: sub-pixel edge positions stepping back along −d, refit as a line.
      pts.length = 0;
      let run = 0;
      for (let k = 0; k <= RUN_MAX_CELLS; k++) {
        // From the cell the walk is in (the offset is read from there: from the unrounded point it
        // would carry the rounding along the walk, a tilt of the fitted line).
        const cx = Math.round(x - k * dx), cy = Math.round(y - k * dy);
        const o = edgeOffset(L, cx, cy, nx, ny, EDGE_MIN_GRADIENT / 2);
        if (Number.isNaN(o)) break;
        pts.push(cx + o * nx, cy + o * ny);
        run = k;
        // Refit the direction every few steps (the line, not the first cell's gradient, guides the walk).
        if (k >= 4 && k % 4 === 0) {
          const f = fitLine(pts);
          if (f) {
            dx = -f[0]; dy = -f[1];
            if (dx * (x - f[2]) + dy * (y - f[3]) < 0) { dx = -dx; dy = -dy; }
            // The normal keeps the edge's polarity (the gradient's side).
            const sgn = dy * g0x - dx * g0y >= 0 ? 1 : -1;
            nx = sgn * dy; ny = -sgn * dx;
          }
        }
      }
      if (run < EDGE_MIN_RUN) continue;
      const f = fitLine(pts);
      if (!f) continue;
      // Direction from the fit, oriented into the hole; the start: the fit's line at the border cell.
      let ux = f[0], uy = f[1];
      if (ux * dx + uy * dy < 0) { ux = -ux; uy = -uy; }
      const t0 = (x - f[2]) * ux + (y - f[3]) * uy;
      const ax = f[2] + t0 * ux, ay = f[3] + t0 * uy;
      // Normal of the fitted line, on the gradient's side (the edge's polarity).
      const ms = uy * g0x - ux * g0y >= 0 ? 1 : -1;
      const mx = ms * uy, my = -ms * ux;
      // Across the hole.
      let end = -1, joined = false, j0 = 1;
      // First out of the known cells between the start and the hole (the start lies up to a few
      // cells before it).
      while (j0 <= 6 && clsAt(L, ax + j0 * ux, ay + j0 * uy) === 0) j0++;
      if (clsAt(L, ax + j0 * ux, ay + j0 * uy) !== 1) continue;
      const maxLen = Math.max(w, h);
      for (let j = j0 + 1; j < maxLen; j++) {
        const c = clsAt(L, ax + j * ux, ay + j * uy);
        if (c === 1) continue;
        if (c === 2) { if (j - j0 <= EDGE_MAX_REACH * run) end = j; break; }
        if (c === 3) break;
        // Known again: the same line must come out here (an edge of the same direction on it).
        // (Within 1.5 cells, or 2° of the crossing: the fitted direction is that good.)
        const tol = Math.max(1.5, FAR_SLACK * (j - j0)), reach = Math.ceil(tol) + 1;
        // (Its first cells have no gradient of their own: the Sobel reads known cells only.)
        let ok = 0;
        for (let k = 1; k <= 6; k++) {
          const o = edgeOffset(L, Math.round(ax + (j + k) * ux), Math.round(ay + (j + k) * uy), mx, my, EDGE_MIN_GRADIENT / 2, reach);
          if (!Number.isNaN(o) && Math.abs(o) <= tol) ok++;
        }
        if (ok >= 3) { end = j; joined = true; }
        break;
      }
      if (end < j0 + 2) continue;
      const fx = (v: number): number => box.x0 + (v + 0.5) * scale - 0.5, fy = (v: number): number => box.y0 + (v + 0.5) * scale - 0.5;
      out.push({ a: [fx(ax), fy(ay)], b: [fx(ax + end * ux), fy(ay + end * uy)], joined, run: run * scale });
      // The cells near this edge's start (and, joined, near its far end: the same line seen from
      // the other side) do not start another edge.
      const mark = (k0: number, k1: number): void => {
        for (let k = k0; k <= k1; k++) {
          for (let t = -2; t <= 2; t++) {
            const qx = Math.round(ax + k * ux + t * mx), qy = Math.round(ay + k * uy + t * my);
            if (qx >= 0 && qy >= 0 && qx < w && qy < h) taken[qy * w + qx] = 1;
          }
        }
      };
      mark(-run, 2);
      if (joined) mark(end - 2, end + 8);
    }
  }
  return out;
}

/**
 * Total least-squares line through points (x0, y0, x1, y1, …): [ux, uy, cx, cy] (unit direction
 * and centroid), or null for fewer than 3 points or no dominant direction.
 */
function fitLine(pts: readonly number[]): [number, number, number, number] | null {
  const n = pts.length / 2;
  if (n < 3) return null;
  let cx = 0, cy = 0;
  for (let i = 0; i < n; i++) { cx += pts[2 * i]!; cy += pts[2 * i + 1]!; }
  cx /= n; cy /= n;
  let sxx = 0, syy = 0, sxy = 0;
  for (let i = 0; i < n; i++) { const a = pts[2 * i]! - cx, b = pts[2 * i + 1]! - cy; sxx += a * a; syy += b * b; sxy += a * b; }
  const tr = sxx + syy, det = sxx * syy - sxy * sxy;
  const l1 = tr / 2 + Math.sqrt(Math.max(0, (tr * tr) / 4 - det));
  if (l1 <= 0) return null;
  let ux = sxy, uy = l1 - sxx;
  if (Math.abs(ux) + Math.abs(uy) < 1e-9) { ux = l1 - syy; uy = sxy; }
  if (Math.abs(ux) + Math.abs(uy) < 1e-9) { ux = 1; uy = 0; }
  const len = Math.hypot(ux, uy);
  return [ux / len, uy / len, cx, cy];
}

/** Bilinear colour of `image` at (x, y) into `out` (RGB); false when a tap is outside or not known. */
function sampleKnown(image: RgbaImage, known: (q: number) => boolean, x: number, y: number, out: Float32Array): boolean {
  const W = image.width, H = image.height;
  const x0 = Math.floor(x), y0 = Math.floor(y);
  if (x0 < 0 || y0 < 0 || x0 + 1 >= W || y0 + 1 >= H) return false;
  const q00 = y0 * W + x0;
  if (!known(q00) || !known(q00 + 1) || !known(q00 + W) || !known(q00 + W + 1)) return false;
  const fx = x - x0, fy = y - y0, d = image.data;
  for (let c = 0; c < 3; c++) {
    const a = d[q00 * 4 + c]! * (1 - fx) + d[(q00 + 1) * 4 + c]! * fx;
    const b = d[(q00 + W) * 4 + c]! * (1 - fx) + d[(q00 + W + 1) * 4 + c]! * fx;
    out[c] = a * (1 - fy) + b * fy;
  }
  return true;
}

/**
 * Paint the continued edges into `image` over solid hole pixels: each hole pixel within the band's
 * half-width of an edge copies the edge's own strip outside the hole at its signed distance from
 * the line — mirrored back and forth along the strip (its last STRIP_CELLS cells before the hole), so the
 * edge keeps its grain, not an averaged, smooth cross-section — from the nearer end when joined
 * (the two copies cross-fade over a few px in the middle). Returns the indices of the painted
 * pixels (for the caller to treat as known).
 */
export function paintContinuedEdges(image: RgbaImage, hole: Mask, forbidden: Mask, edges: readonly ContinuedEdge[], scale = 1): Int32Array {
  const W = image.width, H = image.height, hd = hole.data, fd = forbidden.data, d = image.data;
  const known = (q: number): boolean => hd[q]! === 0 && fd[q]! === 0;
  const half = BAND_HALF * scale, fade = 2 * scale;
  const painted: number[] = [];
  // Painted pixels are marked over the bands' box only (a 36 MP crop's own would be 36 MB).
  let mx0 = W, my0 = H, mx1 = 0, my1 = 0;
  for (const e of edges) {
    mx0 = Math.min(mx0, Math.floor(Math.min(e.a[0], e.b[0]) - half - 1)); mx1 = Math.max(mx1, Math.ceil(Math.max(e.a[0], e.b[0]) + half + 1));
    my0 = Math.min(my0, Math.floor(Math.min(e.a[1], e.b[1]) - half - 1)); my1 = Math.max(my1, Math.ceil(Math.max(e.a[1], e.b[1]) + half + 1));
  }
  // (A band's inside, painted after the edges, reaches past its edges' ends as far as the hole's
  // border does on each line across it: the box is grown by the widest band.)
  if (edges.filter((e) => e.joined).length >= 2) {
    const g = BAND_MAX_CELLS * scale;
    mx0 -= g; my0 -= g; mx1 += g; my1 += g;
  }
  mx0 = Math.max(0, mx0); my0 = Math.max(0, my0); mx1 = Math.min(W - 1, mx1); my1 = Math.min(H - 1, my1);
  const mw = Math.max(0, mx1 - mx0 + 1);
  const mark = new Uint8Array(mw * Math.max(0, my1 - my0 + 1));
  const ca = new Float32Array(3), cb = new Float32Array(3);
  for (const e of edges) {
    const [ax, ay] = e.a, [bx, by] = e.b;
    const len = Math.hypot(bx - ax, by - ay);
    if (len < 1) continue;
    const ux = (bx - ax) / len, uy = (by - ay) / len, nx = uy, ny = -ux;
    // A short strip: a long one would carry the fitted direction's small error back and forth.
    const R = Math.max(2, Math.min(e.run, STRIP_CELLS * scale));
    // The strip behind an end (ex, ey), the hole ahead along (sx, sy): at s px into the hole and t
    // across, the pixel mirrored back along the strip.
    const strip = (ex: number, ey: number, sx: number, sy: number, sIn: number, t: number, out: Float32Array): boolean => {
      const m = sIn % (2 * R), back = 1 + (m < R ? m : 2 * R - m);
      return sampleKnown(image, known, ex - back * sx + t * nx, ey - back * sy + t * ny, out);
    };
    const x0 = Math.max(0, Math.floor(Math.min(ax, bx) - half - 1)), x1 = Math.min(W - 1, Math.ceil(Math.max(ax, bx) + half + 1));
    const y0 = Math.max(0, Math.floor(Math.min(ay, by) - half - 1)), y1 = Math.min(H - 1, Math.ceil(Math.max(ay, by) + half + 1));
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const q = y * W + x;
        const mq = (y - my0) * mw + (x - mx0);
        if (hd[q]! < 255 || mark[mq]) continue;
        const rx = x - ax, ry = y - ay;
        const s = rx * ux + ry * uy, t = rx * nx + ry * ny;
        if (s < 0 || s > len || Math.abs(t) > half) continue;
        // Weight of the far end's copy: 0 unjoined; joined, a fade across the middle.
        const wb = e.joined ? Math.min(1, Math.max(0, (s - len / 2 + fade) / (2 * fade))) : 0;
        const okA = wb < 1 && strip(ax, ay, ux, uy, s, t, ca);
        const okB = wb > 0 && strip(bx, by, -ux, -uy, len - s, t, cb);
        if (!crossFade(d, q, ca, okA, cb, okB, wb)) continue;
        mark[mq] = 1;
        painted.push(q);
      }
    }
  }
  paintBands(image, known, edges, scale, painted, { mark, x0: mx0, y0: my0, w: mw, h: Math.max(0, my1 - my0 + 1) });
  return Int32Array.from(painted);
}

/**
 * Write pixel `q` of `d` (opaque) from the copies of the two ends: `ca` (when `okA`) and `cb` (when
 * `okB`), `wb` the far end's weight where both were read. False (nothing written) when neither was.
 */
function crossFade(d: Uint8ClampedArray, q: number, ca: Float32Array, okA: boolean, cb: Float32Array, okB: boolean, wb: number): boolean {
  if (!okA && !okB) return false;
  const w2 = !okA ? 1 : !okB ? 0 : wb;
  for (let ch = 0; ch < 3; ch++) d[q * 4 + ch] = ca[ch]! * (1 - w2) + cb[ch]! * w2;
  d[q * 4 + 3] = 255;
  return true;
}

/** Most the two edges of a band may turn from each other (cosine of 4°). */
const BAND_COS = Math.cos((4 * Math.PI) / 180);
/** Widest band (analysis px) painted between two edges: a stem, a pole, a rail — not a region. */
const BAND_MAX_CELLS = 48;
/** Largest mean difference (grey levels per channel) between a band's inside at its two ends. */
const BAND_SAME = 24;
/** Length (analysis px) of the strip behind a band's end that its inside repeats, mirrored. */
const BAND_STRIP_CELLS = 4 * STRIP_CELLS;

/**
 * Bands: two joined edges that run side by side (within 4°, BAND_MAX_CELLS apart at most, over
 * the same stretch) are the two sides of one thing crossing the hole — a stem behind a ladybird,
 * a pole, a rail. When the inside between them looks alike at both ends (BAND_SAME), the inside
 * is painted too, across the hole, as the edges are: each line parallel to the edges copies the
 * band's own strip behind the hole's border on that line (mirrored), cross-faded from both ends —
 * the exemplar fill would fill it from whatever matches a smooth first estimate best (the blur
 * around a stem). Painted pixels are added to `painted`.
 */
function paintBands(
  image: RgbaImage, known: (q: number) => boolean, edges: readonly ContinuedEdge[], scale: number, painted: number[],
  /** The painted pixels so far, marked over the edges' box (a band lies between two edges: inside it). */
  box: { mark: Uint8Array; x0: number; y0: number; w: number; h: number },
): void {
  const W = image.width, H = image.height, d = image.data;
  const half = BAND_HALF * scale, fade = 2 * scale;
  const ca = new Float32Array(3), cb = new Float32Array(3);
  for (let i = 0; i < edges.length; i++) {
    const e1 = edges[i]!;
    if (!e1.joined) continue;
    const [ax, ay] = e1.a, [bx, by] = e1.b;
    const len = Math.hypot(bx - ax, by - ay);
    if (len < 1) continue;
    const ux = (bx - ax) / len, uy = (by - ay) / len, nx = uy, ny = -ux;
    for (let j = i + 1; j < edges.length; j++) {
      const e2 = edges[j]!;
      if (!e2.joined) continue;
      const l2 = Math.hypot(e2.b[0] - e2.a[0], e2.b[1] - e2.a[1]);
      if (l2 < 1 || Math.abs(((e2.b[0] - e2.a[0]) * ux + (e2.b[1] - e2.a[1]) * uy) / l2) < BAND_COS) continue;
      // Where the second edge lies across the first (its middle) and along it.
      const mx = (e2.a[0] + e2.b[0]) / 2 - ax, my = (e2.a[1] + e2.b[1]) / 2 - ay;
      const sep = mx * nx + my * ny;
      if (Math.abs(sep) < 2 * half + scale || Math.abs(sep) > BAND_MAX_CELLS * scale || Math.abs(sep) > 0.6 * len) continue;
      const p0 = (e2.a[0] - ax) * ux + (e2.a[1] - ay) * uy, p1 = (e2.b[0] - ax) * ux + (e2.b[1] - ay) * uy;
      const lo = Math.max(0, Math.min(p0, p1)), hi = Math.min(len, Math.max(p0, p1));
      if (hi - lo < 0.5 * Math.min(len, l2)) continue;
      // The inside between the edges' bands, line by line (offset t across, 1 px apart): where the
      // hole starts and ends on that line, and the strip behind each end.
      const t0 = Math.min(0, sep) + half, t1 = Math.max(0, sep) - half;
      const R = Math.max(2, BAND_STRIP_CELLS * scale);
      const lines: { t: number; s0: number; s1: number }[] = [];
      let diff = 0, nd = 0;
      for (let t = t0; t <= t1; t += 1) {
        // The hole on this line: from the first hole pixel after a known one, walking along u.
        let s0 = NaN, s1 = NaN;
        for (let sIn = -R; sIn <= len + R; sIn += 0.5) {
          const x = Math.round(ax + sIn * ux + t * nx), y = Math.round(ay + sIn * uy + t * ny);
          if (x < 0 || y < 0 || x >= W || y >= H) continue;
          const k = known(y * W + x);
          if (!k && Number.isNaN(s0)) s0 = sIn;
          if (!k) s1 = sIn;
        }
        if (Number.isNaN(s0)) continue;
        if (!sampleKnown(image, known, ax + (s0 - 2) * ux + t * nx, ay + (s0 - 2) * uy + t * ny, ca)) continue;
        if (!sampleKnown(image, known, ax + (s1 + 2) * ux + t * nx, ay + (s1 + 2) * uy + t * ny, cb)) continue;
        diff += (Math.abs(ca[0]! - cb[0]!) + Math.abs(ca[1]! - cb[1]!) + Math.abs(ca[2]! - cb[2]!)) / 3; nd++;
        lines.push({ t, s0, s1 });
      }
      if (nd === 0 || diff / nd > BAND_SAME || lines.length < 0.5 * (t1 - t0 + 1)) continue;
      // The strip behind an end, mirrored back and forth (a longer one than an edge's: a band's
      // inside carries its spots and shading, which a short strip repeats as a row of ticks).
      const back = (k: number): number => { const m = k % (2 * R); return 2 + (m < R ? m : 2 * R - m); };
      for (const { t, s0, s1 } of lines) {
        const span = s1 - s0;
        for (let sIn = s0; sIn <= s1; sIn += 0.5) {
          const x = Math.round(ax + sIn * ux + t * nx), y = Math.round(ay + sIn * uy + t * ny);
          if (x < 0 || y < 0 || x >= W || y >= H) continue;
          const q = y * W + x, ox = x - box.x0, oy = y - box.y0;
          if (ox < 0 || oy < 0 || ox >= box.w || oy >= box.h) continue;
          const mq = oy * box.w + ox;
          if (known(q) || box.mark[mq]) continue;
          // The far end's copy fades in across the middle.
          const wb = Math.min(1, Math.max(0, (sIn - s0 - span / 2 + fade) / (2 * fade)));
          const okA = wb < 1 && sampleKnown(image, known, ax + (s0 - back(sIn - s0)) * ux + t * nx, ay + (s0 - back(sIn - s0)) * uy + t * ny, ca);
          const okB = wb > 0 && sampleKnown(image, known, ax + (s1 + back(s1 - sIn)) * ux + t * nx, ay + (s1 + back(s1 - sIn)) * uy + t * ny, cb);
          if (!crossFade(d, q, ca, okA, cb, okB, wb)) continue;
          box.mark[mq] = 1;
          painted.push(q);
        }
      }
    }
  }
}
