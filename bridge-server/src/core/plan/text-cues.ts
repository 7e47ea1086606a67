/**
 * Cues the rule reasoner reads from the raw intent text where the parse keeps no trace of them:
 * wording that keeps a kind of edit unchanged ("keep it in place", "same size", "keep it
 * upright"), words about the arrow itself
 * ("the other way", "half as far", "10 px further", "not so much"), "also" (an edit on top of the
 * arrow's), "lean left", and "this arrow is for the left one".
 *
 * These are deliberately narrow patterns: each one is a whole idiom about the selection, so an
 * ordinary sentence ("keeping it sitting on the table", "keep the background intact") matches none.
 */
import type { DragKind } from '../types';
import type { Position } from '../intent/lexicon';

/** A region named by position or order in a cue ("the right one", "the first one"). */
export interface CueRegion { positions: Position[]; ordinal?: number; text: string }

export interface TextCues {
  /** Kinds the text keeps unchanged for the selection ("keep it in place" → translate), with the words. */
  keepKinds: Map<DragKind, string>;
  /** "the other way", "in the opposite direction", "reverse it": the arrow's move/turn reversed. */
  reverse: string | null;
  /** The arrow's amount changed by a factor ("half as far" 0.5, "a little further" 1.25, "not so much" 0.5). */
  factor: { value: number; words: string; kind?: DragKind } | null;
  /** The arrow's amount changed by a stated amount ("10 px further" +10, "10 degrees less" −10). */
  delta: { value: number; unit: 'px' | 'deg' | null; words: string } | null;
  /** "also", "as well", "too": the text's edit comes on top of the arrow's. */
  also: boolean;
  /** "make it lean left": a turn with a sense (left = counter-clockwise). */
  lean: { sense: 'cw' | 'ccw'; words: string } | null;
  /** "this arrow is for the left one": the arrow belongs to another region. */
  arrowFor: { region: CueRegion; words: string } | null;
}

const NEG = String.raw`(?:don'?t|do not|never|shouldn'?t|should not|mustn'?t|must not|can'?t|cannot|can not|won'?t|will not|may not|not)`;
const REGION = String.raw`the\s+(left|right|top|bottom|upper|lower|first|second|last|other)(?:\s+one)?`;

const KEEP: { kind: DragKind; re: RegExp }[] = [
  // position
  { kind: 'translate', re: /\b(?:keep|leave|hold)\s+(?:it|them|this|that)\s+(?:in\s+(?:its\s+|the\s+same\s+)?(?:place|position|spot)|where\s+(?:it|they)\s+(?:is|are)|still|put|fixed|in\s+position)\b/ },
  { kind: 'translate', re: /\bkeep\s+(?:its|their|the)\s+(?:current\s+|original\s+|same\s+)?(?:position|place|location|spot)\b(?!\s+of\b)/ },
  { kind: 'translate', re: /\bstays?\s+(?:put|in\s+place|where\s+(?:it|they)\s+(?:is|are)|still)\b/ },
  { kind: 'translate', re: new RegExp(String.raw`\b${NEG}\s+(?:change|alter|touch|shift)\s+(?:its|their|the)\s+(?:position|place|location)\b(?!\s+of\b)`) },
  { kind: 'translate', re: new RegExp(String.raw`\b(?:it|they|this|that)\s+${NEG}\s+(?:be\s+)?(?:move|moved|shift|shifted|budge)\b`) },
  { kind: 'translate', re: /\b(?:same|current)\s+(?:position|place|location|spot)\b(?!\s+of\b)(?!\s+as\s+(?!before\b|now\b|it\s+is\b|it\s+was\b|they\s+are\b))/ },
  // size
  { kind: 'scale', re: new RegExp(String.raw`\b${NEG}\s+make\s+(?:it|them)\s+(?:any\s+)?(?:bigger|smaller|larger|tinier)\b`) },
  { kind: 'scale', re: new RegExp(String.raw`\b${NEG}\s+(?:resize|rescale|scale|enlarge|shrink|grow)\b`) },
  { kind: 'scale', re: /\bkeep\s+(?:its|their|the)\s+(?:current\s+|original\s+|same\s+)?(?:size|scale)\b(?!\s+of\b)/ },
  { kind: 'scale', re: /\bkeep\s+(?:it|them)\s+(?:at\s+)?(?:the\s+)?same\s+size\b(?!\s+as\s+(?!before\b|now\b|it\s+is\b|it\s+was\b|they\s+are\b))/ },
  { kind: 'scale', re: /\bsame\s+size\b(?!\s+as\s+(?!before\b|now\b|it\s+is\b|it\s+was\b|they\s+are\b))/ },
  { kind: 'scale', re: new RegExp(String.raw`\b${NEG}\s+(?:change|alter|touch)\s+(?:its|their|the)\s+(?:size|scale)\b(?!\s+of\b)`) },
  // angle
  { kind: 'rotate', re: /\bkeep\s+(?:its|their|the)\s+(?:current\s+|original\s+|same\s+)?(?:angle|orientation|rotation|tilt)\b(?!\s+of\b)/ },
  { kind: 'rotate', re: /\bkeep\s+(?:it|them)\s+(?:upright|straight|level|vertical|horizontal|square|the\s+same\s+way\s+up)\b/ },
  { kind: 'rotate', re: new RegExp(String.raw`\b${NEG}\s+(?:change|alter|touch)\s+(?:its|their|the)\s+(?:angle|orientation|rotation|tilt)\b(?!\s+of\b)`) },
  { kind: 'rotate', re: /\bsame\s+(?:angle|orientation)\b(?!\s+as\s+(?!before\b|now\b|it\s+is\b|it\s+was\b|they\s+are\b))/ },
];

const VERB_KIND: Record<string, DragKind[]> = {
  move: ['translate'], shift: ['translate'], slide: ['translate'], drag: ['translate'],
  rotate: ['rotate'], turn: ['rotate'], tilt: ['rotate'], spin: ['rotate'],
  scale: ['scale'], resize: ['scale'], enlarge: ['scale'], shrink: ['scale'], grow: ['scale'],
  touch: [], change: [], edit: [],
};

function cueRegion(word: string, text: string): CueRegion {
  const ord: Record<string, number> = { first: 1, second: 2, last: -1 };
  if (word in ord) return { positions: [], ordinal: ord[word], text };
  const pos = word === 'upper' ? 'top' : word === 'lower' ? 'bottom' : word;
  return { positions: pos === 'other' ? [] : [pos as Position], text };
}

/** Lower-cased text with curly apostrophes made straight. */
function norm(text: string): string {
  return text.toLowerCase().replace(/[\u2018\u2019]/g, "'").replace(/\s+/g, ' ');
}

export function readCues(raw: string): TextCues {
  const t = norm(raw);
  const keepKinds = new Map<DragKind, string>();
  for (const k of KEEP) {
    const m = k.re.exec(t);
    if (m && !keepKinds.has(k.kind)) keepKinds.set(k.kind, m[0]);
  }
  // (A region kept by position, "don't move the right one", "leave the left one where it is", is
  // the parse's constraint: see keptRegions in rule-reasoner.ts.)

  const rev = /\b(?:the\s+other\s+way(?!\s+(?:up|round|around))|(?:the\s+)?opposite\s+(?:way|direction)|in\s+reverse|reverse\s+(?:it|them|the\s+(?:direction|arrow|move|turn|rotation))|^reverse$)\b/.exec(t);

  let factor: TextCues['factor'] = null;
  const fm = /\b(half|twice|two\s+times|double|three\s+times|thrice)\s+as\s+(far|much)\b/.exec(t);
  if (fm) factor = { value: ({ half: 0.5, twice: 2, double: 2, thrice: 3 } as Record<string, number>)[fm[1]!] ?? (fm[1]!.startsWith('two') ? 2 : 3), words: fm[0] };
  const lm = /\b(a\s+(?:little|bit|tad)|slightly|much|a\s+lot|way)\s+(further|farther|more|less)\b/.exec(t);
  if (!factor && lm && !/\b(bigger|smaller|larger)\b/.test(t)) {
    const big = /much|a lot|way/.test(lm[1]!);
    factor = { value: lm[2] === 'less' ? (big ? 0.5 : 0.75) : big ? 2 : 1.25, words: lm[0] };
  }
  const less = /\b(?:less\s+far|not\s+(?:as|so)\s+far|not\s+(?:as|so)\s+much|(?:a\s+)?shorter\s+distance)\b/.exec(t);
  if (!factor && less) factor = { value: 0.5, words: less[0] };
  // "don't rotate it so much", "don't move it that far": less of it, not none.
  const soMuch = new RegExp(String.raw`\b${NEG}\s+(move|shift|rotate|turn|tilt|scale|shrink|enlarge|grow)\s+(?:it|them)\s+(?:so|that|too)\s+(much|far)\b`).exec(t);
  if (soMuch) {
    const kind = (VERB_KIND[soMuch[1]!] ?? ['translate'])[0]!;
    factor = { value: 0.5, words: soMuch[0], kind };
    keepKinds.delete(kind); // "don't shrink it so much" keeps some scaling
  }

  let delta: TextCues['delta'] = null;
  const dm = /(\d+(?:\.\d+)?)\s*(px|pixels?|°|degrees?|deg)?\s+(?:further|farther|more|less|fewer)\b|(\d+(?:\.\d+)?)\s*(px|pixels?|°|degrees?|deg)?\s*(?:further|farther|more|less|fewer)\b/.exec(t);
  if (dm) {
    const n = Number(dm[1] ?? dm[3]), u = dm[2] ?? dm[4];
    const sign = /\b(less|fewer)\b/.test(dm[0]) ? -1 : 1;
    delta = { value: sign * n, unit: !u ? null : /^(px|pixel)/.test(u) ? 'px' : 'deg', words: dm[0] };
  }

  const lean = /\b(?:lean|leans|leaning)\s+(?:over\s+)?(?:to\s+(?:the\s+)?|towards?\s+the\s+)?(left|right)\b/.exec(t);
  const af = new RegExp(String.raw`\b(?:this|the|that|my)\s+(?:arrow|drag|line)\s+(?:is|was)\s+(?:meant\s+)?for\s+${REGION}`).exec(t);

  return {
    keepKinds, reverse: rev ? rev[0] : null, factor, delta,
    also: /\b(?:also|as\s+well|too)\b/.test(t),
    lean: lean ? { sense: lean[1] === 'left' ? 'ccw' : 'cw', words: lean[0] } : null,
    arrowFor: af ? { region: cueRegion(af[1]!, af[0]), words: af[0] } : null,
  };
}
