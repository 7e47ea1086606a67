/**
 * The object as a rigid move takes it (segmentObject's `wholeObject`, used by the object reading
 * of a loose selection): parts in colours of their own join the object (an apple's stem, a
 * pencil's ferrule), things that run out of the selection and other objects the selection's edge
 * cuts through do not. Synthetic scenes with known truth; each scene's plain reading (the default)
 * is checked too, so that the test says what `wholeObject` changes.
 */
import { rasterizePolygon, type Point } from '@smartdrag/shared';
import { createImage } from '../image';
import { createRng } from '../random';
import { runEdit } from '../edit';
import type { EditRequest, PlacedMask, RgbaImage } from '../types';
import { segmentObject } from './grabcut';
import { iouAgainst } from './test-scenes';

const W = 320, H = 240;
type Rgb = [number, number, number];
interface Shape { inside: (x: number, y: number) => boolean; colour: Rgb; truth: boolean }

/** A textured greenish backdrop (fine noise and faint stripes) with `shapes` painted in order. */
function scene(shapes: Shape[], seed = 3): { image: RgbaImage; truth: Uint8Array } {
  const rng = createRng(seed);
  const image = createImage(W, H);
  const truth = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const p = y * W + x, n = (rng() - 0.5) * 24, stripe = Math.sin((x + 0.5 * y) / 5) > 0.4 ? 12 : 0;
      let c: Rgb = [150 + stripe, 170 + stripe, 120];
      for (const s of shapes) if (s.inside(x, y)) { c = s.colour; truth[p] = s.truth ? 1 : 0; }
      image.data.set([c[0] + n, c[1] + n, c[2] + n, 255], p * 4);
    }
  }
  return { image, truth };
}

const disc = (cx: number, cy: number, r: number): Shape['inside'] => (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
const box = (x0: number, y0: number, x1: number, y1: number): Shape['inside'] => (x, y) => x >= x0 && x <= x1 && y >= y0 && y <= y1;
/** A polygon ellipse (a quick lasso). */
function lasso(cx: number, cy: number, rx: number, ry: number): PlacedMask {
  const pts: Point[] = [];
  for (let i = 0; i < 48; i++) { const a = (i / 48) * 2 * Math.PI; pts.push([cx + rx * Math.cos(a), cy + ry * Math.sin(a)]); }
  return rasterizePolygon(pts);
}
/** Share of the `where` pixels (image-sized 0/1) that the mask holds. */
function held(mask: PlacedMask, where: (x: number, y: number) => boolean): number {
  let n = 0, inMask = 0;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      if (!where(x, y)) continue;
      n++;
      const mx = x - mask.left, my = y - mask.top;
      if (mx >= 0 && my >= 0 && mx < mask.width && my < mask.height && mask.data[my * mask.width + mx]! >= 128) inMask++;
    }
  }
  return n > 0 ? inMask / n : 0;
}

const RED: Rgb = [200, 50, 40];
const apple = disc(160, 130, 45);
const stem = box(156, 62, 164, 90); // dark brown, 28 px above the apple's top
const STEM: Rgb = [70, 45, 30];
const TABLE = box(0, 186, W - 1, 239);

describe('segmentObject with wholeObject (the object a rigid move takes)', () => {
  it('takes an apple with its stem (the stem\'s colour is not the apple\'s, and the backdrop has it only far away)', () => {
    // A dark table edge in the stem's colour runs along the bottom, through the selection and out
    // of it: the backdrop's colour model explains the stem, as in a photo with dark parts.
    const { image, truth } = scene([{ inside: apple, colour: RED, truth: true }, { inside: stem, colour: STEM, truth: true }, { inside: TABLE, colour: STEM, truth: false }]);
    const sel = lasso(160, 115, 80, 80);
    const plain = segmentObject(image, sel, [[160, 130]], { grow: 1 });
    const whole = segmentObject(image, sel, [[160, 130]], { grow: 1, wholeObject: true });
    // The colour models leave the stem out; the whole object has it.
    expect(held(plain.mask, stem)).toBeLessThan(0.3);
    expect(held(whole.mask, stem)).toBeGreaterThan(0.9);
    expect(whole.reliable).toBe(true);
    expect(held(whole.mask, apple)).toBeGreaterThan(0.97);
    // Without the rim of one coarse pixel (the object reading's anti-aliased edge) it is the truth.
    const bare = segmentObject(image, sel, [[160, 130]], { wholeObject: true });
    expect(iouAgainst(bare.mask, truth, W)).toBeGreaterThanOrEqual(0.95);
    // The backdrop stays out (the rim aside).
    expect(held(whole.mask, (x, y) => !apple(x, y) && !stem(x, y) && (x - 160) ** 2 + (y - 130) ** 2 > 52 ** 2 && !box(150, 55, 170, 95)(x, y))).toBeLessThan(0.01);
  });

  it('leaves out a bar that touches the object but runs out of the selection (a pencil behind the apple)', () => {
    const bar = box(0, 170, W - 1, 180);
    const { image } = scene([{ inside: apple, colour: RED, truth: true }, { inside: bar, colour: [230, 200, 40], truth: false }]);
    const sel = lasso(160, 130, 80, 72);
    const whole = segmentObject(image, sel, [[160, 130]], { grow: 1, wholeObject: true });
    expect(whole.reliable).toBe(true);
    expect(held(whole.mask, (x, y) => bar(x, y) && !disc(160, 130, 48)(x, y))).toBeLessThan(0.05);
    expect(held(whole.mask, apple)).toBeGreaterThan(0.97);
  });

  it('leaves out a thing of its own colours that does not touch the object', () => {
    const speck = box(100, 60, 112, 72);
    const { image } = scene([{ inside: apple, colour: RED, truth: true }, { inside: speck, colour: STEM, truth: false }]);
    const whole = segmentObject(image, lasso(160, 120, 90, 80), [[160, 130]], { grow: 1, wholeObject: true });
    expect(held(whole.mask, speck)).toBeLessThan(0.05);
  });

  it('leaves out another object the selection cuts through (moving its inside part would tear it); the plain reading keeps it', () => {
    const a = disc(110, 120, 30), b = disc(215, 120, 45);
    const { image } = scene([{ inside: a, colour: RED, truth: true }, { inside: b, colour: RED, truth: false }]);
    const sel = lasso(150, 120, 95, 75); // its right edge (x ≈ 245) runs through b
    const plain = segmentObject(image, sel, [[110, 120]], { grow: 1 });
    const whole = segmentObject(image, sel, [[110, 120]], { grow: 1, wholeObject: true });
    expect(held(plain.mask, (x, y) => b(x, y) && x < 240)).toBeGreaterThan(0.9);
    expect(held(whole.mask, b)).toBeLessThan(0.02);
    expect(held(whole.mask, a)).toBeGreaterThan(0.97);
    // An arrow on it says it is meant: then it stays.
    const both = segmentObject(image, sel, [[110, 120], [200, 120]], { grow: 1, wholeObject: true });
    expect(held(both.mask, (x, y) => b(x, y) && x < 240)).toBeGreaterThan(0.9);
  });
});

describe('the object reading moves an apple with its stem (a loose lasso, a rigid move)', () => {
  it('leaves no stem behind and brings it along', async () => {
    const { image } = scene([{ inside: apple, colour: RED, truth: true }, { inside: stem, colour: STEM, truth: true }, { inside: TABLE, colour: STEM, truth: false }]);
    const req: EditRequest = {
      image, quality: 'final', intent: '',
      regions: [{ id: 'h1', mask: lasso(160, 115, 80, 80) }],
      drags: [{ region: 'h1', kind: 'translate', points: [[160, 130], [200, 130]] }],
    } as unknown as EditRequest;
    const res = await runEdit(req);
    const ops = res.plan.operations.map((o) => `${o.kind}: ${o.reason}`).join(' | ');
    expect(ops).toMatch(/moves the object found inside the selection/);
    // Composite the layer over the input.
    const out = new Uint8ClampedArray(image.data);
    const { left, top, image: layer } = res.layer;
    for (let y = 0; y < layer.height; y++) {
      for (let x = 0; x < layer.width; x++) {
        const i = (y * layer.width + x) * 4, a = layer.data[i + 3]! / 255;
        if (a === 0) continue;
        const o = ((y + top) * W + x + left) * 4;
        for (let c = 0; c < 3; c++) out[o + c] = out[o + c]! * (1 - a) + layer.data[i + c]! * a;
      }
    }
    const dark = (x0: number, y0: number, x1: number, y1: number): number => {
      let n = 0, d = 0;
      for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) { n++; const o = (y * W + x) * 4; if (out[o]! + out[o + 1]! + out[o + 2]! < 240) d++; }
      return d / n;
    };
    // Where the stem stood (above the apple, which moved right by 40): backdrop now, no dark stem.
    expect(dark(157, 64, 163, 84)).toBeLessThan(0.05);
    // At its new place the stem stands on the moved apple.
    expect(dark(197, 64, 203, 84)).toBeGreaterThan(0.8);
  });
});
