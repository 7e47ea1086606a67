/**
 * Bidirectional region warping (after Inpaint4Drag, with exact typed transforms):
 *
 * 1. Per region, the operations of the plan are combined into one map, applied in plan order
 *    ("rotate it 30°, then move it left"): its affine operations compose into `A`; the pivot of a
 *    rotate or scale is a point of the object, so it is carried by the operations before it (a
 *    move then a turn turns the object about its own, moved, centre), while directions and
 *    amounts stay in screen axes (`sx`/`sy` of a scale are along x/y of the document). Deform
 *    drags become one rigid-MLS field (built forward, inverted numerically into the backward `e`) that acts after `A`: handles are points of the
 *    object, carried by all of `A`; targets are where the user pointed at that step, carried by
 *    the affine operations that come after the deform. Anchors (zero-length drags, and samples of
 *    the far part of the region boundary) stay put, so the object bends rather than shifts.
 * 2. FORWARD: the region's rectangle is mapped forward (exact for `A`, then through the
 *    field's forward grid for deform) to find the target area; the crop is the bounding box of
 *    source ∪ target plus {@link cropMarginFor} (room for the fill's exemplar window and the
 *    blend's seam band), clipped to the image. Cost ∝ that crop, never the whole canvas.
 * 3. BACKWARD: every pixel of the target area is mapped back into the source,
 *    `s = A⁻¹(t + e(t))`, and the region's premultiplied, coverage-weighted pixels are sampled
 *    there (bilinear for preview, clamped bicubic for final, supersampled when shrinking in
 *    final). The sampled coverage is the target coverage, so soft edges stay soft; the moved
 *    content is composited "over" the crop, later regions over earlier ones.
 * 4. Masks: hole = source − target − keep; keep pixels and everything outside source ∪ target
 *    are bit-identical to the input.
 */
import { maskBounds, unionRect } from '@smartdrag/shared';
import { createMask, cropImage, placedMaskToCrop, unionOver } from '../image';
import type { Scratch } from '../fill/scratch';
import { bicubicAxis, buildSourcePatch, EDGE_SCALE_FROM, patchReach, sampleBicubicReach, sampleBicubicTaps, type SourcePatch } from '../resample';
import type { Mask, Operation, OperationParams, PlacedMask, Point, Rect, Region, RgbaImage } from '../types';
import type { PixelUnits } from '../plan/units';
import { checkRow, throwIfCancelled } from '../cancel';
import { asShared, registerRowKernel, rowsInBands, runRows, sharedFloat32, willRunParallel } from '../parallel/rows';
import {
  type Affine, affineForParams, applyAffine, composeAffine, IDENTITY_AFFINE, invertAffine, isIdentityAffine, maxStretch,
} from './affine';
import { buildDeformField, type DeformField, forwardBounds, sampleForwardField } from './deform-field';
import { buildElasticField, elasticArea } from './elastic-field';
import { keptBackgroundWording } from '../plan/background-kept';
import { regionOcclusionField, sameSide, SEAM_JUMP_CELLS } from './elastic-occlusion';

/** Smallest crop margin in pixels around source ∪ target. */
export const MIN_CROP_MARGIN = 16;
/** Crop margin as a fraction of the largest region side. */
export const CROP_MARGIN_FRACTION = 0.1;

/**
 * The margin added around source ∪ target: `max(16, 10% of the largest side of the region
 * bounds)`. The fill's exemplar search and the blend's seam band must fit inside it.
 */
export function cropMarginFor(regionBounds: Rect): number {
  return Math.max(MIN_CROP_MARGIN, Math.ceil(CROP_MARGIN_FRACTION * Math.max(regionBounds.width, regionBounds.height)));
}

/** The part of an operation the warp needs. */
export type WarpOperation = Pick<Operation, 'region' | 'params'>;

export interface WarpInput {
  /** The whole document (straight alpha). Only the crop is read. */
  image: RgbaImage;
  regions: readonly Region[];
  operations: readonly WarpOperation[];
  /** Pixels that never change. */
  keep?: readonly PlacedMask[];
  quality: 'preview' | 'final';
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
  /** Also return {@link WarpOutput.sourceMap} (for measures; off on the production path). */
  withSourceMap?: boolean;
  /**
   * The request's pixels against the document's (plan/units.ts `pixelUnits(req)`; default the
   * same): the maps' warnings say their lengths and positions in document pixels, as the plan does
   * (a preview on a proxy says what its final says).
   */
  units?: PixelUnits;
  /**
   * Where `original`, `sourceMask`, `keepMask` and `forbidden` are taken from (runEdit: its
   * arrays go back to the pool when the edit ends; the caller must not keep them). `edited`,
   * `targetMask` and `holeMask` are always new arrays.
   */
  scratch?: Scratch;
}

export interface WarpOutput {
  /** Document rectangle worked on (empty when there is nothing to do). */
  crop: Rect;
  /** Input pixels of the crop. */
  original: RgbaImage;
  /** Warped pixels of the crop (hole still holds the old content; the fill replaces it). */
  edited: RgbaImage;
  /** Union of the region coverages (where content was), crop-sized. */
  sourceMask: Mask;
  /** Coverage of the moved content at its new place (0 on keep), crop-sized. */
  targetMask: Mask;
  /** Vacated area = source − target − keep (soft), crop-sized. */
  holeMask: Mask;
  /** Union of keep masks, crop-sized. */
  keepMask: Mask;
  /** Pixels the fill must not copy from: hole ∪ target. */
  forbidden: Mask;
  /** Human-readable notes (e.g. a deform shortened to avoid folding). */
  warnings: string[];
  /**
   * Only with `withSourceMap`: for every crop pixel, the document position its content was sampled
   * from (`[x0, y0, x1, y1, …]`, crop-sized × 2). Pixels the warp did not write hold their own
   * position (identity); hole pixels hold their own position too — the hole mask says they are
   * synthesized. Displacement of pixel p = sourceMap(p) − position(p).
   */
  sourceMap?: Float32Array;
  /**
   * Only when a region is bent by an elastic drag: the union of those regions' editable areas
   * (crop-sized). The hole such a drag leaves is grown and filled inside it only
   * (edit.ts `growHole`): pixels outside an elastic drag's area never change.
   */
  elasticArea?: Mask;
}

/** One region's combined map, ready to render. */
export interface RegionWarp {
  region: Region;
  /** Forward affine part (source -> intermediate). */
  forward: Affine;
  /** Backward affine part (intermediate -> source). */
  backward: Affine;
  /** Backward deform field acting in document (target) space, or null. */
  field: DeformField | null;
  /** Tight bounds of the region's non-zero coverage, clipped to the image. */
  sourceBounds: Rect;
  /** Conservative bounds of where the moved content can land, clipped to the image. */
  targetBounds: Rect;
  /** Supersampling factor per axis (1 = one sample per pixel). */
  supersample: number;
  /** An elastic drag: `region.mask` is its editable area (or `area`, when set), and nothing outside it may change. */
  elastic?: boolean;
  /** An elastic drag of the object inside its area (Region `area`): the area; `region.mask` is the object. */
  area?: PlacedMask;
}

function clipRect(r: Rect, w: number, h: number): Rect {
  const left = Math.max(0, r.left), top = Math.max(0, r.top);
  const right = Math.min(w, r.left + r.width), bottom = Math.min(h, r.top + r.height);
  return { left, top, width: Math.max(0, right - left), height: Math.max(0, bottom - top) };
}

/** Pixels whose centres lie within `grow` of the bounding box of `pts`. */
function pixelsNear(pts: readonly Point[], grow: number): Rect {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const [x, y] of pts) { x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y); }
  const left = Math.ceil(x0 - grow), top = Math.ceil(y0 - grow);
  return { left, top, width: Math.max(0, Math.floor(x1 + grow) - left + 1), height: Math.max(0, Math.floor(y1 + grow) - top + 1) };
}

/**
 * Boundary pixels farther than `clamp(2·D, 0.3·far, 0.6·far)` from every handle are anchors (`D`
 * the longest drag, `far` the distance to the farthest region pixel): the part of the object
 * beyond about two drag lengths stays, so a short pull bends the part under the handle about its
 * root rather than shifting half the object.
 */
export function anchorDistance(far: number, dragLength: number): number {
  return Math.min(0.6 * far, Math.max(0.3 * far, 2 * dragLength));
}

/**
 * Distance from the nearest of `from` to the farthest solid (≥ 128) pixel of `mask`, and anchor
 * points: solid boundary pixels farther than {@link anchorDistance} from every point of `from`,
 * thinned to at most one per `far/16`-sized bucket.
 */
export function farPartOfRegion(mask: PlacedMask, from: readonly Point[], dragLength: number): { far: number; anchors: Point[] } {
  const w = mask.width, h = mask.height, md = mask.data;
  const n = from.length, fx = new Float64Array(n), fy = new Float64Array(n);
  for (let i = 0; i < n; i++) { fx[i] = from[i]![0] - mask.left; fy[i] = from[i]![1] - mask.top; }
  const big = Number.POSITIVE_INFINITY;
  const step = w * h > 40000 ? 2 : 1;
  const nearest2 = (x: number, y: number): number => {
    let near = big;
    for (let i = 0; i < n; i++) { const dx = x - fx[i]!, dy = y - fy[i]!, d = dx * dx + dy * dy; if (d < near) near = d; }
    return near;
  };
  let far2 = 0;
  for (let y = 0; y < h; y += step) {
    const row = y * w;
    for (let x = 0; x < w; x += step) {
      if (md[row + x]! < 128) continue;
      const d = nearest2(x, y);
      if (d > far2) far2 = d;
    }
  }
  const far = Math.sqrt(far2);
  const anchors: Point[] = [];
  if (far === 0) return { far, anchors };
  const min2 = anchorDistance(far, dragLength) ** 2;
  const bucket = Math.max(3, Math.round(far / 16));
  const bw = Math.ceil(w / bucket) + 1;
  const seen = new Uint8Array(bw * (Math.ceil(h / bucket) + 1));
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      if (md[row + x]! < 128) continue;
      const edge = x === 0 || y === 0 || x === w - 1 || y === h - 1 ||
        md[row + x - 1]! < 128 || md[row + x + 1]! < 128 || md[row + x - w]! < 128 || md[row + x + w]! < 128;
      if (!edge) continue;
      const b = ((y / bucket) | 0) * bw + ((x / bucket) | 0);
      if (seen[b]) continue;
      if (nearest2(x, y) < min2) continue;
      seen[b] = 1;
      anchors.push([x + mask.left, y + mask.top]);
    }
  }
  return { far, anchors };
}

/**
 * One rigid operation's forward step after the steps composed so far (`forward`): a turn or scale
 * pivots about its centre carried along by them. The warp and the outline (core/edit.ts
 * `rigidBackward`) compose a region's operations with it.
 */
export function rigidStep(p: Exclude<OperationParams, { kind: 'deform' }>, forward: Affine): Affine {
  return affineForParams(p.kind === 'translate' ? p : { ...p, center: applyAffine(forward, p.center) });
}

/**
 * Combine a region's operations into one map and bound its target area (the forward half of the
 * bidirectional warp). Operations must all name `region`; they apply in order (see the module
 * comment for how pivots, handles and targets are carried).
 */
export function prepareRegionWarp(
  image: RgbaImage, region: Region, params: readonly OperationParams[], quality: 'preview' | 'final', warnings: string[],
  keep: readonly PlacedMask[] = [],
  /** Checked between the steps of an elastic field's building (core/cancel.ts). */
  signal?: AbortSignal,
  /** The request's units (plan/units.ts): the warnings say document pixels. */
  units?: PixelUnits,
): RegionWarp {
  const W = image.width, H = image.height;
  checkSignal(signal);
  const elastic = prepareElastic(image, region, params, keep, warnings, quality, signal, units);
  if (elastic) return elastic;
  let forward: Affine = IDENTITY_AFFINE;
  // Handles in source coordinates; targets in the coordinates reached so far (carried below).
  const handles: Point[] = [], targets: Point[] = [];
  for (const p of params) {
    if (p.kind === 'deform') {
      if (p.handles.length !== p.targets.length) throw new RangeError(`deform of region ${region.id}: handles and targets differ in length`);
      for (let i = 0; i < p.handles.length; i++) { handles.push(p.handles[i]!); targets.push(p.targets[i]!); }
      continue;
    }
    const step = rigidStep(p, forward);
    forward = composeAffine(step, forward);
    for (let i = 0; i < targets.length; i++) targets[i] = applyAffine(step, targets[i]!);
  }
  const backward = invertAffine(forward);
  const sourceBounds = clipRect(maskBounds(region.mask), W, H);
  // Forward-map the source rectangle (pixel edges, grown by the kernel's reach: 1 px bilinear,
  // 2 px bicubic) corner by corner: exact bounds of the affine image of everything non-zero.
  const g = 0.5 + (quality === 'final' ? 2 : 1);
  let corners: Point[] = [
    [sourceBounds.left - g, sourceBounds.top - g], [sourceBounds.left + sourceBounds.width - 1 + g, sourceBounds.top - g],
    [sourceBounds.left - g, sourceBounds.top + sourceBounds.height - 1 + g],
    [sourceBounds.left + sourceBounds.width - 1 + g, sourceBounds.top + sourceBounds.height - 1 + g],
  ].map((c) => applyAffine(forward, c as Point));
  let grow = 0;
  let field: DeformField | null = null;
  if (handles.length > 0 && sourceBounds.width > 0) {
    const det = Math.sqrt(Math.abs(forward[0] * forward[4] - forward[1] * forward[3]));
    const moving: Point[] = [];
    let dragLength = 0;
    for (let i = 0; i < handles.length; i++) {
      const t = targets[i]!, m = applyAffine(forward, handles[i]!);
      const len = Math.hypot(t[0] - m[0], t[1] - m[1]);
      if (len > 1e-6) { moving.push(handles[i]!); dragLength = Math.max(dragLength, len / det); }
    }
    const { far, anchors } = farPartOfRegion(region.mask, moving.length > 0 ? moving : handles, dragLength);
    const res = buildDeformField({
      handles: handles.map((h) => applyAffine(forward, h)), targets, anchors: anchors.map((a) => applyAffine(forward, a)),
      farDistance: far * det, innerRadius: anchorDistance(far, dragLength) * det, bounds: { left: 0, top: 0, width: W, height: H },
      // Preview: 16-px cells for large fields (the field is smooth; targets are pinned exactly).
      ...(quality === 'preview' && far * det >= 160 ? { cell: 16 } : {}),
      ...(units ? { units } : {}),
    });
    checkSignal(signal);
    warnings.push(...res.warnings.map((w) => `region ${region.id}: ${w}`));
    field = res.field;
    if (field) {
      // Forward image of the (affine-mapped) source rectangle through the field's forward grid.
      let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
      for (const [x, y] of corners) { x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y); }
      const b = new Float64Array(4);
      forwardBounds(field, x0, y0, x1, y1, b);
      corners = [[b[0]!, b[1]!], [b[2]!, b[3]!]];
      grow = 1;
    }
  }
  const stretch = maxStretch(backward);
  const supersample = quality === 'final' && stretch > 1.2 ? Math.min(4, Math.ceil(stretch)) : 1;
  if (supersample > 1) grow += 0.5;
  const targetBounds = sourceBounds.width > 0 ? clipRect(pixelsNear(corners, grow), W, H) : { ...sourceBounds };
  return { region, forward, backward, field, sourceBounds, targetBounds, supersample };
}

/** Whether there are operations and every one is an elastic drag (`deform` with `elastic`). */
export function allElastic(params: readonly OperationParams[]): boolean {
  return params.length > 0 && params.every((p) => p.kind === 'deform' && p.elastic === true);
}

/**
 * An elastic drag (all operations of the region are `deform` with `elastic`): the field is zero on
 * the editable area's boundary, so the moved content stays inside the region's own bounds and
 * nothing is vacated. Null when the region is not elastic or no fold-free field exists (the
 * caller then renders the rigid-MLS deform of the same drags, with the field's warning).
 */
function prepareElastic(
  image: RgbaImage, region: Region, params: readonly OperationParams[], keep: readonly PlacedMask[], warnings: string[],
  quality: 'preview' | 'final' = 'final', signal?: AbortSignal, units?: PixelUnits,
): RegionWarp | null {
  if (!allElastic(params)) return null;
  const handles: Point[] = [], targets: Point[] = [];
  for (const p of params) if (p.kind === 'deform') { handles.push(...p.handles); targets.push(...p.targets); }
  // An object-aware drag: the field is built on the selection, and moves the object only.
  const selection = region.area ?? region.mask;
  const sourceBounds = clipRect(maskBounds(region.mask), image.width, image.height);
  // Stray unselected specks do not pin the map, and the content moves with them filled (no
  // transparent speck travels with it); their pixels stay (keep pixels are never written).
  const area = elasticArea(selection, keep, image);
  checkSignal(signal);
  let res: { field: DeformField | null; warnings: string[] } = buildElasticField({ mask: area.mask, handles, targets, keep: area.keep, preview: quality === 'preview', ...(signal ? { signal } : {}), ...(units ? { units } : {}) });
  if (!res.field) {
    checkSignal(signal);
    // No fold-free map: the moved part slides over what lies in front of it (occlusion), the
    // rest stretches behind it (elastic-occlusion.ts) — still nothing cut out or filled.
    res = regionOcclusionField(area, selection, handles, targets, image.width, image.height, quality === 'preview', signal, units);
  }
  checkSignal(signal);
  warnings.push(...res.warnings.map((w) => `region ${region.id}: ${region.area ? keptBackgroundWording(w) : w}`));
  if (!res.field) return null;
  const field = slideAlongFrame(res.field, maskBounds(area.mask), image.width, image.height);
  if (region.area) {
    // The object moves inside its area: it lands anywhere in the area's bounds.
    const targetBounds = clipRect(maskBounds(area.mask), image.width, image.height);
    return { region, forward: IDENTITY_AFFINE, backward: IDENTITY_AFFINE, field, sourceBounds, targetBounds, supersample: 1, elastic: true, area: area.mask };
  }
  return { region: { ...region, mask: area.mask }, forward: IDENTITY_AFFINE, backward: IDENTITY_AFFINE, field, sourceBounds, targetBounds: { ...sourceBounds }, supersample: 1, elastic: true };
}

/**
 * An area that reaches the frame continues past it (elasticArea, extendPastFrame): content along
 * the frame slides with the drag instead of tearing from a fixed edge. Across the frame nothing can
 * come in (there is no picture beyond it), so the part of the backward displacement that would
 * fetch content from outside fades to zero at the frame over a band as wide as the area reaches
 * past it (the frame padding, read off `area`, the area's bounds): the frame behaves like a wall
 * the content slides along, and the renderer never samples outside the picture. The field is copied only when a node changes (the planner shares it).
 */
export function slideAlongFrame(f: DeformField, area: Rect, width: number, height: number): DeformField {
  // The sides where the area continues past the frame, and by how much (the taper).
  const overL = -area.left, overT = -area.top, overR = area.left + area.width - width, overB = area.top + area.height - height;
  const openL = overL > 0, openT = overT > 0, openR = overR > 0, openB = overB > 0;
  if (!openL && !openT && !openR && !openB) return f;
  const taper = Math.max(overL, overT, overR, overB);
  let ex: Float32Array | null = null, ey: Float32Array | null = null;
  const fade = (v: number, room: number, open: boolean): number => open ? v * Math.min(1, Math.max(0, room / taper)) : v;
  for (let r = 0; r < f.rows; r++) {
    const y = f.top + r * f.cell;
    for (let c = 0; c < f.cols; c++) {
      const k = r * f.cols + c, x = f.left + c * f.cell;
      const vx = f.ex[k]!, vy = f.ey[k]!;
      // A node that does not move fetches nothing: clamping it would give the still nodes past
      // the frame (outside the area) a displacement, and the pixels between them and the area's
      // nodes — outside the area — would be rendered moved.
      if (vx === 0 && vy === 0) continue;
      let nx = vx > 0 ? fade(vx, width - 1 - x, openR) : vx < 0 ? fade(vx, x, openL) : 0;
      let ny = vy > 0 ? fade(vy, height - 1 - y, openB) : vy < 0 ? fade(vy, y, openT) : 0;
      // Whatever still points outside (a node past the frame) takes the frame's edge.
      nx = Math.min(Math.max(x + nx, 0), width - 1) - x;
      ny = Math.min(Math.max(y + ny, 0), height - 1) - y;
      if (nx === vx && ny === vy) continue;
      if (!ex || !ey) { ex = Float32Array.from(f.ex); ey = Float32Array.from(f.ey); }
      ex[k] = nx; ey[k] = ny;
    }
  }
  return ex && ey ? { ...f, ex, ey } : f;
}

/**
 * Where a source point of a prepared region ends up (forward map): the affine part, then the
 * deform field's forward grid (the backward grid the renderer samples is its numerical inverse).
 */
export function mapPointForward(rw: RegionWarp, p: Point): Point {
  const q = applyAffine(rw.forward, p);
  if (!rw.field) return q;
  const e = new Float64Array(2);
  sampleForwardField(rw.field, q[0], q[1], e);
  return [q[0] + e[0]!, q[1] + e[1]!];
}

/** Integer range of t with lo ≤ k·t + c0 ≤ hi (widened by one), written to `out`. */
export function affineSpan(k: number, c0: number, lo: number, hi: number, out: Float64Array): void {
  if (k === 0) {
    if (c0 < lo || c0 > hi) { out[0] = 1; out[1] = 0; } else { out[0] = -Infinity; out[1] = Infinity; }
    return;
  }
  const u = (lo - c0) / k, v = (hi - c0) / k;
  out[0] = Math.floor(Math.min(u, v)) - 1;
  out[1] = Math.ceil(Math.max(u, v)) + 1;
}

function checkSignal(signal?: AbortSignal): void {
  throwIfCancelled(signal);
}

function groupByRegion(regions: readonly Region[], ops: readonly WarpOperation[]): Array<{ region: Region; params: OperationParams[] }> {
  const groups: Array<{ region: Region; params: OperationParams[] }> = [];
  for (const op of ops) {
    const region = regions.find((r) => r.id === op.region);
    if (!region) throw new RangeError(`operation names unknown region ${op.region}`);
    let g = groups.find((x) => x.region === region);
    if (!g) { g = { region, params: [] }; groups.push(g); }
    g.params.push(op.params);
  }
  return groups;
}

/**
 * What {@link renderRows} needs of one region (plain data, so a helper thread can run it: the
 * large arrays live on SharedArrayBuffers when the pass runs on several threads).
 */
export interface RenderTask {
  backward: Affine;
  field: Pick<DeformField, 'left' | 'top' | 'cell' | 'cols' | 'rows' | 'ex' | 'ey' | 'seam'> | null;
  supersample: number;
  targetBounds: Rect;
  /** The region's mask (the still part of a deform reads its own coverage). */
  mask: PlacedMask;
  patch: SourcePatch;
  quality: 'preview' | 'final';
  crop: Rect;
  edited: Uint8ClampedArray;
  original: Uint8ClampedArray;
  targetMask: Uint8Array;
  keepMask: Uint8Array;
  sourceMap: Float32Array | null;
  /** The patch's {@link patchReach} for the quality's kernel (2 taps preview, 4 final), or null. */
  reach: Uint8Array | null;
}

/** Row kernel name of {@link renderRows} (core/parallel/rows.ts). */
const RENDER_KERNEL = 'warp.render';

/**
 * Backward-map every pixel of rows `[y0, y1)` of a region's target bounds into its source patch
 * and composite the sample over `edited` (kept in its own function so the kernel call gets
 * inlined). A row writes only its own pixels of `edited`, `targetMask` and `sourceMap`.
 */
function renderRows(task: RenderTask, y0: number, y1: number): void {
  if (task.reach === null) { referenceKernel!(task, y0, y1); return; }
  if (task.field === null && !isIdentityAffine(task.backward)) {
    if (task.quality === 'preview' && task.supersample === 1) { renderAffineBilinear(task, y0, y1); return; }
    if (task.quality === 'final') {
      // Axis-aligned (scales, sub-pixel moves): sample columns and rows are separable.
      if (task.backward[1] === 0 && task.backward[3] === 0) {
        if (task.supersample > 1) renderAxisBicubicSeparable(task, y0, y1);
        else renderAxisBicubic(task, y0, y1);
      }
      else renderAffineBicubic(task, y0, y1);
      return;
    }
  }
  renderRowsField(task, y0, y1);
}

/** A row kernel: renders rows `[y0, y1)` of a task's target bounds. */
export type RenderRowKernel = (task: RenderTask, y0: number, y1: number) => void;

/**
 * The kernel every render runs instead of the specialised ones, when set: tests set the general
 * reference kernel (warp-regions.reference.ts) and compare the specialised kernels with it.
 */
let referenceKernel: RenderRowKernel | null = null;

/** Render with `kernel` only (tests: the reference kernel), or with the specialised kernels (null, the default); returns the previous setting. */
export function setRenderReference(kernel: RenderRowKernel | null): RenderRowKernel | null {
  const prev = referenceKernel;
  referenceKernel = kernel;
  return prev;
}

/**
 * the reference kernel (warp-regions.reference.ts) for an affine map without deform field, bilinear, one sample per pixel
 * (every rigid preview): the same arithmetic in the same order (bit-identical, tested), with the
 * patch's reach map skipping empty footprints in one load and the sample written without the
 * intermediate Float32Array (its float32 rounding kept by Math.fround).
 */
function renderAffineBilinear(task: RenderTask, y0: number, y1: number): void {
  const { crop, patch } = task;
  const reach = task.reach!;
  const cw = crop.width;
  const ed = task.edited, td = task.targetMask, kd = task.keepMask, sourceMap = task.sourceMap;
  const [a, b, c, d, ee, f] = task.backward;
  const tb = task.targetBounds;
  const pxMin = patch.left + 1, pxMax = patch.left + patch.width - 2;
  const pyMin = patch.top + 1, pyMax = patch.top + patch.height - 2;
  const spanX = new Float64Array(2);
  const pLeft = patch.left, pTop = patch.top, pw = patch.width, pMaxX = patch.width - 3, pMaxY = patch.height - 3;
  const pcov = patch.cov, prgba = patch.rgba;
  for (let ty = tb.top + y0; ty < tb.top + y1; ty++) {
    const row = (ty - crop.top) * cw - crop.left;
    let x0 = tb.left, x1 = tb.left + tb.width - 1;
    affineSpan(a, b * ty + c, pxMin, pxMax, spanX);
    x0 = Math.max(x0, spanX[0]!); x1 = Math.min(x1, spanX[1]!);
    affineSpan(d, ee * ty + f, pyMin, pyMax, spanX);
    x0 = Math.max(x0, spanX[0]!); x1 = Math.min(x1, spanX[1]!);
    const by = b * ty, ey = ee * ty;
    for (let tx = x0; tx <= x1; tx++) {
      const ti = row + tx;
      if (kd[ti]! > 0) continue;
      const sx = a * tx + by + c, sy = d * tx + ey + f;
      const lx = sx - pLeft, ly = sy - pTop;
      if (!(lx >= 1 && ly >= 1)) continue;
      const ix = lx | 0, iy = ly | 0;
      if (!(ix <= pMaxX && iy <= pMaxY)) continue;
      const i00 = iy * pw + ix;
      const rv = reach[i00]!;
      if (rv === 0) continue;
      const fx = lx - ix, fy = ly - iy;
      const i01 = i00 + pw;
      const w00 = (1 - fx) * (1 - fy), w10 = fx * (1 - fy), w01 = (1 - fx) * fy, w11 = fx * fy;
      const q0 = i00 * 4, q1 = q0 + 4, q2 = i01 * 4, q3 = q2 + 4;
      // All four taps solid: coverage and alpha are both the sum of the weights (1 × w, exact).
      let cov = rv === 2 ? w00 + w10 + w01 + w11 : pcov[i00]! * w00 + pcov[i00 + 1]! * w10 + pcov[i01]! * w01 + pcov[i01 + 1]! * w11;
      const p3 = Math.fround(rv === 2 ? cov : prgba[q0 + 3]! * w00 + prgba[q1 + 3]! * w10 + prgba[q2 + 3]! * w01 + prgba[q3 + 3]! * w11);
      if (cov <= 0) continue;
      if (cov > 1) cov = 1;
      const cov8 = Math.round(cov * 255);
      if (cov8 === 0) continue;
      if (cov8 > td[ti]!) td[ti] = cov8;
      const p0 = Math.fround(prgba[q0]! * w00 + prgba[q1]! * w10 + prgba[q2]! * w01 + prgba[q3]! * w11);
      const p1 = Math.fround(prgba[q0 + 1]! * w00 + prgba[q1 + 1]! * w10 + prgba[q2 + 1]! * w01 + prgba[q3 + 1]! * w11);
      const p2 = Math.fround(prgba[q0 + 2]! * w00 + prgba[q1 + 2]! * w10 + prgba[q2 + 2]! * w01 + prgba[q3 + 2]! * w11);
      writeSample4(ed, ti * 4, p0, p1, p2, p3, cov, cov8);
      if (sourceMap) { sourceMap[2 * ti] = sx; sourceMap[2 * ti + 1] = sy; }
    }
  }
}

/**
 * the reference kernel (warp-regions.reference.ts) for an affine map without deform field, clamped bicubic (every rigid
 * final, supersampled or not): the same arithmetic in the same order (bit-identical, tested), the
 * patch's reach map skipping empty footprints in one load.
 */
function renderAffineBicubic(task: RenderTask, y0: number, y1: number): void {
  const px = new Float32Array(4), acc = new Float32Array(4);
  const { crop, patch } = task;
  const reach = task.reach!;
  const cw = crop.width;
  const ed = task.edited, td = task.targetMask, kd = task.keepMask, sourceMap = task.sourceMap;
  const [a, b, c, d, ee, f] = task.backward;
  const ss = task.supersample, inv = 1 / (ss * ss);
  const tb = task.targetBounds;
  const slack = ss > 1 ? Math.abs(a) + Math.abs(b) + Math.abs(d) + Math.abs(ee) : 0;
  const pxMin = patch.left + 1 - slack, pxMax = patch.left + patch.width - 2 + slack;
  const pyMin = patch.top + 1 - slack, pyMax = patch.top + patch.height - 2 + slack;
  const spanX = new Float64Array(2);
  for (let ty = tb.top + y0; ty < tb.top + y1; ty++) {
    const row = (ty - crop.top) * cw - crop.left;
    let x0 = tb.left, x1 = tb.left + tb.width - 1;
    affineSpan(a, b * ty + c, pxMin, pxMax, spanX);
    x0 = Math.max(x0, spanX[0]!); x1 = Math.min(x1, spanX[1]!);
    affineSpan(d, ee * ty + f, pyMin, pyMax, spanX);
    x0 = Math.max(x0, spanX[0]!); x1 = Math.min(x1, spanX[1]!);
    for (let tx = x0; tx <= x1; tx++) {
      const ti = row + tx;
      if (kd[ti]! > 0) continue;
      const qx = tx, qy = ty;
      const sx = a * qx + b * qy + c, sy = d * qx + ee * qy + f;
      let cov: number;
      if (ss === 1) {
        cov = sampleBicubicReach(patch, reach, sx, sy, px);
      } else {
        cov = 0; acc[0] = 0; acc[1] = 0; acc[2] = 0; acc[3] = 0;
        for (let j = 0; j < ss; j++) {
          const oy = (j + 0.5) / ss - 0.5;
          for (let i = 0; i < ss; i++) {
            const ox = (i + 0.5) / ss - 0.5;
            const cv = sampleBicubicReach(patch, reach, a * (qx + ox) + b * (qy + oy) + c, d * (qx + ox) + ee * (qy + oy) + f, px);
            if (cv > 0) { cov += cv; acc[0] += px[0]!; acc[1] += px[1]!; acc[2] += px[2]!; acc[3] += px[3]!; }
          }
        }
        cov *= inv; px[0] = acc[0]! * inv; px[1] = acc[1]! * inv; px[2] = acc[2]! * inv; px[3] = acc[3]! * inv;
      }
      const cov8 = Math.round(cov * 255);
      if (cov8 === 0) continue;
      if (cov8 > td[ti]!) td[ti] = cov8;
      writeSample(ed, ti * 4, px, cov, cov8);
      if (sourceMap) { sourceMap[2 * ti] = sx; sourceMap[2 * ti + 1] = sy; }
    }
  }
}

/**
 * A supersampled axis-aligned map (a shrink at final quality, 2–4 × 2–4 clamped bicubic samples
 * per pixel), SEPARABLY: a sample's 4 × 4 taps are the 4 rows' horizontal 4-tap sums weighted
 * vertically, and every source row's horizontal sums (premultiplied colour, alpha and coverage
 * for each supersample column) are shared by all the samples that read that row — each row is
 * summed once into a small ring of rows (target rows are rendered in order) instead of 16 taps per
 * sample. The same weights, clamps and coverage rule as {@link renderAxisBicubic}; only the
 * summation order differs (rows first), so a value may differ in its last float bits — the output
 * bytes equal the reference kernel's on the kernel tests' shrinks (warp-kernels.test.ts) and on
 * every DragBench sample and photo case. ~2.3× fewer multiply–adds at a 0.7× shrink (the speed
 * suite's 1024² scale: warp 23 → 13.5 ms).
 */
function renderAxisBicubicSeparable(task: RenderTask, y0: number, y1: number): void {
  const px = new Float32Array(4);
  const { crop, patch } = task;
  const cw = crop.width;
  const ed = task.edited, td = task.targetMask, kd = task.keepMask, sourceMap = task.sourceMap;
  const [a, b, c, d, ee, f] = task.backward;
  const ss = task.supersample, inv = 1 / (ss * ss);
  const tb = task.targetBounds;
  const slack = Math.abs(a) + Math.abs(b) + Math.abs(d) + Math.abs(ee);
  const pxMin = patch.left + 1 - slack, pxMax = patch.left + patch.width - 2 + slack;
  const pyMin = patch.top + 1 - slack, pyMax = patch.top + patch.height - 2 + slack;
  const spanX = new Float64Array(2);
  const pw = patch.width, rgba = patch.rgba, pcov = patch.cov;
  // Column tables over the target bounds (supersample i of column tx at (tx − tb.left)·ss + i).
  const nx = tb.width * ss;
  const fx = new Int32Array(nx), wx = new Float64Array(4 * nx);
  for (let tx = tb.left; tx < tb.left + tb.width; tx++) {
    for (let i = 0; i < ss; i++) bicubicAxis(a * (tx + ((i + 0.5) / ss - 0.5)) + b * 0 + c, patch.left, pw, fx, wx, (tx - tb.left) * ss + i);
  }
  // The ring of source rows' horizontal sums: per row and supersample column, 5 values (coverage,
  // then premultiplied r, g, b and alpha). One target row's samples read |ee| + 4 rows at most.
  const ring = Math.ceil(Math.abs(ee)) + 6;
  const hs = new Float64Array(ring * nx * 5);
  const tag = new Int32Array(ring).fill(-1);
  const slotOf = (row: number): number => {
    const slot = row % ring;
    if (tag[slot] === row) return slot;
    tag[slot] = row;
    const o = slot * nx * 5, r = row * pw;
    for (let k = 0; k < nx; k++) {
      const x0 = fx[k]!, q = o + 5 * k;
      if (x0 < 0) { hs[q] = 0; hs[q + 1] = 0; hs[q + 2] = 0; hs[q + 3] = 0; hs[q + 4] = 0; continue; }
      const w0 = wx[4 * k]!, w1 = wx[4 * k + 1]!, w2 = wx[4 * k + 2]!, w3 = wx[4 * k + 3]!;
      const t = r + x0 - 1, t4 = t * 4;
      hs[q] = pcov[t]! * w0 + pcov[t + 1]! * w1 + pcov[t + 2]! * w2 + pcov[t + 3]! * w3;
      hs[q + 1] = rgba[t4]! * w0 + rgba[t4 + 4]! * w1 + rgba[t4 + 8]! * w2 + rgba[t4 + 12]! * w3;
      hs[q + 2] = rgba[t4 + 1]! * w0 + rgba[t4 + 5]! * w1 + rgba[t4 + 9]! * w2 + rgba[t4 + 13]! * w3;
      hs[q + 3] = rgba[t4 + 2]! * w0 + rgba[t4 + 6]! * w1 + rgba[t4 + 10]! * w2 + rgba[t4 + 14]! * w3;
      hs[q + 4] = rgba[t4 + 3]! * w0 + rgba[t4 + 7]! * w1 + rgba[t4 + 11]! * w2 + rgba[t4 + 15]! * w3;
    }
    return slot;
  };
  const fy = new Int32Array(ss), wy = new Float64Array(4 * ss);
  // Per supersample row j of the current target row: the ring offsets of its 4 source rows.
  const rowOff = new Int32Array(4 * ss);
  for (let ty = tb.top + y0; ty < tb.top + y1; ty++) {
    const row = (ty - crop.top) * cw - crop.left;
    let x0 = tb.left, x1 = tb.left + tb.width - 1;
    affineSpan(a, b * ty + c, pxMin, pxMax, spanX);
    x0 = Math.max(x0, spanX[0]!); x1 = Math.min(x1, spanX[1]!);
    affineSpan(d, ee * ty + f, pyMin, pyMax, spanX);
    x0 = Math.max(x0, spanX[0]!); x1 = Math.min(x1, spanX[1]!);
    if (x0 > x1) continue;
    let anyRow = false;
    for (let j = 0; j < ss; j++) {
      bicubicAxis(d * 0 + ee * (ty + ((j + 0.5) / ss - 0.5)) + f, patch.top, patch.height, fy, wy, j);
      if (fy[j]! >= 0) anyRow = true;
    }
    if (!anyRow) continue;
    // All source rows this target row reads are summed before any is used (the ring holds them all).
    for (let j = 0; j < ss; j++) {
      const y = fy[j]!;
      if (y < 0) continue;
      for (let u = 0; u < 4; u++) rowOff[4 * j + u] = slotOf(y - 1 + u) * nx * 5;
    }
    for (let tx = x0; tx <= x1; tx++) {
      const ti = row + tx;
      if (kd[ti]! > 0) continue;
      const kx = (tx - tb.left) * ss;
      let cov = 0, ar = 0, ag = 0, ab = 0, aa = 0;
      for (let j = 0; j < ss; j++) {
        if (fy[j]! < 0) continue;
        const v0 = wy[4 * j]!, v1 = wy[4 * j + 1]!, v2 = wy[4 * j + 2]!, v3 = wy[4 * j + 3]!;
        const o0 = rowOff[4 * j]!, o1 = rowOff[4 * j + 1]!, o2 = rowOff[4 * j + 2]!, o3 = rowOff[4 * j + 3]!;
        for (let i = 0; i < ss; i++) {
          const k = kx + i;
          if (fx[k]! < 0) continue;
          const q = 5 * k;
          let cs = hs[o0 + q]! * v0 + hs[o1 + q]! * v1 + hs[o2 + q]! * v2 + hs[o3 + q]! * v3;
          if (cs <= 0) continue;
          if (cs > 1) cs = 1;
          let al = hs[o0 + q + 4]! * v0 + hs[o1 + q + 4]! * v1 + hs[o2 + q + 4]! * v2 + hs[o3 + q + 4]! * v3;
          // (sampleBicubic's clamps: past the coverage, the colour is scaled with the alpha.)
          let ks = 1;
          if (al < 0) al = 0; else if (al > cs) { if (al > cs * EDGE_SCALE_FROM) ks = cs / al; al = cs; }
          const hi = al * 255;
          let r0 = hs[o0 + q + 1]! * v0 + hs[o1 + q + 1]! * v1 + hs[o2 + q + 1]! * v2 + hs[o3 + q + 1]! * v3;
          let g0 = hs[o0 + q + 2]! * v0 + hs[o1 + q + 2]! * v1 + hs[o2 + q + 2]! * v2 + hs[o3 + q + 2]! * v3;
          let b0 = hs[o0 + q + 3]! * v0 + hs[o1 + q + 3]! * v1 + hs[o2 + q + 3]! * v2 + hs[o3 + q + 3]! * v3;
          if (ks !== 1) { r0 *= ks; g0 *= ks; b0 *= ks; }
          // Each sample is rounded to float32 as the per-sample kernel's Float32Array does.
          cov += cs;
          ar += Math.fround(r0 < 0 ? 0 : r0 > hi ? hi : r0);
          ag += Math.fround(g0 < 0 ? 0 : g0 > hi ? hi : g0);
          ab += Math.fround(b0 < 0 ? 0 : b0 > hi ? hi : b0);
          aa += Math.fround(al);
        }
      }
      cov *= inv; px[0] = Math.fround(ar) * inv; px[1] = Math.fround(ag) * inv; px[2] = Math.fround(ab) * inv; px[3] = Math.fround(aa) * inv;
      const cov8 = Math.round(cov * 255);
      if (cov8 === 0) continue;
      if (cov8 > td[ti]!) td[ti] = cov8;
      writeSample(ed, ti * 4, px, cov, cov8);
      if (sourceMap) { sourceMap[2 * ti] = a * tx + b * ty + c; sourceMap[2 * ti + 1] = d * tx + ee * ty + f; }
    }
  }
}

/**
 * {@link renderAffineBicubic} for an axis-aligned map (`b = d = 0`: scales and sub-pixel moves) at
 * one sample per pixel (supersampled shrinks: {@link renderAxisBicubicSeparable}): a sample's x
 * depends only on its column and its y only on its row, so the floors and Keys weights are
 * computed once per column and once per row instead of per sample — the same numbers (`b·y` is a
 * signed zero that leaves `a·x + c` unchanged), summed in the same order: bit-identical (tested).
 */
function renderAxisBicubic(task: RenderTask, y0: number, y1: number): void {
  const px = new Float32Array(4);
  const { crop, patch } = task;
  const reach = task.reach!;
  const cw = crop.width;
  const ed = task.edited, td = task.targetMask, kd = task.keepMask, sourceMap = task.sourceMap;
  const [a, b, c, d, ee, f] = task.backward;
  const tb = task.targetBounds;
  const pxMin = patch.left + 1, pxMax = patch.left + patch.width - 2;
  const pyMin = patch.top + 1, pyMax = patch.top + patch.height - 2;
  const spanX = new Float64Array(2);
  // Column tables over the target bounds.
  const nx = tb.width;
  const fx = new Int32Array(nx), wx = new Float64Array(4 * nx);
  const fy = new Int32Array(1), wy = new Float64Array(4);
  // Exactly the sample's x: a·tx + b·y + c with b = 0.
  for (let tx = tb.left; tx < tb.left + tb.width; tx++) bicubicAxis(a * tx + b * 0 + c, patch.left, patch.width, fx, wx, tx - tb.left);
  for (let ty = tb.top + y0; ty < tb.top + y1; ty++) {
    const row = (ty - crop.top) * cw - crop.left;
    let x0 = tb.left, x1 = tb.left + tb.width - 1;
    affineSpan(a, b * ty + c, pxMin, pxMax, spanX);
    x0 = Math.max(x0, spanX[0]!); x1 = Math.min(x1, spanX[1]!);
    affineSpan(d, ee * ty + f, pyMin, pyMax, spanX);
    x0 = Math.max(x0, spanX[0]!); x1 = Math.min(x1, spanX[1]!);
    if (x0 > x1) continue;
    bicubicAxis(d * 0 + ee * ty + f, patch.top, patch.height, fy, wy, 0);
    const fyj = fy[0]!;
    if (fyj < 0) continue;
    for (let tx = x0; tx <= x1; tx++) {
      const ti = row + tx;
      if (kd[ti]! > 0) continue;
      const kx = tx - tb.left;
      const fxi = fx[kx]!;
      const cov = fxi < 0 ? 0 : sampleBicubicTaps(patch, reach, fxi, fyj, wx, 4 * kx, wy, 0, px);
      const cov8 = Math.round(cov * 255);
      if (cov8 === 0) continue;
      if (cov8 > td[ti]!) td[ti] = cov8;
      writeSample(ed, ti * 4, px, cov, cov8);
      if (sourceMap) { sourceMap[2 * ti] = a * tx + b * ty + c; sourceMap[2 * ti + 1] = d * tx + ee * ty + f; }
    }
  }
}

/**
 * The row kernel for maps with a deform field (and the identity affine): the reference kernel (warp-regions.reference.ts)
 * with the patch's reach map (empty footprints skipped in one load, solid ones without their
 * coverage and alpha loads) and the bilinear sample written without the intermediate
 * Float32Array (its float32 rounding kept by Math.fround): bit-identical to it (tested).
 */
function renderRowsField(task: RenderTask, y0: number, y1: number): void {
  const px = new Float32Array(4), acc = new Float32Array(4), seamOut = new Float64Array(2);
  const { crop, patch, field } = task;
  const bilinearQ = task.quality === 'preview';
  const cw = crop.width;
  const ed = task.edited, od = task.original, td = task.targetMask, kd = task.keepMask, sourceMap = task.sourceMap;
  const rm = task.mask;
  const [a, b, c, d, ee, f] = task.backward;
  const ss = task.supersample, inv = 1 / (ss * ss);
  const tb = task.targetBounds;
  const identityAffine = isIdentityAffine(task.backward);
  // Sample positions must fall inside the patch (less a border the kernels treat as empty);
  // supersample offsets stay within half a target pixel, i.e. `slack` source pixels.
  const slack = ss > 1 ? Math.abs(a) + Math.abs(b) + Math.abs(d) + Math.abs(ee) : 0;
  const pxMin = patch.left + 1 - slack, pxMax = patch.left + patch.width - 2 + slack;
  const pyMin = patch.top + 1 - slack, pyMax = patch.top + patch.height - 2 + slack;
  const spanX = new Float64Array(2);
  const bilinear = ss === 1 && bilinearQ;
  const pLeft = patch.left, pTop = patch.top, pw = patch.width, pMaxX = patch.width - 3, pMaxY = patch.height - 3;
  const pcov = patch.cov, prgba = patch.rgba;
  const reach = task.reach!;
  // Deform: the backward field interpolated to the current row once (row-incremental lookup).
  const fcols = field ? field.cols : 0;
  const rowEx = new Float64Array(fcols), rowEy = new Float64Array(fcols);
  const fLeft = field ? field.left : 0, fInvCell = field ? 1 / field.cell : 0, fMaxC = fcols - 1;
  const seam = field?.seam ?? null;
  let seamRow = -1, seamFy = 0;
  for (let ty = tb.top + y0; ty < tb.top + y1; ty++) {
    const row = (ty - crop.top) * cw - crop.left;
    let x0 = tb.left, x1 = tb.left + tb.width - 1;
    let fieldRow = false;
    if (field) {
      const gy = (ty - field.top) * fInvCell;
      if (gy >= 0 && gy < field.rows - 1) {
        const r = gy | 0, fy = gy - r, k0 = r * fcols, k1 = k0 + fcols;
        seamRow = r; seamFy = fy;
        const ex = field.ex, ey = field.ey;
        for (let c = 0; c < fcols; c++) {
          const a0 = ex[k0 + c]!, b0 = ey[k0 + c]!;
          rowEx[c] = a0 + (ex[k1 + c]! - a0) * fy;
          rowEy[c] = b0 + (ey[k1 + c]! - b0) * fy;
        }
        fieldRow = true;
      }
    }
    if (!field) {
      // Affine rows: sx = a·tx + (b·ty + c), sy = d·tx + (e·ty + f); keep the tx span whose
      // samples can land inside the patch.
      affineSpan(a, b * ty + c, pxMin, pxMax, spanX);
      x0 = Math.max(x0, spanX[0]!); x1 = Math.min(x1, spanX[1]!);
      affineSpan(d, ee * ty + f, pyMin, pyMax, spanX);
      x0 = Math.max(x0, spanX[0]!); x1 = Math.min(x1, spanX[1]!);
    }
    for (let tx = x0; tx <= x1; tx++) {
      const ti = row + tx;
      if (kd[ti]! > 0) continue;
      let qx = tx, qy = ty;
      if (fieldRow) {
        const gx = (tx - fLeft) * fInvCell;
        if (gx >= 0 && gx < fMaxC) {
          const c = gx | 0, fx = gx - c;
          if (seam !== null && seam[seamRow * fMaxC + c] === 1) {
            seamLookup(field!, seamRow, c, fx, seamFy, seamOut);
            qx += seamOut[0]!; qy += seamOut[1]!;
          } else {
            const a0 = rowEx[c]!, b0 = rowEy[c]!;
            qx += a0 + (rowEx[c + 1]! - a0) * fx;
            qy += b0 + (rowEy[c + 1]! - b0) * fx;
          }
        }
      }
      if (identityAffine && qx === tx && qy === ty) {
        // The pixel shows its own content (e.g. the still part of a deformed region): its
        // coverage is the mask's, and over unchanged pixels nothing needs resampling.
        const mx = tx - rm.left, my = ty - rm.top;
        const m = mx >= 0 && my >= 0 && mx < rm.width && my < rm.height ? rm.data[my * rm.width + mx]! : 0;
        if (m === 0) continue;
        if (m > td[ti]!) td[ti] = m;
        const q = ti * 4;
        if (ed[q] === od[q] && ed[q + 1] === od[q + 1] && ed[q + 2] === od[q + 2] && ed[q + 3] === od[q + 3]) continue;
      }
      const sx = a * qx + b * qy + c, sy = d * qx + ee * qy + f;
      let cov: number;
      if (bilinear) {
        // sampleBilinear, inlined (the hot path of every preview), with the reach map.
        const lx = sx - pLeft, ly = sy - pTop;
        // Truncation is the floor wherever the test passes (lx, ly ≥ 1); below 1 both fail it.
        if (!(lx >= 1 && ly >= 1)) continue;
        const ix = lx | 0, iy = ly | 0;
        if (!(ix <= pMaxX && iy <= pMaxY)) continue;
        const i00 = iy * pw + ix;
        const rv = reach[i00]!;
        if (rv === 0) continue;
        const fx = lx - ix, fy = ly - iy;
        const i01 = i00 + pw;
        const w00 = (1 - fx) * (1 - fy), w10 = fx * (1 - fy), w01 = (1 - fx) * fy, w11 = fx * fy;
        const q0 = i00 * 4, q1 = q0 + 4, q2 = i01 * 4, q3 = q2 + 4;
        // All four taps solid: coverage and alpha are both the sum of the weights (1 × w, exact).
        let bc = rv === 2 ? w00 + w10 + w01 + w11 : pcov[i00]! * w00 + pcov[i00 + 1]! * w10 + pcov[i01]! * w01 + pcov[i01 + 1]! * w11;
        const p3 = Math.fround(rv === 2 ? bc : prgba[q0 + 3]! * w00 + prgba[q1 + 3]! * w10 + prgba[q2 + 3]! * w01 + prgba[q3 + 3]! * w11);
        if (bc <= 0) continue;
        if (bc > 1) bc = 1;
        const cov8 = Math.round(bc * 255);
        if (cov8 === 0) continue;
        if (cov8 > td[ti]!) td[ti] = cov8;
        const p0 = Math.fround(prgba[q0]! * w00 + prgba[q1]! * w10 + prgba[q2]! * w01 + prgba[q3]! * w11);
        const p1 = Math.fround(prgba[q0 + 1]! * w00 + prgba[q1 + 1]! * w10 + prgba[q2 + 1]! * w01 + prgba[q3 + 1]! * w11);
        const p2 = Math.fround(prgba[q0 + 2]! * w00 + prgba[q1 + 2]! * w10 + prgba[q2 + 2]! * w01 + prgba[q3 + 2]! * w11);
        writeSample4(ed, ti * 4, p0, p1, p2, p3, bc, cov8);
        if (sourceMap) { sourceMap[2 * ti] = sx; sourceMap[2 * ti + 1] = sy; }
        continue;
      } else if (ss === 1) {
        cov = sampleBicubicReach(patch, reach, sx, sy, px);
      } else {
        cov = 0; acc[0] = 0; acc[1] = 0; acc[2] = 0; acc[3] = 0;
        for (let j = 0; j < ss; j++) {
          const oy = (j + 0.5) / ss - 0.5;
          for (let i = 0; i < ss; i++) {
            const ox = (i + 0.5) / ss - 0.5;
            const cv = sampleBicubicReach(patch, reach, a * (qx + ox) + b * (qy + oy) + c, d * (qx + ox) + ee * (qy + oy) + f, px);
            if (cv > 0) { cov += cv; acc[0] += px[0]!; acc[1] += px[1]!; acc[2] += px[2]!; acc[3] += px[3]!; }
          }
        }
        cov *= inv; px[0] = acc[0]! * inv; px[1] = acc[1]! * inv; px[2] = acc[2]! * inv; px[3] = acc[3]! * inv;
      }
      const cov8 = Math.round(cov * 255);
      if (cov8 === 0) continue;
      if (cov8 > td[ti]!) td[ti] = cov8;
      writeSample(ed, ti * 4, px, cov, cov8);
      if (sourceMap) { sourceMap[2 * ti] = sx; sourceMap[2 * ti + 1] = sy; }
    }
  }
}
registerRowKernel(RENDER_KERNEL, renderRows);

/**
 * Backward displacement inside a seam cell (row `r`, column `c`, fractions `fx`, `fy`): the corners
 * fall into groups on either side of the jump (displacements within {@link SEAM_JUMP_CELLS} cells of
 * each other); the pixel takes the group with the larger bilinear weight (so the boundary between
 * them is the smooth 0.5 contour of the weights, not a staircase) and blends only its corners,
 * weights renormalised — it shows one side, never the content hidden between them.
 */
export function seamLookup(f: NonNullable<RenderTask['field']>, r: number, c: number, fx: number, fy: number, out: Float64Array): void {
  const k = r * f.cols + c;
  const q0 = k, q1 = k + 1, q2 = k + f.cols, q3 = k + f.cols + 1;
  const w0 = (1 - fx) * (1 - fy), w1 = fx * (1 - fy), w2 = (1 - fx) * fy, w3 = fx * fy;
  const lim2 = (SEAM_JUMP_CELLS * f.cell) ** 2;
  const ex = f.ex, ey = f.ey;
  // Which corners share a side (symmetric; every corner shares its own).
  const s01 = sameSide(ex, ey, q0, q1, lim2), s02 = sameSide(ex, ey, q0, q2, lim2), s03 = sameSide(ex, ey, q0, q3, lim2);
  const s12 = sameSide(ex, ey, q1, q2, lim2), s13 = sameSide(ex, ey, q1, q3, lim2), s23 = sameSide(ex, ey, q2, q3, lim2);
  // The weight of the group each corner belongs to; the heaviest group wins.
  const g0 = w0 + (s01 ? w1 : 0) + (s02 ? w2 : 0) + (s03 ? w3 : 0);
  const g1 = (s01 ? w0 : 0) + w1 + (s12 ? w2 : 0) + (s13 ? w3 : 0);
  const g2 = (s02 ? w0 : 0) + (s12 ? w1 : 0) + w2 + (s23 ? w3 : 0);
  const g3 = (s03 ? w0 : 0) + (s13 ? w1 : 0) + (s23 ? w2 : 0) + w3;
  let best = 0, bestW = g0;
  if (g1 > bestW) { bestW = g1; best = 1; }
  if (g2 > bestW) { bestW = g2; best = 2; }
  if (g3 > bestW) { best = 3; }
  // Members of the winning group.
  const m0 = best === 0 || (best === 1 ? s01 : best === 2 ? s02 : s03);
  const m1 = best === 1 || (best === 0 ? s01 : best === 2 ? s12 : s13);
  const m2 = best === 2 || (best === 0 ? s02 : best === 1 ? s12 : s23);
  const m3 = best === 3 || (best === 0 ? s03 : best === 1 ? s13 : s23);
  let sw = 0, sx = 0, sy = 0;
  if (m0) { sw += w0; sx += w0 * ex[q0]!; sy += w0 * ey[q0]!; }
  if (m1) { sw += w1; sx += w1 * ex[q1]!; sy += w1 * ey[q1]!; }
  if (m2) { sw += w2; sx += w2 * ex[q2]!; sy += w2 * ey[q2]!; }
  if (m3) { sw += w3; sx += w3 * ex[q3]!; sy += w3 * ey[q3]!; }
  const qb = best === 0 ? q0 : best === 1 ? q1 : best === 2 ? q2 : q3;
  if (sw > 0) { out[0] = sx / sw; out[1] = sy / sw; } else { out[0] = ex[qb]!; out[1] = ey[qb]!; }
}

/**
 * Render one region into the crop: its target rows are shared among the pixel threads when the
 * pass is large (`shared`: the crop buffers already live on SharedArrayBuffers), else run here.
 */
function renderRegion(
  rw: RegionWarp, image: RgbaImage, quality: 'preview' | 'final', crop: Rect, shared: boolean,
  edited: RgbaImage, original: RgbaImage, targetMask: Mask, keepMask: Mask, sourceMap: Float32Array | null,
  /** Hears the share of the region's rows rendered, as the render goes. */
  onRows?: (done: number) => void,
  /** Checked between the render's bands (core/cancel.ts). */
  signal?: AbortSignal,
): void {
  const tb = rw.targetBounds;
  const mask = rw.region.mask;
  const patch = buildSourcePatch(image, mask, shared, signal, rw.region.rimColour);
  const task: RenderTask = {
    backward: rw.backward,
    field: rw.field ? {
      left: rw.field.left, top: rw.field.top, cell: rw.field.cell, cols: rw.field.cols, rows: rw.field.rows, ex: rw.field.ex, ey: rw.field.ey,
      ...(rw.field.seam ? { seam: rw.field.seam } : {}),
    } : null,
    supersample: rw.supersample, targetBounds: tb,
    mask: shared ? { left: mask.left, top: mask.top, width: mask.width, height: mask.height, data: asShared(mask.data) } : mask,
    patch, quality, crop, edited: edited.data, original: original.data, targetMask: targetMask.data, keepMask: keepMask.data, sourceMap,
    reach: null,
  };
  if (!referenceKernel) task.reach = patchReach(patch, quality === 'final' ? 4 : 2, shared, signal);
  const work = tb.width * tb.height * (quality === 'final' ? 4 : 1) * rw.supersample * rw.supersample;
  // (The reference kernel is set in this thread only: it renders here.)
  if (shared && !referenceKernel) runRows(RENDER_KERNEL, task, tb.height, work, onRows, signal);
  else rowsInBands(renderRows, task, tb.height, onRows, signal);
}

/**
 * Write one resampled, premultiplied sample `px` with coverage `cov` (0..1; `cov8` its byte) into
 * straight-alpha `ed` at byte offset `p4`: an opaque interior sample replaces the pixel, anything
 * else is composited premultiplied "over" what is there now.
 */
export function writeSample(ed: Uint8ClampedArray, p4: number, px: Float32Array, cov: number, cov8: number): void {
  if (cov8 === 255 && px[3] === 1) {
    ed[p4] = px[0]!; ed[p4 + 1] = px[1]!; ed[p4 + 2] = px[2]!; ed[p4 + 3] = 255;
    return;
  }
  const ba = (ed[p4 + 3]! / 255) * (1 - cov);
  const oa = px[3]! + ba;
  if (oa <= 0) { ed[p4] = 0; ed[p4 + 1] = 0; ed[p4 + 2] = 0; ed[p4 + 3] = 0; return; }
  const s = 1 / oa;
  ed[p4] = (px[0]! + ed[p4]! * ba) * s;
  ed[p4 + 1] = (px[1]! + ed[p4 + 1]! * ba) * s;
  ed[p4 + 2] = (px[2]! + ed[p4 + 2]! * ba) * s;
  ed[p4 + 3] = oa * 255;
}

/** {@link writeSample} with the sample in four float32-rounded numbers. */
function writeSample4(ed: Uint8ClampedArray, p4: number, p0: number, p1: number, p2: number, p3: number, cov: number, cov8: number): void {
  if (cov8 === 255 && p3 === 1) {
    ed[p4] = p0; ed[p4 + 1] = p1; ed[p4 + 2] = p2; ed[p4 + 3] = 255;
    return;
  }
  const ba = (ed[p4 + 3]! / 255) * (1 - cov);
  const oa = p3 + ba;
  if (oa <= 0) { ed[p4] = 0; ed[p4 + 1] = 0; ed[p4 + 2] = 0; ed[p4 + 3] = 0; return; }
  const s = 1 / oa;
  ed[p4] = (p0 + ed[p4]! * ba) * s;
  ed[p4 + 1] = (p1 + ed[p4 + 1]! * ba) * s;
  ed[p4 + 2] = (p2 + ed[p4 + 2]! * ba) * s;
  ed[p4 + 3] = oa * 255;
}

/**
 * The integer backward shift `[dx, dy]` of a prepared region when its map is a pure, non-zero
 * integer translation without deform or supersampling, else null.
 */
function integerShift(rw: RegionWarp): [number, number] | null {
  const [a, b, c, d, e, f] = rw.backward;
  if (rw.field || rw.supersample !== 1 || a !== 1 || b !== 0 || d !== 0 || e !== 1) return null;
  if (!Number.isInteger(c) || !Number.isInteger(f) || (c === 0 && f === 0)) return null;
  return [c, f];
}

/** Whether integer translations take {@link renderIntegerShift} (tests switch it off to compare with the general path). */
let integerShiftPath = true;

/** Turn the integer-translation fast path on or off; returns the previous setting (tests). */
export function setIntegerShiftPath(on: boolean): boolean {
  const prev = integerShiftPath;
  integerShiftPath = on;
  return prev;
}

/**
 * Fast path of {@link renderRegion} for an integer translation (preview and final): bilinear and
 * bicubic sampling at integer positions have weight 1 on one tap, so each target pixel takes its
 * source pixel's premultiplied value directly from the image and mask (no float patch). Every
 * value is rounded exactly as the patch would store it (Float32), and a final render applies the
 * clamped bicubic's limits (alpha within coverage, colour within 255 × alpha), so the result is
 * bit-identical to the general path (tested).
 */
function renderIntegerShift(
  rw: RegionWarp, shift: readonly [number, number], image: RgbaImage, crop: Rect, edited: RgbaImage, targetMask: Mask, keepMask: Mask,
  sourceMap: Float32Array | null, quality: 'preview' | 'final', signal?: AbortSignal,
): void {
  const final = quality === 'final';
  const px = new Float32Array(4);
  const [sxOff, syOff] = shift;
  const rm = rw.region.mask, md = rm.data, mw = rm.width;
  const src = image.data, iw = image.width;
  const ed = edited.data, td = targetMask.data, kd = keepMask.data, cw = crop.width;
  const tb = rw.targetBounds;
  // Source pixels with coverage: the mask rectangle clipped to the image; targets are those shifted back.
  const sx0 = Math.max(rm.left, 0), sy0 = Math.max(rm.top, 0);
  const sx1 = Math.min(rm.left + rm.width, image.width), sy1 = Math.min(rm.top + rm.height, image.height);
  const tx0 = Math.max(tb.left, sx0 - sxOff), tx1 = Math.min(tb.left + tb.width, sx1 - sxOff);
  const ty0 = Math.max(tb.top, sy0 - syOff), ty1 = Math.min(tb.top + tb.height, sy1 - syOff);
  // The rim's own colours (Region `rimColour`, ascending document indices): the source pixels are
  // visited in ascending order, so one cursor finds them.
  const rim = rw.region.rimColour, rimIndex = rim?.index, rimRgb = rim?.rgb;
  let rc = 0;
  for (let ty = ty0; ty < ty1; ty++) {
    checkRow(signal, ty - ty0);
    const sy = ty + syOff;
    const row = (ty - crop.top) * cw - crop.left;
    const mrow = (sy - rm.top) * mw - rm.left + sxOff;
    const irow = sy * iw + sxOff;
    for (let tx = tx0; tx < tx1; tx++) {
      const m = md[mrow + tx]!;
      if (m === 0) continue;
      const ti = row + tx;
      if (kd[ti]! > 0) continue;
      const si = (irow + tx) * 4;
      let r = src[si]!, g = src[si + 1]!, b = src[si + 2]!;
      if (rimIndex !== undefined) {
        const d = irow + tx;
        while (rc < rimIndex.length && rimIndex[rc]! < d) rc++;
        if (rc < rimIndex.length && rimIndex[rc] === d) { r = rimRgb![3 * rc]!; g = rimRgb![3 * rc + 1]!; b = rimRgb![3 * rc + 2]!; }
      }
      if (m === 255 && src[si + 3] === 255) {
        // Solid coverage of an opaque pixel: writeSample would store the source pixel as it is.
        td[ti] = 255;
        const q = ti * 4;
        ed[q] = r; ed[q + 1] = g; ed[q + 2] = b; ed[q + 3] = 255;
        if (sourceMap) { sourceMap[2 * ti] = tx + sxOff; sourceMap[2 * ti + 1] = sy; }
        continue;
      }
      const c = m / 255;
      const cov = Math.fround(c);
      const cov8 = Math.round(cov * 255);
      if (cov8 === 0) continue;
      if (cov8 > td[ti]!) td[ti] = cov8;
      const a = (src[si + 3]! / 255) * c;
      px[0] = r * a; px[1] = g * a; px[2] = b * a; px[3] = a;
      if (final) {
        // sampleBicubic's clamps (resample.ts) on its single tap: alpha within [0, coverage],
        // premultiplied colour within [0, 255 × alpha].
        let a0 = px[3]!;
        if (a0 < 0) a0 = 0; else if (a0 > cov) a0 = cov;
        const hi = a0 * 255;
        for (let q = 0; q < 3; q++) { const v = px[q]!; px[q] = v < 0 ? 0 : v > hi ? hi : v; }
        px[3] = a0;
      }
      writeSample(ed, ti * 4, px, cov, cov8);
      if (sourceMap) { sourceMap[2 * ti] = tx + sxOff; sourceMap[2 * ti + 1] = sy; }
    }
  }
}

/** {@link placedMaskToCrop} into a zeroed `out`: the overlapping part of each row copied as it is. */
function copyMaskRows(m: PlacedMask, crop: Rect, out: Mask): void {
  const x0 = Math.max(m.left, crop.left), x1 = Math.min(m.left + m.width, crop.left + crop.width);
  const y0 = Math.max(m.top, crop.top), y1 = Math.min(m.top + m.height, crop.top + crop.height);
  if (x1 <= x0) return;
  for (let y = y0; y < y1; y++) {
    const s = (y - m.top) * m.width + x0 - m.left;
    out.data.set(m.data.subarray(s, s + x1 - x0), (y - crop.top) * crop.width + x0 - crop.left);
  }
}

/**
 * hole = source − target (where positive), forbidden = hole ∪ target, both 0 on keep pixels; over
 * the crop pixels of `area` (document rectangle outside which source and target are empty).
 */
function holeAndForbidden(source: Mask, target: Mask, keep: Mask, hasKeep: boolean, area: Rect, crop: Rect, hole: Mask, forbidden: Mask): void {
  const cw = crop.width;
  const x0 = Math.max(0, area.left - crop.left), x1 = Math.min(cw, area.left + area.width - crop.left);
  const y0 = Math.max(0, area.top - crop.top), y1 = Math.min(crop.height, area.top + area.height - crop.top);
  const sd = source.data, td = target.data, kd = keep.data, hd = hole.data, fd = forbidden.data;
  for (let y = y0; y < y1; y++) {
    const end = y * cw + x1;
    for (let p = y * cw + x0; p < end; p++) {
      const t = td[p]!, v = sd[p]! - t;
      if (v <= 0 && t === 0) continue;
      if (hasKeep && kd[p]! > 0) continue;
      if (v > 0) hd[p] = v;
      fd[p] = 255;
    }
  }
}

/**
 * Warp every region of a plan into the bounding crop of source ∪ target. See the module comment
 * for the method and the guarantees (keep and untouched pixels bit-identical, soft edges kept).
 */
export function warpRegions(input: WarpInput): WarpOutput {
  const { image, quality } = input;
  const W = image.width, H = image.height;
  const warnings: string[] = [];
  // A region whose map is the identity (a zero-length arrow with its kind set, a turn of 0°, a
  // scale of 1) changes nothing: it is not rendered at all — rendered, its own edge went through
  // the seam blend and the shadow's growth and changed hundreds of pixels around the object.
  const prepared = groupByRegion(input.regions, input.operations)
    .map((g) => prepareRegionWarp(image, g.region, g.params, quality, warnings, input.keep ?? [], input.signal, input.units))
    .filter((rw) => {
      const still = rw.field === null && isIdentityAffine(rw.backward) && isIdentityAffine(rw.forward);
      if (still) warnings.push(`Region ${rw.region.id} does not move (its arrow has no length, or the amount is zero): nothing changed there.`);
      return !still;
    });
  checkSignal(input.signal);
  let area: Rect = { left: 0, top: 0, width: 0, height: 0 };
  let regionSpan: Rect = { left: 0, top: 0, width: 0, height: 0 };
  for (const rw of prepared) {
    area = unionRect(area, unionRect(rw.sourceBounds, rw.targetBounds));
    regionSpan = unionRect(regionSpan, rw.sourceBounds);
  }
  let crop: Rect = { left: 0, top: 0, width: 0, height: 0 };
  if (area.width > 0 && area.height > 0) {
    const m = cropMarginFor(regionSpan);
    crop = clipRect({ left: area.left - m, top: area.top - m, width: area.width + 2 * m, height: area.height + 2 * m }, W, H);
  }
  const cw = crop.width, ch = crop.height, n = cw * ch;
  // Large renders share their rows among the pixel threads: the buffers they write or read then
  // live on SharedArrayBuffers (the values are the same either way).
  let renderWork = 0;
  for (const rw of prepared) renderWork = Math.max(renderWork, rw.targetBounds.width * rw.targetBounds.height * (quality === 'final' ? 4 : 1));
  const shared = willRunParallel(ch, renderWork);
  const S = input.scratch;
  const original = cropImage(image, crop, shared, S);
  const edited = cropImage(image, crop, shared);
  const sourceMask = createMask(cw, ch, false, S);
  const targetMask = createMask(cw, ch, shared);
  const keepMask = createMask(cw, ch, shared, S);
  for (const k of input.keep ?? []) placedMaskToCrop(k, crop, keepMask);

  let sourceMap: Float32Array | null = null;
  if (input.withSourceMap) {
    sourceMap = shared ? sharedFloat32(2 * n) : new Float32Array(2 * n);
    for (let y = 0, p = 0; y < ch; y++) for (let x = 0; x < cw; x++, p += 2) { sourceMap[p] = x + crop.left; sourceMap[p + 1] = y + crop.top; }
  }
  for (let gi = 0; gi < prepared.length; gi++) {
    const rw = prepared[gi]!;
    // The first region lands on a zeroed mask: its rows are copied (the max with 0 is the value).
    if (gi === 0) copyMaskRows(rw.region.mask, crop, sourceMask);
    else placedMaskToCrop(rw.region.mask, crop, sourceMask);
    if (rw.sourceBounds.width === 0) continue;
    const shift = integerShiftPath ? integerShift(rw) : null;
    if (shift) renderIntegerShift(rw, shift, image, crop, edited, targetMask, keepMask, sourceMap, quality, input.signal);
    // (A large region's render takes seconds at 24–50 MP: the bar moves with its rows; a cancel
    // stops it between two bands of rows.)
    else renderRegion(rw, image, quality, crop, shared, edited, original, targetMask, keepMask, sourceMap, input.onProgress ? (f) => input.onProgress!((gi + f) / prepared.length) : undefined, input.signal);
    input.onProgress?.((gi + 1) / prepared.length);
    checkSignal(input.signal);
  }

  const holeMask = createMask(cw, ch);
  const forbidden = createMask(cw, ch, false, S);
  // Source and target coverage are zero outside the rendered masks' bounds and the target bounds:
  // only that part is read.
  let touched: Rect = { left: 0, top: 0, width: 0, height: 0 };
  for (const rw of prepared) touched = unionRect(touched, unionRect(maskBounds(rw.region.mask), rw.targetBounds));
  holeAndForbidden(sourceMask, targetMask, keepMask, (input.keep ?? []).length > 0, touched, crop, holeMask, forbidden);
  // The editable areas of elastic drags: what they leave uncovered is filled inside them only.
  const elastic = prepared.filter((rw) => rw.elastic).map((rw) => rw.area ?? rw.region.mask);
  const elasticArea = elastic.length > 0 ? unionOver(elastic, crop) : undefined;
  return { crop, original, edited, sourceMask, targetMask, holeMask, keepMask, forbidden, warnings, ...(sourceMap ? { sourceMap } : {}), ...(elasticArea ? { elasticArea } : {}) };
}
