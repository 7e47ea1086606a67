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
