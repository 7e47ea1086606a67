import { maskAt } from '@smartdrag/shared';
import { computeDai } from './metrics';
import { generateSynthetic, objectSdf, SYNTHETIC_TRANSFORMS, syntheticToRequest, type SyntheticObject } from './synthetic';

describe('synthetic generator', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const a = generateSynthetic(4, 7), b = generateSynthetic(4, 7), c = generateSynthetic(4, 8);
    expect(Buffer.from(a.input.data).equals(Buffer.from(b.input.data))).toBe(true);
    expect(Buffer.from(a.expected.data).equals(Buffer.from(b.expected.data))).toBe(true);
    expect(a.drags).toEqual(b.drags);
    expect(Buffer.from(a.input.data).equals(Buffer.from(c.input.data))).toBe(false);
  });

  it('cycles the transform types and gives auto drags on region r1', () => {
    const kinds = [0, 1, 2, 3, 4, 5].map((i) => generateSynthetic(i).transform);
    expect(kinds).toEqual([...SYNTHETIC_TRANSFORMS, ...SYNTHETIC_TRANSFORMS]);
    for (let i = 0; i < 6; i++) {
      const s = generateSynthetic(i);
      expect(s.drags.every((d) => d.kind === 'auto' && d.region === 'r1')).toBe(true);
      const req = syntheticToRequest(s, 'preview');
      expect(req.regions[0]!.id).toBe('r1');
      // The handle lies inside the region polygon.
      const h = s.drags[0]!.points[0]!;
      expect(maskAt(req.regions[0]!.mask, Math.round(h[0]), Math.round(h[1]))).toBeGreaterThan(0);
    }
  });

  it('has an opaque, fully valid background (no NaN/black holes)', () => {
    for (let i = 0; i < 12; i++) {
      const s = generateSynthetic(i);
      let black = 0, transparent = 0;
      for (let p = 0; p < s.input.data.length; p += 4) {
        if (s.input.data[p + 3] !== 255) transparent++;
        if (s.input.data[p] === 0 && s.input.data[p + 1] === 0 && s.input.data[p + 2] === 0) black++;
      }
      expect(transparent).toBe(0);
      expect(black).toBeLessThan(s.input.data.length / 4 / 100);
    }
  });

  it('changes only pixels covered by the object at either pose', () => {
    const s = generateSynthetic(0);
    // Outside the crop (which bounds both poses) input and expected are identical.
    const { left, top, width, height } = s.crop;
    let outside = 0, differing = 0;
    for (let y = 0; y < s.input.height; y++) {
      for (let x = 0; x < s.input.width; x++) {
        if (x >= left && x < left + width && y >= top && y < top + height) continue;
        const i = (y * s.input.width + x) * 4;
        outside++;
        if (s.expected.data[i] !== s.input.data[i] || s.expected.data[i + 1] !== s.input.data[i + 1] || s.expected.data[i + 2] !== s.input.data[i + 2]) differing++;
      }
    }
    expect(outside).toBeGreaterThan(1000);
    expect(differing).toBe(0);
  });

  it('translate: the object moves by exactly the integer drag, the vacated area shows the background', () => {
    const s = generateSynthetic(0);
    expect(s.transform).toBe('translate');
    const dx = s.to.cx - s.from.cx, dy = s.to.cy - s.from.cy;
    expect(Number.isInteger(dx) && Number.isInteger(dy)).toBe(true);
    const [hx, hy] = s.drags[0]!.points[0]!, [tx, ty] = s.drags[0]!.points[1]!;
    expect([tx - hx, ty - hy]).toEqual([dx, dy]);
    // Deep inside the object the expected output equals the input shifted by (dx, dy).
    const cx = Math.round(s.from.cx), cy = Math.round(s.from.cy);
    for (let y = cy - 5; y <= cy + 5; y++) {
      for (let x = cx - 5; x <= cx + 5; x++) {
        const i = (y * s.input.width + x) * 4, j = ((y + dy) * s.input.width + x + dx) * 4;
        expect(Array.from(s.expected.data.subarray(j, j + 3))).toEqual(Array.from(s.input.data.subarray(i, i + 3)));
      }
    }
    expect(computeDai(s.input, s.expected, s.pairs, 1)).toBe(0);
    let hole = 0;
    for (const v of s.holeMask.data) if (v) hole++;
    expect(hole).toBeGreaterThan(50);
  });

  it('rotate and scale: the expected output brings the handle patch to the target far better than the unedited image', () => {
    for (const i of [1, 2, 4, 5, 7, 8]) {
      const s = generateSynthetic(i);
      const gt = computeDai(s.input, s.expected, s.pairs, 1);
      const unedited = computeDai(s.input, s.input, s.pairs, 1);
      expect(gt).toBeLessThan(unedited * 0.5);
    }
  });

  it('signed distance is negative inside, zero on the outline, positive outside', () => {
    const base = { halfW: 10, halfH: 6, corner: 3, color: [0, 0, 0] as [number, number, number], periodU: 9, periodV: 9 };
    const shapes: SyntheticObject[] = [
      { ...base, shape: 'disc', halfH: 10 },
      { ...base, shape: 'ellipse' },
      { ...base, shape: 'rounded-rect' },
    ];
    for (const o of shapes) {
      expect(objectSdf(o, 0, 0)).toBeLessThan(0);
      expect(objectSdf(o, 10, 0)).toBeCloseTo(0, 9);
      expect(objectSdf(o, 0, o.halfH)).toBeCloseTo(0, 9);
      expect(objectSdf(o, 13, 0)).toBeCloseTo(3, 9);
    }
  });
});
