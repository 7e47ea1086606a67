/**
 * The object past a quick lasso's edge (issue #13, object-aware regions): a lasso drawn fast
 * around a bird, a horse or a rocket often clips an extremity — the beak tip, the ears, the tank's
 * nose. Cut along the lasso, the moved object leaves that tip behind, torn off. When the object
 * reading of a rigid move finds the object running onto the selection's edge, a band around the
 * selection ({@link extensionMargin} wide) is read with colour models of the object and of its
 * background (the selection's own background and a ring beyond the band) and cut by a graph cut
 * (GrabCut's energy: the object fixed to the object, the selection's background and keep pixels to
 * the background, contrast-sensitive smoothness), so that backdrop which shares the object's
 * colours but is parted from it by an edge stays. Each piece the cut gives to the object that
 * touches it and ENDS within the band moves with it: a tip. A piece that reaches the band's outer
 * edge is something larger the object is joined to (the stand a rocket stands on, the neck of a
 * lassoed head, a trunk, an arm cut by the lasso): it stays, and the planner warns as before; so
 * does a piece that meets the picture's edge along more than its join (backdrop cut by the frame).
 * All the pieces together may add at most {@link EXTEND_MAX_SHARE} of the object's area — more is
 * not a clipped tip but a lasso around part of a thing. Selection pixels of the object's colour
 * that the object reading left out (the rest of a head whose muzzle the lasso clipped: the
 * whole-object reading drops what the selection's edge cuts through) are the cut's to decide, so
 * the object comes out whole. Keep pixels never join.
 */
import type { PlacedMask, RgbaImage } from '../types';
import { placedMaskToCrop, unionOver } from '../image';
import type { ObjectSegmentation } from '../segment/grabcut';
import { fitColourModel, type Gmm, rgbToLab } from '../segment/gmm';
import { CELL_BG, CELL_FG, CELL_FREE, cutCells } from '../segment/cell-cut';
import { growRings } from '../rings';
import { maskHash } from '../content-hash';
import { checkRow, throwIfCancelled } from '../cancel';

/** Width of the band searched around the selection, as a fraction of √(selection area). */
export const EXTEND_MARGIN_FRACTION = 0.2;
/** Narrowest band (px). */
export const EXTEND_MIN_MARGIN = 6;
/** The background's colours are also read in a ring from the band's edge out to this many times its width. */
export const FAR_RING = 1.5;
/** Most area the pieces outside the selection may add, as a share of the object inside it. */
export const EXTEND_MAX_SHARE = 0.25;

/** The object with its tips past the selection's edge, and what was (not) taken. */
export interface ObjectExtension {
  /** The object inside the selection and the tips outside it, placed on the band's rectangle. */
  mask: PlacedMask;
  /** Pixels added to the object (the tips, their rim, and what they take back inside the selection). */
  added: number;
  /** The band's width (px): the tips end within about this far outside the selection. */
  marginPx: number;
  /** Pieces of the object outside the selection that run on past the band (they stay). */
  continuing: number;
}

/** The band's width (px) for a selection of `selectionArea` pixels. */
export function extensionMargin(selectionArea: number): number {
  return Math.max(EXTEND_MIN_MARGIN, Math.round(EXTEND_MARGIN_FRACTION * Math.sqrt(Math.max(0, selectionArea))));
}

const memo = new WeakMap<ObjectSegmentation, { key: string; value: ObjectExtension | null }>();

/** Cells per band width the band is grown on (a coarse grid: the band's exact edge does not matter). */
const GROW_CELLS = 12;

/**
 * The selection grown by about `m` px (a square neighbourhood, on a grid of cells about m / 12 px:
 * the selection's cells grown by running-window passes), clipped to the image, keep pixels (any
 * coverage) left out.
 */
function grownSelection(selection: PlacedMask, m: number, W: number, H: number, keep: readonly PlacedMask[], signal?: AbortSignal): PlacedMask {
  const left = Math.max(0, selection.left - m), top = Math.max(0, selection.top - m);
  const right = Math.min(W, selection.left + selection.width + m), bottom = Math.min(H, selection.top + selection.height + m);
  const w = Math.max(0, right - left), h = Math.max(0, bottom - top);
  const f = Math.max(1, Math.floor(m / GROW_CELLS)), R = Math.ceil(m / f);
  const gw = Math.ceil(w / f), gh = Math.ceil(h / f);
  // The selection's cells.
  const cell = new Uint8Array(gw * gh);
  const sx0 = Math.max(left, selection.left), sx1 = Math.min(right, selection.left + selection.width);
  const sy0 = Math.max(top, selection.top), sy1 = Math.min(bottom, selection.top + selection.height);
  for (let y = sy0; y < sy1; y++) {
    checkRow(signal, y - sy0);
    const sr = (y - selection.top) * selection.width - selection.left, cr = Math.floor((y - top) / f) * gw;
    for (let x = sx0; x < sx1; x++) if (selection.data[sr + x]! >= 128) cell[cr + Math.floor((x - left) / f)] = 1;
  }
  const grown = dilate(gw, gh, (p) => cell[p] === 1, R);
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const cr = Math.floor(y / f) * gw, row = y * w;
    for (let x = 0; x < w; x++) if (grown[cr + Math.floor(x / f)]) out[row + x] = 255;
  }
  throwIfCancelled(signal);
  if (keep.length > 0) {
    const kept = unionOver(keep, { left, top, width: w, height: h }).data;
    for (let p = 0; p < w * h; p++) if (kept[p]! > 0) out[p] = 0;
  }
  return { left, top, width: w, height: h, data: out };
}

/**
 * The object `seg` found inside `selection`, with its tips past the selection's edge (see the
 * module comment); null when nothing is added (no tip ends inside the band, the pieces would add
 * too much, or there are too few pixels to learn the colours from). `seg` is the object reading of
 * `selection` on `image` (segmentObject); `keep` are the pixels that must not change.
 */
export function extendPastSelection(
  image: RgbaImage, selection: PlacedMask, seg: ObjectSegmentation, keep: readonly PlacedMask[], signal?: AbortSignal,
): ObjectExtension | null {
  // (A reading from the object cache is the same object for the same selection and pixels: a
  // drag's later previews reuse the extension too.)
  const key = keep.map(maskHash).join('|');
  const known = memo.get(seg);
  if (known && known.key === key) return known.value;
  const value = extend(image, selection, seg, keep, signal);
  memo.set(seg, { key, value });
  return value;
}

/** Log-likelihood ratio (nats) at or above which a pixel outside the selection reads as the object's. */
export const TIP_LLR = 1;
/** Log-likelihood ratio (nats) at which a pixel next to a tip joins it as a part thinner than the cut's cells. */
const THIN_LLR = 2;
/** About this many colour samples are read per class (a regular stride over the box). */
const SAMPLES = 20_000;

/** `m ≥ 128` as 0/1 on the frame (left, top, w, h). */
function onFrame(m: PlacedMask, left: number, top: number, w: number, h: number): Uint8Array {
  const out = new Uint8Array(w * h);
  const x0 = Math.max(left, m.left), x1 = Math.min(left + w, m.left + m.width);
  const y0 = Math.max(top, m.top), y1 = Math.min(top + h, m.top + m.height);
  for (let y = y0; y < y1; y++) {
    const mr = (y - m.top) * m.width - m.left, orow = (y - top) * w - left;
    for (let x = x0; x < x1; x++) if (m.data[mr + x]! >= 128) out[orow + x] = 1;
  }
  return out;
}

/** Lab colours of the pixels of a `w × h` frame at (left, top) for which `pick(index)` holds, on a stride that reads about `SAMPLES` of the frame's pixels × `share`. */
function sample(image: RgbaImage, left: number, top: number, w: number, h: number, pick: (p: number) => boolean, out: number[], share = 1): void {
  const stride = Math.max(1, Math.round(Math.sqrt((w * h) / (SAMPLES * share))));
  const lab = new Float32Array(3);
  for (let y = 0; y < h; y += stride) {
    for (let x = 0; x < w; x += stride) {
      const p = y * w + x;
      if (!pick(p)) continue;
      const i = ((y + top) * image.width + x + left) * 4;
      rgbToLab(image.data[i]!, image.data[i + 1]!, image.data[i + 2]!, lab, 0);
      out.push(lab[0]!, lab[1]!, lab[2]!);
    }
  }
}

/** `set(p)` grown by `r` px (a square: running-window passes along rows, then columns), 0/1. */
function dilate(w: number, h: number, set: (p: number) => boolean, r: number): Uint8Array {
  const rows = new Uint8Array(w * h), out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    let last = -Infinity;
    for (let x = 0; x < w; x++) { if (set(y * w + x)) last = x; if (x - last <= r) rows[y * w + x] = 1; }
    let next = Infinity;
    for (let x = w - 1; x >= 0; x--) { if (set(y * w + x)) next = x; if (next - x <= r) rows[y * w + x] = 1; }
  }
  for (let x = 0; x < w; x++) {
    let last = -Infinity;
    for (let y = 0; y < h; y++) { if (rows[y * w + x]) last = y; if (y - last <= r) out[y * w + x] = 1; }
    let next = Infinity;
    for (let y = h - 1; y >= 0; y--) { if (rows[y * w + x]) next = y; if (next - y <= r) out[y * w + x] = 1; }
  }
  return out;
}

/** The indices of the pixels of `a` equal to `v`. */
function pixelsWith(a: Uint8Array, v: number): Int32Array {
  let n = 0;
  for (let p = 0; p < a.length; p++) if (a[p] === v) n++;
  const out = new Int32Array(n);
  for (let p = 0, k = 0; p < a.length; p++) if (a[p] === v) out[k++] = p;
  return out;
}

function extend(
  image: RgbaImage, selection: PlacedMask, seg: ObjectSegmentation, keep: readonly PlacedMask[], signal?: AbortSignal,
): ObjectExtension | null {
  const W = image.width, H = image.height;
  let selArea = 0, objArea = 0;
  for (let p = 0; p < selection.data.length; p++) if (selection.data[p]! >= 128) selArea++;
  for (let p = 0; p < seg.mask.data.length; p++) if (seg.mask.data[p]! >= 128) objArea++;
  if (objArea === 0) return null;
  const m = extensionMargin(selArea);
  const band = grownSelection(selection, m, W, H, keep, signal);
  const { left, top, width: w, height: h } = band;
  if (w === 0 || h === 0) return null;
  // On the band's frame: the selection, the object, the band (0/1 each).
  const sel = onFrame(selection, left, top, w, h), obj = onFrame(seg.mask, left, top, w, h), inBand = onFrame(band, left, top, w, h);
  throwIfCancelled(signal);
  // Colour models of the object and of the selection's background, away from the edge between
  // them (the object's grown rim and anti-aliased edge mix both): pixels whose neighbours `r` px
  // away are of the same class.
  const r = Math.max(2, Math.round(1 / Math.max(1e-6, seg.coarse.scale)));
  const deep = (p: number, cls: (q: number) => boolean): boolean => {
    const x = p % w, y = (p - x) / w;
    return x >= r && y >= r && x < w - r && y < h - r && cls(p) && cls(p - r) && cls(p + r) && cls(p - r * w) && cls(p + r * w);
  };
  const fgCol: number[] = [], bgCol: number[] = [];
  sample(image, left, top, w, h, (p) => deep(p, (q) => obj[q] === 1), fgCol);
  sample(image, left, top, w, h, (p) => deep(p, (q) => sel[q] === 1 && obj[q] === 0), bgCol, 0.5);
  // The background's colours also from a ring just past the band (what a tip ends in; a piece
  // that reaches it runs on, so the ring holds no tip).
  const outer = grownSelection(selection, Math.round(FAR_RING * m), W, H, keep, signal);
  const ow = outer.width, od = outer.data;
  sample(image, outer.left, outer.top, ow, outer.height, (p) => {
    if (od[p]! < 128) return false;
    const x = (p % ow) + outer.left - left, y = Math.floor(p / ow) + outer.top - top;
    return x < 0 || y < 0 || x >= w || y >= h || inBand[y * w + x] === 0;
  }, bgCol, 0.5);
  const fg = fitColourModel(fgCol), bg = fitColourModel(bgCol);
  throwIfCancelled(signal);
  if (!fg || !bg) return null;
  const lab = new Float32Array(3);
  // The global log-likelihood ratio of each band pixel, read once (NaN: not yet).
  const llrOf = new Float32Array(w * h).fill(Number.NaN);
  const llr = (p: number): number => {
    let v = llrOf[p]!;
    if (Number.isNaN(v)) {
      const x = p % w, y = (p - x) / w, i = ((y + top) * W + x + left) * 4;
      rgbToLab(image.data[i]!, image.data[i + 1]!, image.data[i + 2]!, lab, 0);
      v = llrOf[p] = fg.logDensity(lab[0]!, lab[1]!, lab[2]!) - bg.logDensity(lab[0]!, lab[1]!, lab[2]!);
    }
    return v;
  };
  const objectLike = (p: number): boolean => llr(p) >= TIP_LLR;
  // Which pixels outside the object go with it: a graph cut (GrabCut's energy, Rother et al.
  // 2004) on a coarse grid of the band's rectangle — the object's cells fixed to it, the
  // selection's background (unless it reads as the object's colour), keep pixels and what lies
  // past the band fixed to the background, the colour models as the data term and contrast-sensitive smoothness, so a piece
  // of backdrop that shares the object's colours but is parted from it by an edge (a pale wall
  // beside a white rocket's wing, a lemon's rind beside an orange slice's) is cut off along it.
  const kept = unionOver(keep, { left, top, width: w, height: h }).data;
  const { out: candidate, cell } = cutCandidates(image, left, top, w, h, sel, obj, inBand, kept, fg, bg, objectLike, signal);
  // Pixels within two cells of the band's outer edge (past it: neither band nor selection).
  const nearEdge = dilate(w, h, (p) => inBand[p] === 0 && sel[p] === 0, 2 * cell + 1);
  // Each piece: pixels the cut gives to the object outside it — outside the selection, or inside it
  // where the object reading left them out — 4-connected, reached from a band pixel outside the
  // selection next to the object. 0 unseen, 1 in a piece.
  const state = new Uint8Array(w * h);
  const accepted = new Uint8Array(w * h);
  let queue = new Int32Array(1024);
  let added = 0, continuing = 0;
  const isObj = (x: number, y: number): boolean => x >= 0 && y >= 0 && x < w && y < h && obj[y * w + x] === 1;
  for (let y = 0; y < h; y++) {
    checkRow(signal, y);
    for (let x = 0; x < w; x++) {
      const s0 = y * w + x;
      if (!candidate[s0] || state[s0] !== 0 || sel[s0] === 1) continue;
      if (!(isObj(x - 1, y) || isObj(x + 1, y) || isObj(x, y - 1) || isObj(x, y + 1))) continue;
      let head = 0, tail = 0, runsOn = false, frame = 0, contact = 0;
      queue[tail++] = s0; state[s0] = 1;
      while (head < tail) {
        const p = queue[head++]!, px = p % w, py = (p - px) / w;
        for (let k = 0; k < 4; k++) {
          const nx = k === 0 ? px - 1 : k === 1 ? px + 1 : px, ny = k === 2 ? py - 1 : k === 3 ? py + 1 : py;
          const ax = nx + left, ay = ny + top;
          // The picture's edge ends a piece (the object is cut by the frame, not joined to more).
          if (ax < 0 || ay < 0 || ax >= W || ay >= H) { frame++; continue; }
          if (nx < 0 || ny < 0 || nx >= w || ny >= h) { runsOn = true; continue; }
          const q = ny * w + nx;
          if (state[q] === 1) continue;
          // The object: the piece's join.
          if (obj[q] === 1) { contact++; continue; }
          // Past the band (or onto a keep pixel): outside the selection the piece runs on into
          // something larger; a keep pixel inside it stops the piece there.
          if (inBand[q] === 0) { if (sel[q] === 0) runsOn = true; continue; }
          if (!candidate[q]) continue;
          state[q] = 1;
          if (tail === queue.length) { const b = new Int32Array(queue.length * 2); b.set(queue); queue = b; }
          queue[tail++] = q;
        }
      }
      // The cut works on cells (a cell mostly past the band is background): a piece that ends
      // within two cells of the band's edge reaches it.
      for (let i = 0; i < tail && !runsOn; i++) if (nearEdge[queue[i]!]) runsOn = true;
      // A piece that meets the picture's edge along more than its join to the object is the
      // backdrop beside the object cut by the frame (a strip of wall by a stand's foot), not a tip.
      if (runsOn || frame > contact) { continuing++; continue; }
      for (let i = 0; i < tail; i++) accepted[queue[i]!] = 1;
      added += tail;
    }
  }
  if (added === 0) return null;
  // Parts thinner than the cut's cells (a horn's point, a beak's tip) are lost on its grid: the
  // tips grow into neighbouring pixels their colour model clearly explains better, at most two
  // cells far (as the object reading does inside the selection).
  const thin = pixelsWith(accepted, 1);
  growRings(w, h, thin, thin.length, 2 * cell, (q) => {
    if (accepted[q] !== 0 || inBand[q] === 0 || sel[q] === 1 || obj[q] === 1 || llr(q) < THIN_LLR) return false;
    accepted[q] = 1; added++;
    return true;
  });
  if (added > EXTEND_MAX_SHARE * objArea) return null;
  // The tips' anti-aliased edge goes with them, as the object's grown rim does inside the selection.
  const tips = pixelsWith(accepted, 1);
  growRings(w, h, tips, tips.length, r, (q) => {
    if (accepted[q] !== 0 || inBand[q] === 0 || sel[q] === 1 || obj[q] === 1) return false;
    accepted[q] = 2; added++;
    return true;
  });
  // The object's own coverage inside the selection, the tips solid.
  const data = placedMaskToCrop(seg.mask, { left, top, width: w, height: h }).data;
  for (let p = 0; p < w * h; p++) if (accepted[p]) data[p] = 255;
  // Where a tip joins the object the selection's anti-aliased edge left the object's pixels partly
  // covered: a faint line of what lies behind would show through the moved object there.
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      if (data[p] === 0 || data[p] === 255 || accepted[p]) continue;
      let near = false;
      for (let dy = -1; dy <= 1 && !near; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx, yy = y + dy;
          if (xx >= 0 && yy >= 0 && xx < w && yy < h && accepted[yy * w + xx]) { near = true; break; }
        }
      }
      if (near) data[p] = 255;
    }
  }
  return { mask: { left, top, width: w, height: h, data }, added, marginPx: m, continuing };
}

/** Longest side (cells) of the grid the band is cut on. */
const CUT_SIDE = 256;
/** Mean log-likelihood ratio (nats) from which a cell of the selection's background reads as the object's colour (left to the cut to decide). */
const LEFT_OUT_ADV = 1;
/** Smoothness weight of the cut (GrabCut's γ). */
const CUT_GAMMA = 50;

/**
 * The graph cut of the band's rectangle (see the caller): 1 for pixels, outside the object and
 * not kept, whose cell the cut gives to the object, and — on the edge of what it gives — whose own
 * colour is the object's rather than the background's (cells on the object's edge mix both).
 */
function cutCandidates(
  image: RgbaImage, left: number, top: number, w: number, h: number, sel: Uint8Array, obj: Uint8Array, inBand: Uint8Array, kept: Uint8Array,
  fg: Gmm, bg: Gmm, objectLike: (p: number) => boolean, signal?: AbortSignal,
): { out: Uint8Array; cell: number } {
  const W = image.width, d = image.data;
  const c = Math.max(1, Math.ceil(Math.max(w, h) / CUT_SIDE));
  const gw = Math.ceil(w / c), gh = Math.ceil(h / c), n = gw * gh;
  // Per cell: mean Lab of a few of its pixels (at most 2 × 2), shares of object, selection, band.
  const col = new Float32Array(n * 3), nObj = new Float32Array(n), nSel = new Float32Array(n), nKept = new Float32Array(n), nOut = new Float32Array(n), cnt = new Float32Array(n);
  // The data term: the mean of the sampled pixels' log-likelihood ratios (clipped to ±10 nats).
  const adv = new Float32Array(n);
  const step = Math.max(1, Math.ceil(c / 2));
  const lab = new Float32Array(3);
  for (let y = 0; y < h; y += step) {
    checkRow(signal, y);
    const cy = Math.floor(y / c);
    for (let x = 0; x < w; x += step) {
      const k = cy * gw + Math.floor(x / c), p = y * w + x, i = ((y + top) * W + x + left) * 4;
      rgbToLab(d[i]!, d[i + 1]!, d[i + 2]!, lab, 0);
      col[k * 3] += lab[0]!; col[k * 3 + 1] += lab[1]!; col[k * 3 + 2] += lab[2]!;
      cnt[k]++; nObj[k] += obj[p]!; nSel[k] += sel[p]! & (1 - obj[p]!); nKept[k] += kept[p]! > 0 ? 1 : 0; nOut[k] += 1 - inBand[p]!;
      adv[k] += Math.max(-10, Math.min(10, fg.logDensity(lab[0]!, lab[1]!, lab[2]!) - bg.logDensity(lab[0]!, lab[1]!, lab[2]!)));
    }
  }
  const cls = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    const m = Math.max(1, cnt[k]!);
    col[k * 3] /= m; col[k * 3 + 1] /= m; col[k * 3 + 2] /= m; adv[k] /= m;
    if (nObj[k]! >= 0.5 * m) cls[k] = CELL_FG;
    // The selection's background is the background — unless it reads as the object's colour: what
    // the object reading left out where the selection's edge cuts through (the rest of a head whose
    // muzzle the lasso clipped) is for the cut to decide. Keep pixels never go, nor what lies past
    // the band (the caller reads a piece that ends within two cells of it as reaching it).
    else if ((nSel[k]! >= 0.5 * m && adv[k]! < LEFT_OUT_ADV) || nKept[k]! > 0 || nOut[k]! >= 0.5 * m) cls[k] = CELL_BG;
  }
  const out = new Uint8Array(w * h);
  if (!cls.includes(CELL_FREE)) return { out, cell: c };
  const taken = cutCells(col, adv, cls, gw, gh, CUT_GAMMA, signal);
  // Cells given to the object; a pixel of one on the edge of that region (a 4-neighbour cell not
  // the object's) goes only when its own colour is the object's.
  const givenBeyond = (k: number): boolean => taken[k] === 1 && cls[k] !== CELL_FG;
  for (let y = 0; y < h; y++) {
    const cy = Math.floor(y / c);
    for (let x = 0; x < w; x++) {
      const cx = Math.floor(x / c), k = cy * gw + cx;
      const p = y * w + x;
      if (!taken[k] || obj[p] === 1 || inBand[p] === 0) continue;
      if (sel[p] === 1 && cls[k] === CELL_FG) {
        // A cell mostly the object's, inside the selection: its other pixels are the selection's
        // background — unless the object reading's edge runs through the cell where the cut gives
        // the object more next to it, diagonals included (the rest of a head the whole-object reading dropped): there a
        // pixel of the object's colour joins, or a line one pixel wide of what lay behind would
        // show across the moved object (a horse's head cut by a quick lasso).
        let beside = false;
        for (let dy = -1; dy <= 1 && !beside; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            const nx = cx + dx, ny = cy + dy;
            if (nx >= 0 && ny >= 0 && nx < gw && ny < gh && givenBeyond(ny * gw + nx)) { beside = true; break; }
          }
        }
        if (beside && objectLike(p)) out[p] = 1;
        continue;
      }
      const inner = (cx === 0 || taken[k - 1]) && (cx === gw - 1 || taken[k + 1]) && (cy === 0 || taken[k - gw]) && (cy === gh - 1 || taken[k + gw]);
      if (inner || objectLike(p)) out[p] = 1;
    }
  }
  return { out, cell: c };
}
