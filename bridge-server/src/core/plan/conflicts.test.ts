/**
 * Every text/arrow conflict (direction on each axis, kind, amount more than 2× off) gives a warning
 * saying what was followed and why, and an alternative plan that takes the other side.
 */
import { maskCentroid, rasterizePolygon } from '@smartdrag/shared/geometry';
import type { Drag, EditRequest, Plan, Point } from '../types';
import { makePlan } from './index';

function disc(cx: number, cy: number, r: number): Point[] {
  const pts: Point[] = [];
  for (let i = 0; i < 64; i++) pts.push([cx + r * Math.cos((i / 64) * 2 * Math.PI), cy + r * Math.sin((i / 64) * 2 * Math.PI)]);
  return pts;
}
const MASK = rasterizePolygon(disc(200, 150, 40));
const C = maskCentroid(MASK)!;
function arc(r: number, a0: number, a1: number, n = 6): Point[] {
  const out: Point[] = [];
  for (let i = 0; i < n; i++) { const a = ((a0 + ((a1 - a0) * i) / (n - 1)) * Math.PI) / 180; out.push([C[0] + r * Math.cos(a), C[1] + r * Math.sin(a)]); }
  return out;
}
function req(intent: string, drags: Drag[]): EditRequest {
  return { image: { width: 400, height: 300, data: new Uint8ClampedArray(400 * 300 * 4) }, regions: [{ id: 'a', mask: MASK }], drags, intent, quality: 'preview' };
}
const RIGHT: Drag = { region: 'a', points: [[200, 150], [240, 150]] };
const UP: Drag = { region: 'a', points: [[200, 150], [200, 110]] };
const p0 = (p: Plan): Record<string, unknown> => p.operations[0]!.params as unknown as Record<string, unknown>;

describe('text/arrow conflicts', () => {
  it('vertical direction: "move the sign up by 40 pixels" with an arrow to the right', async () => {
    const plan = await makePlan(req('move the sign up by 40 pixels', [RIGHT]));
    expect(p0(plan)).toMatchObject({ kind: 'translate', dx: 40, dy: 0 });
    expect(plan.warnings.join('\n')).toMatch(/Text says up but the arrow on region a points right .*following the arrow's direction/);
    const alt = plan.alternatives?.[0];
    expect(alt && p0(alt)).toMatchObject({ kind: 'translate', dx: 0, dy: -40 });
    expect(alt!.warnings.join('\n')).toMatch(/follows the text's direction/);
  });
  it('vertical direction with a soft verb: "raise the sign" / "move the orange down" with an arrow to the right', async () => {
    for (const [text, dy] of [['raise the sign', -40], ['move the orange down', 40]] as const) {
      const plan = await makePlan(req(text, [RIGHT]));
      expect(plan.warnings.join('\n')).toMatch(/Text says (up|down) but the arrow on region a points right/);
      const alt = plan.alternatives![0]!;
      const q = p0(alt);
      // The alternative moves the way the text says, as far as the arrow is long.
      if (q.kind === 'translate') expect(q).toMatchObject({ dx: 0, dy });
      else expect((q.targets as Point[])[0]![1] - (q.handles as Point[])[0]![1]).toBeCloseTo(dy, 5);
    }
  });
  it('horizontal direction: "shift it left 10px" with an arrow to the right', async () => {
    const plan = await makePlan(req('shift it left 10px', [RIGHT]));
    expect(plan.warnings.join('\n')).toMatch(/Text says left but the arrow on region a points right/);
    expect(p0(plan.alternatives![0]!)).toMatchObject({ kind: 'translate', dx: -10, dy: 0 });
  });
  it('horizontal direction on a vertical arrow: "move it right" with an arrow up', async () => {
    const plan = await makePlan(req('move it right', [UP]));
    expect(p0(plan)).toMatchObject({ kind: 'translate', dx: 0, dy: -40 });
    expect(p0(plan.alternatives![0]!)).toMatchObject({ kind: 'translate', dx: 40, dy: 0 });
  });
  it('kind: "rotate it 20 degrees clockwise" with a plain move arrow', async () => {
    const plan = await makePlan(req('rotate it 20 degrees clockwise', [RIGHT]));
    expect(p0(plan)).toMatchObject({ kind: 'rotate', angleDeg: 20 });
    expect(plan.warnings.join('\n')).toMatch(/the text asks to rotate .* but the arrow reads as translate .*following the text/);
    expect(p0(plan.alternatives![0]!)).toMatchObject({ kind: 'translate', dx: 40, dy: 0 });
  });
  it('amount (move): text 200 px, arrow 40 px', async () => {
    const plan = await makePlan(req('move it right by 200 px', [RIGHT]));
    expect(p0(plan)).toMatchObject({ kind: 'translate', dx: 200, dy: 0 });
    expect(plan.warnings.join('\n')).toMatch(/Text says 200 px but the arrow on region a is 40 px long .*following the text's amount/);
    expect(p0(plan.alternatives![0]!)).toMatchObject({ kind: 'translate', dx: 40, dy: 0 });
  });
  it('amount (rotate): text 90°, arc 30°', async () => {
    const plan = await makePlan(req('rotate it 90 degrees clockwise', [{ region: 'a', points: arc(40, 0, 30) }]));
    expect(p0(plan)).toMatchObject({ kind: 'rotate', angleDeg: 90 });
    expect(plan.warnings.join('\n')).toMatch(/Text says 90° but the arrow on region a turns 30°/);
    expect((p0(plan.alternatives![0]!).angleDeg as number)).toBeCloseTo(30, 0);
  });
  it('amount (scale): text ×3, arrow ×1.25', async () => {
    const plan = await makePlan(req('make it three times bigger', [{ region: 'a', points: [[240, 150], [250, 150]], kind: 'scale' }]));
    expect(p0(plan)).toMatchObject({ kind: 'scale', sx: 3, sy: 3 });
    expect(plan.warnings.join('\n')).toMatch(/Text says ×3.00 but the arrow on region a scales ×1.2/);
    expect((p0(plan.alternatives![0]!).sx as number)).toBeCloseTo(1.25, 1);
  });
  it('no conflict, no alternative: "move it right by 40 px" with the same arrow', async () => {
    const plan = await makePlan(req('move it right by 40 px', [RIGHT]));
    expect(plan.warnings.join('\n')).not.toMatch(/Text says/);
    expect(plan.alternatives).toBeUndefined();
    expect(plan.reasoner).toBe('rules');
  });
});

describe('sense conflicts for rotate and scale', () => {
  it('rotation sense: "rotate it clockwise" with a counter-clockwise arc follows the text; the alternative follows the arc', async () => {
    const plan = await makePlan(req('rotate it clockwise', [{ region: 'a', points: arc(40, 0, -30) }]));
    expect((p0(plan).angleDeg as number)).toBeCloseTo(30, 0);
    expect(plan.warnings.join('\n')).toMatch(/Text says clockwise but the arrow on region a turns the other way .*following the text/);
    expect((p0(plan.alternatives![0]!).angleDeg as number)).toBeCloseTo(-30, 0);
  });
  it('scale sense: "make it bigger" with an arrow that shrinks follows the text; the alternative follows the arrow', async () => {
    const plan = await makePlan(req('make it bigger', [{ region: 'a', points: [[240, 150], [230, 150]], kind: 'scale' }]));
    expect((p0(plan).sx as number)).toBeGreaterThan(1);
    expect(plan.warnings.join('\n')).toMatch(/Text says bigger but the arrow on region a would scale by ×0.75/);
    expect((p0(plan.alternatives![0]!).sx as number)).toBeCloseTo(0.75, 2);
  });
});
