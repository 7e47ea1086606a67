/**
 * Weight-free image quality metrics (../shared/docs/ALGORITHMS.md §2.5): PSNR and SSIM on
 * luminance, optionally restricted to a mask.
 */
import type { Mask, RgbaImage } from './types';

/** Rec. 601 luma of pixel i (byte offset) of an RGBA image. */
function luma(d: Uint8ClampedArray, i: number): number {
  return 0.299 * d[i]! + 0.587 * d[i + 1]! + 0.114 * d[i + 2]!;
}

/**
 * PSNR in dB over RGB channels of the pixels where `mask` > 0 (all pixels when omitted).
 * Identical inputs give `Infinity`.
 */
export function psnr(a: RgbaImage, b: RgbaImage, mask?: Mask): number {
  if (a.width !== b.width || a.height !== b.height) throw new RangeError('image sizes differ');
  let se = 0, n = 0;
  const da = a.data, db = b.data, n4 = a.width * a.height;
  for (let p = 0; p < n4; p++) {
    if (mask && mask.data[p] === 0) continue;
    const i = p * 4;
    const e0 = da[i]! - db[i]!, e1 = da[i + 1]! - db[i + 1]!, e2 = da[i + 2]! - db[i + 2]!;
    se += e0 * e0 + e1 * e1 + e2 * e2;
    n += 3;
  }
  if (n === 0) return NaN;
  if (se === 0) return Infinity;
  return 10 * Math.log10((255 * 255) / (se / n));
}

/**
 * Mean SSIM (Wang et al. 2004) on luma with a `win`×`win` box window (default 7), constants
 * K1=0.01, K2=0.03, L=255. Windows are averaged where their centre pixel is in `mask`
 * (all windows when omitted). Identical images give 1.
 */
export function ssim(a: RgbaImage, b: RgbaImage, mask?: Mask, win = 7): number {
  if (a.width !== b.width || a.height !== b.height) throw new RangeError('image sizes differ');
  const w = a.width, h = a.height, n = w * h;
  const la = new Float64Array(n), lb = new Float64Array(n);
  for (let p = 0; p < n; p++) { la[p] = luma(a.data, p * 4); lb[p] = luma(b.data, p * 4); }
  const c1 = (0.01 * 255) ** 2, c2 = (0.03 * 255) ** 2;
  const r = Math.floor(win / 2);
  let sum = 0, count = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (mask && mask.data[y * w + x] === 0) continue;
      const x0 = Math.max(0, x - r), x1 = Math.min(w - 1, x + r);
      const y0 = Math.max(0, y - r), y1 = Math.min(h - 1, y + r);
      let sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0, m = 0;
      for (let yy = y0; yy <= y1; yy++) {
        const row = yy * w;
        for (let xx = x0; xx <= x1; xx++) {
          const va = la[row + xx]!, vb = lb[row + xx]!;
          sa += va; sb += vb; saa += va * va; sbb += vb * vb; sab += va * vb; m++;
        }
      }
      const ma = sa / m, mb = sb / m;
      const va = saa / m - ma * ma, vb = sbb / m - mb * mb, cov = sab / m - ma * mb;
      sum += ((2 * ma * mb + c1) * (2 * cov + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
      count++;
    }
  }
  return count === 0 ? NaN : sum / count;
}
