/**
 * Shape descriptors of a handle region used by the planner: centroid, second moments,
 * and a signed Euclidean distance field (inside > 0, outside < 0) so that "is this handle deep
 * inside the object or on its edge?" is one lookup. Computed on the region's own bounding box
 * (downsampled so the long side is at most {@link SHAPE_MAX_SIDE}), never on the whole canvas.
 */
import { EMPTY_SELECTION_HINT, ErrorCode, SmartDragError } from '@smartdrag/shared';
import type { PlacedMask, Point } from '../types';
import { maskHash, objectCacheEnabled } from './object-cache';
import { squaredDistance } from '../distance-transform';

// Module-level copies: global lookups (Infinity, Math) are slow inside hot loops when the code
// runs in a vm context (jest, some worker sandboxes).
const INF = Number.POSITIVE_INFINITY;
const { sqrt, max, min, round, hypot, ceil } = Math;

/** Long side (in grid cells) above which the distance field is computed on a coarser grid. */
export const SHAPE_MAX_SIDE = 192;

/** Planner-facing description of one region. All lengths in document pixels. */
export interface RegionShape {
  id: string;
  /** Pixels with coverage ≥ 50 %, in document pixels². */
  area: number;
  /** Area-weighted centroid. */
  centroid: Point;
  /** Radius of gyration: sqrt(mean squared distance to the centroid). */
  gyration: number;
  /** Largest inscribed-circle radius (max of the inside distance field). */
  maxDepth: number;
  /** Principal axis: unit direction of largest spread, and std-devs along/across it. */
  axis: { dir: Point; major: number; minor: number };
  /** Signed distance of a document point to the region boundary: > 0 inside, < 0 outside. */
  depthAt(p: Point): number;
  /** Extent of the region along a unit direction: [min, max] of (q - centroid)·dir over its pixels. */
  extentAlong(dir: Point): [number, number];
}

/** Describe a region for the planner. Throws a coded `bad_message` error when the region selects no pixel. */
/**
 * The last few shapes, by region id and mask content: while an arrow moves, every preview plans
 * the same selection again (the shape only depends on the mask). Callers get their own copy of
 * the plain fields; the two functions are pure and shared.
 */
const shapes: { key: string; shape: RegionShape }[] = [];

/** The coded error for a region that selects no pixel (none at ≥ 50% coverage inside the picture). */
export function emptySelection(id: string): SmartDragError {
  return new SmartDragError(ErrorCode.bad_message, `region ${id} selects no pixels (none at 50% coverage or more inside the image): select something inside the picture, or leave the region out`, { hint: EMPTY_SELECTION_HINT });
}

export function describeRegion(id: string, mask: PlacedMask): RegionShape {
  if (!objectCacheEnabled()) return computeShape(id, mask);
  const key = `${id}|${maskHash(mask)}`;
  let hit = shapes.find((e) => e.key === key);
  if (!hit) {
    hit = { key, shape: computeShape(id, mask) };
    shapes.unshift(hit);
    if (shapes.length > 4) shapes.length = 4;
  }
  const s = hit.shape;
  return { ...s, centroid: [s.centroid[0], s.centroid[1]], axis: { ...s.axis, dir: [s.axis.dir[0], s.axis.dir[1]] } };
}

function computeShape(id: string, mask: PlacedMask): RegionShape {
  // Grid: the mask box plus a 1-cell frame of "outside" so boundary distances are defined.
  const step = max(1, ceil(max(mask.width, mask.height) / SHAPE_MAX_SIDE));
  const gw = ceil(mask.width / step) + 2, gh = ceil(mask.height / step) + 2;
  const inside = new Uint8Array(gw * gh), outside = new Uint8Array(gw * gh);
  let area = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
  for (let gy = 0; gy < gh; gy++) {
    const my = (gy - 1) * step;
    for (let gx = 0; gx < gw; gx++) {
      const mx = (gx - 1) * step;
      const i = gy * gw + gx;
      const on = mx >= 0 && my >= 0 && mx < mask.width && my < mask.height && mask.data[my * mask.width + mx]! >= 128;
      if (on) {
        inside[i] = 1;
        const x = mask.left + mx, y = mask.top + my;
        area++; sx += x; sy += y; sxx += x * x; syy += y * y; sxy += x * y;
      } else outside[i] = 1;
    }
  }
  let areaScale = step * step;
  if (area === 0) {
    // Nothing under the grid's sample points: a selection thinner than the grid's step (a wire,
    // a thin diagonal lasso on a large mask) marks every cell it touches, its area and moments
    // counted pixel by pixel.
    for (let my = 0; my < mask.height; my++) {
      const row = my * mask.width, gy = ((my / step) | 0) + 1, y = mask.top + my;
      for (let mx = 0; mx < mask.width; mx++) {
        if (mask.data[row + mx]! < 128) continue;
        const i = gy * gw + ((mx / step) | 0) + 1;
        inside[i] = 1; outside[i] = 0;
        const x = mask.left + mx;
        area++; sx += x; sy += y; sxx += x * x; syy += y * y; sxy += x * y;
      }
    }
    areaScale = 1;
  }
  if (area === 0) throw emptySelection(id);
  const cx = sx / area, cy = sy / area;
  const vxx = sxx / area - cx * cx, vyy = syy / area - cy * cy, vxy = sxy / area - cx * cy;
  // Eigen-decomposition of the 2×2 covariance.
  const tr = vxx + vyy, det = vxx * vyy - vxy * vxy;
  const disc = sqrt(max(0, (tr * tr) / 4 - det));
  const l1 = tr / 2 + disc, l2 = max(0, tr / 2 - disc);
  let ax = vxy, ay = l1 - vxx;
  if (hypot(ax, ay) < 1e-9) { ax = vxx >= vyy ? 1 : 0; ay = vxx >= vyy ? 0 : 1; }
  const an = hypot(ax, ay);
  const dir: Point = [ax / an, ay / an];

  // Distance to the nearest outside cell (for inside cells) and to the nearest inside cell.
  const dIn = squaredDistance(outside, gw, gh);
  // The outside field is only needed for points outside the region: computed on first use.
  let dOutCache: Float64Array | null = null;
  const dOut = (i: number): number => (dOutCache ??= squaredDistance(inside, gw, gh))[i]!;
  let maxD2 = 0;
  for (let i = 0; i < gw * gh; i++) if (inside[i] && dIn[i]! > maxD2) maxD2 = dIn[i]!;
  // A cell's distance counts cell centres; subtract half a cell so a 1-cell-wide object has depth 0.5.
  const maxDepth = max(0.5, (sqrt(maxD2) - 0.5) * step);

  const depthAt = (p: Point): number => {
    const gx = round((p[0] - mask.left) / step) + 1, gy = round((p[1] - mask.top) / step) + 1;
    if (gx < 0 || gy < 0 || gx >= gw || gy >= gh) {
      // Far outside the grid: distance to the box is a lower bound, refine with the nearest edge cell.
      const qx = min(gw - 1, max(0, gx)), qy = min(gh - 1, max(0, gy));
      return -(sqrt(dOut(qy * gw + qx)) * step + hypot(gx - qx, gy - qy) * step);
    }
    const i = gy * gw + gx;
    return inside[i] ? (sqrt(dIn[i]!) - 0.5) * step : -(sqrt(dOut(i)) - 0.5) * step;
  };

  const extentAlong = (u: Point): [number, number] => {
    let lo = INF, hi = -INF;
    for (let gy = 1; gy < gh - 1; gy++) {
      const y = mask.top + (gy - 1) * step - cy;
      for (let gx = 1; gx < gw - 1; gx++) {
        if (!inside[gy * gw + gx]) continue;
        const t = (mask.left + (gx - 1) * step - cx) * u[0] + y * u[1];
        if (t < lo) lo = t;
        if (t > hi) hi = t;
      }
    }
    return [lo, hi];
  };

  return {
    id,
    area: area * areaScale,
    centroid: [cx, cy],
    gyration: sqrt(max(0, vxx + vyy)),
    maxDepth,
    axis: { dir, major: sqrt(l1), minor: sqrt(l2) },
    depthAt,
    extentAlong,
  };
}
