/** Test helpers for what a panel sends and the result layers a host adds (the expected layer, cropped like a plugin). */
import type { PlacedMask, Point, Rect } from '@smartdrag/shared';
import type { RgbaImage } from '../../bridge-server/src/core/types';

/** What a panel recorded as sent (`panel.lastSubmitted`, masks' bytes as plain objects after page.evaluate). */
export interface Sent {
  quality: string;
  drags: { region: string; points: Point[]; kind?: string }[];
  regions: { id: string; left: number; top: number; width: number; height: number; data: Record<string, number> }[];
  intent: string;
  seed: number;
  image: Rect;
}

/** A sent region's mask back as a placed mask. */
export function maskOf(r: Sent['regions'][number]): PlacedMask {
  const n = r.width * r.height;
  const data = new Uint8Array(n);
  for (let i = 0; i < n; i++) data[i] = r.data[i]!;
  return { left: r.left, top: r.top, width: r.width, height: r.height, data };
}

/**
 * Crop a core layer to its alpha bounding box, as the plugins trim a result before placing it;
 * written independently of the plugins' own trim so the browser tests check theirs.
 */
export function trimToAlpha(layer: { left: number; top: number; image: RgbaImage }): { left: number; top: number; width: number; height: number; data: Buffer } {
  const { width, height, data } = layer.image;
  let x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    if (data[(y * width + x) * 4 + 3]) { x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y); }
  }
  const w = x1 - x0 + 1, h = y1 - y0 + 1;
  const out = Buffer.alloc(w * h * 4);
  for (let y = 0; y < h; y++) out.set(data.subarray(((y0 + y) * width + x0) * 4, ((y0 + y) * width + x1 + 1) * 4), y * w * 4);
  return { left: layer.left + x0, top: layer.top + y0, width: w, height: h, data: out };
}
