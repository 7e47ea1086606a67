import type { Point } from '@smartdrag/shared';
import { dashSegments, drawMovedOutline, movedCaption, outlineViewSize, type OutlineContext } from './outline-view';
import type { MovedView } from './panel-state';

/** A 2D context that records what is stroked. */
function recorder(): OutlineContext & { strokes: { style: unknown; lines: [number, number, number, number][] }[] } {
  let path: [number, number, number, number][] = [];
  let at: [number, number] = [0, 0];
  const strokes: { style: unknown; lines: [number, number, number, number][] }[] = [];
  return {
    strokeStyle: '', fillStyle: '', lineWidth: 1, strokes,
    clearRect() {}, fillRect() {},
    beginPath() { path = []; },
    moveTo(x, y) { at = [x, y]; },
    lineTo(x, y) { path.push([at[0], at[1], x, y]); at = [x, y]; },
    stroke() { strokes.push({ style: this.strokeStyle, lines: path }); },
  };
}

const onSegment = (p: Point, a: Point, b: Point): boolean => {
  const cross = (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]);
  const within = Math.min(a[0], b[0]) - 1e-9 <= p[0] && p[0] <= Math.max(a[0], b[0]) + 1e-9 && Math.min(a[1], b[1]) - 1e-9 <= p[1] && p[1] <= Math.max(a[1], b[1]) + 1e-9;
  return Math.abs(cross) < 1e-6 && within;
};

describe('moved outline in the Photoshop panel', () => {
  test('dashes cover half of each ring, lie on it, and march with the offset', () => {
    const square: Point[] = [[0, 0], [40, 0], [40, 40], [0, 40]];
    const d = dashSegments([square], 4, 0);
    const on = d.reduce((s, [x0, y0, x1, y1]) => s + Math.hypot(x1 - x0, y1 - y0), 0);
    expect(on).toBeCloseTo(80, 6);
    expect(d).toHaveLength(20);
    for (const [x0, y0, x1, y1] of d) {
      const edge = [0, 1, 2, 3].find((k) => onSegment([x0, y0], square[k]!, square[(k + 1) % 4]!) && onSegment([x1, y1], square[k]!, square[(k + 1) % 4]!));
      expect(edge).toBeDefined();
    }
    expect(d[0]).toEqual([0, 0, 4, 0]);
    // Two pixels on: the first dash is cut to the 2 px left of it.
    expect(dashSegments([square], 4, 2)[0]).toEqual([0, 0, 2, 0]);
  });

  test('drawn over the frame of the area read: the outline\'s bounds map to the polygons\' bounds, inside the view', () => {
    // Frame: the crop read at (100, 50), 200×100; the polygon moved to x 150..190, y 70..110 (pixel centres).
    const view: MovedView = { frame: { left: 100, top: 50, width: 200, height: 100 }, polygons: [[[150, 70], [190, 70], [190, 110], [150, 110]]] };
    const size = outlineViewSize(view.frame);
    expect(size).toEqual({ width: 260, height: 130, scale: 1.3 });
    const ctx = recorder();
    drawMovedOutline(ctx, view, size.width, size.height);
    expect(ctx.strokes.map((s) => s.style)).toEqual(['#ffffff', '#000000']);
    const pts = ctx.strokes.flatMap((s) => s.lines.flatMap(([a, b, c, d]) => [[a, b], [c, d]]));
    const xs = pts.map((p) => p[0]!), ys = pts.map((p) => p[1]!);
    for (const x of xs) expect(x >= 0 && x <= size.width).toBe(true);
    for (const y of ys) expect(y >= 0 && y <= size.height).toBe(true);
    // View x = (doc x − 100 + ½) × 1.3.
    expect(Math.min(...xs)).toBeCloseTo((150 - 100 + 0.5) * 1.3, 6);
    expect(Math.max(...xs)).toBeCloseTo((190 - 100 + 0.5) * 1.3, 6);
    expect(Math.min(...ys)).toBeCloseTo((70 - 50 + 0.5) * 1.3, 6);
    expect(Math.max(...ys)).toBeCloseTo((110 - 50 + 0.5) * 1.3, 6);
    expect(movedCaption(view)).toMatch(/^Moves to 40×40 px at \(151, 71\)/);
  });
});
