/**
 * Seeded synthetic ground truth for the benchmark: a procedural background (core/textures.ts)
 * with one analytic object (disc, ellipse or rounded rectangle carrying a smooth colour pattern
 * in its own coordinates), moved by a known similarity transform. Because the object is rendered
 * analytically at both poses over the *true* background, the expected output is exact: the
 * vacated area shows the real background and the object shows the same pattern at its new pose.
 *
 * Drags carry kind `auto` so the planner has to recognise the transform from the arrow alone.
 */
import { rasterizePolygon } from '@smartdrag/shared';
import { createImage, createMask, cropImage } from '../core/image';
import { createRng, type Rng } from '../core/random';
import { makeTexture, TEXTURE_KINDS, type TextureKind } from '../core/textures';
import type { Drag, EditRequest, Mask, Point, Rect, RgbaImage } from '../core/types';
import type { PointPair } from './metrics';

/** Transform types the synthetic suite covers (deform has no unambiguous analytic ground truth). */
export const SYNTHETIC_TRANSFORMS = ['translate', 'rotate', 'scale'] as const;
export type SyntheticTransform = (typeof SYNTHETIC_TRANSFORMS)[number];

/** Object shapes the generator draws. */
export const SYNTHETIC_SHAPES = ['disc', 'ellipse', 'rounded-rect'] as const;
export type SyntheticShape = (typeof SYNTHETIC_SHAPES)[number];

/** Where an object sits: centre, rotation (degrees, clockwise on screen) and uniform scale. */
export interface Pose {
  cx: number;
  cy: number;
  angleDeg: number;
  scale: number;
}

/** An analytic object: shape half-sizes in its own units, corner radius, colour pattern. */
export interface SyntheticObject {
  shape: SyntheticShape;
  /** Half-width and half-height in object units (pixels at scale 1). */
  halfW: number;
  halfH: number;
  /** Corner radius of `rounded-rect` (object units). */
  corner: number;
  /** Base RGB 0..255. */
  color: [number, number, number];
  /** Periods (object units) of the sinusoidal pattern along the object's u and v axes. */
  periodU: number;
  periodV: number;
}

/** One generated sample with its exact expected output. */
export interface SyntheticSample {
  id: string;
  transform: SyntheticTransform;
  shape: SyntheticShape;
  texture: TextureKind;
  seed: number;
  object: SyntheticObject;
  from: Pose;
  to: Pose;
  /** Input image: object at `from` over the background. */
  input: RgbaImage;
  /** Exact expected output: object at `to` over the same background. */
  expected: RgbaImage;
  /** Handle region polygon (object outline at `from`, 1 px outside), document pixels. */
  polygon: Point[];
  /** Drags of the request (kind `auto`). */
  drags: Drag[];
  /** Handle → target pairs for DAI. */
  pairs: PointPair[];
  /** Where the object's content was and is no longer (true background reappears), full-size. */
  holeMask: Mask;
  /** Bounding crop of the object at both poses plus 8 px, clipped to the image. */
  crop: Rect;
}

/** Options of {@link generateSynthetic}. */
export interface SyntheticOptions {
  /** Image width in pixels (default 192). */
  width?: number;
  /** Image height in pixels (default 160). */
  height?: number;
}

/** Signed distance (object units, negative inside) of local point (u, v) to the object outline. */
export function objectSdf(o: SyntheticObject, u: number, v: number): number {
  switch (o.shape) {
    case 'disc':
      return Math.hypot(u, v) - o.halfW;
    case 'ellipse': {
      // First-order distance estimate f/|∇f| for f = |(u/a, v/b)| - 1, exact on the outline.
      const a = o.halfW, b = o.halfH;
      const k = Math.hypot(u / a, v / b);
      const g = Math.hypot(u / (a * a), v / (b * b));
      if (g < 1e-9) return -Math.min(a, b);
      return (k * (k - 1)) / g;
    }
    case 'rounded-rect': {
      const r = Math.min(o.corner, o.halfW, o.halfH);
      const qx = Math.abs(u) - (o.halfW - r), qy = Math.abs(v) - (o.halfH - r);
      return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
    }
  }
}

/**
 * Render the object at `pose` over `dst` in place (pixel centres at integer coordinates,
 * anti-aliased by a one-pixel linear ramp of the signed distance) and, when given, write its
 * coverage 0..255 into `coverage`.
 */
export function renderObject(dst: RgbaImage, o: SyntheticObject, pose: Pose, coverage?: Mask): void {
  const rad = (pose.angleDeg * Math.PI) / 180;
  const c = Math.cos(rad), s = Math.sin(rad);
  const inv = 1 / pose.scale;
  const reach = (Math.hypot(o.halfW, o.halfH) + 2) * pose.scale;
  const x0 = Math.max(0, Math.floor(pose.cx - reach)), x1 = Math.min(dst.width - 1, Math.ceil(pose.cx + reach));
  const y0 = Math.max(0, Math.floor(pose.cy - reach)), y1 = Math.min(dst.height - 1, Math.ceil(pose.cy + reach));
  const d = dst.data;
  const ku = (2 * Math.PI) / o.periodU, kv = (2 * Math.PI) / o.periodV;
  for (let y = y0; y <= y1; y++) {
    const dy = y - pose.cy;
    for (let x = x0; x <= x1; x++) {
      const dx = x - pose.cx;
      // Inverse pose: rotate by -angle (clockwise-positive in y-down coordinates), then unscale.
      const u = (c * dx + s * dy) * inv, v = (-s * dx + c * dy) * inv;
      const a = Math.min(1, Math.max(0, 0.5 - objectSdf(o, u, v) * pose.scale));
      if (a <= 0) continue;
      const pat = 38 * Math.sin(ku * u) + 26 * Math.cos(kv * v);
      const i = (y * dst.width + x) * 4;
      d[i] = (o.color[0] + pat) * a + d[i]! * (1 - a);
      d[i + 1] = (o.color[1] + pat) * a + d[i + 1]! * (1 - a);
      d[i + 2] = (o.color[2] - pat) * a + d[i + 2]! * (1 - a);
      d[i + 3] = 255;
      if (coverage) coverage.data[y * dst.width + x] = Math.round(a * 255);
    }
  }
}

/** Point of the outline at direction `theta` (object frame), pushed `offset` pixels outward, in document pixels. */
function outlinePoint(o: SyntheticObject, pose: Pose, theta: number, offsetPx: number): Point {
  const cu = Math.cos(theta), sv = Math.sin(theta);
  const target = offsetPx / pose.scale;
  let lo = 0, hi = Math.hypot(o.halfW, o.halfH) + target + 2;
  for (let k = 0; k < 40; k++) {
    const mid = (lo + hi) / 2;
    if (objectSdf(o, mid * cu, mid * sv) < target) lo = mid; else hi = mid;
  }
  return toDoc(pose, lo * cu, lo * sv);
}

/** Map object-frame point (u, v) to document pixels under `pose`. */
function toDoc(pose: Pose, u: number, v: number): Point {
  const rad = (pose.angleDeg * Math.PI) / 180;
  const c = Math.cos(rad), s = Math.sin(rad);
  const x = (c * u - s * v) * pose.scale, y = (s * u + c * v) * pose.scale;
  return [pose.cx + x, pose.cy + y];
}

function between(rng: Rng, lo: number, hi: number): number {
  return lo + (hi - lo) * rng();
}

function round2(p: Point): Point {
  return [Math.round(p[0] * 100) / 100, Math.round(p[1] * 100) / 100];
}

/**
 * Generate sample `index` of the synthetic suite. The transform cycles translate → rotate →
 * scale, the shape and background texture cycle too, and every number comes from `seed + index`,
 * so the same arguments always give the same pixels.
 */
export function generateSynthetic(index: number, seed = 1, opts: SyntheticOptions = {}): SyntheticSample {
  const width = opts.width ?? 192, height = opts.height ?? 160;
  const transform = SYNTHETIC_TRANSFORMS[index % SYNTHETIC_TRANSFORMS.length]!;
  const shape = SYNTHETIC_SHAPES[Math.floor(index / SYNTHETIC_TRANSFORMS.length) % SYNTHETIC_SHAPES.length]!;
  const texture = TEXTURE_KINDS[(index + Math.floor(index / 9)) % TEXTURE_KINDS.length]!;
  const sampleSeed = (seed * 1000003 + index * 7919) >>> 0;
  const rng = createRng(sampleSeed);

  const halfW = between(rng, 20, 30);
  const object: SyntheticObject = {
    shape,
    halfW,
    halfH: shape === 'disc' ? halfW : halfW * between(rng, 0.55, 0.8),
    corner: between(rng, 4, 9),
    // A saturated colour far from the textures' mid-grey bases.
    color: [[220, 60, 50], [50, 190, 70], [60, 90, 230], [230, 200, 40]][Math.floor(rng() * 4)]! as [number, number, number],
    periodU: between(rng, 9, 15),
    periodV: between(rng, 11, 19),
  };
  const from: Pose = { cx: between(rng, 0.38, 0.62) * width, cy: between(rng, 0.38, 0.62) * height, angleDeg: between(rng, -20, 20), scale: 1 };
  const to: Pose = { ...from };
  const drags: Drag[] = [];
  const pairs: PointPair[] = [];
  const centre: Point = [round2([from.cx, from.cy])[0], round2([from.cx, from.cy])[1]];
  const handleR = Math.min(object.halfW, object.halfH) * 0.6;
  switch (transform) {
    case 'translate': {
      const ang = rng() * 2 * Math.PI, len = between(rng, 18, 36);
      to.cx = from.cx + Math.round(len * Math.cos(ang));
      to.cy = from.cy + Math.round(len * Math.sin(ang));
      const h = round2(toDoc(from, handleR * 0.3, -handleR * 0.2));
      const t: Point = [h[0] + (to.cx - from.cx), h[1] + (to.cy - from.cy)];
      drags.push({ region: 'r1', kind: 'auto', points: [h, t] });
      pairs.push({ handle: h, target: t });
      break;
    }
    case 'rotate': {
      const sweep = (rng() < 0.5 ? -1 : 1) * between(rng, 25, 60);
      to.angleDeg = from.angleDeg + sweep;
      const a0 = rng() * 360;
      const arc: Point[] = [];
      for (let k = 0; k <= 3; k++) {
        const a = ((a0 + (sweep * k) / 3) * Math.PI) / 180;
        arc.push(round2([from.cx + handleR * Math.cos(a), from.cy + handleR * Math.sin(a)]));
      }
      // The object pivots about its centre, so the exact target of the handle is the arc's end.
      const h = arc[0]!;
      const rad = (sweep * Math.PI) / 180;
      const t: Point = [
        from.cx + (h[0] - from.cx) * Math.cos(rad) - (h[1] - from.cy) * Math.sin(rad),
        from.cy + (h[0] - from.cx) * Math.sin(rad) + (h[1] - from.cy) * Math.cos(rad),
      ];
      arc[arc.length - 1] = round2(t);
      drags.push({ region: 'r1', kind: 'auto', points: arc, center: centre });
      pairs.push({ handle: h, target: arc[arc.length - 1]! });
      break;
    }
    case 'scale': {
      const f = rng() < 0.5 ? between(rng, 0.65, 0.85) : between(rng, 1.2, 1.4);
      to.scale = f;
      const h = round2(outlinePoint(object, from, rng() * 2 * Math.PI, 0));
      const t = round2([from.cx + (h[0] - from.cx) * f, from.cy + (h[1] - from.cy) * f]);
      drags.push({ region: 'r1', kind: 'auto', points: [h, t], center: centre });
      pairs.push({ handle: h, target: t });
      break;
    }
  }

  const bg = background(texture, width, height, sampleSeed ^ 0x5bd1e995);
  const input = createImage(width, height);
  input.data.set(bg.data);
  const expected = createImage(width, height);
  expected.data.set(bg.data);
  const cov0 = createMask(width, height), cov1 = createMask(width, height);
  renderObject(input, object, from, cov0);
  renderObject(expected, object, to, cov1);

  const polygon: Point[] = [];
  const nPoly = 32;
  for (let k = 0; k < nPoly; k++) polygon.push(round2(outlinePoint(object, from, (2 * Math.PI * k) / nPoly, 1)));

  const holeMask = createMask(width, height);
  let bx0 = width, by0 = height, bx1 = -1, by1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      if (cov0.data[p]! > 0 && cov1.data[p] === 0) holeMask.data[p] = 255;
      if (cov0.data[p]! > 0 || cov1.data[p]! > 0) {
        if (x < bx0) bx0 = x;
        if (x > bx1) bx1 = x;
        if (y < by0) by0 = y;
        if (y > by1) by1 = y;
      }
    }
  }
  const left = Math.max(0, bx0 - 8), top = Math.max(0, by0 - 8);
  const crop: Rect = { left, top, width: Math.min(width, bx1 + 9) - left, height: Math.min(height, by1 + 9) - top };
  return {
    id: `synthetic-${String(index).padStart(2, '0')}-${transform}-${shape}-${texture}`,
    transform, shape, texture, seed: sampleSeed, object, from, to, input, expected, polygon, drags, pairs, holeMask, crop,
  };
}

/**
 * The background texture. `noise` is rendered three times larger and cropped: its second octave
 * indexes the value-noise lattice beyond the lattice's size (NaN, i.e. black, over most of the
 * image) in core/textures.ts as of this writing; the larger lattice keeps the crop valid.
 */
function background(kind: TextureKind, width: number, height: number, seed: number): RgbaImage {
  if (kind !== 'noise') return makeTexture(kind, width, height, seed);
  const big = makeTexture(kind, width * 3, height * 3, seed);
  return cropImage(big, { left: 0, top: 0, width, height });
}

/** The core request for a synthetic sample (one region `r1`, no keep). */
export function syntheticToRequest(s: SyntheticSample, quality: 'preview' | 'final'): EditRequest {
  return {
    image: s.input,
    regions: [{ id: 'r1', mask: rasterizePolygon(s.polygon) }],
    drags: s.drags.map((d) => ({ ...d, points: d.points.map((p) => [p[0], p[1]] as Point) })),
    intent: '',
    quality,
    seed: s.seed,
  };
}
