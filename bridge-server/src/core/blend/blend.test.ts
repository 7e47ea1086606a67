import { cloneImage, createImage, createMask } from '../image';
import type { Mask, RgbaImage } from '../types';
import { makeScene } from '../fill/synthetic-scene';
import { fillHole } from '../fill';
import { makeTexture } from '../textures';
import { blendSeams, chamferDistance, selectionLooseness } from './index';
import { chamferDistanceBand } from './distance';
import { chamferDistanceFull } from './distance.reference';
import { blendSeamsWholeWindow, selectionLoosenessFull } from './whole-window.reference';

/** Deterministic blobs: a union of random discs (some touching the border), as 0/1. */
function blobs(w: number, h: number, n: number, seed: number): Uint8Array {
  let st = seed;
  const rnd = (): number => { st = (st * 1103515245 + 12345) >>> 0; return st / 2 ** 32; };
  const m = new Uint8Array(w * h);
  for (let i = 0; i < n; i++) {
    const cx = rnd() * w, cy = rnd() * h, r = 3 + rnd() * Math.min(w, h) * 0.4;
    for (let y = Math.max(0, Math.floor(cy - r)); y < Math.min(h, cy + r); y++) {
      for (let x = Math.max(0, Math.floor(cx - r)); x < Math.min(w, cx + r); x++) if ((x - cx) ** 2 + (y - cy) ** 2 < r * r) m[y * w + x] = 1;
    }
  }
  return m;
}

describe('chamferDistance', () => {
  it('skipping tiles far from the outside gives the full two-pass transform bit for bit', () => {
    for (const [w, h, n, seed] of [[300, 220, 6, 1], [257, 311, 3, 2], [90, 70, 12, 3], [400, 400, 2, 4]] as const) {
      const m = blobs(w, h, n, seed);
      for (const cap of [5, 26, 64.5, 300]) {
        for (const border of [false, true]) {
          const want = chamferDistanceFull(m, w, h, cap, border);
          expect(Buffer.from(chamferDistance(m, w, h, cap, border).buffer).equals(Buffer.from(want.buffer))).toBe(true);
        }
      }
    }
  });

  it('the band variant reads a view of a larger array and its spans hold every pixel below the cap', () => {
    const W = 420, H = 330, m = blobs(W, H, 5, 9), cap = 26;
    // The mask as bit 1 of a wider array, at an offset.
    const stride = W + 37, off = 5 * stride + 11, big = new Uint8Array(off + H * stride);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) big[off + y * stride + x] = m[y * W + x] ? 2 | (x & 1) : x & 1;
    const band = chamferDistanceBand(big, W, H, cap, { offset: off, stride, bit: 2 });
    const want = chamferDistanceFull(m, W, H, cap);
    expect(Buffer.from(band.d.buffer).equals(Buffer.from(want.buffer))).toBe(true);
    const inSpan = new Uint8Array(W * H);
    for (let y = 0; y < H; y++) {
      const sp = band.spans[(y / band.tile) | 0]!;
      for (let k = 0; k < sp.length; k += 2) for (let x = sp[k]!; x < sp[k + 1]!; x++) inSpan[y * W + x] = 1;
    }
    let missed = 0, spanned = 0;
    for (let p = 0; p < W * H; p++) { if (m[p] && want[p]! < cap && !inSpan[p]) missed++; if (inSpan[p]) spanned++; }
    expect(missed).toBe(0);
    expect(spanned).toBeLessThan(W * H); // far tiles are left out
  });


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
  it('equals the scan of the whole mask (its box only, four bytes at a time where uniform)', () => {
    for (const [w, h, seed] of [[120, 90, 1], [121, 77, 2], [203, 150, 3], [64, 64, 4]] as const) {
      const original = makeTexture('noise', w, h, seed);
      const m = blobs(w, h, 4, seed + 10);
      const source = createMask(w, h);
      // Mostly 0/255 with a soft rim here and there.
      for (let p = 0; p < w * h; p++) source.data[p] = m[p] ? 255 : 0;
      for (let p = 0; p < w * h; p += 37) if (source.data[p]) source.data[p] = 128;
      const got = selectionLooseness(original, source);
      expect(got).toBe(selectionLoosenessFull(original, source));
      expect(selectionLooseness(original, unaligned(source))).toBe(got);
    }
  });

  it('is 0 for a selection on the object outline and 1 for one drawn well around it', () => {
    const tight = scene(0), loose = scene(6);
    expect(selectionLooseness(tight.original, tight.source)).toBe(0);
    expect(selectionLooseness(loose.original, loose.source)).toBe(1);
  });
});

/**
 * A textured scene: a soft-edged moved ellipse whose content is the background lightened (a
 * lighting step at its edge), a vacated ellipse partly under it, and a keep rectangle across both.
 */
function blendScene(W: number, H: number, seed: number) {
  const original = makeTexture('noise', W, H, seed);
  const edited = cloneImage(original);
  const target = createMask(W, H), hole = createMask(W, H), keep = createMask(W, H), source = createMask(W, H);
  const cov = (x: number, y: number, cx: number, cy: number, ax: number, ay: number): number => {
    const r = Math.sqrt(((x - cx) / ax) ** 2 + ((y - cy) / ay) ** 2);
    return Math.max(0, Math.min(1, (1 - r) * Math.min(ax, ay) + 0.5));
  };
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const p = y * W + x;
      const t = cov(x, y, 0.55 * W, 0.52 * H, 0.4 * W, 0.37 * H), s = cov(x, y, 0.4 * W, 0.45 * H, 0.3 * W, 0.3 * H);
      source.data[p] = Math.round(255 * s);
      if (x > 0.7 * W && x < 0.8 * W && y > 0.2 * H && y < 0.9 * H) { keep.data[p] = 255; continue; }
      target.data[p] = Math.round(255 * t);
      if (s > 0 && t < 1) hole.data[p] = Math.round(255 * s * (1 - t));
      for (let q = 0; q < 3; q++) edited.data[p * 4 + q] = original.data[p * 4 + q]! + 30 * t;
    }
  }
  return { original, edited, target, hole, keep, source };
}

/** The same bytes at byte offset 1 of a larger buffer (the blend's per-pixel path, not its word path). */
function unaligned(m: Mask): Mask {
  const buf = new Uint8Array(m.data.length + 1);
  buf.set(m.data, 1);
  return { width: m.width, height: m.height, data: buf.subarray(1) };
}

describe('band-limited blend against the whole-window blend', () => {
  const run = (f: typeof blendSeams, sc: ReturnType<typeof blendScene>, masks: (m: Mask) => Mask = (m) => m) => {
    const img = cloneImage(sc.edited);
    const seam = f({ edited: img, original: sc.original, targetMask: masks(sc.target), holeMask: masks(sc.hole), keepMask: masks(sc.keep), sourceMask: sc.source, quality: 'final' });
    return { img, seam };
  };

  it('a target over 512² (both interpolate the membrane on the same coarse grid): the same pixels and seam mask', () => {
    const sc = blendScene(780, 760, 3);
    const a = run(blendSeams, sc), b = run(blendSeamsWholeWindow, sc);
    expect(Buffer.from(a.seam.data).equals(Buffer.from(b.seam.data))).toBe(true);
    expect(Buffer.from(a.img.data).equals(Buffer.from(b.img.data))).toBe(true);
    // The blend did act: the colour correction and the feather changed pixels.
    expect(Buffer.from(a.img.data).equals(Buffer.from(sc.edited.data))).toBe(false);
    // Masks that are not 4-byte aligned take the per-pixel path: the same result.
    const c = run(blendSeams, sc, unaligned);
    expect(Buffer.from(c.img.data).equals(Buffer.from(a.img.data))).toBe(true);
    expect(Buffer.from(c.seam.data).equals(Buffer.from(a.seam.data))).toBe(true);
  });

  it('a small target (the membrane now on a 2×2 grid, before at full resolution): the same seam mask, pixels within a few levels', () => {
    // (measured: max 9 levels, mean well under 0.25)
    const sc = blendScene(200, 170, 5);
    const a = run(blendSeams, sc), b = run(blendSeamsWholeWindow, sc);
    expect(Buffer.from(a.seam.data).equals(Buffer.from(b.seam.data))).toBe(true);
    let max = 0, sum = 0, changed = 0;
    for (let i = 0; i < a.img.data.length; i++) {
      const d = Math.abs(a.img.data[i]! - b.img.data[i]!);
      sum += d; if (d > max) max = d;
      if (a.img.data[i] !== sc.edited.data[i]) changed++;
    }
    expect(changed).toBeGreaterThan(0);
    expect(max).toBeLessThanOrEqual(12);
    expect(sum / a.img.data.length).toBeLessThan(0.25);
  });
});
