/**
 * The bridge's parts on their own: job store (end, resume data, sweep, detach), queue (admission,
 * positions), dispatch (prepare → queue → runner, progress throttle, result frames, cancel),
 * handshake decisions and the diagnostics ring. The runner is a scripted stand-in for the worker
 * pool (the real pool runs in test/integration and test/hardening).
 */
import {
  CloseCode, decodeFrameChunk, DEFAULT_LIMITS, ErrorCode, FrameAssembler, PROTOCOL_VERSION, SmartDragError,
  type Frame, type JobSubmit, type ServerMessage,
} from '@smartdrag/shared';
import pino from 'pino';
import { silentLogger } from '../log';
import type { Plan } from '../core/types';
import { Diagnostics } from './diagnostics';
import { Dispatcher, type JobRunner } from './dispatch';
import { answerHello, checkUpgrade } from './handshake';
import { JobQueue } from './job-queue';
import { forgetUnrun, JobStore, type JobSession } from './job-store';
import { MemoryBudget } from './memory-budget';
import { accessPolicy } from './security';
import type { PoolRun } from './worker-pool';
import type { WorkerJob, WorkerResult } from './worker-protocol';

const log = silentLogger();
const limits = { ...DEFAULT_LIMITS };

function submit(jobId: string, [ox, oy]: [number, number] = [0, 0]): JobSubmit {
  return {
    type: 'job.submit', jobId, quality: 'preview',
    regions: [{ id: 'a', polygon: [[ox + 2, oy + 2], [ox + 10, oy + 2], [ox + 10, oy + 10], [ox + 2, oy + 10]] }],
    drags: [{ region: 'a', points: [[ox + 5, oy + 5], [ox + 9, oy + 7]] }],
  } as JobSubmit;
}

function rgbaFrame(jobId: string, w = 16, h = 12, left = 0, top = 0): Frame {
  return { jobId, part: 'image', slot: 0, format: 'rgba8', width: w, height: h, left, top, data: new Uint8Array(w * h * 4).fill(200) };
}

/** A sink that records what a job sent. */
function recorder() {
  const messages: ServerMessage[] = [];
  const chunks: Uint8Array[] = [];
  return { messages, chunks, sink: { message: (m: ServerMessage) => messages.push(m), binary: (c: Uint8Array) => chunks.push(c) } };
}

function fakeSession(id: string): JobSession & ReturnType<typeof recorder> {
  const r = recorder();
  return { id, jobs: new Set(), assembler: new FrameAssembler(limits), ...r, ...r.sink };
}

/** A scripted worker pool: `idle` workers; each run waits until the test settles it. */
class ScriptedRunner implements JobRunner {
  idle: number;
  readonly runs: { job: WorkerJob; progress: (s: string, f: number) => void; plan?: (p: Plan) => void; layer?: (l: WorkerResult['layer'], proxy?: WorkerResult['proxy']) => void; resolve: (r: WorkerResult) => void; reject: (e: unknown) => void; cancelled?: ErrorCode }[] = [];
  constructor(idle: number) { this.idle = idle; }
  get idleCount(): number { return this.idle; }
  run(job: WorkerJob, progress: (s: string, f: number) => void, plan?: (p: Plan) => void, layer?: (l: WorkerResult['layer'], proxy?: WorkerResult['proxy']) => void): PoolRun {
    this.idle--;
    let resolve!: (r: WorkerResult) => void, reject!: (e: unknown) => void;
    const promise = new Promise<WorkerResult>((a, b) => { resolve = a; reject = b; });
    const entry = { job, progress, plan, layer, resolve, reject } as ScriptedRunner['runs'][number];
    this.runs.push(entry);
    return { promise, cancel: (code = ErrorCode.cancelled) => { entry.cancelled = code; reject(new SmartDragError(code, String(code))); } };
  }
}

function result(w: number, h: number): WorkerResult {
  return { plan: { operations: [], warnings: [] } as Plan, layer: { left: 1, top: 2, image: { width: w, height: h, data: new Uint8ClampedArray(w * h * 4).fill(7) } }, timings: { total: 5 } as never };
}

function parts(idle = 1) {
  const store = new JobStore(1000);
  const queue = new JobQueue(store, limits);
  const runner = new ScriptedRunner(idle);
  const dispatch = new Dispatcher(store, queue, runner, limits);
  store.onFinish = (job) => queue.remove(job);
  made.push({ store, dispatch });
  return { store, queue, runner, dispatch };
}
const made: { store: JobStore; dispatch: Dispatcher }[] = [];
afterEach(() => {
  // End what a test left running (its job timer would keep jest alive).
  for (const { store, dispatch } of made.splice(0)) for (const j of store.all()) if (j.state === 'running' || j.state === 'queued') dispatch.cancel(j, ErrorCode.shutting_down, 'test over');
});

const flush = () => new Promise((r) => setImmediate(r));

describe('JobStore', () => {
  it('ends a job once, keeps plan + terminal messages for resume, and sweeps it after the TTL', () => {
    const store = new JobStore(1000);
    const r = recorder();
    const ended: string[] = [];
    store.onFinish = (j, msgs) => ended.push(`${j.id}:${j.state}:${msgs.length}`);
    const job = store.create(submit('j1'), 'o', 'c', r.sink, null, log, [0]);
    job.planMsg = { type: 'job.plan', jobId: 'j1', plan: {} as never };
    store.finish(job, 'done', [{ type: 'job.cancelled', jobId: 'j1' }], [new Uint8Array([1])]);
    store.fail(job, new Error('late')); // already ended: ignored
    expect(ended).toEqual(['j1:done:1']);
    expect(r.messages.map((m) => m.type)).toEqual(['job.cancelled']);
    expect(r.chunks).toHaveLength(1);
    expect(job.final!.messages.map((m) => m.type)).toEqual(['job.plan', 'job.cancelled']);
    expect(store.counts()).toEqual({ queued: 0, running: 0, stored: 1 });
    expect(store.sweep(job.finishedAt! + 999)).toBe(0);
    expect(store.sweep(job.finishedAt! + 1001)).toBe(1);
    expect(store.get('j1')).toBeUndefined();
  });

  it('fail: a SmartDragError keeps its code, anything else is internal, cancelled ends as cancelled', () => {
    const store = new JobStore(1000);
    const r = recorder();
    store.fail(store.create(submit('a'), 'o', 'c', r.sink, null, log, [0]), new SmartDragError(ErrorCode.queue_full, 'full'));
    store.fail(store.create(submit('b'), 'o', 'c', r.sink, null, log, [0]), new TypeError('boom'));
    store.fail(store.create(submit('c'), 'o', 'c', r.sink, null, log, [0]), new SmartDragError(ErrorCode.cancelled, 'x'));
    expect(r.messages).toEqual([
      expect.objectContaining({ type: 'job.error', jobId: 'a', code: 'queue_full' }),
      expect.objectContaining({ type: 'job.error', jobId: 'b', code: 'internal', message: 'boom' }),
      { type: 'job.cancelled', jobId: 'c' },
    ]);
    expect(store.get('c')!.state).toBe('cancelled');
  });

  it('attach moves a job between sessions; detach drops half-uploaded jobs and keeps the rest', () => {
    const store = new JobStore(1000);
    const s1 = fakeSession('s1'), s2 = fakeSession('s2');
    const up = store.create(submit('up'), 'o', 's1', s1, s1, log, [0]);
    const run = store.create(submit('run'), 'o', 's1', s1, s1, log, [0]);
    store.attach(up, s1); store.attach(run, s1);
    run.state = 'running';
    store.attach(run, s2);
    expect([...s1.jobs]).toEqual(['up']);
    expect([...s2.jobs]).toEqual(['run']);
    store.detach(s2);
    expect(run.sink).toBeNull();
    expect(store.get('run')!.state).toBe('running');
    store.detach(s1);
    expect(store.get('up')).toBeUndefined();
    expect(store.activeCount()).toBe(1);
  });

  it('a connection forgets the jobs the store forgets (expired, dropped by the memory budget, never run): a panel open all day does not grow', () => {
    const budget = new MemoryBudget(16, (id) => store.delete(id));
    const store = new JobStore(1000, budget);
    const s = fakeSession('s');
    const jobs = ['a', 'b', 'c', 'd'].map((id) => { const j = store.create(submit(id), 'o', 's', s, s, log, [0]); store.attach(j, s); return j; });
    expect([...s.jobs]).toEqual(['a', 'b', 'c', 'd']);
    store.finish(jobs[0]!, 'done', [{ type: 'job.cancelled', jobId: 'a' }], [new Uint8Array(8)]);
    store.fail(jobs[1]!, new SmartDragError(ErrorCode.cancelled, 'superseded'));
    jobs[1]!.finishedAt = jobs[0]!.finishedAt! - 500; // ended earlier: expires first
    // Only what expired goes: the other finished result is kept (resume works), and so is the job still running.
    expect(store.sweep(jobs[0]!.finishedAt! + 600)).toBe(1);
    expect([...s.jobs]).toEqual(['a', 'c', 'd']);
    expect(store.sweep(jobs[0]!.finishedAt! + 1001)).toBe(1);
    expect([...s.jobs]).toEqual(['c', 'd']);
    // A kept result the budget drops, and a job forgotten before it ran (image_unknown).
    store.finish(jobs[2]!, 'done', [], [new Uint8Array(8)]);
    budget.charge('another', 12); // room for another job's input: the kept result is dropped
    expect(store.get('c')).toBeUndefined();
    forgetUnrun(store, jobs[3]!);
    expect(s.jobs.size).toBe(0);
  });

  it('logs each end at info — except a cancelled preview (a drag supersedes up to 30 a second), which is debug', () => {
    const lines: { level: number; msg: string; jobId?: string; code?: string }[] = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => { lines.push(JSON.parse(l)); } });
    const store = new JobStore(1000);
    const r = recorder();
    const make = (id: string, quality: 'preview' | 'final') => store.create({ ...submit(id), quality }, 'o', 'c', r.sink, null, logger.child({ jobId: id }), [0]);
    store.fail(make('p-cancel', 'preview'), new SmartDragError(ErrorCode.cancelled, 'superseded'));
    store.fail(make('f-cancel', 'final'), new SmartDragError(ErrorCode.cancelled, 'cancelled'));
    store.fail(make('p-fail', 'preview'), new SmartDragError(ErrorCode.job_timeout, 'too slow'));
    store.fail(make('p-down', 'preview'), new SmartDragError(ErrorCode.shutting_down, 'bye'));
    expect(lines.map((l) => `${l.jobId}:${l.msg}:${l.code}`)).toEqual(['f-cancel:job ended:cancelled', 'p-fail:job ended:job_timeout', 'p-down:job ended:shutting_down']);
    expect(new Set(lines.map((l) => l.level))).toEqual(new Set([30])); // info
  });
});

describe('JobQueue', () => {
  it('admits within the per-client and total caps and refuses with queue_full / shutting_down', () => {
    const store = new JobStore(1000);
    const q = new JobQueue(store, { ...limits, maxQueuePerClient: 2, maxQueueTotal: 3 });
    const s = fakeSession('s');
    q.admit(submit('a'), s, false);
    store.create(submit('a'), 'o', 's', s, s, log, [0]);
    store.create(submit('b'), 'o', 's', s, s, log, [0]);
    const code = (f: () => void) => { try { f(); return 'ok'; } catch (e) { return (e as SmartDragError).code; } };
    expect(code(() => q.admit(submit('c'), s, false))).toBe('queue_full');
    expect(code(() => q.admit(submit('c'), null, false))).toBe('ok');
    store.create(submit('c'), 'o', 'h', null, null, log, [0]);
    expect(code(() => q.admit(submit('d'), null, false))).toBe('queue_full');
    expect(code(() => new JobQueue(new JobStore(1), limits).admit(submit('e'), null, true))).toBe('shutting_down');
  });

  it('tells waiting jobs their new positions when one leaves', () => {
    const store = new JobStore(1000);
    const q = new JobQueue(store, limits);
    const rs = ['a', 'b', 'c'].map((id) => { const r = recorder(); const j = store.create(submit(id), 'o', 'h', r.sink, null, log, [0]); return { r, j, p: q.push(j) }; });
    expect(rs.map((x) => x.p)).toEqual([0, 1, 2]);
    q.remove(rs[0]!.j);
    expect(rs[1]!.r.messages).toEqual([{ type: 'job.queued', jobId: 'b', position: 0 }]);
    expect(rs[2]!.r.messages).toEqual([{ type: 'job.queued', jobId: 'c', position: 1 }]);
    expect(q.position(rs[0]!.j)).toBe(-1);
  });
});

describe('Dispatcher', () => {
  async function uploaded(p: ReturnType<typeof parts>, id: string, origin?: [number, number]) {
    const r = recorder();
    const s = { ...submit(id, origin), ...(origin ? { imageOrigin: origin } : {}) };
    const job = p.store.create(s, 'o', 'h', r.sink, null, log, [0]);
    job.frames.set(0, rgbaFrame(id));
    await p.dispatch.prepare(job);
    return { r, job };
  }

  it('queues in order, runs when a worker is idle, and sends the layer at the image origin', async () => {
    const p = parts(1);
    const a = await uploaded(p, 'a', [100, 50]);
    const b = await uploaded(p, 'b');
    expect(a.r.messages.map((m) => m.type)).toEqual(['job.accepted', 'job.started']);
    expect(b.r.messages).toEqual([{ type: 'job.accepted', jobId: 'b', position: 0 }]);
    expect(p.runner.runs[0]!.job.image.width).toBe(16);
    p.runner.runs[0]!.plan!({ operations: [], warnings: [] } as never);
    p.runner.runs[0]!.resolve(result(4, 3));
    await flush();
    const res = a.r.messages.find((m) => m.type === 'job.result');
    expect(res).toMatchObject({ layer: { left: 101, top: 52, width: 4, height: 3 } });
    expect(a.r.messages.map((m) => m.type)).toEqual(['job.accepted', 'job.started', 'job.plan', 'job.result']);
    const asm = new FrameAssembler(limits);
    let frame: Frame | null = null;
    for (const c of a.r.chunks) frame = asm.push(decodeFrameChunk(c)) ?? frame;
    expect(frame).toMatchObject({ width: 4, height: 3, left: 101, top: 52 });
    expect(a.job.state).toBe('done');
    p.runner.idle = 1;
    p.dispatch.pump();
    expect(b.r.messages.map((m) => m.type)).toEqual(['job.accepted', 'job.started']);
    expect(p.runner.runs[1]!.job.jobId).toBe('b');
  });

  it('throttles progress within a stage but always sends a stage end', async () => {
    const p = parts(1);
    const a = await uploaded(p, 'a');
    const run = p.runner.runs[0]!;
    for (let i = 0; i < 10; i++) run.progress('warp', i / 10);
    run.progress('warp', 1);
    run.progress('fill', 0);
    const prog = a.r.messages.filter((m) => m.type === 'job.progress');
    expect(prog).toEqual([
      { type: 'job.progress', jobId: 'a', stage: 'warp', fraction: 0 },
      { type: 'job.progress', jobId: 'a', stage: 'warp', fraction: 1 },
      { type: 'job.progress', jobId: 'a', stage: 'fill', fraction: 0 },
    ]);
  });

  it('cancel: a running job stops through its worker, a queued one ends at once and leaves the queue', async () => {
    const p = parts(1);
    const a = await uploaded(p, 'a');
    const b = await uploaded(p, 'b');
    p.dispatch.cancel(b.job, ErrorCode.cancelled, 'cancelled');
    expect(b.r.messages.at(-1)).toEqual({ type: 'job.cancelled', jobId: 'b' });
    expect(p.queue.length).toBe(0);
    p.dispatch.cancel(a.job, ErrorCode.shutting_down, 'bye');
    expect(p.runner.runs[0]!.cancelled).toBe('shutting_down');
    await flush();
    expect(a.r.messages.at(-1)).toMatchObject({ type: 'job.error', code: 'shutting_down' });
  });

  it('a layer posted before the outline is cut into chunks at once; the result then sends those same chunks (and a cancel drops them)', async () => {
    const p = parts(2);
    const a = await uploaded(p, 'a', [100, 50]);
    const b = await uploaded(p, 'b', [100, 50]);
    const early = result(40, 30);
    p.runner.runs[0]!.layer!(early.layer);
    // Nothing goes out before job.result (the protocol sends the result, then its chunks).
    expect(a.r.chunks).toHaveLength(0);
    expect(a.job.layerChunks?.chunks.length).toBeGreaterThan(0);
    const cut = a.job.layerChunks!.chunks;
    p.runner.runs[0]!.resolve(early);
    p.runner.runs[1]!.resolve(result(40, 30));
    await flush();
    expect(a.r.chunks.length).toBe(cut.length);
    expect(a.r.chunks.every((c, i) => c === cut[i])).toBe(true);
    // The same bytes as a layer that came only with the result (but for the job id, 'a' or 'b').
    const noId = (c: Uint8Array): string => Buffer.from(c).toString('hex').replace(/^(.{80})../, '$1');
    expect(b.r.chunks.length).toBe(cut.length);
    expect(a.r.chunks.map(noId)).toEqual(b.r.chunks.map(noId));
    expect(a.r.messages.find((m) => m.type === 'job.result')).toMatchObject({ layer: { left: 101, top: 52, width: 40, height: 30 } });
    const res = a.r.messages.find((m) => m.type === 'job.result') as { timings: Record<string, number> };
    expect(Object.keys(res.timings)).toEqual(expect.arrayContaining(['upload', 'prepare', 'handoff', 'send', 'queue', 'job']));
    // Cancelled after its layer came: no chunks, the job ends cancelled.
    const c = await uploaded(p, 'c');
    p.runner.idle = 1;
    p.dispatch.pump();
    const run = p.runner.runs.find((x) => x.job.jobId === 'c')!;
    run.layer!(result(8, 8).layer);
    p.dispatch.cancel(c.job, ErrorCode.cancelled, 'cancelled');
    await flush();
    expect(c.r.chunks).toHaveLength(0);
    expect(c.job.layerChunks).toBeUndefined();
    expect(c.r.messages.at(-1)).toEqual({ type: 'job.cancelled', jobId: 'c' });
  });

  it('a bad image fails the job with a coded error; nothing is queued', async () => {
    const p = parts(1);
    const r = recorder();
    const job = p.store.create(submit('x'), 'o', 'h', r.sink, null, log, [0]);
    job.frames.set(0, { ...rgbaFrame('x'), format: 'gray8' } as Frame);
    await p.dispatch.prepare(job);
    expect(r.messages).toEqual([expect.objectContaining({ type: 'job.error', code: 'bad_message' })]);
    expect(p.runner.runs).toHaveLength(0);
  });
});

describe('handshake', () => {
  const policy = accessPolicy('127.0.0.1', 4000, [], []);
  const auth = { host: '127.0.0.1', token: 'tok', users: [] };

  it('checkUpgrade refuses shutdown, foreign Host and foreign Origin with their codes', () => {
    expect(checkUpgrade(policy, { headers: { host: '127.0.0.1:4000' } }, false)).toBeNull();
    expect(checkUpgrade(policy, { headers: { host: '127.0.0.1:4000' } }, true)).toMatchObject({ code: 'shutting_down', closeCode: CloseCode.goingAway });
    expect(checkUpgrade(policy, { headers: { host: 'evil.example:4000' } }, false)).toMatchObject({ code: 'forbidden_host', closeCode: CloseCode.forbiddenHost });
    expect(checkUpgrade(policy, { headers: { host: '127.0.0.1:4000', origin: 'https://evil.example' } }, false))
      .toMatchObject({ code: 'forbidden_origin', closeCode: CloseCode.forbiddenOrigin });
  });

  it('answerHello: version first, then schema, then token', () => {
    const hello = (o: Record<string, unknown>) => JSON.stringify({ type: 'hello', protocol: PROTOCOL_VERSION, client: 'cli', token: 'tok', ...o });
    expect(answerHello(hello({}), auth, '127.0.0.1')).toMatchObject({ ok: true, user: 'local' });
    expect(answerHello(hello({ protocol: PROTOCOL_VERSION + 1, extra: { x: 1 }, token: 'bad' }), auth, '127.0.0.1'))
      .toMatchObject({ ok: false, code: 'version_mismatch', detail: { upgrade: 'bridge' } });
    expect(answerHello(hello({ token: 'bad' }), auth, '127.0.0.1')).toMatchObject({ ok: false, code: 'unauthorized', closeCode: CloseCode.unauthorized });
    expect(answerHello('{"type":"ping"}', auth, '127.0.0.1')).toMatchObject({ ok: false, code: 'bad_message', closeCode: CloseCode.badHandshake });
    expect(answerHello('not json', auth, '127.0.0.1')).toMatchObject({ ok: false, closeCode: CloseCode.badHandshake });
  });
});

describe('Diagnostics', () => {
  it('keeps the newest records, clips header values, and counts job ends per client', () => {
    const d = new Diagnostics(2);
    d.open('a', 'ws', { origin: 'x'.repeat(500) });
    d.open('b', 'http', { host: 'h' });
    d.open('c', 'ws', {});
    d.jobEnded('b', 'failed', 'queue_full');
    d.jobEnded('b', 'done', undefined, { total: 3 });
    d.jobEnded('a', 'done');
    const recs = d.recent();
    expect(recs.map((r) => r.id)).toEqual(['b', 'c']);
    expect(recs[0]!.jobs).toEqual({ done: 1, failed: 1, cancelled: 0, lastError: 'queue_full', lastTimings: { total: 3 } });
    const e = new Diagnostics(1);
    expect(e.open('z', 'ws', { origin: 'x'.repeat(500) }).origin).toHaveLength(200);
  });
});

