/**
 * Benchmark: the core's TypeScript bilinear sampler vs the ONNX GridSample warp on
 * onnxruntime-node, warping a 1024×1024 RGBA patch through a smooth backward map.
 *
 *   npx tsx bench/learned-warp-bench.ts [size=1024] [runs=7]
 *
 * Prints median/min wall times (ms) per implementation; the device is whatever
 * SessionManager probes (CPU here; CUDA where the provider is installed).
 */
import { createRng } from '../bridge-server/src/core/random';
import { buildSourcePatch, sampleBilinear } from '../bridge-server/src/core/resample';
import { GridSampleWarp } from './gridsample-warp';
import { SessionManager, type Device } from '../bridge-server/src/models/session-manager';

async function main(): Promise<void> {
  const size = Number(process.argv[2] ?? 1024), runs = Number(process.argv[3] ?? 7), n = size * size;
  const rng = createRng(1), data = new Uint8ClampedArray(n * 4);
  for (let i = 0; i < data.length; i++) data[i] = (i & 3) === 3 ? 255 : rng() * 256;
  const patch = buildSourcePatch({ width: size, height: size, data }, { left: 0, top: 0, width: size, height: size, data: new Uint8Array(n).fill(255) });
  const xs = new Float32Array(n), ys = new Float32Array(n);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
    xs[y * size + x] = x + 6 * Math.sin(y / 37);
    ys[y * size + x] = y + 6 * Math.cos(x / 53);
  }
  const rgba = new Float32Array(4 * n), cov = new Float32Array(n), tmp = new Float32Array(4);
  const stats = (t: number[]): string => {
    const s = [...t].sort((a, b) => a - b);
    return `median ${s[s.length >> 1]!.toFixed(1)} ms, min ${s[0]!.toFixed(1)} ms`;
  };
  const ts: number[] = [];
  for (let r = 0; r < runs + 1; r++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const c = sampleBilinear(patch, xs[i]!, ys[i]!, tmp);
      cov[i] = c;
      if (c > 0) rgba.set(tmp, i * 4);
    }
    if (r > 0) ts.push(performance.now() - t0);
  }
  process.stdout.write(`TS sampleBilinear (1 thread), ${size}x${size}: ${stats(ts)}\n`);
  for (const threads of [1, 2]) {
    for (const device of ['cpu', 'auto'] as ('auto' | Device)[]) {
      const sessions = new SessionManager({ device, intraOpNumThreads: threads });
      const probe = await sessions.init();
      if (device === 'auto' && probe.device === 'cpu') continue;
      const warp = new GridSampleWarp(sessions), t: number[] = [];
      for (let r = 0; r < runs + 1; r++) {
        const t0 = performance.now();
        await warp.samplePatch(patch, xs, ys, size, size, rgba, cov);
        if (r > 0) t.push(performance.now() - t0);
      }
      process.stdout.write(`ORT GridSample on ${probe.device}, intraOpNumThreads ${threads} (incl. planar copy + grid), ${size}x${size}: ${stats(t)}\n`);
      await sessions.release();
    }
  }
}

void main();
