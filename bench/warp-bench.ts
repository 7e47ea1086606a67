/**
 * Warp speed benchmark (not a test): median wall time of `warpRegions` (the warp stage alone:
 * forward bounds, backward sampling, masks) for preview (bilinear) and final (bicubic) quality,
 * on a 1024² and a 4096² canvas holding the same ~15% elliptical region, for each operation kind.
 *
 * Run: `npx tsx bench/warp-bench.ts [--runs 15] [--sizes 1024,4096]`
 * (single thread; `smartdrag bench` may call {@link runWarpBench}).
 */
import type { Point } from '@smartdrag/shared';
import { rasterizePolygon } from '@smartdrag/shared';
import { makeTexture } from '../bridge-server/src/core/textures';
import type { OperationParams, RgbaImage } from '../bridge-server/src/core/types';
import { warpRegions } from '../bridge-server/src/core/warp';
import { quantile } from '../bridge-server/src/bench/stats';

export interface WarpBenchRow {
  size: number;
  op: OperationParams['kind'];
  quality: 'preview' | 'final';
  /** Median wall milliseconds over `runs`. */
  medianMs: number;
  /** Median CPU milliseconds (user + system) of this thread's process over `runs`: the one-core
   * cost, less sensitive than wall time to other processes on a shared machine. */
  medianCpuMs: number;
  /** Crop the warp worked on, in pixels. */
  cropPixels: number;
  runs: number;
}

export interface WarpBenchOptions {
  sizes?: number[];
  runs?: number;
  onRow?: (row: WarpBenchRow) => void;
}

/** The benchmark region: an ellipse of radii 240×210 centred at (512, 512) (15.1% of 1024²). */
export function benchRegionPolygon(): Point[] {
  const pts: Point[] = [];
  for (let i = 0; i < 40; i++) {
    const t = (i / 40) * 2 * Math.PI;
    pts.push([512 + 240 * Math.cos(t), 512 + 210 * Math.sin(t)]);
  }
  return pts;
}

/** The operations measured, all on the benchmark region. */
export const BENCH_OPERATIONS: readonly OperationParams[] = [
  { kind: 'translate', dx: 40.5, dy: -25.25 },
  { kind: 'rotate', angleDeg: 15, center: [512, 512] },
  { kind: 'scale', sx: 1.2, sy: 1.2, center: [512, 512] },
  { kind: 'deform', handles: [[700, 512]], targets: [[760, 470]] },
];

/** Run the benchmark; returns one row per size × operation × quality. */
export async function runWarpBench(opts: WarpBenchOptions = {}): Promise<WarpBenchRow[]> {
  const sizes = opts.sizes ?? [1024, 4096];
  const runs = Math.max(1, Math.min(101, opts.runs ?? 15));
  const mask = rasterizePolygon(benchRegionPolygon());
  const rows: WarpBenchRow[] = [];
  for (const size of sizes) {
    const image: RgbaImage = makeTexture('noise', size, size, 11);
    for (const params of BENCH_OPERATIONS) {
      for (const quality of ['preview', 'final'] as const) {
        const input = { image, regions: [{ id: 'r', mask }], operations: [{ region: 'r', params }], quality };
        let cropPixels = 0;
        for (let i = 0; i < 2; i++) warpRegions(input); // warm-up (JIT)
        const times: number[] = [], cpu: number[] = [];
        for (let i = 0; i < runs; i++) {
          const c0 = process.cpuUsage();
          const t = performance.now();
          const out = warpRegions(input);
          times.push(performance.now() - t);
          const dc = process.cpuUsage(c0);
          cpu.push((dc.user + dc.system) / 1000);
          cropPixels = out.crop.width * out.crop.height;
        }
        const row: WarpBenchRow = { size, op: params.kind, quality, medianMs: quantile(times, 0.5), medianCpuMs: quantile(cpu, 0.5), cropPixels, runs };
        rows.push(row);
        opts.onRow?.(row);
        await new Promise((r) => setImmediate(r));
      }
    }
  }
  return rows;
}

/** Markdown table of the rows, with the 4096²/1024² cost ratio when both sizes were run. */
export function formatWarpBench(rows: readonly WarpBenchRow[]): string {
  const lines = [
    '| canvas | operation | quality | median wall ms | median CPU ms | crop px | CPU ratio to 1024² |',
    '|---|---|---|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    const base = rows.find((b) => b.size === 1024 && b.op === r.op && b.quality === r.quality);
    const ratio = base && r.size !== 1024 ? (r.medianCpuMs / base.medianCpuMs).toFixed(2) : '';
    lines.push(`| ${r.size}² | ${r.op} | ${r.quality} | ${r.medianMs.toFixed(1)} | ${r.medianCpuMs.toFixed(1)} | ${r.cropPixels} | ${ratio} |`);
  }
  return lines.join('\n');
}

if (require.main === module) {
  const arg = (name: string): string | undefined => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const sizes = arg('--sizes')?.split(',').map(Number);
  const runs = arg('--runs') ? Number(arg('--runs')) : undefined;
  runWarpBench({ sizes, runs, onRow: (r) => process.stderr.write(`${r.size} ${r.op} ${r.quality}: ${r.medianMs.toFixed(1)} ms wall, ${r.medianCpuMs.toFixed(1)} ms CPU\n`) })
    .then((rows) => process.stdout.write(formatWarpBench(rows) + '\n'))
    .catch((e: unknown) => { process.stderr.write(String(e) + '\n'); process.exitCode = 1; });
}
