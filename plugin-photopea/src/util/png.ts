/**
 * PNG for the Photopea page, through UPNG.js (npm `upng-js`, MIT) — the PNG engine Photopea
 * itself uses, by Photopea's author. Photopea's `saveToOE("png")` writes palette PNGs for images
 * of ≤ 256 colours and 1/2/4-bit ones for ≤ 16 (a hard-edged selection mask has two colours), so
 * the page must read every PNG form: palette (1/2/4/8-bit, with tRNS), grey 1/2/4/8/16-bit,
 * grey+alpha, RGB, RGBA, 16-bit, Adam7-interlaced.
 *
 * 16-bit PNGs are converted to 8-bit once, here, with rounding (v·255/65535, not truncation);
 * {@link PngImage.sourceDepth} says it happened. Grey PNGs (every depth) and 16-bit ones are
 * converted to RGBA here, not by UPNG.js 2.1.0's toRGBA8, which shears 1/2/4-bit grey rows that do
 * not fill whole bytes and drops a grey tRNS of value 0; tRNS of grey and 16-bit RGB is honoured.
 * Encoding (the result layer, the playground's download) is lossless: up to 1 MP through
 * `UPNG.encode(…, 0)`, which never quantises, it only picks the smallest exact form; larger images
 * are written here and deflated by the platform's zlib, in bands, the page getting its turn every
 * {@link YIELD_AFTER_MS} ms ({@link STREAM_ENCODE_MIN_PIXELS}). An ICC profile can be embedded ({@link embeddedIccProfile}
 * reads one from PNG, JPEG and WebP files), and EXIF (an `eXIf` chunk).
 */
import * as UPNG from 'upng-js';
import { throwIfAborted } from './abort';
import { yieldToPage } from './yield';
import { appSegmentBody, jpegSegments, pngChunks, webpChunks } from './containers';
import { PNG_XMP_KEYWORD } from './xmp';

/** Straight-alpha RGBA8 pixels. */
export interface PngImage {
  width: number;
  height: number;
  data: Uint8ClampedArray;
  /** Bit depth of the PNG that was read (16 means it was converted to 8 bits here). */
  sourceDepth?: number;
  /** PNG colour type of the file that was read (3 = palette). */
  sourceColorType?: number;
}

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10] as const;

/** Error thrown for PNG data this codec cannot read. */
export class PngError extends Error {
  /** Always `bad_png`. */
  readonly code = 'bad_png';
  constructor(message: string) {
    super(message);
    this.name = 'PngError';
  }
}

/** What {@link encodePng} may be told besides the pixels. */
export interface EncodePngOptions {
  /**
   * An ICC profile to embed (an `iCCP` chunk): the pixels' numbers are in that profile's space
   * (the playground's download carries the opened file's profile, so a Display P3 or Adobe RGB
   * photo is shown as it was). Without it the file carries no colour tag.
   */
  icc?: Uint8Array | null;
  /**
   * EXIF to embed (an `eXIf` chunk: TIFF bytes from the byte-order mark, as
   * `exifForOutput` makes them), the opened file's camera, date, place…
   */
  exif?: Uint8Array | null;
  /** XMP to embed (an uncompressed `iTXt` chunk `XML:com.adobe.xmp`: the packet's UTF-8 bytes). */
  xmp?: Uint8Array | null;
  /** Progress of a large encoding, 0..1 (called between bands of rows). */
  onProgress?: (fraction: number) => void;
  /**
   * Cancels the encoding: checked between its slices (and before and after a small image's), it
   * then rejects with an `AbortError` (util/abort.ts).
   */
  signal?: AbortSignal;
}

/**
 * From this many pixels on, {@link encodePng} writes the PNG itself and deflates it with the
 * platform's zlib (`CompressionStream('deflate')`, native) in bands of rows, giving the page its
 * turn through a timer every {@link YIELD_AFTER_MS} ms (the stream's own promises settle as
 * microtasks, which let no input or painting through). UPNG.js deflates the whole image twice in JavaScript on the calling
 * thread: 17–23 s of a frozen page for a 24–48 MP download, and seconds for a large result layer.
 */
export const STREAM_ENCODE_MIN_PIXELS = 1 << 20;

/**
 * Encode straight-alpha RGBA8 pixels as a lossless PNG (decoding gives back the same bytes).
 * Up to {@link STREAM_ENCODE_MIN_PIXELS} with UPNG.js, which picks palette or true colour,
 * whichever is exact and smaller (Photopea's own engine); larger images as RGB (when every pixel
 * is opaque) or RGBA, each row filtered by the usual minimum-sum heuristic, deflated natively.
 */
export async function encodePng(img: { width: number; height: number; data: ArrayLike<number> }, opts: EncodePngOptions = {}): Promise<Uint8Array> {
  const { width, height, data } = img;
  if (!(width > 0 && height > 0) || data.length !== width * height * 4) {
    throw new RangeError(`encodePng: ${width}x${height} needs ${width * height * 4} bytes, got ${data.length}`);
  }
  const native = typeof CompressionStream === 'function';
  throwIfAborted(opts.signal);
  let png: Uint8Array;
  if (width * height < STREAM_ENCODE_MIN_PIXELS || !native) {
    const rgba = new Uint8Array(width * height * 4);
    rgba.set(data);
    png = withIend(withoutChunk(new Uint8Array(UPNG.encode([rgba.buffer], width, height, 0)), 'sRGB'));
  } else {
    png = await encodeStreamed(width, height, data, opts.onProgress, opts.signal);
  }
  throwIfAborted(opts.signal);
  // (Without the platform's zlib — browsers before 2023 — the profile cannot be compressed here: left out.)
  if (opts.icc && opts.icc.length > 0 && native) png = withChunkAfterHeader(png, 'iCCP', await iccpBody(opts.icc));
  throwIfAborted(opts.signal);
  // Before the image data, where readers that stop there find them.
  if (opts.xmp && opts.xmp.length > 0) png = withChunkAfterHeader(png, 'iTXt', xmpItxtBody(opts.xmp));
  if (opts.exif && opts.exif.length > 0) png = withChunkAfterHeader(png, 'eXIf', opts.exif);
  opts.onProgress?.(1);
  return png;
}

/** Bytes of raw (filtered) rows handed to the deflate stream at a time. */
const BAND_BYTES = 1 << 18;
/** The page gets its turn (input, painting) after this much encoding. */
const YIELD_AFTER_MS = 25;

async function encodeStreamed(width: number, height: number, data: ArrayLike<number>, onProgress?: (f: number) => void, signal?: AbortSignal): Promise<Uint8Array> {
  let alphaAnd = 255;
  // The page's turn (a timer: the stream's promises settle as microtasks; in a hidden page a
  // message, yieldToPage — its timers run once a second: a 4 MP PNG took 25 s, not 1 s)
  // once a slice of work is done; a cancel (`signal`) is taken at each turn, so within one slice.
  let slice = performance.now();
  const turn = async (): Promise<void> => {
    throwIfAborted(signal);
    if (performance.now() - slice <= YIELD_AFTER_MS) return;
    await yieldToPage();
    throwIfAborted(signal);
    slice = performance.now();
  };
  for (let i = 3; i < data.length; i += 4) {
    alphaAnd &= data[i]!;
    if (((i >> 2) & 0x3ffff) === 0) await turn(); // every 256 K pixels
  }
  const bpp = alphaAnd === 255 ? 3 : 4, bpl = width * bpp;
  const cs = new CompressionStream('deflate');
  const writer = cs.writable.getWriter();
  const out: Uint8Array[] = [];
  const reading = (async () => {
    const reader = cs.readable.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      out.push(value);
    }
  })();
  let prev = new Uint8Array(bpl), cur = new Uint8Array(bpl);
  const sums = new Float64Array(5);
  const rowsPerBand = Math.max(1, Math.floor(BAND_BYTES / (bpl + 1)));
  try {
    for (let y0 = 0; y0 < height; y0 += rowsPerBand) {
      const rows = Math.min(rowsPerBand, height - y0);
      const band = new Uint8Array(rows * (bpl + 1));
      for (let r = 0; r < rows; r++) {
        const y = y0 + r;
        const t = prev; prev = cur; cur = t;
        // cur ← row y (RGB or RGBA); prev holds row y − 1 (zeros above the first row).
        if (y === 0) prev.fill(0);
        if (bpp === 4) for (let x = 0, s = y * width * 4; x < bpl; x++) cur[x] = data[s + x]!;
        else for (let x = 0, s = y * width * 4, d = 0; x < width; x++, s += 4, d += 3) { cur[d] = data[s]!; cur[d + 1] = data[s + 1]!; cur[d + 2] = data[s + 2]!; }
        const o = r * (bpl + 1);
        band[o] = filterRow(cur, prev, bpp, sums, band, o + 1);
      }
      await writer.ready;
      await writer.write(band);
      onProgress?.(Math.min(0.99, (y0 + rows) / height));
      // The stream's promises settle as microtasks: without a timer now and then the whole encoding
      // was one task (3 s of a frozen page at 24 MP, 7 s at 48, the progress line never painted).
      await turn();
    }
    await writer.close();
  } catch (e) {
    await writer.abort(e).catch(() => undefined);
    reading.catch(() => undefined); // its stream errored with the abort: nothing left to read
    throw e;
  }
  await reading;
  let zlen = 0;
  for (const c of out) zlen += c.length;
  // IDAT chunks of at most 1 MiB (any split is valid; readers join them).
  const IDAT_MAX = 1 << 20;
  const nIdat = Math.max(1, Math.ceil(zlen / IDAT_MAX));
  const total = 8 + 25 + nIdat * 12 + zlen + 12;
  const png = new Uint8Array(total);
  png.set(SIGNATURE, 0);
  let p = 8;
  const ihdr = new Uint8Array(13);
  const iv = new DataView(ihdr.buffer);
  iv.setUint32(0, width); iv.setUint32(4, height);
  ihdr[8] = 8; ihdr[9] = bpp === 4 ? 6 : 2; // 8-bit RGBA / RGB, deflate, adaptive filtering, no interlace
  p = putChunk(png, p, 'IHDR', ihdr);
  // The deflated stream copied into consecutive IDAT bodies.
  let ci = 0, co = 0;
  for (let k = 0; k < nIdat; k++) {
    const len = Math.min(IDAT_MAX, zlen - k * IDAT_MAX);
    const start = p;
    new DataView(png.buffer).setUint32(p, len);
    png[p + 4] = 73; png[p + 5] = 68; png[p + 6] = 65; png[p + 7] = 84; // IDAT
    let w = p + 8, left = len;
    while (left > 0) {
      const c = out[ci]!;
      const n = Math.min(left, c.length - co);
      png.set(c.subarray(co, co + n), w);
      w += n; left -= n; co += n;
      if (co === c.length) { ci++; co = 0; }
    }
    new DataView(png.buffer).setUint32(w, crc32(png, start + 4, w));
    p = w + 4;
    await turn();
  }
  p = putChunk(png, p, 'IEND', new Uint8Array(0));
  return png;
}

/**
 * Filter one row into `dst` at `at` with the filter of smallest sum of absolute (signed) residuals
 * (the PNG spec's suggested heuristic; none, Sub, Up, Average, Paeth), the sums taken over every
 * fourth pixel of the row (the choice costs a quarter as much; the files of the 9 shared photos
 * grew 0.13%: 6,887,153 against 6,878,027 bytes);
 * returns the filter type.
 */
function filterRow(cur: Uint8Array, prev: Uint8Array, bpp: number, sums: Float64Array, dst: Uint8Array, at: number): number {
  const n = cur.length;
  sums.fill(0);
  for (let p0 = 0; p0 < n; p0 += 4 * bpp) for (let x = p0; x < p0 + bpp && x < n; x++) {
    const v = cur[x]!, a = x >= bpp ? cur[x - bpp]! : 0, b = prev[x]!, c = x >= bpp ? prev[x - bpp]! : 0;
    const r0 = v, r1 = (v - a) & 255, r2 = (v - b) & 255, r3 = (v - ((a + b) >> 1)) & 255, r4 = (v - paeth(a, b, c)) & 255;
    sums[0] += r0 < 128 ? r0 : 256 - r0;
    sums[1] += r1 < 128 ? r1 : 256 - r1;
    sums[2] += r2 < 128 ? r2 : 256 - r2;
    sums[3] += r3 < 128 ? r3 : 256 - r3;
    sums[4] += r4 < 128 ? r4 : 256 - r4;
  }
  let f = 0;
  for (let k = 1; k < 5; k++) if (sums[k]! < sums[f]!) f = k;
  for (let x = 0; x < n; x++) {
    const v = cur[x]!, a = x >= bpp ? cur[x - bpp]! : 0, b = prev[x]!;
    dst[at + x] = f === 0 ? v : f === 1 ? (v - a) & 255 : f === 2 ? (v - b) & 255 : f === 3 ? (v - ((a + b) >> 1)) & 255 : (v - paeth(a, b, x >= bpp ? prev[x - bpp]! : 0)) & 255;
  }
  return f;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

let CRC_TABLE: Uint32Array | null = null;

/** CRC-32 (ISO-HDLC, as PNG chunks use) of bytes [from, to). */
function crc32(bytes: Uint8Array, from: number, to: number): number {
  let t = CRC_TABLE;
  if (!t) {
    t = CRC_TABLE = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      t[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = from; i < to; i++) c = t[(c ^ bytes[i]!) & 255]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Write one chunk (length, type, body, CRC) at `p`; returns the offset after it. */
function putChunk(png: Uint8Array, p: number, type: string, body: Uint8Array): number {
  const v = new DataView(png.buffer, png.byteOffset, png.byteLength);
  v.setUint32(p, body.length);
  for (let i = 0; i < 4; i++) png[p + 4 + i] = type.charCodeAt(i);
  png.set(body, p + 8);
  v.setUint32(p + 8 + body.length, crc32(png, p + 4, p + 8 + body.length));
  return p + 12 + body.length;
}

/** A PNG with one more chunk right after IHDR (where `iCCP` must come: before PLTE and IDAT). */
/** The body of an uncompressed `iTXt` chunk `XML:com.adobe.xmp` holding `xmp` (no language, no translated keyword). */
function xmpItxtBody(xmp: Uint8Array): Uint8Array {
  const head = Uint8Array.from(`${PNG_XMP_KEYWORD}\0\0\0\0\0`, (c) => c.charCodeAt(0));
  const body = new Uint8Array(head.length + xmp.length);
  body.set(head, 0);
  body.set(xmp, head.length);
  return body;
}

function withChunkAfterHeader(png: Uint8Array, type: string, body: Uint8Array): Uint8Array {
  const ihdrEnd = 8 + 12 + new DataView(png.buffer, png.byteOffset, png.byteLength).getUint32(8);
  const out = new Uint8Array(png.length + 12 + body.length);
  out.set(png.subarray(0, ihdrEnd), 0);
  const p = putChunk(out, ihdrEnd, type, body);
  out.set(png.subarray(ihdrEnd), p);
  return out;
}

/** Run bytes through the platform's zlib (`deflate` = RFC 1950 zlib streams, as PNG wants). */
async function zlibStream(bytes: Uint8Array, how: 'compress' | 'decompress'): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(how === 'compress' ? new CompressionStream('deflate') : new DecompressionStream('deflate'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** The body of an `iCCP` chunk: a profile name, its terminator, compression method 0 and the zlib-compressed profile. */
async function iccpBody(icc: Uint8Array): Promise<Uint8Array> {
  const name = 'ICC profile';
  const z = await zlibStream(icc, 'compress');
  const body = new Uint8Array(name.length + 2 + z.length);
  for (let i = 0; i < name.length; i++) body[i] = name.charCodeAt(i);
  body[name.length] = 0;
  body[name.length + 1] = 0;
  body.set(z, name.length + 2);
  return body;
}

/**
 * The colour space an ICC profile's data is in (its header's data colour space: 'RGB', 'CMYK',
 * 'GRAY', 'Lab'…), or null when it is too short to say.
 */
export function iccColourSpace(icc: Uint8Array): string | null {
  if (icc.length < 20) return null;
  return String.fromCharCode(icc[16]!, icc[17]!, icc[18]!, icc[19]!).trim();
}

/**
 * The ICC profile embedded in an image file — PNG (`iCCP`), JPEG (APP2 `ICC_PROFILE` segments, in
 * their sequence) or WebP (`ICCP` chunk) — or null when there is none, it is incomplete or it is
 * not a profile, or the file's chunks or segments cannot be followed. A PNG tagged `sRGB` (or
 * untagged) gives null: viewers read it as sRGB anyway.
 */
export async function embeddedIccProfile(bytes: Uint8Array): Promise<Uint8Array | null> {
  const b = bytes, n = b.length;
  const valid = (icc: Uint8Array | null) => (icc && icc.length >= 132 && String.fromCharCode(icc[36]!, icc[37]!, icc[38]!, icc[39]!) === 'acsp' ? icc : null);
  try {
    if (n >= 8 && SIGNATURE.every((v, i) => b[i] === v)) {
      // iCCP comes before the image data.
      const c = pngChunks(b, 'IDAT').find((x) => x.type === 'iCCP');
      if (!c) return null;
      let z = c.body;
      while (z < c.body + c.size && b[z] !== 0) z++;
      if (b[z + 1] !== 0) return null; // compression method 0 only
      return valid(await zlibStream(b.subarray(z + 2, c.body + c.size), 'decompress'));
    }
    if (n >= 4 && b[0] === 0xff && b[1] === 0xd8) {
      const parts = new Map<number, Uint8Array>();
      let count = 0;
      for (const seg of jpegSegments(b).segments) {
        const body = appSegmentBody(b, seg, 0xe2, 'ICC_PROFILE\0');
        if (!body || body.length < 2) continue;
        parts.set(body[0]!, body.subarray(2));
        count = body[1]!;
      }
      if (count === 0 || parts.size !== count) return null;
      let total = 0;
      for (let k = 1; k <= count; k++) { const part = parts.get(k); if (!part) return null; total += part.length; }
      const icc = new Uint8Array(total);
      for (let k = 1, o = 0; k <= count; k++) { const part = parts.get(k)!; icc.set(part, o); o += part.length; }
      return valid(icc);
    }
    if (n >= 12 && b[0] === 0x52 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x46) {
      const c = webpChunks(b).find((x) => x.tag === 'ICCP');
      return c ? valid(b.slice(c.body, c.body + c.size)) : null;
    }
  } catch {
    return null;
  }
  return null;
}

/**
 * Drop every chunk of a type. UPNG.encode always writes an `sRGB` chunk; the result layer's
 * numbers are the document's own (read from it, in its profile), so tagging them sRGB would
 * invite a conversion into an Adobe RGB / ProPhoto document on paste: the file carries no
 * colour tag instead (the numbers go in unchanged).
 */
/** The IEND chunk (empty; its CRC is that of "IEND"). */
const IEND = new Uint8Array([0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]);

/**
 * `png` ending with IEND: UPNG.js 2.1.0 sizes its buffer 8 bytes short for images of 1–3 pixels
 * (1×1, 1×2, 2×1, 1×3: the IEND chunk cut after its length, which {@link withoutChunk} drops), a file
 * Chromium refuses ("could not be decoded"; libpng reads it). Complete chunks are kept as they are.
 */
function withIend(png: Uint8Array): Uint8Array {
  const n = png.length;
  if (n >= 20 && png[n - 8] === 0x49 && png[n - 7] === 0x45 && png[n - 6] === 0x4e && png[n - 5] === 0x44) return png;
  const out = new Uint8Array(n + IEND.length);
  out.set(png);
  out.set(IEND, n);
  return out;
}

function withoutChunk(png: Uint8Array, type: string): Uint8Array {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const parts: Uint8Array[] = [png.subarray(0, 8)];
  let p = 8, total = 8;
  while (p + 12 <= png.length) {
    const len = view.getUint32(p);
    const t = String.fromCharCode(png[p + 4]!, png[p + 5]!, png[p + 6]!, png[p + 7]!);
    if (t !== type) { parts.push(png.subarray(p, p + 12 + len)); total += 12 + len; }
    p += 12 + len;
  }
  const out = new Uint8Array(total);
  let o = 0;
  for (const part of parts) { out.set(part, o); o += part.length; }
  return out;
}

const to8 = (hi: number, lo: number): number => Math.round(((hi << 8) | lo) * 255 / 65535);

/**
 * The tRNS chunk's sample values for grey (one) and RGB (three) PNGs: pixels whose samples equal
 * them exactly (at the file's bit depth, 16 bits included) are transparent. Null when there is
 * none. (UPNG.js keeps them in `tabs.tRNS`: a number for grey — 0 is a valid value — and an array
 * for RGB.)
 */
function transparentKey(img: UPNG.UpngImage): number[] | null {
  if (!('tRNS' in img.tabs)) return null;
  const t = img.tabs['tRNS'];
  if (img.ctype === 0 && typeof t === 'number') return [t];
  if (img.ctype === 2 && Array.isArray(t) && t.length === 3) return t as number[];
  return null;
}

/**
 * Grey PNGs of every depth (1/2/4/8/16) to RGBA8, row by row. Each scanline starts on a new byte
 * (`ceil(width·depth/8)` bytes a row, the unused low bits of its last byte padding): UPNG.js
 * 2.1.0's toRGBA8 reads samples below 8 bits as one stream across rows, which shears every row
 * after the first when the width does not fill whole bytes, and it drops a tRNS of value 0.
 * Samples below 8 bits are scaled to full range (1-bit ×255, 2-bit ×85, 4-bit ×17), 16-bit ones
 * rounded to 8 bits; a sample equal to the tRNS value is transparent.
 */
function rgba8FromGrey(raw: Uint8Array, width: number, height: number, depth: number, key: number | null): Uint8ClampedArray {
  const bpl = Math.ceil((width * depth) / 8);
  if (raw.length < bpl * height) throw new PngError('PNG image data is truncated');
  const out = new Uint8ClampedArray(width * height * 4);
  const max = 2 ** Math.min(depth, 8) - 1, step = 255 / max, mask = (1 << depth) - 1;
  for (let y = 0, d = 0; y < height; y++) {
    const row = y * bpl;
    for (let x = 0; x < width; x++, d += 4) {
      let v: number, g: number;
      if (depth === 16) {
        v = (raw[row + x * 2]! << 8) | raw[row + x * 2 + 1]!;
        g = to8(raw[row + x * 2]!, raw[row + x * 2 + 1]!);
      } else if (depth === 8) {
        v = g = raw[row + x]!;
      } else {
        const bit = x * depth;
        v = (raw[row + (bit >> 3)]! >> (8 - depth - (bit & 7))) & mask;
        g = v * step;
      }
      out[d] = g; out[d + 1] = g; out[d + 2] = g;
      out[d + 3] = v === key ? 0 : 255;
    }
  }
  return out;
}

/** 16-bit samples (big-endian, `ch` per pixel) to RGBA8 with rounding; an RGB tRNS key makes its exact 16-bit colour transparent. */
function rgba8From16(raw: Uint8Array, n: number, ctype: number, key: number[] | null): Uint8ClampedArray {
  const ch = ctype === 2 ? 3 : ctype === 4 ? 2 : 4;
  if (raw.length < n * ch * 2) throw new PngError('PNG image data is truncated');
  const out = new Uint8ClampedArray(n * 4);
  const u16 = (s: number) => (raw[s]! << 8) | raw[s + 1]!;
  for (let i = 0, s = 0, d = 0; i < n; i++, s += ch * 2, d += 4) {
    if (ch === 2) {
      const g = to8(raw[s]!, raw[s + 1]!);
      out[d] = g; out[d + 1] = g; out[d + 2] = g;
      out[d + 3] = to8(raw[s + 2]!, raw[s + 3]!);
    } else {
      out[d] = to8(raw[s]!, raw[s + 1]!); out[d + 1] = to8(raw[s + 2]!, raw[s + 3]!); out[d + 2] = to8(raw[s + 4]!, raw[s + 5]!);
      out[d + 3] = ch === 4 ? to8(raw[s + 6]!, raw[s + 7]!) : key && u16(s) === key[0] && u16(s + 2) === key[1] && u16(s + 4) === key[2] ? 0 : 255;
    }
  }
  return out;
}

/** Decode any PNG (every colour type and bit depth, interlaced or not) to straight-alpha RGBA8. Throws {@link PngError}. */
export async function decodePng(bytes: Uint8Array): Promise<PngImage> {
  for (let i = 0; i < 8; i++) if (bytes[i] !== SIGNATURE[i]) throw new PngError('not a PNG file');
  let img: UPNG.UpngImage;
  try {
    img = UPNG.decode(bytes.slice().buffer);
  } catch (e) {
    throw new PngError(`PNG cannot be read: ${e instanceof Error ? e.message : String(e)}`);
  }
  const { width, height, depth, ctype } = img;
  // UPNG.js 2.1.0 places 1-bit samples of Adam7 passes wrongly; Photopea (UPNG.encode) never
  // writes interlaced PNGs, so only a user file can be one: refuse it clearly (the playground
  // then falls back to the browser's decoder).
  if (depth === 1 && bytes[28] === 1) throw new PngError('interlaced 1-bit PNG not supported (save it without interlacing)');
  if (!(width > 0 && height > 0) || !img.data) throw new PngError('PNG has no IHDR or IDAT');
  if (![0, 2, 3, 4, 6].includes(ctype)) throw new PngError(`colour type ${ctype} not supported`);
  let data: Uint8ClampedArray;
  const key = transparentKey(img);
  // Grey of every depth is converted here (UPNG.js 2.1.0 shears sub-byte rows and drops a tRNS of 0).
  if (ctype === 0) data = rgba8FromGrey(img.data, width, height, depth, key?.[0] ?? null);
  else if (depth === 16) data = rgba8From16(img.data, width * height, ctype, key);
  else {
    if (ctype === 3 && !img.tabs.PLTE) throw new PngError('palette PNG without PLTE');
    const frames = UPNG.toRGBA8(img);
    data = new Uint8ClampedArray(frames[0]!);
    if (data.length !== width * height * 4) throw new PngError('PNG image data is truncated');
  }
  return { width, height, data, sourceDepth: depth, sourceColorType: ctype };
}
