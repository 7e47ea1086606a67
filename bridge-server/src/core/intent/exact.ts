/**
 * Exact geometric amounts in an intent that the word parser does not model: signed vectors
 * ("by a vector of (80, -40) pixels"), per-axis amounts ("80 pixels to the right and 40 pixels
 * up"), polar moves ("45 degrees direction and 100 pixels magnitude"), stated sign conventions
 * ("my convention: counterclockwise is positive", "the origin is the bottom left corner"), moves
 * to an image corner, and scales to a share of the image or to a width/height in pixels.
 *
 * The result is unresolved (a share of the image, a target width): the planner turns it into
 * parameters with the image size and the region's bounding box.
 */

import { normalizeNumbers } from './numbers';
import { parseIntent } from './parse';

export type ExactEdit =
  /** Screen pixels, y down. */
  | { kind: 'translate'; dx: number; dy: number; unit: 'px' }
  /** Fractions of the image width / height, y down. */
  | { kind: 'translate'; dx: number; dy: number; unit: 'image' }
  /** Put the region's bounding box at a corner / edge centre / centre of the image. */
  | { kind: 'translate'; corner: { x: 'left' | 'center' | 'right'; y: 'top' | 'center' | 'bottom' } }
  /** Degrees, + = clockwise on screen. */
  | { kind: 'rotate'; angleDeg: number }
  | { kind: 'scale'; factor: number }
  /** Bounding box to this share of the image (mean of the width and height ratios). */
  | { kind: 'scale'; imageShare: number }
  | { kind: 'scale'; widthPx: number }
  | { kind: 'scale'; heightPx: number };

// A minus sign only where a word cannot end: "40-50px" is a range, not 40 and −50.
const NUM = '((?<![\\w.])-?\\d+(?:\\.\\d+)?)';
const MOVE_WORDS = /\b(move|moving|moved|displace|displaced|translate|translated|shift|shifted|movement|slide|nudge|push|pull|drag|relocate|reposition|offset|put|place|placed)\b/;
const ROTATE_WORDS = /\b(rotate|rotated|rotating|rotation|turn|turned|spin|tilt|twist)\b/;
const SCALE_WORDS = /\b(scale|scaled|scaling|resize|resized|size|enlarge|enlarged|shrink|shrunk|reduce|increase|boost|dimensions|proportions|bigger|smaller|larger|magnify|grow)\b/;
/** Words that make a scale smaller: a factor above 1 with them divides ("shrink it 2x" = ×0.5). */
const SHRINK_WORDS = /\b(shrink|shrunk|shrinking|reduce|reduced|reducing|decrease|decreased|smaller|tinier|diminish|downscale|downsize|minimi[sz]e|down|less|zoom out)\b/;
const GROW_WORDS = /\b(enlarge|enlarged|grow|bigger|larger|increase|increased|boost|magnify|upscale|up|more|zoom in)\b/;

/** Which of the three rigid kinds the words name (null when none or more than one). */
function kindWords(text: string): 'translate' | 'rotate' | 'scale' | null {
  // "percentages are with respect to the image size" names a unit, not a resize.
  const t = text.replace(/with respect to the (?:total )?image(?: size)?/g, '');
  const m = MOVE_WORDS.test(t), r = ROTATE_WORDS.test(t) && /\b(degrees?|deg|°|clockwise|counterclockwise|anticlockwise|angle)\b/.test(t), s = SCALE_WORDS.test(t);
  const n = (m ? 1 : 0) + (r ? 1 : 0) + (s ? 1 : 0);
  if (n !== 1) {
    // "rotate the object ... by 30 degrees" can also say "size"; rotation verbs first.
    if (/\b(rotate|rotation)\b/.test(t)) return 'rotate';
    if (m && !s && !r) return 'translate';
    return null;
  }
  return m ? 'translate' : r ? 'rotate' : 'scale';
}

const DIR_SIGN: Record<string, [number, number]> = {
  left: [-1, 0], leftward: [-1, 0], leftwards: [-1, 0], right: [1, 0], rightward: [1, 0], rightwards: [1, 0],
  up: [0, -1], upward: [0, -1], upwards: [0, -1], down: [0, 1], downward: [0, 1], downwards: [0, 1],
};

/** Read the exact amounts of one intent; null when it states none of the forms above. */
export function readExact(text: string): ExactEdit | null {
  const t = normalizeNumbers(text.toLowerCase().replace(/[’]/g, "'").replace(/\s+/g, ' '));
  // A self-correction ("40px up, actually 20px", "40px left, no 20px") is one statement replacing
  // another, and a hedged number ("slightly, maybe 5px") refines a word: the parser reads them.
  if (/\b(actually|sorry|oops|i mean|i meant|scratch that|correction|no wait|never ?mind|rather than|maybe)\b|\blike\s*~?\d|,\s*no\b|\bno,/.test(t)) return null;
  // A range ("40-50px", "10 to 20%") is read by the parser (its middle, with a warning).
  if (/\d\s*(?:-|\u2013|\bto\b)\s*\d/.test(t.replace(/\([^)]*\)/g, ''))) return null;
  // The exact reader claims a text only when it is one edit: "move it 20px up then rotate it 15°"
  // is two, and the parser reads both (the exact forms below would keep only one of them).
  const parse = parseIntent(text);
  if (parse.actions.length > 1) return null;
  // A point or another object to move to ("to (400, 300)", "to where the right one is"): the parser reads it.
  if (parse.actions.some((a) => a.to || a.toRegion)) return null;
  // Position words in the object ("the one on the right 30px up") are not legs of the move.
  const objectPositions = (parse.actions[0]?.object.positions.length ?? 0) > 0;
  const kind = kindWords(t);
  const yUp = /origin is (?:the )?bottom[ -]left/.test(t);
  if (kind === 'translate') {
    // "move it to (50, 50)" names a point, not a vector: not a move by (50, 50).
    if (new RegExp(`\\b(?:to|at|onto|into)\\s+(?:the\\s+)?(?:point\\s+|position\\s+|coordinates?\\s+)?\\(\\s*${NUM}`).test(t)) return null;
    // Signed vector "(dx, dy)", in pixels or % of the image.
    const v = new RegExp(`\\(\\s*${NUM}\\s*(%?)\\s*,\\s*${NUM}\\s*(%?)\\s*\\)`).exec(t);
    if (v) {
      const x = Number(v[1]), y = Number(v[3]);
      const pct = v[2] === '%' || v[4] === '%';
      const dy = yUp ? -y : y;
      return pct ? { kind: 'translate', dx: x / 100, dy: dy / 100, unit: 'image' } : { kind: 'translate', dx: x, dy, unit: 'px' };
    }
    // Polar: "<a> degrees direction and <m> pixels magnitude" (counter-clockwise positive unless said otherwise).
    const p = new RegExp(`${NUM}\\s*(?:degrees?|°)\\s*direction and ${NUM}\\s*(?:pixels?|px) magnitude`).exec(t);
    if (p) {
      const cwPositive = /\bclockwise (?:angle )?is positive/.test(t) && !/counter-?clockwise (?:angle )?is positive|anti-?clockwise (?:angle )?is positive/.test(t);
      const a = (Number(p[1]) * Math.PI) / 180 * (cwPositive ? -1 : 1), m = Number(p[2]);
      return { kind: 'translate', dx: round2(m * Math.cos(a)), dy: round2(-m * Math.sin(a)), unit: 'px' };
    }
    // A share of the image: "10% of the width to the right", "5% of the image to the left".
    const share = new RegExp(`^(?:please )?(?:move|shift|nudge|slide) (?:it|the selection|this) (?:by )?${NUM}\\s*(?:%|percent) of (?:the )?(image|picture|photo|canvas|width|height)(?: (?:width|height))? (?:to the |towards? the )?(left|right|up|down)$`).exec(t);
    if (share) {
      const f = Number(share[1]) / 100, s = DIR_SIGN[share[3]!]!, axisNoun = share[2]!;
      // "10% of the height to the right" mixes the axes: the parser says what it can.
      if ((axisNoun === 'width' && s[1] !== 0) || (axisNoun === 'height' && s[0] !== 0)) return null;
      return { kind: 'translate', dx: s[0] * f, dy: s[1] * f, unit: 'image' };
    }
    // A share of something else ("50% of its width"): not an image share; the parser reads it.
    if (/%\s*of\b|\bpercent of\b/.test(t)) return null;
    // Per-axis amounts: "80 pixels to the right and 40 pixels up", "40px down", "up by 40 pixels".
    let dx = 0, dy = 0, n = 0, pct = false;
    const axis = new RegExp(`${NUM}\\s*(pixels?|px|%|percent)\\s*(?:to the |towards? the |to )?(left|right|up|down|upwards?|downwards?|leftwards?|rightwards?)\\b`, 'g');
    for (const m of t.matchAll(axis)) {
      const s = DIR_SIGN[m[3]!]!, val = Number(m[1]);
      dx += s[0] * val; dy += s[1] * val; n++;
      if (m[2] === '%' || m[2] === 'percent') pct = true;
    }
    const after = new RegExp(`\\b(left|right|up|down|upwards?|downwards?)\\s+(?:by\\s+)?${NUM}\\s*(pixels?|px|%|percent)`, 'g');
    for (const m of t.matchAll(after)) {
      const s = DIR_SIGN[m[1]!]!, val = Number(m[2]);
      dx += s[0] * val; dy += s[1] * val; n++;
      if (m[3] === '%' || m[3] === 'percent') pct = true;
    }
    // Every direction word needs its own amount here ("up and to the right by 30px" is one amount
    // along a diagonal: the word parser reads that).
    const dirWords = t.match(/\b(left|right|up|down|upwards?|downwards?|leftwards?|rightwards?)\b/g)?.length ?? 0;
    if (n > 0 && n === dirWords && !objectPositions) {
      if (pct) return { kind: 'translate', dx: dx / 100, dy: dy / 100, unit: 'image' };
      return { kind: 'translate', dx, dy, unit: 'px' };
    }
    // Corner of the image: "left-up corner", "top-left corner", "center-center".
    const c = /\b(left|center|centre|right|up|top|bottom|down)[ -](left|center|centre|right|up|top|bottom|down) corner\b/.exec(t);
    if (c) {
      const words = [c[1]!, c[2]!];
      const xw = words.find((w) => w === 'left' || w === 'right') ?? 'center';
      const yw = words.find((w) => w === 'up' || w === 'top' || w === 'bottom' || w === 'down');
      const y = yw === 'up' || yw === 'top' ? 'top' : yw ? 'bottom' : 'center';
      return { kind: 'translate', corner: { x: xw as 'left' | 'center' | 'right', y } };
    }
    return null;
  }
  if (kind === 'rotate') {
    const d = new RegExp(`${NUM}\\s*(?:degrees?|deg|°)`).exec(t);
    if (!d) return null;
    const v = Number(d[1]);
    const ccwPositive = /(counter-?clockwise|anti-?clockwise) is positive/.test(t);
    const cwPositive = !ccwPositive && /\bclockwise is positive/.test(t);
    if (ccwPositive) return { kind: 'rotate', angleDeg: -v };
    if (cwPositive) return { kind: 'rotate', angleDeg: v };
    if (v < 0 && !/clockwise/.test(t)) return null; // a signed angle with no convention: ask the parser
    return null;
  }
  if (kind === 'scale') {
    const share = new RegExp(`${NUM}\\s*(?:%|percent) of the (?:total )?image`).exec(t);
    if (share) return { kind: 'scale', imageShare: Number(share[1]) / 100 };
    const wh = new RegExp(`(width|height) of ${NUM}\\s*(?:pixels?|px)`).exec(t);
    if (wh) return wh[1] === 'width' ? { kind: 'scale', widthPx: Number(wh[2]) } : { kind: 'scale', heightPx: Number(wh[2]) };
    // "by a factor of 1.5", "to 1.5 times", "scale of 0.6", "to 0.60 of its original", "by 1.25 for".
    const f = new RegExp(`(?:factor of|scale of|scaling factor of|scale factor of)\\s*${NUM}|${NUM}\\s*(?:times|x|×)\\b|(?:to|by)\\s*${NUM}\\s*(?:of (?:its|the) original|for\\b|$)`).exec(t);
    if (f) {
      const v = Number(f[1] ?? f[2] ?? f[3]);
      // A bare number after "to"/"by" above 5 is a percentage ("make it smaller by 20"): the parser reads it.
      if (f[3] !== undefined && v > 5) return null;
      // "shrink it 2x", "3 times smaller", "reduce it by a factor of 4": smaller words divide.
      const down = SHRINK_WORDS.test(t) && !GROW_WORDS.test(t);
      if (v > 0 && v <= 20) return { kind: 'scale', factor: down && v > 1 ? round4(1 / v) : v };
    }
    return null;
  }
  return null;
}

const round2 = (x: number): number => Math.round(x * 100) / 100;
const round4 = (x: number): number => Math.round(x * 10000) / 10000;
