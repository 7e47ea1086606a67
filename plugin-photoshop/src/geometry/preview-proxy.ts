/**
 * Pure helpers of the Photoshop panel's preview at display resolution (no Photoshop calls):
 *
 * - where a scaled `getPixels` read lies in the document (its `sourceBounds` are relative to the
 *   pyramid level it used, imaging.md), and how to put it on the exact proxy grid of the edit's
 *   area that job.submit `proxyOf` promises (`proxyInfoFor` of the area, same factor both axes);
 * - the preview picture flattened onto white for a JPEG `<img>` (the result layer is composited over
 *   the proxy pixels by the shared `compositeOver`).
 */
import type { ProxyInfo, Rect } from '@smartdrag/shared';
import type { ChunkyPixels, PsBounds } from './placement';

/** A rectangle in document pixels whose edges may be fractional. */
export interface DocArea {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * The document area a scaled `getPixels` read covers. imaging.md: "The returned `sourceBounds`
 * are relative to the bounds of the source cache level (not relative to the full resolution
 * bounds)", level `L` being a cache of `1/2^L` the size; so the area is `sourceBounds × 2^L`,
 * clipped to the canvas. Should a build report full-resolution bounds with a level > 0 (the docs
 * say otherwise; VERIFY on a real host), the scaled-up bounds would fall outside the requested
 * area while the bounds as given lie inside it: then the bounds are taken as given.
 */
export function readArea(got: PsBounds, level: number, requested: Rect, docW: number, docH: number): DocArea {
  const clip = (b: PsBounds): DocArea => {
    const l = Math.max(0, b.left), t = Math.max(0, b.top), r = Math.min(docW, b.right), bt = Math.min(docH, b.bottom);
    return { left: l, top: t, width: Math.max(0, r - l), height: Math.max(0, bt - t) };
  };
  const L = Number.isInteger(level) && level > 0 ? level : 0;
  if (L === 0) return clip(got);
  const k = 2 ** L;
  const up: PsBounds = { left: got.left * k, top: got.top * k, right: got.right * k, bottom: got.bottom * k };
  const within = (b: PsBounds, tol: number) => b.left >= requested.left - tol && b.top >= requested.top - tol
    && b.right <= requested.left + requested.width + tol && b.bottom <= requested.top + requested.height + tol;
  if (!within(up, k) && within(got, 0)) return clip(got);
  return clip(up);
}

/**
 * Resample pixels `src` (chunky RGB or RGBA, 8-bit) that cover the document area `area` onto the
 * proxy grid of the document rectangle `roi` (`info.width × info.height` pixels, proxy pixel `i`
 * covering document `[roi.left + i/scaleX, roi.left + (i+1)/scaleX)`): RGBA, straight alpha,
 * transparent where `src` has nothing (a trimmed read). Bilinear on premultiplied values; when
 * `src` already is that grid (the usual case) it is copied as is.
 */
export function resampleToProxy(src: ChunkyPixels, area: DocArea, roi: Rect, info: ProxyInfo): Uint8ClampedArray {
  const c = src.components;
  if (c !== 3 && c !== 4) throw new RangeError(`expected 3 or 4 components, got ${c}`);
  if (src.data.length !== src.width * src.height * c) throw new RangeError('pixel buffer size does not match its shape');
  const W = info.width, H = info.height;
  const out = new Uint8ClampedArray(W * H * 4);
  if (src.width === 0 || src.height === 0 || area.width <= 0 || area.height <= 0) return out;
  // Source coordinate (pixel-centre convention) of each proxy column / row.
  const fx = src.width / area.width, fy = src.height / area.height;
  const us = new Float64Array(W), vs = new Float64Array(H);
  for (let x = 0; x < W; x++) us[x] = (roi.left + (x + 0.5) / info.scaleX - area.left) * fx - 0.5;
  for (let y = 0; y < H; y++) vs[y] = (roi.top + (y + 0.5) / info.scaleY - area.top) * fy - 0.5;
  const d = src.data, sw = src.width, sh = src.height;
  const alpha = (i: number) => (c === 4 ? d[i * 4 + 3]! : 255);
  for (let y = 0; y < H; y++) {
    let v = vs[y]!;
    if (v < -0.5 || v > sh - 0.5) continue;
    v = Math.min(sh - 1, Math.max(0, v));
    const y0 = Math.floor(v), y1 = Math.min(sh - 1, y0 + 1), wy = v - y0;
    for (let x = 0; x < W; x++) {
      let u = us[x]!;
      if (u < -0.5 || u > sw - 0.5) continue;
      u = Math.min(sw - 1, Math.max(0, u));
      const x0 = Math.floor(u), x1 = Math.min(sw - 1, x0 + 1), wx = u - x0;
      const o = (y * W + x) * 4;
      if (wx < 1e-6 && wy < 1e-6) { // on the grid: copy
        const s = (y0 * sw + x0) * c;
        out[o] = d[s]!; out[o + 1] = d[s + 1]!; out[o + 2] = d[s + 2]!; out[o + 3] = alpha(y0 * sw + x0);
        continue;
      }
      const taps: Array<[number, number]> = [[y0 * sw + x0, (1 - wx) * (1 - wy)], [y0 * sw + x1, wx * (1 - wy)], [y1 * sw + x0, (1 - wx) * wy], [y1 * sw + x1, wx * wy]];
      let a = 0, r = 0, g = 0, b = 0;
      for (const [i, w] of taps) {
        if (w === 0) continue;
        const aw = (alpha(i) / 255) * w, s = i * c;
        a += aw; r += d[s]! * aw; g += d[s + 1]! * aw; b += d[s + 2]! * aw;
      }
      if (a <= 0) continue;
      out[o] = Math.round(r / a); out[o + 1] = Math.round(g / a); out[o + 2] = Math.round(b / a); out[o + 3] = Math.round(a * 255);
    }
  }
  return out;
}

/** An RGBA8 picture, straight alpha. */
export interface RgbaPicture {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

/**
 * RGBA → RGB matted on white, as `getPixels({applyAlpha: true})` does (imaging.md): a JPEG has no
 * alpha, and a transparent part of the layer shows as white.
 */
export function flattenOnWhite(p: RgbaPicture): Uint8Array {
  const n = p.width * p.height, out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const a = p.data[i * 4 + 3]! / 255;
    for (let k = 0; k < 3; k++) out[i * 3 + k] = Math.round(p.data[i * 4 + k]! * a + 255 * (1 - a));
  }
  return out;
}
