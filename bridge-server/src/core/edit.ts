/**
 * The core pipeline entry point: plan -> warp -> fill -> blend -> layer.
 *
 * FOUNDATION VERSION (issue #2): the simplest honest edit — every drag translates its region by
 * `target - handle` (nearest pixel), the vacated area stays transparent in the layer. Issue #3
 * replaces the planner and warp, issue #4 the fill and blend, keeping this signature.
 */
import { expandRect, maskBounds, unionRect } from '@smartdrag/shared';
import { createImage, createMask, cropImage, placedMaskToCrop } from './image';
import type { EditRequest, EditResult, Operation, ProgressFn, Rect, RgbaImage } from './types';
import { CancelledError } from './types';

export interface RunEditOptions {
  onProgress?: ProgressFn;
  signal?: AbortSignal;
}

function checkSignal(signal?: AbortSignal): void {
  if (signal?.aborted) throw new CancelledError();
}

export async function runEdit(req: EditRequest, opts: RunEditOptions = {}): Promise<EditResult> {
  const t0 = performance.now();
  const timings: Record<string, number> = {};
  const { image } = req;
  const ops: Operation[] = [];
  let area: Rect = { left: 0, top: 0, width: 0, height: 0 };
  for (const d of req.drags) {
    const region = req.regions.find((r) => r.id === d.region);
    if (!region) throw new RangeError(`drag names unknown region ${d.region}`);
    const h = d.points[0]!, t = d.points[d.points.length - 1]!;
    const dx = Math.round(t[0] - h[0]), dy = Math.round(t[1] - h[1]);
    ops.push({
      region: region.id, kind: 'translate', params: { kind: 'translate', dx, dy }, source: 'geometry',
      description: `Move region ${region.id} by (${dx}, ${dy}) px`, reason: 'foundation planner: every drag translates',
    });
    const b = maskBounds(region.mask);
    area = unionRect(area, unionRect(b, { ...b, left: b.left + dx, top: b.top + dy }));
  }
  const crop = expandRect(area, 4, image.width, image.height);
  timings.plan = performance.now() - t0;
  opts.onProgress?.('plan', 1);
  checkSignal(opts.signal);

  const t1 = performance.now();
  const src = cropImage(image, crop);
  const edited = cropImage(image, crop);
  const sourceMask = createMask(crop.width, crop.height);
  const targetMask = createMask(crop.width, crop.height);
  for (const op of ops) {
    if (op.params.kind !== 'translate') continue;
    const region = req.regions.find((r) => r.id === op.region)!;
    const m = placedMaskToCrop(region.mask, crop);
    const { dx, dy } = op.params;
    for (let y = 0; y < crop.height; y++) {
      for (let x = 0; x < crop.width; x++) {
        const cov = m.data[y * crop.width + x]!;
        if (cov === 0) continue;
        if (cov > sourceMask.data[y * crop.width + x]!) sourceMask.data[y * crop.width + x] = cov;
        const tx = x + dx, ty = y + dy;
        if (tx < 0 || ty < 0 || tx >= crop.width || ty >= crop.height) continue;
        const ti = ty * crop.width + tx;
        if (cov > targetMask.data[ti]!) targetMask.data[ti] = cov;
      }
    }
    // backward map: every target pixel samples its source
    for (let ty = 0; ty < crop.height; ty++) {
      for (let tx = 0; tx < crop.width; tx++) {
        const sx = tx - dx, sy = ty - dy;
        if (sx < 0 || sy < 0 || sx >= crop.width || sy >= crop.height) continue;
        const cov = m.data[sy * crop.width + sx]!;
        if (cov === 0) continue;
        const a = cov / 255, si = (sy * crop.width + sx) * 4, ti = (ty * crop.width + tx) * 4;
        for (let c = 0; c < 4; c++) edited.data[ti + c] = src.data[si + c]! * a + edited.data[ti + c]! * (1 - a);
      }
    }
  }
  const holeMask = createMask(crop.width, crop.height);
  for (let p = 0; p < holeMask.data.length; p++) {
    const v = sourceMask.data[p]! - targetMask.data[p]!;
    if (v > 0) holeMask.data[p] = v;
  }
  if (req.keep) {
    const keep = createMask(crop.width, crop.height);
    for (const k of req.keep) placedMaskToCrop(k, crop, keep);
    for (let p = 0; p < keep.data.length; p++) {
      if (keep.data[p]! > 0) {
        holeMask.data[p] = 0;
        edited.data.set(src.data.subarray(p * 4, p * 4 + 4), p * 4);
      }
    }
  }
  // Until the fill lands the vacated area is transparent.
  for (let p = 0; p < holeMask.data.length; p++) {
    if (holeMask.data[p]! > 0 && targetMask.data[p] === 0) edited.data[p * 4 + 3] = 0;
  }
  timings.warp = performance.now() - t1;
  opts.onProgress?.('warp', 1);
  checkSignal(opts.signal);

  const t2 = performance.now();
  const layerImg: RgbaImage = createImage(crop.width, crop.height);
  for (let p = 0; p < holeMask.data.length; p++) {
    const i = p * 4;
    if (edited.data[i] !== src.data[i] || edited.data[i + 1] !== src.data[i + 1] || edited.data[i + 2] !== src.data[i + 2] || edited.data[i + 3] !== src.data[i + 3]) {
      layerImg.data[i] = edited.data[i]!; layerImg.data[i + 1] = edited.data[i + 1]!; layerImg.data[i + 2] = edited.data[i + 2]!;
      layerImg.data[i + 3] = holeMask.data[p]! > 0 && targetMask.data[p] === 0 ? 0 : 255;
    }
  }
  timings.layer = performance.now() - t2;
  timings.total = performance.now() - t0;
  return {
    plan: { operations: ops, warnings: [] },
    crop, edited, targetMask, holeMask,
    layer: { left: crop.left, top: crop.top, image: layerImg },
    timings,
  };
}
