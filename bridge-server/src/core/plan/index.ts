/**
 * Planning: regions + drags (+ intent) → a readable plan of operations, each with its source
 * and reason, plus ranked alternatives when the request is ambiguous.
 *
 * `makePlan` is what `core/edit.ts` calls. The default reasoner is rule-based (no model needed);
 * an optional {@link PlanReasoner} (e.g. {@link createLlmReasoner} for a local OpenAI-compatible
 * server) can be plugged in and falls back to the rules on any failure.
 */
import type { EditRequest, Plan } from '../types';
import { parseIntent, type IntentParse } from '../intent/parse';
import { buildContext, ruleReason, type PlanContext } from './rule-reasoner';
import { elasticForLooseRegions } from './elastic-choice';
import type { RegionFit } from './region-fit';

export interface ReasonerInput {
  ctx: PlanContext;
  /** The parsed intent, or null without text. */
  parse: IntentParse | null;
  /** What the rule reasoner would answer (a fallback and a hint). */
  rulePlan: Plan;
  signal?: AbortSignal;
}

/** A pluggable reasoner. Throwing (or rejecting) makes `makePlan` fall back to the rules. */
export interface PlanReasoner {
  readonly name: string;
  reason(input: ReasonerInput): Promise<Plan>;
}

export interface PlanOptions {
  /** Use the intent text (default true; false plans from geometry alone). */
  useIntent?: boolean;
  /** Optional reasoner replacing the rules (off by default). */
  reasoner?: PlanReasoner;
  signal?: AbortSignal;
}

/** Plan an edit request. Throws RangeError when a drag names an unknown region. */
export async function makePlan(req: EditRequest, opts: PlanOptions = {}): Promise<Plan> {
  const ctx = buildContext(req);
  const text = opts.useIntent === false ? '' : (req.intent ?? '').trim();
  const parse = text ? parseIntent(text) : null;
  const fits = new Map<string, RegionFit>();
  const rulePlan = elasticForLooseRegions(req, ruleReason(ctx, parse), fits);
  if (!opts.reasoner) return rulePlan;
  try {
    return elasticForLooseRegions(req, await opts.reasoner.reason({ ctx, parse, rulePlan, signal: opts.signal }), fits);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    return { ...rulePlan, warnings: [...rulePlan.warnings, `Reasoner "${opts.reasoner.name}" failed (${msg}); used the rule reasoner.`] };
  }
}

export { buildContext, ruleReason, assignActions, DEFAULTS } from './rule-reasoner';
export type { PlanContext, DragInfo, ForcedKind } from './rule-reasoner';
export { scoreKinds, type KindScore } from './infer';
export { dragFeatures, type DragFeatures } from './drag-features';
export { describeRegion, type RegionShape } from './region-shape';
export { regionFit, LOOSE_FIT, type RegionFit } from './region-fit';
export { elasticForLooseRegions } from './elastic-choice';
export { describeOperation } from './describe';
export { createLlmReasoner, type LlmReasonerOptions } from './llm-reasoner';
