/**
 * Shapes the planner's table tests draw with (test support only: imported by *.test.ts files).
 */
import { rasterizePolygon } from '@smartdrag/shared/geometry';
import type { Drag, EditRequest, Point, Region } from '../types';

/** A 64-point polygon of the circle of radius `r` about (cx, cy). */
export function disc(cx: number, cy: number, r: number): Point[] {
  const pts: Point[] = [];
  for (let i = 0; i < 64; i++) pts.push([cx + r * Math.cos((i / 64) * 2 * Math.PI), cy + r * Math.sin((i / 64) * 2 * Math.PI)]);
  return pts;
}

/** An arc about (cx, cy) at radius r from angle a0 to a1 (degrees, + = clockwise on screen), `n` points. */
export function arc(cx: number, cy: number, r: number, a0: number, a1: number, n = 4): Point[] {
  const out: Point[] = [];
  for (let i = 0; i < n; i++) {
    const a = ((a0 + ((a1 - a0) * i) / (n - 1)) * Math.PI) / 180;
    out.push([cx + r * Math.cos(a), cy + r * Math.sin(a)]);
  }
  return out;
}

/** The planner tables' scene: discs "a" (left, at (100, 150)) and "b" (right, at (300, 150)), radius 40, on a 400 × 300 image. */
export const TWO_DISCS: Readonly<Record<'a' | 'b', Region>> = {
  a: { id: 'a', mask: rasterizePolygon(disc(100, 150, 40)) },
  b: { id: 'b', mask: rasterizePolygon(disc(300, 150, 40)) },
};

/**
 * Two small discs for scenes of three or four selections ("between the two others", "the small
 * one"): "c" above the gap between a and b, at (200, 60), and "d" below it, at (200, 250), radius 20.
 */
export const SMALL_DISCS: Readonly<Record<'c' | 'd', Region>> = {
  c: { id: 'c', mask: rasterizePolygon(disc(200, 60, 20)) },
  d: { id: 'd', mask: rasterizePolygon(disc(200, 250, 20)) },
};

/** A preview request on {@link TWO_DISCS} (and {@link SMALL_DISCS} when named; a blank image): `drags` (their points copied) on the named regions. */
export function twoDiscsRequest(intent: string, drags: readonly Drag[], regions: readonly string[]): EditRequest {
  const all: Record<string, Region> = { ...TWO_DISCS, ...SMALL_DISCS };
  return {
    image: { width: 400, height: 300, data: new Uint8ClampedArray(400 * 300 * 4) },
    regions: regions.map((r) => all[r]!),
    drags: drags.map((d) => ({ ...d, points: d.points.map((p) => [p[0], p[1]] as Point) })),
    intent,
    quality: 'preview',
  };
}
