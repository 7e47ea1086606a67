/**
 * Geometry shared by every host and the bridge: points, rectangles and soft masks in
 * document pixels. Pure functions on plain data; no DOM, no Node.
 */

/** A point `[x, y]` in document pixels (x right, y down, origin top-left). */
export type Point = [number, number];

/** An axis-aligned rectangle in document pixels; `left/top` inclusive, `width/height` ≥ 0. */
export interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * A soft mask positioned in the document: `data[y*width+x]` is coverage 0..255 of document
 * pixel `(left+x, top+y)`. Pixels outside the rectangle have coverage 0.
 */
export interface PlacedMask {
  left: number;
  top: number;
  width: number;
  height: number;
  data: Uint8Array;
}

/** RGBA8 pixels (straight alpha) placed in the document, e.g. a result layer as a host adds it. */
export interface PlacedPixels {
  left: number;
  top: number;
  width: number;
  height: number;
  data: Uint8Array | Uint8ClampedArray;
}

/** Smallest integer rectangle containing all points (pixel-centre convention, inclusive). */
export function boundsOfPoints(points: readonly Point[]): Rect {
  if (points.length === 0) return { left: 0, top: 0, width: 0, height: 0 };
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const [x, y] of points) {
    if (x < x0) x0 = x;
    if (y < y0) y0 = y;
    if (x > x1) x1 = x;
    if (y > y1) y1 = y;
  }
  const left = Math.floor(x0), top = Math.floor(y0);
  return { left, top, width: Math.ceil(x1) - left + 1, height: Math.ceil(y1) - top + 1 };
}

/** Union of rectangles; empty rectangles are ignored. */
export function unionRect(a: Rect, b: Rect): Rect {
  if (a.width <= 0 || a.height <= 0) return { ...b };
  if (b.width <= 0 || b.height <= 0) return { ...a };
  const left = Math.min(a.left, b.left), top = Math.min(a.top, b.top);
  const right = Math.max(a.left + a.width, b.left + b.width);
  const bottom = Math.max(a.top + a.height, b.top + b.height);
  return { left, top, width: right - left, height: bottom - top };
}

/** Intersection of rectangles (width/height 0 when disjoint). */
export function intersectRect(a: Rect, b: Rect): Rect {
  const left = Math.max(a.left, b.left), top = Math.max(a.top, b.top);
  const right = Math.min(a.left + a.width, b.left + b.width);
  const bottom = Math.min(a.top + a.height, b.top + b.height);
  return { left, top, width: Math.max(0, right - left), height: Math.max(0, bottom - top) };
}

/** Grow a rectangle by `margin` on every side, then clip it to `[0,w)×[0,h)`. */
export function expandRect(r: Rect, margin: number, w: number, h: number): Rect {
  return intersectRect(
    { left: r.left - margin, top: r.top - margin, width: r.width + 2 * margin, height: r.height + 2 * margin },
    { left: 0, top: 0, width: w, height: h },
  );
}

/**
 * Rasterise a closed polygon into a soft mask with `samples`² sub-samples per pixel
 * (even-odd rule). Coverage is measured at pixel centres `(x+0.5, y+0.5)`-relative sub-grid, so
 * a polygon with integer vertices covers the pixels whose centres lie inside it.
 */
export function rasterizePolygon(polygon: readonly Point[], samples = 4): PlacedMask {
  const b = boundsOfPoints(polygon);
  const left = b.left - 1, top = b.top - 1, width = b.width + 2, height = b.height + 2;
  const data = new Uint8Array(width * height);
  const n = polygon.length;
  if (n < 3) return { left, top, width, height, data };
  const acc = new Float32Array(width);
  const xs: number[] = [];
  const step = 1 / samples;
  for (let y = 0; y < height; y++) {
    acc.fill(0);
    for (let sy = 0; sy < samples; sy++) {
      // Scanline through the sub-sample row; polygon vertices are pixel centres, so pixel (x,y)
      // spans [x-0.5, x+0.5] in vertex coordinates.
      const py = top + y - 0.5 + (sy + 0.5) * step;
      xs.length = 0;
      for (let i = 0, j = n - 1; i < n; j = i++) {
        const [xi, yi] = polygon[i]!;
        const [xj, yj] = polygon[j]!;
        if ((yi > py) !== (yj > py)) xs.push(xi + ((py - yi) / (yj - yi)) * (xj - xi));
      }
      xs.sort((a, c) => a - c);
      for (let k = 0; k + 1 < xs.length; k += 2) {
        const xa = xs[k]!, xb = xs[k + 1]!;
        for (let sx = 0; sx < samples; sx++) {
          const off = -0.5 + (sx + 0.5) * step;
          // sub-sample columns px = left + x + off inside [xa, xb)
          const x0 = Math.max(0, Math.ceil(xa - off - left));
          const x1 = Math.min(width - 1, Math.ceil(xb - off - left) - 1);
          for (let x = x0; x <= x1; x++) acc[x]! += 1;
        }
      }
    }
    const norm = 255 / (samples * samples);
    const row = y * width;
    for (let x = 0; x < width; x++) data[row + x] = Math.round(acc[x]! * norm);
  }
  return { left, top, width, height, data };
}

/** Coverage (0..255) of document pixel `(x, y)` in a placed mask. */
export function maskAt(m: PlacedMask, x: number, y: number): number {
  const lx = x - m.left, ly = y - m.top;
  if (lx < 0 || ly < 0 || lx >= m.width || ly >= m.height) return 0;
  return m.data[ly * m.width + lx]!;
}

/**
 * Bounding rectangle of the pixels of a placed mask with coverage ≥ `minCoverage` (default 1: every
 * non-zero pixel; 128: the solid part), in document pixels; an empty rect (width 0) when none. The
 * one mask-bounds kernel: a crop-sized mask is `{ ...mask, left: 0, top: 0 }`.
 */
export function maskBounds(m: PlacedMask, minCoverage = 1): Rect {
  // Rows from the top and from the bottom up to the first row with coverage; the rows between
  // them are non-empty by then, so each is only searched outside the columns found so far (for
  // a compact shape that is a few pixels per row, not the whole row). Same result as a full scan.
  const w = m.width, h = m.height, d = m.data;
  const firstIn = (row: number, from: number, to: number): number => {
    for (let x = from; x < to; x++) if (d[row + x]! >= minCoverage) return x;
    return -1;
  };
  const lastIn = (row: number, from: number, to: number): number => {
    for (let x = to - 1; x >= from; x--) if (d[row + x]! >= minCoverage) return x;
    return -1;
  };
  let y0 = 0, x0 = -1;
  for (; y0 < h; y0++) { x0 = firstIn(y0 * w, 0, w); if (x0 >= 0) break; }
  if (y0 === h) return { left: m.left, top: m.top, width: 0, height: 0 };
  let x1 = lastIn(y0 * w, x0, w);
  let y1 = h - 1;
  for (; y1 > y0; y1--) {
    const row = y1 * w;
    const a = firstIn(row, 0, w);
    if (a < 0) continue;
    if (a < x0) x0 = a;
    const b = lastIn(row, a, w);
    if (b > x1) x1 = b;
    break;
  }
  for (let y = y0 + 1; y < y1; y++) {
    const row = y * w;
    if (x0 > 0) { const a = firstIn(row, 0, x0); if (a >= 0) x0 = a; }
    if (x1 < w - 1) { const b = lastIn(row, x1 + 1, w); if (b >= 0) x1 = b; }
  }
  return { left: m.left + x0, top: m.top + y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

/** Area-weighted centroid of a placed mask in document pixels, or null if empty. */
export function maskCentroid(m: PlacedMask): Point | null {
  let sx = 0, sy = 0, sw = 0;
  for (let y = 0; y < m.height; y++) {
    const row = y * m.width;
    for (let x = 0; x < m.width; x++) {
      const w = m.data[row + x]!;
      if (w > 0) { sx += w * x; sy += w * y; sw += w; }
    }
  }
  if (sw === 0) return null;
  return [m.left + sx / sw, m.top + sy / sw];
}

/**
 * Label the 8-connected components of the pixels of a `width`×`height` gray8 mask whose value is
 * at least `threshold` (default 1: every non-zero pixel). Labels start at 1 in scan order; 0 is
 * background. Breadth-first flood fill with one explicit queue (no recursion); `sizes[k]` is the
 * pixel count of component k (`sizes[0]` = 0).
 */
export function labelComponents(data: Uint8Array, width: number, height: number, threshold = 1): { labels: Int32Array; count: number; sizes: number[] } {
  const n = width * height;
  if (data.length !== n) throw new RangeError(`mask data has ${data.length} bytes, expected ${n}`);
  const labels = new Int32Array(n);
  const queue = new Int32Array(n);
  const sizes: number[] = [0];
  let count = 0;
  for (let s = 0; s < n; s++) {
    if (labels[s] !== 0 || data[s]! < threshold) continue;
    const label = ++count;
    let head = 0, tail = 0;
    queue[tail++] = s;
    labels[s] = label;
    while (head < tail) {
      const p = queue[head++]!;
      const x = p % width, y = (p - x) / width;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= width) continue;
          const q = yy * width + xx;
          if (labels[q] === 0 && data[q]! >= threshold) { labels[q] = label; queue[tail++] = q; }
        }
      }
    }
    sizes.push(tail);
  }
  return { labels, count, sizes };
}

/**
 * Composite a placed straight-alpha layer over straight-alpha pixels, in place (Porter-Duff
 * source-over, the "normal" blend every host applies to a new layer). Opaque layer pixels are
 * copied exactly; transparent ones leave `dst` as it was. The one compositing kernel of the
 * project (hosts, CLI outputs and the bench all show results through it).
 */
export function compositeOver(dst: { width: number; height: number; data: Uint8Array | Uint8ClampedArray }, layer: PlacedPixels): void {
  const o = dst.data, l = layer.data;
  const x0 = Math.max(0, layer.left), x1 = Math.min(dst.width, layer.left + layer.width);
  const y0 = Math.max(0, layer.top), y1 = Math.min(dst.height, layer.top + layer.height);
  for (let y = y0; y < y1; y++) {
    const lrow = (y - layer.top) * layer.width - layer.left;
    const orow = y * dst.width;
    for (let x = x0; x < x1; x++) {
      const li = (lrow + x) * 4;
      const sa = l[li + 3]!;
      if (sa === 0) continue;
      const oi = (orow + x) * 4;
      if (sa === 255) {
        o[oi] = l[li]!; o[oi + 1] = l[li + 1]!; o[oi + 2] = l[li + 2]!; o[oi + 3] = 255;
        continue;
      }
      const as = sa / 255, ad = o[oi + 3]! / 255;
      const ao = as + ad * (1 - as);
      for (let c = 0; c < 3; c++) o[oi + c] = Math.round((l[li + c]! * as + o[oi + c]! * ad * (1 - as)) / ao);
      o[oi + 3] = Math.round(ao * 255);
    }
  }
}
