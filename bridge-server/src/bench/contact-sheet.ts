/**
 * Contact sheets: one tile per sample (input with arrows | result [| expected]) as thumbnails
 * (448 px by default, big enough to judge a drag by eye), laid out in a grid with the sample's
 * number in the corner and caption lines (id, measures) under each tile; `report.md` maps
 * numbers to sample ids.
 *
 * Captions are rendered as SVG text by sharp (librsvg + fontconfig, monospace); on a machine
 * without any font they come out blank, the pixels are unaffected.
 */
import sharp from 'sharp';
import { createImage } from '../core/image';
import type { Point, RgbaImage } from '../core/types';
import { downscale, drawArrow, drawNumber } from './draw';

/** One sample's panels, already thumbnailed, and its 1-based number on the sheet. */
export interface SheetTile {
  number: number;
  panels: RgbaImage[];
  /** Text lines printed under the panels (id, measures); none by default. */
  caption?: string[];
  /** A further panel shown only in the gallery tile (what the look measures see). */
  extra?: RgbaImage;
}

/** Layout options of {@link composeSheet}. */
export interface SheetOptions {
  /** Thumbnail box side in pixels (default {@link DEFAULT_THUMB}). */
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
export function thumbWithArrows(img: RgbaImage, drags: readonly (readonly Point[])[], thumb = DEFAULT_THUMB): RgbaImage {
  const t = downscale(img, thumb);
  const sx = t.width / img.width, sy = t.height / img.height;
  for (const d of drags) drawArrow(t, d.map((p) => [(p[0] + 0.5) * sx - 0.5, (p[1] + 0.5) * sy - 0.5] as Point), Math.max(0.75, Math.min(1.25, 1 / Math.max(sx, sy) / 2)));
  return t;
}

/** Default thumbnail side of sheets and gallery tiles, px. */
export const DEFAULT_THUMB = 448;
/** Height of one caption line, px. */
export const CAPTION_LINE = 20;

/** Where a caption line goes on a composed sheet. */
export interface SheetLabel {
  x: number;
  y: number;
  text: string;
}

/**
 * Lay tiles out on a dark grey, opaque sheet; panels are alpha-composited and centred in their
 * boxes. Returns the pixels and where each caption line goes (drawn by {@link encodeSheetPng}).
 */
export function composeSheet(tiles: readonly SheetTile[], opts: SheetOptions = {}): RgbaImage & { labels: SheetLabel[] } {
  const thumb = opts.thumb ?? DEFAULT_THUMB, gap = opts.gap ?? 6;
  const columns = Math.max(1, Math.min(opts.columns ?? 2, tiles.length || 1));
  const panelsPerTile = Math.max(1, ...tiles.map((t) => t.panels.length));
  const captionLines = Math.max(0, ...tiles.map((t) => t.caption?.length ?? 0));
  const tileW = panelsPerTile * thumb + (panelsPerTile - 1) * 2 + gap * 2;
  const tileH = thumb + gap * 2 + captionLines * CAPTION_LINE;
  const labels: SheetLabel[] = [];
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
    drawNumber(sheet, tile.number, Math.round(tx), Math.round(ty), 3);
    (tile.caption ?? []).forEach((text, j) => labels.push({ x: Math.round(tx), y: Math.round(ty + thumb + 4 + (j + 1) * CAPTION_LINE - 5), text }));
  });
  return Object.assign(sheet, { labels });
}

/** Tiles per sheet page: 4 rows of 2 tiles, so one page can be judged at full size. */
export const TILES_PER_SHEET = 8;

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** SVG with the caption lines, white monospace on transparent, the size of the sheet. */
export function labelsSvg(width: number, height: number, labels: readonly SheetLabel[]): string {
  const texts = labels.map((l) => `<text x="${l.x}" y="${l.y}">${escapeXml(l.text)}</text>`).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><g font-family="DejaVu Sans Mono, monospace" font-size="15" fill="#f0f0f0">${texts}</g></svg>`;
}

/** Encode a sheet (with its caption labels, if any) as a palette (quantised, 8-bit) PNG. */
export async function encodeSheetPng(sheet: RgbaImage & { labels?: readonly SheetLabel[] }): Promise<Buffer> {
  let img = sharp(Buffer.from(sheet.data.buffer, sheet.data.byteOffset, sheet.data.byteLength), {
    raw: { width: sheet.width, height: sheet.height, channels: 4 },
  });
  if (sheet.labels?.length) img = img.composite([{ input: Buffer.from(labelsSvg(sheet.width, sheet.height, sheet.labels)), top: 0, left: 0 }]);
  return img.png({ palette: true, quality: 90, effort: 3 }).toBuffer();
}

/** One tile as a JPEG for the HTML gallery: its panels (and the extra one) side by side on the sheet's grey. */
export async function encodeTileJpeg(tile: SheetTile, thumb = DEFAULT_THUMB): Promise<Buffer> {
  const one = composeSheet([{ number: tile.number, panels: tile.extra ? [...tile.panels, tile.extra] : tile.panels }], { thumb, columns: 1, gap: 2 });
  return sharp(Buffer.from(one.data.buffer, one.data.byteOffset, one.data.byteLength), {
    raw: { width: one.width, height: one.height, channels: 4 },
  }).jpeg({ quality: 85 }).toBuffer();
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
