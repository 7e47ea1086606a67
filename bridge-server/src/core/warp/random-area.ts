/**
 * Seeded random editable areas for the property tests of the elastic readings: the union of one to
 * three turned ellipses inside a square (loose selections of every shape: round, long, lobed).
 */
import type { PlacedMask } from '../types';

/** A `size × size` mask at the origin: 1–3 ellipses, centres in the middle half, radii `rMin` to `rMin + rSpan` px. */
export function randomArea(rng: () => number, size: number, rMin: number, rSpan: number): PlacedMask {
  const data = new Uint8Array(size * size);
  const ells = Array.from({ length: 1 + Math.floor(rng() * 3) }, () => ({
    cx: size / 4 + rng() * (size / 2), cy: size / 4 + rng() * (size / 2),
    rx: rMin + rng() * rSpan, ry: rMin + rng() * rSpan, th: rng() * Math.PI,
  }));
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      for (const e of ells) {
        const dx = x - e.cx, dy = y - e.cy, c = Math.cos(e.th), s = Math.sin(e.th);
        const u = (dx * c + dy * s) / e.rx, v = (-dx * s + dy * c) / e.ry;
        if (u * u + v * v <= 1) { data[y * size + x] = 255; break; }
      }
    }
  }
  return { left: 0, top: 0, width: size, height: size, data };
}
