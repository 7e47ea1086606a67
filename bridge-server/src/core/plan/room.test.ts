/**
 * "More room" (plan/room.ts): where an elastic drag has too little room inside its selection, the
 * same drag on the selection grown outward is offered as a reading to pick; picked, only the grown
 * area changes, and the drag stretches less.
 */
import { rasterizePolygon, SmartDragError } from '@smartdrag/shared';
import { circle, discScene, DISC_SCENE_SIDE } from '../../../../test/helpers/disc-scene';
import type { EditRequest, Operation, PlacedMask, Point } from '../types';
import { bridgeEditOptions, runEdit } from '../edit';
import { growMask, roomAsked, roomFor, ROOM_REASON, requestWithRoom } from './room';
import { parseIntent, roomWords } from '../intent/parse';
import { paramsToProxy } from '../proxy';
import { OperationSchema } from '@smartdrag/shared';

const S = DISC_SCENE_SIDE;
const scene = discScene;
const LOOSE: PlacedMask = rasterizePolygon(circle(120, 120, 60, 64));

describe('growMask and roomFor', () => {
  const square: PlacedMask = { left: 20, top: 20, width: 10, height: 10, data: new Uint8Array(100).fill(255) };
  test('a mask grown by r: every pixel within r of it (chamfer: within 6% of the Euclidean), none further, clipped to the picture', () => {
    const g = growMask(square, 5, 40, 32);
    expect(g).toMatchObject({ left: 15, top: 15, width: 20, height: 17 });
    const at = (x: number, y: number): number => (x < g.left || y < g.top || x >= g.left + g.width || y >= g.top + g.height ? 0 : g.data[(y - g.top) * g.width + x - g.left]!);
    expect(at(15, 25)).toBe(255); // 5 px left of the edge
    expect(at(34, 25)).toBe(255); // 5 px right
    expect(at(25, 31)).toBe(255); // down to the picture's edge (32 rows)
    expect(at(16, 16)).toBe(0); // the corner: 5.7 px away
    expect(at(17, 17)).toBe(255); // 4.2 px away
    // Clipped at the picture's bottom edge.
    expect(g.top + g.height).toBe(32);
  });
  test('the soft edge of a selection stays as drawn where the growth does not reach past it; nothing grows past the picture', () => {
    const soft: PlacedMask = { left: 0, top: 0, width: 3, height: 1, data: Uint8Array.from([255, 100, 0]) };
    // Grown by 0.5 px (chamfer steps are whole pixels): the 100 pixel is 1 px away, kept as drawn.
    const g = growMask(soft, 0.5, 3, 1);
    expect(Array.from(g.data)).toEqual([255, 100, 0]);
    expect(Array.from(growMask(soft, 1, 3, 1).data)).toEqual([255, 255, 0]);
    // A huge room covers the picture, no more.
    expect(growMask(square, 1e9, 40, 32)).toMatchObject({ left: 0, top: 0, width: 40, height: 32 });
  });
  test('roomFor: a quarter of the equivalent radius; none when the selection covers the whole picture', () => {
    expect(roomFor(LOOSE, S, S)).toBe(15); // π·60² px → 60 px radius
    expect(roomFor({ left: 0, top: 0, width: 40, height: 32, data: new Uint8Array(40 * 32).fill(255) }, 40, 32)).toBe(0);
    expect(roomFor(square, 40, 32)).toBe(2); // (a quarter of 5.6 px: the smallest room offered)
  });
});

describe('an elastic drag with too little room in its selection', () => {
  const img = scene();
  // The disc's right edge pulled to 8 px from the selection's edge: no room ahead of it.
  const req: EditRequest = { image: img, regions: [{ id: 'r', mask: LOOSE }], drags: [{ region: 'r', points: [[145, 120], [172, 120]] }], quality: 'final', seed: 1 };
  const roomOf = (ops: readonly Operation[]): number | undefined => (ops[0]!.params.kind === 'deform' ? ops[0]!.params.room : undefined);
  const changedAt = (r: Awaited<ReturnType<typeof runEdit>>, keep: (d: number) => boolean): number => {
    const L = r.layer;
    let n = 0;
    for (let y = 0; y < L.image.height; y++) for (let x = 0; x < L.image.width; x++) {
      const s = (y * L.image.width + x) * 4, X = L.left + x, Y = L.top + y, d = (Y * S + X) * 4;
      if (L.image.data[s + 3] === 0 || !keep(Math.hypot(X - 120, Y - 120))) continue;
      if (L.image.data[s] !== img.data[d] || L.image.data[s + 1] !== img.data[d + 1] || L.image.data[s + 2] !== img.data[d + 2]) n++;
    }
    return n;
  };

  test('the plan offers the same drag on the selection grown by a quarter of its radius; picked, only the grown area changes and it stretches less', async () => {
    const plain = await runEdit(req, bridgeEditOptions('final'));
    const op = plain.plan.operations[0]!;
    expect(op.params).toMatchObject({ kind: 'deform', elastic: true });
    // The plan's own words advise a larger area…
    expect(plain.plan.warnings.join(' ')).toMatch(/larger (editable )?(area|selection)/);
    // …and the reading that does it is one of its alternatives, after the rigid one and the one that keeps the background.
    const alts = plain.plan.alternatives ?? [];
    expect(alts).toHaveLength(3);
    const offer = alts.find((a) => roomOf(a.operations) !== undefined)!;
    expect(alts.indexOf(offer)).toBe(2);
    expect(roomOf(offer.operations)).toBe(15);
    expect(offer.operations[0]!.description).toMatch(/^Elastic drag in region r: pull \(145,120\) to \(172,120\) \(right\); the part under each handle moves as a whole, the rest of the selection, grown by 15 px, stretches to follow; the grown edge does not move and nothing is cut out or filled$/);
    expect(offer.operations[0]!.reason.endsWith(`; ${ROOM_REASON}`)).toBe(true);
    // Its reason does not repeat what the map inside the selection as drawn did (its stretch).
    expect(op.reason).toMatch(/elastic drag \([^()]*largest stretch [\d.]+×\)/);
    expect(offer.operations[0]!.reason).not.toMatch(/largest stretch/);
    expect(offer.warnings.join(' ')).toMatch(/region r: More room: the drag bends the selection grown by 15 px, so pixels just outside it change too\./);
    // The first reading stays inside the selection.
    expect(changedAt(plain, (d) => d > 60.5)).toBe(0);

    const picked = await runEdit({ ...req, reading: offer.operations }, bridgeEditOptions('final'));
    expect(roomOf(picked.plan.operations)).toBe(15);
    expect(picked.plan.operations[0]!.reason).toMatch(/\(the reading chosen\)$/);
    // The area that bends is the grown selection: pixels just outside the drawn one change, none past the growth.
    expect(changedAt(picked, (d) => d > 61 && d < 75)).toBeGreaterThan(50);
    expect(changedAt(picked, (d) => d > 76.5)).toBe(0);
    // The point of it: the drag stretches less (the self-check's largest stretch, and the planner's reading).
    expect(picked.check!.stretch).toBeLessThan(plain.check!.stretch);
    // The disc's edge reached its target.
    const L = picked.layer, q = ((120 - L.top) * L.image.width + 172 - L.left - 2) * 4;
    expect(L.image.data[q]! > 150 && L.image.data[q + 1]! < 80).toBe(true);
    // The first reading is offered back.
    expect(picked.plan.alternatives!.some((a) => a.operations[0]!.params.kind === 'deform' && roomOf(a.operations) === undefined && !a.operations[0]!.params.keepBackground)).toBe(true);
  });

  test('not offered where the drag has room enough, nor with several regions, nor where the background is kept', async () => {
    const short = await runEdit({ ...req, drags: [{ region: 'r', points: [[130, 120], [138, 118]] }], quality: 'preview' });
    expect(short.plan.operations[0]!.params).toMatchObject({ kind: 'deform', elastic: true });
    expect(short.plan.warnings.join(' ')).not.toMatch(/larger (editable )?(area|selection)/);
    expect((short.plan.alternatives ?? []).some((a) => roomOf(a.operations) !== undefined)).toBe(false);
    const other: PlacedMask = rasterizePolygon(circle(30, 30, 20, 64));
    const two = await runEdit({ ...req, regions: [...req.regions, { id: 'o', mask: other }], quality: 'preview' });
    expect((two.plan.alternatives ?? []).some((a) => a.operations.some((o) => o.params.kind === 'deform' && o.params.room !== undefined))).toBe(false);
    const kept = await runEdit({ ...req, intent: 'keep the background', quality: 'preview' });
    expect((kept.plan.alternatives ?? []).some((a) => roomOf(a.operations) !== undefined)).toBe(false);
  });

  test('a room that cannot be carried out is refused before any work; the wire carries a positive room only', async () => {
    const plain = await runEdit({ ...req, quality: 'preview' });
    const offer = plain.plan.alternatives!.find((a) => roomOf(a.operations) !== undefined)!.operations;
    const withParams = (p: object): Operation[] => [{ ...offer[0]!, params: { ...offer[0]!.params, ...p } as Operation['params'] }];
    for (const [p, said] of [[{ room: -3 }, /room that is not a positive number/], [{ room: Number.NaN }, /room that is not a positive number/], [{ keepBackground: true }, /one or the other/], [{ elastic: false }, /only an elastic drag takes/]] as const) {
      const e = await runEdit({ ...req, reading: withParams(p) }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(SmartDragError);
      expect((e as SmartDragError).code).toBe('bad_message');
      expect((e as Error).message).toMatch(said);
    }
    expect(OperationSchema.safeParse(offer[0]).success).toBe(true);
    expect(OperationSchema.safeParse(withParams({ room: 0 })[0]).success).toBe(false);
    expect(OperationSchema.safeParse(withParams({ room: -1 })[0]).success).toBe(false);
  });

  test('the room is a length: a proxy scales it; requestWithRoom grows only the regions with one', () => {
    const p = { kind: 'deform' as const, handles: [[100, 100]] as Point[], targets: [[120, 100]] as Point[], elastic: true, room: 40 };
    expect(paramsToProxy(p, { width: 50, height: 50, scaleX: 0.25, scaleY: 0.25 } as Parameters<typeof paramsToProxy>[1])).toMatchObject({ room: 10 });
    const plan = { operations: [{ region: 'r', kind: 'deform' as const, params: p, source: 'geometry' as const, description: '', reason: '' }], warnings: [] };
    const other: PlacedMask = rasterizePolygon(circle(30, 30, 20, 64));
    const grown = requestWithRoom({ ...req, regions: [...req.regions, { id: 'o', mask: other }] }, plan);
    expect(grown.regions[0]!.mask).toMatchObject({ left: LOOSE.left - 40, top: LOOSE.top - 40, width: LOOSE.width + 80, height: LOOSE.height + 80 });
    expect(grown.regions[1]!.mask).toBe(other);
    expect(requestWithRoom(req, { operations: [{ ...plan.operations[0]!, params: { ...p, room: undefined } }], warnings: [] })).toBe(req);
    // The image a crop of a larger document (its left and bottom edges are the crop's): the growth
    // stops a pixel short of those edges, and reaches the document's own (top, right).
    const big = { ...plan, operations: [{ ...plan.operations[0]!, params: { ...p, room: 500 } }] };
    const cropped = requestWithRoom({ ...req, document: { left: -100, top: 0, width: S + 100, height: S + 50 } }, big).regions[0]!.mask;
    expect(cropped).toMatchObject({ left: 1, top: 0, width: S - 1, height: S - 1 });
    expect(cropped.data.every((v) => v === 255)).toBe(true);
  });
});

describe('asked for in words', () => {
  test.each([
    ['more room', 'more room'],
    ['give it more room', 'give it more room'],
    ['turn the head, with more room', 'with more room'],
    ['raise the ear and use a larger area', 'use a larger area'],
    ['it may go outside the selection', 'it may go outside the selection'],
    ['lift the petal, you can change pixels outside the lasso', 'you can change pixels outside the lasso'],
    ['let it bend beyond the selection', 'let it bend beyond the selection'],
    ['A Bigger Area please', 'A Bigger Area'],
  ])('%s → "%s", and the rest is read without it', (text, said) => {
    expect(roomWords(text)?.said).toBe(said);
    const p = parseIntent(text);
    expect(p.room).toEqual({ said });
    expect(p.text).toBe(text);
    expect(p.unknown.map((u) => u.word)).not.toContain('room');
    expect(p.unknown.map((u) => u.word)).not.toContain('area');
  });
  test.each([['make the selection bigger'], ['make the room bigger'], ['move it to the room on the left'], ['enlarge the area'], ['make it cover a larger area'], ['let it take up a bigger area'], ['spread it over a wider area'], ['']])('%s → not asked', (text) => {
    expect(roomWords(text)).toBeNull();
    expect(roomAsked(text)).toBeNull();
  });
});

describe('an elastic drag with "more room" in the intent', () => {
  const img = scene();
  const req: EditRequest = { image: img, regions: [{ id: 'r', mask: LOOSE }], drags: [{ region: 'r', points: [[145, 120], [172, 120]] }], quality: 'preview', seed: 1 };
  const roomOf = (o: Operation): number | undefined => (o.params.kind === 'deform' ? o.params.room : undefined);

  test('the first reading takes the room, the selection as drawn is an alternative, and the words are understood', async () => {
    const r = await runEdit({ ...req, intent: 'more room' });
    const op = r.plan.operations[0]!;
    expect(roomOf(op)).toBe(15);
    expect(op.reason).toMatch(/pixels just outside it change too \(as the intent asks: "more room"\)$/);
    expect(r.plan.warnings.join(' ')).not.toMatch(/not understood|names no operation|asks for more room/);
    const alts = r.plan.alternatives ?? [];
    expect(alts.map((a) => a.operations[0]!.params.kind === 'deform' && a.operations[0]!.params.elastic ? (roomOf(a.operations[0]!) ?? (a.operations[0]!.params.keepBackground ? 'kept' : 'plain')) : 'rigid')).toEqual(['rigid', 'kept', 'plain']);
    // The same pixels as the reading picked without the words.
    const picked = await runEdit({ ...req, reading: (await runEdit(req)).plan.alternatives!.find((a) => roomOf(a.operations[0]!) !== undefined)!.operations });
    expect(Buffer.from(r.layer.image.data).equals(Buffer.from(picked.layer.image.data))).toBe(true);
  });

  test('not used where it cannot be, and said why', async () => {
    const kept = await runEdit({ ...req, intent: 'keep the background, more room' });
    expect(roomOf(kept.plan.operations[0]!)).toBeUndefined();
    expect(kept.plan.warnings).toContain('The intent asks for more room ("more room"), which grows the area an elastic drag bends: not used here — the intent keeps the background too, so only the object found inside the selection bends.');
    const moved = await runEdit({ ...req, drags: [{ ...req.drags[0]!, kind: 'translate' }], intent: 'move it, more room' });
    expect(moved.plan.operations[0]!.kind).toBe('translate');
    expect(moved.plan.warnings.join(' ')).toMatch(/asks for more room \("more room"\), which grows the area an elastic drag bends: not used here — the plan does not bend the selection/);
    const other: PlacedMask = rasterizePolygon(circle(30, 30, 20, 64));
    const two = await runEdit({ ...req, regions: [...req.regions, { id: 'o', mask: other }], intent: 'more room' });
    expect(two.plan.warnings.join(' ')).toMatch(/not used here — there are several selections/);
  });
});
