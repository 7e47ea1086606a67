/**
 * The core pipeline entry point: plan -> warp -> fill -> blend -> [refine] -> layer.
 *
 * FOUNDATION VERSION (issue #2): translate-only warp (nearest pixel). Issue #3 replaces the warp
 * (and owns this file), issue #4 the fill/ and blend/ modules, issue #6 the plan/ module,
 * keeping `runEdit`'s signature.
 */
import { expandRect, maskBounds, unionRect } from '@smartdrag/shared';
import { createImage, createMask, cropImage, placedMaskToCrop } from './image';
import type { EditRequest, EditResult, Filler, Mask, ProgressFn, Rect, Refiner, RgbaImage } from './types';
import { CancelledError } from './types';
import { makePlan } from './plan';
import { fillHole } from './fill';
import { blendSeams } from './blend';

export interface RunEditOptions {
  onProgress?: ProgressFn;
  signal?: AbortSignal;
  /** Learned filler replacing the classical one (final quality only). */
  filler?: Filler;
  /** Optional learned refinement after blend (final quality only). */
  refiner?: Refiner;
}

function checkSignal(signal?: AbortSignal): void {
  if (signal?.aborted) throw new CancelledError();
}

export async function runEdit(req: EditRequest, opts: RunEditOptions = {}): Promise<EditResult> {
  const t0 = performance.now();
  const timings: Record<string, number> = {};
  const { image } = req;
  const seed = req.seed ?? 1;
  const plan = await makePlan(req);
  let area: Rect = { left: 0, top: 0, width: 0, height: 0 };
  for (const op of plan.operations) {
    const region = req.regions.find((r) => r.id === op.region);
    if (!region) throw new RangeError(`operation names unknown region ${op.region}`);
    const b = maskBounds(region.mask);
    const dx = op.params.kind === 'translate' ? Math.round(op.params.dx) : 0;
    const dy = op.params.kind === 'translate' ? Math.round(op.params.dy) : 0;
    area = unionRect(area, unionRect(b, { ...b, left: b.left + dx, top: b.top + dy }));
  }
  const crop = expandRect(area, 8, image.width, image.height);
  timings.plan = performance.now() - t0;
  opts.onProgress?.('plan', 1);
  checkSignal(opts.signal);

  const t1 = performance.now();
  const n = crop.width * crop.height;
  const src = cropImage(image, crop);
  const edited = cropImage(image, crop);
  const sourceMask = createMask(crop.width, crop.height);
  const targetMask = createMask(crop.width, crop.height);
  for (const op of plan.operations) {
    if (op.params.kind !== 'translate') continue;
    const region = req.regions.find((r) => r.id === op.region)!;
    const m = placedMaskToCrop(region.mask, crop);
    const dx = Math.round(op.params.dx), dy = Math.round(op.params.dy);
    for (let p = 0; p < n; p++) if (m.data[p]! > sourceMask.data[p]!) sourceMask.data[p] = m.data[p]!;
    // Backward map: every target pixel samples its source, so nothing cracks.
    for (let ty = 0; ty < crop.height; ty++) {
      const sy = ty - dy;
      if (sy < 0 || sy >= crop.height) continue;
      for (let tx = 0; tx < crop.width; tx++) {
        const sx = tx - dx;
        if (sx < 0 || sx >= crop.width) continue;
        const cov = m.data[sy * crop.width + sx]!;
        if (cov === 0) continue;
        const ti = ty * crop.width + tx;
        if (cov > targetMask.data[ti]!) targetMask.data[ti] = cov;
        const a = cov / 255, si4 = (sy * crop.width + sx) * 4, ti4 = ti * 4;
        for (let c = 0; c < 4; c++) edited.data[ti4 + c] = src.data[si4 + c]! * a + edited.data[ti4 + c]! * (1 - a);
      }
    }
  }
  const keepMask = createMask(crop.width, crop.height);
  for (const k of req.keep ?? []) placedMaskToCrop(k, crop, keepMask);
  const holeMask = createMask(crop.width, crop.height);
  const forbidden = createMask(crop.width, crop.height);
  for (let p = 0; p < n; p++) {
    if (keepMask.data[p]! > 0) {
      edited.data.set(src.data.subarray(p * 4, p * 4 + 4), p * 4);
      continue;
    }
    const v = sourceMask.data[p]! - targetMask.data[p]!;
    if (v > 0) holeMask.data[p] = v;
    if (holeMask.data[p]! > 0 || targetMask.data[p]! > 0) forbidden.data[p] = 255;
  }
  timings.warp = performance.now() - t1;
  opts.onProgress?.('warp', 1);
  checkSignal(opts.signal);

  const t2 = performance.now();
  await fillHole({
    image: edited, hole: holeMask, forbidden, quality: req.quality, seed,
    filler: req.quality === 'final' ? opts.filler : undefined, signal: opts.signal,
    onProgress: (f) => opts.onProgress?.('fill', f),
  });
  timings.fill = performance.now() - t2;
  checkSignal(opts.signal);

  const t3 = performance.now();
  const seam = blendSeams({ edited, original: src, targetMask, holeMask, keepMask, quality: req.quality });
  timings.blend = performance.now() - t3;
  opts.onProgress?.('blend', 1);

  if (opts.refiner && req.quality === 'final') {
    const t4 = performance.now();
    const allowed = createMask(crop.width, crop.height);
    for (let p = 0; p < n; p++) if ((holeMask.data[p]! > 0 || seam.data[p]! > 0) && keepMask.data[p] === 0) allowed.data[p] = 255;
    await opts.refiner.refine({
      image: edited, allowed, intent: req.intent ?? '', seed, signal: opts.signal,
      onProgress: (f) => opts.onProgress?.('refine', f),
    });
    timings.refine = performance.now() - t4;
  }

  const t5 = performance.now();
  const layer = changedLayer(src, edited);
  timings.layer = performance.now() - t5;
  timings.total = performance.now() - t0;
  return { plan, crop, edited, targetMask, holeMask, layer: { left: crop.left, top: crop.top, image: layer }, timings };
}

/** The layer holds exactly the pixels of `edited` that differ from `src`; alpha 0 elsewhere. */
export function changedLayer(src: RgbaImage, edited: RgbaImage): RgbaImage {
  const out = createImage(src.width, src.height);
  const s = src.data, e = edited.data, o = out.data;
  for (let i = 0; i < s.length; i += 4) {
    if (s[i] !== e[i] || s[i + 1] !== e[i + 1] || s[i + 2] !== e[i + 2] || s[i + 3] !== e[i + 3]) {
      o[i] = e[i]!; o[i + 1] = e[i + 1]!; o[i + 2] = e[i + 2]!; o[i + 3] = e[i + 3]!;
    }
  }
  return out;
}

export type { Mask };
