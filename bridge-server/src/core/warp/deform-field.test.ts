import type { Point, Rect } from '../types';
import { buildDeformField, type DeformFieldInput, minCellJacobian, sampleField, sampleForwardField } from './deform-field';

/** The field's grid box in document coordinates. */
function gridBox(f: { left: number; top: number; cell: number; cols: number; rows: number }): { x0: number; y0: number; x1: number; y1: number } {
  return { x0: f.left, y0: f.top, x1: f.left + (f.cols - 1) * f.cell, y1: f.top + (f.rows - 1) * f.cell };
}

/** The field's grid lies within a few cells of the W×H image; returns the margin allowed. */
function expectGridNearImage(f: Parameters<typeof gridBox>[0], W: number, H: number): number {
  const b = gridBox(f);
  const pad = 4 * f.cell + 8;
  expect(b.x0).toBeGreaterThanOrEqual(-pad);
  expect(b.x1).toBeLessThanOrEqual(W + pad);
  expect(b.y0).toBeGreaterThanOrEqual(-pad);
  expect(b.y1).toBeLessThanOrEqual(H + pad);
  return pad;
}

/** Bounds that hold every support grid: the grid is then the whole support, as before clipping. */
const EVERYWHERE: Rect = { left: -1e5, top: -1e5, width: 2e5, height: 2e5 };

describe('deform field grid extent', () => {
  test('a long drag on a thin image: the grid covers the image (plus a few cells), not 2.5 drag lengths around the arrow', () => {
    const W = 1, H = 4096;
    const handle: Point = [0.5, 100], target: Point = [0.5, 1100];
    const res = buildDeformField({
      handles: [handle], targets: [target], anchors: [[0, 4095], [0, 4000]],
      farDistance: 3995, innerRadius: 2000, bounds: { left: 0, top: 0, width: W, height: H },
    });
    const f = res.field!;
    expect(f).not.toBeNull();
    expect(f.radius).toBeGreaterThanOrEqual(2500); // the support is thousands of px wide ...
    // ... the grid is not: it stays within a few cells of the image.
    const pad = expectGridNearImage(f, W, H);
    expect(f.cols * f.rows).toBeLessThanOrEqual(Math.ceil((W + 2 * pad) / f.cell + 1) * Math.ceil((H + 2 * pad) / f.cell + 1));
    // The drag still lands: the target pixel shows the (strength-scaled) handle.
    const e = new Float64Array(2);
    const t: Point = [handle[0], handle[1] + (target[1] - handle[1]) * f.strength];
    sampleField(f, t[0], t[1], e);
    expect(Math.abs(t[0] + e[0]! - handle[0])).toBeLessThan(0.5);
    expect(Math.abs(t[1] + e[1]! - handle[1])).toBeLessThan(0.5);
    expect(minCellJacobian(f)).toBeGreaterThan(0);
  });

  test('a drag off a thin image sideways: over the node budget, the cells get coarser instead of the grid covering the arrow', () => {
    // Content left of the image is pulled in from up to ~2000 px away: the forward grid would
    // need 2000 px × the image's height at 8-px cells (above MAX_NODES_FLOOR).
    const W = 1, H = 8192, D = 2500;
    const res = buildDeformField({
      handles: [[0.5, H / 2]], targets: [[0.5 + D, H / 2]], anchors: [[0, 0], [0, H - 1]],
      farDistance: H / 2, innerRadius: 0.6 * (H / 2), bounds: { left: 0, top: 0, width: W, height: H },
    });
    const f = res.field!;
    expect(f).not.toBeNull();
    expect(f.cell).toBeGreaterThan(8);
    expectGridNearImage(f, W, H);
    expect(minCellJacobian(f)).toBeGreaterThan(0);
  });

  test('clipping to the image keeps the field where it is rendered (same decisions, same values)', () => {
    // Seeded cases: drags inside images of assorted shapes, some targets off the image.
    let seed = 12345;
    const rnd = (): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
    const e1 = new Float64Array(2), e2 = new Float64Array(2);
    for (let t = 0; t < 24; t++) {
      const W = 48 + Math.floor(rnd() * 260), H = 48 + Math.floor(rnd() * 260);
      const handles: Point[] = [], targets: Point[] = [];
      for (let i = 1 + Math.floor(rnd() * 3); i > 0; i--) {
        const h: Point = [rnd() * W, rnd() * H];
        const len = rnd() * Math.min(W, H) * (rnd() < 0.3 ? 1.2 : 0.3), a = rnd() * 2 * Math.PI;
        handles.push(h); targets.push([h[0] + len * Math.cos(a), h[1] + len * Math.sin(a)]);
      }
      const anchors: Point[] = [];
      for (let i = 0; i < 8; i++) anchors.push([rnd() * W, rnd() * H]);
      const far = Math.hypot(W, H) * (0.3 + 0.5 * rnd());
      const base: Omit<DeformFieldInput, 'bounds'> = { handles, targets, anchors, farDistance: far, innerRadius: 0.4 * far, ...(rnd() < 0.2 ? { cell: 16 } : {}) };
      const whole = buildDeformField({ ...base, bounds: EVERYWHERE });
      const clipped = buildDeformField({ ...base, bounds: { left: 0, top: 0, width: W, height: H } });
      expect(clipped.warnings).toEqual(whole.warnings);
      const a = whole.field, b = clipped.field;
      expect(b === null).toBe(a === null);
      if (!a || !b) continue;
      expect([b.strength, b.radius, b.cell]).toEqual([a.strength, a.radius, a.cell]);
      // Nodes are the same points: the clipped grid is a window of the whole one.
      expect((b.left - a.left) % a.cell).toBe(0);
      expect((b.top - a.top) % a.cell).toBe(0);
      const bb = gridBox(b), ab = gridBox(a);
      expect(bb.x0).toBeGreaterThanOrEqual(ab.x0);
      expect(bb.y0).toBeGreaterThanOrEqual(ab.y0);
      expect(bb.x1).toBeLessThanOrEqual(ab.x1);
      expect(bb.y1).toBeLessThanOrEqual(ab.y1);
      // Every pixel: the same forward value (bit for bit) and the same backward value (Newton
      // seeds differ only at the window's edge: within the inversion's tolerance).
      let worst = 0, forwardDiffers = 0;
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          sampleForwardField(a, x, y, e1); sampleForwardField(b, x, y, e2);
          if (e2[0] !== e1[0] || e2[1] !== e1[1]) forwardDiffers++;
          sampleField(a, x, y, e1); sampleField(b, x, y, e2);
          worst = Math.max(worst, Math.abs(e1[0]! - e2[0]!), Math.abs(e1[1]! - e2[1]!));
        }
      }
      expect(forwardDiffers).toBe(0);
      expect(worst).toBeLessThan(1e-3);
    }
  });
});
