import { cloneImage, countChangedPixels, createImage, createMask } from '../image';
import { psnr, ssim } from '../metrics';
import { makeTexture, TEXTURE_KINDS } from '../textures';
import { CancelledError, type Filler, type Mask, type RgbaImage } from '../types';
import { exemplarRing, fillHole, fillPatchMatch, fillPushPull, fillPushPullCoarse, holeBox, pushPullFill } from './index';
import { createRng } from '../random';
import { maskBounds } from '@smartdrag/shared';
import { makeScene } from './synthetic-scene';
import { fillTelea, fillTruthMean, getCv, holeEvalMask } from '../../../../bench/fill-bench';

const SIZE = 160;

/** Pixels where `mask` is 0 are identical in a and b. */
function changedOutside(a: RgbaImage, b: RgbaImage, mask: Mask): number {
  let n = 0;
  for (let p = 0; p < mask.data.length; p++) {
    if (mask.data[p]! > 0) continue;
    for (let q = 0; q < 4; q++) if (a.data[p * 4 + q] !== b.data[p * 4 + q]) { n++; break; }
  }
  return n;
}

describe('pushPullFill', () => {
  it('leaves known samples untouched and fills a constant neighbourhood with the constant', () => {
    const val = new Float32Array(9).fill(10), wgt = new Float32Array(9).fill(1);
    val[4] = 999; wgt[4] = 0;
    pushPullFill(val, wgt, 3, 3, 1);
    expect(val[4]).toBeCloseTo(10, 5);
    expect(Array.from(val).filter((_, i) => i !== 4)).toEqual(new Array(8).fill(10));
  });

  it('interpolates between differing known values (within their range, no overshoot)', () => {
    const w = 33, val = new Float32Array(w), wgt = new Float32Array(w);
    val[0] = 0; wgt[0] = 1; val[w - 1] = 100; wgt[w - 1] = 1;
    pushPullFill(val, wgt, w, 1, 1);
    for (let x = 1; x < w - 1; x++) { expect(val[x]).toBeGreaterThanOrEqual(0); expect(val[x]).toBeLessThanOrEqual(100); }
    expect(val[4]!).toBeLessThan(val[w - 5]!);
  });
});

describe('fillHole on synthetic ground truth', () => {
  const scenes = TEXTURE_KINDS.map((texture) => ({ texture, scene: makeScene({ size: SIZE, texture }) }));
  let cv: unknown;
  beforeAll(async () => { cv = (await getCv()).cv; }, 60000);

  // On i.i.d. noise no fill can predict the hidden pixels: any fill that keeps the noise's
  // statistics scores about the flat mean fill's SSIM, so there it must only come close. One
  // fill's SSIM there depends on its seed (seeds 1–5: 0.303–0.357 against the mean fill's 0.352),
  // so the mean over seeds 1–5 is compared. (Within 0.04 since session 19: the colour correction's
  // consistency test leaves out the value noise's blob edges along the border, 16% of its samples,
  // and the mean went 0.324 → 0.317; one seed's SSIM spans 0.29–0.35.)
  it('beats the naive mean fill on every structured texture (on noise comes within 0.04) and OpenCV Telea on the mean over textures', async () => {
    let ours = 0, telea = 0;
    for (const { texture, scene } of scenes) {
      const em = holeEvalMask(scene.hole);
      let sOurs = 0;
      for (let seed = 1; seed <= 5; seed++) {
        const a = cloneImage(scene.edited);
        await fillHole({ image: a, hole: scene.hole, forbidden: scene.forbidden, quality: 'final', seed });
        sOurs += ssim(a, scene.truth, em) / 5;
      }
      const m = cloneImage(scene.edited);
      fillTruthMean(m, scene.hole, scene.truth);
      const t = cloneImage(scene.edited);
      fillTelea(cv, t, scene.hole, 3);
      const sMean = ssim(m, scene.truth, em), sTelea = ssim(t, scene.truth, em);
      expect({ texture, better: texture === 'noise' ? sOurs > sMean - 0.04 : sOurs > sMean }).toEqual({ texture, better: true });
      ours += sOurs / scenes.length; telea += sTelea / scenes.length;
    }
    expect(ours).toBeGreaterThan(telea);
  });

  it('changes only hole pixels, in both qualities', async () => {
    const { scene } = scenes[3]!;
    for (const quality of ['preview', 'final'] as const) {
      const a = cloneImage(scene.edited);
      await fillHole({ image: a, hole: scene.hole, forbidden: scene.forbidden, quality, seed: 1 });
      expect(changedOutside(a, scene.edited, scene.hole)).toBe(0);
      // The object (saturated magenta/green) is gone from the fully vacated pixels.
      let objectLeft = 0;
      for (let p = 0; p < SIZE * SIZE; p++) {
        if (scene.hole.data[p] !== 255) continue;
        const r = a.data[p * 4]!, g = a.data[p * 4 + 1]!, b = a.data[p * 4 + 2]!;
        if ((r > 200 && g < 60 && b > 170) || (r < 50 && g > 200 && b < 90)) objectLeft++;
      }
      expect(objectLeft).toBe(0);
    }
  });

  it('is deterministic for a seed', async () => {
    const { scene } = scenes[1]!;
    const run = async (seed: number) => {
      const a = cloneImage(scene.edited);
      await fillPatchMatch(a, scene.hole, scene.forbidden, { seed });
      return a;
    };
    const a = await run(11), b = await run(11), c = await run(12);
    expect(countChangedPixels(a, b)).toBe(0);
    expect(countChangedPixels(a, c)).toBeGreaterThan(0);
  });

  it('preview fill is smooth and close to the truth on a gradient', async () => {
    const { scene } = scenes[2]!;
    const a = cloneImage(scene.edited);
    fillPushPull(a, scene.hole, scene.forbidden);
    expect(ssim(a, scene.truth, holeEvalMask(scene.hole))).toBeGreaterThan(0.9);
  });
});

describe('half- and quarter-resolution preview fill', () => {
  it.each([[320, 'half'], [1024, 'quarter']] as const)('is smooth, close to the truth, and changes only hole pixels on a large gradient hole (%i², %s resolution)', (size, _resolution) => {
    const scene = makeScene({ size, texture: 'gradient' });
    const a = cloneImage(scene.edited);
    fillPushPullCoarse(a, scene.hole, scene.forbidden);
    expect(ssim(a, scene.truth, holeEvalMask(scene.hole))).toBeGreaterThan(0.9);
    let outside = 0;
    for (let p = 0; p < scene.hole.data.length; p++) {
      if (scene.hole.data[p] !== 0) continue;
      for (let q = 0; q < 4; q++) if (a.data[p * 4 + q] !== scene.edited.data[p * 4 + q]) { outside++; break; }
    }
    expect(outside).toBe(0);
    // It agrees with the full-resolution pull-push to within a few levels on average.
    const full = cloneImage(scene.edited);
    fillPushPull(full, scene.hole, scene.forbidden);
    expect(psnr(a, full, holeEvalMask(scene.hole))).toBeGreaterThan(30);
  });
});

/** Mean luminance gradient magnitude (central differences) over pixels fully inside `m`. */
function gradientEnergy(img: RgbaImage, m: Mask): number {
  const w = img.width, d = img.data;
  const lum = (p: number): number => 0.299 * d[p * 4]! + 0.587 * d[p * 4 + 1]! + 0.114 * d[p * 4 + 2]!;
  let g = 0, n = 0;
  for (let y = 1; y < img.height - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const p = y * w + x;
      if (m.data[p] !== 255) continue;
      g += Math.abs(lum(p + 1) - lum(p - 1)) + Math.abs(lum(p + w) - lum(p - w));
      n++;
    }
  }
  return n > 0 ? g / n : 0;
}

describe('texture preservation', () => {
  // The filled hole must keep the texture's detail, not be a flat, averaged blur: its gradient
  // energy is compared with the true content's. (The pre-mode-voting filler scored 0.30 on noise
  // and 0.22 on brick at 256².) A fill that invents spurious detail fails the upper bound.
  it.each([
    ['noise', 0.4],
    ['brick', 0.7],
  ] as const)('%s at 256²: the fill keeps at least %s of the truth\'s gradient energy', async (texture, min) => {
    const scene = makeScene({ size: 256, texture });
    const a = cloneImage(scene.edited);
    await fillPatchMatch(a, scene.hole, scene.forbidden, { seed: 3 });
    const ratio = gradientEnergy(a, scene.hole) / gradientEnergy(scene.truth, scene.hole);
    expect(ratio).toBeGreaterThan(min);
    expect(ratio).toBeLessThan(1.5);
    // The flat oracle mean fill fails the same check, so the check can fail.
    const m = cloneImage(scene.edited);
    fillTruthMean(m, scene.hole, scene.truth);
    expect(gradientEnergy(m, scene.hole) / gradientEnergy(scene.truth, scene.hole)).toBeLessThan(min);
  });

  it('large holes (light levels) keep texture and the fill has no brightness halo', async () => {
    // 512² brick with a 0.22 region: the hole exceeds the working-level budget, so the finest
    // levels only upsample the field and vote.
    const scene = makeScene({ size: 512, texture: 'brick', rx: 0.22, ry: 0.22 });
    const a = cloneImage(scene.edited);
    await fillPatchMatch(a, scene.hole, scene.forbidden, { seed: 3 });
    const ratio = gradientEnergy(a, scene.hole) / gradientEnergy(scene.truth, scene.hole);
    expect(ratio).toBeGreaterThan(0.7);
    let dl = 0, n = 0;
    for (let p = 0; p < scene.hole.data.length; p++) {
      if (scene.hole.data[p] !== 255) continue;
      for (let q = 0; q < 3; q++) dl += a.data[p * 4 + q]! - scene.truth.data[p * 4 + q]!;
      n += 3;
    }
    expect(Math.abs(dl / n)).toBeLessThan(6);
  });

  // A tower moved off an evening sky (the photo case rocket-move-towers at 4×): its leg lies just
  // outside the selection, so a dark line runs along the hole's border. The colour correction read
  // the line against the matched sky and darkened the whole fill (a dark cloud where the tower
  // stood); a border offset the wider surroundings do not share is now left out.
  function skyWithLeg(S: number): { img: RgbaImage; truth: RgbaImage; hole: Mask; forbidden: Mask; x0: number; x1: number; y0: number; y1: number } {
    const W = 160 * S, H = 300 * S, rng = createRng(7);
    const img = createImage(W, H), truth = createImage(W, H);
    const x0 = 62 * S, x1 = 92 * S, y0 = 20 * S, y1 = 280 * S;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const n = (rng() - 0.5) * 3, t = y / S;
        const sky = [50 + 0.1 * t + n, 70 + 0.12 * t + n, 110 + 0.1 * t + n, 255];
        truth.data.set(sky, (y * W + x) * 4);
        // The leg: 4·S px wide, half of it inside the hole.
        const leg = x >= 60 * S && x < 64 * S && y >= 6 * S && y < H - 6 * S;
        img.data.set(leg ? [52, 44, 48, 255] : sky, (y * W + x) * 4);
      }
    }
    const hole = createMask(W, H), forbidden = createMask(W, H);
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) { hole.data[y * W + x] = 255; forbidden.data[y * W + x] = 255; }
    return { img, truth, hole, forbidden, x0, x1, y0, y1 };
  }
  /**
   * Mean signed difference (fill − truth) over the hole's pixels ≥ 8·S px right of the leg's inner
   * edge, all channels (the leg itself runs on through the hole: fill/structure.ts continues its
   * edge, rightly — in the input it runs on above and below the hole).
   */
  function meanShift(a: RgbaImage, s: ReturnType<typeof skyWithLeg>, S: number): number {
    let d = 0, n = 0;
    for (let y = s.y0; y < s.y1; y++) {
      for (let x = s.x0 + 8 * S; x < s.x1; x++) {
        const p = (y * a.width + x) * 4;
        for (let q = 0; q < 3; q++) d += a.data[p + q]! - s.truth.data[p + q]!;
        n += 3;
      }
    }
    return d / n;
  }

  it('a thin dark line along the hole\'s border does not darken the fill (colour correction consistency)', async () => {
    // S = 1: the hole fits the working level; S = 2: it runs light levels (the window widens).
    for (const S of [1, 2]) {
      const s = skyWithLeg(S);
      // The correction alone (straight edges are not continued here: continuing the leg's inner edge
      // through the hole would take it off the border, which is what this checks; nor is the smooth
      // backdrop's layout taken from the border, which would mend the tint by itself — below).
      const alone = { continueEdges: false, smoothBackdrop: false };
      const a = cloneImage(s.img);
      await fillPatchMatch(a, s.hole, s.forbidden, { seed: 1 }, alone);
      const plain = cloneImage(s.img);
      await fillPatchMatch(plain, s.hole, s.forbidden, { seed: 1 }, { ...alone, colorCorrectRadius: 0 });
      // As close to the sky as the fill without any correction (which is −2…−4 here), and no darker than 5 levels.
      expect(meanShift(a, s, S)).toBeGreaterThan(-5);
      expect(Math.abs(meanShift(a, s, S) - meanShift(plain, s, S))).toBeLessThan(2);
      // Without the test the line tints the fill (so the check can fail).
      const old = cloneImage(s.img);
      await fillPatchMatch(old, s.hole, s.forbidden, { seed: 1 }, { ...alone, colorCorrectWide: 0 });
      expect(meanShift(old, s, S)).toBeLessThan(-8);
      // The smooth sky's layout taken from its smooth border (fill/smooth-backdrop.ts) leaves no tint either.
      const smooth = cloneImage(s.img);
      await fillPatchMatch(smooth, s.hole, s.forbidden, { seed: 1 }, { colorCorrectWide: 0, continueEdges: false });
      expect(meanShift(smooth, s, S)).toBeGreaterThan(-5);
      // And the default fill (the leg's edge continued too) is not darkened either.
      const both = cloneImage(s.img);
      await fillPatchMatch(both, s.hole, s.forbidden, { seed: 1 });
      expect(meanShift(both, s, S)).toBeGreaterThan(-5);
    }
  });

  // A ball lying where blurred grass meets sharp grass with a painted line (the photo case
  // messi5-move-ball): matched on colours alone, the search settles on the flat sources — a smooth
  // patch close to the smooth first estimate — and the hole became a smooth blob with the line cut.
  function blurredAboveSharp(): { img: RgbaImage; hole: Mask; forbidden: Mask; edge: number; line: number } {
    const W = 200, H = 140, edge = 70, line = 92, rng = createRng(4);
    const raw = new Float32Array(W * H);
    for (let p = 0; p < W * H; p++) raw[p] = (rng() - 0.5) * 90;
    const img = createImage(W, H);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        let v = raw[y * W + x]!;
        if (y < edge) {
          let s = 0;
          for (let j = -3; j <= 3; j++) for (let i = -3; i <= 3; i++) s += raw[Math.min(H - 1, Math.max(0, y + j)) * W + Math.min(W - 1, Math.max(0, x + i))]!;
          v = s / 49;
        }
        const g = y >= line && y < line + 3 ? 235 : 110 + v;
        img.data.set([g * 0.5, g, g * 0.3, 255], (y * W + x) * 4);
      }
    }
    const hole = createMask(W, H), forbidden = createMask(W, H);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if (Math.hypot(x - 100, y - 78) <= 26) { hole.data[y * W + x] = 255; forbidden.data[y * W + x] = 255; }
    return { img, hole, forbidden, edge, line };
  }
  /** Mean |Laplacian| of green over the hole's pixels in rows y0..y1 (the line's rows left out). */
  function holeDetail(img: RgbaImage, hole: Mask, y0: number, y1: number, line: number): number {
    const W = img.width, g = (q: number): number => img.data[q * 4 + 1]!;
    let s = 0, k = 0;
    for (let y = y0; y < y1; y++) {
      if (y >= line - 1 && y < line + 4) continue;
      for (let x = 1; x < W - 1; x++) {
        const p = y * W + x;
        if (!hole.data[p]) continue;
        s += Math.abs(4 * g(p) - g(p - 1) - g(p + 1) - g(p - W) - g(p + W)); k++;
      }
    }
    return s / k;
  }

  it('next to blurred texture, sharp texture and a thin line are continued, not smoothed (texture features)', async () => {
    const { img, hole, forbidden, edge, line } = blurredAboveSharp();
    const sharpTruth = holeDetail(img, hole, edge + 2, 104, line), blurTruth = holeDetail(img, hole, 52, edge - 2, line);
    const lineRow = (a: RgbaImage): number => {
      let s = 0, k = 0;
      for (let x = 0; x < a.width; x++) { const p = (line + 1) * a.width + x; if (hole.data[p]) { s += a.data[p * 4 + 1]!; k++; } }
      return s / k;
    };
    for (const seed of [1, 2, 3]) {
      const a = cloneImage(img);
      await fillPatchMatch(a, hole, forbidden, { seed });
      expect(holeDetail(a, hole, edge + 2, 104, line)).toBeGreaterThan(0.7 * sharpTruth);
      expect(holeDetail(a, hole, 52, edge - 2, line)).toBeLessThan(3 * blurTruth);
      expect(lineRow(a)).toBeGreaterThan(200);
    }
    // The scene is one where colours alone fail (so the check can fail).
    const c = cloneImage(img);
    // (Without continuing straight edges either: the line is one, fill/structure.ts would draw it;
    // nor the two regions' boundary, fill/region-labels.ts: the blurred and the sharp texture are two.)
    await fillPatchMatch(c, hole, forbidden, { seed: 1 }, { textureWeight: 0, continueEdges: false, regionLabels: false });
    expect(holeDetail(c, hole, edge + 2, 104, line)).toBeLessThan(0.2 * sharpTruth);
    expect(lineRow(c)).toBeLessThan(160);
  });

  // Fur around a shrunk cat's nose, bark where a squirrel sat (the unseen photos
  // lasso-chelsea-nose-smaller, lasso-squirrel-move-left): the hole's expected texture is re-voted
  // from what was copied, so once the coarse levels copy smooth patches of about the right colour
  // the fill keeps expecting smooth texture and locks in. Here noise meets a flat block of its mean
  // colour; the weaker texture weight stands for a photo whose texture also varies in colour at the
  // coarse levels (with the default weight this scene does not lock in).
  it('a textured border keeps the hole textured beside a flat patch of its mean colour (texture floor)', async () => {
    const S = 160, img = makeTexture('noise', S, S, 7), cx = S / 2, cy = S / 2, R = 20, flatX = Math.round(0.62 * S);
    const mean = [0, 0, 0];
    for (let p = 0; p < S * S; p++) for (let q = 0; q < 3; q++) mean[q]! += img.data[p * 4 + q]! / (S * S);
    for (let y = 0; y < S; y++) for (let x = flatX; x < S; x++) img.data.set([mean[0]!, mean[1]!, mean[2]!, 255], (y * S + x) * 4);
    const hole = createMask(S, S), forbidden = createMask(S, S);
    for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) if (Math.hypot(x - cx, y - cy) <= R) { hole.data[y * S + x] = 255; forbidden.data[y * S + x] = 255; }
    // Mean |Laplacian| of green: over the hole's half away from the flat block, and over the textured surroundings.
    const detail = (a: RgbaImage, inside: (x: number, y: number) => boolean): number => {
      const g = (q: number): number => a.data[q * 4 + 1]!;
      let s = 0, k = 0;
      for (let y = 1; y < S - 1; y++) {
        for (let x = 1; x < S - 1; x++) {
          if (!inside(x, y)) continue;
          const p = y * S + x;
          s += Math.abs(4 * g(p) - g(p - 1) - g(p + 1) - g(p - S) - g(p + S)); k++;
        }
      }
      return s / k;
    };
    const truth = detail(img, (x, y) => x < flatX - 4 && Math.hypot(x - cx, y - cy) > R + 2);
    const inHole = (x: number, y: number): boolean => x < cx && Math.hypot(x - cx, y - cy) < R - 1;
    for (const seed of [1, 2, 3]) {
      const a = cloneImage(img);
      await fillPatchMatch(a, hole, forbidden, { seed }, { textureWeight: 10 });
      expect(detail(a, inHole)).toBeGreaterThan(0.6 * truth);
      // Without the floor the same fill is a smooth blob (so the check can fail).
      const b = cloneImage(img);
      await fillPatchMatch(b, hole, forbidden, { seed }, { textureWeight: 10, textureFloor: false });
      expect(detail(b, inHole)).toBeLessThan(0.35 * truth);
    }
  });

  it('a drawing (flat colours, outlines) is filled as without the texture floor', async () => {
    // happyfish-move-bubbles and -rotate-fin: the nearest border there is an outline, and a floor
    // drew outline fragments into the hole; a window of mostly flat pixels gets none.
    const S = 128, img = createImage(S, S);
    for (let y = 0; y < S; y++) {
      for (let x = 0; x < S; x++) {
        const d = Math.hypot(x - 40, y - 64);
        const c = Math.abs(d - 22) < 1.5 ? [20, 20, 20] : d < 22 ? [240, 200, 40] : x + y > 150 ? [60, 160, 80] : [250, 250, 250];
        img.data.set([...c, 255], (y * S + x) * 4);
      }
    }
    const hole = createMask(S, S), forbidden = createMask(S, S);
    for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) if (Math.hypot(x - 72, y - 64) <= 14) { hole.data[y * S + x] = 255; forbidden.data[y * S + x] = 255; }
    const a = cloneImage(img), b = cloneImage(img);
    await fillPatchMatch(a, hole, forbidden, { seed: 1 });
    await fillPatchMatch(b, hole, forbidden, { seed: 1 }, { textureFloor: false });
    expect(countChangedPixels(a, b)).toBe(0);
  });

  it('an elongated hole takes its sources from next to it: the source ring follows its thickness, not its length', () => {
    const disc = exemplarRing({ x0: 0, y0: 0, x1: 60, y1: 60 }, Math.round(Math.PI * 30 * 30));
    expect(disc).toBe(45); // 0.75 of its side, as before
    const strip = exemplarRing({ x0: 0, y0: 0, x1: 200, y1: 14 }, 200 * 14);
    expect(strip).toBe(24); // 0.75 · 1.3 · 14 = 14 px, raised to the 24 px minimum
    const thick = exemplarRing({ x0: 0, y0: 0, x1: 200, y1: 100 }, 200 * 100);
    expect(thick).toBe(98); // 0.75 · 1.3 · 100
  });

  it('a hole near the crop\'s edge draws its sources from the document around the crop (fill context)', async () => {
    const D = 160, rng = createRng(9);
    const doc = createImage(D, D);
    for (let p = 0; p < D * D; p++) { const v = 100 + Math.round((rng() - 0.5) * 100); doc.data.set([v >> 1, v, v >> 2, 255], p * 4); }
    // A crop 3 px around a round hole: the crop of a small object moved along, seen by the filler.
    const R = 14, m = 3, crop = { left: 80 - R - m, top: 80 - R - m, width: 2 * (R + m) + 1, height: 2 * (R + m) + 1 };
    const W = crop.width, H = crop.height;
    const img = createImage(W, H);
    for (let y = 0; y < H; y++) img.data.set(doc.data.subarray(((y + crop.top) * D + crop.left) * 4, ((y + crop.top) * D + crop.left + W) * 4), y * W * 4);
    const hole = createMask(W, H), forbidden = createMask(W, H);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if (Math.hypot(x + crop.left - 80, y + crop.top - 80) <= R) { hole.data[y * W + x] = 255; forbidden.data[y * W + x] = 255; }
    const truth = holeDetail(img, hole, 1, H - 1, -10);
    const withContext = cloneImage(img), without = cloneImage(img);
    await fillHole({ image: withContext, hole, forbidden, quality: 'final', seed: 1, context: { document: doc, crop } });
    await fillHole({ image: without, hole, forbidden, quality: 'final', seed: 1 });
    expect(holeDetail(withContext, hole, 1, H - 1, -10)).toBeGreaterThan(0.9 * truth);
    // Only the hole changed.
    expect(changedOutside(withContext, img, hole)).toBe(0);
    // Inside the crop alone the sources are too few: the fill comes out smoother.
    expect(holeDetail(without, hole, 1, H - 1, -10)).toBeLessThan(0.85 * truth);
  });
});

describe('forbidden pixels are never sampled', () => {
  // Noise texture; a hole in the middle whose pixels are cyan, and a forbidden block right next
  // to it in pure magenta: neither colour exists in the texture.
  const S = 96;
  const base = makeTexture('noise', S, S, 5);
  const hole = createMask(S, S), forbidden = createMask(S, S);
  const img = cloneImage(base);
  for (let y = 30; y < 66; y++) {
    for (let x = 20; x < 76; x++) {
      const p = y * S + x;
      if (x < 48) { hole.data[p] = 255; img.data.set([0, 255, 255, 255], p * 4); }
      else { img.data.set([255, 0, 255, 255], p * 4); }
      forbidden.data[p] = 255;
    }
  }
  const magentaIn = (out: RgbaImage): number => {
    let n = 0;
    for (let p = 0; p < S * S; p++) {
      if (hole.data[p] === 0) continue;
      const r = out.data[p * 4]!, g = out.data[p * 4 + 1]!, b = out.data[p * 4 + 2]!;
      // Any visible pull towards magenta (or the cyan hole content) counts.
      if (r - g > 90 && b - g > 90) n++;
      if (g > 240 && b > 240 && r < 20) n++;
    }
    return n;
  };

  it('exemplar and preview fills contain no forbidden colour', async () => {
    for (const seed of [1, 2, 3]) {
      const a = cloneImage(img);
      await fillPatchMatch(a, hole, forbidden, { seed });
      expect(magentaIn(a)).toBe(0);
    }
    const b = cloneImage(img);
    fillPushPull(b, hole, forbidden);
    expect(magentaIn(b)).toBe(0);
    const c = cloneImage(img);
    fillPushPullCoarse(c, hole, forbidden);
    expect(magentaIn(c)).toBe(0);
  });

  it('the check is sensitive: without the forbidden block the magenta leaks in', async () => {
    const b = cloneImage(img);
    fillPushPull(b, hole);
    expect(magentaIn(b)).toBeGreaterThan(0);
  });
});

describe('fillHole dispatch', () => {
  const scene = makeScene({ size: 64, texture: 'brick' });
  const spy = (): Filler & { calls: number } => ({
    name: 'spy', calls: 0,
    fill(image: RgbaImage, h: Mask) { this.calls++; for (let p = 0; p < h.data.length; p++) if (h.data[p]) image.data[p * 4] = 7; },
  });

  it('uses the injected filler for final quality only', async () => {
    const f = spy();
    const a = cloneImage(scene.edited);
    await fillHole({ image: a, hole: scene.hole, forbidden: scene.forbidden, quality: 'final', seed: 1, filler: f });
    expect(f.calls).toBe(1);
    await fillHole({ image: cloneImage(scene.edited), hole: scene.hole, forbidden: scene.forbidden, quality: 'preview', seed: 1, filler: f });
    expect(f.calls).toBe(1);
  });

  it('cancels on an aborted signal', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(fillPatchMatch(cloneImage(scene.edited), scene.hole, scene.forbidden, { seed: 1, signal: ac.signal }))
      .rejects.toBeInstanceOf(CancelledError);
  });

  it('an empty hole is a no-op', async () => {
    const img = createImage(8, 8);
    await fillPatchMatch(img, createMask(8, 8), createMask(8, 8), { seed: 1 });
    expect(countChangedPixels(img, createImage(8, 8))).toBe(0);
  });
});

describe('holeBox (word-wise scan)', () => {
  test('equals the shared maskBounds on sparse, dense, unaligned and odd-sized masks', () => {
    let s = 7;
    const rnd = (): number => { s = (s * 1103515245 + 12345) >>> 0; return s / 4294967296; };
    for (const [w, h] of [[1, 1], [7, 5], [33, 17], [64, 48], [101, 73]] as const) {
      for (const density of [0, 0.001, 0.02, 0.5]) {
        for (const offset of [0, 1]) {
          const buf = new Uint8Array(w * h + offset);
          const data = buf.subarray(offset);
          for (let p = 0; p < w * h; p++) if (rnd() < density) data[p] = 1 + Math.floor(rnd() * 255);
          const m = { width: w, height: h, data };
          const b = maskBounds({ ...m, left: 0, top: 0 });
          const expected = b.width === 0 ? null : { x0: b.left, y0: b.top, x1: b.left + b.width, y1: b.top + b.height };
          expect(holeBox(m)).toEqual(expected);
        }
      }
    }
  });
});
