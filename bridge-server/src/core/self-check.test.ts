import * as fs from 'fs';
import * as path from 'path';
import { readImage } from '../io/image-io';
import { caseToRequest, parseDragCase } from './case';
import { bridgeEditOptions, estimatedCropPixels, runEdit } from './edit';
import { createMask } from './image';
import { badness, computeLook, STRETCH_FOLD } from './look';
import { DOUBTFUL_BADNESS, findingsOf, selfCheck, SELF_CHECK_MAX_PIXELS, wireCheck } from './self-check';
import { makeTexture } from './textures';
import type { EditRequest } from './types';
import { regionUnion } from '../bench/runner';
import { composeResult } from '../bench/metrics';
import { SelfCheckSchema } from '@smartdrag/shared';

const FIX = path.join(__dirname, '../../../test/fixtures');

async function caseRequest(id: string): Promise<EditRequest> {
  const c = parseDragCase(JSON.parse(fs.readFileSync(path.join(FIX, 'cases', `${id}.json`), 'utf8')));
  return caseToRequest(c, await readImage(path.join(FIX, c.image)), { quality: 'final' });
}

describe('self-check on real photos (bundled cases)', () => {
  test('a rigid move leaving a smeared fill is doubtful, says why, and warns in the plan', async () => {
    const req = await caseRequest('coffee-move-spoon');
    const res = await runEdit(req, { selfCheck: true });
    const c = res.check!;
    expect(c).toBeTruthy();
    expect(c.badness).toBeGreaterThanOrEqual(DOUBTFUL_BADNESS);
    expect(c.doubtful).toBe(true);
    expect(c.synthesized).toBeGreaterThan(0.9); // the whole selection was vacated and filled
    expect(c.findings[0]).toMatch(/filled in/);
    expect(res.plan.warnings.some((w) => w.startsWith('Self-check:') && w.includes(c.findings[0]!))).toBe(true);
    expect(res.timings.check).toBeGreaterThan(0);
    expect(SelfCheckSchema.safeParse(wireCheck(c)).success).toBe(true);
  });

  test('a clean move is not doubtful and adds no warning', async () => {
    const req = await caseRequest('apple-move-right');
    const res = await runEdit(req, { selfCheck: true });
    expect(res.check!.doubtful).toBe(false);
    expect(res.check!.badness).toBeLessThan(DOUBTFUL_BADNESS);
    expect(res.check!.findings).toEqual([]);
    expect(res.plan.warnings.some((w) => w.startsWith('Self-check:'))).toBe(false);
  });

  test('the check equals the bench\'s look measures of the same result, and changes no pixel', async () => {
    const req = await caseRequest('coffee-move-spoon');
    const plain = await runEdit(req, { withSourceMap: true });
    const checked = await runEdit(req, { selfCheck: true });
    expect(Buffer.from(checked.edited.data).equals(Buffer.from(plain.edited.data))).toBe(true);
    expect(checked.sourceMap).toBeUndefined(); // built for the check, not handed out unasked
    const bench = computeLook({ input: req.image, result: composeResult(req.image, plain), edit: plain, editable: regionUnion(req) });
    expect(checked.check!.badness).toBeCloseTo(badness(bench), 9);
    expect(checked.check!.tear).toBeCloseTo(bench.tear, 9);
    expect(checked.check!.synthesized).toBeCloseTo(bench.synthesized, 9);
  });

  test('the bridge runs it on finals only (a preview keeps its budget)', () => {
    expect(bridgeEditOptions('final')).toEqual({ forOutline: true, selfCheck: true });
    expect(bridgeEditOptions('preview')).toEqual({ forOutline: true, selfCheck: false });
  });
});

describe('self-check on synthetic edits', () => {
  const W = 160, H = 120;
  const region = (x0: number, y0: number, w: number, h: number) => {
    const m = createMask(w, h);
    m.data.fill(255);
    return { id: 'r1', mask: { left: x0, top: y0, width: w, height: h, data: m.data } };
  };

  test('an arrow that ends where it starts changes nothing: badness 0, not doubtful', async () => {
    const image = makeTexture('stripes', W, H, 3);
    const req: EditRequest = { image, regions: [region(40, 30, 60, 50)], drags: [{ region: 'r1', points: [[70, 55], [70, 55]] }], quality: 'final' };
    const res = await runEdit(req, { selfCheck: true });
    expect(res.check).toMatchObject({ synthesized: 0, tear: 0, stretch: 1, badness: 0, doubtful: false, findings: [] });
  });

  test('a crop over the limit is not checked (null), and the estimate covers the real crop', async () => {
    const image = makeTexture('noise', W, H, 5);
    const req: EditRequest = { image, regions: [region(40, 30, 60, 50)], drags: [{ region: 'r1', points: [[60, 50], [90, 60]], kind: 'translate' }], quality: 'final' };
    const res = await runEdit(req, { selfCheck: true });
    expect(estimatedCropPixels(req)).toBeGreaterThanOrEqual(res.crop.width * res.crop.height);
    expect(res.check).not.toBeNull();
    // selfCheck itself refuses a crop over the limit (the source map would cost 8 bytes a pixel).
    const big = { ...res, crop: { ...res.crop, width: SELF_CHECK_MAX_PIXELS, height: 2 } };
    expect(selfCheck(req, big)).toBeNull();
  });

  test('findings name the largest contributions in plain words', () => {
    const torn = findingsOf({ synthesized: 0.05, smear: null, smearedBlock: 0, tear: 3, stretch: 2.5 });
    expect(torn[0]).toMatch(/cut off or torn/);
    expect(torn.join(' ')).not.toMatch(/stretched/); // 0.22 of stretch excess against 3 of tear
    // ln(16/2) = 2.08 of stretch against 1 of tear: the largest alone is under three quarters.
    const folded = findingsOf({ synthesized: 0, smear: null, smearedBlock: 0, tear: 1, stretch: STRETCH_FOLD });
    expect(folded[0]).toMatch(/folded over itself/);
    expect(folded[1]).toMatch(/torn/);
    // …and with a tear of 0.5 it is over three quarters: one finding.
    expect(findingsOf({ synthesized: 0, smear: null, smearedBlock: 0, tear: 0.5, stretch: STRETCH_FOLD })).toHaveLength(1);
    const filled = findingsOf({ synthesized: 1, smear: 0.2, smearedBlock: 1.6, tear: 0, stretch: 1 });
    expect(filled).toEqual(['100% of the selection is filled in and the fill looks smeared']);
  });
});
