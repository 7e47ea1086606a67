/**
 * Seeded procedural textures for synthetic ground-truth tests and the benchmark: value noise,
 * stripes, gradient and brick. Each returns an opaque RGBA image.
 */
import { createImage } from './image';
import { createRng } from './random';
import type { RgbaImage } from './types';

export type TextureKind = 'noise' | 'stripes' | 'gradient' | 'brick';
export const TEXTURE_KINDS: readonly TextureKind[] = ['noise', 'stripes', 'gradient', 'brick'];

export function makeTexture(kind: TextureKind, width: number, height: number, seed = 1): RgbaImage {
  const img = createImage(width, height);
  const d = img.data;
  const rng = createRng(seed);
  const base = [60 + rng() * 120, 60 + rng() * 120, 60 + rng() * 120];
  // Value-noise lattice used by several kinds, so textures are not perfectly flat.
  const cell = 8;
  const gw = Math.ceil(width / cell) + 2, gh = Math.ceil(height / cell) + 2;
  const lattice = new Float32Array(gw * gh);
  for (let i = 0; i < lattice.length; i++) lattice[i] = rng() * 2 - 1;
  const noiseAt = (x: number, y: number): number => {
    const fx = x / cell, fy = y / cell;
    const ix = Math.floor(fx), iy = Math.floor(fy);
    const tx = fx - ix, ty = fy - iy;
    const sx = tx * tx * (3 - 2 * tx), sy = ty * ty * (3 - 2 * ty);
    // The lattice wraps (periodic noise), so scaled/offset lookups never read past its end.
    const x0 = ((ix % gw) + gw) % gw, x1 = (x0 + 1) % gw;
    const y0 = (((iy % gh) + gh) % gh) * gw, y1 = ((y0 / gw + 1) % gh) * gw;
    const a = lattice[y0 + x0]!, b = lattice[y0 + x1]!;
    const c = lattice[y1 + x0]!, e = lattice[y1 + x1]!;
    return (a + (b - a) * sx) * (1 - sy) + (c + (e - c) * sx) * sy;
  };
  const period = 10 + Math.floor(rng() * 8);
  const angle = rng() * Math.PI;
  const ca = Math.cos(angle), sa = Math.sin(angle);
  const brickW = 24 + Math.floor(rng() * 10), brickH = 12 + Math.floor(rng() * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let v: number; // brightness offset
      let tint = 1;
      switch (kind) {
        case 'noise':
          v = 50 * noiseAt(x, y) + 20 * noiseAt(x * 2.3 + 17, y * 2.3 + 5);
          break;
        case 'stripes': {
          const u = x * ca + y * sa;
          v = 45 * Math.sin((2 * Math.PI * u) / period) + 8 * noiseAt(x, y);
          break;
        }
        case 'gradient':
          v = 90 * (x / width - 0.5) + 60 * (y / height - 0.5) + 4 * noiseAt(x, y);
          tint = 1 + 0.3 * (x / width);
          break;
        case 'brick': {
          const row = Math.floor(y / brickH);
          const bx = (x + (row % 2) * (brickW >> 1)) % brickW;
          const by = y % brickH;
          const mortar = bx < 2 || by < 2;
          v = mortar ? 70 : -20 + 12 * noiseAt(x, y) + ((row * 7 + Math.floor(x / brickW) * 13) % 5) * 4;
          break;
        }
      }
      const i = (y * width + x) * 4;
      d[i] = base[0]! * tint + v;
      d[i + 1] = base[1]! + v;
      d[i + 2] = base[2]! / tint + v;
      d[i + 3] = 255;
    }
  }
  return img;
}
