/**
 * Resampling kernels for the warp: a region's source pixels are copied once into a premultiplied,
 * coverage-weighted float patch, then sampled at arbitrary (backward-mapped) document positions
 * with bilinear (preview) or clamped Keys bicubic (final, a = −0.5) interpolation.
 *
 * Conventions: pixel `(x, y)` has its centre at document coordinates `(x, y)`, so sampling at an
 * integer position returns that pixel exactly (both kernels have weight 1 on the centre tap and 0
 * on the others). The kernels never allocate, log or throw; callers own the output buffer.
 */
import type { PlacedMask, RgbaImage } from './types';
import { bytesHash, imageRectHash, maskHash } from './content-hash';
import { rowsInBands } from './parallel/rows';

/** Zero border (pixels) around a patch; wide enough that a sample whose taps leave it is empty. */
export const PATCH_PAD = 3;

/**
 * A region's pixels, premultiplied by image alpha *and* by region coverage, in floats.
 * `rgba[i*4+c]` (c < 3) = colour (0..255) × alpha × coverage; `rgba[i*4+3]` = alpha × coverage
 * (0..1); `cov[i]` = region coverage (0..1). Pixels outside the region or the image are zero.
 */
export interface SourcePatch {
  /** Document position of the patch's pixel (0, 0). */
  left: number;
  top: number;
  width: number;
  height: number;
  rgba: Float32Array;
  cov: Float32Array;
  /** Per pixel: 0 = empty (coverage 0), 3 = solid (coverage 1 and alpha 1), 1 = anything else. */
  kind: Uint8Array;
  /** Lazily built by {@link patchReach} (bilinear and bicubic footprints). */
  reach2?: Uint8Array;
  reach4?: Uint8Array;
}

/**
 * What a sample's footprint holds, by its floor `(x0, y0)`: `reach[y0·width + x0]` is 0 when every
 * coverage tap is zero (the sample is exactly empty: renderers skip it with one load), 2 when every
 * tap is solid (coverage 1 and alpha 1: the coverage and alpha sums are the sums of the weights,
 * no loads needed), else 1. Taps are `x0..x0+1 × y0..y0+1` for bilinear (`taps` 2) and
 * `x0−1..x0+2 × y0−1..y0+2` for bicubic (`taps` 4). Built once per patch (kept on it; on a
 * SharedArrayBuffer for shared patches, which are never reused).
 */
export function patchReach(p: SourcePatch, taps: 2 | 4, shared = false, signal?: AbortSignal): Uint8Array {
  const have = taps === 2 ? p.reach2 : p.reach4;
  if (have) return have;
  const w = p.width, h = p.height, n = w * h;
  // The pixel kinds (bit 0 = non-empty, bit 1 = solid), OR-ed (bit 0: any tap non-empty) and
  // AND-ed (bit 1: every tap solid) over the window, rows then columns (two passes; sharing them
  // with the pixel threads was measured slower on the loaded 2-core machine). Only floors whose footprint lies
  // inside the patch (1 ≤ x0 ≤ w − 3, 1 ≤ y0 ≤ h − 3: the samplers reject the others first) are
  // filled; the rest stay 0.
  const rows = shared ? new Uint8Array(new SharedArrayBuffer(n)) : new Uint8Array(n);
  const out = shared ? new Uint8Array(new SharedArrayBuffer(n)) : new Uint8Array(n);
  const task: ReachTask = { kind: p.kind, rows, out, width: w, height: h, taps };
  // (With a signal, in bands it is checked between: core/cancel.ts.)
  rowsInBands(reachRows, task, h, undefined, signal);
  rowsInBands(reachColumns, task, h, undefined, signal);
  if (taps === 2) p.reach2 = out; else p.reach4 = out;
  return out;
}

/** What the two passes of {@link patchReach} read and write. */
interface ReachTask { kind: Uint8Array; rows: Uint8Array; out: Uint8Array; width: number; height: number; taps: 2 | 4 }

/** Rows `[y0, y1)`: the kinds combined along each row over the footprint's columns. */
function reachRows(t: ReachTask, y0: number, y1: number): void {
  const { kind, rows, width: w, taps } = t;
  for (let y = y0; y < y1; y++) {
    const r = y * w;
    if (taps === 2) {
      for (let i = r + 1; i <= r + w - 3; i++) { const a = kind[i]!, b = kind[i + 1]!; rows[i] = ((a | b) & 1) | (a & b & 2); }
    } else {
      for (let i = r + 1; i <= r + w - 3; i++) {
        const a = kind[i - 1]!, b = kind[i]!, c = kind[i + 1]!, d = kind[i + 2]!;
        rows[i] = ((a | b | c | d) & 1) | (a & b & c & d & 2);
      }
    }
  }
}

/** Rows `[y0, y1)` of the reach map: the row results combined over the footprint's rows. */
function reachColumns(t: ReachTask, y0: number, y1: number): void {
  const { rows, out, width: w, height: h, taps } = t;
  for (let y = Math.max(1, y0); y < Math.min(y1, h - 2); y++) {
    const r = y * w;
    for (let i = r + 1; i <= r + w - 3; i++) {
      let any: number, all: number;
      if (taps === 2) { const a = rows[i]!, b = rows[i + w]!; any = (a | b) & 1; all = a & b & 2; }
      else { const a = rows[i - w]!, b = rows[i]!, c = rows[i + w]!, d = rows[i + 2 * w]!; any = (a | b | c | d) & 1; all = a & b & c & d & 2; }
      out[i] = any === 0 ? 0 : all !== 0 ? 2 : 1;
    }
  }
}

/** Signature shared by the samplers: returns coverage (0 when empty) and writes premultiplied RGBA to `out[0..3]`. */
export type PatchSampler = (p: SourcePatch, x: number, y: number, out: Float32Array) => number;

/**
 * Build the patch for `mask` over `image` (document-sized). Cost ∝ the mask's rectangle; pixels of
 * the mask outside the image count as empty. `shared`: the arrays live on SharedArrayBuffers (for
 * row-parallel passes, core/parallel).
 */
export function buildSourcePatch(image: RgbaImage, mask: PlacedMask, shared = false, signal?: AbortSignal, rimColour?: RimColour): SourcePatch {
  // Small patches (previews, small documents) are kept across jobs by content: every preview of
  // a drag warps the same region of the same pixels. Large ones (and shared ones for the pixel
  // threads) are built each time: caching them would hold hundreds of MB between jobs.
  const x0 = Math.max(mask.left, 0), y0 = Math.max(mask.top, 0);
  const x1 = Math.min(mask.left + mask.width, image.width), y1 = Math.min(mask.top + mask.height, image.height);
  const bytes = (Math.max(0, x1 - x0) + 2 * PATCH_PAD) * (Math.max(0, y1 - y0) + 2 * PATCH_PAD) * 23;
  if (shared || !patchCacheOn || bytes > PATCH_CACHE_MAX_BYTES) return makeSourcePatch(image, mask, shared, signal, rimColour);
  const rimKey = rimColour ? `|${bytesHash(rimColour.rgb)}|${bytesHash(new Uint8Array(rimColour.index.buffer, rimColour.index.byteOffset, rimColour.index.byteLength))}` : '';
  const key = `${maskHash(mask)}|${imageRectHash(image, x0, y0, x1, y1)}${rimKey}`;
  const i = patches.findIndex((e) => e.key === key);
  if (i >= 0) {
    const [e] = patches.splice(i, 1);
    patches.unshift(e!);
    return e!.patch;
  }
  const patch = makeSourcePatch(image, mask, false, signal, rimColour);
  patches.unshift({ key, patch });
  if (patches.length > PATCH_CACHE_ENTRIES) patches.length = PATCH_CACHE_ENTRIES;
  return patch;
}

/** Patches of at most this many bytes (23 per pixel with the kinds and both reach maps: about 0.7 MP) are kept across jobs. */
export const PATCH_CACHE_MAX_BYTES = 16 << 20;
const PATCH_CACHE_ENTRIES = 2;
const patches: { key: string; patch: SourcePatch }[] = [];
let patchCacheOn = process.env.SMARTDRAG_OBJECT_CACHE !== '0';

/** Turn the source-patch cache on or off (off empties it); tests and cold benchmarks. */
export function setPatchCache(on: boolean): void {
  patchCacheOn = on;
  if (!on) patches.length = 0;
}

/** Rim pixels whose colour replaces the image's in a patch (Region `rimColour`: document indices, ascending; RGB). */
export interface RimColour { index: Int32Array; rgb: Uint8Array }

function makeSourcePatch(image: RgbaImage, mask: PlacedMask, shared: boolean, signal?: AbortSignal, rimColour?: RimColour): SourcePatch {
  const x0 = Math.max(mask.left, 0), y0 = Math.max(mask.top, 0);
  const x1 = Math.min(mask.left + mask.width, image.width), y1 = Math.min(mask.top + mask.height, image.height);
  const iw = Math.max(0, x1 - x0), ih = Math.max(0, y1 - y0);
  const left = x0 - PATCH_PAD, top = y0 - PATCH_PAD;
  const width = iw + 2 * PATCH_PAD, height = ih + 2 * PATCH_PAD;
  const rgba = shared ? new Float32Array(new SharedArrayBuffer(width * height * 16)) : new Float32Array(width * height * 4);
  const cov = shared ? new Float32Array(new SharedArrayBuffer(width * height * 4)) : new Float32Array(width * height);
  const kind = shared ? new Uint8Array(new SharedArrayBuffer(width * height)) : new Uint8Array(width * height);
  // (Sharing these rows with the pixel threads, from shared copies of the image rectangle and the
  // mask, was measured slower on the loaded 2-core machine: the copy costs what the threads save.)
  const task: PatchTask = {
    src: image.data, srcWidth: image.width, srcLeft: 0, srcTop: 0, md: mask.data, mLeft: mask.left, mTop: mask.top, mWidth: mask.width,
    rgba, cov, kind, width, left, top, x0, x1, y0,
  };
  rowsInBands(patchRows, task, ih, undefined, signal);
  // The rim's own colours (premultiplied like the pixel they replace).
  if (rimColour) {
    const W = image.width;
    for (let n = 0; n < rimColour.index.length; n++) {
      const d = rimColour.index[n]!, x = d % W, y = (d - x) / W;
      if (x < x0 || x >= x1 || y < y0 || y >= y1) continue;
      const pi = (y - top) * width + (x - left);
      if (kind[pi] === 0) continue;
      // (The alpha as patchRows computes it, before its Float32 rounding: the same values as a
      // pixel of that colour would store.)
      const q = pi * 4, a = kind[pi] === 3 ? 1 : (image.data[d * 4 + 3]! / 255) * (mask.data[(y - mask.top) * mask.width + (x - mask.left)]! / 255);
      rgba[q] = rimColour.rgb[3 * n]! * a; rgba[q + 1] = rimColour.rgb[3 * n + 1]! * a; rgba[q + 2] = rimColour.rgb[3 * n + 2]! * a;
    }
  }
  return { left, top, width, height, rgba, cov, kind };
}

/** What {@link patchRows} reads (`src`: pixels of the image from `srcLeft, srcTop` on, rows of `srcWidth`) and writes. */
interface PatchTask {
  src: Uint8ClampedArray; srcWidth: number; srcLeft: number; srcTop: number;
  md: Uint8Array; mLeft: number; mTop: number; mWidth: number;
  rgba: Float32Array; cov: Float32Array; kind: Uint8Array; width: number; left: number; top: number;
  x0: number; x1: number; y0: number;
}

/** Rows `[r0, r1)` (counted from the first image row of the mask) of a source patch. */
function patchRows(t: PatchTask, r0: number, r1: number): void {
  const { src, md, rgba, cov, kind, width, left, top, x0, x1 } = t;
  for (let y = t.y0 + r0; y < t.y0 + r1; y++) {
    const mrow = (y - t.mTop) * t.mWidth - t.mLeft;
    const irow = (y - t.srcTop) * t.srcWidth - t.srcLeft;
    const prow = (y - top) * width - left;
    for (let x = x0; x < x1; x++) {
      const m = md[mrow + x]!;
      if (m === 0) continue;
      const pi = prow + x, si = (irow + x) * 4;
      if (m === 255 && src[si + 3] === 255) {
        // Solid coverage of an opaque pixel: premultiplying by 1 stores the pixel as it is.
        cov[pi] = 1;
        kind[pi] = 3;
        const q = pi * 4;
        rgba[q] = src[si]!; rgba[q + 1] = src[si + 1]!; rgba[q + 2] = src[si + 2]!; rgba[q + 3] = 1;
        continue;
      }
      const c = m / 255;
      const a = (src[si + 3]! / 255) * c;
      cov[pi] = c;
      kind[pi] = 1;
      const q = pi * 4;
      rgba[q] = src[si]! * a;
      rgba[q + 1] = src[si + 1]! * a;
      rgba[q + 2] = src[si + 2]! * a;
      rgba[q + 3] = a;
    }
  }
}

/** Alpha over coverage past which {@link sampleBicubic} scales the colour down with the alpha. */
export const EDGE_SCALE_FROM = 1 + 1e-9;

/** Bilinear sample of a patch at document position `(x, y)`. */
export const sampleBilinear: PatchSampler = (p, x, y, out) => {
  const lx = x - p.left, ly = y - p.top;
  const x0 = Math.floor(lx), y0 = Math.floor(ly);
  if (!(x0 >= 1 && y0 >= 1 && x0 <= p.width - 3 && y0 <= p.height - 3)) return 0;
  const fx = lx - x0, fy = ly - y0;
  const w = p.width, cov = p.cov;
  const i00 = y0 * w + x0, i01 = i00 + w;
  const w00 = (1 - fx) * (1 - fy), w10 = fx * (1 - fy), w01 = (1 - fx) * fy, w11 = fx * fy;
  let c = cov[i00]! * w00 + cov[i00 + 1]! * w10 + cov[i01]! * w01 + cov[i01 + 1]! * w11;
  if (c <= 0) return 0;
  if (c > 1) c = 1;
  const d = p.rgba;
  const a = i00 * 4, b = a + 4, e = i01 * 4, f = e + 4;
  out[0] = d[a]! * w00 + d[b]! * w10 + d[e]! * w01 + d[f]! * w11;
  out[1] = d[a + 1]! * w00 + d[b + 1]! * w10 + d[e + 1]! * w01 + d[f + 1]! * w11;
  out[2] = d[a + 2]! * w00 + d[b + 2]! * w10 + d[e + 2]! * w01 + d[f + 2]! * w11;
  out[3] = d[a + 3]! * w00 + d[b + 3]! * w10 + d[e + 3]! * w01 + d[f + 3]! * w11;
  return c;
};

/**
 * Keys cubic convolution (a = −0.5) sample of a patch at `(x, y)`, clamped so that coverage and
 * alpha stay in [0, 1] and premultiplied colour never exceeds 255 × alpha (no ringing halos).
 */
export const sampleBicubic: PatchSampler = (p, x, y, out) => {
  const lx = x - p.left, ly = y - p.top;
  const x0 = Math.floor(lx), y0 = Math.floor(ly);
  if (!(x0 >= 1 && y0 >= 1 && x0 <= p.width - 3 && y0 <= p.height - 3)) return 0;
  const tx = lx - x0, ty = ly - y0;
  const wx0 = ((-0.5 * tx + 1) * tx - 0.5) * tx, wx1 = (1.5 * tx - 2.5) * tx * tx + 1;
  const wx2 = ((-1.5 * tx + 2) * tx + 0.5) * tx, wx3 = (0.5 * tx - 0.5) * tx * tx;
  const wy0 = ((-0.5 * ty + 1) * ty - 0.5) * ty, wy1 = (1.5 * ty - 2.5) * ty * ty + 1;
  const wy2 = ((-1.5 * ty + 2) * ty + 0.5) * ty, wy3 = (0.5 * ty - 0.5) * ty * ty;
  const w = p.width, cov = p.cov;
  const base = (y0 - 1) * w + x0 - 1;
  let c = 0;
  for (let j = 0; j < 4; j++) {
    const wy = j === 0 ? wy0 : j === 1 ? wy1 : j === 2 ? wy2 : wy3;
    if (wy === 0) continue;
    const r = base + j * w;
    c += wy * (cov[r]! * wx0 + cov[r + 1]! * wx1 + cov[r + 2]! * wx2 + cov[r + 3]! * wx3);
  }
  if (c <= 0) return 0;
  if (c > 1) c = 1;
  const d = p.rgba;
  let r0 = 0, g0 = 0, b0 = 0, a0 = 0;
  for (let j = 0; j < 4; j++) {
    const wy = j === 0 ? wy0 : j === 1 ? wy1 : j === 2 ? wy2 : wy3;
    if (wy === 0) continue;
    const q = (base + j * w) * 4;
    const k0 = wx0 * wy, k1 = wx1 * wy, k2 = wx2 * wy, k3 = wx3 * wy;
    r0 += d[q]! * k0 + d[q + 4]! * k1 + d[q + 8]! * k2 + d[q + 12]! * k3;
    g0 += d[q + 1]! * k0 + d[q + 5]! * k1 + d[q + 9]! * k2 + d[q + 13]! * k3;
    b0 += d[q + 2]! * k0 + d[q + 6]! * k1 + d[q + 10]! * k2 + d[q + 14]! * k3;
    a0 += d[q + 3]! * k0 + d[q + 7]! * k1 + d[q + 11]! * k2 + d[q + 15]! * k3;
  }
  if (a0 < 0) a0 = 0;
  else if (a0 > c) {
    // More alpha than coverage: a negative lobe's tap lay outside the coverage (an edge of the
    // region just past the sample). The colour is scaled with the alpha, so the sample keeps the
    // weighted average colour of its covered taps — clamping the alpha alone brightened the pixels
    // along a region's edge by up to ~8% (a light line where a selection's edge crosses a smooth
    // surface). (Past float noise only: a solid footprint's sums agree to the last bits.)
    if (a0 > c * EDGE_SCALE_FROM) { const k = c / a0; r0 *= k; g0 *= k; b0 *= k; }
    a0 = c;
  }
  const hi = a0 * 255;
  out[0] = r0 < 0 ? 0 : r0 > hi ? hi : r0;
  out[1] = g0 < 0 ? 0 : g0 > hi ? hi : g0;
  out[2] = b0 < 0 ? 0 : b0 > hi ? hi : b0;
  out[3] = a0;
  return c;
};

/**
 * {@link sampleBicubic} that first looks the sample up in `reach` ({@link patchReach} with 4 taps,
 * or null): an empty footprint returns 0 at once. Same arithmetic, same results.
 */
export function sampleBicubicReach(p: SourcePatch, reach: Uint8Array | null, x: number, y: number, out: Float32Array): number {
  REACH_IO[0] = x;
  REACH_IO[1] = y;
  sampleBicubicReachIO(p, reach, REACH_IO, out);
  return REACH_IO[2]!;
}

/**
 * The position and coverage of {@link sampleBicubicReach} pass through this array: the wrapper is
 * small enough to be inlined into the warp's row kernels, the sampler is not, and a fractional
 * number crossing a call is boxed (a new heap number) — two arguments and the result per pixel,
 * ~7 MB of garbage per 1024² final turn. Typed-array slots carry the same doubles unboxed.
 */
const REACH_IO = new Float64Array(3);

/** {@link sampleBicubicReach} with the position in `io[0..1]`; writes the coverage (its result) to `io[2]`. */
function sampleBicubicReachIO(p: SourcePatch, reach: Uint8Array | null, io: Float64Array, out: Float32Array): void {
  const x = io[0]!, y = io[1]!;
  io[2] = 0;
  const lx = x - p.left, ly = y - p.top;
  const x0 = Math.floor(lx), y0 = Math.floor(ly);
  if (!(x0 >= 1 && y0 >= 1 && x0 <= p.width - 3 && y0 <= p.height - 3)) return;
  const rv = reach === null ? 1 : reach[y0 * p.width + x0]!;
  if (rv === 0) return;
  const tx = lx - x0, ty = ly - y0;
  const wx0 = ((-0.5 * tx + 1) * tx - 0.5) * tx, wx1 = (1.5 * tx - 2.5) * tx * tx + 1;
  const wx2 = ((-1.5 * tx + 2) * tx + 0.5) * tx, wx3 = (0.5 * tx - 0.5) * tx * tx;
  const wy0 = ((-0.5 * ty + 1) * ty - 0.5) * ty, wy1 = (1.5 * ty - 2.5) * ty * ty + 1;
  const wy2 = ((-1.5 * ty + 2) * ty + 0.5) * ty, wy3 = (0.5 * ty - 0.5) * ty * ty;
  const w = p.width, cov = p.cov;
  const base = (y0 - 1) * w + x0 - 1;
  const d = p.rgba;
  let c = 0;
  let r0 = 0, g0 = 0, b0 = 0, a0 = 0;
  if (rv === 2) {
    // Every tap solid (coverage and alpha 1): the same sums with the loads of the ones left out.
    const sx = wx0 + wx1 + wx2 + wx3;
    for (let j = 0; j < 4; j++) {
      const wy = j === 0 ? wy0 : j === 1 ? wy1 : j === 2 ? wy2 : wy3;
      if (wy === 0) continue;
      c += wy * sx;
    }
    if (c <= 0) return;
    if (c > 1) c = 1;
    for (let j = 0; j < 4; j++) {
      const wy = j === 0 ? wy0 : j === 1 ? wy1 : j === 2 ? wy2 : wy3;
      if (wy === 0) continue;
      const q = (base + j * w) * 4;
      const k0 = wx0 * wy, k1 = wx1 * wy, k2 = wx2 * wy, k3 = wx3 * wy;
      r0 += d[q]! * k0 + d[q + 4]! * k1 + d[q + 8]! * k2 + d[q + 12]! * k3;
      g0 += d[q + 1]! * k0 + d[q + 5]! * k1 + d[q + 9]! * k2 + d[q + 13]! * k3;
      b0 += d[q + 2]! * k0 + d[q + 6]! * k1 + d[q + 10]! * k2 + d[q + 14]! * k3;
      a0 += k0 + k1 + k2 + k3;
    }
  } else {
    for (let j = 0; j < 4; j++) {
      const wy = j === 0 ? wy0 : j === 1 ? wy1 : j === 2 ? wy2 : wy3;
      if (wy === 0) continue;
      const r = base + j * w;
      c += wy * (cov[r]! * wx0 + cov[r + 1]! * wx1 + cov[r + 2]! * wx2 + cov[r + 3]! * wx3);
    }
    if (c <= 0) return;
    if (c > 1) c = 1;
    for (let j = 0; j < 4; j++) {
      const wy = j === 0 ? wy0 : j === 1 ? wy1 : j === 2 ? wy2 : wy3;
      if (wy === 0) continue;
      const q = (base + j * w) * 4;
      const k0 = wx0 * wy, k1 = wx1 * wy, k2 = wx2 * wy, k3 = wx3 * wy;
      r0 += d[q]! * k0 + d[q + 4]! * k1 + d[q + 8]! * k2 + d[q + 12]! * k3;
      g0 += d[q + 1]! * k0 + d[q + 5]! * k1 + d[q + 9]! * k2 + d[q + 13]! * k3;
      b0 += d[q + 2]! * k0 + d[q + 6]! * k1 + d[q + 10]! * k2 + d[q + 14]! * k3;
      a0 += d[q + 3]! * k0 + d[q + 7]! * k1 + d[q + 11]! * k2 + d[q + 15]! * k3;
    }
  }
  if (a0 < 0) a0 = 0;
  else if (a0 > c) {
    // (The colour scaled with the alpha, as in sampleBicubic.)
    if (a0 > c * EDGE_SCALE_FROM) { const k = c / a0; r0 *= k; g0 *= k; b0 *= k; }
    a0 = c;
  }
  const hi = a0 * 255;
  out[0] = r0 < 0 ? 0 : r0 > hi ? hi : r0;
  out[1] = g0 < 0 ? 0 : g0 > hi ? hi : g0;
  out[2] = b0 < 0 ? 0 : b0 > hi ? hi : b0;
  out[3] = a0;
  io[2] = c;
}

/**
 * Keys cubic weights of one axis for sample position `v` (document coordinate) in a patch whose
 * first pixel is at `origin` and that has `size` pixels along the axis: writes the floor (patch
 * index) to `floors[k]` (−1 when the footprint leaves the patch: the sample is empty) and the four
 * weights to `weights[4k..4k+3]`, computed exactly as {@link sampleBicubic} does.
 */
export function bicubicAxis(v: number, origin: number, size: number, floors: Int32Array, weights: Float64Array, k: number): void {
  const l = v - origin;
  const f = Math.floor(l);
  if (!(f >= 1 && f <= size - 3)) { floors[k] = -1; return; }
  const t = l - f;
  floors[k] = f;
  weights[4 * k] = ((-0.5 * t + 1) * t - 0.5) * t;
  weights[4 * k + 1] = (1.5 * t - 2.5) * t * t + 1;
  weights[4 * k + 2] = ((-1.5 * t + 2) * t + 0.5) * t;
  weights[4 * k + 3] = (0.5 * t - 0.5) * t * t;
}

/**
 * {@link sampleBicubicReach} with the floors and weights given (from {@link bicubicAxis}: `x0`,
 * `wx[kx..kx+3]`, `y0`, `wy[ky..ky+3]`, both floors valid): same arithmetic in the same order.
 */
export function sampleBicubicTaps(
  p: SourcePatch, reach: Uint8Array, x0: number, y0: number, wx: Float64Array, kx: number, wy: Float64Array, ky: number, out: Float32Array,
): number {
  const rv = reach[y0 * p.width + x0]!;
  if (rv === 0) return 0;
  const wx0 = wx[kx]!, wx1 = wx[kx + 1]!, wx2 = wx[kx + 2]!, wx3 = wx[kx + 3]!;
  const w = p.width, cov = p.cov;
  const base = (y0 - 1) * w + x0 - 1;
  const d = p.rgba;
  let c = 0;
  let r0 = 0, g0 = 0, b0 = 0, a0 = 0;
  if (rv === 2) {
    const sx = wx0 + wx1 + wx2 + wx3;
    for (let j = 0; j < 4; j++) {
      const wyj = wy[ky + j]!;
      if (wyj === 0) continue;
      c += wyj * sx;
    }
    if (c <= 0) return 0;
    if (c > 1) c = 1;
    for (let j = 0; j < 4; j++) {
      const wyj = wy[ky + j]!;
      if (wyj === 0) continue;
      const q = (base + j * w) * 4;
      const k0 = wx0 * wyj, k1 = wx1 * wyj, k2 = wx2 * wyj, k3 = wx3 * wyj;
      r0 += d[q]! * k0 + d[q + 4]! * k1 + d[q + 8]! * k2 + d[q + 12]! * k3;
      g0 += d[q + 1]! * k0 + d[q + 5]! * k1 + d[q + 9]! * k2 + d[q + 13]! * k3;
      b0 += d[q + 2]! * k0 + d[q + 6]! * k1 + d[q + 10]! * k2 + d[q + 14]! * k3;
      a0 += k0 + k1 + k2 + k3;
    }
  } else {
    for (let j = 0; j < 4; j++) {
      const wyj = wy[ky + j]!;
      if (wyj === 0) continue;
      const r = base + j * w;
      c += wyj * (cov[r]! * wx0 + cov[r + 1]! * wx1 + cov[r + 2]! * wx2 + cov[r + 3]! * wx3);
    }
    if (c <= 0) return 0;
    if (c > 1) c = 1;
    for (let j = 0; j < 4; j++) {
      const wyj = wy[ky + j]!;
      if (wyj === 0) continue;
      const q = (base + j * w) * 4;
      const k0 = wx0 * wyj, k1 = wx1 * wyj, k2 = wx2 * wyj, k3 = wx3 * wyj;
      r0 += d[q]! * k0 + d[q + 4]! * k1 + d[q + 8]! * k2 + d[q + 12]! * k3;
      g0 += d[q + 1]! * k0 + d[q + 5]! * k1 + d[q + 9]! * k2 + d[q + 13]! * k3;
      b0 += d[q + 2]! * k0 + d[q + 6]! * k1 + d[q + 10]! * k2 + d[q + 14]! * k3;
      a0 += d[q + 3]! * k0 + d[q + 7]! * k1 + d[q + 11]! * k2 + d[q + 15]! * k3;
    }
  }
  if (a0 < 0) a0 = 0;
  else if (a0 > c) {
    // (The colour scaled with the alpha, as in sampleBicubic.)
    if (a0 > c * EDGE_SCALE_FROM) { const k = c / a0; r0 *= k; g0 *= k; b0 *= k; }
    a0 = c;
  }
  const hi = a0 * 255;
  out[0] = r0 < 0 ? 0 : r0 > hi ? hi : r0;
  out[1] = g0 < 0 ? 0 : g0 > hi ? hi : g0;
  out[2] = b0 < 0 ? 0 : b0 > hi ? hi : b0;
  out[3] = a0;
  return c;
}

/** The sampler for a quality level: bilinear for `preview`, clamped bicubic for `final`. */
export function samplerFor(quality: 'preview' | 'final'): PatchSampler {
  return quality === 'final' ? sampleBicubic : sampleBilinear;
}
