import { enlargedCaseRequest } from '../../../../test/helpers/enlarged-case';
import type { PlacedMask, RgbaImage } from '../types';
import { selectionFit } from './selection-fit';

/** A bundled case's image and first region, enlarged `scale`× (Lanczos) as a user's larger photo of the same scene. */
async function caseAt(id: string, scale: number): Promise<{ image: RgbaImage; mask: PlacedMask }> {
  const req = await enlargedCaseRequest(id, scale);
  return { image: req.image, mask: req.regions[0]!.mask };
}

describe('selection fit on larger documents', () => {
  // The same polygons on the same photos enlarged 2× and 3×, as users open 24–50 MP photos: a
  // polygon on the object's outline lies as many more pixels off the edge, and the edge is as
  // many pixels wide. With offsets fixed in pixels, 9 of these 10 readings came out "loose" (an
  // area drawn around the object), and a move of the object turned into an elastic drag or a
  // GrabCut reading with a warning to draw the selection closer.
  const tight = ['smarties-move-red', 'stuff-move-lighter', 'butterfly-shrink', 'apple-tilt-stem', 'home-raise-cupola'];
  test.each(tight)('%s: tight at 1×, 2× and 3×', async (id) => {
    for (const scale of [1, 2, 3]) {
      const { image, mask } = await caseAt(id, scale);
      const fit = selectionFit(image, mask);
      expect({ scale, tight: fit.tight }).toEqual({ scale, tight: true });
    }
  });
});
