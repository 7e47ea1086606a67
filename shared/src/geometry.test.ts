import { labelComponents, maskBounds, rasterizePolygon } from './geometry';

describe('labelComponents', () => {
  it('labels 8-connected parts in scan order with their sizes, honouring the threshold', () => {
    // 6×4: a diagonal pair (8-connected), a lone pixel, and a faint pixel below the threshold.
    const w = 6, h = 4, d = new Uint8Array(w * h);
    d[0] = 255; d[w + 1] = 200; // (0,0)-(1,1): one part of 2 through the diagonal
    d[4] = 255; // (4,0): second part
    d[3 * w + 5] = 40; // faint: ignored at threshold 128, its own part at 1
    const strong = labelComponents(d, w, h, 128);
    expect(strong.count).toBe(2);
    expect(strong.sizes).toEqual([0, 2, 1]);
    expect(strong.labels[0]).toBe(1);
    expect(strong.labels[w + 1]).toBe(1);
    expect(strong.labels[4]).toBe(2);
    expect(strong.labels[3 * w + 5]).toBe(0);
    expect(labelComponents(d, w, h).count).toBe(3);
  });

  it('rejects data of the wrong size', () => {
    expect(() => labelComponents(new Uint8Array(5), 2, 3)).toThrow(RangeError);
  });
});

describe('rasterizePolygon', () => {
  it('covers exactly the pixel centres inside an axis-aligned square', () => {
    const m = rasterizePolygon([[10, 10], [20, 10], [20, 20], [10, 20]]);
    const b = maskBounds(m);
    // Pixel centres 10..20 lie on or inside the edges; interior pixels are fully covered.
    expect(b.left).toBeGreaterThanOrEqual(9);
    expect(b.left + b.width).toBeLessThanOrEqual(22);
    expect(m.data[(15 - m.top) * m.width + (15 - m.left)]).toBe(255);
    expect(m.data[(5 - m.top + 5) * m.width]).toBe(0);
  });
});
