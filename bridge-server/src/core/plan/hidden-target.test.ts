import { rasterizePolygon } from '@smartdrag/shared';
import { makeTexture } from '../textures';
import type { EditRequest, Point } from '../types';
import { makePlan } from './index';

const square = (x0: number, y0: number, x1: number, y1: number): Point[] => [[x0, y0], [x1, y0], [x1, y1], [x0, y1]];

describe('a drag that ends on kept pixels says the moved content will stay hidden there', () => {
  const base = (keep: EditRequest['keep'], to: Point): EditRequest => ({
    image: makeTexture('noise', 160, 120, 3), quality: 'preview', intent: 'move it',
    regions: [{ id: 'r', mask: rasterizePolygon(square(20, 20, 50, 50)) }],
    drags: [{ region: 'r', points: [[35, 35], to] }],
    ...(keep ? { keep } : {}),
  });
  test('target inside a keep mask: a warning naming the drag and the point', async () => {
    const plan = await makePlan(base([rasterizePolygon(square(100, 20, 150, 100))], [120, 60]));
    expect(plan.warnings.filter((w) => /ends on a kept \(protected\) pixel/.test(w))).toEqual([
      expect.stringMatching(/^Drag 1 ends on a kept \(protected\) pixel at \(120, 60\): what it moves there stays hidden/),
    ]);
  });
  test('target beside the keep mask, or no keep mask: no such warning', async () => {
    for (const req of [base([rasterizePolygon(square(100, 20, 150, 100))], [80, 60]), base(undefined, [120, 60])]) {
      const plan = await makePlan(req);
      expect(plan.warnings.some((w) => /kept \(protected\) pixel/.test(w))).toBe(false);
    }
  });
});
