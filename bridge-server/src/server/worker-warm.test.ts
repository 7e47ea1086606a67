/**
 * Which worker a job goes to around warm-ups (worker-pool.ts, "Retiring"), with a stand-in worker:
 * it answers each job with a 1×1 layer and its thread id (in the timings); a `warm` takes it 3 s
 * (answered `warmed` with every step), unless a job arrives meanwhile: then it answers `warmed`
 * with no step at once and runs the job, as the real worker does.
 */
import { silentLogger } from '../log';
import { WorkerPool } from './worker-pool';
import { WARM_STEPS } from './worker-protocol';
import { poolJob, standInWorker, threadOf, until } from './test-pool';

const log = silentLogger();
let entry = '';
beforeAll(() => {
  entry = standInWorker('smartdrag-warm-', {
    top: 'let warming = null;',
    onMessage: `  if (m.type === 'warm') {
    warming = setTimeout(() => { warming = null; parentPort.postMessage({ type: 'warmed', ran: ${JSON.stringify(WARM_STEPS)} }); }, 3000);
    return;
  }`,
    onRun: "  if (warming) { clearTimeout(warming); warming = null; parentPort.postMessage({ type: 'warmed', ran: [] }); }",
  });
});

const LARGE = 4096, SMALL = 1024;

describe('WorkerPool: warm-ups and which worker takes a job', () => {
  let pool: WorkerPool | undefined;
  afterEach(async () => { await pool?.close(); pool = undefined; });

  it('gives a job to a worker still warming up (cutting the warm-up short) instead of keeping it waiting or starting the parked one', async () => {
    pool = new WorkerPool({ size: 2, logger: log, entry, cancelGraceMs: 1000, retireIdleMs: 100, retireAfterBytes: LARGE, warmUp: true });
    await until(() => pool!.idleCount === 2, 10_000);
    const first = await threadOf(pool, poolJob('a', LARGE));
    // The worker that ran it is parked; the other one, which has run nothing, warms up (3 s here).
    await until(() => pool!.parkedCount === 1, 10_000);
    expect(pool.idleCount).toBe(1);
    pool.wake(1); // (what the queue does with a job waiting: nothing to start, a worker is there)
    expect(pool.parkedCount).toBe(1);
    const next = await threadOf(pool, poolJob('b', SMALL, 'preview'));
    expect(next).not.toBe(first);
    expect(pool.parkedCount).toBe(1);
    await until(() => pool!.warmUps.length === 1, 10_000);
    expect(pool.warmUps[0]).toEqual({ slot: 1, ran: [] });
  });

  it('gives a job to the worker that has run before, not to a fresh one started for a job that waited', async () => {
    pool = new WorkerPool({ size: 2, logger: log, entry, cancelGraceMs: 1000, retireIdleMs: 100, retireAfterBytes: LARGE });
    await until(() => pool!.idleCount === 2, 10_000);
    const first = await threadOf(pool, poolJob('a', LARGE));
    await until(() => pool!.parkedCount === 1, 10_000);
    const warm = await threadOf(pool, poolJob('b', SMALL));
    // A job finds the only worker busy: the parked slot starts a fresh worker…
    const p = pool.run(poolJob('c', SMALL), () => undefined).promise;
    pool.wake(1);
    expect(pool.parkedCount).toBe(0);
    expect((await p).timings.thread).toBe(warm);
    await until(() => pool!.idleCount === 2, 10_000);
    // …but the next jobs go to the worker that has run (its code compiled, its caches built), one after another.
    for (let i = 0; i < 3; i++) expect(await threadOf(pool, poolJob(`d${i}`, SMALL, 'preview'))).toBe(warm);
    // Two jobs at once: both workers run, the fresh one a new thread.
    const both = await Promise.all([threadOf(pool, poolJob('e', SMALL)), threadOf(pool, poolJob('f', SMALL))]);
    expect(new Set(both).size).toBe(2);
    expect(both).not.toContain(first);
  });

  it('warms up a worker started for a waiting job that another worker took', async () => {
    pool = new WorkerPool({ size: 2, logger: log, entry, cancelGraceMs: 1000, retireIdleMs: 100, retireAfterBytes: LARGE, warmUp: true });
    await until(() => pool!.idleCount === 2, 10_000);
    await threadOf(pool, poolJob('a', LARGE));
    await until(() => pool!.parkedCount === 1, 10_000);
    // (The remaining worker, which had run nothing, warms up to the end.)
    await until(() => pool!.warmUps.length === 1, 10_000);
    expect(pool.warmUps[0]).toEqual({ slot: 1, ran: WARM_STEPS });
    const p = pool.run(poolJob('b', SMALL), () => undefined).promise;
    pool.wake(1);
    await p;
    await until(() => pool!.warmUps.length === 2, 10_000);
    expect(pool.warmUps[1]).toEqual({ slot: 0, ran: WARM_STEPS });
  });
});
