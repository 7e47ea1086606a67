import { maskBounds } from '@smartdrag/shared';
import { createRng } from '../random';
import { holeBox } from './push-pull';
import type { Mask } from '../types';

/** The box by definition: every set pixel looked at. */
function boxByDefinition(m: Mask): { x0: number; y0: number; x1: number; y1: number } | null {
  let x0 = m.width, y0 = m.height, x1 = -1, y1 = -1;
  for (let y = 0; y < m.height; y++) for (let x = 0; x < m.width; x++) {
    if (m.data[y * m.width + x] === 0) continue;
    x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
  }
  return x1 < 0 ? null : { x0, y0, x1: x1 + 1, y1: y1 + 1 };
}

describe('holeBox (row scan with empty 4-pixel words skipped)', () => {
  test('equals the box of every set pixel on sparse, dense, edge and single-pixel masks of odd widths', () => {
    const rng = createRng(11);
    let checked = 0;
    for (const [w, h] of [[8, 8], [13, 7], [97, 41], [64, 65], [5, 200], [301, 3]] as const) {
      for (let trial = 0; trial < 12; trial++) {
        const m: Mask = { width: w, height: h, data: new Uint8Array(w * h) };
        const kind = trial % 4;
        if (kind === 0) { m.data[Math.floor(rng() * w * h)] = 1 + Math.floor(rng() * 254); }
        else if (kind === 1) { for (let p = 0; p < w * h; p++) if (rng() < 0.01) m.data[p] = 255; }
        else if (kind === 2) { for (let p = 0; p < w * h; p++) if (rng() < 0.6) m.data[p] = 128; }
        else {
          // Pixels on the mask's edges only (first/last column, first/last row).
          m.data[Math.floor(rng() * h) * w] = 9; m.data[Math.floor(rng() * h) * w + w - 1] = 9;
          m.data[Math.floor(rng() * w)] = 9; m.data[(h - 1) * w + Math.floor(rng() * w)] = 9;
        }
        const expected = boxByDefinition(m);
        expect(holeBox(m)).toEqual(expected);
        const b = maskBounds({ ...m, left: 0, top: 0 });
        if (expected) expect({ x0: b.left, y0: b.top, x1: b.left + b.width, y1: b.top + b.height }).toEqual(expected);
        checked++;
      }
    }
    expect(checked).toBe(72);
    expect(holeBox({ width: 40, height: 30, data: new Uint8Array(1200) })).toBeNull();
  });

  test('a mask view that does not start on a 4-byte boundary gives the same box', () => {
    const w = 37, h = 23, buf = new Uint8Array(w * h + 1);
    const m: Mask = { width: w, height: h, data: buf.subarray(1) };
    m.data[5 * w + 30] = 1; m.data[17 * w + 2] = 1;
    expect(holeBox(m)).toEqual({ x0: 2, y0: 5, x1: 31, y1: 18 });
  });
});
