/** Worker faults and shutdown: a crashed or stuck worker costs one job, never the bridge. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RawClient, sendJob, squareMoveJob, startTestBridge, type TestBridge } from '../helpers/bridge-harness';
import type { JobResult } from '@smartdrag/shared';
import { START_FAILURES_DOWN } from '../../bridge-server/src/server/worker-pool';

let tb: TestBridge;
beforeAll(async () => {
  tb = await startTestBridge({ limits: { maxJobMs: 4000 }, cancelGraceMs: 500 });
});
afterAll(async () => { await tb?.bridge.close(); });

async function expectEditWorks(c: RawClient, id: string): Promise<void> {
  sendJob(c, squareMoveJob(id));
  const r = await c.next<JobResult>((m) => (m.type === "job.result" || m.type === "job.error") && m.jobId === id, 20000);
  if (r.type !== "job.result") throw new Error(JSON.stringify(r));
  const f = await c.layer(id, r.frames);
  let opaque = 0;
  for (let i = 3; i < f.data.length; i += 4) if (f.data[i]) opaque++;
  expect(opaque).toBeGreaterThan(100);
}

it.each([['crash', 'process.exit in the worker'], ['throw', 'uncaught exception in the worker']])(
  'a worker %s mid-job gives worker_crashed to that client; the next job succeeds', async (hook) => {
    const c = await RawClient.connect(tb);
    sendJob(c, squareMoveJob(`crash-${hook}`, { intent: `__hook:${hook}__` }));
    expect(await c.next((m) => m.type === 'job.error', 20000)).toMatchObject({ jobId: `crash-${hook}`, code: 'worker_crashed', hint: expect.any(String) });
    await expectEditWorks(c, `after-${hook}`);
    c.close();
  });

it('a job that ignores cancel is stopped by replacing its worker', async () => {
  const c = await RawClient.connect(tb);
  sendJob(c, squareMoveJob('stuck-1', { intent: '__hook:hang__' }));
  await c.next((m) => m.type === 'job.started');
  c.send({ type: 'job.cancel', jobId: 'stuck-1' });
  await c.next((m) => m.type === 'job.cancelled' && m.jobId === 'stuck-1', 10000);
  await expectEditWorks(c, 'after-stuck');
  c.close();
});

it('a job past maxJobMs ends with job_timeout', async () => {
  const c = await RawClient.connect(tb);
  sendJob(c, squareMoveJob('slow-1', { intent: '__hook:hang__' }));
  expect(await c.next((m) => m.type === 'job.error', 20000)).toMatchObject({ jobId: 'slow-1', code: 'job_timeout' });
  await expectEditWorks(c, 'after-timeout');
  c.close();
});

it('graceful shutdown tells clients (shutting_down) and ends running jobs', async () => {
  const own = await startTestBridge();
  const c = await RawClient.connect(own);
  sendJob(c, squareMoveJob('sd-1', { intent: '__hook:sleep__' }));
  await c.next((m) => m.type === 'job.started', 20000);
  await own.bridge.close();
  expect(await c.next((m) => m.type === 'job.error')).toMatchObject({ jobId: 'sd-1', code: 'shutting_down' });
  expect(await c.next((m) => m.type === 'error')).toMatchObject({ code: 'shutting_down' });
  expect((await c.closed).code).toBe(1001);
});

it('edit workers that cannot start: jobs end with worker_crashed and the worker\'s error instead of waiting, health says so, the bridge keeps serving', async () => {
  // A worker entry that fails while loading, as a broken install would (a module that does not load).
  const dir = mkdtempSync(join(tmpdir(), 'smartdrag-badworker-'));
  const entry = join(dir, 'bad-worker.js');
  writeFileSync(entry, "throw new Error('cannot load the edit core: simulated broken install');\n");
  const bad = await startTestBridge({}, { workerEntry: entry });
  try {
    const c = await RawClient.connect(bad);
    // Submitted before the pool gives up: the job waits, then ends with the workers' error.
    sendJob(c, squareMoveJob('early'));
    const early = await c.next((m) => m.type === 'job.error' && m.jobId === 'early', 20000);
    expect(early).toMatchObject({ code: 'worker_crashed', message: expect.stringContaining('simulated broken install') });
    expect((early as { message: string }).message).toContain(`${START_FAILURES_DOWN} tries in a row`);
    // Submitted after: it ends at once with the same error (it does not wait in the queue).
    const t = Date.now();
    sendJob(c, squareMoveJob('late'));
    expect(await c.next((m) => m.type === 'job.error' && m.jobId === 'late', 20000)).toMatchObject({ code: 'worker_crashed', hint: expect.any(String) });
    expect(Date.now() - t).toBeLessThan(3000);
    const health = await (await fetch(`${bad.url}/v1/health`)).json() as { ok: boolean; workerError?: string };
    expect(health.ok).toBe(false);
    expect(health.workerError).toContain('simulated broken install');
    c.close();
  } finally {
    await bad.bridge.close();
  }
}, 30000);

it('a healthy bridge reports ok in /v1/health with no worker error', async () => {
  const health = await (await fetch(`${tb.url}/v1/health`)).json() as { ok: boolean; workerError?: string };
  expect(health).toMatchObject({ ok: true });
  expect(health.workerError).toBeUndefined();
});

it('one worker slot that cannot start does not fail jobs while another worker is ready', async () => {
  // The first worker started loads the real edit worker; every later start fails while loading.
  const dir = mkdtempSync(join(tmpdir(), 'smartdrag-halfworker-'));
  const entry = join(dir, 'half-worker.js'), first = join(dir, 'first'), fails = join(dir, 'fails');
  const real = join(__dirname, '..', '..', 'bridge-server', 'src', 'server', 'edit-worker.js');
  writeFileSync(fails, '');
  writeFileSync(entry, [
    "const fs = require('node:fs');",
    // Exactly one start wins the marker (exclusive create); every other start fails while loading.
    `try { fs.writeFileSync(${JSON.stringify(first)}, '', { flag: 'wx' }); } catch { fs.appendFileSync(${JSON.stringify(fails)}, 'x'); throw new Error('this slot cannot start'); }`,
    `require(${JSON.stringify(real)});`,
  ].join('\n'));
  const half = await startTestBridge({ workers: 2 }, { workerEntry: entry });
  try {
    const c = await RawClient.connect(half);
    // Let the other slot fail START_FAILURES_DOWN times in a row after the good worker is ready
    // (its readiness resets the count; the pauses double from 100 ms: about 7 s for 7 failures).
    const failed = (): number => readFileSync(fails, 'utf8').length;
    for (let i = 0; i < 200 && failed() < 2 * START_FAILURES_DOWN + 1; i++) await new Promise((r) => setTimeout(r, 100));
    expect(failed()).toBeGreaterThanOrEqual(2 * START_FAILURES_DOWN + 1);
    await expectEditWorks(c, 'on-the-good-worker');
    const health = await (await fetch(`${half.url}/v1/health`)).json() as { ok: boolean };
    expect(health.ok).toBe(true);
    c.close();
  } finally {
    await half.bridge.close();
  }
}, 40000);
