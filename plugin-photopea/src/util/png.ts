/**
 * PNG for the Photopea page, through UPNG.js (npm `upng-js`, MIT) — the PNG engine Photopea
 * itself uses, by Photopea's author. Photopea's `saveToOE("png")` writes palette PNGs for images
 * of ≤ 256 colours and 1/2/4-bit ones for ≤ 16 (a hard-edged selection mask has two colours), so
 * the page must read every PNG form: palette (1/2/4/8-bit, with tRNS), grey 1/2/4/8/16-bit,
 * grey+alpha, RGB, RGBA, 16-bit, Adam7-interlaced.
 *
 * 16-bit PNGs are converted to 8-bit once, here, with rounding (v·255/65535, not truncation);
 * {@link PngImage.sourceDepth} says it happened. Encoding (the result layer) is lossless:
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
  return new Uint8Array(UPNG.encode([rgba.buffer], width, height, 0));
}

const to8 = (hi: number, lo: number): number => Math.round(((hi << 8) | lo) * 255 / 65535);

/** 16-bit samples (big-endian, `ch` per pixel) to RGBA8 with rounding; tRNS ignored (Photopea writes alpha channels). */
function rgba8From16(raw: Uint8Array, n: number, ctype: number): Uint8ClampedArray {
  const ch = ctype === 0 ? 1 : ctype === 2 ? 3 : ctype === 4 ? 2 : 4;
  if (raw.length < n * ch * 2) throw new PngError('PNG image data is truncated');
  const out = new Uint8ClampedArray(n * 4);
  for (let i = 0, s = 0, d = 0; i < n; i++, s += ch * 2, d += 4) {
    if (ch <= 2) {
      const g = to8(raw[s]!, raw[s + 1]!);
      out[d] = g; out[d + 1] = g; out[d + 2] = g;
      out[d + 3] = ch === 2 ? to8(raw[s + 2]!, raw[s + 3]!) : 255;
    } else {
      out[d] = to8(raw[s]!, raw[s + 1]!); out[d + 1] = to8(raw[s + 2]!, raw[s + 3]!); out[d + 2] = to8(raw[s + 4]!, raw[s + 5]!);
      out[d + 3] = ch === 4 ? to8(raw[s + 6]!, raw[s + 7]!) : 255;
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
  if (depth === 16) data = rgba8From16(img.data, width * height, ctype);
  else {
    if (ctype === 3 && !img.tabs.PLTE) throw new PngError('palette PNG without PLTE');
    const frames = UPNG.toRGBA8(img);
    data = new Uint8ClampedArray(frames[0]!);
    if (data.length !== width * height * 4) throw new PngError('PNG image data is truncated');
  }
  return { width, height, data, sourceDepth: depth, sourceColorType: ctype };
}
