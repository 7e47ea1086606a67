/**
 * Test helpers for the document area a host sends for an edit, written independently of
 * `editRoi` (shared/src/geometry.ts) so the host tests check it.
 */
import type { Point, Rect } from '@smartdrag/shared';

/** Bounds of a region moved by an arrow's displacement (last point − first). */
export function movedBounds(region: Rect, arrow: readonly Point[]): Rect {
  const a = arrow[0]!, b = arrow[arrow.length - 1]!;
  return { ...region, left: region.left + Math.round(b[0] - a[0]), top: region.top + Math.round(b[1] - a[1]) };
}

/**
 * The crop a host must send (the Photoshop plugin reads it, the panel of Photopea, the playground
 * and Express sends it): the region, the circle of its turns, its moved copy and the arrow's
 * pixels, grown by max(64, 10 % of the larger side + 16), clipped to the document, its origin
 * moved down to a multiple of 64.
 */
export function expectedCrop(region: Rect, arrow: readonly Point[], docW: number, docH: number): Rect {
  const m = movedBounds(region, arrow);
  // The circle through the region's corners holds every turn about its centre.
  const rad = Math.ceil(Math.hypot(region.width, region.height) / 2);
  const cx = Math.floor(region.left + region.width / 2), cy = Math.floor(region.top + region.height / 2);
  const xs = [region.left, region.left + region.width, cx - rad, cx + rad + 1, m.left, m.left + m.width, ...arrow.flatMap((p) => [Math.floor(p[0]), Math.floor(p[0]) + 1])];
  const ys = [region.top, region.top + region.height, cy - rad, cy + rad + 1, m.top, m.top + m.height, ...arrow.flatMap((p) => [Math.floor(p[1]), Math.floor(p[1]) + 1])];
  const x0 = Math.min(...xs), x1 = Math.max(...xs), y0 = Math.min(...ys), y1 = Math.max(...ys);
  const margin = Math.max(64, Math.ceil(0.1 * Math.max(x1 - x0, y1 - y0)) + 16);
  // The origin on a multiple of 64 (the core's grids stay where a whole-document edit puts them).
  const l = Math.floor(Math.max(0, x0 - margin) / 64) * 64, t = Math.floor(Math.max(0, y0 - margin) / 64) * 64;
  const r = Math.min(docW, x1 + margin), b = Math.min(docH, y1 + margin);
  return { left: l, top: t, width: r - l, height: b - t };
}
