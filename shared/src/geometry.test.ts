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
  it('covers exactly the pixel centres inside an axis-aligned square, edges half and corners a quarter', () => {
    const m = rasterizePolygon([[10, 10], [20, 10], [20, 20], [10, 20]]);
    // Vertices are pixel centres: pixel (x, y) spans [x−0.5, x+0.5]. Pixels 11..19 lie wholly
    // inside (255), the edge pixels 10 and 20 half (8 of 16 sub-samples → 128), corners a quarter (64).
    const cover = (v: number): number => (v > 10 && v < 20 ? 1 : v === 10 || v === 20 ? 0.5 : 0);
    let checked = 0;
    for (let y = m.top; y < m.top + m.height; y++) {
      for (let x = m.left; x < m.left + m.width; x++) {
        expect([x, y, m.data[(y - m.top) * m.width + (x - m.left)]]).toEqual([x, y, Math.round(cover(x) * cover(y) * 255)]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(11 * 11);
    expect(maskBounds(m)).toEqual({ left: 10, top: 10, width: 11, height: 11 });
  });
});
