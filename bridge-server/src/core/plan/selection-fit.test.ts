import { enlargedCaseRequest, enlargedRequest } from '../../../../test/helpers/enlarged-case';
import fs from 'node:fs';
import path from 'node:path';
import type { PlacedMask, RgbaImage } from '../types';
import { selectionFit } from './selection-fit';
import { rasterizePolygon, type Point } from '@smartdrag/shared';

/** A bundled case's image and its regions, enlarged `scale`× (Lanczos) as a user's larger photo of the same scene. */
async function caseAt(id: string, scale: number): Promise<{ image: RgbaImage; masks: PlacedMask[] }> {
  const req = await enlargedCaseRequest(id, scale);
  return { image: req.image, masks: req.regions.map((r) => r.mask) };
}

describe('selection fit on larger documents', () => {
  // The same polygons on the same photos enlarged 2×, 3× and 4×, as users open 24–50 MP photos: a
  // polygon on the object's outline lies as many more pixels off the edge, and the edge is as
  // many pixels wide. With offsets fixed in pixels, 9 of 10 such readings came out "loose" (an
  // area drawn around the object); with offsets that grew only past 640 px, the apple, the spoon,
  // the birds and the lighter read tight at 1× and loose from 2× on (the photos are 224–554 px, so
  // their 1× offsets were relatively larger): a move then became a GrabCut reading of the object
  // inside its own outline, and the saucer's spoon left a pink ghost at 4×.
  const tight = ['smarties-move-red', 'stuff-move-lighter', 'butterfly-shrink', 'apple-tilt-stem', 'home-raise-cupola',
    'apple-move-right', 'coffee-move-spoon', 'home-move-two-birds'];
  test.each(tight)('%s: every region tight at 1×, 2×, 3× and 4×', async (id) => {
    for (const scale of [1, 2, 3, 4]) {
      const { image, masks } = await caseAt(id, scale);
      const read = masks.map((m) => selectionFit(image, m).tight);
      expect({ scale, read }).toEqual({ scale, read: masks.map(() => true) });
    }
  });

  // The reading that tears heads off is the other error: an area drawn around an object taken as
  // its outline (the whole area then moves rigidly). A quick lasso — an ellipse 1.5× the object's
  // box around it — on one case of each photo must read loose at every size. (The old offsets read
  // the lassos around the coffee cup tight at every size and around the red candy tight from 2× on.)
  const FIX = path.join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'cases');
  const lassoed = ['apple-move-right', 'butterfly-raise-right-wing', 'coffee-enlarge-cup', 'happyfish-bend-tail', 'home-raise-cupola',
    'messi5-move-ball', 'rocket-stretch-tip', 'smarties-move-red', 'stuff-move-lighter'];
  test.each(lassoed)('a loose lasso around the object of %s reads loose at 1×, 2× and 4×', async (id) => {
    const c = JSON.parse(fs.readFileSync(path.join(FIX, `${id}.json`), 'utf8'));
    const poly: number[][] = c.regions[0].polygon;
    const xs = poly.map((p) => p[0]!), ys = poly.map((p) => p[1]!);
    const cx = (Math.min(...xs) + Math.max(...xs)) / 2, cy = (Math.min(...ys) + Math.max(...ys)) / 2;
    const rx = (Math.max(...xs) - Math.min(...xs)) * 0.75, ry = (Math.max(...ys) - Math.min(...ys)) * 0.75;
    const lasso = Array.from({ length: 48 }, (_, i) => [Math.round(cx + rx * Math.cos(i / 24 * Math.PI)), Math.round(cy + ry * Math.sin(i / 24 * Math.PI))]);
    const json = { ...c, regions: [{ id: c.regions[0].id, polygon: lasso }], drags: c.drags.filter((d: { region: string }) => d.region === c.regions[0].id).slice(0, 1), keep: undefined };
    for (const scale of [1, 2, 4]) {
      const req = await enlargedRequest(json, scale);
      const fit = selectionFit(req.image, req.regions[0]!.mask);
      expect({ scale, tight: fit.tight }).toEqual({ scale, tight: false });
    }
  });

  test('a crop reads as its whole document does: the offsets follow documentSide, not the crop', async () => {
    const { image, masks } = await caseAt('coffee-move-spoon', 4);
    const whole = selectionFit(image, masks[0]!);
    // The same document measured as though it were a quarter of its side: offsets a quarter as
    // long, a different ratio. The reading is the document's, so passing the side matters.
    const small = selectionFit(image, masks[0]!, Math.sqrt(image.width * image.height) / 4);
    expect(whole.edgeRatio).not.toBeCloseTo(small.edgeRatio, 2);
    expect(selectionFit(image, masks[0]!, Math.sqrt(image.width * image.height)).edgeRatio).toBe(whole.edgeRatio);
  });
});

describe('selection fit on a flat backdrop', () => {
  // A silhouette on white, as a product shot or a cut-out: a body with a head and legs that reach
  // past a quick lasso drawn around it. Most of the lasso runs over pure white (no step anywhere),
  // and the few places where it crosses the head and the legs have a strong step across: the edge
  // ratio alone read such lassos as the object's outline (the horse of skimage's horse.png read
  // 1.69×), so the whole ellipse moved as a block and the head was torn off with no warning.
  const W = 400, H = 300;
  const inBody = (x: number, y: number): boolean =>
    ((x - 200) / 120) ** 2 + ((y - 150) / 60) ** 2 <= 1 // body
    || (x >= 300 && x <= 360 && y >= 20 && y <= 110) // neck and head, up to the top right
    || ((x >= 110 && x <= 125) || (x >= 270 && x <= 285)) && y >= 150 && y <= 290; // legs, down to the bottom
  const image: RgbaImage = { width: W, height: H, data: new Uint8ClampedArray(W * H * 4) };
  for (let y = 0, i = 0; y < H; y++) for (let x = 0; x < W; x++, i += 4) {
    const v = inBody(x, y) ? 10 : 245;
    image.data[i] = v; image.data[i + 1] = v; image.data[i + 2] = v; image.data[i + 3] = 255;
  }
  const ellipse = (cx: number, cy: number, rx: number, ry: number): number[][] =>
    Array.from({ length: 64 }, (_, i) => [Math.round(cx + rx * Math.cos(i / 32 * Math.PI)), Math.round(cy + ry * Math.sin(i / 32 * Math.PI))]);

  test('a lasso around the silhouette that hugs its back and crosses its head and legs reads loose', () => {
    // On the body's outline along its back (a third of the way round), then wide over the white.
    const lasso = Array.from({ length: 96 }, (_, i) => {
      const a = i / 48 * Math.PI, back = a > 1.25 * Math.PI && a < 1.9 * Math.PI;
      const [rx, ry] = back ? [121, 61] : [165, 125];
      return [Math.round(200 + rx * Math.cos(a)), Math.round(150 + ry * Math.sin(a))];
    });
    const fit = selectionFit(image, rasterizePolygon(lasso as Point[]));
    expect(fit.flatShare).toBeGreaterThan(0.5);
    expect(fit.tight).toBe(false);
  });

  test('a polygon on the silhouette\'s outline reads tight: a step across it all along, no flat samples', () => {
    // The body's outline alone (the ellipse of the body, 1 px outside it).
    const fit = selectionFit(image, rasterizePolygon(ellipse(200, 150, 121, 61) as Point[]));
    expect(fit.flatShare).toBeLessThan(0.2);
    expect(fit.tight).toBe(true);
  });
});
