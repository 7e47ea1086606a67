/** Allocation helpers and small whole-image operations on the core's plain data types. */
import type { Mask, PlacedMask, Rect, RgbaImage } from './types';
import type { Scratch } from './fill/scratch';

/** A zeroed image; `shared`: on a SharedArrayBuffer (for row-parallel passes, core/parallel). */
export function createImage(width: number, height: number, shared = false): RgbaImage {
  const n = width * height * 4;
  return { width, height, data: shared ? new Uint8ClampedArray(new SharedArrayBuffer(n)) : new Uint8ClampedArray(n) };
}

/**
 * A zeroed mask; `shared`: on a SharedArrayBuffer (for row-parallel passes, core/parallel);
 * otherwise, with `scratch`, on an array taken from it.
 */
export function createMask(width: number, height: number, shared = false, scratch?: Scratch): Mask {
  if (scratch && !shared) return { width, height, data: scratch.u8(width * height) };
  const n = width * height;
  return { width, height, data: shared ? new Uint8Array(new SharedArrayBuffer(n)) : new Uint8Array(n) };
}

export function cloneImage(img: RgbaImage): RgbaImage {
  return { width: img.width, height: img.height, data: new Uint8ClampedArray(img.data) };
}

/**
 * Copy `rect` (must lie inside the image) out of `img`, row by row (`shared`: see createImage).
 * With `scratch` (and not shared) the pixels are on an array taken from it.
 */
export function cropImage(img: RgbaImage, rect: Rect, shared = false, scratch?: Scratch): RgbaImage {
  const out = scratch && !shared ? { width: rect.width, height: rect.height, data: scratch.u8c(rect.width * rect.height * 4) } : createImage(rect.width, rect.height, shared);
  const rowBytes = rect.width * 4;
  for (let y = 0; y < rect.height; y++) {
    const src = ((rect.top + y) * img.width + rect.left) * 4;
    out.data.set(img.data.subarray(src, src + rowBytes), y * rowBytes);
  }
  return out;
}

/** Write `patch` into `img` at (left, top); the patch must lie inside the image. */
export function pasteImage(img: RgbaImage, patch: RgbaImage, left: number, top: number): void {
  const rowBytes = patch.width * 4;
  for (let y = 0; y < patch.height; y++) {
    const dst = ((top + y) * img.width + left) * 4;
    img.data.set(patch.data.subarray(y * rowBytes, (y + 1) * rowBytes), dst);
  }
}

/**
 * Render a placed (document) mask into a crop-sized mask for `crop`, combining with `max` into
 * `out` when given (so several regions union without allocation).
 */
export function placedMaskToCrop(m: PlacedMask, crop: Rect, out?: Mask): Mask {
  const dst = out ?? createMask(crop.width, crop.height);
  const x0 = Math.max(m.left, crop.left), x1 = Math.min(m.left + m.width, crop.left + crop.width);
  const y0 = Math.max(m.top, crop.top), y1 = Math.min(m.top + m.height, crop.top + crop.height);
  for (let y = y0; y < y1; y++) {
    const srow = (y - m.top) * m.width - m.left;
    const drow = (y - crop.top) * crop.width - crop.left;
    for (let x = x0; x < x1; x++) {
      const v = m.data[srow + x]!;
      if (v > dst.data[drow + x]!) dst.data[drow + x] = v;
    }
  }
  return dst;
}

/** The union of placed masks (a request's regions) over `rect`, as a rect-sized mask. */
export function unionOver(masks: readonly PlacedMask[], rect: Rect): Mask {
  const m = createMask(rect.width, rect.height);
  for (const pm of masks) placedMaskToCrop(pm, rect, m);
  return m;
}

/** Count of pixels whose RGBA differs between two equal-sized images. */
export function countChangedPixels(a: RgbaImage, b: RgbaImage): number {
  if (a.width !== b.width || a.height !== b.height) throw new RangeError('image sizes differ');
  let n = 0;
  const da = a.data, db = b.data;
  for (let i = 0; i < da.length; i += 4) {
    if (da[i] !== db[i] || da[i + 1] !== db[i + 1] || da[i + 2] !== db[i + 2] || da[i + 3] !== db[i + 3]) n++;
  }
  return n;
}
