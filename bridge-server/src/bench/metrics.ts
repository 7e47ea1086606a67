/**
 * Weight-free benchmark metrics (../shared/docs/ALGORITHMS.md §2.5): GoodDrag's Drag Accuracy
 * Index (DAI), change outside an allowed area, and a helper that turns an edit result into the
 * full document the user sees. PSNR/SSIM live in core/metrics.ts.
 *
 * All functions are pure and allocate nothing per pixel.
 */
import type { EditResult, Mask, Point, RgbaImage } from '../core/types';
import { compositeOver } from '@smartdrag/shared';
import { createImage } from '../core/image';

/** The radii γ at which DAI is reported (GoodDrag's `gamma = [1, 5, 10, 20]`). */
export const DAI_RADII = [1, 5, 10, 20] as const;
/** One of {@link DAI_RADII}. */
export type DaiRadius = (typeof DAI_RADII)[number];
/** DAI per radius, keyed by the radius as a string (`"1"`, `"5"`, `"10"`, `"20"`). */
export type DaiByRadius = Record<`${DaiRadius}`, number>;

/** A handle → target pair in document pixels. */
export interface PointPair {
  handle: Point;
  target: Point;
}

/**
 * Squared-error patch distance of one pair: the (2r+1)² RGB patch around `handle` in `original`
 * against the patch around `target` in `result`, values scaled to [0, 1]; the squared
 * differences are summed over the three channels and over the patch, then divided by the number
 * of patch pixels (GoodDrag `calculate_difference` / `cal_patch_size`).
 *
 * Points are rounded to the nearest pixel. Near a border, only offsets where both patch pixels lie
 * inside their images count, and the sum is divided by that count (the reference script would
 * fail or wrap there). Returns NaN when no offset is valid. Alpha is ignored.
 */
export function patchDistance(original: RgbaImage, result: RgbaImage, handle: Point, target: Point, radius: number): number {
  if (!Number.isInteger(radius) || radius < 0) throw new RangeError(`radius must be a non-negative integer, got ${radius}`);
  const hx = Math.round(handle[0]), hy = Math.round(handle[1]);
  const tx = Math.round(target[0]), ty = Math.round(target[1]);
  // Offsets (ox, oy) valid for both images.
  const ox0 = Math.max(-radius, -hx, -tx), ox1 = Math.min(radius, original.width - 1 - hx, result.width - 1 - tx);
  const oy0 = Math.max(-radius, -hy, -ty), oy1 = Math.min(radius, original.height - 1 - hy, result.height - 1 - ty);
  if (ox1 < ox0 || oy1 < oy0) return NaN;
  const a = original.data, b = result.data;
  const inv = 1 / 255;
  let sum = 0;
  for (let oy = oy0; oy <= oy1; oy++) {
    const rowA = ((hy + oy) * original.width + hx) * 4;
    const rowB = ((ty + oy) * result.width + tx) * 4;
    for (let ox = ox0; ox <= ox1; ox++) {
      const ia = rowA + ox * 4, ib = rowB + ox * 4;
      const d0 = (a[ia]! - b[ib]!) * inv, d1 = (a[ia + 1]! - b[ib + 1]!) * inv, d2 = (a[ia + 2]! - b[ib + 2]!) * inv;
      sum += d0 * d0 + d1 * d1 + d2 * d2;
    }
  }
  return sum / ((ox1 - ox0 + 1) * (oy1 - oy0 + 1));
}

/**
 * DAI of one image at one radius: the mean over pairs of {@link patchDistance}. Lower is better;
 * 0 means every target patch in `result` equals its handle patch in `original`.
 *
 * GoodDrag's script divides by the pair count a second time (a quirk, §2.5); pass
 * `{ scriptQuirk: true }` to reproduce that number exactly. Pairs whose patch is empty are
 * skipped. Returns NaN for no pairs.
 */
export function computeDai(
  original: RgbaImage,
  result: RgbaImage,
  pairs: readonly PointPair[],
  radius: number,
  opts: { scriptQuirk?: boolean } = {},
): number {
  let sum = 0, n = 0;
  for (const p of pairs) {
    const d = patchDistance(original, result, p.handle, p.target, radius);
    if (Number.isNaN(d)) continue;
    sum += d;
    n++;
  }
  if (n === 0) return NaN;
  const mean = sum / n;
  return opts.scriptQuirk ? mean / n : mean;
}

/** {@link computeDai} at every radius of {@link DAI_RADII}. */
export function computeDaiAllRadii(original: RgbaImage, result: RgbaImage, pairs: readonly PointPair[]): DaiByRadius {
  return {
    '1': computeDai(original, result, pairs, 1),
    '5': computeDai(original, result, pairs, 5),
    '10': computeDai(original, result, pairs, 10),
    '20': computeDai(original, result, pairs, 20),
  };
}

/**
 * Number of pixels whose RGBA differs between `before` and `after` where `allowed` is 0, i.e.
 * changes outside the area an edit may touch. `allowed` is full-image sized.
 */
export function countChangedOutside(before: RgbaImage, after: RgbaImage, allowed: Mask): number {
  if (before.width !== after.width || before.height !== after.height) throw new RangeError('image sizes differ');
  if (allowed.width !== before.width || allowed.height !== before.height) throw new RangeError('mask size differs from image');
  const a = before.data, b = after.data, m = allowed.data;
  let n = 0;
  for (let p = 0, i = 0; p < m.length; p++, i += 4) {
    if (m[p] !== 0) continue;
    if (a[i] !== b[i] || a[i + 1] !== b[i + 1] || a[i + 2] !== b[i + 2] || a[i + 3] !== b[i + 3]) n++;
  }
  return n;
}

/**
 * The document as the user sees it after an edit: `input` with the result's changed-pixels layer
 * composited over it (source-over, straight alpha). Pixels the layer leaves transparent show the
 * input, so an unfilled hole shows the original content.
 */
export function composeResult(input: RgbaImage, result: Pick<EditResult, 'layer'>): RgbaImage {
  const out = createImage(input.width, input.height);
  out.data.set(input.data);
  const { left, top, image } = result.layer;
  compositeOver(out, { left, top, width: image.width, height: image.height, data: image.data });
  return out;
}
