import { growRings } from './rings';

describe('growRings', () => {
  test('rings alternate 8- and 4-neighbour steps (octagons) and stop where visit says so', () => {
    const w = 21, h = 21, ring = new Int8Array(w * h).fill(-1);
    const c = 10 * w + 10;
    ring[c] = 0;
    growRings(w, h, [c], 1, 4, (q, r) => { if (ring[q]! >= 0) return false; ring[q] = r; return true; });
    const at = (x: number, y: number) => ring[(10 + y) * w + 10 + x];
    expect(at(1, 1)).toBe(1); // ring 1 takes the diagonals
    expect(at(2, 0)).toBe(2);
    expect(at(2, 2)).toBe(3); // ring 2 is 4-connected: (2, 2) waits for ring 3
    expect(at(4, 0)).toBe(4);
    expect(at(4, 4)).toBe(-1); // beyond the radius (an octagon, not a square)
    // Each ring is symmetric under the eight flips of the grid (a disc-like shape).
    for (let y = -5; y <= 5; y++) for (let x = -5; x <= 5; x++) {
      const v = at(x, y);
      for (const [a, b] of [[-x, y], [x, -y], [y, x], [-y, -x]] as const) expect(at(a, b)).toBe(v);
    }
  });

  test('a wall stops the growth; the grid edges clip it', () => {
    const w = 10, h = 5, seen = new Uint8Array(w * h);
    for (let y = 0; y < h; y++) seen[y * w + 5] = 2; // wall at x = 5
    seen[2 * w] = 1;
    growRings(w, h, [2 * w], 1, 20, (q) => { if (seen[q]) return false; seen[q] = 1; return true; });
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) expect(seen[y * w + x]).toBe(x < 5 ? 1 : x === 5 ? 2 : 0);
  });
});
