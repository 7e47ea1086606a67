/**
 * The default (rule-based) reasoner: combines the parsed intent with the arrows' geometry.
 *
 * Policy (documented in docs/benchmarks/intent.md):
 * - A kind the user set on a drag wins (`source: 'user'`).
 * - Text sets the kind where it is explicit (rotate/scale/stretch/move verbs, "make … bigger", a
 *   named part such as "the tip" → deform). Direction-only verbs (raise, lift, lower, pull, drag)
 *   are soft: a part → deform, otherwise geometry chooses between translate and deform.
 * - Arrows give magnitude and direction; a number in the text ("30 degrees", "by 50px", "twice
 *   as big", "50%") overrides the arrow's magnitude; the text's rotation sense overrides the arc's.
 *   With a degenerate arrow (< 2 px) qualitative amounts use defaults ({@link DEFAULTS}).
 * - When text and arrow disagree the plan follows the text and says so in `warnings`.
 * - Without text, an ambiguous drag yields up to two alternative plans (3 readings in all).
 * - Amounts per direction ("40 px down and 20 px left") are one vector; a place in the picture
 *   ("center it", "to the top left", "to the left edge") with no arrow puts the region's bounding
 *   box there in the document; pixel sizes ("200px wide", "10px bigger") are against the box.
 * - A share of a size as a move amount ("half its width", "a third of its height", "twice its
 *   width", "the width of the right one") is pixels of that bounding box (of the document for "the
 *   image width"), rounded, and the plan's text says the sum ("right by half its width = 40 px").
 * - A point of the document ("to (400, 300)", "to x=400 y=300", "at 120,80"), in document pixels,
 *   takes the box's centre there (a crop's `document` rect moves it into the image's pixels first);
 *   one outside the document is asked about. Another selection as the place ("to where the right
 *   one is", "onto the other one", "next to the big one") puts the box's centre on its box's centre,
 *   or beside it (boxes touching, bottoms on one line); a named side of it ("to the left of the
 *   other one", "above / below / under the big one") puts the box on that side, a tenth of the
 *   smaller box apart and centred on it ("on top of": touching); "between the two others" (or "the
 *   left one and the right one") puts its centre midway between theirs. A box that would leave the
 *   document, or others that are not two, are asked about. With an arrow that ends elsewhere the
 *   arrow is followed and an alternative goes to the point, as with a place.
 * - A negated edit verb about the selection ("don't rotate it") rules that kind out: the arrow's
 *   next reading is used, or the user is asked when the arrow has no other reading.
 * - Pixels in the text ("40 px", "to (400, 300)", "200px wide", "10 px further") are document
 *   pixels, and so are the pixel numbers the plan says: on a proxy (EditRequest `pixelScale`) they
 *   are converted where they enter and leave (plan/units.ts). Degrees, percentages, factors and
 *   shares of a box are scale-free.
 * - Another selection's size ("the same size as the other one", "as big as the left one", "the same
 *   width as the right one"): the other box's size, both axes by the square root of the boxes'
 *   areas (its proportions kept), or that axis alone; with one selection it is asked about (with an
 *   arrow: said, and the arrows followed). Of two selections with no arrow, "it" is the one the
 *   other phrase does not name ("the other one" names neither: asked).
 * - Edits that are not drags in known words ("turn it around": a mirror; "put a hat on it": new
 *   content) are said with the words typed, and the arrows followed; with no arrow, asked about.
 * - Text alone: a part of the selection ("the head", "its tip", "the leaf of the plant") needs an
 *   arrow whether it moves, turns or bends; a part noun that also names a thing of its own ("the
 *   leaf", "the lid") with no owner is the selection itself. A print length ("2 cm") is asked about.
 * - One selection and no arrow: a part noun that a move, turn or resize names with no owner, or
 *   with a person's pronoun ("make the eye bigger", "make her eyes bigger", "turn the head left") is
 *   the selection itself (a loose lasso round the eye), said in a warning with how to get the other
 *   reading (an arrow from the part). Still asked: several selections; a part of "it" ("its tip",
 *   "the tip of it": a piece of the selection); a part of a named object ("the cat's eye", "the eye
 *   of the cat", "the cats eye": the lasso may be round the cat, and a wrong guess resizes the whole
 *   cat); a bend ("straighten the whiskers"); and a phrase that read so would still be asked about
 *   ("move the legs apart").
 * - A turn by an angle with no way ("rotate it 15 degrees", "rotate it 90", "a quarter turn") is
 *   clockwise, as Photoshop turns a positive angle, and the plan says so; so is an arrow that does
 *   not turn about the pivot with a text that names no way. A turn with neither an angle nor a way
 *   ("rotate it", "tilt it a bit"), or with only up / down ("tilt it up 10°": which way depends on
 *   where it faces), is asked about. A drawn arc's turn decides as before.
 * - "longer" runs along the selection's longer side: it widens a box at least 1.2× as wide as tall
 *   ("make the whiskers longer"), else it is taller; "shorter" stays the opposite of "taller".
 */
import { documentRect, type Drag, type DragKind, type EditRequest, type Operation, type OperationParams, type PlacedMask, type Plan, type Point, type Rect } from '../types';
import type { ActionClass, Amount, IntentAction, IntentParse, NotDragEdit, Place, RegionPlace, RegionRef, RegionSide } from '../intent/parse';
import { SIZE_WORDS } from '../intent/parse';
import { isStandalonePart, sensesOf } from '../intent/lexicon';
import { describeRegion, type RegionShape } from './region-shape';
import { dragFeatures, sweptAngle, type DragFeatures } from './drag-features';
import { pt, scoreKinds, type KindScore } from './infer';
import { describeOperation as describePlain } from './describe';
import { readExact, type ExactEdit } from '../intent/exact';
import { ErrorCode, maskBounds, SmartDragError } from '@smartdrag/shared';
import { readCues, type CueRegion, type TextCues } from './text-cues';
import { maskBox, pixelUnits, type PixelBox, type PixelUnits } from './units';
import { keepUnchangedWarning } from './background-kept';

/** Default magnitudes when neither the arrow nor the text gives one. */
export const DEFAULTS = {
  rotateDeg: { small: 10, medium: 15, large: 45 },
  scaleUp: { small: 1.1, medium: 1.25, large: 1.6 },
  scaleDown: { small: 0.9, medium: 0.8, large: 0.6 },
  /** Translation distance as a multiple of the region's radius of gyration. */
  moveGyration: { small: 0.25, medium: 0.5, large: 1.5 },
  /** Arrows shorter than this (document px) carry no magnitude. */
  minArrowPx: 2,
} as const;

/** Everything known about one drag. */
export interface DragInfo {
  index: number;
  drag: Drag;
  shape: RegionShape;
  features: DragFeatures;
  scores: KindScore[];
}

/** Geometry of a request, computed once and shared by reasoners. */
export interface PlanContext {
  req: EditRequest;
  shapes: Map<string, RegionShape>;
  drags: DragInfo[];
  /**
   * Text/arrow conflicts met while planning (filled by the reasoner). `flip` asks for the other
   * side of a conflict: used to build the alternative plan that follows what the main plan did not.
   */
  conflicts?: Set<Conflict>;
  flip?: ReadonlySet<Conflict>;
}

/**
 * Kinds of text/arrow conflict. Default policy: the arrow's direction wins (it is what was drawn);
 * the text's kind and the text's amount win (they are explicit words). Rotation sense and
 * bigger/smaller follow the text. Each conflict gets a warning and an alternative plan that takes
 * the other side.
 */
export type Conflict = 'direction' | 'kind' | 'amount';

/** Describe regions and drags of a request. Throws RangeError for a drag naming an unknown region. */
export function buildContext(req: EditRequest): PlanContext {
  const shapes = new Map<string, RegionShape>();
  for (const r of req.regions) shapes.set(r.id, describeRegion(r.id, r.mask));
  const drags = req.drags.map((drag, index) => {
    const shape = shapes.get(drag.region);
    if (!shape) throw new RangeError(`drag ${index} names unknown region ${drag.region}`);
    if (drag.points.length < 2) throw new RangeError(`drag ${index} needs at least 2 points`);
    const features = dragFeatures(drag, shape);
    return { index, drag, shape, features, scores: scoreKinds(features, undefined, pixelUnits(req)) };
  });
  return { req, shapes, drags, conflicts: new Set() };
}

/** One reading of one drag. */
interface Reading {
  kind: DragKind;
  params: OperationParams;
  source: Operation['source'];
  reason: string;
  score: number;
}

const r1 = (x: number): string => (Math.round(x * 10) / 10).toString();

/** The units of a plan context's request (document pixels vs its image's pixels: plan/units.ts). */
function unitsOf(ctx: PlanContext): PixelUnits {
  return pixelUnits(ctx.req);
}
/**
 * A length in the request's pixels said in document pixels: to a tenth at document scale, to the
 * whole pixel on a proxy (it cannot resolve a document pixel: "240 px", not "238.6 px").
 */
function docPx(u: PixelUnits, n: number, dir?: Point | null): string {
  const v = u.docLen(n, dir);
  return u.identity ? r1(v) : r1(Math.round(v));
}
/** A number already in document pixels, said as `docPx` says a length. */
function docNum(u: PixelUnits, x: number): string {
  return u.identity ? r1(x) : r1(Math.round(x));
}
/** A position or vector in document pixels, said as `docPx` says a length. */
function docPair(u: PixelUnits, v: Point): string {
  return `${docNum(u, v[0])}, ${docNum(u, v[1])}`;
}
/** Arrows shorter than this many of the request's pixels carry no magnitude ({@link DEFAULTS}.minArrowPx document pixels). */
function minArrow(ctx: PlanContext): number {
  return DEFAULTS.minArrowPx * unitsOf(ctx).s;
}
/** A move amount in pixels as written, in the request's pixels along `dir` (the text's pixels are the document's). */
function typedPx(ctx: PlanContext): (amt: Amount, dir: Point | null) => number | null {
  const u = unitsOf(ctx);
  return (amt, dir) => { const n = plainPx(amt); return n === null ? null : u.len(n, dir); };
}
/**
 * A move in the request's pixels, rounded to whole document pixels (the text's points and boxes
 * are placed to the document's pixel), in the request's pixels and in document pixels.
 */
function wholeDocMove(u: PixelUnits, dx: number, dy: number): { dx: number; dy: number; doc: Point } {
  const d = u.docVec([dx, dy]);
  const doc: Point = [Math.round(d[0]), Math.round(d[1])];
  if (u.identity) return { dx: doc[0], dy: doc[1], doc };
  const [rx, ry] = u.vec(doc);
  return { dx: round2(rx), dy: round2(ry), doc };
}

/**
 * What the text's words made of an operation's amount, for the plan's text ("half its width =
 * 40 px", "its box centre (100, 150) to (400, 300)"): kept beside the parameters they explain.
 */
const NOTES = new WeakMap<OperationParams, string>();
/** The operation's description, with the note of its amount when the text gave one in words (see {@link NOTES}). */
function describeOperation(region: string, p: OperationParams): string {
  const note = NOTES.get(p);
  return describePlain(region, p) + (note ? `: ${note}` : '');
}
function noted<P extends OperationParams>(p: P, note: string | null): P {
  if (note) NOTES.set(p, note);
  return p;
}

const DIR_VEC: Record<string, Point> = { left: [-1, 0], right: [1, 0], up: [0, -1], down: [0, 1] };

function textDirection(dirs: readonly string[]): Point | null {
  let x = 0, y = 0;
  for (const d of dirs) { const v = DIR_VEC[d]; if (v) { x += v[0]; y += v[1]; } }
  const n = Math.hypot(x, y);
  return n > 1e-9 ? [x / n, y / n] : null;
}

/**
 * The move an action states per direction ("40 px down and 20 px left" → (−20, 40)): the sum of
 * its legs when it has two or more with pixel amounts; null otherwise (one amount along the
 * text's direction, as before).
 */
function legVector(a: IntentAction | undefined, px: (amt: Amount, dir: Point) => number | null = plainPx): Point | null {
  const legs = a?.legs;
  if (!legs || legs.length < 2) return null;
  let x = 0, y = 0;
  for (const g of legs) {
    const v = DIR_VEC[g.dir]!, n = px(g.amount, v);
    if (n === null) return null;
    x += v[0] * n; y += v[1] * n;
  }
  return Math.hypot(x, y) > 1e-9 ? [x, y] : null;
}

/** A move amount in pixels as written ("40 px", "40"); null for any other amount. */
function plainPx(amt: Amount): number | null {
  return amt.kind === 'pixels' || amt.kind === 'number' ? amt.value : null;
}

/** A share of a size written as a move amount ("half its width", "10% of the image height"). */
type Share = Exclude<Amount, { kind: 'length' } | { kind: 'qualitative' }> & { kind: 'percent'; of: 'image' | 'region' | 'object' };
function isShare(amt: Amount | undefined): amt is Share {
  return amt?.kind === 'percent' && !!amt.of;
}

/**
 * The pixels a share stands for, along `dir` for a share of the size ("half its size"): of
 * region `id`'s bounding box (`region`) or of the document (`image`), rounded to whole document
 * pixels, with the words for the plan's text (document pixels); `px` in the request's pixels;
 * `why` when it cannot be measured (no direction, no size).
 */
function sharePx(amt: Share, id: string, dir: Point | null, ctx: PlanContext): { px: number; note: string } | { why: string } {
  const u = unitsOf(ctx);
  const said = `"${amt.words ?? `${amt.value}%`}"`;
  // "the width of the right one": another selection's box; "the width of the saucer": nothing to measure.
  const other = amt.of === 'object' && amt.ofRef ? regionAmongAll(amt.ofRef, ctx, id) : null;
  if (amt.of === 'object' && !other) return { why: `${said}: "${amt.ofRef?.text ?? 'that'}" is not a selection I can measure (only the selections and the image have a size here)` };
  const region = ctx.req.regions.find((r) => r.id === (other ?? id));
  // Measured in document pixels (a proxy's box is the document's, scaled).
  let w: number, h: number;
  if (amt.of !== 'image') {
    if (!region) return { why: `${said} is a share of the selection's size, but there is no selection ${id} to measure` };
    const b = bboxOf(region.mask, u); w = b.w / u.sx; h = b.h / u.sy;
  } else { const d = u.docSize(); w = d.width; h = d.height; }
  if (!u.identity) { w = Math.round(w); h = Math.round(h); }
  const whose = other ? `region ${other}'s box` : amt.of === 'region' ? 'its box' : 'the image';
  // (The move is along `dir`; a width or height with no direction is taken along its own axis.)
  let base: number, size: string, along: Point;
  if (amt.dim === 'width') { base = w; size = `${whose} is ${r1(w)} px wide`; along = [1, 0]; }
  else if (amt.dim === 'height') { base = h; size = `${whose} is ${r1(h)} px tall`; along = [0, 1]; }
  else {
    if (!dir) return { why: `${said} needs a direction to measure the size along (e.g. "to the right")` };
    const n = Math.hypot(dir[0], dir[1]) || 1;
    base = (Math.abs(dir[0]) * w + Math.abs(dir[1]) * h) / n;
    size = `${whose} is ${r1(w)} × ${r1(h)} px`;
    along = dir;
  }
  if (!(base >= 1)) return { why: `${said} measures nothing: ${size}` };
  const px = Math.round((base * amt.value) / 100);
  return { px: u.identity ? px : u.len(px, dir ?? along), note: `${amt.words ?? `${amt.value}% of ${whose}`} = ${px} px (${size})` };
}

/** Centre of a mask's bounding box (image pixels). */
function boxCentre(m: PlacedMask, u: PixelUnits): Point {
  const b = bboxOf(m, u);
  return [b.x0 + b.w / 2, b.y0 + b.h / 2];
}

/** The one region (other than `self`) a phrase names among all the request's regions: by position, order, size, or "the other one". */
function regionAmongAll(ref: RegionRef, ctx: PlanContext, self: string): string | null {
  const ids = ctx.req.regions.map((r) => r.id);
  const rest = ids.filter((id) => id !== self);
  if (ref.kind === 'other') return rest.length === 1 ? rest[0]! : null;
  if (ids.length < 2) return null;
  const scores = ids.map((id) => regionAffinity(ref, id, ctx, ids));
  const best = Math.max(...scores);
  const winners = ids.filter((_, i) => scores[i] === best);
  return best > 0 && winners.length === 1 && winners[0] !== self ? winners[0]! : null;
}

/**
 * The move a point or another object in the text asks for ("to (400, 300)", "to where the right
 * one is", "next to the big one", "above the left one", "between the two others"), with the words
 * for the plan's text; `why` when it cannot be done (a point or a place outside the document, an
 * object that is not one of the selections).
 * A point is in document pixels: for a crop (EditRequest `document`) or a proxy (`pixelScale`) it
 * is moved into the image's pixels first (plan/units.ts). The region's bounding-box centre goes
 * to the point, to the nearest document pixel. `doc`: the move in document pixels (for words).
 */
function goalMove(a: IntentAction, id: string, ctx: PlanContext): GoalMove | { why: string } | null {
  const region = ctx.req.regions.find((r) => r.id === id);
  if (!region) return null;
  const u = unitsOf(ctx);
  const doc = u.docSize();
  const [cx, cy] = boxCentre(region.mask, u);
  if (a.to) {
    const { x, y } = a.to;
    if ((x !== undefined && !(x >= 0 && x <= doc.width)) || (y !== undefined && !(y >= 0 && y <= doc.height))) {
      return { why: `"${a.to.text}" lies outside the document (${doc.width} × ${doc.height} px: x from 0 to ${doc.width}, y from 0 to ${doc.height}, from its top left corner). Say a point inside it, e.g. "move it to (${Math.round(doc.width / 2)}, ${Math.round(doc.height / 2)})".` };
    }
    const m = wholeDocMove(u, x === undefined ? 0 : u.x(x) - cx, y === undefined ? 0 : u.y(y) - cy);
    const from = `(${docPair(u, u.docPoint([cx, cy]))})`;
    const to = x !== undefined && y !== undefined ? `(${x}, ${y})` : x !== undefined ? `x = ${x} (y stays)` : `y = ${y} (x stays)`;
    return { ...m, note: `move to ${to}, document pixels (its box centre ${from} goes there)` };
  }
  const t = a.toRegion;
  if (!t) return null;
  // Towards / away from another object: a direction, not a place (towardOther).
  if (t.how === 'toward' || t.how === 'away') return null;
  if (t.how === 'between') return betweenMove(a, t, id, ctx);
  const other = regionAmongAll(t.ref, ctx, id);
  if (!other) return { why: notASelection(a, t.ref, id, ctx) };
  const om = ctx.req.regions.find((r) => r.id === other)!.mask;
  const [ox, oy] = boxCentre(om, u);
  if (t.how === 'at') {
    return { ...wholeDocMove(u, ox - cx, oy - cy), note: `its box centre goes to region ${other}'s box centre (${docPair(u, u.docPoint([ox, oy]))})` };
  }
  const ba = docBox(region.mask, u), bb = docBox(om, u);
  if (t.how === 'beside') {
    // Beside: the boxes touch on the side this one is on now (the other side when that leaves the
    // document), their bottoms on one line (objects standing on the same ground).
    const at = (left: boolean): Point => [left ? bb.x0 - 1 - ba.w : bb.x0 + bb.w + 1, bb.y0 + bb.h - ba.h];
    const fits = (left: boolean): boolean => boxInside(at(left), ba, doc);
    let left = cx <= ox;
    if (!fits(left) && fits(!left)) left = !left;
    if (!fits(left)) return { why: noRoom(a, `beside region ${other}`, id, at(left), ba, doc, u) };
    return { ...docMove(u, [at(left)[0] - ba.x0, at(left)[1] - ba.y0]), note: `its box goes ${left ? 'left' : 'right'} of region ${other}'s, touching it, bottoms on one line` };
  }
  return sideMove(a, t.how, id, other, ba, bb, doc, u);
}

/**
 * "closer to the other one", "away from the big one": the unit direction (request pixels) from
 * region `id`'s box centre towards (or away from) the other's; null when the text says no such
 * thing; `why` when the other is not a selection that can be told apart, or the boxes share a
 * centre (no direction).
 */
function towardOther(a: IntentAction | undefined, id: string, ctx: PlanContext): { dir: Point; other: string } | { why: string } | null {
  const t = a?.toRegion;
  if (!a || !t || (t.how !== 'toward' && t.how !== 'away')) return null;
  const other = regionAmongAll(t.ref, ctx, id);
  if (!other) return { why: notASelection(a, t.ref, id, ctx) };
  const u = unitsOf(ctx);
  const region = ctx.req.regions.find((r) => r.id === id), om = ctx.req.regions.find((r) => r.id === other);
  if (!region || !om) return { why: notASelection(a, t.ref, id, ctx) };
  const [cx, cy] = boxCentre(region.mask, u), [ox, oy] = boxCentre(om.mask, u);
  const len = Math.hypot(ox - cx, oy - cy);
  if (len < 1e-6) return { why: `"${a.text}": region ${id} and region ${other} share a centre, so "${t.text}" gives no direction.` };
  const s = t.how === 'toward' ? 1 : -1;
  return { dir: [(s * (ox - cx)) / len || 0, (s * (oy - cy)) / len || 0], other };
}

/** A move to a point or another object: in the request's pixels, in whole document pixels (`doc`), and its words. */
interface GoalMove { dx: number; dy: number; doc: Point; note: string }

/** Why a phrase naming another object as the place cannot be read: there is no other selection, or it does not tell which. */
function notASelection(a: IntentAction, ref: RegionRef, id: string, ctx: PlanContext): string {
  return ctx.req.regions.length < 2
    ? `"${a.text}" names another object ("${ref.text}"), but there is only one selection: select that object too, or draw an arrow to where this one should go.`
    : `"${a.text}": "${ref.text}" is not a selection I can tell apart from ${id}: name it by position ("the right one") or size ("the big one"), or draw an arrow to where it should go.`;
}

/**
 * The scale that gives region `id` another selection's size ("the same size as the other one", "as
 * big as the left one", "the same width as the right one", "twice the size of the big one"), from
 * their boxes (max − min, document pixels): both axes by the square root of the ratio of the boxes'
 * areas for a size (its proportions kept: the boxes get the same area), that axis alone for a width
 * or a height; a factor in the text ("twice", "half") multiplies it. `why` when the other object is
 * not a selection (one selection only, or a phrase that names none of them).
 */
function sizeMatch(a: IntentAction, id: string, ctx: PlanContext): { sx: number; sy: number; note: string } | { why: string } {
  const m = a.matchSize!;
  const other = regionAmongAll(m.ref, ctx, id);
  if (!other) {
    if (m.ref.kind !== 'other' && ctx.req.regions.length >= 2 && regionAmongAll(m.ref, ctx, '') === id) return { why: `"${a.text}": "${m.ref.text}" is region ${id} itself, the one being resized: name the other selection (e.g. "the same size as the right one"), or draw the arrow on the one to resize.` };
    return { why: ctx.req.regions.length < 2
      ? `"${a.text}" takes the size of another object ("${m.ref.text}"), but there is only one selection: select that object too (only the selections can be measured), or say how much bigger or smaller (e.g. "make it 20% bigger").`
      : `"${a.text}": "${m.ref.text}" is not a selection I can tell apart from ${id}: name it by position ("the right one") or size ("the big one"), or say how much bigger or smaller (e.g. "make it 20% bigger").` };
  }
  const u = unitsOf(ctx);
  const mask = (x: string): PlacedMask => ctx.req.regions.find((r) => r.id === x)!.mask;
  const ba = docBox(mask(id), u), bb = docBox(mask(other), u);
  const box = (b: PixelBox): string => `${docNum(u, b.w)} × ${docNum(u, b.h)} px`;
  if (!(ba.w >= 1 && ba.h >= 1 && bb.w >= 1 && bb.h >= 1)) return { why: `"${a.text}": region ${id}'s box (${box(ba)}) or region ${other}'s (${box(bb)}) has no size to compare` };
  const k = a.amount?.kind === 'factor' && a.amount.value > 0 ? a.amount.value : 1;
  const times = k !== 1 ? `, then ×${r1(k)} as the text says` : '';
  const fx = (bb.w / ba.w) * k, fy = (bb.h / ba.h) * k, f = Math.sqrt((bb.w * bb.h) / (ba.w * ba.h)) * k;
  const sx = m.dim === 'height' ? 1 : m.dim === 'width' ? fx : f, sy = m.dim === 'width' ? 1 : m.dim === 'height' ? fy : f;
  const how = m.dim === 'size'
    ? `×${(Math.round(f * 100) / 100).toFixed(2)} to the size of region ${other}'s box (${box(bb)}; its own is ${box(ba)}: the same area, its proportions kept)${times}`
    : `${m.dim} ×${(Math.round((m.dim === 'width' ? fx : fy) * 100) / 100).toFixed(2)} to the ${m.dim} of region ${other}'s box (${docNum(u, m.dim === 'width' ? bb.w : bb.h)} px; its own is ${docNum(u, m.dim === 'width' ? ba.w : ba.h)} px)${times}`;
  return { sx, sy, note: how };
}

/**
 * The box of a mask in document pixels (first pixel from the document's top left corner, and max −
 * min): on a proxy, the document mask's box estimated there (plan/units.ts `maskBox`), so that a
 * box is placed beside another to the document's pixel, as at full resolution.
 */
function docBox(m: PlacedMask, u: PixelUnits): PixelBox {
  const b = bboxOf(m, u);
  const [x0, y0] = u.docPoint([b.x0, b.y0]);
  return { x0, y0, w: b.w / u.sx, h: b.h / u.sy };
}

/** A move in document pixels, rounded to the whole document pixel, in the request's pixels too. */
function docMove(u: PixelUnits, v: Point): { dx: number; dy: number; doc: Point } {
  const doc: Point = [Math.round(v[0]) || 0, Math.round(v[1]) || 0];
  if (u.identity) return { dx: doc[0], dy: doc[1], doc };
  const [rx, ry] = u.vec(doc);
  return { dx: round2(rx), dy: round2(ry), doc };
}

/** Whether a box of `b`'s size with its first pixel at `p` (document pixels) lies inside the document. */
function boxInside(p: Point, b: PixelBox, doc: { width: number; height: number }): boolean {
  return p[0] >= -0.5 && p[1] >= -0.5 && p[0] + b.w <= doc.width - 0.5 && p[1] + b.h <= doc.height - 0.5;
}

/** The question when a selection's box placed by another would leave the document. */
function noRoom(a: IntentAction, where: string, id: string, p: Point, b: PixelBox, doc: { width: number; height: number }, u: PixelUnits): string {
  const f = (x: number): string => r1(Math.round(x));
  return `"${a.text}": there is no room ${where} inside the document (${doc.width} × ${doc.height} px) for region ${id}: its box (${docNum(u, b.w)} × ${docNum(u, b.h)} px) would go from (${f(p[0])}, ${f(p[1])}) to (${f(p[0] + b.w)}, ${f(p[1] + b.h)}). Say another place, or draw an arrow to where it should go.`;
}

/**
 * The share of a box's size left as a gap between a selection placed on a side of another ("to the
 * left of", "above", "below") and that other: a tenth of the smaller of the two boxes along the
 * side's axis, to the whole document pixel and at least one — a small gap that scales with the
 * objects (8 px between two boxes 80 px tall), so they read as neighbours, not as one. "On top of"
 * rests on it: no gap (the boxes touch), as "next to" does.
 */
export const SIDE_GAP_SHARE = 0.1;

const SIDE_WORDS: Record<RegionSide, string> = { left: 'to the left of', right: 'to the right of', above: 'above', below: 'below', onTop: 'on top of' };

/**
 * A selection's box on a named side of another's ("to the left of the other one", "above the big
 * one", "on top of the right one"): next to it on that side with a gap of {@link SIDE_GAP_SHARE}
 * (none on top of it), centred on it along the other axis, in document pixels. A box that would
 * leave the document is asked about.
 */
function sideMove(a: IntentAction, side: RegionSide, id: string, other: string, ba: PixelBox, bb: PixelBox, doc: { width: number; height: number }, u: PixelUnits): GoalMove | { why: string } {
  const across = side === 'left' || side === 'right';
  const gap = side === 'onTop' ? 0 : Math.max(1, Math.round(SIDE_GAP_SHARE * Math.min(across ? ba.w : ba.h, across ? bb.w : bb.h)));
  const cx = bb.x0 + bb.w / 2 - ba.w / 2, cy = bb.y0 + bb.h / 2 - ba.h / 2;
  const p: Point = side === 'left' ? [bb.x0 - 1 - gap - ba.w, cy] : side === 'right' ? [bb.x0 + bb.w + 1 + gap, cy]
    : side === 'below' ? [cx, bb.y0 + bb.h + 1 + gap] : [cx, bb.y0 - 1 - gap - ba.h];
  if (!boxInside(p, ba, doc)) return { why: noRoom(a, `${SIDE_WORDS[side]} region ${other}`, id, p, ba, doc, u) };
  const dim = across ? 'width' : 'height';
  const spacing = side === 'onTop' ? 'resting on it (the boxes touch)' : `${gap} px apart (a tenth of the smaller box's ${dim})`;
  return { ...docMove(u, [p[0] - ba.x0, p[1] - ba.y0]), note: `its box goes ${SIDE_WORDS[side]} region ${other}'s, ${spacing}, centred on it ${across ? 'vertically' : 'horizontally'}` };
}

/**
 * "between the two others", "between the left one and the right one": the box's centre midway
 * between the two boxes' centres. "The others" are the selections other than this one, and must be
 * exactly two (fewer or more is asked about: which two?). When there is less room between the two
 * boxes than this box's size, the note says it overlaps them.
 */
function betweenMove(a: IntentAction, t: NonNullable<IntentAction['toRegion']>, id: string, ctx: PlanContext): GoalMove | { why: string } {
  const u = unitsOf(ctx), doc = u.docSize();
  const ids = ctx.req.regions.map((r) => r.id), rest = ids.filter((x) => x !== id);
  let pair: [string, string];
  if (t.and) {
    const p = regionAmongAll(t.ref, ctx, id), q = regionAmongAll(t.and, ctx, id);
    if (!p) return { why: notASelection(a, t.ref, id, ctx) };
    if (!q) return { why: notASelection(a, t.and, id, ctx) };
    if (p === q) return { why: `"${a.text}": "${t.ref.text}" and "${t.and.text}" are both region ${p}: name two different selections, or draw an arrow to where it should go.` };
    pair = [p, q];
  } else if ((t.ref.kind === 'other' || t.ref.kind === 'all') && rest.length === 2 && (t.ref.count ?? 2) === 2) pair = [rest[0]!, rest[1]!];
  else {
    return { why: rest.length < 2
      ? `"${a.text}" puts region ${id} between two other objects, but there ${rest.length ? 'is only one other selection' : 'is no other selection'}: select both, or draw an arrow to where it should go.`
      : `"${a.text}": between which two of regions ${rest.join(', ')}? Name them ("between the left one and the right one"), or draw an arrow to where it should go.` };
  }
  const mask = (x: string): PlacedMask => ctx.req.regions.find((r) => r.id === x)!.mask;
  const ba = docBox(mask(id), u), [b1, b2] = pair.map((x) => docBox(mask(x), u)) as [PixelBox, PixelBox];
  const c1: Point = [b1.x0 + b1.w / 2, b1.y0 + b1.h / 2], c2: Point = [b2.x0 + b2.w / 2, b2.y0 + b2.h / 2];
  const mid: Point = [(c1[0] + c2[0]) / 2, (c1[1] + c2[1]) / 2];
  const p: Point = [mid[0] - ba.w / 2, mid[1] - ba.h / 2];
  if (!boxInside(p, ba, doc)) return { why: noRoom(a, `between regions ${pair[0]} and ${pair[1]}`, id, p, ba, doc, u) };
  // The room between the two boxes along the line joining them (the axis it mostly runs along).
  const across = Math.abs(c2[0] - c1[0]) >= Math.abs(c2[1] - c1[1]);
  const [lo, hi] = (across ? c1[0] <= c2[0] : c1[1] <= c2[1]) ? [b1, b2] : [b2, b1];
  // (Pixels free between them, against the pixels its box spans: max − min + 1.)
  const room = Math.max(0, across ? hi.x0 - (lo.x0 + lo.w) - 1 : hi.y0 - (lo.y0 + lo.h) - 1);
  const size = across ? ba.w : ba.h;
  const tight = size + 1 > room ? ` (there are ${docNum(u, room)} px between their boxes and its box is ${docNum(u, size)} px ${across ? 'wide' : 'tall'}: it overlaps them)` : '';
  return { ...docMove(u, [p[0] - ba.x0, p[1] - ba.y0]), note: `its box centre goes midway between region ${pair[0]}'s and region ${pair[1]}'s box centres, to (${docPair(u, mid)})${tight}` };
}

/**
 * Where a place in the picture ("the top left", "the middle", "the left edge") puts a mask's
 * bounding box; an axis the place leaves out does not move. On a proxy (`u`) the box is placed in
 * the document's pixels (to the whole document pixel), as at full resolution.
 */
function placeMove(p: Place, mask: PlacedMask, image: Rect | { width: number; height: number }, u?: PixelUnits): { dx: number; dy: number } {
  if (u && !u.identity) {
    const b = bboxOf(mask, u), [x0, y0] = u.docPoint([b.x0, b.y0]), w = b.w / u.sx, h = b.h / u.sy, D = u.docSize();
    const nx = p.x === undefined ? x0 : p.x === 'left' ? 0 : p.x === 'right' ? D.width - w : Math.floor((D.width - w) / 2);
    const ny = p.y === undefined ? y0 : p.y === 'top' ? 0 : p.y === 'bottom' ? D.height - h : Math.floor((D.height - h) / 2);
    const [dx, dy] = u.vec([Math.round(nx - x0), Math.round(ny - y0)]);
    return { dx, dy };
  }
  const ox = 'left' in image ? image.left : 0, oy = 'top' in image ? image.top : 0;
  const b = bboxOf(mask);
  const nx = p.x === undefined ? b.x0 : ox + (p.x === 'left' ? 0 : p.x === 'right' ? image.width - b.w : Math.floor((image.width - b.w) / 2));
  const ny = p.y === undefined ? b.y0 : oy + (p.y === 'top' ? 0 : p.y === 'bottom' ? image.height - b.h : Math.floor((image.height - b.h) / 2));
  return { dx: nx - b.x0, dy: ny - b.y0 };
}

/** A print length in the text ("2 cm"): the picture has no size on paper here, so it is not an amount. */
function lengthNote(a: IntentAction | undefined): string | null {
  if (a?.amount?.kind !== 'length') return null;
  const unit = a.amount.unit === 'in' ? (a.amount.value === 1 ? 'inch' : 'inches') : a.amount.unit;
  return `"${a.amount.value} ${unit}" is a print length, not pixels: the picture has no size on paper here`;
}

/**
 * Part nouns of a phrase that name a piece of the selection ("the head", "its tip", "the leaf of
 * the plant"). A part noun that also names a thing on its own ("the leaf", "the lid"), with no
 * owner in the phrase, is the selection itself.
 */
function piecesNamed(ref: RegionRef): string[] {
  const owned = ref.possessive || /\bof\b/i.test(ref.text);
  return ref.parts.filter((p) => owned || !isStandalonePart(p));
}

/**
 * Who owns the part nouns of a phrase: nobody named ("the eye"), a person or animal by pronoun
 * ("her eyes", "his nose": SmartDrag calls the selection "it"), the selection ("its tip", "the tip
 * of it"), or a named object ("the cat's eye", "the leaf of the plant", "the cats eye").
 */
function partOwner(ref: RegionRef): 'none' | 'person' | 'selection' | 'named' {
  const t = ref.text.toLowerCase();
  if (/^its\b|\bof\s+(?:it|them)\b/.test(t)) return 'selection';
  if (/'s\b|\u2019s\b|\bof\b/.test(t)) return 'named';
  if (ref.possessive) return /^(?:her|his|their|my|your|our)\b/.test(t) ? 'person' : 'named';
  // "the squirrels tail", "the cats eye": a possessive typed without its apostrophe.
  const words = t.split(/\s+/), at = words.findIndex((w) => ref.parts.includes(w));
  const before = at > 0 ? words[at - 1]! : '';
  if (/^[a-z]{2,}[^s']s$/.test(before) && ref.words.includes(before)) return 'named';
  return 'none';
}

/** Verb classes a part noun can be read for as the selection itself: a move, a turn, a resize, or a soft move ("raise the tail"). */
const asSelection = (a: IntentAction): boolean => a.cls === 'move' || a.cls === 'rotate' || a.cls === 'scale' || (a.cls === 'deform' && a.soft);

/**
 * A part noun read as the selection itself ("make the eye bigger" with one loose lasso round the eye
 * and no arrow): the note the plan says, or null when the phrase names no part or the part is not
 * read so. `lone`: the request has one selection and no arrow. A part owned by "its" (a piece of the
 * selection) or by a named object ("the cat's eye": the lasso may be round the cat) is still asked about.
 */
function partAsSelectionNote(a: IntentAction, lone: boolean): string | null {
  const parts = piecesNamed(a.object);
  if (!lone || !parts.length || !asSelection(a)) return null;
  const owner = partOwner(a.object);
  if (owner !== 'none' && owner !== 'person') return null;
  const many = parts.length > 1 || /[^s]s$/.test(parts[0]!);
  return `"${a.object.text}" is read as the selection itself (one selection, no arrow); if the ${parts.join(' and ')} ${many ? 'are' : 'is'} only part of what you selected, draw an arrow from ${many ? 'them' : 'it'} to where ${many ? 'they' : 'it'} should go.`;
}

/**
 * The question for an action that moves, turns or bends a part of the selection, with no arrow on
 * the part. `lone`: one selection and no arrow, where an unowned part is the selection itself
 * ({@link partAsSelectionNote}).
 */
function partQuestion(a: IntentAction, lone = false): string | null {
  const parts = piecesNamed(a.object);
  // (A resize of a part, "make the nose smaller", too: resizing the whole selection is not what it asks.)
  if (!parts.length || !(a.cls === 'move' || a.cls === 'deform' || a.cls === 'rotate' || a.cls === 'scale')) return null;
  if (partAsSelectionNote(a, lone)) return null;
  const does = a.cls === 'rotate' ? 'turns' : a.cls === 'scale' ? 'resizes' : 'moves';
  const example = a.cls === 'rotate' ? 'rotate it 20° clockwise' : a.cls === 'scale' ? 'make it 20% bigger' : 'move it 40 px up';
  const itself = `if the selection is the ${parts[0]} itself, call it "it" (e.g. "${example}")`;
  const owner = partOwner(a.object);
  // "the head" alone: the selection may be the head itself, or a body the head is part of.
  if (owner === 'none' || owner === 'person') {
    return `"${a.text}" ${does} a part (${parts.join(', ')}): to ${a.cls === 'rotate' ? 'turn' : a.cls === 'scale' ? 'resize' : 'move'} it on the object it belongs to, draw an arrow from that part to where it should go; ${itself}.`;
  }
  const what = a.object.text ? `"${a.object.text}"` : 'the selection';
  // "the cat's eye": the selection may be the cat or the eye; "its tip" is a piece of the selection.
  return `"${a.text}" ${does} a part (${parts.join(', ')}) of ${what}: draw an arrow from that part to where it should go${owner === 'named' ? `; ${itself}` : ''}.`;
}

/** The drag kind an operation verb class asks for. */
const KIND_OF: Record<ActionClass, DragKind> = { move: 'translate', rotate: 'rotate', scale: 'scale', deform: 'deform' };

const CUES = new WeakMap<IntentParse, TextCues>();
const NO_CUES = readCues('');
/** Cues read from the raw text of a parse (see text-cues.ts); none without a parse. */
function cuesOf(parse: IntentParse | null): TextCues {
  if (!parse) return NO_CUES;
  let c = CUES.get(parse);
  if (!c) { c = readCues(parse.text); CUES.set(parse, c); }
  return c;
}

/** A negated verb that only asks for less ("don't rotate it so much"): not a kind ruled out. */
function onlyLess(c: { state: string[] }): boolean {
  return c.state.some((w) => /^(so|that|too)$/.test(w)) && c.state.some((w) => /^(much|far)$/.test(w));
}

/**
 * Kinds the text rules out for the handle regions: a negated edit verb ("don't rotate it", "without
 * moving it"), or wording that keeps a kind ("keep it in place", "same size", "keep it upright").
 */
function ruledOutKinds(parse: IntentParse | null): Map<DragKind, string> {
  const out = new Map<DragKind, string>();
  for (const c of parse?.constraints ?? []) if (c.notKind && handleRef(c.object) && !onlyLess(c)) out.set(KIND_OF[c.notKind], c.text);
  for (const [k, words] of cuesOf(parse).keepKinds) if (!out.has(k)) out.set(k, `${k === 'translate' ? 'move' : k === 'scale' ? 'resize' : k} it ("${words}")`);
  return out;
}

/** A word the cues read ("reverse" in "reverse it", "stay" in "stay put"): not an unknown word. */
/**
 * Edits people ask for that are not drags: what the text asks is said plainly, with the editor's own
 * command, instead of "not understood" (the words are known; SmartDrag just does not do that).
 */
const NOT_DRAG_EDITS: readonly { re: RegExp; say: string }[] = [
  { re: /^(?:flip|flips|flipped|flipping|mirror|mirrors|mirrored|mirroring)$/, say: 'mirroring is not a drag edit: use the editor\'s Flip Horizontal / Flip Vertical (Edit › Transform in Photoshop and Photopea)' },
  { re: /^(?:remove|removes|removed|removing|delete|deletes|deleted|deleting|erase|erases|erased|erasing|eliminate|eliminated)$/, say: 'removing something is not a drag edit: SmartDrag moves, turns, scales and bends what is selected; use the editor\'s Content-Aware Fill or healing tools to remove it' },
  { re: /^(?:duplicate|duplicates|duplicated|duplicating|copy|copies|copied|copying|clone|clones|cloned|cloning)$/, say: 'copying is not a drag edit: duplicate the layer (or copy the selection to a new layer) in the editor first, then drag the copy' },
  { re: /^(?:colou?r|colou?rs|colou?red|recolou?r|recolou?red|paint|painted|tint|tinted|blur|blurred|sharpen|sharpened|brighten|brightened|darken|darkened|contrast|brightness|saturation|saturate|desaturate|exposure|opacity|hue|vibrance|sharpness|lightness|tone|grayscale|greyscale)$/, say: 'changing colour or tone is not a drag edit: use the editor\'s adjustments' },
  // New content: a drag only moves what is already in the picture.
  { re: /^(?:add|adds|added|adding|insert|inserted|generate|generated|create|created|draw|replace|replaced|replacing|inpaint)$/, say: 'adding or replacing content is not a drag edit: SmartDrag moves, turns, scales and bends what is already in the picture; paint or paste the new content in the editor (or use its generative fill)' },
  { re: /^(?:swap|swapped|swapping|switch|exchange)$/, say: 'swapping is not one edit: draw an arrow from each selection to the other\'s place (or say "move the left one to where the right one is")' },
  { re: /^(?:undo|redo)$/, say: 'undo and redo are the panel\'s and the editor\'s (Ctrl+Z / Cmd+Z), not an edit' },
];

/**
 * Colour and tone words that only say what to change when they are not part of a name ("make it
 * blue", "make it brighter"; but "move the blue one"): read only among the words set aside.
 */
const TONE_WORDS = /^(?:brighter|darker|lighter|dimmer|bright|dark|transparent|opaque|translucent|saturated|desaturated|vivid|duller|warmer|cooler|sharper|blurrier|blurry|red|green|blue|yellow|purple|pink|black|white|gr[ae]y|brown|redder|greener|bluer)$/;
const TONE_SAY = 'changing colour or tone is not a drag edit: use the editor\'s adjustments';

/** "add 20 to its width": an amount, not new content (with no unit it is not read, so said as not understood; "add 20 px to its width" is a resize). */
const addsAmount = (parse: IntentParse, w: string): boolean => /^add/i.test(w) && /\badd(?:s|ed|ing)?\s+(?:about\s+|another\s+)?[+\d.]/i.test(parse.text);

/** Unknown nouns read as the edit's object that name an edit that is not a drag ("make a copy"). */
function notDragNouns(parse: IntentParse): string[] {
  return parse.unknown.filter((u) => u.role === 'object' && NOT_DRAG_EDITS.some((e) => e.re.test(u.word.toLowerCase()))).map((u) => u.word);
}

/** What a clause that asks for an edit that is not a drag in known words is said as (see IntentParse.notDrag). */
const NOT_DRAG_SAY: Record<NotDragEdit['kind'], string> = {
  mirror: 'turning it to face the other way is a mirror, not a drag edit: use the editor\'s Flip Horizontal (Edit › Transform in Photoshop and Photopea); to turn it upside down, say "rotate it 180°"',
  content: 'adding new content is not a drag edit: SmartDrag moves, turns, scales and bends what is already in the picture; paint or paste the new content in the editor (or use its generative fill)',
};

/** Warnings for clauses the parser read as edits that are not drags ("turn it around", "put a hat on it"), with the words as typed. */
function notDragWarnings(parse: IntentParse): string[] {
  return (parse.notDrag ?? []).map((n) => `"${n.words}": ${NOT_DRAG_SAY[n.kind]}; it was not acted on.`);
}

/** Warnings for intent words that were set aside: edits that are not drags named as such, the rest as not understood. */
function ignoredWordWarnings(words: readonly string[], parse?: IntentParse): string[] {
  const out: string[] = [], rest: string[] = [];
  const said = new Set<string>();
  for (const w of words) {
    const hit = parse && addsAmount(parse, w) ? undefined : NOT_DRAG_EDITS.find((e) => e.re.test(w.toLowerCase())) ?? (TONE_WORDS.test(w.toLowerCase()) ? { say: TONE_SAY } : undefined);
    if (!hit) { rest.push(w); continue; }
    if (said.has(hit.say)) continue;
    said.add(hit.say);
    out.push(`"${w}": ${hit.say}.`);
  }
  if (rest.length) out.unshift(`Words not understood in the intent: ${rest.map((w) => `"${w}"`).join(', ')}`);
  return out;
}

function cueWord(parse: IntentParse, word: string): boolean {
  const c = cuesOf(parse), w = word.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (!w) return false;
  const phrases = [...c.keepKinds.values(), c.reverse, c.factor?.words, c.delta?.words, c.lean?.words, c.arrowFor?.words];
  return phrases.some((p) => !!p && new RegExp(`\\b${w}\\b`).test(p));
}

/** A keep constraint already read as a kind ruled out ("keep its position", "keep the size"): no keep-mask warning. */
function keepReadAsKind(parse: IntentParse, c: { text: string }): boolean {
  const t = c.text.toLowerCase().replace(/[\u2018\u2019]/g, "'");
  return [...cuesOf(parse).keepKinds.values()].some((w) => t.includes(w) || w.includes(t));
}

/** "don't make it bigger": a change not wanted, not a region to keep unchanged (no keep-mask warning). */
function changeNotWanted(c: { negated: boolean; object: RegionRef; state: string[] }): boolean {
  return c.negated && handleRef(c.object) && c.state.some((w) => sensesOf(w).some((x) => x.cat === 'comparative'));
}

/** A phrase that refers to the selection itself ("it", "them", "the selection", or nothing). */
function handleRef(ref: RegionRef): boolean {
  return ref.kind === 'it' || ref.kind === 'all' || ref.kind === 'selected' || ref.kind === 'none';
}

/** Warnings for words read as the word they are one slip away from. */
function correctionWarnings(parse: IntentParse | null): string[] {
  return (parse?.corrections ?? []).map((c) => `Read "${c.word}" in the intent as "${c.as}".`);
}

function sizeOf(a: IntentAction | undefined): 'small' | 'medium' | 'large' {
  return a?.amount?.kind === 'qualitative' ? a.amount.size : 'medium';
}

/** A kind imposed on one drag by another reasoner (e.g. a local LLM), with its reason. */
export interface ForcedKind {
  kind: DragKind;
  reason: string;
}

/**
 * Rule reasoner: a plan (with alternatives when ambiguous) from geometry and an optional parse.
 * `forced` imposes kinds per drag index (parameters still come from arrows and text amounts).
 */
export function ruleReason(ctx: PlanContext, parse: IntentParse | null, forced?: ReadonlyMap<number, ForcedKind>): Plan {
  if (ctx.drags.length === 0) return textOnlyPlan(ctx, parse);
  const warnings: string[] = [];
  const cues = cuesOf(parse);
  // Actions naming a region no arrow is on ("make the left one bigger" with the arrow on the right one).
  const { near: actions0, away } = splitByRegion(baseActions(parse), ctx);
  // "make it the same size as the other one" with one selection (or a phrase that names none):
  // said, and the arrows are followed as drawn (not read as a resize of some default amount).
  const actions = actions0.filter((a) => {
    if (!a.matchSize) return true;
    const tries = [...new Set(ctx.drags.map((d) => d.drag.region))].map((id) => sizeMatch(a, id, ctx));
    const why = tries.find((m): m is { why: string } => 'why' in m);
    if (!why || tries.some((m) => !('why' in m))) return true;
    warnings.push(`${why.why} The arrows are followed as drawn.`);
    return false;
  });
  const borrowed = borrowedArrowPlan(ctx, parse, actions, away);
  if (borrowed) return borrowed;
  const { map: assignment, byOrderOnly } = bestAssignment(actions, ctx);
  // "also make it 10% bigger" on an arc: the arrow keeps its own reading and the text's edit comes on top.
  if (cues.also && !forced?.size) {
    for (const [region, a] of [...assignment]) {
      const ds = ctx.drags.filter((d) => d.drag.region === region && (!d.drag.kind || d.drag.kind === 'auto'));
      const tk = ds.length ? textKind(a, ds[0]!) : null;
      if (tk?.explicit && ds.every((d) => d.scores[0]!.kind !== tk.kind && d.scores[0]!.score >= 0.5)) assignment.delete(region);
    }
  }
  refuseKeptRegions(ctx, parse);
  const readings: Reading[][] = ctx.drags.map((d) => {
    const fk = forced?.get(d.index);
    const a = assignment.get(d.drag.region);
    if (fk && (!d.drag.kind || d.drag.kind === 'auto')) {
      const take = forcedAction(fk, d, a, actions, byOrderOnly, parse);
      if ('action' in take) return [{ kind: fk.kind, params: paramsFor(fk.kind, d, take.action, ctx, parse, warnings), source: 'intent' as const, reason: fk.reason, score: 0.9 }];
      warnings.push(`Drag ${d.index + 1} on region ${d.drag.region}: the other reasoner's ${fk.kind} was set aside, ${take.why}.`);
    }
    return readingsFor(d, a, ctx, parse, warnings);
  });

  if (parse) {
    const ignoredWords = parse.unknown.filter((u) => u.role === 'ignored' && !cueWord(parse, u.word)).map((u) => u.word);
    const wordWarnings = [...ignoredWordWarnings([...ignoredWords, ...notDragNouns(parse)], parse), ...notDragWarnings(parse)];
    warnings.push(...wordWarnings);
    warnings.push(...correctionWarnings(parse));
    // (An intent that only keeps something — "keep the background" — is understood: no warning.)
    // (Nor one that only asks for more room: plan/room.ts.)
    if (parse.text.trim() && !parse.room && actions0.length === 0 && parse.constraints.length === 0 && ruledOutKinds(parse).size === 0 && !cues.reverse && !cues.factor && !cues.delta && !cues.lean) {
      // (An edit that is not a drag was said as such just above: the words were known.)
      const saidNotDrag = wordWarnings.some((w) => !w.startsWith('Words not understood'));
      warnings.push(saidNotDrag ? 'Nothing in the intent is a move, turn, resize or bend; the plan follows the arrows.' : 'The intent names no operation I know; the plan follows the arrows.');
    }
    const keepMasks = ctx.req.keep?.length ?? 0;
    for (const c of parse.constraints) {
      const what = c.object.text || 'that';
      if (c.object.kind === 'it' && !c.negated) continue; // "keeping it sitting on the table": handled as a scale anchor
      if (c.notKind && handleRef(c.object)) continue; // "don't rotate it": a kind ruled out (see readingsFor), not a region to keep
      if (keepReadAsKind(parse, c)) continue; // "keep its position", "keep the size": a kind ruled out
      if (changeNotWanted(c)) continue;
      warnings.push(keepUnchangedWarning(what, keepMasks, '; only the handle regions and their targets change'));
    }
  }

  const pick = readings.map(() => 0);
  const main = assemble(ctx, readings, pick, warnings, actions, assignment);
  main.reasoner = 'rules';
  // One alternative per text/arrow conflict: the same request with that conflict settled the other way.
  const conflictAlts: Plan[] = [];
  if (!ctx.flip && ctx.conflicts?.size) {
    const order: Conflict[] = ['direction', 'kind', 'amount'];
    for (const c of order.filter((k) => ctx.conflicts!.has(k))) {
      const alt = ruleReason({ ...ctx, conflicts: new Set(), flip: new Set([c]) }, parse, forced);
      alt.warnings = [`Alternative: the text/arrow ${c} conflict settled the other way.`, ...alt.warnings];
      delete alt.alternatives;
      conflictAlts.push(alt);
    }
  }
  main.operations.push(...textOnlyOperations(ctx, actions, main.warnings, main.operations));
  main.operations.push(...unassignedActionOperations(ctx, actions, assignment, parse, main.warnings));
  main.operations.push(...awayOperations(ctx, parse, away, main.warnings));
  main.warnings.push(...cueNotes(parse, main.operations));

  // Alternatives: vary the most ambiguous drag.
  let worst = -1, worstSecond = 0;
  readings.forEach((rs, i) => {
    const second = rs[1]?.score ?? 0;
    if (rs[0]!.source !== 'user' && second >= AMBIGUOUS_SECOND && second > worstSecond) { worst = i; worstSecond = second; }
  });
  if (worst >= 0 && !ctx.flip) {
    const alts: Plan[] = [];
    for (let k = 1; k < readings[worst]!.length && alts.length < 2; k++) {
      if (readings[worst]![k]!.score < 0.04) break;
      const p = readings.map((_, i) => (i === worst ? k : 0));
      alts.push(assemble(ctx, readings, p, [], actions, assignment));
    }
    if (alts.length) {
      main.alternatives = alts;
      main.warnings.push(`Drag ${worst + 1} on region ${ctx.drags[worst]!.drag.region} is ambiguous; ${alts.length} alternative reading(s) attached.`);
    }
  }
  if (conflictAlts.length) main.alternatives = [...conflictAlts, ...(main.alternatives ?? [])].slice(0, 2);
  return main;
}

// ---- the text names a region no arrow is on ------------------------------------------------------

/** The one region a phrase names among all regions (by position, order, or "the other one" beside the dragged one); null when it cannot tell. */
function regionNamed(ref: RegionRef | CueRegion, ctx: PlanContext): string | null {
  const ids = ctx.req.regions.map((r) => r.id);
  if (ids.length < 2) return null;
  const dragged = [...new Set(ctx.drags.map((d) => d.drag.region))];
  if ('kind' in ref && ref.kind === 'other' || (!('kind' in ref) && /\bother\b/.test(ref.text))) {
    const rest = ids.filter((id) => !dragged.includes(id));
    return dragged.length === 1 && rest.length === 1 ? rest[0]! : null;
  }
  if ('kind' in ref && ref.kind !== 'unspecified') return null;
  if ('parts' in ref && ref.parts.length) return null;
  if (!ref.positions.length && ref.ordinal === undefined) return null;
  const asRef: RegionRef = { kind: 'unspecified', positions: ref.positions, ordinal: ref.ordinal, words: [], parts: [], possessive: false, text: ref.text };
  const scores = ids.map((id) => regionAffinity(asRef, id, ctx, ids));
  const best = Math.max(...scores);
  const winners = ids.filter((_, i) => scores[i] === best);
  return best > 0 && winners.length === 1 ? winners[0]! : null;
}

/** The parse's actions; with none, "make it lean left" is a turn to the left (counter-clockwise). */
function baseActions(parse: IntentParse | null): IntentAction[] {
  if (!parse) return [];
  const lean = cuesOf(parse).lean;
  if (parse.actions.length || !lean) return parse.actions;
  return [{ verb: 'lean', cls: 'rotate', soft: false, object: { kind: 'it', positions: [], words: [], parts: [], possessive: false, text: 'it' }, directions: [], rotation: lean.sense, gapped: false, text: lean.words }];
}

/** Actions for the dragged regions (`near`), and those naming a region no arrow is on (`away`, with that region). */
function splitByRegion(actions: IntentAction[], ctx: PlanContext): { near: IntentAction[]; away: Map<IntentAction, string> } {
  const dragged = new Set(ctx.drags.map((d) => d.drag.region));
  const away = new Map<IntentAction, string>();
  for (const a of actions) {
    const id = regionNamed(a.object, ctx);
    if (id && !dragged.has(id)) away.set(a, id);
  }
  return { near: actions.filter((a) => !away.has(a)), away };
}

/** A zero-length drag at a region's centroid: an edit read from the text alone. */
function stillDrag(ctx: PlanContext, id: string): DragInfo {
  const shape = ctx.shapes.get(id)!;
  const c = shape.centroid;
  const drag: Drag = { region: id, points: [c, c] };
  const features = dragFeatures(drag, shape);
  return { index: -1, drag, shape, features, scores: scoreKinds(features, undefined, unitsOf(ctx)) };
}

/** A drag moved onto another region, keeping its place relative to the region's centroid. */
function transplant(d: DragInfo, ctx: PlanContext, id: string): DragInfo {
  const shape = ctx.shapes.get(id)!;
  const ox = shape.centroid[0] - d.shape.centroid[0], oy = shape.centroid[1] - d.shape.centroid[1];
  const drag: Drag = { region: id, points: d.drag.points.map((p) => [p[0] + ox, p[1] + oy] as Point) };
  const features = dragFeatures(drag, shape);
  return { index: d.index, drag, shape, features, scores: scoreKinds(features, undefined, unitsOf(ctx)) };
}

/** The text gives the edit itself (a direction, an amount, a sense or a place): an arrow on another region adds nothing. */
function textSaysEnough(a: IntentAction): boolean {
  return a.directions.some((x) => x in DIR_VEC) || !!a.rotation || !!a.place || !!a.to || !!a.toRegion || (!!a.amount && a.amount.kind !== 'qualitative');
}

/**
 * One arrow on one region, and text that only names another region ("move the left one instead",
 * "make the left one bigger", "this arrow is for the left one"): the text's region is edited, the
 * arrow giving the amount and direction where it shows the text's kind, and the arrow's own region
 * is left as it is (with a warning). Null when this does not apply.
 */
function borrowedArrowPlan(ctx: PlanContext, parse: IntentParse | null, near: IntentAction[], away: Map<IntentAction, string>): Plan | null {
  const dragged = [...new Set(ctx.drags.map((d) => d.drag.region))];
  if (dragged.length !== 1 || near.length > 0 || ctx.drags.some((d) => d.drag.kind && d.drag.kind !== 'auto')) return null;
  const cues = cuesOf(parse);
  const arrowFor = !away.size && cues.arrowFor ? regionNamed(cues.arrowFor.region, ctx) : null;
  if (!away.size && !(arrowFor && arrowFor !== dragged[0])) return null;
  const from = dragged[0]!;
  const d = ctx.drags.find((x) => x.features.length >= minArrow(ctx)) ?? ctx.drags[0]!;
  const warnings: string[] = [];
  const operations: Operation[] = [];
  if (arrowFor) {
    const moved = transplant(d, ctx, arrowFor);
    const top = moved.scores[0]!;
    const params = paramsFor(top.kind, moved, undefined, ctx, parse, warnings);
    operations.push({ region: arrowFor, kind: top.kind, params, source: 'geometry', description: describeOperation(arrowFor, params), reason: `the text says the arrow on ${from} is for ${arrowFor} ("${cues.arrowFor!.words}"); geometry: ${top.why}` });
    warnings.push(`The arrow is on region ${from} but the text says it is for region ${arrowFor} ("${cues.arrowFor!.words}"): the arrow's ${top.kind} is applied to ${arrowFor}, and ${from} is left as it is.`);
  }
  // "move the other one too": the arrow's own region keeps the arrow's edit as well.
  if (cues.also) {
    const top = d.scores[0]!;
    const params = paramsFor(top.kind, d, undefined, ctx, parse, warnings);
    operations.push({ region: from, kind: top.kind, params, source: 'geometry', description: describeOperation(from, params), reason: `geometry: ${top.why}; the text's "too"/"also" keeps the arrow's own edit` });
  }
  for (const [a, id] of away) {
    const moved = transplant(d, ctx, id);
    const tk = textKind(a, moved);
    const useArrow = !textSaysEnough(a) && (!tk.explicit || tk.kind === moved.scores[0]!.kind) && tk.kind !== 'deform';
    let kind = tk.kind, drag = moved;
    if (!useArrow) {
      const tok = textOnlyKind(a);
      if ('question' in tok) throw askUser(`${tok.question} (The arrow is on region ${from}, but "${a.text}" names region ${id}.)`);
      kind = tok.kind; drag = stillDrag(ctx, id);
      if (tok.note) warnings.push(tok.note);
    }
    const params = paramsFor(kind, drag, a, ctx, parse, warnings);
    operations.push({ region: id, kind, params, source: 'intent', description: describeOperation(id, params), reason: `intent: ${tk.why}; "${a.object.text}" is region ${id}, ${useArrow ? `so the arrow drawn on ${from} gives the amount and direction` : 'and the text gives the edit'}` });
    warnings.push(`The arrow is on region ${from} but "${a.text}" names region ${id} ("${a.object.text}"): ${useArrow ? `the arrow's ${kind} is applied to ${id}` : `${id} is edited as the text says`}${cues.also ? `; ${from} keeps the arrow's own edit ("too")` : `, and ${from} is left as it is`}.`);
    if (!useArrow) { const dflt = defaultAmountWarning(a, id, params, unitsOf(ctx)); if (dflt) warnings.push(dflt); }
  }
  if (parse) warnings.push(...correctionWarnings(parse), ...cueNotes(parse, operations));
  return { operations, warnings, confidence: 0.6, reasoner: 'rules' };
}

/** Actions naming a region no arrow is on, beside actions for the arrows: read from the text alone. */
function awayOperations(ctx: PlanContext, parse: IntentParse | null, away: Map<IntentAction, string>, warnings: string[]): Operation[] {
  const out: Operation[] = [];
  for (const [a, id] of away) {
    const tk = textOnlyKind(a);
    if ('question' in tk) { warnings.push(`"${a.text}" names region ${id}, which has no arrow: ${tk.question}`); continue; }
    if (tk.note) warnings.push(tk.note);
    const params = paramsFor(tk.kind, stillDrag(ctx, id), a, ctx, parse, warnings);
    out.push({ region: id, kind: tk.kind, params, source: 'intent', description: describeOperation(id, params), reason: `intent: ${tk.why}; "${a.object.text}" is region ${id}, which has no arrow, so the amount comes from the text` });
    warnings.push(`Region ${id} has no arrow; its operation comes from the text alone ("${a.text}").`);
    const dflt = defaultAmountWarning(a, id, params, unitsOf(ctx));
    if (dflt) warnings.push(dflt);
  }
  return out;
}

const KIND_VERB: Record<DragKind, string> = { translate: 'move', rotate: 'rotate', scale: 'resize', deform: 'reshape' };

/** "don't move the right one" with the arrow on the right one: ask instead of editing it. */
function refuseKeptRegions(ctx: PlanContext, parse: IntentParse | null): void {
  const actions = parse?.actions ?? [];
  for (const k of keptRegions(parse)) {
    const id = regionNamed(k.region, ctx);
    if (!id) continue;
    for (const d of ctx.drags) {
      if (d.drag.region !== id || d.features.length < minArrow(ctx)) continue;
      const explicit = actions.find((a) => regionNamed(a.object, ctx) === id);
      const kind = d.drag.kind && d.drag.kind !== 'auto' ? d.drag.kind : explicit ? textKind(explicit, d).kind : d.scores[0]!.kind;
      if (k.kinds.length && !k.kinds.includes(kind)) continue;
      throw askUser(`The text says "${k.text}" (region ${id}), but the arrow is drawn on region ${id} and reads as a ${kind === 'translate' ? 'move' : kind}. Draw the arrow on the region to ${KIND_VERB[kind]}, or say which region the arrow is for.`);
    }
  }
}

/** Words a place keeps ("where it is", "in place", "still", "put"): the region does not move (other kinds stay open). */
const KEPT_IN_PLACE = /\b(?:where (?:it|they) (?:is|are)|in (?:its |their )?place|still|put|fixed|static)\b/;

/**
 * Regions the text keeps by position, order or "the other one" ("don't move the right one",
 * "leave the left one where it is", "don't touch the first one"), from the parse's constraints:
 * the kinds ruled out for each (a negated edit verb: that kind; a place kept: translate; else all,
 * as an empty list). "Don't rotate the right one so much" asks for less, not none: not kept.
 */
function keptRegions(parse: IntentParse | null): { region: RegionRef; kinds: DragKind[]; text: string }[] {
  const out: { region: RegionRef; kinds: DragKind[]; text: string }[] = [];
  for (const c of parse?.constraints ?? []) {
    const r = c.object;
    if (handleRef(r) || onlyLess(c) || !(r.kind === 'other' || r.positions.length || r.ordinal !== undefined)) continue;
    const kinds: DragKind[] = c.notKind ? [KIND_OF[c.notKind]] : KEPT_IN_PLACE.test(c.state.join(' ')) ? ['translate'] : [];
    out.push({ region: r, kinds, text: c.said ?? `${c.text}` });
  }
  return out;
}

/** Warnings for words about the arrow that changed its amount or direction ("the other way", "half as far", "not so much"). */
function cueNotes(parse: IntentParse | null, ops: Operation[]): string[] {
  const c = cuesOf(parse), out: string[] = [];
  const kinds = new Set(ops.map((o) => o.kind));
  if (c.reverse && (kinds.has('translate') || kinds.has('rotate') || kinds.has('scale'))) out.push(`Read "${c.reverse}" as the arrow's edit reversed.`);
  if (c.factor && (c.factor.kind ? kinds.has(c.factor.kind) : kinds.has('translate') || kinds.has('rotate'))) {
    out.push(c.factor.kind
      ? `Read "${c.factor.words}" as less, not none: ${c.factor.value === 0.5 ? 'half' : `×${c.factor.value}`} the arrow's amount (say an amount, e.g. "by 10°" or "by 20 px", for another).`
      : `Read "${c.factor.words}" as the arrow's amount ×${c.factor.value}.`);
  }
  if (c.delta && (kinds.has('translate') || kinds.has('rotate'))) out.push(`Read "${c.delta.words}" as the arrow's amount ${c.delta.value > 0 ? 'plus' : 'minus'} ${Math.abs(c.delta.value)}${c.delta.unit === 'deg' ? '°' : c.delta.unit === 'px' ? ' px' : ''}.`);
  return out;
}

/**
 * Whether a kind another reasoner chose for an auto drag may stand: it never overrides text the
 * rules read. With an explicit verb on the drag's region the text's kind stays, unless the actions
 * were given to the arrows by their order of mention alone (then the chosen kind may be another
 * action's: the action that names it is used); a soft verb (raise, pull) leaves only translate or
 * deform open; a kind the text rules out ("don't rotate it") is refused. Returns the action whose
 * amounts go with the kind, or why the kind was set aside.
 */
function forcedAction(fk: ForcedKind, d: DragInfo, a: IntentAction | undefined, actions: IntentAction[], byOrderOnly: boolean, parse: IntentParse | null): { action: IntentAction | undefined } | { why: string } {
  const ruled = ruledOutKinds(parse).get(fk.kind);
  if (ruled) return { why: `the text says not to ${ruled}` };
  if (!a) return { action: undefined };
  const tk = textKind(a, d);
  if (!tk.explicit) {
    return fk.kind === 'translate' || fk.kind === 'deform' ? { action: a } : { why: `the text's "${a.verb}" gives only a direction: the region moves or that part bends (translate or deform)` };
  }
  if (tk.kind === fk.kind) return { action: a };
  const other = byOrderOnly ? actions.find((x) => textKind(x, d).explicit && textKind(x, d).kind === fk.kind) : undefined;
  return other ? { action: other } : { why: `the text asks to ${tk.kind} (${tk.why}) and the text's reading stands` };
}

/** How the rules settled one drag's kind (see {@link ruleSettlement}). */
export type DragSettlement = 'user' | 'text' | 'geometry' | 'open';

/** What the rules settled in a request: the text, and each drag's kind. */
export interface RuleSettlement {
  /** Text was given and the rules read an edit in it (an operation, or a kind it rules out); null without text. */
  textRead: boolean | null;
  /** Per drag, in order. */
  drags: DragSettlement[];
  /** The request is settled: nothing is left for another reasoner to decide. */
  settled: boolean;
  /** Why it is not settled, in words (empty when settled). */
  open: string[];
}

/** A runner-up reading scoring at least this is a real second reading: the rules attach it as an alternative. */
export const AMBIGUOUS_SECOND = 0.15;

/**
 * What the rules settle on their own, from their own readings. A drag's kind is settled when the
 * user set it (`user`); when an explicit edit verb is given to its region, not by order of mention
 * alone (`text`); or when its readings (geometry, or a soft verb's translate-or-deform) have no
 * runner-up of {@link AMBIGUOUS_SECOND} or more (`geometry`). Otherwise it is `open`. A request is
 * settled when its text, if any, was read and every drag is settled — or when every drag's kind is
 * the user's (another reasoner would have nothing to choose). Text alone is settled when the rules
 * read it (`ruleReason` does not ask back): the caller knows that from `ruleReason` itself.
 */
export function ruleSettlement(ctx: PlanContext, parse: IntentParse | null): RuleSettlement {
  const text = parse?.text.trim() ?? '';
  const actions = parse?.actions ?? [];
  const textRead = text ? actions.length > 0 || ruledOutKinds(parse).size > 0 : null;
  const { map: assignment, byOrderOnly } = bestAssignment(splitByRegion(baseActions(parse), ctx).near, ctx);
  const scratch: PlanContext = { ...ctx, conflicts: new Set(), flip: undefined };
  const open: string[] = [];
  const drags = ctx.drags.map((d): DragSettlement => {
    if (d.drag.kind && d.drag.kind !== 'auto') return 'user';
    const a = assignment.get(d.drag.region);
    if (a && byOrderOnly) { open.push(`which action goes with drag ${d.index + 1} follows only the order of the words`); return 'open'; }
    if (a && textKind(a, d).explicit) return 'text';
    let rs: Reading[];
    try { rs = readingsFor(d, a, scratch, parse, []); } catch { rs = []; }
    if (rs.length > 0 && (rs[1]?.score ?? 0) < AMBIGUOUS_SECOND) return 'geometry';
    open.push(`drag ${d.index + 1} on region ${d.drag.region} reads as ${rs.slice(0, 2).map((r) => `${r.kind} (${Math.round(r.score * 100)}%)`).join(' or ') || 'nothing the text allows'}`);
    return 'open';
  });
  if (textRead === false) open.unshift(`the rules read no edit in the text "${text}"`);
  const allUser = drags.length > 0 && drags.every((k) => k === 'user');
  return { textRead, drags, settled: allUser || open.length === 0, open: allUser ? [] : open };
}

function assemble(ctx: PlanContext, readings: Reading[][], pick: number[], warnings: string[], _actions: IntentAction[], assignment: Map<string, IntentAction>): Plan {
  const chosen = readings.map((rs, i) => rs[pick[i]!] ?? rs[0]!);
  const operations: Operation[] = [];
  const byRegion = new Map<string, number[]>();
  ctx.drags.forEach((d, i) => byRegion.set(d.drag.region, [...(byRegion.get(d.drag.region) ?? []), i]));
  const ws = [...warnings];
  for (const [region, idx] of byRegion) operations.push(...combineRegion(region, idx.map((i) => ({ r: chosen[i]!, d: ctx.drags[i]! })), ws, assignment.get(region), unitsOf(ctx)));
  const confidence = chosen.reduce((a, r) => a * r.score, 1);
  return { operations, warnings: ws, confidence: Math.round(confidence * 1000) / 1000 };
}

// ---- action → region assignment ----------------------------------------------------------------

function regionAffinity(ref: RegionRef, region: string, ctx: PlanContext, dragged: string[]): number {
  if (dragged.length < 2) return 0;
  let s = 0;
  if (ref.parts.length === 0) {
    for (const p of ref.positions) {
      const cs = dragged.map((id) => ctx.shapes.get(id)!.centroid);
      const key = (c: Point): number => (p === 'left' ? c[0] : p === 'right' ? -c[0] : p === 'top' ? c[1] : p === 'bottom' ? -c[1] : 0);
      if (p === 'middle') continue;
      const mine = key(ctx.shapes.get(region)!.centroid);
      const best = Math.min(...cs.map(key));
      if (mine === best) s += 3;
    }
  }
  if (ref.ordinal !== undefined) {
    const n = ref.ordinal < 0 ? dragged.length + ref.ordinal : ref.ordinal - 1;
    s += dragged[n] === region ? 3 : -3;
  }
  // "the small one", "the bigger cup": the region of least / most area, when the areas differ by a tenth or more.
  const size = ref.words.map((w) => SIZE_WORDS[w]).find((x) => !!x);
  if (size && ref.parts.length === 0) {
    const areas = dragged.map((id) => ctx.shapes.get(id)!.area), mine = ctx.shapes.get(region)!.area;
    const lo = Math.min(...areas), hi = Math.max(...areas);
    if (hi > 1.1 * lo && mine === (size === 'small' ? lo : hi)) s += 3;
  }
  return s;
}

function directionAffinity(a: IntentAction, region: string, ctx: PlanContext): number {
  const v = textDirection(a.directions);
  if (!v) return 0;
  const ds = ctx.drags.filter((d) => d.drag.region === region && d.features.length >= minArrow(ctx));
  if (!ds.length) return 0;
  return (2 * ds.reduce((s, d) => s + (d.features.chord[0] * v[0] + d.features.chord[1] * v[1]) / d.features.length, 0)) / ds.length;
}

/** Give each dragged region the action that best matches it (position words, order, direction). */
export function assignActions(actions: IntentAction[], ctx: PlanContext): Map<string, IntentAction> {
  return bestAssignment(actions, ctx).map;
}

/**
 * The assignment of actions to dragged regions, and whether it rests on the text's order alone
 * (`byOrderOnly`: with the order of mention left out, another assignment scores as well: "rotate one
 * and scale the other" on two arrows that show neither). One action, or one dragged region, is
 * never by order alone.
 */
function bestAssignment(actions: IntentAction[], ctx: PlanContext): { map: Map<string, IntentAction>; byOrderOnly: boolean } {
  const out = new Map<string, IntentAction>();
  const dragged = [...new Set(ctx.drags.map((d) => d.drag.region))];
  if (actions.length === 0) return { map: out, byOrderOnly: false };
  if (actions.length === 1) {
    for (const r of dragged) out.set(r, actions[0]!);
    return { map: out, byOrderOnly: false };
  }
  // Without the order of mention: position words, direction, and the arrow showing the action's kind.
  const content = (ai: number, ri: number): number => {
    const a = actions[ai]!, region = dragged[ri]!;
    // An action whose kind the arrow also shows is the arrow's most likely meaning.
    const agrees = ctx.drags.some((d) => d.drag.region === region && textKind(a, d).kind === d.scores[0]!.kind) ? 1 : 0;
    return regionAffinity(a.object, region, ctx, dragged) + directionAffinity(a, region, ctx) + agrees;
  };
  const combos = actions.length ** dragged.length;
  let best: number[] = dragged.map((_, ri) => Math.min(ri, actions.length - 1));
  let byOrderOnly = dragged.length > 1;
  if (combos <= 5000) {
    let bestScore = -Infinity, bestContent = -Infinity;
    const contents: { combo: number[]; c: number }[] = [];
    const cur = dragged.map(() => 0);
    const rec = (ri: number): void => {
      if (ri === dragged.length) {
        const used = new Set(cur).size;
        const c = cur.reduce((acc, ai, k) => acc + content(ai, k), 0) - 1.5 * (Math.min(actions.length, dragged.length) - used);
        const s = c + cur.reduce((acc, ai, k) => acc + (ai === k ? 0.5 : 0), 0);
        contents.push({ combo: [...cur], c });
        if (s > bestScore) { bestScore = s; bestContent = c; best = [...cur]; }
        return;
      }
      for (let ai = 0; ai < actions.length; ai++) { cur[ri] = ai; rec(ri + 1); }
    };
    rec(0);
    byOrderOnly = dragged.length > 1 && contents.some((x) => x.c >= bestContent - 1e-9 && x.combo.some((ai, k) => ai !== best[k]));
  }
  dragged.forEach((r, ri) => out.set(r, actions[best[ri]!]!));
  return { map: out, byOrderOnly };
}

// ---- readings ------------------------------------------------------------------------------------

interface TextKind { kind: DragKind; explicit: boolean; why: string }

function textKind(a: IntentAction, d: DragInfo): TextKind {
  const verb = `"${a.verb}"`;
  if (a.means) {
    const m = textKind(a.means, d);
    if (a.means.object.parts.length) return { kind: 'deform', explicit: true, why: `${verb} by "${a.means.text}": a part (${a.means.object.parts.join(', ')}) of the object moves` };
    if (m.explicit && a.cls !== 'rotate') return { ...m, why: `${verb} by ${m.why}` };
  }
  if (a.object.parts.length && (a.cls === 'move' || a.cls === 'deform')) {
    return { kind: 'deform', explicit: true, why: `${verb} acts on a part (${a.object.parts.join(', ')}) of the object` };
  }
  if (a.cls === 'rotate') return { kind: 'rotate', explicit: true, why: `verb ${verb} asks to rotate` };
  // "make the nose smaller", "make the neck longer" with an arrow: an arrow that pulls a part
  // (geometry: deform) resizes that part on its object; one that reads as a scale resizes the
  // selection (the selection is the part itself).
  if (a.cls === 'scale' && piecesNamed(a.object).length) {
    if (d.scores[0]!.kind === 'deform') return { kind: 'deform', explicit: false, why: `${verb} resizes a part (${piecesNamed(a.object).join(', ')}) and the arrow pulls that part: it moves on its object while the rest stays` };
  }
  if (a.cls === 'scale') return { kind: 'scale', explicit: true, why: `${verb} asks to scale${scaleAlong(a)}` };
  if (!a.soft && a.cls === 'deform') return { kind: 'deform', explicit: true, why: `verb ${verb} asks to deform` };
  if (!a.soft && a.cls === 'move') return { kind: 'translate', explicit: true, why: `verb ${verb} asks to move the whole region` };
  // Soft verbs: geometry decides between moving the whole region and deforming part of it.
  const t = d.scores.find((s) => s.kind === 'translate')!.score, f = d.scores.find((s) => s.kind === 'deform')!.score;
  return t > f
    ? { kind: 'translate', explicit: false, why: `${verb} gives a direction; the handle sits in the object's core, so the whole region moves` }
    : { kind: 'deform', explicit: false, why: `${verb} gives a direction; the handle sits on the object's rim, so that part moves while the rest stays` };
}

function readingsFor(d: DragInfo, a: IntentAction | undefined, ctx: PlanContext, parse: IntentParse | null, warnings: string[]): Reading[] {
  const id = d.drag.region;
  if (d.drag.kind && d.drag.kind !== 'auto') {
    const kind = d.drag.kind;
    if (a) {
      const tk = textKind(a, d);
      if (tk.explicit && tk.kind !== kind) warnings.push(`Drag ${d.index + 1} on region ${id} is set to ${kind} but the text asks to ${tk.kind} (${tk.why}); keeping the drag's own type.`);
    }
    return [{ kind, params: paramsFor(kind, d, a, ctx, parse, warnings), source: 'user', reason: `type set on the drag (${kind})`, score: 1 }];
  }
  const geo = d.scores;
  const ruled = ruledOutKinds(parse);
  if (!a) {
    const all = geo.map((s) => ({ kind: s.kind, params: paramsFor(s.kind, d, undefined, ctx, parse, []), source: 'geometry' as const, reason: `geometry: ${s.why}`, score: s.score }));
    const top = all[0]!;
    if (!ruled.has(top.kind)) return ruled.size ? all.filter((r) => !ruled.has(r.kind)) : all;
    // "don't rotate it" on an arc: not a rotation. Follow the arrow's next reading, or ask when it has none.
    const kept = all.filter((r) => !ruled.has(r.kind));
    const said = ruled.get(top.kind)!;
    if (!kept.length || kept[0]!.score < 0.15) {
      throw askUser(`The text says not to ${said}, but the arrow on region ${id} reads only as a ${top.kind}. Draw the arrow for the edit you want, or set the arrow's type.`);
    }
    warnings.push(`The text says not to ${said}: the arrow on region ${id} reads best as a ${top.kind}, so its next reading, ${kept[0]!.kind}, is used.`);
    return kept.map((r) => ({ ...r, reason: `${r.reason} (the text rules out ${top.kind})` }));
  }
  let tk = textKind(a, d);
  const top = geo[0]!;
  if (tk.explicit && top.kind !== tk.kind && top.score >= 0.5) {
    ctx.conflicts?.add('kind');
    if (ctx.flip?.has('kind')) {
      warnings.push(`Text and arrow disagree on region ${id}: the text asks to ${tk.kind} (${tk.why}) but the arrow reads as ${top.kind}; this reading follows the arrow.`);
      return [{ kind: top.kind, params: paramsFor(top.kind, d, undefined, ctx, parse, []), source: 'geometry', reason: `geometry (the text's ${tk.kind} set aside): ${top.why}`, score: top.score }];
    }
    warnings.push(`Text and arrow disagree on region ${id}: the text asks to ${tk.kind} (${tk.why}) but the arrow reads as ${top.kind} (${Math.round(top.score * 100)}%: ${shortWhy(top)}); following the text (its words name the kind). An alternative follows the arrow.`);
    tk = { ...tk };
  }
  const first: Reading = {
    kind: tk.kind, params: paramsFor(tk.kind, d, a, ctx, parse, warnings), source: 'intent',
    reason: `intent: ${tk.why}; geometry: ${geo.find((s) => s.kind === tk.kind)!.why}`,
    score: tk.explicit ? 0.95 : Math.max(0.55, geo.find((s) => s.kind === tk.kind)!.score / (geo.find((s) => s.kind === 'translate')!.score + geo.find((s) => s.kind === 'deform')!.score)),
  };
  const out = [first];
  if (!tk.explicit) {
    const other = tk.kind === 'translate' ? 'deform' : 'translate';
    out.push({ kind: other, params: paramsFor(other, d, a, ctx, parse, []), source: 'geometry', reason: `geometry: ${geo.find((s) => s.kind === other)!.why}`, score: 1 - first.score });
    // "lift it, but don't move it": a soft verb's reading the text rules out gives way to the other.
    if (ruled.has(first.kind) && !ruled.has(other)) return [out[1]!, { ...first, score: 0 }];
  }
  return out;
}

function shortWhy(s: KindScore): string {
  return s.why.split(':')[0]!;
}

// ---- parameters ---------------------------------------------------------------------------------

function anchorForScale(d: DragInfo, parse: IntentParse | null): { center: Point; why: string } | null {
  if (!parse) return null;
  const sits = parse.constraints.some((c) => c.object.kind === 'it' && c.state.some((w) => /^(sitting|standing|on|resting)$/.test(w)));
  if (!sits) return null;
  const m = d.shape;
  const [, hi] = m.extentAlong([0, 1]);
  return { center: [m.centroid[0], m.centroid[1] + hi], why: 'the text keeps it sitting where it is, so it scales about its base' };
}

/** Screen words for a move ("right", "up and left"). */
function compassOf(dx: number, dy: number): string {
  const h = Math.abs(dx) >= 0.5 ? (dx > 0 ? 'right' : 'left') : '', v = Math.abs(dy) >= 0.5 ? (dy > 0 ? 'down' : 'up') : '';
  return h && v ? `${v} and ${h}` : h || v;
}

/** Screen words for a unit direction ("up", "down-right"). */
function dirWords(v: Point): string {
  const h = v[0] > 0.38 ? 'right' : v[0] < -0.38 ? 'left' : '', vv = v[1] > 0.38 ? 'down' : v[1] < -0.38 ? 'up' : '';
  return [vv, h].filter(Boolean).join('-') || 'nowhere';
}

function paramsFor(kind: DragKind, d: DragInfo, a: IntentAction | undefined, ctx: PlanContext, parse: IntentParse | null, warnings: string[]): OperationParams {
  const f = d.features, id = d.drag.region;
  // Pixels in the text are the document's; `u` converts them into the request's (a proxy's) pixels.
  const u = unitsOf(ctx), textPx = typedPx(ctx);
  const hasArrow = f.length >= minArrow(ctx);
  // Words about the arrow itself ("the other way", "half as far", "10 px further"), for one action (or none).
  const cues = cuesOf(parse);
  const oneAction = (parse?.actions.length ?? 0) <= 1;
  const rev = oneAction && hasArrow && !!cues.reverse;
  const rel = !oneAction || !hasArrow ? null
    : cues.factor && (cues.factor.kind ? cues.factor.kind === kind : kind === 'translate' || kind === 'rotate') ? cues.factor.value
      : a?.amount?.kind === 'factor' && (kind === 'translate' || kind === 'rotate') ? a.amount.value : null;
  const delta = oneAction && hasArrow && cues.delta && rel === null ? cues.delta : null;
  // Shares of a size ("half its width", "a third of its height"): pixels of region id's box or of the document.
  const shareNotes: string[] = [];
  const amountPx = (amt: Amount, dir: Point | null): number | null => {
    if (!isShare(amt)) return textPx(amt, dir);
    const s = sharePx(amt, id, dir, ctx);
    if ('why' in s) {
      if (!hasArrow) throw askUser(`${s.why}. Say the amount in pixels (e.g. "by 40 px"), or draw an arrow.`);
      warnings.push(`${s.why}; the arrow's length is used instead.`);
      return null;
    }
    shareNotes.push(dir ? `${compassOf(dir[0], dir[1])} by ${s.note}` : s.note);
    return s.px;
  };
  let vec = kind === 'translate' ? legVector(a, amountPx) : null;
  // "move it right and 10px up" along an arrow to the right: the arrow's length on the direction
  // with no amount, the stated amount on the other.
  if (kind === 'translate' && hasArrow && a?.legs?.length === 1) {
    const leg = a.legs[0]!, lv = DIR_VEC[leg.dir]!;
    const n = textPx(leg.amount, lv);
    if (n !== null) {
      let x = lv[0] * n, y = lv[1] * n, extra = false;
      for (const w of new Set(a.directions)) {
        const uv = DIR_VEC[w];
        if (!uv || w === leg.dir || uv[0] * lv[0] + uv[1] * lv[1] !== 0) continue;
        const along = f.chord[0] * uv[0] + f.chord[1] * uv[1];
        if (along > minArrow(ctx)) { x += uv[0] * along; y += uv[1] * along; extra = true; }
      }
      if (extra) vec = [x, y];
    }
  }
  let tdir = vec ? ([vec[0] / Math.hypot(vec[0], vec[1]), vec[1] / Math.hypot(vec[0], vec[1])] as Point) : a ? textDirection(a.directions) : null;
  // "closer to the other one", "away from the big one": the text's direction is towards or away
  // from the other selection's box centre (said with the text's words when the arrow disagrees).
  const toward = kind === 'translate' && !tdir ? towardOther(a, id, ctx) : null;
  if (toward && 'why' in toward) {
    if (!hasArrow) throw askUser(toward.why);
    warnings.push(`${toward.why} The arrow on region ${id} is followed.`);
  } else if (toward) tdir = toward.dir;
  const saidDir = toward && 'dir' in toward ? `"${a!.toRegion!.text}"` : a ? a.directions.join('/') : '';
  let dirConflict = false;
  // Only screen directions the text gives on an axis count ("up" says nothing about x unless the
  // arrow has a clear x component the text does not mention — then they disagree too).
  let followText = false;
  if (a && tdir && hasArrow && kind !== 'rotate' && kind !== 'scale') {
    const cos = (f.chord[0] * tdir[0] + f.chord[1] * tdir[1]) / f.length;
    if (cos < Math.SQRT1_2) {
      dirConflict = true;
      ctx.conflicts?.add('direction');
      const arrowDir: Point = [f.chord[0] / f.length, f.chord[1] / f.length];
      followText = !!ctx.flip?.has('direction');
      warnings.push(followText
        ? `Text says ${saidDir} but the arrow on region ${id} points ${dirWords(arrowDir)}; this reading follows the text's direction with the arrow's length.`
        : `Text says ${saidDir} but the arrow on region ${id} points ${dirWords(arrowDir)} (${Math.round((Math.acos(Math.max(-1, Math.min(1, cos))) * 180) / Math.PI)}° apart); following the arrow's direction (it is what was drawn). An alternative follows the text.`);
    }
  }
  switch (kind) {
    case 'translate': {
      let dx = f.chord[0], dy = f.chord[1];
      const len = lengthNote(a);
      if (len) warnings.push(`${len}; region ${id} ${hasArrow ? "moves by the arrow's length" : 'moves a default distance'} (say e.g. "by 40 px").`);
      // "move it to (400, 300)", "to where the right one is", "next to the big one": a point or another object.
      const goal = a && (a.to || a.toRegion) ? goalMove(a, id, ctx) : null;
      if (goal && 'why' in goal) {
        if (!hasArrow) throw askUser(goal.why);
        warnings.push(`${goal.why} The arrow on region ${id} is followed.`);
      } else if (goal) {
        if (!hasArrow) return noted({ kind: 'translate', dx: goal.dx, dy: goal.dy }, goal.note);
        // With an arrow: one that ends near the goal is read as that goal, exactly; one that ends
        // elsewhere is followed (it is what was drawn), and an alternative goes to the goal.
        const off = Math.hypot(goal.dx - f.chord[0], goal.dy - f.chord[1]);
        if (off <= Math.max(10 * u.s, 0.25 * Math.hypot(goal.dx, goal.dy))) return noted({ kind: 'translate', dx: goal.dx, dy: goal.dy }, `${goal.note} (the arrow ends ${docPx(u, off)} px from there)`);
        ctx.conflicts?.add('amount');
        if (ctx.flip?.has('amount')) {
          warnings.push(`Text says "${a!.toRegion?.text ?? a!.to!.text}" but the arrow on region ${id} moves it ${docPair(u, u.docVec(f.chord))} px; this reading follows the text (${goal.note}).`);
          return noted({ kind: 'translate', dx: goal.dx, dy: goal.dy }, goal.note);
        }
        warnings.push(`Text says "${a!.toRegion?.text ?? a!.to!.text}" (a move of ${goal.doc[0]}, ${goal.doc[1]} px: ${goal.note}) but the arrow on region ${id} moves it ${docPair(u, u.docVec(f.chord))} px; following the arrow. An alternative follows the text.`);
      }
      // "move it to the top left", "center it": with no arrow, the region's box goes to that place of the document.
      if (a?.place) {
        const region = ctx.req.regions.find((r) => r.id === id);
        if (region) {
          const m = placeMove(a.place, region.mask, documentRect(ctx.req), u);
          if (!hasArrow) return { kind: 'translate', dx: round2(m.dx), dy: round2(m.dy) };
          // With an arrow that stops well short of (or past, or beside) the place: say so, and offer the
          // place (an axis the place leaves out follows the arrow).
          m.dx = a.place.x === undefined ? f.chord[0] : m.dx; m.dy = a.place.y === undefined ? f.chord[1] : m.dy;
          const off = Math.hypot(m.dx - f.chord[0], m.dy - f.chord[1]);
          if (off > Math.max(10 * u.s, 0.25 * Math.hypot(m.dx, m.dy))) {
            ctx.conflicts?.add('amount');
            if (ctx.flip?.has('amount')) {
              warnings.push(`Text says ${placeWords(a.place)} but the arrow on region ${id} moves it ${docPx(u, f.length, f.chord)} px ${dirWords([f.chord[0] / f.length, f.chord[1] / f.length])}; this reading puts its box at ${placeWords(a.place)} (${docPair(u, u.docVec([m.dx, m.dy]))}).`);
              return { kind: 'translate', dx: round2(m.dx), dy: round2(m.dy) };
            }
            warnings.push(`Text says ${placeWords(a.place)} (a move of ${docPair(u, u.docVec([m.dx, m.dy]))} px) but the arrow on region ${id} moves it ${docPair(u, u.docVec(f.chord))} px; following the arrow. An alternative puts its box at ${placeWords(a.place)}.`);
          }
        }
      }
      const moveDir: Point | null = hasArrow && !followText ? [f.chord[0] / f.length, f.chord[1] / f.length] : tdir;
      let px = vec ? Math.hypot(vec[0], vec[1]) : a?.amount ? amountPx(a.amount, moveDir) : null;
      const relative = rel !== null || (delta !== null && delta.unit !== 'deg');
      if (rel !== null) px = f.length * rel;
      // "10 px further": document pixels along the arrow.
      else if (delta && delta.unit !== 'deg') px = Math.max(0, f.length + u.len(delta.value, f.chord));
      if (px !== null && hasArrow && !relative && (px > 2 * f.length || f.length > 2 * px)) {
        ctx.conflicts?.add('amount');
        const said = docPx(u, px, moveDir), drawn = docPx(u, f.length, f.chord);
        if (ctx.flip?.has('amount')) {
          warnings.push(`Text says ${said} px but the arrow on region ${id} is ${drawn} px long; this reading follows the arrow's length.`);
          px = null;
        } else warnings.push(`Text says ${said} px but the arrow on region ${id} is ${drawn} px long (×${r1(Math.max(px, f.length) / Math.max(1e-9, Math.min(px, f.length)))}); following the text's amount. An alternative follows the arrow.`);
      }
      let dir: Point | null = hasArrow && !followText ? [f.chord[0] / f.length, f.chord[1] / f.length] : tdir;
      if (rev && dir && !tdir) { dir = [-dir[0], -dir[1]]; if (px === null) px = f.length; }
      if (followText && px === null && dir) { dx = dir[0] * f.length; dy = dir[1] * f.length; }
      // Amounts per direction are a vector: used as stated unless the arrow points elsewhere.
      if (vec && px !== null && (!hasArrow || followText || !dirConflict)) { dx = vec[0]; dy = vec[1]; }
      else if (px !== null && dir) { dx = dir[0] * px; dy = dir[1] * px; }
      else if (!hasArrow && dir) {
        const dist = DEFAULTS.moveGyration[sizeOf(a)] * d.shape.gyration;
        dx = dir[0] * dist; dy = dir[1] * dist;
        // A click (a zero-length arrow) plus a direction in words: the amount is nobody's. (Text
        // alone has no arrow at all: the default amount is said once, with the text's warnings.)
        if (d.index >= 0) warnings.push(`The arrow on region ${id} has no length and the text gives no amount: it moves a default ${docPx(u, dist, dir)} px (say e.g. "by 40 px", or draw the arrow to where it should go).`);
      }
      const out = { kind: 'translate' as const, dx: round2(dx), dy: round2(dy) };
      // "move right by half its width = 40 px (its box is 79 px wide)", when the share was used.
      return noted(out, shareNotes.length && (vec || px !== null) && !relative ? shareNotes.join(' and ') : null);
    }
    case 'rotate': {
      const pv = d.drag.center ? null : pivotPoint(a, d, ctx, warnings);
      const center: Point = d.drag.center ?? pv ?? f.center;
      // A straight arrow only says something about rotation when its handle is off the pivot.
      const offPivot = Math.hypot(f.handle[0] - center[0], f.handle[1] - center[1]) >= minArrow(ctx);
      const arrowDeg = f.isArc ? f.sweptDeg : hasArrow && offPivot ? sweptAngle([f.handle, f.target], center) : 0;
      let textDeg: number | null = null;
      if (a?.amount?.kind === 'degrees' || a?.amount?.kind === 'number') textDeg = a.amount.value;
      else if (a?.amount?.kind === 'turns') textDeg = a.amount.value * 360;
      // "turn it left", "make it lean left": left is counter-clockwise (the top goes left).
      // Not where the turn ends up looking or pointing ("turn the head to look right"), nor a part's turn.
      const lookWords = !!parse && /\b(?:look|looks|looking|face|faces|facing|point|points|pointing|gaze|gazing)\s+(?:to\s+(?:the\s+)?)?(?:left|right)\b/i.test(parse.text);
      // (With a result clause: "tilt it so that it leans right".)
      const lr = a?.cls === 'rotate' && !lookWords && !a.object.parts.length ? [...a.directions, ...(a.result ?? [])].filter((x) => x === 'left' || x === 'right') : [];
      const leanSense = !a?.rotation && new Set(lr).size === 1 ? (lr[0] === 'left' ? 'ccw' : 'cw') : !a?.rotation && cues.lean && oneAction ? cues.lean.sense : undefined;
      const arrowSense = Math.abs(arrowDeg) >= 1 ? Math.sign(arrowDeg) : 0;
      const named = a?.rotation ?? leanSense;
      // "rotate it the other way": the arrow's turn reversed.
      const textSense = named === 'cw' ? 1 : named === 'ccw' ? -1 : rev && arrowSense ? -arrowSense : 0;
      const relative = Math.abs(arrowDeg) >= 1 && (rel !== null || (delta !== null && delta.unit !== 'px'));
      if (relative) textDeg = rel !== null ? Math.abs(arrowDeg) * rel : Math.max(0, Math.abs(arrowDeg) + delta!.value);
      let senseFollowsArrow = false;
      if (textSense && arrowSense && textSense !== arrowSense && Math.abs(arrowDeg) >= 3 && !(rev && !named)) {
        ctx.conflicts?.add('direction');
        senseFollowsArrow = !!ctx.flip?.has('direction');
        warnings.push(senseFollowsArrow
          ? `Text says ${named === 'cw' ? 'clockwise' : 'counter-clockwise'} but the arrow on region ${id} turns the other way (${r1(arrowDeg)}°); this reading follows the arrow's turn.`
          : `Text says ${named === 'cw' ? 'clockwise' : 'counter-clockwise'} but the arrow on region ${id} turns the other way (${r1(arrowDeg)}°); following the text (a named sense is explicit). An alternative follows the arrow.`);
      }
      if (textDeg !== null && !relative && Math.abs(arrowDeg) >= 3 && (Math.abs(textDeg) > 2 * Math.abs(arrowDeg) || Math.abs(arrowDeg) > 2 * Math.abs(textDeg))) {
        ctx.conflicts?.add('amount');
        if (ctx.flip?.has('amount')) {
          warnings.push(`Text says ${r1(Math.abs(textDeg))}° but the arrow on region ${id} turns ${r1(Math.abs(arrowDeg))}°; this reading follows the arrow's angle.`);
          textDeg = null;
        } else warnings.push(`Text says ${r1(Math.abs(textDeg))}° but the arrow on region ${id} turns ${r1(Math.abs(arrowDeg))}°; following the text's angle. An alternative follows the arrow.`);
      }
      const sense = senseFollowsArrow ? arrowSense : textSense || arrowSense || 1;
      const mag = textDeg ?? (Math.abs(arrowDeg) >= 1 ? Math.abs(arrowDeg) : DEFAULTS.rotateDeg[sizeOf(a)]);
      // No arrow at all (text alone, or an action no arrow went to): the caller says the default once, without an arrow.
      if (textDeg === null && Math.abs(arrowDeg) < 1 && d.index >= 0) {
        warnings.push(`The arrow on region ${id} does not turn about the pivot (too short, or pointing at it) and the text gives no angle: it turns a default ${r1(mag)}° (say e.g. "by 20°", or draw the arrow along the turn).`);
      }
      // An arrow that does not turn and a text that names no way: clockwise, said (as with no arrow; a half turn has no way).
      if (!textSense && !arrowSense && !senseFollowsArrow && Math.abs(Math.abs(mag) - 180) > 1e-6) warnings.push(d.index >= 0 ? `The arrow on region ${id} does not say which way to turn and the text names none: ${CLOCKWISE_SENSE}.` : `"${a?.text ?? ''}": ${CLOCKWISE_BY_DEFAULT}.`);
      return { kind: 'rotate', angleDeg: round2(sense * Math.abs(mag)), center: [round2(center[0]), round2(center[1])] };
    }
    case 'scale': {
      const anchor = d.drag.center ? null : anchorForScale(d, parse);
      const center: Point = d.drag.center ?? anchor?.center ?? d.shape.centroid;
      // "make it the same size as the other one": the other selection's box gives the factor.
      if (a?.matchSize) {
        const ms = sizeMatch(a, id, ctx);
        if ('why' in ms) {
          if (!hasArrow) throw askUser(ms.why);
          warnings.push(`${ms.why} The arrow on region ${id} is followed.`);
        } else return noted({ kind: 'scale', sx: round4(ms.sx), sy: round4(ms.sy), center: [round2(center[0]), round2(center[1])] }, ms.note);
      }
      if (a) lengthwise(a, ctx.req.regions.find((r) => r.id === id)?.mask, u);
      const comp = a?.comparative;
      const axis = comp?.axis ?? 'both';
      const rh = Math.hypot(f.handle[0] - center[0], f.handle[1] - center[1]);
      let arrowF = rh > 1e-9 ? Math.hypot(f.target[0] - center[0], f.target[1] - center[1]) / rh : 1;
      if (axis === 'y' && Math.abs(f.handle[1] - center[1]) >= 2 * u.sy) arrowF = Math.abs(f.target[1] - center[1]) / Math.abs(f.handle[1] - center[1]);
      if (axis === 'x' && Math.abs(f.handle[0] - center[0]) >= 2 * u.sx) arrowF = Math.abs(f.target[0] - center[0]) / Math.abs(f.handle[0] - center[0]);
      // "scale it the other way": the arrow's factor inverted; "don't make it so much bigger": half of it (in log).
      if (rev && arrowF > 1e-9) arrowF = 1 / arrowF;
      if (rel !== null && arrowF > 1e-9) arrowF = arrowF ** rel;
      let factor: number | null = null;
      const amt = a?.amount;
      if (amt && amt.kind === 'factor') factor = comp?.sense === 'down' && amt.value > 1 ? 1 / amt.value : amt.value;
      else if (amt && (amt.kind === 'percent' || (amt.kind === 'number' && amt.value > 5))) {
        const p = amt.value / 100;
        factor = amt.kind === 'percent' && amt.absolute ? p : comp?.sense === 'up' ? 1 + p : comp?.sense === 'down' ? 1 - p : p;
      } else if (amt && amt.kind === 'number' && comp && amt.value === 1) {
        // "one size bigger", "one third smaller" read as a bare 1: no scale at all. Not a factor.
        warnings.push(`"${a!.text}": a bare "1" is no change of size; region ${id} scales by the arrow or a default amount (say e.g. "by 20%" or "×1.5").`);
      } else if (amt && amt.kind === 'number') factor = comp?.sense === 'down' && amt.value > 1 ? 1 / amt.value : amt.value;
      else if (amt && amt.kind === 'pixels' && (amt.absolute || comp)) {
        // "make it 200px wide" (a size), "make it 10px bigger" (a change): against the region's
        // bounding box, along the axis named (both: its larger side), in document pixels.
        const region = ctx.req.regions.find((r) => r.id === id);
        if (region) {
          const b = bboxOf(region.mask, u), w = b.w / u.sx, h = b.h / u.sy;
          const base = Math.max(1, axis === 'x' ? w : axis === 'y' ? h : Math.max(w, h));
          const target = amt.absolute ? amt.value : base + (comp!.sense === 'down' ? -1 : 1) * amt.value;
          if (target > 0) factor = target / base;
          else warnings.push(`"${amt.value} px" would leave region ${id} with no size (its box is ${u.identity ? r1(base) : Math.round(base)} px); the amount is not used.`);
        }
      }
      const len = lengthNote(a);
      if (len) warnings.push(`${len}; region ${id} scales by the arrow or a default amount (say e.g. "by 20%" or "to 200 px wide").`);
      const arrowUsable0 = hasArrow && Math.abs(Math.log(arrowF)) > 0.01;
      if (factor !== null && arrowUsable0 && Math.abs(Math.log(factor / arrowF)) > Math.log(2)) {
        ctx.conflicts?.add('amount');
        if (ctx.flip?.has('amount')) {
          warnings.push(`Text says ×${factor.toFixed(2)} but the arrow on region ${id} scales ×${arrowF.toFixed(2)}; this reading follows the arrow.`);
          factor = arrowF;
        } else warnings.push(`Text says ×${factor.toFixed(2)} but the arrow on region ${id} scales ×${arrowF.toFixed(2)} (more than 2× apart); following the text's amount. An alternative follows the arrow.`);
      }
      if (factor === null) {
        const arrowUsable = hasArrow && Math.abs(Math.log(arrowF)) > 0.01;
        const agrees = !comp || (comp.sense === 'up') === (arrowF > 1);
        if (arrowUsable && !agrees) ctx.conflicts?.add('direction');
        if (arrowUsable && !agrees && ctx.flip?.has('direction')) {
          warnings.push(`Text says ${comp!.word} but the arrow on region ${id} scales ×${arrowF.toFixed(2)}; this reading follows the arrow.`);
          factor = arrowF;
        } else if (arrowUsable && agrees) factor = arrowF;
        else {
          if (arrowUsable && !agrees) warnings.push(`Text says ${comp!.word} but the arrow on region ${id} would scale by ×${arrowF.toFixed(2)}; following the text with a default amount. An alternative follows the arrow.`);
          const up = comp ? comp.sense === 'up' : arrowF >= 1;
          factor = (up ? DEFAULTS.scaleUp : DEFAULTS.scaleDown)[sizeOf(a)];
          if (!arrowUsable && d.index >= 0) warnings.push(`The arrow on region ${id} does not change its distance from the centre and the text gives no amount: it scales by a default ×${factor.toFixed(2)} (say e.g. "by 20%", or draw the arrow away from or towards the centre).`);
        }
      }
      const sx = axis === 'y' ? 1 : factor, sy = axis === 'x' ? 1 : factor;
      return { kind: 'scale', sx: round4(sx), sy: round4(sy), center: [round2(center[0]), round2(center[1])] };
    }
    case 'deform': {
      let target = f.target;
      if (followText && tdir) target = [f.handle[0] + tdir[0] * f.length, f.handle[1] + tdir[1] * f.length];
      else if (!hasArrow && tdir) {
        const dist = DEFAULTS.moveGyration[sizeOf(a)] * d.shape.gyration;
        target = [f.handle[0] + tdir[0] * dist, f.handle[1] + tdir[1] * dist];
      }
      return { kind: 'deform', handles: [[f.handle[0], f.handle[1]]], targets: [[round2(target[0]), round2(target[1])]] };
    }
  }
}

/** "longer" said with no other word for an axis ("make the whiskers longer", not "longer and taller"). */
const LENGTH_ONLY = (t: string): boolean => /\b(?:long|longer)\b/i.test(t) && !/\b(?:tall|taller|height|high|higher|vertically|horizontally|wide|wider|width)\b/i.test(t);

/** The axis a scale's reason names: " along x", " along its length" ("longer": {@link lengthwise}), or none. */
function scaleAlong(a: IntentAction): string {
  const c = a.comparative;
  if (!c || c.axis === 'both') return '';
  return c.sense === 'up' && LENGTH_ONLY(a.text) ? ' along its length (the longer side of its box)' : ` along ${c.axis}`;
}

/**
 * "make the whiskers longer", "make the bench 20 px longer": a length runs along the selection's
 * longer side, so where its box is at least {@link LENGTH_SIDE_RATIO}× as wide as it is tall "longer"
 * widens it (the lexicon's "longer" is taller: a tongue, a neck, legs). "shorter" stays the opposite
 * of "taller" ("make the fence shorter" lowers it). Sets the action's comparative to that axis.
 */
function lengthwise(a: IntentAction, mask: PlacedMask | undefined, u: PixelUnits): void {
  const c = a.comparative;
  if (!mask || !c || c.axis !== 'y' || c.sense !== 'up' || !LENGTH_ONLY(a.text)) return;
  const b = bboxOf(mask, u);
  if (b.w / u.sx >= LENGTH_SIDE_RATIO * (b.h / u.sy)) a.comparative = { ...c, axis: 'x' };
}
/** How much wider than tall a box is before its length is its width. */
export const LENGTH_SIDE_RATIO = 1.2;

/**
 * The pivot a rotation names ("around its bottom", "about its base", "around the bottom left
 * corner"): a point of the region's bounding box. Null for the middle (the arrow's or the
 * centroid's pivot), and for words it cannot place (with a warning).
 */
function pivotPoint(a: IntentAction | undefined, d: DragInfo, ctx: PlanContext, warnings: string[]): Point | null {
  const w = a?.pivot?.toLowerCase();
  if (!w || a!.cls !== 'rotate') return null;
  if (/\b(middle|centre|center|centroid|itself)\b/.test(w)) return null;
  const region = ctx.req.regions.find((r) => r.id === d.drag.region);
  if (!region) return null;
  const b = bboxOf(region.mask, unitsOf(ctx));
  const y = /\b(bottom|base|foot|feet|lower)\b/.test(w) ? b.y0 + b.h : /\b(top|head|upper)\b/.test(w) ? b.y0 : null;
  const x = /\bleft\b/.test(w) ? b.x0 : /\bright\b/.test(w) ? b.x0 + b.w : null;
  if (x === null && y === null) {
    warnings.push(`The pivot "${a!.pivot}" is not a place I can find on region ${d.drag.region}: it turns about ${d.features.isArc ? "the arrow's centre" : 'its centroid'} (set the pivot on the arrow, or say "around its bottom", "around its top left corner").`);
    return null;
  }
  return [round2(x ?? b.x0 + b.w / 2), round2(y ?? b.y0 + b.h / 2)];
}

const round2 = (x: number): number => Math.round(x * 100) / 100;
const round4 = (x: number): number => Math.round(x * 10000) / 10000;

// ---- several drags on one region ---------------------------------------------------------------

function toOperation(region: string, r: Reading): Operation {
  return { region, kind: r.kind, params: r.params, source: r.source, description: describeOperation(region, r.params), reason: r.reason };
}

const SOURCE_RANK = { user: 3, intent: 2, geometry: 1 } as const;

/** Handles of a two-arrow pinch must be at least this many radii of gyration apart to scale the whole region. */
export const PINCH_SPAN_GYRATION = 1.5;

/**
 * Deform of the whole region from all its arrows: every moving arrow's handle → target, and every
 * pin (a zero-length drag) as a handle that stays on itself, so the deform keeps it fixed.
 */
function multiHandleDeform(region: string, moving: { r: Reading; d: DragInfo }[], pins: DragInfo[], source: Operation['source'], why: string): Operation {
  const handles: Point[] = [], targets: Point[] = [];
  for (const x of moving) {
    const p = x.r.kind === 'deform' ? (x.r.params as { handles: Point[]; targets: Point[] }) : null;
    const f = x.d.features;
    handles.push(...(p ? p.handles : [[f.handle[0], f.handle[1]] as Point]));
    targets.push(...(p ? p.targets : [[round2(f.target[0]), round2(f.target[1])] as Point]));
  }
  for (const d of pins) { handles.push([d.features.handle[0], d.features.handle[1]]); targets.push([d.features.handle[0], d.features.handle[1]]); }
  const params: OperationParams = { kind: 'deform', handles, targets };
  const pinNote = pins.length ? `; ${pins.length} pinned point(s) stay fixed` : '';
  return { region, kind: 'deform', params, source, description: describeOperation(region, params), reason: `${why}${pinNote} | ${moving.map((x, i) => `drag ${i + 1}: ${x.r.reason}`).join(' | ')}` };
}

function combineRegion(region: string, all: { r: Reading; d: DragInfo }[], warnings: string[], action: IntentAction | undefined, u: PixelUnits): Operation[] {
  // Zero-length auto drags next to moving ones are pins (points that must stay put).
  const isPin = (x: { r: Reading; d: DragInfo }): boolean => x.r.source !== 'user' && x.d.features.length < DEFAULTS.minArrowPx * u.s;
  const pins = all.length > 1 && all.some((x) => !isPin(x)) ? all.filter(isPin).map((x) => x.d) : [];
  const items = pins.length ? all.filter((x) => !isPin(x)) : all;
  const sourceOf = (xs: { r: Reading }[]): Operation['source'] => xs.map((x) => x.r.source).sort((a, b) => SOURCE_RANK[b] - SOURCE_RANK[a])[0]!;
  if (pins.length && items.every((x) => x.r.source === 'geometry' || x.r.kind === 'deform')) {
    return [multiHandleDeform(region, items, pins, sourceOf(items), `${items.length} arrow(s) with ${pins.length} pinned point(s) on one region: the arrows bend it around the pins`)];
  }
  if (items.length === 1) return [toOperation(region, items[0]!.r)];
  const source = items.map((x) => x.r.source).sort((a, b) => SOURCE_RANK[b] - SOURCE_RANK[a])[0]!;
  const kinds = new Set(items.map((x) => x.r.kind));
  const explicitDeform = items.some((x) => x.r.source !== 'geometry' && x.r.kind === 'deform' && action && !action.soft && action.cls === 'deform');
  // Two arrows pulling apart / pushing together along the line between their handles → scale.
  if (items.length === 2 && !items.some((x) => x.r.source === 'user') && !explicitDeform && !kinds.has('rotate')) {
    const [a, b] = [items[0]!.d.features, items[1]!.d.features];
    const hx = b.handle[0] - a.handle[0], hy = b.handle[1] - a.handle[1], hl = Math.hypot(hx, hy);
    if (a.length >= DEFAULTS.minArrowPx * u.s && b.length >= DEFAULTS.minArrowPx * u.s && hl > 1e-9) {
      const cosAB = (a.chord[0] * b.chord[0] + a.chord[1] * b.chord[1]) / (a.length * b.length);
      const ca = Math.abs(a.chord[0] * hx + a.chord[1] * hy) / (a.length * hl), cb = Math.abs(b.chord[0] * hx + b.chord[1] * hy) / (b.length * hl);
      const span = hl / Math.max(1e-9, items[0]!.d.shape.gyration);
      if (cosAB < -0.5 && ca > 0.7 && cb > 0.7 && span >= PINCH_SPAN_GYRATION) {
        const tl = Math.hypot(b.target[0] - a.target[0], b.target[1] - a.target[1]);
        const factor = tl / hl;
        const center: Point = items[0]!.d.drag.center ?? [(a.handle[0] + b.handle[0]) / 2, (a.handle[1] + b.handle[1]) / 2];
        const axis = action?.comparative?.axis ?? 'both';
        const params: OperationParams = { kind: 'scale', sx: round4(axis === 'y' ? 1 : factor), sy: round4(axis === 'x' ? 1 : factor), center: [round2(center[0]), round2(center[1])] };
        return [{
          region, kind: 'scale', params, source: action ? 'intent' : 'geometry', description: describeOperation(region, params),
          reason: `two arrows ${factor >= 1 ? 'pull apart' : 'push together'} along the line between their handles: ${docPx(u, hl, [hx, hy])} px → ${docPx(u, tl, [hx, hy])} px (×${factor.toFixed(2)}) about (${pt(u.fullPoint(center))})`,
        }];
      }
    }
  }
  // Several arrows read from geometry alone that do not all say the same thing (different kinds,
  // or moves that disagree) move parts of the region differently: one multi-handle deform.
  if (items.every((x) => x.r.source === 'geometry') && !kinds.has('rotate') && (kinds.size > 1 || kinds.has('deform') || (kinds.has('translate') && movesDisagree(items, u)))) {
    return [multiHandleDeform(region, items, [], 'geometry', `${items.length} arrows on one region move it differently (${[...kinds].join(', ')} readings): one deform with every handle`)];
  }
  if (kinds.size === 1) {
    const kind = items[0]!.r.kind;
    const reason = items.map((x, i) => `drag ${i + 1}: ${x.r.reason}`).join(' | ');
    let params: OperationParams;
    if (kind === 'deform') {
      params = { kind: 'deform', handles: items.flatMap((x) => (x.r.params as { handles: Point[] }).handles), targets: items.flatMap((x) => (x.r.params as { targets: Point[] }).targets) };
    } else if (kind === 'translate') {
      const ps = items.map((x) => x.r.params as { dx: number; dy: number });
      params = { kind, dx: round2(mean(ps.map((p) => p.dx))), dy: round2(mean(ps.map((p) => p.dy))) };
      if (ps.some((p) => Math.hypot(p.dx - ps[0]!.dx, p.dy - ps[0]!.dy) > 0.2 * Math.hypot(ps[0]!.dx, ps[0]!.dy) + 2 * u.s)) warnings.push(`Region ${region} has ${ps.length} move arrows that disagree; moving it by their mean.`);
    } else if (kind === 'rotate') {
      const ps = items.map((x) => x.r.params as { angleDeg: number; center: Point });
      params = { kind, angleDeg: round2(mean(ps.map((p) => p.angleDeg))), center: ps[0]!.center };
    } else {
      const ps = items.map((x) => x.r.params as { sx: number; sy: number; center: Point });
      params = { kind: 'scale', sx: round4(mean(ps.map((p) => p.sx))), sy: round4(mean(ps.map((p) => p.sy))), center: ps[0]!.center };
    }
    return [{ region, kind, params, source, description: describeOperation(region, params), reason }];
  }
  warnings.push(`Region ${region} has drags of different kinds (${[...kinds].join(', ')}); they are listed as separate operations.`);
  return items.map((x) => toOperation(region, x.r));
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Move arrows of one region disagree: some chord differs from the first by more than 20 % of its length + 2 document px. */
function movesDisagree(items: { d: DragInfo }[], u: PixelUnits): boolean {
  const c0 = items[0]!.d.features.chord;
  return items.some((x) => Math.hypot(x.d.features.chord[0] - c0[0], x.d.features.chord[1] - c0[1]) > 0.2 * Math.hypot(c0[0], c0[1]) + 2 * u.s);
}

// ---- text-only operations (a region named by the text but not dragged) -----------------------------

function textOnlyOperations(ctx: PlanContext, actions: IntentAction[], warnings: string[], planned: Operation[] = []): Operation[] {
  const dragged = new Set(ctx.drags.map((d) => d.drag.region));
  const out: Operation[] = [];
  for (const a of actions) {
    if (a.object.kind !== 'all') continue;
    for (const r of ctx.req.regions) {
      if (dragged.has(r.id)) continue;
      const shape = ctx.shapes.get(r.id)!;
      let params: OperationParams | null = null;
      if (a.cls === 'rotate' && a.amount && (a.amount.kind === 'degrees' || a.amount.kind === 'turns')) {
        const deg = a.amount.kind === 'turns' ? a.amount.value * 360 : a.amount.value;
        params = { kind: 'rotate', angleDeg: (a.rotation === 'ccw' ? -1 : 1) * deg, center: [round2(shape.centroid[0]), round2(shape.centroid[1])] };
      } else if (a.cls === 'scale' && (a.amount?.kind === 'factor' || a.amount?.kind === 'percent')) {
        const v = a.amount.value;
        const fct = a.amount.kind === 'factor' ? v : a.amount.absolute ? v / 100 : a.comparative?.sense === 'down' ? 1 - v / 100 : a.comparative?.sense === 'up' ? 1 + v / 100 : v / 100;
        params = { kind: 'scale', sx: fct, sy: fct, center: [round2(shape.centroid[0]), round2(shape.centroid[1])] };
      } else if (a.cls === 'move' && !a.soft && a.amount?.kind === 'pixels') {
        const vec = legVector(a, typedPx(ctx)), v = textDirection(a.directions);
        const n = unitsOf(ctx).len(a.amount.value, v);
        if (vec) params = { kind: 'translate', dx: round2(vec[0]), dy: round2(vec[1]) };
        else if (v) params = { kind: 'translate', dx: round2(v[0] * n), dy: round2(v[1] * n) };
      }
      // "move both", "move them both left": the region with no arrow does what the arrowed one does.
      let copied: Operation | undefined;
      if (!params) {
        copied = planned.find((o) => o.kind === KIND_OF[a.cls] && o.kind !== 'deform' && dragged.has(o.region));
        const p = copied?.params;
        const cc: Point = [round2(shape.centroid[0]), round2(shape.centroid[1])];
        if (p?.kind === 'translate') params = { ...p };
        else if (p?.kind === 'rotate') params = { ...p, center: cc };
        else if (p?.kind === 'scale') params = { ...p, center: cc };
      }
      if (!params) continue;
      out.push({ region: r.id, kind: params.kind, params, source: 'intent', description: describeOperation(r.id, params), reason: copied ? `intent: "${a.text}" names every region; no arrow on ${r.id}, so it gets the same ${params.kind} as region ${copied.region}` : `intent: "${a.text}" names every region; no arrow on ${r.id}, so the amount comes from the text` });
      warnings.push(copied ? `Region ${r.id} has no arrow; it gets the same ${params.kind} as region ${copied.region} ("${a.text}").` : `Region ${r.id} has no arrow; its operation comes from the text alone.`);
    }
  }
  return out;
}

/**
 * Actions that got no arrow ("rotate it 30 degrees, then move it left" with one arrow): when the
 * request has a single dragged region they apply to it, in text order after the arrow's
 * operation, with amounts from the text (or the defaults). Deform needs a handle and is skipped.
 */
function unassignedActionOperations(ctx: PlanContext, actions: IntentAction[], assignment: Map<string, IntentAction>, parse: IntentParse | null, warnings: string[]): Operation[] {
  const used = new Set(assignment.values());
  const dragged = [...new Set(ctx.drags.map((d) => d.drag.region))];
  if (dragged.length !== 1) return [];
  const region = dragged[0]!;
  const base = ctx.drags.find((d) => d.drag.region === region)!;
  const out: Operation[] = [];
  for (const a of actions) {
    if (used.has(a) || a.object.kind === 'all') continue;
    const c = base.shape.centroid;
    const still: DragInfo = { ...base, index: -1, drag: { region, points: [c, c] }, features: { ...base.features, handle: c, target: c, chord: [0, 0], length: 0, isArc: false, sweptDeg: 0, center: c } };
    const tk = textKind(a, base);
    const assigned = assignment.get(region);
    const says = a.directions.length > 0 || !!a.amount || !!a.rotation || !!a.comparative || !!a.to || !!a.toRegion;
    // A restatement ("take it and put it there") or a bare verb adds no operation.
    if (!says || (assigned && textKind(assigned, base).kind === tk.kind)) continue;
    if (tk.kind === 'deform') {
      warnings.push(`"${a.text}" needs an arrow on the part to move; it was not planned.`);
      continue;
    }
    const params = paramsFor(tk.kind, still, a, ctx, parse, warnings);
    out.push({ region, kind: tk.kind, params, source: 'intent', description: describeOperation(region, params), reason: `intent: ${tk.why}; no arrow left for it, so the amount comes from the text` });
    warnings.push(`Region ${region} gets a further ${tk.kind} from the text ("${a.text}"), applied after the arrow's operation.`);
    const dflt = defaultAmountWarning(a, region, params, unitsOf(ctx));
    if (dflt) warnings.push(dflt);
  }
  return out;
}

/**
 * The warning for an action planned with no arrow (text alone, or an action no arrow went to)
 * whose text gives no amount in numbers: the default used, and how to say another. Null when the
 * text states the amount (or a place to move to).
 */
function defaultAmountWarning(a: IntentAction, region: string, p: OperationParams, u: PixelUnits): string | null {
  if ((a.amount && a.amount.kind !== 'qualitative') || (p.kind === 'scale' && a.matchSize) || (p.kind === 'translate' && (a.place || a.to || (a.toRegion && a.toRegion.how !== 'toward' && a.toRegion.how !== 'away')))) return null;
  const words = a.amount?.kind === 'qualitative' ? ` ("${a.amount.words}")` : '';
  const head = `"${a.text}" gives no amount in numbers: region ${region}`;
  switch (p.kind) {
    case 'translate': return `${head} moves a default${words} ${docPx(u, Math.hypot(p.dx, p.dy), [p.dx, p.dy])} px; say how far (e.g. "by 40 px").`;
    case 'rotate': return `${head} turns a default${words} ${r1(Math.abs(p.angleDeg))}° ${p.angleDeg < 0 ? 'counter-clockwise' : 'clockwise'}; say how far (e.g. "by 20°").`;
    case 'scale': {
      const f = p.sx !== 1 ? p.sx : p.sy;
      return `${head} scales by a default${words} ×${f.toFixed(2)}; say how much (e.g. "${f >= 1 ? '50% bigger' : '20% smaller'}").`;
    }
    default: return null;
  }
}

// ---- text alone (a selection and an intent, no arrow) --------------------------------------------

/** Ask the user instead of guessing: a coded error whose message is the question. */
export function askUser(question: string): SmartDragError {
  return new SmartDragError(ErrorCode.intent_unclear, question);
}

/**
 * Bounding box of a mask's pixels with coverage ≥ 50 % (max − min, as image editors measure it),
 * in the request's pixels; on a proxy (`u`), the document mask's box estimated there (plan/units.ts `maskBox`).
 */
function bboxOf(m: PlacedMask, u?: PixelUnits): PixelBox {
  if (u && !u.identity) return maskBox(m, u);
  const b = maskBounds(m, 128);
  return { x0: b.left, y0: b.top, w: b.width - 1, h: b.height - 1 };
}

/**
 * Parameters of an exactly stated edit (vectors, conventions, image shares), or null. `image`: the
 * document in the request image's pixels (EditRequest `document`: a crop's corners and shares are
 * the document's), or just its size when the image is the document. `units`: the request's pixels
 * against the document's (plan/units.ts; the text's pixels are the document's), default the same.
 */
export function exactParams(e: ExactEdit, shape: RegionShape, mask: PlacedMask, image: Rect | { width: number; height: number }, units?: PixelUnits): OperationParams {
  const c: Point = [round2(shape.centroid[0]), round2(shape.centroid[1])];
  const sx = units?.sx ?? 1, sy = units?.sy ?? 1;
  switch (e.kind) {
    case 'translate': {
      if ('corner' in e) return { kind: 'translate', ...placeMove(e.corner, mask, image, units) };
      if (e.unit === 'image') return { kind: 'translate', dx: round2(e.dx * image.width), dy: round2(e.dy * image.height) };
      return { kind: 'translate', dx: round2(e.dx * sx), dy: round2(e.dy * sy) };
    }
    case 'rotate':
      return { kind: 'rotate', angleDeg: round2(e.angleDeg), center: c };
    case 'scale': {
      const b = bboxOf(mask, units);
      const f = 'factor' in e ? e.factor
        : 'imageShare' in e ? (image.width * e.imageShare / Math.max(1, b.w) + image.height * e.imageShare / Math.max(1, b.h)) / 2
          : 'widthPx' in e ? e.widthPx / Math.max(1, b.w / sx) : e.heightPx / Math.max(1, b.h / sy);
      return { kind: 'scale', sx: round4(f), sy: round4(f), center: c };
    }
  }
}

/**
 * The note for a turn by a stated angle with no way given ("rotate it 15 degrees"): clockwise, as
 * Photoshop turns a positive angle (Free Transform, Image Rotation › Arbitrary).
 */
const CLOCKWISE_SENSE = 'clockwise, as Photoshop turns a positive angle; say "counter-clockwise" for the other way';
const CLOCKWISE_BY_DEFAULT = `no direction given: ${CLOCKWISE_SENSE}`;

/**
 * What an action says without an arrow: its kind (and a note for the plan's warnings, where a
 * reading was chosen for the user), or the question to ask when it does not say enough. `lone`:
 * the request has one selection and no arrow (a part noun is then the selection itself).
 */
function textOnlyKind(a: IntentAction, lone = false): { kind: DragKind; why: string; note?: string } | { question: string } {
  // A part of the selection (move, turn or bend alike) needs an arrow on that part.
  const pq = partQuestion(a, lone);
  if (pq) return { question: pq };
  const tk = textOnlyReading(a);
  const partNote = partAsSelectionNote(a, lone);
  if (!partNote) return tk;
  // Read as the selection it still says too little ("move the legs apart"): ask as about a part.
  if ('question' in tk) return { question: partQuestion(a) ?? tk.question };
  return { ...tk, note: tk.note ? `${tk.note} ${partNote}` : partNote };
}

/** {@link textOnlyKind} once a part noun has been read as the selection or asked about. */
function textOnlyReading(a: IntentAction): { kind: DragKind; why: string; note?: string } | { question: string } {
  const what = a.object.text ? `"${a.object.text}"` : 'the selection';
  const len = lengthNote(a);
  if (len) return { question: `${len}. Say the amount in pixels or percent (e.g. "40 px", "20%"), or draw an arrow.` };
  if (a.cls === 'rotate') {
    const halfTurn = !!a.amount && (((a.amount.kind === 'degrees' || a.amount.kind === 'number') && Math.abs(a.amount.value) === 180) || (a.amount.kind === 'turns' && a.amount.value === 0.5));
    let note: string | undefined;
    if (!a.rotation && !halfTurn && !(a.amount && a.amount.kind === 'degrees' && a.amount.value < 0)) {
      // ("turn it left", or a result clause: "tilt it so that it leans right")
      const lr = [...a.directions, ...(a.result ?? [])];
      if (lr.includes('left')) a.rotation = 'ccw';
      else if (lr.includes('right')) a.rotation = 'cw';
      // "rotate it 15 degrees": an angle with no way and no other direction word ("tilt it up 10°"
      // depends on which way it faces: asked) turns clockwise, as a positive angle does in Photoshop.
      else if (a.amount && (a.amount.kind === 'degrees' || a.amount.kind === 'number' || a.amount.kind === 'turns') && a.amount.value > 0 && !a.directions.length && !a.result?.length) {
        a.rotation = 'cw';
        note = `"${a.text}": ${CLOCKWISE_BY_DEFAULT}.`;
      } else return { question: `Which way should ${what} turn: clockwise or counter-clockwise? (e.g. "rotate it 20° clockwise")` };
    }
    return { kind: 'rotate', why: `"${a.verb}" asks to rotate`, ...(note ? { note } : {}) };
  }
  if (a.matchSize) return { kind: 'scale', why: `"${a.verb}" asks for the size of another object ("${a.matchSize.ref.text}")` };
  if (a.cls === 'scale' || a.verb.startsWith('make ')) {
    if (!a.comparative && !(a.amount && (a.amount.kind === 'factor' || ((a.amount.kind === 'percent' || a.amount.kind === 'pixels') && a.amount.absolute) || (a.amount.kind === 'number' && a.amount.value > 0 && a.amount.value <= 5)))) {
      return { question: `Bigger or smaller, and by how much? (e.g. "make ${what === 'the selection' ? 'it' : what.replace(/"/g, '')} 20% bigger")` };
    }
    return { kind: 'scale', why: `"${a.verb}" asks to scale${scaleAlong(a)}` };
  }
  if (a.cls === 'deform' && !a.soft) {
    return { question: `"${a.text}" bends or stretches part of ${what}: draw an arrow on the part that should move.` };
  }
  if (a.to) return { kind: 'translate', why: `"${a.verb}" names a point of the document (${a.to.text}); with no arrow the centre of the selection's box goes there` };
  if (a.toRegion && (a.toRegion.how === 'toward' || a.toRegion.how === 'away')) return { kind: 'translate', why: `"${a.verb}" says which way: ${placeOfWords(a.toRegion)}, along the line between the boxes' centres` };
  if (a.toRegion) return { kind: 'translate', why: `"${a.verb}" names another object to go ${placeOfWords(a.toRegion)}; with no arrow the selection's box goes there${SIDE_RULE[a.toRegion.how] ?? ''}` };
  if (a.place) return { kind: 'translate', why: `"${a.verb}" names a place in the picture (${placeWords(a.place)}); with no arrow the selection's box goes there` };
  if (!textDirection(a.directions) && !legVector(a)) return { question: `Which way should ${what} move, and how far? (e.g. "move it 40 px down")` };
  return { kind: 'translate', why: `"${a.verb}" gives a direction (${a.directions.join('/')}); with no arrow the whole selection moves` };
}

/** Where a move to another object goes, in words: `to ("the right one")`, `above ("the big one")`, `between ("the left one" and "the right one")`. */
function placeOfWords(t: NonNullable<IntentAction['toRegion']>): string {
  const how = t.how === 'at' ? 'to' : t.how === 'toward' ? 'towards' : t.how === 'away' ? 'away from' : t.how === 'beside' || t.how === 'between' ? t.how : SIDE_WORDS[t.how];
  return `${how} ("${t.ref.text}"${t.and ? ` and "${t.and.text}"` : ''})`;
}
/** The rule a side of another object follows, for the operation's reason (the numbers are in its description). */
const SIDE_GAP_RULE = ', a gap of a tenth of the smaller box between them, centred on it';
const SIDE_RULE: Partial<Record<RegionPlace, string>> = {
  left: SIDE_GAP_RULE, right: SIDE_GAP_RULE, above: SIDE_GAP_RULE, below: SIDE_GAP_RULE,
  onTop: ', resting on it (the boxes touch), centred on it', between: ', its box centre midway between theirs',
};

function placeWords(p: Place): string {
  if (p.x === 'center' && p.y === 'center') return 'the middle';
  const y = p.y === 'center' ? 'middle' : p.y, x = p.x === 'center' ? 'centre' : p.x;
  if (x && y) return `the ${y} ${x}`;
  return p.x === 'center' ? 'the horizontal centre' : p.y === 'center' ? 'the vertical middle' : `the ${x ?? y} edge`;
}

/** Regions an action names among all regions (position words, order); null when it cannot tell. */
function textOnlyRegions(ctx: PlanContext, a: IntentAction | null): string[] | null {
  const ids = ctx.req.regions.map((r) => r.id);
  if (ids.length === 1 || !a || a.object.kind === 'all') return ids;
  const scores = ids.map((id) => regionAffinity(a.object, id, ctx, ids));
  const best = Math.max(...scores);
  const winners = ids.filter((_, i) => scores[i] === best);
  if (best > 0 && winners.length === 1) return winners;
  // "make it the same size as the left one", "put it on top of the right one": of two selections,
  // "it" is the one the other phrase does not name ("the other one" names neither: asked).
  const ref = a.matchSize?.ref ?? (a.toRegion && !a.toRegion.and ? a.toRegion.ref : undefined);
  if (ids.length === 2 && ref && ref.kind !== 'other' && handleRef(a.object)) {
    const named = regionAmongAll(ref, ctx, '');
    if (named) return ids.filter((x) => x !== named);
  }
  return null;
}

/** The question when an action does not say which selection it is about (text alone, several selections). */
function whichSelection(a: IntentAction): string {
  const ref = a.matchSize?.ref ?? a.toRegion?.ref;
  if (ref && handleRef(a.object)) {
    const example = a.matchSize ? 'make the left one the same size as the right one' : 'put the left one on top of the right one';
    return `"${a.text}": which selection is "${a.object.text || 'it'}", and which is "${ref.text}"? Name them by position (e.g. "${example}"), or click or draw an arrow on the one to change.`;
  }
  return `"${a.text}": which selection? Name it by position ("the left one"), or draw an arrow on it.`;
}

/** A plan from the intent alone (no arrow): every operation from the text, or a question. */
function textOnlyPlan(ctx: PlanContext, parse: IntentParse | null): Plan {
  const text = parse?.text.trim() ?? '';
  if (!parse || !text) throw askUser('There is no arrow and no intent: draw an arrow, or say what to do (e.g. "move it 40 px down").');
  const warnings: string[] = [];
  const operations: Operation[] = [];
  const image = documentRect(ctx.req);
  const exact = readExact(text);
  // One selection and no arrow: a part noun with no owner ("make the eye bigger") is the selection itself.
  const lone = ctx.req.regions.length === 1 && ctx.req.drags.length === 0;
  if (exact) {
    // An exact amount on a part of the selection ("move the head down by 40px") still needs an arrow on the part.
    for (const a of parse.actions) { const pq = partQuestion(a, lone); if (pq) throw askUser(pq); }
    for (const a of parse.actions) { const n = partAsSelectionNote(a, lone); if (n) warnings.push(n); }
    const targets = textOnlyRegions(ctx, parse.actions[0] ?? null);
    if (!targets) throw askUser(`"${text}": which selection? Name it by position ("the left one"), or draw an arrow on it.`);
    for (const id of targets) {
      const params = exactParams(exact, ctx.shapes.get(id)!, ctx.req.regions.find((r) => r.id === id)!.mask, image, unitsOf(ctx));
      operations.push({ region: id, kind: params.kind, params, source: 'intent', description: describeOperation(id, params), reason: `intent (rules): the text states the ${params.kind} exactly; no arrow, so every amount comes from the text` });
    }
  } else {
    if (parse.actions.length === 0) {
      // An edit that is not a drag ("flip it", "make it brighter") is said as such, not as unreadable.
      const said = [...ignoredWordWarnings([...parse.unknown.filter((u) => u.role === 'ignored').map((u) => u.word), ...notDragNouns(parse)], parse).filter((w) => !w.startsWith('Words not understood')), ...notDragWarnings(parse)];
      if (said.length) throw askUser(`${said.join(' ')} Draw an arrow, or say a move, turn or resize (e.g. "move it 40 px down").`);
      throw askUser(`"${text}" names no edit I can read: say what to do and which way (e.g. "move it 40 px down", "rotate it 20° clockwise"), or draw an arrow.`);
    }
    for (const a of parse.actions) {
      const tk = textOnlyKind(a, lone);
      if ('question' in tk) throw askUser(tk.question);
      if (tk.note) warnings.push(tk.note);
      const targets = textOnlyRegions(ctx, a);
      if (!targets) throw askUser(whichSelection(a));
      for (const id of targets) {
        const shape = ctx.shapes.get(id)!;
        const c = shape.centroid;
        const drag: Drag = { region: id, points: [c, c] };
        const features = dragFeatures(drag, shape);
        const still: DragInfo = { index: -1, drag, shape, features, scores: scoreKinds(features, undefined, unitsOf(ctx)) };
        const params = paramsFor(tk.kind, still, a, ctx, parse, warnings);
        const dflt = defaultAmountWarning(a, id, params, unitsOf(ctx));
        const words = a.amount?.kind === 'qualitative' ? ` ("${a.amount.words}")` : '';
        operations.push({ region: id, kind: tk.kind, params, source: 'intent', description: describeOperation(id, params), reason: `intent (rules): ${tk.why}; no arrow, so ${dflt ? `the text gives no number and a default${words} is used` : 'the amount comes from the text'}` });
        if (dflt) warnings.push(dflt);
      }
    }
  }
  const ignoredWords = parse.unknown.filter((u) => u.role === 'ignored').map((u) => u.word);
  if (!exact) warnings.push(...ignoredWordWarnings([...ignoredWords, ...notDragNouns(parse)], parse), ...notDragWarnings(parse));
  warnings.push(...correctionWarnings(parse));
  for (const c of parse.constraints) {
    if (c.object.kind === 'it' && !c.negated) continue;
    if (c.notKind && handleRef(c.object)) continue;
    if (changeNotWanted(c)) continue;
    warnings.push(keepUnchangedWarning(c.object.text || 'that', ctx.req.keep?.length ?? 0));
  }
  warnings.push('No arrow: the plan comes from the text alone.');
  return { operations, warnings, confidence: 0.9, reasoner: 'rules' };
}
