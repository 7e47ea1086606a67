/** The ONNX GridSample warp must reproduce the core's TypeScript bilinear sampler (within 1/255). */
import { createRng } from '../bridge-server/src/core/random';
import { buildSourcePatch, sampleBilinear } from '../bridge-server/src/core/resample';
import type { PlacedMask, RgbaImage } from '../bridge-server/src/core/types';
import { SessionManager } from '../bridge-server/src/models/index';
import { GridSampleWarp } from './gridsample-warp';

const sessions = new SessionManager({ device: 'cpu' });
afterAll(() => sessions.release());

function randomScene(w: number, h: number, seed: number): { image: RgbaImage; mask: PlacedMask } {
  const rng = createRng(seed), data = new Uint8ClampedArray(w * h * 4), m = new Uint8Array(w * h);
  for (let i = 0; i < w * h; i++) {
    data[i * 4] = rng() * 256; data[i * 4 + 1] = rng() * 256; data[i * 4 + 2] = rng() * 256;
    data[i * 4 + 3] = rng() < 0.2 ? rng() * 256 : 255;
    m[i] = rng() < 0.1 ? 0 : rng() < 0.2 ? rng() * 256 : 255;
  }
  return { image: { width: w, height: h, data }, mask: { left: 0, top: 0, width: w, height: h, data: m } };
}

test.each([1, 2, 3])('GridSample matches sampleBilinear on random inputs (seed %i)', async (seed) => {
  const { image, mask } = randomScene(53, 41, seed);
  const patch = buildSourcePatch(image, mask);
  const ow = 37, oh = 29, n = ow * oh, rng = createRng(100 + seed);
  const xs = new Float32Array(n), ys = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    // Mostly inside, some straddling or past the border, some exact pixel centres.
    xs[i] = i % 7 === 0 ? Math.floor(rng() * 53) : rng() * 61 - 4;
    ys[i] = i % 7 === 0 ? Math.floor(rng() * 41) : rng() * 49 - 4;
  }
  const rgba = new Float32Array(4 * n), cov = new Float32Array(n);
  await new GridSampleWarp(sessions).samplePatch(patch, xs, ys, ow, oh, rgba, cov);
  const ref = new Float32Array(4);
  let maxColour = 0, maxAlpha = 0, maxCov = 0, nonEmpty = 0;
  for (let i = 0; i < n; i++) {
    ref.fill(0);
    const c = sampleBilinear(patch, xs[i]!, ys[i]!, ref);
    if (c > 0) nonEmpty++;
    for (let k = 0; k < 3; k++) maxColour = Math.max(maxColour, Math.abs(rgba[4 * i + k]! - (c > 0 ? ref[k]! : 0)));
    maxAlpha = Math.max(maxAlpha, Math.abs(rgba[4 * i + 3]! - (c > 0 ? ref[3]! : 0)));
    maxCov = Math.max(maxCov, Math.abs(Math.min(1, cov[i]!) - c));
  }
  expect(nonEmpty).toBeGreaterThan(n / 2);
  // Colour is premultiplied 0..255, alpha and coverage 0..1: 1/255 of each range.
  expect(maxColour).toBeLessThanOrEqual(1);
  expect(maxAlpha).toBeLessThanOrEqual(1 / 255);
  expect(maxCov).toBeLessThanOrEqual(1 / 255);
});

test('integer positions return the patch pixels exactly (pixel centres at integer coordinates)', async () => {
  const { image, mask } = randomScene(9, 7, 4);
  const patch = buildSourcePatch(image, mask);
  const xs = Float32Array.from([2, 5, 8, 0]), ys = Float32Array.from([3, 6, 1, 0]);
  const rgba = new Float32Array(16), cov = new Float32Array(4);
  await new GridSampleWarp(sessions).samplePatch(patch, xs, ys, 4, 1, rgba, cov);
  for (let i = 0; i < 4; i++) {
    const pi = (ys[i]! - patch.top) * patch.width + (xs[i]! - patch.left);
    expect(cov[i]).toBeCloseTo(patch.cov[pi]!, 5);
    for (let k = 0; k < 4; k++) expect(rgba[4 * i + k]).toBeCloseTo(patch.rgba[pi * 4 + k]!, 3);
  }
});
