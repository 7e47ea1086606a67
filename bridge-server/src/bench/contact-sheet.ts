/**
 * Contact sheets: one tile per sample (input with arrows | result [| expected]) as thumbnails of
 * at most 256 px, laid out in a grid with the sample's number in the corner; `report.md` maps
 * numbers to sample ids.
 */
import sharp from 'sharp';
import { createImage } from '../core/image';
import type { Point, RgbaImage } from '../core/types';
import { downscale, drawArrow, drawNumber } from './draw';

/** One sample's panels, already thumbnailed, and its 1-based number on the sheet. */
export interface SheetTile {
  number: number;
  panels: RgbaImage[];
}

/** Layout options of {@link composeSheet}. */
export interface SheetOptions {
  /** Thumbnail box side in pixels (default 256). */
  thumb?: number;
  /** Tiles per row (default 3). */
  columns?: number;
  /** Gap between panels and tiles in pixels (default 6). */
  gap?: number;
}

/**
 * Thumbnail of `img` (longer side ≤ `thumb`) with each drag polyline drawn as an arrow, in
 * thumbnail coordinates. Anchors are one-point polylines.
 */
export function thumbWithArrows(img: RgbaImage, drags: readonly (readonly Point[])[], thumb = 256): RgbaImage {
  const t = downscale(img, thumb);
  const sx = t.width / img.width, sy = t.height / img.height;
  for (const d of drags) drawArrow(t, d.map((p) => [(p[0] + 0.5) * sx - 0.5, (p[1] + 0.5) * sy - 0.5] as Point), Math.max(0.75, Math.min(1.25, 1 / Math.max(sx, sy) / 2)));
  return t;
}

/** Lay tiles out on a dark grey, opaque sheet; panels are alpha-composited and centred in their boxes. */
export function composeSheet(tiles: readonly SheetTile[], opts: SheetOptions = {}): RgbaImage {
  const thumb = opts.thumb ?? 256, gap = opts.gap ?? 6;
  const columns = Math.max(1, Math.min(opts.columns ?? 3, tiles.length || 1));
  const panelsPerTile = Math.max(1, ...tiles.map((t) => t.panels.length));
  const tileW = panelsPerTile * thumb + (panelsPerTile - 1) * 2 + gap * 2;
  const tileH = thumb + gap * 2;
  const rows = Math.max(1, Math.ceil(tiles.length / columns));
  const sheet = createImage(columns * tileW + gap, rows * tileH + gap);
  const d = sheet.data;
  for (let i = 0; i < d.length; i += 4) { d[i] = 40; d[i + 1] = 40; d[i + 2] = 44; d[i + 3] = 255; }
  tiles.forEach((tile, k) => {
    const tx = (k % columns) * tileW + gap * 1.5, ty = Math.floor(k / columns) * tileH + gap * 1.5;
    tile.panels.forEach((p, j) => {
      const ox = Math.round(tx + j * (thumb + 2) + (thumb - p.width) / 2);
      const oy = Math.round(ty + (thumb - p.height) / 2);
      blit(sheet, p, ox, oy);
    });
    drawNumber(sheet, tile.number, Math.round(tx), Math.round(ty), 2);
  });
  return sheet;
}

/** Tiles per sheet page, so that one PNG stays a few MB (12 rows of 3). */
export const TILES_PER_SHEET = 36;

/** Encode a sheet as a palette (quantised, 8-bit) PNG: about a third of a truecolour PNG's size. */
export async function encodeSheetPng(sheet: RgbaImage): Promise<Buffer> {
  return sharp(Buffer.from(sheet.data.buffer, sheet.data.byteOffset, sheet.data.byteLength), {
    raw: { width: sheet.width, height: sheet.height, channels: 4 },
  }).png({ palette: true, quality: 90, effort: 3 }).toBuffer();
}

/** Source-over `src` onto the opaque `dst` at (ox, oy), clipped. */
function blit(dst: RgbaImage, src: RgbaImage, ox: number, oy: number): void {
  const s = src.data, d = dst.data;
  for (let y = 0; y < src.height; y++) {
    const dy = oy + y;
    if (dy < 0 || dy >= dst.height) continue;
    for (let x = 0; x < src.width; x++) {
      const dx = ox + x;
      if (dx < 0 || dx >= dst.width) continue;
      const si = (y * src.width + x) * 4, di = (dy * dst.width + dx) * 4;
      const a = s[si + 3]! / 255;
      d[di] = s[si]! * a + d[di]! * (1 - a);
      d[di + 1] = s[si + 1]! * a + d[di + 1]! * (1 - a);
      d[di + 2] = s[si + 2]! * a + d[di + 2]! * (1 - a);
    }
  }
}
