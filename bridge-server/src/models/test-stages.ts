/**
 * Fixtures of the learned-stages tests (learned-stages.test.ts, stages-follow-disk.test.ts): the
 * tiny generated models in a new temporary folder, a noise image and a rectangle mask.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateTinyModels, type TinyModels } from '../../../models/generate-tiny';
import { createRng } from '../core/random';
import type { Mask, RgbaImage } from '../core/types';

/** A new temporary folder (named from `prefix`) with the tiny models generated in its `tiny` folder; remove `tmp` after. */
export function tinyModelsIn(prefix: string): { tmp: string; tiny: TinyModels } {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { tmp, tiny: generateTinyModels(path.join(tmp, 'tiny')) };
}

/** An opaque `w`×`h` image of seeded noise. */
export function noiseImage(w: number, h: number, seed: number): RgbaImage {
  const rng = createRng(seed), data = new Uint8ClampedArray(w * h * 4);
  for (let i = 0; i < data.length; i += 4) {
    data[i] = rng() * 256; data[i + 1] = rng() * 256; data[i + 2] = rng() * 256; data[i + 3] = 255;
  }
  return { width: w, height: h, data };
}

/** A `w`×`h` mask, 255 in [x0, x1) × [y0, y1), 0 elsewhere. */
export function rectMask(w: number, h: number, x0: number, y0: number, x1: number, y1: number): Mask {
  const data = new Uint8Array(w * h);
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) data[y * w + x] = 255;
  return { width: w, height: h, data };
}
