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
 *
 * Each sub-sample row crosses only the edges whose y range holds it (an active-edge list over the
 * edges sorted by their top), and each span between two crossings adds its sub-sample columns to
 * a row of counts as two marks per column (where it starts, past where it ends), not one per
 * pixel; a row of the mask is then filled run by run between the marks. The counts, and so the
 * mask, are those of counting every sub-sample one by one (the same crossings, the same column
 * bounds), at a cost that follows the outline, not the area: a 5000 px wide lasso on a 48 MP photo
 * closes on the page's thread in a few ms instead of half a second.
 */
export function rasterizePolygon(polygon: readonly Point[], samples = 4): PlacedMask {
  const b = boundsOfPoints(polygon);
  const left = b.left - 1, top = b.top - 1, width = b.width + 2, height = b.height + 2;
  const data = new Uint8Array(width * height);
  const n = polygon.length;
  if (n < 3) return { left, top, width, height, data };
  // Edges (i, j = i − 1) as the crossing is computed from them: x = xi + (py − yi) / (yj − yi) · (xj − xi).
  // A sub-sample row py crosses edge (i, j) iff (yi > py) ≠ (yj > py), i.e. min(yi, yj) ≤ py < max(yi, yj).
  const ex = new Float64Array(4 * n), lo = new Float64Array(n), hi = new Float64Array(n);
  const order: number[] = [];
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const [xi, yi] = polygon[i]!;
    const [xj, yj] = polygon[j]!;
    ex[4 * i] = xi; ex[4 * i + 1] = yi; ex[4 * i + 2] = xj; ex[4 * i + 3] = yj;
    lo[i] = Math.min(yi, yj); hi[i] = Math.max(yi, yj);
    if (lo[i]! < hi[i]!) order.push(i); // a horizontal edge (or one with NaN) is crossed by no row
  }
  order.sort((a, c) => lo[a]! - lo[c]!);
  const step = 1 / samples;
  const offs = new Float64Array(samples);
  for (let sx = 0; sx < samples; sx++) offs[sx] = -0.5 + (sx + 0.5) * step;
  const norm = 255 / (samples * samples);
  const level = new Uint8Array(samples * samples + 1);
  for (let c = 0; c <= samples * samples; c++) level[c] = Math.round(c * norm);
  // marks[x]: change of the count at column x; at[0..k): the columns marked in this row.
  const marks = new Int32Array(width + 1);
  let at = new Int32Array(64);
  let k = 0;
  const mark = (x: number, d: number): void => {
    if (marks[x] === 0) {
      if (k === at.length) { const grown = new Int32Array(2 * k); grown.set(at); at = grown; }
      at[k++] = x;
    }
    marks[x]! += d;
  };
  const active: number[] = [];
  const xs: number[] = [];
  let next = 0;
  for (let y = 0; y < height; y++) {
    for (let sy = 0; sy < samples; sy++) {
      // Scanline through the sub-sample row; polygon vertices are pixel centres, so pixel (x,y)
      // spans [x-0.5, x+0.5] in vertex coordinates.
      const py = top + y - 0.5 + (sy + 0.5) * step;
      while (next < order.length && lo[order[next]!]! <= py) active.push(order[next++]!);
      xs.length = 0;
      let keep = 0;
      for (let a = 0; a < active.length; a++) {
        const e = active[a]!;
        if (hi[e]! <= py) continue; // passed: no later row crosses it
        active[keep++] = e;
        const xi = ex[4 * e]!, yi = ex[4 * e + 1]!, xj = ex[4 * e + 2]!, yj = ex[4 * e + 3]!;
        if ((yi > py) !== (yj > py)) xs.push(xi + ((py - yi) / (yj - yi)) * (xj - xi));
      }
      active.length = keep;
      xs.sort((a, c) => a - c);
      for (let q = 0; q + 1 < xs.length; q += 2) {
        const xa = xs[q]!, xb = xs[q + 1]!;
        for (let sx = 0; sx < samples; sx++) {
          const off = offs[sx]!;
          // sub-sample columns px = left + x + off inside [xa, xb)
          const x0 = Math.max(0, Math.ceil(xa - off - left));
          const x1 = Math.min(width - 1, Math.ceil(xb - off - left) - 1);
          if (x0 <= x1) { mark(x0, 1); mark(x1 + 1, -1); }
        }
      }
    }
    if (k === 0) continue;
    // The row: the count is constant between consecutive marked columns.
    const cols = at.subarray(0, k).sort();
    const row = y * width;
    let c = 0;
    for (let m = 0; m < k; m++) {
      const x = cols[m]!;
      c += marks[x]!;
      marks[x] = 0;
      if (c !== 0 && m + 1 < k) data.fill(level[c]!, row + x, row + cols[m + 1]!);
    }
    k = 0;
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
 * at least `threshold` (default 1: every non-zero pixel). Labels start at 1 in scan order (of each
 * component's first pixel); 0 is background. `sizes[k]` is the pixel count of component k
 * (`sizes[0]` = 0).
 *
 * Two passes over runs (maximal horizontal spans of inside pixels). The first finds each row's
 * runs, gives a run the provisional label of a run it touches in the row above (8-connected:
 * overlapping or diagonally adjacent columns) or a new one, and joins the labels of every run it
 * touches (union-find, each set rooted at its smallest label: that of the component's first run,
 * so numbering the roots in order numbers the components in scan order). The second rewrites the
 * runs whose provisional label is not final. Rows of few runs (fewer than width/16: a selection)
 * are written run by run; rows of many (noise, whose run lengths no branch predicts) by a
 * branch-free sweep of the row. Memory: the labels (4 bytes a pixel), under a byte a pixel of run
 * list (half, and its growth) and 8 bytes a provisional label (fewer than the runs). Same output as the flood fill it replaced (8 bytes a pixel,
 * ~10× slower on a 50 MP selection; kept in geometry.reference.ts as the tests' oracle).
 * {@link labelComponentsCompact} is the same labelling in less memory.
 */
export function labelComponents(data: Uint8Array, width: number, height: number, threshold = 1): { labels: Int32Array; count: number; sizes: number[] } {
  return labelRuns(data, width, height, threshold, false) as { labels: Int32Array; count: number; sizes: number[] };
}

/** Per-pixel labels of {@link labelComponentsCompact}: the smallest array whose top bit no label uses. */
export type CompactLabels = Uint8Array | Uint16Array | Int32Array;

/**
 * {@link labelComponents}'s labels, count and sizes (here an Int32Array), without a 4-byte label a
 * pixel while they are found (a selection of one object at 50 MP: 50 MB instead of 200): every
 * run is listed with its provisional label, and the final labels are written run by run at the
 * end into the smallest array whose top bit no label uses — a Uint8Array for fewer than 128
 * components, a Uint16Array for fewer than 32768, else an Int32Array — so a caller may mark
 * pixels with that bit. No row is swept. null when the runs would take more than ¾ byte a pixel
 * (noise: label it with {@link labelComponents}).
 */
export function labelComponentsCompact(data: Uint8Array, width: number, height: number, threshold = 1): { labels: CompactLabels; count: number; sizes: Int32Array } | null {
  return labelRuns(data, width, height, threshold, true) as { labels: CompactLabels; count: number; sizes: Int32Array } | null;
}

/** The labelling of {@link labelComponents} (`compact` false) and {@link labelComponentsCompact} (true). */
function labelRuns(data: Uint8Array, width: number, height: number, threshold: number, compact: boolean): { labels: CompactLabels; count: number; sizes: number[] | Int32Array } | null {
  const n = width * height;
  if (data.length !== n) throw new RangeError(`mask data has ${data.length} bytes, expected ${n}`);
  // Compact: no labels until the end, and at most ¾ byte a pixel of runs (start, end, label).
  const labels = compact ? new Int32Array(0) : new Int32Array(n);
  const maxRuns = Math.max(4096, n >> 4);
  if (n === 0) return compact ? { labels: new Uint8Array(0), count: 0, sizes: new Int32Array(1) } : { labels, count: 0, sizes: [0] };
  // Pixel values are integers: value ≥ threshold ⇔ value ≥ ⌈threshold⌉, kept in 0..256 (NaN: none).
  const thr = Number.isNaN(threshold) ? 256 : Math.min(256, Math.max(0, Math.ceil(threshold)));
  // Column of each in/out transition of a row: its runs are edges[2i] … edges[2i + 1] (exclusive).
  const edges = new Int32Array(width + 1);
  // Label of a swept row's pixels after its k-th transition (0 after an even k: outside).
  const rowLabel = new Int32Array(compact ? 0 : width + 2);
  // Runs of the row above and of this row: start, end (exclusive) column, provisional label.
  const rowRuns = (width + 1) >> 1;
  let prevS = new Int32Array(rowRuns), prevE = new Int32Array(rowRuns), prevL = new Int32Array(rowRuns);
  let curS = new Int32Array(rowRuns), curE = new Int32Array(rowRuns), curL = new Int32Array(rowRuns);
  let np = 0;
  // Union-find over provisional labels (parent[l] ≤ l; roots are the smallest label of their set)
  // and the pixel count of the runs given each label.
  let parent = new Int32Array(1024), size = new Int32Array(1024);
  let labelsUsed = 0;
  // The runs of the rows written run by run ([start, end) pixel indices, in scan order; fewer than
  // width/16 a row), their provisional labels (compact), and which rows were swept instead.
  let runs = new Int32Array(1024), runLabel = new Int32Array(compact ? 512 : 0);
  let runLen = 0;
  const swept = new Uint8Array(compact ? 0 : height);
  // A row after one of few runs is scanned four pixels at a time where they are all 0 or all 255
  // (a selection's inside and outside), when the data's buffer can be read as 32-bit words.
  const words = data.byteOffset % 4 === 0 ? new Uint32Array(data.buffer, data.byteOffset, n >> 2) : null;
  const allOut = thr >= 1 ? 0 : -1, allIn = thr <= 255 ? 0xffffffff : -1;
  let byRun = true;
  for (let y = 0, row = 0; y < height; y++, row += width) {
    // Transitions without a branch per pixel: every column is written at edges[ne], which moves on
    // only where inside/outside changes.
    let ne = 0, inside = 0, x = 0;
    if (words && byRun) {
      const full = width - ((width - ((4 - (row & 3)) & 3)) & 3);
      for (; x < width && (row + x) & 3; x++) {
        const b = (thr - 1 - data[row + x]!) >>> 31;
        edges[ne] = x; ne += b ^ inside; inside = b;
      }
      for (; x < full; x += 4) {
        if (words[(row + x) >> 2] === (inside ? allIn : allOut)) continue;
        for (let i = x; i < x + 4; i++) {
          const b = (thr - 1 - data[row + i]!) >>> 31;
          edges[ne] = i; ne += b ^ inside; inside = b;
        }
      }
    }
    for (; x < width; x++) {
      const b = (thr - 1 - data[row + x]!) >>> 31; // 1 where value ≥ thr
      edges[ne] = x;
      ne += b ^ inside;
      inside = b;
    }
    if (inside) edges[ne++] = width;
    byRun = compact || ne * 8 < width;
    if (!byRun) swept[y] = 1;
    else if (runLen + ne > runs.length) {
      if (compact && (runLen + ne) >> 1 > maxRuns) return null;
      const r2 = new Int32Array(compact ? Math.min(Math.max(runs.length * 2, runLen + ne), 2 * maxRuns) : Math.max(runs.length * 2, runLen + ne));
      r2.set(runs);
      runs = r2;
      if (compact) { const l2 = new Int32Array(runs.length >> 1); l2.set(runLabel); runLabel = l2; }
    }
    let nc = 0, j = 0;
    for (let q = 0; q < ne; q += 2) {
      const s = edges[q]!, e = edges[q + 1]!;
      // Runs above touching columns s − 1 … e (8-connected): start ≤ e and end ≥ s.
      while (j < np && prevE[j]! < s) j++;
      // `l` is kept a root: the run is labelled with it and the row below starts from it.
      let l = 0;
      for (let k = j; k < np && prevS[k]! <= e; k++) {
        let r = prevL[k]!;
        if (r === l) continue;
        while (parent[r] !== r) { const g = parent[parent[r]!]!; parent[r] = g; r = g; } // find, halving
        if (l === 0) l = r;
        else if (r < l) { parent[l] = r; l = r; }
        else if (r > l) parent[r] = l;
      }
      if (l === 0) {
        l = ++labelsUsed;
        if (l >= parent.length) {
          const p2 = new Int32Array(parent.length * 2); p2.set(parent); parent = p2;
          const s2 = new Int32Array(size.length * 2); s2.set(size); size = s2;
        }
        parent[l] = l;
      }
      size[l]! += e - s;
      if (byRun) {
        if (compact) runLabel[runLen >> 1] = l;
        else labels.fill(l, row + s, row + e);
        runs[runLen++] = row + s;
        runs[runLen++] = row + e;
      } else rowLabel[q + 1] = l;
      curS[nc] = s; curE[nc] = e; curL[nc] = l; nc++;
    }
    if (!byRun) {
      let k = 0;
      inside = 0;
      for (let x = 0; x < width; x++) {
        const b = (thr - 1 - data[row + x]!) >>> 31;
        k += b ^ inside;
        inside = b;
        labels[row + x] = rowLabel[k]!;
      }
    }
    let t = prevS; prevS = curS; curS = t;
    t = prevE; prevE = curE; curE = t;
    t = prevL; prevL = curL; curL = t;
    np = nc;
  }
  // Final labels: roots numbered in increasing order (the order of each component's first run).
  const final = new Int32Array(labelsUsed + 1);
  let count = 0, identity = true;
  for (let l = 1; l <= labelsUsed; l++) {
    const p = parent[l]!;
    final[l] = p === l ? ++count : final[p]!;
    if (final[l] !== l) identity = false;
  }
  const total = new Int32Array(count + 1);
  for (let l = 1; l <= labelsUsed; l++) total[final[l]!]! += size[l]!;
  if (compact) {
    const out = count < 0x80 ? new Uint8Array(n) : count < 0x8000 ? new Uint16Array(n) : new Int32Array(n);
    for (let r = 0; r < runLen; r += 2) out.fill(final[runLabel[r >> 1]!]!, runs[r]!, runs[r + 1]!);
    return { labels: out, count, sizes: total };
  }
  const sizes = new Array<number>(count + 1); // assigned, not pushed: millions of specks on noise
  for (let k = 0; k <= count; k++) sizes[k] = total[k]!;
  if (!identity) {
    for (let y = 0, row = 0, r = 0; y < height; y++, row += width) {
      if (swept[y]) {
        // final[0] = 0: no branch on the background.
        for (let p = row, end = row + width; p < end; p++) labels[p] = final[labels[p]!]!;
        continue;
      }
      for (const end = row + width; r < runLen && runs[r]! < end; r += 2) {
        const s = runs[r]!, l = labels[s]!, f = final[l]!;
        if (f !== l) labels.fill(f, s, runs[r + 1]!);
      }
    }
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

/** Inputs of {@link editRoi}. */
export interface RoiInput {
  regions: readonly PlacedMask[];
  /** Arrow polylines in document pixels. */
  arrows: readonly Point[][];
  docWidth: number;
  docHeight: number;
  /** Context margin in px around the edited area. Default 64. */
  marginPx?: number;
}

/**
 * The document area a host reads (and sends) for an edit: every region, every region moved by
 * each arrow's displacement (target − handle), the circle through each region's corners (any turn
 * about its centre stays inside it), and every arrow point, grown by a margin (at least
 * `marginPx`, and at least 10 % of the larger side + 16 px), clipped to the canvas, its origin moved down to a multiple
 * of {@link ROI_ALIGN}. Integer pixel bounds; empty when there is no region and no arrow. Larger
 * than the core's own working crop (source ∪ target + max(16 px, 10 %)) and aligned with its
 * grids, so an edit of this crop gives the pixels an edit of the whole document gives (tested for
 * moves, scalings, turns and part deforms; an elastic drag's grid follows the area's size and may
 * land a fraction of a pixel apart).
 */
export function editRoi(input: RoiInput): Rect {
  let area: Rect = { left: 0, top: 0, width: 0, height: 0 };
  const regionBounds = input.regions.map((m) => maskBounds(m)).filter((b) => b.width > 0 && b.height > 0);
  for (const b of regionBounds) {
    area = unionRect(area, b);
    // Any turn about the region's centre stays inside the circle through its corners.
    const r = Math.ceil(Math.hypot(b.width, b.height) / 2), cx = Math.floor(b.left + b.width / 2), cy = Math.floor(b.top + b.height / 2);
    area = unionRect(area, { left: cx - r, top: cy - r, width: 2 * r + 1, height: 2 * r + 1 });
  }
  for (const arrow of input.arrows) {
    if (arrow.length === 0) continue;
    const h = arrow[0]!, t = arrow[arrow.length - 1]!;
    const dx = Math.round(t[0] - h[0]), dy = Math.round(t[1] - h[1]);
    for (const b of regionBounds) area = unionRect(area, { ...b, left: b.left + dx, top: b.top + dy });
    for (const p of arrow) {
      area = unionRect(area, { left: Math.floor(p[0]), top: Math.floor(p[1]), width: 1, height: 1 });
    }
  }
  if (area.width <= 0 || area.height <= 0) return { left: 0, top: 0, width: 0, height: 0 };
  // The core's own margin is max(16, 10 % of the region's larger side).
  const margin = Math.max(input.marginPx ?? 64, Math.ceil(0.1 * Math.max(area.width, area.height)) + 16);
  const r = expandRect(area, margin, input.docWidth, input.docHeight);
  // The core's coarse grids (deform fields, occlusion cells: 4–64 px) are aligned to multiples of
  // their cell in the coordinates of the image it receives: an origin on a multiple of 64 keeps
  // them where a whole-document edit puts them, so the crop's edit gives the same pixels.
  const left = Math.floor(r.left / ROI_ALIGN) * ROI_ALIGN, top = Math.floor(r.top / ROI_ALIGN) * ROI_ALIGN;
  return { left, top, width: r.left + r.width - left, height: r.top + r.height - top };
}

/** The edit crop's origin is a multiple of this (px): the core's power-of-two grid cells stay aligned. */
export const ROI_ALIGN = 64;

/** Options of {@link traceContours}. */
export interface ContourOptions {
  /** Coverage at or above which a mask pixel counts as inside (default 128). */
  threshold?: number;
  /**
   * Side of a grid cell in pixels (default: the smallest that keeps the grid at most
   * `maxGridSide` cells a side). Contours are traced on the cells' inside fractions.
   */
  cell?: number;
  /** Default 512 (see `cell`). */
  maxGridSide?: number;
  /** Douglas–Peucker tolerance in pixels (default: 0.35 of a cell: keeps the half-pixel corners of a block). */
  tolerance?: number;
  /**
   * Most vertices over all polygons (default 2000): the tolerance doubles until they fit; if
   * even a tolerance as large as the mask does not, the smallest polygons are dropped.
   */
  maxPoints?: number;
  /** Polygons enclosing less than this area (px²) are dropped (default: two cells). */
  minArea?: number;
}

/** Signed area of a closed polygon (shoelace; positive when clockwise with y down). */
export function polygonArea(ring: readonly Point[]): number {
  let a = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) a += ring[j]![0] * ring[i]![1] - ring[i]![0] * ring[j]![1];
  return a / 2;
}

/** Douglas–Peucker on an open polyline (first and last points kept); iterative. */
export function simplifyPolyline(points: readonly Point[], tolerance: number): Point[] {
  const n = points.length;
  if (n <= 2) return points.map((p) => [p[0], p[1]] as Point);
  const keep = new Uint8Array(n);
  keep[0] = 1; keep[n - 1] = 1;
  const stack: number[] = [0, n - 1];
  const tol2 = tolerance * tolerance;
  while (stack.length) {
    const b = stack.pop()!, a = stack.pop()!;
    const [ax, ay] = points[a]!, [bx, by] = points[b]!;
    const vx = bx - ax, vy = by - ay, len2 = vx * vx + vy * vy;
    let best = -1, bestD = tol2;
    for (let i = a + 1; i < b; i++) {
      const [px, py] = points[i]!;
      let d: number;
      if (len2 === 0) d = (px - ax) ** 2 + (py - ay) ** 2;
      else {
        const c = (px - ax) * vy - (py - ay) * vx;
        d = (c * c) / len2;
      }
      if (d > bestD) { bestD = d; best = i; }
    }
    if (best >= 0) {
      keep[best] = 1;
      stack.push(a, best, best, b);
    }
  }
  const out: Point[] = [];
  for (let i = 0; i < n; i++) if (keep[i]) out.push([points[i]![0], points[i]![1]]);
  return out;
}

/** Douglas–Peucker on a closed ring: split at the vertex farthest from the first one. */
export function simplifyRing(ring: readonly Point[], tolerance: number): Point[] {
  const n = ring.length;
  if (n <= 3) return ring.map((p) => [p[0], p[1]] as Point);
  const [x0, y0] = ring[0]!;
  let far = 1, farD = -1;
  for (let i = 1; i < n; i++) {
    const d = (ring[i]![0] - x0) ** 2 + (ring[i]![1] - y0) ** 2;
    if (d > farD) { farD = d; far = i; }
  }
  const a = simplifyPolyline(ring.slice(0, far + 1), tolerance);
  const b = simplifyPolyline([...ring.slice(far), ring[0]!], tolerance);
  return [...a, ...b.slice(1, -1)];
}

/**
 * Outlines of the inside pixels of a placed mask (coverage ≥ `threshold`) as closed polygons in
 * document pixels (pixel-centre convention: a solid block of pixels x0..x1 is outlined along
 * x0 − 0.5 … x1 + 0.5). Marching squares at level ½ on a grid of `cell`-pixel blocks (each
 * block's inside fraction, centred on the block), linked into rings, simplified with
 * Douglas–Peucker and capped at `maxPoints` vertices in all. Outer outlines and hole outlines
 * both come out (draw them with the even-odd rule); largest first.
 */
export function traceContours(m: PlacedMask, opts: ContourOptions = {}): Point[][] {
  const W = m.width, H = m.height;
  if (W <= 0 || H <= 0) return [];
  const thr = opts.threshold ?? 128;
  const grid = contourGrid(W, H, opts);
  const { cell, sw, v } = grid;
  const colBlock = new Int32Array(W);
  for (let x = 0; x < W; x++) colBlock[x] = (x / cell) | 0;
  for (let y = 0; y < H; y++) {
    const row = y * W, srow = (((y / cell) | 0) + 1) * sw + 1;
    for (let x = 0; x < W; x++) if (m.data[row + x]! >= thr) v[srow + colBlock[x]!]! += 1;
  }
  return traceContourGrid(m, grid, opts);
}

/**
 * The sample grid {@link traceContours} traces a `width`×`height` mask on: blocks of `cell`² pixels
 * (block (gx, gy) covers pixels [gx·cell, (gx+1)·cell) × [gy·cell, (gy+1)·cell), cut at the
 * mask's edge) and `v`, one sample per block with a border of empty samples (block (gx, gy) is
 * `v[(gy + 1)·sw + gx + 1]`). A caller that knows the inside pixels without building the mask
 * adds 1 per inside pixel to its block's sample and calls {@link traceContourGrid}: the same
 * polygons as `traceContours` of that mask.
 */
export interface ContourGrid {
  cell: number;
  gw: number;
  gh: number;
  /** Samples per row (gw + 2). */
  sw: number;
  sh: number;
  v: Float32Array;
}

/** The empty sample grid of a `width`×`height` mask (see {@link ContourGrid}). */
export function contourGrid(width: number, height: number, opts: ContourOptions = {}): ContourGrid {
  const cell = Math.max(1, Math.floor(opts.cell ?? Math.ceil(Math.max(width, height) / (opts.maxGridSide ?? 512))));
  const gw = Math.ceil(width / cell), gh = Math.ceil(height / cell);
  return { cell, gw, gh, sw: gw + 2, sh: gh + 2, v: new Float32Array((gw + 2) * (gh + 2)) };
}

/**
 * Trace the contours of a grid of inside-pixel counts (see {@link ContourGrid}) of a mask placed
 * at `m` (only `left`, `top`, `width`, `height` are read); `grid.v` is turned into fractions in
 * place. The rest is {@link traceContours}.
 */
export function traceContourGrid(m: Rect, grid: ContourGrid, opts: ContourOptions = {}): Point[][] {
  const W = m.width, H = m.height;
  if (W <= 0 || H <= 0) return [];
  const { cell, gw, gh, sw, sh, v } = grid;
  // Counts → inside fractions (blocks of one pixel are fractions already).
  if (cell > 1) {
    for (let gy = 0; gy < gh; gy++) {
      const bh = Math.min(cell, H - gy * cell);
      for (let gx = 0; gx < gw; gx++) {
        const bw = Math.min(cell, W - gx * cell);
        v[(gy + 1) * sw + gx + 1]! /= bw * bh;
      }
    }
  }
  const ISO = 0.5;
  // Sample (i, j) sits at the centre of block (i − 1, j − 1).
  const half = (cell - 1) / 2;
  const X = (i: number): number => m.left + (i - 1) * cell + half;
  const Y = (j: number): number => m.top + (j - 1) * cell + half;
  // Edge ids: 2·(j·sw + i) for the edge (i,j)–(i+1,j), +1 for the edge (i,j)–(i,j+1).
  const point = (id: number): Point => {
    const idx = id >> 1, i = idx % sw, j = (idx - i) / sw;
    const v0 = v[idx]!;
    if (id & 1) {
      const t = (ISO - v0) / (v[idx + sw]! - v0);
      return [X(i), Y(j + t)];
    }
    const t = (ISO - v0) / (v[idx + 1]! - v0);
    return [X(i + t), Y(j)];
  };
  // Each cell links the edge where (walking its corners clockwise) the level is entered to the
  // edge where it is left; a shared edge is entered in one cell and left in the other, so the
  // links chain into rings. Saddles are split by the cell's mean.
  const next = new Map<number, number>();
  const ins = [false, false, false, false];
  const edge = [0, 0, 0, 0];
  for (let j = 0; j < sh - 1; j++) {
    // The left corners of each cell are the right corners of the one before: each sample is
    // compared once per row, and cells with all four corners on one side are skipped at once.
    let inTl = v[j * sw]! >= ISO, inBl = v[(j + 1) * sw]! >= ISO;
    for (let i = 0; i < sw - 1; i++) {
      const tl = j * sw + i, tr = tl + 1, bl = tl + sw, br = bl + 1;
      const inTr = v[tr]! >= ISO, inBr = v[br]! >= ISO;
      const left = inTl, leftB = inBl;
      inTl = inTr; inBl = inBr;
      if (left === inTr && inTr === inBr && inBr === leftB) continue;
      ins[0] = left; ins[1] = inTr; ins[2] = inBr; ins[3] = leftB;
      edge[0] = 2 * tl; edge[1] = 2 * tr + 1; edge[2] = 2 * bl; edge[3] = 2 * tl + 1;
      const saddle = ins[0] === ins[2] && ins[1] === ins[3];
      const centreIn = saddle && (v[tl]! + v[tr]! + v[br]! + v[bl]!) / 4 >= ISO;
      for (let k = 0; k < 4; k++) {
        if (ins[k] || !ins[(k + 1) & 3]) continue; // edge k: outside → inside (clockwise)
        let a: number;
        if (!saddle) {
          a = 0;
          while (!(ins[a] && !ins[(a + 1) & 3])) a++;
        } else a = centreIn ? (k + 3) & 3 : (k + 1) & 3;
        next.set(edge[k]!, edge[a]!);
      }
    }
  }
  const rings: { ring: Point[]; area: number }[] = [];
  for (const start of Array.from(next.keys())) {
    if (!next.has(start)) continue;
    const ring: Point[] = [];
    let e = start;
    while (next.has(e)) {
      ring.push(point(e));
      const n = next.get(e)!;
      next.delete(e);
      e = n;
    }
    const area = Math.abs(polygonArea(ring));
    if (ring.length >= 3 && area >= (opts.minArea ?? 2 * cell * cell)) rings.push({ ring, area });
  }
  rings.sort((a, b) => b.area - a.area);
  const maxPoints = opts.maxPoints ?? 2000;
  const limit = 2 * Math.max(W, H) + 2 * cell;
  let tol = opts.tolerance ?? 0.35 * cell;
  let out: Point[][];
  for (;;) {
    out = rings.map((r) => simplifyRing(r.ring, tol)).filter((r) => r.length >= 3);
    const total = out.reduce((s, r) => s + r.length, 0);
    if (total <= maxPoints) break;
    if (tol > limit) {
      // Keep the largest rings that fit.
      const kept: Point[][] = [];
      let used = 0;
      for (const r of out) if (used + r.length <= maxPoints) { kept.push(r); used += r.length; }
      out = kept;
      break;
    }
    tol *= 2;
  }
  const round = (c: number): number => Math.round(c * 100) / 100;
  return out.map((r) => r.map((p) => [round(p[0]), round(p[1])] as Point));
}

/**
 * Fill the small holes of a placed mask: components of its non-solid pixels (value < 128) that do
 * not touch the mask's rectangle and have at most `maxArea` pixels become solid (255). Returns the
 * mask itself when nothing was filled (`filled` = pixels filled).
 */
export function fillSmallHoles(m: PlacedMask, maxArea: number): { mask: PlacedMask; filled: number } {
  const w = m.width, h = m.height;
  if (w * h === 0 || maxArea <= 0) return { mask: m, filled: 0 };
  const b = maskBounds(m, 128);
  if (b.width === 0) return { mask: m, filled: 0 };
  // Only the solid pixels' box (plus one pixel, within the rectangle) can hold a hole: every
  // non-solid pixel outside it belongs to the frame around the solid pixels, which touches the
  // rectangle, and so does every component reaching the window's rim. Components are labelled
  // in that window only.
  const x0 = Math.max(0, b.left - m.left - 1), y0 = Math.max(0, b.top - m.top - 1);
  const x1 = Math.min(w, b.left - m.left + b.width + 1), y1 = Math.min(h, b.top - m.top + b.height + 1);
  const ww = x1 - x0, wh = y1 - y0, n = ww * wh;
  // A hole pixel lies between solid pixels on its row and on its column: when no row has a
  // non-solid pixel between its first and last solid one, there is none (a convex selection).
  let inner = false;
  for (let y = 0; y < wh && !inner; y++) {
    const row = (y0 + y) * w + x0;
    let first = 0, last = ww - 1;
    while (first < ww && m.data[row + first]! < 128) first++;
    while (last > first && m.data[row + last]! < 128) last--;
    for (let x = first + 1; x < last; x++) if (m.data[row + x]! < 128) { inner = true; break; }
  }
  if (!inner) return { mask: m, filled: 0 };
  const inv = new Uint8Array(n);
  for (let y = 0; y < wh; y++) {
    const row = (y0 + y) * w + x0;
    for (let x = 0; x < ww; x++) if (m.data[row + x]! < 128) inv[y * ww + x] = 255;
  }
  const { labels, count, sizes } = labelComponents(inv, ww, wh, 128);
  const small = new Uint8Array(count + 1);
  for (let l = 1; l <= count; l++) if (sizes[l]! <= maxArea) small[l] = 1;
  for (let x = 0; x < ww; x++) { small[labels[x]!] = 0; small[labels[(wh - 1) * ww + x]!] = 0; }
  for (let y = 0; y < wh; y++) { small[labels[y * ww]!] = 0; small[labels[y * ww + ww - 1]!] = 0; }
  let filled = 0;
  let data: Uint8Array | null = null;
  for (let i = 0; i < n; i++) {
    if (!small[labels[i]!]) continue;
    if (!data) data = Uint8Array.from(m.data);
    const x = i % ww, y = (i - x) / ww;
    data[(y0 + y) * w + x0 + x] = 255;
    filled++;
  }
  return data ? { mask: { left: m.left, top: m.top, width: w, height: h, data }, filled } : { mask: m, filled: 0 };
}
