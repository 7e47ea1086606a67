/**
 * Blend stage: hides seams where moved content meets the background.
 * PLACEHOLDER (issue #4 replaces the body): no blending, empty seam band.
 */
import { createMask } from '../image';
import type { Mask, RgbaImage } from '../types';

export interface BlendStageInput {
  /** Edited crop (after warp and fill), blended in place. */
  edited: RgbaImage;
  /** The input pixels of the same crop. */
  original: RgbaImage;
  /** Coverage of moved content, crop-sized. */
  targetMask: Mask;
  /** Vacated area, crop-sized. */
  holeMask: Mask;
  /** Pixels that must not change, crop-sized. */
  keepMask: Mask;
  quality: 'preview' | 'final';
}

/** Blend seams in place; returns the mask of pixels the blend was allowed to touch (seam band). */
export function blendSeams(input: BlendStageInput): Mask {
  return createMask(input.edited.width, input.edited.height);
}
