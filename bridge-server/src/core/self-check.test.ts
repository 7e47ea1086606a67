import { bridgeEditOptions, rigidBackward, runEdit } from './edit';
import { createMask } from './image';
import { badness, computeLook, STRETCH_FOLD } from './look';
import { DOUBTFUL_BADNESS, findingsOf, selfCheck, SELF_CHECK_PROXY_PIXELS, wireCheck } from './self-check';
import { makeTexture } from './textures';
import type { EditRequest } from './types';
import { regionUnion } from '../bench/runner';
import { composeResult } from '../bench/metrics';
import { SelfCheckSchema } from '@smartdrag/shared';
import { enlargedCaseRequest, enlargedRequest } from '../../../test/helpers/enlarged-case';



const ellipse = (cx: number, cy: number, rx: number, ry: number): number[][] =>
  Array.from({ length: 32 }, (_, i) => [cx + rx * Math.cos((i * Math.PI) / 16), cy + ry * Math.sin((i * Math.PI) / 16)]);
/** A loose selection round the cup pulled up and to the side by a point in its middle: an elastic pull that tears and stretches the cup. */
const pulledCup = {
  id: 'pulled-cup', image: 'photos/coffee.png', size: [600, 400], intent: '',
  regions: [{ id: 'h1', polygon: ellipse(250, 150, 110, 100) }], drags: [{ region: 'h1', points: [[250, 150], [300, 100]] }],
};

describe('self-check on real photos (bundled cases)', () => {
  test('an elastic drag that bent its whole selection: the warning names "keep the background" as a way out', async () => {
    const res = await runEdit(await enlargedRequest(pulledCup, 1), { selfCheck: true });
    expect(res.plan.operations.map((o) => o.params.kind === 'deform' && o.params.elastic)).toEqual([true]);
    expect(res.check!.doubtful).toBe(true);
    const w = res.plan.warnings.find((x) => x.startsWith('Self-check:'))!;
    expect(w).toMatch(/another reading of the plan — the one that keeps the background, where only the object bends \("keep the background" in the intent says the same\) — may do better/);
  });

  test('a rigid move leaving a smeared fill is doubtful, says why, and warns in the plan', async () => {
    const req = await enlargedCaseRequest('coffee-move-spoon');
    const res = await runEdit(req, { selfCheck: true });
    const c = res.check!;
    expect(c).toBeTruthy();
    expect(c.badness).toBeGreaterThanOrEqual(DOUBTFUL_BADNESS);
    expect(c.doubtful).toBe(true);
    expect(c.synthesized).toBeGreaterThan(0.9); // the whole selection was vacated and filled
    expect(c.findings[0]).toMatch(/filled in/);
    expect(res.plan.warnings.some((w) => w.startsWith('Self-check:') && w.includes(c.findings[0]!))).toBe(true);
    // (A rigid move: keeping the background is no way out.)
    expect(res.plan.warnings.join(' ')).not.toMatch(/keep the background/);
    expect(res.timings.check).toBeGreaterThan(0);
    expect(SelfCheckSchema.safeParse(wireCheck(c)).success).toBe(true);
  });

  test('a clean move is not doubtful and adds no warning', async () => {
    const req = await enlargedCaseRequest('apple-move-right');
    const res = await runEdit(req, { selfCheck: true });
    expect(res.check!.doubtful).toBe(false);
    expect(res.check!.badness).toBeLessThan(DOUBTFUL_BADNESS);
    expect(res.check!.findings).toEqual([]);
    expect(res.plan.warnings.some((w) => w.startsWith('Self-check:'))).toBe(false);
  });

  test('the check equals the bench\'s look measures of the same result, and changes no pixel', async () => {
    const req = await enlargedCaseRequest('coffee-move-spoon');
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

  test('an arrow that ends where it starts changes nothing: an empty edit, nothing to check (no doubt raised)', async () => {
    const image = makeTexture('stripes', W, H, 3);
    const req: EditRequest = { image, regions: [region(40, 30, 60, 50)], drags: [{ region: 'r1', points: [[70, 55], [70, 55]] }], quality: 'final' };
    const res = await runEdit(req, { selfCheck: true });
    expect(res.crop.width * res.crop.height).toBe(0);
    expect(res.check).toBeNull();
    expect(res.plan.warnings.join(' ')).toMatch(/does not move/);
  });

  test('a rigid plan of one region is checked from its backward map: no source map built, the same measures to the bit', async () => {
    const image = makeTexture('noise', W, H, 5);
    const req: EditRequest = { image, regions: [region(40, 30, 60, 50)], drags: [{ region: 'r1', points: [[60, 50], [90, 60]], kind: 'translate' }], quality: 'final' };
    const res = await runEdit(req, { selfCheck: true, forOutline: true });
    expect(res.sourceMap).toBeUndefined(); // not built: the outline and the check read the backward map
    expect(res.movedBackward).toBeDefined();
    const mapped = await runEdit(req, { withSourceMap: true });
    const full = selfCheck(req, mapped)!;
    expect(full.synthesized).toBeGreaterThan(0.3); // the vacated half of the region is filled
    expect({ ...res.check!, ms: 0 }).toEqual({ ...full, ms: 0 });
    expect(selfCheck(req, { ...mapped, sourceMap: undefined, movedBackward: rigidBackward(mapped.plan) })!.badness).toBe(full.badness);
    // Neither a map nor a backward map: nothing to read where the pixels came from.
    expect(selfCheck(req, { ...mapped, sourceMap: undefined })).toBeNull();
  });

  test('a selection on a large photo is checked on a box proxy, with the verdict of the same edit at the size the measures were set on', async () => {
    // Bundled cases enlarged (Lanczos), as a user's high-resolution photo: the apple moved cleanly
    // and the candy that moves with its shadow and leaves plain paper (a flat fill there is not a
    // smear), each the same edit at both sizes (the selection reads tight at both); the badness at
    // N× agrees with 1× within AGREE, so their verdicts must agree. The doubtful verdict on a proxy
    // is checked on an edit far past the threshold at every size: a loose selection round the cup
    // pulled up and to the side by a point in its middle (an elastic pull that tears and stretches
    // the cup: 7.2 at 1×, 4.9 at 2×). (The bundled cases that were the doubtful one here sat at the
    // threshold: the spoon's smeared block until the fill took texture into account, 2.22 at 1× and
    // 1.92 at 2×; then the butterfly shrunk with jagged seams in the leaf's stripes, 2.19 at 1× and
    // 2.02 at 2× until session 19's fill, 1.98 and 2.01 since.)
    const AGREE = 0.4;
    const cases: Array<[string, (s: number) => Promise<EditRequest>, number, boolean]> = [
      ['apple-move-right', (s) => enlargedCaseRequest('apple-move-right', s), 3, false],
      ['smarties-move-red', (s) => enlargedCaseRequest('smarties-move-red', s), 3, false],
      ['pulled-cup', (s) => enlargedRequest(pulledCup, s), 2, true],
    ];
    for (const [id, request, scale, doubtful] of cases) {
      const at1 = (await runEdit(await request(1), { selfCheck: true })).check!;
      const big = await request(scale);
      const res = await runEdit(big, { selfCheck: true, forOutline: true });
      expect(res.crop.width * res.crop.height).toBeGreaterThan(SELF_CHECK_PROXY_PIXELS); // so on a proxy
      const atN = res.check!;
      expect({ id, at1: at1.doubtful, atN: atN.doubtful }).toEqual({ id, at1: doubtful, atN: doubtful });
      if (!doubtful) {
        expect(Math.abs(atN.badness - at1.badness)).toBeLessThan(AGREE);
        expect(atN.synthesized).toBeCloseTo(at1.synthesized, 1);
      } else {
        expect(atN.badness).toBeGreaterThan(DOUBTFUL_BADNESS + 1);
        // The proxy is really another computation: the same result measured as it is differs a little.
        const whole = selfCheck(big, await runEdit(big, { withSourceMap: true }), Infinity)!;
        expect(whole.badness).not.toBe(atN.badness);
        expect(whole.doubtful).toBe(true);
      }
    }
  }, 120_000);

  test('findings name the largest contributions in plain words', () => {
    const torn = findingsOf({ synthesized: 0.05, smear: null, smearedBlock: 0, tear: 3, stretch: 2.5, seam: 0 });
    expect(torn[0]).toMatch(/cut off or torn/);
    expect(torn.join(' ')).not.toMatch(/stretched/); // 0.22 of stretch excess against 3 of tear
    // ln(16/2) = 2.08 of stretch against 1 of tear: the largest alone is under three quarters.
    const folded = findingsOf({ synthesized: 0, smear: null, smearedBlock: 0, tear: 1, stretch: STRETCH_FOLD, seam: 0 });
    expect(folded[0]).toMatch(/folded over itself/);
    expect(folded[1]).toMatch(/torn/);
    // …and with a tear of 0.5 it is over three quarters: one finding.
    expect(findingsOf({ synthesized: 0, smear: null, smearedBlock: 0, tear: 0.5, stretch: STRETCH_FOLD, seam: 0 })).toHaveLength(1);
    const seamed = findingsOf({ synthesized: 0.3, smear: 1, smearedBlock: 0, tear: 0, stretch: 1, seam: 2.5 });
    expect(seamed[0]).toMatch(/a visible seam where the change meets the rest of the picture/);
    expect(badness({ synthesized: 0.3, smear: 1, smearedBlock: 0, tear: 0, stretch: 1, seam: 2.5 })).toBeCloseTo(2.8, 9);
    const filled = findingsOf({ synthesized: 1, smear: 0.2, smearedBlock: 1.6, tear: 0, stretch: 1, seam: 0 });
    expect(filled).toEqual(['100% of the selection is filled in and the fill looks smeared']);
  });
});
