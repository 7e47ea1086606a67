/**
 * "Keep the background" on an elastic drag (plan/background-kept.ts): only the object found inside
 * the selection bends; the selection's background stays pixel for pixel, and what the object
 * uncovers is filled. Without the words the whole selection bends (the background is dragged).
 */
import { rasterizePolygon } from '@smartdrag/shared';
import { makeTexture } from '../textures';
import { circle, discScene, DISC_SCENE_SIDE } from '../../../../test/helpers/disc-scene';
import type { EditRequest, PlacedMask, Point } from '../types';
import { runEdit } from '../edit';
import { backgroundKept, keepUnchangedWarning, warnsKeepUnchanged } from './background-kept';
import { grabbedPieces } from './object-reading';
import { parseIntent } from '../intent/parse';

const S = DISC_SCENE_SIDE;
const scene = discScene;
const LOOSE: PlacedMask = rasterizePolygon(circle(120, 120, 85));

test('the planner\'s "no keep mask was drawn" is found by its wording function, with either ending, and only for the words kept', () => {
  const plain = keepUnchangedWarning('the background', 0);
  const tailed = keepUnchangedWarning('the background', 0, '; only the handle regions and their targets change');
  expect(plain).toBe('The intent asks to keep "the background" unchanged, but no keep mask was drawn.');
  expect(tailed).toBe('The intent asks to keep "the background" unchanged, but no keep mask was drawn; only the handle regions and their targets change.');
  expect([plain, tailed].map((w) => warnsKeepUnchanged(w, 'the background'))).toEqual([true, true]);
  // Another object kept, or keep masks drawn (they protect it: nothing to answer): not that warning.
  expect(warnsKeepUnchanged(keepUnchangedWarning('the face', 0), 'the background')).toBe(false);
  expect(warnsKeepUnchanged(keepUnchangedWarning('the background', 2), 'the background')).toBe(false);
  expect(keepUnchangedWarning('the background', 2)).toBe('Keeping "the background" unchanged: 2 keep mask(s) protect it.');
});

describe('the words', () => {
  test.each([
    ['keep the background', 'the background'],
    ['keep the background intact', 'the background'],
    ['the background stays', 'the background'],
    ['the background should stay where it is', 'the background'],
    ["don't move the background", 'the background'],
    ['turn the head, leave the backdrop alone', 'the backdrop'],
    ['bend the tower but the sky remains', 'the sky'],
    ['raise the cap without moving the wall', 'the wall'],
  ])('%s → keeps %s', (intent, text) => {
    expect(backgroundKept(intent)?.text).toBe(text);
  });

  test.each([[''], ['turn the head'], ['keep the head'], ['keep its shape'], ["don't rotate it"], ['move the sky up']])('%s → nothing kept', (intent) => {
    expect(backgroundKept(intent)).toBeNull();
  });

  test('"stays" and "remains" follow their subject with no modal, as "should stay" does', () => {
    for (const t of ['the background stays', 'the sky remains', 'the background should stay']) {
      const c = parseIntent(t).constraints;
      expect(c.map((x) => [x.kind, x.object.words])).toEqual([['keep', [t.includes('sky') ? 'sky' : 'background']]]);
    }
    // A modal-less subject before another verb is not reordered.
    expect(parseIntent('the cup stays and move it left').actions.map((a) => a.verb)).toEqual(['move']);
  });
});

describe('an elastic drag with "keep the background"', () => {
  const img = scene();
  const base: EditRequest = { image: img, regions: [{ id: 'r', mask: LOOSE }], drags: [{ region: 'r', points: [[120, 120], [150, 105]] }], quality: 'final', seed: 1 };

  /**
   * Pixels of the selection more than 10 px from the disc and from the disc moved by the drag (the
   * vacated place is grown by a few pixels before it is filled, so that no rim of the object stays).
   */
  const farBackground = (x: number, y: number): boolean =>
    (x - 120) ** 2 + (y - 120) ** 2 <= 85 * 85 - 200 && Math.hypot(x - 120, y - 120) > 40 && Math.hypot(x - 150, y - 105) > 40;
  function changedFar(result: Awaited<ReturnType<typeof runEdit>>): number {
    const L = result.layer;
    let n = 0;
    for (let y = 0; y < L.image.height; y++) for (let x = 0; x < L.image.width; x++) {
      const X = L.left + x, Y = L.top + y;
      if (!farBackground(X, Y)) continue;
      const s = (y * L.image.width + x) * 4, d = (Y * S + X) * 4;
      if (L.image.data[s + 3]! === 0) continue;
      if (Math.abs(L.image.data[s]! - img.data[d]!) + Math.abs(L.image.data[s + 1]! - img.data[d + 1]!) + Math.abs(L.image.data[s + 2]! - img.data[d + 2]!) > 6) n++;
    }
    return n;
  }
  const at = (result: Awaited<ReturnType<typeof runEdit>>, X: number, Y: number): number[] => {
    const L = result.layer, x = X - L.left, y = Y - L.top;
    if (x < 0 || y < 0 || x >= L.image.width || y >= L.image.height || L.image.data[(y * L.image.width + x) * 4 + 3] === 0) return Array.from(img.data.subarray((Y * S + X) * 4, (Y * S + X) * 4 + 3));
    return Array.from(L.image.data.subarray((y * L.image.width + x) * 4, (y * L.image.width + x) * 4 + 3));
  };
  const red = (c: number[]): boolean => c[0]! > 150 && c[1]! < 80 && c[2]! < 90;

  test('the background stays; without the words it is dragged', async () => {
    const plain = await runEdit(base);
    const kept = await runEdit({ ...base, intent: 'keep the background' });
    // Both are the elastic reading of the drag.
    for (const r of [plain, kept]) expect(r.plan.operations.map((o) => [o.kind, o.params.kind === 'deform' && o.params.elastic])).toEqual([['deform', true]]);
    // The plain reading says how to keep the background; the kept one says that it stays.
    expect(plain.plan.operations[0]!.reason).toMatch(/the background inside the selection bends with it \(pick the reading that keeps the background, or say "keep the background", to leave it where it is\)$/);
    expect(kept.plan.operations[0]!.reason).not.toMatch(/bends with it/);
    expect(kept.plan.operations[0]!.reason).toMatch(/the background stays, as the intent asks \("keep the background"\): only the object found inside the selection \(\d+% of it\) bends/);
    // The planner's "no keep mask was drawn" is answered.
    expect(kept.plan.warnings.join(' ')).not.toMatch(/keep "the background" unchanged/);
    // The background away from the disc: dragged by the plain elastic drag, untouched when kept.
    expect(changedFar(plain)).toBeGreaterThan(500);
    expect(changedFar(kept)).toBe(0);
    // The disc's handle reached its target in both.
    expect(red(at(plain, 150, 105))).toBe(true);
    expect(red(at(kept, 150, 105))).toBe(true);
    // Behind the moved disc (its old trailing edge, left of the centre) the kept drag has filled
    // the uncovered place with the background's noise, not red.
    expect(red(at(kept, 96, 128))).toBe(false);
  });

  test('a speck of the object\'s colour apart from it stays with the background', async () => {
    // A red speck beside the disc (58 px from its centre, 43 from where it goes), inside the
    // selection where the field moves things: it is not bent along with the disc (here GrabCut
    // leaves it out; where it takes such a speck, grabbedPieces below drops it).
    const specked = scene();
    for (let y = 137; y < 144; y++) for (let x = 172; x < 179; x++) { const i = (y * S + x) * 4; specked.data[i] = 200; specked.data[i + 1] = 30; specked.data[i + 2] = 40; }
    const r = await runEdit({ ...base, image: specked, intent: 'keep the background' });
    expect(r.plan.operations[0]!.reason).toMatch(/the background stays/);
    const L = r.layer;
    let moved = 0;
    for (let y = 135; y < 146; y++) for (let x = 170; x < 181; x++) {
      const lx = x - L.left, ly = y - L.top;
      if (lx < 0 || ly < 0 || lx >= L.image.width || ly >= L.image.height) continue;
      const s = (ly * L.image.width + lx) * 4, d = (y * S + x) * 4;
      if (L.image.data[s + 3]! > 0 && Math.abs(L.image.data[s]! - specked.data[d]!) + Math.abs(L.image.data[s + 1]! - specked.data[d + 1]!) > 6) moved++;
    }
    expect(moved).toBe(0);
  });

  test('grabbedPieces: only the pieces an arrow starts on, each with its soft rim', () => {
    // Two blobs with soft rims in a 40 × 20 mask placed at (100, 50); the arrow starts on the left one.
    const w = 40, h = 20, data = new Uint8Array(w * h);
    for (let y = 5; y < 15; y++) for (let x = 3; x < 13; x++) data[y * w + x] = 255;
    for (let y = 5; y < 15; y++) data[y * w + 13] = 90;
    for (let y = 6; y < 12; y++) for (let x = 25; x < 31; x++) data[y * w + x] = 255;
    for (let y = 6; y < 12; y++) data[y * w + 24] = 60;
    const mask: PlacedMask = { left: 100, top: 50, width: w, height: h, data };
    const out = grabbedPieces(mask, [[108, 60]]);
    expect([out.left, out.top, out.width, out.height]).toEqual([100, 50, w, h]);
    let left = 0, rim = 0, right = 0;
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const v = out.data[y * w + x]!;
      if (x < 13 && v === 255) left++;
      if (x === 13 && v === 90) rim++;
      if (x >= 24 && v > 0) right++;
    }
    expect([left, rim, right]).toEqual([100, 10, 0]);
    // The input is not modified; arrows on both keep both.
    expect(mask.data[8 * w + 27]).toBe(255);
    expect(grabbedPieces(mask, [[108, 60], [127, 58]]).data.reduce((a, v) => a + (v > 0 ? 1 : 0), 0)).toBe(100 + 10 + 36 + 6);
  });

  test('a long drag: the stretch warning names the object, once', async () => {
    const long = { ...base, drags: [{ region: 'r', points: [[120, 120], [165, 95]] as Point[] }] };
    const plain = await runEdit(long), kept = await runEdit({ ...long, intent: 'keep the background' });
    expect(plain.plan.warnings.filter((w) => /stretches the surroundings up to [\d.]+×/.test(w))).toHaveLength(1);
    const said = kept.plan.warnings.filter((w) => /stretches the (object|surroundings)/.test(w));
    expect(said).toEqual([plain.plan.warnings.find((w) => /stretches the surroundings/.test(w))!.replace('the surroundings', 'the object')]);
  });

  test('offered as a reading to pick: the plain elastic drag\'s alternative keeps the background, and carried out it is the drag with the words', async () => {
    const plain = await runEdit(base);
    const alts = plain.plan.alternatives ?? [];
    expect(alts.map((a) => a.operations.map((o) => o.kind))).toEqual([['translate'], ['deform']]);
    const offer = alts[1]!.operations[0]!;
    expect(offer.params).toMatchObject({ kind: 'deform', elastic: true, keepBackground: true });
    expect(offer.description).toMatch(/^Elastic drag of the object in region r: .*the background inside the selection stays where it is, and what the object uncovers is filled$/);
    expect(offer.reason).not.toMatch(/bends with it/);
    expect(offer.reason).toMatch(/only the object found inside the selection bends, the background stays$/);
    // Picked (the reading sent back, core/plan/pinned-reading.ts): the same pixels as saying it.
    const picked = await runEdit({ ...base, reading: alts[1]!.operations });
    const said = await runEdit({ ...base, intent: 'keep the background' });
    expect(picked.plan.operations[0]!.reason).toMatch(/the background stays, as the reading chosen asks: only the object found inside the selection \(\d+% of it\) bends/);
    expect(picked.plan.operations[0]!.params).toMatchObject({ keepBackground: true });
    expect(said.plan.operations[0]!.params).toMatchObject({ keepBackground: true });
    expect(said.plan.operations[0]!.description).toBe(offer.description);
    expect(changedFar(picked)).toBe(0);
    expect(Buffer.from(picked.layer.image.data).equals(Buffer.from(said.layer.image.data))).toBe(true);
    // The plain reading is offered back, and the words need no such offer.
    expect(picked.plan.alternatives?.[0]!.operations[0]!.params).toMatchObject({ kind: 'deform', elastic: true });
    expect((picked.plan.alternatives?.[0]!.operations[0]!.params as { keepBackground?: boolean }).keepBackground).toBeUndefined();
    expect((said.plan.alternatives ?? []).some((a) => a.operations.some((o) => o.params.kind === 'deform' && o.params.keepBackground))).toBe(false);
  });

  test('picked where no object can be told: the whole selection bends, the plan says so and no longer claims the background stays', async () => {
    const noise = makeTexture('noise', S, S, 9);
    const plain = await runEdit({ ...base, image: noise });
    const offer = plain.plan.alternatives!.find((a) => a.operations.some((o) => o.params.kind === 'deform' && o.params.keepBackground))!;
    const r = await runEdit({ ...base, image: noise, reading: offer.operations });
    const op = r.plan.operations[0]!;
    expect(op.params).toMatchObject({ kind: 'deform', elastic: true });
    expect((op.params as { keepBackground?: boolean }).keepBackground).toBeUndefined();
    expect(op.description).toBe(plain.plan.operations[0]!.description);
    expect(op.reason).not.toMatch(/the background stays/);
    expect(r.plan.warnings.join(' ')).toMatch(/Region r: the reading chosen keeps the background, but no object could be told from its background .*the whole selection bends with the drag/);
  });

  test('no object told from its background: the whole selection bends, said', async () => {
    const noise = makeTexture('noise', S, S, 9);
    const r = await runEdit({ ...base, image: noise, intent: 'the background stays' });
    expect(r.plan.operations[0]!.params.kind === 'deform' && r.plan.operations[0]!.params.elastic).toBe(true);
    expect(r.plan.warnings.join(' ')).toMatch(/the intent asks to keep the background \("the background stays"\), but no object could be told from its background .*the whole selection bends with the drag/);
    // Said once: the planner's generic "no keep mask was drawn" gives way to the reason.
    expect(r.plan.warnings.join(' ')).not.toMatch(/no keep mask was drawn/);
  });
});
