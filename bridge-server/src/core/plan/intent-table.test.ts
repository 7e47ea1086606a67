/**
 * Table-driven intent tests: one synthetic scene (two discs "a" (left) and "b" (right)),
 * a few arrows, and ≥ 60 sentences, each asserting the exact operations of the plan
 * (region, kind, source and parameters), plus warnings and alternatives where they matter.
 */
import { maskCentroid } from '@smartdrag/shared/geometry';
import type { Drag, EditRequest, Operation, OperationParams, Plan, Point, Region } from '../types';
import { makePlan } from './index';
import { parseIntent } from '../intent/parse';
import { PlanSchema } from '@smartdrag/shared/protocol';
import { arc, TWO_DISCS, twoDiscsRequest } from './test-shapes';

const REGIONS: Record<string, Region> = TWO_DISCS;
const CA = maskCentroid(REGIONS.a!.mask)!, CB = maskCentroid(REGIONS.b!.mask)!;
/** Radius of gyration of a disc of radius 40. */
const GYR_A = 40 / Math.SQRT2;


const D: Record<string, Drag> = {
  moveA: { region: 'a', points: [[100, 150], [140, 150]] },
  moveAUp: { region: 'a', points: [[100, 150], [100, 110]] },
  moveADown: { region: 'a', points: [[100, 150], [100, 190]] },
  moveB: { region: 'b', points: [[300, 150], [260, 150]] },
  moveBRight: { region: 'b', points: [[300, 150], [340, 150]] },
  moveBDown: { region: 'b', points: [[300, 150], [300, 190]] },
  tinyA: { region: 'a', points: [[100, 150], [101, 150]] },
  tinyRimA: { region: 'a', points: [[140, 150], [140, 151]] },
  rimA: { region: 'a', points: [[140, 150], [150, 150]] },
  rimAIn: { region: 'a', points: [[140, 150], [130, 150]] },
  rimAUp: { region: 'a', points: [[100, 110], [100, 100]] },
  rimAUpIn: { region: 'a', points: [[100, 110], [100, 120]] },
  tangA: { region: 'a', points: [[140, 150], [140, 120]] },
  tangA2: { region: 'a', points: [[60, 150], [60, 120]] },
  arcA: { region: 'a', points: arc(100, 150, 40, 0, 30) },
  arcACcw: { region: 'a', points: arc(100, 150, 40, 0, -30) },
  pinchL: { region: 'a', points: [[60, 150], [70, 150]] },
  pinchR: { region: 'a', points: [[140, 150], [130, 150]] },
  apartL: { region: 'a', points: [[60, 150], [50, 150]] },
  apartR: { region: 'a', points: [[140, 150], [150, 150]] },
  midA: { region: 'a', points: [[128, 150], [146, 126]] },
};

function req(intent: string, drags: string[], regions: string[] = ['a']): EditRequest {
  return twoDiscsRequest(intent, drags.map((d) => D[d]!), regions);
}

const dist = (p: Point, q: Point): number => Math.hypot(p[0] - q[0], p[1] - q[1]);
const scaleAbout = (c: Point, h: Point, t: Point): number => dist(t, c) / dist(h, c);

type Exp = { region: string; source?: Operation['source'] } & (
  | { kind: 'translate'; dx: number; dy: number }
  | { kind: 'rotate'; angleDeg: number; center?: Point }
  | { kind: 'scale'; sx: number; sy: number; center?: Point }
  | { kind: 'deform'; handles: Point[]; targets: Point[] }
);

interface Row {
  intent: string;
  drags: string[];
  regions?: string[];
  ops: Exp[];
  /** Every pattern must match some warning; `none` asserts there are no warnings. */
  warn?: RegExp[] | 'none';
  alternatives?: number;
  unknown?: string[];
  /** A pattern some operation's description must match (the words of its amount). */
  desc?: RegExp;
}

const T = (dx: number, dy: number, region = 'a', source: Operation['source'] = 'intent'): Exp => ({ region, kind: 'translate', dx, dy, source });
const R = (angleDeg: number, center: Point = CA, region = 'a', source: Operation['source'] = 'intent'): Exp => ({ region, kind: 'rotate', angleDeg, center, source });
const S = (sx: number, sy = sx, center: Point = CA, region = 'a', source: Operation['source'] = 'intent'): Exp => ({ region, kind: 'scale', sx, sy, center, source });
const F = (handles: Point[], targets: Point[], region = 'a', source: Operation['source'] = 'intent'): Exp => ({ region, kind: 'deform', handles, targets, source });

const ROWS: Row[] = [
  // --- move class ---------------------------------------------------------------------------
  { intent: 'move it to the right', drags: ['moveA'], ops: [T(40, 0)], warn: 'none' },
  { intent: 'shift the circle right', drags: ['moveA'], ops: [T(40, 0)], unknown: ['circle'] },
  { intent: 'drag it over there', drags: ['moveA'], ops: [T(40, 0)] },
  { intent: 'slide the disc left by 50px', drags: ['tinyA'], ops: [T(-50, 0)] },
  { intent: 'nudge it a bit', drags: ['moveA'], ops: [T(40, 0)] },
  { intent: 'move it by 25 px', drags: ['moveA'], ops: [T(25, 0)] },
  { intent: 'move it up 30 pixels', drags: ['moveAUp'], ops: [T(0, -30)] },
  // Since issue 19 the warning names the arrow's direction and an alternative follows the text.
  { intent: 'move it left', drags: ['moveA'], ops: [T(40, 0)], warn: [/Text says left but the arrow on region a points right .*following the arrow's direction/], alternatives: 1 },
  { intent: 'move it a little to the left', drags: ['tinyA'], ops: [T(-0.25 * GYR_A, 0)] },
  { intent: 'move it far down', drags: ['tinyA'], ops: [T(0, 1.5 * GYR_A)] },
  { intent: 'move the right one to the left edge', drags: ['moveB'], regions: ['a', 'b'], ops: [T(-40, 0, 'b')] },
  { intent: 'bring it down', drags: ['moveADown'], ops: [T(0, 40)] },
  { intent: 'move both to the right', drags: ['moveA', 'moveBRight'], regions: ['a', 'b'], ops: [T(40, 0), T(40, 0, 'b')] },
  { intent: 'move the left one up and the right one down', drags: ['moveBDown', 'moveAUp'], regions: ['a', 'b'], ops: [T(0, 40, 'b'), T(0, -40)] },
  { intent: 'move the first one right and the second one left', drags: ['moveA', 'moveB'], regions: ['a', 'b'], ops: [T(40, 0), T(-40, 0, 'b')] },
  { intent: 'please relocate the selected region', drags: ['moveA'], ops: [T(40, 0)], unknown: [] },
  { intent: 'take it and put it on the table to the right', drags: ['moveA'], ops: [T(40, 0)] },
  { intent: 'move it 20 to the right', drags: ['moveA'], ops: [T(20, 0)] },
  // --- another selection as the place: a side of it, or between two ---------------------------
  // Boxes (max − min): a at (60, 110) and b at (260, 110), 80 × 80; c (SMALL_DISCS) at (180, 40), 40 × 40.
  // A side: the boxes a gap of a tenth of the smaller box apart on that axis (8 px for two discs of
  // r 40, 4 px beside c), centred on the other's box; "on top of": touching, centred.
  // a to the left of b: its right edge at 260 − 1 − 8 = 251, so x0 = 171 (+111).
  { intent: 'move the left one to the left of the other one', drags: [], regions: ['a', 'b'], ops: [T(111, 0)], desc: /to the left of region b's, 8 px apart \(a tenth of the smaller box's width\), centred on it vertically/ },
  // a (a click on it: no arrow length) on top of b: its bottom row at 109, right over b's top row 110.
  { intent: 'put it on top of the other one', drags: ['tinyA'], regions: ['a', 'b'], ops: [T(200, -81)], desc: /on top of region b's, resting on it \(the boxes touch\), centred on it horizontally/ },
  { intent: 'move it right above the other one', drags: ['tinyA'], regions: ['a', 'b'], ops: [T(200, -89)] },
  { intent: 'move the left one below the right one', drags: [], regions: ['a', 'b'], ops: [T(200, 89)] },
  // c under a: y0 = 190 + 1 + 4 = 195 (+155), centred on a's x (100 − 20 = 80: −100).
  { intent: 'put the small one under the big one', drags: [], regions: ['a', 'c'], ops: [T(-100, 155, 'c')] },
  // a right of c: x0 = 220 + 1 + 4 = 225 (+165), centred on c's y (60 − 40 = 20: −90).
  { intent: 'move the left one right of the small one', drags: [], regions: ['a', 'b', 'c'], ops: [T(165, -90)] },
  { intent: 'move the right one above the left one', drags: [], regions: ['a', 'b', 'c'], ops: [T(-200, -89, 'b')] },
  // c between a and b: its box centre (200, 60) to the middle of theirs, (200, 150).
  { intent: 'move the small one between the two others', drags: [], regions: ['a', 'b', 'c'], ops: [T(0, 90, 'c')] },
  { intent: 'move the small one in between the other two', drags: [], regions: ['a', 'b', 'c'], ops: [T(0, 90, 'c')] },
  { intent: 'put the small one between the left one and the right one', drags: [], regions: ['a', 'b', 'c'], ops: [T(0, 90, 'c')], desc: /midway between region a's and region b's box centres, to \(200, 150\)$/ },
  // b between a and c: the middle of (100, 150) and (200, 60) is (150, 105), so b's box goes to
  // (110, 65); there are 39 px between a's and c's boxes, less than b's 80: the text says it overlaps them.
  { intent: 'move the right one between the two others', drags: [], regions: ['a', 'b', 'c'], ops: [T(-150, -45, 'b')], desc: /to \(150, 105\) \(there are 39 px between their boxes and its box is 80 px wide: it overlaps them\)/ },
  // --- rotate class -------------------------------------------------------------------------
  { intent: 'rotate it', drags: ['arcA'], ops: [R(30)], warn: 'none' },
  { intent: 'rotate it 45 degrees', drags: ['arcA'], ops: [R(45)] },
  { intent: 'turn it 30° counter-clockwise', drags: ['arcA'], ops: [R(-30)], warn: [/Text says counter-clockwise but the arrow on region a turns the other way/] },
  { intent: 'tilt it slightly clockwise', drags: ['arcA'], ops: [R(30)], warn: 'none' },
  { intent: 'spin it a quarter turn', drags: ['arcA'], ops: [R(90)] },
  { intent: 'rotate it anticlockwise by 20 degrees', drags: ['arcACcw'], ops: [R(-20)] },
  { intent: 'rotate it 90 degrees', drags: ['tinyRimA'], ops: [R(90)] },
  { intent: 'rotate it', drags: ['moveA'], ops: [R(15)], warn: [/Text and arrow disagree on region a: the text asks to rotate .* but the arrow reads as translate.*following the text/] },
  { intent: 'swing it back', drags: ['arcA'], ops: [R(30)] },
  { intent: 'rotate both 30 degrees clockwise', drags: ['arcA'], regions: ['a', 'b'], ops: [R(30), R(30, CB, 'b')], warn: [/Region b has no arrow; its operation comes from the text alone/] },
  { intent: 'turn it around its middle by 45 degrees', drags: ['arcA'], ops: [R(45)] },
  { intent: 'twist it about 10 degrees anti-clockwise', drags: ['arcACcw'], ops: [R(-10)] },
  { intent: 'rotate it a lot', drags: ['tinyA'], ops: [R(45)] },
  // --- scale class --------------------------------------------------------------------------
  { intent: 'make it bigger', drags: ['rimA'], ops: [S(scaleAbout(CA, [140, 150], [150, 150]))], warn: 'none' },
  { intent: 'make it smaller', drags: ['rimAIn'], ops: [S(scaleAbout(CA, [140, 150], [130, 150]))] },
  { intent: 'make it twice as big', drags: ['rimA'], ops: [S(2)] },
  { intent: 'make it half as big', drags: ['rimA'], ops: [S(0.5)] },
  { intent: 'enlarge it by 50%', drags: ['rimA'], ops: [S(1.5)] },
  { intent: 'shrink it by 20%', drags: ['rimAIn'], ops: [S(0.8)] },
  { intent: 'scale it to 50%', drags: ['rimA'], ops: [S(0.5)] },
  { intent: 'make it 3 times bigger', drags: ['rimA'], ops: [S(3)] },
  { intent: 'make it a bit bigger', drags: ['tinyA'], ops: [S(1.1)] },
  { intent: 'make it much smaller', drags: ['tinyA'], ops: [S(0.6)] },
  { intent: 'make it taller', drags: ['rimAUp'], ops: [S(1, Math.abs(100 - CA[1]) / Math.abs(110 - CA[1]))] },
  { intent: 'make it wider', drags: ['rimA'], ops: [S(Math.abs(150 - CA[0]) / Math.abs(140 - CA[0]), 1)] },
  { intent: 'make it shorter', drags: ['rimAUpIn'], ops: [S(1, Math.abs(120 - CA[1]) / Math.abs(110 - CA[1]))] },
  { intent: 'grow it', drags: ['rimA'], ops: [S(scaleAbout(CA, [140, 150], [150, 150]))] },
  { intent: 'make it bigger', drags: ['rimAIn'], ops: [S(1.25)], warn: [/Text says bigger but the arrow on region a would scale by ×0\.75/] },
  { intent: 'scale it up', drags: ['rimA'], ops: [S(scaleAbout(CA, [140, 150], [150, 150]))] },
  { intent: 'make it smaller', drags: ['pinchL', 'pinchR'], ops: [S(60 / 80, 60 / 80, [100, 150])] },
  { intent: '', drags: ['apartL', 'apartR'], ops: [S(100 / 80, 100 / 80, [100, 150], 'a', 'geometry')] },
  { intent: 'shrink the left one by half', drags: ['rimAIn'], regions: ['a', 'b'], ops: [S(0.5)] },
  { intent: 'double its size', drags: ['rimA'], ops: [S(2)], warn: 'none' },
  { intent: 'halve it', drags: ['rimAIn'], ops: [S(0.5)] },
  { intent: 'make it bigger and rotate it 10 degrees', drags: ['rimA'], ops: [S(scaleAbout(CA, [140, 150], [150, 150])), R(10)], warn: [/Region a gets a further rotate from the text/] },
  { intent: 'rotate it by 30 degrees, then move it left', drags: ['arcA'], ops: [R(30), T(-0.5 * GYR_A, 0)] },
  // --- deform class -------------------------------------------------------------------------
  { intent: 'stretch it', drags: ['tangA'], ops: [F([[140, 150]], [[140, 120]])], warn: 'none' },
  { intent: 'bend it up', drags: ['tangA'], ops: [F([[140, 150]], [[140, 120]])] },
  { intent: 'raise the tip', drags: ['tangA'], ops: [F([[140, 150]], [[140, 120]])] },
  { intent: 'lift it', drags: ['moveAUp'], ops: [T(0, -40)] },
  { intent: 'lower it', drags: ['moveADown'], ops: [T(0, 40)] },
  { intent: 'lengthen it', drags: ['rimA'], ops: [F([[140, 150]], [[150, 150]])], warn: [/the text asks to deform .* but the arrow reads as scale/] },
  { intent: 'extend the end to the right', drags: ['rimA'], ops: [F([[140, 150]], [[150, 150]])] },
  { intent: 'open it up', drags: ['tangA'], ops: [F([[140, 150]], [[140, 120]])] },
  { intent: 'pull its top up', drags: ['tangA'], ops: [F([[140, 150]], [[140, 120]])] },
  { intent: 'move the tip up', drags: ['tangA'], ops: [F([[140, 150]], [[140, 120]])] },
  { intent: 'make it taller by pulling its top up', drags: ['rimAUp'], ops: [F([[100, 110]], [[100, 100]])] },
  { intent: 'spread them apart', drags: ['tangA', 'tangA2'], ops: [F([[140, 150], [60, 150]], [[140, 120], [60, 120]])] },
  { intent: 'raise it a little', drags: ['tangA'], ops: [F([[140, 150]], [[140, 120]])] },
  { intent: 'stretch it up', drags: ['tinyRimA'], ops: [F([[140, 150]], [[140, 150 - 0.5 * GYR_A]])] },
  // --- constraints (keep / negation) ----------------------------------------------------------
  { intent: "move it right but don't touch the background", drags: ['moveA'], ops: [T(40, 0)], warn: [/keep "the background" unchanged, but no keep mask/] },
  { intent: 'keep the background intact and move it up', drags: ['moveAUp'], ops: [T(0, -40)], warn: [/keep "the background" unchanged/] },
  { intent: 'rotate it 30 degrees without changing the face', drags: ['arcA'], ops: [R(30)], warn: [/keep "the face" unchanged/] },
  // A negated edit verb rules that kind out: "don't rotate it" on a plain move arrow keeps the move
  // and says nothing about keeping "it" ("don't move it" on that arrow is a question now: see
  // intent/misreadings.test.ts).
  { intent: "don't rotate it", drags: ['moveA'], ops: [T(40, 0, 'a', 'geometry')], warn: 'none' },
  { intent: 'leave the other one alone and shrink the left one', drags: ['rimAIn'], regions: ['a', 'b'], ops: [S(scaleAbout(CA, [140, 150], [130, 150]))], warn: [/keep "the other one" unchanged/] },
  { intent: 'never change the sky, just enlarge it', drags: ['rimA'], ops: [S(scaleAbout(CA, [140, 150], [150, 150]))], warn: [/keep "the sky"/] },
  // --- ambiguous sentences / unknown words ------------------------------------------------------
  { intent: 'fix it', drags: ['moveA'], ops: [T(40, 0, 'a', 'geometry')], warn: [/Words not understood in the intent: "fix"/], unknown: ['fix'] },
  { intent: 'make it pop', drags: ['moveA'], ops: [T(40, 0, 'a', 'geometry')], warn: [/names no operation/] },
  { intent: 'raise it', drags: ['midA'], ops: [T(18, -24)], alternatives: 1 },
  { intent: '', drags: ['midA'], ops: [T(18, -24, 'a', 'geometry')], alternatives: 2 },
  { intent: 'do something nice with it', drags: ['tangA'], ops: [F([[140, 150]], [[140, 120]], 'a', 'geometry')], unknown: ['something', 'nice'] },
];

function expectOp(op: Operation, e: Exp): void {
  expect(op.region).toBe(e.region);
  expect(op.kind).toBe(e.kind);
  if (e.source) expect(op.source).toBe(e.source);
  const p = op.params as OperationParams;
  expect(p.kind).toBe(e.kind);
  if (e.kind === 'translate' && p.kind === 'translate') {
    expect(p.dx).toBeCloseTo(e.dx, 1);
    expect(p.dy).toBeCloseTo(e.dy, 1);
  } else if (e.kind === 'rotate' && p.kind === 'rotate') {
    expect(Math.abs(p.angleDeg - e.angleDeg)).toBeLessThan(0.6);
    if (e.center) expect(dist(p.center, e.center)).toBeLessThan(0.6);
  } else if (e.kind === 'scale' && p.kind === 'scale') {
    expect(p.sx).toBeCloseTo(e.sx, 2);
    expect(p.sy).toBeCloseTo(e.sy, 2);
    if (e.center) expect(dist(p.center, e.center)).toBeLessThan(0.6);
  } else if (e.kind === 'deform' && p.kind === 'deform') {
    expect(p.handles.length).toBe(e.handles.length);
    p.handles.forEach((h, i) => expect(dist(h, e.handles[i]!)).toBeLessThan(0.6));
    p.targets.forEach((t, i) => expect(dist(t, e.targets[i]!)).toBeLessThan(0.6));
  }
  expect(op.description).toContain(`region ${op.region}`);
  expect(op.reason.length).toBeGreaterThan(10);
}

describe('intent + arrows → exact operations', () => {
  it('has at least 60 intents', () => {
    expect(ROWS.length).toBeGreaterThanOrEqual(60);
  });

  it.each(ROWS.map((r, i) => [i, r.intent || '(no text)', r] as const))('#%i %s', async (_i, _t, row) => {
    const plan: Plan = await makePlan(req(row.intent, row.drags, row.regions));
    expect(plan.operations).toHaveLength(row.ops.length);
    row.ops.forEach((e, k) => expectOp(plan.operations[k]!, e));
    if (row.warn === 'none') expect(plan.warnings).toEqual([]);
    else for (const w of row.warn ?? []) expect(plan.warnings.some((x) => w.test(x))).toBe(true);
    if (row.alternatives !== undefined) expect(plan.alternatives?.length ?? 0).toBe(row.alternatives);
    if (row.unknown) expect(parseIntent(row.intent).unknown.map((u) => u.word)).toEqual(row.unknown);
    if (row.desc) expect(plan.operations.map((o) => o.description)).toContainEqual(expect.stringMatching(row.desc));
    // The plan is what hosts receive in `job.plan`: it must pass the wire schema as is.
    expect(PlanSchema.safeParse(plan).success).toBe(true);
  });
});

describe('contradictions and ambiguity', () => {
  it('text says rotate, arrow is straight: the plan rotates and warns', async () => {
    const plan = await makePlan(req('rotate it by 20 degrees', ['moveA']));
    expect(plan.operations).toHaveLength(1);
    expect(plan.operations[0]!.kind).toBe('rotate');
    expect(plan.operations[0]!.source).toBe('intent');
    expect(plan.operations[0]!.params).toEqual({ kind: 'rotate', angleDeg: 20, center: [expect.closeTo(CA[0], 1), expect.closeTo(CA[1], 1)] });
    expect(plan.operations[0]!.description).toMatch(/^Rotate region a by 20° clockwise about \(100,150\)$/);
    expect(plan.warnings.join(' ')).toMatch(/disagree.*rotate.*translate.*following the text/);
  });

  it('an ambiguous drag without text yields >= 2 complete alternatives, best first', async () => {
    const plan = await makePlan(req('', ['midA']));
    const alts = plan.alternatives ?? [];
    expect(alts.length).toBeGreaterThanOrEqual(2);
    const kinds = [plan.operations[0]!.kind, ...alts.map((a) => a.operations[0]!.kind)];
    expect(new Set(kinds).size).toBe(kinds.length);
    expect(kinds).toEqual(['translate', 'scale', 'deform']);
    for (const a of alts) {
      expect(a.operations).toHaveLength(1);
      expect(a.operations[0]!.description).toContain('region a');
      expect(a.confidence!).toBeLessThanOrEqual(plan.confidence!);
    }
    expect(plan.warnings.some((w) => /ambiguous/.test(w))).toBe(true);
  });

  it('a clear drag without text has no alternatives', async () => {
    expect((await makePlan(req('', ['moveA']))).alternatives).toBeUndefined();
    expect((await makePlan(req('', ['arcA']))).alternatives).toBeUndefined();
  });

  it('a kind set on the drag wins over the text, with a warning', async () => {
    const r = req('rotate it', ['moveA']);
    r.drags[0]!.kind = 'translate';
    const plan = await makePlan(r);
    expect(plan.operations[0]!.kind).toBe('translate');
    expect(plan.operations[0]!.source).toBe('user');
    expect(plan.warnings.join(' ')).toMatch(/set to translate but the text asks to rotate/);
  });

  it('useIntent:false ignores the text', async () => {
    const plan = await makePlan(req('rotate it', ['moveA']), { useIntent: false });
    expect(plan.operations[0]!.kind).toBe('translate');
    expect(plan.operations[0]!.source).toBe('geometry');
  });

  it('a drag naming an unknown region is rejected', async () => {
    const r = req('', ['moveA']);
    r.drags[0]!.region = 'zz';
    await expect(makePlan(r)).rejects.toThrow(RangeError);
  });
});
