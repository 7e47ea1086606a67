import type { PlacedMask, Rect } from '@smartdrag/shared';
import { editRoi, layerNameFor, padInto, placeLayer, rectToBounds, boundsToRect, to16Bit, MAX_LAYER_NAME, type ChunkyPixels } from './placement';
import { parsePathDescriptor } from './path-descriptor';
import { pathsToArrows } from '@smartdrag/shared';
import { assignDrags } from './assign-drags';

function block(left: number, top: number, width: number, height: number): PlacedMask {
  return { left, top, width, height, data: new Uint8Array(width * height).fill(255) };
}

describe('editRoi', () => {
  test('covers the region, the moved region and the arrow, plus the margin, clipped to the canvas', () => {
    const roi = editRoi({ regions: [block(100, 200, 20, 10)], arrows: [[[110, 205], [160, 105]]], docWidth: 1000, docHeight: 1000, marginPx: 16 });
    // area: the turn circle (radius 12 about (110, 205)), the moved region (x 150..169, y 100..109)
    // and the arrow -> x 98..169, y 100..217 (72 x 118); margin max(16, 12 + 16) = 28 -> x 70..197,
    // y 72..245; the origin moves down to a multiple of 64.
    expect(roi).toEqual({ left: 64, top: 64, width: 134, height: 182 });
    const clipped = editRoi({ regions: [block(0, 0, 20, 10)], arrows: [[[5, 5], [15, 5]]], docWidth: 40, docHeight: 12, marginPx: 64 });
    expect(clipped).toEqual({ left: 0, top: 0, width: 40, height: 12 });
  });

  test('nothing to edit -> empty rect', () => {
    expect(editRoi({ regions: [], arrows: [], docWidth: 10, docHeight: 10 })).toEqual({ left: 0, top: 0, width: 0, height: 0 });
  });
});

describe('padInto', () => {
  /** `src` (at `got`) placed into a new, transparent RGBA buffer covering `want`. */
  const padToRect = (src: ChunkyPixels, got: Rect, want: Rect): Uint8ClampedArray => {
    const out = new Uint8ClampedArray(want.width * want.height * 4);
    padInto(out, want, src, got);
    return out;
  };

  test('trimmed RGBA pixels land at their document offset inside the requested crop', () => {
    // getPixels returned only 2x1 at doc (11, 21) of a requested 4x3 crop at (10, 20).
    const got = { left: 11, top: 21, width: 2, height: 1 };
    const out = padToRect({ width: 2, height: 1, components: 4, data: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]) }, got, { left: 10, top: 20, width: 4, height: 3 });
    const expected = new Uint8ClampedArray(4 * 3 * 4);
    expected.set([1, 2, 3, 4, 5, 6, 7, 8], (1 * 4 + 1) * 4);
    expect(out).toEqual(expected);
  });

  test('RGB pixels (background layer) get alpha 255; parts outside the request are ignored', () => {
    const out = padToRect({ width: 2, height: 1, components: 3, data: new Uint8Array([9, 8, 7, 6, 5, 4]) }, { left: 0, top: 0, width: 2, height: 1 }, { left: 1, top: 0, width: 1, height: 1 });
    expect(Array.from(out)).toEqual([6, 5, 4, 255]);
  });

  test('shape mismatches throw', () => {
    expect(() => padToRect({ width: 2, height: 2, components: 4, data: new Uint8Array(16) }, { left: 0, top: 0, width: 3, height: 2 }, { left: 0, top: 0, width: 2, height: 2 })).toThrow(RangeError);
    expect(() => padToRect({ width: 1, height: 1, components: 2, data: new Uint8Array(2) }, { left: 0, top: 0, width: 1, height: 1 }, { left: 0, top: 0, width: 1, height: 1 })).toThrow(RangeError);
  });
});

describe('placeLayer', () => {
  function layer(left: number, top: number, width: number, height: number, opaque: Array<[number, number]>) {
    const data = new Uint8Array(width * height * 4);
    for (const [x, y] of opaque) data.set([x, y, 7, 255], ((y - top) * width + (x - left)) * 4);
    return { left, top, width, height, data };
  }

  test('trims transparent borders and keeps exact document positions', () => {
    const p = placeLayer(layer(10, 20, 6, 5, [[12, 21], [14, 23]]), 100, 100)!;
    expect(p.targetBounds).toEqual({ left: 12, top: 21 });
    expect([p.width, p.height]).toEqual([3, 3]);
    expect(Array.from(p.data.subarray(0, 4))).toEqual([12, 21, 7, 255]);
    expect(Array.from(p.data.subarray((2 * 3 + 2) * 4, (2 * 3 + 2) * 4 + 4))).toEqual([14, 23, 7, 255]);
  });

  test('clips to the canvas on every side', () => {
    const p = placeLayer(layer(-2, -3, 10, 10, [[-1, -1], [0, 0], [5, 5], [7, 6]]), 6, 6)!;
    expect(p.targetBounds).toEqual({ left: 0, top: 0 });
    expect([p.width, p.height]).toEqual([6, 6]);
  });

  test('a layer with nothing to clip or trim is written from its own bytes, not a copy (a 50 MP result held twice)', () => {
    const data = new Uint8ClampedArray(3 * 2 * 4).fill(200);
    const p = placeLayer({ left: 4, top: 5, width: 3, height: 2, data }, 100, 100)!;
    expect(p.targetBounds).toEqual({ left: 4, top: 5 });
    expect(p.data).toBeInstanceOf(Uint8Array);
    expect(p.data.constructor).toBe(Uint8Array); // createImageDataFromBuffer takes Uint8Array, not Uint8ClampedArray
    expect(p.data.buffer).toBe(data.buffer);
    expect(Array.from(p.data)).toEqual(Array.from(data));
  });

  test('nothing visible -> null; fractional position -> RangeError', () => {
    expect(placeLayer(layer(0, 0, 4, 4, []), 10, 10)).toBeNull();
    expect(placeLayer(layer(20, 20, 4, 4, [[21, 21]]), 10, 10)).toBeNull();
    expect(() => placeLayer({ left: 0.5, top: 0, width: 1, height: 1, data: new Uint8Array(4) }, 10, 10)).toThrow(RangeError);
  });

  // The whole round trip for several resolutions and crop offsets: an arrow stored in points by
  // Photoshop, a region, the crop read for it, and the result layer written back. Pixels never
  // depend on the resolution; only descriptor lengths do.
  const cases: Array<[number, number, number]> = [];
  for (const res of [72, 96, 150, 300, 600]) for (const [ox, oy] of [[0, 0], [37, 11], [900, 250]] as const) cases.push([res, ox, oy]);
  test.each(cases)('round trip at %i ppi with the object at offset (%i, %i)', (res, ox, oy) => {
    const region = block(ox + 40, oy + 30, 12, 8);
    const toPt = (v: number) => ({ _unit: 'distanceUnit', _value: (v * 72) / res });
    const desc = { pathContents: { pathComponents: [{ subpathListKey: [{ points: [
      { anchor: { horizontal: toPt(ox + 45), vertical: toPt(oy + 33) } },
      { anchor: { horizontal: toPt(ox + 75), vertical: toPt(oy + 53) } },
    ] }] }] } };
    const { arrows } = pathsToArrows(parsePathDescriptor(desc, res));
    expect(arrows).toEqual([[[ox + 45, oy + 33], [ox + 75, oy + 53]]]);
    const { drags } = assignDrags(arrows, [{ id: 'r1', mask: region }], 'translate');
    expect(drags).toEqual([{ region: 'r1', points: [[ox + 45, oy + 33], [ox + 75, oy + 53]], kind: 'translate' }]);
    const docW = 1200, docH = 800;
    const roi = editRoi({ regions: [region], arrows, docWidth: docW, docHeight: docH, marginPx: 10 });
    // The crop holds the region, its moved copy (x ox+40..ox+81, y oy+30..oy+57) and the margin;
    // its origin is a multiple of 64 (or the canvas edge).
    expect(roi.left % 64).toBe(0);
    expect(roi.top % 64).toBe(0);
    expect(roi.left).toBeLessThanOrEqual(ox + 40 - 10);
    expect(roi.top).toBeLessThanOrEqual(oy + 30 - 10);
    expect(roi.left + roi.width).toBeGreaterThanOrEqual(Math.min(docW, ox + 82 + 10));
    expect(roi.top + roi.height).toBeGreaterThanOrEqual(Math.min(docH, oy + 58 + 10));
    // A result layer covering the crop with one opaque pixel at the moved region's top-left.
    const data = new Uint8Array(roi.width * roi.height * 4);
    const tx = ox + 70, ty = oy + 50;
    data.set([1, 2, 3, 255], ((ty - roi.top) * roi.width + (tx - roi.left)) * 4);
    const p = placeLayer({ ...roi, data }, docW, docH)!;
    expect(p.targetBounds).toEqual({ left: tx, top: ty });
    expect(Array.from(p.data)).toEqual([1, 2, 3, 255]);
  });
});

describe('small helpers', () => {
  test('bounds <-> rect', () => {
    expect(boundsToRect({ left: 3, top: 4, right: 10, bottom: 6 })).toEqual({ left: 3, top: 4, width: 7, height: 2 });
    expect(rectToBounds({ left: 3, top: 4, width: 7, height: 2 })).toEqual({ left: 3, top: 4, right: 10, bottom: 6 });
  });

  test('to16Bit maps 0..255 onto Photoshop 0..32768', () => {
    expect(Array.from(to16Bit(new Uint8Array([0, 1, 128, 255])))).toEqual([0, 129, 16448, 32768]);
  });

  test('layerNameFor', () => {
    expect(layerNameFor(undefined)).toBe('Smart Drag');
    expect(layerNameFor('  move   the cup ')).toBe('Smart Drag: move the cup');
    const long = layerNameFor('x'.repeat(200));
    expect(long.length).toBe(MAX_LAYER_NAME);
    expect(long.endsWith('…')).toBe(true);
  });
});

describe('assignDrags', () => {
  test('handle inside a region picks it; outside picks the nearest with a warning', () => {
    const regions = [{ id: 'a', mask: block(0, 0, 10, 10) }, { id: 'b', mask: block(50, 0, 10, 10) }];
    const r = assignDrags([[[55, 5], [80, 5]], [[28, 5], [28, 40]], [[46, 5], [46, 40]]], regions);
    expect(r.drags.map((d) => d.region)).toEqual(['b', 'a', 'b']);
    expect(r.drags[0]!.kind).toBe('auto');
    expect(r.warnings).toHaveLength(2);
    expect(r.warnings[0]).toContain('arrow 2');
  });
});
