/**
 * The closed-class lexicon of English edit intents. Every entry is one *sense* of a word or a
 * fixed multi-word expression; a word may have several senses (e.g. "left": a direction in
 * "move it left", a position in "the left one") and the parser picks one by context. Open-class
 * words (object names, colours, most adjectives) are deliberately absent: the parser absorbs
 * them into noun phrases and reports them as unknown.
 */

/** Verb classes: what kind of operation a verb asks for. */
export const VerbClass = {
  move: 'move',
  rotate: 'rotate',
  scale: 'scale',
  deform: 'deform',
  /** keep / preserve / protect / leave: a constraint, not an operation. */
  keep: 'keep',
  /** "make X bigger": a light verb whose complement carries the meaning. */
  make: 'make',
  /** touch / change / affect / alter: only meaningful negated ("don't touch"). */
  affect: 'affect',
} as const;
export type VerbClass = (typeof VerbClass)[keyof typeof VerbClass];

/** Screen directions plus relational ones. */
export type Direction = 'left' | 'right' | 'up' | 'down' | 'forward' | 'back' | 'apart' | 'together';
/** Rotation sense on screen. */
export type RotationSense = 'cw' | 'ccw';
/** Print lengths: not pixels (a picture has no size on paper here). */
export type LengthUnit = 'cm' | 'mm' | 'in' | 'pt';
/** Positions used to refer to regions ("the left one", "the top candy"). */
export type Position = 'left' | 'right' | 'top' | 'bottom' | 'middle';

/** One sense of a lexicon entry. */
export type Sense =
  | { cat: 'verb'; cls: VerbClass; lemma: string; /** kind depends on part vs whole (raise, pull…) */ soft?: boolean; /** implied direction */ dir?: Direction }
  | { cat: 'comparative'; sense: 'up' | 'down'; axis: 'both' | 'x' | 'y'; word: string }
  | { cat: 'dir'; dir: Direction }
  | { cat: 'rot'; sense: RotationSense }
  | { cat: 'qty'; size: 'small' | 'large' }
  | { cat: 'mult'; factor: number }
  | { cat: 'unit'; unit: 'deg' | 'px' | 'percent' | 'times' | 'turn' | LengthUnit }
  | { cat: 'num'; value: number }
  | { cat: 'det'; possessive?: boolean }
  | { cat: 'ref'; ref: 'it' | 'them' | 'all' | 'selected' | 'other' | 'one' }
  | { cat: 'ordinal'; n: number }
  | { cat: 'position'; pos: Position }
  | { cat: 'part'; name: string }
  | { cat: 'prep'; p: string }
  | { cat: 'neg' }
  | { cat: 'conj'; c: string }
  | { cat: 'approx' }
  | { cat: 'state'; state: string }
  | { cat: 'edge'; name: string }
  /** A point of the document written as coordinates ("(400, 300)", "x=400 y=300"): made by the parser, not in the lexicon. */
  | { cat: 'point'; x?: number; y?: number }
  | { cat: 'noun' }
  | { cat: 'filler' };

export type SenseCat = Sense['cat'];

const L = new Map<string, Sense[]>();
function add(words: string | string[], ...senses: Sense[]): void {
  for (const w of Array.isArray(words) ? words : [words]) L.set(w, [...(L.get(w) ?? []), ...senses]);
}
const verb = (cls: VerbClass, lemma: string, extra: { soft?: boolean; dir?: Direction } = {}): Sense => ({ cat: 'verb', cls, lemma, ...extra });
function verbs(cls: VerbClass, lemmas: string[], extra: { soft?: boolean; dir?: Direction } = {}): void {
  for (const l of lemmas) add(l, verb(cls, l, extra));
}

// --- verbs by class ---------------------------------------------------------------------------
// "center it", "centre the cup": a move to the middle of the picture.
verbs('move', ['center', 'centre', 'recenter', 'recentre']);
verbs('move', ['move', 'shift', 'slide', 'nudge', 'put', 'place', 'take', 'bring', 'relocate', 'reposition', 'translate', 'carry', 'send', 'position', 'displace', 'scoot', 'budge', 'inch', 'offset', 'transfer', 'glide', 'movement', 'bump']);
// Direction-giving verbs whose kind depends on whether the object is a part or the whole.
verbs('move', ['drag', 'pull', 'push', 'tug', 'shove'], { soft: true });
verbs('rotate', ['rotate', 'turn', 'tilt', 'spin', 'swing', 'twist', 'pivot', 'swivel', 'revolve', 'lean', 'tip', 'rotation', 'cant', 'angle', 'roll', 'pop a wheelie', 'do a wheelie', 'wheelie']);
verbs('scale', ['enlarge', 'shrink', 'scale', 'grow', 'resize', 'magnify', 'reduce', 'upscale', 'downscale', 'expand', 'zoom', 'increase', 'decrease', 'boost', 'inflate', 'deflate', 'diminish', 'minimize', 'maximize', 'blow up', 'size up', 'size down']);
// Scale verbs that name an axis and a sense ("flatten" = shorter, "widen" = wider).
verbs('scale', ['flatten', 'squash', 'squish', 'compress', 'widen', 'broaden', 'narrow', 'slim', 'heighten', 'thin']);
add('double', verb('scale', 'double'));
add('halve', verb('scale', 'halve'));
verbs('deform', ['stretch', 'bend', 'lengthen', 'extend', 'open', 'spread', 'curl', 'warp', 'deform', 'straighten', 'flex', 'fold', 'squeeze', 'shorten', 'elongate', 'reshape', 'curve', 'arch', 'close', 'shut', 'wiggle', 'kink', 'crook', 'splay', 'pose']);
// A part looks / points somewhere: the part turns or bends that way (an arrow on it says how).
verbs('deform', ['look', 'gaze', 'face', 'point', 'aim']);
add('droop', verb('deform', 'droop', { soft: true, dir: 'down' }));
add('sag', verb('deform', 'sag', { soft: true, dir: 'down' }));
add('dip', verb('deform', 'dip', { soft: true, dir: 'down' }));
add('sink', verb('deform', 'sink', { soft: true, dir: 'down' }));
add('perk', verb('deform', 'perk', { soft: true, dir: 'up' }));
add('elevate', verb('deform', 'elevate', { soft: true, dir: 'up' }));
add('hoist', verb('deform', 'hoist', { soft: true, dir: 'up' }));
add('hike', verb('deform', 'hike', { soft: true, dir: 'up' }));
add('raise', verb('deform', 'raise', { soft: true, dir: 'up' }));
add('lift', verb('deform', 'lift', { soft: true, dir: 'up' }));
add('lower', verb('deform', 'lower', { soft: true, dir: 'down' }));
add('drop', verb('deform', 'drop', { soft: true, dir: 'down' }));
// A part pushed out of where it is — a pull that lengthens it, not a uniform scale: "protrude", and
// "stick … out" / "poke … out" ("stick the tongue out further"; tokenize.ts joins the particle).
add(['protrude', 'jut', 'jut out', 'stick out', 'poke out'], verb('deform', 'extend'));
verbs('keep', ['keep', 'preserve', 'protect', 'leave', 'maintain', 'retain', 'hold', 'avoid']);
// "The background stays", "the sky should remain": the subject is what is kept (parse.ts, subject first).
verbs('keep', ['stay', 'remain']);
verbs('make', ['make', 'get']);
verbs('affect', ['touch', 'change', 'affect', 'alter', 'modify', 'edit', 'disturb', 'cover', 'hide', 'distort', 'damage', 'cut', 'crop', 'overlap', 'mess']);

// --- comparatives -----------------------------------------------------------------------------
add(['bigger', 'larger', 'big', 'large', 'huge', 'greater'], { cat: 'comparative', sense: 'up', axis: 'both', word: 'bigger' });
add(['smaller', 'small', 'tinier', 'little'], { cat: 'comparative', sense: 'down', axis: 'both', word: 'smaller' });
add(['taller', 'tall'], { cat: 'comparative', sense: 'up', axis: 'y', word: 'taller' });
// ("longer" is taller unless the selection is clearly wider than tall: plan/rule-reasoner.ts lengthwise.)
add(['longer', 'long'], { cat: 'comparative', sense: 'up', axis: 'y', word: 'longer' });
add(['shorter', 'short'], { cat: 'comparative', sense: 'down', axis: 'y', word: 'shorter' });
add(['wider', 'wide', 'broader', 'fatter'], { cat: 'comparative', sense: 'up', axis: 'x', word: 'wider' });
add(['narrower', 'thinner', 'slimmer'], { cat: 'comparative', sense: 'down', axis: 'x', word: 'narrower' });
add('lower', { cat: 'dir', dir: 'down' });

// --- directions -------------------------------------------------------------------------------
add(['left', 'leftward', 'leftwards'], { cat: 'dir', dir: 'left' });
add(['right', 'rightward', 'rightwards'], { cat: 'dir', dir: 'right' });
add(['up', 'upward', 'upwards', 'higher', 'upper', 'top'], { cat: 'dir', dir: 'up' });
add(['down', 'downward', 'downwards', 'bottom'], { cat: 'dir', dir: 'down' });
add(['back', 'backward', 'backwards'], { cat: 'dir', dir: 'back' });
add(['forward', 'forwards', 'ahead'], { cat: 'dir', dir: 'forward' });
add(['apart', 'outward', 'outwards', 'further', 'farther'], { cat: 'dir', dir: 'apart' });
// Compass words on a picture: north is up.
add(['north', 'northward', 'northwards'], { cat: 'dir', dir: 'up' });
add(['south', 'southward', 'southwards'], { cat: 'dir', dir: 'down' });
add(['east', 'eastward', 'eastwards'], { cat: 'dir', dir: 'right' });
add(['west', 'westward', 'westwards'], { cat: 'dir', dir: 'left' });
// Arrow symbols typed as a direction ("move it →", "↑ 20px").
add(['\u2190', '\u2b05', '\u27f5'], { cat: 'dir', dir: 'left' });
add(['\u2192', '\u27a1', '\u27f6'], { cat: 'dir', dir: 'right' });
add(['\u2191', '\u2b06'], { cat: 'dir', dir: 'up' });
add(['\u2193', '\u2b07'], { cat: 'dir', dir: 'down' });
add(['together', 'closer', 'inward', 'inwards', 'nearer'], { cat: 'dir', dir: 'together' });
add(['clockwise', 'cw', 'clock wise', 'clock-wise'], { cat: 'rot', sense: 'cw' });
add(['counter-clockwise', 'counterclockwise', 'anticlockwise', 'anti-clockwise', 'counter clockwise', 'anti clockwise', 'ccw', 'counter clock wise', 'anti clock wise', 'counter-clock-wise', 'anti-clock-wise'], { cat: 'rot', sense: 'ccw' });

// --- amounts ----------------------------------------------------------------------------------
add(['a bit', 'a little', 'a little bit', 'slightly', 'a tad', 'somewhat', 'a touch', 'gently', 'just a bit', 'a few', 'little', 'bit', 'tad', 'subtly'], { cat: 'qty', size: 'small' });
// Diminished small amounts ("a tiny bit", "a wee bit", "a smidge", "a hair", "ever so slightly").
add(['a tiny bit', 'tiny bit', 'a teeny bit', 'a teeny tiny bit', 'a wee bit', 'wee bit', 'a little tiny bit', 'a smidge', 'a smidgen', 'smidge', 'a hair', 'a whisker', 'a notch', 'a jot', 'a fraction', 'ever so slightly', 'ever so little', 'very slightly', 'only slightly', 'marginally', 'fractionally', 'barely'], { cat: 'qty', size: 'small' });
add(['a lot', 'much', 'far', 'way', 'greatly', 'significantly', 'considerably', 'lots', 'far more', 'very', 'a great deal', 'dramatically', 'all the way'], { cat: 'qty', size: 'large' });
add(['twice', 'double', 'doubled'], { cat: 'mult', factor: 2 });
add(['thrice', 'triple', 'tripled'], { cat: 'mult', factor: 3 });
add(['half', 'halve', 'halved'], { cat: 'mult', factor: 0.5 });
add(['quarter'], { cat: 'mult', factor: 0.25 });
add(['degrees', 'degree', 'deg', 'degs', '°', '\u00ba', '\u02da'], { cat: 'unit', unit: 'deg' });
add(['px', 'pixels', 'pixel', 'pix'], { cat: 'unit', unit: 'px' });
add(['percent', 'per cent', '%', 'pct'], { cat: 'unit', unit: 'percent' });
add(['times', 'x', '×', 'fold'], { cat: 'unit', unit: 'times' });
add(['turn', 'turns'], { cat: 'unit', unit: 'turn' });
add(['cm', 'cms', 'centimeter', 'centimeters', 'centimetre', 'centimetres'], { cat: 'unit', unit: 'cm' });
add(['mm', 'millimeter', 'millimeters', 'millimetre', 'millimetres'], { cat: 'unit', unit: 'mm' });
add(['inch', 'inches'], { cat: 'unit', unit: 'in' });
// Typographic points ("40 pt"): a print length too, not pixels. ("points" after a number: see the parser.)
add(['pt', 'pts'], { cat: 'unit', unit: 'pt' });
const NUMBER_WORDS: Record<string, number> = {
  zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17, eighteen: 18,
  nineteen: 19, dozen: 12, twenty: 20, thirty: 30, forty: 40, fifty: 50, sixty: 60,
  seventy: 70, eighty: 80, ninety: 90, hundred: 100, thousand: 1000,
};
for (const [w, v] of Object.entries(NUMBER_WORDS)) add(w, { cat: 'num', value: v });
/** Value of a number word ("twenty" → 20), undefined for other words. */
export function numberWord(w: string): number | undefined {
  return Object.prototype.hasOwnProperty.call(NUMBER_WORDS, w) ? NUMBER_WORDS[w] : undefined;
}
// "a couple (of) pixels": about two.
add(['a couple', 'a couple of', 'couple of', 'a pair of'], { cat: 'num', value: 2 });
add(['about', 'around', 'roughly', 'approximately', 'approx', '~', 'some', 'nearly', 'almost', 'maybe', 'perhaps'], { cat: 'approx' });

// --- references -------------------------------------------------------------------------------
add(['the', 'a', 'an', 'this', 'that', 'these', 'those'], { cat: 'det' });
add(['its', 'his', 'her', 'their', 'my', 'your', 'our', "'s"], { cat: 'det', possessive: true });
add(['it', 'him', 'itself'], { cat: 'ref', ref: 'it' });
add(['them', 'they', 'both', 'each', 'every', 'everything'], { cat: 'ref', ref: 'them' });
add(['all'], { cat: 'ref', ref: 'all' });
add(['selected', 'selection', 'highlighted', 'marked', 'chosen'], { cat: 'ref', ref: 'selected' });
// "the others", "the two others": the selections other than the one edited ("between the two others").
add(['other', 'others'], { cat: 'ref', ref: 'other' });
add(['one', 'ones', 'region', 'regions', 'object', 'objects', 'thing', 'things', 'item', 'items', 'shape', 'shapes', 'area', 'selection'], { cat: 'ref', ref: 'one' });
const ORDINALS: Record<string, number> = { first: 1, second: 2, third: 3, fourth: 4, fifth: 5, sixth: 6, seventh: 7, eighth: 8, ninth: 9, tenth: 10, last: -1, '1st': 1, '2nd': 2, '3rd': 3, '4th': 4 };
for (const [w, n] of Object.entries(ORDINALS)) add(w, { cat: 'ordinal', n });
add(['left', 'leftmost'], { cat: 'position', pos: 'left' });
add(['right', 'rightmost'], { cat: 'position', pos: 'right' });
add(['top', 'upper', 'topmost'], { cat: 'position', pos: 'top' });
add(['bottom', 'lower', 'bottommost', 'lowest'], { cat: 'position', pos: 'bottom' });
add(['middle', 'central', 'centre', 'center', 'centered', 'centred'], { cat: 'position', pos: 'middle' });
// Parts: the drag acts on a piece of the region, so the region deforms.
add(['tip', 'tips', 'end', 'ends', 'nose', 'spire', 'point', 'peak', 'apex', 'top', 'edge', 'half', 'part', 'piece', 'corner', 'side', 'extremity', 'front', 'rear', 'bottom'], { cat: 'part', name: '' });
add(['edge', 'corner', 'side', 'border', 'margin'], { cat: 'edge', name: '' });
// Parts of animals, people and things: "its head", "the left ear", "the handle".
add(['head', 'ear', 'ears', 'tail', 'arm', 'arms', 'leg', 'legs', 'wing', 'wings', 'hand', 'hands', 'foot', 'feet', 'paw', 'paws', 'neck', 'beak', 'snout', 'trunk', 'fin', 'fins', 'antenna', 'antennae', 'horn', 'horns', 'finger', 'fingers', 'knee', 'elbow', 'shoulder', 'hair', 'mouth', 'eye', 'eyes', 'eyebrow', 'eyebrows', 'lip', 'lips', 'chin', 'branch', 'branches', 'stem', 'stalk', 'leaf', 'petal', 'handle', 'lid', 'spout', 'roof', 'wheel', 'front wheel', 'brim', 'sleeve', 'strap',
  // (Parts of flowers and plants, more of animals and people, of things.)
  'petals', 'leaves', 'stems', 'stamen', 'stamens', 'pistil', 'sepal', 'sepals', 'bud', 'buds', 'twig', 'twigs', 'blade', 'blades', 'spike', 'spikes', 'thorn', 'thorns', 'root', 'roots', 'frond', 'fronds',
  'claw', 'claws', 'toe', 'toes', 'thumb', 'wrist', 'ankle', 'hip', 'jaw', 'cheek', 'cheeks', 'forehead', 'mane', 'whisker', 'whiskers', 'feather', 'feathers', 'crest', 'antler', 'antlers', 'hoof', 'hooves', 'eyelid', 'eyelids',
  'collar', 'cuff', 'cuffs', 'hem', 'mast', 'sail', 'chimney', 'spire'], { cat: 'part', name: '' });

// --- glue -------------------------------------------------------------------------------------
for (const p of ['to', 'into', 'onto', 'toward', 'towards', 'by', 'on', 'off', 'in', 'of', 'at', 'from', 'with', 'without', 'behind', 'above', 'below', 'under', 'underneath', 'beneath', 'atop', 'over', 'near', 'next to', 'beside', 'inside', 'along', 'across', 'through', 'instead of', 'rather than', 'so that', 'so', 'until', 'than', 'as', 'where', 'while', 'for', 'out', 'away', 'past', 'against', 'between', 'within', 'upon']) add(p, { cat: 'prep', p });
add(["don't", 'dont', 'do not', 'not', 'never', "doesn't", 'does not', 'no', 'nothing', "shouldn't", 'should not', "mustn't", 'must not', "can't", 'cannot', "won't"], { cat: 'neg' });
add(['and', 'then', 'also', 'plus', 'but', 'after that', 'afterwards', 'or', ',', ';', '.', '!', '?', '(', ')', '[', ']', '\u2014', '\u2013'], { cat: 'conj', c: '' });
add(['intact', 'unchanged', 'untouched', 'alone', 'still', 'fixed', 'as is', 'in place', 'as it is', 'where it is', 'where they are', 'same', 'the same', 'static', 'put', 'sitting', 'standing', 'stable', 'visible', 'clear', 'free'], { cat: 'state', state: '' });
add(['vertically', 'horizontally', 'diagonally', 'upside down', 'upside-down'], { cat: 'filler' });
// "follow the arrow", "as drawn": the arrow as it is (no edit of its own).
add(['follow the arrow', 'follow the arrows', 'as drawn', 'like the arrow', 'along the arrow'], { cat: 'filler' });
// Self-corrections ("actually no, 20px down"): the parser lets what follows replace what came before.
add(['actually', 'sorry', 'oops', 'wait', 'i mean', 'i meant', 'scratch that', 'correction', 'never mind', 'nevermind', 'no wait'], { cat: 'filler' });
add(['please', 'can', 'could', 'would', 'you', 'i', 'we', 'want', 'like', 'try', 'just', 'kindly', 'be', 'is', 'are', 'was', 'should', 'must', 'let', "let's", 'lets', 'do', 'does', 'more', 'even', 'instead', 'again', 'too', 'really', 'only', 'need', 'needs', "it's", 'less', 'now', 'here', 'there', 'whole', 'entire', 'else', 'can you', 'could you', 'i want to', "i'd like to", 'make sure', 'sure'], { cat: 'filler' });
// Scene nouns that constraints name ("keep the background") but that are never a handle's part.
// Axis nouns: "increase the width by 20%", "reduce its height".
add(['width', 'height', 'widths', 'heights'], { cat: 'noun' });
add(['size', 'background', 'foreground', 'image', 'photo', 'picture', 'scene', 'rest', 'sky', 'table', 'ground', 'floor', 'wall', 'face', 'body', 'person', 'text', 'logo', 'shadow', 'reflection'], { cat: 'noun' });

/**
 * Part nouns that also name things that stand alone (a leaf on a table, a lid, a wheel): with no
 * owner in the phrase ("its leaf", "the leaf of the plant") they can name the selection itself.
 * The others (head, arm, tip, edge…) are always a piece of something.
 */
const STANDALONE_PARTS = new Set(['leaf', 'petal', 'branch', 'branches', 'stem', 'stalk', 'wheel', 'lid', 'piece']);
export function isStandalonePart(word: string): boolean {
  return STANDALONE_PARTS.has(word);
}

/** All senses of a word or multi-word expression (lower case), empty when unknown. */
export function sensesOf(word: string): readonly Sense[] {
  return L.get(word) ?? [];
}

/** Longest multi-word expression in the lexicon, in words. */
export const MAX_EXPRESSION_WORDS = 4;

/** Whether the lexicon knows this exact (lower-case, possibly multi-word) expression. */
export function isLexical(expr: string): boolean {
  return L.has(expr);
}

/**
 * Candidate lemmas of an inflected word, most likely first: the word itself, then forms without
 * -ing / -ed / -s / -es (restoring a silent e or undoubling a final consonant).
 */
export function lemmaCandidates(w: string): string[] {
  const out = [w];
  const strip = (suf: string): string | null => (w.length > suf.length + 1 && w.endsWith(suf) ? w.slice(0, -suf.length) : null);
  for (const suf of ['ing', 'ed']) {
    const s = strip(suf);
    if (!s) continue;
    out.push(s, s + 'e');
    if (s.length >= 3 && s[s.length - 1] === s[s.length - 2]) out.push(s.slice(0, -1));
    if (s.endsWith('i')) out.push(s.slice(0, -1) + 'y');
  }
  const es = strip('es');
  if (es) out.push(es);
  const s1 = strip('s');
  if (s1 && !w.endsWith('ss')) out.push(s1);
  return out;
}
