/**
 * Planning: regions + drags (+ intent) → a readable plan of operations, each with its source
 * and reason, plus ranked alternatives when the request is ambiguous.
 *
 * `makePlan` is what `core/edit.ts` calls. The default reasoner is rule-based (no model needed);
 * an optional {@link PlanReasoner} (e.g. {@link createLlmReasoner} for a local OpenAI-compatible
 * server) can be plugged in and falls back to the rules on any failure.
 */
import { CancelledError, type EditRequest, type Operation, type PlacedMask, type Plan } from '../types';
import { parseIntent } from '../intent/parse';
import { buildContext, ruleReason, ruleSettlement } from './rule-reasoner';
import { applyElasticReading } from './elastic-reading';
import type { PlanReasoner } from './reasoner';

export type { PlanReasoner, ReasonerInput } from './reasoner';
import { ErrorCode, maskAt, SmartDragError } from '@smartdrag/shared';
import { emptySelection } from './region-shape';
import { pixelUnits, saidLength, saidPoint } from './units';

export interface PlanOptions {
  /** Use the intent text (default true; false plans from geometry alone). */
  useIntent?: boolean;
  /** Optional reasoner replacing the rules (off by default). */
  reasoner?: PlanReasoner;
  /** Given to the reasoner, and checked inside the elastic reading (core/cancel.ts). */
  signal?: AbortSignal;
}

/** Plan an edit request. Throws RangeError when a drag names an unknown region. */
export async function makePlan(req: EditRequest, opts: PlanOptions = {}): Promise<Plan> {
  const plan = checkAmounts(await planRequest(req, opts));
  const hidden = hiddenTargetWarnings(req);
  return hidden.length > 0 ? { ...plan, warnings: [...plan.warnings, ...hidden] } : plan;
}

/** Why an operation cannot be carried out as planned (a size at or below zero, a number that is not finite), or null. */
export function impossibleAmount(op: Operation): string | null {
  const p = op.params;
  const nums = p.kind === 'translate' ? [p.dx, p.dy] : p.kind === 'rotate' ? [p.angleDeg, ...p.center] : p.kind === 'scale' ? [p.sx, p.sy, ...p.center] : [...p.handles.flat(), ...p.targets.flat()];
  if (!nums.every(Number.isFinite)) return `the planned ${op.kind} of region ${op.region} has an amount that is not a number`;
  if (p.kind === 'deform' && p.room !== undefined) {
    if (!(Number.isFinite(p.room) && p.room > 0)) return `the planned deform of region ${op.region} has a room that is not a positive number`;
    if (!p.elastic) return `the planned deform of region ${op.region} has a room, which only an elastic drag takes`;
    if (p.keepBackground) return `the planned deform of region ${op.region} has a room and keeps its background: a reading takes one or the other`;
  }
  if (p.kind === 'scale' && !(p.sx > 0 && p.sy > 0)) {
    const f = Math.min(p.sx, p.sy);
    const what = f === 0 ? `shrink region ${op.region} to nothing` : `scale region ${op.region} by ×${Math.round(f * 100) / 100}, which would also mirror it`;
    return `This would ${what}: a size must stay above zero. In the text, say how much smaller (e.g. "50% smaller" or "scale it to 40%"); with an arrow, end it short of the scale's centre.`;
  }
  return null;
}

/**
 * A plan whose operation cannot be carried out (a text that asks for a size of zero or less:
 * "shrink it 100%", "150% smaller") is a question to the user (`intent_unclear`), not a crash in
 * the warp; alternatives that cannot be carried out are dropped.
 */
function checkAmounts(plan: Plan): Plan {
  for (const op of plan.operations) {
    const why = impossibleAmount(op);
    if (why) throw new SmartDragError(ErrorCode.intent_unclear, why);
  }
  if (!plan.alternatives?.some((a) => a.operations.some((op) => impossibleAmount(op) !== null))) return plan;
  return { ...plan, alternatives: plan.alternatives.filter((a) => a.operations.every((op) => impossibleAmount(op) === null)) };
}

/**
 * A warning per drag whose target lies on pixels that never change (a keep mask): whatever the
 * drag brings there stays hidden under them — the user sees the object vanish, so the plan says why.
 */
export function hiddenTargetWarnings(req: EditRequest): string[] {
  const keep = req.keep ?? [];
  if (keep.length === 0) return [];
  const out: string[] = [];
  const u = pixelUnits(req);
  req.drags.forEach((d, i) => {
    const h = d.points[0], t = d.points[d.points.length - 1];
    if (!h || !t || (h[0] === t[0] && h[1] === t[1])) return;
    const x = Math.round(t[0]), y = Math.round(t[1]);
    // (Said in document pixels: the request may be a crop or a proxy of the document.)
    if (keep.some((m) => maskAt(m, x, y) > 0)) out.push(`Drag ${i + 1} ends on a kept (protected) pixel at (${saidPoint(u, t)}): what it moves there stays hidden under the kept area — end the arrow outside it, or keep less.`);
  });
  return out;
}

/** Whether `mask` has a pixel of ≥ 50% coverage inside a `width × height` picture. */
function selectsInside(mask: PlacedMask, width: number, height: number): boolean {
  const x0 = Math.max(0, mask.left), x1 = Math.min(width, mask.left + mask.width);
  const y0 = Math.max(0, mask.top), y1 = Math.min(height, mask.top + mask.height);
  for (let y = y0; y < y1; y++) {
    const row = (y - mask.top) * mask.width - mask.left;
    for (let x = x0; x < x1; x++) if (mask.data[row + x]! >= 128) return true;
  }
  return false;
}

async function planRequest(req: EditRequest, opts: PlanOptions): Promise<Plan> {
  // A region with nothing selected inside the picture (a selection moved off the canvas, a
  // polygon with no area) has nothing to move: say so instead of planning an edit of nothing.
  for (const r of req.regions) {
    if (!selectsInside(r.mask, req.image.width, req.image.height)) throw emptySelection(r.id);
  }
  const ctx = buildContext(req);
  const plan = await planWith(req, ctx, opts);
  const off = offRegionWarnings(ctx, req);
  return off.length > 0 ? { ...plan, warnings: [...plan.warnings, ...off] } : plan;
}

/** A handle this many of its region's radii of gyration (and at least {@link OFF_REGION_PX} document pixels) outside the region is "off" it. */
export const OFF_REGION_SHARE = 0.5;
/** The least distance (document pixels) outside its region at which a handle is "off" it: a pen path begun just past the selection's edge is on it. */
export const OFF_REGION_PX = 8;

/**
 * A warning per moving drag whose handle (its first point) lies well off the region it names —
 * more than {@link OFF_REGION_SHARE} of the region's radius of gyration and {@link OFF_REGION_PX}
 * document pixels from its nearest selected pixel: a pen path begun elsewhere, or a drag sent for
 * the wrong region. The plan still runs (a move carries the whole selection by the arrow; a bend
 * grabs what lies under the handle, which may be nothing: an empty layer), so it says where the
 * arrow starts and how far from the selection, in document pixels.
 */
export function offRegionWarnings(ctx: ReturnType<typeof buildContext>, req: EditRequest): string[] {
  const u = pixelUnits(req);
  const out: string[] = [];
  for (const d of ctx.drags) {
    const h = d.drag.points[0]!, t = d.drag.points[d.drag.points.length - 1]!;
    if (h[0] === t[0] && h[1] === t[1]) continue;
    const off = -d.shape.depthAt(h);
    if (off <= Math.max(OFF_REGION_SHARE * d.shape.gyration, OFF_REGION_PX * u.s)) continue;
    out.push(`Drag ${d.index + 1} starts at (${saidPoint(u, h)}), about ${saidLength(u, off)} px outside region ${d.drag.region}: an arrow is read from where it starts, so start it on the part to move (or assign it to the region it starts on).`);
  }
  return out;
}

async function planWith(req: EditRequest, ctx: ReturnType<typeof buildContext>, opts: PlanOptions): Promise<Plan> {
  const text = opts.useIntent === false ? '' : (req.intent ?? '').trim();
  const parse = text ? parseIntent(text) : null;
  let rulePlan: Plan | null = null;
  let question: SmartDragError | null = null;
  try {
    rulePlan = ruleReason(ctx, parse);
  } catch (e) {
    // Text alone the rules cannot read: the optional reasoner may; without one, ask the user.
    if (!(opts.reasoner && e instanceof SmartDragError && e.code === ErrorCode.intent_unclear)) throw e;
    question = e;
  }
  if (!opts.reasoner) return applyElasticReading(req, rulePlan!, opts.signal).plan;
  // The reasoner is asked only what the rules cannot settle (see `ruleSettlement`): text they
  // could not read, or an arrow whose kind neither the user, the text nor the geometry decides.
  // Anything they settled is their plan, as without a reasoner, and waits on nothing.
  const settlement = rulePlan ? ruleSettlement(ctx, parse) : null;
  if (rulePlan && settlement!.settled) return applyElasticReading(req, rulePlan, opts.signal).plan;
  try {
    const plan = await opts.reasoner.reason({ ctx, parse, rulePlan, ...(question ? { ruleQuestion: question.message } : {}), ...(settlement ? { open: settlement.open } : {}), signal: opts.signal });
    plan.reasoner ??= opts.reasoner.name;
    return applyElasticReading(req, plan, opts.signal).plan;
  } catch (e) {
    if (e instanceof CancelledError || (e instanceof SmartDragError && e.code === ErrorCode.intent_unclear)) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    if (!rulePlan) throw new SmartDragError(ErrorCode.intent_unclear, `${question!.message} (The reasoner "${opts.reasoner.name}" could not read it either: ${msg}.)`);
    return applyElasticReading(req, { ...rulePlan, warnings: [...rulePlan.warnings, `Reasoner "${opts.reasoner.name}" failed (${msg}); used the rule reasoner.`] }, opts.signal).plan;
  }
}

export { buildContext, ruleReason, ruleSettlement, assignActions, DEFAULTS, AMBIGUOUS_SECOND } from './rule-reasoner';
export type { PlanContext, DragInfo, ForcedKind, RuleSettlement, DragSettlement } from './rule-reasoner';
export { scoreKinds, type KindScore } from './infer';
export { dragFeatures, type DragFeatures } from './drag-features';
export { describeRegion, type RegionShape } from './region-shape';
export { describeOperation } from './describe';
export { pixelUnits, type PixelUnits } from './units';
export { applyElasticReading, type ElasticDecision } from './elastic-reading';
export { selectionFit, TIGHT_EDGE_RATIO, type SelectionFit } from './selection-fit';
export { applyObjectReading, type ObjectDecision, type ObjectReading } from './object-reading';
export { createLlmReasoner, type LlmReasonerOptions } from './llm-reasoner';
