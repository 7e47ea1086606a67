/**
 * Planning: regions + drags (+ intent) -> operations with reasons.
 * PLACEHOLDER (issues #3/#6 replace the body): every drag translates its region.
 */
import type { EditRequest, Operation, Plan } from '../types';

export interface PlanOptions {
  /** Use the intent text (default true when `req.intent` is set). */
  useIntent?: boolean;
}

export async function makePlan(req: EditRequest, _opts: PlanOptions = {}): Promise<Plan> {
  const operations: Operation[] = req.drags.map((d) => {
    const h = d.points[0]!, t = d.points[d.points.length - 1]!;
    const dx = t[0] - h[0], dy = t[1] - h[1];
    return {
      region: d.region, kind: 'translate', params: { kind: 'translate', dx, dy }, source: 'geometry',
      description: `Move region ${d.region} by (${dx}, ${dy}) px`, reason: 'placeholder planner: every drag translates',
    };
  });
  return { operations, warnings: [] };
}
