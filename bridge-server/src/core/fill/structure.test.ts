import { cloneImage, createImage, createMask } from '../image';
import { createRng } from '../random';
import type { Mask, RgbaImage } from '../types';
import { fillPatchMatch } from './index';
import { findContinuedEdges } from './structure';

/**
 * A grainy backdrop (grey 150 ± 12) with a dark horizontal line (rows 79–82, grey 60 ± 5), a
 * 60 × 60 hole over it at x 100–159 (the vacated place), and what lies on the far side:
 * `line` — the line runs on; `object` — the moved content (forbidden) right of the hole; `none` —
 * the line ends at the hole; `step` — instead of a line, the lower half is dark (one edge).
 * Everything scaled by `k` (a photo k times as large).
 */
function scene(far: 'line' | 'object' | 'none' | 'step', k = 1): { img: RgbaImage; hole: Mask; forbidden: Mask } {
  const W = 240 * k, H = 160 * k, rng = createRng(3);
  const img = createImage(W, H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const Y = y / k, X = x / k;
      let v = 150 + (rng() - 0.5) * 24;
      if (far === 'step') { if (Y >= 80) v = 70 + (rng() - 0.5) * 24; } else if (Y >= 79 && Y < 83 && (far !== 'none' || X < 100)) v = 60 + (rng() - 0.5) * 10;
      img.data.set([v, v * 0.9, v * 0.8, 255], (y * W + x) * 4);
    }
  }
  const hole = createMask(W, H), forbidden = createMask(W, H);
  for (let y = 50 * k; y < 110 * k; y++) {
    for (let x = 100 * k; x < 160 * k; x++) { hole.data[y * W + x] = 255; forbidden.data[y * W + x] = 255; }
    if (far === 'object') for (let x = 160 * k; x < 190 * k; x++) forbidden.data[y * W + x] = 255;
  }
  return { img, hole, forbidden };
}

/** Mean grey of the line's rows (79–82) in each 10-px column block across the hole. */
function lineRows(a: RgbaImage, k = 1): number[] {
  const out: number[] = [];
  for (let x0 = 100 * k; x0 < 160 * k; x0 += 10 * k) {
    let s = 0, n = 0;
    for (let y = 79 * k; y < 83 * k; y++) {
      for (let x = x0; x < x0 + 10 * k; x++) { const q = (y * a.width + x) * 4; s += (a.data[q]! + a.data[q + 1]! + a.data[q + 2]!) / 3; n++; }
    }
    out.push(s / n);
  }
  return out;
}

describe('straight edges continued through the hole (fill/structure.ts)', () => {
  it('a line running under the moved content is continued up to it; the texture fill alone stops it short', async () => {
    const s = scene('object');
    const edges = findContinuedEdges(s.img, s.hole, s.forbidden);
    // The line's two edges (its top and bottom), straight along it, up to the moved content.
    expect(edges).toHaveLength(2);
    for (const e of edges) {
      expect(e.joined).toBe(false);
      expect(Math.abs(e.a[1] - e.b[1])).toBeLessThan(0.5);
      expect(e.b[0]).toBeGreaterThan(158);
      expect(e.b[0]).toBeLessThan(162);
    }
    expect(edges.map((e) => e.a[1]).sort((a, b) => a - b).map((y) => Math.round(y))).toEqual([79, 83]);
    const a = cloneImage(s.img);
    await fillPatchMatch(a, s.hole, s.forbidden, { seed: 1 });
    for (const v of lineRows(a)) expect(v).toBeLessThan(75);
    const off = cloneImage(s.img);
    await fillPatchMatch(off, s.hole, s.forbidden, { seed: 1 }, { continueEdges: false });
    expect(lineRows(off)[5]!).toBeGreaterThan(120); // so the check can fail
  });

  it('a line that comes out on the far side is joined once (not once from each side), as is a step edge', () => {
    const ls = scene('line');
    const line = findContinuedEdges(ls.img, ls.hole, ls.forbidden);
    expect(line).toHaveLength(2);
    expect(line.every((e) => e.joined)).toBe(true);
    const step = scene('step');
    const edges = findContinuedEdges(step.img, step.hole, step.forbidden);
    expect(edges).toHaveLength(1);
    expect(edges[0]!.joined).toBe(true);
    expect(Math.abs(edges[0]!.a[1] - 79.5)).toBeLessThan(1);
  });

  it('a line that ends at the hole, with plain backdrop beyond it, is left to the texture fill', async () => {
    const s = scene('none');
    expect(findContinuedEdges(s.img, s.hole, s.forbidden)).toEqual([]);
    const a = cloneImage(s.img), b = cloneImage(s.img);
    await fillPatchMatch(a, s.hole, s.forbidden, { seed: 2 });
    await fillPatchMatch(b, s.hole, s.forbidden, { seed: 2 }, { continueEdges: false });
    expect(Buffer.from(a.data).equals(Buffer.from(b.data))).toBe(true);
  });

  it('reads the same edges on a 4× photo at a 4× cell (scale-free), in full-resolution coordinates', () => {
    const s = scene('object', 4);
    const edges = findContinuedEdges(s.img, s.hole, s.forbidden, 4);
    expect(edges).toHaveLength(2);
    for (const e of edges) {
      expect(e.joined).toBe(false);
      expect(Math.abs(e.a[1] - e.b[1])).toBeLessThan(2);
      expect(Math.abs(e.b[0] - 640)).toBeLessThan(6);
    }
    expect(edges.map((e) => e.a[1] / 4).sort((a, b) => a - b).map((y) => Math.round(y))).toEqual([79, 83]);
  });

  it('gives the caller its masks back as they were and changes only hole pixels', async () => {
    const s = scene('object');
    const hole0 = Uint8Array.from(s.hole.data), forb0 = Uint8Array.from(s.forbidden.data);
    const a = cloneImage(s.img);
    await fillPatchMatch(a, s.hole, s.forbidden, { seed: 1 });
    expect(Buffer.from(s.hole.data).equals(Buffer.from(hole0))).toBe(true);
    expect(Buffer.from(s.forbidden.data).equals(Buffer.from(forb0))).toBe(true);
    let outside = 0;
    for (let p = 0; p < hole0.length; p++) {
      if (hole0[p]) continue;
      for (let c = 0; c < 4; c++) if (a.data[p * 4 + c] !== s.img.data[p * 4 + c]) { outside++; break; }
    }
    expect(outside).toBe(0);
  });
});
