/**
 * Parallel arrows on a loose selection (issue #13: "rigid things bent by the drag"). Two or more
 * arrows that point the same way with about the same length, side by side across the drag, push
 * or pull an edge: make the bench longer, the building wider, lower the hedge. Discs around each
 * target (elastic-field.ts) bend such a thing — the content between and beside the arrows lags
 * behind them. Here the displacement varies along the drag only: every line of the area parallel
 * to the drag moves like a 1-D rubber band — zero where the line leaves the area, the arrows'
 * displacement (interpolated across between the arrows, constant beyond them) on a narrow band
 * through the targets, linear in between (behind the band the content stretches, ahead of it it
 * compresses). A field that varies only along the drag shears across it and cannot fold there; a
 * line too short to take the whole displacement (near the round end of an area) moves only as
 * far as it can stretch and compress without folding, which also lets the band ease to rest at the
 * area's edge.
 */
import type { Point } from '../types';

/** Largest angle (radians) between two arrows still read as parallel arrows pushing an edge. */
export const PARALLEL_MAX_ANGLE = (25 * Math.PI) / 180;
/** Largest ratio of two arrows' lengths still read as parallel arrows pushing an edge. */
export const PARALLEL_MAX_RATIO = 1.6;
/** Largest spread of the handles across the drag, in mean arrow lengths. */
export const PARALLEL_MAX_SPREAD = 1.5;
/** Largest stretch behind the band and compression ahead of it (either way, × length). */
const MAX_STRETCH = 4;
const MAX_COMPRESSION = 5;

/**
 * Two or more moving arrows that point the same way with about the same length, their handles
 * side by side across the drag rather than one behind the other, at most
 * {@link PARALLEL_MAX_SPREAD} arrow lengths apart.
 */
export function parallelArrows(handles: readonly Point[], targets: readonly Point[]): boolean {
  const n = handles.length;
  if (n < 2) return false;
  const u = meanDirection(handles, targets);
  if (!u) return false;
  let along0 = Infinity, along1 = -Infinity, across0 = Infinity, across1 = -Infinity;
  for (let i = 0; i < n; i++) {
    const dx = targets[i]![0] - handles[i]![0], dy = targets[i]![1] - handles[i]![1], li = Math.hypot(dx, dy);
    if (li < 1e-6) return false;
    for (let j = i + 1; j < n; j++) {
      const ex = targets[j]![0] - handles[j]![0], ey = targets[j]![1] - handles[j]![1], lj = Math.hypot(ex, ey);
      if (lj < 1e-6) return false;
      if ((dx * ex + dy * ey) / (li * lj) < Math.cos(PARALLEL_MAX_ANGLE)) return false;
      if (Math.max(li, lj) > PARALLEL_MAX_RATIO * Math.min(li, lj)) return false;
    }
    const h = handles[i]!;
    const a = h[0] * u[0] + h[1] * u[1], b = -h[0] * u[1] + h[1] * u[0];
    along0 = Math.min(along0, a); along1 = Math.max(along1, a); across0 = Math.min(across0, b); across1 = Math.max(across1, b);
  }
  // Side by side across the drag, and close enough together to sit on one edge (arrows on two
  // peaks far apart raise two peaks, not the ridge between them).
  let mean = 0;
  for (let i = 0; i < n; i++) mean += Math.hypot(targets[i]![0] - handles[i]![0], targets[i]![1] - handles[i]![1]) / n;
  return across1 - across0 >= along1 - along0 && across1 - across0 <= PARALLEL_MAX_SPREAD * mean;
}

function meanDirection(handles: readonly Point[], targets: readonly Point[]): Point | null {
  let mx = 0, my = 0;
  for (let i = 0; i < handles.length; i++) {
    const dx = targets[i]![0] - handles[i]![0], dy = targets[i]![1] - handles[i]![1], l = Math.hypot(dx, dy);
    if (l > 1e-6) { mx += dx / l; my += dy / l; }
  }
  const ml = Math.hypot(mx, my);
  return ml > 1e-6 ? [mx / ml, my / ml] : null;
}

export interface BandGrid {
  /** 1 where a node may move (elastic-field.ts `freeNodes`). */
  free: Uint8Array;
  left: number;
  top: number;
  cols: number;
  rows: number;
  cell: number;
}

/**
 * The backward displacement per node of the band reading (see the module comment), or null when
 * an arrow's own line is too short to take its displacement (the caller then uses parts).
 */
export function bandField(g: BandGrid, handles: readonly Point[], targets: readonly Point[]): { vx: Float32Array; vy: Float32Array; band: Uint8Array } | null {
  const { free, left, top, cols, rows, cell } = g;
  const u = meanDirection(handles, targets);
  if (!u) return null;
  const [ux, uy] = u;
  const nx = -uy, ny = ux;
  let qx = 0, qy = 0;
  for (const t of targets) { qx += t[0]; qy += t[1]; }
  qx /= targets.length; qy /= targets.length;
  // The arrows' places across and along the drag, and their backward displacements.
  const arrows = targets.map((t, i) => ({
    t, a: (t[0] - qx) * nx + (t[1] - qy) * ny, s: (t[0] - qx) * ux + (t[1] - qy) * uy,
    dx: handles[i]![0] - t[0], dy: handles[i]![1] - t[1],
  })).sort((p, q) => p.a - q.a);
  const bandAt = (a: number, out: Float64Array): void => {
    const first = arrows[0]!, last = arrows[arrows.length - 1]!;
    if (a <= first.a) { out[0] = first.dx; out[1] = first.dy; out[2] = first.s; return; }
    if (a >= last.a) { out[0] = last.dx; out[1] = last.dy; out[2] = last.s; return; }
    for (let i = 1; i < arrows.length; i++) {
      if (a > arrows[i]!.a) continue;
      const p = arrows[i - 1]!, q = arrows[i]!, w = (a - p.a) / Math.max(1e-9, q.a - p.a);
      out[0] = p.dx + (q.dx - p.dx) * w; out[1] = p.dy + (q.dy - p.dy) * w; out[2] = p.s + (q.s - p.s) * w;
      return;
    }
  };
  const isFree = (x: number, y: number): boolean => {
    const c = Math.round((x - left) / cell), r = Math.round((y - top) / cell);
    return c >= 0 && r >= 0 && c < cols && r < rows && free[r * cols + c] === 1;
  };
  const half = Math.max(cell, 2);
  const step = cell / 2;
  const vx = new Float32Array(cols * rows), vy = new Float32Array(cols * rows), band = new Uint8Array(cols * rows);
  const b = new Float64Array(3);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const k = r * cols + c;
      if (!free[k]) continue;
      const x = left + c * cell, y = top + r * cell;
      const s = (x - qx) * ux + (y - qy) * uy, a = (x - qx) * nx + (y - qy) * ny;
      // The chord of this line inside the area: [s - back, s + fwd].
      let back = 0, fwd = 0;
      while (back < 8192 && isFree(x - ux * (back + step), y - uy * (back + step))) back += step;
      while (fwd < 8192 && isFree(x + ux * (fwd + step), y + uy * (fwd + step))) fwd += step;
      const lo = s - back - step, hi = s + fwd + step;
      bandAt(a, b);
      // The band on this line: the arrows' targets (interpolated), ± half a cell.
      const b0 = b[2]! - half, b1 = b[2]! + half;
      if (b0 <= lo || b1 >= hi) continue; // the line does not cross the band inside the area
      const d = Math.hypot(b[0]!, b[1]!);
      // Backward displacement points against the drag: content behind the band stretches over
      // [lo, b0] from [lo, b0 − d]; ahead, [b1 + d·…] compresses into [b1, hi].
      const behind = b0 - lo, ahead = hi - b1;
      let lambda = 1;
      if (d > 0) lambda = Math.min(1, (behind * (1 - 1 / MAX_STRETCH)) / d, (ahead * (MAX_COMPRESSION - 1)) / d);
      const phi = s < b0 ? (s - lo) / behind : s > b1 ? (hi - s) / ahead : 1;
      vx[k] = b[0]! * lambda * phi; vy[k] = b[1]! * lambda * phi;
      if (s >= b0 && s <= b1) band[k] = 1;
    }
  }
  // Every arrow's own line must take its whole displacement (the handle lands on the target).
  for (const ar of arrows) {
    const c = Math.round((ar.t[0] - left) / cell), r = Math.round((ar.t[1] - top) / cell);
    if (c < 0 || r < 0 || c >= cols || r >= rows) return null;
    const k = r * cols + c;
    if (Math.hypot(vx[k]! - ar.dx, vy[k]! - ar.dy) > 0.05 * Math.hypot(ar.dx, ar.dy) + 0.5) {
      return null;
    }
  }
  return { vx, vy, band };
}
