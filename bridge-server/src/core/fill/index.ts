/**
 * Fill stage: fills the vacated area of the edited crop.
 * PLACEHOLDER (issue #4 replaces the body): leaves the hole transparent.
 */
import type { Filler, Mask, RgbaImage } from '../types';

export interface FillStageInput {
  /** Edited crop, filled in place. */
  image: RgbaImage;
  /** Vacated pixels to fill (source − target − keep), crop-sized. */
  hole: Mask;
  /** Pixels never used as exemplar sources (hole ∪ new target position), crop-sized. */
  forbidden: Mask;
  quality: 'preview' | 'final';
  seed: number;
  /** Injected filler (e.g. learned inpainting); default is classical. */
  filler?: Filler;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
}

export async function fillHole(input: FillStageInput): Promise<void> {
  const { image, hole } = input;
  if (input.filler) {
    await input.filler.fill(image, hole, input.forbidden, { seed: input.seed, signal: input.signal, onProgress: input.onProgress });
    return;
  }
  for (let p = 0; p < hole.data.length; p++) if (hole.data[p]! > 0) image.data[p * 4 + 3] = 0;
}
