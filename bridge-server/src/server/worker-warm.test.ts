/**
 * Which worker a job goes to around warm-ups (worker-pool.ts, "Retiring"), with a stand-in worker:
 * it answers each job with a 1×1 layer and its thread id (in the timings); a `warm` takes it 3 s
 * (answered `warmed` with every step), unless a job arrives meanwhile: then it answers `warmed`
 * with no step at once and runs the job, as the real worker does.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../log';
import { WorkerPool } from './worker-pool';
import { WARM_STEPS, type WorkerJob } from './worker-protocol';

const log = silentLogger();
let entry = '';
beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'smartdrag-warm-'));
  entry = join(dir, 'worker.js');
  writeFileSync(entry, `const { parentPort, threadId } = require('node:worker_threads');
let warming = null;
parentPort.on('message', (m) => {
  if (m.type === 'warm') {
    warming = setTimeout(() => { warming = null; parentPort.postMessage({ type: 'warmed', ran: ${JSON.stringify(WARM_STEPS)} }); }, 3000);
    return;
  }
  if (m.type !== 'run') return;
  if (warming) { clearTimeout(warming); warming = null; parentPort.postMessage({ type: 'warmed', ran: [] }); }
  const image = { width: 1, height: 1, data: new Uint8ClampedArray(4) };
  parentPort.postMessage({ type: 'done', jobId: m.job.jobId, result: { plan: {}, layer: { left: 0, top: 0, image }, timings: { thread: threadId } } });
});
parentPort.postMessage({ type: 'ready', stages: { device: 'cpu', deviceReason: 'test', filler: false, refiner: false, reasoner: 'rules' } });
`);
});

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function job(id: string, bytes: number, quality: 'preview' | 'final' = 'final'): WorkerJob {
  return { jobId: id, image: { width: bytes / 4, height: 1, data: new Uint8ClampedArray(bytes) }, regions: [], drags: [], keep: [], quality, seed: 1 };
}

async function run(pool: WorkerPool, j: WorkerJob): Promise<number> {
  return (await pool.run(j, () => undefined).promise).timings.thread as number;
}

const LARGE = 4096, SMALL = 1024;

describe('WorkerPool: warm-ups and which worker takes a job', () => {
  let pool: WorkerPool | undefined;
  afterEach(async () => { await pool?.close(); pool = undefined; });

  it('gives a job to a worker still warming up (cutting the warm-up short) instead of keeping it waiting or starting the parked one', async () => {
    pool = new WorkerPool({ size: 2, logger: log, entry, cancelGraceMs: 1000, retireIdleMs: 100, retireAfterBytes: LARGE, warmUp: true });
    await until(() => pool!.idleCount === 2);
    const first = await run(pool, job('a', LARGE));
    // The worker that ran it is parked; the other one, which has run nothing, warms up (3 s here).
    await until(() => pool!.parkedCount === 1);
    expect(pool.idleCount).toBe(1);
    pool.wake(1); // (what the queue does with a job waiting: nothing to start, a worker is there)
    expect(pool.parkedCount).toBe(1);
    const next = await run(pool, job('b', SMALL, 'preview'));
    expect(next).not.toBe(first);
    expect(pool.parkedCount).toBe(1);
    await until(() => pool!.warmUps.length === 1);
    expect(pool.warmUps[0]).toEqual({ slot: 1, ran: [] });
  });

  it('gives a job to the worker that has run before, not to a fresh one started for a job that waited', async () => {
    pool = new WorkerPool({ size: 2, logger: log, entry, cancelGraceMs: 1000, retireIdleMs: 100, retireAfterBytes: LARGE });
    await until(() => pool!.idleCount === 2);
    const first = await run(pool, job('a', LARGE));
    await until(() => pool!.parkedCount === 1);
    const warm = await run(pool, job('b', SMALL));
    // A job finds the only worker busy: the parked slot starts a fresh worker…
    const p = pool.run(job('c', SMALL), () => undefined).promise;
    pool.wake(1);
    expect(pool.parkedCount).toBe(0);
    expect((await p).timings.thread).toBe(warm);
    await until(() => pool!.idleCount === 2);
    // …but the next jobs go to the worker that has run (its code compiled, its caches built), one after another.
    for (let i = 0; i < 3; i++) expect(await run(pool, job(`d${i}`, SMALL, 'preview'))).toBe(warm);
    // Two jobs at once: both workers run, the fresh one a new thread.
    const both = await Promise.all([run(pool, job('e', SMALL)), run(pool, job('f', SMALL))]);
    expect(new Set(both).size).toBe(2);
    expect(both).not.toContain(first);
  });

  it('warms up a worker started for a waiting job that another worker took', async () => {
    pool = new WorkerPool({ size: 2, logger: log, entry, cancelGraceMs: 1000, retireIdleMs: 100, retireAfterBytes: LARGE, warmUp: true });
    await until(() => pool!.idleCount === 2);
    await run(pool, job('a', LARGE));
    await until(() => pool!.parkedCount === 1);
    // (The remaining worker, which had run nothing, warms up to the end.)
    await until(() => pool!.warmUps.length === 1);
    expect(pool.warmUps[0]).toEqual({ slot: 1, ran: WARM_STEPS });
    const p = pool.run(job('b', SMALL), () => undefined).promise;
    pool.wake(1);
    await p;
    await until(() => pool!.warmUps.length === 2);
    expect(pool.warmUps[1]).toEqual({ slot: 0, ran: WARM_STEPS });
  });
});
