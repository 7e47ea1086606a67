import { rasterizePolygon } from '@smartdrag/shared';
import { makeTexture } from '../textures';
import type { EditRequest, PlacedMask, Point, RgbaImage } from '../types';
import { makePlan } from './index';
import { selectionFit } from './selection-fit';
import { outlineOnEdge } from './object-reading';
import { runEdit } from '../edit';
import { cloneImage, pasteImage } from '../image';

/** Noise-textured background with a flat red disc (the object) of radius 30 at (120, 120). */
function scene(): RgbaImage {
  const img = makeTexture('noise', 240, 240, 9);
  for (let y = 0; y < 240; y++) for (let x = 0; x < 240; x++) {
    if ((x - 120) ** 2 + (y - 120) ** 2 <= 30 * 30) { const i = (y * 240 + x) * 4; img.data[i] = 200; img.data[i + 1] = 30; img.data[i + 2] = 40; }
  }
  return img;
}
const circle = (cx: number, cy: number, r: number, n = 48): Point[] =>
  Array.from({ length: n }, (_, i) => [cx + r * Math.cos((2 * Math.PI * i) / n), cy + r * Math.sin((2 * Math.PI * i) / n)] as Point);
const TIGHT: PlacedMask = rasterizePolygon(circle(120, 120, 30));
const LOOSE: PlacedMask = rasterizePolygon(circle(120, 120, 85));

describe('selection fit: does the selection follow the object outline?', () => {
  test('a polygon on the outline is tight; an area drawn around the object is loose', () => {
    const img = scene();
    const tight = selectionFit(img, TIGHT), loose = selectionFit(img, LOOSE);
    expect(tight.tight).toBe(true);
    expect(loose.tight).toBe(false);
    expect(tight.edgeRatio).toBeGreaterThan(2 * loose.edgeRatio);
    expect(loose.samples).toBeGreaterThan(100);
  });
});

describe('planner: rigid move, elastic drag or part deform (decision table)', () => {
  const img = scene();
  const req = (mask: PlacedMask, points: Point[], extra: Partial<EditRequest> = {}, kind?: 'translate'): EditRequest => ({
    image: img, regions: [{ id: 'r', mask }], drags: [{ region: 'r', points, ...(kind ? { kind } : {}) }], quality: 'preview', ...extra,
  });
  const table: Array<[string, string, boolean, EditRequest]> = [
    ['loose area, arrow inside it', 'deform', true, req(LOOSE, [[120, 120], [150, 105]])],
    ['loose area, intent names a part: "turn the head"', 'deform', true, req(LOOSE, [[120, 120], [150, 105]], { intent: 'turn the head' })],
    ['loose area, intent names a part: "raise the arm"', 'deform', true, req(LOOSE, [[120, 120], [150, 105]], { intent: 'raise the arm' })],
    ['loose area, intent names a part: "close the mouth"', 'deform', true, req(LOOSE, [[120, 120], [150, 105]], { intent: 'close the mouth' })],
    ['loose area, intent names a whole object: "rotate the cup 20 degrees"', 'rotate', false, req(LOOSE, [[120, 120], [150, 105]], { intent: 'rotate the cup 20 degrees' })],
    ['loose area, intent reshapes the whole: "stretch it"', 'deform', true, req(LOOSE, [[120, 95], [120, 70]], { intent: 'stretch it' })],
    ['loose area, intent reshapes the whole: "bend the tower to the right"', 'deform', true, req(LOOSE, [[120, 95], [140, 90]], { intent: 'bend the tower to the right' })],
    ['loose area, intent turns the whole by a look: "make the dog look up"', 'deform', true, req(LOOSE, [[120, 95], [120, 70]], { intent: 'make the dog look up' })],
    ['loose area, intent only gives a direction: "lift it"', 'translate', false, req(LOOSE, [[120, 95], [120, 70]], { intent: 'lift it' })],
    ['loose area, intent scales the whole: "make the tree taller"', 'scale', false, req(LOOSE, [[120, 95], [120, 70]], { intent: 'make the tree taller' })],
    ['loose area, one action reshapes, another moves a whole: "bend it and move the cup left"', 'translate', false, req(LOOSE, [[120, 95], [120, 70]], { intent: 'bend it and move the cup left' })],
    ['tight outline, arrow inside it', 'translate', false, req(TIGHT, [[120, 120], [135, 115]])],
    ['loose area, arrow leaves it (a move to a new place)', 'translate', false, req(LOOSE, [[120, 120], [225, 120]])],
    ['loose area, kind set to translate by the user', 'translate', false, req(LOOSE, [[120, 120], [150, 105]], {}, 'translate')],
    ['loose area, intent "move it up and to the right"', 'translate', false, req(LOOSE, [[120, 120], [150, 105]], { intent: 'move it up and to the right' })],
    ['loose area, arrow far too long for the room', 'translate', false, req(LOOSE, [[60, 120], [190, 120]])],
    ['loose area, one arrow from the rim towards the centre (read as a scale by geometry)', 'deform', true, req(LOOSE, [[190, 120], [140, 120]])],
    ['tight outline, one arrow from the rim towards the centre', 'scale', false, req(TIGHT, [[148, 120], [135, 120]])],
    ['loose area, two arrows pushing together', 'scale', false, {
      image: img, regions: [{ id: 'r', mask: LOOSE }], quality: 'preview',
      drags: [{ region: 'r', points: [[60, 120], [90, 120]] }, { region: 'r', points: [[180, 120], [150, 120]] }],
    }],
  ];
  test.each(table)('%s → %s (elastic %s)', async (_name, kind, elastic, r) => {
    const plan = await makePlan(r);
    expect(plan.operations).toHaveLength(1);
    const op = plan.operations[0]!;
    expect(op.kind).toBe(kind);
    expect(op.params.kind === 'deform' && op.params.elastic === true).toBe(elastic);
    if (elastic) {
      expect(op.description).toMatch(/^Elastic drag in region r/);
      expect(op.reason).toMatch(/editable area/);
      if (r.intent) {
        expect(op.source).toBe('intent');
        expect(op.reason).toMatch(/the intent (names a part|reshapes \((stretch|bend|make … look)\))/);
      }
      // The rigid reading stays on offer.
      expect(plan.alternatives?.[0]?.operations[0]?.kind).toMatch(r.intent ? /^(translate|rotate|deform|scale)$/ : /^(translate|scale)$/);
    }
  });
});

describe('the elastic reading says which map it built', () => {
  const img = scene();
  const plan = (points: Point[]) => makePlan({ image: img, regions: [{ id: 'r', mask: LOOSE }], drags: [{ region: 'r', points }], quality: 'preview' });
  test('a fold-free drag names the rigid parts\' radii; a drag the area cannot map fold-free says the part slides over what lies in front of it (no empty radius list)', async () => {
    const smooth = (await plan([[120, 120], [150, 105]])).operations[0]!;
    expect(smooth.reason).toMatch(/parts of \d+(, \d+)* px radius move as a whole/);
    expect(smooth.params).toMatchObject({ kind: 'deform', elastic: true, map: 'parts' });
    const long = await plan([[60, 120], [100, 120]]);
    const op = long.operations[0]!;
    expect(op.params).toMatchObject({ kind: 'deform', elastic: true, map: 'occlusion' });
    expect(long.warnings.join('\n')).toMatch(/slides over what lies in front of it/);
    expect(op.reason).toMatch(/no fold-free map: the dragged part slides over what lies in front of it, largest stretch \d/);
    expect(op.reason).not.toMatch(/parts of\s+px/);
  });
  const two = (a: Point[], b: Point[]) => makePlan({ image: img, regions: [{ id: 'r', mask: LOOSE }], drags: [{ region: 'r', points: a }, { region: 'r', points: b }], quality: 'preview' });
  test('parallel arrows say that a band moves with them (not "parts"), arrows that turn one piece say so', async () => {
    // Two arrows side by side, the same way and length: they push an edge.
    const band = (await two([[106, 130], [106, 110]], [[134, 130], [134, 110]])).operations;
    expect(band).toHaveLength(1);
    expect(band[0]!.params).toMatchObject({ kind: 'deform', elastic: true, map: 'band' });
    expect(band[0]!.reason).toMatch(/the parallel arrows push an edge: a band through their targets moves with them/);
    expect(band[0]!.reason).not.toMatch(/parts of/);
    // Two arrows turning the line between them by 10° about its middle: one rigid piece.
    const c = Math.cos(Math.PI / 18), s = Math.sin(Math.PI / 18);
    const turn = (await two([[90, 120], [120 - 30 * c, 120 - 30 * s]], [[150, 120], [120 + 30 * c, 120 + 30 * s]])).operations;
    expect(turn).toHaveLength(1);
    expect(turn[0]!.params).toMatchObject({ kind: 'deform', elastic: true, map: 'group' });
    expect(turn[0]!.reason).toMatch(/the arrows move one piece: everything between their targets moves as one and every handle lands, parts of \d+, \d+ px radius around them/);
  });
});

describe('a far arrow on an object attached to something outside the selection slides it instead of cutting it out', () => {
  // A red disc (radius 30 at (120, 120)) and a red stalk from it out past the selection's edge
  // (x ≥ 120 up to 200, y 115–125), in a loose selection of radius 55: the disc is a part of
  // something larger (a tail on its fish, a tower top on its tower). Without the stalk it is free.
  const SEL: PlacedMask = rasterizePolygon(circle(120, 120, 55));
  const RED = [200, 30, 40];
  const stalkScene = (stalk: boolean): RgbaImage => {
    const img = makeTexture('noise', 240, 240, 9);
    for (let y = 0; y < 240; y++) for (let x = 0; x < 240; x++) {
      if ((x - 120) ** 2 + (y - 120) ** 2 <= 30 * 30 || (stalk && x >= 120 && x <= 200 && y >= 115 && y <= 125)) img.data.set(RED, (y * 240 + x) * 4);
    }
    return img;
  };
  const request = (stalk: boolean, points: Point[], quality: 'preview' | 'final'): EditRequest =>
    ({ image: stalkScene(stalk), regions: [{ id: 'r', mask: SEL }], drags: [{ region: 'r', points }], quality });
  // Both arrows cross most of the room ahead of them (a move to a new place for a free object).
  const arrows: Array<[string, Point[]]> = [['up', [[120, 120], [120, 72]]], ['left', [[140, 120], [72, 120]]]];

  test.each(arrows)('arrow %s: the free disc moves rigidly (the object reading); the attached one slides, at both qualities', async (_n, points) => {
    for (const quality of ['preview', 'final'] as const) {
      const free = (await makePlan(request(false, points, quality))).operations[0]!;
      expect(free.kind).toBe('translate');
      const joined = (await makePlan(request(true, points, quality))).operations[0]!;
      expect(joined.params).toMatchObject({ kind: 'deform', elastic: true });
      expect(joined.reason).toMatch(/the object it grabs continues past the selection's edge \(\d+% of its outline\): moved as a cut-out it would come off/);
    }
  });

  test('the outline share: none for a free object, the join for an attached one', () => {
    const box = (x0: number, y0: number, x1: number, y1: number): PlacedMask => {
      const m: PlacedMask = { left: x0, top: y0, width: x1 - x0, height: y1 - y0, data: new Uint8Array((x1 - x0) * (y1 - y0)).fill(255) };
      return m;
    };
    const sel = box(0, 0, 100, 100);
    expect(outlineOnEdge(box(20, 20, 40, 40), sel)).toEqual({ outline: 76, onEdge: 0 });
    // A 20×10 object whose right column lies on the selection's last column: 10 of its 56 outline pixels.
    expect(outlineOnEdge(box(80, 40, 100, 50), sel)).toEqual({ outline: 56, onEdge: 10 });
  });

  test('the final edit keeps the disc joined to its stalk (the rigid reading left a gap the filler closed)', async () => {
    const req = request(true, [[120, 120], [120, 72]], 'final');
    const res = await runEdit(req);
    const out = cloneImage(req.image);
    pasteImage(out, res.edited, res.crop.left, res.crop.top);
    // Red pixels reachable from the disc's new centre, 4-connected: they must reach the stalk
    // outside the selection (x > 175), which never moves.
    const isRed = (p: number): boolean => Math.abs(out.data[p * 4]! - RED[0]!) + Math.abs(out.data[p * 4 + 1]! - RED[1]!) + Math.abs(out.data[p * 4 + 2]! - RED[2]!) < 90;
    const seen = new Uint8Array(240 * 240);
    const stack = [72 * 240 + 120];
    expect(isRed(stack[0]!)).toBe(true);
    let reachedOutside = false;
    while (stack.length > 0) {
      const p = stack.pop()!;
      if (seen[p] || !isRed(p)) continue;
      seen[p] = 1;
      const x = p % 240;
      if (x > 180) reachedOutside = true;
      if (x > 0) stack.push(p - 1);
      if (x < 239) stack.push(p + 1);
      if (p >= 240) stack.push(p - 240);
      if (p < 240 * 239) stack.push(p + 240);
    }
    expect(reachedOutside).toBe(true);
  });
});

describe('on a photo: a loose ellipse around the fish\'s tail, the tail dragged up and back', () => {
  // Drawn by hand on test/fixtures/photos/HappyFish.png (259×194): the ellipse holds the tail and
  // the end of its stalk; the arrow crosses most of the room above the tail. Read as a move of the
  // object found inside, the tail came off the fish and floated.
  test('the tail slides, joined to the fish, at both qualities', async () => {
    const { readImage } = await import('../../io/image-io');
    const image = await readImage(require('node:path').join(__dirname, '../../../../test/fixtures/photos/HappyFish.png'));
    const mask: PlacedMask = { left: 0, top: 0, width: image.width, height: image.height, data: new Uint8Array(image.width * image.height) };
    for (let y = 0; y < image.height; y++) for (let x = 0; x < image.width; x++) {
      if (((x - 228) / 35) ** 2 + ((y - 95) / 85) ** 2 <= 1) mask.data[y * image.width + x] = 255;
    }
    for (const quality of ['preview', 'final'] as const) {
      const plan = await makePlan({ image, regions: [{ id: 'tail', mask }], drags: [{ region: 'tail', points: [[240, 60], [252, 42]] }], keep: [], quality });
      const op = plan.operations[0]!;
      expect(op.params).toMatchObject({ kind: 'deform', elastic: true });
      expect(op.reason).toMatch(/continues past the selection's edge/);
      expect(plan.alternatives?.[0]?.operations[0]?.kind).toBe('translate');
    }
  });
});
