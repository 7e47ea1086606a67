/**
 * Tokenizer and lexeme segmentation for edit intents: text → tokens (words, numbers, symbols,
 * punctuation, with character offsets) → lexemes (a token or a fixed multi-word expression,
 * each with its lexicon senses).
 */
import { isLexical, lemmaCandidates, MAX_EXPRESSION_WORDS, numberWord, sensesOf, type Sense } from './lexicon';
import { NUMBER_SRC, numberValue, writtenSign } from './numbers';

/** One token of the input with its character span. */
export interface Token {
  text: string;
  /** Lower-case form used for lookup. */
  norm: string;
  start: number;
  end: number;
  type: 'word' | 'number' | 'symbol' | 'punct';
  /** Value of a number token ("1,5" → 1.5, "1/4" → 0.25, "-20" → -20). */
  value?: number;
  /** A sign written in front of a number ("+20%", "-20°"). */
  sign?: '+' | '-';
}

/** A token or multi-word expression with every sense the lexicon gives it. */
export interface Lexeme {
  text: string;
  norm: string;
  start: number;
  end: number;
  senses: Sense[];
  /** Base form when the senses came from an inflected word ("rotating" → "rotate"). */
  lemma?: string;
  /** An -ing form (gerund / participle). */
  gerund: boolean;
  /** Numeric value of a number token. */
  value?: number;
  /** A sign written in front of the number ("+20%", "-20°"): a change, not a size. */
  sign?: '+' | '-';
}

// Numbers (signs, decimal points and commas, thousands, fractions: see numbers.ts), words, unit
// symbols (°, and its look-alikes º U+00BA and ˚ U+02DA), punctuation (brackets end a clause).
// A word is letters of any script with their accents ("déplacer", "café": one word, not "d" + "é" +
// "placer"), except º, which is the degree sign's look-alike. Emoji variation selectors are skipped.
const LETTER = '(?:(?![\u00ba\ufe0e\ufe0f])[\\p{L}\\p{M}])';
const TOKEN_RE = new RegExp(`(${NUMBER_SRC})|(${LETTER}+(?:['’]${LETTER}+)?(?:-${LETTER}+(?:['’]${LETTER}+)?)*)|([°%~×\u00ba\u02da])|([,;.!?()\\[\\]\u2013\u2014])|((?![\ufe0e\ufe0f\u200d])\\S)`, 'giu'); // u: an emoji is one symbol, not two halves
/** Contractions that are words of their own, not a possessive "'s". */
const KEEP_APOSTROPHE = new Set(["it's", "let's", "that's", "what's", "there's", "here's", "he's", "she's"]);

/** Split text into tokens. Hyphenated compounds unknown to the lexicon split into their parts. */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  const push = (t: string, start: number, type: Token['type']): void => {
    out.push({ text: t, norm: t.toLowerCase().replace(/’/g, "'"), start, end: start + t.length, type });
  };
  for (const m of text.matchAll(TOKEN_RE)) {
    const start = m.index ?? 0;
    if (m[1]) {
      const sign = writtenSign(m[1]);
      out.push({ text: m[1], norm: m[1], start, end: start + m[1].length, type: 'number', value: numberValue(m[1]), ...(sign ? { sign } : {}) });
    }
    else if (m[2]) {
      let w = m[2];
      const lw = w.toLowerCase().replace(/’/g, "'");
      if (/'s$/.test(lw) && !KEEP_APOSTROPHE.has(lw) && !isLexical(lw)) {
        // Possessive: "butterfly's" → "butterfly" + "'s".
        w = w.slice(0, -2);
        pushWord(w, start);
        push(m[2].slice(-2), start + w.length, 'word');
        continue;
      }
      pushWord(w, start);
    } else if (m[3]) push(m[3], start, 'symbol');
    else if (m[4]) push(m[4], start, 'punct');
    else if (m[5]) push(m[5], start, 'symbol');
  }
  return out;

  function pushWord(w: string, start: number): void {
    if (w.includes('-') && !isLexical(w.toLowerCase())) {
      let off = 0;
      for (const part of w.split('-')) {
        if (part) push(part, start + off, 'word');
        off += part.length + 1;
      }
    } else push(w, start, 'word');
  }
}

/** Phrasal verbs whose particle may follow their object pronoun ("blow it up"): verb → particles. */
const SPLIT_PHRASAL: Readonly<Record<string, readonly string[]>> = { blow: ['up'], size: ['up', 'down'] };
const OBJECT_PRONOUNS: ReadonlySet<string> = new Set(['it', 'them', 'this', 'that', 'these', 'those']);
/** Units that "a" / "an" counts one of. */
const ONE_OF_UNITS: ReadonlySet<string> = new Set(['px', 'deg', 'cm', 'mm', 'in', 'pt']);

/**
 * Group tokens into lexemes: the longest multi-word expression the lexicon knows wins; single
 * words fall back to their lemma (verbs only) when the inflected form is unknown.
 */
/** Verbs that take "out" a few words on ("stick the tongue out"), by inflection → lemma. */
const OUT_PHRASAL = new Map([['stick', 'stick'], ['sticks', 'stick'], ['sticking', 'stick'], ['poke', 'poke'], ['pokes', 'poke'], ['poking', 'poke']]);

export function lexemes(tokens: readonly Token[]): Lexeme[] {
  const out: Lexeme[] = [];
  for (let i = 0; i < tokens.length; ) {
    const t = tokens[i]!;
    if (t.type === 'number') {
      const value = t.value ?? Number(t.text);
      out.push({ text: t.text, norm: t.norm, start: t.start, end: t.end, senses: [{ cat: 'num', value }], gerund: false, value, ...(t.sign ? { sign: t.sign } : {}) });
      i++;
      continue;
    }
    // A split phrasal verb: "blow it up", "size them down" read as "blow up", "size down"; the
    // particle is taken by the verb (not a direction).
    const particle = tokens[i + 2];
    if (t.type === 'word' && particle?.type === 'word' && SPLIT_PHRASAL[t.norm]?.includes(particle.norm) && OBJECT_PRONOUNS.has(tokens[i + 1]?.norm ?? '')) {
      const expr = `${t.norm} ${particle.norm}`;
      out.push({ text: t.text, norm: expr, start: t.start, end: t.end, senses: [...sensesOf(expr)], gerund: false });
      const pron = tokens[i + 1]!;
      out.push({ text: pron.text, norm: pron.norm, start: pron.start, end: pron.end, senses: [...sensesOf(pron.norm)], gerund: false });
      i += 3;
      continue;
    }
    // "stick the tongue out", "poke its head out": the verb takes the particle a few words on (not
    // a direction), when nothing but its object lies between them.
    if (t.type === 'word' && (OUT_PHRASAL.has(t.norm))) {
      let j = i + 1;
      while (j < tokens.length && j <= i + 4 && tokens[j]!.type === 'word' && tokens[j]!.norm !== 'out' && !sensesOf(tokens[j]!.norm).some((s) => s.cat === 'verb' || s.cat === 'dir')) j++;
      if (j > i + 1 && tokens[j]?.norm === 'out') {
        const expr = `${OUT_PHRASAL.get(t.norm)} out`;
        out.push({ text: t.text, norm: expr, start: t.start, end: t.end, senses: [...sensesOf(expr)], gerund: false });
        for (let k = i + 1; k < j; k++) { const w = tokens[k]!; out.push({ text: w.text, norm: w.norm, start: w.start, end: w.end, senses: [...sensesOf(w.norm)], gerund: false }); }
        i = j + 1;
        continue;
      }
    }
    // "a pixel", "an inch", "a degree": one of the unit ("move it a pixel left", "by an inch").
    // Not "a turn" or "a percent": "give it a turn" is no amount.
    const after = tokens[i + 1];
    if ((t.norm === 'a' || t.norm === 'an') && after?.type === 'word' && sensesOf(after.norm).some((s) => s.cat === 'unit' && ONE_OF_UNITS.has(s.unit))) {
      out.push({ text: t.text, norm: t.norm, start: t.start, end: t.end, senses: [{ cat: 'num', value: 1 }], gerund: false, value: 1 });
      i++;
      continue;
    }
    // Number words: "twenty five", "twenty-two", "two hundred (and) fifty", "a hundred".
    const nw = numberWords(tokens, i);
    if (nw) {
      const span = tokens.slice(i, nw.next);
      out.push({ text: span.map((s) => s.text).join(' '), norm: span.map((s) => s.norm).join(' '), start: t.start, end: span[span.length - 1]!.end, senses: [{ cat: 'num', value: nw.value }], gerund: false, value: nw.value });
      i = nw.next;
      continue;
    }
    let matched = false;
    for (let n = Math.min(MAX_EXPRESSION_WORDS, tokens.length - i); n >= 2; n--) {
      const span = tokens.slice(i, i + n);
      if (span.some((s) => s.type === 'number')) continue;
      const expr = span.map((s) => s.norm).join(' ');
      if (isLexical(expr)) {
        const last = span[n - 1]!;
        const senses = [...sensesOf(expr)];
        const num = senses.find((s) => s.cat === 'num');
        out.push({ text: span.map((s) => s.text).join(' '), norm: expr, start: t.start, end: last.end, senses, gerund: false, ...(num && num.cat === 'num' ? { value: num.value } : {}) });
        i += n;
        matched = true;
        break;
      }
    }
    if (matched) continue;
    let senses = [...sensesOf(t.norm)];
    let lemma: string | undefined;
    if (senses.length === 0 && t.type === 'word') {
      for (const cand of lemmaCandidates(t.norm).slice(1)) {
        const vs = sensesOf(cand).filter((s) => s.cat === 'verb');
        if (vs.length) { senses = vs; lemma = cand; break; }
      }
    }
    const num = senses.find((s) => s.cat === 'num');
    out.push({
      text: t.text, norm: t.norm, start: t.start, end: t.end, senses,
      ...(lemma ? { lemma } : {}),
      gerund: t.type === 'word' && t.norm.length > 4 && t.norm.endsWith('ing'),
      ...(num && num.cat === 'num' ? { value: num.value } : {}),
    });
    i++;
  }
  return out;
}

/**
 * A run of two or more number words read as one number ("twenty five" → 25, "two hundred" → 200,
 * "one hundred and fifty" → 150); null for a single word (the lexicon gives its value).
 */
function numberWords(tokens: readonly Token[], i: number): { value: number; next: number } | null {
  const val = (k: number): number | undefined => (tokens[k]?.type === 'word' && tokens[k]!.norm !== 'dozen' ? numberWord(tokens[k]!.norm) : undefined);
  if (val(i) === undefined) return null;
  let total = 0, cur = 0, k = i, words = 0, last: number | undefined;
  while (k < tokens.length) {
    const v = val(k);
    // "two hundred and fifty": "and" only between a hundred / thousand and a smaller number.
    if (v === undefined && tokens[k]!.norm === 'and' && (last === 100 || last === 1000) && (val(k + 1) ?? 100) < 100) { k++; continue; }
    if (v === undefined) break;
    if (v === 100) {
      if (last !== undefined && (last >= 100 || cur >= 100)) break;
      cur = (cur || 1) * 100;
    } else if (v === 1000) { total += (cur || 1) * 1000; cur = 0; }
    else if (last !== undefined) {
      // A units word after a tens word ("twenty five"), or a number under 100 after a hundred.
      const tens = last >= 20 && last < 100 && last % 10 === 0 && v > 0 && v < 10;
      const afterHundred = (last === 100 || last === 1000) && v < 100;
      if (!tens && !afterHundred) break;
      cur += v;
    } else cur = v;
    last = v; words++; k++;
  }
  return words < 2 ? null : { value: total + cur, next: k };
}
