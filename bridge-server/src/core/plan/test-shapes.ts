/**
 * Shapes the planner's table tests draw with (test support only: imported by *.test.ts files).
 */
import type { Point } from '../types';

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
