/**
 * Loose selections read as elastic drags (issue #13): when a region's outline does not follow the
 * image's edges ({@link regionFit} below {@link LOOSE_FIT}), it is an *editable area* drawn around
 * something, not the object's outline, so "move the blob and fill the hole" is the wrong reading of
 * a point drag. Operations on such a region that geometry chose (translate, scale, deform) become
 * one elastic deform: each handle lands on its target, the area around stretches smoothly, the
 * edge of the area, keep pixels and pins stay put (see warp/elastic-field.ts).
 *
 * Kept as they are: tight selections (used as given), arcs (rotate), and kinds the user forced or
 * the intent text named explicitly ("move the cup" → a rigid move).
 */
import type { EditRequest, Operation, Plan, Point } from '../types';
import { describeOperation } from './describe';
import { LOOSE_FIT, regionFit, type RegionFit } from './region-fit';

const round2 = (x: number): number => Math.round(x * 100) / 100;

/** Rewrite `plan` for loose regions (see the module comment). Returns a new plan. */
export function elasticForLooseRegions(req: EditRequest, plan: Plan, fits = new Map<string, RegionFit>()): Plan {
  const ops: Operation[] = [];
  const done = new Set<string>();
  for (const op of plan.operations) {
    if (done.has(op.region)) continue;
    const region = req.regions.find((r) => r.id === op.region);
    const mine = plan.operations.filter((o) => o.region === op.region);
    const convertible = mine.every((o) =>
      o.source !== 'user' && o.kind !== 'rotate' && (o.kind === 'deform' || o.source === 'geometry'));
    if (!region || !convertible) { ops.push(op); continue; }
    let fit = fits.get(region.id);
    if (!fit) { fit = regionFit(req.image, region.mask); fits.set(region.id, fit); }
    if (fit.fit >= LOOSE_FIT) { ops.push(op); continue; }
    const handles: Point[] = [], targets: Point[] = [];
    for (const d of req.drags) {
      if (d.region !== region.id || d.points.length < 2) continue;
      const h = d.points[0]!, t = d.points[d.points.length - 1]!;
      handles.push([h[0], h[1]]); targets.push([round2(t[0]), round2(t[1])]);
    }
    if (handles.length === 0) { ops.push(op); continue; }
    const params = { kind: 'deform' as const, handles, targets, elastic: true };
    const was = mine.map((o) => o.kind).join(' + ');
    ops.push({
      region: region.id, kind: 'deform', params, source: mine.some((o) => o.source === 'intent') ? 'intent' : 'geometry',
      description: describeOperation(region.id, params),
      reason: `the selection's outline lies on strong image edges at ${Math.round(fit.onEdge * 100)}% of its length (chance ${Math.round(fit.chance * 100)}%, fit ${fit.fit.toFixed(2)} < ${LOOSE_FIT}): ` +
        `an editable area around the object, not its outline, so the drag bends the content elastically instead of cutting out the area (was ${was}) | ${mine.map((o) => o.reason).join(' | ')}`,
    });
    done.add(region.id);
  }
  return { ...plan, operations: ops, ...(plan.alternatives ? { alternatives: plan.alternatives.map((a) => elasticForLooseRegions(req, a, fits)) } : {}) };
}
