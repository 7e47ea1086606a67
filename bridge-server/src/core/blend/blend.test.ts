import { cloneImage, createImage, createMask } from '../image';
import type { Mask, RgbaImage } from '../types';
import { makeScene } from '../fill/synthetic-scene';
import { fillHole } from '../fill';
import { blendSeams, chamferDistance, selectionLooseness } from './index';

describe('chamferDistance', () => {
  it('measures distance to the outside, with √2 diagonals', () => {
    const w = 7, m = new Uint8Array(w * w).fill(1);
    m[3 * w + 3] = 0;
    const d = chamferDistance(m, w, w, 100, false);
    expect(d[3 * w + 3]).toBe(0);
    expect(d[3 * w + 4]).toBe(1);
    expect(d[4 * w + 4]).toBeCloseTo(Math.SQRT2, 6);
    expect(d[3 * w + 6]).toBe(3);
    expect(d[6 * w + 6]).toBeCloseTo(3 * Math.SQRT2, 6);
  });
});

/** A flat background with a square target whose content is the background + `offset`. */
function stepScene(offset: number): { edited: RgbaImage; original: RgbaImage; target: Mask; hole: Mask; keep: Mask } {
  const S = 96;
  const original = createImage(S, S);
  for (let p = 0; p < S * S; p++) {
    const x = p % S;
    original.data.set([80 + x / 2, 100, 120 - x / 4, 255], p * 4);
  }
  const edited = cloneImage(original);
  const target = createMask(S, S), hole = createMask(S, S), keep = createMask(S, S);
  for (let y = 30; y < 70; y++) {
    for (let x = 40; x < 80; x++) {
      const p = y * S + x;
      target.data[p] = 255;
      for (let q = 0; q < 3; q++) edited.data[p * 4 + q] = original.data[p * 4 + q]! + offset;
    }
  }
  for (let y = 30; y < 70; y++) for (let x = 8; x < 30; x++) hole.data[y * S + x] = 255;
  for (let y = 60; y < 80; y++) for (let x = 60; x < 90; x++) keep.data[y * S + x] = 255;
  // Keep pixels carry the original (as runEdit guarantees before blending).
  for (let p = 0; p < S * S; p++) if (keep.data[p]) { target.data[p] = 0; edited.data.set(original.data.subarray(p * 4, p * 4 + 4), p * 4); }
  return { edited, original, target, hole, keep };
}

/** Mean absolute green difference across the target's top edge (row 29 outside, row 30 inside). */
function stepAcrossTop(img: RgbaImage): number {
  const S = img.width;
  let s = 0, n = 0;
  for (let x = 45; x < 55; x++) { s += Math.abs(img.data[(30 * S + x) * 4 + 1]! - img.data[(29 * S + x) * 4 + 1]!); n++; }
  return s / n;
}

describe('blendSeams', () => {
  it('removes a colour step between moved content and the background', () => {
    const sc = stepScene(40);
    const before = stepAcrossTop(sc.edited);
    expect(before).toBeGreaterThan(35);
    blendSeams({ edited: sc.edited, original: sc.original, targetMask: sc.target, holeMask: sc.hole, keepMask: sc.keep, quality: 'final', correctionDepthPx: 12 });
    expect(stepAcrossTop(sc.edited)).toBeLessThan(before / 5);
    // Deeper than correctionDepthPx inside, the content keeps its own colour (100 + 40).
    const S = sc.edited.width, p = (45 * S + 58) * 4;
    expect(sc.edited.data[p + 1]).toBe(140);
  });

  it('leaves a strong object edge alone (tight selection: no tinting of the object)', () => {
    const sc = stepScene(120);
    const S = sc.edited.width, p = (40 * S + 50) * 4;
    const inside = sc.edited.data[p + 1]!;
    blendSeams({ edited: sc.edited, original: sc.original, targetMask: sc.target, holeMask: sc.hole, keepMask: sc.keep, quality: 'final', correctionDepthPx: 12 });
    // 10 px inside the edge the object's colour is untouched, and the edge keeps most of its contrast.
    expect(sc.edited.data[p + 1]).toBe(inside);
    expect(stepAcrossTop(sc.edited)).toBeGreaterThan(60);
  });

  it('changes nothing outside hole ∪ target ∪ seam band, and never a keep pixel', () => {
    const sc = stepScene(40);
    const seam = blendSeams({ edited: sc.edited, original: sc.original, targetMask: sc.target, holeMask: sc.hole, keepMask: sc.keep, quality: 'final' });
    const S = sc.edited.width;
    let outside = 0, keepChanged = 0, bandFar = 0, touched = 0;
    for (let p = 0; p < S * S; p++) {
      const same = sc.edited.data.subarray(p * 4, p * 4 + 4).every((v, q) => v === sc.original.data[p * 4 + q]);
      if (sc.keep.data[p] && !same) keepChanged++;
      if (sc.keep.data[p] && seam.data[p]) keepChanged++;
      if (!sc.hole.data[p] && !sc.target.data[p] && !seam.data[p] && !same) outside++;
      if (seam.data[p] && !sc.hole.data[p] && !sc.target.data[p]) {
        touched++;
        // The band outside hole and target is at most a few pixels wide.
        const x = p % S, y = (p - x) / S;
        const nearT = x >= 37 && x < 83 && y >= 27 && y < 73, nearH = x >= 5 && x < 33 && y >= 27 && y < 73;
        if (!nearT && !nearH) bandFar++;
      }
    }
    expect(outside).toBe(0);
    expect(keepChanged).toBe(0);
    expect(bandFar).toBe(0);
    expect(touched).toBeGreaterThan(0);
  });

  it('preview quality does not blend', () => {
    const sc = stepScene(40);
    const copy = cloneImage(sc.edited);
    const seam = blendSeams({ edited: sc.edited, original: sc.original, targetMask: sc.target, holeMask: sc.hole, keepMask: sc.keep, quality: 'preview' });
    expect(Buffer.from(sc.edited.data).equals(Buffer.from(copy.data))).toBe(true);
    expect(seam.data.every((v) => v === 0)).toBe(true);
  });

  it('after fill + blend of a synthetic move, pixels outside hole ∪ target ∪ band equal the input', async () => {
    const scene = makeScene({ size: 128, texture: 'stripes' });
    const img = cloneImage(scene.edited);
    await fillHole({ image: img, hole: scene.hole, forbidden: scene.forbidden, quality: 'final', seed: 1 });
    const seam = blendSeams({ edited: img, original: scene.input, targetMask: scene.targetMask, holeMask: scene.hole, keepMask: createMask(128, 128), quality: 'final' });
    let outside = 0;
    for (let p = 0; p < 128 * 128; p++) {
      if (scene.hole.data[p] || scene.targetMask.data[p] || seam.data[p]) continue;
      for (let q = 0; q < 4; q++) if (img.data[p * 4 + q] !== scene.input.data[p * 4 + q]) { outside++; break; }
    }
    expect(outside).toBe(0);
  });
});

describe('selectionLooseness', () => {
  /** Grey background with a red 20×20 object at (20,20); `pad` grows the selection around it. */
  function scene(pad: number): { original: RgbaImage; source: Mask } {
    const S = 64, original = createImage(S, S), source = createMask(S, S);
    for (let p = 0; p < S * S; p++) {
      const x = p % S, y = Math.floor(p / S);
      const obj = x >= 20 && x < 40 && y >= 20 && y < 40;
      original.data.set(obj ? [220, 30, 30, 255] : [120, 120, 120, 255], p * 4);
      if (x >= 20 - pad && x < 40 + pad && y >= 20 - pad && y < 40 + pad) source.data[p] = 255;
    }
    return { original, source };
  }
  it('is 0 for a selection on the object outline and 1 for one drawn well around it', () => {
    const tight = scene(0), loose = scene(6);
    expect(selectionLooseness(tight.original, tight.source)).toBe(0);
    expect(selectionLooseness(loose.original, loose.source)).toBe(1);
  });
});
