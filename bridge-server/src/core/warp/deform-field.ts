/**
 * The deform operation's displacement field: rigid moving least squares (Schaefer, McPhail and
 * Warren 2006, "Image deformation using moving least squares", rigid variant), built FORWARD
 * (source -> target) on a coarse grid and inverted numerically into the BACKWARD map
 * (target -> source) `B(t) = t + e(t)` that the renderer samples.
 *
 * - Control points: every moving drag maps its handle to its target; anchors (zero-length drags,
 *   and points sampled on the far part of the region boundary by the caller) map to themselves.
 *   At each grid node `v` the weighted (w_i = 1 / |p_i − v|²) best rotation + translation taking
 *   the controls' source positions to their target positions is applied to `v`, so the part
 *   around a handle moves as a rigid piece, the part near the anchors stays, and the object
 *   bends or stretches in between (as-rigid-as-possible look, no block shift). Built forward, a
 *   "make it taller" pull is an expansion between the handle and the anchors (never a fold);
 *   built backward it would be a compression that folds.
 * - Compact support: the displacement is multiplied by a smooth falloff of the distance `d` to the
 *   nearest moving handle or target: 1 for `d ≤ r0`, smoothstep down to exactly 0 at `d = R`, with
 *   `R = max(2.5·D, 0.6·far, 1.6·r0, 8)` (`D` the longest drag, `far` the distance from the handles
 *   to the farthest region pixel, `r0` the caller's anchor distance, default `R/2`) and
 *   `r0 ≤ min(0.6·R, R − 1.75·D)`, so the space in front of a pulled tip (squeezed by `D` over the
 *   falloff) keeps a positive Jacobian. Beyond `R` the field is exactly zero, so the far side of
 *   the region and everything else stay bit-identical.
 * - Inversion: per backward grid node `y`, Newton iterations `x ← x − J⁻¹(F(x) − y)` on the
 *   piecewise-bilinear forward grid (with backtracking), seeded from the neighbouring node's
 *   inverse (row-incremental) or `y − e_F(y)`. A node whose forward displacement is exactly zero
 *   is its own preimage (the map is a bijection), so the zero region stays exactly zero.
 * - Grid extent: only what can be rendered. The backward grid covers the image (`bounds`) and a
 *   few cells around it, clipped to the support; the forward grid covers that and, per side, as
 *   much more as the inversion needs: a side is far enough out once its mapped edge stays clear of
 *   the backward grid (and the mapped boundary winds once around it), so every backward node has
 *   exactly one preimage inside (degree argument; the forward grid is locally injective). A long
 *   drag on a thin image therefore costs its pixels, not (drag length)²; a grid still above
 *   {@link MAX_NODES_FLOOR} and {@link MAX_NODES_PER_RENDERED} × the backward grid gets coarser
 *   cells. Nodes are the support grid's (multiples of the cell): forward values do not depend on
 *   the extent, backward ones only through the Newton seeds at the grid's edge (within the
 *   inversion's tolerance, a few cells outside the rendered pixels).
 * - Never tearing: every forward cell's mapped quad must keep its orientation (corner Jacobians
 *   ≥ 0.1 of the cell area), which makes the piecewise-bilinear map locally injective; being the
 *   identity outside a compact set, it is then a bijection. The backward grid is checked for
 *   orientation too. If a check fails, `R` grows (twice at most); if that is not enough, the drags
 *   are shortened to the longest fold-free fraction found by bisection (with a warning); as a
 *   last resort the deform is skipped (with a warning).
 */
import type { Point, Rect } from '../types';
import { saidLength, saidPoint, type PixelUnits } from '../plan/units';

/** A deform field sampled on a regular grid (document coordinates). */
export interface DeformField {
  /** Document position of grid node (0, 0). */
  left: number;
  top: number;
  /** Cell size in pixels. */
  cell: number;
  cols: number;
  rows: number;
  /** Backward displacement (source − target) per node, row-major; nodes are target positions. */
  ex: Float32Array;
  ey: Float32Array;
  /** Forward displacement (target − source) per node, row-major; nodes are source positions. */
  fx: Float32Array;
  fy: Float32Array;
  /** Support radius of the falloff (the field is zero beyond it). */
  radius: number;
  /** Largest backward displacement magnitude over the nodes. */
  maxDisp: number;
  /** Fraction of the requested displacement kept (1 unless folding forced a reduction). */
  strength: number;
  /**
   * Occlusion seams (elastic-occlusion.ts), per cell ((cols − 1) × (rows − 1), row-major): 1 where
   * the backward displacement jumps between the cell's corners (one part's edge over what it
   * covers). The renderer does not interpolate across such a jump (it would show a hairline of the
   * hidden content): each pixel uses the corners on the same side as its nearest corner.
   */
  seam?: Uint8Array;
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
  /**
   * What can be rendered (the image): the returned field's grid covers this rectangle (and a few
   * cells around it) where the support reaches it, and nothing much farther; the field is zero
   * (unsampled) beyond its grid. The forward grid used for the inversion extends past it only as
   * far as preimages of the covered nodes can lie.
   */
  bounds: Rect;
  /** Override the support radius (tests); default from the rule above. */
  radius?: number;
  /** Distance within which the displacement is not attenuated (where the anchors start). */
  innerRadius?: number;
  /** Grid cell in pixels; default 4 (8 when `R ≥ 48`). Coarser is faster (e.g. for previews). */
  cell?: number;
  /** The request's pixels against the document's (plan/units.ts; default the same): the warnings say positions and lengths in document pixels. */
  units?: PixelUnits;
}

/** The field (null when nothing moves or the deform had to be skipped) and notes for the user. */
export interface DeformFieldResult {
  field: DeformField | null;
  warnings: string[];
}

/** Smallest allowed normalised corner Jacobian (keeps every cell from collapsing). */
export const MIN_JACOBIAN = 0.1;
/** Smallest falloff span (R − r0) in drag lengths: smoothstep's steepest slope is 1.5 / span. */
const MIN_SPAN_PER_DRAG = 1.75;
/** Total MLS weight of the anchors, in points (see buildDeformField). */
const ANCHOR_GROUP = 4;
/** Newton inversion: iteration cap, backtracking halvings, residual tolerance (px). */
const NEWTON_ITERATIONS = 40;
const NEWTON_BACKTRACK = 8;
const NEWTON_TOLERANCE = 1e-4;
/** A node whose inverse residual stays above this (px) is treated as a failure (fold). */
const NEWTON_FAIL = 0.05;
/**
 * Grid extent (see the module comment): pixels of reach around `bounds` (bicubic taps,
 * supersampling, the caller's forward bounds of the source rectangle) plus whole cells, and the
 * forward grid's first margin and clearance, in cells.
 */
const RENDER_PAD_PX = 4;
const RENDER_PAD_CELLS = 2;
const FORWARD_MARGIN_CELLS = 4;
const FORWARD_CLEARANCE_CELLS = 2;
/** Node budget of the forward grid: cells double while it holds more than both of these. */
export const MAX_NODES_FLOOR = 1 << 18;
export const MAX_NODES_PER_RENDERED = 8;

/** Control points of the forward MLS: `p` (source space) -> `q` (target space). */
export interface Controls {
  n: number;
  px: Float64Array;
  py: Float64Array;
  qx: Float64Array;
  qy: Float64Array;
  /** Weight factor per control (1 for moving drags, shared by the anchors as a group). */
  ws: Float64Array;
  /** How many of the controls (the first ones) are moving drags; the rest are anchors. */
  moving: number;
  /** Inner radius of the falloff. */
  inner: number;
  /** Longest (strength-scaled) moving drag. */
  drag: number;
}

/**
 * Rigid MLS map at `(x, y)` for controls `c`, written to `out` as the displacement (f(v) − v).
 * Allocation-free.
 */
export function rigidMls(c: Controls, x: number, y: number, out: Float64Array): void {
  const { n, px, py, qx, qy, ws } = c;
  let sw = 0, spx = 0, spy = 0, sqx = 0, sqy = 0, sdot = 0, scross = 0;
  for (let i = 0; i < n; i++) {
    const pxi = px[i]!, pyi = py[i]!;
    const dx = pxi - x, dy = pyi - y;
    const d2 = dx * dx + dy * dy;
    if (d2 < 1e-10) { out[0] = qx[i]! - pxi; out[1] = qy[i]! - pyi; return; }
    const w = ws[i]! / d2; // α = 1
    const qxi = qx[i]!, qyi = qy[i]!;
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

/** Bilinear lookup of a node array pair at document `(x, y)` (zero outside the grid). */
function lookup(f: DeformField, ax: Float32Array, ay: Float32Array, x: number, y: number, out: Float64Array): void {
  const gx = (x - f.left) / f.cell, gy = (y - f.top) / f.cell;
  if (!(gx >= 0 && gy >= 0 && gx < f.cols - 1 && gy < f.rows - 1)) { out[0] = 0; out[1] = 0; return; }
  const c = gx | 0, r = gy | 0;
  const tx = gx - c, ty = gy - r;
  const k = r * f.cols + c, k2 = k + f.cols;
  const w00 = (1 - tx) * (1 - ty), w10 = tx * (1 - ty), w01 = (1 - tx) * ty, w11 = tx * ty;
  out[0] = ax[k]! * w00 + ax[k + 1]! * w10 + ax[k2]! * w01 + ax[k2 + 1]! * w11;
  out[1] = ay[k]! * w00 + ay[k + 1]! * w10 + ay[k2]! * w01 + ay[k2 + 1]! * w11;
}

/**
 * Nudge the 4 nodes around each point `p_i` by the residual so that the bilinear field maps `p_i`
 * exactly by `q_i − p_i` (the grid is bilinear between nodes; the exact value is only at nodes).
 */
export function pinPoints(
  f: DeformField, ax: Float32Array, ay: Float32Array, n: number,
  px: Float64Array, py: Float64Array, qx: Float64Array, qy: Float64Array, out: Float64Array,
): void {
  for (let i = 0; i < n; i++) {
    lookup(f, ax, ay, px[i]!, py[i]!, out);
    const rx = qx[i]! - px[i]! - out[0]!, ry = qy[i]! - py[i]! - out[1]!;
    const gx = (px[i]! - f.left) / f.cell, gy = (py[i]! - f.top) / f.cell;
    if (!(gx >= 0 && gy >= 0 && gx < f.cols - 1 && gy < f.rows - 1)) continue;
    const k = (gy | 0) * f.cols + (gx | 0), k2 = k + f.cols;
    ax[k] = ax[k]! + rx; ay[k] = ay[k]! + ry; ax[k + 1] = ax[k + 1]! + rx; ay[k + 1] = ay[k + 1]! + ry;
    ax[k2] = ax[k2]! + rx; ay[k2] = ay[k2]! + ry; ax[k2 + 1] = ax[k2 + 1]! + rx; ay[k2 + 1] = ay[k2 + 1]! + ry;
  }
}

/** Inner radius of the falloff for support radius `R` (see the module comment). */
function innerRadius(c: Controls, R: number): number {
  return Math.max(0, Math.min(c.inner, 0.6 * R, R - MIN_SPAN_PER_DRAG * c.drag));
}

/**
 * Forward displacement (falloff × rigid MLS) at node `(x, y)` for support radius `R` and inner
 * radius `r0`, written to `out[0..1]` (before the Float32 store and the pins).
 */
function forwardNode(c: Controls, R: number, r0: number, x: number, y: number, out: Float64Array): void {
  const R2 = R * R, r02 = r0 * r0, span = R - r0;
  const { px, py, qx, qy, moving } = c;
  let d2 = R2;
  for (let i = 0; i < moving; i++) {
    const dx = px[i]! - x, dy = py[i]! - y, e = dx * dx + dy * dy;
    if (e < d2) d2 = e;
    const hx = qx[i]! - x, hy = qy[i]! - y, g = hx * hx + hy * hy;
    if (g < d2) d2 = g;
  }
  if (d2 >= R2) { out[0] = 0; out[1] = 0; return; }
  let w = 1;
  if (d2 > r02) { const s = (Math.sqrt(d2) - r0) / span; w = 1 - s * s * (3 - 2 * s); }
  rigidMls(c, x, y, out);
  out[0] = out[0]! * w; out[1] = out[1]! * w;
}

/** Evaluate the forward field on the grid of `f` for controls `c` and falloff radius `f.radius`. */
function evaluateForward(f: DeformField, c: Controls, out: Float64Array): void {
  const R = f.radius, r0 = innerRadius(c, R);
  const { px, py, qx, qy, moving, n } = c;
  const { fx, fy, cols, rows, cell, left, top } = f;
  for (let r = 0; r < rows; r++) {
    const y = top + r * cell;
    for (let col = 0; col < cols; col++) {
      const x = left + col * cell;
      const k = r * cols + col;
      forwardNode(c, R, r0, x, y, out);
      fx[k] = out[0]!; fy[k] = out[1]!;
    }
  }
  pinPoints(f, fx, fy, n > moving ? moving : n, px, py, qx, qy, out);
}

/**
 * Forward map on the bilinear grid at `(x, y)`: writes `F(x, y)` to `o[0..1]` and its Jacobian
 * `[∂Fx/∂x, ∂Fx/∂y, ∂Fy/∂x, ∂Fy/∂y]` to `o[2..5]` (identity outside the grid).
 */
function forwardAt(f: DeformField, x: number, y: number, o: Float64Array): void {
  const gx = (x - f.left) / f.cell, gy = (y - f.top) / f.cell;
  if (!(gx >= 0 && gy >= 0 && gx < f.cols - 1 && gy < f.rows - 1)) {
    o[0] = x; o[1] = y; o[2] = 1; o[3] = 0; o[4] = 0; o[5] = 1;
    return;
  }
  const c = gx | 0, r = gy | 0;
  const tx = gx - c, ty = gy - r, ux = 1 - tx, uy = 1 - ty;
  const k = r * f.cols + c, k2 = k + f.cols;
  const fx = f.fx, fy = f.fy, ic = 1 / f.cell;
  const a00 = fx[k]!, a10 = fx[k + 1]!, a01 = fx[k2]!, a11 = fx[k2 + 1]!;
  const b00 = fy[k]!, b10 = fy[k + 1]!, b01 = fy[k2]!, b11 = fy[k2 + 1]!;
  o[0] = x + (a00 * ux + a10 * tx) * uy + (a01 * ux + a11 * tx) * ty;
  o[1] = y + (b00 * ux + b10 * tx) * uy + (b01 * ux + b11 * tx) * ty;
  o[2] = 1 + ((a10 - a00) * uy + (a11 - a01) * ty) * ic;
  o[3] = ((a01 - a00) * ux + (a11 - a10) * tx) * ic;
  o[4] = ((b10 - b00) * uy + (b11 - b01) * ty) * ic;
  o[5] = 1 + ((b01 - b00) * ux + (b11 - b10) * tx) * ic;
}

/**
 * Solve `F(x) = (yx, yy)` by damped Newton from the seed in `s[0..1]`; the solution replaces the
 * seed. Returns the final residual (px). `o` is scratch (6).
 */
function invertAt(f: DeformField, yx: number, yy: number, s: Float64Array, o: Float64Array): number {
  let x = s[0]!, y = s[1]!;
  forwardAt(f, x, y, o);
  let rx = o[0]! - yx, ry = o[1]! - yy, err = Math.sqrt(rx * rx + ry * ry);
  for (let it = 0; it < NEWTON_ITERATIONS && err > NEWTON_TOLERANCE; it++) {
    const j11 = o[2]!, j12 = o[3]!, j21 = o[4]!, j22 = o[5]!;
    const det = j11 * j22 - j12 * j21;
    let dx = rx, dy = ry; // fixed-point step when the Jacobian is degenerate
    if (det > 1e-9) { dx = (j22 * rx - j12 * ry) / det; dy = (j11 * ry - j21 * rx) / det; }
    let lam = 1, accepted = false;
    for (let bt = 0; bt < NEWTON_BACKTRACK; bt++) {
      const nx = x - lam * dx, ny = y - lam * dy;
      forwardAt(f, nx, ny, o);
      const nrx = o[0]! - yx, nry = o[1]! - yy, nerr = Math.sqrt(nrx * nrx + nry * nry);
      if (nerr < err) { x = nx; y = ny; rx = nrx; ry = nry; err = nerr; accepted = true; break; }
      lam *= 0.5;
    }
    if (!accepted) break;
  }
  s[0] = x; s[1] = y;
  return err;
}

/**
 * Fill the backward grid (`ex`, `ey`) of `f` by inverting its forward grid node by node, then pin
 * the targets onto their handles. Returns false when some node does not converge. The forward map
 * is read from `fwd` (default `f` itself): a larger grid on the same nodes (same cell, node
 * positions multiples of it) whose values `f.fx`, `f.fy` repeat where the two overlap.
 */
export function invertField(f: DeformField, c: Controls, out: Float64Array, fwd: DeformField = f): boolean {
  const { cols, rows, cell, left, top, fx, fy, ex, ey } = f;
  const seed = new Float64Array(2), o = new Float64Array(6);
  for (let r = 0; r < rows; r++) {
    const y = top + r * cell;
    let prevSolved = false;
    for (let col = 0; col < cols; col++) {
      const k = r * cols + col;
      const x = left + col * cell;
      if (fx[k] === 0 && fy[k] === 0) {
        // F(node) = node and F is a bijection: the node is its own preimage.
        ex[k] = 0; ey[k] = 0; prevSolved = false;
        continue;
      }
      // Seed: the neighbour's backward displacement (left, else above), else −e_F(y).
      if (prevSolved) { seed[0] = x + ex[k - 1]!; seed[1] = y + ey[k - 1]!; }
      else if (r > 0 && (ex[k - cols] !== 0 || ey[k - cols] !== 0)) { seed[0] = x + ex[k - cols]!; seed[1] = y + ey[k - cols]!; }
      else { seed[0] = x - fx[k]!; seed[1] = y - fy[k]!; }
      let err = invertAt(fwd, x, y, seed, o);
      if (err > NEWTON_FAIL) { seed[0] = x - fx[k]!; seed[1] = y - fy[k]!; err = invertAt(fwd, x, y, seed, o); }
      if (err > NEWTON_FAIL) return false;
      ex[k] = seed[0]! - x; ey[k] = seed[1]! - y;
      prevSolved = true;
    }
  }
  // Pin the backward grid so that every (moving) target maps exactly onto its handle.
  pinPoints(f, ex, ey, c.moving, c.qx, c.qy, c.px, c.py, out);
  let maxDisp = 0;
  for (let k = 0; k < ex.length; k++) {
    const m2 = ex[k]! * ex[k]! + ey[k]! * ey[k]!;
    if (m2 > maxDisp) maxDisp = m2;
  }
  f.maxDisp = Math.sqrt(maxDisp);
  return true;
}

/** Smallest normalised corner Jacobian of the grid quads displaced by `(ax, ay)`. */
function minJacobian(cols: number, rows: number, cell: number, ax: Float32Array, ay: Float32Array): number {
  let worst = 1;
  const s = 1 / (cell * cell);
  for (let r = 0; r + 1 < rows; r++) {
    for (let c = 0; c + 1 < cols; c++) {
      const k00 = r * cols + c, k10 = k00 + 1, k01 = k00 + cols, k11 = k01 + 1;
      const e00 = ax[k00]!, e10 = ax[k10]!, e01 = ax[k01]!, e11 = ax[k11]!;
      const g00 = ay[k00]!, g10 = ay[k10]!, g01 = ay[k01]!, g11 = ay[k11]!;
      if (e00 === 0 && e10 === 0 && e01 === 0 && e11 === 0 && g00 === 0 && g10 === 0 && g01 === 0 && g11 === 0) continue;
      // Mapped corners relative to the identity grid: P = node + e.
      const x00 = e00, y00 = g00, x10 = cell + e10, y10 = g10;
      const x01 = e01, y01 = cell + g01, x11 = cell + e11, y11 = cell + g11;
      // Corner Jacobians of the bilinear map: cross(edge along x, edge along y) at each corner.
      const j00 = (x10 - x00) * (y01 - y00) - (y10 - y00) * (x01 - x00);
      const j10 = (x10 - x00) * (y11 - y10) - (y10 - y00) * (x11 - x10);
      const j01 = (x11 - x01) * (y01 - y00) - (y11 - y01) * (x01 - x00);
      const j11 = (x11 - x01) * (y11 - y10) - (y11 - y01) * (x11 - x10);
      let m = j00 < j10 ? j00 : j10;
      if (j01 < m) m = j01;
      if (j11 < m) m = j11;
      m *= s;
      if (m < worst) worst = m;
    }
  }
  return worst;
}

/**
 * Smallest corner Jacobian determinant (normalised by cell area) of the mapped grid quads of the
 * BACKWARD field; ≤ 0 means a fold. The identity gives 1.
 */
export function minCellJacobian(f: DeformField): number {
  return minJacobian(f.cols, f.rows, f.cell, f.ex, f.ey);
}

/** Same as {@link minCellJacobian} for the FORWARD field. */
export function minForwardJacobian(f: DeformField): number {
  return minJacobian(f.cols, f.rows, f.cell, f.fx, f.fy);
}

/** Columns `[c0, c1]` and rows `[r0, r1]` (inclusive) of the support grid. */
interface GridWindow { c0: number; c1: number; r0: number; r1: number }

/** Forward displacement at node (column `c`, row `r`) of the support grid, written to `out[0..1]`. */
type NodeDisplacement = (c: number, r: number, out: Float64Array) => void;

/** Whether segment `(ax, ay)–(bx, by)` meets the rectangle `[x0, x1] × [y0, y1]` (Liang–Barsky). */
function segmentMeetsRect(ax: number, ay: number, bx: number, by: number, x0: number, y0: number, x1: number, y1: number): boolean {
  let t0 = 0, t1 = 1;
  const dx = bx - ax, dy = by - ay;
  const clip = (p: number, q: number): boolean => {
    if (p === 0) return q >= 0;
    const t = q / p;
    if (p < 0) { if (t > t1) return false; if (t > t0) t0 = t; }
    else { if (t < t0) return false; if (t < t1) t1 = t; }
    return true;
  };
  return clip(-dx, ax - x0) && clip(dx, x1 - ax) && clip(-dy, ay - y0) && clip(dy, y1 - ay);
}

/**
 * Whether the forward grid on window `fw` of the support grid (`cols` × `rows` nodes at
 * `left + c·cell`, `top + r·cell`) holds the preimage of every node of window `rw`: the mapped
 * boundary of `fw` (piecewise linear: the map is linear along cell edges) keeps `clear` px from
 * `rw`'s rectangle on each side cut off from the support grid (the others are the support's
 * edge, where the map is the identity) and winds around it as the boundary itself does; then the
 * map has degree 1 over `rw`'s rectangle. Returns null when it does, else per side (top, right,
 * bottom, left) the largest displacement magnitude on the side when the side comes too close
 * (−1 when it does not; every clipped side when only the winding fails).
 */
function forwardShortfall(
  fw: GridWindow, rw: GridWindow, cols: number, rows: number, left: number, top: number, cell: number, clear: number,
  disp: NodeDisplacement,
): number[] | null {
  const x0 = left + rw.c0 * cell - clear, x1 = left + rw.c1 * cell + clear;
  const y0 = top + rw.r0 * cell - clear, y1 = top + rw.r1 * cell + clear;
  const clipped = [fw.r0 > 0, fw.c1 < cols - 1, fw.r1 < rows - 1, fw.c0 > 0];
  // The boundary, clockwise on screen: top (left to right), right, bottom (right to left), left.
  const sides: Array<Array<[number, number]>> = [[], [], [], []];
  for (let c = fw.c0; c < fw.c1; c++) sides[0]!.push([c, fw.r0]);
  for (let r = fw.r0; r < fw.r1; r++) sides[1]!.push([fw.c1, r]);
  for (let c = fw.c1; c > fw.c0; c--) sides[2]!.push([c, fw.r1]);
  for (let r = fw.r1; r > fw.r0; r--) sides[3]!.push([fw.c0, r]);
  const o = new Float64Array(2);
  const ix: number[] = [], iy: number[] = [], px: number[] = [], py: number[] = [], mag: number[] = [], side: number[] = [];
  for (let s = 0; s < 4; s++) {
    for (const [c, r] of sides[s]!) {
      disp(c, r, o);
      const x = left + c * cell, y = top + r * cell;
      ix.push(x); iy.push(y); px.push(x + o[0]!); py.push(y + o[1]!); mag.push(Math.hypot(o[0]!, o[1]!)); side.push(s);
    }
  }
  const n = px.length;
  const worst = [-1, -1, -1, -1];
  for (let i = 0; i < n; i++) {
    const s = side[i]!, j = (i + 1) % n;
    if (clipped[s] && segmentMeetsRect(px[i]!, py[i]!, px[j]!, py[j]!, x0, y0, x1, y1)) worst[s] = 0;
  }
  if (worst.some((w) => w >= 0)) {
    // How far the nodes of each offending side move (the next margin outruns that).
    for (let i = 0; i < n; i++) if (worst[side[i]!]! >= 0) worst[side[i]!] = Math.max(worst[side[i]!]!, mag[i]!);
    return worst;
  }
  // Winding number about the rectangle's centre, mapped boundary vs the boundary itself.
  const cx = left + (rw.c0 + rw.c1) * cell / 2, cy = top + (rw.r0 + rw.r1) * cell / 2;
  const winding = (qx: readonly number[], qy: readonly number[]): number => {
    let wn = 0;
    for (let i = 0; i < n; i++) {
      const j = (i + 1) % n;
      const ax = qx[i]!, ay = qy[i]!, bx = qx[j]!, by = qy[j]!;
      const isLeft = (bx - ax) * (cy - ay) - (cx - ax) * (by - ay);
      if (ay <= cy) { if (by > cy && isLeft > 0) wn++; }
      else if (by <= cy && isLeft < 0) wn--;
    }
    return wn;
  };
  if (winding(px, py) === winding(ix, iy)) return null;
  return clipped.map((c) => (c ? 0 : -1));
}

/**
 * Build the field for one region's deform drags. Returns `field: null` when every drag has zero
 * length (nothing moves) or no fold-free field could be found (with a warning).
 */
export function buildDeformField(input: DeformFieldInput): DeformFieldResult {
  const { handles, targets } = input;
  if (handles.length !== targets.length) throw new RangeError('deform needs as many targets as handles');
  const warnings: string[] = [];
  // Moving drags (coinciding handles merged: their targets are averaged), then anchors.
  const mt: Point[] = [], mh: Point[] = [], counts: number[] = [];
  const still: Point[] = [];
  for (let i = 0; i < targets.length; i++) {
    const t = targets[i]!, h = handles[i]!;
    if (![t[0], t[1], h[0], h[1]].every(Number.isFinite)) throw new RangeError('deform points must be finite');
    if (Math.hypot(t[0] - h[0], t[1] - h[1]) < 1e-6) { still.push([h[0], h[1]]); continue; }
    const j = mh.findIndex((c) => Math.hypot(c[0] - h[0], c[1] - h[1]) < 0.5);
    if (j >= 0) {
      const n = counts[j]!;
      mt[j] = [(mt[j]![0] * n + t[0]) / (n + 1), (mt[j]![1] * n + t[1]) / (n + 1)];
      counts[j] = n + 1;
      warnings.push(`two deform drags start at (${saidPoint(input.units, h, true)}); their targets were averaged`);
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
    n, moving: mt.length, inner: 0, drag: dmax,
    px: new Float64Array(n), py: new Float64Array(n), qx: new Float64Array(n), qy: new Float64Array(n),
    ws: new Float64Array(n).fill(1),
  };
  // Many boundary anchors would outweigh a lone handle a few pixels away and squeeze the space
  // in front of it (MLS displacement falls like 1 / (1 + W·d²) around a handle, W = Σ anchor
  // weights); as a group they weigh like ANCHOR_GROUP points.
  const aw = Math.min(1, ANCHOR_GROUP / Math.max(1, still.length));
  for (let i = mt.length; i < n; i++) ctl.ws[i] = aw;
  const setControls = (strength: number): void => {
    for (let i = 0; i < mt.length; i++) {
      const t = mt[i]!, h = mh[i]!;
      ctl.px[i] = h[0]; ctl.py[i] = h[1];
      ctl.qx[i] = h[0] + (t[0] - h[0]) * strength; ctl.qy[i] = h[1] + (t[1] - h[1]) * strength;
    }
    for (let j = 0; j < still.length; j++) {
      const i = mt.length + j;
      ctl.px[i] = still[j]![0]; ctl.py[i] = still[j]![1]; ctl.qx[i] = still[j]![0]; ctl.qy[i] = still[j]![1];
    }
    ctl.drag = dmax * strength;
  };

  let radius = input.radius ?? Math.max(2.5 * dmax, 0.6 * input.farDistance, 1.6 * (input.innerRadius ?? 0), 8);
  ctl.inner = input.innerRadius ?? radius / 2;
  const scratch = new Float64Array(2);
  /**
   * Grids for radius `R` (see the module comment): the forward grid `fwd` and, on a window of
   * it, the field to return (its forward values copied, the backward ones still to fill); null
   * when the forward grid folds.
   */
  const makeForward = (R: number, strength: number): { fwd: DeformField; field: DeformField } | null => {
    const r0 = innerRadius(ctl, R);
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (let i = 0; i < ctl.moving; i++) {
      for (const [x, y] of [[ctl.px[i]!, ctl.py[i]!], [ctl.qx[i]!, ctl.qy[i]!]] as const) {
        x0 = Math.min(x0, x - R); y0 = Math.min(y0, y - R); x1 = Math.max(x1, x + R); y1 = Math.max(y1, y + R);
      }
    }
    const b = input.bounds;
    for (let cell = input.cell ?? (R >= 48 ? 8 : 4); ; cell *= 2) {
      // The support grid: nodes at multiples of the cell, the outermost ones beyond the support
      // (zero), so the map is the identity on its edge.
      const left = Math.floor(x0 / cell) * cell - cell, top = Math.floor(y0 / cell) * cell - cell;
      const cols = Math.max(2, Math.ceil((x1 - left) / cell) + 2), rows = Math.max(2, Math.ceil((y1 - top) / cell) + 2);
      const cc = (c: number): number => Math.min(cols - 1, Math.max(0, c)), cr = (r: number): number => Math.min(rows - 1, Math.max(0, r));
      // What is rendered: `bounds` and its reach, clipped to the support grid (two nodes at least).
      const rw: GridWindow = {
        c0: cc(Math.floor((b.left - RENDER_PAD_PX - left) / cell) - RENDER_PAD_CELLS),
        c1: cc(Math.ceil((b.left + b.width + RENDER_PAD_PX - left) / cell) + RENDER_PAD_CELLS),
        r0: cr(Math.floor((b.top - RENDER_PAD_PX - top) / cell) - RENDER_PAD_CELLS),
        r1: cr(Math.ceil((b.top + b.height + RENDER_PAD_PX - top) / cell) + RENDER_PAD_CELLS),
      };
      if (rw.c1 === rw.c0) { if (rw.c1 < cols - 1) rw.c1++; else rw.c0--; }
      if (rw.r1 === rw.r0) { if (rw.r1 < rows - 1) rw.r1++; else rw.r0--; }
      const budget = Math.max(MAX_NODES_FLOOR, MAX_NODES_PER_RENDERED * (rw.c1 - rw.c0 + 1) * (rw.r1 - rw.r0 + 1));
      // The forward grid: `rw` grown per side (top, right, bottom, left; in cells) until every
      // node of `rw` has its preimage inside (forwardShortfall), first on the MLS values of the
      // boundary alone, then on the grid's own (pinned) values.
      const margin = [FORWARD_MARGIN_CELLS, FORWARD_MARGIN_CELLS, FORWARD_MARGIN_CELLS, FORWARD_MARGIN_CELLS];
      const clear = FORWARD_CLEARANCE_CELLS * cell;
      const grow = (worst: number[]): void => {
        for (let s = 0; s < 4; s++) {
          if (worst[s]! < 0) continue;
          const need = Math.ceil(worst[s]! / cell) + FORWARD_MARGIN_CELLS;
          margin[s] = need > margin[s]! ? need : 2 * margin[s]!;
        }
      };
      const mls: NodeDisplacement = (c, r, out) => forwardNode(ctl, R, r0, left + c * cell, top + r * cell, out);
      let fwd: DeformField | null = null, fw: GridWindow | null = null;
      for (;;) {
        const w: GridWindow = { c0: cc(rw.c0 - margin[3]!), c1: cc(rw.c1 + margin[1]!), r0: cr(rw.r0 - margin[0]!), r1: cr(rw.r1 + margin[2]!) };
        const fc = w.c1 - w.c0 + 1, fr = w.r1 - w.r0 + 1;
        if (fc * fr > budget) break; // it only grows: coarser cells
        // The whole support grid needs no check (its edge is beyond the support: identity).
        const whole = w.c0 === 0 && w.r0 === 0 && w.c1 === cols - 1 && w.r1 === rows - 1;
        const before = whole ? null : forwardShortfall(w, rw, cols, rows, left, top, cell, clear, mls);
        if (before) { grow(before); continue; }
        const f: DeformField = {
          left: left + w.c0 * cell, top: top + w.r0 * cell, cell, cols: fc, rows: fr, ex: new Float32Array(0), ey: new Float32Array(0),
          fx: new Float32Array(fc * fr), fy: new Float32Array(fc * fr), radius: R, maxDisp: 0, strength,
        };
        evaluateForward(f, ctl, scratch);
        const after = whole ? null : forwardShortfall(w, rw, cols, rows, left, top, cell, clear, (c, r, out) => {
          const k = (r - w.r0) * fc + (c - w.c0);
          out[0] = f.fx[k]!; out[1] = f.fy[k]!;
        });
        if (after) { grow(after); continue; }
        fwd = f; fw = w;
        break;
      }
      // Over the node budget: coarser cells.
      if (!fwd || !fw) continue;
      if (!(minForwardJacobian(fwd) > MIN_JACOBIAN)) return null;
      const oc = rw.c1 - rw.c0 + 1, or = rw.r1 - rw.r0 + 1;
      if (oc === fwd.cols && or === fwd.rows) {
        fwd.ex = new Float32Array(oc * or); fwd.ey = new Float32Array(oc * or);
        return { fwd, field: fwd };
      }
      const field: DeformField = {
        left: left + rw.c0 * cell, top: top + rw.r0 * cell, cell, cols: oc, rows: or, ex: new Float32Array(oc * or), ey: new Float32Array(oc * or),
        fx: new Float32Array(oc * or), fy: new Float32Array(oc * or), radius: R, maxDisp: 0, strength,
      };
      for (let r = 0; r < or; r++) {
        const from = (r + rw.r0 - fw.r0) * fwd.cols + (rw.c0 - fw.c0);
        field.fx.set(fwd.fx.subarray(from, from + oc), r * oc);
        field.fy.set(fwd.fy.subarray(from, from + oc), r * oc);
      }
      return { fwd, field };
    }
  };
  /** Forward grid, fold-checked, then inverted and checked; null on any failure. */
  const make = (R: number, strength: number): DeformField | null => {
    setControls(strength);
    const grids = makeForward(R, strength);
    if (!grids) return null;
    if (!invertField(grids.field, ctl, scratch, grids.fwd)) return null;
    return minCellJacobian(grids.field) > 0 ? grids.field : null;
  };

  let field = make(radius, 1);
  // Widen the falloff first (keeps the handle on its target; helps when the taper folds) ...
  const radius0 = radius;
  for (let it = 0; !field && it < 2; it++) {
    radius *= 1.35;
    field = make(radius, 1);
    if (field) warnings.push(`deform falloff widened to ${saidLength(input.units, radius)} px to avoid folding`);
  }
  // ... then shorten the drags: bisection for the longest fold-free fraction (at the first radius).
  if (!field) {
    let lo = 0, hi = 1;
    for (let it = 0; it < 6; it++) {
      const mid = (lo + hi) / 2;
      const f = make(radius0, mid);
      if (f) { lo = mid; field = f; } else hi = mid;
    }
    if (field) warnings.push(`deform shortened to ${(field.strength * 100).toFixed(0)}% of the drag to avoid tearing`);
  }
  if (!field) {
    warnings.push('deform could not be made fold-free; it was skipped');
    return { field: null, warnings };
  }
  return { field, warnings };
}

/**
 * The arrows whose handle the BACKWARD field `f` does not bring to its target within 0.5 px: each
 * with its target and by how many px it falls short (the elastic readings name them in the plan).
 */
export function handleShortfalls(f: DeformField, handles: readonly Point[], targets: readonly Point[]): Array<{ target: Point; miss: number }> {
  const out: Array<{ target: Point; miss: number }> = [];
  const e = new Float64Array(2);
  for (let i = 0; i < targets.length; i++) {
    const t = targets[i]!, h = handles[i]!;
    sampleField(f, t[0], t[1], e);
    const miss = Math.hypot(t[0] + e[0]! - h[0], t[1] + e[1]! - h[1]);
    if (miss > 0.5) out.push({ target: t, miss });
  }
  return out;
}

/**
 * Bilinear lookup of the BACKWARD field at document (target) position `(x, y)`; writes the
 * displacement (source − target) to `out[0..1]` (zero outside the grid).
 */
export function sampleField(f: DeformField, x: number, y: number, out: Float64Array): void {
  lookup(f, f.ex, f.ey, x, y, out);
}

/**
 * Bilinear lookup of the FORWARD field at document (source) position `(x, y)`; writes the
 * displacement (target − source) to `out[0..1]` (zero outside the grid).
 */
export function sampleForwardField(f: DeformField, x: number, y: number, out: Float64Array): void {
  lookup(f, f.fx, f.fy, x, y, out);
}

/**
 * Conservative bounds of the forward image of the rectangle `[x0, x1] × [y0, y1]` (document
 * coordinates, source side of the field): the rectangle itself (the field is the identity off its
 * support) grown to the mapped corners of every grid cell that touches it (a bilinear cell maps
 * into the bounding box of its mapped corners). Written to `out` as `[x0, y0, x1, y1]`.
 */
export function forwardBounds(f: DeformField, x0: number, y0: number, x1: number, y1: number, out: Float64Array): void {
  let bx0 = x0, by0 = y0, bx1 = x1, by1 = y1;
  const { cols, rows, cell, left, top, fx, fy } = f;
  // One extra node on each side: the cells touching the rectangle, whatever its alignment.
  const c0 = Math.max(0, Math.floor((x0 - left) / cell) - 1), c1 = Math.min(cols - 1, Math.ceil((x1 - left) / cell) + 1);
  const r0 = Math.max(0, Math.floor((y0 - top) / cell) - 1), r1 = Math.min(rows - 1, Math.ceil((y1 - top) / cell) + 1);
  for (let r = r0; r <= r1; r++) {
    const y = top + r * cell;
    for (let c = c0; c <= c1; c++) {
      const k = r * cols + c;
      const dx = fx[k]!, dy = fy[k]!;
      if (dx === 0 && dy === 0) continue;
      const x = left + c * cell + dx, yy = y + dy;
      if (x < bx0) bx0 = x;
      if (x > bx1) bx1 = x;
      if (yy < by0) by0 = yy;
      if (yy > by1) by1 = yy;
    }
  }
  out[0] = bx0; out[1] = by0; out[2] = bx1; out[3] = by1;
}
