/**
 * Fill stage: fills the vacated area of the edited crop (ALGORITHMS.md §3.4).
 * Preview: pull-push interpolation (a few ms). Final: the injected `filler` (e.g. a learned
 * model) when given, else multi-scale PatchMatch with EM voting.
 */
import { CancelledError, type Filler, type FillOptions, type Mask, type Rect, type RgbaImage } from '../types';
import { cropImage, pasteImage, placedMaskToCrop } from '../image';
import { fillPushPullCoarse, holeBox, holePixels } from './push-pull';
import { exemplarRing, PatchMatchFiller } from './patch-match';

export { fillPushPull, fillPushPullCoarse, pushPullFill, pushPullFillScaled, pushPullFactor, holeBox, holePixels, growBox, type Box } from './push-pull';
export { exemplarRing, fillPatchMatch, PatchMatchFiller, type PatchMatchOptions } from './patch-match';

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
  /**
   * The whole document and where the crop lies in it (final quality): when the sources the
   * filler would look at around the hole reach past the crop, it fills a copy of the crop grown
   * by the document's untouched pixels there. A crop is the moved region plus a small margin; a
   * hole near its edge otherwise sees only a thin strip of what surrounds it (a ball moved along
   * the grass was filled from the 16 px above it: a smooth blob, the pitch line cut). Nothing
   * outside `bounds` (document pixels) is read.
   */
  context?: { document: RgbaImage; crop: Rect; bounds?: Rect };
  /**
   * Told why an injected filler failed (its model file missing or damaged, a non-finite output);
   * the hole is then filled by the classical filler instead, so the edit still finishes.
   */
  onFallback?: (why: string) => void;
}

/**
 * The surroundings (px) the fill is given around a hole, at most: the filler's own source ring
 * when smaller. What was missing is a small object's surroundings: its crop's margin is 16 px
 * while the filler looks three quarters of the hole's span around it (47 px for a 62 px ball). A
 * large hole's crop has this margin already; reading up to the whole area a host sends there cost
 * a 36 MP move ~600 ms and ~200 MB more.
 */
export const FILL_CONTEXT_MAX_PX = 64;

/** The classical final-quality filler used when none is injected. */
export const defaultFiller: Filler = new PatchMatchFiller();

/**
 * Fill `input.hole` of `input.image` in place. Preview quality never waits for the exemplar or
 * learned filler. Pixels outside the hole are never changed.
 */
export async function fillHole(input: FillStageInput): Promise<void> {
  const { image, hole, forbidden } = input;
  if (input.quality === 'preview') {
    fillPushPullCoarse(image, hole, forbidden, input.signal);
    input.onProgress?.(1);
    return;
  }
  const chosen = input.filler ?? defaultFiller;
  const opts: FillOptions = { seed: input.seed, signal: input.signal, onProgress: input.onProgress };
  // An injected (learned) filler that fails is replaced by the classical one, said by onFallback;
  // a cancel is a cancel.
  const fill = async (img: RgbaImage, h: Mask, f: Mask): Promise<void> => {
    try {
      await chosen.fill(img, h, f, opts);
    } catch (e) {
      if (chosen === defaultFiller || e instanceof CancelledError || input.signal?.aborted) throw e;
      input.onFallback?.(e instanceof Error ? e.message : String(e));
      await defaultFiller.fill(img, h, f, opts);
    }
  };
  const grown = input.context ? withContext(image, hole, forbidden, input.context) : null;
  if (!grown) { await fill(image, hole, forbidden); return; }
  await fill(grown.image, grown.hole, grown.forbidden);
  // Only hole pixels change: copy the hole's box of the crop back.
  const hb = grown.box;
  pasteImage(image, cropImage(grown.image, { left: hb.x0 + grown.dx, top: hb.y0 + grown.dy, width: hb.x1 - hb.x0, height: hb.y1 - hb.y0 }), hb.x0, hb.y0);
}

/**
 * The crop grown by the document's pixels where the filler's source ring around the hole reaches
 * past it (null when it does not): the crop's own (edited) pixels and masks pasted over the
 * document's; the pixels outside the crop are untouched, so they are sources like any other.
 */
function withContext(
  image: RgbaImage, hole: Mask, forbidden: Mask, ctx: { document: RgbaImage; crop: Rect; bounds?: Rect },
): { image: RgbaImage; hole: Mask; forbidden: Mask; dx: number; dy: number; box: { x0: number; y0: number; x1: number; y1: number } } | null {
  const hb = holeBox(hole);
  if (!hb) return null;
  const { document: doc, crop } = ctx;
  const ring = exemplarRing(hb, holePixels(hole, hb));
  // Around the hole, min(ring, FILL_CONTEXT_MAX_PX) of surroundings, inside the bounds and the
  // document; never less than the crop (a large hole's crop has that margin already: no copy).
  const want = Math.min(ring, FILL_CONTEXT_MAX_PX);
  const lim = ctx.bounds ?? { left: 0, top: 0, width: doc.width, height: doc.height };
  const bl = Math.max(0, lim.left), bt = Math.max(0, lim.top);
  const br = Math.min(doc.width, lim.left + lim.width), bb = Math.min(doc.height, lim.top + lim.height);
  const l = Math.min(crop.left, Math.max(bl, crop.left + hb.x0 - want)), t = Math.min(crop.top, Math.max(bt, crop.top + hb.y0 - want));
  const r = Math.max(crop.left + crop.width, Math.min(br, crop.left + hb.x1 + want));
  const b = Math.max(crop.top + crop.height, Math.min(bb, crop.top + hb.y1 + want));
  if (l === crop.left && t === crop.top && r === crop.left + crop.width && b === crop.top + crop.height) return null;
  const grownRect = { left: l, top: t, width: r - l, height: b - t };
  const grown = cropImage(doc, grownRect);
  pasteImage(grown, image, crop.left - l, crop.top - t);
  return {
    image: grown,
    hole: placedMaskToCrop({ ...hole, left: crop.left, top: crop.top }, grownRect),
    forbidden: placedMaskToCrop({ ...forbidden, left: crop.left, top: crop.top }, grownRect),
    dx: crop.left - l, dy: crop.top - t, box: hb,
  };
}
