/**
 * The core's bilinear warp sampler as an ONNX graph: `GridSample` (opset 16, mode `bilinear`,
 * `align_corners = 0`, zero padding), run on onnxruntime-node. It is NOT used by edits: the
 * core's warp (`core/warp`, `core/resample.ts` `sampleBilinear`) is the only warp path, on every
 * device. This file exists for learned-warp-bench.ts, which compares the two samplers (on CPU the
 * TypeScript kernel is 3-5x faster, docs/benchmarks/learned.md; the CUDA comparison has not been
 * measured). Wiring it in would need a sampler hook in core/warp and a GPU to justify it.
 *
 * Convention match: the core samples a premultiplied `SourcePatch` at document positions with
 * pixel centres at integer coordinates and zeros outside. With align_corners = 0, GridSample puts
 * pixel i's centre at normalised (2i + 1)/W − 1, so a pixel position u maps to g = (2u + 1)/W − 1;
 * zero padding equals the patch's zero border.
 */
import type { SourcePatch } from '../bridge-server/src/core/resample';
import { encodeModel } from '../bridge-server/src/models/onnx-build';
import type { SessionManager } from '../bridge-server/src/models/session-manager';
import { ort } from '../bridge-server/src/models/session-manager';

/** Channels warped per patch pixel: premultiplied R, G, B, A and region coverage. */
const CH = 5;

let warpModel: Uint8Array | undefined;

/** The GridSample warp graph: `image [N,C,H,W]` + `grid [N,Ho,Wo,2]` -> `warped [N,C,Ho,Wo]`. */
export function gridSampleWarpModel(): Uint8Array {
  warpModel ??= encodeModel({
    name: 'smartdrag-warp', opset: 16,
    inputs: [
      { name: 'image', dtype: 'float32', shape: ['N', 'C', 'H', 'W'] },
      { name: 'grid', dtype: 'float32', shape: ['N', 'Ho', 'Wo', 2] },
    ],
    outputs: [{ name: 'warped', dtype: 'float32', shape: ['N', 'C', 'Ho', 'Wo'] }],
    nodes: [{
      op: 'GridSample', inputs: ['image', 'grid'], outputs: ['warped'],
      attrs: { mode: { s: 'bilinear' }, padding_mode: { s: 'zeros' }, align_corners: { i: 0 } },
    }],
  });
  return warpModel;
}

/** Planar [5, H, W] float copy of a patch (premultiplied RGBA interleaved + coverage). */
export function patchPlanes(p: SourcePatch, out = new Float32Array(CH * p.width * p.height)): Float32Array {
  const n = p.width * p.height;
  for (let i = 0; i < n; i++) {
    const q = i * 4;
    out[i] = p.rgba[q]!;
    out[n + i] = p.rgba[q + 1]!;
    out[2 * n + i] = p.rgba[q + 2]!;
    out[3 * n + i] = p.rgba[q + 3]!;
    out[4 * n + i] = p.cov[i]!;
  }
  return out;
}

/**
 * Normalised GridSample grid (align_corners = 0) for sample positions `xs`, `ys` in document
 * pixels over `patch`. Non-finite positions (no source) map far outside, so they sample zero.
 */
export function positionsToGrid(p: SourcePatch, xs: Float32Array, ys: Float32Array, out = new Float32Array(xs.length * 2)): Float32Array {
  const sx = 2 / p.width, sy = 2 / p.height;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!, y = ys[i]!;
    const ok = Number.isFinite(x) && Number.isFinite(y);
    out[2 * i] = ok ? (x - p.left + 0.5) * sx - 1 : -4;
    out[2 * i + 1] = ok ? (y - p.top + 0.5) * sy - 1 : -4;
  }
  return out;
}

/** Warp through onnxruntime-node's GridSample (one cached session per SessionManager). */
export class GridSampleWarp {
  constructor(private readonly sessions: SessionManager) {}

  /**
   * Sample `patch` at `count` = `width`×`height` positions (`xs`, `ys`, document pixels, row-major
   * over an output grid). Writes premultiplied RGBA into `outRgba` (4 per position, interleaved,
   * like the core's samplers) and coverage into `outCov`.
   */
  async samplePatch(
    patch: SourcePatch, xs: Float32Array, ys: Float32Array, width: number, height: number,
    outRgba: Float32Array, outCov: Float32Array,
  ): Promise<void> {
    const n = width * height;
    if (xs.length !== n || ys.length !== n || outRgba.length < 4 * n || outCov.length < n) throw new RangeError('samplePatch: buffer sizes');
    const session = await this.sessions.session('smartdrag/warp-gridsample', gridSampleWarpModel());
    const r = await session.run({
      image: new ort.Tensor('float32', patchPlanes(patch), [1, CH, patch.height, patch.width]),
      grid: new ort.Tensor('float32', positionsToGrid(patch, xs, ys), [1, height, width, 2]),
    });
    const w = (r.warped as ort.Tensor).data as Float32Array;
    for (let i = 0; i < n; i++) {
      const q = i * 4;
      outRgba[q] = w[i]!;
      outRgba[q + 1] = w[n + i]!;
      outRgba[q + 2] = w[2 * n + i]!;
      outRgba[q + 3] = w[3 * n + i]!;
      outCov[i] = w[4 * n + i]!;
    }
  }
}
