/**
 * The object reading of a rigid operation on a loose selection (issue #13, "object-aware
 * regions"): when the planner moves, turns or scales a region as a whole and the selection's edge
 * does not follow the object's outline (a LOOSE selection: an area drawn around the object), the
 * selection is not the object. The object inside it is found weight-free (GrabCut, core/segment)
 * and only the object moves: the moved mask becomes the object mask, the selection's background
 * stays where it is, and only what the object uncovers (and the moved object does not cover) is
 * filled. The object is read whole (segmentObject's `wholeObject`): its parts in colours of their
 * own (a stem, a pencil's ferrule) join it rather than stay behind torn off, and another object the
 * selection cuts through stays rather than lose its inside part. Tips of the object a quick lasso
 * clipped (a beak tip, the ears) that end just past the selection's edge move with it
 * (plan/object-extension.ts). When the segmentation is not trusted, the whole selection moves as before and the
 * operation's reason says why. Tight selections (an outline) are used as given — on a plain
 * backdrop together with the object's soft shadow next to them (plan/cast-shadow.ts), which the
 * outline leaves out and which would otherwise stay behind as a ghost.
 */
import { documentSide, type EditRequest, type Operation, type PlacedMask, type Plan, type Point, type Region } from '../types';
import { labelComponents, labelComponentsCompact, maskAt } from '@smartdrag/shared';
import { readCastShadow, readObject } from './object-cache';
import { extendPastSelection } from './object-extension';
import { MAX_OBJECT_FRACTION, rimColours, softenedRim, type ObjectSegmentation } from '../segment/grabcut';
import { FLAT_LOOSE_SHARE, type SelectionFit } from './selection-fit';
import { throwIfCancelled } from '../cancel';
import { pixelUnits } from './units';
import { backgroundKept, KEPT_BACKGROUND_REASON, keptBackgroundWording, warnsKeepUnchanged, withKeepBackground } from './background-kept';

/** Why a region's selection was (or was not) narrowed to the object inside it. */
export interface ObjectDecision {
  region: string;
  /** True when the region's mask was replaced by the object found inside the selection. */
  object: boolean;
  why: string;
  /** Object area / selection area, when a segmentation ran. */
  fraction?: number;
}

export interface ObjectReading {
  plan: Plan;
  /** The request's regions, with the narrowed ones replaced by their object masks. */
  regions: Region[];
  decisions: ObjectDecision[];
  /** The intent asks that the background stay (plan/background-kept.ts). */
  keptBackground: boolean;
}

const RIGID = new Set(['translate', 'rotate', 'scale']);
/**
 * Coarse grid of the preview's segmentation (the final uses core/segment's defaults, 160). At 80
 * a person's dark legs merged with a dark backdrop and the preview moved the upper body only,
 * where the final moved the whole person; at 120 the two agree (a one-time ~30–50 ms on a drag's
 * first frame: the reading is cached for the selection and handles).
 */
const PREVIEW_GRID = { maxSide: 120, fullResSide: 120 } as const;
/** Grid of the attachment decision ({@link attachedObject}), the same at both qualities. */
const ATTACH_GRID = { maxSide: 80, fullResSide: 80 } as const;

/**
 * Share of an object's outline (its pixels with a 4-neighbour outside it) that lies on the
 * selection's edge (a 4-neighbour outside the selection) at or above which the object is ATTACHED
 * to something outside the selection — a tail on its fish, a tower top on its tower — and cutting
 * it out along the selection's edge would tear it off. A free object inside a loose selection
 * touches the edge at a pixel or two at most (GrabCut's rim); an attached one along its join.
 */
export const ATTACHED_OUTLINE_SHARE = 0.03;
/** Fewest outline pixels on the selection's edge that count as a join (not a stray rim pixel). */
export const ATTACHED_MIN_PX = 4;

/**
 * How an object mask meets its selection's edge: its outline pixels, and those of them that have a
 * 4-neighbour outside the selection (both masks in document coordinates).
 */
export function outlineOnEdge(object: PlacedMask, selection: PlacedMask): { outline: number; onEdge: number } {
  const { left, top, width: w, height: h, data: o } = object;
  const inSel = (x: number, y: number): boolean => maskAt(selection, x, y) >= 128;
  let outline = 0, onEdge = 0;
  for (let y = 0, p = 0; y < h; y++) {
    for (let x = 0; x < w; x++, p++) {
      if (o[p]! < 128) continue;
      const l = x > 0 && o[p - 1]! >= 128, r = x < w - 1 && o[p + 1]! >= 128;
      const u = y > 0 && o[p - w]! >= 128, d = y < h - 1 && o[p + w]! >= 128;
      if (l && r && u && d) continue;
      outline++;
      const dx = left + x, dy = top + y;
      if (!inSel(dx - 1, dy) || !inSel(dx + 1, dy) || !inSel(dx, dy - 1) || !inSel(dx, dy + 1)) onEdge++;
    }
  }
  return { outline, onEdge };
}

/**
 * Whether the object that the drags on a loose selection grab continues beyond the selection
 * ({@link ATTACHED_OUTLINE_SHARE}); null when no object can be told from its background there (or
 * the selection is tight: then the selection is the object). The object is read on one coarse grid
 * at every quality, so that a preview and its final take the same reading.
 */
export function attachedObject(req: EditRequest, mask: PlacedMask, handles: readonly Point[], signal?: AbortSignal): { attached: boolean; share: number } | null {
  const read = readObject(req.image, mask, handles, 'preview', { grow: 1, ...ATTACH_GRID }, documentSide(req), signal);
  if (!read.seg || !read.seg.reliable) return null;
  const edge = outlineOnEdge(read.seg.mask, mask);
  return { attached: joined(edge), share: edge.outline > 0 ? edge.onEdge / edge.outline : 0 };
}

/** Whether an object meets the selection's edge along a join ({@link ATTACHED_OUTLINE_SHARE}, {@link ATTACHED_MIN_PX}). */
function joined(edge: { outline: number; onEdge: number }): boolean {
  return edge.onEdge >= ATTACHED_MIN_PX && edge.onEdge >= ATTACHED_OUTLINE_SHARE * edge.outline;
}

/**
 * Apply the object reading to `plan` (see the module comment); the input plan and request are not
 * modified. `signal` is checked inside the readings and between them: `CancelledError` once it
 * has fired (core/cancel.ts).
 */
export function applyObjectReading(req: EditRequest, plan: Plan, signal?: AbortSignal): ObjectReading {
  const decisions: ObjectDecision[] = [];
  const regions = req.regions.slice();
  const notes = new Map<string, string>();
  // Elastic regions whose background stays (true) or, asked for, could not (false): their
  // operations' `keepBackground` and descriptions say which.
  const keptNow = new Map<string, boolean>();
  const warnings: string[] = [];
  const kept = backgroundKept(req.intent);
  // Whether the background the intent keeps was answered for an elastic drag (kept, or why not).
  let answered = false;
  for (const id of [...new Set(plan.operations.map((o) => o.region))]) {
    throwIfCancelled(signal);
    const ri = regions.findIndex((r) => r.id === id);
    if (ri < 0) continue;
    const ops = plan.operations.filter((o) => o.region === id);
    // An elastic drag whose intent keeps the background, or the reading chosen that keeps it
    // (deform `keepBackground`, the elastic reading's alternative): only the object inside the
    // selection bends (plan/background-kept.ts).
    const elastic = ops.every((o) => o.params.kind === 'deform' && o.params.elastic === true);
    const chosen = ops.some((o) => o.params.kind === 'deform' && o.params.keepBackground === true);
    if (elastic && (kept || chosen)) {
      const layered = elasticObject(req, regions[ri]!, signal);
      const asked = kept ? `as the intent asks ("${kept.said}")` : 'as the reading chosen asks';
      if ('region' in layered) {
        regions[ri] = layered.region;
        const why = `the background stays, ${asked}: only the object found inside the selection (${Math.round(layered.fraction * 100)}% of it) bends, and what it uncovers is filled`;
        decisions.push({ region: id, object: true, why, fraction: layered.fraction });
        notes.set(id, why);
        keptNow.set(id, true);
      } else {
        decisions.push({ region: id, object: false, why: `elastic: the whole selection bends (${layered.why})` });
        const what = kept?.text ?? 'the background';
        warnings.push(`Region ${id}: ${kept ? `the intent asks to keep ${what} ("${kept.said}")` : `the reading chosen keeps ${what}`}, but ${layered.why}, so the whole selection bends with the drag, ${what} inside it too — draw the selection closer around the object.`);
        if (chosen) keptNow.set(id, false);
      }
      if (kept) answered = true;
      continue;
    }
    if (!ops.every((o) => RIGID.has(o.kind))) { decisions.push({ region: id, object: false, why: `read as ${ops.map((o) => o.kind).join(' + ')}, not a rigid move` }); continue; }
    const region = regions[ri]!;
    const handles = handlesOf(req, id);
    const read = readRegionObject(req, region, handles, signal);
    throwIfCancelled(signal);
    const close = read.seg !== undefined && followsClosely(read.fit, read.seg);
    if (!read.seg || close) {
      // A tight selection is used as given — with the object's soft shadow on a plain backdrop,
      // which the outline leaves out and which would stay behind as a ghost (cast-shadow.ts).
      const shadow = readCastShadow(req.image, region.mask, signal);
      // (A loose reading that follows the object closely says so: the user hears why the whole selection moves.)
      const outline = close ? `the selection follows the object's outline closely (the object found inside it fills ${Math.round(read.seg!.fraction * 100)}% of it)` : 'the selection follows the object\'s outline';
      if ('why' in shadow) {
        decisions.push({ region: id, object: false, why: `${outline}: used as given` });
        if (close) notes.set(id, `${outline}: used as given`);
        continue;
      }
      regions[ri] = { id, mask: shadow.mask, castShadow: { growPx: shadow.fringePx, ...(shadow.others ? { stop: shadow.others } : {}) } };
      // (Its area in document pixels: the request may be a proxy, plan/units.ts.)
      const why = `${outline}; its soft shadow on the plain backdrop next to it (${Math.round(pixelUnits(req).docArea(shadow.pixels))} px) moves with it`;
      decisions.push({ region: id, object: false, why });
      notes.set(id, why);
      continue;
    }
    const seg = read.seg;
    const pct = `${Math.round(seg.fraction * 100)}%`;
    if (!seg.reliable) {
      const why = `the whole selection moves: no object could be told from its background (${seg.why})`;
      decisions.push({ region: id, object: false, why, fraction: seg.fraction });
      notes.set(id, why);
      // The selection is loose: its background moves with it (a block with the selection's shape).
      warnings.push(`Region ${id}: no object could be told from its background inside the selection, so the whole selection moves with its background — draw the selection closer around the object, or keep the arrows inside the selection for an elastic drag.`);
      continue;
    }
    // A selection that cuts the object (the wing tip, the feet outside it): tips that end just
    // past the selection's edge move with it (plan/object-extension.ts); what runs on further
    // stays behind. The user hears it, with what to do.
    const edge = outlineOnEdge(seg.mask, region.mask);
    throwIfCancelled(signal);
    let tips = '';
    // (Any contact along the edge, not only a join: a horn's point crosses it along a few pixels.)
    const ext = edge.onEdge >= ATTACHED_MIN_PX ? extendPastSelection(req.image, region.mask, seg, req.keep ?? [], signal) : null;
    throwIfCancelled(signal);
    // What moves takes the grown rim at the coverage its colours read (segment/grabcut.ts
    // softenedRim: the backdrop beside the object stays); the readings here see the whole rim.
    regions[ri] = { id, ...movingObject(req, seg, ext ? ext.mask : seg.mask, region.mask) };
    if (ext) {
      // (In document pixels: the request may be a proxy, plan/units.ts.)
      const u = pixelUnits(req);
      tips = `; its outline ran past the selection's edge, and the tips that end within ${Math.round(u.docLen(ext.marginPx))} px of it (${Math.round(u.docArea(ext.added))} px) move with it`;
    }
    if (joined(edge) && (!ext || ext.continuing > 0)) {
      warnings.push(`Region ${id}: the object continues past the selection's edge (${Math.round((100 * edge.onEdge) / edge.outline)}% of its outline lies on it); the part outside the selection stays where it is — draw the selection around the whole object to move all of it.`);
    }
    const why = `moves the object found inside the selection (${pct} of it)${tips}; the rest of the selection stays`;
    decisions.push({ region: id, object: true, why, fraction: seg.fraction });
    notes.set(id, why);
  }
  const keptBackground = kept !== null || [...keptNow.values()].some(Boolean);
  if (notes.size === 0 && warnings.length === 0) return { plan, regions, decisions, keptBackground };
  const operations: Operation[] = plan.operations.map((o) => {
    const note = notes.get(o.region);
    const on = keptNow.get(o.region);
    // (The reading chosen said the background stays; where it bends after all, its reason no longer says so: the warning says why.)
    const op = on === undefined || o.params.kind !== 'deform' || (o.params.keepBackground === true) === on ? o
      : { ...withKeepBackground(o, on), reason: on ? o.reason : o.reason.replace(`; ${KEPT_BACKGROUND_REASON}`, '') };
    return note ? { ...op, reason: `${op.reason}; ${note}` } : op;
  });
  // The planner's "asks to keep the background unchanged, but no keep mask was drawn" is answered
  // here for an elastic drag (the background stays, or a warning says why not).
  const earlier = answered ? plan.warnings.filter((w) => !warnsKeepUnchanged(w, kept!.text)) : plan.warnings;
  // (The elastic field's stretch, for a region whose background stays, is the object's.)
  const worded = earlier.map((w) => (regions.some((r) => r.area && w.startsWith(`region ${r.id}: `)) ? keptBackgroundWording(w) : w));
  return { plan: { ...plan, operations, warnings: [...worded, ...warnings] }, regions, decisions, keptBackground };
}

/**
 * Edge ratio (plan/selection-fit.ts) from which a selection read as loose, whose object found fills
 * almost all of it (more than the segmentation's MAX_OBJECT_FRACTION), is taken as following the
 * object's outline. A careful polygon cuts the chords of a curved outline by a few pixels, and on a
 * larger document the ratio's samples land on those chords more often (the saucer's polygon reads
 * 1.37 at its own size, 1.23–1.32 at 3×, 5× and 8×, 1.26 at 4× as the bench enlarges it): such a selection is not an area drawn around the object —
 * its edge still runs on stronger edges than its surroundings (an area drawn around an object
 * reads about 1) and the object fills it to a thin ring. Moving the whole selection is then what
 * the user drew, not a fallback to warn about ("draw the selection closer" to a polygon already on
 * the outline), and the object's soft shadow on a plain backdrop is read as for a tight selection.
 */
export const CLOSE_EDGE_RATIO = 1.1;

/** Whether a selection read as loose follows its object's outline closely ({@link CLOSE_EDGE_RATIO}). */
export function followsClosely(fit: SelectionFit, seg: ObjectSegmentation): boolean {
  return !seg.reliable && seg.fraction > MAX_OBJECT_FRACTION && fit.edgeRatio >= CLOSE_EDGE_RATIO && fit.flatShare < FLAT_LOOSE_SHARE;
}

/**
 * Largest share of the selection the object may take for only the object to bend (past it, too
 * little of the selection is background for keeping it to matter).
 */
export const KEPT_BACKGROUND_MAX_FRACTION = 0.85;

/**
 * The object-aware reading of an elastic drag (plan/background-kept.ts): the region becomes the
 * object found inside the selection (the mask that moves), with the selection as its `area` (where
 * the elastic field is built); or why not.
 */
function elasticObject(req: EditRequest, region: Region, signal?: AbortSignal): { region: Region; fraction: number } | { why: string } {
  const handles = handlesOf(req, region.id);
  const seg = readRegionObject(req, region, handles, signal).seg;
  if (!seg) return { why: 'the selection follows the object\'s outline: there is no background inside it' };
  if (!seg.reliable) return { why: `no object could be told from its background inside the selection (${seg.why})` };
  if (seg.fraction > KEPT_BACKGROUND_MAX_FRACTION) return { why: `the object found takes ${Math.round(seg.fraction * 100)}% of the selection` };
  if (!handles.every((h) => maskAt(seg.mask, h[0], h[1]) >= 128)) return { why: 'an arrow starts off the object found inside the selection' };
  const moving = movingObject(req, seg, seg.mask);
  return { region: { id: region.id, ...moving, mask: grabbedPieces(moving.mask, handles), area: region.mask }, fraction: seg.fraction };
}

/** Where the arrows of region `id` start. */
function handlesOf(req: EditRequest, id: string): Point[] {
  return req.drags.filter((d) => d.region === id && d.points.length > 0).map((d) => d.points[0]!);
}

/**
 * The object reading of a region's selection, for a rigid move and for an elastic drag that keeps
 * the background alike. A rim of one coarse pixel moves with the object: its anti-aliased edge is
 * not left behind. A preview segments on a coarser grid (a few ms; the final edit refines the
 * outline). The reading is kept across jobs with the same selection and pixels (plan/object-cache.ts).
 */
function readRegionObject(req: EditRequest, region: Region, handles: readonly Point[], signal?: AbortSignal): ReturnType<typeof readObject> {
  return readObject(req.image, region.mask, handles, req.quality, { grow: 1, wholeObject: true, softRim: true, ...(req.quality === 'preview' ? PREVIEW_GRID : {}) }, documentSide(req), signal);
}

/**
 * What moves of the object `seg` found (`mask`: its reading's own mask or grown past the
 * selection): the rim at the coverages its colours read, and the rim's own colours
 * (segment/grabcut.ts softenedRim, rimColours).
 */
function movingObject(req: EditRequest, seg: ObjectSegmentation, mask: PlacedMask, selection?: PlacedMask): Pick<Region, 'mask' | 'rimColour'> {
  const rimColour = rimColours(seg, req.image);
  const soft = softenedRim(mask, seg);
  // Where a tip past the selection joins the object (plan/object-extension.ts made those pixels
  // whole), the rim's coverage was read times the selection's anti-aliased edge: the moved object
  // showed a faint line of what lay behind it across the join (a horse's ears and hoof cut by a
  // quick lasso, a grey dotted line at 1×). There the coverage is the rim's own colour reading
  // (divided by the selection's value), and whole where the rim did not soften it.
  if (selection && mask !== seg.mask && soft !== mask) {
    const m = seg.mask, d = soft.data;
    for (let y = 0, p = 0; y < mask.height; y++) {
      for (let x = 0; x < mask.width; x++, p++) {
        if (mask.data[p] !== 255 || d[p] === 255) continue;
        const X = x + mask.left, Y = y + mask.top, sx = X - m.left, sy = Y - m.top;
        const own = sx >= 0 && sy >= 0 && sx < m.width && sy < m.height ? m.data[sy * m.width + sx]! : 0;
        if (own === 255) continue;
        const s = maskAt(selection, X, Y);
        d[p] = s > 0 && s < 255 ? Math.min(255, Math.round((d[p]! * 255) / s)) : 255;
      }
    }
  }
  return { mask: soft, ...(rimColour ? { rimColour } : {}) };
}

/**
 * Only the pieces of `mask` (8-connected, soft rim included) that an arrow grabs: GrabCut's object
 * may hold specks apart from it (on DragBench's mushroom, bokeh highlights of the cap's colour,
 * some on the cap's path); bent with the object, those near the drag would travel with it. The
 * others stay with the background.
 */
export function grabbedPieces(mask: PlacedMask, handles: readonly Point[]): PlacedMask {
  const { width: w, height: h } = mask;
  const lab = labelComponentsCompact(mask.data, w, h, 1) ?? labelComponents(mask.data, w, h, 1);
  if (lab.count <= 1) return mask;
  const keep = new Uint8Array(lab.count + 1);
  for (const [hx, hy] of handles) {
    const x = Math.round(hx) - mask.left, y = Math.round(hy) - mask.top;
    if (x >= 0 && y >= 0 && x < w && y < h) keep[lab.labels[y * w + x]!] = 1;
  }
  const data = new Uint8Array(mask.data);
  for (let p = 0; p < w * h; p++) if (!keep[lab.labels[p]!]) data[p] = 0;
  return { ...mask, data };
}
