/**
 * Phrasings from a new-user hunt (session 28, 146 intents typed as people type them) that the
 * intent reader misread: a border said as a noun ("to the top", "the far right", "all the way
 * left") moved a default 14 px; "half a pixel" / "half a degree" was one whole unit; diminished
 * amounts ("a tiny bit", "a smidge", "a hair") and arrow symbols ("move it →") were not read;
 * accented words split into pieces; colour, tone and new-content requests ("make it brighter",
 * "increase the contrast", "add a hat") were "not understood" — or, for "increase the contrast",
 * a 25% resize; and a resize of a named part ("make the nose smaller") resized the whole selection.
 */
import type { Drag, EditRequest, PlacedMask, Plan } from '../types';
import { makePlan } from './index';
import { twoDiscsRequest } from './test-shapes';
import { tokenize } from '../intent/tokenize';

const moveA: Drag = { region: 'a', points: [[100, 150], [140, 150]] };
/** One disc a (box 80 × 80 at (60, 110)) on a 400 × 300 picture, no arrow: the plan comes from the text. */
const textOnly = (intent: string): Promise<Plan> => makePlan(twoDiscsRequest(intent, [], ['a']), {});
/** The same disc with a 40 px arrow to the right. */
const withArrow = (intent: string): Promise<Plan> => makePlan(twoDiscsRequest(intent, [moveA], ['a']), {});
/** The question a text-only plan asks (intent_unclear), or '' when it plans. */
const asked = async (intent: string): Promise<string> => textOnly(intent).then(() => '', (e: Error) => e.message);
const params = (p: Plan): Record<string, unknown> => p.operations[0]!.params as unknown as Record<string, unknown>;

describe('a border of the picture said as a noun goes to that border', () => {
  test.each([
    ['move it to the top', { dx: 0, dy: -110 }],
    ['move it to the bottom', { dx: 0, dy: 110 }],
    ['move it to the far right', { dx: 260, dy: 0 }],
    ['move it all the way left', { dx: -60, dy: 0 }],
    ['move it all the way to the right', { dx: 260, dy: 0 }],
    ['move it all the way up to the top', { dx: 0, dy: -110 }],
  ])('"%s" (was: a default 14 px or 42 px)', async (intent, d) => {
    const p = await textOnly(intent);
    expect(params(p)).toMatchObject({ kind: 'translate', ...d });
    expect(p.warnings.join('\n')).not.toMatch(/no amount in numbers/);
  });
  test.each(['move it to the left', 'move it to the top of the cup', 'move it far right'])('"%s" is still a way to go, not the border', async (intent) => {
    const p = await textOnly(intent);
    expect(p.warnings.join('\n')).toMatch(/no amount in numbers/);
  });
});

describe('"half a pixel", "half a degree", "half an inch": half of one unit', () => {
  test('"move it half a pixel right" moves 0.5 px (was 1 px)', async () => {
    expect(params(await textOnly('move it half a pixel right'))).toMatchObject({ kind: 'translate', dx: 0.5, dy: 0 });
  });
  test('"rotate it half a degree clockwise" turns 0.5° (was 1°)', async () => {
    expect(params(await textOnly('rotate it half a degree clockwise'))).toMatchObject({ kind: 'rotate', angleDeg: 0.5 });
  });
  test('"move it half an inch up" is said as 0.5 of an inch (was "1 inch")', async () => {
    const q = await asked('move it half an inch up');
    expect(q).toMatch(/"0\.5 inch/);
    expect(q).toMatch(/print length/);
  });
});

describe('small amounts said with a diminutive are small, and understood', () => {
  test.each(['move it a tiny bit left', 'move it a wee bit left', 'move it a smidge left', 'move it a hair to the left', 'move it ever so slightly left'])('"%s" moves as far as "a bit"', async (intent) => {
    const bit = params(await textOnly('move it a bit left'));
    const p = await textOnly(intent);
    expect(params(p)).toMatchObject({ kind: 'translate', dx: bit.dx, dy: 0 });
    expect(p.warnings.join('\n')).not.toMatch(/not understood/);
  });
});

describe('arrow symbols and accented words', () => {
  test.each([['move it → 20px', 20, 0], ['← 10px', -10, 0], ['move it ↑ 20px', 0, -20], ['move it \u27a1\ufe0f 20px', 20, 0]])('"%s"', async (intent, dx, dy) => {
    const p = await textOnly(intent);
    expect(params(p)).toMatchObject({ kind: 'translate', dx, dy });
    expect(p.warnings.join('\n')).not.toMatch(/not understood/);
  });
  test('an accented word is one word ("déplacer", not "d" + "é" + "placer"); "15º" is still degrees', async () => {
    expect(tokenize('déplacer à droite').map((t) => t.text)).toEqual(['déplacer', 'à', 'droite']);
    expect(tokenize('naïve café').map((t) => t.text)).toEqual(['naïve', 'café']);
    expect(params(await textOnly('rotate it 15º clockwise'))).toMatchObject({ kind: 'rotate', angleDeg: 15 });
  });
});

test('"follow the arrow" follows it, with no word "not understood"', async () => {
  const p = await withArrow('follow the arrow');
  expect(p.operations[0]!.params).toMatchObject({ kind: 'translate', dx: 40, dy: 0 });
  expect(p.warnings.join('\n')).not.toMatch(/not understood/);
});

describe('edits that are not drags are said plainly (with an arrow the arrow is followed)', () => {
  test.each([
    ['make it brighter', /"brighter": changing colour or tone is not a drag edit/],
    ['make it blue', /"blue": changing colour or tone is not a drag edit/],
    ['increase the contrast', /"contrast": changing colour or tone is not a drag edit/],
    ['reduce the saturation', /"saturation": changing colour or tone is not a drag edit/],
    ['add a hat', /"add": adding or replacing content is not a drag edit/],
    ['replace it with a dog', /"replace": adding or replacing content is not a drag edit/],
    ['swap them', /"swap": swapping is not one edit: draw an arrow from each selection/],
    ['undo', /"undo": undo and redo are the panel's and the editor's/],
  ])('"%s"', async (intent, said) => {
    const p = await withArrow(intent);
    // "increase the contrast" was a 25% enlargement; the others were "Words not understood".
    expect(p.operations[0]!.params).toMatchObject({ kind: 'translate', dx: 40, dy: 0 });
    const w = p.warnings.join('\n');
    expect(w).toMatch(said);
    // (The new content's own noun, "hat" or "dog", may still be listed as not understood.)
    expect(w).not.toMatch(/not understood in the intent: [^\n]*"(brighter|blue|contrast|saturation|add|replace|swap|undo)"/);
  });
  test.each([
    ['flip it upside down', /"flip": mirroring is not a drag edit/],
    ['make it brighter', /changing colour or tone is not a drag edit/],
    ['increase the contrast by 20%', /changing colour or tone is not a drag edit/],
    ['add a hat', /adding or replacing content is not a drag edit/],
  ])('with no arrow, "%s" is asked about as such (was: "names no edit I can read", or a resize)', async (intent, said) => {
    const q = await asked(intent);
    expect(q).toMatch(said);
    expect(q).not.toMatch(/names no edit I can read/);
  });
  test('"add 20 px to its width" is not called new content, and "the blue one" is a name, not a recolour', async () => {
    expect(await asked('add 20 px to its width')).not.toMatch(/adding or replacing content/);
    const p = await makePlan(twoDiscsRequest('move the blue one left 10px', [], ['a']), {});
    expect(params(p)).toMatchObject({ kind: 'translate', dx: -10 });
    expect(p.warnings.join('\n')).not.toMatch(/colour/);
  });
  test('"don\'t make it bigger, make it smaller" makes it smaller and asks for no keep mask', async () => {
    const p = await textOnly("don't make it bigger, make it smaller");
    expect(params(p)).toMatchObject({ kind: 'scale', sx: 0.8, sy: 0.8 });
    expect(p.warnings.join('\n')).not.toMatch(/keep/);
  });
});

describe('a resize of a named part resizes that part, not the whole selection', () => {
  const W = 600, H = 600;
  const big: PlacedMask = (() => {
    const data = new Uint8Array(W * H);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if ((x - 300) ** 2 + (y - 300) ** 2 <= 200 * 200) data[y * W + x] = 255;
    return { left: 0, top: 0, width: W, height: H, data };
  })();
  // A short arrow from off the centre of a large outline: geometry reads it as pulling that part.
  const partPull = (intent: string): EditRequest => ({
    image: { width: W, height: H, data: new Uint8ClampedArray(W * H * 4) }, regions: [{ id: 'a', mask: big }],
    drags: [{ region: 'a', points: [[410, 300], [410, 250]] }], intent, quality: 'preview',
  });
  test.each(['make the nose smaller', 'make the neck longer', 'make the head bigger'])('"%s" with an arrow pulling the part deforms it (was: the whole outline scaled)', async (intent) => {
    const p = await makePlan(partPull(intent), {});
    expect(p.operations.map((o) => o.kind)).toEqual(['deform']);
    expect(p.operations[0]!.reason).toMatch(/resizes a part/);
  });
  test('with no arrow, "make the horse\'s head bigger" asks where the part is (was: the whole selection ×1.25)', async () => {
    expect(await asked("make the horse's head bigger")).toMatch(/resizes a part \(head\).*draw an arrow from that part.*call it "it"/);
  });
  test('with no arrow and one selection, "make the head bigger" is the selection (the lasso is round the head), said', async () => {
    const p = await textOnly('make the head bigger');
    expect(params(p)).toMatchObject({ kind: 'scale', sx: 1.25, sy: 1.25 });
    expect(p.warnings.join('\n')).toMatch(/"the head" is read as the selection itself/);
  });
  test.each([['make the tree taller', 1, 1.25], ['make the leaf bigger', 1.25, 1.25], ['make it bigger', 1.25, 1.25]])('"%s" still scales the selection (not a part)', async (intent, sx, sy) => {
    expect(params(await textOnly(intent))).toMatchObject({ kind: 'scale', sx, sy });
  });
});
