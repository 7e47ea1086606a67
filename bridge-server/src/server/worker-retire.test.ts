/**
 * Retiring idle edit workers after large jobs (worker-pool.ts, "Retiring"), with a stand-in
 * worker: it answers each job with a 1×1 layer and its thread id (in the timings), so a test sees
 * which worker ran a job and whether it is a fresh one.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../log';
import { WorkerPool } from './worker-pool';
import type { WorkerJob } from './worker-protocol';

const log = silentLogger();
let entry = '';
beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'smartdrag-retire-'));
  entry = join(dir, 'worker.js');
  writeFileSync(entry, `const { parentPort, threadId } = require('node:worker_threads');
parentPort.on('message', (m) => {
  if (m.type === 'memory') parentPort.postMessage({ type: 'memory', usage: { heapUsed: 1, heapTotal: 1, external: 0, arrayBuffers: 0 } });
  if (m.type !== 'run') return;
  const image = { width: 1, height: 1, data: new Uint8ClampedArray(4) };
  parentPort.postMessage({ type: 'done', jobId: m.job.jobId, result: { plan: {}, layer: { left: 0, top: 0, image }, timings: { thread: threadId } } });
});
parentPort.postMessage({ type: 'ready', stages: { device: 'cpu', deviceReason: 'test', filler: false, refiner: false, reasoner: 'rules' } });
`);
});

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A job with an image of `bytes` bytes (the pool reads only its size). */
function job(id: string, bytes: number): WorkerJob {
  return { jobId: id, image: { width: bytes / 4, height: 1, data: new Uint8ClampedArray(bytes) }, regions: [], drags: [], keep: [], quality: 'final', seed: 1 };
}

/** Run `j` on the pool; the thread id of the worker that ran it. */
async function run(pool: WorkerPool, j: WorkerJob): Promise<number> {
  const r = await pool.run(j, () => undefined).promise;
  return r.timings.thread as number;
}

const LARGE = 4096, SMALL = 1024;

describe('WorkerPool: idle workers retired after large jobs', () => {
  let pool: WorkerPool | undefined;
  afterEach(async () => { await pool?.close(); pool = undefined; });

  it('parks a worker that ran a large job once idle, keeps the other, and starts it again when a job waits for a worker', async () => {
    pool = new WorkerPool({ size: 2, logger: log, entry, cancelGraceMs: 1000, retireIdleMs: 100, retireAfterBytes: LARGE });
    let idle = 0;
    pool.onIdle = () => { idle++; };
    await until(() => pool!.idleCount === 2);
    const first = await run(pool, job('a', LARGE));
    await until(() => pool!.parkedCount === 1);
    expect(pool.retiredCount).toBe(1);
    expect(pool.idleCount).toBe(1);
    expect((await pool.memory()).filter((m) => m === null)).toHaveLength(1);
    // The next job runs at once on the worker still there, and the parked slot stays parked.
    const p = pool.run(job('b', SMALL), () => undefined).promise;
    expect(pool.parkedCount).toBe(1);
    pool.wake(0); // (no job waits)
    expect(pool.parkedCount).toBe(1);
    // A job waits (the queue found no idle worker): the parked slot starts a worker.
    const seen = idle;
    pool.wake(1);
    expect(pool.parkedCount).toBe(0);
    const second = (await p).timings.thread as number;
    expect(second).not.toBe(first);
    await until(() => pool!.idleCount === 2);
    expect(idle).toBeGreaterThan(seen); // the restarted worker said it is free (the queue pumps)
    // Both workers run jobs again; the restarted one is a fresh thread.
    const [x, y] = await Promise.all([run(pool, job('c', SMALL)), run(pool, job('d', SMALL))]);
    expect(new Set([x, y]).size).toBe(2);
    expect([x, y]).not.toContain(first);
  });

  it('replaces the only worker by a fresh one instead of leaving none', async () => {
    pool = new WorkerPool({ size: 1, logger: log, entry, cancelGraceMs: 1000, retireIdleMs: 100, retireAfterBytes: LARGE });
    await until(() => pool!.idleCount === 1);
    const first = await run(pool, job('a', LARGE));
    await until(() => pool!.retiredCount === 1);
    expect(pool.parkedCount).toBe(0);
    await until(() => pool!.idleCount === 1);
    const next = await run(pool, job('b', LARGE));
    expect(next).not.toBe(first);
  });

  it('keeps workers that ran only small jobs, or that get a job before the idle time is over', async () => {
    pool = new WorkerPool({ size: 1, logger: log, entry, cancelGraceMs: 1000, retireIdleMs: 300, retireAfterBytes: LARGE });
    await until(() => pool!.idleCount === 1);
    const first = await run(pool, job('a', SMALL));
    await new Promise((r) => setTimeout(r, 400));
    expect(pool.retiredCount).toBe(0);
    // A large job, then small ones within the idle time: each one restarts the wait.
    expect(await run(pool, job('b', LARGE))).toBe(first);
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 150));
      expect(await run(pool, job(`c${i}`, SMALL))).toBe(first);
    }
    expect(pool.retiredCount).toBe(0);
    await until(() => pool!.retiredCount === 1);
  });

  it('never retires when retireIdleMs is 0', async () => {
    pool = new WorkerPool({ size: 1, logger: log, entry, cancelGraceMs: 1000, retireIdleMs: 0, retireAfterBytes: LARGE });
    await until(() => pool!.idleCount === 1);
    const first = await run(pool, job('a', LARGE));
    await new Promise((r) => setTimeout(r, 300));
    expect(pool.retiredCount).toBe(0);
    expect(await run(pool, job('b', SMALL))).toBe(first);
  });
});
