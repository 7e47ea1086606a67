/**
 * Words for a plan: one entry per reading (the main plan, then its alternatives) for the panel's
 * "how SmartDrag understood it" list.
 */
import type { WirePlan } from '@smartdrag/shared';

/** One reading the user can pick. */
export interface Reading {
  index: number;
  /** e.g. "Move" or "Rotate + Move". */
  title: string;
  /** The operations' descriptions, one per line (what is done, in the panel's words). */
  lines: string[];
  /**
   * Why the bridge read it so (its evidence, in the planner's own terms: "radial cosine 0.97"):
   * for a tooltip, not the reading's text.
   */
  why: string[];
  /** Confidence as a percentage, if the bridge gave one. */
  confidencePct?: number;
}

const VERB: Record<string, string> = { translate: 'Move', rotate: 'Rotate', scale: 'Scale', deform: 'Deform' };

/**
 * An operation's verb for a reading's title. An elastic drag, the one that keeps the background
 * and the one with more room are all `deform`s: titled by their kind alone, the plan and those
 * alternatives all read "Deform".
 */
function verbOf(op: WirePlan['operations'][number]): string {
  const p = op.params;
  if (p.kind === 'deform' && p.elastic) return p.keepBackground ? 'Elastic drag, background kept' : p.room ? 'Elastic drag, more room' : 'Elastic drag';
  return VERB[op.kind] ?? op.kind;
}

/** All readings of a plan, main first. */
export function planReadings(plan: WirePlan): Reading[] {
  const all = [plan, ...(plan.alternatives ?? [])];
  return all.map((p, index) => {
    const kinds: string[] = [];
    for (const op of p.operations) {
      const v = verbOf(op);
      if (!kinds.includes(v)) kinds.push(v);
    }
    return {
      index,
      title: kinds.length ? kinds.join(' + ') : 'No change',
      lines: p.operations.map((op) => op.description),
      why: p.operations.map((op) => op.reason).filter((r): r is string => !!r),
      ...(p.confidence !== undefined ? { confidencePct: Math.round(p.confidence * 100) } : {}),
    };
  });
}
