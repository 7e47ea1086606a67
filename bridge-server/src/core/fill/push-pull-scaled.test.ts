import { pushPullFactor, pushPullFill, pushPullFillScaled, PUSH_PULL_GRID_SAMPLES } from './push-pull';

/** A smooth field sampled on a ring (the shape the hole and seam corrections see), holes elsewhere. */
function ringSamples(w: number, h: number): { val: Float32Array; wgt: Float32Array; truth: (x: number, y: number) => number } {
  const truth = (x: number, y: number): number => 20 + 0.01 * x - 0.02 * y + 5 * Math.sin(x / 300);
  const val = new Float32Array(w * h), wgt = new Float32Array(w * h);
  const cx = w / 2, cy = h / 2, r = 0.4 * Math.min(w, h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const d = Math.hypot(x - cx, y - cy);
    if (Math.abs(d - r) < 1) { val[y * w + x] = truth(x, y); wgt[y * w + x] = 1; }
  }
  return { val, wgt, truth };
}

describe('pushPullFillScaled', () => {
  test('factor 1 is pushPullFill exactly; the factor stays 1 up to the grid budget', () => {
    expect(pushPullFactor(512, 512)).toBe(1);
    expect(pushPullFactor(2048, 2048)).toBeGreaterThan(1);
    expect(Math.ceil(2048 / pushPullFactor(2048, 2048)) ** 2).toBeLessThanOrEqual(PUSH_PULL_GRID_SAMPLES);
    const a = ringSamples(200, 150), b = ringSamples(200, 150);
    pushPullFill(a.val, a.wgt, 200, 150, 1);
    pushPullFillScaled(b.val, b.wgt, 200, 150, 1, 1);
    expect(Array.from(b.val)).toEqual(Array.from(a.val));
  });

  test('a coarse grid interpolates a smooth field like the full-resolution one; known samples stay', () => {
    const w = 1600, h = 1200;
    const a = ringSamples(w, h), b = ringSamples(w, h);
    const known = Array.from(a.wgt.keys()).filter((p) => a.wgt[p] === 1);
    pushPullFill(a.val, a.wgt, w, h, 1);
    pushPullFillScaled(b.val, b.wgt, w, h, 1, 4);
    for (const p of known.slice(0, 500)) expect(b.val[p]).toBe(a.val[p]);
    // Inside the ring: the two interpolations agree to a fraction of a grey level.
    let sum = 0, n = 0, worst = 0;
    for (let y = 400; y < 800; y += 7) for (let x = 600; x < 1000; x += 7) {
      const d = Math.abs(a.val[y * w + x]! - b.val[y * w + x]!);
      sum += d; n++; worst = Math.max(worst, d);
    }
    expect(sum / n).toBeLessThan(0.3);
    expect(worst).toBeLessThan(1);
  });
});
