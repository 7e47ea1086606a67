/**
 * The cast shadow of an object on a plain backdrop (photo cases: "the red candy sits intact at
 * about (120,80) with its soft shadow, and its old spot is plain white background"). A selection
 * drawn tight around an object leaves out its soft shadow or coloured reflection: moved as given,
 * the object travels without it and the shadow stays behind as a ghost of the old place (the
 * candy's violet smudge, a grey halo). When the backdrop around the selection is plain, the pixels
 * next to the selection that are joined to it and differ from the backdrop — but far less than the
 * object does — are its shadow: they move with the object, and the filler restores the backdrop
 * where they were. Its faint fringe (a level or a few darker than the backdrop, as wide as the
 * photo is large) moves with it at just under half coverage, and the other objects next to it are returned
 * so that the fill's growth stops short of them (core/edit.ts).
 *
 * Weight-free and conservative: it does nothing on a textured backdrop (the ring around the
 * selection must be mostly one colour), for an object that hardly differs from its backdrop, or when
 * the shadow found is a few stray pixels. Another object next to the shadow is not taken: its
 * colour differs from the backdrop about as much as an object does, and the shadow's pixels must
 * stay under {@link SHADOW_MAX_SHARE} of the object's difference.
 */
import type { PlacedMask, RgbaImage } from '../types';
import { squaredDistance } from '../distance-transform';
import { placedMaskToCrop } from '../image';
import { checkRow, throwIfCancelled } from '../cancel';

/** How far the shadow may reach from the selection, in equivalent-disc radii of the selection (at least {@link SHADOW_MIN_REACH_PX}). */
export const SHADOW_REACH = 1;
/** Smallest reach in px. */
export const SHADOW_MIN_REACH_PX = 4;
/** Share of the backdrop ring that must lie within the backdrop's tolerance for it to count as plain. */
export const PLAIN_SHARE = 0.6;
/**
 * Largest robust spread (1.4826 × MAD, 8-bit levels, any channel) of a plain backdrop: paper, a
 * studio sweep, a clear sky are flat to a level or two; a painted wall or a table photographed with
 * its grain spreads 5 or more, and its darker and lighter patches are not shadows.
 */
export const PLAIN_MAX_SPREAD = 3;
/** A pixel differs from the backdrop when a channel is further than this many levels (or 3 spreads) from it. */
export const SHADOW_MIN_LEVELS = 8;
/** Shadow pixels differ from the backdrop by at most this share of the object's own difference. */
export const SHADOW_MAX_SHARE = 0.6;
/** The object must differ from its backdrop by at least this many levels (largest channel). */
export const OBJECT_MIN_LEVELS = 40;
/** Pixels this close to another object (outside the selection, as different from the backdrop as an object) are its rim, not shadow. */
export const FOREIGN_RIM_PX = 3;
/**
 * How far the vacated area is grown before it is filled (core/edit.ts `HOLE_GROW_PX`, kept equal by
 * a test): the shadow stays this much further from another object, so that the grown fill never
 * reaches into that object's rim (it would clip its outline). (edit.ts grows further only where
 * the selection leaves an object's soft edge behind, `holeGrowRadius`; the faint outer edge of a
 * shadow taken with the selection reads as none.)
 */
export const HOLE_GROWTH_PX = 6;
/** The object's own pixels this close past the selection's edge move with it (not another object, not shadow). */
export const OWN_RIM_PX = 2;
/** Width (px) over which the shadow's coverage fades in from the side it shares with another object. */
export const FADE_PX = 3;
/** The shadow must cover at least this share of the selection's area to be taken. */
export const SHADOW_MIN_SHARE = 0.03;
/**
 * Share of the shadow's pixels whose 8 neighbours all belong to the shadow or the selection: a cast
 * shadow is a solid smudge; pixels of a noisy or textured backdrop that happen to differ make a
 * ragged fringe and are not taken.
 */
export const SHADOW_MIN_SOLIDITY = 0.5;
/**
 * Largest share of the shadow's outline that may lie at the reach: a cast shadow fades out near its
 * object; a difference that runs on to the reach is the backdrop's own light (a vignette, a
 * gradient), not a shadow.
 */
export const SHADOW_MAX_OPEN = 0.1;

/**
 * The shadow's faint fringe: pixels joined to the shadow (or the selection) that differ from the
 * backdrop by more than this many levels (or 2 spreads) but less than the shadow's tolerance.
 */
export const FRINGE_MIN_LEVELS = 2;
/** The fringe stays this share of the selection's equivalent-disc radius away from other objects (at least the shadow's own margin). */
export const FRINGE_FOREIGN_SHARE = 0.3;
/** Rim kept around other objects next to a shadow, as a share of the selection's equivalent-disc radius (at least {@link FOREIGN_RIM_PX}). */
export const OTHER_RIM_SHARE = 0.1;
/**
 * Coverage (0..255) the fringe moves with: just under half, so the moved copy carries it faintly
 * and the moved outline (core/outline.ts: target coverage ≥ 128) leaves it out — at 128 the
 * marching ants ran around the invisible fringe, with crescents where the shadow's fading edge
 * lay between. The vacated place is filled through it by the growth ({@link CastShadow.fringePx}).
 */
export const FRINGE_COVER = 127;

/** What {@link castShadow} found. */
export interface CastShadow {
  /** The selection with its shadow (the selection's own coverage; on shadow pixels a coverage that fades out with the shadow). */
  mask: PlacedMask;
  /** Shadow pixels added. */
  pixels: number;
  /** Shadow area / selection area. */
  share: number;
  /** Width (px) of the shadow's faint fringe taken with it, at its widest (0: none). */
  fringePx: number;
  /**
   * Other objects next to the shadow with their anti-aliased rims ({@link OTHER_RIM_SHARE}), in
   * document pixels (null when none lies in the work box): the vacated area's growth must not enter
   * them (core/edit.ts). The shadow keeps its distance from them, but the fill grows past the
   * shadow as far as the object's soft edge reads — tens of px on a large document.
   */
  others: PlacedMask | null;
}

function median(values: Uint8Array, n: number): number {
  const hist = new Uint32Array(256);
  for (let i = 0; i < n; i++) hist[values[i]!]!++;
  let acc = 0;
  for (let v = 0; v < 256; v++) { acc += hist[v]!; if (2 * acc >= n) return v; }
  return 255;
}

/**
 * The colours of the blocks `pick` selects (per channel, rounded to 8-bit levels), their count, and
 * per channel the median and the robust spread (1.4826 × the median absolute deviation).
 */
function blockColours(rgb: Float32Array, n: number, pick: (p: number) => boolean): { v: Uint8Array[]; count: number; med: number[]; spread: number[] } {
  const v = [new Uint8Array(n), new Uint8Array(n), new Uint8Array(n)];
  let count = 0;
  for (let p = 0; p < n; p++) {
    if (!pick(p)) continue;
    for (let c = 0; c < 3; c++) v[c]![count] = Math.round(rgb[3 * p + c]!);
    count++;
  }
  const med = [0, 0, 0], spread = [0, 0, 0], dev = new Uint8Array(count);
  if (count > 0) {
    for (let c = 0; c < 3; c++) {
      med[c] = median(v[c]!, count);
      for (let k = 0; k < count; k++) dev[k] = Math.abs(v[c]![k]! - med[c]!);
      spread[c] = 1.4826 * median(dev, count);
    }
  }
  return { v, count, med, spread };
}

/** The shadow's reach, the backdrop ring's width and the margin read around the selection's rectangle, for a selection of `area` px. */
function shadowGeometry(area: number): { reachPx: number; ringPx: number; margin: number; rEqPx: number } {
  const rEqPx = Math.sqrt(area / Math.PI);
  const reachPx = Math.max(SHADOW_MIN_REACH_PX, Math.round(SHADOW_REACH * rEqPx));
  const ringPx = Math.max(4, Math.round(0.3 * rEqPx));
  return { reachPx, ringPx, margin: reachPx + ringPx + 3, rEqPx };
}

/**
 * How far around a selection's rectangle {@link castShadow} may read pixels, at most: the margin of
 * a selection filling its whole rectangle (no pass over the mask).
 */
export function castShadowMargin(mask: PlacedMask): number {
  return shadowGeometry(mask.width * mask.height).margin + 1;
}

/** Largest work box (px) read at full resolution; a larger one is read on blocks of f×f pixels. */
export const SHADOW_MAX_WORK_PIXELS = 100_000;

/**
 * The selection grown by its cast shadow, or why not (a textured backdrop, an object like its
 * backdrop, no shadow worth taking). `mask` is a tight selection in document coordinates. On a
 * large document the reading runs on f×f blocks (box means; a block belongs to the selection when
 * half its pixels do), at most {@link SHADOW_MAX_WORK_PIXELS} of them, and the shadow's blocks are
 * mapped back to the document's pixels.
 */
export function castShadow(image: RgbaImage, mask: PlacedMask, signal?: AbortSignal): CastShadow | { why: string } {
  const W = image.width, H = image.height, d = image.data;
  let area = 0;
  for (let i = 0; i < mask.data.length; i++) if (mask.data[i]! >= 128) area++;
  if (area === 0) return { why: 'empty selection' };
  const { reachPx, ringPx, margin: g, rEqPx } = shadowGeometry(area);
  // Work box: the selection's rectangle grown by the reach and the backdrop ring, inside the image.
  const bl = Math.max(0, mask.left - g), bt = Math.max(0, mask.top - g);
  const br = Math.min(W, mask.left + mask.width + g), bb = Math.min(H, mask.top + mask.height + g);
  if (br <= bl || bb <= bt) return { why: 'the selection lies outside the picture' };
  const f = Math.max(1, Math.ceil(Math.sqrt(((br - bl) * (bb - bt)) / SHADOW_MAX_WORK_PIXELS)));
  const w = Math.ceil((br - bl) / f), h = Math.ceil((bb - bt) / f), n = w * h;
  // Block means of the colour and the selection's share per block, from every pixel of a block up
  // to 2×2 blocks and from a 2×2 lattice of its pixels beyond (a large box is read in a few ms).
  const rgb = new Float32Array(3 * n), cnt = new Uint16Array(n), inSel = new Uint16Array(n);
  const stride = Math.max(1, f >> 1);
  for (let y = bt; y < bb; y += stride) {
    checkRow(signal, (y - bt) / stride);
    const by = ((y - bt) / f) | 0, my = y - mask.top, rowSel = my >= 0 && my < mask.height;
    for (let x = bl; x < br; x += stride) {
      const p = by * w + (((x - bl) / f) | 0), i = (y * W + x) * 4;
      rgb[3 * p] += d[i]!; rgb[3 * p + 1] += d[i + 1]!; rgb[3 * p + 2] += d[i + 2]!;
      cnt[p]++;
      const mx = x - mask.left;
      if (rowSel && mx >= 0 && mx < mask.width && mask.data[my * mask.width + mx]! >= 128) inSel[p]++;
    }
  }
  const sel = new Uint8Array(n);
  for (let p = 0; p < n; p++) {
    rgb[3 * p] /= cnt[p]!; rgb[3 * p + 1] /= cnt[p]!; rgb[3 * p + 2] /= cnt[p]!;
    if (2 * inSel[p]! >= cnt[p]!) sel[p] = 1;
  }
  const reach = reachPx / f, ringW = ringPx / f;
  // The object: the selection's blocks.
  const object = blockColours(rgb, n, (p) => sel[p] === 1);
  const objMed = object.med, no = object.count;
  // Quick refusal before the distance transform: the frame of the work box outside the selection's
  // rectangle grown by the reach (the backdrop ring's neighbourhood) is far from one colour.
  {
    const gx0 = Math.floor((mask.left - reachPx - bl) / f), gy0 = Math.floor((mask.top - reachPx - bt) / f);
    const gx1 = Math.ceil((mask.left + mask.width + reachPx - bl) / f), gy1 = Math.ceil((mask.top + mask.height + reachPx - bt) / f);
    const band = blockColours(rgb, n, (p) => { const x = p % w, y = (p - x) / w; return !(x >= gx0 && x < gx1 && y >= gy0 && y < gy1); });
    if (band.count >= 32 && no > 0) {
      const worst = Math.max(...band.spread);
      const diff = Math.max(...[0, 1, 2].map((c) => Math.abs(objMed[c]! - band.med[c]!)));
      if (worst > 2 * PLAIN_MAX_SPREAD) return { why: `the backdrop around the selection is not plain (spread ${worst.toFixed(1)} levels)` };
      if (diff < OBJECT_MIN_LEVELS / 2) return { why: `the object hardly differs from its backdrop (${diff} levels)` };
    }
  }
  const dist2 = squaredDistance(sel, w, h);
  // The backdrop: a ring just beyond the reach.
  const ringMax = (reach + ringW) * (reach + ringW), ringMin = reach * reach;
  const { v: ring, count: nr, med: bg, spread } = blockColours(rgb, n, (p) => sel[p] === 0 && dist2[p]! > ringMin && dist2[p]! <= ringMax);
  if (nr < 32 || no === 0) return { why: 'no backdrop around the selection' };
  const maxSpread = Math.max(...spread);
  if (maxSpread > PLAIN_MAX_SPREAD) return { why: `the backdrop around the selection is not plain (spread ${maxSpread.toFixed(1)} levels)` };
  const tol = Math.max(SHADOW_MIN_LEVELS, 3 * maxSpread);
  let plain = 0;
  for (let k = 0; k < nr; k++) {
    if (Math.abs(ring[0]![k]! - bg[0]!) <= tol && Math.abs(ring[1]![k]! - bg[1]!) <= tol && Math.abs(ring[2]![k]! - bg[2]!) <= tol) plain++;
  }
  if (plain < PLAIN_SHARE * nr) return { why: `the backdrop around the selection is not plain (${Math.round((100 * plain) / nr)}% of it is one colour)` };
  const objDiff = Math.max(Math.abs(objMed[0]! - bg[0]!), Math.abs(objMed[1]! - bg[1]!), Math.abs(objMed[2]! - bg[2]!));
  if (objDiff < OBJECT_MIN_LEVELS) return { why: `the object hardly differs from its backdrop (${objDiff} levels)` };
  const hi = SHADOW_MAX_SHARE * objDiff;
  throwIfCancelled(signal);
  // Differences are read on a 3×3 mean of the blocks, so that a noisy backdrop does not grow a fringe.
  const mean = new Float32Array(3 * n);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let r = 0, gg = 0, b = 0, k = 0;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= h) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= w) continue;
          const q = 3 * (yy * w + xx);
          r += rgb[q]!; gg += rgb[q + 1]!; b += rgb[q + 2]!; k++;
        }
      }
      const p = 3 * (y * w + x);
      mean[p] = r / k; mean[p + 1] = gg / k; mean[p + 2] = b / k;
    }
  }
  // Another object next to the shadow: blocks outside the selection that differ from the backdrop
  // as much as an object does. Its anti-aliased rim ({@link FOREIGN_RIM_PX} around it) and the
  // fill's growth ({@link HOLE_GROWTH_PX}) are never taken, so the neighbour keeps its outline.
  // The object's own outermost pixels just past the selection's edge (a selection drawn a pixel
  // inside the outline, an anti-aliased mask) are neither another object nor shadow: they are
  // taken with the object, and the shadow is looked for beyond them.
  const ownRim2 = Math.max(1, OWN_RIM_PX / f) ** 2;
  const foreign = new Uint8Array(n);
  for (let p = 0; p < n; p++) {
    if (sel[p] || dist2[p]! <= ownRim2) continue;
    const i = 3 * p; // the blocks themselves, not their 3×3 mean: the object's outermost pixels count
    if (Math.max(Math.abs(rgb[i]! - bg[0]!), Math.abs(rgb[i + 1]! - bg[1]!), Math.abs(rgb[i + 2]! - bg[2]!)) > hi) foreign[p] = 1;
  }
  const nearForeign = squaredDistance(foreign, w, h);
  const rim = Math.max(1, (FOREIGN_RIM_PX + HOLE_GROWTH_PX) / f) ** 2;
  // Grow from the selection over blocks within the reach that differ from the backdrop by more
  // than the tolerance and less than the object does (breadth-first, 4-neighbours).
  const shadow = new Uint8Array(n), cover = new Uint8Array(n);
  const queue = new Int32Array(n);
  const reach2 = reach * reach;
  const diff = (q: number): number => { const i = 3 * q; return Math.max(Math.abs(mean[i]! - bg[0]!), Math.abs(mean[i + 1]! - bg[1]!), Math.abs(mean[i + 2]! - bg[2]!)); };
  const cells = growBlocks(sel, shadow, queue, w, h, (q) => {
    if (sel[q] || dist2[q]! > reach2 || nearForeign[q]! <= rim) return false;
    const dv = diff(q), own = dist2[q]! <= ownRim2;
    if (dv <= tol || (dv > hi && !own)) return false;
    // Coverage: the shadow's faint fringe and its side towards another object move only in part,
    // so its moved copy fades into the backdrop instead of ending in a hard step.
    const fade = own ? 1 : Math.min(1, (dv - tol) / (2 * tol), (Math.sqrt(nearForeign[q]!) - Math.sqrt(rim)) / Math.max(1, FADE_PX / f));
    cover[q] = Math.max(1, Math.round(255 * fade));
    return true;
  });
  const selCells = no;
  if (cells < SHADOW_MIN_SHARE * selCells) return { why: `no shadow next to the selection (${cells * f * f} px)` };
  let solid = 0;
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const p = y * w + x;
      if (!shadow[p]) continue;
      let all = true;
      for (let dy = -1; dy <= 1 && all; dy++) for (let dx = -1; dx <= 1; dx++) { const q = p + dy * w + dx; if (!shadow[q] && !sel[q]) { all = false; break; } }
      if (all) solid++;
    }
  }
  const solidity = solid / cells;
  if (solidity < SHADOW_MIN_SOLIDITY) return { why: `what differs from the backdrop next to the selection is a ragged fringe, not a shadow (solidity ${solidity.toFixed(2)})` };
  // The shadow's outline (blocks with a 4-neighbour outside shadow and selection, or on the box's
  // edge) and the part of it at the reach or on the picture's frame: not faded out.
  const edge2 = Math.max(0, reach - 1.5) ** 2;
  const frame = { left: bl === 0, top: bt === 0, right: br === W, bottom: bb === H };
  const { outline, open } = openOutline(shadow, (q) => shadow[q] === 0 && sel[q] === 0, w, h, dist2, edge2, frame);
  if (open > SHADOW_MAX_OPEN * outline) return { why: `what differs from the backdrop runs on past the selection (${Math.round((100 * open) / outline)}% of its outline at the reach): the backdrop's own light, not a shadow` };
  // The shadow's faint fringe: beyond the tolerance a soft shadow fades out over as many pixels as
  // the picture is large (4–10 px at 1×, tens on a 24 MP document), a level or a few darker than
  // the backdrop. Left behind, it is the outline of a shadow of nothing, and the fill's colour
  // correction spreads its tint over the whole vacated place (a faint disc where each candy lay).
  // Taken with the shadow at just under half coverage: the vacated place is filled through it (the
  // hole's growth passes over it), and the moved copy carries it at half strength.
  const faint = Math.max(FRINGE_MIN_LEVELS, 2 * maxSpread);
  let fringePx = 0;
  // The fill's growth past the object's soft edge grows with the picture (edit.ts `rimReach`: up to
  // tens of px on a large document), so the fringe keeps away from other objects in proportion to
  // the object's size, not by a fixed few pixels: else the grown fill clips a neighbour's outline.
  const fringeRim = Math.max(rim, (Math.max(FOREIGN_RIM_PX + HOLE_GROWTH_PX, FRINGE_FOREIGN_SHARE * rEqPx) / f) ** 2);
  if (faint < tol) {
    const fringe = new Uint8Array(n);
    const held = (q: number): boolean => shadow[q] === 1 || sel[q] === 1;
    const fcells = growBlocks(held, fringe, queue, w, h, (q) => {
      if (held(q) || dist2[q]! > reach2 || nearForeign[q]! <= fringeRim) return false;
      const dv = diff(q);
      return dv > faint && dv <= hi;
    });
    // Like the shadow, the fringe must fade out before the reach (else it is the backdrop's own light).
    const { outline: fOutline, open: fOpen } = openOutline(fringe, (q) => fringe[q] === 0 && !held(q), w, h, dist2, edge2, frame);
    if (fcells > 0 && fOpen <= SHADOW_MAX_OPEN * fOutline) {
      // Its width: the farthest fringe block from the shadow and the selection (the growth of the
      // vacated place must pass over all of it: its coverage is under half, no seed of the growth).
      const heldMask = new Uint8Array(n);
      for (let p = 0; p < n; p++) if (held(p)) heldMask[p] = 1;
      const fromHeld = squaredDistance(heldMask, w, h);
      let widest = 0;
      for (let p = 0; p < n; p++) if (fringe[p] && fromHeld[p]! > widest) widest = fromHeld[p]!;
      fringePx = (Math.sqrt(widest) + 1) * f;
      for (let p = 0; p < n; p++) if (fringe[p]) { shadow[p] = 1; cover[p] = FRINGE_COVER; }
    }
  }
  throwIfCancelled(signal);
  // The grown mask: the selection's own coverage, 255 on the shadow's pixels outside it.
  let x0 = mask.left, y0 = mask.top, x1 = mask.left + mask.width, y1 = mask.top + mask.height;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    if (!shadow[y * w + x]) continue;
    x0 = Math.min(x0, bl + x * f); y0 = Math.min(y0, bt + y * f);
    x1 = Math.max(x1, Math.min(br, bl + (x + 1) * f)); y1 = Math.max(y1, Math.min(bb, bt + (y + 1) * f));
  }
  const rect = { left: x0, top: y0, width: x1 - x0, height: y1 - y0 };
  const out: PlacedMask = { ...rect, data: placedMaskToCrop(mask, rect).data };
  let pixels = 0;
  for (let y = y0; y < y1; y++) {
    checkRow(signal, y - y0);
    if (y < bt || y >= bb) continue;
    const by = ((y - bt) / f) | 0;
    for (let x = x0; x < x1; x++) {
      const b = by * w + (((x - bl) / f) | 0);
      if (x < bl || x >= br || !shadow[b]) continue;
      const o = (y - y0) * out.width + x - x0;
      if (out.data[o]! >= 128 || cover[b]! <= out.data[o]!) continue;
      out.data[o] = cover[b]!;
      pixels++;
    }
  }
  return { mask: out, pixels, share: pixels / area, fringePx, others: otherObjects(foreign, sel, w, h, f, rEqPx, bl, bt, br, bb, signal) };
}

/**
 * The blocks of other objects (object-like blocks outside the selection that no chain of such
 * blocks joins to the selection: the object's own soft rim past a selection drawn inside its
 * outline is joined to it) grown by their rim ({@link FOREIGN_RIM_PX}, or {@link OTHER_RIM_SHARE} of
 * the selection's equivalent-disc radius on a large document, where rims are wider and the fill's
 * patches larger: grown up to a 3 px rim at 8×, the vacated area was filled with copies of the
 * other object's edge), as document pixels of the work box.
 */
function otherObjects(foreign: Uint8Array, sel: Uint8Array, w: number, h: number, f: number, rEqPx: number, bl: number, bt: number, br: number, bb: number, signal?: AbortSignal): PlacedMask | null {
  const n = w * h;
  // The object's own rim: foreign blocks 8-connected to the selection through foreign blocks.
  const own = new Uint8Array(n);
  growBlocks(sel, own, new Int32Array(n), w, h, (q) => foreign[q] === 1, true);
  const others = new Uint8Array(n);
  let any = false;
  for (let p = 0; p < n; p++) if (foreign[p] && !own[p]) { others[p] = 1; any = true; }
  if (!any) return null;
  const near = squaredDistance(others, w, h);
  const r2 = Math.max(1, Math.ceil(Math.max(FOREIGN_RIM_PX, OTHER_RIM_SHARE * rEqPx) / f)) ** 2;
  const out: PlacedMask = { left: bl, top: bt, width: br - bl, height: bb - bt, data: new Uint8Array((br - bl) * (bb - bt)) };
  for (let y = bt; y < bb; y++) {
    checkRow(signal, y - bt);
    const by = ((y - bt) / f) | 0;
    for (let x = bl; x < br; x++) if (near[by * w + (((x - bl) / f) | 0)]! <= r2) out.data[(y - bt) * out.width + x - bl] = 255;
  }
  return out;
}

/** Neighbour steps: the 4 edge neighbours first, then the 4 diagonal ones. */
const STEP_X = [-1, 1, 0, 0, -1, 1, -1, 1], STEP_Y = [0, 0, -1, 1, -1, -1, 1, 1];

/**
 * Breadth-first growth (4-neighbours, or 8 with `eight`) from the blocks `seed` holds over the
 * blocks `admit` accepts (never one already in `into`), marking them in `into`; `queue` is n long.
 * Returns how many.
 */
function growBlocks(seed: Uint8Array | ((p: number) => boolean), into: Uint8Array, queue: Int32Array, w: number, h: number, admit: (q: number) => boolean, eight = false): number {
  const n = w * h, steps = eight ? 8 : 4;
  let qh = 0, qt = 0, count = 0;
  for (let p = 0; p < n; p++) if (typeof seed === 'function' ? seed(p) : seed[p]) queue[qt++] = p;
  while (qh < qt) {
    const p = queue[qh++]!, x = p % w, y = (p - x) / w;
    for (let k = 0; k < steps; k++) {
      const qx = x + STEP_X[k]!, qy = y + STEP_Y[k]!;
      if (qx < 0 || qy < 0 || qx >= w || qy >= h) continue;
      const q = qy * w + qx;
      if (into[q] || !admit(q)) continue;
      into[q] = 1;
      count++;
      queue[qt++] = q;
    }
  }
  return count;
}

/**
 * The outline of the blocks `mark` holds (a 4-neighbour `outside`, or on the work box's edge) and
 * how much of it is open: at the reach (`dist2` ≥ `edge2`) or on the picture's frame.
 */
function openOutline(
  mark: Uint8Array, outside: (q: number) => boolean, w: number, h: number, dist2: Float64Array, edge2: number,
  frame: { left: boolean; top: boolean; right: boolean; bottom: boolean },
): { outline: number; open: number } {
  let outline = 0, open = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      if (!mark[p]) continue;
      const onBox = x === 0 || y === 0 || x === w - 1 || y === h - 1;
      if (!(onBox || outside(p - 1) || outside(p + 1) || outside(p - w) || outside(p + w))) continue;
      outline++;
      const atFrame = (x === 0 && frame.left) || (y === 0 && frame.top) || (x === w - 1 && frame.right) || (y === h - 1 && frame.bottom);
      if (dist2[p]! >= edge2 || atFrame) open++;
    }
  }
  return { outline, open };
}
