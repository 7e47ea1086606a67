/**
 * Synthetic ground truth for fill and blend tests and the fill benchmark: a procedural texture
 * with an opaque object composited on it, then the object's region moved by (dx, dy). The hole
 * (source − target) has the known texture as its true content.
 */
import { createImage, createMask } from '../image';
import { makeTexture, type TextureKind } from '../textures';
import type { Mask, RgbaImage } from '../types';

export interface SceneOptions {
  /** Square image side in pixels. */
  size: number;
  texture: TextureKind;
  /** Region (ellipse) radii as fractions of `size`. Default 0.2 × 0.2. */
  rx?: number;
  ry?: number;
  /** Region centre before the move, as fractions of `size`. Default (0.3, 0.5). */
  cx?: number;
  cy?: number;
  /** Move in pixels. Default (0.42·size, 0). */
  dx?: number;
  dy?: number;
  seed?: number;
}

export interface Scene {
  /** Texture with the object at its old place: the editor's input. */
  input: RgbaImage;
  /** Texture with the object moved: the ideal output (`truth` equals `texture` in the hole). */
  truth: RgbaImage;
  /** The clean texture (true content of the hole). */
  texture: RgbaImage;
  /** Input with the moved region composited at its new place; the hole still shows the object. */
  edited: RgbaImage;
  /** Coverage of the region at its old place. */
  sourceMask: Mask;
  /** Coverage of the region at its new place. */
  targetMask: Mask;
  /** source − target, soft. */
  hole: Mask;
  /** hole ∪ target (> 0 → 255). */
  forbidden: Mask;
}

/** Soft (4×4 supersampled) ellipse coverage. */
function ellipseMask(size: number, cx: number, cy: number, rx: number, ry: number): Mask {
  const m = createMask(size, size);
  const x0 = Math.max(0, Math.floor(cx - rx - 1)), x1 = Math.min(size - 1, Math.ceil(cx + rx + 1));
  const y0 = Math.max(0, Math.floor(cy - ry - 1)), y1 = Math.min(size - 1, Math.ceil(cy + ry + 1));
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      let k = 0;
      for (let j = 0; j < 4; j++) {
        for (let i = 0; i < 4; i++) {
          const u = (x - 0.375 + i * 0.25 - cx) / rx, v = (y - 0.375 + j * 0.25 - cy) / ry;
          if (u * u + v * v <= 1) k++;
        }
      }
      m.data[y * size + x] = Math.round((k * 255) / 16);
    }
  }
  return m;
}

/** Build the scene. The object is a two-colour checkered disc, deliberately unlike any texture. */
export function makeScene(o: SceneOptions): Scene {
  const S = o.size;
  const rx = (o.rx ?? 0.2) * S, ry = (o.ry ?? 0.2) * S;
  const cx = (o.cx ?? 0.3) * S, cy = (o.cy ?? 0.5) * S;
  const dx = Math.round(o.dx ?? 0.42 * S), dy = Math.round(o.dy ?? 0);
  const texture = makeTexture(o.texture, S, S, o.seed ?? 7);
  // Object: 85% of the region radius, so the region carries a ring of background with it
  // (hand-drawn regions are loose).
  const obj = ellipseMask(S, cx, cy, rx * 0.85, ry * 0.85);
  const input = createImage(S, S);
  input.data.set(texture.data);
  for (let p = 0; p < S * S; p++) {
    const a = obj.data[p]! / 255;
    if (a === 0) continue;
    const x = p % S, y = (p - x) / S;
    const check = ((Math.floor(x / 9) + Math.floor(y / 9)) & 1) === 1;
    const c = check ? [230, 40, 200] : [20, 220, 60];
    for (let q = 0; q < 3; q++) input.data[p * 4 + q] = a * c[q]! + (1 - a) * texture.data[p * 4 + q]!;
  }
  const sourceMask = ellipseMask(S, cx, cy, rx, ry);
  const targetMask = ellipseMask(S, cx + dx, cy + dy, rx, ry);
  const moved = (base: RgbaImage): RgbaImage => {
    const out = createImage(S, S);
    out.data.set(base.data);
    for (let y = 0; y < S; y++) {
      const sy = y - dy;
      if (sy < 0 || sy >= S) continue;
      for (let x = 0; x < S; x++) {
        const sx = x - dx;
        if (sx < 0 || sx >= S) continue;
        const a = sourceMask.data[sy * S + sx]! / 255;
        if (a === 0) continue;
        const ti = (y * S + x) * 4, si = (sy * S + sx) * 4;
        for (let q = 0; q < 4; q++) out.data[ti + q] = a * input.data[si + q]! + (1 - a) * out.data[ti + q]!;
      }
    }
    return out;
  };
  const truth = moved(texture);
  const edited = moved(input);
  const hole = createMask(S, S), forbidden = createMask(S, S);
  for (let p = 0; p < S * S; p++) {
    const v = sourceMask.data[p]! - targetMask.data[p]!;
    if (v > 0) hole.data[p] = v;
    if (hole.data[p]! > 0 || targetMask.data[p]! > 0) forbidden.data[p] = 255;
  }
  return { input, truth, texture, edited, sourceMask, targetMask, hole, forbidden };
}
