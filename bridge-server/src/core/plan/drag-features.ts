/**
 * Geometric features of one drag relative to its region, the evidence the planner reasons
 * with. Pure functions; every figure is in document pixels or degrees (positive = clockwise on
 * screen, image y down).
 */
import type { Drag, Point } from '../types';
import type { RegionShape } from './region-shape';

/** Where a drag's centre came from. */
export const CenterSource = { given: 'given', centroid: 'centroid', arc: 'arc' } as const;
export type CenterSource = (typeof CenterSource)[keyof typeof CenterSource];

/** Everything the rule reasoner knows about one drag. */
export interface DragFeatures {
  handle: Point;
  target: Point;
  /** target − handle. */
  chord: Point;
  /** |chord| in px. */
  length: number;
  /** Polyline length in px (≥ length). */
  pathLength: number;
  pointCount: number;
  /** Sum of signed turning angles between consecutive segments, degrees. */
  turnDeg: number;
  /** Largest distance of a middle point from the chord, divided by the chord length. */
  sagitta: number;
  /** The polyline bends consistently one way (an arc, not a hand-drawn straight line). */
  isArc: boolean;
  /** Pivot / fixed point used for rotate and scale readings. */
  center: Point;
  centerSource: CenterSource;
  /** Angle swept about `center`: sum of angles between consecutive points, degrees. */
  sweptDeg: number;
  /** Coefficient of variation of the points' distances to `center` (0 = perfect arc). */
  radiusSpread: number;
  /** |target − center| / |handle − center|. */
  radiusRatio: number;
  /** Cosine between the chord and (handle − center): +1 pulls away, −1 pushes towards. */
  radialCos: number;
  /** Signed distance of the handle to the region boundary (px, > 0 inside). */
  handleDepth: number;
  /** handleDepth / region's largest inscribed radius (1 = the deepest point). */
  handleDepthRel: number;
  /** |handle − centroid| / radius of gyration. */
  handleOffsetRel: number;
  /** Region extent along the chord divided by its extent across it. */
  elongation: number;
  /**
   * How fast the object thickens when walking from the handle towards the centroid: depth gained
   * per pixel walked over half a radius of gyration. ≈ 1 on the rim of a blob, ≪ 1 on a thin
   * protrusion (a spire, a nose, a stem), which is a part to deform rather than a rim to scale.
   */
  thickening: number;
  /**
   * Arrow length divided by the region's largest inscribed radius: how far the drag reaches
   * compared with the region's size. ≪ 1 on a large region means the arrow moves a part near
   * its handle (a beak, an arm, a roof edge) rather than the whole region.
   */
  lengthRel: number;
  /** The region's largest inscribed radius (px). */
  maxDepth: number;
}

const DEG = 180 / Math.PI;

/** Angle from a to b wrapped to (−180, 180] degrees. */
export function wrapDeg(a: number): number {
  let x = a % 360;
  if (x <= -180) x += 360;
  if (x > 180) x -= 360;
  return x;
}

/** Signed angle swept by the polyline about `c` (degrees, + = clockwise on screen). */
export function sweptAngle(points: readonly Point[], c: Point): number {
  let sum = 0;
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!, b = points[i]!;
    const a0 = Math.atan2(a[1] - c[1], a[0] - c[0]), a1 = Math.atan2(b[1] - c[1], b[0] - c[0]);
    sum += wrapDeg((a1 - a0) * DEG);
  }
  return sum;
}

/** Least-squares circle through ≥ 3 points (Kåsa fit); null when the points are collinear. */
export function fitCircle(points: readonly Point[]): { center: Point; radius: number } | null {
  const n = points.length;
  if (n < 3) return null;
  let mx = 0, my = 0;
  for (const p of points) { mx += p[0]; my += p[1]; }
  mx /= n; my /= n;
  let suu = 0, svv = 0, suv = 0, suuu = 0, svvv = 0, suvv = 0, svuu = 0;
  for (const p of points) {
    const u = p[0] - mx, v = p[1] - my;
    suu += u * u; svv += v * v; suv += u * v;
    suuu += u * u * u; svvv += v * v * v; suvv += u * v * v; svuu += v * u * u;
  }
  const det = suu * svv - suv * suv;
  if (Math.abs(det) < 1e-9 * Math.max(1, suu * svv)) return null;
  const b1 = (suuu + suvv) / 2, b2 = (svvv + svuu) / 2;
  const uc = (b1 * svv - b2 * suv) / det, vc = (b2 * suu - b1 * suv) / det;
  const radius = Math.sqrt(uc * uc + vc * vc + (suu + svv) / n);
  return { center: [mx + uc, my + vc], radius };
}

function radiusStats(points: readonly Point[], c: Point): number {
  const r = points.map((p) => Math.hypot(p[0] - c[0], p[1] - c[1]));
  const mean = r.reduce((a, b) => a + b, 0) / r.length;
  if (mean < 1e-9) return Infinity;
  const v = r.reduce((a, b) => a + (b - mean) ** 2, 0) / r.length;
  return Math.sqrt(v) / mean;
}

/** Minimum total turning (degrees) for a ≥ 3-point polyline to count as an arc. */
export const ARC_MIN_TURN_DEG = 8;
/** Radius spread below which the region centroid is accepted as the arc's pivot. */
export const ARC_CENTROID_SPREAD = 0.1;

/** Compute the features of `drag` against its region's shape. */
export function dragFeatures(drag: Drag, shape: RegionShape): DragFeatures {
  const pts = drag.points;
  const handle = pts[0]!, target = pts[pts.length - 1]!;
  const chord: Point = [target[0] - handle[0], target[1] - handle[1]];
  const length = Math.hypot(chord[0], chord[1]);
  let pathLength = 0, turnDeg = 0, sagitta = 0, prevAngle: number | null = null;
  let pos = 0, neg = 0;
  for (let i = 1; i < pts.length; i++) {
    const a = pts[i - 1]!, b = pts[i]!;
    const sl = Math.hypot(b[0] - a[0], b[1] - a[1]);
    pathLength += sl;
    if (sl < 1e-9) continue;
    const ang = Math.atan2(b[1] - a[1], b[0] - a[0]) * DEG;
    if (prevAngle !== null) {
      const t = wrapDeg(ang - prevAngle);
      turnDeg += t;
      if (t > 0.5) pos++;
      else if (t < -0.5) neg++;
    }
    prevAngle = ang;
  }
  if (length > 1e-9) {
    for (let i = 1; i < pts.length - 1; i++) {
      const p = pts[i]!;
      const d = Math.abs((p[0] - handle[0]) * chord[1] - (p[1] - handle[1]) * chord[0]) / length;
      sagitta = Math.max(sagitta, d / length);
    }
  }
  const isArc = pts.length >= 3 && Math.abs(turnDeg) >= ARC_MIN_TURN_DEG && (pos === 0 || neg === 0);

  let center: Point, centerSource: CenterSource;
  if (drag.center) { center = drag.center; centerSource = CenterSource.given; }
  else {
    center = shape.centroid; centerSource = CenterSource.centroid;
    if (isArc && radiusStats(pts, shape.centroid) > ARC_CENTROID_SPREAD) {
      const fit = fitCircle(pts);
      if (fit) { center = fit.center; centerSource = CenterSource.arc; }
    }
  }
  const rh: Point = [handle[0] - center[0], handle[1] - center[1]];
  const rhLen = Math.hypot(rh[0], rh[1]);
  const rtLen = Math.hypot(target[0] - center[0], target[1] - center[1]);
  const radialCos = length > 1e-9 && rhLen > 1e-9 ? (chord[0] * rh[0] + chord[1] * rh[1]) / (length * rhLen) : 0;
  const handleDepth = shape.depthAt(handle);
  let elongation = 1;
  if (length > 1e-9) {
    const u: Point = [chord[0] / length, chord[1] / length];
    const [a0, a1] = shape.extentAlong(u);
    const [b0, b1] = shape.extentAlong([-u[1], u[0]]);
    elongation = (a1 - a0 + 1) / Math.max(1, b1 - b0 + 1);
  }
  const toC: Point = [shape.centroid[0] - handle[0], shape.centroid[1] - handle[1]];
  const toCLen = Math.hypot(toC[0], toC[1]);
  const walk = Math.min(0.5 * shape.gyration, toCLen);
  let thickening = 1;
  if (walk >= 2) {
    const steps = Math.min(64, Math.ceil(walk));
    let deepest = -Infinity;
    for (let i = 1; i <= steps; i++) {
      const s = (walk * i) / steps / toCLen;
      deepest = Math.max(deepest, shape.depthAt([handle[0] + toC[0] * s, handle[1] + toC[1] * s]));
    }
    thickening = (deepest - Math.max(0, handleDepth)) / walk;
  }
  return {
    thickening,
    lengthRel: length / Math.max(1e-9, shape.maxDepth),
    maxDepth: shape.maxDepth,
    handle, target, chord, length, pathLength, pointCount: pts.length, turnDeg, sagitta, isArc,
    center, centerSource,
    sweptDeg: sweptAngle(pts, center),
    radiusSpread: radiusStats(pts, center),
    radiusRatio: rhLen > 1e-9 ? rtLen / rhLen : 1,
    radialCos,
    handleDepth,
    handleDepthRel: handleDepth / shape.maxDepth,
    handleOffsetRel: Math.hypot(handle[0] - shape.centroid[0], handle[1] - shape.centroid[1]) / Math.max(1e-9, shape.gyration),
    elongation,
  };
}
