/**
 * Build-time icon PNGs: the icon drawing itself (a rounded square with a drag arrow), encoded
 * with UPNG.js (the same PNG library the Photopea page uses), and a PNG size reader for the
 * manifest check. Node only.
 */
import * as UPNG from 'upng-js';

/** Encode straight-alpha RGBA8 pixels as a lossless true-colour PNG (UPNG.js, no quantisation). */
export function encodePngRgba(width: number, height: number, rgba: Uint8Array): Uint8Array {
  if (rgba.length !== width * height * 4) throw new RangeError('rgba size does not match width*height*4');
  const copy = new Uint8Array(rgba.length);
  copy.set(rgba);
  return new Uint8Array(UPNG.encode([copy.buffer], width, height, 0));
}

/** Width and height of a PNG (reads IHDR), or null if `data` is not a PNG. */
export function pngSize(data: Uint8Array): { width: number; height: number } | null {
  const sig = [137, 80, 78, 71, 13, 10, 26, 10];
  if (data.length < 24 || sig.some((v, i) => data[i] !== v)) return null;
  const b = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (b.toString('latin1', 12, 16) !== 'IHDR') return null;
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

/** Distance from point p to segment ab. */
function segDist(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax, dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

/**
 * Draw the SmartDrag icon at `size` px: a rounded square with a dot (the handle) and an arrow to
 * the upper right (the drag). `theme` picks light strokes for dark UI and vice versa.
 */
export function drawIcon(size: number, theme: 'dark' | 'light' = 'dark'): Uint8Array {
  const out = new Uint8Array(size * size * 4);
  const fg = theme === 'dark' ? [235, 235, 235] : [40, 40, 40];
  const accent = [38, 128, 235];
  const s = size / 24; // design grid 24x24
  const ss = 4; // 4x4 supersampling
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
    let cov = 0, acc = 0;
    for (let sy = 0; sy < ss; sy++) for (let sx = 0; sx < ss; sx++) {
      const gx = (x + (sx + 0.5) / ss) / s, gy = (y + (sy + 0.5) / ss) / s;
      const dot = Math.hypot(gx - 7, gy - 17) <= 3.2;
      const shaft = segDist(gx, gy, 7, 17, 18, 6) <= 1.3;
      const head = segDist(gx, gy, 18, 6, 11.5, 6.5) <= 1.3 || segDist(gx, gy, 18, 6, 17.5, 12.5) <= 1.3;
      if (dot) { acc++; cov++; } else if (shaft || head) cov++;
    }
    if (cov === 0) continue;
    const n = ss * ss, a = cov / n, accentShare = acc / cov;
    const i = (y * size + x) * 4;
    for (let c = 0; c < 3; c++) out[i + c] = Math.round(fg[c]! * (1 - accentShare) + accent[c]! * accentShare);
    out[i + 3] = Math.round(a * 255);
  }
  return out;
}
