/**
 * The final path on an edit large enough that the fill's and the blend's smooth corrections run
 * on a coarse grid (pushPullFactor > 1): the moved content is still exactly the full-resolution
 * warp of the source (never resampled from a coarse level) away from the seam band, and the
 * corrections it does apply near the seams stay small.
 */
import { rasterizePolygon, type Point } from '@smartdrag/shared';
import { chamferDistance } from './blend';
import { runEdit } from './edit';
import { pushPullFactor } from './fill';
import { makeTexture } from './textures';
import { warpRegions } from './warp';

const ellipse = (cx: number, cy: number, ax: number, ay: number): Point[] =>
  Array.from({ length: 64 }, (_, i) => { const t = (i / 64) * 2 * Math.PI; return [cx + ax * Math.cos(t), cy + ay * Math.sin(t)] as Point; });

test('large final edit: moved pixels equal the full-resolution warp beyond the seam band', async () => {
  const size = 1400;
  const image = makeTexture('brick', size, size, 9);
  const region = { id: 'r', mask: rasterizePolygon(ellipse(700, 700, 380, 330)) };
  const req = { image, regions: [region], drags: [{ region: 'r', kind: 'rotate' as const, center: [700, 700] as Point, points: [[1080, 700], [1060, 800]] as Point[] }], quality: 'final' as const, seed: 2 };
  const res = await runEdit(req);
  const { width: w, height: h } = res.crop;
  expect(pushPullFactor(w, h)).toBeGreaterThan(1); // the coarse-grid corrections are exercised
  const warp = warpRegions({ image, regions: [region], operations: res.plan.operations, quality: 'final' });
  expect(warp.crop).toEqual(res.crop);
  const full = new Uint8Array(w * h);
  for (let p = 0; p < w * h; p++) full[p] = warp.targetMask.data[p] === 255 && res.holeMask.data[p] === 0 ? 1 : 0;
  const depth = chamferDistance(full, w, h, 64, true);
  let deep = 0, deepDiff = 0, band = 0, bandSum = 0;
  for (let p = 0; p < w * h; p++) {
    if (!full[p]) continue;
    const q = p * 4;
    const d = Math.abs(res.edited.data[q]! - warp.edited.data[q]!) + Math.abs(res.edited.data[q + 1]! - warp.edited.data[q + 1]!) + Math.abs(res.edited.data[q + 2]! - warp.edited.data[q + 2]!);
    if (depth[p]! > 30) { deep++; if (d !== 0 || res.edited.data[q + 3] !== warp.edited.data[q + 3]) deepDiff++; }
    else { band++; bandSum += d / 3; }
  }
  expect(deep).toBeGreaterThan(200_000);
  expect(deepDiff).toBe(0);
  expect(band).toBeGreaterThan(10_000);
  expect(bandSum / band).toBeLessThan(8); // seam corrections: a few levels on average
});
