import { cloneImage } from '../image';
import { ssim } from '../metrics';
import { fillPatchMatch } from './patch-match';
import { makeScene } from './synthetic-scene';

describe('multi-resolution fill with a deep pyramid (issue #14: quality does not drop)', () => {
  test('with three or more light levels the working level settles longer: a striped hole stays within 0.02 SSIM of the full-resolution fill (a control with the short settling does not)', async () => {
    // 512² stripes with a tiny working budget: the same depth of light levels as a 2–4 MP hole
    // under the production budget.
    const scene = makeScene({ size: 512, texture: 'stripes', seed: 3 });
    const run = async (opts: Parameters<typeof fillPatchMatch>[4]): Promise<number> => {
      const img = cloneImage(scene.edited);
      await fillPatchMatch(img, scene.hole, scene.forbidden, { seed: 1 }, opts);
      return ssim(img, scene.truth, scene.hole);
    };
    const full = await run({ workPixels: 1e9 });
    const deep = await run({ workPixels: 200 });
    const short = await run({ workPixels: 200, itersWorkDeep: 3 });
    expect(full - deep).toBeLessThan(0.02);
    expect(full - short).toBeGreaterThan(0.02);
    expect(full).toBeGreaterThan(0.9);
  });
});

describe('fill progress', () => {
  test('reports by work: rising to 1, and most of the bar is spent where most of the pixels are (the finest levels)', async () => {
    const scene = makeScene({ size: 256, texture: 'brick', seed: 2 });
    for (const workPixels of [1e9, 300]) {
      const seen: number[] = [];
      await fillPatchMatch(cloneImage(scene.edited), scene.hole, scene.forbidden, { seed: 1, onProgress: (f) => seen.push(f) }, { workPixels });
      for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThanOrEqual(seen[i - 1]!);
      expect(seen[seen.length - 1]).toBeCloseTo(1, 9);
      // The coarse levels are a small share of the work: the first report is near the start (by
      // level count it was 1 / levels: 20–25%).
      expect(seen[0]!).toBeLessThan(0.1);
      if (workPixels === 1e9) {
        // Full levels report every iteration: the bar moves inside a level, not only between them.
        const beforeLast = seen.filter((f) => f < 1);
        expect(beforeLast.length).toBeGreaterThan(8);
        expect(beforeLast[beforeLast.length - 1]!).toBeGreaterThan(0.5);
      }
    }
  });
});
