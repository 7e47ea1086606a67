import * as fs from 'node:fs';
import * as path from 'node:path';
import { createImage, createMask } from '../image';
import { caseToRequest, parseDragCase } from '../case';
import { runEdit } from '../edit';
import { readImage } from '../../io/image-io';
import { createRng } from '../random';
import type { EditResult, Mask, RgbaImage } from '../types';
import { PatchMatchFiller } from './patch-match';
import { readRegionSplit, regionsAt } from './region-labels';

type Paint = (x: number, y: number, rng: () => number) => [number, number, number];

/** Strongly textured leaves: light and dark green blades at a slant, with grain. */
const leaves: Paint = (x, y, rng) => {
  const t = Math.sin((x + 0.6 * y) / 3.2) * Math.sin((x - 0.3 * y) / 5.1) > 0.1 ? 55 : -25;
  const n = (rng() - 0.5) * 24;
  return [80 + 0.6 * t + n, 140 + t + n, 35 + 0.3 * t + n];
};
/** A pot's stippled terracotta. */
const pot: Paint = (_x, _y, rng) => {
  const n = (rng() - 0.5) * 30;
  return [150 + n, 92 + 0.8 * n, 66 + 0.7 * n];
};
/** A W × H scene painted by `paint(x, y)` and a hole (x0..x1, y0..y1, half-open) that is also forbidden as a source. */
function scene(W: number, H: number, paint: (x: number, y: number) => Paint, hole: [number, number, number, number]): { img: RgbaImage; hole: Mask; forbidden: Mask } {
  const rng = createRng(5);
  const img = createImage(W, H), m = createMask(W, H), f = createMask(W, H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const [r, g, b] = paint(x, y)(x, y, rng);
      img.data.set([r, g, b, 255], (y * W + x) * 4);
      if (x >= hole[0] && x < hole[1] && y >= hole[2] && y < hole[3]) {
        m.data[y * W + x] = 255; f.data[y * W + x] = 255;
        img.data.set([20, 40, 230, 255], (y * W + x) * 4); // the object that stood there
      }
    }
  }
  return { img, hole: m, forbidden: f };
}

/** The level arrays readRegionSplit reads: interleaved RGB and KNOWN (0) / HOLE (1). */
function levelOf(s: ReturnType<typeof scene>): { col: Float32Array; state: Uint8Array } {
  const n = s.img.width * s.img.height, col = new Float32Array(3 * n), state = new Uint8Array(n);
  for (let p = 0; p < n; p++) {
    col[3 * p] = s.img.data[4 * p]!; col[3 * p + 1] = s.img.data[4 * p + 1]!; col[3 * p + 2] = s.img.data[4 * p + 2]!;
    state[p] = s.hole.data[p]! > 0 ? 1 : 0;
  }
  return { col, state };
}

// Leaves above a pot's rim (y = 110), a peg's place as a tall strip across the rim.
const RIM = 110;
const potScene = (): ReturnType<typeof scene> => scene(200, 200, (_x, y) => (y < RIM ? leaves : pot), [86, 112, 30, 170]);

describe('regions meeting behind a hole (fill/region-labels.ts)', () => {
  it('reads the leaves and the pot, and continues the rim straight through the hole', () => {
    const s = potScene();
    const { col, state } = levelOf(s);
    const split = readRegionSplit(200, 200, col, state, 3);
    expect(split).not.toBeNull();
    const [, ay, , by] = split!.line;
    expect(Math.abs(ay - RIM)).toBeLessThan(4);
    expect(Math.abs(by - RIM)).toBeLessThan(4);
    const at = regionsAt(split!, 1, 200, 200, col, state, 3);
    const leafBit = at.label[30 * 200 + 20]!, potBit = at.label[180 * 200 + 20]!;
    expect([leafBit, potBit].sort()).toEqual([1, 2]);
    // Above the rim only the leaves may be copied, below it only the pot, both along the rim.
    expect(at.allow[60 * 200 + 99]).toBe(leafBit);
    expect(at.allow[150 * 200 + 99]).toBe(potBit);
    expect(at.allow[RIM * 200 + 99]).toBe(leafBit | potBit);
    // The same boundary on a level twice as coarse (half the coordinates).
    const half = regionsAt(split!, 0.5, 100, 100, col, state, 3);
    expect(half.allow[30 * 100 + 50]).toBe(leafBit);
    expect(half.allow[75 * 100 + 50]).toBe(potBit);
  });

  it('on the photo: the peg\'s place above the pot\'s rim is filled with leaves, not with the pot growing up', async () => {
    // bench/unseen/cases/tight-plant-move-clip.json on OpenCV's alphamat sample (test/fixtures/photos/plant.png,
    // 500 × 333): a clothes peg hanging over the pot's rim (its top edge at y ≈ 203) is moved down onto the pot.
    const root = path.join(__dirname, '../../../..');
    const c = parseDragCase(JSON.parse(fs.readFileSync(path.join(root, 'bench/unseen/cases/tight-plant-move-clip.json'), 'utf8')));
    const image = await readImage(path.join(root, 'test/fixtures/photos/plant.png'));
    const req = caseToRequest(c, image, { quality: 'final', seed: 1 });
    const on = await runEdit(req);
    const off = await runEdit(req, { filler: new PatchMatchFiller({ regionLabels: false }) });
    // The peg's place above the rim (a patch's width clear of it): the vacated pixels there.
    const share = (r: EditResult): number => {
      const { crop, edited, holeMask } = r;
      let n = 0, pot = 0;
      for (let y = crop.top; y < Math.min(196, crop.top + crop.height); y++) {
        for (let x = crop.left; x < crop.left + crop.width; x++) {
          const p = (y - crop.top) * crop.width + (x - crop.left);
          if (holeMask.data[p]! < 128) continue;
          n++;
          // The pot is reddish brown (red above green), the leaves green.
          if (edited.data[4 * p]! > edited.data[4 * p + 1]! + 10) pot++;
        }
      }
      expect(n).toBeGreaterThan(2000);
      return pot / n;
    };
    expect(share(on)).toBeLessThan(0.03);
    // (The photo asks the question: without the regions the pot's texture grows up into the leaves.)
    expect(share(off)).toBeGreaterThan(0.15);
  });

  it('constrains nothing around one mottled texture', () => {
    const mottled = scene(200, 200, () => leaves, [86, 112, 30, 170]);
    const m = levelOf(mottled);
    expect(readRegionSplit(200, 200, m.col, m.state, 3)).toBeNull();
  });

  it('a round pot beside the hole stays beside it: inside the hole only the leaves may be copied', () => {
    // The pot meets the hole's left side at two places; the line through them runs along that side.
    const blob = scene(200, 200, (x, y) => ((x - 80) ** 2 + (y - 110) ** 2 < 48 ** 2 ? pot : leaves), [80, 140, 40, 180]);
    const b = levelOf(blob);
    const split = readRegionSplit(200, 200, b.col, b.state, 3);
    expect(split).not.toBeNull();
    const at = regionsAt(split!, 1, 200, 200, b.col, b.state, 3);
    const leafBit = at.label[20 * 200 + 180]!;
    expect(leafBit).toBeGreaterThan(0);
    for (const [x, y] of [[100, 110], [130, 60], [130, 170]] as const) expect(at.allow[y * 200 + x]).toBe(leafBit);
  });
});
