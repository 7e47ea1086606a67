/**
 * Peak memory of ONE edit job (issue #14: "a job's peak ≤ 4× its image bytes", "36 MP peak RSS
 * ≤ 1.5 GB"). Each kind runs in a fresh process (`node --expose-gc`): the speed suite's document
 * and drag (bridge-server/src/bench/edit-speed.ts) are built, the same edit is run once at 1024² to
 * load and compile the code, garbage is collected, then the process's RSS is sampled every
 * millisecond from a second thread during one `runEdit` at full size. The job's peak is the highest
 * sample minus the RSS just before the job (the document itself, made before, is not part of it).
 *
 *   npx tsx bench/job-memory.ts [--size 6000] [--kinds translate,rotate,scale,deform,elastic] [--quality final]
 */
import { spawnSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { rasterizePolygon } from '@smartdrag/shared';
import { makeTexture } from '../bridge-server/src/core/textures';
import { runEdit } from '../bridge-server/src/core/edit';
import type { EditRequest } from '../bridge-server/src/core/types';
import { SPEED_KINDS, speedDrag, speedRegionPolygon, type SpeedKind } from '../bridge-server/src/bench/edit-speed';
import { arg } from './args';

const MiB = 1024 * 1024;

function request(size: number, kind: SpeedKind, quality: 'preview' | 'final'): EditRequest {
  return {
    image: makeTexture('noise', size, size, 5), regions: [{ id: 'r', mask: rasterizePolygon(speedRegionPolygon(size)) }],
    drags: [speedDrag(kind, size)], quality, seed: 1,
  };
}

/** A thread that records the process's highest RSS while `on[0]` is 1 (into `peak[0]`, bytes). */
function startSampler(): { on: Int32Array; peak: Float64Array; worker: Worker } {
  const on = new Int32Array(new SharedArrayBuffer(8));
  const peak = new Float64Array(new SharedArrayBuffer(8));
  const worker = new Worker(`
    const { workerData } = require('node:worker_threads');
    const on = new Int32Array(workerData.on), peak = new Float64Array(workerData.peak);
    const tick = new Int32Array(new SharedArrayBuffer(4));
    for (;;) {
      if (on[1] === 1) break;
      if (on[0] === 1) { const r = process.memoryUsage.rss(); if (r > peak[0]) peak[0] = r; }
      Atomics.wait(tick, 0, 0, 1);
    }
  `, { eval: true, workerData: { on: on.buffer, peak: peak.buffer } });
  return { on, peak, worker };
}

async function child(kind: SpeedKind, size: number, quality: 'preview' | 'final'): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  await runEdit(request(1024, kind, quality));
  const req = request(size, kind, quality);
  const sampler = startSampler();
  gc(); gc();
  await new Promise((r) => setTimeout(r, 50));
  const before = process.memoryUsage.rss();
  sampler.peak[0] = before;
  Atomics.store(sampler.on, 0, 1);
  const t = performance.now();
  await runEdit(req);
  const ms = performance.now() - t;
  Atomics.store(sampler.on, 0, 0);
  Atomics.store(sampler.on, 1, 1);
  await sampler.worker.terminate();
  const imageBytes = req.image.data.byteLength;
  console.log(JSON.stringify({
    kind, size, quality, ms, imageMiB: imageBytes / MiB, beforeMiB: before / MiB, jobMiB: (sampler.peak[0]! - before) / MiB,
    ratio: (sampler.peak[0]! - before) / imageBytes, processPeakMiB: process.resourceUsage().maxRSS / 1024,
  }));
}

async function main(): Promise<void> {
  const size = Number(arg('size', '6000'));
  const quality = arg('quality', 'final') as 'preview' | 'final';
  if (process.argv.includes('--child')) { await child(arg('kind', 'translate') as SpeedKind, size, quality); return; }
  const kinds = arg('kinds', SPEED_KINDS.join(',')).split(',') as SpeedKind[];
  console.log(`One ${quality} job per fresh process, ${size}² document (${((size * size * 4) / MiB).toFixed(0)} MiB of RGBA), region ~15%, RSS sampled every ms during \`runEdit\`.\n`);
  console.log('| kind | job ms | RSS before job MiB | job peak MiB (above before) | job peak ÷ image bytes | process peak RSS MiB |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const kind of kinds) {
    const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', __filename, '--child', '--kind', kind, '--size', String(size), '--quality', quality], { encoding: 'utf8', maxBuffer: 1 << 20 });
    const line = r.stdout.trim().split('\n').pop() ?? '';
    if (r.status !== 0 || !line.startsWith('{')) { console.log(`| ${kind} | failed: ${(r.stderr || line).trim().split('\n').pop()} | | | | |`); continue; }
    const j = JSON.parse(line) as { ms: number; beforeMiB: number; jobMiB: number; ratio: number; processPeakMiB: number };
    console.log(`| ${kind} | ${j.ms.toFixed(0)} | ${j.beforeMiB.toFixed(0)} | ${j.jobMiB.toFixed(0)} | ${j.ratio.toFixed(2)}× | ${j.processPeakMiB.toFixed(0)} |`);
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
