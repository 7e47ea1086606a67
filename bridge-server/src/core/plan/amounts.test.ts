/**
 * A plan that cannot be carried out — a size at or below zero ("shrink it 100%", "make it 150%
 * smaller", an arrow that ends on the scale's centre) — is a question to the user with a code
 * (`intent_unclear`), never a crash in the warp; found by fuzzing intents (session 14).
 */
import { ErrorCode, SmartDragError } from '@smartdrag/shared';
import { runEdit } from '../edit';
import { makeTexture } from '../textures';
import type { Drag, EditRequest } from '../types';
import { makePlan } from './index';
import { describeRegion } from './region-shape';

const W = 200, H = 200;
const image = makeTexture('noise', W, H, 4);
const data = new Uint8Array(W * H);
for (let y = 50; y < 150; y++) for (let x = 50; x < 150; x++) data[y * W + x] = 255;
const request = (intent: string, drags: Drag[] = []): EditRequest => ({
  image, regions: [{ id: 'r', mask: { left: 0, top: 0, width: W, height: H, data } }], drags, intent, quality: 'preview', seed: 1,
});

async function codeOf(p: Promise<unknown>): Promise<string> {
  try { await p; return 'ok'; } catch (e) { return e instanceof SmartDragError ? e.code : `uncoded ${(e as Error).name}: ${(e as Error).message}`; }
}

describe('amounts that cannot be carried out', () => {
  it.each([
    ['shrink it 100%'],
    ['scale it to 0%'],
    ['make it 150% smaller'],
  ])('"%s" (text alone, and with a scale arrow) asks instead of failing', async (intent) => {
    expect(await codeOf(makePlan(request(intent)))).toBe(ErrorCode.intent_unclear);
    expect(await codeOf(runEdit(request(intent)))).toBe(ErrorCode.intent_unclear);
    const arrow: Drag = { region: 'r', points: [[140, 140], [120, 120]], kind: 'scale' };
    expect(await codeOf(runEdit(request(intent, [arrow])))).toBe(ErrorCode.intent_unclear);
  });

  it('the question says why and what to type', async () => {
    await expect(makePlan(request('make it 150% smaller'))).rejects.toThrow(/mirror it: a size must stay above zero.*50% smaller/);
    await expect(makePlan(request('shrink it 100%'))).rejects.toThrow(/shrink region r to nothing/);
  });

  it('an arrow that ends exactly on the scale\'s centre asks too', async () => {
    const arrow: Drag = { region: 'r', points: [[140, 140], [100, 100]], kind: 'scale', center: [100, 100] };
    expect(await codeOf(runEdit(request('', [arrow])))).toBe(ErrorCode.intent_unclear);
  });

  it('sizes above zero still plan and edit', async () => {
    for (const intent of ['shrink it 50%', 'make it 99% smaller', 'scale it to 1%', 'make it twice as big']) {
      const plan = await makePlan(request(intent));
      const op = plan.operations[0]!;
      expect(op.params.kind).toBe('scale');
      if (op.params.kind === 'scale') expect(op.params.sx).toBeGreaterThan(0);
      expect(await codeOf(runEdit(request(intent)))).toBe('ok');
    }
  });
});

describe('selections the planner cannot describe', () => {
  it('a region that selects no pixel is a coded error (bad_message) that says so, not an internal one', async () => {
    const empty = new Uint8Array(W * H);
    empty[5] = 100; // below 50% coverage: selects nothing
    const req: EditRequest = { ...request(''), regions: [{ id: 'r', mask: { left: 0, top: 0, width: W, height: H, data: empty } }], drags: [{ region: 'r', points: [[100, 100], [120, 110]] }] };
    expect(await codeOf(runEdit(req))).toBe(ErrorCode.bad_message);
    await expect(runEdit(req)).rejects.toThrow(/region r selects no pixels/);
  });

  it('a region wholly outside the picture is the same coded error (it was planned as an edit of nothing)', async () => {
    const off = new Uint8Array(40 * 40).fill(255);
    const req: EditRequest = { ...request(''), regions: [{ id: 'r', mask: { left: W + 10, top: 20, width: 40, height: 40, data: off } }], drags: [{ region: 'r', points: [[W + 20, 30], [W - 50, 30]], kind: 'translate' }] };
    expect(await codeOf(runEdit(req))).toBe(ErrorCode.bad_message);
    await expect(makePlan(req)).rejects.toThrow(/region r selects no pixels/);
  });

  it('a thin selection that falls between the coarse grid\'s sample points is still described (its pixels counted one by one)', () => {
    // A 600 × 600 mask is described on a grid of step 4: a 2 px diagonal band on the pixels whose
    // coordinates are not multiples of 4 never meets a sample point.
    const S = 600, m = new Uint8Array(S * S);
    let count = 0;
    for (let y = 0; y < S; y++) for (let x = Math.max(0, y - 1); x <= Math.min(S - 1, y + 1); x++) {
      if (x % 4 === 0 || y % 4 === 0) continue;
      m[y * S + x] = 255; count++;
    }
    const shape = describeRegion('line', { left: 10, top: 20, width: S, height: S, data: m });
    expect(shape.area).toBe(count);
    expect(shape.centroid[0]).toBeCloseTo(10 + 300, -1);
    expect(shape.centroid[1]).toBeCloseTo(20 + 300, -1);
    expect(Math.abs(shape.axis.dir[0] * shape.axis.dir[1])).toBeCloseTo(0.5, 1); // along the diagonal
    expect(shape.depthAt([10 + 301, 20 + 301])).toBeGreaterThan(-5);
  });
});

describe('an amount nobody gave is said (a click, or an arrow that cannot carry the kind\'s amount)', () => {
  it.each([
    ['a rotate arrow of 1 px', '', { region: 'r', points: [[120, 100], [121, 100]], kind: 'rotate' } as Drag, /turns a default 15°.*"by 20°"/, 'rotate'],
    ['a scale arrow along the circle about the centre', '', { region: 'r', points: [[130, 100], [100, 130]], kind: 'scale' } as Drag, /scales by a default ×1\.\d+ .*"by 20%"/, 'scale'],
    ['a click with a direction in words', 'move it up', { region: 'r', points: [[100, 100], [100, 100]] } as Drag, /no length and the text gives no amount: it moves a default \d+(\.\d+)? px/, 'translate'],
  ])('%s: a default amount with a warning saying so', async (_what, intent, drag, words, kind) => {
    const plan = await makePlan(request(intent, [drag]));
    expect(plan.operations[0]!.kind).toBe(kind);
    expect(plan.warnings.join('\n')).toMatch(words);
  });

  it('an arrow or a text that gives the amount gets no such warning', async () => {
    const turned = await makePlan(request('', [{ region: 'r', points: [[140, 100], [100, 140]], kind: 'rotate' }]));
    const said = await makePlan(request('rotate it 20°', [{ region: 'r', points: [[120, 100], [121, 100]], kind: 'rotate' }]));
    const moved = await makePlan(request('', [{ region: 'r', points: [[100, 100], [130, 100]] }]));
    for (const p of [turned, said, moved]) expect(p.warnings.join('\n')).not.toMatch(/default/);
  });
});
