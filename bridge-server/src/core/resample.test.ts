import { createImage } from './image';
import { buildSourcePatch, patchReach, sampleBicubic, sampleBicubicReach, sampleBilinear } from './resample';
import type { PlacedMask, RgbaImage } from './types';

/** 3×3 literal image: rows of RGBA. */
function img3(px: number[][]): RgbaImage {
  const im = createImage(3, 3);
  px.forEach((p, i) => im.data.set(p, i * 4));
  return im;
}
const full = (w: number, h: number, v = 255): PlacedMask => ({ left: 0, top: 0, width: w, height: h, data: new Uint8Array(w * h).fill(v) });

describe('resample kernels', () => {
  const im = img3([
    [10, 20, 30, 255], [40, 50, 60, 255], [70, 80, 90, 255],
    [100, 110, 120, 255], [130, 140, 150, 255], [160, 170, 180, 255],
    [190, 200, 210, 255], [220, 230, 240, 255], [250, 0, 5, 255],
  ]);
  const patch = buildSourcePatch(im, full(3, 3));
  const out = new Float32Array(4);

  test('both kernels return pixels exactly at pixel centres', () => {
    for (const sample of [sampleBilinear, sampleBicubic]) {
      for (let y = 0; y < 3; y++) {
        for (let x = 0; x < 3; x++) {
          expect(sample(patch, x, y, out)).toBe(1);
          const i = (y * 3 + x) * 4;
          expect(Array.from(out)).toEqual([im.data[i]!, im.data[i + 1]!, im.data[i + 2]!, 1]);
        }
      }
    }
  });

  test('bilinear midpoint is the average of the two neighbours', () => {
    expect(sampleBilinear(patch, 0.5, 1, out)).toBeCloseTo(1, 6);
    expect(out[0]).toBeCloseTo((100 + 130) / 2, 4);
    expect(out[2]).toBeCloseTo((120 + 150) / 2, 4);
    // centre of four pixels
    sampleBilinear(patch, 1.5, 1.5, out);
    expect(out[1]).toBeCloseTo((140 + 170 + 230 + 0) / 4, 4);
  });

  test('coverage falls off across the region border and is zero well outside', () => {
    // pixel (-1, 1) is outside the region (coverage 0), pixel (0, 1) inside (1)
    expect(sampleBilinear(patch, -0.25, 1, out)).toBeCloseTo(0.75, 6);
    expect(sampleBilinear(patch, -2, 1, out)).toBe(0);
    expect(sampleBicubic(patch, -2.5, 1, out)).toBe(0);
    expect(sampleBilinear(patch, 100, 100, out)).toBe(0);
    expect(sampleBilinear(patch, Number.NaN, 1, out)).toBe(0);
  });

  test('premultiplied: a transparent neighbour does not bleed its colour', () => {
    const a = createImage(2, 1);
    a.data.set([255, 0, 0, 255, 0, 255, 0, 0]); // opaque red | transparent "green"
    const p = buildSourcePatch(a, full(2, 1));
    for (const sample of [sampleBilinear, sampleBicubic]) {
      const cov = sample(p, 0.5, 0, out);
      expect(cov).toBeCloseTo(1, 5);
      expect(out[3]).toBeGreaterThan(0.4);
      expect(out[3]).toBeLessThan(0.6);
      expect(out[1]).toBeCloseTo(0, 5); // no green
      expect(out[0]! / out[3]!).toBeCloseTo(255, 3); // straight colour stays pure red
    }
  });

  test('soft mask coverage is carried and multiplies alpha', () => {
    const a = createImage(1, 1);
    a.data.set([200, 100, 50, 255]);
    const p = buildSourcePatch(a, full(1, 1, 51));
    expect(sampleBilinear(p, 0, 0, out)).toBeCloseTo(0.2, 6);
    expect(out[3]).toBeCloseTo(0.2, 6);
    expect(out[0]! / out[3]!).toBeCloseTo(200, 3);
  });

  test('bicubic is clamped: no overshoot on a hard step', () => {
    const w = 8, step = createImage(w, 1);
    for (let x = 0; x < w; x++) step.data.set(x < 4 ? [0, 0, 0, 255] : [255, 255, 255, 255], x * 4);
    const p = buildSourcePatch(step, full(w, 1));
    for (let x = 0; x <= w - 1; x += 0.125) {
      const cov = sampleBicubic(p, x, 0, out);
      expect(cov).toBeLessThanOrEqual(1);
      expect(out[3]).toBeLessThanOrEqual(cov + 1e-6);
      for (let c = 0; c < 3; c++) {
        expect(out[c]).toBeGreaterThanOrEqual(0);
        expect(out[c]).toBeLessThanOrEqual(255 * out[3]! + 1e-3);
      }
    }
  });

  test('bicubic at a region\'s edge keeps the region\'s colour: a tap past the edge does not brighten it', () => {
    // A flat grey surface selected up to column 9: samples between the last columns read a
    // negative lobe's tap outside the selection. Clamping only the alpha there left the colour
    // sum of the other taps (up to 1.074 of the grey): a light line along the selection's edge.
    const w = 16, h = 8, grey = createImage(w, h);
    for (let p = 0; p < w * h; p++) grey.data.set([189, 198, 217, 255], p * 4);
    const sel: PlacedMask = { left: 0, top: 0, width: 10, height: h, data: new Uint8Array(10 * h).fill(255) };
    const p = buildSourcePatch(grey, sel);
    let sampled = 0, worst = 0;
    for (let x = 6; x <= 9; x += 0.0625) {
      for (const ss of [sampleBicubic, (pp: typeof p, xx: number, yy: number, o: Float32Array) => sampleBicubicReach(pp, patchReach(pp, 4), xx, yy, o)]) {
        const cov = ss(p, x, 3.5, out);
        if (cov <= 0 || out[3]! <= 0) continue;
        sampled++;
        expect(out[3]).toBeLessThanOrEqual(cov + 1e-6);
        const want = [189, 198, 217];
        for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(out[c]! / out[3]! - want[c]!));
      }
    }
    expect(sampled).toBeGreaterThan(80);
    expect(worst).toBeLessThan(0.01);
  });

  test('the patch ignores mask pixels outside the image', () => {
    const a = createImage(2, 2);
    a.data.fill(255);
    const p = buildSourcePatch(a, { left: -3, top: -3, width: 5, height: 5, data: new Uint8Array(25).fill(255) });
    expect(sampleBilinear(p, 0, 0, out)).toBe(1);
    expect(sampleBilinear(p, -1, 0, out)).toBe(0);
    expect(sampleBilinear(p, 2, 0, out)).toBe(0);
  });
});
