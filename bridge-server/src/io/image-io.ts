/** Image file I/O with sharp: PNG/JPEG (anything sharp reads) in, PNG out. Node only. */
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import type { Mask, RgbaImage } from '../core/types';

/**
 * Decode an image buffer to straight-alpha RGBA8 (16-bit, grey, palette and CMYK inputs come out as
 * 8-bit sRGB RGBA; an embedded ICC profile is converted to sRGB). With `upright`, an EXIF
 * orientation is applied first, so the pixels stand as every viewer (and Photoshop) shows the file.
 */
export async function decodeImage(buf: Buffer | Uint8Array, opts: { upright?: boolean } = {}): Promise<RgbaImage> {
  const s = sharp(buf);
  const { data, info } = await (opts.upright ? s.autoOrient() : s).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength) };
}

/**
 * Read an image file as the user sees it: decoded once from the file's own bytes (a JPEG is not
 * re-encoded on the way: every pixel outside the edit stays the file's own), EXIF orientation
 * applied (a phone photo taken upright is read upright, so a case's coordinates — picked in a
 * viewer or in Photoshop — land where the user put them).
 */
export async function readImage(path: string): Promise<RgbaImage> {
  return decodeImage(await readFile(path), { upright: true });
}

/** Encode RGBA8 to PNG. */
export async function encodePng(img: RgbaImage): Promise<Buffer> {
  return sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength), {
    raw: { width: img.width, height: img.height, channels: 4 },
  }).png({ compressionLevel: 6 }).toBuffer();
}

export async function writePng(path: string, img: RgbaImage): Promise<void> {
  await sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength), {
    raw: { width: img.width, height: img.height, channels: 4 },
  }).png().toFile(path);
}

/** Encode a gray8 mask as a PNG. */
export async function encodeMaskPng(m: Mask): Promise<Buffer> {
  return sharp(Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength), {
    raw: { width: m.width, height: m.height, channels: 1 },
  }).png().toBuffer();
}

/** Decode a mask image (any format) to gray8, using the first channel. */
export async function decodeMask(buf: Buffer | Uint8Array): Promise<Mask> {
  const { data, info } = await sharp(buf).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/** `img` resampled to `width × height` (Lanczos 3, aspect not kept): a larger or smaller photo of the same scene. */
export async function resizeImage(img: RgbaImage, width: number, height: number): Promise<RgbaImage> {
  const { data } = await sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength), { raw: { width: img.width, height: img.height, channels: 4 } })
    .resize(width, height, { kernel: 'lanczos3', fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
  return { width, height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.length) };
}
