/**
 * The drag-case format of ../shared/data/cases/README.md (also bundled under
 * test/fixtures/cases): parsed and validated with zod, then turned into an EditRequest.
 */
import { z } from 'zod';
import { rasterizePolygon } from '@smartdrag/shared';
import type { Drag, EditRequest, Region, RgbaImage } from './types';

const point = z.tuple([z.number(), z.number()]);
const polygon = z.array(point).min(3);

export const DragCaseSchema = z.object({
  id: z.string(),
  image: z.string(),
  size: z.tuple([z.number().int().positive(), z.number().int().positive()]),
  intent: z.string().optional(),
  regions: z.array(z.object({ id: z.string(), polygon })).min(1),
  drags: z
    .array(
      z.object({
        region: z.string(),
        kind: z.enum(['translate', 'rotate', 'scale', 'deform', 'auto']).optional(),
        points: z.array(point).min(2),
        center: point.optional(),
      }),
    ),
  keep: z.array(polygon).optional(),
  note: z.string().optional(),
}).refine((c) => c.drags.length > 0 || !!c.intent?.trim(), { message: 'a case needs at least one drag, or an intent that states the edit (text alone)', path: ['drags'] })
  .superRefine((c, ctx) => {
    const ids = new Set<string>();
    c.regions.forEach((r, i) => {
      // (A second region of the same id was dropped without a word; the bridge refuses it.)
      if (ids.has(r.id)) ctx.addIssue({ code: 'custom', message: `duplicate region id "${r.id}"`, path: ['regions', i, 'id'] });
      ids.add(r.id);
    });
    c.drags.forEach((d, i) => {
      if (!ids.has(d.region)) ctx.addIssue({ code: 'custom', message: `names region "${d.region}", which the case does not define (regions: ${[...ids].join(', ')})`, path: ['drags', i, 'region'] });
    });
    // Every point within the image grown by its own size on each side, as the bridge requires: a
    // polygon a billion pixels away made the in-process edit allocate a mask of that size and fail
    // uncoded; a target thousands of pixels off the canvas moved the object out of the picture.
    const [w, h] = c.size;
    const far = (p: readonly [number, number]) => !(p[0] >= -w && p[0] <= 2 * w && p[1] >= -h && p[1] <= 2 * h);
    const check = (pts: readonly (readonly [number, number])[], path: (string | number)[]) => {
      const i = pts.findIndex(far);
      if (i >= 0) ctx.addIssue({ code: 'custom', message: `point (${pts[i]![0]}, ${pts[i]![1]}) lies too far outside the ${w}x${h} image (more than its own size)`, path: [...path, i] });
    };
    c.regions.forEach((r, i) => check(r.polygon, ['regions', i, 'polygon']));
    c.drags.forEach((d, i) => { check(d.points, ['drags', i, 'points']); if (d.center) check([d.center], ['drags', i, 'center']); });
    c.keep?.forEach((k, i) => check(k, ['keep', i]));
  });
export type DragCase = z.infer<typeof DragCaseSchema>;

/** Validate an unknown JSON value as a drag case; throws a zod error naming the bad path. */
export function parseDragCase(json: unknown): DragCase {
  return DragCaseSchema.parse(json);
}

/**
 * The case at `width × height` (its image resized to that, e.g. a larger photo of the same scene):
 * every polygon, drag point and centre scaled by width / size[0] and height / size[1] about the
 * pixel grid's origin.
 */
export function scaleDragCase(c: DragCase, width: number, height: number): DragCase {
  const sx = width / c.size[0], sy = height / c.size[1];
  const at = (p: readonly [number, number]): [number, number] => [p[0] * sx, p[1] * sy];
  return {
    ...c, size: [width, height],
    regions: c.regions.map((r) => ({ ...r, polygon: r.polygon.map(at) })),
    drags: c.drags.map((d) => ({ ...d, points: d.points.map(at), ...(d.center ? { center: at(d.center) } : {}) })),
    ...(c.keep ? { keep: c.keep.map((k) => k.map(at)) } : {}),
  };
}

export interface CaseToRequestOptions {
  quality?: 'preview' | 'final';
  /** Drop the case's `kind` on every drag (type inference tests). */
  hideKinds?: boolean;
  seed?: number;
}

/** Build the core's request from a case and its decoded image. */
export function caseToRequest(c: DragCase, image: RgbaImage, opts: CaseToRequestOptions = {}): EditRequest {
  if (image.width !== c.size[0] || image.height !== c.size[1]) {
    throw new RangeError(`case ${c.id}: image is ${image.width}x${image.height}, case says ${c.size[0]}x${c.size[1]}`);
  }
  const regions: Region[] = c.regions.map((r) => ({ id: r.id, mask: rasterizePolygon(r.polygon) }));
  const drags: Drag[] = c.drags.map((d) => ({
    region: d.region,
    points: d.points.map((p) => [p[0], p[1]] as [number, number]),
    kind: opts.hideKinds ? 'auto' : (d.kind ?? 'auto'),
    ...(d.center ? { center: [d.center[0], d.center[1]] as [number, number] } : {}),
  }));
  return {
    image,
    regions,
    drags,
    keep: c.keep?.map((p) => rasterizePolygon(p)),
    intent: c.intent,
    quality: opts.quality ?? 'final',
    seed: opts.seed ?? 1,
  };
}
