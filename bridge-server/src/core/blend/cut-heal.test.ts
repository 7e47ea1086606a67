import { createImage, createMask } from '../image';
import type { RgbaImage } from '../types';
import { cutHealReach, healSmoothCuts, HEAL_JUMP_PX } from './cut-heal';

/**
 * A crop W × H whose every pixel is moved content: rows above `cutY` come from source rows
 * `y + shiftTop`, rows from `cutY` on from `y + shiftBottom` (a jump of their difference, the
 * content between pushed out of sight); the edited pixels are the source's at those rows
 * (`col(x, sourceRow)`), the original crop is the source itself.
 */
function scene(W: number, H: number, cutY: number, shiftTop: number, shiftBottom: number, col: (x: number, y: number) => number, cutFrom = 0, cutTo = W) {
  const original = createImage(W, H + 64), edited = createImage(W, H);
  for (let y = 0; y < H + 64; y++) for (let x = 0; x < W; x++) { const v = col(x, y); original.data.set([v, v, v, 255], (y * W + x) * 4); }
  const sourceMap = new Float32Array(2 * W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const sy = y + (y >= cutY && x >= cutFrom && x < cutTo ? shiftBottom : shiftTop);
      const p = y * W + x;
      sourceMap[2 * p] = x; sourceMap[2 * p + 1] = sy;
      const v = col(x, sy);
      edited.data.set([v, v, v, 255], p * 4);
    }
  }
  const crop = { left: 0, top: 0, width: W, height: H };
  const target = createMask(W, H); target.data.fill(255);
  const originalCrop: RgbaImage = { width: W, height: H, data: original.data.slice(0, W * H * 4) };
  return { edited, original: originalCrop, crop, sourceMap, targetMask: target, holeMask: createMask(W, H), keepMask: createMask(W, H), full: original };
}

/** Mean grey of rows y0..y1 (inclusive), columns x0..x1. */
function rowsMean(img: RgbaImage, y0: number, y1: number, x0 = 0, x1 = img.width - 1): number {
  let s = 0, n = 0;
  for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) { s += img.data[(y * img.width + x) * 4]!; n++; }
  return s / n;
}

describe('healSmoothCuts: the step of a smooth cut between two moved parts is spread out', () => {
  const W = 120, H = 80, cutY = 40;
  // A smooth vertical gradient (a defocused background): 1 level per row.
  const gradient = (_x: number, y: number): number => 60 + y;

  test('a long cut across a smooth gradient: the step falls from 24 levels to a few, far rows keep their colour', () => {
    const s = scene(W, H, cutY, 0, 24, gradient);
    const before = rowsMean(s.edited, cutY, cutY) - rowsMean(s.edited, cutY - 1, cutY - 1);
    const farTop = rowsMean(s.edited, 0, 3), farBottom = rowsMean(s.edited, H - 4, H - 1);
    expect(before).toBeCloseTo(25, 5);
    const healed = healSmoothCuts(s);
    expect(healed).toBeGreaterThan(W / 2);
    const after = rowsMean(s.edited, cutY, cutY) - rowsMean(s.edited, cutY - 1, cutY - 1);
    expect(after).toBeLessThan(5);
    // Beyond the reach nothing changes.
    const reach = cutHealReach(W * H);
    expect(cutY - reach).toBeGreaterThan(3);
    expect(rowsMean(s.edited, 0, 3)).toBe(farTop);
    expect(rowsMean(s.edited, H - 4, H - 1)).toBe(farBottom);
    // The correction fades: no row steps more than a few levels from the next anywhere (the
    // gradient's own 1 level plus the fade's slope).
    let worst = 0;
    for (let y = 1; y < H; y++) worst = Math.max(worst, Math.abs(rowsMean(s.edited, y, y) - rowsMean(s.edited, y - 1, y - 1)));
    expect(worst).toBeLessThan(5);
  });

  test('a textured surface: the cut reads as one thing in front of another and stays', () => {
    // Noise of ±20 levels on the gradient (a hash, no random source needed).
    const textured = (x: number, y: number): number => 60 + y + (((x * 73856093) ^ (y * 19349663)) % 41 + 41) % 41 - 20;
    const s = scene(W, H, cutY, 0, 24, textured);
    const copy = Uint8ClampedArray.from(s.edited.data);
    expect(healSmoothCuts(s)).toBe(0);
    expect(Buffer.from(s.edited.data).equals(Buffer.from(copy))).toBe(true);
  });

  test('a step the source already had at the origin (an outline carried along) stays', () => {
    // The source is flat with one hard edge at row 60; the bottom part comes from 20 rows further
    // down, so the cut at row 40 joins row 39's content (flat 100, next to nothing) and row 60's
    // (the edge itself): the step shows in the source at the bottom side's origin.
    const edge = (_x: number, y: number): number => (y < 60 ? 100 : 130);
    const s = scene(W, H, cutY, 0, 20, edge);
    expect(rowsMean(s.edited, cutY, cutY) - rowsMean(s.edited, cutY - 1, cutY - 1)).toBe(30);
    const copy = Uint8ClampedArray.from(s.edited.data);
    expect(healSmoothCuts(s)).toBe(0);
    expect(Buffer.from(s.edited.data).equals(Buffer.from(copy))).toBe(true);
  });

  test('a jump no wider than HEAL_JUMP_PX (a steep but continuous squeeze) is not a cut', () => {
    const s = scene(W, H, cutY, 0, Math.floor(HEAL_JUMP_PX), gradient);
    expect(healSmoothCuts(s)).toBe(0);
  });

  test('a cut only a few pixels long is no line across the surface and stays', () => {
    const s = scene(W, H, cutY, 0, 24, gradient, 50, 53);
    const copy = Uint8ClampedArray.from(s.edited.data);
    expect(healSmoothCuts(s)).toBe(0);
    expect(Buffer.from(s.edited.data).equals(Buffer.from(copy))).toBe(true);
  });

  test('pixels that are not wholly moved content (fill, keep) are never written', () => {
    const s = scene(W, H, cutY, 0, 24, gradient);
    // Keep a block that straddles the cut, and mark a band of fill below it.
    for (let y = 30; y < 50; y++) for (let x = 10; x < 30; x++) s.keepMask.data[y * W + x] = 255;
    for (let y = 44; y < 48; y++) for (let x = 60; x < 100; x++) s.holeMask.data[y * W + x] = 255;
    const copy = Uint8ClampedArray.from(s.edited.data);
    expect(healSmoothCuts(s)).toBeGreaterThan(0);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const p = y * W + x;
        if (s.keepMask.data[p] || s.holeMask.data[p]) for (let c = 0; c < 4; c++) expect(s.edited.data[4 * p + c]).toBe(copy[4 * p + c]);
      }
    }
  });
});
