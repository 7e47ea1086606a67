/**
 * Elastic drag field WITH OCCLUSION — the fallback of the elastic reading (elastic-field.ts) when
 * no fold-free map exists (a drag longer than the room in front of the moved part).
 *
 * Elastic drag field: a point drag on a loose region (an *editable area* drawn around an object,
 * as in DragBench or a quick lasso) deforms the area smoothly instead of cutting the blob out.
 *
 * Forward map (source → target) `F(x) = x + s(x) · u(x)` on a coarse grid (`cell` px):
 * - `u` is the rigid moving-least-squares map of the moving handles onto their targets (one handle:
 *   a translation; several: the best rotation + translation, locally weighted), so the part around
 *   the handles moves as a piece and keeps its shape;
 * - `s` is a stiffness/attachment weight in [0, 1]: exactly 1 on a disc around every moving handle
 *   (the "part" that moves rigidly, `PART_FRACTION` of the handle's distance to the nearest fixed
 *   node), exactly 0 on every FIXED node, harmonic in between (solved by SOR on the grid). Harmonic
 *   interpolation spreads the stretch over all the room the area gives (no band of streaks), and
 *   parts stay attached: the neck stretches when the head moves.
 * - A node is fixed when any pixel of one of its four cells is outside the region (coverage < 128),
 *   outside the image, or in a keep mask; pinned points (zero-length drags) fix the nodes around
 *   them. Every pixel of a cell with an outside/keep pixel therefore has exactly zero displacement:
 *   the edge of the editable area, keep pixels and pins stay bit-identical.
 * - The forward grid is checked for folds (every cell's corner Jacobians ≥ {@link MIN_JACOBIAN}),
 *   inverted numerically into the backward grid the renderer samples (shared with the deform op),
 *   and the handles are pinned so that each lands on its target (bilinear-exact).
 * - When the drag asks for more than the area gives (a fold), the drag is shortened to the longest
 *   fold-free fraction (bisection) with a warning; local stretch above {@link STRETCH_WARN} is
 *   reported as a warning too.
 */
import { maskBounds } from '@smartdrag/shared';
import type { PlacedMask, Point } from '../types';
import { saidLength, saidPoint, type PixelUnits } from '../plan/units';
import {
  type Controls, type DeformField, handleShortfalls, invertField, MIN_JACOBIAN, minCellJacobian, minForwardJacobian, pinPoints, sampleField,
} from './deform-field';
import { MaskMemo, pointsKey } from './elastic-cache';
import { throwIfCancelled } from '../cancel';
import { FRAME_SLIP, rigidGroup } from './elastic-field';

/**
 * Motion of the handles' part at `(x, y)` (displacement written to `out`): one handle → its
 * translation; several → rigid MLS (weights 1/d², best rotation about the weighted centroids),
 * computed on centred coordinates (two passes) so that it stays exact near a control.
 */
function handleMotion(c: Controls, x: number, y: number, out: Float64Array): void {
  const { n, px, py, qx, qy } = c;
  if (n === 1) { out[0] = qx[0]! - px[0]!; out[1] = qy[0]! - py[0]!; return; }
  let sw = 0, spx = 0, spy = 0, sqx = 0, sqy = 0;
  for (let i = 0; i < n; i++) {
    const dx = px[i]! - x, dy = py[i]! - y, d2 = dx * dx + dy * dy;
    if (d2 < 1e-10) { out[0] = qx[i]! - px[i]!; out[1] = qy[i]! - py[i]!; return; }
    const w = 1 / d2;
    sw += w; spx += w * px[i]!; spy += w * py[i]!; sqx += w * qx[i]!; sqy += w * qy[i]!;
  }
  const psx = spx / sw, psy = spy / sw, qsx = sqx / sw, qsy = sqy / sw;
  let a = 0, b = 0;
  for (let i = 0; i < n; i++) {
    const dx = px[i]! - x, dy = py[i]! - y, w = 1 / (dx * dx + dy * dy);
    const ux = px[i]! - psx, uy = py[i]! - psy, vx = qx[i]! - qsx, vy = qy[i]! - qsy;
    a += w * (ux * vx + uy * vy); b += w * (ux * vy - uy * vx);
  }
  const m = Math.sqrt(a * a + b * b);
  const cs = m > 1e-12 ? a / m : 1, sn = m > 1e-12 ? b / m : 0;
  const vx = x - psx, vy = y - psy;
  out[0] = cs * vx - sn * vy + qsx - x;
  out[1] = sn * vx + cs * vy + qsy - y;
}

/** Radius of the rigid part around a handle, as a fraction of its distance to the nearest fixed node (≈ 1/e maximises the room). */
export const PART_FRACTION = 0.37;
/** Area stretch (or squeeze, as 1/x) of a cell above which the plan warns. */
export const STRETCH_WARN = 3;
/** Shortest fraction of a drag done fold-free before the part slides over what lies in front instead. */
export const MIN_SMOOTH_STRENGTH = 0.75;
/** Jacobi smoothing passes over the attachment ramp. */
const SMOOTH_ITER = 6;

export interface ElasticFieldInput {
  /** The editable region (coverage), as elasticArea (elastic-field.ts) gives it with the keep masks. */
  mask: PlacedMask;
  /** Pixels that never change. */
  keep?: readonly PlacedMask[];
  handles: readonly Point[];
  targets: readonly Point[];
  /** Image size (the field is zero outside it). */
  width: number;
  height: number;
  /** Grid cell (px); default from the region size. */
  cell?: number;
  /** Bisection steps when a drag is shortened (default 5; fewer for previews). */
  refine?: number;
  /** Checked before each try of a field (core/cancel.ts); a cancelled build is not kept. */
  signal?: AbortSignal;
  /** The request's pixels against the document's (plan/units.ts; default the same): the warnings say positions and lengths in document pixels. */
  units?: PixelUnits;
}

export interface ElasticFieldResult {
  field: DeformField | null;
  warnings: string[];
  /** Largest cell area ratio of the forward map (stretch, 1 = none); `1/min` for squeeze. */
  maxStretch: number;
  minStretch: number;
}

/**
 * The occlusion field of an elastic drag on a region, with the parameters the warp renders it
 * with (cell from the region's bounds within the image; fewer bisection steps for a preview).
 * The planner calls it with the same arguments, so the warp finds the field it built.
 */
export function regionOcclusionField(
  area: { mask: PlacedMask; keep: readonly PlacedMask[] }, regionMask: PlacedMask, handles: readonly Point[], targets: readonly Point[],
  width: number, height: number, preview: boolean, signal?: AbortSignal,
  /** The request's units (plan/units.ts), for the warnings' words. */
  units?: PixelUnits,
): ElasticFieldResult {
  const b = maskBounds(regionMask);
  const w = Math.max(0, Math.min(width, b.left + b.width) - Math.max(0, b.left));
  const h = Math.max(0, Math.min(height, b.top + b.height) - Math.max(0, b.top));
  return buildOcclusionField({
    mask: area.mask, keep: area.keep, handles, targets, width, height, cell: elasticCell(w, h, preview), ...(preview ? { refine: 2 } : {}),
    ...(signal ? { signal } : {}), ...(units ? { units } : {}),
  });
}

/** Cell size for a region of `w × h` px: about 12k nodes at most, 4..32 px. */
export function elasticCell(w: number, h: number, preview: boolean): number {
  const target = preview ? 1500 : 12000;
  const c = Math.sqrt((w * h) / target);
  let cell = 4;
  while (cell < c && cell < 32) cell *= 2;
  return cell;
}

/**
 * Backward grid of a forward grid that may fold, with occlusion: every forward cell is split into
 * two triangles; each positively oriented mapped triangle writes, at the backward nodes it covers,
 * the source position (barycentric) and its depth (the attachment weight s: the dragged part lies
 * on top of what it slides over). Folded-over (negatively oriented) triangles are hidden. Fixed
 * nodes keep zero displacement; nodes covered only by still triangles get exactly zero.
 */
function rasterizeBackward(f: DeformField, s: Float64Array, state: Uint8Array, handles: readonly Point[]): void {
  const { cols, rows, cell, left, top, fx, fy, ex, ey } = f;
  const N = cols * rows;
  // Ties in depth (two dragged parts, both at s = 1, meeting at their targets) go to the content
  // nearer its own handle — the dragged thing itself rather than the background its part carries
  // around it (which, drawn in raster order, speckled the closed beak with the gap's background).
  const tieScale = 1e-3 / Math.max(1, Math.hypot(cols, rows) * cell);
  const nearestHandle = (x: number, y: number): number => {
    let d = Infinity;
    for (const h of handles) d = Math.min(d, Math.hypot(x - h[0], y - h[1]));
    return d;
  };
  const depth = new Float64Array(N).fill(-1);
  ex.fill(0); ey.fill(0);
  // Still triangles are rasterized too (their nodes get zero displacement at depth s ≈ 0), so that
  // a node no triangle covers is a hole left by folded-over triangles, not still content.
  const tri = (a: number, b: number, c: number): void => {
    const ax = left + (a % cols) * cell, ay = top + ((a / cols) | 0) * cell;
    const bx = left + (b % cols) * cell, by = top + ((b / cols) | 0) * cell;
    const cx = left + (c % cols) * cell, cy = top + ((c / cols) | 0) * cell;
    const Ax = ax + fx[a]!, Ay = ay + fy[a]!, Bx = bx + fx[b]!, By = by + fy[b]!, Cx = cx + fx[c]!, Cy = cy + fy[c]!;
    const det = (Bx - Ax) * (Cy - Ay) - (By - Ay) * (Cx - Ax);
    const srcDet = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
    if (det * srcDet <= 1e-9) return; // folded over (or collapsed): hidden
    const c0 = Math.max(0, Math.ceil((Math.min(Ax, Bx, Cx) - left) / cell - 1e-9));
    const c1 = Math.min(cols - 1, Math.floor((Math.max(Ax, Bx, Cx) - left) / cell + 1e-9));
    const r0 = Math.max(0, Math.ceil((Math.min(Ay, By, Cy) - top) / cell - 1e-9));
    const r1 = Math.min(rows - 1, Math.floor((Math.max(Ay, By, Cy) - top) / cell + 1e-9));
    const id = 1 / det, eps = -1e-7;
    // (The node loop must not reuse `c`: that is the triangle's third vertex, whose depth s[c] is read below.)
    const sa = s[a]!, sb = s[b]!, sc = s[c]!;
    for (let r = r0; r <= r1; r++) {
      const y = top + r * cell;
      for (let col = c0; col <= c1; col++) {
        const k = r * cols + col;
        if (state[k] === 1) continue;
        const x = left + col * cell;
        const l1 = ((x - Ax) * (Cy - Ay) - (y - Ay) * (Cx - Ax)) * id;
        const l2 = ((Bx - Ax) * (y - Ay) - (By - Ay) * (x - Ax)) * id;
        const l0 = 1 - l1 - l2;
        if (l0 < eps || l1 < eps || l2 < eps) continue;
        const srcX = l0 * ax + l1 * bx + l2 * cx, srcY = l0 * ay + l1 * by + l2 * cy;
        const z = l0 * sa + l1 * sb + l2 * sc - tieScale * nearestHandle(srcX, srcY);
        if (z <= depth[k]!) continue;
        depth[k] = z;
        ex[k] = srcX - x;
        ey[k] = srcY - y;
      }
    }
  };
  for (let r = 0; r + 1 < rows; r++) {
    for (let c = 0; c + 1 < cols; c++) {
      const k = r * cols + c;
      tri(k, k + 1, k + cols + 1);
      tri(k, k + cols + 1, k + cols);
    }
  }
  fillHoles(f, depth, state);
  f.seam = seamCells(f);
  let m = 0;
  for (let k = 0; k < N; k++) { const v = ex[k]! * ex[k]! + ey[k]! * ey[k]!; if (v > m) m = v; }
  f.maxDisp = Math.sqrt(m);
}

/** Corner displacements further apart than this many cells are on two sides of a seam. */
export const SEAM_JUMP_CELLS = 3;

/**
 * Whether grid nodes `a` and `b` of a backward field lie on the same side of a seam: their
 * displacements differ by at most `lim2` squared px ({@link SEAM_JUMP_CELLS} cells, squared).
 * Used where seams are found (seamCells) and where they are rendered (warp-regions.ts).
 */
export function sameSide(ex: Float32Array, ey: Float32Array, a: number, b: number, lim2: number): boolean {
  const dx = ex[a]! - ex[b]!, dy = ey[a]! - ey[b]!;
  return dx * dx + dy * dy <= lim2;
}

/** Cells whose corners' backward displacements jump by more than {@link SEAM_JUMP_CELLS} cells. */
function seamCells(f: DeformField): Uint8Array | undefined {
  const { cols, rows, cell, ex, ey } = f;
  const seam = new Uint8Array((cols - 1) * (rows - 1));
  const lim2 = (SEAM_JUMP_CELLS * cell) ** 2;
  let any = false;
  for (let r = 0; r + 1 < rows; r++) {
    for (let c = 0; c + 1 < cols; c++) {
      const q0 = r * cols + c, q1 = q0 + 1, q2 = q0 + cols, q3 = q2 + 1;
      const same = sameSide(ex, ey, q0, q1, lim2) && sameSide(ex, ey, q0, q2, lim2) && sameSide(ex, ey, q0, q3, lim2)
        && sameSide(ex, ey, q1, q2, lim2) && sameSide(ex, ey, q1, q3, lim2) && sameSide(ex, ey, q2, q3, lim2);
      if (!same) { seam[r * (cols - 1) + c] = 1; any = true; }
    }
  }
  return any ? seam : undefined;
}

/**
 * Nodes of the backward grid that no positively oriented triangle covers (the squeezed content
 * between two parts that met, hidden as folded over) would show the ORIGINAL pixel there — specks
 * of the closed gap over the parts. They take the displacement of their topmost covered neighbour
 * instead, grown ring by ring, so the part that lies on top continues over them.
 */
function fillHoles(f: DeformField, depth: Float64Array, state: Uint8Array): void {
  const { cols, rows, ex, ey } = f;
  let holes: number[] = [];
  for (let k = 0; k < cols * rows; k++) if (depth[k]! < 0 && state[k] !== 1) holes.push(k);
  while (holes.length > 0) {
    const next: number[] = [], done: Array<[number, number, number, number]> = [];
    for (const k of holes) {
      const r = (k / cols) | 0, c = k % cols;
      let best = -1, bz = -1;
      for (let dr = -1; dr <= 1; dr++) for (let dc = -1; dc <= 1; dc++) {
        const rr = r + dr, cc = c + dc;
        if ((dr === 0 && dc === 0) || rr < 0 || cc < 0 || rr >= rows || cc >= cols) continue;
        const q = rr * cols + cc;
        if (depth[q]! > bz) { bz = depth[q]!; best = q; }
      }
      if (best < 0) next.push(k); else done.push([k, ex[best]!, ey[best]!, bz]);
    }
    if (done.length === 0) break;
    for (const [k, x, y, z] of done) { ex[k] = x; ey[k] = y; depth[k] = z; }
    holes = next;
  }
}

/** Per-cell area ratios (min, max of the normalised corner Jacobians) over moved cells. */
function stretchRange(f: DeformField): [number, number] {
  const { cols, rows, cell, fx, fy } = f;
  let lo = 1, hi = 1;
  const s = 1 / (cell * cell);
  for (let r = 0; r + 1 < rows; r++) {
    for (let c = 0; c + 1 < cols; c++) {
      const k00 = r * cols + c, k10 = k00 + 1, k01 = k00 + cols, k11 = k01 + 1;
      const x00 = fx[k00]!, y00 = fy[k00]!, x10 = cell + fx[k10]!, y10 = fy[k10]!;
      const x01 = fx[k01]!, y01 = cell + fy[k01]!, x11 = cell + fx[k11]!, y11 = cell + fy[k11]!;
      const js = [
        (x10 - x00) * (y01 - y00) - (y10 - y00) * (x01 - x00),
        (x10 - x00) * (y11 - y10) - (y10 - y00) * (x11 - x10),
        (x11 - x01) * (y01 - y00) - (y11 - y01) * (x01 - x00),
        (x11 - x01) * (y11 - y10) - (y11 - y01) * (x11 - x10),
      ];
      for (const j of js) { const v = j * s; if (v < lo) lo = v; if (v > hi) hi = v; }
    }
  }
  return [lo, hi];
}

/**
 * Build the elastic field (see the module comment). `field` is null when nothing moves or no
 * fold-free field exists even for a tiny fraction of the drag (with a warning).
 */
export function buildOcclusionField(input: ElasticFieldInput): ElasticFieldResult {
  const key = `${pointsKey(input.handles, input.targets)}|${input.width}x${input.height}|${input.cell ?? ''}|${input.refine ?? ''}|${input.units?.key ?? ''}`;
  return occlusionMemo.get(input.mask, input.keep ?? [], key, () => computeOcclusionField(input));
}

const occlusionMemo = new MaskMemo<ElasticFieldResult>();

function computeOcclusionField(input: ElasticFieldInput): ElasticFieldResult {
  const { mask, handles, targets } = input;
  const keep = input.keep ?? [];
  const warnings: string[] = [];
  const none: ElasticFieldResult = { field: null, warnings, maxStretch: 1, minStretch: 1 };
  if (handles.length !== targets.length) throw new RangeError('elastic drag needs as many targets as handles');
  const mh: Point[] = [], mt: Point[] = [], counts: number[] = [], pins: Point[] = [];
  for (let i = 0; i < handles.length; i++) {
    const h = handles[i]!, t = targets[i]!;
    if (![t[0], t[1], h[0], h[1]].every(Number.isFinite)) throw new RangeError('elastic drag points must be finite');
    if (Math.hypot(t[0] - h[0], t[1] - h[1]) < 1e-6) { pins.push([h[0], h[1]]); continue; }
    const j = mh.findIndex((c) => Math.hypot(c[0] - h[0], c[1] - h[1]) < 0.5);
    if (j >= 0) {
      const n = counts[j]!;
      mt[j] = [(mt[j]![0] * n + t[0]) / (n + 1), (mt[j]![1] * n + t[1]) / (n + 1)];
      counts[j] = n + 1;
      warnings.push(`two drags start at (${saidPoint(input.units, h, true)}); their targets were averaged`);
    } else { mh.push([h[0], h[1]]); mt.push([t[0], t[1]]); counts.push(1); }
  }
  if (mh.length === 0) return none;

  // Grid over the region's bounds (plus one cell), aligned to multiples of the cell.
  let bx0 = Infinity, by0 = Infinity, bx1 = -Infinity, by1 = -Infinity;
  const md = mask.data, mw = mask.width;
  for (let y = 0; y < mask.height; y++) {
    const row = y * mw;
    for (let x = 0; x < mw; x++) {
      if (md[row + x]! < 128) continue;
      if (x < bx0) bx0 = x;
      if (x > bx1) bx1 = x;
      if (y < by0) by0 = y;
      if (y > by1) by1 = y;
    }
  }
  if (bx1 < bx0) return none;
  bx0 += mask.left; bx1 += mask.left; by0 += mask.top; by1 += mask.top;
  const cell = input.cell ?? elasticCell(bx1 - bx0 + 1, by1 - by0 + 1, false);
  const left = Math.floor(bx0 / cell) * cell - cell, top = Math.floor(by0 / cell) * cell - cell;
  const cols = Math.ceil((bx1 - left) / cell) + 2, rows = Math.ceil((by1 - top) / cell) + 2;
  const ccols = cols - 1, crows = rows - 1;
  // Blocked cells: any pixel outside the region, the image, or in a keep mask. (An area that
  // reaches the frame continues past it — elasticArea, extendPastFrame — so only its own edge
  // blocks there, unless the frame slip is off.)
  const clipToFrame = !FRAME_SLIP;
  const blocked = new Uint8Array(ccols * crows);
  const keeps = keep;
  for (let cr = 0; cr < crows; cr++) {
    for (let cc = 0; cc < ccols; cc++) {
      const x0 = left + cc * cell, y0 = top + cr * cell;
      let bad = clipToFrame && (x0 < 0 || y0 < 0 || x0 + cell > input.width || y0 + cell > input.height);
      for (let y = y0; !bad && y < y0 + cell; y++) {
        const my = y - mask.top;
        if (my < 0 || my >= mask.height) { bad = true; break; }
        for (let x = x0; x < x0 + cell; x++) {
          const mx = x - mask.left;
          if (mx < 0 || mx >= mw || md[my * mw + mx]! < 128) { bad = true; break; }
        }
      }
      for (let q = 0; !bad && q < keeps.length; q++) {
        const k = keeps[q]!;
        const ya = Math.max(y0, k.top), yb = Math.min(y0 + cell, k.top + k.height);
        const xa = Math.max(x0, k.left), xb = Math.min(x0 + cell, k.left + k.width);
        for (let y = ya; !bad && y < yb; y++) {
          const row = (y - k.top) * k.width - k.left;
          for (let x = xa; x < xb; x++) if (k.data[row + x]! > 0) { bad = true; break; }
        }
      }
      blocked[cr * ccols + cc] = bad ? 1 : 0;
    }
  }
  const N = cols * rows;
  // 0 = free, 1 = fixed at 0, 2 = fixed at 1.
  const state = new Uint8Array(N);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      let fixed = r === 0 || c === 0 || r === rows - 1 || c === cols - 1;
      for (let dr = -1; !fixed && dr <= 0; dr++) for (let dc = -1; dc <= 0; dc++) if (blocked[(r + dr) * ccols + c + dc]) { fixed = true; break; }
      if (fixed) state[r * cols + c] = 1;
    }
  }
  const pinR = Math.max(cell, 4);
  for (const p of pins) {
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) {
      if (Math.hypot(left + c * cell - p[0], top + r * cell - p[1]) <= pinR) state[r * cols + c] = 1;
    }
  }
  // Distance (px) of every node to the nearest fixed node: two-pass chamfer on the grid.
  const dB = new Float64Array(N);
  for (let k = 0; k < N; k++) dB[k] = state[k] === 1 ? 0 : Infinity;
  const dd = cell * Math.SQRT2;
  for (let r = 1; r < rows; r++) for (let c = 1; c < cols - 1; c++) {
    const k = r * cols + c;
    const v = Math.min(dB[k]!, dB[k - 1]! + cell, dB[k - cols]! + cell, dB[k - cols - 1]! + dd, dB[k - cols + 1]! + dd);
    dB[k] = v;
  }
  for (let r = rows - 2; r >= 0; r--) for (let c = cols - 2; c >= 1; c--) {
    const k = r * cols + c;
    dB[k] = Math.min(dB[k]!, dB[k + 1]! + cell, dB[k + cols]! + cell, dB[k + cols + 1]! + dd, dB[k + cols - 1]! + dd);
  }
  // Room around each handle: the mean free distance over 16 directions (ray march to the first
  // fixed node), at most 0.8× the free distance behind the handle (where the stretch goes).
  const fixedAt = (x: number, y: number): boolean => {
    const c = Math.round((x - left) / cell), r = Math.round((y - top) / cell);
    return c < 0 || r < 0 || c >= cols || r >= rows || state[r * cols + c] === 1;
  };
  const ray = (h: Point, dx: number, dy: number): number => {
    const step = cell / 2, maxL = (cols + rows) * cell;
    let l = 0;
    while (l < maxL && !fixedAt(h[0] + dx * l, h[1] + dy * l)) l += step;
    return l;
  };
  const room = mh.map((h, i) => {
    let sum = 0;
    for (let a = 0; a < 16; a++) sum += ray(h, Math.cos((a * Math.PI) / 8), Math.sin((a * Math.PI) / 8));
    const D = Math.hypot(mt[i]![0] - h[0], mt[i]![1] - h[1]);
    const back = D > 1e-9 ? ray(h, -(mt[i]![0] - h[0]) / D, -(mt[i]![1] - h[1]) / D) : Infinity;
    return Math.min(sum / 16, 0.8 * back / PART_FRACTION);
  });
  const grouped = rigidGroup(mh, mt) !== null;
  const s = new Float64Array(N);
  const tmp = new Float64Array(N);
  const hstate = new Uint8Array(N);
  /**
   * Attachment weight s for rigid-part radii `partFrac · room`: 1 on the parts, 0 on fixed nodes,
   * a linear ramp in between along the shortest way (dB / (dB + distance to the part)), smoothed.
   */
  const weights = (partFrac: number): void => {
    hstate.set(state);
    s.fill(0);
    for (let i = 0; i < mh.length; i++) {
      const h = mh[i]!, rad = partFrac * room[i]!;
      const c0 = Math.floor((h[0] - left) / cell), r0 = Math.floor((h[1] - top) / cell);
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) {
        const k = r * cols + c;
        if (state[k] === 1) continue;
        const inCell = (c === c0 || c === c0 + 1) && (r === r0 || r === r0 + 1);
        const dH = Math.max(0, Math.hypot(left + c * cell - h[0], top + r * cell - h[1]) - rad);
        if (inCell || dH === 0) { hstate[k] = 2; s[k] = 1; continue; }
        const v = dB[k]! / (dB[k]! + dH);
        if (v > s[k]!) s[k] = v;
      }
    }
    if (grouped) {
      // Arrows that move one rigid piece: the segments between their handles belong to the part too.
      const rad = partFrac * Math.min(...room);
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) {
        const k = r * cols + c;
        if (state[k] === 1 || hstate[k] === 2) continue;
        const x = left + c * cell, y = top + r * cell;
        let dSeg = Infinity;
        for (let i = 0; i < mh.length; i++) for (let j = i + 1; j < mh.length; j++) dSeg = Math.min(dSeg, segmentDistance(x, y, mh[i]!, mh[j]!));
        const dH = Math.max(0, dSeg - rad);
        if (dH === 0) { hstate[k] = 2; s[k] = 1; continue; }
        const v = dB[k]! / (dB[k]! + dH);
        if (v > s[k]!) s[k] = v;
      }
    }
    // Smooth the ramp (Jacobi, fixed and part nodes held): no crease along the medial axis.
    for (let it = 0; it < SMOOTH_ITER; it++) {
      tmp.set(s);
      for (let r = 1; r < rows - 1; r++) for (let c = 1; c < cols - 1; c++) {
        const k = r * cols + c;
        if (hstate[k] !== 0) continue;
        s[k] = 0.25 * (tmp[k - 1]! + tmp[k + 1]! + tmp[k - cols]! + tmp[k + cols]!);
      }
    }
  };
  weights(PART_FRACTION);

  const n = mh.length;
  const ctl: Controls = {
    n, moving: n, inner: 0, drag: 0,
    px: new Float64Array(n), py: new Float64Array(n), qx: new Float64Array(n), qy: new Float64Array(n), ws: new Float64Array(n).fill(1),
  };
  // Handles whose cell has only s = 1 nodes can be pinned exactly (forward) / targets whose cell is
  // free (backward); a pin next to a fixed node would move the fixed edge.
  const cellFree = (p: Point, need1: boolean): boolean => {
    const c = Math.floor((p[0] - left) / cell), r = Math.floor((p[1] - top) / cell);
    if (c < 0 || r < 0 || c >= cols - 1 || r >= rows - 1) return false;
    const k = r * cols + c;
    for (const q of [k, k + 1, k + cols, k + cols + 1]) if (need1 ? hstate[q] !== 2 : state[q] === 1) return false;
    return true;
  };
  let handleOk = mh.map((h) => cellFree(h, true));
  const scratch = new Float64Array(2);
  const make = (strength: number, occlude = true): DeformField | null => {
    throwIfCancelled(input.signal);
    let drag = 0;
    for (let i = 0; i < n; i++) {
      ctl.px[i] = mh[i]![0]; ctl.py[i] = mh[i]![1];
      ctl.qx[i] = mh[i]![0] + (mt[i]![0] - mh[i]![0]) * strength;
      ctl.qy[i] = mh[i]![1] + (mt[i]![1] - mh[i]![1]) * strength;
      drag = Math.max(drag, Math.hypot(ctl.qx[i]! - ctl.px[i]!, ctl.qy[i]! - ctl.py[i]!));
    }
    ctl.drag = drag;
    const f: DeformField = {
      left, top, cell, cols, rows, ex: new Float32Array(N), ey: new Float32Array(N), fx: new Float32Array(N), fy: new Float32Array(N),
      radius: Math.hypot(cols, rows) * cell, maxDisp: 0, strength,
    };
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const k = r * cols + c;
        const w = s[k]!;
        if (w <= 0) continue;
        handleMotion(ctl, left + c * cell, top + r * cell, scratch);
        f.fx[k] = w * scratch[0]!; f.fy[k] = w * scratch[1]!;
      }
    }
    // Exact landing of every pinnable handle (bilinear-exact forward).
    const sel = handleOk.map((ok, i) => (ok ? i : -1)).filter((i) => i >= 0);
    const pick = (a: Float64Array): Float64Array => Float64Array.from(sel, (i) => a[i]!);
    pinPoints(f, f.fx, f.fy, sel.length, pick(ctl.px), pick(ctl.py), pick(ctl.qx), pick(ctl.qy), scratch);
    const tsel = sel.filter((i) => cellFree([ctl.qx[i]!, ctl.qy[i]!], false));
    const pk = (a: Float64Array): Float64Array => Float64Array.from(tsel, (i) => a[i]!);
    if (minForwardJacobian(f) > MIN_JACOBIAN) {
      // Fold-free forward map: exact numerical inverse.
      const inv: Controls = { ...ctl, n: tsel.length, moving: tsel.length, px: pk(ctl.px), py: pk(ctl.py), qx: pk(ctl.qx), qy: pk(ctl.qy), ws: new Float64Array(tsel.length).fill(1) };
      if (!invertField(f, inv, scratch)) return null;
    } else if (!occlude) {
      return null;
    } else {
      // The drag asks for more than the room in front of the part: the part slides OVER what lies
      // in front (occlusion, depth = s), the rest stretches behind it.
      rasterizeBackward(f, s, state, mh);
      // Pin only targets that already show their own part (two parts overlapping at a target:
      // the one on top wins, and pinning the other would drag a whole cell across).
      const own = tsel.filter((i) => {
        sampleField(f, ctl.qx[i]!, ctl.qy[i]!, scratch);
        return Math.hypot(ctl.qx[i]! + scratch[0]! - ctl.px[i]!, ctl.qy[i]! + scratch[1]! - ctl.py[i]!) < 0.25 * cell;
      });
      const po = (a: Float64Array): Float64Array => Float64Array.from(own, (i) => a[i]!);
      if (own.length < tsel.length) warnings.push('two dragged parts overlap at a target; the one on top is shown there');
      pinPoints(f, f.ex, f.ey, own.length, po(ctl.qx), po(ctl.qy), po(ctl.px), po(ctl.py), scratch);
      // Where the part's edge occludes, the backward grid jumps (a seam, not a fold of content).
      return f;
    }
    return minCellJacobian(f) > 0 ? f : null;
  };
  // Fold-free with the default rigid part, then with a smaller one; else the part slides over
  // what lies in front of it (occlusion) with the default part.
  let field = make(1, false);
  if (!field) {
    weights(PART_FRACTION / 2);
    handleOk = mh.map((h) => cellFree(h, true));
    field = make(1, false);
  }
  if (!field) {
    // A fold-free drag of at least MIN_SMOOTH_STRENGTH of the way (half-size part) beats a seam.
    const f = make(MIN_SMOOTH_STRENGTH, false);
    if (f) {
      let lo = MIN_SMOOTH_STRENGTH, hi = 1;
      field = f;
      for (let it = 0; it < (input.refine ?? 5); it++) {
        const mid = (lo + hi) / 2;
        const g = make(mid, false);
        if (g) { lo = mid; field = g; } else hi = mid;
      }
      warnings.push(`the drag asks for more room than the editable area gives in front of it; moved ${(field.strength * 100).toFixed(0)}% of the way to stay smooth (draw a larger area for the full drag)`);
    }
  }
  if (!field) {
    weights(PART_FRACTION);
    handleOk = mh.map((h) => cellFree(h, true));
    field = make(1, true);
  }
  if (!field) {
    let lo = 0, hi = 1;
    for (let it = 0; it < 7; it++) {
      const mid = (lo + hi) / 2;
      const f = make(mid);
      if (f) { lo = mid; field = f; } else hi = mid;
    }
    if (field) warnings.push(`the drag asks for more stretch than the editable area allows; shortened to ${(field.strength * 100).toFixed(0)}% to avoid folding (draw a larger area, or move the object rigidly)`);
  }
  if (!field) {
    warnings.push('elastic drag could not be made fold-free (the handle sits on the edge of the editable area); it was skipped');
    return none;
  }
  if (handleOk.some((ok) => !ok)) warnings.push('a handle lies on the edge of the editable area, which stays fixed; it cannot reach its target exactly');
  // Every arrow that still falls short (its target at the area's fixed edge, under another
  // dragged part, or the drag shortened) is named with by how much.
  for (const { target: t, miss } of handleShortfalls(field, mh, mt)) {
    warnings.push(`the arrow ending at (${saidPoint(input.units, t)}) lands ${saidLength(input.units, miss, 1)} px short of its target (the area cannot bring its part there: draw the area a little larger around it)`);
  }
  const [lo, hi] = stretchRange(field);
  if (hi > STRETCH_WARN || lo < 1 / STRETCH_WARN) {
    warnings.push(`the drag stretches part of the area ${(hi > 1 / lo ? hi : 1 / lo).toFixed(1)}× (${hi > 1 / lo ? 'stretched' : 'squeezed'}); it may look smeared — a larger editable area gives it more room`);
  }
  return { field, warnings, maxStretch: hi, minStretch: lo };
}

/** Distance from (x, y) to the segment a–b. */
function segmentDistance(x: number, y: number, a: Point, b: Point): number {
  const dx = b[0] - a[0], dy = b[1] - a[1], l2 = dx * dx + dy * dy;
  const t = l2 > 0 ? Math.min(1, Math.max(0, ((x - a[0]) * dx + (y - a[1]) * dy) / l2)) : 0;
  return Math.hypot(x - a[0] - t * dx, y - a[1] - t * dy);
}
