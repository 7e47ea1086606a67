/**
 * Decoding an image file the playground opens to straight-alpha RGBA8, as the page's thread did
 * it and as the decode worker (util/decode-worker.ts) does it: the same steps, the same decoders
 * (UPNG.js for PNGs the browser cannot decode exactly, the browser's `createImageBitmap` for the
 * rest), the same canvas read; only where the canvas comes from differs ({@link DecodeEnv}: the
 * page's `<canvas>`, or an OffscreenCanvas in the worker). host/canvas-host.ts adds the EXIF.
 */
import { decodePng, encodePng } from './png';
import { orientRgba, exifWithOrientation } from './exif';
import { pngChunks, jpegSegments, webpChunks } from './containers';
import { FORMAT_TYPE, imageFormatOf, withJpegMetadata, withWebpMetadata, type ImageFormat } from './encode-image';

/**
 * How the browser decodes a file: its own numbers (colorSpaceConversion 'none': its profile
 * travels to the download), turned upright as its EXIF says where the browser does that.
 */
export const DECODE_OPTIONS: ImageBitmapOptions = { premultiplyAlpha: 'none', colorSpaceConversion: 'none', imageOrientation: 'from-image' };

/** {@link DECODE_OPTIONS}, converted to sRGB through the file's profile as the browser shows it. */
export const DECODE_TO_SRGB: ImageBitmapOptions = { ...DECODE_OPTIONS, colorSpaceConversion: 'default' };

/** Where a decode runs: the page's thread or the decode worker. */
export interface DecodeEnv {
  /** The pixels of a decoded bitmap, drawn onto a 2D canvas of its size and read back (the bitmap is closed). */
  read(bmp: ImageBitmap): ImageData;
  /** An empty (transparent) `width`×`height` canvas written as a file of `type`; null when it cannot be. */
  encode(width: number, height: number, type: string): Promise<Blob | null>;
}

/** Straight-alpha RGBA8 pixels; `sourceDepth`: a PNG's bits per channel where over 8. */
export interface DecodedPixels {
  width: number;
  height: number;
  data: Uint8ClampedArray;
  sourceDepth?: number;
}

/** From this many pixels on, an opaque 8-bit PNG is decoded by the browser ({@link browserDecodesExactly}). */
const BROWSER_PNG_MIN_PIXELS = 1 << 20;

/**
 * Whether the browser's decoder gives exactly the numbers of this PNG, and is worth it: 8 bits per
 * sample, grey, RGB or palette without transparency (`tRNS`) — opaque, so the canvas's
 * premultiplied alpha loses nothing — and at least {@link BROWSER_PNG_MIN_PIXELS}. UPNG.js is
 * slower than the browser's decoder (a 24 MP PNG took it 1.4 s, 48 MP 2.0 s). Alpha, 16-bit and
 * small PNGs stay with UPNG.js.
 */
export function browserDecodesExactly(bytes: Uint8Array): boolean {
  try {
    const chunks = pngChunks(bytes, 'IDAT');
    const ihdr = chunks[0];
    if (!ihdr || ihdr.type !== 'IHDR' || ihdr.size < 13) return false;
    const v = new DataView(bytes.buffer, bytes.byteOffset + ihdr.body, 13);
    const pixels = v.getUint32(0) * v.getUint32(4), depth = v.getUint8(8), colour = v.getUint8(9);
    return depth === 8 && (colour === 0 || colour === 2 || colour === 3) && pixels >= BROWSER_PNG_MIN_PIXELS && !chunks.some((c) => c.type === 'tRNS');
  } catch {
    return false;
  }
}

/** Whether a file goes to UPNG.js ({@link decodePixels}): a PNG the browser cannot decode exactly, not converted to sRGB. */
export function decodedByUpng(bytes: Uint8Array, toSrgb: boolean): boolean {
  const isPng = bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
  return isPng && !toSrgb && !browserDecodesExactly(bytes);
}

/**
 * The pixel count of a PNG, JPEG or WebP from its header (width × height as stored), or null when
 * the header cannot be read.
 */
export function imagePixelCount(bytes: Uint8Array): number | null {
  const b = bytes;
  try {
    const format = imageFormatOf(b);
    if (format === 'png') {
      // IHDR comes first: its width and height right after its type.
      if (b.length < 24 || String.fromCharCode(b[12]!, b[13]!, b[14]!, b[15]!) !== 'IHDR') return null;
      const v = new DataView(b.buffer, b.byteOffset + 16, 8);
      return v.getUint32(0) * v.getUint32(4);
    }
    if (format === 'jpeg') {
      for (const seg of jpegSegments(b).segments) {
        const m = seg.marker;
        // SOF0–SOF15, less DHT (C4), JPG (C8) and DAC (CC): length, precision, height, width.
        if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc && seg.end >= seg.at + 9) {
          return ((b[seg.at + 5]! << 8) | b[seg.at + 6]!) * ((b[seg.at + 7]! << 8) | b[seg.at + 8]!);
        }
      }
      return null;
    }
    if (format === 'webp') {
      for (const c of webpChunks(b)) {
        const s = c.body;
        const u24 = (p: number) => b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16);
        if (c.tag === 'VP8X' && c.size >= 10) return (u24(s + 4) + 1) * (u24(s + 7) + 1);
        // Key frame: 3-byte tag, start code 9d 01 2a, 14-bit width and height.
        if (c.tag === 'VP8 ' && c.size >= 10) return (((b[s + 6]! | (b[s + 7]! << 8)) & 0x3fff) * ((b[s + 8]! | (b[s + 9]! << 8)) & 0x3fff));
        // Signature 0x2f, then 14-bit width − 1 and height − 1.
        if (c.tag === 'VP8L' && c.size >= 5) {
          const bits = b[s + 1]! | (b[s + 2]! << 8) | (b[s + 3]! << 16) | (b[s + 4]! << 24);
          return ((bits & 0x3fff) + 1) * (((bits >>> 14) & 0x3fff) + 1);
        }
      }
    }
  } catch {
    return null;
  }
  return null;
}

const turnsUpright = new WeakMap<DecodeEnv, Map<ImageFormat, Promise<boolean | null>>>();

/**
 * Whether the browser's decoder, where `env` runs, turns a file of `format` upright as its EXIF
 * Orientation says (Chromium: JPEG and PNG yes, WebP no; it differs between browsers and
 * versions): a 2×1 file saying "turn 90°" is decoded, and comes out 1×2 where it does. Null when
 * it cannot be told (the browser cannot write the format to try).
 */
export function decoderTurnsUpright(format: ImageFormat, env: DecodeEnv): Promise<boolean | null> {
  let known = turnsUpright.get(env);
  if (!known) turnsUpright.set(env, (known = new Map()));
  let turned = known.get(format);
  if (!turned) {
    turned = (async () => {
      try {
        const exif = exifWithOrientation(6), px = { width: 2, height: 1, data: new Uint8ClampedArray(8).fill(255) };
        let file: Uint8Array;
        if (format === 'png') file = await encodePng(px, { exif });
        else {
          const blob = await env.encode(2, 1, FORMAT_TYPE[format]);
          if (!blob || blob.type !== FORMAT_TYPE[format]) return null;
          const enc = new Uint8Array(await blob.arrayBuffer());
          file = format === 'jpeg' ? withJpegMetadata(enc, { exif }) : withWebpMetadata(enc, { exif }, px);
        }
        const bmp = await createImageBitmap(new Blob([file as Uint8Array<ArrayBuffer>], { type: FORMAT_TYPE[format] }), DECODE_OPTIONS);
        const upright = bmp.width === 1 && bmp.height === 2;
        bmp.close();
        return upright;
      } catch {
        return null;
      }
    })();
    known.set(format, turned);
  }
  return turned;
}

/**
 * The pixels of an image file (`type`: its MIME type, as the browser's decoder is told it) as
 * shown — turned upright as its EXIF `orientation` says — and whether they are upright (null:
 * cannot be told): PNGs the browser cannot decode exactly through UPNG.js (turned here), the rest
 * (and PNGs UPNG.js cannot read: interlaced 1-bit) through the browser's decoder, read from a
 * canvas in `env`. `toSrgb`: converted to sRGB through the file's profile by the browser.
 */
export async function decodePixels(bytes: Uint8Array, type: string, opts: { toSrgb?: boolean; orientation: number }, env: DecodeEnv): Promise<[DecodedPixels, boolean | null]> {
  if (decodedByUpng(bytes, !!opts.toSrgb)) {
    try {
      const png = await decodePng(bytes);
      // The PNG codec does not turn it: turned here, as browsers show it.
      const px = orientRgba({ width: png.width, height: png.height, data: png.data }, opts.orientation);
      return [{ ...px, ...(png.sourceDepth && png.sourceDepth > 8 ? { sourceDepth: png.sourceDepth } : {}) }, true];
    } catch {
      // Interlaced 1-bit PNGs: fall through to the browser's decoder.
    }
  }
  const bmp = await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>], { type }), opts.toSrgb ? DECODE_TO_SRGB : DECODE_OPTIONS);
  const id = env.read(bmp);
  const format = imageFormatOf(bytes);
  return [{ width: id.width, height: id.height, data: id.data }, opts.orientation === 1 ? true : format ? await decoderTurnsUpright(format, env) : null];
}
