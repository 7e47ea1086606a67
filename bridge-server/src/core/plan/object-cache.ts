/**
 * The object reading of a selection (is it tight? which object is inside it?) depends only on
 * the selection, the image pixels around it, the drags' handles and the quality — not on where
 * the arrows end. While a person drags an arrow the panel sends a preview for every few pixels of
 * movement with the same selection and image, so the reading of the first preview is kept and
 * reused (on a 1024² document with a ~15% selection it is most of the plan stage).
 *
 * The key is the CONTENT, not object identity (every bridge job arrives in fresh buffers): the
 * image size, the selection's placement and a 128-bit hash of its pixels, a 128-bit hash of the
 * image pixels the reading can look at (the selection's rectangle grown by the segmentation's
 * margin and the edge test's reach), the handles and the quality. Any change of the image there or
 * of the selection is a different key; the hash is seeded per process, so a client cannot craft
 * a collision with another client's job. A few readings are kept (least recently used first out).
 */
import type { PlacedMask, Point, RgbaImage } from '../types';
import { segmentObject, type ObjectSegmentation, type SegmentOptions } from '../segment/grabcut';
import { selectionFit, type SelectionFit } from './selection-fit';
import { castShadow, castShadowMargin, type CastShadow } from './cast-shadow';
import { imageRectHash, maskHash } from '../content-hash';
import { setPatchCache } from '../resample';

export { maskHash } from '../content-hash';

/** What {@link readObject} returns: the edge test and, for a loose selection, the segmentation. */
export interface ObjectReadingEntry {
  fit: SelectionFit;
  seg?: ObjectSegmentation;
}

const MAX_ENTRIES = 4;
const entries: { key: string; value: ObjectReadingEntry }[] = [];
let enabled = process.env.SMARTDRAG_OBJECT_CACHE !== '0';
let hits = 0, misses = 0;

/** Turn the cache on or off (benchmarks measure cold readings with it off); off also empties it. */
export function setObjectCache(on: boolean): void {
  enabled = on;
  if (!on) { entries.length = 0; fits.length = 0; shadows.length = 0; }
  setPatchCache(on);
}

/** Whether the content-keyed plan caches (this one and region shapes) are on. */
export function objectCacheEnabled(): boolean {
  return enabled;
}

/** Empty the cache. */
export function clearObjectCache(): void {
  entries.length = 0;
  fits.length = 0;
  shadows.length = 0;
}

/** Hits and misses since the process started (tests). */
export function objectCacheStats(): { hits: number; misses: number; size: number } {
  return { hits, misses, size: entries.length };
}

/** How far outside the selection's rectangle a reading may look (segmentation margin, edge test reach). */
function reach(mask: PlacedMask): number {
  return Math.max(16, 8 + Math.ceil(0.1 * Math.max(mask.width, mask.height)));
}

/** The pixels a reading of `mask` looks at (its rectangle grown by `g`): size, the selection's hash and its image area's hash. */
function contentKey(image: RgbaImage, mask: PlacedMask, g = reach(mask)): string {
  const l = Math.max(0, mask.left - g), t = Math.max(0, mask.top - g);
  const r = Math.min(image.width, mask.left + mask.width + g), b = Math.min(image.height, mask.top + mask.height + g);
  return [image.width, image.height, maskHash(mask), imageRectHash(image, l, t, r, b)].join('|');
}

/** `compute()` through a small most-recently-used list keyed by `key` (counted in the stats); a compute that throws (a cancel) keeps nothing. */
function remembered<T>(list: Array<{ key: string; value: T }>, key: string, compute: () => T): T {
  const i = list.findIndex((e) => e.key === key);
  if (i >= 0) {
    hits++;
    const [e] = list.splice(i, 1);
    list.unshift(e!);
    return e!.value;
  }
  misses++;
  const value = compute();
  list.unshift({ key, value });
  if (list.length > MAX_ENTRIES) list.length = MAX_ENTRIES;
  return value;
}

const fits: Array<{ key: string; value: SelectionFit }> = [];
const shadows: Array<{ key: string; value: CastShadow | { why: string } }> = [];

/**
 * `castShadow` of a tight selection (plan/cast-shadow.ts), from the cache when the same selection
 * of the same pixels (as far as the shadow's reading looks) was read before: a drag's later
 * previews skip it. Shared result: read-only.
 */
export function readCastShadow(image: RgbaImage, mask: PlacedMask, signal?: AbortSignal): CastShadow | { why: string } {
  if (!enabled) return castShadow(image, mask, signal);
  // Hashing the pixels costs more than the reading itself on a large box (castShadow reads a
  // sample of them): only boxes up to a proxy's size — a drag's previews — are remembered.
  const g = castShadowMargin(mask);
  if ((mask.width + 2 * g) * (mask.height + 2 * g) > SHADOW_CACHE_MAX_PIXELS) return castShadow(image, mask, signal);
  return remembered(shadows, `shadow|${contentKey(image, mask, g)}`, () => castShadow(image, mask, signal));
}

/** Largest work box (px) whose cast-shadow reading is remembered. */
const SHADOW_CACHE_MAX_PIXELS = 2_000_000;

/**
 * `selectionFit` alone (the elastic reading's edge test), from the cache when the same selection of
 * the same pixels was tested before — a drag's later previews skip it. Shared result: read-only.
 */
export function readSelectionFit(image: RgbaImage, mask: PlacedMask, documentSide?: number, signal?: AbortSignal): SelectionFit {
  if (!enabled) return selectionFit(image, mask, documentSide, signal);
  return remembered(fits, `${contentKey(image, mask)}|${documentSide ?? ''}`, () => selectionFit(image, mask, documentSide, signal));
}

/**
 * The object reading of one selection: `selectionFit`, then (loose selections only)
 * `segmentObject` with `seg` — exactly what they return, from the cache when the same selection
 * of the same pixels was read before. The returned objects are shared: callers must not modify them.
 * `signal` is checked inside both readings (core/cancel.ts); a cancelled reading is not kept.
 */
export function readObject(image: RgbaImage, mask: PlacedMask, handles: readonly Point[], quality: string, seg: SegmentOptions, documentSide?: number, signal?: AbortSignal): ObjectReadingEntry {
  const compute = (): ObjectReadingEntry => {
    const fit = selectionFit(image, mask, documentSide, signal);
    return fit.tight ? { fit } : { fit, seg: segmentObject(image, mask, handles, seg, signal) };
  };
  if (!enabled) return compute();
  const key = [contentKey(image, mask), quality, JSON.stringify(seg), handles.map((p) => `${p[0]},${p[1]}`).join(';'), documentSide ?? ''].join('|');
  return remembered(entries, key, compute);
}
