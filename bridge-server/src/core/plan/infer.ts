/**
 * Geometric type inference for `auto` drags (issue #3 §Planning): scores every kind from the
 * drag's features, best first. The evidence, in order of strength:
 *
 * - an arc (≥ 3 points turning one way) → rotate by the angle swept about the centre;
 * - a handle in the object's core (within about one radius of gyration of the centroid) →
 *   translate the whole region;
 * - a handle on the rim, pulling along the radius, where the object thickens quickly inwards
 *   (the rim of a blob) → scale about the centre by |t − c| / |h − c|;
 * - a handle on the rim pulling sideways, or on a thin protrusion (tip, spire, nose, fin) → deform
 *   that part while the rest stays;
 * - a given centre (a pivot) only makes sense for rotate and scale, so it favours those;
 * - a part, not the whole region: an arrow that is short against the region's size (length ≪
 *   its largest inscribed radius) from a handle away from the centre moves the part near the
 *   handle (a beak, an arm, an eave) when the region is an editable area drawn around an object
 *   (DragBench masks) or a large object. It turns a core reading (translate) into deform;
 * - scale needs a handle ON the outline (grabbing the region's edge): a handle well inside the
 *   region pulling radially grabs a part of it, so that evidence goes to deform as well.
 */
import type { DragKind } from '../types';
import type { DragFeatures } from './drag-features';
import type { PixelUnits } from './units';

/** One kind with its normalised score (all scores of a drag sum to 1) and the figures used. */
export interface KindScore {
  kind: DragKind;
  score: number;
  why: string;
}

/** Handle offset (in radii of gyration) where the core/rim readings are equally likely. */
export const CORE_OFFSET = 1.0;
const CORE_SOFTNESS = 0.12;
/** Arrow length / largest inscribed radius below which the arrow reads as moving a part (full weight at 0.5). */
export const PART_LENGTH_REL = 0.75;
/** Handle offset (radii of gyration) from which a short arrow reads as moving a part (full weight at 0.7). */
export const PART_OFFSET = 0.4;
/**
 * Depth unit (document px, or this fraction of the inscribed radius if larger): a handle deeper
 * than 1.5 units is inside, not on the outline (fully at 2.5). On a proxy it is scaled to the
 * proxy's pixels, so that a preview reads a drag as its final does.
 */
export const OUTLINE_DEPTH_PX = 8;
export const OUTLINE_DEPTH_REL = 0.1;

/** The thresholds of the kind scores (the defaults above; leave-one-photo-out refits them in a test). */
export interface InferParams {
  coreOffset: number;
  partLengthRel: number;
  partOffset: number;
}
export const DEFAULT_INFER_PARAMS: Readonly<InferParams> = { coreOffset: CORE_OFFSET, partLengthRel: PART_LENGTH_REL, partOffset: PART_OFFSET };

const clamp01 = (x: number): number => Math.min(1, Math.max(0, x));
const f2 = (x: number): string => (Math.round(x * 100) / 100).toString();

/**
 * Score the four kinds for one drag; sorted best first. `u`: the request's pixels against the
 * document's (plan/units.ts; default the same): the pixel threshold is the document's, and the
 * reasons say lengths and positions in document pixels — to the hundredth at document scale, to
 * the whole pixel on a proxy (it cannot resolve less).
 */
export function scoreKinds(f: DragFeatures, p: Readonly<InferParams> = DEFAULT_INFER_PARAMS, u?: PixelUnits): KindScore[] {
  const px = (n: number, dir?: readonly [number, number]): string => (!u || u.identity ? f2(n) : Math.round(u.docLen(n, dir ? [dir[0], dir[1]] : null)).toString());
  const at = (q: readonly [number, number]): string => pt(u ? u.fullPoint([q[0], q[1]]) : q);
  const given = f.centerSource === 'given';
  const core = 1 / (1 + Math.exp((f.handleOffsetRel - p.coreOffset) / CORE_SOFTNESS));
  const rim = 1 - core;
  const radial = clamp01((Math.abs(f.radialCos) - 0.35) / 0.4);
  const thick = clamp01((f.thickening - 0.2) / 0.5);
  const sameRadius = clamp01(1 - Math.abs(Math.log(Math.max(1e-6, f.radiusRatio))) / Math.log(1.25));
  const turns = clamp01(Math.abs(f.sweptDeg) / 5);
  // A short arrow from off the centre moves a part (see the header).
  const part = clamp01((p.partLengthRel - f.lengthRel) / 0.25) * clamp01((f.handleOffsetRel - p.partOffset) / 0.3);
  // How far inside the outline the handle is (0 = on it, 1 = clearly inside).
  const depthUnit = Math.max(OUTLINE_DEPTH_PX * (u?.s ?? 1), OUTLINE_DEPTH_REL * f.maxDepth);
  const inside = clamp01((f.handleDepth - 1.5 * depthUnit) / depthUnit);
  let rotate: number, translate: number, scale: number, deform: number;
  if (f.isArc) {
    rotate = 1; translate = 0.03; scale = 0.02; deform = 0.05;
  } else {
    rotate = given ? (1 - radial) * sameRadius * turns : 0.01;
    const grip = given ? 1 : 1 - inside;
    translate = core * (given ? 0.15 : 1 - part);
    scale = rim * radial * thick * grip * (given ? 1 : 0.9) + (given ? 0.3 * radial : 0);
    deform = (rim * (1 - radial * thick * grip) + (given ? 0 : core * part)) * (given ? 0.2 : 1);
  }
  const raw = { rotate, translate, scale, deform };
  const sum = Object.values(raw).reduce((a, b) => a + b + 0.005, 0);
  const geo = `handle offset ${f2(f.handleOffsetRel)} radii of gyration from the centroid, depth ${px(f.handleDepth)} px; ` +
    `arrow ${px(f.length, f.chord)} px, radial cosine ${f2(f.radialCos)}, thickening ${f2(f.thickening)}`;
  const whys: Record<DragKind, string> = {
    rotate: f.isArc
      ? `arc of ${f.pointCount} points turning ${f2(f.turnDeg)}° sweeps ${f2(f.sweptDeg)}° about (${at(f.center)}) (${f.centerSource} centre, radius spread ${f2(f.radiusSpread * 100)}%)`
      : `arrow keeps its distance to the ${f.centerSource} centre (${at(f.center)}) (ratio ${f2(f.radiusRatio)}) and sweeps ${f2(f.sweptDeg)}°`,
    translate: `straight arrow from the object's core: ${geo}`,
    scale: `handle on the rim pulling ${f.radialCos >= 0 ? 'away from' : 'towards'} the ${f.centerSource} centre (${at(f.center)}): factor ${f2(f.radiusRatio)}; ${geo}`,
    deform: part >= 0.5 && rim < 0.5
      ? `short arrow (${f2(f.lengthRel)} of the region's inscribed radius) from off the centre moves that part, not the whole region: ${geo}`
      : !given && inside >= 0.5 && Math.abs(f.radialCos) >= 0.6
      ? `handle ${px(f.handleDepth)} px inside the outline, not on it: it pulls a part, not the region's edge: ${geo}`
      : Math.abs(f.radialCos) < 0.6
      ? `handle on the rim pulling sideways, the rest of the object stays: ${geo}`
      : `handle on a thin part (thickening ${f2(f.thickening)}), the rest of the object stays: ${geo}`,
  };
  return (Object.keys(raw) as DragKind[])
    .map((k) => ({ kind: k, score: (raw[k] + 0.005) / sum, why: whys[k] }))
    .sort((a, b) => b.score - a.score);
}

/**
 * Format a point as "x,y" rounded to whole pixels. (A reading's centre in the image's pixels is
 * said "about (x,y)" or "centre (x,y)" in this form: core/proxy.ts `planAtOrigin` moves exactly
 * those to a crop's document positions.)
 */
export function pt(p: readonly [number, number]): string {
  return `${Math.round(p[0])},${Math.round(p[1])}`;
}
