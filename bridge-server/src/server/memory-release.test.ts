/**
 * What a job holds once it ended is what the memory budget counts: its terminal messages and
 * layer chunks. Its uploaded frames, decoded input, the run handle (whose promise resolved to the
 * worker's result, layer pixels and all) and the worker job handed to the pool are released —
 * on success, error, cancel and timeout — even while the finished job is kept for resume.
 *
 * Checked with WeakRefs and a real collection: `gc` comes from a context made with
 * `--expose-gc` on (as the edit worker and the pixel helpers take theirs).
 */
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { markAsUntransferable } from 'node:worker_threads';
import { DEFAULT_LIMITS, ErrorCode, SmartDragError, type Frame, type JobSubmit, type Limits, type ServerMessage } from '@smartdrag/shared';
import { silentLogger } from '../log';
import type { Plan } from '../core/types';
import { Dispatcher, type JobRunner } from './dispatch';
import { runHttpJob } from './http-jobs';
import { JobQueue } from './job-queue';
import { JobStore, type Job } from './job-store';
import { WorkerPool, type PoolRun } from './worker-pool';
import type { WorkerJob, WorkerResult } from './worker-protocol';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const log = silentLogger();

/** Whether `ref`'s target is gone after a few collections (each after the current task: WeakRef targets live to its end). */
async function collected(ref: WeakRef<object>): Promise<boolean> {
  for (let i = 0; i < 4; i++) {
    await new Promise((r) => setImmediate(r));
    gc();
    if (ref.deref() === undefined) return true;
  }
  return false;
}

function submit(jobId: string): JobSubmit {
  return {
    type: 'job.submit', jobId, quality: 'preview',
    regions: [{ id: 'a', polygon: [[2, 2], [10, 2], [10, 10], [2, 10]] }],
    drags: [{ region: 'a', points: [[5, 5], [9, 7]] }],
  } as JobSubmit;
}

function rgbaFrame(jobId: string, w = 64, h = 48): Frame {
  return { jobId, part: 'image', slot: 0, format: 'rgba8', width: w, height: h, left: 0, top: 0, data: new Uint8Array(w * h * 4).fill(200) };
}

type Outcome = 'done' | 'error' | 'cancel' | 'timeout';

/**
 * A runner like the pool as dispatch sees it, holding nothing of a job after it ended; it reports
 * (weakly) the worker job it got and the result it answered with.
 */
class ForgetfulRunner implements JobRunner {
  idleCount = 1;
  readonly seen: { job: WeakRef<WorkerJob>; layer?: WeakRef<ArrayBufferLike> }[] = [];
  constructor(private readonly outcome: Outcome) {}
  run(job: WorkerJob): PoolRun {
    const entry: ForgetfulRunner['seen'][number] = { job: new WeakRef(job) };
    this.seen.push(entry);
    let reject!: (e: unknown) => void;
    const promise = new Promise<WorkerResult>((res, rej) => {
      reject = rej;
      if (this.outcome === 'done') {
        const data = new Uint8ClampedArray(20 * 10 * 4).fill(9);
        entry.layer = new WeakRef(data.buffer);
        setImmediate(() => res({ plan: { regions: [] } as unknown as Plan, layer: { left: 1, top: 2, image: { width: 20, height: 10, data } }, timings: { total: 1 } as never }));
      } else if (this.outcome === 'error') {
        setImmediate(() => rej(new SmartDragError(ErrorCode.internal, 'boom')));
      }
    });
    return { promise, cancel: (code = ErrorCode.cancelled) => setImmediate(() => reject(new SmartDragError(code, String(code)))) };
  }
}

function parts(outcome: Outcome, limits: Limits = DEFAULT_LIMITS) {
  const store = new JobStore(60_000);
  const queue = new JobQueue(store, limits);
  const runner = new ForgetfulRunner(outcome);
  const dispatch = new Dispatcher(store, queue, runner, limits);
  store.onFinish = (job) => queue.remove(job);
  return { store, queue, runner, dispatch };
}

async function until(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !ok(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(ok()).toBe(true);
}

/** Submit one WebSocket-style job (its frame weakly referenced); the frame's only strong reference is the job's. */
function startJob(p: ReturnType<typeof parts>, id: string): { job: Job; frame: WeakRef<ArrayBufferLike> } {
  const r: ServerMessage[] = [];
  const job = p.store.create(submit(id), 'o', 'c', { message: (m) => r.push(m), binary: () => undefined }, null, log, [0]);
  const f = rgbaFrame(id);
  job.frames.set(0, f);
  void p.dispatch.prepare(job);
  return { job, frame: new WeakRef(f.data.buffer) };
}

describe('a finished job holds only what the budget counts', () => {
  it.each<[Outcome, string]>([['done', 'done'], ['error', 'failed'], ['cancel', 'cancelled'], ['timeout', 'failed']])(
    '%s: the run, the input and the worker job are released; the result stays for resume',
    async (outcome, state) => {
      const p = parts(outcome, outcome === 'timeout' ? { ...DEFAULT_LIMITS, maxJobMs: 20 } : DEFAULT_LIMITS);
      const { job, frame } = startJob(p, `j-${outcome}`);
      if (outcome === 'cancel') {
        await until(() => job.state === 'running');
        p.dispatch.cancel(job, ErrorCode.cancelled, 'cancelled');
      }
      await until(() => job.state === state);
      expect(job.state).toBe(state);
      expect(job.run).toBeUndefined();
      expect(job.workerJob).toBeUndefined();
      expect(job.layerChunks).toBeUndefined();
      expect(job.frames.size).toBe(0);
      expect(p.store.get(job.id)).toBe(job); // kept for resume
      const seen = p.runner.seen[0]!;
      expect(await collected(seen.job)).toBe(true);
      expect(await collected(frame)).toBe(true);
      if (outcome === 'done') {
        // The layer's own pixels go; the chunks cut from them (job.final) stay.
        expect(await collected(seen.layer!)).toBe(true);
        expect(job.final!.chunks.length).toBeGreaterThan(0);
        expect(job.final!.messages.map((m) => m.type)).toContain('job.result');
      }
    },
  );

  it('an HTTP job keeps neither the frames it was given nor its input while its result is kept', async () => {
    const p = parts('done');
    const start = (): { out: Promise<unknown>; frame: WeakRef<ArrayBufferLike>; frames: Map<number, Frame> } => {
      const f = rgbaFrame('http-1');
      const frames = new Map<number, Frame>([[0, f]]);
      const out = runHttpJob({ store: p.store, queue: p.queue, dispatch: p.dispatch, logger: log, closing: () => false }, submit('http-1'), frames, 'o', 'h1');
      return { out, frame: new WeakRef(f.data.buffer), frames };
    };
    const { out, frame, frames } = start();
    expect(frames.size).toBe(0); // taken over by the job
    const got = await out as { messages: ServerMessage[]; chunks: Uint8Array[] };
    expect(got.messages.map((m) => m.type)).toContain('job.result');
    expect(got.chunks.length).toBeGreaterThan(0);
    const job = p.store.get('http-1')!;
    expect(job.state).toBe('done');
    expect(job.sink).not.toBeNull(); // the sink (and its closures) live as long as the kept result
    expect(await collected(frame)).toBe(true);
  });
});

describe('WorkerPool', () => {
  let pool: WorkerPool | undefined;
  afterEach(async () => { await pool?.close(); pool = undefined; });

  it("a run's handle does not keep the job alive, nor pixels Node had to copy rather than transfer", async () => {
    // A stand-in worker: ready at once, answers a cancel.
    const dir = mkdtempSync(join(tmpdir(), 'smartdrag-pool-'));
    const entry = join(dir, 'worker.js');
    writeFileSync(entry, `const { parentPort } = require('node:worker_threads');
parentPort.on('message', (m) => { if (m.type === 'cancel') parentPort.postMessage({ type: 'failed', jobId: m.jobId, code: 'cancelled', message: 'cancelled' }); });
parentPort.postMessage({ type: 'ready', stages: { device: 'cpu', deviceReason: 'test', filler: false, refiner: false, reasoner: 'rules' } });
`);
    pool = new WorkerPool({ size: 1, logger: log, entry, cancelGraceMs: 1000 });
    await until(() => pool!.idleCount === 1);
    const start = (): { run: PoolRun; job: WeakRef<WorkerJob>; pixels: WeakRef<ArrayBufferLike> } => {
      const data = new Uint8ClampedArray(64 * 48 * 4).fill(1);
      // Like sharp's decoded buffers: Node copies it instead of transferring it.
      markAsUntransferable(data.buffer);
      const job: WorkerJob = { jobId: 'p1', image: { width: 64, height: 48, data }, regions: [], drags: [], keep: [], quality: 'preview', seed: 1 };
      const run = pool!.run(job, () => undefined);
      expect(data.byteLength).toBe(64 * 48 * 4); // copied, not moved
      return { run, job: new WeakRef(job), pixels: new WeakRef(data.buffer) };
    };
    const { run, job, pixels } = start();
    expect(await collected(job)).toBe(true);
    expect(await collected(pixels)).toBe(true);
    run.cancel();
    await expect(run.promise).rejects.toMatchObject({ code: ErrorCode.cancelled });
  });
});
