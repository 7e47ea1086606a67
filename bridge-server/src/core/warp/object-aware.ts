/**
 * Object-aware elastic drag (issue #13): when the object inside a loose selection is known, the
 * background around it stays still where the elastic map would stretch, squeeze or shear it
 * (streaks, swirls); the object itself (and what it leaves behind) follows the map. Where the map
 * moves content as a piece (around the handles), everything follows, so fine structures the
 * object mask misses (whiskers, twigs, hair) are not left behind as ghosts.
 */
import { labelComponents } from '@smartdrag/shared';
import type { Mask, PlacedMask, Point, Rect, RgbaImage } from '../types';
import { type DeformField, sampleField } from './deform-field';

/** Distortion max(σmax, 1/σmin) of the map from which the background stays still (fully at STILL_HI). */
export const STILL_LO = 1.2;
export const STILL_HI = 1.5;

/**
 * The object part to use, or null (then the plain elastic map applies): holes of `obj` inside the
 * area are filled, only the components holding a moving handle are kept, and they must touch the
 * area's edge (attached — an object part that floats inside the area would tear off).
 */
export function attachedObject(area: PlacedMask, obj: PlacedMask, handles: readonly Point[]): PlacedMask | null {
  const w = area.width, h = area.height, n = w * h;
  if (obj.width !== w || obj.height !== h || obj.left !== area.left || obj.top !== area.top) return null;
  const ad = area.data, od = obj.data;
  const edge = (p: number): boolean => {
    const x = p % w, y = (p - x) / w;
    return x === 0 || y === 0 || x === w - 1 || y === h - 1 || ad[p - 1]! < 128 || ad[p + 1]! < 128 || ad[p - w]! < 128 || ad[p + w]! < 128;
  };
  // Background inside the area that does not reach the area's edge is a hole in the object.
  const bg = new Uint8Array(n);
  for (let p = 0; p < n; p++) if (ad[p]! >= 128 && od[p]! < 128) bg[p] = 255;
  const bl = labelComponents(bg, w, h, 128);
  const open = new Uint8Array(bl.count + 1);
  for (let p = 0; p < n; p++) if (bl.labels[p]! > 0 && edge(p)) open[bl.labels[p]!] = 1;
  const full = new Uint8Array(n);
  for (let p = 0; p < n; p++) if (ad[p]! >= 128 && (od[p]! >= 128 || (bl.labels[p]! > 0 && !open[bl.labels[p]!]))) full[p] = 255;
  const ol = labelComponents(full, w, h, 128);
  const keepLabel = new Uint8Array(ol.count + 1);
  for (const [hx, hy] of handles) {
    const x = Math.round(hx) - area.left, y = Math.round(hy) - area.top;
    if (x < 0 || y < 0 || x >= w || y >= h) return null;
    const l = ol.labels[y * w + x]!;
    if (l === 0) return null;
    keepLabel[l] = 1;
  }
  let attached = false;
  const out = new Uint8Array(n);
  for (let p = 0; p < n; p++) {
    if (!keepLabel[ol.labels[p]!] || ol.labels[p] === 0) continue;
    out[p] = 255;
    if (!attached && edge(p)) attached = true;
  }
  return attached ? { left: area.left, top: area.top, width: w, height: h, data: out } : null;
}

/**
 * Per field node: how still the background there stays (0..1), from the distortion of the
 * backward map (singular values of its Jacobian by central differences on the grid).
 */
export function stillWeights(f: DeformField): Float32Array {
  const { cols, rows, ex, ey, cell } = f;
  const out = new Float32Array(cols * rows);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const k = r * cols + c;
      const kl = c > 0 ? k - 1 : k, kr = c < cols - 1 ? k + 1 : k, ku = r > 0 ? k - cols : k, kd = r < rows - 1 ? k + cols : k;
      const hx = 1 / (((c < cols - 1 ? 1 : 0) + (c > 0 ? 1 : 0) || 1) * cell), hy = 1 / (((r < rows - 1 ? 1 : 0) + (r > 0 ? 1 : 0) || 1) * cell);
      const a = 1 + (ex[kr]! - ex[kl]!) * hx, b = (ex[kd]! - ex[ku]!) * hy;
      const cc = (ey[kr]! - ey[kl]!) * hx, d = 1 + (ey[kd]! - ey[ku]!) * hy;
      const s1 = a * a + b * b + cc * cc + d * d, det = Math.abs(a * d - b * cc);
      const q = Math.sqrt(Math.max(0, (s1 * s1) / 4 - det * det));
      const smax = Math.sqrt(s1 / 2 + q), smin = Math.sqrt(Math.max(1e-9, s1 / 2 - q));
      const t = Math.min(1, Math.max(0, (Math.max(smax, 1 / smin) - STILL_LO) / (STILL_HI - STILL_LO)));
      out[k] = t * t * (3 - 2 * t);
    }
  }
  return out;
}

/** Box-feathered weights 0..1 of a mask (radius `r`, two separable passes, edges widened ×1.5). */
function featherMask(m: PlacedMask, r: number): Float32Array {
  const w = m.width, h = m.height;
  const a = new Float32Array(w * h), b = new Float32Array(w * h);
  for (let i = 0; i < w * h; i++) a[i] = m.data[i]! / 255;
  const inv = 1 / (2 * r + 1);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let k = -r; k <= r; k++) s += a[row + Math.min(w - 1, Math.max(0, x + k))]!;
      b[row + x] = s * inv;
    }
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let k = -r; k <= r; k++) s += b[Math.min(h - 1, Math.max(0, y + k)) * w + x]!;
      a[y * w + x] = Math.min(1, s * inv * 1.5);
    }
  }
  return a;
}

/**
 * After the elastic render into `edited`: where the map distorts, a target pixel keeps its
 * original content unless it shows the object now (its source is object) or showed the object
 * before (the object left it: the content the map brings there stays). Weights are soft
 * (feathered object, smooth stillness), so no seam appears. Updates `sourceMap` where the
 * original wins.
 */
export function keepBackgroundStill(
  field: DeformField, obj: PlacedMask, bounds: Rect, crop: Rect, edited: RgbaImage, original: RgbaImage, keep: Mask, sourceMap: Float32Array | null,
): void {
  const soft = featherMask(obj, 3);
  const ow = obj.width, oh = obj.height;
  const objAt = (x: number, y: number): number => {
    const mx = x - obj.left, my = y - obj.top;
    const ix = Math.floor(mx), iy = Math.floor(my);
    if (ix < 0 || iy < 0 || ix >= ow - 1 || iy >= oh - 1) return 0;
    const fx = mx - ix, fy = my - iy, i = iy * ow + ix;
    return soft[i]! * (1 - fx) * (1 - fy) + soft[i + 1]! * fx * (1 - fy) + soft[i + ow]! * (1 - fx) * fy + soft[i + ow + 1]! * fx * fy;
  };
  const still = stillWeights(field);
  const e = new Float64Array(2);
  const ed = edited.data, od = original.data, kd = keep.data, cw = crop.width;
  const fc = field.cols, fr = field.rows, invCell = 1 / field.cell;
  const y0 = Math.max(bounds.top, crop.top), y1 = Math.min(bounds.top + bounds.height, crop.top + crop.height);
  const x0 = Math.max(bounds.left, crop.left), x1 = Math.min(bounds.left + bounds.width, crop.left + crop.width);
  for (let ty = y0; ty < y1; ty++) {
    const gy = (ty - field.top) * invCell, cy = Math.floor(gy), uy = gy - cy;
    if (cy < 0 || cy >= fr - 1) continue;
    for (let tx = x0; tx < x1; tx++) {
      const ti = (ty - crop.top) * cw + (tx - crop.left);
      if (kd[ti]! > 0) continue;
      const gx = (tx - field.left) * invCell, cx = Math.floor(gx), ux = gx - cx;
      if (cx < 0 || cx >= fc - 1) continue;
      const k = cy * fc + cx;
      const sw = still[k]! * (1 - ux) * (1 - uy) + still[k + 1]! * ux * (1 - uy) + still[k + fc]! * (1 - ux) * uy + still[k + fc + 1]! * ux * uy;
      if (sw <= 0) continue;
      sampleField(field, tx, ty, e);
      if (e[0] === 0 && e[1] === 0) continue;
      const w = 1 - (1 - Math.max(objAt(tx + e[0]!, ty + e[1]!), objAt(tx, ty))) * sw;
      if (w >= 1) continue;
      const q = ti * 4;
      for (let c = 0; c < 4; c++) ed[q + c] = Math.round(ed[q + c]! * w + od[q + c]! * (1 - w));
      if (sourceMap && w < 0.5) { sourceMap[2 * ti] = tx; sourceMap[2 * ti + 1] = ty; }
    }
  }
}
