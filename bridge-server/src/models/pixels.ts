/**
 * Pixel plumbing between the core's RGBA8 crops and model tensors: crop rectangles around a
 * mask, separable triangle-filter resizing of float planes (antialiased when shrinking, bilinear
 * when enlarging; pixel centres at integer coordinates), seam-band weights from a chamfer
 * distance, and compositing that touches only weighted pixels.
 */
import { maskBounds } from '@smartdrag/shared';
import { chamfer34 } from '../core/distance-transform';
import type { Mask, Rect, RgbaImage } from '../core/types';

/** Bounding box of `mask > 0` in crop pixels, or `undefined` when the mask is empty. */
export function nonZeroBox(mask: Mask): Rect | undefined {
  const b = maskBounds({ ...mask, left: 0, top: 0 });
  return b.width === 0 ? undefined : b;
}

/**
 * A context rectangle for a model: `box` grown by `margin` px on every side, then widened to a
 * square where the image allows (models are square), clamped to `width`×`height`.
 */
export function contextRect(box: Rect, margin: number, width: number, height: number): Rect {
  const side = Math.min(Math.max(box.width, box.height) + 2 * margin, Math.max(width, height));
  const cx = box.left + box.width / 2, cy = box.top + box.height / 2;
  const w = Math.min(side, width), h = Math.min(side, height);
  const left = Math.max(0, Math.min(width - w, Math.round(cx - w / 2)));
  const top = Math.max(0, Math.min(height - h, Math.round(cy - h / 2)));
  return { left, top, width: w, height: h };
}

/** Per-output-sample taps of a 1-D resampling (precomputed once, reused for every row/column). */
interface AxisTaps {
  first: Int32Array;
  count: Int32Array;
  weights: Float32Array;
  maxTaps: number;
}

/**
 * Triangle-filter taps mapping `srcLen` samples to `dstLen`. Output i's centre lies at source
 * coordinate (i + 0.5)·s − 0.5 with s = srcLen/dstLen; the filter radius is max(1, s), so
 * enlarging is plain bilinear and shrinking averages the footprint (no aliasing). Taps are
 * clamped to [0, srcLen − 1] (edge replicate).
 */
function axisTaps(srcLen: number, dstLen: number): AxisTaps {
  const s = srcLen / dstLen, r = Math.max(1, s), maxTaps = Math.ceil(2 * r) + 2;
  const first = new Int32Array(dstLen), count = new Int32Array(dstLen), weights = new Float32Array(dstLen * maxTaps);
  for (let i = 0; i < dstLen; i++) {
    const c = (i + 0.5) * s - 0.5;
    const j0 = Math.ceil(c - r), j1 = Math.floor(c + r);
    let n = 0, sum = 0;
    const base = i * maxTaps;
    first[i] = j0;
    for (let j = j0; j <= j1 && n < maxTaps; j++, n++) {
      const w = Math.max(0, 1 - Math.abs(j - c) / r);
      weights[base + n] = w;
      sum += w;
    }
    count[i] = n;
    if (sum > 0) for (let k = 0; k < n; k++) weights[base + k]! /= sum;
    else { weights[base] = 1; count[i] = 1; first[i] = Math.min(srcLen - 1, Math.max(0, Math.round(c))); }
  }
  return { first, count, weights, maxTaps };
}

/**
 * Resize `channels` float planes (`src`, each `sw`×`sh`, planar) to `dw`×`dh` into `out`
 * (planar, `channels·dw·dh`). Separable: horizontal pass into a scratch buffer, then vertical.
 */
export function resizePlanes(src: Float32Array, sw: number, sh: number, channels: number, dw: number, dh: number, out: Float32Array): void {
  if (src.length < channels * sw * sh || out.length < channels * dw * dh) throw new RangeError('resizePlanes: buffer too small');
  const hx = axisTaps(sw, dw), vy = axisTaps(sh, dh);
  const tmp = new Float32Array(dw * sh);
  for (let c = 0; c < channels; c++) {
    const sp = c * sw * sh, op = c * dw * dh;
    for (let y = 0; y < sh; y++) {
      const row = sp + y * sw, trow = y * dw;
      for (let x = 0; x < dw; x++) {
        const b = x * hx.maxTaps, f = hx.first[x]!, n = hx.count[x]!;
        let acc = 0;
        for (let k = 0; k < n; k++) {
          let j = f + k;
          j = j < 0 ? 0 : j >= sw ? sw - 1 : j;
          acc += src[row + j]! * hx.weights[b + k]!;
        }
        tmp[trow + x] = acc;
      }
    }
    for (let y = 0; y < dh; y++) {
      const b = y * vy.maxTaps, f = vy.first[y]!, n = vy.count[y]!, orow = op + y * dw;
      for (let x = 0; x < dw; x++) out[orow + x] = 0;
      for (let k = 0; k < n; k++) {
        let j = f + k;
        j = j < 0 ? 0 : j >= sh ? sh - 1 : j;
        const w = vy.weights[b + k]!, trow = j * dw;
        for (let x = 0; x < dw; x++) out[orow + x]! += tmp[trow + x]! * w;
      }
    }
  }
}

/** Copy `rect` of `img` into 3 planar float planes (R, G, B; values 0..255). */
export function rgbPlanes(img: RgbaImage, rect: Rect): Float32Array {
  const n = rect.width * rect.height, out = new Float32Array(3 * n);
  for (let y = 0; y < rect.height; y++) {
    const srow = ((rect.top + y) * img.width + rect.left) * 4, drow = y * rect.width;
    for (let x = 0; x < rect.width; x++) {
      const s = srow + x * 4, d = drow + x;
      out[d] = img.data[s]!;
      out[n + d] = img.data[s + 1]!;
      out[2 * n + d] = img.data[s + 2]!;
    }
  }
  return out;
}

/** Copy `rect` of a mask into one float plane scaled to 0..1. */
export function maskPlane(mask: Mask, rect: Rect): Float32Array {
  const out = new Float32Array(rect.width * rect.height);
  for (let y = 0; y < rect.height; y++) {
    const srow = (rect.top + y) * mask.width + rect.left, drow = y * rect.width;
    for (let x = 0; x < rect.width; x++) out[drow + x] = mask.data[srow + x]! / 255;
  }
  return out;
}

/**
 * Compositing weights inside `rect` (0..1, rect-sized): 1 where `hole > 0`, then a linear
 * fall-off over a `band`-pixel seam band outside it (3-4 chamfer distance, Borgefors 1986),
 * 0 beyond. Only pixels with weight > 0 may change.
 */
export function holeBandWeights(hole: Mask, rect: Rect, band: number): Float32Array {
  const w = rect.width, h = rect.height, n = w * h, INF = 1 << 28;
  const d = new Int32Array(n);
  for (let y = 0; y < h; y++) {
    const srow = (rect.top + y) * hole.width + rect.left;
    for (let x = 0; x < w; x++) d[y * w + x] = hole.data[srow + x]! > 0 ? 0 : INF;
  }
  chamfer34(d, w, h);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const dist = d[i]! / 3;
    out[i] = dist === 0 ? 1 : dist <= band ? 1 - dist / (band + 1) : 0;
  }
  return out;
}

/**
 * Blend planar RGB `planes` (rect-sized, values 0..255) into `img` at `rect` with `weights`;
 * pixels with weight 0 are not written. Hole pixels (weight 1) become opaque.
 */
export function compositePlanes(img: RgbaImage, rect: Rect, planes: Float32Array, weights: Float32Array): void {
  const n = rect.width * rect.height;
  for (let y = 0; y < rect.height; y++) {
    const drow = ((rect.top + y) * img.width + rect.left) * 4, srow = y * rect.width;
    for (let x = 0; x < rect.width; x++) {
      const s = srow + x, a = weights[s]!;
      if (a <= 0) continue;
      const d = drow + x * 4;
      for (let c = 0; c < 3; c++) img.data[d + c] = Math.round(planes[c * n + s]! * a + img.data[d + c]! * (1 - a));
      if (a >= 1) img.data[d + 3] = 255;
    }
  }
}
