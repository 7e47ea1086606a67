/**
 * Tiny raster drawing for contact sheets: anti-aliased thick segments, filled triangles
 * (arrowheads), discs, a 3×5 digit font and a box-filter downscale. Everything draws in place on
 * an RGBA8 image and clips to it.
 */
import { createImage } from '../core/image';
import type { Point, RgbaImage } from '../core/types';

/** An opaque RGB colour. */
export type Rgb = readonly [number, number, number];

/** Colours used on sheets, as `as const` tuples. */
export const COLORS = {
  handle: [230, 40, 40],
  target: [40, 90, 240],
  arrow: [255, 255, 255],
  outline: [0, 0, 0],
  anchor: [250, 210, 30],
  label: [255, 255, 255],
  labelBg: [0, 0, 0],
} as const;

/** Blend `rgb` over pixel (x, y) with opacity `a` in [0, 1]. */
function plot(img: RgbaImage, x: number, y: number, rgb: Rgb, a: number): void {
  if (x < 0 || y < 0 || x >= img.width || y >= img.height || a <= 0) return;
  const i = (y * img.width + x) * 4, d = img.data;
  const k = Math.min(1, a);
  d[i] = rgb[0] * k + d[i]! * (1 - k);
  d[i + 1] = rgb[1] * k + d[i + 1]! * (1 - k);
  d[i + 2] = rgb[2] * k + d[i + 2]! * (1 - k);
  d[i + 3] = Math.max(d[i + 3]!, Math.round(255 * k));
}

/**
 * Draw the segment p→q with the given full `width` in pixels, anti-aliased by a one-pixel ramp of
 * the distance from each pixel centre to the segment.
 */
export function drawSegment(img: RgbaImage, p: Point, q: Point, width: number, rgb: Rgb): void {
  const hw = width / 2;
  const x0 = Math.max(0, Math.floor(Math.min(p[0], q[0]) - hw - 1)), x1 = Math.min(img.width - 1, Math.ceil(Math.max(p[0], q[0]) + hw + 1));
  const y0 = Math.max(0, Math.floor(Math.min(p[1], q[1]) - hw - 1)), y1 = Math.min(img.height - 1, Math.ceil(Math.max(p[1], q[1]) + hw + 1));
  const vx = q[0] - p[0], vy = q[1] - p[1];
  const len2 = vx * vx + vy * vy;
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const wx = x - p[0], wy = y - p[1];
      const t = len2 > 0 ? Math.min(1, Math.max(0, (wx * vx + wy * vy) / len2)) : 0;
      const dx = wx - t * vx, dy = wy - t * vy;
      plot(img, x, y, rgb, hw + 0.5 - Math.sqrt(dx * dx + dy * dy));
    }
  }
}

/** Fill the triangle a, b, c (pixel centres inside it, edge test without anti-aliasing). */
export function fillTriangle(img: RgbaImage, a: Point, b: Point, c: Point, rgb: Rgb): void {
  const x0 = Math.max(0, Math.floor(Math.min(a[0], b[0], c[0]))), x1 = Math.min(img.width - 1, Math.ceil(Math.max(a[0], b[0], c[0])));
  const y0 = Math.max(0, Math.floor(Math.min(a[1], b[1], c[1]))), y1 = Math.min(img.height - 1, Math.ceil(Math.max(a[1], b[1], c[1])));
  const area = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
  if (area === 0) return;
  const s = area > 0 ? 1 : -1;
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const e0 = ((b[0] - a[0]) * (y - a[1]) - (b[1] - a[1]) * (x - a[0])) * s;
      const e1 = ((c[0] - b[0]) * (y - b[1]) - (c[1] - b[1]) * (x - b[0])) * s;
      const e2 = ((a[0] - c[0]) * (y - c[1]) - (a[1] - c[1]) * (x - c[0])) * s;
      if (e0 >= 0 && e1 >= 0 && e2 >= 0) plot(img, x, y, rgb, 1);
    }
  }
}

/** Filled anti-aliased disc of `radius` at `c`. */
export function fillDisc(img: RgbaImage, c: Point, radius: number, rgb: Rgb): void {
  const x0 = Math.max(0, Math.floor(c[0] - radius - 1)), x1 = Math.min(img.width - 1, Math.ceil(c[0] + radius + 1));
  const y0 = Math.max(0, Math.floor(c[1] - radius - 1)), y1 = Math.min(img.height - 1, Math.ceil(c[1] + radius + 1));
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) plot(img, x, y, rgb, radius + 0.5 - Math.hypot(x - c[0], y - c[1]));
  }
}

/**
 * Draw a drag arrow along the polyline `points` (handle first, target last): a dark-outlined
 * white shaft, a filled arrowhead at the target, a red dot on the handle and a blue dot on the
 * target. A single point draws an anchor (yellow dot).
 */
export function drawArrow(img: RgbaImage, points: readonly Point[], scale = 1): void {
  const w = Math.max(1.5, 2 * scale);
  if (points.length === 1 || (points.length === 2 && points[0]![0] === points[1]![0] && points[0]![1] === points[1]![1])) {
    fillDisc(img, points[0]!, w * 2 + 1, COLORS.outline);
    fillDisc(img, points[0]!, w * 2, COLORS.anchor);
    return;
  }
  const last = points[points.length - 1]!, prev = points[points.length - 2]!;
  const vx = last[0] - prev[0], vy = last[1] - prev[1];
  const len = Math.hypot(vx, vy) || 1;
  const ux = vx / len, uy = vy / len;
  const head = Math.min(len * 0.8, 5 * w);
  const base: Point = [last[0] - ux * head, last[1] - uy * head];
  const l: Point = [base[0] - uy * head * 0.5, base[1] + ux * head * 0.5];
  const r: Point = [base[0] + uy * head * 0.5, base[1] - ux * head * 0.5];
  for (const [pass, width, col] of [[0, w + 2, COLORS.outline], [1, w, COLORS.arrow]] as const) {
    for (let i = 0; i + 1 < points.length; i++) {
      const q = i + 2 === points.length ? base : points[i + 1]!;
      drawSegment(img, points[i]!, q, width, col);
    }
    if (pass === 1) fillTriangle(img, last, l, r, COLORS.arrow);
  }
  fillDisc(img, points[0]!, w * 1.5, COLORS.handle);
  fillDisc(img, last, w * 1.2, COLORS.target);
}

const DIGITS = [
  '111101101101111', '010110010010111', '111001111100111', '111001111001111', '101101111001001',
  '111100111001111', '111100111101111', '111001001001001', '111101111101111', '111101111001111',
] as const;

/** Write a non-negative integer at (x, y) with a 3×5 pixel font scaled by `scale`, on a dark box. */
export function drawNumber(img: RgbaImage, n: number, x: number, y: number, scale = 2): void {
  const s = String(Math.max(0, Math.floor(n)));
  const bw = s.length * 4 * scale + scale, bh = 7 * scale;
  for (let yy = 0; yy < bh; yy++) for (let xx = 0; xx < bw; xx++) plot(img, x + xx, y + yy, COLORS.labelBg, 0.75);
  for (let k = 0; k < s.length; k++) {
    const glyph = DIGITS[s.charCodeAt(k) - 48]!;
    for (let gy = 0; gy < 5; gy++) {
      for (let gx = 0; gx < 3; gx++) {
        if (glyph[gy * 3 + gx] !== '1') continue;
        for (let sy = 0; sy < scale; sy++) {
          for (let sx = 0; sx < scale; sx++) plot(img, x + scale + k * 4 * scale + gx * scale + sx, y + scale + gy * scale + sy, COLORS.label, 1);
        }
      }
    }
  }
}

/**
 * Downscale (or copy) `src` so that its longer side is at most `maxSide`, averaging the source
 * pixels each destination pixel covers (box filter, fractional coverage at the edges ignored).
 */
export function downscale(src: RgbaImage, maxSide: number): RgbaImage {
  const f = Math.max(1, Math.max(src.width, src.height) / maxSide);
  const w = Math.max(1, Math.round(src.width / f)), h = Math.max(1, Math.round(src.height / f));
  const out = createImage(w, h);
  const s = src.data, o = out.data;
  for (let y = 0; y < h; y++) {
    const sy0 = Math.floor((y * src.height) / h), sy1 = Math.max(sy0 + 1, Math.floor(((y + 1) * src.height) / h));
    for (let x = 0; x < w; x++) {
      const sx0 = Math.floor((x * src.width) / w), sx1 = Math.max(sx0 + 1, Math.floor(((x + 1) * src.width) / w));
      let r = 0, g = 0, b = 0, a = 0, n = 0;
      for (let yy = sy0; yy < sy1; yy++) {
        let i = (yy * src.width + sx0) * 4;
        for (let xx = sx0; xx < sx1; xx++, i += 4) { r += s[i]!; g += s[i + 1]!; b += s[i + 2]!; a += s[i + 3]!; n++; }
      }
      const oi = (y * w + x) * 4;
      o[oi] = r / n; o[oi + 1] = g / n; o[oi + 2] = b / n; o[oi + 3] = a / n;
    }
  }
  return out;
}
