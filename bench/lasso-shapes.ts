/** Quick-lasso shapes drawn around a photo case's polygon (dev scripts bench/object-lasso.ts, bench/object-clip.ts). */
import { rasterizePolygon, type Point } from '@smartdrag/shared';
import type { PlacedMask } from '../bridge-server/src/core/types';

/** An ellipse `g`× the polygon's box, clipped to the W0 × H0 case image, in `s`× pixels. */
export function ellipse(poly: readonly Point[], g: number, W0: number, H0: number, s: number): PlacedMask {
  const xs = poly.map((p) => p[0]), ys = poly.map((p) => p[1]);
  const cx = (Math.min(...xs) + Math.max(...xs)) / 2, cy = (Math.min(...ys) + Math.max(...ys)) / 2;
  const rx = ((Math.max(...xs) - Math.min(...xs)) / 2) * g, ry = ((Math.max(...ys) - Math.min(...ys)) / 2) * g;
  const pts: Point[] = [];
  for (let i = 0; i < 64; i++) {
    const a = (i / 64) * 2 * Math.PI;
    const x = Math.min(W0 - 1, Math.max(0, cx + rx * Math.cos(a))), y = Math.min(H0 - 1, Math.max(0, cy + ry * Math.sin(a)));
    pts.push([(x + 0.5) * s - 0.5, (y + 0.5) * s - 0.5]);
  }
  return rasterizePolygon(pts);
}
