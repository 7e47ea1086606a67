import { maskAt } from '@smartdrag/shared';
import { runEdit } from '../edit';
import { makeSegmentScene } from '../segment/test-scenes';
import type { EditRequest, Plan, PlacedMask } from '../types';
import { applyObjectReading } from './object-reading';

const px = (d: Uint8ClampedArray, i: number): number[] => Array.from(d.subarray(i * 4, i * 4 + 4));

function translatePlan(region: string, dx: number, dy: number): Plan {
  return {
    operations: [{ region, kind: 'translate', params: { kind: 'translate', dx, dy }, source: 'user', description: `Move region ${region}`, reason: 'the user chose translate' }],
    warnings: [],
  };
}

describe('object reading: a rigid move of a loose selection moves the object inside it', () => {
  const scene = makeSegmentScene('textured');
  const req: EditRequest = {
    image: scene.image,
    regions: [{ id: 'r', mask: scene.selection }],
    drags: [{ region: 'r', points: [[150, 120], [150, 160]], kind: 'translate' }],
    quality: 'preview',
  };

  it('moves only the object; the selection\'s background stays; the plan says so', async () => {
    const res = await runEdit(req);
    const op = res.plan.operations[0]!;
    expect(op.kind).toBe('translate');
    expect(op.reason).toMatch(/moves the object found inside the selection \((3\d|4\d)% of it\); the rest of the selection stays/);
    const { crop, edited } = res;
    const W = scene.image.width;
    const at = (x: number, y: number): number => (y - crop.top) * crop.width + (x - crop.left);
    // Background inside the selection, away from the object, its hole and its new place: unchanged
    // (moving the whole selection would have brought other background there) — outside the edit's
    // crop (the moved object's box and a margin), or inside it with the same pixels.
    const inCrop = (x: number, y: number): boolean => x >= crop.left && y >= crop.top && x < crop.left + crop.width && y < crop.top + crop.height;
    for (const [x, y] of [[80, 120], [240, 100], [160, 60]] as const) {
      expect(scene.selection.data[(y - scene.selection.top) * scene.selection.width + (x - scene.selection.left)]).toBe(255);
      if (inCrop(x, y)) expect(px(edited.data, at(x, y))).toEqual(px(scene.image.data, y * W + x));
    }
    // (The whole selection moved would need a crop around all of it.)
    expect(crop.width * crop.height).toBeLessThan(0.8 * scene.selection.width * (scene.selection.height + 40));
    // The object's inside lands 40 px lower, pixel for pixel.
    for (const [x, y] of [[150, 110], [175, 125], [130, 130]] as const) expect(px(edited.data, at(x, y + 40))).toEqual(px(scene.image.data, y * W + x));
    // Only the object's old place not covered by its new one is filled: the hole is about the
    // uncovered part of the object (plus its rim), far less than the selection.
    let hole = 0, sel = 0;
    for (const v of res.holeMask.data) if (v >= 128) hole++;
    for (const v of scene.selection.data) if (v >= 128) sel++;
    expect(hole).toBeLessThan(0.3 * sel);
    expect(hole).toBeGreaterThan(0);
  });

  it('turns a thin object (a rod, 7% of the selection) alone: the selection\'s background stays', async () => {
    // Below the old 10% floor the whole selection turned, with whatever else lay in it.
    const rod = makeSegmentScene('thin');
    const res = await runEdit({
      image: rod.image, regions: [{ id: 'r', mask: rod.selection }], quality: 'preview',
      drags: [{ region: 'r', points: [[229, 160], [218, 174], [205, 186]], kind: 'rotate', center: [160, 120] }],
    });
    const op = res.plan.operations[0]!;
    expect(op.kind).toBe('rotate');
    expect(op.reason).toMatch(/moves the object found inside the selection \(\d% of it\)/);
    const { crop, edited } = res;
    const W = rod.image.width;
    const at = (x: number, y: number): number => (y - crop.top) * crop.width + (x - crop.left);
    // Background inside the selection, off the rod's old and new places: unchanged.
    for (const [x, y] of [[90, 120], [160, 70], [230, 120]] as const) {
      expect(rod.selection.data[(y - rod.selection.top) * rod.selection.width + (x - rod.selection.left)]).toBe(255);
      expect(px(edited.data, at(x, y))).toEqual(px(rod.image.data, y * W + x));
    }
  });

  it('warns when the selection cuts the object (the part outside stays behind), and only then', async () => {
    const cut = makeSegmentScene('touching-edge');
    const plan = (await runEdit({ image: cut.image, regions: [{ id: 'r', mask: cut.selection }], drags: [{ region: 'r', points: [[150, 120], [150, 160]], kind: 'translate' }], quality: 'preview' })).plan;
    expect(plan.operations[0]!.reason).toMatch(/moves the object found inside the selection/);
    expect(plan.warnings).toContainEqual(expect.stringMatching(/^Region r: the object continues past the selection's edge \(\d+% of its outline lies on it\); the part outside the selection stays where it is/));
    const whole = (await runEdit(req)).plan;
    expect(whole.warnings.some((w) => /continues past the selection's edge/.test(w))).toBe(false);
  });

  it.each(['textured', 'touching-edge', 'low-contrast-part'] as const)('a preview moves the same object as its final (%s scene at 1× and 3×: IoU ≥ 0.97)', (kind) => {
    // The preview reads the object on a coarser grid (cheaper); too coarse (80 px) and it lost
    // low-contrast parts the final kept (IoU 0.92–0.96 here; a person's dark legs on a photo).
    for (const scale of [1, 3]) {
      const s = makeSegmentScene(kind, scale);
      const at = (quality: 'preview' | 'final'): PlacedMask => applyObjectReading(
        { image: s.image, regions: [{ id: 'r', mask: s.selection }], drags: [{ region: 'r', points: [s.handles[0]!, [s.handles[0]![0], s.handles[0]![1] + 30]], kind: 'translate' }], quality },
        translatePlan('r', 0, 30),
      ).regions[0]!.mask;
      const a = at('preview'), b = at('final');
      // (Over the whole image: an object read past the selection's edge has a larger frame.)
      let inter = 0, union = 0;
      for (let y = 0; y < s.image.height; y++) {
        for (let x = 0; x < s.image.width; x++) { const u = maskAt(a, x, y) >= 128, v = maskAt(b, x, y) >= 128; if (u && v) inter++; if (u || v) union++; }
      }
      expect(inter / union).toBeGreaterThanOrEqual(0.97);
    }
  });

  it('a preview carries the same clipped tip as its final (a horn past a quick lasso, at 1× and 3×)', () => {
    for (const scale of [1, 3]) {
      const s = makeSegmentScene('clipped-tip', scale);
      const at = (quality: 'preview' | 'final'): PlacedMask => applyObjectReading(
        { image: s.image, regions: [{ id: 'r', mask: s.selection }], drags: [{ region: 'r', points: [s.handles[0]!, [s.handles[0]![0], s.handles[0]![1] + 30]], kind: 'translate' }], quality },
        translatePlan('r', 0, 30),
      ).regions[0]!.mask;
      const a = at('preview'), b = at('final');
      // The horn's pixels outside the selection: both take (nearly) all of them.
      let tip = 0, inA = 0, inB = 0;
      for (let y = 0; y < s.image.height; y++) {
        for (let x = 0; x < s.image.width; x++) {
          if (!s.object[y * s.image.width + x] || maskAt(s.selection, x, y) >= 128) continue;
          tip++;
          if (maskAt(a, x, y) >= 128) inA++;
          if (maskAt(b, x, y) >= 128) inB++;
        }
      }
      expect(tip).toBeGreaterThan(50 * scale * scale);
      expect(inA).toBeGreaterThanOrEqual(0.9 * tip);
      expect(inB).toBeGreaterThanOrEqual(0.9 * tip);
    }
  });

  it('scales only the object: the selection\'s background beyond the object stays', async () => {
    const res = await runEdit({ ...req, drags: [{ region: 'r', points: [[200, 120], [180, 120]], kind: 'scale', center: [160, 120] }] });
    const op = res.plan.operations[0]!;
    expect(op.kind).toBe('scale');
    expect(op.reason).toMatch(/moves the object found inside the selection \(\d+% of it\); the rest of the selection stays/);
    // Background inside the selection outside the object: not in the changed-pixels layer (scaling
    // the whole selection would have pulled other background there).
    const { left, top, image: layer } = res.layer;
    const changed = (x: number, y: number): boolean =>
      x >= left && y >= top && x < left + layer.width && y < top + layer.height && layer.data[((y - top) * layer.width + (x - left)) * 4 + 3]! > 0;
    for (const [x, y] of [[80, 120], [240, 110], [160, 60], [160, 185], [85, 100]] as const) {
      expect(scene.selection.data[(y - scene.selection.top) * scene.selection.width + (x - scene.selection.left)]).toBe(255);
      expect(changed(x, y)).toBe(false);
    }
    // The object's old rim, uncovered by the shrink, is filled (changed).
    expect(changed(218, 120)).toBe(true);
  });

  it('uses a tight selection (on the object\'s outline) as given', () => {
    const w = scene.image.width, h = scene.image.height;
    const tight: PlacedMask = { left: 0, top: 0, width: w, height: h, data: new Uint8Array(w * h) };
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (((x - 160) / 62) ** 2 + ((y - 120) / 46) ** 2 <= 1) tight.data[y * w + x] = 255;
    const treq: EditRequest = { ...req, regions: [{ id: 'r', mask: tight }] };
    const plan = translatePlan('r', 0, 40);
    const out = applyObjectReading(treq, plan);
    expect(out.plan).toBe(plan);
    expect(out.regions[0]!.mask).toBe(tight);
    expect(out.decisions[0]).toMatchObject({ region: 'r', object: false });
    expect(out.decisions[0]!.why).toMatch(/outline/);
  });

  it('falls back to moving the whole selection, and says why, when no object separates', () => {
    const w = scene.image.width, h = scene.image.height;
    // A loose selection over background only.
    const bgSel: PlacedMask = { left: 0, top: 0, width: w, height: h, data: new Uint8Array(w * h) };
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (((x - 45) / 35) ** 2 + ((y - 195) / 35) ** 2 <= 1) bgSel.data[y * w + x] = 255;
    const breq: EditRequest = { ...req, regions: [{ id: 'r', mask: bgSel }], drags: [{ region: 'r', points: [[45, 195], [80, 195]], kind: 'translate' }] };
    const out = applyObjectReading(breq, translatePlan('r', 35, 0));
    expect(out.regions[0]!.mask).toBe(bgSel);
    expect(out.decisions[0]!.object).toBe(false);
    expect(out.plan.operations[0]!.reason).toMatch(/the whole selection moves: no object could be told from its background \(.+\)/);
    // The user is told, with what to do: its background moves with it.
    expect(out.plan.warnings).toEqual([expect.stringMatching(/^Region r: no object could be told from its background inside the selection, so the whole selection moves with its background/)]);
  });

  it('leaves deforms (the elastic reading and part deforms) alone', () => {
    const plan: Plan = {
      operations: [{ region: 'r', kind: 'deform', params: { kind: 'deform', handles: [[150, 120]], targets: [[150, 140]], elastic: true }, source: 'geometry', description: 'd', reason: 'elastic' }],
      warnings: [],
    };
    const out = applyObjectReading(req, plan);
    expect(out.plan).toBe(plan);
    expect(out.regions[0]!.mask).toBe(scene.selection);
    expect(out.decisions[0]!.why).toMatch(/not a rigid move/);
  });
});
