/**
 * A picture in code for the elastic-drag tests: noise (core/textures.ts, seed 9) with a flat red
 * disc of radius 30 at (120, 120), and circles to select around it; as a PNG file for the tests that
 * open one (the CLI, the playground).
 */
import sharp from 'sharp';
import { makeTexture } from '../../bridge-server/src/core/textures';
import type { Point, RgbaImage } from '../../bridge-server/src/core/types';

/** Side of {@link discScene}. */
export const DISC_SCENE_SIDE = 240;

/** Noise-textured 240² picture with a flat red disc (the object) of radius 30 at (120, 120). */
export function discScene(): RgbaImage {
  const S = DISC_SCENE_SIDE;
  const img = makeTexture('noise', S, S, 9);
  for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) {
    if ((x - 120) ** 2 + (y - 120) ** 2 <= 30 * 30) { const i = (y * S + x) * 4; img.data[i] = 200; img.data[i + 1] = 30; img.data[i + 2] = 40; }
  }
  return img;
}

/** A circle of `n` points, radius `r` about (`cx`, `cy`). */
export const circle = (cx: number, cy: number, r: number, n = 48): Point[] =>
  Array.from({ length: n }, (_, i) => [cx + r * Math.cos((2 * Math.PI * i) / n), cy + r * Math.sin((2 * Math.PI * i) / n)] as Point);

/** {@link discScene} written to `file` as a PNG. */
export async function writeDiscScenePng(file: string): Promise<void> {
  const img = discScene();
  await sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength), { raw: { width: img.width, height: img.height, channels: 4 } }).png().toFile(file);
}
