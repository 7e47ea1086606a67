/** Tokenizer, lexicon and parser of edit intents: the typed structure, phrase by phrase. */
import { lemmaCandidates, sensesOf } from './lexicon';
import { parseIntent, type IntentAction } from './parse';
import { lexemes, tokenize } from './tokenize';

const one = (text: string): IntentAction => {
  const p = parseIntent(text);
  expect(p.actions).toHaveLength(1);
  return p.actions[0]!;
};

describe('tokenizer and lexemes', () => {
  it('splits numbers from units, possessives, punctuation; keeps offsets', () => {
    const t = tokenize("Move the bird's wing 50px, then rotate 30°!");
    expect(t.map((x) => x.norm)).toEqual(['move', 'the', 'bird', "'s", 'wing', '50', 'px', ',', 'then', 'rotate', '30', '°', '!']);
    expect(t[2]).toMatchObject({ text: 'bird', start: 9, end: 13, type: 'word' });
    expect(t[5]).toMatchObject({ type: 'number', start: 21 });
  });

  it('keeps lexical hyphenated words and splits unknown compounds', () => {
    expect(tokenize('counter-clockwise top-left').map((x) => x.norm)).toEqual(['counter-clockwise', 'top', 'left']);
  });

  it('matches the longest multi-word expression', () => {
    const l = lexemes(tokenize('a little bit counter clockwise do not'));
    expect(l.map((x) => x.norm)).toEqual(['a little bit', 'counter clockwise', 'do not']);
    expect(l.map((x) => x.senses[0]!.cat)).toEqual(['qty', 'rot', 'neg']);
  });

  it('lemmatises inflected verbs only', () => {
    expect(lemmaCandidates('dragging')).toContain('drag');
    expect(lemmaCandidates('rotating')).toContain('rotate');
    const l = lexemes(tokenize('rotating dragged candies'));
    expect(l[0]).toMatchObject({ lemma: 'rotate', gerund: true });
    expect(l[1]).toMatchObject({ lemma: 'drag' });
    expect(l[2]!.senses).toEqual([]);
  });

  it('gives ambiguous words several senses', () => {
    expect(sensesOf('left').map((s) => s.cat).sort()).toEqual(['dir', 'position']);
    expect(sensesOf('lower').map((s) => s.cat)).toEqual(expect.arrayContaining(['verb', 'dir', 'position']));
  });
});

describe('verb classes', () => {
  it.each([
    ['move', 'move'], ['shift', 'move'], ['drag', 'move'], ['slide', 'move'], ['nudge', 'move'],
    ['rotate', 'rotate'], ['turn', 'rotate'], ['tilt', 'rotate'], ['spin', 'rotate'],
    ['enlarge', 'scale'], ['shrink', 'scale'], ['scale', 'scale'],
    ['stretch', 'deform'], ['bend', 'deform'], ['raise', 'deform'], ['lower', 'deform'], ['lift', 'deform'],
    ['lengthen', 'deform'], ['extend', 'deform'], ['open', 'deform'],
  ])('%s → %s', (verb, cls) => {
    const a = one(`${verb} it`);
    expect(a.cls).toBe(cls);
    expect(a.verb).toBe(verb);
    expect(a.object.kind).toBe('it');
  });

  it.each([
    ['make it bigger', 'up', 'both'], ['make it smaller', 'down', 'both'], ['make it taller', 'up', 'y'],
    ['make it wider', 'up', 'x'], ['make it shorter', 'down', 'y'], ['make it larger', 'up', 'both'],
  ])('%s → scale %s along %s', (text, sense, axis) => {
    const a = one(text);
    expect(a.cls).toBe('scale');
    expect(a.comparative).toMatchObject({ sense, axis });
  });

  it('soft verbs carry their direction', () => {
    expect(one('raise his arm')).toMatchObject({ cls: 'deform', soft: true, directions: ['up'] });
    expect(one('lower it')).toMatchObject({ soft: true, directions: ['down'] });
    expect(one('pull it left')).toMatchObject({ cls: 'move', soft: true, directions: ['left'] });
  });
});

describe('amounts', () => {
  it.each([
    ['rotate it 30 degrees', { kind: 'degrees', value: 30, approximate: false }],
    ['rotate it about 25 degrees', { kind: 'degrees', value: 25, approximate: true }],
    ['rotate it thirty degrees', { kind: 'degrees', value: 30 }],
    ['turn it 45°', { kind: 'degrees', value: 45 }],
    ['turn it a quarter turn', { kind: 'turns', value: 0.25 }],
    ['move it by 50px', { kind: 'pixels', value: 50 }],
    ['move it 12 pixels up', { kind: 'pixels', value: 12 }],
    ['enlarge it by 50%', { kind: 'percent', value: 50, absolute: false }],
    ['scale it to 50 percent', { kind: 'percent', value: 50, absolute: true }],
    ['make it twice as big', { kind: 'factor', value: 2 }],
    ['make it 3 times bigger', { kind: 'factor', value: 3 }],
    ['make it half as tall', { kind: 'factor', value: 0.5 }],
    ['move it a bit', { kind: 'qualitative', size: 'small' }],
    ['move it slightly', { kind: 'qualitative', size: 'small' }],
    ['move it a lot', { kind: 'qualitative', size: 'large' }],
    ['move it 20', { kind: 'number', value: 20 }],
  ])('%s', (text, amount) => {
    expect(one(text).amount).toMatchObject(amount);
  });

  it('"half as tall" scales along y, down', () => {
    expect(one('make it half as tall').comparative).toMatchObject({ sense: 'down', axis: 'y' });
  });
});

describe('directions and destinations', () => {
  it.each([
    ['move it left', ['left']], ['move it to the right', ['right']], ['move it up and to the left', ['up', 'left']],
    ['move it downwards', ['down']], ['move it toward the top-left corner', ['up', 'left']], ['bend it up and back', ['up', 'back']],
    ['spread them further apart', ['apart']], ['move them closer together', ['together']], ['move it to the top', ['up']],
  ])('%s', (text, dirs) => {
    expect(one(text).directions).toEqual(dirs);
  });

  it('rotation sense', () => {
    expect(one('rotate it clockwise').rotation).toBe('cw');
    expect(one('rotate it counter-clockwise').rotation).toBe('ccw');
    expect(one('rotate it counter clockwise').rotation).toBe('ccw');
    expect(one('rotate it anticlockwise').rotation).toBe('ccw');
    expect(one('rotate it anti-clockwise').rotation).toBe('ccw');
  });

  it('destination edges and objects', () => {
    const a = one('move the ball to the left edge');
    expect(a.destination).toMatchObject({ positions: ['left'], parts: ['edge'] });
    expect(one('move the candy into the empty space').destination?.words).toEqual(['empty', 'space']);
  });

  it('a side of another selection, or between two: the place, not a direction', () => {
    const side = (text: string): unknown => { const a = one(text); return a.toRegion && { how: a.toRegion.how, ref: a.toRegion.ref.text, and: a.toRegion.and?.text, text: a.toRegion.text }; };
    expect(side('move the left one to the left of the other one')).toEqual({ how: 'left', ref: 'the other one', and: undefined, text: 'to the left of the other one' });
    expect(side('move it right of the small one')).toMatchObject({ how: 'right', ref: 'the small one' });
    expect(side('put it on the right side of the big one')).toMatchObject({ how: 'right', ref: 'the big one' });
    expect(side('put it on top of the other one')).toMatchObject({ how: 'onTop', ref: 'the other one' });
    expect(side('move it right above the left one')).toMatchObject({ how: 'above', text: 'right above the left one' });
    for (const w of ['below', 'under', 'underneath', 'beneath']) expect(side(`move it ${w} the big one`)).toMatchObject({ how: 'below', ref: 'the big one' });
    expect(side('move it between the two others')).toMatchObject({ how: 'between', ref: 'the two others' });
    expect(side('move it in between the other two')).toMatchObject({ how: 'between', ref: 'the other two' });
    // The "and" joins the two objects: one action, not two clauses.
    expect(side('put it between the left one and the right one')).toEqual({ how: 'between', ref: 'the left one', and: 'the right one', text: 'between the left one and the right one' });
    // A side of something that is no selection stays a direction or a destination, as before.
    expect(one('move it to the left of the tree')).toMatchObject({ directions: ['left'] });
    expect(one('move it to the left of the tree').toRegion).toBeUndefined();
    expect(one('move it under the table').toRegion).toBeUndefined();
    expect(one('move it to the left side of the image').place).toEqual({ x: 'left' });
    expect(parseIntent('move it between the others and make it bigger').actions.map((a) => a.cls)).toEqual(['move', 'scale']);
  });

  it('pivot phrases', () => {
    expect(one('rotate the pencil about 25 degrees around its middle').pivot).toBe('its middle');
    expect(one('rotate it about where it joins the body').pivot).toBe('where it joins the body');
  });
});

describe('references to regions', () => {
  it.each([
    ['move the left one', { kind: 'unspecified', positions: ['left'] }],
    ['move the one on the right', { kind: 'unspecified', positions: ['right'] }],
    ['move the bird on the left', { positions: ['left'], words: ['bird'] }],
    ['move the top green candy', { positions: ['top'], words: ['green', 'candy'] }],
    ['move both', { kind: 'all' }],
    ['move all of them', { kind: 'all' }],
    ['move them', { kind: 'all' }],
    ['move the selected region', { kind: 'selected' }],
    ['move the second one', { ordinal: 2 }],
    ['move the last one', { ordinal: -1 }],
    ['move the two bubbles', { count: 2, words: ['bubbles'] }],
    // A count, not an amount, even with adjectives before the noun (a photo case's intent).
    ['move the two thin lightning towers closer to the rocket', { count: 2 }],
    // Since issue 19 body/object parts (wing, ear, head, handle…) are known part words.
    ['raise the tip of the wing', { parts: ['tip', 'wing'], words: [] }],
    ["raise the butterfly's wing", { possessive: true, words: ['butterfly'], parts: ['wing'] }],
    ['raise its left arm', { possessive: true, positions: ['left'], parts: ['arm'] }],
    // Parts of flowers, of animals and of things (session 33: "raise the stamen" had read as a
    // whole object, cut out and moved, on a quick lasso around one stamen among many).
    ['raise the stamen', { parts: ['stamen'], words: [] }],
    ['bend the blade of grass', { parts: ['blade'] }],
    ["lift the horse's hooves", { possessive: true, words: ['horse'], parts: ['hooves'] }],
    ['open the eyelids', { parts: ['eyelids'] }],
  ])('%s', (text, ref) => {
    expect(one(text).object).toMatchObject(ref);
  });
});

describe('clauses: coordination, gapping, means, result, constraints', () => {
  it('coordinated nouns stay one action; a gapped clause reuses the verb', () => {
    expect(parseIntent('move the cup and saucer to the left').actions).toHaveLength(1);
    const p = parseIntent('move the green candy to the left and the blue candy up');
    expect(p.actions.map((a) => [a.verb, a.object.words.join(' '), a.directions.join(','), a.gapped])).toEqual([
      ['move', 'green candy', 'left', false],
      ['move', 'blue candy', 'up', true],
    ]);
  });

  it('two verbs make two actions', () => {
    const p = parseIntent('take the spoon off the saucer and put it on the table to the right');
    expect(p.actions.map((a) => a.verb)).toEqual(['take', 'put']);
    expect(p.actions[1]!.directions).toEqual(['right']);
  });

  it('"by V-ing" is the means of the previous action', () => {
    const a = one('make the rocket taller by dragging its nose up');
    expect(a.verb).toBe('make taller');
    expect(a.means).toMatchObject({ verb: 'drag', object: { parts: ['nose'], possessive: true }, directions: ['up'] });
  });

  it('"so it …" is a result and "instead of" is set aside, not lost', () => {
    const p = parseIntent('tilt the stem so it leans to the right instead of the left');
    expect(p.actions[0]!.result).toEqual(['right']);
    expect(p.ignored).toEqual(['instead of the left']);
  });

  it.each([
    ["don't touch the face", 'the face', true],
    ['do not move the table', 'the table', true],
    ['keep the background intact', 'the background', false],
    ['leave the other one alone', 'the other one', false],
    ['preserve the shadow', 'the shadow', false],
  ])('constraint: %s', (text, what, negated) => {
    const p = parseIntent(text);
    expect(p.actions).toEqual([]);
    expect(p.constraints).toHaveLength(1);
    expect(p.constraints[0]).toMatchObject({ kind: 'keep', negated });
    expect(p.constraints[0]!.object.text).toBe(what);
  });

  it('constraints beside actions: "without touching", "keeping …"', () => {
    const p = parseIntent('lift his kicking leg higher without touching the ball');
    expect(p.actions).toHaveLength(1);
    expect(p.constraints).toEqual([expect.objectContaining({ negated: true, object: expect.objectContaining({ words: ['ball'] }) })]);
    const q = parseIntent('make the apple smaller, keeping it sitting on the table');
    expect(q.constraints[0]).toMatchObject({ negated: false, object: { kind: 'it' }, state: ['sitting', 'on', 'the', 'table'] });
  });
});

describe('unknown words are reported', () => {
  it('with the role they were given', () => {
    const p = parseIntent('move the wobbly zorblax left and frobnicate');
    expect(p.unknown).toEqual([
      { word: 'wobbly', start: 9, role: 'object' },
      { word: 'zorblax', start: 16, role: 'object' },
      { word: 'frobnicate', start: 33, role: 'ignored' },
    ]);
  });

  it('a sentence without any known verb yields no action and lists its words', () => {
    const p = parseIntent('fix the elbowpad');
    expect(p.actions).toEqual([]);
    // ("fix the arm" before issue 19; "arm" is now a known part word.)
    expect(p.unknown.map((u) => [u.word, u.role])).toEqual([['fix', 'ignored'], ['elbowpad', 'ignored']]);
  });

  it('known function words are never reported', () => {
    expect(parseIntent('please rotate it a bit more clockwise, then move it to the left').unknown).toEqual([]);
  });
});

it('"the two thin towers" is a count of objects, not an amount of 2 px', () => {
  const a = one('move the two thin lightning towers closer to the rocket');
  expect(a.object.count).toBe(2);
  expect(a.amount).toBeUndefined();
});

describe('phrasings next to a lasso (helper-95): another object\'s size, mirrors, new content, pixel resizes, purpose clauses', () => {
  it('reads "the same size as …", "as big as …", "the width of …" as another object\'s size', () => {
    expect(one('make it the same size as the other one')).toMatchObject({ cls: 'scale', verb: 'make the same size', matchSize: { dim: 'size', ref: { kind: 'other', text: 'the other one' } } });
    expect(one('same size as the other one')).toMatchObject({ cls: 'scale', matchSize: { dim: 'size' } });
    expect(one('make it as wide as the left one')).toMatchObject({ cls: 'scale', matchSize: { dim: 'width', ref: { positions: ['left'] } } });
    expect(one('scale it to the height of the big one')).toMatchObject({ cls: 'scale', matchSize: { dim: 'height' } });
    expect(one('make it twice as big as the other one')).toMatchObject({ amount: { kind: 'factor', value: 2 }, matchSize: { dim: 'size' } });
    // Not another object: "as big as possible", "the same size as before".
    expect(parseIntent('make it as big as possible').actions[0]?.matchSize).toBeUndefined();
    expect(parseIntent('make it the same size as before').actions).toEqual([]);
  });
  it('reads "add 20 px to its width" as a resize along that axis by that amount', () => {
    expect(one('add 20 px to its width')).toMatchObject({ cls: 'scale', verb: 'make wider', amount: { kind: 'pixels', value: 20 }, comparative: { sense: 'up', axis: 'x' } });
    expect(one('add 10% to the height')).toMatchObject({ cls: 'scale', amount: { kind: 'percent', value: 10 }, comparative: { axis: 'y' } });
    expect(parseIntent('add 20 px to its width').unknown).toEqual([]);
  });
  it('reads "to the top of the other one" as on top of it, not a way to go', () => {
    expect(one('move it to the top of the other one').toRegion).toMatchObject({ how: 'onTop', ref: { text: 'the other one' } });
    expect(one('move it to the bottom of the left one').toRegion).toMatchObject({ how: 'below' });
    expect(one('move it to the top of the cup').toRegion).toBeUndefined();
  });
  it('sets aside "turn it around" (a mirror) and "put a hat on it" (new content) with the words typed', () => {
    expect(parseIntent('turn it around')).toMatchObject({ actions: [], notDrag: [{ words: 'turn it around', kind: 'mirror' }] });
    expect(parseIntent('please turn the cup round')).toMatchObject({ actions: [], notDrag: [{ words: 'turn the cup round', kind: 'mirror' }] });
    expect(parseIntent('put a hat on it')).toMatchObject({ actions: [], notDrag: [{ words: 'put a hat on it', kind: 'content' }] });
    expect(one('turn it around its base').pivot).toBe('its base');
    expect(one('put the hat on the left').cls).toBe('move');
  });
  it('marks the words of a purpose clause after an understood edit as its purpose, not as ignored', () => {
    const p = parseIntent('raise the balloons so they float higher');
    expect(p.actions).toHaveLength(1);
    expect(p.unknown.map((u) => [u.word, u.role])).toEqual([['balloons', 'object'], ['float', 'purpose']]);
    expect(parseIntent('raise it so that it floats higher').unknown.map((u) => u.role)).toEqual(['purpose']);
  });
  it('reads "stick the tongue out" as a pull that lengthens the part (deform), the particle a few words on', () => {
    expect(one('stick the tongue out further')).toMatchObject({ cls: 'deform', verb: 'extend', directions: ['apart'] });
    expect(one('poke its head out')).toMatchObject({ cls: 'deform', verb: 'extend' });
    expect(one('stick it out')).toMatchObject({ cls: 'deform', verb: 'extend' });
    // A stick that is a thing, and "stick" with no "out": not this reading.
    expect(one('move the stick out of the way').cls).toBe('move');
    expect(parseIntent('stick it to the wall').actions).toEqual([]);
  });
});
