/**
 * Everyday phrasings from issue 19 (a case whose arrow points right, and the same words without an
 * arrow): each reads as the kind and direction it says, warns where it disagrees with the arrow,
 * and asks (intent_unclear) when the text alone does not say enough.
 */
import { rasterizePolygon } from '@smartdrag/shared/geometry';
import { SmartDragError } from '@smartdrag/shared';
import type { Drag, EditRequest, Point } from '../types';
import { makePlan } from './index';

function disc(cx: number, cy: number, r: number): Point[] {
  const pts: Point[] = [];
  for (let i = 0; i < 64; i++) pts.push([cx + r * Math.cos((i / 64) * 2 * Math.PI), cy + r * Math.sin((i / 64) * 2 * Math.PI)]);
  return pts;
}
const MASK = rasterizePolygon(disc(200, 150, 40));
const RIGHT: Drag = { region: 'a', points: [[200, 150], [240, 150]] };
const RIM_RIGHT: Drag = { region: 'a', points: [[238, 150], [258, 150]] };
const req = (intent: string, drags: Drag[]): EditRequest => ({ image: { width: 400, height: 300, data: new Uint8ClampedArray(400 * 300 * 4) }, regions: [{ id: 'a', mask: MASK }], drags, intent, quality: 'preview' });

describe('issue 19 phrasings with an arrow to the right', () => {
  it.each([
    ['flatten the orange', 'scale'],
    ['squash it', 'scale'],
    ['widen the box', 'scale'],
    ['pop a wheelie', 'rotate'],
    ['tilt it', 'rotate'],
    ['perk the ear up', 'deform'],
    ['make the tail point upward', 'deform'],
    ['the squirrel should look up', 'deform'],
    ['raise its left arm', 'deform'],
    ['nudge it', 'translate'],
  ])('"%s" → %s, with no "words not understood"', async (text, kind) => {
    const plan = await makePlan(req(text, [RIM_RIGHT]));
    expect(plan.operations[0]!.kind).toBe(kind);
    expect(plan.warnings.join('\n')).not.toMatch(/not understood|names no operation/);
  });
  it('"flatten" scales y only, down', async () => {
    const p = (await makePlan(req('flatten the orange', []))).operations[0]!.params as { sx: number; sy: number };
    expect(p.sx).toBe(1);
    expect(p.sy).toBeLessThan(1);
  });
  it('"make the tail point upward" with an arrow to the right warns about the direction and offers the text\'s', async () => {
    const plan = await makePlan(req('make the tail point upward', [RIM_RIGHT]));
    expect(plan.warnings.join('\n')).toMatch(/Text says up but the arrow on region a points right/);
    const alt = plan.alternatives![0]!.operations[0]!.params as { handles: Point[]; targets: Point[] };
    expect(alt.targets[0]![1]).toBeLessThan(alt.handles[0]![1] - 10);
  });
  it('"move the orange down" with a move arrow to the right warns', async () => {
    const plan = await makePlan(req('move the orange down', [RIGHT]));
    expect(plan.warnings.join('\n')).toMatch(/Text says down but the arrow on region a points right/);
  });
});

describe('text alone (no arrow)', () => {
  it.each([
    ['move the orange 40px down', { kind: 'translate', dx: 0, dy: 40 }],
    ['move the sign up by 40 pixels', { kind: 'translate', dx: 0, dy: -40 }],
    ['rotate it 30 degrees anticlockwise', { kind: 'rotate', angleDeg: -30 }],
    ['make it 20% bigger', { kind: 'scale', sx: 1.2, sy: 1.2 }],
    ['shrink it by half', { kind: 'scale', sx: 0.5, sy: 0.5 }],
    ['make it twice as big', { kind: 'scale', sx: 2, sy: 2 }],
    ['tilt it to the left by 10 degrees', { kind: 'rotate', angleDeg: -10 }],
    ['turn it upside down', { kind: 'rotate', angleDeg: 180 }],
    ['make it 150%', { kind: 'scale', sx: 1.5, sy: 1.5 }],
    ['stretch it vertically by 20%', { kind: 'scale', sx: 1, sy: 1.2 }],
    ['squash it horizontally by half', { kind: 'scale', sx: 0.5, sy: 1 }],
    ['move it diagonally up and to the right by 30px', { kind: 'translate', dx: 21.21, dy: -21.21 }],
    ['move it up 40 px and 20 px left', { kind: 'translate', dx: -20, dy: -40 }],
    ['lower it by 20px', { kind: 'translate', dx: 0, dy: 20 }],
    ['slide the cup to the right by 50 px', { kind: 'translate', dx: 50, dy: 0 }],
  ])('"%s"', async (text, params) => {
    const plan = await makePlan(req(text, []));
    expect(plan.operations).toHaveLength(1);
    expect(plan.operations[0]!.params).toMatchObject(params);
    expect(plan.operations[0]!.source).toBe('intent');
    expect(plan.reasoner).toBe('rules');
  });
  it('a direction without an amount moves a default distance and says so', async () => {
    const plan = await makePlan(req('nudge it a bit to the right', []));
    const p = plan.operations[0]!.params as { dx: number; dy: number };
    expect(p.dx).toBeGreaterThan(0);
    expect(p.dy).toBe(0);
    expect(plan.warnings.join('\n')).toMatch(/gives no amount in numbers/);
  });
  it.each<[string, RegExp]>([
    ['make it bigger', /^"make it bigger" gives no amount in numbers: region a scales by a default ×1\.25; say how much \(e\.g\. "50% bigger"\)\.$/],
    ['make it smaller', /^"make it smaller" gives no amount in numbers: region a scales by a default ×0\.80; say how much \(e\.g\. "20% smaller"\)\.$/],
    ['bigger', /^"bigger" gives no amount in numbers: region a scales by a default ×1\.25; say how much/],
    ['make it a bit bigger', /^"make it a bit bigger" gives no amount in numbers: region a scales by a default \("a bit"\) ×1\.10;/],
    ['rotate it clockwise', /^"rotate it clockwise" gives no amount in numbers: region a turns a default 15° clockwise; say how far \(e\.g\. "by 20°"\)\.$/],
    ['move it right', /^"move it right" gives no amount in numbers: region a moves a default \d+(\.\d+)? px; say how far \(e\.g\. "by 40 px"\)\.$/],
  ])('"%s" with no arrow: the default amount said once, and no arrow spoken of', async (text, words) => {
    const plan = await makePlan(req(text, []));
    expect(plan.warnings.filter((w) => /default/.test(w))).toEqual([expect.stringMatching(words)]);
    expect(plan.warnings.join('\n')).not.toMatch(/arrow on region/i);
  });
  it('an action no arrow went to says its default amount without speaking of an arrow', async () => {
    const plan = await makePlan(req('move it 40 px right and make it bigger', [{ region: 'a', points: [[200, 150], [240, 150]] }]));
    expect(plan.operations.map((o) => o.kind)).toEqual(['translate', 'scale']);
    expect(plan.warnings.filter((w) => /default/.test(w))).toEqual([expect.stringMatching(/^"make it bigger" gives no amount in numbers: region a scales by a default ×1\.25/)]);
    expect(plan.warnings.join('\n')).not.toMatch(/arrow on region a does not change/);
  });
  it.each([
    ['move the orange', /Which way should "the orange" move/],
    ['rotate it', /Which way should "it" turn/],
    ['resize it', /Bigger or smaller/],
    ["perk the squirrel's ear up", /draw an arrow from that part/],
    ['the squirrel should look up', /draw an arrow on the part/],
    ['do something nice', /names no edit I can read/],
  ])('"%s" asks instead of guessing (intent_unclear)', async (text, q) => {
    const err = await makePlan(req(text, [])).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(SmartDragError);
    expect((err as SmartDragError).code).toBe('intent_unclear');
    expect((err as SmartDragError).message).toMatch(q);
  });
});
