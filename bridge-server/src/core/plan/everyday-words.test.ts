/**
 * Everyday phrasings found by a new-user hunt (session 27) that the intent reader set aside or
 * misread: one of a unit said with "a" / "an" ("a pixel", "an inch"), phrasal verbs split by their
 * object ("blow it up"), "bump" and "shove" as moves, and edits that are not drags (flip, remove,
 * duplicate, recolour) said plainly with the editor's own command instead of "not understood".
 */
import type { Drag } from '../types';
import { makePlan } from './index';
import { twoDiscsRequest } from './test-shapes';

const moveA: Drag = { region: 'a', points: [[100, 150], [140, 150]] };
const plan = (intent: string) => makePlan(twoDiscsRequest(intent, [moveA], ['a']), {});

describe('one of a unit: "a pixel", "an inch", "a degree"', () => {
  test('"move it a pixel to the right" moves 1 px (the arrow is 40 px long)', async () => {
    const p = await plan('move it a pixel to the right');
    expect(p.operations[0]!.params).toMatchObject({ kind: 'translate', dx: 1, dy: 0 });
  });
  test('"rotate it a degree" turns 1°', async () => {
    const p = await plan('rotate it a degree');
    expect(p.operations[0]!.params).toMatchObject({ kind: 'rotate', angleDeg: 1 });
  });
  test('"make it a pixel wider" adds one pixel to its 80 px width', async () => {
    const p = await plan('make it a pixel wider');
    const q = p.operations[0]!.params as { kind: string; sx: number; sy: number };
    expect(q.kind).toBe('scale');
    expect(q.sx * 80).toBeCloseTo(81, 0);
    expect(q.sy).toBe(1);
  });
  test.each([['move it right by an inch', '"1 inch" is a print length'], ['move it a centimetre to the right', '"1 cm" is a print length']])('"%s" is a print length, said as one (it was taken silently as the arrow\'s length)', async (intent, said) => {
    const p = await plan(intent);
    expect(p.operations[0]!.params).toMatchObject({ kind: 'translate', dx: 40, dy: 0 });
    expect(p.warnings.join('\n')).toContain(said);
  });
  test('"inch it to the right" is still the verb', async () => {
    const p = await plan('inch it to the right');
    expect(p.operations[0]!.params).toMatchObject({ kind: 'translate', dx: 40, dy: 0 });
    expect(p.warnings.join('\n')).not.toMatch(/print length/);
  });
});

describe('phrasal verbs split by their object, and more move verbs', () => {
  test.each([['blow it up', 1], ['size it up', 1], ['size them down', -1]])('"%s" scales (was: not understood / nothing)', async (intent, sign) => {
    const p = await plan(intent);
    const q = p.operations[0]!.params as { kind: string; sx: number };
    expect(q.kind).toBe('scale');
    expect(Math.sign(q.sx - 1)).toBe(sign);
    expect(p.warnings.join('\n')).not.toMatch(/not understood/);
  });
  test.each(['bump it to the right', 'shove it to the right'])('"%s" is a move', async (intent) => {
    const p = await plan(intent);
    expect(p.operations[0]!.params).toMatchObject({ kind: 'translate', dx: 40, dy: 0 });
    expect(p.operations[0]!.source).toBe('intent');
    expect(p.warnings.join('\n')).not.toMatch(/not understood|names no operation/);
  });
});

describe('edits that are not drags are said plainly', () => {
  test.each([
    ['flip it', /"flip": mirroring is not a drag edit: use the editor's Flip Horizontal/],
    ['mirror it horizontally', /"mirror": mirroring is not a drag edit/],
    ['remove it', /"remove": removing something is not a drag edit/],
    ['delete the object', /"delete": removing something is not a drag edit/],
    ['duplicate it', /"duplicate": copying is not a drag edit: duplicate the layer/],
    ['make a copy to the right', /"copy": copying is not a drag edit/],
    ['change its colour', /"colour": changing colour or tone is not a drag edit/],
  ])('"%s"', async (intent, said) => {
    const p = await plan(intent);
    const w = p.warnings.join('\n');
    expect(w).toMatch(said);
    // The arrow is still followed, and the word is not also listed as not understood.
    expect(p.operations[0]!.params).toMatchObject({ kind: 'translate', dx: 40, dy: 0 });
    expect(w).not.toMatch(/Words not understood in the intent: "(flip|mirror|remove|delete|duplicate|copy|colour)"/);
  });
  test('with a real edit beside it, the edit is made and the other is said once', async () => {
    const p = await plan('erase the shadow, flip it and move it to the right');
    expect(p.operations[0]!.params).toMatchObject({ kind: 'translate', dx: 40, dy: 0 });
    expect(p.operations[0]!.source).toBe('intent');
    const w = p.warnings.join('\n');
    expect(w.match(/not a drag edit/g)!.length).toBe(2);
  });
});

describe('towards or away from another selection: a direction, not a place', () => {
  // a is at (100, 150), b at (300, 150): b lies to the right of a.
  const left: Drag = { region: 'a', points: [[100, 150], [60, 150]] };
  const planOn = (intent: string, drags: Drag[], regions = ['a', 'b']) => makePlan(twoDiscsRequest(intent, drags, regions), {});
  test('"move it closer to the other one" with an arrow towards it: followed, no alternative onto the other (was: its centre onto b\'s)', async () => {
    const p = await planOn('move it closer to the other one', [moveA]);
    expect(p.operations[0]!.params).toMatchObject({ kind: 'translate', dx: 40, dy: 0 });
    expect(p.warnings).toEqual([]);
  });
  test.each(['move it away from the other one', 'move it further away from the other one', 'move it farther from the other one'])('"%s" with an arrow towards it: said, the arrow followed (was: silent)', async (intent) => {
    const p = await planOn(intent, [moveA]);
    expect(p.operations[0]!.params).toMatchObject({ kind: 'translate', dx: 40, dy: 0 });
    expect(p.warnings.join('\n')).toMatch(/Text says "(further |farther )?(away )?from the other one" but the arrow on region a points right \(180° apart\); following the arrow's direction/);
  });
  test('"bring it nearer to the other one" with an arrow away from it: said', async () => {
    const p = await planOn('bring it nearer to the other one', [left]);
    expect(p.operations[0]!.params).toMatchObject({ kind: 'translate', dx: -40, dy: 0 });
    expect(p.warnings.join('\n')).toMatch(/Text says "nearer to the other one" but the arrow on region a points left/);
  });
  test('with no arrow: along the line between the boxes, by the text\'s amount or a default that is said', async () => {
    const away = await planOn('move the left one away from the right one by 30 px', []);
    expect(away.operations[0]!).toMatchObject({ region: 'a', params: { kind: 'translate', dx: -30, dy: 0 } });
    const closer = await planOn('move the left one closer to the right one', []);
    const q = closer.operations[0]!.params as { kind: string; dx: number; dy: number };
    expect(q.kind).toBe('translate');
    expect(q.dx).toBeGreaterThan(0);
    expect(q.dy).toBe(0);
    expect(closer.warnings.join('\n')).toMatch(/gives no amount in numbers: region a moves a default/);
  });
  test('"towards the other one" with one selection: said, the arrow followed', async () => {
    const p = await planOn('move it towards the other one', [moveA], ['a']);
    expect(p.operations[0]!.params).toMatchObject({ kind: 'translate', dx: 40, dy: 0 });
    expect(p.warnings.join('\n')).toMatch(/there is only one selection/);
  });
});
