/**
 * TEST REFERENCE ONLY (blend.test.ts): the two-pass chamfer transform over every pixel, as it
 * was before tiles farther than the cap were skipped (commit 6b845ac). Not used by the pipeline.
 */
import { CHAMFER_DIAGONAL as DIAG } from './distance';

/**
 * For every pixel where `inside[p]` is non-zero, the distance to the nearest pixel where it is
 * zero (0 for outside pixels). Distances saturate at `cap`. Pixels beyond the image border count
 * as outside when `borderIsOutside` (default false: the border does not create a boundary).
 */
export function chamferDistanceFull(inside: Uint8Array, w: number, h: number, cap: number, borderIsOutside = false, out?: Float32Array): Float32Array {
  if (inside.length !== w * h) throw new RangeError('chamferDistance: mask size differs from w*h');
  const d = out ?? new Float32Array(w * h);
  const edge = borderIsOutside ? 1 : cap;
  for (let p = 0; p < w * h; p++) d[p] = inside[p] ? cap : 0;
  // Forward pass: left, up-left, up, up-right.
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      const p = row + x;
      let v = d[p]!;
      if (v === 0) continue;
      const l = x > 0 ? d[p - 1]! + 1 : edge;
      if (l < v) v = l;
      if (y > 0) {
        const u = d[p - w]! + 1;
        if (u < v) v = u;
        const ul = x > 0 ? d[p - w - 1]! + DIAG : edge;
        if (ul < v) v = ul;
        const ur = x < w - 1 ? d[p - w + 1]! + DIAG : edge;
        if (ur < v) v = ur;
      } else if (edge < v) v = edge;
      d[p] = v;
    }
  }
  // Backward pass: right, down-right, down, down-left.
  for (let y = h - 1; y >= 0; y--) {
    const row = y * w;
    for (let x = w - 1; x >= 0; x--) {
      const p = row + x;
      let v = d[p]!;
      if (v === 0) continue;
      const r = x < w - 1 ? d[p + 1]! + 1 : edge;
      if (r < v) v = r;
      if (y < h - 1) {
        const dn = d[p + w]! + 1;
        if (dn < v) v = dn;
        const dr = x < w - 1 ? d[p + w + 1]! + DIAG : edge;
        if (dr < v) v = dr;
        const dl = x > 0 ? d[p + w - 1]! + DIAG : edge;
        if (dl < v) v = dl;
      } else if (edge < v) v = edge;
      d[p] = v;
    }
  }
  return d;
}
