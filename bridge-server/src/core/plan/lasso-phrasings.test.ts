/**
 * Phrasings a Photoshop user types next to a lasso (and sometimes an arrow) that were left over
 * (helper-95's hunt): "the same size as the other one" (not read: "names no edit"); "turn it around"
 * (a default 15° turn); "add 20 px to its width" ("add" not understood); "move it to the top of the
 * other one" (a default 16.5 px up); a purpose clause ("raise the balloons so they float higher":
 * "float" not understood); and "put a hat on it" (the arrow followed with no word said, or "which
 * way should a hat move?").
 */
import { maskBounds } from '@smartdrag/shared/geometry';
import type { Drag, Plan } from '../types';
import { makePlan } from './index';
import { SMALL_DISCS, TWO_DISCS, twoDiscsRequest } from './test-shapes';
import { parseIntent } from '../intent/parse';

/** A 40 px arrow to the right on a, and a click on a (no length: the text gives the edit). */
const moveA: Drag = { region: 'a', points: [[100, 150], [140, 150]] };
const clickA: Drag = { region: 'a', points: [[100, 150], [100, 150]] };
const plan = (intent: string, drags: Drag[], regions: string[]): Promise<Plan> => makePlan(twoDiscsRequest(intent, drags, regions), {});
/** The question a plan asks (intent_unclear), or '' when it plans. */
const asked = (intent: string, drags: Drag[], regions: string[]): Promise<string> => plan(intent, drags, regions).then(() => '', (e: Error) => e.message);
const params = (p: Plan): Record<string, number | string> => p.operations[0]!.params as unknown as Record<string, number | string>;
/** A region's box, max − min, as the planner measures it. */
const box = (id: 'a' | 'b' | 'c'): { w: number; h: number } => {
  const m = ({ ...TWO_DISCS, ...SMALL_DISCS })[id].mask, b = maskBounds(m, 128);
  return { w: b.width - 1, h: b.height - 1 };
};
const A = box('a'), C = box('c');

describe('"the same size as the other one": the other selection\'s box gives the scale', () => {
  // a: a disc of radius 40 (box 80 × 80), c: a disc of radius 20 (box 40 × 40).
  const half = Math.sqrt((C.w * C.h) / (A.w * A.h));
  test.each(['make it the same size as the other one', 'same size as the other one', 'make it as big as the other one', 'resize it to the same size as the other one', 'scale it to the size of the other one'])('"%s" with a click on a scales a to c\'s size', async (intent) => {
    const p = await plan(intent, [clickA], ['a', 'c']);
    expect(p.operations).toHaveLength(1);
    expect(p.operations[0]!.region).toBe('a');
    expect(params(p).kind).toBe('scale');
    expect(params(p).sx).toBeCloseTo(half, 3);
    expect(params(p).sy).toBeCloseTo(half, 3);
    expect(p.operations[0]!.description).toMatch(/×0\.50 to the size of region c's box \(40 × 40 px; its own is 80 × 80 px: the same area, its proportions kept\)/);
    expect(p.warnings.join('\n')).not.toMatch(/not understood|names no operation|no amount in numbers/);
  });
  test('"the same width as" / "as tall as": that axis only', async () => {
    const w = params(await plan('make it the same width as the other one', [clickA], ['a', 'c']));
    expect(w).toMatchObject({ kind: 'scale', sy: 1 });
    expect(w.sx).toBeCloseTo(C.w / A.w, 3);
    const h = params(await plan('make it as tall as the other one', [clickA], ['a', 'c']));
    expect(h).toMatchObject({ kind: 'scale', sx: 1 });
    expect(h.sy).toBeCloseTo(C.h / A.h, 3);
  });
  test('"twice as big as the other one" is twice the other\'s size', async () => {
    const p = params(await plan('make it twice as big as the other one', [clickA], ['a', 'c']));
    expect(p.sx).toBeCloseTo(2 * half, 3);
  });
  test('text alone, two selections: the one the phrase does not name is "it"', async () => {
    const p = await plan('make it the same size as the small one', [], ['a', 'c']);
    expect(p.operations.map((o) => [o.region, o.kind])).toEqual([['a', 'scale']]);
    expect(params(p).sx).toBeCloseTo(half, 3);
    const q = await plan('make the small one the same size as the big one', [], ['a', 'c']);
    expect(q.operations.map((o) => [o.region, o.kind])).toEqual([['c', 'scale']]);
    expect(params(q).sx).toBeCloseTo(1 / half, 3);
  });
  test('text alone, two selections, "it" and "the other one": asked which is which', async () => {
    expect(await asked('make it the same size as the other one', [], ['a', 'c'])).toMatch(/which selection is "it", and which is "the other one"\? Name them by position/);
  });
  test('one selection: asked for the second selection; with an arrow, said and the arrow followed', async () => {
    expect(await asked('make it the same size as the other one', [], ['a'])).toMatch(/takes the size of another object \("the other one"\), but there is only one selection: select that object too/);
    const p = await plan('same size as the other one', [moveA], ['a']);
    expect(p.operations.map((o) => o.params)).toEqual([{ kind: 'translate', dx: 40, dy: 0 }]);
    const w = p.warnings.join('\n');
    expect(w).toMatch(/only one selection: select that object too.*The arrows are followed as drawn\./);
    expect(w).not.toMatch(/names no operation/);
  });
  test('"keep it the same size" still keeps the size (not another object\'s)', async () => {
    const p = await plan('keep it the same size', [moveA], ['a']);
    expect(p.operations.map((o) => o.kind)).toEqual(['translate']);
  });
});

describe('"turn it around", "flip it", "mirror it": a mirror is not a drag edit, said with the words typed', () => {
  const MIRROR = /"turn (it|the cup) (a)?round": turning it to face the other way is a mirror, not a drag edit: use the editor's Flip Horizontal \(Edit › Transform in Photoshop and Photopea\); to turn it upside down, say "rotate it 180°"; it was not acted on\./;
  test.each(['turn it around', 'turn the cup round'])('"%s" with no arrow is asked about as a mirror (was: which way to turn)', async (intent) => {
    const q = await asked(intent, [], ['a']);
    expect(q).toMatch(MIRROR);
    expect(q).not.toMatch(/clockwise or counter-clockwise/);
  });
  test('"turn it around" with an arrow: the arrow is followed, no default 15° turn', async () => {
    const p = await plan('turn it around', [moveA], ['a']);
    expect(p.operations.map((o) => o.params)).toEqual([{ kind: 'translate', dx: 40, dy: 0 }]);
    expect(p.warnings.join('\n')).toMatch(MIRROR);
    expect(p.warnings.join('\n')).not.toMatch(/default 15°/);
  });
  test.each([['flip it', 'flip'], ['mirror it', 'mirror']])('"%s" with an arrow: said, and nothing else called unknown', async (intent, word) => {
    const p = await plan(intent, [moveA], ['a']);
    expect(p.operations.map((o) => o.params)).toEqual([{ kind: 'translate', dx: 40, dy: 0 }]);
    const w = p.warnings.join('\n');
    expect(w).toMatch(new RegExp(`"${word}": mirroring is not a drag edit: use the editor's Flip Horizontal / Flip Vertical`));
    expect(w).toMatch(/Nothing in the intent is a move, turn, resize or bend; the plan follows the arrows\./);
    expect(w).not.toMatch(/names no operation I know|not understood/);
  });
  test('a turn around a pivot or by an angle is still a turn', async () => {
    expect(params(await plan('turn it around 180 degrees', [], ['a']))).toMatchObject({ kind: 'rotate', angleDeg: 180 });
    expect(params(await plan('turn it around its base 20 degrees clockwise', [], ['a']))).toMatchObject({ kind: 'rotate', angleDeg: 20 });
  });
});

describe('a resize by a pixel amount along one axis', () => {
  test.each([
    ['add 20 px to its width', (A.w + 20) / A.w, 1],
    ['add 20 pixels to the width', (A.w + 20) / A.w, 1],
    ['add 10% to its height', 1, 1.1],
    ['make it 20 px wider', (A.w + 20) / A.w, 1],
    ['50 pixels taller', 1, (A.h + 50) / A.h],
  ])('"%s"', async (intent, sx, sy) => {
    const p = await plan(intent, [], ['a']);
    expect(p.operations).toHaveLength(1);
    expect(params(p).kind).toBe('scale');
    expect(params(p).sx).toBeCloseTo(sx, 3);
    expect(params(p).sy).toBeCloseTo(sy, 3);
    expect(p.warnings.join('\n')).not.toMatch(/not understood|no amount in numbers/);
  });
  test('"add 20 to its width" (no unit) is still not read, and "add a hat" is still new content', async () => {
    expect(await asked('add 20 to its width', [], ['a'])).toMatch(/names no edit I can read/);
    expect(await asked('add a hat', [], ['a'])).toMatch(/"add": adding or replacing content is not a drag edit/);
  });
});

describe('"to the top of the other one": on top of it (another selection as the place)', () => {
  // a (box 80 × 80 at (60, 110)) on top of b (the same box at (260, 110)): its bottom row at 109.
  test.each(['move it to the top of the other one', 'put it on top of the other one'])('"%s" with a click on a', async (intent) => {
    const p = await plan(intent, [clickA], ['a', 'b']);
    expect(params(p)).toMatchObject({ kind: 'translate', dx: 200, dy: -81 });
    expect(p.operations[0]!.description).toMatch(/on top of region b's, resting on it \(the boxes touch\)/);
  });
  test('"move it to the bottom of the other one": below it, a tenth of the box apart', async () => {
    const p = await plan('move it to the bottom of the other one', [clickA], ['a', 'b']);
    expect(params(p)).toMatchObject({ kind: 'translate', dx: 200, dy: 89 });
  });
  test('text alone: "to the top of the right one" moves the left one; "it" / "the other one" is asked', async () => {
    expect(params(await plan('move it to the top of the right one', [], ['a', 'b']))).toMatchObject({ kind: 'translate', dx: 200, dy: -81 });
    expect(await asked('move it to the top of the other one', [], ['a', 'b'])).toMatch(/which selection is "it", and which is "the other one"\?/);
    expect(await asked('move it to the top of the other one', [], ['a'])).toMatch(/there is only one selection: select that object too/);
  });
  test('"to the top of the cup" is still a way to go, not another selection', async () => {
    const p = await plan('move it to the top of the cup', [], ['a']);
    expect(params(p)).toMatchObject({ kind: 'translate', dx: 0 });
    expect(p.warnings.join('\n')).toMatch(/no amount in numbers/);
  });
});

describe('a purpose clause ("so they float higher") after an understood edit is not "not understood"', () => {
  test.each(['raise the balloons so they float higher', 'raise it so that it floats higher', 'lift it so the kids can see it'])('"%s"', async (intent) => {
    const p = await plan(intent, [], ['a']);
    expect(params(p).kind).toBe('translate');
    expect(params(p).dy).toBeLessThan(0);
    expect(p.warnings.join('\n')).not.toMatch(/not understood/);
    expect(parseIntent(intent).unknown.filter((u) => u.role === 'ignored')).toEqual([]);
  });
  test('"tilt it so that it leans right" turns clockwise (the result clause says which way)', async () => {
    const p = params(await plan('tilt it so that it leans right', [], ['a']));
    expect(p.kind).toBe('rotate');
    expect(p.angleDeg).toBeGreaterThan(0);
  });
  test('with no understood edit before it, its words are still reported', async () => {
    expect(parseIntent('so they float higher').unknown.map((u) => [u.word, u.role])).toEqual([['float', 'ignored']]);
  });
});

describe('"put a hat on it": new content, said with the words typed; the arrow as usual', () => {
  const HAT = /"put a hat on it": adding new content is not a drag edit: SmartDrag moves, turns, scales and bends what is already in the picture; paint or paste the new content in the editor \(or use its generative fill\); it was not acted on\./;
  test('with an arrow: the arrow is followed and the request is said (was: silent)', async () => {
    const p = await plan('put a hat on it', [moveA], ['a']);
    expect(p.operations.map((o) => o.params)).toEqual([{ kind: 'translate', dx: 40, dy: 0 }]);
    expect(p.warnings.join('\n')).toMatch(HAT);
  });
  test('with no arrow: asked about as such (was: "which way should a hat move?")', async () => {
    const q = await asked('put a hat on it', [], ['a']);
    expect(q).toMatch(HAT);
    expect(q).not.toMatch(/Which way should/);
  });
  test('"put the cup to the right" still moves it; "put a copy to the right" is said as copying', async () => {
    expect(params(await plan('put the cup to the right by 30 px', [], ['a']))).toMatchObject({ kind: 'translate', dx: 30, dy: 0 });
    expect((await plan('put a copy to the right', [moveA], ['a'])).warnings.join('\n')).toMatch(/"copy": copying is not a drag edit/);
  });
});
