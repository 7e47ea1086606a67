/**
 * A word the lexicon knows as an edit verb ("thin", "slim", "narrow", "raise", "tilt") describes the
 * object when it stands between the noun phrase's determiner or count and its noun: "the two thin
 * lightning towers", "the raised arm". Before, the phrase stopped at it, so the rest of the name
 * was reported as words not understood ("lightning", "towers") and the object was unnamed.
 */
import { parseIntent } from './parse';

const ignored = (text: string): string[] => parseIntent(text).unknown.filter((u) => u.role === 'ignored').map((u) => u.word);
const object = (text: string) => parseIntent(text).actions[0]!.object;

describe('a verb\'s word inside a noun phrase is a modifier', () => {
  it.each([
    ['move the two thin lightning towers closer to the rocket', ['thin', 'lightning', 'towers']],
    ['move the thin tower left', ['thin', 'tower']],
    ['move the slim vase left', ['slim', 'vase']],
    ['rotate the tilted sign back', ['tilted', 'sign']],
    ['move the narrow tower left', ['narrow', 'tower']],
  ])('%s: the whole name is the object, nothing is left not understood', (text, words) => {
    expect(ignored(text)).toEqual([]);
    expect(object(text).words).toEqual(words);
  });

  it('keeps a count and a named part ("the two thin towers", "the raised arm")', () => {
    expect(object('move the two thin towers left').count).toBe(2);
    expect(object('move the raised arm down').parts).toEqual(['arm']);
  });

  it('still reads the same word as the edit where it is the verb ("thin the tower")', () => {
    const a = parseIntent('thin the tower').actions[0]!;
    expect(a.cls).toBe('scale');
    expect(a.object.words).toEqual(['tower']);
  });
});
