/**
 * Misreadings found by a bug hunt on the intent reader, one table row per phrasing, each through
 * the real planner (makePlan) as a text-alone request (one selection, no arrow) or with an arrow.
 * Every row failed before the fix it is listed under. The rows test the grammar rules (signs,
 * decimals, fractions, two-axis moves, places, axis nouns, negation scope, verbless fragments),
 * not one sentence each: most rules have several wordings.
 */
import { maskBounds, rasterizePolygon } from '@smartdrag/shared/geometry';
import { ErrorCode, SmartDragError } from '@smartdrag/shared';
import type { Drag, EditRequest, Operation, PlacedMask, Point, Rect } from '../types';
import { makePlan, DEFAULTS } from '../plan/index';
import { arc, disc, TWO_DISCS } from '../plan/test-shapes';

const W = 400, H = 300;
const MASK_A: PlacedMask = TWO_DISCS.a.mask;
const MASK_B: PlacedMask = TWO_DISCS.b.mask;
/** A bigger b (r 60) beside a, for "the small one" / "the big one". */
const MASK_BIG: PlacedMask = rasterizePolygon(disc(300, 150, 60));
/** A vertical line one pixel wide (its box is 0 px wide, max − min). */
const MASK_LINE: PlacedMask = rasterizePolygon([[199.5, 100], [200.5, 100], [200.5, 200], [199.5, 200]]);
const b = maskBounds(MASK_A, 128); // pixels with coverage ≥ 50 %, as editors measure (max − min)
const B = { x0: b.left, y0: b.top, w: b.width - 1, h: b.height - 1 };
/** The move that puts A's bounding box at a place of a W×H document (an axis left out stays). */
function placeMove(x: 'left' | 'center' | 'right' | null, y: 'top' | 'center' | 'bottom' | null, doc: Rect = { left: 0, top: 0, width: W, height: H }): [number, number] {
  const nx = x === null ? B.x0 : doc.left + (x === 'left' ? 0 : x === 'right' ? doc.width - B.w : Math.floor((doc.width - B.w) / 2));
  const ny = y === null ? B.y0 : doc.top + (y === 'top' ? 0 : y === 'bottom' ? doc.height - B.h : Math.floor((doc.height - B.h) / 2));
  return [nx - B.x0, ny - B.y0];
}
/** The move that puts the centre of A's bounding box at document point (x, y) (an axis left out stays), to the nearest pixel. */
function pointMove(x: number | null, y: number | null, doc: Rect = { left: 0, top: 0, width: W, height: H }): [number, number] {
  return [x === null ? 0 : Math.round(x + doc.left - (B.x0 + B.w / 2)), y === null ? 0 : Math.round(y + doc.top - (B.y0 + B.h / 2))];
}
const BB = ((): { x0: number; y0: number; w: number; h: number } => { const m = maskBounds(MASK_BIG, 128); return { x0: m.left, y0: m.top, w: m.width - 1, h: m.height - 1 }; })();

const DRAGS: Record<string, Drag> = {
  arcCw: { region: 'a', points: arc(100, 150, 40, 0, 30) },
  right: { region: 'a', points: [[100, 150], [140, 150]] },
  downLeft: { region: 'a', points: [[100, 150], [80, 190]] },
  upRight: { region: 'a', points: [[100, 150], [125, 115]] },
  rimIn: { region: 'a', points: [[140, 150], [125, 150]] },
  mid: { region: 'a', points: [[128, 150], [146, 126]] },
};

type Expect =
  | { kind: 'translate'; dx: number; dy: number }
  /** Sign of each component: −1, 0 (|v| < 0.5) or 1 (|v| ≥ 5): for default amounts. */
  | { kind: 'translate'; sign: [number, number] }
  | { kind: 'rotate'; deg: number }
  | { kind: 'scale'; sx: number; sy?: number }
  /** A scale below / above 1 on both axes (default amounts). */
  | { kind: 'scale'; below: boolean }
  /** Any operation but this kind. */
  | { notKind: Operation['kind'] }
  /** An intent_unclear question matching this. */
  | { ask: RegExp }
  /** Several operations on the region, in this order. */
  | { seq: Expect[] };
interface Row {
  text: string;
  expect: Expect;
  drag?: string;
  /** Two selections: `ab` two discs of r 40 (a left, b right); `aB` with b of r 60. `line`: a alone, a 1-px-wide line. */
  regions?: 'ab' | 'aB' | 'line';
  doc?: Rect;
  /** Some operation's description (the plan's text) must match. */
  desc?: RegExp;
  /** Some warning must match. */
  warn?: RegExp;
  /** No warning may match. */
  noWarn?: RegExp;
  /** The region whose operations are checked (default: "the right one" → b, else a). */
  on?: 'a' | 'b';
}

const T = (dx: number, dy: number): Expect => ({ kind: 'translate', dx, dy });
const TS = (sx: number, sy: number): Expect => ({ kind: 'translate', sign: [sx, sy] });
const R = (deg: number): Expect => ({ kind: 'rotate', deg });
const S = (sx: number, sy = sx): Expect => ({ kind: 'scale', sx, sy });
const ASK = (q: RegExp): Expect => ({ ask: q });
const SEQ = (...e: Expect[]): Expect => ({ seq: e });

const GROUPS: [string, Row[]][] = [
  ['1. shrink wording divides; a bare number after "by" above 5 is a percentage', [
    { text: 'shrink it 2x', expect: S(0.5) },
    { text: 'scale it down 2x', expect: S(0.5) },
    { text: 'shrink it by a factor of 2', expect: S(0.5) },
    { text: 'make it 3 times smaller', expect: S(1 / 3) },
    { text: 'reduce it 4x', expect: S(0.25) },
    { text: 'make both 2x smaller', regions: 'ab', expect: S(0.5) },
    { text: 'make it smaller by 20', expect: S(0.8) },
    { text: 'reduce the size by 20', expect: S(0.8) },
    { text: 'make it bigger by 20', expect: S(1.2) },
  ]],
  ['2. an amount per direction is a vector, not a diagonal', [
    { text: 'move it 40 down and 20 left', expect: T(-20, 40) },
    { text: 'move it 40px down 20px left', expect: T(-20, 40) },
    { text: 'move it down 40 and left 20', expect: T(-20, 40) },
    { text: 'move the left candy 30px up and 20px right', expect: T(20, -30) },
    { text: 'move the left one 30px up and 20px right', regions: 'ab', expect: T(20, -30) },
    { text: 'move it 40px down 20px left', drag: 'downLeft', expect: T(-20, 40) },
    { text: 'move the left candy 30px up and 20px right', drag: 'upRight', expect: T(20, -30) },
  ]],
  ['3. a place in the picture moves the bounding box there', [
    { text: 'center it', expect: T(...placeMove('center', 'center')) },
    { text: 'centre it', expect: T(...placeMove('center', 'center')) },
    { text: 'move it to the middle', expect: T(...placeMove('center', 'center')) },
    { text: 'move it to the center of the image', expect: T(...placeMove('center', 'center')) },
    { text: 'move it to the top left', expect: T(...placeMove('left', 'top')) },
    { text: 'put it in the bottom right', expect: T(...placeMove('right', 'bottom')) },
    { text: 'put it in the top right corner', expect: T(...placeMove('right', 'top')) },
    { text: 'place it in the bottom left corner', expect: T(...placeMove('left', 'bottom')) },
    { text: 'move it to the left edge', expect: T(...placeMove('left', null)) },
    { text: 'put it at the top of the picture', expect: T(...placeMove(null, 'top')) },
    { text: 'center it horizontally', expect: T(...placeMove('center', null)) },
    // (b is a's disc 200 px to the right.)
    { text: 'move the right one to the top left', regions: 'ab', expect: T(placeMove('left', 'top')[0] - 200, placeMove('left', 'top')[1]) },
    // The document, not the (cropped) image: its rect comes with the request.
    { text: 'center it', doc: { left: 0, top: 0, width: 800, height: 600 }, expect: T(...placeMove('center', 'center', { left: 0, top: 0, width: 800, height: 600 })) },
  ]],
  ['4. signs', [
    { text: 'make it +20%', expect: S(1.2) },
    { text: 'make it -20%', expect: S(0.8) },
    { text: 'scale it -20%', expect: S(0.8) },
    { text: 'make it 20% less', expect: S(0.8) },
    { text: 'make it 20% more', expect: S(1.2) },
    { text: 'rotate it -20°', expect: R(-20) },
    { text: 'rotate it by -30 degrees', expect: R(-30) },
    { text: 'rotate it +20°', expect: R(20) },
    { text: 'rotate it -20°', drag: 'arcCw', expect: R(-20), warn: /Text says counter-clockwise but the arrow on region a turns the other way.*following the text/ },
  ]],
  ['5. number formats', [
    { text: 'scale it .5x', expect: S(0.5) },
    { text: 'rotate it .5° clockwise', expect: R(0.5) },
    { text: 'scale it 1,5x', expect: S(1.5) },
    { text: 'make it 1,5 times bigger', expect: S(1.5) },
    { text: 'move it 1,000px right', expect: T(1000, 0) },
    { text: 'rotate it 1/4 turn clockwise', expect: R(90) },
    { text: 'scale it 3/4', expect: S(0.75) },
  ]],
  ['6. width and height', [
    { text: 'increase the width by 20%', expect: S(1.2, 1) },
    { text: 'double the width', expect: S(2, 1) },
    { text: 'reduce its height by 20%', expect: S(1, 0.8) },
    { text: 'shrink the width by 20%', expect: S(0.8, 1) },
    { text: 'make it 200px wide', expect: S(200 / B.w, 1) },
    { text: 'make it 120px tall', expect: S(1, 120 / B.h) },
    { text: 'make the width 200px', expect: S(200 / B.w, 1) },
    { text: 'make it 10px narrower', expect: S((B.w - 10) / B.w, 1) },
    { text: 'make it 10px bigger', expect: S((Math.max(B.w, B.h) + 10) / Math.max(B.w, B.h)) },
  ]],
  ['7. zoom out shrinks, zoom in enlarges', [
    { text: 'zoom out', expect: { kind: 'scale', below: true } },
    { text: 'zoom out 2x', expect: S(0.5) },
    { text: 'zoom in', expect: { kind: 'scale', below: false } },
    { text: 'zoom out', drag: 'rimIn', expect: { kind: 'scale', below: true }, noWarn: /Text says bigger/ },
  ]],
  ['8. a percentage with a neutral scale verb is the new size', [
    { text: 'scale it 80%', expect: S(0.8) },
    { text: 'scale it 120%', expect: S(1.2) },
    { text: 'resize it 50%', expect: S(0.5) },
  ]],
  ['9. parts: a thing that stands alone is the selection; so is an unowned part with one selection and no arrow; a piece of a named object or of "it" needs an arrow (move, turn or bend alike)', [
    { text: 'move the leaf down', expect: TS(0, 1) },
    { text: 'move the leaf down 40', expect: T(0, 40) },
    { text: 'move the leaf down by 40px', expect: T(0, 40) },
    { text: 'rotate the leaf 20° clockwise', expect: R(20) },
    { text: 'turn the head left', expect: R(-DEFAULTS.rotateDeg.medium), warn: /^"the head" is read as the selection itself \(one selection, no arrow\); if the head is only part of what you selected, draw an arrow from it/ },
    { text: 'rotate the head 20° clockwise', expect: R(20), warn: /"the head" is read as the selection itself/ },
    { text: 'move the head 10px up', expect: T(0, -10), warn: /"the head" is read as the selection itself/ },
    { text: 'turn the head left', regions: 'ab', expect: ASK(/turns a part \(head\).*draw an arrow/) },
    { text: "move the horse's head 10px up", expect: ASK(/moves a part \(head\) of "the horse's head": draw an arrow.*if the selection is the head itself, call it "it"/) },
    { text: 'move its head 10px up', expect: ASK(/moves a part \(head\) of "its head": draw an arrow from that part to where it should go\.$/) },
    { text: 'move the leaf of the plant down', expect: ASK(/moves a part \(leaf\)/) },
  ]],
  ['10. negation scope', [
    { text: "don't rotate it", drag: 'arcCw', expect: ASK(/not to rotate it.*reads only as a rotate/) },
    { text: "don't move it", drag: 'right', expect: ASK(/not to move it.*reads only as a translate/) },
    { text: "don't move it", drag: 'mid', expect: { notKind: 'translate' }, warn: /not to move it: .*next reading/, noWarn: /unchanged/ },
    { text: "don't rotate it", drag: 'right', expect: T(40, 0), noWarn: /unchanged|names no operation/ },
    { text: 'move it 30px right, not left', expect: T(30, 0) },
    { text: 'move it 40px left (not right)', expect: T(-40, 0) },
    { text: 'move it right not left by 30px', expect: T(30, 0) },
  ]],
  ['11. degree look-alikes and slips after a number', [
    { text: 'rotate 20º clockwise', expect: R(20) },
    { text: 'rotate it 20˚ clockwise', expect: R(20) },
    { text: 'rotate 20 degres clockwise', expect: R(20), warn: /Read "degres" in the intent as "degrees"/ },
    { text: 'make it 20% biger', expect: S(1.2), warn: /Read "biger" in the intent as "bigger"/ },
    { text: 'make it 20% frobnicate', expect: ASK(/names no edit/) },
    { text: 'roate it 20° clockwise', expect: R(20), warn: /Read "roate" in the intent as "rotate"/ },
  ]],
  ['12. verbless phrases say which way', [
    { text: 'bigger', expect: S(DEFAULTS.scaleUp.medium) },
    { text: '20% bigger', expect: S(1.2) },
    { text: 'a bit to the left', expect: TS(-1, 0) },
    { text: '40px left', expect: T(-40, 0) },
    { text: 'I want it 40px lower', expect: T(0, 40) },
    { text: 'it should be bigger', expect: { kind: 'scale', below: false } },
    { text: 'smaller please', expect: { kind: 'scale', below: true } },
  ]],
  ['minor: half turns, compass words, print lengths, self-corrections', [
    { text: 'rotate it 180', expect: R(180) },
    { text: 'rotate it half a turn', expect: R(180) },
    { text: 'move it north', expect: TS(0, -1) },
    { text: 'move it 2 cm left', expect: ASK(/print length, not pixels/) },
    { text: 'Actually no, 20px down', expect: T(0, 20) },
    { text: 'move it 40px up. Actually no, 20px down', expect: T(0, 20) },
    { text: 'move it 40px up, actually 20px', expect: T(0, -20) },
  ]],
  ['D. the exact reader claims only a text it covers; ranges; positions in the object; points; "no" corrections', [
    { text: 'move it 20 px up then rotate 15 cw', expect: SEQ(T(0, -20), R(15)) },
    { text: 'rotate it 15 cw then move it up 20px', expect: SEQ(R(15), T(0, -20)) },
    { text: 'move it 40px left and rotate it 10°', expect: SEQ(T(-40, 0), R(10)), warn: /^"rotate it 10°": no direction given: clockwise, as Photoshop turns a positive angle; say "counter-clockwise" for the other way\.$/ },
    { text: 'move it 40px left and 10° clockwise', expect: SEQ(T(-40, 0), R(10)) },
    { text: 'rotate it 20° clockwise, no 30', expect: R(30) },
    { text: 'move it 20px up and flatten it', expect: SEQ(T(0, -20), S(1, DEFAULTS.scaleDown.medium)) },
    { text: 'rotate it 45 degrees to the right and 10px up', expect: SEQ(R(45), T(0, -10)) },
    { text: 'move it 40-50px left', expect: T(-45, 0), warn: /Read "40-50" in the intent as "45 \(the middle of the range\)"/ },
    { text: 'rotate it 5-10 degrees clockwise', expect: R(7.5), warn: /middle of the range/ },
    { text: 'move the one on the right 30px up', regions: 'ab', on: 'b', expect: T(0, -30) },
    { text: 'move the one on the left 20px to the right', regions: 'ab', expect: T(20, 0) },
    // A point is where the box's centre goes (leftover 2 below), not a way to ask.
    { text: 'move it to (50, 50)', expect: T(...pointMove(50, 50)), desc: /move to \(50, 50\)/ },
    { text: 'move it 40px left, no 20px', expect: T(-20, 0) },
    { text: 'move it 40px left - no, right', expect: T(40, 0) },
  ]],
  ['E. number words, fractions, "a pixel", "a couple"', [
    { text: 'move it twenty five pixels left', expect: T(-25, 0) },
    { text: 'rotate it twenty-two degrees clockwise', expect: R(22) },
    { text: 'rotate it forty-five degrees counterclockwise', expect: R(-45) },
    { text: 'move it two hundred pixels right', expect: T(200, 0) },
    { text: 'move it one hundred and fifty px right', expect: T(150, 0) },
    { text: 'move it thirteen pixels up', expect: T(0, -13) },
    { text: 'move it eighteen px left', expect: T(-18, 0) },
    { text: 'move it a dozen pixels up', expect: T(0, -12) },
    { text: 'rotate it a third of a turn clockwise', expect: R(120) },
    { text: 'rotate it an eighth of a turn clockwise', expect: R(45) },
    { text: 'make it a quarter bigger', expect: S(1.25) },
    { text: 'enlarge it by a quarter', expect: S(1.25) },
    { text: 'make it a quarter smaller', expect: S(0.75) },
    { text: 'make it a third bigger', expect: S(4 / 3) },
    { text: 'shrink it by a third', expect: S(2 / 3) },
    { text: 'scale it down to a third', expect: S(1 / 3) },
    { text: 'make it three quarters the size', expect: S(0.75) },
    { text: 'make the apple a third bigger', expect: S(4 / 3) },
    { text: 'enlarge it by half', expect: S(1.5) },
    { text: 'move it a pixel left', expect: T(-1, 0) },
    { text: 'rotate it a degree clockwise', expect: R(1) },
    { text: 'move it a couple pixels left', expect: T(-2, 0) },
    { text: 'rotate it a couple of degrees clockwise', expect: R(2) },
  ]],
  ['F. scale grammar: "as big", ranges, zoom, "scale by", two sizes', [
    { text: 'make it 80% as big', expect: S(0.8) },
    { text: 'make it 10 to 20% bigger', expect: S(1.15), warn: /middle of the range/ },
    { text: 'make it 10-20% bigger', expect: S(1.15) },
    { text: 'zoom 150%', expect: S(1.5) },
    { text: 'enlarge it 200%', expect: S(2) },
    { text: 'scale it by 20%', expect: ASK(/Bigger or smaller/) },
    { text: 'make it 100 px wide and 50 px tall', expect: SEQ(S(100 / B.w, 1), S(1, 50 / B.h)) },
  ]],
  ['G. horizontally / vertically with any scale verb', [
    { text: 'scale it 120% horizontally', expect: S(1.2, 1) },
    { text: 'shrink it horizontally', expect: S(DEFAULTS.scaleDown.medium, 1) },
    { text: 'make it bigger horizontally', expect: S(DEFAULTS.scaleUp.medium, 1) },
    { text: 'grow it horizontally by 10%', expect: S(1.1, 1) },
    { text: 'resize it horizontally to 50%', expect: S(0.5, 1) },
    { text: 'shrink it vertically by 10%', expect: S(1, 0.9) },
  ]],
  ['H. a share of the image or of the selection moves by it; a share of nothing is reported, not dropped', [
    { text: 'move it 10% of the width to the right', expect: T(40, 0) },
    { text: 'move it 5% of the image to the left', expect: T(-20, 0) },
    { text: 'move it 10% of the image height down', expect: T(0, 30) },
    // (A share of the selection is measured on its bounding box: leftover 1 below.)
    { text: 'move it 50% of its width to the right', expect: T(Math.round(B.w / 2), 0), desc: /right by 50% of its width = \d+ px/, noWarn: /not understood/ },
    { text: 'move it left by 5% of its width', expect: T(-Math.round(B.w * 0.05), 0), noWarn: /not understood/ },
    { text: 'move it 20% right and make it bigger', expect: SEQ(TS(1, 0), { kind: 'scale', below: false }), warn: /Words not understood in the intent: "20%"/ },
  ]],
  ['K. corrections and hedged numbers', [
    { text: 'make it smaller. Never mind, make it bigger', expect: { kind: 'scale', below: false } },
    { text: 'rotate it 20 degrees clockwise. actually make it 30', expect: R(30) },
    { text: 'move it up slightly, maybe 5px', expect: T(0, -5) },
    { text: 'a bit smaller, like 15%', expect: S(0.85) },
    { text: 'slightly larger (~5%)', expect: S(1.05) },
    { text: 'move it left — no, right', expect: TS(1, 0) },
    { text: 'left oops I meant right', expect: TS(1, 0) },
    { text: 'move it 30px left oops I meant right', expect: T(30, 0) },
    { text: 'move it up rather than down', expect: TS(0, -1) },
  ]],
  ['L. slips in move words, "clock wise", emoji, points', [
    { text: 'mvoe it 40px left', expect: T(-40, 0), warn: /Read "mvoe" in the intent as "move"/ },
    { text: 'mov it 20px up', expect: T(0, -20) },
    { text: 'move it 20px rigth', expect: T(20, 0), warn: /Read "rigth" in the intent as "right"/ },
    { text: 'move it 20px lft', expect: T(-20, 0) },
    { text: 'move it 20px dwon', expect: T(0, 20) },
    { text: 'move it 20px donw', expect: T(0, 20) },
    { text: 'move it 20px upp', expect: T(0, -20) },
    { text: 'rotate it 20 degrees counter clock wise', expect: R(-20) },
    { text: 'rotate it 30 degrees clock wise', expect: R(30) },
    { text: 'move it 😀 left', expect: TS(-1, 0), warn: /Words not understood in the intent: "😀"$/ },
    { text: 'move it 40 pt left', expect: ASK(/"40 pt" is a print length/) },
    { text: 'move it 40 points left', expect: ASK(/"40 pt" is a print length/) },
  ]],
  ['M. leftovers of the hunt: a share of the selection\'s size, a point of the document, another selection as the place', [
    // 1. "half its width", "its own width", "a third of its height": pixels of its bounding box.
    { text: 'move it right by half its width', expect: T(Math.round(B.w / 2), 0), desc: /right by half its width = \d+ px \(its box is \d+ px wide\)/ },
    { text: 'move it left by its own width', expect: T(-B.w, 0), desc: /left by its own width = \d+ px/ },
    { text: 'shift it up by a third of its height', expect: T(0, -Math.round(B.h / 3)), desc: /up by a third of its height/ },
    { text: 'move it down by half of its height', expect: T(0, Math.round(B.h / 2)) },
    { text: 'move it twice its width to the right', expect: T(2 * B.w, 0) },
    { text: 'move it right 1.5 times its width', expect: T(Math.round(1.5 * B.w), 0) },
    { text: 'move it left by half its size', expect: T(-Math.round(B.w / 2), 0) },
    { text: 'move it right by half its width and up by a third of its height', expect: T(Math.round(B.w / 2), -Math.round(B.h / 3)), desc: /right by half its width .* and up by a third of its height/ },
    { text: 'move it right by a quarter of the image width', expect: T(W / 4, 0), desc: /the image is 400 px wide/ },
    { text: 'move the right one left by its own width', regions: 'ab', expect: T(-B.w, 0) },
    { text: 'move the left one right by the width of the right one', regions: 'aB', expect: T(BB.w, 0), desc: /= \d+ px \(region b's box is \d+ px wide\)/ },
    { text: 'move it left by the width of the saucer', expect: ASK(/"the saucer" is not a selection I can measure/) },
    // With an arrow: the arrow's direction, the share's length.
    { text: 'move it by half its width', drag: 'downLeft', expect: T(-Math.round(B.w / 2) / Math.sqrt(5), (2 * Math.round(B.w / 2)) / Math.sqrt(5)) },
    // (As before: a share of its size with no direction asks which way.)
    { text: 'move it by half its size', expect: ASK(/Which way should "it" move/) },
    { text: 'move it right by half its width', regions: 'line', expect: ASK(/"half its width" measures nothing: its box is 0 px wide\. Say the amount in pixels/) },
    // 2. A point of the document (x right, y down from its top left corner): the box's centre goes there.
    { text: 'move it to (200, 100)', expect: T(...pointMove(200, 100)), desc: /move to \(200, 100\), document pixels \(its box centre \(\d+(\.5)?, \d+(\.5)?\) goes there\)/ },
    { text: 'move it to x=200 y=100', expect: T(...pointMove(200, 100)) },
    // Right after the verb, no "to"/"at" (the coordinates say it is a point).
    { text: 'move it x=200 y=100', expect: T(...pointMove(200, 100)), desc: /move to \(200, 100\)/ },
    { text: 'move it (200, 100)', expect: T(...pointMove(200, 100)) },
    { text: 'put it x: 300, y: 60', expect: T(...pointMove(300, 60)) },
    { text: 'move it to x: 200, y: 100', expect: T(...pointMove(200, 100)) },
    { text: 'put it at 120,80', expect: T(...pointMove(120, 80)) },
    { text: 'place it at (120px, 80px)', expect: T(...pointMove(120, 80)) },
    { text: 'move it to position [300, 60]', expect: T(...pointMove(300, 60)) },
    { text: 'move it to y=100', expect: T(...pointMove(null, 100)), desc: /move to y = 100 \(x stays\)/ },
    { text: 'move it to (900, 300)', expect: ASK(/"\(900, 300\)" lies outside the document \(400 × 300 px/) },
    { text: 'move it to (-10, 50)', expect: ASK(/lies outside the document/) },
    // A crop of the document (the document starts 100 px left of and 50 px above the image): the
    // point is the document's, moved into the image's pixels before planning; the text says the document's.
    { text: 'move it to (300, 250)', doc: { left: -100, top: -50, width: 800, height: 600 }, expect: T(...pointMove(300, 250, { left: -100, top: -50, width: 800, height: 600 })), desc: /move to \(300, 250\), document pixels \(its box centre \(200(\.5)?, 200(\.5)?\)/ },
    { text: 'move it to (700, 500)', doc: { left: -100, top: -50, width: 800, height: 600 }, expect: T(...pointMove(700, 500, { left: -100, top: -50, width: 800, height: 600 })) },
    { text: 'move it to (900, 300)', doc: { left: -100, top: -50, width: 800, height: 600 }, expect: ASK(/outside the document \(800 × 600 px/) },
    // With an arrow that ends near the point: the point, exactly; far from it: the arrow, and an alternative.
    { text: 'move it to (132, 146)', drag: 'right', expect: T(...pointMove(132, 146)), desc: /move to \(132, 146\).*the arrow ends / },
    { text: 'move it to (300, 60)', drag: 'right', expect: T(40, 0), warn: /Text says "\(300, 60\)" .* following the arrow\. An alternative follows the text/ },
    // 3. Another selection as the place: box centre on box centre; beside it (boxes touching, bottoms on one line).
    { text: 'move the left one to where the right one is', regions: 'ab', expect: T(200, 0), desc: /its box centre goes to region b's box centre \(300(\.5)?, 150(\.5)?\)/ },
    { text: 'put the left one where the right one is', regions: 'ab', expect: T(200, 0) },
    { text: "move the right one to the left one's position", regions: 'ab', expect: T(-200, 0) },
    { text: 'move the right one to the position of the left one', regions: 'ab', expect: T(-200, 0) },
    { text: 'move the left one onto the other one', regions: 'ab', expect: T(200, 0) },
    { text: 'move the small one to where the big one is', regions: 'aB', expect: T(Math.round(BB.x0 + BB.w / 2 - (B.x0 + B.w / 2)), Math.round(BB.y0 + BB.h / 2 - (B.y0 + B.h / 2))) },
    { text: 'put the small one next to the big one', regions: 'aB', expect: T(BB.x0 - 1 - B.w - B.x0, BB.y0 + BB.h - B.h - B.y0), desc: /left of region b's, touching it, bottoms on one line/ },
    { text: 'move it to where the other one is', expect: ASK(/only one selection/) },
    { text: 'move the left one next to the right one', regions: 'ab', expect: T(199 - B.w, 0), desc: /left of region b's/ },
  ]],
];

function req(row: Row): EditRequest {
  const regions = row.regions === 'ab' ? [{ id: 'a', mask: MASK_A }, { id: 'b', mask: MASK_B }] : row.regions === 'aB' ? [{ id: 'a', mask: MASK_A }, { id: 'b', mask: MASK_BIG }] : row.regions === 'line' ? [{ id: 'a', mask: MASK_LINE }] : [{ id: 'a', mask: MASK_A }];
  const drags = row.drag ? [{ ...DRAGS[row.drag]!, points: DRAGS[row.drag]!.points.map((p) => [p[0], p[1]] as Point) }] : [];
  return { image: { width: W, height: H, data: new Uint8ClampedArray(W * H * 4) }, regions, drags, intent: row.text, quality: 'preview', ...(row.doc ? { document: row.doc } : {}) };
}

function check(ops: Operation[], e: Exclude<Expect, { ask: RegExp }>, row: Row): void {
  // "the right one" / "the left one" of two: the named one only; "both": one operation each.
  const on = row.on ?? (row.regions && row.regions !== 'line' && /\bright one\b/.test(row.text.replace(/\b(?:where|to|of|onto|next to) the right one\b.*/, '')) ? 'b' : 'a');
  const mine = ops.filter((o) => o.region === on);
  if ('seq' in e) {
    expect(mine).toHaveLength(e.seq.length);
    e.seq.forEach((x, k) => check([mine[k]!], x as Exclude<Expect, { ask: RegExp }>, { ...row, on: on }));
    return;
  }
  expect(mine).toHaveLength(1);
  const op = mine[0]!, p = op.params as unknown as Record<string, number>;
  if ('notKind' in e) { expect(op.kind).not.toBe(e.notKind); return; }
  expect(op.kind).toBe(e.kind);
  if (e.kind === 'translate') {
    if ('sign' in e) {
      const ok = (v: number, s: number): boolean => (s === 0 ? Math.abs(v) < 0.5 : Math.sign(v) === s && Math.abs(v) >= 5);
      expect([ok(p.dx!, e.sign[0]), ok(p.dy!, e.sign[1])]).toEqual([true, true]);
    } else {
      expect(p.dx).toBeCloseTo(e.dx, 1);
      expect(p.dy).toBeCloseTo(e.dy, 1);
    }
  } else if (e.kind === 'rotate') expect(p.angleDeg).toBeCloseTo(e.deg, 2);
  else if ('below' in e) {
    expect(p.sx! < 1).toBe(e.below);
    expect(p.sy! < 1).toBe(e.below);
  } else {
    expect(p.sx).toBeCloseTo(e.sx, 3);
    expect(p.sy).toBeCloseTo(e.sy ?? e.sx, 3);
  }
}

for (const [name, rows] of GROUPS) {
  describe(name, () => {
    it.each(rows.map((r) => [r.text + (r.drag ? ` [arrow ${r.drag}]` : '') + (r.regions === 'line' ? ' [a 1-px line]' : r.regions ? ` [two selections${r.regions === 'aB' ? ', b bigger' : ''}]` : '') + (r.doc ? ' [document rect]' : ''), r] as const))('%s', async (_t, row) => {
      const e = row.expect;
      if ('ask' in e) {
        const err = await makePlan(req(row)).then(() => null, (x: unknown) => x);
        expect(err).toBeInstanceOf(SmartDragError);
        expect((err as SmartDragError).code).toBe(ErrorCode.intent_unclear);
        expect((err as SmartDragError).message).toMatch(e.ask);
        return;
      }
      const plan = await makePlan(req(row));
      check(plan.operations, e, row);
      if (row.warn) expect(plan.warnings.some((w) => row.warn!.test(w))).toBe(true);
      if (row.noWarn) expect(plan.warnings.filter((w) => row.noWarn!.test(w))).toEqual([]);
      if (row.desc) expect(plan.operations.map((o) => o.description)).toContainEqual(expect.stringMatching(row.desc));
    });
  });
}
