import { flattenSubpath, pathsToArrows, type Subpath } from '@smartdrag/shared';
import { parsePathDescriptor, type PathDescriptor } from './path-descriptor';
import { lengthToPx, UnitError } from './units';

const straight = (...pts: Array<[number, number]>): Subpath => ({ closed: false, points: pts.map((p) => ({ anchor: p })) });

describe('pathsToArrows', () => {
  test('a two-anchor open path is one arrow handle -> target', () => {
    const r = pathsToArrows([straight([33, 228], [120, 80])]);
    expect(r.arrows).toEqual([[[33, 228], [120, 80]]]);
    expect(r.closedSkipped).toBe(0);
  });

  test('middle anchors of a straight polyline are kept in order (they shape the arc)', () => {
    const r = pathsToArrows([straight([0, 0], [10, 5], [20, 0])]);
    expect(r.arrows[0]).toEqual([[0, 0], [10, 5], [20, 0]]);
  });

  test('multi-subpath path: each open subpath is an arrow, closed ones and single points are skipped', () => {
    const closed: Subpath = { closed: true, points: [{ anchor: [0, 0] }, { anchor: [5, 0] }, { anchor: [5, 5] }] };
    const dot = straight([7, 7]);
    const r = pathsToArrows([straight([1, 2], [3, 4]), closed, dot, straight([10, 10], [40, 50])]);
    expect(r.arrows).toEqual([[[1, 2], [3, 4]], [[10, 10], [40, 50]]]);
    expect(r.closedSkipped).toBe(1);
    expect(r.degenerateSkipped).toBe(1);
  });

  test('a zero-length open path is dropped', () => {
    const r = pathsToArrows([straight([5, 5], [5, 5])]);
    expect(r.arrows).toHaveLength(0);
    expect(r.degenerateSkipped).toBe(1);
  });

  test('a Bézier quarter circle is sampled on the circle, from handle to target', () => {
    // Standard cubic approximation of a quarter circle of radius 100 about (200, 200):
    // control distance k·r with k = 4(√2−1)/3; max radial error of this approximation is 0.027 %.
    const r = 100, k = (4 * (Math.SQRT2 - 1)) / 3, c: [number, number] = [200, 200];
    const sp: Subpath = {
      closed: false,
      points: [
        { anchor: [c[0] + r, c[1]], forward: [c[0] + r, c[1] + k * r] },
        { anchor: [c[0], c[1] + r], backward: [c[0] + k * r, c[1] + r] },
      ],
    };
    const line = flattenSubpath(sp, { stepPx: 8 });
    expect(line[0]).toEqual([300, 200]);
    expect(line[line.length - 1]).toEqual([200, 300]);
    // Arc length 157 px, control polygon ~ 178 px -> about 23 steps of ≤ 8 px.
    expect(line.length).toBeGreaterThanOrEqual(20);
    for (const p of line) expect(Math.abs(Math.hypot(p[0] - c[0], p[1] - c[1]) - r)).toBeLessThan(0.05);
    for (let i = 1; i < line.length; i++) {
      expect(Math.hypot(line[i]![0] - line[i - 1]![0], line[i]![1] - line[i - 1]![1])).toBeLessThanOrEqual(8.5);
    }
  });

  test('a mixed path: a curved first segment then a straight one', () => {
    const sp: Subpath = {
      closed: false,
      points: [
        { anchor: [0, 0], forward: [0, 30] },
        { anchor: [30, 30], backward: [0, 30] },
        { anchor: [60, 30] },
      ],
    };
    const line = flattenSubpath(sp, { stepPx: 10 });
    // Straight last segment adds exactly its end anchor after the curve's end anchor.
    expect(line[line.length - 2]).toEqual([30, 30]);
    expect(line[line.length - 1]).toEqual([60, 30]);
    // Both controls at (0,30): B(0.5) = 0.375·(0,30) + 0.375·(0,30) + 0.125·(30,30) = (3.75, 26.25).
    expect(line).toContainEqual([3.75, 26.25]);
  });
});

describe('path descriptors and units', () => {
  const pt = (x: number, y: number, res: number) => ({
    horizontal: { _unit: 'distanceUnit', _value: (x * 72) / res },
    vertical: { _unit: 'distanceUnit', _value: (y * 72) / res },
  });

  test.each([72, 96, 150, 300, 600])('distanceUnit anchors are converted with resolution/72 at %i ppi', (res) => {
    const desc: PathDescriptor = {
      pathContents: {
        pathComponents: [
          { subpathListKey: [{ points: [{ anchor: pt(33, 228, res) }, { anchor: pt(120, 80, res) }] }] },
          { subpathListKey: [{ closedSubpath: true, points: [{ anchor: pt(0, 0, res) }, { anchor: pt(9, 0, res) }, { anchor: pt(9, 9, res) }] }] },
        ],
      },
    };
    const sps = parsePathDescriptor(desc, res);
    expect(sps).toHaveLength(2);
    expect(sps[1]!.closed).toBe(true);
    const { arrows } = pathsToArrows(sps);
    expect(arrows).toEqual([[[33, 228], [120, 80]]]);
  });

  test('forward/backward handles are converted too', () => {
    const sps = parsePathDescriptor({
      pathContents: { pathComponents: [{ subpathListKey: [{ points: [
        { anchor: pt(0, 0, 300), forward: pt(0, 50, 300) },
        { anchor: pt(50, 50, 300), backward: pt(0, 50, 300) },
      ] }] }] },
    }, 300);
    expect(sps[0]!.points[0]!.forward![1]).toBeCloseTo(50, 9);
    expect(sps[0]!.points[1]!.backward![0]).toBeCloseTo(0, 9);
  });

  test('lengthToPx', () => {
    expect(lengthToPx({ _unit: 'pixelsUnit', _value: 12 }, 300)).toBe(12);
    expect(lengthToPx({ _unit: 'distanceUnit', _value: 72 }, 300)).toBe(300);
    expect(lengthToPx({ _unit: 'millimetersUnit', _value: 25.4 }, 200)).toBeCloseTo(200, 9);
    expect(lengthToPx(7.5, 300)).toBe(7.5);
    expect(() => lengthToPx({ _unit: 'percentUnit', _value: 50 }, 72)).toThrow(UnitError);
    expect(() => lengthToPx({ _unit: 'distanceUnit', _value: 1 }, 0)).toThrow(RangeError);
  });

  test('an empty descriptor has no subpaths', () => {
    expect(parsePathDescriptor({}, 72)).toEqual([]);
  });
});
