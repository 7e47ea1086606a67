/**
 * A small recursive-descent parser for English edit intents.
 *
 * Grammar (informal; `[]` optional, `*` repeat):
 * ```
 * sentence   := segment (boundary segment)*
 * boundary   := "," | ";" | "." | "and" | "then" | "but" | "while"
 *             | "by" ⟨gerund⟩ (means)  | "without" ⟨gerund⟩ (negated keep)
 *             | "so" ["that"] (result) | "instead of" (contrast) | "keeping"… (keep)
 * segment    := filler* [neg] verb-clause | fragment
 * verb-clause:= VERB [NP] modifier*                    move the apple a bit to the right
 *             | "make" NP [amount] COMPARATIVE mod*     make the coin twice as big
 *             | KEEP NP state*                          keep the background intact
 *             | NEG VERB NP                             don't touch the face
 * fragment   := [NP] modifier*                          (gapping: "… and the blue one up")
 * NP         := (det | ordinal | position | adjective | noun | part | "of" NP | "'s" | pron)*
 * modifier   := DIR | ROT | amount | "to"|"toward"|"into"… NP | "about"|"around" NP (pivot)
 * amount     := [approx] ["by"] NUM UNIT | MULT ["as" COMPARATIVE] | QTY | NUM "%" COMPARATIVE
 *             | (FRACTION | MULT | NUM ["times"|"%"]) ["of"] share | "by" share      half its width
 * share      := det [own] [IMAGE] (width | height | size) ["of" NP]     its own width, the width of the right one
 * point      := ("to"|"at") ["the"] [point|position] ("(" NUM "," NUM ")" | "x" [=] NUM "y" [=] NUM | NUM "," NUM)
 * other      := "to where" NP "is" | "to" NP "'s" position | "onto" NP | "next to" NP   (another object as the place)
 *             | ["to"|"on"] ["the"] ("left"|"right") ["side"] "of" NP | ("above"|"below"|"under"…|"on top of") NP
 *             | ["in"] "between" NP ["and" NP]                 (a side of it; between two others)
 *             | ("to"|"at") "the" ("top"|"bottom") "of" NP      (on top of it; below it)
 * size-of    := ["the"] "same" (size|width|height) "as" NP | "as" ADJ "as" NP | "the" (size|width|height) "of" NP
 * add-size   := "add" NUM UNIT "to" det (width|height|size) ["of" NP]   add 20 px to its width
 * not-drag   := "turn" NP ("around"|"round")   (a mirror)  | ("put"|"place") "a"|"an" NOUN …   (new content)
 * ```
 * Open-class words (object names, colours) are absorbed into noun phrases and listed in
 * {@link IntentParse.unknown} with the role they were given; nothing is dropped silently.
 */
import type { Direction, LengthUnit, Position, RotationSense, Sense, VerbClass } from './lexicon';
import { sensesOf } from './lexicon';
import { lexemes, tokenize, type Lexeme } from './tokenize';

/** Operation classes an action can ask for. */
export type ActionClass = 'move' | 'rotate' | 'scale' | 'deform';

/** How a phrase refers to regions. */
export interface RegionRef {
  /** `unspecified`: a plain noun ("the apple"); `it`: a pronoun; `all`: both/all/them. */
  kind: 'unspecified' | 'it' | 'all' | 'selected' | 'other' | 'none';
  positions: Position[];
  ordinal?: number;
  /** A count given in the phrase ("the two antennae"). */
  count?: number;
  /** Open-class words of the phrase (object names, adjectives). */
  words: string[];
  /** Part nouns ("tip", "nose", "spire", "half"): the phrase names a piece of an object. */
  parts: string[];
  /** The phrase carried a possessive ("its", "his", "the butterfly's"). */
  possessive: boolean;
  /** Surface text. */
  text: string;
}

/** An amount in the text. */
export type Amount =
  | {
    kind: 'degrees' | 'pixels' | 'percent' | 'factor' | 'turns' | 'number'; value: number; approximate: boolean;
    /** "to 50%", "200px wide" (a size) vs "by 50%", "10px wider" (a change) */ absolute?: boolean;
    /** A sign written in front of the number ("+20%", "-20°"). */ signed?: '+' | '-';
    /** A percentage of something ("10% of the image", "50% of its width"): `region` = the selection's size; `object`: {@link ofRef}'s. */ of?: 'image' | 'region' | 'object';
    /** The object a share is of ("the width of the right one", "the width of the saucer"). */ ofRef?: RegionRef;
    /** Which size a share is of ("half its width", "a third of its height"); `size`: along the move. */ dim?: 'width' | 'height' | 'size';
    /** The share as written ("half its width"), for the plan's text. */ words?: string;
  }
  /** A print length ("2 cm"): not a pixel amount; the planner says so instead of guessing. */
  | { kind: 'length'; value: number; unit: LengthUnit; approximate: boolean }
  | { kind: 'qualitative'; size: 'small' | 'large'; approximate: boolean; words: string };

/** A place in the picture ("the top-left corner", "the middle", "the left edge"); an axis left out stays. */
export interface Place {
  x?: 'left' | 'center' | 'right';
  y?: 'top' | 'center' | 'bottom';
}

/** A named side of another object: "to the left of", "right of", "above", "below"/"under", "on top of" (`onTop`: resting on it). */
export type RegionSide = 'left' | 'right' | 'above' | 'below' | 'onTop';
/** How a move goes to another object (see {@link IntentAction.toRegion}). */
/** `toward` / `away`: a direction relative to another object ("closer to the other one", "away from the big one"), not a place. */
export type RegionPlace = 'at' | 'beside' | 'between' | 'toward' | 'away' | RegionSide;

/** One leg of a move with an amount per direction ("40 px down and 20 px left"). */
export interface MoveLeg {
  dir: 'left' | 'right' | 'up' | 'down';
  amount: Amount;
}

/** One requested operation. */
export interface IntentAction {
  /** The verb as typed, lemmatised ("rotating" → "rotate"; "make … bigger" → "make bigger"). */
  verb: string;
  cls: ActionClass;
  /** The verb gives a direction but its kind depends on part vs whole (raise, lift, pull, drag). */
  soft: boolean;
  object: RegionRef;
  directions: Direction[];
  rotation?: RotationSense;
  amount?: Amount;
  comparative?: { sense: 'up' | 'down'; axis: 'both' | 'x' | 'y'; word: string; /** plain adjective ("200px wide"): the amount is a size */ positive?: boolean };
  /** Amounts given per direction, in text order ("40 down and 20 left"): a vector, not a diagonal. */
  legs?: MoveLeg[];
  /** A place in the picture to move to ("center it", "to the top left", "to the left edge"). */
  place?: Place;
  /** Where the object should go ("the left edge", "the top-left corner", "the table"). */
  destination?: RegionRef;
  /**
   * A point of the document to move to, in document pixels ("to (400, 300)", "to x=400 y=300",
   * "at 120,80"); an axis left out stays. The planner puts the bounding box's centre there.
   */
  to?: { x?: number; y?: number; text: string };
  /**
   * Another object to move to: `at` its place ("to where the right one is", "onto the other one",
   * "to the left one's position": the box centres meet), `beside` it ("next to the big one"), on a
   * named side of it ("to the left of the other one", "above the big one", "on top of the right
   * one": {@link RegionSide}), or `between` two others ("between the two others": `ref`; "between
   * the left one and the right one": `ref` and `and`).
   */
  toRegion?: { ref: RegionRef; how: RegionPlace; and?: RegionRef; text: string };
  /**
   * Another object whose size to take ("the same size as the other one", "as big as the left one",
   * "the same width as the right one", "make it the size of the other one"): `size` scales both
   * axes alike, `width` / `height` that axis only.
   */
  matchSize?: { ref: RegionRef; dim: 'size' | 'width' | 'height'; text: string };
  /** Pivot words ("its middle", "where it joins the body"). */
  pivot?: string;
  /** "by dragging its nose up": how the action is carried out. */
  means?: IntentAction;
  /** Directions of a result clause ("so it leans to the right"). */
  result?: Direction[];
  /** Verb inherited from the previous clause ("… and the blue one up"). */
  gapped: boolean;
  text: string;
}

/** A constraint: something that must not change. */
export interface IntentConstraint {
  kind: 'keep';
  object: RegionRef;
  /** Came from a negation ("don't touch", "without moving"). */
  negated: boolean;
  /** A negated operation verb ("don't rotate it", "without moving it"): that kind of edit is ruled out. */
  notKind?: ActionClass;
  /** State words ("intact", "sitting on the table"). */
  state: string[];
  text: string;
  /** A negated clause as typed, negation included ("don't move the right one"). */
  said?: string;
}

/** A word the lexicon does not know, with the role the parser gave it. */
export interface UnknownWord {
  word: string;
  start: number;
  /**
   * `object`: part of a noun phrase; `pivot`: pivot description; `ignored`: not placed; `purpose`:
   * in a purpose clause after an understood edit ("raise it so they float higher"): why, not what.
   */
  role: 'object' | 'pivot' | 'ignored' | 'purpose';
}

/** The typed result of parsing one intent. */
export interface IntentParse {
  text: string;
  actions: IntentAction[];
  constraints: IntentConstraint[];
  unknown: UnknownWord[];
  /** Segments the parser could not use (e.g. "instead of the left"), as text. */
  ignored: string[];
  /** Misspelt closed-class words read as the word they are one letter from ("biger" → "bigger"). */
  corrections?: { word: string; as: string }[];
  /**
   * Clauses that ask, in known words, for an edit that is not a drag, as typed: `mirror` ("turn it
   * around": face the other way), `content` (new content: "put a hat on it"). The planner says so.
   */
  notDrag?: NotDragEdit[];
  /**
   * Words that ask for more room than the selection gives ("more room", "a larger area", "it may
   * go outside the selection"), as typed: an elastic drag then bends the selection grown outward
   * (plan/room.ts). They are read before the rest of the text, which is parsed without them.
   */
  room?: { said: string };
}

/**
 * What asks for more room: the words of the plan's own advice ("a larger editable area gives it
 * more room") and of leave to change pixels past the selection. A bigger or larger "selection" is
 * left out: "make the selection bigger" can mean the selected thing.
 */
const ROOM_PATTERNS: readonly RegExp[] = [
  /(?:,?\s*(?:and|but)\s+)?(?:(?:with|use|using|give\s+(?:it|them|the\s+drag)|allow|leave|take)\s+)?(?:(?:a\s+(?:bit|little)\s+|some\s+|much\s+)?more|extra|enough)\s+room\b(?:\s+(?:around\s+it|(?:outside|beyond|past)\s+(?:the|my)\s+(?:selection|lasso)))?/gi,
  // (Not the area an object is to cover: "make it cover a larger area" resizes it.)
  /(?<!\b(?:cover|covers|covering|fill|fills|filling|occupy|occupies|occupying|up|over|across)\s+(?:a\s+)?)(?:,?\s*(?:and|but)\s+)?(?:(?:with|use|using|on|in)\s+)?(?:a\s+)?(?:larger|bigger|wider)\s+(?:editable\s+)?area\b/gi,
  /(?:,?\s*(?:and|but)\s+)?(?:(?:it|you|the\s+drag|the\s+edit)\s+)?(?:may|can|could|is\s+allowed\s+to)\s+(?:change|bend|go|reach|edit|stretch|spill)\s+(?:pixels\s+|things\s+)?(?:a\s+(?:bit|little)\s+)?(?:outside|beyond|past)\s+(?:the|my|your)\s+(?:selection|lasso)\b/gi,
  /(?:,?\s*(?:and|but)\s+)?(?:let|allow)\s+(?:it|the\s+drag|the\s+edit|the\s+surroundings)\s+(?:to\s+)?(?:change|bend|go|reach|stretch|spill)\s+(?:a\s+(?:bit|little)\s+)?(?:outside|beyond|past)\s+(?:the|my)\s+(?:selection|lasso)\b/gi,
];

/** The room words of `text` (see {@link IntentParse.room}) and the text with them blanked out (the same length). */
export function roomWords(text: string): { said: string; rest: string } | null {
  let rest = text, said: string | null = null;
  for (const re of ROOM_PATTERNS) {
    rest = rest.replace(re, (m) => {
      said ??= m.replace(/^,?\s*(?:and|but)\s+/i, '').trim();
      return ' '.repeat(m.length);
    });
  }
  return said === null ? null : { said, rest };
}

/** An edit that is not a drag, asked for in known words (see {@link IntentParse.notDrag}). */
export interface NotDragEdit { words: string; kind: 'mirror' | 'content' }

/** Another object as the place, read at some index: what {@link IntentAction.toRegion} is made of, and the index after it. */
interface RegionTarget { ref: RegionRef; how: RegionPlace; and?: RegionRef; next: number }

type Role = 'main' | 'means' | 'without' | 'result' | 'contrast' | 'keep';
interface Segment { role: Role; lx: Lexeme[] }

const sense = <C extends Sense['cat']>(l: Lexeme | undefined, cat: C): Extract<Sense, { cat: C }> | undefined =>
  l?.senses.find((s): s is Extract<Sense, { cat: C }> => s.cat === cat);
const has = (l: Lexeme | undefined, cat: Sense['cat']): boolean => !!sense(l, cat);
const isUnknown = (l: Lexeme | undefined): boolean => !!l && l.senses.length === 0;
/** Keep verbs said after what they keep, with no modal between ("the background stays"). */
const SUBJECT_KEEP_VERBS = new Set(['stay', 'remain']);
/** Words between a subject and its verb ("should", "needs to"). */
const MODALS = new Set(['should', 'must', 'needs', 'need', 'to', 'will', 'would', 'can', 'could', 'has', 'have', 'ought', 'shall', 'may', 'might', 'is', 'be']);
/** Deform verbs that become a scale up along an axis with "vertically" / "horizontally". */
const STRETCH_UP = new Set(['stretch', 'lengthen', 'elongate', 'extend', 'expand']);
/** Scale verbs that name an axis and a sense. */
const AXIS_VERBS: Record<string, { sense: 'up' | 'down'; axis: 'both' | 'x' | 'y'; word: string }> = {
  flatten: { sense: 'down', axis: 'y', word: 'flatter' }, squash: { sense: 'down', axis: 'y', word: 'flatter' }, squish: { sense: 'down', axis: 'y', word: 'flatter' },
  compress: { sense: 'down', axis: 'y', word: 'flatter' }, heighten: { sense: 'up', axis: 'y', word: 'taller' },
  widen: { sense: 'up', axis: 'x', word: 'wider' }, broaden: { sense: 'up', axis: 'x', word: 'wider' },
  narrow: { sense: 'down', axis: 'x', word: 'narrower' }, slim: { sense: 'down', axis: 'x', word: 'narrower' }, thin: { sense: 'down', axis: 'x', word: 'narrower' },
};
const ADJ_COMPARATIVES = new Set(['small', 'big', 'little', 'large', 'tall', 'long', 'short', 'wide', 'huge']);
const CLAUSE_CONJ = new Set(['and', 'then', 'but', 'also', 'plus', 'or', 'after that', 'afterwards', ',', ';', '.', '!', '?', 'while', '(', ')', '[', ']', '\u2014', '\u2013']);
/** Words that open a self-correction ("actually no, 20px down"): what follows replaces what came before. */
const CORRECTION_WORDS = new Set(['actually', 'sorry', 'oops', 'wait', 'i mean', 'i meant', 'scratch that', 'correction', 'no', 'never mind', 'nevermind', 'no wait']);
/** Correction words that open a new statement even inside a clause ("left oops I meant right"). */
const CORRECTION_OPENERS = new Set(['actually', 'sorry', 'oops', 'i mean', 'i meant', 'scratch that', 'never mind', 'nevermind', 'no wait']);
/** One-off misspellings of move words too short for {@link IntentParser.fuzzy} (a word of 5+ letters). */
const TYPOS: Record<string, string> = {
  mvoe: 'move', mov: 'move', moev: 'move', mve: 'move', rigth: 'right', rihgt: 'right', rght: 'right', lft: 'left', letf: 'left', lef: 'left',
  dwon: 'down', donw: 'down', dow: 'down', upp: 'up',
  // Small amounts typed fast: run together, or a letter slipped in a word too short for a fuzzy match.
  abit: 'a bit', alittle: 'a little', alil: 'a little', abti: 'a bit', littel: 'little', litle: 'little', lil: 'little',
};
/** Amount words a one-letter slip (5+ letters) is read as ("slighty", "sligthly", "smewhat"), wherever it stands. */
const FUZZY_AMOUNTS = ['slightly', 'somewhat', 'subtly', 'marginally', 'fractionally'];
/** Fraction words and their denominators ("a third", "two thirds", "an eighth"). */
const FRACTIONS: Record<string, number> = {
  half: 2, halves: 2, third: 3, thirds: 3, quarter: 4, quarters: 4, fourth: 4, fourths: 4, fifth: 5, fifths: 5,
  sixth: 6, sixths: 6, eighth: 8, eighths: 8, tenth: 10, tenths: 10,
};
/** Scale verbs that say neither bigger nor smaller: "scale it by 20%" is to 20% or 20% more. */
const NEUTRAL_SCALE_VERBS = new Set(['scale', 'resize', 'size', 'rescale']);
/** Scale verbs that say bigger: with a percentage of 100 or more and no "by", the new size ("zoom 150%"). */
const UP_SCALE_VERBS = ['enlarge', 'grow', 'magnify', 'upscale', 'expand', 'zoom', 'increase', 'boost', 'inflate', 'maximize', 'blow up', 'size up'];
/** Prepositions before a place in the picture ("to the top left", "in the middle", "at the left edge"). */
const PLACE_PREPS = new Set(['to', 'into', 'onto', 'toward', 'towards', 'in', 'at']);
/** Nouns for the picture itself ("the center of the image"). */
const IMAGE_NOUNS = new Set(['image', 'picture', 'photo', 'frame', 'canvas', 'document', 'screen', 'scene', 'page', 'artboard', 'shot']);
/** Place words that are nouns of a border after "the" ("to the top", "to the bottom"), unlike "to the left" (a way to go). */
const NOUN_PLACE_WORDS = new Set(['top', 'bottom', 'topmost', 'bottommost', 'leftmost', 'rightmost']);
/** Nouns that name a place on a border ("the left edge", "the top right corner"). */
const PLACE_NOUNS = new Set(['corner', 'corners', 'edge', 'edges', 'side', 'border', 'margin']);
/** Plain adjectives: with a pixel amount they give a size ("200px wide"), not a change ("10px wider"). */
const POSITIVE_ADJ = new Set(['big', 'large', 'small', 'little', 'tall', 'long', 'short', 'wide', 'broad', 'narrow']);
/** What an adjustment of colour or tone changes ("increase the contrast"): never the selection's size or place. */
const TONE_NOUNS = new Set(['contrast', 'brightness', 'saturation', 'exposure', 'opacity', 'hue', 'vibrance', 'sharpness', 'lightness', 'color', 'colour', 'colors', 'colours', 'tone', 'blur', 'gamma']);
/** Axis nouns of a scale ("increase the width", "reduce its height"). */
const AXIS_NOUNS: Record<string, 'x' | 'y'> = { width: 'x', widths: 'x', height: 'y', heights: 'y' };
/** Verbs that move something to the middle of the picture. */
const CENTER_VERBS = new Set(['center', 'centre', 'recenter', 'recentre']);
/** Closed-class words a one-letter slip is read as, by where it stands (see {@link fuzzy}). */
const FUZZY_UNITS = ['degrees', 'degree', 'pixels', 'pixel', 'percent'];
const FUZZY_VERBS = ['rotate', 'shrink', 'enlarge', 'resize', 'scale', 'increase', 'decrease', 'reduce', 'expand', 'magnify', 'stretch', 'flatten', 'shift'];
const FUZZY_MODIFIERS = ['bigger', 'smaller', 'larger', 'taller', 'shorter', 'wider', 'narrower', 'thinner', 'clockwise', 'counterclockwise', 'anticlockwise'];
const DEST_PREPS = new Set(['to', 'into', 'onto', 'toward', 'towards', 'on', 'off', 'in', 'at', 'behind', 'above', 'below', 'under', 'underneath', 'beneath', 'atop', 'over', 'near', 'next to', 'beside', 'inside', 'along', 'across', 'through', 'past', 'against', 'between', 'within', 'upon', 'from', 'with', 'away', 'out', 'until', 'than', 'for']);
/** Nouns for an object's place ("to the left one's position", "to the place of the other one"). */
const SPOT_NOUNS = new Set(['position', 'place', 'spot', 'location', 'coordinates', 'centre', 'center']);
/** Words for the side above / below another object ("above the big one", "under the other one"). */
const ABOVE_WORDS = new Set(['above', 'atop']);
const BELOW_WORDS = new Set(['below', 'under', 'underneath', 'beneath']);
/** Words that only stress a place ("right above it", "directly below the big one", "just left of it"). */
const PLACE_STRESS = new Set(['right', 'directly', 'just', 'immediately', 'exactly', 'straight']);
/** Words after "where X" ("to where the right one is", "where it was", "where the cup sits"). */
const BE_WORDS = new Set(['is', 'are', 'was', 'were', 'sits', 'stands', 'lies', 'used to be', 'be', 'now', 'currently']);
/** Size words that name a region among several ("the small one", "the bigger one"). */
export const SIZE_WORDS: Record<string, 'small' | 'big'> = {
  small: 'small', smaller: 'small', smallest: 'small', little: 'small', tiny: 'small', tinier: 'small', tiniest: 'small',
  big: 'big', bigger: 'big', biggest: 'big', large: 'big', larger: 'big', largest: 'big', huge: 'big',
};
/** Verb classes that name an edit ("don't rotate it" rules that kind out). */
const OP_CLASSES = new Set<VerbClass>(['move', 'rotate', 'scale', 'deform']);
const POS_TO_DIR: Record<Position, Direction | null> = { left: 'left', right: 'right', top: 'up', bottom: 'down', middle: null };

/** Parse an English edit intent into actions, constraints and unknown words. */
export function parseIntent(text: string): IntentParse {
  // (Words that ask for more room are read first; the rest is parsed without them.)
  const room = roomWords(text);
  if (!room) return new IntentParser(text).parse();
  const parse = new IntentParser(room.rest).parse();
  return { ...parse, text, room: { said: room.said } };
}

class IntentParser {
  private readonly lx: Lexeme[];
  private readonly unknown: UnknownWord[] = [];
  private readonly ignored: string[] = [];
  private readonly seen = new Set<number>();
  private readonly corrections: { word: string; as: string }[] = [];
  private readonly notDrag: NotDragEdit[] = [];
  /** The text states that counter-clockwise angles are positive. */
  private ccwPositive = false;
  /** The last {@link tail} met an unknown word right after its amount ("20% biger"). */
  private unknownAfterAmount = false;
  /** The last {@link tail} read its amount after "by" ("scale it by 20%"). */
  private amountAfterBy = false;
  /** The clause being read corrects the one before ("actually make it 30"). */
  private correcting = false;
  /** Where each percentage amount was written (for a move, which cannot use one yet). */
  private readonly amountSpans = new WeakMap<Amount, { start: number; end: number }>();

  constructor(private readonly text: string) {
    this.lx = lexemes(tokenize(text));
    // "to (400, 300)", "to x=400 y=300", "put it at 120,80": a point of the document is one lexeme
    // (its brackets do not end a clause, its comma is not a decimal comma, its numbers are no amounts).
    for (const p of findPoints(text).reverse()) {
      const i0 = this.lx.findIndex((l) => l.start >= p.start);
      if (i0 < 0 || this.lx[i0]!.start >= p.end) continue;
      let i1 = i0;
      while (i1 < this.lx.length && this.lx[i1]!.start < p.end) i1++;
      const end = Math.max(p.end, this.lx[i1 - 1]!.end);
      const xy = { ...(p.x !== undefined ? { x: p.x } : {}), ...(p.y !== undefined ? { y: p.y } : {}) };
      this.lx.splice(i0, i1 - i0, { text: text.slice(p.start, end), norm: '<point>', start: p.start, end, senses: [{ cat: 'point', ...xy }], gerund: false });
    }
    // "mvoe it lft": short move words with a common slip, read as the word (and said so).
    for (let i = 0; i < this.lx.length; i++) {
      const l = this.lx[i]!;
      const fix = l.senses.length === 0 ? TYPOS[l.norm] ?? (l.norm.length >= 5 && /^[a-z]+$/.test(l.norm) ? FUZZY_AMOUNTS.find((w) => editDistance1(l.norm, w)) : undefined) : undefined;
      if (!fix) continue;
      this.corrections.push({ word: l.text, as: fix });
      // "a litle": the amount the lexicon knows with its article ("a little"), as one lexeme.
      const prev = this.lx[i - 1];
      if (prev?.norm === 'a' && sensesOf(`a ${fix}`).length) {
        this.lx.splice(i - 1, 2, { text: text.slice(prev.start, l.end), norm: `a ${fix}`, start: prev.start, end: l.end, senses: [...sensesOf(`a ${fix}`)], gerund: false });
        i--;
        continue;
      }
      l.senses.push(...sensesOf(fix));
      if (sensesOf(fix).some((x) => x.cat === 'verb')) l.lemma = fix;
    }
  }

  parse(): IntentParse {
    const actions: IntentAction[] = [];
    const constraints: IntentConstraint[] = [];
    let last: IntentAction | undefined;
    // A self-correction ("actually no, 20px down") makes the next segment replace, not add to, the last action.
    let correcting = false;
    for (const seg0 of this.segments()) {
      let seg = seg0;
      if (seg.lx.length === 0) continue;
      // A stated convention ("my convention: counterclockwise is positive") is read by the
      // post-pass below, not as an edit of its own.
      if (isConventionStatement(this.span(seg.lx))) {
        if (/\b(?:counter-?\s?clockwise|anti-?\s?clockwise)(?: angle)? is positive\b/i.test(this.span(seg.lx))) this.ccwPositive = true;
        for (const l of seg.lx) this.mark(l);
        continue;
      }
      let lead = 0;
      while (lead < seg.lx.length && CORRECTION_WORDS.has(seg.lx[lead]!.norm)) lead++;
      // "no, 20px", "no 20px", "no, right": a plain "no" before an amount or a direction corrects too.
      const noFix = seg.lx[0]!.norm === 'no' && lead < seg.lx.length && (has(seg.lx[lead], 'num') || has(seg.lx[lead], 'rot') || ['left', 'right', 'up', 'down'].includes(sense(seg.lx[lead], 'dir')?.dir ?? '')) && !!last;
      if (lead > 0 && (lead === seg.lx.length || seg.lx[0]!.norm !== 'no' || noFix)) {
        for (let k = 0; k < lead; k++) this.mark(seg.lx[k]!);
        correcting = true;
        if (lead === seg.lx.length) continue;
        seg = { role: seg.role, lx: seg.lx.slice(lead) };
      }
      const fix = correcting;
      correcting = false;
      this.correcting = fix;
      if (seg.role === 'contrast') {
        this.ignored.push(this.span(seg.lx));
        for (const l of seg.lx) this.note(l, 'ignored');
        continue;
      }
      if (seg.role === 'without' || seg.role === 'keep') {
        constraints.push(this.constraintFrom(seg.lx, seg.role === 'without'));
        continue;
      }
      if (seg.role === 'result') {
        const ignoredBefore = this.ignored.length;
        const frag = this.clause(seg.lx);
        const dirs = frag.action?.directions ?? frag.fragment?.directions ?? [];
        if (last) {
          last.result = [...(last.result ?? []), ...dirs];
          // "raise the balloons so they float higher": a purpose clause after an understood edit
          // says why, not what: its words are no edit to report as not understood.
          const lo = seg.lx[0]!.start, hi = seg.lx[seg.lx.length - 1]!.end;
          for (const u of this.unknown) if (u.start >= lo && u.start < hi) u.role = 'purpose';
          this.ignored.splice(ignoredBefore);
        }
        continue;
      }
      const c = this.clause(seg.lx);
      if (c.constraint) { constraints.push(c.constraint); continue; }
      if (seg.role === 'means') {
        if (c.action && last) last.means = c.action;
        else if (c.action) { actions.push(c.action); last = c.action; }
        continue;
      }
      if (c.action) {
        // "move it left. Actually, rotate it 20°": the correction replaces the last action.
        if (fix && last && actions[actions.length - 1] === last) actions.pop();
        actions.push(c.action); last = c.action; continue;
      }
      if (c.fragment) {
        const f = c.fragment;
        const hasMods = f.directions.length > 0 || !!f.amount || !!f.rotation || !!f.destination || !!f.pivot || !!f.comparative || !!f.place || !!f.to || !!f.matchSize;
        // "…, not left": the negated words are set aside (and taken back from the last action).
        if (c.negated) {
          if (last) {
            last.directions = last.directions.filter((d) => !f.directions.includes(d));
            if (last.legs) last.legs = last.legs.filter((g) => !f.directions.includes(g.dir));
            if (f.rotation && last.rotation === f.rotation) delete last.rotation;
          }
          continue;
        }
        // A fragment with no verb before it says which way by itself: "bigger", "20% bigger",
        // "a bit to the left", "40px left", "I want it 40px lower".
        if (!last && hasMods) {
          const p = this.promote(f);
          if (p) { actions.push(p); last = p; continue; }
        }
        if (fix && last && hasMods) { replaceModifiers(last, f); continue; }
        // "rotate it 45° and 10px up": an amount per direction after a rotation or a scale is a move of its own.
        if (last && last.cls !== 'move' && f.object.kind === 'none' && f.legs?.length && f.legs.every((g) => g.amount.kind === 'pixels' || g.amount.kind === 'number') && !f.rotation && !f.comparative) {
          const m: IntentAction = { ...f, verb: 'move', cls: 'move', soft: false };
          actions.push(m); last = m; continue;
        }
        // "move it 40px left and 10° clockwise": an angle after a move is a rotation of its own.
        if (last && last.cls === 'move' && f.object.kind === 'none' && (f.rotation || f.amount?.kind === 'degrees' || f.amount?.kind === 'turns') && !f.directions.length && !f.comparative) {
          const r: IntentAction = { ...f, verb: 'rotate', cls: 'rotate', soft: false };
          actions.push(r); last = r; continue;
        }
        // "make it 100 px wide and 50 px tall": a size along the other axis is a scale of its own.
        if (last && last.cls === 'scale' && f.object.kind === 'none' && f.comparative && last.comparative && f.comparative.axis !== 'both' && last.comparative.axis !== 'both' && f.comparative.axis !== last.comparative.axis && f.amount) {
          const m: IntentAction = { ...f, verb: `make ${f.comparative.word}`, cls: 'scale', soft: false };
          settleSize(m);
          actions.push(m); last = m; continue;
        }
        const hasNp = f.object.kind !== 'none';
        const lastHasMods = !!last && (last.directions.length > 0 || !!last.amount || !!last.rotation || !!last.destination || !!last.comparative);
        if (!last || (hasNp && !hasMods && !fullNpOf(f) && lastHasMods)) {
          // Nothing to attach to (or a bare noun after a complete clause): not understood as an edit.
          if (hasMods || hasNp) this.ignored.push(f.text);
          const lo = seg.lx[0]!.start, hi = seg.lx[seg.lx.length - 1]!.end;
          for (const u of this.unknown) if (u.start >= lo && u.start < hi) u.role = 'ignored';
          continue;
        }
        // A gapped clause re-opens a full noun phrase ("and the blue candy up"); a bare noun is
        // coordination with the previous object ("the cup and saucer to the left").
        const fullNp = fullNpOf(f);
        if (hasNp && hasMods && fullNp) {
          // Gapping: "… and the blue candy up" reuses the previous verb.
          const g: IntentAction = { ...f, verb: last.verb, cls: last.cls, soft: last.soft, gapped: true };
          if (!g.comparative && last.comparative) g.comparative = last.comparative;
          actions.push(g);
          last = g;
        } else if (hasMods && !hasNp) mergeModifiers(last, f);
        else if (hasNp) {
          mergeModifiers(last, f);
          // Coordination: "the cup and saucer".
          last.object.words.push(...f.object.words);
          last.object.parts.push(...f.object.parts);
          last.object.text += ' and ' + f.object.text;
          if (last.object.kind === 'unspecified' && !last.object.count) last.object.count = 2;
        }
      }
    }
    for (const a of actions) this.settleRotation(a);
    // "increase the contrast", "reduce the saturation": an adjustment of colour or tone, not a
    // resize of the selection (the reasoner says so for the noun; nothing is planned from it).
    for (let k = actions.length - 1; k >= 0; k--) {
      const o = actions[k]!.object;
      if (o.parts.length === 0 && o.words.length > 0 && o.words.every((w) => TONE_NOUNS.has(w.toLowerCase()))) actions.splice(k, 1);
    }
    // "move it 50% of its width to the right", "move it 20% right": the planner moves by pixels
    // only, so a share is reported as not understood rather than replaced by a default in silence.
    for (const a of actions) {
      // (A share of a size, "half its width", the planner measures.)
      const sp = a.cls === 'move' && (a.amount?.kind === 'percent' || a.amount?.kind === 'factor') && !(a.amount.kind === 'percent' && a.amount.of) ? this.amountSpans.get(a.amount) : undefined;
      // (Not inside a vector "(10%, 20%)": the exact reader reads those as shares of the image.)
      if (sp && !/\([^)]*$/.test(this.text.slice(0, sp.start)) && !this.unknown.some((u) => u.start === sp.start)) this.unknown.push({ word: this.text.slice(sp.start, sp.end), start: sp.start, role: 'ignored' });
    }
    // Every word not consumed by a phrase is reported.
    for (let i = 0; i < this.lx.length; i++) if (!this.seen.has(i) && isUnknown(this.lx[i])) this.note(this.lx[i]!, 'ignored');
    this.unknown.sort((a, b) => a.start - b.start);
    return { text: this.text, actions, constraints, unknown: this.unknown, ignored: this.ignored, ...(this.corrections.length ? { corrections: this.corrections } : {}), ...(this.notDrag.length ? { notDrag: this.notDrag } : {}) };
  }

  /**
   * Signs of an angle: "-20°" turns the other way from the one named (counter-clockwise when
   * none is: positive = clockwise on screen, as in Photoshop), unless the text states that
   * counter-clockwise is positive.
   */
  private settleRotation(a: IntentAction): void {
    if (a.cls !== 'rotate') return;
    const amt = a.amount;
    if (!amt || !(amt.kind === 'degrees' || amt.kind === 'number' || amt.kind === 'turns')) return;
    const negative = amt.value < 0;
    if (negative) a.amount = { ...amt, value: -amt.value };
    const flip = (s: RotationSense): RotationSense => (s === 'cw' ? 'ccw' : 'cw');
    if (this.ccwPositive && !a.rotation) a.rotation = negative ? 'cw' : 'ccw';
    else if (negative) a.rotation = a.rotation ? flip(a.rotation) : 'ccw';
    else if (amt.signed === '+' && !a.rotation) a.rotation = 'cw';
  }

  /**
   * A verbless fragment as an action, by what its modifiers say: an angle or a rotation sense →
   * rotate; bigger/smaller (or "20% less") → scale; a direction, a place or a per-direction
   * amount → move. Null when it says none of these (a bare amount, a bare noun).
   */
  private promote(f: IntentAction): IntentAction | null {
    // Only about the selection ("it", "them", or nothing): "an arrow far too long" is not an edit.
    if (!(f.object.kind === 'none' || f.object.kind === 'it' || f.object.kind === 'all' || f.object.kind === 'selected') || f.object.words.length) return null;
    // "same size as the other one": another object's size.
    if (f.matchSize) return { ...f, verb: matchVerb(f.matchSize), cls: 'scale', soft: false };
    const amt = f.amount;
    if (f.rotation || amt?.kind === 'degrees' || amt?.kind === 'turns') return { ...f, verb: 'rotate', cls: 'rotate', soft: false };
    // A plain adjective says a size only with an amount ("200px wide"), not alone ("long").
    if (f.comparative && (!f.comparative.positive || amt)) {
      const a: IntentAction = { ...f, verb: `make ${f.comparative.word}`, cls: 'scale', soft: false };
      settleSize(a);
      return a;
    }
    if (f.directions.some((d) => d === 'left' || d === 'right' || d === 'up' || d === 'down') || f.place || f.to) return { ...f, verb: 'move', cls: 'move', soft: false };
    return null;
  }

  // ---- segmentation -------------------------------------------------------------------------
  private segments(): Segment[] {
    const segs: Segment[] = [];
    let cur: Segment = { role: 'main', lx: [] };
    const flush = (role: Role): void => { segs.push(cur); cur = { role, lx: [] }; };
    // A "between" waiting for its second object ("between the left one and the right one").
    let between = false;
    for (let i = 0; i < this.lx.length; i++) {
      const l = this.lx[i]!, next = this.lx[i + 1];
      if (l.norm === 'between') between = true;
      // That "and" joins the two objects, not two clauses.
      if (l.norm === 'and' && between && next && (has(next, 'det') || has(next, 'ordinal') || has(next, 'position') || sense(next, 'ref')?.ref === 'other')) {
        between = false; cur.lx.push(l); continue;
      }
      if (CLAUSE_CONJ.has(l.norm)) { between = false; this.seen.add(i); flush('main'); continue; }
      // A dash with spaces around it ("left - no, right") ends a clause as a comma does.
      if (l.norm === '-' && l.senses.length === 0 && i > 0 && this.lx[i - 1]!.end < l.start && next && next.start > l.end) { this.seen.add(i); flush('main'); continue; }
      // "left oops I meant right": a correction word starts a new statement.
      if (CORRECTION_OPENERS.has(l.norm) && cur.lx.length > 0 && !cur.lx.every((x) => CORRECTION_WORDS.has(x.norm))) flush('main');
      if (l.norm === 'by' && next && next.gerund && has(next, 'verb')) { this.seen.add(i); flush('means'); continue; }
      if (l.norm === 'without' && next && next.gerund) { this.seen.add(i); flush('without'); continue; }
      // ("so that" is one lexeme of the lexicon: a result clause as "so" + "that" is.)
      if (l.norm === 'so that' || (l.norm === 'so' && next && (next.norm === 'that' || has(next, 'ref') || has(next, 'det')))) {
        this.seen.add(i); flush('result');
        if (l.norm === 'so' && next!.norm === 'that') { this.seen.add(i + 1); i++; }
        continue;
      }
      if (l.norm === 'instead of' || l.norm === 'rather than' || (l.norm === 'instead' && next?.norm === 'of')) { flush('contrast'); cur.lx.push(l); continue; }
      if (l.gerund && sense(l, 'verb')?.cls === 'keep' && cur.lx.length > 0) { flush('keep'); cur.lx.push(l); continue; }
      cur.lx.push(l);
    }
    segs.push(cur);
    return segs;
  }

  // ---- clauses ------------------------------------------------------------------------------
  private clause(lx: Lexeme[]): { action?: IntentAction; constraint?: IntentConstraint; fragment?: IntentAction; negated?: boolean } {
    let i = 0, neg = false;
    while (i < lx.length && (has(lx[i], 'filler') || has(lx[i], 'neg')) && !has(lx[i], 'verb')) {
      if (has(lx[i], 'neg')) neg = true;
      this.mark(lx[i]!); i++;
    }
    let v = sense(lx[i], 'verb');
    if (!v) {
      // Subject first: "the squirrel should look up", "the ear needs to perk up" → verb + subject + rest.
      for (let j = i + 1; j < lx.length; j++) {
        const vj = sense(lx[j], 'verb');
        // ("The background stays", "the sky remains": these keep verbs follow their subject with no modal.)
        if (!vj || (!MODALS.has(lx[j - 1]!.norm) && !(vj.cls === 'keep' && SUBJECT_KEEP_VERBS.has(vj.lemma)))) continue;
        let k = MODALS.has(lx[j - 1]!.norm) ? j - 1 : j;
        while (k > i && MODALS.has(lx[k - 1]!.norm)) k--;
        for (let m = k; m < j; m++) this.mark(lx[m]!);
        return this.clause([...lx.slice(0, i), lx[j]!, ...lx.slice(i, k), ...lx.slice(j + 1)]);
      }
    }
    v = sense(lx[i], 'verb');
    // "roate it 20°": an unknown first word one slip from an edit verb, before its object, is that verb.
    if (!v && isUnknown(lx[i]) && (i + 1 >= lx.length || has(lx[i + 1], 'ref') || has(lx[i + 1], 'det'))) {
      const fz = this.fuzzy(lx[i]!, FUZZY_VERBS);
      if (fz) {
        const fv = sensesOf(fz).find((s): s is Extract<Sense, { cat: 'verb' }> => s.cat === 'verb')!;
        lx[i]!.senses.push(fv);
        lx[i]!.lemma = fz;
        v = fv;
      }
    }
    // "add 20 px to its width", "add 10% to its height": a resize along that axis by that amount.
    if (!v && !neg && /^add(?:s|ed|ing)?$/.test(lx[i]?.norm ?? '')) {
      const add = this.addedSize(lx, i);
      if (add) return { action: add };
    }
    // A negated fragment ("…, not left") sets its modifiers aside.
    if (!v) return { fragment: this.tail(lx, i, { verb: '', cls: 'move', soft: false }), ...(neg ? { negated: true } : {}) };
    const head = lx[i]!;
    this.mark(head);
    // The words as typed from the negation on ("don't move the right one"), for the planner's questions.
    const said = neg ? { said: this.span(lx.slice(lx.findIndex((l) => has(l, 'neg')))) } : {};
    if (neg && OP_CLASSES.has(v.cls)) {
      // "don't rotate it left" negates the modifiers, not the edit: set the clause aside. (Words
      // of the object are not modifiers: "don't move the right one" rules out moving it.)
      const obj = this.nounPhrase(lx, i + 1);
      if (lx.slice(obj.next).some((l) => has(l, 'dir') || has(l, 'rot') || has(l, 'num') || has(l, 'comparative') || has(l, 'mult'))) {
        for (const l of lx) this.mark(l);
        return {};
      }
      // "don't rotate it": that kind of edit is ruled out.
      return { constraint: { ...this.constraintFrom(lx.slice(i), true), ...said } };
    }
    if (neg || v.cls === 'keep') return { constraint: { ...this.constraintFrom(lx.slice(i), neg), ...said } };
    if (v.cls === 'affect') {
      this.ignored.push(this.span(lx));
      for (const l of lx) this.note(l, 'ignored');
      return {};
    }
    if (v.cls === 'make') {
      // "make the tail point upward", "make it look left": the inner verb carries the meaning.
      const inner = lx.findIndex((l, k) => k > i && sense(l, 'verb')?.cls === 'deform');
      if (inner > i) {
        const iv = sense(lx[inner], 'verb')!;
        const a = this.tail([...lx.slice(0, inner), ...lx.slice(inner + 1)], i + 1, { verb: `make … ${iv.lemma}`, cls: 'deform', soft: true });
        this.mark(lx[inner]!);
        if (a.directions.length) return { action: a };
      }
      const a = this.tail(lx, i + 1, { verb: 'make', cls: 'scale', soft: false });
      // "make it the same size as the other one", "make it twice the size of the left one".
      if (a.matchSize) { a.verb = matchVerb(a.matchSize); return { action: a }; }
      applyAxisNoun(a, lx.slice(i + 1));
      // "make it 150%", "make it 0.8 times": a size stated outright ("make it +20%": a change).
      if (!this.unknownAfterAmount) settleSize(a);
      if (!a.comparative) {
        // "… actually make it 30": a new amount for the action being corrected.
        if (this.correcting && a.amount && a.amount.kind !== 'qualitative') return { fragment: a };
        this.ignored.push(this.span(lx));
        return {};
      }
      applyAlongAxis(a);
      a.verb = `make ${a.comparative.word}`;
      return { action: a };
    }
    // "turn it around", "turn the cup round": to face the other way is a mirror, not a turn (and
    // no way or amount is said): the planner says so rather than turning it a default 15°.
    if (v.lemma === 'turn') {
      let k = lx.length - 1;
      while (k > i && has(lx[k], 'filler')) k--;
      // (Only a noun phrase between the verb and "around": "round" is no word of the lexicon.)
      if (k > i && (lx[k]!.norm === 'around' || lx[k]!.norm === 'round')) {
        const seen = [...this.seen], unknown = this.unknown.length;
        if (this.nounPhrase(lx.slice(0, k), i + 1).next === k) {
          for (const l of lx) this.mark(l);
          this.notDrag.push({ words: this.span(lx.slice(i)), kind: 'mirror' });
          return {};
        }
        this.seen.clear();
        for (const x of seen) this.seen.add(x);
        this.unknown.splice(unknown);
      }
    }
    const a = this.tail(lx, i + 1, { verb: v.lemma, cls: v.cls as ActionClass, soft: !!v.soft });
    // "put a hat on it", "place a star in the corner": something new (a noun with "a"/"an"/"some",
    // not one of the selections) put into the picture: content, not a drag. The planner says so.
    if ((v.lemma === 'put' || v.lemma === 'place') && newContent(a.object)) {
      for (const l of lx) this.mark(l);
      this.notDrag.push({ words: this.span(lx.slice(i)), kind: 'content' });
      return {};
    }
    if (v.dir && !a.directions.includes(v.dir)) a.directions.unshift(v.dir);
    // "center it", "centre it horizontally": a move to the middle of the picture.
    if (CENTER_VERBS.has(v.lemma) && !a.place) {
      const along = /\b(vertically|horizontally)\b/i.exec(a.text)?.[1]?.toLowerCase();
      a.place = along === 'horizontally' ? { x: 'center' } : along === 'vertically' ? { y: 'center' } : { x: 'center', y: 'center' };
    }
    if (v.lemma === 'double' || v.lemma === 'halve') {
      const up = v.lemma === 'double';
      if (!a.amount) a.amount = { kind: 'factor', value: up ? 2 : 0.5, approximate: false };
      a.comparative = { sense: up ? 'up' : 'down', axis: 'both', word: up ? 'bigger' : 'smaller' };
    }
    const axisVerb = AXIS_VERBS[v.lemma];
    if (axisVerb && !a.comparative) a.comparative = { ...axisVerb };
    // "stretch it vertically", "squash it horizontally": a scale along one axis.
    const along = /\b(vertically|horizontally)\b/i.exec(a.text);
    if (along && !a.object.parts.length && (STRETCH_UP.has(v.lemma) || AXIS_VERBS[v.lemma])) {
      const axis = along[1]!.toLowerCase() === 'vertically' ? 'y' : 'x';
      const up = STRETCH_UP.has(v.lemma) || AXIS_VERBS[v.lemma]!.sense === 'up';
      a.cls = 'scale';
      a.comparative = { sense: up ? 'up' : 'down', axis, word: axis === 'y' ? (up ? 'taller' : 'shorter') : up ? 'wider' : 'narrower' };
    }
    // "turn it upside down": half a turn.
    if (v.cls === 'rotate' && !a.amount && /\bupside[ -]down\b/i.test(a.text)) a.amount = { kind: 'degrees', value: 180, approximate: false };
    // "zoom out" makes it smaller, "zoom in" bigger.
    if (v.lemma === 'zoom' && !a.comparative) {
      const p = lx.slice(i + 1).find((l) => l.norm === 'out' || l.norm === 'in');
      if (p) a.comparative = p.norm === 'out' ? { sense: 'down', axis: 'both', word: 'smaller' } : { sense: 'up', axis: 'both', word: 'bigger' };
    }
    // "zoom 150%", "enlarge it 200%": with a bigger verb and no "by", a percentage of 100 or more is the new size.
    if (v.cls === 'scale' && !a.comparative && UP_SCALE_VERBS.includes(v.lemma) && v.lemma !== 'increase' && v.lemma !== 'boost' && a.amount?.kind === 'percent' && !a.amount.signed && !this.amountAfterBy && a.amount.value >= 100) {
      a.amount = { ...a.amount, absolute: true };
    }
    if (v.cls === 'scale' && !a.comparative) {
      const up = UP_SCALE_VERBS.includes(v.lemma) || a.directions.includes('up');
      const down = ['shrink', 'reduce', 'downscale', 'decrease', 'deflate', 'diminish', 'minimize', 'size down'].includes(v.lemma) || a.directions.includes('down');
      if (up !== down) a.comparative = { sense: up ? 'up' : 'down', axis: 'both', word: up ? 'bigger' : 'smaller' };
      a.directions = a.directions.filter((d) => d !== 'up' && d !== 'down');
    }
    if (v.cls === 'scale') {
      applyAxisNoun(a, lx.slice(i + 1));
      // "scale it 80%", "resize it 50%": with a verb that says neither bigger nor smaller, a
      // percentage is the new size ("scale it +20%": a change). "Scale it by 20%" is to 20% in
      // Photoshop's words but 20% more in others': asked, not guessed (not below 100%, "by 150%" is ×1.5).
      const ambiguousBy = NEUTRAL_SCALE_VERBS.has(v.lemma) && !a.comparative && this.amountAfterBy && a.amount?.kind === 'percent' && !a.amount.signed && !a.amount.absolute && a.amount.value < 100;
      if (!this.unknownAfterAmount && !ambiguousBy) settleSize(a);
      applyAlongAxis(a);
    }
    return { action: a };
  }

  private constraintFrom(lx: Lexeme[], negated: boolean): IntentConstraint {
    let i = 0;
    while (i < lx.length && (has(lx[i], 'verb') || has(lx[i], 'neg') || has(lx[i], 'filler'))) { this.mark(lx[i]!); i++; }
    // "don't rotate it", "without moving it": a negated edit verb rules that kind of edit out.
    const v = lx.slice(0, i).map((l) => sense(l, 'verb')).find((x) => !!x);
    const notKind = negated && v && OP_CLASSES.has(v.cls) ? { notKind: v.cls as ActionClass } : {};
    const np = this.nounPhrase(lx, i);
    const state: string[] = [];
    for (let j = np.next; j < lx.length; j++) {
      this.mark(lx[j]!);
      if (isUnknown(lx[j])) this.note(lx[j]!, 'object');
      state.push(lx[j]!.norm);
    }
    return { kind: 'keep', object: np.ref, negated, state, text: this.span(lx), ...notKind };
  }

  /** Object NP + modifiers after the head verb. */
  private tail(lx: Lexeme[], start: number, head: { verb: string; cls: ActionClass; soft: boolean }): IntentAction {
    const a: IntentAction = { ...head, object: emptyRef(), directions: [], gapped: false, text: this.span(lx) };
    this.unknownAfterAmount = false;
    this.amountAfterBy = false;
    let i = start;
    // Particle right after the verb: "scale up", "shrink down", "turn around".
    if (head.cls === 'scale' && (lx[i]?.norm === 'up' || lx[i]?.norm === 'down')) {
      a.comparative = lx[i]!.norm === 'up' ? { sense: 'up', axis: 'both', word: 'bigger' } : { sense: 'down', axis: 'both', word: 'smaller' };
      this.mark(lx[i]!); i++;
    }
    let np = this.nounPhrase(lx, i);
    // "put the small one next to the big one": with a move verb and nothing after it, "next to …"
    // is where the object goes, not part of its name ("the bird next to it up").
    if (head.cls === 'move' && np.ref.words.includes('next')) {
      const cut = lx.findIndex((l, k) => k > i && k < np.next && l.norm === 'next to');
      const rt = cut > i ? this.regionTarget(lx, cut) : null;
      if (rt && rt.next >= lx.length) np = this.nounPhrase(lx.slice(0, cut), i);
    }
    a.object = np.ref;
    i = np.next;
    let approx = false;
    /** A resize verb, "make", or no verb: "the same size as …" can follow. */
    const sizeVerb = head.cls === 'scale' || !head.verb;
    // Amounts and screen directions in text order, paired into legs at the end.
    const events: ({ amount: Amount } | { dir: MoveLeg['dir'] })[] = [];
    // Index of the last lexeme of the latest amount.
    let amountEnd = -2;
    while (i < lx.length) {
      const l = lx[i]!, next = lx[i + 1];
      this.mark(l);
      // "to (400, 300)", "at x=400 y=300": a point of the document (see findPoints).
      const pnt = sense(l, 'point');
      if (pnt) {
        a.to = { ...(pnt.x !== undefined ? { x: pnt.x } : {}), ...(pnt.y !== undefined ? { y: pnt.y } : {}), text: l.text };
        i++; continue;
      }
      // "the same size as the other one", "as big as the left one", "the width of the right one"
      // (after a resize verb, "make", or none): another object's size to take.
      const ms = sizeVerb ? this.sizeTarget(lx, i) : null;
      if (ms) {
        a.matchSize = { ref: ms.ref, dim: ms.dim, text: this.span(lx.slice(i, ms.next)) };
        for (let k = i; k < ms.next; k++) this.mark(lx[k]!);
        i = ms.next; continue;
      }
      // "to where the right one is", "onto the other one", "next to the big one": another object to go to.
      const rt = head.cls === 'move' ? this.regionTarget(lx, i) : null;
      if (rt) {
        a.toRegion = { ref: rt.ref, how: rt.how, ...(rt.and ? { and: rt.and } : {}), text: this.span(lx.slice(i, rt.next)) };
        a.destination = rt.ref;
        for (let k = i; k < rt.next; k++) this.mark(lx[k]!);
        i = rt.next; continue;
      }
      // "move it left by its own width", "by the width of the image": a whole width or height.
      const bare = head.cls === 'move' && has(l, 'det') && (!a.amount || a.amount.kind === 'qualitative') ? this.shareOf(lx, i, true) : null;
      if (bare) {
        a.amount = { kind: 'percent', value: 100, approximate: approx, of: bare.of, ...(bare.ofRef ? { ofRef: bare.ofRef } : {}), dim: bare.dim, words: this.span(lx.slice(i, bare.next)) };
        for (let k = i; k < bare.next; k++) this.mark(lx[k]!);
        events.push({ amount: a.amount });
        approx = false; amountEnd = bare.next - 1; i = bare.next; continue;
      }
      if (has(l, 'approx') && (has(next, 'num') || has(next, 'mult'))) { approx = true; i++; continue; }
      if ((l.norm === 'about' || l.norm === 'around') && !has(next, 'num')) {
        // Pivot: everything up to the next modifier.
        let j = i + 1;
        const words: string[] = [];
        while (j < lx.length && !has(lx[j], 'rot') && !has(lx[j], 'num') && !(has(lx[j], 'dir') && !has(lx[j], 'position'))) {
          this.mark(lx[j]!);
          if (isUnknown(lx[j])) this.note(lx[j]!, 'pivot');
          words.push(lx[j]!.norm); j++;
        }
        a.pivot = words.join(' ');
        i = j; continue;
      }
      // "a third of a turn", "a quarter bigger", "by a third", "to a third", "two thirds".
      const fr = this.fraction(lx, i, a);
      if (fr !== null) {
        if (a.amount?.kind === 'percent' && a.amount.of && a.cls === 'move') events.push({ amount: a.amount });
        i = fr; amountEnd = i - 1; approx = false; continue;
      }
      if (l.norm === 'by' && (has(next, 'num') || has(next, 'mult') || has(next, 'approx'))) { this.amountAfterBy = true; i++; continue; }
      // "right not left", "20px, not 40px": the negated modifier is set aside.
      if (has(l, 'neg') && !has(l, 'verb') && next && (has(next, 'dir') || has(next, 'rot') || has(next, 'num') || has(next, 'comparative') || has(next, 'mult'))) {
        this.mark(next);
        let j = i + 2;
        if (has(next, 'num') && has(lx[j], 'unit')) { this.mark(lx[j]!); j++; }
        i = j; continue;
      }
      if (has(l, 'num')) {
        let n = l.value ?? 0;
        const first = i;
        // A range ("40-50px", "10 to 20% bigger", "40–50 px"): its middle, said in a warning.
        const sep = lx[i + 1], hi = lx[i + 2];
        if (sep && hi && has(hi, 'num') && !hi.sign && (sep.norm === '-' || sep.norm === '\u2013' || sep.norm === 'to') && (hi.value ?? 0) > n && (has(lx[i + 3], 'unit') || sep.norm !== 'to') && lx[i - 1]?.norm !== 'from') {
          const mid = (n + hi.value!) / 2;
          this.mark(sep); this.mark(hi);
          this.corrections.push({ word: this.text.slice(l.start, hi.end), as: `${mid} (the middle of the range)` });
          n = mid; approx = true; i += 2;
        }
        const next2 = lx[i + 1];
        let u = sense(next2, 'unit');
        // "40 points": typographic points (a print length) after a number.
        if (!u && (next2?.norm === 'points' || next2?.norm === 'point')) u = { cat: 'unit', unit: 'pt' };
        // "20 degres", "40 pixles": a one-letter slip in the unit after a number.
        if (!u && next2 && isUnknown(next2)) {
          const fz = this.fuzzy(next2, FUZZY_UNITS);
          if (fz) u = sensesOf(fz).find((s): s is Extract<Sense, { cat: 'unit' }> => s.cat === 'unit');
        }
        const signed = l.sign && first === i ? { signed: l.sign } : {};
        let amt: Amount = { kind: 'number', value: n, approximate: approx, ...signed };
        if (u) {
          this.mark(next2!); i++;
          const to = lx[first - 1]?.norm === 'to';
          amt = u.unit === 'deg' ? { kind: 'degrees', value: n, approximate: approx, ...signed }
            : u.unit === 'px' ? { kind: 'pixels', value: n, approximate: approx, ...signed, ...(to ? { absolute: true } : {}) }
              : u.unit === 'percent' ? { kind: 'percent', value: n, approximate: approx, absolute: to, ...signed }
                : u.unit === 'turn' ? { kind: 'turns', value: n, approximate: approx, ...signed }
                  : u.unit === 'times' ? { kind: 'factor', value: n, approximate: approx, ...signed }
                    : { kind: 'length', value: n, unit: u.unit, approximate: approx };
        }
        // "50% of its width", "10% of the image": a share of something ("its": the selection);
        // "1.5 times its width", "0.5 of its height", "1/3 of its width": a share too (a move's amount).
        const byShare = amt.kind === 'percent' ? lx[i + 1]?.norm === 'of'
          : a.cls === 'move' && !l.sign && n > 0 && (amt.kind === 'factor' || (amt.kind === 'number' && n <= 10 && lx[i + 1]?.norm === 'of'));
        const sh = byShare ? this.shareOf(lx, i + 1, false) : null;
        if (sh) {
          for (let k = i + 1; k < sh.next; k++) this.mark(lx[k]!);
          const pct = amt.kind === 'percent' ? amt : { kind: 'percent' as const, value: Math.round(n * 1e6) / 1e4, approximate: approx };
          amt = { ...pct, of: sh.of, ...(sh.ofRef ? { ofRef: sh.ofRef } : {}), dim: sh.dim, words: this.text.slice(l.start, lx[sh.next - 1]!.end) };
          i = sh.next - 1;
        }
        if (amt.kind === 'percent') this.amountSpans.set(amt, { start: l.start, end: lx[i]!.end });
        a.amount = amt; approx = false;
        if (amt.kind === 'pixels' || amt.kind === 'number' || (amt.kind === 'percent' && amt.of && a.cls === 'move')) events.push({ amount: amt });
        amountEnd = i; i++; continue;
      }
      // "20% less", "20% more": the word after the amount says which way.
      if ((l.norm === 'less' || l.norm === 'more') && amountEnd === i - 1 && (a.amount?.kind === 'percent' || a.amount?.kind === 'factor')) {
        a.comparative = l.norm === 'less' ? { sense: 'down', axis: 'both', word: 'smaller' } : { sense: 'up', axis: 'both', word: 'bigger' };
        i++; continue;
      }
      const mult = sense(l, 'mult');
      // "twice its width", "double its height": a share of its size (a move's amount).
      const msh = mult && a.cls === 'move' ? this.shareOf(lx, i + 1, false) : null;
      if (mult && msh) {
        for (let k = i; k < msh.next; k++) this.mark(lx[k]!);
        a.amount = { kind: 'percent', value: mult.factor * 100, approximate: approx, of: msh.of, ...(msh.ofRef ? { ofRef: msh.ofRef } : {}), dim: msh.dim, words: this.span(lx.slice(i, msh.next)) };
        this.amountSpans.set(a.amount, { start: l.start, end: lx[msh.next - 1]!.end });
        events.push({ amount: a.amount });
        approx = false; amountEnd = msh.next - 1; i = msh.next; continue;
      }
      if (mult) {
        let j = i + 1;
        const article = lx[j]?.norm === 'a' || lx[j]?.norm === 'an';
        if (article) { this.mark(lx[j]!); j++; }
        if (sense(lx[j], 'unit')?.unit === 'turn') { this.mark(lx[j]!); a.amount = { kind: 'turns', value: mult.factor, approximate: approx }; i = j + 1; continue; }
        // "half a pixel", "half a degree", "half an inch": that share of one unit (not one unit).
        const u1h = article ? sense(lx[j], 'unit')?.unit : undefined;
        if (u1h === 'px' || u1h === 'deg' || u1h === 'cm' || u1h === 'mm' || u1h === 'in' || u1h === 'pt') {
          this.mark(lx[j]!);
          a.amount = u1h === 'px' ? { kind: 'pixels', value: mult.factor, approximate: approx } : u1h === 'deg' ? { kind: 'degrees', value: mult.factor, approximate: approx } : { kind: 'length', value: mult.factor, unit: u1h, approximate: approx };
          events.push({ amount: a.amount });
          approx = false; amountEnd = j; i = j + 1; continue;
        }
        a.amount = { kind: 'factor', value: mult.factor, approximate: approx };
        // "twice as big as the other one", "half as wide as the left one": that share of its size.
        const msj = sizeVerb ? this.sizeTarget(lx, j) : null;
        if (msj) {
          const c = sense(lx[j + 1], 'comparative');
          if (c) a.comparative = { sense: mult.factor >= 1 ? 'up' : 'down', axis: c.axis, word: c.word };
          a.matchSize = { ref: msj.ref, dim: msj.dim, text: this.span(lx.slice(j, msj.next)) };
          for (let k = j; k < msj.next; k++) this.mark(lx[k]!);
          approx = false; i = msj.next; continue;
        }
        if (lx[j]?.norm === 'as' && has(lx[j + 1], 'comparative')) {
          this.mark(lx[j]!);
          const c = sense(lx[j + 1], 'comparative')!;
          this.mark(lx[j + 1]!);
          a.comparative = { sense: mult.factor >= 1 ? 'up' : 'down', axis: c.axis, word: c.word };
          j += 2;
          if (lx[j]?.norm === 'as') { this.mark(lx[j]!); j++; const np2 = this.nounPhrase(lx, j); j = np2.next; }
        }
        approx = false; i = j; continue;
      }
      if (sense(l, 'unit')?.unit === 'turn' && lx[i - 1] && has(lx[i - 1], 'det')) { a.amount = { kind: 'turns', value: 1, approximate: approx }; i++; continue; }
      // "a pixel", "one more degree": one of the unit.
      const u1 = sense(l, 'unit')?.unit;
      if ((u1 === 'px' || u1 === 'deg') && (lx[i - 1]?.norm === 'a' || lx[i - 1]?.norm === 'an') && (l.norm === 'pixel' || l.norm === 'px' || l.norm === 'degree' || l.norm === 'deg')) {
        a.amount = u1 === 'px' ? { kind: 'pixels', value: 1, approximate: approx } : { kind: 'degrees', value: 1, approximate: approx };
        events.push({ amount: a.amount });
        amountEnd = i; i++; continue;
      }
      const comp = sense(l, 'comparative');
      // "80% as big", "50% as wide": the new size, not 80% more.
      if (comp && lx[i - 1]?.norm === 'as' && amountEnd === i - 2 && a.amount?.kind === 'percent' && !a.amount.signed) {
        a.amount = { ...a.amount, absolute: true };
        a.comparative = { sense: a.amount.value >= 100 ? 'up' : 'down', axis: comp.axis, word: comp.word };
        i++; continue;
      }
      if (comp && !(has(l, 'dir') && a.cls !== 'scale')) {
        a.comparative = { sense: comp.sense, axis: comp.axis, word: comp.word, ...(POSITIVE_ADJ.has(l.norm) ? { positive: true } : {}) };
        i++; continue;
      }
      const rot = sense(l, 'rot');
      if (rot) { a.rotation = rot.sense; i++; continue; }
      // "all the way left", "all the way to the top": to that border of the picture, not a default amount.
      if (l.norm === 'all the way') {
        let j = i + 1;
        // ("all the way over to the left", "all the way up to the top")
        while (lx[j] && (['over', 'to', 'the'].includes(lx[j]!.norm) || ((lx[j]!.norm === 'up' || lx[j]!.norm === 'down') && lx[j + 1]?.norm === 'to'))) j++;
        const d = placeDir(lx[j]);
        if (d === 'left' || d === 'right' || d === 'up' || d === 'down') {
          const after = lx[j + 1];
          if (!(after && (after.norm === 'of' || has(after, 'noun') || isUnknown(after) || sense(after, 'ref')?.ref === 'one'))) {
            let end = j + 1;
            if (PLACE_NOUNS.has(lx[end]?.norm ?? '')) end++;
            for (let k = i + 1; k < end; k++) this.mark(lx[k]!);
            a.place = { ...a.place, ...(d === 'left' || d === 'right' ? { x: d } : { y: d === 'up' ? 'top' : 'bottom' }) };
            if (!a.directions.includes(d)) a.directions.push(d);
            i = end; continue;
          }
        }
      }
      const qty = sense(l, 'qty');
      if (qty && !(l.norm === 'far' && has(next, 'dir'))) {
        if (!a.amount || a.amount.kind === 'qualitative') a.amount = { kind: 'qualitative', size: qty.size, approximate: approx, words: l.norm };
        i++; continue;
      }
      if (qty) { if (!a.amount) a.amount = { kind: 'qualitative', size: qty.size, approximate: approx, words: l.norm }; i++; continue; }
      const dir = sense(l, 'dir');
      if (dir) {
        if (!a.directions.includes(dir.dir)) a.directions.push(dir.dir);
        if (dir.dir === 'left' || dir.dir === 'right' || dir.dir === 'up' || dir.dir === 'down') events.push({ dir: dir.dir });
        i++; continue;
      }
      // "from right to left", "from bottom to upper": the direction is from the first place to the second.
      if (l.norm === 'from' && lx[i + 2]?.norm === 'to' && placeDir(lx[i + 1]) && placeDir(lx[i + 3])) {
        const d = placeDir(lx[i + 3])!;
        for (let k = 1; k <= 3; k++) this.mark(lx[i + k]!);
        if (!a.directions.includes(d)) a.directions.push(d);
        i += 4; continue;
      }
      const prep = sense(l, 'prep');
      if (prep && DEST_PREPS.has(l.norm)) {
        // A place in the picture: "to the top left", "in the middle", "to the left edge".
        const pl = PLACE_PREPS.has(l.norm) ? this.place(lx, i + 1) : null;
        if (pl) {
          a.place = { ...a.place, ...pl.place };
          for (const d of pl.dirs) if (!a.directions.includes(d)) a.directions.push(d);
          const dest = this.nounPhrase(lx, i + 1).ref;
          if (dest.kind !== 'none' || dest.parts.length || dest.words.length) a.destination = dest;
          i = pl.next; continue;
        }
        if (l.norm === 'away' && lx[i + 1]?.norm === 'from') { this.mark(lx[i + 1]!); i++; if (!a.directions.includes('apart')) a.directions.push('apart'); }
        const np2 = this.nounPhrase(lx, i + 1);
        const dest = np2.ref;
        if (l.norm === 'to' && dest.kind === 'none' && dest.positions.length === 0) { i = np2.next; continue; }
        const destPositions = [...dest.positions, ...dest.parts.filter((w): w is Position => w in POS_TO_DIR)];
        const destDirs = destPositions.map((p) => POS_TO_DIR[p]).filter((d): d is Direction => !!d);
        if (['to', 'toward', 'towards', 'into', 'onto'].includes(l.norm)) for (const d of destDirs) if (!a.directions.includes(d)) a.directions.push(d);
        if (dest.words.length || dest.parts.length || dest.kind !== 'none') {
          if (l.norm === 'from' || l.norm === 'off' || l.norm === 'with') { /* source / instrument: recorded in text only */ }
          else a.destination = dest;
        }
        i = np2.next; continue;
      }
      if (has(l, 'filler') || has(l, 'det') || has(l, 'prep') || has(l, 'state')) { i++; continue; }
      if (isUnknown(l)) {
        // "20% biger", "clockwsie": a one-letter slip in a comparative or a rotation sense.
        const fz = this.fuzzy(l, FUZZY_MODIFIERS);
        const fs = fz ? sensesOf(fz) : [];
        const c2 = fs.find((s): s is Extract<Sense, { cat: 'comparative' }> => s.cat === 'comparative');
        const r2 = fs.find((s): s is Extract<Sense, { cat: 'rot' }> => s.cat === 'rot');
        if (c2) { a.comparative = { sense: c2.sense, axis: c2.axis, word: c2.word }; i++; continue; }
        if (r2) { a.rotation = r2.sense; i++; continue; }
        if (amountEnd === i - 1) this.unknownAfterAmount = true;
        this.note(l, 'ignored');
      }
      i++;
    }
    // Pair amounts with directions: "40px down 20px left" (amount first) or "down 40, left 20" (direction first).
    const legs: MoveLeg[] = [];
    let open: (typeof events)[number] | null = null;
    const amountFirst = events.length > 0 && 'amount' in events[0]!;
    for (const e of events) {
      if (('amount' in e) === amountFirst) open = e;
      else if (open) {
        const amt = 'amount' in open ? open.amount : (e as { amount: Amount }).amount;
        const d = 'dir' in open ? open.dir : (e as { dir: MoveLeg['dir'] }).dir;
        legs.push({ dir: d, amount: amt });
        open = null;
      }
    }
    if (legs.length) a.legs = legs;
    return a;
  }

  /**
   * A fraction at `i` ("a third", "two thirds", "an eighth", "by a quarter", "to a third", "by
   * half"): sets the action's amount and returns the index after it; null when there is none.
   * "… of a turn" / "… turn" is that share of a turn; "by a quarter" and "a quarter bigger" a
   * change (25% more or less, by the verb or the comparative); "to a third" or "a third (of) the
   * size" the new size.
   */
  private fraction(lx: Lexeme[], i: number, a: IntentAction): number | null {
    let k = i, ctx: 'by' | 'to' | null = null;
    if (lx[k]?.norm === 'by' || lx[k]?.norm === 'to') { ctx = lx[k]!.norm as 'by' | 'to'; k++; }
    let num = 1, counted = false;
    if (lx[k]?.norm === 'a' || lx[k]?.norm === 'an' || lx[k]?.norm === 'one') { k++; counted = true; }
    else if (has(lx[k], 'num') && !lx[k]!.sign && Number.isInteger(lx[k]!.value) && (lx[k]!.value ?? 0) > 0 && (lx[k]!.value ?? 0) < 10) { num = lx[k]!.value!; k++; counted = true; }
    const fw = lx[k]?.norm ?? '';
    const den = FRACTIONS[fw];
    if (!den) return null;
    const plural = fw.endsWith('s') && fw !== 'halves' ? true : fw === 'halves';
    if (plural !== num > 1) return null;
    // "half its width", "by a third of its height", "two thirds of the image width": a share of a size (a move's amount).
    const sh = a.cls === 'move' ? this.shareOf(lx, k + 1, false) : null;
    if (sh) {
      const first = ctx ? i + 1 : i;
      for (let j = i; j < sh.next; j++) this.mark(lx[j]!);
      a.amount = { kind: 'percent', value: Math.round((num / den) * 1e6) / 1e4, approximate: false, of: sh.of, ...(sh.ofRef ? { ofRef: sh.ofRef } : {}), dim: sh.dim, words: this.span(lx.slice(first, sh.next)) };
      this.amountSpans.set(a.amount, { start: lx[i]!.start, end: lx[sh.next - 1]!.end });
      return sh.next;
    }
    // "half" alone is read by the multiplier rules ("half a turn", "half as big"), except "by half".
    if (!counted && !(fw === 'half' && ctx === 'by')) return null;
    if (fw === 'half' && ctx !== 'by' && !has(lx[k + 1], 'comparative')) return null;
    const value = num / den;
    for (let j = i; j <= k; j++) this.mark(lx[j]!);
    k++;
    // "… of a turn", "… of a full rotation", "… turn".
    let j = k;
    if (lx[j]?.norm === 'of') j++;
    if (has(lx[j], 'det')) j++;
    if (lx[j]?.norm === 'full' || lx[j]?.norm === 'complete') j++;
    const w = lx[j]?.norm ?? '';
    if (sense(lx[j], 'unit')?.unit === 'turn' || w === 'rotation' || w === 'revolution' || w === 'circle') {
      for (let m = k; m <= j; m++) this.mark(lx[m]!);
      a.amount = { kind: 'turns', value, approximate: false };
      return j + 1;
    }
    const pct = Math.round(value * 1e6) / 1e4;
    a.amount = ctx !== 'to' && (ctx === 'by' || has(lx[k], 'comparative')) ? { kind: 'percent', value: pct, approximate: false } : { kind: 'factor', value, approximate: false };
    this.amountSpans.set(a.amount, { start: lx[i]!.start, end: lx[k - 1]!.end });
    return k;
  }

  /**
   * What a share is of, at `j`: [of] det [own] [image ['s]] (width | height | size) [of (it | the
   * selection | the image)]: "its width", "of its own height", "the image width", "the width of
   * the picture", "the size". `its`/"of it" is the selection (`region`); "the width" alone is
   * the image's, as in "10% of the width". `bare` (no number before it: "by its own width"): only
   * a possessive or a named image, not "the width" alone. Null when it names none of these, or the
   * size of something else ("the width of the saucer": not a size the planner can measure).
   */
  private shareOf(lx: Lexeme[], j0: number, bare: boolean): { of: 'image' | 'region' | 'object'; ofRef?: RegionRef; dim: 'width' | 'height' | 'size'; next: number } | null {
    let j = j0;
    if (lx[j]?.norm === 'of' && !bare) j++;
    const d = sense(lx[j], 'det');
    const poss = !!d?.possessive;
    if (d) j++;
    else if (bare) return null;
    if (poss && lx[j]?.norm === 'own') j++;
    let image = false;
    if (!poss && IMAGE_NOUNS.has(lx[j]?.norm ?? '')) { image = true; j++; if (lx[j]?.norm === "'s") j++; }
    const w = lx[j]?.norm ?? '';
    const axis = AXIS_NOUNS[w];
    const dim = axis === 'x' ? 'width' : axis === 'y' ? 'height' : w === 'size' ? 'size' : null;
    // "10% of the image": along the move.
    if (!dim && !(image && !bare && lx[j0]?.norm === 'of')) return null;
    if (dim) j++;
    let of: 'image' | 'region' | 'object' = image ? 'image' : poss || dim === 'size' ? 'region' : 'image';
    let ofRef: RegionRef | undefined;
    if (!image && !poss && dim && lx[j]?.norm === 'of') {
      const k = j + 1 + (has(lx[j + 1], 'det') && !sense(lx[j + 1], 'det')!.possessive ? 1 : 0);
      if (IMAGE_NOUNS.has(lx[k]?.norm ?? '')) { of = 'image'; j = k + 1; }
      else {
        // "the width of it", "of the selection": its own; "the width of the right one", "the width
        // of the saucer": another object's size.
        const np = this.nounPhrase(lx, j + 1);
        const r = np.ref;
        if (r.kind === 'none') return null;
        const itself = r.kind === 'it' || r.kind === 'selected' || (r.kind === 'unspecified' && !r.positions.length && r.ordinal === undefined && !r.words.length && !r.parts.length);
        if (itself) of = 'region'; else { of = 'object'; ofRef = r; }
        j = np.next;
      }
    } else if (bare && !poss && !image) return null;
    return { of, ...(ofRef ? { ofRef } : {}), dim: dim ?? 'size', next: j };
  }

  /**
   * Another object as the place to move to, at `i`: "to where the right one is", "where it was",
   * "to the left one's position", "to the position of the other one", "in place of the left one",
   * "onto the other one", "to the left one" (an object named as one: "one", "region", "other"),
   * and beside it: "next to the big one", "beside the other one". Null otherwise (a place in the
   * picture, a direction, or a noun that names no object: "to the left", "onto the table").
   */
  private regionTarget(lx: Lexeme[], i: number): RegionTarget | null {
    const seen = [...this.seen], unknown = this.unknown.length;
    // "right above the other one", "directly below it": the stress word is part of the place.
    const found = (PLACE_STRESS.has(lx[i]?.norm ?? '') ? this.regionTargetAt(lx, i + 1) : null) ?? this.regionTargetAt(lx, i);
    // The picture itself is a place ("to the centre of the image"), not another object; "where
    // it is" names no other object ("between them": the others).
    const object = (r: RegionRef): boolean => !r.words.some((w) => IMAGE_NOUNS.has(w)) && (r.kind === 'unspecified' || r.kind === 'other' || (found?.how === 'between' && r.kind === 'all'));
    if (found && object(found.ref) && (!found.and || object(found.and))) return found;
    // (Not a target: the words are read again as before, as nothing was.)
    this.seen.clear();
    for (const k of seen) this.seen.add(k);
    this.unknown.splice(unknown);
    return null;
  }

  private regionTargetAt(lx: Lexeme[], i: number): RegionTarget | null {
    const w = lx[i]?.norm ?? '';
    const objectish = (r: RegionRef): boolean => r.parts.length === 0 && (r.kind === 'other' || (r.kind === 'unspecified' && (/\b(?:one|region|object|selection|shape|thing|item)\b/i.test(r.text) || r.ordinal !== undefined)));
    const tailOf = (np: { ref: RegionRef; next: number }, how: RegionPlace, skipBe: boolean): RegionTarget => {
      let k = np.next;
      while (skipBe && k < lx.length && BE_WORDS.has(lx[k]!.norm)) k++;
      return { ref: np.ref, how, next: k };
    };
    const side = this.sideTarget(lx, i, objectish);
    if (side !== undefined) return side;
    // "closer to the other one", "towards the big one", "away from the left one", "further (away)
    // from the other one": which way it goes, relative to another object.
    const relative = ((): { how: RegionPlace; at: number } | null => {
      const w1 = lx[i + 1]?.norm, w2 = lx[i + 2]?.norm;
      if ((w === 'closer' || w === 'nearer') && w1 === 'to') return { how: 'toward', at: i + 2 };
      if (w === 'towards' || w === 'toward') return { how: 'toward', at: i + 1 };
      if (w === 'away' && w1 === 'from') return { how: 'away', at: i + 2 };
      if ((w === 'further' || w === 'farther') && w1 === 'from') return { how: 'away', at: i + 2 };
      if ((w === 'further' || w === 'farther') && w1 === 'away' && w2 === 'from') return { how: 'away', at: i + 3 };
      return null;
    })();
    if (relative) {
      const np = this.nounPhrase(lx, relative.at);
      return objectish(np.ref) ? tailOf(np, relative.how, false) : null;
    }
    // "where the right one is", "to where it was"
    let k = i;
    if ((w === 'to' || w === 'onto' || w === 'into' || w === 'in') && lx[i + 1]?.norm === 'where') k = i + 1;
    if (lx[k]?.norm === 'where' && (k > i || w === 'where')) {
      const np = this.nounPhrase(lx, k + 1);
      if (np.ref.kind === 'none' || np.ref.parts.length) return null;
      return tailOf(np, 'at', true);
    }
    // "in place of the left one"
    if (w === 'in place' && lx[i + 1]?.norm === 'of') {
      const np = this.nounPhrase(lx, i + 2);
      return np.ref.kind === 'none' || np.ref.parts.length ? null : tailOf(np, 'at', false);
    }
    if (w === 'next to' || w === 'beside' || w === 'alongside') {
      const np = this.nounPhrase(lx, i + 1);
      return objectish(np.ref) || (np.ref.kind === 'unspecified' && np.ref.parts.length === 0 && np.ref.positions.length > 0) ? tailOf(np, 'beside', false) : null;
    }
    if (w !== 'to' && w !== 'onto' && w !== 'into') return null;
    // "to the position of the other one"
    if (has(lx[i + 1], 'det') && SPOT_NOUNS.has(lx[i + 2]?.norm ?? '') && lx[i + 3]?.norm === 'of') {
      const np = this.nounPhrase(lx, i + 4);
      return np.ref.kind === 'none' || np.ref.parts.length ? null : tailOf(np, 'at', false);
    }
    const np = this.nounPhrase(lx, i + 1);
    // "to the left one's position"
    if (np.ref.possessive && np.ref.kind !== 'none' && SPOT_NOUNS.has(lx[np.next]?.norm ?? '')) return { ref: np.ref, how: 'at', next: np.next + 1 };
    // "onto the other one", "to the left one" (not "to the left of the other one": a side of it)
    if (objectish(np.ref) && !np.ref.possessive && !/\bof\b/i.test(np.ref.text) && !(np.next < lx.length && (has(lx[np.next], 'noun') || isUnknown(lx[np.next])))) return tailOf(np, 'at', false);
    return null;
  }

  /**
   * A side of another object at `i`: "to the left of the other one", "on the right side of the big
   * one", "right of the small one", "above / below / under / beneath the left one", "on top of the
   * other one", "(in) between the two others", "between the left one and the right one". Null when
   * the words name a side but no selection ("to the left of the tree", "under the table"); undefined
   * when they name no side at all (the other forms are tried).
   */
  private sideTarget(lx: Lexeme[], i: number, objectish: (r: RegionRef) => boolean): RegionTarget | null | undefined {
    const w = lx[i]?.norm ?? '';
    let how: RegionPlace, k: number;
    if (ABOVE_WORDS.has(w)) { how = w === 'atop' ? 'onTop' : 'above'; k = i + 1; }
    else if (BELOW_WORDS.has(w)) { how = 'below'; k = i + 1; }
    else if (w === 'between' || (w === 'in' && lx[i + 1]?.norm === 'between')) { how = 'between'; k = w === 'in' ? i + 2 : i + 1; }
    else {
      // [to | on | onto | at] [the] (left | right | top) [side] of: "top" only after on/onto ("on top of").
      let j = i;
      const prep = ['to', 'on', 'onto', 'at'].includes(w) ? w : null;
      if (prep) j++;
      if (has(lx[j], 'det') && !sense(lx[j], 'det')!.possessive) j++;
      const s = lx[j]?.norm ?? '';
      const det = j > (prep ? i + 1 : i);
      if (s === 'left' || s === 'right') how = s;
      else if (s === 'top' && (prep === 'on' || prep === 'onto')) how = 'onTop';
      // "to the top of the other one" (resting on it, as "on top of"), "to the bottom of the left one" (below it).
      else if ((s === 'top' || s === 'bottom') && (prep === 'to' || prep === 'at') && det) how = s === 'top' ? 'onTop' : 'below';
      else return undefined;
      j++;
      if (lx[j]?.norm === 'side' || lx[j]?.norm === 'hand side') j++;
      if (lx[j]?.norm !== 'of') return undefined;
      k = j + 1;
    }
    const named = (r: RegionRef): boolean => objectish(r) || (r.kind === 'unspecified' && r.parts.length === 0 && r.positions.length > 0);
    const np = this.nounPhrase(lx, k);
    let next = np.next;
    if (how !== 'between') return named(np.ref) ? { ref: np.ref, how, next } : null;
    // "between the other two", "between the two others", "between them": the others; "between the left one and the right one": two named.
    if (has(lx[next], 'num') && np.ref.count === undefined && np.ref.kind === 'other') {
      np.ref.count = lx[next]!.value; this.mark(lx[next]!); next++;
      np.ref.text = this.span(lx.slice(k, next));
    }
    if (lx[next]?.norm === 'and') {
      const np2 = this.nounPhrase(lx, next + 1);
      return named(np.ref) && named(np2.ref) ? { ref: np.ref, and: np2.ref, how, next: np2.next } : null;
    }
    return named(np.ref) || np.ref.kind === 'all' ? { ref: np.ref, how, next } : null;
  }

  /**
   * Another object whose size to take, at `i`: "(the) same size / width / height as NP", "as big /
   * wide / tall as NP", "the size / width / height of NP" (NP another selection: "the other one",
   * "the left one", "the big one", or a named thing "the cup"; not "before", "possible", "it" or the
   * image). Null otherwise, with the words left to be read again.
   */
  private sizeTarget(lx: Lexeme[], i: number): { ref: RegionRef; dim: 'size' | 'width' | 'height'; next: number } | null {
    const dimOf = (l: Lexeme | undefined): 'size' | 'width' | 'height' | null => {
      const w = l?.norm ?? '';
      return w === 'size' ? 'size' : AXIS_NOUNS[w] === 'x' ? 'width' : AXIS_NOUNS[w] === 'y' ? 'height' : null;
    };
    // ("scale it to the size of the other one", "resize it to the same width as the left one")
    if (lx[i]?.norm === 'to' && lx[i + 1]?.norm !== 'to') {
      const t = this.sizeTarget(lx, i + 1);
      return t && { ...t, next: t.next };
    }
    const w = lx[i]?.norm ?? '';
    let dim: 'size' | 'width' | 'height' | null, k: number;
    if (w === 'same' || w === 'the same') {
      dim = dimOf(lx[i + 1]);
      if (!dim || lx[i + 2]?.norm !== 'as') return null;
      k = i + 3;
    } else if (w === 'as' && lx[i + 2]?.norm === 'as') {
      const c = sense(lx[i + 1], 'comparative');
      if (!c || c.sense !== 'up') return null;
      dim = c.axis === 'both' ? 'size' : c.axis === 'x' ? 'width' : 'height';
      k = i + 3;
    } else if (has(lx[i], 'det') && !sense(lx[i], 'det')!.possessive && dimOf(lx[i + 1]) && lx[i + 2]?.norm === 'of') {
      dim = dimOf(lx[i + 1]);
      k = i + 3;
    } else return null;
    const seen = [...this.seen], unknown = this.unknown.length;
    const np = this.nounPhrase(lx, k);
    const r = np.ref;
    const named = /^(?:the|that|this|those|these)\b/i.test(r.text) || r.kind === 'other';
    const other = named && r.parts.length === 0 && !r.words.some((x) => IMAGE_NOUNS.has(x)) && (r.kind === 'other' || r.kind === 'unspecified');
    if (!other || !dim) {
      this.seen.clear();
      for (const x of seen) this.seen.add(x);
      this.unknown.splice(unknown);
      return null;
    }
    return { ref: r, dim, next: np.next };
  }

  /**
   * "add 20 px to its width", "add 10% to the height", "add 30 pixels to its size": a resize along
   * that axis (both for "size") by that amount, at `i` ("add"); null for any other "add" (new
   * content: "add a hat", said by the planner as such) or an amount with no unit.
   */
  private addedSize(lx: Lexeme[], i: number): IntentAction | null {
    const k = lx.findIndex((l, j) => j > i && (l.norm === 'to' || l.norm === 'onto'));
    if (k < 0) return null;
    let j = k + 1;
    const det = sense(lx[j], 'det');
    if (det) j++;
    const noun = lx[j]?.norm ?? '';
    const axis: 'x' | 'y' | 'both' | undefined = AXIS_NOUNS[noun] ?? (noun === 'size' ? 'both' : undefined);
    if (!axis) return null;
    let next = j + 1;
    let object: RegionRef | null = null;
    if (lx[next]?.norm === 'of') {
      const np = this.nounPhrase(lx, next + 1);
      if (np.ref.kind === 'none') return null;
      object = np.ref; next = np.next;
    }
    while (next < lx.length && has(lx[next], 'filler')) next++;
    if (next < lx.length) return null;
    const start = lx[i + 1]?.norm === 'another' ? i + 2 : i + 1;
    const a = this.tail(lx.slice(0, k), start, { verb: 'add', cls: 'scale', soft: false });
    const amt = a.amount;
    if (!amt || !(amt.kind === 'pixels' || amt.kind === 'percent') || amt.absolute || amt.of || a.object.kind !== 'none' || a.directions.length || a.comparative) return null;
    for (let m = i; m < lx.length; m++) this.mark(lx[m]!);
    const word = axis === 'x' ? 'wider' : axis === 'y' ? 'taller' : 'bigger';
    a.comparative = { sense: 'up', axis, word };
    a.amount = { ...amt, value: Math.abs(amt.value) };
    a.verb = `make ${word}`;
    a.object = object ?? { ...emptyRef(), kind: det?.possessive ? 'it' : 'none', possessive: !!det?.possessive, text: det?.possessive ? lx[k + 1]!.text : '' };
    a.text = this.span(lx.slice(i));
    return a;
  }

  /**
   * A place in the picture after a preposition: [det] place-word+ [corner|edge|side…] [of the
   * image]. It counts as a place (not a direction such as "to the left") when it names both
   * axes ("the top left"), the middle, a border noun ("the left edge") or the picture ("the top
   * of the image"); "of" anything else ("the left side of the table") is not the picture.
   */
  private place(lx: Lexeme[], start: number): { place: Place; dirs: Direction[]; next: number } | null {
    let k = start;
    const det = has(lx[k], 'det') && !sense(lx[k], 'det')!.possessive;
    if (det) k++;
    // "the far left", "the very top": the border itself.
    let far = false;
    if (det && (lx[k]?.norm === 'far' || lx[k]?.norm === 'very') && placeDir(lx[k + 1])) { far = true; k++; }
    let x: Place['x'], y: Place['y'], center = false, words = 0, noun = false, ofImage = false, nounOnly = false;
    const dirs: Direction[] = [];
    for (; k < lx.length; k++) {
      const w = lx[k]!.norm;
      // "the top", "the bottom", "the leftmost": nouns of a border, not only a way to go ("to the left").
      if (NOUN_PLACE_WORDS.has(w)) nounOnly = true;
      if (w === 'left' || w === 'leftmost') { x = 'left'; dirs.push('left'); }
      else if (w === 'right' || w === 'rightmost') { x = 'right'; dirs.push('right'); }
      else if (w === 'top' || w === 'upper' || w === 'up' || w === 'topmost') { y = 'top'; dirs.push('up'); }
      else if (w === 'bottom' || w === 'lower' || w === 'down' || w === 'bottommost') { y = 'bottom'; dirs.push('down'); }
      else if (w === 'middle' || w === 'center' || w === 'centre' || w === 'central') center = true;
      else break;
      words++;
    }
    if (words === 0) return null;
    if (PLACE_NOUNS.has(lx[k]?.norm ?? '')) { noun = true; k++; }
    if (lx[k]?.norm === 'of') {
      let j = k + 1;
      if (has(lx[j], 'det')) j++;
      if (!IMAGE_NOUNS.has(lx[j]?.norm ?? '')) return null;
      ofImage = true; k = j + 1;
    } else if (has(lx[k], 'noun') || isUnknown(lx[k]) || sense(lx[k], 'ref')?.ref === 'one') return null; // "the left one", "the top shelf"
    const axes = (x ? 1 : 0) + (y ? 1 : 0);
    if (!(axes === 2 || center || noun || ofImage || (det && axes === 1 && (far || nounOnly)))) return null;
    if (center) {
      if (!x && !y) { x = 'center'; y = 'center'; } else if (!noun) { x ??= 'center'; y ??= 'center'; }
    }
    for (let j = start; j < k; j++) this.mark(lx[j]!);
    return { place: { ...(x ? { x } : {}), ...(y ? { y } : {}) }, dirs, next: k };
  }

  /** A closed-class word one letter (or one swap) away from an unknown word of 5+ letters; recorded as a correction. */
  private fuzzy(l: Lexeme, candidates: readonly string[]): string | null {
    const w = l.norm;
    if (w.length < 5 || !/^[a-z]+$/.test(w)) return null;
    const hit = candidates.find((c) => Math.abs(c.length - w.length) <= 1 && editDistance1(w, c));
    if (hit && !this.corrections.some((c) => c.word === l.text)) this.corrections.push({ word: l.text, as: hit });
    return hit ?? null;
  }

  // ---- noun phrases -------------------------------------------------------------------------
  private nounPhrase(lx: Lexeme[], start: number): { ref: RegionRef; next: number } {
    const ref = emptyRef();
    let i = start, content = false;
    const nounish = (l: Lexeme | undefined): boolean =>
      !!l && (isUnknown(l) || has(l, 'noun') || has(l, 'part') || sense(l, 'ref')?.ref === 'one' || (has(l, 'position') && nounishAfter(lx, lx.indexOf(l))) || ADJ_COMPARATIVES.has(l.norm));
    const nounishAfter = (arr: Lexeme[], k: number): boolean => {
      const n = arr[k + 1];
      return !!n && (isUnknown(n) || has(n, 'noun') || has(n, 'part') || sense(n, 'ref')?.ref === 'one' || ADJ_COMPARATIVES.has(n.norm) || (has(n, 'position') && nounishAfter(arr, k + 1)));
    };
    while (i < lx.length) {
      const l = lx[i]!, next = lx[i + 1];
      const d = sense(l, 'det');
      // "make the apple a third bigger": "a third" is an amount, not the third one.
      if (d && content && (l.norm === 'a' || l.norm === 'an') && FRACTIONS[next?.norm ?? '']) break;
      if (d) {
        if (d.possessive) ref.possessive = true;
        this.mark(l); i++; continue;
      }
      const r = sense(l, 'ref');
      if (r && !(r.ref === 'one' && content && ref.kind !== 'none' && false)) {
        this.mark(l);
        if (r.ref === 'it') ref.kind = ref.kind === 'none' ? 'it' : ref.kind;
        else if (r.ref === 'them' || r.ref === 'all') ref.kind = 'all';
        else if (r.ref === 'selected') ref.kind = 'selected';
        else if (r.ref === 'other') ref.kind = 'other';
        else if (ref.kind === 'none') ref.kind = 'unspecified';
        content = true; i++;
        if ((r.ref === 'it' || r.ref === 'them' || r.ref === 'all') && next?.norm !== 'of') break;
        continue;
      }
      // A number before a noun, or right after a determiner ("the two thin towers"), counts objects.
      // ("rotate 20 degres": a slip in the unit is still a unit, not a noun being counted.)
      const slipUnit = !!next && isUnknown(next) && next.norm.length >= 5 && FUZZY_UNITS.some((u) => editDistance1(next.norm, u));
      if (has(l, 'num') && content === false && !has(next, 'unit') && !slipUnit && !l.sign && (nounish(next) || (i > start && has(lx[i - 1], 'det')))) { ref.count = l.value; this.mark(l); i++; continue; }
      const ord = sense(l, 'ordinal');
      if (ord) { ref.ordinal = ord.n; this.mark(l); content = true; if (ref.kind === 'none') ref.kind = 'unspecified'; i++; continue; }
      const pos = sense(l, 'position');
      // A position word is a modifier before a noun ("the left one"); as the head of the phrase
      // it names a part when it can ("its top") and a position otherwise ("to the left").
      if (pos && (nounishAfter(lx, i) || (content === false && i > start && has(lx[i - 1], 'det') && !has(next, 'part') && !has(l, 'part')))) {
        if (!ref.positions.includes(pos.pos)) ref.positions.push(pos.pos);
        this.mark(l); content = true; if (ref.kind === 'none') ref.kind = 'unspecified'; i++; continue;
      }
      const part = sense(l, 'part');
      if (part && (content || (i > start && has(lx[i - 1], 'det')))) {
        ref.parts.push(l.norm); this.mark(l); content = true; if (ref.kind === 'none') ref.kind = 'unspecified'; i++; continue;
      }
      // "the thin tower", "the two slim vases", "the raised arm", "the tilted sign": a word the
      // lexicon knows as an edit verb, right after the phrase's determiner or count and before its
      // noun, describes the object — it is part of its name, not an edit.
      if (!content && i > start && (has(lx[i - 1], 'det') || has(lx[i - 1], 'num')) && has(l, 'verb') && !has(l, 'noun') && nounish(next)) {
        ref.words.push(l.norm);
        this.mark(l); content = true; if (ref.kind === 'none') ref.kind = 'unspecified'; i++; continue;
      }
      if (has(l, 'noun') || isUnknown(l) || (ADJ_COMPARATIVES.has(l.norm) && nounish(next))) {
        ref.words.push(l.norm);
        if (isUnknown(l)) this.note(l, 'object');
        this.mark(l); content = true; if (ref.kind === 'none') ref.kind = 'unspecified'; i++; continue;
      }
      if (content && l.norm === 'of' && next && (has(next, 'det') || isUnknown(next) || has(next, 'ref'))) { this.mark(l); i++; continue; }
      // "the bird on the left", "the one in the middle"
      if (content && (l.norm === 'on' || l.norm === 'in' || l.norm === 'at') && has(next, 'det') && has(lx[i + 2], 'position') && !nounishAfter(lx, i + 2)) {
        const p = sense(lx[i + 2], 'position')!;
        if (!ref.positions.includes(p.pos)) ref.positions.push(p.pos);
        this.mark(l); this.mark(next!); this.mark(lx[i + 2]!); i += 3; continue;
      }
      // "the bird next to it"
      if (content && l.norm === 'next to') {
        this.mark(l); i++;
        const inner = this.nounPhrase(lx, i);
        ref.words.push('next', 'to', ...(inner.ref.words.length ? inner.ref.words : [inner.ref.kind]));
        i = inner.next; continue;
      }
      break;
    }
    ref.text = this.span(lx.slice(start, i));
    return { ref, next: i };
  }

  // ---- bookkeeping --------------------------------------------------------------------------
  private mark(l: Lexeme): void {
    const k = this.lx.indexOf(l);
    if (k >= 0) this.seen.add(k);
  }

  private note(l: Lexeme, role: UnknownWord['role']): void {
    if (!isUnknown(l)) return;
    this.mark(l);
    if (this.unknown.some((u) => u.start === l.start)) return;
    this.unknown.push({ word: l.text, start: l.start, role });
  }

  private span(lx: readonly Lexeme[]): string {
    if (lx.length === 0) return '';
    // (A subject-first clause is reordered: "it should be lower" → "lower it".)
    let lo = Infinity, hi = -Infinity;
    for (const l of lx) { if (l.start < lo) lo = l.start; if (l.end > hi) hi = l.end; }
    return this.text.slice(lo, hi);
  }
}

const COORD = String.raw`[+\-\u2212]?\d+(?:\.\d+)?`;
const COORD_PX = String.raw`(?:\s*(?:px|pixels?))?`;
/** A preposition before a point ("to", "at", "to the point", "at position", "to coordinates"). */
const POINT_PREP = String.raw`\b(?:to|at|onto|into)\s+(?:the\s+)?(?:(?:point|position|location|coordinates?|coords?|pixel|spot)\s+)?`;
/** A move verb earlier in the sentence: "put it at 120,80" is a point, "scale it to 120, 80" is not. */
const MOVE_CUE = /\b(?:move|moving|moved|put|place|placed|position|reposition|relocate|shift|bring|drag|slide|nudge|translate|transfer|send|take|center|centre)\b[^.;!?]*$/i;
const POINT_FORMS: { re: RegExp; read: (m: RegExpExecArray) => { x?: number; y?: number }; needsMove?: boolean }[] = [
  // "(400, 300)", "[400, 300]", "(400px, 300px)"
  { re: new RegExp(String.raw`${POINT_PREP}([(\[]\s*(${COORD})${COORD_PX}\s*[,;]\s*(${COORD})${COORD_PX}\s*[)\]])`, 'gid'), read: (m) => ({ x: coord(m[2]!), y: coord(m[3]!) }) },
  // "x=400 y=300", "x: 400, y: 300", "x 400 and y 300"; y first
  { re: new RegExp(String.raw`${POINT_PREP}(x\s*[=:]?\s*(${COORD})${COORD_PX}\s*(?:,|;|and|&)?\s*y\s*[=:]?\s*(${COORD})${COORD_PX})(?![\w.])`, 'gid'), read: (m) => ({ x: coord(m[2]!), y: coord(m[3]!) }) },
  { re: new RegExp(String.raw`${POINT_PREP}(y\s*[=:]?\s*(${COORD})${COORD_PX}\s*(?:,|;|and|&)?\s*x\s*[=:]?\s*(${COORD})${COORD_PX})(?![\w.])`, 'gid'), read: (m) => ({ x: coord(m[3]!), y: coord(m[2]!) }) },
  // Right after a move verb, with no "to"/"at": "move it x=400 y=300", "move it (400, 300)"
  { re: new RegExp(String.raw`\b(?:it|them|this|that|selection|region|object)\s+(x\s*[=:]\s*(${COORD})${COORD_PX}\s*(?:,|;|and|&)?\s*y\s*[=:]\s*(${COORD})${COORD_PX})(?![\w.])`, 'gid'), read: (m) => ({ x: coord(m[2]!), y: coord(m[3]!) }), needsMove: true },
  { re: new RegExp(String.raw`\b(?:it|them|this|that|selection|region|object)\s+([(\[]\s*(${COORD})${COORD_PX}\s*[,;]\s*(${COORD})${COORD_PX}\s*[)\]])`, 'gid'), read: (m) => ({ x: coord(m[2]!), y: coord(m[3]!) }), needsMove: true },
  // "to x=400": one axis (the other stays)
  { re: new RegExp(String.raw`${POINT_PREP}((x|y)\s*[=:]\s*(${COORD})${COORD_PX})(?![\w.])`, 'gid'), read: (m) => (m[2]!.toLowerCase() === 'x' ? { x: coord(m[3]!) } : { y: coord(m[3]!) }) },
  // "at 120,80", "to 400, 300" after a move verb (not a percentage, an angle, a factor or a length)
  { re: new RegExp(String.raw`${POINT_PREP}((${COORD})${COORD_PX}\s*,\s*(${COORD})${COORD_PX})(?![\w.%\u00b0\u00d7,]|\s*(?:%|percent|\u00b0|deg|times|cm|mm|in\b|inch|pt\b|points?\b))`, 'gid'), read: (m) => ({ x: coord(m[2]!), y: coord(m[3]!) }), needsMove: true },
];

function coord(s: string): number {
  return Number(s.replace('\u2212', '-'));
}

/** Points of the document written as coordinates after "to"/"at" (see {@link POINT_FORMS}), by character span. */
function findPoints(text: string): { start: number; end: number; x?: number; y?: number }[] {
  const out: { start: number; end: number; x?: number; y?: number }[] = [];
  for (const f of POINT_FORMS) {
    f.re.lastIndex = 0;
    for (let m = f.re.exec(text); m; m = f.re.exec(text)) {
      const [start, end] = m.indices![1]!;
      if (out.some((o) => start < o.end && end > o.start)) continue;
      if (f.needsMove && !MOVE_CUE.test(text.slice(0, m.index))) continue;
      out.push({ start, end, ...f.read(m) });
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

/** The screen direction a place word stands for ("left", "top", "upper", "bottom", "down"). */
function placeDir(l: Lexeme | undefined): Direction | null {
  if (!l) return null;
  const d = sense(l, 'dir');
  if (d && (d.dir === 'left' || d.dir === 'right' || d.dir === 'up' || d.dir === 'down')) return d.dir;
  const p = sense(l, 'position');
  if (p) return p.pos === 'top' ? 'up' : p.pos === 'bottom' ? 'down' : p.pos === 'left' || p.pos === 'right' ? p.pos : null;
  return null;
}

/** The fragment opens a full noun phrase (determiner or pronoun first), not a bare noun. */
function fullNpOf(f: IntentAction): boolean {
  return /^(the|a|an|this|that|these|those|its|his|her|their|my|your|it|them|both|each|all|every|other)\b/i.test(f.object.text);
}

function emptyRef(): RegionRef {
  return { kind: 'none', positions: [], words: [], parts: [], possessive: false, text: '' };
}

function mergeModifiers(into: IntentAction, f: IntentAction): void {
  for (const d of f.directions) if (!into.directions.includes(d)) into.directions.push(d);
  if (f.legs) into.legs = [...(into.legs ?? []), ...f.legs];
  if (f.place) into.place = { ...f.place, ...into.place };
  if (f.to && !into.to) into.to = f.to;
  if (f.toRegion && !into.toRegion) into.toRegion = f.toRegion;
  // "up slightly", maybe 5px", "a bit smaller, like 15%": a number refines a word amount.
  if (f.amount && (!into.amount || (into.amount.kind === 'qualitative' && f.amount.kind !== 'qualitative' && !f.directions.length))) into.amount = f.amount;
  if (f.rotation && !into.rotation) into.rotation = f.rotation;
  if (f.destination && !into.destination) into.destination = f.destination;
  if (f.pivot && !into.pivot) into.pivot = f.pivot;
  if (f.comparative && !into.comparative) into.comparative = f.comparative;
  if (f.matchSize && !into.matchSize) into.matchSize = f.matchSize;
  into.text += ' ' + f.text;
}

export type { Direction, Position, RotationSense, VerbClass };

/** A self-correction: what the fragment says replaces the same modifiers of the last action. */
function replaceModifiers(into: IntentAction, f: IntentAction): void {
  if (f.directions.length || f.place || f.to) {
    into.directions = [...f.directions];
    if (f.place) into.place = f.place; else delete into.place;
    if (f.to) into.to = f.to; else delete into.to;
  }
  if (f.legs) into.legs = f.legs;
  else if (f.amount || f.directions.length) delete into.legs;
  if (f.amount) into.amount = f.amount;
  if (f.rotation) into.rotation = f.rotation;
  if (f.comparative) into.comparative = f.comparative;
  into.text += ' ' + f.text;
}

const BIGGER = { sense: 'up', axis: 'both', word: 'bigger' } as const;
const SMALLER = { sense: 'down', axis: 'both', word: 'smaller' } as const;

/**
 * A size stated with no bigger/smaller word: "make it 150%", "scale it 80%", "make it 0.8
 * times" give the new size; a signed percentage ("make it +20%", "-20%") is a change; a pixel
 * amount with a plain adjective ("200px wide") is a size, with a comparative ("10px wider") a change.
 */
function settleSize(a: IntentAction): void {
  const amt = a.amount;
  if (amt && amt.kind === 'percent' && amt.signed && !amt.absolute) {
    a.amount = { ...amt, value: Math.abs(amt.value) };
    if (!a.comparative) a.comparative = amt.value < 0 ? { ...SMALLER } : { ...BIGGER };
    return;
  }
  if (amt && amt.kind === 'pixels' && a.comparative?.positive) { a.amount = { ...amt, absolute: true }; return; }
  if (!a.comparative && amt && (amt.kind === 'percent' || amt.kind === 'factor')) {
    const f = amt.kind === 'percent' ? amt.value / 100 : amt.value;
    if (amt.kind === 'percent') a.amount = { ...amt, absolute: true };
    a.comparative = f >= 1 ? { ...BIGGER } : { ...SMALLER };
  }
}

/** "increase the width by 20%", "reduce its height", "make the width 200px": the scale is along that axis. */
function applyAxisNoun(a: IntentAction, lx: readonly Lexeme[]): void {
  const n = lx.find((l) => AXIS_NOUNS[l.norm]);
  if (!n) return;
  const axis = AXIS_NOUNS[n.norm]!;
  if (a.comparative) {
    if (a.comparative.axis !== 'both') return;
    const up = a.comparative.sense === 'up';
    a.comparative = { ...a.comparative, axis, word: axis === 'x' ? (up ? 'wider' : 'narrower') : up ? 'taller' : 'shorter' };
  } else if (a.amount?.kind === 'pixels') {
    a.comparative = { sense: 'up', axis, word: axis === 'x' ? 'wide' : 'tall', positive: true };
    a.amount = { ...a.amount, absolute: true };
  }
}

/** "scale it 120% horizontally", "shrink it vertically", "make it bigger horizontally": a scale along that axis. */
function applyAlongAxis(a: IntentAction): void {
  const c = a.comparative;
  if (!c || c.axis !== 'both' || a.object.parts.length) return;
  const along = /\b(vertically|horizontally)\b/i.exec(a.text)?.[1]?.toLowerCase();
  if (!along) return;
  const axis = along === 'vertically' ? 'y' : 'x', up = c.sense === 'up';
  a.comparative = { ...c, axis, word: axis === 'y' ? (up ? 'taller' : 'shorter') : up ? 'wider' : 'narrower' };
}

/** A sentence that states a convention or a unit ("my convention: counterclockwise is positive"), not an edit. */
function isConventionStatement(text: string): boolean {
  return /\bconvention\b|\bis positive\b|\bwith respect to\b|\borigin is\b/i.test(text);
}

/** Whether two words are at most one edit apart (insert, delete, substitute, or swap two neighbours). */
export function editDistance1(a: string, b: string): boolean {
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true;
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
  }
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

/** The verb an action that takes another object's size is said with ("make the same size", "make the same width"). */
function matchVerb(m: NonNullable<IntentAction['matchSize']>): string {
  return `make the same ${m.dim}`;
}

/** Copies of what is selected are said by the planner as copying, not as new content. */
const COPY_WORDS = new Set(['copy', 'copies', 'duplicate', 'duplicates', 'clone', 'clones']);

/**
 * An object phrase that names something new, not one of the selections: a noun with "a" / "an" /
 * "some" ("a hat", "an apple", "some snow"), with no position, order or part ("a bit", "one" and
 * "the cup" do not).
 */
function newContent(r: RegionRef): boolean {
  return /^(?:a|an|some)\s/i.test(r.text) && r.kind === 'unspecified' && r.words.length > 0 && !r.positions.length && r.ordinal === undefined
    && !r.parts.length && !r.words.some((w) => COPY_WORDS.has(w) || SIZE_WORDS[w]);
}
