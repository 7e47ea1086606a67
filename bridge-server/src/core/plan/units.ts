/**
 * Document pixels and the request's pixels. A preview of a large document runs on a proxy
 * (core/proxy.ts; EditRequest `pixelScale` = proxy pixels per document pixel), but the user's
 * words are about the document: "move it 40 px left", "to (1000, 700)", "make it 200px wide" are
 * document pixels, and so is the plan's text ("half its width = 120 px", "its box is 240 px
 * wide"). Every typed pixel quantity enters the planner through {@link PixelUnits} (document →
 * request pixels), and every pixel number the planner says goes out through it (request →
 * document pixels): the amounts of its descriptions, and the lengths, positions and areas of its
 * reasons and warnings ("arrow 144 px, depth 40 px", "about (300, 150)"), and those of the edit's
 * stages that reach the plan (the warp's maps: "the drag (240 px) is too long", "lands 12 px short";
 * the layer's uncovered area: `saidLength`, `saidPoint`, `saidArea` below), so that a preview on a
 * proxy says what its final says. Degrees, percentages, factors and shares of a box are scale-free.
 *
 * Points follow the proxy's pixel-centre convention (`toProxyPoint` in @smartdrag/shared): a
 * document position `x` is `(x + 0.5)·s − 0.5` on the proxy, offset by where the document starts
 * in the request's image (EditRequest `document`, a crop).
 */
import { maskBounds } from '@smartdrag/shared';
import { documentRect, type EditRequest, type PlacedMask, type Point } from '../types';

export interface PixelUnits {
  /** Request pixels per document pixel, along x and y (1 and 1 unless the request is a proxy). */
  readonly sx: number;
  readonly sy: number;
  /** √(sx·sy): for lengths along no particular axis. */
  readonly s: number;
  /** The request is in document pixels (no conversion). */
  readonly identity: boolean;
  /** A length in document pixels, in the request's pixels (along `dir` when given: a unit vector of either space). */
  len(n: number, dir?: Point | null): number;
  /** A vector in document pixels, in the request's pixels. */
  vec(v: Point): Point;
  /** A document x / y coordinate (from the document's top left corner) in the request image's pixels. */
  x(x: number): number;
  y(y: number): number;
  /** A length in the request's pixels, in document pixels (for the plan's words). */
  docLen(n: number, dir?: Point | null): number;
  /** A vector in the request's pixels, in document pixels. */
  docVec(v: Point): Point;
  /** A position in the request image's pixels as a document position (from the document's top left corner). */
  docPoint(p: Point): Point;
  /**
   * A position in the request image's pixels as the same image at the document's scale says it:
   * where a final's plan says it is (a proxy's positions mapped back as core/proxy.ts
   * `planFromProxy` maps the operations', pixel centres kept; a crop's origin is added to both later,
   * by `planAtOrigin`, which finds such a position in the words as "about (x,y)" or "centre (x,y)").
   */
  fullPoint(p: Point): Point;
  /** An area (a count of the request's pixels) in document pixels. */
  docArea(n: number): number;
  /** The document's size in document pixels. */
  docSize(): { width: number; height: number };
  /** The scale and the document's place, as text: equal keys convert alike (a memo of words said with these units keys on it). */
  readonly key: string;
}

const UNITS = new WeakMap<object, PixelUnits>();

/** The units of `req` (see the module comment). */
export function pixelUnits(req: Pick<EditRequest, 'image' | 'document' | 'pixelScale'>): PixelUnits {
  const cached = UNITS.get(req);
  if (cached) return cached;
  const sx = req.pixelScale?.x ?? 1, sy = req.pixelScale?.y ?? 1;
  if (!(sx > 0 && sy > 0 && Number.isFinite(sx) && Number.isFinite(sy))) throw new RangeError(`pixelScale must be positive and finite (got ${sx}, ${sy})`);
  const doc = documentRect(req);
  const s = Math.sqrt(sx * sy);
  const identity = sx === 1 && sy === 1;
  const key = `${sx},${sy},${doc.left},${doc.top}`;
  // Along a direction: the length of the unit vector's image (anisotropy is a rounding of each side).
  const along = (dir: Point | null | undefined, fx: number, fy: number): number => {
    if (!dir) return Math.sqrt(fx * fy);
    const n = Math.hypot(dir[0], dir[1]);
    return n > 1e-12 ? Math.hypot((dir[0] / n) * fx, (dir[1] / n) * fy) : Math.sqrt(fx * fy);
  };
  const u: PixelUnits = identity
    ? {
      sx, sy, s, identity, key,
      len: (n) => n, vec: (v) => [v[0], v[1]], x: (x) => x + doc.left, y: (y) => y + doc.top,
      docLen: (n) => n, docVec: (v) => [v[0], v[1]], docPoint: (p) => [p[0] - doc.left, p[1] - doc.top],
      fullPoint: (p) => [p[0], p[1]], docArea: (n) => n,
      docSize: () => ({ width: doc.width, height: doc.height }),
    }
    : {
      sx, sy, s, identity, key,
      len: (n, dir) => n * along(dir, sx, sy),
      vec: (v) => [v[0] * sx, v[1] * sy],
      x: (x) => doc.left + (x + 0.5) * sx - 0.5,
      y: (y) => doc.top + (y + 0.5) * sy - 0.5,
      docLen: (n, dir) => n / along(dir, sx, sy),
      docVec: (v) => [v[0] / sx, v[1] / sy],
      docPoint: (p) => [(p[0] - doc.left + 0.5) / sx - 0.5, (p[1] - doc.top + 0.5) / sy - 0.5],
      fullPoint: (p) => [(p[0] + 0.5) / sx - 0.5, (p[1] + 0.5) / sy - 0.5],
      docArea: (n) => n / (sx * sy),
      docSize: () => ({ width: Math.round(doc.width / sx), height: Math.round(doc.height / sy) }),
    };
  UNITS.set(req, u);
  return u;
}

/*
 * The words of the edit's stages (the warp's maps, the changed-pixels layer) for a pixel quantity
 * of the request, in their warnings: in document pixels, as the planner says its own (a length; a
 * position from the document's top left corner, as `docPoint` gives it and as the planner's
 * "ends on a kept pixel at (x, y)" says it; an area). `u` absent: the request is in document
 * pixels. At document scale each number is said as the stage always said it; on a proxy to the
 * whole document pixel (it cannot resolve less: "lands 12 px short", not "lands 12.4 px short").
 */

/** A length in the request's pixels, in document pixels (`digits` decimals at document scale; along `dir` when given). */
export function saidLength(u: PixelUnits | undefined, n: number, digits = 0, dir?: Point | null): string {
  if (!u || u.identity) return digits === 0 ? String(Math.round(n)) : n.toFixed(digits);
  return String(Math.round(u.docLen(n, dir)));
}

/** A position in the request image's pixels as the document position "x, y" (rounded; `exact`: as it is, at document scale). */
export function saidPoint(u: PixelUnits | undefined, p: Point, exact = false): string {
  const q = u ? u.docPoint(p) : p;
  return exact && (!u || u.identity) ? `${q[0]}, ${q[1]}` : `${Math.round(q[0])}, ${Math.round(q[1])}`;
}

/** An area (a count of the request's pixels) in document pixels. */
export function saidArea(u: PixelUnits | undefined, n: number): string {
  return !u || u.identity ? String(n) : String(Math.round(u.docArea(n)));
}

/** A box as image editors measure a selection: its first pixel (x0, y0) and max − min (w, h). */
export interface PixelBox { x0: number; y0: number; w: number; h: number }

/**
 * The bounding box of a mask's pixels of coverage ≥ 50 %, as image editors measure it (first
 * pixel, max − min), in the request's pixels. On a proxy, the box the document's mask has there:
 * a proxy pixel is 1/s document pixels, and its ≥ 50 % box misses up to a proxy pixel on each side
 * (a disc 240 document px wide measured 235 at ×0.41), so each side is placed to a fraction of a
 * proxy pixel from the area-averaged coverage of the columns (rows) up to it — for a straight
 * edge, the edge itself; for a soft edge, about its half-coverage line — and the document box of
 * that extent is taken (its first pixel centre, and its extent less one document pixel).
 */
export function maskBox(m: PlacedMask, u: PixelUnits): PixelBox {
  const b = maskBounds(m, 128);
  const plain = { x0: b.left, y0: b.top, w: b.width - 1, h: b.height - 1 };
  if (u.identity || b.width === 0) return plain;
  const W = m.width, H = m.height, d = m.data;
  const col = new Float64Array(W), row = new Float64Array(H);
  for (let y = 0; y < H; y++) {
    const o = y * W;
    let rm = 0;
    for (let x = 0; x < W; x++) { const v = d[o + x]!; if (v > rm) rm = v; if (v > col[x]!) col[x] = v; }
    row[y] = rm;
  }
  // The extent [lo, hi) along one axis, in the mask's pixels (continuous: pixel i covers [i, i+1)).
  const extent = (p: Float64Array, first: number, last: number): [number, number] => {
    let sl = 0, sr = 0;
    for (let i = 0; i <= first; i++) sl += p[i]! / 255;
    for (let i = last; i < p.length; i++) sr += p[i]! / 255;
    const lo = Math.min(first + 0.5, Math.max(first - 0.5, first + 1 - sl));
    const hi = Math.max(last + 0.5, Math.min(last + 1.5, last + sr));
    return [lo, hi];
  };
  const [xl, xh] = extent(col, b.left - m.left, b.left - m.left + b.width - 1);
  const [yl, yh] = extent(row, b.top - m.top, b.top - m.top + b.height - 1);
  return {
    x0: m.left + xl + 0.5 * u.sx - 0.5, y0: m.top + yl + 0.5 * u.sy - 0.5,
    w: Math.max(0, xh - xl - u.sx), h: Math.max(0, yh - yl - u.sy),
  };
}
