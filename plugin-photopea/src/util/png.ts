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
 * Encoding (the result layer) is lossless:
 * `UPNG.encode(…, 0)` never quantises, it only picks the smallest exact form.
 */
import * as UPNG from 'upng-js';

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

/**
 * Encode straight-alpha RGBA8 pixels as a PNG with UPNG.js, lossless (it picks palette or
 * true colour, whichever is exact and smaller). Decoding gives back the same bytes.
 */
export async function encodePng(img: { width: number; height: number; data: ArrayLike<number> }): Promise<Uint8Array> {
  const { width, height, data } = img;
  if (!(width > 0 && height > 0) || data.length !== width * height * 4) {
    throw new RangeError(`encodePng: ${width}x${height} needs ${width * height * 4} bytes, got ${data.length}`);
  }
  const rgba = new Uint8Array(width * height * 4);
  rgba.set(data);
  return withoutChunk(new Uint8Array(UPNG.encode([rgba.buffer], width, height, 0)), 'sRGB');
}

/**
 * Drop every chunk of a type. UPNG.encode always writes an `sRGB` chunk; the result layer's
 * numbers are the document's own (read from it, in its profile), so tagging them sRGB would
 * invite a conversion into an Adobe RGB / ProPhoto document on paste: the file carries no
 * colour tag instead (the numbers go in unchanged).
 */
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
