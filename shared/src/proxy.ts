/**
 * Proxies for previews at display resolution, shared by the bridge and the hosts: the proxy size
 * for a pixel budget, the area average of an image or a placed mask onto it, and the mapping of
 * document positions to proxy positions. A host that sends its own display-size image (job.submit
 * `proxyOf`) makes it with these functions, so the bridge previews exactly what it would have
 * previewed had it made the proxy itself.
 *
 * Coordinates: document pixel `i` covers `[i, i+1)` (centre `i + 0.5`); the proxy has `pw × ph`
 * pixels over the same area, so a document position `x` (pixel-centre convention, as drags use)
 * maps to `(x + 0.5)·pw/W − 0.5`.
 */
import type { PlacedMask, Point } from './geometry';
import type { ProxyInfo } from './protocol/messages';

/** An RGBA8 image (straight alpha), as the hosts and the bridge hold one. */
export interface ProxyImage {
  width: number;
  height: number;
  data: Uint8Array | Uint8ClampedArray;
}

/** Largest proxy a preview runs on (about 1 MP, a panel or canvas at display resolution). */
export const PROXY_MAX_PIXELS = 1024 * 1024;

/** How a proxy relates to its document: proxy size and proxy pixels per document pixel (≤ 1). */
export type { ProxyInfo };

/** The proxy size for a `w × h` document and a pixel budget (1:1 when it already fits). */
export function proxyInfoFor(w: number, h: number, maxPixels = PROXY_MAX_PIXELS): ProxyInfo {
  if (w * h <= maxPixels) return { width: w, height: h, scaleX: 1, scaleY: 1 };
  const s = Math.sqrt(maxPixels / (w * h));
  const width = Math.max(1, Math.floor(w * s)), height = Math.max(1, Math.floor(h * s));
  return { width, height, scaleX: width / w, scaleY: height / h };
}

/**
 * For every source index along one axis (`n` source pixels starting at document index `start`),
 * the first output index it overlaps (relative to `outStart`) and the overlap with it in output
 * units; the rest of its unit interval (scaled) goes to the next output index.
 */
function axisTaps(start: number, n: number, scale: number, outStart: number): { idx: Int32Array; w0: Float32Array; w1: Float32Array } {
  const idx = new Int32Array(n), w0 = new Float32Array(n), w1 = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const a = (start + i) * scale, b = (start + i + 1) * scale;
    const o = Math.floor(a);
    idx[i] = o - outStart;
    if (b <= o + 1) { w0[i] = b - a; w1[i] = 0; } else { w0[i] = o + 1 - a; w1[i] = b - (o + 1); }
  }
  return { idx, w0, w1 };
}

/**
 * Area-average `src` (`sw × sh`, `ch` channels, placed at document `(sl, st)`) into an output
 * grid of `ow × oh` placed at proxy `(ol, ot)`; pixels outside `src` count as 0. One pass over
 * the source, O(ow·ch) scratch.
 */
function areaDownscale(
  src: Uint8Array | Uint8ClampedArray | Float32Array, sw: number, sh: number, sl: number, st: number, ch: number,
  ow: number, oh: number, ol: number, ot: number, sx: number, sy: number, out: Uint8Array | Uint8ClampedArray,
): void {
  const tx = axisTaps(sl, sw, sx, ol), ty = axisTaps(st, sh, sy, ot);
  const rowW = ow * ch;
  let acc0 = new Float32Array(rowW), acc1 = new Float32Array(rowW);
  const hrow = new Float32Array(rowW);
  const row = new Float32Array(sw * ch);
  let cur = ty.idx[0] ?? 0;
  const flush = (oy: number, acc: Float32Array): void => {
    if (oy < 0 || oy >= oh) return;
    const base = oy * rowW;
    for (let i = 0; i < rowW; i++) { const v = Math.round(acc[i]!); out[base + i] = v > 255 ? 255 : v; }
  };
  for (let y = 0; y < sh; y++) {
    const oy = ty.idx[y]!;
    while (cur < oy) { flush(cur, acc0); const t = acc0; acc0 = acc1; acc1 = t; acc1.fill(0); cur++; }
    hrow.fill(0);
    // The row as floats first: the loop below then reads one array type whatever the source
    // (bytes of an image or mask, floats of the box reduction), so V8 keeps it monomorphic.
    const srow = y * sw * ch;
    for (let i = 0; i < sw * ch; i++) row[i] = src[srow + i]!;
    if (ch === 4) {
      for (let x = 0; x < sw; x++) {
        const ox = tx.idx[x]!, a = tx.w0[x]!, b = tx.w1[x]!, s = x * 4;
        const v0 = row[s]!, v1 = row[s + 1]!, v2 = row[s + 2]!, v3 = row[s + 3]!;
        if (ox >= 0 && ox < ow) { const o = ox * 4; hrow[o]! += a * v0; hrow[o + 1]! += a * v1; hrow[o + 2]! += a * v2; hrow[o + 3]! += a * v3; }
        if (b > 0 && ox + 1 < ow && ox + 1 >= 0) { const o = ox * 4 + 4; hrow[o]! += b * v0; hrow[o + 1]! += b * v1; hrow[o + 2]! += b * v2; hrow[o + 3]! += b * v3; }
      }
    } else {
      for (let x = 0; x < sw; x++) {
        const ox = tx.idx[x]!, a = tx.w0[x]!, b = tx.w1[x]!, s = x * ch;
        if (ox >= 0 && ox < ow) { const o = ox * ch; for (let c = 0; c < ch; c++) hrow[o + c]! += a * row[s + c]!; }
        if (b > 0 && ox + 1 >= 0 && ox + 1 < ow) { const o = (ox + 1) * ch; for (let c = 0; c < ch; c++) hrow[o + c]! += b * row[s + c]!; }
      }
    }
    const a = ty.w0[y]!, b = ty.w1[y]!;
    for (let i = 0; i < rowW; i++) { const v = hrow[i]!; acc0[i]! += a * v; if (b > 0) acc1[i]! += b * v; }
  }
  flush(cur, acc0);
  flush(cur + 1, acc1);
}

/**
 * Box-average `img` (or its rectangle `rect`) by an integer factor `k` into Float32 RGBA
 * (`ceil(W/k) × ceil(H/k)` for a `W × H` area; the last partial block averages the pixels it has).
 * One read of each pixel as a 32-bit word.
 */
export function boxReduce(img: ProxyImage, k: number, rect?: { left: number; top: number; width: number; height: number }): { w: number; h: number; data: Float32Array } {
  const W = rect?.width ?? img.width, H = rect?.height ?? img.height, w = Math.ceil(W / k), h = Math.ceil(H / k);
  const IW = img.width, l = rect?.left ?? 0, t = rect?.top ?? 0;
  if (l < 0 || t < 0 || l + W > IW || t + H > img.height) throw new RangeError('boxReduce: the rectangle lies outside the image');
  const d = img.data;
  const aligned = d.byteOffset % 4 === 0;
  const s32 = aligned ? new Uint32Array(d.buffer, d.byteOffset, IW * img.height) : null;
  const out = new Float32Array(w * h * 4);
  const acc = new Uint32Array(w * 4);
  // Aligned words are summed two channels at a time (R+B and G+A in 16-bit lanes of one 32-bit
  // sum: a block of k ≤ 16 rows and columns is at most 16·16·255 = 65,280 per lane), then the
  // lanes go into the block's sums.
  const swar = s32 !== null && k <= 16;
  const blk = new Int32Array(swar ? 0 : W);
  if (!swar) for (let x = 0; x < W; x++) blk[x] = ((x / k) | 0) * 4;
  const lo = new Uint32Array(swar ? w : 0), hi = new Uint32Array(swar ? w : 0);
  const lastW = W - (w - 1) * k;
  for (let by = 0; by < h; by++) {
    acc.fill(0);
    const y0 = by * k, y1 = Math.min(H, y0 + k);
    for (let y = y0; y < y1; y++) {
      const row = (t + y) * IW + l;
      if (swar) {
        // One block's k words at a time, summed in locals.
        for (let b = 0, x = row, end = row + W; b < w; b++) {
          let sl = 0, sh = 0;
          for (const e = Math.min(end, x + k); x < e; x++) { const v = s32![x]!; sl += v & 0x00ff00ff; sh += (v >>> 8) & 0x00ff00ff; }
          lo[b]! += sl; hi[b]! += sh;
        }
      } else if (s32) {
        for (let x = 0; x < W; x++) {
          const v = s32[row + x]!, o = blk[x]!;
          acc[o]! += v & 255; acc[o + 1]! += (v >>> 8) & 255; acc[o + 2]! += (v >>> 16) & 255; acc[o + 3]! += v >>> 24;
        }
      } else {
        for (let x = 0; x < W; x++) {
          const i = (row + x) * 4, o = blk[x]!;
          acc[o]! += d[i]!; acc[o + 1]! += d[i + 1]!; acc[o + 2]! += d[i + 2]!; acc[o + 3]! += d[i + 3]!;
        }
      }
    }
    if (swar) {
      for (let b = 0, o = 0; b < w; b++, o += 4) {
        const a = lo[b]!, c = hi[b]!;
        acc[o] = a & 0xffff; acc[o + 1] = c & 0xffff; acc[o + 2] = a >>> 16; acc[o + 3] = c >>> 16;
      }
      lo.fill(0); hi.fill(0);
    }
    const rows = y1 - y0, base = by * w * 4;
    for (let bx = 0; bx < w; bx++) {
      const inv = 1 / (rows * (bx === w - 1 ? lastW : k)), o = bx * 4;
      out[base + o] = acc[o]! * inv; out[base + o + 1] = acc[o + 1]! * inv; out[base + o + 2] = acc[o + 2]! * inv; out[base + o + 3] = acc[o + 3]! * inv;
    }
  }
  return { w, h, data: out };
}

/**
 * Area-averaged proxy of a straight-alpha RGBA image (colour averaged as stored): an integer box
 * average by `k = floor(1/scale)` over 32-bit words first (the one pass over the document), then
 * the exact fractional area average of that small image.
 */
export function downscaleImage(img: ProxyImage, info: ProxyInfo): { width: number; height: number; data: Uint8ClampedArray } {
  if (info.scaleX === 1 && info.scaleY === 1) return { width: img.width, height: img.height, data: img.data instanceof Uint8ClampedArray ? img.data : new Uint8ClampedArray(img.data.buffer, img.data.byteOffset, img.data.byteLength) };
  const data = new Uint8ClampedArray(info.width * info.height * 4);
  const k = Math.floor(1 / Math.max(info.scaleX, info.scaleY) + 1e-9);
  if (k >= 2) {
    // Intermediate pixel j covers document [j·k, j·k + k) (a last partial block averages the
    // pixels it has), so the fractional pass keeps the exact geometry at scale·k.
    const r = boxReduce(img, k);
    areaDownscale(r.data, r.w, r.h, 0, 0, 4, info.width, info.height, 0, 0, info.scaleX * k, info.scaleY * k, data);
  } else {
    areaDownscale(img.data, img.width, img.height, 0, 0, 4, info.width, info.height, 0, 0, info.scaleX, info.scaleY, data);
  }
  return { width: info.width, height: info.height, data };
}

/** A placed mask in proxy coordinates (its rectangle's pixels, area-averaged). */
export function downscalePlacedMask(m: PlacedMask, info: ProxyInfo): PlacedMask {
  if (info.scaleX === 1 && info.scaleY === 1) return m;
  const l = Math.floor(m.left * info.scaleX), t = Math.floor(m.top * info.scaleY);
  const r = Math.ceil((m.left + m.width) * info.scaleX), b = Math.ceil((m.top + m.height) * info.scaleY);
  const w = Math.max(0, r - l), h = Math.max(0, b - t);
  const data = new Uint8Array(w * h);
  if (w > 0 && h > 0) areaDownscale(m.data, m.width, m.height, m.left, m.top, 1, w, h, l, t, info.scaleX, info.scaleY, data);
  return { left: l, top: t, width: w, height: h, data };
}

/** A document position (pixel-centre convention) in proxy coordinates. */
export function toProxyPoint(p: Point, info: ProxyInfo): Point {
  return [(p[0] + 0.5) * info.scaleX - 0.5, (p[1] + 0.5) * info.scaleY - 0.5];
}

/** A proxy position (pixel-centre convention) in document coordinates (inverse of {@link toProxyPoint}). */
export function fromProxyPoint(p: Point, info: ProxyInfo): Point {
  return [(p[0] + 0.5) / info.scaleX - 0.5, (p[1] + 0.5) / info.scaleY - 0.5];
}

/** True when a preview of a `w × h` image under `maxPixels` runs on a proxy (scale ≤ 1/2 on both axes, as the bridge decides). */
export function usesProxy(w: number, h: number, maxPixels: number): boolean {
  const info = proxyInfoFor(w, h, maxPixels);
  return info.scaleX <= 0.5 && info.scaleY <= 0.5;
}

/**
 * How a host-sent display image of `w × h` pixels relates to the `docW × docH` document area it
 * shows (job.submit `proxyOf`), or why it cannot be such an image: larger than the area on either
 * axis, or a different aspect (the two axes' scales may differ by at most what rounding each side
 * to whole pixels explains: |w·docH − h·docW| ≤ max(docW, docH)).
 */
export function sentProxyInfo(w: number, h: number, docW: number, docH: number): ProxyInfo | string {
  if (!(w >= 1 && h >= 1)) return `the sent image is empty (${w}x${h})`;
  if (w > docW || h > docH) return `the sent image ${w}x${h} is larger than the document area ${docW}x${docH} it stands for (proxyOf)`;
  if (Math.abs(w * docH - h * docW) > Math.max(docW, docH)) {
    return `the sent image ${w}x${h} does not have the aspect of the document area ${docW}x${docH} it stands for (proxyOf): send it scaled by the same factor on both axes`;
  }
  return { width: w, height: h, scaleX: w / docW, scaleY: h / docH };
}
