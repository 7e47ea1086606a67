/**
 * Test oracle of {@link splitMask} (mask-split.ts): the implementation it replaced, kept unchanged
 * (only renamed) as the reference the faster one is tested against — the same parts, byte for
 * byte. Its fringe flood found its seeds by walking every pixel of the selection's box again
 * (after a pass counting the fringe, and before a pass for the parts' bounds); splitMask now
 * collects the fringe while it takes the bounds and floods from that list. Test-only: the
 * product never runs it (`node plugin-photoshop/scripts/bench-mask-split.js` times both).
 */
import { labelComponents, type PlacedMask } from '@smartdrag/shared';
import type { SplitOptions } from './mask-split';

/**
 * Split `mask` into connected parts, each cropped to its own bounds. Parts are ordered by the
 * top-most, then left-most pixel of their core (reading order), so ids derived from the order are
 * stable.
 */
export function splitMaskReference(mask: PlacedMask, opts: SplitOptions = {}): PlacedMask[] {
  const { width: w, height: h, data } = mask;
  const n = w * h;
  if (data.length !== n) throw new RangeError(`mask data has ${data.length} bytes, expected ${n}`);
  let max = 0, min = 255;
  for (let i = 0; i < n; i++) {
    const v = data[i]!;
    if (v > max) max = v;
    if (v < min) min = v;
  }
  if (max === 0) return [];
  const thr = Math.max(1, Math.min(opts.coreThreshold ?? 128, Math.ceil(max / 2)));
  const minPixels = opts.minPixels ?? 16;
  // Every pixel in the core (a rectangular marquee, Select All): one part, the whole mask — no
  // labelling (seconds of pure JS on a 50 MP selection).
  if (min >= thr) return n >= minPixels ? [{ left: mask.left, top: mask.top, width: w, height: h, data: data.slice() }] : [];

  // 1. Label cores (8-connected), 0 = none, k = part k (1-based).
  const { labels, count: next, sizes: coreSize } = labelComponents(data, w, h, thr);

  // 2. Give the soft fringe to the nearest core: a breadth-first flood through fringe pixels from
  // every core at once. Only the core pixels next to fringe can label anything, so only they seed
  // the flood (in raster order, as a flood seeded with every core pixel would take them): on a
  // 50 MP selection the flood touched every selected pixel twice and held a 200 MB queue; now it
  // costs a pass counting the fringe and the fringe itself (none on a hard-edged selection).
  let fringe = 0;
  for (let p = 0; p < n; p++) if (labels[p] === 0 && data[p]! > 0) fringe++;
  if (fringe > 0) floodFringeReference(data, labels, w, h, fringe);

  // 3. Bounds per part, then crop.
  const x0 = new Int32Array(next + 1).fill(w), y0 = new Int32Array(next + 1).fill(h);
  const x1 = new Int32Array(next + 1).fill(-1), y1 = new Int32Array(next + 1).fill(-1);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      const l = labels[row + x]!;
      if (l === 0) continue;
      if (x < x0[l]!) x0[l] = x;
      if (x > x1[l]!) x1[l] = x;
      if (y < y0[l]!) y0[l] = y;
      if (y > y1[l]!) y1[l] = y;
    }
  }
  const parts: PlacedMask[] = [];
  // Labels were assigned in raster order of their first core pixel, i.e. reading order.
  for (let l = 1; l <= next; l++) {
    if (coreSize[l]! < minPixels) continue;
    const pw = x1[l]! - x0[l]! + 1, ph = y1[l]! - y0[l]! + 1;
    const out = new Uint8Array(pw * ph);
    for (let y = 0; y < ph; y++) {
      const srcRow = (y0[l]! + y) * w + x0[l]!, dstRow = y * pw;
      for (let x = 0; x < pw; x++) if (labels[srcRow + x] === l) out[dstRow + x] = data[srcRow + x]!;
    }
    parts.push({ left: mask.left + x0[l]!, top: mask.top + y0[l]!, width: pw, height: ph, data: out });
  }
  return parts;
}

/**
 * Label the fringe (unlabelled pixels with coverage > 0) with the label of the nearest core
 * (multi-source BFS, 8-connected), in place. `fringe`: how many fringe pixels there are. Seeds are
 * the core pixels with a fringe neighbour, sorted by index, so the flood visits pixels in the same
 * order as one seeded with every core pixel in raster order (core pixels without fringe
 * neighbours add nothing to it).
 */
function floodFringeReference(data: Uint8Array, labels: Int32Array, w: number, h: number, fringe: number): void {
  // Each fringe pixel marks its core neighbours (label made negative once, so each is taken once).
  const seeds: number[] = [];
  for (let p = 0, n = w * h; p < n; p++) {
    if (labels[p] !== 0 || data[p]! === 0) continue;
    const x = p % w, y = (p - x) / w;
    for (let dy = -1; dy <= 1; dy++) {
      const yy = y + dy;
      if (yy < 0 || yy >= h) continue;
      for (let dx = -1; dx <= 1; dx++) {
        const xx = x + dx;
        if (xx < 0 || xx >= w) continue;
        const q = yy * w + xx;
        if (labels[q]! > 0) { labels[q] = -labels[q]!; seeds.push(q); }
      }
    }
  }
  seeds.sort((a, b) => a - b);
  const queue = new Int32Array(seeds.length + fringe);
  let head = 0, tail = 0;
  for (const q of seeds) { labels[q] = -labels[q]!; queue[tail++] = q; }
  while (head < tail) {
    const p = queue[head++]!;
    const label = labels[p]!;
    const x = p % w, y = (p - x) / w;
    for (let dy = -1; dy <= 1; dy++) {
      const yy = y + dy;
      if (yy < 0 || yy >= h) continue;
      for (let dx = -1; dx <= 1; dx++) {
        const xx = x + dx;
        if (xx < 0 || xx >= w) continue;
        const q = yy * w + xx;
        if (labels[q] === 0 && data[q]! > 0) { labels[q] = label; queue[tail++] = q; }
      }
    }
  }
}
