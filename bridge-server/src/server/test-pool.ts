/**
 * Test helpers for the worker pool with a stand-in worker (worker-retire.test.ts,
 * worker-warm.test.ts): the stand-in answers each job with a 1×1 layer and its thread id (in the
 * timings), so a test sees which worker ran a job and whether it is a fresh one.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WorkerPool } from './worker-pool';
import type { WorkerJob } from './worker-protocol';

/**
 * Write the stand-in worker's entry into a new temp folder (`prefix`); its path. `top` runs once at
 * its start, `onMessage` first for every message (`m`), `onRun` before a job (`m.job`) is answered.
 */
export function standInWorker(prefix: string, code: { top?: string; onMessage?: string; onRun?: string }): string {
  const entry = join(mkdtempSync(join(tmpdir(), prefix)), 'worker.js');
  writeFileSync(entry, `const { parentPort, threadId } = require('node:worker_threads');
${code.top ?? ''}
parentPort.on('message', (m) => {
${code.onMessage ?? ''}
  if (m.type !== 'run') return;
${code.onRun ?? ''}
  const image = { width: 1, height: 1, data: new Uint8ClampedArray(4) };
  parentPort.postMessage({ type: 'done', jobId: m.job.jobId, result: { plan: {}, layer: { left: 0, top: 0, image }, timings: { thread: threadId } } });
});
parentPort.postMessage({ type: 'ready', stages: { device: 'cpu', deviceReason: 'test', filler: false, refiner: false, reasoner: 'rules' } });
`);
  return entry;
}

/** Wait until `cond` holds (every 10 ms), at most `ms`. */
export async function until(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A job with an image of `bytes` bytes (the pool reads only its size). */
export function poolJob(id: string, bytes: number, quality: 'preview' | 'final' = 'final'): WorkerJob {
  return { jobId: id, image: { width: bytes / 4, height: 1, data: new Uint8ClampedArray(bytes) }, regions: [], drags: [], keep: [], quality, seed: 1 };
}

/** Run `j` on the pool; the thread id of the worker that ran it. */
export async function threadOf(pool: WorkerPool, j: WorkerJob): Promise<number> {
  return (await pool.run(j, () => undefined).promise).timings.thread as number;
}
