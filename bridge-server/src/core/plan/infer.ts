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
 * - a given centre (a pivot) only makes sense for rotate and scale, so it favours those.
 */
import type { DragKind } from '../types';
import type { DragFeatures } from './drag-features';

/** One kind with its normalised score (all scores of a drag sum to 1) and the figures used. */
export interface KindScore {
  kind: DragKind;
  score: number;
  why: string;
}

/** Handle offset (in radii of gyration) where the core/rim readings are equally likely. */
export const CORE_OFFSET = 1.0;
const CORE_SOFTNESS = 0.12;

const clamp01 = (x: number): number => Math.min(1, Math.max(0, x));
const f2 = (x: number): string => (Math.round(x * 100) / 100).toString();

/** Score the four kinds for one drag; sorted best first. */
export function scoreKinds(f: DragFeatures): KindScore[] {
  const given = f.centerSource === 'given';
  const core = 1 / (1 + Math.exp((f.handleOffsetRel - CORE_OFFSET) / CORE_SOFTNESS));
  const rim = 1 - core;
  const radial = clamp01((Math.abs(f.radialCos) - 0.35) / 0.4);
  const thick = clamp01((f.thickening - 0.2) / 0.5);
  const sameRadius = clamp01(1 - Math.abs(Math.log(Math.max(1e-6, f.radiusRatio))) / Math.log(1.25));
  const turns = clamp01(Math.abs(f.sweptDeg) / 5);
  let rotate: number, translate: number, scale: number, deform: number;
  if (f.isArc) {
    rotate = 1; translate = 0.03; scale = 0.02; deform = 0.05;
  } else {
    rotate = given ? (1 - radial) * sameRadius * turns : 0.01;
    translate = core * (given ? 0.15 : 1);
    scale = rim * radial * thick * (given ? 1 : 0.9) + (given ? 0.3 * radial : 0);
    deform = rim * (1 - radial * thick) * (given ? 0.2 : 1);
  }
  const raw = { rotate, translate, scale, deform };
  const sum = Object.values(raw).reduce((a, b) => a + b + 0.005, 0);
  const geo = `handle offset ${f2(f.handleOffsetRel)} radii of gyration from the centroid, depth ${f2(f.handleDepth)} px; ` +
    `arrow ${f2(f.length)} px, radial cosine ${f2(f.radialCos)}, thickening ${f2(f.thickening)}`;
  const whys: Record<DragKind, string> = {
    rotate: f.isArc
      ? `arc of ${f.pointCount} points turning ${f2(f.turnDeg)}° sweeps ${f2(f.sweptDeg)}° about (${pt(f.center)}) (${f.centerSource} centre, radius spread ${f2(f.radiusSpread * 100)}%)`
      : `arrow keeps its distance to the ${f.centerSource} centre (${pt(f.center)}) (ratio ${f2(f.radiusRatio)}) and sweeps ${f2(f.sweptDeg)}°`,
    translate: `straight arrow from the object's core: ${geo}`,
    scale: `handle on the rim pulling ${f.radialCos >= 0 ? 'away from' : 'towards'} the ${f.centerSource} centre (${pt(f.center)}): factor ${f2(f.radiusRatio)}; ${geo}`,
    deform: Math.abs(f.radialCos) < 0.6
      ? `handle on the rim pulling sideways, the rest of the object stays: ${geo}`
      : `handle on a thin part (thickening ${f2(f.thickening)}), the rest of the object stays: ${geo}`,
  };
  return (Object.keys(raw) as DragKind[])
    .map((k) => ({ kind: k, score: (raw[k] + 0.005) / sum, why: whys[k] }))
    .sort((a, b) => b.score - a.score);
}

/** Format a point as "x,y" rounded to whole pixels. */
export function pt(p: readonly [number, number]): string {
  return `${Math.round(p[0])},${Math.round(p[1])}`;
}
