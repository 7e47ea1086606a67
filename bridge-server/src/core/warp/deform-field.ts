/**
 * The deform operation's displacement field: rigid moving least squares (Schaefer, McPhail and
 * Warren 2006, "Image deformation using moving least squares", rigid variant), built directly as a
 * BACKWARD map (target -> source) `B(t) = t + e(t)` and evaluated on a coarse grid.
 *
 * - Control points: every moving drag maps its target back to its handle; anchors (zero-length
 *   drags, and points sampled on the far part of the region boundary by the caller) map to
 *   themselves. At each grid node `v` the weighted (w_i = 1 / |p_i − v|²) best rotation + translation
 *   taking the controls' target positions to their source positions is applied to `v`, so the part
 *   around a handle moves as a rigid piece, the part near the anchors stays, and the object bends
 *   in between (as-rigid-as-possible look, no block shift).
 * - Compact support: the displacement is multiplied by a smooth falloff of the distance `d` to the
 *   nearest moving handle or target: 1 for `d ≤ r0`, smoothstep down to exactly 0 at `d = R`, with
 *   `R = max(2.5·D, 0.6·far, 1.6·r0, 8)` (`D` the longest drag, `far` the distance from the handles
 *   to the farthest region pixel, `r0` the caller's anchor distance, default `R/2`). Beyond `R` the
 *   field is exactly zero, so the far side of the region and everything else stay bit-identical.
 * - Never tearing: the field is sampled on a grid (4 px cells, 8 px when `R ≥ 48`) and interpolated
 *   bilinearly. Every cell's mapped quad must keep its orientation (corner Jacobians ≥ 0.1 of the
 *   cell area), which makes the piecewise-bilinear map locally injective; being the identity outside
 *   a compact set, it is then a bijection. If a cell folds, `R` grows (twice at most); if that is
 *   not enough, the drags are shortened to the longest fold-free fraction found by bisection (with
 *   a warning); as a last resort the deform is skipped (with a warning).
 */
import type { Point, Rect } from '../types';

/** A backward displacement field sampled on a regular grid (document coordinates). */
export interface DeformField {
  /** Document position of grid node (0, 0). */
  left: number;
  top: number;
  /** Cell size in pixels. */
  cell: number;
  cols: number;
  rows: number;
  /** Displacement (source − target) per node, row-major. */
  ex: Float32Array;
  ey: Float32Array;
  /** Support radius of the falloff (the field is zero beyond it). */
  radius: number;
  /** Largest displacement magnitude over the nodes. */
  maxDisp: number;
  /** Fraction of the requested displacement kept (1 unless folding forced a reduction). */
  strength: number;
}

/** What {@link buildDeformField} needs. */
export interface DeformFieldInput {
  /** Handle points (where content is taken from), in the space the field maps into. */
  handles: readonly Point[];
  /** Target points (where that content lands). Same length as `handles`. */
  targets: readonly Point[];
  /** Points that stay put (e.g. samples of the far part of the region boundary). */
  anchors?: readonly Point[];
  /** Distance from the handles to the farthest point of the region (sets the falloff). */
  farDistance: number;
  /** Rectangle the field may be evaluated over (e.g. the image); nodes are clipped to it ±1 cell. */
  bounds: Rect;
  /** Override the support radius (tests); default from the rule above. */
  radius?: number;
  /** Distance within which the displacement is not attenuated (where the anchors start). */
  innerRadius?: number;
}

/** The field (null when nothing moves or the deform had to be skipped) and notes for the user. */
export interface DeformFieldResult {
  field: DeformField | null;
  warnings: string[];
}

/** Smallest allowed normalised corner Jacobian (keeps every cell from collapsing). */
const MIN_JACOBIAN = 0.1;

/** Control points of the backward MLS: `p` (target space) -> `q` (source space). */
interface Controls {
  n: number;
  px: Float64Array;
  py: Float64Array;
  qx: Float64Array;
  qy: Float64Array;
  /** How many of the controls (the first ones) are moving drags; the rest are anchors. */
  moving: number;
  /** Inner radius of the falloff. */
  inner: number;
}

/**
 * Rigid MLS backward map at `(x, y)` for controls `c`, written to `out` as the displacement
 * (f(v) − v). Allocation-free.
 */
function rigidMls(c: Controls, x: number, y: number, out: Float64Array): void {
  const { n, px, py, qx, qy } = c;
  let sw = 0, spx = 0, spy = 0, sqx = 0, sqy = 0, sdot = 0, scross = 0;
  for (let i = 0; i < n; i++) {
    const dx = px[i]! - x, dy = py[i]! - y;
    const d2 = dx * dx + dy * dy;
    if (d2 < 1e-10) { out[0] = qx[i]! - px[i]!; out[1] = qy[i]! - py[i]!; return; }
    const w = 1 / d2; // α = 1
    const pxi = px[i]!, pyi = py[i]!, qxi = qx[i]!, qyi = qy[i]!;
    sw += w; spx += w * pxi; spy += w * pyi; sqx += w * qxi; sqy += w * qyi;
    sdot += w * (pxi * qxi + pyi * qyi);
    scross += w * (pxi * qyi - pyi * qxi);
  }
  const iw = 1 / sw;
  const psx = spx * iw, psy = spy * iw, qsx = sqx * iw, qsy = sqy * iw;
  // Weighted Procrustes on the centred controls: Σ w p̂·q̂ and Σ w p̂×q̂.
  const a = sdot - sw * (psx * qsx + psy * qsy);
  const b = scross - sw * (psx * qsy - psy * qsx);
  const m = Math.sqrt(a * a + b * b);
  const cs = m > 0 ? a / m : 1, sn = m > 0 ? b / m : 0;
  const vx = x - psx, vy = y - psy;
  out[0] = cs * vx - sn * vy + qsx - x;
  out[1] = sn * vx + cs * vy + qsy - y;
}

/** Evaluate the field on the grid of `f` for controls `c` and falloff radius `f.radius`. */
function evaluate(f: DeformField, c: Controls): void {
  const R = f.radius, R2 = R * R, r0 = Math.min(c.inner, 0.6 * R), span = R - r0;
  const out = new Float64Array(2);
  const { px, py, qx, qy, moving } = c;
  let maxDisp = 0;
  for (let r = 0; r < f.rows; r++) {
    const y = f.top + r * f.cell;
    for (let col = 0; col < f.cols; col++) {
      const x = f.left + col * f.cell;
      const k = r * f.cols + col;
      let d2 = R2;
      for (let i = 0; i < moving; i++) {
        const dx = px[i]! - x, dy = py[i]! - y, e = dx * dx + dy * dy;
        if (e < d2) d2 = e;
        const hx = qx[i]! - x, hy = qy[i]! - y, g = hx * hx + hy * hy;
        if (g < d2) d2 = g;
      }
      if (d2 >= R2) { f.ex[k] = 0; f.ey[k] = 0; continue; }
      const d = Math.sqrt(d2);
      let w = 1;
      if (d > r0) { const s = (d - r0) / span; w = 1 - s * s * (3 - 2 * s); }
      rigidMls(c, x, y, out);
      const ex = out[0]! * w, ey = out[1]! * w;
      f.ex[k] = ex; f.ey[k] = ey;
    }
  }
  // The grid is bilinear between nodes: nudge the 4 nodes around each moving target by the
  // residual so that the interpolated field maps every target exactly onto its handle.
  for (let i = 0; i < moving; i++) {
    sampleField(f, px[i]!, py[i]!, out);
    const rx = qx[i]! - px[i]! - out[0]!, ry = qy[i]! - py[i]! - out[1]!;
    const gx = (px[i]! - f.left) / f.cell, gy = (py[i]! - f.top) / f.cell;
    if (!(gx >= 0 && gy >= 0 && gx < f.cols - 1 && gy < f.rows - 1)) continue;
    const k = (gy | 0) * f.cols + (gx | 0);
    for (const kk of [k, k + 1, k + f.cols, k + f.cols + 1]) { f.ex[kk] = f.ex[kk]! + rx; f.ey[kk] = f.ey[kk]! + ry; }
  }
  for (let k = 0; k < f.ex.length; k++) {
    const mag = Math.sqrt(f.ex[k]! * f.ex[k]! + f.ey[k]! * f.ey[k]!);
    if (mag > maxDisp) maxDisp = mag;
  }
  f.maxDisp = maxDisp;
}

/**
 * Smallest corner Jacobian determinant (normalised by cell area) of the mapped grid quads; ≤ 0
 * means a fold. The identity gives 1.
 */
export function minCellJacobian(f: DeformField): number {
  let worst = 1;
  const { cols, rows, cell, ex, ey } = f;
  const s = cell * cell;
  for (let r = 0; r + 1 < rows; r++) {
    for (let c = 0; c + 1 < cols; c++) {
      const k00 = r * cols + c, k10 = k00 + 1, k01 = k00 + cols, k11 = k01 + 1;
      // Mapped corners relative to the identity grid: P = node + e.
      const x00 = ex[k00]!, y00 = ey[k00]!, x10 = cell + ex[k10]!, y10 = ey[k10]!;
      const x01 = ex[k01]!, y01 = cell + ey[k01]!, x11 = cell + ex[k11]!, y11 = cell + ey[k11]!;
      // Corner Jacobians of the bilinear map: cross(edge along x, edge along y) at each corner.
      const j00 = (x10 - x00) * (y01 - y00) - (y10 - y00) * (x01 - x00);
      const j10 = (x10 - x00) * (y11 - y10) - (y10 - y00) * (x11 - x10);
      const j01 = (x11 - x01) * (y01 - y00) - (y11 - y01) * (x01 - x00);
      const j11 = (x11 - x01) * (y11 - y10) - (y11 - y01) * (x11 - x10);
      const m = Math.min(j00, j10, j01, j11) / s;
      if (m < worst) worst = m;
    }
  }
  return worst;
}

/**
 * Build the backward field for one region's deform drags. Returns `field: null` when every drag
 * has zero length (nothing moves) or no fold-free field could be found (with a warning).
 */
export function buildDeformField(input: DeformFieldInput): DeformFieldResult {
  const { handles, targets, bounds } = input;
  if (handles.length !== targets.length) throw new RangeError('deform needs as many targets as handles');
  const warnings: string[] = [];
  // Moving drags (coinciding targets merged: their handles are averaged), then anchors.
  const mt: Point[] = [], mh: Point[] = [], counts: number[] = [];
  const still: Point[] = [];
  for (let i = 0; i < targets.length; i++) {
    const t = targets[i]!, h = handles[i]!;
    if (![t[0], t[1], h[0], h[1]].every(Number.isFinite)) throw new RangeError('deform points must be finite');
    if (Math.hypot(t[0] - h[0], t[1] - h[1]) < 1e-6) { still.push([h[0], h[1]]); continue; }
    const j = mt.findIndex((c) => Math.hypot(c[0] - t[0], c[1] - t[1]) < 0.5);
    if (j >= 0) {
      const n = counts[j]!;
      mh[j] = [(mh[j]![0] * n + h[0]) / (n + 1), (mh[j]![1] * n + h[1]) / (n + 1)];
      counts[j] = n + 1;
      warnings.push(`two deform drags end at (${t[0]}, ${t[1]}); their handles were averaged`);
    } else {
      mt.push([t[0], t[1]]); mh.push([h[0], h[1]]); counts.push(1);
    }
  }
  if (mt.length === 0) return { field: null, warnings };
  let dmax = 0;
  for (let i = 0; i < mt.length; i++) dmax = Math.max(dmax, Math.hypot(mh[i]![0] - mt[i]![0], mh[i]![1] - mt[i]![1]));
  // Anchors: user anchors, then the caller's, minus any too close to a moving target or handle
  // (an anchor on top of a handle would pin what must move).
  const minGap = Math.max(2, 0.25 * dmax);
  for (const a of input.anchors ?? []) {
    if (!Number.isFinite(a[0]) || !Number.isFinite(a[1])) continue;
    let near = Infinity;
    for (let i = 0; i < mt.length; i++) near = Math.min(near, Math.hypot(a[0] - mt[i]![0], a[1] - mt[i]![1]), Math.hypot(a[0] - mh[i]![0], a[1] - mh[i]![1]));
    if (near >= minGap) still.push([a[0], a[1]]);
  }
  const n = mt.length + still.length;
  const ctl: Controls = {
    n, moving: mt.length, inner: 0,
    px: new Float64Array(n), py: new Float64Array(n), qx: new Float64Array(n), qy: new Float64Array(n),
  };
  const setControls = (strength: number): void => {
    for (let i = 0; i < mt.length; i++) {
      const t = mt[i]!, h = mh[i]!;
      ctl.px[i] = h[0] + (t[0] - h[0]) * strength; ctl.py[i] = h[1] + (t[1] - h[1]) * strength;
      ctl.qx[i] = h[0]; ctl.qy[i] = h[1];
    }
    for (let j = 0; j < still.length; j++) {
      const i = mt.length + j;
      ctl.px[i] = still[j]![0]; ctl.py[i] = still[j]![1]; ctl.qx[i] = still[j]![0]; ctl.qy[i] = still[j]![1];
    }
  };

  let radius = input.radius ?? Math.max(2.5 * dmax, 0.6 * input.farDistance, 1.6 * (input.innerRadius ?? 0), 8);
  ctl.inner = input.innerRadius ?? radius / 2;
  const make = (R: number): DeformField => {
    const cell = R >= 48 ? 8 : 4;
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (let i = 0; i < ctl.moving; i++) {
      for (const [x, y] of [[ctl.px[i]!, ctl.py[i]!], [ctl.qx[i]!, ctl.qy[i]!]] as const) {
        x0 = Math.min(x0, x - R); y0 = Math.min(y0, y - R); x1 = Math.max(x1, x + R); y1 = Math.max(y1, y + R);
      }
    }
    // Clip to bounds ± one cell; outside the grid the field is the identity.
    x0 = Math.max(x0, bounds.left - cell); y0 = Math.max(y0, bounds.top - cell);
    x1 = Math.min(x1, bounds.left + bounds.width + cell); y1 = Math.min(y1, bounds.top + bounds.height + cell);
    const left = Math.floor(x0 / cell) * cell - cell, top = Math.floor(y0 / cell) * cell - cell;
    const cols = Math.max(2, Math.ceil((x1 - left) / cell) + 2), rows = Math.max(2, Math.ceil((y1 - top) / cell) + 2);
    const f: DeformField = {
      left, top, cell, cols, rows, ex: new Float32Array(cols * rows), ey: new Float32Array(cols * rows),
      radius: R, maxDisp: 0, strength: 1,
    };
    evaluate(f, ctl);
    return f;
  };

  setControls(1);
  let field = make(radius);
  let ok = minCellJacobian(field) > MIN_JACOBIAN;
  // Widen the falloff first (keeps the handle on its target; helps when the taper folds) ...
  const radius0 = radius;
  for (let it = 0; !ok && it < 2; it++) {
    radius *= 1.35;
    field = make(radius);
    ok = minCellJacobian(field) > MIN_JACOBIAN;
    if (ok) warnings.push(`deform falloff widened to ${radius.toFixed(0)} px to avoid folding`);
  }
  // ... then shorten the drags: bisection for the longest fold-free fraction (at the first radius).
  if (!ok) {
    radius = radius0;
    let lo = 0, hi = 1, best: DeformField | null = null;
    for (let it = 0; it < 6; it++) {
      const mid = (lo + hi) / 2;
      setControls(mid);
      const f = make(radius);
      f.strength = mid;
      if (minCellJacobian(f) > MIN_JACOBIAN) { lo = mid; best = f; } else hi = mid;
    }
    if (best) {
      field = best; ok = true;
      warnings.push(`deform shortened to ${(best.strength * 100).toFixed(0)}% of the drag to avoid tearing`);
    }
  }
  if (!ok) {
    warnings.push('deform could not be made fold-free; it was skipped');
    return { field: null, warnings };
  }
  return { field, warnings };
}

/**
 * Bilinear lookup of the field at document position `(x, y)`; writes the displacement to
 * `out[0..1]` (zero outside the grid).
 */
export function sampleField(f: DeformField, x: number, y: number, out: Float64Array): void {
  const gx = (x - f.left) / f.cell, gy = (y - f.top) / f.cell;
  if (!(gx >= 0 && gy >= 0 && gx < f.cols - 1 && gy < f.rows - 1)) { out[0] = 0; out[1] = 0; return; }
  const c = gx | 0, r = gy | 0;
  const fx = gx - c, fy = gy - r;
  const k = r * f.cols + c, k2 = k + f.cols;
  const w00 = (1 - fx) * (1 - fy), w10 = fx * (1 - fy), w01 = (1 - fx) * fy, w11 = fx * fy;
  out[0] = f.ex[k]! * w00 + f.ex[k + 1]! * w10 + f.ex[k2]! * w01 + f.ex[k2 + 1]! * w11;
  out[1] = f.ey[k]! * w00 + f.ey[k + 1]! * w10 + f.ey[k2]! * w01 + f.ey[k2 + 1]! * w11;
}
