/**
 * Fill stage: fills the vacated area of the edited crop (ALGORITHMS.md §3.4).
 * Preview: pull-push interpolation (a few ms). Final: the injected `filler` (e.g. a learned
 * model) when given, else multi-scale PatchMatch with EM voting.
 */
import type { Filler, Mask, RgbaImage } from '../types';
import { fillPushPullCoarse } from './push-pull';
import { PatchMatchFiller } from './patch-match';

export { fillPushPull, fillPushPullCoarse, pushPullFill, pushPullFillScaled, pushPullFactor, holeBox, growBox, type Box } from './push-pull';
export { fillPatchMatch, PatchMatchFiller, type PatchMatchOptions } from './patch-match';

export interface FillStageInput {
  /** Edited crop, filled in place. */
  image: RgbaImage;
  /** Vacated pixels to fill (source − target − keep), crop-sized; soft edges blend by coverage. */
  hole: Mask;
  /** Pixels never used as exemplar sources (hole ∪ new target position), crop-sized. */
  forbidden: Mask;
  quality: 'preview' | 'final';
  seed: number;
  /** Injected filler (e.g. learned inpainting), final quality only; default is classical. */
  filler?: Filler;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
}

/** The classical final-quality filler used when none is injected. */
export const defaultFiller: Filler = new PatchMatchFiller();

/**
 * Fill `input.hole` of `input.image` in place. Preview quality never waits for the exemplar or
 * learned filler. Pixels outside the hole are never changed.
 */
export async function fillHole(input: FillStageInput): Promise<void> {
  const { image, hole, forbidden } = input;
  if (input.quality === 'preview') {
    fillPushPullCoarse(image, hole, forbidden);
    input.onProgress?.(1);
    return;
  }
  const filler = input.filler ?? defaultFiller;
  await filler.fill(image, hole, forbidden, { seed: input.seed, signal: input.signal, onProgress: input.onProgress });
}
