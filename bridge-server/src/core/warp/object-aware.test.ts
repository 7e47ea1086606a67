import { createImage, createMask } from '../image';
import type { PlacedMask } from '../types';
import type { DeformField } from './deform-field';
import { buildElasticField } from './elastic-field';
import { attachedObject, keepBackgroundStill, stillWeights } from './object-aware';
import { warpRegions } from './warp-regions';

/** A mask of `w`×`h` at (left, top), solid where `f(x, y)` (document coordinates). */
function maskOf(left: number, top: number, w: number, h: number, f: (x: number, y: number) => boolean): PlacedMask {
  const data = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (f(x + left, y + top)) data[y * w + x] = 255;
  return { left, top, width: w, height: h, data };
}
const disc = (cx: number, cy: number, r: number) => maskOf(cx - r, cy - r, 2 * r + 1, 2 * r + 1, (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r);

/** A field on a grid (cell 4) whose backward displacement at node (x, y) is `e(x, y)`. */
function gridField(left: number, top: number, cols: number, rows: number, e: (x: number, y: number) => [number, number]): DeformField {
  const n = cols * rows, ex = new Float32Array(n), ey = new Float32Array(n);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) { const [a, b] = e(left + 4 * c, top + 4 * r); ex[r * cols + c] = a; ey[r * cols + c] = b; }
  return { left, top, cell: 4, cols, rows, ex, ey, fx: new Float32Array(n), fy: new Float32Array(n), radius: 1e9, maxDisp: 0, strength: 1 };
}

describe('attachedObject', () => {
  const area = disc(50, 50, 40);
  test('an object touching the area edge is kept, its holes filled, other components dropped', () => {
    // A bar from the area's left edge to the centre with a hole, plus a separate blob.
    const obj = maskOf(area.left, area.top, area.width, area.height, (x, y) =>
      (x <= 60 && Math.abs(y - 50) <= 8 && !(x >= 40 && x <= 44 && Math.abs(y - 50) <= 2)) || (x - 55) ** 2 + (y - 25) ** 2 <= 25);
    const got = attachedObject(area, obj, [[55, 50]]);
    expect(got).not.toBeNull();
    const v = (x: number, y: number) => got!.data[(y - got!.top) * got!.width + (x - got!.left)]!;
    expect(v(55, 50)).toBe(255);
    expect(v(42, 50)).toBe(255); // the hole
    expect(v(55, 25)).toBe(0); // the other component
    expect(v(55, 70)).toBe(0); // background
  });
  test('a part floating inside the area (it would tear off) or a handle off the object gives null', () => {
    const floating = maskOf(area.left, area.top, area.width, area.height, (x, y) => (x - 50) ** 2 + (y - 50) ** 2 <= 100);
    expect(attachedObject(area, floating, [[50, 50]])).toBeNull();
    const bar = maskOf(area.left, area.top, area.width, area.height, (x, y) => Math.abs(y - 50) <= 5);
    expect(attachedObject(area, bar, [[50, 50]])).not.toBeNull();
    expect(attachedObject(area, bar, [[50, 70]])).toBeNull();
  });
});

describe('stillWeights', () => {
  test('zero where the map moves content as a piece, one where it stretches twofold', () => {
    const still = stillWeights(gridField(0, 0, 20, 20, () => [7, -3]));
    expect(Math.max(...still)).toBe(0);
    // Backward x-displacement -(x - 40)/2: the content around x = 40 is stretched twice along x.
    const stretched = stillWeights(gridField(0, 0, 20, 20, (x) => [-(x - 40) / 2, 0]));
    expect(Math.min(...stretched)).toBeCloseTo(1, 5);
    // Mild stretch (1.1×) stays below the threshold.
    const mild = stillWeights(gridField(0, 0, 20, 20, (x) => [-(x - 40) * (1 - 1 / 1.1), 0]));
    expect(Math.max(...mild)).toBe(0);
  });
});

describe('keepBackgroundStill', () => {
  test('where the map distorts, background pixels keep their original colour and object pixels follow the map', () => {
    const W = 80, H = 80;
    const field = gridField(0, 0, 21, 21, (x) => [-(x - 40) / 2, 0]);
    const original = createImage(W, H), edited = createImage(W, H);
    for (let p = 0; p < W * H; p++) { original.data.set([0, 0, 255, 255], 4 * p); edited.data.set([255, 0, 0, 255], 4 * p); }
    // Object: the rows 30..50 (left to right); keep: a square in the top-left corner.
    const obj = maskOf(0, 0, W, H, (_x, y) => y >= 30 && y <= 50);
    const keep = createMask(W, H);
    for (let y = 0; y < 10; y++) for (let x = 0; x < 10; x++) keep.data[y * W + x] = 255;
    const crop = { left: 0, top: 0, width: W, height: H };
    keepBackgroundStill(field, obj, crop, crop, edited, original, keep, null);
    const px = (x: number, y: number) => Array.from(edited.data.subarray(4 * (y * W + x), 4 * (y * W + x) + 3));
    expect(px(40, 40)).toEqual([255, 0, 0]); // object: follows the map
    expect(px(60, 15)).toEqual([0, 0, 255]); // background in the stretch: stays as it was
    expect(px(5, 5)).toEqual([255, 0, 0]); // keep pixels are never touched here
  });

  test('an elastic drag with an object: the object reaches the target like the plain map, far less of the background moves', () => {
    const W = 200, H = 160;
    const image = createImage(W, H);
    // Checkered background (a texture that would streak) and a grey bar (the object) from the left edge.
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
      const bar = x < 120 && Math.abs(y - 80) <= 10;
      image.data.set(bar ? [128, 128, 128, 255] : ((x >> 2) + (y >> 2)) % 2 ? [250, 220, 40, 255] : [20, 60, 200, 255], 4 * (y * W + x));
    }
    image.data.set([255, 0, 0, 255], 4 * (80 * W + 110));
    const area = disc(100, 80, 60);
    const object = maskOf(area.left, area.top, area.width, area.height, (x, y) => x < 120 && Math.abs(y - 80) <= 10 && (x - 100) ** 2 + (y - 80) ** 2 <= 3600);
    const handles: [number, number][] = [[110, 80]], targets: [number, number][] = [[110, 60]];
    expect(buildElasticField({ mask: area, handles, targets }).field).not.toBeNull();
    const ops = [{ region: 'r', params: { kind: 'deform' as const, handles, targets, elastic: true } }];
    const plain = warpRegions({ image, regions: [{ id: 'r', mask: area }], operations: ops, quality: 'final' });
    const aware = warpRegions({ image, regions: [{ id: 'r', mask: area, object }], operations: ops, quality: 'final' });
    const at = (w: typeof plain, x: number, y: number) => Array.from(w.edited.data.subarray(4 * ((y - w.crop.top) * w.crop.width + x - w.crop.left), 4 * ((y - w.crop.top) * w.crop.width + x - w.crop.left) + 3));
    // The bar's end is pulled up 20 px: its grey reaches the target in both.
    expect(at(aware, 110, 62)).toEqual(at(plain, 110, 62));
    // Background above the bar's end, between the moved part and the area's edge: the plain map
    // squeezes the checks, the object-aware one leaves them as they were where the map distorts.
    let changedPlain = 0, changedAware = 0, n = 0;
    for (let y = 35; y < 58; y++) for (let x = 100; x < 121; x++) {
      const orig = Array.from(image.data.subarray(4 * (y * W + x), 4 * (y * W + x) + 3));
      n++;
      if (at(plain, x, y).some((v, i) => Math.abs(v - orig[i]!) > 8)) changedPlain++;
      if (at(aware, x, y).some((v, i) => Math.abs(v - orig[i]!) > 8)) changedAware++;
    }
    expect(changedPlain / n).toBeGreaterThan(0.05);
    expect(changedAware).toBeLessThan(changedPlain * 0.75);
  });
});
