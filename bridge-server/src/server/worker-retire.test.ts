/**
 * Retiring idle edit workers after large jobs (worker-pool.ts, "Retiring"), with a stand-in
 * worker: it answers each job with a 1×1 layer and its thread id (in the timings), so a test sees
 * which worker ran a job and whether it is a fresh one.
 */
import { silentLogger } from '../log';
import { WorkerPool } from './worker-pool';
import { poolJob, standInWorker, threadOf, until } from './test-pool';

const log = silentLogger();
let entry = '';
beforeAll(() => {
  entry = standInWorker('smartdrag-retire-', {
    onMessage: "  if (m.type === 'memory') parentPort.postMessage({ type: 'memory', usage: { heapUsed: 1, heapTotal: 1, external: 0, arrayBuffers: 0 } });",
  });
});

const LARGE = 4096, SMALL = 1024;

describe('WorkerPool: idle workers retired after large jobs', () => {
  let pool: WorkerPool | undefined;
  afterEach(async () => { await pool?.close(); pool = undefined; });

  it('parks a worker that ran a large job once idle, keeps the other, and starts it again when a job waits for a worker', async () => {
    pool = new WorkerPool({ size: 2, logger: log, entry, cancelGraceMs: 1000, retireIdleMs: 100, retireAfterBytes: LARGE });
    let idle = 0;
    pool.onIdle = () => { idle++; };
    await until(() => pool!.idleCount === 2, 5000);
    const first = await threadOf(pool, poolJob('a', LARGE));
    await until(() => pool!.parkedCount === 1, 5000);
    expect(pool.retiredCount).toBe(1);
    expect(pool.idleCount).toBe(1);
    expect((await pool.memory()).filter((m) => m === null)).toHaveLength(1);
    // The next job runs at once on the worker still there, and the parked slot stays parked.
    const p = pool.run(poolJob('b', SMALL), () => undefined).promise;
    expect(pool.parkedCount).toBe(1);
    pool.wake(0); // (no job waits)
    expect(pool.parkedCount).toBe(1);
    // A job waits (the queue found no idle worker): the parked slot starts a worker.
    const seen = idle;
    pool.wake(1);
    expect(pool.parkedCount).toBe(0);
    const second = (await p).timings.thread as number;
    expect(second).not.toBe(first);
    await until(() => pool!.idleCount === 2, 5000);
    expect(idle).toBeGreaterThan(seen); // the restarted worker said it is free (the queue pumps)
    // Both workers run jobs again; the restarted one is a fresh thread.
    const [x, y] = await Promise.all([threadOf(pool, poolJob('c', SMALL)), threadOf(pool, poolJob('d', SMALL))]);
    expect(new Set([x, y]).size).toBe(2);
    expect([x, y]).not.toContain(first);
  });

  it('replaces the only worker by a fresh one instead of leaving none', async () => {
    pool = new WorkerPool({ size: 1, logger: log, entry, cancelGraceMs: 1000, retireIdleMs: 100, retireAfterBytes: LARGE });
    await until(() => pool!.idleCount === 1, 5000);
    const first = await threadOf(pool, poolJob('a', LARGE));
    await until(() => pool!.retiredCount === 1, 5000);
    expect(pool.parkedCount).toBe(0);
    await until(() => pool!.idleCount === 1, 5000);
    const next = await threadOf(pool, poolJob('b', LARGE));
    expect(next).not.toBe(first);
  });

  it('keeps workers that ran only small jobs, or that get a job before the idle time is over', async () => {
    pool = new WorkerPool({ size: 1, logger: log, entry, cancelGraceMs: 1000, retireIdleMs: 300, retireAfterBytes: LARGE });
    await until(() => pool!.idleCount === 1, 5000);
    const first = await threadOf(pool, poolJob('a', SMALL));
    await new Promise((r) => setTimeout(r, 400));
    expect(pool.retiredCount).toBe(0);
    // A large job, then small ones within the idle time: each one restarts the wait.
    expect(await threadOf(pool, poolJob('b', LARGE))).toBe(first);
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 150));
      expect(await threadOf(pool, poolJob(`c${i}`, SMALL))).toBe(first);
    }
    expect(pool.retiredCount).toBe(0);
    await until(() => pool!.retiredCount === 1, 5000);
  });

  it('never retires when retireIdleMs is 0', async () => {
    pool = new WorkerPool({ size: 1, logger: log, entry, cancelGraceMs: 1000, retireIdleMs: 0, retireAfterBytes: LARGE });
    await until(() => pool!.idleCount === 1, 5000);
    const first = await threadOf(pool, poolJob('a', LARGE));
    await new Promise((r) => setTimeout(r, 300));
    expect(pool.retiredCount).toBe(0);
    expect(await threadOf(pool, poolJob('b', SMALL))).toBe(first);
  });
});
