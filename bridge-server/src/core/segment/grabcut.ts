/**
 * The object inside a loose selection, weight-free: GrabCut (Rother, Kolmogorov, Blake 2004) on a
 * crop of the selection's bounding box plus a margin, at full resolution up to 200 px on its long
 * side, else downscaled to 160 px (about 20–30 ms at 1024², ~175 ms for a 36 MP document).
 *
 * - Seeds (trimap): everything outside the selection is definite background (the margin gives a
 *   ring of it around the box); pixels near the handle points (drag starts) are definite
 *   foreground; the rest of the selection is unknown, initially foreground — except what the
 *   surroundings reach by gradual colour changes in colours they rarely have themselves (a
 *   defocused background's blur found only inside the selection, {@link backgroundStart}).
 * - Colour models: one Gaussian mixture per class ({@link GMM_COMPONENTS} full-covariance
 *   components) in CIE Lab — dark greens and dark blues, close in RGB, separate there — seeded
 *   by a deterministic k-means, re-estimated from the current labels.
 * - The selection's colours are first compared with its surroundings': when they are the same
 *   there is no object to find and no cut is made.
 * - Each round (2 by default): assign components (each pixel's most likely component, also its
 *   data term), fit the mixtures, set the t-links (−log likelihoods) of one 4-connected graph
 *   (n-links γ·exp(−β‖Δz‖²) with β from the mean contrast; definite background pixels are not
 *   nodes, their n-links go to the sink) and cut it with {@link MaxFlowGraph}; later rounds
 *   continue from the previous round's flow.
 * - Clean-up on the coarse grid: keep the foreground components that hold a handle (or the
 *   largest) and others at least a quarter of the largest; fill small enclosed background holes.
 * - Upsampling: bilinear of the coarse label; in the transition band the colour models' log
 *   likelihood ratio decides together with that prior; then the object grows into adjacent
 *   pixels its colour model clearly explains (thin parts lost on the coarse grid) and, when asked,
 *   by a rim of one coarse pixel. Everything is limited to the selection, so nothing outside the
 *   selection is ever foreground.
 *
 * The segmentation is judged reliable only when the object is neither almost the whole selection
 * nor tiny, every handle lies on it, and the two colour models separate the selection's pixels.
 */
import type { PlacedMask, Point, RgbaImage } from '../types';
import { Gmm, GMM_COMPONENTS, kmeansLabels, rgbToLab } from './gmm';
import { MaxFlowGraph } from './maxflow';
import { growRings } from '../rings';
import { checkRow, throwIfCancelled } from '../cancel';

export interface SegmentOptions {
  /** Longest side of the coarse grid when the crop is downscaled (default 160). */
  maxSide?: number;
  /** Crops whose longest side is at most this are segmented at full resolution (default 200). */
  fullResSide?: number;
  /**
   * Grow the object mask by this many coarse pixels (at least 2 px) inside the selection, so its
   * anti-aliased edge and parts thinner than a coarse pixel go with it (default 0: the object).
   */
  grow?: number;
  /** GrabCut rounds (default 2). */
  iterations?: number;
  /** Smoothness weight γ (default 50, as in the paper). */
  gamma?: number;
  /**
   * Read the object as a whole, as a rigid move takes it (default false): its appendages in
   * colours of their own join it ({@link attachAppendages}: a stem, a pencil's point and ferrule),
   * and another object the selection's edge cuts through is left out (moving its inside part would
   * tear it) unless an arrow starts on it.
   */
  wholeObject?: boolean;
  /**
   * With `grow`: each pixel of the grown rim covers the object by how far its colour lies from the
   * background's towards the object's ({@link softenRim}) instead of wholly (default false). A rim
   * of whole coverage carries the backdrop along: a pale line along a bird's back moved onto bark.
   */
  softRim?: boolean;
}

export interface ObjectSegmentation {
  /** The object, placed like the selection (same left/top/width/height); ⊆ the selection. */
  mask: PlacedMask;
  /** Object area / selection area (coverage-weighted at full resolution). */
  fraction: number;
  /**
   * How well the colour models separate the selection's pixels: the mean log-likelihood ratio of
   * each class for its own model (nats; the smaller of object and selection background).
   */
  separation: number;
  /** False when the object should not be used (see `why`). */
  reliable: boolean;
  /** Why it is (not) reliable, in plain words. */
  why: string;
  /** The coarse grid worked on: its size and the scale from document to coarse pixels. */
  coarse: { width: number; height: number; scale: number };
  /**
   * With `softRim`: the pixels of the object's own edge (its outermost two) and of the grown rim
   * (indices into `mask`'s rectangle) and the coverage each reads from its colour ({@link softenRim}). `mask` itself keeps the rim whole: the readings
   * built on the object (where it meets the selection's edge, the tips past it) see the same
   * object; only what moves takes these coverages ({@link softenedRim}).
   */
  rim?: {
    index: Int32Array; cover: Uint8Array;
    /**
     * Per rim pixel, its colour with the local backdrop's share replaced by the object's
     * (C + (1 − a)(F − B), {@link softenRim}): what the object alone shows there. Where no coverage
     * was read the pixel's own colour. Moved onto another background, a partial pixel then carries
     * none of the old one ({@link rimColours}).
     */
    colour: Uint8Array;
  };
}

/**
 * Object fractions outside [MIN, MAX] of the selection are not trusted. The floor is low enough for
 * a thin object in a loose selection (a pencil is ~5–7% of an ellipse around it); a stray blob
 * near the seeds is caught by the seed, separation and handle tests instead.
 */
export const MIN_OBJECT_FRACTION = 0.03;
export const MAX_OBJECT_FRACTION = 0.9;
/** Log-likelihood ratio (nats) from which a pixel next to the object is taken as part of it. */
const GROW_LLR = 2;
/** Smallest divergence (nats) of the selection's colours from its surroundings' worth a graph cut. */
export const MIN_DIVERGENCE = 0.4;
/** Smallest colour-model separation (nats) that is trusted. */
export const MIN_SEPARATION = 1.0;

/**
 * Share of the selection's pixels that are rarer under the surroundings' colour model than all but
 * OUTLIER_QUANTILE of the surroundings' own pixels. A thin object (a pencil, a pole) is too small a
 * part of a loose selection to move the mean divergence, but its pixels are all such outliers; a
 * selection of the same texture as its surroundings has about OUTLIER_QUANTILE of them.
 */
const OUTLIER_QUANTILE = 0.01;
/** Smallest outlier share (see above) that lets a selection with a low mean divergence through. */
export const MIN_OUTLIER_SHARE = 0.03;

function outlierShare(logB: Float64Array, state: Uint8Array, n: number, rare: number): number {
  let out = 0, nodes = 0;
  for (let p = 0; p < n; p++) if (state[p] !== FIXED_BG) { nodes++; if (logB[p]! < rare) out++; }
  return nodes > 0 ? out / nodes : 0;
}

/**
 * The surroundings' log-likelihood under their own colour model below which only
 * OUTLIER_QUANTILE of them lie: a selection pixel below it has a colour the surroundings rarely
 * have (-Infinity when there are no surroundings).
 */
function rareBelow(logB: Float64Array, state: Uint8Array, n: number, nBg: number): number {
  const bgLog = new Float64Array(nBg);
  let k = 0;
  for (let p = 0; p < n; p++) if (state[p] === FIXED_BG) bgLog[k++] = logB[p]!;
  if (k === 0) return -Infinity;
  bgLog.subarray(0, k).sort();
  return bgLog[Math.floor(OUTLIER_QUANTILE * (k - 1))]!;
}

/** Forward neighbours of the 4-connected grid and 1 / their length. */
const NBX = [1, 0], NBY = [0, 1], NBINV = [1, 1];
const FIXED_BG = 0, UNKNOWN = 1, FIXED_FG = 2;
const BIG = 1e9;

/**
 * Segment the object inside `selection` (document coordinates) whose drags start at `handles`.
 * `signal` is checked between the steps, between and inside the GrabCut rounds (the graph cut
 * every few thousand augmentations) and every few dozen rows of the full-resolution passes; it
 * throws `CancelledError` once fired (core/cancel.ts).
 */
export function segmentObject(image: RgbaImage, selection: PlacedMask, handles: readonly Point[], opts: SegmentOptions = {}, signal?: AbortSignal): ObjectSegmentation {
  const maxSide = opts.maxSide ?? 160, iterations = Math.max(1, opts.iterations ?? 2), gamma = opts.gamma ?? 50;
  const W = image.width, H = image.height, img = image.data;
  const sl = selection.left, st = selection.top, sw = selection.width, sh = selection.height, sd = selection.data;
  const empty = (why: string, scale = 1, cw = 0, ch = 0): ObjectSegmentation => ({
    mask: { left: sl, top: st, width: sw, height: sh, data: new Uint8Array(sw * sh) },
    fraction: 0, separation: 0, reliable: false, why, coarse: { width: cw, height: ch, scale },
  });
  // Selection bounds in the document (solid pixels, clipped to the image): per row, the first and
  // the last solid pixel (scans stop at them).
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  const rowA = Math.max(0, -st), rowB = Math.min(sh, H - st), colA = Math.max(0, -sl), colB = Math.min(sw, W - sl);
  for (let y = rowA; y < rowB; y++) {
    checkRow(signal, y - rowA);
    const row = y * sw;
    let xa = colA;
    while (xa < colB && sd[row + xa]! < 128) xa++;
    if (xa === colB) continue;
    let xb = colB - 1;
    while (sd[row + xb]! < 128) xb--;
    if (xa + sl < x0) x0 = xa + sl; if (xb + sl > x1) x1 = xb + sl;
    if (y + st < y0) y0 = y + st; y1 = y + st;
  }
  if (x1 < x0) return empty('the selection is empty');
  const margin = Math.max(8, Math.ceil(0.1 * Math.max(x1 - x0 + 1, y1 - y0 + 1)));
  const rl = Math.max(0, x0 - margin), rt = Math.max(0, y0 - margin);
  const rr = Math.min(W, x1 + 1 + margin), rb = Math.min(H, y1 + 1 + margin);
  const rw = rr - rl, rh = rb - rt;
  const scale = Math.max(rw, rh) <= (opts.fullResSide ?? 200) ? 1 : Math.min(1, maxSide / Math.max(rw, rh));
  const cw = Math.max(1, Math.round(rw * scale)), ch = Math.max(1, Math.round(rh * scale));
  const n = cw * ch;
  // ---- coarse colours and selection coverage (a few samples per cell)
  const col = new Float32Array(n * 3);
  const cov = new Float32Array(n);
  const selAt = (dx: number, dy: number): number => {
    const x = dx - sl, y = dy - st;
    return x >= 0 && y >= 0 && x < sw && y < sh ? sd[y * sw + x]! : 0;
  };
  for (let cy = 0; cy < ch; cy++) {
    const ya = rt + Math.floor((cy * rh) / ch), yb = Math.max(ya + 1, rt + Math.floor(((cy + 1) * rh) / ch));
    const sy = Math.max(1, Math.floor((yb - ya) / 3));
    for (let cx = 0; cx < cw; cx++) {
      const xa = rl + Math.floor((cx * rw) / cw), xb = Math.max(xa + 1, rl + Math.floor(((cx + 1) * rw) / cw));
      const sx = Math.max(1, Math.floor((xb - xa) / 3));
      let r = 0, g = 0, b = 0, s = 0, k = 0;
      for (let y = ya + (sy >> 1); y < yb; y += sy) {
        for (let x = xa + (sx >> 1); x < xb; x += sx) {
          const i = (y * W + x) * 4;
          r += img[i]!; g += img[i + 1]!; b += img[i + 2]!; s += selAt(x, y) >= 128 ? 1 : 0; k++;
        }
      }
      const p = cy * cw + cx;
      rgbToLab(r / k, g / k, b / k, col, p * 3); cov[p] = s / k;
    }
  }
  throwIfCancelled(signal);
  // ---- trimap
  const state = new Uint8Array(n);
  let nBg = 0;
  for (let p = 0; p < n; p++) { state[p] = cov[p]! >= 0.5 ? UNKNOWN : FIXED_BG; if (state[p] === FIXED_BG) nBg++; }
  if (nBg < 32) return empty('no background around the selection to learn its colours from', scale, cw, ch);
  const seedR = 2;
  let seedCount = 0;
  for (const h of handles) {
    const hx = Math.round((h[0] - rl) * scale - 0.5), hy = Math.round((h[1] - rt) * scale - 0.5);
    for (let y = hy - seedR; y <= hy + seedR; y++) {
      for (let x = hx - seedR; x <= hx + seedR; x++) {
        if (x < 0 || y < 0 || x >= cw || y >= ch || (x - hx) ** 2 + (y - hy) ** 2 > seedR * seedR + 0.5) continue;
        if (state[y * cw + x] === UNKNOWN) { state[y * cw + x] = FIXED_FG; seedCount++; }
      }
    }
  }
  // ---- smoothness: β = 1 / (2 ⟨‖Δz‖²⟩) over the neighbour pairs
  // The colour distance of every pair is kept for the n-link weights below.
  const pairD = new Float64Array(n * NBX.length);
  let sumD = 0, nD = 0;
  for (let y = 0; y < ch; y++) {
    for (let x = 0; x < cw; x++) {
      const p = y * cw + x;
      for (let k = 0; k < NBX.length; k++) {
        const xx = x + NBX[k]!, yy = y + NBY[k]!;
        if (xx < 0 || xx >= cw || yy >= ch) continue;
        const d = dist2(col, p, yy * cw + xx);
        pairD[p * NBX.length + k] = d;
        sumD += d; nD++;
      }
    }
  }
  const beta = sumD > 0 ? nD / (2 * sumD) : 0;
  // Node numbering: every pixel that is not definite background.
  const node = new Int32Array(n).fill(-1);
  let nodes = 0;
  for (let p = 0; p < n; p++) if (state[p] !== FIXED_BG) node[p] = nodes++;
  if (nodes === 0) return empty('the selection is too small', scale, cw, ch);
  // n-link weights, fixed for all rounds: per node its 4 neighbours (each pair once, from its
  // forward side: at most NBX.length edges per node).
  const nlinkTo = new Float64Array(n); // total weight to definite background neighbours
  const maxEdges = nodes * NBX.length;
  const edgeI = new Int32Array(maxEdges), edgeJ = new Int32Array(maxEdges), edgeW = new Float64Array(maxEdges);
  let edges = 0;
  for (let y = 0; y < ch; y++) {
    for (let x = 0; x < cw; x++) {
      const p = y * cw + x;
      for (let k = 0; k < NBX.length; k++) {
        const xx = x + NBX[k]!, yy = y + NBY[k]!;
        if (xx < 0 || xx >= cw || yy >= ch) continue;
        const q = yy * cw + xx;
        const a = node[p]!, b = node[q]!;
        if (a < 0 && b < 0) continue;
        const w = gamma * NBINV[k]! * Math.exp(-beta * pairD[p * NBX.length + k]!);
        if (a >= 0 && b >= 0) { edgeI[edges] = a; edgeJ[edges] = b; edgeW[edges] = w; edges++; }
        else if (a >= 0) nlinkTo[p] += w;
        else nlinkTo[q] += w;
      }
    }
  }
  throwIfCancelled(signal);
  // ---- GrabCut rounds
  const fgLabel = new Uint8Array(n); // current labels: 1 = object
  for (let p = 0; p < n; p++) fgLabel[p] = state[p] === FIXED_BG ? 0 : 1;
  const fCompAll = new Uint8Array(n), bCompAll = new Uint8Array(n);
  const bestF = new Uint8Array(n), bestB = new Uint8Array(n);
  const fg = new Gmm(GMM_COMPONENTS), bg = new Gmm(GMM_COMPONENTS);
  const fgIdx = new Int32Array(n), bgIdx = new Int32Array(n);
  const logF = new Float64Array(n), logB = new Float64Array(n);
  let g: MaxFlowGraph | null = null;
  const tSrc = new Float64Array(nodes), tSnk = new Float64Array(nodes);
  const check = signal ? (): void => throwIfCancelled(signal) : undefined;
  // Fit both mixtures to the current labels — components from k-means on a fresh start, else
  // each pixel's most likely component of the last round — and evaluate every pixel under them;
  // false when a class has too few pixels for its mixture.
  const fitToLabels = (fresh: boolean): boolean => {
    let nf = 0, nb = 0;
    for (let p = 0; p < n; p++) { if (fgLabel[p]) fgIdx[nf++] = p; else bgIdx[nb++] = p; }
    if (nf < GMM_COMPONENTS * 3 || nb < GMM_COMPONENTS * 3) return false;
    const fComp = fCompAll.subarray(0, nf), bComp = bCompAll.subarray(0, nb);
    if (fresh) { kmeansLabels(col, fgIdx, nf, fg.k, fComp); kmeansLabels(col, bgIdx, nb, bg.k, bComp); }
    else {
      for (let t = 0; t < nf; t++) fComp[t] = bestF[fgIdx[t]!]!;
      for (let t = 0; t < nb; t++) bComp[t] = bestB[bgIdx[t]!]!;
    }
    fg.fit(col, fgIdx, nf, fComp);
    bg.fit(col, bgIdx, nb, bComp);
    throwIfCancelled(signal);
    fg.evaluate(col, n, state, FIXED_BG, logF, bestF);
    bg.evaluate(col, n, state, 255, logB, bestB);
    throwIfCancelled(signal);
    return true;
  };
  for (let it = 0; it < iterations; it++) {
    throwIfCancelled(signal);
    if (!fitToLabels(it === 0)) break;
    if (it === 0) {
      // The selection's colours against its surroundings' (a KL divergence estimate): when they
      // are the same, there is no object to find and the cut would only chase noise.
      let kl = 0;
      for (let p = 0; p < n; p++) if (state[p] !== FIXED_BG) kl += Math.max(-10, Math.min(10, logF[p]! - logB[p]!));
      kl /= nodes;
      const rare = rareBelow(logB, state, n, nBg);
      if (kl < MIN_DIVERGENCE && outlierShare(logB, state, n, rare) < MIN_OUTLIER_SHARE) return empty(`the selection's colours are those of its surroundings (${kl.toFixed(2)} nats apart)`, scale, cw, ch);
      // Selection pixels the surroundings reach by gradual colour changes alone, and not the
      // object under the arrows, start as background ({@link backgroundStart}); the models are
      // fitted again from that start (backgroundStart leaves enough of each class). The cut may
      // still give them to the object.
      const start = backgroundStart(col, state, cw, ch, logB, rare);
      if (start) {
        for (let p = 0; p < n; p++) if (start[p]) fgLabel[p] = 0;
        fitToLabels(true);
      }
    }
    // One graph for all rounds: its n-links never change; later rounds change the t-links and
    // continue from the flow found so far.
    if (!g) {
      g = new MaxFlowGraph(nodes, edges);
      for (let e = 0; e < edges; e++) g.addEdge(edgeI[e]!, edgeJ[e]!, edgeW[e]!, edgeW[e]!);
    }
    for (let p = 0; p < n; p++) {
      const a = node[p]!;
      if (a < 0) continue;
      const src = state[p] === FIXED_FG ? BIG : -logB[p]!, snk = state[p] === FIXED_FG ? nlinkTo[p]! : -logF[p]! + nlinkTo[p]!;
      if (it === 0) g.addTerminal(a, src, snk);
      else g.changeTerminal(a, src - tSrc[a]!, snk - tSnk[a]!);
      tSrc[a] = src; tSnk[a] = snk;
    }
    throwIfCancelled(signal);
    g.maxflow(check);
    for (let p = 0; p < n; p++) { const a = node[p]!; if (a >= 0) fgLabel[p] = g.isSource(a) ? 1 : 0; }
  }
  throwIfCancelled(signal);
  cleanUp(fgLabel, state, cw, ch, opts.wholeObject === true);
  throwIfCancelled(signal);
  // ---- reliability on the coarse grid
  let objN = 0, selN = 0, sepF = 0, sepB = 0, nF = 0, nB = 0;
  for (let p = 0; p < n; p++) {
    if (state[p] === FIXED_BG) continue;
    selN++;
    const llr = logF[p]! - logB[p]!;
    if (fgLabel[p]) { objN++; sepF += Math.max(-10, Math.min(10, llr)); nF++; } else { sepB += Math.max(-10, Math.min(10, -llr)); nB++; }
  }
  const separation = Math.min(nF > 0 ? sepF / nF : 0, nB > 0 ? sepB / nB : 0);
  // Appendages join after the reliability figures: they are what the colour models could not
  // explain, not evidence that the models separate the object.
  const appendage = opts.wholeObject ? attachAppendages(fgLabel, state, col, cw, ch) : null;
  throwIfCancelled(signal);
  // ---- full-resolution mask: bilinear of the coarse labels, colour decides in the band
  const out = new Uint8Array(sw * sh);
  const lab = new Float32Array(3);
  const fx = cw / rw, fy = ch / rh;
  // Per column: the left coarse cell and the weight of the right one (-1: outside the crop).
  const colIx = new Int32Array(sw), colTx = new Float32Array(sw);
  for (let x = 0; x < sw; x++) {
    const dx = x + sl;
    if (dx < rl || dx >= rr) { colIx[x] = -1; continue; }
    const ux = Math.max(0, Math.min(cw - 1, (dx - rl + 0.5) * fx - 0.5));
    const ix = Math.min(Math.max(0, cw - 2), Math.floor(ux));
    colIx[x] = ix; colTx[x] = cw > 1 ? ux - ix : 0;
  }
  // Runs of columns that share their left coarse cell (the same for every row).
  const runX: number[] = [];
  for (let x = 0; x < sw; x++) if (colIx[x]! >= 0 && (x === 0 || colIx[x - 1] !== colIx[x])) runX.push(x);
  let objSum = 0, selSum = 0, ox0 = sw, ox1 = -1, oy0 = sh, oy1 = -1;
  for (let y = 0; y < sh; y++) {
    checkRow(signal, y);
    const dy = y + st;
    if (dy < rt || dy >= rb) continue;
    const vy = Math.max(0, Math.min(ch - 1, (dy - rt + 0.5) * fy - 0.5));
    const iy = Math.min(Math.max(0, ch - 2), Math.floor(vy)), ty = ch > 1 ? vy - iy : 0;
    const r0 = iy * cw, r1 = Math.min(ch - 1, iy + 1) * cw, row = y * sw;
    for (let k = 0; k < runX.length; k++) {
      const xs = runX[k]!, ix = colIx[xs]!;
      let xe = k + 1 < runX.length ? runX[k + 1]! : sw;
      while (xe > xs && colIx[xe - 1]! < 0) xe--;
      const ix1 = ix + 1 < cw ? ix + 1 : ix;
      const a = fgLabel[r0 + ix]!, b = fgLabel[r0 + ix1]!, c = fgLabel[r1 + ix]!, d = fgLabel[r1 + ix1]!;
      if (appendage !== null && !(a === 1 && b === 1 && c === 1 && d === 1)) {
        const fa = appendage.flag[r0 + ix]!, fb = appendage.flag[r0 + ix1]!, fc = appendage.flag[r1 + ix]!, fd = appendage.flag[r1 + ix1]!;
        if ((fa | fb | fc | fd) !== 0) {
          // An appendage's edge: its pixels are those unlike the background around the appendage
          // (its colours are not the object model's, which would drop them here).
          for (let x = xs; x < xe; x++) {
            const v = sd[row + x]!;
            if (v === 0) continue;
            selSum += v;
            const tx = colTx[x]!;
            const wa = fa * (1 - tx) * (1 - ty), wb = fb * tx * (1 - ty), wc = fc * (1 - tx) * ty, wd = fd * tx * ty;
            const q = wa >= wb && wa >= wc && wa >= wd && fa ? r0 + ix : wb >= wc && wb >= wd && fb ? r0 + ix1 : wc >= wd && fc ? r1 + ix : fd ? r1 + ix1 : fa ? r0 + ix : fb ? r0 + ix1 : r1 + ix;
            const prob = (a * (1 - tx) + b * tx) * (1 - ty) + (c * (1 - tx) + d * tx) * ty;
            const i = (dy * W + x + sl) * 4;
            rgbToLab(img[i]!, img[i + 1]!, img[i + 2]!, lab, 0);
            const e0 = lab[0]! - appendage.mu[q * 3]!, e1 = lab[1]! - appendage.mu[q * 3 + 1]!, e2 = lab[2]! - appendage.mu[q * 3 + 2]!;
            if (prob >= 0.75 || e0 * e0 + e1 * e1 + e2 * e2 > appendage.t2) {
              out[row + x] = v; objSum += v;
              if (x < ox0) ox0 = x; if (x > ox1) ox1 = x; if (y < oy0) oy0 = y; if (y > oy1) oy1 = y;
            }
          }
          continue;
        }
      }
      if (a === b && b === c && c === d) {
        // The whole run is inside or outside the object.
        let any = 0;
        for (let x = xs; x < xe; x++) { const v = sd[row + x]!; selSum += v; if (a === 1) { out[row + x] = v; objSum += v; any |= v; } }
        if (any > 0) { if (xs < ox0) ox0 = xs; if (xe - 1 > ox1) ox1 = xe - 1; if (y < oy0) oy0 = y; if (y > oy1) oy1 = y; }
        continue;
      }
      // The object's edge passes here: the colour models decide with the bilinear prior.
      for (let x = xs; x < xe; x++) {
        const v = sd[row + x]!;
        if (v === 0) continue;
        selSum += v;
        const tx = colTx[x]!;
        const prob = (a * (1 - tx) + b * tx) * (1 - ty) + (c * (1 - tx) + d * tx) * ty;
        const pc = Math.min(0.98, Math.max(0.02, prob));
        const i = (dy * W + x + sl) * 4;
        rgbToLab(img[i]!, img[i + 1]!, img[i + 2]!, lab, 0);
        const llr = fg.logDensity(lab[0]!, lab[1]!, lab[2]!) - bg.logDensity(lab[0]!, lab[1]!, lab[2]!);
        if (Math.log(pc / (1 - pc)) + 0.5 * Math.max(-8, Math.min(8, llr)) > 0) {
          out[row + x] = v; objSum += v;
          if (x < ox0) ox0 = x; if (x > ox1) ox1 = x; if (y < oy0) oy0 = y; if (y > oy1) oy1 = y;
        }
      }
    }
  }
  // Parts thinner than a coarse pixel (leaves, spokes, hair) are lost on the coarse grid: grow
  // the object into adjacent selection pixels that its colour model clearly explains better,
  // at most 3 coarse pixels (and 32 px) far.
  throwIfCancelled(signal);
  // A pixel (x, y of the selection's rectangle) its colour model clearly explains as the object's.
  const explained = (x: number, y: number): boolean => {
    const i = ((y + st) * W + x + sl) * 4;
    rgbToLab(img[i]!, img[i + 1]!, img[i + 2]!, lab, 0);
    return fg.logDensity(lab[0]!, lab[1]!, lab[2]!) - bg.logDensity(lab[0]!, lab[1]!, lab[2]!) >= GROW_LLR;
  };
  if (ox1 >= 0 && scale < 1) {
    const reach = Math.min(32, Math.ceil(3 / scale));
    const grown = growByColour(out, sd, sw, sh, ox0, oy0, ox1, oy1, reach, explained);
    objSum += grown.sum;
    if (grown.x0 < ox0) ox0 = grown.x0; if (grown.x1 > ox1) ox1 = grown.x1; if (grown.y0 < oy0) oy0 = grown.y0; if (grown.y1 > oy1) oy1 = grown.y1;
  }
  // Holes the full-resolution decisions leave inside the object (a white cheek under a bird's
  // eye, its colour the backdrop's): the coarse clean-up's rule at full resolution.
  if (ox1 >= 0) objSum += fillEnclosedHoles(out, sd, sw, ox0, oy0, ox1, oy1, objSum / 255, signal);
  const objArea = objSum / 255, selArea = selSum / 255;
  const fraction = selArea > 0 ? objArea / selArea : 0;
  throwIfCancelled(signal);
  let rim: ObjectSegmentation['rim'];
  if ((opts.grow ?? 0) > 0 && ox1 >= 0) {
    const r = Math.max(2, Math.round(opts.grow! / scale));
    const grown = growInside(out, sd, sw, sh, ox0, oy0, ox1 + 1, oy1 + 1, r);
    throwIfCancelled(signal);
    // (A rim pixel the object's colour model explains — a dark spot of a spotted hide, whose colour
    // lies off the line between the object's mean and the backdrop's — is the object's.)
    // The object's own outermost pixels are read too: an anti-aliased edge pixel the
    // full-resolution decision gave the object keeps its share of the backdrop's colour, which
    // moved onto another background showed as a pale line along the outline.
    if (opts.softRim) {
      const index = new Int32Array(grown.edge.length + grown.count);
      index.set(grown.edge); index.set(grown.list.subarray(0, grown.count), grown.edge.length);
      rim = { index, ...softenRim(out, index, index.length, image, sl, st, sw, sh, r + 2, explained, grown.edge.length) };
    }
  }
  const mask: PlacedMask = { left: sl, top: st, width: sw, height: sh, data: out };
  const coarse = { width: cw, height: ch, scale };
  const pct = `${Math.round(fraction * 100)}%`;
  let reliable = true, why = `the object is ${pct} of the selection and its colours separate from the selection's background (${separation.toFixed(2)} nats)`;
  const offObject = handles.filter((h) => {
    const x = Math.round(h[0]) - sl, y = Math.round(h[1]) - st;
    if (x < 0 || y < 0 || x >= sw || y >= sh) return true;
    // Within 2 px of the object counts as on it (handles are drawn by hand).
    for (let yy = Math.max(0, y - 2); yy <= Math.min(sh - 1, y + 2); yy++) for (let xx = Math.max(0, x - 2); xx <= Math.min(sw - 1, x + 2); xx++) if (out[yy * sw + xx]! >= 128) return false;
    return true;
  }).length;
  if (objN === 0 || fraction < MIN_OBJECT_FRACTION) { reliable = false; why = `the object found is tiny (${pct} of the selection)`; }
  else if (objN < 4 * seedCount) { reliable = false; why = `the object found is little more than the seeds around the arrows' starts (${pct} of the selection)`; }
  else if (fraction > MAX_OBJECT_FRACTION) { reliable = false; why = `the object found is almost the whole selection (${pct})`; }
  else if (separation < MIN_SEPARATION) { reliable = false; why = `the colours of the object and of the selection's background do not separate (${separation.toFixed(2)} nats)`; }
  else if (offObject > 0) { reliable = false; why = `${offObject} of ${handles.length} arrow(s) start off the object found (${pct} of the selection)`; }
  void selN;
  return { mask, fraction, separation, reliable, why, coarse, ...(rim ? { rim } : {}) };
}

/** Radius (coarse cells) of the local background window of {@link attachAppendages}. */
const APP_WINDOW = 4;
/** Smallest colour distance from the local background that is foreign (scaled Lab: ΔE 12). */
const APP_MIN_DIST = 30;
/** Foreign beyond this many robust standard deviations (1.4826 × the median distance) of the background's own. */
const APP_SIGMAS = 3;
/** Largest appendage, as a share of the object's cells. */
const APP_MAX_SHARE = 0.35;
/** Passes of {@link attachAppendages}: each leaves the foreign cells found so far out of the local means. */
const APP_PASSES = 3;

/**
 * Parts of the object the colour models leave out because their colours are the object's own
 * exceptions — an apple's stem, a pencil's point and ferrule, a tower's top in another light — and
 * which a rigid move would otherwise tear off and leave floating. Weight-free, on the coarse grid:
 * a selection cell outside the object is FOREIGN when its colour lies farther from the mean of the
 * background cells around it (a window of ±{@link APP_WINDOW} cells) than the background's own
 * spread allows (a robust scale: the median of those distances; at least {@link APP_MIN_DIST});
 * the means are taken again without the foreign cells found ({@link APP_PASSES} passes), so that
 * a long appendage does not hide itself by pulling its window's mean. Foreign components
 * (8-connected) that touch the object and not the selection's edge (a thing that runs out of the
 * selection is not this object's part) and are at most {@link APP_MAX_SHARE} of it join `label`.
 * Returned: the joined cells, each cell's background mean and the squared threshold, with which
 * the full-resolution edge of an appendage is drawn.
 */
function attachAppendages(label: Uint8Array, state: Uint8Array, col: Float32Array, w: number, h: number): { flag: Uint8Array; mu: Float32Array; t2: number } {
  const n = w * h, W1 = w + 1;
  // Cells whose colour counts as background in the local means: not the object, not yet foreign.
  const use = new Uint8Array(n);
  for (let p = 0; p < n; p++) use[p] = label[p] ? 0 : 1;
  const mu = new Float32Array(n * 3);
  const dist = new Float32Array(n);
  const foreign = new Uint8Array(n);
  // Summed-area table of (weight, L, a, b) over the cells in `use`.
  const S = new Float64Array(W1 * (h + 1) * 4);
  const tabulate = (): void => {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const p = y * w + x, u = use[p]!;
        const o = ((y + 1) * W1 + x + 1) * 4, up = (y * W1 + x + 1) * 4, lf = ((y + 1) * W1 + x) * 4, ul = (y * W1 + x) * 4;
        S[o] = u + S[up]! + S[lf]! - S[ul]!;
        for (let c = 0; c < 3; c++) S[o + 1 + c] = u * col[p * 3 + c]! + S[up + 1 + c]! + S[lf + 1 + c]! - S[ul + 1 + c]!;
      }
    }
  };
  // The cells in use within ±r of (x, y): their count, and their mean colour written to mu[p] (0 when none).
  const windowMean = (p: number, x: number, y: number, r: number): number => {
    const ya = Math.max(0, y - r), yb = Math.min(h, y + r + 1), xa = Math.max(0, x - r), xb = Math.min(w, x + r + 1);
    const A = (yb * W1 + xb) * 4, B = (ya * W1 + xb) * 4, C = (yb * W1 + xa) * 4, D = (ya * W1 + xa) * 4;
    const cnt = S[A]! - S[B]! - S[C]! + S[D]!;
    for (let c = 0; c < 3; c++) mu[p * 3 + c] = cnt > 0 ? (S[A + 1 + c]! - S[B + 1 + c]! - S[C + 1 + c]! + S[D + 1 + c]!) / cnt : 0;
    return cnt;
  };
  const ds: number[] = [];
  let t = APP_MIN_DIST;
  for (let pass = 0; pass < APP_PASSES; pass++) {
    tabulate();
    ds.length = 0;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const p = y * w + x;
        dist[p] = -1;
        if (label[p] || state[p] === FIXED_BG) continue;
        if (windowMean(p, x, y, APP_WINDOW) < 4) continue;
        let d2 = 0;
        for (let c = 0; c < 3; c++) { const e = col[p * 3 + c]! - mu[p * 3 + c]!; d2 += e * e; }
        dist[p] = Math.sqrt(d2);
        ds.push(dist[p]!);
      }
    }
    if (ds.length === 0) break;
    ds.sort((a, b) => a - b);
    t = Math.max(APP_MIN_DIST, APP_SIGMAS * 1.4826 * ds[ds.length >> 1]!);
    for (let p = 0; p < n; p++) { foreign[p] = dist[p]! > t ? 1 : 0; use[p] = label[p] || foreign[p] ? 0 : 1; }
  }
  let objN = 0;
  for (let p = 0; p < n; p++) if (label[p]) objN++;
  const flag = new Uint8Array(n);
  const seen = new Uint8Array(n);
  const stack = new Int32Array(n);
  const members: number[] = [];
  for (let s0 = 0; s0 < n; s0++) {
    if (!foreign[s0] || seen[s0]) continue;
    members.length = 0;
    let sp = 0, touchesObject = false, touchesEdge = false;
    stack[sp++] = s0; seen[s0] = 1;
    while (sp > 0) {
      const p = stack[--sp]!, x = p % w, y = (p - x) / w;
      members.push(p);
      for (let oy = -1; oy <= 1; oy++) {
        const yy = y + oy;
        if (yy < 0 || yy >= h) continue;
        for (let ox = -1; ox <= 1; ox++) {
          const xx = x + ox;
          if (xx < 0 || xx >= w || (ox === 0 && oy === 0)) continue;
          const q = yy * w + xx;
          if (label[q]) touchesObject = true;
          else if (state[q] === FIXED_BG) touchesEdge = true;
          else if (foreign[q] && !seen[q]) { seen[q] = 1; stack[sp++] = q; }
        }
      }
    }
    if (!touchesObject || touchesEdge || members.length > APP_MAX_SHARE * objN) continue;
    for (const p of members) flag[p] = 1;
  }
  let any = false;
  for (let p = 0; p < n; p++) if (flag[p]) { label[p] = 1; any = true; }
  if (!any) return { flag, mu, t2: t * t };
  // An appendage wider than the window hid its middle from the test (its window held mostly
  // itself): the gaps it encloses (4-connected, touching no definite background, under 5% of the
  // object, next to an appendage cell) join it, as cleanUp fills the object's own holes.
  seen.fill(0);
  for (let s0 = 0; s0 < n; s0++) {
    if (label[s0] || seen[s0]) continue;
    members.length = 0;
    let sp = 0, open = false, nextToAppendage = false;
    stack[sp++] = s0; seen[s0] = 1;
    while (sp > 0) {
      const p = stack[--sp]!, x = p % w, y = (p - x) / w;
      members.push(p);
      if (state[p] === FIXED_BG || x === 0 || y === 0 || x === w - 1 || y === h - 1) open = true;
      for (let k = 0; k < 4; k++) {
        const xx = x + (k === 0 ? 1 : k === 1 ? -1 : 0), yy = y + (k === 2 ? 1 : k === 3 ? -1 : 0);
        if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
        const q = yy * w + xx;
        if (label[q]) { if (flag[q]) nextToAppendage = true; }
        else if (!seen[q]) { seen[q] = 1; stack[sp++] = q; }
      }
    }
    if (open || !nextToAppendage || members.length >= 0.05 * objN) continue;
    for (const p of members) { label[p] = 1; flag[p] = 1; }
  }
  // The background around each appendage cell, now without any of the object: what its edge
  // pixels are told from at full resolution.
  for (let p = 0; p < n; p++) use[p] = label[p] ? 0 : 1;
  tabulate();
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      if (!flag[p]) continue;
      // The smallest window around the cell that holds some background (the middle of a wide
      // appendage has none within APP_WINDOW), or the whole grid.
      for (let r = APP_WINDOW; windowMean(p, x, y, r) < 4 && (y - r > 0 || x - r > 0 || y + r + 1 < h || x + r + 1 < w); r *= 2);
    }
  }
  return { flag, mu, t2: t * t };
}

/**
 * Breadth-first growth of `out` (4-connected) into pixels with `sel` > 0 for which `accept` holds,
 * at most `reach` steps from the object (whose bounds are [bx0, bx1] × [by0, by1]); returns the
 * added coverage and the bounds of the added pixels.
 */
function growByColour(out: Uint8Array, sel: Uint8Array, w: number, h: number, bx0: number, by0: number, bx1: number, by1: number, reach: number,
  accept: (x: number, y: number) => boolean): { sum: number; x0: number; y0: number; x1: number; y1: number } {
  // Visited flags over the window the growth can reach.
  const wx0 = Math.max(0, bx0 - reach), wy0 = Math.max(0, by0 - reach), wx1 = Math.min(w - 1, bx1 + reach), wy1 = Math.min(h - 1, by1 + reach);
  const ww = wx1 - wx0 + 1;
  const seen = new Uint8Array(ww * (wy1 - wy0 + 1));
  let front: number[] = [];
  for (let y = by0; y <= by1; y++) {
    for (let x = bx0; x <= bx1; x++) {
      const p = y * w + x;
      if (out[p] === 0) continue;
      seen[(y - wy0) * ww + x - wx0] = 1;
      if ((x > 0 && out[p - 1] === 0) || (x < w - 1 && out[p + 1] === 0) || (y > 0 && out[p - w] === 0) || (y < h - 1 && out[p + w] === 0)) front.push(p);
    }
  }
  let sum = 0, x0 = w, y0 = h, x1 = -1, y1 = -1;
  for (let step = 0; step < reach && front.length > 0; step++) {
    const next: number[] = [];
    for (const p of front) {
      const x = p % w, y = (p - x) / w;
      for (let k = 0; k < 4; k++) {
        const xx = x + (k === 0 ? 1 : k === 1 ? -1 : 0), yy = y + (k === 2 ? 1 : k === 3 ? -1 : 0);
        if (xx < wx0 || yy < wy0 || xx > wx1 || yy > wy1) continue;
        const q = yy * w + xx, sq = (yy - wy0) * ww + xx - wx0;
        if (seen[sq] || sel[q] === 0) continue;
        seen[sq] = 1;
        if (!accept(xx, yy)) continue;
        out[q] = sel[q]!; sum += sel[q]!;
        if (xx < x0) x0 = xx; if (xx > x1) x1 = xx; if (yy < y0) y0 = yy; if (yy > y1) y1 = yy;
        next.push(q);
      }
    }
    front = next;
  }
  return { sum, x0, y0, x1, y1 };
}

/**
 * Grow `out` (row length `w`, object bounds [x0, x1) × [y0, y1)) by `radius` px into pixels
 * where `sel` > 0, with the selection's value: breadth-first rings out of the object's edge,
 * alternating 8- and 4-neighbour steps (octagons ≈ discs). Cost ∝ edge length × radius.
 */
function growInside(out: Uint8Array, sel: Uint8Array, w: number, h: number, x0: number, y0: number, x1: number, y1: number, radius: number): { list: Int32Array; count: number; edge: number[] } {
  let list = new Int32Array(64), count = 0;
  if (radius <= 0 || x1 <= x0 || y1 <= y0) return { list, count, edge: [] };
  const front: number[] = [];
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const p = y * w + x;
      if (out[p] === 0) continue;
      if ((x > 0 && out[p - 1] === 0) || (x < w - 1 && out[p + 1] === 0) || (y > 0 && out[p - w] === 0) || (y < h - 1 && out[p + w] === 0)) front.push(p);
    }
  }
  // The object's own outermost EDGE_BAND pixels (its anti-aliased edge), listed before it grows.
  const edge = front.slice();
  const inEdge = new Uint8Array(w * h);
  for (const p of edge) inEdge[p] = 1;
  growRings(w, h, edge.slice(), edge.length, EDGE_BAND - 1, (q) => {
    if (out[q] === 0 || inEdge[q]) return false;
    inEdge[q] = 1;
    edge.push(q);
    return true;
  });
  // Pixels reached are marked in `out` at once (with the selection's value), so each is visited
  // once; pixels outside the selection stop the growth.
  growRings(w, h, front, front.length, radius, (q) => {
    if (out[q] !== 0 || sel[q] === 0) return false;
    out[q] = sel[q]!;
    if (count === list.length) { const b = new Int32Array(count * 2); b.set(list); list = b; }
    list[count++] = q;
    return true;
  });
  return { list, count, edge };
}

/**
 * How many of the object's own outermost pixels (rings inward from its outline) the soft rim reads
 * too: a sharp edge's anti-aliasing spans 1–3 px at any resolution.
 */
const EDGE_BAND = 2;
/** Smallest RGB distance between the local object and backdrop colours for which the object's own edge pixels are read. */
const EDGE_MIN_CONTRAST = 60;
/** Smallest RGB distance between the object's and the background's local colours for which a rim pixel's coverage is read from its colour. */
const RIM_MIN_CONTRAST = 30;
/** A rim pixel this far (or less) from the local backdrop's colour towards the object's covers nothing: the backdrop's own noise. */
const RIM_BACKDROP = 0.1;
/** A rim pixel this far (or more) towards the object's colour covers wholly: the object's own texture. */
const RIM_OBJECT = 0.9;

/** `v` rounded into [0, 255]. */
function clamp255(v: number): number {
  return v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
}

/**
 * The rim pixels of `seg` whose colour its soft rim replaced ({@link ObjectSegmentation.rim}
 * `colour`), as document pixel indices (y × `imageWidth` + x, ascending) and their colours (RGB):
 * what the warp takes instead of the image's colour where the moving mask is partial (Region
 * `rimColour`). Null when there are none.
 */
export function rimColours(seg: ObjectSegmentation, image: RgbaImage): { index: Int32Array; rgb: Uint8Array } | null {
  const rim = seg.rim;
  if (!rim || rim.index.length === 0) return null;
  const sw = seg.mask.width, sl = seg.mask.left, st = seg.mask.top, W = image.width, img = image.data;
  const at: number[] = [];
  for (let i = 0; i < rim.index.length; i++) {
    const p = rim.index[i]!, x = (p % sw) + sl, y = (p - (p % sw)) / sw + st;
    if (x < 0 || y < 0 || x >= W || y >= image.height) continue;
    const k = (y * W + x) * 4;
    if (rim.colour[3 * i] !== img[k] || rim.colour[3 * i + 1] !== img[k + 1] || rim.colour[3 * i + 2] !== img[k + 2]) at.push(y * W + x, i);
  }
  if (at.length === 0) return null;
  const order = Array.from({ length: at.length / 2 }, (_, j) => j).sort((a, b) => at[2 * a]! - at[2 * b]!);
  const index = new Int32Array(order.length), rgb = new Uint8Array(3 * order.length);
  order.forEach((j, n) => {
    const i = at[2 * j + 1]!;
    index[n] = at[2 * j]!;
    rgb[3 * n] = rim.colour[3 * i]!; rgb[3 * n + 1] = rim.colour[3 * i + 1]!; rgb[3 * n + 2] = rim.colour[3 * i + 2]!;
  });
  return { index, rgb };
}

/**
 * A copy of `mask` (an object's moving mask: the reading's own or grown past the selection) with
 * the grown rim of `seg` at the coverages its colours read ({@link ObjectSegmentation.rim}); the
 * mask itself when `seg` has none. Rim pixels outside `mask` are skipped; a pixel `mask` covers
 * less stays so.
 */
export function softenedRim(mask: PlacedMask, seg: ObjectSegmentation): PlacedMask {
  const rim = seg.rim;
  if (!rim || rim.index.length === 0) return mask;
  const out: PlacedMask = { ...mask, data: Uint8Array.from(mask.data) };
  const sw = seg.mask.width, dx = seg.mask.left - mask.left, dy = seg.mask.top - mask.top;
  for (let i = 0; i < rim.index.length; i++) {
    const p = rim.index[i]!, x = (p % sw) + dx, y = ((p - (p % sw)) / sw) + dy;
    if (x < 0 || y < 0 || x >= mask.width || y >= mask.height) continue;
    const q = y * mask.width + x;
    if (rim.cover[i]! < out.data[q]!) out.data[q] = rim.cover[i]!;
  }
  return out;
}

/**
 * The coverage of each grown rim pixel (`rim`, indices into `out`, whose rectangle is at
 * `sl`, `st` of `image`): its colour C against the local object colour F (mean of the object's
 * pixels, rim left out, within `reach` px) and the local background colour B (mean of the pixels
 * outside the grown object within `reach`): a = (C − B)·(F − B) / |F − B|², read as coverage
 * between {@link RIM_BACKDROP} (none: the noise of the backdrop) and {@link RIM_OBJECT} (whole:
 * the object's own texture), times the selection's value. An anti-aliased or blurred edge keeps
 * its partial pixels, the backdrop beyond it goes (a bird moved from a pale sky onto bark carried
 * an 8 px pale line at 20 MP). Where F and B are alike (under {@link RIM_MIN_CONTRAST}), either is
 * missing or the object's colour model explains the pixel (`objectLike`), it stays whole. The
 * window is sampled on a grid of about 9 × 9 points.
 */
function softenRim(out: Uint8Array, rim: Int32Array, count: number, image: RgbaImage, sl: number, st: number, sw: number, sh: number, reach: number,
  objectLike: (x: number, y: number) => boolean, edgeCount = 0): { cover: Uint8Array; colour: Uint8Array } {
  const cover = new Uint8Array(count), colour = new Uint8Array(3 * count);
  if (count === 0) return { cover, colour };
  const W = image.width, H = image.height, img = image.data;
  // 1: grown rim, 2: the object's own edge pixels. The local object colour leaves out the grown
  // rim, and for an edge pixel the edge too (for a grown rim pixel the edge counts, as before the
  // edge was read).
  const isRim = new Uint8Array(sw * sh);
  for (let i = 0; i < count; i++) isRim[rim[i]!] = i < edgeCount ? 2 : 1;
  const step = Math.max(1, Math.round(reach / 4));
  for (let i = 0; i < count; i++) {
    const p = rim[i]!, x = p % sw, y = (p - x) / sw;
    const skip = i < edgeCount ? 3 : 1;
    let fr = 0, fg = 0, fb = 0, fn = 0, br = 0, bg = 0, bb = 0, bn = 0;
    for (let dy = -reach; dy <= reach; dy += step) {
      const yy = y + dy, Y = yy + st;
      if (Y < 0 || Y >= H) continue;
      for (let dx = -reach; dx <= reach; dx += step) {
        const xx = x + dx, X = xx + sl;
        if (X < 0 || X >= W) continue;
        const inside = xx >= 0 && yy >= 0 && xx < sw && yy < sh;
        const q = yy * sw + xx;
        if (inside && (isRim[q]! & skip) !== 0) continue;
        const k = (Y * W + X) * 4;
        if (inside && out[q]! > 0) { fr += img[k]!; fg += img[k + 1]!; fb += img[k + 2]!; fn++; }
        else { br += img[k]!; bg += img[k + 1]!; bb += img[k + 2]!; bn++; }
      }
    }
    cover[i] = out[p]!;
    const k = ((y + st) * W + x + sl) * 4;
    colour[3 * i] = img[k]!; colour[3 * i + 1] = img[k + 1]!; colour[3 * i + 2] = img[k + 2]!;
    // (The object's own outermost pixels, `out` already covering them before the growth, are
    // not asked: its colour model learnt their anti-aliased colours as the object's.)
    if (fn === 0 || bn === 0 || (i >= edgeCount && objectLike(x, y))) continue;
    fr /= fn; fg /= fn; fb /= fn; br /= bn; bg /= bn; bb /= bn;
    const d0 = fr - br, d1 = fg - bg, d2 = fb - bb, dd = d0 * d0 + d1 * d1 + d2 * d2;
    // (The object's own edge pixels, with no colour model to vouch for them, only where the two
    // colours are plainly apart: else the noise of a faint edge would make the object see-through.)
    const minContrast = i < edgeCount ? EDGE_MIN_CONTRAST : RIM_MIN_CONTRAST;
    if (dd < minContrast * minContrast) continue;
    const share = ((img[k]! - br) * d0 + (img[k + 1]! - bg) * d1 + (img[k + 2]! - bb) * d2) / dd;
    const a = (share - RIM_BACKDROP) / (RIM_OBJECT - RIM_BACKDROP);
    cover[i] = Math.round(out[p]! * (a <= 0 ? 0 : a >= 1 ? 1 : a));
    // The backdrop's share (1 − share) of the pixel replaced by the object's: C + (1 − share)(F − B).
    // Composited at any coverage over a new background, no part of the old one shows.
    const rest = share <= 0 ? 1 : share >= 1 ? 0 : 1 - share;
    colour[3 * i] = clamp255(img[k]! + rest * d0);
    colour[3 * i + 1] = clamp255(img[k + 1]! + rest * d1);
    colour[3 * i + 2] = clamp255(img[k + 2]! + rest * d2);
  }
  return { cover, colour };
}

function dist2(col: Float32Array, p: number, q: number): number {
  const a = col[p * 3]! - col[q * 3]!, b = col[p * 3 + 1]! - col[q * 3 + 1]!, c = col[p * 3 + 2]! - col[q * 3 + 2]!;
  return a * a + b * b + c * c;
}

/**
 * Keep the object components that hold a definite-foreground seed (or the largest when none
 * does) and any other at least a quarter of the largest kept (with `dropCut`, only when it does not
 * run out of the selection); fill background holes that do not
 * reach definite background and are under 5% of the object.
 */
function cleanUp(label: Uint8Array, state: Uint8Array, w: number, h: number, dropCut: boolean): void {
  const n = w * h;
  const compOf = new Int32Array(n).fill(-1);
  const sizes: number[] = [], seeded: boolean[] = [];
  const stack = new Int32Array(n);
  const members: number[] = [];
  const flood = (start: number, value: number, conn8: boolean, id: number): number => {
    let sp = 0, size = 0;
    stack[sp++] = start; compOf[start] = id;
    while (sp > 0) {
      const p = stack[--sp]!, x = p % w, y = (p - x) / w;
      size++;
      if (value === 0) members.push(p);
      for (let oy = -1; oy <= 1; oy++) {
        const yy = y + oy;
        if (yy < 0 || yy >= h) continue;
        for (let ox = -1; ox <= 1; ox++) {
          if ((ox === 0 && oy === 0) || (!conn8 && ox !== 0 && oy !== 0)) continue;
          const xx = x + ox;
          if (xx < 0 || xx >= w) continue;
          const q = yy * w + xx;
          if (compOf[q]! >= 0 || label[q] !== value) continue;
          compOf[q] = id; stack[sp++] = q;
        }
      }
    }
    return size;
  };
  for (let p = 0; p < n; p++) {
    if (label[p] !== 1 || compOf[p]! >= 0) continue;
    const id = sizes.length;
    sizes.push(flood(p, 1, true, id));
    seeded.push(false);
  }
  for (let p = 0; p < n; p++) if (state[p] === FIXED_FG && compOf[p]! >= 0) seeded[compOf[p]!] = true;
  if (sizes.length === 0) return;
  let anySeed = seeded.some((s) => s);
  if (!anySeed) { let big = 0; for (let c = 1; c < sizes.length; c++) if (sizes[c]! > sizes[big]!) big = c; seeded[big] = true; anySeed = true; }
  let largest = 0;
  for (let c = 0; c < sizes.length; c++) if (seeded[c] && sizes[c]! > largest) largest = sizes[c]!;
  // (`dropCut`) An unseeded component that touches definite background runs out of the selection:
  // another object its edge cuts through, which moving would tear.
  const cut = new Array<boolean>(sizes.length).fill(false);
  if (dropCut) for (let p = 0; p < n; p++) {
    if (compOf[p]! < 0 || label[p] !== 1) continue;
    const x = p % w, y = (p - x) / w;
    if ((x > 0 && state[p - 1] === FIXED_BG) || (x < w - 1 && state[p + 1] === FIXED_BG) || (y > 0 && state[p - w] === FIXED_BG) || (y < h - 1 && state[p + w] === FIXED_BG)) cut[compOf[p]!] = true;
  }
  const keep = sizes.map((s, c) => seeded[c]! || (s >= largest / 4 && !cut[c]));
  let objArea = 0;
  for (let p = 0; p < n; p++) { if (label[p] === 1) { if (!keep[compOf[p]!]) label[p] = 0; else objArea++; } }
  // Holes: 4-connected background components that touch no definite background.
  compOf.fill(-1);
  for (let p = 0; p < n; p++) {
    if (label[p] !== 0 || compOf[p]! >= 0) continue;
    const start = members.length;
    flood(p, 0, false, 0);
    const size = members.length - start;
    let touches = size >= MAX_HOLE_SHARE * objArea;
    for (let k = start; k < members.length && !touches; k++) if (state[members[k]!] === FIXED_BG) touches = true;
    if (!touches) for (let k = start; k < members.length; k++) label[members[k]!] = 1;
  }
}

/** Largest hole (share of the object's area) {@link fillEnclosedHoles} and the coarse clean-up fill. */
const MAX_HOLE_SHARE = 0.05;

/**
 * Fill, in `out` (the object, `w` wide, with the selection's coverage `sel`), the background
 * components inside the object's box [x0, x1] × [y0, y1] that do not reach the box's edge and are
 * smaller than {@link MAX_HOLE_SHARE} of the object's area `objArea`; returns the coverage added
 * (sum of the selection's values written).
 */
export function fillEnclosedHoles(out: Uint8Array, sel: Uint8Array, w: number, x0: number, y0: number, x1: number, y1: number, objArea: number, signal?: AbortSignal): number {
  const bw = x1 - x0 + 1, bh = y1 - y0 + 1;
  if (bw < 3 || bh < 3) return 0;
  const limit = MAX_HOLE_SHARE * objArea;
  // Scanline flood fill: one byte a pixel for what was reached, and stacks of seeds and spans
  // that grow as needed (a large document's object box is tens of millions of pixels).
  const seen = new Uint8Array(bw * bh);
  let seeds = new Int32Array(1024), spans = new Int32Array(1024);
  let added = 0;
  const bg = (x: number, y: number): boolean => out[(y0 + y) * w + x0 + x]! < 128;
  for (let sy = 0; sy < bh; sy++) {
    if ((sy & 63) === 0) throwIfCancelled(signal);
    for (let sx = 0; sx < bw; sx++) {
      if (seen[sy * bw + sx] || !bg(sx, sy)) continue;
      let ns = 0, nspan = 0, area = 0, edge = false;
      seeds[ns++] = sx; seeds[ns++] = sy;
      while (ns > 0) {
        const y = seeds[--ns]!, x = seeds[--ns]!;
        if (seen[y * bw + x]) continue;
        let xl = x, xr = x;
        while (xl > 0 && !seen[y * bw + xl - 1] && bg(xl - 1, y)) xl--;
        while (xr < bw - 1 && !seen[y * bw + xr + 1] && bg(xr + 1, y)) xr++;
        seen.fill(1, y * bw + xl, y * bw + xr + 1);
        area += xr - xl + 1;
        if (xl === 0 || xr === bw - 1 || y === 0 || y === bh - 1) edge = true;
        if (!edge && area < limit) {
          if (nspan + 3 > spans.length) { const g = new Int32Array(spans.length * 2); g.set(spans); spans = g; }
          spans[nspan++] = y; spans[nspan++] = xl; spans[nspan++] = xr;
        }
        // Seeds: the first pixel of each run of unreached background above and below the span.
        for (let yy = y - 1; yy <= y + 1; yy += 2) {
          if (yy < 0 || yy >= bh) continue;
          let inRun = false;
          for (let xx = xl; xx <= xr; xx++) {
            const open = !seen[yy * bw + xx] && bg(xx, yy);
            if (open && !inRun) {
              if (ns + 2 > seeds.length) { const g = new Int32Array(seeds.length * 2); g.set(seeds); seeds = g; }
              seeds[ns++] = xx; seeds[ns++] = yy;
            }
            inRun = open;
          }
        }
      }
      if (edge || area >= limit) continue;
      for (let k = 0; k < nspan; k += 3) {
        const row = (y0 + spans[k]!) * w + x0;
        for (let x = spans[k + 1]!; x <= spans[k + 2]!; x++) { out[row + x] = sel[row + x]!; added += sel[row + x]!; }
      }
    }
  }
  return added;
}

/** Lab distance between neighbouring coarse cells that a gradual change crosses at no cost ({@link geodesicReach}). */
export const REACH_STEP = 5;
/** Largest {@link geodesicReach} cost from the surroundings at which a selection pixel may start as background. */
export const REACH_COST = 5;
/**
 * Least share of the selection's cells that {@link backgroundStart} must find before GrabCut's start
 * changes: a few scattered cells (0.04–1.5% of the lassos on the unseen photos: a bright leaf, a
 * glint) hold no colour worth learning, and moving them only perturbs the mixtures' start (a peg's
 * reading took leaves beside it); a defocused background's blur is a region (15% of the
 * nuthatch's lasso).
 */
export const START_MIN_SHARE = 0.05;

/**
 * Geodesic cost from the cells where `from` is set to every cell, through cells that are not
 * definite background (the sources aside), a step between 4-neighbours costing its Lab colour
 * distance beyond {@link REACH_STEP}: gradual changes are free, edges are not.
 */
export function geodesicReach(col: Float32Array, state: Uint8Array, w: number, h: number, from: (p: number) => boolean): Float32Array {
  const n = w * h, d = new Float32Array(n).fill(Infinity);
  for (let p = 0; p < n; p++) if (from(p)) d[p] = 0;
  let changed = true;
  const relax = (p: number, q: number): void => {
    if (d[q] === Infinity) return;
    const c = d[q]! + Math.max(0, Math.sqrt(dist2(col, p, q)) - REACH_STEP);
    if (c < d[p]!) { d[p] = c; changed = true; }
  };
  // Forward and backward raster sweeps until nothing changes (winding paths need a few).
  for (let it = 0; it < 16 && changed; it++) {
    changed = false;
    for (let y = 0, p = 0; y < h; y++) for (let x = 0; x < w; x++, p++) { if (state[p] === FIXED_BG) continue; if (x > 0) relax(p, p - 1); if (y > 0) relax(p, p - w); }
    for (let y = h - 1, p = n - 1; y >= 0; y--) for (let x = w - 1; x >= 0; x--, p--) { if (state[p] === FIXED_BG) continue; if (x < w - 1) relax(p, p + 1); if (y < h - 1) relax(p, p + w); }
  }
  return d;
}

/**
 * The selection cells that start GrabCut as background (1), or null when none do or too few
 * would be left to learn an object model from (a defocused object whose outline is as gradual as
 * its background: the whole selection starts as object, as GrabCut does).
 *
 * A cell starts as background when three things hold: its colour is one the surroundings rarely
 * have (below all but OUTLIER_QUANTILE of their own likelihoods under their colour model); the
 * surroundings reach it by gradual colour changes (cost ≤ {@link REACH_COST},
 * {@link geodesicReach}); and they reach it clearly sooner than the arrows' seeds do (by more than
 * REACH_COST) — background continuous with the surroundings, not the object under the arrows,
 * which where it runs out of the selection both reach at no cost.
 *
 * Why: GrabCut starts the whole selection as object, and its background model learns only the
 * colours outside the selection. A defocused background (bokeh, a sky's gradient, a lit wall)
 * changes colour smoothly across the selection, so colours found only inside it — a yellow-green
 * blur above a nuthatch on a 20 MP photo — were explained by the object model alone and moved
 * with the object: a block of background dragged along and its old place filled. Starting as
 * background they are learned by the background model. Colours the surroundings have are left
 * to GrabCut as before: an object's part that fades into a backdrop of its own colour (a bird's
 * white throat against a white sky, a lime's shadowed side against the dark gap beside it) would
 * otherwise start as background and, its colour being the backdrop's, be cut off.
 */
function backgroundStart(col: Float32Array, state: Uint8Array, w: number, h: number, logB: Float64Array, rare: number): Uint8Array | null {
  const n = w * h;
  const fromBg = geodesicReach(col, state, w, h, (p) => state[p] === FIXED_BG);
  const fromSeeds = geodesicReach(col, state, w, h, (p) => state[p] === FIXED_FG);
  const start = new Uint8Array(n);
  let nodes = 0, starts = 0;
  for (let p = 0; p < n; p++) {
    if (state[p] === FIXED_BG) continue;
    nodes++;
    if (state[p] === UNKNOWN && logB[p]! < rare && fromBg[p]! <= REACH_COST && fromBg[p]! + REACH_COST < fromSeeds[p]!) { start[p] = 1; starts++; }
  }
  const objectLeft = nodes - starts;
  return starts >= START_MIN_SHARE * nodes && objectLeft >= Math.max(GMM_COMPONENTS * 3, MIN_OBJECT_FRACTION * nodes) ? start : null;
}

