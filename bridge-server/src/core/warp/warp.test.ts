import { rasterizePolygon } from '@smartdrag/shared';
import { createImage } from '../image';
import { makeTexture } from '../textures';
import type { OperationParams, PlacedMask, Region, RgbaImage } from '../types';
import { affineForParams, applyAffine, composeAffine, cosSinDeg, invertAffine } from './affine';
import { minCellJacobian } from './deform-field';
import { cropMarginFor, MIN_CROP_MARGIN, prepareRegionWarp, setIntegerShiftPath, slideAlongFrame, warpRegions, type WarpOutput } from './warp-regions';

const rectMask = (left: number, top: number, width: number, height: number, v = 255): PlacedMask =>
  ({ left, top, width, height, data: new Uint8Array(width * height).fill(v) });
const region = (id: string, mask: PlacedMask): Region => ({ id, mask });
const op = (r: string, params: OperationParams) => ({ region: r, params });
const QUALITIES = ['preview', 'final'] as const;

/** RGBA of document pixel (x, y) in the edited crop. */
function editedAt(res: WarpOutput, x: number, y: number): number[] {
  const i = ((y - res.crop.top) * res.crop.width + (x - res.crop.left)) * 4;
  return Array.from(res.edited.data.subarray(i, i + 4));
}
function imageAt(img: RgbaImage, x: number, y: number): number[] {
  const i = (y * img.width + x) * 4;
  return Array.from(img.data.subarray(i, i + 4));
}
function maskAtDoc(res: WarpOutput, m: 'targetMask' | 'holeMask' | 'sourceMask', x: number, y: number): number {
  return res[m].data[(y - res.crop.top) * res.crop.width + (x - res.crop.left)]!;
}
/**
 * Centroid (document px) and count of the red marker pixels that are moved content (target
 * coverage ≥ 128): the vacated area still holds the old pixels until the fill, so it must not count.
 */
function redMarker(res: WarpOutput): { x: number; y: number; n: number } {
  let sx = 0, sy = 0, n = 0;
  for (let y = res.crop.top; y < res.crop.top + res.crop.height; y++) {
    for (let x = res.crop.left; x < res.crop.left + res.crop.width; x++) {
      const [r, g, b] = editedAt(res, x, y);
      if (r! > 200 && g! < 80 && b! < 80 && maskAtDoc(res, 'targetMask', x, y) >= 128) { sx += x; sy += y; n++; }
    }
  }
  return { x: sx / n, y: sy / n, n };
}
/** Every crop pixel with source = target = 0, or keep > 0, equals the input exactly. */
function expectUntouchedOutside(res: WarpOutput, img: RgbaImage): void {
  let bad = 0;
  for (let y = 0; y < res.crop.height; y++) {
    for (let x = 0; x < res.crop.width; x++) {
      const p = y * res.crop.width + x;
      const free = res.sourceMask.data[p] === 0 && res.targetMask.data[p] === 0;
      if (!free && res.keepMask.data[p] === 0) continue;
      const e = res.edited.data, o = img.data, i = p * 4, j = ((y + res.crop.top) * img.width + x + res.crop.left) * 4;
      if (e[i] !== o[j] || e[i + 1] !== o[j + 1] || e[i + 2] !== o[j + 2] || e[i + 3] !== o[j + 3]) bad++;
    }
  }
  expect(bad).toBe(0);
}

describe('affine maps', () => {
  test('rotate +90° turns right into down (clockwise on screen, y down)', () => {
    const m = affineForParams({ kind: 'rotate', angleDeg: 90, center: [10, 10] });
    expect(applyAffine(m, [15, 10])).toEqual([10, 15]);
    expect(applyAffine(m, [10, 5])).toEqual([15, 10]);
    expect(cosSinDeg(-270)).toEqual([0, 1]);
    expect(cosSinDeg(180)).toEqual([-1, 0]);
  });

  test('inverse and composition', () => {
    const r = affineForParams({ kind: 'rotate', angleDeg: 33, center: [4, -7] });
    const s = affineForParams({ kind: 'scale', sx: 1.5, sy: 0.5, center: [2, 3] });
    const m = composeAffine(s, r);
    const p = applyAffine(invertAffine(m), applyAffine(m, [12.5, -3.25]));
    expect(p[0]).toBeCloseTo(12.5, 10);
    expect(p[1]).toBeCloseTo(-3.25, 10);
    expect(applyAffine(s, [2, 3])).toEqual([2, 3]);
    expect(applyAffine(s, [4, 5])).toEqual([5, 4]);
    expect(() => affineForParams({ kind: 'scale', sx: 0, sy: 1, center: [0, 0] })).toThrow(RangeError);
  });
});

describe('warpRegions: rigid operations', () => {
  const img = makeTexture('noise', 96, 80, 7);

  test.each(QUALITIES)('integer translation moves pixels bit-exactly (%s)', (quality) => {
    const res = warpRegions({ image: img, regions: [region('a', rectMask(20, 18, 24, 16))], operations: [op('a', { kind: 'translate', dx: 9, dy: -6 })], quality });
    for (let y = 18; y < 34; y++) {
      for (let x = 20; x < 44; x++) {
        expect(editedAt(res, x + 9, y - 6)).toEqual(imageAt(img, x, y));
        expect(maskAtDoc(res, 'targetMask', x + 9, y - 6)).toBe(255);
      }
    }
    // hole = source − target, exactly
    for (let y = 18; y < 34; y++) {
      for (let x = 20; x < 44; x++) {
        const inTarget = x >= 29 && x < 53 && y >= 12 && y < 28;
        expect(maskAtDoc(res, 'holeMask', x, y)).toBe(inTarget ? 0 : 255);
      }
    }
    let targetCount = 0;
    for (const v of res.targetMask.data) if (v > 0) targetCount++;
    expect(targetCount).toBe(24 * 16);
    expectUntouchedOutside(res, img);
  });

  test.each(QUALITIES)('90° rotation about a pixel centre matches the rotated source exactly (%s)', (quality) => {
    const cx = 40, cy = 36;
    // An L-shaped soft-edged polygon region, so orientation errors would show.
    const mask = rasterizePolygon([[30, 26], [52, 26], [52, 34], [40, 34], [40, 48], [30, 48]]);
    for (const angle of [90, -90, 180]) {
      const res = warpRegions({ image: img, regions: [region('a', mask)], operations: [op('a', { kind: 'rotate', angleDeg: angle, center: [cx, cy] })], quality });
      let checked = 0;
      for (let sy = mask.top; sy < mask.top + mask.height; sy++) {
        for (let sx = mask.left; sx < mask.left + mask.width; sx++) {
          if (mask.data[(sy - mask.top) * mask.width + sx - mask.left] !== 255) continue;
          // Rotation by angle (clockwise on screen): (u, v) -> (u cos − v sin, u sin + v cos)
          const u = sx - cx, v = sy - cy;
          const [tx, ty] = angle === 90 ? [cx - v, cy + u] : angle === -90 ? [cx + v, cy - u] : [cx - u, cy - v];
          expect(editedAt(res, tx, ty)).toEqual(imageAt(img, sx, sy));
          expect(maskAtDoc(res, 'targetMask', tx, ty)).toBe(255);
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(250);
      expectUntouchedOutside(res, img);
    }
  });

  test.each(QUALITIES)('scale ×2 of a checkerboard matches the analytic render (%s)', (quality) => {
    const N = 160, cell = 8;
    const board = createImage(N, N);
    const white = (x: number, y: number) => ((Math.floor(x / cell) + Math.floor(y / cell)) % 2 === 0 ? 255 : 0);
    for (let y = 0; y < N; y++) for (let x = 0; x < N; x++) { const v = white(x, y); board.data.set([v, v, v, 255], (y * N + x) * 4); }
    const c = 79.5; // centre of the 64-px region 48..111
    const res = warpRegions({ image: board, regions: [region('a', rectMask(48, 48, 64, 64))], operations: [op('a', { kind: 'scale', sx: 2, sy: 2, center: [c, c] })], quality });
    // Region edges 47.5 / 111.5 map to 15.5 / 143.5: target pixels 16..143 are fully covered.
    let sumErr = 0, count = 0, exactFar = 0, far = 0;
    for (let ty = 17; ty <= 142; ty++) {
      for (let tx = 17; tx <= 142; tx++) {
        expect(maskAtDoc(res, 'targetMask', tx, ty)).toBe(255);
        // Analytic: the target pixel centre seen through the inverse scale, in the continuous
        // checkerboard (pixel k covers [k − 0.5, k + 0.5]).
        const sx = c + (tx - c) / 2, sy = c + (ty - c) / 2;
        const want = white(Math.floor(sx + 0.5), Math.floor(sy + 0.5));
        const got = editedAt(res, tx, ty)[0]!;
        sumErr += Math.abs(got - want); count++;
        // Away from cell borders (more than 1 source px) the render must be exact.
        const dx = Math.abs(((sx + 0.5) % cell + cell) % cell - cell / 2), dy = Math.abs(((sy + 0.5) % cell + cell) % cell - cell / 2);
        if (dx < cell / 2 - 1 && dy < cell / 2 - 1) { far++; if (got === want) exactFar++; }
      }
    }
    expect(far).toBeGreaterThan(count / 2);
    expect(exactFar).toBe(far);
    // Only the one-pixel transition band at each cell border differs (≈ 25% blend there).
    expect(sumErr / count).toBeLessThan(16);
    // Pixels beyond the scaled region are untouched.
    expect(editedAt(res, 10, 80)).toEqual(imageAt(board, 10, 80));
    expectUntouchedOutside(res, board);
  });

  test('shrinking (final) is anti-aliased: a 1-px stripe pattern scaled ×0.5 turns mid-grey', () => {
    const N = 64, im = createImage(N, N);
    for (let y = 0; y < N; y++) for (let x = 0; x < N; x++) { const v = x % 2 ? 255 : 0; im.data.set([v, v, v, 255], (y * N + x) * 4); }
    const res = warpRegions({ image: im, regions: [region('a', rectMask(16, 16, 32, 32))], operations: [op('a', { kind: 'scale', sx: 0.5, sy: 0.5, center: [31.5, 31.5] })], quality: 'final' });
    for (let x = 26; x <= 37; x++) {
      const v = editedAt(res, x, 31)[0]!;
      expect(Math.abs(v - 127.5)).toBeLessThan(20);
    }
  });
});

describe('warpRegions: soft edges, keep, several regions, crop', () => {
  const img = makeTexture('brick', 120, 90, 3);

  test('soft edges stay soft: the coverage moves with the content', () => {
    // 20×20 region with an 8-px linear ramp on its left side.
    const w = 28, h = 20, data = new Uint8Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = x < 8 ? Math.round(((x + 1) / 9) * 255) : 255;
    const mask: PlacedMask = { left: 30, top: 30, width: w, height: h, data };
    const res = warpRegions({ image: img, regions: [region('a', mask)], operations: [op('a', { kind: 'translate', dx: 25, dy: 14 })], quality: 'final' });
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const m = data[y * w + x]!;
        expect(maskAtDoc(res, 'targetMask', 30 + x + 25, 30 + y + 14)).toBe(m);
        // Straight-alpha "over" of the source pixel (coverage m) onto the background, ±1.
        const s = imageAt(img, 30 + x, 30 + y), b = imageAt(img, 55 + x, 44 + y), e = editedAt(res, 55 + x, 44 + y);
        const a = m / 255;
        for (let c = 0; c < 3; c++) expect(Math.abs(e[c]! - (s[c]! * a + b[c]! * (1 - a)))).toBeLessThanOrEqual(1);
      }
    }
    // A half-pixel move keeps intermediate coverage values (not binarised).
    const half = warpRegions({ image: img, regions: [region('a', rectMask(30, 30, 20, 20))], operations: [op('a', { kind: 'translate', dx: 10.5, dy: 0 })], quality: 'preview' });
    expect(maskAtDoc(half, 'targetMask', 40, 35)).toBe(128);
    expect(maskAtDoc(half, 'targetMask', 60, 35)).toBe(128);
    expect(maskAtDoc(half, 'targetMask', 50, 35)).toBe(255);
  });

  test('keep pixels and everything outside source ∪ target are bit-identical', () => {
    const keep = rectMask(50, 35, 12, 30);
    const mask = rasterizePolygon([[20, 20], [60, 24], [55, 60], [25, 58]]);
    for (const params of [
      { kind: 'rotate', angleDeg: 27.5, center: [40, 40] },
      { kind: 'scale', sx: 1.37, sy: 1.37, center: [40, 40] },
      { kind: 'translate', dx: 13.3, dy: 7.9 },
      { kind: 'deform', handles: [[55, 40]], targets: [[70, 30]] },
    ] as OperationParams[]) {
      for (const quality of QUALITIES) {
        const res = warpRegions({ image: img, regions: [region('a', mask)], operations: [op('a', params)], keep: [keep], quality });
        expect(res.keepMask.data.some((v) => v > 0)).toBe(true);
        for (let p = 0; p < res.keepMask.data.length; p++) {
          if (res.keepMask.data[p]! > 0) { expect(res.targetMask.data[p]).toBe(0); expect(res.holeMask.data[p]).toBe(0); }
          // hole = max(0, source − target) off keep
          else expect(res.holeMask.data[p]).toBe(Math.max(0, res.sourceMask.data[p]! - res.targetMask.data[p]!));
        }
        expectUntouchedOutside(res, img);
      }
    }
  });

  test('several regions move independently; later targets cover earlier ones', () => {
    const a = rectMask(10, 10, 10, 10), b = rectMask(60, 10, 10, 10);
    const res = warpRegions({
      image: img, regions: [region('a', a), region('b', b)],
      operations: [op('a', { kind: 'translate', dx: 30, dy: 40 }), op('b', { kind: 'translate', dx: -15, dy: 45 })], quality: 'final',
    });
    // a's target 40..49 × 50..59, b's 45..54 × 55..64: overlap 45..49 × 55..59 shows b.
    expect(editedAt(res, 40, 50)).toEqual(imageAt(img, 10, 10));
    expect(editedAt(res, 47, 57)).toEqual(imageAt(img, 62, 12));
    expect(editedAt(res, 54, 64)).toEqual(imageAt(img, 69, 19));
    expect(maskAtDoc(res, 'holeMask', 12, 12)).toBe(255);
    expect(maskAtDoc(res, 'holeMask', 65, 15)).toBe(255);
    expectUntouchedOutside(res, img);
  });

  test('operations on one region apply together: translations add, a deform lands on its absolute target', () => {
    const mask = rectMask(20, 20, 40, 20);
    const res = warpRegions({
      image: img, regions: [region('a', mask)],
      operations: [op('a', { kind: 'translate', dx: 5, dy: 0 }), op('a', { kind: 'translate', dx: 0, dy: 7 })], quality: 'final',
    });
    expect(editedAt(res, 25, 27)).toEqual(imageAt(img, 20, 20));
    const rw = prepareRegionWarp(img, region('a', mask), [
      { kind: 'translate', dx: 10, dy: 0 }, { kind: 'deform', handles: [[55, 30]], targets: [[70, 20]] },
    ], 'final', []);
    const p = prepareRegionWarp(img, region('a', mask), [{ kind: 'translate', dx: 10, dy: 0 }], 'final', []);
    expect(p.field).toBeNull();
    // forward map of the handle through translate then deform = the absolute target
    const { mapPointForward } = jest.requireActual('./warp-regions') as typeof import('./warp-regions');
    const t = mapPointForward(rw, [55, 30]);
    expect(Math.hypot(t[0] - 70, t[1] - 20)).toBeLessThan(1);
  });

  test('crop = bounds(source ∪ target) + margin, clipped to the image', () => {
    // source 50..69 × 40..59, target 60..79 × 40..59: crop = that + margin (+ at most 2 px slack).
    for (const quality of QUALITIES) {
      const res = warpRegions({ image: img, regions: [region('a', rectMask(50, 40, 20, 20))], operations: [op('a', { kind: 'translate', dx: 10, dy: 0 })], quality });
      const m = MIN_CROP_MARGIN, c = res.crop;
      expect(c.left).toBeLessThanOrEqual(50 - m); expect(c.left).toBeGreaterThanOrEqual(50 - m - 2);
      expect(c.top).toBeLessThanOrEqual(40 - m); expect(c.top).toBeGreaterThanOrEqual(40 - m - 2);
      expect(c.left + c.width).toBeGreaterThanOrEqual(80 + m); expect(c.left + c.width).toBeLessThanOrEqual(80 + m + 2);
      expect(c.top + c.height).toBeGreaterThanOrEqual(60 + m); expect(c.top + c.height).toBeLessThanOrEqual(60 + m + 2);
    }
    expect(cropMarginFor({ left: 0, top: 0, width: 400, height: 300 })).toBe(40);
    // Clipped to the image (target 92..111 + margin passes the right edge at 120).
    const edge = warpRegions({ image: img, regions: [region('a', rectMask(2, 3, 20, 20))], operations: [op('a', { kind: 'translate', dx: 90, dy: 0 })], quality: 'preview' });
    expect(edge.crop.left).toBe(0); expect(edge.crop.top).toBe(0); expect(edge.crop.width).toBe(120);
    expect(edge.crop.height).toBeGreaterThanOrEqual(39); expect(edge.crop.height).toBeLessThanOrEqual(41);
    const none = warpRegions({ image: img, regions: [], operations: [], quality: 'final' });
    expect(none.crop.width * none.crop.height).toBe(0);
  });

  test('an unknown region is a programmer error', () => {
    expect(() => warpRegions({ image: img, regions: [], operations: [op('zz', { kind: 'translate', dx: 1, dy: 1 })], quality: 'preview' })).toThrow(RangeError);
  });
});

describe('warpRegions: deform', () => {
  // A bar 20..179 × 40..79 on a smooth background, with a red 5×5 marker at the handle (170, 60).
  const W = 220, H = 140;
  const img = createImage(W, H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const inBar = x >= 20 && x < 180 && y >= 40 && y < 80;
      const v = inBar ? 60 + ((x * 3 + y * 5) % 97) : 200 - (y % 30);
      img.data.set([v, v, v, 255], (y * W + x) * 4);
    }
  }
  for (let y = 58; y <= 62; y++) for (let x = 168; x <= 172; x++) img.data.set([255, 0, 0, 255], (y * W + x) * 4);
  const bar = rectMask(20, 40, 160, 40);
  const handle: [number, number] = [170, 60], target: [number, number] = [176, 34];

  test.each(QUALITIES)('the marked handle lands on the target within 1 px; far pixels unchanged (%s)', (quality) => {
    const res = warpRegions({ image: img, regions: [region('a', bar)], operations: [op('a', { kind: 'deform', handles: [handle], targets: [target] })], quality });
    const m = redMarker(res);
    expect(m.n).toBeGreaterThan(10);
    expect(Math.hypot(m.x - target[0], m.y - target[1])).toBeLessThan(1);
    // The far side of the bar (beyond the falloff) is bit-identical, with full target coverage.
    for (let y = 40; y < 80; y++) {
      for (let x = 20; x < 70; x++) {
        expect(editedAt(res, x, y)).toEqual(imageAt(img, x, y));
        expect(maskAtDoc(res, 'targetMask', x, y)).toBe(255);
        expect(maskAtDoc(res, 'holeMask', x, y)).toBe(0);
      }
    }
    // Part of the old tip is vacated; everything outside source ∪ target is untouched.
    expect(maskAtDoc(res, 'holeMask', 178, 78)).toBeGreaterThan(0);
    expectUntouchedOutside(res, img);
  });

  test('the field is fold-free and bends smoothly (no tearing inside the moved bar)', () => {
    const warnings: string[] = [];
    const rw = prepareRegionWarp(img, region('a', bar), [{ kind: 'deform', handles: [handle], targets: [target] }], 'final', warnings);
    expect(rw.field).not.toBeNull();
    expect(minCellJacobian(rw.field!)).toBeGreaterThan(0);
    expect(warnings).toEqual([]);
    const res = warpRegions({ image: img, regions: [region('a', bar)], operations: [op('a', { kind: 'deform', handles: [handle], targets: [target] })], quality: 'preview' });
    // Walk the bar's mid-line forward: every point lands inside full coverage (no cracks).
    const { mapPointForward } = jest.requireActual('./warp-regions') as typeof import('./warp-regions');
    for (let x = 24; x <= 176; x += 2) {
      const [tx, ty] = mapPointForward(rw, [x, 60]);
      expect(maskAtDoc(res, 'targetMask', Math.round(tx), Math.round(ty))).toBe(255);
    }
  });

  test('a huge drag on a small region is limited instead of folding, and says so', () => {
    const warnings: string[] = [];
    const small = rectMask(100, 60, 12, 12);
    const rw = prepareRegionWarp(img, region('s', small), [
      { kind: 'deform', handles: [[106, 66], [100, 66]], targets: [[60, 66], [150, 66]] },
    ], 'preview', warnings);
    expect(rw.field === null || minCellJacobian(rw.field) > 0).toBe(true);
    expect(warnings.length).toBeGreaterThan(0);
  });

  test('zero-length drags only anchor (nothing moves)', () => {
    const res = warpRegions({ image: img, regions: [region('a', bar)], operations: [op('a', { kind: 'deform', handles: [handle], targets: [handle] })], quality: 'final' });
    expect(res.holeMask.data.every((v) => v === 0)).toBe(true);
    for (let p = 0; p < res.edited.data.length; p++) if (res.edited.data[p] !== res.original.data[p]) throw new Error(`pixel ${p >> 2} changed`);
  });
});

describe('warpRegions: plan shapes (several operations, non-uniform scale, several handles)', () => {
  const img = makeTexture('noise', 220, 120, 5);
  const { mapPointForward } = jest.requireActual('./warp-regions') as typeof import('./warp-regions');

  test.each(QUALITIES)('non-uniform scale (taller: sx = 1, sy = 2) maps rows exactly (%s)', (quality) => {
    const cx = 50, cy = 60; // pixel centres, so integer offsets stay integer
    const res = warpRegions({ image: img, regions: [region('a', rectMask(40, 50, 20, 20))], operations: [op('a', { kind: 'scale', sx: 1, sy: 2, center: [cx, cy] })], quality });
    // Target pixel (x, cy + 2k) shows source pixel (x, cy + k) exactly; columns do not move.
    for (let k = -9; k <= 8; k++) {
      for (let x = 41; x < 59; x++) {
        expect(editedAt(res, x, cy + 2 * k)).toEqual(imageAt(img, x, cy + k));
        expect(maskAtDoc(res, 'targetMask', x, cy + 2 * k)).toBe(255);
      }
    }
    // Width unchanged: the columns beside the region stay empty; height doubled (edges 49.5 / 69.5
    // map to 39 / 79, so rows 40..78 are fully covered).
    expect(maskAtDoc(res, 'targetMask', 38, 60)).toBe(0);
    expect(maskAtDoc(res, 'targetMask', 61, 60)).toBe(0);
    expect(maskAtDoc(res, 'targetMask', 50, 40)).toBe(255);
    expect(maskAtDoc(res, 'targetMask', 50, 78)).toBe(255);
    expect(maskAtDoc(res, 'targetMask', 50, 37)).toBe(0);
    expect(maskAtDoc(res, 'targetMask', 50, 81)).toBe(0);
    expectUntouchedOutside(res, img);
  });

  test.each(QUALITIES)('rotate 90° then move left composes in order (%s)', (quality) => {
    const mask = rasterizePolygon([[30, 30], [60, 30], [60, 40], [42, 40], [42, 62], [30, 62]]);
    const c: [number, number] = [45, 45];
    const res = warpRegions({
      image: img, regions: [region('a', mask)], quality,
      operations: [op('a', { kind: 'rotate', angleDeg: 90, center: c }), op('a', { kind: 'translate', dx: -12, dy: 3 })],
    });
    let checked = 0;
    for (let sy = mask.top; sy < mask.top + mask.height; sy++) {
      for (let sx = mask.left; sx < mask.left + mask.width; sx++) {
        if (mask.data[(sy - mask.top) * mask.width + sx - mask.left] !== 255) continue;
        // rotate +90° (clockwise on screen) about c: (u, v) -> (−v, u); then translate
        const tx = c[0] - (sy - c[1]) - 12, ty = c[1] + (sx - c[0]) + 3;
        expect(editedAt(res, tx, ty)).toEqual(imageAt(img, sx, sy));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(300);
    expectUntouchedOutside(res, img);
  });

  test('a rotate or scale after a move turns about the moved pivot (the object\'s own centre)', () => {
    const mask = rasterizePolygon([[30, 30], [60, 30], [60, 40], [42, 40], [42, 62], [30, 62]]);
    const c: [number, number] = [45, 45];
    const rot = { kind: 'rotate', angleDeg: 90, center: c } as const, mv = { kind: 'translate', dx: 20, dy: -8 } as const;
    const a = prepareRegionWarp(img, region('a', mask), [mv, rot], 'final', []);
    const b = prepareRegionWarp(img, region('a', mask), [rot, mv], 'final', []);
    // Moving then turning about the carried centre = turning then moving.
    for (let i = 0; i < 6; i++) expect(a.forward[i]).toBeCloseTo(b.forward[i]!, 10);
    // The moved centre is a fixed point of the turn: c lands at c + move.
    expect(applyAffine(a.forward, c)).toEqual([65, 37]);
    const s = prepareRegionWarp(img, region('a', mask), [mv, { kind: 'scale', sx: 2, sy: 1.5, center: c }], 'final', []);
    expect(applyAffine(s.forward, c)).toEqual([65, 37]);
    expect(applyAffine(s.forward, [46, 47])).toEqual([67, 40]);
  });

  test('deform with several handles: moving handles land on their targets, zero-length drags anchor', () => {
    const bar = rectMask(20, 40, 160, 40);
    const warnings: string[] = [];
    const rw = prepareRegionWarp(img, region('a', bar), [{
      kind: 'deform', handles: [[170, 60], [30, 45], [100, 75]], targets: [[172, 44], [26, 52], [100, 75]],
    }], 'final', warnings);
    expect(warnings).toEqual([]);
    expect(rw.field).not.toBeNull();
    expect(minCellJacobian(rw.field!)).toBeGreaterThan(0);
    const t0 = mapPointForward(rw, [170, 60]), t1 = mapPointForward(rw, [30, 45]), t2 = mapPointForward(rw, [100, 75]);
    expect(Math.hypot(t0[0] - 172, t0[1] - 44)).toBeLessThan(1);
    expect(Math.hypot(t1[0] - 26, t1[1] - 52)).toBeLessThan(1);
    expect(Math.hypot(t2[0] - 100, t2[1] - 75)).toBeLessThan(1);
  });

  test('deform combined with a move: targets are carried by the operations after the deform', () => {
    const bar = rectMask(20, 40, 160, 40);
    const mv = { kind: 'translate', dx: 15, dy: 5 } as const;
    const df = { kind: 'deform', handles: [[170, 60]], targets: [[175, 40]] } as OperationParams;
    // move, then deform: the handle ends on the absolute target
    const a = prepareRegionWarp(img, region('a', bar), [mv, df], 'final', []);
    const ta = mapPointForward(a, [170, 60]);
    expect(Math.hypot(ta[0] - 175, ta[1] - 40)).toBeLessThan(1);
    // deform, then move: the bent part moves with the rest
    const b = prepareRegionWarp(img, region('a', bar), [df, mv], 'final', []);
    const tb = mapPointForward(b, [170, 60]);
    expect(Math.hypot(tb[0] - 190, tb[1] - 45)).toBeLessThan(1);
    // far from the handle only the move acts, exactly
    expect(mapPointForward(b, [25, 60])).toEqual([40, 65]);
    const res = warpRegions({ image: img, regions: [region('a', bar)], operations: [op('a', df), op('a', mv)], quality: 'final' });
    for (let y = 42; y < 78; y += 3) for (let x = 22; x < 60; x += 3) expect(editedAt(res, x + 15, y + 5)).toEqual(imageAt(img, x, y));
    expectUntouchedOutside(res, img);
  });
});

describe('warpRegions: forward-built deform reaches stretch pulls', () => {
  // A thin vertical protrusion (a spire: 16 px wide, 150 px tall, base at y = 249) on a flat
  // background, with a red 5×5 marker at the tip handle; its tip is pulled straight up.
  const W = 160, H = 300;
  const img = createImage(W, H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const inSpire = x >= 72 && x < 88 && y >= 100 && y < 250;
      const v = inSpire ? 40 + ((x * 7 + y * 3) % 60) : 220;
      img.data.set([v, v, v, 255], (y * W + x) * 4);
    }
  }
  for (let y = 103; y <= 107; y++) for (let x = 78; x <= 82; x++) img.data.set([255, 0, 0, 255], (y * W + x) * 4);
  const spire = rectMask(72, 100, 16, 150);
  const { mapPointForward } = jest.requireActual('./warp-regions') as typeof import('./warp-regions');

  test.each([0.3, 0.45, 0.6])('"make it taller" by %p of its length: full drag, no warning, handle on target', (fraction) => {
    const handle: [number, number] = [80, 105], target: [number, number] = [80, 105 - Math.round(150 * fraction)];
    const warnings: string[] = [];
    const rw = prepareRegionWarp(img, region('s', spire), [{ kind: 'deform', handles: [handle], targets: [target] }], 'final', warnings);
    expect(warnings).toEqual([]);
    expect(rw.field).not.toBeNull();
    expect(rw.field!.strength).toBe(1);
    expect(minCellJacobian(rw.field!)).toBeGreaterThan(0);
    const t = mapPointForward(rw, handle);
    expect(Math.hypot(t[0] - target[0], t[1] - target[1])).toBeLessThan(1);
    // The root stays (anchored): the base corners move by less than half a pixel.
    for (const p of [[72, 249], [87, 249]] as const) {
      const q = mapPointForward(rw, [p[0], p[1]]);
      expect(Math.hypot(q[0] - p[0], q[1] - p[1])).toBeLessThan(0.5);
    }
    for (const quality of QUALITIES) {
      const res = warpRegions({ image: img, regions: [region('s', spire)], operations: [op('s', { kind: 'deform', handles: [handle], targets: [target] })], quality });
      expect(res.warnings).toEqual([]);
      // The marker lands on the target: the target pixel is red, moved content, and the red
      // marker's centroid is within a pixel or two (the stretch elongates it slightly).
      const at = editedAt(res, target[0], target[1]);
      expect(at[0]).toBeGreaterThan(200); expect(at[1]).toBeLessThan(80);
      expect(maskAtDoc(res, 'targetMask', target[0], target[1])).toBe(255);
      const m = redMarker(res);
      expect(m.n).toBeGreaterThan(10);
      expect(Math.hypot(m.x - target[0], m.y - target[1])).toBeLessThan(2);
      // The spire is continuous (no tearing): its centre column is fully covered from the new tip
      // down to the base, and it keeps its width (16 px) all the way (stretched, not pinched).
      for (let y = target[1] + 3; y < 248; y++) expect(maskAtDoc(res, 'targetMask', 80, y)).toBe(255);
      for (let y = target[1] + 5; y < 245; y += 7) {
        let width = 0;
        for (let x = 60; x < 100; x++) if (maskAtDoc(res, 'targetMask', x, y) >= 128) width++;
        expect(Math.abs(width - 16)).toBeLessThanOrEqual(1);
      }
      expectUntouchedOutside(res, img);
    }
  });
});

describe('integer-translation preview fast path', () => {
  test('agrees with the general bilinear path (a sub-1e-6 px offset) within one level, soft edges and alpha included', () => {
    const img = makeTexture('noise', 96, 80, 3);
    for (let p = 0; p < 96 * 80; p += 7) img.data[p * 4 + 3] = (p * 37) % 256; // varied alpha
    const m = rectMask(20, 15, 30, 25);
    for (let i = 0; i < m.data.length; i += 3) m.data[i] = (i * 11) % 256; // soft, partly empty coverage
    const run = (dx: number, dy: number) => warpRegions({
      image: img, regions: [region('r', m)], operations: [op('r', { kind: 'translate', dx, dy })], quality: 'preview',
    });
    const fast = run(13, -6), general = run(13 + 1e-7, -6);
    expect(fast.crop).toEqual(general.crop);
    let maxDiff = 0, moved = 0;
    for (let i = 0; i < fast.edited.data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(fast.edited.data[i]! - general.edited.data[i]!));
    for (let p = 0; p < fast.targetMask.data.length; p++) {
      maxDiff = Math.max(maxDiff, Math.abs(fast.targetMask.data[p]! - general.targetMask.data[p]!));
      if (fast.targetMask.data[p]! > 0) moved++;
    }
    expect(maxDiff).toBeLessThanOrEqual(1);
    expect(moved).toBeGreaterThan(500);
    // Full coverage over an opaque source: the target pixel is the source pixel exactly.
    let exact = 0;
    for (let y = 15; y < 40; y++) {
      for (let x = 20; x < 50; x++) {
        if (m.data[(y - 15) * 30 + (x - 20)] !== 255 || imageAt(img, x, y)[3] !== 255) continue;
        expect(editedAt(fast, x + 13, y - 6)).toEqual(imageAt(img, x, y));
        exact++;
      }
    }
    expect(exact).toBeGreaterThan(100);
    expectUntouchedOutside(fast, img);
  });
});

describe('integer-translation fast path equals the general path bit for bit', () => {
  test.each(QUALITIES)('%s: soft edges, varied alpha, keep and source map included', (quality) => {
    const img = makeTexture('noise', 96, 80, 3);
    for (let p = 0; p < 96 * 80; p += 7) img.data[p * 4 + 3] = (p * 37) % 256; // varied alpha
    const m = rectMask(20, 15, 30, 25);
    for (let i = 0; i < m.data.length; i += 3) m.data[i] = (i * 11) % 256; // soft, partly empty coverage
    const keep = rectMask(40, 10, 6, 8);
    const run = (dx: number, dy: number, fast: boolean) => {
      const prev = setIntegerShiftPath(fast);
      try {
        return warpRegions({
          image: img, regions: [region('r', m)], operations: [op('r', { kind: 'translate', dx, dy })], quality, keep: [keep], withSourceMap: true,
        });
      } finally {
        setIntegerShiftPath(prev);
      }
    };
    for (const [dx, dy] of [[13, -6], [-4, 9], [30, 0]] as const) {
      const fast = run(dx, dy, true), general = run(dx, dy, false);
      expect(fast.crop).toEqual(general.crop);
      expect(Buffer.from(fast.edited.data).equals(Buffer.from(general.edited.data))).toBe(true);
      expect(Buffer.from(fast.targetMask.data).equals(Buffer.from(general.targetMask.data))).toBe(true);
      expect(Buffer.from(fast.holeMask.data).equals(Buffer.from(general.holeMask.data))).toBe(true);
      expect(Array.from(fast.sourceMap!)).toEqual(Array.from(general.sourceMap!));
      let moved = 0;
      for (const v of fast.targetMask.data) if (v > 0) moved++;
      expect(moved).toBeGreaterThan(500);
    }
  });

  test.each(QUALITIES)('%s: with the rim\'s own colours (Region rimColour), both paths take them alike', (quality) => {
    const img = makeTexture('noise', 96, 80, 3);
    const m = rectMask(20, 15, 30, 25);
    for (let i = 0; i < m.data.length; i += 3) m.data[i] = (i * 11) % 256;
    // Every fourth pixel of the mask's first rows (solid or partial) gets a colour of its own.
    const index: number[] = [];
    for (let y = 15; y < 22; y++) for (let x = 20; x < 50; x += 4) index.push(y * 96 + x);
    const rgb = new Uint8Array(3 * index.length).map((_, i) => (i * 53) % 256);
    const rimColour = { index: Int32Array.from(index), rgb };
    const run = (fast: boolean, withRim: boolean) => {
      const prev = setIntegerShiftPath(fast);
      try {
        return warpRegions({ image: img, regions: [{ id: 'r', mask: m, ...(withRim ? { rimColour } : {}) }], operations: [op('r', { kind: 'translate', dx: 13, dy: 9 })], quality });
      } finally {
        setIntegerShiftPath(prev);
      }
    };
    const fast = run(true, true), general = run(false, true), plain = run(true, false);
    expect(Buffer.from(fast.edited.data).equals(Buffer.from(general.edited.data))).toBe(true);
    // The listed pixels, moved by (13, 9), show their own colour at their coverage over the target.
    let differ = 0;
    for (const d of index) {
      const x = d % 96, y = (d - x) / 96;
      const c = m.data[(y - 15) * 30 + (x - 20)]!;
      if (c === 0) continue;
      const q = ((y + 9 - fast.crop.top) * fast.crop.width + (x + 13 - fast.crop.left)) * 4;
      if (fast.edited.data[q] !== plain.edited.data[q]) differ++;
      if (c === 255) expect(Array.from(fast.edited.data.subarray(q, q + 3))).toEqual(Array.from(rgb.subarray(3 * index.indexOf(d), 3 * index.indexOf(d) + 3)));
    }
    expect(differ).toBeGreaterThan(index.length / 2);
  });
});

describe('source map (where each crop pixel came from; read by the bench measures)', () => {
  const img = makeTexture('noise', 96, 96, 7);
  const reg = region('r', rectMask(30, 30, 20, 20));
  const at = (res: WarpOutput, x: number, y: number): [number, number] => {
    const p = (y - res.crop.top) * res.crop.width + (x - res.crop.left);
    return [res.sourceMap![2 * p]!, res.sourceMap![2 * p + 1]!];
  };
  test.each(QUALITIES)('%s translate: moved pixels map back by the drag, untouched pixels to themselves', (quality) => {
    const res = warpRegions({
      image: img, regions: [reg], operations: [op('r', { kind: 'translate', dx: 12, dy: -5 })], quality, withSourceMap: true,
    });
    expect(res.sourceMap).toHaveLength(2 * res.crop.width * res.crop.height);
    expect(at(res, 45, 30)).toEqual([33, 35]);
    expect(at(res, 61, 44)).toEqual([49, 49]);
    expect(at(res, res.crop.left, res.crop.top)).toEqual([res.crop.left, res.crop.top]);
    expect(at(res, 32, 40)).toEqual([32, 40]); // vacated (hole): own position, the hole mask says synthesized
    expect(maskAtDoc(res, 'holeMask', 32, 40)).toBe(255);
  });
  test('rotate: the map is the exact backward affine map', () => {
    const params: OperationParams = { kind: 'rotate', angleDeg: 30, center: [40, 40] };
    const res = warpRegions({ image: img, regions: [reg], operations: [op('r', params)], quality: 'final', withSourceMap: true });
    const back = invertAffine(affineForParams(params));
    const [sx, sy] = at(res, 40, 44);
    const [ex, ey] = applyAffine(back, [40, 44]);
    expect(Math.abs(sx - ex)).toBeLessThan(1e-3);
    expect(Math.abs(sy - ey)).toBeLessThan(1e-3);
  });
  test('off by default', () => {
    const res = warpRegions({ image: img, regions: [reg], operations: [op('r', { kind: 'translate', dx: 3, dy: 0 })], quality: 'preview' });
    expect(res.sourceMap).toBeUndefined();
  });
});

describe('slideAlongFrame (an elastic area that reaches the frame)', () => {
  it('leaves still nodes past the frame still and brings moving ones back inside the picture', () => {
    // A 4×3 grid of 10 px cells over a 40×15 picture: its last row (y = 20) lies past the bottom
    // frame; the area continues past it (its rectangle reaches y = 29).
    const cols = 4, rows = 3, n = cols * rows;
    const f = { left: 0, top: 0, cell: 10, cols, rows, ex: new Float32Array(n), ey: new Float32Array(n), fx: new Float32Array(n), fy: new Float32Array(n), radius: 10, maxDisp: 6, strength: 1 };
    f.ey[2 * cols + 1] = 3; // moving nodes past the frame
    f.ex[2 * cols + 2] = 2; f.ey[2 * cols + 2] = -1;
    f.ey[1 * cols + 1] = 2; // a moving node inside the picture (y = 10 + 2 ≤ 14)
    const out = slideAlongFrame(f, { left: 0, top: 0, width: 40, height: 30 }, 40, 15);
    // Still nodes past the frame (outside the area) get no displacement: the pixels between them
    // and the area's nodes would otherwise be rendered moved, outside the area.
    for (const k of [2 * cols, 2 * cols + 3]) expect([out.ex[k], out.ey[k]]).toEqual([0, 0]);
    // Moving nodes past the frame fetch from inside the picture only.
    for (const k of [2 * cols + 1, 2 * cols + 2]) expect(20 + out.ey[k]!).toBeLessThanOrEqual(14);
    expect(out.ey[1 * cols + 1]).toBeCloseTo(2 * (14 - 10) / 15, 5); // faded towards the frame (room 4 of the 15 px taper)
    for (let k = 0; k < cols; k++) expect([out.ex[k], out.ey[k]]).toEqual([0, 0]);
  });
});
