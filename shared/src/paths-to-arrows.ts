/**
 * Pen paths -> drag arrows. Every OPEN subpath is one arrow: its first anchor is the handle,
 * its last anchor the target, and the anchors in between (plus the sampled Bézier curves between
 * them) shape the arc. Closed subpaths are ignored (they are shapes, not arrows).
 *
 * Pure: plain numbers in document pixels in, polylines in document pixels out. Shared by the
 * Photoshop plugin (Work Path / saved paths read through batchPlay) and the Photopea page (the
 * DOM's `pathItems`), so both read a pen stroke the same way.
 */
import type { Point } from './geometry';

/** One anchor of a subpath, in document pixels. */
export interface PathAnchor {
  /** The anchor point. */
  anchor: Point;
  /** Incoming direction handle (Photoshop `backward`, DOM `leftDirection`); defaults to `anchor`. */
  backward?: Point;
  /** Outgoing direction handle (Photoshop `forward`, DOM `rightDirection`); defaults to `anchor`. */
  forward?: Point;
}

/** One subpath (pen stroke) in document pixels. */
export interface Subpath {
  closed: boolean;
  points: PathAnchor[];
}

/** Options of {@link pathsToArrows}. */
export interface ArrowOptions {
  /** Target length in px of one polyline step on a curve. Default 8. */
  stepPx?: number;
  /** Most samples per Bézier segment. Default 32. */
  maxSamplesPerSegment?: number;
  /** Arrows whose handle and target are closer than this (px) and whose path is shorter are dropped. Default 1. */
  minLengthPx?: number;
}

/** What {@link pathsToArrows} found. */
export interface ArrowsResult {
  /** One polyline per open subpath, first point = handle, last point = target. */
  arrows: Point[][];
  /** Closed subpaths skipped. */
  closedSkipped: number;
  /** Open subpaths skipped because they had fewer than 2 anchors or no length. */
  degenerateSkipped: number;
}

const round3 = (v: number): number => Math.round(v * 1000) / 1000;

function samePoint(a: Point, b: Point): boolean {
  return Math.abs(a[0] - b[0]) < 1e-9 && Math.abs(a[1] - b[1]) < 1e-9;
}

function dist(a: Point, b: Point): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1]);
}

/**
 * Flatten one subpath into a polyline. Straight segments (both direction handles on their
 * anchors) contribute only their end anchor; curved segments are sampled uniformly in `t` with a
 * count from the control polygon length (an upper bound of the arc length). Coordinates are
 * rounded to 1/1000 px so unit conversions do not leave float noise.
 */
export function flattenSubpath(sp: Subpath, opts: ArrowOptions = {}): Point[] {
  const step = opts.stepPx ?? 8;
  const maxN = opts.maxSamplesPerSegment ?? 32;
  const pts = sp.points;
  if (pts.length === 0) return [];
  const out: Point[] = [[round3(pts[0]!.anchor[0]), round3(pts[0]!.anchor[1])]];
  const segCount = sp.closed ? pts.length : pts.length - 1;
  for (let i = 0; i < segCount; i++) {
    const a = pts[i]!, b = pts[(i + 1) % pts.length]!;
    const p0 = a.anchor, p3 = b.anchor;
    const p1 = a.forward ?? p0, p2 = b.backward ?? p3;
    if (samePoint(p0, p1) && samePoint(p2, p3)) {
      out.push([round3(p3[0]), round3(p3[1])]);
      continue;
    }
    const len = dist(p0, p1) + dist(p1, p2) + dist(p2, p3);
    const n = Math.max(2, Math.min(maxN, Math.ceil(len / step)));
    for (let k = 1; k <= n; k++) {
      const t = k / n, u = 1 - t;
      const w0 = u * u * u, w1 = 3 * u * u * t, w2 = 3 * u * t * t, w3 = t * t * t;
      out.push([
        round3(w0 * p0[0] + w1 * p1[0] + w2 * p2[0] + w3 * p3[0]),
        round3(w0 * p0[1] + w1 * p1[1] + w2 * p2[1] + w3 * p3[1]),
      ]);
    }
  }
  return out;
}

/** Turn subpaths into arrows (see the module comment for the convention). */
export function pathsToArrows(subpaths: readonly Subpath[], opts: ArrowOptions = {}): ArrowsResult {
  const minLen = opts.minLengthPx ?? 1;
  const arrows: Point[][] = [];
  let closedSkipped = 0, degenerateSkipped = 0;
  for (const sp of subpaths) {
    if (sp.closed) { closedSkipped++; continue; }
    if (sp.points.length < 2) { degenerateSkipped++; continue; }
    const line = flattenSubpath(sp, opts);
    let length = 0;
    for (let i = 1; i < line.length; i++) length += dist(line[i - 1]!, line[i]!);
    if (length < minLen) { degenerateSkipped++; continue; }
    arrows.push(line);
  }
  return { arrows, closedSkipped, degenerateSkipped };
}

/**
 * A path's identity by its contents: the subpaths (closed flag, anchors and direction handles, to
 * 1/1000 px) as a string. Two reads of an unchanged path give the same signature; a subpath added,
 * removed or moved changes it (apply uses it to delete only the Work Path the arrows came from).
 */
export function subpathSignature(subpaths: readonly Subpath[]): string {
  const q = (p: Point | undefined): [number, number] | null => (p ? [round3(p[0]), round3(p[1])] : null);
  return JSON.stringify(subpaths.map((sp) => [sp.closed ? 1 : 0, sp.points.map((p) => [q(p.anchor), q(p.forward), q(p.backward)])]));
}
