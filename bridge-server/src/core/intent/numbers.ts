/**
 * Written numbers in edit intents: an optional sign ("+20%", "-20°", "−20"), a decimal point
 * (".5", "1.5"), a decimal comma ("1,5x": one or two digits after the comma), thousands
 * separators ("1,000px": groups of exactly three digits) and simple fractions ("1/4 turn", "3/4").
 *
 * A comma right after "(" is never a decimal comma nor a thousands separator: "(10,20)" is a pair
 * of numbers (a vector), not 10.2.
 */

/** Source of a regular expression that matches one written number (use with the `g` / `u` flags as needed). */
export const NUMBER_SRC = [
  // A sign only where a word cannot end ("x-5", "20-30" have none); digits not right after a digit or a point.
  '(?:(?<![\\w.])[+\\-\u2212](?=\\.?\\d)|(?<![\\d.]))',
  '(?:',
  '\\d+\\/[1-9]\\d*(?![\\d/.,])',
  '|(?<!\\(\\s*[+\\-\u2212]?)\\d{1,3}(?:,\\d{3})+(?![\\d,])(?:\\.\\d+)?',
  '|(?<!\\(\\s*[+\\-\u2212]?)\\d+,\\d{1,2}(?![\\d,])',
  '|\\d+(?:\\.\\d+)?',
  '|\\.\\d+',
  ')',
].join('');

/** Value of a string matched by {@link NUMBER_SRC}. */
export function numberValue(s: string): number {
  let t = s.replace(/\u2212/g, '-');
  const sign = t.startsWith('-') ? -1 : 1;
  if (t.startsWith('-') || t.startsWith('+')) t = t.slice(1);
  if (t.includes('/')) {
    const [n, d] = t.split('/');
    return sign * (Number(n) / Number(d));
  }
  if (t.includes(',')) t = /,\d{3}(?!\d)/.test(t) ? t.replace(/,/g, '') : t.replace(',', '.');
  return sign * Number(t);
}

/** The sign written in front of a number, if any. */
export function writtenSign(s: string): '+' | '-' | undefined {
  return s.startsWith('+') ? '+' : s.startsWith('-') || s.startsWith('\u2212') ? '-' : undefined;
}

/**
 * The text with every written number in plain JavaScript form ("1,5" → "1.5", "1,000" → "1000",
 * ".5" → "0.5", "1/4" → "0.25", "−20" → "-20", "+20" → "20") and degree look-alikes (º U+00BA,
 * ˚ U+02DA) as "°", for readers that match numbers with simple patterns.
 */
export function normalizeNumbers(text: string): string {
  return text
    .replace(new RegExp(NUMBER_SRC, 'g'), (m) => {
      const v = numberValue(m);
      return Number.isFinite(v) ? String(Math.round(v * 1e6) / 1e6) : m;
    })
    .replace(/[\u00ba\u02da]/g, '°');
}
