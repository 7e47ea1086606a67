/**
 * Elastic drag: the reading of point drags on a LOOSE selection (an editable area drawn around an
 * object, like DragBench's masks or a quick lasso), issue #13.
 *
 * The part around each handle moves as a whole to its target; everything else inside the
 * editable area follows smoothly; the displacement is exactly zero on the area's boundary, on
 * keep pixels and on pinned points, so nothing is cut out and nothing needs filling — the
 * surroundings stretch (the neck stretches when the head moves). ELASTIC-NOTES.md showed why a
 * harmonic field pinned at points fails (only a bubble moves) and why a stretch band at the edge
 * streaks; here the pinned sets are discs that scale with the room around the target, and the
 * field between them and the boundary falls off linearly with the ratio of the distances to the
 * boundary and to the part (a membrane would concentrate the stretch around a small part and fold),
 * which spreads the stretch over all the room there is; a light smoothing removes the kinks of the
 * distance fields. (Content-aware stiffness — smoothing weighted by image structure — was tried:
 * it concentrated the stretch in the soft cells and folded twice as often on DragBench.)
 *
 * The field is the BACKWARD displacement `v(t)` (content at target `t` comes from `t + v(t)`) on a
 * coarse grid, then checked: every cell must keep its orientation (no folds) — otherwise the
 * caller falls back to another reading. Cost ∝ grid nodes × parts (≤ ~100² nodes), never the
 * pixels; the renderer samples it bilinearly like the MLS deform field.
 */
import { fillSmallHoles, maskBounds, type ElasticMap } from '@smartdrag/shared';
import type { PlacedMask, Point } from '../types';
import { saidLength, saidPoint, type PixelUnits } from '../plan/units';
import { type DeformField, handleShortfalls, minCellJacobian } from './deform-field';
import { bandField, parallelArrows } from './elastic-band';
import { MaskMemo, pointsKey } from './elastic-cache';
import { squaredDistance } from '../distance-transform';
import { throwIfCancelled } from '../cancel';

export interface ElasticInput {
  /**
   * The editable area (the region's mask), document coordinates — as {@link elasticArea} gives it
   * (with the keep masks), so that stray unselected specks do not pin the map.
   */
  mask: PlacedMask;
  /** Handles and targets of the drags (equal pairs are pins), document coordinates. */
  handles: readonly Point[];
  targets: readonly Point[];
  /** Extra points that stay put. */
  pins?: readonly Point[];
  /** Pixels that never change. */
  keep?: readonly PlacedMask[];
  /** Grid cell in pixels (default: the area's larger side / 96, or / 48 for a preview, at least 4). */
  cell?: number;
  /** A preview: the default grid is half as fine (a quarter of the nodes to build and check). */
  preview?: boolean;
  /** Checked between the steps of the build (core/cancel.ts); a cancelled build is not kept. */
  signal?: AbortSignal;
  /**
   * The request's pixels against the document's (plan/units.ts `pixelUnits`; default the same):
   * the warnings say lengths and positions in document pixels, so that a preview on a proxy says
   * what its final says. The planner and the warp pass the same units (they share the field).
   */
  units?: PixelUnits;
}

export interface ElasticResult {
  field: DeformField | null;
  warnings: string[];
  /** Largest local stretch of the map (1 = rigid; 2 = something looks twice as long). */
  maxStretch: number;
  /** Radius (px) of the part that moves as a whole around each moving target. */
  partRadius: number[];
  /**
   * Which map was built (what the plan tells the user): `parts` — a part around each target moves
   * as a whole, the rest stretches; `band` — parallel arrows push an edge, a band through their
   * targets moves and the content stretches or compresses along the drag only; `group` — the arrows
   * move one piece, everything between their targets moves as one and every handle lands; `turn` —
   * the same piece on the arrows' best common turn (landing every handle exactly would fold the area).
   */
  reading: ElasticReading;
}

/** The maps this builder makes (the occlusion fallback, elastic-occlusion.ts, is the fifth kind of `ElasticMap`). */
export type ElasticReading = Exclude<ElasticMap, 'occlusion'>;

/** Grid nodes along the area's larger side (final; a preview uses PREVIEW_NODES). */
const FINAL_NODES = 96;
const PREVIEW_NODES = 48;
/** Stretch above which the plan says the drag asks more than the area can give. */
export const ELASTIC_STRETCH_WARN = 2.5;
/** Smallest allowed normalised cell Jacobian (orientation kept with some margin). */
const MIN_JACOBIAN = 0.15;
/**
 * A ray sample may skip the samples within (clearance − this × cell) of it: a node is at most √2/2
 * cell from its sample, twice that between two samples' nodes (√2 = 1.4142…, with a margin).
 */
const SKIP_MARGIN = 1.42;
/** Rounds of 8 smoothing sweeps tried before giving up on a fold-free field. */
const SMOOTH_ROUNDS = 12;

function coverageAt(m: PlacedMask, x: number, y: number): number {
  const mx = Math.round(x) - m.left, my = Math.round(y) - m.top;
  return mx >= 0 && my >= 0 && mx < m.width && my < m.height ? m.data[my * m.width + mx]! : 0;
}

/**
 * Per node: 1 when every pixel within one cell of it is solid editable area and not keep (the
 * node may move without any pixel outside the area or in keep receiving a displacement), else 0.
 */
function freeNodes(m: PlacedMask, keep: readonly PlacedMask[], left: number, top: number, cols: number, rows: number, cell: number): Uint8Array {
  // Per pixel: solid and not keep; then a summed-area table to test cell squares. Only the pixels
  // the node squares can reach (the grid's extent plus one cell) are tabled.
  const wx0 = Math.max(m.left, left - cell), wy0 = Math.max(m.top, top - cell);
  const wx1 = Math.min(m.left + m.width, left + (cols - 1) * cell + cell + 1), wy1 = Math.min(m.top + m.height, top + (rows - 1) * cell + cell + 1);
  const free = new Uint8Array(cols * rows);
  const w = wx1 - wx0, h = wy1 - wy0;
  if (w <= 0 || h <= 0) return free;
  const sat = new Int32Array((w + 1) * (h + 1));
  const md = m.data, mw = m.width;
  const keeps = keep.filter((k) => k.left < wx1 && k.top < wy1 && k.left + k.width > wx0 && k.top + k.height > wy0);
  for (let y = 0; y < h; y++) {
    let run = 0;
    const row = (wy0 + y - m.top) * mw + wx0 - m.left;
    for (let x = 0; x < w; x++) {
      let ok = md[row + x]! >= 128 ? 1 : 0;
      if (ok) for (const k of keeps) if (coverageAt(k, x + wx0, y + wy0) > 0) { ok = 0; break; }
      run += ok;
      sat[(y + 1) * (w + 1) + x + 1] = sat[y * (w + 1) + x + 1]! + run;
    }
  }
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const x = left + c * cell - wx0, y = top + r * cell - wy0;
      const ax = x - cell, ay = y - cell, bx = x + cell, by = y + cell; // inclusive square
      if (ax < 0 || ay < 0 || bx >= w || by >= h) continue;
      const sum = sat[(by + 1) * (w + 1) + bx + 1]! - sat[ay * (w + 1) + bx + 1]! - sat[(by + 1) * (w + 1) + ax]! + sat[ay * (w + 1) + ax]!;
      if (sum === (2 * cell + 1) * (2 * cell + 1)) free[r * cols + c] = 1;
    }
  }
  return free;
}

/**
 * Euclidean distance (px) from each node to the nearest non-free node, counting the nodes just
 * outside the grid as non-free (the exact transform of core/distance-transform.ts on the grid
 * padded by one ring of non-free nodes).
 */
export function nodeClearance(free: Uint8Array, cols: number, rows: number, cell: number): Float32Array {
  const W = cols + 2, H = rows + 2;
  const seed = new Uint8Array(W * H).fill(1);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) if (free[r * cols + c] === 1) seed[(r + 1) * W + c + 1] = 0;
  const g = squaredDistance(seed, W, H);
  const out = new Float32Array(cols * rows);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r * cols + c] = Math.sqrt(g[(r + 1) * W + c + 1]!) * cell;
  return out;
}

/** Grid distance (in nodes, 8-neighbour chamfer) from each node to the nearest non-free node. */
function nodeDepth(free: Uint8Array, cols: number, rows: number): Float32Array {
  const d = new Float32Array(cols * rows);
  const INF = 1e9, D = Math.SQRT2;
  for (let i = 0; i < d.length; i++) d[i] = free[i] ? INF : 0;
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) {
    const i = r * cols + c;
    if (!d[i]) continue;
    let v = d[i]!;
    if (c > 0) v = Math.min(v, d[i - 1]! + 1);
    if (r > 0) { v = Math.min(v, d[i - cols]! + 1); if (c > 0) v = Math.min(v, d[i - cols - 1]! + D); if (c + 1 < cols) v = Math.min(v, d[i - cols + 1]! + D); }
    if (c === 0 || r === 0 || c === cols - 1 || r === rows - 1) v = Math.min(v, 1);
    d[i] = v;
  }
  for (let r = rows - 1; r >= 0; r--) for (let c = cols - 1; c >= 0; c--) {
    const i = r * cols + c;
    if (!d[i]) continue;
    let v = d[i]!;
    if (c + 1 < cols) v = Math.min(v, d[i + 1]! + 1);
    if (r + 1 < rows) { v = Math.min(v, d[i + cols]! + 1); if (c + 1 < cols) v = Math.min(v, d[i + cols + 1]! + D); if (c > 0) v = Math.min(v, d[i + cols - 1]! + D); }
    d[i] = v;
  }
  return d;
}

/** The node grid a ray is cast through (see {@link rayExit}). */
export interface RayGrid {
  free: Uint8Array;
  /** {@link nodeClearance} of `free`. */
  clear: Float32Array;
  left: number; top: number; cols: number; rows: number; cell: number;
}

/**
 * Distance (px) from (cx, cy) along the ray through (x, y) to the first non-free node: the ray is
 * sampled every half cell from half a cell on, and each sample tests the node nearest to it (a
 * sample off the grid counts as non-free). From a sample whose node is `clear` px from every
 * non-free node (and from the grid's outside), every later sample within clear − √2·cell px has
 * a free node too (each node lies within √2/2 cell of its sample), so those samples are skipped:
 * the same samples decide, in a few steps instead of one per half cell.
 */
export function rayExit(g: RayGrid, cx: number, cy: number, x: number, y: number): number {
  const { free, clear, left, top, cols, rows, cell } = g;
  const dx = x - cx, dy = y - cy, len = Math.hypot(dx, dy);
  if (len < 1e-9) return 0;
  const ux = dx / len, uy = dy / len, stepPx = cell / 2, margin = SKIP_MARGIN * cell;
  for (let s = stepPx; ;) {
    const gc = Math.round((cx + ux * s - left) / cell), gr = Math.round((cy + uy * s - top) / cell);
    if (gc < 0 || gr < 0 || gc >= cols || gr >= rows || !free[gr * cols + gc]) return s;
    const skip = Math.floor((clear[gr * cols + gc]! - margin) / stepPx);
    s += (skip > 1 ? skip : 1) * stepPx;
  }
}

/**
 * The displacement between the moving parts and the fixed boundary. Per part, along every ray
 * from its centre the displacement falls off linearly from the part's edge to where the ray
 * leaves the free area: behind a dragged part the stretch is spread over all the room back to the
 * selection's edge (a neck stretches along its length), ahead of it the content is compressed.
 * (A membrane, or a falloff by the distance to the NEAREST edge, concentrates the stretch around
 * the part and folds as soon as the drag is longer than the room beside the target.) Parts are
 * blended by inverse squared distance; pins are parts that do not move.
 */
function blendParts(
  vx: Float32Array, vy: Float32Array, fixed: Uint8Array, grid: RayGrid,
  parts: ReadonlyArray<{ c: Point; r: number; d: Point }>,
): void {
  const { left, top, cols, rows, cell } = grid;
  for (let row = 0; row < rows; row++) {
    for (let col = 0; col < cols; col++) {
      const k = row * cols + col;
      if (fixed[k]) continue;
      const x = left + col * cell, y = top + row * cell;
      let wsum = 0, ax = 0, ay = 0;
      for (const p of parts) {
        const rho = Math.hypot(x - p.c[0], y - p.c[1]);
        const dT = Math.max(0, rho - p.r);
        let phi = 1; // inside the part it moves whole (no ray needed)
        if (rho > p.r) {
          const L = Math.max(rho, rayExit(grid, p.c[0], p.c[1], x, y));
          phi = Math.max(0, (L - rho) / Math.max(1e-6, L - p.r));
        }
        const w = 1 / (dT * dT + 0.25);
        wsum += w; ax += w * phi * p.d[0]; ay += w * phi * p.d[1];
      }
      vx[k] = ax / wsum; vy[k] = ay / wsum;
    }
  }
}

/** A few Jacobi sweeps of the 4-neighbour average on the free nodes (smooths the kinks of the distance fields). */
function smooth(v: Float32Array, fixed: Uint8Array, cols: number, rows: number, sweeps: number): void {
  const tmp = new Float32Array(v.length);
  for (let s = 0; s < sweeps; s++) {
    tmp.set(v);
    for (let r = 1; r < rows - 1; r++) {
      for (let c = 1; c < cols - 1; c++) {
        const k = r * cols + c;
        if (fixed[k]) continue;
        const avg = 0.25 * (tmp[k - 1]! + tmp[k + 1]! + tmp[k - cols]! + tmp[k + cols]!);
        v[k] = 0.5 * tmp[k]! + 0.5 * avg;
      }
    }
  }
}

/**
 * Up to SMOOTH_ROUNDS rounds of `sweeps` smoothing sweeps of both components, stopping as soon as
 * no cell folds (checked after every round, and before the first when `checkFirst`); true when the
 * field ends fold-free.
 */
function settle(vx: Float32Array, vy: Float32Array, fixed: Uint8Array, cols: number, rows: number, cell: number, sweeps: number, checkFirst: boolean): boolean {
  if (checkFirst && minJacobianOf(vx, vy, cols, rows, cell) >= MIN_JACOBIAN) return true;
  for (let round = 0; round < SMOOTH_ROUNDS; round++) {
    smooth(vx, fixed, cols, rows, sweeps);
    smooth(vy, fixed, cols, rows, sweeps);
    if (minJacobianOf(vx, vy, cols, rows, cell) >= MIN_JACOBIAN) return true;
  }
  return false;
}

function minJacobianOf(vx: Float32Array, vy: Float32Array, cols: number, rows: number, cell: number): number {
  return minCellJacobian({ left: 0, top: 0, cell, cols, rows, ex: vx, ey: vy, fx: vx, fy: vy, radius: 0, maxDisp: 0, strength: 1 });
}

/** Largest local stretch of the backward map t ↦ t + v(t) over the grid cells (σmax or 1/σmin). */
function maxCellStretch(f: DeformField): number {
  let worst = 1;
  const { cols, rows, cell, ex, ey } = f;
  for (let r = 0; r + 1 < rows; r++) {
    for (let c = 0; c + 1 < cols; c++) {
      const k = r * cols + c;
      if (ex[k] === 0 && ey[k] === 0 && ex[k + 1] === 0 && ey[k + 1] === 0 && ex[k + cols] === 0 && ey[k + cols] === 0) continue;
      // Jacobian of the backward map from forward differences: J = I + ∇v.
      const a = 1 + (ex[k + 1]! - ex[k]!) / cell, b = (ex[k + cols]! - ex[k]!) / cell;
      const cc = (ey[k + 1]! - ey[k]!) / cell, d = 1 + (ey[k + cols]! - ey[k]!) / cell;
      // Singular values of [[a, b], [cc, d]].
      const s1 = a * a + b * b + cc * cc + d * d, det = Math.abs(a * d - b * cc);
      const disc = Math.sqrt(Math.max(0, s1 * s1 / 4 - det * det));
      const smax = Math.sqrt(s1 / 2 + disc), smin = Math.sqrt(Math.max(1e-12, s1 / 2 - disc));
      // The backward map compresses where content is stretched on screen: both directions count.
      const s = Math.max(smax, 1 / smin);
      if (s > worst) worst = s;
    }
  }
  return worst;
}

/**
 * Build the elastic backward field for one region. Returns `field: null` (with a warning) when
 * nothing moves, a target or handle lies outside the editable area, or no fold-free field exists.
 */
export function buildElasticField(input: ElasticInput): ElasticResult {
  const key = `${pointsKey(input.handles, input.targets, input.pins)}|${input.cell ?? ''}|${input.preview ? 'p' : 'f'}|${input.units?.key ?? ''}`;
  return fieldMemo.get(input.mask, input.keep ?? [], key, () => computeElasticField(input));
}

const gridMemo = new MaskMemo<{ free: Uint8Array; depth: Float32Array; clear: Float32Array }>();

function computeElasticField(input: ElasticInput, exactGroup = true): ElasticResult {
  const { mask, handles, targets, units } = input;
  const keep = input.keep ?? [];
  const warnings: string[] = [];
  const none = (w?: string): ElasticResult => ({ field: null, warnings: w ? [...warnings, w] : warnings, maxStretch: 1, partRadius: [], reading: 'parts' });
  if (handles.length !== targets.length) throw new RangeError('elastic drag needs as many targets as handles');
  const solid = maskBounds(mask, 128);
  if (solid.width === 0) return none('the selection is empty; nothing moves');
  const sb = { x0: solid.left, y0: solid.top, x1: solid.left + solid.width - 1, y1: solid.top + solid.height - 1 };
  const cell = input.cell ?? Math.max(4, Math.ceil(Math.max(sb.x1 - sb.x0 + 1, sb.y1 - sb.y0 + 1) / (input.preview ? PREVIEW_NODES : FINAL_NODES)));
  const left = Math.floor(sb.x0 / cell) * cell - cell, top = Math.floor(sb.y0 / cell) * cell - cell;
  const cols = Math.ceil((sb.x1 - left) / cell) + 3, rows = Math.ceil((sb.y1 - top) / cell) + 3;
  const nNodes = cols * rows;
  // Free nodes and their depth depend only on the area, keep and grid: every frame of a drag
  // (and the planner and the warp of one job) reads them from the memo (read-only).
  const { free, depth, clear } = gridMemo.get(mask, keep, `${left},${top},${cols},${rows},${cell}`, () => {
    const f = freeNodes(mask, keep, left, top, cols, rows, cell);
    throwIfCancelled(input.signal);
    return { free: f, depth: nodeDepth(f, cols, rows), clear: nodeClearance(f, cols, rows, cell) };
  });
  throwIfCancelled(input.signal);
  const nodeAt = (p: Point): number => {
    const c = Math.round((p[0] - left) / cell), r = Math.round((p[1] - top) / cell);
    return c >= 0 && r >= 0 && c < cols && r < rows ? r * cols + c : -1;
  };

  // Moving drags and pins.
  const mh: Point[] = [], mt: Point[] = [];
  const pins: Point[] = [...(input.pins ?? [])];
  for (let i = 0; i < handles.length; i++) {
    const h = handles[i]!, t = targets[i]!;
    if (Math.hypot(t[0] - h[0], t[1] - h[1]) < 1e-6) pins.push(h); else { mh.push(h); mt.push(t); }
  }
  if (mh.length === 0) return none();
  for (let i = 0; i < mh.length; i++) {
    for (const [p, what] of [[mh[i]!, 'starts'], [mt[i]!, 'ends']] as const) {
      const k = nodeAt(p);
      if (k < 0 || (!free[k] && coverageAt(mask, p[0], p[1]) < 128)) {
        return none(`an arrow ${what} outside the editable area at (${saidPoint(units, p)}); it cannot be an elastic drag`);
      }
    }
  }

  // Parallel arrows push or pull an edge: a band across the area moves with them and the content
  // stretches or compresses along the drag only (elastic-band.ts); the parts below otherwise.
  if (mh.length >= 2 && parallelArrows(mh, mt)) {
    const band = bandField({ free, left, top, cols, rows, cell }, mh, mt);
    if (band) {
      const fixed = new Uint8Array(nNodes);
      for (let k = 0; k < nNodes; k++) if (!free[k] || band.band[k]) fixed[k] = 1;
      for (const p of pins) {
        const k = nodeAt(p);
        if (k >= 0) { fixed[k] = 1; band.vx[k] = 0; band.vy[k] = 0; }
      }
      // Used as built when it does not fold; else lightly smoothed until it does not.
      if (settle(band.vx, band.vy, fixed, cols, rows, cell, 2, true)) {
        return finish(band.vx, band.vy, mh, mt, mh.map(() => cell), left, top, cols, rows, cell, warnings, 'band', units);
      }
    }
  }

  // The part that moves as a whole around each target: a disc that fills about half the room
  // between the target and the area's edge, leaving room for the stretch (gap ≥ 0.9 × drag),
  // and never reaching another target or pin.
  const partRadius: number[] = [];
  for (let i = 0; i < mt.length; i++) {
    const t = mt[i]!, h = mh[i]!;
    const drag = Math.hypot(t[0] - h[0], t[1] - h[1]);
    const kt = nodeAt(t), kh = nodeAt(h);
    const room = Math.min(depth[kt]!, depth[kh]!) * cell;
    let r = 0.5 * room;
    void drag;
    for (let j = 0; j < mt.length; j++) if (j !== i) r = Math.min(r, 0.45 * Math.hypot(mt[j]![0] - t[0], mt[j]![1] - t[1]));
    for (const p of pins) r = Math.min(r, 0.6 * Math.hypot(p[0] - t[0], p[1] - t[1]), 0.6 * Math.hypot(p[0] - h[0], p[1] - h[1]));
    partRadius.push(Math.max(1.5 * cell, r));
  }

  // Fixed values: 0 on non-free nodes and pins, the drag's displacement on each part.
  const vx = new Float32Array(nNodes), vy = new Float32Array(nNodes);
  const fixed = new Uint8Array(nNodes);
  for (let k = 0; k < nNodes; k++) if (!free[k]) fixed[k] = 1;
  for (const p of pins) {
    const rr = Math.max(cell, 4);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) {
      if (Math.hypot(left + c * cell - p[0], top + r * cell - p[1]) <= rr) fixed[r * cols + c] = 1;
    }
  }
  for (let i = 0; i < mt.length; i++) {
    const t = mt[i]!, h = mh[i]!, rad = partRadius[i]!;
    let any = false;
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) {
      const k = r * cols + c;
      if (!free[k]) continue;
      if (Math.hypot(left + c * cell - t[0], top + r * cell - t[1]) > rad) continue;
      fixed[k] = 1; vx[k] = h[0] - t[0]; vy[k] = h[1] - t[1]; any = true;
    }
    if (!any) {
      const k = nodeAt(t);
      fixed[k] = 1; vx[k] = h[0] - t[0]; vy[k] = h[1] - t[1];
    }
  }

  const parts = mt.map((t, i) => ({ c: t, r: partRadius[i]!, d: [mh[i]![0] - t[0], mh[i]![1] - t[1]] as Point }));
  // Handles that move together as one rigid piece (several arrows turning and shifting a thing by
  // the same rotation): everything between their targets moves with them as one part, so the thing
  // stays straight instead of sagging between the arrows.
  const group = rigidGroup(mh, mt, exactGroup);
  if (group) {
    for (const c of groupSamples(mt, Math.max(cell, Math.min(...partRadius) / 2))) {
      const k = nodeAt(c);
      if (k < 0 || !free[k]) continue;
      const src = group.backward(c);
      const ks = nodeAt(src);
      if (ks < 0 || !free[ks]) continue;
      let r = Math.max(1.5 * cell, 0.5 * Math.min(depth[k]!, depth[ks]!) * cell);
      for (const p of pins) r = Math.min(r, 0.6 * Math.hypot(p[0] - c[0], p[1] - c[1]));
      const d: Point = [src[0] - c[0], src[1] - c[1]];
      parts.push({ c, r, d });
      for (let rr = 0; rr < rows; rr++) for (let cc = 0; cc < cols; cc++) {
        const kk = rr * cols + cc;
        if (!free[kk] || Math.hypot(left + cc * cell - c[0], top + rr * cell - c[1]) > r) continue;
        fixed[kk] = 1;
        const b = group.backward([left + cc * cell, top + rr * cell]);
        vx[kk] = b[0] - (left + cc * cell); vy[kk] = b[1] - (top + rr * cell);
      }
    }
  }
  for (const p of pins) parts.push({ c: p, r: Math.max(cell, 4), d: [0, 0] });
  throwIfCancelled(input.signal);
  blendParts(vx, vy, fixed, { free, clear, left, top, cols, rows, cell }, parts);
  throwIfCancelled(input.signal);
  // Smooth until no cell folds (the distance-based field has kinks where rays graze the edge);
  // each round moves it towards the membrane solution, which is smoother but spreads less.
  // (`finish` checks the result again and refuses a field that still folds.)
  settle(vx, vy, fixed, cols, rows, cell, 8, false);
  throwIfCancelled(input.signal);
  const res = finish(vx, vy, mh, mt, partRadius, left, top, cols, rows, cell, warnings, !group ? 'parts' : exactGroup ? 'group' : 'turn', units);
  // A piece made to land every handle exactly may fold where its best common turn does not:
  // then the turn, and the plan says by how much an arrow falls short.
  if (!res.field && group && exactGroup) return computeElasticField(input, false);
  return res;
}

/** The field of {@link buildElasticField} checked for folds, inverted and measured. */
function finish(
  vx: Float32Array, vy: Float32Array, mh: readonly Point[], mt: readonly Point[], partRadius: number[],
  left: number, top: number, cols: number, rows: number, cell: number, warnings: string[],
  /** The map built; with `turn` an arrow may land short because the piece moves on the arrows' best common turn, otherwise because it ends at the area's fixed edge. */
  reading: ElasticReading,
  /** The request's units: the warnings' lengths and positions are said in document pixels. */
  units?: PixelUnits,
): ElasticResult {
  const nNodes = cols * rows;
  const none = (w: string): ElasticResult => ({ field: null, warnings: [...warnings, w], maxStretch: 1, partRadius: [], reading });
  const field: DeformField = {
    left, top, cell, cols, rows, ex: vx, ey: vy, fx: new Float32Array(nNodes), fy: new Float32Array(nNodes),
    radius: Math.max(...partRadius), maxDisp: 0, strength: 1,
  };
  let maxDisp = 0;
  for (let k = 0; k < nNodes; k++) maxDisp = Math.max(maxDisp, Math.hypot(vx[k]!, vy[k]!));
  field.maxDisp = maxDisp;
  const minJ = minCellJacobian(field);
  if (minJ < MIN_JACOBIAN) {
    const chords = mt.map((t, i): Point => [t[0] - mh[i]![0], t[1] - mh[i]![1]]);
    const lengths = chords.map((c) => Math.hypot(c[0], c[1]));
    const longest = Math.max(...lengths);
    return none(`the drag (${saidLength(units, longest, 0, chords[lengths.indexOf(longest)])} px) is too long for the room in the selection: the elastic map would fold (smallest cell area ratio ${minJ.toFixed(2)})`);
  }
  invertToForward(field);
  const maxStretch = maxCellStretch(field);
  if (maxStretch > ELASTIC_STRETCH_WARN) {
    warnings.push(`the drag stretches the surroundings up to ${maxStretch.toFixed(1)}×: a larger selection or a shorter arrow looks more natural`);
  }
  // An arrow that ends within a cell or two of the area's edge cannot land there: the edge stays.
  for (const { target: t, miss } of handleShortfalls(field, mh, mt)) {
    const at = `the arrow ending at (${saidPoint(units, t)})`, short = saidLength(units, miss, 1);
    warnings.push(reading === 'turn'
      ? `${at} lands ${short} px short: the arrows do not agree on one turn, and the piece between them moves as one on their best common turn (the exact fit would fold the area)`
      : `${at} ends too close to the edge of the editable area, which stays fixed: it lands ${short} px short (draw the area a little larger around it)`);
  }
  return { field, warnings, maxStretch, partRadius, reading };
}

/**
 * Forward displacement per node (target − source at source positions) by fixed-point iteration
 * of s = t + v(t) → t = s − v(t); converges while the map is a contraction-free bijection.
 */
function invertToForward(f: DeformField): void {
  const { cols, rows, cell, left, top, ex, ey, fx, fy } = f;
  const e = new Float64Array(2);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) {
    const k = r * cols + c;
    const sx = left + c * cell, sy = top + r * cell;
    if (ex[k] === 0 && ey[k] === 0) {
      // Fast path: if the neighbourhood is still, the node is its own preimage.
      let still = true;
      for (let dr = -1; dr <= 1 && still; dr++) for (let dc = -1; dc <= 1; dc++) {
        const rr = r + dr, cc = c + dc;
        if (rr < 0 || cc < 0 || rr >= rows || cc >= cols) continue;
        if (ex[rr * cols + cc] !== 0 || ey[rr * cols + cc] !== 0) { still = false; break; }
      }
      if (still) continue;
    }
    let tx = sx - ex[k]!, ty = sy - ey[k]!;
    for (let it = 0; it < 30; it++) {
      bilinear(f, tx, ty, e);
      const nx = sx - e[0]!, ny = sy - e[1]!;
      const moved = Math.abs(nx - tx) + Math.abs(ny - ty);
      tx = nx; ty = ny;
      if (moved < 1e-3) break;
    }
    fx[k] = tx - sx; fy[k] = ty - sy;
  }
}

function bilinear(f: DeformField, x: number, y: number, out: Float64Array): void {
  const gx = (x - f.left) / f.cell, gy = (y - f.top) / f.cell;
  if (!(gx >= 0 && gy >= 0 && gx < f.cols - 1 && gy < f.rows - 1)) { out[0] = 0; out[1] = 0; return; }
  const c = gx | 0, r = gy | 0, ax = gx - c, ay = gy - r, k = r * f.cols + c;
  const w00 = (1 - ax) * (1 - ay), w10 = ax * (1 - ay), w01 = (1 - ax) * ay, w11 = ax * ay;
  out[0] = f.ex[k]! * w00 + f.ex[k + 1]! * w10 + f.ex[k + f.cols]! * w01 + f.ex[k + f.cols + 1]! * w11;
  out[1] = f.ey[k]! * w00 + f.ey[k + 1]! * w10 + f.ey[k + f.cols]! * w01 + f.ey[k + f.cols + 1]! * w11;
}

/** Largest misfit (fraction of the longest arrow) for arrows to count as one rigid piece. */
export const RIGID_GROUP_RESIDUAL = 0.25;

/**
 * When two or more moving arrows are explained by one rotation + translation (every handle lands
 * within {@link RIGID_GROUP_RESIDUAL} of the longest arrow from its target), the backward map of
 * that motion (target → source); else null.
 */
export function rigidGroup(handles: readonly Point[], targets: readonly Point[], exact = true): { backward: (t: Point) => Point; angle: number } | null {
  const n = handles.length;
  if (n < 2) return null;
  let px = 0, py = 0, qx = 0, qy = 0;
  for (let i = 0; i < n; i++) { px += handles[i]![0]; py += handles[i]![1]; qx += targets[i]![0]; qy += targets[i]![1]; }
  px /= n; py /= n; qx /= n; qy /= n;
  let a = 0, b = 0, longest = 0;
  for (let i = 0; i < n; i++) {
    const ux = handles[i]![0] - px, uy = handles[i]![1] - py, vx = targets[i]![0] - qx, vy = targets[i]![1] - qy;
    a += ux * vx + uy * vy; b += ux * vy - uy * vx;
    longest = Math.max(longest, Math.hypot(targets[i]![0] - handles[i]![0], targets[i]![1] - handles[i]![1]));
  }
  const th = Math.atan2(b, a), cs = Math.cos(th), sn = Math.sin(th);
  for (let i = 0; i < n; i++) {
    const ux = handles[i]![0] - px, uy = handles[i]![1] - py;
    const mx = cs * ux - sn * uy + qx, my = sn * ux + cs * uy + qy;
    if (Math.hypot(mx - targets[i]![0], my - targets[i]![1]) > RIGID_GROUP_RESIDUAL * longest) return null;
  }
  // Backward: s = Rᵀ (t − q̄) + p̄ — the best turn; then made exact at every target (each handle
  // lands on its target, issue #13): two arrows by the similarity through both pairs (a turn and
  // the slight scale the arrows ask for; lines stay straight), more by the least-squares affine map
  // plus the leftover misfit of each target spread by inverse-distance weights.
  const rigid = (t: Point): Point => { const dx = t[0] - qx, dy = t[1] - qy; return [cs * dx + sn * dy + px, -sn * dx + cs * dy + py]; };
  return { angle: th, backward: (exact ? exactAt(handles, targets) : null) ?? rigid };
}

/**
 * A smooth backward map that sends every target exactly to its handle and is a similarity (two
 * pairs) or an affine map plus inverse-distance corrections (three or more), or null when the
 * targets are degenerate for it (coincident, or all on one line).
 */
function exactAt(handles: readonly Point[], targets: readonly Point[]): ((t: Point) => Point) | null {
  const n = handles.length;
  if (n === 2) {
    // z = (h1 − h0) / (t1 − t0) as complex numbers; s = h0 + z (t − t0).
    const ax = targets[1]![0] - targets[0]![0], ay = targets[1]![1] - targets[0]![1], d = ax * ax + ay * ay;
    if (d < 1e-9) return null;
    const bx = handles[1]![0] - handles[0]![0], by = handles[1]![1] - handles[0]![1];
    const zr = (bx * ax + by * ay) / d, zi = (by * ax - bx * ay) / d;
    const h0 = handles[0]!, t0 = targets[0]!;
    return (t) => { const dx = t[0] - t0[0], dy = t[1] - t0[1]; return [h0[0] + zr * dx - zi * dy, h0[1] + zi * dx + zr * dy]; };
  }
  // Least-squares affine s = A t + c over the pairs (normal equations on centred coordinates).
  let mx = 0, my = 0, hx = 0, hy = 0;
  for (let i = 0; i < n; i++) { mx += targets[i]![0]; my += targets[i]![1]; hx += handles[i]![0]; hy += handles[i]![1]; }
  mx /= n; my /= n; hx /= n; hy /= n;
  let sxx = 0, sxy = 0, syy = 0, ux = 0, uy = 0, vx = 0, vy = 0;
  for (let i = 0; i < n; i++) {
    const x = targets[i]![0] - mx, y = targets[i]![1] - my, u = handles[i]![0] - hx, v = handles[i]![1] - hy;
    sxx += x * x; sxy += x * y; syy += y * y; ux += u * x; uy += u * y; vx += v * x; vy += v * y;
  }
  const det = sxx * syy - sxy * sxy;
  if (Math.abs(det) < 1e-6 * Math.max(1, sxx * syy)) return null;
  const a11 = (ux * syy - uy * sxy) / det, a12 = (uy * sxx - ux * sxy) / det;
  const a21 = (vx * syy - vy * sxy) / det, a22 = (vy * sxx - vx * sxy) / det;
  const affine = (t: Point): Point => { const x = t[0] - mx, y = t[1] - my; return [hx + a11 * x + a12 * y, hy + a21 * x + a22 * y]; };
  const res = handles.map((h, i) => { const a = affine(targets[i]!); return [h[0] - a[0], h[1] - a[1]] as Point; });
  return (t) => {
    const a = affine(t);
    let wx = 0, wy = 0, ws = 0;
    for (let i = 0; i < n; i++) {
      const d2 = (t[0] - targets[i]![0]) ** 2 + (t[1] - targets[i]![1]) ** 2;
      if (d2 < 1e-12) return [a[0] + res[i]![0], a[1] + res[i]![1]];
      const w = 1 / (d2 * d2);
      wx += w * res[i]![0]; wy += w * res[i]![1]; ws += w;
    }
    return [a[0] + wx / ws, a[1] + wy / ws];
  };
}

/**
 * Points covering the convex hull of `pts`: the segments between every pair, spaced `step`, and —
 * for three or more points — a lattice of the same spacing inside the hull.
 */
export function groupSamples(pts: readonly Point[], step: number): Point[] {
  const out: Point[] = [];
  for (let i = 0; i < pts.length; i++) {
    for (let j = i + 1; j < pts.length; j++) {
      const a = pts[i]!, b = pts[j]!, len = Math.hypot(b[0] - a[0], b[1] - a[1]);
      const n = Math.max(1, Math.ceil(len / step));
      for (let k = 0; k <= n; k++) out.push([a[0] + ((b[0] - a[0]) * k) / n, a[1] + ((b[1] - a[1]) * k) / n]);
    }
  }
  const hull = convexHull(pts);
  if (hull.length >= 3) {
    // A lattice, not a fan of segments from the centroid to every edge sample: the fan piled
    // hundreds of samples up around the centroid, each one a part the field blends at every node
    // (a 3-arrow lift of a sofa's back took ~1 s to plan at 512 px; now ~0.1 s).
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (const p of hull) { x0 = Math.min(x0, p[0]); y0 = Math.min(y0, p[1]); x1 = Math.max(x1, p[0]); y1 = Math.max(y1, p[1]); }
    for (let y = y0 + step / 2; y < y1; y += step) {
      for (let x = x0 + step / 2; x < x1; x += step) if (insideConvex(hull, x, y)) out.push([x, y]);
    }
  }
  return out;
}

/** Convex hull (counter-clockwise in y-down screen coordinates, no collinear points), monotone chain. */
function convexHull(pts: readonly Point[]): Point[] {
  const p = [...pts].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (p.length < 3) return p;
  const cross = (o: Point, a: Point, b: Point): number => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const lower: Point[] = [], upper: Point[] = [];
  for (const q of p) { while (lower.length >= 2 && cross(lower[lower.length - 2]!, lower[lower.length - 1]!, q) <= 0) lower.pop(); lower.push(q); }
  for (let i = p.length - 1; i >= 0; i--) { const q = p[i]!; while (upper.length >= 2 && cross(upper[upper.length - 2]!, upper[upper.length - 1]!, q) <= 0) upper.pop(); upper.push(q); }
  return lower.slice(0, -1).concat(upper.slice(0, -1));
}

/** Whether (x, y) lies strictly inside the convex polygon `h` (as {@link convexHull} orders it). */
function insideConvex(h: readonly Point[], x: number, y: number): boolean {
  for (let i = 0; i < h.length; i++) {
    const a = h[i]!, b = h[(i + 1) % h.length]!;
    if ((b[0] - a[0]) * (y - a[1]) - (b[1] - a[1]) * (x - a[0]) <= 0) return false;
  }
  return true;
}

/** Largest hole of the editable area (fraction of its area, at least 16 px) that the map moves over. */
export const SPECK_FRACTION = 0.005;

/**
 * The area an elastic map works on: specks of the selection that are not editable (holes of at most
 * {@link SPECK_FRACTION} of its area, e.g. a few stray pixels a brush missed) do not pin the map —
 * a fixed island inside moving content would stretch everything around it into a smear. Their
 * pixels still never change (they stay keep pixels; the renderer skips them); only the map moves
 * over them. Returns the area with those holes filled and the keep masks without them.
 */
export function elasticArea(mask: PlacedMask, keep: readonly PlacedMask[], frame?: { width: number; height: number }): { mask: PlacedMask; keep: PlacedMask[] } {
  const key = frame && FRAME_SLIP ? `${frame.width}x${frame.height}` : '';
  const area = areaMemo.get(mask, keep, key, () => {
    const a = computeElasticArea(mask, keep);
    return key ? { mask: extendPastFrame(a.mask, frame!.width, frame!.height), keep: a.keep } : a;
  });
  return { mask: area.mask, keep: area.keep.slice() };
}

/** Share of the area's larger side by which an area that touches the image's frame continues past it. */
export const FRAME_PAD_FRACTION = 0.25;
/**
 * Whether areas that reach the frame continue past it (elasticArea) and the occlusion grid may
 * cross the frame; `SMARTDRAG_FRAME_SLIP=0` glues them to the frame as before (read once).
 */
export const FRAME_SLIP = process.env.SMARTDRAG_FRAME_SLIP !== '0';

/**
 * An editable area that reaches the image's frame continues beyond it (the rows and columns at the
 * frame repeated outward by {@link FRAME_PAD_FRACTION} of its larger side): the frame is where the
 * picture was cut, not where the content is glued, so content along it moves with the drag instead
 * of tearing from a fixed edge. Sides that do not reach the frame are unchanged.
 */
export function extendPastFrame(mask: PlacedMask, width: number, height: number): PlacedMask {
  const b = maskBounds(mask, 128);
  if (b.width === 0) return mask;
  const pad = Math.max(8, Math.ceil(FRAME_PAD_FRACTION * Math.max(b.width, b.height)));
  const l = b.left <= 0 ? pad : 0, t = b.top <= 0 ? pad : 0;
  const r = b.left + b.width >= width ? pad : 0, bo = b.top + b.height >= height ? pad : 0;
  if (l + t + r + bo === 0) return mask;
  const left = mask.left - l, top = mask.top - t, w = mask.width + l + r, h = mask.height + t + bo;
  const data = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    // Document row, clamped into the image and into the mask's rectangle.
    const dy = Math.min(Math.max(top + y, 0), height - 1);
    const my = Math.min(Math.max(dy - mask.top, 0), mask.height - 1);
    for (let x = 0; x < w; x++) {
      const dx = Math.min(Math.max(left + x, 0), width - 1);
      const mx = Math.min(Math.max(dx - mask.left, 0), mask.width - 1);
      data[y * w + x] = mask.data[my * mask.width + mx]!;
    }
  }
  return { left, top, width: w, height: h, data };
}

const areaMemo = new MaskMemo<{ mask: PlacedMask; keep: PlacedMask[] }>();
const fieldMemo = new MaskMemo<ElasticResult>();

function computeElasticArea(mask: PlacedMask, keep: readonly PlacedMask[]): { mask: PlacedMask; keep: PlacedMask[] } {
  const b = maskBounds(mask, 128);
  const filled = fillSmallHoles(mask, Math.max(16, SPECK_FRACTION * b.width * b.height));
  if (filled.filled === 0) return { mask, keep: keep.slice() };
  const f = filled.mask;
  const isSpeck = (x: number, y: number): boolean => {
    const mx = x - mask.left, my = y - mask.top;
    if (mx < 0 || my < 0 || mx >= mask.width || my >= mask.height) return false;
    const i = my * mask.width + mx;
    return f.data[i]! >= 128 && mask.data[i]! < 128;
  };
  const out = keep.map((k) => {
    let data: Uint8Array | null = null;
    // Only the part of the keep mask over the area's rectangle can hold specks.
    const x0 = Math.max(k.left, mask.left), x1 = Math.min(k.left + k.width, mask.left + mask.width);
    const y0 = Math.max(k.top, mask.top), y1 = Math.min(k.top + k.height, mask.top + mask.height);
    for (let y = y0; y < y1; y++) {
      for (let x = x0; x < x1; x++) {
        const i = (y - k.top) * k.width + (x - k.left);
        if (k.data[i]! === 0 || !isSpeck(x, y)) continue;
        if (!data) data = Uint8Array.from(k.data);
        data[i] = 0;
      }
    }
    return data ? { ...k, data } : k;
  });
  return { mask: f, keep: out };
}
