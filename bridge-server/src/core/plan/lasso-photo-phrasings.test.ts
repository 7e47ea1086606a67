/**
 * Phrasings typed next to one loose lasso on photos (a cat's eye, a citrus slice, a clothes-peg, a
 * shuttle model, a squirrel's tail, a dog's tongue, a horse, a mission patch), helper-97's hunt:
 * - a part noun with one selection and no arrow ("make the eye bigger") was refused ("resizes a
 *   part: draw an arrow from that part"); the lasso is round the eye, so it is the selection, said;
 * - a turn by an angle with no way ("rotate the orange slice 15 degrees") was asked about; it is
 *   clockwise, as Photoshop turns a positive angle, said;
 * - "make the whiskers longer" on a wide lasso made them taller; a length is the box's longer side;
 * - "slighty", "abit", "a litle" were not understood (the default medium amount was used).
 */
import { rasterizePolygon } from '@smartdrag/shared/geometry';
import type { Drag, EditRequest, Plan, Point } from '../types';
import { makePlan, DEFAULTS } from './index';
import { arc } from './test-shapes';

/** A 64-point ellipse about (cx, cy). */
function ellipse(cx: number, cy: number, rx: number, ry: number): Point[] {
  const pts: Point[] = [];
  for (let i = 0; i < 64; i++) pts.push([cx + rx * Math.cos((i / 64) * 2 * Math.PI), cy + ry * Math.sin((i / 64) * 2 * Math.PI)]);
  return pts;
}
const W = 600, H = 400;
/** A loose lasso wider than tall (a slice, whiskers, a patch), and one taller than wide (a tongue, legs). */
const WIDE = rasterizePolygon(ellipse(300, 200, 60, 40));
const TALL = rasterizePolygon(ellipse(300, 200, 30, 70));
/** A second selection, for "several selections: still asked". */
const OTHER = rasterizePolygon(ellipse(100, 100, 30, 30));

function request(intent: string, opts: { tall?: boolean; two?: boolean; arrow?: [number, number] } = {}): EditRequest {
  const drags: Drag[] = opts.arrow ? [{ region: 'a', points: [[300, 200], [300 + opts.arrow[0], 200 + opts.arrow[1]]] }] : [];
  const regions = [{ id: 'a', mask: opts.tall ? TALL : WIDE }, ...(opts.two ? [{ id: 'b', mask: OTHER }] : [])];
  return { image: { width: W, height: H, data: new Uint8ClampedArray(W * H * 4) }, regions, drags, intent, quality: 'preview' };
}
const plan = (intent: string, opts?: Parameters<typeof request>[1]): Promise<Plan> => makePlan(request(intent, opts), {});
const asked = (intent: string, opts?: Parameters<typeof request>[1]): Promise<string> => plan(intent, opts).then(() => '', (e: Error) => e.message);
const params = (p: Plan): Record<string, unknown> => p.operations[0]!.params as unknown as Record<string, unknown>;

type Want = { kind: 'scale'; sx: number; sy?: number } | { kind: 'rotate'; deg: number } | { kind: 'translate'; dx: number; dy: number };
const S = (sx: number, sy = sx): Want => ({ kind: 'scale', sx, sy });
const R = (deg: number): Want => ({ kind: 'rotate', deg });
const T = (dx: number, dy: number): Want => ({ kind: 'translate', dx, dy });
function expectOp(p: Plan, w: Want): void {
  expect(p.operations).toHaveLength(1);
  const q = params(p) as Record<string, number>;
  expect(q.kind).toBe(w.kind);
  if (w.kind === 'scale') { expect(q.sx).toBeCloseTo(w.sx, 3); expect(q.sy).toBeCloseTo(w.sy ?? w.sx, 3); }
  else if (w.kind === 'rotate') expect(q.angleDeg).toBeCloseTo(w.deg, 2);
  else { expect(q.dx).toBeCloseTo(w.dx, 1); expect(q.dy).toBeCloseTo(w.dy, 1); }
}

describe('one selection, no arrow: a part noun is the selection itself (was: "draw an arrow from that part")', () => {
  const up = DEFAULTS.scaleUp, down = DEFAULTS.scaleDown;
  test.each<[string, Want, string]>([
    ['make the eye bigger', S(up.medium), 'the eye'],
    ['make the nose smaller', S(down.medium), 'the nose'],
    ['make her eyes bigger', S(up.medium), 'her eyes'],
    ['make the eyes a bit bigger', S(up.small), 'the eyes'],
    ['enlarge the left eye slightly', S(up.small), 'the left eye'],
    ['make the nose 10% smaller', S(0.9), 'the nose'],
    ['shrink the nose a little', S(down.small), 'the nose'],
    ['make the eye twice as big', S(2), 'the eye'],
    ['make the tail bigger', S(up.medium), 'the tail'],
    ['move the ear up 10px', T(0, -10), 'the ear'],
    ['rotate the ear 10 degrees clockwise', R(10), 'the ear'],
    ['turn the ear 10° anti-clockwise', R(-10), 'the ear'],
    ['turn the head left', R(-DEFAULTS.rotateDeg.medium), 'the head'],
    ['turn the head to the right', R(DEFAULTS.rotateDeg.medium), 'the head'],
  ])('"%s"', async (intent, want, phrase) => {
    const p = await plan(intent);
    expectOp(p, want);
    const w = p.warnings.join('\n');
    expect(w).toContain(`"${phrase}" is read as the selection itself (one selection, no arrow); if the `);
    expect(w).toMatch(/is only part of what you selected, draw an arrow from it to where it should go\.|are only part of what you selected, draw an arrow from them to where they should go\./);
  });
  test.each(['move the ear up a bit', 'move the tail up a bit', 'move the head down a bit', 'raise the tail', 'lift the tail'])('"%s": the selection moves (default amount, said)', async (intent) => {
    const p = await plan(intent);
    expect(params(p).kind).toBe('translate');
    expect(params(p).dx).toBe(0);
    expect(Math.sign(params(p).dy as number)).toBe(/down/.test(intent) ? 1 : -1);
    expect(p.warnings.join('\n')).toMatch(/is read as the selection itself/);
  });
  test('several selections: still asked which part (and of what)', async () => {
    expect(await asked('make the eye bigger', { two: true })).toMatch(/resizes a part \(eye\): to resize it on the object it belongs to, draw an arrow/);
  });
  test.each([
    ["make the cat's eye bigger", /resizes a part \(eye\) of "the cat's eye": draw an arrow from that part to where it should go; if the selection is the eye itself, call it "it" \(e\.g\. "make it 20% bigger"\)\./],
    ['make the eye of the cat bigger', /resizes a part \(eye\) of "the eye of the cat": draw an arrow.*call it "it"/],
    ['rotate the squirrels tail 20 degrees', /turns a part \(tail\) of "the squirrels tail": draw an arrow.*call it "it"/],
    ['make its eye bigger', /resizes a part \(eye\) of "its eye": draw an arrow from that part to where it should go\.$/],
    ['move the tip of it up', /moves a part \(tip\) of "the tip of it": draw an arrow from that part to where it should go\.$/],
  ])('a part of a named object, or of "it": still asked ("%s")', async (intent, q) => {
    expect(await asked(intent)).toMatch(q);
  });
  test('read as the selection it would still say too little ("move the legs apart"): asked as about a part', async () => {
    expect(await asked('move the legs apart')).toMatch(/moves a part \(legs\): to move it on the object it belongs to, draw an arrow/);
  });
  test('with an arrow, a part is still the arrow\'s (no "read as the selection" note)', async () => {
    const p = await plan('make the eye bigger', { arrow: [30, 0] });
    expect(p.warnings.join('\n')).not.toMatch(/read as the selection itself/);
  });
});

describe('a turn by an angle with no way given: clockwise, as Photoshop turns a positive angle (was: asked)', () => {
  const CW = /: no direction given: clockwise, as Photoshop turns a positive angle; say "counter-clockwise" for the other way\.$/;
  test.each<[string, number]>([
    ['rotate the orange slice 15 degrees', 15],
    ['rotate the lime slice 30 degrees', 30],
    ['rotate the orange slice 15 degress', 15],
    ['rotate the space shuttle model 45°', 45],
    ['rotate the orange slice by 20', 20],
    ['rotate it 90', 90],
    ['turn it 15 deg', 15],
    ['spin the lime 90 degrees', 90],
    ['rotate the lemon 1/4 turn', 90],
    ['tilt the patch 3 degrees', 3],
  ])('"%s"', async (intent, deg) => {
    const p = await plan(intent);
    expectOp(p, R(deg));
    expect(p.warnings.filter((w) => CW.test(w))).toHaveLength(1);
  });
  test('a way named, a signed angle, or a half turn: no such note', async () => {
    for (const [intent, deg] of [['rotate the orange slice 20 degrees counter clockwise', -20], ['rotate it -15 degrees', -15], ['rotate it 180 degrees', 180], ['rotate the patch 5 degrees to the left', -5]] as const) {
      const p = await plan(intent);
      expectOp(p, R(deg));
      expect(p.warnings.join('\n')).not.toMatch(/no direction given/);
    }
  });
  test.each(['rotate it', 'rotate the patch slightly', 'tilt it a bit', 'tilt the shuttle up 10 degrees'])('no angle, or a way that depends on where it faces ("%s"): still asked', async (intent) => {
    expect(await asked(intent)).toMatch(/Which way should .* turn: clockwise or counter-clockwise\?/);
  });
  test('an action no arrow went to ("move it right and rotate it 30 degrees"): clockwise, said', async () => {
    const p = await plan('move it right and rotate it 30 degrees', { arrow: [40, 0] });
    expect(p.operations.map((o) => o.kind)).toEqual(['translate', 'rotate']);
    expect((p.operations[1]!.params as { angleDeg: number }).angleDeg).toBe(30);
    expect(p.warnings).toContain('"rotate it 30 degrees": no direction given: clockwise, as Photoshop turns a positive angle; say "counter-clockwise" for the other way.');
  });
  test('an arrow that does not turn about the pivot and no way in the text: clockwise, said; a turning arrow decides', async () => {
    const p = await plan('rotate it 15 degrees', { arrow: [-40, 0] });
    expectOp(p, R(15));
    expect(p.warnings.join('\n')).toMatch(/The arrow on region a does not say which way to turn and the text names none: clockwise, as Photoshop turns a positive angle/);
    const q = await makePlan({ ...request('rotate it 15 degrees'), drags: [{ region: 'a', points: arc(300, 200, 60, 0, 20) }] }, {});
    expect((q.operations[0]!.params as { angleDeg: number }).angleDeg).toBe(15);
    expect(q.warnings.join('\n')).not.toMatch(/no direction given|does not say which way/);
    const r = await makePlan({ ...request('rotate it 15 degrees'), drags: [{ region: 'a', points: arc(300, 200, 60, 0, -20) }] }, {});
    expect((r.operations[0]!.params as { angleDeg: number }).angleDeg).toBe(-15);
  });
});

describe('"longer" runs along the selection\'s longer side (was: always taller)', () => {
  test.each<[string, boolean, Want]>([
    ['make the whiskers longer', false, S(DEFAULTS.scaleUp.medium, 1)],
    ['make the whiskers 20 px longer', false, S(140 / 120, 1)],
    ['make the tongue longer', true, S(1, DEFAULTS.scaleUp.medium)],
    ['make the legs longer', true, S(1, DEFAULTS.scaleUp.medium)],
    ['make it taller', false, S(1, DEFAULTS.scaleUp.medium)],
    ['make the tongue shorter', false, S(1, DEFAULTS.scaleDown.medium)],
  ])('"%s" (tall lasso: %s)', async (intent, tall, want) => {
    expectOp(await plan(intent, { tall }), want);
  });
});

describe('small amounts typed fast are read as such (was: not understood, the medium default used)', () => {
  test.each<[string, Want, string]>([
    ['make it slighty bigger', S(DEFAULTS.scaleUp.small), 'slighty'],
    ['make it sligthly smaller', S(DEFAULTS.scaleDown.small), 'sligthly'],
    ['make it abit smaller', S(DEFAULTS.scaleDown.small), 'abit'],
    ['rotate it slighty clockwise', R(DEFAULTS.rotateDeg.small), 'slighty'],
  ])('"%s"', async (intent, want, word) => {
    const p = await plan(intent);
    expectOp(p, want);
    expect(p.warnings.join('\n')).toMatch(new RegExp(`Read "${word}" in the intent as`));
    expect(p.warnings.join('\n')).not.toMatch(/not understood/);
  });
  test.each(['move it a litle to the left', 'move it alittle left', 'move it slighly left'])('"%s" moves the small default', async (intent) => {
    const p = await plan(intent);
    const ref = await plan('move it a little to the left');
    expect(params(p)).toEqual(params(ref));
    expect(p.warnings.join('\n')).not.toMatch(/not understood/);
  });
});
