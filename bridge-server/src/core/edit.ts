/**
 * The core pipeline entry point: plan -> warp -> fill -> blend -> [refine] -> layer.
 *
 * - plan: `makePlan(req)` (core/plan) turns drags (+ intent) into typed operations; a rigid
 *   operation on a loose selection then moves only the object found inside it
 *   (`applyObjectReading`, core/plan/object-reading.ts).
 * - warp: `warpRegions` (core/warp) renders every operation by bidirectional warping into the
 *   bounding crop of source ∪ target (+ margin), giving the edited crop, target and hole masks.
 * - fill: `fillHole` (core/fill) fills the vacated area; blend: `blendSeams` (core/blend).
 * - refine: an optional injected learned `Refiner` (final quality only).
 * - layer: the changed pixels with their document offset.
 *
 * Keep pixels are restored from the input after the last stage, so they are bit-identical
 * whatever a later stage does. The signal is checked between stages and inside the long ones (the
 * object reading's steps and GrabCut rounds, the warp's bands of rows and field building, the
 * fill's levels, the self-check: core/cancel.ts), so a cancel ends the edit within a small share
 * of a stage; per-stage timings are returned in milliseconds.
 */
import { cloneImage, createImage, createMask, placedMaskToCrop } from './image';
import type { EditRequest, EditResult, Filler, Mask, Plan, ProgressFn, Rect, Refiner, Region, RgbaImage } from './types';
import { editRoi } from '@smartdrag/shared';
import { CancelledError } from './types';
import { throwIfCancelled } from './cancel';
import { applyObjectReading, makePlan, type PlanReasoner } from './plan';
import { checkReading, pinnedPlan } from './plan/pinned-reading';
import { pixelUnits, saidArea, type PixelUnits } from './plan/units';
import { fillHole, holeBox } from './fill';
import { blendSeams } from './blend';
import { healSmoothCuts } from './blend/cut-heal';
import { allElastic, composeAffine, IDENTITY_AFFINE, invertAffine, rigidStep, warpRegions, type Affine } from './warp';
import { growRings } from './rings';
import { Scratch } from './fill/scratch';
import { selfCheck, selfCheckWarning, type SelfCheck } from './self-check';
import { requestWithRoom } from './plan/room';
import { planFromProxy, proxyInfoFor, proxyRequest, type ProxyInfo } from './proxy';

export * from './warp';

export interface RunEditOptions {
  onProgress?: ProgressFn;
  signal?: AbortSignal;
  /** Learned filler replacing the classical one (final quality only). */
  filler?: Filler;
  /** Optional learned refinement after blend (final quality only). */
  refiner?: Refiner;
  /** Called once with the plan as soon as it is made, before any pixel work (hosts show it). */
  onPlan?: (plan: Plan) => void;
  /** Optional plan reasoner (e.g. a local LLM); `makePlan` falls back to the rules on any failure. */
  reasoner?: PlanReasoner;
  /** Return `sourceMap` in the result (where each crop pixel's content came from; for measures). */
  withSourceMap?: boolean;
  /**
   * Return what `movedOutline` (core/outline.ts) needs: the `sourceMap`, or — when every region
   * is only translated — `movedShiftPx` (the smallest region shift) instead, since every moved
   * pixel then moved by its region's shift and the per-pixel map is not worth building; or — when
   * one region is turned or scaled (rigid operations only) — `movedBackward`, the warp's backward
   * map, from which each pixel's source is computed (a crop-sized map costs 8 bytes a pixel).
   */
  forOutline?: boolean;
  /**
   * Run the self-check (core/self-check.ts) on the result: `check` in the result, and a warning
   * in its plan when the result is doubtful. Every size is checked, a crop over
   * `SELF_CHECK_PROXY_PIXELS` on a box proxy; a rigid plan of one region is read from its backward
   * map, any other builds the source map (`check: null` only for an empty crop).
   */
  selfCheck?: boolean;
  /**
   * Preview only: run on a proxy of at most this many pixels when the document is at least about
   * 4× larger (proxy scale ≤ 1/2; core/proxy.ts) and return a proxy-scale result with `proxy`
   * set. Final quality ignores it.
   */
  proxyMaxPixels?: number;
  /**
   * The request is already on a proxy the host made (job.submit `proxyOf`): its image, masks and
   * positions are in proxy pixels of a document area `width / scaleX × height / scaleY`. The edit
   * runs on it as it is (preview only) and the result comes back as a proxy preview: `proxy` set,
   * the plan in document pixels. `proxyMaxPixels` is then ignored.
   */
  sentProxy?: ProxyInfo;
}

/**
 * The options the bridge's edit worker runs every edit with (and the speed suite's core rows, so
 * that they time what a user waits for): the moved outline, and the self-check on finals (a
 * preview stays within its budget; the final is what becomes a layer).
 */
export function bridgeEditOptions(quality: EditRequest['quality']): Pick<RunEditOptions, 'forOutline' | 'selfCheck'> {
  return { forOutline: true, selfCheck: quality === 'final' };
}

/** Run one edit end to end. Throws `CancelledError` when `opts.signal` fires. */
export async function runEdit(req: EditRequest, opts: RunEditOptions = {}): Promise<EditResult> {
  if (opts.sentProxy) {
    const info = opts.sentProxy;
    if (req.quality !== 'preview') throw new RangeError('a host-made proxy (sentProxy) is for previews only');
    if (req.image.width !== info.width || req.image.height !== info.height) throw new RangeError(`image ${req.image.width}x${req.image.height} is not the proxy's ${info.width}x${info.height}`);
    if (info.scaleX < 1 || info.scaleY < 1) {
      const onPlan = opts.onPlan;
      // The text's pixel quantities are the document's (plan/units.ts): the request says its scale.
      req = { ...req, pixelScale: { x: info.scaleX, y: info.scaleY } };
      const r = await runEdit(req, { ...opts, sentProxy: undefined, proxyMaxPixels: undefined, ...(onPlan ? { onPlan: (p: Plan) => onPlan(planFromProxy(p, info)) } : {}) });
      return { ...r, plan: planFromProxy(r.plan, info), proxy: info, timings: { proxy: 0, ...r.timings } };
    }
    opts = { ...opts, sentProxy: undefined, proxyMaxPixels: undefined };
  }
  if (req.quality === 'preview' && opts.proxyMaxPixels !== undefined) {
    const info = proxyInfoFor(req.image.width, req.image.height, opts.proxyMaxPixels);
    // Only from half scale down: closer to the budget, making the proxy (a fractional area
    // average over the whole document) costs about what the smaller edit saves.
    if (info.scaleX <= 0.5 && info.scaleY <= 0.5) {
      const tp = performance.now();
      const preq = proxyRequest(req, info);
      const proxyMs = performance.now() - tp;
      const onPlan = opts.onPlan;
      const r = await runEdit(preq, { ...opts, proxyMaxPixels: undefined, ...(onPlan ? { onPlan: (p: Plan) => onPlan(planFromProxy(p, info)) } : {}) });
      return { ...r, plan: planFromProxy(r.plan, info), proxy: info, timings: { proxy: proxyMs, ...r.timings, total: r.timings.total! + proxyMs } };
    }
  }
  const t0 = performance.now();
  const timings: Record<string, number> = {};
  const seed = req.seed ?? 1;
  throwIfCancelled(opts.signal);
  // A reading the user chose among the plan's (core/plan/pinned-reading.ts) is carried out as
  // given; one that cannot be is refused before any work.
  if (req.reading) checkReading(req, req.reading);
  let plan = await makePlan(req, { ...(opts.reasoner ? { reasoner: opts.reasoner } : {}), ...(opts.signal ? { signal: opts.signal } : {}) });
  if (req.reading) plan = pinnedPlan(req, plan);
  // A reading with room (picked by the user) bends the selection grown outward: the rest of the
  // edit — the object reading, the warp, the self-check — reads the grown regions (plan/room.ts).
  req = requestWithRoom(req, plan);
  throwIfCancelled(opts.signal);
  // A rigid move of a loose selection moves the object found inside it (core/plan/object-reading).
  const ts = performance.now();
  const objects = applyObjectReading(req, plan, opts.signal);
  plan = objects.plan;
  timings.segment = performance.now() - ts;
  timings.plan = performance.now() - t0;
  opts.onPlan?.(plan);
  opts.onProgress?.('plan', 1);
  throwIfCancelled(opts.signal);

  // The working arrays the edit does not return (the warp's copy of the input crop and its
  // source, keep and forbidden masks, the hole growing's rings, the blend's arrays) come from a
  // pool and go back to it when the edit ends: allocated afresh, ~9 MB per 1024² final edit of
  // external memory made V8 run a full (mark-compact) collection at nearly every edit.
  const S = new Scratch();
  try {
    return await editStages(req, opts, plan, objects, t0, timings, seed, S);
  } finally {
    S.release();
  }
}

/** The pixel stages of {@link runEdit} (warp → fill → blend → refine → layer); arrays not returned come from `S`. */
async function editStages(
  req: EditRequest, opts: RunEditOptions, plan: Plan, objects: ReturnType<typeof applyObjectReading>, t0: number,
  timings: Record<string, number>, seed: number, S: Scratch,
): Promise<EditResult> {
  const t1 = performance.now();
  // The outline and the self-check read where each pixel came from. The outline of translations
  // needs only their shift; otherwise a rigid plan of one region gives it as its backward map (the
  // per-pixel map costs 8 bytes a pixel), and any other plan builds the map.
  const shiftPx = opts.forOutline && !opts.withSourceMap ? translationShift(plan) : undefined;
  const perPixel = (opts.forOutline || opts.selfCheck) && !opts.withSourceMap && (opts.selfCheck || shiftPx === undefined);
  const backward = perPixel ? rigidBackward(plan) : undefined;
  // An elastic drag's occlusion reading cuts where two moved parts meet: on finals the steps of those
  // cuts across smooth surfaces are spread out (blend/cut-heal.ts), which reads the source map.
  const healCuts = req.quality === 'final' && plan.operations.some((o) => o.params.kind === 'deform' && o.params.elastic === true && o.params.map === 'occlusion');
  const warp = warpRegions({
    image: req.image, regions: objects.regions, operations: plan.operations, keep: req.keep, quality: req.quality,
    signal: opts.signal, onProgress: (f) => opts.onProgress?.('warp', f),
    withSourceMap: opts.withSourceMap || (perPixel && backward === undefined) || healCuts,
    scratch: S,
    // (Its warnings say document pixels, as the plan does: the request may be a proxy, plan/units.ts.)
    units: pixelUnits(req),
  });
  // (The warp repeats a warning the planner already gave when both read the same elastic field.)
  const fresh = warp.warnings.filter((w) => !plan.warnings.includes(w));
  if (fresh.length > 0) plan = { ...plan, warnings: [...plan.warnings, ...fresh] };
  const { crop, original: src, edited, sourceMask, targetMask, holeMask, keepMask, forbidden } = warp;
  const n = crop.width * crop.height;
  if (healCuts && warp.sourceMap) healSmoothCuts({ edited, original: src, crop, sourceMap: warp.sourceMap, targetMask, holeMask, keepMask, scratch: S });
  throwIfCancelled(opts.signal);
  // The growth reaches past the object's soft edge left outside the selection (rimReach): a few
  // pixels on DragBench-sized photos, tens on the 24–50 MP documents users open.
  // (Previews keep the fixed growth: the preview fill is a quick interpolation, and the reading
  // would cost a drag's every frame.)
  // A selection grown by its cast shadow (plan/cast-shadow.ts) leaves a vacated area whose outline
  // lies on the backdrop: there the soft edge is not read (a neighbouring object's edge beyond the
  // paper read as the object's own, 51 px on a synthetic 8× scene), the area grows by the shadow
  // fringe's width, and other objects next to the shadow stop the growth like keep pixels.
  const shadows = shadowGrowth(objects.regions, keepMask, warp.elasticArea, crop, S);
  const grow = req.quality === 'final'
    ? Math.min(HOLE_GROW_MAX_PX, Math.max(holeGrowRadius(src, holeMask, targetMask, shadows.keep, shadows.skip, S), shadows.growPx))
    : HOLE_GROW_PX;
  throwIfCancelled(opts.signal);
  growHole(holeMask, targetMask, shadows.keep, forbidden, grow, S, warp.elasticArea, HOLE_GROW_PX);
  throwIfCancelled(opts.signal);
  const under = underSoftMoved(edited, holeMask, targetMask, keepMask);
  timings.warp = performance.now() - t1;
  opts.onProgress?.('warp', 1);
  throwIfCancelled(opts.signal);

  const t2 = performance.now();
  // A selection of everything (Select All, then a drag) leaves the filler no pixel to take the
  // uncovered strip from: it keeps the picture there (the content shows twice). Said, not guessed.
  if (noFillSource(holeMask, forbidden, crop, req.image)) {
    plan = { ...plan, warnings: [...plan.warnings, 'The selection covers the whole picture: nothing outside it is left to fill the uncovered area from, so that area keeps the picture as it was (its content shows twice there). Select the object rather than everything, or leave some background unselected.'] };
  }
  const fallbacks: string[] = [];
  await fillHole({
    image: edited, hole: holeMask, forbidden, quality: req.quality, seed,
    filler: req.quality === 'final' ? opts.filler : undefined, signal: opts.signal,
    onFallback: (why) => fallbacks.push(why),
    onProgress: (f) => opts.onProgress?.('fill', f),
    // (Previews fill from the crop alone: the document's area around it is only read for finals.)
    ...(req.quality === 'final' ? { context: { document: req.image, crop, bounds: fillContextBounds(req) } } : {}),
  });
  if (under) recomposite(edited, src, holeMask, targetMask, under);
  // The learned filler could not run (its model file missing or damaged, a non-finite output):
  // the classical filler filled the hole; the user hears why.
  if (fallbacks.length > 0) plan = { ...plan, warnings: [...plan.warnings, `The learned inpainting could not run (${fallbacks[0]}); the classical filler filled the vacated area. \`smartdrag models verify\` checks the installed models.`] };
  timings.fill = performance.now() - t2;
  opts.onProgress?.('fill', 1);
  throwIfCancelled(opts.signal);

  const t3 = performance.now();
  // An elastic map is continuous with its surroundings (zero displacement on the area's edge):
  // there is no seam between moved content and a new background to correct.
  // An elastic drag that bent its whole selection (not only the object inside it: plan/background-kept.ts).
  const bentWhole = allElastic(plan.operations.map((o) => o.params)) && !objects.regions.some((r) => r.area);
  // (An elastic drag of the object inside its area moves it over a background that stays: seams.)
  const seam = bentWhole
    ? createMask(crop.width, crop.height, false, S)
    : blendSeams({ edited, original: src, targetMask, holeMask, keepMask, sourceMask, quality: req.quality, scratch: S });
  timings.blend = performance.now() - t3;
  opts.onProgress?.('blend', 1);
  throwIfCancelled(opts.signal);

  if (opts.refiner && req.quality === 'final') {
    const t4 = performance.now();
    const allowed = createMask(crop.width, crop.height);
    for (let p = 0; p < n; p++) if ((holeMask.data[p]! > 0 || seam.data[p]! > 0) && keepMask.data[p] === 0) allowed.data[p] = 255;
    // A refiner that fails (its model files missing or damaged) leaves the result unrefined, said so
    // (the refiners write the image only after their last model run).
    try {
      await opts.refiner.refine({
        image: edited, allowed, intent: req.intent ?? '', seed, signal: opts.signal,
        onProgress: (f) => opts.onProgress?.('refine', f),
      });
    } catch (e) {
      if (e instanceof CancelledError || opts.signal?.aborted) throw e;
      plan = { ...plan, warnings: [...plan.warnings, `The learned refinement could not run (${e instanceof Error ? e.message : String(e)}); the result is not refined. \`smartdrag models verify\` checks the installed models.`] };
    }
    timings.refine = performance.now() - t4;
    throwIfCancelled(opts.signal);
  }

  const t5 = performance.now();
  if (req.keep && req.keep.length > 0) restoreKeep(edited, src, keepMask);
  // The layer is trimmed to the changed pixels' box: a host receives and places only that.
  const { image: layer, left: lx, top: ly, uncovered } = trimmedChangedLayer(src, edited);
  // A layer above the original cannot make its pixels more transparent (Normal blending): said.
  if (uncovered > 0) plan = { ...plan, warnings: [...plan.warnings, uncoveredWarning(uncovered, pixelUnits(req))] };
  timings.layer = performance.now() - t5;
  opts.onProgress?.('layer', 1);
  let check: SelfCheck | null | undefined;
  if (opts.selfCheck) {
    throwIfCancelled(opts.signal);
    check = selfCheck(req, { crop, edited, targetMask, holeMask, sourceMap: warp.sourceMap, movedBackward: backward }, undefined, opts.signal);
    if (check) timings.check = check.ms;
    // (Suggesting "keep the background" where the whole selection of an elastic drag was bent and it was not said.)
    if (check?.doubtful) plan = { ...plan, warnings: [...plan.warnings, selfCheckWarning(check, { elastic: bentWhole && !objects.keptBackground })] };
  }
  timings.total = performance.now() - t0;
  // The map goes back only to those who asked for it (or for the outline, which reads it).
  const giveMap = warp.sourceMap && (opts.withSourceMap || opts.forOutline);
  return {
    plan, crop, edited, targetMask, holeMask, layer: { left: crop.left + lx, top: crop.top + ly, image: layer }, timings,
    ...(check !== undefined ? { check } : {}),
    ...(giveMap ? { sourceMap: warp.sourceMap } : {}),
    ...(shiftPx !== undefined ? { movedShiftPx: shiftPx } : {}),
    ...(backward !== undefined ? { movedBackward: backward } : {}),
  };
}

/**
 * When the plan moves one region by rigid operations only (translate, rotate, scale; no deform
 * or elastic field): the backward map the warp renders it with (target → source, document
 * pixels), composed with the warp's own {@link rigidStep}, else undefined. Every pixel the warp renders then shows the content at
 * that map's image of itself, so the outline needs no per-pixel source map.
 */
export function rigidBackward(plan: Plan): Affine | undefined {
  const ops = plan.operations;
  if (ops.length === 0 || ops.some((o) => o.region !== ops[0]!.region || o.params.kind === 'deform')) return undefined;
  let forward: Affine = IDENTITY_AFFINE;
  for (const o of ops) {
    const p = o.params;
    if (p.kind === 'deform') return undefined;
    forward = composeAffine(rigidStep(p, forward), forward);
  }
  return invertAffine(forward);
}

/**
 * When every operation is a translation: the smallest shift (px) of a region (a region's
 * translations add up), else undefined. Every pixel the warp renders then shows content from
 * exactly its region's shift away.
 */
function translationShift(plan: Plan): number | undefined {
  if (plan.operations.length === 0) return undefined;
  const byRegion = new Map<string, [number, number]>();
  for (const o of plan.operations) {
    if (o.params.kind !== 'translate') return undefined;
    const d = byRegion.get(o.region) ?? [0, 0];
    byRegion.set(o.region, [d[0] + o.params.dx, d[1] + o.params.dy]);
  }
  let min = Infinity;
  for (const [dx, dy] of byRegion.values()) min = Math.min(min, Math.hypot(dx, dy));
  return min;
}

/**
 * The document area the filler may read around the crop: the area a host sends for this edit
 * (shared `editRoi`, default margin). A whole-document edit then reads the same pixels as the
 * same edit on the host's crop of the document, and gives the same layer.
 */
export function fillContextBounds(req: EditRequest): Rect {
  return editRoi({ regions: req.regions.map((r) => r.mask), arrows: req.drags.map((d) => d.points), docWidth: req.image.width, docHeight: req.image.height });
}

/**
 * How far (px) the vacated area is grown before filling, at least. A selection drawn on an object's
 * outline leaves its anti-aliased rim and soft shadow edge behind as a ghost outline; filling a few
 * pixels beyond the selection removes it (Inpaint4Drag dilates its inpainting mask for the same
 * reason). Where the object's edge reaches further ({@link holeGrowRadius}) the growth follows it.
 */
export const HOLE_GROW_PX = 6;

/** Most the vacated area is grown (px), however wide the object's edge reads ({@link holeGrowRadius}). */
export const HOLE_GROW_MAX_PX = 64;
/**
 * The vacated area's growth over the reach of the object's edge outside the selection
 * ({@link rimReach}, its upper quartile): the reach is read where the edge is steepest, and the
 * edge's faint tail runs on past it.
 */
export const RIM_GROW_FACTOR = 1.5;
/**
 * The vacated area's growth in edge widths ({@link rimReach}, its median): a faint halo runs on
 * beside an object's edge (lighter or darker than what lies beyond) about as far as the photo is
 * blurred, wherever the selection was drawn.
 */
export const RIM_WIDTHS = 2;

/**
 * How far (px) to grow the vacated area of `hole`, read outside `skip` (elastic drags' areas,
 * regions grown by a cast shadow): {@link HOLE_GROW_PX}, or
 * more when the object's soft edge reaches further out of the selection ({@link rimReach}: its
 * reach × {@link RIM_GROW_FACTOR}, its width × {@link RIM_WIDTHS}), at most
 * {@link HOLE_GROW_MAX_PX}. On the photo cases at their size 6–11 px; the same photos at 4× (the
 * 1–5 MP documents users open) up to 29 px, at 8× up to 64 px — where a fixed 6 px left the
 * object's soft edge behind as a ghost that the fill's colour correction spread over the whole
 * vacated place (an apple-coloured crescent where the apple was, a dark column where a tower
 * stood). Read from the edit's own crop of the input, so a host's crop of a document gives the
 * whole document's radius.
 */
export function holeGrowRadius(src: RgbaImage, hole: Mask, target: Mask, keep: Mask, skip?: Mask, scratch?: Scratch): number {
  const rim = rimReach(src, hole, target, keep, skip, scratch);
  return Math.max(HOLE_GROW_PX, Math.min(HOLE_GROW_MAX_PX, Math.ceil(Math.max(RIM_GROW_FACTOR * rim.reach, RIM_WIDTHS * rim.width))));
}

/** Most outline points {@link rimReach} reads. */
const RIM_MAX_POINTS = 600;

/** Grey step (mean of R, G, B) across a selection's edge below which it is not read as the object's edge. */
export const RIM_MIN_STEP = 30;
/** Grey levels by which the profile may vary between the selection's edge and the object's edge found outside it. */
export const RIM_PLATEAU = 15;
/** Levels (any channel) within which the profile past the edge has settled on the backdrop's colour: the end of a shadow's or halo's tail. */
export const RIM_TAIL_LEVELS = 3;
/** Levels by which the profile's distance to the backdrop's colour may rise again along a tail (more: no tail). */
export const RIM_TAIL_STEADY = 2;
/** A tail comes at least a level closer to the backdrop's colour every this many px (else it is flat: no tail). */
export const RIM_TAIL_STRIDE = 8;

/**
 * How far (px) the object's edge reaches outside the selection that left `hole`: along the outward
 * normal of the solid hole's outline (every 4th outline pixel outside `skip` — elastic drags'
 * areas, regions grown by a cast shadow — at most about
 * {@link RIM_MAX_POINTS} of them), the grey
 * profile of the input crop `src` from −R to +R px; where its ends differ by at least
 * {@link RIM_MIN_STEP} and by more than either end varies (an edge between the object and what
 * surrounds it, not a texture's grain), the edge lies at the peak t* of the first slope from 2 px
 * inside the selection outwards that is at least half the profile's steepest — a stroke just
 * outside the selection, and only while the profile up to it stays within {@link RIM_PLATEAU} of
 * the selection's own edge (a neighbouring object's edge beyond a gap of background is not
 * taken; none: reach 0) — and is w = step / that slope wide (≈ 2.5 σ of a blurred step), so it
 * reaches t* + w outside the selection — or further, to the end of a soft shadow's or halo's tail
 * past it ({@link tailEnd}). R is the shortest of 8, 16, 32, 64 px that holds such a
 * step with the reach inside its outer half. Returns the reach's upper quartile and the width's
 * median over the outline (0 without an edge to read). The edge's width grows with the photo's
 * resolution (defocus, anti-aliasing) and so does a selection's distance from it (it was drawn at
 * the screen's zoom): the photo cases read 0–7 px at their size, 0–19 px at 4×, 0–45 px at 8×.
 */
export function rimReach(src: RgbaImage, hole: Mask, target: Mask, keep: Mask, skip?: Mask, scratch?: Scratch): { reach: number; width: number } {
  const w = hole.width, h = hole.height, n = w * h, hd = hole.data, td = target.data, kd = keep.data, ed = skip?.data, d = src.data;
  if (n === 0 || src.width !== w || src.height !== h) return { reach: 0, width: 0 };
  const solid = (x: number, y: number): number => (x < 0 || y < 0 || x >= w || y >= h ? 0 : hd[y * w + x]! >= 128 ? 1 : 0);
  const openAt = (q: number): boolean => hd[q]! < 128 && td[q] === 0 && kd[q] === 0;
  // The outline (solid hole pixels outside `skip` with a 4-neighbour outside the hole);
  // every 4th of its pixels is read, at most about RIM_MAX_POINTS of them (a 36 MP selection's
  // outline is tens of thousands of pixels).
  const hb = holeBox(hole);
  if (!hb) return { reach: 0, width: 0 };
  let line = new Int32Array(1024), count = 0;
  for (let y = hb.y0; y < hb.y1; y++) {
    for (let x = hb.x0, p = y * w + hb.x0; x < hb.x1; x++, p++) {
      if (hd[p]! < 128 || (ed && ed[p]! >= 128)) continue;
      // Inside the hole (every 4-neighbour solid): not on the outline.
      if (x > 0 && hd[p - 1]! >= 128 && x < w - 1 && hd[p + 1]! >= 128 && y > 0 && hd[p - w]! >= 128 && y < h - 1 && hd[p + w]! >= 128) continue;
      // A 4-neighbour the growth may take: outside the hole, not moved content, not keep (where
      // the hole meets the moved object, the input there is the object itself, not what surrounds it).
      if (!((x > 0 && openAt(p - 1)) || (x < w - 1 && openAt(p + 1)) || (y > 0 && openAt(p - w)) || (y < h - 1 && openAt(p + w)))) continue;
      if (count === line.length) line = growInt32(line);
      line[count++] = p;
    }
  }
  const stride = Math.max(4, Math.ceil(count / RIM_MAX_POINTS));
  // The sampled outline points and their outward normals (against the hole's 7 × 7 neighbourhood).
  const pts = new Float32Array(Math.ceil(count / stride) * 4);
  let np = 0;
  for (let i = 0; i < count; i += stride) {
    const p = line[i]!, x = p % w, y = (p - x) / w;
    let nx = 0, ny = 0;
    for (let oy = -3; oy <= 3; oy++) for (let ox = -3; ox <= 3; ox++) if (solid(x + ox, y + oy)) { nx -= ox; ny -= oy; }
    const len = Math.hypot(nx, ny);
    if (len < 1e-6) continue;
    pts[np * 4] = x; pts[np * 4 + 1] = y; pts[np * 4 + 2] = nx / len; pts[np * 4 + 3] = ny / len;
    np++;
  }
  if (np === 0) return { reach: 0, width: 0 };
  const reach = scratch ? scratch.f32(np) : new Float32Array(np), width = scratch ? scratch.f32(np) : new Float32Array(np);
  const prof = new Float32Array(2 * HOLE_GROW_MAX_PX + 1), ends = new Float32Array(4);
  const tail = new Float32Array(3 * (HOLE_GROW_MAX_PX + 1)), four = new Float32Array(4);
  let m = 0;
  for (let i = 0; i < np; i++) {
    const x = pts[i * 4]!, y = pts[i * 4 + 1]!, nx = pts[i * 4 + 2]!, ny = pts[i * 4 + 3]!;
    // The shortest profile that holds the whole edge: R = 8, 16, 32, 64 px until its ends differ
    // by a step and the edge's reach lies inside its outer half.
    for (let R = 8; R <= HOLE_GROW_MAX_PX; R *= 2) {
      for (let t = -R; t <= R; t++) {
        const sx = Math.min(w - 1, Math.max(0, Math.round(x + t * nx))), sy = Math.min(h - 1, Math.max(0, Math.round(y + t * ny)));
        const si = (sy * w + sx) * 4;
        prof[t + R] = (d[si]! + d[si + 1]! + d[si + 2]!) / 3;
      }
      const last = 2 * R;
      // The ends' medians must differ by more than either end varies (a texture's grain is no edge).
      const inner = median4(prof, 0, ends), innerRange = ends[3]! - ends[0]!;
      const outer = median4(prof, last - 3, ends), outerRange = ends[3]! - ends[0]!;
      const step = Math.abs(outer - inner);
      if (step < RIM_MIN_STEP || step < innerRange || step < outerRange) continue;
      let steepest = 0;
      for (let j = 1; j < last; j++) steepest = Math.max(steepest, Math.abs(prof[j + 1]! - prof[j - 1]!) / 2);
      // The edge is the first strong slope out from 2 px inside the selection (a stroke just
      // outside it, not a neighbouring object's edge further out), followed up to its peak; none:
      // the edge lies inside the selection.
      let j = R - 2;
      while (j < last && Math.abs(prof[j + 1]! - prof[j - 1]!) / 2 < 0.5 * steepest) j++;
      // Up to that slope the profile must still be what lies just inside the selection (the
      // object's own rim); a plateau of something else first (paper, a shadow's backdrop) means
      // the slope is a neighbouring object's edge, and the selection's edge is on the background.
      let own = true;
      for (let k = R - 1; k < j && own; k++) if (Math.abs(prof[k]! - prof[R - 2]!) > RIM_PLATEAU) own = false;
      let r = 0, peak = steepest;
      if (j < last && own) {
        while (j + 1 < last && Math.abs(prof[j + 2]! - prof[j]!) >= Math.abs(prof[j + 1]! - prof[j - 1]!)) j++;
        peak = Math.abs(prof[j + 1]! - prof[j - 1]!) / 2;
        r = Math.max(0, j - R + step / peak);
        if (r > R / 2 && R < HOLE_GROW_MAX_PX) continue;
      }
      if (own && r > 0) r = Math.max(r, tailEnd(d, w, h, x, y, nx, ny, Math.ceil(r), tail, four, ends));
      reach[m] = r;
      width[m++] = step / peak;
      break;
    }
  }
  return m === 0 ? { reach: 0, width: 0 } : { reach: quantile(reach, m, 0.75), width: quantile(width, m, 0.5) };
}

/**
 * Where the tail past an object's edge ends, in px out from the outline point (x, y) along its
 * outward normal (nx, ny), or 0 without one: a soft shadow or halo settles on the backdrop's colour
 * over as many pixels again as the edge itself (the pencil's bluish shadow line 15 px past its
 * edge at 4×). The colour profile from the edge's end `from` out to {@link HOLE_GROW_MAX_PX} px must
 * approach the colour at its far end steadily — by at least a level every
 * {@link RIM_TAIL_STRIDE} px, never turning back by more than {@link RIM_TAIL_STEADY} — until it is
 * within {@link RIM_TAIL_LEVELS} (or the far end's own variation) of it. A flat stretch (backdrop
 * before a neighbouring object further out) or a profile that wanders (a blotchy wall) has no tail.
 * `prof` holds 3 × (HOLE_GROW_MAX_PX + 1) floats, `four` and `ends` 4.
 */
function tailEnd(
  d: Uint8ClampedArray, w: number, h: number, x: number, y: number, nx: number, ny: number, from: number,
  prof: Float32Array, four: Float32Array, ends: Float32Array,
): number {
  const L = HOLE_GROW_MAX_PX;
  if (from >= L - RIM_TAIL_STRIDE) return 0;
  for (let t = from; t <= L; t++) {
    const sx = Math.min(w - 1, Math.max(0, Math.round(x + t * nx))), sy = Math.min(h - 1, Math.max(0, Math.round(y + t * ny)));
    const si = (sy * w + sx) * 4;
    prof[3 * t] = d[si]!; prof[3 * t + 1] = d[si + 1]!; prof[3 * t + 2] = d[si + 2]!;
  }
  // The far end's colour (per channel, the median of the last 4 samples) and how much it varies.
  let tol = RIM_TAIL_LEVELS;
  const farEnd = (c: number): number => {
    for (let k = 0; k < 4; k++) four[k] = prof[3 * (L - 3 + k) + c]!;
    const v = median4(four, 0, ends);
    tol = Math.max(tol, ends[3]! - ends[0]!);
    return v;
  };
  const f0 = farEnd(0), f1 = farEnd(1), f2 = farEnd(2);
  let lo = Infinity, mark = Infinity;
  for (let t = from; t < L - 3; t++) {
    const dist = Math.max(Math.abs(prof[3 * t]! - f0), Math.abs(prof[3 * t + 1]! - f1), Math.abs(prof[3 * t + 2]! - f2));
    if (dist <= tol) return t === from ? 0 : t;
    if (dist > lo + RIM_TAIL_STEADY) return 0;
    lo = Math.min(lo, dist);
    if ((t - from) % RIM_TAIL_STRIDE === 0) {
      if (t > from && lo > mark - 1) return 0;
      mark = lo;
    }
  }
  return 0;
}

/** The lower median of the 4 profile values from `from` (a robust end of the profile). */
function median4(a: Float32Array, from: number, tmp: Float32Array): number {
  // Sorted by a 5-comparator network (no typed-array sort per profile end).
  let v0 = a[from]!, v1 = a[from + 1]!, v2 = a[from + 2]!, v3 = a[from + 3]!, t: number;
  if (v0 > v1) { t = v0; v0 = v1; v1 = t; }
  if (v2 > v3) { t = v2; v2 = v3; v3 = t; }
  if (v0 > v2) { t = v0; v0 = v2; v2 = t; }
  if (v1 > v3) { t = v1; v1 = v3; v3 = t; }
  if (v1 > v2) { t = v1; v1 = v2; v2 = t; }
  tmp[0] = v0; tmp[1] = v1; tmp[2] = v2; tmp[3] = v3;
  return v1;
}

/** The value at fraction `f` of the first `m` entries of `a`, sorted in place. */
function quantile(a: Float32Array, m: number, f: number): number {
  const v = a.subarray(0, m).sort();
  return v[Math.min(m - 1, Math.floor(f * m))]!;
}

/**
 * What the regions grown by a cast shadow ({@link Region.castShadow}) change in the hole's growth:
 * `keep` with the other objects next to their shadows added (the growth stops there), the areas
 * whose outline the soft-edge reading skips (`elastic` with those regions added), and the growth
 * their fringes ask for. Without such regions, `keep` and `elastic` themselves.
 */
function shadowGrowth(regions: readonly Region[], keep: Mask, elastic: Mask | undefined, crop: Rect, S: Scratch): { keep: Mask; skip: Mask | undefined; growPx: number } {
  const shadowed = regions.filter((r) => r.castShadow);
  if (shadowed.length === 0) return { keep, skip: elastic, growPx: 0 };
  let k = keep, growPx = 0;
  const skip = createMask(crop.width, crop.height, false, S);
  if (elastic) skip.data.set(elastic.data);
  for (const r of shadowed) {
    const cs = r.castShadow!;
    growPx = Math.max(growPx, Math.ceil(cs.growPx));
    if (cs.stop) {
      if (k === keep) { k = createMask(keep.width, keep.height, false, S); k.data.set(keep.data); }
      placedMaskToCrop(cs.stop, crop, k);
    }
    // Every pixel of the region (its shadow's faint coverage too) marks the outline as not the object's.
    const m = r.mask, x0 = Math.max(m.left, crop.left), x1 = Math.min(m.left + m.width, crop.left + crop.width);
    const y0 = Math.max(m.top, crop.top), y1 = Math.min(m.top + m.height, crop.top + crop.height);
    for (let y = y0; y < y1; y++) {
      for (let x = x0; x < x1; x++) if (m.data[(y - m.top) * m.width + x - m.left]! > 0) skip.data[(y - crop.top) * crop.width + x - crop.left] = 255;
    }
  }
  return { keep: k, skip, growPx };
}

/**
 * The vacated pixels under the moved content's soft coverage (0 < target < 255 where the hole is):
 * a shadow's fading edge or fringe, an anti-aliased outline landing on the object's old place.
 * The warp composited the moved content over the input there, so the pixel holds the old object
 * behind it, and the fill, blended by the hole's coverage (source − target), left part of it: a
 * pink arc of the old red candy under the moved candy's shadow. Here those pixels are marked
 * wholly vacated (the filler fills them fully) and their warped colours and hole coverage kept, so
 * that {@link recomposite} can lay the moved content over the fill. Null when there are none.
 */
function underSoftMoved(edited: RgbaImage, hole: Mask, target: Mask, keep: Mask): { idx: Int32Array; warped: Uint8Array; hole: Uint8Array } | null {
  const hd = hole.data, td = target.data, kd = keep.data, n = hd.length;
  // (Runs on every preview frame: the hole is a small part of the crop, so whole words of 4 empty
  // hole bytes are skipped.)
  const words = hd.byteOffset % 4 === 0 ? new Uint32Array(hd.buffer, hd.byteOffset, n >> 2) : new Uint32Array(0);
  let list = new Int32Array(64), count = 0;
  for (let p = 0; p < n; p++) {
    if ((p & 3) === 0 && (p >> 2) < words.length && words[p >> 2] === 0) { p += 3; continue; }
    const t = td[p]!;
    if (hd[p]! === 0 || t === 0 || t === 255 || kd[p]! > 0) continue;
    if (count === list.length) list = growInt32(list);
    list[count++] = p;
  }
  if (count === 0) return null;
  const idx = list.slice(0, count), warped = new Uint8Array(4 * count), holeWas = new Uint8Array(count), e = edited.data;
  for (let k = 0; k < count; k++) {
    const p = idx[k]!;
    for (let c = 0; c < 4; c++) warped[4 * k + c] = e[4 * p + c]!;
    holeWas[k] = hd[p]!;
    hd[p] = 255;
  }
  return { idx, warped, hole: holeWas };
}

/**
 * Lay the moved content back over the fill at the pixels {@link underSoftMoved} marked: the warped
 * colour was t·moved + (1 − t)·input, so t·moved + (1 − t)·fill = warped + (1 − t)·(fill − input);
 * their hole coverage is given back.
 */
function recomposite(edited: RgbaImage, src: RgbaImage, hole: Mask, target: Mask, under: { idx: Int32Array; warped: Uint8Array; hole: Uint8Array }): void {
  const e = edited.data, o = src.data, hd = hole.data, td = target.data, { idx, warped } = under;
  for (let k = 0; k < idx.length; k++) {
    const p = idx[k]!, rest = 1 - td[p]! / 255;
    // The hole keeps its share of the pixel (source − target) for the stages and measures after
    // the fill: the moved content covers the rest.
    hd[p] = under.hole[k]!;
    for (let c = 0; c < 4; c++) {
      const i = 4 * p + c;
      e[i] = warped[4 * k + c]! + rest * (e[i]! - o[i]!);
    }
  }
}

/**
 * Grow `hole` by `radius` px into pixels that are neither moved content nor keep, in place, and
 * mark the grown pixels forbidden as exemplar sources. With `elastic` (the editable areas of
 * elastic drags, WarpOutput `elasticArea`), the hole inside those areas grows only inside them,
 * by `elasticRadius` (default `radius`): an elastic drag never changes a pixel outside its area
 * (issue #13); the rest grows by `radius`.
 */
export function growHole(hole: Mask, target: Mask, keep: Mask, forbidden: Mask, radius: number, scratch?: Scratch, elastic?: Mask, elasticRadius = radius): void {
  const w = hole.width, h = hole.height, n = w * h;
  if (radius <= 0 || n === 0) return;
  const hd = hole.data, ed = elastic?.data;
  const partial = partialSolid(hd);
  if (!ed) {
    growFrom(hole, target, keep, forbidden, radius, null, false, scratch);
  } else {
    // Both passes start from the hole as the warp left it (the first pass's growth is not a seed).
    const start = Uint8Array.from(hd);
    growFrom(hole, target, keep, forbidden, elasticRadius, { start, area: ed }, true, scratch);
    growFrom(hole, target, keep, forbidden, radius, { start, area: ed }, false, scratch);
  }
  closePartialEdge(hole, target, keep, partial);
}

/**
 * The hole's pixels that the warp left partly covered but solid (128..254): the anti-aliased edge
 * of the selection (hole = source − target, and the selection's edge pixels are partly in it).
 */
function partialSolid(hd: Uint8Array): { list: Int32Array; count: number } {
  let list = new Int32Array(256), count = 0;
  for (let p = 0; p < hd.length; p++) {
    // (v − 128) as an unsigned byte is < 127 exactly for 128..254.
    if (((hd[p]! - 128) & 0xff) >= 127) continue;
    if (count === list.length) list = growInt32(list);
    list[count++] = p;
  }
  return { list, count };
}

/**
 * A partly covered pixel of the warp's hole that the growth has passed — every 4-neighbour is
 * hole, moved content or keep, none an untouched pixel — becomes fully hole. Its colour is mostly
 * the object that left (the anti-aliased rim of the selection); filled only by its coverage, half
 * of that rim stayed in the fill as a dotted ghost of the old outline (photo cases: the apple
 * shrunk, the fish's fin turned, the spoon moved). Where the growth stopped (an elastic drag's
 * area edge, the image edge of the crop's content), the pixel keeps its soft coverage.
 */
function closePartialEdge(hole: Mask, target: Mask, keep: Mask, partial: { list: Int32Array; count: number }): void {
  const w = hole.width, n = w * hole.height, hd = hole.data, td = target.data, kd = keep.data;
  const touched = (q: number): boolean => hd[q]! > 0 || td[q]! > 0 || kd[q]! > 0;
  const { list, count } = partial;
  for (let i = 0; i < count; i++) {
    const p = list[i]!, x = p % w;
    if (x > 0 && !touched(p - 1)) continue;
    if (x < w - 1 && !touched(p + 1)) continue;
    if (p >= w && !touched(p - w)) continue;
    if (p + w < n && !touched(p + w)) continue;
    hd[p] = 255;
  }
}

/**
 * One ring growth of {@link growHole}: from every solid hole pixel (`within` null), or — with an
 * area — from the solid pixels of `start` inside it (`inside`, growing only inside the area) or
 * outside it (growing anywhere).
 */
function growFrom(
  hole: Mask, target: Mask, keep: Mask, forbidden: Mask, radius: number,
  within: { start: Uint8Array; area: Uint8Array } | null, inside: boolean, scratch?: Scratch,
): void {
  const w = hole.width, h = hole.height, n = w * h;
  const hd = hole.data, td = target.data, kd = keep.data, fd = forbidden.data;
  const sd = within ? within.start : hd, ad = within?.area;
  // Rings out of the solid hole (core/rings.ts); seeds: solid pixels with a 4-neighbour that is
  // not solid. `depth` marks every pixel reached once (0 = not yet, d + 1 = at ring d).
  const depth = scratch ? scratch.u8(n) : new Uint8Array(n);
  let seeds = new Int32Array(1024), sLen = 0;
  for (let y = 0, p = 0; y < h; y++) {
    for (let x = 0; x < w; x++, p++) {
      if (sd[p]! < 128) continue;
      depth[p] = 1;
      if (ad && (ad[p]! >= 128) !== inside) continue;
      if ((x > 0 && sd[p - 1]! < 128) || (x < w - 1 && sd[p + 1]! < 128) || (p >= w && sd[p - w]! < 128) || (p + w < n && sd[p + w]! < 128)) {
        if (sLen === seeds.length) seeds = growInt32(seeds);
        seeds[sLen++] = p;
      }
    }
  }
  growRings(w, h, seeds, sLen, radius, (q, ring) => {
    if (depth[q] !== 0) return false;
    depth[q] = ring + 1;
    // Moved content and keep pixels stop the growth, and so does an elastic drag's edge.
    if (td[q]! > 0 || kd[q]! > 0) return false;
    if (ad && inside && ad[q]! < 128) return false;
    const value = ring <= radius - 1 ? 255 : 128;
    if (value > hd[q]!) hd[q] = value;
    fd[q] = 255;
    return true;
  });
}

function growInt32(a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

/** 32-bit view of an RGBA8 buffer (one element per pixel), or null when it is not 4-byte aligned. */
function pixelWords(img: RgbaImage): Uint32Array | null {
  const d = img.data;
  return d.byteOffset % 4 === 0 && d.length % 4 === 0 ? new Uint32Array(d.buffer, d.byteOffset, d.length >> 2) : null;
}

/** Copy every pixel with `keep > 0` from `src` back into `edited` (keep is never changed). */
export function restoreKeep(edited: RgbaImage, src: RgbaImage, keep: Mask): void {
  const k = keep.data;
  const e32 = pixelWords(edited), s32 = pixelWords(src);
  if (e32 && s32) {
    for (let p = 0; p < k.length; p++) if (k[p]! > 0) e32[p] = s32[p]!;
    return;
  }
  const e = edited.data, s = src.data;
  for (let p = 0; p < k.length; p++) {
    if (k[p]! > 0) { const q = p * 4; e[q] = s[q]!; e[q + 1] = s[q + 1]!; e[q + 2] = s[q + 2]!; e[q + 3] = s[q + 3]!; }
  }
}

/**
 * Alpha a pixel may lose in the edit without being counted as {@link trimmedChangedLayer}'s
 * `uncovered` (resampling rounds a soft edge's alpha by a level or two; over the original that is
 * not seen).
 */
export const UNCOVER_ALPHA_TOLERANCE = 2;

/**
 * The plan warning for an edit that leaves `n` pixels more transparent than they were: a result
 * layer goes ABOVE the original (every host adds it with Normal blending; the CLI's edited.png is
 * the original with layer.png over it), and such a layer cannot erase what lies under it. `u`: the
 * request's units (plan/units.ts): `n` counts its pixels, said in document pixels.
 */
export function uncoveredWarning(n: number, u?: PixelUnits): string {
  return `The edit leaves ${saidArea(u, n)} px more transparent than they were (the picture has transparency where content moved away): a result layer above the original cannot erase, so the original shows through there and the moved content appears in both places. After applying, hide that area of the original layer (a layer mask or the eraser).`;
}

/**
 * The changed-pixels layer trimmed to the box of its visible pixels (changed and alpha > 0), with
 * the box's offset in the crop: the box is found by comparing only outside it (rows from the top
 * and from the bottom up to the first visible change; the rows between them only left and right
 * of the columns found so far — the same box as a full compare), then one pass over the box fills
 * it (no crop-size layer is made). When nothing visible changed, a 1×1 transparent layer at (0, 0).
 *
 * `uncovered`: how many pixels the edit made more transparent (alpha lower by more than
 * {@link UNCOVER_ALPHA_TOLERANCE}). Over the original, the layer cannot show those: the original
 * shows through them (an opaque picture has none). Counted only when the source has a pixel
 * that is not opaque.
 */
export function trimmedChangedLayer(src: RgbaImage, edited: RgbaImage): { image: RgbaImage; left: number; top: number; uncovered: number } {
  // Unaligned buffers (never from the warp) are compared through aligned copies.
  const s32 = pixelWords(src) ?? pixelWords(cloneImage(src))!, e32 = pixelWords(edited) ?? pixelWords(cloneImage(edited))!;
  const w = src.width, h = src.height;
  const uncovered = countUncovered(s32, e32);
  const firstIn = (row: number, from: number, to: number): number => {
    for (let x = from; x < to; x++) { const v = e32[row + x]!; if (v !== s32[row + x] && v >>> 24 !== 0) return x; }
    return -1;
  };
  const lastIn = (row: number, from: number, to: number): number => {
    for (let x = to - 1; x >= from; x--) { const v = e32[row + x]!; if (v !== s32[row + x] && v >>> 24 !== 0) return x; }
    return -1;
  };
  let y0 = 0, x0 = -1;
  for (; y0 < h; y0++) { x0 = firstIn(y0 * w, 0, w); if (x0 >= 0) break; }
  if (y0 === h) return { image: createImage(1, 1), left: 0, top: 0, uncovered };
  let x1 = lastIn(y0 * w, x0, w);
  let y1 = h - 1;
  for (; y1 > y0; y1--) {
    const a = firstIn(y1 * w, 0, w);
    if (a < 0) continue;
    if (a < x0) x0 = a;
    const b = lastIn(y1 * w, a, w);
    if (b > x1) x1 = b;
    break;
  }
  for (let y = y0 + 1; y < y1; y++) {
    if (x0 > 0) { const a = firstIn(y * w, 0, x0); if (a >= 0) x0 = a; }
    if (x1 < w - 1) { const b = lastIn(y * w, x1 + 1, w); if (b >= 0) x1 = b; }
  }
  const bw = x1 - x0 + 1, bh = y1 - y0 + 1;
  const out = createImage(bw, bh);
  const o32 = pixelWords(out)!;
  for (let y = 0; y < bh; y++) {
    const srow = (y + y0) * w + x0, orow = y * bw;
    for (let x = 0; x < bw; x++) { const v = e32[srow + x]!; if (v !== s32[srow + x]) o32[orow + x] = v; }
  }
  return { image: out, left: x0, top: y0, uncovered };
}

/** Pixels whose alpha dropped by more than {@link UNCOVER_ALPHA_TOLERANCE}; 0 at once for an opaque source. */
function countUncovered(s32: Uint32Array, e32: Uint32Array): number {
  let opaque = true;
  for (let p = 0; p < s32.length; p++) if (s32[p]! >>> 24 !== 255) { opaque = false; break; }
  if (opaque) return 0;
  let n = 0;
  for (let p = 0; p < s32.length; p++) if ((s32[p]! >>> 24) - (e32[p]! >>> 24) > UNCOVER_ALPHA_TOLERANCE) n++;
  return n;
}

/**
 * Whether a vacated area has no pixel to be filled from: every pixel of the crop is forbidden as a
 * source (moved or vacated) and the crop is the whole image, so no document context lies beyond it.
 */
function noFillSource(hole: Mask, forbidden: Mask, crop: Rect, image: RgbaImage): boolean {
  if (crop.left > 0 || crop.top > 0 || crop.width < image.width || crop.height < image.height) return false;
  const h = hole.data, f = forbidden.data;
  let holes = 0;
  for (let p = 0; p < f.length; p++) {
    if (f[p] === 0) return false;
    if (h[p]! > 0) holes++;
  }
  return holes > 0;
}
