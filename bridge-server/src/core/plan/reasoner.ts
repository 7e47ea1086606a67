/** The pluggable plan-reasoner contract (its own module so reasoners need not import `plan/index`). */
import type { Plan } from '../types';
import type { IntentParse } from '../intent/parse';
import type { PlanContext } from './rule-reasoner';

export interface ReasonerInput {
  ctx: PlanContext;
  /** The parsed intent, or null without text. */
  parse: IntentParse | null;
  /** What the rule reasoner would answer (a fallback and a hint); null when the rules could not read a text-only request. */
  rulePlan: Plan | null;
  /** The question the rules would ask (text alone that they could not read). */
  ruleQuestion?: string;
  /** What the rules left open, in words (why the reasoner is asked); absent when the rules asked back. */
  open?: string[];
  signal?: AbortSignal;
}

/** A pluggable reasoner. Throwing (or rejecting) makes `makePlan` fall back to the rules. */
export interface PlanReasoner {
  readonly name: string;
  reason(input: ReasonerInput): Promise<Plan>;
}
