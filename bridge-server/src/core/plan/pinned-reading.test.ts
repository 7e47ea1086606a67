import { SmartDragError } from '@smartdrag/shared';
import { runEdit } from '../edit';
import type { EditRequest, Operation, Plan, RgbaImage } from '../types';
import { makePlan } from './index';
import { checkReading, pinnedPlan, sameReading } from './pinned-reading';

// A red disc on light grey, its outline selected (a tight selection: moves are rigid).
const W = 400, H = 300, CX = 200, CY = 150, R = 50;
function scene(): { image: RgbaImage; mask: EditRequest['regions'][number]['mask'] } {
  const data = new Uint8ClampedArray(W * H * 4);
  for (let y = 0, i = 0; y < H; y++) for (let x = 0; x < W; x++, i += 4) {
    const d = (x - CX) ** 2 + (y - CY) ** 2 <= R * R;
    data[i] = d ? 220 : 235; data[i + 1] = d ? 30 : 235; data[i + 2] = d ? 30 : 235; data[i + 3] = 255;
  }
  const S = 2 * R + 4, mask = { left: CX - R - 2, top: CY - R - 2, width: S, height: S, data: new Uint8Array(S * S) };
  for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) if ((x + mask.left - CX) ** 2 + (y + mask.top - CY) ** 2 <= R * R) mask.data[y * S + x] = 255;
  return { image: { width: W, height: H, data }, mask };
}

/** Centroid of the strongly red pixels of the edited crop. */
function redCentroid(r: Awaited<ReturnType<typeof runEdit>>): [number, number] {
  const { crop, edited } = r;
  let sx = 0, sy = 0, n = 0;
  for (let y = 0; y < crop.height; y++) for (let x = 0; x < crop.width; x++) {
    const i = (y * crop.width + x) * 4;
    if (edited.data[i]! > 180 && edited.data[i + 1]! < 90) { sx += x + crop.left; sy += y + crop.top; n++; }
  }
  return [sx / n, sy / n];
}

describe('a reading chosen among the plan\'s, carried out as given', () => {
  const { image, mask } = scene();
  // The text asks for a move left, the arrow is drawn down: the planner follows the arrow and
  // offers the text's reading as an alternative — one that differs in its amounts, not its kind,
  // so the drags' kinds cannot ask for it.
  const req: EditRequest = { image, regions: [{ id: 'r', mask }], drags: [{ region: 'r', points: [[230, 150], [230, 190]] }], intent: 'move it left 20 px', quality: 'preview', seed: 1 };

  it('the alternative that follows the text moves the disc left, not down, and the plan says it is the reading chosen', async () => {
    const planned = await makePlan(req);
    expect(planned.operations[0]!.params).toEqual({ kind: 'translate', dx: 0, dy: 20 });
    const alt = planned.alternatives!.find((a) => a.operations[0]!.kind === 'translate')!;
    expect(alt.operations[0]!.params).toEqual({ kind: 'translate', dx: -20, dy: 0 });
    // Pinned by its kind, the planner reads the arrow again: down.
    const byKind = await runEdit({ ...req, drags: req.drags.map((d) => ({ ...d, kind: 'translate' as const })) });
    expect(byKind.plan.operations[0]!.params).toMatchObject({ dx: 0, dy: 20 });
    // Pinned as the reading itself: left.
    const chosen = await runEdit({ ...req, reading: alt.operations });
    expect(chosen.plan.operations[0]!.params).toEqual({ kind: 'translate', dx: -20, dy: 0 });
    expect(chosen.plan.operations[0]!.reason).toMatch(/\(the reading chosen\)$/);
    const [x, y] = redCentroid(chosen);
    expect(Math.abs(x - (CX - 20))).toBeLessThan(1);
    expect(Math.abs(y - CY)).toBeLessThan(1);
    // Its warnings are the alternative's, not the first reading's ("following the arrow's direction");
    // the first reading is offered back as an alternative.
    expect(chosen.plan.warnings).toEqual(alt.warnings);
    expect(chosen.plan.warnings.some((w) => /following the arrow's direction/.test(w))).toBe(false);
    expect(chosen.plan.alternatives?.[0]!.operations[0]!.params).toEqual({ kind: 'translate', dx: 0, dy: 20 });
  });

  it('on a preview\'s proxy: the reading is mapped to the proxy and the plan comes back in the request\'s pixels', async () => {
    const big = await makePlan(req);
    const alt = big.alternatives!.find((a) => a.operations[0]!.kind === 'translate')!;
    // proxyMaxPixels a quarter of the image: the preview runs at half scale.
    const r = await runEdit({ ...req, reading: alt.operations }, { proxyMaxPixels: (W * H) / 4 });
    expect(r.proxy?.scaleX).toBeCloseTo(0.5, 2);
    const p = r.plan.operations[0]!.params as { dx: number; dy: number };
    expect(p.dx).toBeCloseTo(-20, 6);
    expect(p.dy).toBeCloseTo(0, 6);
  });

  it('a reading that no longer matches any of the planner\'s is still carried out, without the planner\'s warnings', async () => {
    const planned = await makePlan(req);
    const odd: Operation[] = [{ ...planned.operations[0]!, params: { kind: 'translate', dx: 35, dy: -10 } }];
    const plan = pinnedPlan({ ...req, reading: odd }, planned);
    expect(plan.operations[0]!.params).toEqual({ kind: 'translate', dx: 35, dy: -10 });
    expect(plan.warnings).toEqual([]);
    expect(plan.alternatives!.length).toBeGreaterThanOrEqual(1);
    expect(plan.alternatives![0]!.operations[0]!.params).toEqual(planned.operations[0]!.params);
  });

  it('tells readings apart by region, kind and amounts, within the tolerance', () => {
    const op = (params: Operation['params'], region = 'r'): Operation => ({ region, kind: params.kind, params, source: 'geometry', description: '', reason: '' });
    const rows: [string, boolean][] = [
      ['the same move', sameReading([op({ kind: 'translate', dx: 10, dy: 0 })], [op({ kind: 'translate', dx: 11, dy: 0.5 })], 2)],
      ['left against down', sameReading([op({ kind: 'translate', dx: -20, dy: 0 })], [op({ kind: 'translate', dx: 0, dy: 20 })], 2)],
      ['another region', sameReading([op({ kind: 'translate', dx: 10, dy: 0 })], [op({ kind: 'translate', dx: 10, dy: 0 }, 's')], 2)],
      ['turns 0.3° apart', sameReading([op({ kind: 'rotate', angleDeg: 30, center: [5, 5] })], [op({ kind: 'rotate', angleDeg: 30.3, center: [6, 5] })], 2)],
      ['turns 5° apart', sameReading([op({ kind: 'rotate', angleDeg: 30, center: [5, 5] })], [op({ kind: 'rotate', angleDeg: 35, center: [5, 5] })], 2)],
      ['an elastic drag against a part deform', sameReading([op({ kind: 'deform', handles: [[0, 0]], targets: [[9, 9]], elastic: true })], [op({ kind: 'deform', handles: [[0, 0]], targets: [[9, 9]] })], 2)],
      ['scales 1.20 and 1.25', sameReading([op({ kind: 'scale', sx: 1.2, sy: 1.2, center: [0, 0] })], [op({ kind: 'scale', sx: 1.25, sy: 1.25, center: [0, 0] })], 2)],
      ['an elastic drag keeping its background against one bending it', sameReading([op({ kind: 'deform', handles: [[0, 0]], targets: [[9, 9]], elastic: true, keepBackground: true })], [op({ kind: 'deform', handles: [[0, 0]], targets: [[9, 9]], elastic: true })], 2)],
      ['the same, when the intent keeps the background of every elastic drag', sameReading([op({ kind: 'deform', handles: [[0, 0]], targets: [[9, 9]], elastic: true, keepBackground: true })], [op({ kind: 'deform', handles: [[0, 0]], targets: [[9, 9]], elastic: true })], 2, true)],
    ];
    expect(rows).toEqual([
      ['the same move', true], ['left against down', false], ['another region', false], ['turns 0.3° apart', true],
      ['turns 5° apart', false], ['an elastic drag against a part deform', false], ['scales 1.20 and 1.25', false],
      ['an elastic drag keeping its background against one bending it', false], ['the same, when the intent keeps the background of every elastic drag', true],
    ]);
  });

  it('refuses a reading it cannot carry out, with a code and the reason', async () => {
    const base: Operation = { region: 'r', kind: 'translate', params: { kind: 'translate', dx: 5, dy: 0 }, source: 'geometry', description: '', reason: '' };
    const cases: [Operation[], RegExp][] = [
      [[{ ...base, region: 'q' }], /region q, which the job does not have/],
      [[{ ...base, kind: 'rotate' }], /a rotate with translate parameters/],
      [[{ ...base, kind: 'scale', params: { kind: 'scale', sx: 0, sy: 0, center: [200, 150] } }], /cannot be carried out: .*size must stay above zero/],
      [[{ ...base, params: { kind: 'translate', dx: Number.NaN, dy: 0 } }], /not a number/],
      [[], /no operation/],
    ];
    for (const [reading, why] of cases) {
      let err: unknown;
      try { checkReading(req, reading); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(SmartDragError);
      expect((err as SmartDragError).code).toBe('bad_message');
      expect((err as Error).message).toMatch(why);
    }
    // Through an edit: the same error, before any pixel work.
    await expect(runEdit({ ...req, reading: [{ ...base, region: 'q' }] })).rejects.toMatchObject({ code: 'bad_message' });
  });

  it('an elastic drag pinned as its reading stays elastic (pinned by its kind it is a part deform)', async () => {
    // A loose rectangle around the disc on a textured backdrop, the arrow inside it: elastic.
    const data = new Uint8ClampedArray(image.data);
    for (let y = 0, i = 0; y < H; y++) for (let x = 0; x < W; x++, i += 4) {
      if ((x - CX) ** 2 + (y - CY) ** 2 <= R * R) continue;
      const t = ((x * 13 + y * 7) % 17) - 8;
      data[i] = 120 + t; data[i + 1] = 125 + t; data[i + 2] = 130 + t;
    }
    const box = { left: 100, top: 60, width: 220, height: 180, data: new Uint8Array(220 * 180).fill(255) };
    const ereq: EditRequest = { image: { width: W, height: H, data }, regions: [{ id: 'r', mask: box }], drags: [{ region: 'r', points: [[240, 150], [270, 130]] }], quality: 'preview', seed: 1 };
    const planned: Plan = await makePlan(ereq);
    expect(planned.operations[0]!.params).toMatchObject({ kind: 'deform', elastic: true });
    const byKind = await makePlan({ ...ereq, drags: ereq.drags.map((d) => ({ ...d, kind: 'deform' as const })) });
    expect((byKind.operations[0]!.params as { elastic?: boolean }).elastic).toBeUndefined();
    const pinned = await runEdit({ ...ereq, reading: planned.operations });
    expect(pinned.plan.operations[0]!.params).toMatchObject({ kind: 'deform', elastic: true });
    expect(pinned.plan.warnings).toEqual(planned.warnings);
  });
});
