/**
 * 2-D affine maps for the rigid operations. An `Affine` `[a, b, c, d, e, f]` maps
 * `(x, y) -> (a·x + b·y + c, d·x + e·y + f)` in document pixels (y down).
 */
import type { OperationParams, Point } from '../types';

/** `[a, b, c, d, e, f]`: x' = a·x + b·y + c, y' = d·x + e·y + f. */
export type Affine = readonly [number, number, number, number, number, number];

/** The identity map. */
export const IDENTITY_AFFINE: Affine = [1, 0, 0, 0, 1, 0];

/**
 * Cosine and sine of an angle in degrees, exact (0, ±1) for multiples of 90° so that quarter
 * turns about a pixel centre map pixel centres onto pixel centres exactly.
 */
export function cosSinDeg(deg: number): [number, number] {
  const q = deg / 90;
  if (Number.isInteger(q)) {
    const k = ((q % 4) + 4) % 4;
    return k === 0 ? [1, 0] : k === 1 ? [0, 1] : k === 2 ? [-1, 0] : [0, -1];
  }
  const r = (deg * Math.PI) / 180;
  return [Math.cos(r), Math.sin(r)];
}

/**
 * Forward map (source -> target) of a rigid operation. Rotate: positive angles turn clockwise on
 * screen (image coordinates, y down) about `center`; scale: `sx, sy` about `center`.
 * Throws RangeError for `deform` (not affine) or degenerate scales.
 */
export function affineForParams(params: OperationParams): Affine {
  switch (params.kind) {
    case 'translate':
      return [1, 0, params.dx, 0, 1, params.dy];
    case 'rotate': {
      const [c, s] = cosSinDeg(params.angleDeg);
      const [cx, cy] = params.center;
      // t = C + R (p − C), R = [[c, −s], [s, c]] (clockwise on screen with y down)
      return [c, -s, cx - c * cx + s * cy, s, c, cy - s * cx - c * cy];
    }
    case 'scale': {
      const { sx, sy } = params;
      if (!(Number.isFinite(sx) && Number.isFinite(sy)) || sx === 0 || sy === 0) {
        throw new RangeError(`scale factors must be finite and non-zero, got (${sx}, ${sy})`);
      }
      const [cx, cy] = params.center;
      return [sx, 0, cx - sx * cx, 0, sy, cy - sy * cy];
    }
    case 'deform':
      throw new RangeError('deform is not an affine operation');
  }
}

/** `outer ∘ inner` (apply `inner` first). */
export function composeAffine(outer: Affine, inner: Affine): Affine {
  const [a, b, c, d, e, f] = outer;
  const [A, B, C, D, E, F] = inner;
  return [a * A + b * D, a * B + b * E, a * C + b * F + c, d * A + e * D, d * B + e * E, d * C + e * F + f];
}

/** Exact inverse; throws RangeError for a singular map. */
export function invertAffine(m: Affine): Affine {
  const [a, b, c, d, e, f] = m;
  const det = a * e - b * d;
  if (det === 0 || !Number.isFinite(det)) throw new RangeError('affine map is singular');
  // Keep exact values for the common unit-determinant / axis-aligned cases.
  const ia = e / det, ib = -b / det, id = -d / det, ie = a / det;
  return [ia, ib, -(ia * c + ib * f), id, ie, -(id * c + ie * f)];
}

/** Apply an affine map to a point. */
export function applyAffine(m: Affine, p: Point): Point {
  return [m[0] * p[0] + m[1] * p[1] + m[2], m[3] * p[0] + m[4] * p[1] + m[5]];
}

/** Largest singular value of the linear part (the most a unit step can stretch). */
export function maxStretch(m: Affine): number {
  const [a, b, , d, e] = m;
  const s1 = a * a + b * b + d * d + e * e;
  const det = a * e - b * d;
  const disc = Math.sqrt(Math.max(0, s1 * s1 - 4 * det * det));
  return Math.sqrt((s1 + disc) / 2);
}

/** True when the map is the identity exactly. */
export function isIdentityAffine(m: Affine): boolean {
  return m[0] === 1 && m[1] === 0 && m[2] === 0 && m[3] === 0 && m[4] === 1 && m[5] === 0;
}
