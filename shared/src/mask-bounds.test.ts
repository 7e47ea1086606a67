import { maskBounds } from './geometry';

test('maskBounds equals a full scan on random masks (both thresholds)', () => {
  const full = (m: { left: number; top: number; width: number; height: number; data: Uint8Array }, minCoverage: number) => {
    let x0 = Infinity, y0 = Infinity, x1 = -1, y1 = -1;
    for (let y = 0; y < m.height; y++) for (let x = 0; x < m.width; x++) if (m.data[y * m.width + x]! >= minCoverage) { x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = y; }
    return x1 < 0 ? { left: m.left, top: m.top, width: 0, height: 0 } : { left: m.left + x0, top: m.top + y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
  };
  let seed = 7;
  const rnd = (): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
  for (let t = 0; t < 3000; t++) {
    const w = 1 + Math.floor(rnd() * 12), h = 1 + Math.floor(rnd() * 12), density = rnd() * 0.3;
    const data = new Uint8Array(w * h);
    for (let i = 0; i < data.length; i++) data[i] = rnd() < density ? Math.floor(rnd() * 256) : 0;
    const m = { left: Math.floor(rnd() * 10) - 5, top: 3, width: w, height: h, data };
    for (const c of [1, 128]) expect(maskBounds(m, c)).toEqual(full(m, c));
  }
});
