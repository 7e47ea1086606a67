import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { caseToRequest, parseDragCase } from '../case';
import { readImage } from '../../io/image-io';
import type { PlacedMask, RgbaImage } from '../types';
import { selectionFit } from './selection-fit';

const FIX = path.join(__dirname, '..', '..', '..', '..', 'test', 'fixtures');

/** A bundled case's image and first region, enlarged `scale`× (Lanczos) as a user's larger photo of the same scene. */
async function caseAt(id: string, scale: number): Promise<{ image: RgbaImage; mask: PlacedMask }> {
  const c = parseDragCase(JSON.parse(fs.readFileSync(path.join(FIX, 'cases', `${id}.json`), 'utf8')));
  const image = await readImage(path.join(FIX, c.image));
  const W = image.width * scale, H = image.height * scale;
  const raw = scale === 1 ? Buffer.from(image.data)
    : await sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), { raw: { width: image.width, height: image.height, channels: 4 } })
      .resize(W, H, { kernel: 'lanczos3' }).raw().toBuffer();
  const sp = (p: readonly number[]): [number, number] => [(p[0]! + 0.5) * scale - 0.5, (p[1]! + 0.5) * scale - 0.5];
  const big = parseDragCase({
    ...c, size: [W, H],
    regions: c.regions.map((r) => ({ ...r, ...(r.polygon ? { polygon: r.polygon.map(sp) } : {}) })),
    drags: c.drags.map((d) => ({ ...d, points: d.points.map(sp), ...(d.center ? { center: sp(d.center) } : {}) })),
  });
  const req = caseToRequest(big, { width: W, height: H, data: new Uint8ClampedArray(raw.buffer, raw.byteOffset, raw.byteLength) }, { quality: 'final' });
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
