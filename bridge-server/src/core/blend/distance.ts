/**
 * Two-pass chamfer distance transform (Borgefors 1986) with weights 1 (axial) and √2 (diagonal):
 * a cheap approximation of the Euclidean distance, accurate to a few percent.
 */

/** Chamfer weight of a diagonal step. */
export const CHAMFER_DIAGONAL = Math.SQRT2;
const DIAG = CHAMFER_DIAGONAL;

/** Caps above this are transformed without tiles (a tile would be larger than most masks). */
const MAX_TILED_CAP = 256;

/**
 * For every pixel where `inside[p]` is non-zero, the distance to the nearest pixel where it is
 * zero (0 for outside pixels). Distances saturate at `cap`. Pixels beyond the image border count
 * as outside when `borderIsOutside` (default false: the border does not create a boundary).
 *
 * Band-limited: the image is cut into square tiles at least `cap` wide; a tile that holds no
 * outside pixel and whose eight neighbours hold none either (nor lie along the border, when it
 * counts as outside) is more than `cap` away from any outside pixel in the chessboard metric, which the
 * chamfer metric never undercuts, so its pixels are `cap` — and stay `cap` through both passes of
 * the full transform, which only ever lowers a value to the length of a path from an outside
 * pixel. Both passes skip such tiles: the result is the full transform's, bit for bit, at the
 * cost of the band within about two tiles of the boundary.
 */
export function chamferDistance(inside: Uint8Array, w: number, h: number, cap: number, borderIsOutside = false, out?: Float32Array): Float32Array {
  return transform(inside, w, h, cap, borderIsOutside, out).d;
}

/**
 * Where a capped distance can be below its cap: per row of `tile`-high tiles (row y is in
 * `spans[(y / tile) | 0]`), the column ranges [start, end) as pairs. Outside them every inside
 * pixel is at the cap.
 */
export interface NearSpans {
  tile: number;
  spans: Int32Array[];
}

/** {@link chamferDistance} (border not outside) plus where its values can be below `cap`; the distances go to `out` when given. */
export function chamferDistanceBand(inside: Uint8Array, w: number, h: number, cap: number, view?: MaskView, out?: Float32Array): { d: Float32Array } & NearSpans {
  const { d, S, far, tw, th } = transform(inside, w, h, cap, false, out, view);
  if (!S) return { d, tile: Math.max(1, h), spans: [Int32Array.of(0, w)] };
  const spans: Int32Array[] = [];
  for (let ty = 0; ty < th; ty++) {
    const row: number[] = [];
    for (let tx = 0; tx < tw; tx++) {
      if (far[ty * tw + tx]) continue;
      const xs = tx * S, xe = Math.min(w, xs + S);
      if (row.length > 0 && row[row.length - 1] === xs) row[row.length - 1] = xe;
      else row.push(xs, xe);
    }
    spans.push(Int32Array.from(row));
  }
  return { d, tile: S, spans };
}

/**
 * Where the `w`×`h` mask lies in a larger array: pixel (x, y) is inside when
 * `array[offset + y * stride + x] & bit` is non-zero.
 */
export interface MaskView {
  offset: number;
  stride: number;
  bit: number;
}

function transform(
  inside: Uint8Array, w: number, h: number, cap: number, borderIsOutside: boolean, out?: Float32Array, view?: MaskView,
): { d: Float32Array; S: number; far: Uint8Array; tw: number; th: number } {
  const off = view?.offset ?? 0, stride = view?.stride ?? w, bit = view?.bit ?? 0xff;
  if (view ? off < 0 || (h > 0 && off + (h - 1) * stride + w > inside.length) : inside.length !== w * h) throw new RangeError('chamferDistance: mask size differs from w*h');
  const d = out ?? new Float32Array(w * h);
  // `+cap`: a number to the compiler (a parameter is of any type), so the passes' neighbour
  // values (`d[p − 1] + 1` or `edge`) stay unboxed doubles; with the bare parameter every such
  // value became a new heap number (~5 MB of garbage per 1024² final edit).
  const edge = borderIsOutside ? 1 : +cap;
  // Tile side (0: no tiling) and, per tile, whether the passes may skip it.
  const S = cap > 0 && cap <= MAX_TILED_CAP ? Math.max(16, Math.ceil(cap)) : 0;
  const tw = S ? Math.ceil(w / S) : 1, th = S ? Math.ceil(h / S) : 1;
  const far = new Uint8Array(S ? tw * th : 0);
  if (S) {
    const hasOut = new Uint8Array(tw * th);
    for (let y = 0; y < h; y++) {
      const row = y * w, irow = off + y * stride - row, trow = ((y / S) | 0) * tw;
      for (let tx = 0, x0 = 0; tx < tw; tx++, x0 += S) {
        const x1 = x0 + S < w ? x0 + S : w;
        let none = 1;
        for (let p = row + x0, pe = row + x1; p < pe; p++) {
          if (inside[irow + p]! & bit) d[p] = cap;
          else { d[p] = 0; none = 0; }
        }
        if (!none) hasOut[trow + tx] = 1;
      }
    }
    const border = borderIsOutside ? 1 : 0;
    // With the border outside, the tiles along it count as holding outside pixels: the last
    // tile of a row or column may be narrower than the cap, so its neighbour can be nearer to
    // the border than the cap.
    if (border) {
      for (let tx = 0; tx < tw; tx++) { hasOut[tx] = 1; hasOut[(th - 1) * tw + tx] = 1; }
      for (let ty = 0; ty < th; ty++) { hasOut[ty * tw] = 1; hasOut[ty * tw + tw - 1] = 1; }
    }
    for (let ty = 0; ty < th; ty++) {
      for (let tx = 0; tx < tw; tx++) {
        let any = 0;
        for (let yy = ty - 1; yy <= ty + 1 && !any; yy++) {
          for (let xx = tx - 1; xx <= tx + 1; xx++) {
            if (yy < 0 || yy >= th || xx < 0 || xx >= tw) { if (border) { any = 1; break; } continue; }
            if (hasOut[yy * tw + xx]) { any = 1; break; }
          }
        }
        if (!any) far[ty * tw + tx] = 1;
      }
    }
  } else {
    for (let y = 0; y < h; y++) {
      for (let x = 0, p = y * w, i = off + y * stride; x < w; x++, p++, i++) d[p] = inside[i]! & bit ? cap : 0;
    }
  }
  const TS = S || w;
  // Forward pass: left, up-left, up, up-right.
  for (let y = 0; y < h; y++) {
    const row = y * w, trow = S ? ((y / S) | 0) * tw : 0;
    for (let tx = 0, xs = 0; xs < w; tx++, xs += TS) {
      if (S && far[trow + tx]) continue;
      const xe = xs + TS < w ? xs + TS : w;
      for (let x = xs; x < xe; x++) {
        const p = row + x;
        let v = d[p]!;
        if (v === 0) continue;
        const l = x > 0 ? d[p - 1]! + 1 : edge;
        if (l < v) v = l;
        if (y > 0) {
          const u = d[p - w]! + 1;
          if (u < v) v = u;
          const ul = x > 0 ? d[p - w - 1]! + DIAG : edge;
          if (ul < v) v = ul;
          const ur = x < w - 1 ? d[p - w + 1]! + DIAG : edge;
          if (ur < v) v = ur;
        } else if (edge < v) v = edge;
        d[p] = v;
      }
    }
  }
  // Backward pass: right, down-right, down, down-left.
  for (let y = h - 1; y >= 0; y--) {
    const row = y * w, trow = S ? ((y / S) | 0) * tw : 0;
    for (let tx = S ? tw - 1 : 0; tx >= 0; tx--) {
      if (S && far[trow + tx]) continue;
      const xs = tx * TS, xe = xs + TS < w ? xs + TS : w;
      for (let x = xe - 1; x >= xs; x--) {
        const p = row + x;
        let v = d[p]!;
        if (v === 0) continue;
        const r = x < w - 1 ? d[p + 1]! + 1 : edge;
        if (r < v) v = r;
        if (y < h - 1) {
          const dn = d[p + w]! + 1;
          if (dn < v) v = dn;
          const dr = x < w - 1 ? d[p + w + 1]! + DIAG : edge;
          if (dr < v) v = dr;
          const dl = x > 0 ? d[p + w - 1]! + DIAG : edge;
          if (dl < v) v = dl;
        } else if (edge < v) v = edge;
        d[p] = v;
      }
    }
  }
  return { d, S, far, tw, th };
}
