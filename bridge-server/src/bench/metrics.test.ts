import { createImage, createMask } from '../core/image';
import type { RgbaImage } from '../core/types';
import { composeResult, computeDai, computeDaiAllRadii, countChangedOutside, patchDistance } from './metrics';
import { quantile, summarize } from './stats';

/** Opaque image whose RGB at (x, y) is f(x, y) in all three channels. */
function gray(w: number, h: number, f: (x: number, y: number) => number): RgbaImage {
  const img = createImage(w, h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4, v = f(x, y);
      img.data[i] = v; img.data[i + 1] = v; img.data[i + 2] = v; img.data[i + 3] = 255;
    }
  }
  return img;
}

describe('DAI (GoodDrag compute_DAI)', () => {
  const ramp = gray(40, 30, (x) => 5 * x);

  it('is 0 for identical patches at every radius', () => {
    const d = computeDaiAllRadii(ramp, ramp, [{ handle: [20, 15], target: [20, 15] }]);
    expect(d).toEqual({ '1': 0, '5': 0, '10': 0, '20': 0 });
  });

  it('is 0 when the result is the input shifted exactly by the drag', () => {
    const shifted = gray(40, 30, (x) => 5 * (x - 3));
    expect(computeDai(ramp, shifted, [{ handle: [15, 15], target: [18, 15] }], 5)).toBe(0);
  });

  it('of a known shift on a ramp is 3·(Δ/255)² per pixel', () => {
    // Result = input; handle (10,15) -> target (12,15): every pixel differs by 2 columns × 5 levels.
    const expected = 3 * (10 / 255) ** 2;
    for (const r of [1, 5]) expect(computeDai(ramp, ramp, [{ handle: [10, 15], target: [12, 15] }], r)).toBeCloseTo(expected, 12);
  });

  it('of two constant images is the summed squared channel difference', () => {
    const a = gray(21, 21, () => 51), b = gray(21, 21, () => 204);
    // (0.2 - 0.8)² × 3 channels = 1.08, whatever the radius.
    for (const r of [1, 10]) expect(computeDai(a, b, [{ handle: [10, 10], target: [10, 10] }], r)).toBeCloseTo(1.08, 12);
  });

  it('divides by the valid pixels of a patch clipped at the border', () => {
    const a = gray(10, 10, () => 0);
    const b = gray(10, 10, () => 0);
    b.data[0] = 255; // pixel (0,0), red channel only: squared difference 1
    expect(patchDistance(a, b, [1, 1], [1, 1], 1)).toBeCloseTo(1 / 9, 12);
    // At the corner only the 2×2 offsets inside the image count.
    expect(patchDistance(a, b, [0, 0], [0, 0], 1)).toBeCloseTo(1 / 4, 12);
    // A target near the border clips the handle's patch the same way.
    expect(patchDistance(a, b, [5, 5], [0, 0], 2)).toBeCloseTo(1 / 9, 12);
  });

  it('averages over pairs, and the script quirk divides by the pair count again', () => {
    const a = gray(20, 20, () => 0), b = gray(20, 20, () => 0);
    for (let y = 0; y < 10; y++) for (let x = 0; x < 20; x++) b.data[(y * 20 + x) * 4] = 255;
    const pairs = [{ handle: [10, 3] as [number, number], target: [10, 3] as [number, number] }, { handle: [10, 15] as [number, number], target: [10, 15] as [number, number] }];
    expect(computeDai(a, b, pairs, 1)).toBeCloseTo(0.5, 12);
    expect(computeDai(a, b, pairs, 1, { scriptQuirk: true })).toBeCloseTo(0.25, 12);
  });

  it('ignores alpha and rounds fractional points', () => {
    const a = gray(10, 10, (x) => x * 10);
    const b = gray(10, 10, (x) => x * 10);
    for (let i = 3; i < b.data.length; i += 4) b.data[i] = 0;
    expect(computeDai(a, b, [{ handle: [4.4, 4.6], target: [3.6, 5.4] }], 1)).toBe(0);
  });

  it('is NaN without pairs and rejects bad radii', () => {
    expect(computeDai(ramp, ramp, [], 1)).toBeNaN();
    expect(() => patchDistance(ramp, ramp, [1, 1], [1, 1], -1)).toThrow(RangeError);
  });
});

describe('countChangedOutside', () => {
  it('counts only changed pixels where the allowed mask is 0', () => {
    const a = gray(4, 3, () => 10);
    const b = gray(4, 3, () => 10);
    b.data[(0 * 4 + 0) * 4] = 99; // (0,0) changed, outside
    b.data[(1 * 4 + 1) * 4 + 3] = 0; // (1,1) alpha changed, inside
    b.data[(2 * 4 + 3) * 4 + 1] = 0; // (3,2) changed, outside
    const allowed = createMask(4, 3);
    allowed.data[1 * 4 + 1] = 255;
    expect(countChangedOutside(a, b, allowed)).toBe(2);
    allowed.data.fill(255);
    expect(countChangedOutside(a, b, allowed)).toBe(0);
  });
});

describe('composeResult', () => {
  it('places the layer over the input with source-over', () => {
    const input = gray(6, 6, () => 100);
    const layer = createImage(2, 1);
    layer.data.set([200, 200, 200, 255, 200, 200, 200, 128]);
    const out = composeResult(input, { layer: { left: 2, top: 3, image: layer } });
    const at = (x: number, y: number): number[] => Array.from(out.data.subarray((y * 6 + x) * 4, (y * 6 + x) * 4 + 4));
    expect(at(2, 3)).toEqual([200, 200, 200, 255]);
    // 200·(128/255) + 100·(127/255) = 150.2 -> 150
    expect(at(3, 3)).toEqual([150, 150, 150, 255]);
    expect(at(1, 3)).toEqual([100, 100, 100, 255]);
    expect(at(2, 2)).toEqual([100, 100, 100, 255]);
  });

  it('clips a layer that hangs off the document', () => {
    const input = gray(3, 3, () => 0);
    const layer = gray(2, 2, () => 255);
    const out = composeResult(input, { layer: { left: 2, top: -1, image: layer } });
    expect(out.data[(0 * 3 + 2) * 4]).toBe(255);
    expect(out.data[(1 * 3 + 2) * 4]).toBe(0);
  });
});

describe('stats', () => {
  it('computes numpy-style linear quantiles and ignores NaN', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 0.95)).toBeCloseTo(95, 12);
    expect(summarize([3, NaN, 1, 2])).toEqual({ count: 3, mean: 2, median: 2, p95: 2.9, max: 3 });
  });
});
