/**
 * A reading the user chose (EditRequest `reading`): the plan's operations or one of its
 * alternatives, as the planner proposed them for the same regions and arrows, carried out as given.
 *
 * The panels offer the planner's other readings ("Or did you mean …") and pin the one previewed for
 * the full edit. They had pinned a reading by giving each drag its operation's kind, and the planner
 * then read the arrows again: a reading that differs from the first in its amounts, not its kind —
 * the move the text asks for ("left 20 px") against the arrow drawn down, "an alternative follows
 * the text" — came back as the first reading, and an elastic drag (its kind is `deform`) as a part
 * deform of the selection as drawn. The operations themselves are sent back now, and this module
 * makes them the plan: with the warnings of the planner's own reading that matches them (the same
 * region, kind and amounts within {@link readingTolerance}), and the planner's other readings as the
 * alternatives, so that the user can go back.
 */
import { ErrorCode, SmartDragError } from '@smartdrag/shared';
import { documentSide, type EditRequest, type Operation, type OperationParams, type Plan } from '../types';
import { impossibleAmount } from './index';
import { backgroundKept } from './background-kept';

/** Turns (degrees) and scale factors that count as the same reading. */
const ANGLE_TOLERANCE_DEG = 0.5;
const FACTOR_TOLERANCE = 0.005;

/**
 * Positions and moves (the request's pixels) that count as the same reading: a reading proposed on
 * a preview's proxy comes back in document pixels, where the planner reads the full image again (a
 * centroid on the proxy's mask lies up to a proxy pixel from the full mask's), so 1% of the
 * document's side, at least 2 px.
 */
export function readingTolerance(req: EditRequest): number {
  return Math.max(2, 0.01 * documentSide(req));
}

const near = (a: readonly number[], b: readonly number[], tol: number): boolean => Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!) <= tol;

/** Whether an elastic drag keeps its background: asked by the reading itself, or by the intent for every elastic drag. */
const keeps = (p: OperationParams & { kind: 'deform' }, byIntent: boolean): boolean => p.keepBackground === true || (byIntent && p.elastic === true);

function sameParams(a: OperationParams, b: OperationParams, tol: number, keptByIntent: boolean): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'translate': { const q = b as typeof a; return near([a.dx, a.dy], [q.dx, q.dy], tol); }
    case 'rotate': { const q = b as typeof a; return Math.abs(a.angleDeg - q.angleDeg) <= ANGLE_TOLERANCE_DEG && near(a.center, q.center, tol); }
    case 'scale': { const q = b as typeof a; return Math.abs(a.sx - q.sx) <= FACTOR_TOLERANCE && Math.abs(a.sy - q.sy) <= FACTOR_TOLERANCE && near(a.center, q.center, tol); }
    case 'deform': {
      const q = b as typeof a;
      return (a.elastic === true) === (q.elastic === true) && keeps(a, keptByIntent) === keeps(q, keptByIntent) && Math.abs((a.room ?? 0) - (q.room ?? 0)) <= tol && a.handles.length === q.handles.length && a.targets.length === q.targets.length
        && a.handles.every((h, i) => near(h, q.handles[i]!, tol)) && a.targets.every((t, i) => near(t, q.targets[i]!, tol));
    }
  }
}

/**
 * Whether two readings do the same: per operation the same region and kind, and amounts within
 * `tol` (an elastic drag: also whether its background stays — `keptByIntent`: the intent keeps it
 * for every elastic drag, whether the reading says so or not).
 */
export function sameReading(a: readonly Operation[], b: readonly Operation[], tol: number, keptByIntent = false): boolean {
  return a.length === b.length && a.every((o, i) => o.region === b[i]!.region && o.kind === b[i]!.kind && sameParams(o.params, b[i]!.params, tol, keptByIntent));
}

/**
 * Check a reading sent back (before any pixel work): every operation names a region of the
 * request, its kind is its parameters' kind, and its amounts can be carried out. Throws a coded
 * SmartDragError (`bad_message`) naming what is wrong.
 */
export function checkReading(req: EditRequest, reading: readonly Operation[]): void {
  if (reading.length === 0) throw new SmartDragError(ErrorCode.bad_message, 'the reading has no operation');
  const ids = new Set(req.regions.map((r) => r.id));
  for (const op of reading) {
    if (!ids.has(op.region)) throw new SmartDragError(ErrorCode.bad_message, `the reading moves region ${op.region}, which the job does not have`);
    if (op.kind !== op.params.kind) throw new SmartDragError(ErrorCode.bad_message, `the reading's operation on region ${op.region} is a ${op.kind} with ${op.params.kind} parameters`);
    const why = impossibleAmount(op);
    if (why) throw new SmartDragError(ErrorCode.bad_message, `the reading cannot be carried out: ${why}`);
  }
}

/**
 * The plan that carries out `req.reading` (checked before with {@link checkReading}: core/edit.ts
 * refuses a reading it cannot carry out before any work), given the planner's own plan of the request: the reading's operations, the warnings of the planner's reading that
 * matches it (none when none does: the arrows or the text changed since it was proposed), and the
 * planner's other readings as alternatives (as many readings in all as the planner gives: three, four where it offers more room).
 */
export function pinnedPlan(req: EditRequest, planned: Plan): Plan {
  const reading = req.reading!;
  const tol = readingTolerance(req);
  const { alternatives, ...first } = planned;
  const readings: Plan[] = [first, ...(alternatives ?? [])];
  const byIntent = backgroundKept(req.intent) !== null;
  const match = readings.findIndex((p) => sameReading(p.operations, reading, tol, byIntent));
  const others = readings.filter((_, i) => i !== match).slice(0, Math.max(2, readings.length - 1));
  return {
    ...(match >= 0 ? readings[match]! : {}),
    operations: reading.map((o) => ({ ...o, reason: o.reason.endsWith('(the reading chosen)') ? o.reason : `${o.reason} (the reading chosen)` })),
    warnings: match >= 0 ? readings[match]!.warnings : [],
    ...(others.length > 0 ? { alternatives: others } : {}),
    ...(planned.reasoner ? { reasoner: planned.reasoner } : {}),
  };
}
