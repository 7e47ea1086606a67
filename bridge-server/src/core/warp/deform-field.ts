/**
 * The deform operation's smooth displacement field, built directly as a BACKWARD map
 * (target -> source): `B(t) = t + e(t)`, where `e` interpolates `handle_i − target_i` at each
 * target point with compactly supported Wendland C2 radial basis functions of radius `R`.
 *
 * - Compact support: beyond `R` from every target, `e = 0` exactly, so the far side of the region
 *   (and everything else) stays bit-identical. `R = max(2.5·D, 0.6·far)` where `D` is the longest
 *   drag and `far` the distance from the handle to the farthest region pixel: the falloff spans
 *   most of the object, so it bends smoothly, while its far side stays put.
 * - Zero-length drags are anchors (`e = 0` at that point).
 * - Never tearing: the field is evaluated on a coarse grid (4–8 px cells) and interpolated
 *   bilinearly. Every grid cell's mapped quad is checked to keep its orientation (strictly
 *   positive corner Jacobians), which makes the piecewise-bilinear map locally injective; being
 *   the identity outside a compact set, it is then a bijection. If a cell folds, `R` grows; if
 *   that is not enough, the displacement is scaled down (with a warning).
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
  /** Support radius of the basis functions. */
  radius: number;
  /** Largest displacement magnitude over the nodes. */
  maxDisp: number;
  /** Fraction of the requested displacement kept (1 unless folding forced a reduction). */
  strength: number;
}

export interface DeformFieldInput {
  /** Handle points (where content is taken from), in the space the field maps into. */
  handles: readonly Point[];
  /** Target points (where that content lands). Same length as `handles`. */
  targets: readonly Point[];
  /** Distance from the handles to the farthest point of the region (sets the falloff). */
  farDistance: number;
  /** Rectangle the field may be evaluated over (e.g. the image); nodes are clipped to it ±1 cell. */
  bounds: Rect;
  /** Override the support radius (tests); default from the rule above. */
  radius?: number;
}

export interface DeformFieldResult {
  field: DeformField | null;
  warnings: string[];
}

/** Wendland C2: (1 − r)^4 (4r + 1) for r < 1, else 0. Positive definite in 2-D. */
function wendland(r: number): number {
  if (r >= 1) return 0;
  const s = 1 - r, s2 = s * s;
  return s2 * s2 * (4 * r + 1);
}

/** Solve `A x = b` in place for two right-hand sides (Gaussian elimination, partial pivoting). */
function solve2(n: number, a: Float64Array, bx: Float64Array, by: Float64Array): boolean {
  for (let k = 0; k < n; k++) {
    let piv = k, best = Math.abs(a[k * n + k]!);
    for (let i = k + 1; i < n; i++) {
      const v = Math.abs(a[i * n + k]!);
      if (v > best) { best = v; piv = i; }
    }
    if (best < 1e-12) return false;
    if (piv !== k) {
      for (let j = 0; j < n; j++) {
        const t = a[k * n + j]!; a[k * n + j] = a[piv * n + j]!; a[piv * n + j] = t;
      }
      let t = bx[k]!; bx[k] = bx[piv]!; bx[piv] = t;
      t = by[k]!; by[k] = by[piv]!; by[piv] = t;
    }
    const d = a[k * n + k]!;
    for (let i = k + 1; i < n; i++) {
      const f = a[i * n + k]! / d;
      if (f === 0) continue;
      for (let j = k; j < n; j++) a[i * n + j] = a[i * n + j]! - f * a[k * n + j]!;
      bx[i] = bx[i]! - f * bx[k]!;
      by[i] = by[i]! - f * by[k]!;
    }
  }
  for (let i = n - 1; i >= 0; i--) {
    let sx = bx[i]!, sy = by[i]!;
    for (let j = i + 1; j < n; j++) { sx -= a[i * n + j]! * bx[j]!; sy -= a[i * n + j]! * by[j]!; }
    bx[i] = sx / a[i * n + i]!;
    by[i] = sy / a[i * n + i]!;
  }
  return true;
}

/** Evaluate the RBF field on the grid; returns false if the interpolation system is singular. */
function evaluate(
  f: DeformField, centres: readonly Point[], vx: readonly number[], vy: readonly number[], strength: number,
): boolean {
  const n = centres.length, R = f.radius;
  const a = new Float64Array(n * n), wx = new Float64Array(n), wy = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    wx[i] = vx[i]! * strength; wy[i] = vy[i]! * strength;
    for (let j = 0; j < n; j++) {
      a[i * n + j] = wendland(Math.hypot(centres[i]![0] - centres[j]![0], centres[i]![1] - centres[j]![1]) / R);
    }
  }
  if (!solve2(n, a, wx, wy)) return false;
  let maxDisp = 0;
  for (let r = 0; r < f.rows; r++) {
    const y = f.top + r * f.cell;
    for (let c = 0; c < f.cols; c++) {
      const x = f.left + c * f.cell;
      let ex = 0, ey = 0;
      for (let i = 0; i < n; i++) {
        const dx = x - centres[i]![0], dy = y - centres[i]![1];
        const d2 = dx * dx + dy * dy;
        if (d2 >= R * R) continue;
        const phi = wendland(Math.sqrt(d2) / R);
        ex += wx[i]! * phi; ey += wy[i]! * phi;
      }
      const k = r * f.cols + c;
      f.ex[k] = ex; f.ey[k] = ey;
      const m = Math.hypot(ex, ey);
      if (m > maxDisp) maxDisp = m;
    }
  }
  f.maxDisp = maxDisp;
  f.strength = strength;
  return true;
}

/**
 * Smallest corner Jacobian determinant (normalised by cell area) of the mapped grid quads; ≤ 0
 * means a fold. The identity gives 1.
 */
export function minCellJacobian(f: DeformField): number {
  let worst = Infinity;
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
  return worst === Infinity ? 1 : worst;
}

/** Smallest allowed normalised corner Jacobian (keeps every cell from collapsing). */
const MIN_JACOBIAN = 0.1;

/**
 * Build the backward field for one region's deform drags. Returns `field: null` when every drag
 * has zero length (nothing moves).
 */
export function buildDeformField(input: DeformFieldInput): DeformFieldResult {
  const { handles, targets, bounds } = input;
  if (handles.length !== targets.length) throw new RangeError('deform needs as many targets as handles');
  const warnings: string[] = [];
  // Merge targets that coincide (the system would be singular): average their handles.
  const centres: Point[] = [], vx: number[] = [], vy: number[] = [], counts: number[] = [];
  for (let i = 0; i < targets.length; i++) {
    const t = targets[i]!, h = handles[i]!;
    if (![t[0], t[1], h[0], h[1]].every(Number.isFinite)) throw new RangeError('deform points must be finite');
    const j = centres.findIndex((c) => Math.hypot(c[0] - t[0], c[1] - t[1]) < 0.5);
    if (j >= 0) {
      const n = counts[j]!;
      vx[j] = (vx[j]! * n + (h[0] - t[0])) / (n + 1);
      vy[j] = (vy[j]! * n + (h[1] - t[1])) / (n + 1);
      counts[j] = n + 1;
      warnings.push(`two deform drags end at (${t[0]}, ${t[1]}); their handles were averaged`);
    } else {
      centres.push([t[0], t[1]]); vx.push(h[0] - t[0]); vy.push(h[1] - t[1]); counts.push(1);
    }
  }
  let dmax = 0;
  for (let i = 0; i < centres.length; i++) dmax = Math.max(dmax, Math.hypot(vx[i]!, vy[i]!));
  if (dmax === 0) return { field: null, warnings };

  let radius = input.radius ?? Math.max(2.5 * dmax, 0.6 * input.farDistance, 8);
  const make = (R: number): DeformField => {
    const cell = R >= 48 ? 8 : 4;
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (const [x, y] of centres) {
      x0 = Math.min(x0, x - R); y0 = Math.min(y0, y - R); x1 = Math.max(x1, x + R); y1 = Math.max(y1, y + R);
    }
    // Clip to bounds ± one cell; outside the grid the field is the identity.
    x0 = Math.max(x0, bounds.left - cell); y0 = Math.max(y0, bounds.top - cell);
    x1 = Math.min(x1, bounds.left + bounds.width + cell); y1 = Math.min(y1, bounds.top + bounds.height + cell);
    const left = Math.floor(x0 / cell) * cell - cell, top = Math.floor(y0 / cell) * cell - cell;
    const cols = Math.max(2, Math.ceil((x1 - left) / cell) + 2), rows = Math.max(2, Math.ceil((y1 - top) / cell) + 2);
    return {
      left, top, cell, cols, rows, ex: new Float32Array(cols * rows), ey: new Float32Array(cols * rows),
      radius: R, maxDisp: 0, strength: 1,
    };
  };

  let field = make(radius);
  let ok = evaluate(field, centres, vx, vy, 1) && minCellJacobian(field) > MIN_JACOBIAN;
  // Widen the falloff first (keeps the handle on its target) ...
  for (let it = 0; !ok && it < 6; it++) {
    radius *= 1.35;
    field = make(radius);
    ok = evaluate(field, centres, vx, vy, 1) && minCellJacobian(field) > MIN_JACOBIAN;
    if (ok) warnings.push(`deform falloff widened to ${radius.toFixed(0)} px to avoid folding`);
  }
  // ... then, as a last resort, shorten the drags.
  let strength = 1;
  for (let it = 0; !ok && it < 12; it++) {
    strength *= 0.8;
    ok = evaluate(field, centres, vx, vy, strength) && minCellJacobian(field) > MIN_JACOBIAN;
    if (ok) warnings.push(`deform shortened to ${(strength * 100).toFixed(0)}% of the drag to avoid tearing`);
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
  const c = Math.floor(gx), r = Math.floor(gy);
  if (!(c >= 0 && r >= 0 && c < f.cols - 1 && r < f.rows - 1)) { out[0] = 0; out[1] = 0; return; }
  const fx = gx - c, fy = gy - r;
  const k = r * f.cols + c, k2 = k + f.cols;
  const w00 = (1 - fx) * (1 - fy), w10 = fx * (1 - fy), w01 = (1 - fx) * fy, w11 = fx * fy;
  out[0] = f.ex[k]! * w00 + f.ex[k + 1]! * w10 + f.ex[k2]! * w01 + f.ex[k2 + 1]! * w11;
  out[1] = f.ey[k]! * w00 + f.ey[k + 1]! * w10 + f.ey[k2]! * w01 + f.ey[k2 + 1]! * w11;
}
