/** Image file I/O with sharp: PNG/JPEG (anything sharp reads) in, PNG out. Node only. */
import sharp from 'sharp';
import type { Mask, RgbaImage } from '../core/types';

/** Decode an image buffer to straight-alpha RGBA8. */
export async function decodeImage(buf: Buffer | Uint8Array): Promise<RgbaImage> {
  const { data, info } = await sharp(buf).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength) };
}

export async function readImage(path: string): Promise<RgbaImage> {
  return decodeImage(await sharp(path).toBuffer());
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
