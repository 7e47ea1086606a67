import { flattenSubpath, type Point, type Subpath } from '@smartdrag/shared';
import { arrowsOfPaths } from './paths-to-arrows';

describe('paths-to-arrows (Photopea): which paths, and the shared stroke rule', () => {
  test('a curved stroke follows its handles (a quarter arc is not its chord)', () => {
    const arc = flattenSubpath({ closed: false, points: [{ anchor: [180, 180], forward: [224, 180] }, { anchor: [260, 260], backward: [260, 216] }] });
    expect(arc[0]).toEqual([180, 180]);
    expect(arc[arc.length - 1]).toEqual([260, 260]);
    expect(arc.length).toBeGreaterThan(3);
    // Halfway along, the arc bulges to the upper right of the chord y = x.
    const mid = arc[Math.floor(arc.length / 2)]!;
    expect(mid[0] - mid[1]).toBeGreaterThan(20);
  });

  test('the Work Path alone when there is one; else the saved paths; never clipping paths', () => {
    const line = (a: Point, b: Point): Subpath => ({ closed: false, points: [{ anchor: a }, { anchor: b }] });
    const saved = { kind: 'normal' as const, subpaths: [line([30, 300], [90, 300])] };
    const work = { kind: 'work' as const, subpaths: [line([180, 180], [260, 260])] };
    const clip = { kind: 'other' as const, subpaths: [line([0, 0], [50, 50])] };
    expect(arrowsOfPaths([saved, work, clip])).toEqual([[[180, 180], [260, 260]]]);
    expect(arrowsOfPaths([saved, clip])).toEqual([[[30, 300], [90, 300]]]);
    expect(arrowsOfPaths([clip])).toEqual([]);
  });
});
