/**
 * The specialised render kernels (affine: bilinear preview, clamped bicubic final, supersampled
 * final; deform and elastic fields) against the general kernel they replace, kept unchanged as the
 * reference: on random affines and fields over soft masks, partly transparent images and keep
 * masks the outputs must be bit-identical (edited pixels, every mask, the source map). Also the patch's reach map against a
 * brute-force reading of the taps it summarises.
 */
import { createRng } from '../random';
import { makeTexture } from '../textures';
import type { OperationParams, PlacedMask, Region, RgbaImage } from '../types';
import { buildSourcePatch, patchReach, sampleBicubic, sampleBicubicReach, setPatchCache } from '../resample';
import { prepareRegionWarp, setRenderReference, warpRegions, type WarpOutput } from './warp-regions';
import { renderRowsReference } from './warp-regions.reference';

/** A soft elliptical mask with a feathered rim, random speckle holes and a few partial pixels. */
function softEllipse(cx: number, cy: number, rx: number, ry: number, rnd: () => number): PlacedMask {
  const left = Math.floor(cx - rx - 3), top = Math.floor(cy - ry - 3);
  const width = Math.ceil(2 * rx + 6), height = Math.ceil(2 * ry + 6);
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const dx = (x + left - cx) / rx, dy = (y + top - cy) / ry;
      const r = Math.sqrt(dx * dx + dy * dy);
      // Solid inside, a 3-px-ish soft rim.
      let v = Math.round(255 * Math.min(1, Math.max(0, (1.06 - r) / 0.12)));
      if (v > 0 && rnd() < 0.01) v = Math.floor(rnd() * 256);
      data[y * width + x] = v;
    }
  }
  return { left, top, width, height, data };
}

/** Noise texture with a partly transparent band (alpha varies) so non-solid taps occur inside the region. */
function testImage(w: number, h: number, rnd: () => number): RgbaImage {
  const img = makeTexture('noise', w, h, 11);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (y > h * 0.45 && y < h * 0.55) img.data[(y * w + x) * 4 + 3] = Math.floor(rnd() * 256);
    }
  }
  return img;
}

function same(a: WarpOutput, b: WarpOutput): void {
  expect(a.crop).toEqual(b.crop);
  expect(Buffer.from(a.edited.data).equals(Buffer.from(b.edited.data))).toBe(true);
  for (const m of ['targetMask', 'holeMask', 'sourceMask', 'forbidden', 'keepMask'] as const) {
    expect(Buffer.from(a[m].data).equals(Buffer.from(b[m].data))).toBe(true);
  }
  expect(Buffer.from(a.sourceMap!.buffer).equals(Buffer.from(b.sourceMap!.buffer))).toBe(true);
}

describe('render kernels equal the reference kernel (bit-identical)', () => {
  const rnd = createRng(1234);
  const W = 160, H = 140;
  const image = testImage(W, H, rnd);
  const mask = softEllipse(78, 70, 34, 27, rnd);
  const reg: Region = { id: 'r', mask };
  const keep: PlacedMask = { left: 60, top: 40, width: 12, height: 50, data: new Uint8Array(12 * 50).fill(255) };
  afterAll(() => { setRenderReference(null); setPatchCache(true); });

  /** Random operation chains: rotations, scales (shrinks force supersampling at final), sub-pixel moves. */
  function randomOps(): OperationParams[] {
    const n = 1 + Math.floor(rnd() * 3), ops: OperationParams[] = [];
    for (let i = 0; i < n; i++) {
      const k = rnd();
      const center: [number, number] = [60 + rnd() * 40, 55 + rnd() * 30];
      if (k < 0.4) ops.push({ kind: 'rotate', angleDeg: (rnd() - 0.5) * 340, center });
      else if (k < 0.75) ops.push({ kind: 'scale', sx: 0.22 + rnd() * 1.3, sy: 0.22 + rnd() * 1.3, center });
      else ops.push({ kind: 'translate', dx: (rnd() - 0.5) * 50, dy: (rnd() - 0.5) * 40 });
    }
    return ops;
  }

  /** Warp `ops` with the reference kernel (`general`) and the specialised kernels (`fast`). */
  function bothKernels(ops: readonly OperationParams[], quality: 'preview' | 'final', withKeep: boolean): { general: WarpOutput; fast: WarpOutput } {
    const run = (fast: boolean): WarpOutput => {
      setRenderReference(fast ? null : renderRowsReference);
      return warpRegions({
        image, regions: [reg], operations: ops.map((params) => ({ region: 'r', params })), quality, withSourceMap: true,
        ...(withKeep ? { keep: [keep] } : {}),
      });
    };
    return { general: run(false), fast: run(true) };
  }

  test.each(['preview', 'final'] as const)('%s: random affines, soft masks, transparent pixels, keep', (quality) => {
    setPatchCache(false);
    let supersampled = 0, moved = 0;
    for (let t = 0; t < 24; t++) {
      const ops = randomOps();
      const { general, fast } = bothKernels(ops, quality, t % 3 === 0);
      same(fast, general);
      if (prepareRegionWarp(image, reg, ops, quality, []).supersample > 1) supersampled++;
      for (const v of fast.targetMask.data) if (v > 0) moved++;
    }
    // The cases really exercised the kernels (and, at final, the supersampled one).
    expect(moved).toBeGreaterThan(24 * 1000);
    if (quality === 'final') expect(supersampled).toBeGreaterThan(2);
  });

  test.each(['preview', 'final'] as const)('%s: deform fields (alone, after and before affines) and elastic drags', (quality) => {
    setPatchCache(false);
    let moved = 0;
    for (let t = 0; t < 10; t++) {
      const h: [number, number] = [62 + rnd() * 30, 55 + rnd() * 25];
      const tg: [number, number] = [h[0] + (rnd() - 0.5) * 30, h[1] + (rnd() - 0.5) * 24];
      const deform: OperationParams = t % 3 === 2
        ? { kind: 'deform', elastic: true, handles: [h], targets: [tg] }
        : { kind: 'deform', handles: [h], targets: [tg] };
      const ops: OperationParams[] = t % 3 === 0 ? [deform] : t % 3 === 1 ? [...randomOps(), deform, ...randomOps()] : [deform];
      const { general, fast } = bothKernels(ops, quality, t % 2 === 0);
      same(fast, general);
      for (const v of fast.targetMask.data) if (v > 0) moved++;
    }
    expect(moved).toBeGreaterThan(10 * 1000);
  });

  test.each(['preview', 'final'] as const)('%s: axis-aligned maps (shrinks, enlargements, sub-pixel moves, half turns)', (quality) => {
    setPatchCache(false);
    const cases: OperationParams[][] = [
      [{ kind: 'scale', sx: 0.5, sy: 0.5, center: [78, 70] }],
      [{ kind: 'scale', sx: 0.3, sy: 0.62, center: [70, 64] }, { kind: 'translate', dx: 3.3, dy: -2.7 }],
      [{ kind: 'scale', sx: 1.7, sy: 1.25, center: [80, 72] }],
      [{ kind: 'translate', dx: 10.4, dy: -7.9 }],
      [{ kind: 'rotate', angleDeg: 180, center: [78.5, 70.25] }, { kind: 'scale', sx: 0.8, sy: 0.55, center: [78, 70] }],
      [{ kind: 'scale', sx: 0.24, sy: 0.24, center: [120, 30] }],
    ];
    let supersampled = 0;
    cases.forEach((ops, t) => {
      const { general, fast } = bothKernels(ops, quality, t % 2 === 0);
      same(fast, general);
      let moved = 0;
      for (const v of fast.targetMask.data) if (v > 0) moved++;
      expect(moved).toBeGreaterThan(100);
      const rw = prepareRegionWarp(image, reg, ops, quality, []);
      expect(rw.backward[1] === 0 && rw.backward[3] === 0).toBe(true);
      if (rw.supersample > 1) supersampled++;
    });
    if (quality === 'final') expect(supersampled).toBeGreaterThanOrEqual(3);
  });

  test('a cached patch (second preview of a drag) renders the same as a fresh one', () => {
    setPatchCache(true);
    const ops: OperationParams[] = [{ kind: 'rotate', angleDeg: 17.3, center: [80, 70] }];
    const run = (): WarpOutput => warpRegions({ image, regions: [reg], operations: ops.map((params) => ({ region: 'r', params })), quality: 'preview', withSourceMap: true });
    setRenderReference(renderRowsReference);
    const general = run();
    setRenderReference(null);
    same(run(), general);
    same(run(), general);
  });
});

describe('patch reach map', () => {
  const rnd = createRng(99);
  const image = testImage(90, 80, rnd);
  const mask = softEllipse(45, 40, 20, 16, rnd);
  const patch = buildSourcePatch(image, mask);
  test.each([2, 4] as const)('%i taps: 0 = all empty, 2 = all solid, else 1 (brute force)', (taps) => {
    const reach = patchReach(patch, taps);
    const lo = taps === 2 ? 0 : 1, hi = taps === 2 ? 1 : 2;
    const counts = [0, 0, 0];
    for (let y0 = 1; y0 <= patch.height - 3; y0++) {
      for (let x0 = 1; x0 <= patch.width - 3; x0++) {
        let any = false, allSolid = true;
        for (let y = y0 - lo; y <= y0 + hi; y++) {
          for (let x = x0 - lo; x <= x0 + hi; x++) {
            const i = y * patch.width + x;
            if (patch.cov[i]! > 0) any = true;
            if (patch.cov[i] !== 1 || patch.rgba[i * 4 + 3] !== 1) allSolid = false;
          }
        }
        const want = !any ? 0 : allSolid ? 2 : 1;
        expect(reach[y0 * patch.width + x0]).toBe(want);
        counts[want]!++;
      }
    }
    for (const c of counts) expect(c).toBeGreaterThan(50);
    expect(patchReach(patch, taps)).toBe(reach); // kept on the patch
  });

  test('shared patches and their reach maps equal the plain ones', () => {
    for (const taps of [2, 4] as const) {
      const sharedPatch = buildSourcePatch(image, mask, true);
      const plain = buildSourcePatch(image, mask);
      expect(sharedPatch.rgba.buffer).toBeInstanceOf(SharedArrayBuffer);
      expect(Buffer.from(sharedPatch.rgba.buffer).equals(Buffer.from(plain.rgba.buffer))).toBe(true);
      expect(Buffer.from(sharedPatch.cov.buffer).equals(Buffer.from(plain.cov.buffer))).toBe(true);
      expect(Buffer.from(sharedPatch.kind).equals(Buffer.from(plain.kind))).toBe(true);
      const a = patchReach(sharedPatch, taps, true);
      expect(a.buffer).toBeInstanceOf(SharedArrayBuffer);
      expect(Buffer.from(a).equals(Buffer.from(patchReach(buildSourcePatch(image, mask), taps)))).toBe(true);
    }
  });

  test('bicubic with the reach map equals bicubic without it at random positions', () => {
    const reach = patchReach(patch, 4);
    const a = new Float32Array(4), b = new Float32Array(4);
    for (let i = 0; i < 20000; i++) {
      const x = patch.left - 2 + rnd() * (patch.width + 4), y = patch.top - 2 + rnd() * (patch.height + 4);
      a.fill(-1); b.fill(-1);
      const ca = sampleBicubic(patch, x, y, a), cb = sampleBicubicReach(patch, reach, x, y, b);
      expect(cb).toBe(ca);
      if (ca > 0) expect(Array.from(b)).toEqual(Array.from(a));
    }
  });
});
