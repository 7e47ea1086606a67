/**
 * Previews of a drag in progress on every DragBench sample (real photos, ~512 px): the arrows'
 * targets move a little from frame to frame (back along the arrow by 0–14%, a cycle of 8 frames), as
 * when a user drags; each frame is a whole preview edit (plan → warp → fill → blend → layer). Per
 * sample the median of frames 3–10 (the first two pay for what a drag reuses: the selection's
 * reading and grid), then the median and 90th percentile over the samples, and the slowest ones.
 * Run: `npx tsx bench/drag-frames.ts [--data ../shared/data] [--frames 10]`. Not a test.
 */
import path from 'node:path';
import { existsSync } from 'node:fs';
import { dragBenchToRequest, listDragBench, loadDragBenchSample } from '../bridge-server/src/bench/dragbench';
import { runEdit } from '../bridge-server/src/core/edit';
import { quantile } from '../bridge-server/src/bench/stats';
import type { EditRequest, Point } from '../bridge-server/src/core/types';
import { arg } from './args';

/** Frame `i` of the drag: every moving arrow's target pulled back along it by 2% × (i mod 8). */
function frame(req: EditRequest, i: number): EditRequest {
  const f = 1 - 0.02 * (i % 8);
  return {
    ...req,
    drags: req.drags.map((d) => {
      const h = d.points[0]!, t = d.points[d.points.length - 1]!;
      if (h[0] === t[0] && h[1] === t[1]) return d; // a pin stays a pin
      const moved: Point = [h[0] + (t[0] - h[0]) * f, h[1] + (t[1] - h[1]) * f];
      return { ...d, points: [h, moved] };
    }),
  };
}

const median = (xs: readonly number[]): number => quantile(xs, 0.5);

async function main(): Promise<void> {
  const data = path.resolve(arg('data', path.join(__dirname, '../../shared/data')));
  const frames = Math.max(3, Number(arg('frames', '10')));
  const root = path.join(data, 'dragbench');
  if (!existsSync(root)) {
    process.stderr.write(`drag-frames: no DragBench under ${data} (pass --data)\n`);
    process.exitCode = 2;
    return;
  }
  const ids = await listDragBench(root);
  const rows: Array<{ id: string; total: number; plan: number; warp: number; arrows: number }> = [];
  for (const id of ids) {
    const s = await loadDragBenchSample(root, id);
    const { request } = dragBenchToRequest(s, { quality: 'preview' });
    const total: number[] = [], plan: number[] = [], warp: number[] = [];
    for (let i = 0; i < frames; i++) {
      const r = await runEdit(frame(request, i));
      if (i < 2) continue;
      total.push(r.timings.total!); plan.push(r.timings.plan!); warp.push(r.timings.warp!);
    }
    rows.push({ id, total: median(total), plan: median(plan), warp: median(warp), arrows: s.pairs.length });
  }
  const totals = rows.map((r) => r.total);
  const out: string[] = [];
  out.push(`${rows.length} samples, ${frames} frames each (median of frames 3–${frames} per sample), preview quality, one process.`, '');
  out.push('| over the samples | total ms | plan ms | warp ms |', '|---|---|---|---|');
  out.push(`| median | ${median(totals).toFixed(1)} | ${median(rows.map((r) => r.plan)).toFixed(1)} | ${median(rows.map((r) => r.warp)).toFixed(1)} |`);
  out.push(`| 90th percentile | ${quantile(totals, 0.9).toFixed(1)} | ${quantile(rows.map((r) => r.plan), 0.9).toFixed(1)} | ${quantile(rows.map((r) => r.warp), 0.9).toFixed(1)} |`);
  out.push(`| slowest | ${Math.max(...totals).toFixed(1)} | ${Math.max(...rows.map((r) => r.plan)).toFixed(1)} | ${Math.max(...rows.map((r) => r.warp)).toFixed(1)} |`);
  out.push('', 'Slowest samples (per-frame median):', '', '| sample | arrows | total ms | plan ms | warp ms |', '|---|---|---|---|---|');
  for (const r of [...rows].sort((a, b) => b.total - a.total).slice(0, 8)) out.push(`| ${r.id} | ${r.arrows} | ${r.total.toFixed(1)} | ${r.plan.toFixed(1)} | ${r.warp.toFixed(1)} |`);
  process.stdout.write(`${out.join('\n')}\n`);
}

void main();
